// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_copy.c - the copy-in engine (daemon/copy.c) on local files.  The
 * kernel is faked through struct pccd_copy_ops: the version of a file is
 * made from its fstat (inode number as a PCC_FH_TYPE_INO handle, size,
 * times), attaches are recorded, and PCC_XATTR_COPY is kept in memory, so
 * the tests run without root and without the module.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/pcc.h>

#include "copy.h"

static char tmpdir[] = "/tmp/pcc-test-copy.XXXXXX";

/* --- the fake kernel -------------------------------------------------------- */

static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fake_cond = PTHREAD_COND_INITIALIZER;

static struct {
	bool hold;		/* version() waits while set */
	int entered;		/* version() calls that reached the gate */
	bool changing;		/* every version differs from the last */
	unsigned int calls;	/* version() calls */
	int attaches;
	uint32_t attach_id;
	int set_xattr_err;	/* set_xattr() fails with this */
	int attach_err;		/* attach() fails with this */
	struct {
		dev_t dev;
		ino_t ino;
		struct pcc_copy_xattr x;
	} xattrs[64];
	int nxattrs;
} fake;

static int fake_version(int fd, struct pcc_version *v)
{
	unsigned int call;
	bool changing;
	struct stat st;
	uint64_t ino;

	pthread_mutex_lock(&fake_lock);
	fake.entered++;
	pthread_cond_broadcast(&fake_cond);
	while (fake.hold)
		pthread_cond_wait(&fake_cond, &fake_lock);
	call = ++fake.calls;
	changing = fake.changing;
	pthread_mutex_unlock(&fake_lock);

	if (fstat(fd, &st))
		return -errno;
	ino = st.st_ino;
	v->fh_type = PCC_FH_TYPE_INO;
	v->fh_len = sizeof(ino);
	memcpy(v->fh, &ino, sizeof(ino));
	v->size = st.st_size;
	v->mtime_sec = st.st_mtim.tv_sec;
	v->mtime_nsec = st.st_mtim.tv_nsec;
	v->ctime_sec = st.st_ctim.tv_sec;
	v->ctime_nsec = st.st_ctim.tv_nsec;
	if (changing)
		v->change = call;
	return 0;
}

static int fake_attach(int fd, uint32_t ds_id, uint32_t type)
{
	(void)type;
	pthread_mutex_lock(&fake_lock);
	fake.attaches++;
	fake.attach_id = ds_id;
	pthread_mutex_unlock(&fake_lock);
	return fake.attach_err;
}

static int fake_state(int fd, struct pcc_ioc_state *st)
{
	st->type = PCC_TYPE_NONE;
	return 0;
}

static int fake_set_xattr(int fd, const struct pcc_copy_xattr *x)
{
	struct stat st;
	int i, err = 0;

	if (fstat(fd, &st))
		return -errno;
	pthread_mutex_lock(&fake_lock);
	if (fake.set_xattr_err) {
		err = fake.set_xattr_err;
		goto out;
	}
	for (i = 0; i < fake.nxattrs; i++)
		if (fake.xattrs[i].dev == st.st_dev &&
		    fake.xattrs[i].ino == st.st_ino)
			break;
	if (i == 64) {
		err = -ENOSPC;
		goto out;
	}
	if (i == fake.nxattrs)
		fake.nxattrs++;
	fake.xattrs[i].dev = st.st_dev;
	fake.xattrs[i].ino = st.st_ino;
	fake.xattrs[i].x = *x;
out:
	pthread_mutex_unlock(&fake_lock);
	return err;
}

static int fake_get_xattr(int fd, struct pcc_copy_xattr *x)
{
	struct stat st;
	int i, err = -ENODATA;

	if (fstat(fd, &st))
		return -errno;
	pthread_mutex_lock(&fake_lock);
	for (i = 0; i < fake.nxattrs; i++) {
		if (fake.xattrs[i].dev == st.st_dev &&
		    fake.xattrs[i].ino == st.st_ino) {
			*x = fake.xattrs[i].x;
			err = 0;
		}
	}
	pthread_mutex_unlock(&fake_lock);
	return err;
}

static const struct pccd_copy_ops fake_ops = {
	.version = fake_version,
	.attach = fake_attach,
	.state = fake_state,
	.set_xattr = fake_set_xattr,
	.get_xattr = fake_get_xattr,
};

static void gate_close(void)
{
	pthread_mutex_lock(&fake_lock);
	fake.hold = true;
	fake.entered = 0;
	pthread_mutex_unlock(&fake_lock);
}

/* Wait until n version() calls wait at the gate. */
static void gate_wait(int n)
{
	pthread_mutex_lock(&fake_lock);
	while (fake.entered < n)
		pthread_cond_wait(&fake_cond, &fake_lock);
	pthread_mutex_unlock(&fake_lock);
}

static void gate_open(void)
{
	pthread_mutex_lock(&fake_lock);
	fake.hold = false;
	pthread_cond_broadcast(&fake_cond);
	pthread_mutex_unlock(&fake_lock);
}

/* --- helpers ---------------------------------------------------------------- */

struct done {
	int calls;
	struct pccd_copy_result res;
};

static void on_done(const struct pccd_copy_result *res, void *arg)
{
	struct done *d = arg;

	d->calls++;
	d->res = *res;
}

/* Reap until *calls reaches want (at most 10 s). */
static void wait_calls(struct pccd_copy_engine *e, const int *calls, int want)
{
	struct pollfd p = { .fd = pccd_copy_fd(e), .events = POLLIN };
	int rounds = 100;

	while (*calls < want && rounds--) {
		poll(&p, 1, 100);
		pccd_copy_reap(e);
	}
	assert_int_equal(*calls, want);
}

/* Wait until the engine is idle (no job queued or running). */
static void wait_idle(struct pccd_copy_engine *e)
{
	struct pccd_copy_stats st;
	int rounds = 1000;

	do {
		usleep(10000);
		pccd_copy_get_stats(e, &st);
	} while ((st.queued || st.running) && rounds--);
	assert_int_equal(st.queued + st.running, 0);
	pccd_copy_reap(e);
}

