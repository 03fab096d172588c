// SPDX-License-Identifier: GPL-2.0-only
/*
 * copy.c - the copy-in engine (copy.h): a queue of jobs, a pool of worker
 * threads that make the copies, and an eventfd that tells the event loop
 * when finished jobs wait for their callbacks.
 *
 * Locking: one mutex guards the lists, the callbacks, the stats and every
 * job field but the progress counters (atomics, read by
 * pccd_copy_progress() while a worker adds to them) and the data a worker
 * owns while the job runs (its descriptors and its result).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <linux/pcc.h>

#include "copy.h"
#include "log.h"

#define COPY_WORKERS_MAX	256
/* Bytes per copy_file_range/splice call: the cancel flag is seen between. */
#define COPY_CHUNK		(8 << 20)
#define COPY_BUF		(1 << 20)
/* Attempts at a copy while the file keeps changing under it. */
#define COPY_ATTEMPTS		3
/* PCC_IOC_VERSION says EBUSY while the file is written through pcc. */
#define VERSION_TRIES		20
#define VERSION_WAIT_NS		(50 * 1000 * 1000)

enum copy_method {
	METHOD_CFR,		/* copy_file_range */
	METHOD_SPLICE,		/* splice through a pipe */
	METHOD_RW,		/* pread/pwrite */
};

struct copy_cb {
	pccd_copy_done_fn done;
	void *arg;
	struct copy_cb *next;
};

struct copy_job {
	struct copy_job *next;
	dev_t dev;
	ino_t ino;
	char *ds_root;
	uint32_t ds_id;
	int fd;			/* the dup()ed descriptor, or -1 */
	char *path;		/* or the path */
	bool attach;		/* may be set by a merged submission */
	bool pin;		/* likewise */
	bool rw;		/* a read-write copy (PCC_TYPE_READWRITE) */
	bool hooked;		/* the done hook was called */
	bool cancel;		/* its dataset is going: link nothing */
	bool linking;		/* between the cancel check and the link */
	struct copy_cb *cbs;
	uint64_t done;		/* progress: atomics */
	uint64_t total;
	struct pccd_copy_result res;
};

struct pccd_copy_engine {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_cond_t linked;	/* a job left its linking section */
	pthread_cond_t room;	/* pccd_copy_wake(): space was made */
	uint64_t wakes;		/* pccd_copy_wake() calls */
	struct pccd_copy_hooks hooks;
	struct copy_job *queue, **queue_tail;
	struct copy_job *running;
	struct copy_job *finished, **finished_tail;
	unsigned int nqueued, nrunning;
	bool stop;		/* also the cancel flag of running jobs */
	int efd;
	pthread_t *threads;
	unsigned int nthreads;
	struct pccd_copy_ops ops;
	struct pccd_copy_stats stats;
	/* The daemon's own credentials, restored after reading as an owner. */
	uid_t euid;
	gid_t egid;
	gid_t *groups;
	int ngroups;
};

/* What one worker keeps between jobs. */
struct copy_worker {
	struct pccd_copy_engine *e;
	char *buf;		/* COPY_BUF bytes, for METHOD_RW */
};

/* One job being run. */
struct copy_ctx {
	struct pccd_copy_engine *e;
	struct copy_worker *w;
	struct copy_job *j;
	struct pccd_copy_result *res;
	const char *what;	/* the file, for messages */
	char what_buf[64];
	int src, root, d2, tmp;
	int pipe[2];
	enum copy_method method;
	bool tmp_named;		/* tmpname exists in d2 */
	bool read_err;		/* the last error came from the source */
	char name[PCC_CACHE_NAME_MAX];
	char tmpname[64];
};

static unsigned int tmp_counter;
/*
 * This daemon's temporary names start with PCCD_COPY_TMP_PREFIX, its pid
 * and this number, drawn once: a dead daemon's leftovers are told from
 * live copies by name alone, whatever pid a later boot reuses and
 * whatever the clock does.
 */
static pthread_once_t tmp_nonce_once = PTHREAD_ONCE_INIT;
static unsigned int tmp_nonce;

static void tmp_nonce_draw(void)
{
	if (getrandom(&tmp_nonce, sizeof(tmp_nonce), GRND_NONBLOCK) !=
	    sizeof(tmp_nonce))
		tmp_nonce = (unsigned int)time(NULL) ^ (unsigned int)getpid();
}

void pccd_copy_tmp_own(char *buf, size_t len)
{
	pthread_once(&tmp_nonce_once, tmp_nonce_draw);
	snprintf(buf, len, "%s%d-%08x.", PCCD_COPY_TMP_PREFIX, (int)getpid(),
		 tmp_nonce);
}

/* The daemon is stopping, or the job's dataset is being removed. */
static bool cancelled(struct copy_ctx *c)
{
	return __atomic_load_n(&c->e->stop, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&c->j->cancel, __ATOMIC_RELAXED);
}

/* --- the kernel, unless the tests replace it ------------------------------ */

static int ioc_version(int fd, struct pcc_version *v)
{
	return ioctl(fd, PCC_IOC_VERSION, v) ? -errno : 0;
}

static int ioc_attach(int fd, uint32_t ds_id, uint32_t type)
{
	struct pcc_ioc_attach a = {
		.type = type,
		.dataset_id = ds_id,
	};

	return ioctl(fd, PCC_IOC_ATTACH, &a) ? -errno : 0;
}

static int ioc_state(int fd, struct pcc_ioc_state *st)
{
	return ioctl(fd, PCC_IOC_STATE, st) ? -errno : 0;
}

static int xattr_set(int fd, const struct pcc_copy_xattr *x)
{
	return fsetxattr(fd, PCC_XATTR_COPY, x, sizeof(*x), 0) ? -errno : 0;
}

static int xattr_get(int fd, struct pcc_copy_xattr *x)
{
	ssize_t n = fgetxattr(fd, PCC_XATTR_COPY, x, sizeof(*x));

	if (n < 0)
		return errno == ERANGE ? -EINVAL : -errno;
	return n == sizeof(*x) ? 0 : -EINVAL;
}

static void ops_fill(struct pccd_copy_ops *o, const struct pccd_copy_ops *in)
{
	if (in)
		*o = *in;
	if (!o->version)
		o->version = ioc_version;
	if (!o->attach)
		o->attach = ioc_attach;
	if (!o->state)
		o->state = ioc_state;
	if (!o->set_xattr)
		o->set_xattr = xattr_set;
	if (!o->get_xattr)
		o->get_xattr = xattr_get;
}

/*
 * Equal in every field the kernel compares; the handle only up to fh_len,
 * so bytes past it (whatever filled them) never make two versions differ.
 */
static bool version_equal(const struct pcc_version *a,
			  const struct pcc_version *b)
{
	return a->fh_type == b->fh_type && a->fh_len == b->fh_len &&
	       a->fh_len <= PCC_FH_MAX && a->flags == b->flags &&
	       !memcmp(a->fh, b->fh, a->fh_len) && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->ctime_sec == b->ctime_sec &&
	       a->mtime_nsec == b->mtime_nsec &&
	       a->ctime_nsec == b->ctime_nsec && a->change == b->change;
}

static bool xattr_is_copy(const struct pcc_copy_xattr *x, uint32_t ds_id,
			  uint32_t type)
{
	return x->magic == PCC_COPY_MAGIC && x->format == PCC_COPY_FORMAT &&
	       x->type == type && x->dataset_id == ds_id;
}

static bool xattr_is_ro_copy(const struct pcc_copy_xattr *x, uint32_t ds_id)
{
	return xattr_is_copy(x, ds_id, PCC_TYPE_READONLY);
}

static uint32_t job_type(const struct copy_job *j)
{
	return j->rw ? PCC_TYPE_READWRITE : PCC_TYPE_READONLY;
}

/* --- messages ------------------------------------------------------------- */

static int PCC_PRINTF(3, 4) fail(struct copy_ctx *c, int err,
				 const char *fmt, ...)
{
	va_list ap;

	c->res->err = err;
	va_start(ap, fmt);
	vsnprintf(c->res->msg, sizeof(c->res->msg), fmt, ap);
	va_end(ap);
	return err;
}

