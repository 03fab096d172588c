// SPDX-License-Identifier: GPL-2.0-only
/*
 * rw.c - read-write caching (RW-PCC): a file attached PCC_TYPE_READWRITE
 * keeps its data in the copy.  Writes, truncates and fallocates go to the
 * copy at local-disk speed; reads, splices and read-only or private
 * mappings are served from it as for a read-only copy; stat shows the
 * copy's size and times.  The lower file gets the data back (write-back):
 *  - at the last close of the file (pcc_flush(), pcc_release()), so that
 *    another node's next open sees it, as NFS's close-to-open promises;
 *  - before any detach (pcc_detach_locked()): a detach whose write-back
 *    fails leaves the file attached, nothing is lost.
 * A change the copy has no room for (ENOSPC, EDQUOT) is made on the lower
 * after a write-back and a detach (pcc_rw_fallback()).  New files are
 * attached read-write at create by pcc_inode_create() (attach.c).
 *
 * Crash safety: the copy carries PCC_XATTR_DIRTY from before the first
 * change after a write-back is made (set and fsynced, so a power cut after
 * any acknowledged fsync finds it) until the lower holds the data, is
 * fsynced, and PCC_XATTR_COPY records the lower's new version.  pccd
 * writes dirty copies back when it starts, before it hands their dataset
 * to the module.  Meanwhile the lower file carries this node's read-write
 * mark, which keeps other nodes from caching it (mark.c).
 *
 * Changes hold pcci->rw_sem for reading and re-check the type under it; a
 * write-back holds it for writing, so no change is made while it copies
 * and none is lost: a change that waited for it is made to the copy after,
 * and marks the copy dirty again.  Lock order: our i_rwsem (setattr), a
 * page of ours (its write-back to the copy, paged.c), then rw_sem, then
 * the copy's and the lower's i_rwsem.  Nothing here is reached under
 * mmap_lock: mappings of read-write files map pages of our own, whose
 * stores reach the copy at their write-back (paged.c).
 */
#include <linux/cred.h>
#include <linux/falloc.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/xattr.h>

#include "pcc.h"

/* Copy-back buffer: large enough for NFS to send full-sized WRITEs. */
#define PCC_WB_CHUNK	SZ_1M

static struct pcc_inode *pcc_rw_pcci(struct inode *inode)
{
	/* Pairs with the cmpxchg that publishes a new pcc_inode. */
	return smp_load_acquire(&PCC_I(inode)->pcci);
}

bool pcc_rw_attached(struct inode *inode)
{
	struct pcc_inode *pcci = pcc_rw_pcci(inode);

	return pcci && READ_ONCE(pcci->type) == PCC_TYPE_READWRITE;
}

/*
 * The inode whose size and times stat shows: the copy's while the file is
 * attached read-write, the lower's otherwise.  Under rcu_read_lock():
 * a detach drops rw_inode, and inodes are freed after a grace period.  A
 * detach racing this shows the copy's values once more, which the
 * write-back has just made the lower's.
 */
struct inode *pcc_rw_data_inode(struct inode *inode)
{
	struct pcc_inode *pcci = pcc_rw_pcci(inode);
	struct inode *data;

	if (!pcci || READ_ONCE(pcci->type) != PCC_TYPE_READWRITE)
		return pcc_lower_inode(inode);
	data = READ_ONCE(pcci->rw_inode);
	return data ? data : pcc_lower_inode(inode);
}

/*
 * Begin a change of a read-write file: 1 with rw_sem held for reading if
 * it is attached read-write (the change goes to pcc_io_copy()), 0 if not
 * (the caller goes to the lower as for any file).
 */
int pcc_rw_begin(struct inode *inode)
{
	struct pcc_inode *pcci = pcc_rw_pcci(inode);

	if (!pcci || READ_ONCE(pcci->type) != PCC_TYPE_READWRITE)
		return 0;
	down_read(&pcci->rw_sem);
	if (pcci->type == PCC_TYPE_READWRITE)
		return 1;
	up_read(&pcci->rw_sem);
	return 0;
}

void pcc_rw_end(struct inode *inode)
{
	up_read(&PCC_I(inode)->pcci->rw_sem);
}

/*
 * Set or clear PCC_XATTR_DIRTY on @copy, as the mounter.  Its value names
 * this node: the mark the lower may get (mark.c) is what pccd removes
 * after a crash.
 */
