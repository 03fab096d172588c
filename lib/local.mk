# SPDX-License-Identifier: GPL-2.0-only
# libpcc: what pccd, pcc and the unit tests share.  Not installed.
# binutils' ar is deterministic by default and warns about automake's 'u'.
ARFLAGS = cr

noinst_LIBRARIES += lib/libpcc.a
lib_libpcc_a_SOURCES = \
	lib/ctl.c lib/ctl.h \
	lib/log.c lib/log.h \
	lib/metrics.c lib/metrics.h \
	lib/nl.c lib/nl.h \
	lib/opt.c lib/opt.h \
	lib/output.c lib/output.h \
	lib/param.c lib/param.h \
	lib/rule.c lib/rule.h
lib_libpcc_a_CPPFLAGS = $(AM_CPPFLAGS) $(NL_CFLAGS) $(JSONC_CFLAGS)

# What a program linking lib/libpcc.a needs after it.
LIBPCC_LIBS = lib/libpcc.a $(NL_LIBS) $(JSONC_LIBS)

# nl.c reads struct pcc_rule from rule.h (rule.c may list it too).
EXTRA_DIST += lib/rule.h
