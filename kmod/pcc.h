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

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/path.h>
#include <linux/pcc.h>
#include <linux/ratelimit_types.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

struct pcc_rule;			/* dataset.c: a compiled rule */
struct netlink_ext_ack;
struct nlattr;
struct sk_buff;
struct kstat;

/*
 * A dataset: a cache root on local storage bound to one mount (DESIGN.md
 * 3.2).  Lives on its mount's list, under pcc_super.rw_sem; read with it
 * held for reading, changed with it held for writing.
 */
struct pcc_dataset {
	struct list_head list;		/* pcc_super.datasets */
	u32 id;				/* 1..PCC_DS_ID_MAX */
	u32 mode;			/* PCC_DS_MODE_* */
	u32 attach;			/* PCC_DS_ATTACH_* */
	struct path root;		/* referenced */
	char *path_text;		/* as given */
	struct pcc_rule *rule;		/* NULL: matches no file */
	char *rule_text;		/* as given, or NULL */
	u32 writeback;			/* PCC_DS_WB_*, RW copies */
	u32 wb_interval;		/* seconds, PCC_DS_WB_LAZY */
};

/*
 * What pcc keeps per mount for caching (Lustre's pcc_super).  The
 * generation starts at 1 and is bumped by every dataset add, del, clear and
 * set, with rw_sem held for writing; it is read without it (READ_ONCE) to
 * decide whether a file must look for a copy again.
 */
struct pcc_super {
	struct rw_semaphore rw_sem;	/* datasets, generation */
	struct list_head datasets;	/* in the order they are tried */
	u32 generation;
	u32 attach;			/* PCC_DS_ATTACH_* of any RO dataset */
	bool rw_rules;			/* an RW dataset has a rule (create) */
	u32 id;				/* PCC_A_MOUNT_ID (dataset.c) */
	struct list_head mounts;	/* all pcc mounts (dataset.c) */
	struct super_block *sb;		/* the mount's, for the registry */
	struct ratelimit_state miss_rs;	/* miss events (netlink.c) */
	const struct cred *cred;	/* the mounter's: copies are read with it */
	spinlock_t attached_lock;
	struct list_head attached;	/* pcc_inode.attached, under the lock */
	/*
	 * pcc_inode.dirty_link, under attached_lock: the dirty read-write
	 * files (rw.c), so that write-back passes walk them alone, not every
	 * attached file.
	 */
	struct list_head dirty;
	unsigned int nr_attached;
	/*
	 * Changed with every change of the list, under the lock: a
	 * PCC_CMD_FILE_GET dump spanning a change is flagged.  Odd, so never
	 * 0, which netlink takes for "no sequence".
	 */
	u32 attached_seq;
	atomic64_t stats[PCC_STAT_COUNT];
	/*
	 * Lazy write-back (rw.c): the work writes back the closed dirty
	 * files, due at wb_due (jiffies) when pending; wb_pass numbers its
	 * passes, so one pass tries a file once.
	 */
	spinlock_t wb_lock;		/* arming wb_work, wb_due */
	struct delayed_work wb_work;
	unsigned long wb_due;
	u32 wb_pass;			/* only the work changes it */
};

struct pcc_sb_info {
	struct path lower;		/* the lower directory of the mount */
	bool nosuid;			/* the lower mount is nosuid (super.c) */
	char node[PCC_NODE_MAX + 1];	/* node=: read-write marks (mark.c) */
	struct pcc_super pcc;
};

/*
 * The cache state of one attached (or once attached) file, Lustre's
 * struct pcc_inode (state.c).  Allocated when first needed, freed when the
 * inode is evicted.  Fields are under pcc_inode_info.pcc_lock unless said
 * otherwise.  The mapping side (mmap, faults, munmap) runs under mmap_lock
 * and never takes pcc_lock: what it reads and changes is under map_lock,
 * a spinlock, and a type change takes both.
 */