static int pcc_rw_mark(struct inode *inode, struct file *copy, bool dirty)
{
	const char *node = PCC_SB(inode->i_sb)->node;
	const struct cred *old;
	int ret;

	ret = pcc_copy_setxattr(inode, copy, PCC_XATTR_DIRTY,
				dirty ? node : NULL, strlen(node));
	/* Durable before the change it stands for is acknowledged. */
	if (!ret && dirty) {
		old = pcc_copy_creds(inode);
		ret = vfs_fsync(copy, 0);
		revert_creds(old);
	}
	return ret;
}

/*
 * About to change [@pos, @pos + @len) of the copy (@len LLONG_MAX: up to
 * the end), as a writer with credentials @cred, whom the VFS or the lower
 * let write the lower file at @lower.  Secures the lower file the
 * write-back will use, then marks the copy dirty, so a dirty copy always
 * has one.  Between pcc_rw_begin() and pcc_rw_end().
 */
int pcc_rw_dirty(struct inode *inode, const struct path *lower,
		 const struct cred *cred, loff_t pos, loff_t len)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	struct pcc_super *super = pcc_super(inode->i_sb);
	loff_t end = len > LLONG_MAX - pos ? LLONG_MAX : pos + len;
	struct file *old_wb = NULL;
	int ret = 0;

	mutex_lock(&pcci->dirty_lock);
	/*
	 * The write-back writes as the last writer: one kept from an
	 * earlier writer (lazy write-back keeps it across closes) may have
	 * lost its access since.  Write-back excluded: rw_sem is held.
	 */
	if (pcci->wb_lower &&
	    (!uid_eq(pcci->wb_lower->f_cred->fsuid, cred->fsuid) ||
	     !gid_eq(pcci->wb_lower->f_cred->fsgid, cred->fsgid))) {
		old_wb = pcci->wb_lower;
		pcci->wb_lower = NULL;
	}
	if (!pcci->wb_lower) {
		/*
		 * A new lower file, opened for writing as the writer
		 * (root_squash applies as to them): theirs may be O_APPEND,
		 * which would put every chunk at the end, or O_DIRECT, which
		 * cannot write a kernel buffer on 6.1; a truncate by path
		 * has none.
		 */
		struct file *wb = dentry_open(lower, O_WRONLY | O_LARGEFILE,
					      cred);

		if (IS_ERR(wb)) {
			/* A dirty copy keeps a lower file to write back. */
			pcci->wb_lower = old_wb;
			old_wb = NULL;
			ret = PTR_ERR(wb);
			goto out;
		}
		pcci->wb_lower = wb;
	}
	if (!pcci->dirty) {
		ret = pcc_rw_mark(inode, pcci->copy, true);
		if (ret) {
			pcc_copy_error(inode, ret);
			goto out;
		}
		/* Other nodes learn that the lower lacks changes (mark.c). */
		pcc_mark_set(inode, lower, cred);
		/*
		 * Pinned while dirty: evicted, the inode would take with it
		 * the only record that its lower lacks these writes (a
		 * write-back failed at the last close), and the lower would
		 * be served and written meanwhile.  A reference is held: the
		 * caller's open file or dentry; the flusher's pages are an
		 * open file's (the last close waits for their write-back).
		 */
		ihold(inode);
		pcci->dirty = true;
		spin_lock(&super->attached_lock);
		list_add_tail(&pcci->dirty_link, &super->dirty);
		spin_unlock(&super->attached_lock);
		pcci->wb_start = pos;
		pcci->wb_end = end;
	} else {
		pcci->wb_start = min(pcci->wb_start, pos);
		pcci->wb_end = max(pcci->wb_end, end);
	}
out:
	mutex_unlock(&pcci->dirty_lock);
	if (old_wb)
		fput(old_wb);
	return ret;
}

