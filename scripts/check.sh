#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of the project, in order, failing fast:
#   1. the module (W=1), the user-space programs and the tests build
#      without a warning, and so does every C example of README.md; and
#      the module against Linux 6.12
#   2. checkpatch.pl --strict is clean on every C file and header, and
#      the man pages render without a warning and match the tool and the
#      library (scripts/man-check.sh)
#   3. sparse (C=2) is clean on the module
#   4. make install/uninstall into a DESTDIR (scripts/install-test.sh) and
#      dkms add/build/install/remove in a temporary tree
#      (scripts/dkms-test.sh) against the installed headers
#   5. the KUnit suites pass in a UML kernel, and the aspace_mmu suite in
#      an x86_64 kernel in QEMU, with 5- and 4-level paging (scripts/kunit.sh)
#   6. the module's parameters at load time, and modprobe of the installed
#      module, in a QEMU guest booted without it (userspace/modtests/)
#   7. the end-to-end suite passes in a QEMU guest    (scripts/qemu-run.sh)
#      running Debian's Linux 6.1, and in one running 6.12 (bookworm-backports);
#      oom_test alone in a 6.1 guest with 384 MiB of memory; trace_test
#      alone in a one-CPU guest of each kernel
#   8. the differential tester against Linux (userspace/difftest/) in a 6.1
#      guest: a bounded number of random sequences, and its self-test
#   9. on the sanitizer kernel (scripts/sankernel.sh: linux-source-6.1 with
#      KASAN, KMEMLEAK, lockdep, UBSAN, DEBUG_VM, fault injection; built
#      once into the cache), with aspace.ko built against it: the
#      end-to-end suite and the fail-nth sweep (failnth_test) in a guest
#      with 2 CPUs, then a bounded run of the fuzzer and the stress run in
#      a guest with 4 CPUs, as on Linux 6.1 just before (scripts/fuzz.sh;
#      FUZZ_SECONDS each, default 30; FUZZ_SEED to replay a seed); each
#      guest ends with a kmemleak scan, and any KASAN, UBSAN, lockdep,
#      kmemleak or other kernel report fails
# and ends with the fail-nth, fuzz and stress summaries and one line "N
# passed, M failed" that counts every KUnit case, every end-to-end test,
# the fuzz and stress tests and every difftest sequence (a failed build or
# lint step counts as one failure).
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
	line=$(grep -E '^[a-z0-9.-]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	[ -n "$line" ] || return 1
	passed=$((passed + $(sed -E 's/^[^:]+: ([0-9]+) passed.*/\1/' <<<"$line")))
	failed=$((failed + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
}

step "dependencies"
scripts/install-deps.sh --backports || fail "dependency install"

# The two kernels: 6.1 (Debian 12's own; the default of every step but the
# 6.12 ones) and 6.12 from bookworm-backports.  Each is given explicitly,
# whatever kernel this machine runs.
KVER=${KVER:-$(scripts/kdir.sh --version 6.1)}
[ -n "$KVER" ] || KVER=$(scripts/kdir.sh --version)
export KVER
k612=$(scripts/kdir.sh --version 6.12)
[ -n "$k612" ] || fail "no Linux 6.12 headers (scripts/install-deps.sh --backports)"
echo "kernels: $KVER, $k612"

step "build (W=1)"
log="$BUILD/build.log"
if ! { make module && make userspace && make tests; } >"$log" 2>&1; then
	cat "$log"
	fail "build"
fi
if grep -E 'warning:|error:' "$log"; then
	fail "build (warnings)"
fi
echo "build: clean"

step "build against Linux $k612 (W=1)"
log="$BUILD/build-6.12.log"
if ! make module-6.12 >"$log" 2>&1; then
	cat "$log"
	fail "build (6.12)"
fi
if grep -E 'warning:|error:' "$log"; then
	fail "build (6.12, warnings)"
fi
echo "build-6.12: clean"

step "checkpatch --strict"
scripts/checkpatch.sh || fail "checkpatch"

step "man pages"
scripts/man-check.sh || fail "man pages"

step "sparse (C=2)"
log="$BUILD/sparse.log"
make sparse >"$log" 2>&1 || { cat "$log"; fail "sparse"; }
if grep -E 'warning:|error:' "$log"; then
	fail "sparse (warnings)"
fi
echo "sparse: clean"

step "make install and uninstall (DESTDIR), DKMS"
log="$BUILD/install.out"
rc=0
scripts/install-test.sh --stage "$BUILD/stage" 2>&1 | tee "$log" || rc=$?
add_counts "$log" || fail "install (no summary)"
[ "$rc" -eq 0 ] || fail "install"
log="$BUILD/dkms.out"
rc=0
scripts/dkms-test.sh 2>&1 | tee "$log" || rc=$?
add_counts "$log" || fail "dkms (no summary)"
[ "$rc" -eq 0 ] || fail "dkms"

step "KUnit (UML; x86_64 in QEMU, 5- and 4-level paging)"
log="$BUILD/kunit.out"
rc=0
KUNIT_X86=1 scripts/kunit.sh 2>&1 | tee "$log" || rc=$?
add_counts "$log" || fail "KUnit (no summary)"
[ "$rc" -eq 0 ] || fail "KUnit"

# A guest of its own, booted without the module: the tests load it.  The
# guest gets make install's tree and, for the udev rule, the host's
# udevadm with its libraries.
step "module parameters, modprobe and udev rule of the installed module (QEMU)"
log="$BUILD/modtests.out"
udev=$BUILD/udev-tree
rm -rf "$udev"
mkdir -p "$udev"
for f in /usr/bin/udevadm $(ldd /usr/bin/udevadm | awk '$(NF-1) ~ /^\// { print $(NF-1) }'); do
	cp -L --parents "$f" "$udev" || fail "udevadm for the guest"
done
rc=0
scripts/qemu-run.sh --kver "$KVER" --no-module --tree "$BUILD/stage" \
	--tree "$udev" --file aspace.ko --tests "$BUILD"/modtests/* 2>&1 | tee "$log" || rc=$?
add_counts "$log" || fail "module loading (no summary)"
[ "$rc" -eq 0 ] || fail "module loading"

step "end-to-end (QEMU, Linux $KVER)"
log="$BUILD/e2e.out"
rc=0
# Every test binary but oom_test and trace_test, which need guests of
# their own: enabling a tracepoint patches kernel text, and under TCG with
# several vCPUs another vCPU can run the stale int3 ("Oops: int3", seen
# once on 6.12), so trace_test runs with one CPU.  failnth_test needs
# fault injection: only the sanitizer kernel has it.
e2e_tests=()
for t in "$BUILD"/tests/*; do
	case ${t##*/} in
	oom_test | trace_test | failnth_test) ;;
	*) e2e_tests+=("$t") ;;
	esac
