// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-stress - data checks and bounded-time stress loops for pcc caching.
 * Every byte of a test file is a known function of (seed, generation,
 * offset), so any read can be checked.
 *
 *   pcc-stress fill FILE SIZE GEN
 *	write generation GEN of SIZE bytes into FILE (created, truncated)
 *   pcc-stress write FILE OFF LEN GEN [--mmap]
 *	overwrite [OFF, OFF+LEN) with generation GEN's bytes, by pwrite or
 *	(--mmap) by stores into a shared writable mapping, then msync
 *   pcc-stress verify FILE SIZE GEN [OFF:LEN:GEN2]... [--mmap] [--passes N]
 *	FILE must be SIZE bytes of GEN, except the ranges given (GEN2 there);
 *	--mmap reads through one shared read-only mapping, made once and
 *	read N times (a file bigger than memory must be reclaimed and
 *	faulted again between passes)
 *   pcc-stress mapwrite FILE GEN [--expect-attached] [--copy-write-fails]
 *	map FILE (GEN) shared read-only and read it all; then pwrite
 *	generation GEN+1 over 100:50, 8192:4096 and the last 10 bytes
 *	through another descriptor: the existing mapping, read() and a new
 *	mapping must all show the new bytes at once.  --copy-write-fails:
 *	the copy cannot follow (fault injection), so the existing mapping is
 *	only read, not checked (ADR 0005: it shows what the copy holds)
 *   pcc-stress private FILE GEN [--expect-attached]
 *	a private writable mapping of FILE (GEN): stores are seen in it, not
 *	in the file (read(), another mapping).  --expect-attached (both):
 *	the file must be attached (PCC_IOC_STATE) when mapped, or the check
 *	proves nothing
 *   pcc-stress mkwrite FILE OFF GEN [--hold MS]
 *	open FILE O_RDWR, map it shared read-only, read it, mprotect it
 *	writable and store generation GEN over the page at OFF (a
 *	->page_mkwrite of a mapping made read-only), msync; read() must
 *	show it.  --hold MS: sleep MS between the read and the store
 *   pcc-stress hold FILE GEN
 *	map FILE (GEN) shared read-only, close the descriptor, check the
 *	mapping, print the state and "mapped", wait for EOF on stdin, check
 *	the mapping again and unmap
 *   pcc-stress balloon LEAVE_MB
 *	lock all available memory but LEAVE_MB (MemAvailable of
 *	/proc/meminfo) in this process, print "locked N MiB", and hold it
 *	until stdin reaches EOF: a guest with little memory left
 *   pcc-stress run [options] FILE
 *	for -t seconds, concurrently (processes, threads for -T):
 *	  -r N   readers: open, read(2) in random chunk sizes, check, close
 *	  -m N   mmap readers: open, map, check every byte, unmap, close
 *	  -T N   threads faulting one shared read-only mapping (a new one
 *		 every second; DONTNEED of random ranges between checks)
 *	  -o N   openers: open, fstat, close
 *	  -w     a writer: each pass writes a new generation (pwrite)
 *	  -W     ... truncating the file to 0 first
 *	  -x     ... every other pass through a shared writable mapping
 *		 (pwrite when mmap says EBUSY: the file is mapped from its
 *		 copy, ADR 0005)
 *	  -a     an attach/detach loop (PCC_IOC_ATTACH, then DETACH keep)
 *	  -A     read-write: -a, -c and -C attach PCC_TYPE_READWRITE and make
 *		 read-write copies (an attach while the file is open
 *		 elsewhere gets EBUSY, counted)
 *	  -U     ... whose detaches uncache one time in four
 *	  -c DIR a copy loop: make a copy in dataset root DIR and attach
 *		 (EBUSY from PCC_IOC_VERSION, a file being written or mapped
 *		 for writing, is counted and tried again later)
 *	  -C DIR make a copy in DIR and attach once before starting
 *	  -u DIR an unlink loop: unlink the copy in DIR by hand
 *	  -D     a drop_caches loop (every 300 ms)
 *	  -d ID  the dataset id (default 1); -s SIZE (default 1m) and
 *	  -g GEN (default 1): the file is filled with GEN first unless -n
 *	  -p MS  pause of the control loops (default 50)
 *	  -M NAME=MIN  a loop that never ran proves nothing: go on past -t
 *		 until the stat NAME (below) counts at least MIN, for at
 *		 most 4 times -t in all, and fail if it never does; repeat -M
 *		 for several (a slow machine runs the same test longer
 *		 instead of failing it)
 *	  -k     the file is another program's (pcc-fsx): only the control
 *		 loops (-a -c -u -D), no fill, no final check
 *	Readers check every byte against the generations a writer may have
 *	been writing meanwhile (a sequence count in shared memory), exactly
 *	when none was; mappings may also show zeros while a truncating writer
 *	ran (the last page of a file growing back).  At the end the file must hold the last generation.
 *	SIGTERM or SIGINT ends the loops early, as if the time were up.
 *	Ends with "stat NAME N" lines (counts of each loop, and attach
 *	errors by errno).
 *
 * Exit 0 OK, 1 data mismatch or an error no race explains (offset and
 * bytes printed), 2 usage.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache-copy.h"
#include "progs-common.h"

static const char *me = "pcc-stress";
static uint64_t seed = 0x5eed;

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	fprintf(stderr, "%s: ", me);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %d: %s)\n", err, strerror(err));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pcc-stress fill FILE SIZE GEN\n"
		"       pcc-stress write FILE OFF LEN GEN [--mmap]\n"
		"       pcc-stress verify FILE SIZE GEN [OFF:LEN:GEN2]... [--mmap] [--passes N]\n"
		"       pcc-stress mapwrite FILE GEN [--expect-attached] [--copy-write-fails]\n"
		"       pcc-stress private FILE GEN [--expect-attached]\n"
		"       pcc-stress mkwrite FILE OFF GEN [--hold MS]\n"
		"       pcc-stress hold FILE GEN\n"
		"       pcc-stress balloon LEAVE_MB\n"
		"       pcc-stress run [-t S] [-r N] [-m N] [-T N] [-o N] [-w] [-W] [-x]\n"
		"                  [-a] [-A] [-U] [-c DIR] [-C DIR] [-u DIR] [-D] [-d ID]\n"
		"                  [-s SIZE] [-g GEN] [-n] [-p MS] [-k] [-M NAME=MIN]... FILE\n");
	exit(2);
}

