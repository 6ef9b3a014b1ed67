# SPDX-License-Identifier: MIT
# libfdt.mk: pieces of Debian's linux-source-6.12 package that the host and
# microvisor builds use, never kept in this repository: libfdt
# (scripts/dtc/libfdt), built twice (host tools; freestanding microvisor), and
# usr/gen_init_cpio.c, the kernel's initramfs packer.

LINUX_PARTS := $(BUILD)/linux-parts
LIBFDT_SRC  := $(LINUX_PARTS)/linux-source-6.12/scripts/dtc/libfdt
GEN_INIT_CPIO_SRC := $(LINUX_PARTS)/linux-source-6.12/usr/gen_init_cpio.c
LIBFDT_NAMES := fdt fdt_ro fdt_rw fdt_sw fdt_wip fdt_strerror fdt_addresses fdt_empty_tree

$(LIBFDT_SRC)/.extracted: $(LINUX_SRC_TAR)
	@echo "  EXTRACT libfdt, gen_init_cpio from $(notdir $<)"
	$(Q)rm -rf $(LINUX_PARTS) && mkdir -p $(LINUX_PARTS)
	$(Q)tar -xJf $< -C $(LINUX_PARTS) linux-source-6.12/scripts/dtc/libfdt linux-source-6.12/usr/gen_init_cpio.c
	$(Q)touch $@

$(addprefix $(LIBFDT_SRC)/,$(addsuffix .c,$(LIBFDT_NAMES)) libfdt.h fdt.h libfdt_env.h) $(GEN_INIT_CPIO_SRC): $(LIBFDT_SRC)/.extracted

HOST_LIBFDT := $(BUILD)/host/libfdt.a
HOST_LIBFDT_OBJS := $(addprefix $(BUILD)/host/libfdt/,$(addsuffix .o,$(LIBFDT_NAMES)))
$(BUILD)/host/libfdt/%.o: $(LIBFDT_SRC)/%.c $(LIBFDT_SRC)/.extracted
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -O2 -g -I$(LIBFDT_SRC) -c $< -o $@
$(HOST_LIBFDT): $(HOST_LIBFDT_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

GEN_INIT_CPIO := $(BUILD)/host/gen_init_cpio
$(GEN_INIT_CPIO): $(LIBFDT_SRC)/.extracted
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -O2 -o $@ $(GEN_INIT_CPIO_SRC)
