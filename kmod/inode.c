// SPDX-License-Identifier: GPL-2.0-only
/*
 * inode.c - pcc inodes: one per lower inode, attributes mirrored from it.
 *
 * Permission checks, getattr and setattr go to the lower inode as the
 * caller, so the lower filesystem (an NFS server with root_squash, say)
 * decides.  st_dev is ours, st_ino the lower's: both are stable for the life
 * of the mount.
 */
#include <linux/fileattr.h>
#include <linux/fs.h>
#include <linux/fs_stack.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/posix_acl.h>
#include <linux/slab.h>
#include <linux/xattr.h>

#include "pcc.h"

static struct kmem_cache *pcc_inode_cachep;

/*
 * A pcc over a pcc takes the lower pcc's i_rwsem while holding its own: one
 * lockdep class per stacking level, as for any stacked filesystem.
 */
static struct lock_class_key pcc_i_rwsem_key[FILESYSTEM_MAX_STACK_DEPTH];
static struct lock_class_key pcc_i_rwsem_dir_key[FILESYSTEM_MAX_STACK_DEPTH];

static void pcc_lockdep_annotate(struct inode *inode)
{
	int depth = inode->i_sb->s_stack_depth - 1;

	if (depth < 0 || depth >= FILESYSTEM_MAX_STACK_DEPTH)
		depth = 0;
	if (S_ISDIR(inode->i_mode))
		lockdep_set_class(&inode->i_rwsem, &pcc_i_rwsem_dir_key[depth]);
	else
		lockdep_set_class(&inode->i_rwsem, &pcc_i_rwsem_key[depth]);
}

static void pcc_inode_init_once(void *obj)
{
	struct pcc_inode_info *pi = obj;

	inode_init_once(&pi->vfs_inode);
}

int pcc_inode_cache_init(void)
{
	pcc_inode_cachep = kmem_cache_create("pcc_inode",
					     sizeof(struct pcc_inode_info), 0,
					     SLAB_RECLAIM_ACCOUNT |
					     SLAB_ACCOUNT,
					     pcc_inode_init_once);
	return pcc_inode_cachep ? 0 : -ENOMEM;
}

void pcc_inode_cache_exit(void)
{
	/* Inodes are freed after an RCU grace period. */
	rcu_barrier();
	kmem_cache_destroy(pcc_inode_cachep);
}

struct inode *pcc_alloc_inode(struct super_block *sb)
{
	struct pcc_inode_info *pi;

	pi = alloc_inode_sb(sb, pcc_inode_cachep, GFP_KERNEL);
	if (!pi)
		return NULL;
	pi->lower = NULL;
	pcc_inode_info_init(pi);
	return &pi->vfs_inode;
}

void pcc_free_inode(struct inode *inode)
{
	kmem_cache_free(pcc_inode_cachep, PCC_I(inode));
}

void pcc_evict_inode(struct inode *inode)
{
	struct inode *lower = pcc_lower_inode(inode);

	truncate_inode_pages_final(&inode->i_data);
	pcc_inode_free(inode);
	clear_inode(inode);
	PCC_I(inode)->lower = NULL;
	iput(lower);
}

/*
 * The flags of the lower inode that change what the VFS allows on ours.
 * Times are never updated on our inode: they are copied from the lower one.
 */
#define PCC_LOWER_IFLAGS (S_SYNC | S_APPEND | S_IMMUTABLE | S_DIRSYNC)

/*
 * Mirror the lower inode's flags into ours.  The VFS checks S_APPEND and
 * S_IMMUTABLE on our inode, and a chattr on the lower itself does not tell
 * us: path walks (pcc_d_revalidate) and permission checks catch up with
 * the lower through this.  Lockless, and cheap when the flags agree, as
 * they nearly always do.
 */
void pcc_copy_iflags(struct inode *inode, const struct inode *lower)
{
	unsigned int flags = READ_ONCE(lower->i_flags) & PCC_LOWER_IFLAGS;

	if ((READ_ONCE(inode->i_flags) & PCC_LOWER_IFLAGS) != flags)
		inode_set_flags(inode, flags, PCC_LOWER_IFLAGS);
}

/*
 * The lower's i_blocks: two halves on 32-bit, kept together by its i_lock
 * (inode_add_bytes()), as fsstack_copy_inode_size() reads it.  Taken
 * before our i_lock, never inside it: a pcc over a pcc would nest two
 * i_locks of one class.
 */
