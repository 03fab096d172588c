// SPDX-License-Identifier: GPL-2.0-only
/*
 * super.c - the "pcc" filesystem type: mount a pcc over a lower directory.
 *
 *	mount -t pcc LOWER DIR
 *	mount -t pcc -o lower=LOWER none DIR	(lower= wins over the source)
 *	mount -t pcc -o node=NAME LOWER DIR	(the name read-write marks
 *						 carry; default: the host name)
 *
 * The lower directory is resolved when the mount is made, before the new
 * mount is attached, so mounting over the lower directory itself works.
 */
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pcc.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/utsname.h>

#include "pcc.h"

enum pcc_param {
	OPT_LOWER,
	OPT_NODE,
};

static const struct fs_parameter_spec pcc_param_specs[] = {
	fsparam_string("lower", OPT_LOWER),
	fsparam_string("node", OPT_NODE),
	{}
};

/*
 * A node name others will read in read-write marks: printable, and
 * without the characters mount options and /proc/mounts give meaning to.
 */
static bool pcc_node_name_valid(const char *name)
{
	size_t len = strlen(name);
	const char *p;

	if (!len || len > PCC_NODE_MAX)
		return false;
	for (p = name; *p; p++)
		if (!isalnum(*p) && !strchr(".-_:", *p))
			return false;
	return true;
}

/*
 * A pcc over a pcc takes the lower pcc's freeze protection and rename mutex
 * while holding its own: one lockdep class per stacking level.
 */
static struct lock_class_key
	pcc_writers_key[FILESYSTEM_MAX_STACK_DEPTH][SB_FREEZE_LEVELS];
static struct lock_class_key pcc_rename_key[FILESYSTEM_MAX_STACK_DEPTH];

static void pcc_lockdep_annotate_sb(struct super_block *sb)
{
	int depth = sb->s_stack_depth - 1;
	int i;

	for (i = 0; i < SB_FREEZE_LEVELS; i++)
		lockdep_set_class(&sb->s_writers.rw_sem[i],
				  &pcc_writers_key[depth][i]);
	lockdep_set_class(&sb->s_vfs_rename_mutex, &pcc_rename_key[depth]);
}

static int pcc_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	return vfs_statfs(&PCC_SB(dentry->d_sb)->lower, buf);
}

static int pcc_show_options(struct seq_file *m, struct dentry *root)
{
	seq_puts(m, ",lower=");
	seq_path(m, &PCC_SB(root->d_sb)->lower, ", \t\n\\");
	seq_show_option(m, "node", PCC_SB(root->d_sb)->node);
	return 0;
}

static int pcc_sync_fs(struct super_block *sb, int wait)
{
	struct super_block *lower_sb = PCC_SB(sb)->lower.mnt->mnt_sb;
	int ret;

	if (!wait)
		return 0;
	/* A pcc over a pcc nests the same lock class: one subclass a level. */
	down_read_nested(&lower_sb->s_umount, sb->s_stack_depth);
	ret = sync_filesystem(lower_sb);
	up_read(&lower_sb->s_umount);
	return ret;
}

static const struct super_operations pcc_sops = {
	.alloc_inode	= pcc_alloc_inode,
	.free_inode	= pcc_free_inode,
	.evict_inode	= pcc_evict_inode,
	.drop_inode	= generic_delete_inode,
	.statfs		= pcc_statfs,
	.show_options	= pcc_show_options,
	.sync_fs	= pcc_sync_fs,
};

static int pcc_lookup_lower(struct fs_context *fc, struct path *lower)
{
	struct super_block *lower_sb;
	int ret;

	if (!fc->source || !*fc->source) {
		errorfc(fc, "no lower directory given");
		return -EINVAL;
	}
	ret = kern_path(fc->source, LOOKUP_FOLLOW, lower);
	if (ret) {
		errorfc(fc, "lower directory %s: cannot resolve (%d)",
			fc->source, ret);
		return ret;
	}
	if (!d_is_dir(lower->dentry)) {
		errorfc(fc, "lower %s is not a directory", fc->source);
		ret = -ENOTDIR;
		goto err;
	}
	lower_sb = lower->mnt->mnt_sb;
	if (lower_sb->s_stack_depth + 1 > FILESYSTEM_MAX_STACK_DEPTH) {
		errorfc(fc, "lower %s is stacked too deep (maximum %d)",
			fc->source, FILESYSTEM_MAX_STACK_DEPTH);
		ret = -EINVAL;
		goto err;
	}
	/*
	 * Every lower access is made with PCC_NOP_IDMAP, so the mapping of
	 * an idmapped lower mount would be silently ignored: refuse it.
	 */
	if (is_idmapped_mnt(lower->mnt)) {
		errorfc(fc, "lower %s is an idmapped mount: not supported",
			fc->source);
		ret = -EINVAL;
		goto err;
	}
	return 0;

err:
	path_put(lower);
	*lower = (struct path){};
	return ret;
}

