// SPDX-License-Identifier: GPL-2.0-only
/*
 * namei.c - the namespace: lookup and the directory operations, each
 * forwarded to the lower directory as the caller, and the dentry operations.
 *
 * Every pcc dentry, negative ones included, holds the lower dentry of the
 * same name.  A directory operation locks the lower parent (both parents for
 * rename), checks the lower dentry is still a child of it, calls the vfs_*
 * helper and then makes our dentry reflect the result.
 */
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "pcc.h"

int pcc_dentry_init(struct dentry *dentry, const struct path *lower)
{
	struct pcc_dentry_info *di;

	di = kzalloc(sizeof(*di), GFP_KERNEL);
	if (!di)
		return -ENOMEM;
	di->lower = *lower;
	path_get(&di->lower);
	dentry->d_fsdata = di;
	return 0;
}

static void pcc_d_release(struct dentry *dentry)
{
	struct pcc_dentry_info *di = dentry->d_fsdata;

	if (!di)
		return;
	path_put(&di->lower);
	/* RCU walkers in pcc_d_revalidate may still look at it. */
	kfree_rcu(di, rcu);
}

/*
 * Whether the lower dentry still has our dentry's name and parent.  It may
 * not, though hashed: NFS "silly-renames" a file unlinked while someone
 * holds its dentry (we do) to .nfsXXXX, moving the dentry with it.
 *
 * Each d_lock keeps its dentry's name and parent still (__d_move() changes
 * them under it), and a dentry holds its parent, so the parent's d_fsdata
 * is there.  Ours first, the lower's nested, as in pcc_lower_dentry_get().
 * In RCU walk a dying dentry may be seen: dentries and d_fsdata are freed
 * after a grace period, and the VFS checks our d_seq after.  A directory's
 * lower dentry is never swapped (pcc_instantiate() swaps negative ones).
 */
static bool pcc_lower_name_matches(struct dentry *dentry, struct dentry *lower)
{
	struct pcc_dentry_info *pdi;
	bool same = false;

	spin_lock(&dentry->d_lock);
	pdi = READ_ONCE(dentry->d_parent->d_fsdata);
	spin_lock_nested(&lower->d_lock, DENTRY_D_LOCK_NESTED);
	if (pdi)
		same = lower->d_parent == pdi->lower.dentry &&
		       lower->d_name.len == dentry->d_name.len &&
		       !memcmp(lower->d_name.name, dentry->d_name.name,
			       dentry->d_name.len);
	spin_unlock(&lower->d_lock);
	spin_unlock(&dentry->d_lock);
	return same;
}

/*
 * A reference on @dentry's lower dentry, for a caller that does not hold
 * the lock of @dentry's parent (pcc_instantiate() may swap it meanwhile):
 * taken under our d_lock, under which the swap is made.  The lower dentry
 * is alive there, since d_fsdata holds a reference the swap drops only
 * after it.
 */
static struct dentry *pcc_lower_dentry_get(struct dentry *dentry)
{
	struct dentry *lower;

	spin_lock(&dentry->d_lock);
	lower = PCC_D(dentry)->lower.dentry;
	spin_lock_nested(&lower->d_lock, DENTRY_D_LOCK_NESTED);
	dget_dlock(lower);
	spin_unlock(&lower->d_lock);
	spin_unlock(&dentry->d_lock);
	return lower;
}

/*
 * Whether our dentry still says what the lower one says: same inode (or
 * both negative), lower still hashed and of the same name.  The lower
 * filesystem's own ->d_revalidate (NFS) is asked first.
 */
static int pcc_d_revalidate_lower(struct dentry *dentry, struct dentry *lower,
				  unsigned int flags)
{
	struct inode *inode, *lower_inode;
	int ret = 1;

	if (lower->d_flags & DCACHE_OP_REVALIDATE) {
		ret = lower->d_op->d_revalidate(lower, flags);
		if (ret == 0 && !(flags & LOOKUP_RCU))
			d_invalidate(lower);
		if (ret <= 0)
			return ret;
	}
	if (d_unhashed(lower))
		return 0;
	if (!IS_ROOT(dentry) && !pcc_lower_name_matches(dentry, lower))
		return 0;
	inode = d_inode_rcu(dentry);
	lower_inode = d_inode_rcu(lower);
	if (inode ? READ_ONCE(PCC_I(inode)->lower) != lower_inode : !!lower_inode)
		return 0;
	/* Mode, owner and flags the VFS checks: the lower's, as of now. */
	if (inode && lower_inode) {
		int err = pcc_revalidate_attr(inode, lower_inode, flags);

		if (err)
			return err;
	}
	return ret;
}

