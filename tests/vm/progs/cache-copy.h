/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cache-copy.h - making a cache copy of a pcc file, exactly as "Making a copy"
 * in include/uapi/linux/pcc.h says, and the ioctls on pcc files.  Shared by
 * pcc-ctl (one copy on demand) and pcc-stress (copies in a loop).  Plain
 * libc: these programs are cross-built for the guest.
 *
 * Functions return 0 or a negative errno and never exit, so a loop can
 * tolerate the errors a race allows; the callers report.
 */
#ifndef PCC_TEST_COPY_H
#define PCC_TEST_COPY_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <linux/pcc.h>

/* How to spoil a copy on purpose (tests of the attach checks). */
enum pcc_copy_damage {
	PCC_COPY_GOOD = 0,
	PCC_COPY_BAD_VERSION,	/* record a version the file never had */
	PCC_COPY_BAD_MAGIC,	/* a wrong magic in the xattr */
	PCC_COPY_NO_XATTR,	/* link the copy without its xattr */
	PCC_COPY_SHORT,		/* one byte shorter than the file */
};

struct pcc_copy_opts {
	const char *root;	/* the dataset's cache root */
	unsigned int dataset_id; /* recorded in the xattr, asked at attach */
	const char *from;	/* read the data from this file instead of the
				 * pcc file (tests: a big file straight from
				 * the NFS export; the versions are still
				 * asked of the pcc file around the copy) */
	enum pcc_copy_damage damage;
	int retries;		/* attempts while the version moves */
	bool no_sync;		/* no fsync of the data and the directory
				 * (copies made in bulk, synced at the end
				 * by the caller: pcc-bench mkcopies) */
	bool rw;		/* a read-write copy (PCC_TYPE_READWRITE) */
};

/* The copy's path relative to the dataset root, from a version. */
static inline int pcc_copy_relpath(const struct pcc_version *v,
				   char name[PCC_CACHE_NAME_MAX])
{
	if (v->fh_len > PCC_FH_MAX)
		return -EINVAL;
	pcc_cache_name(name, v->fh_type, v->fh, v->fh_len);
	return 0;
}

/*
 * PCC_IOC_VERSION.  EBUSY means the file is being written through pcc or
 * has a shared writable mapping: asked again for up to a second, then
 * -EBUSY (the file is not copyable now).
 */
static inline int pcc_get_version(int fd, struct pcc_version *v)
{
	struct timespec ms10 = { .tv_nsec = 10 * 1000 * 1000 };
	int tries = 100;

	for (;;) {
		memset(v, 0, sizeof(*v));
		if (!ioctl(fd, PCC_IOC_VERSION, v))
			return 0;
		if (errno != EBUSY || !--tries)
			return -errno;
		nanosleep(&ms10, NULL);
	}
}

static inline int pcc_attach_fd_type(int fd, unsigned int dataset_id,
				     unsigned int type)
{
	struct pcc_ioc_attach a = {
		.type = type,
		.dataset_id = dataset_id,
	};

	return ioctl(fd, PCC_IOC_ATTACH, &a) ? -errno : 0;
}

static inline int pcc_attach_fd(int fd, unsigned int dataset_id)
{
	return pcc_attach_fd_type(fd, dataset_id, PCC_TYPE_READONLY);
}

/* Detach; *out gets the flags the kernel returned (may be NULL). */
static inline int pcc_detach_fd(int fd, unsigned int flags,
				unsigned int dataset_id, unsigned int *out)
{
	struct pcc_ioc_detach d = { .flags = flags, .dataset_id = dataset_id };

	if (ioctl(fd, PCC_IOC_DETACH, &d))
		return -errno;
	if (out)
		*out = d.flags;
	return 0;
}

static inline int pcc_state_fd(int fd, struct pcc_ioc_state *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(fd, PCC_IOC_STATE, st) ? -errno : 0;
}

/* State of NAME in the open directory DIRFD: the file is not opened. */
static inline int pcc_state_dir(int dirfd, const char *name,
				struct pcc_ioc_state *st)
{
	size_t len = strlen(name);

	memset(st, 0, sizeof(*st));
	if (len + 1 > sizeof(st->path))
		return -ENAMETOOLONG;
	memcpy(st->path, name, len + 1);
	st->namelen = len + 1;
	return ioctl(dirfd, PCC_IOC_STATE, st) ? -errno : 0;
}

