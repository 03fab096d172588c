/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * pcc.h - the one contract between the pcc kernel module and userspace.
 *
 * Everything the module and the programs (pccd, pcc, the tests) must agree
 * on is defined here and nowhere else: the generic netlink family, its
 * commands and attributes, and (in later versions) the ioctls, the xattr
 * names and the cache-path scheme.  The kernel includes this file as
 * <linux/pcc.h> through its own include path; userspace through
 * -I$(top_srcdir)/include/uapi.
 *
 * Rules for changing it:
 *  - append only: never renumber a command or attribute, never change the
 *    type of an existing attribute;
 *  - userspace ignores attributes it does not know; the kernel rejects them
 *    (strict validation), so a newer pcc talking to an older module gets
 *    -EINVAL and must fall back;
 *  - bump PCC_GENL_VERSION when a command changes meaning and record it in
 *    the history below.
 *
 * Generic netlink family
 * ----------------------
 * Name PCC_GENL_NAME, version PCC_GENL_VERSION, no family header
 * (hdrsize 0).  Only in the initial network namespace.
 *
 * PCC_CMD_GET_VERSION
 *	Report the module's version.  Allowed to any user.
 *	Request attributes: none.
 *	Reply attributes:
 *	  PCC_A_VERSION		NUL-terminated string, the module's release
 *				(for example "0.1.0")
 *	  PCC_A_GENL_VERSION	u32, the PCC_GENL_VERSION the module speaks
 *
 * Protocol history
 * ----------------
 *  1	first version: PCC_CMD_GET_VERSION.
 */
#ifndef _UAPI_LINUX_PCC_H
#define _UAPI_LINUX_PCC_H

#include <linux/types.h>

#define PCC_GENL_NAME		"pcc"
#define PCC_GENL_VERSION	1

/* The filesystem type registered by the module: mount -t pcc LOWER DIR. */
#define PCC_FS_NAME		"pcc"

/* f_type of statfs(2) is the lower's; this is the superblock's own magic. */
#define PCC_SUPER_MAGIC		0x50434331	/* "PCC1" */

/*
 * Extended attributes under this prefix belong to pcc (its cache copies are
 * described with them).  A pcc mount hides them: they are not listed, and
 * reading one through the mount gives ENODATA, setting or removing one EPERM.
 */
#define PCC_XATTR_PREFIX	"trusted.pcc."
#define PCC_XATTR_PREFIX_LEN	(sizeof(PCC_XATTR_PREFIX) - 1)

enum pcc_cmd {
	PCC_CMD_UNSPEC,
	PCC_CMD_GET_VERSION,

	__PCC_CMD_MAX
};
#define PCC_CMD_MAX (__PCC_CMD_MAX - 1)

enum pcc_attr {
	PCC_A_UNSPEC,
	PCC_A_VERSION,		/* string: module release */
	PCC_A_GENL_VERSION,	/* u32: PCC_GENL_VERSION of the sender */

	__PCC_A_MAX
};
#define PCC_A_MAX (__PCC_A_MAX - 1)

/* Longest PCC_A_VERSION string, including the terminating NUL. */
#define PCC_VERSION_LEN		64

#endif /* _UAPI_LINUX_PCC_H */
