#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot Debian's own kernel in a QEMU guest (TCG, never KVM) with a busybox
# initramfs, load aspace.ko and run end-to-end tests or one command.
#
#   qemu-run.sh [OPTIONS] --tests [BIN...]   run test binaries (default: all
#                                            of $BUILD/tests/), each printing
#                                            TAP; last line of output is
#                                            "e2e: N passed, M failed"
#   qemu-run.sh [OPTIONS] -- CMD [ARG...]    run one command in the guest,
#                                            print its output, exit with its
#                                            exit status
#
# Options (environment variable in brackets):
#   --kver VER        guest kernel version [KVER]; default scripts/kdir.sh
#   --kernel FILE     guest kernel [ASPACE_KERNEL]; default /boot/vmlinuz-VER
#   --module FILE     the module [ASPACE_KO]; default <repo>/aspace.ko
#   --no-module       boot without loading the module
#   --modparams STR   insmod parameters, e.g. "dev_mode=0600" [ASPACE_MODPARAMS]
#   --cpu MODEL       QEMU CPU [ASPACE_QEMU_CPU]; default max (5-level
#                     paging), qemu64 gives 4-level paging
#   --smp N           guest CPUs [ASPACE_QEMU_SMP]; default 2
#   --mem SIZE        guest memory [ASPACE_QEMU_MEM]; default 1G
#   --append ARGS     extra kernel command line [ASPACE_QEMU_APPEND]
#   --timeout SECS    bound on the whole guest run [ASPACE_QEMU_TIMEOUT];
#                     default 300
#   --test-timeout S  bound on one test binary in the guest
#                     [ASPACE_TEST_TIMEOUT]; default 240
#   --file SRC        put SRC into the guest's /aspace/bin (on PATH);
#                     repeatable
#   --tree DIR        copy the tree DIR into the guest's root (e.g. a
#                     make install DESTDIR); repeatable
#   --no-rmmod        do not unload the module at the end
#   --logs DIR        where the output files go [ASPACE_LOGS]; default
#                     $BUILD
#   --dmesg           print the whole guest kernel log
#   -v, --verbose     print the serial console and all test output
#   -h, --help        this text
#
# Other environment: BUILD (default <repo>/build) holds the user-space build:
# $BUILD/aspacectl and $BUILD/tests/* go into the guest (on PATH), and
# userspace/examples/*.asp into the guest's /aspace/examples.
#
# Output files (overwritten by each run; in --logs DIR, default $BUILD):
#   DIR/e2e.log             TAP of the --tests run (kselftest runner style)
#   DIR/qemu/console.log    the guest's serial console (ttyS0)
#   DIR/qemu/output.log     the guest's command channel (ttyS1), raw
#   DIR/qemu/dmesg.log      the guest kernel log, dumped at the end
#
# Exit status: 0 all good; 1 a test failed or is missing, or a test binary
# crashed or printed no TAP totals (--tests); the command's own status if it
# is non-zero (--); 2 usage or host-side setup error; 124 timeout; 125 the
# guest went wrong: module load or unload failed, the module still holds a
# page, VMA or address space after the tests (--tests), the guest kernel log
# shows a BUG/WARNING/Oops/KASAN/UBSAN/lockdep/leak report, or the guest did
# not finish.  124 and 125 take precedence over 1; with --tests such a guest
# problem counts as one failed test in the "e2e:" line if no test failed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
	sed -n '4,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

die() {
	echo "qemu-run: $*" >&2
	exit 2
}

kver=${KVER:-}
kernel=${ASPACE_KERNEL:-}
module=${ASPACE_KO:-$repo/aspace.ko}
load_module=1
modparams=${ASPACE_MODPARAMS:-}
cpu=${ASPACE_QEMU_CPU:-max}
smp=${ASPACE_QEMU_SMP:-2}
mem=${ASPACE_QEMU_MEM:-1G}
append=${ASPACE_QEMU_APPEND:-}
timeout_s=${ASPACE_QEMU_TIMEOUT:-300}
test_timeout=${ASPACE_TEST_TIMEOUT:-240}
build=${BUILD:-$repo/build}
logs=${ASPACE_LOGS:-}
do_rmmod=1
show_dmesg=0
verbose=0
mode=
files=()
trees=()
args=()

need_arg() {
	[ "$#" -ge 2 ] || die "$1 needs an argument"
}

