// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmap.c - mappings of pcc files and their faults.
 *
 * A mapping of ours is bound, once, to a backing file: the copy of an
 * attached file for a mapping that cannot write it, the lower file
 * otherwise (docs/design/0005-copy-mappings.md).  Mappings of files
 * attached read-write are the exception: they map pages of our own inode
 * (paged.c, docs/design/0010-paged-mappings.md).  It is bound to the file
 * the backing's ->mmap binds it to, as overlayfs binds its real file:
 * vma->vm_file is the lower file (or the copy) from then on
 * (or, when the lower is itself stacked, the file it bound the mapping to),
 * so the VMA sits in the lower's i_mmap (the lower's truncate, hole punch
 * and invalidation - NFS seeing a change from another client - unmap our
 * PTEs, and its writeback write-protects them, as they do the lower's own
 * mappings), and whatever the kernel does with the mapping's file (msync,
 * MADV_REMOVE, khugepaged, shmem_file()) it does with the lower's own.
 * /proc/PID/maps shows the lower's path.
 *
 * The vm_ops stay ours.  Each fault is routed to the backing the mapping
 * was bound to (pcc_vma_backing()) and
 * handed to the backing's vm_ops on a private copy of the VMA and of the
 * vm_fault, whose vm_ops and vm_private_data are the backing's.  Other
 * threads faulting the same VMA never see a changed VMA, and nothing needs
 * restoring if the backing handler drops mmap_lock.
 *
 * Every mapping has a struct pcc_vma (vm_private_data): it holds our own
 * file, hence our mount and pcc.ko, for as long as any VMA made from the
 * mapping exists, and what the lower's ->mmap left for its faults.  The
 * VMAs a split, mremap or fork makes of a mapping share it: ->open takes a
 * reference, ->close drops one.  The kernel never merges away a VMA whose
 * vm_ops have ->close (docs/design/0004-mapping-lifetime.md), so each
 * reference is dropped exactly once.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pcc.h"

/* What a mapping is bound to (docs/design/0005-copy-mappings.md). */
enum pcc_vma_bound {
	PCC_VMA_LOWER,			/* the lower's pages */
	PCC_VMA_LOWER_WRITE,		/* the lower's, shared and may write */
	PCC_VMA_COPY,			/* an attached file's copy's pages */
};

/* What a mapping of ours holds; shared by the VMAs made from it. */
struct pcc_vma {
	refcount_t ref;
	enum pcc_vma_bound bound;
	struct file *file;		/* ours: pins our mount and pcc.ko */
	/* What the lower's ->mmap set up, for its faults, ->open and ->close. */
	const struct vm_operations_struct *vm_ops;
	void *vm_private_data;
};

static void pcc_vma_put(struct pcc_vma *pv)
{
	if (refcount_dec_and_test(&pv->ref)) {
		if (pv->bound == PCC_VMA_COPY)
			pcc_mmap_copy_put(file_inode(pv->file));
		else if (pv->bound == PCC_VMA_LOWER_WRITE)
			pcc_mmap_write_put(file_inode(pv->file));
		/* Deferred to task work: our code outlives this call. */
		fput(pv->file);
		kfree(pv);
	}
}

/* Where one fault goes: the file and the vm_ops and data to call with. */
struct pcc_backing {
	struct file *file;
	const struct vm_operations_struct *vm_ops;
	void *vm_private_data;
};

/*
 * The routing decision for a fault on @vma.  Its file is the VMA's own and
 * needs no reference of ours: a handler that drops mmap_lock pins the file
 * it was given first (filemap_fault() does), as it must for any VMA.
 */
static void pcc_vma_backing(struct vm_area_struct *vma, struct pcc_backing *b)
{
	struct pcc_vma *pv = vma->vm_private_data;

	b->file = vma->vm_file;
	b->vm_ops = pv->vm_ops;
	b->vm_private_data = pv->vm_private_data;
}

/* A private copy of @vma as the backing @b would see its own VMA. */
static void pcc_backing_vma(struct vm_area_struct *bvma,
			    const struct vm_area_struct *vma,
			    const struct pcc_backing *b)
{
	/* Not an assignment: from 6.3 vm_flags is const outside mm/. */
	memcpy(bvma, vma, sizeof(*bvma));
	bvma->vm_file = b->file;
	bvma->vm_ops = b->vm_ops;
	bvma->vm_private_data = b->vm_private_data;
}

/*
 * Call the backing's ->fault (or ->page_mkwrite) on private copies of the
 * VMA and the vm_fault, then hand back what the core reads afterwards.
 * Nothing here may touch @vmf->vma after the call: if the handler returned
 * VM_FAULT_RETRY or VM_FAULT_COMPLETED, mmap_lock is gone.
 */
