// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-cred - credentials as the kernel derives them from a file:
 *   pcc-cred id		print the effective uid and gid: installed
 *				set-uid or set-gid, it shows what exec made of
 *				the file's mode and owner
 *   pcc-cred open UID FILE	as UID (and gid UID), open FILE read-only and
 *				read a byte: prints "open: OK|ERRNO" and, if it
 *				opened, "read: OK|ERRNO"
 *   pcc-cred setcap FILE [READ]
 *				in a new user namespace whose root is uid 1000
 *				(the caller must be root), set a v2
 *				security.capability on FILE (owned by 1000):
 *				prints "setcap: OK|ERRNO", then the value
 *				root of the initial namespace reads from READ
 *				(default FILE), in hex
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/capability.h>

#include "check.h"

static int id(void)
{
	printf("%u %u\n", (unsigned int)geteuid(), (unsigned int)getegid());
	return 0;
}

static void become(uid_t uid)
{
	SYS(setgroups(0, NULL));
	SYS(setgid(uid));
	SYS(setuid(uid));
}

static int open_as(const char *uid, const char *path)
{
	char c;
	int fd;

	become(atoi(uid));
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("open: %s\n", strerrorname_np(errno));
		return 0;
	}
	printf("open: OK\n");
	if (read(fd, &c, 1) < 0)
		printf("read: %s\n", strerrorname_np(errno));
	else
		printf("read: OK\n");
	SYS(close(fd));
	return 0;
}

static void write_file(const char *path, const char *data)
{
	int fd = SYS(open(path, O_WRONLY));

	CHECK(SYS(write(fd, data, strlen(data))) == (ssize_t)strlen(data));
	SYS(close(fd));
}

/* The child of setcap: waits for its maps, then sets the capability. */
static int setcap_child(int rd, const char *path)
{
	struct vfs_cap_data cap = {
		.magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE,
		.data = { { .permitted = 1 << CAP_NET_RAW } },
	};
	char c;

	CHECK(SYS(read(rd, &c, 1)) == 1);
	SYS(setresgid(0, 0, 0));
	SYS(setresuid(0, 0, 0));
	if (setxattr(path, "security.capability", &cap, XATTR_CAPS_SZ_2, 0))
		printf("setcap: %s\n", strerrorname_np(errno));
	else
		printf("setcap: OK\n");
	fflush(stdout);
	return 0;
}

static int setcap(const char *path, const char *readback)
{
	unsigned char buf[64];
	char map[64];
	int pfd[2], status;
	ssize_t len, i;
	pid_t pid;

	SYS(pipe(pfd));
	fflush(stdout);
	pid = SYS(fork());
	if (!pid) {
		SYS(close(pfd[1]));
		SYS(unshare(CLONE_NEWUSER));
		exit(setcap_child(pfd[0], path));
	}
	SYS(close(pfd[0]));
	/* Wait for the child to be in its namespace: its uid_map is empty. */
	for (;;) {
		char ns[64], self[64];
		ssize_t n, m;

		snprintf(map, sizeof(map), "/proc/%d/ns/user", pid);
		n = SYS(readlink(map, ns, sizeof(ns) - 1));
		m = SYS(readlink("/proc/self/ns/user", self, sizeof(self) - 1));
		if (n != m || memcmp(ns, self, n))
			break;
		usleep(1000);
	}
	snprintf(map, sizeof(map), "/proc/%d/uid_map", pid);
	write_file(map, "0 1000 1\n");
	snprintf(map, sizeof(map), "/proc/%d/setgroups", pid);
	write_file(map, "deny\n");
	snprintf(map, sizeof(map), "/proc/%d/gid_map", pid);
	write_file(map, "0 1000 1\n");
	CHECK(SYS(write(pfd[1], "x", 1)) == 1);
	SYS(waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status));

	len = getxattr(readback, "security.capability", buf, sizeof(buf));
	if (len < 0) {
		printf("stored: %s\n", strerrorname_np(errno));
		return 0;
	}
	printf("stored:");
	for (i = 0; i < len; i++)
		printf(" %02x", buf[i]);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	prog = "pcc-cred";
	if (argc == 2 && !strcmp(argv[1], "id"))
		return id();
	if (argc == 4 && !strcmp(argv[1], "open"))
		return open_as(argv[2], argv[3]);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "setcap"))
		return setcap(argv[2], argv[argc - 1]);
	fprintf(stderr,
		"usage: pcc-cred id | open UID FILE | setcap FILE [READ]\n");
	return 2;
}
