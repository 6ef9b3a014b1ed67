# SPDX-License-Identifier: MIT
# tools/dom0.mk: Dom0 user space (libxc, xl, rivet-consoled), static riscv64 Linux programs.

DOM0T_CC     ?= riscv64-linux-gnu-gcc
DOM0T_AR     ?= riscv64-linux-gnu-ar
DOM0T_DIR    := $(BUILD)/dom0
DOM0T_OBJDIR := $(DOM0T_DIR)/obj
DOM0T_INC    := -Ilibxc -Idom0/driver -Imicrovisor/include/public
DOM0T_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -MMD -MP $(DOM0T_INC)

LIBXC_MODS    := xc xc_domain xc_foreign
LIBXC     := $(DOM0T_DIR)/lib/libxc.a

$(DOM0T_OBJDIR)/libxc/%.o: libxc/%.c
	@mkdir -p $(@D)
	@echo "  DOM0CC  $@"
	$(Q)$(DOM0T_CC) $(DOM0T_CFLAGS) -c $< -o $@
$(LIBXC): $(addprefix $(DOM0T_OBJDIR)/libxc/,$(addsuffix .o,$(LIBXC_MODS)))
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(DOM0T_AR) rcs $@ $^

.PHONY: dom0-tools
dom0-tools: $(LIBXC)
all: dom0-tools

DOM0T_TEST_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
		    -Itests/unit $(DOM0T_INC)
LIBXC_SRCS := $(addprefix libxc/,$(addsuffix .c,$(LIBXC_MODS)))

$(BUILD)/host/test_libxc: tests/unit/test_libxc.c $(LIBXC_SRCS) $(wildcard libxc/*.h) dom0/driver/rivet_privcmd.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(DOM0T_TEST_CFLAGS) -o $@ $(filter %.c,$^)

UNIT_TESTS += $(BUILD)/host/test_libxc

-include $(wildcard $(DOM0T_OBJDIR)/*/*.d)
