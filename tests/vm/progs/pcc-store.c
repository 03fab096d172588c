// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-store: stores into a shared writable mapping of a pcc file, for the
 * fault path of read-write files (kmod/paged.c, issue 11).
 *
 *   pcc-store path [-n PCC_NL] -m MOUNT HOW FILE PAGE...
 *	One store to the first word of each PAGE (a page number), of the
 *	value 0x5eed0000 + PAGE, made HOW:
 *	  store	a plain store (x86_64 mov, arm64 str): the CPU reports a write;
 *	  excl	an atomic exchange (x86_64 xchg; arm64 ldxr/stxr, which
 *		loads first: the CPU reports a read, then a write);
 *	  load	a load of the page, then a store.
 *	Around each store it reads the mount's paged_* counters (pcc-nl
 *	mount MOUNT) and prints which path the store took:
 *	  "do_shared_fault": ->fault for a write, then ->page_mkwrite at
 *	  once (x86_64's first store to a page);
 *	  "do_wp_page": ->page_mkwrite of a page mapped read-only, with or
 *	  without a read ->fault first (arm64's ldxr/stxr; any load then
 *	  store).
 *	The value is read back through the mapping, which is then synced
 *	(msync), unmapped and closed.
 *
 *   pcc-store threads -d DATASET -t THREADS -s SECONDS -c CACHE FILE PAGES
 *	FILE is cached read-write (a copy in CACHE, dataset id DATASET) and
 *	mapped; THREADS threads store into the shared mapping of its PAGES
 *	pages (thread i owns word i of every 64, and stores 1, 2, 3... there)
 *	for SECONDS while the main thread, in a loop, attaches the file
 *	read-write (making a new copy when the last one is stale), writes
 *	the pages back (msync: to the copy), detaches it, and writes the
 *	pages back again (to the lower).  Then every word
 *	must hold its thread's last value, through the mapping and through
 *	read(2) after the close; prints the counts (copies and attaches
 *	refused with ESTALE or EBUSY as busy).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "cache-copy.h"

#define PAGE	4096u

static const char *nl = "pcc-nl";
static const char *mnt;

/* The mount's paged_faults, paged_write_faults, paged_mkwrites. */
static void counters(unsigned long long c[3])
{
	static const char *const names[3] = {
		"stat.paged_faults", "stat.paged_write_faults",
		"stat.paged_mkwrites",
	};
	char cmd[PATH_MAX * 2 + 16], line[512], key[64];
	unsigned long long v;
	int found = 0, i;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' mount '%s'", nl, mnt);
	p = popen(cmd, "r");
	if (!p)
		die("popen %s", cmd);
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, "%63s %llu", key, &v) != 2)
			continue;
		for (i = 0; i < 3; i++)
			if (!strcmp(key, names[i])) {
				c[i] = v;
				found |= 1 << i;
			}
	}
	if (pclose(p) || found != 7)
		die("%s: no paged_* counters", cmd);
}

/* A plain store, or ("load") a load of the page and then the store. */
static void store(volatile uint32_t *w, uint32_t value, bool load_first)
{
	if (load_first)
		(void)*w;
	*w = value;
}

/*
 * An atomic exchange, without a load before it: the first access to the
 * page is the atomic instruction itself.
 */
static void store_excl(uint32_t *w, uint32_t value)
{
#if defined(__aarch64__)
	uint32_t old, fail;

	/* ldxr/stxr: ARMv8.0, whatever the CPU has (no LSE atomics). */
	__asm__ volatile("1:	ldxr	%w0, [%2]\n"
			 "	stxr	%w1, %w3, [%2]\n"
			 "	cbnz	%w1, 1b\n"
			 : "=&r"(old), "=&r"(fail)
			 : "r"(w), "r"(value)
			 : "memory");
	(void)old;
#else
	/* x86_64: xchg with memory, locked: a write. */
	__atomic_exchange_n(w, value, __ATOMIC_SEQ_CST);
#endif
}

