// SPDX-License-Identifier: GPL-2.0-only
/*
 * state.c - the cache state of files: Lustre's struct pcc_inode, the I/O
 * gate every cached operation passes (pcc_io_init() and pcc_io_fini(), by
 * the seed's names), the lower version, revalidation at open, and what a
 * local change does to a cached file.
 *
 * A file is attached when its pcc_inode has a type: then pcci->copy is an
 * open copy and pcci->version what the copy records, equal to the lower
 * file's version when it attached.  I/O served from the copy counts itself
 * in active_ios between pcc_io_init() and pcc_io_fini(); a detach clears
 * the type first, so no new I/O starts on the copy, then waits for
 * active_ios to reach zero before it drops the copy (the seed's
 * __pcc_layout_invalidate()).  Nothing that holds an active I/O may take
 * the inode's pcc_lock, or a detach waiting under it would wait forever.
 *
 * Coherence (docs/design/0006-coherence.md):
 *  - at open, an attached file's copy is checked against the lower's
 *    version asked of the lower now (NFS: a GETATTR), as NFS checks its
 *    own cache at open; a stale copy is detached;
 *  - a write, truncate, fallocate or writable shared mapping through pcc
 *    detaches the file first (pcc_write_begin()), and an attach that
 *    overlaps any of them gives up (pcc_write_seq, pcc_writers);
 *  - mappings made from a copy stay bound to it (mmap.c); while any exists
 *    local writes are made to the copy too, so they see them.
 */
#include <linux/cred.h>
#include <linux/exportfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iversion.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/stat.h>

#include "pcc.h"

static struct kmem_cache *pcc_pcci_cachep;

int pcc_state_init(void)
{
	pcc_pcci_cachep = KMEM_CACHE(pcc_inode, 0);
	return pcc_pcci_cachep ? 0 : -ENOMEM;
}

void pcc_state_exit(void)
{
	kmem_cache_destroy(pcc_pcci_cachep);
}

void pcc_inode_info_init(struct pcc_inode_info *pi)
{
	mutex_init(&pi->pcc_lock);
	pi->pcci = NULL;
	pi->pcc_dsflags = PCC_DATASET_INVALID;
	pi->pcc_generation = 0;
	pi->pcc_none_pending = 0;
	pi->pcc_miss_generation = 0;
	atomic_set(&pi->pcc_writers, 0);
	atomic_set(&pi->pcc_write_seq, 0);
	atomic_set(&pi->pcc_open_count, 0);
}

void pcc_inode_lock(struct inode *inode)
{
	mutex_lock(&PCC_I(inode)->pcc_lock);
}

void pcc_inode_unlock(struct inode *inode)
{
	mutex_unlock(&PCC_I(inode)->pcc_lock);
}

/*
 * The pcc_inode of @inode, allocated on first use without a lock (mmap
 * needs one and may not take pcc_lock).  Published before an attach
 * counts the writers (pcc_attach_commit()): a write that does not see it
 * is one the attach sees.
 */
struct pcc_inode *pcc_inode_get(struct inode *inode)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	/* Pairs with the cmpxchg that publishes it. */
	struct pcc_inode *pcci = smp_load_acquire(&pi->pcci);
	struct pcc_inode *old;

	if (pcci)
		return pcci;
	pcci = kmem_cache_zalloc(pcc_pcci_cachep, GFP_KERNEL);
	if (!pcci)
		return NULL;
	pcci->inode = inode;
	spin_lock_init(&pcci->map_lock);
	pcci->type = PCC_TYPE_NONE;
	atomic_set(&pcci->active_ios, 0);
	init_waitqueue_head(&pcci->waitq);
	mutex_init(&pcci->mirror_lock);
	INIT_LIST_HEAD(&pcci->attached);
	INIT_LIST_HEAD(&pcci->dirty_link);
	init_rwsem(&pcci->rw_sem);
	mutex_init(&pcci->dirty_lock);
	/* Full barrier: initialised before published. */
	old = cmpxchg(&pi->pcci, NULL, pcci);
	if (old) {
		kmem_cache_free(pcc_pcci_cachep, pcci);
		return old;
	}
	return pcci;
}

