// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-epoch: one training epoch's worth of reading, timed.
 *
 *   pcc-epoch [-m FILE] DIR
 *   pcc-epoch fill SIZE SEED FILE [SIZE SEED FILE]...
 *
 * Reads every regular file under DIR whole, with read(2) into a 1 MiB
 * buffer, as a data loader does; FILE (a path under DIR, relative to DIR
 * or absolute) is instead mapped with mmap(PROT_READ, MAP_SHARED) and every
 * byte of it read through the mapping, so every page faults in, as model
 * weights are loaded.  Then one line:
 *
 *   files N bytes N seconds S mb_per_s R small_files N small_bytes N
 *   small_seconds S large_files N large_bytes N large_seconds S
 *   mmap_bytes N mmap_seconds S checksum HEX
 *
 * (one line, keys and values separated by spaces).  seconds is the
 * wall-clock time of the whole walk; mb_per_s is bytes / seconds in 10^6
 * bytes per second.  The time from each open to its close is added to one
 * of three parts: files read with read(2) below 1 MiB (small_*), from
 * 1 MiB (large_*), and FILE (mmap_*); what is left of seconds went to
 * reading directories and lstat.  checksum is
 * a 64-bit hash of every file's path (relative to DIR) and contents,
 * independent of the order the directory lists them in: two trees with the
 * same files and the same bytes give the same checksum, wherever they are.
 *
 * fill writes each FILE (created or truncated) with SIZE bytes (a plain
 * number) of pseudo-random data from SEED: a dataset made in one process
 * rather than one per file.
 *
 * Exit 0; 1 on any error (named on stderr), or if FILE was not among the
 * files found; 2 on a usage error.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define BUF_SIZE (1 << 20)
/* Files from this size on are "large". */
#define LARGE_SIZE (1 << 20)

static const char *prog = "pcc-epoch";

struct epoch {
	const char *mmap_rel;	/* FILE, relative to DIR; NULL without -m */
	bool mmap_seen;
	unsigned long files, small_files, large_files;
	uint64_t bytes, small_bytes, large_bytes, mmap_bytes;
	double small_seconds, large_seconds, mmap_seconds;
	uint64_t checksum;
	unsigned char *buf;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A 64-bit hash fed 8 bytes at a time (FNV-1a's multiply, on words rather
 * than bytes, so that it costs little next to the I/O it checks).  The
 * state carries over between calls; a tail shorter than a word is padded
 * with zeros, so only the last chunk of a file may have one.
 */
#define HASH_INIT 0xcbf29ce484222325ULL
#define HASH_MUL 0x100000001b3ULL

static uint64_t hash_bytes(uint64_t h, const unsigned char *p, size_t n)
{
	uint64_t w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * HASH_MUL;
	}
	if (n) {
		w = 0;
		memcpy(&w, p, n);
		h = (h ^ w ^ ((uint64_t)n << 56)) * HASH_MUL;
	}
	return h;
}

/* Mixes a file's path and content hashes into one value to add up. */
static uint64_t file_sum(const char *rel, uint64_t content, uint64_t size)
{
	uint64_t h = hash_bytes(HASH_INIT, (const unsigned char *)rel,
				strlen(rel));

	h = (h ^ content) * HASH_MUL;
	h = (h ^ size) * HASH_MUL;
	/* Final avalanche, so sums of similar files do not cancel out. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "%s: %s %s: %s\n", prog, what, path, strerror(errno));
	return -1;
}

/* Reads the open file @fd whole with read(2); its content hash in *@h. */
static int read_whole(struct epoch *e, int fd, const char *path, uint64_t *h,
		      uint64_t *size)
{
	ssize_t n;

	*h = HASH_INIT;
	*size = 0;
	for (;;) {
		/* Whole words per chunk, so the hash does not depend on it. */
		size_t got = 0;

		do {
			n = read(fd, e->buf + got, BUF_SIZE - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return fail("read", path);
			got += n;
		} while (n > 0 && got % 8);
		*h = hash_bytes(*h, e->buf, got);
		*size += got;
		if (!n)
			return 0;
	}
}

/* Maps the open file @fd and reads every byte of it through the mapping. */
static int map_whole(struct epoch *e, int fd, const char *path, uint64_t *h,
		     uint64_t *size)
{
	struct stat st;
	void *p;

	if (fstat(fd, &st) < 0)
		return fail("fstat", path);
	*size = st.st_size;
	*h = HASH_INIT;
	if (st.st_size) {
		p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return fail("mmap", path);
		*h = hash_bytes(*h, p, st.st_size);
		if (munmap(p, st.st_size) < 0)
			return fail("munmap", path);
	}
	e->mmap_seen = true;
	return 0;
}

/* Reads the tree under @dir; @rel is @dir's path relative to the top. */
static int walk(struct epoch *e, const char *dir, const char *rel)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	uint64_t h, size;
	struct stat st;
	bool mapped;
	double t0;
	int fd, ret = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return fail("opendir", dir);
	while (!ret) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				ret = fail("readdir", dir);
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     de->d_name) >= sizeof(path) ||
		    (size_t)snprintf(sub, sizeof(sub), "%s%s%s", rel,
				     *rel ? "/" : "", de->d_name) >= sizeof(sub)) {
			errno = ENAMETOOLONG;
			ret = fail("path of", de->d_name);
			break;
		}
		if (lstat(path, &st) < 0) {
			ret = fail("lstat", path);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			ret = walk(e, path, sub);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		mapped = e->mmap_rel && !strcmp(sub, e->mmap_rel);
		t0 = now();
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ret = fail("open", path);
			break;
		}
		if (mapped)
			ret = map_whole(e, fd, path, &h, &size);
		else
			ret = read_whole(e, fd, path, &h, &size);
		if (close(fd) < 0 && !ret)
			ret = fail("close", path);
		if (ret)
			break;
		t0 = now() - t0;
		if (mapped) {
			e->mmap_bytes += size;
			e->mmap_seconds += t0;
		} else if (size < LARGE_SIZE) {
			e->small_files++;
			e->small_bytes += size;
			e->small_seconds += t0;
		} else {
			e->large_files++;
			e->large_bytes += size;
			e->large_seconds += t0;
		}
		e->files++;
		e->bytes += size;
		e->checksum += file_sum(sub, h, size);
	}
	closedir(d);
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [-m FILE] DIR\n"
		"  read every file under DIR whole (FILE through mmap) and\n"
		"  print files, bytes, seconds, MB/s and a checksum\n"
		"       %s fill SIZE SEED FILE [SIZE SEED FILE]...\n"
		"  write each FILE with SIZE pseudo-random bytes from SEED\n",
		prog, prog);
}