static uint64_t num(const char *s)
{
	uint64_t v;

	if (parse_size(s, &v))
		usage();
	return v;
}

/* The pattern: one 64-bit word per 8 bytes, a function of gen and index. */
static inline uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static inline uint8_t pat(uint64_t gen, uint64_t off)
{
	uint64_t w = mix(seed ^ (gen << 40) ^ (off >> 3));

	return w >> (8 * (off & 7));
}


static void pat_fill(uint8_t *buf, size_t len, uint64_t gen, uint64_t off)
{
	size_t i = 0;

	while (i < len) {
		uint64_t o = off + i;
		uint64_t w = mix(seed ^ (gen << 40) ^ (o >> 3));
		unsigned int b;

		for (b = o & 7; b < 8 && i < len; b++, i++)
			buf[i] = w >> (8 * b);
	}
}

/*
 * A zero byte is also right (check_window, below): set while a truncating
 * writer ran, for mappings, whose last page shows zeros past the end of a
 * file that is growing back.
 */
static int zeros_ok;

/*
 * Check LEN bytes of BUF, the file's bytes at OFF: each must be the byte of
 * a generation in [LO, HI].  Returns the index of the first bad byte, or -1.
 */
static ssize_t check_buf(const uint8_t *buf, size_t len, uint64_t off,
			 uint64_t lo, uint64_t hi)
{
	size_t i = 0;

	while (i < len) {
		uint64_t o = off + i, g;
		uint64_t w = mix(seed ^ (lo << 40) ^ (o >> 3));
		unsigned int b;

		for (b = o & 7; b < 8 && i < len; b++, i++) {
			if (buf[i] == (uint8_t)(w >> (8 * b)))
				continue;
			for (g = lo + 1; g <= hi; g++)
				if (buf[i] == pat(g, off + i))
					break;
			if (g > hi && !(zeros_ok && !buf[i]))
				return i;
		}
	}
	return -1;
}

/* Which generation (up to MAX) the 16 bytes at BUF (file offset OFF) are. */
static long which_gen(const uint8_t *buf, size_t len, uint64_t off,
		      uint64_t max)
{
	uint64_t g;

	for (g = 0; g <= max; g++)
		if (check_buf(buf, len, off, g, g) < 0)
			return g;
	return -1;
}

static void dump(const char *label, const uint8_t *p, size_t n)
{
	size_t i;

	fprintf(stderr, "  %-10s", label);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "\n");
}

/* Report the byte BAD of BUF (file offset OFF + BAD) and exit 1. */
__attribute__((noreturn))
static void mismatch(const char *who, const uint8_t *buf, size_t len,
		     uint64_t off, size_t bad, uint64_t lo, uint64_t hi)
{
	size_t start = bad & ~(size_t)15, n = len - start < 16 ? len - start : 16;
	uint8_t want[16];
	long g;

	fprintf(stderr, "%s: %s: MISMATCH at offset %llu (0x%llx): generation %llu",
		me, who, (unsigned long long)(off + bad),
		(unsigned long long)(off + bad), (unsigned long long)lo);
	if (hi > lo)
		fprintf(stderr, "..%llu", (unsigned long long)hi);
	fprintf(stderr, " expected; bytes from offset %llu:\n",
		(unsigned long long)(off + start));
	dump("got:", buf + start, n);
	pat_fill(want, n, lo, off + start);
	dump("expected:", want, n);
	if (hi > lo) {
		pat_fill(want, n, hi, off + start);
		dump("or:", want, n);
	}
	g = which_gen(buf + bad, len - bad < 8 ? len - bad : 8, off + bad,
		      hi + 16);
	if (g >= 0)
		fprintf(stderr, "  the bytes got are of generation %ld\n", g);
	else
		fprintf(stderr, "  the bytes got are of no generation up to %llu\n",
			(unsigned long long)hi + 16);
	exit(1);
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static long pagesz;

/* SIGBUS while touching a mapping: per thread. */
static __thread sigjmp_buf bus_jump;
static __thread volatile int bus_armed;

static void on_sigbus(int sig)
{
	(void)sig;
	if (bus_armed)
		siglongjmp(bus_jump, 1);
	signal(SIGBUS, SIG_DFL);
	raise(SIGBUS);
}

static void catch_sigbus(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
}

/*
 * memcpy from a mapping, page by page; returns the bytes copied before a
 * SIGBUS (LEN if none).
 */
static size_t map_copy(uint8_t *dst, const uint8_t *map, size_t len)
{
	volatile size_t done = 0;

	if (sigsetjmp(bus_jump, 1)) {
		bus_armed = 0;
		return done;
	}
	bus_armed = 1;
	while (done < len) {
		size_t n = len - done < (size_t)pagesz ? len - done : (size_t)pagesz;

		memcpy(dst + done, map + done, n);
		done += n;
	}
	bus_armed = 0;
	return len;
}

/* ---- fill, write, verify ---------------------------------------------- */

static void write_gen(int fd, uint64_t off, uint64_t len, uint64_t gen)
{
	static uint8_t buf[1 << 20];

	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);
		ssize_t w;

		pat_fill(buf, n, gen, off);
		w = pwrite(fd, buf, n, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("pwrite at %llu", (unsigned long long)off);
		off += w;
		len -= w;
	}
}

static int cmd_fill(int argc, char **argv)
{
	int fd;

	if (argc != 3)
		usage();
	fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open %s", argv[0]);
	write_gen(fd, 0, num(argv[1]), num(argv[2]));
	if (fsync(fd) || close(fd))
		die("fsync %s", argv[0]);
	return 0;
}

/*
 * Store generation GEN over [OFF, OFF+LEN) of FD through a shared writable
 * mapping.  Returns -EBUSY if BUSY_OK and mmap said EBUSY (pcc refuses a
 * writable shared mapping of a file mapped from its copy: ADR 0005).
 */
