# SPDX-License-Identifier: GPL-2.0-only
# The VM harness and its scenarios are shipped, not built: tests/vm/run
# builds what it needs.  Test programs that run in the guest are built here
# (noinst_PROGRAMS under tests/vm/progs/) so they follow --host.
EXTRA_DIST += \
	tests/vm/README.md \
	tests/vm/sanity-pcc.md \
	tests/vm/run \
	tests/vm/debug.config \
	tests/vm/lib/common.sh \
	tests/vm/lib/kernels.sh \
	tests/vm/lib/build.sh \
	tests/vm/lib/initramfs.sh \
	tests/vm/guest/init \
	tests/vm/guest/lib.sh \
	tests/vm/guest/passthrough.sh \
	tests/vm/guest/cache.sh \
	tests/vm/guest/pccd.sh \
	tests/vm/guest/bench.sh \
	tests/vm/guest/passwd \
	tests/vm/guest/group \
	tests/vm/guest/modules \
	tests/vm/guest/packages \
	tests/vm/guest/files \
	tests/vm/scenarios/10-module-load \
	tests/vm/scenarios/11-pccd \
	tests/vm/scenarios/12-pcc-version \
	tests/vm/scenarios/19-lowers \
	tests/vm/scenarios/20-pcc-mount \
	tests/vm/scenarios/21-pcc-namespace \
	tests/vm/scenarios/22-pcc-attr \
	tests/vm/scenarios/23-pcc-xattr \
	tests/vm/scenarios/24-pcc-io \
	tests/vm/scenarios/25-pcc-mmap \
	tests/vm/scenarios/26-pcc-fsx \
	tests/vm/scenarios/27-pcc-open \
	tests/vm/scenarios/28-pcc-fileattr \
	tests/vm/scenarios/29-pcc-aio \
	tests/vm/scenarios/30-pcc-over-ext4 \
	tests/vm/scenarios/31-pcc-over-nfs4 \
	tests/vm/scenarios/32-pcc-over-nfs3 \
	tests/vm/scenarios/33-pcc-root-squash \
	tests/vm/scenarios/34-pcc-hard-mount-flags \
	tests/vm/scenarios/35-pcc-hard-create-race \
	tests/vm/scenarios/36-pcc-hard-noumask \
	tests/vm/scenarios/37-pcc-hard-idmap \
	tests/vm/scenarios/40-pcc-exec-attrs \
	tests/vm/scenarios/41-pcc-open-perm \
	tests/vm/scenarios/42-pcc-fscap \
	tests/vm/scenarios/43-pcc-fuse-trunc \
	tests/vm/scenarios/44-pcc-splice-perm \
	tests/vm/scenarios/50-pcc-mmap-stacked \
	tests/vm/scenarios/51-pcc-mmap-lifetime \
	tests/vm/scenarios/60-pcc-nl-datasets \
	tests/vm/scenarios/61-pcc-nl-security \
	tests/vm/scenarios/62-pcc-nl-bad-input \
	tests/vm/scenarios/70-pcc-cache-basic \
	tests/vm/scenarios/72-pcc-evict \
	tests/vm/scenarios/73-pcc-rw \
	tests/vm/scenarios/73-pcc-rw-create \
	tests/vm/scenarios/73-pcc-rw-fsx \
	tests/vm/scenarios/73-pcc-rw-mmap \
	tests/vm/scenarios/73-pcc-rw-stress \
	tests/vm/scenarios/74-pccd-rw \
	tests/vm/scenarios/75-pcc-rw-powercut \
	tests/vm/scenarios/70-pcc-cache-auto \
	tests/vm/scenarios/70-pcc-cache-stale \
	tests/vm/scenarios/70-pcc-cache-mmap \
	tests/vm/scenarios/70-pcc-cache-fail \
	tests/vm/scenarios/70-pcc-cache-damaged \
	tests/vm/scenarios/70-pcc-cache-security \
	tests/vm/scenarios/70-pcc-cache-bigmap \
	tests/vm/scenarios/70-pcc-cache-stress-read \
	tests/vm/scenarios/70-pcc-cache-stress-mmap \
	tests/vm/scenarios/70-pcc-cache-stress-write \
	tests/vm/scenarios/70-pcc-cache-stress-trunc \
	tests/vm/scenarios/70-pcc-cache-stress-open \
	tests/vm/scenarios/70-pcc-cache-stress-fsx \
	tests/vm/scenarios/70-pcc-cache-badioctl \
	tests/vm/scenarios/70-pcc-cache-teardown \
	tests/vm/scenarios/71-pcc-rule-miss \
	tests/vm/scenarios/80-pccd-lifecycle \
	tests/vm/scenarios/81-pccd-restart \
	tests/vm/scenarios/82-pccd-reload-broken \
	tests/vm/scenarios/83-pcc-prefetch \
	tests/vm/scenarios/84-pcc-user \
	tests/vm/scenarios/85-pccd-kill9 \
	tests/vm/scenarios/86-pcc-enospc \
	tests/vm/scenarios/87-pccd-reboot \
	tests/vm/scenarios/88-pcc-evict-watermark \
	tests/vm/scenarios/88-pcc-two-nodes \
	tests/vm/scenarios/89-pcc-space-limits \
	tests/vm/scenarios/90-bench-smoke \
	tests/vm/selftest/check \
	tests/vm/selftest/expected \
	tests/vm/selftest/scenarios/pass \
	tests/vm/selftest/scenarios/fail-exit \
	tests/vm/selftest/scenarios/fail-kernel-warning \
	tests/vm/selftest/scenarios/fail-timeout \
	tests/vm/selftest/scenarios/skip \
	tests/vm/demo/10-training-epochs \
	tests/bench/run \
	tests/bench/scenarios/10-passthrough-ext4 \
	tests/bench/scenarios/20-cached \
	tests/bench/scenarios/30-pccd-scale \
	tests/bench/report \
	tests/bench/README.md \
	scripts/install-deps \
	scripts/demo \
	scripts/test \
	.ci/run

