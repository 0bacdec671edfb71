#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the aspace KUnit suites in kernels built from the unpacked Debian
# kernel source (scripts/ksrc.sh):
#   1. every suite in a UML kernel with the debug options of
#      kunit/.kunitconfig;
#   2. the aspace_mmu suite (kunit/mmu_test.c) in an x86_64 kernel
#      (kunit/x86_64.kunitconfig, the same debug options) run twice in
#      QEMU with TCG: with -cpu max, which has LA57, so the kernel runs
#      with 5-level paging, and with -cpu qemu64, 4-level paging.  Each
#      run must log the paging mode it expects, so a silent fallback to
#      the other mode fails.  The second run boots the same kernel
#      (kunit.py exec).
#
#   kunit.sh [KUNIT.PY RUN ARGS...]     e.g. kunit.sh 'aspace_pgtable.*'
#
# The arguments go to the UML run only.
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
#                 source copy (kunit-src), UML and x86_64 build directories
#                 (kunit-uml, kunit-x86_64), ccache directory
#   BUILD         where the logs go (default ./build)
#   JOBS          parallel make jobs (default 2)
#   KUNIT_BENCH   set to 1 to run only the benchmark cases, in a UML kernel
#                 without debugging aids (kunit/bench.kunitconfig, build
#                 directory kunit-bench); their numbers are in
#                 $BUILD/kunit-bench.log
#   KUNIT_X86     set to 0 to leave out the x86_64 runs (make check never
#                 does)
#
# kunit.py's output is printed as it runs.  For the UML run,
# $BUILD/kunit.log gets that output followed by the raw kernel log and
# $BUILD/kunit.json the parsed results; for the x86_64 runs the same go to
# $BUILD/kunit-x86_64-{max,qemu64}.{log,json}.  Each run ends with a line
# "kunit (RUN): N passed, M failed"; the last line, "kunit: N passed, M
# failed", adds them up, counting test cases (each parameter of a
# parameterized case counts once).  A failed build, a compiler warning in
# the project's sources, a run in which no test ran, a kernel log with a
# warning, BUG, Oops, KASAN/UBSAN report or lockdep splat, or an x86_64
# run without the expected paging-mode line counts as one more failure
# each.  The exit status is 0 only if M is 0.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${ASPACE_CACHE:-$HOME/.cache/aspace}
build=${BUILD:-$repo/build}
jobs=${JOBS:-2}
kbuild=$cache/kunit-uml
kbuild_x86=$cache/kunit-x86_64
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
# (tracked and untracked files, not ignored ones such as objects).  A
# changed file is copied with a new time stamp, never the work tree's (cp -p):
# a file edited before the last build finished would look older than its
# object and not be rebuilt.
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
			cp "$repo/$f" "$srccopy/$f" || return
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

# Count the cases of kunit.py's JSON ($1): prints "passed failed skipped".
count_cases() {
	python3 - "$1" <<'EOF'
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
}

total_passed=0
total_failed=0
out=
trap 'rm -f "$out"' EXIT

# One kunit.py run: run_kunit NAME BUILD_DIR LOG_BASE [KUNIT.PY ARGS...]
# Runs kunit.py with the given arguments (in the kernel source tree),
# keeps its output followed by the raw kernel log in $build/LOG_BASE.log
# and the parsed results in $build/LOG_BASE.json, counts the cases and the
# extra failures, prints "kunit (NAME): N passed, M failed" and adds N and
# M to the totals.  Sets $raw to the raw kernel log (BUILD_DIR/test.log).
run_kunit() {
	local name=$1 dir=$2 base=$3 rc counts passed failed skipped
	local log=$build/$3.log json=$build/$3.json
	shift 3

	raw=$dir/test.log
	out=$(mktemp "$build/.kunit-py.XXXXXX") || return
	rm -f "$raw" "$log" "$json"
	python3 tools/testing/kunit/kunit.py "$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}

	{
		cat "$out"
		echo "---- raw kernel log ($raw) ----"
		cat "$raw" 2>/dev/null
	} >"$log"
	rm -f "$out"

	passed=0
	failed=0
	skipped=0
	if [ ! -s "$raw" ]; then
		echo "kunit: kunit.py failed before the kernel ran (status $rc)" >&2
		failed=1
	else
		# Count the cases from the raw log, whatever output options
		# were given.
		python3 tools/testing/kunit/kunit.py parse --json="$json" \
			"$raw" >/dev/null 2>&1
		counts=$(count_cases "$json")
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
	fi
	if grep -E 'aspace/.*(warning|error):' "$log" >"$build/$base.warnings"; then
		echo "kunit: the build warns about aspace sources:" >&2
		head -n 20 "$build/$base.warnings" >&2
		failed=$((failed + 1))
	else
		rm -f "$build/$base.warnings"
	fi
	if grep -En "$splat_re" "$raw" >"$build/$base.splats" 2>/dev/null; then
		echo "kunit: the kernel log has warnings (see $log):" >&2
		head -n 20 "$build/$base.splats" >&2
		failed=$((failed + 1))
	else
		rm -f "$build/$base.splats"
	fi
	echo "kunit ($name): $passed passed, $failed failed"
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed))
}

