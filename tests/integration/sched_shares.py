# SPDX-License-Identifier: MIT
"""Scheduling policy (docs/architecture.md "Scheduling policy"): two busy guests (guests/spin.c)
share one hart and count their work units in the same intervals of machine time, so the ratio of
their counts is the ratio of their shares. Weights 512 and 256 share 2:1, equal weights 1:1; a
cap of 25 holds a domain to a quarter beside an uncapped one; an RTDS domain with 2 ms every
10 ms gets a fifth beside a busy credit domain, 6 ms every 10 ms more than half.

One hart, and machine time from instructions (-icount): with several harts QEMU's round-robin
between them, or the host's own scheduling of QEMU's threads, would make the hart's time and
its work disagree, and the counts would measure QEMU rather than Rivet."""
import re

from qemu import boot
from integration import test, image, write_cfg, expect, powered_off, tail

INTERVALS_SKIPPED = 1   # the first one may begin while the other domain still boots
ICOUNT = ("-icount", "shift=1,sleep=off")


def spin_cfg(name, keys):
    return write_cfg("%s.cfg" % name, 'name = "%s"\nmemory = 16\nkernel = "{guests}/spin.elf"\n%s' % (name, keys))


def units(run, name):
    """The units NAME counted in each interval, the first ones skipped."""
    got = [int(m.group(1)) for m in (re.match(r"spin: interval \d+: (\d+) units$", l)
                                    for l in run.domain_lines(name)) if m]
    assert len(got) == 8, "[%s] printed %d intervals:\n%s" % (name, len(got), tail(run))
    return sum(got[INTERVALS_SKIPPED:])


def share_pair(tag, a, a_keys, b, b_keys, want, slack):
    """Boots domains A and B on one hart; their units' ratio must be WANT within SLACK."""
    r = boot(image("sched_" + tag, [spin_cfg(a, a_keys), spin_cfg(b, b_keys)]), smp=1, timeout=180,
             extra=ICOUNT)
    for name in (a, b):
        expect(r, "[%s] spin: done" % name)
    ua, ub = units(r, a), units(r, b)
    assert ub > 0, "[%s] got nothing:\n%s" % (b, tail(r))
    ratio = ua / ub
    assert want * (1 - slack) <= ratio <= want * (1 + slack), \
        "%s/%s ran %d/%d units, a ratio of %.3f where %.3f was wanted" % (a, b, ua, ub, ratio, want)
    powered_off(r)


@test
def weight_512_gets_twice_the_hart_of_256():
    share_pair("weights", "w512", "cpu_weight = 512\n", "w256", "cpu_weight = 256\n", 2.0, 0.08)


@test
def equal_weights_share_a_hart_equally():
    share_pair("equal", "a", "", "b", "cpu_weight = 256\n", 1.0, 0.06)


@test
def cap_25_holds_a_domain_to_a_quarter():
    share_pair("cap", "capped", "cap = 25\n", "free", "", 1 / 3, 0.10)


@test
def rtds_budget_runs_before_credit():
    share_pair("rtds", "rt", "period = 10000\nslice = 2000\n", "be", "", 1 / 4, 0.10)
    share_pair("rtds_big", "rt", "period = 10000\nslice = 6000\n", "be", "", 6 / 4, 0.10)
