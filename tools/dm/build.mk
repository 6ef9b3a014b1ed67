# SPDX-License-Identifier: MIT
# tools/dm/build.mk: rivet-dm, the device model daemon of Dom0.
# tools/dm/*.c are the device models and their helpers: plain C with no
# system dependency, also built for the host (unit tests tests/unit/test_dm_*.c,
# fuzz targets). tools/dm/main/*.c is the Linux daemon around them.

DM_LIB_SRCS    := $(wildcard tools/dm/*.c)
DM_MAIN_SRCS   := $(wildcard tools/dm/main/*.c)
DM_HOST_OBJDIR := $(BUILD)/host/dm.obj
DM_HOST_LIB    := $(DM_HOST_OBJDIR)/libdm.a
DM_HOST_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Werror -MMD -MP -Itools/dm \
		  -Imicrovisor/include/public -fsanitize=address,undefined -fno-omit-frame-pointer

$(DM_HOST_OBJDIR)/%.o: tools/dm/%.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(DM_HOST_CFLAGS) -c $< -o $@

$(DM_HOST_LIB): $(patsubst tools/dm/%.c,$(DM_HOST_OBJDIR)/%.o,$(DM_LIB_SRCS))
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

DM_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/host/%,$(wildcard tests/unit/test_dm_*.c))
UNIT_TESTS += $(DM_TESTS)

$(DM_TESTS): $(BUILD)/host/%: tests/unit/%.c $(DM_HOST_LIB)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(DM_HOST_CFLAGS) -Itests/unit -MF $@.d -o $@ $< $(DM_HOST_LIB)

# The daemon: a static riscv64 program in Dom0 (tools/dom0.mk's compiler and libxc).
RIVET_DM     := $(DOM0T_DIR)/bin/rivet-dm
DM_DOM0_OBJS := $(patsubst tools/dm/%.c,$(DOM0T_OBJDIR)/dm/%.o,$(DM_LIB_SRCS) $(DM_MAIN_SRCS))

$(DOM0T_OBJDIR)/dm/%.o: tools/dm/%.c
	@mkdir -p $(@D)
	@echo "  DOM0CC  $@"
	$(Q)$(DOM0T_CC) $(DOM0T_CFLAGS) -Itools/dm -Itools/dm/main -c $< -o $@

ifneq ($(DM_MAIN_SRCS),)
$(RIVET_DM): $(DM_DOM0_OBJS) $(LIBXC)
	@mkdir -p $(@D)
	@echo "  DOM0LD  $@"
	$(Q)$(DOM0T_CC) -static -o $@ $^
dom0-tools: $(RIVET_DM)
endif

-include $(wildcard $(DM_HOST_OBJDIR)/*.d $(DOM0T_OBJDIR)/dm/*.d $(DOM0T_OBJDIR)/dm/main/*.d)
