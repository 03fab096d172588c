// SPDX-License-Identifier: GPL-2.0-only
/*
 * mark.c - the read-write mark on lower files (PCC_XATTR_RW_MARK).
 *
 * While a read-write copy holds changes its lower file lacks, the lower
 * file tells the other nodes so: user.pcc.rw is this mount's node name.
 * The mark spans the copy's dirty mark (rw.c):
 *  - set by the first change after a write-back, once PCC_XATTR_DIRTY is
 *    durable on the copy, so a crash never leaves a mark that no dirty
 *    copy records for pccd to remove;
 *  - removed by the write-back once the lower holds the data and before
 *    its new version is read, so that version includes the removal.
 * Other nodes do not attach a file marked by another node (attach.c), so
 * none caches a version that is about to be replaced.
 *
 * Why not for the whole read-write attachment: a clean copy holds nothing
 * the lower lacks, other nodes may cache it as well; and a mark held until
 * the detach would outlive the file's last close (an attached file stays
 * attached), so the inode would have to be pinned for as long, or the mark
 * removed at its eviction, from memory reclaim, by an RPC.  A dirty file
 * is pinned anyway.
 *
 * Setting it changes the lower's ctime (and change attribute): the open of
 * a read-write file takes that for its own while the mark is on
 * (pcc_rw_version_settle()).  The mark is set and removed with the
 * credentials of the writer (root_squash applies as to them; removing it
 * falls back to the mounter's), and read with the caller's.
 */
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/mount.h>
#include <linux/pcc.h>
#include <linux/string.h>
#include <linux/xattr.h>

#include "pcc.h"

/* What the mark of a lower file says, as pcc_mark_read() reads it. */
enum pcc_mark_is {
	PCC_MARK_NONE,		/* no mark, or none possible (EOPNOTSUPP) */
	PCC_MARK_OURS,		/* @node's */
	PCC_MARK_OTHER,		/* another node's */
	PCC_MARK_UNKNOWN,	/* it cannot be read */
};

/*
 * Read the mark of @lower, for node @node.  Unreadable when the lower
 * refuses the caller (a file they may write but not read) or does not
 * answer.  pcc reads it for itself, whoever the caller: without the VFS's
 * permission check (the server checks the request).
 */
static enum pcc_mark_is pcc_mark_read(struct dentry *lower, const char *node)
{
	char value[PCC_NODE_MAX + 1];
	ssize_t len;

	len = __vfs_getxattr(lower, d_inode(lower), PCC_XATTR_RW_MARK, value,
			     sizeof(value) - 1);
	/* Longer than any node name: not ours. */
	if (len == -ERANGE)
		return PCC_MARK_OTHER;
	if (len == -ENODATA || len == -EOPNOTSUPP)
		return PCC_MARK_NONE;
	if (len < 0)
		return PCC_MARK_UNKNOWN;
	if (len != strlen(node) || memcmp(value, node, len))
		return PCC_MARK_OTHER;
	return PCC_MARK_OURS;
}

/*
 * Set the mark of @lower to @node (XATTR_CREATE), or remove it (@node
 * NULL), as the caller, a writer.  Without the VFS's permission check and
 * security hooks: the mark is pcc's, and the writer's access is proven by
 * the lower file it opened for writing (the server checks the request).
 */
static int pcc_mark_write(const struct path *lower, const char *node)
{
	struct dentry *dentry = lower->dentry;
	struct inode *inode = d_inode(dentry);
	struct inode *delegated = NULL;
	int ret;

	ret = mnt_want_write(lower->mnt);
	if (ret)
		return ret;
retry:
	inode_lock(inode);
	ret = try_break_deleg(inode, &delegated);
	if (!ret && node)
		ret = __vfs_setxattr(PCC_NOP_IDMAP, dentry, inode,
				     PCC_XATTR_RW_MARK, node, strlen(node),
				     XATTR_CREATE);
	else if (!ret)
		ret = __vfs_removexattr(PCC_NOP_IDMAP, dentry,
					PCC_XATTR_RW_MARK);
	if (!ret)
		fsnotify_xattr(dentry);
	inode_unlock(inode);
	if (delegated) {
		ret = break_deleg_wait(&delegated);
		if (!ret)
			goto retry;
	}
	mnt_drop_write(lower->mnt);
	return ret;
}

