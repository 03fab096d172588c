// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-bench: what passing through pcc costs, measured against the directory
 * it stacks on.
 *
 *   pcc-bench [-s size] [-b block] [-n files] [-r reps] [-c] [--json]
 *             DIR [DIR...]
 *
 * Figures, each a rate so that higher is better:
 *   seq_write         MiB/s writing a SIZE file in BLOCK writes, fsync included
 *   seq_read          MiB/s reading it back after POSIX_FADV_DONTNEED (and,
 *                     with -c, echo 3 > /proc/sys/vm/drop_caches)
 *   open_fstat_close  ops/s opening, fstat-ing and closing N small files
 *   open_read_close   ops/s opening, reading 4 KiB of and closing them
 *   mmap_seq_read     MiB/s reading the SIZE file through a fresh MAP_SHARED,
 *                     PROT_READ mapping, one byte of every page in order,
 *                     its page cache dropped first as for seq_read
 *   mmap_rand_read    MiB/s the same, every page once in a random order
 *                     (one fixed-seed permutation), the file read() whole
 *                     just before, so that no fault does I/O
 *
 * The mmap figures time mmap, the touches and munmap: the life of one
 * mapping.  mmap_seq_read is what a program reading a cold file through a
 * mapping sees: faults that start read-ahead and wait for the device.
 * mmap_rand_read isolates the faults themselves: each touch of a cached
 * page is a minor fault, or no fault at all where the filesystem's
 * ->map_pages has already mapped it (fault-around maps the cached pages
 * near a fault, 16 by default), so its rate moves with the cost of a fault
 * and with how many faults the filesystem needs.  Both count pages touched,
 * not faults taken, so as MiB/s they compare across filesystems.
 *
 * The two open figures are taken with every name cached (an untimed pass
 * over the files comes first): they measure what an open costs, not how
 * cold the directory happens to be after the drop_caches of seq_read.
 *
 * With several DIRs every figure is taken on each DIR in turn within each
 * repetition (each repetition starting one DIR further on), so that noise
 * from the machine falls on all of them alike;
 * the report gives the median, min and max of the repetitions and, for DIR
 * 2..n, the ratio of its median to DIR 1's.  --json prints the same for
 * scripts, one figure per line (tests/bench/passthrough.sh reads it so).
 *
 * pcc-bench VERB ... (mkfile, seqread, smallfiles, mmaprand, openclose, ...)
 * runs the benchmarks of cached files instead: see bench-cached.c.
 *
 * Each DIR gets a work directory .pcc-bench.PID.INDEX, removed at the end:
 * the index keeps apart two DIRs that are views of the same directory, as a
 * pcc mount and its lower directory are.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

#include "bench-cached.h"
#include "progs-common.h"

enum fig {
	FIG_WRITE, FIG_READ, FIG_STAT, FIG_OPEN_READ, FIG_MMAP_SEQ,
	FIG_MMAP_RAND, FIG_COUNT
};

static const struct {
	const char *key;
	const char *unit;
} fig_info[FIG_COUNT] = {
	[FIG_WRITE] = { "seq_write", "MiB/s" },
	[FIG_READ] = { "seq_read", "MiB/s" },
	[FIG_STAT] = { "open_fstat_close", "ops/s" },
	[FIG_OPEN_READ] = { "open_read_close", "ops/s" },
	[FIG_MMAP_SEQ] = { "mmap_seq_read", "MiB/s" },
	[FIG_MMAP_RAND] = { "mmap_rand_read", "MiB/s" },
};

struct opts {
	uint64_t size;
	uint64_t block;
	unsigned long files;
	unsigned long reps;
	bool drop_caches;
	bool json;
};

struct target {
	const char *dir;
	char *work;		/* DIR/.pcc-bench.PID.INDEX */
	char *data;		/* WORK/data: the sequential file */
	char **files;		/* WORK/fNNNNNN: the files the open figures open */
	double *samples[FIG_COUNT];
};

struct stats {
	double median;
	double min;
	double max;
};

/* Every target, so that an error exit still removes what we made. */
static struct target *targets;
static size_t ntargets;
static unsigned long nfiles;

static void cleanup(void);

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("pcc-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cleanup();
	exit(1);
}

/* die() for a failed call on PATH, with errno's text. */
#define die_sys(call, path) die("%s %s: %s", call, path, strerror(errno))

