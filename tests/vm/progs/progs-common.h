/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the guest test programs (pcc-fsx, pcc-bench).  They are
 * cross-compiled for the guest, so they use libc only.
 */
#ifndef PCC_PROGS_COMMON_H
#define PCC_PROGS_COMMON_H

#include <stdint.h>

/*
 * Parse a byte count: a decimal (or 0x hex) number with an optional binary
 * suffix k, m or g (KiB, MiB, GiB).  Returns 0, or -1 if TEXT is not such a
 * number or does not fit in 64 bits.
 */
int parse_size(const char *text, uint64_t *out);

/* Parse an unsigned decimal count; returns 0, or -1 if TEXT is not one. */
int parse_count(const char *text, unsigned long *out);

#endif
