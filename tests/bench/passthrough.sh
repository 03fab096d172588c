#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# What passing through pcc costs: pcc-bench on a lower directory and on a
# pcc mount of it, interleaved, as a markdown table of medians and ratios.
#
#   passthrough.sh [--enforce] [--threshold R] [--no-drop-caches]
#                  [--also LABEL=DIR]... [--results FILE]
#                  [LOWER MNT] [-- PCC-BENCH-OPTIONS...]
#
#   LOWER, MNT       the directories (arguments, or the environment)
#   --enforce        exit 1 if a figure's pcc/lower ratio is below R
#   --threshold R    default 0.95: pcc may cost at most 5%
#   --also LABEL=DIR another directory on LOWER's filesystem (an overlayfs
#                    mount, say), measured in the same interleaved run and
#                    shown in two more columns as a reference; never enforced
#   --results FILE   also append each figure to FILE as a JSON line of
#                    tests/bench's format (bench B8; labels lower, pcc and
#                    the --also labels), for tests/bench/report
#   --no-drop-caches do not pass -c (pcc-bench drops the page cache before
#                    each read when we are root, so that reads are real)
#   PCC_BENCH        the program (default $PCC_TESTS/pcc-bench)
#   PCC_BENCH_OPTS   options for it, as do those after --
#
# Every figure is a rate, so a ratio below 1 means pcc is slower.
# Two figures are reported but not held to the threshold (informational):
# open_read_close, because a read-only open defers opening the lower file
# to the first read (docs/design/0003-lower-file.md), so that figure pays
# for both opens, the cost a cached file will not pay; and mmap_rand_read,
# which isolates the cost of a page fault on a cached page, to be seen, not
# gated (docs/bench/passthrough.md).  Exit:
# 0 done (and within the threshold with --enforce), 1 over the threshold,
# 2 usage, 3 pcc-bench failed or printed what we cannot read, 77 (skip) in
# a guest given no LOWER and MNT.
set -u

prog=${0##*/}
say() { printf '%s: %s\n' "$prog" "$*"; }
usage() {
	echo "usage: $prog [--enforce] [--threshold R] [--no-drop-caches]" \
		"[--also LABEL=DIR]... [--results FILE] [LOWER MNT]" \
		"[-- PCC-BENCH-OPTIONS...]" >&2
	exit 2
}

enforce=no
threshold=0.95
drop=auto
results=
also_labels=
also_dirs=
nl='
'
while [ $# -gt 0 ]; do
	case $1 in
	--enforce) enforce=yes ;;
	--threshold)
		[ $# -ge 2 ] || usage
		threshold=$2
		shift ;;
	--no-drop-caches) drop=no ;;
	--results)
		[ $# -ge 2 ] || usage
		results=$2
		shift ;;
	--also)
		[ $# -ge 2 ] || usage
		case $2 in
		*"$nl"*) say "--also: a newline in LABEL=DIR" >&2; exit 2 ;;
		[!=]*=?*) ;;
		*) say "--also: not LABEL=DIR: $2" >&2; exit 2 ;;
		esac
		case ${2%%=*} in
		*[!A-Za-z0-9_.-]*) say "--also: a label is letters, digits, _ . -: ${2%%=*}" >&2; exit 2 ;;
		esac
		also_labels="$also_labels ${2%%=*}"
		also_dirs="$also_dirs
${2#*=}"
		shift ;;
	--) shift; break ;;
	-h|--help) sed -n '3,33s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) say "unknown option $1" >&2; usage ;;
	*) break ;;
	esac
	shift
