# SPDX-License-Identifier: MIT
# tests/fuzz/build.mk: libFuzzer targets (clang, ASan + UBSan) for the code that
# parses what users and guests hand in. make fuzz runs each for FUZZ_SECONDS;
# make test runs each for FUZZ_TEST_SECONDS through a check_<name> wrapper
# listed in UNIT_TESTS, which prints one PASS:/FAIL: line. Working corpora and
# crash inputs stay under $(BUILD)/fuzz/<name>/.

FUZZ_CC           ?= clang-14
FUZZ_SECONDS      ?= 60
FUZZ_TEST_SECONDS ?= 12
FUZZ_NAMES        ?= xlcfg domfdt gstage page_alloc
FUZZ_DIR          := $(BUILD)/fuzz
FUZZ_ALL          := xlcfg domfdt gstage page_alloc
# The device model's and the microvisor's decoders of guest input, once their targets exist.
FUZZ_NEW          := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_virtq.c tests/fuzz/fuzz_mmio_decode.c tests/fuzz/fuzz_virtio_net.c \
		     tests/fuzz/fuzz_virtio_input.c tests/fuzz/fuzz_ptwalk.c tests/fuzz/fuzz_dw_wdt.c \
		     tests/fuzz/fuzz_virtio_balloon.c tests/fuzz/fuzz_balloon_list.c))
FUZZ_ALL          += $(FUZZ_NEW)
FUZZ_NAMES        += $(FUZZ_NEW)
FUZZ_BINS         := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_ALL))
FUZZ_CHECKS       := $(patsubst %,$(FUZZ_DIR)/check_%,$(FUZZ_ALL))
FUZZ_SAN          := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS       := -O1 -g -std=gnu11 -Wall -Wextra -Werror $(FUZZ_SAN) -fsanitize=fuzzer -Itests/fuzz
FUZZ_MV_CFLAGS    := $(FUZZ_CFLAGS) -DRIVET_HOST_BUILD -Imicrovisor/include
FUZZ_MK_CFLAGS    := $(FUZZ_CFLAGS) -Itools/mkimage -Imicrovisor/include/public -I$(LIBFDT_SRC)

# Seeds (read only): tests/fuzz/corpus/<name>, plus the repo's configs for the parser.
FUZZ_SEEDS_xlcfg  := tests/fuzz/corpus/xlcfg guests/configs

# libfdt instrumented too, so the tree builder's writes are checked all the way down.
FUZZ_LIBFDT_OBJS  := $(addprefix $(FUZZ_DIR)/libfdt/,$(addsuffix .o,$(LIBFDT_NAMES)))
$(FUZZ_DIR)/libfdt/%.o: $(LIBFDT_SRC)/%.c $(LIBFDT_SRC)/.extracted
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -I$(LIBFDT_SRC) -c $< -o $@

$(FUZZ_DIR)/fuzz_xlcfg: tests/fuzz/fuzz_xlcfg.c $(addprefix tools/mkimage/,diag.c xlcfg.c cpumask.c domcfg.c)
$(FUZZ_DIR)/fuzz_domfdt: tests/fuzz/fuzz_domfdt.c tests/fuzz/fdtcheck.c \
	$(addprefix tools/mkimage/,diag.c layout.c domfdt.c domplan.c) $(FUZZ_LIBFDT_OBJS)