static blkcnt_t pcc_lower_blocks(struct inode *lower)
{
	blkcnt_t blocks;

	if (sizeof(blocks) <= sizeof(long))
		return READ_ONCE(lower->i_blocks);
	spin_lock(&lower->i_lock);
	blocks = lower->i_blocks;
	spin_unlock(&lower->i_lock);
	return blocks;
}

/*
 * The mode our inode has for a lower mode @mode: the same, but a regular
 * file on a nosuid lower loses its set-id bits, since exec reads them from
 * our inode (super.c).  stat shows the lower's mode (pcc_getattr()).
 */
static umode_t pcc_exec_mode(const struct inode *inode, umode_t mode)
{
	if (PCC_SB(inode->i_sb)->nosuid && S_ISREG(mode))
		mode &= ~(S_ISUID | S_ISGID);
	return mode;
}

/*
 * Mirror the lower inode's attributes into ours.  Copies race (two writes
 * ending at once, a getattr, a completion): each reads the lower under our
 * i_lock, so the last to take it copies the newest values and size and
 * times never go back.  i_lock also serialises i_size_write(), as 32-bit
 * needs.  Not from interrupt context: i_lock is not irq-safe.
 */
void pcc_copy_attr(struct inode *inode)
{
	struct inode *lower = pcc_lower_inode(inode);
	struct inode *data;
	blkcnt_t blocks;
	bool paged;

	/* A read-write file's data, so size and times, are its copy's. */
	rcu_read_lock();
	data = S_ISREG(inode->i_mode) ? pcc_rw_data_inode(inode) : lower;
	/*
	 * A paged file's size is ours: its pages may reach past what was
	 * written back (paged.c keeps it).
	 */
	paged = S_ISREG(inode->i_mode) && pcc_paged(inode);
	blocks = pcc_lower_blocks(data);
	spin_lock(&inode->i_lock);
	inode->i_mode = pcc_exec_mode(inode, lower->i_mode);
	inode->i_uid = lower->i_uid;
	inode->i_gid = lower->i_gid;
	inode->i_rdev = lower->i_rdev;
	inode->i_blkbits = lower->i_blkbits;
	pcc_copy_iflags(inode, lower);
	set_nlink(inode, lower->i_nlink);
	fsstack_copy_attr_times(inode, data);
	if (data != lower)
		fsstack_copy_attr_atime(inode, lower);
	if (!paged)
		i_size_write(inode, i_size_read(data));
	inode->i_blocks = blocks;
	spin_unlock(&inode->i_lock);
	rcu_read_unlock();
}

/* After a read: the lower's atime, under the lock pcc_copy_attr() takes. */
void pcc_copy_atime(struct inode *inode)
{
	struct inode *lower = pcc_lower_inode(inode);

	spin_lock(&inode->i_lock);
	fsstack_copy_attr_atime(inode, lower);
	spin_unlock(&inode->i_lock);
}

/*
 * Path walks catch up here with a chmod, chown or chattr made on the lower
 * itself: exec (set-uid, set-gid) and the protected_* link checks read
 * mode and owner of our inode, not the lower's.  @lower is the lower inode
 * pcc_d_revalidate() found our inode still wraps.  An RCU walk stays
 * lockless (it holds no reference on our inode, which may be on its way
 * out): it only compares, and asks for a ref-walk, which copies, when
 * something the VFS checks has changed.
 */
int pcc_revalidate_attr(struct inode *inode, struct inode *lower,
			unsigned int flags)
{
	if (!(flags & LOOKUP_RCU)) {
		pcc_copy_attr(inode);
		return 0;
	}
	/* A chattr made on the lower holds before the VFS checks ours. */
	pcc_copy_iflags(inode, lower);
	if (READ_ONCE(inode->i_mode) !=
	    pcc_exec_mode(inode, READ_ONCE(lower->i_mode)) ||
	    !uid_eq(READ_ONCE(inode->i_uid), READ_ONCE(lower->i_uid)) ||
	    !gid_eq(READ_ONCE(inode->i_gid), READ_ONCE(lower->i_gid)))
		return -ECHILD;
	return 0;
}

static int pcc_inode_test(struct inode *inode, void *lower)
{
	return pcc_lower_inode(inode) == lower;
}

static int pcc_inode_set(struct inode *inode, void *lower)
{
	PCC_I(inode)->lower = lower;
	return 0;
}

