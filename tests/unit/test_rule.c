// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_rule.c - the rule parser (lib/rule.c): Lustre's examples, the
 * values and limits of each field, malformed rules with the exact column
 * and message, and format/parse round trips.
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

#include "rule.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct pcc_rule *parse_ok(const char *text)
{
	struct pcc_parse_error err = { 0 };
	struct pcc_rule *rule = NULL;
	int ret;

	ret = pcc_rule_parse(text, &rule, &err);
	if (ret)
		fail_msg("'%s': %d, column %u: %s", text, ret, err.column,
			 err.msg);
	assert_non_null(rule);
	return rule;
}

static const struct pcc_rule_expr *expr(const struct pcc_rule *r,
					unsigned int t, unsigned int e)
{
	assert_true(t < r->nterms);
	assert_true(e < r->terms[t].nexprs);
	return &r->terms[t].exprs[e];
}

static void check_num(const struct pcc_rule_expr *e, enum pcc_rule_field f,
		      enum pcc_rule_op op, unsigned int n, ...)
{
	va_list ap;
	unsigned int i;

	assert_int_equal(e->field, f);
	assert_int_equal(e->op, op);
	assert_int_equal(e->nvalues, n);
	assert_null(e->globs);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_int_equal(e->nums[i], va_arg(ap, uint64_t));
	va_end(ap);
}

static void check_glob(const struct pcc_rule_expr *e, unsigned int n, ...)
{
	va_list ap;
	unsigned int i;

	assert_int_equal(e->field, PCC_RULE_FNAME);
	assert_int_equal(e->op, PCC_RULE_OP_EQ);
	assert_int_equal(e->nvalues, n);
	assert_null(e->nums);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(e->globs[i], va_arg(ap, const char *));
	va_end(ap);
}

#define MiB (UINT64_C(1) << 20)

/* lustre-pcc.md §2.4's accepted examples. */
static void test_lustre_examples(void **state)
{
	struct pcc_rule *r;

	(void)state;
	r = parse_ok("projid={100 200}&fname={*.h5},uid={500}&gid={500}");
	assert_int_equal(r->nterms, 2);
	assert_int_equal(r->terms[0].nexprs, 2);
	assert_int_equal(r->terms[1].nexprs, 2);
	check_num(expr(r, 0, 0), PCC_RULE_PROJID, PCC_RULE_OP_EQ, 2,
		  (uint64_t)100, (uint64_t)200);
	check_glob(expr(r, 0, 1), 1, "*.h5");
	check_num(expr(r, 1, 0), PCC_RULE_UID, PCC_RULE_OP_EQ, 1,
		  (uint64_t)500);
	check_num(expr(r, 1, 1), PCC_RULE_GID, PCC_RULE_OP_EQ, 1,
		  (uint64_t)500);
	pcc_rule_free(r);

	r = parse_ok("fname={*.doc}&size<{5M}&size>{3M}");
	assert_int_equal(r->nterms, 1);
	assert_int_equal(r->terms[0].nexprs, 3);
	check_glob(expr(r, 0, 0), 1, "*.doc");
	check_num(expr(r, 0, 1), PCC_RULE_SIZE, PCC_RULE_OP_LT, 1, 5 * MiB);
	check_num(expr(r, 0, 2), PCC_RULE_SIZE, PCC_RULE_OP_GT, 1, 3 * MiB);
	pcc_rule_free(r);

	r = parse_ok("projid>{110}&projid<{120}");
	check_num(expr(r, 0, 0), PCC_RULE_PROJID, PCC_RULE_OP_GT, 1,
		  (uint64_t)110);
	check_num(expr(r, 0, 1), PCC_RULE_PROJID, PCC_RULE_OP_LT, 1,
		  (uint64_t)120);
	pcc_rule_free(r);
}