static const char *errno_name(int err)
{
	switch (err) {
	case -ENOSPC: return "ENOSPC";
	case -EDQUOT: return "EDQUOT";
	case -EIO: return "EIO";
	case -EFBIG: return "EFBIG";
	default: return "";
	}
}

/* A failure writing the cache: a full cache is named as such. */
static int fail_cache(struct copy_ctx *c, int err, const char *doing)
{
	const char *root = c->j->ds_root;

	if (err == -ENOSPC)
		return fail(c, err, "cache %s is full (ENOSPC)", root);
	if (err == -EDQUOT)
		return fail(c, err, "cache %s is over its quota (EDQUOT)",
			    root);
	if (err == -EIO || err == -EFBIG)
		return fail(c, err, "cache %s: %s (%s) %s %s", root,
			    strerror(-err), errno_name(err), doing, c->what);
	return fail(c, err, "cache %s: %s %s: %s", root, doing, c->what,
		    strerror(-err));
}

/* --- credentials ---------------------------------------------------------- */

/*
 * setfsuid, setfsgid and the raw setgroups change the calling thread only
 * (glibc's setgroups() would change every thread of the daemon).
 */
static int set_thread_creds(uid_t uid, gid_t gid, int n, const gid_t *groups)
{
	if (syscall(SYS_setgroups, (size_t)n, groups))
		return -errno;
	syscall(SYS_setfsgid, gid);
	if ((gid_t)syscall(SYS_setfsgid, (gid_t)-1) != gid)
		return -EPERM;
	syscall(SYS_setfsuid, uid);
	if ((uid_t)syscall(SYS_setfsuid, (uid_t)-1) != uid)
		return -EPERM;
	return 0;
}

static void restore_creds(struct pccd_copy_engine *e)
{
	/*
	 * Setting fsuid back to 0 gives back the file capabilities
	 * (CAP_DAC_OVERRIDE, CAP_CHOWN, CAP_FOWNER...) that the change to
	 * another fsuid cleared.  setfsgid and setgroups need CAP_SETGID,
	 * which no fsuid change touches: the order is not what makes them
	 * work.
	 */
	syscall(SYS_setfsuid, e->euid);
	syscall(SYS_setfsgid, e->egid);
	if ((uid_t)syscall(SYS_setfsuid, (uid_t)-1) != e->euid ||
	    (gid_t)syscall(SYS_setfsgid, (gid_t)-1) != e->egid ||
	    syscall(SYS_setgroups, (size_t)e->ngroups, e->groups)) {
		/* Going on with another user's rights would be worse. */
		log_errx("copy", "cannot restore the daemon's credentials");
		abort();
	}
}

/* Most a passwd entry may need; sysconf() may not know (-1). */
#define PW_BUF_MAX	(1 << 20)

/*
 * The passwd entry of uid in *pw, its strings in *buf (to free): sized by
 * sysconf(_SC_GETPW_R_SIZE_MAX), grown while getpwuid_r says ERANGE.
 * 0, -ENOENT (no such user) or a negative errno.
 */
static int user_of(uid_t uid, struct passwd *pw, char **buf)
{
	struct passwd *pwp = NULL;
	long size = sysconf(_SC_GETPW_R_SIZE_MAX);
	char *b = NULL, *nb;
	int err;

	if (size <= 0)
		size = 16384;
	for (;;) {
		nb = realloc(b, size);
		if (!nb) {
			err = ENOMEM;
			break;
		}
		b = nb;
		err = getpwuid_r(uid, pw, b, size, &pwp);
		if (err != ERANGE || size >= PW_BUF_MAX)
			break;
		size *= 2;
	}
	if (!err && !pwp)
		err = ENOENT;
	if (err) {
		free(b);
		b = NULL;
	}
	*buf = b;
	return -err;
}

/* Open path with the credentials of uid (its groups too). */
static int open_as(struct pccd_copy_engine *e, const char *path, uid_t uid,
		   gid_t gid)
{
	gid_t groups[64];
	struct passwd pw;
	char *pwbuf;
	int n = 64, fd, err;

	if (!user_of(uid, &pw, &pwbuf)) {
		if (getgrouplist(pw.pw_name, gid, groups, &n) < 0)
			n = 64;	/* the first 64 of them */
		free(pwbuf);
	} else {
		groups[0] = gid;
		n = 1;
	}
	err = set_thread_creds(uid, gid, n, groups);
	if (err) {
		restore_creds(e);
		return err;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
		  O_NOCTTY);
	err = fd < 0 ? -errno : 0;
	restore_creds(e);
	return fd < 0 ? err : fd;
}

/* --- one copy --------------------------------------------------------------- */

static int open_source(struct copy_ctx *c)
{
	struct copy_job *j = c->j;
	struct stat st;
	int fd = -1, err;

	if (j->fd >= 0) {
		c->src = j->fd;
		j->fd = -1;
		return 0;
	}
	if (lstat(j->path, &st))
		return fail(c, -errno, "%s: %s", j->path, strerror(errno));
	/* Before open: opening a FIFO would wait for a writer. */
	if (!S_ISREG(st.st_mode))
		return fail(c, -EINVAL, "%s is not a regular file", j->path);
	/* As the owner first (root_squash), as the daemon if that fails. */
	if (c->e->euid == 0 && st.st_uid != 0)
		fd = open_as(c->e, j->path, st.st_uid, st.st_gid);
	/* O_NONBLOCK: a FIFO swapped in since the lstat does not block. */
	if (fd < 0)
		fd = open(j->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
			  O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		return fail(c, err, "cannot open %s: %s", j->path,
			    strerror(-err));
	}
	c->src = fd;
	if (fstat(fd, &st))
		return fail(c, -errno, "%s: %s", j->path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(c, -EINVAL, "%s is not a regular file", j->path);
	if ((j->dev && st.st_dev != j->dev) || (j->ino && st.st_ino != j->ino))
		return fail(c, -ESTALE, "%s: the file changed (renamed over?) "
			    "before its copy", j->path);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK))
		return fail(c, -errno, "%s: %s", j->path, strerror(errno));
	return 0;
}

static int get_version(struct copy_ctx *c, struct pcc_version *v)
{
	struct timespec wait = { .tv_nsec = VERSION_WAIT_NS };
	int tries, err;

	for (tries = 1; ; tries++) {
		memset(v, 0, sizeof(*v));
		err = c->e->ops.version(c->src, v);
		if (err != -EBUSY || tries >= VERSION_TRIES)
			break;
		if (cancelled(c))
			return -ECANCELED;
		nanosleep(&wait, NULL);
	}
	if (err == -EBUSY)
		return fail(c, err, "%s is being written through pcc or mapped "
			    "for writing (EBUSY): not copied", c->what);
	if (err)
		return fail(c, err, "cannot get the version of %s: %s",
			    c->what, strerror(-err));
	if (v->fh_len > PCC_FH_MAX)
		return fail(c, -EINVAL, "the version of %s has a file handle "
			    "of %u bytes", c->what, v->fh_len);
	return 0;
}

/*
 * A fan-out directory the engine may use: a directory of the daemon's
 * user (root) that nobody else may write, so no other user can swap what
 * is in it.  fd was opened O_NOFOLLOW: a symlink never gets here.
 */
static bool trusted_dir(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISDIR(st.st_mode) &&
	       st.st_uid == geteuid() && !(st.st_mode & 022);
}

/*
 * mkdir dirfd/name 0700 unless it is a directory already; then open it,
 * refusing one that is not trusted_dir(): another user could swap the
 * copy or a temporary name in it.
 */
