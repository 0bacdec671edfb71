#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The sanitizer guest kernel: an x86_64 kernel built from Debian's
# linux-source-6.1 (scripts/ksrc.sh) with allnoconfig plus
# scripts/sanitizer.config (modules, SMP, KASAN, KMEMLEAK, PROVE_LOCKING,
# DEBUG_ATOMIC_SLEEP, DEBUG_VM, DEBUG_LIST, UBSAN, the fault-injection
# framework), built once into the cache (ccache) and rebuilt only when the
# configuration, this script or the source changes; and aspace.ko built
# against it.
#
#   sankernel.sh               build (or find) the kernel; print its
#                              release, e.g. 6.1.192-aspace-san
#   sankernel.sh --kernel      ... and print the path of its bzImage
#   sankernel.sh --module DIR  ... and build aspace.ko in DIR (a copy of
#                              Kbuild, module/, uapi/) with W=1 and
#                              UBSAN on aspace's sources; print its path
#
# Environment: ASPACE_CACHE (default ~/.cache/aspace; the build directory
# is san-6.1 in it), JOBS (default: the number of CPUs).  The build log is
# in the build directory (build.log).  About 15 minutes on 2 CPUs the first
# time; seconds after that.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${ASPACE_CACHE:-$HOME/.cache/aspace}
out=$cache/san-6.1
frag=$repo/scripts/sanitizer.config
jobs=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$cache/ccache}

die() {
	echo "sankernel: $*" >&2
	exit 1
}

what=release
moddir=
case "${1:-}" in
"") ;;
--kernel) what=kernel ;;
--module)
	[ "$#" -ge 2 ] || die "--module needs a directory"
	what=module
	moddir=$2
	;;
-h | --help)
	sed -n '4,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
	exit 0
	;;
*) die "unknown argument: $1 (see --help)" ;;
esac

ksrc=$("$repo/scripts/ksrc.sh" 6.1) || die "no kernel source"
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
kmake=(make -C "$ksrc" O="$out" ARCH=x86_64 "CC=$cc" -j"$jobs")

# What the kernel is made of: rebuild when any of it changes.
stamp_of() {
	cat "$frag" "${BASH_SOURCE[0]}" "$ksrc/Makefile" | sha256sum | cut -c1-16
}

# Every line of the fragment must hold in .config (a symbol whose
# dependencies are missing is dropped silently by kconfig).
check_config() {
	local line missing=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=* | "# CONFIG_"*" is not set") ;;
		*) continue ;;
		esac
		if ! grep -qxF "$line" "$out/.config"; then
			echo "sankernel: .config lacks: $line" >&2
			missing=1
		fi
	done <"$frag"
	return "$missing"
}

build_kernel() {
	mkdir -p "$out" "$CCACHE_DIR"
	rm -f "$out/.aspace-built"
	echo "sankernel: building the sanitizer kernel in $out (log: $out/build.log)" >&2
	{
		"${kmake[@]}" KCONFIG_ALLCONFIG="$frag" allnoconfig &&
			check_config &&
			"${kmake[@]}" bzImage modules
	} >"$out/build.log" 2>&1 || {
		tail -n 30 "$out/build.log" >&2
		die "the kernel build failed"
	}
	stamp_of >"$out/.aspace-built"
}

mkdir -p "$cache"
exec 8>"$cache/san-6.1.lock"
flock 8
if [ ! -f "$out/.aspace-built" ] ||
	[ "$(cat "$out/.aspace-built")" != "$(stamp_of)" ] ||
	[ ! -f "$out/arch/x86/boot/bzImage" ]; then
	start=$(date +%s)
	build_kernel
	echo "sankernel: built in $(($(date +%s) - start)) s" >&2
fi
release=$(cat "$out/include/config/kernel.release")

case "$what" in
release) echo "$release" ;;
kernel) echo "$out/arch/x86/boot/bzImage" ;;
module)
	mkdir -p "$moddir"
	moddir=$(cd "$moddir" && pwd)
	cp -a "$repo/Kbuild" "$repo/module" "$repo/uapi" "$moddir/"
	# Objects of another kernel must not be linked in.
	find "$moddir/module" -name '*.o' -delete
	make -C "$out" M="$moddir" "CC=$cc" CONFIG_ASPACE=m W=1 \
		UBSAN_SANITIZE=y modules >&2 || die "building aspace.ko failed"
	echo "$moddir/aspace.ko"
	;;
esac