/* The and DESIGN.md's examples. */
static void test_pcc_examples(void **state)
{
	struct pcc_rule *r;

	(void)state;
	r = parse_ok("fname={*.h5 *.npy}&size<{1G}");
	check_glob(expr(r, 0, 0), 2, "*.h5", "*.npy");
	check_num(expr(r, 0, 1), PCC_RULE_SIZE, PCC_RULE_OP_LT, 1,
		  (uint64_t)1 << 30);
	pcc_rule_free(r);

	r = parse_ok("projid={500}&fname={*.h5 *.npy},uid={1001}");
	assert_int_equal(r->nterms, 2);
	check_num(expr(r, 0, 0), PCC_RULE_PROJID, PCC_RULE_OP_EQ, 1,
		  (uint64_t)500);
	check_glob(expr(r, 0, 1), 2, "*.h5", "*.npy");
	check_num(expr(r, 1, 0), PCC_RULE_UID, PCC_RULE_OP_EQ, 1,
		  (uint64_t)1001);
	pcc_rule_free(r);
}

/* Blanks around every token, tabs too; filename is fname. */
static void test_blanks(void **state)
{
	struct pcc_rule *a, *b;

	(void)state;
	a = parse_ok("  uid = { 1  2 }\t& filename={ a?[bc]* } ,  mtime > {1h} ");
	b = parse_ok("uid={1 2}&fname={a?[bc]*},mtime>{3600}");
	assert_true(pcc_rule_equal(a, b));
	check_glob(expr(a, 0, 1), 1, "a?[bc]*");
	pcc_rule_free(a);
	pcc_rule_free(b);
}

static void test_ids(void **state)
{
	struct pcc_rule *r;

	(void)state;
	r = parse_ok("uid={0 0x10 010 4294967295 0XfF}");
	check_num(expr(r, 0, 0), PCC_RULE_UID, PCC_RULE_OP_EQ, 5,
		  (uint64_t)0, (uint64_t)16, (uint64_t)8,
		  (uint64_t)4294967295U, (uint64_t)255);
	pcc_rule_free(r);
	r = parse_ok("gid<{4294967294}&gid>{1}");
	check_num(expr(r, 0, 0), PCC_RULE_GID, PCC_RULE_OP_LT, 1,
		  (uint64_t)4294967294U);
	check_num(expr(r, 0, 1), PCC_RULE_GID, PCC_RULE_OP_GT, 1,
		  (uint64_t)1);
	pcc_rule_free(r);
}

static void test_sizes(void **state)
{
	struct pcc_rule *r;

	(void)state;
	r = parse_ok("size={7 1k 1K 2kB 3KiB 1m 1G 1gib 1T 1P 100B 0 16383P}");
	check_num(expr(r, 0, 0), PCC_RULE_SIZE, PCC_RULE_OP_EQ, 13,
		  7 * MiB, (uint64_t)1024, (uint64_t)1024, (uint64_t)2048,
		  (uint64_t)3072, MiB, (uint64_t)1 << 30, (uint64_t)1 << 30,
		  (uint64_t)1 << 40, (uint64_t)1 << 50, (uint64_t)100,
		  (uint64_t)0, (uint64_t)16383 << 50);
	pcc_rule_free(r);
	/* The largest size there is, in bytes. */
	r = parse_ok("size<{18446744073709551615B}");
	check_num(expr(r, 0, 0), PCC_RULE_SIZE, PCC_RULE_OP_LT, 1, UINT64_MAX);
	pcc_rule_free(r);
}

static void test_ages(void **state)
{
	struct pcc_rule *r;

	(void)state;
	r = parse_ok("mtime>{1m}&mtime<{30}&mtime<{2s}&mtime<{2h}&mtime<{1d}&mtime<{1w}&mtime<{1y}&mtime>{999999999y}");
	check_num(expr(r, 0, 0), PCC_RULE_MTIME, PCC_RULE_OP_GT, 1,
		  (uint64_t)60);
	check_num(expr(r, 0, 1), PCC_RULE_MTIME, PCC_RULE_OP_LT, 1,
		  (uint64_t)30);
	check_num(expr(r, 0, 2), PCC_RULE_MTIME, PCC_RULE_OP_LT, 1,
		  (uint64_t)2);
	check_num(expr(r, 0, 3), PCC_RULE_MTIME, PCC_RULE_OP_LT, 1,
		  (uint64_t)7200);
	check_num(expr(r, 0, 4), PCC_RULE_MTIME, PCC_RULE_OP_LT, 1,
		  (uint64_t)86400);
	check_num(expr(r, 0, 5), PCC_RULE_MTIME, PCC_RULE_OP_LT, 1,
		  (uint64_t)604800);
	check_num(expr(r, 0, 6), PCC_RULE_MTIME, PCC_RULE_OP_LT, 1,
		  (uint64_t)52 * 604800);
	check_num(expr(r, 0, 7), PCC_RULE_MTIME, PCC_RULE_OP_GT, 1,
		  (uint64_t)999999999 * 52 * 604800);
	pcc_rule_free(r);
}

