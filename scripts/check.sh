#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of the project, in order, failing fast:
#   1. the module (W=1) and the user-space programs build without a warning
#   2. checkpatch.pl --strict is clean on every C file and header
#   3. sparse (C=2) is clean on the module
#   4. the KUnit suites pass in a UML kernel, and the aspace_mmu suite in
#      an x86_64 kernel in QEMU, with 5- and 4-level paging (scripts/kunit.sh)
#   5. the end-to-end suite passes in a QEMU guest    (scripts/qemu-run.sh)
#   6. a bounded run of the fuzzer and the stress run passes in a QEMU
#      guest with 4 CPUs (scripts/fuzz.sh; FUZZ_SECONDS each, default 30;
#      FUZZ_SEED to replay a seed)
# and ends with the fuzz and stress summaries and one line "N passed, M
# failed" that counts every KUnit case, every end-to-end test and the
# fuzz and stress tests (a failed build or lint step counts as one
# failure).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-$top/build}
export BUILD
mkdir -p "$BUILD"

passed=0
failed=0

summary() {
	echo "$passed passed, $failed failed"
}

fail() {
	echo "check: $1 FAILED" >&2
	failed=$((failed + 1))
	summary
	exit 1
}

step() {
	echo
	echo "=== check: $1"
}

# Counts from a runner's last "<name>: N passed, M failed" line.
add_counts() {
	local line
	line=$(grep -E '^[a-z0-9]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	[ -n "$line" ] || return 1
	passed=$((passed + $(sed -E 's/^[^:]+: ([0-9]+) passed.*/\1/' <<<"$line")))
	failed=$((failed + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
}

step "dependencies"
scripts/install-deps.sh || fail "dependency install"

step "build (W=1)"
log="$BUILD/build.log"
if ! { make module && make userspace; } >"$log" 2>&1; then
	cat "$log"
	fail "build"
fi
if grep -E 'warning:|error:' "$log"; then
	fail "build (warnings)"
fi
echo "build: clean"

step "checkpatch --strict"
scripts/checkpatch.sh || fail "checkpatch"

step "sparse (C=2)"
log="$BUILD/sparse.log"
make sparse >"$log" 2>&1 || { cat "$log"; fail "sparse"; }
if grep -E 'warning:|error:' "$log"; then
	fail "sparse (warnings)"
fi
echo "sparse: clean"

step "KUnit (UML; x86_64 in QEMU, 5- and 4-level paging)"
log="$BUILD/kunit.out"
rc=0
KUNIT_X86=1 scripts/kunit.sh 2>&1 | tee "$log" || rc=$?
add_counts "$log" || fail "KUnit (no summary)"
[ "$rc" -eq 0 ] || fail "KUnit"

step "end-to-end (QEMU)"
log="$BUILD/e2e.out"
rc=0
scripts/qemu-run.sh --tests 2>&1 | tee "$log" || rc=$?
add_counts "$log" || fail "end-to-end (no summary)"
[ "$rc" -eq 0 ] || fail "end-to-end"

step "fuzz and stress (QEMU, 4 CPUs)"
log="$BUILD/fuzz.out"
rc=0
scripts/fuzz.sh --seconds "${FUZZ_SECONDS:-30}" 2>&1 | tee "$log" || rc=$?
add_counts "$log" || fail "fuzz (no summary)"
[ "$rc" -eq 0 ] || fail "fuzz and stress"

echo
grep -E '^(fuzz|stress) summary: ' "$log" || true
summary
[ "$failed" -eq 0 ]
