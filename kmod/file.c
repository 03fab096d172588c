// SPDX-License-Identifier: GPL-2.0-only
/*
 * file.c - open regular files: every operation goes to a lower file opened
 * with the opener's credentials.
 *
 * An open for writing, truncating or O_DIRECT opens the lower file at once,
 * so its errors are the open's.  A plain read-only open defers it to the
 * first call that needs a lower file (docs/design/0003-lower-file.md): an
 * open that only looks - fstat goes by path - costs one open, not two, and
 * a file the cache will serve need never open the lower at all.
 *
 * Our file keeps our inode's own, empty mapping: generic code that finds
 * a mapping through a file hands that file to the mapping's owner (swapon
 * to ->read_folio, where NFS takes file->private_data for its own open
 * context; shmem_file() to SHMEM_I(file_inode())), so the lower's mapping
 * must only ever be reached through the lower's own file.  Mappings are
 * bound at mmap time to the lower file, or to the copy of an attached
 * file, which puts them in that file's i_mmap (mmap.c).
 *
 * An attached file's reads, splices, SEEK_DATA/SEEK_HOLE and fadvise go
 * to its copy (state.c, attach.c), with the mounter's credentials; a copy
 * that fails or falls short is detached and the lower serves the rest.
 *
 * The file position is ours (iocb->ki_pos), the flags of each call travel
 * with it (O_APPEND, O_DIRECT, O_DSYNC as set now on our file), and our inode
 * has no page cache: reads, writes and faults all use the lower's, so they
 * are coherent with each other.
 *
 * Asynchronous kiocbs (aio, io_uring) stay asynchronous: the lower gets a
 * kiocb of its own whose completion completes ours, so an O_DIRECT request
 * the lower queues completes later, as it would on the lower.  We do not
 * advertise FMODE_NOWAIT: getting to the lower may block (our allocation,
 * the lower's freeze protection), so IOCB_NOWAIT cannot be kept end to end.
 * Only 6.1's io_uring sends it anyway (it takes any regular file on a
 * superblock without a block device for one that can); it gets -EAGAIN and
 * reissues the request from its workers without IOCB_NOWAIT.
 *
 * Locks are forwarded too, so a lower filesystem that implements them
 * cluster-wide (NFS) does so through pcc.  A forwarded lock is recorded
 * against the lower file; our ->flush and ->release remove what a close of
 * ours would have removed.
 */
#include <linux/cred.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/workqueue.h>

#include "pcc.h"

/*
 * The flags of our kiocb that mean something to the lower one.  Not
 * IOCB_NOWAIT (see above), IOCB_HIPRI (polling needs ->iopoll, which we do
 * not have) nor anything that changes who completes a request and how.
 */
#define PCC_IOCB_FLAGS	(IOCB_DIRECT | IOCB_APPEND | IOCB_DSYNC | IOCB_SYNC)

/*
 * An asynchronous request on the lower file.  Two references: the
 * completion's, and the submitter's, because the lower may still look at
 * its kiocb after queueing it (ext4 does) while the completion has already
 * run.  The last one drops the lower file.
 */
struct pcc_aio {
	struct kiocb iocb;		/* on the lower file, which it holds */
	struct kiocb *orig;		/* ours, completed when iocb is */
	refcount_t ref;
	long res;			/* of a write, for its work */
	struct work_struct work;	/* completes a write */
};

static struct kmem_cache *pcc_aio_cachep;

/*
 * Completes asynchronous writes: the lower may complete them in interrupt
 * context, where neither our i_lock (pcc_copy_attr()) nor the end of the
 * lower's freeze protection belong; overlayfs punts them to a workqueue
 * too (backing_aio_queue_completion() in 6.12).  Destroying it at module
 * exit waits for the last completion to return.
 */
static struct workqueue_struct *pcc_aio_wq;

int pcc_file_init(void)
{
	pcc_aio_cachep = KMEM_CACHE(pcc_aio, 0);
	if (!pcc_aio_cachep)
		return -ENOMEM;
	pcc_aio_wq = alloc_workqueue("pcc-aio", WQ_MEM_RECLAIM, 0);
	if (!pcc_aio_wq) {
		kmem_cache_destroy(pcc_aio_cachep);
		return -ENOMEM;
	}
	return 0;
}

