# SPDX-License-Identifier: MIT
"""SBI PMU for a Linux domain: perf_event_open(PERF_TYPE_HARDWARE) cycles and instructions,
through Linux's SBI PMU driver, around a loop of a known size (guests/linux/perfcount.c),
while a busy domain (pmuspin) shares the hart: the count is the loop's, not the hart's."""
import re

from qemu import Session
from integration import test, image, write_cfg
from integration.linux_guest import linux_cfg, boot_to_prompt, shell

ICOUNT = ["-icount", "shift=0,sleep=off"]   # 1 instruction = 1 ns: instret counts instructions
TICK_NS = 100                               # the 10 MHz timebase
# 2 instructions each: 100 ms, ten slices. A domain that woke gets its turn at once and may run
# a slice and a half before pmuspin's next one (docs/architecture.md, "Scheduling policy"), so
# the loop must be long enough for pmuspin's slices to fall inside it.
ITERS = 50000000
RESULT = re.compile(r"perfcount: loop=(\d+) instructions=(\d+) cycles=(\d+) ticks=(\d+)")


@test
def linux_perf_counts_own_instructions():
    spin = write_cfg("pmuspin.cfg", 'name = "pmuspin"\nmemory = 16\nvcpus = 1\n'
                     'kernel = "{guests}/pmuspin.elf"\n')
    img = image("linuxpmu", [linux_cfg("linux", vcpus=1), spin])
    with Session(img, smp=1, mem="512M", extra=ICOUNT) as s:
        boot_to_prompt(s, "linux", 1, timeout=300)
        out = shell(s, "dmesg | grep -i 'pmu'", timeout=60)
        assert "SBI PMU extension is available" in out, out
        for run in range(3):
            out = shell(s, "perfcount %d" % ITERS, timeout=120)
            m = RESULT.search(out)
            assert m, out
            loop, insns, cycles, ticks = (int(x) for x in m.groups())
            assert loop == 2 * ITERS
            # The loop plus the kernel's own work between the ioctls (timer ticks, the
            # enable / disable paths) and the microvisor's while the vCPU is loaded.
            assert loop <= insns <= loop * 1.03, "run %d: %d instructions for a %d-instruction loop" % (
                run, insns, loop)
            assert loop <= cycles <= loop * 1.03, "run %d: %d cycles" % (run, cycles)
            # The machine ran much more meanwhile: pmuspin had the hart for its slices.
            assert ticks * TICK_NS >= 1.7 * insns, "run %d: ticks %d, pmuspin did not run" % (run, ticks)
