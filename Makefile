# SPDX-License-Identifier: GPL-2.0
#
# aspace: private x86_64 address spaces behind /dev/aspace.
#
#   make             build aspace.ko (against KDIR) and the user-space tools
#   make check       every test: W=1 build, checkpatch, sparse, KUnit (UML),
#                    end-to-end in a QEMU guest; ends with "N passed, M failed"
#   make demo        boot a QEMU guest and show the module at work
#   make deps        install the Debian packages all of this needs (root)
#   make kunit-bench the KUnit benchmark cases in a kernel without debug aids
#   make bench       aspace against the native system calls in a QEMU guest:
#                    a table of both rates and their ratio, and
#                    $(BUILD)/bench.csv (scripts/bench.sh)
#   make fuzz        the fuzzer, then the stress run, in a QEMU guest with 4
#                    CPUs (scripts/fuzz.sh): SECONDS=N of each (default 60),
#                    STRESS_SECONDS=M for another stress time, SEED=S to
#                    replay a seed (default random, printed)
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
CC ?= gcc

export BUILD

.PHONY: all module userspace check demo deps clean sparse checkpatch kunit \
	kunit-bench e2e bench fuzz

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_ASPACE=m W=1 modules

userspace:
	$(MAKE) -C userspace BUILD=$(BUILD)

deps:
	scripts/install-deps.sh

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

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
