// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-fuse - the smallest FUSE filesystem a pcc test needs, spoken on
 * /dev/fuse without libfuse:
 *   pcc-fuse DIR	mount on DIR a root directory holding one file, "f",
 *			with "hello\n" in memory, and serve it in the
 *			background until DIR is unmounted.
 * It asks for atomic_o_trunc: an open with O_TRUNC truncates in the OPEN
 * call, and the kernel then sends no truncate for the open's ATTR_OPEN
 * setattr.  Every truncate it sees is logged to standard error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "check.h"

#define FILE_INO	2
#define MAX_SIZE	(1 << 20)

static char data[MAX_SIZE] = "hello\n";
static size_t size = 6;
static char buf[MAX_SIZE + 4096];
static int dev;

static void reply(const struct fuse_in_header *in, int err,
		  const void *arg, size_t len)
{
	struct fuse_out_header out = {
		.len = sizeof(out) + len,
		.error = err,
		.unique = in->unique,
	};
	static char msg[sizeof(out) + MAX_SIZE];

	memcpy(msg, &out, sizeof(out));
	if (len)
		memcpy(msg + sizeof(out), arg, len);
	/* The kernel may have given up on the request (ENOENT): fine. */
	if (write(dev, msg, out.len) < 0 && errno != ENOENT)
		die("reply to opcode %u", in->opcode);
}

static void fill_attr(struct fuse_attr *attr, uint64_t ino)
{
	memset(attr, 0, sizeof(*attr));
	attr->ino = ino;
	attr->blksize = 4096;
	if (ino == FUSE_ROOT_ID) {
		attr->mode = S_IFDIR | 0755;
		attr->nlink = 2;
	} else {
		attr->mode = S_IFREG | 0644;
		attr->nlink = 1;
		attr->size = size;
		attr->blocks = (size + 511) / 512;
	}
}

static void set_size(uint64_t new, const char *why)
{
	fprintf(stderr, "pcc-fuse: truncate to %llu by %s\n",
		(unsigned long long)new, why);
	if (new > MAX_SIZE)
		new = MAX_SIZE;
	if (new > size)
		memset(data + size, 0, new - size);
	size = new;
}

static void serve_one(const struct fuse_in_header *in, const void *arg)
{
	switch (in->opcode) {
	case FUSE_INIT: {
		struct fuse_init_out out = {
			.major = FUSE_KERNEL_VERSION,
			.minor = 31,
			.max_readahead = 65536,
			.flags = FUSE_ATOMIC_O_TRUNC,
			.max_write = 65536,
			.time_gran = 1,
		};
		reply(in, 0, &out, sizeof(out));
		break;
	}
	case FUSE_LOOKUP: {
		struct fuse_entry_out out = { 0 };

		if (in->nodeid != FUSE_ROOT_ID || strcmp(arg, "f")) {
			reply(in, -ENOENT, NULL, 0);
			break;
		}
		out.nodeid = FILE_INO;
		fill_attr(&out.attr, FILE_INO);
		reply(in, 0, &out, sizeof(out));
		break;
	}
	case FUSE_GETATTR: {
		struct fuse_attr_out out = { 0 };

		fill_attr(&out.attr, in->nodeid);
		reply(in, 0, &out, sizeof(out));
		break;
	}
	case FUSE_SETATTR: {
		const struct fuse_setattr_in *sa = arg;
		struct fuse_attr_out out = { 0 };

		if (sa->valid & FATTR_SIZE)
			set_size(sa->size, "SETATTR");
		fill_attr(&out.attr, in->nodeid);
		reply(in, 0, &out, sizeof(out));
		break;
	}
	case FUSE_OPEN:
	case FUSE_OPENDIR: {
		const struct fuse_open_in *oi = arg;
		struct fuse_open_out out = { .fh = 1 };

		if (in->opcode == FUSE_OPEN && (oi->flags & O_TRUNC))
			set_size(0, "OPEN with O_TRUNC");
		reply(in, 0, &out, sizeof(out));
		break;
	}
	case FUSE_READ: {
		const struct fuse_read_in *ri = arg;
		size_t len = 0;

		if (ri->offset < size)
			len = size - ri->offset;
		if (len > ri->size)
			len = ri->size;
		reply(in, 0, data + ri->offset, len);
		break;
	}
	case FUSE_WRITE: {
		const struct fuse_write_in *wi = arg;
		struct fuse_write_out out = { .size = wi->size };

		if (wi->offset + wi->size > MAX_SIZE) {
			reply(in, -EFBIG, NULL, 0);
			break;
		}
		memcpy(data + wi->offset, wi + 1, wi->size);
		if (wi->offset + wi->size > size)
			size = wi->offset + wi->size;
		reply(in, 0, &out, sizeof(out));
		break;
	}
	case FUSE_READDIR:
		reply(in, 0, NULL, 0);
		break;
	case FUSE_STATFS: {
		struct fuse_statfs_out out = {
			.st = { .bsize = 4096, .frsize = 4096, .namelen = 255 },
		};
		reply(in, 0, &out, sizeof(out));
		break;
	}
	case FUSE_FLUSH:
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
	case FUSE_FSYNC:
		reply(in, 0, NULL, 0);
		break;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
		break;
	default:
		reply(in, -ENOSYS, NULL, 0);
		break;
	}
}

int main(int argc, char **argv)
{
	char opts[128];
	ssize_t len;

	prog = "pcc-fuse";
	if (argc != 2) {
		fprintf(stderr, "usage: pcc-fuse DIR\n");
		return 2;
	}
	dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (dev < 0 && errno == ENOENT) {
		SYS(mknod("/dev/fuse", S_IFCHR | 0666, makedev(10, 229)));
		dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	}
	if (dev < 0)
		die("open /dev/fuse");
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0", dev);
	SYS(mount("pcc-fuse", argv[1], "fuse", 0, opts));
	/* The mount is there: the caller goes on while a child serves it. */
	if (SYS(fork()))
		return 0;
	setsid();
	for (;;) {
		len = read(dev, buf, sizeof(buf));
		if (len < 0 && (errno == EINTR || errno == EAGAIN ||
				errno == ENOENT))
			continue;
		if (len < 0 && errno == ENODEV)
			return 0;
		if (len < (ssize_t)sizeof(struct fuse_in_header))
			die("read /dev/fuse");
		serve_one((struct fuse_in_header *)buf,
			  buf + sizeof(struct fuse_in_header));
	}
}
