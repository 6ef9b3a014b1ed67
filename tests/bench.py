#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench.py: prints Rivet's performance figures. Under QEMU -icount the guest-visible
instruction counts and time are deterministic; wall-clock figures are labelled as such."""
import argparse
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu import boot  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# 1 insn = 1 ns; idle time skipped, so runs repeat exactly. The RTC starts at a fixed date and
# follows virtual time: from the host's clock, bare Linux's boot to its banner varied by 25%.
ICOUNT = ["-icount", "shift=0,sleep=off", "-rtc", "base=2026-01-01T00:00:00,clock=vm"]
ICOUNT_SLEEP = ["-icount", "shift=0,sleep=on"]  # idle time follows the host's: bare QEMU's disk
CYCLES = 1000                               # xl create + xl destroy cycles in Dom0


def grab(run, pattern, what):
    m = re.search(pattern, run.output)
    if not m:
        sys.exit("bench: no %s in the output:\n%s" % (what, run.output[-3000:]))
    return [int(g) for g in m.groups()]


DOM0_PROMPT = "Domain-0:/# "
STAMP_CFG = "printf 'name = \"%s\"\\nmemory = %d\\nkernel = \"/usr/lib/rivet/guests/stamp.elf\"\\n' > %s"
# The tick in a stamp guest's first console line (its own rdtime), in domain NAME's console log.
STAMP_TICK = "sed -n 's/.*at tick \\([0-9]*\\).*/\\1/p' /var/log/rivet/console/%s.log"
# Dom0 waits for a DomU's line with sleep, never a busy loop: under -icount every hart's
# instructions are virtual time, so a spinning Dom0 would slow the DomU it is timing. The
# figures are the DomU's own stamps, so when Dom0 notices does not change them.
WAIT_LOG = "until grep -q '%s' /var/log/rivet/console/%s.log 2>/dev/null; do sleep 1; done"
XL_SIZES = (16, 64, 128, 512)               # MiB: xl create against domain size
XL_SCALE = (1, 8, 32)                       # stamp domains created at once by xl
XL_SCALE_RUNS = 3                           # each N this many times, the median kept: Dom0's share of
                                            # the harts beside the domains it made moves by ~20%


def dom0_image(build):
    """Builds Dom0's image once per run (build/bench/dom0.img)."""
    img = os.path.join(build, "bench", "dom0.img")
    if getattr(dom0_image, "done", False):
        return img
    p = subprocess.run(["make", "-s", "image", "DOM0=y", "BUILD=" + os.path.relpath(build, ROOT)],
                       cwd=ROOT, capture_output=True, text=True)
    if p.returncode:
        sys.exit("bench: make image DOM0=y failed:\n" + p.stderr[-2000:])
    os.replace(os.path.join(build, "rivet.img"), img)
    dom0_image.done = True
    return img


def dom0_shell(s):
    def sh(cmd, timeout=600):
        s.send(cmd + "\n")
        return s.expect(DOM0_PROMPT, timeout).replace("\r", "")
    return sh


def tagged(out, tag, what):
    """The number after TAG at the start of a line of OUT (tags the echoed command cannot match)."""
    m = re.search(r"^%s(-?\d+)$" % tag, out, re.M)
    if not m:
        sys.exit("bench: no %s in:\n%s" % (what, out[-3000:]))
    return int(m.group(1))


def free_bytes(sh):
    return tagged(sh("sleep 1; rivet-hcstress free | sed 's/^free_bytes /F/'"), "F", "free memory")