/* mkdir DIRFD/NAME with mode 0700 unless it is there; 0 or -errno. */
static inline int pcc__mkdir(int dirfd, const char *name)
{
	struct stat st;

	if (mkdirat(dirfd, name, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/*
 * Copy SRC (from offset 0, SIZE bytes) into DST: only the data segments
 * SEEK_DATA/SEEK_HOLE report, the holes left as holes; then set the size.
 * Where the source has no SEEK_DATA, everything is copied.
 */
static inline int pcc__copy_data(int src, int dst, off_t size)
{
	static char buf[1 << 20];
	off_t pos = 0, data, hole;
	int sparse = 1;

	while (pos < size) {
		if (sparse) {
			data = lseek(src, pos, SEEK_DATA);
			if (data < 0 && errno == ENXIO)
				break;		/* a hole to the end */
			if (data < 0) {
				sparse = 0;	/* not supported: copy all */
				continue;
			}
			hole = lseek(src, data, SEEK_HOLE);
			if (hole < 0 && errno == ENXIO)
				return -ESTALE;	/* truncated meanwhile */
			if (hole < 0)
				return -errno;
			if (hole > size)
				hole = size;
		} else {
			data = pos;
			hole = size;
		}
		pos = data;
		while (pos < hole) {
			size_t want = hole - pos < (off_t)sizeof(buf) ?
				      (size_t)(hole - pos) : sizeof(buf);
			ssize_t n = pread(src, buf, want, pos);
			ssize_t w, off = 0;

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
			if (n == 0)
				return -ESTALE;	/* shrank: the file changed */
			while (off < n) {
				w = pwrite(dst, buf + off, n - off, pos + off);
				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0)
					return -errno;
				off += w;
			}
			pos += n;
		}
	}
	if (ftruncate(dst, size))
		return -errno;
	return 0;
}

/*
 * Make the copy of the pcc file open at FD in the dataset: steps 1-5 of
 * "Making a copy" (the caller attaches).  PATH gets the copy's full path
 * (PATH_MAX bytes).  -ESTALE if the file kept changing.
 */
static inline int pcc_make_copy(int fd, const struct pcc_copy_opts *o,
				char *path)
{
	char name[PCC_CACHE_NAME_MAX], tmpname[64], procfd[64];
	struct pcc_version v1, v2;
	struct pcc_copy_xattr x;
	int rootfd = -1, d1 = -1, d2 = -1, tmp = -1, src = -1;
	int attempt, ret;
	const char *base;

	for (attempt = 0; attempt < (o->retries > 0 ? o->retries : 1);
	     attempt++) {
		/* 1. The version before. */
		ret = pcc_get_version(fd, &v1);
		if (ret)
			goto out;
		ret = pcc_copy_relpath(&v1, name);
		if (ret)
			goto out;
		snprintf(path, PATH_MAX, "%s/%s", o->root, name);

		/* 2. Fan-out directories 0700, a tmpfile 0600 in the last. */
		if (rootfd < 0) {
			rootfd = open(o->root, O_RDONLY | O_DIRECTORY);
			if (rootfd < 0) {
				ret = -errno;
				goto out;
			}
		}
		name[2] = '\0';
		name[5] = '\0';
		ret = pcc__mkdir(rootfd, name);
		if (ret)
			goto out;
		d1 = openat(rootfd, name, O_RDONLY | O_DIRECTORY);
		if (d1 < 0) {
			ret = -errno;
			goto out;
		}
		ret = pcc__mkdir(d1, name + 3);
		if (ret)
			goto out;
		d2 = openat(d1, name + 3, O_RDONLY | O_DIRECTORY);
		if (d2 < 0) {
			ret = -errno;
			goto out;
		}
		name[2] = name[5] = '/';
		base = name + 6;
		tmp = openat(d2, ".", O_TMPFILE | O_RDWR, 0600);
		if (tmp < 0) {
			ret = -errno;
			goto out;
		}

		/* 3. The data, then fsync. */
		if (o->from) {
			src = open(o->from, O_RDONLY);
			if (src < 0) {
				ret = -errno;
				goto out;
			}
		}
		ret = pcc__copy_data(src >= 0 ? src : fd, tmp, v1.size);
		if (ret && ret != -ESTALE)
			goto out;
		if (!ret && o->damage == PCC_COPY_SHORT && v1.size > 0 &&
		    ftruncate(tmp, v1.size - 1)) {
			ret = -errno;
			goto out;
		}
		if (!ret && !o->no_sync && fsync(tmp)) {
			ret = -errno;
			goto out;
		}

		/* 4. The version after: equal, or start again. */
		if (!ret) {
			ret = pcc_get_version(fd, &v2);
			if (ret)
				goto out;
			if (memcmp(&v1, &v2, sizeof(v1)))
				ret = -ESTALE;
		}
		if (ret == -ESTALE) {
			close(tmp);
			tmp = -1;
			if (src >= 0)
				close(src);
			src = -1;
			close(d2);
			close(d1);
			d1 = d2 = -1;
			continue;
		}

		/* 5. The xattr, link into place, fsync the directory. */
		memset(&x, 0, sizeof(x));
		x.magic = PCC_COPY_MAGIC;
		x.format = PCC_COPY_FORMAT;
		x.type = o->rw ? PCC_TYPE_READWRITE : PCC_TYPE_READONLY;
		x.dataset_id = o->dataset_id;
		x.version = v1;
		if (o->damage == PCC_COPY_BAD_VERSION) {
			x.version.mtime_nsec ^= 1;
			x.version.change += 1;
		}
		if (o->damage == PCC_COPY_BAD_MAGIC)
			x.magic ^= 0xff;
		if (o->damage != PCC_COPY_NO_XATTR &&
		    fsetxattr(tmp, PCC_XATTR_COPY, &x, sizeof(x), 0)) {
			ret = -errno;
			goto out;
		}
		snprintf(procfd, sizeof(procfd), "/proc/self/fd/%d", tmp);
		if (linkat(AT_FDCWD, procfd, d2, base, AT_SYMLINK_FOLLOW)) {
			if (errno != EEXIST) {
				ret = -errno;
				goto out;
			}
			/* A copy is there: replace it in one rename. */
			snprintf(tmpname, sizeof(tmpname), ".pcc-ctl.%d.tmp",
				 (int)getpid());
			unlinkat(d2, tmpname, 0);
			if (linkat(AT_FDCWD, procfd, d2, tmpname,
				   AT_SYMLINK_FOLLOW) ||
			    renameat(d2, tmpname, d2, base)) {
				ret = -errno;
				unlinkat(d2, tmpname, 0);
				goto out;
			}
		}
		if (!o->no_sync && fsync(d2)) {
			ret = -errno;
			goto out;
		}
		ret = 0;
		goto out;
	}
	ret = -ESTALE;
out:
	if (src >= 0)
		close(src);
	if (tmp >= 0)
		close(tmp);
	if (d2 >= 0)
		close(d2);
	if (d1 >= 0)
		close(d1);
	if (rootfd >= 0)
		close(rootfd);
	return ret;
}

#endif