# The x86_64 run with QEMU -cpu $1 must have run the suite with $2-level
# paging: mmu_test_paging_mode logs the level count it used.
check_paging() {
	if grep -qE "mmu_test_paging_mode: $2-level paging" "$raw" 2>/dev/null; then
		echo "kunit (x86_64 -cpu $1): $2-level paging, as expected"
	else
		echo "kunit (x86_64 -cpu $1): no log of $2-level paging; one more failure" >&2
		total_failed=$((total_failed + 1))
	fi
}

mkdir -p "$cache" "$build" "$CCACHE_DIR" || summary 0 1

# One run at a time per cache: the source copy and the build directories
# are shared.  (The lock keeps the name it had when only UML ran.)
exec 9>"$cache/kunit-uml.lock"
if ! flock -n 9; then
	echo "kunit: waiting for another kunit.sh run to finish" >&2
	flock 9
fi

place || { echo "kunit: cannot place aspace in $ksrc" >&2; summary 0 1; }

cc=gcc
if command -v ccache >/dev/null; then
	cc="ccache gcc"
fi

cd "$ksrc" || summary 0 1
if [ "${KUNIT_BENCH:-0}" = 1 ]; then
	run_kunit bench "$cache/kunit-bench" kunit-bench run \
		--kunitconfig="$repo/kunit/bench.kunitconfig" \
		--build_dir="$cache/kunit-bench" --jobs="$jobs" \
		--make_options "CC=$cc" '*.*benchmark*'
	grep -E '# [a-z_]+_benchmark: ' "$build/kunit-bench.log" | sort -u
	summary "$total_passed" "$total_failed"
fi
run_kunit uml "$kbuild" kunit run \
	--kunitconfig="$repo/kunit/.kunitconfig" \
	--build_dir="$kbuild" --jobs="$jobs" \
	--make_options "CC=$cc" "$@"

if [ "${KUNIT_X86:-1}" = 0 ]; then
	echo "kunit: KUNIT_X86=0, the x86_64 runs are left out" >&2
	summary "$total_passed" "$total_failed"
fi

# TCG only: KVM hangs on these machines (and -cpu host would need it).
qemu_tcg='-accel tcg'
run_kunit "x86_64 -cpu max" "$kbuild_x86" kunit-x86_64-max run \
	--arch=x86_64 --kunitconfig="$repo/kunit/x86_64.kunitconfig" \
	--build_dir="$kbuild_x86" --jobs="$jobs" --make_options "CC=$cc" \
	--qemu_args="$qemu_tcg -cpu max" aspace_mmu
check_paging max 5
# The same kernel again, on a CPU without LA57; only if the kernel just
# built booted (never a stale one).
if [ -s "$raw" ]; then
	run_kunit "x86_64 -cpu qemu64" "$kbuild_x86" kunit-x86_64-qemu64 \
		exec --arch=x86_64 --build_dir="$kbuild_x86" \
		--qemu_args="$qemu_tcg -cpu qemu64" aspace_mmu
	check_paging qemu64 4
else
	echo "kunit (x86_64 -cpu qemu64): not run, no kernel booted; one more failure" >&2
	total_failed=$((total_failed + 1))
fi
summary "$total_passed" "$total_failed"
