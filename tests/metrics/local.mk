# SPDX-License-Identifier: GPL-2.0-only
# The Prometheus output checked by Debian's promtool: tests/metrics/promtool-check
# (a stage of scripts/test) renders it with metrics-tool, built by
# 'make check' with the unit tests.
check_PROGRAMS += tests/metrics/metrics-tool
tests_metrics_metrics_tool_SOURCES = tests/metrics/metrics-tool.c
tests_metrics_metrics_tool_CPPFLAGS = $(AM_CPPFLAGS) $(JSONC_CFLAGS)
tests_metrics_metrics_tool_LDADD = $(LIBPCC_LIBS)

EXTRA_DIST += tests/metrics/promtool-check tests/metrics/get-promtool \
	tests/unit/data/stats-full.json
