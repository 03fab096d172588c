/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * writeback.h - write back the read-write copies a crash left dirty
 * (writeback.c).
 */
#ifndef PCCD_WRITEBACK_H
#define PCCD_WRITEBACK_H

struct pccd_writeback_stats {
	unsigned int written;	/* dirty copies written back and removed */
	unsigned int failed;	/* dirty copies left as they are (logged) */
};

/*
 * Write back every dirty copy in the dataset at ds_root to its file on the
 * lower filesystem at lower, before the dataset is handed to the module.
 * 0 (each copy's failure is logged and counted in s), or -errno if the
 * dataset or the lower cannot be opened.
 */
int pccd_writeback_dirty(const char *lower, const char *ds_root,
			 struct pccd_writeback_stats *s);

#endif /* PCCD_WRITEBACK_H */
