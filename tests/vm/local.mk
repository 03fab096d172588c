# SPDX-License-Identifier: GPL-2.0-only
# Test programs run inside the VM guest (tests/vm/run installs every
# executable in tests/vm/progs/ into the guest's $PCC_TESTS).
noinst_PROGRAMS += tests/vm/progs/pcc-ns tests/vm/progs/pcc-xattr \
	tests/vm/progs/pcc-io tests/vm/progs/pcc-mmap
tests_vm_progs_pcc_ns_SOURCES = tests/vm/progs/pcc-ns.c tests/vm/progs/check.h
tests_vm_progs_pcc_xattr_SOURCES = tests/vm/progs/pcc-xattr.c \
	tests/vm/progs/check.h
tests_vm_progs_pcc_io_SOURCES = tests/vm/progs/pcc-io.c tests/vm/progs/check.h
tests_vm_progs_pcc_mmap_SOURCES = tests/vm/progs/pcc-mmap.c \
	tests/vm/progs/check.h
tests_vm_progs_pcc_mmap_LDADD = -lpthread

EXTRA_DIST += tests/vm/README.md tests/vm/run tests/vm/debug.config \
	tests/vm/guest/init tests/vm/guest/lib.sh tests/vm/guest/passthrough.sh \
	tests/vm/guest/modules tests/vm/guest/passwd tests/vm/guest/group \
	tests/vm/lib/build.sh tests/vm/lib/common.sh tests/vm/lib/initramfs.sh \
	tests/vm/lib/kernels.sh \
	tests/vm/scenarios/10-module-load tests/vm/scenarios/20-pcc-mount \
	tests/vm/scenarios/21-pcc-namespace tests/vm/scenarios/22-pcc-attr \
	tests/vm/scenarios/23-pcc-xattr tests/vm/scenarios/24-pcc-io \
	tests/vm/scenarios/25-pcc-mmap \
	tests/vm/selftest/check tests/vm/selftest/expected \
	tests/vm/selftest/scenarios/fail-exit \
	tests/vm/selftest/scenarios/fail-kernel-warning \
	tests/vm/selftest/scenarios/fail-timeout \
	tests/vm/selftest/scenarios/pass tests/vm/selftest/scenarios/skip