/*
 * At eviction: no file, mapping or I/O of the inode is left, and no dirty
 * copy (that pins it).
 */
void pcc_inode_free(struct inode *inode)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_inode *pcci = pi->pcci;
	struct pcc_super *super = pcc_super(inode->i_sb);

	if (!pcci)
		return;
	if (!list_empty(&pcci->attached)) {
		spin_lock(&super->attached_lock);
		list_del_init(&pcci->attached);
		super->nr_attached--;
		super->attached_seq += 2;
		spin_unlock(&super->attached_lock);
	}
	/* Any copy: attached, or left open by a detach that could not wait. */
	WARN_ON_ONCE(atomic_read(&pcci->active_ios) || pcci->mapcnt ||
		     pcci->wmapcnt || pcci->mirror || pcci->pagedcnt ||
		     pcci->dirty);
	if (pcci->copy)
		fput(pcci->copy);
	if (pcci->paged_lower)
		fput(pcci->paged_lower);
	pcc_rw_release(pcci);
	pi->pcci = NULL;
	kmem_cache_free(pcc_pcci_cachep, pcci);
}

static bool pcc_inode_attached(const struct pcc_inode *pcci)
{
	return pcci && READ_ONCE(pcci->type) != PCC_TYPE_NONE;
}

/*
 * The seed's pcc_io_init(): whether @inode's I/O of kind @iot is served
 * from its copy (*cached), trying to attach it first if its policy says
 * so.  When cached, pcc_io_copy() is the copy until pcc_io_fini().
 *
 * Uncached files with nothing to try take no lock: this runs on every
 * read of every file.
 */
void pcc_io_init(struct inode *inode, enum pcc_io_type iot, bool *cached)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_inode *pcci;

	*cached = false;
	/* Pairs with the release that publishes a new pcc_inode. */
	pcci = smp_load_acquire(&pi->pcci);
	if (!pcc_inode_attached(pcci) && !pcc_may_auto_attach(inode, iot))
		return;

	pcc_inode_lock(inode);
	pcci = pi->pcci;
	if (pcc_inode_attached(pcci)) {
		atomic_inc(&pcci->active_ios);
		*cached = true;
		pcc_inode_unlock(inode);
		return;
	}
	/* A copy a detach under mmap_lock could not close. */
	if (pcci)
		pcc_copy_close_locked(pcci);
	if (pcc_may_auto_attach(inode, iot)) {
		pcc_try_auto_attach(inode, cached, iot);
		if (*cached)
			atomic_inc(&pi->pcci->active_ios);
	}
	pcc_inode_unlock(inode);
}

/*
 * pcc_io_init() for a caller that holds a pipe's mutex (splice_read: the
 * sendfile and splice paths lock the pipe around it).  pcc_lock is taken
 * elsewhere before the cache filesystem's freeze protection, which a
 * splice into a file takes before the pipe's mutex: waiting for it here
 * would close that circle (lockdep).  An attached file's I/O counts itself
 * without the lock and checks the type again (a detach clears it, then
 * waits for active_ios); an attach is only tried if the lock is free.
 */
void pcc_io_init_nowait(struct inode *inode, enum pcc_io_type iot,
			bool *cached)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	/* Pairs with the release that publishes a new pcc_inode. */
	struct pcc_inode *pcci = smp_load_acquire(&pi->pcci);

	*cached = false;
	if (pcc_inode_attached(pcci)) {
		atomic_inc(&pcci->active_ios);
		/* Pairs with the barrier in pcc_copy_close_locked(). */
		smp_mb__after_atomic();
		if (pcc_inode_attached(pcci)) {
			*cached = true;
			return;
		}
		pcc_io_fini(inode);
	}
	if (!pcc_may_auto_attach(inode, iot) || !mutex_trylock(&pi->pcc_lock))
		return;
	pcci = pi->pcci;
	if (pcc_inode_attached(pcci)) {
		atomic_inc(&pcci->active_ios);
		*cached = true;
	} else if (!pcci || !pcc_copy_close_locked(pcci)) {
		pcc_try_auto_attach(inode, cached, iot);
		if (*cached)
			atomic_inc(&pi->pcci->active_ios);
	}
	pcc_inode_unlock(inode);
}

