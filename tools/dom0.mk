# SPDX-License-Identifier: MIT
# tools/dom0.mk: Dom0 user space (libxc, xl, rivet-consoled), static riscv64 Linux programs.
# xl reuses the host image builder's modules (tools/mkimage), compiled a second
# time for riscv64, and a riscv64 libfdt built from $(LIBFDT_SRC).

DOM0T_CC     ?= riscv64-linux-gnu-gcc
DOM0T_AR     ?= riscv64-linux-gnu-ar
DOM0T_DIR    := $(BUILD)/dom0
DOM0T_OBJDIR := $(DOM0T_DIR)/obj
DOM0T_INC    := -Ilibxc -Itools/xl -Itools/consoled -Itools/mkimage -Itools/dm -Idom0/driver \
	       -Imicrovisor/include/public -I$(LIBFDT_SRC)
DOM0T_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -MMD -MP $(DOM0T_INC)

LIBXC_MODS    := xc xc_domain xc_foreign xc_ioreq
XL_MODS       := xl xl_util xl_record xl_dm xl_dm_restart xl_create xl_cmds xl_console xl_vif xl_sched \
		 xl_info_cmds xl_core xl_dumpcore xl_dump_cmd xl_vcpu_set xl_mem
XL_MKIMAGE    := diag fileio xlcfg cpumask domcfg elfload layout domfdt domplan
CONSOLED_MODS := consoled consoled_util consoled_log consoled_rate consoled_dump
HCSTRESS_MODS := hcs_main hcs_raw hcs_seq hcs_random hcs_ioreq hcs_balloon

LIBXC     := $(DOM0T_DIR)/lib/libxc.a
DOM0T_LIBFDT := $(DOM0T_DIR)/lib/libfdt.a
XL        := $(DOM0T_DIR)/bin/xl
CONSOLED  := $(DOM0T_DIR)/bin/rivet-consoled
HCSTRESS  := $(DOM0T_DIR)/bin/rivet-hcstress

$(DOM0T_OBJDIR)/libxc/%.o: libxc/%.c
	@mkdir -p $(@D)
	@echo "  DOM0CC  $@"
	$(Q)$(DOM0T_CC) $(DOM0T_CFLAGS) -c $< -o $@
$(DOM0T_OBJDIR)/xl/%.o: tools/xl/%.c $(LIBFDT_SRC)/.extracted
	@mkdir -p $(@D)
	@echo "  DOM0CC  $@"
	$(Q)$(DOM0T_CC) $(DOM0T_CFLAGS) -c $< -o $@
$(DOM0T_OBJDIR)/mkimage/%.o: tools/mkimage/%.c $(LIBFDT_SRC)/.extracted
	@mkdir -p $(@D)
	@echo "  DOM0CC  $@"
	$(Q)$(DOM0T_CC) $(DOM0T_CFLAGS) -c $< -o $@
$(DOM0T_OBJDIR)/consoled/%.o: tools/consoled/%.c
	@mkdir -p $(@D)
	@echo "  DOM0CC  $@"
	$(Q)$(DOM0T_CC) $(DOM0T_CFLAGS) -c $< -o $@
$(DOM0T_OBJDIR)/hcstress/%.o: tools/hcstress/%.c
	@mkdir -p $(@D)
	@echo "  DOM0CC  $@"
	$(Q)$(DOM0T_CC) $(DOM0T_CFLAGS) -Itools/hcstress -c $< -o $@
$(DOM0T_OBJDIR)/libfdt/%.o: $(LIBFDT_SRC)/%.c $(LIBFDT_SRC)/.extracted
	@mkdir -p $(@D)
	@echo "  DOM0CC  $@"
	$(Q)$(DOM0T_CC) -O2 -g -I$(LIBFDT_SRC) -c $< -o $@

$(LIBXC): $(addprefix $(DOM0T_OBJDIR)/libxc/,$(addsuffix .o,$(LIBXC_MODS)))
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(DOM0T_AR) rcs $@ $^
$(DOM0T_LIBFDT): $(addprefix $(DOM0T_OBJDIR)/libfdt/,$(addsuffix .o,$(LIBFDT_NAMES)))
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(DOM0T_AR) rcs $@ $^

$(XL): $(addprefix $(DOM0T_OBJDIR)/xl/,$(addsuffix .o,$(XL_MODS))) \
       $(addprefix $(DOM0T_OBJDIR)/mkimage/,$(addsuffix .o,$(XL_MKIMAGE))) $(LIBXC) $(DOM0T_LIBFDT)
	@mkdir -p $(@D)
	@echo "  DOM0LD  $@"
	$(Q)$(DOM0T_CC) -static -o $@ $^
