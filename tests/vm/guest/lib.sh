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
