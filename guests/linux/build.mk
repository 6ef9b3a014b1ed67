# SPDX-License-Identifier: MIT
# guests/linux/build.mk: the Linux guest: kernel Image and busybox (both built
# by scripts and cached outside the tree), and the initramfs. `make linux`.

LINUX_OUT     := $(BUILD)/linux
LINUX_IMAGE   := $(LINUX_OUT)/Image
LINUX_BUSYBOX := $(LINUX_OUT)/busybox
LINUX_ROOTFS  := $(LINUX_OUT)/rootfs.cpio
ROOTFS_BASE   := guests/linux/rootfs

.PHONY: linux
linux: $(LINUX_IMAGE) $(LINUX_ROOTFS)

# The scripts decide from their cache whether anything needs building.
.PHONY: FORCE
$(LINUX_IMAGE): FORCE
	$(Q)scripts/build-kernel.sh $@
$(LINUX_BUSYBOX): FORCE
	$(Q)scripts/build-busybox.sh $@

# Small programs of our own for the root filesystem (static, no libc).
LINUX_TOOLS_DIR := $(LINUX_OUT)/rootfs-tools
$(LINUX_TOOLS_DIR)/bin/rdtime: guests/linux/rdtime.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)riscv64-linux-gnu-gcc -static -nostdlib -O2 -Wall -Wextra -Werror -o $@ $<

$(LINUX_TOOLS_DIR)/bin/powerkey: guests/linux/powerkey.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)riscv64-linux-gnu-gcc -static -nostdlib -O2 -Wall -Wextra -Werror -o $@ $<

$(LINUX_TOOLS_DIR)/bin/perfcount: guests/linux/perfcount.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)riscv64-linux-gnu-gcc -static -nostdlib -O2 -Wall -Wextra -Werror -o $@ $<

$(LINUX_ROOTFS): $(LINUX_BUSYBOX) $(GEN_INIT_CPIO) guests/linux/mkrootfs.sh $(shell find $(ROOTFS_BASE)) \
		$(LINUX_TOOLS_DIR)/bin/rdtime $(LINUX_TOOLS_DIR)/bin/perfcount $(LINUX_TOOLS_DIR)/bin/powerkey
	@echo "  ROOTFS  $@"
	$(Q)guests/linux/mkrootfs.sh $@ $(GEN_INIT_CPIO) $(LINUX_BUSYBOX) $(ROOTFS_BASE) $(LINUX_TOOLS_DIR)
