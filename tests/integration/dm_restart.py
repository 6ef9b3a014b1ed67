# SPDX-License-Identifier: MIT
"""Device-model restart (docs/dm.md "Restart"): rivet-dm killed with SIGKILL or replaced with
xl dm-restart while its DomU works, and the DomU carries on without noticing. One Dom0 boot:
a bare-metal DomU whose PLIC and UART registers must read the same after two restarts, state
files that are not the domain's refused, then a Linux DomU writing and reading back its disk
in a loop across four kills and two xl dm-restarts while its virtio console (hvc1) keeps
printing, and answers typed input afterwards; then a Linux DomU on the bridge sending 16 MiB
over TCP to Dom0 across two kills (the same persistent tap, the md5 the same on both ends)."""
import re

from integration import test
from integration.dom0_xl import boot_dom0, free_mib, linux_console, sh, wait_gone
from integration.dom0_xl import write_cfg as dom0_cfg
from integration.devices_hostile import check_dm_stopped_cleanly
from integration.linux_guest import dom0_image
from integration.network import DOM0_IP, console, make_data, net_cfg, taps, wait_booted

D0_GUESTS = "/usr/lib/rivet/guests"
D0_LINUX = "/usr/lib/rivet/linux"
LIN_CFG = ('name = "lin"\nmemory = 128\nvcpus = 2\nkernel = "%s/Image"\nramdisk = "%s/rootfs.cpio"\n'
           'extra = "console=ttyS0 quiet"\ndisk = [ "/tmp/lin.img,raw,xvda,rw" ]\nserial = "pty"\n'
           'console = "virtio"\non_dm_crash = "restart"\n' % (D0_LINUX, D0_LINUX))
# On hvc1 (its shell: /etc/init.d/vconsole) while the disk loop runs: a line every 0.1 s.
TICKER = ("(i=0; while [ ! -e /tmp/loop.out ]; do i=$((i+1)); echo vc-tick-$i; sleep 0.1; done; "
          "echo vc-ticker-done-$i) & echo ti''cking")
NET_CFG = net_cfg("netr", "10.0.3.2", '"bridge=rbr0"') + 'on_dm_crash = "restart"\n'
NET_PORT = 5001
# The DomU's 16 MiB in 64 pieces of 256 KiB, 0.1 s apart: the transfer lasts past both kills.
NET_SEND = ("(for i in $(seq 0 63); do dd if=/tmp/data bs=256k skip=$i count=1 2>/dev/null; sleep 0.1; done "
            "| nc %s %d > /tmp/send.out 2>&1; echo nc-rc=$? >> /tmp/send.out) &" % (DOM0_IP, NET_PORT))
REGS_CFG = ('name = "dmregs"\nmemory = 16\nkernel = "%s/dmregs.elf"\nserial = "pty"\n'
            'on_dm_crash = "restart"\n' % D0_GUESTS)

# ~0.9 MB of known data (seq 1 150000), written to and read back from 12 places of the disk.
# Writes and reads back until /tmp/stop appears (at most %d rounds): however fast the DomU's
# disk is, the loop is still running when the test has done all its kills and restarts.
LOOP = ("seq 1 150000 > /tmp/src; S=$(md5sum < /tmp/src | cut -c1-32); N=$(wc -c < /tmp/src); "
        "err=0; bad=0; i=0; while [ ! -e /tmp/stop ] && [ $i -lt %d ]; do i=$((i+1)); o=$(( (i %% 12 + 1) * 20 )); "
        "dd if=/tmp/src of=/dev/vda bs=64k seek=$o conv=fsync 2>/dev/null || err=$((err+1)); "
        "echo 3 > /proc/sys/vm/drop_caches; "
        "R=$(dd if=/dev/vda bs=64k skip=$o count=16 2>/dev/null | head -c $N | md5sum | cut -c1-32); "
        "[ \"$R\" = \"$S\" ] || bad=$((bad+1)); done; "
        "echo \"loop-done n=$i err=$err bad=$bad sum=$S\" > /tmp/loop.out")


def dm_pid(s):
    out = sh(s, "pidof rivet-dm; echo rc=$?")
    m = re.search(r"^(\d+)\s*$", out, re.M)
    return m.group(1) if m else None


