// SPDX-License-Identifier: GPL-2.0-only
/*
 * space_policy.c - how much to evict, what, and whether a copy fits
 * (space_policy.h).  Numbers in, decisions out: no system calls.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "space_policy.h"

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* v * num / den without overflowing for any size a disk has. */
static uint64_t scale(uint64_t v, unsigned int num, unsigned int den)
{
	if (!den)
		return v;
	return v / den * num + v % den * num / den;
}

static void want(struct pccd_space_goal *g, uint64_t bytes, uint64_t files,
		 enum pccd_space_why why)
{
	if (!bytes && !files)
		return;
	if (g->why == PCCD_SPACE_OK)
		g->why = why;
	g->bytes = max64(g->bytes, bytes);
	g->files = max64(g->files, files);
}

bool pccd_space_goal(const struct pccd_space_limits *lim,
		     const struct pccd_space_now *now, uint64_t waiting,
		     struct pccd_space_goal *goal)
{
	uint64_t hi = scale(now->fs_size, lim->high, 100);
	uint64_t lo = scale(now->fs_size, lim->low, 100);
	uint64_t unwritten = sub0(now->reserved_bytes, now->filled_bytes);
	uint64_t used = now->fs_used + unwritten;
	uint64_t bytes = now->bytes + now->reserved_bytes;
	uint64_t files = now->files + now->reserved_files;
	uint64_t avail = sub0(now->fs_free, unwritten);
	uint64_t band = scale(now->fs_size, lim->high - lim->low, 100);

	*goal = (struct pccd_space_goal){ .why = PCCD_SPACE_OK };
	/* Over a limit: down to its low mark, so eviction does not thrash. */
	if (now->fs_size && used > hi)
		want(goal, used - lo, 0, PCCD_SPACE_HIGH);
	if (lim->max_bytes && bytes > lim->max_bytes)
		want(goal, bytes - scale(lim->max_bytes, lim->low, lim->high),
		     0, PCCD_SPACE_MAX_BYTES);
	if (lim->max_files && files > lim->max_files)
		want(goal, 0, files - scale(lim->max_files, lim->low,
					    lim->high), PCCD_SPACE_MAX_FILES);
	if (lim->min_free && avail < lim->min_free)
		want(goal, lim->min_free + band - avail, 0,
		     PCCD_SPACE_MIN_FREE);
	/*
	 * A copy waiting for room: enough for it and, as the limit is
	 * reached, down to the low mark (so the next copies do not each
	 * wait for one eviction); admit() keeps it within that band.
	 */
	if (waiting) {
		if (now->fs_size && used + waiting > hi)
			want(goal, max64(used + waiting - hi, sub0(used, lo)),
			     0, PCCD_SPACE_WAITING);
		if (lim->max_bytes && bytes + waiting > lim->max_bytes)
			want(goal, max64(bytes + waiting - lim->max_bytes,
					 sub0(bytes, scale(lim->max_bytes,
							   lim->low,
							   lim->high))),
			     0, PCCD_SPACE_WAITING);
		if (lim->max_files && files + 1 > lim->max_files)
			want(goal, 0, files + 1 - lim->max_files,
			     PCCD_SPACE_WAITING);
		if (lim->min_free && avail < lim->min_free + waiting)
			want(goal, lim->min_free + waiting - avail, 0,
			     PCCD_SPACE_WAITING);
	}
	return goal->why != PCCD_SPACE_OK;
}

const char *pccd_space_why_name(enum pccd_space_why why)
{
	switch (why) {
	case PCCD_SPACE_OK:		return "ok";
	case PCCD_SPACE_HIGH:		return "above the high watermark";
	case PCCD_SPACE_MAX_BYTES:	return "above max_bytes";
	case PCCD_SPACE_MAX_FILES:	return "above max_files";
	case PCCD_SPACE_MIN_FREE:	return "below min_free";
	case PCCD_SPACE_WAITING:	return "a copy waits for room";
	}
	return "unknown";
}