struct pcc_inode {
	struct inode *inode;		/* ours, not referenced */
	spinlock_t map_lock;		/* type, mapcnt, mirror, wmapcnt */
	u32 type;			/* PCC_TYPE_NONE: detached */
	u32 dataset_id;			/* attached from */
	/*
	 * The copy, open with the mount's credentials.  Closed (NULL) by the
	 * detach that waited for active_ios to reach 0, or by the next
	 * pcc_lock holder after a detach that could not wait.
	 */
	struct file *copy;
	struct pcc_version version;	/* what the copy records */
	atomic_t active_ios;		/* pcci_active_ios: I/O on the copy */
	wait_queue_head_t waitq;	/* pcci_waitq: active_ios reached 0 */
	unsigned int mapcnt;		/* mappings bound to a copy */
	/*
	 * The copy mappings are bound to: local writes go there too while
	 * mapcnt > 0 (docs/design/0005-copy-mappings.md).
	 */
	struct file *mirror;
	unsigned int wmapcnt;		/* shared mappings that may write */
	struct mutex mirror_lock;	/* orders writes to the mirror */
	loff_t mirror_size;		/* the size pcc left the mirror at */
	bool attaching;			/* PCC_STATE_FL_ATTACHING */
	struct list_head attached;	/* pcc_super.attached while attached */
	/*
	 * For eviction (PCC_CMD_FILE_GET): when the copy last served, and
	 * how often since the attach.  Set at attach under pcc_lock, updated
	 * by I/O and faults without any lock: plain stores and an atomic.
	 */
	time64_t last_use;
	atomic64_t hits;
	/*
	 * Read-write caching (rw.c).  While the type is READWRITE the copy
	 * holds the file's data, the lower may be older.  Changes to the
	 * copy hold rw_sem for reading; write-back, and the detach that ends
	 * with one, hold it for writing, so no change is made during a
	 * write-back.  The fields below are under rw_sem (dirty_lock also
	 * orders setting the mark between changes).
	 */
	struct rw_semaphore rw_sem;
	struct mutex dirty_lock;	/* orders setting the dirty mark */
	bool dirty;			/* PCC_XATTR_DIRTY is on the copy */
	struct list_head dirty_link;	/* pcc_super.dirty while dirty */
	bool lower_marked;		/* we set PCC_XATTR_RW_MARK (mark.c) */
	loff_t wb_start, wb_end;	/* what changed since the write-back */
	u32 wb_pass;			/* the lazy pass that last tried it */
	/* A lower file opened for writing by a writer: write-back uses it. */
	struct file *wb_lower;
	/* The RW copy's inode (referenced): stat shows its size and times. */
	struct inode *rw_inode;
	/*
	 * Paged mappings (paged.c), under map_lock: how many VMAs map our
	 * own pages, and a lower file of a writer of the file, referenced,
	 * that its pages are written back through while it is detached.
	 */
	unsigned int pagedcnt;
	struct file *paged_lower;
	/*
	 * Paged (paged.c): set by the first paged mapping with rw_sem held
	 * for writing, so no change of the copy is in flight; cleared by the
	 * last close, under our i_rwsem, once no page and no mapping is left.
	 */
	bool paged;
};

struct pcc_inode_info {
	struct inode *lower;		/* referenced; dropped at eviction */
	struct mutex pcc_lock;		/* pcc_inode_lock(): the fields below */
	struct pcc_inode *pcci;		/* NULL until first attached */
	u32 pcc_dsflags;		/* lli_pcc_dsflags: PCC_DATASET_* */
	u32 pcc_generation;		/* lli_pcc_generation */
	/* With NONE: PCC_DS_ATTACH_* of the datasets not looked in yet. */
	u32 pcc_none_pending;
	u32 pcc_miss_generation;	/* a miss was reported at this one */
	atomic_t pcc_writers;		/* local changes in progress */
	atomic_t pcc_write_seq;		/* local changes begun so far */
	atomic_t pcc_open_count;	/* open files (PCC_IOC_STATE) */
	struct inode vfs_inode;
};

