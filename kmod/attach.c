// SPDX-License-Identifier: GPL-2.0-only
/*
 * attach.c - attaching files to their copies and detaching them: the seed's
 * auto-attach (pcc_may_auto_attach(), pcc_try_auto_attach(),
 * pcc_try_datasets_attach(), pcc_try_dataset_attach()), the manual attach
 * of PCC_IOC_ATTACH, and every detach.
 *
 * Lustre's layout generation is the lower version here: a copy attaches
 * only if the struct pcc_version its xattr records equals the lower file's
 * current one.  Where the seed stops at the first dataset that does not
 * allow auto-attach for the operation, we skip it; where Lustre never
 * retries a file marked PCC_DATASET_NONE until it attaches again, the mark
 * holds only for the generation it was set at, so adding a dataset makes
 * such files look again.
 *
 * Copies are looked up, checked and opened with the mounter's credentials
 * (pcc_super.cred): the cache directories are root's and closed to others.
 */
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/xattr.h>

#include "pcc.h"

static bool pcc_auto_attach_enabled(u32 attach, enum pcc_io_type iot)
{
	if (iot == PIT_OPEN)
		return attach & PCC_DS_ATTACH_OPEN;
	if (iot == PIT_GETATTR)
		return attach & PCC_DS_ATTACH_STAT;
	return attach & PCC_DS_ATTACH_IO;
}

bool pcc_may_auto_attach(struct inode *inode, enum pcc_io_type iot)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_super *super = pcc_super(inode->i_sb);
	u32 dsflags = READ_ONCE(pi->pcc_dsflags);

	/*
	 * Quick check whether any dataset may attach for @iot at all (the
	 * seed's first check is for any dataset).
	 */
	if (!pcc_auto_attach_enabled(READ_ONCE(super->attach), iot))
		return false;
	/*
	 * A different generation: never tried, the inode was evicted and
	 * read again, or the datasets changed since.  Try.
	 */
	if (READ_ONCE(super->generation) != READ_ONCE(pi->pcc_generation))
		return true;
	/*
	 * Known not to be in the datasets looked in at this generation; the
	 * others only for operations their policy allows.
	 */
	if (dsflags & PCC_DATASET_NONE)
		return pcc_auto_attach_enabled(READ_ONCE(pi->pcc_none_pending),
					       iot);
	/* The policy of the dataset it was last attached from. */
	if (iot == PIT_OPEN)
		return dsflags & PCC_DATASET_OPEN_ATTACH;
	if (iot == PIT_GETATTR)
		return dsflags & PCC_DATASET_STAT_ATTACH;
	return dsflags & PCC_DATASET_IO_ATTACH;
}

/* lli_pcc_dsflags from a dataset's policy. */
static u32 pcc_dataset_dsflags(const struct pcc_dataset *ds)
{
	u32 flags = 0;

	if (ds->attach & PCC_DS_ATTACH_OPEN)
		flags |= PCC_DATASET_OPEN_ATTACH;
	if (ds->attach & PCC_DS_ATTACH_STAT)
		flags |= PCC_DATASET_STAT_ATTACH;
	if (ds->attach & PCC_DS_ATTACH_IO)
		flags |= PCC_DATASET_IO_ATTACH;
	return flags;
}

static enum pcc_stat pcc_attach_stat(enum pcc_io_type iot)
{
	if (iot == PIT_OPEN)
		return PCC_STAT_ATTACH_OPEN;
	if (iot == PIT_GETATTR)
		return PCC_STAT_ATTACH_STAT;
	return PCC_STAT_ATTACH_IO;
}

static void pcc_event_send(struct inode *inode, enum pcc_event event,
			   u32 dataset_id, u32 reason, int error)
{
	struct pcc_event_info ev = {
		.event		= event,
		.inode		= inode,
		.dataset_id	= dataset_id,
		.reason		= reason,
		.error		= error,
	};

	pcc_notify(inode->i_sb, &ev);
}

/*
 * Walk @name, "HH/HH/NAME" of pcc_cache_name(), from @root, one component
 * at a time (the VFS exports no walk from a given directory for modules).
 * A missing component is -ENOENT.
 */
int pcc_cache_walk(const struct path *root, char *name, struct path *out)
{
	struct dentry *dentry = dget(root->dentry);
	struct dentry *next;
	char *part;

	while ((part = strsep(&name, "/"))) {
		next = lookup_positive_unlocked(part, dentry, strlen(part));
		dput(dentry);
		if (IS_ERR(next))
			return PTR_ERR(next);
		dentry = next;
		if (name && !d_can_lookup(dentry)) {
			dput(dentry);
			return -ENOTDIR;
		}
	}
	out->mnt = mntget(root->mnt);
	out->dentry = dentry;
	return 0;
}

