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
 *   pcc-io aio FILE direct|buffered	io_submit and io_uring writes and reads,
 *					many in flight, each at its own offset;
 *					prints results to compare with the
 *					lower's ("open: EINVAL" where O_DIRECT
 *					is refused)
 *   pcc-io aio-queued FILE FROZEN	O_DIRECT io_submit on NFS whose server's
 *					filesystem (FROZEN) is frozen: must
 *					return before the thaw
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
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

/*
 * Linux AIO and io_uring through raw system calls (no libaio or liburing:
 * the test programs are cross-built against libc alone).
 */
static long io_setup(unsigned int nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx);
}

static long io_submit(aio_context_t ctx, long nr, struct iocb **cbs)
{
	return syscall(SYS_io_submit, ctx, nr, cbs);
}

static long io_getevents(aio_context_t ctx, long min, long nr,
			 struct io_event *ev, struct timespec *timeout)
{
	return syscall(SYS_io_getevents, ctx, min, nr, ev, timeout);
}

#define AIO_BLOCK	65536
#define AIO_BLOCKS	16

/* The byte at offset OFF of every file the aio checks write. */
static unsigned char aio_byte(off_t off)
{
	return (off / 4096 * 7 + off % 251) & 0xff;
}

static void aio_fill(unsigned char *buf, off_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = aio_byte(off + i);
}

static bool aio_good(const unsigned char *buf, off_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != aio_byte(off + i))
			return false;
	return true;
}

static void *aio_buffer(size_t len)
{
	void *buf;

	CHECK(!posix_memalign(&buf, 4096, len));
	return buf;
}

/*
 * Submit N requests at once and wait for them all: every event must
 * answer its own iocb with the result RES.
 */
static void aio_run(aio_context_t ctx, struct iocb *cb, int n, long long res)
{
	struct iocb *cbs[AIO_BLOCKS + 1];
	struct io_event ev[AIO_BLOCKS + 1];
	int i, got = 0;

	CHECK(n <= AIO_BLOCKS + 1);
	for (i = 0; i < n; i++) {
		cb[i].aio_data = i;
		cbs[i] = &cb[i];
	}
	CHECK(SYS(io_submit(ctx, n, cbs)) == n);
	while (got < n)
		got += SYS(io_getevents(ctx, 1, n - got, ev + got, NULL));
	for (i = 0; i < n; i++) {
		CHECK(ev[i].data < (unsigned int)n);
		CHECK(ev[i].obj == (uintptr_t)&cb[ev[i].data]);
		if (ev[i].res != res)
			die("aio request %llu: result %lld, expected %lld",
			    (unsigned long long)ev[i].data,
			    (long long)ev[i].res, res);
	}
}

/* One request, for its result. */
static long long aio_one(aio_context_t ctx, struct iocb *cb)
{
	struct iocb *cbs[1] = { cb };
	struct io_event ev;

	CHECK(SYS(io_submit(ctx, 1, cbs)) == 1);
	CHECK(SYS(io_getevents(ctx, 1, 1, &ev, NULL)) == 1);
	CHECK(ev.obj == (uintptr_t)cb);
	return ev.res;
}

static struct iocb aio_cb(int fd, int op, void *buf, size_t len, off_t off)
{
	return (struct iocb){
		.aio_fildes = fd,
		.aio_lio_opcode = op,
		.aio_buf = (uintptr_t)buf,
		.aio_nbytes = len,
		.aio_offset = off,
	};
}

/*
 * io_uring, as a second source of asynchronous kiocbs (on 6.1 it first
 * tries them with IOCB_NOWAIT): write blocks 0-3 again and read blocks 8-15
 * in one submission.  Prints "unavailable" where the kernel has no
 * io_uring, the same answer for every file.
 */
