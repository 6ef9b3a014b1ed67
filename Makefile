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
# make run gives Dom0 the machine's devices: a persistent disk (ext4, made on
# the first run and kept outside the work tree; Dom0 mounts it at
# /var/lib/rivet) and a NIC on QEMU's user-mode network (DOM0_NET: QEMU's
# -netdev options, e.g. user,restrict=on or user,hostfwd=tcp::2222-:22).
# Dom0 drives them only as virtio 1.x devices with VIRTIO_F_ACCESS_PLATFORM
# (docs/architecture.md, "Dom0's devices").
DOM0_DISK      ?= $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/rivet/dom0-disk.img
DOM0_DISK_SIZE ?= 2G
DOM0_NET       ?= user
DOM0_DEVICES   := -global virtio-mmio.force-legacy=false \
	-drive file=$(DOM0_DISK),format=raw,if=none,id=dom0disk \
	-device virtio-blk-device,drive=dom0disk,iommu_platform=on \
	-netdev $(DOM0_NET),id=dom0net -device virtio-net-device,netdev=dom0net,iommu_platform=on

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
ifeq ($(DOM0),y)
	$(Q)scripts/dom0-disk.sh $(DOM0_DISK) $(DOM0_DISK_SIZE)
	@echo "Booting $(BUILD)/rivet.img on $(SMP) harts with $(MEM), Dom0's disk $(DOM0_DISK) (quit: Ctrl-A x)"
	$(QEMU) -M virt -cpu rv64 -smp $(SMP) -m $(MEM) -nographic -kernel $(BUILD)/rivet.img $(DOM0_DEVICES)
else
	@echo "Booting $(BUILD)/rivet.img on $(SMP) harts with $(MEM) (quit: Ctrl-A x)"
	$(QEMU) -M virt -cpu rv64 -smp $(SMP) -m $(MEM) -nographic -kernel $(BUILD)/rivet.img
endif

help:
	@echo "make            build the microvisor, tools and test guests"
	@echo "make run        boot a demo set of domains in QEMU (Ctrl-A x quits)"
	@echo "make test       run host unit tests and QEMU integration tests"
	@echo "make bench      print performance figures"
	@echo "make image DOMAINS=\"a.cfg b.cfg\"   write $(BUILD)/rivet.img"

clean:
	rm -rf $(BUILD)