/* A write to a read-write file, made to its copy; between begin and end. */
ssize_t pcc_rw_write_iter(struct kiocb *iocb, struct iov_iter *from,
			  struct file *lower)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct file *copy = pcc_io_copy(inode);
	struct iov_iter from_saved;
	struct kiocb copy_iocb;
	const struct cred *old;
	loff_t pos = iocb->ki_pos;
	ssize_t ret;

	/*
	 * An append lands at the end as the copy's write finds it, which
	 * another append may move first: everything from the end seen now.
	 */
	if (iocb->ki_flags & IOCB_APPEND)
		ret = pcc_rw_dirty(inode, &lower->f_path, lower->f_cred,
				   i_size_read(file_inode(copy)), LLONG_MAX);
	else
		ret = pcc_rw_dirty(inode, &lower->f_path, lower->f_cred, pos,
				   iov_iter_count(from));
	if (ret)
		return ret;
	old = pcc_copy_creds(inode);
	init_sync_kiocb(&copy_iocb, copy);
	copy_iocb.ki_pos = iocb->ki_pos;
	/*
	 * The copy is local: a direct write goes through its page cache
	 * (the copy is not opened O_DIRECT), an asynchronous one completes
	 * before this returns.
	 */
	copy_iocb.ki_flags |= iocb->ki_flags & (IOCB_APPEND | IOCB_DSYNC |
						IOCB_SYNC);
	/*
	 * A write the copy has no room for is made again on the lower, from
	 * where it began (iov_iter_restore() is not exported on 6.1; the
	 * iterator's own copy is what it restores).
	 */
	from_saved = *from;
	ret = pcc_fail_error(PCC_FAIL_CACHE_WRITE, -EIO);
	if (!ret) {
		pcc_iocb_write_start(copy);
		ret = vfs_iocb_iter_write(copy, &copy_iocb, from);
		pcc_iocb_write_end(copy);
	}
	revert_creds(old);
	if (pcc_rw_no_space(ret))
		*from = from_saved;
	if (ret > 0)
		iocb->ki_pos = copy_iocb.ki_pos;
	else if (ret < 0 && ret != -EFAULT && ret != -EINTR &&
		 !pcc_rw_no_space(ret))
		pcc_copy_error(inode, ret);
	pcc_copy_attr(inode);
	return ret;
}

ssize_t pcc_rw_splice_write(struct pipe_inode_info *pipe, struct file *out,
			    loff_t *ppos, size_t len, unsigned int flags,
			    struct file *lower)
{
	struct inode *inode = file_inode(out);
	struct file *copy = pcc_io_copy(inode);
	const struct cred *old;
	ssize_t ret;

	if (!copy->f_op->splice_write)
		return -EINVAL;
	ret = pcc_rw_dirty(inode, &lower->f_path, lower->f_cred, *ppos, len);
	if (ret)
		return ret;
	old = pcc_copy_creds(inode);
	file_start_write(copy);
	ret = copy->f_op->splice_write(pipe, copy, ppos, len, flags);
	file_end_write(copy);
	revert_creds(old);
	pcc_copy_attr(inode);
	return ret;
}

/*
 * A truncate of @dentry, a read-write file: the copy takes the size, the
 * lower keeps its own until the write-back.  @lower is the truncating
 * writer's lower file, whose credentials the write-back's lower file is
 * opened with; a truncate by path has none, and the caller's are used,
 * whom the VFS let truncate.  Our i_rwsem held (setattr).
 */
int pcc_rw_truncate(struct dentry *dentry, struct iattr *ia,
		    struct file *lower)
{
	struct inode *inode = d_inode(dentry);
	struct file *copy = pcc_io_copy(inode);
	struct inode *cinode = file_inode(copy);
	struct iattr cia = {
		.ia_valid = ATTR_SIZE | (ia->ia_valid & (ATTR_MTIME | ATTR_CTIME)),
		.ia_size = ia->ia_size,
	};
	const struct cred *old;
	loff_t from = min(ia->ia_size, i_size_read(cinode));
	int ret;

	ret = pcc_rw_dirty(inode, pcc_lower_path(dentry),
			   lower ? lower->f_cred : current_cred(), from,
			   LLONG_MAX);
	if (ret)
		return ret;
	old = pcc_copy_creds(inode);
	ret = mnt_want_write(copy->f_path.mnt);
	if (!ret) {
		inode_lock(cinode);
		ret = notify_change(PCC_NOP_IDMAP, copy->f_path.dentry, &cia,
				    NULL);
		inode_unlock(cinode);
		mnt_drop_write(copy->f_path.mnt);
	}
	revert_creds(old);
	if (ret)
		pcc_copy_error(inode, ret);
	pcc_copy_attr(inode);
	return ret;
}

