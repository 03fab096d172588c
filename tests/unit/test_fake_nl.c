// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_fake_nl.c - the fake module the daemon's tests rely on behaves as
 * the real one is documented to (lib/nl.h), so that they test the daemon.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_nl.h"
#include "nl.h"
#include "rule.h"

static int count_ds(const struct pcc_nl_dataset *ds, void *arg)
{
	++*(int *)arg;
	return ds->id == 99 ? 5 : 0;
}

static void test_datasets(void **state)
{
	static uint64_t uid[] = { 7 };
	struct pcc_nl_mnt by_path = { .path = "/mnt/a/sub/file" };
	struct pcc_nl_mnt by_id = { .id = 3 };
	struct pcc_nl_dataset ds = {
		.set = PCC_NL_DS_RULE | PCC_NL_DS_ATTACH, .id = 2,
		.path = "/cache", .attach = PCC_DS_ATTACH_OPEN,
		.rule_text = "uid={7}",
	};
	struct pcc_rule rule = { .nterms = 1 };
	struct pcc_nl_mount m;
	struct pcc_nl *nl;
	char errmsg[64];
	int n = 0;

	rule.terms[0].nexprs = 1;
	rule.terms[0].exprs[0] = (struct pcc_rule_expr){
		PCC_RULE_UID, PCC_RULE_OP_EQ, 1, uid, NULL };
	ds.rule = &rule;
	fake_nl_loaded("1.0", 2);
	fake_nl_add_mount(3, "/mnt/a", "/srv/a")->stats[PCC_STAT_HITS] = 4;
	assert_int_equal(pcc_nl_open(&nl), 0);

	assert_int_equal(pcc_nl_dataset_add(nl, &by_path, &ds, errmsg,
					    sizeof(errmsg)), 0);
	assert_non_null(fake_nl_dataset(3, 2));
	assert_non_null(fake_nl_dataset(3, 2)->rule);
	assert_int_equal(fake_nl_dataset(3, 2)->rule->terms[0].exprs[0].nums[0],
			 7);
	assert_string_equal(fake_nl_dataset(3, 2)->rule_text, "uid={7}");
	assert_int_equal(pcc_nl_dataset_add(nl, &by_id, &ds, errmsg,
					    sizeof(errmsg)), -EEXIST);
	assert_string_equal(errmsg, "dataset exists");

	assert_int_equal(pcc_nl_mount_get(nl, &by_id, &m, errmsg,
					  sizeof(errmsg)), 0);
	assert_int_equal(m.datasets, 1);
	assert_int_equal(m.gen, 2);
	assert_int_equal(m.stats[PCC_STAT_HITS], 4);

	/* Removing the rule takes its text. */
	ds.rule = NULL;
	ds.rule_text = NULL;
	assert_int_equal(pcc_nl_dataset_set(nl, &by_id, &ds, errmsg,
					    sizeof(errmsg)), 0);
	assert_null(fake_nl_dataset(3, 2)->rule);
	assert_null(fake_nl_dataset(3, 2)->rule_text);

	fake_nl_fail("dataset_dump", -EPERM, "CAP_SYS_ADMIN is needed");
	assert_int_equal(pcc_nl_dataset_dump(nl, &by_id, count_ds, &n, errmsg,
					     sizeof(errmsg)), -EPERM);
	assert_string_equal(errmsg, "CAP_SYS_ADMIN is needed");
	assert_int_equal(pcc_nl_dataset_dump(nl, &by_id, count_ds, &n, errmsg,
					     sizeof(errmsg)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(errmsg, "");

	by_id.id = 4;
	assert_int_equal(pcc_nl_dataset_clear(nl, &by_id, errmsg,
					      sizeof(errmsg)), -ENOENT);
	by_id.id = 3;
	assert_int_equal(pcc_nl_dataset_del(nl, &by_id, 2, errmsg,
					    sizeof(errmsg)), 0);
	assert_null(fake_nl_dataset(3, 2));
	assert_int_equal(pcc_nl_dataset_del(nl, &by_id, 2, errmsg,
					    sizeof(errmsg)), -ENOENT);
	assert_non_null(strstr(fake_nl.log,
			       "dataset_add mnt=/mnt/a/sub/file id=2 path=/cache attach=1 rule=yes text=uid={7}\n"));
	assert_int_equal(fake_nl.calls, 9);
	pcc_nl_close(nl);
	fake_nl_loaded("1.0", 2);	/* frees the rest: valgrind sees */
}

struct seen {
	int calls;
	uint32_t event;
	char path[16];
};

static void on_event(const struct pcc_nl_event *ev, void *arg)
{
	struct seen *s = arg;

	s->calls++;
	s->event = ev->event;
	strncpy(s->path, ev->path ? ev->path : "-", sizeof(s->path) - 1);
}

static void test_events(void **state)
{
	struct pcc_nl_event ev = { .event = PCC_EVENT_MISS, .mount_id = 1,
				   .path = "/x.h5" };
	struct seen last = { 0 };
	struct pollfd pfd = { .events = POLLIN };
	struct pcc_nl *events;

	fake_nl_loaded("1.0", 2);
	fake_nl_event(&ev);
	assert_int_equal(pcc_nl_events_open(&events), 0);
	pfd.fd = pcc_nl_fd(events);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	ev.event = PCC_EVENT_ATTACHED;
	fake_nl_event(&ev);
	assert_int_equal(pcc_nl_events_read(events, on_event, &last), 0);
	assert_int_equal(last.event, PCC_EVENT_ATTACHED);
	assert_int_equal(last.calls, 2);
	assert_string_equal(last.path, "/x.h5");
	assert_int_equal(poll(&pfd, 1, 0), 0);
	fake_nl.overrun = 1;
	assert_int_equal(pcc_nl_events_read(events, on_event, &last),
			 -ENOBUFS);
	assert_int_equal(pcc_nl_events_read(events, on_event, &last), 0);
	pcc_nl_close(events);
	fake_nl_unloaded();
	assert_int_equal(pcc_nl_events_open(&events), -ENOENT);
}

static int list_file(const struct pcc_nl_file *f, void *arg)
{
	uint64_t *ino = arg;

	*ino = f->ino;
	return f->hits == 99 ? 6 : 0;
}

/* A copy of handle (type, fh) on disk in dataset root; its path in out. */
static void make_copy(const char *root, uint32_t type, const uint8_t *fh,
		      uint32_t len, char *out, size_t outlen)
{
	char name[PCC_CACHE_NAME_MAX], dir[512];
	FILE *f;

	pcc_cache_name(name, type, fh, len);
	snprintf(dir, sizeof(dir), "%s/%.2s", root, name);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/%.5s", root, name);
	mkdir(dir, 0700);
	snprintf(out, outlen, "%s/%s", root, name);
	f = fopen(out, "w");
	assert_non_null(f);
	fclose(f);
}

static void rm_copy_dirs(const char *root, uint32_t type, const uint8_t *fh,
			 uint32_t len)
{
	char name[PCC_CACHE_NAME_MAX], dir[512];

	pcc_cache_name(name, type, fh, len);
	snprintf(dir, sizeof(dir), "%s/%.5s", root, name);
	assert_int_equal(rmdir(dir), 0);
	snprintf(dir, sizeof(dir), "%s/%.2s", root, name);
	assert_int_equal(rmdir(dir), 0);
}

static void test_evict(void **state)
{
	static const uint8_t fh1[] = { 1, 2, 3, 4 }, fh2[] = { 5, 6, 7, 8 };
	char root[] = "/tmp/pcc-fake-nl-XXXXXX", copy[600], errmsg[64];
	struct pcc_nl_mnt mnt = { .id = 3 }, other = { .id = 4 };
	struct pcc_nl_dataset ds = { .id = 2, .path = root };
	struct pcc_nl_file f = { .ds_id = 2, .ino = 77, .fh_type = 1,
				 .fh_len = sizeof(fh2), .last_use = 5,
				 .hits = 1 };
	struct pcc_nl *nl;
	uint64_t ino = 0;
	uint32_t flags = 9;

	memcpy(f.fh, fh2, sizeof(fh2));
	assert_non_null(mkdtemp(root));
	fake_nl_loaded("1.0", 3);
	fake_nl_add_mount(3, "/mnt/a", "/srv/a");
	assert_int_equal(pcc_nl_open(&nl), 0);
	assert_int_equal(pcc_nl_dataset_add(nl, &mnt, &ds, errmsg,
					    sizeof(errmsg)), 0);
	assert_non_null(fake_nl_add_file(3, &f));
	assert_null(fake_nl_add_file(4, &f));

	/* The dump lists the attached file; a callback's return stops it. */
	assert_int_equal(pcc_nl_file_dump(nl, &mnt, list_file, &ino, errmsg,
					  sizeof(errmsg)), 0);
	assert_int_equal(ino, 77);
	fake_nl.mounts[0].files[0].hits = 99;
	assert_int_equal(pcc_nl_file_dump(nl, &mnt, list_file, &ino, errmsg,
					  sizeof(errmsg)), 6);
	assert_int_equal(pcc_nl_file_dump(nl, &other, list_file, &ino, errmsg,
					  sizeof(errmsg)), -ENOENT);

	/* A copy on disk, not attached: unlinked, flags 0. */
	make_copy(root, 1, fh1, sizeof(fh1), copy, sizeof(copy));
	assert_int_equal(pcc_nl_evict(nl, &mnt, 2, 1, fh1, sizeof(fh1),
				      &flags, errmsg, sizeof(errmsg)), 0);
	assert_int_equal(flags, 0);
	assert_int_not_equal(access(copy, F_OK), 0);
	assert_int_equal(pcc_nl_evict(nl, &mnt, 2, 1, fh1, sizeof(fh1),
				      &flags, errmsg, sizeof(errmsg)),
			 -ENOENT);
	/* No such dataset, a bad handle: nothing changes. */
	assert_int_equal(pcc_nl_evict(nl, &mnt, 5, 1, fh2, sizeof(fh2),
				      &flags, errmsg, sizeof(errmsg)),
			 -ENOENT);
	assert_int_equal(pcc_nl_evict(nl, &mnt, 2, 1, fh2, 0, &flags, errmsg,
				      sizeof(errmsg)), -EINVAL);
	assert_int_equal(fake_nl.mounts[0].nfiles, 1);
	/* Made to fail once. */
	fake_nl_fail("evict", -EIO, "disk gone");
	assert_int_equal(pcc_nl_evict(nl, &mnt, 2, 1, fh2, sizeof(fh2),
				      &flags, errmsg, sizeof(errmsg)), -EIO);
	assert_string_equal(errmsg, "disk gone");
	/* Attached, its copy on disk: detached and unlinked. */
	make_copy(root, 1, fh2, sizeof(fh2), copy, sizeof(copy));
	assert_int_equal(pcc_nl_evict(nl, &mnt, 2, 1, fh2, sizeof(fh2),
				      &flags, errmsg, sizeof(errmsg)), 0);
	assert_int_equal(flags, PCC_NL_EVICT_WAS_ATTACHED);
	assert_int_not_equal(access(copy, F_OK), 0);
	assert_int_equal(fake_nl.mounts[0].nfiles, 0);
	assert_int_equal(fake_nl.mounts[0].attached, 0);
	assert_int_equal(fake_nl.mounts[0].stats[PCC_STAT_DETACH_EVICTED], 1);
	assert_non_null(strstr(fake_nl.log, "evict mnt=3 ds=2 fh_type=1"));
	pcc_nl_close(nl);
	fake_nl_unloaded();
	/* Leave no directories behind: the copies went, so they are empty. */
	rm_copy_dirs(root, 1, fh1, sizeof(fh1));
	rm_copy_dirs(root, 1, fh2, sizeof(fh2));
	assert_int_equal(rmdir(root), 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datasets),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_evict),
	};

	return cmocka_run_group_tests_name("fake_nl", tests, NULL, NULL);
}