def dom0_figures(build, sections):
    """Boots Dom0 under -icount and times xl create from Dom0's own clock (rdtime) against
    the DomU's own stamp; with "xlsize", xl create against the domain's size and what the
    microvisor keeps for each; with "scale", N small domains created at once."""
    from qemu import Session
    img = dom0_image(build)
    res = {}
    with Session(img, smp=2, mem="1G", extra=ICOUNT) as s:
        s.expect(DOM0_PROMPT, 600)
        sh = dom0_shell(s)
        res["timebase"] = tagged(sh("xl info | sed -n 's/^timebase_hz *: */T/p'"), "T", "the timebase")
        if "dom0" in sections:
            t0 = time.monotonic()
            sh(STAMP_CFG % ("stamp", 16, "/tmp/stamp.cfg"))
            out = sh("a=$(rdtime); xl create -q /tmp/stamp.cfg; c=$(rdtime); %s; b=$(%s); "
                     "echo T$((b - a)); echo X$((c - a))"
                     % (WAIT_LOG % ("at tick", "stamp"), STAMP_TICK % "stamp"))
            res["hello_wall"] = time.monotonic() - t0
            res["hello_ticks"] = tagged(out, "T", "hello timing")
            res["hello_xl"] = tagged(out, "X", "hello xl timing")
            t0 = time.monotonic()
            out = sh("a=$(rdtime); RIVET_XL_TRACE=1 xl create -q /etc/rivet/examples/linux.cfg; "
                     "c=$(rdtime); %s; "
                     "b=$(sed -n 's/.*up at tick \\([0-9]*\\).*/\\1/p' /var/log/rivet/console/linux.log); "
                     "echo T$((b - a)); echo X$((c - a))" % (WAIT_LOG % ("up at tick", "linux")))
            res["linux_wall"] = time.monotonic() - t0
            res["linux_ticks"] = tagged(out, "T", "Linux DomU timing")
            res["linux_xl"] = tagged(out, "X", "Linux DomU xl timing")
            res["linux_trace"] = [l for l in out.split("\n") if l.startswith("xl-trace: ")]
            out = sh("grep VmRSS /proc/$(pidof rivet-consoled)/status")
            m = re.search(r"VmRSS:\s+(\d+)", out)
            res["consoled_rss"] = int(m.group(1)) if m else -1
            out = sh("xl dmesg | grep 'linux\" created'")
            m = re.search(r"overhead (\d+) KiB", out)
            res["domu_overhead"] = int(m.group(1)) if m else -1

            # xl create + xl destroy of a small bare-metal domain (it waits for input, so
            # destroy always meets it running), CYCLES times; free memory to the byte.
            sh("xl destroy linux; xl destroy stamp 2>/dev/null; "
               "printf 'name = \"cyc\"\\nmemory = 16\\nkernel = \"/etc/rivet/examples/echo.elf\"\\n' > /tmp/cyc.cfg")
            before = free_bytes(sh)
            t0 = time.monotonic()
            # A name per cycle: xl destroy does not wait for the domain to be gone.
            out = sh("n=0; a=$(rdtime); for i in $(seq %d); do xl create -q /tmp/cyc.cfg name=c$i && "
                     "xl destroy c$i && n=$((n+1)); done; b=$(rdtime); echo T$((b - a)); echo N$n" % CYCLES)
            res["cycle_wall"] = (time.monotonic() - t0) / CYCLES
            res["cycle_ticks"] = tagged(out, "T", "create/destroy timing") / CYCLES
            res["cycles_ok"] = tagged(out, "N", "create/destroy count")
            res["cycle_lost"] = before - free_bytes(sh)
        if "xlsize" in sections:
            # xl create of a stamp domain of each size: to its first line, xl's own time, and
            # what the microvisor took beyond the domain's RAM (free memory, to the byte).
            res["xlsize"] = []
            for mib in XL_SIZES:
                name = "size%d" % mib
                sh(STAMP_CFG % (name, mib, "/tmp/%s.cfg" % name))
                before = free_bytes(sh)
                out = sh("a=$(rdtime); xl create -q /tmp/%s.cfg; c=$(rdtime); %s; b=$(%s); "
                         "echo T$((b - a)); echo X$((c - a))"
                         % (name, WAIT_LOG % ("at tick", name), STAMP_TICK % name))
                # The stamp guest ends by itself after 50 ms; the free memory is read while it
                # exists (it stops at its last line and waits for nothing: read at once).
                ticks, xl = tagged(out, "T", "xl create %d MiB" % mib), tagged(out, "X", "xl %d MiB" % mib)
                m = re.search(r"overhead (\d+) KiB", sh("xl dmesg | grep '\"%s\" created'" % name))
                res["xlsize"].append((mib, ticks, xl, int(m.group(1)) if m else -1))
                sh("while xl list | grep -q '^%s '; do sleep 1; done" % name)
                lost = before - free_bytes(sh)
                if lost:
                    res.setdefault("xlsize_lost", []).append((mib, lost))
        if "scale" in sections:
            # N stamp domains created one after another by xl; the figure is from the first
            # xl create to the last domain's first line (its own stamp): the median of
            # XL_SCALE_RUNS runs (all of them are printed).
            res["scale"] = []
            for n in XL_SCALE:
                sh(STAMP_CFG % ("k", 16, "/tmp/k.cfg"))
                runs = []
                for run in range(XL_SCALE_RUNS):
                    tag = "k%dr%dx" % (n, run)
                    out = sh("a=$(rdtime); for i in $(seq %d); do xl create -q /tmp/k.cfg name=%s$i; done; "
                             "for i in $(seq %d); do %s; done; "
                             "b=$(for i in $(seq %d); do %s; done | sort -n | tail -1); echo T$((b - a))"
                             % (n, tag, n, WAIT_LOG % ("at tick", tag + "$i"), n, STAMP_TICK % (tag + "$i")))
                    ticks = tagged(out, "T", "%d domains" % n)
                    out = sh("xl dmesg | sed -n 's/.*\"%s[0-9]*\" created.*overhead \\([0-9]*\\) KiB.*/\\1/p' | "
                             "awk '{s+=$1} END {print \"O\" s+0}'" % tag)
                    runs.append((ticks, tagged(out, "O", "overhead of %d domains" % n)))
                    sh("while xl list | grep -q '^%s'; do sleep 1; done" % tag)
                runs.sort()
                ticks, over = runs[len(runs) // 2]
                res["scale"].append((n, ticks, over, [r[0] for r in runs]))
    return res


DISK_MIB = 32                               # the virtio-blk disk of the dd figures
UART_BYTES = 8192                           # guests/iobench.c's UART_TX_BYTES
D0_LINUX = "/usr/lib/rivet/linux"
D0_GUESTS = "/usr/lib/rivet/guests"
DEV_LIN_CFG = ('name = "lin"\nmemory = 128\nvcpus = 1\ncpus = "2"\nkernel = "%s/Image"\n'
               'ramdisk = "%s/rootfs.cpio"\nextra = "console=ttyS0 quiet"\n'
               'disk = [ "/tmp/bench-disk.img,raw,xvda,rw" ]\nserial = "pty"\non_dm_crash = "restart"\n'
               % (D0_LINUX, D0_LINUX))
# The device model's death to the DomU running again, in the DomU's own clock (rdtime, 10 MHz;
# deterministic under -icount): the DomU reads one uncached 4 KiB block after another, noting the
# time after each; Dom0 kills rivet-dm with SIGKILL in the middle and the supervisor
# (on_dm_crash = "restart") starts its successor. The figure is the largest gap between two
# completed reads, beside the usual one.
RESTART_LOOP = ("for i in $(seq 1 120); do echo 3 > /proc/sys/vm/drop_caches; "
                "dd if=/dev/vda of=/dev/null bs=4k count=1 skip=$i 2>/dev/null; rdtime; done > /tmp/t; "
                "awk 'NR>1{d=$1-p; if(d>m)m=d; s+=d; n++} {p=$1} "
                "END{printf \"RG%d RU%d\\n\", m, (s-m)/(n-1)}' /tmp/t")
IOBENCH_CFG = ('name = "iobench"\nmemory = 16\nvcpus = 1\ncpus = "2"\nkernel = "%s/iobench.elf"\n'
               'serial = "pty"\n' % D0_GUESTS)
# One dd phase in a Linux guest: "X<S|E><tag>" markers around it (split in what is typed, so
# the echo of the command never matches), the guest's own clock (rdtime, ticks) around the dd
# alone, and /sys/block/vda/stat before and after. A phase with no dd is the baseline: what
# the markers themselves cost.
DD_PHASES = [
    ("base", "true"),
    ("read", "dd if=/dev/vda of=/dev/null bs=1M count=%d 2>/dev/null" % DISK_MIB),
    ("write", "dd if=/dev/zero of=/dev/vda bs=1M count=%d conv=fsync 2>/dev/null" % DISK_MIB),
]


def dd_command(tag, dd):
    irqs = "$(awk '/virtio/ {n += $2} END {print n + 0}' /proc/interrupts)"
    return ("sync; echo 3 > /proc/sys/vm/drop_caches; echo X''S%s; sleep 1; i=%s; "
            "s=$(cat /sys/block/vda/stat); a=$(rdtime); %s; b=$(rdtime); e=$(cat /sys/block/vda/stat); "
            "j=%s; sleep 1; echo X''E%s T$((b - a)) I$((j - i)) $s / $e" % (tag, irqs, dd, irqs, tag))


def dd_result(out, tag):
    """(ticks, requests completed, virtio interrupts) of one phase; requests are reads + writes
    + flushes of /sys/block/vda/stat."""
    m = re.search(r"XE%s T(\d+) I(\d+) ([\d ]+) / ([\d ]+)" % tag, out)
    if not m:
        sys.exit("bench: no result of dd phase %s in:\n%s" % (tag, out[-3000:]))
    s, e = [[int(x) for x in g.split()] for g in m.groups()[2:]]
    fields = [0, 4] + ([14] if len(s) > 14 else [])
    return int(m.group(1)), sum(e[i] - s[i] for i in fields), int(m.group(2))


def bare_dev_figures(build, out):
    """The same Linux and the same guest on bare QEMU with QEMU's own devices, under -icount."""
    from qemu import Session
    res = {}
    r = boot(os.path.join(build, "guests", "iobench.elf"), smp=1, timeout=120,
             extra=ICOUNT + ["-bios", "default"])
    res["uart"] = grab(r, r"iobench: uart tx: \d+ bytes, (\d+) ticks, (\d+) instructions", "bare uart tx")
    res["mmio"] = grab(r, r"iobench: mmio read: \d+ reads, (\d+) ticks, (\d+) instructions", "bare mmio read")
    res["ram"] = grab(r, r"iobench: ram read: \d+ reads, (\d+) instructions", "bare ram read")

    linux_dir = os.path.join(build, "linux")
    dtb = os.path.join(out, "bare-virt-1.dtb")
    subprocess.run(["qemu-system-riscv64", "-M", "virt,dumpdtb=" + dtb, "-cpu", "rv64",
                    "-smp", "1", "-m", "128M", "-nographic"], check=True, capture_output=True)
    subprocess.run(["fdtput", "-d", dtb, "/chosen", "rng-seed"], check=True)
    disk = os.path.join(out, "bare-disk.img")
    with open(disk, "wb") as f:
        f.truncate(DISK_MIB << 20)
    # sleep=on here: with sleep=off an idle wait for QEMU's I/O thread jumps the clock to the
    # next timer (seconds with NOHZ), so the bare disk would look thousands of times slower.
    extra = ICOUNT_SLEEP + ["-dtb", dtb, "-initrd", os.path.join(linux_dir, "rootfs.cpio"),
                      "-append", "console=ttyS0 quiet", "-global", "virtio-mmio.force-legacy=false",
                      "-drive", "if=none,id=d0,file=%s,format=raw" % disk,
                      "-device", "virtio-blk-device,drive=d0"]
    prompt = "linux:/# "
    with Session(os.path.join(linux_dir, "Image"), smp=1, mem="128M", extra=extra) as s:
        s.expect("up at tick", 300)
        s.expect(prompt, 60)
        for tag, dd in DD_PHASES:
            s.send(dd_command(tag, dd) + "\n")
            o = s.expect("XE" + tag, 600)
            o += s.expect(prompt, 60)
            res[tag] = dd_result(o.replace("\r", ""), tag)
    return res


def dm_stats(sh):
    out = sh("grep 'stats:' /var/log/rivet/dm/lin.log | tail -2")
    st = [[int(x) for x in m] for m in
          re.findall(r"stats: (\d+) synchronous, (\d+) posted, (\d+) notifications, (\d+) wakeups", out)]
    if len(st) != 2:
        sys.exit("bench: no two rivet-dm stats lines in:\n" + out)
    return [b - a for a, b in zip(st[0], st[1])]


def dom0_dev_figures(build):
    """Dom0 on 3 harts (its vCPUs on harts 0 and 1, each DomU pinned to hart 2), under
    -icount: iobench as a DomU, then a Linux DomU with a virtio-blk disk and ttyS0."""
    from qemu import Session
    img = dom0_image(build)
    prompt = "Domain-0:/# "
    res = {}
    with Session(img, smp=3, mem="1G", extra=ICOUNT) as s:
        s.expect(prompt, 600)

        def sh(cmd, timeout=600):
            s.send(cmd + "\n")
            return s.expect(prompt, timeout).replace("\r", "")

        sh("printf '%s' > /tmp/iobench.cfg" % IOBENCH_CFG.replace("\n", "\\n"))
        o = sh("xl create -q /tmp/iobench.cfg; L=/var/log/rivet/console/iobench.log; "
               "until grep -q 'iobench: done' $L 2>/dev/null; do sleep 0.1; done; "
               "grep 'iobench: ' $L; while pidof rivet-dm >/dev/null; do sleep 0.1; done")

        class R:
            output = o
        res["uart"] = grab(R, r"iobench: uart tx: \d+ bytes, (\d+) ticks, (\d+) instructions", "DomU uart tx")
        res["mmio"] = grab(R, r"iobench: mmio read: \d+ reads, (\d+) ticks, (\d+) instructions", "DomU mmio read")
        res["ram"] = grab(R, r"iobench: ram read: \d+ reads, (\d+) instructions", "DomU ram read")

        sh("dd if=/dev/zero of=/tmp/bench-disk.img bs=1M count=%d 2>/dev/null; printf '%s' > /tmp/lin.cfg"
           % (DISK_MIB, DEV_LIN_CFG.replace("\n", "\\n")))
        sh("xl create -q /tmp/lin.cfg; until grep -q 'Rivet domain lin:' /var/log/rivet/console/lin.log "
           "2>/dev/null; do sleep 0.2; done")
        o = sh("grep VmRSS /proc/$(pidof rivet-dm)/status")
        m = re.search(r"VmRSS:\s+(\d+)", o)
        res["dm_rss"] = int(m.group(1)) if m else -1
        s.send("xl console lin\n")
        s.send("\n")
        s.expect("lin:/# ", 300)
        s.send("\x1d")
        s.expect(prompt, 30)
        for tag, dd in DD_PHASES:
            # Dom0 logs rivet-dm's counters when the guest's start marker is in its console
            # log and again at its end marker: the guest sleeps 1 s after the first and before
            # the second, so nothing else runs through its devices between them.
            sh("p=$(pidof rivet-dm); L=/var/log/rivet/console/lin.log; rm -f /tmp/w; "
               "(until grep -q XS%s $L; do sleep 0.05; done; kill -USR1 $p; "
               "until grep -q XE%s $L; do sleep 0.05; done; kill -USR1 $p; touch /tmp/w) "
               ">/dev/null 2>&1 &" % (tag, tag))
            s.send("xl console lin\n")
            s.send("\n")
            s.expect("lin:/# ", 60)
            s.send(dd_command(tag, dd) + "\n")
            o = s.expect("XE" + tag, 900)
            o += s.expect("lin:/# ", 60)
            s.send("\x1d")
            s.expect(prompt, 30)
            res[tag] = dd_result(o.replace("\r", ""), tag)
            sh("until [ -e /tmp/w ]; do sleep 0.1; done; sleep 0.2")
            res[tag + "_dm"] = dm_stats(sh)
        # Restart: kill rivet-dm while the DomU's read loop runs.
        sh("(sleep 3; kill -9 $(pidof rivet-dm)) >/dev/null 2>&1 &")
        s.send("xl console lin\n")
        s.send("\n")
        s.expect("lin:/# ", 60)
        # expect() matches plain text: wait for a marker the echoed command does not contain.
        s.send(RESTART_LOOP + "; echo X''RDONE\n")
        o = s.expect("XRDONE", 900)
        s.expect("lin:/# ", 60)
        s.send("\x1d")
        s.expect(prompt, 30)
        m = re.search(r"RG(\d+) RU(\d+)", o)
        res["restart"] = (int(m.group(1)), int(m.group(2))) if m else None
        res["restart_gens"] = sh("grep -c 'resumed: generation' /var/log/rivet/dm/lin.log")
        sh("xl destroy lin")
    return res


NET_MIB = 16                                # bytes of each TCP figure
NET_LIN_CFG = ('name = "%s"\nmemory = 128\nvcpus = 1\ncpus = "%d"\nkernel = "' + D0_LINUX +
               '/Image"\nramdisk = "' + D0_LINUX + '/rootfs.cpio"\n'
               'extra = "console=hvc0 quiet rivet.ip=%s/24"\nvif = [ "bridge=rbr0" ]\n')
# rivet-dm with its NICs' offloads off (--nic ...,offload=off): what checksum/TSO offload is worth.
NO_OFFLOAD_DM = "#!/bin/sh\nexec rivet-dm $(echo \"$@\" | sed \"s/--nic \\\\([^ ]*\\\\)/--nic \\\\1,offload=off/g\")\n"


def net_figures(build):
    """Dom0 on 4 harts (its vCPUs on harts 0-1), two Linux DomUs with a NIC on rbr0 pinned to
    harts 2 and 3, under -icount: TCP throughput (busybox nc, NET_MIB MiB from /dev/zero's
    bytes in a file, the sender's own clock around nc) DomU -> Dom0 and DomU -> DomU, the
    same DomU -> Dom0 with rivet-dm's offloads off, and the DomU's ping round trip to Dom0.
    Dom0 has the machine's NIC on rbr0 as make run gives it (QEMU's user network, restrict=on),
    and beside the DomU figures sends NET_MIB MiB to the QEMU host over it (a hostfwd port that
    this script reads), timed the same way."""
    import socket
    from qemu import Session
    img = dom0_image(build)
    prompt = "Domain-0:/# "
    res = {}
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    nic = ["-global", "virtio-mmio.force-legacy=false",
           "-netdev", "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:%d-:5002" % port,
           "-device", "virtio-net-device,netdev=n0,iommu_platform=on"]
    with Session(img, smp=4, mem="1G", extra=ICOUNT + nic) as s:
        s.expect(prompt, 600)

        def sh(cmd, timeout=600):
            s.send(cmd + "\n")
            return s.expect(prompt, timeout).replace("\r", "")

        def domu(name, cmd, tag, timeout=900):
            s.send("xl console %s\n" % name)
            s.send("\n")
            s.expect("%s:/# " % name, 300)
            s.send("%s; echo X''E%s\n" % (cmd, tag))
            o = s.expect("XE" + tag, timeout)
            s.expect("%s:/# " % name, 60)
            s.send("\x1d")
            s.expect(prompt, 30)
            return o.replace("\r", "")

        def create(name, cpu, ip, dm=""):
            sh("printf '%s' > /tmp/%s.cfg" % ((NET_LIN_CFG % (name, cpu, ip)).replace("\n", "\\n"), name))
            sh("%sxl create -q /tmp/%s.cfg; until grep -q 'Rivet domain %s:' "
               "/var/log/rivet/console/%s.log 2>/dev/null; do sleep 0.2; done" % (dm, name, name, name))

        def tcp(src, dst_ip, listen_in, tag):
            cmd = "(nc -l -p 5001 < /dev/null > /dev/null) &"
            if listen_in:
                domu(listen_in, cmd + " true", tag + "l")
            else:
                sh(cmd)
            # Tagged: xl console replays the DomU's earlier output, earlier figures included.
            o = domu(src, "dd if=/dev/zero of=/tmp/d bs=1M count=%d 2>/dev/null; a=$(rdtime); "
                     "nc %s 5001 < /tmp/d; b=$(rdtime); echo T%s-$((b - a))" % (NET_MIB, dst_ip, tag), tag)
            m = re.findall(r"^T%s-(\d+)$" % tag, o, re.M)
            if not m:
                sys.exit("bench: no TCP figure %s in:\n%s" % (tag, o[-2000:]))
            return int(m[-1])

        # The DomUs' private addresses beside the DHCP one rbr0 has from QEMU's user network.
        sh("ip addr add 10.0.3.1/24 dev rbr0")
        sh("dd if=/dev/zero of=/tmp/h bs=1M count=%d 2>/dev/null" % NET_MIB)
        s.send("a=$(rdtime); nc -l -p 5002 < /tmp/h; b=$(rdtime); echo TH-$((b - a))\n")
        got, deadline = 0, time.monotonic() + 600
        while got < NET_MIB << 20 and time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=600) as c:
                    while got < NET_MIB << 20:
                        d = c.recv(1 << 16)
                        if not d:
                            break
                        got += len(d)
            except OSError:
                time.sleep(0.2)   # Dom0's nc is not listening yet
        m = re.search(r"^TH-(\d+)", s.expect(prompt, 120).replace("\r", ""), re.M)
        res["dom0_to_host"] = int(m.group(1)) if m and got == NET_MIB << 20 else None
        create("na", 2, "10.0.3.2")
        create("nb", 3, "10.0.3.3")
        res["to_dom0"] = tcp("na", "10.0.3.1", None, "t1")
        res["to_domu"] = tcp("na", "10.0.3.3", "nb", "t2")
        o = domu("na", "ping -c 20 10.0.3.1 | tail -1", "p")
        o = o[o.rfind("ping -c 20"):]
        m = re.search(r"min/avg/max = ([\d.]+)/([\d.]+)/([\d.]+) ms", o)
        res["ping"] = [float(x) for x in m.groups()] if m else None
        sh("xl destroy na; xl destroy nb")
        sh("printf '%s' > /tmp/dm-nooff; chmod +x /tmp/dm-nooff" % NO_OFFLOAD_DM.replace("\n", "\\n"))
        create("nc", 2, "10.0.3.4", dm="RIVET_DM=/tmp/dm-nooff ")
        o = sh("grep -c offloads.off /var/log/rivet/dm/nc.log")
        res["nooff_checked"] = re.search(r"^1$", o, re.M) is not None
        res["to_dom0_nooff"] = tcp("nc", "10.0.3.1", None, "t3")
        sh("xl destroy nc")
    return res


