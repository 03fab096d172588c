# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the daemon and CLI scenarios (8x-pcc*), sourced after lib.sh
# and cache.sh:
#   . "$PCC_TESTLIB"; . "${PCC_TESTLIB%/*}/cache.sh"; . "${PCC_TESTLIB%/*}/pccd.sh"
# pccd runs in the foreground as a background job of the scenario, with
# the configuration file $CONF and the socket $PCC_SOCKET (exported: pcc
# finds it there too, for root and for the test users), logging to
# $PCCD_LOG.  A scenario gets, from pccd_setup NAME (as cache_setup):
#   SRV    $EXPORT_DIR/NAME, the directory on the NFS server's side
#   LOWER  $NFS4/NAME, the same directory through NFSv4.2
#   MNT    /mnt/pcc-NAME, the mount point pccd mounts LOWER on
#   CACHE  a dataset directory on the scratch ext4 (mode 0700, empty)
# Every helper fails the scenario on an unexpected result.

CONF=/etc/pcc/pcc.yaml
PCC_SOCKET=/run/pcc/pccd.sock
export PCC_SOCKET
PCCD_LOG=/tmp/pccd.log
PCCD_PID=
PCCD_LOG_FROM=1
# Mounts pccd_cleanup clears and unmounts, paths it removes, and mounts it
# unmounts after those (a small cache filesystem).  Scenarios add to them.
PCCD_UMOUNT=
PCCD_RM=
PCCD_UMOUNT_LAST=
# How long a copy may take before a wait gives up (seconds).
if [ "${PCC_LONG:-0}" = 1 ]; then PCCD_WAIT=300; else PCCD_WAIT=60; fi

# pccd_setup NAME [--keep]: nfs_setup, pcc loaded, the directories above made (the
# mount point empty and unmounted), no pccd running; the EXIT trap undoes
# it all (pccd_cleanup).
# With --keep (the second boot of a power cut) SRV and CACHE are kept as
# the first boot left them.
pccd_setup() {
	load_pcc
	nfs_setup
	! pidof pccd > /dev/null || fail "a pccd is running already: $(pidof pccd)"
	SRV=$EXPORT_DIR/$1 LOWER=$NFS4/$1 MNT=/mnt/pcc-$1 CACHE=$PCC_SCRATCH/pccd-$1
	if [ "${2:-}" != --keep ]; then
		rm -rf "$SRV" "$CACHE"
		mkdir -m 0700 "$CACHE"
	fi
	mkdir -p "$SRV" "$MNT" /etc/pcc
	chmod 0777 "$SRV"
	: > "$PCCD_LOG"
	PCCD_UMOUNT=$MNT
	PCCD_RM="$SRV $CACHE $CONF"
	trap pccd_cleanup EXIT
}

# pccd_cleanup [RC]: pccd stopped (killed if it does not stop), its log shown
# when the scenario failed, the pcc mounts cleared and unmounted, the
# files removed; exits with RC (as cache_cleanup).
pccd_cleanup() {
	local rc=${1:-$?} j m
	cd /
	if [ -n "$PCCD_PID" ] && kill -0 "$PCCD_PID" 2>/dev/null; then
		kill -TERM "$PCCD_PID" 2>/dev/null || true
		j=0
		while kill -0 "$PCCD_PID" 2>/dev/null && [ $j -lt 50 ]; do
			j=$((j + 1))
			sleep 0.1
		done
		kill -KILL "$PCCD_PID" 2>/dev/null || true
	fi
	for j in $(jobs -p); do kill "$j" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ $rc -ne 0 ] && [ -s "$PCCD_LOG" ]; then
		say "pccd's log (last 80 lines):"
		tail -n 80 "$PCCD_LOG" | sed 's/^/  pccd.log| /'
	fi
	for m in $PCCD_UMOUNT; do
		is_mounted "$m" || continue
		"$NL" clear "$m" > /dev/null 2>&1 || true
		umount "$m" || { say "umount $m failed"; rc=1; }
	done
	for m in $PCCD_UMOUNT_LAST; do
		is_mounted "$m" || continue
		umount "$m" || { say "umount $m failed"; rc=1; }
	done
	rm -rf $PCCD_RM
	exit $rc
}

