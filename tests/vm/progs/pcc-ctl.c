// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-ctl - the per-file side of the pcc contract for tests: make cache
 * copies the way pccd will, and drive the ioctls (include/uapi/linux/pcc.h).
 *
 *   pcc-ctl version FILE
 *	the lower version (PCC_IOC_VERSION) as "key value" lines
 *   pcc-ctl cache DATASET_ROOT FILE [--dataset ID] [--no-attach] [--rw]
 *	[--corrupt-version|--bad-magic|--no-xattr|--short] [--from SRC]
 *	make a copy ("Making a copy" in the header: version, fan-out dirs
 *	0700, O_TMPFILE 0600, data (holes kept), fsync, version again (up to
 *	5 tries), trusted.pcc.copy, link into place (rename over an older
 *	copy), fsync of the directory), then PCC_IOC_ATTACH unless
 *	--no-attach; print the copy's path.  --dataset ID is recorded in the
 *	xattr and asked for at attach (default 1).  The damage options record
 *	a wrong version, a wrong magic, no xattr, or a copy one byte short.
 *	--from SRC reads the data from SRC (the same file seen elsewhere, e.g.
 *	on the NFS server) instead of through pcc: for very large files.
 *	--rw makes a read-write copy and attaches it read-write.
 *   pcc-ctl attach FILE [--id N] [--wronly] [--rw]
 *   pcc-ctl detach FILE [--uncache] [--id N] [--wronly]
 *	prints "cache removed" when the kernel says it unlinked a copy
 *   pcc-ctl state FILE [--wronly]
 *   pcc-ctl state --dir DIR NAME
 *	PCC_IOC_STATE on the open file, or on the directory DIR for NAME (the
 *	file is not opened); lines "type none|readonly|readwrite",
 *	"dataset N", "open_count N", "flags 0xN [names]", "path P"
 *   pcc-ctl path FILE
 *	the copy's path relative to the dataset root, from the version
 *	--wronly opens FILE write-only (the ioctls take any open mode; the
 *	permission gate is read permission, not the open mode)
 *   pcc-ctl unxattr COPY
 *	remove trusted.pcc.copy from a copy (damage it by hand)
 *   pcc-ctl setdirty COPY
 *	set trusted.pcc.dirty on a copy, as the module does before a change
 *	(a copy a crash left dirty)
 *   pcc-ctl copyinfo COPY
 *	what trusted.pcc.copy of a copy says, as "key value" lines: "magic
 *	ok|bad", "format N", "type none|readonly|readwrite", "dataset N",
 *	"version_size N" (the lower size it records), "version_mtime S.N",
 *	"version_ctime S.N", "version_change N" (what else it records), "size N" of the
 *	copy itself; ENODATA when it has none, ERANGE when it is not the size
 *	of struct pcc_copy_xattr (busybox has no getfattr), and "dirty
 *	yes|no" (trusted.pcc.dirty)
 *   pcc-ctl bad PATH CASE
 *	a malformed ioctl on PATH (a file, or a directory for dir-*); prints
 *	"ok" or the errno's name (EINVAL, ...).  CASE: attach-type-none,
 *	attach-type-rw, attach-type-99, attach-flags, attach-reserved,
 *	attach-ds-max (PCC_DS_ID_MAX + 1), attach-ds-unknown (12345),
 *	detach-flags (0x2), detach-flags-out (0x8 given in), detach-ds-max,
 *	state-reserved, state-namelen (a name length on a file), dir-namelen0,
 *	dir-namelen-big, dir-namelen-short, dir-slash, dir-dot, dir-dotdot,
 *	dir-missing, dir-empty; dir-NAME... ask the state of NAME
 *   pcc-ctl name TYPE HEXFH
 *	pcc_cache_name() of a handle given in hex (make check uses it)
 *   pcc-ctl fail LOC [VAL]
 *	write VAL (default 0) to /sys/kernel/debug/pcc/fail_val, then LOC to
 *	fail_loc (mounting debugfs if needed); LOC is a number or one of
 *	cache_read, detach_mkwrite, mkwrite_pause, attach_pause, cache_write,
 *	fault, off, with an optional ",once"
 *
 * Errors: "pcc-ctl: CMD FILE: strerror" and exit 1; usage errors exit 2.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache-copy.h"

#define DEBUGFS	"/sys/kernel/debug"

