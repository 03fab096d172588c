/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcc.h - what the parts of pcc.ko share.  Each part has an init/exit pair
 * called in order from main.c.
 */
#ifndef PCC_H
#define PCC_H

int pcc_fs_init(void);
void pcc_fs_exit(void);

int pcc_netlink_init(void);
void pcc_netlink_exit(void);

#endif /* PCC_H */
