// SPDX-License-Identifier: GPL-2.0-only
/*
 * super.c - the "pcc" filesystem type.
 *
 * The stacking filesystem itself is not written yet: a mount is refused with
 * EOPNOTSUPP so that nobody mistakes the type for a working one.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>
#include <linux/pcc.h>

#include "pcc.h"

static int pcc_get_tree(struct fs_context *fc)
{
	errorfc(fc, "mounting is not implemented yet");
	return -EOPNOTSUPP;
}

static const struct fs_context_operations pcc_context_ops = {
	.get_tree	= pcc_get_tree,
};

static int pcc_init_fs_context(struct fs_context *fc)
{
	fc->ops = &pcc_context_ops;
	return 0;
}

static struct file_system_type pcc_fs_type = {
	.owner			= THIS_MODULE,
	.name			= PCC_FS_NAME,
	.init_fs_context	= pcc_init_fs_context,
	.kill_sb		= kill_anon_super,
};

int pcc_fs_init(void)
{
	return register_filesystem(&pcc_fs_type);
}

void pcc_fs_exit(void)
{
	unregister_filesystem(&pcc_fs_type);
}

MODULE_ALIAS_FS(PCC_FS_NAME);
