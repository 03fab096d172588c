// SPDX-License-Identifier: GPL-2.0-only
/*
 * paged.c - mappings of read-write files, through a page cache of our own
 * (docs/design/0010-paged-mappings.md).
 *
 * A mapping of a file attached read-write, shared and writable or not, is
 * not bound to a backing file as other mappings are (mmap.c): it maps
 * pages of our own inode, filled from the file that holds the data when
 * the page is read (the copy while attached read-write, the lower file
 * otherwise) and written, when written back, to the file that holds the
 * data then.  So a store is never tied to a backing: a detach or an
 * attach between a fault and its ->page_mkwrite (the seed's 0x1412 case),
 * or while pages are dirty, changes where the page goes at its write-back,
 * nothing else.  The VMA is ours and sits in our i_mmap, its pages are our
 * mapping's: the reverse map is right, and writeback write-protects the
 * PTEs, so each store after a write-back comes through pcc_page_mkwrite().
 *
 * While such a mapping exists, or our inode still has pages, the file is
 * "paged": read, write and splice go through the same page cache (so they
 * see the stores and the stores see them), truncate and fallocate flush it
 * first and drop what they change, stat flushes it, and seek answers from
 * our size (no holes, so nothing to write back first).  The last
 * close writes the pages back and drops them, so a file no one has open is
 * never paged.  While paged, a file is not attached read-only, and no
 * mapping bound to a copy or to the lower exists.
 *
 * Lock order: mmap_lock (faults), a page's lock, pcci->rw_sem (write-back
 * of a page to the copy), the copy's and the lower's locks.  Nothing that
 * holds rw_sem, pcc_lock or an active I/O waits for a page of ours: paged
 * I/O copies to and from user memory holding none of them.
 */
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <linux/writeback.h>

#include "pcc.h"

/* Whether @inode's data go through its own page cache now. */
bool pcc_paged(struct inode *inode)
{
	/* Pairs with the cmpxchg that publishes a new pcc_inode. */
	struct pcc_inode *pcci = smp_load_acquire(&PCC_I(inode)->pcci);

	/* Any page left keeps it so: I/O beside the pages would miss them. */
	return (pcci && READ_ONCE(pcci->paged)) ||
	       READ_ONCE(inode->i_mapping->nrpages);
}

/*
 * pcc_rw_begin() for a change of a read-write file that is not paged: 1
 * with rw_sem held, 0 if the file is not attached read-write, -EAGAIN if
 * it became paged since the caller looked (the caller goes through the
 * pages).  Checked under rw_sem, which the first paged mapping holds for
 * writing as it sets the flag: a change made to the copy here never runs
 * beside pages filled from it.
 */
int pcc_rw_change_begin(struct inode *inode)
{
	if (!pcc_rw_begin(inode))
		return 0;
	if (READ_ONCE(PCC_I(inode)->pcci->paged)) {
		pcc_rw_end(inode);
		return -EAGAIN;
	}
	return 1;
}

/*
 * Keep @lower, a lower file its opener may write through, for writing
 * pages back while the file is detached (and for the read-write
 * write-back's lower file, pcc_rw_dirty()).  The first one is kept until
 * the file is no longer open (pcc_paged_release()).
 */
static void pcc_paged_lower_set(struct pcc_inode *pcci, struct file *lower)
{
	spin_lock(&pcci->map_lock);
	if (!pcci->paged_lower)
		pcci->paged_lower = get_file(lower);
	spin_unlock(&pcci->map_lock);
}

static struct file *pcc_paged_lower_get(struct pcc_inode *pcci)
{
	struct file *lower = NULL;

	spin_lock(&pcci->map_lock);
	if (pcci->paged_lower)
		lower = get_file(pcci->paged_lower);
	spin_unlock(&pcci->map_lock);
	return lower;
}

/*
 * Whether a page of ours is filled from @file's own page cache, as a
 * mapping of @file would be (its ->fault reads that way), rather than by
 * its ->read_iter.  NFS's read_iter takes the file's i_rwsem, which a
 * fill, under our invalidate_lock, must not: a read with a buffer mapped
 * from one of our files holds it while it faults (a lock cycle).  So for
 * the copy (a local filesystem, whose page cache is the file) and an NFS
 * lower, whose read_iter is that page cache after a revalidation the open
 * made; not for lowers whose read_iter decides whether their page cache
 * may be trusted (FUSE direct_io, CephFS without caps, SMB without a
 * lease) nor for a pcc lower (its pages are its own business).
 */