void pcc_file_exit(void)
{
	destroy_workqueue(pcc_aio_wq);
	kmem_cache_destroy(pcc_aio_cachep);
}

/*
 * Opens whose lower open cannot wait: its errors must be the open's.  An
 * exec maps the file at once, and a lower open under mmap_lock would hold
 * up every fault of the process for an NFS round trip.  An exec is known
 * by __FMODE_EXEC in f_flags: no kernel sets FMODE_EXEC in f_mode (NFS
 * tests the flag too, in nfs4_opendata_access()).
 */
static bool pcc_open_now(const struct file *file)
{
	return (file->f_mode & FMODE_WRITE) ||
	       (file->f_flags & (O_TRUNC | O_DIRECT | __FMODE_EXEC));
}

/*
 * Always opens a new lower file for @file, as @cred, with @file's flags
 * less those the open itself has dealt with.  pcc_lower_file_open() is the
 * one that returns the lower file, opening it only if it is not there yet.
 *
 * O_TRUNC stays, unless the open created the file (do_open() truncates
 * nothing then): the lower's ->open sees what it would see in an
 * open(O_TRUNC) of its own, then the ATTR_OPEN truncate (pcc_setattr()).
 * FUSE with atomic_o_trunc and NFSv4 truncate in their OPEN call and rely
 * on having done so; overlayfs, which opens without O_TRUNC, clears
 * ATTR_OPEN instead (ovl_setattr()), which would cost NFSv4 its EACCES.
 * A deferred open has no O_TRUNC, nor has the open of a file attached
 * read-write: its copy is truncated (pcc_rw_truncate()), and the lower
 * keeps its data until the write-back.
 */
static struct file *pcc_open_new_lower(struct file *file,
				       const struct cred *cred)
{
	unsigned int flags = READ_ONCE(file->f_flags);

	flags &= ~(O_CREAT | O_EXCL | O_NOCTTY);
	if ((file->f_mode & FMODE_CREATED) ||
	    pcc_rw_attached(file_inode(file)))
		flags &= ~O_TRUNC;
	return dentry_open(pcc_lower_path(file->f_path.dentry), flags, cred);
}

/*
 * The lower file of @file, opened now if the open deferred it: with the
 * opener's credentials, whoever calls (a descriptor may have been passed
 * on).  Two first calls may race; the loser drops its lower file.
 */
struct file *pcc_lower_file_open(struct file *file)
{
	struct file *lower = pcc_lower_file(file);
	const struct cred *old;

	if (likely(lower))
		return lower;
	old = override_creds(file->f_cred);
	lower = pcc_open_new_lower(file, file->f_cred);
	revert_creds(old);
	if (IS_ERR(lower))
		return lower;
	if (cmpxchg_release(&file->private_data, NULL, lower)) {
		fput(lower);
		lower = pcc_lower_file(file);
	}
	return lower;
}

/*
 * Every open file of ours holds a reference on the lower dentry, as an
 * opened lower file would: NFS counts them to decide that an unlink or a
 * rename over the name must silly-rename the file, so that a deferred
 * lower open still finds it.
 */
static int pcc_open(struct inode *inode, struct file *file)
{
	struct file *lower;

	if (pcc_open_now(file)) {
		lower = pcc_open_new_lower(file, current_cred());
		if (IS_ERR(lower))
			return PTR_ERR(lower);
		file->private_data = lower;
		if (pcc_file_can_direct(lower))
			pcc_file_set_can_direct(file);
		/*
		 * The lower open has the lower's current attributes (an NFS
		 * OPEN returns them): exec decides set-uid and set-gid on
		 * ours right after this.
		 */
		pcc_copy_attr(inode);
	} else {
		/*
		 * The lower's open would check read access: an NFSv4 client
		 * does it in the OPEN call (nfs4_opendata_access()), as its
		 * nfs_permission() lets MAY_OPEN through unchecked, so may_open()
		 * asked nothing.  Ask the lower as the opener now, without
		 * MAY_OPEN: the open fails here, not at the first read.  A new
		 * file's creator is not asked (may_open() and NFS do not).
		 */
		if ((file->f_mode & (FMODE_READ | FMODE_CREATED)) == FMODE_READ) {
			int ret = inode_permission(PCC_NOP_IDMAP,
						   pcc_lower_inode(inode),
						   MAY_READ);

			if (ret)
				return ret;
		}
		/* Whether the lower can is known at the first O_DIRECT call. */
		pcc_file_set_can_direct(file);
	}
	dget(pcc_lower_dentry(file->f_path.dentry));
	atomic_inc(&PCC_I(inode)->pcc_open_count);
	/* Revalidate or attach the copy, or report a miss (state.c). */
	return pcc_file_open(inode, file);
}

