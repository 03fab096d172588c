# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers of the VM harness: messages, the cache, a private apt.
# Sourced by tests/vm/run; not executable on its own.

# Where downloaded packages, unpacked kernels and the debug kernel live:
# outside the repository, reused across runs and checkouts.
VM_CACHE=${PCC_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pcc-vm}

say() { printf '%s\n' "$*" >&2; }
step() { printf '  %-8s %s\n' "$1" "$2" >&2; }
die() { say "tests/vm/run: $*"; exit 2; }

# A private apt configuration under the cache, for the kernels and guest
# packages: it lists bookworm, bookworm-updates, -security and -backports for
# amd64 and arm64, and never touches the machine's own apt state.
APT_DIR=$VM_CACHE/apt
APT_OPTS=(
	-o "Dir::Etc::SourceList=$APT_DIR/sources.list"
	-o "Dir::Etc::SourceParts=$APT_DIR/sources.list.d"
	-o "Dir::State=$APT_DIR/state"
	-o "Dir::State::status=$APT_DIR/state/status"
	-o "Dir::Cache=$APT_DIR/cache"
	-o "APT::Architecture=amd64"
	-o "APT::Architectures::=amd64"
	-o "APT::Architectures::=arm64"
	-o "APT::Sandbox::User=root"
	-o "Debug::NoLocking=1"
	-q
)

papt_init() {
	local stamp=$APT_DIR/state/updated
	mkdir -p "$APT_DIR"/{sources.list.d,state/lists/partial,cache/archives/partial}
	touch "$APT_DIR/state/status"
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	local opts="arch=amd64,arm64 signed-by=$keyring"
	cat > "$APT_DIR/sources.list" <<-EOS
	deb [$opts] http://deb.debian.org/debian bookworm main
	deb [$opts] http://deb.debian.org/debian bookworm-updates main
	deb [$opts] http://deb.debian.org/debian bookworm-backports main
	deb [$opts] http://deb.debian.org/debian-security bookworm-security main
	EOS
	# Refresh the package lists once a day; a kernel package removed from
	# the archive would otherwise fail to download with a stale list.
	if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		step APT "updating the private package lists"
		apt-get "${APT_OPTS[@]}" update >/dev/null ||
			die "apt-get update failed (private lists in $APT_DIR)"
		touch "$stamp"
	fi
}

# papt_show NAME[:ARCH][/RELEASE]: the control record of the version apt
# would fetch (apt-cache show alone lists every version it knows).
papt_show() {
	local name=${1%%/*} release= version
	case $1 in */*) release=${1#*/} ;; esac
	if [ -n "$release" ]; then
		version=$(apt-cache "${APT_OPTS[@]}" madison "$name" |
			awk -F' [|] ' -v r=" $release/" 'index($3, r) { print $2; exit }')
	else
		version=$(papt_version "$name")
	fi
	[ -n "$version" ] && [ "$version" != "(none)" ] || return 1
	apt-cache "${APT_OPTS[@]}" show "$name=$version" 2>/dev/null |
		sed '/^$/q'
}

# papt_version NAME[:ARCH]: the version apt would fetch.
papt_version() {
	apt-cache "${APT_OPTS[@]}" policy "$1" | sed -n 's/^  Candidate: //p'
}

# papt_depends PKGSPEC: the first dependency, which for a metapackage such as
# linux-image-amd64 is the versioned package it stands for.
papt_depends() {
	papt_show "$1" | sed -n 's/^Depends: \([^ ,]*\).*/\1/p'
}

# papt_dep_like PKGSPEC PATTERN: the dependency of PKGSPEC whose name matches
# the extended regular expression PATTERN.
papt_dep_like() {
	papt_show "$1" | sed -n 's/^Depends: //p' | tr ',|' '\n\n' |
		sed 's/^ *\([^ ]*\).*/\1/' | grep -E "^($2)\$" | head -n 1
}

# papt_deb_names PKG...: "PKG FILE" for each PKG apt can fetch, FILE the
# name apt-get download gives it; one apt call for all (each call reads
# the lists: a second or more, which a guest's 45 packages one by one
# turned into minutes).  Asked from a directory that holds no package
# file: --print-uris skips files it has.
papt_deb_names() {
	local uris pkg name
	uris=$(cd "$APT_DIR" &&
		apt-get "${APT_OPTS[@]}" download --print-uris "$@" 2>/dev/null |
		sed -n "s/^'[^']*' \([^ ]*\.deb\) .*/\1/p") || true
	for pkg in "$@"; do
		name=${pkg%%[:/]*}
		printf '%s\n' "$uris" |
			awk -v p="$pkg" -v n="${name}_" 'index($0, n) == 1 { print p, $0; exit }'
	done
}

# papt_named PKG NAMES: NAMES (papt_deb_names' output) has PKG.
papt_named() {
	printf '%s\n' "$2" | awk -v p="$1" '$1 == p { f = 1 } END { exit !f }'
}

# papt_unpack DIR PKG...: download the packages (cached) and unpack each
# with dpkg -x into DIR.  Nothing is installed.
papt_unpack() {
	local dir=$1 pkg deb names retry=() fetch=() debs=()
	shift
	mkdir -p "$VM_CACHE/debs" "$dir"
	names=$(papt_deb_names "$@")
	# Architecture-independent packages have no NAME:ARCH: asked again
	# by NAME (keeping a /RELEASE).
	for pkg in "$@"; do
		papt_named "$pkg" "$names" && continue
		[ "${pkg%%:*}" != "$pkg" ] || die "no package $pkg in the private apt lists"
		retry+=("${pkg%%:*}$(case $pkg in */*) echo "/${pkg#*/}" ;; esac)")
	done
	if [ ${#retry[@]} -gt 0 ]; then
		names=$names$'\n'$(papt_deb_names "${retry[@]}")
		for pkg in "${retry[@]}"; do
			papt_named "$pkg" "$names" ||
				die "no package $pkg in the private apt lists"
		done
	fi
	while read -r pkg deb; do
		[ -n "$pkg" ] || continue
		debs+=("$deb")
		[ -s "$VM_CACHE/debs/$deb" ] || fetch+=("$pkg")
	done <<< "$names"
	if [ ${#fetch[@]} -gt 0 ]; then
		(cd "$VM_CACHE/debs" &&
			apt-get "${APT_OPTS[@]}" download "${fetch[@]}" >/dev/null) ||
			die "could not download ${fetch[*]}"
	fi
	for deb in "${debs[@]}"; do
		dpkg -x "$VM_CACHE/debs/$deb" "$dir"
	done
}
