# SPDX-License-Identifier: MIT
"""SBI FWFT: the sbifwft guest (guests/sbifwft.c) under Rivet on 1 and 2 harts, two of them
sharing a hart, and the same guest on bare QEMU (OpenSBI), where it must not fail either."""
import os
import re

from integration import test, image, cfg, write_cfg, boot, expect, powered_off, tail, B

# Every check the guest makes under Rivet on QEMU's rv64 (Svadu, none of Zicfilp, Zicfiss,
# Ssdbltrp, Ssnpm): a count that changes means a check was lost or added.
RIVET_CHECKS = 92


def checks(r, name):
    lines = r.domain_lines(name)
    bad = [l for l in lines if "FAIL" in l or "SKIP" in l]
    assert not bad, "[%s] under Rivet, none may fail or be skipped: %s" % (name, bad)
    return lines


@test
def sbi_fwft_conformance():
    img = image("sbifwft", [cfg("sbifwft")])
    for smp in (1, 2):
        r = boot(img, smp=smp, timeout=60)
        lines = checks(r, "sbifwft")
        expect(r, "[sbifwft] fwft: %d passed, 0 failed" % RIVET_CHECKS, "smp %d" % smp)
        # The features QEMU's rv64 gives: hardware A/D updating was really exercised.
        assert "fwft: PASS pte_ad_hw_updating 1: write sets A and D in hardware" in lines, tail(r)
        assert "fwft: PASS misaligned amo reaches the guest (value 0)" in lines, tail(r)
        powered_off(r)
        expect(r, "1 powered off, 0 crashed")


@test
def sbi_fwft_two_domains_share_a_hart():
    """Each domain sets, locks and checks its features while the other's vCPUs come and go
    on the same hart: hedeleg and henvcfg must follow the vCPU."""
    other = write_cfg("sbifwft2.cfg", 'name = "sbifwft2"\nmemory = 16\nvcpus = 2\n'
                      'kernel = "{guests}/sbifwft.elf"\n')
    img = image("sbifwft_pair", [cfg("sbifwft"), other])
    r = boot(img, smp=1, timeout=90)
    for name in ("sbifwft", "sbifwft2"):
        checks(r, name)
        expect(r, "[%s] fwft: %d passed, 0 failed" % (name, RIVET_CHECKS))
    powered_off(r)
    expect(r, "2 powered off, 0 crashed")


@test
def sbi_fwft_bare_firmware():
    """The same guest straight on OpenSBI: what passes there must pass under Rivet (above),
    and the guest itself must not fail there (it skips, with a reason, what the firmware
    predates)."""
    r = boot(os.path.join(B["guests"], "sbifwft.bin"), smp=2, timeout=60)
    fails = [l for l in r.lines() if "fwft: FAIL" in l]
    assert not fails, fails
    m = re.search(r"fwft: (\d+) passed, 0 failed", r.output)
    assert m and int(m.group(1)) > 0, tail(r)


@test
def sbi_fwft_landing_pad_and_pointer_masking():
    """On harts with Zicfilp and Ssnpm (QEMU's rv64 has neither unless asked), Rivet probes
    henvcfg.LPE / PMM at boot and gives guests LANDING_PAD and POINTER_MASKING_PMLEN."""
    img = image("sbifwft", [cfg("sbifwft")])
    r = boot(img, smp=2, timeout=60, extra=["-cpu", "rv64,zicfilp=true,ssnpm=true,smnpm=true"])
    lines = checks(r, "sbifwft")
    for check in ("landing_pad supported", "landing_pad get 1", "pointer_masking_pmlen supported",
                  "pointer_masking_pmlen get >= 7", "pointer_masking_pmlen locked: get"):
        assert "fwft: PASS " + check in lines, "%s:\n%s" % (check, tail(r))
    expect(r, "[sbifwft] fwft: %d passed, 0 failed" % (RIVET_CHECKS + 21))
    powered_off(r)