/*
 * Whether @copy is a usable copy of a file of version @v from dataset
 * @ds_id: a regular file with a name, closed to group and others, whose
 * xattr records @v, @type and @ds_id, and of the recorded size.  0,
 * -ENOENT (unlinked), -ESTALE (a copy of another version) or -EINVAL (a
 * damaged copy).  Under the mounter's credentials.
 */
static int pcc_copy_check(struct dentry *copy, const struct pcc_version *v,
			  u32 type, u32 ds_id)
{
	struct inode *inode = d_inode(copy);
	struct pcc_copy_xattr cx;
	ssize_t len;

	/*
	 * A copy others could read would hand them the file's data whatever
	 * its own permissions: copies are 0600 or 0 (DESIGN.md 3.6).
	 */
	/* Unlinked since the walk found it: there is no copy. */
	if (!inode->i_nlink)
		return -ENOENT;
	if (!S_ISREG(inode->i_mode) || (inode->i_mode & 0077))
		return -EINVAL;
	len = vfs_getxattr(PCC_NOP_IDMAP, copy, PCC_XATTR_COPY, &cx,
			   sizeof(cx));
	if (len != sizeof(cx) || cx.magic != PCC_COPY_MAGIC ||
	    cx.format != PCC_COPY_FORMAT || cx.type != type ||
	    cx.dataset_id != ds_id)
		return -EINVAL;
	if (!pcc_version_equal(&cx.version, v))
		return -ESTALE;
	/* A read-write copy's size is the file's, whatever the lower's. */
	if (type == PCC_TYPE_READONLY && i_size_read(inode) != v->size)
		return -EINVAL;
	return 0;
}

/*
 * Look up the copy of a file of version @v in @ds and check it.  Returns 0
 * with @copy referenced, -ENOENT (no copy), -ESTALE, -EINVAL or another
 * error.  Under the mounter's credentials.
 */
static int pcc_copy_lookup(const struct pcc_dataset *ds,
			   const struct pcc_version *v, u32 type,
			   struct path *copy)
{
	char name[PCC_CACHE_NAME_MAX];
	int ret;

	pcc_cache_name(name, v->fh_type, v->fh, v->fh_len);
	ret = pcc_cache_walk(&ds->root, name, copy);
	if (ret)
		return ret;
	ret = pcc_copy_check(copy->dentry, v, type, ds->id);
	/*
	 * A read-write copy not written back since a crash: what it holds
	 * beyond its record is for pccd to write back first (-EBUSY).
	 */
	if (!ret && type == PCC_TYPE_READWRITE &&
	    vfs_getxattr(PCC_NOP_IDMAP, copy->dentry, PCC_XATTR_DIRTY, NULL,
			 0) >= 0)
		ret = -EBUSY;
	if (ret)
		path_put(copy);
	return ret;
}

/*
 * Whether the copy of attached @inode is still what it was at attach: not
 * removed, truncated or stripped of its xattr by hand.  pcc_lock held.
 */
bool pcc_copy_intact(struct inode *inode)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	const struct cred *old;
	int ret;

	old = pcc_copy_creds(inode);
	ret = pcc_copy_check(pcci->copy->f_path.dentry, &pcci->version,
			     pcci->type, pcci->dataset_id);
	revert_creds(old);
	return !ret;
}

/*
 * Set xattr @name of @copy to @value (@size bytes), or remove it if @value
 * is NULL (0 if it had none).  Mounter's credentials.
 */
int pcc_copy_setxattr(struct inode *inode, struct file *copy,
		      const char *name, const void *value, size_t size)
{
	struct dentry *dentry = copy->f_path.dentry;
	const struct cred *old;
	int ret;

	old = pcc_copy_creds(inode);
	ret = mnt_want_write(copy->f_path.mnt);
	if (!ret) {
		if (value)
			ret = vfs_setxattr(PCC_NOP_IDMAP, dentry, name, value,
					   size, 0);
		else
			ret = vfs_removexattr(PCC_NOP_IDMAP, dentry, name);
		mnt_drop_write(copy->f_path.mnt);
	}
	revert_creds(old);
	return ret == -ENODATA && !value ? 0 : ret;
}

/*
 * Make @copy unattachable: remove its xattr.  For a copy pcc wrote into
 * outside the attached state (mended after a failed fault), which may now
 * mix two versions of the file.
 */
int pcc_copy_poison(struct inode *inode, struct file *copy)
{
	return pcc_copy_setxattr(inode, copy, PCC_XATTR_COPY, NULL, 0);
}

/* Open a checked copy for the cache's own reads and writes. */
static struct file *pcc_copy_open(struct inode *inode, const struct path *copy)
{
	return dentry_open(copy, O_RDWR | O_LARGEFILE | O_NOATIME,
			   pcc_super(inode->i_sb)->cred);
}

/*
 * Make @copy (an open copy of version @v) @inode's, unless a local change
 * of the file began since @write_seq was read or is under way: then the
 * copy may be older than the file, and the attach gives up (-EAGAIN).
 * pcc_lock held.  Takes over the reference on @copy either way.
 */
