#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install and make uninstall into a DESTDIR, after make (and make
# tests, for the README's examples):
#   - the version agrees in the Makefile, dkms.conf and the module;
#   - install puts exactly the expected files there, with their modes and
#     links, for the default PREFIX and for PREFIX=/usr with a multiarch
#     LIBDIR (the man pages and the example scripts among them);
#   - the installed aspacectl finds the installed tour (demo --script),
#     and man reads the installed pages;
#   - libaspace.so has its soname and exports exactly the aspace_*
#     functions of libaspace.h, all in version LIBASPACE_1;
#   - a program built with the installed pkg-config file links to the
#     installed shared library (and another to the static one) and runs
#     without the device; the README's C examples build against the
#     installed headers alone;
#   - uninstall removes every file install put there.
# Prints "install: N passed, M failed".
#
#   install-test.sh [--stage DIR]   also leave a default install in DIR,
#                                   with depmod run on it, for the guest
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-$top/build}
stage=
if [ "${1:-}" = --stage ]; then
	stage=$(realpath -m "$2")
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aspace-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log

passed=0
failed=0
check() {
	local what=$1
	shift
	: >"$log"
	if "$@" >>"$log" 2>&1; then
		echo "ok - install: $what"
		passed=$((passed + 1))
	else
		echo "not ok - install: $what"
		sed 's/^/  /' "$log"
		failed=$((failed + 1))
	fi
}

# The files under $1: type, mode and path (and a link's target), sorted.
listing() {
	(cd "$1" && find . \( -type l -printf '%y %m %P -> %l\n' \) -o \
		\( ! -type d -printf '%y %m %P\n' \) | sort)
}

same_version() {
	local mk dk ko
	mk=$(sed -n 's/^VERSION := //p' Makefile)
	dk=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
	ko=$(modinfo -F version aspace.ko)
	echo "Makefile $mk, dkms.conf $dk, aspace.ko $ko"
	[ -n "$mk" ] && [ "$mk" = "$dk" ] && [ "$mk" = "$ko" ]
}

kver=$(modinfo -F vermagic aspace.ko | cut -d' ' -f1)

# install_tree DESTDIR EXPECTED [make variables]
install_tree() {
	local dest=$1 expected=$2
	shift 2
	make -s install DESTDIR="$dest" "$@" &&
	diff -u "$expected" <(listing "$dest")
}

# The example scripts, installed under $1/share/aspace/examples.
expected_examples() {
	local f
	for f in userspace/examples/*.asp; do
		echo "f 644 $1/share/aspace/examples/${f##*/}"
	done
}

expected_default() {
	{
		sed "s/@KVER@/$kver/" <<'EOF'
f 644 etc/udev/rules.d/60-aspace.rules
f 644 lib/modules/@KVER@/updates/aspace.ko
f 644 usr/local/include/libaspace.h
f 644 usr/local/include/linux/aspace.h
f 644 usr/local/lib/libaspace.a
f 644 usr/local/lib/pkgconfig/libaspace.pc
f 644 usr/local/share/man/man1/aspacectl.1
f 644 usr/local/share/man/man3/libaspace.3
f 755 usr/local/bin/aspacectl
f 755 usr/local/lib/libaspace.so.1.0.0
l 777 usr/local/lib/libaspace.so -> libaspace.so.1
l 777 usr/local/lib/libaspace.so.1 -> libaspace.so.1.0.0
EOF
		expected_examples usr/local
	} | sort
}

expected_usr() {
	{
		sed "s/@KVER@/$kver/" <<'EOF'
f 644 etc/udev/rules.d/60-aspace.rules
f 644 lib/modules/@KVER@/updates/aspace.ko
f 644 usr/include/libaspace.h
f 644 usr/include/linux/aspace.h
f 644 usr/lib/x86_64-linux-gnu/libaspace.a
f 644 usr/lib/x86_64-linux-gnu/pkgconfig/libaspace.pc
f 644 usr/share/man/man1/aspacectl.1
f 644 usr/share/man/man3/libaspace.3
f 755 usr/bin/aspacectl
f 755 usr/lib/x86_64-linux-gnu/libaspace.so.1.0.0
l 777 usr/lib/x86_64-linux-gnu/libaspace.so -> libaspace.so.1
l 777 usr/lib/x86_64-linux-gnu/libaspace.so.1 -> libaspace.so.1.0.0
EOF
		expected_examples usr
	} | sort
}

