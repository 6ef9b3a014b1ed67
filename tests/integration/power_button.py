# SPDX-License-Identifier: MIT
"""The power button (docs/dm.md "The power button"): xl shutdown, xl reboot, xl trigger and xl
sysrq ask a Linux DomU through the virtio input device rivet-dm presents. The guest's answer is
what a user sees: its console says it powers off or reboots, the domain goes or comes back, and
a guest that ignores the button is reported, then stopped with -F."""
import re

from integration import test
from integration.dom0_xl import boot_dom0, free_mib, linux_console, sh, wait_gone
from integration.dom0_xl import write_cfg as dom0_cfg
from integration.linux_guest import dom0_image

D0_LINUX = "/usr/lib/rivet/linux"
LOG = "/var/log/rivet/console/pb.log"
PB_CFG = ('name = "pb"\nmemory = 128\nvcpus = 2\nkernel = "%s/Image"\nramdisk = "%s/rootfs.cpio"\n'
          'extra = "console=ttyS0 quiet"\nserial = "pty"\non_reboot = "restart"\n' % (D0_LINUX, D0_LINUX))


def count(s, pattern):
    out = sh(s, "grep -c '%s' %s" % (pattern, LOG))
    m = re.search(r"^(\d+)$", out, re.M)
    assert m, out
    return int(m.group(1))


def wait_lives(s, lives):
    """Waits until pb's console log holds LIVES init banners."""
    out = sh(s, "for i in $(seq 300); do [ $(grep -c 'Rivet domain pb:' %s) -ge %d ] && break; "
                "sleep 0.5; done; grep -c 'Rivet domain pb:' %s" % (LOG, lives, LOG), timeout=200)
    assert re.search(r"^%d$" % lives, out, re.M), "life %d of pb did not boot:\n%s" % (
        lives, sh(s, "tail -c 2000 %s; cat /var/log/rivet/dm/pb.log" % LOG))


@test
def xl_shutdown_reboot_trigger_and_sysrq_ask_a_linux_domu():
    """A Linux DomU with a serial port: it sees the power button as an input device; xl sysrq h
    prints the kernel's sysrq help on its console; with the guest's button watcher killed,
    xl shutdown -w -t 5 reports that the guest ignored it (rc 1, the domain still runs) and
    xl trigger power is pressed but changes nothing; xl reboot -w -F then stops it after the
    wait, and on_reboot brings it back. That second life answers xl reboot -w itself (its
    console says so, a third life boots), and the third answers xl shutdown -w: it powers off
    and is gone, all its memory back."""
    with boot_dom0(dom0_image("dom0"), 2) as s:
        before = free_mib(s)
        dom0_cfg(s, "/tmp/pb.cfg", PB_CFG)
        out = sh(s, "xl create /tmp/pb.cfg; echo rc=$?", timeout=120)
        assert "rc=0" in out, out
        wait_lives(s, 1)
        linux_console(s, "pb", "grep -c 'Rivet power button' /proc/bus/input/devices; "
                      "pidof powerkey >/dev/null && echo watch''ing", "watching")

        # sysrq: Alt+SysRq+h reaches the kernel's own handler, which prints its help.
        out = sh(s, "xl sysrq pb h; echo rc=$?")
        assert "rc=0" in out, out
        out = sh(s, "for i in $(seq 50); do grep -q 'sysrq: HELP' %s && break; sleep 0.2; done; "
                    "grep -c 'sysrq: HELP' %s" % (LOG, LOG))
        assert re.search(r"^[1-9]", out, re.M), "no sysrq help on the console:\n" + out

        # Nobody watches the button: the request is reported as ignored, the domain runs on.
        linux_console(s, "pb", "kill $(pidof powerkey); sleep 0.5; pidof powerkey || echo no-wat''cher",
                      "no-watcher")
        out = sh(s, "xl shutdown -w -t 5 pb; echo rc=$?", timeout=60)
        assert re.search(r"xl: shutdown: domain 'pb' \(\d+\) did not shut down within 5 s: the guest "
                         r"ignored its power button", out) and "rc=1" in out, out
        out = sh(s, "xl trigger pb power; echo rc=$?; xl list pb")
        assert "rc=0" in out and re.search(r"^pb\s+\d+\s+128\s+2\s+[-rb]{6}", out, re.M), out
        out = sh(s, "grep -c 'pressed: power' /var/log/rivet/dm/pb.log")
        assert re.search(r"^2$", out, re.M), "the two presses are not in rivet-dm's log:\n" + out
        assert count(s, "powerkey: power button pressed") == 0
        out = sh(s, "xl reboot -w -F -t 3 pb; echo rc=$?", timeout=90)
        assert re.search(r"Domain \d+ did not reboot within 3 s: stopping it \(-F\)", out) and \
            "has been shut down" in out and "rc=0" in out, out
        wait_lives(s, 2)

        # The second life answers a reboot itself.
        out = sh(s, "xl reboot -w pb; echo rc=$?", timeout=120)
        assert "has been shut down" in out and "rc=0" in out, out
        assert count(s, "powerkey: restart key pressed: rebooting") == 1
        wait_lives(s, 3)

        # The third answers a shutdown, and is gone.
        out = sh(s, "xl shutdown -w pb; echo rc=$?", timeout=120)
        assert "has been shut down" in out and "rc=0" in out, out
        assert count(s, "powerkey: power button pressed: powering off") == 1
        assert count(s, "reboot: Power down") == 1
        wait_gone(s, "pb")
        assert free_mib(s) == before
        out = sh(s, "pidof rivet-dm; echo rc=$?")
        assert "rc=1" in out, "a device model outlived its domain:\n" + out
