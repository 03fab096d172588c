// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_metrics.c - lib/metrics.c: pccd's stats reply as Prometheus text.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "metrics.h"

/* pcc_metrics_print() of the JSON text json; the caller frees it. */
static char *render(const char *json)
{
	struct json_object *stats = NULL;
	size_t len;
	char *text;
	FILE *fp;

	if (json) {
		stats = json_tokener_parse(json);
		if (!stats)
			fail_msg("not JSON: %s", json);
	}
	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	assert_int_equal(pcc_metrics_print(fp, stats), 0);
	fclose(fp);
	json_object_put(stats);
	return text;
}

static void expect(const char *json, const char *want)
{
	char *text = render(json);

	assert_string_equal(text, want);
	free(text);
}

/* Every family once, its series together, after its HELP and TYPE. */
static void test_families(void **state)
{
	(void)state;
	expect("{\"mounts\":["
	       "{\"path\":\"/a\",\"attached\":2,\"counters\":{\"hits\":5,"
	       "\"attach_open\":3,\"attach_io\":1,\"attaches\":4,"
	       "\"detach_evicted\":7},"
	       "\"datasets\":[{\"id\":3,\"path\":\"/c\","
	       "\"usage\":{\"bytes\":10,\"files\":1},"
	       "\"limits\":{\"high_percent\":90,\"max_bytes\":null},"
	       "\"evictions\":6}]},"
	       "{\"path\":\"/b\",\"counters\":{\"hits\":0,\"attach_open\":9}}],"
	       "\"daemon\":{\"copies\":1,\"bytes_copied\":4096,\"queue\":0}}",
	       "# HELP pcc_hits_total Reads, splices and page faults served from copies.\n"
	       "# TYPE pcc_hits_total counter\n"
	       "pcc_hits_total{mount=\"/a\"} 5\n"
	       "pcc_hits_total{mount=\"/b\"} 0\n"
	       "# HELP pcc_attaches_total Files attached to their copies, by cause: manual (pcc attach), open, stat or io.\n"
	       "# TYPE pcc_attaches_total counter\n"
	       "pcc_attaches_total{mount=\"/a\",how=\"open\"} 3\n"
	       "pcc_attaches_total{mount=\"/a\",how=\"io\"} 1\n"
	       "pcc_attaches_total{mount=\"/b\",how=\"open\"} 9\n"
	       "# HELP pcc_detaches_total Files detached from their copies, by reason.\n"
	       "# TYPE pcc_detaches_total counter\n"
	       "pcc_detaches_total{mount=\"/a\",reason=\"evicted\"} 7\n"
	       "# HELP pcc_attached_files Files served from their copies now.\n"
	       "# TYPE pcc_attached_files gauge\n"
	       "pcc_attached_files{mount=\"/a\"} 2\n"
	       "# HELP pcc_dataset_info A dataset's cache directory, in label path; the value is always 1.\n"
	       "# TYPE pcc_dataset_info gauge\n"
	       "pcc_dataset_info{mount=\"/a\",dataset=\"3\",path=\"/c\"} 1\n"
	       "# HELP pcc_cache_usage_bytes Bytes of the dataset's copies.\n"
	       "# TYPE pcc_cache_usage_bytes gauge\n"
	       "pcc_cache_usage_bytes{mount=\"/a\",dataset=\"3\"} 10\n"
	       "# HELP pcc_cache_files Copies in the dataset.\n"
	       "# TYPE pcc_cache_files gauge\n"
	       "pcc_cache_files{mount=\"/a\",dataset=\"3\"} 1\n"
	       "# HELP pcc_cache_high_watermark_ratio Usage of the cache filesystem above which pccd evicts, 0 to 1.\n"
	       "# TYPE pcc_cache_high_watermark_ratio gauge\n"
	       "pcc_cache_high_watermark_ratio{mount=\"/a\",dataset=\"3\"} 0.9\n"
	       "# HELP pcc_evictions_total Copies pccd evicted from the dataset.\n"
	       "# TYPE pcc_evictions_total counter\n"
	       "pcc_evictions_total{mount=\"/a\",dataset=\"3\"} 6\n"
	       "# HELP pcc_copies_total Copies pccd made.\n"
	       "# TYPE pcc_copies_total counter\n"
	       "pcc_copies_total 1\n"
	       "# HELP pcc_copied_bytes_total Bytes of the copies pccd made.\n"
	       "# TYPE pcc_copied_bytes_total counter\n"
	       "pcc_copied_bytes_total 4096\n"
	       "# HELP pcc_copies_queued Copies waiting to start.\n"
	       "# TYPE pcc_copies_queued gauge\n"
	       "pcc_copies_queued 0\n");
}

/* Label values escape \, " and newline; bytes not UTF-8 become U+FFFD. */
static void test_escaping(void **state)
{
	(void)state;
	expect("{\"mounts\":[{\"path\":\"/m \\\"q\\\" \\\\x\\ny\","
	       "\"counters\":{\"hits\":1}}]}",
	       "# HELP pcc_hits_total Reads, splices and page faults served from copies.\n"
	       "# TYPE pcc_hits_total counter\n"
	       "pcc_hits_total{mount=\"/m \\\"q\\\" \\\\x\\ny\"} 1\n");
	/* é (2 bytes), € (3), 𝄞 (4) stay; a lone 0xff, a cut sequence go. */
	expect("{\"mounts\":[{\"path\":\"/\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\","
	       "\"attached\":1}]}",
	       "# HELP pcc_attached_files Files served from their copies now.\n"
	       "# TYPE pcc_attached_files gauge\n"
	       "pcc_attached_files{mount=\"/\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\"} 1\n");
}

