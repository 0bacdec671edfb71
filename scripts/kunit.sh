#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the aspace KUnit suites in a UML kernel built from the unpacked
# Debian kernel source (scripts/ksrc.sh) with the debug options of
# kunit/.kunitconfig.
#
#   kunit.sh [KUNIT.PY RUN ARGS...]     e.g. kunit.sh 'aspace_pgtable.*'
#
# The project is placed into the kernel tree without copying kernel code
# into the repository: drivers/misc/{Kconfig,Makefile} get one line each
# (added once), and drivers/misc/aspace is a symlink to a copy of the
# project's kernel sources (Kbuild, module/, uapi/, kunit/) in the cache,
# refreshed on every run (only changed files are copied, so rebuilds stay
# incremental).  The copy, not the repository itself, because kbuild's
# O= build also searches the source directory for targets and would link
# the x86_64 objects an out-of-tree `make` leaves in the repository.
#
# Environment:
#   ASPACE_CACHE  cache directory (default ~/.cache/aspace): kernel source,
#                 source copy (kunit-src), UML build directory (kunit-uml),
#                 ccache directory
#   BUILD         where kunit.log and kunit.json go (default ./build)
#   JOBS          parallel make jobs (default 2)
#
# kunit.py's output is printed as it runs.  $BUILD/kunit.log gets that
# output followed by the raw kernel log; $BUILD/kunit.json the parsed
# results.  The last line is "kunit: N passed, M failed", counting test
# cases (each parameter of a parameterized case counts once).  A failed
# build, a compiler warning in the project's sources, a run in which no
# test ran, or a kernel log with a warning, BUG, Oops, KASAN/UBSAN report
# or lockdep splat counts as one more failure each.
# The exit status is 0 only if M is 0.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${ASPACE_CACHE:-$HOME/.cache/aspace}
build=${BUILD:-$repo/build}
jobs=${JOBS:-2}
kbuild=$cache/kunit-uml
srccopy=$cache/kunit-src/aspace
export CCACHE_DIR=${CCACHE_DIR:-$cache/ccache}

# Kernel log lines that fail the run even if every case passed.
splat_re='BUG:|WARNING:|Oops|KASAN|UBSAN|possible circular locking|'
splat_re+='possible recursive locking|inconsistent lock state|'
splat_re+='lock held when returning|Kernel panic|general protection fault|'
splat_re+='list_add corruption|list_del corruption|stack-protector'

summary() {
	echo "kunit: $1 passed, $2 failed"
	[ "$2" -eq 0 ]
	exit
}

ksrc=$("$repo/scripts/ksrc.sh") || summary 0 1

# The copy's Kbuild: the project's, plus UBSAN_SANITIZE (UML has no
# UBSAN_SANITIZE_ALL, so without it CONFIG_UBSAN would check nothing of
# ours).
copy_kbuild() {
	cat "$repo/Kbuild"
	if ! grep -q '^UBSAN_SANITIZE' "$repo/Kbuild"; then
		printf '\n# Added by scripts/kunit.sh.\nUBSAN_SANITIZE := y\n'
	fi
}

# Bring the copy of the kernel sources up to date with the work tree
# (tracked and untracked files, not ignored ones such as objects).
sync_sources() {
	local list f

	list=$(cd "$repo" && git ls-files -co --exclude-standard -- \
	       Kbuild module uapi kunit) || return
	mkdir -p "$srccopy" || return
	while IFS= read -r f; do
		if [ "$f" = Kbuild ] || [ ! -f "$repo/$f" ]; then
			continue
		fi
		cmp -s "$repo/$f" "$srccopy/$f" && continue
		mkdir -p "$(dirname "$srccopy/$f")" &&
			cp -p "$repo/$f" "$srccopy/$f" || return
	done <<<"$list"
	copy_kbuild >"$srccopy/Kbuild.new" || return
	if cmp -s "$srccopy/Kbuild.new" "$srccopy/Kbuild"; then
		rm -f "$srccopy/Kbuild.new"
	else
		mv "$srccopy/Kbuild.new" "$srccopy/Kbuild" || return
	fi
	(cd "$srccopy" && find . -type f | sed 's|^\./||') |
	while IFS= read -r f; do
		[ "$f" = Kbuild ] && continue
		if ! grep -qxF "$f" <<<"$list" || [ ! -f "$repo/$f" ]; then
			rm -f "$srccopy/$f"
		fi
	done
}

