// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-fsx: a random mix of operations on one file, each checked against an
 * in-memory model of what the file must contain.
 *
 *   pcc-fsx [-N ops] [-S seed] [-l maxlen] [-o maxop] [-m] [-M] [-F] [-D]
 *           [-q] [-v] FILE
 *
 * Reads, writes, mmap reads and writes, truncates, fallocate (four modes),
 * close+reopen, fsync/fdatasync and (-D) O_DIRECT reads and writes are
 * drawn from a seeded generator of our own, so the same seed replays the
 * same operations on any libc.  The model keeps the invariant that every
 * byte past the file's size is zero, which is what a later extension of the
 * file must expose.
 *
 * -X N (test only, not in the usage text) spoils one byte of the model at
 * operation N and reads it back, proving that a difference is caught and
 * reported; tests/vm/progs/check-fsx.sh relies on it.
 *
 * Exit: 0 all checks passed, 1 the file disagreed with the model, 2 usage,
 * 3 a system call failed unexpectedly.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "progs-common.h"

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10
#endif

enum {
	EXIT_MISMATCH = 1,
	EXIT_USAGE = 2,
	EXIT_SYSCALL = 3,
};

/* O_DIRECT offsets, lengths and buffers: 4 KiB satisfies every common fs. */
#define DIO_ALIGN 4096u
/* How many operations a failure report shows. */
#define LOG_KEEP 20
#define LOG_LINE 128

enum op_kind {
	OP_READ, OP_WRITE, OP_MAPREAD, OP_MAPWRITE, OP_TRUNCATE, OP_FALLOC,
	OP_REOPEN, OP_SYNC, OP_DREAD, OP_DWRITE, OP_COUNT
};

/* Weights favour data operations; reopens are rarer as they cost most. */
static const struct {
	const char *plural;
	unsigned int weight;
} op_info[OP_COUNT] = {
	[OP_READ] = { "reads", 20 },
	[OP_WRITE] = { "writes", 20 },
	[OP_MAPREAD] = { "mapreads", 10 },
	[OP_MAPWRITE] = { "mapwrites", 10 },
	[OP_TRUNCATE] = { "truncates", 6 },
	[OP_FALLOC] = { "fallocs", 8 },
	[OP_REOPEN] = { "reopens", 3 },
	[OP_SYNC] = { "syncs", 3 },
	[OP_DREAD] = { "direct reads", 6 },
	[OP_DWRITE] = { "direct writes", 6 },
};

enum fa_kind { FA_ALLOC, FA_KEEP_SIZE, FA_PUNCH, FA_ZERO, FA_COUNT };

static const struct {
	const char *name;
	int mode;
} fa_info[FA_COUNT] = {
	[FA_ALLOC] = { "falloc", 0 },
	[FA_KEEP_SIZE] = { "falloc-keep-size", FALLOC_FL_KEEP_SIZE },
	[FA_PUNCH] = { "punch-hole", FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE },
	[FA_ZERO] = { "zero-range", FALLOC_FL_ZERO_RANGE },
};

struct fsx {
	const char *path;
	int fd;
	int dfd;			/* O_DIRECT descriptor, -1 without -D */
	unsigned char *model;		/* maxlen bytes, zero past size */
	unsigned char *buf;		/* maxlen bytes of scratch */
	unsigned char *dbuf;		/* aligned scratch for O_DIRECT */
	uint64_t size;
	uint64_t maxlen;
	uint64_t maxop;
	uint64_t seed;
	uint64_t rng;
	unsigned long nops;
	unsigned long opno;
	unsigned long corrupt_at;	/* -X: 0 means never */
	long pagesize;
	bool quiet;
	bool verbose;
	bool want_direct;
	bool no_falloc;
	bool op_off[OP_COUNT];
	bool fa_off[FA_COUNT];
	unsigned long count[OP_COUNT];
	unsigned long fa_skipped[FA_COUNT];
	const char *direct_skip;	/* why -D could not be honoured */
	char log[LOG_KEEP][LOG_LINE];
	unsigned long logged;
};

/* --- random numbers ------------------------------------------------------ */