static void *xmalloc(size_t len)
{
	void *p = malloc(len ? len : 1);

	if (!p)
		die("cannot allocate %zu bytes", len);
	return p;
}

static char *path_join(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(len);

	snprintf(p, len, "%s/%s", dir, name);
	return p;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- work directories ---------------------------------------------------- */

/* A 4 KiB file, for the open figures. */
static void create_small(const char *path)
{
	char buf[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die_sys("create", path);
	memset(buf, 'p', sizeof(buf));
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		die_sys("write", path);
	if (close(fd) < 0)
		die_sys("close", path);
}

static void setup_target(struct target *t, size_t index, unsigned long reps)
{
	char name[64];
	unsigned long i;
	int f;

	snprintf(name, sizeof(name), ".pcc-bench.%ld.%zu", (long)getpid(), index);
	t->work = path_join(t->dir, name);
	if (mkdir(t->work, 0755) < 0) {
		int err = errno;

		fprintf(stderr, "pcc-bench: mkdir %s: %s\n", t->work, strerror(err));
		free(t->work);
		t->work = NULL;	/* not ours: cleanup() must leave it alone */
		die("cannot make a work directory in %s", t->dir);
	}
	t->data = path_join(t->work, "data");
	t->files = xmalloc(nfiles * sizeof(*t->files));
	memset(t->files, 0, nfiles * sizeof(*t->files));
	for (i = 0; i < nfiles; i++) {
		snprintf(name, sizeof(name), "f%06lu", i);
		t->files[i] = path_join(t->work, name);
		create_small(t->files[i]);
	}
	for (f = 0; f < FIG_COUNT; f++)
		t->samples[f] = xmalloc(reps * sizeof(double));
}

static void remove_path(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT)
		fprintf(stderr, "pcc-bench: unlink %s: %s\n", path, strerror(errno));
}

static void cleanup_target(struct target *t)
{
	unsigned long i;

	if (!t->work)
		return;
	for (i = 0; t->files && i < nfiles; i++)
		if (t->files[i])
			remove_path(t->files[i]);
	if (t->data)
		remove_path(t->data);
	if (rmdir(t->work) < 0)
		fprintf(stderr, "pcc-bench: rmdir %s: %s\n", t->work, strerror(errno));
	free(t->work);
	t->work = NULL;
}

static void cleanup(void)
{
	size_t i;

	for (i = 0; i < ntargets; i++)
		cleanup_target(&targets[i]);
}

static void free_target(struct target *t)
{
	unsigned long i;
	int f;

	for (i = 0; t->files && i < nfiles; i++)
		free(t->files[i]);
	free(t->files);
	free(t->data);
	for (f = 0; f < FIG_COUNT; f++)
		free(t->samples[f]);
}

/* --- the figures --------------------------------------------------------- */

static double bench_write(const struct target *t, const struct opts *o,
			  const unsigned char *buf)
{
	uint64_t done = 0;
	size_t chunk;
	ssize_t n;
	double t0, t1;
	int fd;

	/* Truncating last repetition's file is not what we time. */
	fd = open(t->data, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die_sys("open", t->data);
	t0 = now();
	while (done < o->size) {
		chunk = (size_t)(o->size - done < o->block ? o->size - done : o->block);
		n = write(fd, buf, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die_sys("write", t->data);
		done += (uint64_t)n;
	}
	if (fsync(fd) < 0)
		die_sys("fsync", t->data);
	t1 = now();
	if (close(fd) < 0)
		die_sys("close", t->data);
	return (double)o->size / (1 << 20) / (t1 - t0);
}

/* Writing the knob needs root; asked for with -c, its failure is fatal. */
static void drop_caches(void)
{
	static const char knob[] = "/proc/sys/vm/drop_caches";
	int fd;

	sync();
	fd = open(knob, O_WRONLY);
	if (fd < 0)
		die("-c: open %s: %s (needs root)", knob, strerror(errno));
	if (write(fd, "3\n", 2) != 2)
		die_sys("-c: write", knob);
	close(fd);
}

/*
 * The data file opened for reading with its pages out of the cache.
 * Through a stacking filesystem a read may be served by the upper or the
 * lower page cache: DONTNEED empties the one we see, -c empties all.
 */
static int open_cold(const struct target *t, const struct opts *o)
{
	int fd, err;

	fd = open(t->data, O_RDONLY);
	if (fd < 0)
		die_sys("open", t->data);
	err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (err) {
		errno = err;
		die_sys("posix_fadvise(DONTNEED)", t->data);
	}
	if (o->drop_caches)
		drop_caches();
	return fd;
}

static double bench_read(const struct target *t, const struct opts *o,
			 unsigned char *buf)
{
	uint64_t done = 0;
	ssize_t n;
	double t0, t1;
	int fd;

	fd = open_cold(t, o);
	t0 = now();
	for (;;) {
		n = read(fd, buf, (size_t)o->block);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_sys("read", t->data);
		if (n == 0)
			break;
		done += (uint64_t)n;
	}
	t1 = now();
	close(fd);
	if (done != o->size)
		die("read %s: %" PRIu64 " bytes, expected %" PRIu64, t->data,
		    done, o->size);
	return (double)o->size / (1 << 20) / (t1 - t0);
}

/* One open, then an fstat or a 4 KiB read, then a close, of every file. */
static void open_each(const struct target *t, bool with_read)
{
	char buf[4096];
	struct stat sb;
	unsigned long i;
	int fd;

	for (i = 0; i < nfiles; i++) {
		fd = open(t->files[i], O_RDONLY);
		if (fd < 0)
			die_sys("open", t->files[i]);
		if (with_read ? read(fd, buf, sizeof(buf)) < 0 :
				fstat(fd, &sb) < 0)
			die_sys(with_read ? "read" : "fstat", t->files[i]);
		if (close(fd) < 0)
			die_sys("close", t->files[i]);
	}
}

static double bench_open(const struct target *t, bool with_read)
{
	double t0, t1;

	open_each(t, with_read);	/* untimed: every name is cached now */
	t0 = now();
	open_each(t, with_read);
	t1 = now();
	return (double)nfiles / (t1 - t0);
}

/* --- the mmap figures ---------------------------------------------------- */

/* Byte OFF of the data file, as bench_write wrote it. */
static unsigned char data_byte(const struct opts *o, uint64_t off)
{
	return (unsigned char)((off % o->block) * 131 + 7);
}

/* What touching PAGES pages of PAGE_SIZE bytes must sum to. */
static uint64_t expected_sum(const struct opts *o, size_t pages, size_t page_size)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < pages; i++)
		sum += data_byte(o, (uint64_t)i * page_size);
	return sum;
}

/*
 * Map the data file, read the first byte of page ORDER[0], ORDER[1], ... (or
 * of every page in order when ORDER is NULL), unmap it: timed as a whole.
 * The sum of the bytes read is checked, so that no touch is optimised away
 * and the mapping is known to show the file.
 */
static double mmap_touch(const struct target *t, const struct opts *o, int fd,
			 const size_t *order, size_t pages, size_t page_size,
			 uint64_t want)
{
	const volatile unsigned char *p;
	uint64_t sum = 0;
	double t0, t1;
	void *map;
	size_t i;

	t0 = now();
	map = mmap(NULL, (size_t)o->size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die_sys("mmap", t->data);
	p = map;
	if (order)
		for (i = 0; i < pages; i++)
			sum += p[order[i] * page_size];
	else
		for (i = 0; i < pages; i++)
			sum += p[i * page_size];
	if (munmap(map, (size_t)o->size) < 0)
		die_sys("munmap", t->data);
	t1 = now();
	if (sum != want)
		die("mmap %s: read the wrong data (sum %" PRIu64 ", expected %"
		    PRIu64 ")", t->data, sum, want);
	return (double)o->size / (1 << 20) / (t1 - t0);
}

/* Cold: the page cache dropped as for seq_read, so faults read the disk. */
static double bench_mmap_seq(const struct target *t, const struct opts *o,
			     size_t pages, size_t page_size, uint64_t want)
{
	double rate;
	int fd;

	fd = open_cold(t, o);
	rate = mmap_touch(t, o, fd, NULL, pages, page_size, want);
	close(fd);
	return rate;
}

/* Warm: the file read() whole first, so every fault finds its page cached. */
static double bench_mmap_rand(const struct target *t, const struct opts *o,
			      unsigned char *buf, const size_t *order,
			      size_t pages, size_t page_size, uint64_t want)
{
	uint64_t done = 0;
	double rate;
	ssize_t n;
	int fd;

	fd = open(t->data, O_RDONLY);
	if (fd < 0)
		die_sys("open", t->data);
	for (;;) {
		n = read(fd, buf, (size_t)o->block);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_sys("read", t->data);
		if (n == 0)
			break;
		done += (uint64_t)n;
	}
	if (done != o->size)
		die("read %s: %" PRIu64 " bytes, expected %" PRIu64, t->data,
		    done, o->size);
	rate = mmap_touch(t, o, fd, order, pages, page_size, want);
	close(fd);
	return rate;
}

/* Every page index once, shuffled by a fixed seed: the same for every DIR. */
static size_t *page_order(size_t pages)
{
	size_t *order = xmalloc(pages * sizeof(*order));
	uint64_t x = 0x9e3779b97f4a7c15ull;	/* xorshift64, fixed seed */
	size_t i, j, tmp;

	for (i = 0; i < pages; i++)
		order[i] = i;
	for (i = pages; i > 1; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (size_t)(x % i);
		tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
	return order;
}

/*
 * Repetition by repetition, figure by figure, each target in turn.  Each
 * repetition starts one target further on (A-B-C, B-C-A, C-A-B, ...): on a
 * machine where running first, or right after another target, costs a few
 * percent (writeback of the previous target's data, say), that cost falls
 * on every target alike over the repetitions instead of always on one.
 */
static void run_all(const struct opts *o)
{
	unsigned char *buf = xmalloc((size_t)o->block);
	size_t page_size = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (size_t)((o->size + page_size - 1) / page_size);
	size_t *order = page_order(pages);
	uint64_t want = expected_sum(o, pages, page_size);
	unsigned long r;
	size_t i, k;
	int f;

	/* Not zeros: no filesystem should get to treat the data as special. */
	for (i = 0; i < o->block; i++)
		buf[i] = data_byte(o, i);
	for (r = 0; r < o->reps; r++) {
		for (f = 0; f < FIG_COUNT; f++) {
			for (k = 0; k < ntargets; k++) {
				struct target *t;

				i = (k + r) % ntargets;
				t = &targets[i];

				switch (f) {
				case FIG_WRITE:
					t->samples[f][r] = bench_write(t, o, buf);
					break;
				case FIG_READ:
					t->samples[f][r] = bench_read(t, o, buf);
					break;
				case FIG_STAT:
				case FIG_OPEN_READ:
					t->samples[f][r] = bench_open(t, f == FIG_OPEN_READ);
					break;
				case FIG_MMAP_SEQ:
					t->samples[f][r] = bench_mmap_seq(t, o, pages,
									  page_size, want);
					break;
				case FIG_MMAP_RAND:
					t->samples[f][r] = bench_mmap_rand(t, o, buf, order,
									   pages, page_size,
									   want);
					break;
				}
			}
		}
	}
	free(order);
	free(buf);
}

/* --- the report ---------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct stats stats_of(const double *samples, unsigned long n)
{
	double *s = xmalloc(n * sizeof(*s));
	struct stats st;

	memcpy(s, samples, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	st.min = s[0];
	st.max = s[n - 1];
	st.median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return st;
}

static void print_text(const struct opts *o)
{
	struct stats st, base;
	size_t i;
	int f;

	printf("pcc-bench: %" PRIu64 " KiB file in %" PRIu64 " KiB blocks, %lu "
	       "files, %lu repetitions, caches dropped: %s\n", o->size >> 10,
	       o->block >> 10, nfiles, o->reps, o->drop_caches ? "yes" : "no");
	for (i = 0; i < ntargets; i++) {
		printf("[%zu] %s\n", i + 1, targets[i].dir);
		printf("    %-17s %6s %12s %12s %12s%s\n", "figure", "unit",
		       "median", "min", "max", i ? "  ratio" : "");
		for (f = 0; f < FIG_COUNT; f++) {
			st = stats_of(targets[i].samples[f], o->reps);
			printf("    %-17s %6s %12.2f %12.2f %12.2f", fig_info[f].key,
			       fig_info[f].unit, st.median, st.min, st.max);
			if (i) {
				base = stats_of(targets[0].samples[f], o->reps);
				printf("  [%zu]/[1] %.3f", i + 1, st.median / base.median);
			}
			putchar('\n');
		}
	}
}

static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* One figure per line: passthrough.sh reads it with awk. */
static void print_json_figure(const struct opts *o, size_t i, int f, bool last)
{
	struct stats st = stats_of(targets[i].samples[f], o->reps), base;
	unsigned long r;

	printf("      {\"figure\": \"%s\", \"unit\": \"%s\", \"median\": %.3f, "
	       "\"min\": %.3f, \"max\": %.3f, \"samples\": [", fig_info[f].key,
	       fig_info[f].unit, st.median, st.min, st.max);
	for (r = 0; r < o->reps; r++)
		printf("%s%.3f", r ? ", " : "", targets[i].samples[f][r]);
	printf("], \"ratio\": ");
	if (i) {
		base = stats_of(targets[0].samples[f], o->reps);
		printf("%.4f", st.median / base.median);
	} else {
		printf("null");
	}
	printf("}%s\n", last ? "" : ",");
}

static void print_json(const struct opts *o)
{
	size_t i;
	int f;

	printf("{\n  \"size\": %" PRIu64 ", \"block\": %" PRIu64 ", \"files\": %lu,"
	       " \"reps\": %lu, \"drop_caches\": %s,\n  \"dirs\": [\n", o->size,
	       o->block, nfiles, o->reps, o->drop_caches ? "true" : "false");
	for (i = 0; i < ntargets; i++) {
		printf("    {\"dir\": ");
		print_json_string(targets[i].dir);
		printf(", \"figures\": [\n");
		for (f = 0; f < FIG_COUNT; f++)
			print_json_figure(o, i, f, f == FIG_COUNT - 1);
		printf("    ]}%s\n", i + 1 < ntargets ? "," : "");
	}
	printf("  ]\n}\n");
}

/* --- options ------------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("usage: pcc-bench [-s size] [-b block] [-n files] [-r reps] [-c]"
	      " [--json] DIR [DIR...]\n"
	      "  -s size   sequential file size (default 64m; k, m, g suffixes);\n"
	      "            the mmap figures map and touch it too\n"
	      "  -b block  write and read size (default 1m)\n"
	      "  -n files  files for open+fstat+close (default 1000)\n"
	      "  -r reps   repetitions, DIRs interleaved in each (default 5)\n"
	      "  -c        drop the page cache before each cold read (root)\n"
	      "  --json    JSON instead of text\n"
	      "       pcc-bench VERB ...: cached-file benchmarks (mkfile, mktree,"
	      " verify,\n       copies, mkcopies, seqread, smallfiles, mmaprand,"
	      " openclose,\n       record, timeit, startup; see bench-cached.c)\n", f);
}

static void usage_error(const char *what, const char *arg)
	__attribute__((noreturn));

static void usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "pcc-bench: %s: %s\n", what, arg);
	usage(stderr);
	exit(2);
}

static void parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "s:b:n:r:ch", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_size(optarg, &o->size) < 0 || !o->size)
				usage_error("-s: not a size", optarg);
			break;
		case 'b':
			if (parse_size(optarg, &o->block) < 0 || !o->block ||
			    o->block > (1u << 30))
				usage_error("-b: not a block size up to 1g", optarg);
			break;
		case 'n':
			if (parse_count(optarg, &o->files) < 0 || !o->files)
				usage_error("-n: not a count", optarg);
			break;
		case 'r':
			if (parse_count(optarg, &o->reps) < 0 || !o->reps)
				usage_error("-r: not a count", optarg);
			break;
		case 'c': o->drop_caches = true; break;
		case 'j': o->json = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind == argc)
		usage_error("no DIR", "give at least one directory");
}

int main(int argc, char **argv)
{
	struct opts o = {
		.size = 64 << 20, .block = 1 << 20, .files = 1000, .reps = 5,
	};
	size_t i;
	int ret;

	/* pcc-bench VERB ...: the cached-file benchmarks (bench-cached.c) */
	ret = pcc_bench_verb(argc, argv);
	if (ret >= 0)
		return ret;
	parse_args(&o, argc, argv);
	nfiles = o.files;
	ntargets = (size_t)(argc - optind);
	targets = xmalloc(ntargets * sizeof(*targets));
	memset(targets, 0, ntargets * sizeof(*targets));
	for (i = 0; i < ntargets; i++)
		targets[i].dir = argv[optind + (int)i];
	for (i = 0; i < ntargets; i++)
		setup_target(&targets[i], i, o.reps);
	run_all(&o);
	cleanup();
	if (o.json)
		print_json(&o);
	else
		print_text(&o);
	for (i = 0; i < ntargets; i++)
		free_target(&targets[i]);
	free(targets);
	return 0;
}
