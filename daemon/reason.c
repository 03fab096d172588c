// SPDX-License-Identifier: GPL-2.0-only
/*
 * reason.c - the table of why files are not cached (reason.h): a hash of
 * the handle into a chained index over a ring of PCCD_REASONS_MAX
 * entries; the ring's oldest entry is reused, so memory stays bounded
 * whatever fails.  And the command that asks it (pcc state).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "apply.h"
#include "client.h"
#include "conf.h"
#include "pccd.h"
#include "reason.h"

#define NBUCKETS	1024	/* a power of two */
#define NONE		UINT32_MAX

struct slot {
	struct pccd_reason r;
	uint32_t hash;
	uint32_t next;		/* in its bucket, or NONE */
	bool used;
};

struct pccd_reasons {
	struct slot slots[PCCD_REASONS_MAX];
	uint32_t buckets[NBUCKETS];
	uint32_t oldest;	/* the ring's next slot to reuse */
};

static uint32_t fh_hash(uint32_t type, const uint8_t *fh, uint32_t len)
{
	return pcc_fnv1a32(fh, len) ^ (type * 2654435761U);
}

struct pccd_reasons *pccd_reasons_new(void)
{
	struct pccd_reasons *r = calloc(1, sizeof(*r));
	size_t i;

	if (!r)
		return NULL;
	for (i = 0; i < NBUCKETS; i++)
		r->buckets[i] = NONE;
	return r;
}

void pccd_reasons_free(struct pccd_reasons *r)
{
	free(r);
}

static uint32_t *find(struct pccd_reasons *r, uint32_t hash, uint32_t type,
		      const uint8_t *fh, uint32_t len)
{
	uint32_t *p = &r->buckets[hash & (NBUCKETS - 1)];

	for (; *p != NONE; p = &r->slots[*p].next) {
		struct slot *s = &r->slots[*p];

		if (s->hash == hash && s->r.fh_type == type &&
		    s->r.fh_len == len && !memcmp(s->r.fh, fh, len))
			return p;
	}
	return p;
}

static void unlink_slot(struct pccd_reasons *r, uint32_t i)
{
	struct slot *s = &r->slots[i];
	uint32_t *p = &r->buckets[s->hash & (NBUCKETS - 1)];

	while (*p != i)
		p = &r->slots[*p].next;
	*p = s->next;
	s->used = false;
}

void pccd_reason_set(struct pccd_reasons *r, uint32_t fh_type,
		     const uint8_t *fh, uint32_t fh_len,
		     enum pccd_reason_kind kind, int err, const char *msg)
{
	uint32_t hash, *p, i;
	struct slot *s;

	if (!r || !fh_len || fh_len > PCC_FH_MAX)
		return;
	hash = fh_hash(fh_type, fh, fh_len);
	p = find(r, hash, fh_type, fh, fh_len);
	if (*p != NONE) {
		s = &r->slots[*p];
	} else {
		i = r->oldest;
		r->oldest = (r->oldest + 1) % PCCD_REASONS_MAX;
		if (r->slots[i].used)
			unlink_slot(r, i);
		/* The bucket may have changed: find its end again. */
		p = find(r, hash, fh_type, fh, fh_len);
		s = &r->slots[i];
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->hash = hash;
		s->next = NONE;
		s->r.fh_type = fh_type;
		s->r.fh_len = fh_len;
		memcpy(s->r.fh, fh, fh_len);
		*p = i;
	}
	s->r.kind = kind;
	s->r.err = err;
	s->r.when = time(NULL);
	snprintf(s->r.msg, sizeof(s->r.msg), "%s", msg ? msg : "");
}

void pccd_reason_clear(struct pccd_reasons *r, uint32_t fh_type,
		       const uint8_t *fh, uint32_t fh_len)
{
	uint32_t *p;

	if (!r || !fh_len || fh_len > PCC_FH_MAX)
		return;
	p = find(r, fh_hash(fh_type, fh, fh_len), fh_type, fh, fh_len);
	if (*p != NONE)
		unlink_slot(r, *p);
}