# The configuration, written by hand:
#   conf_begin
#   conf_mount PATH LOWER
#   conf_dataset PATH ROID [RULE [ATTACH]]   (ATTACH: "open, stat, io", "")
# RULE "" is no rule; ATTACH unset is the default (all three).
conf_begin() {
	printf '# written by %s\nmounts:\n' "${0##*/}" > "$CONF"
}
conf_mount() {
	printf '  - path: %s\n    lower: %s\n' "$1" "$2" >> "$CONF"
	conf_has_ds=0
}
conf_dataset() {
	[ "$conf_has_ds" = 1 ] || printf '    datasets:\n' >> "$CONF"
	conf_has_ds=1
	printf '      - path: %s\n        roid: %s\n' "$1" "$2" >> "$CONF"
	[ -z "${3:-}" ] || printf '        rule: "%s"\n' "$3" >> "$CONF"
	[ $# -lt 4 ] || printf '        attach: [%s]\n' "$4" >> "$CONF"
}
# conf_dataset_rw PATH RWID: a read-write dataset (mode rw).
conf_dataset_rw() {
	[ "$conf_has_ds" = 1 ] || printf '    datasets:\n' >> "$CONF"
	conf_has_ds=1
	printf '      - path: %s\n        rwid: %s\n        mode: rw\n' "$1" "$2" >> "$CONF"
}
# conf_sum: the checksum of the configuration file (changed or not).
conf_sum() {
	md5sum "$CONF" | cut -d' ' -f1
}

# pccd_start [OPTIONS...]: start pccd on $CONF and $PCC_SOCKET, and wait
# until it says it serves (it mounts and pushes the datasets before).
pccd_start() {
	local i=0
	PCCD_LOG_FROM=$(($(wc -l < "$PCCD_LOG") + 1))
	printf '+ pccd -f -c %s -s %s %s\n' "$CONF" "$PCC_SOCKET" "$*"
	pccd -f -c "$CONF" -s "$PCC_SOCKET" "$@" >> "$PCCD_LOG" 2>&1 &
	PCCD_PID=$!
	until pccd_log | grep -q "serving $PCC_SOCKET"; do
		i=$((i + 1))
		kill -0 "$PCCD_PID" 2>/dev/null ||
			{ pccd_log; fail "pccd exited at start"; }
		[ $i -le 300 ] || { pccd_log; fail "pccd did not serve within 30 s"; }
		sleep 0.1
	done
	[ -S "$PCC_SOCKET" ] || fail "pccd serves, but there is no socket $PCC_SOCKET"
	pccd_log | sed 's/^/  pccd.log| /'
}

# pccd_log: what pccd logged since it was last started.
pccd_log() {
	tail -n +"$PCCD_LOG_FROM" "$PCCD_LOG"
}

# pccd_log_wait REGEX [SECONDS]: pccd logs a line matching REGEX (since
# its start) within SECONDS (10).
pccd_log_wait() {
	local i=0 n=$((${2:-10} * 10))
	until pccd_log | grep -Eq -- "$1"; do
		i=$((i + 1))
		[ $i -le $n ] || { pccd_log; fail "pccd logged nothing matching /$1/"; }
		sleep 0.1
	done
}

# pccd_stop: SIGTERM; pccd must exit 0 within 10 s and remove its socket.
pccd_stop() {
	local i=0 rc=0
	run kill -TERM "$PCCD_PID"
	while kill -0 "$PCCD_PID" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 100 ] || { pccd_log; fail "pccd did not stop within 10 s of SIGTERM"; }
		sleep 0.1
	done
	wait "$PCCD_PID" || rc=$?
	PCCD_PID=
	expect_eq "pccd's exit status after SIGTERM" 0 "$rc"
	[ ! -e "$PCC_SOCKET" ] || fail "pccd left its socket behind"
}

# pccd_kill9: SIGKILL, reaped.
pccd_kill9() {
	run kill -KILL "$PCCD_PID"
	wait "$PCCD_PID" 2>/dev/null || true
	PCCD_PID=
}

# pcc_rc WHAT RC CMD...: CMD exits with status RC; its output (stdout and
# stderr) is left in $OUT and shown.
pcc_rc() {
	local what=$1 want=$2 rc=0
	shift 2
	OUT=$("$@" 2>&1) || rc=$?
	printf '+ %s -> %s\n' "$*" "$rc"
	[ -z "$OUT" ] || printf '%s\n' "$OUT" | sed 's/^/  | /'
	[ "$rc" = "$want" ] || fail "$what: exit status $rc, expected $want"
}

