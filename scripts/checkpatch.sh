#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel's checkpatch.pl --strict on every C file and header of the
# project (module, uapi, kunit, userspace), and kernel-doc on the kernel
# code.  Prints one line per file with a problem;
# exits non-zero if any file is not clean.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src=$("$top/scripts/ksrc.sh")
cd "$top"

# Kernel code gets the full check; user-space code is kselftest-style C,
# where the kernel-only rules (no new typedefs, printk levels, ...) do not
# apply.
user_ignore=NEW_TYPEDEFS,SPLIT_STRING,PREFER_KERNEL_TYPES,AVOID_EXTERNS
# The tracepoint header is written in TRACE_EVENT()'s layout, as every
# header under include/trace/events: lines that end in '(' and arguments
# aligned by the macros' nesting, not by the parenthesis.  Only those two.
trace_ignore=OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT

bad=0
while IFS= read -r f; do
	args=(--no-tree --strict --quiet --show-types --terse -f)
	case "$f" in
	userspace/*) args=(--ignore "$user_ignore" "${args[@]}") ;;
	# aspace is built out of tree for 6.1 and 6.12: ASP_LINUX_SINCE()
	# there is the one place that reads LINUX_VERSION_CODE.
	module/internal.h) args=(--ignore LINUX_VERSION_CODE "${args[@]}") ;;
	module/trace.h) args=(--ignore "$trace_ignore" "${args[@]}") ;;
	esac
	out=$(perl "$src/scripts/checkpatch.pl" "${args[@]}" "$f" 2>&1) || true
	out=$(grep -v '^total: 0 errors, 0 warnings, 0 checks' <<<"$out" || true)
	if [ -n "$out" ]; then
		echo "$out"
		bad=1
	fi
done < <(git ls-files -co --exclude-standard -- '*.c' '*.h')

# kernel-doc must parse every comment of the kernel code without a warning.
mapfile -t kfiles < <(git ls-files -co --exclude-standard -- \
		      'module/*.[ch]' 'uapi/*.h' 'kunit/*.[ch]')
out=$(perl "$src/scripts/kernel-doc" -none "${kfiles[@]}" 2>&1) || bad=1
if [ -n "$out" ]; then
	echo "$out"
	bad=1
fi

if [ "$bad" -ne 0 ]; then
	echo "checkpatch: FAILED" >&2
	exit 1
fi
echo "checkpatch: clean"
