# SPDX-License-Identifier: MIT
# guests/build.mk: bare-metal test guests, each $(BUILD)/guests/NAME.elf and NAME.bin.
# A guest is one source in guests/ (plus -D flags for variants) linked with guests/lib.

GUEST_CC      := $(CROSS)gcc
GUEST_OBJCOPY := $(CROSS)objcopy
GUEST_CFLAGS  := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
	-ffreestanding -nostdlib -fno-builtin -fno-tree-loop-distribute-patterns \
	-fno-pic -fno-stack-protector -O2 -g -Wall -Wextra -Werror \
	-Imicrovisor/include -Iguests
GUEST_LDFLAGS := -nostdlib -static -Wl,--no-relax -Wl,-T,guests/lib/guest.ld \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
GUEST_OUT     := $(BUILD)/guests

GUEST_LIB_SRCS := $(wildcard guests/lib/*.c guests/lib/*.S)
GUEST_LIB_OBJS := $(patsubst guests/lib/%,$(GUEST_OUT)/lib/%.o,$(GUEST_LIB_SRCS))
GUEST_HDRS     := $(wildcard guests/lib/*.h) $(wildcard microvisor/include/public/*.h)

# NAME:source:extra CFLAGS (commas stand for spaces).
GUEST_VARIANTS := \
	hello:hello.c: \
	hello2:hello.c:-DHELLO_DBCN,-DHELLO_NAME='"hello2"' \
	reboot:hello.c:-DHELLO_REBOOT,-DHELLO_NAME='"reboot"' \
	hartstop:hello.c:-DHELLO_HART_STOP,-DHELLO_NAME='"hartstop"' \
	stamp:hello.c:-DHELLO_STAMP,-DHELLO_NAME='"stamp"' \
	sbi:sbi.c: \
	smp:smp.c: \
	timer:timer.c: \
	fpcheck:fpcheck.c: \
	breaker:breaker.c:-DBREAKER_READ \
	breaker_write:breaker.c:-DBREAKER_WRITE \
	breaker_ill:breaker.c:-DBREAKER_ILL \
	coredump:breaker.c:-DBREAKER_CORE \
	cpubench:cpubench.c: \
	touch:touch.c: \
	bench:bench.c: \
	ipistorm:ipistorm.c: \
	pin:pin.c: \
	echo:echo.c: \
	echo_dbcn:echo.c:-DECHO_DBCN \
	sbifuzz:sbifuzz.c: \
	sbisusp:sbisusp.c: \
	mmiofuzz:mmiofuzz.c: \
	ctl:ctl.c: \
	ctlzero:ctl.c:-DCTL_ZERO,-Wno-unused-function \
	zerocheck:zerocheck.c:-DZC_REBOOT \
	zerochild:zerocheck.c: \
	devprobe:devprobe.c: \
	iobench:iobench.c: \
	dmregs:dmregs.c: \
	sbipmu:sbipmu.c: \
	pmuspin:sbipmu.c:-DSBIPMU_SPIN \
	sbifwft:sbifwft.c: \
	sbista:sbista.c: \
	spin:spin.c:

guest_field  = $(word $(2),$(subst :, ,$(1)))
GUEST_NAMES  := $(foreach v,$(GUEST_VARIANTS),$(call guest_field,$(v),1))
GUEST_ELFS   := $(GUEST_NAMES:%=$(GUEST_OUT)/%.elf)
GUEST_BINS   := $(GUEST_NAMES:%=$(GUEST_OUT)/%.bin)

.PHONY: guests
guests: $(GUEST_ELFS) $(GUEST_BINS)
all: guests

$(GUEST_OUT)/lib/%.o: guests/lib/% $(GUEST_HDRS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

define guest_rule
$(GUEST_OUT)/$(1).o: guests/$(2) $(GUEST_HDRS)
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) $(subst $(guest_comma),$(guest_space),$(3)) -c $$< -o $$@
$(GUEST_OUT)/$(1).elf: $(GUEST_OUT)/$(1).o $(GUEST_LIB_OBJS) guests/lib/guest.ld
	@echo "  LD      $$@"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) $(GUEST_OUT)/$(1).o $$(GUEST_EXTRA_OBJS) $(GUEST_LIB_OBJS) -o $$@
endef

guest_comma := ,
guest_space := $(guest_empty) $(guest_empty)
$(foreach v,$(GUEST_VARIANTS),$(eval $(call guest_rule,$(call guest_field,$(v),1),$(call guest_field,$(v),2),$(call guest_field,$(v),3))))

# ctl carries the hello guest's raw image, which it loads into the domains it builds.
$(GUEST_OUT)/ctl_payload.o: guests/ctl_payload.S $(GUEST_OUT)/hello.bin
	@echo "  AS      $@"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -DPAYLOAD='"$(GUEST_OUT)/hello.bin"' -c $< -o $@
$(GUEST_OUT)/ctl.elf: $(GUEST_OUT)/ctl_payload.o
$(GUEST_OUT)/ctl.elf: GUEST_EXTRA_OBJS := $(GUEST_OUT)/ctl_payload.o

# ctlzero carries zerochild, a domain that checks its RAM reads as zeros, then dirties it.
$(GUEST_OUT)/ctlzero_payload.o: guests/ctl_payload.S $(GUEST_OUT)/zerochild.bin
	@echo "  AS      $@"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -DPAYLOAD='"$(GUEST_OUT)/zerochild.bin"' -c $< -o $@
$(GUEST_OUT)/ctlzero.elf: $(GUEST_OUT)/ctlzero_payload.o
$(GUEST_OUT)/ctlzero.elf: private GUEST_EXTRA_OBJS := $(GUEST_OUT)/ctlzero_payload.o

$(GUEST_OUT)/%.bin: $(GUEST_OUT)/%.elf
	@echo "  OBJCOPY $@"
	$(Q)$(GUEST_OBJCOPY) -O binary $< $@