static int pcc_attach_commit(struct inode *inode, struct file *copy,
			     const struct pcc_dataset *ds,
			     const struct pcc_version *v, u32 type,
			     int write_seq)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_super *super = pcc_super(inode->i_sb);
	/* A read-write copy's inode, for stat (pcc_rw_data_inode()). */
	struct inode *rw_inode = NULL;
	struct pcc_inode *pcci;

	pcci = pcc_inode_get(inode);
	if (!pcci) {
		fput(copy);
		return -ENOMEM;
	}
	/* The last copy, if a detach could not close it. */
	if (pcc_copy_close_locked(pcci)) {
		fput(copy);
		return -EINTR;
	}
	if (type == PCC_TYPE_READWRITE)
		rw_inode = igrab(file_inode(copy));
	/* Pairs with the barrier in pcc_write_begin(). */
	smp_mb();
	spin_lock(&pcci->map_lock);
	if (atomic_read(&pi->pcc_writers) || pcci->wmapcnt || pcci->mapcnt ||
	    atomic_read(&pi->pcc_write_seq) != write_seq) {
		spin_unlock(&pcci->map_lock);
		iput(rw_inode);
		fput(copy);
		return -EAGAIN;
	}
	pcci->copy = copy;
	pcci->version = *v;
	pcci->dataset_id = ds->id;
	if (type == PCC_TYPE_READWRITE) {
		/* The last one's is dropped below, out of the spinlock. */
		swap(pcci->rw_inode, rw_inode);
		/* Every detach cleaned it (pcc_rw_clean()). */
		WARN_ON_ONCE(pcci->dirty);
	}
	/* Used now, and not since: FILE_GET ranks it for eviction. */
	WRITE_ONCE(pcci->last_use, ktime_get_real_seconds());
	atomic64_set(&pcci->hits, 0);
	/* With the type: a detach that clears it finds the file listed. */
	spin_lock(&super->attached_lock);
	list_add(&pcci->attached, &super->attached);
	super->nr_attached++;
	super->attached_seq += 2;
	spin_unlock(&super->attached_lock);
	/* Last: from here I/O and mmap may use the copy. */
	WRITE_ONCE(pcci->type, type);
	spin_unlock(&pcci->map_lock);
	/* The last read-write copy's inode (freed here if unlinked). */
	iput(rw_inode);
	pi->pcc_dsflags = pcc_dataset_dsflags(ds);
	pi->pcc_generation = READ_ONCE(super->generation);
	pcc_event_send(inode, PCC_EVENT_ATTACHED, ds->id, 0, 0);
	return 0;
}

/*
 * Try to attach @inode to its copy in @ds.  0 with *@cached set if it
 * attached, 0 if there is no usable copy there (a stale one is reported),
 * a negative errno for errors that should stop the search.
 */
static int pcc_try_dataset_attach(struct inode *inode,
				  const struct pcc_version *v, u32 type,
				  const struct pcc_dataset *ds, bool *cached,
				  int write_seq)
{
	const struct cred *old;
	struct path copy_path;
	struct file *copy;
	int ret;

	old = pcc_copy_creds(inode);
	ret = pcc_copy_lookup(ds, v, type, &copy_path);
	if (ret == -ESTALE) {
		pcc_stat_inc(inode->i_sb, PCC_STAT_STALE);
		pcc_event_send(inode, PCC_EVENT_STALE, ds->id, 0, 0);
	}
	if (ret) {
		/* No copy here, or none we may use: not an error. */
		ret = ret == -ENOMEM ? ret : 0;
		goto out;
	}
	copy = pcc_copy_open(inode, &copy_path);
	path_put(&copy_path);
	if (IS_ERR(copy)) {
		ret = PTR_ERR(copy) == -ENOMEM ? -ENOMEM : 0;
		goto out;
	}
	ret = pcc_attach_commit(inode, copy, ds, v, type, write_seq);
	if (!ret)
		*cached = true;
	else if (ret == -EAGAIN)
		ret = 0;
out:
	revert_creds(old);
	return ret;
}

/*
 * Look for a copy of @inode in every dataset whose policy allows an attach
 * for @iot, in order; skip the others.  Found nowhere, having looked in
 * every read-only dataset: mark the inode PCC_DATASET_NONE for this
 * generation.  A dataset skipped may still hold a copy, which a stat or
 * I/O its policy allows will find.  pcc_lock held.
 */