struct bad_case {
	const char *text;
	unsigned int column;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	/* lfs-pcc.1's example, which Lustre's parser refuses too. */
	{ "projid={500,1000}&fname={*.h5},uid=1001", 12,
	  "values are separated by blanks, not ','" },
	{ "projid={500 1000}&fname={*.h5},uid=1001", 36,
	  "expected '{' after uid=, found '1' (values go in braces, as in uid={...})" },
	{ "", 1, "empty rule" },
	{ " \t ", 4, "empty rule" },
	{ "uid={1}&fnam={a}", 9,
	  "unknown field 'fnam'; expected uid, gid, projid, fname, size or mtime" },
	{ "projid={1},fnam={x}", 12,
	  "unknown field 'fnam'; expected uid, gid, projid, fname, size or mtime" },
	{ "UID={1}", 1,
	  "unknown field 'UID'; expected uid, gid, projid, fname, size or mtime" },
	{ "={1}", 1,
	  "expected a field (uid, gid, projid, fname, size or mtime), found '='" },
	{ "uid={1},", 9,
	  "expected a field (uid, gid, projid, fname, size or mtime), found the end of the rule" },
	{ "uid={1}&&gid={2}", 9,
	  "expected a field (uid, gid, projid, fname, size or mtime), found '&'" },
	{ "uid", 4, "expected =, < or > after 'uid', found the end of the rule" },
	{ "uid!{1}", 4, "expected =, < or > after 'uid', found '!'" },
	{ "mtime={1h}", 6, "mtime takes only < or >" },
	{ "fname<{a}", 6, "fname takes only =" },
	{ "filename>{a}", 9, "filename takes only =" },
	{ "uid={}", 5, "empty value list" },
	{ "uid={  }", 5, "empty value list" },
	{ "uid={1 2", 5, "'{' is never closed" },
	{ "uid={1} gid={2}", 9,
	  "expected ',', '&' or the end of the rule, found 'g'" },
	{ "uid={1}}", 8,
	  "expected ',', '&' or the end of the rule, found '}'" },
	{ "uid<{1 2}", 8, "uid< takes exactly one value" },
	{ "size>{1 2}", 9, "size> takes exactly one value" },
	{ "uid<{0}", 6, "uid< takes a value between 1 and 4294967294" },
	{ "gid>{4294967295}", 6, "gid> takes a value between 1 and 4294967294" },
	{ "uid={4294967296}", 6,
	  "uid value '4294967296' is too large (at most 4294967295)" },
	{ "projid={0x100000000}", 9,
	  "projid value '0x100000000' is too large (at most 4294967295)" },
	{ "uid={-1}", 6, "uid value '-1' is not a number" },
	{ "uid={+1}", 6, "uid value '+1' is not a number" },
	{ "uid={0x}", 6, "uid value '0x' is not a number" },
	{ "uid={08}", 6, "uid value '08' is not a number" },
	{ "uid={1k}", 6, "uid value '1k' is not a number" },
	{ "size<{5X}", 8,
	  "size value '5X': unknown suffix (k, M, G, T, P, or B for bytes)" },
	{ "size<{5MX}", 8,
	  "size value '5MX': unknown suffix (k, M, G, T, P, or B for bytes)" },
	{ "size<{5Mib2}", 8,
	  "size value '5Mib2': unknown suffix (k, M, G, T, P, or B for bytes)" },
	{ "size<{M}", 7, "size value 'M' is not a number" },
	{ "size<{16384P}", 7, "size value '16384P' is too large" },
	{ "size<{17592186044416}", 7,
	  "size value '17592186044416' is too large" },
	{ "size<{18446744073709551616B}", 7,
	  "size value '18446744073709551616B' is too large" },
	{ "mtime>{1M}", 9,
	  "mtime value '1M': unknown suffix (s, m, h, d, w or y)" },
	{ "mtime>{1hh}", 9,
	  "mtime value '1hh': unknown suffix (s, m, h, d, w or y)" },
	{ "mtime>{12345678901}", 8,
	  "mtime value '12345678901' is too long (at most 10 characters)" },
	{ "fname={a/b}", 9,
	  "fname patterns match the last name component: '/' is not allowed" },
	{ "fname={*.h5,*.npy}", 12, "values are separated by blanks, not ','" },
	{ "fname={a\nb}", 9, "control character 0x0a in a value" },
	{ "uid=\x01", 5,
	  "expected '{' after uid=, found character 0x01 (values go in braces, as in uid={...})" },
};