static int pcc_release(struct inode *inode, struct file *file)
{
	struct file *lower = pcc_lower_file(file);

	/*
	 * The last file of a read-write file: a close whose flush could not
	 * write it back (a mapping still held the file then) does it now.
	 * No one is left to get an error: the copy stays dirty for the next
	 * close, the detach or pccd, and the error is reported as an event.
	 */
	if (atomic_dec_and_test(&PCC_I(inode)->pcc_open_count)) {
		pcc_paged_release(inode);
		pcc_rw_close(inode);
	}
	dput(pcc_lower_dentry(file->f_path.dentry));
	if (!lower)
		return 0;
	/* Open file description locks are owned by our file. */
	locks_remove_posix(lower, file);
	fput(lower);
	return 0;
}

/* Whether anyone holds POSIX locks on @inode: then a close must look. */
static bool pcc_has_posix_locks(struct inode *inode)
{
	/* As locks_remove_posix() reads it: set once, with release. */
	struct file_lock_context *ctx = smp_load_acquire(&inode->i_flctx);

	return ctx && !list_empty_careful(&ctx->flc_posix);
}

static int pcc_flush(struct file *file, fl_owner_t id)
{
	struct file *lower = pcc_lower_file(file);
	struct inode *inode = file_inode(file);
	int ret = 0, err;

	/*
	 * The last close of a read-write file writes it back, so the next
	 * open anywhere sees the data (close-to-open); its error is close's.
	 * (Unless its dataset writes back lazily: pcc_rw_close().)
	 */
	if (file_count(file) == 1 &&
	    atomic_read(&PCC_I(inode)->pcc_open_count) == 1) {
		/* The pages of a paged file first: they hold the latest. */
		ret = pcc_paged_flush(inode);
		err = pcc_rw_close(inode);
		ret = ret ? ret : err;
	}
	/*
	 * A file without its lower file wrote nothing, but closing it still
	 * drops the POSIX locks the closer holds through other descriptors.
	 * The lower filesystem (NFS) removes them through a lower file.
	 */
	if (!lower) {
		if (!pcc_has_posix_locks(pcc_lower_inode(inode)))
			return ret;
		lower = pcc_lower_file_open(file);
		if (IS_ERR(lower))
			return PTR_ERR(lower);
	}
	/* NFS writes back here (close-to-open). */
	if (lower->f_op->flush) {
		err = lower->f_op->flush(lower, id);
		ret = ret ? ret : err;
	}
	locks_remove_posix(lower, id);
	return ret;
}

/*
 * SEEK_DATA and SEEK_HOLE of an attached file ask its copy (which has the
 * holes the copy maker kept); the position stays ours.
 */
static loff_t pcc_llseek_copy(struct file *file, loff_t offset, int whence)
{
	struct inode *inode = file_inode(file);
	const struct cred *old;
	loff_t ret;
	bool cached;

	pcc_io_init(inode, PIT_SEEK, &cached);
	if (!cached)
		return -ENODATA;
	old = pcc_copy_creds(inode);
	ret = vfs_llseek(pcc_io_copy(inode), offset, whence);
	revert_creds(old);
	pcc_io_fini(inode);
	if (ret >= 0)
		file->f_pos = ret;
	return ret;
}