static int pcc_try_datasets_attach(struct inode *inode, enum pcc_io_type iot,
				   const struct pcc_version *v, u32 type,
				   bool *cached, int write_seq)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_super *super = pcc_super(inode->i_sb);
	struct pcc_dataset *ds;
	u32 skipped = 0;
	u32 gen;
	int ret = 0;

	down_read(&super->rw_sem);
	gen = super->generation;
	list_for_each_entry(ds, &super->datasets, list) {
		if (!(ds->mode & PCC_DS_MODE_RO))
			continue;
		if (!pcc_auto_attach_enabled(ds->attach, iot)) {
			skipped |= ds->attach;
			continue;
		}
		ret = pcc_try_dataset_attach(inode, v, type, ds, cached,
					     write_seq);
		if (ret < 0 || *cached)
			break;
	}
	/*
	 * Known not cached in the datasets looked in; those skipped for @iot
	 * are looked in when an operation their policy allows comes.
	 */
	if (!ret && !*cached) {
		WRITE_ONCE(pi->pcc_none_pending, skipped);
		WRITE_ONCE(pi->pcc_dsflags, PCC_DATASET_NONE);
		WRITE_ONCE(pi->pcc_generation, gen);
	}
	up_read(&super->rw_sem);
	return ret;
}

/*
 * The seed's pcc_try_auto_attach(): attach @inode to a valid copy if one
 * exists.  A file being changed locally, or mapped for writing, is not
 * attached; nor one another node holds read-write (-EBUSY).
 * pcc_lock held.
 */
int pcc_try_auto_attach(struct inode *inode, bool *cached,
			enum pcc_io_type iot)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_super *super = pcc_super(inode->i_sb);
	struct pcc_version v;
	int write_seq;
	int ret;

	*cached = false;
	if (list_empty(&super->datasets))
		return 0;
	/*
	 * Not while mapped for writing (see pcc_mmap_write_get()), nor while
	 * a detached copy is still mapped: a new copy could not be kept equal
	 * to the one those mappings show (pcc_mmap_copy_get()).
	 */
	if (pi->pcci && (pi->pcci->wmapcnt || pi->pcci->mapcnt ||
			 pi->pcci->attaching))
		return 0;
	/* Nor while paged: its pages, not a read-only copy, hold the data. */
	if (pcc_paged(inode))
		return 0;
	write_seq = atomic_read(&pi->pcc_write_seq);
	/* Pairs with pcc_write_end(): the sequence, then the writers. */
	smp_rmb();
	if (atomic_read(&pi->pcc_writers))
		return 0;
	/*
	 * Asked of the lower now, whatever the operation: a read-only open
	 * that did not try to attach asked nothing (its lower open is
	 * deferred), so what the lower has cached may predate a change made
	 * elsewhere.  Marking files NONE bounds the cost.
	 */
	ret = pcc_lower_version(inode, &v, true);
	if (ret)
		return ret;
	/*
	 * Another node holds changes the lower lacks (mark.c): no copy of
	 * what is about to be replaced, nor a miss reported for one now.
	 * Not marked NONE, and a miss told already may be told again: once
	 * the mark is gone, an open looks for a copy and reports its lack.
	 */
	if (pcc_mark_foreign(inode)) {
		WRITE_ONCE(pi->pcc_miss_generation, 0);
		return -EBUSY;
	}
	ret = pcc_try_datasets_attach(inode, iot, &v, PCC_TYPE_READONLY,
				      cached, write_seq);
	if (*cached)
		pcc_stat_inc(inode->i_sb, pcc_attach_stat(iot));
	return ret;
}

/*
 * Look up, or make (mode 0700), directory @name in @parent, whose
 * reference is given: the directory comes back referenced.  Mounter's
 * credentials, write access to the cache mount held.
 */
static struct dentry *pcc_cache_mkdir(struct dentry *parent, const char *name)
{
	struct inode *dir = d_inode(parent);
	struct dentry *dentry;
	int ret = 0;

	inode_lock_nested(dir, I_MUTEX_PARENT);
	dentry = lookup_one_len(name, parent, strlen(name));
	if (!IS_ERR(dentry) && d_is_negative(dentry))
		ret = vfs_mkdir(PCC_NOP_IDMAP, dir, dentry, S_IFDIR | 0700);
	inode_unlock(dir);
	dput(parent);
	if (IS_ERR(dentry))
		return dentry;
	if (!ret && !d_can_lookup(dentry))
		ret = -ENOTDIR;
	if (ret) {
		dput(dentry);
		return ERR_PTR(ret);
	}
	return dentry;
}

/*
 * Make the empty read-write copy of new file @inode, of version @v, in
 * @ds, recording it in its xattr before it is opened: a copy without its
 * xattr (a crash in between) is never attached.  An existing copy at
 * that name (of an earlier file whose handle was reused) is left alone,
 * and the file not cached (-EEXIST).  Mounter's credentials.
 */
