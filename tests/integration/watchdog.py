# SPDX-License-Identifier: MIT
"""The watchdog (docs/dm.md "The watchdog") and on_watchdog / rename-restart (docs/config.md): a
Linux DomU feeds /dev/watchdog with busybox's watchdog applet; while fed, or paused by Dom0,
it lives on; once its feeder dies without closing the device properly the watchdog expires,
and the toolstack applies on_watchdog. With rename-restart, the stopped domain stays under a
new name and the domain boots again under its own."""
import re

from integration import test
from integration.dom0_xl import boot_dom0, free_mib, linux_console, sh, wait_gone
from integration.dom0_xl import write_cfg as dom0_cfg
from integration.linux_guest import dom0_image

D0_LINUX = "/usr/lib/rivet/linux"
LOG = "/var/log/rivet/console/wd.log"
WD_CFG = ('name = "wd"\nmemory = 96\nvcpus = 1\nkernel = "%s/Image"\nramdisk = "%s/rootfs.cpio"\n'
          'extra = "console=ttyS0 quiet"\nserial = "pty"\non_watchdog = "rename-restart"\n'
          % (D0_LINUX, D0_LINUX))


def wait_booted(s, after_rename=False):
    """Waits until wd's console log holds its init banner; AFTER_RENAME: the log of a new life
    (the kept domain's log moved to its new name)."""
    moved = "ls /var/log/rivet/console/wd-*.log >/dev/null 2>&1 && " if after_rename else ""
    out = sh(s, "for i in $(seq 300); do %s[ $(grep -c 'Rivet domain wd:' %s) -ge 1 ] && break; "
                "sleep 0.5; done; grep -c 'Rivet domain wd:' %s" % (moved, LOG, LOG), timeout=200)
    assert re.search(r"^1$", out, re.M), "wd did not boot%s:\n%s" % (
        " again" if after_rename else "", sh(s, "tail -c 2000 %s; cat /var/log/rivet/dm/wd.log; tail -20 /var/log/rivet/consoled.log; "
                     "ls /var/log/rivet/console; xl list" % LOG))


@test
def watchdog_expiry_renames_and_restarts_a_linux_domu():
    """The DomU's kernel finds the DesignWare watchdog; busybox's watchdog feeds it (8 s
    timeout, a kick a second) through 20 s of running and 15 s of being paused by xl pause;
    SIGKILLed, the feeder leaves the device open-and-unfed, the watchdog expires, rivet-dm
    stops the domain for its watchdog, and rivet-consoled renames it wd-<UTC time>, keeps it
    shut down, and creates wd again, which boots. The kept domain goes with xl destroy, and
    all memory comes back."""
    with boot_dom0(dom0_image("dom0"), 2) as s:
        before = free_mib(s)
        dom0_cfg(s, "/tmp/wd.cfg", WD_CFG)
        out = sh(s, "xl create /tmp/wd.cfg; echo rc=$?", timeout=120)
        assert "rc=0" in out, out
        wait_booted(s)
        linux_console(s, "wd", "ls /dev/watchdog0 && basename $(readlink /sys/class/watchdog/watchdog0/device/driver)",
                      "dw_wdt")
        linux_console(s, "wd", "watchdog -T 8 -t 1 /dev/watchdog; sleep 1; pidof watchdog && echo fe''eding",
                      "feeding")

        # Fed: alive after more than twice the timeout; paused: the count stands still.
        sh(s, "sleep 20")
        out = sh(s, "xl pause wd; sleep 15; xl unpause wd; sleep 3; xl list wd; echo rc=$?", timeout=60)
        assert "rc=0" in out and re.search(r"^wd\s+\d+\s+96\s+1\s+[-rb]{6}", out, re.M), \
            "wd did not survive being fed and paused:\n" + out + sh(s, "cat /var/log/rivet/dm/wd.log")
        out = sh(s, "grep -c 'watchdog expired' /var/log/rivet/dm/wd.log; true")
        assert re.search(r"^0$", out, re.M), out

        # The feeder dies without the magic close: nobody kicks, the watchdog expires.
        linux_console(s, "wd", "kill -9 $(pidof watchdog); echo kil''led", "killed")
        wait_booted(s, after_rename=True)
        out = sh(s, "xl list")
        m = re.search(r"^(wd-\d{8}T\d{4}Z)\s+\d+\s+96\s+1\s+-{3}sw-", out, re.M)
        assert m, "no renamed domain kept shut down:\n" + out
        kept = m.group(1)
        assert re.search(r"^wd\s+\d+\s+96\s+1\s+[-rb]{6}", out, re.M), out
        out = sh(s, "cat /var/log/rivet/consoled.log")
        assert re.search(r"'wd' \(watchdog\): renamed '%s' and kept, restarting 'wd'" % kept, out), out
        out = sh(s, "grep -c 'Rivet domain wd:' /var/log/rivet/console/%s.log" % kept)
        assert re.search(r"^1$", out, re.M), "the kept domain's log did not follow its name:\n" + out
        out = sh(s, "xl list -v %s" % kept)
        assert re.search(r"\s4\s", out), "Xen's reason code 4 (watchdog) is not listed:\n" + out

        # The new life has a working watchdog of its own; the kept one goes with xl destroy.
        linux_console(s, "wd", "basename $(readlink /sys/class/watchdog/watchdog0/device/driver)", "dw_wdt")
        out = sh(s, "xl destroy %s; echo rc=$?; xl destroy wd; echo rc=$?" % kept, timeout=60)
        assert out.count("rc=0") == 2, out
        wait_gone(s, "wd")
        wait_gone(s, kept)
        assert free_mib(s) == before
        out = sh(s, "pidof rivet-dm; echo rc=$?")
        assert "rc=1" in out, "a device model outlived its domain:\n" + out