static vm_fault_t pcc_backing_call(struct vm_fault *vmf,
				   const struct pcc_backing *b, bool mkwrite)
{
	struct vm_area_struct bvma;
	struct vm_fault bvmf = {
		.vma		= &bvma,
		.gfp_mask	= vmf->gfp_mask,
		.pgoff		= vmf->pgoff,
		.address	= vmf->address,
		.real_address	= vmf->real_address,
		.flags		= vmf->flags,
		.pmd		= vmf->pmd,
		.pud		= vmf->pud,
		.orig_pte	= vmf->orig_pte,
		.cow_page	= vmf->cow_page,
		.page		= vmf->page,
		.prealloc_pte	= vmf->prealloc_pte,
	};
	vm_fault_t ret;

	pcc_backing_vma(&bvma, vmf->vma, b);
	if (!mkwrite)
		ret = b->vm_ops->fault(&bvmf);
	else if (b->vm_ops->page_mkwrite)
		ret = b->vm_ops->page_mkwrite(&bvmf);
	else
		ret = filemap_page_mkwrite(&bvmf);

	vmf->page = bvmf.page;
	vmf->prealloc_pte = bvmf.prealloc_pte;
	return ret;
}

/*
 * A fault on a mapping of a copy that the copy could not serve (an I/O
 * error, a copy truncated by hand, PCC_FAIL_FAULT): the page must come
 * from the lower, yet a mapping of the copy may only map the copy's pages.
 * So the copy is given the lower's data up to that page and the fault is
 * retried; the copy loses its xattr (it now mixes versions) and the file
 * is detached.  Only for a fault from user space, which holds no lock but
 * mmap_lock, dropped first: a fault inside a system call (a read into, or
 * a write from, such a mapping) may hold the lower's or a cache file's
 * i_rwsem, or an active I/O of this very file, which mending needs.  There
 * it gets SIGBUS (the system call EFAULT), as a damaged local file gives.
 */
static vm_fault_t pcc_fault_mend(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct pcc_vma *pv = vma->vm_private_data;
	struct inode *inode = file_inode(pv->file);
	loff_t pos = (loff_t)vmf->pgoff << PAGE_SHIFT;
	struct file *file, *copy;
	loff_t from;
	int ret;

	pcc_stat_inc(inode->i_sb, PCC_STAT_CACHE_ERRORS);
	/* A read-write file has no other copy of its data to mend from. */
	if (pcc_rw_attached(inode))
		return VM_FAULT_SIGBUS;
	pcc_detach_nowait(inode, PCC_DETACH_ERROR);
	if (!(vmf->flags & FAULT_FLAG_USER) ||
	    !(vmf->flags & FAULT_FLAG_ALLOW_RETRY) ||
	    (vmf->flags & (FAULT_FLAG_RETRY_NOWAIT | FAULT_FLAG_TRIED)))
		return VM_FAULT_SIGBUS;
	file = get_file(pv->file);
	copy = get_file(vma->vm_file);
	mmap_read_unlock(vma->vm_mm);
	pcc_stat_inc(inode->i_sb, PCC_STAT_FALLBACKS);
	/* From the copy's end if it is short: never leave a hole behind. */
	from = min_t(loff_t, pos,
		     round_down(i_size_read(file_inode(copy)), PAGE_SIZE));
	ret = pcc_copy_poison(inode, copy);
	if (!ret)
		ret = pcc_copy_range(file, copy, from, pos + PAGE_SIZE - from);
	if (ret)
		pr_warn_ratelimited("cannot mend a mapped cache copy: %d\n",
				    ret);
	fput(copy);
	fput(file);
	return VM_FAULT_RETRY;
}

static vm_fault_t pcc_vm_fault(struct vm_fault *vmf)
{
	struct pcc_vma *pv = vmf->vma->vm_private_data;
	struct pcc_backing b;
	vm_fault_t ret;

	if (pcc_fault_retry_locked(vmf))
		return VM_FAULT_RETRY;
	pcc_vma_backing(vmf->vma, &b);
	if (pv->bound != PCC_VMA_COPY)
		return pcc_backing_call(vmf, &b, false);

	if (pcc_fail_check(PCC_FAIL_FAULT))
		return pcc_fault_mend(vmf);
	ret = pcc_backing_call(vmf, &b, false);
	/* Past the copy's end but not the file's: a damaged copy. */
	if ((ret & VM_FAULT_SIGBUS) &&
	    ((loff_t)vmf->pgoff << PAGE_SHIFT) <
	    i_size_read(file_inode(pv->file)))
		return pcc_fault_mend(vmf);
	if (!(ret & VM_FAULT_ERROR))
		pcc_hit(file_inode(pv->file), 0);
	return ret;
}