static struct file *pcc_copy_create(struct inode *inode,
				    const struct pcc_dataset *ds,
				    const struct pcc_version *v)
{
	struct pcc_copy_xattr cx = {
		.magic		= PCC_COPY_MAGIC,
		.format		= PCC_COPY_FORMAT,
		.type		= PCC_TYPE_READWRITE,
		.dataset_id	= ds->id,
		.version	= *v,
	};
	char name[PCC_CACHE_NAME_MAX];
	struct path copy = { .mnt = ds->root.mnt };
	struct dentry *dir;
	struct file *file;
	int ret;

	pcc_cache_name(name, v->fh_type, v->fh, v->fh_len);
	/* "HH/HH/NAME" into "HH", "HH" and the file's name */
	name[2] = '\0';
	name[5] = '\0';
	ret = mnt_want_write(ds->root.mnt);
	if (ret)
		return ERR_PTR(ret);
	dir = pcc_cache_mkdir(dget(ds->root.dentry), name);
	if (!IS_ERR(dir))
		dir = pcc_cache_mkdir(dir, name + 3);
	if (IS_ERR(dir)) {
		file = ERR_CAST(dir);
		goto out;
	}
	inode_lock_nested(d_inode(dir), I_MUTEX_PARENT);
	copy.dentry = lookup_one_len(name + 6, dir, strlen(name + 6));
	ret = PTR_ERR_OR_ZERO(copy.dentry);
	if (!ret && d_is_positive(copy.dentry))
		ret = -EEXIST;
	if (!ret)
		ret = vfs_create(PCC_NOP_IDMAP, d_inode(dir), copy.dentry,
				 S_IFREG | 0600, true);
	if (!ret)
		ret = vfs_setxattr(PCC_NOP_IDMAP, copy.dentry, PCC_XATTR_COPY,
				   &cx, sizeof(cx), 0);
	inode_unlock(d_inode(dir));
	file = ERR_PTR(ret);
	if (!ret)
		file = pcc_copy_open(inode, &copy);
	if (!IS_ERR_OR_NULL(copy.dentry))
		dput(copy.dentry);
	dput(dir);
out:
	mnt_drop_write(ds->root.mnt);
	return file;
}

/*
 * Lustre's read-write auto caching at create (pcc_inode_create()): a
 * regular file just created through pcc that the rule of a read-write
 * dataset matches gets an empty copy there and is attached read-write
 * before its creator opens it, so its data are written at local-disk
 * speed from the first byte.  Nothing else can have it open yet.  A
 * failure leaves the file uncached, as it would be without the rule.
 */
void pcc_inode_create(struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_super *super = pcc_super(inode->i_sb);
	struct pcc_dataset *ds, *found = NULL;
	const struct cred *old;
	struct pcc_version v;
	struct file *copy;
	int write_seq, ret;

	if (!READ_ONCE(super->rw_rules) || !S_ISREG(inode->i_mode))
		return;
	if (pcc_lower_version(inode, &v, true))
		return;
	pcc_inode_lock(inode);
	if (atomic_read(&pi->pcc_open_count) ||
	    (pi->pcci && pi->pcci->type != PCC_TYPE_NONE))
		goto out_unlock;
	write_seq = atomic_read(&pi->pcc_write_seq);
	down_read(&super->rw_sem);
	list_for_each_entry(ds, &super->datasets, list) {
		if ((ds->mode & PCC_DS_MODE_RW) && ds->rule &&
		    pcc_rule_match(ds->rule, dentry, pcc_lower_inode(inode))) {
			found = ds;
			break;
		}
	}
	if (!found)
		goto out_sem;
	old = pcc_copy_creds(inode);
	copy = pcc_copy_create(inode, found, &v);
	revert_creds(old);
	ret = PTR_ERR_OR_ZERO(copy);
	if (!ret)
		ret = pcc_attach_commit(inode, copy, found, &v,
					PCC_TYPE_READWRITE, write_seq);
	if (ret) {
		pcc_copy_error(inode, ret);
		pr_warn_ratelimited("cannot cache a new file read-write: %d\n",
				    ret);
	} else {
		pcc_stat_inc(inode->i_sb, PCC_STAT_ATTACH_OPEN);
	}
out_sem:
	up_read(&super->rw_sem);
out_unlock:
	pcc_inode_unlock(inode);
}

/*
 * PCC_IOC_ATTACH: attach @inode to its copy in dataset @dataset_id (0: the
 * first one of @type's mode), whatever the attach policies say.  A
 * read-write attach needs the file to itself: no other open file of it (the
 * caller's is counted) and no mapping.  Neither attaches a file another
 * node holds read-write.  With the credentials of the file the ioctl came
 * through (ioctl.c).
 */