# Place the project into the kernel tree (idempotent).
place() {
	local misc=$ksrc/drivers/misc
	local src='source "drivers/misc/aspace/kunit/Kconfig"'
	# shellcheck disable=SC2016 # a make variable, not a shell one
	local obj='obj-$(CONFIG_ASPACE)		+= aspace/'

	sync_sources || return
	ln -sfn "$srccopy" "$misc/aspace" || return
	if ! grep -qxF "$src" "$misc/Kconfig"; then
		# Inside the "Misc devices" menu: before its closing endmenu.
		if [ "$(tail -n 1 "$misc/Kconfig")" = endmenu ]; then
			sed -i '$i '"$src" "$misc/Kconfig" || return
		else
			echo "$src" >>"$misc/Kconfig" || return
		fi
	fi
	if ! grep -qxF "$obj" "$misc/Makefile"; then
		echo "$obj" >>"$misc/Makefile" || return
	fi
}

mkdir -p "$cache" "$build" "$CCACHE_DIR" || summary 0 1

# One UML build at a time per cache: the build directory is shared.
exec 9>"$cache/kunit-uml.lock"
if ! flock -n 9; then
	echo "kunit: waiting for another kunit.sh run to finish" >&2
	flock 9
fi

place || { echo "kunit: cannot place aspace in $ksrc" >&2; summary 0 1; }

log=$build/kunit.log
json=$build/kunit.json
out=$(mktemp "$build/.kunit-py.XXXXXX") || summary 0 1
trap 'rm -f "$out"' EXIT
rm -f "$kbuild/test.log" "$log" "$json"

cc=gcc
if command -v ccache >/dev/null; then
	cc="ccache gcc"
fi

cd "$ksrc" || summary 0 1
python3 tools/testing/kunit/kunit.py run \
	--kunitconfig="$repo/kunit/.kunitconfig" \
	--build_dir="$kbuild" --jobs="$jobs" \
	--make_options "CC=$cc" "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}

{
	cat "$out"
	echo "---- raw kernel log ($kbuild/test.log) ----"
	cat "$kbuild/test.log" 2>/dev/null
} >"$log"
rm -f "$out"

if [ ! -s "$kbuild/test.log" ]; then
	echo "kunit: kunit.py failed before the kernel ran (status $rc)" >&2
	summary 0 1
fi

# Count the cases from the raw log, whatever output options were given.
counts=$(python3 tools/testing/kunit/kunit.py parse --json="$json" \
	 "$kbuild/test.log" >/dev/null 2>&1; python3 - "$json" <<'EOF'
import json
import sys

passed = failed = skipped = 0


def walk(group):
    global passed, failed, skipped
    for case in group.get('test_cases', []):
        status = case.get('status')
        if status == 'PASS':
            passed += 1
        elif status == 'SKIP':
            skipped += 1
        else:
            failed += 1
    for sub in group.get('sub_groups', []):
        walk(sub)


try:
    with open(sys.argv[1]) as f:
        walk(json.load(f))
except (OSError, ValueError):
    pass
print(passed, failed, skipped)
EOF
)
read -r passed failed skipped <<<"$counts"
passed=${passed:-0}
failed=${failed:-0}
skipped=${skipped:-0}

if [ "$skipped" -gt 0 ]; then
	echo "kunit: $skipped skipped"
fi
if [ $((passed + failed)) -eq 0 ]; then
	echo "kunit: no test ran (kunit.py status $rc)" >&2
	failed=1
elif [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "kunit: kunit.py failed (status $rc) though no case failed" >&2
	failed=1
fi
if grep -E 'aspace/.*(warning|error):' "$log" >"$build/kunit.warnings"; then
	echo "kunit: the build warns about aspace sources:" >&2
	head -n 20 "$build/kunit.warnings" >&2
	failed=$((failed + 1))
else
	rm -f "$build/kunit.warnings"
fi
if grep -En "$splat_re" "$kbuild/test.log" >"$build/kunit.splats"; then
	echo "kunit: the kernel log has warnings (see $log):" >&2
	head -n 20 "$build/kunit.splats" >&2
	failed=$((failed + 1))
else
	rm -f "$build/kunit.splats"
fi
summary "$passed" "$failed"