void pcc_io_fini(struct inode *inode)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;

	if (atomic_dec_and_test(&pcci->active_ios))
		wake_up(&pcci->waitq);
}

/* The copy an I/O between pcc_io_init() and pcc_io_fini() reads. */
struct file *pcc_io_copy(struct inode *inode)
{
	return PCC_I(inode)->pcci->copy;
}

/*
 * The lower file handle, as name_to_handle_at(2) gives it to userspace:
 * same function, same flags.  Where userspace would get EOPNOTSUPP (no
 * export operations, or none that can decode), the inode number.
 */
static void pcc_lower_fh_of(struct dentry *lower, struct pcc_version *v)
{
	const struct export_operations *eop = lower->d_sb->s_export_op;
	int dwords = PCC_FH_MAX / 4;
	int type = -EOPNOTSUPP;

	if (eop && eop->fh_to_dentry)
		type = exportfs_encode_fh(lower, (struct fid *)v->fh, &dwords, 0);
	if (type < 0 || type == FILEID_INVALID || dwords > PCC_FH_MAX / 4) {
		u64 ino = d_inode(lower)->i_ino;

		v->fh_type = PCC_FH_TYPE_INO;
		v->fh_len = sizeof(ino);
		memset(v->fh, 0, sizeof(v->fh));
		memcpy(v->fh, &ino, sizeof(ino));
		return;
	}
	v->fh_type = type;
	v->fh_len = dwords * 4;
	memset(v->fh + v->fh_len, 0, sizeof(v->fh) - v->fh_len);
}

/* The handle of a lower inode known only by itself (events, uncache). */
int pcc_lower_fh(struct inode *lower, struct pcc_version *v)
{
	struct dentry *dentry = d_find_any_alias(lower);

	if (!dentry)
		return -ENOENT;
	pcc_lower_fh_of(dentry, v);
	dput(dentry);
	return 0;
}

/*
 * The change attribute of @lower, or false where it has none.  From 6.3
 * getattr reports it (STATX_CHANGE_COOKIE); before, NFS gives it through
 * its export operations (what nfsd re-exporting NFS uses) and local
 * filesystems keep i_version, which counts changes once it was queried.
 */
static bool pcc_lower_change(struct inode *lower, const struct kstat *st,
			     u64 *change)
{
#ifdef STATX_CHANGE_COOKIE
	if (st->result_mask & STATX_CHANGE_COOKIE) {
		*change = st->change_cookie;
		return true;
	}
	return false;
#else
	const struct export_operations *eop = lower->i_sb->s_export_op;

	if (eop && eop->fetch_iversion) {
		*change = eop->fetch_iversion(lower);
		return true;
	}
	if (IS_I_VERSION(lower)) {
		*change = inode_query_iversion(lower);
		return true;
	}
	return false;
#endif
}

/*
 * The lower version of @inode: its handle and change state.  @sync asks the
 * lower for its current attributes (NFS: a GETATTR to the server) rather
 * than what it has cached, as an open must to be close-to-open.  With the
 * caller's credentials: getattr needs none on most filesystems.
 */
int pcc_lower_version(struct inode *inode, struct pcc_version *v, bool sync)
{
	struct inode *lower = pcc_lower_inode(inode);
	struct path lower_path;
	struct dentry *alias;
	struct kstat st;
	u32 mask = STATX_BASIC_STATS;
	int ret;

#ifdef STATX_CHANGE_COOKIE
	mask |= STATX_CHANGE_COOKIE;
#endif
	memset(v, 0, sizeof(*v));
	alias = d_find_any_alias(inode);
	if (!alias)
		return -ENOENT;
	lower_path = *pcc_lower_path(alias);
	path_get(&lower_path);
	dput(alias);
	ret = vfs_getattr(&lower_path, &st, mask,
			  sync ? AT_STATX_FORCE_SYNC : AT_STATX_SYNC_AS_STAT);
	if (!ret)
		pcc_lower_fh_of(lower_path.dentry, v);
	path_put(&lower_path);
	if (ret)
		return ret;
	v->size = st.size;
	v->mtime_sec = st.mtime.tv_sec;
	v->mtime_nsec = st.mtime.tv_nsec;
	v->ctime_sec = st.ctime.tv_sec;
	v->ctime_nsec = st.ctime.tv_nsec;
	if (pcc_lower_change(lower, &st, &v->change))
		v->flags |= PCC_VERSION_CHANGE;
	return 0;
}

