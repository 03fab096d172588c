// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-mmap - mapping checks:
 *   pcc-mmap shared FILE	MAP_SHARED: stores are seen by read(), writes
 *				by loads; msync; a second mapping agrees
 *   pcc-mmap private FILE	MAP_PRIVATE: stores stay private (COW)
 *   pcc-mmap sigbus FILE	truncate while mapped: access past the new
 *				end raises SIGBUS, before it works
 *   pcc-mmap threads FILE N	N threads store into one shared mapping,
 *				then every byte is checked through read()
 *   pcc-mmap lower-truncate FILE LOWER
 *				FILE mapped shared and private, LOWER (the
 *				same file seen on the lower) truncated: past
 *				the new end both mappings raise SIGBUS
 *   pcc-mmap truncate-race FILE SECONDS
 *				threads fault a shared mapping while the file
 *				is truncated, regrown and punched under them;
 *				the kernel log must stay clean, and at the end
 *				the mapping and read() agree
 *   pcc-mmap hold-ro FILE	map FILE shared, read-only, and read it all;
 *				close the descriptor, print "mapped" and
 *				wait for a line on stdin (the caller evicts
 *				its copy meanwhile); then the mapping must
 *				hold what it held, and read() through a new
 *				descriptor the same bytes; print "ok"
 *   pcc-mmap hold FILE		map FILE shared, close the descriptor, split
 *				the mapping (mprotect) and fork a child that
 *				stores into it; print "mapped" and wait for a
 *				line on stdin (the caller tries umount and
 *				rmmod meanwhile); then store, check through
 *				a new descriptor, and unmap
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define PAGES 64

static long pagesz;

static int create(const char *path, size_t size, char fill)
{
	char *buf = malloc(size);
	int fd;

	CHECK(buf);
	memset(buf, fill, size);
	fd = SYS(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK(SYS(write(fd, buf, size)) == (ssize_t)size);
	free(buf);
	return fd;
}

static int shared(const char *path)
{
	size_t size = PAGES * pagesz;
	char *map, *map2, c;
	int fd, i;

	fd = create(path, size, 'a');
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED);
	/* Loads see what write() put there. */
	CHECK(map[0] == 'a' && map[size - 1] == 'a');
	CHECK(SYS(pwrite(fd, "W", 1, 5 * pagesz)) == 1);
	CHECK(map[5 * pagesz] == 'W');
	/* read() sees the stores: first a read fault then a store (the
	 * arm64 order), then a store on a page never touched. */
	CHECK(map[7 * pagesz] == 'a');
	map[7 * pagesz] = 'S';
	map[9 * pagesz + 3] = 'T';
	CHECK(SYS(pread(fd, &c, 1, 7 * pagesz)) == 1 && c == 'S');
	CHECK(SYS(pread(fd, &c, 1, 9 * pagesz + 3)) == 1 && c == 'T');
	for (i = 0; i < PAGES; i++)
		map[i * pagesz + 1] = 'm';
	SYS(msync(map, size, MS_SYNC));
	for (i = 0; i < PAGES; i++) {
		CHECK(SYS(pread(fd, &c, 1, i * pagesz + 1)) == 1);
		CHECK(c == 'm');
	}
	/* Stores after msync still reach the file. */
	map[11 * pagesz] = 'U';
	SYS(msync(map, size, MS_SYNC));
	CHECK(SYS(pread(fd, &c, 1, 11 * pagesz)) == 1 && c == 'U');
	/* A second mapping of another descriptor agrees. */
	i = SYS(open(path, O_RDONLY));
	map2 = mmap(NULL, size, PROT_READ, MAP_SHARED, i, 0);
	CHECK(map2 != MAP_FAILED);
	CHECK(!memcmp(map, map2, size));
	SYS(munmap(map2, size));
	SYS(close(i));
	/* mremap and fork share the per-VMA state. */
	map = mremap(map, size, 2 * size, MREMAP_MAYMOVE);
	CHECK(map != MAP_FAILED);
	if (!SYS(fork())) {
		map[2] = 'F';
		_exit(0);
	}
	SYS(wait(NULL));
	CHECK(SYS(pread(fd, &c, 1, 2)) == 1 && c == 'F');
	SYS(munmap(map, 2 * size));
	SYS(close(fd));
	return 0;
}

static int private(const char *path)
{
	size_t size = PAGES * pagesz;
	char *map, c;
	int fd;

	fd = create(path, size, 'p');
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(map != MAP_FAILED);
	CHECK(map[3 * pagesz] == 'p');
	map[3 * pagesz] = 'X';
	map[4 * pagesz] = 'Y';
	CHECK(map[3 * pagesz] == 'X' && map[4 * pagesz] == 'Y');
	SYS(msync(map, size, MS_SYNC));
	CHECK(SYS(pread(fd, &c, 1, 3 * pagesz)) == 1 && c == 'p');
	CHECK(SYS(pread(fd, &c, 1, 4 * pagesz)) == 1 && c == 'p');
	/* A page not yet copied still follows the file. */
	CHECK(SYS(pwrite(fd, "Z", 1, 6 * pagesz)) == 1);
	CHECK(map[6 * pagesz] == 'Z');
	SYS(munmap(map, size));
	SYS(close(fd));
	return 0;
}

