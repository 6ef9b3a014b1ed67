# SPDX-License-Identifier: MIT
"""QEMU integration test of guest core dumps: `xl dump-core` of a running domain leaves it
running; a guest that crashes with on_crash = "coredump-destroy" leaves a core file in
/var/lib/rivet/dump, which gdb on the host opens: its pc, registers and memory are the
guest's. A dump that cannot be written is logged and the domain is destroyed all the same."""
import base64
import gzip
import hashlib
import os
import re
import shutil
import subprocess

from integration import test, B
from integration.dom0_xl import EX, GUESTS, boot_dom0, sh, write_cfg, wait_gone
from integration.linux_guest import DOM0_PROMPT, dom0_image


def gdb(elf, core, cmds):
    """gdb-multiarch -batch on ELF (None: the core alone) and CORE; its output."""
    argv = ["gdb-multiarch", "-batch", "-nx", elf, core] if elf else \
        ["gdb-multiarch", "-batch", "-nx", "-ex", "set architecture riscv:rv64", "-ex", "core " + core]
    for c in cmds:
        argv += ["-ex", c]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    return p.stdout + p.stderr


@test
def coredump_on_crash_and_xl_dump_core():
    assert shutil.which("gdb-multiarch"), "gdb-multiarch is missing (scripts/setup.sh installs it)"
    img = dom0_image("dom0")
    with boot_dom0(img, 2) as s:
        # xl dump-core of a running domain: a core file, and the domain carries on.
        write_cfg(s, "/tmp/echo.cfg", 'name = "echo"\nmemory = 16\nkernel = "%s/echo.elf"\n' % EX)
        sh(s, "xl create /tmp/echo.cfg")
        out = sh(s, "xl dump-core echo /tmp/echo.core; echo rc=$?; xl list echo; "
                    "od -An -c -N4 /tmp/echo.core; stat -c 'size=%s' /tmp/echo.core", timeout=120)
        assert "rc=0" in out and re.search(r"177\s+E\s+L\s+F", out), out
        m = re.search(r"^echo\s+\d+\s+16\s+1\s+([-a-z]{6})", out, re.M)
        assert m and "p" not in m.group(1), "not running after dump-core:\n" + out
        size = int(re.search(r"size=(\d+)", out).group(1))
        assert 16 << 20 < size < (16 << 20) + (1 << 20), out
        s.send("xl console echo\n")
        s.expect("echo: type a line", 30)
        s.send("after-dump\n")
        s.expect("echo: got after-dump", 30)
        s.send("\x1d")
        s.expect(DOM0_PROMPT, 30)
        sh(s, "xl destroy echo")

        # on_crash = "coredump-destroy": rivet-consoled writes the core, then destroys it.
        write_cfg(s, "/tmp/cored.cfg", 'name = "cored"\nmemory = 16\non_crash = "coredump-destroy"\n'
                  'kernel = "%s/coredump.elf"\n' % GUESTS)
        out = sh(s, "xl create /tmp/cored.cfg; echo rc=$?")
        assert "rc=0" in out, out
        wait_gone(s, "cored")
        out = sh(s, "grep cored /var/log/rivet/consoled.log; xl dmesg | grep 'cored.*crashed'; "
                    "grep marker /var/log/rivet/console/cored.log")
        m = re.search(r"core dumped to (/var/lib/rivet/dump/cored\.\d+\.\d{8}-\d{6}\.core) "
                      r"\(16 MiB of RAM, 1 vCPU, 0 kernel mappings\)", out)
        assert m, "no core dumped:\n" + out
        path = m.group(1)
        assert re.search(r"'cored' \(crash\): destroyed", out), out
        pc = re.search(r"crashed: .*\(pc (0x[0-9a-f]+)\)", out)
        marker = re.search(r"marker (0x[0-9a-f]+) at (0x[0-9a-f]+)", out)
        assert pc and marker, out
        out = sh(s, "sha256sum %s; echo BEGIN-CORE; gzip -c %s | base64; echo END-CORE" % (path, path),
                 timeout=300)
        digest = re.search(r"^([0-9a-f]{64})\s", out, re.M)
        b64 = re.search(r"BEGIN-CORE\n(.*?)\nEND-CORE", out, re.S)
        assert digest and b64, out[-2000:]
        core = gzip.decompress(base64.b64decode("".join(b64.group(1).split())))
        assert hashlib.sha256(core).hexdigest() == digest.group(1), "the core changed on the way out"

        # A dump that cannot be written (the directory is a file) is logged; the domain still goes.
        sh(s, "mv /var/lib/rivet/dump /tmp/dump.saved; touch /var/lib/rivet/dump; xl create /tmp/cored.cfg")
        wait_gone(s, "cored")
        out = sh(s, "grep cored /var/log/rivet/consoled.log | tail -n 2; ls /tmp/dump.saved | wc -l")
        assert re.search(r"'cored': core dump failed: cannot create /var/lib/rivet/dump/cored\.\d+\.\S+: "
                         r"Not a directory", out), out
        assert re.search(r"'cored' \(crash\): destroyed", out.split("core dump failed")[-1]), out
        assert re.search(r"^1$", out, re.M), "the earlier dump is gone:\n" + out

    core_path = os.path.join(B["out"], "cored.core")
    with open(core_path, "wb") as f:
        f.write(core)
    elf = os.path.join(B["build"], "guests", "coredump.elf")
    out = gdb(elf, core_path, ["info registers pc", "p/x $s2", "p/x $s3", "x/gx &core_marker"])
    assert re.search(r"^pc\s+%s\b" % pc.group(1), out, re.M), "pc:\n" + out
    assert "0x5249564554434f52" in out and "0x123456789abcdef" in out, "s2 / s3:\n" + out
    assert re.search(r"%s.*:\s+%s\b" % (marker.group(2), marker.group(1)), out), "core_marker:\n" + out
    # The FP registers: gdb shows them unless the executable is soft-float (as the guest is).
    out = gdb(None, core_path, ["info registers ft0", "info registers pc"])
    assert re.search(r"^ft0\s.*raw 0x1122334455667788", out, re.M), "ft0:\n" + out
    assert re.search(r"^pc\s+%s\b" % pc.group(1), out, re.M), "pc without the executable:\n" + out