def net_report(n):
    mb = lambda t: (NET_MIB << 20) / 1e6 / (t / 1e7)   # noqa: E731
    print("  Networking (virtio-net in rivet-dm, tap on Dom0's bridge rbr0; Dom0 on harts 0-1, "
          "each DomU 1 vCPU pinned to its own hart; guest clock):")
    print("    TCP DomU -> Dom0, %d MiB (busybox nc): %.1f MB/s (%d ticks)"
          % (NET_MIB, mb(n["to_dom0"]), n["to_dom0"]))
    if n["dom0_to_host"]:
        print("    TCP Dom0 -> the QEMU host over the machine's NIC (virtio-net, QEMU user network), "
              "%d MiB: %.1f MB/s (%d ticks)" % (NET_MIB, mb(n["dom0_to_host"]), n["dom0_to_host"]))
    else:
        print("    TCP Dom0 -> the QEMU host over the machine's NIC: no figure")
    print("    TCP DomU -> DomU on the same bridge, %d MiB: %.1f MB/s (%d ticks)"
          % (NET_MIB, mb(n["to_domu"]), n["to_domu"]))
    print("    TCP DomU -> Dom0 with rivet-dm's checksum/TSO offloads off%s: %.1f MB/s (%d ticks; "
          "offloads: x%.1f)" % ("" if n["nooff_checked"] else " (NOT CONFIRMED in rivet-dm's log)",
                               mb(n["to_dom0_nooff"]), n["to_dom0_nooff"], n["to_dom0_nooff"] / n["to_dom0"]))
    if n["ping"]:
        print("    ping DomU -> Dom0, 20 round trips: min/avg/max %.3f/%.3f/%.3f ms" % tuple(n["ping"]))
    else:
        print("    ping DomU -> Dom0: no figure")


