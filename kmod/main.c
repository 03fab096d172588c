// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - module entry and exit: bring the parts up in order, down in the
 * reverse order.
 */
#include <linux/module.h>

#include "pcc.h"

/*
 * The filesystem is registered last and unregistered first: from
 * register_filesystem() on a mount may be made at once (the module counts
 * as live while it initialises), so everything a mount may use must be up
 * before, and an init failing after it would tear down parts under a
 * mounted superblock.
 */
static int __init pcc_init(void)
{
	int ret;

	ret = pcc_file_init();
	if (ret)
		goto err_file;
	ret = pcc_state_init();
	if (ret)
		goto err_state;
	ret = pcc_fail_init();
	if (ret)
		goto err_fail;
	ret = pcc_netlink_init();
	if (ret)
		goto err_netlink;
	ret = pcc_fs_init();
	if (ret)
		goto err_fs;

	pr_info("version %s loaded\n", PCC_VERSION);
	return 0;

err_fs:
	pcc_netlink_exit();
err_netlink:
	pcc_fail_exit();
err_fail:
	pcc_state_exit();
err_state:
	pcc_file_exit();
err_file:
	return ret;
}

static void __exit pcc_exit(void)
{
	/* The filesystem first: no mount may start while the rest goes. */
	pcc_fs_exit();
	pcc_netlink_exit();
	pcc_fail_exit();
	pcc_state_exit();
	pcc_file_exit();
	pr_info("version %s unloaded\n", PCC_VERSION);
}

module_init(pcc_init);
module_exit(pcc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pcc: persistent client cache stacking filesystem");
MODULE_VERSION(PCC_VERSION);