/*
 * A negative dentry's lower dentry may be swapped by a create under way
 * (pcc_instantiate()).  In RCU walk it is read under RCU, as the walk
 * runs: a dentry is freed after a grace period, and the VFS sees the
 * create's d_instantiate() in our d_seq and drops the walk's answer.  In
 * ref-walk we take a reference of our own.
 */
static int pcc_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct pcc_dentry_info *di = READ_ONCE(dentry->d_fsdata);
	struct dentry *lower;
	int ret;

	if (!di)
		return 0;
	if (flags & LOOKUP_RCU)
		return pcc_d_revalidate_lower(dentry,
					      READ_ONCE(di->lower.dentry), flags);
	lower = pcc_lower_dentry_get(dentry);
	ret = pcc_d_revalidate_lower(dentry, lower, flags);
	dput(lower);
	return ret;
}

static int pcc_d_weak_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct dentry *lower = pcc_lower_dentry(dentry);

	if (lower->d_flags & DCACHE_OP_WEAK_REVALIDATE)
		return lower->d_op->d_weak_revalidate(lower, flags);
	return 1;
}

const struct dentry_operations pcc_dops = {
	.d_revalidate		= pcc_d_revalidate,
	.d_weak_revalidate	= pcc_d_weak_revalidate,
	.d_release		= pcc_d_release,
};

static struct dentry *pcc_lookup(struct inode *dir, struct dentry *dentry,
				 unsigned int flags)
{
	const struct path *parent = pcc_lower_path(dentry->d_parent);
	struct path lower = { .mnt = parent->mnt };
	struct inode *inode = NULL;
	int ret;

	lower.dentry = lookup_one_len_unlocked(dentry->d_name.name,
					       parent->dentry,
					       dentry->d_name.len);
	if (IS_ERR(lower.dentry))
		return ERR_CAST(lower.dentry);
	ret = pcc_dentry_init(dentry, &lower);
	if (ret)
		goto out;
	if (d_really_is_positive(lower.dentry)) {
		inode = pcc_iget(dir->i_sb, d_inode(lower.dentry));
		if (IS_ERR(inode)) {
			ret = PTR_ERR(inode);
			goto out;
		}
	}
	dput(lower.dentry);
	return d_splice_alias(inode, dentry);

out:
	dput(lower.dentry);
	return ERR_PTR(ret);
}

/*
 * Whether @lower, which @dentry holds, is no longer @dentry's name in
 * @lower_dir, whose lock the caller holds: removed or renamed on the lower
 * (NFS silly-renames one we hold) since our dentry was last revalidated.
 * Operating on it would remove or replace what is now another name, or
 * unlink an inode twice.  -ESTALE makes the VFS look the name up again
 * (LOOKUP_REVAL), which pcc_d_revalidate() then refuses.
 */
static bool pcc_lower_stale(struct dentry *dentry, struct dentry *lower,
			    struct dentry *lower_dir)
{
	bool stale;

	spin_lock(&lower->d_lock);
	stale = d_unhashed(lower) || lower->d_parent != lower_dir ||
		lower->d_name.len != dentry->d_name.len ||
		memcmp(lower->d_name.name, dentry->d_name.name,
		       dentry->d_name.len);
	spin_unlock(&lower->d_lock);
	return stale;
}

/*
 * The start of a directory operation on @dentry's name: freeze protection
 * on the lower mount, then the lower parent locked and the lower dentry
 * checked to be still its child of that name.  Returns the locked lower
 * parent, or an ERR_PTR; pcc_dir_op_end() undoes both.
 */
static struct dentry *pcc_dir_op_begin(struct dentry *dentry)
{
	const struct path *lower = pcc_lower_path(dentry);
	struct dentry *lower_dir = pcc_lower_dentry(dentry->d_parent);
	int ret;

	ret = mnt_want_write(lower->mnt);
	if (ret)
		return ERR_PTR(ret);
	inode_lock_nested(d_inode(lower_dir), I_MUTEX_PARENT);
	if (pcc_lower_stale(dentry, lower->dentry, lower_dir)) {
		inode_unlock(d_inode(lower_dir));
		mnt_drop_write(lower->mnt);
		return ERR_PTR(-ESTALE);
	}
	return lower_dir;
}

static void pcc_dir_op_end(struct dentry *dentry, struct dentry *lower_dir)
{
	inode_unlock(d_inode(lower_dir));
	mnt_drop_write(pcc_lower_path(dentry)->mnt);
}

/*
 * After a successful create on the lower: point our dentry at the lower
 * inode.  Some filesystems (NFS) may leave the lower dentry unhashed or
 * negative after a create, so look it up again in that case.
 */
