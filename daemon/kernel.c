// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel.c - keep a netlink connection to the module, lazily.
 */
#include "config.h"

#include <errno.h>

#include <linux/pcc.h>

#include "kernel.h"
#include "log.h"
#include "nl.h"
#include "pccd.h"

int pccd_kernel_connect(struct pccd *d)
{
	char version[PCC_VERSION_LEN];
	uint32_t genl_version;
	int err;

	if (d->nl)
		return 0;
	err = pcc_nl_open(&d->nl);
	if (err == -ENOENT) {
		log_debug("nl", "generic netlink family \"%s\" not found",
			  PCC_GENL_NAME);
		return err;
	}
	if (err) {
		log_warn_errno("nl", err, "cannot open generic netlink");
		return err;
	}
	err = pcc_nl_get_version(d->nl, version, sizeof(version),
				 &genl_version);
	if (err) {
		log_warn_errno("nl", err, "cannot get the module's version");
		pccd_kernel_close(d);
		return err;
	}
	log_info("nl", "module pcc %s, netlink protocol %u", version,
		 genl_version);
	d->genl_version = genl_version;
	if (genl_version != PCC_GENL_VERSION)
		log_warnx("nl", "module speaks netlink protocol %u, pccd %u",
			  genl_version, PCC_GENL_VERSION);
	return 0;
}

int pccd_kernel_version(struct pccd *d, char *buf, size_t len,
			uint32_t *genl_version)
{
	int err, tries;

	/* A failure on an old connection may mean the module was reloaded. */
	for (tries = 0; tries < 2; tries++) {
		err = pccd_kernel_connect(d);
		if (err)
			return err;
		err = pcc_nl_get_version(d->nl, buf, len, genl_version);
		if (!err)
			return 0;
		log_debug("nl", "version request failed (%d), reconnecting",
			  err);
		pccd_kernel_close(d);
	}
	return err;
}

void pccd_kernel_close(struct pccd *d)
{
	pcc_nl_close(d->nl);
	d->nl = NULL;
}