done
scripts/qemu-run.sh --kver "$KVER" --tests "${e2e_tests[@]}" 2>&1 |
	tee "$log" || rc=$?
add_counts "$log" || fail "end-to-end (no summary)"
[ "$rc" -eq 0 ] || fail "end-to-end"

step "end-to-end, little memory (QEMU, Linux $KVER, 384 MiB: oom_test)"
log="$BUILD/e2e-oom.out"
rc=0
scripts/qemu-run.sh --kver "$KVER" --mem 384M --logs "$BUILD/oom" \
	--tests "$BUILD/tests/oom_test" 2>&1 | tee "$log" || rc=$?
add_counts "$log" || fail "end-to-end, little memory (no summary)"
[ "$rc" -eq 0 ] || fail "end-to-end, little memory"

for k in "$KVER" "$k612"; do
	step "tracepoints (QEMU, Linux $k, 1 CPU: trace_test)"
	log="$BUILD/e2e-trace-$k.out"
	mod=aspace.ko
	[ "$k" = "$KVER" ] || mod="$BUILD/k612/aspace.ko"
	rc=0
	scripts/qemu-run.sh --kver "$k" --kernel "/boot/vmlinuz-$k" \
		--module "$mod" --smp 1 --logs "$BUILD/trace-$k" \
		--tests "$BUILD/tests/trace_test" 2>&1 | tee "$log" || rc=$?
	add_counts "$log" || fail "tracepoints on $k (no summary)"
	[ "$rc" -eq 0 ] || fail "tracepoints on $k"
done

step "end-to-end (QEMU, Linux $k612)"
log="$BUILD/e2e-6.12.out"
rc=0
scripts/qemu-run.sh --kver "$k612" --kernel "/boot/vmlinuz-$k612" \
	--module "$BUILD/k612/aspace.ko" --logs "$BUILD/k612" \
	--tests "${e2e_tests[@]}" 2>&1 |
	sed 's/^e2e: \([0-9]* passed\)/e2e-6.12: \1/' | tee "$log" || rc=$?
