#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel build directory to build aspace against.
#   kdir.sh --version   the kernel version: the running kernel's if its
#                       build dir exists, else the newest Debian headers
#   kdir.sh VERSION     /lib/modules/VERSION/build
set -eu

newest_headers() {
	ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
		sed 's|.*/linux-headers-||' | sort -V | tail -n 1
}

if [ "${1:-}" = "--version" ]; then
	if [ -d "/lib/modules/$(uname -r)/build" ]; then
		uname -r
	else
		newest_headers
	fi
	exit 0
fi

ver=${1:-$(uname -r)}
if [ -d "/lib/modules/$ver/build" ]; then
	echo "/lib/modules/$ver/build"
else
	echo "/usr/src/linux-headers-$ver"
fi
