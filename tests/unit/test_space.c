// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_space.c - space management's decisions (daemon/space_policy.c):
 * how much is evicted for each limit, which copies go, and which copies
 * are made now, later or never.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "space_policy.h"

#define MiB (1ULL << 20)

/* A 1000 MiB filesystem, the default watermarks. */
static const struct pccd_space_limits defaults = { .high = 90, .low = 80 };

static struct pccd_space_now fs(uint64_t used_mib, uint64_t ds_mib,
				uint64_t evictable_mib)
{
	return (struct pccd_space_now){
		.fs_size = 1000 * MiB, .fs_used = used_mib * MiB,
		.fs_free = (1000 - used_mib) * MiB,
		.bytes = ds_mib * MiB, .files = ds_mib,
		.evictable_bytes = evictable_mib * MiB,
		.evictable_files = evictable_mib,
	};
}

static void test_goal_watermarks(void **state)
{
	struct pccd_space_goal g;
	struct pccd_space_now n;

	(void)state;
	/* At or below high: nothing. */
	n = fs(900, 500, 500);
	assert_false(pccd_space_goal(&defaults, &n, 0, &g));
	assert_int_equal(g.why, PCCD_SPACE_OK);
	assert_true(g.bytes == 0 && g.files == 0);
	/* Above: down to low, 95% -> 80%. */
	n = fs(950, 500, 500);
	assert_true(pccd_space_goal(&defaults, &n, 0, &g));
	assert_int_equal(g.why, PCCD_SPACE_HIGH);
	assert_true(g.bytes == 150 * MiB);
	assert_true(g.files == 0);
	/* Copies admitted but not made count as used. */
	n = fs(880, 500, 500);
	n.reserved_bytes = 40 * MiB;
	assert_true(pccd_space_goal(&defaults, &n, 0, &g));
	assert_true(g.bytes == 120 * MiB);
	/*
	 * ... but what they wrote already is in fs_used: 30 of the 40 MiB
	 * written leaves 10 to add, 890 MiB, not above high.
	 */
	n.filled_bytes = 30 * MiB;
	assert_false(pccd_space_goal(&defaults, &n, 0, &g));
}

/* max_bytes counts a copy being written whole, written part included. */
static void test_goal_filled_max_bytes(void **state)
{
	struct pccd_space_limits lim = defaults;
	struct pccd_space_goal g;
	struct pccd_space_now n = fs(100, 80, 80);

	(void)state;
	lim.max_bytes = 90 * MiB;
	n.reserved_bytes = 20 * MiB;
	n.reserved_files = 1;
	n.filled_bytes = 20 * MiB;
	assert_true(pccd_space_goal(&lim, &n, 0, &g));
	assert_int_equal(g.why, PCCD_SPACE_MAX_BYTES);
	assert_true(g.bytes == 20 * MiB);	/* 100 -> 80 */
	/* Nor does it leave room for another of 20 MiB. */
	assert_int_not_equal(pccd_space_admit(&lim, &n, 20 * MiB, NULL, 0),
			     PCCD_ADMIT_NOW);
}

static void test_goal_limits(void **state)
{
	struct pccd_space_limits lim = defaults;
	struct pccd_space_goal g;
	struct pccd_space_now n = fs(100, 100, 100);

	(void)state;
	/* 100 MiB of copies, max 90 MiB: down to 90 * 80/90 = 80 MiB. */
	lim.max_bytes = 90 * MiB;
	assert_true(pccd_space_goal(&lim, &n, 0, &g));
	assert_int_equal(g.why, PCCD_SPACE_MAX_BYTES);
	assert_true(g.bytes == 20 * MiB);
	/* 100 files, max 45: down to 40. */
	lim.max_bytes = 0;
	lim.max_files = 45;
	assert_true(pccd_space_goal(&lim, &n, 0, &g));
	assert_int_equal(g.why, PCCD_SPACE_MAX_FILES);
	assert_true(g.files == 60 && g.bytes == 0);
	/* 900 MiB free, keep 950: 50 missing plus 10% of the fs. */
	lim.max_files = 0;
	lim.min_free = 950 * MiB;
	assert_true(pccd_space_goal(&lim, &n, 0, &g));
	assert_int_equal(g.why, PCCD_SPACE_MIN_FREE);
	assert_true(g.bytes == 150 * MiB);
	/* Several at once: the most any of them wants. */
	lim.max_bytes = 90 * MiB;
	lim.max_files = 99;
	assert_true(pccd_space_goal(&lim, &n, 0, &g));
	assert_int_equal(g.why, PCCD_SPACE_MAX_BYTES);
	assert_true(g.bytes == 150 * MiB);
	assert_true(g.files == 100 - 88);
	/* Within every limit: nothing. */
	lim = (struct pccd_space_limits){ .high = 90, .low = 80,
		.max_bytes = 100 * MiB, .max_files = 100, .min_free = 900 * MiB };
	assert_false(pccd_space_goal(&lim, &n, 0, &g));
}