def mbs(ticks):
    """MB/s of the dd figures, in the guest's own clock (10 MHz time)."""
    return (DISK_MIB << 20) / 1e6 / (ticks / 1e7)


def device_report(b, d):
    """Prints the device-model figures: DomU (rivet-dm) beside bare QEMU's own devices."""
    print("  Device model (rivet-dm in Dom0; Dom0 on 3 harts, its vCPUs on harts 0-1, the DomU "
          "pinned to hart 2) beside bare QEMU's own devices:")
    for tag in ("read", "write"):
        dt, dn, di = d[tag]
        bt, bn, bi = b[tag]
        print("    virtio-blk sequential %s, Linux 1 vCPU, dd bs=1M %d MiB%s, guest clock: %.1f MB/s, "
              "bare %.1f MB/s: ratio %.2f (target >= 0.5)"
              % (tag, DISK_MIB, " after drop_caches" if tag == "read" else " conv=fsync",
                 mbs(dt), mbs(bt), bt / dt))
        print("      %d requests, %d interrupts in the DomU; %d, %d bare (bare: -icount sleep=on, "
              "its idle waits for QEMU's I/O thread take host time: varies)" % (dn, di, bn, bi))
    (ut, ui), (but, bui) = d["uart"], b["uart"]
    bps = lambda t: UART_BYTES / (t / 1e7)   # noqa: E731
    print("    16550 transmit, bare-metal guest, %d bytes (poll LSR.THRE, then 16 to THR): "
          "%.0f bytes/s, bare %.0f bytes/s: ratio %.4f, %.0fx slower (target: within 5x)"
          % (UART_BYTES, bps(ut), bps(but), but / ut, ut / but))
    # Where a round trip's instructions go (a one-off count with a QEMU TCG plugin, per hart and
    # PC range, over iobench's read loop): ~360 on the DomU's hart (guest + microvisor), ~2.4k
    # microvisor on Dom0's harts, ~11-13k Dom0's kernel (event interrupt, wake-up, ppoll, the
    # ioctls), ~0.9k rivet-dm, and ~8-14k OpenSBI in M-mode (the microvisor's hart kicks are SBI
    # IPI calls, each also an M-mode interrupt on the receiving hart).
    n = 2000
    (mt, mi), (bmt, bmi) = d["mmio"], b["mmio"]
    ram, = d["ram"]
    print("    one synchronous ioreq (DomU reads the UART scratch register %d times): %.0f instructions "
          "per read, bare %.0f: ratio %.0f (target <= 1000 HS instructions)"
          % (n, mi / n, bmi / n, mi / bmi))
    print("      QEMU's instret under -icount is the machine's instruction count, not the hart's: "
          "this is the whole round trip on every hart (guest trap, microvisor on both sides, "
          "Dom0's kernel, rivet-dm); %.1f ticks (%.1f us) per read, bare %.2f; the guest's loop "
          "reading RAM: %.0f per iteration" % (mt / n, mt / n / 10.0, bmt / n, ram / n))
    print("    (per byte sent above: %.0f instructions in the DomU, %.1f bare)"
          % (ui / UART_BYTES, bui / UART_BYTES))
    for tag in ("read", "write"):
        sync, posted, notif, wake = [x - y for x, y in zip(d[tag + "_dm"], d["base_dm"])]
        _, reqs, irqs = d[tag]
        print("    synchronous round trips per virtio-blk request (%s; rivet-dm's counters around "
              "the dd, the markers' own cost subtracted): %.2f (target <= 2)" % (tag, sync / reqs))
        print("      %d requests, %d interrupts: per interrupt %.2f synchronous; per request %.2f "
              "posted, %.2f notifications, %.2f wakeups of rivet-dm"
              % (reqs, irqs, sync / max(irqs, 1), posted / reqs, notif / reqs, wake / reqs))
    print("    rivet-dm RSS (VmRSS) for a Linux DomU with a disk and a serial port: %d KiB "
          "(target <= 2048)" % d["dm_rss"])
    if d.get("restart") and re.search(r"^1$", d["restart_gens"], re.M):
        gap, usual = d["restart"]
        print("    dm restart: rivet-dm SIGKILLed under a disk read loop, its successor serving: the DomU's "
              "largest gap between two reads %.1f ms (usually %.1f ms), guest clock" % (gap / 1e4, usual / 1e4))
    else:
        print("FAIL: bench: dm restart: no figure (%r; successors logged: %r)"
              % (d.get("restart"), d.get("restart_gens")))