static void usage(void)
{
	fprintf(stderr,
		"usage: pcc-ctl version FILE\n"
		"       pcc-ctl cache DATASET_ROOT FILE [--dataset ID] [--no-attach] [--rw]\n"
		"               [--corrupt-version|--bad-magic|--no-xattr|--short] [--from SRC]\n"
		"       pcc-ctl attach FILE [--id N] [--wronly] [--rw]\n"
		"       pcc-ctl detach FILE [--uncache] [--id N] [--wronly]\n"
		"       pcc-ctl state FILE [--wronly] | state --dir DIR NAME\n"
		"       pcc-ctl unxattr COPY\n"
		"       pcc-ctl setdirty COPY\n"
		"       pcc-ctl copyinfo COPY\n"
		"       pcc-ctl bad PATH CASE\n"
		"       pcc-ctl path FILE\n"
		"       pcc-ctl name TYPE HEXFH\n"
		"       pcc-ctl fail LOC [VAL]\n");
	exit(2);
}

/* Report an error of CMD on WHAT (err is a positive or negative errno). */
static int fail(const char *cmd, const char *what, int err)
{
	fprintf(stderr, "pcc-ctl: %s %s: %s\n", cmd, what,
		strerror(err < 0 ? -err : err));
	return 1;
}

static unsigned int parse_uint(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || v > 0xffffffffUL) {
		fprintf(stderr, "pcc-ctl: not a number: '%s'\n", s);
		exit(2);
	}
	return v;
}

static int open_file(const char *cmd, const char *path, int flags, int *fd)
{
	*fd = open(path, flags);
	return *fd < 0 ? fail(cmd, path, errno) : 0;
}

static void print_version(const struct pcc_version *v)
{
	unsigned int i;

	printf("fh_type 0x%x\n", v->fh_type);
	printf("fh_len %u\n", v->fh_len);
	printf("fh ");
	for (i = 0; i < v->fh_len && i < PCC_FH_MAX; i++)
		printf("%02x", v->fh[i]);
	printf("\n");
	printf("flags 0x%x\n", v->flags);
	printf("size %llu\n", (unsigned long long)v->size);
	printf("mtime %lld.%09u\n", (long long)v->mtime_sec, v->mtime_nsec);
	printf("ctime %lld.%09u\n", (long long)v->ctime_sec, v->ctime_nsec);
	printf("change %llu\n", (unsigned long long)v->change);
}

static int cmd_version(int argc, char **argv)
{
	struct pcc_version v;
	int fd, ret;

	if (argc != 1)
		usage();
	if (open_file("version", argv[0], O_RDONLY, &fd))
		return 1;
	ret = pcc_get_version(fd, &v);
	close(fd);
	if (ret)
		return fail("version", argv[0], ret);
	print_version(&v);
	return 0;
}

static int cmd_path(int argc, char **argv)
{
	char name[PCC_CACHE_NAME_MAX];
	struct pcc_version v;
	int fd, ret;

	if (argc != 1)
		usage();
	if (open_file("path", argv[0], O_RDONLY, &fd))
		return 1;
	ret = pcc_get_version(fd, &v);
	close(fd);
	if (!ret)
		ret = pcc_copy_relpath(&v, name);
	if (ret)
		return fail("path", argv[0], ret);
	printf("%s\n", name);
	return 0;
}

static int cmd_cache(int argc, char **argv)
{
	struct pcc_copy_opts o = { .dataset_id = 1, .retries = 5 };
	char path[PATH_MAX];
	const char *file = NULL;
	int attach = 1, fd, ret, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--dataset") && i + 1 < argc)
			o.dataset_id = parse_uint(argv[++i]);
		else if (!strcmp(argv[i], "--no-attach"))
			attach = 0;
		else if (!strcmp(argv[i], "--rw"))
			o.rw = true;
		else if (!strcmp(argv[i], "--corrupt-version"))
			o.damage = PCC_COPY_BAD_VERSION;
		else if (!strcmp(argv[i], "--bad-magic"))
			o.damage = PCC_COPY_BAD_MAGIC;
		else if (!strcmp(argv[i], "--no-xattr"))
			o.damage = PCC_COPY_NO_XATTR;
		else if (!strcmp(argv[i], "--short"))
			o.damage = PCC_COPY_SHORT;
		else if (!strcmp(argv[i], "--from") && i + 1 < argc)
			o.from = argv[++i];
		else if (argv[i][0] == '-')
			usage();
		else if (!o.root)
			o.root = argv[i];
		else if (!file)
			file = argv[i];
		else
			usage();
	}
	if (!o.root || !file)
		usage();
	umask(077);
	if (open_file("cache", file, O_RDONLY, &fd))
		return 1;
	ret = pcc_make_copy(fd, &o, path);
	if (ret) {
		close(fd);
		return fail("cache", file, ret);
	}
	if (attach) {
		ret = pcc_attach_fd_type(fd, o.dataset_id, o.rw ?
					 PCC_TYPE_READWRITE : PCC_TYPE_READONLY);
		if (ret) {
			close(fd);
			fprintf(stderr, "pcc-ctl: copy made: %s\n", path);
			return fail("attach", file, ret);
		}
	}
	close(fd);
	printf("%s\n", path);
	return 0;
}