static char *newdir(const char *what)
{
	static int n;
	char *p;

	assert_true(asprintf(&p, "%s/%s-%d", tmpdir, what, ++n) > 0);
	assert_int_equal(mkdir(p, 0700), 0);
	return p;
}

/* A file of size bytes of a pattern; returns its path. */
static char *make_file(const char *dir, const char *name, size_t size)
{
	char *p, *buf = malloc(size + 1);
	size_t i;
	int fd;

	assert_non_null(buf);
	for (i = 0; i < size; i++)
		buf[i] = (char)(i * 7 + i / 4096);
	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	close(fd);
	free(buf);
	return p;
}

static struct pccd_copy_engine *engine(unsigned int workers)
{
	struct pccd_copy_engine *e;

	memset(&fake, 0, sizeof(fake));
	assert_int_equal(pccd_copy_engine_new(workers, &fake_ops, &e), 0);
	return e;
}

static void req_for(struct pccd_copy_req *r, const char *path, int fd,
		    const char *ds, uint32_t id, bool attach)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->path = fd < 0 ? path : NULL;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	r->ds_root = ds;
	r->ds_id = id;
	r->attach = attach;
}

/* Copy path into ds and wait; returns the result. */
static struct pccd_copy_result copy_one(struct pccd_copy_engine *e,
					const char *path, const char *ds,
					uint32_t id, bool attach)
{
	struct pccd_copy_req r;
	struct done d = { 0 };

	req_for(&r, path, -1, ds, id, attach);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), 0);
	wait_calls(e, &d.calls, 1);
	return d.res;
}

static void expected_path(const char *path, const char *ds, char *out,
			  size_t len)
{
	char name[PCC_CACHE_NAME_MAX];
	struct stat st;
	uint64_t ino;

	assert_int_equal(stat(path, &st), 0);
	ino = st.st_ino;
	pcc_cache_name(name, PCC_FH_TYPE_INO, (const __u8 *)&ino, sizeof(ino));
	snprintf(out, len, "%s/%s", ds, name);
}

static bool same_content(const char *a, const char *b)
{
	FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
	int ca, cb;

	assert_non_null(fa);
	assert_non_null(fb);
	do {
		ca = getc(fa);
		cb = getc(fb);
	} while (ca == cb && ca != EOF);
	fclose(fa);
	fclose(fb);
	return ca == cb;
}

static uint64_t files_in(const char *ds)
{
	uint64_t files = 0, bytes = 0;

	assert_int_equal(pccd_copy_usage(ds, &files, &bytes), 0);
	return files;
}

/* How many leftovers (PCCD_COPY_TMP_PREFIX names) are under dir. */
static int leftovers_found;

static int count_leftover(const char *path, const struct stat *st, int type,
			  struct FTW *ftw)
{
	(void)st;
	(void)type;
	if (!strncmp(path + ftw->base, PCCD_COPY_TMP_PREFIX,
		     strlen(PCCD_COPY_TMP_PREFIX)))
		leftovers_found++;
	return 0;
}

static int leftovers_in(const char *dir)
{
	leftovers_found = 0;
	assert_int_equal(nftw(dir, count_leftover, 16, FTW_PHYS), 0);
	return leftovers_found;
}

/* --- tests ------------------------------------------------------------------ */

static void test_normal_copy(void **state)
{
	struct pccd_copy_engine *e = engine(2);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f = make_file(src, "data", 3 * 1024 * 1024 + 17);
	char want[PCC_PATH_MAX];
	struct pcc_copy_xattr x;
	struct pcc_version v;
	struct pccd_copy_stats stats;
	struct pccd_copy_req r;
	struct done d = { 0 };
	struct stat st;
	int fd;

	/* Through a descriptor, closed as soon as it is submitted. */
	fd = open(f, O_RDONLY);
	assert_true(fd >= 0);
	req_for(&r, f, fd, ds, 7, true);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), 0);
	close(fd);
	wait_calls(e, &d.calls, 1);

	assert_int_equal(d.res.err, 0);
	assert_string_equal(d.res.msg, "");
	assert_false(d.res.already);
	assert_int_equal(d.res.ds_id, 7);
	assert_int_equal(d.res.bytes, 3 * 1024 * 1024 + 17);
	expected_path(f, ds, want, sizeof(want));
	assert_string_equal(d.res.cache_path, want);
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 3 * 1024 * 1024 + 17);
	assert_true(same_content(f, want));
	/* The fan-out directories are 0700. */
	*strrchr(want, '/') = '\0';
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);

	/* The xattr records the version before the copy. */
	fd = open(d.res.cache_path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fake_get_xattr(fd, &x), 0);
	close(fd);
	assert_int_equal(x.magic, PCC_COPY_MAGIC);
	assert_int_equal(x.format, PCC_COPY_FORMAT);
	assert_int_equal(x.type, PCC_TYPE_READONLY);
	assert_int_equal(x.dataset_id, 7);
	fd = open(f, O_RDONLY);
	memset(&v, 0, sizeof(v));
	assert_int_equal(fake_version(fd, &v), 0);
	close(fd);
	assert_memory_equal(&x.version, &v, sizeof(v));

	assert_int_equal(fake.attaches, 1);
	assert_int_equal(fake.attach_id, 7);
	pccd_copy_get_stats(e, &stats);
	assert_int_equal(stats.copies, 1);
	assert_int_equal(stats.bytes, 3 * 1024 * 1024 + 17);
	assert_int_equal(stats.errors, 0);
	assert_int_equal(stats.queued + stats.running, 0);
	/* Nothing else in the dataset: no temporary name left. */
	assert_int_equal(files_in(ds), 1);
	assert_int_equal(leftovers_in(ds), 0);

	pccd_copy_engine_free(e);
	free(f);
	free(src);
	free(ds);
}