while [ "$#" -gt 0 ]; do
	case "$1" in
	--kver) need_arg "$@"; kver=$2; shift 2 ;;
	--kernel) need_arg "$@"; kernel=$2; shift 2 ;;
	--module) need_arg "$@"; module=$2; shift 2 ;;
	--no-module) load_module=0; shift ;;
	--modparams) need_arg "$@"; modparams=$2; shift 2 ;;
	--cpu) need_arg "$@"; cpu=$2; shift 2 ;;
	--smp) need_arg "$@"; smp=$2; shift 2 ;;
	--mem) need_arg "$@"; mem=$2; shift 2 ;;
	--append) need_arg "$@"; append=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift 2 ;;
	--test-timeout) need_arg "$@"; test_timeout=$2; shift 2 ;;
	--file) need_arg "$@"; files+=("$2"); shift 2 ;;
	--tree) need_arg "$@"; trees+=("$2"); shift 2 ;;
	--no-rmmod) do_rmmod=0; shift ;;
	--logs) need_arg "$@"; logs=$2; shift 2 ;;
	--dmesg) show_dmesg=1; shift ;;
	-v | --verbose) verbose=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--tests)
		mode=tests
		shift
		args=("$@")
		break
		;;
	--)
		mode=cmd
		shift
		[ "$#" -gt 0 ] || die "-- needs a command"
		args=("$@")
		break
		;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done

[ -n "$mode" ] || { usage >&2; die "give --tests or -- CMD"; }
[ -n "$logs" ] || logs=$build
case "$cpu" in
host) die "-cpu host does not work here; use max or qemu64" ;;
esac
[[ "$timeout_s" =~ ^[0-9]+$ ]] || die "bad --timeout: $timeout_s"
[[ "$test_timeout" =~ ^[0-9]+$ ]] || die "bad --test-timeout: $test_timeout"

[ -n "$kver" ] || kver=$("$repo/scripts/kdir.sh" --version)
[ -n "$kver" ] || die "no kernel version (install linux-headers-amd64)"
[ -n "$kernel" ] || kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || die "cannot read kernel $kernel (install linux-image-$kver)"

for tool in qemu-system-x86_64 cpio timeout readelf; do
	command -v "$tool" >/dev/null || die "$tool is missing; run scripts/install-deps.sh"
done
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox is missing; install busybox-static"
if readelf -l "$busybox" | grep -q 'program interpreter'; then
	die "$busybox is not static; install busybox-static"
fi

if [ "$load_module" = 1 ]; then
	[ -f "$module" ] || die "no module at $module (make module, or --module)"
	magic=$(modinfo -F vermagic "$module" 2>/dev/null || true)
	[ "${magic%% *}" = "$kver" ] ||
		die "$module is built for '${magic%% *}', the guest runs $kver"
fi

