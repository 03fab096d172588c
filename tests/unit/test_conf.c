// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_conf.c - the pcc.yaml loader on valid files and on one broken file
 * per mistake, each with the exact message it must give.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"

struct bad_case {
	const char *file;
	const char *message;	/* after "DIR/FILE:" */
};

static const struct bad_case bad_cases[] = {
	{ "bad-syntax.yaml",
	  "3:11: syntax error: mapping values are not allowed in this context" },
	{ "bad-unclosed.yaml",
	  "2:1: syntax error: did not find expected node content while parsing a flow node" },
	{ "bad-encoding.yaml", "2:6: incomplete UTF-8 octet sequence" },
	{ "bad-two-documents.yaml", "2:1: only one YAML document is allowed" },
	{ "bad-top-type.yaml",
	  "1:1: the top level must be a mapping, not a sequence" },
	{ "bad-unknown-top.yaml",
	  "1:1: unknown key \"mount\" in the top level (known: mounts, metrics)" },
	{ "bad-mounts-type.yaml",
	  "2:3: \"mounts\" must be a sequence, not a mapping" },
	{ "bad-mount-type.yaml", "2:5: a mount must be a mapping, not a scalar" },
	{ "bad-key-type.yaml", "2:5: a key must be a scalar, not a sequence" },
	{ "bad-unknown-mount-key.yaml",
	  "3:5: unknown key \"lowr\" in a mount (known: path, lower, datasets)" },
	{ "bad-duplicate-key.yaml", "4:5: duplicate key \"path\" in a mount" },
	{ "bad-missing-path.yaml", "2:5: missing key \"path\" in a mount" },
	{ "bad-missing-lower.yaml", "2:5: missing key \"lower\" in a mount" },
	{ "bad-relative-path.yaml",
	  "2:11: \"path\" must be an absolute path, not \"mnt/data\"" },
	{ "bad-relative-lower.yaml",
	  "3:12: \"lower\" must be an absolute path, not \"nfs/data\"" },
	{ "bad-empty-lower.yaml",
	  "3:11: \"lower\" must be an absolute path, not empty" },
	{ "bad-path-type.yaml", "2:11: \"path\" must be a path, not a mapping" },
	{ "bad-duplicate-mount.yaml",
	  "4:11: duplicate mount path \"/mnt/data\" (first at line 2)" },
	{ "bad-datasets-type.yaml",
	  "4:15: \"datasets\" must be a sequence, not a scalar" },
	{ "bad-unknown-dataset-key.yaml",
	  "6:9: unknown key \"size\" in a dataset (known: path, roid, rwid, mode, rule, attach, writeback, writeback_interval, capacity)" },
	{ "bad-dataset-missing-path.yaml",
	  "5:9: missing key \"path\" in a dataset" },
	{ "bad-dataset-no-id.yaml",
	  "5:9: a dataset needs an id: roid (or rwid)" },
	{ "bad-dataset-same-id.yaml",
	  "7:9: dataset id 3 is used by the dataset at line 5 of this mount" },
	{ "bad-relative-dataset.yaml",
	  "5:15: \"path\" must be an absolute path, not \"nvme/pcc\"" },
	{ "bad-duplicate-dataset.yaml",
	  "10:15: duplicate dataset path \"/nvme/pcc\" (first at line 5)" },
	{ "bad-mode.yaml",
	  "6:15: \"mode\" must be ro, rw or rw+ro, not \"ro+rw\"" },
	{ "bad-roid.yaml",
	  "6:15: \"roid\" must be an integer from 1 to 2147483647, not \"one\"" },
	{ "bad-roid-zero.yaml",
	  "6:15: \"roid\" must be an integer from 1 to 2147483647, not \"0\"" },
	{ "bad-rwid-range.yaml",
	  "6:15: \"rwid\" must be an integer from 1 to 2147483647, not \"2147483648\"" },
	{ "bad-rule-type.yaml", "7:11: \"rule\" must be a string, not a sequence" },
	{ "bad-rule-field.yaml",
	  "7:25: \"rule\": unknown field 'fnam'; expected uid, gid, projid, fname, size or mtime" },
	{ "bad-rule-quoted.yaml",
	  "7:27: \"rule\": values are separated by blanks, not ','" },
	{ "bad-rule-block.yaml", "7:15: \"rule\": mtime takes only < or >" },
	{ "bad-attach-type.yaml",
	  "6:17: \"attach\" must be a sequence, not a scalar" },
	{ "bad-attach-value.yaml",
	  "6:24: \"attach\" values must be open, stat or io, not \"write\"" },
	{ "bad-attach-duplicate.yaml",
	  "6:28: duplicate \"attach\" value \"open\"" },
	{ "bad-capacity-type.yaml",
	  "6:19: \"capacity\" must be a mapping, not a scalar" },
	{ "bad-capacity-key.yaml",
	  "6:41: unknown key \"target\" in capacity (known: high, low, max_bytes, max_files, min_free)" },
	{ "bad-capacity-default-order.yaml",
	  "6:26: capacity \"low\" (80%) must be below \"high\" (70%)" },
	{ "bad-capacity-size.yaml",
	  "8:22: \"max_bytes\" must be a size of at least 1, in bytes or with K, M, G or T (1024^n), not \"10X\"" },
	{ "bad-capacity-size-zero.yaml",
	  "8:22: \"max_bytes\" must be a size of at least 1, in bytes or with K, M, G or T (1024^n), not \"0\"" },
	{ "bad-capacity-size-overflow.yaml",
	  "8:21: \"min_free\" must be a size of at least 0, in bytes or with K, M, G or T (1024^n), not \"16777216T\"" },
	{ "bad-capacity-size-type.yaml",
	  "8:22: \"max_bytes\" must be a size, not a sequence" },
	{ "bad-capacity-files.yaml",
	  "8:22: \"max_files\" must be a number of files from 1, not \"0\"" },
	{ "bad-capacity-range.yaml",
	  "6:26: \"high\" must be a percentage from 0% to 100%, not \"120%\"" },
	{ "bad-capacity-order.yaml",
	  "8:16: capacity \"low\" (80%) must be below \"high\" (80%)" },
	{ "bad-writeback-value.yaml",
	  "8:20: \"writeback\" must be close or lazy, not \"later\"" },
	{ "bad-writeback-type.yaml",
	  "8:20: \"writeback\" must be close or lazy, not a sequence" },
	{ "bad-writeback-interval-zero.yaml",
	  "9:29: \"writeback_interval\" must be a number of seconds from 1 to 86400, not \"0\"" },
	{ "bad-writeback-interval-range.yaml",
	  "9:29: \"writeback_interval\" must be a number of seconds from 1 to 86400, not \"86401\"" },
	{ "bad-writeback-interval-unit.yaml",
	  "9:29: \"writeback_interval\" must be a number of seconds from 1 to 86400, not \"30s\"" },
	{ "bad-writeback-interval-type.yaml",
	  "9:29: \"writeback_interval\" must be a number of seconds, not a mapping" },
	{ "bad-writeback-ro.yaml",
	  "7:20: \"writeback\" is for read-write datasets only (mode rw or rw+ro), not mode ro" },
	{ "bad-writeback-interval-ro.yaml",
	  "7:29: \"writeback_interval\" is for read-write datasets only (mode rw or rw+ro), not mode ro" },
	{ "bad-writeback-interval-close.yaml",
	  "9:29: \"writeback_interval\" needs \"writeback: lazy\", not close" },
	{ "bad-writeback-interval-alone.yaml",
	  "6:29: \"writeback_interval\" needs \"writeback: lazy\"" },
	{ "bad-metrics-type.yaml",
	  "2:10: \"metrics\" must be a mapping, not a scalar" },
	{ "bad-metrics-missing.yaml", "2:3: missing key \"textfile\" in metrics" },
	{ "bad-metrics-relative.yaml",
	  "2:13: \"textfile\" must be an absolute path, not \"pcc.prom\"" },
	{ "bad-metrics-dir.yaml",
	  "2:13: \"textfile\" must name a file, not a directory" },
	{ "bad-metrics-interval-zero.yaml",
	  "3:13: \"interval\" must be a number of seconds from 1 to 3600, not \"0\"" },
	{ "bad-metrics-interval-range.yaml",
	  "3:13: \"interval\" must be a number of seconds from 1 to 3600, not \"3601\"" },
	{ "bad-metrics-interval-unit.yaml",
	  "3:13: \"interval\" must be a number of seconds from 1 to 3600, not \"15s\"" },
	{ "bad-metrics-key.yaml",
	  "3:3: unknown key \"period\" in metrics (known: textfile, interval)" },
	{ "bad-metrics-duplicate.yaml",
	  "3:3: duplicate key \"textfile\" in metrics" },
};

