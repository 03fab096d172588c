# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the caching scenarios (70-pcc-cache-*), sourced after lib.sh:
#   . "$PCC_TESTLIB"; . "${PCC_TESTLIB%/*}/cache.sh"
# A scenario gets a pcc mount over its own directory of the NFSv4.2 export,
# a dataset on the ext4 scratch disk, and the tools:
#   $CTL     pcc-ctl: copies and ioctls      $STRESS  pcc-stress: data
#   $NL      pcc-nl: datasets, stats, events (branch h1)
# Every helper fails the scenario on an unexpected result.

# cfail MESSAGE: fail, on stderr, so a helper called inside $(...) is heard.
cfail() { say "FAIL: $*" >&2; exit 1; }

CTL=$PCC_TESTS/pcc-ctl
STRESS=$PCC_TESTS/pcc-stress
NL=$PCC_TESTS/pcc-nl
# Where lib.sh's nfs_setup exports from: writing there is writing on the
# NFS server directly, behind the client's back.
EXPORT_DIR=$PCC_SCRATCH/nfs/export
# Scenario time of the stress loops: short in CI, minutes with --long.
# (CI runs five boots: the short form keeps its share of the hour small.)
if [ "${PCC_LONG:-0}" = 1 ]; then STRESS_SECS=120; else STRESS_SECS=6; fi

# cache_setup NAME [ATTACH]: nfs_setup, then
#   SRV    $EXPORT_DIR/NAME, the directory on the server side
#   LOWER  $NFS4/NAME, the same directory through NFSv4.2
#   MNT    a pcc mount of LOWER
#   CACHE  the root of dataset 1 (mode 0700, on the scratch ext4)
# and dataset 1 added with the attach policy ATTACH (pcc-nl's syntax:
# open,stat,io by default, or none).  PCC_MOUNT_OPTS, if set, are the
# mount's options (-o).  The EXIT trap undoes it all.
cache_setup() {
	CACHE_NAME=$1
	load_pcc
	nfs_setup
	[ -x "$NL" ] || fail "no $NL: the netlink test program (branch h1) is not built"
	SRV=$EXPORT_DIR/$1 LOWER=$NFS4/$1 MNT=/mnt/pcc-$1 CACHE=$PCC_SCRATCH/cache-$1
	rm -rf "$SRV" "$CACHE"
	mkdir -p "$SRV" "$MNT"
	chmod 0777 "$SRV"
	mkdir -m 0700 "$CACHE"
	run mount -t pcc ${PCC_MOUNT_OPTS:+-o "$PCC_MOUNT_OPTS"} "$LOWER" "$MNT"
	trap cache_cleanup EXIT
	ds_add 1 "$CACHE" "${2:-open,stat,io}"
}

# cache_cleanup [RC]: background jobs ended, fault injection off,
# unmounted; exits with RC (default: the status it was called with).  A
# scenario with its own EXIT trap passes the status on (under set -e,
# "(exit $rc)" in a trap would end the trap there).
cache_cleanup() {
	local rc=${1:-$?} j
	cd /
	for j in $(jobs -p); do kill "$j" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ ! -e /sys/kernel/debug/pcc/fail_loc ] || "$CTL" fail off || true
	if is_mounted "$MNT"; then
		"$NL" clear "$MNT" > /dev/null 2>&1 || true
		umount "$MNT" || { say "umount $MNT failed"; rc=1; }
	fi
	rm -rf "$SRV" "$CACHE"
	exit $rc
}

# ds_add ID DIR ATTACH [MNT]: add a dataset (mode ro, no rule).
ds_add() {
	run "$NL" add "${4:-$MNT}" "$1" "$2" --attach "$3" ||
		fail "pcc-nl add $1 $2 failed"
}
# ds_set ID ATTACH [MNT]: change a dataset's attach policy in place.
ds_set() {
	run "$NL" set "${3:-$MNT}" "$1" --attach "$2" || fail "pcc-nl set $1 failed"
}
# ds_del ID [MNT]
ds_del() {
	run "$NL" del "${2:-$MNT}" "$1" || fail "pcc-nl del $1 failed"
}

# stat_get NAME [MNT]: one counter of the mount's stats (pcc-nl mount's
# "stat.NAME N" lines, NAME as enum pcc_stat in lower case: hit_bytes, ...)
stat_get() {
	local v
	v=$("$NL" mount "${2:-$MNT}" | awk -v k="stat.$1" '$1 == k { print $2 }')
	case $v in
	''|*[!0-9]*) cfail "no stat '$1' in pcc-nl mount ${2:-$MNT}" ;;
	esac
	echo "$v"
}

