# SPDX-License-Identifier: GPL-2.0-only
# Build pcc (module, programs, test programs) for a lane's kernel and guest
# architecture, and gather the guest's Debian packages.
#
# guest_root_prepare sets GUEST_ROOT: Debian packages of the guest
# architecture unpacked together; the sysroot for cross builds and the place
# the guest's libraries and tools are taken from.
# build_lane LANE sets BUILD_DIR: the configured build of this lane.

VM_BUILD=${PCC_VM_BUILD:-$TOP/build/vm}

# Runtime libraries of our programs (and their -dev halves for cross builds),
# busybox, and what the scenarios run besides busybox.
GUEST_PACKAGES="busybox-static libc6 libnl-3-200 libnl-genl-3-200
	libyaml-0-2 libjson-c5 libnl-3-dev libnl-genl-3-dev libyaml-dev
	libjson-c-dev"

guest_root_prepare() {
	local list hash
	list=$(printf '%s\n' $GUEST_PACKAGES $(grep -v '^#' "$VM_DIR/guest/packages") |
		grep -v '^#' | sort -u)
	papt_init
	# One apt call: the candidate version of each package.
	# shellcheck disable=SC2046
	hash=$(apt-cache "${APT_OPTS[@]}" policy $(printf '%s:'"$DEB_ARCH"'\n' $list) |
		grep -E '^[^ ]|^  Candidate: ' | sha256sum | cut -c1-12)
	GUEST_ROOT=$VM_CACHE/guest-$DEB_ARCH-$hash
	if [ ! -f "$GUEST_ROOT/.complete" ]; then
		step GUEST "unpacking $(echo "$list" | wc -l) $DEB_ARCH packages"
		rm -rf "$GUEST_ROOT"
		# shellcheck disable=SC2046
		papt_unpack "$GUEST_ROOT" $(printf '%s:'"$DEB_ARCH"'\n' $list)
		touch "$GUEST_ROOT/.complete"
	fi
}

# A copy of the source tree as git sees it (tracked and untracked, not
# ignored), so a developer's in-tree configure does not stop a VPATH build.
sync_source() {
	local src=$VM_BUILD/src
	mkdir -p "$src"
	if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$TOP" ls-files -z --cached --others --exclude-standard |
			rsync -a --checksum --from0 --files-from=- "$TOP/" "$src/"
	else
		rsync -a --checksum --exclude=/build "$TOP/" "$src/"
	fi
	# Regenerate when the build description changed: make's own rebuild
	# rules do not add the auxiliary files a new kind of target needs.
	local hash
	hash=$(cd "$src" && cat configure.ac Makefile.am m4/*.m4 \
		$(find . -name local.mk | sort) | sha256sum | cut -c1-16)
	if [ ! -x "$src/configure" ] || [ "$(cat "$src/.autogen" 2>/dev/null)" != "$hash" ]; then
		step AUTOGEN "$src"
		(cd "$src" && ./autogen.sh) > "$VM_BUILD/autogen.log" 2>&1 ||
			die "autogen failed: see $VM_BUILD/autogen.log"
		echo "$hash" > "$src/.autogen"
	fi
}

build_lane() {
	local lane=$1 log
	BUILD_DIR=$VM_BUILD/$lane
	log=$BUILD_DIR.log
	sync_source
	local args=(--with-linux="$KBUILD_DIR" --without-systemd
		--prefix=/usr --sysconfdir=/etc)
	if [ "$GUEST_ARCH" != "$(uname -m)" ]; then
		# Passed as arguments, not in the environment, so that
		# config.status keeps them when make reruns configure.
		local libdir=$GUEST_ROOT/usr/lib/$GUEST_ARCH-linux-gnu
		args+=(--host="$GUEST_ARCH-linux-gnu"
			PKG_CONFIG_SYSROOT_DIR="$GUEST_ROOT"
			PKG_CONFIG_LIBDIR="$libdir/pkgconfig:$GUEST_ROOT/usr/share/pkgconfig"
			LDFLAGS="-L$GUEST_ROOT/lib/$GUEST_ARCH-linux-gnu -Wl,-rpath-link,$libdir:$GUEST_ROOT/lib/$GUEST_ARCH-linux-gnu")
	fi
	# A new kernel or guest root means a new configuration.
	if [ "$(cat "$BUILD_DIR/.configure-args" 2>/dev/null)" != "${args[*]}" ]; then
		rm -rf "$BUILD_DIR"
	fi
	mkdir -p "$BUILD_DIR"
	if [ ! -f "$BUILD_DIR/Makefile" ]; then
		step CONFIG "$lane (kernel $KVER)"
		(cd "$BUILD_DIR" && "$VM_BUILD/src/configure" "${args[@]}") > "$log" 2>&1 ||
			{ rm -f "$BUILD_DIR/Makefile"; die "configure failed: see $log"; }
		printf '%s' "${args[*]}" > "$BUILD_DIR/.configure-args"
	fi
	step MAKE "$lane"
	make -C "$BUILD_DIR" -j"$(nproc)" >> "$log" 2>&1 ||
		die "build failed: see $log"
	[ -f "$BUILD_DIR/kmod/pcc.ko" ] || die "no kmod/pcc.ko after the build: see $log"
}
