// SPDX-License-Identifier: GPL-2.0-only
/*
 * evict.c - PCC_CMD_EVICT: remove one copy from a dataset, detaching the
 * file attached to it first (its I/O goes to the lower from then on).
 *
 * The copy is named by its dataset and the lower file handle, what pccd
 * knows of a copy it finds on disk.  No open may attach the file to the
 * copy between the check and the unlink: both are done under the file's
 * pcc_lock, which every attach holds.  Taking that lock needs the file's
 * inode, in memory or not, so the handle is decoded on the lower with
 * exportfs (as open_by_handle_at(2) does) and our inode of that lower
 * inode got with pcc_iget(), made if none is in memory.  Our inodes are
 * keyed on the lower inode: every open of the file meets this inode and
 * waits for its lock.  Searching pcc_super.attached would be simpler but
 * would miss a file in memory that is attaching right now.
 *
 * Where the handle cannot be decoded (a lower without export operations,
 * whose copies are named by inode number, or a lower file removed since),
 * the attached files are searched for the one attached to that copy.
 * Then a file not attached could attach to the copy as it goes; the open
 * after that finds the copy gone and detaches (PCC_DETACH_COPY_GONE).
 */
#include <linux/cred.h>
#include <linux/exportfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/xattr.h>
#include <net/netlink.h>

#include "pcc.h"

static bool pcc_fh_equal(const struct pcc_version *a,
			 const struct pcc_version *b)
{
	return a->fh_type == b->fh_type && a->fh_len == b->fh_len &&
	       !memcmp(a->fh, b->fh, a->fh_len);
}

/* Any alias will do: only the inode is wanted, not a path to it. */
static int pcc_evict_accept(void *context, struct dentry *dentry)
{
	return 1;
}

/* Our inode of the lower file @v's handle names, referenced, or NULL. */
static struct inode *pcc_evict_decode(struct super_block *sb,
				      const struct pcc_version *v)
{
	struct vfsmount *mnt = PCC_SB(sb)->lower.mnt;
	const struct export_operations *eop = mnt->mnt_sb->s_export_op;
	struct inode *inode = NULL;
	struct dentry *lower;

	if (v->fh_type == PCC_FH_TYPE_INO || v->fh_len % 4 || !eop ||
	    !eop->fh_to_dentry)
		return NULL;
	lower = exportfs_decode_fh(mnt, (struct fid *)v->fh, v->fh_len / 4,
				   v->fh_type, pcc_evict_accept, NULL);
	if (IS_ERR_OR_NULL(lower))
		return NULL;
	if (d_is_reg(lower)) {
		inode = pcc_iget(sb, d_inode(lower));
		if (IS_ERR(inode))
			inode = NULL;
	}
	dput(lower);
	return inode;
}

/* The file attached to the copy of @v's handle in @ds_id, or NULL. */
static struct inode *pcc_evict_attached(struct super_block *sb, u32 ds_id,
					const struct pcc_version *v)
{
	struct pcc_super *super = pcc_super(sb);
	struct inode *inode = NULL;
	struct pcc_inode *pcci;

	spin_lock(&super->attached_lock);
	list_for_each_entry(pcci, &super->attached, attached) {
		if (pcci->dataset_id == ds_id &&
		    pcc_fh_equal(&pcci->version, v)) {
			inode = igrab(pcci->inode);
			break;
		}
	}
	spin_unlock(&super->attached_lock);
	return inode;
}

/*
 * Whether @copy is the read-only copy of @v's handle in dataset @ds_id,
 * which eviction may remove: 0, -ESTALE (its xattr says it is of another
 * dataset, type or file) or -EINVAL (no valid xattr).  Mounter's
 * credentials.
 */
static int pcc_evict_check(const struct path *copy,
			   const struct pcc_version *v, u32 ds_id)
{
	struct pcc_copy_xattr cx;
	ssize_t len;

	if (!d_is_reg(copy->dentry))
		return -EINVAL;
	len = vfs_getxattr(pcc_mnt_idmap(copy->mnt), copy->dentry,
			   PCC_XATTR_COPY, &cx, sizeof(cx));
	if (len != sizeof(cx) || cx.magic != PCC_COPY_MAGIC ||
	    cx.format != PCC_COPY_FORMAT)
		return -EINVAL;
	if ((cx.type != PCC_TYPE_READONLY && cx.type != PCC_TYPE_READWRITE) ||
	    cx.dataset_id != ds_id ||
	    !pcc_fh_equal(&cx.version, v))
		return -ESTALE;
	return 0;
}

/*
 * Unlink @copy, if it still has the name it was found at (a copy renamed
 * over it since was not checked).  Mounter's credentials.
 */
