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
	PCC_KERNEL_PROBES_OUTPUT
])
