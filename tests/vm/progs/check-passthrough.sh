#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make check: passthrough.sh reads pcc-bench's JSON into its table and
# applies its threshold.  A stand-in pcc-bench with fixed figures makes the
# threshold logic exact; one short real run checks the two programs agree.
#   PCC_BENCH_BIN  the real program (default tests/vm/progs/pcc-bench)
script=$(dirname "$0")/../../bench/passthrough.sh
real=${PCC_BENCH_BIN:-tests/vm/progs/pcc-bench}
dir=$(mktemp -d "${TMPDIR:-/tmp}/check-passthrough.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/lower" "$dir/mnt"

fail() { echo "check-passthrough: FAIL: $*"; exit 1; }

# run EXPECTED-EXIT ARGS...: passthrough.sh on the two directories.
run() {
	want=$1
	shift
	"$script" "$@" > "$dir/out" 2>&1
	rc=$?
	cat "$dir/out"
	[ $rc -eq "$want" ] || fail "passthrough.sh $* exited $rc, expected $want"
}

cat > "$dir/fake-bench" <<'FAKE'
#!/bin/sh
cat <<'JSON'
{
  "size": 1048576, "block": 65536, "files": 10, "reps": 5, "drop_caches": false,
  "dirs": [
    {"dir": "/x/lower", "figures": [
      {"figure": "seq_write", "unit": "MiB/s", "median": 100.000, "min": 90.000, "max": 110.000, "samples": [100.000], "ratio": null},
      {"figure": "seq_read", "unit": "MiB/s", "median": 200.000, "min": 190.000, "max": 210.000, "samples": [200.000], "ratio": null},
      {"figure": "open_fstat_close", "unit": "ops/s", "median": 1000.000, "min": 900.000, "max": 1100.000, "samples": [1000.000], "ratio": null},
      {"figure": "open_read_close", "unit": "ops/s", "median": 1000.000, "min": 900.000, "max": 1100.000, "samples": [1000.000], "ratio": null},
      {"figure": "mmap_seq_read", "unit": "MiB/s", "median": 150.000, "min": 140.000, "max": 160.000, "samples": [150.000], "ratio": null},
      {"figure": "mmap_rand_read", "unit": "MiB/s", "median": 2000.000, "min": 1900.000, "max": 2100.000, "samples": [2000.000], "ratio": null}
    ]},
    {"dir": "/x/mnt", "figures": [
      {"figure": "seq_write", "unit": "MiB/s", "median": 97.000, "min": 90.000, "max": 110.000, "samples": [97.000], "ratio": 0.9700},
      {"figure": "seq_read", "unit": "MiB/s", "median": 188.000, "min": 180.000, "max": 210.000, "samples": [188.000], "ratio": 0.9400},
      {"figure": "open_fstat_close", "unit": "ops/s", "median": 1100.000, "min": 900.000, "max": 1200.000, "samples": [1100.000], "ratio": 1.1000},
      {"figure": "open_read_close", "unit": "ops/s", "median": 500.000, "min": 400.000, "max": 600.000, "samples": [500.000], "ratio": 0.5000},
      {"figure": "mmap_seq_read", "unit": "MiB/s", "median": 147.000, "min": 140.000, "max": 160.000, "samples": [147.000], "ratio": 0.9800},
      {"figure": "mmap_rand_read", "unit": "MiB/s", "median": 600.000, "min": 500.000, "max": 700.000, "samples": [600.000], "ratio": 0.3000}
    ]}
  ]
}
JSON
FAKE
chmod +x "$dir/fake-bench"
export PCC_BENCH="$dir/fake-bench"

run 0 "$dir/lower" "$dir/mnt"
grep -q '^| seq_read (MiB/s) | 200.00 | 188.00 | 0.940 |$' "$dir/out" || fail "wrong table row"
grep -q 'seq_read: pcc/lower 0.940 is below 0.95 (not enforced)' "$dir/out" ||
	fail "slow figure not named"
grep -q 'open_read_close: pcc/lower 0.500 (reported, not held to 0.95)' "$dir/out" ||
	fail "informational figure not reported as such"
grep -q '^| mmap_rand_read (MiB/s) | 2000.00 | 600.00 | 0.300 |$' "$dir/out" ||
	fail "no mmap_rand_read row"
grep -q 'mmap_rand_read: pcc/lower 0.300 (reported, not held to 0.95)' "$dir/out" ||
	fail "mmap_rand_read not reported as informational"
run 1 --enforce "$dir/lower" "$dir/mnt"
grep -q 'seq_write: pcc/lower' "$dir/out" && fail "0.97 reported below 0.95"
grep -q 'mmap_seq_read: pcc/lower' "$dir/out" && fail "0.98 reported below 0.95"
# open_read_close (0.5) and mmap_rand_read (0.3) are informational: they
# must not fail an enforced run.
run 0 --enforce --threshold 0.9 "$dir/lower" "$dir/mnt"
# mmap_seq_read (0.98) is enforced.
run 1 --enforce --threshold 0.99 "$dir/lower" "$dir/mnt"
grep -q 'mmap_seq_read: pcc/lower 0.980 is below 0.99$' "$dir/out" ||
	fail "mmap_seq_read not enforced"
run 2 --threshold x "$dir/lower" "$dir/mnt"
run 2 "$dir/lower"
# As a bare guest scenario, with no directories to compare, it skips.
PCC_TESTLIB=/dev/null run 77
LOWER=$dir/lower MNT=$dir/mnt run 1 --enforce --threshold 0.98

# --also: a third directory, shown as a reference and never enforced (its
# ratios of 0.5 are under the threshold of 0.9 that pcc passes).
mkdir "$dir/ref"
sed -e 's|^    \]}$|&,|' -e '/^  \]$/i\
    {"dir": "/x/ref", "figures": [\
      {"figure": "seq_write", "unit": "MiB/s", "median": 50.000, "min": 50.000, "max": 50.000, "samples": [50.000], "ratio": 0.5000},\
      {"figure": "seq_read", "unit": "MiB/s", "median": 100.000, "min": 100.000, "max": 100.000, "samples": [100.000], "ratio": 0.5000},\
      {"figure": "open_fstat_close", "unit": "ops/s", "median": 800.000, "min": 800.000, "max": 800.000, "samples": [800.000], "ratio": 0.8000},\
      {"figure": "open_read_close", "unit": "ops/s", "median": 700.000, "min": 700.000, "max": 700.000, "samples": [700.000], "ratio": 0.7000},\
      {"figure": "mmap_seq_read", "unit": "MiB/s", "median": 75.000, "min": 75.000, "max": 75.000, "samples": [75.000], "ratio": 0.5000},\
      {"figure": "mmap_rand_read", "unit": "MiB/s", "median": 1000.000, "min": 1000.000, "max": 1000.000, "samples": [1000.000], "ratio": 0.5000}\
    ]}' "$dir/fake-bench" > "$dir/fake-bench3"
chmod +x "$dir/fake-bench3"
PCC_BENCH="$dir/fake-bench3" run 0 --enforce --threshold 0.9 --also overlayfs="$dir/ref" "$dir/lower" "$dir/mnt"
grep -q '^| figure | lower median | pcc median | ratio | overlayfs median | ratio |$' "$dir/out" ||
	fail "no reference columns"
grep -Fqx "lower: $dir/lower, pcc: $dir/mnt, overlayfs: $dir/ref" "$dir/out" ||
	fail "the reference directory is not named"
grep -q '^| open_fstat_close (ops/s) | 1000.00 | 1100.00 | 1.100 | 800.00 | 0.800 |$' "$dir/out" ||
	fail "wrong reference row"
# Two directories' figures where three were asked for: not readable.
run 3 --also overlayfs="$dir/ref" "$dir/lower" "$dir/mnt"
run 2 --also overlayfs "$dir/lower" "$dir/mnt"
run 2 --also "over lay=$dir/ref" "$dir/lower" "$dir/mnt"
run 2 --also overlayfs="$dir/none" "$dir/lower" "$dir/mnt"
run 2 --also "overlayfs=$dir/ref
$dir/ref" "$dir/lower" "$dir/mnt"

# The real program, briefly: six rows of numbers, and the ratios apply.
[ -x "$real" ] || { echo "check-passthrough: $real is not built"; exit 99; }
export PCC_BENCH="$real"
run 0 --no-drop-caches "$dir/lower" "$dir/mnt" -- -r 1 -s 1m -b 64k -n 20
[ "$(grep -Ec '^\| [a-z_]+ \((MiB|ops)/s\) \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|$' "$dir/out")" -eq 6 ] ||
	fail "the real run did not give six rows"
run 0 --no-drop-caches --also ref="$dir/ref" "$dir/lower" "$dir/mnt" -- -r 1 -s 1m -b 64k -n 20
[ "$(grep -Ec '^\| [a-z_]+ \((MiB|ops)/s\)( \| [0-9.]+){5} \|$' "$dir/out")" -eq 6 ] ||
	fail "the real run with a reference did not give six rows of five numbers"
run 1 --no-drop-caches --enforce --threshold 1000 "$dir/lower" "$dir/mnt" -- -r 1 -s 1m -b 64k -n 20
echo "check-passthrough: OK"
