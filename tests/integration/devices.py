# SPDX-License-Identifier: MIT
"""Emulated devices: guests/devprobe.c probes a PLIC, a 16550 UART and a virtio-blk disk and
prints one line per check. On bare QEMU (OpenSBI, QEMU's own devices) its output is the
reference that a DomU with Rivet's device model must print line for line: bare_devprobe_lines()
runs it once and keeps the lines for that comparison; make_disk() makes the disk both runs use."""
import os

from qemu import boot
from integration import test, B

DISK_SECTORS = 2048     # devprobe checks the capacity against this
SECTOR = 512

# Every check devprobe makes, in order: one "devprobe: NAME: ok ..." line each.
DEVPROBE_CHECKS = [
    "uart scratch", "uart fifo enabled in iir", "uart divisor latch", "uart loopback idle lsr",
    "uart loopback data", "uart loopback msr", "uart thr empty interrupt", "uart rx interrupt",
    "plic threshold masks", "plic claim and complete",
    "plic priority is warl", "plic threshold", "plic enable bits", "plic claim with nothing enabled",
    "virtio slots", "blk setup", "blk capacity", "blk read sector 0", "blk read last sector",
    "blk read 3 sectors", "blk read into 3 buffers", "blk write and read back", "blk get id",
    "blk read past the end", "blk read across the end", "blk write past the end",
    "blk unknown request type", "blk interrupt polled", "blk interrupt taken",
    "blk hostile address outside ram", "blk hostile self-looping chain",
    "blk hostile chain longer than the queue", "blk hostile next out of range",
    "blk hostile head out of range", "blk hostile avail index jump",
]

# What QEMU 10's virtio-blk does with a broken ring (virtio_error: the device stops, sets
# DEVICE_NEEDS_RESET and signals a configuration change, as virtio 1.2 2.1.2 asks). A DomU's
# device model must print the same.
RING_ERROR = "ok (no used entry, needs reset yes, config interrupt yes; after reset works)"
DEVPROBE_HOSTILE = {
    "blk hostile address outside ram": "ok (outcome not compared; after reset works)",
    "blk hostile self-looping chain": RING_ERROR,
    "blk hostile chain longer than the queue": RING_ERROR,
    "blk hostile next out of range": RING_ERROR,
    "blk hostile head out of range": RING_ERROR,
    "blk hostile avail index jump": RING_ERROR,
}


def disk_byte(sector, j):
    """Byte j of sector `sector` of the disk devprobe expects (guests/devprobe.c disk_byte)."""
    return (sector * 13 + j * 7 + (j >> 8) + (sector >> 8)) & 0xff


def make_disk(path, sectors=DISK_SECTORS):
    """Writes a fresh devprobe disk image (raw); devprobe rewrites its sector 5."""
    with open(path, "wb") as f:
        for s in range(sectors):
            f.write(bytes(disk_byte(s, j) for j in range(SECTOR)))
    return path


def devprobe_lines(run):
    """The devprobe lines of a run, without firmware or QEMU messages between them."""
    return [l for l in run.lines() if l.startswith("devprobe: ")]


def run_devprobe_bare(timeout=60):
    """devprobe on bare QEMU virt under OpenSBI, one hart, a fresh disk in the last virtio slot."""
    elf = os.path.join(B["guests"], "devprobe.elf")
    disk = make_disk(os.path.join(B["out"], "devprobe_bare.img"))
    extra = ["-bios", "default", "-global", "virtio-mmio.force-legacy=false",
             "-drive", "if=none,id=d0,file=%s,format=raw" % disk,
             "-device", "virtio-blk-device,drive=d0"]
    return boot(elf, smp=1, mem="256M", timeout=timeout, extra=extra)


_bare = {}


def bare_devprobe_lines():
    """devprobe's lines on bare QEMU (run once, then kept): the reference for a DomU's."""
    if "lines" not in _bare:
        r = run_devprobe_bare()
        assert r.exited, "devprobe on bare QEMU did not power off:\n" + "\n".join(r.lines()[-30:])
        _bare["lines"] = devprobe_lines(r)
        _bare["output"] = r.output
    return list(_bare["lines"])


def check_devprobe_lines(lines, where):
    """Every check there, in order, each ok; the hostile ones as QEMU does them."""
    text = "\n".join(lines)
    assert lines and lines[0] == "devprobe: start", "%s: no start line:\n%s" % (where, text)
    assert lines[-1] == "devprobe: done", "%s: did not reach 'devprobe: done':\n%s" % (where, text)
    fails = [l for l in lines if ": FAIL" in l or l.endswith(" checks failed")]
    assert not fails, "%s:\n%s" % (where, "\n".join(fails))
    body = [l[len("devprobe: "):] for l in lines[1:-1]]
    names = [b.split(": ", 1)[0] for b in body]
    assert names == DEVPROBE_CHECKS, "%s: checks %r, expected %r" % (where, names, DEVPROBE_CHECKS)
    for b in body:
        name, result = b.split(": ", 1)
        assert result.startswith("ok"), "%s: %s" % (where, b)
        if name in DEVPROBE_HOSTILE:
            assert result == DEVPROBE_HOSTILE[name], "%s: %s: %r, expected %r" % (
                where, name, result, DEVPROBE_HOSTILE[name])


@test
def devprobe_on_bare_qemu():
    """The reference run: QEMU's own PLIC, 16550 and virtio-blk pass every devprobe check."""
    check_devprobe_lines(bare_devprobe_lines(), "bare QEMU")