static void uring(int fd, unsigned char **bufs)
{
	struct io_uring_params p = { 0 };
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned int *sq_tail, *sq_array, *cq_head, *cq_tail, mask, head;
	size_t sq_len, cq_len;
	char *sq, *cq;
	int ring, i, n = 12, seen = 0;

	ring = syscall(SYS_io_uring_setup, 16, &p);
	if (ring < 0 && (errno == ENOSYS || errno == EPERM)) {
		printf("io_uring: unavailable\n");
		return;
	}
	CHECK(ring >= 0);
	CHECK(p.features & IORING_FEAT_SINGLE_MMAP);
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (cq_len > sq_len)
		sq_len = cq_len;
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED, ring,
		  IORING_OFF_SQ_RING);
	CHECK(sq != MAP_FAILED);
	cq = sq;
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED, ring, IORING_OFF_SQES);
	CHECK(sqes != MAP_FAILED);
	sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	sq_array = (unsigned int *)(sq + p.sq_off.array);
	cq_head = (unsigned int *)(cq + p.cq_off.head);
	cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);

	for (i = 0; i < n; i++) {
		int block = i < 4 ? i : i + 4;

		if (i < 4)
			aio_fill(bufs[block], (off_t)block * AIO_BLOCK, AIO_BLOCK);
		else
			memset(bufs[block], 0, AIO_BLOCK);
		sqes[i] = (struct io_uring_sqe){
			.opcode = i < 4 ? IORING_OP_WRITE : IORING_OP_READ,
			.fd = fd,
			.addr = (uintptr_t)bufs[block],
			.len = AIO_BLOCK,
			.off = (off_t)block * AIO_BLOCK,
			.user_data = block,
		};
		sq_array[i] = i;
	}
	__atomic_store_n(sq_tail, *sq_tail + n, __ATOMIC_RELEASE);
	CHECK(SYS(syscall(SYS_io_uring_enter, ring, n, n,
			  IORING_ENTER_GETEVENTS, NULL, 0)) == n);
	mask = p.cq_entries - 1;
	head = *cq_head;
	while (seen < n) {
		struct io_uring_cqe *cqe;

		CHECK(head != __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE));
		cqe = &cqes[head & mask];
		if (cqe->res != AIO_BLOCK)
			die("io_uring block %llu: result %d",
			    (unsigned long long)cqe->user_data, cqe->res);
		if (cqe->user_data >= 8)
			CHECK(aio_good(bufs[cqe->user_data],
				       (off_t)cqe->user_data * AIO_BLOCK,
				       AIO_BLOCK));
		head++;
		seen++;
	}
	__atomic_store_n(cq_head, head, __ATOMIC_RELEASE);
	munmap(sqes, p.sq_entries * sizeof(*sqes));
	munmap(sq, sq_len);
	SYS(close(ring));
	printf("io_uring: %d requests ok\n", n);
}

/*
 * pcc-io aio FILE direct|buffered: several requests in flight at once, each
 * at an offset of its own, then the edge cases.  Each line printed is a
 * result the caller compares with the lower's own.
 */