static void test_bad(void **state)
{
	const struct bad_case *c = *state;
	struct pcc_parse_error err = { 0 };
	struct pcc_rule *rule = (struct pcc_rule *)&rule;

	assert_int_equal(pcc_rule_parse(c->text, &rule, &err), -EINVAL);
	assert_null(rule);
	assert_string_equal(err.msg, c->msg);
	assert_int_equal(err.column, c->column);
	/* Without a place for the error, the same answer. */
	assert_int_equal(pcc_rule_parse(c->text, &rule, NULL), -EINVAL);
}

/* Build "field=" followed by n values. */
static char *values(const char *field, unsigned int n, const char *value)
{
	size_t len = strlen(field) + 4 + n * (strlen(value) + 1);
	char *s = malloc(len);
	unsigned int i;

	assert_non_null(s);
	strcpy(s, field);
	strcat(s, "={");
	for (i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, value);
	}
	strcat(s, "}");
	return s;
}

static void expect_error(const char *text, unsigned int column,
			 const char *msg)
{
	struct pcc_parse_error err = { 0 };
	struct pcc_rule *rule = NULL;

	assert_int_equal(pcc_rule_parse(text, &rule, &err), -EINVAL);
	assert_null(rule);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.column, column);
}

static void test_limits(void **state)
{
	char text[4096], glob[PCC_RULE_GLOB_MAX + 1];
	struct pcc_rule *r;
	unsigned int i;
	char *s;

	(void)state;
	/* PCC_RULE_MAX_VALUES values, then one more. */
	s = values("uid", PCC_RULE_MAX_VALUES, "7");
	r = parse_ok(s);
	assert_int_equal(expr(r, 0, 0)->nvalues, PCC_RULE_MAX_VALUES);
	pcc_rule_free(r);
	free(s);
	s = values("uid", PCC_RULE_MAX_VALUES + 1, "7");
	expect_error(s, 6 + 2 * PCC_RULE_MAX_VALUES,
		     "too many values (at most 64)");
	free(s);

	/* PCC_RULE_MAX_TERMS terms, then one more. */
	text[0] = '\0';
	for (i = 0; i < PCC_RULE_MAX_TERMS; i++)
		strcat(text, i ? ",uid={1}" : "uid={1}");
	r = parse_ok(text);
	assert_int_equal(r->nterms, PCC_RULE_MAX_TERMS);
	pcc_rule_free(r);
	strcat(text, ",gid={2}");
	expect_error(text, 8 * PCC_RULE_MAX_TERMS + 1,
		     "too many terms (at most 16)");

	/* PCC_RULE_MAX_EXPRS expressions in a term, then one more. */
	text[0] = '\0';
	for (i = 0; i < PCC_RULE_MAX_EXPRS; i++)
		strcat(text, i ? "&gid={1}" : "gid={1}");
	r = parse_ok(text);
	assert_int_equal(r->terms[0].nexprs, PCC_RULE_MAX_EXPRS);
	pcc_rule_free(r);
	strcat(text, "&uid={2}");
	expect_error(text, 8 * PCC_RULE_MAX_EXPRS + 1,
		     "too many expressions in a term (at most 16)");

	/* A pattern of PCC_RULE_GLOB_MAX - 1 bytes, then one more. */
	memset(glob, 'g', PCC_RULE_GLOB_MAX - 1);
	glob[PCC_RULE_GLOB_MAX - 1] = '\0';
	snprintf(text, sizeof(text), "fname={%s}", glob);
	r = parse_ok(text);
	assert_int_equal(strlen(expr(r, 0, 0)->globs[0]),
			 PCC_RULE_GLOB_MAX - 1);
	pcc_rule_free(r);
	snprintf(text, sizeof(text), "fname={x %sg}", glob);
	expect_error(text, 10, "fname pattern too long (at most 255 bytes)");

	/* mtime: ten characters, not eleven. */
	r = parse_ok("mtime<{9999999999}");
	check_num(expr(r, 0, 0), PCC_RULE_MTIME, PCC_RULE_OP_LT, 1,
		  (uint64_t)9999999999);
	pcc_rule_free(r);
}

