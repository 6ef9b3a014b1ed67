# SPDX-License-Identifier: MIT
# tests/build.mk: host unit tests and the test/bench entry points.
# Other fragments append host test binaries to UNIT_TESTS.

UNIT_CFLAGS := -O1 -g -Wall -Wextra -Werror -Itests/unit -Imicrovisor/include

.PHONY: unit-tests
unit-tests: $(UNIT_TESTS)

test: all unit-tests
	$(Q)python3 tests/run.py --build $(BUILD) --unit "$(UNIT_TESTS)"

bench: all
	$(Q)python3 tests/bench.py --build $(BUILD)
