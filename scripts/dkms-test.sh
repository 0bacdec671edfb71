#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.conf works with Debian's dkms: add (from a copy of the source tree,
# as a checkout has it), build, install and remove, against the installed
# headers of KVER (default: scripts/kdir.sh --version).  Everything happens
# in a temporary directory (--dkmstree, --sourcetree, --installtree, a
# signing key of its own, no depmod): the system is not changed.
# Prints "dkms: N passed, M failed".
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kver=${KVER:-$(scripts/kdir.sh --version)}
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
command -v dkms >/dev/null || { echo "dkms-test: dkms is missing; run scripts/install-deps.sh" >&2; exit 2; }
[ -n "$ver" ] || { echo "dkms-test: no PACKAGE_VERSION in dkms.conf" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aspace-dkms.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/checkout" "$tmp/dkms" "$tmp/src" "$tmp/modules/$kver"
git ls-files -co --exclude-standard -z |
	tar --null -T - -cf - | tar -C "$tmp/checkout" -xf -

# sign_file, mok_signing_key and mok_certificate are dkms's own variables
# (/etc/dkms/framework.conf); without them dkms would make its key in
# /var/lib/dkms.
run_dkms() {
	env mok_signing_key="$tmp/mok.key" mok_certificate="$tmp/mok.pub" \
		dkms --dkmstree "$tmp/dkms" --sourcetree "$tmp/src" \
		--installtree "$tmp/modules" "$@" >>"$tmp/log" 2>&1
}

passed=0
failed=0
check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok - dkms: $what"
		passed=$((passed + 1))
	else
		echo "not ok - dkms: $what"
		sed 's/^/  /' "$tmp/log"
		failed=$((failed + 1))
	fi
	: >"$tmp/log"
}

# The module as dkms keeps and installs it: aspace.ko, or aspace.ko.xz
# (.gz, .zst) when the kernel compresses its modules.
module_in() {
	local f
	for f in "$1"/aspace.ko "$1"/aspace.ko.{xz,gz,zst}; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	echo "no aspace.ko* in $1" >>"$tmp/log"
	return 1
}
built() {
	run_dkms build -m aspace -v "$ver" -k "$kver" -j 1 &&
	module_in "$tmp/dkms/aspace/$ver/$kver/x86_64/module" >/dev/null
}
installed() {
	local ko
	run_dkms install -m aspace -v "$ver" -k "$kver" --no-depmod &&
	ko=$(module_in "$tmp/modules/$kver/updates/dkms") &&
	[ "$(modinfo -F version "$ko")" = "$ver" ] &&
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kver" ] &&
	{ ! command -v openssl >/dev/null ||
	  [ "$(modinfo -F signer "$ko")" = "DKMS module signing key" ]; } &&
	run_dkms status -m aspace -v "$ver" -k "$kver" &&
	dkms --dkmstree "$tmp/dkms" --sourcetree "$tmp/src" \
		--installtree "$tmp/modules" status -m aspace -k "$kver" 2>>"$tmp/log" |
		grep -q "^aspace/$ver, $kver, x86_64: installed"
}
removed() {
	run_dkms remove -m aspace -v "$ver" --all --no-depmod &&
	! module_in "$tmp/modules/$kver/updates/dkms" >/dev/null &&
	[ ! -e "$tmp/dkms/aspace/$ver" ]
}

check "add $tmp/checkout" run_dkms add "$tmp/checkout"
check "build for $kver" built
check "install for $kver" installed
check "remove" removed
echo "dkms: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
