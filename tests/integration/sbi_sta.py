# SPDX-License-Identifier: MIT
"""SBI STA (steal time) with bare-metal guests (guests/sbista.c): set_shmem's errors, and a
record whose steal grows only while the other vCPU of the domain holds their shared hart."""
import os
from qemu import boot
from integration import B, test, image, cfg, expect, powered_off, tail

STA_CHECKS = 45   # PASS lines guests/sbista.c prints when every check runs


@test
def sbi_sta_steal_time():
    r = boot(image("sbista", [cfg("sbista")]), smp=2, timeout=90)
    assert "PANIC" not in r.output, tail(r)
    lines = r.domain_lines("sbista")
    fails = [l for l in lines if "FAIL" in l or "SKIP" in l]
    assert not fails, "\n".join(fails) + "\n" + "\n".join(l for l in lines if "steal" in l)
    expect(r, "[sbista] sta: %d passed, 0 failed" % STA_CHECKS)
    powered_off(r)


@test
def sbi_sta_absent_on_bare_firmware():
    """Bare QEMU's OpenSBI has no STA: the guest probes 0 and stops, with no FAIL line."""
    r = boot(os.path.join(B["guests"], "sbista.elf"), smp=2, timeout=60, extra=["-bios", "default"],
             until="sta: 0 passed, 0 failed")
    expect(r, "sta: SKIP STA not available")
    expect(r, "sta: 0 passed, 0 failed")
    assert "FAIL" not in r.output, tail(r)
