// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-xattr - extended attributes without attr(1):
 *   pcc-xattr set FILE NAME VALUE	setxattr; prints the errno name and
 *					exits 2 on failure
 *   pcc-xattr get FILE NAME		prints the value, or the errno name
 *					and exits 2
 *   pcc-xattr remove FILE NAME		removexattr, failures as for set
 *   pcc-xattr list FILE		prints the names, one a line
 *   pcc-xattr acl FILE UID PERM	sets an access ACL giving user UID the
 *					permissions PERM (0-7), mask rwx
 *   pcc-xattr acl-get FILE		prints the access ACL's user entries
 *					as "UID PERM", or the errno name
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "acl-xattr.h"
#include "check.h"

/* A POSIX ACL of up to five entries, in its xattr format (acl-xattr.h). */
struct acl {
	uint32_t version;
	struct acl_entry e[5];
};

static int failed(void)
{
	printf("%s\n", strerrorname_np(errno));
	return 2;
}

static int acl_set(const char *path, uint32_t uid, uint16_t perm)
{
	struct acl acl = {
		.version = ACL_XATTR_VERSION,
		.e = {
			{ ACL_USER_OBJ, 6, ACL_UNDEFINED_ID },
			{ ACL_USER, perm, uid },
			{ ACL_GROUP_OBJ, 4, ACL_UNDEFINED_ID },
			{ ACL_MASK, 7, ACL_UNDEFINED_ID },
			{ ACL_OTHER, 0, ACL_UNDEFINED_ID },
		},
	};

	if (setxattr(path, "system.posix_acl_access", &acl, sizeof(acl), 0))
		return failed();
	return 0;
}

static int acl_get(const char *path)
{
	struct acl acl;
	ssize_t len, i;

	len = getxattr(path, "system.posix_acl_access", &acl, sizeof(acl));
	if (len < 0)
		return failed();
	CHECK(len >= 4 && acl.version == ACL_XATTR_VERSION);
	for (i = 0; i < (len - 4) / (ssize_t)sizeof(acl.e[0]); i++)
		if (acl.e[i].tag == ACL_USER)
			printf("%u %u\n", acl.e[i].id, acl.e[i].perm);
	return 0;
}

int main(int argc, char **argv)
{
	char buf[4096];
	ssize_t len, i;

	prog = "pcc-xattr";
	if (argc == 5 && !strcmp(argv[1], "set"))
		return setxattr(argv[2], argv[3], argv[4], strlen(argv[4]), 0) ?
		       failed() : 0;
	if (argc == 4 && !strcmp(argv[1], "get")) {
		len = getxattr(argv[2], argv[3], buf, sizeof(buf) - 1);
		if (len < 0)
			return failed();
		buf[len] = 0;
		printf("%s\n", buf);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "remove"))
		return removexattr(argv[2], argv[3]) ? failed() : 0;
	if (argc == 3 && !strcmp(argv[1], "list")) {
		len = SYS(listxattr(argv[2], buf, sizeof(buf)));
		for (i = 0; i < len; i += strlen(buf + i) + 1)
			printf("%s\n", buf + i);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "acl"))
		return acl_set(argv[2], strtoul(argv[3], NULL, 0),
			       strtoul(argv[4], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "acl-get"))
		return acl_get(argv[2]);
	fprintf(stderr, "usage: see the source\n");
	return 2;
}