int pcc_attach(struct inode *inode, u32 type, u32 dataset_id)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_super *super = pcc_super(inode->i_sb);
	struct pcc_dataset *ds;
	struct pcc_version v;
	const struct cred *old;
	struct path copy_path;
	struct pcc_inode *pcci;
	struct file *copy;
	int write_seq;
	int ret;

	if (type != PCC_TYPE_READONLY && type != PCC_TYPE_READWRITE)
		return -EINVAL;
	pcc_inode_lock(inode);
	pcci = pi->pcci;
	/* Attached already: a no-op, or -EBUSY if of the other type. */
	if (pcci && pcci->type != PCC_TYPE_NONE) {
		ret = pcci->type == type ? 0 : -EBUSY;
		goto out_unlock;
	}
	ret = -EBUSY;
	if (pcci && (pcci->wmapcnt || pcci->mapcnt || pcci->attaching))
		goto out_unlock;
	/*
	 * A paged file (paged.c) only read-write: its pages may be newer
	 * than the lower, and are written back to the copy once attached.
	 */
	if (type == PCC_TYPE_READONLY && pcc_paged(inode))
		goto out_unlock;
	/*
	 * Read-write needs the file to itself: no other open file, and no
	 * mapping of the lower (one of ours bound to it, or one on the lower
	 * mount), which would go on showing the lower's pages.
	 */
	if (type == PCC_TYPE_READWRITE &&
	    (atomic_read(&pi->pcc_open_count) > 1 ||
	     mapping_mapped(pcc_lower_inode(inode)->i_mapping)))
		goto out_unlock;
	pcci = pcc_inode_get(inode);
	ret = -ENOMEM;
	if (!pcci)
		goto out_unlock;
	WRITE_ONCE(pcci->attaching, true);
	write_seq = atomic_read(&pi->pcc_write_seq);
	/* Pairs with pcc_write_end(): the sequence, then the writers. */
	smp_rmb();
	ret = -EBUSY;
	if (atomic_read(&pi->pcc_writers))
		goto out_attaching;
	ret = pcc_lower_version(inode, &v, true);
	if (ret)
		goto out_attaching;
	/* Another node holds changes the lower lacks (mark.c). */
	ret = -EBUSY;
	if (pcc_mark_foreign(inode))
		goto out_attaching;

	down_read(&super->rw_sem);
	ds = pcc_dataset_find(super, dataset_id,
			      type == PCC_TYPE_READWRITE ? PCC_DS_MODE_RW :
			      PCC_DS_MODE_RO);
	ret = -ENOENT;
	if (!ds)
		goto out_sem;
	old = pcc_copy_creds(inode);
	ret = pcc_copy_lookup(ds, &v, type, &copy_path);
	if (!ret) {
		copy = pcc_copy_open(inode, &copy_path);
		path_put(&copy_path);
		ret = PTR_ERR_OR_ZERO(copy);
	}
	revert_creds(old);
	if (ret == -ESTALE) {
		pcc_stat_inc(inode->i_sb, PCC_STAT_STALE);
		pcc_event_send(inode, PCC_EVENT_STALE, ds->id, 0, 0);
	}
	if (ret)
		goto out_sem;
	/* A test holds the attach here to race it (PCC_FAIL_ATTACH_PAUSE). */
	pcc_fail_pause(PCC_FAIL_ATTACH_PAUSE);
	ret = pcc_attach_commit(inode, copy, ds, &v, type, write_seq);
	if (ret == -EAGAIN)
		ret = -EBUSY;
	if (!ret)
		pcc_stat_inc(inode->i_sb, PCC_STAT_ATTACH_MANUAL);
out_sem:
	up_read(&super->rw_sem);
out_attaching:
	WRITE_ONCE(pcci->attaching, false);
out_unlock:
	pcc_inode_unlock(inode);
	return ret;
}

static const enum pcc_stat pcc_detach_stats[] = {
	[PCC_DETACH_MANUAL]		= PCC_STAT_DETACH_MANUAL,
	[PCC_DETACH_STALE]		= PCC_STAT_DETACH_STALE,
	[PCC_DETACH_LOCAL_CHANGE]	= PCC_STAT_DETACH_LOCAL_CHANGE,
	[PCC_DETACH_DATASET]		= PCC_STAT_DETACH_DATASET,
	[PCC_DETACH_COPY_GONE]		= PCC_STAT_DETACH_COPY_GONE,
	[PCC_DETACH_ERROR]		= PCC_STAT_DETACH_ERROR,
	[PCC_DETACH_EVICTED]		= PCC_STAT_DETACH_EVICTED,
};

/*
 * End @pcci's attachment: clear its type, under map_lock, so neither I/O
 * nor mmap uses the copy any more.  Whoever clears it does the accounting;
 * returns false if it was not attached.
 */
static bool pcc_type_clear(struct inode *inode, struct pcc_inode *pcci,
			   enum pcc_detach_reason reason)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_super *super = pcc_super(inode->i_sb);
	u32 was;

	spin_lock(&pcci->map_lock);
	was = pcci->type;
	WRITE_ONCE(pcci->type, PCC_TYPE_NONE);
	if (was != PCC_TYPE_NONE) {
		spin_lock(&super->attached_lock);
		list_del_init(&pcci->attached);
		super->nr_attached--;
		super->attached_seq += 2;
		spin_unlock(&super->attached_lock);
	}
	spin_unlock(&pcci->map_lock);
	if (was == PCC_TYPE_NONE)
		return false;
	/* A copy found bad or out of date is not looked for again. */
	if (reason != PCC_DETACH_MANUAL && reason != PCC_DETACH_DATASET) {
		WRITE_ONCE(pi->pcc_dsflags, PCC_DATASET_NONE);
		WRITE_ONCE(pi->pcc_generation, READ_ONCE(super->generation));
	}
	pcc_stat_inc(inode->i_sb, pcc_detach_stats[reason]);
	pcc_event_send(inode, PCC_EVENT_DETACHED, pcci->dataset_id, reason, 0);
	return true;
}