/*
 * The lower mount's noexec, nodev and nosuid hold through pcc.  The VFS
 * checks them on the mount of the path it is given, ours, whose flags a
 * filesystem cannot set (mount(2) and fsmount(2) set them from their own
 * arguments), and on the superblock: path_noexec() also honours
 * SB_I_NOEXEC, may_open_dev() SB_I_NODEV, and we set those.  nosuid has no
 * superblock half (mnt_may_suid() reads the mount only; SB_NOSUID is not
 * looked at by exec): our inodes of regular files hide the set-id bits
 * and file capabilities from exec instead (pcc_exec_mode(), xattr.c), and
 * a truncate or chown asks the lower what to clear (pcc_setattr()); stat
 * still shows the lower's mode.
 * The flags are taken when the mount is made: a later remount of the lower
 * does not change ours.
 */
static void pcc_copy_mnt_flags(struct super_block *sb, struct vfsmount *lower)
{
	int mnt_flags = READ_ONCE(lower->mnt_flags);
	unsigned long lower_iflags = lower->mnt_sb->s_iflags;

	if ((mnt_flags & MNT_NOEXEC) || (lower_iflags & SB_I_NOEXEC))
		sb->s_iflags |= SB_I_NOEXEC;
	if ((mnt_flags & MNT_NODEV) || (lower_iflags & SB_I_NODEV))
		sb->s_iflags |= SB_I_NODEV;
	/*
	 * mnt_may_suid() also refuses set-id from a superblock of another
	 * user namespace (a FUSE mount made in one); ours is the mounter's.
	 */
	PCC_SB(sb)->nosuid = (mnt_flags & MNT_NOSUID) ||
			     lower->mnt_sb->s_user_ns != sb->s_user_ns;
}

static int pcc_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct pcc_sb_info *sbi;
	struct super_block *lower_sb;
	struct inode *inode;
	struct dentry *root;
	int ret;

	sbi = kzalloc(sizeof(*sbi), GFP_KERNEL);
	if (!sbi)
		return -ENOMEM;
	sb->s_fs_info = sbi;
	/*
	 * node= as given, or this host's name in the mounter's namespace: a
	 * name every unnamed host shares would let nodes take each other's
	 * read-write marks for their own.
	 */
	if (fc->fs_private) {
		strscpy(sbi->node, fc->fs_private, sizeof(sbi->node));
	} else {
		strscpy(sbi->node, utsname()->nodename, sizeof(sbi->node));
		if (!pcc_node_name_valid(sbi->node) ||
		    !strcmp(sbi->node, "localhost") ||
		    !strcmp(sbi->node, "localhost.localdomain"))
			return invalfc(fc, "host name '%s' names no node: give node=",
				       sbi->node);
	}

	ret = pcc_lookup_lower(fc, &sbi->lower);
	if (ret)
		return ret;
	lower_sb = sbi->lower.mnt->mnt_sb;
	/*
	 * After the lower is known (netlink reports it) and before any
	 * inode exists: an inode may look at the caching state.
	 */
	ret = pcc_super_init(sb);
	if (ret)
		return ret;

	sb->s_stack_depth = lower_sb->s_stack_depth + 1;
	pcc_lockdep_annotate_sb(sb);
	sb->s_maxbytes = lower_sb->s_maxbytes;
	sb->s_time_gran = lower_sb->s_time_gran;
	sb->s_blocksize = lower_sb->s_blocksize;
	sb->s_blocksize_bits = lower_sb->s_blocksize_bits;
	sb->s_magic = PCC_SUPER_MAGIC;
	/*
	 * A writeback context of our own: the pages of read-write files'
	 * mappings are ours (paged.c), written back by the flusher as any
	 * filesystem's.
	 */
	ret = super_setup_bdi(sb);
	if (ret)
		return ret;
	sb->s_op = &pcc_sops;
	sb->s_d_op = &pcc_dops;
	sb->s_xattr = pcc_xattr_handlers;
	/*
	 * The lower applies the umask (and default ACLs) itself when it has
	 * POSIX ACLs, or, from 6.7, when it says so (SB_I_NOUMASK: NFSv4,
	 * which sends the umask to the server).  The VFS must then not apply
	 * it on our side too, or it is applied twice.
	 */
	sb->s_flags |= lower_sb->s_flags & SB_POSIXACL;
	sb->s_iflags |= lower_sb->s_iflags & PCC_SB_I_NOUMASK;
	pcc_copy_mnt_flags(sb, sbi->lower.mnt);
	/*
	 * sync(2) runs ->sync_fs of every superblock, the lower's included:
	 * ours would only sync the lower a second time (and take its
	 * s_umount under ours), so skip it there, as overlayfs does.
	 * syncfs(2) on a pcc file still calls pcc_sync_fs().
	 */
	sb->s_iflags |= SB_I_SKIP_SYNC;

	inode = pcc_iget(sb, d_inode(sbi->lower.dentry));
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	root = d_make_root(inode);
	if (!root)
		return -ENOMEM;
	ret = pcc_dentry_init(root, &sbi->lower);
	if (ret) {
		dput(root);
		return ret;
	}
	sb->s_root = root;
	return 0;
}