static int do_path(int argc, char **argv)
{
	unsigned long long before[3], after[3], d[3];
	const char *how, *path;
	int fd, opt, i;

	while ((opt = getopt(argc, argv, "n:m:")) != -1) {
		switch (opt) {
		case 'n':
			nl = optarg;
			break;
		case 'm':
			mnt = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!mnt || argc - optind < 3)
		return 2;
	how = argv[optind];
	path = argv[optind + 1];
	if (strcmp(how, "store") && strcmp(how, "excl") && strcmp(how, "load"))
		return 2;
	fd = SYS(open(path, O_RDWR));
	for (i = optind + 2; i < argc; i++) {
		unsigned long pg = strtoul(argv[i], NULL, 0);
		uint32_t value = 0x5eed0000u + (uint32_t)pg;
		const char *took;
		uint32_t *w;
		void *p;

		p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 (off_t)pg * PAGE);
		if (p == MAP_FAILED)
			die("mmap %s page %lu", path, pg);
		/* One page at a time: no readahead into the next one. */
		SYS(madvise(p, PAGE, MADV_RANDOM));
		w = p;
		counters(before);
		if (!strcmp(how, "excl"))
			store_excl(w, value);
		else
			store(w, value, !strcmp(how, "load"));
		counters(after);
		d[0] = after[0] - before[0];
		d[1] = after[1] - before[1];
		d[2] = after[2] - before[2];
		if (d[1] == 1 && d[2] == 1 && !d[0])
			took = "do_shared_fault";
		else if (!d[1] && d[2] == 1 && d[0] <= 1)
			took = "do_wp_page";
		else
			took = "unknown";
		printf("page %lu path %s faults %llu write_faults %llu mkwrites %llu\n",
		       pg, took, d[0], d[1], d[2]);
		fflush(stdout);
		if (*(volatile uint32_t *)w != value)
			die("page %lu holds %#x, not %#x", pg, *w, value);
		SYS(msync(p, PAGE, MS_SYNC));
		SYS(munmap(p, PAGE));
	}
	SYS(close(fd));
	return 0;
}

struct worker {
	pthread_t tid;
	unsigned int idx;
	uint32_t *map;
	size_t words;
	uint32_t last;
};

static atomic_int stop;
static unsigned int nthreads;

static void *worker_fn(void *arg)
{
	struct worker *wk = arg;
	uint32_t v = 0;

	while (!atomic_load(&stop)) {
		size_t i;

		v++;
		for (i = wk->idx; i < wk->words; i += 64)
			__atomic_store_n(&wk->map[i], v, __ATOMIC_RELAXED);
		wk->last = v;
	}
	return NULL;
}