#define N_BAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

static char *data_path(const char *file)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/%s", PCC_TEST_DATA, file);
	return path;
}

static struct pcc_config *load_good(const char *file)
{
	char err[PCC_CONF_ERR_LEN];
	struct pcc_config *conf = NULL;
	int ret;

	ret = pcc_conf_load(data_path(file), &conf, err, sizeof(err));
	if (ret)
		fail_msg("%s: %s", file, err);
	assert_non_null(conf);
	return conf;
}

static void test_bad_file(void **state)
{
	const struct bad_case *c = *state;
	char err[PCC_CONF_ERR_LEN], want[PCC_CONF_ERR_LEN];
	struct pcc_config *conf = (struct pcc_config *)&conf;

	snprintf(want, sizeof(want), "%s:%s", data_path(c->file), c->message);
	assert_int_equal(pcc_conf_load(data_path(c->file), &conf, err,
				       sizeof(err)), -EINVAL);
	assert_null(conf);
	assert_string_equal(err, want);
}

static void test_full(void **state)
{
	struct pcc_config *conf = load_good("good-full.yaml");
	struct pcc_conf_mount *m = conf->mounts;
	struct pcc_conf_dataset *d;

	assert_string_equal(conf->file, data_path("good-full.yaml"));
	assert_int_equal(pcc_conf_count_mounts(conf), 2);
	assert_int_equal(pcc_conf_count_datasets(conf), 2);

	assert_string_equal(m->path, "/mnt/data");
	assert_string_equal(m->lower, "/mnt/nfs/data");	/* '/' trimmed */
	assert_int_equal(m->line, 3);

	d = m->datasets;
	assert_string_equal(d->path, "/nvme/pcc");
	assert_int_equal(d->line, 6);
	assert_int_equal(d->flags, PCC_DS_HAS_ROID | PCC_DS_HAS_MODE |
			 PCC_DS_HAS_RULE | PCC_DS_HAS_ATTACH |
			 PCC_DS_HAS_CAPACITY | PCC_DS_HAS_CAP_HIGH |
			 PCC_DS_HAS_CAP_LOW);
	assert_int_equal(d->roid, 1);
	assert_int_equal(d->rwid, 0);
	assert_int_equal(d->mode, PCC_MODE_RO);
	assert_string_equal(d->rule,
			    "projid={500}&fname={*.h5 *.npy},uid={1001}");
	assert_int_equal(d->attach, PCC_ATTACH_ALL);
	assert_int_equal(d->capacity_high, 90);
	assert_int_equal(d->capacity_low, 80);
	assert_int_equal(d->writeback, PCC_WRITEBACK_CLOSE);
	assert_int_equal(d->wb_interval, 30);

	d = d->next;
	assert_string_equal(d->path, "/nvme/scratch");
	assert_int_equal(d->flags, PCC_DS_HAS_RWID | PCC_DS_HAS_MODE |
			 PCC_DS_HAS_ATTACH | PCC_DS_HAS_WRITEBACK |
			 PCC_DS_HAS_WB_INTERVAL | PCC_DS_HAS_CAPACITY |
			 PCC_DS_HAS_CAP_HIGH | PCC_DS_HAS_CAP_LOW);
	assert_int_equal(d->rwid, 2147483647U);
	assert_int_equal(d->mode, PCC_MODE_RWRO);
	assert_null(d->rule);
	assert_int_equal(d->attach, 0);		/* [] is set, to nothing */
	assert_int_equal(d->writeback, PCC_WRITEBACK_LAZY);
	assert_int_equal(d->wb_interval, 86400);
	assert_int_equal(d->capacity_high, 70);
	assert_int_equal(d->capacity_low, 0);	/* set to zero, not unset */
	assert_null(d->next);

	m = m->next;
	assert_string_equal(m->path, "/mnt/home");
	assert_string_equal(m->lower, "/mnt/nfs/home");
	assert_null(m->datasets);
	assert_null(m->next);

	assert_string_equal(conf->metrics.textfile,
			    "/var/lib/prometheus/node-exporter/pcc.prom");
	assert_int_equal(conf->metrics.interval, 3600);
	assert_true(conf->metrics.has_interval);
	pcc_conf_free(conf);
}