def device_figures(F, b, d):
    """The device-model figures of device_report, into the table."""
    for tag in ("read", "write"):
        F.add("devices", "virtio-blk sequential %s, dd 1M x %d, Linux DomU" % (tag, DISK_MIB),
              mbs(d[tag][0]), "MB/s", mbs(b[tag][0]), ("ratio", ">=", 0.5))
    bps = lambda t: UART_BYTES / (t / 1e7)   # noqa: E731
    F.add("devices", "16550 transmit, bare-metal DomU", bps(d["uart"][0]), "B/s", bps(b["uart"][0]),
          ("ratio", ">=", 0.2), note="target: within 5x of bare")
    n = 2000
    F.add("devices", "one synchronous ioreq (UART scratch read)", d["mmio"][1] / n, "insn",
          b["mmio"][1] / n, note="whole machine; the target, <= 1000, is for HS-mode alone")
    for tag in ("read", "write"):
        sync = d[tag + "_dm"][0] - d["base_dm"][0]
        F.add("devices", "synchronous round trips per virtio-blk request (%s)" % tag,
              sync / d[tag][1], "", None, ("value", "<=", 2))
    F.add("devices", "rivet-dm RSS, Linux DomU with a disk and a serial port", d["dm_rss"], "KiB",
          None, ("value", "<=", 2048))
    if d.get("restart"):
        F.add("devices", "dm restart: largest gap between two disk reads", d["restart"][0] / 1e4, "ms")