static void pcc_inode_fill(struct inode *inode)
{
	struct inode *lower = pcc_lower_inode(inode);

	inode->i_ino = lower->i_ino;
	inode->i_generation = lower->i_generation;
	inode->i_flags |= S_NOCMTIME | S_NOATIME;
	/* ACLs may change on the lower behind our back: never cache them. */
	inode->i_acl = ACL_DONT_CACHE;
	inode->i_default_acl = ACL_DONT_CACHE;
	pcc_copy_attr(inode);
	pcc_lockdep_annotate(inode);

	switch (lower->i_mode & S_IFMT) {
	case S_IFDIR:
		inode->i_op = &pcc_dir_iops;
		inode->i_fop = &pcc_dir_fops;
		break;
	case S_IFREG:
		inode->i_op = &pcc_file_iops;
		inode->i_fop = &pcc_file_fops;
		/* Used only while the file is paged (paged.c). */
		inode->i_mapping->a_ops = &pcc_paged_aops;
		break;
	case S_IFLNK:
		inode->i_op = &pcc_symlink_iops;
		break;
	default:
		inode->i_op = &pcc_file_iops;
		init_special_inode(inode, lower->i_mode, lower->i_rdev);
		break;
	}
}

/*
 * Our inode for @lower, created if needed.  Takes its own reference on
 * @lower for a new inode; the caller keeps its own.
 */
struct inode *pcc_iget(struct super_block *sb, struct inode *lower)
{
	struct inode *inode;

	if (!igrab(lower))
		return ERR_PTR(-ESTALE);
	inode = iget5_locked(sb, (unsigned long)lower, pcc_inode_test,
			     pcc_inode_set, lower);
	if (!inode) {
		iput(lower);
		return ERR_PTR(-ENOMEM);
	}
	if (!(inode->i_state & I_NEW)) {
		iput(lower);
		pcc_copy_attr(inode);
		return inode;
	}
	pcc_inode_fill(inode);
	unlock_new_inode(inode);
	return inode;
}

int pcc_permission(pcc_idmap_t *idmap, struct inode *inode, int mask)
{
	struct inode *lower = READ_ONCE(PCC_I(inode)->lower);

	/*
	 * An RCU walk may meet an inode being evicted: ask for a ref-walk,
	 * which cannot meet one.
	 */
	if (unlikely(!lower))
		return (mask & MAY_NOT_BLOCK) ? -ECHILD : -ESTALE;
	/* may_open() and truncate check S_APPEND on ours right after this. */
	pcc_copy_iflags(inode, lower);
	return inode_permission(PCC_NOP_IDMAP, lower, mask);
}

int pcc_getattr(pcc_idmap_t *idmap, const struct path *path,
		struct kstat *stat, u32 request_mask, unsigned int flags)
{
	struct inode *inode = d_inode(path->dentry);
	bool cached, rw;
	int ret;

	if (S_ISREG(inode->i_mode) && !(flags & AT_STATX_DONT_SYNC)) {
		/* A paged file's pages hold its latest data: out first. */
		pcc_paged_flush_keep_errors(inode);
		/* A stat may attach it (PCC_DS_ATTACH_STAT); it shows the lower. */
		pcc_io_init(inode, PIT_GETATTR, &cached);
		if (cached)
			pcc_io_fini(inode);
	}
	/*
	 * A read-write file's size and times are its copy's.  Held from
	 * before the lower is asked: a detach in between would write the
	 * copy back after the lower answered, and its size be lost.
	 */
	rw = S_ISREG(inode->i_mode) && pcc_rw_begin(inode);
	ret = pcc_lower_getattr(pcc_lower_path(path->dentry), stat,
				request_mask, flags);
	if (!ret && rw)
		ret = pcc_rw_getattr(inode, stat);
	if (rw)
		pcc_rw_end(inode);
	if (ret)
		return ret;
	pcc_copy_attr(inode);
	stat->dev = inode->i_sb->s_dev;
	stat->ino = inode->i_ino;
	return 0;
}

/*
 * The privileges a truncate or a change of owner of @lower must clear,
 * asked of the lower inode: set-id bits as the caller may keep them
 * (setattr_should_drop_suidgid()), file capabilities as notify_change()
 * then finds them (ATTR_KILL_PRIV is dropped there if there are none).
 * A truncate gets ATTR_FORCE with them, as do_truncate() gives it.
 */
