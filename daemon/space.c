// SPDX-License-Identifier: GPL-2.0-only
/*
 * space.c - space management (space.h): the index of the copies of each
 * read-only dataset, eviction from the main loop's timer, the draining
 * list, and the copy engine's admission hook.
 *
 * Threads: the index, the draining list and the dataset list's shape
 * belong to the main loop; the scan thread of a dataset fills its own
 * index, handed over when done; the copy workers call admit(), which
 * reads the counters.  The counters, and the list while it is walked or
 * changed, are under s->lock.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/pcc.h>

#include "apply.h"
#include "client.h"
#include "conf.h"
#include "copy.h"
#include "log.h"
#include "nl.h"
#include "pccd.h"
#include "reason.h"
#include "space.h"
#include "space_policy.h"

/* Copies evicted per dataset and tick: the loop stays responsive. */
#define EVICT_BATCH		128
/*
 * ... and at most this long per tick: each eviction is a netlink call in
 * which the module unlinks the copy (seconds for a large one on a busy
 * disk), and clients wait on the same loop.  The rest waits for the next.
 */
#define EVICT_BUDGET_MS		250
/* A copy waiting for room is remembered this long after it last asked. */
#define WAITING_TTL		3
/* Without file handles, a draining copy counts this long. */
#define DRAIN_FALLBACK_S	60
/* Copies are allocated in blocks: a reservation is rounded up to one. */
#define BLOCK			4096ULL

struct entry {
	struct entry *next;		/* in its bucket */
	int64_t last_use;
	uint64_t bytes;
	uint32_t hash;
	bool pinned;
	char name[];			/* HH/HH/NAME */
};

struct index {
	struct entry **buckets;
	size_t nbuckets, n;
};

struct drain {
	struct drain *next;
	uint64_t bytes;
	time_t since;
	struct file_handle *handle;	/* NULL: the fallback */
};

struct space_ds {
	struct space_ds *next;
	char *root;
	uint64_t gen;			/* tags its reservations */
	uint32_t ds_id;
	uint32_t mount_id;
	bool mounted, seen;
	struct pccd_space_limits lim;
	int root_fd;			/* for open_by_handle_at */
	/* Main loop. */
	struct index idx;
	bool scanned;
	struct drain *drain;
	time_t stuck_logged;
	/*
	 * What an eviction cut short by the tick's time budget still owes:
	 * the limits ask for "down to low" only while they are crossed, and
	 * once a waiting copy is admitted after the first eviction they no
	 * longer are, so the rest of the round is carried to the next tick.
	 */
	struct pccd_space_goal owed;
	/* The scan thread. */
	pthread_t thread;
	bool scanning;
	atomic_bool scan_done, scan_cancel;
	struct index scan_idx;
	int scan_err;
	unsigned int leftovers;		/* of interrupted copies, removed */
	/* Under the lock. */
	uint64_t bytes, files, pinned_bytes, pinned_files;
	uint64_t drain_bytes, drain_files;
	uint64_t reserved_bytes, reserved_files;
	uint64_t filled_bytes;		/* of reserved_bytes: written */
	uint64_t waiting;
	time_t waiting_at;
	bool stuck;			/* a copy waits, nothing to evict */
	uint64_t evictions, evicted_bytes, refused;
};

struct pccd_space {
	pthread_mutex_t lock;
	struct space_ds *list;
	uint64_t gen;			/* the last space_ds's */
	uint64_t evictions, evicted_bytes, refused;
};

/* --- the index -------------------------------------------------------------- */

static uint32_t name_hash(const char *s)
{
	return pcc_fnv1a32((const uint8_t *)s, strlen(s));
}

static struct entry **idx_slot(struct index *x, const char *name,
			       uint32_t hash)
{
	struct entry **p;

	if (!x->nbuckets)
		return NULL;
	for (p = &x->buckets[hash & (x->nbuckets - 1)]; *p; p = &(*p)->next)
		if ((*p)->hash == hash && !strcmp((*p)->name, name))
			return p;
	return p;
}

static struct entry *idx_get(struct index *x, const char *name)
{
	struct entry **p = idx_slot(x, name, name_hash(name));

	return p ? *p : NULL;
}

