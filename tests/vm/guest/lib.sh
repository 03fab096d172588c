# SPDX-License-Identifier: GPL-2.0-only
# Helpers for scenario scripts: . "$PCC_TESTLIB"
# A scenario runs as root in the guest; exit 0 passes, 77 skips, anything
# else fails.  Each assertion is a command that must succeed.
set -eu

# say MESSAGE: a line in the log, naming the scenario.
say() { printf '%s: %s\n' "${0##*/}" "$*"; }
# fail MESSAGE: stop the scenario as failed.
fail() { say "FAIL: $*"; exit 1; }
# skip MESSAGE: stop the scenario as skipped.
skip() { say "SKIP: $*"; exit 77; }

# The CI form of a scenario is bounded so that CI's five boots fit in its
# hour; --long (PCC_LONG=1) runs the long form everywhere.
#
# power_cut: end the first boot of a power-cut scenario ("# pcc-vm:
# power-cut LANE..." in its header) as a power cut would: nothing synced
# or unmounted; tests/vm/run kills QEMU on this line and boots again on
# the same disk with PCC_PHASE=2.  To the console at once: the scenario's
# own output is shown only when it ends.
power_cut() {
	say "cutting the power"
	echo "PCC-POWER-CUT $PCC_BOOT" > /dev/console
	sleep 600
	fail "the power was not cut (not a power-cut boot of tests/vm/run?)"
}

# ci_lanes LANE_OR_BOOT...: the CI form runs on these lanes (or boots, such
# as arm64-6.1-max) only.
ci_lanes() {
	local l
	[ "${PCC_LONG:-0}" = 1 ] && return 0
	for l in "$@"; do
		[ "$PCC_LANE" = "$l" ] || [ "$PCC_BOOT" = "$l" ] && return 0
	done
	skip "CI form on $* only (tests/vm/run --long runs it here)"
}
# ci_one_arm64_cpu: arm64 boots twice, on two CPUs that differ in the fault
# path (tests/vm/run).  A scenario that does not exercise it runs its CI
# form on the first (cortex-a57) only.
ci_one_arm64_cpu() {
	[ "${PCC_LONG:-0}" = 1 ] || [ "$PCC_BOOT" != arm64-6.1-max ] ||
		skip "CI form on one arm64 CPU (cortex-a57) only: no fault-path code of its own"
}
# ci_no_arm64: the daemon's and the CLI's scenarios have no
# architecture-specific kernel path of their own (the module's netlink and
# eviction on arm64 are 60-62 and 72): their CI form runs on the x86_64
# lanes only.
ci_no_arm64() {
	[ "${PCC_LONG:-0}" = 1 ] && return 0
	case $PCC_LANE in
	arm64-*) skip "CI form on the x86_64 lanes only: no arm64-specific kernel path" ;;
	esac
}
# ci_daemon_only: a scenario of the daemon's own logic (its lifecycle,
# prefetch, users' requests, a kill -9, two nodes) whose kernel paths
# other scenarios run on every lane (60-62, 70-72, 88-pcc-evict-watermark,
# 89): its CI form runs on x86_64-6.1 and 6.12, not on arm64 nor on the
# debug kernel, where it took a third of the lane's time.
ci_daemon_only() {
	ci_lanes x86_64-6.1 x86_64-6.12
}
# slow_lane: true on the lanes that run about three times slower than
# x86_64-6.1 under TCG (arm64 emulation, the KASAN/lockdep kernel); the CI
# form of an operation count divides by four there.
slow_lane() {
	[ "${PCC_LONG:-0}" != 1 ] || return 1
	case $PCC_LANE in arm64-*|*-debug) return 0 ;; esac
	return 1
}