static int parse_u64(const char *text, uint64_t *v)
{
	char *end;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	*v = strtoull(text, &end, 10);
	return errno || *end ? -1 : 0;
}

/* Writes @size bytes of xorshift64 output, seeded by @seed, to @path. */
static int fill_one(const char *path, uint64_t size, uint64_t seed,
		    unsigned char *buf)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1, left = size;
	size_t n, i, off;
	ssize_t w;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail("create", path);
	while (left) {
		n = left < BUF_SIZE ? left : BUF_SIZE;
		for (i = 0; i < n; i += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(buf + i, &x, n - i < 8 ? n - i : 8);
		}
		for (off = 0; off < n; off += w) {
			w = write(fd, buf + off, n - off);
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w < 0) {
				fail("write", path);
				close(fd);
				return -1;
			}
		}
		left -= n;
	}
	if (close(fd) < 0)
		return fail("close", path);
	return 0;
}

static int fill_main(int argc, char *argv[])
{
	uint64_t size, seed;
	unsigned char *buf;
	int i, ret = 0;

	if (argc < 4 || (argc - 1) % 3) {
		usage(stderr);
		return 2;
	}
	for (i = 1; i < argc; i += 3) {
		if (parse_u64(argv[i], &size) || parse_u64(argv[i + 1], &seed)) {
			fprintf(stderr, "%s: fill: bad SIZE '%s' or SEED '%s'\n",
				prog, argv[i], argv[i + 1]);
			return 2;
		}
	}
	buf = malloc(BUF_SIZE);
	if (!buf) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	for (i = 1; i < argc && !ret; i += 3) {
		parse_u64(argv[i], &size);
		parse_u64(argv[i + 1], &seed);
		ret = fill_one(argv[i + 2], size, seed, buf);
	}
	free(buf);
	return ret ? 1 : 0;
}

int main(int argc, char *argv[])
{
	struct epoch e = { 0 };
	const char *top, *map = NULL;
	double t0, secs;
	size_t n;
	int c;

	if (argc > 1 && !strcmp(argv[1], "fill"))
		return fill_main(argc - 1, argv + 1);
	while ((c = getopt(argc, argv, "m:h")) != -1) {
		switch (c) {
		case 'm':
			map = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return 2;
	}
	top = argv[optind];
	n = strlen(top);
	while (n > 1 && top[n - 1] == '/')
		n--;
	if (map) {
		/* An absolute FILE must be under DIR, named as DIR names it. */
		if (map[0] == '/') {
			if (strncmp(map, top, n) || map[n] != '/') {
				fprintf(stderr, "%s: -m %s is not under %s\n",
					prog, map, top);
				return 2;
			}
			map += n + 1;
		}
		while (*map == '/')
			map++;
		if (!*map) {
			fprintf(stderr, "%s: -m names no file\n", prog);
			return 2;
		}
		e.mmap_rel = map;
	}
	e.buf = malloc(BUF_SIZE);
	if (!e.buf) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	t0 = now();
	if (walk(&e, top, "")) {
		free(e.buf);
		return 1;
	}
	secs = now() - t0;
	free(e.buf);
	if (e.mmap_rel && !e.mmap_seen) {
		fprintf(stderr, "%s: %s: no such file under %s\n", prog,
			e.mmap_rel, top);
		return 1;
	}
	printf("files %lu bytes %" PRIu64 " seconds %.3f mb_per_s %.1f "
	       "small_files %lu small_bytes %" PRIu64 " small_seconds %.3f "
	       "large_files %lu large_bytes %" PRIu64 " large_seconds %.3f "
	       "mmap_bytes %" PRIu64 " mmap_seconds %.3f checksum %016" PRIx64
	       "\n", e.files, e.bytes, secs,
	       secs > 0 ? e.bytes / secs / 1e6 : 0.0,
	       e.small_files, e.small_bytes, e.small_seconds,
	       e.large_files, e.large_bytes, e.large_seconds,
	       e.mmap_bytes, e.mmap_seconds, e.checksum);
	return 0;
}
