#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the user-space benchmark ($BUILD/bench/aspace_bench, from
# userspace/bench/bench.c) in one QEMU guest (scripts/qemu-run.sh): every
# case on /dev/aspace against the native system calls in the same guest.
# Prints the table (both rates and their ratio, aspace / native: above 1
# aspace is faster), writes it as CSV to $BUILD/bench.csv and plots it
# into $BUILD/bench.svg (scripts/bench-plot.sh: every ratio, clone against
# fork across sizes, map+unmap against the number of VMAs; needs gnuplot,
# which scripts/install-deps.sh --bench installs: without it, no plot).
# The numbers are reported, never judged: the exit status is non-zero
# only if the benchmark or the guest failed.
#
#   bench.sh [ARG...]    ARGs go to aspace_bench (-k WORD,...: only the
#                        cases whose name contains one of the WORDs; -H:
#                        keep transparent huge pages on the native side;
#                        -b MiB: size of the large cases)
#
# Environment: BUILD (default <repo>/build); ASPACE_BENCH_MEM guest memory
# (default 4G: the 1 GiB cases need three times that; with less the large
# cases shrink to 256 MiB); ASPACE_BENCH_SMP guest CPUs (default 1);
# ASPACE_BENCH_CPU the QEMU CPU model (default: qemu-run.sh's, max);
# ASPACE_BENCH_TIMEOUT bound on the guest run in seconds (default 600).
# The guest's logs go to $BUILD/bench/qemu/, apart from those of the
# end-to-end runs.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$repo/build}
bin=$build/bench/aspace_bench
csv=$build/bench.csv
svg=$build/bench.svg
mem=${ASPACE_BENCH_MEM:-4G}
smp=${ASPACE_BENCH_SMP:-1}
timeout_s=${ASPACE_BENCH_TIMEOUT:-600}
cpu=()
[ -z "${ASPACE_BENCH_CPU:-}" ] || cpu=(--cpu "$ASPACE_BENCH_CPU")

[ -x "$bin" ] || { echo "bench: no $bin (make bench)" >&2; exit 2; }
# gnuplot for the plot (root installs what is missing; without it, no plot).
"$repo/scripts/install-deps.sh" --bench ||
	echo "bench: scripts/install-deps.sh --bench failed; going on" >&2

out=$(mktemp "${TMPDIR:-/tmp}/aspace-bench.XXXXXX")
trap 'rm -f "$out"' EXIT

host="$(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) CPUs: $(lscpu | sed -n 's/^Model name: *//p')"
echo "bench: host $host"
echo "bench: QEMU TCG guest, CPU ${ASPACE_BENCH_CPU:-max}, $smp CPU(s)," \
	"$mem memory"
rc=0
BUILD=$build/bench "$repo/scripts/qemu-run.sh" "${cpu[@]}" --mem "$mem" \
	--smp "$smp" --timeout "$timeout_s" --file "$bin" -- \
	aspace_bench -c "$@" >"$out" || rc=$?

# The table goes to the terminal, the CSV between the markers to the file.
awk '/^@@BENCH-CSV-BEGIN@@$/ { p = 1; next }
     /^@@BENCH-CSV-END@@$/ { p = 0; next }
     !p { print }' "$out"
if grep -q '^@@BENCH-CSV-END@@$' "$out"; then
	awk '/^@@BENCH-CSV-END@@$/ { p = 0 }
	     p { print }
	     /^@@BENCH-CSV-BEGIN@@$/ { p = 1 }' "$out" >"$csv"
	echo "bench: CSV in $csv"
	if command -v gnuplot >/dev/null; then
		"$repo/scripts/bench-plot.sh" "$csv" "$svg" \
			"$host; QEMU TCG guest, CPU ${ASPACE_BENCH_CPU:-max}, $smp CPU(s), $mem" ||
			echo "bench: the plot failed" >&2
	else
		echo "bench: no gnuplot, no plot (scripts/install-deps.sh --bench)" >&2
	fi
else
	echo "bench: the benchmark printed no CSV; $csv not written" >&2
	[ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
