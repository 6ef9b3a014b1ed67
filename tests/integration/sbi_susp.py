# SPDX-License-Identifier: MIT
"""SBI SUSP (guests/sbisusp.c): system suspend to RAM of a static domain, with two vCPUs and with one,
on one and two harts; every error, then real suspends woken by the guest's timer."""
import os

from integration import test, image, cfg, write_cfg, boot, expect, tail, powered_off, B

PASSES_2_VCPUS = 39
PASSES_1_VCPU = 33      # no second vCPU to start: its six checks are skipped


def run_susp(img, name, passes):
    for smp in (1, 2):
        where = "%s on %d hart%s" % (name, smp, "s" if smp > 1 else "")
        r = boot(img, smp=smp, timeout=60)
        lines = r.domain_lines(name)
        fails = [l for l in lines if "FAIL" in l or l.startswith("trap: ")]
        assert not fails, where + ": " + "\n".join(fails)
        for check in ("suspend to ram: slept until the timer", "suspend to ram, bit 63 set: a0 = hart id",
                      "suspend to ram, bit 32 set: satp 0"):
            assert "sbisusp: PASS " + check in lines, "%s: %s did not pass:\n%s" % (where, check, tail(r))
        expect(r, "[%s] sbisusp: %d passed, 0 failed" % (name, passes), where)
        powered_off(r)
        expect(r, "1 powered off, 0 crashed", where)


@test
def sbi_susp_two_vcpus():
    run_susp(image("sbisusp", [cfg("sbisusp")]), "sbisusp", PASSES_2_VCPUS)


@test
def sbi_susp_one_vcpu():
    c = write_cfg("sbisusp1.cfg", 'name = "sbisusp1"\nmemory = 16\nvcpus = 1\nkernel = "{guests}/sbisusp.elf"\n')
    run_susp(image("sbisusp1", [c]), "sbisusp1", PASSES_1_VCPU)


@test
def sbi_susp_beside_another_domain():
    """A domain asleep in SUSP leaves its hart to others, and the others do not wake it."""
    r = boot(image("sbisusp_pair", [cfg("sbisusp"), cfg("hello")]), smp=1, timeout=60)
    expect(r, "[sbisusp] sbisusp: %d passed, 0 failed" % PASSES_2_VCPUS)
    expect(r, "[hello] hello: done")
    assert not [l for l in r.lines() if "FAIL" in l], tail(r)
    powered_off(r)
    expect(r, "2 powered off, 0 crashed")


@test
def sbi_susp_not_on_bare_qemu():
    """OpenSBI 1.5.1 on bare QEMU offers no SUSP: the guest says so and ends (the reference KVM has it)."""
    r = boot(os.path.join(B["guests"], "sbisusp.elf"), smp=1, timeout=60, extra=["-bios", "default"])
    assert "sbisusp: SUSP not offered (error 0 value 0)" in r.lines(), tail(r)
    assert r.exited, tail(r)