static loff_t pcc_llseek(struct file *file, loff_t offset, int whence)
{
	struct file *lower;
	loff_t ret;

	/*
	 * A paged file's end is our size, which its pages may have moved;
	 * it is all data (no hole reported, as is always allowed): nothing
	 * needs writing back to answer.
	 */
	if (pcc_paged(file_inode(file)))
		return generic_file_llseek(file, offset, whence);
	/* A read-write file's end is its copy's. */
	if (whence == SEEK_DATA || whence == SEEK_HOLE ||
	    (whence == SEEK_END && pcc_rw_attached(file_inode(file)))) {
		ret = pcc_llseek_copy(file, offset, whence);
		if (ret != -ENODATA)
			return ret;
	}
	lower = pcc_lower_file_open(file);
	if (IS_ERR(lower))
		return PTR_ERR(lower);
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

/*
 * What our kiocb learns once the lower one is done: the position, and the
 * times (and, for a write, the size) of the lower inode.  In process
 * context: it takes our i_lock.
 */
static void pcc_lower_done(struct kiocb *iocb, struct kiocb *lower_iocb)
{
	struct inode *inode = file_inode(iocb->ki_filp);

	iocb->ki_pos = lower_iocb->ki_pos;
	if (lower_iocb->ki_flags & IOCB_WRITE)
		pcc_copy_attr(inode);
	else
		pcc_copy_atime(inode);
}

static void pcc_aio_put(struct pcc_aio *aio)
{
	if (refcount_dec_and_test(&aio->ref)) {
		fput(aio->iocb.ki_filp);
		kmem_cache_free(pcc_aio_cachep, aio);
	}
}

/* A write done: end its freeze protection, copy the lower's attributes. */
static void pcc_aio_write_work(struct work_struct *work)
{
	struct pcc_aio *aio = container_of(work, struct pcc_aio, work);
	struct kiocb *iocb = aio->orig;
	long res = aio->res;

	pcc_lower_aio_write_end(&aio->iocb);
	pcc_lower_done(iocb, &aio->iocb);
	pcc_aio_put(aio);
	/* The write began in pcc_write_iter(). */
	pcc_write_end(file_inode(iocb->ki_filp), NULL);
	/* Last: our file may go away once it returns. */
	iocb->ki_complete(iocb, res);
}

/*
 * The lower's ki_complete, maybe in interrupt context.  A read completes
 * ours at once with its position only: its submitter copied the lower's
 * atime (pcc_aio_read()).  A write goes to pcc_aio_wq.
 */
static void pcc_aio_complete(struct kiocb *lower_iocb, long res)
{
	struct pcc_aio *aio = container_of(lower_iocb, struct pcc_aio, iocb);
	struct kiocb *iocb = aio->orig;

	if (lower_iocb->ki_flags & IOCB_WRITE) {
		aio->res = res;
		queue_work(pcc_aio_wq, &aio->work);
		return;
	}
	iocb->ki_pos = lower_iocb->ki_pos;
	pcc_aio_put(aio);
	/* Last: our file, and this module, may go away once it returns. */
	iocb->ki_complete(iocb, res);
}

static struct pcc_aio *pcc_aio_alloc(struct kiocb *iocb, struct file *lower)
{
	struct pcc_aio *aio;

	aio = kmem_cache_alloc(pcc_aio_cachep, GFP_KERNEL);
	if (!aio)
		return NULL;
	pcc_lower_kiocb(&aio->iocb, iocb, get_file(lower));
	aio->iocb.ki_complete = pcc_aio_complete;
	aio->orig = iocb;
	refcount_set(&aio->ref, 2);
	INIT_WORK(&aio->work, pcc_aio_write_work);
	return aio;
}

/*
 * The submitter's end of a request, given what the lower returned.  Once
 * it is -EIOCBQUEUED, our kiocb belongs to the completion, which may have
 * run already: it must not be touched.  Anything else is the result, and
 * the lower will not call the completion.
 */
static ssize_t pcc_aio_submitted(struct pcc_aio *aio, ssize_t ret)
{
	if (ret != -EIOCBQUEUED) {
		pcc_lower_done(aio->orig, &aio->iocb);
		pcc_aio_put(aio);
	}
	pcc_aio_put(aio);
	return ret;
}

static ssize_t pcc_aio_read(struct kiocb *iocb, struct file *lower,
			    struct iov_iter *to)
{
	/* Our file, not our kiocb: that one the completion may have freed. */
	struct inode *inode = file_inode(iocb->ki_filp);
	struct pcc_aio *aio = pcc_aio_alloc(iocb, lower);
	ssize_t ret;

	if (!aio)
		return -ENOMEM;
	ret = pcc_aio_submitted(aio, vfs_iocb_iter_read(lower, &aio->iocb, to));
	/* The lower touched its atime at submission, as overlayfs assumes. */
	if (ret == -EIOCBQUEUED)
		pcc_copy_atime(inode);
	return ret;
}

static ssize_t pcc_aio_write(struct kiocb *iocb, struct file *lower,
			     struct iov_iter *from)
{
	struct pcc_aio *aio = pcc_aio_alloc(iocb, lower);

	if (!aio)
		return -ENOMEM;
	aio->iocb.ki_flags |= IOCB_WRITE;
	return pcc_aio_submitted(aio, pcc_lower_aio_write(&aio->iocb, from));
}

/*
 * What a read of @count bytes at @pos from the copy must give: the copy
 * holds the whole file as it was at its version.
 */
static size_t pcc_copy_expect(struct inode *inode, loff_t pos, size_t count)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	loff_t size = pcci->version.size;

	/*
	 * A read-write copy is the file: it is as long as it is, and a
	 * truncate racing the read makes it shorter.  Nothing to expect.
	 */
	if (pcci->type == PCC_TYPE_READWRITE)
		return 0;

	return pos >= size ? 0 : min_t(loff_t, count, size - pos);
}