static void test_sparse(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds"), *f;
	const off_t size = 64 << 20;
	struct pccd_copy_result res;
	char block[8192];
	struct stat st;
	int fd;

	assert_true(asprintf(&f, "%s/sparse", src) > 0);
	fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	memset(block, 'x', sizeof(block));
	assert_int_equal(pwrite(fd, block, sizeof(block), 0), sizeof(block));
	assert_int_equal(pwrite(fd, block, sizeof(block), 20 << 20),
			 sizeof(block));
	/* A trailing hole. */
	assert_int_equal(ftruncate(fd, size), 0);
	close(fd);

	res = copy_one(e, f, ds, 1, false);
	assert_int_equal(res.err, 0);
	assert_int_equal(fake.attaches, 0);
	assert_int_equal(stat(res.cache_path, &st), 0);
	assert_int_equal(st.st_size, size);
	/* Only the data blocks were written (and counted). */
	assert_true(st.st_blocks * 512 < 1 << 20);
	assert_true(res.bytes < 1 << 20);
	assert_true(res.bytes >= 2 * sizeof(block));
	assert_true(same_content(f, res.cache_path));

	pccd_copy_engine_free(e);
	free(f);
	free(src);
	free(ds);
}

static void test_empty(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f = make_file(src, "empty", 0);
	struct pccd_copy_result res;
	struct stat st;

	res = copy_one(e, f, ds, 2, true);
	assert_int_equal(res.err, 0);
	assert_int_equal(res.bytes, 0);
	assert_int_equal(stat(res.cache_path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 0);
	assert_int_equal(fake.attaches, 1);

	pccd_copy_engine_free(e);
	free(f);
	free(src);
	free(ds);
}

static void test_merge(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f = make_file(src, "merged", 100000);
	struct pccd_copy_stats stats;
	struct pccd_copy_req r;
	struct done d1 = { 0 }, d2 = { 0 };
	uint64_t done, total;

	gate_close();
	req_for(&r, f, -1, ds, 3, false);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d1), 0);
	gate_wait(1);		/* running, before its first version */

	/* The second one asks for an attach: the merged job makes it. */
	r.attach = true;
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d2), 0);
	pccd_copy_get_stats(e, &stats);
	assert_int_equal(stats.running, 1);
	assert_int_equal(stats.queued, 0);
	assert_int_equal(pccd_copy_progress(e, r.dev, r.ino, ds, &done,
					    &total), 0);
	assert_int_equal(done, 0);
	assert_int_equal(pccd_copy_progress(e, r.dev, r.ino + 1, ds, &done,
					    &total), -ENOENT);
	assert_int_equal(pccd_copy_progress(e, r.dev, r.ino, "/elsewhere",
					    &done, &total), -ENOENT);
	gate_open();

	wait_calls(e, &d1.calls, 1);
	wait_calls(e, &d2.calls, 1);
	assert_int_equal(d1.res.err, 0);
	assert_int_equal(d2.res.err, 0);
	assert_string_equal(d1.res.cache_path, d2.res.cache_path);
	assert_int_equal(d1.res.bytes, 100000);
	pccd_copy_get_stats(e, &stats);
	assert_int_equal(stats.copies, 1);
	assert_int_equal(fake.attaches, 1);
	assert_int_equal(pccd_copy_progress(e, r.dev, r.ino, ds, &done,
					    &total), -ENOENT);

	pccd_copy_engine_free(e);
	free(f);
	free(src);
	free(ds);
}

static void test_forget(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f = make_file(src, "forgotten", 5000);
	struct pccd_copy_stats stats;
	struct pccd_copy_req r;
	struct done d1 = { 0 }, d2 = { 0 };

	gate_close();
	req_for(&r, f, -1, ds, 1, false);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d1), 0);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d2), 0);
	gate_wait(1);
	pccd_copy_forget(e, &d1);
	gate_open();
	wait_calls(e, &d2.calls, 1);
	wait_idle(e);
	assert_int_equal(d1.calls, 0);
	assert_int_equal(d2.res.err, 0);
	pccd_copy_get_stats(e, &stats);
	assert_int_equal(stats.copies, 1);

	pccd_copy_engine_free(e);
	free(f);
	free(src);
	free(ds);
}

static void test_changed(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f = make_file(src, "moving", 200000);
	struct pccd_copy_stats stats;
	struct pccd_copy_result res;

	fake.changing = true;
	res = copy_one(e, f, ds, 1, true);
	assert_int_equal(res.err, -ESTALE);
	assert_non_null(strstr(res.msg, "changed during the copy"));
	assert_non_null(strstr(res.msg, f));
	assert_string_equal(res.cache_path, "");
	assert_int_equal(fake.attaches, 0);
	/* Three attempts, a version before and after each. */
	assert_int_equal(fake.calls, 6);
	assert_int_equal(files_in(ds), 0);
	pccd_copy_get_stats(e, &stats);
	assert_int_equal(stats.copies, 0);
	assert_int_equal(stats.errors, 1);

	pccd_copy_engine_free(e);
	free(f);
	free(src);
	free(ds);
}

static void test_already(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f = make_file(src, "twice", 4096);
	struct pccd_copy_stats stats;
	struct pccd_copy_result res;
	struct stat st1, st2;

	res = copy_one(e, f, ds, 4, false);
	assert_int_equal(res.err, 0);
	assert_false(res.already);
	assert_int_equal(stat(res.cache_path, &st1), 0);

	res = copy_one(e, f, ds, 4, true);
	assert_int_equal(res.err, 0);
	assert_true(res.already);
	assert_int_equal(res.bytes, 0);
	assert_int_equal(stat(res.cache_path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);	/* not copied again */
	assert_int_equal(fake.attaches, 1);
	pccd_copy_get_stats(e, &stats);
	assert_int_equal(stats.copies, 1);

	/* Another dataset id: that copy is not valid for it, replaced. */
	res = copy_one(e, f, ds, 5, false);
	assert_int_equal(res.err, 0);
	assert_false(res.already);
	assert_int_equal(stat(res.cache_path, &st2), 0);
	assert_int_not_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(files_in(ds), 1);

	pccd_copy_engine_free(e);
	free(f);
	free(src);
	free(ds);
}

static void test_xattr_enospc(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f = make_file(src, "full", 10000);
	struct pccd_copy_result res;
	char want[256];

	fake.set_xattr_err = -ENOSPC;
	res = copy_one(e, f, ds, 1, true);
	assert_int_equal(res.err, -ENOSPC);
	snprintf(want, sizeof(want), "cache %s is full (ENOSPC)", ds);
	assert_string_equal(res.msg, want);
	assert_string_equal(res.cache_path, "");
	assert_int_equal(files_in(ds), 0);
	assert_int_equal(fake.attaches, 0);

	pccd_copy_engine_free(e);
	free(f);
	free(src);
	free(ds);
}

/* A write the cache refuses (RLIMIT_FSIZE: EFBIG) leaves nothing. */
static void test_write_fails(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f = make_file(src, "big", 1 << 20);
	struct rlimit old, small = { 64 << 10, 64 << 10 };
	struct pccd_copy_result res;
	void (*oldsig)(int);

	oldsig = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	res = copy_one(e, f, ds, 1, true);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);

	assert_int_equal(res.err, -EFBIG);
	assert_non_null(strstr(res.msg, ds));
	assert_string_equal(res.cache_path, "");
	assert_int_equal(files_in(ds), 0);
	assert_int_equal(fake.attaches, 0);

	pccd_copy_engine_free(e);
	free(f);
	free(src);
	free(ds);
}