# pcc_ok CMD...: CMD succeeds; its output is in $OUT.
pcc_ok() {
	pcc_rc "$*" 0 "$@"
}

# json_val KEY JSON: the first scalar value of KEY in the (plain,
# unindented) JSON text, quotes removed; empty if there is none.
json_val() {
	printf '%s' "$2" | grep -oE "\"$1\":(\"[^\"]*\"|[^],}]*)" | head -n 1 |
		sed -e "s/^\"$1\"://" -e 's/^"//' -e 's/"$//'
}

# json_num KEY JSON: as json_val, and it must be a number.
json_num() {
	local v
	v=$(json_val "$1" "$2")
	case $v in
	''|*[!0-9]*) cfail "no number '$1' in $2" ;;
	esac
	echo "$v"
}

# pcc_type FILE: the type pcc --json state gives (none, readonly, ...).
pcc_type() {
	local js
	js=$(pcc --json state "$1") || cfail "pcc --json state $1 failed: $js"
	json_val type "$js"
}

# expect_state FILE TYPE: pcc state says TYPE.
expect_state() {
	local t
	t=$(pcc_type "$1") || exit 1
	[ "$t" = "$2" ] || fail "$1: pcc state says type '$t', expected $2"
}

# wait_eq WHAT VALUE SECONDS CMD...: CMD prints VALUE within SECONDS,
# asked every 0.2 s; WHAT names it in the failure.
wait_eq() {
	local what=$1 want=$2 n=$(($3 * 5)) i=0 v
	shift 3
	while :; do
		v=$("$@") || exit 1
		[ "$v" = "$want" ] && return 0
		i=$((i + 1))
		[ $i -le $n ] || { pccd_log | tail -n 20; fail "$what is '$v', not $want after $((n / 5)) s"; }
		sleep 0.2
	done
}

# wait_state FILE TYPE [SECONDS]: pcc state says TYPE within SECONDS
# ($PCCD_WAIT by default).
wait_state() {
	wait_eq "$1: type" "$2" "${3:-$PCCD_WAIT}" pcc_type "$1"
}

# cache_path FILE: the copy's path pcc --json state gives.
cache_path() {
	local js p
	js=$(pcc --json state "$1") || cfail "pcc --json state $1 failed"
	p=$(json_val cache_path "$js")
	case $p in /*) echo "$p" ;; *) cfail "$1: no absolute cache_path in $js" ;; esac
}

# daemon_stat NAME: a counter of pccd's own (pcc --json stats "daemon").
daemon_stat() {
	local js
	js=$(pcc --json stats) || cfail "pcc --json stats failed"
	json_num "$1" "${js#*\"daemon\":}"
}

# wait_daemon_stat NAME VALUE [SECONDS]: daemon_stat NAME reaches VALUE
# within SECONDS ($PCCD_WAIT by default): work pccd spreads over its ticks.
wait_daemon_stat() {
	wait_eq "pccd's $1" "$2" "${3:-$PCCD_WAIT}" daemon_stat "$1"
}

# expect_whole_copies DIR: every file under DIR is a complete read-only
# copy: no leftover of a copy (.pcc-tmp.*), mode 0600, trusted.pcc.copy
# with the right magic, and the size it records.  Prints their number.
expect_whole_copies() {
	local f info n=0
	for f in $(find "$1" -type f); do
		case ${f##*/} in .pcc-tmp.*) cfail "a leftover of a copy: $f" ;; esac
		info=$("$CTL" copyinfo "$f") ||
			cfail "$f has no valid trusted.pcc.copy: a half-made copy"
		printf '%s\n' "$info" | grep -qx 'magic ok' || cfail "$f: bad magic"
		printf '%s\n' "$info" | grep -qx 'type readonly' || cfail "$f: not a read-only copy"
		[ "$(printf '%s\n' "$info" | awk '$1 == "size" { print $2 }')" = \
		  "$(printf '%s\n' "$info" | awk '$1 == "version_size" { print $2 }')" ] ||
			cfail "$f: size differs from the recorded one: $(echo $info)"
		[ "$(stat -c %a "$f")" = 600 ] || cfail "$f: mode $(stat -c %a "$f")"
		n=$((n + 1))
	done
	echo "$n"
}

# as_user USER CMD: a shell command as USER (pcc finds the socket the same).
as_user() {
	su -s /bin/sh "$1" -c "PCC_SOCKET=$PCC_SOCKET; export PCC_SOCKET; $2"
}
