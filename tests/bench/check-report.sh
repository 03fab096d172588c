#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make check: tests/bench/run --from-log takes the figures out of a console
# log and tests/bench/report judges them.  A log made with pcc-bench record
# (exact medians) holds one target met and one missed of each kind, and a
# verb's own check of its data is exercised: pcc-bench verify must fail on
# a spoiled file.
#   PCC_BENCH_BIN  the real program (default tests/vm/progs/pcc-bench)
here=$(dirname "$0")
bench=${PCC_BENCH_BIN:-tests/vm/progs/pcc-bench}
dir=$(mktemp -d "${TMPDIR:-/tmp}/check-report.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT
fail() { echo "check-report: FAIL: $*"; exit 1; }

# rec SCENARIO ARGS...: a pcc-bench record line as the console shows it.
rec() {
	s=$1
	shift
	"$bench" record "$@" | sed "s/^/  $s| /" || fail "pcc-bench record $*"
}
{
	echo "PCC-VM: booted"
	echo "  20-cached| PCC-BENCH-BEGIN 20-cached"
	echo '  20-cached| {"info": "guest", "kernel": "k", "arch": "x86_64", "cpus": 2, "mem_kib": 2048000, "size_class": "full", "reps": 3, "delay_ms": 2, "lane": "x86_64-6.1"}'
	# B1 met (0.96), B4 missed (0.5), B3 warm met (time 1.1), cold missed (time 2)
	rec 20-cached --bench B1 --figure seq_read_cold pcc=96,96,96 cache_fs=100,100,100 nfs=10,10,10
	rec 20-cached --bench B4 --figure mmap_rand_4k pcc=50,50,50 cache_fs=100,100,100
	rec 20-cached --bench B3 --figure small_files_warm pcc=100,100,100 cache_fs=110,110,110
	rec 20-cached --bench B3 --figure small_files_cold pcc=50,50,50 cache_fs=100,100,100
	echo "  20-cached| PCC-BENCH-END 20-cached"
	echo "kernel noise"
	echo "  30-pccd-scale| PCC-BENCH-BEGIN 30-pccd-scale"
	rec 30-pccd-scale --bench B7 --figure pccd_hwm --unit KiB --lower-better n10=1000,1000,1000
	rec 30-pccd-scale --bench B7 --figure pccd_hwm --unit KiB --lower-better n100000=40000,40000,40000
	rec 30-pccd-scale --bench B7 --figure pccd_startup --unit s --lower-better n100000=2,3,4
	echo "  30-pccd-scale| PCC-BENCH-END 30-pccd-scale"
} > "$dir/console.log"
"$here/run" --from-log "$dir/console.log" --out "$dir/out" > /dev/null ||
	fail "tests/bench/run --from-log failed"
md=$dir/out/RESULTS.md
cat "$md"
grep -q '^| B1 | seq_read_cold: pcc / copy read directly, cold | 0.960 | >= 0.95 | yes |$' "$md" ||
	fail "B1 at 0.96 not met"
grep -q '^| B2 | seq_read_cold: speed-up over NFS, cold | 9.600 |' "$md" || fail "B2"
grep -q '^| B4 | mmap_rand_4k: pcc / copy mapped directly | 0.500 | >= 0.9 | \*\*no\*\* |$' "$md" ||
	fail "B4 at 0.5 not missed"
grep -q '^| B3 | small_files_warm: pcc time / direct time, warm | 1.100 | <= 1.2 | yes |$' "$md" ||
	fail "B3 warm at 1.1 not met"
grep -q '^| B3 | small_files_cold: pcc time / direct time, cold | 2.000 | <= 1.2 | \*\*no\*\* |$' "$md" ||
	fail "B3 cold at 2.0 not missed"
grep -q '^| B7 | pccd_hwm: VmHWM at 100,000 copies (KiB) | 40000 | <= 32768 | \*\*no\*\* |$' "$md" ||
	fail "B7 hwm of 40000 not missed"
grep -q '^| B7 | pccd_startup: start-up at 100,000 copies (s) | 3.00 | < 10 | yes |$' "$md" ||
	fail "B7 start-up of 3 s not met"
grep -q '^| B6 | .* | not measured |' "$md" || fail "B6 not said to be unmeasured"
grep -q '^### B4 mmap_rand_4k pcc/cache_fs$' "$md" || fail "B4 not listed as missed"
[ "$(grep -c '"bench": ' "$dir/out/RESULTS.json")" = 7 ] || fail "RESULTS.json lacks figures"

# A reader of the wrong data fails instead of reporting.
"$bench" mkfile 1m "$dir/f" || fail "mkfile"
"$bench" verify "$dir/f" > /dev/null || fail "verify of a good file"
printf 'X' | dd of="$dir/f" bs=1 seek=70000 conv=notrunc 2>/dev/null
if "$bench" verify "$dir/f" 2>/dev/null; then fail "verify passed a spoiled file"; fi
printf 'X' | dd of="$dir/f" bs=1 seek=8192 conv=notrunc 2>/dev/null
if "$bench" seqread --bench X --figure x -r 1 a="$dir/f" > /dev/null 2>&1; then
	fail "seqread read a spoiled word and reported"
fi
echo "check-report: PASS"