static int cmd_attach(int argc, char **argv)
{
	unsigned int id = 0;
	const char *file = NULL;
	unsigned int type = PCC_TYPE_READONLY;
	int fd, ret, i, mode = O_RDONLY;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--wronly"))
			mode = O_WRONLY;
		else if (!strcmp(argv[i], "--rw"))
			type = PCC_TYPE_READWRITE;
		else if (!strcmp(argv[i], "--id") && i + 1 < argc)
			id = parse_uint(argv[++i]);
		else if (argv[i][0] == '-' || file)
			usage();
		else
			file = argv[i];
	}
	if (!file)
		usage();
	if (open_file("attach", file, mode, &fd))
		return 1;
	ret = pcc_attach_fd_type(fd, id, type);
	close(fd);
	return ret ? fail("attach", file, ret) : 0;
}

static int cmd_detach(int argc, char **argv)
{
	unsigned int id = 0, flags = 0, out = 0;
	const char *file = NULL;
	int fd, ret, i, mode = O_RDONLY;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--wronly"))
			mode = O_WRONLY;
		else if (!strcmp(argv[i], "--id") && i + 1 < argc)
			id = parse_uint(argv[++i]);
		else if (!strcmp(argv[i], "--uncache"))
			flags |= PCC_DETACH_FL_UNCACHE;
		else if (argv[i][0] == '-' || file)
			usage();
		else
			file = argv[i];
	}
	if (!file)
		usage();
	if (open_file("detach", file, mode, &fd))
		return 1;
	ret = pcc_detach_fd(fd, flags, id, &out);
	close(fd);
	if (ret)
		return fail("detach", file, ret);
	if (out & PCC_DETACH_FL_CACHE_REMOVED)
		printf("cache removed\n");
	return 0;
}

static const char *type_name(unsigned int type)
{
	switch (type) {
	case PCC_TYPE_NONE:	return "none";
	case PCC_TYPE_READONLY:	return "readonly";
	case PCC_TYPE_READWRITE: return "readwrite";
	}
	return "unknown";
}

static void print_state(const struct pcc_ioc_state *st)
{
	static const struct { unsigned int bit; const char *name; } fl[] = {
		{ PCC_STATE_FL_ATTACHING, "attaching" },
		{ PCC_STATE_FL_UNLINKED, "unlinked" },
		{ PCC_STATE_FL_NONE, "none" },
		{ PCC_STATE_FL_MAPPED, "mapped" },
		{ PCC_STATE_FL_DIRTY, "dirty" },
	};
	unsigned int i, rest = st->flags;

	if (!strcmp(type_name(st->type), "unknown"))
		printf("type %u\n", st->type);
	else
		printf("type %s\n", type_name(st->type));
	printf("dataset %u\n", st->dataset_id);
	printf("open_count %u\n", st->open_count);
	printf("flags 0x%x", st->flags);
	for (i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		if (st->flags & fl[i].bit) {
			printf(" %s", fl[i].name);
			rest &= ~fl[i].bit;
		}
	}
	if (rest)
		printf(" 0x%x", rest);
	printf("\n");
	printf("path %.*s\n", (int)sizeof(st->path), st->path);
}

static int cmd_state(int argc, char **argv)
{
	struct pcc_ioc_state st;
	int fd, ret;

	if (argc == 3 && !strcmp(argv[0], "--dir")) {
		if (open_file("state", argv[1], O_RDONLY | O_DIRECTORY, &fd))
			return 1;
		ret = pcc_state_dir(fd, argv[2], &st);
		close(fd);
		if (ret) {
			char what[PATH_MAX];

			snprintf(what, sizeof(what), "%s/%s", argv[1], argv[2]);
			return fail("state", what, ret);
		}
	} else if ((argc == 1 || (argc == 2 && !strcmp(argv[1], "--wronly"))) &&
		   argv[0][0] != '-') {
		if (open_file("state", argv[0], argc == 2 ? O_WRONLY : O_RDONLY,
			      &fd))
			return 1;
		ret = pcc_state_fd(fd, &st);
		close(fd);
		if (ret)
			return fail("state", argv[0], ret);
	} else {
		usage();
	}
	print_state(&st);
	return 0;
}

