// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_conf.c - the pcc.yaml loader on valid files and on one broken file
 * per mistake, each with the exact message it must give.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	  "1:1: unknown key \"mount\" in the top level (known: mounts)" },
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
	  "6:9: unknown key \"size\" in a dataset (known: path, roid, rwid, mode, rule, attach, capacity)" },
	{ "bad-dataset-missing-path.yaml",
	  "5:9: missing key \"path\" in a dataset" },
	{ "bad-relative-dataset.yaml",
	  "5:15: \"path\" must be an absolute path, not \"nvme/pcc\"" },
	{ "bad-duplicate-dataset.yaml",
	  "9:15: duplicate dataset path \"/nvme/pcc\" (first at line 5)" },
	{ "bad-mode.yaml",
	  "6:15: \"mode\" must be ro, rw or rw+ro, not \"ro+rw\"" },
	{ "bad-roid.yaml",
	  "6:15: \"roid\" must be an integer from 1 to 4294967295, not \"one\"" },
	{ "bad-roid-zero.yaml",
	  "6:15: \"roid\" must be an integer from 1 to 4294967295, not \"0\"" },
	{ "bad-rwid-range.yaml",
	  "6:15: \"rwid\" must be an integer from 1 to 4294967295, not \"4294967296\"" },
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
	  "6:41: unknown key \"target\" in capacity (known: high, low)" },
	{ "bad-capacity-missing.yaml", "6:19: missing key \"low\" in capacity" },
	{ "bad-capacity-range.yaml",
	  "6:26: \"high\" must be a percentage from 0% to 100%, not \"120%\"" },
	{ "bad-capacity-order.yaml",
	  "8:16: capacity \"low\" (80%) must be below \"high\" (80%)" },
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
			 PCC_DS_HAS_CAPACITY);
	assert_int_equal(d->roid, 1);
	assert_int_equal(d->rwid, 0);
	assert_int_equal(d->mode, PCC_MODE_RO);
	assert_string_equal(d->rule,
			    "projid={500}&fname={*.h5 *.npy},uid={1001}");
	assert_int_equal(d->attach, PCC_ATTACH_ALL);
	assert_int_equal(d->capacity_high, 90);
	assert_int_equal(d->capacity_low, 80);

	d = d->next;
	assert_string_equal(d->path, "/nvme/scratch");
	assert_int_equal(d->flags, PCC_DS_HAS_RWID | PCC_DS_HAS_MODE |
			 PCC_DS_HAS_ATTACH | PCC_DS_HAS_CAPACITY);
	assert_int_equal(d->rwid, 4294967295U);
	assert_int_equal(d->mode, PCC_MODE_RWRO);
	assert_null(d->rule);
	assert_int_equal(d->attach, 0);		/* [] is set, to nothing */
	assert_int_equal(d->capacity_high, 70);
	assert_int_equal(d->capacity_low, 0);	/* set to zero, not unset */
	assert_null(d->next);

	m = m->next;
	assert_string_equal(m->path, "/mnt/home");
	assert_string_equal(m->lower, "/mnt/nfs/home");
	assert_null(m->datasets);
	assert_null(m->next);
	pcc_conf_free(conf);
}

static void test_defaults(void **state)
{
	struct pcc_config *conf = load_good("good-defaults.yaml");
	struct pcc_conf_dataset *d = conf->mounts->datasets;

	assert_int_equal(d->flags, 0);
	assert_int_equal(d->roid, 0);
	assert_int_equal(d->rwid, 0);
	assert_int_equal(d->mode, PCC_DEFAULT_MODE);
	assert_null(d->rule);
	assert_int_equal(d->attach, PCC_DEFAULT_ATTACH);
	assert_int_equal(d->capacity_high, PCC_DEFAULT_CAPACITY_HIGH);
	assert_int_equal(d->capacity_low, PCC_DEFAULT_CAPACITY_LOW);
	pcc_conf_free(conf);
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
			 PCC_DS_HAS_ATTACH | PCC_DS_HAS_CAPACITY);
	pcc_conf_free(conf);
}

static void test_mode_names(void **state)
{
	assert_string_equal(pcc_conf_mode_name(PCC_MODE_RO), "ro");
	assert_string_equal(pcc_conf_mode_name(PCC_MODE_RW), "rw");
	assert_string_equal(pcc_conf_mode_name(PCC_MODE_RWRO), "rw+ro");
	assert_string_equal(pcc_conf_mode_name(0), "?");
}

int main(void)
{
	static const struct CMUnitTest good[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_mode_names),
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