static void test_goal_waiting(void **state)
{
	struct pccd_space_limits lim = defaults;
	struct pccd_space_goal g;
	struct pccd_space_now n = fs(850, 500, 500);

	(void)state;
	/* 85% used, a 70 MiB copy waits: down to low (80%). */
	assert_true(pccd_space_goal(&lim, &n, 70 * MiB, &g));
	assert_int_equal(g.why, PCCD_SPACE_WAITING);
	assert_true(g.bytes == 50 * MiB);
	/* One that fits asks for nothing. */
	assert_false(pccd_space_goal(&lim, &n, 50 * MiB, &g));
	/* Below low: just what it lacks (70% + 250 MiB: 50 over high). */
	n = fs(700, 500, 500);
	assert_true(pccd_space_goal(&lim, &n, 250 * MiB, &g));
	assert_true(g.bytes == 50 * MiB);
	/* max_bytes likewise: 85 of 90 MiB, 10 waiting: down to 80. */
	lim.max_bytes = 90 * MiB;
	n = fs(100, 85, 85);
	assert_true(pccd_space_goal(&lim, &n, 10 * MiB, &g));
	assert_true(g.bytes == 5 * MiB);
	n.bytes = 60 * MiB;
	assert_true(pccd_space_goal(&lim, &n, 40 * MiB, &g));
	assert_true(g.bytes == 10 * MiB);
	lim.max_bytes = 0;
	/* A file limit: one slot. */
	n = fs(100, 500, 500);
	lim.max_files = 500;
	assert_true(pccd_space_goal(&lim, &n, 1, &g));
	assert_true(g.files == 1);
}