/* Per thread: SIGBUS is delivered to the thread whose access faulted. */
static __thread sigjmp_buf jump;

static void on_sigbus(int sig)
{
	siglongjmp(jump, 1);
}

/* Whether a load (or a store of @store) at @p raises SIGBUS. */
static int faults(volatile char *p, int store)
{
	if (sigsetjmp(jump, 1))
		return 1;
	if (store)
		*p = 'w';
	else
		(void)*p;
	return 0;
}

static int sigbus(const char *path)
{
	size_t size = PAGES * pagesz;
	volatile char *map;
	volatile int hit = 0;
	int fd;

	fd = create(path, size, 's');
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED);
	map[10 * pagesz] = 'q';
	map[40 * pagesz] = 'q';
	SYS(ftruncate(fd, 20 * pagesz));
	signal(SIGBUS, on_sigbus);
	if (!sigsetjmp(jump, 1))
		(void)map[40 * pagesz];
	else
		hit = 1;
	CHECK(hit);
	hit = 0;
	if (!sigsetjmp(jump, 1))
		map[30 * pagesz] = 'w';
	else
		hit = 1;
	CHECK(hit);
	CHECK(map[10 * pagesz] == 'q');
	CHECK(map[19 * pagesz] == 's');
	/* Growing the file again brings the pages back, zeroed. */
	SYS(ftruncate(fd, size));
	CHECK(map[40 * pagesz] == 0);
	SYS(munmap((void *)map, size));
	SYS(close(fd));
	return 0;
}

struct worker {
	pthread_t thread;
	char *map;
	int id, n;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	int round, page;

	for (round = 0; round < 4; round++)
		for (page = 0; page < PAGES; page++)
			w->map[page * pagesz + w->id] = 'A' + w->id;
	return NULL;
}

static int threads(const char *path, int n)
{
	size_t size = PAGES * pagesz;
	struct worker *w;
	char *buf;
	int fd, i, page;

	CHECK(n > 0 && n < 26);
	fd = create(path, size, '.');
	w = calloc(n, sizeof(*w));
	CHECK(w);
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(buf != MAP_FAILED);
	for (i = 0; i < n; i++) {
		w[i].map = buf;
		w[i].id = i;
		CHECK(!pthread_create(&w[i].thread, NULL, work, &w[i]));
	}
	for (i = 0; i < n; i++)
		CHECK(!pthread_join(w[i].thread, NULL));
	SYS(munmap(buf, size));
	buf = malloc(size);
	CHECK(buf);
	CHECK(SYS(pread(fd, buf, size, 0)) == (ssize_t)size);
	for (page = 0; page < PAGES; page++)
		for (i = 0; i < n; i++)
			CHECK(buf[page * pagesz + i] == 'A' + i);
	free(buf);
	free(w);
	SYS(close(fd));
	return 0;
}

/*
 * Truncation on the lower, not through pcc, must still unmap our pages: our
 * mappings sit in the lower's i_mmap.  Private copies past the end go too,
 * as truncate_pagecache() takes them from any mapping of the file.
 */
static int lower_truncate(const char *path, const char *lower)
{
	size_t size = PAGES * pagesz;
	volatile char *shared_map, *private_map;
	int fd, lfd;

	fd = create(path, size, 'l');
	shared_map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(shared_map != MAP_FAILED);
	private_map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(private_map != MAP_FAILED);
	shared_map[50 * pagesz] = 'S';
	private_map[51 * pagesz] = 'P';
	CHECK(shared_map[52 * pagesz] == 'l' && private_map[53 * pagesz] == 'l');

	lfd = SYS(open(lower, O_RDWR));
	SYS(ftruncate(lfd, 20 * pagesz));
	signal(SIGBUS, on_sigbus);
	CHECK(faults(shared_map + 50 * pagesz, 0));
	CHECK(faults(shared_map + 52 * pagesz, 1));
	CHECK(faults(private_map + 51 * pagesz, 0));
	CHECK(faults(private_map + 53 * pagesz, 0));
	CHECK(shared_map[19 * pagesz] == 'l' && private_map[19 * pagesz] == 'l');
	/* Stores through the lower show in our shared mapping. */
	CHECK(SYS(pwrite(lfd, "L", 1, 3 * pagesz)) == 1);
	CHECK(shared_map[3 * pagesz] == 'L');
	SYS(munmap((void *)shared_map, size));
	SYS(munmap((void *)private_map, size));
	SYS(close(lfd));
	SYS(close(fd));
	return 0;
}

static atomic_int racing;