# Test programs run inside the VM guest (tests/vm/run installs every
# executable in tests/vm/progs/ into the guest's $PCC_TESTS).
noinst_PROGRAMS += tests/vm/progs/pcc-ns tests/vm/progs/pcc-xattr \
	tests/vm/progs/pcc-fattr tests/vm/progs/pcc-io tests/vm/progs/pcc-mmap \
	tests/vm/progs/pcc-open tests/vm/progs/pcc-cred tests/vm/progs/pcc-fuse \
	tests/vm/progs/pcc-fanotify
tests_vm_progs_pcc_ns_SOURCES = tests/vm/progs/pcc-ns.c tests/vm/progs/check.h
tests_vm_progs_pcc_xattr_SOURCES = tests/vm/progs/pcc-xattr.c \
	tests/vm/progs/check.h tests/vm/progs/acl-xattr.h
tests_vm_progs_pcc_fattr_SOURCES = tests/vm/progs/pcc-fattr.c \
	tests/vm/progs/check.h
tests_vm_progs_pcc_io_SOURCES = tests/vm/progs/pcc-io.c tests/vm/progs/check.h
tests_vm_progs_pcc_mmap_SOURCES = tests/vm/progs/pcc-mmap.c \
	tests/vm/progs/check.h
tests_vm_progs_pcc_mmap_LDADD = -lpthread
tests_vm_progs_pcc_open_SOURCES = tests/vm/progs/pcc-open.c tests/vm/progs/check.h
noinst_PROGRAMS += tests/vm/progs/pcc-hard
tests_vm_progs_pcc_hard_SOURCES = tests/vm/progs/pcc-hard.c tests/vm/progs/check.h \
	tests/vm/progs/acl-xattr.h
tests_vm_progs_pcc_hard_LDADD = -lpthread
tests_vm_progs_pcc_cred_SOURCES = tests/vm/progs/pcc-cred.c tests/vm/progs/check.h
tests_vm_progs_pcc_fuse_SOURCES = tests/vm/progs/pcc-fuse.c tests/vm/progs/check.h
tests_vm_progs_pcc_fanotify_SOURCES = tests/vm/progs/pcc-fanotify.c \
	tests/vm/progs/check.h
progs_common = tests/vm/progs/progs-common.c tests/vm/progs/progs-common.h
noinst_PROGRAMS += tests/vm/progs/pcc-nl
tests_vm_progs_pcc_nl_SOURCES = tests/vm/progs/pcc-nl.c
tests_vm_progs_pcc_nl_CPPFLAGS = $(AM_CPPFLAGS) $(NL_CFLAGS)
tests_vm_progs_pcc_nl_LDADD = $(LIBPCC_LIBS)
noinst_PROGRAMS += tests/vm/progs/pcc-fsx
tests_vm_progs_pcc_fsx_SOURCES = tests/vm/progs/pcc-fsx.c $(progs_common)
noinst_PROGRAMS += tests/vm/progs/pcc-bench
tests_vm_progs_pcc_bench_SOURCES = tests/vm/progs/pcc-bench.c \
	tests/vm/progs/bench-cached.c tests/vm/progs/bench-cached.h \
	tests/vm/progs/cache-copy.h $(progs_common)
# pcc-ctl makes cache copies and drives the ioctls; pcc-stress checks data
# and runs the bounded stress loops of the caching scenarios (70-*).
noinst_PROGRAMS += tests/vm/progs/pcc-ctl tests/vm/progs/pcc-stress
tests_vm_progs_pcc_ctl_SOURCES = tests/vm/progs/pcc-ctl.c \
	tests/vm/progs/cache-copy.h
tests_vm_progs_pcc_stress_SOURCES = tests/vm/progs/pcc-stress.c \
	tests/vm/progs/cache-copy.h $(progs_common)
tests_vm_progs_pcc_stress_LDADD = -lpthread
# pcc-store reports the fault path of stores to read-write files (73-*).
noinst_PROGRAMS += tests/vm/progs/pcc-store
tests_vm_progs_pcc_store_SOURCES = tests/vm/progs/pcc-store.c \
	tests/vm/progs/check.h tests/vm/progs/cache-copy.h
tests_vm_progs_pcc_store_LDADD = -lpthread
# pcc-epoch reads a tree as a training epoch does, timed (tests/vm/demo).
noinst_PROGRAMS += tests/vm/progs/pcc-epoch
tests_vm_progs_pcc_epoch_SOURCES = tests/vm/progs/pcc-epoch.c

# pcc-fsx checks itself on the build machine: a clean run passes and a
# corrupted model (-X) is caught.  The pcc-bench report script
# (tests/bench/passthrough.sh, run in a guest against a pcc mount) is
# checked here with a stand-in pcc-bench and one short real run.
TESTS += tests/vm/progs/check-fsx.sh tests/vm/progs/check-passthrough.sh
# tests/bench/run --from-log and report judge figures as issue 12 says.
TESTS += tests/bench/check-report.sh
EXTRA_DIST += tests/bench/check-report.sh tests/bench/meanings.md \
	docs/bench/misses.md
EXTRA_DIST += tests/vm/progs/check-fsx.sh tests/bench/passthrough.sh \
	tests/vm/progs/check-passthrough.sh
# pcc_cache_name() of the uapi header gives the documented names, through
# pcc-ctl name; and pcc-ctl's error lines.
TESTS += tests/vm/progs/check-pcc-ctl.sh
EXTRA_DIST += tests/vm/progs/check-pcc-ctl.sh
