# SPDX-License-Identifier: GPL-2.0-only
# Unit tests (cmocka): built and run by 'make check' when cmocka is found.
unit_tests = \
	tests/unit/test_cli \
	tests/unit/test_conf \
	tests/unit/test_copy \
	tests/unit/test_ctl \
	tests/unit/test_daemon \
	tests/unit/test_fake_nl \
	tests/unit/test_glob \
	tests/unit/test_metrics \
	tests/unit/test_nl \
	tests/unit/test_output \
	tests/unit/test_param \
	tests/unit/test_pccd \
	tests/unit/test_rule \
	tests/unit/test_space

if HAVE_CMOCKA
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
endif

unit_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon -I$(top_srcdir)/cli \
	-DPCC_TEST_DATA='"$(abs_top_srcdir)/tests/unit/data"' \
	-DPCC_TEST_CONF='"$(abs_top_srcdir)/conf/pcc.yaml"' \
	$(CMOCKA_CFLAGS) $(JSONC_CFLAGS)
# Tests that reach the module do it through tests/unit/fake_nl.c.
fake_nl_ldflags = -Wl,--wrap=pcc_nl_open -Wl,--wrap=pcc_nl_get_version \
	-Wl,--wrap=pcc_nl_close -Wl,--wrap=pcc_nl_mount_get \
	-Wl,--wrap=pcc_nl_mount_dump -Wl,--wrap=pcc_nl_dataset_add \
	-Wl,--wrap=pcc_nl_dataset_set -Wl,--wrap=pcc_nl_dataset_del \
	-Wl,--wrap=pcc_nl_dataset_clear -Wl,--wrap=pcc_nl_dataset_dump \
	-Wl,--wrap=pcc_nl_events_open -Wl,--wrap=pcc_nl_fd \
	-Wl,--wrap=pcc_nl_events_read -Wl,--wrap=pcc_nl_evict \
	-Wl,--wrap=pcc_nl_file_dump

tests_unit_test_cli_SOURCES = tests/unit/test_cli.c \
	tests/unit/fake_nl.c tests/unit/fake_nl.h
tests_unit_test_cli_CPPFLAGS = $(unit_cppflags)
tests_unit_test_cli_LDFLAGS = $(fake_nl_ldflags)
tests_unit_test_cli_LDADD = $(LIBPCCCLI_LIBS) $(CMOCKA_LIBS)

tests_unit_test_conf_SOURCES = tests/unit/test_conf.c
tests_unit_test_conf_CPPFLAGS = $(unit_cppflags)
tests_unit_test_conf_LDADD = $(LIBPCCD_LIBS) $(CMOCKA_LIBS)

tests_unit_test_copy_SOURCES = tests/unit/test_copy.c
tests_unit_test_copy_CPPFLAGS = $(unit_cppflags)
tests_unit_test_copy_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_test_copy_LDADD = $(LIBPCCD_LIBS) $(CMOCKA_LIBS)

tests_unit_test_ctl_SOURCES = tests/unit/test_ctl.c
tests_unit_test_ctl_CPPFLAGS = $(unit_cppflags)
tests_unit_test_ctl_LDADD = $(LIBPCC_LIBS) $(CMOCKA_LIBS)

tests_unit_test_daemon_SOURCES = tests/unit/test_daemon.c \
	tests/unit/fake_nl.c tests/unit/fake_nl.h
tests_unit_test_daemon_CPPFLAGS = $(unit_cppflags)
tests_unit_test_daemon_LDFLAGS = $(fake_nl_ldflags)
tests_unit_test_daemon_LDADD = cli/libpcccli.a $(LIBPCCD_LIBS) $(CMOCKA_LIBS)

tests_unit_test_fake_nl_SOURCES = tests/unit/test_fake_nl.c \
	tests/unit/fake_nl.c tests/unit/fake_nl.h
tests_unit_test_fake_nl_CPPFLAGS = $(unit_cppflags)
tests_unit_test_fake_nl_LDFLAGS = $(fake_nl_ldflags)
tests_unit_test_fake_nl_LDADD = $(LIBPCC_LIBS) $(CMOCKA_LIBS)

tests_unit_test_glob_SOURCES = tests/unit/test_glob.c kmod/pcc_glob.h
tests_unit_test_glob_CPPFLAGS = $(unit_cppflags)
tests_unit_test_glob_LDADD = $(CMOCKA_LIBS)

tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c
tests_unit_test_metrics_CPPFLAGS = $(unit_cppflags)
tests_unit_test_metrics_LDADD = $(LIBPCC_LIBS) $(CMOCKA_LIBS)

tests_unit_test_nl_SOURCES = tests/unit/test_nl.c
tests_unit_test_nl_CPPFLAGS = $(unit_cppflags)
tests_unit_test_nl_LDADD = $(LIBPCC_LIBS) $(CMOCKA_LIBS)

tests_unit_test_output_SOURCES = tests/unit/test_output.c
tests_unit_test_output_CPPFLAGS = $(unit_cppflags)
tests_unit_test_output_LDADD = $(LIBPCC_LIBS) $(CMOCKA_LIBS)

tests_unit_test_param_SOURCES = tests/unit/test_param.c
tests_unit_test_param_CPPFLAGS = $(unit_cppflags)
tests_unit_test_param_LDADD = $(LIBPCC_LIBS) $(CMOCKA_LIBS)

tests_unit_test_pccd_SOURCES = tests/unit/test_pccd.c \
	tests/unit/fake_nl.c tests/unit/fake_nl.h