bool pcc_version_equal(const struct pcc_version *a,
		       const struct pcc_version *b)
{
	return a->fh_type == b->fh_type && a->fh_len == b->fh_len &&
	       !memcmp(a->fh, b->fh, a->fh_len) && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec &&
	       a->flags == b->flags && a->change == b->change;
}

/*
 * A rule-matched file opened with no copy: tell the daemon, once per file
 * and generation (the daemon copies it in the background; a file it could
 * not copy is not asked about again until the datasets change).
 */
static void pcc_report_miss(struct inode *inode, struct dentry *dentry)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_super *super = pcc_super(inode->i_sb);
	struct pcc_event_info ev = {
		.event	= PCC_EVENT_MISS,
		.inode	= inode,
		.dentry	= dentry,
	};
	struct pcc_dataset *ds;
	u32 gen = READ_ONCE(super->generation);

	if (READ_ONCE(pi->pcc_miss_generation) == gen ||
	    list_empty_careful(&super->datasets))
		return;
	/* Never waits for a dataset change: it will bump the generation. */
	if (!down_read_trylock(&super->rw_sem))
		return;
	WRITE_ONCE(pi->pcc_miss_generation, gen);
	list_for_each_entry(ds, &super->datasets, list) {
		if ((ds->mode & PCC_DS_MODE_RO) &&
		    pcc_rule_match(ds->rule, dentry, pcc_lower_inode(inode))) {
			ev.dataset_id = ds->id;
			break;
		}
	}
	up_read(&super->rw_sem);
	if (!ev.dataset_id)
		return;
	pcc_stat_inc(inode->i_sb, PCC_STAT_MISSES);
	pcc_notify(inode->i_sb, &ev);
}

/*
 * The lower of a read-write file changed behind pcc's back (another node,
 * or the lower mount of this one, wrote it).  A clean copy is detached as
 * stale; a dirty one holds acknowledged writes that nothing else has, so
 * it is kept, reported, and its write-back replaces what the lower got:
 * the last writer wins, as between two NFS clients that write one file.
 * pcc_lock held.
 */
static bool pcc_rw_keep_stale(struct inode *inode)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	struct pcc_event_info ev = {
		.event		= PCC_EVENT_STALE,
		.inode		= inode,
		.dataset_id	= pcci->dataset_id,
	};
	bool dirty;

	/*
	 * The other writer's bytes may be anywhere: the whole copy goes
	 * back, so the lower ends up as this node's file, not a mix.
	 */
	down_write(&pcci->rw_sem);
	dirty = pcci->dirty;
	if (dirty) {
		pcci->wb_start = 0;
		pcci->wb_end = LLONG_MAX;
	}
	up_write(&pcci->rw_sem);
	if (!dirty)
		return false;
	pcc_stat_inc(inode->i_sb, PCC_STAT_STALE);
	pcc_notify(inode->i_sb, &ev);
	pr_warn_ratelimited("a file cached read-write was changed outside pcc: its write-back will replace that change\n");
	return true;
}

/*
 * Open of a regular file: an attached file's copy must still hold the
 * lower's current version (close-to-open: another node may have changed
 * the file) and be intact (no one removed, truncated or stripped it);
 * an unattached file may attach (PCC_DS_ATTACH_OPEN) or be reported as a
 * miss.  Never fails the open: the lower serves what the cache cannot.
 */