/* stat of a read-write file: the copy's size, blocks and times. */
int pcc_rw_getattr(struct inode *inode, struct kstat *stat)
{
	struct file *copy = pcc_io_copy(inode);
	const struct cred *old;
	struct kstat cst;
	int ret;

	old = pcc_copy_creds(inode);
	ret = vfs_getattr(&copy->f_path, &cst, STATX_BASIC_STATS,
			  AT_STATX_SYNC_AS_STAT);
	revert_creds(old);
	if (ret)
		return ret;
	stat->size = cst.size;
	stat->blocks = cst.blocks;
	stat->mtime = cst.mtime;
	stat->ctime = cst.ctime;
	return 0;
}

long pcc_rw_fallocate(struct inode *inode, struct file *lower, int mode,
		      loff_t offset, loff_t len)
{
	struct file *copy = pcc_io_copy(inode);
	const struct cred *old;
	long ret;

	/* Collapsing or inserting moves everything after the range. */
	ret = pcc_rw_dirty(inode, &lower->f_path, lower->f_cred, offset,
			   mode & (FALLOC_FL_COLLAPSE_RANGE |
				   FALLOC_FL_INSERT_RANGE) ? LLONG_MAX : len);
	if (ret)
		return ret;
	old = pcc_copy_creds(inode);
	ret = vfs_fallocate(copy, mode, offset, len);
	revert_creds(old);
	pcc_copy_attr(inode);
	return ret;
}

/* The cache is full (the filesystem, or a quota): the lower takes over. */
bool pcc_rw_no_space(long ret)
{
	return ret == -ENOSPC || ret == -EDQUOT;
}

/*
 * End a change of a read-write file begun with pcc_rw_begin(), whose
 * result is *@ret.  True if that is what the caller returns; false if the
 * copy had no room for it and the lower has taken the file over
 * (pcc_rw_fallback()): the caller makes the change on the lower.  A
 * fallback that fails leaves its error in *@ret and returns true.
 */
bool pcc_rw_finish(struct inode *inode, ssize_t *ret)
{
	pcc_rw_end(inode);
	if (!pcc_rw_no_space(*ret))
		return true;
	*ret = pcc_rw_fallback(inode);
	return *ret != 0;
}

/*
 * A change of a read-write file that the copy had no room for (the seed's
 * fallback, Lustre's sanity-pcc 8 to 10): write back what the copy holds,
 * detach, and let the caller make the change on the lower, so the
 * application sees no error the lower would not give.  0, or the
 * write-back's error (the file stays attached; the caller returns it).
 * No lock held.
 */
int pcc_rw_fallback(struct inode *inode)
{
	struct pcc_event_info ev = {
		.event	= PCC_EVENT_ENOSPC,
		.inode	= inode,
		.error	= -ENOSPC,
	};
	int ret;

	pcc_stat_inc(inode->i_sb, PCC_STAT_FALLBACKS);
	pcc_notify(inode->i_sb, &ev);
	pcc_inode_lock(inode);
	ret = pcc_detach_locked(inode, PCC_DETACH_ERROR);
	pcc_inode_unlock(inode);
	return ret;
}

/*
 * Copy [@start, @end) of @copy to @lower, and give @lower the copy's size.
 * Returns the bytes written or a negative errno.  The lower is written
 * with the credentials of the writer who opened it, whoever runs this (a
 * closer, the lazy work's kworker, an unmount): set-id bits, quotas and
 * reserved blocks apply as to that writer's own writes.
 */
static ssize_t pcc_rw_copy_back(struct inode *inode, struct file *copy,
				struct file *lower, loff_t start, loff_t end)
{
	struct inode *linode = file_inode(lower);
	loff_t size = i_size_read(file_inode(copy));
	loff_t rpos = start, wpos = start;
	ssize_t n, w, done = 0;
	const struct cred *old;
	void *buf = NULL;
	int ret = 0;