/* format, then parse: the same rule. */
static void round_trip(const char *text)
{
	struct pcc_rule *a, *b;
	char *buf;
	int len;

	a = parse_ok(text);
	len = pcc_rule_format(a, NULL, 0);
	assert_true(len > 0);
	buf = malloc(len + 1);
	assert_non_null(buf);
	assert_int_equal(pcc_rule_format(a, buf, len + 1), len);
	b = parse_ok(buf);
	assert_true(pcc_rule_equal(a, b));
	pcc_rule_free(a);
	pcc_rule_free(b);
	free(buf);
}

/*
 * The compiled form's PCC_RULE_NEST_MAX: uid={64 values} expressions
 * until one value passes it, counted as pcc.h lays the nest out (4 for
 * the rule, 4 a term, 20 an expression with its field and op, 12 a u64).
 */
static void test_nest_max(void **state)
{
	static char text[8192];
	size_t nest = 4, column = 0;
	unsigned int e, v;
	char *s;

	(void)state;
	s = values("uid", PCC_RULE_MAX_VALUES, "1");
	for (e = 0; !column; e++) {
		size_t at = strlen(text) + (e ? 1 : 0);

		strcat(text, e ? (e % PCC_RULE_MAX_EXPRS ? "&" : ",") : "");
		strcat(text, s);
		nest += (e % PCC_RULE_MAX_EXPRS ? 0 : 4) + 20;
		for (v = 0; v < PCC_RULE_MAX_VALUES && !column; v++) {
			nest += 12;
			if (nest > PCC_RULE_NEST_MAX)
				column = at + 6 + 2 * v;
		}
		if (!column)
			round_trip(text);
	}
	free(s);
	expect_error(text, column,
		     "the rule is too large: compiled, it passes the module's 16384 bytes");
}

struct format_case {
	const char *text;
	const char *canonical;
};

static const struct format_case format_cases[] = {
	{ "projid={100 200}&fname={*.h5},uid={500}&gid={500}",
	  "projid={100 200}&fname={*.h5},uid={500}&gid={500}" },
	{ "fname={*.doc}&size<{5M}&size>{3M}",
	  "fname={*.doc}&size<{5M}&size>{3M}" },
	{ " projid > {110} & projid < { 120 } ",
	  "projid>{110}&projid<{120}" },
	{ "filename={*.h5 *.npy}&size<{1G}", "fname={*.h5 *.npy}&size<{1G}" },
	{ "uid={0x10 010}", "uid={16 8}" },
	{ "size={1048576k 1536k 100B 0 7 1PiB}",
	  "size={1G 1536k 100B 0B 7M 1P}" },
	{ "size<{18446744073709551615B}",
	  "size<{18446744073709551615B}" },
	{ "mtime>{86400}&mtime<{90s}&mtime<{0}&mtime<{364d}",
	  "mtime>{1d}&mtime<{90}&mtime<{0}&mtime<{1y}" },
	{ "fname={[!a-c]?\\*}", "fname={[!a-c]?\\*}" },
	/* Ten characters, and never more once written (found by fuzz_rule). */
	{ "mtime>{9999999999}&mtime<{999999999s}&mtime<{999999999m}&mtime<{6000m}",
	  "mtime>{9999999999}&mtime<{999999999}&mtime<{999999999m}&mtime<{100h}" },
};