$(CONSOLED): $(addprefix $(DOM0T_OBJDIR)/consoled/,$(addsuffix .o,$(CONSOLED_MODS))) \
	     $(DOM0T_OBJDIR)/xl/xl_util.o $(DOM0T_OBJDIR)/xl/xl_record.o $(DOM0T_OBJDIR)/xl/xl_dm.o \
	     $(DOM0T_OBJDIR)/xl/xl_vif.o $(DOM0T_OBJDIR)/xl/xl_core.o $(DOM0T_OBJDIR)/xl/xl_dumpcore.o \
	     $(DOM0T_OBJDIR)/mkimage/fileio.o $(DOM0T_OBJDIR)/mkimage/diag.o $(LIBXC)
	@mkdir -p $(@D)
	@echo "  DOM0LD  $@"
	$(Q)$(DOM0T_CC) -static -o $@ $^

# The hostile test program: raw ioctls only, no libxc (libxc refuses what it must send).
$(HCSTRESS): $(addprefix $(DOM0T_OBJDIR)/hcstress/,$(addsuffix .o,$(HCSTRESS_MODS)))
	@mkdir -p $(@D)
	@echo "  DOM0LD  $@"
	$(Q)$(DOM0T_CC) -static -o $@ $^

.PHONY: dom0-tools
dom0-tools: $(XL) $(CONSOLED) $(HCSTRESS) $(LIBXC)
all: dom0-tools

# Host unit tests: libxc over a fake backend; xl's pure parts with the mkimage modules.
DOM0T_TEST_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
		    -Itests/unit $(DOM0T_INC)
LIBXC_SRCS := $(addprefix libxc/,$(addsuffix .c,$(LIBXC_MODS)))
XL_TEST_SRCS := $(addprefix tools/xl/,xl_util.c xl_record.c xl_dm.c xl_dm_restart.c xl_create.c xl_cmds.c xl_console.c \
		xl_vif.c xl_sched.c xl_info_cmds.c xl_core.c xl_dumpcore.c xl_dump_cmd.c xl_vcpu_set.c xl_mem.c) \
		$(addprefix tools/mkimage/,$(addsuffix .c,$(XL_MKIMAGE))) $(LIBXC_SRCS)
CONSOLED_TEST_SRCS := tools/consoled/consoled_util.c tools/consoled/consoled_log.c tools/consoled/consoled_dump.c \
		      tools/consoled/consoled_rate.c tools/xl/xl_util.c tools/xl/xl_record.c tools/xl/xl_dm.c \
		      tools/xl/xl_vif.c tools/xl/xl_core.c tools/xl/xl_dumpcore.c tools/mkimage/fileio.c tools/mkimage/diag.c $(LIBXC_SRCS)

$(BUILD)/host/test_libxc: tests/unit/test_libxc.c $(LIBXC_SRCS) $(wildcard libxc/*.h) dom0/driver/rivet_privcmd.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(DOM0T_TEST_CFLAGS) -o $@ $(filter %.c,$^)
$(BUILD)/host/test_xl: tests/unit/test_xl.c $(XL_TEST_SRCS) $(wildcard tools/xl/*.h libxc/*.h tools/consoled/*.h) tools/dm/dm_request.h \
		       $(HOST_LIBFDT) $(LIBFDT_SRC)/.extracted
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(DOM0T_TEST_CFLAGS) -o $@ $(filter %.c,$^) $(HOST_LIBFDT)
$(BUILD)/host/test_xl_consoled: tests/unit/test_xl_consoled.c $(CONSOLED_TEST_SRCS) $(wildcard tools/consoled/*.h)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(DOM0T_TEST_CFLAGS) -o $@ $(filter %.c,$^)

# The core writer and the page-table walk alone (xl_core.c is pure).
$(BUILD)/host/test_xl_core: tests/unit/test_xl_core.c tools/xl/xl_core.c tools/xl/xl_core.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(DOM0T_TEST_CFLAGS) -o $@ $(filter %.c,$^)

UNIT_TESTS += $(BUILD)/host/test_libxc $(BUILD)/host/test_xl $(BUILD)/host/test_xl_consoled $(BUILD)/host/test_xl_core

-include $(wildcard $(DOM0T_OBJDIR)/*/*.d)
