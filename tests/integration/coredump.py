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
        core = fetch(s, path)

        # A dump that cannot be written (the directory is a file) is logged; the domain still goes.
        sh(s, "mv /var/lib/rivet/dump /tmp/dump.saved; touch /var/lib/rivet/dump; xl create /tmp/cored.cfg")
        wait_gone(s, "cored")
        out = sh(s, "grep cored /var/log/rivet/consoled.log | tail -n 2; ls /tmp/dump.saved | wc -l")
        assert re.search(r"'cored': core dump failed: cannot create /var/lib/rivet/dump/cored\.\d+\.\S+: "
                         r"Not a directory", out), out
        assert re.search(r"'cored' \(crash\): destroyed", out.split("core dump failed")[-1]), out
        assert re.search(r"^1$", out, re.M), "the earlier dump is gone:\n" + out

    check_core(core, "cored.core", pc, marker)


def fetch(s, path):
    """The file at PATH in Dom0, through the console (gzip, base64), its digest checked."""
    out = sh(s, "sha256sum %s; echo BEGIN-CORE; gzip -c %s | base64; echo END-CORE" % (path, path),
             timeout=300)
    digest = re.search(r"^([0-9a-f]{64})\s", out, re.M)
    b64 = re.search(r"BEGIN-CORE\n(.*?)\nEND-CORE", out, re.S)
    assert digest and b64, out[-2000:]
    core = gzip.decompress(base64.b64decode("".join(b64.group(1).split())))
    assert hashlib.sha256(core).hexdigest() == digest.group(1), "the core changed on the way out"
    return core


def check_core(core, name, pc, marker):
    """gdb reads CORE (saved as NAME): the crashed pc, registers and memory of the coredump guest."""
    core_path = os.path.join(B["out"], name)
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


LOG = "/var/log/rivet/consoled.log"
# Watches consoled.log (from its start: each case's domain has a name of its own) for NAME's core
# writer and stops it (SIGSTOP) at once: no command forked per look, so it is there long before
# a 64 MiB core is written. Partial lines (the daemon's stderr is unbuffered) are joined.
WATCH = ("exec 3<%s; acc=; n=0; while :; do if IFS= read -r l <&3; then l=\"$acc$l\"; acc=; "
         "case \"$l\" in *\"'%%s': writing its core to \"*) p=${l##*pid }; p=${p%%%%)*}; "
         "kill -STOP $p && echo stopped=$p; break;; esac; else acc=\"$acc$l\"; n=$((n+1)); "
         "[ $n -gt 5000000 ] && echo watch-gave-up && break; fi; done; exec 3<&-" % LOG)


def crash_and_stop_writer(s, name, mib):
    """Creates NAME (the coredump guest, coredump-destroy, MIB of RAM), which crashes at once;
    stops rivet-consoled's child writing its core; returns the child's pid."""
    write_cfg(s, "/tmp/%s.cfg" % name, 'name = "%s"\nmemory = %d\non_crash = "coredump-destroy"\n'
              'kernel = "%s/coredump.elf"\n' % (name, mib, GUESTS))
    out = sh(s, "xl create /tmp/%s.cfg; echo rc=$?; %s" % (name, WATCH % name), timeout=120)
    assert "rc=0" in out, out
    m = re.search(r"stopped=(\d+)", out)
    assert m, "no core writer of '%s' was caught:\n%s\n%s" % (name, out, sh(s, "tail -n 5 " + LOG))
    return m.group(1)


def wait_gone_long(s, name):
    """As wait_gone, with room for a 64 MiB core to be written first."""
    out = sh(s, "for i in $(seq 600); do xl list | grep -q '^%s ' || break; sleep 0.2; done; "
                "xl list | grep -c '^%s '" % (name, name), timeout=180)
    assert re.search(r"^0$", out, re.M), "%s still listed:\n%s" % (name, out)


def listed_crashed(s, name):
    out = sh(s, "xl list %s" % name)
    m = re.search(r"^%s\s+\d+\s+\d+\s+\d+\s+([-a-z]{6})" % name, out, re.M)
    assert m and "c" in m.group(1), "'%s' is not kept crashed while its core is written:\n%s" % (name, out)


