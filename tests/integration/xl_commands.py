# SPDX-License-Identifier: MIT
"""QEMU integration test of the xl commands Xen has and Rivet added later: list -l / -v,
uptime, rename, debug-keys, dmesg -c, info -n, top -b, console -n and destroy -f, run in
Dom0's shell against a real (bare-metal) domain, checking what a user sees."""
import json
import re

from integration import test
from integration.dom0_xl import EX, boot_dom0, sh, write_cfg, wait_gone
from integration.linux_guest import dom0_image, DOM0_PROMPT


def between(out, begin, end):
    """The text between two marker lines (printed by printf, so the echoed command never matches)."""
    m = re.search(r"^%s\n(.*?)^%s$" % (begin, end), out, re.S | re.M)
    assert m, out
    return m.group(1)


def status(s, cmd):
    """Runs CMD; returns (its output, its exit status)."""
    out = sh(s, "%s; printf 'rc=%%s\\n' $?" % cmd)
    m = re.search(r"^rc=(\d+)$", out, re.M)
    assert m, out
    return out, int(m.group(1))


@test
def xl_commands_list_uptime_rename_debug_keys_top():
    img = dom0_image("dom0")
    with boot_dom0(img, 1) as s:
        write_cfg(s, "/tmp/echo.cfg", 'name = "echo"\nmemory = 16\nkernel = "%s/echo.elf"\n' % EX)
        sh(s, "xl create -q /tmp/echo.cfg")
        out = sh(s, "xl domid echo")
        domid = int(re.search(r"^(\d+)$", out, re.M).group(1))

        # list -l: valid JSON, one object per domain, with the record's config.
        out = sh(s, "printf 'J%sB\\n' -; xl list -l; printf 'J%sE\\n' -")
        doms = json.loads(between(out, "J-B", "J-E"))
        byname = {d["name"]: d for d in doms}
        assert set(byname) == {"Domain-0", "echo"}, doms
        e = byname["echo"]
        assert e["domid"] == domid and e["vcpus"] == 1 and e["memory"] == 16, e
        assert e["config"]["b_info"]["max_memkb"] == 16384, e
        assert e["config"]["rivet"]["config_file"] == "/tmp/echo.cfg", e
        assert e["config"]["on_poweroff"] == "destroy", e
        assert "rivet" not in byname["Domain-0"]["config"], byname["Domain-0"]   # no record

        # list -v: Xen's extra columns, '-' where Rivet has nothing.
        out = sh(s, "xl list -v")
        assert re.search(r"Time\(s\)\s+UUID\s+Reason-Code\s+Security Label", out), out
        assert re.search(r"^echo\s+%d\s+16\s+1\s+\S{6}\s+[\d.]+\s+-\s+-\s+-$" % domid, out, re.M), out

        # uptime: Xen's formats.
        out = sh(s, "xl uptime")
        assert re.search(r"^Name\s+ID Uptime$", out, re.M), out
        assert re.search(r"^Domain-0\s+0\s+\d+:\d\d:\d\d$", out, re.M), out
        assert re.search(r"^echo\s+%d\s+\d+:\d\d:\d\d$" % domid, out, re.M), out
        out = sh(s, "xl uptime -s echo")
        assert re.search(r"^ \d\d:\d\d:\d\d up\s+\d+:\d\d, echo \(%d\)$" % domid, out, re.M), out

        # rename: the microvisor, xl and rivet-consoled follow the new name.
        out, rc = status(s, "xl rename echo echo2")
        assert rc == 0, out
        out = sh(s, "xl list")
        assert re.search(r"^echo2\s+%d\s" % domid, out, re.M), out
        assert not re.search(r"^echo\s", out, re.M), out
        out, rc = status(s, "xl rename echo2 Domain-0")
        assert rc == 1 and "a domain of that name already exists" in out, out
        out, rc = status(s, "xl rename echo2 'bad/name'")
        assert rc == 1 and "has a character other than" in out, out
        s.send("xl console echo2\n")
        s.expect("echo: type a line", 30)
        s.send("after-rename\n")
        s.expect("echo: got after-rename", 30)
        s.send("\x1d")
        s.expect(DOM0_PROMPT, 30)
        # The log moved with the name: echo.log's history is in echo2.log, echo.log is gone.
        out = sh(s, "sleep 1; grep -c -e 'got after-rename' -e 'type a line' /var/log/rivet/console/echo2.log; "
                    "grep -c 'renamed .echo2.: its console log moved' /var/log/rivet/consoled.log; "
                    "test -e /var/log/rivet/console/echo.log; echo gone=$?")
        assert re.search(r"^[2-9]\n1\ngone=1$", out, re.M), out

        # debug-keys: the dumps land in the microvisor's log; an unknown key is said, not fatal.
        out, rc = status(s, "xl debug-keys hqrZ")
        assert rc == 0 and "1 of 4 debug keys unknown" in out, out
        out = sh(s, "xl dmesg | tail -n 40")
        assert "renamed \"echo2\" by Dom0" in sh(s, "xl dmesg | grep renamed"), out
        for want in ("'h' pressed", "key 'q': dump domain", "'q' pressed", 'domain %d "echo2": running' % domid,
                     "'r' pressed", "hart 0 (id ", "debug key 'Z' (0x5a): unknown"):
            assert want in out, (want, out)

        # dmesg -c prints, then clears what it printed.
        out = sh(s, "xl dmesg -c | grep -c \"'q' pressed\"")
        assert re.search(r"^1$", out, re.M), out
        out = sh(s, "xl dmesg | grep -c \"'q' pressed\"")
        assert re.search(r"^0$", out, re.M), out

        # info -n: one node, each hart a core.
        out = sh(s, "xl info -n")
        assert re.search(r"cpu_topology\s+:\ncpu:\s+core\s+socket\s+node\n\s+0:\s+0\s+0\s+0\n", out), out
        assert re.search(r"numa_info\s+:\nnode:\s+memsize\s+memfree\s+distances\n\s+0:\s+\d+\s+\d+\s+10\n",
                         out), out

        # top in batch mode: xentop's header and rows, twice.
        out = sh(s, "xl top -b -d 1 -i 2", timeout=60)
        heads = re.findall(r"NAME\s+STATE\s+CPU\(sec\)\s+CPU\(%\)\s+MEM\(k\)\s+MEM\(%\)\s+MAXMEM\(k\)", out)
        assert len(heads) == 2, out
        assert len(re.findall(r"^\s+echo2 \S{6}\s+\d+\s+[\d.]+\s+16384\s", out, re.M)) == 2, out

        # console -n: a domain without a virtio console has one PV console.
        out, rc = status(s, "xl console -n 1 echo2")
        assert rc == 1 and "has no PV console 1" in out, out

        # Xen's argument forms, as xl(1) shows them: -h anywhere, several settings in one
        # key=value argument, getopt_long's --opt=value and options after the domain.
        out, rc = status(s, "xl list -v -h")
        assert rc == 0 and "Usage: xl list" in out, out
        out, rc = status(s, "xl create -q /tmp/echo.cfg 'name=\"e3\"; memory=24'")
        assert rc == 0, out
        assert re.search(r"^e3\s+\d+\s+24\s+1\s", sh(s, "xl list e3"), re.M)
        out, rc = status(s, "xl sched-credit2 --domain=e3 --weight=512 && xl sched-credit2 -de3")
        assert rc == 0 and re.search(r"^e3\s+\d+\s+512\s+0$", out, re.M), out
        out = sh(s, "xl list -Zc e3")
        assert re.search(r"Time\(s\)\s+Security Label\s+Cpupool$", out, re.M), out
        assert re.search(r"^e3\s+\d+\s+24\s+1\s+\S{6}\s+[\d.]+\s+-\s+Pool-0$", out, re.M), out
        out, rc = status(s, "xl info free_memory")
        assert rc == 0 and re.search(r"^\d+$", out, re.M), out
        out, rc = status(s, "xl block-list 0 e3")
        assert rc == 0 and re.search(r"^Vdev\s+Slot\s+Access\s+Target\n(rc=0)$", out, re.M), out
        out, rc = status(s, "xl shutdown e3 --wait -F")   # no button: -F stops it; on_poweroff destroys it
        assert rc == 0 and re.search(r"^Domain \d+ has been shut down, reason code 0$", out, re.M), out
        wait_gone(s, "e3")

        # destroy -f: accepted.
        out, rc = status(s, "xl destroy -f echo2")
        assert rc == 0, out
        wait_gone(s, "echo2")