static int do_threads(int argc, char **argv)
{
	struct pcc_copy_opts o = { .retries = 5, .rw = true };
	unsigned long seconds = 5, pages, detaches = 0, attaches = 0,
		      copies = 0, copy_busy = 0, copy_stale = 0,
		      attach_busy = 0;
	char copy_path[PATH_MAX];
	struct worker *wk;
	const char *path;
	uint32_t *map, *back;
	time_t end;
	size_t words, i;
	int fd, opt, ret;

	nthreads = 4;
	while ((opt = getopt(argc, argv, "d:t:s:c:")) != -1) {
		switch (opt) {
		case 'd':
			o.dataset_id = strtoul(optarg, NULL, 0);
			break;
		case 't':
			nthreads = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			o.root = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!o.root || !o.dataset_id || argc - optind != 2 || !nthreads ||
	    nthreads > 64)
		return 2;
	path = argv[optind];
	pages = strtoul(argv[optind + 1], NULL, 0);
	words = pages * PAGE / sizeof(uint32_t);
	fd = SYS(open(path, O_RDWR));
	SYS(ftruncate(fd, (off_t)pages * PAGE));
	/* Attached read-write first: its mappings are then paged. */
	ret = pcc_make_copy(fd, &o, copy_path);
	if (!ret)
		ret = pcc_attach_fd_type(fd, o.dataset_id, PCC_TYPE_READWRITE);
	if (ret) {
		errno = -ret;
		die("attach %s read-write", path);
	}
	map = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   0);
	if (map == MAP_FAILED)
		die("mmap %s", path);
	wk = calloc(nthreads, sizeof(*wk));
	CHECK(wk);
	for (i = 0; i < nthreads; i++) {
		wk[i].idx = i;
		wk[i].map = map;
		wk[i].words = words;
		errno = pthread_create(&wk[i].tid, NULL, worker_fn, &wk[i]);
		if (errno)
			die("pthread_create");
	}
	end = time(NULL) + (time_t)seconds;
	while (time(NULL) < end) {
		ret = pcc_attach_fd_type(fd, o.dataset_id, PCC_TYPE_READWRITE);
		if (ret == -ENOENT || ret == -ESTALE) {
			/* No copy, or the stores since made it stale. */
			ret = pcc_make_copy(fd, &o, copy_path);
			if (ret == -ESTALE) {
				copy_stale++;
			} else if (ret == -EBUSY) {
				copy_busy++;
			} else if (ret) {
				errno = -ret;
				die("copy of %s", path);
			} else {
				copies++;
				ret = pcc_attach_fd_type(fd, o.dataset_id,
							 PCC_TYPE_READWRITE);
			}
		}
		if (!ret)
			attaches++;
		else if (ret == -ESTALE || ret == -EBUSY)
			attach_busy++;
		else
			die("attach %s: %s", path, strerror(-ret));
		/* The pages to the copy (if attached) while threads store. */
		usleep(10000);
		SYS(msync(map, pages * PAGE, MS_SYNC));
		usleep(10000);
		ret = pcc_detach_fd(fd, 0, 0, NULL);
		if (ret)
			die("detach %s: %s", path, strerror(-ret));
		detaches++;
		/* And to the lower: the copy is stale for the next attach. */
		usleep(10000);
		SYS(msync(map, pages * PAGE, MS_SYNC));
		usleep(10000);
	}
	atomic_store(&stop, 1);
	for (i = 0; i < nthreads; i++)
		pthread_join(wk[i].tid, NULL);
	for (i = 0; i < words; i++)
		if (map[i] != (i % 64 < nthreads ? wk[i % 64].last : 0))
			die("word %zu holds %u in the mapping, not %u", i,
			    map[i], wk[i % 64].last);
	SYS(msync(map, pages * PAGE, MS_SYNC));
	SYS(munmap(map, pages * PAGE));
	SYS(close(fd));
	/* Read back after the last close: the file, wherever it is. */
	back = malloc(pages * PAGE);
	CHECK(back);
	fd = SYS(open(path, O_RDONLY));
	CHECK(pread(fd, back, pages * PAGE, 0) == (ssize_t)(pages * PAGE));
	SYS(close(fd));
	for (i = 0; i < words; i++)
		if (back[i] != (i % 64 < nthreads ? wk[i % 64].last : 0))
			die("word %zu holds %u after the close, not %u", i,
			    back[i], wk[i % 64].last);
	printf("stores %u", wk[0].last);
	for (i = 1; i < nthreads; i++)
		printf(",%u", wk[i].last);
	printf(" attaches %lu detaches %lu copies %lu copy_stale %lu copy_busy %lu attach_busy %lu\n",
	       attaches, detaches, copies, copy_stale, copy_busy, attach_busy);
	return 0;
}

int main(int argc, char **argv)
{
	int ret = 2;

	prog = "pcc-store";
	if (argc > 1 && !strcmp(argv[1], "path"))
		ret = do_path(argc - 1, argv + 1);
	else if (argc > 1 && !strcmp(argv[1], "threads"))
		ret = do_threads(argc - 1, argv + 1);
	if (ret == 2)
		fprintf(stderr,
			"usage: pcc-store path [-n PCC_NL] -m MOUNT store|excl|load FILE PAGE...\n"
			"       pcc-store threads -d DATASET -c CACHE [-t THREADS] [-s SECONDS] FILE PAGES\n");
	return ret;
}
