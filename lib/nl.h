/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nl.h - the pcc generic netlink family, seen from userspace.
 *
 * This is the only interface the daemon, the CLI and the tests use to talk
 * to the module; lib/nl.c is the only file that includes libnl.  Every
 * function returns 0 (or a documented positive value) on success and a
 * negative errno on failure; libnl's own error codes never escape.
 */
#ifndef PCC_NL_H
#define PCC_NL_H

#include <stddef.h>
#include <stdint.h>

struct pcc_nl;

/*
 * Connect to generic netlink and resolve the "pcc" family.
 * Returns -ENOENT when the family does not exist, which means the module is
 * not loaded; other negative errnos for socket failures.
 */
int pcc_nl_open(struct pcc_nl **out);

/* NULL-safe. */
void pcc_nl_close(struct pcc_nl *nl);

/*
 * PCC_CMD_GET_VERSION: copy the module's release into buf (always
 * NUL-terminated, truncated to len) and, if genl_version is not NULL, the
 * protocol version the module speaks.  Returns -ENOENT if the module went
 * away since pcc_nl_open(), -EBADMSG if the reply lacks an attribute.
 */
int pcc_nl_get_version(struct pcc_nl *nl, char *buf, size_t len,
		       uint32_t *genl_version);

/*
 * Parse a PCC_CMD_GET_VERSION reply: msg points at a whole netlink message
 * (struct nlmsghdr and what follows), msg_len is its size in bytes.  Used by
 * pcc_nl_get_version(); public so the unit tests can feed it hand-made
 * messages.  Returns 0, -EBADMSG for a malformed message or missing
 * attribute.
 */
int pcc_nl_parse_version(const void *msg, size_t msg_len, char *buf,
			 size_t len, uint32_t *genl_version);

#endif /* PCC_NL_H */
