# SPDX-License-Identifier: MIT
"""xl vcpu-set and maxvcpus (docs/xl.md, docs/config.md, docs/dm.md "The vCPU count"): a Linux
DomU with vcpus = 1 and maxvcpus = 2 boots with one CPU online; xl vcpu-set gives it the second,
which its agent (/bin/powerkey) brings online, and takes it back, which the agent offlines; past
maxvcpus is refused; and the guest itself cannot bring up a CPU the count does not allow."""
import os
import re

from integration import B, test
from integration.dom0_xl import boot_dom0, free_mib, linux_console, sh, wait_gone
from integration.dom0_xl import write_cfg as dom0_cfg
from integration.linux_guest import dom0_image

D0_LINUX = "/usr/lib/rivet/linux"
LOG = "/var/log/rivet/console/vs.log"
VS_CFG = ('name = "vs"\nmemory = 128\nvcpus = 1\nmaxvcpus = 2\nkernel = "%s/Image"\n'
          'ramdisk = "%s/rootfs.cpio"\nextra = "console=ttyS0 quiet"\nserial = "pty"\n' % (D0_LINUX, D0_LINUX))
CPU1 = "/sys/devices/system/cpu/cpu1/online"


def wait_log(s, pattern, n=1):
    """Waits (bounded) until vs's console log holds PATTERN n times."""
    out = sh(s, "for i in $(seq 150); do [ $(grep -c '%s' %s) -ge %d ] && break; sleep 0.2; done; "
                "grep -c '%s' %s" % (pattern, LOG, n, pattern, LOG), timeout=60)
    assert re.search(r"^%d$" % n, out, re.M), "%r not %d times on the console:\n%s" % (
        pattern, n, sh(s, "tail -c 2000 %s; tail -5 /var/log/rivet/dm/vs.log" % LOG))


def online_is(s, cpus):
    """The guest's own view: /sys/devices/system/cpu/online."""
    linux_console(s, "vs", "echo on-$(cat /sys/devices/system/cpu/online)-", "on-%s-" % cpus)


def guest_cannot_online_cpu1(s):
    """The guest writes 1 to cpu1's online file itself: the microvisor's HSM refuses the start."""
    linux_console(s, "vs", "echo 1 > %s; echo rc-$?-$(cat %s)" % (CPU1, CPU1), "rc-1-0")


def vcpu1_state(s):
    out = sh(s, "xl vcpu-list vs")
    m = re.search(r"^vs\s+\d+\s+1\s+\S+\s+(\S+)", out, re.M)
    assert m, out
    return m.group(1)


def list_vcpus(s):
    out = sh(s, "xl list vs")
    m = re.search(r"^vs\s+\d+\s+128\s+(\d+)\s", out, re.M)
    assert m, out
    return int(m.group(1))


@test
def xl_vcpu_set_onlines_and_offlines_a_linux_domus_cpu():
    """vcpus = 1, maxvcpus = 2 on two harts: Linux boots with CPU 0 online only (maxcpus=1 on its
    command line), xl list says 1 VCPU, and the guest's own attempt to online cpu1 fails. xl
    vcpu-set vs 2: the agent onlines cpu1 (online 0-1, xl list 2, vCPU 1 running or blocked);
    xl vcpu-set vs 1: it offlines it (online 0, xl list 1, vCPU 1 stopped), and the guest again
    cannot start it itself; xl vcpu-set vs 3 fails naming maxvcpus 2; xl vcpu-set vs 0 is
    quietly ignored. Destroyed, all its memory is back."""
    with boot_dom0(dom0_image("dom0"), 2) as s:
        before = free_mib(s)
        dom0_cfg(s, "/tmp/vs.cfg", VS_CFG)
        out = sh(s, "xl create /tmp/vs.cfg; echo rc=$?", timeout=120)
        assert "rc=0" in out, out
        out = sh(s, "for i in $(seq 300); do grep -q 'Rivet domain vs:' %s && break; sleep 0.5; done; "
                    "grep -c 'Rivet domain vs:' %s" % (LOG, LOG), timeout=200)
        assert re.search(r"^1$", out, re.M), sh(s, "tail -c 2000 %s" % LOG)
        linux_console(s, "vs", "grep -o 'maxcpus=[0-9]*' /proc/cmdline; pidof powerkey >/dev/null && "
                      "echo watch''ing", "watching")
        online_is(s, "0")
        assert list_vcpus(s) == 1
        assert vcpu1_state(s) == "--p"
        guest_cannot_online_cpu1(s)

        # Raised: the agent brings cpu1 up.
        out = sh(s, "xl vcpu-set vs 2; echo rc=$?")
        assert re.search(r"^rc=0$", out, re.M), out
        wait_log(s, "powerkey: 2 vCPUs available: cpu1 online")
        online_is(s, "0-1")
        assert list_vcpus(s) == 2
        assert vcpu1_state(s) in ("r--", "-b-", "---")
        out = sh(s, "grep -c 'vCPUs: 2 of 2 available, sent' /var/log/rivet/dm/vs.log")
        assert re.search(r"^1$", out, re.M), out

        # Lowered: the agent takes it down; the guest cannot start it again on its own.
        out = sh(s, "xl vcpu-set vs 1; echo rc=$?")
        assert re.search(r"^rc=0$", out, re.M), out
        wait_log(s, "powerkey: 1 vCPUs available: cpu1 offline")
        online_is(s, "0")
        assert list_vcpus(s) == 1
        assert vcpu1_state(s) == "--p"
        guest_cannot_online_cpu1(s)

        # Past maxvcpus: refused, naming it; below 1: quietly ignored.
        out = sh(s, "xl vcpu-set vs 3; echo rc=$?")
        assert re.search(r"xl: vcpu-set: requested 3 vCPUs, however maxvcpus of 'vs' \(\d+\) is 2", out) \
            and re.search(r"^rc=1$", out, re.M), out
        out = sh(s, "xl vcpu-set vs 0; echo rc=$?")
        assert re.search(r"^rc=0$", out, re.M) and "xl:" not in out, out
        assert list_vcpus(s) == 1

        out = sh(s, "xl destroy vs; echo rc=$?")
        assert "rc=0" in out, out
        wait_gone(s, "vs")
        assert free_mib(s) == before