int pcc_file_open(struct inode *inode, struct file *file)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	/* Pairs with the release that publishes a new pcc_inode. */
	struct pcc_inode *pcci = smp_load_acquire(&pi->pcci);
	struct pcc_version v;
	bool cached = false;

	int ret = -ENODATA;

	if (!pcc_inode_attached(pcci) && !pcc_may_auto_attach(inode, PIT_OPEN))
		goto miss;
	/*
	 * Asked before taking pcc_lock: a lower that does not answer (an NFS
	 * server down) must not hold up I/O on descriptors already open.
	 */
	if (pcc_inode_attached(pcci))
		ret = pcc_lower_version(inode, &v, true);

	pcc_inode_lock(inode);
	pcci = pi->pcci;
	if (pcc_inode_attached(pcci)) {
		if (ret == -ENODATA)
			ret = pcc_lower_version(inode, &v, true);
		if (!ret && pcci->type == PCC_TYPE_READWRITE &&
		    !pcc_version_equal(&v, &pcci->version) &&
		    (pcc_rw_version_settle(inode, &v) ||
		     pcc_rw_keep_stale(inode))) {
			cached = true;
		} else if (ret || !pcc_version_equal(&v, &pcci->version)) {
			pcc_stat_inc(inode->i_sb, PCC_STAT_STALE);
			pcc_detach_locked(inode, PCC_DETACH_STALE);
			if (!ret && pcc_mark_foreign(inode)) {
				/*
				 * Another node holds it read-write: no copy
				 * of what it is about to replace, but the
				 * next open looks again (not "not cached").
				 */
				WRITE_ONCE(pi->pcc_generation, 0);
				WRITE_ONCE(pi->pcc_miss_generation, 0);
				ret = -EBUSY;
			} else if (!ret) {
				/*
				 * Another node or the server changed the
				 * file: its new version is worth a copy, so
				 * this open reports a miss again (misses are
				 * told once per generation).
				 */
				WRITE_ONCE(pi->pcc_miss_generation, 0);
			}
		} else if (!pcc_copy_intact(inode)) {
			pcc_detach_locked(inode, PCC_DETACH_COPY_GONE);
		} else {
			cached = true;
		}
	} else {
		/* A copy a detach under mmap_lock could not close. */
		if (pcci)
			pcc_copy_close_locked(pcci);
		/* Held read-write by another node (-EBUSY): no miss. */
		if (pcc_may_auto_attach(inode, PIT_OPEN) &&
		    pcc_try_auto_attach(inode, &cached, PIT_OPEN) == -EBUSY)
			ret = -EBUSY;
	}
	pcc_inode_unlock(inode);
	if (cached || ret == -EBUSY)
		return 0;
miss:
	pcc_report_miss(inode, file->f_path.dentry);
	return 0;
}

/*
 * Before a local change of @inode's data (write, truncate, fallocate):
 * detach it, and, while mappings are bound to a copy, hand back that copy
 * in *@mirror, locked for the caller to make the same change to it after
 * the lower's (pcc_write_end() unlocks).  Attaches that overlap the change
 * give up: the writer is counted from here to pcc_write_end().
 */
void pcc_write_begin(struct inode *inode, struct file **mirror)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_inode *pcci;

	*mirror = NULL;
	atomic_inc(&pi->pcc_writers);
	/*
	 * Counted before looking: an attach that publishes its pcc_inode
	 * after this sees the count (pcc_attach_commit()).
	 */
	smp_mb__after_atomic();
	/* Pairs with the release that publishes a new pcc_inode. */
	pcci = smp_load_acquire(&pi->pcci);
	if (!pcci)
		return;
	pcc_inode_lock(inode);
	if (pcc_inode_attached(pcci))
		pcc_detach_locked(inode, PCC_DETACH_LOCAL_CHANGE);
	pcc_inode_unlock(inode);
	spin_lock(&pcci->map_lock);
	if (pcci->mapcnt)
		*mirror = get_file(pcci->mirror);
	spin_unlock(&pcci->map_lock);
	if (*mirror)
		mutex_lock(&pcci->mirror_lock);
}

