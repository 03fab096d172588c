// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_output.c - the same calls print text or JSON.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"

struct capture {
	char *buf;
	size_t len;
	FILE *fp;
};

static int setup(void **state)
{
	struct capture *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->fp = open_memstream(&c->buf, &c->len);
	*state = c;
	return c->fp ? 0 : -1;
}

static int teardown(void **state)
{
	struct capture *c = *state;

	fclose(c->fp);
	free(c->buf);
	free(c);
	return 0;
}

/* What a command describes once: a few scalars, a null, a nested list. */
static void describe(struct out *o)
{
	out_str(o, OUT_ANY, "name", "name: %s\n", "/mnt/data");
	out_uint(o, OUT_ANY, "files", "files: %" PRIu64 "\n", 18446744073709551615ULL);
	out_int(o, OUT_ANY, "delta", "delta: %" PRId64 "\n", -3);
	out_bool(o, OUT_ANY, "dirty", "dirty: %s\n", true);
	out_null(o, OUT_ANY, "daemon", "daemon: %s\n", "not running");
	out_str(o, OUT_JSON, "json_only", "never printed\n", "x");
	out_str(o, OUT_TEXT, "text_only", "text: %s\n", "only");
	out_open_array(o, "datasets");
	out_open_object(o, NULL);
	out_str(o, OUT_ANY, "path", "  dataset %s\n", "/nvme/a");
	out_close_object(o);
	out_open_object(o, NULL);
	out_str(o, OUT_ANY, "path", "  dataset %s\n", "/nvme/b");
	out_close_object(o);
	out_close_array(o);
	out_text(o, "%d things\n", 2);
}

static void test_text(void **state)
{
	struct capture *c = *state;
	struct out *o = out_new(c->fp, 0);

	assert_non_null(o);
	assert_false(out_is_json(o));
	describe(o);
	assert_int_equal(out_end(o), 0);
	assert_string_equal(c->buf,
			    "name: /mnt/data\n"
			    "files: 18446744073709551615\n"
			    "delta: -3\n"
			    "dirty: yes\n"
			    "daemon: not running\n"
			    "text: only\n"
			    "  dataset /nvme/a\n"
			    "  dataset /nvme/b\n"
			    "2 things\n");
}

static void test_json(void **state)
{
	struct capture *c = *state;
	struct out *o = out_new(c->fp, OUT_F_JSON);

	assert_non_null(o);
	assert_true(out_is_json(o));
	describe(o);
	/* Nothing is printed before the document is complete. */
	fflush(c->fp);
	assert_int_equal(c->len, 0);
	assert_int_equal(out_end(o), 0);
	assert_string_equal(c->buf,
			    "{\"name\":\"/mnt/data\","
			    "\"files\":18446744073709551615,"
			    "\"delta\":-3,"
			    "\"dirty\":true,"
			    "\"daemon\":null,"
			    "\"json_only\":\"x\","
			    "\"datasets\":[{\"path\":\"/nvme/a\"},"
			    "{\"path\":\"/nvme/b\"}]}\n");
}

static void test_pretty(void **state)
{
	struct capture *c = *state;
	struct out *o = out_new(c->fp, OUT_F_JSON | OUT_F_PRETTY);

	out_str(o, OUT_ANY, "a", NULL, "b");
	out_open_object(o, "c");
	out_uint(o, OUT_ANY, "d", NULL, 1);
	out_close_object(o);
	assert_int_equal(out_end(o), 0);
	assert_string_equal(c->buf, "{\n  \"a\":\"b\",\n  \"c\":{\n    \"d\":1\n  }\n}\n");
}

/* A document that is a list (pcc state with several files); doubles. */
static void test_array_double(void **state)
{
	struct capture *c = *state;
	struct out *o = out_new(c->fp, OUT_F_JSON | OUT_F_ARRAY);

	out_open_object(o, NULL);
	out_double(o, OUT_ANY, "seconds", "%.1f s\n", 0.25);
	out_close_object(o);
	out_uint(o, OUT_ANY, NULL, NULL, 7);
	assert_int_equal(out_end(o), 0);
	assert_string_equal(c->buf, "[{\"seconds\":0.25},7]\n");

	rewind(c->fp);
	o = out_new(c->fp, OUT_F_ARRAY);	/* no effect on text */
	out_double(o, OUT_ANY, "seconds", "%.1f s|", 2.5);
	assert_int_equal(out_end(o), 0);
	assert_true(!strncmp(c->buf, "2.5 s|", 6));

	/* No binary noise: 15 significant digits. */
	rewind(c->fp);
	o = out_new(c->fp, OUT_F_JSON);
	out_double(o, OUT_ANY, "a", NULL, 0.08217785);
	out_double(o, OUT_ANY, "b", NULL, 0.1 + 0.2);
	out_double(o, OUT_ANY, "c", NULL, 3.0);
	assert_int_equal(out_end(o), 0);
	assert_true(!strncmp(c->buf, "{\"a\":0.08217785,\"b\":0.3,\"c\":3.0}\n",
			     strlen("{\"a\":0.08217785,\"b\":0.3,\"c\":3.0}\n")));
}

/* Unbalanced or too deep nesting loses data, never memory or the document. */
static void test_depth(void **state)
{
	struct capture *c = *state;
	struct out *o = out_new(c->fp, OUT_F_JSON);
	int i;

	for (i = 0; i < 40; i++)
		out_open_object(o, "x");
	out_str(o, OUT_ANY, "deep", NULL, "lost");
	for (i = 0; i < 40; i++)
		out_close_object(o);
	out_close_object(o);	/* one too many: ignored */
	out_str(o, OUT_ANY, "top", NULL, "kept");
	assert_int_equal(out_end(o), -ENOMEM);
	assert_non_null(strstr(c->buf, "\"top\":\"kept\"}\n"));
	assert_null(strstr(c->buf, "lost"));
}

static void test_end_null(void **state)
{
	assert_int_equal(out_end(NULL), 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pretty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_array_double, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
		cmocka_unit_test(test_end_null),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
