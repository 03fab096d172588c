// SPDX-License-Identifier: GPL-2.0-only
/*
 * events.c - act on the module's events (events.h).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pcc.h>

#include "apply.h"
#include "conf.h"
#include "copy.h"
#include "events.h"
#include "log.h"
#include "nl.h"
#include "pccd.h"
#include "space.h"

int pccd_events_open(struct pccd *d)
{
	int err;

	if (d->events)
		return 0;
	err = pcc_nl_events_open(&d->events);
	if (err)
		log_warn_errno("nl", err, "cannot join the module's events: misses will not be copied");
	return err;
}

void pccd_events_close(struct pccd *d)
{
	pcc_nl_close(d->events);
	d->events = NULL;
}

static void copied(const struct pccd_copy_result *res, void *arg)
{
	char *path = arg;

	if (res->err)
		log_info("copy", "%s: %s", path,
			 res->msg[0] ? res->msg : strerror(-res->err));
	else if (!res->already)
		log_debug("copy", "%s: %llu bytes copied and attached", path,
			  (unsigned long long)res->bytes);
	free(path);
}

/* A file matching a rule was opened and has no copy: make one. */
static void on_miss(struct pccd *d, const struct pcc_nl_event *ev)
{
	const struct pcc_conf_dataset *ds;
	struct pccd_mount *m;
	char *path;
	int err;

	m = pccd_mount_by_id(d, ev->mount_id);
	if (!m || !ev->path || !d->copy)
		return;
	ds = ev->ds_id ? pccd_dataset_by_id(m, ev->ds_id)
		       : pccd_dataset_first_ro(m);
	if (!ds || !(ds->mode & PCC_MODE_RO))
		return;
	if (asprintf(&path, "%s%s", m->conf->path, ev->path) < 0)
		return;
	/* The pcc inode number is the lower's: the merge key of a copy. */
	err = pccd_copy_submit(d->copy, &(struct pccd_copy_req){
				.fd = -1, .path = path, .dev = m->dev,
				.ino = ev->ino, .ds_root = ds->path,
				.ds_id = pcc_conf_dataset_id(ds),
				.attach = true }, copied, path);
	if (err) {
		log_warn_errno("copy", err, "%s: cannot queue a copy", path);
		free(path);
	}
}

static void on_event(const struct pcc_nl_event *ev, void *arg)
{
	struct pccd *d = arg;

	pccd_space_event(d, ev);
	switch (ev->event) {
	case PCC_EVENT_MISS:
		on_miss(d, ev);
		break;
	case PCC_EVENT_DETACHED:
		log_debug("nl", "mount %u: inode %llu detached (%s)",
			  ev->mount_id, (unsigned long long)ev->ino,
			  pcc_nl_reason_name(ev->reason));
		break;
	case PCC_EVENT_IO_ERROR:
	case PCC_EVENT_ENOSPC:
		log_warnx("nl", "mount %u: dataset %u: %s (%s)", ev->mount_id,
			  ev->ds_id, pcc_nl_event_name(ev->event),
			  strerror(ev->err));
		break;
	default:
		log_debug("nl", "mount %u: inode %llu %s", ev->mount_id,
			  (unsigned long long)ev->ino,
			  pcc_nl_event_name(ev->event));
		break;
	}
}

void pccd_events_read(struct pccd *d)
{
	int err;

	err = pcc_nl_events_read(d->events, on_event, d);
	if (err == -ENOBUFS) {
		log_warnx("nl", "events were lost: reading the module's state again");
		d->resync = true;
	} else if (err) {
		log_warn_errno("nl", err, "events");
		pccd_events_close(d);
	}
}
