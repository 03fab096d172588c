// SPDX-License-Identifier: GPL-2.0-only
/*
 * file.c - open regular files: every operation goes to a lower file opened
 * with the caller's credentials when ours was opened.
 *
 * The file position is ours (iocb->ki_pos), the flags of each call travel
 * with it (O_APPEND, O_DIRECT, O_DSYNC as set now on our file), and our inode
 * has no page cache: reads, writes and faults all use the lower's, so they
 * are coherent with each other.  Asynchronous kiocbs are served synchronously
 * on the lower file and complete on return; we do not advertise FMODE_NOWAIT.
 *
 * Locks are forwarded too, so a lower filesystem that implements them
 * cluster-wide (NFS) does so through pcc.  A forwarded lock is recorded
 * against the lower file; our ->flush and ->release remove what a close of
 * ours would have removed.
 */
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/fs_stack.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/uio.h>

#include "pcc.h"

/* The flags of our kiocb that mean something to the lower one. */
#define PCC_IOCB_FLAGS	(IOCB_DIRECT | IOCB_APPEND | IOCB_DSYNC | IOCB_SYNC)

static int pcc_open(struct inode *inode, struct file *file)
{
	struct file *lower;

	lower = dentry_open(pcc_lower_path(file->f_path.dentry),
			    file->f_flags &
			    ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC),
			    current_cred());
	if (IS_ERR(lower))
		return PTR_ERR(lower);
	file->private_data = lower;
	if (pcc_file_can_direct(lower))
		pcc_file_set_can_direct(file);
	return 0;
}

static int pcc_release(struct inode *inode, struct file *file)
{
	struct file *lower = pcc_lower_file(file);

	/* Open file description locks are owned by our file. */
	locks_remove_posix(lower, file);
	fput(lower);
	return 0;
}

static int pcc_flush(struct file *file, fl_owner_t id)
{
	struct file *lower = pcc_lower_file(file);
	int ret = 0;

	/* NFS writes back here (close-to-open). */
	if (lower->f_op->flush)
		ret = lower->f_op->flush(lower, id);
	locks_remove_posix(lower, id);
	return ret;
}

static loff_t pcc_llseek(struct file *file, loff_t offset, int whence)
{
	struct file *lower = pcc_lower_file(file);
	loff_t ret;

	/* Callers serialise on our f_pos (fdget_pos); the lower's is ours. */
	lower->f_pos = file->f_pos;
	ret = vfs_llseek(lower, offset, whence);
	file->f_pos = lower->f_pos;
	return ret;
}

static void pcc_lower_kiocb(struct kiocb *lower_iocb, struct kiocb *iocb,
			    struct file *lower)
{
	kiocb_clone(lower_iocb, iocb, lower);
	lower_iocb->ki_flags &= PCC_IOCB_FLAGS;
}

static ssize_t pcc_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct file *lower = pcc_lower_file(file);
	struct kiocb lower_iocb;
	ssize_t ret;

	if (!iov_iter_count(to))
		return 0;
	if ((iocb->ki_flags & IOCB_DIRECT) && !pcc_file_can_direct(lower))
		return -EINVAL;

	pcc_lower_kiocb(&lower_iocb, iocb, lower);
	ret = vfs_iocb_iter_read(lower, &lower_iocb, to);
	iocb->ki_pos = lower_iocb.ki_pos;
	fsstack_copy_attr_atime(file_inode(file), file_inode(lower));
	return ret;
}

static ssize_t pcc_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct file *lower = pcc_lower_file(file);
	struct kiocb lower_iocb;
	ssize_t ret;

	if (!iov_iter_count(from))
		return 0;
	if ((iocb->ki_flags & IOCB_DIRECT) && !pcc_file_can_direct(lower))
		return -EINVAL;

	/* The lower write positions O_APPEND and strips suid/sgid. */
	pcc_lower_kiocb(&lower_iocb, iocb, lower);
	lower_iocb.ki_flags |= IOCB_WRITE;
	pcc_iocb_write_start(lower);
	ret = vfs_iocb_iter_write(lower, &lower_iocb, from);
	pcc_iocb_write_end(lower);
	iocb->ki_pos = lower_iocb.ki_pos;
	pcc_copy_attr(file_inode(file));
	return ret;
}

