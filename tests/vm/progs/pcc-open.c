// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-open - what a read-only open must keep although pcc opens the lower
 * file only at its first use (docs/design/0003-lower-file.md):
 *   pcc-open unlinked FILE	open read-only, unlink, then read: the data
 *				is still there (NFS must silly-rename)
 *   pcc-open truncate FILE	O_RDONLY|O_TRUNC: prints "truncated" or the
 *				error, to compare with the lower's answer
 *   pcc-open fsync FILE	fsync and fdatasync on a read-only descriptor
 *   pcc-open locks FILE	a read lock through a read-only descriptor
 *				holds off a writer; closing another
 *				descriptor of ours drops it
 *   pcc-open opener UID FILE	open as UID, read as root: the lower file is
 *				opened with the opener's credentials (root is
 *				squashed on a root_squash export, UID is not)
 * Each prints what it read where that is the point, so a scenario can
 * compare pcc with the lower.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static void put(const char *path, const char *data)
{
	int fd = SYS(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));

	CHECK(SYS(write(fd, data, strlen(data))) == (ssize_t)strlen(data));
	SYS(close(fd));
}

static int unlinked(const char *path)
{
	char buf[64] = "";
	int fd;

	put(path, "kept");
	fd = SYS(open(path, O_RDONLY));
	SYS(unlink(path));
	CHECK(SYS(read(fd, buf, sizeof(buf) - 1)) == 4);
	CHECK(!strcmp(buf, "kept"));
	SYS(close(fd));
	return 0;
}

/* Prints "truncated", or the error: NFSv4 servers refuse it (EACCES). */
static int truncate_ro(const char *path)
{
	struct stat st;
	int fd;

	put(path, "to be truncated");
	fd = open(path, O_RDONLY | O_TRUNC);
	if (fd < 0) {
		printf("%s\n", strerrorname_np(errno));
		return 0;
	}
	SYS(fstat(fd, &st));
	CHECK(st.st_size == 0);
	SYS(close(fd));
	SYS(stat(path, &st));
	CHECK(st.st_size == 0);
	printf("truncated\n");
	return 0;
}

static int fsync_ro(const char *path)
{
	int fd;

	put(path, "written, not synced");
	fd = SYS(open(path, O_RDONLY));
	SYS(fsync(fd));
	SYS(fdatasync(fd));
	SYS(close(fd));
	return 0;
}

/* In a child: whether a write lock on the whole file would be granted. */
static int child_can_write_lock(const char *path)
{
	struct flock fl = { .l_type = F_WRLCK };
	int fd, status;
	pid_t pid;

	pid = SYS(fork());
	if (!pid) {
		fd = SYS(open(path, O_RDWR));
		if (fcntl(fd, F_SETLK, &fl) == 0)
			_exit(0);
		_exit(errno == EAGAIN || errno == EACCES ? 1 : 2);
	}
	SYS(waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) < 2);
	return WEXITSTATUS(status) == 0;
}

static int locks_ro(const char *path)
{
	struct flock fl = { .l_type = F_RDLCK };
	int fd, fd2;

	put(path, "locked");
	fd = SYS(open(path, O_RDONLY));
	SYS(fcntl(fd, F_SETLK, &fl));
	CHECK(!child_can_write_lock(path));
	/* A descriptor that never did I/O: its close drops our locks. */
	fd2 = SYS(open(path, O_RDONLY));
	SYS(close(fd2));
	CHECK(child_can_write_lock(path));
	SYS(close(fd));
	return 0;
}

static int opener(const char *uid_text, const char *path)
{
	uid_t uid = (uid_t)atoi(uid_text);
	char buf[256] = "";
	ssize_t n;
	int fd;

	CHECK(geteuid() == 0 && uid != 0);
	SYS(setresuid(-1, uid, -1));
	fd = SYS(open(path, O_RDONLY));
	SYS(setresuid(-1, 0, -1));
	n = SYS(read(fd, buf, sizeof(buf) - 1));
	SYS(close(fd));
	printf("%.*s", (int)n, buf);
	return 0;
}

int main(int argc, char **argv)
{
	prog = "pcc-open";
	if (argc == 3 && !strcmp(argv[1], "unlinked"))
		return unlinked(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "truncate"))
		return truncate_ro(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "fsync"))
		return fsync_ro(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "locks"))
		return locks_ro(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "opener"))
		return opener(argv[2], argv[3]);
	fprintf(stderr, "usage: pcc-open unlinked|truncate|fsync|locks FILE | opener UID FILE\n");
	return 2;
}
