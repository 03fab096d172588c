/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat.h - every difference between the kernels pcc.ko builds against.
 *
 * configure compile-tests each API (m4/pcc-kernel-probes.m4) and records the
 * answers in pcc_kconfig.h.  This header turns them into one spelling the
 * rest of the module uses; no other file tests HAVE_* or the kernel version.
 * It is force-included into every object by Kbuild.
 */
#ifndef PCC_COMPAT_H
#define PCC_COMPAT_H

#include "pcc_kconfig.h"

#include <linux/fs.h>
#ifdef HAVE_FILE_LOCK_CORE
#include <linux/filelock.h>
#endif
#include <linux/mm.h>
#include <linux/posix_acl.h>
#include <linux/splice.h>

/*
 * The first argument of the inode operations that depend on the mount's
 * id mapping: struct user_namespace * up to 6.2, struct mnt_idmap * from 6.3.
 * pcc_idmap_t names the type, PCC_NOP_IDMAP the identity mapping.
 */
#ifdef HAVE_MNT_IDMAP
#define pcc_idmap_t		struct mnt_idmap
#define PCC_NOP_IDMAP		(&nop_mnt_idmap)
#else
#define pcc_idmap_t		struct user_namespace
#define PCC_NOP_IDMAP		(&init_user_ns)
#endif

/* The id mapping of a mount. */
#ifdef HAVE_MNT_IDMAP
#define pcc_mnt_idmap(mnt)	mnt_idmap(mnt)
#else
#define pcc_mnt_idmap(mnt)	mnt_user_ns(mnt)
#endif

/* struct renamedata names its id mappings after the type (6.3). */
static inline int pcc_vfs_rename(struct inode *old_dir, struct dentry *old,
				 struct inode *new_dir, struct dentry *new,
				 unsigned int flags)
{
	struct renamedata rd = {
#ifdef HAVE_RENAMEDATA_IDMAP
		.old_mnt_idmap	= PCC_NOP_IDMAP,
		.new_mnt_idmap	= PCC_NOP_IDMAP,
#else
		.old_mnt_userns	= PCC_NOP_IDMAP,
		.new_mnt_userns	= PCC_NOP_IDMAP,
#endif
		.old_dir	= old_dir,
		.old_dentry	= old,
		.new_dir	= new_dir,
		.new_dentry	= new,
		.flags		= flags,
	};

	return vfs_rename(&rd);
}

