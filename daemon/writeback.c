// SPDX-License-Identifier: GPL-2.0-only
/*
 * writeback.c - read-write copies left dirty by a crash.
 *
 * The module writes a read-write copy back to its lower file at the last
 * close and before a detach; until it has, the copy carries
 * PCC_XATTR_DIRTY (include/uapi/linux/pcc.h).  A copy that still has it
 * when its dataset is handed to the module was dirty when the node went
 * down (kill of the node, power cut, a module unloaded by force): it holds
 * acknowledged writes the lower file may lack.  pccd writes each such copy
 * back before it adds the dataset, so no open can attach it meanwhile:
 * the data, then the size, an fsync of the lower file, then this node's
 * read-write mark is taken off the lower file (PCC_XATTR_RW_MARK, named
 * by the copy's PCC_XATTR_DIRTY), and only then is the copy removed (the
 * next read-write attach makes a new one).  A mark that cannot be removed
 * is logged, and fails nothing: the data is safe.  A copy that cannot be
 * written back is left as it is, dirty, and logged: it is tried again at
 * the next start, and eviction never removes it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <linux/pcc.h>

#include "log.h"
#include "writeback.h"

#define WB_CHUNK	(1 << 20)

/* Copy all of src to dst, set dst's size, fsync it; 0 or -errno. */
static int copy_back(int src, int dst, off_t size, char *buf)
{
	off_t pos = 0;
	ssize_t n, w;

	while (pos < size) {
		n = pread(src, buf, size - pos < WB_CHUNK ? size - pos :
			  WB_CHUNK, pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EIO;
		for (w = 0; w < n; ) {
			ssize_t k = pwrite(dst, buf + w, n - w, pos + w);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				return k ? -errno : -EIO;
			w += k;
		}
		pos += n;
	}
	if (ftruncate(dst, size) || fsync(dst))
		return -errno;
	return 0;
}

/*
 * Open the lower file of handle fh for writing: as its owner first (an
 * NFS export squashes root), then as root.  Only this thread's file
 * system ids change (setfsuid(2)); pccd runs this before its workers
 * need the main thread.  An fd or -errno.
 */
static int open_lower(int mount_fd, struct file_handle *fh)
{
	char proc[64];
	struct stat st;
	int path, fd = -1, err;

	path = open_by_handle_at(mount_fd, fh, O_PATH | O_CLOEXEC);
	if (path < 0)
		return -errno;
	if (fstat(path, &st)) {
		err = -errno;
		close(path);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(path);
		return -EINVAL;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path);
	if (st.st_uid != 0) {
		setfsgid(st.st_gid);
		setfsuid(st.st_uid);
		fd = open(proc, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		setfsuid(0);
		setfsgid(0);
	}
	if (fd < 0)
		fd = open(proc, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	err = fd < 0 ? -errno : fd;
	close(path);
	return err;
}

/*
 * Remove the mark PCC_XATTR_RW_MARK from the lower file dst if its value
 * is node (len bytes): 1 if removed, 0 if there was none or another's,
 * -errno.
 */
static int unmark_as(int dst, const char *node, ssize_t len)
{
	char mark[PCC_NODE_MAX];
	ssize_t n;

	n = fgetxattr(dst, PCC_XATTR_RW_MARK, mark, sizeof(mark));
	if (n < 0)	/* ERANGE: longer than a node name, not ours */
		return errno == ENODATA || errno == EOPNOTSUPP ||
		       errno == ERANGE ? 0 : -errno;
	if (n != len || memcmp(mark, node, len))
		return 0;
	if (fremovexattr(dst, PCC_XATTR_RW_MARK))
		return errno == ENODATA ? 0 : -errno;
	return 1;
}

/*
 * The copy fd (shown as what), written back to dst, was dirty: its
 * PCC_XATTR_DIRTY names the node that may have marked dst read-write
 * (PCC_XATTR_RW_MARK; "1" on copies older than the mark).  Other nodes
 * attach no marked file, so a mark the crash left behind would keep them
 * from caching it until removed by hand: remove it, if it is still that
 * node's (another node's mark stands for changes of its own).  As the
 * file's owner first (an NFS export squashes root), then as root, as
 * open_lower().
 */
static void unmark_lower(int fd, int dst, const char *what)
{
	char node[PCC_NODE_MAX];
	struct stat st;
	ssize_t len;
	int ret = -EPERM;	/* not tried yet */

	/* "1", of a copy older than the mark, names no node: no harm. */
	len = fgetxattr(fd, PCC_XATTR_DIRTY, node, sizeof(node));
	if (len <= 0)
		return;
	if (!fstat(dst, &st) && st.st_uid != 0) {
		setfsgid(st.st_gid);
		setfsuid(st.st_uid);
		ret = unmark_as(dst, node, len);
		setfsuid(0);
		setfsgid(0);
	}
	if (ret < 0)
		ret = unmark_as(dst, node, len);
	if (ret < 0)
		log_warn_errno("writeback", ret, "%s is written back, but its lower file keeps this node's read-write mark: other nodes will not cache the file until %s is removed from it by hand",
			       what, PCC_XATTR_RW_MARK);
	else if (ret > 0)
		log_info("writeback", "%s: this node's read-write mark %s removed from the lower file",
			 what, PCC_XATTR_RW_MARK);
}

/*
 * Write back the copy open as fd (named name in directory dirfd, shown as
 * what) to its lower file, found by the handle its xattr records, from
 * mount_fd (any file of the lower filesystem).  1 if it was dirty and is
 * written back and removed, 0 if it was not dirty, -errno.
 */
static int writeback_one(int mount_fd, int dirfd, const char *name, int fd,
			 const char *what, char *buf)
{
	struct pcc_copy_xattr x;
	struct file_handle *fh;
	struct stat st;
	ssize_t n;
	int dst, err;

	if (fgetxattr(fd, PCC_XATTR_DIRTY, NULL, 0) < 0)
		return errno == ENODATA ? 0 : -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		log_errx("writeback", "%s is marked dirty but is not a regular file: left as it is",
			 what);
		return -EINVAL;
	}
	n = fgetxattr(fd, PCC_XATTR_COPY, &x, sizeof(x));
	if (n != sizeof(x) || x.magic != PCC_COPY_MAGIC ||
	    x.format != PCC_COPY_FORMAT || x.type != PCC_TYPE_READWRITE ||
	    x.version.fh_len > PCC_FH_MAX) {
		log_errx("writeback", "%s is dirty but its %s is not a read-write copy's: left as it is",
			 what, PCC_XATTR_COPY);
		return -EINVAL;
	}
	if (x.version.fh_type == PCC_FH_TYPE_INO) {
		log_errx("writeback", "%s is dirty, but its lower filesystem has no file handles to find the file by: left as it is",
			 what);
		return -EOPNOTSUPP;
	}
	fh = malloc(sizeof(*fh) + x.version.fh_len);
	if (!fh)
		return -ENOMEM;
	fh->handle_bytes = x.version.fh_len;
	fh->handle_type = x.version.fh_type;
	memcpy(fh->f_handle, x.version.fh, x.version.fh_len);
	dst = open_lower(mount_fd, fh);
	err = dst < 0 ? dst : 0;
	free(fh);
	if (err) {
		log_err_errno("writeback", err, "%s is dirty but its lower file cannot be opened: left as it is",
			      what);
		return err;
	}
	err = copy_back(fd, dst, st.st_size, buf);
	if (!err)
		unmark_lower(fd, dst, what);
	close(dst);
	if (err) {
		log_err_errno("writeback", err, "cannot write %s back: left as it is",
			      what);
		return err;
	}
	if (unlinkat(dirfd, name, 0) && errno != ENOENT) {
		err = -errno;
		log_err_errno("writeback", err, "%s is written back but cannot be removed (it will be written back again)",
			      what);
		return err;
	}
	log_info("writeback", "%s: %jd bytes a crash left in the cache written back to the lower file",
		 what, (intmax_t)st.st_size);
	return 1;
}

/* The fan-out levels: ROOT/HH/HH/NAME. */
static int walk(int mount_fd, int dfd, const char *path, int depth,
		char *buf, struct pccd_writeback_stats *s)
{
	DIR *dir = fdopendir(dfd);
	struct dirent *e;
	char what[PATH_MAX];
	int fd, ret;

	if (!dir) {
		close(dfd);
		return -errno;
	}
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(what, sizeof(what), "%s/%s", path, e->d_name);
		if (depth < 2) {
			if (strlen(e->d_name) != 2)
				continue;
			fd = openat(dfd, e->d_name, O_RDONLY |
				    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				walk(mount_fd, fd, what, depth + 1, buf, s);
			else if (errno != ENOTDIR && errno != ELOOP)
				s->failed++;	/* may hold dirty copies */
			continue;
		}
		fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW |
			    O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			if (errno != ELOOP)
				s->failed++;
			continue;
		}
		ret = writeback_one(mount_fd, dfd, e->d_name, fd,
				    what, buf);
		close(fd);
		if (ret > 0)
			s->written++;
		else if (ret < 0)
			s->failed++;
	}
	closedir(dir);
	return 0;
}

int pccd_writeback_dirty(const char *lower, dev_t pcc_dev, const char *ds_root,
			 struct pccd_writeback_stats *s)
{
	struct stat st;
	int mount_fd, root;
	char *buf;
	int err = 0;

	memset(s, 0, sizeof(*s));
	/* Not O_PATH: open_by_handle_at() refuses one (EBADF). */
	mount_fd = open(lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mount_fd < 0)
		return -errno;
	/* A pcc mount over its own lower directory hides it from here. */
	if (fstat(mount_fd, &st) || st.st_dev == pcc_dev) {
		close(mount_fd);
		return -EXDEV;
	}
	root = open(ds_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	buf = malloc(WB_CHUNK);
	if (root < 0 || !buf) {
		err = root < 0 ? -errno : -ENOMEM;
		if (root >= 0)
			close(root);
	} else {
		err = walk(mount_fd, root, ds_root, 0, buf, s);
	}
	free(buf);
	close(mount_fd);
	return err;
}
