# SPDX-License-Identifier: MIT
"""Emulated devices: guests/devprobe.c probes a PLIC, a 16550 UART and a virtio-blk disk and
prints one line per check. On bare QEMU (OpenSBI, QEMU's own devices) its output is the
reference that a DomU with Rivet's device model must print line for line: bare_devprobe_lines()
runs it once and keeps the lines for that comparison; make_disk() makes the disk both runs use."""
import os
import re
import sys

from qemu import boot
from integration import test, B, ROOT

sys.path.insert(0, os.path.join(ROOT, "guests"))
from devprobe_disk import make_disk  # noqa: E402  (the disk's one definition)

# Every check devprobe makes, in order: one "devprobe: NAME: ok ..." line each.
DEVPROBE_CHECKS = [
    "uart scratch", "uart scratch via gp and s-registers", "uart fifo enabled in iir", "uart divisor latch", "uart loopback idle lsr",
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


# ---- the same devices served by rivet-dm in Dom0 ----

from integration.dom0_xl import boot_dom0, free_mib, linux_console, sh, wait_gone  # noqa: E402
from integration.dom0_xl import write_cfg as dom0_cfg  # noqa: E402
from integration.linux_guest import dom0_image  # noqa: E402

D0_GUESTS = "/usr/lib/rivet/guests"
D0_LINUX = "/usr/lib/rivet/linux"
LIN_CFG = ('name = "lin"\nmemory = 128\nvcpus = 2\nkernel = "%s/Image"\nramdisk = "%s/rootfs.cpio"\n'
           'extra = "console=ttyS0 quiet"\ndisk = [ "/tmp/lin.img,raw,xvda,rw" ]\nserial = "pty"\n'
           % (D0_LINUX, D0_LINUX))


def domu_devprobe_lines(s):
    """devprobe as a DomU with a disk and a serial port, served by rivet-dm: its lines."""
    sh(s, "gunzip -c %s/devprobe.img.gz > /tmp/devprobe.img" % D0_GUESTS)
    dom0_cfg(s, "/tmp/devprobe.cfg", 'name = "devprobe"\nmemory = 16\nkernel = "%s/devprobe.elf"\n'
             'disk = [ "/tmp/devprobe.img,raw,xvda,rw" ]\nserial = "pty"\n' % D0_GUESTS)
    out = sh(s, "xl create /tmp/devprobe.cfg; echo rc=$?", timeout=60)
    assert "rc=0" in out, out
    wait_gone(s, "devprobe")   # it powers off when done
    log = sh(s, "cat /var/log/rivet/console/devprobe.log", timeout=30)
    return [l.strip() for l in log.splitlines() if l.startswith("devprobe: ")]


@test
def devprobe_in_a_domu_sees_what_bare_qemu_shows():
    """A bare-metal DomU that drives the PLIC, the 16550 and virtio-blk (ordinary and hostile
    requests) prints, line for line, what it prints on bare QEMU with QEMU's own devices."""
    bare = bare_devprobe_lines()
    check_devprobe_lines(bare, "bare QEMU")
    with boot_dom0(dom0_image("dom0"), 2) as s:
        before = free_mib(s)
        domu = domu_devprobe_lines(s)
        diff = ["bare: %s\ndomu: %s" % (a, b) for a, b in zip(bare, domu) if a != b]
        assert domu == bare, "devprobe differs in a DomU:\n%s\n(%d lines bare, %d in the DomU)" % (
            "\n".join(diff) or "\n".join(domu), len(bare), len(domu))
        assert free_mib(s) == before
        out = sh(s, "pidof rivet-dm; echo rc=$?")
        assert "rc=1" in out, "a device model outlived its domain:\n" + out


def create_lin(s, life, overrides=""):
    """xl create lin [OVERRIDES], then wait until this life's init banner is in its log: xl
    console's backlog still holds the last life's prompt."""
    out = sh(s, "xl create /tmp/lin.cfg %s; echo rc=$?" % overrides, timeout=120)
    assert "rc=0" in out, out
    out = sh(s, "for i in $(seq 300); do [ $(grep -c 'Rivet domain lin:' /var/log/rivet/console/lin.log) "
                "-ge %d ] && break; sleep 0.5; done; grep -c 'Rivet domain lin:' "
                "/var/log/rivet/console/lin.log" % (life, ), timeout=200)
    assert re.search(r"^%d$" % life, out, re.M), "life %d of lin did not boot:\n%s" % (
        life, sh(s, "tail -c 2000 /var/log/rivet/console/lin.log; cat /var/log/rivet/dm/lin.log"))


@test
def linux_domu_disk_keeps_its_data_across_lives_and_shells_on_ttyS0_and_hvc1():
    """A Linux DomU with a disk from a Dom0 file and serial='pty': its shell is on ttyS0 through
    xl console; what it writes to /dev/vda is in the file after destroy and there again in its
    next life, together with what Dom0 wrote meanwhile. That next life has a virtio console
    instead of the UART (console='virtio'): xl console -t pv reaches a shell on hvc1 both ways,
    and -t serial says in one line that there is no serial console."""
    with boot_dom0(dom0_image("dom0"), 2) as s:
        before = free_mib(s)
        sh(s, "dd if=/dev/zero of=/tmp/lin.img bs=1M count=8 2>/dev/null")
        dom0_cfg(s, "/tmp/lin.cfg", LIN_CFG)
        create_lin(s, 1)
        out = sh(s, "xl block-list lin")
        assert re.search(r"xvda\s+0\s+rw\s+/tmp/lin.img", out), out
        linux_console(s, "lin", "cat /sys/class/tty/console/active", "ttyS0")
        linux_console(s, "lin", "echo rivet-disk-$((4200+42)) | dd of=/dev/vda bs=512 seek=100 "
                      "conv=sync 2>/dev/null && sync && echo wr''itten", "written")
        out = sh(s, "xl destroy lin; echo rc=$?", timeout=60)
        assert "rc=0" in out, out
        wait_gone(s, "lin")
        out = sh(s, "dd if=/tmp/lin.img bs=512 skip=100 count=1 2>/dev/null | head -1")
        assert "rivet-disk-4242" in out, "the DomU's write is not in the file:\n" + out
        sh(s, "echo from-dom0-77 | dd of=/tmp/lin.img bs=512 seek=200 conv=notrunc 2>/dev/null")
        create_lin(s, 2, "'serial=[]' \"console='virtio'\" \"extra='console=hvc0 quiet'\"")
        out = sh(s, "xl console -t serial lin 2>/tmp/cerr; echo rc=$?; wc -l </tmp/cerr; cat /tmp/cerr")
        assert re.search(r"^rc=1\n1\nxl: console: domain 'lin' \(\d+\) has no emulated serial console "
                         r"\(serial = 'pty' in its config gives it one\); use -t pv$", out, re.M), out
        # Typed in through the virtio console, answered on it: the shell's tty is hvc1.
        linux_console(s, "lin", 'echo "$(tty)+$(dd if=/dev/vda bs=512 skip=100 count=1 2>/dev/null | '
                      'head -1)+$(dd if=/dev/vda bs=512 skip=200 count=1 2>/dev/null | head -1)"',
                      "/dev/hvc1+rivet-disk-4242+from-dom0-77", opts="-t pv")
        # Without -t, a domain without a UART is typed into through its virtio console too.
        linux_console(s, "lin", "echo tty-is-$(tty)", "tty-is-/dev/hvc1")
        out = sh(s, "grep -c 'virtio console: connected to rivet-consoled' /var/log/rivet/dm/lin.log")
        assert re.search(r"^[1-9]$", out, re.M), out
        out = sh(s, "xl destroy lin; echo rc=$?", timeout=60)
        assert "rc=0" in out, out
        wait_gone(s, "lin")
        assert free_mib(s) == before
        out = sh(s, "pidof rivet-dm; echo rc=$?")
        assert "rc=1" in out, "a device model outlived its domain:\n" + out


@test
def killing_rivet_dm_during_io_pauses_its_domu_and_destroy_still_works():
    """rivet-dm killed while its Linux DomU reads its disk in a loop: the DomU is paused, one
    microvisor log line says why, xl list shows it, and xl destroy works and frees everything."""
    with boot_dom0(dom0_image("dom0"), 2) as s:
        before = free_mib(s)
        sh(s, "dd if=/dev/zero of=/tmp/lin.img bs=1M count=8 2>/dev/null")
        dom0_cfg(s, "/tmp/lin.cfg", LIN_CFG)
        create_lin(s, 1)
        linux_console(s, "lin", "(while true; do dd if=/dev/vda of=/dev/null bs=64k 2>/dev/null; "
                      "done) & echo lo''oping", "looping")
        out = sh(s, "sleep 2; kill -9 $(pidof rivet-dm); echo rc=$?; sleep 2; xl list")
        assert "rc=0" in out, out
        assert re.search(r"^lin\s+\d+\s+128\s+2\s+\S*p", out, re.M), "lin is not shown paused:\n" + out
        out = sh(s, "xl dmesg | grep -c 'lin\" paused: its device model went away'")
        assert re.search(r"^1$", out, re.M), sh(s, "xl dmesg | tail")
        out = sh(s, "xl destroy lin; echo rc=$?", timeout=60)
        assert "rc=0" in out, out
        wait_gone(s, "lin")
        assert free_mib(s) == before
        # The machine is sound: the next DomU with devices works.
        create_lin(s, 2)
        linux_console(s, "lin", "cat /sys/class/tty/console/active", "ttyS0")
        sh(s, "xl destroy lin", timeout=60)
        wait_gone(s, "lin")
