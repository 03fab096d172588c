#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make check: pcc_cache_name() of include/uapi/linux/pcc.h, through
# 'pcc-ctl name', gives the documented HH/HH/TYPE-HEXFH for known handles:
# the expected names were computed apart from the header, from its text
# (FNV-1a 32 low byte then second byte, type in minimal lowercase hex, the
# handle in hex, or h + FNV-1a 64 in 16 hex digits past 112 bytes).  Also
# the error format of pcc-ctl on a file that is not on pcc.
#   PCC_CTL   the program (default tests/vm/progs/pcc-ctl, from the build dir)
ctl=${PCC_CTL:-tests/vm/progs/pcc-ctl}
fail() { echo "check-pcc-ctl: FAIL: $*"; exit 1; }
[ -x "$ctl" ] || { echo "check-pcc-ctl: $ctl is not built"; exit 99; }

n=0
check() { # TYPE HEXFH EXPECTED
	got=$("$ctl" name "$1" "$2") || fail "pcc-ctl name $1 $2 exited $?"
	[ "$got" = "$3" ] || fail "name of type $1 fh '$2': expected '$3', got '$got'"
	n=$((n + 1))
}

# FNV-1a 32 of "a" is 0xe40c292c, of "" 0x811c9dc5 (the published vectors).
check 1 61 2c/29/1-61
check 1 '' c5/9d/1-
check 1 0102030405060708 8d/67/1-0102030405060708
# An NFS handle of 28 bytes, type 0x81.
check 0x81 030a11181f262d343b424950575e656c737a81888f969da4abb2b9c0 \
	09/25/81-030a11181f262d343b424950575e656c737a81888f969da4abb2b9c0
# The inode-number fallback (PCC_FH_TYPE_INO, little-endian u64 123456789).
check 0xffff 15cd5b0700000000 39/8d/ffff-15cd5b0700000000
check 0x1234 abcd a5/27/1234-abcd
check 0 00 1f/5d/0-00
# 112 bytes: still spelled out; 113 and 128: h + 16 hex digits.
fh112=000d1a2734414e5b6875828f9ca9b6c3d0ddeaf704111e2b3845525f6c798693a0adbac7d4e1eefb0815222f3c495663707d8a97a4b1becbd8e5f2ff0c192633404d5a6774818e9ba8b5c2cfdce9f603101d2a3744515e6b7885929facb9c6d3e0edfa0714212e3b4855626f7c8996a3
check 0x81 $fh112 75/52/81-$fh112
check 0x81 ${fh112}b0 1f/4c/81-hfb154affc183e01f
check 0xfe fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0dfdedddcdbdad9d8d7d6d5d4d3d2d1d0cfcecdcccbcac9c8c7c6c5c4c3c2c1c0bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0afaeadacabaaa9a8a7a6a5a4a3a2a1a09f9e9d9c9b9a999897969594939291908f8e8d8c8b8a89888786858483828180 \
	c5/d8/fe-h4ca0ed7d9d625025

# The ioctls on a file that is not on pcc: the documented error line, exit 1.
f=$(mktemp "${TMPDIR:-/tmp}/check-pcc-ctl.XXXXXX") || exit 99
trap 'rm -f "$f"' EXIT
for cmd in version attach detach state path; do
	out=$("$ctl" $cmd "$f" 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "pcc-ctl $cmd on a plain file exited $rc, expected 1"
	case $out in
	"pcc-ctl: $cmd $f: Inappropriate ioctl for device") ;;
	*) fail "pcc-ctl $cmd on a plain file said '$out'" ;;
	esac
done
out=$("$ctl" attach /nonexistent/x 2>&1)
[ "$out" = "pcc-ctl: attach /nonexistent/x: No such file or directory" ] ||
	fail "attach of a missing file said '$out'"
"$ctl" bogus > /dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown command must exit 2"
"$ctl" name 1 abc > /dev/null 2>&1
[ $? -eq 2 ] || fail "an odd-length handle must exit 2"
echo "check-pcc-ctl: OK ($n names)"
