# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the benchmark scenarios (tests/bench/scenarios), sourced after
# lib.sh, cache.sh and pccd.sh:
#   . "${PCC_TESTLIB%/*}/bench.sh"
# Sizes and repetitions follow the knobs tests/bench/run passes from the
# host (tests/vm/run copies PCC_BENCH_* into the guest):
#   PCC_BENCH_QUICK=1   small sizes, 2 repetitions: a run that works, not
#                       figures (development on a busy machine)
#   PCC_BENCH_SMOKE=1   tiny sizes, 1 repetition (the CI smoke scenario)
#   PCC_BENCH_REPS=N    repetitions (default 5; at least 5 for figures)
#   PCC_BENCH_DELAY_MS  latency netem adds to each packet on loopback,
#                       so to each NFS request and reply (default 2)
# Each benchmark appends its JSON lines (pcc-bench's format) to
# $BENCH_OUT; bench_emit prints them between markers on the console, where
# tests/bench/run finds them.

BENCH=$PCC_TESTS/pcc-bench
BENCH_OUT=/tmp/bench-results.jsonl
BENCH_SIZE_CLASS=full
if [ "${PCC_BENCH_SMOKE:-0}" = 1 ]; then
	BENCH_SIZE_CLASS=smoke
	BENCH_REPS=${PCC_BENCH_REPS:-1}
elif [ "${PCC_BENCH_QUICK:-0}" = 1 ]; then
	BENCH_SIZE_CLASS=quick
	BENCH_REPS=${PCC_BENCH_REPS:-2}
else
	BENCH_REPS=${PCC_BENCH_REPS:-5}
fi
BENCH_DELAY_MS=${PCC_BENCH_DELAY_MS:-2}
case $BENCH_REPS$BENCH_DELAY_MS in
*[!0-9]*) fail "PCC_BENCH_REPS and PCC_BENCH_DELAY_MS are numbers" ;;
esac

# bench_size FULL QUICK SMOKE: the one of the three this run uses.
bench_size() {
	case $BENCH_SIZE_CLASS in
	full) echo "$1" ;;
	quick) echo "$2" ;;
	*) echo "$3" ;;
	esac
}

# bench ARGS...: pcc-bench ARGS, its JSON line appended to $BENCH_OUT and
# shown; the scenario fails if it does.
bench() {
	local out
	printf '+ pcc-bench %s\n' "$*"
	out=$("$BENCH" "$@") || fail "pcc-bench $1 failed"
	printf '%s\n' "$out"
	printf '%s\n' "$out" >> "$BENCH_OUT"
}

# bench_emit NAME: the results so far between markers, for the host.
bench_emit() {
	echo "PCC-BENCH-BEGIN $1"
	cat "$BENCH_OUT" 2>/dev/null || true
	echo "PCC-BENCH-END $1"
}

# bench_info: one JSON line describing the guest (kernel, CPUs, memory,
# the sizes and knobs of this run).
bench_info() {
	local mem
	mem=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)
	printf '{"info": "guest", "kernel": "%s", "arch": "%s", "cpus": %s, "mem_kib": %s, "size_class": "%s", "reps": %s, "delay_ms": %s, "lane": "%s"}\n' \
		"$(uname -r)" "$(uname -m)" "$(nproc)" "$mem" "$BENCH_SIZE_CLASS" \
		"$BENCH_REPS" "$BENCH_DELAY_MS" "$PCC_LANE" >> "$BENCH_OUT"
}

# bench_note KEY TEXT: a fact the report shows (sizes, what was skipped).
bench_note() {
	printf '{"info": "note", "key": "%s", "text": "%s"}\n' "$1" "$2" >> "$BENCH_OUT"
}

# nfs_delay MS comes from lib.sh.

# fsc_setup DIR MNT: cachefilesd with its cache in DIR (on the scratch
# disk, as pcc's datasets) and the NFS export mounted on MNT with -o fsc;
# returns 1 (after saying why) if this kernel or guest cannot.
FSC_PID=
fsc_setup() {
	modprobe -q cachefiles 2>/dev/null || true
	if [ ! -e /dev/cachefiles ]; then
		say "no /dev/cachefiles (no cachefiles module on $PCC_LANE): no FS-Cache figures"
		return 1
	fi
	command -v cachefilesd > /dev/null || { say "no cachefilesd"; return 1; }
	mkdir -p "$1" "$2"
	cat > /tmp/cachefilesd.conf <<-EOC
	dir $1
	tag pccbench
	brun 10%
	bcull 7%
	bstop 3%
	EOC
	cachefilesd -n -s -p /run/cachefilesd.pid -f /tmp/cachefilesd.conf > /tmp/cachefilesd.log 2>&1 &
	FSC_PID=$!
	sleep 1
	kill -0 "$FSC_PID" 2>/dev/null ||
		{ cat /tmp/cachefilesd.log; fail "cachefilesd exited"; }
	# nosharecache: a superblock of its own, not $NFS4's (which has no fsc)
	run mount -t nfs -o vers=4.2,fsc,nosharecache "127.0.0.1:$EXPORT_DIR" "$2" ||
		fail "mount -o fsc failed"
	return 0
}

# fsc_cleanup MNT: unmounted, cachefilesd stopped.
fsc_cleanup() {
	! is_mounted "$1" || umount "$1" || say "cannot unmount $1"
	if [ -n "$FSC_PID" ]; then
		kill -TERM "$FSC_PID" 2>/dev/null || true
		wait "$FSC_PID" 2>/dev/null || true
		FSC_PID=
	fi
}

# fsc_settle DIR: wait until the FS-Cache directory stops growing (the
# cache writes behind the reads that filled it), at most 60 s.
fsc_settle() {
	local prev=-1 cur i=0
	sync
	while [ $i -lt 60 ]; do
		cur=$(du -sk "$1" 2>/dev/null | cut -f1)
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
		i=$((i + 1))
		sleep 1
	done
	say "FS-Cache at $1 still growing after 60 s"
}