/* splitmix64: tiny, well mixed, and the same on every libc. */
static uint64_t rnd(struct fsx *st)
{
	uint64_t z = (st->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(struct fsx *st, uint64_t n)
{
	return n ? rnd(st) % n : 0;
}

static void rnd_fill(struct fsx *st, unsigned char *p, uint64_t len)
{
	uint64_t i, r = 0;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			r = rnd(st);
		p[i] = (unsigned char)r;
		r >>= 8;
	}
}

/* --- operation log and failure reports ----------------------------------- */

static void log_op(struct fsx *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_op(struct fsx *st, const char *fmt, ...)
{
	char *line = st->log[st->logged % LOG_KEEP];
	int n;
	va_list ap;

	n = snprintf(line, LOG_LINE, "op %lu: ", st->opno);
	va_start(ap, fmt);
	vsnprintf(line + n, LOG_LINE - (size_t)n, fmt, ap);
	va_end(ap);
	st->logged++;
	if (st->verbose)
		printf("%s\n", line);
}

static void print_log(const struct fsx *st)
{
	unsigned long i = st->logged > LOG_KEEP ? st->logged - LOG_KEEP : 0;

	if (!st->logged)
		return;
	fprintf(stderr, "pcc-fsx: the last %lu operations:\n", st->logged - i);
	for (; i < st->logged; i++)
		fprintf(stderr, "  %s\n", st->log[i % LOG_KEEP]);
}

static void print_repro(const struct fsx *st)
{
	fprintf(stderr, "pcc-fsx: seed %" PRIu64 "; reproduce with: pcc-fsx -S %"
		PRIu64 " -N %lu -l %" PRIu64 " -o %" PRIu64 "%s%s%s%s %s\n",
		st->seed, st->seed, st->opno, st->maxlen, st->maxop,
		st->op_off[OP_MAPREAD] ? " -m" : "",
		st->op_off[OP_MAPWRITE] ? " -M" : "",
		st->no_falloc ? " -F" : "",
		st->want_direct ? " -D" : "", st->path);
}

static void die_sys(struct fsx *st, const char *call, const char *what)
	__attribute__((noreturn));

/* An unexpected error: name the call, the file and the operation. */
static void die_sys(struct fsx *st, const char *call, const char *what)
{
	int err = errno;

	fprintf(stderr, "pcc-fsx: op %lu (%s): %s %s: %s\n",
		st->opno, what, call, st->path, strerror(err));
	print_log(st);
	print_repro(st);
	exit(EXIT_SYSCALL);
}

static void print_bytes(const char *label, const unsigned char *p, size_t n)
{
	size_t i;

	fprintf(stderr, "  %-9s", label);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %02x", p[i]);
	fputc('\n', stderr);
}

static void mismatch_end(struct fsx *st) __attribute__((noreturn));

static void mismatch_end(struct fsx *st)
{
	print_log(st);
	print_repro(st);
	exit(EXIT_MISMATCH);
}

/*
 * Compare LEN bytes the file gave (GOT, read from file offset OFF) with the
 * model; on the first difference report it and exit.
 */
static void check_bytes(struct fsx *st, const char *what, uint64_t off,
			const unsigned char *got, uint64_t len)
{
	const unsigned char *want = st->model + off;
	uint64_t i, n;

	if (memcmp(want, got, len) == 0)
		return;
	for (i = 0; want[i] == got[i]; i++)
		;
	n = len - i < 16 ? len - i : 16;
	fprintf(stderr, "pcc-fsx: MISMATCH at op %lu (%s of %s, offset 0x%"
		PRIx64 " len 0x%" PRIx64 "): first difference at file offset 0x%"
		PRIx64 ", file size 0x%" PRIx64 "\n", st->opno, what, st->path,
		off, len, off + i, st->size);
	print_bytes("expected:", want + i, n);
	print_bytes("got:", got + i, n);
	mismatch_end(st);
}

static void check_count(struct fsx *st, const char *what, uint64_t off,
			uint64_t want, uint64_t got)
{
	if (want == got)
		return;
	fprintf(stderr, "pcc-fsx: MISMATCH at op %lu (%s of %s at 0x%" PRIx64
		"): expected 0x%" PRIx64 " bytes, got 0x%" PRIx64
		" (model size 0x%" PRIx64 ")\n", st->opno, what, st->path, off,
		want, got, st->size);
	mismatch_end(st);
}

/* The size the file reports must be the model's after every operation. */
static void check_size(struct fsx *st, const char *what)
{
	struct stat sb;

	if (fstat(st->fd, &sb) < 0)
		die_sys(st, "fstat", what);
	if ((uint64_t)sb.st_size == st->size)
		return;
	fprintf(stderr, "pcc-fsx: MISMATCH at op %lu (after %s of %s): size "
		"0x%" PRIx64 ", expected 0x%" PRIx64 "\n", st->opno, what,
		st->path, (uint64_t)sb.st_size, st->size);
	mismatch_end(st);
}

/* --- I/O helpers --------------------------------------------------------- */

/* pread until LEN bytes or end of file; returns the bytes read. */
static uint64_t read_full(struct fsx *st, int fd, unsigned char *p,
			  uint64_t len, uint64_t off, const char *what)
{
	uint64_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, p + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_sys(st, "pread", what);
		if (n == 0)
			break;
		done += (uint64_t)n;
	}
	return done;
}

static void write_full(struct fsx *st, int fd, const unsigned char *p,
		       uint64_t len, uint64_t off, const char *what)
{
	uint64_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pwrite(fd, p + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die_sys(st, "pwrite", what);
		done += (uint64_t)n;
	}
}

/* Record new data in the model: the file grows if it ends past the size. */
static void model_write(struct fsx *st, uint64_t off, const unsigned char *p,
			uint64_t len)
{
	memcpy(st->model + off, p, len);
	if (off + len > st->size)
		st->size = off + len;
}

/* Shrinking zeroes the cut part so that a later extension reads zeros. */
static void model_resize(struct fsx *st, uint64_t size)
{
	if (size < st->size)
		memset(st->model + size, 0, st->size - size);
	st->size = size;
}

static void open_file(struct fsx *st, int flags)
{
	st->fd = open(st->path, O_RDWR | O_CREAT | flags, 0644);
	if (st->fd < 0)
		die_sys(st, "open", "open");
	if (!st->want_direct || st->op_off[OP_DREAD])
		return;
	st->dfd = open(st->path, O_RDWR | O_DIRECT);
	if (st->dfd >= 0)
		return;
	/* EINVAL at open is how a filesystem says it has no O_DIRECT. */
	if (errno != EINVAL || st->opno > 0)
		die_sys(st, "open(O_DIRECT)", "open");
	st->direct_skip = "O_DIRECT open: EINVAL";
	st->op_off[OP_DREAD] = st->op_off[OP_DWRITE] = true;
}

static void close_file(struct fsx *st, const char *what)
{
	if (close(st->fd) < 0)
		die_sys(st, "close", what);
	st->fd = -1;
	if (st->dfd >= 0 && close(st->dfd) < 0)
		die_sys(st, "close(O_DIRECT)", what);
	st->dfd = -1;
}

/* A random range of at most maxop bytes that stays below LIMIT. */
static void pick_range(struct fsx *st, uint64_t limit, uint64_t *off,
		       uint64_t *len)
{
	*off = rnd_below(st, limit);
	*len = 1 + rnd_below(st, st->maxop);
	if (*off + *len > limit)
		*len = limit - *off;
}

/* --- the operations ------------------------------------------------------ */

/* Read [OFF, OFF+LEN) through FD into BUF: as much as the model has. */
static void read_check(struct fsx *st, int fd, unsigned char *buf,
		       uint64_t off, uint64_t len, const char *what)
{
	uint64_t want = off < st->size ? st->size - off : 0;
	uint64_t got;

	if (want > len)
		want = len;
	log_op(st, "%-9s 0x%06" PRIx64 " len 0x%05" PRIx64, what, off, len);
	got = read_full(st, fd, buf, len, off, what);
	check_count(st, what, off, want, got);
	check_bytes(st, what, off, buf, got);
}

/* Write LEN random bytes at OFF through FD from BUF, and to the model. */
static void write_random(struct fsx *st, int fd, unsigned char *buf,
			 uint64_t off, uint64_t len, const char *what)
{
	log_op(st, "%-9s 0x%06" PRIx64 " len 0x%05" PRIx64 " (size 0x%" PRIx64
	       ")", what, off, len, st->size);
	rnd_fill(st, buf, len);
	write_full(st, fd, buf, len, off, what);
	model_write(st, off, buf, len);
}

/* Reads start anywhere up to the end of file, so some are short. */
static void op_read(struct fsx *st)
{
	uint64_t off = rnd_below(st, st->size + 1);
	uint64_t len = 1 + rnd_below(st, st->maxop);

	if (off >= st->maxlen)
		off = st->maxlen - 1;
	if (off + len > st->maxlen)
		len = st->maxlen - off;
	read_check(st, st->fd, st->buf, off, len, "read");
}

static void op_write(struct fsx *st)
{
	uint64_t off, len;

	pick_range(st, st->maxlen, &off, &len);
	write_random(st, st->fd, st->buf, off, len, "write");
}

/* Map [OFF, OFF+LEN) from its page boundary; returns the address of OFF. */
static unsigned char *map_range(struct fsx *st, uint64_t off, uint64_t len,
				int prot, void **base, size_t *maplen,
				const char *what)
{
	uint64_t pg = off & ~(uint64_t)(st->pagesize - 1);
	void *p;

	*maplen = (size_t)(off + len - pg);
	p = mmap(NULL, *maplen, prot, MAP_SHARED, st->fd, (off_t)pg);
	if (p == MAP_FAILED)
		die_sys(st, "mmap", what);
	*base = p;
	return (unsigned char *)p + (off - pg);
}

static void unmap_range(struct fsx *st, void *base, size_t maplen,
			const char *what)
{
	if (munmap(base, maplen) < 0)
		die_sys(st, "munmap", what);
}

/* Only inside the file: past its last page a mapping would SIGBUS. */
static void op_mapread(struct fsx *st)
{
	uint64_t off, len;
	size_t maplen;
	void *base;
	unsigned char *p;

	pick_range(st, st->size, &off, &len);
	log_op(st, "mapread   0x%06" PRIx64 " len 0x%05" PRIx64, off, len);
	p = map_range(st, off, len, PROT_READ, &base, &maplen, "mapread");
	check_bytes(st, "mapread", off, p, len);
	unmap_range(st, base, maplen, "mapread");
}

/*
 * Store through a shared mapping, extending the file first if needed, then
 * msync with MS_SYNC or MS_ASYNC, or just unmap: all three must reach the
 * file as later reads see it.
 */
static void op_mapwrite(struct fsx *st)
{
	static const char *const how[] = { "msync(MS_SYNC)", "msync(MS_ASYNC)",
					   "munmap only" };
	uint64_t off, len, old = st->size;
	unsigned int sync = (unsigned int)rnd_below(st, 3);
	size_t maplen;
	void *base;
	unsigned char *p;

	pick_range(st, st->maxlen, &off, &len);
	log_op(st, "mapwrite  0x%06" PRIx64 " len 0x%05" PRIx64
	       " (size 0x%" PRIx64 ") %s", off, len, old, how[sync]);
	if (off + len > st->size) {
		if (ftruncate(st->fd, (off_t)(off + len)) < 0)
			die_sys(st, "ftruncate", "mapwrite");
		st->size = off + len;
	}
	p = map_range(st, off, len, PROT_READ | PROT_WRITE, &base, &maplen,
		      "mapwrite");
	rnd_fill(st, st->buf, len);
	memcpy(p, st->buf, len);
	model_write(st, off, st->buf, len);
	if (sync < 2 && msync(base, maplen, sync ? MS_ASYNC : MS_SYNC) < 0)
		die_sys(st, "msync", "mapwrite");
	unmap_range(st, base, maplen, "mapwrite");
}

static void op_truncate(struct fsx *st)
{
	uint64_t size = rnd_below(st, st->maxlen + 1);

	log_op(st, "truncate  0x%06" PRIx64 " (from 0x%" PRIx64 ")", size,
	       st->size);
	if (ftruncate(st->fd, (off_t)size) < 0)
		die_sys(st, "ftruncate", "truncate");
	model_resize(st, size);
}

static enum fa_kind pick_falloc(struct fsx *st)
{
	unsigned int i, n = 0;
	enum fa_kind on[FA_COUNT];

	for (i = 0; i < FA_COUNT; i++)
		if (!st->fa_off[i])
			on[n++] = (enum fa_kind)i;
	return on[rnd_below(st, n)];
}

/* What each mode must do to the contents and size. */
static void model_falloc(struct fsx *st, enum fa_kind kind, uint64_t off,
			 uint64_t len)
{
	uint64_t end = off + len;

	switch (kind) {
	case FA_ALLOC:
		if (end > st->size)
			st->size = end;
		break;
	case FA_KEEP_SIZE:
		break;
	case FA_PUNCH:
		if (off < st->size)
			memset(st->model + off, 0,
			       (end < st->size ? end : st->size) - off);
		break;
	case FA_ZERO:
		memset(st->model + off, 0, len);
		if (end > st->size)
			st->size = end;
		break;
	case FA_COUNT:
		break;
	}
}

static void note(const struct fsx *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(const struct fsx *st, const char *fmt, ...)
{
	va_list ap;

	if (st->quiet)
		return;
	fputs("pcc-fsx: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

/* A mode the filesystem lacks (EOPNOTSUPP) is dropped and reported. */
static void op_falloc(struct fsx *st)
{
	enum fa_kind kind = pick_falloc(st);
	uint64_t off, len;
	unsigned int i;

	pick_range(st, st->maxlen, &off, &len);
	log_op(st, "%-9s 0x%06" PRIx64 " len 0x%05" PRIx64 " (size 0x%"
	       PRIx64 ")", fa_info[kind].name, off, len, st->size);
	if (fallocate(st->fd, fa_info[kind].mode, (off_t)off, (off_t)len) == 0) {
		model_falloc(st, kind, off, len);
		return;
	}
	if (errno != EOPNOTSUPP)
		die_sys(st, "fallocate", fa_info[kind].name);
	note(st, "%s: fallocate mode 0x%x not supported (EOPNOTSUPP), "
	     "skipping it", fa_info[kind].name, fa_info[kind].mode);
	st->fa_off[kind] = true;
	st->fa_skipped[kind]++;
	st->count[OP_FALLOC]--;		/* run_op counted it as done */
	for (i = 0; i < FA_COUNT && st->fa_off[i]; i++)
		;
	if (i == FA_COUNT)
		st->op_off[OP_FALLOC] = true;
}

/* Close and reopen: what close-to-open and cache revalidation must keep. */
static void op_reopen(struct fsx *st)
{
	log_op(st, "reopen");
	close_file(st, "reopen");
	open_file(st, 0);
}

static void op_sync(struct fsx *st)
{
	bool data = rnd_below(st, 2);

	log_op(st, "%s", data ? "fdatasync" : "fsync");
	if ((data ? fdatasync(st->fd) : fsync(st->fd)) < 0)
		die_sys(st, data ? "fdatasync" : "fsync", "sync");
}

/* An aligned range below LIMIT (itself a multiple of DIO_ALIGN). */
static void pick_direct(struct fsx *st, uint64_t limit, uint64_t *off,
			uint64_t *len)
{
	uint64_t blocks = limit / DIO_ALIGN, maxblocks = st->maxop / DIO_ALIGN;

	*off = rnd_below(st, blocks) * DIO_ALIGN;
	*len = (1 + rnd_below(st, maxblocks ? maxblocks : 1)) * DIO_ALIGN;
	if (*off + *len > limit)
		*len = limit - *off;
}

static void op_dread(struct fsx *st)
{
	uint64_t off, len;

	/* Up to the block holding the end of file, so some reads are short. */
	pick_direct(st, (st->size / DIO_ALIGN + 1) * DIO_ALIGN, &off, &len);
	read_check(st, st->dfd, st->dbuf, off, len, "dread");
}

static void op_dwrite(struct fsx *st)
{
	uint64_t off, len;

	pick_direct(st, st->maxlen / DIO_ALIGN * DIO_ALIGN, &off, &len);
	write_random(st, st->dfd, st->dbuf, off, len, "dwrite");
}

/* -X: spoil one byte of the model and read it back, to prove we notice. */
static bool corrupt_model(struct fsx *st)
{
	uint64_t at;

	if (st->size == 0)
		return false;
	at = rnd_below(st, st->size);
	st->model[at] ^= 0x5a;
	log_op(st, "corrupt   0x%06" PRIx64 " in the model (test option -X)",
	       at);
	at &= ~(uint64_t)15;
	read_check(st, st->fd, st->buf, at,
		   st->maxlen - at < 64 ? st->maxlen - at : 64, "read");
	return true;
}

static enum op_kind pick_op(struct fsx *st)
{
	unsigned int total = 0, i;
	uint64_t r;

	for (i = 0; i < OP_COUNT; i++)
		if (!st->op_off[i] && !(i == OP_MAPREAD && st->size == 0))
			total += op_info[i].weight;
	r = rnd_below(st, total);
	for (i = 0; i < OP_COUNT; i++) {
		if (st->op_off[i] || (i == OP_MAPREAD && st->size == 0))
			continue;
		if (r < op_info[i].weight)
			break;
		r -= op_info[i].weight;
	}
	return (enum op_kind)i;
}

static void run_op(struct fsx *st)
{
	static void (*const fn[OP_COUNT])(struct fsx *) = {
		[OP_READ] = op_read, [OP_WRITE] = op_write,
		[OP_MAPREAD] = op_mapread, [OP_MAPWRITE] = op_mapwrite,
		[OP_TRUNCATE] = op_truncate, [OP_FALLOC] = op_falloc,
		[OP_REOPEN] = op_reopen, [OP_SYNC] = op_sync,
		[OP_DREAD] = op_dread, [OP_DWRITE] = op_dwrite,
	};
	enum op_kind kind;

	if (st->corrupt_at && st->opno >= st->corrupt_at && corrupt_model(st)) {
		st->corrupt_at = 0;
		return;
	}
	kind = pick_op(st);
	st->count[kind]++;
	fn[kind](st);
	check_size(st, "operation");
}

/* Reopen read-only and compare the whole file with the model. */
static void final_check(struct fsx *st)
{
	uint64_t got;

	log_op(st, "final     reopen and verify 0x%" PRIx64 " bytes", st->size);
	close_file(st, "final check");
	st->fd = open(st->path, O_RDONLY);
	if (st->fd < 0)
		die_sys(st, "open", "final check");
	check_size(st, "final reopen");
	got = read_full(st, st->fd, st->buf, st->maxlen, 0, "final check");
	check_count(st, "final read", 0, st->size, got);
	check_bytes(st, "final read", 0, st->buf, got);
	if (close(st->fd) < 0)
		die_sys(st, "close", "final check");
}

static void print_summary(const struct fsx *st)
{
	const char *sep = "";
	unsigned int i;

	printf("pcc-fsx: %lu ops OK (", st->nops);
	for (i = 0; i < OP_COUNT; i++)
		printf("%s%s %lu", i ? ", " : "", op_info[i].plural, st->count[i]);
	printf("; skipped: ");
	for (i = 0; i < FA_COUNT; i++) {
		if (!st->fa_skipped[i])
			continue;
		printf("%s%s (EOPNOTSUPP) x%lu", sep, fa_info[i].name,
		       st->fa_skipped[i]);
		sep = ", ";
	}
	if (st->direct_skip) {
		printf("%sdirect I/O (%s)", sep, st->direct_skip);
		sep = ", ";
	}
	printf("%s)\n", *sep ? "" : "none");
}

/* --- setup --------------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("usage: pcc-fsx [-N ops] [-S seed] [-l maxlen] [-o maxop] [-m] [-M]"
	      " [-F] [-D] [-q] [-v] FILE\n"
	      "  -N ops     operations to run (default 10000)\n"
	      "  -S seed    random seed (default: from the clock; always printed)\n"
	      "  -l maxlen  largest file size (default 256k; k, m, g suffixes)\n"
	      "  -o maxop   largest operation (default 64k)\n"
	      "  -m         no mmap reads\n"
	      "  -M         no mmap writes\n"
	      "  -F         no fallocate\n"
	      "  -D         also O_DIRECT reads and writes (4 KiB aligned)\n"
	      "  -q         quiet: only the summary line and failures\n"
	      "  -v         log every operation\n"
	      "exit: 0 OK, 1 mismatch, 2 usage, 3 system call error\n", f);
}

static void usage_error(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pcc-fsx: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	exit(EXIT_USAGE);
}

static uint64_t size_arg(int opt, const char *arg)
{
	uint64_t v;

	if (parse_size(arg, &v) < 0 || v == 0 || v > (1ULL << 30))
		usage_error("-%c: not a size from 1 to 1g: %s", opt, arg);
	return v;
}

static void parse_args(struct fsx *st, int argc, char **argv)
{
	unsigned long v;
	uint64_t seed;
	int c;

	while ((c = getopt(argc, argv, "N:S:l:o:mMFDqvX:h")) != -1) {
		switch (c) {
		case 'N':
			if (parse_count(optarg, &st->nops) < 0)
				usage_error("-N: not a count: %s", optarg);
			break;
		case 'S':
			if (parse_size(optarg, &seed) < 0)
				usage_error("-S: not a seed: %s", optarg);
			st->seed = seed;
			break;
		case 'l': st->maxlen = size_arg(c, optarg); break;
		case 'o': st->maxop = size_arg(c, optarg); break;
		case 'm': st->op_off[OP_MAPREAD] = true; break;
		case 'M': st->op_off[OP_MAPWRITE] = true; break;
		case 'F': st->op_off[OP_FALLOC] = st->no_falloc = true; break;
		case 'D': st->want_direct = true; break;
		case 'q': st->quiet = true; break;
		case 'v': st->verbose = true; break;
		case 'X':
			if (parse_count(optarg, &v) < 0 || v == 0)
				usage_error("-X: not an operation number: %s",
					    optarg);
			st->corrupt_at = v;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
	if (optind != argc - 1)
		usage_error("%s", optind < argc ? "one FILE only" : "no FILE");
	st->path = argv[optind];
}

static void *xalloc(size_t align, size_t len)
{
	void *p;

	if (posix_memalign(&p, align, len)) {
		fprintf(stderr, "pcc-fsx: cannot allocate %zu bytes\n", len);
		exit(EXIT_SYSCALL);
	}
	memset(p, 0, len);
	return p;
}

static void setup(struct fsx *st)
{
	if (st->maxop > st->maxlen)
		st->maxop = st->maxlen;
	if (!st->want_direct || st->maxlen < DIO_ALIGN) {
		if (st->want_direct)
			st->direct_skip = "-l is below 4 KiB";
		st->op_off[OP_DREAD] = st->op_off[OP_DWRITE] = true;
	}
	st->pagesize = sysconf(_SC_PAGESIZE);
	st->model = xalloc(64, st->maxlen);
	st->buf = xalloc(64, st->maxlen);
	st->dbuf = xalloc(DIO_ALIGN, st->maxop + DIO_ALIGN);
	st->rng = st->seed;
	open_file(st, O_TRUNC);
	if (st->direct_skip)
		note(st, "direct I/O skipped: %s", st->direct_skip);
}

int main(int argc, char **argv)
{
	struct fsx st = {
		.fd = -1, .dfd = -1, .nops = 10000,
		.maxlen = 256 * 1024, .maxop = 64 * 1024,
	};
	struct timespec ts;

	/* Reports go to stderr: keep stdout's lines in order with them. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	st.seed = ((uint64_t)ts.tv_sec * 1000003u) ^ (uint64_t)ts.tv_nsec ^
		  ((uint64_t)getpid() << 16);
	parse_args(&st, argc, argv);
	note(&st, "seed %" PRIu64 ", %lu ops on %s, maxlen %" PRIu64
	     ", maxop %" PRIu64, st.seed, st.nops, st.path, st.maxlen, st.maxop);
	setup(&st);
	for (st.opno = 1; st.opno <= st.nops; st.opno++)
		run_op(&st);
	st.opno = st.nops;
	final_check(&st);
	print_summary(&st);
	free(st.model);
	free(st.buf);
	free(st.dbuf);
	return 0;
}