static bool pcc_paged_read_cached(struct file *file, bool copy)
{
	struct address_space *mapping = file->f_mapping;

	if (!mapping->a_ops->read_folio || IS_DAX(mapping->host) ||
	    mapping->a_ops == &pcc_paged_aops)
		return false;
	return copy || file_inode(file)->i_sb->s_magic == NFS_SUPER_MAGIC;
}

/*
 * Read or write @len bytes at @pos of @file from or to @buf, a page of
 * ours; @copy: @file is the copy.  Never at the end (an O_APPEND lower
 * file) nor direct (an O_DIRECT one cannot take a kernel buffer on 6.1).
 * The bytes done, or a negative errno.
 */
static ssize_t pcc_paged_io(struct file *file, void *buf, size_t len,
			    loff_t pos, bool write, bool copy)
{
	size_t done = 0;
	ssize_t ret = 0;

	while (done < len) {
		struct kvec kv = {
			.iov_base = buf + done,
			.iov_len = len - done,
		};
		struct iov_iter iter;
		struct kiocb kiocb;

		init_sync_kiocb(&kiocb, file);
		kiocb.ki_flags &= ~(IOCB_APPEND | IOCB_DIRECT);
		kiocb.ki_pos = pos + done;
		iov_iter_kvec(&iter, write ? ITER_SOURCE : ITER_DEST, &kv, 1,
			      len - done);
		if (write) {
			pcc_iocb_write_start(file);
			ret = vfs_iocb_iter_write(file, &kiocb, &iter);
			pcc_iocb_write_end(file);
		} else if (pcc_paged_read_cached(file, copy)) {
			ret = filemap_read(&kiocb, &iter, 0);
		} else {
			ret = vfs_iocb_iter_read(file, &kiocb, &iter);
		}
		if (ret <= 0)
			break;
		done += ret;
	}
	if (ret < 0)
		return ret;
	/* A write that stops short is an error; a read, the end. */
	if (write && done < len)
		return -EIO;
	return done;
}

/*
 * Fill @folio, locked, from the file's data: the copy of a file attached
 * read-write (counted as an active I/O, which a detach waits for before it
 * closes the copy), the lower file of @file otherwise.  Beyond the end it
 * reads zeros.
 */
static int pcc_paged_fill(struct file *file, struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	size_t len = folio_size(folio);
	struct file *src, *own = NULL;
	const struct cred *old;
	ssize_t n;
	void *buf;
	bool cached;

	pcc_io_init_nowait(inode, PIT_FAULT, &cached);
	if (cached) {
		src = pcc_io_copy(inode);
	} else {
		if (!file)
			return -EIO;
		src = pcc_lower_file_open(file);
		if (IS_ERR(src))
			return PTR_ERR(src);
		/* A write-only opener's: a read-only one, as the opener. */
		if (!(src->f_mode & FMODE_READ)) {
			src = dentry_open(&src->f_path, O_RDONLY | O_LARGEFILE,
					  file->f_cred);
			if (IS_ERR(src))
				return PTR_ERR(src);
			own = src;
		}
	}
	buf = kmap_local_folio(folio, 0);
	if (cached) {
		old = pcc_copy_creds(inode);
		n = pcc_paged_io(src, buf, len, folio_pos(folio), false, true);
		revert_creds(old);
		pcc_io_fini(inode);
		if (n >= 0)
			pcc_hit(inode, n);
	} else {
		n = pcc_paged_io(src, buf, len, folio_pos(folio), false,
				 false);
	}
	if (n >= 0)
		memset(buf + n, 0, len - n);
	kunmap_local(buf);
	if (own)
		fput(own);
	if (n < 0) {
		if (cached)
			pcc_copy_error(inode, n);
		return n;
	}
	flush_dcache_folio(folio);
	return 0;
}

static int pcc_paged_read_folio(struct file *file, struct folio *folio)
{
	int ret = pcc_paged_fill(file, folio);

	if (!ret)
		folio_mark_uptodate(folio);
	folio_unlock(folio);
	return ret;
}

