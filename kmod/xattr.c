// SPDX-License-Identifier: GPL-2.0-only
/*
 * xattr.c - extended attributes and POSIX ACLs, forwarded to the lower
 * dentry as the caller.  pcc's own namespace (PCC_XATTR_PREFIX) is hidden:
 * not listed, not readable (ENODATA), not writable (EPERM).  The
 * read-write mark of the lower file (PCC_XATTR_RW_MARK) is not listed, so
 * that copying a file with its xattrs does not copy it, but can be read:
 * it says which node holds the file.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/pcc.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/string.h>
#include <linux/xattr.h>

#include "pcc.h"

static bool pcc_xattr_hidden(const char *name)
{
	return !strncmp(name, PCC_XATTR_PREFIX, PCC_XATTR_PREFIX_LEN);
}

static int pcc_xattr_get(const struct xattr_handler *handler,
			 struct dentry *dentry, struct inode *inode,
			 const char *name, void *value, size_t size)
{
	if (pcc_xattr_hidden(name))
		return -ENODATA;
	/*
	 * exec reads file capabilities here (get_vfs_caps_from_disk()), and
	 * a nosuid lower mount must not grant them: as for the set-id bits
	 * (pcc_exec_mode()), our mount cannot be made nosuid itself.
	 */
	if (PCC_SB(inode->i_sb)->nosuid && !strcmp(name, XATTR_NAME_CAPS))
		return -ENODATA;
	return vfs_getxattr(PCC_NOP_IDMAP, pcc_lower_dentry(dentry), name,
			    value, size);
}

/*
 * security.capability as the VFS left it for us: cap_convert_nscap(),
 * called by vfs_setxattr() on our dentry, checked CAP_SETFCAP and turned
 * the caller's value into one relative to our superblock's user namespace
 * (a v3 rootid, or a v2 from a caller privileged there).  vfs_setxattr() on
 * the lower would convert it again as the caller, now reading the v3
 * rootid as one of the caller's namespace: from a user namespace it fails
 * (EINVAL) or stores another owner.  (overlayfs escapes this by setting
 * the upper's as the mounter, from the initial namespace.)
 *
 * So the lower gets __vfs_setxattr_locked(), which keeps xattr_permission(),
 * the LSM hooks and the delegation break but converts nothing; CAP_SETFCAP
 * is checked again against the lower inode's owner.  A lower whose
 * superblock has a user namespace of its own (tmpfs mounted in one) needs
 * the rootid moved into it, which fails as cap_convert_nscap() would when it
 * has no id there.
 */
static int pcc_set_fscap(struct dentry *dentry, struct dentry *lower,
			 const void *value, size_t size, int flags)
{
	struct inode *lower_inode = d_inode(lower);
	struct user_namespace *ns = dentry->d_sb->s_user_ns;
	struct user_namespace *lower_ns = lower->d_sb->s_user_ns;
	const struct vfs_ns_cap_data *cap = value;
	struct vfs_ns_cap_data nscap;
	struct inode *delegated = NULL;
	uid_t rootid;
	int ret;

	if (!capable_wrt_inode_uidgid(PCC_NOP_IDMAP, lower_inode, CAP_SETFCAP))
		return -EPERM;
	if (lower_ns != ns) {
		if (size != XATTR_CAPS_SZ_2 && size != XATTR_CAPS_SZ_3)
			return -EINVAL;
		rootid = size == XATTR_CAPS_SZ_3 ? le32_to_cpu(cap->rootid) : 0;
		rootid = from_kuid(lower_ns, make_kuid(ns, rootid));
		if (rootid == (uid_t)-1)
			return -EINVAL;
		nscap.magic_etc = cpu_to_le32(VFS_CAP_REVISION_3 |
					      (le32_to_cpu(cap->magic_etc) &
					       VFS_CAP_FLAGS_EFFECTIVE));
		memcpy(nscap.data, cap->data, sizeof(nscap.data));
		nscap.rootid = cpu_to_le32(rootid);
		value = &nscap;
		size = sizeof(nscap);
	}
retry:
	inode_lock(lower_inode);
	ret = __vfs_setxattr_locked(PCC_NOP_IDMAP, lower, XATTR_NAME_CAPS,
				    value, size, flags, &delegated);
	inode_unlock(lower_inode);
	if (delegated) {
		ret = break_deleg_wait(&delegated);
		if (!ret)
			goto retry;
	}
	return ret;
}

