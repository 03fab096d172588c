/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kevict_compat.h - TEMPORARY: the netlink calls of branch kevict
 * (PCC_CMD_EVICT, PCC_CMD_FILE_GET) as the issue 12 contract declares
 * them, until that branch is merged; then this file and kevict_compat.c
 * go and lib/nl.h declares the same names.  The stubs say EOPNOTSUPP.
 */
#ifndef PCCD_KEVICT_COMPAT_H
#define PCCD_KEVICT_COMPAT_H

#include <stddef.h>
#include <stdint.h>

#include <linux/pcc.h>

#include "nl.h"

#ifndef PCC_EVICT_WAS_ATTACHED
#define PCC_EVICT_WAS_ATTACHED	0x1
#define PCC_EVICT_IN_USE	0x2
#endif
#define PCC_NL_EVICT_WAS_ATTACHED PCC_EVICT_WAS_ATTACHED

int pcc_nl_evict(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		 uint32_t ds_id, uint32_t fh_type, const uint8_t *fh,
		 uint32_t fh_len, uint32_t *flags, char *errmsg, size_t errlen);

struct pcc_nl_file {
	uint32_t mount_id, ds_id;
	uint64_t ino;
	uint32_t fh_type, fh_len;
	uint8_t fh[PCC_FH_MAX];
	uint64_t last_use;	/* unix seconds */
	uint64_t hits;
};

int pcc_nl_file_dump(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		     int (*cb)(const struct pcc_nl_file *f, void *arg),
		     void *arg, char *errmsg, size_t errlen);

#endif /* PCCD_KEVICT_COMPAT_H */