static vm_fault_t pcc_vm_page_mkwrite(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct pcc_vma *pv = vma->vm_private_data;
	struct address_space *mapping;
	struct pcc_backing b;

	/*
	 * The races of Lustre's tests 7a and 7b: a detach, or a long pause,
	 * between the fault and ->page_mkwrite.  A mapping that may write is
	 * bound to the lower and its file detached, so either is harmless;
	 * the tests check that no store is lost.
	 */
	pcc_fail_pause(PCC_FAIL_MKWRITE_PAUSE);
	if (pcc_fail_check(PCC_FAIL_DETACH_MKWRITE))
		pcc_detach_nowait(file_inode(pv->file), PCC_DETACH_MANUAL);

	/*
	 * From 6.7 this may run under the per-VMA lock alone (wp_page_shared()
	 * of a VMA with ->map_pages).  A ->page_mkwrite cannot drop the lock it
	 * runs under, so the backing's runs on our private copy of the VMA
	 * safely; its vm_lock is a pointer up to 6.14.
	 */
	pcc_vma_backing(vma, &b);
	/*
	 * A page of another backing than the one now chosen is stale: drop
	 * its PTEs (those of every mapping of the lower file at that offset)
	 * and let the access fault again.  A truncated page (no
	 * mapping) is the backing's to refuse.
	 */
	mapping = READ_ONCE(page_folio(vmf->page)->mapping);
	if (mapping && mapping != b.file->f_mapping) {
		unmap_mapping_range(vma->vm_file->f_mapping,
				    (loff_t)vmf->pgoff << PAGE_SHIFT,
				    PAGE_SIZE, 0);
		return VM_FAULT_NOPAGE;
	}
	return pcc_backing_call(vmf, &b, true);
}

/*
 * Fault-around: map the pages around a read fault that are already in the
 * page cache, without a ->fault each.  Only when the backing is the VMA's
 * own file and maps its pages with the generic filemap_map_pages(), which
 * reads the VMA's file, range and flags but neither its vm_ops nor its
 * vm_private_data, and never drops a lock: it can be given our VMA as it
 * is.  Other backings get one ->fault per page.
 */
static vm_fault_t pcc_vm_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
				   pgoff_t end_pgoff)
{
	struct pcc_backing b;

	pcc_vma_backing(vmf->vma, &b);
	if (b.vm_ops->map_pages != filemap_map_pages ||
	    b.file != vmf->vma->vm_file)
		return 0;
	return filemap_map_pages(vmf, start_pgoff, end_pgoff);
}

/* A split, mremap or fork made @vma from a VMA of ours. */
static void pcc_vm_open(struct vm_area_struct *vma)
{
	struct pcc_vma *pv = vma->vm_private_data;
	struct vm_area_struct bvma;
	struct pcc_backing b;

	refcount_inc(&pv->ref);
	pcc_vma_backing(vma, &b);
	if (b.vm_ops->open) {
		pcc_backing_vma(&bvma, vma, &b);
		b.vm_ops->open(&bvma);
	}
}

static void pcc_vm_close(struct vm_area_struct *vma)
{
	struct pcc_vma *pv = vma->vm_private_data;
	struct vm_area_struct bvma;
	struct pcc_backing b;

	pcc_vma_backing(vma, &b);
	if (b.vm_ops->close) {
		pcc_backing_vma(&bvma, vma, &b);
		b.vm_ops->close(&bvma);
	}
	pcc_vma_put(pv);
}

static const struct vm_operations_struct pcc_vm_ops = {
	.open		= pcc_vm_open,
	.close		= pcc_vm_close,
	.fault		= pcc_vm_fault,
	.map_pages	= pcc_vm_map_pages,
	.page_mkwrite	= pcc_vm_page_mkwrite,
};

/*
 * Whether faults of a mapping the lower's ->mmap set up as @lvma can be
 * forwarded: it must have ->fault, and nothing we do not forward (huge
 * page faults, raw PFN mappings and I/O memory, which DAX and device files
 * use, ->may_split and ->pagesize).  Nor VM_HUGETLB: the core takes such
 * a VMA's vm_private_data for hugetlb's own lock, and ours holds a struct
 * pcc_vma (hugetlbfs itself refuses to be stacked on, by s_stack_depth).
 */