exports() {
	local so=$1 header=userspace/lib/libaspace.h
	readelf -d "$so" | grep -q 'Library soname: \[libaspace\.so\.1\]' ||
		{ echo "$so: no soname libaspace.so.1"; return 1; }
	# Defined dynamic symbols: only aspace_* functions, only in LIBASPACE_1.
	nm -D --defined-only "$so" | awk '
		$2 == "A" && $3 == "LIBASPACE_1" { next }
		$2 == "T" && $3 ~ /^aspace_[a-z0-9_]+@@LIBASPACE_1$/ { next }
		{ print "unexpected symbol: " $0; bad = 1 }
		END { exit bad }' || return 1
	diff -u <(grep -oE '\<aspace_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u) \
		<(nm -D --defined-only "$so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort)
}

cat >"$tmp/prog.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libaspace.h>

int main(void)
{
	const char *name = aspace_feature_name(0);

	if (!name || strcmp(name, "mmap") || aspace_feature_name(64))
		return 1;
	if (aspace_open_path("/nonexistent/aspace", 0) != -ENOENT)
		return 2;
	printf("%s %d\n", name, ASPACE_API_VERSION);
	return 0;
}
EOF

# pkg-config as a user's build would call it, for the tree in $1 (a sysroot).
pc() {
	PKG_CONFIG_SYSROOT_DIR=$1 PKG_CONFIG_LIBDIR=$1$2/pkgconfig \
		pkg-config "${@:3}" libaspace
}

linked_shared() {
	local root=$1 libdir=$2
	[ "$(pc "$root" "$libdir" --modversion)" = "$(sed -n 's/^VERSION := //p' Makefile)" ] || return 1
	# shellcheck disable=SC2046 # pkg-config's output is a list of words
	gcc -Wall -Wextra -Werror -o "$tmp/prog" "$tmp/prog.c" \
		$(pc "$root" "$libdir" --cflags --libs) || return 1
	readelf -d "$tmp/prog" | grep -q 'Shared library: \[libaspace\.so\.1\]' ||
		{ echo "prog does not need libaspace.so.1"; return 1; }
	LD_LIBRARY_PATH=$root$libdir ldd "$tmp/prog" | grep -F "$root$libdir/libaspace.so.1" &&
	[ "$(LD_LIBRARY_PATH=$root$libdir "$tmp/prog")" = "mmap 1" ]
}

linked_static() {
	local root=$1 libdir=$2
	# shellcheck disable=SC2046
	gcc -Wall -Wextra -Werror -o "$tmp/prog-static" "$tmp/prog.c" \
		$(pc "$root" "$libdir" --cflags) "$root$libdir/libaspace.a" &&
	! readelf -d "$tmp/prog-static" | grep -q libaspace &&
	[ "$("$tmp/prog-static")" = "mmap 1" ]
}

# The README's examples with nothing but the installed headers: the
# include directory of the tree, in place of /usr/local/include.
readme_examples() {
	local root=$1 f n=0
	for f in "$BUILD"/obj/readme/example*.c; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		# shellcheck disable=SC2046
		gcc -Wall -Wextra -Werror -o "$tmp/example" "$f" \
			$(pc "$root" /usr/local/lib --cflags --libs) || return 1
	done
	echo "$n examples"
	[ "$n" -gt 0 ]
}

# The installed aspacectl's demo finds the installed tour.asp.
installed_tour() {
	local root=$1 out
	out=$(env -u ASPACECTL_EXAMPLES "$root/usr/local/bin/aspacectl" demo --script) &&
	echo "$out" &&
	[ "$(realpath "$out")" = "$root/usr/local/share/aspace/examples/tour.asp" ]
}

# man finds the installed pages where a MANPATH with the tree points.
installed_man() {
	local man=$1/usr/local/share/man
	[ "$(MANPATH=$man man -w aspacectl)" = "$man/man1/aspacectl.1" ] &&
	[ "$(MANPATH=$man man -w 3 libaspace)" = "$man/man3/libaspace.3" ]
}

uninstalled() {
	local dest=$1
	shift
	make -s uninstall DESTDIR="$dest" "$@" &&
	[ -z "$(listing "$dest")" ]
}

check "one version in Makefile, dkms.conf and aspace.ko" same_version

d=$tmp/default
check "install DESTDIR: exactly the expected files" \
	install_tree "$d" <(expected_default)
check "libaspace.so.1: soname, exports exactly libaspace.h's functions" \
	exports "$d/usr/local/lib/libaspace.so.1"
check "pkg-config --cflags --libs libaspace: linked to libaspace.so.1, runs" \
	linked_shared "$d" /usr/local/lib
check "libaspace.a: linked statically, runs" linked_static "$d" /usr/local/lib
check "README's C examples build against the installed headers" \
	readme_examples "$d"
check "aspacectl demo finds the installed tour.asp" installed_tour "$d"
check "man finds aspacectl(1) and libaspace(3)" installed_man "$d"
check "uninstall DESTDIR: no file left" uninstalled "$d"

d=$tmp/usr
check "install PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu: the expected files" \
	install_tree "$d" <(expected_usr) PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu
check "PREFIX=/usr: pkg-config file and shared library" \
	linked_shared "$d" /usr/lib/x86_64-linux-gnu
check "PREFIX=/usr: uninstall leaves no file" \
	uninstalled "$d" PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu

if [ -n "$stage" ]; then
	staged() {
		rm -rf "$stage" &&
		make -s install DESTDIR="$stage" &&
		depmod -b "$stage" "$kver" &&
		grep -q '^updates/aspace.ko:' "$stage/lib/modules/$kver/modules.dep"
	}
	check "staging root for the guest: install, depmod -b" staged
fi

echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
