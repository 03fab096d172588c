/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * metrics.h - pccd's stats reply (lib/ctl.h, "stats") as Prometheus text
 * exposition format 0.0.4, for "pcc stats --prometheus" and the file pccd
 * writes for node_exporter's textfile collector (pcc.yaml(5), metrics).
 *
 * Names: prefix pcc_, counters end in _total, byte amounts in _bytes,
 * fractions in _ratio.  Labels: mount (the pcc mount's path), dataset (its
 * id), how (attaches), reason (detaches).  Each family is printed once,
 * with its # HELP and # TYPE lines and then every series of it; a family
 * with no series is left out.  Keys missing from the reply, or of another
 * type than expected, give no series: an older or newer pccd works.
 */
#ifndef PCC_METRICS_H
#define PCC_METRICS_H

#include <stdio.h>

struct json_object;

/*
 * Print stats (a stats reply; NULL is an empty one) to fp.  Returns 0, or
 * -EIO when writing failed.
 */
int pcc_metrics_print(FILE *fp, struct json_object *stats);

#endif /* PCC_METRICS_H */
