/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kernel.h - pccd's link to the module over generic netlink.  The module may
 * be loaded after pccd starts, or unloaded under it: every request goes
 * through pccd_kernel_*(), which (re)connects when needed.
 */
#ifndef PCCD_KERNEL_H
#define PCCD_KERNEL_H

#include <stddef.h>
#include <stdint.h>

struct pccd;

/* Connect if not connected.  0, or -ENOENT while the module is not loaded. */
int pccd_kernel_connect(struct pccd *d);

/* The module's version; reconnects once if the module was reloaded. */
int pccd_kernel_version(struct pccd *d, char *buf, size_t len,
			uint32_t *genl_version);

void pccd_kernel_close(struct pccd *d);

#endif /* PCCD_KERNEL_H */