static void pcc_setattr_kill_priv(struct inode *lower, struct iattr *ia)
{
	int kill = 0;

	if (ia->ia_valid & ATTR_SIZE)
		kill = setattr_should_drop_suidgid(PCC_NOP_IDMAP, lower);
	if (ia->ia_valid & (ATTR_SIZE | ATTR_UID | ATTR_GID))
		kill |= ATTR_KILL_PRIV;
	if (!kill)
		return;
	ia->ia_valid |= kill;
	if (!(ia->ia_valid & (ATTR_UID | ATTR_GID | ATTR_MODE)))
		ia->ia_valid |= ATTR_FORCE;
}

/*
 * The lower file a truncate of a read-write file is made through: the
 * caller's, if it truncates an open file for writing, else NULL (truncate
 * by path: pcc_rw_dirty() opens one as the caller).
 */
static struct file *pcc_rw_setattr_lower(struct iattr *ia)
{
	struct file *lower;

	if (!(ia->ia_valid & ATTR_FILE) || !(ia->ia_file->f_mode & FMODE_WRITE))
		return NULL;
	lower = pcc_lower_file(ia->ia_file);
	return lower && (lower->f_mode & FMODE_WRITE) ? lower : NULL;
}

/*
 * The setattr, @paged if its truncate is of a paged file; PCC_BECAME_PAGED
 * if it was not and the file became paged since, with nothing done.
 */
static int pcc_setattr_one(pcc_idmap_t *idmap, struct dentry *dentry,
			   struct iattr *ia, bool paged)
{
	struct inode *inode = d_inode(dentry);
	const struct path *lower = pcc_lower_path(dentry);
	struct inode *lower_inode = d_inode(lower->dentry);
	struct file *mirror = NULL;
	struct iattr lower_ia;
	int rw = 0;
	int ret;

	ret = setattr_prepare(idmap, dentry, ia);
	if (ret)
		return ret;

	lower_ia = *ia;
	/* A read-only open (O_TRUNC opens its lower at once) may have none. */
	if (ia->ia_valid & ATTR_FILE) {
		lower_ia.ia_file = pcc_lower_file(ia->ia_file);
		if (!lower_ia.ia_file)
			lower_ia.ia_valid &= ~ATTR_FILE;
	}
	/*
	 * open(O_TRUNC) truncates here with ATTR_OPEN, which the lower takes
	 * as "my open had O_TRUNC": FUSE with atomic_o_trunc then sends no
	 * SETATTR, NFSv4 answers a refused one with EACCES, not EBADF.  It
	 * is true: the lower open had O_TRUNC too (pcc_open_new_lower()).
	 */
	/*
	 * Over a nosuid lower our inode hides the set-id bits and file
	 * capabilities (pcc_exec_mode(), xattr.c), so the VFS found nothing
	 * for a truncate or chown to clear: the lower decides, as do_truncate()
	 * and chown_common() would have on it.
	 */
	if (PCC_SB(inode->i_sb)->nosuid && S_ISREG(lower_inode->i_mode))
		pcc_setattr_kill_priv(lower_inode, &lower_ia);
	/* notify_change() refuses a mode together with ATTR_KILL_S*ID. */
	if (lower_ia.ia_valid & (ATTR_KILL_SUID | ATTR_KILL_SGID))
		lower_ia.ia_valid &= ~ATTR_MODE;

	/*
	 * Mappings bound to the lower file (mmap.c) are unmapped past the new
	 * end by its own truncate, private copies included; mappings of a
	 * copy by the copy's, which pcc_mirror_change() truncates too.  A
	 * truncate is a local change: detach, keep a mapped copy equal.
	 * Before the lower's freeze protection, as a write begins (file.c).
	 */
	/*
	 * A paged file's pages are written back first, and dropped past the
	 * new end after (pcc_paged_changed()): our i_rwsem held, no write()
	 * makes new ones meanwhile.
	 */
	if (paged) {
		ret = filemap_write_and_wait(inode->i_mapping);
		if (ret)
			return ret;
		/*
		 * A shrinking one takes our size first: a page a store
		 * dirties meanwhile is then written back short of the new
		 * end (or dropped), never over it after the cut.  A failed
		 * cut gives the size back (pcc_paged_changed()).
		 */
		if (ia->ia_size < i_size_read(inode))
			truncate_setsize(inode, ia->ia_size);
	}
	/*
	 * A read-write file's truncate goes to its copy; anything else the
	 * call changes (a mode, with ATTR_KILL_*) to the lower.
	 */
	if ((ia->ia_valid & ATTR_SIZE) && S_ISREG(inode->i_mode)) {
		rw = paged ? pcc_rw_begin(inode) : pcc_rw_change_begin(inode);
		if (rw < 0)
			return PCC_BECAME_PAGED;
	}
	if (rw) {
		ret = pcc_rw_truncate(dentry, ia, pcc_rw_setattr_lower(ia));
		pcc_rw_end(inode);
		if (paged)
			pcc_paged_changed(inode, ia->ia_size, LLONG_MAX);
		/*
		 * truncate(2) of a file nobody has open: no close will come
		 * to write it back, so this is its close.
		 */
		if (!ret && !atomic_read(&PCC_I(inode)->pcc_open_count))
			ret = pcc_rw_close(inode);
		lower_ia.ia_valid &= ~(ATTR_SIZE | ATTR_MTIME | ATTR_CTIME |
				       ATTR_FILE | ATTR_OPEN | ATTR_FORCE);
		if (ret || !lower_ia.ia_valid)
			return ret;
		ia = &lower_ia;		/* not a truncate of the lower */
	}
	if (ia->ia_valid & ATTR_SIZE)
		pcc_write_begin(inode, &mirror);
	ret = mnt_want_write(lower->mnt);
	if (ret)
		goto out;
	inode_lock(lower_inode);
	ret = notify_change(PCC_NOP_IDMAP, lower->dentry, &lower_ia, NULL);
	inode_unlock(lower_inode);
	mnt_drop_write(lower->mnt);