static int mmap_store(int fd, uint64_t off, uint64_t len, uint64_t gen,
		      const char *file, int busy_ok)
{
	uint64_t start = off & ~(uint64_t)(pagesz - 1);
	size_t maplen = off + len - start;
	uint8_t *map;

	map = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, start);
	if (map == MAP_FAILED && errno == EBUSY && busy_ok)
		return -EBUSY;
	if (map == MAP_FAILED)
		die("mmap %s", file);
	if (sigsetjmp(bus_jump, 1))
		die("SIGBUS storing into the mapping of %s at [%llu, %llu)",
		    file, (unsigned long long)off,
		    (unsigned long long)(off + len));
	bus_armed = 1;
	pat_fill(map + (off - start), len, gen, off);
	bus_armed = 0;
	if (msync(map, maplen, MS_SYNC))
		die("msync %s", file);
	munmap(map, maplen);
	return 0;
}

static int cmd_write(int argc, char **argv)
{
	uint64_t off, len, gen;
	int fd, use_mmap = 0;

	if (argc == 5 && !strcmp(argv[4], "--mmap"))
		use_mmap = 1, argc--;
	if (argc != 4)
		usage();
	off = num(argv[1]);
	len = num(argv[2]);
	gen = num(argv[3]);
	fd = open(argv[0], use_mmap ? O_RDWR : O_WRONLY);
	if (fd < 0)
		die("open %s", argv[0]);
	if (use_mmap)
		mmap_store(fd, off, len, gen, argv[0], 0);
	else
		write_gen(fd, off, len, gen);
	if (close(fd))
		die("close %s", argv[0]);
	return 0;
}

struct range {
	uint64_t off, len, gen;
};

static struct range ranges[32];
static int nranges;

/* The generation of the byte at OFF and the end of that run of bytes. */
static uint64_t gen_at(uint64_t off, uint64_t base, uint64_t *end)
{
	uint64_t gen = base, e = UINT64_MAX;
	int i;

	for (i = 0; i < nranges; i++) {
		struct range *r = &ranges[i];

		if (off >= r->off && off < r->off + r->len) {
			gen = r->gen;	/* later ranges win */
			e = r->off + r->len;
		}
	}
	/* The run also ends where a later range starts. */
	for (i = 0; i < nranges; i++)
		if (ranges[i].off > off && ranges[i].off < e)
			e = ranges[i].off;
	*end = e;
	return gen;
}

/* Check BUF = the file's LEN bytes at OFF against GEN and the ranges. */
static void check_region(const char *who, const uint8_t *buf, size_t len,
			 uint64_t off, uint64_t gen)
{
	size_t i = 0;

	while (i < len) {
		uint64_t end, g = gen_at(off + i, gen, &end);
		size_t n = end - (off + i) < len - i ? end - (off + i) : len - i;
		ssize_t bad = check_buf(buf + i, n, off + i, g, g);

		if (bad >= 0)
			mismatch(who, buf + i, n, off + i, bad, g, g);
		i += n;
	}
}