const struct pccd_reason *pccd_reason_get(const struct pccd_reasons *r,
					  uint32_t fh_type, const uint8_t *fh,
					  uint32_t fh_len)
{
	uint32_t *p;

	if (!r || !fh_len || fh_len > PCC_FH_MAX)
		return NULL;
	p = find((struct pccd_reasons *)r, fh_hash(fh_type, fh, fh_len),
		 fh_type, fh, fh_len);
	return *p != NONE ? &r->slots[*p].r : NULL;
}

const char *pccd_reason_name(enum pccd_reason_kind kind)
{
	switch (kind) {
	case PCCD_REASON_NONE:		return "none";
	case PCCD_REASON_NO_DATASET:	return "no_dataset";
	case PCCD_REASON_TOO_LARGE:	return "too_large";
	case PCCD_REASON_NO_SPACE:	return "no_space";
	case PCCD_REASON_STALE:		return "stale";
	case PCCD_REASON_EVICTED:	return "evicted";
	case PCCD_REASON_ERROR:		return "error";
	}
	return "unknown";
}

/* --- the reason command ----------------------------------------------------- */

/*
 * rel (no "." or ".." component) under the directory dfd, opened O_PATH,
 * one component at a time, no symlink followed: a symlink in the middle
 * is not a directory (ENOTDIR), at the end it is itself.
 */
static int open_beneath(int dfd, char *rel)
{
	char *name = rel, *slash;
	int fd = dup(dfd), next;

	while (fd >= 0 && (slash = strchr(name, '/'))) {
		*slash = '\0';
		next = *name ? openat(fd, name, O_PATH | O_NOFOLLOW |
				      O_DIRECTORY | O_CLOEXEC)
			     : dup(fd);
		*slash = '/';
		close(fd);
		fd = next;
		name = slash + 1;
	}
	if (fd < 0)
		return -errno;
	next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	close(fd);
	return next < 0 ? -errno : next;
}

/*
 * What the kernel says of descriptor fd, without asking the file: its
 * mount's id and its inode number (/proc/self/fdinfo).  An fstat() would
 * be a getattr of the pcc file, which attaches it where the dataset's
 * policy says "stat": pcc state must change nothing.
 */
static int fd_mount_ino(int fd, int *mnt_id, unsigned long long *ino)
{
	char path[64], line[128];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "mnt_id: %d", mnt_id) == 1 ||
		    sscanf(line, "ino: %llu", ino) == 1)
			found++;
	fclose(f);
	return found == 2 ? 0 : -ENOTSUP;
}

/* The configured mount whose mount (the VFS's) is mnt_id, or NULL. */
static struct pccd_mount *mount_by_mnt_id(struct pccd *d, int mnt_id)
{
	struct statx stx;
	size_t i;

	for (i = 0; i < d->nmounts; i++)
		if (d->mounts[i].mounted &&
		    !statx(AT_FDCWD, d->mounts[i].conf->path, AT_NO_AUTOMOUNT,
			   STATX_MNT_ID, &stx) &&
		    (stx.stx_mask & STATX_MNT_ID) &&
		    stx.stx_mnt_id == (uint64_t)mnt_id)
			return &d->mounts[i];
	return NULL;
}