static int open_subdir(struct copy_ctx *c, int dirfd, const char *name)
{
	int fd;

	if (mkdirat(dirfd, name, 0700) == 0) {
		/* A new entry: durable before the copy below it is. */
		if (fsync(dirfd))
			return fail_cache(c, -errno, "syncing a directory for");
	} else if (errno != EEXIST) {
		return fail_cache(c, -errno, "creating a directory for");
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return fail(c, -EPERM, "cache %s: %s in it is not a directory "
			    "(a symlink?): %s not copied", c->j->ds_root, name,
			    c->what);
	if (fd < 0)
		return fail_cache(c, -errno, "opening a directory for");
	if (!trusted_dir(fd)) {
		close(fd);
		return fail(c, -EPERM, "cache %s: directory %s in it is not "
			    "the daemon's or others may write it: %s not "
			    "copied", c->j->ds_root, name, c->what);
	}
	return fd;
}

/* The fan-out directories of c->name (HH/HH/NAME): c->d2 is the last. */
static int open_dirs(struct copy_ctx *c)
{
	char part[3];
	int d1;

	if (c->d2 >= 0)
		close(c->d2);
	c->d2 = -1;
	if (c->root < 0) {
		c->root = open(c->j->ds_root, O_RDONLY | O_DIRECTORY |
			       O_CLOEXEC);
		if (c->root < 0)
			return fail(c, -errno, "cache %s: %s", c->j->ds_root,
				    strerror(errno));
	}
	memcpy(part, c->name, 2);
	part[2] = '\0';
	d1 = open_subdir(c, c->root, part);
	if (d1 < 0)
		return d1;
	memcpy(part, c->name + 3, 2);
	c->d2 = open_subdir(c, d1, part);
	close(d1);
	return c->d2 < 0 ? c->d2 : 0;
}

/* A copy of exactly v for this dataset is in place already. */
static bool copy_is_valid(struct copy_ctx *c, const struct pcc_version *v)
{
	struct pcc_copy_xattr x;
	struct stat st;
	bool ok;
	int fd;

	fd = openat(c->d2, c->name + 6, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
	if (fd < 0)
		return false;
	memset(&x, 0, sizeof(x));
	ok = !fstat(fd, &st) && S_ISREG(st.st_mode) &&
	     (uint64_t)st.st_size == v->size && !(st.st_mode & 077) &&
	     !c->e->ops.get_xattr(fd, &x) &&
	     xattr_is_copy(&x, c->j->ds_id, job_type(c->j)) &&
	     version_equal(&x.version, v) &&
	     fgetxattr(fd, PCC_XATTR_DIRTY, NULL, 0) < 0;
	close(fd);
	return ok;
}

/* Close the unfinished copy; a named one is unlinked. */
static void discard_tmp(struct copy_ctx *c)
{
	if (c->tmp_named && unlinkat(c->d2, c->tmpname, 0) &&
	    errno != ENOENT)
		log_warn("copy", "cannot remove %s/%.5s/%s", c->j->ds_root,
			 c->name, c->tmpname);
	c->tmp_named = false;
	if (c->tmp >= 0)
		close(c->tmp);
	c->tmp = -1;
}

/* A temporary name in c->d2, unique in this daemon. */
static void tmp_name(struct copy_ctx *c)
{
	char own[sizeof(c->tmpname) / 2];

	pccd_copy_tmp_own(own, sizeof(own));
	snprintf(c->tmpname, sizeof(c->tmpname), "%s%ld.%u", own,
		 (long)syscall(SYS_gettid),
		 __atomic_add_fetch(&tmp_counter, 1, __ATOMIC_RELAXED));
}

static int make_tmp(struct copy_ctx *c)
{
	int err, i;

	c->tmp = openat(c->d2, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (c->tmp < 0 && errno != EOPNOTSUPP && errno != EISDIR)
		return fail_cache(c, -errno, "creating the copy of");
	/*
	 * No O_TMPFILE here: a named file pccd_copy_remove_leftover()
	 * knows, made in the directory checked (no path walked again).
	 */
	for (i = 0; c->tmp < 0 && i < 100; i++) {
		tmp_name(c);
		c->tmp = openat(c->d2, c->tmpname, O_RDWR | O_CREAT | O_EXCL |
				O_NOFOLLOW | O_CLOEXEC, 0600);
		if (c->tmp < 0 && errno != EEXIST)
			return fail_cache(c, -errno, "creating the copy of");
		c->tmp_named = c->tmp >= 0;
	}
	if (c->tmp < 0)
		return fail_cache(c, -EEXIST, "creating the copy of");
	/* Exactly 0600 whatever the umask: the kernel refuses more. */
	if (fchmod(c->tmp, 0600)) {
		err = -errno;
		discard_tmp(c);
		return fail_cache(c, err, "creating the copy of");
	}
	return 0;
}

static bool cfr_unsupported(int err)
{
	return err == EXDEV || err == EOPNOTSUPP || err == EINVAL ||
	       err == ENOSYS;
}

/*
 * Copy len bytes at pos with splice through a pipe.  Returns the bytes
 * written (0: end of the source), or -errno with *fallback set when splice
 * does not work between these files (what was written stands).
 */
static ssize_t splice_chunk(struct copy_ctx *c, off_t pos, size_t len,
			    bool *fallback)
{
	loff_t in = pos, out = pos;
	ssize_t n, m;
	int sz;

	if (c->pipe[0] < 0) {
		if (pipe2(c->pipe, O_CLOEXEC))
			return -errno;
		fcntl(c->pipe[1], F_SETPIPE_SZ, COPY_BUF);
	}
	sz = fcntl(c->pipe[1], F_GETPIPE_SZ);
	if (sz > 0 && len > (size_t)sz)
		len = sz;
	do {
		n = splice(c->src, &in, c->pipe[1], NULL, len, SPLICE_F_MOVE);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		*fallback = cfr_unsupported(errno);
		c->read_err = true;
		return -errno;
	}
	while (out < pos + n) {
		m = splice(c->pipe[0], NULL, c->tmp, &out, pos + n - out,
			   SPLICE_F_MOVE);
		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0) {
			int err = m < 0 ? errno : EIO;

			/* The pipe holds data never written: a new one. */
			close(c->pipe[0]);
			close(c->pipe[1]);
			c->pipe[0] = c->pipe[1] = -1;
			*fallback = cfr_unsupported(err);
			if (*fallback && out > pos)
				return out - pos;
			return -err;
		}
	}
	return n;
}

static ssize_t rw_chunk(struct copy_ctx *c, off_t pos, size_t len)
{
	ssize_t n, m, off = 0;

	if (!c->w->buf) {
		c->w->buf = malloc(COPY_BUF);
		if (!c->w->buf)
			return -ENOMEM;
	}
	if (len > COPY_BUF)
		len = COPY_BUF;
	do {
		n = pread(c->src, c->w->buf, len, pos);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		c->read_err = true;
		return -errno;
	}
	while (off < n) {
		m = pwrite(c->tmp, c->w->buf + off, n - off, pos + off);
		if (m < 0 && errno == EINTR)
			continue;
		if (m < 0)
			return -errno;
		off += m;
	}
	return n;
}

/*
 * bytes more of an admitted copy are on the cache filesystem (negative:
 * that many fewer, its attempt thrown away): tell space management, which
 * counts them there now and no longer in the reservation (copy.h).
 */
static void filled(struct copy_ctx *c, int64_t bytes)
{
	struct pccd_copy_engine *e = c->e;
	struct pccd_copy_result *res = c->res;
	uint64_t left = res->reserved - res->reserved_filled;

	if (!e->hooks.filled || !res->reserved)
		return;
	if (bytes > 0 && (uint64_t)bytes > left)
		bytes = (int64_t)left;
	if (bytes < 0 && (uint64_t)-bytes > res->reserved_filled)
		bytes = -(int64_t)res->reserved_filled;
	if (!bytes)
		return;
	e->hooks.filled(e->hooks.arg, c->j->ds_root, res->reserved_tag, bytes);
	res->reserved_filled += bytes;
}

/* Copy [pos, end) with the fastest method that works, remembered. */
static int copy_range(struct copy_ctx *c, off_t pos, off_t end)
{
	bool fallback;
	ssize_t n;

	while (pos < end) {
		size_t len = end - pos > COPY_CHUNK ? COPY_CHUNK : end - pos;
		loff_t in = pos, out = pos;

		if (cancelled(c))
			return -ECANCELED;
		fallback = false;
		switch (c->method) {
		case METHOD_CFR:
			n = copy_file_range(c->src, &in, c->tmp, &out, len, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				fallback = cfr_unsupported(errno);
				n = -errno;
			}
			break;
		case METHOD_SPLICE:
			n = splice_chunk(c, pos, len, &fallback);
			break;
		default:
			n = rw_chunk(c, pos, len);
			break;
		}
		/*
		 * Nothing copied before the end: the file shrank, or (for
		 * copy_file_range and splice on some filesystems) the method
		 * does not really work here: try the next one first.
		 */
		if (n == 0 && c->method != METHOD_RW)
			fallback = true;
		if (fallback && c->method != METHOD_RW) {
			c->method++;
			c->read_err = false;
			if (n < 0)
				n = 0;
		} else if (n == 0) {
			return -ESTALE;
		}
		if (n < 0)
			return n;
		pos += n;
		__atomic_add_fetch(&c->j->done, n, __ATOMIC_RELAXED);
		c->res->bytes += n;
		filled(c, n);
	}
	return 0;
}

/*
 * The data segments SEEK_DATA/SEEK_HOLE report, holes left as holes, then
 * the size (so a trailing hole stays one).  Without SEEK_DATA, all of it.
 */
static int copy_data(struct copy_ctx *c, off_t size)
{
	off_t pos = 0, data, hole;
	bool sparse = true;
	int err;

	while (pos < size) {
		data = pos;
		hole = size;
		if (sparse) {
			data = lseek(c->src, pos, SEEK_DATA);
			if (data < 0 && errno == ENXIO)
				break;		/* a hole to the end */
			if (data >= 0)
				hole = lseek(c->src, data, SEEK_HOLE);
			if (data < 0 || hole < 0) {
				if (errno == ENXIO)
					return -ESTALE;	/* truncated */
				sparse = false;
				data = pos;
				hole = size;
			}
			if (data >= size)
				break;
			if (hole > size)
				hole = size;
		}
		err = copy_range(c, data, hole);
		if (err)
			return err;
		pos = hole;
	}
	if (ftruncate(c->tmp, size))
		return -errno;
	return 0;
}

/* Link the copy as a temporary name, then rename it to its own. */
static int link_named(struct copy_ctx *c)
{
	char procfd[64];
	int i;

	if (!c->tmp_named) {
		for (i = 0; i < 100; i++) {
			tmp_name(c);
			if (!linkat(c->tmp, "", c->d2, c->tmpname,
				    AT_EMPTY_PATH))
				break;
			/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH. */
			if (errno == ENOENT || errno == EPERM) {
				snprintf(procfd, sizeof(procfd),
					 "/proc/self/fd/%d", c->tmp);
				if (!linkat(AT_FDCWD, procfd, c->d2,
					    c->tmpname, AT_SYMLINK_FOLLOW))
					break;
			}
			if (errno != EEXIST)
				return fail_cache(c, -errno, "linking the "
						  "copy of");
		}
		if (i == 100)
			return fail_cache(c, -EEXIST, "linking the copy of");
		c->tmp_named = true;
	}
	if (renameat(c->d2, c->tmpname, c->d2, c->name + 6))
		return fail_cache(c, -errno, "renaming the copy of");
	c->tmp_named = false;
	return 0;
}

/*
 * Give the finished copy its name: a temporary one, then a rename.  Not
 * once its dataset is cancelled: pccd_copy_cancel_dataset() waits for a
 * job between its check and its rename, so the copies its caller removes
 * next include this one, and none is linked after.
 */
static int link_copy(struct copy_ctx *c)
{
	int err;

	pthread_mutex_lock(&c->e->lock);
	if (cancelled(c)) {
		pthread_mutex_unlock(&c->e->lock);
		return -ECANCELED;
	}
	c->j->linking = true;
	pthread_mutex_unlock(&c->e->lock);
	err = link_named(c);
	pthread_mutex_lock(&c->e->lock);
	c->j->linking = false;
	pthread_cond_broadcast(&c->e->linked);
	pthread_mutex_unlock(&c->e->lock);
	if (err)
		return err;
	if (fsync(c->d2)) {
		err = -errno;
		/* Nothing named may stay of a copy that failed. */
		unlinkat(c->d2, c->name + 6, 0);
		return fail_cache(c, err, "syncing the copy of");
	}
	return 0;
}

static void set_cache_path(struct copy_ctx *c, const char *rel)
{
	const char *root = c->j->ds_root;
	size_t len = strlen(root);

	while (len > 1 && root[len - 1] == '/')
		len--;
	snprintf(c->res->cache_path, sizeof(c->res->cache_path), "%.*s/%s",
		 (int)len, len == 1 ? "" : root, rel);
}

/*
 * Whether the lower file of fd (a pcc file) carries another node's
 * read-write mark (PCC_XATTR_RW_MARK, which pcc lets one read): that node's
 * name in node.  The kernel refuses to attach such a file (EBUSY).
 */
static bool held_by(int fd, char *node, size_t size)
{
	ssize_t n = fgetxattr(fd, PCC_XATTR_RW_MARK, node, size - 1);

	if (n <= 0)
		return false;
	node[n] = '\0';
	return true;
}

/*
 * Attach the copy if asked.  *linked says whether a copy stays named: one
 * just made (fresh) for a dataset the kernel no longer has (ENOENT: the
 * dataset was removed while it was copied) is unlinked, as its removal
 * would have been; a read-only copy only duplicates the lower file.  So
 * is one of a file another node holds read-write: its data are about to
 * change.
 */
static int do_attach(struct copy_ctx *c, bool fresh, bool *linked)
{
	char node[PCC_NODE_MAX + 1];
	bool attach;
	int err;

	*linked = true;
	pthread_mutex_lock(&c->e->lock);
	attach = c->j->attach;
	pthread_mutex_unlock(&c->e->lock);
	if (!attach)
		return 0;
	err = c->e->ops.attach(c->src, c->j->ds_id, job_type(c->j));
	if (err == -ENOENT && fresh) {
		if (unlinkat(c->d2, c->name + 6, 0) && errno != ENOENT)
			log_warn("copy", "cannot remove %s",
				 c->res->cache_path);
		else
			*linked = false;
		return fail(c, err, "dataset %u of %s is gone: the copy of %s "
			    "is not kept", c->j->ds_id, c->j->ds_root,
			    c->what);
	}
	if (err == -EBUSY && held_by(c->src, node, sizeof(node))) {
		if (fresh && !unlinkat(c->d2, c->name + 6, 0))
			*linked = false;
		return fail(c, err, "%s is held read-write by node %s (%s on "
			    "the lower file): not attached until its "
			    "write-back", c->what, node, PCC_XATTR_RW_MARK);
	}
	if (err == -EBUSY && c->j->rw) {
		/* Another opener may write the lower: the copy is not kept. */
		if (fresh && !unlinkat(c->d2, c->name + 6, 0))
			*linked = false;
		return fail(c, err, "%s is open elsewhere on this node, mapped "
			    "or attached read-only: a read-write attach needs "
			    "it to itself", c->what);
	}
	if (err)
		return fail(c, err, "%s is copied to %s but the kernel did not "
			    "attach it: %s", c->what, c->res->cache_path,
			    strerror(-err));
	return 0;
}

/*
 * The copy this one replaces (an older version at the same name), opened
 * and pin-locked (copy.h) until the new one is linked over it: eviction
 * holds that lock from its look at a copy to the module's unlinking of
 * it by name, so it never takes the new copy for the old.  -1 if none.
 */
static int lock_replaced(struct copy_ctx *c)
{
	int fd = pccd_copy_open_at(c->d2, c->name + 6);

	if (fd >= 0 && flock(fd, LOCK_EX)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * A copy replacing a pinned one (old: the replaced copy, or -1) stays
 * pinned: the mark belongs to the file, not to one version of its data.
 * One made by pcc pin is pinned already when it is linked: there is no
 * moment when it is in the cache unpinned for eviction to take.
 */
static void keep_pin(struct copy_ctx *c, int old)
{
	bool pin;
	char v[8];

	pthread_mutex_lock(&c->e->lock);
	pin = c->j->pin;
	pthread_mutex_unlock(&c->e->lock);
	if (!pin && old >= 0)
		pin = fgetxattr(old, PCCD_XATTR_PIN, v, sizeof(v)) >= 0;
	if (pin && fsetxattr(c->tmp, PCCD_XATTR_PIN, "1", 1, 0))
		log_warn("copy", "%s: the new copy of a pinned file is not "
			 "pinned", c->what);
}

/*
 * Ask space management whether a copy of size bytes may be made; wait
 * while it says to, but not for ever: without room made (a
 * pccd_copy_wake()) for wait_s seconds, the copy is refused as "no
 * space".  0, or the failure (refused, or cancelled).
 */
static int admit(struct copy_ctx *c, uint64_t size)
{
	struct pccd_copy_engine *e = c->e;
	unsigned int wait_s = e->hooks.wait_s ? e->hooks.wait_s
					      : PCCD_COPY_ADMIT_WAIT;
	struct timespec until, now, since;
	uint64_t reserved, tag, wakes;
	char msg[200];
	int err;

	if (!e->hooks.admit)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &since);
	pthread_mutex_lock(&e->lock);
	wakes = e->wakes;
	pthread_mutex_unlock(&e->lock);
	for (;;) {
		msg[0] = '\0';
		reserved = 0;
		tag = 0;
		err = e->hooks.admit(e->hooks.arg, c->j->ds_root, size,
				     &reserved, &tag, msg, sizeof(msg));
		if (err != -EAGAIN)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		pthread_mutex_lock(&e->lock);
		if (e->wakes != wakes) {
			wakes = e->wakes;
			since = now;
		}
		if (now.tv_sec - since.tv_sec >= (time_t)wait_s) {
			pthread_mutex_unlock(&e->lock);
			snprintf(msg, sizeof(msg), "no space: no room was made "
				 "in %s for %u s", c->j->ds_root, wait_s);
			err = -ENOSPC;
			break;
		}
		if (!cancelled(c)) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec++;
			pthread_cond_timedwait(&e->room, &e->lock, &until);
		}
		pthread_mutex_unlock(&e->lock);
		if (cancelled(c))
			return -ECANCELED;
	}
	if (!err) {
		/* Only what the hook says it reserved is released. */
		c->res->reserved = reserved;
		c->res->reserved_tag = tag;
		return 0;
	}
	c->res->refused = err;
	return fail(c, err, "%s not copied: %s", c->what,
		    msg[0] ? msg : strerror(-err));
}

/*
 * Mark the copy pinned, as pcc pin asked, under the pin lock (copy.h): a
 * copy eviction took meanwhile is unlinked, and saying "pinned" of it
 * would be a lie.
 */
static int set_pin(struct copy_ctx *c)
{
	struct stat st;
	int fd, err = 0;

	if (!c->res->cache_path[0])
		return fail(c, -ENOENT, "%s is attached to another dataset: "
			    "not pinned", c->what);
	fd = open(c->res->cache_path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		  O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || flock(fd, LOCK_EX) || fstat(fd, &st))
		err = -errno;
	if (err == -ENOENT || (!err && st.st_nlink == 0))
		err = fail(c, -EAGAIN, "%s was evicted while being pinned: "
			   "pin it again", c->what);
	else if (!err && fsetxattr(fd, PCCD_XATTR_PIN, "1", 1, 0))
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err && !c->res->err)
		fail(c, err, "cannot pin %s (%s): %s", c->what,
		     c->res->cache_path, strerror(-err));
	return err;
}

/* One attempt: 0, -ESTALE when the file changed, or the failure. */
static int copy_once(struct copy_ctx *c, const struct pcc_version *v1)
{
	struct pcc_version v2;
	struct pcc_copy_xattr x;
	int err, old;

	__atomic_store_n(&c->j->total, v1->size, __ATOMIC_RELAXED);
	__atomic_store_n(&c->j->done, 0, __ATOMIC_RELAXED);
	c->res->bytes = 0;
	err = make_tmp(c);
	if (err)
		return err;
	c->read_err = false;
	err = copy_data(c, v1->size);
	if (err == -ESTALE || err == -ECANCELED)
		goto out;
	if (err && c->read_err) {
		fail(c, err, "cannot read %s: %s", c->what, strerror(-err));
		goto out;
	}
	if (err) {
		fail_cache(c, err, "writing the copy of");
		goto out;
	}
	if (fsync(c->tmp)) {
		err = fail_cache(c, -errno, "syncing the copy of");
		goto out;
	}
	err = get_version(c, &v2);
	if (err)
		goto out;
	if (!version_equal(v1, &v2)) {
		err = -ESTALE;
		goto out;
	}
	memset(&x, 0, sizeof(x));
	x.magic = PCC_COPY_MAGIC;
	x.format = PCC_COPY_FORMAT;
	x.type = job_type(c->j);
	x.dataset_id = c->j->ds_id;
	x.version = *v1;
	err = c->e->ops.set_xattr(c->tmp, &x);
	if (err) {
		fail_cache(c, err, "setting " PCC_XATTR_COPY " on the copy of");
		goto out;
	}
	old = lock_replaced(c);
	/* A copy a crash left dirty holds the only copy of some writes. */
	if (old >= 0 && fgetxattr(old, PCC_XATTR_DIRTY, NULL, 0) >= 0) {
		close(old);
		err = fail(c, -EBUSY, "the copy of %s in %s holds data not "
			   "written back yet (pccd writes it back when it "
			   "adds the dataset): not replaced", c->what,
			   c->j->ds_root);
		goto out;
	}
	keep_pin(c, old);
	err = link_copy(c);
	if (old >= 0)
		close(old);
out:
	discard_tmp(c);
	/* Not linked: its data is gone, the reservation holds it again. */
	if (err)
		filled(c, -(int64_t)c->res->reserved_filled);
	return err;
}

static void run_job(struct copy_worker *w, struct copy_job *j)
{
	struct copy_ctx c = {
		.e = w->e, .w = w, .j = j, .res = &j->res,
		.src = -1, .root = -1, .d2 = -1, .tmp = -1,
		.pipe = { -1, -1 }, .method = METHOD_CFR,
	};
	struct pcc_ioc_state st;
	struct pcc_version v1;
	char node[PCC_NODE_MAX + 1];
	bool linked = false;
	struct stat sst;
	int attempt, err;

	j->res.ds_id = j->ds_id;
	if (j->path) {
		c.what = j->path;
	} else {
		snprintf(c.what_buf, sizeof(c.what_buf), "inode %llu",
			 (unsigned long long)j->ino);
		c.what = c.what_buf;
	}
	err = open_source(&c);
	if (err)
		goto out;
	if (fstat(c.src, &sst)) {
		err = fail(&c, -errno, "%s: %s", c.what, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sst.st_mode)) {
		err = fail(&c, -EINVAL, "%s is not a regular file", c.what);
		goto out;
	}
	memset(&st, 0, sizeof(st));
	err = c.e->ops.state(c.src, &st);
	if (err) {
		fail(&c, err, "cannot get the pcc state of %s: %s", c.what,
		     strerror(-err));
		goto out;
	}
	/* Read-write serves reads too; read-only cannot serve writes. */
	if (j->rw && st.type == PCC_TYPE_READONLY) {
		err = fail(&c, -EBUSY, "%s is attached read-only: detach it "
			   "before attaching it read-write", c.what);
		goto out;
	}
	if (st.type != PCC_TYPE_NONE) {
		j->res.already = true;
		j->res.ds_id = st.dataset_id;
		st.path[sizeof(st.path) - 1] = '\0';
		if (st.dataset_id == j->ds_id && st.path[0])
			set_cache_path(&c, st.path);
		goto out;
	}
	/*
	 * Not a copy of what another node is about to replace: the kernel
	 * would not attach it.  (A read-write attach may find this node's
	 * own mark, left by a crash: the kernel takes that for its own.)
	 */
	if (!j->rw && held_by(c.src, node, sizeof(node))) {
		err = fail(&c, -EBUSY, "%s is held read-write by node %s (%s "
			   "on the lower file): not copied until its "
			   "write-back", c.what, node, PCC_XATTR_RW_MARK);
		goto out;
	}
	for (attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
		err = get_version(&c, &v1);
		if (err)
			goto out;
		pcc_cache_name(c.name, v1.fh_type, v1.fh, v1.fh_len);
		set_cache_path(&c, c.name);
		err = open_dirs(&c);
		if (err)
			goto out;
		j->res.size = v1.size;
		j->res.have_fh = true;
		j->res.fh_type = v1.fh_type;
		j->res.fh_len = v1.fh_len;
		memcpy(j->res.fh, v1.fh, v1.fh_len);
		if (copy_is_valid(&c, &v1)) {
			j->res.already = true;
			err = do_attach(&c, false, &linked);
			goto out;
		}
		/* Once: the space stays reserved for the next attempts. */
		if (!attempt) {
			err = admit(&c, v1.size);
			if (err)
				goto out;
		}
		err = copy_once(&c, &v1);
		if (err != -ESTALE)
			break;
		log_debug("copy", "%s changed during the copy (attempt %d)",
			  c.what, attempt + 1);
	}
	if (err == -ESTALE) {
		fail(&c, err, "%s changed during the copy (%d attempts): not "
		     "cached", c.what, COPY_ATTEMPTS);
		goto out;
	}
	if (err)
		goto out;
	pthread_mutex_lock(&c.e->lock);
	c.e->stats.copies++;
	c.e->stats.bytes += j->res.bytes;
	pthread_mutex_unlock(&c.e->lock);
	err = do_attach(&c, true, &linked);
out:
	if (!err) {
		bool pin;

		pthread_mutex_lock(&c.e->lock);
		pin = j->pin;
		pthread_mutex_unlock(&c.e->lock);
		if (pin)
			err = set_pin(&c);
	}
	if (err == -ECANCELED && !j->res.err) {
		if (__atomic_load_n(&c.e->stop, __ATOMIC_RELAXED))
			fail(&c, err, "the daemon is stopping: %s not copied",
			     c.what);
		else
			fail(&c, err, "dataset %s is being removed: %s not "
			     "copied", j->ds_root, c.what);
	}
	if (err && !j->res.err)
		fail(&c, err, "%s: %s", c.what, strerror(-err));
	/* A copy is named only if one is in place (the attach may fail). */
	if (err && !linked)
		j->res.cache_path[0] = '\0';
	if (c.pipe[0] >= 0) {
		close(c.pipe[0]);
		close(c.pipe[1]);
	}
	if (c.d2 >= 0)
		close(c.d2);
	if (c.root >= 0)
		close(c.root);
	if (c.src >= 0)
		close(c.src);
}

/* --- the engine ------------------------------------------------------------- */

static void job_free(struct copy_job *j)
{
	struct copy_cb *cb;

	while ((cb = j->cbs)) {
		j->cbs = cb->next;
		free(cb);
	}
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j->ds_root);
	free(j);
}

