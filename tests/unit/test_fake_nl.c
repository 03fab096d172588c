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
#include <string.h>

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

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datasets),
		cmocka_unit_test(test_events),
	};

	return cmocka_run_group_tests_name("fake_nl", tests, NULL, NULL);
}