def kill_and_wait_successor(s, delay):
    """SIGKILL the (only) rivet-dm after DELAY seconds; the supervisor's successor must serve."""
    out = sh(s, "p=$(pidof rivet-dm); sleep %s; kill -9 $p; for j in $(seq 150); do q=$(pidof rivet-dm); "
                "[ -n \"$q\" ] && [ \"$q\" != \"$p\" ] && break; sleep 0.1; done; echo \"dm $p -> $q\"" % delay,
             timeout=60)
    m = re.search(r"dm (\d+) -> (\d+)", out)
    assert m and m.group(1) != m.group(2), "no new rivet-dm after a kill:\n" + out
    return out


@test
def dm_restart_keeps_registers_and_disk_io_going():
    """rivet-dm killed (SIGKILL, restarted by the supervisor of on_dm_crash = "restart") and
    replaced (xl dm-restart) under a bare-metal DomU and under a Linux DomU's disk loop: the
    registers read back the same, the loop finishes with the right checksums and no I/O error,
    the shell still answers; the DomU's virtio console, printing all along, is never stopped
    and still takes input; stale or foreign state files are refused with one clear line."""
    with boot_dom0(dom0_image("dom0"), 2) as s:
        before = free_mib(s)
        # ---- registers: a bare-metal DomU reads its PLIC and UART before and after ----
        dom0_cfg(s, "/tmp/dmregs.cfg", REGS_CFG)
        out = sh(s, "xl create /tmp/dmregs.cfg; echo rc=$?", timeout=60)
        assert "rc=0" in out, out
        out = sh(s, "for i in $(seq 100); do grep -q 'dmregs: written' /var/log/rivet/console/dmregs.log "
                    "&& break; sleep 0.1; done; grep -c 'dmregs: written' /var/log/rivet/console/dmregs.log")
        assert re.search(r"^1$", out, re.M), out
        domid = re.search(r"^dmregs\s+(\d+)", sh(s, "xl list dmregs"), re.M).group(1)
        state = "/run/rivet/dm/%s.state" % domid
        sh(s, "cp %s /tmp/stale.state" % state)
        kill_and_wait_successor(s, 0)
        out = sh(s, "xl dm-restart dmregs; echo rc=$?", timeout=60)
        assert "rc=0" in out, out
        wait_gone(s, "dmregs")   # it powers off after its wait
        log = sh(s, "cat /var/log/rivet/console/dmregs.log")
        m1 = re.search(r"dmregs: before: (.*)", log)
        m2 = re.search(r"dmregs: after: (.*)", log)
        assert m1 and m2, log
        assert m1.group(1).strip() == m2.group(1).strip(), log
        assert "scr=5a lcr=1b ier=04 div=0134 prio1=3 prio10=5 enable=00000482 threshold=2" in m1.group(1), log
        dmlog = sh(s, "cat /var/log/rivet/dm/dmregs.log")
        assert "after the old device model died (recovered)" in dmlog, dmlog
        assert "after an orderly stop" in dmlog, dmlog
        out = sh(s, "ls /run/rivet/dm/; echo rc=$?")
        assert "%s.state" % domid not in out, "the state file outlived its domain:\n" + out

        # ---- state files that are not this life's ----
        base = ("rivet-dm --domid %s --name dmregs --vcpus 1 --ram-base 0x80000000 --ram-size 16777216 "
                "--serial --foreground --ready-fd 1 --resume" % domid)
        out = sh(s, "%s --instance 0x1 --state /tmp/stale.state 2>/dev/null; echo rc=$?" % base)
        assert "error: /tmp/stale.state: the state file belongs to an earlier life of domain %s" % domid in out, out
        assert "rc=1" in out, out
        other = base.replace("--domid %s" % domid, "--domid 99")
        out = sh(s, "%s --state /tmp/stale.state 2>/dev/null" % other)
        assert ("error: /tmp/stale.state: the state file belongs to domain %s (dmregs), not to domain 99 (dmregs)"
                % domid) in out, out
        out = sh(s, "head -c 8388608 /dev/zero > /tmp/zero.state; %s --state /tmp/zero.state 2>/dev/null; "
                    "%s --state /tmp/none.state 2>/dev/null" % (base, base))
        assert "error: /tmp/zero.state: not a rivet-dm state file" in out, out
        assert "error: no state to resume from: /tmp/none.state" in out, out

        # ---- a Linux DomU's disk loop across kills and restarts ----
        sh(s, "dd if=/dev/zero of=/tmp/lin.img bs=1M count=24 2>/dev/null")
        dom0_cfg(s, "/tmp/lin.cfg", LIN_CFG)
        out = sh(s, "xl create /tmp/lin.cfg; echo rc=$?", timeout=120)
        assert "rc=0" in out, out
        linux_console(s, "lin", "(%s) & echo lo''oping" % (LOOP % 2000), "looping")
        linux_console(s, "lin", TICKER, "ticking", opts="-t pv")
        kills = [kill_and_wait_successor(s, d) for d in ("0.5", "1.3", "0.2")]
        out = sh(s, "sleep 0.7; xl dm-restart lin; echo rc=$?", timeout=60)
        assert "rc=0" in out, out
        kills.append(kill_and_wait_successor(s, "0.4"))
        # Every kill and restart landed while the loop ran (it is still running now). On the
        # serial console alone: in the all-consoles view the ticker's lines may cut these.
        linux_console(s, "lin", "[ -e /tmp/loop.out ] && echo lo''op-ended-early || "
                      "{ touch /tmp/stop; echo lo''op-still-running; }", "loop-still-running", opts="-t serial")
        linux_console(s, "lin", "while [ ! -e /tmp/loop.out ]; do sleep 1; done; cat /tmp/loop.out",
                      "loop-done", opts="-t serial")
        linux_console(s, "lin", "cat /tmp/loop.out; dmesg | grep -ci -e 'i/o error' -e 'blk_update' "
                      "-e 'timed out' | sed 's/^/er''rs=/'", "errs=", opts="-t serial")
        # (er''rs: the typed command's echo must not look like its answer.) The log lags a little.
        out = sh(s, "for i in $(seq 50); do grep -q '^errs=' /var/log/rivet/console/lin.log && break; "
                    "sleep 0.2; done; tail -c 3000 /var/log/rivet/console/lin.log")
        m = re.search(r"loop-done n=(\d+) err=(\d+) bad=(\d+) sum=([0-9a-f]{32})", out)
        assert m, "no loop result:\n" + out
        assert m.group(2) == "0" and m.group(3) == "0", "the loop saw errors:\n" + out
        assert int(m.group(1)) >= 5, "the loop ran only %s rounds:\n%s" % (m.group(1), out)
        assert re.search(r"errs=0\b", out), "the DomU's kernel noticed:\n" + out
        # The virtio console printed through every kill and restart, and still takes input.
        out = sh(s, "for i in $(seq 50); do grep -q 'vc-ticker-done-[0-9]' /var/log/rivet/console/lin.log && break; "
                    "sleep 0.2; done; grep -c 'vc-ticker-done-[0-9]' /var/log/rivet/console/lin.log")
        assert re.search(r"^1$", out, re.M), sh(s, "tail -c 2000 /var/log/rivet/console/lin.log")
        linux_console(s, "lin", "echo vc-after-$(tty)", "vc-after-/dev/hvc1", opts="-t pv")
        dmlog = sh(s, "grep -c 'needs a reset' /var/log/rivet/dm/lin.log; "
                      "grep -c 'virtio console: connected' /var/log/rivet/dm/lin.log")
        counts = re.findall(r"^(\d+)\s*$", dmlog, re.M)
        assert len(counts) == 2 and counts[0] == "0", "a device was stopped:\n" + dmlog
        assert int(counts[1]) >= 5, "the successors did not connect their virtio console:\n" + dmlog
        # The data is in the Dom0 file, where the loop put it.
        out = sh(s, "seq 1 150000 | md5sum; dd if=/tmp/lin.img bs=64k skip=100 count=16 2>/dev/null | "
                    "head -c $(seq 1 150000 | wc -c) | md5sum")
        sums = re.findall(r"^([0-9a-f]{32})", out, re.M)
        assert len(sums) == 2 and sums[0] == sums[1] == m.group(4), out
        # Idle: replaced once more, and the shell and its disk still work.
        out = sh(s, "xl dm-restart lin; echo rc=$?", timeout=60)
        assert "rc=0" in out, out
        linux_console(s, "lin", "echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=64k skip=100 count=16 "
                      "2>/dev/null | head -c $(wc -c < /tmp/src) | md5sum | sed 's/^/sum=/'", "sum=" + m.group(4))
        gens = sh(s, "grep -c 'resumed: generation' /var/log/rivet/dm/lin.log")
        assert re.search(r"^6$", gens, re.M), sh(s, "cat /var/log/rivet/dm/lin.log")
        out = sh(s, "xl destroy lin; echo rc=$?", timeout=60)
        assert "rc=0" in out, out
        wait_gone(s, "lin")
        assert free_mib(s) == before
        out = sh(s, "pidof rivet-dm; echo rc=$?; ls /run/rivet/dm/; sleep 1; pidof xl; echo xl=$?")
        assert "rc=1" in out, "a device model outlived its domain:\n" + out
        assert "xl=1" in out, "a supervisor outlived its domain:\n" + out
        assert ".state" not in out, "a state file outlived its domain:\n" + out

        # ---- TCP across two kills: the successors reattach to the same persistent tap ----
        dom0_cfg(s, "/tmp/netr.cfg", NET_CFG)
        out = sh(s, "xl create /tmp/netr.cfg; echo rc=$?", timeout=120)
        assert "rc=0" in out, out
        wait_booted(s, "netr")
        assert taps(s) == ["vif%s.0" % re.search(r"^netr\s+(\d+)", sh(s, "xl list netr"), re.M).group(1)]
        sent = make_data(s, "netr", NET_PORT)
        # Dom0 listens with busybox nc into a file (md5 taken once the sender closed).
        sh(s, "rm -f /tmp/net.rx; (nc -l -p %d < /dev/null > /tmp/net.rx; echo done > /tmp/net.end) &" % NET_PORT)
        console(s, "netr", NET_SEND, "netsend")
        kill_and_wait_successor(s, "1.0")
        kill_and_wait_successor(s, "1.5")
        out = sh(s, "[ -e /tmp/net.end ] && echo tr''ansfer-ended-early || echo tr''ansfer-still-running; "
                    "ls -l /tmp/net.rx")
        assert "transfer-still-running" in out, "the kills did not land during the transfer:\n" + out
        out = sh(s, "for i in $(seq 300); do [ -e /tmp/net.end ] && break; sleep 0.3; done; "
                    "echo rx-$(md5sum < /tmp/net.rx | cut -c1-32)-e''nd; wc -c < /tmp/net.rx", timeout=150)
        got = re.findall(r"rx-([0-9a-f]{32})-end", out)
        assert got and got[-1] == sent, "md5 %s sent, received:\n%s\n%s" % (
            sent, out, sh(s, "tail -20 /var/log/rivet/dm/netr.log"))
        console(s, "netr", "cat /tmp/send.out", "netsent")
        assert "nc-rc=0" in s.output[-3000:], s.output[-3000:]
        dmlog = sh(s, "grep -c 'needs a reset' /var/log/rivet/dm/netr.log; "
                      "grep -c 'resumed: generation' /var/log/rivet/dm/netr.log")
        counts = re.findall(r"^(\d+)\s*$", dmlog, re.M)
        assert counts == ["0", "2"], "a device was stopped, or not two successors:\n" + dmlog
        out = sh(s, "xl destroy netr; echo rc=$?", timeout=60)
        assert "rc=0" in out, out
        wait_gone(s, "netr")
        check_dm_stopped_cleanly(s, "netr", "the last successor")   # its NIC's counters logged from the arena
        assert taps(s) == [], "a tap outlived its domain"
        assert free_mib(s) == before
        out = sh(s, "pidof rivet-dm; echo rc=$?; ls /run/rivet/dm/; sleep 1; pidof xl; echo xl=$?")
        assert "rc=1" in out and "xl=1" in out and ".state" not in out, out