/* Whether a write the copy refused is made on the lower instead. */
static bool pcc_paged_fallback_error(int ret)
{
	return pcc_rw_no_space(ret) || ret == -EIO;
}

/*
 * Write [@pos, @pos + @len) of @folio, locked and under writeback, to the
 * file that holds the data now: the copy of a file attached read-write
 * (marked dirty first, as any change of it), the lower file otherwise.  A
 * page the copy refuses (no room, an I/O error; PCC_FAIL_CACHE_WRITE
 * injects one) is the seed's fallback: the copy is written back, the file
 * detached, and the page written to the lower.
 */
static int pcc_paged_write(struct inode *inode, struct folio *folio,
			   loff_t pos, size_t len)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	struct file *lower = pcc_paged_lower_get(pcci);
	struct file *mirror;
	const struct cred *old;
	ssize_t n;
	void *buf;
	int ret;

	/* Kept by whoever dirtied a page: a writable mapping or a write. */
	if (WARN_ON_ONCE(!lower))
		return -EIO;
	buf = kmap_local_folio(folio, 0);
	if (pcc_rw_begin(inode)) {
		ret = pcc_rw_dirty(inode, &lower->f_path, lower->f_cred, pos,
				   len);
		if (!ret)
			ret = pcc_fail_error(PCC_FAIL_CACHE_WRITE, -EIO);
		if (!ret) {
			old = pcc_copy_creds(inode);
			n = pcc_paged_io(pcc_io_copy(inode), buf, len, pos,
					 true, true);
			revert_creds(old);
			ret = n < 0 ? n : 0;
		}
		pcc_rw_end(inode);
		if (!ret || !pcc_paged_fallback_error(ret))
			goto out;
		pcc_copy_error(inode, ret);
		ret = pcc_rw_fallback(inode);
		if (ret)
			goto out;
	}
	/* A local change, as a write: no copy made meanwhile attaches. */
	pcc_write_begin(inode, &mirror);
	n = pcc_paged_io(lower, buf, len, pos, true, false);
	pcc_write_end(inode, mirror);
	ret = n < 0 ? n : 0;
out:
	kunmap_local(buf);
	fput(lower);
	return ret;
}

static int pcc_paged_write_folio(struct folio *folio,
				 struct writeback_control *wbc, void *data)
{
	struct inode *inode = folio->mapping->host;
	loff_t size = i_size_read(inode);
	loff_t pos = folio_pos(folio);
	int ret = 0;

	/* Wholly past the end: truncated since it was dirtied. */
	if (pos < size) {
		/*
		 * What a store left past the end is not the file's: zeros,
		 * should the file grow over it later.
		 */
		if (size - pos < folio_size(folio))
			folio_zero_segment(folio, size - pos, folio_size(folio));
		folio_start_writeback(folio);
		ret = pcc_paged_write(inode, folio, pos,
				      min_t(loff_t, folio_size(folio),
					    size - pos));
		if (ret) {
			mapping_set_error(folio->mapping, ret);
			pr_warn_ratelimited("cannot write a page back: %d\n",
					    ret);
		}
		folio_end_writeback(folio);
	}
	folio_unlock(folio);
	return ret;
}

#if PCC_WRITEPAGE_T_FOLIO
#define pcc_paged_writepage_cb pcc_paged_write_folio
#else
static int pcc_paged_writepage_cb(struct page *page,
				  struct writeback_control *wbc, void *data)
{
	return pcc_paged_write_folio(page_folio(page), wbc, data);
}
#endif

/*
 * No ->writepage: reclaim does not write our pages (kswapd would take
 * rw_sem in reclaim); the flusher, sync and our own flushes do.
 */
static int pcc_paged_writepages(struct address_space *mapping,
				struct writeback_control *wbc)
{
	return write_cache_pages(mapping, wbc, pcc_paged_writepage_cb, NULL);
}

