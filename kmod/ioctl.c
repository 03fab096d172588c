// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioctl.c - the per-file commands of include/uapi/linux/pcc.h, on an open
 * pcc file (as Lustre's LL_IOC_PCC_*), and PCC_IOC_STATE on an open pcc
 * directory with a name, which looks at a file without opening it.
 *
 * An open descriptor proves nothing about what its holder may do with the
 * cache (it may have been passed on): every command asks again whether
 * the caller may read the file (Lustre's pcc_mode gate at its default,
 * 0400), the admin excepted.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "pcc.h"

static int pcc_ioctl_permitted(struct inode *inode)
{
	/* The capability last: its check is audited, a read permission not. */
	if (!inode_permission(PCC_NOP_IDMAP, pcc_lower_inode(inode), MAY_READ))
		return 0;
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/*
 * As the opener of @file: pccd attaches through descriptors users passed
 * it, and reads the lower (its version, another node's mark) as they
 * would, where root_squash would turn pccd's root into nobody.
 */
static int pcc_ioc_attach(struct file *file, void __user *arg)
{
	struct pcc_ioc_attach a;
	const struct cred *old;
	int ret;

	if (copy_from_user(&a, arg, sizeof(a)))
		return -EFAULT;
	if (a.flags || a.reserved || a.dataset_id > PCC_DS_ID_MAX)
		return -EINVAL;
	old = override_creds(file->f_cred);
	ret = pcc_attach(file_inode(file), a.type, a.dataset_id);
	revert_creds(old);
	return ret;
}

static int pcc_ioc_detach(struct inode *inode, void __user *arg)
{
	struct pcc_ioc_detach d;
	int ret;

	if (copy_from_user(&d, arg, sizeof(d)))
		return -EFAULT;
	if ((d.flags & ~PCC_DETACH_FL_UNCACHE) || d.dataset_id > PCC_DS_ID_MAX)
		return -EINVAL;
	ret = pcc_detach(inode, d.flags, d.dataset_id);
	if (ret < 0)
		return ret;
	d.flags = ret;
	return copy_to_user(arg, &d, sizeof(d)) ? -EFAULT : 0;
}

/*
 * Fill @st for @inode.  Never waits for an attach or detach in progress
 * (pcc_lock): what the mapping side sees (map_lock) is a consistent
 * snapshot, and ATTACHING is visible.  A copy found unlinked is detached
 * on the way, as Lustre's state does, without waiting for the I/O on it
 * (the type is then none, flagged UNLINKED).
 */
static void pcc_state_fill(struct inode *inode, struct pcc_ioc_state *st)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_super *super = pcc_super(inode->i_sb);
	/* Pairs with the cmpxchg that publishes a new pcc_inode. */
	struct pcc_inode *pcci = smp_load_acquire(&pi->pcci);
	struct file *copy = NULL;

	st->open_count = atomic_read(&pi->pcc_open_count);
	if (READ_ONCE(pi->pcc_generation) == READ_ONCE(super->generation) &&
	    (READ_ONCE(pi->pcc_dsflags) & PCC_DATASET_NONE))
		st->flags |= PCC_STATE_FL_NONE;
	if (!pcci)
		return;
	if (READ_ONCE(pcci->attaching))
		st->flags |= PCC_STATE_FL_ATTACHING;
	spin_lock(&pcci->map_lock);
	if (pcci->mapcnt)
		st->flags |= PCC_STATE_FL_MAPPED;
	if (pcci->type != PCC_TYPE_NONE) {
		st->type = pcci->type;
		st->dataset_id = pcci->dataset_id;
		pcc_cache_name(st->path, pcci->version.fh_type,
			       pcci->version.fh, pcci->version.fh_len);
		copy = get_file(pcci->copy);
		/* A snapshot: changes not written back yet. */
		if (pcci->type == PCC_TYPE_READWRITE && READ_ONCE(pcci->dirty))
			st->flags |= PCC_STATE_FL_DIRTY;
	}
	spin_unlock(&pcci->map_lock);
	if (!copy)
		return;
	/*
	 * A read-write file's copy is its data, named or not: it stays
	 * attached until its write-back (pcc_detach_nowait() leaves it).
	 */
	if (!file_inode(copy)->i_nlink && st->type == PCC_TYPE_READWRITE) {
		st->flags |= PCC_STATE_FL_UNLINKED;
	} else if (!file_inode(copy)->i_nlink) {
		st->flags |= PCC_STATE_FL_UNLINKED;
		st->type = PCC_TYPE_NONE;
		st->dataset_id = 0;
		st->path[0] = '\0';
		pcc_detach_nowait(inode, PCC_DETACH_COPY_GONE);
	}
	fput(copy);
}

/* The file @st->path names in the directory @dir, not opened. */
static struct dentry *pcc_state_lookup(struct dentry *dir,
				       struct pcc_ioc_state *st)
{
	struct dentry *dentry;
	size_t len;

	if (!st->namelen || st->namelen > sizeof(st->path))
		return ERR_PTR(-EINVAL);
	len = st->namelen - 1;
	/* One name of a file in @dir: not "." nor "..", no "/". */
	if (st->path[len] || strnlen(st->path, len) != len || !len ||
	    strchr(st->path, '/') || !strcmp(st->path, ".") ||
	    !strcmp(st->path, ".."))
		return ERR_PTR(-EINVAL);
	/* Checks search permission on @dir as the caller. */
	dentry = lookup_one_len_unlocked(st->path, dir, len);
	if (IS_ERR(dentry))
		return dentry;
	if (d_is_negative(dentry)) {
		dput(dentry);
		return ERR_PTR(-ENOENT);
	}
	return dentry;
}

static int pcc_ioc_state(struct file *file, void __user *arg)
{
	struct inode *inode = file_inode(file);
	struct dentry *dentry = NULL;
	struct pcc_ioc_state *st;
	int ret;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(st, arg, sizeof(*st)))
		goto out;
	ret = -EINVAL;
	if (st->reserved)
		goto out;
	if (S_ISDIR(inode->i_mode)) {
		dentry = pcc_state_lookup(file->f_path.dentry, st);
		ret = PTR_ERR(dentry);
		if (IS_ERR(dentry)) {
			dentry = NULL;
			goto out;
		}
		inode = d_inode(dentry);
	} else if (st->namelen) {
		goto out;
	}
	ret = -EINVAL;
	if (!S_ISREG(inode->i_mode))
		goto out;
	ret = pcc_ioctl_permitted(inode);
	if (ret)
		goto out;
	st->type = PCC_TYPE_NONE;
	st->dataset_id = 0;
	st->flags = 0;
	st->path[0] = '\0';
	pcc_state_fill(inode, st);
	ret = copy_to_user(arg, st, sizeof(*st)) ? -EFAULT : 0;
out:
	dput(dentry);
	kfree(st);
	return ret;
}

