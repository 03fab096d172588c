// SPDX-License-Identifier: GPL-2.0-only
/*
 * notify.c - sd_notify when built with libsystemd.
 */
#include "config.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "log.h"
#include "notify.h"

void pccd_notify(const char *state)
{
#ifdef HAVE_LIBSYSTEMD
	int err = sd_notify(0, state);

	if (err < 0)
		log_warn_errno("main", err, "sd_notify");
#else
	(void)state;
#endif
}
