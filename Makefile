# SPDX-License-Identifier: GPL-2.0
#
# aspace: private x86_64 address spaces behind /dev/aspace.
#
#   make             build aspace.ko (against KDIR), libaspace and aspacectl:
#                    needs only the kernel headers, gcc and make
#   make install     install them (DESTDIR, PREFIX=/usr/local): the module
#                    into /lib/modules/VERSION/updates (then depmod), a udev
#                    rule for /dev/aspace (group aspace, mode 0660; the group
#                    is created), libaspace, linux/aspace.h, aspacectl,
#                    the man pages aspacectl(1) and libaspace(3), the
#                    example scripts (PREFIX/share/aspace/examples)
#   make uninstall   remove what make install put there (not the group)
#   make tests       also what only the tests need (kernel source, g++)
#   make check       every test: W=1 build, checkpatch, man pages, sparse,
#                    make install into a DESTDIR, DKMS, KUnit (UML), module loading and
#                    end-to-end in QEMU guests on Linux 6.1 and on 6.12;
#                    ends with "N passed, M failed"
#   make module-6.12 aspace.ko against the Linux 6.12 headers, in
#                    $(BUILD)/k612 (make deps installs them)
#   make e2e-6.12    the end-to-end suite in a guest running Linux 6.12
#                    (logs in $(BUILD)/k612)
#   make e2e-san [ONLY="a_test b_test"]
#                    the end-to-end suite and the fail-nth sweep in a guest
#                    running the sanitizer kernel (KASAN, KMEMLEAK,
#                    lockdep, UBSAN, fault injection; scripts/sankernel.sh
#                    builds it once into ~/.cache/aspace); logs in
#                    $(BUILD)/san
#   make fuzz-san    make fuzz on the sanitizer kernel
#   make demo        boot a QEMU guest and show the module at work
#   make deps        install the Debian packages all of this needs (root)
#   make kunit-bench the KUnit benchmark cases in a kernel without debug aids
#   make bench       aspace against the native system calls in a QEMU guest:
#                    a table of both rates and their ratio,
#                    $(BUILD)/bench.csv and its plot $(BUILD)/bench.svg
#                    (scripts/bench.sh; gnuplot from install-deps.sh --bench)
#   make fuzz        the fuzzer, then the stress run, in a QEMU guest with 4
#                    CPUs (scripts/fuzz.sh): SECONDS=N of each (default 60),
#                    STRESS_SECONDS=M for another stress time, SEED=S to
#                    replay a seed (default random, printed)
#   make difftest SEEDS=N [SEED=S] [OPS=N]
#                    the differential tester against Linux in a QEMU guest:
#                    N random sequences (default 200) from seed S (default
#                    1), OPS steps each (default 200); make check runs a
#                    bounded number.  Logs in $(BUILD)/difftest
#   make difftest-6.12 SEEDS=N [SEED=S] [OPS=N]
#                    the same in a guest running Linux 6.12 (logs in
#                    $(BUILD)/k612/difftest)
#
# The kernel build (kbuild) reads ./Kbuild; this file is only the driver.

# KVER and KDIR are worked out when a recipe needs them, not when this file
# is read: `make check` and `make demo` install the kernel headers first,
# and the scripts they run call make again, which then finds them.  Only a
# value the user gave is passed on to the scripts.
ifeq ($(origin KVER),undefined)
KVER = $(shell $(CURDIR)/scripts/kdir.sh --version)
else
export KVER
endif
ifeq ($(origin KDIR),undefined)
KDIR = $(shell $(CURDIR)/scripts/kdir.sh $(KVER))
else
export KDIR
endif
BUILD ?= $(CURDIR)/build
# The second kernel series make check covers (Debian's bookworm-backports);
# its version is the newest installed headers of the series.
K612_KVER = $(shell $(CURDIR)/scripts/kdir.sh --version 6.12)
K612_KDIR = $(shell $(CURDIR)/scripts/kdir.sh $(K612_KVER))
K612_BUILD = $(BUILD)/k612
CC ?= gcc
# The package version: also MODULE_VERSION() in module/dev.c and
# PACKAGE_VERSION in dkms.conf (scripts/install-test.sh checks they agree).
VERSION := 0.1.0

