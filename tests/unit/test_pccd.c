// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pccd.c - pccd's command handling and configuration applying, on a
 * hand-built struct pccd: apply.c (the dataset diff), admin.c (add, set,
 * del, clear, list, stats and their rollbacks), client.c (dispatch, root
 * check, descriptor counts), fileops.c (descriptor checks), events.c (a
 * miss becomes a copy) and prefetch.c.  The module is fake_nl.c: its
 * mounts are plain temporary directories, so every file under them is "on
 * the mount" (same st_dev); the copy engine runs with faked ioctls.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <linux/pcc.h>

#include "apply.h"
#include "client.h"
#include "conf.h"
#include "copy.h"
#include "ctl.h"
#include "events.h"
#include "fake_nl.h"
#include "kernel.h"
#include "pccd.h"
#include "reason.h"
#include "space.h"
#include "textfile.h"

static char base[] = "/tmp/pcc-test-pccd.XXXXXX";
/* base after realpath: pccd compares realpaths. */
static char top[PATH_MAX];
static char mnt[PATH_MAX], lower[PATH_MAX], c1[PATH_MAX], c2[PATH_MAX];
static char c3[PATH_MAX], mnt2[PATH_MAX], lower2[PATH_MAX];
static char conf_path[PATH_MAX];

static struct pccd d;

/* --- the copy engine's kernel calls ------------------------------------ */

static pthread_mutex_t ops_lock = PTHREAD_MUTEX_INITIALIZER;
static int attaches;
static uint32_t attach_id;

static int op_version(int fd, struct pcc_version *v)
{
	struct stat st;
	uint64_t ino;

	if (fstat(fd, &st))
		return -errno;
	ino = st.st_ino;
	memset(v, 0, sizeof(*v));
	v->fh_type = PCC_FH_TYPE_INO;
	v->fh_len = sizeof(ino);
	memcpy(v->fh, &ino, sizeof(ino));
	v->size = st.st_size;
	v->mtime_sec = st.st_mtim.tv_sec;
	v->mtime_nsec = st.st_mtim.tv_nsec;
	v->ctime_sec = st.st_ctim.tv_sec;
	v->ctime_nsec = st.st_ctim.tv_nsec;
	return 0;
}

static int op_attach(int fd, uint32_t ds_id, uint32_t type)
{
	(void)type;
	(void)fd;
	pthread_mutex_lock(&ops_lock);
	attaches++;
	attach_id = ds_id;
	pthread_mutex_unlock(&ops_lock);
	return 0;
}

static int op_state(int fd, struct pcc_ioc_state *st)
{
	(void)fd;
	st->type = PCC_TYPE_NONE;
	return 0;
}

static int op_set_xattr(int fd, const struct pcc_copy_xattr *x)
{
	(void)fd;
	(void)x;
	return 0;
}

static int op_get_xattr(int fd, struct pcc_copy_xattr *x)
{
	(void)fd;
	(void)x;
	return -ENODATA;
}

static const struct pccd_copy_ops ops = {
	.version = op_version,
	.attach = op_attach,
	.state = op_state,
	.set_xattr = op_set_xattr,
	.get_xattr = op_get_xattr,
};

static int attach_count(void)
{
	int n;

	pthread_mutex_lock(&ops_lock);
	n = attaches;
	pthread_mutex_unlock(&ops_lock);
	return n;
}