/*
 * Close the copy of a detached file once the I/O still on it is done (the
 * seed's __pcc_layout_invalidate() wait).  pcc_lock held; never under
 * mmap_lock: I/O on the copy may fault on user memory, on memory that may
 * take long (FUSE, userfaultfd), so the wait is killable.  Returns 0, or
 * -EINTR with the copy left open for the next pcc_lock holder.
 */
int pcc_copy_close_locked(struct pcc_inode *pcci)
{
	struct file *copy = pcci->copy;

	if (!copy || READ_ONCE(pcci->type) != PCC_TYPE_NONE)
		return 0;
	/*
	 * The type cleared before active_ios is read: pairs with the
	 * barrier in pcc_io_init_nowait(), whose I/O counts itself without
	 * pcc_lock and then looks at the type.
	 */
	smp_mb();
	if (wait_event_killable(pcci->waitq, !atomic_read(&pcci->active_ios)))
		return -EINTR;
	pcci->copy = NULL;
	fput(copy);
	return 0;
}

/*
 * Detach a read-write file: write it back first, with changes held off,
 * and only then let I/O go to the lower.  If the write-back fails the file
 * stays attached: its data are only in the copy.  The one exception is a
 * deleted dataset, which must let go of its files: the copy keeps its
 * dirty mark on disk, for pccd or the admin to write back.
 */
static int pcc_rw_detach_locked(struct inode *inode, struct pcc_inode *pcci,
				enum pcc_detach_reason reason)
{
	struct inode *rw_inode;
	struct file *lower;
	int ret;

	/*
	 * Killable: a writer holding it may be stuck on user memory.  Not
	 * for a deleted dataset, which must let go of its files whatever.
	 */
	if (reason == PCC_DETACH_DATASET) {
		down_write(&pcci->rw_sem);
	} else {
		ret = down_write_killable(&pcci->rw_sem);
		if (ret)
			return ret;
	}
	ret = pcc_rw_writeback_locked(inode);
	if (ret && reason != PCC_DETACH_DATASET) {
		up_write(&pcci->rw_sem);
		return ret;
	}
	if (ret)
		pr_warn("dataset %u deleted or unmounted: a read-write copy could not be written back and keeps %s\n",
			pcci->dataset_id, PCC_XATTR_DIRTY);
	pcc_type_clear(inode, pcci, reason);
	/* Local writes keep the copy's mappings equal from its size on. */
	spin_lock(&pcci->map_lock);
	pcci->mirror_size = i_size_read(file_inode(pcci->copy));
	spin_unlock(&pcci->map_lock);
	lower = pcci->wb_lower;
	pcci->wb_lower = NULL;
	pcc_rw_clean(inode, pcci);
	/* Readers of rw_inode hold rcu_read_lock() (pcc_rw_data_inode()). */
	rw_inode = pcci->rw_inode;
	WRITE_ONCE(pcci->rw_inode, NULL);
	up_write(&pcci->rw_sem);
	if (lower)
		fput(lower);
	iput(rw_inode);
	/* Our inode showed the copy's size and times: the lower's now. */
	pcc_copy_attr(inode);
	return 0;
}

/*
 * Detach @inode: no new I/O or mapping uses the copy; I/O already on it is
 * waited for, then the copy is closed.  Mappings bound to the copy keep
 * it (pcci->mirror).  A read-write file is written back first: 0, or the
 * write-back's error with the file still attached.  pcc_lock held.
 */
int pcc_detach_locked(struct inode *inode, enum pcc_detach_reason reason)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	int ret;

	if (!pcci)
		return 0;
	if (READ_ONCE(pcci->type) == PCC_TYPE_READWRITE) {
		ret = pcc_rw_detach_locked(inode, pcci, reason);
		if (ret)
			return ret;
	} else {
		pcc_type_clear(inode, pcci, reason);
	}
	pcc_copy_close_locked(pcci);
	return 0;
}

/*
 * Detach @inode where neither pcc_lock may be taken nor I/O waited for
 * (under mmap_lock): the copy stays open for the I/O on it and is closed
 * by the next pcc_lock holder (pcc_copy_close_locked()).  Not a read-write
 * file: its data are in the copy until a write-back, which cannot be made
 * here; it stays attached.
 */
void pcc_detach_nowait(struct inode *inode, enum pcc_detach_reason reason)
{
	/* Pairs with the cmpxchg that publishes a new pcc_inode. */
	struct pcc_inode *pcci = smp_load_acquire(&PCC_I(inode)->pcci);

	if (pcci && READ_ONCE(pcci->type) != PCC_TYPE_READWRITE)
		pcc_type_clear(inode, pcci, reason);
}

