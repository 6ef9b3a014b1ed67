# SPDX-License-Identifier: MIT
# tests/build.mk: host unit tests and the test/bench entry points.
# Other fragments append host test binaries to UNIT_TESTS.

UNIT_CFLAGS := -O1 -g -Wall -Wextra -Werror -Itests/unit -Imicrovisor/include
# Microvisor sources that also build for the host (no CSRs, no asm behind RIVET_HOST_BUILD).
MV_HOST_CFLAGS := $(UNIT_CFLAGS) -DRIVET_HOST_BUILD -fsanitize=address,undefined

UNIT_TESTS += $(BUILD)/host/test_gstage $(BUILD)/host/test_page_alloc $(BUILD)/host/test_sbi_dispatch \
	      $(BUILD)/host/test_mm $(BUILD)/host/test_mmio_decode $(BUILD)/host/test_vplic $(BUILD)/host/test_vpmu \
	      $(BUILD)/host/test_sbi_sta $(BUILD)/host/test_sched_policy $(BUILD)/host/test_balloon_list

$(BUILD)/host/test_gstage: tests/unit/test_gstage.c microvisor/gstage.c microvisor/include/gstage.h
$(BUILD)/host/test_page_alloc: tests/unit/test_page_alloc.c microvisor/page_alloc.c microvisor/include/page_alloc.h
$(BUILD)/host/test_mm: tests/unit/test_mm.c microvisor/mm.c microvisor/page_alloc.c microvisor/page_zero.c \
	microvisor/include/mm.h microvisor/include/page_alloc.h microvisor/include/page_zero.h
$(BUILD)/host/test_sbi_dispatch: tests/unit/test_sbi_dispatch.c microvisor/sbi/sbi.c microvisor/sbi/sbi_base.c \
	microvisor/include/sbi.h
# These two include the handler sources they test (see test_sbi_fakes.h): only the test file is compiled.
UNIT_TESTS += $(BUILD)/host/test_sbi_width $(BUILD)/host/test_sbi_susp $(BUILD)/host/test_sbi_hsm
$(BUILD)/host/test_sbi_width: tests/unit/test_sbi_width.c tests/unit/test_sbi_fakes.h microvisor/sbi/sbi_time.c \
	microvisor/sbi/sbi_ipi.c microvisor/sbi/sbi_rfence.c microvisor/sbi/sbi_hsm.c microvisor/sbi/sbi_srst.c \
	microvisor/sbi/sbi_dbcn.c microvisor/sbi/sbi_legacy.c microvisor/include/sbi.h
$(BUILD)/host/test_sbi_susp: tests/unit/test_sbi_susp.c tests/unit/test_sbi_fakes.h microvisor/sbi/sbi_susp.c \
	microvisor/sbi/sbi_hsm.c microvisor/include/sbi.h
$(BUILD)/host/test_sbi_hsm: tests/unit/test_sbi_hsm.c tests/unit/test_sbi_fakes.h microvisor/sbi/sbi_hsm.c \
	microvisor/include/sbi.h microvisor/include/domain.h
$(BUILD)/host/test_balloon_list: tests/unit/test_balloon_list.c microvisor/balloon_list.c \
	microvisor/include/balloon_list.h
$(BUILD)/host/test_mmio_decode: tests/unit/test_mmio_decode.c microvisor/mmio_decode.c microvisor/include/mmio_decode.h
$(BUILD)/host/test_vplic: tests/unit/test_vplic.c microvisor/vplic.c microvisor/include/vplic.h
$(BUILD)/host/test_vpmu: tests/unit/test_vpmu.c microvisor/vpmu.c microvisor/include/vpmu.h
$(BUILD)/host/test_sched_policy: tests/unit/test_sched_policy.c microvisor/sched_policy.c \
	microvisor/include/sched_policy.h
$(BUILD)/host/test_sbi_sta: tests/unit/test_sbi_sta.c microvisor/sbi/sbi_sta.c microvisor/include/steal.h \
	microvisor/include/sbi.h
$(BUILD)/host/test_gstage $(BUILD)/host/test_page_alloc $(BUILD)/host/test_sbi_dispatch $(BUILD)/host/test_mm \
	$(BUILD)/host/test_mmio_decode $(BUILD)/host/test_vplic $(BUILD)/host/test_vpmu $(BUILD)/host/test_sbi_sta \
	$(BUILD)/host/test_sched_policy $(BUILD)/host/test_balloon_list:
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(MV_HOST_CFLAGS) -o $@ $(filter %.c,$^)
$(BUILD)/host/test_sbi_width $(BUILD)/host/test_sbi_susp $(BUILD)/host/test_sbi_hsm:
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(MV_HOST_CFLAGS) -fno-builtin-log -o $@ $<

# sbi_fwft.c is included by its test, which models the hart's CSRs behind csr_read / csr_write.
UNIT_TESTS += $(BUILD)/host/test_sbi_fwft
$(BUILD)/host/test_sbi_fwft: tests/unit/test_sbi_fwft.c microvisor/sbi/sbi_fwft.c microvisor/include/sbi_fwft.h \
	microvisor/include/sbi.h microvisor/include/csr.h microvisor/include/public/sbi_abi.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(MV_HOST_CFLAGS) -o $@ $<

.PHONY: unit-tests
unit-tests: $(UNIT_TESTS)

test: all unit-tests linux dom0
	$(Q)python3 tests/run.py --build $(BUILD) --unit "$(UNIT_TESTS)" --linux

# make bench [ONLY=micro,linux,...]: the figures as one table, also in $(BUILD)/bench/results.json;
# make bench-compare A=old.json B=new.json: both runs' figures and B/A (docs/bench.md).
bench: all linux dom0
	$(Q)python3 tests/bench.py --build $(BUILD) $(if $(ONLY),--only $(ONLY))

.PHONY: bench-compare
bench-compare:
	$(if $(and $(A),$(B)),,$(error usage: make bench-compare A=old/results.json B=new/results.json))
	$(Q)python3 tests/bench.py --compare $(A) $(B)