static int cmd_unxattr(int argc, char **argv)
{
	if (argc != 1)
		usage();
	if (removexattr(argv[0], PCC_XATTR_COPY))
		return fail("unxattr", argv[0], errno);
	return 0;
}

static int cmd_setdirty(int argc, char **argv)
{
	if (argc != 1)
		usage();
	if (lsetxattr(argv[0], PCC_XATTR_DIRTY, "1", 1, 0))
		return fail("setdirty", argv[0], errno);
	return 0;
}

static int cmd_copyinfo(int argc, char **argv)
{
	struct pcc_copy_xattr x;
	struct stat st;
	ssize_t n;

	if (argc != 1)
		usage();
	if (lstat(argv[0], &st))
		return fail("copyinfo", argv[0], errno);
	n = lgetxattr(argv[0], PCC_XATTR_COPY, &x, sizeof(x));
	if (n < 0)
		return fail("copyinfo", argv[0], errno);
	if (n != (ssize_t)sizeof(x))
		return fail("copyinfo", argv[0], ERANGE);
	printf("magic %s\n", x.magic == PCC_COPY_MAGIC ? "ok" : "bad");
	printf("format %u\n", x.format);
	if (!strcmp(type_name(x.type), "unknown"))
		printf("type %u\n", x.type);
	else
		printf("type %s\n", type_name(x.type));
	printf("dataset %u\n", x.dataset_id);
	printf("version_size %llu\n", (unsigned long long)x.version.size);
	printf("version_mtime %lld.%09u\n", (long long)x.version.mtime_sec,
	       x.version.mtime_nsec);
	printf("version_ctime %lld.%09u\n", (long long)x.version.ctime_sec,
	       x.version.ctime_nsec);
	printf("version_change %llu\n", (unsigned long long)x.version.change);
	printf("size %lld\n", (long long)st.st_size);
	if (lgetxattr(argv[0], PCC_XATTR_DIRTY, NULL, 0) >= 0)
		printf("dirty yes\n");
	else if (errno == ENODATA)
		printf("dirty no\n");
	else
		return fail("copyinfo", argv[0], errno);
	return 0;
}

static int cmd_bad(int argc, char **argv)
{
	struct pcc_ioc_attach a = { .type = PCC_TYPE_READONLY };
	struct pcc_ioc_detach d = { 0 };
	static struct pcc_ioc_state st;
	const char *c;
	unsigned long req;
	void *arg;
	int fd, ret;

	if (argc != 2)
		usage();
	c = argv[1];
	memset(&st, 0, sizeof(st));
	if (!strncmp(c, "attach-", 7)) {
		req = PCC_IOC_ATTACH;
		arg = &a;
		if (!strcmp(c, "attach-type-none"))
			a.type = PCC_TYPE_NONE;
		else if (!strcmp(c, "attach-type-rw"))
			a.type = PCC_TYPE_READWRITE;
		else if (!strcmp(c, "attach-type-99"))
			a.type = 99;
		else if (!strcmp(c, "attach-flags"))
			a.flags = 1;
		else if (!strcmp(c, "attach-reserved"))
			a.reserved = 1;
		else if (!strcmp(c, "attach-ds-max"))
			a.dataset_id = (__u32)PCC_DS_ID_MAX + 1;
		else if (!strcmp(c, "attach-ds-unknown"))
			a.dataset_id = 12345;
		else
			usage();
	} else if (!strncmp(c, "detach-", 7)) {
		req = PCC_IOC_DETACH;
		arg = &d;
		if (!strcmp(c, "detach-flags"))
			d.flags = 0x2;
		else if (!strcmp(c, "detach-flags-out"))
			d.flags = PCC_DETACH_FL_CACHE_REMOVED;
		else if (!strcmp(c, "detach-ds-max"))
			d.dataset_id = (__u32)PCC_DS_ID_MAX + 1;
		else
			usage();
	} else {
		req = PCC_IOC_STATE;
		arg = &st;
		if (!strcmp(c, "state-reserved")) {
			st.reserved = 1;
		} else if (!strcmp(c, "state-namelen")) {
			strcpy(st.path, "x");
			st.namelen = 2;
		} else if (!strcmp(c, "dir-namelen0")) {
			strcpy(st.path, "x");
		} else if (!strcmp(c, "dir-namelen-big")) {
			strcpy(st.path, "x");
			st.namelen = sizeof(st.path) + 1;
		} else if (!strcmp(c, "dir-namelen-short")) {
			strcpy(st.path, "abc");
			st.namelen = 2;
		} else if (!strcmp(c, "dir-slash")) {
			strcpy(st.path, "a/b");
			st.namelen = 4;
		} else if (!strcmp(c, "dir-dot")) {
			strcpy(st.path, ".");
			st.namelen = 2;
		} else if (!strcmp(c, "dir-dotdot")) {
			strcpy(st.path, "..");
			st.namelen = 3;
		} else if (!strcmp(c, "dir-empty")) {
			st.namelen = 1;
		} else if (!strcmp(c, "dir-missing")) {
			strcpy(st.path, "no-such-file");
			st.namelen = strlen(st.path) + 1;
		} else if (!strncmp(c, "dir-", 4)) {
			snprintf(st.path, sizeof(st.path), "%s", c + 4);
			st.namelen = strlen(st.path) + 1;
		} else {
			usage();
		}
	}
	fd = open(argv[0], O_RDONLY);
	if (fd < 0)
		return fail("bad", argv[0], errno);
	ret = ioctl(fd, req, arg);
	if (ret)
		printf("%s\n", strerrorname_np(errno) ? strerrorname_np(errno) :
		       "errno");
	else
		printf("ok\n");
	close(fd);
	return 0;
}

