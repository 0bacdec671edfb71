#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Show aspace at work: install what is missing, build the module and the
# user-space tools, boot a QEMU guest with the module loaded and run
# aspacectl there.
#
#   scripts/demo.sh [qemu-run.sh options]
#
# Environment: KVER, KDIR, BUILD as for make; ASPACE_QEMU_* as for
# scripts/qemu-run.sh.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

scripts/install-deps.sh
make -s module userspace >/dev/null

# The demo that runs inside the guest, as one sh -c command: the tour is
# the example script userspace/examples/tour.asp, which qemu-run.sh puts
# into the guest's /aspace/examples.
guest_script='
set -e
step() { printf "\n\$ %s\n" "$*"; "$@"; }
step ls -l /dev/aspace
step aspacectl info
step aspacectl run /aspace/examples/tour.asp
step cat /sys/class/misc/aspace/pages_data /sys/class/misc/aspace/pages_pgtable
'

echo "== booting a QEMU guest (TCG) with aspace.ko =="
scripts/qemu-run.sh "$@" -- sh -c "$guest_script"
