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
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
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

static sigjmp_buf jump;

static void on_sigbus(int sig)
{
	siglongjmp(jump, 1);
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
	fprintf(stderr, "usage: see the source\n");
	return 2;
}
