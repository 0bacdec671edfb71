#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Plot the CSV of scripts/bench.sh with gnuplot, in three panels:
#   - every case: the ratio aspace rate / native rate (bars, log scale;
#     above 1 aspace is faster), with the target where a case has one;
#   - clone against fork across the sizes written before the copy:
#     CLONE (copy-on-write), CLONE EAGER and fork()+exit+wait, in
#     operations a second;
#   - the cost of one map+unmap against the number of VMAs already there,
#     in microseconds, aspace and native.
#
#   bench-plot.sh CSV OUT [SUBTITLE]    OUT: .svg or .png
#
# Needs gnuplot (Debian: gnuplot-nox; scripts/install-deps.sh --bench).
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 CSV OUT.svg|OUT.png [SUBTITLE]" >&2; exit 2; }
csv=$1
out=$2
subtitle=${3:-}
command -v gnuplot >/dev/null ||
	{ echo "bench-plot: no gnuplot (scripts/install-deps.sh --bench)" >&2; exit 1; }
[ -r "$csv" ] || { echo "bench-plot: cannot read $csv" >&2; exit 1; }

case "$out" in
*.svg) term='svg size 1000,1150 dynamic font "Helvetica,12" background rgb "white"' ;;
*.png) term='pngcairo size 1000,1150 font "Helvetica,10" background rgb "white"' ;;
*) echo "bench-plot: $out: .svg or .png" >&2; exit 2 ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aspace-plot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The text fields are quoted and may hold commas: the case is the first
# field, the numbers the last five (aspace rate, native rate, ratio,
# target, met).
awk -F, -v dir="$tmp" '
	NR == 1 { next }
	{
		name = $1; asp = $(NF - 4); nat = $(NF - 3)
		ratio = $(NF - 2); target = $(NF - 1)
		if (target == "") target = "NaN"
		printf "%d \"%s\" %s %s\n", n++, name, ratio, target > (dir "/ratio.dat")
	}
	$1 ~ /^clone_cow_[0-9]+M$/ {
		mib = $1; gsub(/[^0-9]/, "", mib)
		cow[mib] = asp; fork[mib] = nat; sizes[mib] = 1
	}
	$1 ~ /^clone_eager_[0-9]+M$/ {
		mib = $1; gsub(/[^0-9]/, "", mib)
		eager[mib] = asp; sizes[mib] = 1
	}
	$1 ~ /^map_unmap_[0-9]+vmas$/ {
		v = $1; gsub(/[^0-9]/, "", v)
		printf "%s %g %g\n", v, 1e6 / asp, 1e6 / nat > (dir "/vmas.dat")
	}
	END {
		for (m in sizes)
			printf "%s %s %s %s\n", m, (m in cow) ? cow[m] : "NaN",
				(m in eager) ? eager[m] : "NaN",
				(m in fork) ? fork[m] : "NaN" > (dir "/clone.dat")
	}' "$csv"
[ -s "$tmp/ratio.dat" ] || { echo "bench-plot: $csv has no case" >&2; exit 1; }
touch "$tmp/clone.dat" "$tmp/vmas.dat"
sort -n -o "$tmp/clone.dat" "$tmp/clone.dat"
sort -n -o "$tmp/vmas.dat" "$tmp/vmas.dat"

gnuplot <<EOF
set terminal $term
set output "$out"
set encoding utf8
set multiplot title "aspace against the native system calls, in one QEMU guest\n{/*0.8 $subtitle}"

# 1. Every case: aspace / native.
set size 1, 0.55
set origin 0, 0.42
set title "aspace rate / native rate, every case (above 1: aspace is faster)"
set style fill solid 0.85 border -1
set boxwidth 0.7
set logscale y 10
set yrange [0.02:200]
set ytics ("0.05" 0.05, "0.1" 0.1, "0.2" 0.2, "0.5" 0.5, "1" 1, "2" 2, "5" 5, "10" 10, "20" 20, "50" 50, "100" 100)
set grid ytics lc rgb "#dddddd"
set xtics rotate by -40 left nomirror font ",10" noenhanced
set xrange [-0.7:*]
set key top left
set bmargin 9
set rmargin 8
plot "$tmp/ratio.dat" using 1:3:xtic(2) with boxes lc rgb "#4878a8" title "aspace / native", \
     "" using 1:4 with points pt 7 ps 0.9 lc rgb "#c04040" title "target", \
     1 with lines lw 1.5 dt 2 lc rgb "#404040" notitle

set size 0.5, 0.42
set origin 0, 0

# 2. clone against fork across sizes.
set title "clone against fork, by MiB written before the copy"
set style data linespoints
set xtics norotate nomirror font ",10" enhanced
set rmargin 3
set xrange [*:*]
set yrange [*:*]
set logscale y 10
set ytics auto
set format y "10^{%L}"
set xlabel "MiB written"
set ylabel "copies a second"
set key top right font ",10"
set bmargin 4
set logscale x 2
set xrange [0.5:1024]
set xtics ("0" 0.5, "1" 1, "4" 4, "16" 16, "64" 64, "512" 512)
plot "$tmp/clone.dat" using (\$1 > 0 ? \$1 : 0.5):2 lw 2 pt 7 lc rgb "#4878a8" title "CLONE (copy on write)", \
     "" using (\$1 > 0 ? \$1 : 0.5):3 lw 2 pt 5 lc rgb "#58a868" title "CLONE EAGER", \
     "" using (\$1 > 0 ? \$1 : 0.5):4 lw 2 pt 9 lc rgb "#c04040" title "fork + exit + wait"

# 3. map+unmap against the number of VMAs.
set origin 0.5, 0
set title "one map + unmap, by VMAs already mapped"
set logscale x 10
set xrange [5:150000]
set xtics auto
set format x "10^{%L}"
unset logscale y
set yrange [0:*]
set format y "%g"
set xlabel "VMAs"
set ylabel "µs"
set key top right font ",10"
set offsets 0, 0, graph 0.3, 0
plot "$tmp/vmas.dat" using 1:2 lw 2 pt 7 lc rgb "#4878a8" title "aspace: MMAP + MUNMAP", \
     "" using 1:3 lw 2 pt 9 lc rgb "#c04040" title "native: mmap + munmap"
unset multiplot
EOF
echo "bench-plot: $out"
