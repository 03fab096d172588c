# SPDX-License-Identifier: GPL-2.0-only
# pccd: all of the daemon is in libpccd.a, which the unit tests link too;
# main.c only calls pccd_main().
noinst_LIBRARIES += daemon/libpccd.a
daemon_libpccd_a_SOURCES = \
	daemon/admin.c \
	daemon/apply.c daemon/apply.h \
	daemon/client.c daemon/client.h \
	daemon/conf.c daemon/conf.h \
	daemon/copy.c daemon/copy.h \
	daemon/events.c daemon/events.h \
	daemon/fileops.c \
	daemon/kernel.c daemon/kernel.h \
	daemon/notify.c daemon/notify.h \
	daemon/pccd.c daemon/pccd.h \
	daemon/prefetch.c \
	daemon/reason.c daemon/reason.h \
	daemon/space.c daemon/space.h \
	daemon/space_policy.c daemon/space_policy.h \
	daemon/textfile.c daemon/textfile.h \
	daemon/writeback.c daemon/writeback.h
daemon_libpccd_a_CPPFLAGS = $(AM_CPPFLAGS) $(YAML_CFLAGS) $(JSONC_CFLAGS) \
	$(SYSTEMD_CFLAGS)
# The copy engine's workers are threads.
daemon_libpccd_a_CFLAGS = $(AM_CFLAGS) -pthread

# What a program linking daemon/libpccd.a needs after it.
LIBPCCD_LIBS = daemon/libpccd.a $(LIBPCC_LIBS) $(YAML_LIBS) $(SYSTEMD_LIBS) \
	-lpthread

sbin_PROGRAMS += daemon/pccd
daemon_pccd_SOURCES = daemon/main.c
daemon_pccd_LDADD = $(LIBPCCD_LIBS)