/* Is dfd the root of configured mount m (mnt_id), as the kernel says? */
static bool is_mount_root(const struct pccd_mount *m, int dfd, int mnt_id)
{
	unsigned long long ino, root_ino;
	int fd, mnt, root_mnt;
	bool same;

	fd = open(m->conf->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	same = !fd_mount_ino(fd, &root_mnt, &root_ino) &&
	       !fd_mount_ino(dfd, &mnt, &ino) && mnt == mnt_id &&
	       root_mnt == mnt_id && ino == root_ino;
	close(fd);
	return same;
}

/*
 * The lower file of a file on configured mount m (mnt_id, the VFS's),
 * opened O_PATH, its attributes in *st: where the kernel says the
 * caller's descriptor is on the mount (so the caller reached it with
 * their own permissions), looked
 * up under the lower's root with no symlink followed and no way out, and
 * only if it is the same inode (pcc shows the lower's inode numbers).
 * -errno otherwise.
 */
static int lower_of(const struct pccd_mount *m, int fd, int mnt_id,
		    unsigned long long ino, struct stat *st)
{
	char proc[64], path[PATH_MAX], mp[PATH_MAX];
	int root, lfd;
	size_t len;
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, path, sizeof(path) - 1);
	if (n < 0)
		return -errno;
	path[n] = '\0';
	/* The kernel's path is canonical: the mount point's must be too. */
	pccd_realpath(m->conf->path, mp);
	len = strlen(mp);
	while (len > 1 && mp[len - 1] == '/')
		len--;
	/* Elsewhere in pccd's view (another mount namespace), or gone. */
	if (strncmp(path, mp, len) || path[len] != '/' || !path[len + 1] ||
	    pccd_path_has_dots(path))
		return -ENOENT;
	root = open(m->conf->lower, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	/*
	 * A mount over its own lower hides it from pccd: the path leads to
	 * the pcc mount's root, whose files must not be asked (no answer).
	 */
	if (is_mount_root(m, root, mnt_id)) {
		close(root);
		return -EOPNOTSUPP;
	}
	lfd = open_beneath(root, path + len + 1);
	close(root);
	if (lfd >= 0 && (fstat(lfd, st) || st->st_ino != ino)) {
		close(lfd);
		lfd = -ESTALE;	/* renamed or replaced meanwhile */
	}
	return lfd;
}

int pccd_cmd_reason(struct pccd_request *r)
{
	struct file_handle *h = NULL;
	const struct pccd_reason *why;
	unsigned long long ino;
	struct pccd_mount *m;
	const char *path;
	struct stat st;
	int mnt, err, lfd;

	path = json_object_get_string(json_object_array_get_idx(
			json_object_object_get(r->req, "files"), 0));
	if (r->nfds != 1)
		return pccd_fail(r->c, -EINVAL, "reason takes one file");
	err = fd_mount_ino(r->fds[0], &mnt, &ino);
	if (err)
		return pccd_fail(r->c, err, "%s: %s", path, strerror(-err));
	m = mount_by_mnt_id(r->d, mnt);
	if (!m)
		return pccd_fail(r->c, -ENOENT, "%s is not on a configured pcc "
				 "mount", path);
	/* The lower file, never the pcc one: no open, no attach. */
	lfd = lower_of(m, r->fds[0], mnt, ino, &st);
	if (lfd < 0)
		return pccd_json_null(r->reply, "reason");
	/* Others' files: only when anyone may read them. */
	if (!S_ISREG(st.st_mode) ||
	    (r->c->uid && st.st_uid != r->c->uid && !(st.st_mode & S_IROTH))) {
		close(lfd);
		return pccd_json_null(r->reply, "reason");
	}
	h = malloc(sizeof(*h) + MAX_HANDLE_SZ);
	if (!h) {
		close(lfd);
		return -ENOMEM;
	}
	h->handle_bytes = MAX_HANDLE_SZ;
	why = NULL;
	if (!name_to_handle_at(lfd, "", h, &mnt, AT_EMPTY_PATH))
		why = pccd_reason_get(r->d->reasons, (uint32_t)h->handle_type,
				      h->f_handle, h->handle_bytes);
	close(lfd);
	if (why) {
		err = pccd_json_str(r->reply, "reason",
				    pccd_reason_name(why->kind));
		if (!err)
			err = pccd_json_str(r->reply, "message", why->msg);
		if (!err && why->err)
			err = pccd_json_u64(r->reply, "errno", -why->err);
		if (!err)
			err = pccd_json_u64(r->reply, "since",
					    (unsigned long long)why->when);
	} else if (!pccd_dataset_first_ro(m)) {
		err = pccd_json_str(r->reply, "reason",
				    pccd_reason_name(PCCD_REASON_NO_DATASET));
		if (!err)
			err = pccd_json_str(r->reply, "message",
					    "its mount has no read-only dataset");
	} else {
		err = pccd_json_null(r->reply, "reason");
	}
	free(h);
	return err;
}

bool pccd_path_has_dots(const char *path)
{
	const char *p = path, *end;
	size_t len;

	for (;;) {
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if ((len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return true;
		if (!*end)
			return false;
		p = end + 1;
	}
}