$(FUZZ_DIR)/fuzz_xlcfg $(FUZZ_DIR)/fuzz_domfdt: $(wildcard tools/mkimage/*.h) tests/fuzz/fuzz.h \
	tests/fuzz/fdtcheck.h $(LIBFDT_SRC)/.extracted
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_MK_CFLAGS) -o $@ $(filter %.c %.o,$^)

$(FUZZ_DIR)/fuzz_gstage: tests/fuzz/fuzz_gstage.c microvisor/gstage.c microvisor/include/gstage.h
$(FUZZ_DIR)/fuzz_page_alloc: tests/fuzz/fuzz_page_alloc.c microvisor/page_alloc.c \
	microvisor/include/page_alloc.h
$(FUZZ_DIR)/fuzz_gstage $(FUZZ_DIR)/fuzz_page_alloc: tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_MV_CFLAGS) -o $@ $(filter %.c,$^)

# The virtqueue walker (tools/dm, with everything it includes) and the MMIO decoder.
$(FUZZ_DIR)/fuzz_virtq: tests/fuzz/fuzz_virtq.c $(wildcard tools/dm/*.c) $(wildcard tools/dm/*.h) tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools/dm -Imicrovisor/include/public -o $@ $(filter %.c,$^)
# virtio-net over the same transport, with a backend that checks what it is handed.
$(FUZZ_DIR)/fuzz_virtio_net: tests/fuzz/fuzz_virtio_net.c $(wildcard tools/dm/*.c) $(wildcard tools/dm/*.h) \
	tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools/dm -Imicrovisor/include/public -o $@ $(filter %.c,$^)
# The balloon, the same way (its fake machine unmaps the pages it takes).
$(FUZZ_DIR)/fuzz_virtio_balloon: tests/fuzz/fuzz_virtio_balloon.c $(wildcard tools/dm/*.c) $(wildcard tools/dm/*.h) \
	tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools/dm -Imicrovisor/include/public -o $@ $(filter %.c,$^)
# The power button, the same way.
$(FUZZ_DIR)/fuzz_virtio_input: tests/fuzz/fuzz_virtio_input.c $(wildcard tools/dm/*.c) $(wildcard tools/dm/*.h) \
	tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools/dm -Imicrovisor/include/public -o $@ $(filter %.c,$^)
# The watchdog, against a model of its rules.
$(FUZZ_DIR)/fuzz_dw_wdt: tests/fuzz/fuzz_dw_wdt.c tools/dm/dw_wdt.c tools/dm/dw_wdt.h tools/dm/dm_dev.h tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools/dm -o $@ $(filter %.c,$^)
$(FUZZ_DIR)/fuzz_balloon_list: tests/fuzz/fuzz_balloon_list.c microvisor/balloon_list.c \
	microvisor/include/balloon_list.h tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_MV_CFLAGS) -o $@ $(filter %.c,$^)
$(FUZZ_DIR)/fuzz_mmio_decode: tests/fuzz/fuzz_mmio_decode.c microvisor/mmio_decode.c \
	microvisor/include/mmio_decode.h tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_MV_CFLAGS) -o $@ $(filter %.c,$^)

# The walk of a guest's page table for core files (xl dump-core), against a per-address model.
$(FUZZ_DIR)/fuzz_ptwalk: tests/fuzz/fuzz_ptwalk.c tools/xl/xl_core.c tools/xl/xl_core.h tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools/xl -Imicrovisor/include/public -o $@ $(filter %.c,$^)

# check_<name>: one PASS:/FAIL: line for tests/run.py; FUZZ_TEST_SECONDS may be overridden.
$(FUZZ_DIR)/check_%: $(FUZZ_DIR)/fuzz_% tests/fuzz/check.sh tests/fuzz/build.mk
	@printf '#!/bin/sh\nexec "%s" %s "%s" "%s" "$${FUZZ_TEST_SECONDS:-%s}" %s\n' \
		"$(abspath tests/fuzz/check.sh)" $* "$(abspath $<)" "$(abspath $(FUZZ_DIR)/$*)" \
		$(FUZZ_TEST_SECONDS) $(abspath $(or $(FUZZ_SEEDS_$*),tests/fuzz/corpus/$*)) > $@
	@chmod +x $@

UNIT_TESTS += $(FUZZ_CHECKS)
unit-tests: $(FUZZ_CHECKS)

.PHONY: fuzz
fuzz: $(patsubst %,$(FUZZ_DIR)/check_%,$(FUZZ_NAMES))
	$(Q)fail=0; for n in $(FUZZ_NAMES); do \
		FUZZ_TEST_SECONDS=$(FUZZ_SECONDS) $(FUZZ_DIR)/check_$$n || fail=1; done; exit $$fail
