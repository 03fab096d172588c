/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * notify.h - tell the service manager what pccd is doing (sd_notify(3)).
 * A no-op when pccd is built without libsystemd or not run by systemd.
 */
#ifndef PCCD_NOTIFY_H
#define PCCD_NOTIFY_H

/* state: sd_notify(3) assignments, e.g. "READY=1\nSTATUS=serving". */
void pccd_notify(const char *state);

#endif /* PCCD_NOTIFY_H */