static int pcc_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct fs_parse_result result;
	int opt;

	opt = fs_parse(fc, pcc_param_specs, param, &result);
	if (opt < 0)
		return opt;

	switch (opt) {
	case OPT_LOWER:
		/* lower= wins over the source (mount(2) always passes one). */
		kfree(fc->source);
		fc->source = param->string;
		param->string = NULL;
		return 0;
	case OPT_NODE:
		if (!pcc_node_name_valid(param->string))
			return invalfc(fc, "node=%s: want 1 to %d of A-Z a-z 0-9 . - _ :",
				       param->string, PCC_NODE_MAX);
		kfree(fc->fs_private);
		fc->fs_private = param->string;
		param->string = NULL;
		return 0;
	}
	return -EINVAL;
}

static int pcc_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, pcc_fill_super);
}

static void pcc_free_fc(struct fs_context *fc)
{
	kfree(fc->fs_private);
}

static const struct fs_context_operations pcc_context_ops = {
	.free		= pcc_free_fc,
	.parse_param	= pcc_parse_param,
	.get_tree	= pcc_get_tree,
};

static int pcc_init_fs_context(struct fs_context *fc)
{
	fc->ops = &pcc_context_ops;
	return 0;
}

static void pcc_kill_sb(struct super_block *sb)
{
	struct pcc_sb_info *sbi = PCC_SB(sb);

	/* Netlink must not find the mount while it goes. */
	if (sbi) {
		pcc_super_unregister(sb);
		/* Before the inodes go: pinned ones too. */
		if (sb->s_root)
			pcc_rw_unpin_all(sb);
	}
	kill_anon_super(sb);
	if (sbi) {
		/* The inodes evicted above still used the datasets. */
		pcc_super_fini(sb);
		path_put(&sbi->lower);
		kfree(sbi);
	}
}

static struct file_system_type pcc_fs_type = {
	.owner			= THIS_MODULE,
	.name			= PCC_FS_NAME,
	.init_fs_context	= pcc_init_fs_context,
	.parameters		= pcc_param_specs,
	.kill_sb		= pcc_kill_sb,
};

bool pcc_is_pcc_sb(const struct super_block *sb)
{
	return sb->s_type == &pcc_fs_type;
}

/* Registered last, unregistered first: see pcc_init() in main.c. */
int pcc_fs_init(void)
{
	int ret;

	ret = pcc_inode_cache_init();
	if (ret)
		return ret;
	ret = register_filesystem(&pcc_fs_type);
	if (ret)
		pcc_inode_cache_exit();
	return ret;
}

void pcc_fs_exit(void)
{
	unregister_filesystem(&pcc_fs_type);
	pcc_inode_cache_exit();
}

MODULE_ALIAS_FS(PCC_FS_NAME);
