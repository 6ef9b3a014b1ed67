# SPDX-License-Identifier: MIT
# tools/build.mk: host tools (mkimage: xl.cfg parser, device-tree builder, image packer).

MKIMAGE        := $(BUILD)/host/mkimage
MKIMAGE_OBJDIR := $(BUILD)/host/mkimage.obj
MKIMAGE_MODS   := diag fileio xlcfg cpumask domcfg elfload layout domfdt domplan bootimg_write mkimage
MKIMAGE_LIB    := $(MKIMAGE_OBJDIR)/libmkimage.a
MKIMAGE_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -MMD -MP \
		  -Itools/mkimage -Imicrovisor/include/public -I$(LIBFDT_SRC)

$(MKIMAGE_OBJDIR)/%.o: tools/mkimage/%.c $(LIBFDT_SRC)/.extracted
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(MKIMAGE_CFLAGS) -c $< -o $@

$(MKIMAGE_LIB): $(addprefix $(MKIMAGE_OBJDIR)/,$(addsuffix .o,$(MKIMAGE_MODS)))
	$(Q)rm -f $@ && ar rcs $@ $^

$(MKIMAGE): $(MKIMAGE_OBJDIR)/main.o $(MKIMAGE_LIB) $(HOST_LIBFDT)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) -o $@ $^

all: $(MKIMAGE)

# make image DOMAINS="a.cfg b.cfg": the bootable build/rivet.img.
# Configs under guests/linux/ need the kernel and root filesystem built first.
# DOM0=y puts a privileged Linux Dom0 first (dom0/build.mk).
image: $(MICROVISOR_BIN) $(MKIMAGE) guests $(if $(filter guests/linux/%,$(DOMAINS)),linux) \
		$(if $(filter y,$(DOM0)),dom0)
	@echo "  MKIMAGE $(BUILD)/rivet.img"
	$(Q)$(MKIMAGE) -o $(BUILD)/rivet.img -u $(MICROVISOR_BIN) $(if $(filter y,$(DOM0)),-d $(DOM0_CFG)) $(DOMAINS)

# Unit tests, one binary per module (tests/unit/test_<module>.c).
MKIMAGE_TESTS := $(addprefix $(BUILD)/host/test_,xlcfg cpumask domcfg elfload layout domfdt \
		   bootimg_write mkimage)
UNIT_TESTS += $(MKIMAGE_TESTS)

$(MKIMAGE_TESTS): $(BUILD)/host/%: tests/unit/%.c $(MKIMAGE_LIB) $(HOST_LIBFDT) $(LIBFDT_SRC)/.extracted
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(MKIMAGE_CFLAGS) -Itests/unit -MF $@.d $< $(MKIMAGE_LIB) $(HOST_LIBFDT) -o $@

-include $(wildcard $(MKIMAGE_OBJDIR)/*.d $(BUILD)/host/test_*.d)
