// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_param.c - the --param parser (lib/param.c): the rule's end, keys
 * applied left to right on top of the values passed in, booleans, and
 * bad texts with their column, which leave the values as they were.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "param.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* What `pcc add` starts from. */
static const struct pcc_params defaults = {
	.mode = PCC_DS_MODE_RO,
	.attach = PCC_DS_ATTACH_ALL,
};

static void parse_ok(const char *text, struct pcc_params *p)
{
	struct pcc_parse_error err = { 0 };
	int ret;

	ret = pcc_params_parse(text, p, &err);
	if (ret)
		fail_msg("'%s': %d, column %u: %s", text, ret, err.column,
			 err.msg);
}

/* The issue's example. */
static void test_issue_example(void **state)
{
	struct pcc_params p = defaults;
	struct pcc_rule *want;

	(void)state;
	parse_ok("fname={*.h5 *.npy}&size<{1G} roid=1 pccro=1 auto_attach=1",
		 &p);
	assert_int_equal(p.set, PCC_PARAM_RULE | PCC_PARAM_ROID |
			 PCC_PARAM_MODE | PCC_PARAM_ATTACH);
	assert_int_equal(p.roid, 1);
	assert_int_equal(p.rwid, 0);
	assert_int_equal(p.mode, PCC_DS_MODE_RO);
	assert_int_equal(p.attach, PCC_DS_ATTACH_ALL);
	assert_string_equal(p.rule_text, "fname={*.h5 *.npy}&size<{1G}");
	assert_int_equal(pcc_rule_parse("fname={*.h5 *.npy}&size<{1G}", &want,
					NULL), 0);
	assert_true(pcc_rule_equal(p.rule, want));
	pcc_rule_free(want);
	pcc_params_clear(&p);
	assert_null(p.rule);
	assert_null(p.rule_text);
}

/* lustre-pcc.md §2.3: keys in order, so only open attach is left. */
static void test_left_to_right(void **state)
{
	struct pcc_params p = defaults;

	(void)state;
	parse_ok("auto_attach=0 open_attach=1", &p);
	assert_int_equal(p.set, PCC_PARAM_ATTACH);
	assert_int_equal(p.attach, PCC_DS_ATTACH_OPEN);

	parse_ok("open_attach=1 auto_attach=0", &p);
	assert_int_equal(p.attach, 0);
	parse_ok("io_attach=y stat_attach=on", &p);
	assert_int_equal(p.attach, PCC_DS_ATTACH_IO | PCC_DS_ATTACH_STAT);
	parse_ok("io_attach=n", &p);
	assert_int_equal(p.attach, PCC_DS_ATTACH_STAT);

	/* Later values win; modes add up. */
	parse_ok("roid=3 roid=4 rwid=7 pccrw=1", &p);
	assert_int_equal(p.roid, 4);
	assert_int_equal(p.rwid, 7);
	assert_int_equal(p.mode, PCC_DS_MODE_RO | PCC_DS_MODE_RW);
	parse_ok("ropcc=0", &p);
	assert_int_equal(p.mode, PCC_DS_MODE_RW);
	parse_ok("pccro=1 rwpcc=false", &p);
	assert_int_equal(p.mode, PCC_DS_MODE_RO);
	/* Both off, then one back on: only the end counts. */
	parse_ok("pccro=0 pccrw=1", &p);
	assert_int_equal(p.mode, PCC_DS_MODE_RW);
	assert_int_equal(p.set, PCC_PARAM_ATTACH | PCC_PARAM_ROID |
			 PCC_PARAM_RWID | PCC_PARAM_MODE);
	assert_null(p.rule);
}

/* On top of a dataset's values (pcc set): what is not named stays. */
static void test_on_top(void **state)
{
	struct pcc_params p = defaults;

	(void)state;
	parse_ok("projid={5} roid=9", &p);
	p.set = 0;
	parse_ok("stat_attach=0", &p);
	assert_int_equal(p.set, PCC_PARAM_ATTACH);
	assert_string_equal(p.rule_text, "projid={5}");
	/* Even with p->set saying a rule was set: it stays. */
	parse_ok("", &p);
	parse_ok("roid=9", &p);
	p.set |= PCC_PARAM_RULE;
	parse_ok("io_attach=1", &p);
	assert_string_equal(p.rule_text, "projid={5}");
	assert_non_null(p.rule);
	assert_int_equal(p.roid, 9);
	assert_string_equal(p.rule_text, "projid={5}");
	assert_non_null(p.rule);
	/* A new rule replaces the old one. */
	parse_ok("  uid={1}  ", &p);
	assert_string_equal(p.rule_text, "uid={1}");
	assert_int_equal(p.set, PCC_PARAM_ATTACH | PCC_PARAM_RULE |
			 PCC_PARAM_ROID);
	pcc_params_clear(&p);
}