done
if [ $# -gt 0 ] && [ "$1" != -- ]; then
	[ $# -ge 2 ] && [ "$2" != -- ] || usage
	LOWER=$1 MNT=$2
	shift 2
fi
[ "${1:-}" != -- ] || shift
if [ -z "${LOWER:-}" ] || [ -z "${MNT:-}" ]; then
	# Run as a bare scenario (tests/vm/run --scenarios tests/bench) there
	# is nothing to compare yet: skip rather than fail.
	if [ -n "${PCC_TESTLIB:-}" ]; then
		say "SKIP: no LOWER and MNT to compare"
		exit 77
	fi
	say "LOWER and MNT are needed" >&2
	usage
fi
case $threshold in
''|*[!0-9.]*|*.*.*) say "--threshold: not a ratio: $threshold" >&2; exit 2 ;;
esac
# The --also directories follow LOWER and MNT, one a line.
dirs=$(printf '%s\n%s%s' "$LOWER" "$MNT" "$also_dirs")
while IFS= read -r d; do
	[ -d "$d" ] || { say "not a directory: $d" >&2; exit 2; }
done <<EOF
$dirs
EOF

bench=${PCC_BENCH:-${PCC_TESTS:-.}/pcc-bench}
[ -x "$bench" ] || { say "no pcc-bench at $bench (set PCC_TESTS or PCC_BENCH)" >&2; exit 3; }
dropopt=
if [ "$drop" = auto ] && [ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/drop_caches ]; then
	dropopt=-c
fi

out=$(mktemp "${TMPDIR:-/tmp}/passthrough.XXXXXX") || exit 3
trap 'rm -f "$out"' EXIT
# shellcheck disable=SC2086 # PCC_BENCH_OPTS is a list of options
set -- -r 5 $dropopt ${PCC_BENCH_OPTS:-} "$@" --json
while IFS= read -r d; do
	set -- "$@" "$d"
done <<EOF
$dirs
EOF
say "$bench $*"
"$bench" "$@" > "$out" || { say "pcc-bench failed" >&2; exit 3; }

# pcc-bench --json prints one figure a line, after its directory's line.
PT_ALSO_DIRS=$also_dirs awk -v results="$results" -v reps="$(awk '/"reps":/ { sub(/.*"reps": /, ""); sub(/,.*/, ""); print; exit }' "$out")" -v enforce="$enforce" -v threshold="$threshold" -v lower="$LOWER" -v mnt="$MNT" \
	-v informational="open_read_close mmap_rand_read" -v also="$also_labels" '
function str(key,  s) {
	if (!match($0, "\"" key "\": \"[^\"]*\""))
		return ""
	s = substr($0, RSTART, RLENGTH)
	sub(/^"[^"]*": "/, "", s)
	sub(/"$/, "", s)
	return s
}
function num(key,  s) {
	if (!match($0, "\"" key "\": [-+0-9.eE]+"))
		return ""
	s = substr($0, RSTART, RLENGTH)
	sub(/^"[^"]*": /, "", s)
	return s
}
/^    \{"dir": / { dir++ }
/"figure": / {
	fig = str("figure")
	# the figure as a target of tests/bench: "median" .. the samples
	t = $0
	sub(/^.*"median"/, "\"median\"", t)
	sub(/, "ratio".*$/, "", t)
	tgt[dir, fig] = t
	if (dir == 1) {
		order[++n] = fig
		unit[fig] = str("unit")
		low[fig] = num("median")
	} else if (dir == 2) {
		pcc[fig] = num("median")
		ratio[fig] = num("ratio")
	} else if (dir > 2) {
		ref[dir, fig] = num("median")
		refratio[dir, fig] = num("ratio")
	}
}
END {
	ninformational = split(informational, infolist, " ")
	for (i = 1; i <= ninformational; i++)
		isinfo[infolist[i]] = 1
	nalso = split(also, label, " ")
	if (n == 0 || dir != 2 + nalso) {
		print "passthrough.sh: cannot read the output of pcc-bench" | "cat >&2"
		exit 3
	}
	printf "lower: %s, pcc: %s", lower, mnt
	split(ENVIRON["PT_ALSO_DIRS"], alsodir, "\n")
	for (j = 1; j <= nalso; j++)
		printf ", %s: %s", label[j], alsodir[j + 1]
	printf "\n\n"
	head = "| figure | lower median | pcc median | ratio |"
	rule = "|---|---:|---:|---:|"
	for (j = 1; j <= nalso; j++) {
		head = head " " label[j] " median | ratio |"
		rule = rule "---:|---:|"
	}
	print head
	print rule
	for (i = 1; i <= n; i++) {
		f = order[i]
		if (pcc[f] == "" || ratio[f] == "") {
			print "passthrough.sh: no pcc figure " f | "cat >&2"
			exit 3
		}
		row = sprintf("| %s (%s) | %.2f | %.2f | %.3f |", f, unit[f], low[f], pcc[f], ratio[f])
		for (j = 1; j <= nalso; j++) {
			if (ref[j + 2, f] == "" || refratio[j + 2, f] == "") {
				print "passthrough.sh: no " label[j] " figure " f | "cat >&2"
				exit 3
			}
			row = row sprintf(" %.2f | %.3f |", ref[j + 2, f], refratio[j + 2, f])
		}
		print row
		if (ratio[f] + 0 < threshold + 0) {
			if (f in isinfo)
				info[++ninfo] = f
			else
				slow[++bad] = f
		}
	}
	print ""
	if (results != "") {
		for (i = 1; i <= n; i++) {
			f = order[i]
			line = sprintf("{\"bench\": \"B8\", \"figure\": \"%s\", \"unit\": \"%s\", \"better\": \"higher\", \"reps\": %d, \"targets\": [{\"label\": \"lower\", %s}, {\"label\": \"pcc\", %s}", f, unit[f], reps, tgt[1, f], tgt[2, f])
			for (j = 1; j <= nalso; j++)
				line = line sprintf(", {\"label\": \"%s\", %s}", label[j], tgt[j + 2, f])
			print line "]}" >> results
		}
	}
	for (i = 1; i <= ninfo; i++)
		printf "passthrough.sh: %s: pcc/lower %.3f (reported, not held to %s)\n",
			info[i], ratio[info[i]], threshold
	for (i = 1; i <= bad; i++)
		printf "passthrough.sh: %s: pcc/lower %.3f is below %s%s\n", slow[i],
			ratio[slow[i]], threshold, enforce == "yes" ? "" : " (not enforced)"
	if (bad && enforce == "yes")
		exit 1
	if (enforce == "yes")
		printf "passthrough.sh: every enforced pcc/lower ratio is at least %s\n", threshold
}' "$out"
