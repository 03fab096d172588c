# SPDX-License-Identifier: GPL-2.0-only
# The kernel of each lane: Debian's packages, unpacked into the cache, or
# the debug kernel built from Debian's linux-source-6.1.
#
# kernel_prepare LANE sets:
#   GUEST_ARCH   x86_64 or aarch64 (the qemu and toolchain name)
#   DEB_ARCH     amd64 or arm64
#   KVER         the release, as uname -r reports it in the guest
#   KIMAGE       the kernel image qemu boots
#   KBUILD_DIR   the build directory modules are built against
#   KMOD_ROOT    a root holding lib/modules/KVER (empty: all built in)

LANES="x86_64-6.1 arm64-6.1 x86_64-6.12 x86_64-6.1-debug"

kernel_prepare() {
	case $1 in
	x86_64-6.1)	debian_kernel amd64 linux-image-amd64 ;;
	arm64-6.1)	debian_kernel arm64 linux-image-arm64:arm64 ;;
	x86_64-6.12)	debian_kernel amd64 linux-image-amd64/bookworm-backports ;;
	x86_64-6.1-debug) debug_kernel ;;
	*)		die "unknown lane '$1' (lanes: $LANES)" ;;
	esac
}

# debian_kernel DEB_ARCH METAPACKAGE
debian_kernel() {
	DEB_ARCH=$1
	case $DEB_ARCH in
	amd64)	GUEST_ARCH=x86_64 ;;
	arm64)	GUEST_ARCH=aarch64 ;;
	esac
	papt_init
	local image headers common kbuild root suffix=
	# A release-pinned metapackage (…/bookworm-backports) pins the rest.
	case $2 in */*) suffix=/${2#*/} ;; esac
	image=$(papt_depends "$2")
	[ -n "$image" ] || die "cannot resolve $2 in the private apt lists"
	KVER=${image#linux-image-}
	headers=linux-headers-$KVER
	common=$(papt_dep_like "$headers:$DEB_ARCH$suffix" 'linux-headers-.*-common')
	kbuild=$(papt_dep_like "$headers:$DEB_ARCH$suffix" 'linux-kbuild-.*')
	[ -n "$common" ] && [ -n "$kbuild" ] ||
		die "cannot find the common headers and kbuild of $headers"
	root=$VM_CACHE/kernels/$KVER
	if [ ! -f "$root/.complete" ]; then
		step KERNEL "fetching $image and its headers"
		rm -rf "$root"
		papt_unpack "$root" "$image:$DEB_ARCH$suffix" \
			"$headers:$DEB_ARCH$suffix" "$common$suffix" \
			"$kbuild:amd64$suffix"
		fix_headers "$root/usr/src/$headers" "$root"
		# Debian generates modules.dep at install time; do it here.
		depmod -b "$root" "$KVER"
		touch "$root/.complete"
	fi
	KIMAGE=$root/boot/vmlinuz-$KVER
	KBUILD_DIR=$root/usr/src/linux-headers-$KVER
	KMOD_ROOT=$root
}

# The headers are made for /usr/src: point the arch Makefile at the common
# tree where it was unpacked.  The scripts/ and tools/ links are relative and
# find the host-architecture linux-kbuild unpacked beside them.
fix_headers() {
	local obj=$1 root=$2
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$obj/Makefile"
	[ -x "$obj/scripts/basic/fixdep" ] ||
		die "headers in $obj have no usable scripts/ (linux-kbuild missing?)"
}

# The debug lane: tinyconfig plus tests/vm/debug.config, built from
# Debian's linux-source-6.1 and cached by the hash of the fragment and the
# source package, so it is built once.
debug_kernel() {
	GUEST_ARCH=x86_64
	DEB_ARCH=amd64
	KMOD_ROOT=
	local tarball=/usr/src/linux-source-6.1.tar.xz
	[ -f "$tarball" ] ||
		die "$tarball is missing: run scripts/install-deps (package linux-source-6.1)"
	local hash tree
	hash=$( (cat "$VM_DIR/debug.config"
		dpkg-query -W -f '${Version}' linux-source-6.1) |
		sha256sum | cut -c1-12)
	tree=$VM_CACHE/debug-$hash/linux-source-6.1
	# Two runs at once (PCC_VM_BUILD differs, the cache is shared) must
	# not build into the same tree: the second waits for the first.
	mkdir -p "$VM_CACHE"
	exec 8>"$VM_CACHE/debug-$hash.lock"
	flock 8
	if [ ! -f "$tree/.complete" ]; then
		step KERNEL "building the debug kernel ($hash); about 5 minutes"
		rm -rf "$VM_CACHE/debug-$hash"
		mkdir -p "$VM_CACHE/debug-$hash"
		tar -C "$VM_CACHE/debug-$hash" -xf "$tarball"
		(
			cd "$tree"
			make -s tinyconfig
			scripts/kconfig/merge_config.sh -m .config \
				"$VM_DIR/debug.config" >/dev/null
			make -s olddefconfig
			# Every line of the fragment must have survived: a
			# symbol Kconfig dropped would silently lose a check.
			missing=$(grep '^CONFIG_' "$VM_DIR/debug.config" |
				grep -vxFf .config || true)
			if [ -n "$missing" ]; then
				echo "not in the final .config: $missing" >&2
				exit 1
			fi
			# 'modules' too: it writes Module.symvers for M= builds.
			make -s -j"$(nproc)" bzImage modules
		) > "$VM_CACHE/debug-$hash/build.log" 2>&1 ||
			die "debug kernel build failed: see $VM_CACHE/debug-$hash/build.log"
		touch "$tree/.complete"
	fi
	exec 8>&-
	KBUILD_DIR=$tree
	KIMAGE=$tree/arch/x86/boot/bzImage
	KVER=$(cat "$tree/include/config/kernel.release")
}