def vcpus_of(s, name):
    """xl list's VCPUs of NAME and its id."""
    out = sh(s, "xl list %s" % name)
    m = re.search(r"^%s\s+(\d+)\s+\d+\s+(\d+)\s" % name, out, re.M)
    assert m, out
    return int(m.group(1)), int(m.group(2))


@test
def xl_vcpu_set_count_outlives_a_reboot():
    """As libxl keeps vcpu-set's count in the domain's stored configuration: a domain restarted
    by on_reboot = "restart" comes back with the count xl vcpu-set gave it, whether the
    microvisor restarts it in place (a boot-image domain) or rivet-consoled creates it again
    from xl's record, and maxvcpus stays what it was."""
    cfg = os.path.join(B["out"], "bivs.cfg")
    with open(cfg, "w") as f:
        f.write('name = "bivs"\nmemory = 16\nvcpus = 2\non_reboot = "restart"\nkernel = "%s"\n'
                % os.path.join(B["guests"], "echo.elf"))
    with boot_dom0(dom0_image("dom0-bivs", [cfg]), 2) as s:
        dom0_cfg(s, "/tmp/xc.cfg", 'name = "xc"\nmemory = 16\nvcpus = 2\non_reboot = "restart"\n'
                 'kernel = "/etc/rivet/examples/echo.elf"\n')
        out = sh(s, "xl create /tmp/xc.cfg; echo rc=$?")
        assert "rc=0" in out, out
        ids = {}
        for name in ("bivs", "xc"):
            ids[name], n = vcpus_of(s, name)
            assert n == 2, (name, n)
            out = sh(s, "xl vcpu-set %s 1; echo rc=$?" % name)
            assert re.search(r"^rc=0$", out, re.M), out
            got = vcpus_of(s, name)
            assert got == (ids[name], 1), ("after vcpu-set", name, got)
            sh(s, "xl trigger %s reset" % name)
        # bivs: restarted in place (the microvisor says so). xc: destroyed and created again.
        out = sh(s, "for i in $(seq 150); do xl dmesg | grep -q '\"bivs\" rebooted: restarting it' && "
                    "[ $(xl dmesg | grep -c '\"xc\" created by Dom0') = 2 ] && xl list xc >/dev/null 2>&1 && "
                    "break; sleep 0.2; done; xl dmesg | grep bivs; echo xc-created=$(xl dmesg | grep -c "
                    "'\"xc\" created by Dom0') xc-destroyed=$(xl dmesg | grep -c '\"xc\" destroyed by Dom0')",
                 timeout=60)
        assert re.search(r'"bivs" rebooted: restarting it \(restart 1\)', out), out
        got = vcpus_of(s, "bivs")
        assert got == (ids["bivs"], 1), ("bivs after its restart", got, out)
        # xc: destroyed, created again from its record (the id may be the same one again).
        assert re.search(r"^xc-created=2 xc-destroyed=1$", out, re.M), out
        assert vcpus_of(s, "xc")[1] == 1, out + "\n" + sh(s, "xl list xc")
        out = sh(s, "xl list -l xc | grep -e '\"vcpus\"' -e max_vcpus -e '\"avail'")
        assert re.search(r'"vcpus": 2\b', out), out
        # Raised again after the restart: up to maxvcpus still.
        out = sh(s, "xl vcpu-set xc 2; echo rc=$?; xl vcpu-set bivs 2; echo rc=$?")
        assert out.count("rc=0") == 2, out
        got = (vcpus_of(s, "xc")[1], vcpus_of(s, "bivs")[1])
        assert got == (2, 2), ("raised again", got, sh(s, "xl list"))
        sh(s, "xl destroy xc; xl destroy bivs")