def net_figures_add(F, n):
    mb = lambda t: (NET_MIB << 20) / 1e6 / (t / 1e7)   # noqa: E731
    for key, label in (("to_dom0", "TCP DomU -> Dom0"), ("to_domu", "TCP DomU -> DomU"),
                       ("to_dom0_nooff", "TCP DomU -> Dom0, rivet-dm offloads off"),
                       ("dom0_to_host", "TCP Dom0 -> QEMU host (machine NIC)")):
        if n.get(key):
            F.add("net", "%s, %d MiB" % (label, NET_MIB), mb(n[key]), "MB/s")
    if n.get("ping"):
        F.add("net", "ping DomU -> Dom0, average of 20", n["ping"][1], "ms")


SECTIONS = ("micro", "cpu", "linux", "touch", "boot", "dom0", "xlsize", "scale", "devices", "net")
SECTION_HELP = {
    "micro": "null SBI call, vCPU switch, PMU read (one bare-metal guest)",
    "cpu": "a CPU-bound guest under Rivet and bare",
    "linux": "Linux power-on to its init banner under Rivet and bare",
    "touch": "guest memory first touch, 64 MiB",
    "boot": "1, 8 and 16 small boot-time domains at once",
    "dom0": "xl create to a DomU's first line and to Linux's banner; create/destroy cycles",
    "xlsize": "xl create against domain size, and the microvisor's memory for each",
    "scale": "1, 8 and 32 small domains created at once by xl in Dom0",
    "devices": "the device model beside bare QEMU's devices",
    "net": "networking between DomUs, Dom0 and the host",
}
BOOT_SCALE = (1, 8, 16)                     # boot-time domains (RIVET_MAX_BOOT_DOMAINS is 16)
FLAT = 1.25                                 # "flat": per-domain cost at N within this of N = 1


def scale_rows(F, section, n, total, base):
    """Per-domain rows of N domains at once: total / N, and what each domain beyond the first
    added, (total(N) - total(1)) / (N - 1), which is flat when the cost per domain does not
    grow with their number (ratio: to the same figure at the first N > 1). BASE carries
    (total(1), that first figure) from one N to the next."""
    F.add(section, "  per domain (total / %d)" % n, total / n, "ticks")
    if n == 1:
        return (total, None)
    added = (total - base[0]) / (n - 1)
    first = base[1] or added
    F.add(section, "  per domain beyond the first, ratio to %s" % ("itself" if first is added else
                                                                      "the smallest N > 1"),
          added, "ticks", None, ("ratio", "<=", FLAT) if base[1] else None, ratio=added / first)
    return (base[0], first)


class Figures:
    """Every figure of a run: printed as one table and written to results.json."""

    def __init__(self):
        self.rows = []

    def add(self, section, name, value, unit, bare=None, target=None, ratio=None, note=None):
        """target: (what, op, limit) with what "value" or "ratio", op "<=" or ">=", or None.
        ratio: value / bare unless given (scale figures give theirs against N = 1)."""
        if ratio is None and bare:
            ratio = value / bare
        met, text = None, None
        if target:
            what, op, limit = target
            x = ratio if what == "ratio" else value
            if x is not None:
                met = x <= limit if op == "<=" else x >= limit
            text = ("%s %gx" % (op, limit)) if what == "ratio" else ("%s %g %s" % (op, limit, unit))
        # A row whose label is indented belongs to the row above: its name says so, so
        # that every name in results.json is unique and means the same in every run.
        label = name
        if name.startswith("  "):
            name = "%s: %s" % (self.parent, name.strip())
        else:
            self.parent = name
        self.rows.append({"section": section, "name": name, "label": label, "value": value, "unit": unit,
                          "bare": bare, "ratio": ratio, "target": text, "met": met, "note": note})

    def table(self):
        print("\nRivet benchmark figures (QEMU virt, -icount shift=0: 1 instruction = 1 ns; "
              "a tick is 100 ns of the 10 MHz timebase; bare = the same guest on bare QEMU in the "
              "same run; ratio = Rivet / bare unless noted)")
        w = max(len(r["label"]) for r in self.rows)
        print("  %-*s  %14s  %14s  %8s  %-14s  %s" % (w, "figure", "Rivet", "bare", "ratio", "target", ""))
        for r in self.rows:
            print("  %-*s  %14s  %14s  %8s  %-14s  %s" % (
                w, r["label"], fmt(r["value"], r["unit"]), fmt(r["bare"], r["unit"]),
                "" if r["ratio"] is None else "%.3f" % r["ratio"], r["target"] or "",
                {True: "met", False: "MISSED", None: ""}[r["met"]] + (" (%s)" % r["note"] if r["note"] else "")))

    def write(self, path):
        with open(path, "w") as f:
            json.dump({"format": 1, "qemu": qemu_version(), "figures": self.rows}, f, indent=1)
            f.write("\n")


def fmt(v, unit):
    if v is None:
        return "-"
    if isinstance(v, float) and not v.is_integer():
        return "%.2f %s" % (v, unit)
    return "%d %s" % (v, unit)


def qemu_version():
    p = subprocess.run(["qemu-system-riscv64", "--version"], capture_output=True, text=True)
    return p.stdout.split("\n")[0]


def compare(a_path, b_path):
    """Prints every figure of two results.json files and the ratio B / A."""
    a, b = [{r["name"]: r for r in json.load(open(p))["figures"]} for p in (a_path, b_path)]
    names = list(a) + [n for n in b if n not in a]
    w = max(len(n) for n in names)
    print("  %-*s  %16s  %16s  %8s" % (w, "figure", "A", "B", "B/A"))
    for n in names:
        va, vb = a.get(n, {}).get("value"), b.get(n, {}).get("value")
        unit = (a.get(n) or b.get(n))["unit"]
        print("  %-*s  %16s  %16s  %8s" % (w, n, fmt(va, unit), fmt(vb, unit),
                                           "%.3f" % (vb / va) if va and vb is not None else "-"))
    print("A: %s\nB: %s" % (a_path, b_path))
    return 0


