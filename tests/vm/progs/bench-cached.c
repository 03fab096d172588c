// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-cached.c - the verbs of pcc-bench that measure cached files
 * (tests/bench, issue 12's B1..B7): files with a checkable pattern, cache
 * copies made in bulk, and timed workloads over LABEL=PATH targets taken
 * side by side, each repetition taking every target in turn.
 *
 *   pcc-bench mkfile [--id N] SIZE PATH
 *   pcc-bench mktree DIR NSMALL SMALLSIZE NLARGE LARGESIZE
 *   pcc-bench verify PATH...            (@LIST: the paths LIST names)
 *   pcc-bench copies ROOT < PCC-PATHS    the copy of each pcc file, a line each
 *   pcc-bench mkcopies LOWER MNT ROOT DSID FROM TO
 *   pcc-bench seqread    COMMON [-b block] [--cold] LABEL=FILE...
 *   pcc-bench smallfiles COMMON [--cold] LABEL=@LIST...
 *   pcc-bench mmaprand   COMMON [-n reads] LABEL=FILE...
 *   pcc-bench openclose  COMMON [-n rounds] [--cold] LABEL=@LIST...
 *   pcc-bench record     COMMON [--lower-better] LABEL=V1,V2,...
 *   pcc-bench timeit CMD [ARG...]        seconds CMD took (its exit status)
 *   pcc-bench startup LOG TEXT CMD [ARG...]
 *
 * COMMON is --bench ID --figure NAME [--unit U] [-r reps].  A timed verb
 * prints one JSON line (tests/bench/report reads them):
 *   {"bench": "B1", "figure": "...", "unit": "MiB/s", "better": "higher",
 *    "reps": 5, "targets": [{"label": "pcc", "median": .., "min": ..,
 *    "max": .., "samples": [..]}, ...]}
 *
 * What the workloads read is checked against the pattern mkfile wrote (a
 * word every 4 KiB and the last byte of each read: cheap enough not to
 * weigh on the figures; verify checks every byte), so a benchmark that
 * read the wrong data fails rather than reports a figure.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache-copy.h"
#include "progs-common.h"
#include "bench-cached.h"

#define PAGE 4096u
#define MAX_TARGETS 8

static void vdie(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void vdie(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("pcc-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

#define vdie_sys(call, path) vdie("%s %s: %s", call, path, strerror(errno))

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *zalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		vdie("out of memory");
	return p;
}

/* --- the pattern --------------------------------------------------------- */

/*
 * Word 0 of a file is its id; word i > 0 is a mix of the id and i.  A file
 * read back can thus be checked anywhere without knowing its name, and a
 * file of zeros, or one shifted by a word, fails.
 */
static uint64_t pattern_word(uint64_t id, uint64_t i)
{
	uint64_t x;

	if (!i)
		return id;
	x = id * 0x9e3779b97f4a7c15ull + i;
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The byte at OFF of file ID. */
static unsigned char pattern_byte(uint64_t id, uint64_t off)
{
	uint64_t w = pattern_word(id, off / 8);

	return (unsigned char)(w >> (8 * (off % 8)));
}

static void pattern_fill(uint64_t id, uint64_t off, unsigned char *buf,
			 size_t len)
{
	size_t k = 0;

	while (k < len && (off + k) % 8)
		buf[k] = pattern_byte(id, off + k), k++;
	for (; k + 8 <= len; k += 8) {
		uint64_t w = pattern_word(id, (off + k) / 8);
		int b;

		for (b = 0; b < 8; b++)
			buf[k + b] = (unsigned char)(w >> (8 * b));
	}
	for (; k < len; k++)
		buf[k] = pattern_byte(id, off + k);
}

/*
 * Is BUF (LEN bytes at OFF of file ID) the pattern?  Every byte with STRIDE
 * 1; else the 8-byte word (or the byte, unaligned) at each multiple of
 * STRIDE, and the last byte.
 */
static bool pattern_ok(uint64_t id, uint64_t off, const unsigned char *buf,
		       size_t len, size_t stride)
{
	unsigned char w[8];
	size_t k;

	if (!len)
		return true;
	if (pattern_byte(id, off + len - 1) != buf[len - 1])
		return false;
	if (stride <= 1) {
		static unsigned char want[1 << 16];
		size_t n;

		for (k = 0; k < len; k += n) {
			n = len - k < sizeof(want) ? len - k : sizeof(want);
			pattern_fill(id, off + k, want, n);
			if (memcmp(want, buf + k, n))
				return false;
		}
		return true;
	}
	for (k = (size_t)((stride - off % stride) % stride); k < len; k += stride) {
		if ((off + k) % 8 || k + 8 > len) {
			if (pattern_byte(id, off + k) != buf[k])
				return false;
			continue;
		}
		pattern_fill(id, off + k, w, 8);
		if (memcmp(w, buf + k, 8))
			return false;
	}
	return true;
}

/* The id of the file open at FD: its word 0 (files are at least 8 bytes). */
static uint64_t file_id(int fd, const char *path)
{
	unsigned char b[8];
	uint64_t id = 0;
	int i;

	if (pread(fd, b, 8, 0) != 8)
		vdie("%s: shorter than 8 bytes, not a pcc-bench file", path);
	for (i = 0; i < 8; i++)
		id |= (uint64_t)b[i] << (8 * i);
	return id;
}

/* --- making data --------------------------------------------------------- */

static void write_pattern(const char *path, uint64_t id, uint64_t size)
{
	static unsigned char buf[1 << 20];
	uint64_t off = 0;
	size_t n;
	int fd;

	if (size < 8)
		vdie("%s: a file is at least 8 bytes", path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		vdie_sys("open", path);
	while (off < size) {
		n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		pattern_fill(id, off, buf, n);
		if (write(fd, buf, n) != (ssize_t)n)
			vdie_sys("write", path);
		off += n;
	}
	if (close(fd) < 0)
		vdie_sys("close", path);
}

static int verb_mkfile(int argc, char **argv)
{
	uint64_t size, id = 1;
	unsigned long v;
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "--id")) {
		if (parse_count(argv[2], &v) < 0)
			vdie("--id: not a number: %s", argv[2]);
		id = v;
		i = 3;
	}
	if (argc - i != 2 || parse_size(argv[i], &size) < 0)
		vdie("usage: mkfile [--id N] SIZE PATH");
	write_pattern(argv[i + 1], id, size);
	return 0;
}

static void mkdir_p(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		vdie_sys("mkdir", path);
}

/*
 * DIR/small/dNNN/fNNNNNN (100 a directory), sizes spread from SMALLSIZE/8
 * to SMALLSIZE, and DIR/large/fNN of LARGESIZE: a dataset as training data
 * looks.  Ids are distinct across the tree.
 */
static int verb_mktree(int argc, char **argv)
{
	unsigned long nsmall, nlarge, i;
	uint64_t ssize, lsize, sz;
	char path[PATH_MAX];

	if (argc != 6 || parse_count(argv[2], &nsmall) < 0 ||
	    parse_size(argv[3], &ssize) < 0 || parse_count(argv[4], &nlarge) < 0 ||
	    parse_size(argv[5], &lsize) < 0 || ssize < 64 || lsize < 8)
		vdie("usage: mktree DIR NSMALL SMALLSIZE(>=64) NLARGE LARGESIZE");
	mkdir_p(argv[1]);
	snprintf(path, sizeof(path), "%s/small", argv[1]);
	mkdir_p(path);
	for (i = 0; i < nsmall; i++) {
		if (i % 100 == 0) {
			snprintf(path, sizeof(path), "%s/small/d%03lu", argv[1], i / 100);
			mkdir_p(path);
		}
		snprintf(path, sizeof(path), "%s/small/d%03lu/f%06lu", argv[1],
			 i / 100, i);
		/* 1/8 to 8/8 of SMALLSIZE, in eighths, 8-byte aligned */
		sz = (ssize / 8 * (i % 8 + 1)) & ~(uint64_t)7;
		write_pattern(path, 1000 + i, sz < 8 ? 8 : sz);
	}
	snprintf(path, sizeof(path), "%s/large", argv[1]);
	mkdir_p(path);
	for (i = 0; i < nlarge; i++) {
		snprintf(path, sizeof(path), "%s/large/f%02lu", argv[1], i);
		write_pattern(path, 10 + i, lsize);
	}
	return 0;
}

/* --- paths: PATH or @LIST ------------------------------------------------ */

struct paths {
	char **v;
	size_t n;
};

static void paths_add(struct paths *p, const char *s)
{
	if (!(p->n & (p->n + 1)) || !p->n) {
		char **v = realloc(p->v, (p->n * 2 + 2) * sizeof(*v));

		if (!v)
			vdie("out of memory");
		p->v = v;
	}
	p->v[p->n] = strdup(s);
	if (!p->v[p->n])
		vdie("out of memory");
	p->n++;
}

/* ARG is a path, or @FILE: the paths FILE names, one a line. */
static void paths_of(struct paths *p, const char *arg)
{
	char line[PATH_MAX + 2];
	size_t len;
	FILE *f;

	if (arg[0] != '@') {
		paths_add(p, arg);
		return;
	}
	f = fopen(arg + 1, "r");
	if (!f)
		vdie_sys("open", arg + 1);
	while (fgets(line, sizeof(line), f)) {
		len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len)
			paths_add(p, line);
	}
	fclose(f);
	if (!p->n)
		vdie("%s names no file", arg + 1);
}

/* Read the whole file at PATH and check it; returns its size. */
static uint64_t read_check(const char *path, unsigned char *buf, size_t bufsz,
			   size_t stride, bool with_fstat)
{
	uint64_t off = 0, id;
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		vdie_sys("open", path);
	if (with_fstat && fstat(fd, &st) < 0)
		vdie_sys("fstat", path);
	id = 0;
	for (;;) {
		n = read(fd, buf, bufsz);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			vdie_sys("read", path);
		if (!n)
			break;
		if (!off) {
			int i;

			if (n < 8)
				vdie("%s: shorter than 8 bytes", path);
			for (i = 0; i < 8; i++)
				id |= (uint64_t)buf[i] << (8 * i);
		}
		if (!pattern_ok(id, off, buf, (size_t)n, stride))
			vdie("%s: wrong data in bytes %" PRIu64 "..%" PRIu64, path,
			     off, off + (uint64_t)n);
		off += (uint64_t)n;
	}
	if (with_fstat && (uint64_t)st.st_size != off)
		vdie("%s: read %" PRIu64 " bytes, fstat says %lld", path, off,
		     (long long)st.st_size);
	if (close(fd) < 0)
		vdie_sys("close", path);
	return off;
}

static int verb_verify(int argc, char **argv)
{
	static unsigned char buf[1 << 20];
	struct paths p = { 0 };
	uint64_t bytes = 0;
	int i;

	if (argc < 2)
		vdie("usage: verify PATH|@LIST...");
	for (i = 1; i < argc; i++)
		paths_of(&p, argv[i]);
	for (size_t k = 0; k < p.n; k++)
		bytes += read_check(p.v[k], buf, sizeof(buf), 1, true);
	printf("verified %zu files, %" PRIu64 " bytes\n", p.n, bytes);
	return 0;
}

/* --- copies -------------------------------------------------------------- */

/* For each pcc path on stdin, the path of its copy under ROOT. */
static int verb_copies(int argc, char **argv)
{
	char line[PATH_MAX + 2], name[PCC_CACHE_NAME_MAX];
	struct pcc_version v;
	size_t len;
	int fd, err;

	if (argc != 2)
		vdie("usage: copies ROOT < PCC-PATHS");
	while (fgets(line, sizeof(line), stdin)) {
		len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len)
			continue;
		fd = open(line, O_RDONLY);
		if (fd < 0)
			vdie_sys("open", line);
		err = pcc_get_version(fd, &v);
		if (!err)
			err = pcc_copy_relpath(&v, name);
		if (err)
			vdie("%s: no version: %s", line, strerror(-err));
		close(fd);
		printf("%s/%s\n", argv[1], name);
	}
	return 0;
}

/* Files FROM..TO-1 of LOWER and their copies, made through MNT. */
static void mkcopies_range(char **argv, unsigned long dsid, unsigned long from,
			   unsigned long to)
{
	char lpath[PATH_MAX], mpath[PATH_MAX], copy[PATH_MAX];
	struct pcc_copy_opts o = { 0 };
	unsigned long i;
	int fd, err;

	for (i = from; i < to; i++) {
		if (i == from || i % 1000 == 0) {
			snprintf(lpath, sizeof(lpath), "%s/d%03lu", argv[1], i / 1000);
			mkdir_p(lpath);
		}
		snprintf(lpath, sizeof(lpath), "%s/d%03lu/f%06lu", argv[1],
			 i / 1000, i);
		write_pattern(lpath, 100000 + i, 64);
	}
	o.root = argv[3];
	o.dataset_id = (unsigned int)dsid;
	o.retries = 3;
	o.no_sync = true;
	for (i = from; i < to; i++) {
		snprintf(mpath, sizeof(mpath), "%s/d%03lu/f%06lu", argv[2],
			 i / 1000, i);
		fd = open(mpath, O_RDONLY);
		if (fd < 0)
			vdie_sys("open", mpath);
		err = pcc_make_copy(fd, &o, copy);
		if (err)
			vdie("copy of %s: %s", mpath, strerror(-err));
		close(fd);
	}
}

/*
 * Files FROM..TO-1 made on LOWER (LOWER/dNNN/fNNNNNN, 64 bytes), then a
 * copy of each, made through MNT (a pcc mount of LOWER) into the dataset
 * ROOT of id DSID as pcc-ctl cache makes one, but not fsynced one by one:
 * one syncfs at the end.  Copies a crash could lose are no concern here
 * and 100,000 fsyncs take long under TCG.  Two processes share the range,
 * in blocks of 1000 (one lower directory each): the guest has two CPUs.
 */
static int verb_mkcopies(int argc, char **argv)
{
	unsigned long from, to, dsid, mid;
	double t0 = mono();
	pid_t pid;
	int fd, st;

	if (argc != 7 || parse_count(argv[4], &dsid) < 0 ||
	    parse_count(argv[5], &from) < 0 || parse_count(argv[6], &to) < 0 ||
	    from > to)
		vdie("usage: mkcopies LOWER MNT ROOT DSID FROM TO");
	mid = from + (to - from) / 2;
	if (mid % 1000 && mid / 1000 * 1000 > from)
		mid = mid / 1000 * 1000;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		vdie_sys("fork", "mkcopies");
	if (!pid) {
		mkcopies_range(argv, dsid, mid, to);
		_exit(0);
	}
	mkcopies_range(argv, dsid, from, mid);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		vdie("mkcopies: the second process failed");
	fd = open(argv[3], O_RDONLY | O_DIRECTORY);
	if (fd < 0 || syncfs(fd) < 0)
		vdie_sys("syncfs", argv[3]);
	close(fd);
	fprintf(stderr, "pcc-bench: mkcopies: %lu files and copies in %.1f s\n",
		to - from, mono() - t0);
	return 0;
}

/* --- the timed verbs ----------------------------------------------------- */

struct tgt {
	const char *label;
	const char *arg;	/* what follows LABEL= */
	struct paths paths;
	double *samples;
};

struct common {
	const char *bench, *figure, *unit;
	unsigned long reps;
	unsigned long n;	/* -n: reads or rounds */
	uint64_t block;
	bool cold, lower_better;
	struct tgt t[MAX_TARGETS];
	size_t nt;
};

static void drop_pages(void)
{
	static const char knob[] = "/proc/sys/vm/drop_caches";
	int fd;

	sync();
	fd = open(knob, O_WRONLY);
	if (fd < 0)
		vdie("--cold: open %s: %s (needs root)", knob, strerror(errno));
	/* 1: pages only, so that inodes (and what is attached) stay */
	if (write(fd, "1\n", 2) != 2)
		vdie_sys("--cold: write", knob);
	close(fd);
}

static void drop_inodes(void)
{
	static const char knob[] = "/proc/sys/vm/drop_caches";
	int fd;

	sync();
	fd = open(knob, O_WRONLY);
	if (fd < 0 || write(fd, "2\n", 2) != 2)
		vdie_sys("write", knob);
	close(fd);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void print_result(const struct common *c)
{
	double *s = zalloc(c->reps * sizeof(*s));
	size_t i;
	unsigned long r;

	printf("{\"bench\": \"%s\", \"figure\": \"%s\", \"unit\": \"%s\", "
	       "\"better\": \"%s\", \"reps\": %lu, \"targets\": [", c->bench,
	       c->figure, c->unit, c->lower_better ? "lower" : "higher", c->reps);
	for (i = 0; i < c->nt; i++) {
		memcpy(s, c->t[i].samples, c->reps * sizeof(*s));
		qsort(s, c->reps, sizeof(*s), cmp_d);
		printf("%s{\"label\": \"%s\", \"median\": %.4f, \"min\": %.4f, "
		       "\"max\": %.4f, \"samples\": [", i ? ", " : "",
		       c->t[i].label, c->reps % 2 ? s[c->reps / 2] :
		       (s[c->reps / 2 - 1] + s[c->reps / 2]) / 2, s[0],
		       s[c->reps - 1]);
		for (r = 0; r < c->reps; r++)
			printf("%s%.4f", r ? ", " : "", c->t[i].samples[r]);
		printf("]}");
	}
	printf("]}\n");
	fflush(stdout);
	free(s);
}

/* Options, then LABEL=ARG targets. */
static void parse_common(struct common *c, int argc, char **argv, bool lists)
{
	static const struct option lo[] = {
		{ "bench", required_argument, NULL, 'B' },
		{ "figure", required_argument, NULL, 'F' },
		{ "unit", required_argument, NULL, 'U' },
		{ "cold", no_argument, NULL, 'C' },
		{ "lower-better", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	int o, i;

	c->reps = 5;
	c->block = 1 << 20;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+r:n:b:", lo, NULL)) != -1) {
		switch (o) {
		case 'B': c->bench = optarg; break;
		case 'F': c->figure = optarg; break;
		case 'U': c->unit = optarg; break;
		case 'C': c->cold = true; break;
		case 'L': c->lower_better = true; break;
		case 'r':
			if (parse_count(optarg, &c->reps) < 0 || !c->reps)
				vdie("-r: not a count: %s", optarg);
			break;
		case 'n':
			if (parse_count(optarg, &c->n) < 0 || !c->n)
				vdie("-n: not a count: %s", optarg);
			break;
		case 'b':
			if (parse_size(optarg, &c->block) < 0 || !c->block ||
			    c->block > (1u << 30))
				vdie("-b: not a block size up to 1g: %s", optarg);
			break;
		default:
			vdie("%s: bad options (see the head of bench-cached.c)", argv[0]);
		}
	}
	if (!c->bench || !c->figure)
		vdie("%s: --bench and --figure are needed", argv[0]);
	if (optind == argc)
		vdie("%s: no LABEL=TARGET", argv[0]);
	for (i = optind; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		struct tgt *t;

		if (c->nt == MAX_TARGETS)
			vdie("at most %d targets", MAX_TARGETS);
		if (!eq || eq == argv[i] || !eq[1])
			vdie("not LABEL=TARGET: %s", argv[i]);
		for (const char *p = argv[i]; p < eq; p++)
			if (!(*p == '_' || *p == '-' || (*p >= '0' && *p <= '9') ||
			      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
				vdie("a label is letters, digits, - and _: %s", argv[i]);
		t = &c->t[c->nt++];
		*eq = '\0';
		t->label = argv[i];
		t->arg = eq + 1;
		if (lists)
			paths_of(&t->paths, t->arg);
		t->samples = zalloc(c->reps * sizeof(double));
	}
}

/* Each repetition takes the targets in turn, starting one further on. */
#define FOR_EACH_SAMPLE(c, r, t)					\
	for (unsigned long r = 0; r < (c)->reps; r++)			\
		for (size_t k_ = 0; k_ < (c)->nt; k_++)			\
			for (struct tgt *t = &(c)->t[(k_ + r) % (c)->nt]; t; t = NULL)

/* MiB/s reading FILE whole in BLOCK reads; --cold: its pages dropped. */
static int verb_seqread(int argc, char **argv)
{
	struct common c = { .unit = "MiB/s" };
	unsigned char *buf;

	parse_common(&c, argc, argv, false);
	buf = zalloc(c.block);
	FOR_EACH_SAMPLE(&c, r, t) {
		uint64_t bytes;
		double t0;

		if (c.cold) {
			int fd = open(t->arg, O_RDONLY);

			if (fd < 0)
				vdie_sys("open", t->arg);
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
			close(fd);
			drop_pages();
		} else {
			read_check(t->arg, buf, c.block, PAGE, false); /* warm it */
		}
		t0 = mono();
		bytes = read_check(t->arg, buf, c.block, PAGE, false);
		t->samples[r] = (double)bytes / (1 << 20) / (mono() - t0);
	}
	print_result(&c);
	return 0;
}

/* ops/s of open+fstat+read whole+close of every file of the list. */
static int verb_smallfiles(int argc, char **argv)
{
	struct common c = { .unit = "files/s" };
	static unsigned char buf[1 << 20];

	parse_common(&c, argc, argv, true);
	FOR_EACH_SAMPLE(&c, r, t) {
		double t0;
		size_t i;

		/* names (and, without --cold, pages) cached: an untimed pass */
		for (i = 0; i < t->paths.n; i++)
			read_check(t->paths.v[i], buf, sizeof(buf), PAGE, true);
		if (c.cold)
			drop_pages();
		t0 = mono();
		for (i = 0; i < t->paths.n; i++)
			read_check(t->paths.v[i], buf, sizeof(buf), PAGE, true);
		t->samples[r] = (double)t->paths.n / (mono() - t0);
	}
	print_result(&c);
	return 0;
}

/*
 * MiB/s of N 4 KiB reads (memcpy) at random pages of a fresh MAP_SHARED
 * mapping of FILE, its pages cached first (read() whole): the cost of the
 * faults and of the copies, no I/O.  The same pages for every target.
 */
static int verb_mmaprand(int argc, char **argv)
{
	struct common c = { .unit = "MiB/s" };
	unsigned char page[PAGE], *buf;

	parse_common(&c, argc, argv, false);
	if (!c.n)
		c.n = 16384;
	buf = zalloc(c.block);
	FOR_EACH_SAMPLE(&c, r, t) {
		uint64_t x = 0x2545f4914f6cdd1dull, id, size, pages, p;
		const unsigned char *map;
		struct stat st;
		double t0;
		unsigned long i;
		int fd;

		size = read_check(t->arg, buf, c.block, PAGE, false);
		pages = size / PAGE;
		if (!pages)
			vdie("%s: smaller than a page", t->arg);
		fd = open(t->arg, O_RDONLY);
		if (fd < 0 || fstat(fd, &st) < 0)
			vdie_sys("open", t->arg);
		id = file_id(fd, t->arg);
		t0 = mono();
		map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			vdie_sys("mmap", t->arg);
		for (i = 0; i < c.n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			p = x % pages;
			memcpy(page, map + p * PAGE, PAGE);
			if (!pattern_ok(id, p * PAGE, page, PAGE, PAGE / 2))
				vdie("%s: wrong data through the mapping at page %" PRIu64,
				     t->arg, p);
		}
		if (munmap((void *)map, (size_t)size) < 0)
			vdie_sys("munmap", t->arg);
		t->samples[r] = (double)c.n * PAGE / (1 << 20) / (mono() - t0);
		close(fd);
	}
	print_result(&c);
	return 0;
}

/*
 * ops/s of open+close, N rounds over the files of the list.  --cold drops
 * dentries and inodes first, so each first open looks the file up and
 * attaches its copy again.
 */
static int verb_openclose(int argc, char **argv)
{
	struct common c = { .unit = "opens/s" };

	parse_common(&c, argc, argv, true);
	if (!c.n)
		c.n = 1000;
	FOR_EACH_SAMPLE(&c, r, t) {
		unsigned long round, ops = 0;
		double t0;
		size_t i;
		int fd;

		if (c.cold)
			drop_inodes();
		t0 = mono();
		for (round = 0; round < c.n; round++)
			for (i = 0; i < t->paths.n; i++, ops++) {
				fd = open(t->paths.v[i], O_RDONLY);
				if (fd < 0)
					vdie_sys("open", t->paths.v[i]);
				close(fd);
			}
		t->samples[r] = (double)ops / (mono() - t0);
	}
	print_result(&c);
	return 0;
}

/* Samples measured elsewhere (seconds of timeit, KiB of /proc), reported. */
static int verb_record(int argc, char **argv)
{
	struct common c = { 0 };
	unsigned long n;
	size_t i;

	/* the sample count is the targets' own: parse after counting */
	parse_common(&c, argc, argv, false);
	for (i = 0; i < c.nt; i++) {
		const char *p = c.t[i].arg;
		char *end;

		n = 1;
		for (const char *q = p; *q; q++)
			n += *q == ',';
		if (i == 0 && n != c.reps) {
			/* -r is implied by the first target's samples */
			c.reps = n;
			for (size_t j = 0; j < c.nt; j++) {
				free(c.t[j].samples);
				c.t[j].samples = zalloc(n * sizeof(double));
			}
		}
		if (n != c.reps)
			vdie("record: %s has %lu samples, %s %lu", c.t[i].label, n,
			     c.t[0].label, c.reps);
		for (n = 0; n < c.reps; n++) {
			errno = 0;
			c.t[i].samples[n] = strtod(p, &end);
			if (errno || end == p || (*end && *end != ','))
				vdie("record: not a number in %s", c.t[i].arg);
			p = end + 1;
		}
	}
	if (!c.unit)
		c.unit = "";
	print_result(&c);
	return 0;
}

/* Seconds CMD took, on stdout; CMD's own output goes to stderr. */
static int verb_timeit(int argc, char **argv)
{
	double t0;
	pid_t pid;
	int st;

	if (argc < 2)
		vdie("usage: timeit CMD [ARG...]");
	t0 = mono();
	pid = fork();
	if (pid < 0)
		vdie_sys("fork", argv[1]);
	if (!pid) {
		dup2(2, 1);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "pcc-bench: exec %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		vdie_sys("waitpid", argv[1]);
	printf("%.4f\n", mono() - t0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "pcc-bench: %s failed (status %#x)\n", argv[1], st);
		return 1;
	}
	return 0;
}

/*
 * Start CMD with its output into LOG, wait for a line containing TEXT and
 * print "PID SECONDS" (seconds from fork to that line).  A child of ours
 * goes on copying CMD's output to LOG after we exit.
 */
static int verb_startup(int argc, char **argv)
{
	char buf[4096], line[4096];
	size_t ll = 0;
	int pfd[2], logfd;
	double t0;
	pid_t pid;
	ssize_t n;

	if (argc < 4)
		vdie("usage: startup LOG TEXT CMD [ARG...]");
	logfd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (logfd < 0)
		vdie_sys("open", argv[1]);
	if (pipe(pfd) < 0)
		vdie_sys("pipe", "");
	fflush(stdout);
	t0 = mono();
	pid = fork();
	if (pid < 0)
		vdie_sys("fork", argv[3]);
	if (!pid) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		close(logfd);
		execvp(argv[3], argv + 3);
		fprintf(stderr, "pcc-bench: exec %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		n = read(pfd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			vdie("%s exited before saying '%s' (see %s)", argv[3], argv[2],
			     argv[1]);
		if (write(logfd, buf, (size_t)n) != n)
			vdie_sys("write", argv[1]);
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = '\0';
			ll = 0;
			if (strstr(line, argv[2]))
				goto ready;
		}
	}
ready:
	printf("%d %.4f\n", (int)pid, mono() - t0);
	fflush(stdout);
	if (fork() == 0) {
		/* the copier: until CMD closes its output */
		close(1);
		while ((n = read(pfd[0], buf, sizeof(buf))) != 0)
			if (n > 0 && write(logfd, buf, (size_t)n) != n)
				break;
		_exit(0);
	}
	return 0;
}

int pcc_bench_verb(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} verbs[] = {
		{ "mkfile", verb_mkfile }, { "mktree", verb_mktree },
		{ "verify", verb_verify }, { "copies", verb_copies },
		{ "mkcopies", verb_mkcopies }, { "seqread", verb_seqread },
		{ "smallfiles", verb_smallfiles }, { "mmaprand", verb_mmaprand },
		{ "openclose", verb_openclose }, { "record", verb_record },
		{ "timeit", verb_timeit }, { "startup", verb_startup },
	};
	size_t i;

	if (argc < 2)
		return -1;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	return -1;
}
