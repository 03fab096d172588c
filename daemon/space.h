/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * space.h - space management: keep every read-only dataset within its
 * capacity (pcc.yaml(5)) by evicting least recently used copies, and
 * admit new copies only when they fit.
 *
 * pccd keeps an index of the copies of each dataset: built at start by a
 * thread walking the dataset (the fan-out directories, the copies' xattrs)
 * and kept up to date by the copies pccd makes and the evictions it does.
 * Recency comes from the kernel: PCC_EVENT_ATTACHED, and before victims
 * are chosen, the last use of every attached file (PCC_CMD_FILE_GET); a
 * copy never attached since pccd started has its own atime or mtime.
 *
 * Eviction runs from the main loop's timer, a batch per tick, so the
 * control socket is never kept waiting long: PCC_CMD_EVICT detaches the
 * file and unlinks the copy.  A copy the kernel says is still held by a
 * mapping (PCC_EVICT_IN_USE) keeps counting in the dataset's usage on a
 * draining list until its space is really freed, which pccd learns by
 * opening the copy by its handle (open_by_handle_at, taken before the
 * eviction) at each tick: the open fails with ESTALE once the inode is
 * gone.  On a filesystem without handles the space counts for a minute.
 *
 * The copy engine asks before every new copy (pccd_copy_hooks.admit, on
 * its worker): copies that can never fit are refused, copies that fit
 * once eviction made room wait (their worker sleeps; queued copies stay
 * queued) and eviction makes room for them.
 */
#ifndef PCCD_SPACE_H
#define PCCD_SPACE_H

#include <stdbool.h>
#include <stdint.h>

struct json_object;
struct pcc_nl_event;
struct pccd;
struct pccd_mount;

/* How often the timer runs, in milliseconds. */
#define PCCD_SPACE_TICK_MS	1000

/* 0 or -ENOMEM; d->space.  Installs the copy engine's hooks if any. */
int pccd_space_start(struct pccd *d);
void pccd_space_stop(struct pccd *d);

/* The timer: follow the configuration, index, evict, drain. */
void pccd_space_tick(struct pccd *d);

/* A module event (recency). */
void pccd_space_event(struct pccd *d, const struct pcc_nl_event *ev);

/*
 * The copy at cache path path (absolute) of the dataset in root is now
 * (un)pinned.
 */
void pccd_space_pinned(struct pccd *d, const char *root, const char *path,
		       bool pinned);

/*
 * The dataset objects of the stats reply for mount m (the contract's
 * "datasets"), and the daemon's totals into dm.
 */
struct json_object *pccd_space_stats_json(struct pccd *d,
					  const struct pccd_mount *m);
int pccd_space_daemon_json(struct pccd *d, struct json_object *dm);

/*
 * Usage of the dataset in root from the index: false when it is not
 * indexed yet (the caller walks the directory).
 */
bool pccd_space_usage(struct pccd *d, const char *root, uint64_t *files,
		      uint64_t *bytes, uint64_t *pinned_files,
		      uint64_t *pinned_bytes);

#endif /* PCCD_SPACE_H */