@test
def coredump_writer_is_a_child_while_consoles_flow():
    """rivet-consoled writes a core in a child process: while a 64 MiB domain's core writer is
    held (SIGSTOP), that domain stays listed crashed, and another domain's console answers
    through rivet-consoled (xl console in and out, and its log); let go, the core is complete
    (gdb reads the crash from it) and the domain destroyed. A writer killed: the failure is said,
    no partial core stays, the domain is destroyed all the same. The domain destroyed by xl
    destroy meanwhile: said, nothing else done. rivet-consoled stopped
    (SIGTERM) meanwhile: its successor writes the core and carries out on_crash. Two domains
    crashing together: both cores, both destroyed."""
    assert shutil.which("gdb-multiarch"), "gdb-multiarch is missing (scripts/setup.sh installs it)"
    with boot_dom0(dom0_image("dom0"), 2) as s:
        write_cfg(s, "/tmp/echo.cfg", 'name = "echo"\nmemory = 16\nkernel = "%s/echo.elf"\n' % EX)
        sh(s, "xl create /tmp/echo.cfg")

        pid = crash_and_stop_writer(s, "big", 64)
        listed_crashed(s, "big")
        s.send("xl console echo\n")
        s.expect("echo: type a line", 30)
        s.send("while-dumping\n")
        s.expect("echo: got while-dumping", 30)
        s.send("\x1d")
        s.expect(DOM0_PROMPT, 30)
        out = sh(s, "echo got=$(grep -c 'got while-dumping' /var/log/rivet/console/echo.log); "
                    "kill -0 %s && echo held; echo dumped=$(grep -c \"'big': core dumped\" %s)" % (pid, LOG))
        assert re.search(r"^got=1$", out, re.M) and re.search(r"^held$", out, re.M) and \
            re.search(r"^dumped=0$", out, re.M), out
        listed_crashed(s, "big")
        sh(s, "kill -CONT %s" % pid)
        wait_gone_long(s, "big")
        out = sh(s, "grep \"'big'\" %s; xl dmesg | grep 'big.*crashed'; grep marker "
                    "/var/log/rivet/console/big.log" % LOG)
        m = re.search(r"'big': core dumped to (/var/lib/rivet/dump/big\.\d+\.\d{8}-\d{6}\.core) "
                      r"\(64 MiB of RAM, 1 vCPU, 0 kernel mappings\)", out)
        assert m, "no core dumped:\n" + out
        assert re.search(r"'big' \(crash\): destroyed", out.split("core dumped")[-1]), out
        pc = re.search(r"crashed: .*\(pc (0x[0-9a-f]+)\)", out)
        marker = re.search(r"marker (0x[0-9a-f]+) at (0x[0-9a-f]+)", out)
        assert pc and marker, out
        core = fetch(s, m.group(1))
        assert len(core) > 64 << 20, len(core)
        sh(s, "rm %s" % m.group(1))

        # The writer killed: said, its partial file removed, the domain destroyed all the same.
        pid = crash_and_stop_writer(s, "killed", 64)
        sh(s, "kill -KILL %s" % pid)
        wait_gone_long(s, "killed")
        out = sh(s, "grep \"'killed'\" %s; ls /var/lib/rivet/dump | grep -c '^killed'" % LOG)
        assert re.search(r"'killed': core dump failed: its writer \(pid %s\) was killed by signal 9 "
                         r"\(Killed\); the partial /var/lib/rivet/dump/killed\.\S+\.core\.partial is removed" % pid,
                         out), out
        assert re.search(r"'killed' \(crash\): destroyed", out.split("was killed")[-1]), out
        assert re.search(r"^0$", out, re.M), "a partial core stays:\n" + out

        # xl destroy meanwhile: the writer ends as it may, then nothing is left to carry out.
        pid = crash_and_stop_writer(s, "went", 64)
        out = sh(s, "xl destroy went; echo rc=$?; kill -CONT %s" % pid)
        assert re.search(r"^rc=0$", out, re.M), out
        wait_gone_long(s, "went")
        out = sh(s, "for i in $(seq 300); do grep -q \"'went' went while\" %s && break; sleep 0.2; done; "
                    "grep \"'went'\" %s; rm -f /var/lib/rivet/dump/went.*" % (LOG, LOG), timeout=90)
        assert re.search(r"'went' went while its core was written \(xl destroy\?\): its on_\* is not "
                         r"carried out", out), out
        assert "'went' (crash): destroyed" not in out, out

        # rivet-consoled told to stop meanwhile: the writer goes with it; init's next one dumps and destroys.
        pid = crash_and_stop_writer(s, "termed", 64)
        out = sh(s, "grep 'started (pid' %s | tail -n 1" % LOG)
        daemon = re.search(r"started \(pid (\d+)\)", out)
        assert daemon, out
        # A core some writer left half-way (as if killed with its daemon): the next daemon removes it.
        sh(s, "touch /var/lib/rivet/dump/stale.9.20260101-000000.core.partial; kill -TERM %s" % daemon.group(1))
        out = sh(s, "for i in $(seq 600); do [ $(grep -c \"'termed': core dumped\" %s) = 1 ] && break; "
                    "sleep 0.2; done; grep -e \"'termed'\" -e 'SIGTERM' -e 'started (pid' -e 'partial core' %s | "
                    "tail -n 9; ls /var/lib/rivet/dump | grep -c partial" % (LOG, LOG), timeout=180)
        wait_gone_long(s, "termed")
        after = out.split("'termed': core dump stopped (rivet-consoled exits); it stays shut down")
        assert len(after) == 2, "no stop said:\n" + out
        assert "SIGTERM: exiting" in after[0], out
        assert re.search(r"started \(pid.*'termed': core dumped to \S+ \(64 MiB.*"
                         r"'termed' \(crash\): destroyed", after[1], re.S), out
        assert re.search(r"removed 1 partial core in /var/lib/rivet/dump \(their writers died with an earlier "
                         r"rivet-consoled\)", after[1]), out
        assert re.search(r"^0$", out, re.M), "a partial core stays:\n" + out
        out = sh(s, "kill -0 %s 2>/dev/null || echo writer-gone; rm -f /var/lib/rivet/dump/termed.*" % pid)
        assert re.search(r"^writer-gone$", out, re.M), out

        # Two at once.
        for n in ("twin1", "twin2"):
            write_cfg(s, "/tmp/%s.cfg" % n, 'name = "%s"\nmemory = 16\non_crash = "coredump-destroy"\n'
                      'kernel = "%s/coredump.elf"\n' % (n, GUESTS))
        sh(s, "xl create /tmp/twin1.cfg; xl create /tmp/twin2.cfg")
        wait_gone(s, "twin1")
        wait_gone(s, "twin2")
        out = sh(s, "grep -e \"'twin\" %s" % LOG)
        for n in ("twin1", "twin2"):
            assert re.search(r"'%s': core dumped to \S+ \(16 MiB of RAM" % n, out), out
            assert re.search(r"'%s' \(crash\): destroyed" % n, out), out
        sh(s, "xl destroy echo")

    check_core(core, "big.core", pc, marker)