	end = min(end, size);
	if (rpos < end) {
		buf = kvmalloc(PCC_WB_CHUNK, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	while (rpos < end) {
		old = pcc_copy_creds(inode);
		n = kernel_read(copy, buf, min_t(loff_t, end - rpos,
						 PCC_WB_CHUNK), &rpos);
		revert_creds(old);
		if (n <= 0) {
			ret = n ? n : -EIO;	/* the copy is shorter than its size */
			break;
		}
		old = override_creds(lower->f_cred);
		w = kernel_write(lower, buf, n, &wpos);
		revert_creds(old);
		if (w != n) {
			ret = w < 0 ? w : -EIO;
			break;
		}
		done += n;
	}
	kvfree(buf);
	if (ret)
		return ret;
	if (i_size_read(linode) != size) {
		struct iattr ia = {
			.ia_valid = ATTR_SIZE | ATTR_FILE,
			.ia_size = size,
			.ia_file = lower,
		};

		ret = mnt_want_write(lower->f_path.mnt);
		if (ret)
			return ret;
		old = override_creds(lower->f_cred);
		inode_lock(linode);
		ret = notify_change(PCC_NOP_IDMAP, lower->f_path.dentry, &ia,
				    NULL);
		inode_unlock(linode);
		revert_creds(old);
		mnt_drop_write(lower->f_path.mnt);
		if (ret)
			return ret;
	}
	old = override_creds(lower->f_cred);
	ret = vfs_fsync(lower, 0);
	revert_creds(old);
	return ret ? ret : done;
}

/* Record @v as the version the copy of @inode holds. */
static int pcc_rw_record(struct inode *inode, const struct pcc_version *v)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	struct pcc_copy_xattr cx = {
		.magic		= PCC_COPY_MAGIC,
		.format		= PCC_COPY_FORMAT,
		.type		= PCC_TYPE_READWRITE,
		.dataset_id	= pcci->dataset_id,
		.version	= *v,
	};

	return pcc_copy_setxattr(inode, pcci->copy, PCC_XATTR_COPY, &cx,
				 sizeof(cx));
}

/*
 * The open of a read-write file found the lower's version moved by our own
 * doing, not by a change, and records the new one (true); false if
 * anything else differs.  pcc_lock held.  Ours:
 *  - the change attribute alone (handle, size, mtime and ctime are what
 *    the copy records): the lower settling after our own write-back.  An
 *    NFS client on 6.1 can still report the change attribute of before
 *    its own writes when asked right after them (fetch_iversion() gives
 *    its cached one), and the true one at the next GETATTR.  Any real
 *    change of data or metadata moves ctime too, unless it came within
 *    the same timestamp tick, from another writer the read-write contract
 *    excludes;
 *  - while our mark is on the lower (mark.c), ctime too: setting it moved
 *    them.  A change of the data by anyone else moves mtime.
 */
bool pcc_rw_version_settle(struct inode *inode, const struct pcc_version *v)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	struct pcc_version was;
	bool ok = false;

	down_write(&pcci->rw_sem);
	was = pcci->version;
	was.change = v->change;
	if (pcci->lower_marked) {
		was.ctime_sec = v->ctime_sec;
		was.ctime_nsec = v->ctime_nsec;
	}
	if (pcci->type == PCC_TYPE_READWRITE && pcc_version_equal(&was, v) &&
	    !pcc_rw_record(inode, v)) {
		pcci->version = *v;
		ok = true;
	}
	up_write(&pcci->rw_sem);
	return ok;
}

/*
 * The copy of @inode is no longer dirty (written back, or left to pccd by a
 * forced detach): the pin pcc_rw_dirty() took goes.  rw_sem held for
 * writing; the caller holds a reference of its own, so this is never the
 * last.
 */
void pcc_rw_clean(struct inode *inode, struct pcc_inode *pcci)
{
	struct pcc_super *super = pcc_super(inode->i_sb);

	if (!pcci->dirty)
		return;
	pcci->dirty = false;
	spin_lock(&super->attached_lock);
	list_del_init(&pcci->dirty_link);
	spin_unlock(&super->attached_lock);
	/* A mark left on the lower is pccd's now, with the dirty copy. */
	pcci->lower_marked = false;
	/* The last would free pcci, and its rw_sem, held. */
	WARN_ON_ONCE(atomic_read(&inode->i_count) < 2);
	iput(inode);
}

static bool pcc_rw_pinned(const struct pcc_inode *pcci, u32 unused)
{
	return true;
}

/*
 * The first dirty file of @sb that @match(pcci, @arg) takes, referenced
 * (a dirty file is pinned: never being freed), or NULL.  It goes to the
 * end of the list, so a pass that leaves it dirty (its write-back failed)
 * finds the others first.
 */
static struct inode *pcc_rw_dirty_grab(struct super_block *sb,
				       bool (*match)(const struct pcc_inode *pcci,
						     u32 arg),
				       u32 arg)
{
	struct pcc_super *super = pcc_super(sb);
	struct pcc_inode *pcci;
	struct inode *inode = NULL;

	spin_lock(&super->attached_lock);
	list_for_each_entry(pcci, &super->dirty, dirty_link) {
		if (match(pcci, arg)) {
			inode = igrab(pcci->inode);
			list_move_tail(&pcci->dirty_link, &super->dirty);
			break;
		}
	}
	spin_unlock(&super->attached_lock);
	return inode;
}

