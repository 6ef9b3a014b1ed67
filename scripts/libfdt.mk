# SPDX-License-Identifier: MIT
# libfdt.mk: libfdt is built from the sources in Debian's linux-source-6.12
# package (scripts/dtc/libfdt), never kept in this repository. Two builds:
# one for the host tools, one freestanding for the microvisor.

LIBFDT_SRC  := $(BUILD)/libfdt-src
LIBFDT_NAMES := fdt fdt_ro fdt_rw fdt_sw fdt_wip fdt_strerror fdt_addresses fdt_empty_tree

$(LIBFDT_SRC)/.extracted: $(LINUX_SRC_TAR)
	@echo "  EXTRACT libfdt from $(notdir $<)"
	$(Q)rm -rf $(LIBFDT_SRC) && mkdir -p $(LIBFDT_SRC)
	$(Q)tar -xJf $< -C $(LIBFDT_SRC) --strip-components=4 linux-source-6.12/scripts/dtc/libfdt
	$(Q)touch $@

$(addprefix $(LIBFDT_SRC)/,$(addsuffix .c,$(LIBFDT_NAMES)) libfdt.h fdt.h libfdt_env.h): $(LIBFDT_SRC)/.extracted

HOST_LIBFDT := $(BUILD)/host/libfdt.a
HOST_LIBFDT_OBJS := $(addprefix $(BUILD)/host/libfdt/,$(addsuffix .o,$(LIBFDT_NAMES)))
$(BUILD)/host/libfdt/%.o: $(LIBFDT_SRC)/%.c $(LIBFDT_SRC)/.extracted
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -O2 -g -I$(LIBFDT_SRC) -c $< -o $@
$(HOST_LIBFDT): $(HOST_LIBFDT_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^
