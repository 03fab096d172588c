# SPDX-License-Identifier: GPL-2.0-only
#
# The kernel API differences pcc.ko cares about, one probe each.  The
# results are used by kmod/compat.h and by nothing else.

AC_DEFUN([PCC_KERNEL_PROBES], [
	# Every probe below means something only if a module builds at all.
	PCC_KERNEL_PROBE([KBUILD], [builds a trivial module], [], [])
	AS_IF([test "x$pcc_build_kmod" = xyes && test "x$pcc_cv_kernel_KBUILD" != xyes],
		[AC_MSG_ERROR([cannot build a module against $LINUX_OBJ (see config.log); use --without-linux to build userspace only])])

	# 6.3 replaced the struct user_namespace * first argument of the
	# inode operations with struct mnt_idmap *.
	PCC_KERNEL_PROBE([MNT_IDMAP], [passes struct mnt_idmap to inode operations], [
#include <linux/fs.h>
static int probe_permission(struct mnt_idmap *idmap, struct inode *inode,
			    int mask)
{
	return 0;
}
], [
	static const struct inode_operations iops = {
		.permission = probe_permission,
	};
	return iops.permission ? 0 : 1;
])
	# 6.3: struct renamedata carries mnt_idmap pointers.
	PCC_KERNEL_PROBE([RENAMEDATA_IDMAP], [has mnt_idmap in struct renamedata], [
#include <linux/fs.h>
], [
	struct renamedata rd = { .old_mnt_idmap = &nop_mnt_idmap };

	return rd.old_mnt_idmap ? 0 : 1;
])

	# 6.3: vm_flags may only be changed through vm_flags_set/clear.
	PCC_KERNEL_PROBE([VM_FLAGS_SET], [has vm_flags_set], [
#include <linux/mm.h>
], [
	vm_flags_set((struct vm_area_struct *)NULL, VM_READ);
])

	# 6.7 moved the freeze protection of a write into vfs_iocb_iter_write
	# (series "fs: fix overlayfs freeze protection"), which also added
	# file_write_started(); kiocb_start_write() alone is no sign of it,
	# Debian's 6.1 has that backported.  It also decides who takes the
	# freeze protection of an asynchronous lower write, which its
	# completion ends.
	PCC_KERNEL_PROBE([VFS_ITER_WRITE_FREEZE], [takes freeze protection in vfs_iocb_iter_write], [
#include <linux/fs.h>
], [
	return file_write_started((struct file *)NULL) ? 0 : 1;
])

	# 6.5 removed generic_file_splice_read; vfs_splice_read forwards.
	PCC_KERNEL_PROBE([VFS_SPLICE_READ], [has vfs_splice_read], [
#include <linux/fs.h>
#include <linux/splice.h>
], [
	loff_t pos = 0;

	return vfs_splice_read(NULL, &pos, NULL, 0, 0) ? 0 : 1;
])

	# 6.3: the callback of write_cache_pages() takes a folio.
	PCC_KERNEL_PROBE([WRITEPAGE_T_FOLIO], [passes a folio to writepage_t], [
#include <linux/writeback.h>
static int probe_writepage(struct folio *folio, struct writeback_control *wbc,
			   void *data)
{
	return 0;
}
], [
	writepage_t fn = probe_writepage;

	return fn ? 0 : 1;
])

	# 6.12: ->write_begin and ->write_end take a folio, not a page.
	PCC_KERNEL_PROBE([WRITE_BEGIN_FOLIO], [passes a folio to write_begin], [
#include <linux/fs.h>
static int probe_write_begin(struct file *file, struct address_space *mapping,
			     loff_t pos, unsigned int len,
			     struct folio **foliop, void **fsdata)
{
	return 0;
}
], [
	static const struct address_space_operations aops = {
		.write_begin = probe_write_begin,
	};
	return aops.write_begin ? 0 : 1;
])

	# 6.9 moved the common struct file_lock fields into file_lock_core.
	PCC_KERNEL_PROBE([FILE_LOCK_CORE], [has struct file_lock_core], [
#include <linux/fs.h>
#include <linux/filelock.h>
], [
	struct file_lock fl = { .c.flc_file = NULL };

	return fl.c.flc_file ? 1 : 0;
])

	# 6.4: faults may run under the per-VMA lock.
	PCC_KERNEL_PROBE([FAULT_FLAG_VMA_LOCK], [has FAULT_FLAG_VMA_LOCK], [
#include <linux/mm.h>
], [
	return FAULT_FLAG_VMA_LOCK ? 0 : 1;
])

	# 6.2: ->get_acl/->set_acl take a dentry; POSIX ACL xattrs no longer
	# go through xattr handlers.
	PCC_KERNEL_PROBE([DENTRY_ACL_OPS], [has vfs_remove_acl and dentry ACL ops], [
#include <linux/fs.h>
#include <linux/posix_acl.h>
], [
	return vfs_remove_acl(NULL, NULL, NULL);
])

	# 6.6: inode timestamps are read through accessors (the fields were
	# renamed in 6.7).
	PCC_KERNEL_PROBE([INODE_GET_MTIME_SEC], [has inode_get_mtime_sec], [
#include <linux/fs.h>
], [
	return inode_get_mtime_sec((const struct inode *)NULL) ? 0 : 1;
])

	# 6.7 (backported to Debian's 6.1): multicast groups only an admin
	# may join.  A probe, not an #ifdef in compat.h: compat.h comes first
	# in every file, before net/genetlink.h.
	PCC_KERNEL_PROBE([GENL_MCAST_CAP_SYS_ADMIN], [has GENL_MCAST_CAP_SYS_ADMIN], [
#include <net/genetlink.h>
], [
	static const struct genl_multicast_group grp = {
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
	};

	return grp.flags ? 0 : 1;
])

	# 6.7: a dump's request attributes are in a struct genl_info.
	PCC_KERNEL_PROBE([GENL_INFO_DUMP], [has genl_info_dump], [
#include <net/genetlink.h>
], [
	return genl_info_dump((struct netlink_callback *)NULL)->attrs ? 0 : 1;
])
	PCC_KERNEL_PROBES_OUTPUT
])
