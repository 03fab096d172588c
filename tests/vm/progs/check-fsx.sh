#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make check: pcc-fsx must pass a clean run on a directory of the build
# machine, and must catch a corruption of its own model (-X) with exit 1
# and a mismatch report.  A checker that cannot fail proves nothing.
#   PCC_FSX   the program (default tests/vm/progs/pcc-fsx, from the build dir)
#   TMPDIR    where the test file goes (default /tmp)
fsx=${PCC_FSX:-tests/vm/progs/pcc-fsx}
dir=$(mktemp -d "${TMPDIR:-/tmp}/check-fsx.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT

fail() { echo "check-fsx: FAIL: $*"; exit 1; }

[ -x "$fsx" ] || { echo "check-fsx: $fsx is not built"; exit 99; }

# A clean run with every kind of operation, O_DIRECT if the fs has it.
"$fsx" -N 20000 -S 7 -D "$dir/clean" > "$dir/clean.out" 2>&1
rc=$?
cat "$dir/clean.out"
[ $rc -eq 0 ] || fail "clean run exited $rc, expected 0"
grep -q '^pcc-fsx: 20000 ops OK (' "$dir/clean.out" || fail "no summary line"

# The model spoiled at op 500 must be reported as a mismatch there.
"$fsx" -N 2000 -S 7 -X 500 "$dir/corrupt" > "$dir/corrupt.out" 2>&1
rc=$?
cat "$dir/corrupt.out"
[ $rc -eq 1 ] || fail "corrupted run exited $rc, expected 1"
for want in 'MISMATCH at op 500 ' '^  expected:' '^  got:' \
	'the last [0-9]* operations' 'corrupt .* in the model' '-S 7 '; do
	grep -q -- "$want" "$dir/corrupt.out" || fail "report lacks /$want/"
done

# Usage errors are told apart from mismatches.
"$fsx" -N x "$dir/usage" > /dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || fail "bad -N exited $rc, expected 2"
echo "check-fsx: OK"
