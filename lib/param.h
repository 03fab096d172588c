/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * param.h - Lustre's "--param" string of `pcc add` and `pcc set`:
 *
 *	[RULE] [KEY=VALUE ...]
 *
 * An optional rule (rule.h) followed by blank-separated KEY=VALUE tokens,
 * processed left to right.  Where the rule ends: if the text contains a
 * "}", the rule is everything up to the last "}" (Lustre's rule); the rest
 * must be empty or start with a blank.  Otherwise there is no rule.
 *
 * Keys:
 *	roid=N, rwid=N		dataset ids, 1..PCC_DS_ID_MAX
 *	auto_attach=B		sets or clears open, stat and io attach at once
 *	open_attach=B, stat_attach=B, io_attach=B
 *	pccro=B (ropcc=B)	read-only caching on or off
 *	pccrw=B (rwpcc=B)	write-back caching on or off
 *	high=P, low=P		eviction watermarks, percent (0..100, "%" optional)
 *	max_bytes=S, min_free=S	sizes: bytes, or with K, M, G, T (1024^n)
 *	max_files=N		a number of copies
 *	writeback=close|lazy	when read-write copies are written back
 *	writeback_interval=N	seconds, 1..PCC_DS_WB_INTERVAL_MAX: lazy's
 * (max_bytes, max_files and min_free take "none" too: no such limit)
 * with B a boolean as Lustre's kstrtobool: 1/0, y/n, yes/no, on/off, t/f,
 * true/false (either case).  Lustre's mmap_conv, proj_quota and hsmtool
 * are refused with a message saying pcc has no such setting.
 */
#ifndef PCC_PARAM_H
#define PCC_PARAM_H

#include <stdint.h>

#include "rule.h"

/* Which fields of struct pcc_params the text set. */
#define PCC_PARAM_ROID		(1U << 0)
#define PCC_PARAM_RWID		(1U << 1)
#define PCC_PARAM_MODE		(1U << 2)
#define PCC_PARAM_ATTACH	(1U << 3)
#define PCC_PARAM_RULE		(1U << 4)
#define PCC_PARAM_HIGH		(1U << 5)
#define PCC_PARAM_LOW		(1U << 6)
#define PCC_PARAM_MAX_BYTES	(1U << 7)
#define PCC_PARAM_MAX_FILES	(1U << 8)
#define PCC_PARAM_MIN_FREE	(1U << 9)
#define PCC_PARAM_WRITEBACK	(1U << 10)
#define PCC_PARAM_WB_INTERVAL	(1U << 11)

/* Values of mode and attach: the module's PCC_DS_MODE_*, PCC_DS_ATTACH_*. */
struct pcc_params {
	unsigned int set;	/* PCC_PARAM_* */
	uint32_t roid;
	uint32_t rwid;
	unsigned int mode;	/* PCC_DS_MODE_RO | PCC_DS_MODE_RW */
	unsigned int attach;	/* PCC_DS_ATTACH_* */
	unsigned int high, low;	/* percent */
	uint64_t max_bytes;	/* 0: "none" */
	uint64_t max_files;
	uint64_t min_free;
	unsigned int writeback;	/* PCC_DS_WB_* */
	uint32_t wb_interval;	/* seconds */
	char *rule_text;	/* the rule as written, blanks trimmed */
	struct pcc_rule *rule;	/* compiled */
};

/*
 * Parse text on top of *p: p holds the values in force (the defaults for
 * add, the dataset's values for set); the keys found change them in order
 * and add to p->set.  On error (-EINVAL, err filled with the column in
 * text) *p is unchanged.  -ENOMEM.  A mode turned to 0 (pccro=0 without
 * pccrw=1) is -EINVAL, and so are writeback or writeback_interval in a
 * text that leaves the mode without PCC_DS_MODE_RW, and
 * writeback_interval in one that leaves writeback other than lazy (as
 * pcc.yaml(5) refuses them).
 */
int pcc_params_parse(const char *text, struct pcc_params *p,
		     struct pcc_parse_error *err);

/* Free what p owns (rule_text, rule) and zero them. */
void pcc_params_clear(struct pcc_params *p);

#endif /* PCC_PARAM_H */