static void test_not_regular(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	struct pccd_copy_result res;

	struct pccd_copy_req r;
	struct done d = { 0 };
	char *fifo, *f;
	int fd;

	res = copy_one(e, src, ds, 1, false);
	assert_int_equal(res.err, -EINVAL);
	assert_non_null(strstr(res.msg, "not a regular file"));
	/* A FIFO by path is refused before it is opened (no hang)... */
	assert_true(asprintf(&fifo, "%s/fifo", src) > 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	res = copy_one(e, fifo, ds, 1, false);
	assert_int_equal(res.err, -EINVAL);
	assert_non_null(strstr(res.msg, "not a regular file"));
	/* ...and by descriptor once opened. */
	fd = open(src, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	req_for(&r, src, fd, ds, 1, false);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), 0);
	close(fd);
	wait_calls(e, &d.calls, 1);
	assert_int_equal(d.res.err, -EINVAL);
	assert_non_null(strstr(d.res.msg, "not a regular file"));
	assert_int_equal(files_in(ds), 0);
	free(fifo);

	/* A path whose file is not the one submitted (renamed over). */
	f = make_file(src, "swapped", 100);
	req_for(&r, f, -1, ds, 1, false);
	r.ino++;
	memset(&d, 0, sizeof(d));
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), 0);
	wait_calls(e, &d.calls, 1);
	assert_int_equal(d.res.err, -ESTALE);
	assert_non_null(strstr(d.res.msg, "renamed over"));
	assert_int_equal(files_in(ds), 0);
	r.ino--;
	r.dev++;
	memset(&d, 0, sizeof(d));
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), 0);
	wait_calls(e, &d.calls, 1);
	assert_int_equal(d.res.err, -ESTALE);
	/* The right file: copied. */
	r.dev--;
	memset(&d, 0, sizeof(d));
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), 0);
	wait_calls(e, &d.calls, 1);
	assert_int_equal(d.res.err, 0);
	free(f);

	pccd_copy_engine_free(e);
	free(src);
	free(ds);
}

static void test_bad_submit(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	struct pccd_copy_req r = {
		.fd = -1, .path = "/x", .ds_root = "/tmp", .ds_id = 1,
	};
	struct done d = { 0 };

	r.fd = 0;		/* both */
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), -EINVAL);
	r.fd = -1;
	r.path = NULL;		/* neither */
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), -EINVAL);
	r.path = "relative";
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), -EINVAL);
	r.path = "/x";
	r.ds_root = "tmp";
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), -EINVAL);
	r.ds_root = "/tmp";
	r.ds_id = 0;
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), -EINVAL);
	r.ds_id = 1;
	r.path = NULL;
	r.fd = 1000;		/* not open */
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), -EBADF);
	pccd_copy_reap(e);
	assert_int_equal(d.calls, 0);
	pccd_copy_engine_free(e);
	pccd_copy_engine_free(NULL);
	assert_int_equal(pccd_copy_engine_new(100000, NULL, &e), -EINVAL);
}

struct free_done {
	struct pccd_copy_engine *e;
	struct pccd_copy_req *r;
	int calls, cancelled, resubmit;
};

/* A callback at engine_free() that tries to queue more. */
static void on_free_done(const struct pccd_copy_result *res, void *arg)
{
	struct free_done *d = arg;

	d->calls++;
	if (res->err == -ECANCELED)
		d->cancelled++;
	if (pccd_copy_submit(d->e, d->r, on_free_done, d) == -ECANCELED)
		d->resubmit++;
}

/*
 * Stopping with jobs queued and one running: every callback is called
 * (the queued ones with ECANCELED), none can queue more; no leftover.
 */
static void test_free_busy(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	struct pccd_copy_req r;
	struct free_done d = { .e = e, .r = &r };
	char name[16];
	char *f[4];
	int i;

	gate_close();
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		f[i] = make_file(src, name, 3 << 20);
		req_for(&r, f[i], -1, ds, 1, false);
		assert_int_equal(pccd_copy_submit(e, &r, on_free_done, &d),
				 0);
	}
	gate_wait(1);
	gate_open();
	pccd_copy_engine_free(e);
	assert_int_equal(d.calls, 4);
	assert_true(d.cancelled >= 3);
	assert_int_equal(d.resubmit, 4);
	assert_int_equal(leftovers_in(ds), 0);
	assert_true(files_in(ds) <= 1);
	for (i = 0; i < 4; i++)
		free(f[i]);
	free(src);
	free(ds);
}

/* A finished job nobody reaped is called back at engine_free(). */
static void test_free_unreaped(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f = make_file(src, "unreaped", 1000);
	struct pccd_copy_stats stats;
	struct pccd_copy_req r;
	struct done d = { 0 };
	int rounds = 1000;

	req_for(&r, f, -1, ds, 1, false);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), 0);
	do {
		usleep(10000);
		pccd_copy_get_stats(e, &stats);
	} while (stats.queued + stats.running && rounds--);
	assert_int_equal(d.calls, 0);
	pccd_copy_engine_free(e);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.res.err, 0);
	free(f);
	free(src);
	free(ds);
}