/* json-c keeps bytes it is given: the renderer must not pass them on. */
static void test_not_utf8(void **state)
{
	struct json_object *stats = json_object_new_object();
	struct json_object *mounts = json_object_new_array();
	struct json_object *m = json_object_new_object();
	size_t len;
	char *text;
	FILE *fp;

	(void)state;
	json_object_object_add(m, "path",
			       json_object_new_string("/a\xff" "b\xe2\x82" "c\xed\xa0\x80"));
	json_object_object_add(m, "attached", json_object_new_int(1));
	json_object_array_add(mounts, m);
	json_object_object_add(stats, "mounts", mounts);
	fp = open_memstream(&text, &len);
	assert_int_equal(pcc_metrics_print(fp, stats), 0);
	fclose(fp);
	assert_non_null(strstr(text, "pcc_attached_files{mount=\"/a\xef\xbf\xbd"
				     "b\xef\xbf\xbd\xef\xbf\xbd" "c"
				     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"} 1\n"));
	free(text);
	json_object_put(stats);
}

/* Missing, null or mistyped keys give no series, and no empty family. */
static void test_absent(void **state)
{
	(void)state;
	expect(NULL, "");
	expect("{}", "");
	expect("{\"mounts\":null,\"daemon\":[]}", "");
	/* No path: cannot be labelled.  An error entry: no counters. */
	expect("{\"mounts\":[{\"counters\":{\"hits\":1}},"
	       "{\"path\":\"/x\",\"error\":\"Permission denied\"},"
	       "{\"path\":7,\"attached\":1}]}", "");
	/* Negative, fractional, string, boolean, null values. */
	expect("{\"mounts\":[{\"path\":\"/x\",\"attached\":-1,"
	       "\"counters\":{\"hits\":1.5,\"misses\":\"3\","
	       "\"attach_open\":true,\"detach_stale\":null}}],"
	       "\"daemon\":{\"copies\":{}}}", "");
	/* A dataset without an id, and unlimited limits. */
	expect("{\"mounts\":[{\"path\":\"/x\",\"datasets\":["
	       "{\"usage\":{\"bytes\":1}},"
	       "{\"id\":1,\"limits\":{\"max_bytes\":null,\"max_files\":null,"
	       "\"min_free\":null},\"usage\":{\"bytes\":\"1\"}}]}]}", "");
	/* The summed attaches are pcc_attaches_total's series added up. */
	expect("{\"mounts\":[{\"path\":\"/x\",\"counters\":{\"attaches\":4}}]}",
	       "");
}

/* Counters of a newer module come out too, once per name. */
static void test_unknown_counters(void **state)
{
	(void)state;
	expect("{\"mounts\":["
	       "{\"path\":\"/a\",\"counters\":{\"new_thing\":3,\"Bad-Name\":1,"
	       "\"copies\":2,\"9lives\":1}},"
	       "{\"path\":\"/b\",\"counters\":{\"other\":1,\"new_thing\":4}}]}",
	       "# HELP pcc_new_thing_total A counter of the module this pcc does not know.\n"
	       "# TYPE pcc_new_thing_total counter\n"
	       "pcc_new_thing_total{mount=\"/a\"} 3\n"
	       "pcc_new_thing_total{mount=\"/b\"} 4\n"
	       "# HELP pcc_other_total A counter of the module this pcc does not know.\n"
	       "# TYPE pcc_other_total counter\n"
	       "pcc_other_total{mount=\"/b\"} 1\n");
}

/* The sample with every key: each family named once, series together. */
static void test_full_sample(void **state)
{
	struct json_object *stats;
	char *text, *line, *save, last[128] = "", typed[128] = "";
	char *seen[64];
	size_t nseen = 0, len, i, samples = 0;
	FILE *fp;

	(void)state;
	stats = json_object_from_file(PCC_TEST_DATA "/stats-full.json");
	assert_non_null(stats);
	fp = open_memstream(&text, &len);
	assert_int_equal(pcc_metrics_print(fp, stats), 0);
	fclose(fp);
	json_object_put(stats);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (!strncmp(line, "# HELP ", 7)) {
			sscanf(line + 7, "%127s", name);
			for (i = 0; i < nseen; i++)
				if (!strcmp(seen[i], name))
					fail_msg("%s twice", name);
			assert_true(nseen < 64);
			seen[nseen++] = strdup(name);
			strcpy(last, name);
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			sscanf(line + 7, "%127s", typed);
			assert_string_equal(typed, last);
			continue;
		}
		/* A sample of the family whose header came last. */
		name[strcspn(strncpy(name, line, 127), "{ ")] = '\0';
		name[127] = '\0';
		if (strcmp(name, last))
			fail_msg("%s under %s", line, last);
		assert_string_equal(typed, last);
		samples++;
	}
	/* Every family of metrics.h's table has something in the sample. */
	assert_int_equal(nseen, 40);
	assert_true(samples > 60);
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(text);
}

static void test_write_error(void **state)
{
	struct json_object *stats = json_tokener_parse(
		"{\"daemon\":{\"copies\":1}}");
	FILE *fp = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(fp);
	assert_int_equal(pcc_metrics_print(fp, NULL), 0);	/* nothing */
	assert_int_equal(pcc_metrics_print(fp, stats), -EIO);
	fclose(fp);
	json_object_put(stats);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_unknown_counters),
		cmocka_unit_test(test_full_sample),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