/*
 * Errors of a read from a copy that come from the caller (its buffer, a
 * signal, memory), not from the copy: returned as they are, the file stays
 * attached.
 */
static bool pcc_caller_error(ssize_t ret)
{
	switch (ret) {
	case -EFAULT:
	case -EINTR:
	case -ERESTARTSYS:
	case -EAGAIN:
	case -ENOMEM:
	case -EINVAL:
		return true;
	}
	return false;
}

/*
 * Read from the copy of an attached file, between pcc_io_init() and
 * pcc_io_fini().  Returns the bytes read (the copy gave what the file
 * has), or what it could, with *@why set to why the file must be detached
 * and the rest read from the lower: a copy unlinked, short or failing is
 * never trusted further.  Synchronous even for an asynchronous kiocb: the
 * copy is local.
 */
static ssize_t pcc_read_copy(struct kiocb *iocb, struct iov_iter *to,
			     enum pcc_detach_reason *why)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct file *copy = pcc_io_copy(inode);
	size_t expect = pcc_copy_expect(inode, iocb->ki_pos,
					iov_iter_count(to));
	struct kiocb copy_iocb;
	ssize_t ret;

	*why = 0;
	/* A read-write copy is the file's data, named or not. */
	if (!file_inode(copy)->i_nlink && !pcc_rw_attached(inode)) {
		*why = PCC_DETACH_COPY_GONE;
		return 0;
	}
	if (pcc_fail_check(PCC_FAIL_CACHE_READ)) {
		ret = -EIO;
	} else {
		/* The mounter's: the caller has no business with the copy. */
		const struct cred *old = pcc_copy_creds(inode);

		init_sync_kiocb(&copy_iocb, copy);
		copy_iocb.ki_pos = iocb->ki_pos;
		ret = vfs_iocb_iter_read(copy, &copy_iocb, to);
		revert_creds(old);
	}
	/* The caller's buffer or a signal: not the copy's fault. */
	if (pcc_caller_error(ret))
		return ret;
	if (ret < 0) {
		pcc_copy_error(inode, ret);
		*why = PCC_DETACH_ERROR;
		return 0;
	}
	/* Short: the copy's fault only if it is shorter than it must be. */
	if (ret < expect &&
	    i_size_read(file_inode(copy)) < iocb->ki_pos + expect)
		*why = PCC_DETACH_COPY_GONE;
	iocb->ki_pos += ret;
	pcc_hit(inode, ret);
	return ret;
}

/* The read of a file not served from a copy. */
static ssize_t pcc_read_lower(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct kiocb lower_iocb;
	struct file *lower;
	ssize_t ret;

	lower = pcc_lower_file_open(file);
	if (IS_ERR(lower))
		return PTR_ERR(lower);
	if ((iocb->ki_flags & IOCB_DIRECT) && !pcc_file_can_direct(lower))
		return -EINVAL;
	if (!is_sync_kiocb(iocb))
		return pcc_aio_read(iocb, lower, to);

	pcc_lower_kiocb(&lower_iocb, iocb, lower);
	ret = vfs_iocb_iter_read(lower, &lower_iocb, to);
	pcc_lower_done(iocb, &lower_iocb);
	return ret;
}

