# SPDX-License-Identifier: MIT
"""Memory ballooning (docs/dm.md "The balloon"): a Linux DomU built with maxmem of RAM comes down
to its memory as it boots, xl mem-set moves it down and up again, and what a user sees follows:
xl list's Mem, the guest's MemTotal, xl info's free memory. Pages it gave back reach another
domain zeroed; the limits are refused with a message; a device model restarted over a ballooned
domain carries on."""
import re

from integration import test
from integration.dom0_xl import boot_dom0, free_mib, linux_console, sh, wait_gone
from integration.dom0_xl import write_cfg as dom0_cfg
from integration.linux_guest import dom0_image, DOM0_PROMPT

D0_LINUX = "/usr/lib/rivet/linux"
D0_GUESTS = "/usr/lib/rivet/guests"
LOG = "/var/log/rivet/console/bal.log"
BAL_CFG = ('name = "bal"\nmemory = 128\nmaxmem = 256\nvcpus = 2\nkernel = "%s/Image"\n'
           'ramdisk = "%s/rootfs.cpio"\nextra = "console=ttyS0 quiet"\nserial = "pty"\n' % (D0_LINUX, D0_LINUX))


def mem_of(s, name):
    out = sh(s, "xl list %s" % name)
    m = re.search(r"^%s\s+\d+\s+(\d+)\s" % name, out, re.M)
    assert m, out
    return int(m.group(1))


def wait_mem(s, name, mib):
    """Waits (bounded) until xl list shows the domain with MIB of memory."""
    out = sh(s, "for i in $(seq 300); do xl list %s | grep -qE '^%s +[0-9]+ +%d ' && break; sleep 0.5; done; "
                "xl list %s" % (name, name, mib, name), timeout=200)
    assert re.search(r"^%s\s+\d+\s+%d\s" % (name, mib), out, re.M), \
        "%s did not reach %d MiB:\n%s\n%s" % (name, mib, out, sh(s, "tail -n 20 /var/log/rivet/dm/%s.log" % name))


def mem_total_kib(s, n):
    """The guest's MemTotal, read in it through its console (read N: a marker of its own, since
    attaching replays what the console printed before)."""
    s.send("xl console bal\n")
    s.send("\n")
    s.expect("bal:/# ", 180)
    # M""T: the marker is in the output only, not in the echoed command line.
    s.send("echo M\"\"T%d=$(sed -n 's/^MemTotal: *\\([0-9]*\\) kB/\\1/p' /proc/meminfo)=\n" % n)
    s.expect("MT%d=" % n, 60)
    seen = s.expect("=", 10)
    assert re.match(r"^\d+=$", seen), seen
    kib = int(seen[:-1])
    s.expect("bal:/# ", 30)
    s.send("\x1d")
    s.expect(DOM0_PROMPT, 30)
    return kib


@test
def balloon_mem_set_moves_a_linux_domus_memory():
    """memory = 128, maxmem = 256: the domain is built with 256 MiB, and its balloon takes it to
    128 as Linux boots (xl list, xl info); xl mem-set 96 then 200 moves xl list's Mem, the guest's
    MemTotal and xl info's free memory by as much; mem-set above maxmem and mem-max outside
    [target, maxmem] are refused with a message, nothing changed; a domain created from the pages
    it gave back finds them zeroed; after xl dm-restart the new device model (whose mapping of the
    RAM has holes) goes on ballooning and the guest on working; destroyed, every page is back."""
    with boot_dom0(dom0_image("dom0"), 2) as s:
        free0 = free_mib(s)
        dom0_cfg(s, "/tmp/bal.cfg", BAL_CFG)
        out = sh(s, "xl create /tmp/bal.cfg; echo rc=$?", timeout=120)
        assert "rc=0" in out, out
        wait_mem(s, "bal", 128)
        free1 = free_mib(s)
        # The 128 MiB it runs on, and a little for its tables and the device model's mapping.
        assert free0 - 131 <= free1 <= free0 - 128, "free %d MiB before, %d with bal at 128 MiB" % (free0, free1)
        total1 = mem_total_kib(s, 1)
        assert total1 <= 128 * 1024, "MemTotal %d kB with a 128 MiB target" % total1

        out = sh(s, "xl mem-set bal 96; echo rc=$?")
        assert "rc=0" in out, out
        wait_mem(s, "bal", 96)
        free2 = free_mib(s)
        assert free2 - free1 in (31, 32, 33), "free %d MiB at 128, %d at 96" % (free1, free2)
        total2 = mem_total_kib(s, 2)
        assert abs((total1 - total2) - 32 * 1024) <= 1024, "MemTotal %d kB at 128 MiB, %d at 96" % (total1, total2)

        # Another domain gets the machine's free pages, those the balloon gave back among them: zeroed.
        dom0_cfg(s, "/tmp/zc.cfg", 'name = "zc"\nmemory = 64\nkernel = "%s/zerochild.elf"\n' % D0_GUESTS)
        sh(s, "xl create /tmp/zc.cfg")
        wait_gone(s, "zc")
        out = sh(s, "cat /var/log/rivet/console/zc.log")
        assert "read as zeros" in out and "FAIL" not in out, out

        # The limits: one line each, nothing changed.
        out = sh(s, "xl mem-set bal 300; echo rc=$?")
        assert re.search(r"xl: mem-set: 307200 KiB is above domain 'bal''s maximum of 262144 KiB", out) \
            and "rc=1" in out, out
        out = sh(s, "xl mem-max bal 64; echo rc=$?; xl mem-max bal 512; echo rc=$?")
        assert "xl: mem-max: 65536 KiB is below domain 'bal''s target of 98304 KiB" in out, out
        assert "xl: mem-max: 524288 KiB is above the 262144 KiB domain 'bal' was built with" in out, out
        assert out.count("rc=1") == 2, out
        assert mem_of(s, "bal") == 96

        # A new device model over the ballooned domain: its mapping has holes where the pages went.
        out = sh(s, "xl dm-restart bal; echo rc=$?", timeout=120)
        assert "rc=0" in out, out
        out = sh(s, "xl mem-set bal 200; echo rc=$?")
        assert "rc=0" in out, out
        wait_mem(s, "bal", 200)
        free3 = free_mib(s)
        assert free2 - free3 in (103, 104, 105), "free %d MiB at 96, %d at 200" % (free2, free3)
        total3 = mem_total_kib(s, 3)
        assert abs((total3 - total2) - 104 * 1024) <= 1024, "MemTotal %d kB at 96 MiB, %d at 200" % (total2, total3)
        # The guest works on, its disk-less shell and its memory both.
        linux_console(s, "bal", "dd if=/dev/zero of=/dev/null bs=1M count=64 2>&1 | tail -n 1; "
                      "echo in-bal-$((6*7))", "in-bal-42")

        # mem-max down to the target, and the target cannot pass it any more.
        out = sh(s, "xl mem-max bal 200m; echo rc=$?; xl mem-set bal 201; echo rc=$?")
        assert out.count("rc=0") == 1 and "maximum of 204800 KiB" in out, out

        out = sh(s, "xl destroy bal; echo rc=$?")
        assert "rc=0" in out, out
        wait_gone(s, "bal")
        assert free_mib(s) == free0
        out = sh(s, "grep -c 'balloon: target' /var/log/rivet/dm/bal.log")
        assert re.search(r"^[12]$", out, re.M), out