int pcc_copy_unlink_path(const struct path *copy)
{
	struct dentry *parent;
	int ret;

	ret = mnt_want_write(copy->mnt);
	if (ret)
		return ret;
	parent = dget_parent(copy->dentry);
	inode_lock_nested(d_inode(parent), I_MUTEX_PARENT);
	if (copy->dentry->d_parent == parent && !d_unhashed(copy->dentry))
		ret = vfs_unlink(pcc_mnt_idmap(copy->mnt), d_inode(parent),
				 copy->dentry, NULL);
	else
		ret = -ENOENT;
	inode_unlock(d_inode(parent));
	dput(parent);
	mnt_drop_write(copy->mnt);
	return ret;
}

/*
 * Look the copy up in dataset @ds_id and check it.  0 with @copy
 * referenced, or a negative errno said in @extack.  Mounter's credentials.
 */
static int pcc_evict_lookup(struct pcc_super *super, u32 ds_id,
			    const struct pcc_version *v, struct path *copy,
			    struct netlink_ext_ack *extack)
{
	char name[PCC_CACHE_NAME_MAX];
	struct pcc_dataset *ds;
	int ret;

	pcc_cache_name(name, v->fh_type, v->fh, v->fh_len);
	down_read(&super->rw_sem);
	ds = pcc_dataset_find(super, ds_id, PCC_DS_MODE_RO | PCC_DS_MODE_RW);
	ret = -ENOENT;
	if (ds)
		ret = pcc_cache_walk(&ds->root, name, copy);
	up_read(&super->rw_sem);
	if (!ds) {
		NL_SET_ERR_MSG(extack, "the mount has no dataset with this id");
		return ret;
	}
	if (ret) {
		NL_SET_ERR_MSG(extack, "no copy of this file in the dataset");
		return ret;
	}
	ret = pcc_evict_check(copy, v, ds_id);
	if (ret == -ESTALE)
		NL_SET_ERR_MSG(extack,
			       "the copy there is of another dataset, type or file");
	else if (ret)
		NL_SET_ERR_MSG(extack, "the copy there has no valid pcc xattr");
	if (ret)
		path_put(copy);
	return ret;
}

/*
 * PCC_CMD_EVICT of the copy of the lower file of @v's handle in dataset
 * @ds_id of @sb: detach the file attached to it, unlink it.  *@flags gets
 * PCC_EVICT_*.  The superblock is pinned; no lock held.
 */
int pcc_evict(struct super_block *sb, u32 ds_id, const struct pcc_version *v,
	      u32 *flags, struct netlink_ext_ack *extack)
{
	struct pcc_super *super = pcc_super(sb);
	struct pcc_inode *pcci = NULL;
	const struct cred *old;
	struct inode *inode;
	struct inode *held;
	struct path copy;
	int ret;

	*flags = 0;
	inode = pcc_evict_decode(sb, v);
	if (!inode)
		inode = pcc_evict_attached(sb, ds_id, v);
	if (inode) {
		pcc_inode_lock(inode);
		pcci = PCC_I(inode)->pcci;
	}
	old = override_creds(super->cred);
	ret = pcc_evict_lookup(super, ds_id, v, &copy, extack);
	if (ret)
		goto out;
	held = d_inode(copy.dentry);
	/*
	 * Attached to this very copy: detach first (waits for its I/O,
	 * writes a read-write file back).
	 */
	if (pcci && READ_ONCE(pcci->type) != PCC_TYPE_NONE &&
	    file_inode(pcci->copy) == held) {
		ret = pcc_detach_locked(inode, PCC_DETACH_EVICTED);
		if (ret) {
			NL_SET_ERR_MSG(extack, "cannot write the read-write copy back");
			path_put(&copy);
			goto out;
		}
		*flags |= PCC_EVICT_WAS_ATTACHED;
	}
	/* Data the lower does not have yet (a crash left it): never lost. */
	if (vfs_getxattr(pcc_mnt_idmap(copy.mnt), copy.dentry,
			 PCC_XATTR_DIRTY, NULL, 0) >= 0) {
		NL_SET_ERR_MSG(extack, "the copy is not written back yet");
		path_put(&copy);
		ret = -EBUSY;
		goto out;
	}
	ret = pcc_copy_unlink_path(&copy);
	path_put(&copy);
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot unlink the copy");
		goto out;
	}
	if (pcci) {
		/*
		 * Mappings bound to the copy keep it (pcci->mirror), as does
		 * a detach that was killed while it waited for I/O.
		 */
		spin_lock(&pcci->map_lock);
		if ((pcci->mirror && file_inode(pcci->mirror) == held) ||
		    (pcci->copy && file_inode(pcci->copy) == held))
			*flags |= PCC_EVICT_IN_USE;
		spin_unlock(&pcci->map_lock);
	}
	/* Used again, it is reported as a miss again: pccd may copy it. */
	if (inode)
		WRITE_ONCE(PCC_I(inode)->pcc_miss_generation, 0);
out:
	revert_creds(old);
	if (inode) {
		pcc_inode_unlock(inode);
		iput(inode);
	}
	return ret;
}
