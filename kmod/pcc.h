/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcc.h - what the parts of pcc.ko share.  Each part has an init/exit pair
 * called in order from main.c.
 *
 * The objects of the stacking filesystem:
 *  - the superblock info holds the lower directory the mount stacks on;
 *  - every dentry holds the lower path it stands for (d_fsdata), negative
 *    dentries included, so create and lookup can go straight to the lower
 *    name;
 *  - every inode wraps exactly one lower inode and is found by it
 *    (iget5_locked keyed on the lower inode), so hard links share one inode;
 *  - every open file holds a lower file opened with the opener's credentials
 *    (private_data), from the open or, for read-only opens, from its first
 *    use (file.c);
 *  - every mapping holds a refcounted struct pcc_vma (mmap.c).
 */
#ifndef PCC_H
#define PCC_H

#include <linux/fs.h>
#include <linux/path.h>
#include <linux/rcupdate.h>

struct pcc_sb_info {
	struct path lower;		/* the lower directory of the mount */
	bool nosuid;			/* the lower mount is nosuid (super.c) */
};

struct pcc_inode_info {
	struct inode *lower;		/* referenced; dropped at eviction */
	struct inode vfs_inode;
};

struct pcc_dentry_info {
	struct path lower;		/* referenced; dropped in d_release */
	struct rcu_head rcu;		/* freed after RCU walkers are done */
};

static inline struct pcc_sb_info *PCC_SB(const struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline struct pcc_inode_info *PCC_I(const struct inode *inode)
{
	return container_of(inode, struct pcc_inode_info, vfs_inode);
}

static inline struct inode *pcc_lower_inode(const struct inode *inode)
{
	return PCC_I(inode)->lower;
}

static inline struct pcc_dentry_info *PCC_D(const struct dentry *dentry)
{
	return dentry->d_fsdata;
}

static inline struct dentry *pcc_lower_dentry(const struct dentry *dentry)
{
	return PCC_D(dentry)->lower.dentry;
}

/* The lower path of @dentry, without taking references. */
static inline const struct path *pcc_lower_path(const struct dentry *dentry)
{
	return &PCC_D(dentry)->lower;
}

/*
 * The lower file behind an open pcc file, or NULL while a read-only open
 * has not needed it yet: pcc_lower_file_open() opens it.  Directories
 * always have one.
 */
static inline struct file *pcc_lower_file(struct file *file)
{
	/* Pairs with the cmpxchg_release() that publishes it. */
	return smp_load_acquire(&file->private_data);
}

/* super.c */
int pcc_fs_init(void);
void pcc_fs_exit(void);

/* inode.c */
extern const struct inode_operations pcc_file_iops;
extern const struct inode_operations pcc_symlink_iops;
int pcc_inode_cache_init(void);
void pcc_inode_cache_exit(void);
struct inode *pcc_alloc_inode(struct super_block *sb);
void pcc_free_inode(struct inode *inode);
void pcc_evict_inode(struct inode *inode);
struct inode *pcc_iget(struct super_block *sb, struct inode *lower);
void pcc_copy_attr(struct inode *inode);
void pcc_copy_atime(struct inode *inode);
void pcc_copy_iflags(struct inode *inode, const struct inode *lower);
int pcc_revalidate_attr(struct inode *inode, struct inode *lower,
			unsigned int flags);
int pcc_permission(pcc_idmap_t *idmap, struct inode *inode, int mask);
int pcc_getattr(pcc_idmap_t *idmap, const struct path *path,
		struct kstat *stat, u32 request_mask, unsigned int flags);
int pcc_setattr(pcc_idmap_t *idmap, struct dentry *dentry, struct iattr *ia);
int pcc_fileattr_get(struct dentry *dentry, struct fileattr *fa);
int pcc_fileattr_set(pcc_idmap_t *idmap, struct dentry *dentry,
		     struct fileattr *fa);

/* namei.c */
extern const struct inode_operations pcc_dir_iops;
extern const struct dentry_operations pcc_dops;
int pcc_dentry_init(struct dentry *dentry, const struct path *lower);

/* dir.c */
extern const struct file_operations pcc_dir_fops;

/* file.c */
extern const struct file_operations pcc_file_fops;
struct file *pcc_lower_file_open(struct file *file);
int pcc_file_init(void);
void pcc_file_exit(void);

/* mmap.c */
int pcc_mmap(struct file *file, struct vm_area_struct *vma);

/* xattr.c */
extern const struct xattr_handler *pcc_xattr_handlers[];
ssize_t pcc_listxattr(struct dentry *dentry, char *list, size_t size);

/* netlink.c */
int pcc_netlink_init(void);
void pcc_netlink_exit(void);

#endif /* PCC_H */