export BUILD

# make install: user space goes under PREFIX (see userspace/Makefile for
# BINDIR, LIBDIR, INCLUDEDIR, PKGCONFIGDIR), the module where modprobe
# looks, the udev rule where the administrator's rules go.  With DESTDIR
# (a staging root for a package) nothing touches the running system: no
# depmod, groupadd, ldconfig or udevadm.
PREFIX ?= /usr/local
UDEVRULESDIR ?= /etc/udev/rules.d
export PREFIX
# The kernel aspace.ko was built for: its vermagic, else KVER.
MODVER = $(or $(firstword $(shell PATH="$$PATH:/sbin:/usr/sbin" \
	modinfo -F vermagic $(CURDIR)/aspace.ko 2>/dev/null)),$(KVER))
MODDIR = /lib/modules/$(MODVER)/updates
# $(on_host) CMD: CMD runs only without DESTDIR (else it becomes `:`).
on_host = $(if $(DESTDIR),@:,)

.PHONY: all module userspace tests check demo deps clean sparse checkpatch \
	man-check kunit kunit-bench e2e bench install install-module install-udev \
	install-userspace uninstall module-6.12 e2e-6.12 fuzz difftest \
	difftest-6.12 e2e-san fuzz-san

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_ASPACE=m W=1 modules

userspace:
	$(MAKE) -C userspace BUILD=$(BUILD)

# What only the tests need: the kernel source, g++.
tests: userspace
	$(MAKE) -C userspace BUILD=$(BUILD) tests

install: install-module install-udev install-userspace

# DESTDIR made absolute: the sub-make runs in userspace/.
sub_destdir = $(if $(DESTDIR),DESTDIR=$(abspath $(DESTDIR)))

install-userspace:
	$(MAKE) -C userspace BUILD=$(BUILD) $(sub_destdir) install

# kbuild runs only if aspace.ko is missing: a `sudo make install` after
# `make` leaves no root-owned file in the tree.
install-module:
	$(if $(wildcard $(CURDIR)/aspace.ko),,$(MAKE) module)
	install -D -m 644 $(CURDIR)/aspace.ko $(DESTDIR)$(MODDIR)/aspace.ko
	$(on_host) depmod -a $(MODVER)

install-udev:
	install -D -m 644 udev/60-aspace.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-aspace.rules
	$(on_host) getent group aspace >/dev/null || groupadd --system aspace
	$(on_host) ! command -v udevadm >/dev/null || \
		{ udevadm control --reload-rules 2>/dev/null; \
		  [ ! -e /sys/class/misc/aspace ] || \
		  udevadm trigger --action=add /sys/class/misc/aspace; } || :

uninstall:
	rm -f $(DESTDIR)$(MODDIR)/aspace.ko \
		$(DESTDIR)$(UDEVRULESDIR)/60-aspace.rules
	$(on_host) depmod -a $(MODVER)
	$(on_host) ! command -v udevadm >/dev/null || \
		udevadm control --reload-rules 2>/dev/null || :
	$(MAKE) -C userspace BUILD=$(BUILD) $(sub_destdir) uninstall

deps:
	scripts/install-deps.sh --backports

check:
	scripts/check.sh

demo:
	scripts/demo.sh

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_ASPACE=m C=2 modules

checkpatch:
	scripts/checkpatch.sh

# The man pages render cleanly and describe every command and function.
man-check: userspace
	scripts/man-check.sh

kunit:
	scripts/kunit.sh

kunit-bench:
	KUNIT_BENCH=1 scripts/kunit.sh

e2e: all tests
	scripts/qemu-run.sh --tests