static int cmd_name(int argc, char **argv)
{
	char name[PCC_CACHE_NAME_MAX];
	__u8 fh[1024];
	unsigned int type, len = 0;
	const char *h;

	if (argc != 2)
		usage();
	type = parse_uint(argv[0]);
	h = argv[1];
	if (strlen(h) % 2 || strlen(h) / 2 > sizeof(fh))
		usage();
	for (; *h; h += 2) {
		char byte[3] = { h[0], h[1], 0 };

		if (!isxdigit((unsigned char)h[0]) ||
		    !isxdigit((unsigned char)h[1]))
			usage();
		fh[len++] = strtoul(byte, NULL, 16);
	}
	pcc_cache_name(name, type, fh, len);
	printf("%s\n", name);
	return 0;
}

static int write_knob(const char *file, unsigned int val)
{
	char path[128], buf[32];
	int fd, n, ret = 0;

	snprintf(path, sizeof(path), DEBUGFS "/pcc/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return fail("fail", path, errno);
	n = snprintf(buf, sizeof(buf), "%u\n", val);
	if (write(fd, buf, n) != n)
		ret = fail("fail", path, errno);
	close(fd);
	return ret;
}

static int cmd_fail(int argc, char **argv)
{
	static const struct { const char *name; unsigned int id; } ids[] = {
		{ "off", 0 },
		{ "cache_read", PCC_FAIL_CACHE_READ },
		{ "detach_mkwrite", PCC_FAIL_DETACH_MKWRITE },
		{ "mkwrite_pause", PCC_FAIL_MKWRITE_PAUSE },
		{ "attach_pause", PCC_FAIL_ATTACH_PAUSE },
		{ "cache_write", PCC_FAIL_CACHE_WRITE },
		{ "fault", PCC_FAIL_FAULT },
	};
	unsigned int loc = 0, val = 0, i;
	char name[64], *comma;
	struct stat st;
	int found = 0;

	if (argc < 1 || argc > 2)
		usage();
	snprintf(name, sizeof(name), "%s", argv[0]);
	comma = strchr(name, ',');
	if (comma)
		*comma++ = '\0';
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (!strcmp(name, ids[i].name)) {
			loc = ids[i].id;
			found = 1;
		}
	}
	if (!found)
		loc = parse_uint(name);
	if (comma) {
		if (strcmp(comma, "once"))
			usage();
		loc |= PCC_FAIL_ONCE;
	}
	if (argc == 2)
		val = parse_uint(argv[1]);
	if (stat(DEBUGFS "/pcc", &st) &&
	    mount("debugfs", DEBUGFS, "debugfs", 0, NULL) && errno != EBUSY)
		return fail("fail", "mount debugfs", errno);
	if (write_knob("fail_val", val) || write_knob("fail_loc", loc))
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "version", cmd_version }, { "cache", cmd_cache },
		{ "attach", cmd_attach }, { "detach", cmd_detach },
		{ "state", cmd_state }, { "path", cmd_path },
		{ "name", cmd_name }, { "fail", cmd_fail },
		{ "unxattr", cmd_unxattr }, { "setdirty", cmd_setdirty },
		{ "copyinfo", cmd_copyinfo },
		{ "bad", cmd_bad },
	};
	unsigned int i;

	if (argc < 2)
		usage();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 2, argv + 2);
	usage();
	return 2;
}