/* write(2) into the page cache: the page is read first unless replaced. */
static int pcc_paged_write_begin(struct file *file,
				 struct address_space *mapping, loff_t pos,
				 unsigned int len, pcc_write_begin_t **pagep,
				 void **fsdata)
{
	struct inode *inode = mapping->host;
	size_t off = offset_in_page(pos);
	struct folio *folio;
	struct page *page;
	int ret;

	page = grab_cache_page_write_begin(mapping, pos >> PAGE_SHIFT);
	if (!page)
		return -ENOMEM;
	folio = page_folio(page);
	if (!folio_test_uptodate(folio) &&
	    !(off == 0 && len == folio_size(folio))) {
		if (folio_pos(folio) >= i_size_read(inode)) {
			folio_zero_range(folio, 0, folio_size(folio));
		} else {
			ret = pcc_paged_fill(file, folio);
			if (ret) {
				folio_unlock(folio);
				folio_put(folio);
				return ret;
			}
		}
		folio_mark_uptodate(folio);
	}
	*pagep = pcc_write_begin_ret(folio);
	return 0;
}

static int pcc_paged_write_end(struct file *file,
			       struct address_space *mapping, loff_t pos,
			       unsigned int len, unsigned int copied,
			       pcc_write_begin_t *page, void *fsdata)
{
	struct folio *folio = pcc_write_end_folio(page);
	struct inode *inode = mapping->host;

	if (!folio_test_uptodate(folio)) {
		/* A whole page was to be written; a short copy retries. */
		if (copied < len) {
			copied = 0;
			goto out;
		}
		folio_mark_uptodate(folio);
	}
	if (copied) {
		/* Our i_rwsem held (generic_file_write_iter()). */
		if (pos + copied > i_size_read(inode))
			i_size_write(inode, pos + copied);
		folio_mark_dirty(folio);
	}
out:
	folio_unlock(folio);
	folio_put(folio);
	return copied;
}

const struct address_space_operations pcc_paged_aops = {
	.read_folio	= pcc_paged_read_folio,
	.writepages	= pcc_paged_writepages,
	.dirty_folio	= filemap_dirty_folio,
	.write_begin	= pcc_paged_write_begin,
	.write_end	= pcc_paged_write_end,
	/* Our pages carry no private data: compaction may move them. */
	.migrate_folio	= filemap_migrate_folio,
};

/* A ->fault of a paged mapping: the seed's pcc_fault(). */
static vm_fault_t pcc_fault(struct vm_fault *vmf)
{
	struct super_block *sb = file_inode(vmf->vma->vm_file)->i_sb;

	/*
	 * With FAULT_FLAG_WRITE: a store's first fault (x86_64's
	 * do_shared_fault(), ->page_mkwrite right after); without, a load,
	 * or a store arm64 reported as one (do_read_fault(), its
	 * ->page_mkwrite later from wp_page_shared()).
	 */
	if (!(vmf->flags & FAULT_FLAG_TRIED))	/* once, not per retry */
		pcc_stat_inc(sb, (vmf->flags & FAULT_FLAG_WRITE) ?
			     PCC_STAT_PAGED_WRITE_FAULTS :
			     PCC_STAT_PAGED_FAULTS);
	/* Reads the page through pcc_paged_read_folio(), as its I/O. */
	return filemap_fault(vmf);
}

struct pcc_detach_work {
	struct work_struct work;
	struct inode *inode;
	struct completion done;
};

static void pcc_detach_work_fn(struct work_struct *work)
{
	struct pcc_detach_work *dw =
		container_of(work, struct pcc_detach_work, work);

	pcc_inode_detach(dw->inode, PCC_DETACH_MANUAL);
	complete(&dw->done);
}

/*
 * PCC_FAIL_DETACH_MKWRITE: the seed's 0x1412, a detach between the fault
 * and ->page_mkwrite.  A detach cannot run under mmap_lock (it writes the
 * copy back, which takes locks held around faults on user memory), so a
 * worker makes it while this fault waits: the detach needs neither
 * mmap_lock nor a page of ours.
 */
static void pcc_detach_for_test(struct inode *inode)
{
	struct pcc_detach_work dw = { .inode = inode };

	INIT_WORK_ONSTACK(&dw.work, pcc_detach_work_fn);
	init_completion(&dw.done);
	queue_work(system_unbound_wq, &dw.work);
	wait_for_completion(&dw.done);
	destroy_work_on_stack(&dw.work);
}

/*
 * A store to a page of a paged mapping mapped read-only (a new page, or
 * one written back since): the seed's pcc_page_mkwrite().  The page is
 * ours whatever the file is attached to; it is marked dirty and goes to
 * the file that holds the data at its write-back.
 */
