# SPDX-License-Identifier: MIT
# microvisor/build.mk: the HS-mode microvisor, freestanding, linked at 0x80200000.

MV_BUILD   := $(BUILD)/microvisor
MICROVISOR_ELF := $(MV_BUILD)/rivet.elf
MICROVISOR_BIN := $(MV_BUILD)/rivet.bin

MV_ARCH    := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
MV_CFLAGS  := $(MV_ARCH) -O2 -g -std=gnu11 -ffreestanding -fno-builtin -fno-pic -fno-stack-protector \
	      -fno-tree-loop-distribute-patterns -Wall -Wextra -Werror \
	      -Imicrovisor/include -Imicrovisor/include/libc -I$(MV_BUILD) -I$(LIBFDT_SRC)
MV_SRCS    := head.S entry.S main.c platform.c uart.c console.c console_input.c mm.c page_alloc.c page_zero.c scrub.c \
	      gstage.c vmid.c domain.c domain_mem.c domain_boot.c evtchn.c vcpu.c sched.c trap.c host_timer.c host_irq.c plic.c guest_access.c \
	      lib/string.c lib/vsnprintf.c \
	      sbi/sbi.c sbi/sbi_base.c sbi/sbi_time.c sbi/sbi_ipi.c sbi/sbi_rfence.c sbi/sbi_hsm.c \
	      sbi/sbi_srst.c sbi/sbi_dbcn.c sbi/sbi_legacy.c sbi/sbi_rivet.c sbi/sbi_pmu.c vpmu.c \
	      sbi/sbi_fwft.c sbi/sbi_sta.c \
	      hc/hc_domain.c hc/hc_memory.c hc/hc_balloon.c hc/hc_console.c hc/hc_evtchn.c hc/hc_ioreq.c hc/hc_debug.c \
	      ioreq.c mmio_decode.c mmio_trap.c vplic.c dom0_devices.c
MV_SRCS    += sbi/sbi_susp.c
MV_SRCS    += sched_policy.c sched_params.c hc/hc_sched.c
MV_SRCS    += hc/hc_vcpu_context.c
MV_SRCS    += balloon_list.c
MV_OBJS    := $(addprefix $(MV_BUILD)/,$(addsuffix .o,$(basename $(MV_SRCS))))
MV_FDT_OBJS := $(addprefix $(MV_BUILD)/libfdt/,$(addsuffix .o,$(LIBFDT_NAMES)))

all: $(MICROVISOR_BIN)

# Its .d file names every header asm-offsets.c reads (struct hart's layout too), so a
# changed struct regenerates the offsets the assembly uses.
$(MV_BUILD)/asm-offsets.h: microvisor/asm-offsets.c $(LIBFDT_SRC)/.extracted
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)$(CROSS)gcc $(MV_CFLAGS) -MMD -MP -MF $@.d -MT $@ -S $< -o $@.s
	$(Q)sed -n 's/.*->\([A-Z_]*\) \([0-9]*\).*/#define \1 \2/p' $@.s > $@
	$(Q)rm -f $@.s

$(MV_BUILD)/%.o: microvisor/%.c $(LIBFDT_SRC)/.extracted
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CROSS)gcc $(MV_CFLAGS) -MMD -MP -c $< -o $@

$(MV_BUILD)/%.o: microvisor/%.S $(MV_BUILD)/asm-offsets.h
	@mkdir -p $(@D)
	@echo "  AS      $@"
	$(Q)$(CROSS)gcc $(MV_CFLAGS) -D__ASSEMBLER__ -MMD -MP -c $< -o $@

$(MV_BUILD)/libfdt/%.o: $(LIBFDT_SRC)/%.c $(LIBFDT_SRC)/.extracted
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CROSS)gcc $(filter-out -Wall -Wextra -Werror,$(MV_CFLAGS)) -c $< -o $@

$(MICROVISOR_ELF): $(MV_OBJS) $(MV_FDT_OBJS) microvisor/rivet.ld
	@echo "  LD      $@"
	$(Q)$(CROSS)gcc $(MV_ARCH) -nostdlib -static -Wl,--no-warn-rwx-segments -T microvisor/rivet.ld -o $@ $(MV_OBJS) $(MV_FDT_OBJS) -lgcc

$(MICROVISOR_BIN): $(MICROVISOR_ELF)
	$(Q)$(CROSS)objcopy -O binary $< $@

-include $(MV_OBJS:.o=.d) $(MV_BUILD)/asm-offsets.h.d
