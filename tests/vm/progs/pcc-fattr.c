// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-fattr - inode flags without chattr(1)/lsattr(1), which the guest's
 * busybox lacks, and the operations they forbid:
 *   pcc-fattr get FILE		FS_IOC_GETFLAGS: prints the flags as
 *				lsattr's letters ("-" for none)
 *   pcc-fattr set FILE [+-]L...	FS_IOC_GETFLAGS, then FS_IOC_SETFLAGS
 *				with the letters L added (+) or removed (-)
 *   pcc-fattr xget FILE	FS_IOC_FSGETXATTR: prints the xflags and
 *				the project id
 *   pcc-fattr xset FILE [+-]a|i	FS_IOC_FSGETXATTR, then FS_IOC_FSSETXATTR
 *				with FS_XFLAG_APPEND or _IMMUTABLE changed
 * On failure these print the errno name and exit 2.
 *   pcc-fattr try OP PATH	prints OK, or the errno name OP failed
 *				with; OP is one of
 *	append		open O_WRONLY|O_APPEND and write a line
 *	write		open O_WRONLY and write at offset 0
 *	trunc-open	open O_WRONLY|O_TRUNC
 *	truncate	truncate(2) to 0
 *	unlink		unlink(2)
 *	rename		rename to PATH.renamed and back
 *	link		link to PATH.link, then unlink the link
 *	chmod		chmod(2) to the mode it has
 *	create		create PATH (O_CREAT|O_EXCL)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

/* lsattr's letters, in its order (e2fsprogs lib/e2p/pf.c). */
static const struct {
	unsigned int flag;
	char letter;
} letters[] = {
	{ FS_SECRM_FL, 's' },		{ FS_UNRM_FL, 'u' },
	{ FS_SYNC_FL, 'S' },		{ FS_DIRSYNC_FL, 'D' },
	{ FS_IMMUTABLE_FL, 'i' },	{ FS_APPEND_FL, 'a' },
	{ FS_NODUMP_FL, 'd' },		{ FS_NOATIME_FL, 'A' },
	{ FS_COMPR_FL, 'c' },		{ FS_ENCRYPT_FL, 'E' },
	{ FS_JOURNAL_DATA_FL, 'j' },	{ FS_INDEX_FL, 'I' },
	{ FS_NOTAIL_FL, 't' },		{ FS_TOPDIR_FL, 'T' },
	{ FS_EXTENT_FL, 'e' },		{ FS_NOCOW_FL, 'C' },
	{ FS_DAX_FL, 'x' },		{ FS_CASEFOLD_FL, 'F' },
	{ FS_INLINE_DATA_FL, 'N' },	{ FS_PROJINHERIT_FL, 'P' },
	{ FS_VERITY_FL, 'V' },		{ FS_NOCOMP_FL, 'm' },
};

#define NLETTERS (sizeof(letters) / sizeof(letters[0]))

static int failed(void)
{
	printf("%s\n", strerrorname_np(errno));
	return 2;
}

/* Flags need an open file; O_NONBLOCK so that a fifo does not wait. */
static int open_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);

	/*
	 * A lease on the file (an NFS server's delegation to a client: nfsd
	 * grants write delegations since Linux 6.6) fails a non-blocking
	 * open with EWOULDBLOCK; a blocking one waits for its recall.
	 */
	if (fd < 0 && errno == EWOULDBLOCK)
		fd = open(path, O_RDONLY | O_NOFOLLOW);
	return fd;
}

static int get_flags(const char *path)
{
	unsigned int flags, unknown, i;
	int fd = open_file(path);

	if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags))
		return failed();
	close(fd);
	unknown = flags;
	for (i = 0; i < NLETTERS; i++) {
		if (flags & letters[i].flag)
			putchar(letters[i].letter);
		unknown &= ~letters[i].flag;
	}
	if (!flags)
		putchar('-');
	if (unknown)
		printf("+0x%x", unknown);
	putchar('\n');
	return 0;
}

