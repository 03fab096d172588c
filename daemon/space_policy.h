/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * space_policy.h - the decisions of space management, as pure functions of
 * numbers so they can be tested on their own: how much to evict, which
 * copies go first, and whether a file of a given size may be copied now,
 * later (once eviction made room) or never.
 *
 * The limits (pcc.yaml(5), capacity):
 *   - the cache filesystem above high percent used: evict down to low;
 *   - the dataset's copies above max_bytes (max_files): evict down to
 *     low/high of it;
 *   - free bytes under min_free: evict until min_free plus (high - low)
 *     percent of the filesystem are free.
 * A file may take the room eviction can make without going below low
 * (low/high of max_bytes): never the whole cache for one file.
 */
#ifndef PCCD_SPACE_POLICY_H
#define PCCD_SPACE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pccd_space_limits {
	unsigned int high, low;		/* percent of the filesystem */
	uint64_t max_bytes;		/* 0: none */
	uint64_t max_files;		/* 0: none */
	uint64_t min_free;		/* 0: none */
};

/* One dataset and its filesystem now; bytes are allocated bytes. */
struct pccd_space_now {
	uint64_t fs_size;		/* f_blocks */
	uint64_t fs_used;		/* f_blocks - f_bfree */
	uint64_t fs_free;		/* f_bavail */
	uint64_t bytes, files;		/* the dataset's copies, draining
					 * ones included */
	uint64_t evictable_bytes;	/* of those: not pinned (draining ones
					 * free themselves) */
	uint64_t evictable_files;
	uint64_t reserved_bytes;	/* admitted copies not made yet */
	uint64_t reserved_files;
	uint64_t filled_bytes;		/* of reserved_bytes, written already:
					 * fs_used and fs_free count them */
};

/* Which limit asks for eviction. */
enum pccd_space_why {
	PCCD_SPACE_OK = 0,
	PCCD_SPACE_HIGH,		/* the filesystem above high */
	PCCD_SPACE_MAX_BYTES,
	PCCD_SPACE_MAX_FILES,
	PCCD_SPACE_MIN_FREE,
	PCCD_SPACE_WAITING,		/* a copy waits for room */
};

struct pccd_space_goal {
	uint64_t bytes;			/* to free */
	uint64_t files;			/* copies to remove */
	enum pccd_space_why why;	/* the first limit that asked */
};

/*
 * How much to evict now; waiting > 0 is the size of a copy waiting for
 * room (room for it, and down to the low mark when above it).  Returns
 * true when anything should go.
 */
bool pccd_space_goal(const struct pccd_space_limits *lim,
		     const struct pccd_space_now *now, uint64_t waiting,
		     struct pccd_space_goal *goal);

const char *pccd_space_why_name(enum pccd_space_why why);

enum pccd_space_admit {
	PCCD_ADMIT_NOW = 0,		/* copy it */
	PCCD_ADMIT_WAIT,		/* fits once eviction made room */
	PCCD_ADMIT_TOO_LARGE,		/* never fits: refuse */
};

/*
 * May a copy of size bytes be made?  why gets a message for WAIT and
 * TOO_LARGE (the limit and the numbers).
 */
enum pccd_space_admit pccd_space_admit(const struct pccd_space_limits *lim,
				       const struct pccd_space_now *now,
				       uint64_t size, char *why, size_t len);

/*
 * Release a reservation of bytes (one file) from the counters: never
 * below zero, whatever a caller got wrong.
 */
void pccd_space_release(uint64_t *reserved_bytes, uint64_t *reserved_files,
			uint64_t bytes);

/*
 * The handle bytes of a copy's name written in hex (lower case, two
 * digits a byte, at most max bytes): false for anything else, an odd
 * number of digits included.
 */
bool pccd_space_hex_handle(const char *hex, uint8_t *fh, size_t max,
			   uint32_t *len);

/* A copy as the victim choice sees it. */
struct pccd_space_cand {
	int64_t last_use;		/* unix seconds */
	uint64_t bytes;
	bool pinned;
	bool draining;			/* evicted, space not freed yet */
};

/*
 * Choose victims: the least recently used copies that are neither pinned
 * nor draining, oldest first (ties: larger first, then lower index), until
 * goal bytes and files are freed or max are chosen.  Writes their indexes
 * into out (room for max) and returns how many.
 */
size_t pccd_space_victims(const struct pccd_space_cand *c, size_t n,
			  const struct pccd_space_goal *goal, size_t max,
			  size_t *out);

#endif /* PCCD_SPACE_POLICY_H */