static int pcc_xattr_set(const struct xattr_handler *handler,
			 pcc_idmap_t *idmap, struct dentry *dentry,
			 struct inode *inode, const char *name,
			 const void *value, size_t size, int flags)
{
	const struct path *lower = pcc_lower_path(dentry);
	int ret;

	if (pcc_xattr_hidden(name))
		return -EPERM;
	ret = mnt_want_write(lower->mnt);
	if (ret)
		return ret;
	if (value && size && !strcmp(name, XATTR_NAME_CAPS))
		ret = pcc_set_fscap(dentry, lower->dentry, value, size, flags);
	else if (value)
		ret = vfs_setxattr(PCC_NOP_IDMAP, lower->dentry, name, value,
				   size, flags);
	else
		ret = vfs_removexattr(PCC_NOP_IDMAP, lower->dentry, name);
	mnt_drop_write(lower->mnt);
	pcc_copy_attr(inode);
	return ret;
}

/* Every name, whatever its namespace: the lower decides what it supports. */
static const struct xattr_handler pcc_xattr_handler = {
	.prefix	= "",
	.get	= pcc_xattr_get,
	.set	= pcc_xattr_set,
};

const struct xattr_handler *pcc_xattr_handlers[] = {
	&pcc_xattr_handler,
	NULL
};

ssize_t pcc_listxattr(struct dentry *dentry, char *list, size_t size)
{
	ssize_t len, ret;
	char *p;

	ret = vfs_listxattr(pcc_lower_dentry(dentry), list, size);
	/* Asked for the size only: ours is at most the lower's. */
	if (ret <= 0 || !size)
		return ret;

	p = list;
	while (p < list + ret) {
		len = strnlen(p, list + ret - p) + 1;
		if (pcc_xattr_hidden(p) || !strcmp(p, PCC_XATTR_RW_MARK)) {
			memmove(p, p + len, list + ret - (p + len));
			ret -= len;
		} else {
			p += len;
		}
	}
	return ret;
}

#ifdef PCC_ACL_OPS
static const char *pcc_acl_name(int type)
{
	return type == ACL_TYPE_ACCESS ? XATTR_NAME_POSIX_ACL_ACCESS :
					 XATTR_NAME_POSIX_ACL_DEFAULT;
}

struct posix_acl *pcc_get_acl(pcc_idmap_t *idmap, struct dentry *dentry,
			      int type)
{
	struct posix_acl *acl;

	acl = vfs_get_acl(PCC_NOP_IDMAP, pcc_lower_dentry(dentry),
			  pcc_acl_name(type));
	if (acl == ERR_PTR(-ENODATA) || acl == ERR_PTR(-EOPNOTSUPP))
		return NULL;
	return acl;
}

int pcc_set_acl(pcc_idmap_t *idmap, struct dentry *dentry,
		struct posix_acl *acl, int type)
{
	const struct path *lower = pcc_lower_path(dentry);
	int ret;

	ret = mnt_want_write(lower->mnt);
	if (ret)
		return ret;
	if (acl)
		ret = vfs_set_acl(PCC_NOP_IDMAP, lower->dentry,
				  pcc_acl_name(type), acl);
	else
		ret = vfs_remove_acl(PCC_NOP_IDMAP, lower->dentry,
				     pcc_acl_name(type));
	mnt_drop_write(lower->mnt);
	pcc_copy_attr(d_inode(dentry));
	return ret;
}
#endif
