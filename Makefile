# SPDX-License-Identifier: GPL-2.0
#
# aspace: private x86_64 address spaces behind /dev/aspace.
#
#   make             build aspace.ko (against KDIR) and the user-space tools
#   make check       every test: W=1 build, checkpatch, sparse, KUnit (UML),
#                    end-to-end in a QEMU guest on Linux 6.1 and on 6.12;
#                    ends with "N passed, M failed"
#   make module-6.12 aspace.ko against the Linux 6.12 headers, in
#                    $(BUILD)/k612 (make deps installs them)
#   make e2e-6.12    the end-to-end suite in a guest running Linux 6.12
#                    (logs in $(BUILD)/k612)
#   make demo        boot a QEMU guest and show the module at work
#   make deps        install the Debian packages all of this needs (root)
#   make kunit-bench the KUnit benchmark cases in a kernel without debug aids
#   make bench       aspace against the native system calls in a QEMU guest:
#                    a table of both rates and their ratio, and
#                    $(BUILD)/bench.csv (scripts/bench.sh)
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

export BUILD

.PHONY: all module userspace check demo deps clean sparse checkpatch kunit \
	kunit-bench e2e bench module-6.12 e2e-6.12

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_ASPACE=m W=1 modules

userspace:
	$(MAKE) -C userspace BUILD=$(BUILD)

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

kunit:
	scripts/kunit.sh

kunit-bench:
	KUNIT_BENCH=1 scripts/kunit.sh

e2e: all
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

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