/*
 * A dataset removed while its copies are queued and running: the queued
 * one finishes with ECANCELED, the running one links nothing, another
 * dataset's job goes on.
 */
static void test_cancel_dataset(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds"), *ds2 = newdir("ds");
	char *f1 = make_file(src, "run", 100000);
	char *f2 = make_file(src, "queued", 1000);
	struct done d1 = { 0 }, d2 = { 0 }, d3 = { 0 };
	struct pccd_copy_stats stats;
	struct pccd_copy_req r;

	gate_close();
	req_for(&r, f1, -1, ds, 1, true);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d1), 0);
	gate_wait(1);
	req_for(&r, f2, -1, ds, 1, true);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d2), 0);
	req_for(&r, f2, -1, ds2, 2, true);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d3), 0);
	pccd_copy_cancel_dataset(e, ds);
	/* The queued one is called back while the running one waits. */
	wait_calls(e, &d2.calls, 1);
	assert_int_equal(d2.res.err, -ECANCELED);
	assert_non_null(strstr(d2.res.msg, "being removed"));
	assert_int_equal(d1.calls, 0);
	pccd_copy_get_stats(e, &stats);
	assert_int_equal(stats.queued, 1);
	/* A new submission for the cancelled file is a job of its own. */
	req_for(&r, f1, -1, ds, 1, false);
	assert_int_equal(pccd_copy_submit(e, &r, NULL, NULL), 0);
	pccd_copy_get_stats(e, &stats);
	assert_int_equal(stats.queued, 2);
	pccd_copy_cancel_dataset(e, ds);
	gate_open();
	wait_calls(e, &d1.calls, 1);
	wait_calls(e, &d3.calls, 1);
	wait_idle(e);
	assert_int_equal(d1.res.err, -ECANCELED);
	assert_string_equal(d1.res.cache_path, "");
	assert_int_equal(files_in(ds), 0);
	assert_int_equal(d3.res.err, 0);
	assert_int_equal(files_in(ds2), 1);
	assert_int_equal(fake.attaches, 1);
	assert_int_equal(fake.attach_id, 2);

	pccd_copy_engine_free(e);
	free(f1);
	free(f2);
	free(src);
	free(ds);
	free(ds2);
}

/* An attach refused for a dataset that is gone keeps no fresh copy. */
static void test_attach_enoent(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f = make_file(src, "orphan", 20000);
	struct pccd_copy_result res;
	char want[PCC_PATH_MAX];
	struct stat st;

	fake.attach_err = -ENOENT;
	res = copy_one(e, f, ds, 3, true);
	assert_int_equal(res.err, -ENOENT);
	assert_non_null(strstr(res.msg, "is gone"));
	assert_string_equal(res.cache_path, "");
	assert_int_equal(files_in(ds), 0);

	/* An existing copy is not the engine's to remove. */
	fake.attach_err = 0;
	res = copy_one(e, f, ds, 3, false);
	assert_int_equal(res.err, 0);
	fake.attach_err = -ENOENT;
	res = copy_one(e, f, ds, 3, true);
	assert_int_equal(res.err, -ENOENT);
	assert_true(res.already);
	expected_path(f, ds, want, sizeof(want));
	assert_string_equal(res.cache_path, want);
	assert_int_equal(stat(want, &st), 0);

	pccd_copy_engine_free(e);
	free(f);
	free(src);
	free(ds);
}

static void put(const char *dir, const char *name)
{
	free(make_file(dir, name, 100));
}

/* A file of mode mode in dir/name; returns its path. */
static char *put_mode(const char *dir, const char *name, mode_t mode)
{
	char *p = make_file(dir, name, 100);

	assert_int_equal(chmod(p, mode), 0);
	return p;
}

static char *mkdir_in(const char *dir, const char *name, mode_t mode)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

static bool exists(const char *dir, const char *name)
{
	struct stat st;
	char *p;
	bool ok;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	ok = !lstat(p, &st);
	free(p);
	return ok;
}

/* pccd_copy_remove_leftover() on name in dir; true if it went. */
static bool remove_leftover(const char *dir, const char *name)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool removed;

	assert_true(dfd >= 0);
	removed = pccd_copy_remove_leftover(dfd, name);
	close(dfd);
	if (removed)
		assert_false(exists(dir, name));
	return removed;
}

/*
 * Only a dead daemon's leftovers go: a regular file, 0600 or less, one
 * link, the daemon's user's, whose name is not this daemon's (another
 * pid, or this pid with another start's number: an earlier boot's).
 */
static void test_leftover(void **state)
{
	char *ds = newdir("ds"), *p, *l, own[64], mine[96], before[96];

	(void)state;
	free(put_mode(ds, PCCD_COPY_TMP_PREFIX "abcdef", 0600));
	free(put_mode(ds, PCCD_COPY_TMP_PREFIX "1.2.3", 0400));
	free(put_mode(ds, PCCD_COPY_TMP_PREFIX "wide", 0644));
	p = put_mode(ds, PCCD_COPY_TMP_PREFIX "linked", 0600);
	assert_true(asprintf(&l, "%s/ffff-link", ds) > 0);
	assert_int_equal(link(p, l), 0);
	free(p);
	free(l);
	free(put_mode(ds, "ffff-0102", 0600));
	pccd_copy_tmp_own(own, sizeof(own));
	assert_int_equal(strncmp(own, PCCD_COPY_TMP_PREFIX,
				 strlen(PCCD_COPY_TMP_PREFIX)), 0);
	snprintf(mine, sizeof(mine), "%s1.1", own);
	free(put_mode(ds, mine, 0600));
	snprintf(before, sizeof(before), "%s%d-zzzzzzzz.1.1",
		 PCCD_COPY_TMP_PREFIX, (int)getpid());
	free(put_mode(ds, before, 0600));

	assert_true(remove_leftover(ds, PCCD_COPY_TMP_PREFIX "abcdef"));
	assert_true(remove_leftover(ds, PCCD_COPY_TMP_PREFIX "1.2.3"));
	assert_false(remove_leftover(ds, PCCD_COPY_TMP_PREFIX "wide"));
	assert_false(remove_leftover(ds, PCCD_COPY_TMP_PREFIX "linked"));
	assert_false(remove_leftover(ds, "ffff-0102"));
	assert_false(remove_leftover(ds, "missing"));
	/* Ours: a copy being made. */
	assert_false(remove_leftover(ds, mine));
	assert_true(exists(ds, mine));
	/* Our pid, another start: an earlier boot's daemon. */
	assert_true(remove_leftover(ds, before));
	if (geteuid() == 0) {
		p = put_mode(ds, PCCD_COPY_TMP_PREFIX "theirs", 0600);
		assert_int_equal(chown(p, 65534, 65534), 0);
		free(p);
		assert_false(remove_leftover(ds, PCCD_COPY_TMP_PREFIX "theirs"));
	}
	free(ds);
}