static int aio(const char *path, const char *mode)
{
	const off_t size = (off_t)AIO_BLOCKS * AIO_BLOCK;
	unsigned char *bufs[AIO_BLOCKS + 1], *big;
	struct iocb cb[AIO_BLOCKS + 1];
	struct iovec iov[AIO_BLOCKS + 1][2];
	aio_context_t ctx = 0;
	struct stat st;
	void *none;
	int fd, flags = O_RDWR | O_CREAT | O_TRUNC, i, b;

	if (!strcmp(mode, "direct"))
		flags |= O_DIRECT;
	else if (strcmp(mode, "buffered"))
		die("aio: mode %s is neither direct nor buffered", mode);
	fd = open(path, flags, 0644);
	if (fd < 0 && errno == EINVAL) {
		printf("open: EINVAL\n");
		return 0;
	}
	CHECK(fd >= 0);
	SYS(io_setup(64, &ctx));
	for (i = 0; i <= AIO_BLOCKS; i++)
		bufs[i] = aio_buffer(AIO_BLOCK);

	/*
	 * Every block in flight at once, submitted out of order, half of
	 * them as two-part vectors.
	 */
	for (i = 0; i < AIO_BLOCKS; i++) {
		b = (i * 5 + 3) % AIO_BLOCKS;
		aio_fill(bufs[b], (off_t)b * AIO_BLOCK, AIO_BLOCK);
		if (i % 2) {
			cb[i] = aio_cb(fd, IOCB_CMD_PWRITE, bufs[b], AIO_BLOCK,
				       (off_t)b * AIO_BLOCK);
			continue;
		}
		iov[i][0] = (struct iovec){ bufs[b], AIO_BLOCK / 2 };
		iov[i][1] = (struct iovec){ bufs[b] + AIO_BLOCK / 2,
					    AIO_BLOCK / 2 };
		cb[i] = aio_cb(fd, IOCB_CMD_PWRITEV, iov[i], 2,
			       (off_t)b * AIO_BLOCK);
	}
	aio_run(ctx, cb, AIO_BLOCKS, AIO_BLOCK);
	SYS(fstat(fd, &st));
	CHECK(st.st_size == size);
	printf("write: %d x %d ok\n", AIO_BLOCKS, AIO_BLOCK);

	/* RWF_APPEND goes to the end, whatever the offset says. */
	aio_fill(bufs[AIO_BLOCKS], size, AIO_BLOCK);
	cb[0] = aio_cb(fd, IOCB_CMD_PWRITE, bufs[AIO_BLOCKS], AIO_BLOCK, 0);
	cb[0].aio_rw_flags = RWF_APPEND;
	printf("append: %lld\n", aio_one(ctx, &cb[0]));
	SYS(fstat(fd, &st));
	CHECK(st.st_size == size + AIO_BLOCK);

	/* Every block read back at once, into buffers of their own. */
	for (i = 0; i <= AIO_BLOCKS; i++) {
		b = (i * 7 + 1) % (AIO_BLOCKS + 1);
		memset(bufs[b], 0, AIO_BLOCK);
		if (i % 2) {
			cb[i] = aio_cb(fd, IOCB_CMD_PREAD, bufs[b], AIO_BLOCK,
				       (off_t)b * AIO_BLOCK);
			continue;
		}
		iov[i][0] = (struct iovec){ bufs[b], AIO_BLOCK / 2 };
		iov[i][1] = (struct iovec){ bufs[b] + AIO_BLOCK / 2,
					    AIO_BLOCK / 2 };
		cb[i] = aio_cb(fd, IOCB_CMD_PREADV, iov[i], 2,
			       (off_t)b * AIO_BLOCK);
	}
	aio_run(ctx, cb, AIO_BLOCKS + 1, AIO_BLOCK);
	for (b = 0; b <= AIO_BLOCKS; b++)
		if (!aio_good(bufs[b], (off_t)b * AIO_BLOCK, AIO_BLOCK))
			die("aio: block %d read back wrong", b);
	printf("read: %d x %d ok\n", AIO_BLOCKS + 1, AIO_BLOCK);

	/* The edges: across and beyond the end, misaligned, a bad buffer. */
	big = aio_buffer(2 * AIO_BLOCK);
	cb[0] = aio_cb(fd, IOCB_CMD_PREAD, big, 2 * AIO_BLOCK, size);
	printf("read across the end: %lld\n", aio_one(ctx, &cb[0]));
	CHECK(aio_good(big, size, AIO_BLOCK));
	cb[0] = aio_cb(fd, IOCB_CMD_PREAD, big, AIO_BLOCK, size + 4 * AIO_BLOCK);
	printf("read beyond the end: %lld\n", aio_one(ctx, &cb[0]));
	cb[0] = aio_cb(fd, IOCB_CMD_PREAD, big, 4096, 1);
	printf("misaligned read: %lld\n", aio_one(ctx, &cb[0]));
	none = mmap(NULL, AIO_BLOCK, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	CHECK(none != MAP_FAILED);
	cb[0] = aio_cb(fd, IOCB_CMD_PREAD, none, AIO_BLOCK, 0);
	printf("read into PROT_NONE: %lld\n", aio_one(ctx, &cb[0]));

	uring(fd, bufs);

	/* Requests carry their offsets: the file position never moved. */
	CHECK(SYS(lseek(fd, 0, SEEK_CUR)) == 0);
	SYS(syscall(SYS_io_destroy, ctx));
	SYS(close(fd));
	return 0;
}

/*
 * pcc-io aio-queued FILE FROZEN: O_DIRECT writes to FILE, on NFS exported
 * from the filesystem of the directory FROZEN, which is frozen meanwhile,
 * so the server cannot answer until a child thaws it.  io_submit must
 * return before the thaw: the requests were queued, not done in it.
 */
static int aio_queued(const char *path, const char *frozen)
{
	const int n = 4, thaw_after = 3;
	unsigned char *bufs[4];
	struct iocb cb[4], *cbs[4];
	struct io_event ev[4];
	struct pollfd pfd;
	aio_context_t ctx = 0;
	int fd, dir, pipefd[2], i, got = 0, status;
	pid_t pid;

	fd = SYS(open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644));
	SYS(io_setup(8, &ctx));
	for (i = 0; i < n; i++) {
		bufs[i] = aio_buffer(AIO_BLOCK);
		aio_fill(bufs[i], (off_t)i * AIO_BLOCK, AIO_BLOCK);
		cb[i] = aio_cb(fd, IOCB_CMD_PWRITE, bufs[i], AIO_BLOCK,
			       (off_t)i * AIO_BLOCK);
		cbs[i] = &cb[i];
	}
	dir = SYS(open(frozen, O_RDONLY | O_DIRECTORY));
	SYS(pipe(pipefd));
	SYS(ioctl(dir, FIFREEZE, 0));
	/* The child thaws, whatever becomes of us; it says so first. */
	pid = SYS(fork());
	if (!pid) {
		sleep(thaw_after);
		SYS(write(pipefd[1], "t", 1));
		SYS(ioctl(dir, FITHAW, 0));
		_exit(0);
	}
	SYS(close(pipefd[1]));
	CHECK(SYS(io_submit(ctx, n, cbs)) == n);
	pfd = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	if (SYS(poll(&pfd, 1, 0)))
		die("io_submit returned only once the lower could answer");
	SYS(waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	while (got < n)
		got += SYS(io_getevents(ctx, 1, n - got, ev + got, NULL));
	for (i = 0; i < n; i++)
		CHECK(ev[i].res == AIO_BLOCK);
	for (i = 0; i < n; i++) {
		memset(bufs[i], 0, AIO_BLOCK);
		CHECK(SYS(pread(fd, bufs[i], AIO_BLOCK, (off_t)i * AIO_BLOCK)) ==
		      AIO_BLOCK);
		CHECK(aio_good(bufs[i], (off_t)i * AIO_BLOCK, AIO_BLOCK));
	}
	printf("queued: %d writes completed after io_submit returned\n", n);
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
	if (argc == 4 && !strcmp(argv[1], "aio"))
		return aio(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "aio-queued"))
		return aio_queued(argv[2], argv[3]);
	fprintf(stderr, "usage: see the source\n");
	return 2;
}