static void test_format(void **state)
{
	struct pcc_rule *a, *b;
	unsigned int i;
	char buf[512];
	int len;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(format_cases); i++) {
		const struct format_case *c = &format_cases[i];

		a = parse_ok(c->text);
		len = pcc_rule_format(a, buf, sizeof(buf));
		assert_string_equal(buf, c->canonical);
		assert_int_equal(len, strlen(c->canonical));
		b = parse_ok(buf);
		assert_true(pcc_rule_equal(a, b));
		pcc_rule_free(a);
		pcc_rule_free(b);
	}

	/* A short buffer: truncated, NUL-terminated, the length needed. */
	a = parse_ok("uid={500}&gid={500}");
	assert_int_equal(pcc_rule_format(a, buf, 6), 19);
	assert_string_equal(buf, "uid={");
	assert_int_equal(pcc_rule_format(a, NULL, 0), 19);
	pcc_rule_free(a);
}

static void test_equal(void **state)
{
	static const char *const differ[] = {
		"uid={1}", "uid={2}", "gid={1}", "uid<{1}", "uid={1 2}",
		"uid={1}&gid={1}", "uid={1},gid={1}", "gid={1}&uid={1}",
		"fname={a}", "fname={b}", "fname={a b}", "size={1}",
		"size={1M}&uid={1}",
	};
	struct pcc_rule *a, *b;
	unsigned int i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(differ); i++) {
		a = parse_ok(differ[i]);
		for (j = 0; j < ARRAY_SIZE(differ); j++) {
			b = parse_ok(differ[j]);
			if (pcc_rule_equal(a, b) != (i == j))
				fail_msg("'%s' vs '%s'", differ[i], differ[j]);
			pcc_rule_free(b);
		}
		pcc_rule_free(a);
	}
	/* "size={1}" is one MiB. */
	a = parse_ok("size={1}");
	b = parse_ok("size={1048576B}");
	assert_true(pcc_rule_equal(a, b));
	pcc_rule_free(a);
	pcc_rule_free(b);
}

static void test_field_names(void **state)
{
	(void)state;
	assert_string_equal(pcc_rule_field_name(PCC_RULE_UID), "uid");
	assert_string_equal(pcc_rule_field_name(PCC_RULE_GID), "gid");
	assert_string_equal(pcc_rule_field_name(PCC_RULE_PROJID), "projid");
	assert_string_equal(pcc_rule_field_name(PCC_RULE_FNAME), "fname");
	assert_string_equal(pcc_rule_field_name(PCC_RULE_SIZE), "size");
	assert_string_equal(pcc_rule_field_name(PCC_RULE_MTIME), "mtime");
	assert_null(pcc_rule_field_name(0));
	assert_null(pcc_rule_field_name(PCC_RULE_MTIME + 1));
	pcc_rule_free(NULL);
}

#define N_BAD ARRAY_SIZE(bad_cases)

int main(void)
{
	static const struct CMUnitTest good[] = {
		cmocka_unit_test(test_lustre_examples),
		cmocka_unit_test(test_pcc_examples),
		cmocka_unit_test(test_blanks),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_ages),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_nest_max),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_field_names),
	};
	struct CMUnitTest bad[N_BAD];
	char names[N_BAD][48];
	size_t i;
	int failed;

	/* One test per malformed rule, named after (the start of) it. */
	for (i = 0; i < N_BAD; i++) {
		snprintf(names[i], sizeof(names[i]), "bad %zu: %.36s", i,
			 bad_cases[i].text);
		for (char *c = names[i]; *c; c++)
			if ((unsigned char)*c < 0x20)
				*c = '?';
		bad[i] = (struct CMUnitTest){
			.name = names[i],
			.test_func = test_bad,
			.initial_state = (void *)&bad_cases[i],
		};
	}
	failed = cmocka_run_group_tests_name("rule", good, NULL, NULL);
	failed += _cmocka_run_group_tests("rule malformed", bad, N_BAD,
					  NULL, NULL);
	return failed ? 1 : 0;
}
