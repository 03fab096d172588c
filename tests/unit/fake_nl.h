/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_nl.h - a module that is not there, or is, on demand.
 *
 * Tests linked with -Wl,--wrap=pcc_nl_open,--wrap=pcc_nl_get_version,
 * --wrap=pcc_nl_close get these instead of lib/nl.c's functions wherever
 * the code under test calls them, so no test depends on what the host
 * kernel has loaded.
 */
#ifndef PCC_FAKE_NL_H
#define PCC_FAKE_NL_H

#include <stddef.h>
#include <stdint.h>

struct pcc_nl;

struct fake_nl {
	int open_err;		/* what pcc_nl_open() returns */
	int get_err[4];		/* what successive pcc_nl_get_version() return */
	const char *version;
	uint32_t genl_version;
	int opens, gets, closes;	/* calls seen */
};

extern struct fake_nl fake_nl;

/* Not loaded: pcc_nl_open() fails with -ENOENT. */
void fake_nl_unloaded(void);
/* Loaded, answering version with genl_version. */
void fake_nl_loaded(const char *version, uint32_t genl_version);

int __wrap_pcc_nl_open(struct pcc_nl **out);
int __wrap_pcc_nl_get_version(struct pcc_nl *nl, char *buf, size_t len,
			      uint32_t *genl_version);
void __wrap_pcc_nl_close(struct pcc_nl *nl);

#endif /* PCC_FAKE_NL_H */