/*
 * Whether another node holds @inode read-write: if so, it is not attached
 * here, which PCC_STAT_HELD_ELSEWHERE counts.  A mark that cannot be read
 * is not taken for one: the version check still guards the data.  One
 * GETXATTR on NFS (its client caches a mark it has read, not the lack of
 * one); with the caller's credentials.
 */
bool pcc_mark_foreign(struct inode *inode)
{
	struct dentry *alias = d_find_any_alias(inode);
	bool ret;

	if (!alias)
		return false;
	ret = pcc_mark_read(pcc_lower_dentry(alias),
			    PCC_SB(inode->i_sb)->node) == PCC_MARK_OTHER;
	dput(alias);
	if (ret)
		pcc_stat_inc(inode->i_sb, PCC_STAT_HELD_ELSEWHERE);
	return ret;
}

/*
 * The copy of read-write @inode was just marked dirty: mark its lower
 * file at @lower, as a writer with credentials @cred.  XATTR_CREATE, so
 * that a mark already there is not taken from another node: that node's
 * write-back and ours will go to the lower in turn, the last one winning
 * (as between two NFS clients).  One there with our name is a leftover of
 * a crash, or of a write-back that failed at unmount: ours again.  A lower
 * without user xattrs has no mark; any other failure is reported and
 * leaves the file unmarked: the mark guards other nodes' caching, not
 * this node's data.  Between pcc_rw_begin() and pcc_rw_end() with
 * dirty_lock held, or with rw_sem held for writing (a write-back that
 * failed after removing it puts it back).
 */
void pcc_mark_set(struct inode *inode, const struct path *lower,
		  const struct cred *cred)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	const char *node = PCC_SB(inode->i_sb)->node;
	const struct cred *old;
	int ret;

	if (pcci->lower_marked)
		return;
	old = override_creds(cred);
	ret = pcc_mark_write(lower, node);
	/* Ours only if it says so: one we cannot read may be another's. */
	if (ret == -EEXIST &&
	    pcc_mark_read(lower->dentry, node) == PCC_MARK_OURS)
		ret = 0;
	revert_creds(old);
	if (!ret) {
		pcci->lower_marked = true;
		pcc_stat_inc(inode->i_sb, PCC_STAT_MARKS);
		return;
	}
	if (ret == -EEXIST) {
		pcc_stat_inc(inode->i_sb, PCC_STAT_MARK_CONFLICTS);
		pr_warn_ratelimited("a file another node holds read-write is written on node %s too: the last write-back wins\n",
				    node);
	} else if (ret != -EOPNOTSUPP) {
		pr_warn_ratelimited("cannot mark a file read-write on its lower filesystem: %d\n",
				    ret);
	}
}

/*
 * The write-back of read-write @inode has put the data in the lower: its
 * mark goes, if we set it and no one put another in its place (by hand;
 * one we cannot read is still the one we set).  As the writer, then as
 * the mounter: removing a user xattr takes write access, which the writer
 * may have lost since (a chmod a-w after the last write).  A failure does
 * not fail the write-back, whose data went through (close(2) would report
 * it): the file is named in the log, and the mark stays until this node's
 * next write-back of the file (which takes it as its own) or its removal
 * by hand.  Returns whether the mark was on (and is now gone or left).
 * rw_sem held for writing.
 */
bool pcc_mark_clear(struct inode *inode)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	struct file *lower = pcci->wb_lower;
	const char *node = PCC_SB(inode->i_sb)->node;
	const struct cred *old;
	int ret = 0;

	if (!pcci->lower_marked)
		return false;
	old = override_creds(lower->f_cred);
	if (pcc_mark_read(lower->f_path.dentry, node) != PCC_MARK_OTHER)
		ret = pcc_mark_write(&lower->f_path, NULL);
	revert_creds(old);
	if (ret == -EACCES || ret == -EPERM) {
		old = pcc_copy_creds(inode);
		ret = pcc_mark_write(&lower->f_path, NULL);
		revert_creds(old);
	}
	pcci->lower_marked = false;
	if (ret && ret != -ENODATA)
		pr_warn_ratelimited("node %s: cannot remove its read-write mark %s from %pd2, written back: %d\n",
				    node, PCC_XATTR_RW_MARK,
				    lower->f_path.dentry, ret);
	return true;
}
