#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel build directory to build aspace against.
#   kdir.sh --version          the default kernel version: the running
#                              kernel's if its build dir exists, else the
#                              newest Debian 6.1 headers (Debian 12's own
#                              kernel), else the newest headers of any
#                              series
#   kdir.sh --version SERIES   the newest Debian headers of SERIES (e.g.
#                              6.12); nothing if there are none
#   kdir.sh VERSION            /lib/modules/VERSION/build
#
# The default stays 6.1 when newer headers (6.12 from bookworm-backports,
# for make check) are installed next to it: only the running kernel's own
# build dir takes precedence.
set -eu

# newest_headers [SERIES]
newest_headers() {
	local pat='[0-9]*'
	[ -z "${1:-}" ] || pat="$1.[0-9]*"
	# shellcheck disable=SC2086 # the pattern is meant to glob
	ls -d /usr/src/linux-headers-$pat-amd64 2>/dev/null |
		sed 's|.*/linux-headers-||' | sort -V | tail -n 1
}

if [ "${1:-}" = "--version" ]; then
	if [ -n "${2:-}" ]; then
		newest_headers "$2"
	elif [ -d "/lib/modules/$(uname -r)/build" ]; then
		uname -r
	else
		v=$(newest_headers 6.1)
		[ -n "$v" ] || v=$(newest_headers)
		echo "$v"
	fi
	exit 0
fi

ver=${1:-$(uname -r)}
if [ -d "/lib/modules/$ver/build" ]; then
	echo "/lib/modules/$ver/build"
else
	echo "/usr/src/linux-headers-$ver"
fi
