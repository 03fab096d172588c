/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * apply.h - bring the module to the configuration: mount what is not
 * mounted, then add, change and delete datasets until the module's equal
 * the file's.  Only differences are sent, so applying twice changes
 * nothing and attached files stay attached.
 */
#ifndef PCCD_APPLY_H
#define PCCD_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pccd;
struct pccd_mount;
struct pcc_conf_dataset;
struct pcc_config;
struct pcc_nl_dataset;
struct pcc_rule;

/*
 * Apply d->conf: rebuilds d->mounts.  Every failure is logged and counted;
 * returns the number of failures (0: all applied).
 */
unsigned int pccd_apply(struct pccd *d);

/*
 * At start: make the module report misses again.  It reports a file's
 * miss once per generation of its mount, so files opened while no pccd
 * listened would otherwise never be copied; a dataset set to its own
 * values starts a new generation.
 */
void pccd_apply_rearm(struct pccd *d);

/*
 * Before d->conf is replaced by next: delete the datasets of the mounts
 * that next no longer configures (their files are detached; the mounts
 * stay mounted).
 */
void pccd_apply_removed(struct pccd *d, const struct pcc_config *next);

/* realpath(3) of path into buf (PATH_MAX), or path itself if it fails. */
const char *pccd_realpath(const char *path, char *buf);
/*
 * Does the configured path name the directory a command gave as path,
 * whose pccd_realpath() is real?  Compared as given, then resolved.
 */
bool pccd_same_dir(const char *configured, const char *path, const char *real);

/* Lookups in d->mounts; NULL when not found (or not mounted, by id/dev). */
struct pccd_mount *pccd_mount_by_id(struct pccd *d, uint32_t id);
struct pccd_mount *pccd_mount_by_dev(struct pccd *d, dev_t dev);
/* The configured mount whose path is path (compared after realpath). */
struct pccd_mount *pccd_mount_by_path(struct pccd *d, const char *path);

/* The dataset of m with module id ds_id, or rwid ds_id; NULL if none. */
const struct pcc_conf_dataset *pccd_dataset_by_id(const struct pccd_mount *m,
						  uint32_t ds_id);
/* The first dataset of m serving mode (PCC_MODE_*); NULL if none. */
const struct pcc_conf_dataset *pccd_dataset_first(const struct pccd_mount *m,
						  unsigned int mode);
/* The first read-only dataset of m; NULL if none. */
const struct pcc_conf_dataset *pccd_dataset_first_ro(const struct pccd_mount *m);

/*
 * Fill a netlink dataset from a configured one; *rule gets the compiled
 * rule (NULL without one), which the caller frees after the request.
 * Mode, attach and rule are flagged, and for a read-write dataset its
 * write-back policy and interval.  Returns 0, -EINVAL (rule; logged),
 * -ENOMEM.
 */
int pccd_dataset_to_nl(const struct pcc_conf_dataset *ds,
		       struct pcc_nl_dataset *out, struct pcc_rule **rule);

/*
 * One dataset change on m, logged; msg gets the module's message ("" if
 * none).  add first removes what interrupted copies left in the dataset;
 * del of a dataset the module does not have is not an error.
 */
int pccd_apply_add(struct pccd *d, struct pccd_mount *m,
		   const struct pcc_conf_dataset *ds, char *msg, size_t len);
int pccd_apply_set(struct pccd *d, struct pccd_mount *m,
		   const struct pcc_conf_dataset *ds, char *msg, size_t len);
int pccd_apply_del(struct pccd *d, struct pccd_mount *m, uint32_t id,
		   const char *path, char *msg, size_t len);

/*
 * A cache directory must be a directory (not a symlink) owned by root and
 * not writable by group or others.  0, or a negative errno with msg set.
 */
int pccd_check_cache_dir(const char *path, char *msg, size_t len);

/* Mount m's conf if it is not mounted, and fill m's id and dev. */
int pccd_apply_mount(struct pccd *d, struct pccd_mount *m);

#endif /* PCCD_APPLY_H */
