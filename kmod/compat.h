/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat.h - every difference between the kernels pcc.ko builds against.
 *
 * configure compile-tests each API (m4/pcc-kernel-probes.m4) and records the
 * answers in pcc_kconfig.h.  This header turns them into one spelling the
 * rest of the module uses; no other file tests HAVE_* or the kernel version.
 * It is force-included into every object by Kbuild.
 */
#ifndef PCC_COMPAT_H
#define PCC_COMPAT_H

#include "pcc_kconfig.h"

/*
 * The first argument of the inode operations that depend on the mount's
 * id mapping: struct user_namespace * up to 6.2, struct mnt_idmap * from 6.3.
 * pcc_idmap_t names the type, PCC_NOP_IDMAP the identity mapping.
 */
#ifdef HAVE_MNT_IDMAP
#define pcc_idmap_t		struct mnt_idmap
#define PCC_NOP_IDMAP		(&nop_mnt_idmap)
#else
#define pcc_idmap_t		struct user_namespace
#define PCC_NOP_IDMAP		(&init_user_ns)
#endif

#endif /* PCC_COMPAT_H */