static void list_remove(struct copy_job **head, struct copy_job *j)
{
	for (; *head; head = &(*head)->next) {
		if (*head == j) {
			*head = j->next;
			return;
		}
	}
}

/* Under the lock: j goes to the finished list, the loop is told. */
static void finish_job(struct pccd_copy_engine *e, struct copy_job *j)
{
	uint64_t one = 1;

	j->next = NULL;
	*e->finished_tail = j;
	e->finished_tail = &j->next;
	if (write(e->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("copy", "cannot signal a finished copy");
}

static void *worker_main(void *arg)
{
	struct copy_worker w = { .e = arg };
	struct pccd_copy_engine *e = w.e;
	struct copy_job *j;

	pthread_mutex_lock(&e->lock);
	while (!e->stop) {
		j = e->queue;
		if (!j) {
			pthread_cond_wait(&e->cond, &e->lock);
			continue;
		}
		e->queue = j->next;
		if (!e->queue)
			e->queue_tail = &e->queue;
		e->nqueued--;
		j->next = e->running;
		e->running = j;
		e->nrunning++;
		pthread_mutex_unlock(&e->lock);

		run_job(&w, j);

		pthread_mutex_lock(&e->lock);
		list_remove(&e->running, j);
		e->nrunning--;
		if (j->res.err)
			e->stats.errors++;
		finish_job(e, j);
	}
	pthread_mutex_unlock(&e->lock);
	free(w.buf);
	return NULL;
}

int pccd_copy_engine_new(unsigned int workers,
			 const struct pccd_copy_ops *ops,
			 struct pccd_copy_engine **out)
{
	struct pccd_copy_engine *e;
	int err, n;

	*out = NULL;
	if (!workers)
		workers = PCCD_COPY_WORKERS;
	if (workers > COPY_WORKERS_MAX)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	ops_fill(&e->ops, ops);
	e->queue_tail = &e->queue;
	e->finished_tail = &e->finished;
	e->euid = geteuid();
	e->egid = getegid();
	n = getgroups(0, NULL);
	if (n > 0) {
		e->groups = calloc(n, sizeof(*e->groups));
		if (!e->groups) {
			free(e);
			return -ENOMEM;
		}
		n = getgroups(n, e->groups);
	}
	if (n < 0) {
		err = -errno;
		free(e->groups);
		free(e);
		return err;
	}
	e->ngroups = n;
	e->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->efd < 0) {
		err = -errno;
		free(e->groups);
		free(e);
		return err;
	}
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, NULL);
	pthread_cond_init(&e->linked, NULL);
	pthread_cond_init(&e->room, NULL);
	e->threads = calloc(workers, sizeof(*e->threads));
	if (!e->threads) {
		pccd_copy_engine_free(e);
		return -ENOMEM;
	}
	for (; e->nthreads < workers; e->nthreads++) {
		err = -pthread_create(&e->threads[e->nthreads], NULL,
				      worker_main, e);
		if (err) {
			pccd_copy_engine_free(e);
			return err;
		}
	}
	*out = e;
	return 0;
}

