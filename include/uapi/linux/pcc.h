/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * pcc.h - the one contract between the pcc kernel module and userspace.
 *
 * Everything the module and the programs (pccd, pcc, the tests) must agree
 * on is defined here and nowhere else: the generic netlink family, its
 * commands, attributes and events; the ioctls on pcc files; the cache-path
 * scheme; the xattr of a cache copy.  The kernel includes this file as
 * <linux/pcc.h> through its own include path; userspace through
 * -I$(top_srcdir)/include/uapi.
 *
 * Rules for changing it:
 *  - append only: never renumber a command, attribute or ioctl, never change
 *    the type of an existing attribute or the layout of a structure;
 *  - userspace ignores attributes it does not know; the kernel rejects them
 *    (strict validation), so a newer pcc talking to an older module gets
 *    -EINVAL and must fall back;
 *  - bump PCC_GENL_VERSION when a command changes meaning or is added, and
 *    record it in the history below.
 *
 * Concepts
 * --------
 * A pcc mount stacks on a lower directory (NFS, Lustre, ...).  A dataset is
 * a directory on local storage (the cache root) bound to one pcc mount,
 * identified within it by a non-zero id (Lustre's roid).  A cache copy is a
 * whole-file copy of one lower file inside a dataset, at the path
 * pcc_cache_name() gives, carrying the xattr PCC_XATTR_COPY.  A file is
 * attached when the module serves its data from a copy.  A copy attaches
 * only if the lower version it records equals the lower file's current
 * version (struct pcc_version): a copy of an older state of the file is
 * never served.
 *
 * Every mount has a generation, bumped by every dataset add, del, clear and
 * set.  The module remembers per file whether it found a copy at the last
 * generation; a change of datasets makes it look again.
 *
 * Generic netlink family
 * ----------------------
 * Name PCC_GENL_NAME, version PCC_GENL_VERSION, no family header
 * (hdrsize 0).  Only in the initial network namespace.  Every request is
 * validated strictly: an attribute the command does not take, one of the
 * wrong type or size, or a value out of range fails the request with
 * -EINVAL and an extended ack message naming it, and changes nothing.
 * The error of a dump request comes in its NLMSG_DONE message, with the
 * extended ack.  Commands marked "admin" need CAP_SYS_ADMIN, and
 * CAP_NET_ADMIN, which generic netlink checks first (GENL_ADMIN_PERM);
 * -EPERM otherwise, before the attributes are looked at.
 *
 * A mount is named in a request by PCC_A_MOUNT_ID (from PCC_CMD_MOUNT_GET)
 * or by PCC_A_MOUNT_PATH, any path inside the pcc mount, resolved with the
 * caller's credentials; not both (-EINVAL).  -ENOENT if no such mount,
 * the lookup's error if the path does not resolve (-ENOENT, -EACCES...),
 * -EINVAL (with a message) if the path is not on a pcc mount.
 *
 * PCC_CMD_GET_VERSION
 *	Report the module's version.  Allowed to any user.
 *	Reply: PCC_A_VERSION (string), PCC_A_GENL_VERSION (u32).
 *
 * PCC_CMD_MOUNT_GET
 *	doit (mount named): one reply; dumpit (no attributes): one message
 *	per pcc mount.  Allowed to any user.  Each message:
 *	  PCC_A_MOUNT_ID	u32, stable while the mount exists
 *	  PCC_A_MOUNT_LOWER	string, the lower directory (d_path)
 *	  PCC_A_MOUNT_GEN	u32, the mount's generation
 *	  PCC_A_MOUNT_DATASETS	u32, number of datasets
 *	  PCC_A_MOUNT_ATTACHED	u32, number of files attached now
 *	  PCC_A_STATS		nested: one u64 per enum pcc_stat, attribute
 *				type = stat + 1 (PCC_STAT_* below); type 0
 *				is padding (PCC_STATS_A_PAD)
 *
 * PCC_CMD_DATASET_ADD (admin)
 *	Mount named, and:
 *	  PCC_A_DS_ID		u32, required, 1..PCC_DS_ID_MAX, unique in the
 *				mount (-EEXIST)
 *	  PCC_A_DS_PATH		string, required: absolute path of an existing
 *				directory, resolved with the caller's
 *				credentials (its error, e.g. -ENOENT,
 *				-ENOTDIR), not on a pcc mount (-EINVAL) and
 *				not the directory of another dataset of the
 *				mount, however named (-EEXIST)
 *	  PCC_A_DS_MODE		u32, PCC_DS_MODE_* (default PCC_DS_MODE_RO;
 *				RO, RW or both: the dataset holds read-only
 *				copies, read-write copies, or either)
 *	  PCC_A_DS_ATTACH	u32, PCC_DS_ATTACH_* (default all three)
 *	  PCC_A_DS_RULE		nested, the compiled rule (below); without it
 *				the dataset matches no file (no miss events).
 *				In a PCC_DS_MODE_RW dataset, a regular file
 *				created through pcc that the rule matches
 *				gets an empty copy there and is attached
 *				read-write before its creator opens it
 *	  PCC_A_DS_RULE_TEXT	string, the rule as the user wrote it, kept
 *				for display only (at most PCC_RULE_TEXT_MAX)
 *	  PCC_A_DS_WRITEBACK	u32, PCC_DS_WB_* (default PCC_DS_WB_CLOSE):
 *				when read-write copies are written back to
 *				the lower.  Only with PCC_DS_MODE_RW (-EINVAL
 *				otherwise)
 *	  PCC_A_DS_WB_INTERVAL	u32, seconds, 1..PCC_DS_WB_INTERVAL_MAX
 *				(default PCC_DS_WB_INTERVAL_DEFAULT): how
 *				long a closed dirty file of a PCC_DS_WB_LAZY
 *				dataset waits for its write-back at most.
 *				Only with PCC_DS_MODE_RW (-EINVAL otherwise)
 *	The new dataset is tried after the existing ones.
 *
 * PCC_CMD_DATASET_DEL (admin)
 *	Mount named, PCC_A_DS_ID.  Files attached from the dataset are
 *	detached (PCC_DETACH_DATASET); the copies stay on disk.  -ENOENT if
 *	no such dataset.
 *
 * PCC_CMD_DATASET_CLEAR (admin)
 *	Mount named.  Deletes every dataset of the mount, as DEL does.
 *
 * PCC_CMD_DATASET_SET (admin)
 *	Mount named, PCC_A_DS_ID, and any of PCC_A_DS_ATTACH, PCC_A_DS_RULE,
 *	PCC_A_DS_RULE_TEXT, PCC_A_DS_WRITEBACK and PCC_A_DS_WB_INTERVAL (a
 *	PCC_A_DS_RULE with no term removes the rule; none of them is
 *	-EINVAL).  Changes the dataset in place: its path and mode stay.
 *	Files attached from it stay attached, and follow its new attach
 *	and write-back policies: files already closed and not yet written
 *	back wait no longer than the new interval, and are written back at
 *	once when the dataset is set to PCC_DS_WB_CLOSE.
 *
 * PCC_CMD_DATASET_GET (admin)
 *	dumpit, mount named: one message per dataset of the mount, in the
 *	order they are tried: PCC_A_MOUNT_ID, PCC_A_DS_ID, PCC_A_DS_PATH,
 *	PCC_A_DS_MODE, PCC_A_DS_ATTACH, PCC_A_DS_RULE (as given),
 *	PCC_A_DS_RULE_TEXT (if given), PCC_A_DS_ATTACHED (u32, files
 *	attached from it now); with PCC_DS_MODE_RW also PCC_A_DS_WRITEBACK
 *	and PCC_A_DS_WB_INTERVAL.  A dump during which the datasets changed
 *	is flagged NLM_F_DUMP_INTR.
 *
 * PCC_CMD_EVENT (multicast only)
 *	Sent to the PCC_GENL_MCGRP_EVENTS group, which only CAP_SYS_ADMIN
 *	may join.  Events are sent without blocking the I/O that causes them:
 *	when memory is short one is dropped and counted (PCC_STAT_EVENTS_
 *	DROPPED); a listener that lost events resyncs with the GET commands.
 *	Miss events are also limited to 200 a second a mount.
 *	Attributes:
 *	  PCC_A_EVENT		u32, enum pcc_event
 *	  PCC_A_MOUNT_ID	u32
 *	  PCC_A_INO		u64, the lower inode number
 *	  PCC_A_FH_TYPE, PCC_A_FH	the lower file handle (struct
 *				pcc_version's fh_type and fh)
 *	  PCC_A_PATH		string, the file's path from the mount's
 *				root, beginning with '/', when known (miss
 *				events)
 *	  PCC_A_DS_ID		u32, the dataset concerned, when one is
 *	  PCC_A_REASON		u32, enum pcc_detach_reason (DETACHED)
 *	  PCC_A_ERRNO		u32, positive errno (IO_ERROR, ENOSPC)
 *
 * PCC_CMD_EVICT (admin)
 *	Mount named, and:
 *	  PCC_A_DS_ID		u32, required, the dataset holding the copy
 *	  PCC_A_FH_TYPE		u32, required, 0..0xffff
 *	  PCC_A_FH		binary, required, 1..PCC_FH_MAX bytes
 *	Remove the copy of the lower file of that handle from the dataset:
 *	the copy pcc_cache_name() names there.  A file attached to it is
 *	detached first (PCC_DETACH_EVICTED): its I/O goes to the lower from
 *	then on, open files and mappings keep working.  The file is locked
 *	against attaching from the lookup to the unlink, so no open
 *	re-attaches it in between; its next open reports a miss again.
 *	Works as well when the file is not in memory: then the copy is
 *	unlinked.  Reply: PCC_A_EVICT_FLAGS (u32, PCC_EVICT_*).
 *	Errors: -ENOENT no such dataset or no copy there; -ESTALE the copy's
 *	xattr says it is of another dataset, type or handle; -EINVAL it has
 *	no valid xattr (a damaged copy; remove it by hand).  A copy refused
 *	is not touched, and no file is detached.
 *
 * PCC_CMD_FILE_GET (admin)
 *	dumpit, mount named: one message per file attached now, in no
 *	particular order:
 *	  PCC_A_MOUNT_ID	u32
 *	  PCC_A_DS_ID		u32, the dataset it is attached from
 *	  PCC_A_INO		u64, the lower inode number
 *	  PCC_A_FH_TYPE, PCC_A_FH	the lower handle its copy records
 *	  PCC_A_LAST_USE	u64, wall-clock seconds (Unix time) of the
 *				last read, splice or page fault served from
 *				the copy, or of the attach if none since
 *	  PCC_A_HITS		u64, reads, splices and faults served from
 *				the copy since the attach
 *	A dump during which files attached or detached is flagged
 *	NLM_F_DUMP_INTR (a file may then be missing or sent twice).
 *
 * The compiled rule
 * -----------------
 * A rule is an OR of terms, a term an AND of expressions, as Lustre's
 * "uid={500}&fname={*.h5},gid={100}".  PCC_A_DS_RULE nests up to
 * PCC_RULE_MAX_TERMS PCC_RULE_A_TERM; each nests up to PCC_RULE_MAX_EXPRS
 * PCC_TERM_A_EXPR; each expression nests:
 *	  PCC_EXPR_A_FIELD	u32, enum pcc_rule_field
 *	  PCC_EXPR_A_OP		u32, enum pcc_rule_op
 *	  PCC_EXPR_A_NUM	u64, repeated: the values of a numeric field
 *	  PCC_EXPR_A_GLOB	string, repeated: the patterns of FNAME
 * FNAME takes only PCC_RULE_OP_EQ and 1..PCC_RULE_MAX_VALUES patterns of
 * at most PCC_RULE_GLOB_MAX bytes (shell globs: * ? [..], matched against
 * the last name component); numeric fields take EQ with
 * 1..PCC_RULE_MAX_VALUES values or LT/GT with exactly one.  UID and GID
 * compare the file's owner and group (ids as seen from the initial user
 * namespace), PROJID its project id (0 when the lower has none), SIZE its
 * size in bytes, MTIME its age in seconds: now (wall clock) minus its
 * mtime, so MTIME GT 3600 means "last modified more than an hour ago";
 * MTIME takes only LT and GT.  A term with no expression, an expression
 * breaking any of this, or an unknown nested attribute is -EINVAL.
 *
 * Ioctls on pcc files
 * -------------------
 * On an open regular file of a pcc mount (any open mode):
 *
 * PCC_IOC_ATTACH (struct pcc_ioc_attach, in)
 *	Attach the file to its copy in dataset @dataset_id (0: the first
 *	dataset of @type's mode).  The copy must exist at the path
 *	pcc_cache_name() gives, be a regular file of the file's size, and
 *	carry PCC_XATTR_COPY recording the file's current lower version.
 *	Errors: -ENOENT no such dataset or no copy; -ESTALE the copy records
 *	another version; -EINVAL bad type or flags, or a damaged copy (or
 *	one group or others may read: copies must be mode 0600 or 0);
 *	-EBUSY the file is being written through pcc, has a shared mapping
 *	that may write, or a mapping of an earlier copy, or another attach
 *	is in progress, or the file is attached with the other type; -EPERM
 *	the caller may not (below).  Attaching an attached file again with
 *	its type is a no-op (0).
 *	PCC_TYPE_READWRITE (RW-PCC) attaches to a copy recorded as
 *	read-write, in a dataset with PCC_DS_MODE_RW, and needs exclusive
 *	use of the file on this node: -EBUSY if any other file of it is
 *	open (the descriptor the ioctl is made on is the one allowed) or
 *	it is mapped.  From then on its writes, truncates and fallocates go
 *	to the copy, stat shows the copy's size and times, and the copy is
 *	written back to the lower file at the last close of the file, and
 *	before any detach (PCC_XATTR_DIRTY).  Either type fails with
 *	-EBUSY while another node holds the file read-write
 *	(PCC_XATTR_RW_MARK).
 *
 * PCC_IOC_DETACH (struct pcc_ioc_detach, in/out)
 *	Detach the file.  PCC_DETACH_FL_UNCACHE also unlinks the copy.
 *	Out: @flags gets PCC_DETACH_FL_CACHE_REMOVED if a copy was unlinked.
 *	Detaching a file that is not attached is a no-op (0); with UNCACHE
 *	its copy in @dataset_id (0: every dataset) is still removed.  A
 *	read-write file is written back first; if that fails, it stays
 *	attached and the error is returned (-EIO, -ENOSPC, ...).
 *
 * PCC_IOC_STATE (struct pcc_ioc_state, in/out)
 *	The file's state.  Also on an open directory of a pcc mount, with
 *	@name set to the name of a file in it: then the file is not opened,
 *	so asking never attaches it (Lustre's lfs pcc state).
 *
 * PCC_IOC_VERSION (struct pcc_version, out)
 *	The lower file's current version, asked of the lower now (a GETATTR
 *	on NFS).  A copy maker asks before and after copying the data and
 *	records it only if the two are equal.  -EBUSY while the file is being
 *	written through pcc or has a shared mapping that may write (stores
 *	into dirty pages change no time of a local lower): try later.
 *
 * Who may: the admin (CAP_SYS_ADMIN) always; another user only on files
 * they may read (read permission on the lower file, as in Lustre's default
 * pcc_mode 0400), -EPERM otherwise.  A directory's PCC_IOC_STATE looks the
 * name up as the caller: without search permission on the directory it
 * fails as a lookup does, -EACCES.  PCC_IOC_STATE never waits for an
 * attach or detach in progress.
 *
 * Making a copy (what pccd and tests/vm/progs/pcc-ctl do)
 * ---------------------------------------------------------
 * 1. v1 = PCC_IOC_VERSION on the pcc file (opened O_RDONLY).
 * 2. In the dataset, create the fan-out directories of pcc_cache_name()
 *    (mode 0700, root) and an O_TMPFILE there (mode 0600 or 0, root).
 * 3. Copy the data from the pcc file, fsync.
 * 4. v2 = PCC_IOC_VERSION; if v2 != v1 the file changed: start again.
 * 5. Set PCC_XATTR_COPY (struct pcc_copy_xattr with v1), link the tmpfile
 *    at its name (replacing an older copy by rename), fsync the directory.
 * 6. PCC_IOC_ATTACH.
 * A partial copy is never linked in, so never found.
 *
 * Protocol history
 * ----------------
 *  1	first version: PCC_CMD_GET_VERSION.
 *  2	PCC_CMD_MOUNT_GET, PCC_CMD_DATASET_{ADD,DEL,CLEAR,SET,GET},
 *	PCC_CMD_EVENT and the events group; ioctls PCC_IOC_*; copy xattr
 *	format 1.
 *  3	PCC_CMD_EVICT, PCC_CMD_FILE_GET; PCC_DETACH_EVICTED and
 *	PCC_STAT_DETACH_EVICTED.
 *  4	read-write datasets and PCC_TYPE_READWRITE attach (RW-PCC),
 *	PCC_XATTR_DIRTY, PCC_STAT_WRITEBACKS and PCC_STAT_WRITEBACK_BYTES;
 *	shared writable mappings of read-write files, PCC_STAT_PAGED_*;
 *	PCC_CMD_EVICT refuses a copy not written back (-EBUSY).
 *  5	PCC_A_DS_WRITEBACK and PCC_A_DS_WB_INTERVAL: lazy write-back.
 *  6	the read-write mark on lower files (PCC_XATTR_RW_MARK), the mount
 *	option node=; PCC_XATTR_DIRTY's value is the node name.
 */
#ifndef _UAPI_LINUX_PCC_H
#define _UAPI_LINUX_PCC_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PCC_GENL_NAME		"pcc"
#define PCC_GENL_VERSION	6
#define PCC_GENL_MCGRP_EVENTS	"events"

/* The filesystem type registered by the module: mount -t pcc LOWER DIR. */
#define PCC_FS_NAME		"pcc"

/* f_type of statfs(2) is the lower's; this is the superblock's own magic. */
#define PCC_SUPER_MAGIC		0x50434331	/* "PCC1" */

/*
 * Extended attributes under this prefix belong to pcc (its cache copies are
 * described with them).  A pcc mount hides them: they are not listed, and
 * reading one through the mount gives ENODATA, setting or removing one EPERM.
 */
#define PCC_XATTR_PREFIX	"trusted.pcc."
#define PCC_XATTR_PREFIX_LEN	(sizeof(PCC_XATTR_PREFIX) - 1)

enum pcc_cmd {
	PCC_CMD_UNSPEC,
	PCC_CMD_GET_VERSION,
	PCC_CMD_MOUNT_GET,
	PCC_CMD_DATASET_ADD,
	PCC_CMD_DATASET_DEL,
	PCC_CMD_DATASET_CLEAR,
	PCC_CMD_DATASET_SET,
	PCC_CMD_DATASET_GET,
	PCC_CMD_EVENT,
	PCC_CMD_EVICT,
	PCC_CMD_FILE_GET,

	__PCC_CMD_MAX
};
#define PCC_CMD_MAX (__PCC_CMD_MAX - 1)

enum pcc_attr {
	PCC_A_UNSPEC,
	PCC_A_VERSION,		/* string: module release */
	PCC_A_GENL_VERSION,	/* u32: PCC_GENL_VERSION of the sender */
	PCC_A_MOUNT_ID,		/* u32 */
	PCC_A_MOUNT_PATH,	/* string: a path inside a pcc mount */
	PCC_A_MOUNT_LOWER,	/* string: the lower directory */
	PCC_A_MOUNT_GEN,	/* u32: the mount's generation */
	PCC_A_MOUNT_DATASETS,	/* u32 */
	PCC_A_MOUNT_ATTACHED,	/* u32 */
	PCC_A_STATS,		/* nested: u64 per enum pcc_stat (+1) */
	PCC_A_DS_ID,		/* u32 */
	PCC_A_DS_PATH,		/* string: absolute cache root */
	PCC_A_DS_MODE,		/* u32: PCC_DS_MODE_* */
	PCC_A_DS_ATTACH,	/* u32: PCC_DS_ATTACH_* */
	PCC_A_DS_RULE,		/* nested: enum pcc_rule_attr */
	PCC_A_DS_RULE_TEXT,	/* string */
	PCC_A_DS_ATTACHED,	/* u32 */
	PCC_A_EVENT,		/* u32: enum pcc_event */
	PCC_A_INO,		/* u64 */
	PCC_A_FH_TYPE,		/* u32 */
	PCC_A_FH,		/* binary, up to PCC_FH_MAX bytes */
	PCC_A_PATH,		/* string */
	PCC_A_REASON,		/* u32: enum pcc_detach_reason */
	PCC_A_ERRNO,		/* u32: a positive errno */
	PCC_A_PAD,		/* padding before a u64 (PCC_A_INO) */
	PCC_A_EVICT_FLAGS,	/* u32: PCC_EVICT_* */
	PCC_A_LAST_USE,		/* u64: Unix time, seconds */
	PCC_A_HITS,		/* u64 */
	PCC_A_DS_WRITEBACK,	/* u32: PCC_DS_WB_* */
	PCC_A_DS_WB_INTERVAL,	/* u32: seconds */

	__PCC_A_MAX
};
#define PCC_A_MAX (__PCC_A_MAX - 1)

/* Longest PCC_A_VERSION string, including the terminating NUL. */
#define PCC_VERSION_LEN		64

/* Dataset ids are 1..PCC_DS_ID_MAX; 0 means "the first" where allowed. */
#define PCC_DS_ID_MAX		0x7fffffff
/* Longest PCC_A_DS_PATH and PCC_A_PATH, including the NUL (PATH_MAX). */
#define PCC_PATH_MAX		4096
/* Longest PCC_A_DS_RULE_TEXT, including the NUL. */
#define PCC_RULE_TEXT_MAX	4096

/* PCC_A_DS_MODE */
#define PCC_DS_MODE_RO		0x1	/* read-only copies (RO-PCC) */
#define PCC_DS_MODE_RW		0x2	/* write-back copies (RW-PCC) */

/* PCC_A_DS_ATTACH: when a file may attach to an existing copy by itself. */
#define PCC_DS_ATTACH_OPEN	0x1	/* at open */
#define PCC_DS_ATTACH_STAT	0x2	/* at stat */
#define PCC_DS_ATTACH_IO	0x4	/* at read, splice, seek, fadvise
					 * (never at mmap: ADR 0005) */
#define PCC_DS_ATTACH_ALL	0x7

/*
 * PCC_A_DS_WRITEBACK: when a read-write copy is written back to the lower.
 * Both write back at a detach (pcc detach, dataset deletion, no room in the
 * cache) and try at unmount; a copy whose write-back failed stays dirty and
 * attached until one succeeds, and a copy still dirty when its file goes
 * (an unmount that could not write it back, a crash) is written back by
 * pccd before it next adds the dataset to a mount.
 */
#define PCC_DS_WB_CLOSE		0	/* at the last close, as NFS does:
					 * another node's next open sees
					 * the data (close-to-open) */
#define PCC_DS_WB_LAZY		1	/* within PCC_A_DS_WB_INTERVAL of
					 * the last close: for files only
					 * this node reads back */
#define PCC_DS_WB_INTERVAL_DEFAULT	30
#define PCC_DS_WB_INTERVAL_MAX		86400

/* PCC_A_EVICT_FLAGS: what PCC_CMD_EVICT found. */
#define PCC_EVICT_WAS_ATTACHED	0x1	/* a file was attached to the copy */
#define PCC_EVICT_IN_USE	0x2	/* a mapping of the copy still holds
					 * it: its space is freed only when
					 * that mapping goes */

/* The compiled rule: PCC_A_DS_RULE nests terms, which nest expressions. */
enum pcc_rule_attr {
	PCC_RULE_A_UNSPEC,
	PCC_RULE_A_TERM,	/* nested: enum pcc_term_attr */
	__PCC_RULE_A_MAX
};
#define PCC_RULE_A_MAX (__PCC_RULE_A_MAX - 1)

enum pcc_term_attr {
	PCC_TERM_A_UNSPEC,
	PCC_TERM_A_EXPR,	/* nested: enum pcc_expr_attr */
	__PCC_TERM_A_MAX
};
#define PCC_TERM_A_MAX (__PCC_TERM_A_MAX - 1)

enum pcc_expr_attr {
	PCC_EXPR_A_UNSPEC,
	PCC_EXPR_A_FIELD,	/* u32: enum pcc_rule_field */
	PCC_EXPR_A_OP,		/* u32: enum pcc_rule_op */
	PCC_EXPR_A_NUM,		/* u64, repeated */
	PCC_EXPR_A_GLOB,	/* string, repeated */
	__PCC_EXPR_A_MAX
};
#define PCC_EXPR_A_MAX (__PCC_EXPR_A_MAX - 1)

enum pcc_rule_field {
	PCC_RULE_UID = 1,
	PCC_RULE_GID,
	PCC_RULE_PROJID,
	PCC_RULE_FNAME,
	PCC_RULE_SIZE,
	PCC_RULE_MTIME,
};

enum pcc_rule_op {
	PCC_RULE_OP_EQ = 1,	/* any of the values */
	PCC_RULE_OP_LT,
	PCC_RULE_OP_GT,
};

#define PCC_RULE_MAX_TERMS	16
#define PCC_RULE_MAX_EXPRS	16
#define PCC_RULE_MAX_VALUES	64
#define PCC_RULE_GLOB_MAX	256	/* including the NUL */
/*
 * Largest PCC_A_DS_RULE, its header included: a dataset must fit in one
 * message of a PCC_CMD_DATASET_GET dump (the kernel fills at most 32 KiB;
 * receive with a buffer of at least that much).
 */
#define PCC_RULE_NEST_MAX	16384

/* Per-mount counters, PCC_A_STATS (attribute type = stat + 1). */
enum pcc_stat {
	PCC_STAT_ATTACH_MANUAL,		/* PCC_IOC_ATTACH */
	PCC_STAT_ATTACH_OPEN,		/* auto-attach at open */
	PCC_STAT_ATTACH_STAT,		/* at stat */
	PCC_STAT_ATTACH_IO,		/* at I/O or mmap */
	PCC_STAT_DETACH_MANUAL,		/* one per enum pcc_detach_reason */
	PCC_STAT_DETACH_STALE,
	PCC_STAT_DETACH_LOCAL_CHANGE,
	PCC_STAT_DETACH_DATASET,
	PCC_STAT_DETACH_COPY_GONE,
	PCC_STAT_DETACH_ERROR,
	PCC_STAT_HITS,			/* reads, splices, faults served */
	PCC_STAT_HIT_BYTES,		/* bytes read from copies */
	PCC_STAT_MISSES,		/* miss events raised */
	PCC_STAT_STALE,			/* copies found recording another
					 * version (attached or not) */
	PCC_STAT_FALLBACKS,		/* copy read failed, lower served */
	PCC_STAT_CACHE_ERRORS,		/* I/O errors on copies */
	PCC_STAT_EVENTS_DROPPED,	/* events not sent (no memory) */
	PCC_STAT_MIRROR_WRITES,		/* local writes also made to a
					 * mapped copy (ADR 0005) */
	PCC_STAT_DETACH_EVICTED,	/* PCC_DETACH_EVICTED */
	PCC_STAT_WRITEBACKS,		/* RW copies written back */
	PCC_STAT_WRITEBACK_BYTES,	/* bytes they wrote to the lower */
	PCC_STAT_PAGED_FAULTS,		/* faults of paged mappings (read-
					 * write files'), not for a store */
	PCC_STAT_PAGED_WRITE_FAULTS,	/* ... for a store (x86_64's first
					 * store to a page) */
	PCC_STAT_PAGED_MKWRITES,	/* stores to a page mapped read-only
					 * (->page_mkwrite) */
	PCC_STAT_MARKS,			/* lower files marked read-write
					 * (PCC_XATTR_RW_MARK) */
	PCC_STAT_MARK_CONFLICTS,	/* ... found marked by another node
					 * when this one marked them */
	PCC_STAT_HELD_ELSEWHERE,	/* attaches not made: another node
					 * holds the file read-write */

	__PCC_STAT_MAX
};
#define PCC_STAT_COUNT __PCC_STAT_MAX
/*
 * Attribute type 0 in the PCC_A_STATS nest is padding (to align a u64 on
 * architectures that need it), never a counter: skip it.
 */
#define PCC_STATS_A_PAD		0

enum pcc_event {
	PCC_EVENT_MISS = 1,	/* a file matching a rule opened, no copy */
	PCC_EVENT_ATTACHED,
	PCC_EVENT_DETACHED,	/* PCC_A_REASON says why */
	PCC_EVENT_STALE,	/* a copy of another version was found */
	PCC_EVENT_IO_ERROR,	/* I/O on a copy failed; PCC_A_ERRNO */
	PCC_EVENT_ENOSPC,	/* the cache is full; PCC_A_ERRNO */
};

enum pcc_detach_reason {
	PCC_DETACH_MANUAL = 1,	/* PCC_IOC_DETACH */
	PCC_DETACH_STALE,	/* the lower changed (found at open) */
	PCC_DETACH_LOCAL_CHANGE, /* written, truncated, mapped for writing
				  * through pcc */
	PCC_DETACH_DATASET,	/* its dataset was deleted */
	PCC_DETACH_COPY_GONE,	/* the copy was unlinked or damaged */
	PCC_DETACH_ERROR,	/* I/O on the copy failed */
	PCC_DETACH_EVICTED,	/* PCC_CMD_EVICT removed the copy */
};

/* Cache types, as Lustre's lu_pcc_type. */
enum pcc_type {
	PCC_TYPE_NONE = 0,
	PCC_TYPE_READWRITE = 1,	/* the copy holds the data (RW-PCC) */
	PCC_TYPE_READONLY = 2,
};

/*
 * The lower version: the identity and change state of a lower file.  A copy
 * records the version of the data it holds; it attaches only while the
 * lower file's current version is equal in every field.  The change
 * attribute (NFSv4's change, i_version) is used where the lower provides
 * one (PCC_VERSION_CHANGE set); mtime and ctime otherwise catch changes.
 * Host byte order: a cache belongs to one node.
 */
#define PCC_FH_MAX		128	/* MAX_HANDLE_SZ */
#define PCC_FH_TYPE_INO		0xffff	/* fallback: fh = __u64 inode number */
#define PCC_VERSION_CHANGE	0x1	/* @change is valid */

struct pcc_version {
	__u16	fh_type;	/* exportfs type, as name_to_handle_at(2) */
	__u16	fh_len;		/* bytes used of @fh */
	__u32	flags;		/* PCC_VERSION_* */
	__u8	fh[PCC_FH_MAX];	/* the lower file handle */
	__u64	size;
	__s64	mtime_sec;
	__s64	ctime_sec;
	__u32	mtime_nsec;
	__u32	ctime_nsec;
	__u64	change;
};

/*
 * The xattr of a cache copy.  A copy without it, with a different magic,
 * format or size, or whose type, dataset or version does not match, is
 * never attached.
 */
#define PCC_XATTR_COPY		PCC_XATTR_PREFIX "copy"
#define PCC_COPY_MAGIC		0x50434343	/* "PCCC" */
#define PCC_COPY_FORMAT		1

struct pcc_copy_xattr {
	__u32	magic;		/* PCC_COPY_MAGIC */
	__u32	format;		/* PCC_COPY_FORMAT */
	__u32	type;		/* enum pcc_type */
	__u32	dataset_id;	/* the dataset the copy belongs to */
	struct pcc_version version;
};

/*
 * The cache-path scheme: where the copy of a file lives in a dataset,
 * relative to its root.  One formula, used by the module and by userspace
 * alike, computed from the file handle only (name_to_handle_at(2) of the
 * lower file gives the same handle exportfs_encode_fh() gives the module;
 * a lower without export operations uses PCC_FH_TYPE_INO and the inode
 * number, which is less stable: the version check catches reuse):
 *
 *	HH/HH/TYPE-HEXFH
 *
 * HH are the two low bytes of the FNV-1a hash (32 bits) of the handle
 * bytes, in lowercase hex (65536 directories); TYPE is the handle type in
 * lowercase hex; HEXFH the handle bytes in lowercase hex.  A handle of more
 * than PCC_CACHE_NAME_FH_MAX bytes is named TYPE-hHASH64 instead (the FNV-1a
 * 64-bit hash, 16 hex digits); two handles with the same name are told
 * apart by the handle recorded in the copy's xattr.
 */
#define PCC_CACHE_NAME_FH_MAX	112
#define PCC_CACHE_NAME_MAX	(6 + 4 + 1 + 2 * PCC_CACHE_NAME_FH_MAX + 1)

static inline __u32 pcc_fnv1a32(const __u8 *p, __u32 len)
{
	__u32 h = 2166136261U;

	while (len--) {
		h ^= *p++;
		h *= 16777619U;
	}
	return h;
}

static inline __u64 pcc_fnv1a64(const __u8 *p, __u32 len)
{
	__u64 h = 14695981039346656037ULL;

	while (len--) {
		h ^= *p++;
		h *= 1099511628211ULL;
	}
	return h;
}

static inline char *pcc__hex(char *s, __u64 v, int digits)
{
	static const char x[] = "0123456789abcdef";

	while (digits--)
		*s++ = x[(v >> (4 * digits)) & 0xf];
	return s;
}

/*
 * Write the path of a copy relative to its dataset root into @buf, which
 * must hold PCC_CACHE_NAME_MAX bytes; returns the length (NUL excluded).
 */
static inline int pcc_cache_name(char *buf, __u32 fh_type, const __u8 *fh,
				 __u32 fh_len)
{
	__u32 h = pcc_fnv1a32(fh, fh_len);
	char *s = buf;
	__u32 i;
	int d;

	s = pcc__hex(s, h & 0xff, 2);
	*s++ = '/';
	s = pcc__hex(s, (h >> 8) & 0xff, 2);
	*s++ = '/';
	for (d = 1; d < 4 && (fh_type >> (4 * d)); d++)
		;
	s = pcc__hex(s, fh_type, d);
	*s++ = '-';
	if (fh_len > PCC_CACHE_NAME_FH_MAX) {
		*s++ = 'h';
		s = pcc__hex(s, pcc_fnv1a64(fh, fh_len), 16);
	} else {
		for (i = 0; i < fh_len; i++)
			s = pcc__hex(s, fh[i], 2);
	}
	*s = '\0';
	return s - buf;
}

/*
 * A read-write copy that may hold data the lower file does not have yet
 * carries this xattr too: it is set, and made durable with the copy's
 * fsync, before the first change after a write-back, and removed once the
 * lower holds the copy's data and PCC_XATTR_COPY records the lower's new
 * version.  Its value is the name of the node (the mount's node=) that
 * may have marked the lower file (PCC_XATTR_RW_MARK) meanwhile; copies
 * made before protocol 6 have "1".  A copy with it is never removed by
 * eviction; pccd writes it back before it hands its dataset to the module
 * (after a crash or a power cut), then removes the lower's mark if it
 * still has that value.
 */
#define PCC_XATTR_DIRTY		PCC_XATTR_PREFIX "dirty"

/*
 * The read-write mark, on the lower file: while a read-write copy holds
 * changes its lower file lacks (from the first change after a write-back
 * to the write-back, the span of PCC_XATTR_DIRTY), the lower file carries
 * this xattr, whose value is the name of the node holding them (the
 * mount option node=, by default the host name, which must then be a
 * node name and not localhost; at most PCC_NODE_MAX bytes).  A user
 * xattr, so that every node can read it through NFS, where the lower
 * filesystem supports them (ext4, xfs, NFSv4.2 to a server exporting one
 * of those, tmpfs from 6.6; not NFSv3): elsewhere there is no mark.
 *
 * Every pcc mount respects another node's mark: it does not attach the
 * file (PCC_IOC_ATTACH fails with -EBUSY, an open does not attach it and
 * reports no miss), so no node caches data that another one is about to
 * replace.  The mark is set with XATTR_CREATE: a mark of another node
 * already there is left alone, and the two nodes' write-backs go to the
 * lower file in turn, the last one winning, as between two NFS clients
 * writing one file.  A pcc mount does not list the mark (cp -a through it
 * does not copy it); getxattr(2) through it reads it.  A mark left by a
 * node that is gone for good is removed by hand on the lower file.
 */
#define PCC_XATTR_RW_MARK	"user.pcc.rw"
#define PCC_NODE_MAX		64

/* Ioctls on pcc files (see above). */
struct pcc_ioc_attach {
	__u32	type;		/* PCC_TYPE_READONLY or _READWRITE */
	__u32	dataset_id;	/* 0: the first dataset of that mode */
	__u32	flags;		/* none defined: must be 0 */
	__u32	reserved;	/* must be 0 */
};

#define PCC_DETACH_FL_UNCACHE		0x1	/* in: unlink the copy */
#define PCC_DETACH_FL_CACHE_REMOVED	0x8	/* out: a copy was unlinked */

struct pcc_ioc_detach {
	__u32	flags;		/* PCC_DETACH_FL_* */
	__u32	dataset_id;	/* UNCACHE of a detached file: 0 = all */
};

/* PCC_IOC_STATE @flags */
#define PCC_STATE_FL_ATTACHING	0x2	/* an attach is in progress */
#define PCC_STATE_FL_UNLINKED	0x4	/* the copy has no name any more */
#define PCC_STATE_FL_NONE	0x8	/* known to have no copy in any
					 * dataset at this generation */
#define PCC_STATE_FL_MAPPED	0x10	/* mapped from its copy now */
#define PCC_STATE_FL_DIRTY	0x20	/* read-write: changes not written
					 * back to the lower file yet */

struct pcc_ioc_state {
	__u32	type;		/* out: enum pcc_type */
	__u32	dataset_id;	/* out: attached from, or 0 */
	__u32	open_count;	/* out: open files of it on this mount */
	__u32	flags;		/* out: PCC_STATE_FL_* */
	__u32	namelen;	/* in (directory): strlen(name) + 1 */
	__u32	reserved;	/* must be 0 */
	char	path[PCC_PATH_MAX]; /* in (directory): a name in it; out:
				     * the copy's path in the dataset, or "" */
};

#define PCC_IOC_MAGIC		0xcc
#define PCC_IOC_ATTACH		_IOW(PCC_IOC_MAGIC, 1, struct pcc_ioc_attach)
#define PCC_IOC_DETACH		_IOWR(PCC_IOC_MAGIC, 2, struct pcc_ioc_detach)
#define PCC_IOC_STATE		_IOWR(PCC_IOC_MAGIC, 3, struct pcc_ioc_state)
#define PCC_IOC_VERSION		_IOR(PCC_IOC_MAGIC, 4, struct pcc_version)

/*
 * Fault injection, for tests: /sys/kernel/debug/pcc/fail_loc and fail_val
 * (root only; not a stable interface).  Writing an id below to fail_loc
 * arms it; with PCC_FAIL_ONCE it fires once and disarms.  Modelled on
 * Lustre's OBD_FAIL_LLITE_PCC_* (0x1411-0x1414).
 */
#define PCC_FAIL_CACHE_READ	0x1411	/* a read of a copy fails (-EIO) */
#define PCC_FAIL_DETACH_MKWRITE	0x1412	/* ->page_mkwrite detaches first */
#define PCC_FAIL_MKWRITE_PAUSE	0x1413	/* ->page_mkwrite sleeps fail_val ms */
#define PCC_FAIL_ATTACH_PAUSE	0x1414	/* attach sleeps fail_val ms before
					 * it commits */
#define PCC_FAIL_CACHE_WRITE	0x1415	/* a write to a copy fails (-EIO;
					 * a read-write copy's: -fail_val
					 * if set, e.g. 28, ENOSPC) */
#define PCC_FAIL_FAULT		0x1416	/* a fault on a copy fails */
#define PCC_FAIL_ONCE		0x80000000

#endif /* _UAPI_LINUX_PCC_H */