enum pccd_space_admit pccd_space_admit(const struct pccd_space_limits *lim,
				       const struct pccd_space_now *now,
				       uint64_t size, char *why, size_t len)
{
	uint64_t hi = scale(now->fs_size, lim->high, 100);
	uint64_t lo = scale(now->fs_size, lim->low, 100);
	uint64_t unwritten = sub0(now->reserved_bytes, now->filled_bytes);
	uint64_t used = now->fs_used + unwritten;
	uint64_t bytes = now->bytes + now->reserved_bytes;
	uint64_t files = now->files + now->reserved_files;
	uint64_t avail = sub0(now->fs_free, unwritten);
	uint64_t floor, room, mlo;

	/*
	 * Never: more than eviction may free.  It stops at low, and at what
	 * it cannot remove (pinned and draining copies, other data), so
	 * one file never empties the cache.
	 */
	if (now->fs_size) {
		floor = max64(sub0(used, now->evictable_bytes),
			      min64(used, lo));
		room = sub0(hi, floor);
		if (size > room) {
			snprintf(why, len, "too large: %" PRIu64 " bytes, the "
				 "room below the high watermark (%u%%) that "
				 "eviction down to %u%% can make is %" PRIu64,
				 size, lim->high, lim->low, room);
			return PCCD_ADMIT_TOO_LARGE;
		}
	}
	if (lim->max_bytes) {
		mlo = scale(lim->max_bytes, lim->low, lim->high);
		floor = max64(sub0(bytes, now->evictable_bytes),
			      min64(bytes, mlo));
		room = sub0(lim->max_bytes, floor);
		if (size > room) {
			snprintf(why, len, "too large: %" PRIu64 " bytes, the "
				 "room below max_bytes (%" PRIu64 ") that "
				 "eviction can make is %" PRIu64,
				 size, lim->max_bytes, room);
			return PCCD_ADMIT_TOO_LARGE;
		}
	}
	if (lim->min_free &&
	    size + lim->min_free > avail + now->evictable_bytes) {
		snprintf(why, len, "too large: %" PRIu64 " bytes, more than "
			 "the %" PRIu64 " free bytes above min_free (%" PRIu64
			 ") once every evictable copy is gone", size,
			 sub0(avail + now->evictable_bytes, lim->min_free),
			 lim->min_free);
		return PCCD_ADMIT_TOO_LARGE;
	}

	/* Later: it fits once eviction (or a draining copy) made room. */
	if (now->fs_size && used + size > hi) {
		snprintf(why, len, "no space: waiting for eviction to bring "
			 "the cache filesystem below %u%%", lim->high);
		return PCCD_ADMIT_WAIT;
	}
	if (lim->max_bytes && bytes + size > lim->max_bytes) {
		snprintf(why, len, "no space: waiting for eviction to make "
			 "room below max_bytes (%" PRIu64 ")", lim->max_bytes);
		return PCCD_ADMIT_WAIT;
	}
	if (lim->max_files && files + 1 > lim->max_files) {
		snprintf(why, len, "no space: waiting for eviction to make "
			 "room below max_files (%" PRIu64 ")", lim->max_files);
		return PCCD_ADMIT_WAIT;
	}
	if (lim->min_free && avail < lim->min_free + size) {
		snprintf(why, len, "no space: waiting for eviction to keep "
			 "min_free (%" PRIu64 ") free", lim->min_free);
		return PCCD_ADMIT_WAIT;
	}
	if (len)
		why[0] = '\0';
	return PCCD_ADMIT_NOW;
}

/* qsort has no argument: the candidates being sorted. */
static const struct pccd_space_cand *sort_base;

static int by_age(const void *a, const void *b)
{
	const struct pccd_space_cand *x = &sort_base[*(const size_t *)a];
	const struct pccd_space_cand *y = &sort_base[*(const size_t *)b];

	if (x->last_use != y->last_use)
		return x->last_use < y->last_use ? -1 : 1;
	/* As old: the larger frees more for one eviction. */
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

size_t pccd_space_victims(const struct pccd_space_cand *c, size_t n,
			  const struct pccd_space_goal *goal, size_t max,
			  size_t *out)
{
	uint64_t bytes = 0, files = 0;
	size_t *order, i, k = 0, m = 0;

	if (!max || (!goal->bytes && !goal->files))
		return 0;
	order = malloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return 0;
	for (i = 0; i < n; i++)
		if (!c[i].pinned && !c[i].draining)
			order[m++] = i;
	sort_base = c;
	qsort(order, m, sizeof(*order), by_age);
	sort_base = NULL;
	for (i = 0; i < m && k < max &&
	     (bytes < goal->bytes || files < goal->files); i++) {
		out[k++] = order[i];
		bytes += c[order[i]].bytes;
		files++;
	}
	free(order);
	return k;
}

void pccd_space_release(uint64_t *reserved_bytes, uint64_t *reserved_files,
			uint64_t bytes)
{
	*reserved_bytes = sub0(*reserved_bytes, bytes);
	*reserved_files = sub0(*reserved_files, 1);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool pccd_space_hex_handle(const char *hex, uint8_t *fh, size_t max,
			   uint32_t *len)
{
	size_t i;
	int hi, lo;

	for (i = 0; hex[2 * i]; i++) {
		/* The second digit is read only when the first is one. */
		hi = hex_digit(hex[2 * i]);
		lo = hi < 0 ? -1 : hex_digit(hex[2 * i + 1]);
		if (lo < 0 || i >= max)
			return false;
		fh[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = (uint32_t)i;
	return i > 0;
}