/*
 * At unmount, before the inodes go, a dirty read-write file is still
 * pinned: one written back lazily and not yet due, or one whose write-back
 * failed.  Each gets one more try, as a filesystem writes its dirty pages
 * back at unmount (and a lower that does not answer holds the unmount as
 * it would hold the lower's own); a copy that still cannot be written
 * back keeps its dirty mark for pccd, which writes it back before it next
 * adds the dataset to a mount, and the pin goes.
 */
void pcc_rw_unpin_all(struct super_block *sb)
{
	struct pcc_inode *pcci;
	struct inode *inode;

	/* No file is open, so no close arms it again. */
	cancel_delayed_work_sync(&pcc_super(sb)->wb_work);
	while ((inode = pcc_rw_dirty_grab(sb, pcc_rw_pinned, 0))) {
		pcci = PCC_I(inode)->pcci;
		down_write(&pcci->rw_sem);
		/* A kill of the unmount leaves the rest to pccd. */
		if (pcci->type != PCC_TYPE_READWRITE ||
		    fatal_signal_pending(current) ||
		    pcc_rw_writeback_locked(inode))
			pcc_rw_clean(inode, pcci);
		up_write(&pcci->rw_sem);
		iput(inode);
	}
}

/*
 * Write the copy of a read-write @inode back to its lower file, if it is
 * dirty: the changed range, the size, an fsync of the lower; then the
 * copy records the lower's new version and loses its dirty mark.  rw_sem
 * held for writing, so nothing changes the copy meanwhile.  On failure
 * the copy stays dirty (and attached): a later write-back tries again.
 */
int pcc_rw_writeback_locked(struct inode *inode)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	const struct cred *old;
	struct pcc_version v;
	bool unmarked;
	ssize_t done;
	int ret;

	if (!pcci->dirty)
		return 0;
	/* pcc_rw_dirty() opened it before it marked the copy dirty. */
	if (!pcci->wb_lower)
		return -EIO;
	done = pcc_rw_copy_back(inode, pcci->copy, pcci->wb_lower,
				pcci->wb_start, pcci->wb_end);
	if (done < 0) {
		ret = done;
		goto fail;
	}
	/* The lower has the data: other nodes may cache it again. */
	unmarked = pcc_mark_clear(inode);
	/* As the writer, as the data went (a forced GETATTR on NFS). */
	old = override_creds(pcci->wb_lower->f_cred);
	ret = pcc_lower_version(inode, &v, true);
	revert_creds(old);
	if (!ret)
		ret = pcc_rw_record(inode, &v);
	if (!ret)
		ret = pcc_rw_mark(inode, pcci->copy, false);
	if (ret) {
		/* Still dirty: the other nodes keep off it until it is not. */
		if (unmarked)
			pcc_mark_set(inode, &pcci->wb_lower->f_path,
				     pcci->wb_lower->f_cred);
		goto fail;
	}
	pcci->version = v;
	pcc_rw_clean(inode, pcci);
	pcc_stat_inc(inode->i_sb, PCC_STAT_WRITEBACKS);
	pcc_stat_add(inode->i_sb, PCC_STAT_WRITEBACK_BYTES, done);
	return 0;
fail:
	pcc_copy_error(inode, ret);
	pr_warn_ratelimited("cannot write a read-write copy back: %d\n", ret);
	return ret;
}

/*
 * The last close of a read-write file: write it back, so the next open on
 * any node finds the data in the lower file, and drop the writer's lower
 * file (its open state on NFS) once nothing is left to write.
 */
int pcc_rw_writeback(struct inode *inode)
{
	struct pcc_inode *pcci = pcc_rw_pcci(inode);
	struct file *lower = NULL;
	int ret = 0;

	if (!pcci || READ_ONCE(pcci->type) != PCC_TYPE_READWRITE)
		return 0;
	down_write(&pcci->rw_sem);
	if (pcci->type == PCC_TYPE_READWRITE)
		ret = pcc_rw_writeback_locked(inode);
	if (!pcci->dirty) {
		lower = pcci->wb_lower;
		pcci->wb_lower = NULL;
	}
	up_write(&pcci->rw_sem);
	if (lower)
		fput(lower);
	return ret;
}