void pccd_copy_engine_free(struct pccd_copy_engine *e)
{
	struct copy_job *j;
	unsigned int i;

	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	__atomic_store_n(&e->stop, true, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&e->cond);
	pthread_cond_broadcast(&e->room);
	pthread_mutex_unlock(&e->lock);
	for (i = 0; i < e->nthreads; i++)
		pthread_join(e->threads[i], NULL);
	/*
	 * Every callback is called, here, so its caller's state is freed:
	 * queued jobs never ran (ECANCELED), finished ones (those that were
	 * running too) with their result.  A callback's pccd_copy_submit()
	 * says ECANCELED: e->stop is set.
	 */
	while ((j = e->queue)) {
		e->queue = j->next;
		j->res.err = -ECANCELED;
		j->res.ds_id = j->ds_id;
		snprintf(j->res.msg, sizeof(j->res.msg), "the daemon is "
			 "stopping: %s not copied",
			 j->path ? j->path : "the file");
		finish_job(e, j);
	}
	e->queue_tail = &e->queue;
	e->nqueued = 0;
	pccd_copy_reap(e);
	pthread_cond_destroy(&e->cond);
	pthread_cond_destroy(&e->linked);
	pthread_cond_destroy(&e->room);
	pthread_mutex_destroy(&e->lock);
	close(e->efd);
	free(e->threads);
	free(e->groups);
	free(e);
}

