# SPDX-License-Identifier: MIT
"""SBI PMU: the sbipmu guest's checks under Rivet and on bare QEMU (OpenSBI), and its
measured loop: two vCPUs share one hart, one spins while the other counts a loop of a
known size, and the count must be the loop's alone."""
import os
import re

from qemu import boot
from integration import test, image, cfg, expect, powered_off, B

ICOUNT = ["-icount", "shift=0,sleep=off"]   # 1 instruction = 1 ns: instret counts instructions
TICK_NS = 100                               # the 10 MHz timebase
LOOP = re.compile(r"loop insns=(\d+) expected=(\d+) cycles=(\d+) ticks=(\d+) spinner=(\d)")
PINGPONG = re.compile(r"pingpong rounds=(\d+) spin=(\d+) insns0=(\d+) insns1=(\d+)")


def pingpong_counts_own(lines, what):
    """Both vCPUs counted through an IPI ping-pong (directed yields on one hart): vCPU 0's
    count is its rounds' few instructions, vCPU 1's its spins, neither the other's."""
    m = [PINGPONG.search(l) for l in lines if PINGPONG.search(l)]
    assert m, "%s: no pingpong line" % what
    rounds, spin, insns0, insns1 = [int(x) for x in m[0].groups()]
    # Each round: vCPU 0's loop, IPI call and its share of the two switches, far below a spin.
    assert insns0 < rounds * spin // 4, "%s: vCPU 0 counted %d over %d rounds of %d-instruction spins" % (
        what, insns0, rounds, spin)
    assert rounds * spin <= insns1 < rounds * spin * 5 // 4, "%s: vCPU 1 counted %d for %d rounds of %d" % (
        what, insns1, rounds, spin)


def results(lines, what):
    fails = [l for l in lines if "FAIL" in l]
    assert not fails, "%s: %s" % (what, fails)
    done = [l for l in lines if re.search(r"sbipmu: \d+ passed, 0 failed", l)]
    assert done, "%s: no summary:\n%s" % (what, "\n".join(lines[-20:]))
    m = [LOOP.search(l) for l in lines if LOOP.search(l)]
    assert m, "%s: no loop line" % what
    return [int(x) for x in m[0].groups()], done[0]


@test
def sbi_pmu_conformance_and_own_count():
    img = image("sbipmu", [cfg("sbipmu")])
    for smp in (1, 2):
        r = boot(img, smp=smp, timeout=60, extra=ICOUNT)
        (insns, expected, cycles, ticks, spinner), summary = results(r.domain_lines("sbipmu"),
                                                                     "icount smp %d" % smp)
        assert "63 passed" in summary, summary
        assert spinner == 1, "the second vCPU never ran"
        pingpong_counts_own(r.domain_lines("sbipmu"), "icount smp %d" % smp)
        # The loop's own instructions, plus the few the microvisor runs while the vCPU is
        # loaded (timer interrupts, the start call): not the spinner's.
        assert expected <= insns <= expected * 1.02, "insns %d for a %d-instruction loop" % (insns, expected)
        assert expected <= cycles <= expected * 1.02, "cycles %d" % cycles
        # The machine ran about twice as much meanwhile: the spinner shared the hart.
        assert ticks * TICK_NS >= 1.7 * insns, "ticks %d: the spinner did not run during the loop" % ticks
        powered_off(r)
    # Without -icount the counters tick with the host's clock: the checks still hold.
    r = boot(img, smp=1, timeout=60)
    results(r.domain_lines("sbipmu"), "no icount")
    powered_off(r)


@test
def sbi_pmu_guest_on_bare_qemu():
    """The same guest under OpenSBI 1.5.1: its portable checks pass there too."""
    elf = os.path.join(B["guests"], "sbipmu.elf")
    r = boot(elf, smp=2, timeout=60, extra=["-bios", "default"] + ICOUNT, until=" failed")   # the summary whole: "N passed, " came alone once
    lines = [l for l in r.lines() if l.startswith("sbipmu: ")]
    results(lines, "bare")
    expect(r, "sbipmu: 42 passed, 0 failed")