void pcc_write_end(struct inode *inode, struct file *mirror)
{
	struct pcc_inode_info *pi = PCC_I(inode);

	if (mirror) {
		mutex_unlock(&pi->pcci->mirror_lock);
		fput(mirror);
	}
	atomic_inc(&pi->pcc_write_seq);
	/* The new sequence is seen before the writer is seen gone. */
	smp_mb__after_atomic();
	atomic_dec(&pi->pcc_writers);
}

/* Credentials for I/O on copies: the mounter's. */
const struct cred *pcc_copy_creds(struct inode *inode)
{
	return override_creds(pcc_super(inode->i_sb)->cred);
}

/* I/O on a copy of @inode failed with @err: count it and tell the daemon. */
void pcc_copy_error(struct inode *inode, int err)
{
	struct pcc_event_info ev = {
		.event	= err == -ENOSPC ? PCC_EVENT_ENOSPC : PCC_EVENT_IO_ERROR,
		.inode	= inode,
		.error	= err,
	};

	pcc_stat_inc(inode->i_sb, PCC_STAT_CACHE_ERRORS);
	pcc_notify(inode->i_sb, &ev);
}

/*
 * Copy [@pos, @pos + @len) of @file's lower file into @copy, read through
 * the lower with the credentials of @file's opener (a read-only lower file
 * of theirs if @file was opened write-only), written with the mounter's.
 * Keeps a mapped copy equal to the lower after a local change (the lower
 * is authoritative: what it holds now is what the copy gets) and repairs a
 * page a mapping of the copy could not read.  Stops at the lower's end.
 */
int pcc_copy_range(struct file *file, struct file *copy, loff_t pos,
		   loff_t len)
{
	struct inode *inode = file_inode(file);
	struct file *lower = NULL;
	const struct cred *old;
	loff_t rpos = pos, wpos = pos;
	size_t chunk = min_t(loff_t, len, SZ_64K);
	ssize_t n, w;
	void *buf;
	int ret = 0;

	if (len <= 0)
		return 0;
	/*
	 * Read through the page cache: an O_DIRECT lower file cannot read
	 * into a kernel buffer on 6.1 (EFAULT).
	 */
	if ((file->f_mode & FMODE_READ) && !(file->f_flags & O_DIRECT)) {
		lower = pcc_lower_file_open(file);
		if (IS_ERR(lower))
			return PTR_ERR(lower);
		get_file(lower);
	} else {
		lower = dentry_open(pcc_lower_path(file->f_path.dentry),
				    O_RDONLY | O_LARGEFILE, file->f_cred);
		if (IS_ERR(lower))
			return PTR_ERR(lower);
	}
	buf = kvmalloc(chunk, GFP_KERNEL);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (len > 0) {
		n = kernel_read(lower, buf, min_t(loff_t, len, chunk), &rpos);
		if (n <= 0) {
			ret = n;
			break;
		}
		old = pcc_copy_creds(inode);
		if (pcc_fail_check(PCC_FAIL_CACHE_WRITE))
			w = -EIO;
		else
			w = kernel_write(copy, buf, n, &wpos);
		revert_creds(old);
		if (w != n) {
			ret = w < 0 ? w : -EIO;
			break;
		}
		len -= n;
	}
	kvfree(buf);
out:
	fput(lower);
	return ret;
}

/*
 * After a local change of @inode's data through @file: make the same
 * change to @mirror, the copy mappings are bound to.  [@pos, @pos + @len)
 * is what changed (@file may be NULL if @len is 0: a truncate); the copy
 * also takes the lower's new size.  A copy that
 * cannot follow is reported; its mappings show what it holds.
 */