void pccd_copy_set_hooks(struct pccd_copy_engine *e,
			 const struct pccd_copy_hooks *hooks)
{
	pthread_mutex_lock(&e->lock);
	e->hooks = *hooks;
	pthread_mutex_unlock(&e->lock);
}

int pccd_copy_version(struct pccd_copy_engine *e, int fd,
		      struct pcc_version *v)
{
	return e->ops.version(fd, v);
}

void pccd_copy_wake(struct pccd_copy_engine *e)
{
	pthread_mutex_lock(&e->lock);
	e->wakes++;
	pthread_cond_broadcast(&e->room);
	pthread_mutex_unlock(&e->lock);
}

int pccd_copy_fd(const struct pccd_copy_engine *e)
{
	return e->efd;
}

void pccd_copy_reap(struct pccd_copy_engine *e)
{
	struct copy_job *j;
	struct copy_cb *cb;
	uint64_t n;

	if (read(e->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("copy", "cannot read the engine's eventfd");
	pthread_mutex_lock(&e->lock);
	while ((j = e->finished)) {
		if (!j->hooked && e->hooks.done) {
			j->hooked = true;
			pthread_mutex_unlock(&e->lock);
			e->hooks.done(e->hooks.arg, &j->res);
			pthread_mutex_lock(&e->lock);
			continue;
		}
		cb = j->cbs;
		if (cb) {
			/*
			 * One callback at a time, unlocked: it may forget
			 * other callbacks, which then are not called.
			 */
			j->cbs = cb->next;
			pthread_mutex_unlock(&e->lock);
			cb->done(&j->res, cb->arg);
			free(cb);
			pthread_mutex_lock(&e->lock);
			continue;
		}
		e->finished = j->next;
		if (!e->finished)
			e->finished_tail = &e->finished;
		job_free(j);
	}
	pthread_mutex_unlock(&e->lock);
}

static bool job_is(const struct copy_job *j, dev_t dev, ino_t ino,
		   const char *ds_root)
{
	return j->dev == dev && j->ino == ino && !strcmp(j->ds_root, ds_root);
}

static struct copy_job *find_job(struct pccd_copy_engine *e, dev_t dev,
				 ino_t ino, const char *ds_root)
{
	struct copy_job *j;

	for (j = e->queue; j; j = j->next)
		if (job_is(j, dev, ino, ds_root))
			return j;
	/* A cancelled job copies nothing: a new submission is a new job. */
	for (j = e->running; j; j = j->next)
		if (job_is(j, dev, ino, ds_root) &&
		    !__atomic_load_n(&j->cancel, __ATOMIC_RELAXED))
			return j;
	return NULL;
}

int pccd_copy_submit(struct pccd_copy_engine *e,
		     const struct pccd_copy_req *req,
		     pccd_copy_done_fn done, void *arg)
{
	struct copy_job *j, *other;
	struct copy_cb *cb = NULL;

	if ((req->fd >= 0) == (req->path != NULL) ||
	    (req->path && req->path[0] != '/') || !req->ds_root ||
	    req->ds_root[0] != '/' || !req->ds_id ||
	    req->ds_id > PCC_DS_ID_MAX)
		return -EINVAL;
	if (done) {
		cb = calloc(1, sizeof(*cb));
		if (!cb)
			return -ENOMEM;
		cb->done = done;
		cb->arg = arg;
	}

	pthread_mutex_lock(&e->lock);
	if (e->stop) {
		pthread_mutex_unlock(&e->lock);
		free(cb);
		return -ECANCELED;
	}
	j = find_job(e, req->dev, req->ino, req->ds_root);
	if (j && j->rw != req->rw) {
		pthread_mutex_unlock(&e->lock);
		free(cb);
		return -EBUSY;	/* a copy of the other kind is being made */
	}
	if (j) {
		/* One copy for both; an attach asked by either is made. */
		if (cb) {
			cb->next = j->cbs;
			j->cbs = cb;
		}
		j->attach |= req->attach;
		j->pin |= req->pin;
		pthread_mutex_unlock(&e->lock);
		return 0;
	}
	pthread_mutex_unlock(&e->lock);

	j = calloc(1, sizeof(*j));
	if (!j) {
		free(cb);
		return -ENOMEM;
	}
	j->fd = -1;
	j->cbs = cb;
	j->dev = req->dev;
	j->ino = req->ino;
	j->ds_id = req->ds_id;
	j->attach = req->attach;
	j->pin = req->pin;
	j->rw = req->rw;
	j->ds_root = strdup(req->ds_root);
	j->res.ds_root = j->ds_root;
	if (req->path)
		j->path = strdup(req->path);
	if (!j->ds_root || (req->path && !j->path)) {
		job_free(j);
		return -ENOMEM;
	}
	if (!req->path) {
		/* The caller may close its descriptor once this returns. */
		j->fd = fcntl(req->fd, F_DUPFD_CLOEXEC, 3);
		if (j->fd < 0) {
			int err = -errno;

			job_free(j);
			return err;
		}
	}

	pthread_mutex_lock(&e->lock);
	/* The same file may have been submitted meanwhile: merge. */
	other = find_job(e, req->dev, req->ino, req->ds_root);
	if (other && other->rw != req->rw) {
		pthread_mutex_unlock(&e->lock);
		job_free(j);
		return -EBUSY;
	}
	if (other || e->stop) {
		if (other && cb) {
			cb->next = other->cbs;
			other->cbs = cb;
		}
		if (other) {
			other->attach |= req->attach;
			other->pin |= req->pin;
		}
		else
			free(cb);
		j->cbs = NULL;
		pthread_mutex_unlock(&e->lock);
		job_free(j);
		return other ? 0 : -ECANCELED;
	}
	*e->queue_tail = j;
	e->queue_tail = &j->next;
	e->nqueued++;
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
	return 0;
}

void pccd_copy_cancel_dataset(struct pccd_copy_engine *e,
			      const char *ds_root)
{
	struct copy_job **p, *j;
	bool wait;

	pthread_mutex_lock(&e->lock);
	for (p = &e->queue; (j = *p);) {
		if (strcmp(j->ds_root, ds_root)) {
			p = &j->next;
			continue;
		}
		*p = j->next;
		e->nqueued--;
		j->res.err = -ECANCELED;
		j->res.ds_id = j->ds_id;
		snprintf(j->res.msg, sizeof(j->res.msg), "dataset %s is being "
			 "removed: %s not copied", ds_root,
			 j->path ? j->path : "the file");
		e->stats.errors++;
		finish_job(e, j);
	}
	e->queue_tail = &e->queue;
	while (*e->queue_tail)
		e->queue_tail = &(*e->queue_tail)->next;
	for (j = e->running; j; j = j->next)
		if (!strcmp(j->ds_root, ds_root))
			__atomic_store_n(&j->cancel, true, __ATOMIC_RELAXED);
	/* Jobs waiting for room see the cancel now. */
	pthread_cond_broadcast(&e->room);
	/* A job past its check links now: wait, its copy is then seen. */
	do {
		wait = false;
		for (j = e->running; j; j = j->next)
			if (j->linking && !strcmp(j->ds_root, ds_root))
				wait = true;
		if (wait)
			pthread_cond_wait(&e->linked, &e->lock);
	} while (wait);
	pthread_mutex_unlock(&e->lock);
}

static void forget_in(struct copy_job *j, void *arg)
{
	struct copy_cb **p, *cb;

	for (; j; j = j->next) {
		for (p = &j->cbs; (cb = *p);) {
			if (cb->arg == arg) {
				*p = cb->next;
				free(cb);
			} else {
				p = &cb->next;
			}
		}
	}
}

void pccd_copy_forget(struct pccd_copy_engine *e, void *arg)
{
	pthread_mutex_lock(&e->lock);
	forget_in(e->queue, arg);
	forget_in(e->running, arg);
	forget_in(e->finished, arg);
	pthread_mutex_unlock(&e->lock);
}

int pccd_copy_progress(struct pccd_copy_engine *e, dev_t dev, ino_t ino,
		       const char *ds_root, uint64_t *done, uint64_t *total)
{
	struct copy_job *j;

	pthread_mutex_lock(&e->lock);
	j = find_job(e, dev, ino, ds_root);
	if (j) {
		*done = __atomic_load_n(&j->done, __ATOMIC_RELAXED);
		*total = __atomic_load_n(&j->total, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&e->lock);
	return j ? 0 : -ENOENT;
}

void pccd_copy_get_stats(struct pccd_copy_engine *e,
			 struct pccd_copy_stats *st)
{
	pthread_mutex_lock(&e->lock);
	*st = e->stats;
	st->queued = e->nqueued;
	st->running = e->nrunning;
	pthread_mutex_unlock(&e->lock);
}

/* --- what is on disk -------------------------------------------------------- */

static bool is_hex2(const char *s)
{
	static const char hex[] = "0123456789abcdef";

	return s[0] && strchr(hex, s[0]) && s[1] && strchr(hex, s[1]) &&
	       !s[2];
}

/*
 * What an interrupted copy leaves: a regular file named so, the daemon's
 * (root's), mode 0600 or less, one link.  Anything else is somebody's.
 */
static bool is_leftover(const char *name, const struct stat *st)
{
	return !strncmp(name, PCCD_COPY_TMP_PREFIX,
			strlen(PCCD_COPY_TMP_PREFIX)) &&
	       S_ISREG(st->st_mode) && st->st_uid == geteuid() &&
	       !(st->st_mode & 077) && st->st_nlink == 1;
}

/* Called for each entry of a HH/HH directory, dfd: that directory. */
typedef void (*fanout_fn)(int dfd, const char *name, void *arg);

/* Open dir/name if it is a trusted fan-out directory; NULL if not. */
static DIR *fanout_open(int dfd, const char *dir, const char *name)
{
	DIR *d;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOTDIR && errno != ELOOP && errno != ENOENT)
			log_warn("copy", "cannot open %s/%s", dir, name);
		return NULL;
	}
	if (!trusted_dir(fd)) {
		log_warn("copy", "%s/%s is not a directory of the daemon's "
			 "user that only it may write: skipped", dir, name);
		close(fd);
		return NULL;
	}
	d = fdopendir(fd);
	if (!d) {
		log_warn("copy", "cannot open %s/%s", dir, name);
		close(fd);
	}
	return d;
}

/*
 * Call fn for every entry of ds_root/HH/HH (where copies and leftovers
 * live; nothing elsewhere is touched), through directory descriptors
 * opened without following symlinks, so a directory a user swapped for a
 * symlink leads nowhere.  With prune, fan-out directories left empty are
 * removed.  0 or a negative errno (the root cannot be read).
 */
static int fanout_walk(const char *ds_root, fanout_fn fn, void *arg,
		       bool prune)
{
	struct dirent *e1, *e2, *e3;
	DIR *root, *d1, *d2;
	char path[PCC_PATH_MAX + 8];
	int fd, err = 0;

	/* The root is the administrator's: symlinks in it are meant. */
	fd = open(ds_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	root = fdopendir(fd);
	if (!root) {
		err = -errno;
		close(fd);
		return err;
	}
	while ((errno = 0, e1 = readdir(root))) {
		if (!is_hex2(e1->d_name))
			continue;
		d1 = fanout_open(dirfd(root), ds_root, e1->d_name);
		if (!d1)
			continue;
		snprintf(path, sizeof(path), "%s/%s", ds_root, e1->d_name);
		while ((errno = 0, e2 = readdir(d1))) {
			if (!is_hex2(e2->d_name))
				continue;
			d2 = fanout_open(dirfd(d1), path, e2->d_name);
			if (!d2)
				continue;
			while ((e3 = readdir(d2)))
				if (strcmp(e3->d_name, ".") &&
				    strcmp(e3->d_name, ".."))
					fn(dirfd(d2), e3->d_name, arg);
			closedir(d2);
			if (prune && unlinkat(dirfd(d1), e2->d_name,
					      AT_REMOVEDIR) &&
			    errno != ENOTEMPTY && errno != EEXIST)
				log_warn("copy", "cannot remove %s/%s", path,
					 e2->d_name);
		}
		closedir(d1);
		if (prune && unlinkat(dirfd(root), e1->d_name, AT_REMOVEDIR) &&
		    errno != ENOTEMPTY && errno != EEXIST)
			log_warn("copy", "cannot remove %s", path);
	}
	if (errno)
		err = -errno;
	closedir(root);
	return err;
}

struct cleanup_ctx {
	const char *ds_root;
	const struct pccd_copy_ops *ops;	/* remove_all: copies too */
	uint32_t ds_id;
	uint64_t files, bytes;
};

int pccd_copy_open_at(int dfd, const char *name)
{
	return openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		      O_CLOEXEC | O_NOCTTY);
}

/* A read-only copy of dataset ds_id (its xattr says so). */
static bool is_copy_of(const struct pccd_copy_ops *ops, int dfd,
		       const char *name, uint32_t ds_id)
{
	struct pcc_copy_xattr x;
	struct stat st;
	bool ok;
	int fd;

	fd = pccd_copy_open_at(dfd, name);
	if (fd < 0)
		return false;
	memset(&x, 0, sizeof(x));
	ok = !fstat(fd, &st) && S_ISREG(st.st_mode) &&
	     !ops->get_xattr(fd, &x) && xattr_is_ro_copy(&x, ds_id);
	close(fd);
	return ok;
}

static void remove_entry(int dfd, const char *name, void *arg)
{
	struct cleanup_ctx *c = arg;
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return;
	if (!is_leftover(name, &st) &&
	    !(c->ops && S_ISREG(st.st_mode) &&
	      is_copy_of(c->ops, dfd, name, c->ds_id)))
		return;
	/* Relative to the directory checked: no symlink followed. */
	if (unlinkat(dfd, name, 0)) {
		log_warn("copy", "cannot remove %s in %s", name, c->ds_root);
		return;
	}
	c->files++;
	c->bytes += (uint64_t)st.st_blocks * 512;
}

bool pccd_copy_remove_leftover(int dfd, const char *name)
{
	char own[64];
	struct stat st;

	/* This daemon's (tmp_name()): a copy being made. */
	pccd_copy_tmp_own(own, sizeof(own));
	if (!strncmp(name, own, strlen(own)))
		return false;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    !is_leftover(name, &st))
		return false;
	return !unlinkat(dfd, name, 0);
}