static vm_fault_t pcc_page_mkwrite(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);

	pcc_stat_inc(inode->i_sb, PCC_STAT_PAGED_MKWRITES);
	/* Lustre's 7a and 7b: a detach before, or during, this call. */
	pcc_fail_pause(PCC_FAIL_MKWRITE_PAUSE);
	if (pcc_fail_check(PCC_FAIL_DETACH_MKWRITE))
		pcc_detach_for_test(inode);
	return filemap_page_mkwrite(vmf);
}

static struct pcc_inode *pcc_vma_pcci(struct vm_area_struct *vma)
{
	return PCC_I(file_inode(vma->vm_file))->pcci;
}

/* A split, mremap or fork made @vma from a paged mapping. */
static void pcc_paged_vm_open(struct vm_area_struct *vma)
{
	struct pcc_inode *pcci = pcc_vma_pcci(vma);

	spin_lock(&pcci->map_lock);
	pcci->pagedcnt++;
	spin_unlock(&pcci->map_lock);
}

static void pcc_paged_vm_close(struct vm_area_struct *vma)
{
	struct pcc_inode *pcci = pcc_vma_pcci(vma);

	spin_lock(&pcci->map_lock);
	pcci->pagedcnt--;
	spin_unlock(&pcci->map_lock);
}

static const struct vm_operations_struct pcc_paged_vm_ops = {
	.open		= pcc_paged_vm_open,
	.close		= pcc_paged_vm_close,
	.fault		= pcc_fault,
	.map_pages	= filemap_map_pages,
	.page_mkwrite	= pcc_page_mkwrite,
};

/*
 * mmap of a file attached read-write, or already paged: make @vma a paged
 * mapping.  1 if it did, 0 if the file is neither (the caller binds the
 * mapping as any other), -EBUSY if mappings bound to a copy or to the
 * lower exist (made before the attach raced this).  Under mmap_lock.
 */
int pcc_paged_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct inode *inode = file_inode(file);
	struct file *lower = NULL;
	struct pcc_inode *pcci;
	bool flip = false;
	int ret = 1;

	if (!pcc_rw_attached(inode) && !pcc_paged(inode))
		return 0;
	pcci = pcc_inode_get(inode);
	if (!pcci)
		return -ENOMEM;
	/* Stores are written back through the mapper's lower file. */
	if ((vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) ==
	    (VM_SHARED | VM_MAYWRITE)) {
		lower = pcc_lower_file_open(file);
		if (IS_ERR(lower))
			return PTR_ERR(lower);
	}
	/*
	 * The first paged mapping makes the file paged, with no change of
	 * the copy in flight (they hold rw_sem for reading).  One cannot be
	 * waited for under mmap_lock (it may fault on this very mm): a short
	 * while is tried (a stat holds rw_sem for a GETATTR), then this mmap
	 * fails -EAGAIN, as for a file locked.
	 */
	if (!READ_ONCE(pcci->paged)) {
		int tries = 20;

		while (!down_write_trylock(&pcci->rw_sem)) {
			if (!--tries)
				return -EAGAIN;
			usleep_range(500, 1000);
		}
		flip = true;
	}
	spin_lock(&pcci->map_lock);
	if (pcci->type != PCC_TYPE_READWRITE && !pcci->paged &&
	    !READ_ONCE(inode->i_mapping->nrpages)) {
		ret = 0;
	} else if (pcci->mapcnt || pcci->wmapcnt) {
		ret = -EBUSY;
	} else {
		pcci->pagedcnt++;
		WRITE_ONCE(pcci->paged, true);
		if (lower && !pcci->paged_lower)
			pcci->paged_lower = get_file(lower);
	}
	spin_unlock(&pcci->map_lock);
	if (flip)
		up_write(&pcci->rw_sem);
	if (ret <= 0)
		return ret;
	file_accessed(file);
	vma->vm_ops = &pcc_paged_vm_ops;
	return 1;
}

ssize_t pcc_paged_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	/* Through the pages: direct I/O of a paged file would miss them. */
	iocb->ki_flags &= ~IOCB_DIRECT;
	return filemap_read(iocb, to, 0);
}

