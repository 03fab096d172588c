/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * copy.h - the copy-in engine: makes cache copies as include/uapi/linux/
 * pcc.h says ("Making a copy") and attaches them, on a pool of worker
 * threads, so the daemon's event loop never waits for a copy.
 *
 * The event loop submits jobs and polls pccd_copy_fd(); when it is
 * readable, pccd_copy_reap() calls each finished job's callbacks in the
 * loop's thread.  Two submissions for the same file and dataset while the
 * first is queued or running are merged: one copy is made and both
 * callbacks get its result.
 *
 * Credentials: a worker reads the lower file through the descriptor it was
 * given (a client's, opened with the client's credentials) or, for a path,
 * opens it with the file owner's fsuid/fsgid (per thread), then its own
 * (root) if that fails, so root_squash exports work.  The copy is created
 * and written as root, mode 0600.
 *
 * A copy that fails (ENOSPC, EDQUOT, EIO, a file changed during the copy,
 * the daemon killed) leaves nothing named in the dataset: the data goes to
 * an O_TMPFILE that is linked in only when complete, or, on filesystems
 * without O_TMPFILE, to a PCCD_COPY_TMP_PREFIX file that
 * pccd_copy_remove_leftover() removes.
 */
#ifndef PCCD_COPY_H
#define PCCD_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/pcc.h>

#define PCCD_COPY_TMP_PREFIX	".pcc-tmp."
/*
 * A pinned copy (pcc pin) carries this xattr, any value: space management
 * never evicts it, and a new copy replacing it keeps it.  A pin and an
 * eviction of one copy exclude each other by flock(LOCK_EX) on the copy:
 * the worker that pins holds it while it checks the copy is still linked
 * and sets the xattr; eviction holds it from its look at the xattr until
 * the module has unlinked the copy, and passes over a copy it finds locked.
 */
#define PCCD_XATTR_PIN		PCC_XATTR_PREFIX "pin"
/* Default number of worker threads. */
#define PCCD_COPY_WORKERS	4

struct pccd_copy_engine;

struct pccd_copy_result {
	int err;			/* 0 or a negative errno */
	char msg[256];			/* what failed, "" on success */
	bool already;			/* was attached, or a valid copy was
					 * there: no data copied */
	uint32_t ds_id;
	uint64_t bytes;			/* bytes copied */
	char cache_path[PCC_PATH_MAX];	/* absolute path of the copy */
	const char *ds_root;		/* the request's */
	int refused;			/* the admit hook's error, or 0 */
	uint64_t reserved;		/* bytes the admit hook reserved (0:
					 * none) */
	uint64_t reserved_tag;		/* where, as the hook tagged it */
	uint64_t reserved_filled;	/* of them, told written through
					 * the filled hook */
	uint64_t size;			/* of the file, when known */
	bool have_fh;			/* the lower's handle is known: */
	uint32_t fh_type, fh_len;
	uint8_t fh[PCC_FH_MAX];
};

typedef void (*pccd_copy_done_fn)(const struct pccd_copy_result *res,
				  void *arg);

/* What to copy.  Exactly one of fd (>= 0) and path (non-NULL). */
struct pccd_copy_req {
	int fd;			/* an open pcc file: the engine dup()s it */
	const char *path;	/* or an absolute path on a pcc mount */
	dev_t dev;		/* the pcc file's st_dev and st_ino: the */
	ino_t ino;		/* merge key with ds_root */
	const char *ds_root;	/* the dataset's directory (copied) */
	uint32_t ds_id;
	bool attach;		/* PCC_IOC_ATTACH once copied */
	bool pin;		/* set PCCD_XATTR_PIN on the copy */
	bool rw;		/* a read-write copy, attached read-write */
};

/*
 * Kernel calls, replaceable by the unit tests (NULL members: the ioctls,
 * and f{set,get}xattr of PCC_XATTR_COPY, a trusted.* xattr that only root
 * may set).  Each returns 0 or a negative errno; get_xattr -ENODATA when
 * the file has none, -EINVAL when it is not a struct pcc_copy_xattr.
 */
struct pccd_copy_ops {
	int (*version)(int fd, struct pcc_version *v);
	int (*attach)(int fd, uint32_t ds_id, uint32_t type);
	int (*state)(int fd, struct pcc_ioc_state *st);
	int (*set_xattr)(int fd, const struct pcc_copy_xattr *x);
	int (*get_xattr)(int fd, struct pcc_copy_xattr *x);
};

struct pccd_copy_stats {
	uint64_t copies;		/* copies made */
	uint64_t bytes;			/* bytes copied */
	uint64_t errors;		/* jobs failed */
	unsigned int queued;		/* waiting for a worker */
	unsigned int running;		/* being copied now */
};

/*
 * Space management's view of the copies (NULL members: none).  admit is
 * called on a worker before a new copy of size bytes is made in ds_root:
 * 0 to make it, -EAGAIN to wait
 * (it is asked again after pccd_copy_wake() or a second; the job stays
 * running, the ones queued behind it stay queued; after wait_s seconds,
 * PCCD_COPY_ADMIT_WAIT when 0, without a pccd_copy_wake() the copy is
 * refused with -ENOSPC, "no space"), another negative
 * errno to refuse it with msg.  On 0 it sets *reserved to the bytes it
 * reserved (0 when it reserved nothing, e.g. a dataset it does not know
 * yet) and *tag to where; both reach done in the result, which releases
 * exactly that.  filled is called on the worker as the copy's data
 * reaches the cache filesystem, with the bytes written since (at most
 * what is reserved), or negative with all of them when an attempt's data
 * is thrown away: the filesystem's own counts hold those bytes, and its
 * figures must not count them twice (reserved_filled in the result says
 * how many are told).  done is called in pccd_copy_reap()'s thread once
 * per finished job, before its callbacks.
 */