/*
 * remove_all removes copies and leftovers only in fan-out directories
 * reached without a symlink that nobody else may write.
 */
static void test_cleanup(void **state)
{
	char *ds = newdir("ds"), *victim = newdir("victim");
	char *ab = mkdir_in(ds, "ab", 0700), *cd = mkdir_in(ab, "cd", 0700);
	char *open_dir = mkdir_in(ds, "12", 0777), *open2, *v01, *p, *l;
	uint64_t files = 0, bytes = 0;

	free(put_mode(cd, PCCD_COPY_TMP_PREFIX "abcdef", 0600));
	free(put_mode(cd, PCCD_COPY_TMP_PREFIX "1.2.3", 0400));
	free(put_mode(cd, PCCD_COPY_TMP_PREFIX "wide", 0644));
	p = put_mode(cd, PCCD_COPY_TMP_PREFIX "linked", 0600);
	assert_true(asprintf(&l, "%s/ffff-link", cd) > 0);
	assert_int_equal(link(p, l), 0);
	free(p);
	free(l);
	free(put_mode(cd, "ffff-0102", 0600));
	if (geteuid() == 0) {
		p = put_mode(cd, PCCD_COPY_TMP_PREFIX "theirs", 0600);
		assert_int_equal(chown(p, 65534, 65534), 0);
		free(p);
	}
	/* Outside the fan-out: not the engine's, kept. */
	free(put_mode(ds, PCCD_COPY_TMP_PREFIX "mine", 0600));
	/* A fan-out directory others may write: skipped. */
	open2 = mkdir_in(open_dir, "34", 0700);
	free(put_mode(open2, PCCD_COPY_TMP_PREFIX "x", 0600));
	/* Directories swapped for symlinks are not followed. */
	v01 = mkdir_in(victim, "01", 0700);
	free(put_mode(v01, PCCD_COPY_TMP_PREFIX "v", 0600));
	assert_true(asprintf(&p, "%s/ef", ds) > 0);
	assert_int_equal(symlink(victim, p), 0);
	free(p);
	assert_true(asprintf(&p, "%s/02", ab) > 0);
	assert_int_equal(symlink(v01, p), 0);
	free(p);

	assert_int_equal(pccd_copy_remove_all_with(&fake_ops, ds, 1, &files,
						   &bytes), 0);
	assert_int_equal(files, 2);		/* abcdef, 1.2.3 */
	assert_false(exists(cd, PCCD_COPY_TMP_PREFIX "abcdef"));
	assert_false(exists(cd, PCCD_COPY_TMP_PREFIX "1.2.3"));
	assert_true(exists(cd, PCCD_COPY_TMP_PREFIX "linked"));
	assert_true(exists(cd, "ffff-0102"));
	if (geteuid() == 0)
		assert_true(exists(cd, PCCD_COPY_TMP_PREFIX "theirs"));
	assert_true(exists(ds, PCCD_COPY_TMP_PREFIX "mine"));
	assert_true(exists(v01, PCCD_COPY_TMP_PREFIX "v"));
	assert_true(exists(open2, PCCD_COPY_TMP_PREFIX "x"));
	assert_true(exists(cd, PCCD_COPY_TMP_PREFIX "wide"));
	free(v01);
	free(open2);
	free(open_dir);
	free(cd);
	free(ab);
	free(victim);
	free(ds);
}

/* The engine refuses fan-out directories it cannot trust. */
static void test_untrusted_dirs(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds"), *other = newdir("o");
	char *f = make_file(src, "file", 1000);
	struct pccd_copy_result res;
	char want[PCC_PATH_MAX], *d1;

	expected_path(f, ds, want, sizeof(want));
	*strrchr(want, '/') = '\0';		/* ds/HH/HH */
	*strrchr(want, '/') = '\0';		/* ds/HH */
	d1 = strdup(want);
	assert_int_equal(mkdir(d1, 0700), 0);
	assert_int_equal(chmod(d1, 0777), 0);
	res = copy_one(e, f, ds, 1, false);
	assert_int_equal(res.err, -EPERM);
	assert_non_null(strstr(res.msg, "others may write"));
	assert_int_equal(files_in(ds), 0);

	/* Swapped for a symlink. */
	assert_int_equal(rmdir(d1), 0);
	assert_int_equal(symlink(other, d1), 0);
	res = copy_one(e, f, ds, 1, false);
	assert_int_equal(res.err, -EPERM);
	assert_non_null(strstr(res.msg, "not a directory"));
	assert_int_equal(files_in(other), 0);

	/* Back to a directory of its own: copied. */
	assert_int_equal(unlink(d1), 0);
	res = copy_one(e, f, ds, 1, false);
	assert_int_equal(res.err, 0);

	pccd_copy_engine_free(e);
	free(d1);
	free(f);
	free(src);
	free(ds);
	free(other);
}

