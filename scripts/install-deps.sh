#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package aspace needs to build, test and demo.
# Idempotent: a second run with everything present returns at once.
#
# Usage: scripts/install-deps.sh [--backports] [--bench]
#   --bench      also gnuplot (gnuplot-nox), for the plot of make bench
#   --backports  also install the Linux 6.12 image and headers from Debian's
#                bookworm-backports (make check builds and tests the module
#                on 6.12 too).  The suite is added to apt, if it is not
#                there yet, as a copy of the machine's own Debian source
#                entry with only its suite changed.  Only the two versioned
#                6.12 packages (and their headers-common and kbuild) come
#                from backports: linux-image-amd64, linux-headers-amd64 and
#                linux-libc-dev stay 6.1, which remains the default.
set -euo pipefail

backports=0
bench=0
for arg in "$@"; do
	case "$arg" in
	--backports) backports=1 ;;
	--bench) bench=1 ;;
	*) echo "usage: $0 [--backports] [--bench]" >&2; exit 2 ;;
	esac
done

top=$(cd "$(dirname "$0")/.." && pwd)
# The kernel series taken from backports.
k612=6.12

PKGS=(linux-headers-amd64 linux-image-amd64 linux-source-6.1
      qemu-system-x86 busybox-static cpio kmod ccache sparse
      bc flex bison libelf-dev libssl-dev python3 gcc g++ make perl
      libc6-dev xz-utils)
# make check's install and DKMS tests (openssl: dkms's signing key), and
# its check of the man pages (man --warnings runs groff).
PKGS+=(dkms pkgconf openssl man-db groff-base)
# make bench's plot only (not make, not make check).
[ "$bench" = 0 ] || PKGS+=(gnuplot-nox)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

# 6.12 is there when its headers and its image are.
need_k612=0
if [ "$backports" = 1 ]; then
	v=$("$top/scripts/kdir.sh" --version "$k612")
	if [ -z "$v" ] || [ ! -r "/boot/vmlinuz-$v" ] ||
		[ ! -d "/lib/modules/$v/kernel" ]; then
		need_k612=1
	fi
fi