/*
 * Per-inode dataset flags, as the seed's: the attach policy of the dataset
 * the file was last attached from, or NONE, "known not cached" at
 * pcc_generation.
 */
#define PCC_DATASET_INVALID	0x00
#define PCC_DATASET_NONE	0x01
#define PCC_DATASET_OPEN_ATTACH	0x02
#define PCC_DATASET_IO_ATTACH	0x04
#define PCC_DATASET_STAT_ATTACH	0x08

/* What an I/O is, for the auto-attach policy: the seed's pcc_io_type. */
enum pcc_io_type {
	PIT_OPEN,
	PIT_GETATTR,
	PIT_READ,
	PIT_WRITE,
	PIT_SETATTR,
	PIT_FAULT,
	PIT_PAGE_MKWRITE,
	PIT_MMAP,
	PIT_SPLICE,
	PIT_SEEK,
	PIT_FADVISE,
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

static inline struct pcc_super *pcc_super(const struct super_block *sb)
{
	return &PCC_SB(sb)->pcc;
}

static inline void pcc_stat_add(struct super_block *sb, enum pcc_stat stat,
				s64 n)
{
	atomic64_add(n, &pcc_super(sb)->stats[stat]);
}

static inline void pcc_stat_inc(struct super_block *sb, enum pcc_stat stat)
{
	pcc_stat_add(sb, stat, 1);
}

/*
 * A read, splice or fault of @inode served from a copy, of @bytes.  The
 * pcc_inode exists: I/O on a copy holds active_ios, a fault on a copy the
 * mapping's mapcnt.  Every hit of every file passes here: no lock, and the
 * time is stored only when it changes (once a second at most).
 */
static inline void pcc_hit(struct inode *inode, s64 bytes)
{
	struct pcc_inode *pcci = PCC_I(inode)->pcci;
	time64_t now = ktime_get_real_seconds();

	pcc_stat_inc(inode->i_sb, PCC_STAT_HITS);
	if (bytes)
		pcc_stat_add(inode->i_sb, PCC_STAT_HIT_BYTES, bytes);
	atomic64_inc(&pcci->hits);
	if (READ_ONCE(pcci->last_use) != now)
		WRITE_ONCE(pcci->last_use, now);
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

/* paged.c: mappings of read-write files through our own page cache */
extern const struct address_space_operations pcc_paged_aops;
bool pcc_paged(struct inode *inode);
int pcc_paged_mmap(struct file *file, struct vm_area_struct *vma);
ssize_t pcc_paged_read_iter(struct kiocb *iocb, struct iov_iter *to);
ssize_t pcc_paged_write_iter(struct kiocb *iocb, struct iov_iter *from,
			     struct file *lower);
int pcc_rw_change_begin(struct inode *inode);
/* A change found the file paged: the caller starts it again, paged. */
#define PCC_BECAME_PAGED	1
void pcc_paged_flush_keep_errors(struct inode *inode);
ssize_t pcc_paged_splice_write(struct pipe_inode_info *pipe,
			       struct file *out, loff_t *ppos, size_t len,
			       unsigned int flags);
int pcc_paged_flush(struct inode *inode);
void pcc_paged_changed(struct inode *inode, loff_t pos, loff_t len);
int pcc_paged_release(struct inode *inode);

/* xattr.c */
extern const struct xattr_handler *pcc_xattr_handlers[];
ssize_t pcc_listxattr(struct dentry *dentry, char *list, size_t size);

/* netlink.c */
int pcc_netlink_init(void);
void pcc_netlink_exit(void);

/* What an event is about; fields that do not apply are 0 or NULL. */
struct pcc_event_info {
	enum pcc_event event;
	struct inode *inode;		/* ours */
	struct dentry *dentry;		/* ours, for PCC_A_PATH (misses) */
	u32 dataset_id;
	u32 reason;			/* enum pcc_detach_reason */
	int error;			/* negative errno */
};

/*
 * Send an event to the events group, if anyone listens.  Never waits for
 * memory or I/O (GFP_NOWAIT; an event that cannot be built is dropped and
 * counted), so I/O paths and pcc_lock holders may send; not under a
 * spinlock (the file handle is read through a dentry reference).
 */
void pcc_notify(struct super_block *sb, const struct pcc_event_info *ev);

/* dataset.c */
int pcc_super_init(struct super_block *sb);
void pcc_super_unregister(struct super_block *sb);
void pcc_super_fini(struct super_block *sb);
bool pcc_rule_match(const struct pcc_rule *rule, struct dentry *dentry,
		    struct inode *lower);
/* The dataset with @id (0: the first) serving @mode; rw_sem held. */
struct pcc_dataset *pcc_dataset_find(struct pcc_super *super, u32 id,
				     u32 mode);
/*
 * The registry of pcc mounts, for netlink.  A mount found with the lock
 * held stays alive until it is released: pcc_kill_sb() leaves the registry
 * under the lock before the superblock goes.
 */
void pcc_mounts_lock(void);
void pcc_mounts_unlock(void);
struct super_block *pcc_mount_find(u32 id);
struct super_block *pcc_mount_next(u32 id);	/* the first above @id */
int pcc_rule_compile(const struct nlattr *nest, struct pcc_rule **rulep,
		     struct netlink_ext_ack *extack);
void pcc_rule_free(struct pcc_rule *rule);
int pcc_rule_put(struct sk_buff *skb, int attrtype,
		 const struct pcc_rule *rule);
void pcc_dataset_free(struct pcc_dataset *ds);
int pcc_dataset_add(struct pcc_super *super, struct pcc_dataset *ds,
		    struct netlink_ext_ack *extack);
struct pcc_dataset *pcc_dataset_remove(struct pcc_super *super, u32 id);
void pcc_dataset_remove_all(struct pcc_super *super, struct list_head *out);
void pcc_generation_bump(struct pcc_super *super);

/* super.c */
bool pcc_is_pcc_sb(const struct super_block *sb);

/* state.c: the cache state of files */
int pcc_state_init(void);
void pcc_state_exit(void);
void pcc_inode_info_init(struct pcc_inode_info *pi);
void pcc_inode_free(struct inode *inode);
struct pcc_inode *pcc_inode_get(struct inode *inode);
void pcc_inode_lock(struct inode *inode);
void pcc_inode_unlock(struct inode *inode);
void pcc_io_init(struct inode *inode, enum pcc_io_type iot, bool *cached);
void pcc_io_init_nowait(struct inode *inode, enum pcc_io_type iot,
			bool *cached);
void pcc_io_fini(struct inode *inode);
struct file *pcc_io_copy(struct inode *inode);
int pcc_lower_version(struct inode *inode, struct pcc_version *v, bool sync);
int pcc_lower_fh(struct inode *lower, struct pcc_version *v);
bool pcc_version_equal(const struct pcc_version *a,
		       const struct pcc_version *b);
int pcc_file_open(struct inode *inode, struct file *file);
void pcc_write_begin(struct inode *inode, struct file **mirror);
void pcc_write_end(struct inode *inode, struct file *mirror);
const struct cred *pcc_copy_creds(struct inode *inode);
void pcc_copy_error(struct inode *inode, int err);
int pcc_copy_range(struct file *file, struct file *copy, loff_t pos,
		   loff_t len);
void pcc_mirror_change(struct inode *inode, struct file *file,
		       struct file *mirror, loff_t pos, loff_t len);
struct file *pcc_mmap_copy_get(struct inode *inode);
void pcc_mmap_copy_put(struct inode *inode);
int pcc_mmap_write_get(struct inode *inode);
void pcc_mmap_write_put(struct inode *inode);

/* rw.c: read-write caching */
bool pcc_rw_attached(struct inode *inode);
struct inode *pcc_rw_data_inode(struct inode *inode);
int pcc_rw_begin(struct inode *inode);
void pcc_rw_end(struct inode *inode);
int pcc_rw_dirty(struct inode *inode, const struct path *lower,
		 const struct cred *cred, loff_t pos, loff_t len);
ssize_t pcc_rw_write_iter(struct kiocb *iocb, struct iov_iter *from,
			  struct file *lower);
ssize_t pcc_rw_splice_write(struct pipe_inode_info *pipe, struct file *out,
			    loff_t *ppos, size_t len, unsigned int flags,
			    struct file *lower);
int pcc_rw_truncate(struct dentry *dentry, struct iattr *ia,
		    struct file *lower);
int pcc_rw_getattr(struct inode *inode, struct kstat *stat);
long pcc_rw_fallocate(struct inode *inode, struct file *lower, int mode,
		      loff_t offset, loff_t len);
int pcc_rw_writeback_locked(struct inode *inode);
bool pcc_rw_no_space(long ret);
bool pcc_rw_finish(struct inode *inode, ssize_t *ret);
bool pcc_rw_version_settle(struct inode *inode, const struct pcc_version *v);
int pcc_rw_fallback(struct inode *inode);
int pcc_rw_writeback(struct inode *inode);
int pcc_rw_close(struct inode *inode);
void pcc_rw_lazy_arm(struct super_block *sb, unsigned int interval);
void pcc_rw_lazy_init(struct pcc_super *super);
void pcc_rw_release(struct pcc_inode *pcci);
void pcc_rw_clean(struct inode *inode, struct pcc_inode *pcci);
void pcc_rw_unpin_all(struct super_block *sb);

/* mark.c: the read-write mark on lower files */
bool pcc_mark_foreign(struct inode *inode);
void pcc_mark_set(struct inode *inode, const struct path *lower,
		  const struct cred *cred);
bool pcc_mark_clear(struct inode *inode);

/* attach.c: attach and detach */
bool pcc_may_auto_attach(struct inode *inode, enum pcc_io_type iot);
int pcc_try_auto_attach(struct inode *inode, bool *cached,
			enum pcc_io_type iot);
int pcc_attach(struct inode *inode, u32 type, u32 dataset_id);
void pcc_inode_create(struct dentry *dentry);
bool pcc_copy_intact(struct inode *inode);
int pcc_copy_setxattr(struct inode *inode, struct file *copy,
		      const char *name, const void *value, size_t size);
int pcc_copy_poison(struct inode *inode, struct file *copy);
void pcc_inode_detach(struct inode *inode, enum pcc_detach_reason reason);
int pcc_detach_locked(struct inode *inode, enum pcc_detach_reason reason);
void pcc_detach_nowait(struct inode *inode, enum pcc_detach_reason reason);
int pcc_copy_close_locked(struct pcc_inode *pcci);
int pcc_detach(struct inode *inode, u32 flags, u32 dataset_id);
/* Detach every file attached from @dataset_id (0: all); no lock held. */
void pcc_detach_dataset(struct super_block *sb, u32 dataset_id);
unsigned int pcc_attached_count(struct super_block *sb, u32 dataset_id);

/* evict.c: PCC_CMD_EVICT */
int pcc_cache_walk(const struct path *root, char *name, struct path *out);
int pcc_copy_unlink_path(const struct path *copy);
int pcc_evict(struct super_block *sb, u32 ds_id, const struct pcc_version *v,
	      u32 *flags, struct netlink_ext_ack *extack);

/* ioctl.c */
long pcc_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* fail.c: fault injection */
int pcc_fail_init(void);
void pcc_fail_exit(void);
bool pcc_fail_check(u32 id);
int pcc_fail_error(u32 id, int err);
void pcc_fail_pause(u32 id);

#endif /* PCC_H */