static void test_rule_only_and_empty(void **state)
{
	struct pcc_params p = defaults;

	(void)state;
	parse_ok("", &p);
	parse_ok(" \t ", &p);
	assert_int_equal(p.set, 0);
	assert_int_equal(memcmp(&p, &defaults, sizeof(p)), 0);
	/* The rule ends at the last '}'; blanks inside it are its own. */
	parse_ok("projid={100 200}&fname={*.h5},uid={500}&gid={500}", &p);
	assert_string_equal(p.rule_text,
			    "projid={100 200}&fname={*.h5},uid={500}&gid={500}");
	assert_int_equal(p.rule->nterms, 2);
	pcc_params_clear(&p);
	/* Any run of blanks separates (Lustre refuses two spaces). */
	parse_ok("fname={*.doc}&size<{5M}&size>{3M}  \t roid=2   pccro=yes ",
		 &p);
	assert_int_equal(p.roid, 2);
	assert_string_equal(p.rule_text, "fname={*.doc}&size<{5M}&size>{3M}");
	pcc_params_clear(&p);
	parse_ok("projid>{110}&projid<{120}", &p);
	assert_int_equal(p.rule->terms[0].nexprs, 2);
	pcc_params_clear(&p);
}

static void test_booleans(void **state)
{
	static const char *const yes[] = {
		"1", "y", "Y", "yes", "YES", "on", "On", "t", "T", "true",
		"TRUE",
	};
	static const char *const no[] = {
		"0", "n", "N", "no", "No", "off", "OFF", "f", "F", "false",
		"False",
	};
	struct pcc_params p = defaults;
	char text[64];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		p.attach = 0;
		snprintf(text, sizeof(text), "io_attach=%s", yes[i]);
		parse_ok(text, &p);
		assert_int_equal(p.attach, PCC_DS_ATTACH_IO);
	}
	for (i = 0; i < ARRAY_SIZE(no); i++) {
		p.attach = PCC_DS_ATTACH_ALL;
		snprintf(text, sizeof(text), "io_attach=%s", no[i]);
		parse_ok(text, &p);
		assert_int_equal(p.attach,
				 PCC_DS_ATTACH_OPEN | PCC_DS_ATTACH_STAT);
	}
}

static void test_ids(void **state)
{
	struct pcc_params p = defaults;

	(void)state;
	parse_ok("roid=2147483647 rwid=1", &p);
	assert_int_equal(p.roid, PCC_DS_ID_MAX);
	assert_int_equal(p.rwid, 1);
}

/* The write-back keys, with a read-write mode, on top of the values. */
static void test_writeback(void **state)
{
	struct pcc_params p = defaults;

	(void)state;
	p.wb_interval = PCC_DS_WB_INTERVAL_DEFAULT;
	parse_ok("rwid=2 pccrw=1 writeback=lazy writeback_interval=600", &p);
	assert_int_equal(p.set, PCC_PARAM_RWID | PCC_PARAM_MODE |
			 PCC_PARAM_WRITEBACK | PCC_PARAM_WB_INTERVAL);
	assert_int_equal(p.writeback, PCC_DS_WB_LAZY);
	assert_int_equal(p.wb_interval, 600);
	/* Either order; the bounds. */
	parse_ok("writeback_interval=1 writeback=lazy", &p);
	assert_int_equal(p.wb_interval, 1);
	parse_ok("writeback_interval=86400", &p);
	assert_int_equal(p.wb_interval, PCC_DS_WB_INTERVAL_MAX);
	/* Back to close: the interval is not named, so it may stay. */
	p.set = 0;
	parse_ok("writeback=close", &p);
	assert_int_equal(p.set, PCC_PARAM_WRITEBACK);
	assert_int_equal(p.writeback, PCC_DS_WB_CLOSE);
	assert_int_equal(p.wb_interval, PCC_DS_WB_INTERVAL_MAX);
	/* rw+ro is read-write too. */
	p = defaults;
	parse_ok("pccrw=1 writeback=lazy", &p);
	assert_int_equal(p.mode, PCC_DS_MODE_RO | PCC_DS_MODE_RW);
	assert_int_equal(p.writeback, PCC_DS_WB_LAZY);
	/* Keys the text does not name are not checked against the mode. */
	p = defaults;
	p.set = PCC_PARAM_WRITEBACK;
	parse_ok("stat_attach=0", &p);
}