static ssize_t pcc_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	enum pcc_detach_reason why;
	ssize_t ret, done = 0;
	bool cached;

	if (!iov_iter_count(to))
		return 0;
	if (iocb->ki_flags & IOCB_NOWAIT)
		return -EAGAIN;
	if (pcc_paged(inode))
		return pcc_paged_read_iter(iocb, to);
	pcc_io_init(inode, PIT_READ, &cached);
	if (cached) {
		bool rw = pcc_rw_attached(inode);

		done = pcc_read_copy(iocb, to, &why);
		pcc_io_fini(inode);
		if (!why || done < 0)
			return done;
		/* Only the copy of a read-write file has its data. */
		if (rw)
			return done ? done : -EIO;
		/* The lower serves the rest, and from now on. */
		pcc_inode_detach(inode, why);
		pcc_stat_inc(inode->i_sb, PCC_STAT_FALLBACKS);
		/* An asynchronous read cannot add a lower part: short. */
		if (!iov_iter_count(to) || (done && !is_sync_kiocb(iocb)))
			return done;
	}
	ret = pcc_read_lower(iocb, to);
	if (ret < 0)
		return done ? done : ret;
	return done + ret;
}

/*
 * A write goes to the lower file; a cached file is detached first and a
 * copy still mapped gets the same bytes (pcc_write_begin()).  Asynchronous
 * writes stay so unless there is a copy to update: then the write is made
 * synchronously, so the copy is updated when it returns.
 */
static ssize_t pcc_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	struct kiocb lower_iocb;
	struct file *lower, *mirror;
	ssize_t ret;
	int rw;

	if (!iov_iter_count(from))
		return 0;
	if (iocb->ki_flags & IOCB_NOWAIT)
		return -EAGAIN;
	lower = pcc_lower_file_open(file);
	if (IS_ERR(lower))
		return PTR_ERR(lower);
	if ((iocb->ki_flags & IOCB_DIRECT) && !pcc_file_can_direct(lower))
		return -EINVAL;
	/* -EAGAIN: paged, or not, since looked at (paged.c). */
	for (;;) {
		if (pcc_paged(inode)) {
			ret = pcc_paged_write_iter(iocb, from, lower);
			if (ret != -EAGAIN)
				return ret;
		}
		rw = pcc_rw_change_begin(inode);
		if (rw >= 0)
			break;
	}
	if (rw) {
		ret = pcc_rw_write_iter(iocb, from, lower);
		if (pcc_rw_finish(inode, &ret))
			return ret;
	}
	pcc_write_begin(inode, &mirror);
	/* The lower write positions O_APPEND and strips suid/sgid. */
	if (!is_sync_kiocb(iocb) && !mirror) {
		ret = pcc_aio_write(iocb, lower, from);
		/* Once queued, its completion ends the write. */
		if (ret != -EIOCBQUEUED)
			pcc_write_end(inode, NULL);
		return ret;
	}

	pcc_lower_kiocb(&lower_iocb, iocb, lower);
	lower_iocb.ki_flags |= IOCB_WRITE;
	pcc_iocb_write_start(lower);
	ret = vfs_iocb_iter_write(lower, &lower_iocb, from);
	pcc_iocb_write_end(lower);
	pcc_lower_done(iocb, &lower_iocb);
	if (mirror && ret > 0)
		pcc_mirror_change(inode, file, mirror, lower_iocb.ki_pos - ret, ret);
	pcc_write_end(inode, mirror);
	return ret;
}

/* Splice from the copy of an attached file, between pcc_io_init/fini. */
static ssize_t pcc_splice_read_copy(struct file *in, loff_t *ppos,
				    struct pipe_inode_info *pipe, size_t len,
				    unsigned int flags,
				    enum pcc_detach_reason *why)
{
	struct inode *inode = file_inode(in);
	struct file *copy = pcc_io_copy(inode);
	size_t expect = pcc_copy_expect(inode, *ppos, len);
	ssize_t ret;

