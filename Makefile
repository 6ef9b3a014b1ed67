# SPDX-License-Identifier: MIT
# Rivet: the one entry point. make | make run | make test | make bench | make image DOMAINS="a.cfg ..."
# Everything built goes under build/; big third-party builds are cached under $(RIVET_CACHE).

BUILD       ?= build
RIVET_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/rivet
CROSS       ?= riscv64-unknown-elf-
HOSTCC      ?= cc
QEMU        ?= qemu-system-riscv64
SMP         ?= 2
MEM         ?= 1G
DEMO_DOMAINS ?= guests/linux/linux.cfg guests/configs/hello.cfg guests/configs/smp.cfg \
		guests/configs/breaker.cfg
# make run boots Dom0 unless told DOM0=n.
ifneq ($(filter run,$(MAKECMDGOALS)),)
DOM0        ?= y
endif
ifeq ($(DOM0),y)
DOMAINS     ?=
else
DOMAINS     ?= $(DEMO_DOMAINS)
endif
LINUX_SRC_TAR ?= /usr/src/linux-source-6.12.tar.xz

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Install what is missing (Debian packages only) before anything is built.
ifeq ($(filter clean distclean help,$(MAKECMDGOALS)),)
ifneq ($(RIVET_SETUP_DONE),1)
SETUP_RC := $(shell scripts/setup.sh >&2; echo $$?)
ifneq ($(SETUP_RC),0)
$(error scripts/setup.sh failed: the packages above could not be installed)
endif
export RIVET_SETUP_DONE := 1
endif
endif

.PHONY: all run test bench image clean help
all:

include scripts/libfdt.mk
include microvisor/build.mk
include tools/build.mk
include tools/dom0.mk
include tools/dm/build.mk
include guests/build.mk
include guests/linux/build.mk
include dom0/build.mk
include tests/build.mk
include tests/fuzz/build.mk

# make run: Dom0 with xl (DOM0=y is the default here); make run DOM0=n boots
# the static demo domains (or DOMAINS=...) without a Dom0. QEMU exits by itself
# when the last domain has ended; Ctrl-A x quits it early.
run: image
	@echo "Booting $(BUILD)/rivet.img on $(SMP) harts with $(MEM) (quit: Ctrl-A x)"
	$(QEMU) -M virt -cpu rv64 -smp $(SMP) -m $(MEM) -nographic -kernel $(BUILD)/rivet.img

help:
	@echo "make            build the microvisor, tools and test guests"
	@echo "make run        boot a demo set of domains in QEMU (Ctrl-A x quits)"
	@echo "make test       run host unit tests and QEMU integration tests"
	@echo "make bench      print performance figures"
	@echo "make image DOMAINS=\"a.cfg b.cfg\"   write $(BUILD)/rivet.img"

clean:
	rm -rf $(BUILD)