static void test_admit(void **state)
{
	struct pccd_space_limits lim = defaults;
	struct pccd_space_now n;
	char why[256];

	(void)state;
	/* Empty cache: anything up to high. */
	n = fs(50, 0, 0);
	assert_int_equal(pccd_space_admit(&lim, &n, 850 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_NOW);
	assert_string_equal(why, "");
	assert_int_equal(pccd_space_admit(&lim, &n, 851 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_TOO_LARGE);
	assert_non_null(strstr(why, "too large"));
	assert_non_null(strstr(why, "high watermark (90%)"));
	/*
	 * Full (88%): eviction stops at 80%, so the room is 10% whatever
	 * could be evicted: one file never empties the cache.
	 */
	n = fs(880, 800, 800);
	assert_int_equal(pccd_space_admit(&lim, &n, 20 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_NOW);
	assert_int_equal(pccd_space_admit(&lim, &n, 60 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_WAIT);
	assert_non_null(strstr(why, "no space"));
	assert_int_equal(pccd_space_admit(&lim, &n, 100 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_WAIT);
	assert_int_equal(pccd_space_admit(&lim, &n, 101 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_TOO_LARGE);
	/* Pinned copies (not evictable) shrink the room further. */
	n = fs(880, 800, 20);
	assert_int_equal(pccd_space_admit(&lim, &n, 40 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_WAIT);
	assert_int_equal(pccd_space_admit(&lim, &n, 41 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_TOO_LARGE);
	/* Reserved bytes are used already. */
	n = fs(50, 0, 0);
	n.reserved_bytes = 800 * MiB;
	assert_int_equal(pccd_space_admit(&lim, &n, 51 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_TOO_LARGE);
}

static void test_admit_limits(void **state)
{
	struct pccd_space_limits lim = defaults;
	struct pccd_space_now n = fs(100, 0, 0);
	char why[256];

	(void)state;
	/* max_bytes: larger than the limit itself is refused at once. */
	lim.max_bytes = 90 * MiB;
	assert_int_equal(pccd_space_admit(&lim, &n, 91 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_TOO_LARGE);
	assert_non_null(strstr(why, "max_bytes (94371840)"));
	assert_int_equal(pccd_space_admit(&lim, &n, 90 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_NOW);
	/* 85 MiB of copies: room down to 80 MiB only, so 10 MiB. */
	n.bytes = 85 * MiB;
	n.evictable_bytes = 85 * MiB;
	assert_int_equal(pccd_space_admit(&lim, &n, 5 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_NOW);
	assert_int_equal(pccd_space_admit(&lim, &n, 10 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_WAIT);
	assert_int_equal(pccd_space_admit(&lim, &n, 11 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_TOO_LARGE);

	/* max_files: a slot is waited for, never refused. */
	lim = defaults;
	lim.max_files = 3;
	n = fs(100, 3, 3);
	assert_int_equal(pccd_space_admit(&lim, &n, 1, why, sizeof(why)),
			 PCCD_ADMIT_WAIT);
	assert_non_null(strstr(why, "max_files (3)"));
	n.files = 2;
	assert_int_equal(pccd_space_admit(&lim, &n, 1, why, sizeof(why)),
			 PCCD_ADMIT_NOW);

	/* min_free: 900 free, 100 evictable, keep 500: at most 500. */
	lim = defaults;
	lim.min_free = 500 * MiB;
	n = fs(100, 100, 100);
	assert_int_equal(pccd_space_admit(&lim, &n, 400 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_NOW);
	assert_int_equal(pccd_space_admit(&lim, &n, 450 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_WAIT);
	assert_non_null(strstr(why, "min_free"));
	assert_int_equal(pccd_space_admit(&lim, &n, 500 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_WAIT);
	assert_int_equal(pccd_space_admit(&lim, &n, 501 * MiB, why,
					  sizeof(why)), PCCD_ADMIT_TOO_LARGE);
}

static void test_victims(void **state)
{
	struct pccd_space_cand c[] = {
		{ .last_use = 500, .bytes = 10 },			/* 0 */
		{ .last_use = 100, .bytes = 10, .pinned = true },	/* 1 */
		{ .last_use = 300, .bytes = 10 },			/* 2 */
		{ .last_use = 100, .bytes = 5 },			/* 3 */
		{ .last_use = 100, .bytes = 20 },			/* 4 */
		{ .last_use = 50, .bytes = 10, .draining = true },	/* 5 */
		{ .last_use = 900, .bytes = 10 },			/* 6 */
	};
	struct pccd_space_goal g = { .bytes = 30 };
	size_t out[8], n;

	(void)state;
	/* Oldest first, the larger of two as old first; never 1 or 5. */
	n = pccd_space_victims(c, 7, &g, 8, out);
	assert_int_equal(n, 3);
	assert_int_equal(out[0], 4);
	assert_int_equal(out[1], 3);
	assert_int_equal(out[2], 2);
	/* A batch stops at max. */
	n = pccd_space_victims(c, 7, &g, 2, out);
	assert_int_equal(n, 2);
	/* Files: as many copies as asked. */
	g = (struct pccd_space_goal){ .files = 4 };
	n = pccd_space_victims(c, 7, &g, 8, out);
	assert_int_equal(n, 4);
	assert_int_equal(out[3], 0);
	/* More than there is: all but the pinned and the draining. */
	g = (struct pccd_space_goal){ .bytes = 1000 };
	n = pccd_space_victims(c, 7, &g, 8, out);
	assert_int_equal(n, 5);
	assert_int_equal(out[4], 6);
	/* Nothing asked, nothing chosen. */
	g = (struct pccd_space_goal){ 0 };
	assert_int_equal(pccd_space_victims(c, 7, &g, 8, out), 0);
	assert_int_equal(pccd_space_victims(NULL, 0, &g, 8, out), 0);
}

/* A release never wraps the unsigned counters below zero. */
static void test_release(void **state)
{
	uint64_t bytes = 8192, files = 2;

	(void)state;
	pccd_space_release(&bytes, &files, 4096);
	assert_int_equal(bytes, 4096);
	assert_int_equal(files, 1);
	pccd_space_release(&bytes, &files, 8192);
	assert_int_equal(bytes, 0);
	assert_int_equal(files, 0);
	pccd_space_release(&bytes, &files, 4096);
	assert_int_equal(bytes, 0);
	assert_int_equal(files, 0);
}

/* A copy's name gives its handle back, or nothing. */
static void test_hex_handle(void **state)
{
	uint8_t fh[4];
	uint32_t len = 99;

	(void)state;
	assert_true(pccd_space_hex_handle("0aff10", fh, sizeof(fh), &len));
	assert_int_equal(len, 3);
	assert_int_equal(fh[0], 0x0a);
	assert_int_equal(fh[1], 0xff);
	assert_int_equal(fh[2], 0x10);
	/* Odd length: the last nibble has no pair. */
	assert_false(pccd_space_hex_handle("0af", fh, sizeof(fh), &len));
	assert_false(pccd_space_hex_handle("a", fh, sizeof(fh), &len));
	assert_false(pccd_space_hex_handle("", fh, sizeof(fh), &len));
	assert_false(pccd_space_hex_handle("0g", fh, sizeof(fh), &len));
	assert_false(pccd_space_hex_handle(" 1", fh, sizeof(fh), &len));
	assert_false(pccd_space_hex_handle("0A", fh, sizeof(fh), &len));
	/* More than max bytes. */
	assert_false(pccd_space_hex_handle("0102030405", fh, sizeof(fh),
					   &len));
	assert_true(pccd_space_hex_handle("01020304", fh, sizeof(fh), &len));
	assert_int_equal(len, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goal_watermarks),
		cmocka_unit_test(test_goal_filled_max_bytes),
		cmocka_unit_test(test_goal_limits),
		cmocka_unit_test(test_goal_waiting),
		cmocka_unit_test(test_admit),
		cmocka_unit_test(test_admit_limits),
		cmocka_unit_test(test_victims),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_hex_handle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