/*
 * The lower version, for a copy maker.  Not while the file is being
 * changed through pcc or mapped for writing: stores into pages already
 * dirty change no time of a local lower, so two equal versions would not
 * prove the data did not move (-EBUSY: try later).
 */
static int pcc_ioc_version(struct inode *inode, void __user *arg)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	/* Pairs with the cmpxchg that publishes a new pcc_inode. */
	struct pcc_inode *pcci = smp_load_acquire(&pi->pcci);
	struct pcc_version v;
	int ret;

	if (atomic_read(&pi->pcc_writers) || (pcci && READ_ONCE(pcci->wmapcnt)))
		return -EBUSY;

	ret = pcc_lower_version(inode, &v, true);
	if (ret)
		return ret;
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

long pcc_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct inode *inode = file_inode(file);
	void __user *argp = (void __user *)arg;
	int ret;

	if (cmd == PCC_IOC_STATE)
		return pcc_ioc_state(file, argp);
	switch (cmd) {
	case PCC_IOC_ATTACH:
	case PCC_IOC_DETACH:
	case PCC_IOC_VERSION:
		break;
	default:
		return -ENOTTY;
	}
	if (!S_ISREG(inode->i_mode))
		return -EINVAL;
	ret = pcc_ioctl_permitted(inode);
	if (ret)
		return ret;
	switch (cmd) {
	case PCC_IOC_ATTACH:
		return pcc_ioc_attach(file, argp);
	case PCC_IOC_DETACH:
		return pcc_ioc_detach(inode, argp);
	default:
		return pcc_ioc_version(inode, argp);
	}
}
