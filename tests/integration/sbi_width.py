# SPDX-License-Identifier: MIT
"""SBI argument widths (guests/sbi.c): the conformance guest under Rivet, and the same guest on
bare QEMU's OpenSBI, so that what it expects is proven against real firmware."""
import os

from integration import test, image, cfg, boot, expect, tail, powered_off, B

RIVET_PASSES = 60
BARE_PASSES = 48        # the checks marked on_rivet are skipped there, each with its reason
# Printed a byte per call with junk above the byte: only the low bytes may reach the console.
UPPER_LINES = ("sbi: dbcn write_byte with upper bits", "sbi: legacy putchar with upper bits")


def check_lines(lines, where):
    fails = [l for l in lines if "FAIL" in l]
    assert not fails, where + ": " + "\n".join(fails)
    for want in UPPER_LINES:
        assert want in lines, "%s: no line %r in:\n%s" % (where, want, "\n".join(lines))


@test
def sbi_widths_under_rivet():
    img = image("sbi_width", [cfg("sbi")])
    for smp in (1, 2):
        where = "smp %d" % smp
        r = boot(img, smp=smp, timeout=60)
        lines = r.domain_lines("sbi")
        check_lines(lines, where)
        expect(r, "[sbi] sbi: %d passed, 0 failed" % RIVET_PASSES, where)
        for check in ("hsm hart_suspend retentive, bit 63 set",
                      "hsm hart_suspend non-retentive, bit 63 set: a0 = hart id",
                      "hsm get_status after suspends"):
            assert "sbi: PASS " + check in lines, "%s: %s did not pass:\n%s" % (where, check, tail(r))
        # The guest's last call: SRST shutdown with junk above type and reason ends the domain.
        expect(r, "[sbi] sbi: srst shutdown with upper bits", where)
        expect(r, '"sbi" powered off', where)
        powered_off(r)
        expect(r, "1 powered off, 0 crashed", where)


@test
def sbi_guest_passes_on_bare_qemu():
    elf = os.path.join(B["guests"], "sbi.elf")
    for smp in (1, 2):
        where = "bare QEMU, smp %d" % smp
        r = boot(elf, smp=smp, timeout=60, extra=["-bios", "default"])
        lines = r.lines()
        check_lines(lines, where)
        assert "sbi: %d passed, 0 failed" % BARE_PASSES in lines, where + ":\n" + tail(r)
        skips = [l for l in lines if l.startswith("sbi: SKIP")]
        assert all(": " in l[len("sbi: SKIP "):] for l in skips if l != "sbi: SKIP rivet"), skips
        assert r.exited, where + ": the guest's SRST shutdown did not end QEMU:\n" + tail(r)
