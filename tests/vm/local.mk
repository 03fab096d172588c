# SPDX-License-Identifier: GPL-2.0-only
# The VM harness and its scenarios are shipped, not built: tests/vm/run
# builds what it needs.  Test programs that run in the guest are built here
# (noinst_PROGRAMS under tests/vm/progs/) so they follow --host.
EXTRA_DIST += \
	tests/vm/README.md \
	tests/vm/run \
	tests/vm/debug.config \
	tests/vm/lib/common.sh \
	tests/vm/lib/kernels.sh \
	tests/vm/lib/build.sh \
	tests/vm/lib/initramfs.sh \
	tests/vm/guest/init \
	tests/vm/guest/lib.sh \
	tests/vm/guest/passwd \
	tests/vm/guest/group \
	tests/vm/guest/modules \
	tests/vm/scenarios/10-module-load \
	tests/vm/scenarios/20-pccd \
	tests/vm/scenarios/30-pcc-version \
	tests/vm/selftest/check \
	tests/vm/selftest/expected \
	tests/vm/selftest/scenarios/pass \
	tests/vm/selftest/scenarios/fail-exit \
	tests/vm/selftest/scenarios/fail-kernel-warning \
	tests/vm/selftest/scenarios/fail-timeout \
	tests/vm/selftest/scenarios/skip \
	tests/vm/demo/10-versions \
	scripts/install-deps \
	scripts/demo \
	scripts/test \
	.ci/run

# Guest test programs: libc (and libpthread) only, so that they cross-build
# for every lane; the harness installs them in the guest's $PCC_TESTS.
progs_common = tests/vm/progs/progs-common.c tests/vm/progs/progs-common.h
noinst_PROGRAMS += tests/vm/progs/pcc-fsx
tests_vm_progs_pcc_fsx_SOURCES = tests/vm/progs/pcc-fsx.c $(progs_common)
noinst_PROGRAMS += tests/vm/progs/pcc-bench
tests_vm_progs_pcc_bench_SOURCES = tests/vm/progs/pcc-bench.c $(progs_common)

# pcc-fsx checks itself on the build machine: a clean run passes and a
# corrupted model (-X) is caught.  The pcc-bench report script
# (tests/bench/passthrough.sh, run in a guest against a pcc mount) is
# checked here with a stand-in pcc-bench and one short real run.
TESTS += tests/vm/progs/check-fsx.sh tests/vm/progs/check-passthrough.sh
EXTRA_DIST += tests/vm/progs/check-fsx.sh tests/bench/passthrough.sh \
	tests/vm/progs/check-passthrough.sh