void pcc_mirror_change(struct inode *inode, struct file *file,
		       struct file *mirror, loff_t pos, loff_t len)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	loff_t size = i_size_read(pcc_lower_inode(inode));
	const struct cred *old;
	int ret = 0;

	/*
	 * A copy whose size is not what pcc left it at was cut by hand: a
	 * new size would hide the gap as a hole of zeros.  It is made
	 * unattachable and left as it is.
	 */
	if (i_size_read(file_inode(mirror)) != pcci->mirror_size) {
		ret = pcc_copy_poison(inode, mirror);
		goto out;
	}
	if (i_size_read(file_inode(mirror)) != size) {
		old = pcc_copy_creds(inode);
		ret = vfs_truncate(&mirror->f_path, size);
		revert_creds(old);
	}
	if (!ret && len && pos < size)
		ret = pcc_copy_range(file, mirror, pos, min(len, size - pos));
	pcci->mirror_size = i_size_read(file_inode(mirror));
	pcc_stat_inc(inode->i_sb, PCC_STAT_MIRROR_WRITES);
out:
	if (ret) {
		pcc_copy_error(inode, ret);
		pr_warn_ratelimited("cannot update a mapped cache copy: %d\n",
				    ret);
	}
}

/*
 * mmap of a mapping that cannot write its file: bind it to the copy if the
 * file is attached.  Returns the copy, referenced and counted in mapcnt
 * (pcc_mmap_copy_put() uncounts), or NULL.  Under mmap_lock: takes only
 * map_lock, and never attaches - looking a copy up takes directory locks
 * that readdir holds while it faults.  The open did that.
 */
struct file *pcc_mmap_copy_get(struct inode *inode)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	/* Pairs with the cmpxchg that publishes a new pcc_inode. */
	struct pcc_inode *pcci = smp_load_acquire(&pi->pcci);
	struct file *copy = NULL;

	if (!pcc_inode_attached(pcci))
		return NULL;
	spin_lock(&pcci->map_lock);
	if (pcci->type != PCC_TYPE_NONE) {
		if (!pcci->mapcnt++) {
			pcci->mirror = get_file(pcci->copy);
			/* A read-write copy's size is the file's. */
			pcci->mirror_size = pcci->type == PCC_TYPE_READWRITE ?
				i_size_read(file_inode(pcci->copy)) :
				pcci->version.size;
		}
		copy = get_file(pcci->copy);
	}
	spin_unlock(&pcci->map_lock);
	return copy;
}

void pcc_mmap_copy_put(struct inode *inode)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	struct file *mirror = NULL;

	spin_lock(&pcci->map_lock);
	if (!--pcci->mapcnt) {
		mirror = pcci->mirror;
		pcci->mirror = NULL;
	}
	spin_unlock(&pcci->map_lock);
	if (mirror)
		fput(mirror);
}

/*
 * mmap of a shared mapping that may write: its stores reach the lower's
 * pages without passing through pcc, so the file is detached and stays so
 * while the mapping exists, and no mapping of the copy may exist (it could
 * not be kept equal: -EBUSY).  Under mmap_lock: no waiting for I/O on the
 * copy (pcc_detach_nowait()); reads already on it began before this
 * mapping could store anything.
 */
int pcc_mmap_write_get(struct inode *inode)
{
	struct pcc_inode_info *pi = PCC_I(inode);
	struct pcc_inode *pcci = pcc_inode_get(inode);
	int ret = 0;

	if (!pcci)
		return -ENOMEM;
	spin_lock(&pcci->map_lock);
	/*
	 * A read-write file's mappings are paged (paged.c); one can only
	 * come here if an attach raced its mmap: the lower's pages are not
	 * the file's data then.
	 */
	if (pcci->mapcnt || pcci->type == PCC_TYPE_READWRITE) {
		ret = -EBUSY;
	} else {
		pcci->wmapcnt++;
		atomic_inc(&pi->pcc_write_seq);
	}
	spin_unlock(&pcci->map_lock);
	if (!ret)
		pcc_detach_nowait(inode, PCC_DETACH_LOCAL_CHANGE);
	return ret;
}

void pcc_mmap_write_put(struct inode *inode)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;

	spin_lock(&pcci->map_lock);
	pcci->wmapcnt--;
	spin_unlock(&pcci->map_lock);
	/*
	 * Stores into pages already dirty change no time of a local lower:
	 * a copy made while the mapping existed must not attach.
	 */
	atomic_inc(&PCC_I(inode)->pcc_write_seq);
}
