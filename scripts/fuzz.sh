#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fuzzer and the stress run of /dev/aspace (userspace/fuzz/), one after
# the other, in one QEMU guest with 4 CPUs (scripts/qemu-run.sh --tests):
#
#   fuzz.sh [--seconds N] [--stress-seconds M] [--seed S] [--procs P]
#           [--threads T] [--smp C] [-- QEMU-RUN OPTIONS...]
#
#   --seconds N          fuzz for N seconds [FUZZ_SECONDS]; default 60
#   --stress-seconds M   stress for M seconds [STRESS_SECONDS]; default N
#   --seed S             the seed of both [FUZZ_SEED]; default random,
#                        printed (a failure prints it too)
#   --procs P            fuzzer processes; default 3
#   --threads T          stress threads on one descriptor; default 4
#   --smp C              guest CPUs; default 4
#   -- ...               more options for scripts/qemu-run.sh, e.g.
#                        --kver VER --kernel FILE --module FILE for another
#                        guest kernel (its environment variables work too:
#                        ASPACE_KERNEL, ASPACE_KO, KVER)
#
# Each program prints TAP (the fuzzing or stress itself, then the module's
# counters back at zero) and a summary; the runner adds its own checks
# (a kernel log without BUG/WARNING/KASAN/lockdep reports, the counters
# zero after the run).  The user-space programs must be built first
# (make -C userspace fuzz; `make fuzz` does it).
#
# Output: the runner's line per program, the summary lines of both, and
# last "fuzz: N passed, M failed" (two tests per program; a guest problem
# counts as a failure).  Logs: $BUILD/fuzz/run/e2e.log (all output as TAP)
# and $BUILD/fuzz/run/qemu/ (console, kernel log).  Exit status: that of
# qemu-run.sh.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$repo/build}

seconds=${FUZZ_SECONDS:-60}
stress_seconds=${STRESS_SECONDS:-}
seed=${FUZZ_SEED:-}
procs=3
threads=4
smp=4
qargs=()

die() {
	echo "fuzz: $*" >&2
	exit 2
}

need_arg() {
	[ "$#" -ge 2 ] || die "$1 needs an argument"
}

while [ "$#" -gt 0 ]; do
	case "$1" in
	--seconds) need_arg "$@"; seconds=$2; shift 2 ;;
	--stress-seconds) need_arg "$@"; stress_seconds=$2; shift 2 ;;
	--seed) need_arg "$@"; seed=$2; shift 2 ;;
	--procs) need_arg "$@"; procs=$2; shift 2 ;;
	--threads) need_arg "$@"; threads=$2; shift 2 ;;
	--smp) need_arg "$@"; smp=$2; shift 2 ;;
	-h | --help)
		sed -n '4,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
		exit 0
		;;
	--) shift; qargs=("$@"); break ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done
[ -n "$stress_seconds" ] || stress_seconds=$seconds
for v in "$seconds" "$stress_seconds" "$procs" "$threads" "$smp"; do
	[[ "$v" =~ ^[0-9]+$ ]] || die "not a number: $v"
done
if [ -z "$seed" ]; then
	seed=0x$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
fi
[[ "$seed" =~ ^(0x[0-9a-fA-F]+|[0-9]+)$ ]] || die "bad seed: $seed"

for b in aspace_fuzz aspace_stress; do
	[ -x "$build/fuzz/$b" ] ||
		die "no $build/fuzz/$b (make -C userspace fuzz, or make fuzz)"
done

# The runner passes no arguments to a test binary: two small scripts do.
run=$build/fuzz/run
rm -rf "$run"
mkdir -p "$run"
printf '#!/bin/sh\nexec aspace_fuzz --seconds %s --seed %s --procs %s\n' \
	"$seconds" "$seed" "$procs" >"$run/fuzz"
printf '#!/bin/sh\nexec aspace_stress --seconds %s --seed %s --threads %s\n' \
	"$stress_seconds" "$seed" "$threads" >"$run/stress"
chmod 755 "$run/fuzz" "$run/stress"

# Bounds: the programs stop on their own; these only catch a hang.
longest=$((seconds > stress_seconds ? seconds : stress_seconds))
echo "fuzz: seed $seed; fuzzing $seconds s ($procs processes), stress $stress_seconds s ($threads threads), $smp guest CPUs"
rc=0
BUILD=$run "$repo/scripts/qemu-run.sh" --smp "$smp" \
	--timeout $((seconds + stress_seconds + 300)) \
	--test-timeout $((longest + 150)) \
	--file "$build/fuzz/aspace_fuzz" --file "$build/fuzz/aspace_stress" \
	"${qargs[@]}" --tests "$run/fuzz" "$run/stress" >"$run/run.out" 2>&1 ||
	rc=$?
grep -v '^e2e: ' "$run/run.out" || true

# The summaries, from the TAP log ("# " + the program's "# ").
if [ -f "$run/e2e.log" ]; then
	sed -n 's/^# # \(\(fuzz\|stress\) summary: .*\)/\1/p' "$run/e2e.log"
fi
line=$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' "$run/run.out" | tail -n 1)
if [ -z "$line" ]; then
	echo "fuzz: the guest run printed no result (status $rc)" >&2
	echo "fuzz: 0 passed, 1 failed"
	exit $((rc ? rc : 1))
fi
[ "$rc" -eq 0 ] ||
	echo "fuzz: FAILED; rerun with: make fuzz SECONDS=$seconds SEED=$seed (logs in $run)" >&2
echo "fuzz: ${line#e2e: }"
exit "$rc"