/* metrics: absent, or without its interval, the interval is 15 s. */
static void test_metrics_default(void **state)
{
	struct pcc_config *conf = load_good("good-defaults.yaml");

	assert_null(conf->metrics.textfile);
	assert_int_equal(conf->metrics.interval, PCC_DEFAULT_METRICS_INTERVAL);
	assert_false(conf->metrics.has_interval);
	pcc_conf_free(conf);

	conf = load_good("good-metrics.yaml");
	assert_null(conf->mounts);
	assert_string_equal(conf->metrics.textfile,
			    "/var/lib/node exporter/pcc: a.prom");
	assert_int_equal(conf->metrics.interval, 15);
	assert_false(conf->metrics.has_interval);
	pcc_conf_free(conf);
}

static void test_defaults(void **state)
{
	struct pcc_config *conf = load_good("good-defaults.yaml");
	struct pcc_conf_dataset *d = conf->mounts->datasets;

	assert_int_equal(d->flags, PCC_DS_HAS_ROID);	/* the one required */
	assert_int_equal(d->roid, 1);
	assert_int_equal(d->rwid, 0);
	assert_int_equal(d->mode, PCC_DEFAULT_MODE);
	assert_null(d->rule);
	assert_int_equal(d->attach, PCC_DEFAULT_ATTACH);
	assert_int_equal(d->capacity_high, PCC_DEFAULT_CAPACITY_HIGH);
	assert_int_equal(d->capacity_low, PCC_DEFAULT_CAPACITY_LOW);
	assert_int_equal(d->writeback, PCC_DEFAULT_WRITEBACK);
	assert_int_equal(d->writeback, PCC_WRITEBACK_CLOSE);
	assert_int_equal(d->wb_interval, PCC_DEFAULT_WB_INTERVAL);
	assert_int_equal(d->wb_interval, 30);
	pcc_conf_free(conf);
}

static char *make_dir(void);
static void rm_dir(const char *dir);
static void save_ok(const struct pcc_config *conf, const char *file);
static char *read_text(const char *file);

