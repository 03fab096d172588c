// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - module entry and exit: bring the parts up in order, down in the
 * reverse order.
 */
#include <linux/module.h>

#include "pcc.h"

static int __init pcc_init(void)
{
	int ret;

	/* Files first: they may be used as soon as the filesystem is up. */
	ret = pcc_file_init();
	if (ret)
		goto err_file;
	ret = pcc_fs_init();
	if (ret)
		goto err_fs;
	ret = pcc_netlink_init();
	if (ret)
		goto err_netlink;

	pr_info("version %s loaded\n", PCC_VERSION);
	return 0;

err_netlink:
	pcc_fs_exit();
err_fs:
	pcc_file_exit();
err_file:
	return ret;
}

static void __exit pcc_exit(void)
{
	/* Netlink first: no request may reach a filesystem being torn down. */
	pcc_netlink_exit();
	pcc_fs_exit();
	pcc_file_exit();
	pr_info("version %s unloaded\n", PCC_VERSION);
}

module_init(pcc_init);
module_exit(pcc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pcc: persistent client cache stacking filesystem");
MODULE_VERSION(PCC_VERSION);