	/*
	 * i_size is written by pcc_copy_attr() only, under our i_lock; a
	 * paged file's by pcc_paged_changed(), under our i_rwsem.
	 */
	pcc_copy_attr(inode);
	if (paged)
		pcc_paged_changed(inode, ia->ia_size, LLONG_MAX);
	else if (!ret && (ia->ia_valid & ATTR_SIZE))
		truncate_pagecache(inode, i_size_read(inode));
	if (mirror && !ret)
		pcc_mirror_change(inode, NULL, mirror, ia->ia_size, 0);
out:
	if (ia->ia_valid & ATTR_SIZE)
		pcc_write_end(inode, mirror);
	return ret;
}

int pcc_setattr(pcc_idmap_t *idmap, struct dentry *dentry, struct iattr *ia)
{
	struct inode *inode = d_inode(dentry);
	int ret;

	if (!(ia->ia_valid & ATTR_SIZE) || !S_ISREG(inode->i_mode) ||
	    !pcc_paged(inode)) {
		ret = pcc_setattr_one(idmap, dentry, ia, false);
		if (ret != PCC_BECAME_PAGED)
			return ret;
	}
	return pcc_setattr_one(idmap, dentry, ia, true);
}

/* lsattr: the lower's flags, or the error the lower gives. */
int pcc_fileattr_get(struct dentry *dentry, struct fileattr *fa)
{
	return vfs_fileattr_get(pcc_lower_dentry(dentry), fa);
}

/*
 * chattr: the VFS has checked the change against the lower's flags (our
 * fileattr_get) with our i_rwsem held; vfs_fileattr_set() checks it again
 * on the lower, as the caller, under the lower's i_rwsem, and applies it.
 * Then ours take the lower's new flags, so the VFS enforces S_APPEND and
 * S_IMMUTABLE on our side too.
 */
int pcc_fileattr_set(pcc_idmap_t *idmap, struct dentry *dentry,
		     struct fileattr *fa)
{
	const struct path *lower = pcc_lower_path(dentry);
	int ret;

	ret = mnt_want_write(lower->mnt);
	if (ret)
		return ret;
	ret = vfs_fileattr_set(PCC_NOP_IDMAP, lower->dentry, fa);
	mnt_drop_write(lower->mnt);
	pcc_copy_attr(d_inode(dentry));
	return ret;
}

static const char *pcc_get_link(struct dentry *dentry, struct inode *inode,
				struct delayed_call *done)
{
	if (!dentry)
		return ERR_PTR(-ECHILD);
	return vfs_get_link(pcc_lower_dentry(dentry), done);
}

/* Regular files and special files (devices, fifos, sockets) alike. */
const struct inode_operations pcc_file_iops = {
	.permission	= pcc_permission,
	.getattr	= pcc_getattr,
	.setattr	= pcc_setattr,
	.listxattr	= pcc_listxattr,
	.fileattr_get	= pcc_fileattr_get,
	.fileattr_set	= pcc_fileattr_set,
	PCC_ACL_IOPS
};

const struct inode_operations pcc_symlink_iops = {
	.get_link	= pcc_get_link,
	.permission	= pcc_permission,
	.getattr	= pcc_getattr,
	.setattr	= pcc_setattr,
	.listxattr	= pcc_listxattr,
};