add_counts "$log" || fail "end-to-end on 6.12 (no summary)"
[ "$rc" -eq 0 ] || fail "end-to-end on 6.12"

# A guest of its own: seeds 1 to 50 of userspace/difftest, 200 steps each,
# a minute to a minute and a half in TCG (make difftest runs more).
step "differential tester against Linux (QEMU, Linux $KVER)"
log="$BUILD/difftest.out"
rc=0
scripts/qemu-run.sh --kver "$KVER" --logs "$BUILD/difftest" \
	--tests "$BUILD/difftest/difftest" 2>&1 |
	sed 's/^e2e: \([0-9]* passed\)/difftest: \1/' | tee "$log" || rc=$?
add_counts "$log" || fail "difftest (no summary)"
[ "$rc" -eq 0 ] || fail "difftest"

step "fuzz and stress (QEMU, Linux $KVER, 4 CPUs)"
log="$BUILD/fuzz.out"
rc=0
scripts/fuzz.sh --seconds "${FUZZ_SECONDS:-30}" 2>&1 | tee "$log" || rc=$?
add_counts "$log" || fail "fuzz (no summary)"
[ "$rc" -eq 0 ] || fail "fuzz and stress"

step "sanitizer kernel (KASAN, KMEMLEAK, lockdep, UBSAN, fault injection)"
log="$BUILD/sankernel.log"
san_kver=$(scripts/sankernel.sh 2>"$log") || { cat "$log"; fail "sanitizer kernel"; }
san_kernel=$(scripts/sankernel.sh --kernel 2>>"$log")
san_ko=$(scripts/sankernel.sh --module "$BUILD/san" 2>>"$log") ||
	{ cat "$log"; fail "aspace.ko for the sanitizer kernel"; }
if grep -E 'warning:|error:' "$log"; then
	fail "aspace.ko for the sanitizer kernel (warnings)"
fi
echo "sanitizer kernel: $san_kver, $san_kernel"
san=(--kver "$san_kver" --kernel "$san_kernel" --module "$san_ko")

# The suite as on the stock kernels, but yield_test (latencies of a 1 ms
# ticker are no measure under KASAN and lockdep), then the fail-nth sweep.
step "end-to-end and fail-nth sweep (QEMU, $san_kver, 2 CPUs)"
log="$BUILD/e2e-san.out"
san_tests=()
for t in "${e2e_tests[@]}"; do
	[ "${t##*/}" = yield_test ] || san_tests+=("$t")
done
rc=0
scripts/qemu-run.sh "${san[@]}" --smp 2 --timeout 2400 --test-timeout 900 \
	--logs "$BUILD/san" --tests "${san_tests[@]}" "$BUILD/tests/failnth_test" \
	2>&1 | sed 's/^e2e: \([0-9]* passed\)/e2e-san: \1/' | tee "$log" || rc=$?
add_counts "$log" || fail "end-to-end on the sanitizer kernel (no summary)"
[ "$rc" -eq 0 ] || fail "end-to-end on the sanitizer kernel"

step "fuzz and stress (QEMU, $san_kver, 4 CPUs)"
log="$BUILD/fuzz-san.out"
rc=0
scripts/fuzz.sh --seconds "${FUZZ_SECONDS:-30}" -- "${san[@]}" --timeout 1200 2>&1 |
	sed -E 's/^(fuzz|stress)(:| summary:)/\1-san\2/' | tee "$log" || rc=$?
add_counts "$log" || fail "fuzz on the sanitizer kernel (no summary)"
[ "$rc" -eq 0 ] || fail "fuzz and stress on the sanitizer kernel"

echo
sed -n 's/^# # \(failnth summary: .*\)/\1/p' "$BUILD/san/e2e.log"
grep -hE '^(fuzz|stress)(-san)? summary: ' "$BUILD/fuzz.out" "$log" || true
reports=$(cat "$BUILD/san/qemu/dmesg.log" "$BUILD/fuzz/run/qemu/dmesg.log" |
	grep -cE 'BUG:|WARNING:|KASAN|UBSAN|unreferenced object|possible (circular|recursive) locking|inconsistent lock state' || true)
echo "sanitizer summary: $san_kver, kmemleak scanned after each guest: $reports KASAN/UBSAN/lockdep/kmemleak/WARNING reports"
summary
[ "$failed" -eq 0 ]