/* A write of a paged file, by @file whose lower file is @lower. */
ssize_t pcc_paged_write_iter(struct kiocb *iocb, struct iov_iter *from,
			     struct file *lower)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct pcc_inode *pcci = pcc_inode_get(inode);
	ssize_t ret;

	if (!pcci)
		return -ENOMEM;
	iocb->ki_flags &= ~IOCB_DIRECT;
	/* As generic_file_write_iter(), checking again under i_rwsem. */
	inode_lock(inode);
	/* The last close made it not paged since: not through the pages. */
	if (!pcc_paged(inode)) {
		inode_unlock(inode);
		return -EAGAIN;
	}
	pcc_paged_lower_set(pcci, lower);
	ret = generic_write_checks(iocb, from);
	if (ret > 0)
		ret = __generic_file_write_iter(iocb, from);
	inode_unlock(inode);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	return ret;
}

ssize_t pcc_paged_splice_write(struct pipe_inode_info *pipe,
			       struct file *out, loff_t *ppos, size_t len,
			       unsigned int flags)
{
	/* Into the pages through our write_iter: no lower lock taken. */
	return iter_file_splice_write(pipe, out, ppos, len, flags);
}

/*
 * Before a change of a paged file's data that does not go through its
 * pages (truncate, fallocate), a look at its size and times (stat), or
 * the last close: the file that holds the data gets what the pages hold.
 */
int pcc_paged_flush(struct inode *inode)
{
	if (!pcc_paged(inode))
		return 0;
	return filemap_write_and_wait(inode->i_mapping);
}

/*
 * For stat: the pages written back, and an error they meet left for
 * fsync and close to report (stat itself does not fail on it).
 */
void pcc_paged_flush_keep_errors(struct inode *inode)
{
	if (!pcc_paged(inode))
		return;
	filemap_fdatawrite(inode->i_mapping);
	filemap_fdatawait_keep_errors(inode->i_mapping);
}

/*
 * After a change of [@pos, @pos + @len) of a paged file made to the file
 * that holds its data (@len LLONG_MAX: to the end; 0: the size only): the
 * size is that file's, and our pages there are dropped (unmapped first).
 * Our i_rwsem held, so no write() runs meanwhile.
 */
void pcc_paged_changed(struct inode *inode, loff_t pos, loff_t len)
{
	loff_t size;

	if (!pcc_paged(inode))
		return;
	rcu_read_lock();
	size = i_size_read(pcc_rw_data_inode(inode));
	rcu_read_unlock();
	/* The size first: truncate_pagecache() drops what lies past it. */
	i_size_write(inode, size);
	if (len == LLONG_MAX || pos + len < pos)
		truncate_pagecache(inode, pos);
	else if (len)
		truncate_pagecache_range(inode, pos, pos + len - 1);
}

/*
 * The last open file of @inode is gone (no mapping is left either: each
 * holds its file): its pages are written back and dropped, and the lower
 * file kept for them with them.  The file is no longer paged.
 */
int pcc_paged_release(struct inode *inode)
{
	/* Pairs with the cmpxchg that publishes a new pcc_inode. */
	struct pcc_inode *pcci = smp_load_acquire(&PCC_I(inode)->pcci);
	struct file *lower = NULL;
	int ret = 0;

	if (!pcc_paged(inode) && !(pcci && READ_ONCE(pcci->paged_lower)))
		return 0;
	/* Orders the end of paging with writes, which check it under it. */
	inode_lock(inode);
	if (READ_ONCE(inode->i_mapping->nrpages)) {
		ret = filemap_write_and_wait(inode->i_mapping);
		/*
		 * Not truncate_inode_pages(): a new open may have mapped a
		 * page meanwhile.  This unmaps and drops clean pages, and
		 * keeps one a store dirtied since (the file stays paged).
		 */
		invalidate_inode_pages2(inode->i_mapping);
	}
	/*
	 * Paged no more once no mapping and no page is left (a new open
	 * may have made either meanwhile): its lower file goes with it.
	 */
	if (pcci) {
		spin_lock(&pcci->map_lock);
		if (!pcci->pagedcnt && !READ_ONCE(inode->i_mapping->nrpages)) {
			WRITE_ONCE(pcci->paged, false);
			lower = pcci->paged_lower;
			pcci->paged_lower = NULL;
		}
		spin_unlock(&pcci->map_lock);
	}
	inode_unlock(inode);
	if (lower)
		fput(lower);
	return ret;
}