struct pccd_copy_hooks {
	int (*admit)(void *arg, const char *ds_root, uint64_t size,
		     uint64_t *reserved, uint64_t *tag, char *msg, size_t len);
	void (*filled)(void *arg, const char *ds_root, uint64_t tag,
		       int64_t bytes);
	void (*done)(void *arg, const struct pccd_copy_result *res);
	void *arg;
	unsigned int wait_s;
};

/* Seconds a copy waits for room while none is made. */
#define PCCD_COPY_ADMIT_WAIT	30

/* Set before the first submission. */
void pccd_copy_set_hooks(struct pccd_copy_engine *e,
			 const struct pccd_copy_hooks *hooks);
/* The lower version of the pcc file open as fd, through the engine's ops. */
int pccd_copy_version(struct pccd_copy_engine *e, int fd,
		      struct pcc_version *v);

/* Room was made: jobs waiting in admit ask again now. */
void pccd_copy_wake(struct pccd_copy_engine *e);

/* 0 or a negative errno.  ops may be NULL. */
int pccd_copy_engine_new(unsigned int workers,
			 const struct pccd_copy_ops *ops,
			 struct pccd_copy_engine **out);

/*
 * Stop: running jobs are told to stop and waited for, then every callback
 * still due is called, in the calling thread, so callers free what they
 * gave as arg: queued jobs with -ECANCELED, finished ones (those that were
 * running too) with their result, often -ECANCELED.  pccd_copy_submit()
 * from a callback then says -ECANCELED.  NULL-safe.
 */
void pccd_copy_engine_free(struct pccd_copy_engine *e);

/* Readable when finished jobs wait for pccd_copy_reap(). */
int pccd_copy_fd(const struct pccd_copy_engine *e);

/* Call the callbacks of every finished job. */
void pccd_copy_reap(struct pccd_copy_engine *e);

/*
 * Queue a copy; done(res, arg) is called from pccd_copy_reap() (done may
 * be NULL: nobody waits).  Returns 0 or a negative errno (then done is
 * never called): -EINVAL for a request without exactly one of fd and path,
 * with a relative path or ds_root, or a ds_id out of range.  A callback
 * must not call pccd_copy_reap() or pccd_copy_engine_free().
 */
int pccd_copy_submit(struct pccd_copy_engine *e,
		     const struct pccd_copy_req *req,
		     pccd_copy_done_fn done, void *arg);

/*
 * The dataset in ds_root is going (del, clear): its queued jobs finish
 * with -ECANCELED (their callbacks are called from pccd_copy_reap() as
 * usual), its running ones stop and link nothing.  Returns once no copy
 * of it can be linked any more, so copies removed after this stay removed.
 */
void pccd_copy_cancel_dataset(struct pccd_copy_engine *e,
			      const char *ds_root);

/*
 * Forget the callbacks registered with arg (a client that went away):
 * the copy goes on, nobody is told.
 */
void pccd_copy_forget(struct pccd_copy_engine *e, void *arg);

/*
 * Bytes copied so far and total of the job submitted for (dev, ino) in
 * ds_root; -ENOENT when none is queued or running.
 */
int pccd_copy_progress(struct pccd_copy_engine *e, dev_t dev, ino_t ino,
		       const char *ds_root, uint64_t *done, uint64_t *total);

void pccd_copy_get_stats(struct pccd_copy_engine *e,
			 struct pccd_copy_stats *st);

/*
 * Remove dfd/name (dfd: a HH/HH directory of a dataset) if it is what an
 * interrupted copy of a dead pccd left: a PCCD_COPY_TMP_PREFIX file that
 * is regular, the daemon's user's (root's), mode 0600 or less, with one
 * link (anything else may be a user's), whose name is not this daemon's
 * (pccd_copy_tmp_own()).  True if removed.  Space management's start-up
 * scan calls it for every such name.
 */
bool pccd_copy_remove_leftover(int dfd, const char *name);

/*
 * The start of this daemon's temporary names: the prefix, its pid and a
 * number drawn at its first use, so that no other daemon's (a dead one's,
 * even with the same pid after a reboot) begin the same way.
 */
void pccd_copy_tmp_own(char *buf, size_t len);

/*
 * Open the file name of directory dfd (a cache directory) for reading the
 * way every walk of a dataset must: no symlink followed, no wait on a
 * FIFO, no controlling terminal taken.  The descriptor or -1 (errno).
 */
int pccd_copy_open_at(int dfd, const char *name);

/*
 * Remove the read-only copies of dataset ds_id in ds_root (files whose
 * PCC_XATTR_COPY says PCC_TYPE_READONLY and ds_id), leftovers of
 * interrupted copies and the fan-out directories left empty.  Files that
 * are not pcc read-only copies are never removed: they may hold data found
 * nowhere else.  Fan-out directories are entered without following
 * symlinks, and only if they are the daemon's user's and nobody else may
 * write them (the engine refuses to copy into others).
 * Adds what was removed to *files and *bytes.
 */
int pccd_copy_remove_all(const char *ds_root, uint32_t ds_id,
			 uint64_t *files, uint64_t *bytes);
/* The same, reading the xattrs through ops (NULL: fgetxattr). */
int pccd_copy_remove_all_with(const struct pccd_copy_ops *ops,
			      const char *ds_root, uint32_t ds_id,
			      uint64_t *files, uint64_t *bytes);

/* Count the files and bytes (allocated) under ds_root. */
int pccd_copy_usage(const char *ds_root, uint64_t *files, uint64_t *bytes);

#endif /* PCCD_COPY_H */
