/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * writeback.h - write back the read-write copies a crash left dirty
 * (writeback.c).
 */
#ifndef PCCD_WRITEBACK_H
#define PCCD_WRITEBACK_H

#include <sys/types.h>

struct pccd_writeback_stats {
	unsigned int written;	/* dirty copies written back and removed */
	unsigned int failed;	/* copies left as they are: dirty ones that
				 * could not be written back (logged), files
				 * that could not be opened to look */
};

/*
 * Write back every dirty copy in the dataset at ds_root to its file on the
 * lower filesystem at lower, before the dataset is handed to the module.
 * 0 (each copy's failure is logged and counted in s), -errno if the
 * dataset or the lower cannot be opened, -EXDEV if lower resolves to the
 * pcc mount of device pcc_dev (mounted over its own lower directory).
 */
int pccd_writeback_dirty(const char *lower, dev_t pcc_dev, const char *ds_root,
			 struct pccd_writeback_stats *s);

#endif /* PCCD_WRITEBACK_H */
