// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-ns - namespace checks the shell cannot make:
 *   pcc-ns rename FLAGS OLD NEW	renameat2 with FLAGS among
 *					noreplace,exchange,whiteout (or 0);
 *					prints the errno name on failure
 *   pcc-ns unlink-open FILE		unlink a file while open: data stays
 *					readable and writable through the fd
 *   pcc-ns rename-over-open A B	rename A over B while B is open: the fd
 *					still reads B's old data
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static unsigned int rename_flags(const char *s)
{
	unsigned int flags = 0;

	if (strstr(s, "noreplace"))
		flags |= RENAME_NOREPLACE;
	if (strstr(s, "exchange"))
		flags |= RENAME_EXCHANGE;
	if (strstr(s, "whiteout"))
		flags |= RENAME_WHITEOUT;
	return flags;
}

static int do_rename(const char *flags, const char *old, const char *new)
{
	if (renameat2(AT_FDCWD, old, AT_FDCWD, new, rename_flags(flags))) {
		printf("%s\n", strerrorname_np(errno));
		return 2;
	}
	return 0;
}

static void put(const char *path, const char *data)
{
	int fd = SYS(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));

	CHECK(SYS(write(fd, data, strlen(data))) == (ssize_t)strlen(data));
	SYS(close(fd));
}

static int unlink_open(const char *path)
{
	char buf[64] = "";
	struct stat st;
	int fd;

	put(path, "before");
	fd = SYS(open(path, O_RDWR));
	SYS(unlink(path));
	CHECK(access(path, F_OK) == -1 && errno == ENOENT);
	/*
	 * Printed, not checked: NFS keeps a silly-renamed file's link count,
	 * so the caller compares it with what the lower itself says.
	 */
	SYS(fstat(fd, &st));
	printf("nlink %ju\n", (uintmax_t)st.st_nlink);
	CHECK(SYS(pread(fd, buf, sizeof(buf) - 1, 0)) == 6);
	CHECK(!strcmp(buf, "before"));
	CHECK(SYS(pwrite(fd, "after!", 6, 0)) == 6);
	memset(buf, 0, sizeof(buf));
	CHECK(SYS(pread(fd, buf, sizeof(buf) - 1, 0)) == 6);
	CHECK(!strcmp(buf, "after!"));
	SYS(close(fd));
	return 0;
}

static int rename_over_open(const char *a, const char *b)
{
	char buf[64] = "";
	int fd;

	put(a, "new data");
	put(b, "old");
	fd = SYS(open(b, O_RDONLY));
	SYS(rename(a, b));
	CHECK(SYS(pread(fd, buf, sizeof(buf) - 1, 0)) == 3);
	CHECK(!strcmp(buf, "old"));
	SYS(close(fd));
	fd = SYS(open(b, O_RDONLY));
	memset(buf, 0, sizeof(buf));
	CHECK(SYS(read(fd, buf, sizeof(buf) - 1)) == 8);
	CHECK(!strcmp(buf, "new data"));
	SYS(close(fd));
	CHECK(access(a, F_OK) == -1 && errno == ENOENT);
	return 0;
}

int main(int argc, char **argv)
{
	prog = "pcc-ns";
	if (argc == 5 && !strcmp(argv[1], "rename"))
		return do_rename(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "unlink-open"))
		return unlink_open(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "rename-over-open"))
		return rename_over_open(argv[2], argv[3]);
	fprintf(stderr, "usage: pcc-ns rename FLAGS OLD NEW | unlink-open FILE | rename-over-open A B\n");
	return 2;
}
