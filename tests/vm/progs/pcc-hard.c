// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-hard - helpers for the hardening scenarios (34-39):
 *   pcc-hard euid			prints the effective uid
 *   pcc-hard capeff			prints the effective capability set
 *					(CapEff of /proc/self/status)
 *   pcc-hard setcap FILE		gives FILE the file capability
 *					cap_dac_override+ep (a v2
 *					security.capability)
 *   pcc-hard dacl DIR PERM		sets a minimal default ACL on DIR:
 *					owner, group and other all PERM (0-7)
 *   pcc-hard idmap SRC DST		bind-mounts SRC on DST as an idmapped
 *					mount (uid/gid 0-65535 mapped to
 *					100000-165535); exits 77 if the kernel
 *					or SRC's filesystem cannot
 *   pcc-hard race DIR SECONDS [LOWER]	threads creating, unlinking, making
 *					and removing directories, and
 *					stat'ing the same few names in DIR
 *					for SECONDS (with LOWER, the lower
 *					directory of DIR, two makers work
 *					there); exits 1 on an unexpected
 *					error
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include "acl-xattr.h"
#include "check.h"

static int dacl(const char *dir, uint16_t perm)
{
	struct {
		uint32_t version;
		struct acl_entry e[3];
	} acl = {
		.version = ACL_XATTR_VERSION,
		.e = {
			{ ACL_USER_OBJ, perm, ACL_UNDEFINED_ID },
			{ ACL_GROUP_OBJ, perm, ACL_UNDEFINED_ID },
			{ ACL_OTHER, perm, ACL_UNDEFINED_ID },
		},
	};

	SYS(setxattr(dir, "system.posix_acl_default", &acl, sizeof(acl), 0));
	return 0;
}

/* The new mount API, by number: the same on every architecture. */
#ifndef __NR_open_tree
#define __NR_open_tree		428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount		429
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr	442
#endif
#define PCC_OPEN_TREE_CLONE	1
#define PCC_OPEN_TREE_CLOEXEC	O_CLOEXEC
#define PCC_MOVE_MOUNT_F_EMPTY_PATH	0x00000004
#define PCC_MOUNT_ATTR_IDMAP	0x00100000

struct pcc_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};