	*why = 0;
	/* A read-write copy is the file's data, named or not. */
	if (!file_inode(copy)->i_nlink && !pcc_rw_attached(inode)) {
		*why = PCC_DETACH_COPY_GONE;
		return 0;
	}
	if (pcc_fail_check(PCC_FAIL_CACHE_READ)) {
		ret = -EIO;
	} else {
		const struct cred *old = pcc_copy_creds(inode);

		ret = pcc_lower_splice_read(copy, ppos, pipe, len, flags);
		revert_creds(old);
	}
	if (ret == -EIO ||
	    (ret == 0 && expect && i_size_read(file_inode(copy)) < *ppos + 1)) {
		pcc_stat_inc(inode->i_sb, PCC_STAT_CACHE_ERRORS);
		*why = ret ? PCC_DETACH_ERROR : PCC_DETACH_COPY_GONE;
		return 0;
	}
	if (ret > 0)
		pcc_hit(inode, ret);
	return ret;
}

static ssize_t pcc_splice_read(struct file *in, loff_t *ppos,
			       struct pipe_inode_info *pipe, size_t len,
			       unsigned int flags)
{
	struct inode *inode = file_inode(in);
	enum pcc_detach_reason why;
	struct file *lower;
	ssize_t ret;
	bool cached;

	if (pcc_paged(inode))
		return pcc_filemap_splice_read(in, ppos, pipe, len, flags);
	/* Under the pipe's mutex: pcc_lock is not waited for. */
	pcc_io_init_nowait(inode, PIT_SPLICE, &cached);
	if (cached) {
		bool rw = pcc_rw_attached(inode);

		ret = pcc_splice_read_copy(in, ppos, pipe, len, flags, &why);
		pcc_io_fini(inode);
		if (!why)
			return ret;
		if (rw)
			return -EIO;
		pcc_inode_detach(inode, why);
		pcc_stat_inc(inode->i_sb, PCC_STAT_FALLBACKS);
	}
	lower = pcc_lower_file_open(in);
	if (IS_ERR(lower))
		return PTR_ERR(lower);
	ret = pcc_lower_splice_read(lower, ppos, pipe, len, flags);
	pcc_copy_atime(inode);
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
	struct file *lower = pcc_lower_file_open(out);
	struct inode *inode = file_inode(out);
	struct file *mirror;
	ssize_t ret;
	int rw;

	if (IS_ERR(lower))
		return PTR_ERR(lower);
	if (pcc_paged(inode))
		return pcc_paged_splice_write(pipe, out, ppos, len, flags);
	rw = pcc_rw_change_begin(inode);
	if (rw < 0)
		return pcc_paged_splice_write(pipe, out, ppos, len, flags);
	if (rw) {
		ret = pcc_rw_splice_write(pipe, out, ppos, len, flags, lower);
		if (pcc_rw_finish(inode, &ret))
			return ret;
	}
	if (!lower->f_op->splice_write)
		return -EINVAL;
	pcc_write_begin(inode, &mirror);
	file_start_write(lower);
	ret = lower->f_op->splice_write(pipe, lower, ppos, len, flags);
	file_end_write(lower);
	pcc_copy_attr(inode);
	if (mirror && ret > 0)
		pcc_mirror_change(inode, out, mirror, *ppos - ret, ret);
	pcc_write_end(inode, mirror);
	return ret;
}

/*
 * Our mappings are bound to the lower file, so its writeback write-protects
 * our PTEs and moves their dirty bits as it does its own: msync and fsync
 * need nothing more than the lower's fsync.
 *
 * A read-write file's data are in its copy: fsync makes them durable
 * there (the dirty mark already is), not in the lower, which gets them at
 * the write-back.  A whole fsync, not a datasync: the copy's size is
 * metadata the data need.
 */
static int pcc_fsync(struct file *file, loff_t start, loff_t end,
		     int datasync)
{
	struct inode *inode = file_inode(file);
	struct file *lower = pcc_lower_file_open(file);
	int ret;

	if (IS_ERR(lower))
		return PTR_ERR(lower);
	/*
	 * A paged file's pages first (msync comes here too), and any error
	 * their write-back met since this file last looked.
	 */
	ret = file_write_and_wait_range(file, start, end);
	if (ret)
		return ret;
	if (pcc_rw_begin(inode)) {
		const struct cred *old = pcc_copy_creds(inode);

		ret = vfs_fsync_range(pcc_io_copy(inode), start, end, 0);
		revert_creds(old);
		pcc_rw_end(inode);
		return ret;
	}
	return vfs_fsync_range(lower, start, end, datasync);
}