void pcc_inode_detach(struct inode *inode, enum pcc_detach_reason reason)
{
	pcc_inode_lock(inode);
	pcc_detach_locked(inode, reason);
	pcc_inode_unlock(inode);
}

/*
 * Unlink @inode's copy in @ds, if it has one of its current handle
 * (whatever version it records).  Mounter's credentials.
 */
static int pcc_copy_unlink(struct inode *inode, const struct pcc_dataset *ds)
{
	struct pcc_version v;
	char name[PCC_CACHE_NAME_MAX];
	struct path copy;
	const struct cred *old;
	int ret;

	ret = pcc_lower_fh(pcc_lower_inode(inode), &v);
	if (ret)
		return ret;
	pcc_cache_name(name, v.fh_type, v.fh, v.fh_len);
	old = pcc_copy_creds(inode);
	ret = pcc_cache_walk(&ds->root, name, &copy);
	if (!ret) {
		ret = pcc_copy_unlink_path(&copy);
		path_put(&copy);
	}
	revert_creds(old);
	return ret;
}

/*
 * PCC_IOC_DETACH: detach @inode; with PCC_DETACH_FL_UNCACHE remove its
 * copy from the dataset it was attached from, or from @dataset_id (0:
 * every dataset) when it was not attached.  Returns the out flags or a
 * negative errno.
 */
int pcc_detach(struct inode *inode, u32 flags, u32 dataset_id)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_super *super = pcc_super(inode->i_sb);
	struct pcc_dataset *ds;
	u32 out = 0;
	int ret;

	pcc_inode_lock(inode);
	if (pi->pcci && pi->pcci->type != PCC_TYPE_NONE) {
		dataset_id = pi->pcci->dataset_id;
		ret = pcc_detach_locked(inode, PCC_DETACH_MANUAL);
		if (ret) {
			pcc_inode_unlock(inode);
			return ret;
		}
	}
	if (flags & PCC_DETACH_FL_UNCACHE) {
		down_read(&super->rw_sem);
		list_for_each_entry(ds, &super->datasets, list) {
			if (dataset_id && ds->id != dataset_id)
				continue;
			ret = pcc_copy_unlink(inode, ds);
			if (!ret)
				out |= PCC_DETACH_FL_CACHE_REMOVED;
		}
		up_read(&super->rw_sem);
		/* Nothing left to attach to. */
		pi->pcc_dsflags = PCC_DATASET_NONE;
		pi->pcc_generation = READ_ONCE(super->generation);
	}
	pcc_inode_unlock(inode);
	return out;
}

/*
 * The first file attached on @sb that @match(pcci, @arg) takes, referenced,
 * or NULL.  For loops over them all: a file dealt with must leave the list
 * or stop matching.
 */
static struct inode *pcc_attached_grab(struct super_block *sb,
				       bool (*match)(const struct pcc_inode *pcci,
						     u32 arg),
				       u32 arg)
{
	struct pcc_super *super = pcc_super(sb);
	struct pcc_inode *pcci;
	struct inode *inode = NULL;

	spin_lock(&super->attached_lock);
	list_for_each_entry(pcci, &super->attached, attached) {
		if (!match(pcci, arg))
			continue;
		inode = igrab(pcci->inode);
		if (inode)
			break;
	}
	spin_unlock(&super->attached_lock);
	return inode;
}

static bool pcc_in_dataset(const struct pcc_inode *pcci, u32 dataset_id)
{
	return !dataset_id || pcci->dataset_id == dataset_id;
}

/*
 * Dataset @dataset_id (0: all) was deleted: detach its files.  The dataset
 * is off the list already, so none attaches to it again meanwhile.
 */
void pcc_detach_dataset(struct super_block *sb, u32 dataset_id)
{
	struct pcc_inode *pcci;
	struct inode *inode;

	while ((inode = pcc_attached_grab(sb, pcc_in_dataset, dataset_id))) {
		pcc_inode_lock(inode);
		pcci = PCC_I(inode)->pcci;
		if (pcci && pcci->type != PCC_TYPE_NONE &&
		    pcc_in_dataset(pcci, dataset_id))
			pcc_detach_locked(inode, PCC_DETACH_DATASET);
		pcc_inode_unlock(inode);
		iput(inode);
	}
}

unsigned int pcc_attached_count(struct super_block *sb, u32 dataset_id)
{
	struct pcc_super *super = pcc_super(sb);
	struct pcc_inode *pcci;
	unsigned int n = 0;

	spin_lock(&super->attached_lock);
	if (!dataset_id) {
		n = super->nr_attached;
	} else {
		list_for_each_entry(pcci, &super->attached, attached)
			n += pcci->dataset_id == dataset_id;
	}
	spin_unlock(&super->attached_lock);
	return n;
}