/* A rule's text: PCC_RULE_TEXT_MAX - 1 bytes, blanks around not counted. */
static void test_rule_text_max(void **state)
{
	static char text[PCC_RULE_TEXT_MAX + 32];
	struct pcc_parse_error err = { 0 };
	struct pcc_params p = defaults;
	size_t inner, i;

	(void)state;
	/* "  fname={" patterns of 200 bytes "}  roid=1": 2 + 7 + inner + 1 */
	for (inner = PCC_RULE_TEXT_MAX - 9; inner <= PCC_RULE_TEXT_MAX - 8;
	     inner++) {
		strcpy(text, "  fname={");
		for (i = 0; i < inner; i++)
			text[9 + i] = i % 201 == 200 ? ' ' : 'a';
		strcpy(text + 9 + inner, "}  roid=1");
		if (inner == PCC_RULE_TEXT_MAX - 9) {
			parse_ok(text, &p);
			assert_int_equal(strlen(p.rule_text),
					 PCC_RULE_TEXT_MAX - 1);
			pcc_params_clear(&p);
		} else {
			assert_int_equal(pcc_params_parse(text, &p, &err),
					 -EINVAL);
			assert_string_equal(err.msg,
					    "the rule is longer than 4095 bytes");
			assert_int_equal(err.column, 2 + PCC_RULE_TEXT_MAX);
			assert_null(p.rule_text);
		}
	}
}

