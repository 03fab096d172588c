// SPDX-License-Identifier: GPL-2.0-only
/*
 * fake_nl.c - stand-in for lib/nl.c; see fake_nl.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake_nl.h"

struct fake_nl fake_nl;

/* The handle handed out: only its address matters. */
static char fake_handle;

void fake_nl_unloaded(void)
{
	memset(&fake_nl, 0, sizeof(fake_nl));
	fake_nl.open_err = -ENOENT;
}

void fake_nl_loaded(const char *version, uint32_t genl_version)
{
	memset(&fake_nl, 0, sizeof(fake_nl));
	fake_nl.version = version;
	fake_nl.genl_version = genl_version;
}

int __wrap_pcc_nl_open(struct pcc_nl **out)
{
	fake_nl.opens++;
	*out = fake_nl.open_err ? NULL : (struct pcc_nl *)&fake_handle;
	return fake_nl.open_err;
}

int __wrap_pcc_nl_get_version(struct pcc_nl *nl, char *buf, size_t len,
			      uint32_t *genl_version)
{
	int n = fake_nl.gets++;
	int err = n < 4 ? fake_nl.get_err[n] : 0;

	if (nl != (struct pcc_nl *)&fake_handle)
		return -EBADF;
	if (err)
		return err;
	snprintf(buf, len, "%s", fake_nl.version);
	if (genl_version)
		*genl_version = fake_nl.genl_version;
	return 0;
}

void __wrap_pcc_nl_close(struct pcc_nl *nl)
{
	if (nl)
		fake_nl.closes++;
}
