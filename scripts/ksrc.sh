#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the directory of the unpacked Debian kernel source (linux-source-6.1
# by default), unpacking it into the cache the first time.  The cache lives
# outside the work tree: $ASPACE_CACHE, default ~/.cache/aspace.
#
#   ksrc.sh [SERIES]    SERIES is 6.1 (default) or 6.12
set -euo pipefail

series=${1:-6.1}
cache=${ASPACE_CACHE:-$HOME/.cache/aspace}
dir="$cache/linux-source-$series"
tarball="/usr/src/linux-source-$series.tar.xz"

if [ ! -f "$dir/.aspace-unpacked" ]; then
	if [ ! -f "$tarball" ]; then
		echo "ksrc: $tarball is missing; run scripts/install-deps.sh" >&2
		exit 1
	fi
	mkdir -p "$cache"
	rm -rf "$dir"
	tar -C "$cache" -xf "$tarball"
	touch "$dir/.aspace-unpacked"
fi
echo "$dir"