/* The write-back keys: defaults, set, written back only when set. */
static void test_writeback(void **state)
{
	struct pcc_config *conf = load_good("good-writeback.yaml"), *back;
	struct pcc_conf_dataset *d = conf->mounts->datasets, *copy;
	char *dir = make_dir(), file[1024], err[PCC_CONF_ERR_LEN], *text;

	/* Neither key: close, 30 s. */
	assert_int_equal(d->flags, PCC_DS_HAS_RWID | PCC_DS_HAS_MODE);
	assert_int_equal(d->writeback, PCC_WRITEBACK_CLOSE);
	assert_int_equal(d->wb_interval, PCC_DEFAULT_WB_INTERVAL);
	d = d->next;
	assert_int_equal(d->flags, PCC_DS_HAS_RWID | PCC_DS_HAS_MODE |
			 PCC_DS_HAS_WRITEBACK);
	assert_int_equal(d->mode, PCC_MODE_RWRO);
	assert_int_equal(d->writeback, PCC_WRITEBACK_CLOSE);
	assert_int_equal(d->wb_interval, PCC_DEFAULT_WB_INTERVAL);
	d = d->next;
	assert_int_equal(d->flags, PCC_DS_HAS_ROID | PCC_DS_HAS_MODE |
			 PCC_DS_HAS_WRITEBACK | PCC_DS_HAS_WB_INTERVAL);
	assert_int_equal(d->writeback, PCC_WRITEBACK_LAZY);
	assert_int_equal(d->wb_interval, 1);
	d = d->next;
	assert_int_equal(d->flags, PCC_DS_HAS_RWID | PCC_DS_HAS_MODE |
			 PCC_DS_HAS_WRITEBACK);
	assert_int_equal(d->writeback, PCC_WRITEBACK_LAZY);
	assert_int_equal(d->wb_interval, PCC_DEFAULT_WB_INTERVAL);
	assert_null(d->next);

	assert_string_equal(pcc_conf_writeback_name(PCC_WRITEBACK_CLOSE),
			    "close");
	assert_string_equal(pcc_conf_writeback_name(PCC_WRITEBACK_LAZY),
			    "lazy");
	assert_string_equal(pcc_conf_writeback_name(2), "?");

	/* Written as set: a default left out stays out. */
	snprintf(file, sizeof(file), "%s/pcc.yaml", dir);
	save_ok(conf, file);
	text = read_text(file);
	assert_non_null(strstr(text, "  - path: /nvme/rw\n"
				     "    rwid: 1\n"
				     "    mode: rw\n"
				     "  - path: /nvme/close\n"));
	assert_non_null(strstr(text, "    mode: rw+ro\n"
				     "    writeback: close\n"));
	assert_non_null(strstr(text, "    writeback: lazy\n"
				     "    writeback_interval: 1\n"
				     "  - path: /nvme/lazy-default\n"));
	assert_int_equal(pcc_conf_load(file, &back, err, sizeof(err)), 0);
	d = conf->mounts->datasets->next->next;
	assert_true(pcc_conf_dataset_equal(d,
					   back->mounts->datasets->next->next));

	/* Each of them tells two datasets apart. */
	copy = pcc_conf_dataset_dup(d);
	assert_non_null(copy);
	copy->wb_interval = 2;
	assert_false(pcc_conf_dataset_equal(d, copy));
	copy->wb_interval = d->wb_interval;
	copy->writeback = PCC_WRITEBACK_CLOSE;
	assert_false(pcc_conf_dataset_equal(d, copy));
	copy->writeback = d->writeback;
	copy->flags &= ~PCC_DS_HAS_WB_INTERVAL;
	assert_false(pcc_conf_dataset_equal(d, copy));
	copy->flags = d->flags;
	assert_true(pcc_conf_dataset_equal(d, copy));
	pcc_conf_dataset_free(copy);
	/* Close set and close by default are written differently. */
	copy = pcc_conf_dataset_dup(conf->mounts->datasets);
	assert_non_null(copy);
	copy->flags |= PCC_DS_HAS_WRITEBACK;
	assert_false(pcc_conf_dataset_equal(conf->mounts->datasets, copy));
	pcc_conf_dataset_free(copy);

	free(text);
	pcc_conf_free(back);
	pcc_conf_free(conf);
	rm_dir(dir);
}

static void test_capacity(void **state)
{
	struct pcc_config *conf = load_good("good-capacity.yaml");
	struct pcc_conf_dataset *d = conf->mounts->datasets, *copy;
	char *dir = make_dir(), file[1024], err[PCC_CONF_ERR_LEN];
	struct pcc_config *back;

	assert_int_equal(d->flags, PCC_DS_HAS_ROID | PCC_DS_HAS_CAPACITY |
			 PCC_DS_HAS_CAP_LOW | PCC_DS_HAS_MAX_BYTES |
			 PCC_DS_HAS_MAX_FILES | PCC_DS_HAS_MIN_FREE);
	assert_int_equal(d->capacity_high, PCC_DEFAULT_CAPACITY_HIGH);
	assert_int_equal(d->capacity_low, 50);
	assert_true(d->max_bytes == 200ULL << 30);
	assert_true(d->max_files == 100000);
	assert_true(d->min_free == 1536ULL << 20);
	d = d->next;
	assert_int_equal(d->flags, PCC_DS_HAS_ROID | PCC_DS_HAS_CAPACITY |
			 PCC_DS_HAS_MAX_BYTES);
	assert_true(d->max_bytes == 12345);
	assert_true(d->max_files == 0 && d->min_free == 0);

	/* Written back and read again: the same keys, the same values. */
	snprintf(file, sizeof(file), "%s/pcc.yaml", dir);
	save_ok(conf, file);
	assert_int_equal(pcc_conf_load(file, &back, err, sizeof(err)), 0);
	assert_true(pcc_conf_dataset_equal(conf->mounts->datasets,
					   back->mounts->datasets));
	assert_true(pcc_conf_dataset_equal(d, back->mounts->datasets->next));
	copy = pcc_conf_dataset_dup(d);
	copy->min_free = 1;
	assert_false(pcc_conf_dataset_equal(d, copy));
	pcc_conf_dataset_free(copy);
	pcc_conf_free(back);
	pcc_conf_free(conf);
	rm_dir(dir);
}