static int pcc_instantiate(struct dentry *dentry, struct dentry *lower_dir)
{
	struct pcc_dentry_info *di = PCC_D(dentry);
	struct dentry *lower = di->lower.dentry;
	struct dentry *old;
	struct inode *inode;

	if (d_unhashed(lower) || d_really_is_negative(lower)) {
		lower = lookup_one_len(dentry->d_name.name, lower_dir,
				       dentry->d_name.len);
		if (IS_ERR(lower))
			return PTR_ERR(lower);
		if (d_really_is_negative(lower)) {
			dput(lower);
			return -ENOENT;
		}
		/*
		 * pcc_d_revalidate() may be looking at the old one: swap
		 * under our d_lock, where ref-walk takes its reference, and
		 * put it after.  RCU walkers may still see it: dentries are
		 * freed after a grace period.
		 */
		old = di->lower.dentry;
		spin_lock(&dentry->d_lock);
		/* Pairs with the READ_ONCE() of the RCU walk. */
		smp_store_release(&di->lower.dentry, lower);
		spin_unlock(&dentry->d_lock);
		dput(old);
	}
	inode = pcc_iget(dentry->d_sb, d_inode(lower));
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	d_instantiate(dentry, inode);
	return 0;
}

/* The common frame of create, mkdir, mknod and symlink. */
static int pcc_make(struct inode *dir, struct dentry *dentry, umode_t mode,
		    dev_t rdev, const char *target, bool excl)
{
	const struct path *lower = pcc_lower_path(dentry);
	struct dentry *lower_dir;
	struct inode *lower_dir_inode;
	int ret;

	lower_dir = pcc_dir_op_begin(dentry);
	if (IS_ERR(lower_dir))
		return PTR_ERR(lower_dir);
	lower_dir_inode = d_inode(lower_dir);
	switch (mode & S_IFMT) {
	case S_IFREG:
		ret = vfs_create(PCC_NOP_IDMAP, lower_dir_inode, lower->dentry,
				 mode, excl);
		break;
	case S_IFDIR:
		ret = vfs_mkdir(PCC_NOP_IDMAP, lower_dir_inode, lower->dentry,
				mode);
		break;
	case S_IFLNK:
		ret = vfs_symlink(PCC_NOP_IDMAP, lower_dir_inode, lower->dentry,
				  target);
		break;
	default:
		ret = vfs_mknod(PCC_NOP_IDMAP, lower_dir_inode, lower->dentry,
				mode, rdev);
		break;
	}
	if (!ret)
		ret = pcc_instantiate(dentry, lower_dir);
	pcc_copy_attr(dir);
	pcc_dir_op_end(dentry, lower_dir);
	return ret;
}

static int pcc_create(pcc_idmap_t *idmap, struct inode *dir,
		      struct dentry *dentry, umode_t mode, bool excl)
{
	int ret;

	ret = pcc_make(dir, dentry, (mode & ~S_IFMT) | S_IFREG, 0, NULL, excl);
	/* A new file a read-write dataset's rule matches is cached at once. */
	if (!ret)
		pcc_inode_create(dentry);
	return ret;
}

static int pcc_mkdir(pcc_idmap_t *idmap, struct inode *dir,
		     struct dentry *dentry, umode_t mode)
{
	return pcc_make(dir, dentry, (mode & ~S_IFMT) | S_IFDIR, 0, NULL,
			false);
}

static int pcc_mknod(pcc_idmap_t *idmap, struct inode *dir,
		     struct dentry *dentry, umode_t mode, dev_t rdev)
{
	if (!(mode & S_IFMT))
		mode |= S_IFREG;
	if (S_ISREG(mode))
		return pcc_make(dir, dentry, mode, 0, NULL, true);
	return pcc_make(dir, dentry, mode, rdev, NULL, false);
}

static int pcc_symlink(pcc_idmap_t *idmap, struct inode *dir,
		       struct dentry *dentry, const char *target)
{
	return pcc_make(dir, dentry, S_IFLNK, 0, target, false);
}

static int pcc_link(struct dentry *old, struct inode *dir, struct dentry *new)
{
	const struct path *lower = pcc_lower_path(new);
	struct dentry *lower_old = pcc_lower_dentry(old);
	struct dentry *lower_dir;
	struct inode *inode = d_inode(old);
	int ret;

	lower_dir = pcc_dir_op_begin(new);
	if (IS_ERR(lower_dir))
		return PTR_ERR(lower_dir);
	ret = vfs_link(lower_old, PCC_NOP_IDMAP, d_inode(lower_dir),
		       lower->dentry, NULL);
	if (!ret) {
		/* A hard link: the same lower inode, so the same inode. */
		if (d_inode(lower->dentry) == pcc_lower_inode(inode)) {
			ihold(inode);
			d_instantiate(new, inode);
		} else {
			ret = pcc_instantiate(new, lower_dir);
		}
		pcc_copy_attr(inode);
	}
	pcc_copy_attr(dir);
	pcc_dir_op_end(new, lower_dir);
	return ret;
}