/* vm_flags became read-only behind vm_flags_set/clear in 6.3. */
static inline void pcc_vm_flags_set(struct vm_area_struct *vma,
				    unsigned long flags)
{
#ifdef HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void pcc_vm_flags_clear(struct vm_area_struct *vma,
				      unsigned long flags)
{
#ifdef HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * Freeze protection around vfs_iocb_iter_write() on a lower file: the caller
 * takes it up to 6.6; from 6.7 vfs_iocb_iter_write() takes it itself.
 */
static inline void pcc_iocb_write_start(struct file *lower)
{
#ifndef HAVE_VFS_ITER_WRITE_FREEZE
	file_start_write(lower);
#endif
}

static inline void pcc_iocb_write_end(struct file *lower)
{
#ifndef HAVE_VFS_ITER_WRITE_FREEZE
	file_end_write(lower);
#endif
}

/*
 * An asynchronous write to a lower file keeps the lower's freeze protection
 * from submission until the write completes, maybe in another task or in
 * interrupt context: lockdep is told the submitter let go of it and the
 * completion took it over, as aio does for its own writes.  Up to 6.6 the
 * caller of vfs_iocb_iter_write() takes it; from 6.7 vfs_iocb_iter_write()
 * does (kiocb_start_write()) and ends it itself unless the write was queued.
 *
 * pcc_lower_aio_write() behaves as the 6.7 one on both: it returns with the
 * protection held exactly when it returns -EIOCBQUEUED, and the completion
 * then ends it with pcc_lower_aio_write_end().
 */
static inline void pcc_lower_aio_write_end(struct kiocb *lower_iocb)
{
#ifdef HAVE_VFS_ITER_WRITE_FREEZE
	kiocb_end_write(lower_iocb);
#else
	struct file *lower = lower_iocb->ki_filp;

	__sb_writers_acquired(file_inode(lower)->i_sb, SB_FREEZE_WRITE);
	file_end_write(lower);
#endif
}

static inline ssize_t pcc_lower_aio_write(struct kiocb *lower_iocb,
					  struct iov_iter *from)
{
	struct file *lower = lower_iocb->ki_filp;
#ifdef HAVE_VFS_ITER_WRITE_FREEZE
	return vfs_iocb_iter_write(lower, lower_iocb, from);
#else
	ssize_t ret;

	file_start_write(lower);
	__sb_writers_release(file_inode(lower)->i_sb, SB_FREEZE_WRITE);
	ret = vfs_iocb_iter_write(lower, lower_iocb, from);
	if (ret != -EIOCBQUEUED)
		pcc_lower_aio_write_end(lower_iocb);
	return ret;
#endif
}

/*
 * splice from a lower file: vfs_splice_read() from 6.5 on.  Before, the
 * checks do_splice_to() makes on a file are ours to make on the lower one
 * (the VFS made them on ours only): rw_verify_area(), which calls the
 * lower's security_file_permission() (LSMs, fanotify permission events).
 * Our caller limited len to the pipe's space and MAX_RW_COUNT already.
 */
static inline ssize_t pcc_lower_splice_read(struct file *lower, loff_t *ppos,
					    struct pipe_inode_info *pipe,
					    size_t len, unsigned int flags)
{
#ifdef HAVE_VFS_SPLICE_READ
	return vfs_splice_read(lower, ppos, pipe, len, flags);
#else
	int ret;

	if (unlikely(!(lower->f_mode & FMODE_READ)))
		return -EBADF;
	ret = rw_verify_area(READ, lower, ppos, len);
	if (unlikely(ret < 0))
		return ret;
	if (!lower->f_op->splice_read)
		return -EINVAL;
	return lower->f_op->splice_read(lower, ppos, pipe, len, flags);
#endif
}

/* The callback of write_cache_pages() takes a folio from 6.3. */
#ifdef HAVE_WRITEPAGE_T_FOLIO
#define PCC_WRITEPAGE_T_FOLIO	1
#else
#define PCC_WRITEPAGE_T_FOLIO	0
#endif

/*
 * ->write_begin hands back, and ->write_end takes, a folio from 6.12, a
 * page before.  pcc_write_begin_t names that type.
 */
#ifdef HAVE_WRITE_BEGIN_FOLIO
#define pcc_write_begin_t		struct folio
#define pcc_write_begin_ret(folio)	(folio)
#define pcc_write_end_folio(p)		(p)
#else
#define pcc_write_begin_t		struct page
#define pcc_write_begin_ret(folio)	(&(folio)->page)
#define pcc_write_end_folio(p)		page_folio(p)
#endif

/* splice from a file's own page cache: filemap_splice_read() from 6.5. */
static inline ssize_t pcc_filemap_splice_read(struct file *in, loff_t *ppos,
					      struct pipe_inode_info *pipe,
					      size_t len, unsigned int flags)
{
#ifdef HAVE_VFS_SPLICE_READ
	return filemap_splice_read(in, ppos, pipe, len, flags);
#else
	return generic_file_splice_read(in, ppos, pipe, len, flags);
#endif
}

/* struct file_lock moved its common fields into file_lock_core (6.9). */
static inline void pcc_lock_set_file(struct file_lock *fl, struct file *file)
{
#ifdef HAVE_FILE_LOCK_CORE
	fl->c.flc_file = file;
#else
	fl->fl_file = file;
#endif
}

static inline void pcc_lock_set_owner(struct file_lock *fl, void *owner)
{
#ifdef HAVE_FILE_LOCK_CORE
	fl->c.flc_owner = owner;
#else
	fl->fl_owner = owner;
#endif
}

/*
 * Whether a file may do O_DIRECT: FMODE_CAN_ODIRECT where the kernel has it
 * (6.1 does: do_dentry_open() sets it), the presence of ->direct_IO before.
 */
static inline bool pcc_file_can_direct(const struct file *file)
{
#ifdef FMODE_CAN_ODIRECT
	return file->f_mode & FMODE_CAN_ODIRECT;
#else
	return file->f_mapping->a_ops && file->f_mapping->a_ops->direct_IO;
#endif
}

static inline void pcc_file_set_can_direct(struct file *file)
{
#ifdef FMODE_CAN_ODIRECT
	file->f_mode |= FMODE_CAN_ODIRECT;
#endif
}

/*
 * A ->fault under the per-VMA lock (6.4) must be retried under mmap_lock:
 * the backing's handler is called on a private copy of the VMA, which must
 * never be the one whose lock it drops.  The core calls ->fault under the
 * VMA lock because our VMAs have ->map_pages (mmap.c); the fault-around
 * itself is served under the VMA lock alone.
 */
static inline bool pcc_fault_retry_locked(struct vm_fault *vmf)
{
#ifdef HAVE_FAULT_FLAG_VMA_LOCK
	if (vmf->flags & FAULT_FLAG_VMA_LOCK) {
		vma_end_read(vmf->vma);
		return true;
	}
#endif
	return false;
}

/*
 * getattr of the lower: from 6.7 a stacking filesystem's ->getattr may be
 * asked for AT_GETATTR_NOSEC (the security check was made already), which
 * vfs_getattr() refuses; it must then use vfs_getattr_nosec().
 */
static inline int pcc_lower_getattr(const struct path *path,
				    struct kstat *stat, u32 request_mask,
				    unsigned int flags)
{
#ifdef AT_GETATTR_NOSEC
	if (flags & AT_GETATTR_NOSEC)
		return vfs_getattr_nosec(path, stat, request_mask, flags);
#endif
	return vfs_getattr(path, stat, request_mask, flags);
}

/*
 * SB_I_NOUMASK (6.7): the filesystem applies the umask itself, without
 * POSIX ACLs (NFSv4 sends it to the server).  None before.
 */
#ifdef SB_I_NOUMASK
#define PCC_SB_I_NOUMASK	SB_I_NOUMASK
#else
#define PCC_SB_I_NOUMASK	0
#endif

/*
 * POSIX ACLs: up to 6.1 they are xattrs handled by the catch-all handler;
 * from 6.2 the VFS routes them to ->get_acl/->set_acl taking a dentry.
 */
#ifdef HAVE_DENTRY_ACL_OPS
#define PCC_ACL_OPS 1
struct posix_acl *pcc_get_acl(pcc_idmap_t *idmap, struct dentry *dentry,
			      int type);
int pcc_set_acl(pcc_idmap_t *idmap, struct dentry *dentry,
		struct posix_acl *acl, int type);
#define PCC_ACL_IOPS			\
	.get_acl	= pcc_get_acl,	\
	.set_acl	= pcc_set_acl,
#else
#define PCC_ACL_IOPS
#endif

/* The timestamps of an inode are behind accessors from 6.6. */
static inline time64_t pcc_inode_mtime_sec(const struct inode *inode)
{
#ifdef HAVE_INODE_GET_MTIME_SEC
	return inode_get_mtime_sec(inode);
#else
	return inode->i_mtime.tv_sec;
#endif
}

/*
 * A generic netlink multicast group only CAP_SYS_ADMIN may join: the
 * GENL_MCAST_CAP_* flags came in 6.7 (Debian's 6.1 has them backported);
 * before, GENL_UNS_ADMIN_PERM on a group asked for CAP_NET_ADMIN.  Tested
 * by a probe: net/genetlink.h is not included yet here.
 */
#ifdef HAVE_GENL_MCAST_CAP_SYS_ADMIN
#define PCC_GENL_MCAST_ADMIN	GENL_MCAST_CAP_SYS_ADMIN
#else
#define PCC_GENL_MCAST_ADMIN	GENL_UNS_ADMIN_PERM
#endif

/* The parsed attributes of a dump request: in a struct genl_info from 6.7. */
#ifdef HAVE_GENL_INFO_DUMP
#define pcc_genl_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define pcc_genl_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

#endif /* PCC_COMPAT_H */
