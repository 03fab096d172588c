/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_nl.h - a module that is not there, or is, on demand.
 *
 * Tests linked with fake_nl_ldflags (tests/unit/local.mk: -Wl,--wrap=
 * for pcc_nl_open, pcc_nl_get_version, pcc_nl_close, the mount, dataset
 * and event functions and pcc_nl_fd) get these instead of lib/nl.c's
 * wherever the code under test calls them, so no test depends on what
 * the host kernel has loaded.  Loaded, the fake is a small kernel in
 * memory: mounts the test adds, datasets the code under test adds, sets
 * and deletes, events the test queues; every call is logged, and the next
 * call of a given function can be made to fail.
 */
#ifndef PCC_FAKE_NL_H
#define PCC_FAKE_NL_H

#include <stddef.h>
#include <stdint.h>

#include "nl.h"

#define FAKE_NL_MOUNTS		4
#define FAKE_NL_DATASETS	8
#define FAKE_NL_EVENTS		16
#define FAKE_NL_FILES		8

struct fake_nl_ds {
	uint32_t id;
	char path[256];
	uint32_t mode;
	uint32_t attach;
	uint32_t attached;
	struct pcc_rule *rule;	/* a deep copy, or NULL */
	char *rule_text;	/* or NULL */
	uint32_t writeback;	/* PCC_DS_WB_*: dumped for RW datasets */
	uint32_t wb_interval;
};

struct fake_nl_mount {
	uint32_t id;		/* 0: a free slot */
	char path[256];		/* where it is mounted: paths under it name it */
	char lower[256];
	uint32_t gen;		/* bumped by every dataset change */
	uint32_t attached;
	uint64_t stats[PCC_STAT_COUNT];
	unsigned int nds;
	struct fake_nl_ds ds[FAKE_NL_DATASETS];
	/* Attached files (FILE_GET), as the test adds them; evict drops. */
	unsigned int nfiles;
	struct pcc_nl_file files[FAKE_NL_FILES];
};

struct fake_nl {
	int open_err;		/* what pcc_nl_open() returns */
	int get_err[4];		/* what successive pcc_nl_get_version() return */
	const char *version;
	uint32_t genl_version;
	int opens, gets, closes;	/* calls seen */

	struct fake_nl_mount mounts[FAKE_NL_MOUNTS];
	/*
	 * The next call of fail_op ("mount_get", "mount_dump", "dataset_add",
	 * "dataset_set", "dataset_del", "dataset_clear", "dataset_dump",
	 * "events_open", "events_read", "evict", "file_dump") fails with fail_err, fail_msg as the
	 * kernel's extended ack message; then fail_op is cleared.
	 */
	const char *fail_op;
	int fail_err;
	const char *fail_msg;
	/* One line per call: "dataset_add mnt=1 id=7 path=/cache ...". */
	char log[8192];
	int calls;

	int events_opens;
	struct pcc_nl_event events[FAKE_NL_EVENTS];	/* queued */
	char event_paths[FAKE_NL_EVENTS][256];
	unsigned int nevents;
	int overrun;		/* the next pcc_nl_events_read(): -ENOBUFS */
	int pipe[2];		/* pcc_nl_fd(): readable while events wait */
	int piped;		/* pipe[] is open */
};

extern struct fake_nl fake_nl;

/* Not loaded: pcc_nl_open() fails with -ENOENT. */
void fake_nl_unloaded(void);
/* Loaded, answering version with genl_version, no mount. */
void fake_nl_loaded(const char *version, uint32_t genl_version);
/* A pcc mount of lower at path, with that id (non-zero). */
struct fake_nl_mount *fake_nl_add_mount(uint32_t id, const char *path,
					const char *lower);
struct fake_nl_mount *fake_nl_mount(uint32_t id);
/* The dataset id of mount mount_id, or NULL. */
struct fake_nl_ds *fake_nl_dataset(uint32_t mount_id, uint32_t id);
/*
 * An attached file of mount mount_id (f->mount_id is set to it), listed by
 * pcc_nl_file_dump(); NULL when full or no such mount.
 *
 * pcc_nl_evict() does what the module does, with the copies on disk: for
 * a dataset of the mount it unlinks the file at the dataset's path plus
 * pcc_cache_name() of the handle, if there is one, and drops an attached
 * file of that dataset and handle (PCC_NL_EVICT_WAS_ATTACHED, counted in
 * PCC_STAT_DETACH_EVICTED); -ENOENT if it found neither, or no dataset.
 * It does not read the copy's xattr.
 */
struct pcc_nl_file *fake_nl_add_file(uint32_t mount_id,
				     const struct pcc_nl_file *f);
/* Queue an event (ev->path copied) for pcc_nl_events_read(). */
void fake_nl_event(const struct pcc_nl_event *ev);
/* The next call of op fails with err and msg ("" if NULL). */
void fake_nl_fail(const char *op, int err, const char *msg);

int __wrap_pcc_nl_open(struct pcc_nl **out);
int __wrap_pcc_nl_get_version(struct pcc_nl *nl, char *buf, size_t len,
			      uint32_t *genl_version);
void __wrap_pcc_nl_close(struct pcc_nl *nl);
int __wrap_pcc_nl_mount_get(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
			    struct pcc_nl_mount *out, char *errmsg,
			    size_t errlen);
int __wrap_pcc_nl_mount_dump(struct pcc_nl *nl,
			     int (*cb)(const struct pcc_nl_mount *m,
				       void *arg),
			     void *arg);
int __wrap_pcc_nl_dataset_add(struct pcc_nl *nl,
			      const struct pcc_nl_mnt *mnt,
			      const struct pcc_nl_dataset *ds,
			      char *errmsg, size_t errlen);
int __wrap_pcc_nl_dataset_set(struct pcc_nl *nl,
			      const struct pcc_nl_mnt *mnt,
			      const struct pcc_nl_dataset *ds,
			      char *errmsg, size_t errlen);
int __wrap_pcc_nl_dataset_del(struct pcc_nl *nl,
			      const struct pcc_nl_mnt *mnt, uint32_t id,
			      char *errmsg, size_t errlen);
int __wrap_pcc_nl_dataset_clear(struct pcc_nl *nl,
				const struct pcc_nl_mnt *mnt,
				char *errmsg, size_t errlen);
int __wrap_pcc_nl_dataset_dump(struct pcc_nl *nl,
			       const struct pcc_nl_mnt *mnt,
			       int (*cb)(const struct pcc_nl_dataset *ds,
					 void *arg),
			       void *arg, char *errmsg, size_t errlen);
int __wrap_pcc_nl_evict(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
			uint32_t ds_id, uint32_t fh_type, const uint8_t *fh,
			uint32_t fh_len, uint32_t *flags, char *errmsg,
			size_t errlen);
int __wrap_pcc_nl_file_dump(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
			    int (*cb)(const struct pcc_nl_file *f, void *arg),
			    void *arg, char *errmsg, size_t errlen);
int __wrap_pcc_nl_events_open(struct pcc_nl **out);
int __wrap_pcc_nl_fd(const struct pcc_nl *nl);
int __wrap_pcc_nl_events_read(struct pcc_nl *nl,
			      void (*cb)(const struct pcc_nl_event *ev,
					 void *arg),
			      void *arg);

#endif /* PCC_FAKE_NL_H */