static int set_flags(const char *path, const char *change)
{
	unsigned int flags, mask = 0, i;
	const char *c;
	int fd;

	if (change[0] != '+' && change[0] != '-')
		die("bad change '%s'", change);
	for (c = change + 1; *c; c++) {
		for (i = 0; i < NLETTERS && letters[i].letter != *c; i++)
			;
		if (i == NLETTERS)
			die("unknown flag letter '%c'", *c);
		mask |= letters[i].flag;
	}
	fd = open_file(path);
	if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags))
		return failed();
	if (change[0] == '+')
		flags |= mask;
	else
		flags &= ~mask;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags))
		return failed();
	close(fd);
	return 0;
}

static int get_xattr(const char *path)
{
	struct fsxattr fsx;
	int fd = open_file(path);

	if (fd < 0 || ioctl(fd, FS_IOC_FSGETXATTR, &fsx))
		return failed();
	close(fd);
	printf("xflags 0x%x projid %u\n", fsx.fsx_xflags, fsx.fsx_projid);
	return 0;
}

static int set_xattr(const char *path, const char *change)
{
	struct fsxattr fsx;
	unsigned int mask;
	int fd;

	if (!strcmp(change + 1, "a"))
		mask = FS_XFLAG_APPEND;
	else if (!strcmp(change + 1, "i"))
		mask = FS_XFLAG_IMMUTABLE;
	else
		die("bad change '%s'", change);
	fd = open_file(path);
	if (fd < 0 || ioctl(fd, FS_IOC_FSGETXATTR, &fsx))
		return failed();
	if (change[0] == '+')
		fsx.fsx_xflags |= mask;
	else if (change[0] == '-')
		fsx.fsx_xflags &= ~mask;
	else
		die("bad change '%s'", change);
	if (ioctl(fd, FS_IOC_FSSETXATTR, &fsx))
		return failed();
	close(fd);
	return 0;
}

/* Open, write @data at offset 0 (or the end, with O_APPEND) unless NULL. */
static int open_write(const char *path, int flags, const char *data)
{
	int fd = open(path, flags, 0644);

	if (fd < 0)
		return -1;
	if (data && pwrite(fd, data, strlen(data), 0) != (ssize_t)strlen(data)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int try_op(const char *op, const char *path)
{
	char other[4096];
	struct stat st;
	int ret;

	if (!strcmp(op, "append")) {
		ret = open_write(path, O_WRONLY | O_APPEND, "appended\n");
	} else if (!strcmp(op, "write")) {
		ret = open_write(path, O_WRONLY, "w");
	} else if (!strcmp(op, "trunc-open")) {
		ret = open_write(path, O_WRONLY | O_TRUNC, NULL);
	} else if (!strcmp(op, "truncate")) {
		ret = truncate(path, 0);
	} else if (!strcmp(op, "unlink")) {
		ret = unlink(path);
	} else if (!strcmp(op, "rename")) {
		snprintf(other, sizeof(other), "%s.renamed", path);
		ret = rename(path, other);
		if (!ret)
			SYS(rename(other, path));
	} else if (!strcmp(op, "link")) {
		snprintf(other, sizeof(other), "%s.link", path);
		ret = link(path, other);
		if (!ret)
			SYS(unlink(other));
	} else if (!strcmp(op, "chmod")) {
		SYS(stat(path, &st));
		ret = chmod(path, st.st_mode & 07777);
	} else if (!strcmp(op, "create")) {
		ret = open_write(path, O_WRONLY | O_CREAT | O_EXCL, NULL);
	} else {
		die("unknown operation '%s'", op);
	}
	/* The outcome is the answer: exit 0 either way. */
	printf("%s\n", ret ? strerrorname_np(errno) : "OK");
	return 0;
}

int main(int argc, char **argv)
{
	prog = "pcc-fattr";
	if (argc == 3 && !strcmp(argv[1], "get"))
		return get_flags(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "set"))
		return set_flags(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "xget"))
		return get_xattr(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "xset"))
		return set_xattr(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "try"))
		return try_op(argv[2], argv[3]);
	fprintf(stderr, "usage: see the source\n");
	return 2;
}
