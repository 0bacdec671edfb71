#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The manual pages in man/: each renders without a warning from man and
# groff (the check lintian makes, and groff -ww), aspacectl(1) describes
# every command aspacectl has, libaspace(3) declares every function of
# libaspace.h, and the C example of libaspace(3) builds against the
# library as printed.  Run after make (it uses $BUILD/aspacectl and
# $BUILD/libaspace.a).  Prints one line per problem; exits non-zero if any.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-$top/build}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aspace-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

bad=0
problem() {
	echo "man-check: $*"
	bad=1
}

for page in man/*.[1-8]; do
	out=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
		man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null) ||
		problem "$page: man failed"
	[ -z "$out" ] || problem "$page: $out"
	out=$(groff -man -z -ww "$page" 2>&1) || problem "$page: groff failed"
	[ -z "$out" ] || problem "$page: $out"
done

# The commands of `aspacectl help` and the entries of COMMANDS (the first
# word of each .TP tag there): the same, in the same order.
[ -x "$BUILD/aspacectl" ] || problem "no $BUILD/aspacectl (make first)"
if [ -x "$BUILD/aspacectl" ]; then
	cmds=$("$BUILD/aspacectl" help | sed -n '/^commands:/,/^$/p' |
		awk 'NR > 1 && /^  [a-z]/ { print $1 }')
	tags=$(awk '/^\.SH / { on = ($2 == "COMMANDS") } on && tp { print } { tp = /^\.TP/ }' \
		man/aspacectl.1 | sed -E 's/^(\.BR? |\\fB)([a-z0-9_]+).*/\2/')
	[ -n "$cmds" ] || problem "aspacectl help lists no command"
	[ "$cmds" = "$tags" ] ||
		problem "man/aspacectl.1: COMMANDS has '${tags//$'\n'/ }'," \
			"aspacectl help '${cmds//$'\n'/ }'"
fi

# Every function of libaspace.h, declared in the synopsis.
while read -r f; do
	grep -qE "^\\.BI \"[a-z_ ]+\\**$f\\(" man/libaspace.3 ||
		problem "man/libaspace.3: $f is not in the synopsis"
done < <(grep -oE '^[a-z_ ]+\**(aspace_[a-z0-9_]+)\(' userspace/lib/libaspace.h |
	 grep -oE 'aspace_[a-z0-9_]+')

# The example of libaspace(3): the .EX block with #include lines.
awk '/^\.EX$/ { n++; keep = 0; next } /^\.EE$/ { if (keep) exit; next }
     n && /^#include/ { keep = 1 }
     keep { print }' man/libaspace.3 |
	sed -e 's/\\e/\\/g' -e 's/\\-/-/g' >"$tmp/example.c"
if [ ! -s "$tmp/example.c" ]; then
	problem "man/libaspace.3: no C example"
elif ! out=$(gcc -Wall -Wextra -Werror -I uapi -I userspace/lib \
	-o "$tmp/example" "$tmp/example.c" "$BUILD/libaspace.a" 2>&1); then
	problem "man/libaspace.3: the example does not build: $out"
fi

if [ "$bad" -ne 0 ]; then
	echo "man-check: FAILED" >&2
	exit 1
fi
pages=(man/*.[1-8])
echo "man-check: clean (${#pages[@]} pages)"