def main():
    ap = argparse.ArgumentParser(description="Rivet's benchmarks (docs/bench.md)")
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", action="append", default=[], metavar="SECTION",
                    help="run only these sections (repeat, or comma-separate): " +
                    "; ".join("%s: %s" % kv for kv in SECTION_HELP.items()))
    ap.add_argument("--only-devices", action="store_true", help="same as --only devices")
    ap.add_argument("--only-net", action="store_true", help="same as --only net")
    ap.add_argument("--json", help="where to write the figures (default BUILD/bench/results.json)")
    ap.add_argument("--compare", nargs=2, metavar=("A", "B"),
                    help="print the figures of two results.json files and the ratios B/A; runs nothing")
    args = ap.parse_args()
    if args.compare:
        return compare(*args.compare)
    only = [x for o in args.only for x in o.split(",") if x]
    only += ["devices"] if args.only_devices else []
    only += ["net"] if args.only_net else []
    bad = [x for x in only if x not in SECTIONS]
    if bad:
        ap.error("no section %s (sections: %s)" % (", ".join(bad), ", ".join(SECTIONS)))
    run = set(only or SECTIONS)
    build = os.path.join(ROOT, args.build)
    out = os.path.join(build, "bench")
    os.makedirs(out, exist_ok=True)
    mk = os.path.join(build, "host", "mkimage")
    uvm = os.path.join(build, "microvisor", "rivet.bin")
    guests = os.path.join(build, "guests")
    F = Figures()
    ref = {}

    def image(name, cfgs):
        img = os.path.join(out, name + ".img")
        subprocess.run([mk, "-o", img, "-u", uvm] + [c if os.path.isabs(c) else
                                                     os.path.join(ROOT, "guests", "configs", c + ".cfg")
                                                     for c in cfgs], check=True)
        return img

    linux_dir = os.path.join(build, "linux")
    banner = r"Rivet domain linux: Linux [^\n]*up at tick (\d+)"
    bare_dtb = os.path.join(out, "bare-virt.dtb")
    bare_linux = ["-dtb", bare_dtb, "-initrd", os.path.join(linux_dir, "rootfs.cpio"),
                  "-append", "console=hvc0 earlycon=sbi quiet"]

    def bare_linux_ticks():
        """The same kernel and initramfs on bare QEMU to its banner (run once)."""
        if "linux" not in ref:
            # QEMU puts a fresh rng-seed in its device tree at every boot, which changes
            # Linux's path through boot; a dumped tree without it makes runs repeat exactly.
            subprocess.run(["qemu-system-riscv64", "-M", "virt,dumpdtb=" + bare_dtb, "-cpu", "rv64",
                            "-smp", "2", "-m", "128M", "-nographic"], check=True, capture_output=True)
            subprocess.run(["fdtput", "-d", bare_dtb, "/chosen", "rng-seed"], check=True)
            lb = boot(os.path.join(linux_dir, "Image"), smp=2, mem="128M", timeout=300,
                      until="up at tick", extra=ICOUNT + bare_linux)
            ref["linux"], = grab(lb, banner, "Linux banner on bare QEMU")
        return ref["linux"]

    def bare_stamp_ticks():
        if "stamp" not in ref:
            sb = boot(os.path.join(guests, "stamp.elf"), smp=1, timeout=60, extra=ICOUNT)
            ref["stamp"], = grab(sb, r"stamp from vcpu 0 at tick (\d+)", "bare stamp line")
        return ref["stamp"]

    if "micro" in run:
        micro = boot(image("bench", ["bench"]), smp=1, timeout=120, extra=ICOUNT)
        null_rivet, = grab(micro, r"\[bench\] bench: null sbi call: (\d+) instructions", "null call")
        switch, = grab(micro, r"\[bench\] bench: vcpu switch: (\d+) instructions", "vcpu switch")
        switch_sta, = grab(micro, r"\[bench\] bench: vcpu switch with steal time: (\d+) instructions",
                           "vcpu switch with STA")
        bare = boot(os.path.join(guests, "bench.elf"), smp=1, timeout=120, extra=ICOUNT)
        null_bare, = grab(bare, r"bench: null sbi call: (\d+) instructions", "bare null call")
        pmu_rivet, = grab(micro, r"\[bench\] bench: pmu counter read: (\d+) instructions", "pmu counter read")
        pmu_bare, = grab(bare, r"bench: pmu counter read: (\d+) instructions", "bare pmu counter read")
        F.add("micro", "null SBI call round trip", null_rivet, "insn", null_bare, ("value", "<=", 100),
              note="bare: OpenSBI")
        F.add("micro", "vCPU switch (IPI ping-pong, one hart)", switch, "insn", None, ("value", "<=", 300))
        F.add("micro", "vCPU switch with SBI STA records", switch_sta, "insn")
        # The scheduler's decision: the same ping-pong through the whole run-queue scan (a cap
        # that never binds turns the directed yield off), with 2 and with 8 vCPUs on the hart.
        scan = {}
        for n in (2, 8):
            sr = boot(image("benchscan%d" % n, ["benchscan%d" % n]), smp=1, timeout=120, extra=ICOUNT)
            scan[n], = grab(sr, r"\[benchscan\] bench: vcpu switch: (\d+) instructions", "scan switch %d" % n)
        F.add("micro", "vCPU switch through the scan, 2 vCPUs", scan[2], "insn")
        F.add("micro", "vCPU switch through the scan, 8 vCPUs", scan[8], "insn")
        F.add("micro", "scheduler decision, per vCPU on the hart", (scan[8] - scan[2]) // 6, "insn")
        F.add("micro", "SBI PMU counter read (instret)", pmu_rivet, "insn", pmu_bare,
              note="bare: a direct CSR read")

    if "cpu" in run:
        cpu_img = image("cpubench", ["cpubench"])
        rivet = boot(cpu_img, smp=1, timeout=300, extra=ICOUNT)
        t_rivet, i_rivet = grab(rivet, r"\[cpubench\] cpubench: (\d+) ticks, (\d+) instructions", "cpubench")
        direct = boot(os.path.join(guests, "cpubench.elf"), smp=1, timeout=300, extra=ICOUNT)
        t_bare, i_bare = grab(direct, r"cpubench: (\d+) ticks, (\d+) instructions", "bare cpubench")
        wall_rivet = boot(cpu_img, smp=1, timeout=300)
        w_rivet, _ = grab(wall_rivet, r"\[cpubench\] cpubench: (\d+) ticks, (\d+)", "cpubench (wall)")
        wall_bare = boot(os.path.join(guests, "cpubench.elf"), smp=1, timeout=300)
        w_bare, _ = grab(wall_bare, r"cpubench: (\d+) ticks, (\d+)", "bare cpubench (wall)")
        F.add("cpu", "CPU-bound guest", t_rivet, "ticks", t_bare)
        F.add("cpu", "CPU-bound guest, instructions retired", i_rivet, "insn", i_bare)
        F.add("cpu", "CPU-bound guest, wall clock (varies)", w_rivet, "ticks", w_bare)

    if "linux" in run:
        linux_img = os.path.join(out, "linux.img")
        subprocess.run([mk, "-o", linux_img, "-u", uvm, os.path.join(ROOT, "guests", "linux", "linux.cfg")],
                       check=True)
        lr = boot(linux_img, smp=2, mem="512M", timeout=300, until="up at tick", extra=ICOUNT)
        lr_t, = grab(lr, banner, "Linux banner under Rivet")
        overhead, = grab(lr, r'"linux": 128 MiB[^\n]* overhead (\d+) KiB', "domain overhead")
        lb_t = bare_linux_ticks()
        lw = boot(linux_img, smp=2, mem="512M", timeout=300, until="up at tick")
        lbw = boot(os.path.join(linux_dir, "Image"), smp=2, mem="128M", timeout=300, until="up at tick",
                   extra=bare_linux)
        F.add("linux", "Linux 6.12 (2 vCPUs, 128 MiB) power-on to init banner", lr_t, "ticks", lb_t,
              ("ratio", "<=", 1.10))
        F.add("linux", "  the same, wall clock (varies)", lw.seconds, "s", lbw.seconds)
        F.add("linux", "  microvisor memory for it beyond its RAM", overhead, "KiB")

    if "touch" in run:
        tr = boot(image("touch", ["touch"]), smp=1, mem="512M", timeout=120, extra=ICOUNT)
        tb = boot(os.path.join(guests, "touch.elf"), smp=1, mem="256M", timeout=120, extra=ICOUNT)
        for what, label in (("pages", "a word per 4 KiB page"), ("words", "then every 8-byte word")):
            pat = r"touch: %s: \d+ \w+, (\d+) ticks, (\d+) instructions" % what
            (rt, ri), (bt, bi) = grab(tr, r"\[touch\] " + pat, "touch " + what), grab(tb, pat, "bare touch")
            F.add("touch", "first touch of 64 MiB, %s" % label, rt, "ticks", bt, ("ratio", "<=", 2.0))
            F.add("touch", "  its instructions", ri, "insn", bi)

    if "boot" in run:
        base = None
        for n in BOOT_SCALE:
            cfgs = []
            for i in range(n):
                c = os.path.join(out, "boot-k%d.cfg" % i)
                with open(c, "w") as f:
                    f.write('name = "k%d"\nmemory = 16\nvcpus = 1\nkernel = "%s"\n'
                            % (i, os.path.join(guests, "stamp.elf")))
                cfgs.append(c)
            r = boot(image("boot%d" % n, cfgs), smp=2, mem="1G", timeout=300, extra=ICOUNT)
            ticks = [int(t) for t in re.findall(r"\[k\d+\] stamp from vcpu 0 at tick (\d+)", r.output)]
            if len(ticks) != n:
                sys.exit("bench: %d of %d boot-time domains printed their first line:\n%s"
                         % (len(ticks), n, r.output[-3000:]))
            over = sum(int(x) for x in re.findall(r'"k\d+": 16 MiB[^\n]* overhead (\d+) KiB', r.output))
            F.add("boot", "%d boot-time domain(s) (16 MiB) to all first lines" % n, max(ticks), "ticks",
                  bare_stamp_ticks() if n == 1 else None, note="bare: one, power-on to it" if n == 1 else None)
            base = scale_rows(F, "boot", n, max(ticks), base)
            F.add("boot", "  microvisor memory for them beyond their RAM", over, "KiB")

    dom0_sections = run & {"dom0", "xlsize", "scale"}
    if dom0_sections:
        dom0 = dom0_figures(build, dom0_sections)
        tb = dom0["timebase"]
        if "dom0" in run:
            F.add("dom0", "xl create to a bare-metal DomU's first line (16 MiB)", dom0["hello_ticks"],
                  "ticks", bare_stamp_ticks(), note="bare: power-on to that line")
            F.add("dom0", "  xl create's own run", dom0["hello_xl"], "ticks")
            F.add("dom0", "xl create to the Linux DomU's banner (128 MiB)", dom0["linux_ticks"], "ticks",
                  bare_linux_ticks(), ("ratio", "<=", 1.3), note="bare: power-on to the banner")
            F.add("dom0", "  xl create's own run", dom0["linux_xl"], "ticks")
            F.add("dom0", "  the same, wall clock (varies)", dom0["linux_wall"], "s")
            F.add("dom0", "  microvisor memory for it beyond its RAM", dom0["domu_overhead"], "KiB")
            F.add("dom0", "rivet-consoled RSS", dom0["consoled_rss"], "KiB")
            F.add("dom0", "xl create + xl destroy, 16 MiB bare-metal DomU (of %d)" % CYCLES,
                  dom0["cycle_ticks"], "ticks")
            F.add("dom0", "  memory lost over the cycles", dom0["cycle_lost"], "bytes", None,
                  ("value", "<=", 0))
            print("xl create of the Linux DomU, its phases (RIVET_XL_TRACE=1, Dom0's clock):")
            for l in dom0["linux_trace"]:
                print("  " + l)
        for mib, ticks, xl, over in dom0.get("xlsize", []):
            F.add("xlsize", "xl create to first line, %d MiB DomU" % mib, ticks, "ticks")
            F.add("xlsize", "  xl create's own run", xl, "ticks")
            F.add("xlsize", "  microvisor memory for it beyond its RAM", over, "KiB")
        for mib, lost in dom0.get("xlsize_lost", []):
            F.add("xlsize", "  memory lost after the %d MiB DomU ended" % mib, lost, "bytes", None,
                  ("value", "<=", 0))
        base = None
        for n, ticks, over, runs in dom0.get("scale", []):
            F.add("scale", "xl create of %d DomU(s) (16 MiB) to all first lines" % n, ticks, "ticks",
                  note="median of %s" % ", ".join(str(r) for r in runs))
            base = scale_rows(F, "scale", n, ticks, base)
            F.add("scale", "  microvisor memory for them beyond their RAM", over, "KiB")

    if "devices" in run:
        dev_bare, dev_dom0 = bare_dev_figures(build, out), dom0_dev_figures(build)
        device_report(dev_bare, dev_dom0)
        device_figures(F, dev_bare, dev_dom0)
    if "net" in run:
        net = net_figures(build)
        net_report(net)
        net_figures_add(F, net)

    F.table()
    path = args.json or os.path.join(out, "results.json")
    F.write(path)
    print("figures written to %s (compare two runs: make bench-compare A=old.json B=new.json)"
          % os.path.relpath(path))
    if "dom0" in run and (dom0["cycle_lost"] != 0 or dom0["cycles_ok"] != CYCLES):
        print("FAIL: bench: %d of %d create/destroy cycles succeeded and %d bytes of free memory "
              "are gone: every cycle must succeed and give back every byte"
              % (dom0["cycles_ok"], CYCLES, dom0["cycle_lost"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
