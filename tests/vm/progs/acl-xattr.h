/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * acl-xattr.h - the xattr format of a POSIX ACL (system.posix_acl_access,
 * system.posix_acl_default), as <linux/posix_acl_xattr.h> defines it, for
 * the test programs that write ACLs without libacl.
 */
#ifndef PCC_TEST_ACL_XATTR_H
#define PCC_TEST_ACL_XATTR_H

#include <stdint.h>

#define ACL_XATTR_VERSION	2
#define ACL_USER_OBJ		0x01
#define ACL_USER		0x02
#define ACL_GROUP_OBJ		0x04
#define ACL_MASK		0x10
#define ACL_OTHER		0x20
#define ACL_UNDEFINED_ID	((uint32_t)-1)

struct acl_entry {
	uint16_t tag;
	uint16_t perm;
	uint32_t id;
};

#endif
