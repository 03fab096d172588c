// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmap.c - mappings of pcc files and their faults.
 *
 * A mapping of ours is bound to the lower file at mmap time, as overlayfs
 * binds its real file: vma->vm_file is the lower file from then on, so the
 * VMA sits in the lower's i_mmap (the lower's truncate, hole punch and
 * invalidation - NFS seeing a change from another client - unmap our PTEs,
 * and its writeback write-protects them, as they do the lower's own
 * mappings), and whatever the kernel does with the mapping's file (msync,
 * MADV_REMOVE, khugepaged, shmem_file()) it does with the lower's own.
 * /proc/PID/maps shows the lower's path.  The vm_ops stay ours: each fault
 * is routed to a backing file - pcc_vma_backing() decides which; for now
 * always the lower file - and handed to that file's vm_ops on a private
 * copy of the VMA and of the vm_fault whose vm_file is the backing file.
 * Other threads faulting the same VMA never see a changed vma->vm_file,
 * and nothing needs restoring if the backing handler drops mmap_lock.
 *
 * vm_private_data is the lower's vm_ops: no per-VMA state, so there is
 * nothing to leak when the kernel merges a new mapping of ours into a
 * neighbouring mapping of the lower file (it may, when the lower's ->mmap
 * changed the flags), nor anything to share on a split, mremap or fork.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_stack.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "pcc.h"

/* Where one fault goes: a referenced file and the vm_ops to call. */
struct pcc_backing {
	struct file *file;
	const struct vm_operations_struct *vm_ops;
};

/*
 * The routing decision for a fault on @vma.  Takes a reference on the file,
 * so the backing stays valid even if the handler drops mmap_lock and the
 * VMA goes away; pcc_backing_put() drops it.
 */
static void pcc_vma_backing(struct vm_area_struct *vma, struct pcc_backing *b)
{
	b->file = get_file(vma->vm_file);
	b->vm_ops = vma->vm_private_data;
}

static void pcc_backing_put(struct pcc_backing *b)
{
	fput(b->file);
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
	struct vm_area_struct bvma = *vmf->vma;
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

	bvma.vm_file = b->file;
	bvma.vm_ops = b->vm_ops;
	bvma.vm_private_data = NULL;

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

static vm_fault_t pcc_vm_fault(struct vm_fault *vmf)
{
	struct pcc_backing b;
	vm_fault_t ret;

	if (pcc_fault_retry_locked(vmf))
		return VM_FAULT_RETRY;
	pcc_vma_backing(vmf->vma, &b);
	ret = pcc_backing_call(vmf, &b, false);
	pcc_backing_put(&b);
	return ret;
}

static vm_fault_t pcc_vm_page_mkwrite(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct address_space *mapping;
	struct pcc_backing b;
	vm_fault_t ret;

	if (pcc_fault_retry_locked(vmf))
		return VM_FAULT_RETRY;
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
		ret = VM_FAULT_NOPAGE;
	} else {
		ret = pcc_backing_call(vmf, &b, true);
	}
	pcc_backing_put(&b);
	return ret;
}

static const struct vm_operations_struct pcc_vm_ops = {
	.fault		= pcc_vm_fault,
	.page_mkwrite	= pcc_vm_page_mkwrite,
};

/*
 * Let @lower's ->mmap set up a private copy of @vma, to learn the vm_ops
 * and flags it wants.  Backings we cannot forward faults to are refused:
 * no ->fault, raw PFN mappings, state of their own in vm_private_data or
 * vm_ops that would need their ->open/->close called on our VMAs.
 */
static int pcc_lower_mmap(struct file *lower, struct vm_area_struct *vma,
			  const struct vm_operations_struct **vm_ops,
			  unsigned long *flags)
{
	struct vm_area_struct lvma = *vma;
	const struct vm_operations_struct *ops;
	int ret;

	lvma.vm_file = lower;
	lvma.vm_ops = NULL;
	lvma.vm_private_data = NULL;
	ret = lower->f_op->mmap(lower, &lvma);
	if (ret)
		return ret;
	ops = lvma.vm_ops;
	if (!ops || !ops->fault || ops->huge_fault || ops->open ||
	    ops->close || lvma.vm_private_data ||
	    (lvma.vm_flags & (VM_PFNMAP | VM_MIXEDMAP)))
		return -ENODEV;
	*vm_ops = ops;
	*flags = lvma.vm_flags;
	return 0;
}

int pcc_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct file *lower = pcc_lower_file_open(file);
	const struct vm_operations_struct *lower_vm_ops;
	unsigned long flags;
	int ret;

	if (IS_ERR(lower))
		return PTR_ERR(lower);
	if (!lower->f_op->mmap)
		return -ENODEV;
	ret = pcc_lower_mmap(lower, vma, &lower_vm_ops, &flags);
	if (ret)
		return ret;

	/* Keep what the lower asked for (VM_MTE_ALLOWED on arm64 tmpfs...). */
	if (flags & ~vma->vm_flags)
		pcc_vm_flags_set(vma, flags & ~vma->vm_flags);
	if (vma->vm_flags & ~flags)
		pcc_vm_flags_clear(vma, vma->vm_flags & ~flags);
	vma_set_file(vma, lower);
	vma->vm_ops = &pcc_vm_ops;
	vma->vm_private_data = (void *)lower_vm_ops;
	fsstack_copy_attr_atime(file_inode(file), file_inode(lower));
	return 0;
}