# The test binaries to run, as host paths.
tests=()
if [ "$mode" = tests ]; then
	if [ "${#args[@]}" -eq 0 ]; then
		for t in "$build"/tests/*; do
			[ -f "$t" ] && [ -x "$t" ] && tests+=("$t")
		done
		[ "${#tests[@]}" -gt 0 ] ||
			die "no test binaries in $build/tests (make userspace)"
	else
		for t in "${args[@]}"; do
			if [ -f "$t" ]; then
				tests+=("$t")
			elif [ -f "$build/tests/$t" ]; then
				tests+=("$build/tests/$t")
			else
				die "no test binary $t"
			fi
		done
	fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/aspace-qemu.XXXXXX")
qpid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	# timeout(1) passes the signal on to qemu
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------
# The initramfs.
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root} \
	"$root"/aspace/{bin,tests,modules}
cp "$busybox" "$root/bin/busybox"
# The kernel's built-in initramfs has /dev/console; add it anyway if we can.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

# Quote a word for the guest's sh.
shquote() {
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

{
	echo "MODE=$mode"
	echo "LOAD_MODULE=$load_module"
	echo "MODPARAMS=$(shquote "$modparams")"
	echo "DO_RMMOD=$do_rmmod"
	echo "TEST_TIMEOUT=$test_timeout"
} >"$root/aspace/config"

if [ "$load_module" = 1 ]; then
	cp "$module" "$root/aspace/aspace.ko"
	# Modules aspace.ko depends on, in load order (usually none).
	deps=$(modinfo -F depends "$module" | tr ',' ' ')
	n=0
	for dep in $deps; do
		while read -r verb path _; do
			[ "$verb" = insmod ] || continue
			n=$((n + 1))
			base=$(basename "$path")
			case "$base" in
			*.xz) xz -dc "$path" >"$root/aspace/modules/$n-${base%.xz}" ;;
			*.zst) zstd -qdc "$path" >"$root/aspace/modules/$n-${base%.zst}" ;;
			*.gz) gzip -dc "$path" >"$root/aspace/modules/$n-${base%.gz}" ;;
			*) cp "$path" "$root/aspace/modules/$n-$base" ;;
			esac
		done < <(modprobe -S "$kver" --show-depends "$dep")
	done
fi

for t in "${trees[@]}"; do
	[ -d "$t" ] || die "no directory $t"
	cp -a "$t/." "$root/"
done
[ -x "$build/aspacectl" ] && cp "$build/aspacectl" "$root/aspace/bin/"
# aspacectl's example scripts (examples_test runs them, make demo the tour).
mkdir -p "$root/aspace/examples"
for f in "$repo"/userspace/examples/*.asp; do
	[ -f "$f" ] && cp "$f" "$root/aspace/examples/"
done
for f in "${files[@]}"; do
	[ -f "$f" ] || die "no file $f"
	cp "$f" "$root/aspace/bin/"
done
if [ "$mode" = tests ]; then
	: >"$root/aspace/testlist"
	for t in "${tests[@]}"; do
		cp "$t" "$root/aspace/tests/"
		basename "$t" >>"$root/aspace/testlist"
	done
else
	# Test binaries are on PATH for -- mode too.
	for t in "$build"/tests/*; do
		[ -f "$t" ] && [ -x "$t" ] && cp "$t" "$root/aspace/tests/"
	done
	{
		printf 'exec'
		for a in "${args[@]}"; do
			printf ' %s' "$(shquote "$a")"
		done
		printf '\n'
	} >"$root/aspace/cmd"
fi

cat >"$root/init" <<'EOF'
#!/bin/busybox sh
# aspace guest init: generated by scripts/qemu-run.sh.
/bin/busybox --install -s
export PATH=/aspace/bin:/aspace/tests:/sbin:/usr/sbin:/bin:/usr/bin
export HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmpfs /tmp
. /aspace/config

# Results go to the second serial port; the console has the kernel log.
stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1
mark() {
	echo "@@ASPACE@@ $*" >&3
}

finish() {
	if [ -e /sys/kernel/debug/kmemleak ]; then
		echo scan >/sys/kernel/debug/kmemleak
		sleep 6
		echo scan >/sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak >/dev/kmsg
	fi
	mark dmesg-begin
	dmesg >&3
	mark dmesg-end
	mark done
	exec 3>&-
	sync
	poweroff -f
}

mark boot "$(uname -r)"
if [ "$LOAD_MODULE" = 1 ]; then
	for m in /aspace/modules/*.ko; do
		[ -f "$m" ] || continue
		insmod "$m" || mark "dependency $m rc=$?"
	done
	# shellcheck disable=SC2086
	insmod /aspace/aspace.ko $MODPARAMS >&3 2>&1
	rc=$?
	mark insmod rc=$rc
	[ $rc -eq 0 ] || finish
fi

cd /tmp
if [ "$MODE" = tests ]; then
	while read -r t; do
		mark begin "$t"
		timeout "$TEST_TIMEOUT" "/aspace/tests/$t" </dev/null >&3 2>&1
		rc=$?
		mark end "$t" rc=$rc
	done </aspace/testlist
else
	sh /aspace/cmd </dev/null >&3 2>&1
	rc=$?
	mark cmd rc=$rc
fi
cd /

# Every descriptor is closed now: the module must hold nothing.
if [ "$LOAD_MODULE" = 1 ] && [ "$MODE" = tests ]; then
	counters=
	for c in pages_data pages_pgtable vmas address_spaces; do
		counters="$counters $c=$(cat /sys/class/misc/aspace/$c)"
	done
	mark counters$counters
fi

if [ "$LOAD_MODULE" = 1 ] && [ "$DO_RMMOD" = 1 ]; then
	rmmod aspace >&3 2>&1
	mark rmmod rc=$?
fi
finish
EOF
chmod 755 "$root/init"

(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) \
	>"$work/initramfs.cpio"

# ---------------------------------------------------------------------------
# The guest run.
cmdline="console=ttyS0 loglevel=5 printk.devkmsg=on panic=-1 rdinit=/init"
[ -z "$append" ] || cmdline="$cmdline $append"

qemu=(qemu-system-x86_64 -accel tcg -cpu "$cpu" -smp "$smp" -m "$mem"
	-nodefaults -nographic -no-reboot -monitor none
	-kernel "$kernel" -initrd "$work/initramfs.cpio" -append "$cmdline"
	-serial stdio -serial "file:$work/output.log")

mkdir -p "$logs/qemu"
console=$logs/qemu/console.log
output=$logs/qemu/output.log
dmesg=$logs/qemu/dmesg.log
rm -f "$console" "$output" "$dmesg"

start=$(date +%s)
qrc=0
timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null \
	>"$console" 2>"$work/qemu.err" &
qpid=$!
if [ "$verbose" = 1 ]; then
	tail -n +1 -f --pid="$qpid" "$console" &
fi
wait "$qpid" || qrc=$?
qpid=
wait
elapsed=$(($(date +%s) - start))

tr -d '\r' <"$work/output.log" >"$output" 2>/dev/null || : >"$output"
sed -i 's/\r$//' "$console"
awk '/^@@ASPACE@@ dmesg-end/ { p = 0 } p { print } /^@@ASPACE@@ dmesg-begin/ { p = 1 }' \
	"$output" >"$dmesg"

problems=0
problem() {
	echo "qemu-run: $*" >&2
	problems=$((problems + 1))
}

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	problem "timeout: the guest ran longer than $timeout_s s"
elif [ "$qrc" != 0 ]; then
	problem "qemu exited with status $qrc"
	sed 's/^/qemu: /' "$work/qemu.err" >&2
fi
if ! grep -q '^@@ASPACE@@ done' "$output"; then
	problem "the guest did not finish (crash, panic or timeout); console tail:"
	tail -n 40 "$console" >&2
fi
if [ "$load_module" = 1 ]; then
	if ! grep -q '^@@ASPACE@@ insmod rc=0$' "$output"; then
		problem "loading the module failed:"
		awk '/^@@ASPACE@@ insmod/ { exit } !/^@@ASPACE@@/ { print "  " $0 }' \
			"$output" >&2
		grep -E 'aspace|insmod|module' "$dmesg" | sed 's/^/  /' >&2 || true
	elif [ "$do_rmmod" = 1 ] && grep -q '^@@ASPACE@@ done' "$output" &&
		! grep -q '^@@ASPACE@@ rmmod rc=0$' "$output"; then
		problem "unloading the module failed:"
		awk '/^@@ASPACE@@ rmmod/ { exit } p { print "  " $0 }
		     /^@@ASPACE@@ (end|cmd rc)/ { p = 1 }' "$output" >&2
	fi
fi

# After a --tests run the module's counters must all be zero: no page, VMA
# or address space outlives the descriptors.
if [ "$mode" = tests ] && [ "$load_module" = 1 ] &&
	grep -q '^@@ASPACE@@ done' "$output"; then
	counters=$(sed -n 's/^@@ASPACE@@ counters //p' "$output")
	if [ -z "$counters" ]; then
		problem "the guest did not report the module's counters"
	elif grep -qE '=([^0]|0[0-9]|$)' <<<"$counters"; then
		problem "the module still holds objects after every test: $counters"
	fi
fi

# The guest kernel log: the console (which survives a crash) and the full
# dmesg dumped at the end.
bad='BUG:|WARNING:|Oops|KASAN|UBSAN|Kernel panic|kernel BUG|general protection'
bad+='|Call Trace|possible circular locking|possible recursive locking'
bad+='|inconsistent lock state|lockdep|suspicious RCU usage|kmemleak'
bad+='|memory leak|unreferenced object|INFO: task .* blocked|soft lockup'
bad+='|hard LOCKUP|rcu_sched detected stall|rcu_preempt detected stall'
bad+='|list_add corruption|list_del corruption|refcount_t:|Bad page'
ok='loading out-of-tree module taints kernel|module verification failed'
# Boot messages of a debug kernel (scripts/sankernel.sh).
ok+='|RCU lockdep checking is enabled|kmemleak: Kernel memory leak detector initialized'
klog=$(cat "$console" "$dmesg" | grep -v '^@@ASPACE@@' |
	grep -E "$bad" | grep -Ev "$ok" | sort -u || true)
if [ -n "$klog" ]; then
	problem "the guest kernel log reports problems:"
	printf '%s\n' "$klog" | head -n 40 | sed 's/^/  /' >&2
	echo "qemu-run: full log in $dmesg and $console" >&2
fi

if [ "$show_dmesg" = 1 ]; then
	echo "---- guest kernel log ----"
	cat "$dmesg"
	echo "---- end of guest kernel log ----"
fi

# ---------------------------------------------------------------------------
# Results.
if [ "$mode" = cmd ]; then
	awk '/^@@ASPACE@@ (insmod|boot)/ { p = 1; next }
	     /^@@ASPACE@@ cmd rc=/ { p = 0 } p { print }' "$output"
	crc=$(sed -n 's/^@@ASPACE@@ cmd rc=\([0-9]*\)$/\1/p' "$output")
	echo "qemu-run: guest run took $elapsed s" >&2
	if [ -n "$crc" ] && [ "$crc" != 0 ]; then
		exit "$crc"
	fi
	if [ -z "$crc" ] && [ "$problems" -eq 0 ]; then
		problem "the command did not report its exit status"
	fi
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		exit 124
	fi
	[ "$problems" -eq 0 ] || exit 125
	exit 0
fi

# --tests: parse the TAP of each binary.  Each binary's cases count
# individually; planned-but-missing cases count as failed, and so does a
# binary that crashed, timed out or printed no plan or totals.
e2e=$logs/e2e.log
summary=$work/summary
awk -v nbin="${#tests[@]}" -v verbose="$verbose" -v e2e="$e2e" \
	-v summary="$summary" '
function flush_bin(name, rc,    why, missing) {
	why = ""
	if (plan < 0) {
		why = why " no TAP plan;"
	} else if (ran < plan) {
		missing = plan - ran
		fail += missing
		why = why " " missing " of " plan " planned tests did not run;"
	} else if (ran > plan) {
		why = why " " ran " tests ran, " plan " planned;"
	}
	if (!totals)
		why = why " no TAP totals (crashed?);"
	if (rc == 124 || rc == 143)
		why = why " timed out;"
	else if (rc >= 128)
		why = why " killed by signal " (rc - 128) ";"
	else if (rc != 0 && rc != 4 && !(rc == 1 && fail))
		why = why " exit status " rc ";"
	if (why != "" && fail == 0)
		fail = 1
	npass += pass; nfail += fail; nskip += skip
	nb++
	printf "%s %d selftests: aspace: %s\n", (why == "" && fail == 0) ? "ok" : "not ok", nb, name >> e2e
	printf "%s: %d passed, %d failed, %d skipped%s\n", name, pass, fail, skip, \
		why == "" ? "" : " --" why
	if (verbose)
		printf "%s", buf
	else if (why != "" || fail)
		printf "%s%s", failbuf, casebuf
	seen[name] = 1
}
BEGIN {
	printf "TAP version 13\n1..%d\n", nbin > e2e
	inbin = 0
}
/^@@ASPACE@@ begin / {
	cur = $3; inbin = 1; buf = ""; failbuf = ""; casebuf = ""
	plan = -1; ran = 0; pass = 0; fail = 0; skip = 0; totals = 0
	printf "# selftests: aspace: %s\n", cur >> e2e
	next
}
/^@@ASPACE@@ end / {
	rc = $4; sub(/^rc=/, "", rc)
	flush_bin(cur, rc + 0)
	inbin = 0
	next
}
/^@@ASPACE@@/ { next }
inbin {
	line = $0
	buf = buf "  " line "\n"
	casebuf = casebuf "  " line "\n"
	printf "# %s\n", line >> e2e
	if (line ~ /^1\.\.[0-9]+/) {
		plan = substr(line, 4) + 0
	} else if (line ~ /^ok /) {
		ran++
		if (tolower(line) ~ /# *skip/)
			skip++
		else
			pass++
		casebuf = ""
	} else if (line ~ /^not ok /) {
		ran++
		fail++
		failbuf = failbuf casebuf
		casebuf = ""
	} else if (line ~ /^# Totals:/) {
		totals = 1
	}
}
END {
	if (inbin)
		flush_bin(cur, 255)
	printf "%d %d %d %d\n", npass, nfail, nskip, nb > summary
}' "$output"

read -r npass nfail nskip nran <"$summary"
if [ "$nran" -lt "${#tests[@]}" ]; then
	missing=$((${#tests[@]} - nran))
	problem "$missing test binaries did not run"
	nfail=$((nfail + missing))
fi
echo "# e2e: $npass passed, $nfail failed, $nskip skipped" >>"$e2e"
echo "qemu-run: guest run took $elapsed s; TAP in $e2e" >&2
[ "$nskip" -eq 0 ] || echo "e2e: $nskip skipped"

status=0
[ "$nfail" -eq 0 ] || status=1
if [ "$problems" -gt 0 ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		status=124
	else
		status=125
	fi
	# A guest-side problem with no failed test still counts as a failure.
	[ "$nfail" -gt 0 ] || nfail=1
fi
echo "e2e: $npass passed, $nfail failed"
exit "$status"