tests_unit_test_pccd_CPPFLAGS = $(unit_cppflags)
tests_unit_test_pccd_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_test_pccd_LDFLAGS = $(fake_nl_ldflags)
tests_unit_test_pccd_LDADD = $(LIBPCCD_LIBS) $(CMOCKA_LIBS)

tests_unit_test_space_SOURCES = tests/unit/test_space.c
tests_unit_test_space_CPPFLAGS = $(unit_cppflags)
tests_unit_test_space_LDADD = $(LIBPCCD_LIBS) $(CMOCKA_LIBS)

tests_unit_test_rule_SOURCES = tests/unit/test_rule.c
tests_unit_test_rule_CPPFLAGS = $(unit_cppflags)
tests_unit_test_rule_LDADD = $(LIBPCC_LIBS) $(CMOCKA_LIBS)

# The loader's test files: good-*.yaml load, bad-*.yaml fail with the
# message test_conf.c expects.
EXTRA_DIST += \
	tests/unit/data/bad-attach-duplicate.yaml \
	tests/unit/data/bad-attach-type.yaml \
	tests/unit/data/bad-attach-value.yaml \
	tests/unit/data/bad-capacity-key.yaml \
	tests/unit/data/bad-capacity-default-order.yaml \
	tests/unit/data/bad-capacity-files.yaml \
	tests/unit/data/bad-capacity-order.yaml \
	tests/unit/data/bad-capacity-range.yaml \
	tests/unit/data/bad-capacity-size.yaml \
	tests/unit/data/bad-capacity-size-overflow.yaml \
	tests/unit/data/bad-capacity-size-type.yaml \
	tests/unit/data/bad-capacity-size-zero.yaml \
	tests/unit/data/bad-capacity-type.yaml \
	tests/unit/data/bad-dataset-missing-path.yaml \
	tests/unit/data/bad-dataset-no-id.yaml \
	tests/unit/data/bad-dataset-same-id.yaml \
	tests/unit/data/bad-datasets-type.yaml \
	tests/unit/data/bad-duplicate-dataset.yaml \
	tests/unit/data/bad-duplicate-key.yaml \
	tests/unit/data/bad-duplicate-mount.yaml \
	tests/unit/data/bad-empty-lower.yaml \
	tests/unit/data/bad-encoding.yaml \
	tests/unit/data/bad-key-type.yaml \
	tests/unit/data/bad-metrics-dir.yaml \
	tests/unit/data/bad-metrics-duplicate.yaml \
	tests/unit/data/bad-metrics-interval-range.yaml \
	tests/unit/data/bad-metrics-interval-unit.yaml \
	tests/unit/data/bad-metrics-interval-zero.yaml \
	tests/unit/data/bad-metrics-key.yaml \
	tests/unit/data/bad-metrics-missing.yaml \
	tests/unit/data/bad-metrics-relative.yaml \
	tests/unit/data/bad-metrics-type.yaml \
	tests/unit/data/bad-missing-lower.yaml \
	tests/unit/data/bad-missing-path.yaml \
	tests/unit/data/bad-mode.yaml \
	tests/unit/data/bad-mount-type.yaml \
	tests/unit/data/bad-mounts-type.yaml \
	tests/unit/data/bad-path-type.yaml \
	tests/unit/data/bad-relative-dataset.yaml \
	tests/unit/data/bad-relative-lower.yaml \
	tests/unit/data/bad-relative-path.yaml \
	tests/unit/data/bad-roid-zero.yaml \
	tests/unit/data/bad-roid.yaml \
	tests/unit/data/bad-rule-block.yaml \
	tests/unit/data/bad-rule-field.yaml \
	tests/unit/data/bad-rule-quoted.yaml \
	tests/unit/data/bad-rule-type.yaml \
	tests/unit/data/bad-rwid-range.yaml \
	tests/unit/data/bad-syntax.yaml \
	tests/unit/data/bad-top-type.yaml \
	tests/unit/data/bad-two-documents.yaml \
	tests/unit/data/bad-unclosed.yaml \
	tests/unit/data/bad-unknown-dataset-key.yaml \
	tests/unit/data/bad-unknown-mount-key.yaml \
	tests/unit/data/bad-unknown-top.yaml \
	tests/unit/data/bad-writeback-interval-alone.yaml \
	tests/unit/data/bad-writeback-interval-close.yaml \
	tests/unit/data/bad-writeback-interval-range.yaml \
	tests/unit/data/bad-writeback-interval-ro.yaml \
	tests/unit/data/bad-writeback-interval-type.yaml \
	tests/unit/data/bad-writeback-interval-unit.yaml \
	tests/unit/data/bad-writeback-interval-zero.yaml \
	tests/unit/data/bad-writeback-ro.yaml \
	tests/unit/data/bad-writeback-type.yaml \
	tests/unit/data/bad-writeback-value.yaml \
	tests/unit/data/good-capacity.yaml \
	tests/unit/data/good-comments.yaml \
	tests/unit/data/good-defaults.yaml \
	tests/unit/data/good-empty.yaml \
	tests/unit/data/good-full.yaml \
	tests/unit/data/good-metrics.yaml \
	tests/unit/data/good-no-mounts.yaml \
	tests/unit/data/good-writeback.yaml

LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/unit/run-test
AM_TESTS_FD_REDIRECT = 9>&2
EXTRA_DIST += tests/unit/run-test