int pccd_copy_remove_all_with(const struct pccd_copy_ops *in_ops,
			      const char *ds_root, uint32_t ds_id,
			      uint64_t *files, uint64_t *bytes)
{
	struct pccd_copy_ops ops = { 0 };
	struct cleanup_ctx c = { .ds_root = ds_root, .ops = &ops,
				 .ds_id = ds_id };
	int err;

	ops_fill(&ops, in_ops);
	err = fanout_walk(ds_root, remove_entry, &c, true);
	*files += c.files;
	*bytes += c.bytes;
	return err;
}

int pccd_copy_remove_all(const char *ds_root, uint32_t ds_id,
			 uint64_t *files, uint64_t *bytes)
{
	return pccd_copy_remove_all_with(NULL, ds_root, ds_id, files, bytes);
}

static FTS *walk_open(const char *ds_root, int *err)
{
	char *const paths[] = { (char *)ds_root, NULL };
	struct stat st;
	FTS *fts;

	/* fts_open() does not say when the root is missing: ask first. */
	if (stat(ds_root, &st)) {
		*err = -errno;
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		*err = -ENOTDIR;
		return NULL;
	}
	fts = fts_open(paths, FTS_PHYSICAL | FTS_XDEV | FTS_NOCHDIR, NULL);
	if (!fts)
		*err = -errno;
	return fts;
}

static void walk_warn(const FTSENT *f)
{
	if (f->fts_info == FTS_DNR || f->fts_info == FTS_ERR ||
	    f->fts_info == FTS_NS)
		log_warn_errno("copy", -f->fts_errno, "%s", f->fts_path);
}

int pccd_copy_usage(const char *ds_root, uint64_t *files, uint64_t *bytes)
{
	int err = 0;
	FTSENT *f;
	FTS *fts;

	*files = 0;
	*bytes = 0;
	fts = walk_open(ds_root, &err);
	if (!fts)
		return err;
	while ((errno = 0, f = fts_read(fts))) {
		walk_warn(f);
		if (f->fts_info != FTS_F)
			continue;
		*files += 1;
		*bytes += (uint64_t)f->fts_statp->st_blocks * 512;
	}
	if (errno)
		err = -errno;
	fts_close(fts);
	return err;
}
