// SPDX-License-Identifier: GPL-2.0-only
/*
 * dir.c - open directories: each open pcc directory reads a lower directory
 * file opened with the caller's credentials.  The position is ours; seeks
 * are forwarded so the lower's cursor follows.
 */
#include <linux/fs.h>
#include <linux/file.h>

#include "pcc.h"

static int pcc_dir_open(struct inode *inode, struct file *file)
{
	struct file *lower;

	lower = dentry_open(pcc_lower_path(file->f_path.dentry),
			    file->f_flags, current_cred());
	if (IS_ERR(lower))
		return PTR_ERR(lower);
	file->private_data = lower;
	return 0;
}

static int pcc_dir_release(struct inode *inode, struct file *file)
{
	fput(pcc_lower_file(file));
	return 0;
}

static int pcc_iterate(struct file *file, struct dir_context *ctx)
{
	struct file *lower = pcc_lower_file(file);
	int ret;

	ret = iterate_dir(lower, ctx);
	file->f_pos = ctx->pos;
	pcc_copy_atime(file_inode(file));
	return ret;
}

static loff_t pcc_dir_llseek(struct file *file, loff_t offset, int whence)
{
	struct file *lower = pcc_lower_file(file);
	loff_t ret;

	ret = vfs_llseek(lower, offset, whence);
	if (ret >= 0)
		file->f_pos = lower->f_pos;
	return ret;
}

static int pcc_dir_fsync(struct file *file, loff_t start, loff_t end,
			 int datasync)
{
	return vfs_fsync_range(pcc_lower_file(file), start, end, datasync);
}

const struct file_operations pcc_dir_fops = {
	.owner		= THIS_MODULE,
	.open		= pcc_dir_open,
	.release	= pcc_dir_release,
	.read		= generic_read_dir,
	.iterate_shared	= pcc_iterate,
	.llseek		= pcc_dir_llseek,
	.fsync		= pcc_dir_fsync,
	.unlocked_ioctl	= pcc_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};