static int pcc_unlink_or_rmdir(struct inode *dir, struct dentry *dentry,
			       bool rmdir)
{
	const struct path *lower = pcc_lower_path(dentry);
	struct inode *inode = d_inode(dentry);
	struct dentry *lower_dir;
	struct dentry *lower_dentry;
	int ret;

	lower_dir = pcc_dir_op_begin(dentry);
	if (IS_ERR(lower_dir))
		return PTR_ERR(lower_dir);
	lower_dentry = dget(lower->dentry);
	if (d_inode(lower_dentry) != pcc_lower_inode(inode))
		ret = -ESTALE;
	else if (rmdir)
		ret = vfs_rmdir(PCC_NOP_IDMAP, d_inode(lower_dir), lower_dentry);
	else
		ret = vfs_unlink(PCC_NOP_IDMAP, d_inode(lower_dir),
				 lower_dentry, NULL);
	dput(lower_dentry);
	if (!ret) {
		if (rmdir)
			clear_nlink(inode);
		else
			pcc_copy_attr(inode);
		d_drop(dentry);
	}
	pcc_copy_attr(dir);
	pcc_dir_op_end(dentry, lower_dir);
	return ret;
}

static int pcc_unlink(struct inode *dir, struct dentry *dentry)
{
	return pcc_unlink_or_rmdir(dir, dentry, false);
}

static int pcc_rmdir(struct inode *dir, struct dentry *dentry)
{
	return pcc_unlink_or_rmdir(dir, dentry, true);
}

static int pcc_rename(pcc_idmap_t *idmap, struct inode *old_dir,
		      struct dentry *old, struct inode *new_dir,
		      struct dentry *new, unsigned int flags)
{
	const struct path *lower_old = pcc_lower_path(old);
	struct dentry *lower_new = pcc_lower_dentry(new);
	struct dentry *lower_old_dir = pcc_lower_dentry(old->d_parent);
	struct dentry *lower_new_dir = pcc_lower_dentry(new->d_parent);
	struct dentry *trap;
	int ret;

	ret = mnt_want_write(lower_old->mnt);
	if (ret)
		return ret;
	trap = lock_rename(lower_old_dir, lower_new_dir);
	if (IS_ERR(trap)) {
		ret = PTR_ERR(trap);
		goto out;
	}
	ret = -ESTALE;
	if (pcc_lower_stale(old, lower_old->dentry, lower_old_dir) ||
	    pcc_lower_stale(new, lower_new, lower_new_dir))
		goto unlock;
	if (d_inode(lower_old->dentry) != pcc_lower_inode(d_inode(old)))
		goto unlock;
	if (d_inode(new) ?
	    d_inode(lower_new) != pcc_lower_inode(d_inode(new)) :
	    d_really_is_positive(lower_new))
		goto unlock;
	ret = -EINVAL;
	if (trap == lower_old->dentry)
		goto unlock;
	ret = -ENOTEMPTY;
	if (trap == lower_new)
		goto unlock;

	ret = pcc_vfs_rename(d_inode(lower_old_dir), lower_old->dentry,
			     d_inode(lower_new_dir), lower_new, flags);
	pcc_copy_attr(old_dir);
	if (new_dir != old_dir)
		pcc_copy_attr(new_dir);
	if (!ret) {
		pcc_copy_attr(d_inode(old));
		if (d_inode(new))
			pcc_copy_attr(d_inode(new));
	}
unlock:
	unlock_rename(lower_old_dir, lower_new_dir);
out:
	mnt_drop_write(lower_old->mnt);
	return ret;
}

const struct inode_operations pcc_dir_iops = {
	.lookup		= pcc_lookup,
	.create		= pcc_create,
	.link		= pcc_link,
	.unlink		= pcc_unlink,
	.symlink	= pcc_symlink,
	.mkdir		= pcc_mkdir,
	.rmdir		= pcc_rmdir,
	.mknod		= pcc_mknod,
	.rename		= pcc_rename,
	.permission	= pcc_permission,
	.getattr	= pcc_getattr,
	.setattr	= pcc_setattr,
	.listxattr	= pcc_listxattr,
	.fileattr_get	= pcc_fileattr_get,
	.fileattr_set	= pcc_fileattr_set,
	PCC_ACL_IOPS
};