/*
 * The lower's truncate_pagecache() unmaps what it removes from our VMAs.
 * @paged: the caller made the file's pages safe (pcc_fallocate()); if not
 * and the file became paged since, PCC_BECAME_PAGED with nothing done.
 */
static long pcc_fallocate_data(struct file *file, int mode, loff_t offset,
			       loff_t len, bool paged)
{
	struct file *lower = pcc_lower_file_open(file);
	struct inode *inode = file_inode(file);
	struct file *mirror;
	long ret;
	int rw;

	if (IS_ERR(lower))
		return PTR_ERR(lower);
	rw = paged ? pcc_rw_begin(inode) : pcc_rw_change_begin(inode);
	if (rw < 0)
		return PCC_BECAME_PAGED;
	if (rw) {
		ssize_t rw_ret = pcc_rw_fallocate(inode, lower, mode, offset,
						  len);

		if (pcc_rw_finish(inode, &rw_ret))
			return rw_ret;
	}
	pcc_write_begin(inode, &mirror);
	ret = vfs_fallocate(lower, mode, offset, len);
	pcc_copy_attr(inode);
	/*
	 * Collapsing or inserting a range moves everything after it; punching
	 * and zeroing change the range; allocating changes no data, at most
	 * the size.
	 */
	if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE))
		len = LLONG_MAX - offset;
	else if (!(mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)))
		len = 0;
	if (mirror && !ret)
		pcc_mirror_change(inode, file, mirror, offset, len);
	pcc_write_end(inode, mirror);
	return ret;
}

/*
 * A paged file's pages are written back first and dropped where the
 * fallocate changed the data; our i_rwsem orders it with writes, which
 * go through the pages.  A store racing it lands before or after it.
 */
static long pcc_fallocate(struct file *file, int mode, loff_t offset,
			  loff_t len)
{
	struct inode *inode = file_inode(file);
	long ret;

	if (!pcc_paged(inode)) {
		ret = pcc_fallocate_data(file, mode, offset, len, false);
		if (ret != PCC_BECAME_PAGED)
			return ret;
	}
	inode_lock(inode);
	ret = pcc_paged_flush(inode);
	if (!ret)
		ret = pcc_fallocate_data(file, mode, offset, len, true);
	if (!ret) {
		/* Data moved from @offset on: whole pages from its page. */
		if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE)) {
			offset = round_down(offset, PAGE_SIZE);
			len = LLONG_MAX;
		} else if (!(mode & (FALLOC_FL_PUNCH_HOLE |
				     FALLOC_FL_ZERO_RANGE))) {
			len = 0;
		}
		pcc_paged_changed(inode, offset, len);
	}
	inode_unlock(inode);
	return ret;
}

static int pcc_fadvise(struct file *file, loff_t offset, loff_t len,
		       int advice)
{
	struct inode *inode = file_inode(file);
	struct file *lower;
	bool cached;
	int ret;

	/* The advice is for the pages reads will use: the copy's. */
	pcc_io_init(inode, PIT_FADVISE, &cached);
	if (cached) {
		const struct cred *old = pcc_copy_creds(inode);

		ret = vfs_fadvise(pcc_io_copy(inode), offset, len, advice);
		revert_creds(old);
		pcc_io_fini(inode);
		return ret;
	}
	lower = pcc_lower_file_open(file);

	if (IS_ERR(lower))
		return PTR_ERR(lower);
	return vfs_fadvise(lower, offset, len, advice);
}

static int pcc_lock(struct file *file, int cmd, struct file_lock *fl)
{
	struct file *lower = pcc_lower_file_open(file);

	if (IS_ERR(lower))
		return PTR_ERR(lower);
	pcc_lock_set_file(fl, lower);
	if (IS_GETLK(cmd))
		return vfs_test_lock(lower, fl);
	return vfs_lock_file(lower, cmd, fl, NULL);
}

static int pcc_flock(struct file *file, int cmd, struct file_lock *fl)
{
	struct file *lower = pcc_lower_file_open(file);

	if (IS_ERR(lower))
		return PTR_ERR(lower);
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
	.unlocked_ioctl	= pcc_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};