# run CMD...: echo a command, then run it.
run() { printf '+ %s\n' "$*"; "$@"; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# expect_match WHAT REGEX TEXT
expect_match() {
	printf '%s\n' "$3" | grep -Eq -- "$2" || fail "$1: '$3' does not match /$2/"
}

# expect_fail CMD...: the command must fail.
expect_fail() {
	if "$@"; then fail "expected failure: $*"; fi
}

# load_pcc: load the module under test if it is not loaded yet.
load_pcc() {
	grep -q '^pcc ' /proc/modules || run modprobe pcc
}

# start_pccd CONF SOCKET: start pccd (in the foreground, as a background
# job, logging to /tmp/pccd.log) and wait for its socket; PCCD_PID is its pid.
start_pccd() {
	pccd -f -c "$1" -s "$2" > /tmp/pccd.log 2>&1 &
	PCCD_PID=$!
	local i=0
	while [ ! -S "$2" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || { cat /tmp/pccd.log; fail "pccd made no socket $2 in 10 s"; }
		sleep 0.1
	done
}

# is_mounted DIR: something is mounted on DIR (busybox has no mountpoint).
is_mounted() {
	awk -v d="$1" '$2 == d { found = 1 } END { exit !found }' /proc/mounts
}

# nfs_setup: start the kernel NFS server (once per boot) exporting two
# directories of the scratch disk over loopback, and mount them:
#   $NFS4       NFSv4.2 of an export with no_root_squash
#   $NFS3       NFSv3 of the same export
#   $NFS_SQUASH NFSv4.2 of an export with root_squash (root acts as nobody)
# The mounts stay for the rest of the boot; scenarios clean up their files.
NFS4=/mnt/nfs4
NFS3=/mnt/nfs3
NFS_SQUASH=/mnt/nfs-squash
nfs_setup() {
	[ -f /run/pcc-nfs-up ] && return 0
	local export=$PCC_SCRATCH/nfs/export squash=$PCC_SCRATCH/nfs/squash
	local m
	for m in nfsd nfsv3 nfsv4; do modprobe -q "$m" 2>/dev/null || true; done
	grep -qw nfsd /proc/filesystems || fail "no nfsd in this kernel"
	mkdir -p /proc/fs/nfsd /var/lib/nfs/rpc_pipefs /var/lib/nfs/v4recovery \
		/var/lib/nfs/sm /var/lib/nfs/sm.bak \
		/run/rpcbind "$export" "$squash" "$NFS4" "$NFS3" "$NFS_SQUASH"
	chmod 1777 "$export" "$squash"
	is_mounted /proc/fs/nfsd || mount -t nfsd nfsd /proc/fs/nfsd
	touch /var/lib/nfs/etab /var/lib/nfs/rmtab
	chown statd /var/lib/nfs/sm /var/lib/nfs/sm.bak
	cat > /etc/exports <<-EOX
	$export 127.0.0.1(rw,sync,no_subtree_check,no_root_squash,fsid=1)
	$squash 127.0.0.1(rw,sync,no_subtree_check,root_squash,fsid=2)
	EOX
	# The NFSv4 grace period holds every open for its length after the
	# server starts: make it the shortest the kernel allows.
	echo 10 > /proc/fs/nfsd/nfsv4leasetime
	echo 10 > /proc/fs/nfsd/nfsv4gracetime
	rpcbind || fail "rpcbind did not start"
	exportfs -ra || fail "exportfs failed"
	rpc.mountd || fail "rpc.mountd did not start"
	rpc.nfsd 4 || fail "rpc.nfsd did not start"
	rpc.statd 2>/dev/null || fail "rpc.statd did not start"
	mount -t nfs -o vers=4.2 "127.0.0.1:$export" "$NFS4" || fail "NFSv4.2 mount failed"
	mount -t nfs -o vers=3 "127.0.0.1:$export" "$NFS3" || fail "NFSv3 mount failed"
	mount -t nfs -o vers=4.2 "127.0.0.1:$squash" "$NFS_SQUASH" ||
		fail "NFSv4.2 mount of the root_squash export failed"
	touch /run/pcc-nfs-up
}

# nfs_delay MS: MS milliseconds of delay (netem) on each packet leaving the
# loopback interface, the path of the guest's NFS traffic (client and
# server are both in the guest): a request and its reply each leave lo
# once, so every NFS round trip takes 2*MS ms longer, as ping shows.
# nfs_delay 0 removes it.  It affects all loopback traffic, and stays for
# the rest of the boot unless removed.
nfs_delay() {
	case ${1:-} in
	''|*[!0-9]*) fail "nfs_delay: whole milliseconds expected, got '${1:-}'" ;;
	esac
	modprobe -q sch_netem 2>/dev/null || true
	# iproute2's tc by its path: busybox sh runs its own applet, which
	# has no netem, for a bare "tc".
	if /sbin/tc qdisc show dev lo | grep -q netem; then
		/sbin/tc qdisc del dev lo root ||
			fail "nfs_delay: cannot remove the netem qdisc of lo"
	fi
	[ "$1" -gt 0 ] || return 0
	# A queue long enough for a full window of 64 KiB loopback packets:
	# netem drops what exceeds its limit (1000 by default), and a drop
	# on lo is a TCP retransmission, not a delay.
	/sbin/tc qdisc add dev lo root netem delay "${1}ms" limit 100000 ||
		fail "nfs_delay: tc qdisc add dev lo root netem delay ${1}ms failed"
}

# loopback_rtt_ms: the average ping round trip on lo in milliseconds
# (a decimal number), from five pings 20 ms apart.
loopback_rtt_ms() {
	ping -c 5 -i 0.02 -q 127.0.0.1 2>&1 |
		sed -n 's|.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*|\1|p'
}