static bool pcc_lower_vma_supported(const struct vm_area_struct *lvma)
{
	const struct vm_operations_struct *ops = lvma->vm_ops;

	return ops && ops->fault && !ops->huge_fault && !ops->pfn_mkwrite &&
	       !ops->may_split && !ops->pagesize &&
	       !(lvma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP | VM_IO |
				   VM_HUGETLB));
}

/*
 * Let the lower's ->mmap set up a private copy of @vma, @lvma, to learn the
 * file, vm_ops, data and flags it wants.  The copy holds its own reference
 * on its file, as a VMA does: a lower that rebinds the mapping to a file of
 * its own (overlayfs, a pcc under us) with vma_set_file() drops that one.
 * On success @lvma->vm_file holds a reference the caller takes over.
 */
static int pcc_lower_mmap(struct file *lower, struct vm_area_struct *vma,
			  struct vm_area_struct *lvma)
{
	int ret;

	memcpy(lvma, vma, sizeof(*lvma));
	lvma->vm_file = get_file(lower);
	lvma->vm_ops = NULL;
	lvma->vm_private_data = NULL;
	ret = lower->f_op->mmap(lower, lvma);
	if (ret)
		goto out_fput;
	if (!pcc_lower_vma_supported(lvma)) {
		ret = -ENODEV;
		/* Undo what the lower's ->mmap did, as munmap would. */
		if (lvma->vm_ops && lvma->vm_ops->close)
			lvma->vm_ops->close(lvma);
		goto out_fput;
	}
	return 0;

out_fput:
	/* The file the lower left bound, as mmap_region() drops it. */
	fput(lvma->vm_file);
	return ret;
}

/*
 * Bind a new mapping (docs/design/0005-copy-mappings.md): one that cannot
 * write its file, of an attached file, to the copy, for good; any other to
 * the lower file.  A shared mapping that may write detaches the file for
 * as long as it exists.
 */
int pcc_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct inode *inode = file_inode(file);
	enum pcc_vma_bound bound = PCC_VMA_LOWER;
	struct file *backing = NULL;
	struct vm_area_struct lvma;
	struct pcc_vma *pv;
	int ret;

	/* A read-write file's mappings map pages of our own (paged.c). */
	ret = pcc_paged_mmap(file, vma);
	if (ret)
		return ret < 0 ? ret : 0;
	pv = kmalloc(sizeof(*pv), GFP_KERNEL);
	if (!pv)
		return -ENOMEM;
	if ((vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) ==
	    (VM_SHARED | VM_MAYWRITE)) {
		ret = pcc_mmap_write_get(inode);
		if (ret)
			goto out_free;
		bound = PCC_VMA_LOWER_WRITE;
	} else {
		backing = pcc_mmap_copy_get(inode);
		if (backing)
			bound = PCC_VMA_COPY;
	}
	if (!backing) {
		backing = pcc_lower_file_open(file);
		if (IS_ERR(backing)) {
			ret = PTR_ERR(backing);
			goto out_unbind;
		}
		get_file(backing);
	}
	ret = -ENODEV;
	if (!backing->f_op->mmap)
		goto out_put;
	ret = pcc_lower_mmap(backing, vma, &lvma);
	if (ret)
		goto out_put;
	fput(backing);
	refcount_set(&pv->ref, 1);
	pv->bound = bound;
	pv->file = get_file(file);
	pv->vm_ops = lvma.vm_ops;
	pv->vm_private_data = lvma.vm_private_data;

	/* Keep what the backing asked for (VM_MTE_ALLOWED on arm64 tmpfs...). */
	if (lvma.vm_flags & ~vma->vm_flags)
		pcc_vm_flags_set(vma, lvma.vm_flags & ~vma->vm_flags);
	if (vma->vm_flags & ~lvma.vm_flags)
		pcc_vm_flags_clear(vma, vma->vm_flags & ~lvma.vm_flags);
	/* The VMA's reference moves from our file to the backing's. */
	vma_set_file(vma, lvma.vm_file);
	fput(lvma.vm_file);
	vma->vm_ops = &pcc_vm_ops;
	vma->vm_private_data = pv;
	if (bound != PCC_VMA_COPY)
		pcc_copy_atime(inode);
	return 0;

out_put:
	fput(backing);
out_unbind:
	if (bound == PCC_VMA_COPY)
		pcc_mmap_copy_put(inode);
	else if (bound == PCC_VMA_LOWER_WRITE)
		pcc_mmap_write_put(inode);
out_free:
	kfree(pv);
	return ret;
}