static void test_sizes(void **state)
{
	static const struct {
		const char *text;
		uint64_t v;
	} good[] = {
		{ "0", 0 }, { "1", 1 }, { "1024", 1024 }, { "1k", 1024 },
		{ "1K", 1024 }, { "3M", 3ULL << 20 }, { "200G", 200ULL << 30 },
		{ "7t", 7ULL << 40 }, { "16777215T", 16777215ULL << 40 },
		{ "18446744073709551615", UINT64_MAX },
	};
	static const char *const bad[] = {
		"", "G", "-1", "1.5G", "1 G", "1GB", "1P", "16777216T",
		"18446744073709551616", " 1", "1G ",
	};
	char buf[32];
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(pcc_conf_parse_size(good[i].text, &v));
		assert_true(v == good[i].v);
		/* The writer's form reads back to the same number. */
		pcc_conf_format_size(v, buf, sizeof(buf));
		assert_true(pcc_conf_parse_size(buf, &v));
		assert_true(v == good[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(pcc_conf_parse_size(bad[i], &v));
	pcc_conf_format_size(200ULL << 30, buf, sizeof(buf));
	assert_string_equal(buf, "200G");
	pcc_conf_format_size(1536ULL << 20, buf, sizeof(buf));
	assert_string_equal(buf, "1536M");
	pcc_conf_format_size(12345, buf, sizeof(buf));
	assert_string_equal(buf, "12345");
	pcc_conf_format_size(5ULL << 50, buf, sizeof(buf));
	assert_string_equal(buf, "5120T");
}

static void test_empty(void **state)
{
	static const char *const files[] = {
		"good-empty.yaml", "good-comments.yaml", "good-no-mounts.yaml",
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct pcc_config *conf = load_good(files[i]);

		assert_null(conf->mounts);
		assert_int_equal(pcc_conf_count_datasets(conf), 0);
		pcc_conf_free(conf);
	}
}

static void test_unreadable(void **state)
{
	char err[PCC_CONF_ERR_LEN], want[PCC_CONF_ERR_LEN];
	struct pcc_config *conf;

	assert_int_equal(pcc_conf_load(data_path("no-such.yaml"), &conf, err,
				       sizeof(err)), -ENOENT);
	assert_null(conf);
	snprintf(want, sizeof(want), "%s: %s", data_path("no-such.yaml"),
		 strerror(ENOENT));
	assert_string_equal(err, want);

	assert_int_equal(pcc_conf_load(PCC_TEST_DATA, &conf, err, sizeof(err)),
			 -EISDIR);
	assert_null(conf);
}

/* A short buffer gets a cut, terminated message; none at all is fine. */
static void test_short_buffer(void **state)
{
	struct pcc_config *conf;
	char err[8];

	memset(err, 'x', sizeof(err));
	assert_int_equal(pcc_conf_load(data_path("bad-mode.yaml"), &conf, err,
				       sizeof(err)), -EINVAL);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(pcc_conf_load(data_path("bad-mode.yaml"), &conf, NULL,
				       0), -EINVAL);
}

/* The shipped file is valid as it is, and so is its example, uncommented. */
static void test_shipped(void **state)
{
	char err[PCC_CONF_ERR_LEN], tmp[] = "/tmp/pcc-test-conf.XXXXXX";
	char line[512];
	struct pcc_config *conf;
	bool example = false;
	FILE *in, *out;
	int fd;

	assert_int_equal(pcc_conf_load(PCC_TEST_CONF, &conf, err, sizeof(err)), 0);
	assert_null(conf->mounts);
	pcc_conf_free(conf);

	in = fopen(PCC_TEST_CONF, "r");
	assert_non_null(in);
	fd = mkstemp(tmp);
	assert_true(fd >= 0);
	out = fdopen(fd, "w");
	while (fgets(line, sizeof(line), in)) {
		example = example || !strcmp(line, "#mounts:\n");
		fputs(example && line[0] == '#' ? line + 1 : line, out);
	}
	fclose(in);
	fclose(out);
	assert_true(example);
	if (pcc_conf_load(tmp, &conf, err, sizeof(err)))
		fail_msg("%s", err);
	unlink(tmp);
	assert_int_equal(pcc_conf_count_mounts(conf), 1);
	assert_int_equal(pcc_conf_count_datasets(conf), 1);
	assert_int_equal(conf->mounts->datasets->flags, PCC_DS_HAS_ROID |
			 PCC_DS_HAS_RWID | PCC_DS_HAS_MODE | PCC_DS_HAS_RULE |
			 PCC_DS_HAS_ATTACH | PCC_DS_HAS_CAPACITY |
			 PCC_DS_HAS_CAP_HIGH | PCC_DS_HAS_CAP_LOW |
			 PCC_DS_HAS_MAX_BYTES | PCC_DS_HAS_MAX_FILES |
			 PCC_DS_HAS_MIN_FREE);
	assert_string_equal(conf->metrics.textfile,
			    "/var/lib/prometheus/node-exporter/pcc.prom");
	assert_true(conf->metrics.has_interval);
	pcc_conf_free(conf);
}

static void test_mode_names(void **state)
{
	assert_string_equal(pcc_conf_mode_name(PCC_MODE_RO), "ro");
	assert_string_equal(pcc_conf_mode_name(PCC_MODE_RW), "rw");
	assert_string_equal(pcc_conf_mode_name(PCC_MODE_RWRO), "rw+ro");
	assert_string_equal(pcc_conf_mode_name(0), "?");
}

/* --- the writer ----------------------------------------------------------- */

/* A fresh directory for one test's files, removed by rm_dir(). */
static char *make_dir(void)
{
	static char dir[64];

	strcpy(dir, "/tmp/pcc-test-save.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return dir;
}

/* Entries in dir besides . and .. */
static int count_entries(const char *dir)
{
	struct dirent *e;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void rm_dir(const char *dir)
{
	char path[1024];
	struct dirent *e;
	DIR *d;

	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
	assert_int_equal(rmdir(dir), 0);
}

static char *read_text(const char *file)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	fp = fopen(file, "r");
	assert_non_null(fp);
	assert_int_equal(getdelim(&text, &len, '\0', fp) >= 0 || feof(fp), 1);
	fclose(fp);
	if (!text)
		text = strdup("");
	return text;
}

static void write_text(const char *file, const char *text)
{
	FILE *fp = fopen(file, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void save_ok(const struct pcc_config *conf, const char *file)
{
	char err[PCC_CONF_ERR_LEN];

	if (pcc_conf_save(conf, file, err, sizeof(err)))
		fail_msg("save %s: %s", file, err);
}

static struct pcc_config *load_ok(const char *file)
{
	char err[PCC_CONF_ERR_LEN];
	struct pcc_config *conf;

	if (pcc_conf_load(file, &conf, err, sizeof(err)))
		fail_msg("load %s: %s", file, err);
	return conf;
}

/* Same mounts and datasets, in the same order (lines and file ignored). */
static void assert_same_config(const struct pcc_config *a,
			       const struct pcc_config *b)
{
	const struct pcc_conf_mount *ma, *mb;
	const struct pcc_conf_dataset *da, *db;

	for (ma = a->mounts, mb = b->mounts; ma && mb;
	     ma = ma->next, mb = mb->next) {
		assert_string_equal(ma->path, mb->path);
		assert_string_equal(ma->lower, mb->lower);
		for (da = ma->datasets, db = mb->datasets; da && db;
		     da = da->next, db = db->next)
			if (!pcc_conf_dataset_equal(da, db))
				fail_msg("dataset %s differs", da->path);
		assert_null(da);
		assert_null(db);
	}
	assert_null(ma);
	assert_null(mb);
	if (a->metrics.textfile || b->metrics.textfile) {
		assert_non_null(a->metrics.textfile);
		assert_non_null(b->metrics.textfile);
		assert_string_equal(a->metrics.textfile, b->metrics.textfile);
	}
	assert_int_equal(a->metrics.interval, b->metrics.interval);
	assert_int_equal(a->metrics.has_interval, b->metrics.has_interval);
}

/* Every good-*.yaml: load, save, load again gives the same. */
static void test_save_round_trip(void **state)
{
	char *dir = make_dir(), file[1024];
	struct pcc_config *a, *b;
	struct dirent *e;
	int tried = 0;
	DIR *d;

	snprintf(file, sizeof(file), "%s/pcc.yaml", dir);
	d = opendir(PCC_TEST_DATA);
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "good-", 5))
			continue;
		a = load_good(e->d_name);
		save_ok(a, file);
		b = load_ok(file);
		assert_same_config(a, b);
		pcc_conf_free(b);
		/* And the written text is a fixed point. */
		{
			char *t1 = read_text(file), *t2;

			b = load_ok(file);
			save_ok(b, file);
			t2 = read_text(file);
			assert_string_equal(t1, t2);
			free(t1);
			free(t2);
			pcc_conf_free(b);
		}
		pcc_conf_free(a);
		tried++;
	}
	closedir(d);
	assert_true(tried >= 5);
	assert_int_equal(count_entries(dir), 1);	/* no temporary left */
	rm_dir(dir);
}

/* The writer keeps presence: unset keys are not written. */
static void test_save_defaults_stay(void **state)
{
	struct pcc_config *conf = load_good("good-defaults.yaml");
	char *dir = make_dir(), file[1024], *text;
	struct stat st;

	snprintf(file, sizeof(file), "%s/pcc.yaml", dir);
	save_ok(conf, file);
	text = read_text(file);
	assert_non_null(strstr(text, "path: /nvme/pcc\n"));
	assert_null(strstr(text, "mode"));
	assert_null(strstr(text, "attach"));
	assert_null(strstr(text, "capacity"));
	assert_null(strstr(text, "metrics"));
	assert_non_null(strstr(text, "roid: 1\n"));
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	free(text);
	pcc_conf_free(conf);
	rm_dir(dir);
}

/* Rules and paths full of YAML's indicators come back as they were. */
static void test_save_special_characters(void **state)
{
	static const char *const rules[] = {
		"fname={\"q\" 'x' a: #b c\\d *[!.]h5}&size<{1G},uid={1001}",
		"fname={*#*}",
		"fname={- ? : [x] =}&uid={1}",
		" projid={500} , gid>{7} ",
		"fname={%x @y `z |w >v !u *ü}",
	};
	struct pcc_config *conf = load_good("good-full.yaml"), *back;
	char *dir = make_dir(), file[1024];
	struct pcc_conf_dataset *d = conf->mounts->datasets;
	size_t i;

	snprintf(file, sizeof(file), "%s/pcc.yaml", dir);
	free(conf->mounts->path);
	conf->mounts->path = strdup("/mnt/a: #b [c] \"d\" 'e' ü");
	assert_non_null(conf->mounts->path);
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		free(d->rule);
		d->rule = strdup(rules[i]);
		assert_non_null(d->rule);
		save_ok(conf, file);
		back = load_ok(file);
		assert_string_equal(back->mounts->datasets->rule, rules[i]);
		assert_same_config(conf, back);
		pcc_conf_free(back);
	}
	pcc_conf_free(conf);
	rm_dir(dir);
}

#define MARKER_LINE "# Written by pcc: comments below this line are not kept"

/* The leading comments stay, once; later comments go. */
static void test_save_header(void **state)
{
	static const char header[] =
		"# my header\n"
		"#\n"
		"\n"
		"   # indented, then blanks\n";
	struct pcc_config *conf = load_good("good-full.yaml");
	char *dir = make_dir(), file[1024], *t1, *t2, *p;

	snprintf(file, sizeof(file), "%s/pcc.yaml", dir);
	write_text(file, "# my header\n#\n\n   # indented, then blanks\n\n\n"
		   "mounts: # a comment after the first line\n"
		   "# below\n"
		   "  []\n");
	save_ok(conf, file);
	t1 = read_text(file);
	assert_memory_equal(t1, header, strlen(header));
	p = t1 + strlen(header);
	assert_true(!strncmp(p, "\n" MARKER_LINE, strlen(MARKER_LINE) + 1));
	assert_non_null(strstr(p, "pcc.yaml(5)"));
	assert_null(strstr(t1, "a comment after"));
	assert_null(strstr(t1, "# below"));
	/* Saving again does not add a second marker. */
	save_ok(conf, file);
	t2 = read_text(file);
	assert_string_equal(t1, t2);
	p = strstr(t2, MARKER_LINE);
	assert_non_null(p);
	assert_null(strstr(p + 1, MARKER_LINE));
	free(t1);
	free(t2);
	pcc_conf_free(conf);
	rm_dir(dir);
}

/* No file, or one without comments at the top: a short header of ours. */
static void test_save_new_header(void **state)
{
	struct pcc_config *conf = load_good("good-defaults.yaml");
	char *dir = make_dir(), file[1024], *t1, *t2;

	snprintf(file, sizeof(file), "%s/pcc.yaml", dir);
	save_ok(conf, file);
	t1 = read_text(file);
	assert_int_equal(t1[0], '#');
	assert_non_null(strstr(t1, "pcc.yaml(5)"));
	assert_non_null(strstr(t1, MARKER_LINE));

	write_text(file, "mounts: []\n# not at the top\n");
	save_ok(conf, file);
	t2 = read_text(file);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	pcc_conf_free(conf);
	rm_dir(dir);
}

/* A save that fails changes nothing and leaves nothing behind. */
static void test_save_failures(void **state)
{
	static const char old[] = "# old\nmounts: []\n";
	struct pcc_config *conf = load_good("good-full.yaml");
	char err[PCC_CONF_ERR_LEN], file[1024], *dir = make_dir(), *text;
	struct pcc_conf_dataset *d = conf->mounts->datasets;

	/* A directory that does not exist. */
	snprintf(file, sizeof(file), "%s/none/pcc.yaml", dir);
	assert_int_equal(pcc_conf_save(conf, file, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot create a temporary file"));
	assert_int_equal(count_entries(dir), 0);

	/* A configuration the loader would refuse. */
	snprintf(file, sizeof(file), "%s/pcc.yaml", dir);
	write_text(file, old);
	d->capacity_low = 95;
	assert_int_equal(pcc_conf_save(conf, file, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not written"));
	assert_non_null(strstr(err,
			       "capacity \"low\" (95%) must be below \"high\" (90%)"));
	d->capacity_low = 80;
	free(conf->mounts->lower);
	conf->mounts->lower = strdup("relative/dir");
	assert_int_equal(pcc_conf_save(conf, file, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err,
			       "\"lower\" must be an absolute path, not \"relative/dir\""));
	text = read_text(file);
	assert_string_equal(text, old);
	free(text);
	assert_int_equal(count_entries(dir), 1);

	/* A directory pccd may not write to (root may write anyway). */
	if (geteuid() != 0) {
		free(conf->mounts->lower);
		conf->mounts->lower = strdup("/mnt/nfs/data");
		assert_int_equal(chmod(dir, 0555), 0);
		assert_int_equal(pcc_conf_save(conf, file, err, sizeof(err)),
				 -EACCES);
		assert_int_equal(chmod(dir, 0755), 0);
		text = read_text(file);
		assert_string_equal(text, old);
		free(text);
		assert_int_equal(count_entries(dir), 1);
	}
	pcc_conf_free(conf);
	rm_dir(dir);
}

/* A symbolic link stays one: its target is rewritten. */
static void test_save_symlink(void **state)
{
	struct pcc_config *conf = load_good("good-full.yaml"), *back;
	char *dir = make_dir(), file[1024], link[1024];
	struct stat st;

	snprintf(file, sizeof(file), "%s/real.yaml", dir);
	snprintf(link, sizeof(link), "%s/pcc.yaml", dir);
	write_text(file, "# target\n");
	assert_int_equal(symlink("real.yaml", link), 0);
	save_ok(conf, link);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	back = load_ok(file);
	assert_same_config(conf, back);
	pcc_conf_free(back);
	pcc_conf_free(conf);
	rm_dir(dir);
}

/* The first "pcc add" on the shipped file keeps all of its comments. */
static void test_save_shipped(void **state)
{
	struct pcc_config *conf = load_good("good-full.yaml"), *back;
	char *dir = make_dir(), file[1024], *shipped, *text;
	size_t len;

	snprintf(file, sizeof(file), "%s/pcc.yaml", dir);
	shipped = read_text(PCC_TEST_CONF);
	write_text(file, shipped);
	save_ok(conf, file);
	text = read_text(file);
	len = strlen(shipped);
	while (len && shipped[len - 1] == '\n')
		len--;
	assert_memory_equal(text, shipped, len);
	assert_true(!strncmp(text + len, "\n\n" MARKER_LINE,
			     strlen(MARKER_LINE) + 2));
	back = load_ok(file);
	assert_same_config(conf, back);
	pcc_conf_free(back);
	free(text);
	free(shipped);
	pcc_conf_free(conf);
	rm_dir(dir);
}

static void test_dup_equal(void **state)
{
	struct pcc_config *conf = load_good("good-full.yaml"), *copy;
	struct pcc_conf_dataset *a = conf->mounts->datasets, *b;

	copy = pcc_conf_dup(conf);
	assert_non_null(copy);
	assert_string_equal(copy->file, conf->file);
	assert_ptr_not_equal(copy->mounts, conf->mounts);
	assert_ptr_not_equal(copy->mounts->datasets->rule, a->rule);
	assert_ptr_not_equal(copy->metrics.textfile, conf->metrics.textfile);
	assert_same_config(conf, copy);
	assert_int_equal(copy->mounts->line, conf->mounts->line);

	b = pcc_conf_dataset_dup(a);
	assert_non_null(b);
	assert_null(b->next);
	assert_true(pcc_conf_dataset_equal(a, b));
	b->line = 99;				/* lines do not count */
	assert_true(pcc_conf_dataset_equal(a, b));
	b->rule[0] = 'X';
	assert_false(pcc_conf_dataset_equal(a, b));
	free(b->rule);
	b->rule = NULL;
	assert_false(pcc_conf_dataset_equal(a, b));
	b->rule = strdup(a->rule);
	b->flags &= ~PCC_DS_HAS_MODE;		/* set to the default != unset */
	assert_false(pcc_conf_dataset_equal(a, b));
	b->flags = a->flags;
	b->capacity_low++;
	assert_false(pcc_conf_dataset_equal(a, b));
	b->capacity_low = a->capacity_low;
	b->attach = 0;
	assert_false(pcc_conf_dataset_equal(a, b));
	b->attach = a->attach;
	assert_true(pcc_conf_dataset_equal(a, b));
	pcc_conf_dataset_free(b);
	pcc_conf_dataset_free(NULL);

	/* roid, else rwid. */
	assert_int_equal(pcc_conf_dataset_id(a), 1);
	assert_int_equal(pcc_conf_dataset_id(a->next), 2147483647U);
	a->rwid = 7;
	assert_int_equal(pcc_conf_dataset_id(a), 1);
	a->roid = 0;
	assert_int_equal(pcc_conf_dataset_id(a), 7);

	/* An empty configuration copies too. */
	pcc_conf_free(copy);
	pcc_conf_free(conf);
	conf = load_good("good-empty.yaml");
	copy = pcc_conf_dup(conf);
	assert_non_null(copy);
	assert_null(copy->mounts);
	pcc_conf_free(copy);
	pcc_conf_free(conf);
}

int main(void)
{
	static const struct CMUnitTest good[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_writeback),
		cmocka_unit_test(test_metrics_default),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_mode_names),
		cmocka_unit_test(test_save_round_trip),
		cmocka_unit_test(test_save_defaults_stay),
		cmocka_unit_test(test_save_special_characters),
		cmocka_unit_test(test_save_header),
		cmocka_unit_test(test_save_new_header),
		cmocka_unit_test(test_save_failures),
		cmocka_unit_test(test_save_symlink),
		cmocka_unit_test(test_save_shipped),
		cmocka_unit_test(test_dup_equal),
	};
	struct CMUnitTest bad[N_BAD];
	size_t i;
	int failed;

	/* One test per broken file, named after it. */
	for (i = 0; i < N_BAD; i++)
		bad[i] = (struct CMUnitTest){
			.name = bad_cases[i].file,
			.test_func = test_bad_file,
			.initial_state = (void *)&bad_cases[i],
		};
	failed = cmocka_run_group_tests_name("conf", good, NULL, NULL);
	failed += _cmocka_run_group_tests("conf broken files", bad, N_BAD,
					  NULL, NULL);
	return failed ? 1 : 0;
}