static int cmd_verify(int argc, char **argv)
{
	static uint8_t buf[1 << 20];
	uint64_t size, gen, off;
	unsigned long passes = 1, p;
	int use_mmap = 0, fd, i;
	struct stat st;
	uint8_t *map;

	if (argc < 3)
		usage();
	size = num(argv[1]);
	gen = num(argv[2]);
	for (i = 3; i < argc; i++) {
		struct range *r = &ranges[nranges];
		unsigned long long a, b, c;
		char tail;

		if (!strcmp(argv[i], "--mmap")) {
			use_mmap = 1;
		} else if (!strcmp(argv[i], "--passes") && i + 1 < argc) {
			if (parse_count(argv[++i], &passes) || !passes)
				usage();
		} else if (nranges < 32 &&
			   sscanf(argv[i], "%lli:%lli:%lli%c", &a, &b, &c, &tail) == 3) {
			r->off = a, r->len = b, r->gen = c;
			nranges++;
		} else {
			usage();
		}
	}
	fd = open(argv[0], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die("open %s", argv[0]);
	if ((uint64_t)st.st_size != size) {
		errno = 0;
		die("%s: size %lld, expected %llu", argv[0],
		    (long long)st.st_size, (unsigned long long)size);
	}
	if (use_mmap) {
		if (!size)
			return 0;
		map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			die("mmap %s", argv[0]);
		for (p = 0; p < passes; p++) {
			for (off = 0; off < size; off += sizeof(buf)) {
				size_t n = size - off < sizeof(buf) ?
					   size - off : sizeof(buf);

				if (map_copy(buf, map + off, n) != n) {
					errno = 0;
					die("%s: SIGBUS reading the mapping near offset %llu (pass %lu)",
					    argv[0], (unsigned long long)off, p + 1);
				}
				check_region("verify --mmap", buf, n, off, gen);
			}
		}
		munmap(map, size);
	} else {
		for (p = 0; p < passes; p++) {
			for (off = 0; off < size;) {
				ssize_t n = pread(fd, buf, sizeof(buf), off);

				if (n < 0)
					die("read %s at %llu", argv[0],
					    (unsigned long long)off);
				if (n == 0) {
					errno = 0;
					die("%s: EOF at %llu, expected %llu bytes",
					    argv[0], (unsigned long long)off,
					    (unsigned long long)size);
				}
				check_region("verify", buf, n, off, gen);
				off += n;
			}
			if (pread(fd, buf, 1, size) != 0)
				die("%s: data past the size", argv[0]);
		}
	}
	close(fd);
	return 0;
}

/* ---- single checks of mappings -------------------------------------- */

static int expect_attached;

/* Print the state; with --expect-attached, MUST says it must be attached. */
static void show_state(int fd, const char *when, int must)
{
	struct pcc_ioc_state st;
	int ret = pcc_state_fd(fd, &st);

	if (ret == -ENOTTY && !expect_attached) {
		printf("state %s: not a pcc file\n", when);
		return;
	}
	if (ret) {
		errno = -ret;
		die("PCC_IOC_STATE %s", when);
	}
	printf("state %s: type %u dataset %u open_count %u flags 0x%x\n",
	       when, st.type, st.dataset_id, st.open_count, st.flags);
	if (must && expect_attached && st.type != PCC_TYPE_READONLY) {
		errno = 0;
		die("%s: the file is not attached (type %u): the check would prove nothing",
		    when, st.type);
	}
}

/* The file behind FD, size SIZE: map it shared read-only, check = GEN. */
static uint8_t *map_checked(int fd, size_t size, uint64_t gen, int prot,
			    int flags, const char *who)
{
	uint8_t *map = mmap(NULL, size, prot, flags, fd, 0);

	if (map == MAP_FAILED)
		die("%s: mmap", who);
	if (sigsetjmp(bus_jump, 1)) {
		errno = 0;
		die("%s: SIGBUS reading the mapping", who);
	}
	bus_armed = 1;
	check_region(who, map, size, 0, gen);
	bus_armed = 0;
	return map;
}

static int cmd_mapwrite(int argc, char **argv)
{
	volatile int copy_write_fails = 0;
	uint64_t gen, size;
	uint8_t *map, *map2, *buf;
	struct stat st;
	int fd, wfd, i;

	while (argc > 2) {
		if (!strcmp(argv[argc - 1], "--expect-attached"))
			expect_attached = 1;
		else if (!strcmp(argv[argc - 1], "--copy-write-fails"))
			copy_write_fails = 1;
		else
			usage();
		argc--;
	}
	if (argc != 2)
		usage();
	gen = num(argv[1]);
	fd = open(argv[0], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die("open %s", argv[0]);
	size = st.st_size;
	if (size < 16384 + 4096) {
		errno = 0;
		die("%s: needs at least 20 KiB", argv[0]);
	}
	map = map_checked(fd, size, gen, PROT_READ, MAP_SHARED, "mapwrite before");
	show_state(fd, "mapped", 1);
	/* The local write, through another descriptor. */
	ranges[0] = (struct range){ 100, 50, gen + 1 };
	ranges[1] = (struct range){ 8192, 4096, gen + 1 };
	ranges[2] = (struct range){ size - 10, 10, gen + 1 };
	nranges = 3;
	wfd = open(argv[0], O_WRONLY);
	if (wfd < 0)
		die("open %s for writing", argv[0]);
	for (i = 0; i < nranges; i++)
		write_gen(wfd, ranges[i].off, ranges[i].len, ranges[i].gen);
	/* At once: no msync, no close, no sleep. */
	if (sigsetjmp(bus_jump, 1)) {
		errno = 0;
		die("SIGBUS reading the mapping after the write");
	}
	bus_armed = 1;
	if (!copy_write_fails)
		check_region("existing mapping after a local write", map, size,
			     0, gen);
	else	/* ADR 0005: the mapping shows what the copy holds */
		(void)map_copy(malloc(size), map, size);
	bus_armed = 0;
	buf = malloc(size);
	if (!buf || pread(fd, buf, size, 0) != (ssize_t)size)
		die("read %s", argv[0]);
	check_region("read() after a local write", buf, size, 0, gen);
	map2 = map_checked(fd, size, gen, PROT_READ, MAP_SHARED,
			   "new mapping after a local write");
	show_state(fd, "written", 0);
	close(wfd);
	munmap(map2, size);
	munmap(map, size);
	free(buf);
	close(fd);
	printf("mapwrite OK\n");
	return 0;
}

static int cmd_private(int argc, char **argv)
{
	uint64_t gen, size;
	uint8_t *map, *map2, *buf;
	struct stat st;
	int fd;

	if (argc == 3 && !strcmp(argv[2], "--expect-attached"))
		expect_attached = 1, argc--;
	if (argc != 2)
		usage();
	gen = num(argv[1]);
	fd = open(argv[0], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die("open %s", argv[0]);
	size = st.st_size;
	if (size < (uint64_t)8 * pagesz) {
		errno = 0;
		die("%s: needs at least 8 pages", argv[0]);
	}
	show_state(fd, "before", 1);
	map = map_checked(fd, size, gen, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			  "private mapping");
	show_state(fd, "mapped", 1);
	/* Stores land in the mapping only. */
	ranges[0] = (struct range){ 0, 64, gen + 1 };
	ranges[1] = (struct range){ 3 * pagesz + 5, pagesz, gen + 1 };
	nranges = 2;
	pat_fill(map, 64, gen + 1, 0);
	pat_fill(map + 3 * pagesz + 5, pagesz, gen + 1, 3 * pagesz + 5);
	check_region("private mapping after stores", map, size, 0, gen);
	show_state(fd, "stored", 0);
	nranges = 0;
	buf = malloc(size);
	if (!buf || pread(fd, buf, size, 0) != (ssize_t)size)
		die("read %s", argv[0]);
	check_region("read() after private stores", buf, size, 0, gen);
	map2 = map_checked(fd, size, gen, PROT_READ, MAP_SHARED,
			   "shared mapping beside a private one");
	munmap(map2, size);
	munmap(map, size);
	free(buf);
	close(fd);
	printf("private OK\n");
	return 0;
}

static int cmd_mkwrite(int argc, char **argv)
{
	unsigned long hold = 0;
	uint64_t off, gen, size, len;
	uint8_t *map, *buf;
	struct stat st;
	int fd;

	if (argc == 5 && !strcmp(argv[3], "--hold")) {
		if (parse_count(argv[4], &hold))
			usage();
		argc -= 2;
	}
	if (argc != 3)
		usage();
	off = num(argv[1]) & ~(uint64_t)(pagesz - 1);
	gen = num(argv[2]);
	fd = open(argv[0], O_RDWR);
	if (fd < 0 || fstat(fd, &st))
		die("open %s", argv[0]);
	size = st.st_size;
	if (off >= size) {
		errno = 0;
		die("%s: offset past the end", argv[0]);
	}
	len = size - off < (uint64_t)pagesz ? size - off : (uint64_t)pagesz;
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap %s", argv[0]);
	buf = malloc(size);
	if (!buf || map_copy(buf, map, size) != size) {
		errno = 0;
		die("SIGBUS reading the mapping of %s", argv[0]);
	}
	show_state(fd, "mapped", 1);
	if (hold)
		msleep(hold);
	if (mprotect(map, size, PROT_READ | PROT_WRITE))
		die("mprotect %s", argv[0]);
	if (sigsetjmp(bus_jump, 1)) {
		errno = 0;
		die("SIGBUS storing into the mapping of %s at %llu", argv[0],
		    (unsigned long long)off);
	}
	bus_armed = 1;
	pat_fill(map + off, len, gen, off);
	bus_armed = 0;
	if (msync(map, size, MS_SYNC))
		die("msync %s", argv[0]);
	munmap(map, size);
	show_state(fd, "stored", 0);
	if (pread(fd, buf, len, off) != (ssize_t)len)
		die("read %s", argv[0]);
	check_region("read() after a store through the mapping", buf, len,
		     off, gen);
	free(buf);
	close(fd);
	printf("mkwrite OK\n");
	return 0;
}

static int cmd_hold(int argc, char **argv)
{
	uint64_t gen, size;
	struct stat st;
	uint8_t *map;
	char c;
	int fd;

	if (argc != 2)
		usage();
	gen = num(argv[1]);
	fd = open(argv[0], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die("open %s", argv[0]);
	size = st.st_size;
	map = map_checked(fd, size, gen, PROT_READ, MAP_SHARED, "hold");
	show_state(fd, "mapped", 0);
	close(fd);
	printf("mapped\n");
	while (read(0, &c, 1) > 0)
		;
	if (sigsetjmp(bus_jump, 1)) {
		errno = 0;
		die("SIGBUS reading the held mapping");
	}
	bus_armed = 1;
	check_region("held mapping", map, size, 0, gen);
	bus_armed = 0;
	munmap(map, size);
	return 0;
}

static int cmd_balloon(int argc, char **argv)
{
	unsigned long long avail = 0, leave, lock;
	char line[256], c;
	FILE *f;
	void *p;

	if (argc != 1)
		usage();
	leave = num(argv[0]) << 20;
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &avail) == 1)
			break;
	fclose(f);
	avail <<= 10;
	if (avail <= leave) {
		errno = 0;
		die("only %llu MiB available, nothing to lock", avail >> 20);
	}
	lock = avail - leave;
	p = mmap(NULL, lock, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_LOCKED, -1, 0);
	if (p == MAP_FAILED || mlock(p, lock))
		die("locking %llu MiB", lock >> 20);
	printf("locked %llu MiB\n", lock >> 20);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

/* ---- run: the stress loops ------------------------------------------ */

enum {
	ST_READS, ST_READS_EXACT, ST_MMAP_PASSES, ST_MMAP_EXACT,
	ST_FAULT_CHECKS, ST_FAULT_EXACT, ST_OPENS, ST_WRITES, ST_MMAP_WRITES,
	ST_ATTACH_OK, ST_DETACHES, ST_CACHE_REMOVED, ST_COPIES,
	ST_COPY_STALE, ST_UNLINKS, ST_DROPS, ST_SIGBUS_RACED,
	ST_MMAP_WRITE_BUSY, ST_FAULT_ROUNDS, ST_VERSION_BUSY,
	ST_COUNT
};

static const char *const st_names[ST_COUNT] = {
	"reads", "reads_exact", "mmap_passes", "mmap_exact",
	"fault_checks", "fault_exact", "opens", "writes", "mmap_writes",
	"attach_ok", "detaches", "cache_removed", "copies",
	"copy_stale", "unlinks", "drops", "sigbus_raced",
	"mmap_write_busy", "fault_rounds", "version_busy",
};

#define MAX_ERRNO 256

struct shared {
	_Atomic uint64_t seq;	/* 2g: generation g is whole in the file;
				 * 2g - 1: a writer is writing g */
	atomic_int stop;
	_Atomic uint64_t st[ST_COUNT];
	_Atomic uint64_t attach_err[MAX_ERRNO];
};

static struct shared *sh;
static const char *file;
static uint64_t fsize = 1 << 20;
static unsigned int dsid = 1, pause_ms = 50;
static unsigned int attach_type = PCC_TYPE_READONLY;	/* -A: READWRITE */
static int truncating, mmap_writes, writer, uncache, foreign;
/* -M: the least count each stat must reach (0: none asked). */
static uint64_t st_min[ST_COUNT];

/* -M NAME=MIN: 0, or -1 for an unknown NAME or a bad MIN. */
static int parse_min(const char *arg)
{
	const char *eq = strchr(arg, '=');
	unsigned long v;
	int i;

	if (!eq || parse_count(eq + 1, &v))
		return -1;
	for (i = 0; i < ST_COUNT; i++) {
		if (strlen(st_names[i]) == (size_t)(eq - arg) &&
		    !strncmp(st_names[i], arg, eq - arg)) {
			st_min[i] = v;
			return 0;
		}
	}
	return -1;
}

/* The first stat below its -M minimum, or -1 when all have theirs. */
static int st_short(void)
{
	int i;

	for (i = 0; i < ST_COUNT; i++)
		if (atomic_load(&sh->st[i]) < st_min[i])
			return i;
	return -1;
}

static const char *copy_root, *unlink_root;

static void count(int st)
{
	atomic_fetch_add(&sh->st[st], 1);
}

static unsigned int rnd(unsigned int *state, unsigned int n)
{
	*state = *state * 1103515245 + 12345;
	return (*state >> 8) % n;
}

/* The generations a check may meet, from the sequence before and after. */
struct window {
	uint64_t s1, lo, hi;
	int exact;
};

static void window_open(struct window *w)
{
	w->s1 = atomic_load(&sh->seq);
}

static void window_close(struct window *w)
{
	uint64_t s2 = atomic_load(&sh->seq);

	w->lo = w->s1 / 2;
	w->hi = (s2 + 1) / 2;
	w->exact = w->s1 == s2 && !(s2 & 1);
}

static void check_window(const char *who, const uint8_t *buf, size_t len,
			 uint64_t off, const struct window *w, int mapped)
{
	ssize_t bad;

	zeros_ok = mapped && truncating && !w->exact;
	bad = check_buf(buf, len, off, w->lo, w->hi);
	zeros_ok = 0;

	if (bad >= 0) {
		atomic_store(&sh->stop, 1);
		mismatch(who, buf, len, off, bad, w->lo, w->hi);
	}
}

/* A length other than the file's size, seen while no writer could shrink it. */
static void check_len(const char *who, uint64_t got, const struct window *w)
{
	if (got == fsize || (truncating && !w->exact))
		return;
	atomic_store(&sh->stop, 1);
	errno = 0;
	die("%s: %llu bytes, the file has %llu (generations %llu..%llu%s)",
	    who, (unsigned long long)got, (unsigned long long)fsize,
	    (unsigned long long)w->lo, (unsigned long long)w->hi,
	    w->exact ? ", no write meanwhile" : "");
}

static void reader(int id)
{
	uint8_t *buf = malloc(fsize + 1);
	unsigned int r = id * 7919 + 1;
	char who[32];

	snprintf(who, sizeof(who), "reader %d", id);
	if (!buf)
		die("malloc");
	while (!atomic_load(&sh->stop)) {
		struct window w;
		size_t got = 0;
		ssize_t n;
		int fd;

		window_open(&w);
		fd = open(file, O_RDONLY);
		if (fd < 0)
			die("%s: open %s", who, file);
		do {
			size_t want = 1 + rnd(&r, 256 << 10);

			if (want > fsize + 1 - got)
				want = fsize + 1 - got;
			n = read(fd, buf + got, want);
			if (n < 0)
				die("%s: read %s at %zu", who, file, got);
			got += n;
		} while (n > 0 && got <= fsize);
		close(fd);
		window_close(&w);
		check_len(who, got, &w);
		check_window(who, buf, got, 0, &w, 0);
		count(ST_READS);
		if (w.exact)
			count(ST_READS_EXACT);
	}
	exit(0);
}

static void mmap_reader(int id)
{
	uint8_t *buf = malloc(fsize);
	char who[32];

	snprintf(who, sizeof(who), "mmap reader %d", id);
	if (!buf)
		die("malloc");
	catch_sigbus();
	while (!atomic_load(&sh->stop)) {
		struct window w;
		struct stat st;
		size_t got = 0, len;
		uint8_t *map;
		int fd;

		window_open(&w);
		fd = open(file, O_RDONLY);
		if (fd < 0 || fstat(fd, &st))
			die("%s: open %s", who, file);
		len = (uint64_t)st.st_size < fsize ? (size_t)st.st_size : fsize;
		if (len) {
			map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
			if (map == MAP_FAILED)
				die("%s: mmap %s", who, file);
			got = map_copy(buf, map, len);
			munmap(map, len);
		}
		close(fd);
		window_close(&w);
		if (got < len) {
			if (!truncating || w.exact) {
				atomic_store(&sh->stop, 1);
				errno = 0;
				die("%s: SIGBUS at offset %zu of %zu with no truncate meanwhile",
				    who, got, len);
			}
			count(ST_SIGBUS_RACED);
		}
		check_len(who, st.st_size, &w);
		check_window(who, buf, got, 0, &w, 1);
		count(ST_MMAP_PASSES);
		if (w.exact)
			count(ST_MMAP_EXACT);
	}
	exit(0);
}

static atomic_int round_over;

struct fault_thread {
	pthread_t t;
	uint8_t *map;
	unsigned int id;
};

static void *fault_work(void *arg)
{
	struct fault_thread *ft = arg;
	size_t pages = (fsize + pagesz - 1) / pagesz;
	uint8_t *buf = malloc(16 * pagesz);
	unsigned int r = ft->id * 104729 + 3;
	char who[32];

	snprintf(who, sizeof(who), "fault thread %u", ft->id);
	if (!buf)
		die("malloc");
	while (!atomic_load(&sh->stop) && !atomic_load(&round_over)) {
		size_t first = rnd(&r, pages), n = 1 + rnd(&r, 16), len, got;
		struct window w;

		if (first + n > pages)
			n = pages - first;
		len = n * pagesz;
		if (first * pagesz + len > fsize)
			len = fsize - first * pagesz;
		if (rnd(&r, 2))
			madvise(ft->map + first * pagesz, n * pagesz,
				MADV_DONTNEED);
		window_open(&w);
		got = map_copy(buf, ft->map + first * pagesz, len);
		window_close(&w);
		if (got < len) {
			if (!truncating || w.exact) {
				atomic_store(&sh->stop, 1);
				errno = 0;
				die("%s: SIGBUS at offset %zu with no truncate meanwhile",
				    who, first * pagesz + got);
			}
			count(ST_SIGBUS_RACED);
		}
		check_window(who, buf, got, first * pagesz, &w, 1);
		count(ST_FAULT_CHECKS);
		if (w.exact)
			count(ST_FAULT_EXACT);
	}
	free(buf);
	return NULL;
}

/*
 * Rounds of about a second: map the file, let N threads fault it, unmap.
 * A mapping is bound to its backing at mmap (ADR 0005): rounds begun while
 * the file is attached fault its copy, the others its lower file, and the
 * attach loop gets windows with no copy mapping to attach in.
 */
static void fault_threads(int n)
{
	struct fault_thread *ft = calloc(n, sizeof(*ft));
	uint8_t *map;
	int fd, i;

	catch_sigbus();
	if (!ft)
		die("calloc");
	while (!atomic_load(&sh->stop)) {
		fd = open(file, O_RDONLY);
		if (fd < 0)
			die("fault threads: open %s", file);
		map = mmap(NULL, fsize, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			die("fault threads: mmap %s", file);
		close(fd);
		atomic_store(&round_over, 0);
		for (i = 0; i < n; i++) {
			ft[i].map = map;
			ft[i].id = i;
			errno = pthread_create(&ft[i].t, NULL, fault_work, &ft[i]);
			if (errno)
				die("pthread_create");
		}
		msleep(1000);
		atomic_store(&round_over, 1);
		for (i = 0; i < n; i++)
			pthread_join(ft[i].t, NULL);
		munmap(map, fsize);
		count(ST_FAULT_ROUNDS);
	}
	exit(0);
}

static void opener(int id)
{
	while (!atomic_load(&sh->stop)) {
		struct window w;
		struct stat st;
		int fd;

		window_open(&w);
		fd = open(file, id & 1 ? O_RDONLY : O_RDONLY | O_NOATIME);
		if (fd < 0 && errno == EPERM)
			fd = open(file, O_RDONLY);
		if (fd < 0 || fstat(fd, &st))
			die("opener %d: open %s", id, file);
		close(fd);
		window_close(&w);
		check_len("opener", st.st_size, &w);
		count(ST_OPENS);
	}
	exit(0);
}

static void writer_loop(void)
{
	static uint8_t chunk[256 << 10];
	unsigned int r = 4242, pass = 0;

	while (!atomic_load(&sh->stop)) {
		uint64_t g = atomic_load(&sh->seq) / 2 + 1, off;
		int by_mmap = mmap_writes && (pass & 1);
		int busy = 0;
		int fd;

		fd = open(file, by_mmap ? O_RDWR : O_WRONLY);
		if (fd < 0)
			die("writer: open %s", file);
		atomic_store(&sh->seq, 2 * g - 1);
		if (by_mmap && mmap_store(fd, 0, fsize, g, file, 1) == -EBUSY) {
			count(ST_MMAP_WRITE_BUSY);
			busy = 1;
		} else if (by_mmap) {
			count(ST_MMAP_WRITES);
		}
		if (!by_mmap || busy) {
			if (truncating && ftruncate(fd, 0))
				die("writer: truncate %s", file);
			for (off = 0; off < fsize;) {
				size_t n = 1 + rnd(&r, sizeof(chunk));
				ssize_t w;

				if (n > fsize - off)
					n = fsize - off;
				pat_fill(chunk, n, g, off);
				w = pwrite(fd, chunk, n, off);
				if (w <= 0)
					die("writer: pwrite %s at %llu", file,
					    (unsigned long long)off);
				off += w;
			}
			count(ST_WRITES);
		}
		if (pass % 4 == 3 && fsync(fd))
			die("writer: fsync %s", file);
		if (close(fd))
			die("writer: close %s", file);
		atomic_store(&sh->seq, 2 * g);
		pass++;
		msleep(rnd(&r, 2 * pause_ms + 1));
	}
	exit(0);
}

/* An attach error a concurrent loop explains, or a failure. */
static void attach_result(const char *who, int ret)
{
	int e = -ret;

	if (!ret) {
		count(ST_ATTACH_OK);
		return;
	}
	/*
	 * ENOENT: no copy (unlinked, uncached); ESTALE: the file changed;
	 * EBUSY: a writable shared mapping, a copy mapping of a detached
	 * file (ADR 0005), or a write racing the attach (ADR 0006).
	 */
	if (e == ENOENT || e == ESTALE || e == EBUSY ||
	    (e == EINVAL && (writer || foreign))) {
		if (e < MAX_ERRNO)
			atomic_fetch_add(&sh->attach_err[e], 1);
		return;
	}
	atomic_store(&sh->stop, 1);
	errno = e;
	die("%s: PCC_IOC_ATTACH %s", who, file);
}

static void attach_loop(void)
{
	unsigned int r = 77;

	while (!atomic_load(&sh->stop)) {
		unsigned int flags = 0, out = 0;
		int fd = open(file, O_RDONLY), ret;

		if (fd < 0)
			die("attach loop: open %s", file);
		attach_result("attach loop",
			      pcc_attach_fd_type(fd, dsid, attach_type));
		msleep(rnd(&r, pause_ms + 1));
		if (uncache && !rnd(&r, 4))
			flags = PCC_DETACH_FL_UNCACHE;
		ret = pcc_detach_fd(fd, flags, 0, &out);
		if (ret) {
			atomic_store(&sh->stop, 1);
			errno = -ret;
			die("attach loop: PCC_IOC_DETACH %s", file);
		}
		count(ST_DETACHES);
		if (out & PCC_DETACH_FL_CACHE_REMOVED)
			count(ST_CACHE_REMOVED);
		close(fd);
		msleep(rnd(&r, pause_ms + 1));
	}
	exit(0);
}

static void copy_once(const char *root, const char *who, int must)
{
	struct pcc_copy_opts o = {
		.root = root, .dataset_id = dsid, .retries = 5,
		.rw = attach_type == PCC_TYPE_READWRITE,
	};
	char path[PATH_MAX];
	int fd = open(file, O_RDONLY), ret;

	if (fd < 0)
		die("%s: open %s", who, file);
	ret = pcc_make_copy(fd, &o, path);
	if (ret == -ESTALE && !must) {
		/* Changed while copied. */
		count(ST_COPY_STALE);
	} else if (ret == -EBUSY && !must) {
		/* PCC_IOC_VERSION while written or mapped for writing. */
		count(ST_VERSION_BUSY);
	} else if (ret) {
		atomic_store(&sh->stop, 1);
		errno = -ret;
		die("%s: making the copy of %s in %s", who, file, root);
	} else {
		count(ST_COPIES);
		ret = pcc_attach_fd_type(fd, dsid, attach_type);
		if (must && ret) {
			errno = -ret;
			die("%s: PCC_IOC_ATTACH %s", who, file);
		}
		attach_result(who, ret);
	}
	close(fd);
}

static void copy_loop(void)
{
	unsigned int r = 99;

	umask(077);
	while (!atomic_load(&sh->stop)) {
		copy_once(copy_root, "copy loop", 0);
		msleep(rnd(&r, 2 * pause_ms + 1));
	}
	exit(0);
}

static void unlink_loop(void)
{
	unsigned int r = 1234;
	char name[PCC_CACHE_NAME_MAX];
	int rootfd = open(unlink_root, O_RDONLY | O_DIRECTORY);

	if (rootfd < 0)
		die("unlink loop: open %s", unlink_root);
	while (!atomic_load(&sh->stop)) {
		struct pcc_version v;
		int fd = open(file, O_RDONLY), ret;

		if (fd < 0)
			die("unlink loop: open %s", file);
		ret = pcc_get_version(fd, &v);
		close(fd);
		if (ret == -EBUSY) {
			/* Written or mapped for writing now: try later. */
			count(ST_VERSION_BUSY);
			msleep(pause_ms);
			continue;
		}
		if (ret) {
			errno = -ret;
			die("unlink loop: PCC_IOC_VERSION %s", file);
		}
		pcc_copy_relpath(&v, name);
		if (!unlinkat(rootfd, name, 0))
			count(ST_UNLINKS);
		else if (errno != ENOENT)
			die("unlink loop: unlink %s/%s", unlink_root, name);
		msleep(pause_ms + rnd(&r, 4 * pause_ms + 1));
	}
	exit(0);
}

static void drop_loop(void)
{
	while (!atomic_load(&sh->stop)) {
		int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

		if (fd < 0 || write(fd, "3\n", 2) != 2)
			die("drop_caches");
		close(fd);
		count(ST_DROPS);
		msleep(300);
	}
	exit(0);
}

/* SIGTERM or SIGINT to the parent: stop the loops as if the time were up. */
static void on_term(int sig)
{
	(void)sig;
	if (sh)
		atomic_store(&sh->stop, 1);
}

static pid_t kids[256];
static int nkids;

static void spawn(void (*fn)(int), int arg)
{
	pid_t pid;

	if (nkids == 256) {
		errno = 0;
		die("too many processes");
	}
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		fn(arg);
		exit(0);
	}
	kids[nkids++] = pid;
}

static void do_writer(int a) { (void)a; writer_loop(); }
static void do_attach(int a) { (void)a; attach_loop(); }
static void do_copy(int a) { (void)a; copy_loop(); }
static void do_unlink(int a) { (void)a; unlink_loop(); }
static void do_drop(int a) { (void)a; drop_loop(); }

static int cmd_run(int argc, char **argv)
{
	unsigned long secs = 10, nr = 0, nm = 0, nt = 0, no = 0, v;
	uint64_t gen0 = 1;
	int attach = 0, drop = 0, fill = 1, opt, i, failed = 0;
	const char *first_copy = NULL;
	struct timespec t0, t;

	optind = 0;
	while ((opt = getopt(argc + 1, argv - 1, "t:r:m:T:o:wWxaAUc:C:u:Dd:s:g:np:kM:")) != -1) {
		switch (opt) {
		case 't': if (parse_count(optarg, &secs)) usage(); break;
		case 'r': if (parse_count(optarg, &nr)) usage(); break;
		case 'm': if (parse_count(optarg, &nm)) usage(); break;
		case 'T': if (parse_count(optarg, &nt)) usage(); break;
		case 'o': if (parse_count(optarg, &no)) usage(); break;
		case 'w': writer = 1; break;
		case 'W': writer = truncating = 1; break;
		case 'x': writer = mmap_writes = 1; break;
		case 'a': attach = 1; break;
		case 'A': attach_type = PCC_TYPE_READWRITE; break;
		case 'U': uncache = 1; break;
		case 'c': copy_root = optarg; break;
		case 'C': first_copy = optarg; break;
		case 'u': unlink_root = optarg; break;
		case 'D': drop = 1; break;
		case 'd': if (parse_count(optarg, &v) || v > UINT32_MAX) usage();
			  dsid = v; break;
		case 's': fsize = num(optarg); break;
		case 'g': gen0 = num(optarg); break;
		case 'n': fill = 0; break;
		case 'k': foreign = 1; fill = 0; break;
		case 'p': if (parse_count(optarg, &v)) usage(); pause_ms = v; break;
		case 'M': if (parse_min(optarg)) usage(); break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	file = argv[optind - 1];
	if (!fsize || (nt && truncating))
		usage();	/* -T maps the file once: no truncating writer */
	if (foreign && (nr || nm || nt || no || writer))
		usage();	/* data checks need our own data */

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	if (fill) {
		int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0)
			die("open %s", file);
		write_gen(fd, 0, fsize, gen0);
		if (fsync(fd) || close(fd))
			die("fsync %s", file);
	}
	atomic_store(&sh->seq, 2 * gen0);
	if (first_copy)
		copy_once(first_copy, "first copy", 1);

	for (i = 0; i < (int)nr; i++)
		spawn(reader, i);
	for (i = 0; i < (int)nm; i++)
		spawn(mmap_reader, i);
	if (nt)
		spawn(fault_threads, nt);
	for (i = 0; i < (int)no; i++)
		spawn(opener, i);
	if (writer)
		spawn(do_writer, 0);
	if (attach)
		spawn(do_attach, 0);
	if (copy_root)
		spawn(do_copy, 0);
	if (unlink_root)
		spawn(do_unlink, 0);
	if (drop)
		spawn(do_drop, 0);

	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&sh->stop)) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid > 0) {
			/* Nobody ends before the time is up unless it failed. */
			failed = 1;
			fprintf(stderr, "%s: process %d ended early (status 0x%x)\n",
				me, (int)pid, status);
			for (i = 0; i < nkids; i++)
				if (kids[i] == pid)
					kids[i] = 0;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= (time_t)secs &&
		    (st_short() < 0 || t.tv_sec - t0.tv_sec >= 4 * (time_t)secs))
			break;
		msleep(100);
	}
	atomic_store(&sh->stop, 1);
	for (i = 0; i < nkids; i++) {
		int status;

		if (!kids[i])
			continue;
		if (waitpid(kids[i], &status, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "%s: process %d failed (status 0x%x)\n",
				me, (int)kids[i], status);
			failed = 1;
		}
	}
	for (i = 0; i < ST_COUNT; i++)
		printf("stat %s %llu\n", st_names[i],
		       (unsigned long long)atomic_load(&sh->st[i]));
	for (i = 0; i < MAX_ERRNO; i++)
		if (atomic_load(&sh->attach_err[i]))
			printf("stat attach_%s %llu\n", strerrorname_np(i) ?
			       strerrorname_np(i) : "errno",
			       (unsigned long long)atomic_load(&sh->attach_err[i]));
	clock_gettime(CLOCK_MONOTONIC, &t);
	printf("stat seconds %lld\n", (long long)(t.tv_sec - t0.tv_sec));
	i = failed ? -1 : st_short();
	if (i >= 0) {
		fprintf(stderr, "%s: %s counted %llu, fewer than the %llu asked (-M)\n",
			me, st_names[i], (unsigned long long)atomic_load(&sh->st[i]),
			(unsigned long long)st_min[i]);
		failed = 1;
	}
	if (failed) {
		fprintf(stderr, "%s: run FAILED\n", me);
		return 1;
	}
	if (foreign) {
		printf("run OK\n");
		return 0;
	}
	/* The end: the file holds the last generation, whole. */
	{
		uint64_t g = atomic_load(&sh->seq) / 2;
		uint8_t *buf = malloc(fsize + 1);
		struct window w = { .lo = g, .hi = g, .exact = 1 };
		ssize_t n;
		int fd = open(file, O_RDONLY);

		if (fd < 0 || !buf)
			die("open %s", file);
		n = pread(fd, buf, fsize + 1, 0);
		if (n < 0)
			die("read %s", file);
		check_len("final read", n, &w);
		check_window("final read", buf, n, 0, &w, 0);
		close(fd);
		printf("stat final_generation %llu\n", (unsigned long long)g);
	}
	printf("run OK\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "fill", cmd_fill }, { "write", cmd_write },
		{ "verify", cmd_verify }, { "mapwrite", cmd_mapwrite },
		{ "private", cmd_private }, { "mkwrite", cmd_mkwrite },
		{ "run", cmd_run }, { "balloon", cmd_balloon },
		{ "hold", cmd_hold },
	};
	const char *s = getenv("PCC_STRESS_SEED");
	unsigned int i;

	pagesz = sysconf(_SC_PAGESIZE);
	if (s)
		seed = strtoull(s, NULL, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 2, argv + 2);
	usage();
	return 2;
}
