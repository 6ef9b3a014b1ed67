# SPDX-License-Identifier: MIT
# dom0/build.mk: Dom0: the Linux guest's kernel with Rivet's driver module, a
# busybox root filesystem with the toolstack and example DomUs, and its config.
# `make image DOM0=y [DOM0_MEM=256] [DOM0_VCPUS=2] [OVERLAY=dir] [DOMAINS=...]`.

DOM0_OUT    := $(BUILD)/dom0
DOM0_MEM    ?= 256
DOM0_VCPUS  ?= 2
DOM0_KO     := $(DOM0_OUT)/rivet.ko
DOM0_ROOTFS := $(DOM0_OUT)/rootfs.cpio
DOM0_CFG    := $(DOM0_OUT)/dom0.cfg
DOM0_STAGE  := $(DOM0_OUT)/stage

$(DOM0_KO): $(LINUX_IMAGE) dom0/driver/rivet.c dom0/driver/rivet_privcmd.h dom0/driver/Kbuild \
		microvisor/include/public/hypercall.h microvisor/include/public/ioreq.h scripts/build-dom0-driver.sh
	@echo "  MODULE  $@"
	$(Q)scripts/build-dom0-driver.sh $(LINUX_IMAGE) $@

# What Dom0 carries besides the base rootfs: driver, tools, example guests.
.PHONY: dom0-stage
dom0-stage: all $(DOM0_KO) $(LINUX_IMAGE) $(LINUX_ROOTFS)
	$(Q)rm -rf $(DOM0_STAGE) && mkdir -p $(DOM0_STAGE)/lib/modules $(DOM0_STAGE)/usr/sbin \
		$(DOM0_STAGE)/usr/lib/rivet/linux $(DOM0_STAGE)/etc/rivet/examples
	$(Q)cp $(DOM0_KO) $(DOM0_STAGE)/lib/modules/
	$(Q)cp $(LINUX_IMAGE) $(LINUX_ROOTFS) $(DOM0_STAGE)/usr/lib/rivet/linux/
	$(Q)cp $(BUILD)/guests/hello.elf $(BUILD)/guests/echo.elf $(DOM0_STAGE)/etc/rivet/examples/
	$(Q)mkdir -p $(DOM0_STAGE)/usr/lib/rivet/guests && \
		cp $(addprefix $(BUILD)/guests/,$(addsuffix .elf,hello sbi breaker pin timer echo echo_dbcn stamp devprobe iobench mmiofuzz dmregs zerochild)) $(DOM0_STAGE)/usr/lib/rivet/guests/
	$(Q)cp $(addprefix $(BUILD)/guests/,$(addsuffix .elf,sbisusp sbifwft sbipmu sbista spin coredump)) $(DOM0_STAGE)/usr/lib/rivet/guests/
	$(Q)python3 guests/devprobe_disk.py $(DOM0_STAGE)/usr/lib/rivet/guests/devprobe.img && \
		gzip -9 $(DOM0_STAGE)/usr/lib/rivet/guests/devprobe.img
	$(Q)for t in xl rivet-consoled rivet-hcstress rivet-dm; do [ ! -f $(BUILD)/dom0/bin/$$t ] || cp $(BUILD)/dom0/bin/$$t $(DOM0_STAGE)/usr/sbin/; done

$(DOM0_ROOTFS): dom0-stage $(LINUX_BUSYBOX) $(GEN_INIT_CPIO) guests/linux/mkrootfs.sh FORCE
	@echo "  ROOTFS  $@"
	$(Q)guests/linux/mkrootfs.sh $@ $(GEN_INIT_CPIO) $(LINUX_BUSYBOX) $(ROOTFS_BASE) \
		$(LINUX_TOOLS_DIR) dom0/rootfs $(DOM0_STAGE) $(OVERLAY)

$(DOM0_CFG): FORCE
	@mkdir -p $(@D)
	$(Q)printf 'name = "Domain-0"\nmemory = %s\nvcpus = %s\nkernel = "%s"\nramdisk = "%s"\nextra = "console=hvc0 earlycon=sbi quiet"\n' \
		'$(DOM0_MEM)' '$(DOM0_VCPUS)' '$(abspath $(LINUX_IMAGE))' '$(abspath $(DOM0_ROOTFS))' > $@

.PHONY: dom0
dom0: $(DOM0_ROOTFS) $(DOM0_CFG)
