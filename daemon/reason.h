/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reason.h - why a file is not cached, as far as pccd knows: the last
 * outcome of its copy (too large, no space, changed during the copy, an
 * error), a stale copy the module found, an eviction.  Kept per lower
 * file handle in a bounded table (the oldest entry makes way), cleared
 * when the file is attached.  pcc state asks for it (the "reason"
 * command).
 */
#ifndef PCCD_REASON_H
#define PCCD_REASON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <linux/pcc.h>

/* Entries kept; the oldest is replaced. */
#define PCCD_REASONS_MAX	4096

enum pccd_reason_kind {
	PCCD_REASON_NONE = 0,
	PCCD_REASON_NO_DATASET,		/* no read-only dataset would take it */
	PCCD_REASON_TOO_LARGE,		/* larger than the room */
	PCCD_REASON_NO_SPACE,		/* nothing left to evict */
	PCCD_REASON_STALE,		/* the copy was of another version */
	PCCD_REASON_EVICTED,		/* space management removed it */
	PCCD_REASON_ERROR,		/* the copy failed: err, msg */
};

struct pccd_reason {
	uint32_t fh_type, fh_len;
	uint8_t fh[PCC_FH_MAX];
	enum pccd_reason_kind kind;
	int err;			/* negative errno, or 0 */
	time_t when;
	char msg[200];
};

struct pccd_reasons;

struct pccd_reasons *pccd_reasons_new(void);
void pccd_reasons_free(struct pccd_reasons *r);

/* Remember (or replace) the reason for the file with handle fh. */
void pccd_reason_set(struct pccd_reasons *r, uint32_t fh_type,
		     const uint8_t *fh, uint32_t fh_len,
		     enum pccd_reason_kind kind, int err, const char *msg);
/* The file is cached: forget it. */
void pccd_reason_clear(struct pccd_reasons *r, uint32_t fh_type,
		       const uint8_t *fh, uint32_t fh_len);
/* The reason for fh, or NULL. */
const struct pccd_reason *pccd_reason_get(const struct pccd_reasons *r,
					  uint32_t fh_type, const uint8_t *fh,
					  uint32_t fh_len);

/* "too_large", "no_space", ... as pcc state --json prints them. */
const char *pccd_reason_name(enum pccd_reason_kind kind);

/* Has path a "." or ".." component?  The reason command refuses those. */
bool pccd_path_has_dots(const char *path);

#endif /* PCCD_REASON_H */