static void write_file(const char *path, const char *text)
{
	int fd = SYS(open(path, O_WRONLY));

	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static int idmap(const char *src, const char *dst)
{
	struct pcc_mount_attr attr = { .attr_set = PCC_MOUNT_ATTR_IDMAP };
	int pipefd[2], status, tree, ns;
	char path[64], c;
	pid_t pid;

	/* A child in a new user namespace, held until we have its fd. */
	SYS(pipe(pipefd));
	pid = SYS(fork());
	if (!pid) {
		close(pipefd[1]);
		if (unshare(CLONE_NEWUSER))
			_exit(77);
		/* Wait for the parent to write the maps and take the ns. */
		if (read(pipefd[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[0]);
	/* Let the child unshare; it cannot tell us, so poll its ns. */
	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	for (int i = 0; i < 100; i++) {
		struct stat self, child;

		SYS(stat("/proc/self/ns/user", &self));
		if (stat(path, &child) == 0 && child.st_ino != self.st_ino)
			break;
		usleep(10000);
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	write_file(path, "0 100000 65536\n");
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	write_file(path, "0 100000 65536\n");
	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	ns = SYS(open(path, O_RDONLY | O_CLOEXEC));
	close(pipefd[1]);
	SYS(waitpid(pid, &status, 0));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		fprintf(stderr, "%s: no user namespaces\n", prog);
		return 77;
	}

	tree = syscall(__NR_open_tree, AT_FDCWD, src,
		       PCC_OPEN_TREE_CLONE | PCC_OPEN_TREE_CLOEXEC);
	if (tree < 0 && errno == ENOSYS) {
		fprintf(stderr, "%s: no open_tree\n", prog);
		return 77;
	}
	SYS(tree);
	attr.userns_fd = ns;
	if (syscall(__NR_mount_setattr, tree, "", AT_EMPTY_PATH, &attr,
		    sizeof(attr))) {
		if (errno == ENOSYS || errno == EINVAL) {
			fprintf(stderr, "%s: cannot idmap %s: %s\n", prog, src,
				strerror(errno));
			return 77;
		}
		die("mount_setattr %s", src);
	}
	SYS(syscall(__NR_move_mount, tree, "", AT_FDCWD, dst,
		    PCC_MOVE_MOUNT_F_EMPTY_PATH));
	return 0;
}

/* race: a few names, each created and removed while others stat it. */
#define RACE_NAMES	4
static const char *race_dir, *race_lower;
static volatile int race_stop;

static void race_name(char *buf, size_t size, const char *dir, unsigned int i)
{
	snprintf(buf, size, "%s/n%u", dir, i % RACE_NAMES);
}

static void *race_maker(void *arg)
{
	unsigned int seed = (uintptr_t)arg, i;
	const char *dir = race_dir;
	char name[4096];

	if (race_lower && seed > 2)
		dir = race_lower;
	while (!race_stop) {
		i = rand_r(&seed);
		race_name(name, sizeof(name), dir, i);
		if (i & 0x100) {
			int fd = open(name, O_CREAT | O_WRONLY, 0644);

			if (fd >= 0)
				close(fd);
			else if (errno != EEXIST && errno != ENOENT &&
				 errno != EISDIR && errno != ESTALE)
				die("open %s", name);
			if (unlink(name) && errno != ENOENT && errno != EISDIR &&
			    errno != ESTALE && errno != EPERM)
				die("unlink %s", name);
		} else {
			if (mkdir(name, 0755) && errno != EEXIST &&
			    errno != ENOENT && errno != ESTALE)
				die("mkdir %s", name);
			if (rmdir(name) && errno != ENOENT && errno != ENOTDIR &&
			    errno != ENOTEMPTY && errno != ESTALE)
				die("rmdir %s", name);
		}
	}
	return NULL;
}

static void *race_stat(void *arg)
{
	unsigned int i = (uintptr_t)arg;
	char name[4096];
	struct stat st;

	while (!race_stop) {
		race_name(name, sizeof(name), race_dir, i++);
		if (stat(name, &st) && errno != ENOENT && errno != ESTALE)
			die("stat %s", name);
		if (access(name, F_OK) && errno != ENOENT && errno != ESTALE)
			die("access %s", name);
	}
	return NULL;
}

static int race(const char *dir, int seconds, const char *lower)
{
	pthread_t t[8];
	unsigned int i;

	race_dir = dir;
	race_lower = lower;
	for (i = 0; i < 8; i++)
		CHECK(!pthread_create(&t[i], NULL, i < 4 ? race_maker :
				      race_stat, (void *)(uintptr_t)(i + 1)));
	sleep(seconds);
	race_stop = 1;
	for (i = 0; i < 8; i++)
		CHECK(!pthread_join(t[i], NULL));
	return 0;
}

static int capeff(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7)) {
			printf("%s", line + 7 + strspn(line + 7, " \t"));
			fclose(f);
			return 0;
		}
	die("no CapEff in /proc/self/status");
}

static int setcap(const char *path)
{
	struct vfs_cap_data cap = {
		.magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE,
		.data = { { .permitted = 1 << CAP_DAC_OVERRIDE } },
	};

	SYS(setxattr(path, "security.capability", &cap, XATTR_CAPS_SZ_2, 0));
	return 0;
}

int main(int argc, char **argv)
{
	prog = "pcc-hard";
	if (argc == 2 && !strcmp(argv[1], "capeff"))
		return capeff();
	if (argc == 3 && !strcmp(argv[1], "setcap"))
		return setcap(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "euid")) {
		printf("%u\n", (unsigned int)geteuid());
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "dacl"))
		return dacl(argv[2], strtoul(argv[3], NULL, 8));
	if (argc == 4 && !strcmp(argv[1], "idmap"))
		return idmap(argv[2], argv[3]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "race"))
		return race(argv[2], atoi(argv[3]), argc == 5 ? argv[4] : NULL);
	fprintf(stderr, "usage: pcc-hard euid | capeff | setcap FILE"
		" | dacl DIR PERM | idmap SRC DST"
		" | race DIR SECONDS [LOWER]\n");
	return 2;
}