/*
 * The write-back interval of dataset @dataset_id in seconds, 0 if it
 * writes back at the last close.  Read at each close, so a change of the
 * dataset's policy applies to the files already attached.
 */
static unsigned int pcc_rw_lazy_interval(struct super_block *sb,
					 u32 dataset_id)
{
	struct pcc_super *super = pcc_super(sb);
	struct pcc_dataset *ds;
	unsigned int interval = 0;

	down_read(&super->rw_sem);
	ds = pcc_dataset_find(super, dataset_id, PCC_DS_MODE_RW);
	if (ds && ds->id == dataset_id && ds->writeback == PCC_DS_WB_LAZY)
		interval = ds->wb_interval;
	up_read(&super->rw_sem);
	return interval;
}

/* Have the mount's write-back work run within @interval seconds. */
void pcc_rw_lazy_arm(struct super_block *sb, unsigned int interval)
{
	struct pcc_super *super = pcc_super(sb);
	unsigned long delay = interval * HZ;

	spin_lock(&super->wb_lock);
	if (!delayed_work_pending(&super->wb_work) ||
	    time_before(jiffies + delay, super->wb_due)) {
		super->wb_due = jiffies + delay;
		mod_delayed_work(system_unbound_wq, &super->wb_work, delay);
	}
	spin_unlock(&super->wb_lock);
}

/*
 * The last close of a read-write file (its flush, or the release after a
 * mapping outlived the close, or a truncate(2) of a file nobody has
 * open).  In a dataset that writes back at close, it is written back now
 * and the error is the close's; in one that writes back lazily, the
 * mount's write-back work does it within the interval (pcc_rw_lazy_work()).
 */
int pcc_rw_close(struct inode *inode)
{
	struct pcc_inode *pcci = pcc_rw_pcci(inode);
	unsigned int interval;

	if (!pcci || READ_ONCE(pcci->type) != PCC_TYPE_READWRITE)
		return 0;
	interval = pcc_rw_lazy_interval(inode->i_sb,
					READ_ONCE(pcci->dataset_id));
	/* A clean file lets go of its lower file at once, as at close. */
	if (!interval || !READ_ONCE(pcci->dirty))
		return pcc_rw_writeback(inode);
	pcc_rw_lazy_arm(inode->i_sb, interval);
	return 0;
}

/*
 * What a lazy pass writes back: a dirty file nobody has open (an open one
 * is written back after its last close) that this pass has not tried.
 * Dirty files of datasets that write back at close are only there after
 * their write-back failed: the pass tries them again too.
 */
static bool pcc_rw_lazy_due(const struct pcc_inode *pcci, u32 pass)
{
	return READ_ONCE(pcci->dirty) && READ_ONCE(pcci->wb_pass) != pass &&
	       !atomic_read(&PCC_I(pcci->inode)->pcc_open_count);
}

static void pcc_rw_lazy_work(struct work_struct *work)
{
	struct pcc_super *super = container_of(to_delayed_work(work),
					       struct pcc_super, wb_work);
	struct pcc_inode *pcci;
	struct inode *inode;
	unsigned int retry;
	u32 pass = ++super->wb_pass;

	while ((inode = pcc_rw_dirty_grab(super->sb, pcc_rw_lazy_due, pass))) {
		pcci = PCC_I(inode)->pcci;
		WRITE_ONCE(pcci->wb_pass, pass);
		/* A lazy file whose write-back failed: again in an interval. */
		if (pcc_rw_writeback(inode)) {
			retry = pcc_rw_lazy_interval(inode->i_sb,
						     READ_ONCE(pcci->dataset_id));
			if (retry)
				pcc_rw_lazy_arm(inode->i_sb, retry);
		}
		iput(inode);
	}
}

void pcc_rw_lazy_init(struct pcc_super *super)
{
	spin_lock_init(&super->wb_lock);
	INIT_DELAYED_WORK(&super->wb_work, pcc_rw_lazy_work);
	super->wb_pass = 0;
}

/* The pcc_inode goes (inode eviction): drop what read-write kept. */
void pcc_rw_release(struct pcc_inode *pcci)
{
	if (pcci->wb_lower)
		fput(pcci->wb_lower);
	pcci->wb_lower = NULL;
	iput(pcci->rw_inode);
	pcci->rw_inode = NULL;
}