# kbuild writes an external module's objects next to its sources, so the
# 6.12 build compiles a copy (with the sources' times, so that only what
# changed is rebuilt); the objects of `make module` stay as they are.
module-6.12:
	@[ -n "$(K612_KVER)" ] || { echo "no Linux 6.12 headers:" \
		"run scripts/install-deps.sh --backports" >&2; exit 1; }
	mkdir -p $(K612_BUILD)
	cp -a Kbuild module uapi $(K612_BUILD)/
	$(MAKE) -C $(K612_KDIR) M=$(K612_BUILD) CONFIG_ASPACE=m W=1 modules

e2e-6.12: module-6.12 userspace
	scripts/qemu-run.sh --kver $(K612_KVER) \
		--kernel /boot/vmlinuz-$(K612_KVER) \
		--module $(K612_BUILD)/aspace.ko --logs $(K612_BUILD) --tests

# Only what the guest needs: a test being edited cannot stop the bench.
bench: module
	$(MAKE) -C userspace BUILD=$(BUILD) bench
	scripts/bench.sh

# Only what the guest needs, as for bench.
fuzz: module
	$(MAKE) -C userspace BUILD=$(BUILD) fuzz
	scripts/fuzz.sh $(if $(SECONDS),--seconds $(SECONDS)) \
		$(if $(STRESS_SECONDS),--stress-seconds $(STRESS_SECONDS)) \
		$(if $(SEED),--seed $(SEED))

# The guest runs the sequences one after the other; a sequence takes a few
# seconds, shrinking one that differs a few minutes at most.
# (SEED's default is difftest's own: make fuzz without SEED picks one.)
SEEDS ?= 200
OPS ?= 200
DIFFTEST_RUN = --timeout $$((300 + $(SEEDS) * $(OPS) / 5)) \
	--file $(BUILD)/difftest/difftest -- \
	difftest --seeds $(SEEDS) --seed $(or $(SEED),1) --ops $(OPS)

difftest: module userspace
	$(MAKE) -C userspace BUILD=$(BUILD) difftest
	scripts/qemu-run.sh --logs $(BUILD)/difftest $(DIFFTEST_RUN)

difftest-6.12: module-6.12 userspace
	$(MAKE) -C userspace BUILD=$(BUILD) difftest
	scripts/qemu-run.sh --kver $(K612_KVER) \
		--kernel /boot/vmlinuz-$(K612_KVER) \
		--module $(K612_BUILD)/aspace.ko \
		--logs $(K612_BUILD)/difftest $(DIFFTEST_RUN)

# The sanitizer guest kernel (scripts/sankernel.sh: built once into the
# cache, ~15 minutes the first time) and aspace.ko built against it in
# $(BUILD)/san.  e2e-san runs the end-to-end suite as make check does
# there (without oom_test, trace_test and yield_test) and the fail-nth
# sweep, or only the tests in ONLY (names of $(BUILD)/tests/); fuzz-san the
# fuzzer and the stress run (SECONDS, STRESS_SECONDS, SEED as for fuzz).
SAN_GUEST = --kver "$$(scripts/sankernel.sh)" \
	--kernel "$$(scripts/sankernel.sh --kernel)" \
	--module "$$(scripts/sankernel.sh --module $(BUILD)/san)"
SAN_TESTS = $(or $(ONLY),$$(cd $(BUILD)/tests && ls *_test | \
	grep -vxE 'oom_test|trace_test|yield_test'))

e2e-san: userspace tests
	scripts/qemu-run.sh $(SAN_GUEST) --smp 2 --timeout 2400 \
		--test-timeout 900 --logs $(BUILD)/san --tests $(SAN_TESTS)

fuzz-san: userspace
	$(MAKE) -C userspace BUILD=$(BUILD) fuzz
	scripts/fuzz.sh $(if $(SECONDS),--seconds $(SECONDS)) \
		$(if $(STRESS_SECONDS),--stress-seconds $(STRESS_SECONDS)) \
		$(if $(SEED),--seed $(SEED)) -- $(SAN_GUEST) --timeout 2400

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
