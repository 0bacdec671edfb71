#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package aspace needs to build, test and demo.
# Idempotent: a second run with everything present returns at once.
#
# Usage: scripts/install-deps.sh [--backports]
#   --backports  also add Debian's bookworm-backports suite (derived from the
#                machine's own Debian source entry) for the 6.12 kernel.
set -euo pipefail

PKGS=(linux-headers-amd64 linux-image-amd64 linux-source-6.1
      qemu-system-x86 busybox-static cpio kmod ccache sparse
      bc flex bison libelf-dev libssl-dev python3 gcc g++ make perl
      libc6-dev xz-utils)
# make check's install and DKMS tests (openssl: dkms's signing key).
PKGS+=(dkms pkgconf openssl)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run as root to install them" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