static int idx_grow(struct index *x)
{
	size_t n = x->nbuckets ? x->nbuckets * 2 : 1024, i;
	struct entry **b, *e, *next;

	b = calloc(n, sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (i = 0; i < x->nbuckets; i++) {
		for (e = x->buckets[i]; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(x->buckets);
	x->buckets = b;
	x->nbuckets = n;
	return 0;
}

/* Insert a new entry (name not in x): NULL when out of memory. */
static struct entry *idx_add(struct index *x, const char *name)
{
	size_t len = strlen(name) + 1;
	struct entry *e, **p;

	if (x->n >= x->nbuckets * 2 && idx_grow(x) && !x->nbuckets)
		return NULL;
	e = calloc(1, sizeof(*e) + len);
	if (!e)
		return NULL;
	memcpy(e->name, name, len);
	e->hash = name_hash(name);
	p = idx_slot(x, name, e->hash);
	*p = e;
	x->n++;
	return e;
}

static void idx_del(struct index *x, struct entry *e)
{
	struct entry **p = idx_slot(x, e->name, e->hash);

	if (p && *p == e) {
		*p = e->next;
		x->n--;
		free(e);
	}
}

static void idx_free(struct index *x)
{
	struct entry *e, *next;
	size_t i;

	for (i = 0; i < x->nbuckets; i++)
		for (e = x->buckets[i]; e; e = next) {
			next = e->next;
			free(e);
		}
	free(x->buckets);
	*x = (struct index){ 0 };
}

/* --- reading a copy --------------------------------------------------------- */

static bool is_hex2(const char *s)
{
	return strlen(s) == 2 && strspn(s, "0123456789abcdef") == 2;
}

/*
 * A read-only copy of dataset ds_id at dfd/name: its size and recency
 * (atime or mtime, the later) in e's fields.  False for anything else.
 */
static bool read_copy(int dfd, const char *name, uint32_t ds_id,
		      uint64_t *bytes, int64_t *when, bool *pinned)
{
	struct pcc_copy_xattr x;
	struct stat st;
	char v[8];
	ssize_t n;
	int fd;

	fd = pccd_copy_open_at(dfd, name);
	if (fd < 0)
		return false;
	memset(&x, 0, sizeof(x));
	n = fgetxattr(fd, PCC_XATTR_COPY, &x, sizeof(x));
	if (n != sizeof(x) || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    x.magic != PCC_COPY_MAGIC || x.type != PCC_TYPE_READONLY ||
	    x.dataset_id != ds_id) {
		close(fd);
		return false;
	}
	*bytes = (uint64_t)st.st_blocks * 512;
	*when = st.st_atime > st.st_mtime ? st.st_atime : st.st_mtime;
	*pinned = fgetxattr(fd, PCCD_XATTR_PIN, v, sizeof(v)) >= 0;
	close(fd);
	return true;
}

/* The lower handle of the copy named name (HH/HH/TYPE-HEX...). */
static bool handle_of(int root_fd, const char *name, uint32_t *type,
		      uint8_t *fh, uint32_t *len)
{
	const char *p, *dash;
	struct pcc_copy_xattr x;
	unsigned int v;
	ssize_t n;
	int fd;

	if (strlen(name) < 8)
		return false;
	p = name + 6;
	dash = strchr(p, '-');
	if (!dash)
		return false;
	if (sscanf(p, "%x-", &v) != 1)
		return false;
	*type = v;
	p = dash + 1;
	if (*p != 'h')
		return pccd_space_hex_handle(p, fh, PCC_FH_MAX, len);
	/* A hashed name: the handle is in the copy's xattr. */
	fd = pccd_copy_open_at(root_fd, name);
	if (fd < 0)
		return false;
	n = fgetxattr(fd, PCC_XATTR_COPY, &x, sizeof(x));
	close(fd);
	if (n != sizeof(x) || x.version.fh_len > PCC_FH_MAX)
		return false;
	*type = x.version.fh_type;
	*len = x.version.fh_len;
	memcpy(fh, x.version.fh, *len);
	return true;
}

/* --- the start-up scan ---------------------------------------------------- */

static DIR *open_sub(int dfd, const char *name)
{
	struct stat st;
	DIR *d;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		return NULL;
	/* Only the engine's own fan-out directories (copy.c). */
	if (fstat(fd, &st) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		return NULL;
	}
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

static void *scan_main(void *arg)
{
	struct space_ds *ds = arg;
	struct dirent *e1, *e2, *e3;
	DIR *root, *d1, *d2;
	char name[PCC_CACHE_NAME_MAX];
	struct entry *e;
	uint64_t bytes;
	int64_t when;
	bool pinned;
	int fd;

	fd = open(ds->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	root = fd >= 0 ? fdopendir(fd) : NULL;
	if (!root) {
		ds->scan_err = -errno;
		if (fd >= 0)
			close(fd);
		goto out;
	}
	while (!atomic_load(&ds->scan_cancel) && (e1 = readdir(root))) {
		if (!is_hex2(e1->d_name) || !(d1 = open_sub(dirfd(root),
							     e1->d_name)))
			continue;
		while (!atomic_load(&ds->scan_cancel) && (e2 = readdir(d1))) {
			if (!is_hex2(e2->d_name) ||
			    !(d2 = open_sub(dirfd(d1), e2->d_name)))
				continue;
			while ((e3 = readdir(d2))) {
				/* A dead pccd's half-made copy: it goes. */
				if (e3->d_name[0] == '.' &&
				    pccd_copy_remove_leftover(dirfd(d2),
							      e3->d_name))
					ds->leftovers++;
				if (e3->d_name[0] == '.' ||
				    strlen(e3->d_name) + 7 > sizeof(name))
					continue;
				if (!read_copy(dirfd(d2), e3->d_name,
					       ds->ds_id, &bytes, &when,
					       &pinned))
					continue;
				snprintf(name, sizeof(name), "%s/%s/%s",
					 e1->d_name, e2->d_name, e3->d_name);
				e = idx_get(&ds->scan_idx, name);
				if (!e)
					e = idx_add(&ds->scan_idx, name);
				if (!e) {
					ds->scan_err = -ENOMEM;
					break;
				}
				e->bytes = bytes;
				e->last_use = when;
				e->pinned = pinned;
			}
			closedir(d2);
		}
		closedir(d1);
	}
	closedir(root);
out:
	atomic_store(&ds->scan_done, true);
	return NULL;
}

/* The counters from the index (scan handed over). */
static void recount(struct pccd_space *s, struct space_ds *ds)
{
	uint64_t bytes = 0, files = 0, pb = 0, pf = 0;
	struct entry *e;
	size_t i;

	for (i = 0; i < ds->idx.nbuckets; i++)
		for (e = ds->idx.buckets[i]; e; e = e->next) {
			bytes += e->bytes;
			files++;
			if (e->pinned) {
				pb += e->bytes;
				pf++;
			}
		}
	pthread_mutex_lock(&s->lock);
	ds->bytes = bytes + ds->drain_bytes;
	ds->files = files + ds->drain_files;
	ds->pinned_bytes = pb;
	ds->pinned_files = pf;
	pthread_mutex_unlock(&s->lock);
}

/* Adopt a finished scan; what the loop added meanwhile is kept. */
static void scan_adopt(struct pccd_space *s, struct space_ds *ds)
{
	struct entry *e, *n, *next;
	size_t i;

	pthread_join(ds->thread, NULL);
	ds->scanning = false;
	for (i = 0; i < ds->idx.nbuckets; i++)
		for (e = ds->idx.buckets[i]; e; e = next) {
			next = e->next;
			n = idx_get(&ds->scan_idx, e->name);
			if (!n)
				n = idx_add(&ds->scan_idx, e->name);
			if (n) {
				n->bytes = e->bytes;
				n->pinned = e->pinned;
				if (e->last_use > n->last_use)
					n->last_use = e->last_use;
			}
		}
	idx_free(&ds->idx);
	ds->idx = ds->scan_idx;
	ds->scan_idx = (struct index){ 0 };
	ds->scanned = true;
	recount(s, ds);
	if (ds->scan_err)
		log_warn_errno("space", ds->scan_err, "%s: the index of its "
			       "copies may be incomplete", ds->root);
	if (ds->leftovers)
		log_info("copy", "%s: removed %u leftovers of interrupted copies",
			 ds->root, ds->leftovers);
	log_info("space", "%s: %zu copies, %llu bytes", ds->root, ds->idx.n,
		 (unsigned long long)ds->bytes);
}

/* --- datasets ---------------------------------------------------------------- */

static void ds_free(struct space_ds *ds)
{
	struct drain *dr, *next;

	if (ds->scanning) {
		atomic_store(&ds->scan_cancel, true);
		pthread_join(ds->thread, NULL);
	}
	idx_free(&ds->scan_idx);
	idx_free(&ds->idx);
	for (dr = ds->drain; dr; dr = next) {
		next = dr->next;
		free(dr->handle);
		free(dr);
	}
	if (ds->root_fd >= 0)
		close(ds->root_fd);
	free(ds->root);
	free(ds);
}

static struct space_ds *ds_by_root(struct pccd_space *s, const char *root)
{
	struct space_ds *ds;

	for (ds = s->list; ds; ds = ds->next)
		if (!strcmp(ds->root, root))
			return ds;
	return NULL;
}

static void limits_of(const struct pcc_conf_dataset *c,
		      struct pccd_space_limits *lim)
{
	*lim = (struct pccd_space_limits){
		.high = c->capacity_high, .low = c->capacity_low,
		.max_bytes = c->flags & PCC_DS_HAS_MAX_BYTES ? c->max_bytes : 0,
		.max_files = c->flags & PCC_DS_HAS_MAX_FILES ? c->max_files : 0,
		.min_free = c->flags & PCC_DS_HAS_MIN_FREE ? c->min_free : 0,
	};
}

/* Follow d->conf: new read-only datasets are scanned, gone ones freed. */
static void sync_datasets(struct pccd *d)
{
	struct pccd_space *s = d->space;
	const struct pcc_conf_dataset *c;
	struct space_ds *ds, **p;
	size_t i;
	int fd;

	for (ds = s->list; ds; ds = ds->next)
		ds->seen = false;
	for (i = 0; i < d->nmounts; i++) {
		for (c = d->mounts[i].conf->datasets; c; c = c->next) {
			if (!(c->mode & PCC_MODE_RO))
				continue;
			ds = ds_by_root(s, c->path);
			if (!ds) {
				ds = calloc(1, sizeof(*ds));
				if (!ds || !(ds->root = strdup(c->path))) {
					free(ds);
					continue;
				}
				ds->root_fd = -1;
				ds->ds_id = pcc_conf_dataset_id(c);
				ds->scanning = !pthread_create(&ds->thread,
							       NULL, scan_main,
							       ds);
				pthread_mutex_lock(&s->lock);
				ds->gen = ++s->gen;
				ds->next = s->list;
				s->list = ds;
				pthread_mutex_unlock(&s->lock);
			}
			pthread_mutex_lock(&s->lock);
			ds->seen = true;
			ds->ds_id = pcc_conf_dataset_id(c);
			ds->mount_id = d->mounts[i].id;
			ds->mounted = d->mounts[i].mounted;
			limits_of(c, &ds->lim);
			pthread_mutex_unlock(&s->lock);
			if (ds->root_fd < 0) {
				/* admit() reads it on the workers. */
				fd = open(ds->root, O_RDONLY | O_DIRECTORY |
					  O_CLOEXEC);
				pthread_mutex_lock(&s->lock);
				ds->root_fd = fd;
				pthread_mutex_unlock(&s->lock);
			}
		}
	}
	for (p = &s->list; (ds = *p);) {
		if (ds->seen) {
			p = &ds->next;
			continue;
		}
		pthread_mutex_lock(&s->lock);
		*p = ds->next;
		pthread_mutex_unlock(&s->lock);
		ds_free(ds);
	}
}

/* The filesystem of ds and the dataset's counters, under the lock. */
static void now_of(const struct space_ds *ds, const struct statvfs *v,
		   struct pccd_space_now *n)
{
	*n = (struct pccd_space_now){
		.fs_size = (uint64_t)v->f_blocks * v->f_frsize,
		.fs_used = (uint64_t)(v->f_blocks - v->f_bfree) * v->f_frsize,
		.fs_free = (uint64_t)v->f_bavail * v->f_frsize,
		.bytes = ds->bytes, .files = ds->files,
		.reserved_bytes = ds->reserved_bytes,
		.reserved_files = ds->reserved_files,
		.filled_bytes = ds->filled_bytes,
	};
	if (ds->scanned) {
		/*
		 * Draining copies free their space by themselves: a copy
		 * may wait for them, and is not refused because of them.
		 */
		n->evictable_bytes = ds->bytes - ds->pinned_bytes;
		n->evictable_files = ds->files - ds->pinned_files;
	} else {
		/* Not indexed yet: assume eviction can do what it must. */
		n->evictable_bytes = n->fs_used;
		n->evictable_files = UINT64_MAX / 2;
	}
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* --- the copy engine's hooks ------------------------------------------------ */

static int admit(void *arg, const char *root, uint64_t size,
		 uint64_t *reserved, uint64_t *tag, char *msg, size_t len)
{
	struct pccd *d = arg;
	struct pccd_space *s = d->space;
	struct pccd_space_now now;
	enum pccd_space_admit a;
	struct space_ds *ds;
	struct statvfs v;
	int err = 0;

	*reserved = 0;
	size = (size + BLOCK - 1) / BLOCK * BLOCK;
	if (statvfs(root, &v))
		return 0;	/* the copy will say what is wrong */
	pthread_mutex_lock(&s->lock);
	ds = ds_by_root(s, root);
	if (!ds)
		goto out;
	now_of(ds, &v, &now);
	a = pccd_space_admit(&ds->lim, &now, size, msg, len);
	if (a == PCCD_ADMIT_NOW) {
		ds->reserved_bytes += size;
		ds->reserved_files++;
		*reserved = size;
		*tag = ds->gen;
		ds->stuck = false;
		/*
		 * The copy that waited (or one like it) goes ahead: no more
		 * eviction for it, or the next tick would evict for a copy
		 * that has its room (its own, just made, first).  Another
		 * waiting copy asks again within a second.
		 */
		ds->waiting = 0;
		ds->waiting_at = 0;
	} else if (a == PCCD_ADMIT_TOO_LARGE) {
		ds->refused++;
		s->refused++;
		err = -EFBIG;
	} else if (!d->nl || ds->root_fd < 0) {
		/* The tick cannot evict here: waiting would be for nothing. */
		s->refused++;
		snprintf(msg, len, "no space in %s, and pccd cannot evict "
			 "there (%s)", root, !d->nl ? "no pcc module" :
			 "cannot open the dataset's directory");
		err = -ENOSPC;
	} else if (ds->stuck) {
		s->refused++;
		snprintf(msg, len, "no space: the copies left in %s are pinned "
			 "or in use", root);
		err = -ENOSPC;
	} else {
		if (time(NULL) - ds->waiting_at > WAITING_TTL ||
		    size > ds->waiting)
			ds->waiting = size;
		ds->waiting_at = time(NULL);
		err = -EAGAIN;
	}
out:
	pthread_mutex_unlock(&s->lock);
	return err;
}

/*
 * Data of an admitted copy reached the cache filesystem (or, negative,
 * left it): statvfs counts it now, so the filesystem's figures leave it
 * out of the reservation; the dataset's own (max_bytes) keep all of it
 * until the copy is indexed.
 */
static void filled(void *arg, const char *root, uint64_t tag, int64_t bytes)
{
	struct pccd *d = arg;
	struct pccd_space *s = d->space;
	struct space_ds *ds;

	pthread_mutex_lock(&s->lock);
	ds = ds_by_root(s, root);
	if (ds && ds->gen == tag && bytes > 0)
		ds->filled_bytes += (uint64_t)bytes;
	else if (ds && ds->gen == tag)
		ds->filled_bytes = sub0(ds->filled_bytes, (uint64_t)-bytes);
	pthread_mutex_unlock(&s->lock);
}

static struct entry *add_copy(struct pccd_space *s, struct space_ds *ds,
			      const char *path)
{
	size_t rlen = strlen(ds->root);
	uint64_t old_bytes = 0;
	bool old_pinned = false, fresh;
	struct entry *e;
	struct stat st;
	char v[8];

	if (strncmp(path, ds->root, rlen) || path[rlen] != '/' ||
	    lstat(path, &st) || !S_ISREG(st.st_mode))
		return NULL;
	e = idx_get(&ds->idx, path + rlen + 1);
	fresh = !e;
	if (e) {
		old_bytes = e->bytes;
		old_pinned = e->pinned;
	} else {
		e = idx_add(&ds->idx, path + rlen + 1);
		if (!e)
			return NULL;
	}
	/* Just made (a re-made copy too): not the old copy's recency. */
	e->last_use = time(NULL);
	e->bytes = (uint64_t)st.st_blocks * 512;
	e->pinned = lgetxattr(path, PCCD_XATTR_PIN, v, sizeof(v)) >= 0;
	pthread_mutex_lock(&s->lock);
	ds->bytes += e->bytes - old_bytes;
	ds->files += fresh;
	if (old_pinned) {
		ds->pinned_bytes -= old_bytes;
		ds->pinned_files--;
	}
	if (e->pinned) {
		ds->pinned_bytes += e->bytes;
		ds->pinned_files++;
	}
	pthread_mutex_unlock(&s->lock);
	return e;
}

static enum pccd_reason_kind reason_of(const struct pccd_copy_result *res)
{
	if (res->refused == -EFBIG)
		return PCCD_REASON_TOO_LARGE;
	if (res->refused == -ENOSPC || res->err == -ENOSPC ||
	    res->err == -EDQUOT)
		return PCCD_REASON_NO_SPACE;
	return PCCD_REASON_ERROR;
}

static void copy_done(void *arg, const struct pccd_copy_result *res)
{
	struct pccd *d = arg;
	struct pccd_space *s = d->space;
	struct space_ds *ds = res->ds_root ? ds_by_root(s, res->ds_root)
					   : NULL;

	if (res->have_fh) {
		if (!res->err)
			pccd_reason_clear(d->reasons, res->fh_type, res->fh,
					  res->fh_len);
		else if (res->err != -ECANCELED)
			pccd_reason_set(d->reasons, res->fh_type, res->fh,
					res->fh_len, reason_of(res), res->err,
					res->msg);
	}
	if (!ds)
		return;
	/* Only a reservation made on this very space_ds (not one gone). */
	if (res->reserved && res->reserved_tag == ds->gen) {
		pthread_mutex_lock(&s->lock);
		pccd_space_release(&ds->reserved_bytes, &ds->reserved_files,
				   res->reserved);
		ds->filled_bytes = sub0(ds->filled_bytes, res->reserved_filled);
		pthread_mutex_unlock(&s->lock);
	}
	if (!res->err && res->cache_path[0])
		add_copy(s, ds, res->cache_path);
}

/* --- recency ------------------------------------------------------------------ */

static struct space_ds *ds_by_id(struct pccd_space *s, uint32_t mount_id,
				 uint32_t ds_id)
{
	struct space_ds *ds;

	for (ds = s->list; ds; ds = ds->next)
		if (ds->mounted && ds->mount_id == mount_id &&
		    ds->ds_id == ds_id)
			return ds;
	return NULL;
}

static void touch(struct space_ds *ds, uint32_t fh_type, const uint8_t *fh,
		  uint32_t fh_len, int64_t when)
{
	char name[PCC_CACHE_NAME_MAX];
	struct entry *e;

	if (!fh_len || fh_len > PCC_FH_MAX)
		return;
	pcc_cache_name(name, fh_type, fh, fh_len);
	e = idx_get(&ds->idx, name);
	if (e && when > e->last_use)
		e->last_use = when;
}

void pccd_space_event(struct pccd *d, const struct pcc_nl_event *ev)
{
	struct space_ds *ds;

	if (!d->space)
		return;
	switch (ev->event) {
	case PCC_EVENT_ATTACHED:
		pccd_reason_clear(d->reasons, ev->fh_type, ev->fh, ev->fh_len);
		ds = ds_by_id(d->space, ev->mount_id, ev->ds_id);
		if (ds)
			touch(ds, ev->fh_type, ev->fh, ev->fh_len, time(NULL));
		break;
	case PCC_EVENT_STALE:
		pccd_reason_set(d->reasons, ev->fh_type, ev->fh, ev->fh_len,
				PCCD_REASON_STALE, 0, "its copy was of an older "
				"version of the file");
		break;
	case PCC_EVENT_DETACHED:
		if (ev->reason == PCC_DETACH_STALE)
			pccd_reason_set(d->reasons, ev->fh_type, ev->fh,
					ev->fh_len, PCCD_REASON_STALE, 0,
					"the file changed: its copy was stale");
		break;
	default:
		break;
	}
}

static int file_seen(const struct pcc_nl_file *f, void *arg)
{
	struct pccd_space *s = arg;
	struct space_ds *ds = ds_by_id(s, f->mount_id, f->ds_id);

	if (ds)
		touch(ds, f->fh_type, f->fh, f->fh_len, (int64_t)f->last_use);
	return 0;
}

/* The last use of every attached file of the mount, from the kernel. */
static void refresh_recency(struct pccd *d, uint32_t mount_id)
{
	struct pcc_nl_mnt mnt = { .id = mount_id };
	char msg[128];
	int err;

	err = pcc_nl_file_dump(d->nl, &mnt, file_seen, d->space, msg,
			       sizeof(msg));
	if (err && err != -EINTR)
		log_debug("space", "mount %u: no recency from the module: %s",
			  mount_id, msg[0] ? msg : strerror(-err));
}

/* --- eviction ----------------------------------------------------------------- */

static void forget(struct pccd_space *s, struct space_ds *ds, struct entry *e,
		   bool draining)
{
	pthread_mutex_lock(&s->lock);
	if (e->pinned) {
		ds->pinned_bytes -= e->bytes;
		ds->pinned_files--;
	}
	if (draining) {
		ds->drain_bytes += e->bytes;
		ds->drain_files++;
	} else {
		ds->bytes -= e->bytes;
		ds->files--;
	}
	pthread_mutex_unlock(&s->lock);
	idx_del(&ds->idx, e);
}

/* The copy's own handle, to learn when a draining copy is freed. */
static struct file_handle *copy_handle(int root_fd, const char *name)
{
	struct file_handle *h = malloc(sizeof(*h) + MAX_HANDLE_SZ);
	int mnt;

	if (!h)
		return NULL;
	h->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(root_fd, name, h, &mnt, 0)) {
		free(h);
		return NULL;
	}
	return h;
}

/*
 * Open the copy and take its pin lock (copy.h) without waiting, and make
 * sure the name is still that copy's (a worker links a new version over
 * it only under the old one's lock): the descriptor, -1 to pass it over
 * this time (a worker is pinning or replacing it, or it cannot be opened
 * for a while), or -2 when it is gone (the module says so).
 */
static int pin_lock(int root_fd, const char *name)
{
	struct stat held, named;
	int fd;

	fd = pccd_copy_open_at(root_fd, name);
	if (fd < 0)
		return errno == ENOENT ? -2 : -1;
	if (flock(fd, LOCK_EX | LOCK_NB) || fstat(fd, &held) ||
	    fstatat(root_fd, name, &named, AT_SYMLINK_NOFOLLOW) ||
	    held.st_ino != named.st_ino || held.st_dev != named.st_dev) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Is the copy pinned now?  A pin is set on a copy worker and the index
 * learns it only when the job is reaped: the xattr is the truth.
 */
static bool pinned_now(int fd)
{
	char v[8];

	return fd >= 0 && fgetxattr(fd, PCCD_XATTR_PIN, v, sizeof(v)) >= 0;
}

/* 0 when it went, 1 when kept, or a failure that stops this batch. */
static int evict_one(struct pccd *d, struct space_ds *ds, struct entry *e)
{
	struct pccd_space *s = d->space;
	struct pcc_nl_mnt mnt = { .id = ds->mount_id };
	uint32_t type, len, flags = 0;
	uint8_t fh[PCC_FH_MAX];
	struct file_handle *h;
	struct drain *dr;
	uint64_t bytes = e->bytes;
	char msg[160] = "";
	int err, fd;

	if (!handle_of(ds->root_fd, e->name, &type, fh, &len)) {
		/* Not a name the engine makes: not ours to evict. */
		forget(s, ds, e, false);
		return 0;
	}
	fd = pin_lock(ds->root_fd, e->name);
	if (fd == -1)
		return 1;	/* not this time */
	if (pinned_now(fd)) {
		/* Pinned since it was indexed: keep it, and say so. */
		close(fd);
		e->pinned = true;
		pthread_mutex_lock(&s->lock);
		ds->pinned_bytes += e->bytes;
		ds->pinned_files++;
		pthread_mutex_unlock(&s->lock);
		return 1;
	}
	h = copy_handle(ds->root_fd, e->name);
	err = pcc_nl_evict(d->nl, &mnt, ds->ds_id, type, fh, len, &flags,
			   msg, sizeof(msg));
	if (fd >= 0)
		close(fd);	/* the pin lock: unlinked by now, or kept */
	if (err == -ENOENT || err == -ESTALE || err == -EINVAL) {
		/* Gone already, or not a copy of this dataset. */
		if (err != -ENOENT)
			log_warnx("space", "%s/%s is not a copy of dataset %u: "
				  "not evicted", ds->root, e->name, ds->ds_id);
		forget(s, ds, e, false);
		free(h);
		return 0;
	}
	if (err) {
		log_warn_errno("space", err, "%s: cannot evict %s%s%s",
			       ds->root, e->name, msg[0] ? ": " : "", msg);
		free(h);
		return err;
	}
	pccd_reason_set(d->reasons, type, fh, len, PCCD_REASON_EVICTED, 0,
			"evicted to make room");
	log_debug("space", "%s: evicted %s (%llu bytes)%s", ds->root, e->name,
		  (unsigned long long)bytes,
		  flags & PCC_EVICT_IN_USE ? ", still mapped" : "");
	pthread_mutex_lock(&s->lock);
	ds->evictions++;
	ds->evicted_bytes += bytes;
	s->evictions++;
	s->evicted_bytes += bytes;
	pthread_mutex_unlock(&s->lock);
	if (!(flags & PCC_EVICT_IN_USE)) {
		free(h);
		forget(s, ds, e, false);
		return 0;
	}
	/* Its space is freed when the mapping goes: it counts till then. */
	dr = calloc(1, sizeof(*dr));
	if (!dr) {
		free(h);
		forget(s, ds, e, false);
		return 0;
	}
	dr->bytes = bytes;
	dr->since = time(NULL);
	dr->handle = h;
	dr->next = ds->drain;
	ds->drain = dr;
	forget(s, ds, e, true);
	return 0;
}

/* Is the inode of a draining copy gone? */
static bool drained(const struct space_ds *ds, const struct drain *dr)
{
	int fd;

	if (!dr->handle)
		return time(NULL) - dr->since >= DRAIN_FALLBACK_S;
	fd = open_by_handle_at(ds->root_fd, dr->handle, O_PATH | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	if (errno == ESTALE || errno == ENOENT)
		return true;
	/* Handles do not work here after all: the fallback. */
	return time(NULL) - dr->since >= DRAIN_FALLBACK_S;
}

static bool check_drain(struct pccd_space *s, struct space_ds *ds)
{
	struct drain **p, *dr;
	bool freed = false;

	for (p = &ds->drain; (dr = *p);) {
		if (!drained(ds, dr)) {
			p = &dr->next;
			continue;
		}
		*p = dr->next;
		pthread_mutex_lock(&s->lock);
		ds->drain_bytes -= dr->bytes;
		ds->drain_files--;
		ds->bytes -= dr->bytes;
		ds->files--;
		pthread_mutex_unlock(&s->lock);
		free(dr->handle);
		free(dr);
		freed = true;
	}
	return freed;
}

static uint64_t ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Evict what the limits of ds ask for, one batch, until the tick's end
 * (*budget_ms, set by the first dataset that evicts).  True if any went.
 */
static bool evict(struct pccd *d, struct space_ds *ds, uint32_t *dumped,
		  size_t *ndumped, uint64_t *budget_ms)
{
	struct pccd_space *s = d->space;
	struct pccd_space_goal goal;
	struct pccd_space_cand *cand = NULL;
	struct pccd_space_now now;
	struct entry **ents = NULL, *e;
	struct statvfs v;
	size_t out[EVICT_BATCH], n = 0, k, i;
	uint64_t waiting;
	bool any = false;
	int err;

	if (statvfs(ds->root, &v))
		return false;
	pthread_mutex_lock(&s->lock);
	now_of(ds, &v, &now);
	waiting = time(NULL) - ds->waiting_at <= WAITING_TTL ? ds->waiting : 0;
	pthread_mutex_unlock(&s->lock);
	if (!pccd_space_goal(&ds->lim, &now, waiting, &goal) &&
	    !ds->owed.why) {
		pthread_mutex_lock(&s->lock);
		ds->stuck = false;
		pthread_mutex_unlock(&s->lock);
		return false;
	}
	if (ds->owed.why) {
		if (!goal.why)
			goal.why = ds->owed.why;
		if (ds->owed.bytes > goal.bytes)
			goal.bytes = ds->owed.bytes;
		if (ds->owed.files > goal.files)
			goal.files = ds->owed.files;
		ds->owed = (struct pccd_space_goal){ .why = PCCD_SPACE_OK };
	}
	/* Recency first, once per mount and tick. */
	for (i = 0; i < *ndumped; i++)
		if (dumped[i] == ds->mount_id)
			break;
	if (i == *ndumped && *ndumped < 16) {
		refresh_recency(d, ds->mount_id);
		dumped[(*ndumped)++] = ds->mount_id;
	}
	cand = malloc((ds->idx.n ? ds->idx.n : 1) * sizeof(*cand));
	ents = malloc((ds->idx.n ? ds->idx.n : 1) * sizeof(*ents));
	if (!cand || !ents)
		goto out;
	for (i = 0; i < ds->idx.nbuckets; i++)
		for (e = ds->idx.buckets[i]; e; e = e->next) {
			ents[n] = e;
			cand[n++] = (struct pccd_space_cand){
				.last_use = e->last_use, .bytes = e->bytes,
				.pinned = e->pinned };
		}
	k = pccd_space_victims(cand, n, &goal, EVICT_BATCH, out);
	if (!k) {
		/*
		 * Nothing to evict: a waiting copy may still wait for
		 * draining copies (bounded by the engine's admission wait).
		 */
		pthread_mutex_lock(&s->lock);
		ds->stuck = waiting && !ds->drain;
		pthread_mutex_unlock(&s->lock);
		if (time(NULL) - ds->stuck_logged >= 60) {
			ds->stuck_logged = time(NULL);
			log_warnx("space", "%s: %s but every copy left is "
				  "pinned or in use", ds->root,
				  pccd_space_why_name(goal.why));
		}
		goto out;
	}
	log_info("space", "%s: %s: evicting %zu copies", ds->root,
		 pccd_space_why_name(goal.why), k);
	*budget_ms = *budget_ms ? *budget_ms : ms_now() + EVICT_BUDGET_MS;
	for (i = 0; i < k; i++) {
		uint64_t bytes = ents[out[i]]->bytes;

		/* One at least: every dataset makes progress. */
		if (i && ms_now() >= *budget_ms) {
			log_debug("space", "%s: %zu of %zu evicted this tick, "
				  "the rest at the next", ds->root, i, k);
			if (goal.bytes || goal.files)
				ds->owed = goal;
			break;
		}
		err = evict_one(d, ds, ents[out[i]]);
		if (err < 0)
			break;
		if (!err) {
			any = true;
			goal.bytes -= bytes < goal.bytes ? bytes : goal.bytes;
			goal.files -= goal.files ? 1 : 0;
		}
	}
	if (!any) {
		/* Eviction fails: a waiting copy would wait for nothing. */
		pthread_mutex_lock(&s->lock);
		ds->stuck = waiting && !ds->drain;
		pthread_mutex_unlock(&s->lock);
	}
out:
	free(cand);
	free(ents);
	return any;
}

void pccd_space_tick(struct pccd *d)
{
	struct pccd_space *s = d->space;
	struct space_ds *ds;
	uint32_t dumped[16];
	size_t ndumped = 0;
	uint64_t budget_ms = 0;
	bool room = false;

	if (!s)
		return;
	sync_datasets(d);
	for (ds = s->list; ds; ds = ds->next) {
		if (ds->scanning && atomic_load(&ds->scan_done))
			scan_adopt(s, ds);
		if (!ds->scanned)
			continue;
		room |= check_drain(s, ds);
		if (ds->mounted && d->nl && ds->root_fd >= 0)
			room |= evict(d, ds, dumped, &ndumped, &budget_ms);
	}
	if (room && d->copy)
		pccd_copy_wake(d->copy);
}

void pccd_space_pinned(struct pccd *d, const char *root, const char *path,
		       bool pinned)
{
	struct space_ds *ds = d->space ? ds_by_root(d->space, root) : NULL;
	size_t rlen = strlen(root);
	struct entry *e;

	if (!ds || strncmp(path, root, rlen) || path[rlen] != '/')
		return;
	e = idx_get(&ds->idx, path + rlen + 1);
	if (!e) {
		if (pinned)
			add_copy(d->space, ds, path);
		return;
	}
	if (e->pinned == pinned)
		return;
	e->pinned = pinned;
	pthread_mutex_lock(&d->space->lock);
	if (pinned) {
		ds->pinned_bytes += e->bytes;
		ds->pinned_files++;
	} else {
		ds->pinned_bytes -= e->bytes;
		ds->pinned_files--;
	}
	pthread_mutex_unlock(&d->space->lock);
}

/* --- start, stop ---------------------------------------------------------------- */

int pccd_space_start(struct pccd *d)
{
	struct pccd_space *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	d->reasons = pccd_reasons_new();
	if (!d->reasons) {
		free(s);
		return -ENOMEM;
	}
	pthread_mutex_init(&s->lock, NULL);
	d->space = s;
	if (d->copy)
		pccd_copy_set_hooks(d->copy, &(struct pccd_copy_hooks){
					.admit = admit, .filled = filled,
					.done = copy_done,
					.arg = d });
	sync_datasets(d);
	return 0;
}

void pccd_space_stop(struct pccd *d)
{
	struct pccd_space *s = d->space;
	struct space_ds *ds, *next;

	if (s) {
		for (ds = s->list; ds; ds = next) {
			next = ds->next;
			ds_free(ds);
		}
		pthread_mutex_destroy(&s->lock);
		free(s);
	}
	d->space = NULL;
	pccd_reasons_free(d->reasons);
	d->reasons = NULL;
}

/* --- what the commands show ------------------------------------------------------ */

bool pccd_space_usage(struct pccd *d, const char *root, uint64_t *files,
		      uint64_t *bytes, uint64_t *pinned_files,
		      uint64_t *pinned_bytes)
{
	struct space_ds *ds = d->space ? ds_by_root(d->space, root) : NULL;

	if (!ds || !ds->scanned)
		return false;
	pthread_mutex_lock(&d->space->lock);
	*files = ds->files;
	*bytes = ds->bytes;
	*pinned_files = ds->pinned_files;
	*pinned_bytes = ds->pinned_bytes;
	pthread_mutex_unlock(&d->space->lock);
	return true;
}

static int pair(struct json_object *o, const char *key, uint64_t bytes,
		uint64_t files)
{
	struct json_object *p = json_object_new_object();

	if (!p || pccd_json_u64(p, "bytes", bytes) ||
	    pccd_json_u64(p, "files", files)) {
		json_object_put(p);
		return -ENOMEM;
	}
	return pccd_json_add(o, key, p);
}

static int opt_u64(struct json_object *o, const char *key, uint64_t v,
		   bool set)
{
	return set ? pccd_json_u64(o, key, v) : pccd_json_null(o, key);
}

static struct json_object *ds_json(struct pccd *d,
				   const struct pcc_conf_dataset *c)
{
	struct pccd_space *s = d->space;
	struct space_ds *ds = s ? ds_by_root(s, c->path) : NULL;
	struct json_object *o = json_object_new_object(), *lim, *fs;
	uint64_t files = 0, bytes = 0, pf = 0, pb = 0;
	struct statvfs v;
	bool have_fs;

	if (!o)
		return NULL;
	if (!pccd_space_usage(d, c->path, &files, &bytes, &pf, &pb))
		pccd_copy_usage(c->path, &files, &bytes);
	have_fs = !statvfs(c->path, &v);
	lim = json_object_new_object();
	fs = json_object_new_object();
	if (pccd_json_u64(o, "id", pcc_conf_dataset_id(c)) ||
	    pccd_json_str(o, "path", c->path) ||
	    pair(o, "usage", bytes, files) || pair(o, "pinned", pb, pf) ||
	    !lim || pccd_json_u64(lim, "high_percent", c->capacity_high) ||
	    pccd_json_u64(lim, "low_percent", c->capacity_low) ||
	    opt_u64(lim, "max_bytes", c->max_bytes,
		    c->flags & PCC_DS_HAS_MAX_BYTES) ||
	    opt_u64(lim, "max_files", c->max_files,
		    c->flags & PCC_DS_HAS_MAX_FILES) ||
	    opt_u64(lim, "min_free", c->min_free,
		    c->flags & PCC_DS_HAS_MIN_FREE) ||
	    pccd_json_add(o, "limits", lim) || (lim = NULL, !fs) ||
	    pccd_json_u64(fs, "size_bytes", have_fs ?
			  (uint64_t)v.f_blocks * v.f_frsize : 0) ||
	    pccd_json_u64(fs, "free_bytes", have_fs ?
			  (uint64_t)v.f_bavail * v.f_frsize : 0) ||
	    pccd_json_add(o, "fs", fs))
		goto fail;
	if (s)
		pthread_mutex_lock(&s->lock);
	files = ds ? ds->evictions : 0;
	bytes = ds ? ds->evicted_bytes : 0;
	pf = ds ? ds->refused : 0;
	if (s)
		pthread_mutex_unlock(&s->lock);
	if (pccd_json_u64(o, "evictions", files) ||
	    pccd_json_u64(o, "evicted_bytes", bytes) ||
	    pccd_json_u64(o, "refused_too_large", pf))
		goto fail;
	return o;
fail:
	json_object_put(lim);
	json_object_put(o);
	return NULL;
}

struct json_object *pccd_space_stats_json(struct pccd *d,
					  const struct pccd_mount *m)
{
	struct json_object *list = json_object_new_array();
	const struct pcc_conf_dataset *c;

	if (!list)
		return NULL;
	for (c = m->conf->datasets; c; c = c->next) {
		if (!(c->mode & PCC_MODE_RO))
			continue;
		if (json_object_array_add(list, ds_json(d, c))) {
			json_object_put(list);
			return NULL;
		}
	}
	return list;
}

int pccd_space_daemon_json(struct pccd *d, struct json_object *dm)
{
	struct pccd_space *s = d->space;
	uint64_t ev = 0, evb = 0, ref = 0;

	if (s) {
		pthread_mutex_lock(&s->lock);
		ev = s->evictions;
		evb = s->evicted_bytes;
		ref = s->refused;
		pthread_mutex_unlock(&s->lock);
	}
	if (pccd_json_u64(dm, "evictions", ev) ||
	    pccd_json_u64(dm, "evicted_bytes", evb) ||
	    pccd_json_u64(dm, "copies_refused", ref))
		return -ENOMEM;
	return 0;
}