# nfsd_read_bytes: bytes the NFS server has read from files for clients
# (the io line of /proc/net/rpc/nfsd).
nfsd_read_bytes() {
	awk '$1 == "io" { print $2 }' /proc/net/rpc/nfsd
}

# drop_pages: drop clean page cache (NFS client and copies), keep inodes, so
# that attached files stay attached and the next read goes to a backing.
drop_pages() {
	sync
	echo 1 > /proc/sys/vm/drop_caches
}

# drop_all: drop page cache, dentries and inodes (evicts unused pcc inodes).
drop_all() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
}

# state_of FILE: "type dataset flags" of FILE through its directory (the
# file is not opened, so this never attaches it).
state_of() {
	local out
	out=$("$CTL" state --dir "${1%/*}" "${1##*/}") || cfail "state of $1 failed"
	printf '%s\n' "$out" | awk '
		$1 == "type" { t = $2 } $1 == "dataset" { d = $2 }
		$1 == "flags" { $1 = ""; f = substr($0, 2) }
		END { print t, d, f }'
}

# expect_type FILE TYPE: the file's state (asked of its directory) is TYPE.
expect_type() {
	local s
	s=$(state_of "$1") || exit 1
	[ "${s%% *}" = "$2" ] || fail "$1: state '$s', expected type $2"
}

# expect_flag FILE WORD: the state flags name WORD (unlinked, none, ...).
expect_flag() {
	local s
	s=$(state_of "$1") || exit 1
	case " $s " in *" $2 "*) ;; *) fail "$1: state '$s' lacks flag $2" ;; esac
}

# wait_clean COPY SECONDS: the copy's dirty mark goes within SECONDS (a
# lazy write-back, by the module's work).
wait_clean() {
	local i=0
	while [ $i -lt "$2" ]; do
		case $("$CTL" copyinfo "$1") in
		*"dirty no"*) return 0 ;;
		esac
		sleep 1
		i=$((i + 1))
	done
	fail "$1 still dirty after $2 s"
}

# copy_of FILE [ROOT]: the path of FILE's copy in the dataset ROOT.
copy_of() {
	local rel
	rel=$("$CTL" path "$1") || cfail "pcc-ctl path $1 failed"
	echo "${2:-$CACHE}/$rel"
}

# expect_errno WHAT ERRTEXT CMD...: CMD fails, saying ERRTEXT (strerror).
expect_errno() {
	local what=$1 want=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		fail "$what: succeeded, expected '$want'"
	fi
	case $out in
	*": $want") say "$what: $out" ;;
	*) fail "$what: said '$out', expected '$want'" ;;
	esac
}

# events_start FILE: listen to the events group into FILE (pcc-nl listen),
# once it says "listening".  Lines: "event NAME mount N ino N fh T:HEX
# [dataset N] [reason N] [errno N] [path P]"; reasons are numbers (enum
# pcc_detach_reason: 1 manual, 2 stale, 3 local change, 4 dataset, 5 copy
# gone, 6 error).
events_start() {
	local i=0
	"$NL" listen > "$1" 2>&1 &
	EVENTS_PID=$!
	until grep -q '^listening' "$1"; do
		i=$((i + 1))
		[ $i -le 100 ] || { cat "$1"; fail "pcc-nl listen did not start"; }
		kill -0 $EVENTS_PID 2>/dev/null || { cat "$1"; fail "pcc-nl listen failed"; }
		sleep 0.1
	done
}

# events_expect FILE REGEX: an event line matching REGEX arrives within 5 s.
events_expect() {
	local i=0
	until grep -Eq -- "$2" "$1"; do
		i=$((i + 1))
		[ $i -le 50 ] || { cat "$1"; fail "no event matching /$2/"; }
		sleep 0.1
	done
}

# stress ARGS...: pcc-stress run ARGS, its output shown; the scenario fails
# if the run does.  stress_stat NAME: a count of the last run.
stress() {
	printf '+ pcc-stress run %s\n' "$*"
	"$STRESS" run "$@" > /tmp/stress.out 2>&1 ||
		{ cat /tmp/stress.out; fail "pcc-stress run failed"; }
	tr '\n' ' ' < /tmp/stress.out
	echo
}
stress_stat() {
	awk -v k="$1" '$1 == "stat" && $2 == k { v = $3 } END { print v + 0 }' /tmp/stress.out
}
# stress_min NAME MIN: the last run counted at least MIN of NAME (a loop
# that never ran proves nothing).  For runs pcc-stress times itself, its
# -M NAME=MIN does the same and runs longer on a slow machine instead.
stress_min() {
	local v
	v=$(stress_stat "$1")
	[ "$v" -ge "$2" ] || fail "pcc-stress: $1 = $v, expected at least $2"
}
