/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * textfile.h - the metrics file of pcc.yaml's metrics key: what "pcc stats
 * --prometheus" prints, written for node_exporter's textfile collector at
 * start, on every reload and every interval, always atomically.
 */
#ifndef PCCD_TEXTFILE_H
#define PCCD_TEXTFILE_H

#include <stdbool.h>

struct pccd;

/*
 * Write the file now when the configuration names one, and schedule the
 * next write; remove the file written under a former configuration naming
 * another.  A failure is logged once, not at every interval, until a
 * write works again (or reload is true: the configuration was just read
 * again); pccd goes on.
 */
void pccd_textfile_write(struct pccd *d, bool reload);

/* Milliseconds until the next write is due (0: now); -1 when none is. */
int pccd_textfile_timeout(struct pccd *d);

/* pccd stops: remove the file, so nobody reads its numbers as current. */
void pccd_textfile_stop(struct pccd *d);

#endif /* PCCD_TEXTFILE_H */
