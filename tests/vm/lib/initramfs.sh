# SPDX-License-Identifier: GPL-2.0-only
# Pack the guest: busybox, our programs and test programs with the shared
# libraries they need, the lane's kernel modules, the scenarios.
#
# pack_initramfs OUT SCENARIO_DIR...

# find_lib NAME: the path of a shared library in GUEST_ROOT.
find_lib() {
	local d
	for d in lib/$GUEST_ARCH-linux-gnu usr/lib/$GUEST_ARCH-linux-gnu lib usr/lib; do
		if [ -e "$GUEST_ROOT/$d/$1" ]; then
			echo "$GUEST_ROOT/$d/$1"
			return 0
		fi
	done
	return 1
}

# copy_libs ROOT: copy into ROOT every library the ELF files in ROOT need,
# transitively, from GUEST_ROOT.  readelf, not ldd: it works across
# architectures.
copy_libs() {
	local root=$1 todo done_list= f lib path interp
	todo=$(find "$root" -type f -perm -u+x -exec sh -c \
		'head -c4 "$1" | grep -q ELF && echo "$1"' _ {} \;)
	while [ -n "$todo" ]; do
		f=${todo%%$'\n'*}
		[ "$f" = "$todo" ] && todo= || todo=${todo#*$'\n'}
		interp=$(readelf -lW "$f" 2>/dev/null |
			sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
		if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
			path=$(find_lib "$(basename "$interp")") ||
				die "no $interp for $f in $GUEST_ROOT"
			mkdir -p "$root$(dirname "$interp")"
			cp -L "$path" "$root$interp"
		fi
		for lib in $(readelf -dW "$f" 2>/dev/null |
			sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case " $done_list " in *" $lib "*) continue ;; esac
			done_list="$done_list $lib"
			path=$(find_lib "$lib") || die "no $lib (needed by $f) in $GUEST_ROOT"
			mkdir -p "$root/lib/$GUEST_ARCH-linux-gnu"
			cp -L "$path" "$root/lib/$GUEST_ARCH-linux-gnu/$lib"
			todo="$todo${todo:+$'\n'}$root/lib/$GUEST_ARCH-linux-gnu/$lib"
		done
	done
}

# copy_modules ROOT: the modules tests/vm/guest/modules names, with their
# dependencies, uncompressed (busybox modprobe does not decompress).
copy_modules() {
	local root=$1 m ko rel dst
	local moddir=lib/modules/$KVER
	mkdir -p "$root/$moddir"
	[ -n "$KMOD_ROOT" ] || return 0
	cp "$KMOD_ROOT/$moddir"/modules.builtin* "$KMOD_ROOT/$moddir/modules.order" \
		"$root/$moddir/" 2>/dev/null || true
	for m in $(grep -v '^#' "$VM_DIR/guest/modules"); do
		for ko in $(modprobe -d "$KMOD_ROOT" -S "$KVER" --show-depends "$m" |
			sed -n 's/^insmod \([^ ]*\).*/\1/p'); do
			rel=${ko#"$KMOD_ROOT"/}
			dst=$root/${rel%.xz}
			dst=${dst%.zst}
			[ -e "$dst" ] && continue
			mkdir -p "$(dirname "$dst")"
			case $ko in
			*.xz)	xz -dc "$ko" > "$dst" ;;
			*.zst)	zstd -qdc "$ko" > "$dst" ;;
			*)	cp "$ko" "$dst" ;;
			esac
		done
	done
}

pack_initramfs() {
	local out=$1 root dir n=0 s
	shift
	root=$VM_BUILD/initramfs-$LANE
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,mnt,root,scenarios}
	mkdir -p "$root"/usr/libexec/pcc-tests "$root"/usr/share/pcc-tests
	mknod -m 600 "$root/dev/console" c 5 1
	mknod -m 666 "$root/dev/null" c 1 3

	cp "$GUEST_ROOT/bin/busybox" "$root/bin/busybox"
	install -m 755 "$VM_DIR/guest/init" "$root/init"
	install -m 644 "$VM_DIR/guest/lib.sh" "$root/usr/share/pcc-tests/lib.sh"
	install -m 644 "$VM_DIR/guest/passthrough.sh" \
		"$root/usr/share/pcc-tests/passthrough.sh"
	install -m 644 "$VM_DIR/guest/cache.sh" "$root/usr/share/pcc-tests/cache.sh"
	install -m 644 "$VM_DIR/guest/pccd.sh" "$root/usr/share/pcc-tests/pccd.sh"
	install -m 644 "$VM_DIR/guest/bench.sh" "$root/usr/share/pcc-tests/bench.sh"
	install -m 644 "$VM_DIR/guest/passwd" "$root/etc/passwd"
	install -m 644 "$VM_DIR/guest/group" "$root/etc/group"
	make -C "$BUILD_DIR" install-exec DESTDIR="$root" >> "$BUILD_DIR.log" 2>&1 ||
		die "make install into the initramfs failed: see $BUILD_DIR.log"
	local f
	for f in $(grep -v '^#' "$VM_DIR/guest/files"); do
		[ -e "$GUEST_ROOT$f" ] || die "$f is not in the guest packages ($GUEST_ROOT)"
		mkdir -p "$root$(dirname "$f")"
		cp -L "$GUEST_ROOT$f" "$root$f"
	done
	mkdir -p "$root/var/lib/nfs" "$root/srv"
	install -m 755 "$TOP/tests/bench/passthrough.sh" \
		"$root/usr/libexec/pcc-tests/bench-passthrough"
	# The benchmark scenarios, for the smoke test that runs them tiny.
	mkdir -p "$root/usr/libexec/pcc-tests/bench"
	for f in "$TOP"/tests/bench/scenarios/*; do
		[ -f "$f" ] && [ -x "$f" ] && install -m 755 "$f" "$root/usr/libexec/pcc-tests/bench/"
	done
	for f in "$BUILD_DIR"/tests/vm/progs/*; do
		[ -f "$f" ] && [ -x "$f" ] && install -m 755 "$f" "$root/usr/libexec/pcc-tests/"
	done
	copy_libs "$root"
	copy_modules "$root"
	depmod -b "$root" "$KVER"

	for dir in "$@"; do
		n=$((n + 1))
		mkdir -p "$root/scenarios/$n"
		for s in "$dir"/*; do
			[ -f "$s" ] && [ -x "$s" ] && cp "$s" "$root/scenarios/$n/"
		done
	done
	printf 'PCC_LANE=%s\nPCC_SCENARIO_TIMEOUT=%s\nPCC_LONG=%s\n' "$LANE" \
		"$SCENARIO_TIMEOUT" "${PCC_LONG:-0}" > "$root/etc/pcc-vm.conf"
	# The benchmarks' knobs (PCC_BENCH_QUICK, PCC_BENCH_REPS, ...) go from
	# the host's environment to the scenarios'.
	local v
	for v in $(compgen -v PCC_BENCH_); do
		case ${!v} in
		*[!A-Za-z0-9_.,:/=+-]*) die "$v: only letters, digits and _.,:/=+- please" ;;
		esac
		printf 'export %s=%s\n' "$v" "${!v}" >> "$root/etc/pcc-vm.conf"
	done
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$out"
}
