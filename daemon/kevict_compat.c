// SPDX-License-Identifier: GPL-2.0-only
/*
 * kevict_compat.c - TEMPORARY stubs of kevict's netlink calls (see
 * kevict_compat.h); removed when branch kevict is merged.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "kevict_compat.h"

int pcc_nl_evict(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		 uint32_t ds_id, uint32_t fh_type, const uint8_t *fh,
		 uint32_t fh_len, uint32_t *flags, char *errmsg, size_t errlen)
{
	(void)nl; (void)mnt; (void)ds_id; (void)fh_type; (void)fh;
	(void)fh_len;
	*flags = 0;
	if (errlen)
		snprintf(errmsg, errlen, "this module cannot evict");
	return -EOPNOTSUPP;
}

int pcc_nl_file_dump(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		     int (*cb)(const struct pcc_nl_file *f, void *arg),
		     void *arg, char *errmsg, size_t errlen)
{
	(void)nl; (void)mnt; (void)cb; (void)arg;
	if (errlen)
		snprintf(errmsg, errlen, "this module cannot list files");
	return -EOPNOTSUPP;
}