/* --- files -------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* The whole of path, malloc'ed. */
static char *read_text(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *m;
	int ch;

	assert_non_null(f);
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	while ((ch = getc(f)) != EOF)
		putc(ch, m);
	fclose(f);
	fclose(m);
	return buf;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void rm_rf(const char *path)
{
	if (access(path, F_OK))
		return;
	assert_int_equal(nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void make_dir(const char *path)
{
	assert_int_equal(mkdir(path, 0755), 0);
}

/* The configuration the tests start from: one mount, two datasets. */
static void write_conf(const char *c1_rule, bool with_c2)
{
	char text[4 * PATH_MAX + 512];
	int n;

	n = snprintf(text, sizeof(text),
		     "# test configuration\n"
		     "mounts:\n"
		     "  - path: %s\n"
		     "    lower: %s\n"
		     "    datasets:\n"
		     "      - path: %s\n"
		     "        roid: 1\n"
		     "        rule: \"%s\"\n",
		     mnt, lower, c1, c1_rule);
	if (with_c2)
		snprintf(text + n, sizeof(text) - n,
			 "      - path: %s\n"
			 "        roid: 2\n"
			 "        attach: [open]\n", c2);
	write_file(conf_path, text);
}

static struct pcc_config *load(const char *path)
{
	char err[PCC_CONF_ERR_LEN];
	struct pcc_config *conf = NULL;

	if (pcc_conf_load(path, &conf, err, sizeof(err)))
		fail_msg("%s", err);
	return conf;
}

/* Replace d's configuration by the file's, as a reload would. */
static void reload(void)
{
	struct pcc_config *next = load(conf_path);

	pccd_apply_removed(&d, next);
	pcc_conf_free(d.conf);
	d.conf = next;
}

static int count(const char *haystack, const char *needle)
{
	const char *p = haystack;
	int n = 0;

	while ((p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static void log_reset(void)
{
	fake_nl.log[0] = '\0';
	fake_nl.calls = 0;
}

/* --- fixture ------------------------------------------------------------ */

static int setup(void **state)
{
	int i;

	(void)state;
	rm_rf(top);
	make_dir(top);
	make_dir(mnt);
	make_dir(lower);
	make_dir(c1);
	make_dir(c2);
	make_dir(c3);
	make_dir(mnt2);
	make_dir(lower2);
	fake_nl_loaded("9.9.9", PCC_GENL_VERSION);
	fake_nl_add_mount(1, mnt, lower);
	write_conf("fname={*.h5}", true);

	memset(&d, 0, sizeof(d));
	d.listen_fd = -1;
	d.signal_fd = -1;
	for (i = 0; i < PCCD_MAX_CLIENTS; i++)
		d.clients[i].fd = -1;
	d.conf_file = strdup(conf_path);
	assert_non_null(d.conf_file);
	d.conf = load(conf_path);
	pccd_conf_seen(&d);
	assert_int_equal(pccd_kernel_connect(&d), 0);
	return 0;
}

/* setup, and the configuration applied. */
static int setup_applied(void **state)
{
	setup(state);
	assert_int_equal(pccd_apply(&d), 0);
	log_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pccd_client_close_all(&d);
	pccd_copy_engine_free(d.copy);
	pccd_space_stop(&d);
	pccd_events_close(&d);
	pccd_kernel_close(&d);
	free(d.mounts);
	pcc_conf_free(d.conf);
	free(d.conf_file);
	free(d.textfile);
	memset(&d, 0, sizeof(d));
	fake_nl_unloaded();
	rm_rf(top);
	return 0;
}

/* --- requests ----------------------------------------------------------- */

/* Send the request (printf format) as uid with fds; returns the reply. */
__attribute__((format(printf, 4, 5)))
static struct json_object *request_fds(uid_t uid, int *fds, unsigned int nfds,
				       const char *fmt, ...)
{
	struct pccd_client *c = &d.clients[0];
	struct json_object *req, *reply;
	char *text;
	va_list ap;

	va_start(ap, fmt);
	assert_true(vasprintf(&text, fmt, ap) >= 0);
	va_end(ap);
	req = json_tokener_parse(text);
	if (!req)
		fail_msg("not JSON: %s", text);
	free(text);
	c->uid = uid;
	reply = pccd_handle_request(&d, c, req, fds, nfds);
	json_object_put(req);
	assert_non_null(reply);
	assert_false(c->busy);
	return reply;
}

#define request(uid, ...)	request_fds(uid, NULL, 0, __VA_ARGS__)

/* The reply is the error err (positive) whose message contains what. */
static void expect_error(struct json_object *reply, int err, const char *what)
{
	const char *msg = NULL;
	int got = pcc_ctl_reply_error(reply, &msg);

	if (got != -err || !msg || !strstr(msg, what))
		fail_msg("wanted errno %d \"%s\", got %d \"%s\"", err, what,
			 -got, msg ? msg : "(none)");
	json_object_put(reply);
}

static void expect_ok(struct json_object *reply)
{
	const char *msg = NULL;

	if (pcc_ctl_reply_error(reply, &msg))
		fail_msg("error reply: %s", msg);
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no \"%s\" in %s", key, json_object_to_json_string(o));
	return v;
}

static const char *json(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* --- apply -------------------------------------------------------------- */

static void test_apply(void **state)
{
	char line[2 * PATH_MAX];
	struct fake_nl_ds *ds;

	(void)state;
	log_reset();
	assert_int_equal(pccd_apply(&d), 0);
	assert_int_equal(count(fake_nl.log, "dataset_add"), 2);
	snprintf(line, sizeof(line),
		 "dataset_add mnt=1 id=1 path=%s mode=1 attach=7 rule=yes text=fname={*.h5}\n",
		 c1);
	assert_non_null(strstr(fake_nl.log, line));
	snprintf(line, sizeof(line),
		 "dataset_add mnt=1 id=2 path=%s mode=1 attach=1 rule=none\n",
		 c2);
	assert_non_null(strstr(fake_nl.log, line));
	assert_int_equal(count(fake_nl.log, "dataset_set"), 0);
	assert_int_equal(count(fake_nl.log, "dataset_del"), 0);
	assert_int_equal(d.nmounts, 1);
	assert_true(d.mounts[0].mounted);
	assert_int_equal(d.mounts[0].id, 1);
	ds = fake_nl_dataset(1, 1);
	assert_non_null(ds);
	assert_string_equal(ds->rule_text, "fname={*.h5}");
	assert_non_null(ds->rule);

	/* Again: nothing differs, nothing is sent. */
	log_reset();
	assert_int_equal(pccd_apply(&d), 0);
	assert_int_equal(count(fake_nl.log, "dataset_"), 1);	/* the dump */
	assert_non_null(strstr(fake_nl.log, "dataset_dump"));

	/* A changed rule: one set, in place. */
	write_conf("fname={*.npy}", true);
	reload();
	log_reset();
	assert_int_equal(pccd_apply(&d), 0);
	assert_int_equal(count(fake_nl.log, "dataset_set"), 1);
	assert_int_equal(count(fake_nl.log, "dataset_add"), 0);
	assert_int_equal(count(fake_nl.log, "dataset_del"), 0);
	assert_non_null(strstr(fake_nl.log,
			       "dataset_set mnt=1 id=1 path="));
	assert_non_null(strstr(fake_nl.log, "text=fname={*.npy}\n"));
	assert_string_equal(fake_nl_dataset(1, 1)->rule_text, "fname={*.npy}");

	/* A dataset gone from the file: one del. */
	write_conf("fname={*.npy}", false);
	reload();
	log_reset();
	assert_int_equal(pccd_apply(&d), 0);
	assert_int_equal(count(fake_nl.log, "dataset_del mnt=1 id=2\n"), 1);
	assert_int_equal(count(fake_nl.log, "dataset_add"), 0);
	assert_int_equal(count(fake_nl.log, "dataset_set"), 0);
	assert_null(fake_nl_dataset(1, 2));
	assert_non_null(fake_nl_dataset(1, 1));
}

static void test_apply_errors(void **state)
{
	(void)state;
	/* The module refuses one add: counted, the other goes in. */
	fake_nl_fail("dataset_add", -EINVAL, "bad rule");
	assert_int_equal(pccd_apply(&d), 1);
	assert_int_equal(d.apply_errors, 1);
	assert_int_equal(fake_nl_mount(1)->nds, 1);
	/* The next apply adds what is missing only. */
	log_reset();
	assert_int_equal(pccd_apply(&d), 0);
	assert_int_equal(count(fake_nl.log, "dataset_add"), 1);
	assert_int_equal(fake_nl_mount(1)->nds, 2);

	/* A pcc mount of another lower than configured: not used. */
	fake_nl.mounts[0].lower[0] = '/';
	strcpy(fake_nl.mounts[0].lower, "/elsewhere");
	log_reset();
	assert_int_equal(pccd_apply(&d), 1);
	assert_false(d.mounts[0].mounted);
	assert_int_equal(count(fake_nl.log, "dataset_"), 0);
}

static void test_apply_removed(void **state)
{
	struct pcc_config *next;

	(void)state;
	/* The same mounts: nothing cleared. */
	next = load(conf_path);
	log_reset();
	pccd_apply_removed(&d, next);
	assert_int_equal(fake_nl.calls, 0);
	pcc_conf_free(next);

	/* The mount is no longer configured: its datasets are cleared. */
	write_file(conf_path, "mounts: []\n");
	next = load(conf_path);
	pccd_apply_removed(&d, next);
	assert_string_equal(fake_nl.log, "dataset_clear mnt=1\n");
	assert_int_equal(fake_nl_mount(1)->nds, 0);
	pcc_conf_free(d.conf);
	d.conf = next;
	assert_int_equal(pccd_apply(&d), 0);
	assert_int_equal(d.nmounts, 0);
}

/* c1 read-only as write_conf() has it, c2 read-write with wb's keys. */
static void write_conf_rw(const char *wb)
{
	char text[4 * PATH_MAX + 512];

	snprintf(text, sizeof(text),
		 "mounts:\n"
		 "  - path: %s\n"
		 "    lower: %s\n"
		 "    datasets:\n"
		 "      - path: %s\n"
		 "        roid: 1\n"
		 "        rule: \"fname={*.h5}\"\n"
		 "      - path: %s\n"
		 "        rwid: 2\n"
		 "        mode: rw\n"
		 "%s", mnt, lower, c1, c2, wb);
	write_file(conf_path, text);
}

/* Apply, and the dataset calls made: "add", "set", "del" counted. */
static void apply_counts(int adds, int sets, int dels)
{
	log_reset();
	assert_int_equal(pccd_apply(&d), 0);
	assert_int_equal(count(fake_nl.log, "dataset_add"), adds);
	assert_int_equal(count(fake_nl.log, "dataset_set"), sets);
	assert_int_equal(count(fake_nl.log, "dataset_del"), dels);
}

/*
 * A read-write dataset's write-back policy goes with its add; a reload
 * that changes only the policy sets the dataset in place.
 */
static void test_apply_writeback(void **state)
{
	char line[2 * PATH_MAX];
	struct fake_nl_ds *ds;

	(void)state;
	write_conf_rw("        writeback: lazy\n"
		      "        writeback_interval: 60\n");
	reload();
	apply_counts(2, 0, 0);
	/* The read-only dataset has none: the module would refuse them. */
	snprintf(line, sizeof(line),
		 "dataset_add mnt=1 id=1 path=%s mode=1 attach=7 rule=yes text=fname={*.h5}\n",
		 c1);
	assert_non_null(strstr(fake_nl.log, line));
	snprintf(line, sizeof(line),
		 "dataset_add mnt=1 id=2 path=%s mode=2 attach=7 rule=none writeback=1 wb_interval=60\n",
		 c2);
	assert_non_null(strstr(fake_nl.log, line));
	ds = fake_nl_dataset(1, 2);
	assert_non_null(ds);
	assert_int_equal(ds->mode, PCC_DS_MODE_RW);
	assert_int_equal(ds->writeback, PCC_DS_WB_LAZY);
	assert_int_equal(ds->wb_interval, 60);

	/* Again: the module has it so, nothing is sent. */
	apply_counts(0, 0, 0);

	/* Another interval: one set, in place, of both. */
	write_conf_rw("        writeback: lazy\n"
		      "        writeback_interval: 120\n");
	reload();
	apply_counts(0, 1, 0);
	assert_non_null(strstr(fake_nl.log, "dataset_set mnt=1 id=2 path="));
	assert_non_null(strstr(fake_nl.log, " writeback=1 wb_interval=120\n"));
	assert_int_equal(fake_nl_dataset(1, 2)->wb_interval, 120);

	/* lazy's default interval is sent as such. */
	write_conf_rw("        writeback: lazy\n");
	reload();
	apply_counts(0, 1, 0);
	assert_non_null(strstr(fake_nl.log, " writeback=1 wb_interval=30\n"));

	/* Back to close: in place too, and the module forgets the lazy. */
	write_conf_rw("        writeback: close\n");
	reload();
	apply_counts(0, 1, 0);
	assert_non_null(strstr(fake_nl.log, " writeback=0 wb_interval=30\n"));
	assert_int_equal(fake_nl_dataset(1, 2)->writeback, PCC_DS_WB_CLOSE);

	/* The key taken out: close is the default, nothing to do. */
	write_conf_rw("");
	reload();
	apply_counts(0, 0, 0);

	/*
	 * A module that set the dataset lazy behind pccd's back (pcc-nl) is
	 * put back; an interval a close dataset keeps does not count.
	 */
	fake_nl_dataset(1, 2)->wb_interval = 999;
	apply_counts(0, 0, 0);
	fake_nl_dataset(1, 2)->writeback = PCC_DS_WB_LAZY;
	apply_counts(0, 1, 0);
	assert_int_equal(fake_nl_dataset(1, 2)->writeback, PCC_DS_WB_CLOSE);
	assert_int_equal(fake_nl_dataset(1, 2)->wb_interval, 30);

	/* The module refuses: counted as an error, as any other. */
	write_conf_rw("        writeback: lazy\n");
	reload();
	fake_nl_fail("dataset_set", -EINVAL, "no lazy write-back here");
	log_reset();
	assert_int_equal(pccd_apply(&d), 1);
	assert_int_equal(fake_nl_dataset(1, 2)->writeback, PCC_DS_WB_CLOSE);
}

/*
 * A module before protocol 5 has no write-back policy: it is not sent the
 * defaults it would refuse, and a lazy one is refused by pccd, saying why.
 */
static void test_apply_writeback_old_module(void **state)
{
	char line[2 * PATH_MAX];

	(void)state;
	fake_nl.genl_version = 4;
	pccd_kernel_close(&d);
	assert_int_equal(pccd_kernel_connect(&d), 0);
	write_conf_rw("");
	reload();
	apply_counts(2, 0, 0);
	snprintf(line, sizeof(line),
		 "dataset_add mnt=1 id=2 path=%s mode=2 attach=7 rule=none\n",
		 c2);
	assert_non_null(strstr(fake_nl.log, line));

	write_conf_rw("        writeback: lazy\n");
	reload();
	log_reset();
	assert_int_equal(pccd_apply(&d), 1);
	assert_int_equal(count(fake_nl.log, "dataset_set"), 0);
	assert_int_equal(fake_nl_dataset(1, 2)->writeback, PCC_DS_WB_CLOSE);
}

/* --- add ---------------------------------------------------------------- */

static void test_add(void **state)
{
	struct json_object *reply, *ds, *a;
	struct pcc_config *conf;
	struct pcc_conf_dataset *cd;
	struct fake_nl_ds *fd;
	char *before, *after;

	(void)state;
	before = read_text(conf_path);
	reply = request(0, "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"fname={*.dat} roid=5 open_attach=0\"}",
			mnt, c3);
	expect_ok(reply);
	ds = get(reply, "dataset");
	assert_int_equal(json_object_get_int(get(ds, "id")), 5);
	assert_int_equal(json_object_get_int(get(ds, "roid")), 5);
	assert_int_equal(json_object_get_int(get(ds, "rwid")), 0);
	assert_string_equal(json_object_get_string(get(ds, "path")), c3);
	assert_string_equal(json_object_get_string(get(ds, "mode")), "ro");
	a = get(ds, "attach");
	assert_string_equal(json(a), "[\"stat\",\"io\"]");
	assert_string_equal(json_object_get_string(get(ds, "rule")),
			    "fname={*.dat}");
	assert_int_equal(json_object_get_int(get(ds, "attached")), 0);
	json_object_put(reply);

	/* The module has it. */
	fd = fake_nl_dataset(1, 5);
	assert_non_null(fd);
	assert_string_equal(fd->path, c3);
	assert_int_equal(fd->attach, PCC_DS_ATTACH_STAT | PCC_DS_ATTACH_IO);
	assert_string_equal(fd->rule_text, "fname={*.dat}");

	/* The file has it, and kept its leading comment. */
	after = read_text(conf_path);
	assert_string_not_equal(before, after);
	assert_true(!strncmp(after, "# test configuration\n", 21));
	free(before);
	free(after);
	conf = load(conf_path);
	assert_int_equal(pcc_conf_count_datasets(conf), 3);
	cd = conf->mounts->datasets->next->next;
	assert_string_equal(cd->path, c3);
	assert_int_equal(cd->roid, 5);
	assert_string_equal(cd->rule, "fname={*.dat}");
	assert_int_equal(cd->attach, PCC_ATTACH_STAT | PCC_ATTACH_IO);
	pcc_conf_free(conf);
	/* And so does pccd. */
	assert_int_equal(pcc_conf_count_datasets(d.conf), 3);

	/* Without ids: the first free one. */
	rm_rf(c3);
	make_dir(c3);
	reply = request(0, "{\"cmd\":\"del\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			mnt, c3);
	expect_ok(reply);
	json_object_put(reply);
	reply = request(0, "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			mnt, c3);
	expect_ok(reply);
	assert_int_equal(json_object_get_int(get(get(reply, "dataset"), "id")),
			 3);
	assert_true(json_object_is_type(get(get(reply, "dataset"), "rule"),
					json_type_null));
	json_object_put(reply);
	assert_non_null(fake_nl_dataset(1, 3));
}

/* A request that must fail and change neither the file nor the module. */
static void expect_add_refused(int err, const char *what, const char *fmt,
			       ...)
{
	char *before, *after, *text;
	struct json_object *reply;
	va_list ap;
	unsigned int nds = fake_nl_mount(1)->nds;

	va_start(ap, fmt);
	assert_true(vasprintf(&text, fmt, ap) >= 0);
	va_end(ap);
	before = read_text(conf_path);
	reply = request(0, "%s", text);
	free(text);
	expect_error(reply, err, what);
	after = read_text(conf_path);
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(fake_nl_mount(1)->nds, nds);
	assert_int_equal(pcc_conf_count_datasets(d.conf), 2);
}

static void test_add_refused(void **state)
{
	char missing[PATH_MAX + 8];

	(void)state;
	/* Bad parameters: the column, and nothing sent. */
	expect_add_refused(EINVAL, "column 6",
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
			   "\"params\":\"roid=x\"}", mnt, c3);
	expect_add_refused(EINVAL, "column ",
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
			   "\"params\":\"fname={*.h5 roid=3\"}", mnt, c3);
	assert_int_equal(count(fake_nl.log, "dataset_add"), 0);

	/* An id taken, a cache taken. */
	expect_add_refused(EEXIST, "id 1 is taken",
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
			   "\"params\":\"roid=1\"}", mnt, c3);
	expect_add_refused(EEXIST, "is a dataset of",
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			   mnt, c1);
	/* A cache directory that is not there, or not a directory. */
	snprintf(missing, sizeof(missing), "%s/nope", top);
	expect_add_refused(ENOENT, missing,
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			   mnt, missing);
	expect_add_refused(ENOTDIR, "is not a directory",
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			   mnt, conf_path);
	/* A read-write dataset's id is taken like any other. */
	expect_add_refused(EEXIST, "id 1 is taken",
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
			   "\"params\":\"rwid=1 pccrw=1\"}", mnt, c3);
	/* A directory that is no pcc mount. */
	expect_add_refused(EINVAL, "is not a pcc mount",
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			   lower2, c3);
	/* Arguments of the wrong type. */
	expect_add_refused(EINVAL, "\"cache\" is missing",
			   "{\"cmd\":\"add\",\"mount\":\"%s\"}", mnt);
	expect_add_refused(EINVAL, "\"params\" must be a string",
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
			   "\"params\":3}", mnt, c3);
	assert_int_equal(count(fake_nl.log, "dataset_add"), 0);

	/* The module refuses: its message, the file unchanged. */
	fake_nl_fail("dataset_add", -EINVAL, "rule too long for the module");
	expect_add_refused(EINVAL, "rule too long for the module",
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			   mnt, c3);
	assert_null(fake_nl_dataset(1, 3));

	/* The module is not loaded. */
	pccd_kernel_close(&d);
	fake_nl.open_err = -ENOENT;
	expect_add_refused(ENOENT, "module pcc is not loaded",
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			   mnt, c3);
	fake_nl.open_err = 0;
}

/* An edit of the file that pccd has not read yet is never overwritten. */
static void test_add_file_changed(void **state)
{
	struct json_object *reply;
	char *after;
	FILE *fp;

	(void)state;
	fp = fopen(conf_path, "a");
	assert_non_null(fp);
	fputs("# an edit not reloaded yet\n", fp);
	fclose(fp);
	log_reset();
	reply = request(0, "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"roid=7\"}", mnt, c3);
	expect_error(reply, ESTALE, "changed since pccd read it");
	/* The module's change was undone, the edit is still there. */
	assert_null(fake_nl_dataset(1, 7));
	after = read_text(conf_path);
	assert_non_null(strstr(after, "# an edit not reloaded yet\n"));
	free(after);
}

static void test_add_unwritable(void **state)
{
	struct json_object *reply;
	char *before, *after, want[PATH_MAX + 64];

	(void)state;
	before = read_text(conf_path);
	/* The file's directory is gone: the write fails. */
	free(d.conf_file);
	assert_true(asprintf(&d.conf_file, "%s/gone/pcc.yaml", top) > 0);
	pccd_conf_seen(&d);
	log_reset();
	reply = request(0, "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"roid=7\"}", mnt, c3);
	snprintf(want, sizeof(want), "cannot write the configuration: %s/gone/",
		 top);
	expect_error(reply, ENOENT, want);
	/* The module was told, then put back. */
	assert_int_equal(count(fake_nl.log, "dataset_add mnt=1 id=7"), 1);
	assert_int_equal(count(fake_nl.log, "dataset_del mnt=1 id=7"), 1);
	assert_null(fake_nl_dataset(1, 7));
	assert_int_equal(fake_nl_mount(1)->nds, 2);
	assert_int_equal(pcc_conf_count_datasets(d.conf), 2);
	after = read_text(conf_path);
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* set and del are put back the same way. */
	log_reset();
	reply = request(0, "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"auto_attach=0\"}", mnt, c1);
	expect_error(reply, ENOENT, "cannot write");
	assert_int_equal(count(fake_nl.log, "dataset_set"), 2);
	assert_int_equal(fake_nl_dataset(1, 1)->attach, PCC_DS_ATTACH_ALL);
	assert_string_equal(fake_nl_dataset(1, 1)->rule_text, "fname={*.h5}");

	reply = request(0, "{\"cmd\":\"del\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			mnt, c2);
	expect_error(reply, ENOENT, "cannot write");
	assert_non_null(fake_nl_dataset(1, 2));
	assert_int_equal(fake_nl_dataset(1, 2)->attach, PCC_DS_ATTACH_OPEN);

	reply = request(0, "{\"cmd\":\"clear\",\"mount\":\"%s\"}", mnt);
	expect_error(reply, ENOENT, "cannot write");
	assert_int_equal(fake_nl_mount(1)->nds, 2);
	assert_string_equal(fake_nl_dataset(1, 1)->rule_text, "fname={*.h5}");
	assert_int_equal(pcc_conf_count_datasets(d.conf), 2);
}

/* A pcc mount made by hand: add configures it, with its lower. */
static void test_add_unconfigured_mount(void **state)
{
	struct json_object *reply;
	struct pcc_config *conf;
	struct pcc_conf_mount *cm;

	(void)state;
	fake_nl_add_mount(2, mnt2, lower2);
	reply = request(0, "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			mnt2, c3);
	expect_ok(reply);
	assert_int_equal(json_object_get_int(get(get(reply, "dataset"), "id")),
			 1);
	json_object_put(reply);
	assert_non_null(fake_nl_dataset(2, 1));
	assert_string_equal(fake_nl_dataset(2, 1)->path, c3);

	conf = load(conf_path);
	assert_int_equal(pcc_conf_count_mounts(conf), 2);
	cm = conf->mounts->next;
	assert_string_equal(cm->path, mnt2);
	assert_string_equal(cm->lower, lower2);
	assert_non_null(cm->datasets);
	assert_string_equal(cm->datasets->path, c3);
	assert_null(cm->datasets->next);
	pcc_conf_free(conf);

	/* pccd now serves it. */
	assert_int_equal(d.nmounts, 2);
	assert_true(d.mounts[1].mounted);
	assert_int_equal(d.mounts[1].id, 2);
	assert_non_null(pccd_mount_by_path(&d, mnt2));

	/* A cache directory serves one dataset, of any mount. */
	reply = request(0, "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			mnt2, c1);
	expect_error(reply, EEXIST, "is a dataset of");
	assert_null(fake_nl_dataset(2, 2));
	conf = load(conf_path);
	assert_int_equal(pcc_conf_count_datasets(conf), 3);
	pcc_conf_free(conf);

	/* set and del do not create mounts. */
	reply = request(0, "{\"cmd\":\"del\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			lower2, c3);
	expect_error(reply, ENOENT, "is not a configured pcc mount");
}

/* --- set, del, clear ---------------------------------------------------- */

static void test_set(void **state)
{
	struct json_object *reply, *ds;
	struct pcc_config *conf;

	(void)state;
	reply = request(0, "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"fname={*.x} open_attach=0\"}", mnt, c1);
	expect_ok(reply);
	ds = get(reply, "dataset");
	assert_int_equal(json_object_get_int(get(ds, "id")), 1);
	assert_string_equal(json(get(ds, "attach")), "[\"stat\",\"io\"]");
	assert_string_equal(json_object_get_string(get(ds, "rule")),
			    "fname={*.x}");
	json_object_put(reply);
	assert_int_equal(count(fake_nl.log, "dataset_set mnt=1 id=1 "), 1);
	assert_int_equal(count(fake_nl.log, "dataset_add"), 0);
	assert_int_equal(count(fake_nl.log, "dataset_del"), 0);
	assert_int_equal(fake_nl_dataset(1, 1)->attach,
			 PCC_DS_ATTACH_STAT | PCC_DS_ATTACH_IO);
	assert_string_equal(fake_nl_dataset(1, 1)->rule_text, "fname={*.x}");
	conf = load(conf_path);
	assert_string_equal(conf->mounts->datasets->rule, "fname={*.x}");
	assert_int_equal(conf->mounts->datasets->attach,
			 PCC_ATTACH_STAT | PCC_ATTACH_IO);
	pcc_conf_free(conf);

	/* The same values again: nothing sent. */
	log_reset();
	reply = request(0, "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"fname={*.x}\"}", mnt, c1);
	expect_ok(reply);
	json_object_put(reply);
	assert_int_equal(count(fake_nl.log, "dataset_set"), 0);

	/* Ids and the mode do not change in place. */
	reply = request(0, "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"roid=9\"}", mnt, c1);
	expect_error(reply, EINVAL, "cannot change in place");
	reply = request(0, "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"rwid=9\"}", mnt, c1);
	expect_error(reply, EINVAL, "cannot change in place");
	reply = request(0, "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"open_attach=maybe\"}", mnt, c1);
	expect_error(reply, EINVAL, "column ");
	reply = request(0, "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"auto_attach=0\"}", mnt, c3);
	expect_error(reply, ENOENT, "is not a dataset of");
	assert_int_equal(count(fake_nl.log, "dataset_set"), 0);

	/* The module refuses. */
	fake_nl_fail("dataset_set", -EINVAL, "no way");
	reply = request(0, "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"auto_attach=0\"}", mnt, c1);
	expect_error(reply, EINVAL, "no way");
	conf = load(conf_path);
	assert_int_equal(conf->mounts->datasets->attach,
			 PCC_ATTACH_STAT | PCC_ATTACH_IO);
	pcc_conf_free(conf);
}

/* pcc add and set of the write-back keys; their refusals. */
static void test_set_writeback(void **state)
{
	struct json_object *reply, *ds, *m;
	struct pcc_config *conf;
	struct pcc_conf_dataset *cd;
	struct fake_nl_ds *fd;

	(void)state;
	/* Not for a read-only dataset: said with the column, nothing sent. */
	expect_add_refused(EINVAL,
			   "parameters, column 8: writeback is for read-write datasets only (pccrw=1, given when the dataset is added)",
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
			   "\"params\":\"rwid=3 writeback=lazy\"}", mnt, c3);
	expect_add_refused(EINVAL,
			   "parameters, column 16: writeback_interval needs writeback=lazy",
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
			   "\"params\":\"rwid=3 pccrw=1 writeback_interval=9\"}",
			   mnt, c3);
	expect_add_refused(EINVAL, "not 'soon'",
			   "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
			   "\"params\":\"rwid=3 pccrw=1 writeback=soon\"}",
			   mnt, c3);
	assert_int_equal(count(fake_nl.log, "dataset_add"), 0);

	reply = request(0, "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"rwid=3 pccrw=1 pccro=0 writeback=lazy "
			"writeback_interval=90\"}", mnt, c3);
	expect_ok(reply);
	ds = get(reply, "dataset");
	assert_string_equal(json_object_get_string(get(ds, "mode")), "rw");
	assert_string_equal(json_object_get_string(get(ds, "writeback")),
			    "lazy");
	assert_int_equal(json_object_get_int(get(ds, "writeback_interval")),
			 90);
	json_object_put(reply);
	fd = fake_nl_dataset(1, 3);
	assert_non_null(fd);
	assert_int_equal(fd->writeback, PCC_DS_WB_LAZY);
	assert_int_equal(fd->wb_interval, 90);
	conf = load(conf_path);
	cd = conf->mounts->datasets->next->next;
	assert_int_equal(cd->flags & (PCC_DS_HAS_WRITEBACK |
				      PCC_DS_HAS_WB_INTERVAL),
			 PCC_DS_HAS_WRITEBACK | PCC_DS_HAS_WB_INTERVAL);
	assert_int_equal(cd->writeback, PCC_WRITEBACK_LAZY);
	assert_int_equal(cd->wb_interval, 90);
	pcc_conf_free(conf);

	/* The interval alone, on top of lazy: in place. */
	log_reset();
	reply = request(0, "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"writeback_interval=45\"}", mnt, c3);
	expect_ok(reply);
	json_object_put(reply);
	assert_int_equal(count(fake_nl.log, "dataset_set mnt=1 id=3 "), 1);
	assert_int_equal(count(fake_nl.log, "dataset_add"), 0);
	assert_int_equal(count(fake_nl.log, "dataset_del"), 0);
	assert_int_equal(fake_nl_dataset(1, 3)->wb_interval, 45);

	/* Close: the interval goes from the file, the module's default. */
	reply = request(0, "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"writeback=close\"}", mnt, c3);
	expect_ok(reply);
	ds = get(reply, "dataset");
	assert_string_equal(json_object_get_string(get(ds, "writeback")),
			    "close");
	assert_true(json_object_is_type(get(ds, "writeback_interval"),
					json_type_null));
	json_object_put(reply);
	assert_int_equal(fake_nl_dataset(1, 3)->writeback, PCC_DS_WB_CLOSE);
	assert_int_equal(fake_nl_dataset(1, 3)->wb_interval, 30);
	conf = load(conf_path);
	cd = conf->mounts->datasets->next->next;
	assert_int_equal(cd->flags & (PCC_DS_HAS_WRITEBACK |
				      PCC_DS_HAS_WB_INTERVAL),
			 PCC_DS_HAS_WRITEBACK);
	assert_int_equal(cd->writeback, PCC_WRITEBACK_CLOSE);
	pcc_conf_free(conf);

	/* Refused: an interval for close, a policy for a read-only one. */
	log_reset();
	reply = request(0, "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"writeback_interval=45\"}", mnt, c3);
	expect_error(reply, EINVAL,
		     "column 1: writeback_interval needs writeback=lazy");
	reply = request(0, "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"writeback=lazy\"}", mnt, c1);
	expect_error(reply, EINVAL,
		     "column 1: writeback is for read-write datasets only");
	assert_int_equal(count(fake_nl.log, "dataset_set"), 0);

	/* The module's refusal reaches the caller, with its message. */
	fake_nl_fail("dataset_set", -EINVAL, "PCC_A_DS_WB_INTERVAL out of range");
	reply = request(0, "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"writeback=lazy\"}", mnt, c3);
	expect_error(reply, EINVAL, "PCC_A_DS_WB_INTERVAL out of range");
	assert_int_equal(fake_nl_dataset(1, 3)->writeback, PCC_DS_WB_CLOSE);
	conf = load(conf_path);
	assert_int_equal(conf->mounts->datasets->next->next->writeback,
			 PCC_WRITEBACK_CLOSE);
	pcc_conf_free(conf);

	/* list: the policy of read-write datasets, null for the others. */
	reply = request(1000, "{\"cmd\":\"list\"}");
	expect_ok(reply);
	m = json_object_array_get_idx(get(reply, "mounts"), 0);
	ds = json_object_array_get_idx(get(m, "datasets"), 0);
	assert_true(json_object_is_type(get(ds, "writeback"), json_type_null));
	assert_true(json_object_is_type(get(ds, "writeback_interval"),
					json_type_null));
	ds = json_object_array_get_idx(get(m, "datasets"), 2);
	assert_string_equal(json_object_get_string(get(ds, "writeback")),
			    "close");
	assert_true(json_object_is_type(get(ds, "writeback_interval"),
					json_type_null));
	json_object_put(reply);
}

/* A file at dataset dir's fan-out place. */
static void fanout_file(const char *dir, const char *name, char *out,
			size_t len)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/ab", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/ab/cd", dir);
	mkdir(path, 0700);
	snprintf(out, len, "%s/ab/cd/%s", dir, name);
	write_file(out, "data");
	/* As the engine makes them: a leftover is removed only so. */
	assert_int_equal(chmod(out, 0600), 0);
}

static void test_del(void **state)
{
	char stranger[PATH_MAX + 64], leftover[PATH_MAX + 64];
	char copy[PATH_MAX + 64], leftover2[PATH_MAX + 64];
	struct pcc_copy_xattr x = {
		.magic = PCC_COPY_MAGIC, .format = PCC_COPY_FORMAT,
		.type = PCC_TYPE_READONLY, .dataset_id = 2,
	};
	struct json_object *reply;
	struct pcc_config *conf;
	bool xattrs;

	(void)state;
	/*
	 * In c2: a file where copies go but with no pcc xattr (it must
	 * stay: never remove what is not a pcc copy), a leftover of an
	 * interrupted copy, and, where this filesystem and user allow
	 * trusted xattrs, a real copy of dataset 2.
	 */
	fanout_file(c2, "2-0102", stranger, sizeof(stranger));
	fanout_file(c2, PCCD_COPY_TMP_PREFIX "x", leftover, sizeof(leftover));
	fanout_file(c2, "2-0304", copy, sizeof(copy));
	xattrs = !setxattr(copy, PCC_XATTR_COPY, &x, sizeof(x), 0);
	if (!xattrs)
		unlink(copy);

	/* keep: nothing removed. */
	reply = request(0, "{\"cmd\":\"del\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"keep\":true}", mnt, c2);
	expect_ok(reply);
	assert_int_equal(json_object_get_int(get(reply, "removed_copies")), 0);
	json_object_put(reply);
	assert_int_equal(count(fake_nl.log, "dataset_del mnt=1 id=2\n"), 1);
	assert_null(fake_nl_dataset(1, 2));
	assert_int_equal(access(stranger, F_OK), 0);
	assert_int_equal(access(leftover, F_OK), 0);
	conf = load(conf_path);
	assert_int_equal(pcc_conf_count_datasets(conf), 1);
	assert_string_equal(conf->mounts->datasets->path, c1);
	pcc_conf_free(conf);
	reply = request(0, "{\"cmd\":\"del\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			mnt, c2);
	expect_error(reply, ENOENT, "is not a dataset of");

	/* Not keep: the copies go, the stranger stays. */
	reply = request(0, "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"params\":\"roid=2\"}", mnt, c2);
	expect_ok(reply);
	json_object_put(reply);
	/*
	 * add leaves the leftover (a copy still running into the directory
	 * may own such a name); del removes it and another.
	 */
	assert_int_equal(access(leftover, F_OK), 0);
	fanout_file(c2, PCCD_COPY_TMP_PREFIX "y", leftover2,
		    sizeof(leftover2));
	reply = request(0, "{\"cmd\":\"del\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"keep\":false}", mnt, c2);
	expect_ok(reply);
	assert_int_equal(json_object_get_int(get(reply, "removed_copies")),
			 xattrs ? 3 : 2);
	json_object_put(reply);
	assert_int_equal(access(stranger, F_OK), 0);
	assert_int_equal(access(leftover, F_OK), -1);
	assert_int_equal(access(leftover2, F_OK), -1);
	assert_int_equal(access(copy, F_OK), -1);
	assert_null(fake_nl_dataset(1, 2));

	reply = request(0, "{\"cmd\":\"del\",\"mount\":\"%s\",\"cache\":\"%s\","
			"\"keep\":1}", mnt, c1);
	expect_error(reply, EINVAL, "\"keep\" must be true or false");
	assert_non_null(fake_nl_dataset(1, 1));

	/* The module refuses. */
	fake_nl_fail("dataset_del", -EBUSY, "busy here");
	reply = request(0, "{\"cmd\":\"del\",\"mount\":\"%s\",\"cache\":\"%s\"}",
			mnt, c1);
	expect_error(reply, EBUSY, "busy here");
	assert_non_null(fake_nl_dataset(1, 1));
	assert_int_equal(pcc_conf_count_datasets(d.conf), 1);
}

static void test_clear(void **state)
{
	char stranger[PATH_MAX + 64];
	struct json_object *reply;
	struct pcc_config *conf;

	(void)state;
	fanout_file(c1, "2-0102", stranger, sizeof(stranger));
	fake_nl_fail("dataset_clear", -EIO, "cannot now");
	reply = request(0, "{\"cmd\":\"clear\",\"mount\":\"%s\"}", mnt);
	expect_error(reply, EIO, "cannot now");
	assert_int_equal(fake_nl_mount(1)->nds, 2);

	reply = request(0, "{\"cmd\":\"clear\",\"mount\":\"%s\",\"keep\":false}",
			mnt);
	expect_ok(reply);
	assert_int_equal(json_object_get_int(get(reply, "datasets")), 2);
	assert_int_equal(json_object_get_int(get(reply, "removed_copies")), 0);
	json_object_put(reply);
	assert_int_equal(fake_nl_mount(1)->nds, 0);
	assert_int_equal(access(stranger, F_OK), 0);
	conf = load(conf_path);
	assert_int_equal(pcc_conf_count_mounts(conf), 1);
	assert_int_equal(pcc_conf_count_datasets(conf), 0);
	pcc_conf_free(conf);
	assert_int_equal(pcc_conf_count_datasets(d.conf), 0);

	reply = request(0, "{\"cmd\":\"clear\",\"mount\":\"%s\"}", lower);
	expect_error(reply, ENOENT, "is not a configured pcc mount");
}

/* --- list, stats, version, permissions ---------------------------------- */

static void test_list_stats(void **state)
{
	struct json_object *reply, *m, *ds, *c;
	char file[PATH_MAX + 8];

	(void)state;
	fake_nl_dataset(1, 1)->attached = 3;
	snprintf(file, sizeof(file), "%s/f", c1);
	write_file(file, "x");

	reply = request(1000, "{\"cmd\":\"list\"}");
	expect_ok(reply);
	assert_int_equal(json_object_array_length(get(reply, "mounts")), 1);
	m = json_object_array_get_idx(get(reply, "mounts"), 0);
	assert_string_equal(json_object_get_string(get(m, "path")), mnt);
	assert_string_equal(json_object_get_string(get(m, "lower")), lower);
	assert_true(json_object_get_boolean(get(m, "mounted")));
	assert_int_equal(json_object_get_int(get(m, "mount_id")), 1);
	assert_int_equal(json_object_array_length(get(m, "datasets")), 2);
	ds = json_object_array_get_idx(get(m, "datasets"), 0);
	assert_int_equal(json_object_get_int(get(ds, "id")), 1);
	assert_int_equal(json_object_get_int(get(ds, "roid")), 1);
	assert_int_equal(json_object_get_int(get(ds, "rwid")), 0);
	assert_string_equal(json_object_get_string(get(ds, "path")), c1);
	assert_string_equal(json_object_get_string(get(ds, "mode")), "ro");
	assert_string_equal(json(get(ds, "attach")),
			    "[\"open\",\"stat\",\"io\"]");
	assert_string_equal(json_object_get_string(get(ds, "rule")),
			    "fname={*.h5}");
	assert_int_equal(json_object_get_int(get(ds, "attached")), 3);
	assert_int_equal(json_object_get_int(get(get(ds, "usage"), "files")),
			 1);
	ds = json_object_array_get_idx(get(m, "datasets"), 1);
	assert_string_equal(json(get(ds, "attach")), "[\"open\"]");
	assert_true(json_object_is_type(get(ds, "rule"), json_type_null));
	assert_int_equal(json_object_get_int(get(ds, "attached")), 0);
	json_object_put(reply);

	reply = request(1000, "{\"cmd\":\"list\",\"mount\":\"%s\"}", mnt);
	expect_ok(reply);
	assert_int_equal(json_object_array_length(get(reply, "mounts")), 1);
	json_object_put(reply);
	reply = request(1000, "{\"cmd\":\"list\",\"mount\":\"%s\"}", lower);
	expect_error(reply, ENOENT, "is not a configured pcc mount");

	/* stats */
	fake_nl_mount(1)->attached = 4;
	fake_nl_mount(1)->stats[PCC_STAT_ATTACH_OPEN] = 5;
	fake_nl_mount(1)->stats[PCC_STAT_ATTACH_MANUAL] = 2;
	reply = request(1000, "{\"cmd\":\"stats\"}");
	expect_ok(reply);
	assert_int_equal(json_object_array_length(get(reply, "mounts")), 1);
	m = json_object_array_get_idx(get(reply, "mounts"), 0);
	assert_string_equal(json_object_get_string(get(m, "path")), mnt);
	assert_int_equal(json_object_get_int(get(m, "mount_id")), 1);
	assert_int_equal(json_object_get_int(get(m, "attached")), 4);
	c = get(m, "counters");
	assert_int_equal(json_object_get_int(get(c, "attaches")), 7);
	assert_int_equal(json_object_get_int(
		get(c, pcc_nl_stat_name(PCC_STAT_ATTACH_OPEN))), 5);
	assert_int_equal(json_object_object_length(c), PCC_STAT_COUNT + 1);
	c = get(reply, "daemon");
	assert_int_equal(json_object_get_int(get(c, "copies")), 0);
	get(c, "bytes_copied");
	get(c, "copy_errors");
	get(c, "queue");
	get(c, "running");
	json_object_put(reply);
	reply = request(1000, "{\"cmd\":\"stats\",\"mount\":\"/nowhere\"}");
	expect_error(reply, ENOENT, "is not a configured pcc mount");

	/* Without the module: list still answers, stats cannot. */
	pccd_kernel_close(&d);
	fake_nl.open_err = -ENOENT;
	reply = request(1000, "{\"cmd\":\"list\"}");
	expect_ok(reply);
	m = json_object_array_get_idx(get(reply, "mounts"), 0);
	ds = json_object_array_get_idx(get(m, "datasets"), 0);
	assert_true(json_object_is_type(get(ds, "attached"), json_type_null));
	json_object_put(reply);
	reply = request(1000, "{\"cmd\":\"stats\"}");
	expect_error(reply, ENOENT, "module pcc is not loaded");
	fake_nl.open_err = 0;
}

/* Entries of dir other than . and .. */
static int count_entries(const char *dir)
{
	struct dirent *e;
	DIR *dp = opendir(dir);
	int n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dp);
	return n;
}

/* The metrics file: stats as Prometheus text, written and removed. */
static void test_textfile(void **state)
{
	char dir[PATH_MAX + 8], prom[PATH_MAX + 24], other[PATH_MAX + 24];
	char want[2 * PATH_MAX + 160], *text;
	struct stat st;
	int t;

	(void)state;
	assert_int_equal(pccd_textfile_timeout(&d), -1);	/* none set */
	snprintf(dir, sizeof(dir), "%s/prom", top);
	snprintf(prom, sizeof(prom), "%s/pcc.prom", dir);
	snprintf(other, sizeof(other), "%s/other.prom", dir);
	d.conf->metrics.textfile = strdup(prom);
	d.conf->metrics.interval = 20;

	/* Its directory is missing: no file, pccd goes on, error kept. */
	pccd_textfile_write(&d, false);
	assert_int_equal(d.textfile_err, -ENOENT);
	assert_null(d.textfile);
	t = pccd_textfile_timeout(&d);
	assert_true(t > 19000 && t <= 20000);

	assert_int_equal(mkdir(dir, 0700), 0);
	fake_nl_mount(1)->attached = 4;
	fake_nl_mount(1)->stats[PCC_STAT_ATTACH_OPEN] = 5;
	fake_nl_mount(1)->stats[PCC_STAT_HIT_BYTES] = 1ULL << 40;
	pccd_textfile_write(&d, false);
	assert_int_equal(d.textfile_err, 0);
	assert_non_null(d.textfile);
	assert_int_equal(stat(prom, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	text = read_text(prom);
	snprintf(want, sizeof(want),
		 "# TYPE pcc_attaches_total counter\n"
		 "pcc_attaches_total{mount=\"%s\",how=\"manual\"} 0\n"
		 "pcc_attaches_total{mount=\"%s\",how=\"open\"} 5\n",
		 mnt, mnt);
	if (!strstr(text, want))
		fail_msg("no %s in %s", want, text);
	snprintf(want, sizeof(want),
		 "pcc_hit_bytes_total{mount=\"%s\"} 1099511627776\n", mnt);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), "pcc_attached_files{mount=\"%s\"} 4\n",
		 mnt);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "\npcc_copies_total 0\n"));
	free(text);
	/* Nothing but the file: the temporary was renamed. */
	assert_int_equal(count_entries(dir), 1);

	/* Another name: the old file goes, the new one comes. */
	free(d.conf->metrics.textfile);
	d.conf->metrics.textfile = strdup(other);
	pccd_textfile_write(&d, true);
	assert_int_equal(stat(prom, &st), -1);
	assert_int_equal(stat(other, &st), 0);
	assert_string_equal(d.textfile, other);

	/* Without the module: a file with no series rather than old ones. */
	pccd_kernel_close(&d);
	fake_nl.open_err = -ENOENT;
	pccd_textfile_write(&d, false);
	text = read_text(other);
	assert_string_equal(text, "");
	free(text);
	fake_nl.open_err = 0;

	pccd_textfile_stop(&d);
	assert_int_equal(stat(other, &st), -1);
	assert_null(d.textfile);
	assert_int_equal(count_entries(dir), 0);
}

static void test_not_root(void **state)
{
	static const char *const cmds[] = { "add", "set", "del", "clear",
					    "prefetch" };
	struct json_object *reply;
	char want[64];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(want, sizeof(want), "%s needs root", cmds[i]);
		reply = request(1000, "{\"cmd\":\"%s\",\"mount\":\"%s\","
				"\"cache\":\"%s\",\"params\":\"roid=3\","
				"\"paths\":[\"%s\"]}", cmds[i], mnt, c3, mnt);
		expect_error(reply, EPERM, want);
	}
	assert_int_equal(count(fake_nl.log, "dataset_"), 0);
	assert_int_equal(fake_nl_mount(1)->nds, 2);

	reply = request(1000, "{\"cmd\":\"version\"}");
	expect_ok(reply);
	assert_string_equal(json_object_get_string(get(get(reply, "module"),
						       "version")), "9.9.9");
	json_object_put(reply);
	reply = request(1000, "{\"cmd\":\"list\"}");
	expect_ok(reply);
	json_object_put(reply);
	reply = request(1000, "{\"cmd\":\"stats\"}");
	expect_ok(reply);
	json_object_put(reply);
}

/* --- attach, detach ----------------------------------------------------- */

static int open_file(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static void test_fd_counts(void **state)
{
	struct json_object *reply;
	char file[PATH_MAX + 8];
	int fds[2];

	(void)state;
	assert_int_equal(pccd_copy_engine_new(1, &ops, &d.copy), 0);
	snprintf(file, sizeof(file), "%s/f", mnt);
	write_file(file, "hello");

	fds[0] = open_file(file, O_RDONLY);
	reply = request_fds(1000, fds, 1, "{\"cmd\":\"attach\","
			    "\"files\":[\"a\",\"b\"]}");
	expect_error(reply, EINVAL, "2 files named but 1 descriptors sent");
	assert_int_equal(fcntl(fds[0], F_GETFD), -1);	/* closed */

	fds[0] = open_file(file, O_RDONLY);
	fds[1] = open_file(file, O_RDONLY);
	reply = request_fds(1000, fds, 2, "{\"cmd\":\"detach\","
			    "\"files\":[\"a\"]}");
	expect_error(reply, EINVAL, "1 files named but 2 descriptors sent");
	assert_int_equal(fcntl(fds[1], F_GETFD), -1);

	reply = request(1000, "{\"cmd\":\"attach\",\"files\":[]}");
	expect_error(reply, EINVAL, "no file named");
	reply = request(1000, "{\"cmd\":\"detach\"}");
	expect_error(reply, EINVAL, "\"files\" must be an array");
	fds[0] = open_file(file, O_RDONLY);
	reply = request_fds(1000, fds, 1, "{\"cmd\":\"attach\","
			    "\"files\":[3]}");
	expect_error(reply, EINVAL, "\"files\" must hold strings");

	fds[0] = open_file(file, O_RDONLY);
	reply = request_fds(1000, fds, 1, "{\"cmd\":\"list\"}");
	expect_error(reply, EINVAL, "list takes no descriptors");
	assert_int_equal(fcntl(fds[0], F_GETFD), -1);

	fds[0] = open_file(file, O_RDONLY);
	reply = request_fds(1000, fds, 1, "{\"cmd\":\"attach\","
			    "\"files\":[\"a\"],\"mode\":\"wr\"}");
	expect_error(reply, EINVAL, "\"mode\" must be \"ro\" or \"rw\"");
	fds[0] = open_file(file, O_RDONLY);
	reply = request_fds(1000, fds, 1, "{\"cmd\":\"pin\","
			    "\"files\":[\"a\"],\"mode\":\"rw\"}");
	expect_error(reply, EINVAL, "only read-only copies are pinned");
	fds[0] = open_file(file, O_RDONLY);
	reply = request_fds(1000, fds, 1, "{\"cmd\":\"attach\","
			    "\"files\":[\"a\"],\"id\":-1}");
	expect_error(reply, EINVAL, "\"id\" must be a number");
}

/* Entry i of the reply's "files": the error, or NULL. */
static const char *file_error(struct json_object *reply, size_t i,
			      const char *name, int *err)
{
	struct json_object *o = json_object_array_get_idx(get(reply, "files"),
							  i), *v;

	assert_non_null(o);
	assert_string_equal(json_object_get_string(get(o, "file")), name);
	if (!json_object_object_get_ex(o, "error", &v))
		return NULL;
	*err = json_object_get_int(get(o, "errno"));
	return json_object_get_string(v);
}

static void test_attach_refused(void **state)
{
	struct json_object *reply;
	char file[PATH_MAX + 8];
	int fds[5], err = 0;
	const char *msg;

	(void)state;
	snprintf(file, sizeof(file), "%s/f", mnt);
	write_file(file, "hello");

	/* Before the copy engine runs. */
	fds[0] = open_file(file, O_RDONLY);
	reply = request_fds(1000, fds, 1, "{\"cmd\":\"attach\","
			    "\"files\":[\"a\"]}");
	expect_error(reply, EAGAIN, "pccd is starting");

	assert_int_equal(pccd_copy_engine_new(1, &ops, &d.copy), 0);
	fds[0] = open_file(file, O_PATH);
	fds[1] = open_file(file, O_WRONLY);
	fds[2] = open_file(mnt, O_RDONLY | O_DIRECTORY);
	fds[3] = open_file("/proc/self/status", O_RDONLY);
	fds[4] = open_file(file, O_RDONLY);
	reply = request_fds(1000, fds, 5, "{\"cmd\":\"attach\","
			    "\"files\":[\"p\",\"w\",\"d\",\"o\",\"n\"],"
			    "\"id\":9}");
	expect_ok(reply);
	assert_int_equal(json_object_array_length(get(reply, "files")), 5);
	msg = file_error(reply, 0, "p", &err);
	assert_non_null(msg);
	assert_string_equal(msg, "the descriptor was not opened for reading");
	assert_int_equal(err, EBADF);
	msg = file_error(reply, 1, "w", &err);
	assert_string_equal(msg, "the descriptor was not opened for reading");
	msg = file_error(reply, 2, "d", &err);
	assert_string_equal(msg, "not a regular file");
	msg = file_error(reply, 3, "o", &err);
	assert_string_equal(msg, "not on a configured pcc mount");
	assert_int_equal(err, ENOENT);
	msg = file_error(reply, 4, "n", &err);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "no read-only dataset with id 9"));
	json_object_put(reply);
	assert_int_equal(attach_count(), 0);

	/* detach: the same checks, then the ioctl (not a pcc file here). */
	fds[0] = open_file(file, O_PATH);
	fds[1] = open_file("/proc/self/status", O_RDONLY);
	fds[2] = open_file(file, O_RDONLY);
	reply = request_fds(1000, fds, 3, "{\"cmd\":\"detach\","
			    "\"files\":[\"p\",\"o\",\"n\"]}");
	expect_ok(reply);
	assert_int_equal(json_object_array_length(get(reply, "files")), 3);
	msg = file_error(reply, 0, "p", &err);
	assert_string_equal(msg, "the descriptor was not opened for reading");
	msg = file_error(reply, 1, "o", &err);
	assert_string_equal(msg, "not on a configured pcc mount");
	msg = file_error(reply, 2, "n", &err);
	assert_non_null(msg);
	assert_int_equal(err, ENOTTY);
	json_object_put(reply);
}

/* Reap the engine until n attaches were made (or 5 s passed). */
static void reap_until(int n)
{
	struct pollfd pfd = { .fd = pccd_copy_fd(d.copy), .events = POLLIN };
	int i;

	for (i = 0; i < 500 && attach_count() < n; i++) {
		if (poll(&pfd, 1, 10) > 0)
			pccd_copy_reap(d.copy);
	}
	assert_int_equal(attach_count(), n);
	/* The callbacks of the last copies, if not reaped yet. */
	for (i = 0; i < 10; i++)
		if (poll(&pfd, 1, 10) > 0)
			pccd_copy_reap(d.copy);
}

static void test_attach(void **state)
{
	struct json_object *reply, *req;
	struct pccd_client *c = &d.clients[0];
	char file[PATH_MAX + 8];
	int sv[2], fds[1];
	uint64_t files, bytes;

	(void)state;
	assert_int_equal(pccd_copy_engine_new(1, &ops, &d.copy), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	snprintf(file, sizeof(file), "%s/f", mnt);
	write_file(file, "hello");
	*c = (struct pccd_client){ .fd = sv[0], .serial = 1, .uid = 1000 };

	fds[0] = open_file(file, O_RDONLY);
	req = json_tokener_parse("{\"cmd\":\"attach\",\"files\":[\"f\"],"
				 "\"id\":2}");
	reply = pccd_handle_request(&d, c, req, fds, 1);
	json_object_put(req);
	assert_null(reply);
	assert_true(c->busy);
	attaches = 0;
	reap_until(1);
	assert_int_equal(attach_id, 2);
	assert_false(c->busy);
	assert_int_equal(pcc_ctl_recv(sv[1], &reply, 1000), 0);
	expect_ok(reply);
	assert_int_equal(json_object_get_int(get(json_object_array_get_idx(
			 get(reply, "files"), 0), "dataset")), 2);
	assert_int_equal(json_object_get_int(get(json_object_array_get_idx(
			 get(reply, "files"), 0), "bytes")), 5);
	json_object_put(reply);
	assert_int_equal(pccd_copy_usage(c2, &files, &bytes), 0);
	assert_int_equal(files, 1);
	close(sv[1]);
}

/* Tick space management until dataset root is indexed (or 5 s). */
static void indexed(const char *root, uint64_t *files, uint64_t *pfiles)
{
	uint64_t bytes, pbytes;
	int i;

	for (i = 0; i < 500; i++) {
		pccd_space_tick(&d);
		if (pccd_space_usage(&d, root, files, &bytes, pfiles, &pbytes))
			return;
		usleep(10000);
	}
	fail_msg("%s was never indexed", root);
}

/* pin: attach, and the copy carries the mark; unpin takes it away. */
static void test_pin_unpin(void **state)
{
	struct json_object *reply, *req, *f, *pinned_reply;
	struct pccd_client *c = &d.clients[0];
	char file[PATH_MAX + 8], v[8];
	const char *copy;
	uint64_t files, pinned;
	int sv[2], fds[1];

	(void)state;
	assert_int_equal(pccd_copy_engine_new(1, &ops, &d.copy), 0);
	assert_int_equal(pccd_space_start(&d), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	snprintf(file, sizeof(file), "%s/f", mnt);
	write_file(file, "hello");
	assert_int_equal(chown(file, 1000, 1000), 0);	/* the caller's */
	*c = (struct pccd_client){ .fd = sv[0], .serial = 1, .uid = 1000 };

	fds[0] = open_file(file, O_RDONLY);
	req = json_tokener_parse("{\"cmd\":\"pin\",\"files\":[\"f\"],"
				 "\"id\":2}");
	reply = pccd_handle_request(&d, c, req, fds, 1);
	json_object_put(req);
	assert_null(reply);
	attaches = 0;
	reap_until(1);
	assert_int_equal(pcc_ctl_recv(sv[1], &pinned_reply, 1000), 0);
	expect_ok(pinned_reply);
	f = json_object_array_get_idx(get(pinned_reply, "files"), 0);
	assert_true(json_object_get_boolean(get(f, "pinned")));
	copy = json_object_get_string(get(f, "cache_path"));
	assert_int_equal(strncmp(copy, c2, strlen(c2)), 0);
	assert_true(getxattr(copy, PCCD_XATTR_PIN, v, sizeof(v)) > 0);
	indexed(c2, &files, &pinned);
	assert_int_equal(files, 1);
	assert_int_equal(pinned, 1);

	/* unpin: the mark goes, the index follows; again: was not. */
	fds[0] = open_file(file, O_RDONLY);
	reply = request_fds(1000, fds, 1, "{\"cmd\":\"unpin\","
			    "\"files\":[\"f\"],\"id\":2}");
	expect_ok(reply);
	f = json_object_array_get_idx(get(reply, "files"), 0);
	assert_true(json_object_get_boolean(get(f, "was_pinned")));
	assert_string_equal(json_object_get_string(get(f, "cache_path")),
			    copy);
	json_object_put(reply);
	assert_true(getxattr(copy, PCCD_XATTR_PIN, v, sizeof(v)) < 0);
	indexed(c2, &files, &pinned);
	assert_int_equal(files, 1);
	assert_int_equal(pinned, 0);
	fds[0] = open_file(file, O_RDONLY);
	reply = request_fds(1000, fds, 1, "{\"cmd\":\"unpin\","
			    "\"files\":[\"f\"],\"id\":2}");
	expect_ok(reply);
	f = json_object_array_get_idx(get(reply, "files"), 0);
	assert_false(json_object_get_boolean(get(f, "was_pinned")));
	json_object_put(reply);

	/* A file with no copy: an error, nothing changed. */
	snprintf(file, sizeof(file), "%s/g", mnt);
	write_file(file, "other");
	assert_int_equal(chown(file, 1000, 1000), 0);
	fds[0] = open_file(file, O_RDONLY);
	reply = request_fds(1000, fds, 1, "{\"cmd\":\"unpin\","
			    "\"files\":[\"g\"],\"id\":2}");
	expect_ok(reply);
	f = json_object_array_get_idx(get(reply, "files"), 0);
	assert_non_null(strstr(json_object_get_string(get(f, "error")),
			       "not cached in"));
	json_object_put(reply);

	/* Another user who can read it may not pin or unpin it. */
	snprintf(file, sizeof(file), "%s/f", mnt);
	fds[0] = open_file(file, O_RDONLY);
	reply = request_fds(2000, fds, 1, "{\"cmd\":\"pin\","
			    "\"files\":[\"f\"],\"id\":2}");
	expect_ok(reply);
	f = json_object_array_get_idx(get(reply, "files"), 0);
	assert_int_equal(json_object_get_int(get(f, "errno")), EPERM);
	assert_non_null(strstr(json_object_get_string(get(f, "error")),
			       "only the file's owner or root"));
	json_object_put(reply);
	fds[0] = open_file(file, O_RDONLY);
	reply = request_fds(2000, fds, 1, "{\"cmd\":\"unpin\","
			    "\"files\":[\"f\"],\"id\":2}");
	expect_ok(reply);
	f = json_object_array_get_idx(get(reply, "files"), 0);
	assert_int_equal(json_object_get_int(get(f, "errno")), EPERM);
	json_object_put(reply);
	json_object_put(pinned_reply);
	close(sv[1]);
}

/* A read-only copy of dataset ds_id in root for handle fh (type 1). */
static void make_copy(const char *root, uint32_t ds_id, const uint8_t *fh,
		      uint32_t len, char *path, size_t plen)
{
	struct pcc_copy_xattr x = {
		.magic = PCC_COPY_MAGIC, .format = PCC_COPY_FORMAT,
		.type = PCC_TYPE_READONLY, .dataset_id = ds_id,
	};
	char name[PCC_CACHE_NAME_MAX];

	pcc_cache_name(name, 1, fh, len);
	snprintf(path, plen, "%s/%.2s", root, name);
	mkdir(path, 0700);
	snprintf(path, plen, "%s/%.5s", root, name);
	mkdir(path, 0700);
	snprintf(path, plen, "%s/%s", root, name);
	write_file(path, "copy");
	assert_int_equal(setxattr(path, PCC_XATTR_COPY, &x, sizeof(x), 0), 0);
}

/* Only dataset c2, with max_files files. */
static void capacity_conf(int max_files)
{
	char text[4 * PATH_MAX];

	snprintf(text, sizeof(text),
		 "mounts:\n"
		 "  - path: %s\n"
		 "    lower: %s\n"
		 "    datasets:\n"
		 "      - path: %s\n"
		 "        roid: 2\n"
		 "        capacity: { max_files: %d }\n", mnt, lower, c2,
		 max_files);
	write_file(conf_path, text);
	reload();
	assert_int_equal(pccd_apply(&d), 0);
}

/*
 * A copy pinned after it was indexed (the index learns a pin only when
 * the copy job is reaped) is not evicted: the xattr is read first.
 */
static void test_evict_pinned(void **state)
{
	static const uint8_t fh1[] = { 1, 2, 3, 4 }, fh2[] = { 5, 6, 7, 8 };
	const struct pcc_conf_dataset *c;
	char p1[PATH_MAX + 64], p2[PATH_MAX + 64];
	uint64_t files, pinned;
	uint32_t id = 0;
	int i, fd1, fd2;

	(void)state;
	capacity_conf(5);
	for (c = d.conf->mounts->datasets; c; c = c->next)
		if (!strcmp(c->path, c2))
			id = pcc_conf_dataset_id(c);
	assert_int_not_equal(id, 0);
	make_copy(c2, id, fh1, sizeof(fh1), p1, sizeof(p1));
	make_copy(c2, id, fh2, sizeof(fh2), p2, sizeof(p2));
	assert_int_equal(pccd_space_start(&d), 0);
	indexed(c2, &files, &pinned);
	assert_int_equal(files, 2);
	assert_int_equal(pinned, 0);
	/*
	 * Pinned behind the index's back; then the limit asks for both to
	 * go: the next ticks keep them.
	 */
	assert_int_equal(setxattr(p1, PCCD_XATTR_PIN, "1", 1, 0), 0);
	assert_int_equal(setxattr(p2, PCCD_XATTR_PIN, "1", 1, 0), 0);
	capacity_conf(1);
	for (i = 0; i < 3; i++)
		pccd_space_tick(&d);
	assert_int_equal(access(p1, F_OK), 0);
	assert_int_equal(access(p2, F_OK), 0);
	indexed(c2, &files, &pinned);
	assert_int_equal(files, 2);
	assert_int_equal(pinned, 2);

	/*
	 * Unpinned, but a worker is pinning them right now (it holds the pin
	 * lock, copy.h): passed over; once it lets go, evicted (both, as
	 * the first ticks asked).
	 */
	assert_int_equal(removexattr(p1, PCCD_XATTR_PIN), 0);
	assert_int_equal(removexattr(p2, PCCD_XATTR_PIN), 0);
	fd1 = open(p1, O_RDONLY | O_CLOEXEC);
	fd2 = open(p2, O_RDONLY | O_CLOEXEC);
	assert_true(fd1 >= 0 && fd2 >= 0);
	assert_int_equal(flock(fd1, LOCK_EX), 0);
	assert_int_equal(flock(fd2, LOCK_EX), 0);
	pccd_space_pinned(&d, c2, p1, false);
	pccd_space_pinned(&d, c2, p2, false);
	for (i = 0; i < 3; i++)
		pccd_space_tick(&d);
	assert_int_equal(access(p1, F_OK), 0);
	assert_int_equal(access(p2, F_OK), 0);
	close(fd1);
	close(fd2);
	pccd_space_tick(&d);
	assert_int_equal(access(p1, F_OK), -1);
	assert_int_equal(access(p2, F_OK), -1);
	indexed(c2, &files, &pinned);
	assert_int_equal(files, 0);
}

/* pcc state's question: the reason for the file open O_PATH at path. */
static struct json_object *reason_of(uid_t uid, const char *path)
{
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	assert_true(fd >= 0);
	return request_fds(uid, &fd, 1, "{\"cmd\":\"reason\",\"files\":[\"%s\"]}",
			   path);
}

/* The handle of path, told it is too large. */
static void too_large(const char *path, struct file_handle *h)
{
	int mnt_id;

	h->handle_bytes = MAX_HANDLE_SZ;
	assert_int_equal(name_to_handle_at(AT_FDCWD, path, h, &mnt_id, 0), 0);
	pccd_reason_set(d.reasons, (uint32_t)h->handle_type, h->f_handle,
			h->handle_bytes, PCCD_REASON_TOO_LARGE, -EFBIG,
			"too large: 5 bytes");
}

/*
 * The reason pccd keeps for a file that is not cached.  The fake mount's
 * files are hard links of the lower's: the same inode, as pcc shows it.
 */
static void test_reason(void **state)
{
	struct file_handle *h = malloc(sizeof(*h) + MAX_HANDLE_SZ);
	char file[PATH_MAX + 8], path[PATH_MAX + 8], dir[PATH_MAX + 8];
	struct json_object *reply;
	int mnt_id;

	(void)state;
	assert_non_null(h);
	assert_int_equal(pccd_space_start(&d), 0);
	snprintf(file, sizeof(file), "%s/r", lower);
	write_file(file, "data");
	snprintf(path, sizeof(path), "%s/r", mnt);
	assert_int_equal(link(file, path), 0);

	/* Nothing known: null. */
	reply = reason_of(1000, path);
	expect_ok(reply);
	assert_true(json_object_is_type(get(reply, "reason"), json_type_null));
	json_object_put(reply);

	/* Refused as too large: said, with its message. */
	h->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, file, h, &mnt_id, 0)) {
		free(h);
		skip();
	}
	too_large(file, h);
	reply = reason_of(0, path);
	expect_ok(reply);
	assert_string_equal(json_object_get_string(get(reply, "reason")),
			    "too_large");
	assert_string_equal(json_object_get_string(get(reply, "message")),
			    "too large: 5 bytes");
	assert_int_equal(json_object_get_int(get(reply, "errno")), EFBIG);
	json_object_put(reply);

	/* Another user's unreadable file: not told. */
	assert_int_equal(chmod(file, 0600), 0);
	reply = reason_of(1000, path);
	expect_ok(reply);
	assert_true(json_object_is_type(get(reply, "reason"), json_type_null));
	json_object_put(reply);

	/* Attached since: forgotten. */
	pccd_reason_clear(d.reasons, (uint32_t)h->handle_type, h->f_handle,
			  h->handle_bytes);
	reply = reason_of(0, path);
	assert_true(json_object_is_type(get(reply, "reason"), json_type_null));
	json_object_put(reply);

	/*
	 * A symlink on the lower's side of the path is not followed (root
	 * would look where the caller may not): null, though known.
	 */
	snprintf(dir, sizeof(dir), "%s/sub", lower);
	make_dir(dir);
	snprintf(file, sizeof(file), "%s/sub/s", lower);
	write_file(file, "data");
	too_large(file, h);
	snprintf(dir, sizeof(dir), "%s/ln", lower);
	assert_int_equal(symlink("sub", dir), 0);
	snprintf(dir, sizeof(dir), "%s/ln", mnt);
	make_dir(dir);
	snprintf(path, sizeof(path), "%s/ln/s", mnt);
	assert_int_equal(link(file, path), 0);
	reply = reason_of(0, path);
	expect_ok(reply);
	assert_true(json_object_is_type(get(reply, "reason"), json_type_null));
	json_object_put(reply);

	/* Not the caller's file at that name (another inode): null. */
	snprintf(file, sizeof(file), "%s/other", lower);
	write_file(file, "data");
	too_large(file, h);
	snprintf(path, sizeof(path), "%s/other", mnt);
	write_file(path, "data");
	reply = reason_of(0, path);
	expect_ok(reply);
	assert_true(json_object_is_type(get(reply, "reason"), json_type_null));
	json_object_put(reply);

	/* The mount's root: nothing to say. */
	reply = reason_of(0, mnt);
	expect_ok(reply);
	assert_true(json_object_is_type(get(reply, "reason"), json_type_null));
	json_object_put(reply);

	/* Bad questions: errors. */
	reply = reason_of(0, "/proc/self/status");
	expect_error(reply, ENOENT, "not on a configured pcc mount");
	reply = request(0, "{\"cmd\":\"reason\",\"files\":[\"%s\"]}", path);
	expect_error(reply, EINVAL, "1 files named but 0 descriptors");
	assert_true(pccd_path_has_dots("/a/.."));
	assert_true(pccd_path_has_dots("/./a"));
	assert_true(pccd_path_has_dots("/a//../b"));
	assert_false(pccd_path_has_dots("/a/..b/.c/b.."));
	assert_false(pccd_path_has_dots("/a//b/"));
	free(h);
}

/* --- events, prefetch --------------------------------------------------- */

static void test_events(void **state)
{
	struct pcc_nl_event ev = { .event = PCC_EVENT_MISS, .mount_id = 1 };
	char file[PATH_MAX + 16];
	uint64_t files, bytes;
	struct stat st;

	(void)state;
	assert_int_equal(pccd_copy_engine_new(1, &ops, &d.copy), 0);
	snprintf(file, sizeof(file), "%s/data.h5", mnt);
	write_file(file, "0123456789");
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(pccd_events_open(&d), 0);

	/* Ignored: a mount pccd does not serve, a miss without a path. */
	ev.mount_id = 7;
	ev.path = "/data.h5";
	fake_nl_event(&ev);
	ev.mount_id = 1;
	ev.path = NULL;
	fake_nl_event(&ev);
	/* Logged only. */
	ev.event = PCC_EVENT_DETACHED;
	fake_nl_event(&ev);
	/* A miss: copied into the first read-only dataset, attached. */
	ev.event = PCC_EVENT_MISS;
	ev.ino = st.st_ino;
	ev.path = "/data.h5";
	fake_nl_event(&ev);
	attaches = 0;
	pccd_events_read(&d);
	reap_until(1);
	assert_int_equal(attach_id, 1);
	assert_int_equal(pccd_copy_usage(c1, &files, &bytes), 0);
	assert_int_equal(files, 1);
	assert_int_equal(pccd_copy_usage(c2, &files, &bytes), 0);
	assert_int_equal(files, 0);

	/* A miss naming dataset 2. */
	ev.ds_id = 2;
	fake_nl_event(&ev);
	pccd_events_read(&d);
	reap_until(2);
	assert_int_equal(attach_id, 2);
	assert_int_equal(pccd_copy_usage(c2, &files, &bytes), 0);
	assert_int_equal(files, 1);

	/* Events lost: apply again.  A failing socket: closed. */
	fake_nl.overrun = 1;
	pccd_events_read(&d);
	assert_true(d.resync);
	assert_non_null(d.events);
	fake_nl_fail("events_read", -EIO, NULL);
	pccd_events_read(&d);
	assert_null(d.events);
}

static void test_prefetch(void **state)
{
	struct json_object *reply = NULL, *req, *v;
	struct pccd_client *c = &d.clients[0];
	char dir[PATH_MAX + 8], file[PATH_MAX + 16];
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int sv[2], i, progress = 0;
	uint64_t files, bytes;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/t", mnt);
	make_dir(dir);
	snprintf(file, sizeof(file), "%s/t/a", mnt);
	write_file(file, "aaaa");
	snprintf(file, sizeof(file), "%s/t/b", mnt);
	write_file(file, "bbbbbb");

	/* Refused before anything starts. */
	reply = request(0, "{\"cmd\":\"prefetch\",\"paths\":[\"%s\"]}", dir);
	expect_error(reply, EAGAIN, "pccd is starting");
	assert_int_equal(pccd_copy_engine_new(2, &ops, &d.copy), 0);
	reply = request(0, "{\"cmd\":\"prefetch\",\"paths\":[]}");
	expect_error(reply, EINVAL, "\"paths\" must be an array");
	reply = request(0, "{\"cmd\":\"prefetch\",\"paths\":[\"t\"]}");
	expect_error(reply, EINVAL, "absolute paths");
	reply = request(0, "{\"cmd\":\"prefetch\",\"paths\":[\"%s/nope\"]}",
			mnt);
	expect_error(reply, ENOENT, "nope");
	reply = request(0, "{\"cmd\":\"prefetch\",\"paths\":[\"/proc/self\"]}");
	expect_error(reply, EINVAL, "is not on a configured pcc mount");
	reply = request(0, "{\"cmd\":\"prefetch\",\"paths\":[\"%s\"],"
			"\"jobs\":\"2\"}", dir);
	expect_error(reply, EINVAL, "\"jobs\" must be a number");

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	*c = (struct pccd_client){ .fd = sv[0], .serial = 1, .uid = 0 };
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("prefetch"));
	v = json_object_new_array();
	json_object_array_add(v, json_object_new_string(dir));
	json_object_object_add(req, "paths", v);
	json_object_object_add(req, "jobs", json_object_new_int(1));
	attaches = 0;
	assert_null(pccd_handle_request(&d, c, req, NULL, 0));
	json_object_put(req);
	assert_true(c->busy);
	for (i = 0; i < 500 && c->busy; i++) {
		struct pollfd pfd = { .fd = pccd_copy_fd(d.copy),
				      .events = POLLIN };

		if (poll(&pfd, 1, 0) > 0)
			pccd_copy_reap(d.copy);
		pccd_client_tick(&d);
		nanosleep(&ts, NULL);
	}
	assert_false(c->busy);
	assert_int_equal(attach_count(), 2);
	assert_int_equal(pccd_copy_usage(c1, &files, &bytes), 0);
	assert_int_equal(files, 2);

	/* Progress messages, then the reply. */
	for (;;) {
		assert_int_equal(pcc_ctl_recv(sv[1], &reply, 1000), 0);
		if (!json_object_object_get_ex(reply, "more", NULL))
			break;
		progress++;
		json_object_put(reply);
	}
	assert_true(progress >= 2);	/* the scan, the end */
	expect_ok(reply);
	assert_int_equal(json_object_get_int(get(reply, "files")), 2);
	assert_int_equal(json_object_get_int(get(reply, "bytes")), 10);
	assert_int_equal(json_object_get_int(get(reply, "failed")), 0);
	assert_int_equal(json_object_get_int(get(reply, "already")), 0);
	get(reply, "seconds");
	json_object_put(reply);
	close(sv[1]);
}

/* out = top/file (0), or 1 if it does not fit. */
static int name(char *out, const char *file)
{
	return snprintf(out, PATH_MAX, "%s/%s", top, file) >= PATH_MAX;
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_apply_removed,
						setup_applied, teardown),
		cmocka_unit_test_setup_teardown(test_apply_writeback, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_apply_writeback_old_module,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_add, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_add_refused, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_add_file_changed, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_add_unwritable,
						setup_applied, teardown),
		cmocka_unit_test_setup_teardown(test_add_unconfigured_mount,
						setup_applied, teardown),
		cmocka_unit_test_setup_teardown(test_set, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_writeback,
						setup_applied, teardown),
		cmocka_unit_test_setup_teardown(test_del, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_clear, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_list_stats, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_textfile, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_root, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_fd_counts, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_attach_refused,
						setup_applied, teardown),
		cmocka_unit_test_setup_teardown(test_attach, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_pin_unpin, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_evict_pinned,
						setup_applied, teardown),
		cmocka_unit_test_setup_teardown(test_reason, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_events, setup_applied,
						teardown),
		cmocka_unit_test_setup_teardown(test_prefetch, setup_applied,
						teardown),
	};
	int failed;

	if (!mkdtemp(base) || !realpath(base, top)) {
		perror(base);
		return 1;
	}
	rmdir(top);
	if (name(mnt, "mnt") || name(lower, "lower") || name(c1, "cache1") ||
	    name(c2, "cache2") || name(c3, "cache3") || name(mnt2, "mnt2") ||
	    name(lower2, "lower2") || name(conf_path, "pcc.yaml"))
		return 1;
	failed = cmocka_run_group_tests_name("pccd commands", tests, NULL,
					     NULL);
	rmdir(top);
	return failed ? 1 : 0;
}
