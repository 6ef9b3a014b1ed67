#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench.py: prints Rivet's performance figures. Under QEMU -icount the guest-visible
instruction counts and time are deterministic; wall-clock figures are labelled as such."""
import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu import boot  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICOUNT = ["-icount", "shift=0,sleep=off"]   # 1 insn = 1 ns; idle time skipped, so runs repeat exactly
ICOUNT_SLEEP = ["-icount", "shift=0,sleep=on"]  # idle time follows the host's: bare QEMU's disk
CYCLES = 1000                               # xl create + xl destroy cycles in Dom0


def grab(run, pattern, what):
    m = re.search(pattern, run.output)
    if not m:
        sys.exit("bench: no %s in the output:\n%s" % (what, run.output[-3000:]))
    return [int(g) for g in m.groups()]


def dom0_figures(build):
    """Boots Dom0 under -icount and times xl create from Dom0's own clock (rdtime)."""
    from qemu import Session
    p = subprocess.run(["make", "-s", "image", "DOM0=y", "BUILD=" + os.path.relpath(build, ROOT)],
                       cwd=ROOT, capture_output=True, text=True)
    if p.returncode:
        sys.exit("bench: make image DOM0=y failed:\n" + p.stderr[-2000:])
    img = os.path.join(build, "bench", "dom0.img")
    os.replace(os.path.join(build, "rivet.img"), img)
    prompt = "Domain-0:/# "
    res = {}
    with Session(img, smp=2, mem="1G", extra=ICOUNT) as s:
        s.expect(prompt, 600)

        def sh(cmd):
            s.send(cmd + "\n")
            return s.expect(prompt, 600).replace("\r", "")

        def ticks(out, what):
            m = re.search(r"^T(\d+)$", out, re.M)
            if not m:
                sys.exit("bench: no %s in:\n%s" % (what, out))
            return int(m.group(1))

        t0 = time.monotonic()
        sh("printf 'name = \"stamp\"\\nmemory = 16\\nkernel = \"/usr/lib/rivet/guests/stamp.elf\"\\n' > /tmp/stamp.cfg")
        out = sh("a=$(rdtime); xl create -q /tmp/stamp.cfg; "
                 "until grep -q 'at tick' /var/log/rivet/console/stamp.log 2>/dev/null; do :; done; "
                 "b=$(sed -n 's/.*at tick \\([0-9]*\\).*/\\1/p' /var/log/rivet/console/stamp.log); "
                 "echo T$((b - a))")
        res["hello_wall"] = time.monotonic() - t0
        res["hello_ticks"] = ticks(out, "hello timing")
        t0 = time.monotonic()
        out = sh("a=$(rdtime); xl create -q /etc/rivet/examples/linux.cfg; "
                 "until grep -q 'up at tick' /var/log/rivet/console/linux.log 2>/dev/null; do :; done; "
                 "b=$(sed -n 's/.*up at tick \\([0-9]*\\).*/\\1/p' /var/log/rivet/console/linux.log); "
                 "echo T$((b - a))")
        res["linux_wall"] = time.monotonic() - t0
        res["linux_ticks"] = ticks(out, "Linux DomU timing")
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
        out = sh("sleep 1; rivet-hcstress free")
        before = ticks(out.replace("free_bytes ", "T"), "free memory before the cycles")
        t0 = time.monotonic()
        # A name per cycle: xl destroy does not wait for the domain to be gone.
        out = sh("n=0; a=$(rdtime); for i in $(seq %d); do xl create -q /tmp/cyc.cfg name=c$i && "
                 "xl destroy c$i && n=$((n+1)); done; b=$(rdtime); echo T$((b - a)); echo N$n" % CYCLES)
        res["cycle_wall"] = (time.monotonic() - t0) / CYCLES
        res["cycle_ticks"] = ticks(out, "create/destroy timing") / CYCLES
        m = re.search(r"^N(\d+)$", out, re.M)
        res["cycles_ok"] = int(m.group(1)) if m else -1
        out = sh("sleep 1; rivet-hcstress free")
        res["cycle_lost"] = before - ticks(out.replace("free_bytes ", "T"), "free memory after the cycles")
        out = sh("xl info | sed -n 's/^timebase_hz *: */T/p'")
        res["timebase"] = ticks(out, "the timebase")
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
    img = os.path.join(build, "bench", "dom0.img")
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
    img = os.path.join(build, "bench", "dom0.img")
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only-devices", action="store_true",
                    help="only the device-model figures (Dom0's image must be built)")
    ap.add_argument("--only-net", action="store_true",
                    help="only the networking figures (Dom0's image must be built)")
    args = ap.parse_args()
    build = os.path.join(ROOT, args.build)
    out = os.path.join(build, "bench")
    os.makedirs(out, exist_ok=True)
    mk = os.path.join(build, "host", "mkimage")
    uvm = os.path.join(build, "microvisor", "rivet.bin")
    guests = os.path.join(build, "guests")

    def image(name, cfgs):
        img = os.path.join(out, name + ".img")
        subprocess.run([mk, "-o", img, "-u", uvm] + [os.path.join(ROOT, "guests", "configs", c + ".cfg")
                                                     for c in cfgs], check=True)
        return img

    if args.only_net:
        net_report(net_figures(build))
        return 0
    if args.only_devices:
        device_report(bare_dev_figures(build, out), dom0_dev_figures(build))
        return 0

    micro = boot(image("bench", ["bench"]), smp=1, timeout=120, extra=ICOUNT)
    null_rivet, = grab(micro, r"\[bench\] bench: null sbi call: (\d+) instructions", "null call")
    switch, = grab(micro, r"\[bench\] bench: vcpu switch: (\d+) instructions", "vcpu switch")
    switch_sta, = grab(micro, r"\[bench\] bench: vcpu switch with steal time: (\d+) instructions",
                       "vcpu switch with STA")
    bare = boot(os.path.join(guests, "bench.elf"), smp=1, timeout=120, extra=ICOUNT)
    null_bare, = grab(bare, r"bench: null sbi call: (\d+) instructions", "bare null call")
    pmu_rivet, = grab(micro, r"\[bench\] bench: pmu counter read: (\d+) instructions", "pmu counter read")
    pmu_bare, = grab(bare, r"bench: pmu counter read: (\d+) instructions", "bare pmu counter read")

    cpu_img = image("cpubench", ["cpubench"])
    rivet = boot(cpu_img, smp=1, timeout=300, extra=ICOUNT)
    t_rivet, i_rivet = grab(rivet, r"\[cpubench\] cpubench: (\d+) ticks, (\d+) instructions", "cpubench")
    direct = boot(os.path.join(guests, "cpubench.elf"), smp=1, timeout=300, extra=ICOUNT)
    t_bare, i_bare = grab(direct, r"cpubench: (\d+) ticks, (\d+) instructions", "bare cpubench")
    wall_rivet = boot(cpu_img, smp=1, timeout=300)
    w_rivet, _ = grab(wall_rivet, r"\[cpubench\] cpubench: (\d+) ticks, (\d+)", "cpubench (wall)")
    wall_bare = boot(os.path.join(guests, "cpubench.elf"), smp=1, timeout=300)
    w_bare, _ = grab(wall_bare, r"cpubench: (\d+) ticks, (\d+)", "bare cpubench (wall)")

    linux_dir = os.path.join(build, "linux")
    banner = r"Rivet domain linux: Linux [^\n]*up at tick (\d+)"
    linux_img = os.path.join(out, "linux.img")
    subprocess.run([mk, "-o", linux_img, "-u", uvm, os.path.join(ROOT, "guests", "linux", "linux.cfg")],
                   check=True)
    # QEMU puts a fresh rng-seed in its device tree at every boot, which changes
    # Linux's path through boot; a dumped tree without it makes runs repeat exactly.
    bare_dtb = os.path.join(out, "bare-virt.dtb")
    subprocess.run(["qemu-system-riscv64", "-M", "virt,dumpdtb=" + bare_dtb, "-cpu", "rv64",
                    "-smp", "2", "-m", "128M", "-nographic"], check=True, capture_output=True)
    subprocess.run(["fdtput", "-d", bare_dtb, "/chosen", "rng-seed"], check=True)
    bare_linux = ["-dtb", bare_dtb, "-initrd", os.path.join(linux_dir, "rootfs.cpio"),
                  "-append", "console=hvc0 earlycon=sbi quiet"]
    lr = boot(linux_img, smp=2, mem="512M", timeout=300, until="up at tick", extra=ICOUNT)
    lr_t, = grab(lr, banner, "Linux banner under Rivet")
    overhead, = grab(lr, r'"linux": 128 MiB[^\n]* overhead (\d+) KiB', "domain overhead")
    lb = boot(os.path.join(linux_dir, "Image"), smp=2, mem="128M", timeout=300, until="up at tick",
              extra=ICOUNT + bare_linux)
    lb_t, = grab(lb, banner, "Linux banner on bare QEMU")
    lw = boot(linux_img, smp=2, mem="512M", timeout=300, until="up at tick")
    lbw = boot(os.path.join(linux_dir, "Image"), smp=2, mem="128M", timeout=300, until="up at tick",
               extra=bare_linux)

    sb = boot(os.path.join(guests, "stamp.elf"), smp=1, timeout=60, extra=ICOUNT)
    stamp_bare, = grab(sb, r"stamp from vcpu 0 at tick (\d+)", "bare stamp line")
    dom0 = dom0_figures(build)
    dev_bare = bare_dev_figures(build, out)
    dev_dom0 = dom0_dev_figures(build)
    net = net_figures(build)

    print("Rivet benchmarks (QEMU virt, -icount shift=0 unless marked wall-clock)")
    print("  null SBI call round trip, from the guest: %6d instructions" % null_rivet)
    print("    same call to OpenSBI on bare QEMU:      %6d instructions" % null_bare)
    print("  vCPU switch (IPI ping-pong on one hart):  %6d instructions" % switch)
    print("    with SBI STA records (steal-time update): %4d instructions (+%d)"
          % (switch_sta, switch_sta - switch))
    print("  SBI PMU counter read (instret, trapped):  %6d instructions" % pmu_rivet)
    print("    same read on bare QEMU (direct CSR):    %6d instructions" % pmu_bare)
    print("  CPU-bound guest: %d ticks under Rivet, %d bare: ratio %.4f" % (t_rivet, t_bare, t_rivet / t_bare))
    print("    its instructions retired: %d under Rivet, %d bare" % (i_rivet, i_bare))
    print("  CPU-bound guest, wall-clock (varies run to run): ratio %.3f" % (w_rivet / w_bare))
    print("  Linux 6.12 (2 vCPUs, 128 MiB) power-on to init banner: %d ticks under Rivet, %d bare: ratio %.3f"
          % (lr_t, lb_t, lr_t / lb_t))
    print("    wall-clock (varies): %.2f s under Rivet, %.2f s bare: ratio %.2f"
          % (lw.seconds, lbw.seconds, lw.seconds / lbw.seconds))
    print("  microvisor memory for that domain beyond its RAM (tables, vCPUs, domain): %d KiB" % overhead)
    print("  Dom0 (2 vCPUs, 256 MiB) on 2 harts:")
    print("    xl create to the bare-metal domain's first console line: %d ticks (wall %.2f s); "
          "ratio to a bare QEMU boot of it to that line: %.3f"
          % (dom0["hello_ticks"], dom0["hello_wall"], dom0["hello_ticks"] / stamp_bare))
    print("    xl create to the Linux DomU's init banner: %d ticks (wall %.2f s); ratio to a bare "
          "QEMU boot of the same kernel to its banner: %.3f"
          % (dom0["linux_ticks"], dom0["linux_wall"], dom0["linux_ticks"] / lb_t))
    print("    console daemon RSS: %d KiB; microvisor overhead of that DomU: %d KiB"
          % (dom0["consoled_rss"], dom0["domu_overhead"]))
    print("    xl create + xl destroy of a 16 MiB bare-metal domain, %d cycles: %d ticks (%.1f ms) per cycle "
          "(wall %.2f s); memory lost: %d bytes"
          % (CYCLES, dom0["cycle_ticks"], dom0["cycle_ticks"] * 1000.0 / dom0["timebase"],
             dom0["cycle_wall"], dom0["cycle_lost"]))
    device_report(dev_bare, dev_dom0)
    net_report(net)
    if dom0["cycle_lost"] != 0 or dom0["cycles_ok"] != CYCLES:
        print("FAIL: bench: %d of %d create/destroy cycles succeeded and %d bytes of free memory "
              "are gone: every cycle must succeed and give back every byte"
              % (dom0["cycles_ok"], CYCLES, dom0["cycle_lost"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