struct racer {
	pthread_t thread;
	volatile char *map;
	size_t size;
	unsigned long faults, sigbus;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	unsigned int seed = (unsigned int)(uintptr_t)r;
	size_t off;

	while (atomic_load(&racing)) {
		off = (size_t)rand_r(&seed) % r->size;
		r->sigbus += faults(r->map + off, rand_r(&seed) & 1);
		r->faults++;
	}
	return NULL;
}

static int truncate_race(const char *path, int seconds)
{
	size_t size = PAGES * pagesz;
	struct racer r[4];
	volatile char *map;
	unsigned long rounds = 0, faulted = 0, bus = 0;
	char *buf;
	time_t end;
	int fd, i;

	CHECK(seconds > 0);
	fd = create(path, size, 'r');
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED);
	signal(SIGBUS, on_sigbus);
	atomic_store(&racing, 1);
	for (i = 0; i < 4; i++) {
		r[i] = (struct racer){ .map = map, .size = size };
		CHECK(!pthread_create(&r[i].thread, NULL, race, &r[i]));
	}
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		SYS(ftruncate(fd, (rounds % PAGES) * pagesz));
		SYS(ftruncate(fd, size));
		/* A lower without hole punching answers EOPNOTSUPP. */
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (rounds % PAGES) * pagesz, 8 * pagesz) < 0)
			CHECK(errno == EOPNOTSUPP);
		rounds++;
	}
	atomic_store(&racing, 0);
	for (i = 0; i < 4; i++) {
		CHECK(!pthread_join(r[i].thread, NULL));
		faulted += r[i].faults;
		bus += r[i].sigbus;
	}
	printf("%lu truncate rounds, %lu accesses, %lu SIGBUS\n", rounds,
	       faulted, bus);
	/* Quiet now: the mapping and read() must see the same bytes. */
	buf = malloc(size);
	CHECK(buf);
	CHECK(SYS(pread(fd, buf, size, 0)) == (ssize_t)size);
	CHECK(!memcmp(buf, (const char *)map, size));
	free(buf);
	SYS(munmap((void *)map, size));
	SYS(close(fd));
	return 0;
}

static int hold(const char *path)
{
	size_t size = PAGES * pagesz;
	char *map, c, line[16];
	int fd;

	fd = create(path, size, 'h');
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED);
	/* From here on only the mapping holds the file. */
	SYS(close(fd));
	/* Three VMAs (split), and a child's copies of them (fork). */
	SYS(mprotect(map + 8 * pagesz, pagesz, PROT_READ));
	CHECK(map[8 * pagesz] == 'h');
	if (!SYS(fork())) {
		map[1] = 'c';
		map[20 * pagesz] = 'd';
		_exit(0);
	}
	SYS(wait(NULL));
	printf("mapped\n");
	fflush(stdout);
	CHECK(fgets(line, sizeof(line), stdin));
	/* The mapping still works: loads, stores, and the file sees them. */
	CHECK(map[1] == 'c' && map[20 * pagesz] == 'd');
	map[30 * pagesz] = 's';
	SYS(msync(map, size, MS_SYNC));
	SYS(munmap(map, size));
	fd = SYS(open(path, O_RDONLY));
	CHECK(SYS(pread(fd, &c, 1, 30 * pagesz)) == 1 && c == 's');
	CHECK(SYS(pread(fd, &c, 1, 20 * pagesz)) == 1 && c == 'd');
	SYS(close(fd));
	return 0;
}

static int hold_ro(const char *path)
{
	char *before, line[16];
	const char *map;
	struct stat st;
	size_t size;
	int fd;

	fd = SYS(open(path, O_RDONLY));
	SYS(fstat(fd, &st));
	size = st.st_size;
	CHECK(size > 0);
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED);
	SYS(close(fd));
	/* Every page faulted in now, from the copy if the file is attached. */
	before = malloc(size);
	CHECK(before);
	memcpy(before, map, size);
	printf("mapped\n");
	fflush(stdout);
	CHECK(fgets(line, sizeof(line), stdin));
	/* Pages may have gone since: faulted in again, from what? */
	CHECK(!memcmp(before, map, size));
	fd = SYS(open(path, O_RDONLY));
	CHECK(SYS(pread(fd, before, size, 0)) == (ssize_t)size);
	CHECK(!memcmp(before, map, size));
	SYS(close(fd));
	SYS(munmap((void *)map, size));
	free(before);
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	prog = "pcc-mmap";
	pagesz = sysconf(_SC_PAGESIZE);
	if (argc == 3 && !strcmp(argv[1], "shared"))
		return shared(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "private"))
		return private(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "sigbus"))
		return sigbus(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "threads"))
		return threads(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "lower-truncate"))
		return lower_truncate(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "truncate-race"))
		return truncate_race(argv[2], atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "hold-ro"))
		return hold_ro(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return hold(argv[2]);
	fprintf(stderr, "usage: see the source\n");
	return 2;
}
