// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-io - file I/O checks:
 *   pcc-io append FILE PROCS RECORDS	PROCS processes append RECORDS
 *					records each with O_APPEND; every record
 *					must land whole, none lost or overlapped
 *   pcc-io sparse FILE			a file > 4 GiB with two data extents;
 *					SEEK_DATA/SEEK_HOLE and reads agree
 *   pcc-io direct FILE			O_DIRECT write and read back; exits 3
 *					if the filesystem refuses O_DIRECT
 *   pcc-io splice SRC DST		sendfile SRC to DST and splice through a
 *					pipe; both copies equal SRC
 *   pcc-io fallocate FILE		preallocate, punch a hole, check
 *   pcc-io locks FILE			fcntl, OFD and flock locks conflict
 *					across processes and go away at close
 *   pcc-io aio FILE			io_submit writes and reads (async kiocbs)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/falloc.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define RECORD 64

static void wait_children(int n)
{
	int status;

	while (n--) {
		SYS(wait(&status));
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

static int append(const char *path, int procs, int records)
{
	char rec[RECORD + 1], buf[RECORD];
	int *seen, fd, p, r, n;
	struct stat st;

	fd = SYS(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	SYS(close(fd));
	for (p = 0; p < procs; p++) {
		if (SYS(fork()))
			continue;
		fd = SYS(open(path, O_WRONLY | O_APPEND));
		for (r = 0; r < records; r++) {
			memset(rec, 'x', RECORD);
			snprintf(rec, sizeof(rec), "%04d %06d", p % 10000,
				 r % 1000000);
			rec[11] = ' ';
			rec[RECORD - 1] = '\n';
			CHECK(SYS(write(fd, rec, RECORD)) == RECORD);
		}
		_exit(0);
	}
	wait_children(procs);

	SYS(stat(path, &st));
	CHECK(st.st_size == (off_t)procs * records * RECORD);
	seen = calloc(procs, sizeof(*seen));
	CHECK(seen);
	fd = SYS(open(path, O_RDONLY));
	while ((n = SYS(read(fd, buf, RECORD))) > 0) {
		CHECK(n == RECORD && buf[RECORD - 1] == '\n');
		CHECK(sscanf(buf, "%d %d", &p, &r) == 2);
		CHECK(p >= 0 && p < procs && r == seen[p]);
		seen[p]++;
	}
	for (p = 0; p < procs; p++)
		CHECK(seen[p] == records);
	SYS(close(fd));
	free(seen);
	return 0;
}

static int sparse(const char *path)
{
	const off_t big = 5LL << 30, end = big + 4096;
	char buf[4096], zero[4096] = "";
	off_t hole, data;
	int fd;

	fd = SYS(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK(SYS(pwrite(fd, "head", 4, 0)) == 4);
	CHECK(SYS(pwrite(fd, "tail", 4, big)) == 4);
	SYS(ftruncate(fd, end));
	CHECK(SYS(lseek(fd, 0, SEEK_END)) == end);
	CHECK(SYS(lseek(fd, 0, SEEK_DATA)) == 0);
	hole = SYS(lseek(fd, 0, SEEK_HOLE));
	data = SYS(lseek(fd, 1 << 20, SEEK_DATA));
	/* Printed so the caller can compare pcc's answers with the lower's. */
	printf("first hole %lld, data after 1 MiB at %lld\n",
	       (long long)hole, (long long)data);
	if (hole < end) {
		CHECK(hole > 0 && hole < big);
		CHECK(data <= big && data > (1 << 20));
	} else {
		/* No hole reporting (NFSv3): all data, one hole at the end. */
		CHECK(hole == end && data == (1 << 20));
	}
	CHECK(lseek(fd, end, SEEK_DATA) == -1 && errno == ENXIO);
	/* The position follows the seeks. */
	CHECK(SYS(lseek(fd, 0, SEEK_CUR)) == data);
	CHECK(SYS(pread(fd, buf, 4, big)) == 4 && !memcmp(buf, "tail", 4));
	CHECK(SYS(pread(fd, buf, sizeof(buf), 1 << 30)) == sizeof(buf));
	CHECK(!memcmp(buf, zero, sizeof(buf)));
	SYS(lseek(fd, 0, SEEK_SET));
	CHECK(SYS(read(fd, buf, 4)) == 4 && !memcmp(buf, "head", 4));
	SYS(close(fd));
	return 0;
}

static int direct(const char *path)
{
	void *buf, *back;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
	if (fd < 0 && errno == EINVAL)
		return 3;
	CHECK(fd >= 0);
	CHECK(!posix_memalign(&buf, 4096, 8192));
	CHECK(!posix_memalign(&back, 4096, 8192));
	memset(buf, 'd', 8192);
	CHECK(SYS(pwrite(fd, buf, 8192, 0)) == 8192);
	memset(back, 0, 8192);
	CHECK(SYS(pread(fd, back, 8192, 0)) == 8192);
	CHECK(!memcmp(buf, back, 8192));
	SYS(close(fd));
	free(buf);
	free(back);
	return 0;
}

static void same(const char *a, const char *b)
{
	char x[4096], y[4096];
	int fa = SYS(open(a, O_RDONLY)), fb = SYS(open(b, O_RDONLY));
	ssize_t n;

	do {
		n = SYS(read(fa, x, sizeof(x)));
		CHECK(SYS(read(fb, y, sizeof(y))) == n);
		CHECK(!memcmp(x, y, n));
	} while (n > 0);
	SYS(close(fa));
	SYS(close(fb));
}

static int splice_copy(const char *src, const char *dst)
{
	char dst2[4096];
	int in, out, pfd[2];
	struct stat st;
	ssize_t n;
	loff_t off;

	in = SYS(open(src, O_RDONLY));
	SYS(fstat(in, &st));
	out = SYS(open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	for (off = 0; off < st.st_size; off += n)
		n = SYS(sendfile(out, in, NULL, st.st_size - off));
	SYS(close(out));
	same(src, dst);

	snprintf(dst2, sizeof(dst2), "%s.2", dst);
	out = SYS(open(dst2, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	SYS(pipe(pfd));
	off = 0;
	for (;;) {
		n = SYS(splice(in, &off, pfd[1], NULL, 65536, 0));
		if (!n)
			break;
		while (n > 0)
			n -= SYS(splice(pfd[0], NULL, out, NULL, n, 0));
	}
	CHECK(off == st.st_size);
	SYS(close(out));
	SYS(close(in));
	same(src, dst2);
	return 0;
}

/*
 * fallocate MODE, or report that the filesystem does not have it: each line
 * printed lets the caller compare pcc's answers with the lower's own.
 */
static bool try_fallocate(int fd, int mode, off_t off, off_t len,
			  const char *name)
{
	if (fallocate(fd, mode, off, len) == 0) {
		printf("fallocate %s: ok\n", name);
		return true;
	}
	if (errno != EOPNOTSUPP)
		die("fallocate %s", name);
	printf("fallocate %s: EOPNOTSUPP\n", name);
	return false;
}

static int falloc(const char *path)
{
	char buf[8192], zero[8192] = "";
	struct stat st;
	int fd;

	fd = SYS(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
	if (try_fallocate(fd, 0, 0, 1 << 20, "allocate")) {
		SYS(fstat(fd, &st));
		CHECK(st.st_size == 1 << 20 && st.st_blocks >= (1 << 20) / 512);
	} else {
		SYS(ftruncate(fd, 1 << 20));
	}
	if (try_fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 << 20, 1 << 20, "keep-size")) {
		SYS(fstat(fd, &st));
		CHECK(st.st_size == 1 << 20 && st.st_blocks >= (2 << 20) / 512);
	}
	memset(buf, 'f', sizeof(buf));
	CHECK(SYS(pwrite(fd, buf, sizeof(buf), 0)) == sizeof(buf));
	if (try_fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096,
			  "punch-hole")) {
		CHECK(SYS(pread(fd, buf, sizeof(buf), 0)) == sizeof(buf));
		CHECK(!memcmp(buf, zero, 4096) && buf[4096] == 'f');
	}
	SYS(close(fd));
	return 0;
}

/* In a child: whether a write lock on [0, 10) would be granted. */
static int child_can_lock(const char *path, int ofd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_start = 0, .l_len = 10 };
	int fd, status;
	pid_t pid;

	pid = SYS(fork());
	if (!pid) {
		fd = SYS(open(path, O_RDWR));
		if (fcntl(fd, ofd ? F_OFD_SETLK : F_SETLK, &fl) == 0)
			_exit(0);
		_exit(errno == EAGAIN || errno == EACCES ? 1 : 2);
	}
	SYS(waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) < 2);
	return WEXITSTATUS(status) == 0;
}

static int child_can_flock(const char *path)
{
	int fd, status;
	pid_t pid;

	pid = SYS(fork());
	if (!pid) {
		fd = SYS(open(path, O_RDWR));
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			_exit(0);
		_exit(errno == EWOULDBLOCK ? 1 : 2);
	}
	SYS(waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) < 2);
	return WEXITSTATUS(status) == 0;
}

static int locks(const char *path)
{
	struct flock fl = { .l_type = F_WRLCK, .l_start = 0, .l_len = 10 };
	struct flock probe;
	int fd, fd2;

	fd = SYS(open(path, O_RDWR | O_CREAT, 0644));
	CHECK(child_can_lock(path, 0));
	SYS(fcntl(fd, F_SETLK, &fl));
	CHECK(!child_can_lock(path, 0));
	CHECK(!child_can_lock(path, 1));
	/* F_GETLK from another process sees us. */
	if (!SYS(fork())) {
		fd2 = SYS(open(path, O_RDWR));
		probe = (struct flock){ .l_type = F_WRLCK, .l_len = 1 };
		SYS(fcntl(fd2, F_GETLK, &probe));
		CHECK(probe.l_type == F_WRLCK && probe.l_pid == getppid());
		_exit(0);
	}
	wait_children(1);
	/* Closing any descriptor of the file drops our POSIX locks. */
	fd2 = SYS(open(path, O_RDONLY));
	SYS(close(fd2));
	CHECK(child_can_lock(path, 0));

	/* OFD locks: owned by the open file, gone when it is closed. */
	fl.l_pid = 0;
	SYS(fcntl(fd, F_OFD_SETLK, &fl));
	CHECK(!child_can_lock(path, 0));
	SYS(close(fd));
	CHECK(child_can_lock(path, 0));

	/* flock: per open file too. */
	fd = SYS(open(path, O_RDWR));
	SYS(flock(fd, LOCK_EX));
	CHECK(!child_can_flock(path));
	SYS(flock(fd, LOCK_UN));
	CHECK(child_can_flock(path));
	SYS(flock(fd, LOCK_SH));
	CHECK(!child_can_flock(path));
	SYS(close(fd));
	CHECK(child_can_flock(path));
	return 0;
}

static int aio(const char *path)
{
	char wbuf[8192], rbuf[8192];
	struct iocb cb[2], *cbs[2] = { &cb[0], &cb[1] };
	struct io_event ev[2];
	aio_context_t ctx = 0;
	int fd, i, got = 0;

	fd = SYS(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
	SYS(syscall(SYS_io_setup, 8, &ctx));
	memset(wbuf, 'a', 4096);
	memset(wbuf + 4096, 'b', 4096);
	for (i = 0; i < 2; i++) {
		cb[i] = (struct iocb){
			.aio_fildes = fd,
			.aio_lio_opcode = IOCB_CMD_PWRITE,
			.aio_buf = (uintptr_t)(wbuf + 4096 * i),
			.aio_nbytes = 4096,
			.aio_offset = 4096 * i,
			.aio_data = i,
		};
	}
	CHECK(SYS(syscall(SYS_io_submit, ctx, 2, cbs)) == 2);
	while (got < 2)
		got += SYS(syscall(SYS_io_getevents, ctx, 1, 2 - got,
				   ev + got, NULL));
	for (i = 0; i < 2; i++)
		CHECK(ev[i].res == 4096);
	cb[0] = (struct iocb){
		.aio_fildes = fd,
		.aio_lio_opcode = IOCB_CMD_PREAD,
		.aio_buf = (uintptr_t)rbuf,
		.aio_nbytes = sizeof(rbuf),
	};
	CHECK(SYS(syscall(SYS_io_submit, ctx, 1, cbs)) == 1);
	CHECK(SYS(syscall(SYS_io_getevents, ctx, 1, 1, ev, NULL)) == 1);
	CHECK(ev[0].res == sizeof(rbuf) && !memcmp(rbuf, wbuf, sizeof(rbuf)));
	SYS(syscall(SYS_io_destroy, ctx));
	SYS(close(fd));
	return 0;
}

int main(int argc, char **argv)
{
	prog = "pcc-io";
	if (argc == 5 && !strcmp(argv[1], "append"))
		return append(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "sparse"))
		return sparse(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "direct"))
		return direct(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "splice"))
		return splice_copy(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "fallocate"))
		return falloc(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "locks"))
		return locks(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "aio"))
		return aio(argv[2]);
	fprintf(stderr, "usage: see the source\n");
	return 2;
}
