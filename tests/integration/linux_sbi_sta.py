# SPDX-License-Identifier: MIT
"""SBI STA with Linux: two one-vCPU Linux domains pinned to the same hart. The first one's
/proc/stat steal column stays near zero while it is busy alone, and grows once the second is
busy too (Linux 6.12's arch/riscv/kernel/paravirt.c reads the record Rivet writes)."""
import re

from qemu import Session
from integration import test, image
from integration.linux_guest import linux_cfg, shell

BUSY_S = 4
# A busy loop of shell builtins only (no fork), for BUSY_S seconds of the guest's clock.
BUSY = ("read t x < /proc/uptime; t=${t%%.*}; e=$((t+%d)); "
        "while [ $t -lt $e ]; do read t x < /proc/uptime; t=${t%%.*}; done" % BUSY_S)


def cpu_line(s, prompt):
    """The aggregate cpu line of /proc/stat: (steal, total) in USER_HZ ticks."""
    out = shell(s, "head -1 /proc/stat", prompt=prompt)
    m = re.search(r"\] cpu  ((?:\d+ ?)+)", out)
    assert m, out
    v = [int(x) for x in m.group(1).split()]
    return v[7], sum(v)   # steal is the 8th value


def steal_while_busy(s, prompt):
    """Fraction of linux-a's time that was steal over a BUSY_S-second busy loop."""
    steal0, total0 = cpu_line(s, prompt)
    shell(s, BUSY, timeout=120, prompt=prompt)
    steal1, total1 = cpu_line(s, prompt)
    assert total1 > total0, (total0, total1)
    return (steal1 - steal0) / (total1 - total0), steal1 - steal0


@test
def linux_sbi_sta_steal_grows_with_a_busy_neighbour():
    pin = 'cpus = "1"\n'
    img = image("linuxsta", [linux_cfg("linux-a", vcpus=1, memory=96, extra_keys=pin),
                             linux_cfg("linux-b", vcpus=1, memory=96, extra_keys=pin)])
    a, b = "linux-a:/# ", "linux-b:/# "
    with Session(img, smp=2, mem="512M") as s:
        s.expect('(rivet) console input goes to domain 1 "linux-a"', 30)
        s.expect(a, 300)
        s.pos = 0
        s.expect(b, 300)
        s.pos = len(s.out)
        out = shell(s, "dmesg | grep -c 'SBI STA extension detected'", prompt=a)
        assert re.search(r"\[linux-a\] 1\r?\n", out), "Linux did not find STA:\n" + out

        # linux-b idles at its prompt: linux-a, busy, has the hart to itself. Right after its
        # prompt linux-b may still finish work of its boot: the better of two runs counts.
        shell(s, "sleep 2", prompt=a)
        alone, ticks = min(steal_while_busy(s, a), steal_while_busy(s, a))
        assert alone < 0.05, "steal %d ticks (%.0f%%) with the hart to itself" % (ticks, alone * 100)

        # linux-b spins in the background; linux-a waits for the hart about half the time.
        s.send("\x01\x01" * 3)
        s.expect('(rivet) console input now goes to domain 2 "linux-b"', 10)
        shell(s, "(while :; do :; done) &", prompt=b)
        s.send("\x01\x01" * 3)
        s.expect('(rivet) console input now goes to domain 1 "linux-a"', 10)
        shared, ticks = steal_while_busy(s, a)
        assert shared > 0.25, "steal %d ticks (%.0f%%) beside a busy domain" % (ticks, shared * 100)
        print("linux-a steal: %.1f%% alone, %.1f%% beside a busy domain" % (alone * 100, shared * 100))