static void test_remove_all(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f1 = make_file(src, "one", 50000);
	char *f2 = make_file(src, "two", 9000);
	struct pccd_copy_result r1, r2;
	uint64_t files = 0, bytes = 0, ufiles, ubytes;
	char *dir, *foreign;
	struct stat st;

	r1 = copy_one(e, f1, ds, 1, false);
	r2 = copy_one(e, f2, ds, 2, false);
	assert_int_equal(r1.err, 0);
	assert_int_equal(r2.err, 0);
	dir = strdup(r1.cache_path);
	*strrchr(dir, '/') = '\0';
	/* A file that is no copy, beside the copy of dataset 1. */
	put(dir, "ffff-notacopy");
	free(put_mode(dir, PCCD_COPY_TMP_PREFIX "left", 0600));
	assert_int_equal(pccd_copy_usage(ds, &ufiles, &ubytes), 0);
	assert_int_equal(ufiles, 4);
	assert_true(ubytes >= 50000 + 9000);

	assert_int_equal(pccd_copy_remove_all_with(&fake_ops, ds, 1, &files,
						   &bytes), 0);
	assert_int_equal(files, 2);		/* the copy, the leftover */
	assert_true(bytes >= 50000);
	assert_int_not_equal(stat(r1.cache_path, &st), 0);
	assert_int_equal(stat(r2.cache_path, &st), 0);
	assert_true(asprintf(&foreign, "%s/ffff-notacopy", dir) > 0);
	assert_int_equal(stat(foreign, &st), 0);

	/* The other dataset's copy: its directories go too once empty. */
	assert_int_equal(unlink(foreign), 0);
	assert_int_equal(pccd_copy_remove_all_with(&fake_ops, ds, 2, &files,
						   &bytes), 0);
	assert_int_equal(files, 3);
	assert_int_equal(pccd_copy_usage(ds, &ufiles, &ubytes), 0);
	assert_int_equal(ufiles, 0);
	assert_int_not_equal(stat(dir, &st), 0);
	*strrchr(dir, '/') = '\0';
	assert_int_not_equal(stat(dir, &st), 0);
	assert_int_equal(stat(ds, &st), 0);	/* the root stays */
	assert_int_equal(pccd_copy_remove_all("/nonexistent/pcc", 1, &files,
					      &bytes), -ENOENT);

	pccd_copy_engine_free(e);
	free(foreign);
	free(dir);
	free(f1);
	free(f2);
	free(src);
	free(ds);
}

/*
 * From another filesystem (tmpfs in /dev/shm): copy_file_range says EXDEV
 * there, the engine goes on with splice; holes stay holes.
 */
static void test_cross_fs(void **state)
{
	struct pccd_copy_engine *e;
	char src[] = "/dev/shm/pcc-test-copy.XXXXXX";
	char *ds, *f;
	struct pccd_copy_result res;
	struct stat st1, st2;
	char block[4096];
	int fd;

	if (!mkdtemp(src) || stat(src, &st1) || stat(tmpdir, &st2) ||
	    st1.st_dev == st2.st_dev) {
		rmdir(src);
		skip();
	}
	e = engine(1);
	ds = newdir("ds");
	f = make_file(src, "far", 3 * 1024 * 1024 + 5);
	res = copy_one(e, f, ds, 1, false);
	assert_int_equal(res.err, 0);
	assert_int_equal(res.bytes, 3 * 1024 * 1024 + 5);
	assert_true(same_content(f, res.cache_path));
	unlink(f);
	free(f);

	assert_true(asprintf(&f, "%s/holes", src) > 0);
	fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	memset(block, 'y', sizeof(block));
	assert_int_equal(pwrite(fd, block, sizeof(block), 8 << 20),
			 sizeof(block));
	assert_int_equal(ftruncate(fd, 16 << 20), 0);
	close(fd);
	res = copy_one(e, f, ds, 1, false);
	assert_int_equal(res.err, 0);
	assert_int_equal(res.bytes, sizeof(block));
	assert_int_equal(stat(res.cache_path, &st1), 0);
	assert_int_equal(st1.st_size, 16 << 20);
	assert_true(st1.st_blocks * 512 < 1 << 20);
	assert_true(same_content(f, res.cache_path));
	unlink(f);
	free(f);
	rmdir(src);

	pccd_copy_engine_free(e);
	free(ds);
}

/*
 * As root, a path is opened with its owner's credentials, on this thread
 * only, and the daemon's come back: the copy is root's.  A file its owner
 * may not read is opened as root instead.
 */
