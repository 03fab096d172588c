# SPDX-License-Identifier: GPL-2.0-only
# pcc: the command line is in libpcccli.a, which the unit tests link too.
# It is in bin: every user may query the cache (pcc version today, the
# state of their own files later); what needs privilege is checked by pccd
# and the module, not by where the program is installed.
noinst_LIBRARIES += cli/libpcccli.a
cli_libpcccli_a_SOURCES = \
	cli/cli.h \
	cli/common.c \
	cli/dataset.c \
	cli/file.c \
	cli/pcc.c \
	cli/prefetch.c \
	cli/stats.c \
	cli/version.c
cli_libpcccli_a_CPPFLAGS = $(AM_CPPFLAGS) $(JSONC_CFLAGS)

LIBPCCCLI_LIBS = cli/libpcccli.a $(LIBPCC_LIBS)

bin_PROGRAMS += cli/pcc
cli_pcc_SOURCES = cli/main.c
cli_pcc_LDADD = $(LIBPCCCLI_LIBS)