if [ ${#missing[@]} -eq 0 ] && [ "$need_k612" = 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	[ ${#missing[@]} -eq 0 ] ||
		echo "install-deps: missing packages: ${missing[*]}" >&2
	[ "$need_k612" = 0 ] ||
		echo "install-deps: missing: Linux $k612 image and headers (backports)" >&2
	echo "install-deps: run as root to install them" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
[ "$need_k612" = 1 ] || exit 0

# ---------------------------------------------------------------------------
# Linux 6.12 from <codename>-backports.
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || { echo "install-deps: no VERSION_CODENAME in /etc/os-release" >&2; exit 1; }
suite=$codename-backports
list_dir=/etc/apt/sources.list.d

# Is the suite in an enabled source already (one-line or deb822 format)?
have_suite() {
	local f
	for f in /etc/apt/sources.list "$list_dir"/*.list; do
		[ -f "$f" ] || continue
		grep -qE "^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+[[:space:]]+$suite[[:space:]]" "$f" &&
			return 0
	done
	for f in "$list_dir"/*.sources; do
		[ -f "$f" ] || continue
		awk -v s="$suite" '
			BEGIN { RS = ""; FS = "\n"; found = 0 }
			{
				types = 0; suites = 0; off = 0
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^Types:/ && $i ~ /[[:space:]]deb([[:space:]]|$)/) types = 1
					if ($i ~ /^Suites:/ && (" " substr($i, 8) " ") ~ ("[[:space:]]" s "[[:space:]]")) suites = 1
					if (tolower($i) ~ /^enabled:[[:space:]]*no/) off = 1
				}
				if (types && suites && !off) found = 1
			}
			END { exit !found }' "$f" && return 0
	done
	return 1
}

# The machine's Debian entry for $codename itself, with the suite replaced:
# deb822 stanzas first (a field's continuation lines are kept, comments
# dropped), else a one-line entry.  Prints nothing if there is none.
derive_entry() {
	local f
	for f in "$list_dir"/*.sources; do
		[ -f "$f" ] || continue
		awk -v c="$codename" -v s="$suite" '
			BEGIN { RS = ""; FS = "\n" }
			{
				types = 0; suites = 0; off = 0
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^Types:/ && $i ~ /[[:space:]]deb([[:space:]]|$)/) types = 1
					if ($i ~ /^Suites:/ && (" " substr($i, 8) " ") ~ ("[[:space:]]" c "[[:space:]]")) suites = 1
					if (tolower($i) ~ /^enabled:[[:space:]]*no/) off = 1
				}
				if (!(types && suites && !off))
					next
				skip = 0
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^#/)
						continue
					if ($i ~ /^[[:space:]]/) {
						if (!skip) print $i
						continue
					}
					skip = 0
					if ($i ~ /^Types:/) {
						print "Types: deb"
					} else if ($i ~ /^Suites:/) {
						print "Suites: " s
						skip = 1
					} else {
						print $i
					}
				}
				found = 1
				exit
			}
			END { exit !found }' "$f" && { echo sources; return 0; }
	done
	for f in /etc/apt/sources.list "$list_dir"/*.list; do
		[ -f "$f" ] || continue
		awk -v c="$codename" -v s="$suite" '
			/^[[:space:]]*deb[[:space:]]/ {
				n = split($0, w, /[[:space:]]+/)
				i = (w[1] == "") ? 2 : 1
				i++
				if (w[i] ~ /^\[/) {
					while (i <= n && w[i] !~ /\]$/) i++
					i++
				}
				if (w[i + 1] == c) {
					w[i + 1] = s
					line = ""
					for (j = (w[1] == "") ? 2 : 1; j <= n; j++)
						line = line (line == "" ? "" : " ") w[j]
					print line
					found = 1
					exit
				}
			}
			END { exit !found }' "$f" && { echo list; return 0; }
	done
	return 1
}

if ! have_suite; then
	out=$(derive_entry) || {
		echo "install-deps: no Debian '$codename' source entry to copy for $suite" >&2
		exit 1
	}
	kind=${out##*$'\n'}
	entry=${out%$'\n'*}
	dest=$list_dir/aspace-backports.$kind
	echo "install-deps: adding $suite to apt ($dest)"
	printf '# Added by aspace scripts/install-deps.sh: the %s entry, suite %s.\n%s\n' \
		"$codename" "$suite" "$entry" >"$dest"
	apt-get update -qq
fi

# The image bookworm-backports' linux-image-amd64 depends on (its versioned
# package, e.g. linux-image-6.12.95+deb12-amd64), and the headers of the
# same version.  If backports has moved past 6.12, the newest 6.12 image of
# the standard flavour (signed; not -unsigned, -rt, -cloud or -dbg).
meta=$(apt-cache madison linux-image-amd64 |
	awk -F'|' -v s=" $suite/" 'index($3, s) { gsub(/ /, "", $2); print $2; exit }')
pkg=
if [ -n "$meta" ]; then
	pkg=$(apt-cache show "linux-image-amd64=$meta" |
		sed -n 's/^Depends: *\(linux-image-[^ ,]*\).*/\1/p' | head -n 1)
fi
case "$pkg" in
"linux-image-$k612".*) ;;
*)
	pkg=$(apt-cache pkgnames "linux-image-$k612." |
		grep -E "^linux-image-${k612//./\\.}\.[0-9]+(\+[a-z0-9.]+)?-amd64$" |
		sort -V | tail -n 1 || true)
	;;
esac
[ -n "$pkg" ] || {
	echo "install-deps: no linux-image-$k612.*-amd64 in $suite" >&2
	exit 1
}
ver=${pkg#linux-image-}
echo "install-deps: installing Linux $ver from $suite"
# pkg/suite takes only these two from backports (their own dependencies,
# linux-headers-*-common and linux-kbuild-*, exist nowhere else).  Not
# `apt-get -t $suite`: that makes backports the candidate of every package,
# and apt then upgrades the other installed binaries of the same source
# package with them (linux-libc-dev, linux-perf, linux-image-amd64,
# linux-headers-amd64) to 6.12.
apt-get install -y -qq --no-install-recommends \
	-o APT::Get::Upgrade-By-Source-Package=false \
	"linux-image-$ver/$suite" "linux-headers-$ver/$suite"