static ssize_t pcc_splice_read(struct file *in, loff_t *ppos,
			       struct pipe_inode_info *pipe, size_t len,
			       unsigned int flags)
{
	struct file *lower = pcc_lower_file(in);
	ssize_t ret;

	ret = pcc_lower_splice_read(lower, ppos, pipe, len, flags);
	fsstack_copy_attr_atime(file_inode(in), file_inode(lower));
	return ret;
}

/*
 * Not iter_file_splice_write() on our file: it would take the pipe lock
 * and then, in our write_iter, the lower freeze protection, the reverse of
 * the order of every other splice.  Freeze protection first, as the VFS does.
 */
static ssize_t pcc_splice_write(struct pipe_inode_info *pipe,
				struct file *out, loff_t *ppos, size_t len,
				unsigned int flags)
{
	struct file *lower = pcc_lower_file(out);
	ssize_t ret;

	if (!lower->f_op->splice_write)
		return -EINVAL;
	file_start_write(lower);
	ret = lower->f_op->splice_write(pipe, lower, ppos, len, flags);
	file_end_write(lower);
	pcc_copy_attr(file_inode(out));
	return ret;
}

static int pcc_fsync(struct file *file, loff_t start, loff_t end,
		     int datasync)
{
	struct inode *inode = file_inode(file);

	/*
	 * The lower cannot write-protect our PTEs after writing back (they
	 * are not in its i_mmap): move their dirty bits to its pages now.
	 */
	if (mapping_writably_mapped(inode->i_mapping))
		unmap_mapping_range(inode->i_mapping, 0, 0, 0);
	return vfs_fsync_range(pcc_lower_file(file), start, end, datasync);
}

static long pcc_fallocate(struct file *file, int mode, loff_t offset,
			  loff_t len)
{
	struct inode *inode = file_inode(file);
	const int remove = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |
			   FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE;
	loff_t zap_len = 0;
	long ret;

	/*
	 * Pages the lower drops must not stay mapped in our VMAs: all before
	 * (large folios reach past the range), the range again after, for
	 * faults that came in meanwhile.
	 */
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
		zap_len = len;
	if (mode & remove)
		pcc_unmap_lower_pages(inode);
	ret = vfs_fallocate(pcc_lower_file(file), mode, offset, len);
	if (mode & remove)
		unmap_mapping_range(inode->i_mapping, offset, zap_len, 0);
	pcc_copy_attr(inode);
	return ret;
}

static int pcc_fadvise(struct file *file, loff_t offset, loff_t len,
		       int advice)
{
	return vfs_fadvise(pcc_lower_file(file), offset, len, advice);
}

static int pcc_lock(struct file *file, int cmd, struct file_lock *fl)
{
	struct file *lower = pcc_lower_file(file);

	pcc_lock_set_file(fl, lower);
	if (IS_GETLK(cmd))
		return vfs_test_lock(lower, fl);
	return vfs_lock_file(lower, cmd, fl, NULL);
}

static int pcc_flock(struct file *file, int cmd, struct file_lock *fl)
{
	struct file *lower = pcc_lower_file(file);

	/* A flock belongs to an open file: the lower one removes it at close. */
	pcc_lock_set_file(fl, lower);
	pcc_lock_set_owner(fl, lower);
	if (lower->f_op->flock)
		return lower->f_op->flock(lower, cmd, fl);
	return locks_lock_file_wait(lower, fl);
}

const struct file_operations pcc_file_fops = {
	.owner		= THIS_MODULE,
	.open		= pcc_open,
	.release	= pcc_release,
	.flush		= pcc_flush,
	.llseek		= pcc_llseek,
	.read_iter	= pcc_read_iter,
	.write_iter	= pcc_write_iter,
	.splice_read	= pcc_splice_read,
	.splice_write	= pcc_splice_write,
	.mmap		= pcc_mmap,
	.fsync		= pcc_fsync,
	.fallocate	= pcc_fallocate,
	.fadvise	= pcc_fadvise,
	.lock		= pcc_lock,
	.flock		= pcc_flock,
};

/* O_DIRECT opens are allowed; whether the lower allows them is its call. */
const struct address_space_operations pcc_aops = {
	.direct_IO	= noop_direct_IO,
};