static void test_owner(void **state)
{
	struct pccd_copy_engine *e;
	struct pccd_copy_result res;
	char *src, *ds, *f;
	struct stat st;

	if (geteuid() != 0)
		skip();
	e = engine(2);
	src = newdir("src");
	ds = newdir("ds");
	assert_int_equal(chmod(tmpdir, 0711), 0);
	assert_int_equal(chmod(src, 0755), 0);
	f = make_file(src, "owned", 20000);
	assert_int_equal(chown(f, 65534, 65534), 0);
	assert_int_equal(chmod(f, 0400), 0);
	res = copy_one(e, f, ds, 1, false);
	assert_int_equal(res.err, 0);
	assert_int_equal(stat(res.cache_path, &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, getegid());
	assert_true(same_content(f, res.cache_path));

	assert_int_equal(chmod(f, 0), 0);
	assert_int_equal(unlink(res.cache_path), 0);
	res = copy_one(e, f, ds, 1, false);
	assert_int_equal(res.err, 0);
	assert_int_equal(stat(res.cache_path, &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(chmod(tmpdir, 0700), 0);

	pccd_copy_engine_free(e);
	free(f);
	free(src);
	free(ds);
}

/* Many files on several workers at once. */
static void test_parallel(void **state)
{
	struct pccd_copy_engine *e = engine(4);
	char *src = newdir("src"), *ds = newdir("ds");
	struct pccd_copy_stats stats;
	struct pccd_copy_req r;
	struct done d[12] = { 0 };
	int calls = 0, i;
	char name[16];
	char *f[12];

	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		f[i] = make_file(src, name, 100000 + i);
		req_for(&r, f[i], -1, ds, 1, false);
		assert_int_equal(pccd_copy_submit(e, &r, on_done, &d[i]), 0);
	}
	for (i = 0; i < 12; i++) {
		wait_calls(e, &d[i].calls, 1);
		calls += d[i].calls;
		assert_int_equal(d[i].res.err, 0);
		assert_int_equal(d[i].res.bytes, 100000 + i);
		assert_true(same_content(f[i], d[i].res.cache_path));
		free(f[i]);
	}
	assert_int_equal(calls, 12);
	pccd_copy_get_stats(e, &stats);
	assert_int_equal(stats.copies, 12);
	assert_int_equal(files_in(ds), 12);
	pccd_copy_engine_free(e);
	free(src);
	free(ds);
}

static int remove_tree(void)
{
	char cmd[sizeof(tmpdir) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

/* What the admit hook of the admission tests answers. */
static struct {
	int err;
	uint64_t reserved;
	int asked;
} hook;

static int hook_admit(void *arg, const char *root, uint64_t size,
		      uint64_t *reserved, uint64_t *tag, char *msg, size_t len)
{
	(void)arg;
	(void)root;
	(void)size;
	(void)msg;
	(void)len;
	hook.asked++;
	if (!hook.err && hook.reserved) {
		*reserved = hook.reserved;
		*tag = 9;
	}
	return hook.err;
}

/* The result carries what the hook reserved, not the file's size. */
static void test_admit_reserved(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f = make_file(src, "data", 10000), *g = make_file(src, "g", 20);
	struct pccd_copy_req r;
	struct done d = { 0 };

	(void)state;
	pccd_copy_set_hooks(e, &(struct pccd_copy_hooks){
				.admit = hook_admit });
	hook.err = 0;
	hook.reserved = 0;	/* admitted, nothing reserved */
	req_for(&r, f, -1, ds, 7, false);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), 0);
	wait_calls(e, &d.calls, 1);
	assert_int_equal(d.res.err, 0);
	assert_int_equal(d.res.reserved, 0);
	hook.reserved = 12288;
	req_for(&r, g, -1, ds, 7, false);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), 0);
	wait_calls(e, &d.calls, 2);
	assert_int_equal(d.res.err, 0);
	assert_int_equal(d.res.reserved, 12288);
	assert_int_equal(d.res.reserved_tag, 9);
	pccd_copy_engine_free(e);
	free(f);
	free(g);
	free(src);
	free(ds);
}

static int64_t hook_filled_sum;

static void hook_filled(void *arg, const char *root, uint64_t tag,
			int64_t bytes)
{
	(void)arg;
	(void)root;
	assert_int_equal(tag, 9);
	__atomic_add_fetch(&hook_filled_sum, bytes, __ATOMIC_RELAXED);
}

/*
 * The data written hands its part of the reservation back as it goes
 * (statvfs counts it from then on), never more than was reserved.
 */
static void test_admit_filled(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f = make_file(src, "data", 10000), *g = make_file(src, "g", 20000);
	struct pccd_copy_req r;
	struct done d = { 0 };

	(void)state;
	pccd_copy_set_hooks(e, &(struct pccd_copy_hooks){
				.admit = hook_admit, .filled = hook_filled });
	hook.err = 0;
	hook.reserved = 12288;
	hook_filled_sum = 0;
	req_for(&r, f, -1, ds, 7, false);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), 0);
	wait_calls(e, &d.calls, 1);
	assert_int_equal(d.res.err, 0);
	assert_int_equal(d.res.reserved, 12288);
	assert_int_equal(d.res.reserved_filled, 10000);
	assert_int_equal(hook_filled_sum, 10000);
	/* Larger than its reservation (it grew): no more than reserved. */
	hook_filled_sum = 0;
	req_for(&r, g, -1, ds, 7, false);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), 0);
	wait_calls(e, &d.calls, 2);
	assert_int_equal(d.res.err, 0);
	assert_int_equal(d.res.reserved_filled, 12288);
	assert_int_equal(hook_filled_sum, 12288);
	pccd_copy_engine_free(e);
	free(f);
	free(g);
	free(src);
	free(ds);
}

/* A copy waiting for room that never comes is refused as no space. */
static void test_admit_wait_bounded(void **state)
{
	struct pccd_copy_engine *e = engine(1);
	char *src = newdir("src"), *ds = newdir("ds");
	char *f = make_file(src, "data", 100);
	struct pccd_copy_req r;
	struct done d = { 0 };

	(void)state;
	pccd_copy_set_hooks(e, &(struct pccd_copy_hooks){
				.admit = hook_admit, .wait_s = 1 });
	hook.err = -EAGAIN;
	hook.asked = 0;
	req_for(&r, f, -1, ds, 7, false);
	assert_int_equal(pccd_copy_submit(e, &r, on_done, &d), 0);
	wait_calls(e, &d.calls, 1);
	assert_int_equal(d.res.err, -ENOSPC);
	assert_int_equal(d.res.refused, -ENOSPC);
	assert_int_equal(d.res.reserved, 0);
	assert_non_null(strstr(d.res.msg, "no space"));
	assert_true(hook.asked >= 2);
	assert_int_equal(files_in(ds), 0);
	pccd_copy_engine_free(e);
	free(f);
	free(src);
	free(ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_copy),
		cmocka_unit_test(test_sparse),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_changed),
		cmocka_unit_test(test_already),
		cmocka_unit_test(test_xattr_enospc),
		cmocka_unit_test(test_write_fails),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_bad_submit),
		cmocka_unit_test(test_free_busy),
		cmocka_unit_test(test_free_unreaped),
		cmocka_unit_test(test_cancel_dataset),
		cmocka_unit_test(test_attach_enoent),
		cmocka_unit_test(test_leftover),
		cmocka_unit_test(test_cleanup),
		cmocka_unit_test(test_untrusted_dirs),
		cmocka_unit_test(test_remove_all),
		cmocka_unit_test(test_cross_fs),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_parallel),
		cmocka_unit_test(test_admit_reserved),
		cmocka_unit_test(test_admit_filled),
		cmocka_unit_test(test_admit_wait_bounded),
	};
	int ret;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	if (remove_tree())
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	return ret;
}
