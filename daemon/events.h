/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * events.h - the module's events: a miss on a file matching a dataset's
 * rule becomes a copy; lost events (overrun) make pccd apply its
 * configuration again, which reads the module's state back with dumps.
 */
#ifndef PCCD_EVENTS_H
#define PCCD_EVENTS_H

struct pccd;

/* Join the events group if not joined.  0 or a negative errno. */
int pccd_events_open(struct pccd *d);

/* The events socket is readable. */
void pccd_events_read(struct pccd *d);

void pccd_events_close(struct pccd *d);

#endif /* PCCD_EVENTS_H */