struct bad_case {
	const char *text;
	unsigned int column;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	/* The man page's example: the rule error's column is the text's. */
	{ "projid={500,1000}&fname={*.h5},uid=1001 roid=1", 12,
	  "values are separated by blanks, not ','" },
	{ "  uid={1}&fnam={a} roid=1", 11,
	  "unknown field 'fnam'; expected uid, gid, projid, fname, size or mtime" },
	{ "uid={1}roid=1", 8, "expected a blank after the rule's last '}'" },
	{ "uid={1} roid=1 x}", 9,
	  "expected ',', '&' or the end of the rule, found 'r'" },
	{ "roid=1 mmap_conv=1", 8, "pcc has no mmap_conv setting" },
	{ "proj_quota=0", 1, "pcc has no proj_quota setting" },
	{ "uid={5} hsmtool=posix", 9, "pcc has no hsmtool setting" },
	{ "roid=1 foo=2", 8,
	  "unknown key 'foo'; expected roid, rwid, auto_attach, open_attach, stat_attach, io_attach, pccro, pccrw, high, low, max_bytes, max_files, min_free, writeback or writeback_interval" },
	{ "roid=1 =2", 8,
	  "unknown key ''; expected roid, rwid, auto_attach, open_attach, stat_attach, io_attach, pccro, pccrw, high, low, max_bytes, max_files, min_free, writeback or writeback_interval" },
	{ "uid=1001", 1,
	  "uid is a rule field: its values go in braces, as in uid={...}" },
	{ "fname={*.h5 *.npy roid=1", 7, "'{' without a closing '}'" },
	{ "roid=1 size<{1G", 13, "'{' without a closing '}'" },
	{ "roid=1  pccro", 9, "expected KEY=VALUE, found 'pccro'" },
	{ "roid=0", 6, "roid must be a number from 1 to 2147483647, not '0'" },
	{ "rwid=2147483648", 6,
	  "rwid must be a number from 1 to 2147483647, not '2147483648'" },
	{ "roid=", 6, "roid must be a number from 1 to 2147483647, not ''" },
	{ "roid=-1", 6, "roid must be a number from 1 to 2147483647, not '-1'" },
	{ "roid=0x1", 6,
	  "roid must be a number from 1 to 2147483647, not '0x1'" },
	{ "auto_attach=yellow", 13,
	  "auto_attach takes a boolean (1/0, y/n, yes/no, on/off, true/false), not 'yellow'" },
	{ "pccro=2", 7,
	  "pccro takes a boolean (1/0, y/n, yes/no, on/off, true/false), not '2'" },
	{ "open_attach=", 13,
	  "open_attach takes a boolean (1/0, y/n, yes/no, on/off, true/false), not ''" },
	{ "roid=1 pccro=0", 8,
	  "no caching mode left: pccro and pccrw are both off" },
	{ "pccrw=1 ropcc=0 rwpcc=0 roid=1", 17,
	  "no caching mode left: pccro and pccrw are both off" },
	{ "}", 1,
	  "expected a field (uid, gid, projid, fname, size or mtime), found '}'" },
	{ "pccrw=1 writeback=later", 19,
	  "writeback must be close or lazy, not 'later'" },
	{ "pccrw=1 writeback=", 19, "writeback must be close or lazy, not ''" },
	{ "pccrw=1 writeback=Lazy", 19,
	  "writeback must be close or lazy, not 'Lazy'" },
	{ "pccrw=1 writeback_interval=0", 28,
	  "writeback_interval must be a number of seconds from 1 to 86400, not '0'" },
	{ "pccrw=1 writeback=lazy writeback_interval=86401", 43,
	  "writeback_interval must be a number of seconds from 1 to 86400, not '86401'" },
	{ "writeback_interval=30s", 20,
	  "writeback_interval must be a number of seconds from 1 to 86400, not '30s'" },
	{ "writeback_interval=-1", 20,
	  "writeback_interval must be a number of seconds from 1 to 86400, not '-1'" },
	{ "writeback=lazy", 1,
	  "writeback is for read-write datasets only (pccrw=1, given when the dataset is added)" },
	{ "pccrw=1 writeback=lazy pccrw=0", 9,
	  "writeback is for read-write datasets only (pccrw=1, given when the dataset is added)" },
	{ "writeback_interval=60", 1,
	  "writeback_interval is for read-write datasets only (pccrw=1, given when the dataset is added)" },
	{ "pccrw=1 writeback_interval=60", 9,
	  "writeback_interval needs writeback=lazy" },
	{ "pccrw=1 writeback=lazy writeback_interval=60 writeback=close", 24,
	  "writeback_interval needs writeback=lazy" },
};

/* A bad text: the error, and *p exactly as it was. */
static void test_bad(void **state)
{
	const struct bad_case *c = *state;
	struct pcc_parse_error err = { 0 };
	struct pcc_params p = defaults, before;

	parse_ok("gid={7} roid=5 stat_attach=0", &p);
	before = p;
	assert_int_equal(pcc_params_parse(c->text, &p, &err), -EINVAL);
	assert_string_equal(err.msg, c->msg);
	assert_int_equal(err.column, c->column);
	assert_int_equal(memcmp(&p, &before, sizeof(p)), 0);
	assert_string_equal(p.rule_text, "gid={7}");
	assert_int_equal(pcc_params_parse(c->text, &p, NULL), -EINVAL);
	assert_int_equal(memcmp(&p, &before, sizeof(p)), 0);
	pcc_params_clear(&p);
}

#define N_BAD ARRAY_SIZE(bad_cases)

int main(void)
{
	static const struct CMUnitTest good[] = {
		cmocka_unit_test(test_issue_example),
		cmocka_unit_test(test_left_to_right),
		cmocka_unit_test(test_on_top),
		cmocka_unit_test(test_rule_only_and_empty),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_rule_text_max),
		cmocka_unit_test(test_writeback),
	};
	struct CMUnitTest bad[N_BAD];
	char names[N_BAD][48];
	size_t i;
	int failed;

	for (i = 0; i < N_BAD; i++) {
		snprintf(names[i], sizeof(names[i]), "bad %zu: %.36s", i,
			 bad_cases[i].text);
		bad[i] = (struct CMUnitTest){
			.name = names[i],
			.test_func = test_bad,
			.initial_state = (void *)&bad_cases[i],
		};
	}
	failed = cmocka_run_group_tests_name("param", good, NULL, NULL);
	failed += _cmocka_run_group_tests("param bad", bad, N_BAD, NULL,
					  NULL);
	return failed ? 1 : 0;
}
