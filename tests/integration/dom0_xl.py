# SPDX-License-Identifier: MIT
"""QEMU integration tests of Dom0 and the toolstack: xl in Dom0's shell creates, lists,
attaches to, pauses, pins and destroys domains; the console daemon logs them."""
import re

from qemu import Session
from integration import test
from integration.linux_guest import dom0_image, shell, DOM0_PROMPT

EX = "/etc/rivet/examples"
GUESTS = "/usr/lib/rivet/guests"


def sh(s, cmd, timeout=60):
    return shell(s, cmd, timeout=timeout, prompt=DOM0_PROMPT).replace("\r", "")


def boot_dom0(img, smp):
    s = Session(img, smp=smp, mem="1G")
    s.expect("Rivet domain Domain-0", 240)
    s.expect(DOM0_PROMPT, 60)
    return s


def free_mib(s):
    out = sh(s, "xl info | grep free_memory")
    m = re.search(r"free_memory\s*:\s*(\d+)", out)
    assert m, out
    return int(m.group(1))


def write_cfg(s, path, text):
    sh(s, "printf '%s' > %s" % (text.replace("\n", "\\n"), path))


def wait_gone(s, name):
    """Waits (bounded) until xl list no longer shows the domain."""
    out = sh(s, "for i in $(seq 100); do xl list | grep -q '^%s ' || break; sleep 0.2; done; "
                "xl list | grep -c '^%s '" % (name, name), timeout=60)
    assert re.search(r"^0$", out, re.M), "%s still listed:\n%s" % (name, out)


def linux_console(s, name, cmd, expect, opts=""):
    """xl console [OPTS] NAME, run cmd in the DomU, see expect, detach with Ctrl-]."""
    s.send("xl console %s%s\n" % (opts + " " if opts else "", name))
    s.send("\n")
    s.expect("%s:/# " % name, 180)
    s.send(cmd + "\n")
    s.expect(expect, 60)
    s.expect("%s:/# " % name, 30)
    s.send("\x1d")
    s.expect(DOM0_PROMPT, 30)


@test
def dom0_xl_list_create_console_destroy():
    img = dom0_image("dom0")
    with boot_dom0(img, 1) as s:
        out = sh(s, "xl list")
        assert re.search(r"Name\s+ID\s+Mem\s+VCPUs\s+State\s+Time\(s\)", out), out
        assert re.search(r"Domain-0\s+0\s+256\s+2\s+r", out), out
        out = sh(s, "xl create %s/hello.cfg" % EX)
        assert "Parsing config from %s/hello.cfg" % EX in out, out
        wait_gone(s, "hello")   # it powers off; on_poweroff = destroy
        out = sh(s, "cat /var/log/rivet/console/hello.log")
        assert "hello: done" in out, out
        # A bare-metal domain reads what xl console sends it (legacy getchar, then DBCN read).
        for name, kernel in (("echo", EX + "/echo.elf"), ("echo-dbcn", GUESTS + "/echo_dbcn.elf")):
            write_cfg(s, "/tmp/%s.cfg" % name, 'name = "%s"\nmemory = 16\nkernel = "%s"\n' % (name, kernel))
            sh(s, "xl create /tmp/%s.cfg" % name)
            s.send("xl console %s\n" % name)
            s.expect("echo: type a line", 30)
            s.send("ping-1\n")
            s.expect("echo: got ping-1", 30)
            s.send("\x1d")
            s.expect(DOM0_PROMPT, 30)
            out = sh(s, "xl destroy %s; grep -c 'got ping-1' /var/log/rivet/console/%s.log" % (name, name))
            assert re.search(r"^1$", out, re.M), out
        out = sh(s, "xl create %s/linux.cfg; xl list" % EX, timeout=120)
        assert re.search(r"linux\s+1\s+128\s+2\s", out), out
        linux_console(s, "linux", "echo in-domu-$((2*21))", "in-domu-42")
        out = sh(s, "xl destroy linux; echo rc=$?; xl list")
        assert "rc=0" in out and "linux " not in out, out
        out = sh(s, "xl dmesg | grep linux")
        assert '"linux" destroyed by Dom0' in out, out


@test
def dom0_xl_lifecycle_on_two_harts():
    img = dom0_image("dom0")
    with boot_dom0(img, 2) as s:
        # A malformed config: one line naming file, key and reason; nothing created.
        write_cfg(s, "/tmp/bad.cfg", 'name = "bad"\nmemory = "lots"\nkernel = "%s/hello.elf"\n' % GUESTS)
        out = sh(s, "xl create /tmp/bad.cfg; echo rc=$?; xl list | grep -c bad")
        assert "xl: /tmp/bad.cfg:2: memory:" in out and "rc=1" in out, out
        assert out.strip().endswith("0\n" + DOM0_PROMPT.strip()) or "\n0\n" in out, out

        # 20 create/destroy cycles give every byte back.
        before = free_mib(s)
        sh(s, "for i in $(seq 20); do xl create -q %s/linux.cfg && xl destroy linux; done" % EX, timeout=600)
        after = free_mib(s)
        assert after == before, "free_memory %d MiB before 20 cycles, %d after" % (before, after)

        # A DomU cannot use a control hypercall (the sbi guest checks it, among 60 checks).
        write_cfg(s, "/tmp/sbi.cfg", 'name = "sbi"\nmemory = 16\nkernel = "%s/sbi.elf"\n' % GUESTS)
        sh(s, "xl create /tmp/sbi.cfg")
        wait_gone(s, "sbi")
        out = sh(s, "grep -E 'denied|passed' /var/log/rivet/console/sbi.log")
        assert "sbi: PASS rivet control call denied" in out and "sbi: 60 passed, 0 failed" in out, out

        # A DomU is told of Zicboz where the host has it (QEMU's rv64 does), and cbo.zero works in it.
        write_cfg(s, "/tmp/zc.cfg", 'name = "zc"\nmemory = 16\nkernel = "%s/zerochild.elf"\n' % GUESTS)
        sh(s, "xl create /tmp/zc.cfg")
        wait_gone(s, "zc")
        out = sh(s, "cat /var/log/rivet/console/zc.log")
        assert ("zerocheck: Zicboz listed, cbo.zero zeroed 64 bytes" in out and "read as zeros" in out
                and "FAIL" not in out), out

        # xl create -p leaves it paused: nothing of it runs until xl unpause.
        out = sh(s, "xl create -q -p %s/hello.cfg name=held; echo rc=$?; xl list held" % EX)
        assert "rc=0" in out and re.search(r"^held\s+\d+\s+\d+\s+\d+\s+--p---", out, re.M), out
        out = sh(s, "sleep 1; cat /var/log/rivet/console/held.log 2>/dev/null | grep -c 'hello from'")
        assert re.search(r"^0$", out, re.M), out
        sh(s, "xl unpause held")
        wait_gone(s, "held")
        out = sh(s, "grep -c 'hello: done' /var/log/rivet/console/held.log")
        assert re.search(r"^1$", out, re.M), out
        # -F returns once the domain is gone (hello powers off, and is destroyed).
        out = sh(s, "xl create -q -F %s/hello.cfg name=fg; echo rc=$?; xl list fg" % EX, timeout=60)
        assert "rc=0" in out and "domain 'fg' does not exist" in out, out

        # A Linux DomU keeps running while a hostile domain is destroyed and named in xl dmesg.
        sh(s, "xl create %s/linux.cfg" % EX, timeout=120)
        write_cfg(s, "/tmp/breaker.cfg", 'name = "breaker"\nmemory = 16\nkernel = "%s/breaker.elf"\n' % GUESTS)
        sh(s, "xl create /tmp/breaker.cfg")
        wait_gone(s, "breaker")
        out = sh(s, "xl dmesg | grep breaker; xl list")
        assert '"breaker" crashed: load guest-page fault at 0xa0000000' in out, out
        assert "breaker " not in out.split("Name")[-1] and re.search(r"linux\s+1\s", out), out
        linux_console(s, "linux", "echo still-$((40+2))", "still-42")

        # Pause stops its output, unpause resumes it.
        linux_console(s, "linux", "(while true; do echo tick; sleep 0.2; done) &", "linux:/# ")
        sh(s, "sleep 1; xl pause linux; sleep 1")
        a = sh(s, "grep -c tick /var/log/rivet/console/linux.log; sleep 2; grep -c tick /var/log/rivet/console/linux.log")
        n = [int(x) for x in re.findall(r"^(\d+)$", a, re.M)]
        assert len(n) == 2 and n[0] == n[1] and n[0] > 0, "paused domain kept printing: " + a
        b = sh(s, "xl unpause linux; sleep 2; grep -c tick /var/log/rivet/console/linux.log")
        m = [int(x) for x in re.findall(r"^(\d+)$", b, re.M)]
        assert m and m[-1] > n[1], "unpaused domain did not resume: " + b

        # vcpu-pin moves vCPU 1 to hart 0.
        out = sh(s, "xl vcpu-pin linux 1 0; xl vcpu-list linux")
        assert re.search(r"^linux\s+1\s+1\s+0\s+\S+\s+[\d.]+\s+0 / all$", out, re.M), out
        sh(s, "xl destroy linux")


@test
def dom0_lists_and_reaches_static_domus():
    img = dom0_image("dom0static", domains=["guests/linux/linux.cfg"])
    with boot_dom0(img, 2) as s:
        out = sh(s, "xl list")
        assert re.search(r"Domain-0\s+0\s", out) and re.search(r"linux\s+1\s+128\s+2\s", out), out
        linux_console(s, "linux", "echo static-$((40+2))", "static-42")
        out = sh(s, "grep -c 'Rivet domain linux' /var/log/rivet/console/linux.log")
        assert re.search(r"^1$", out, re.M), out


@test
def dom0_overlay_and_on_poweroff_restart():
    import os
    import tempfile
    from integration import B
    overlay = tempfile.mkdtemp(prefix="overlay", dir=B["out"])
    os.makedirs(os.path.join(overlay, "etc", "rivet"))
    with open(os.path.join(overlay, "etc", "rivet", "again.cfg"), "w") as f:
        f.write('name = "again"\nmemory = 16\non_poweroff = "restart"\n'
                'kernel = "/usr/lib/rivet/guests/hello.elf"\n')
    img = dom0_image("dom0overlay", extra_make=["OVERLAY=" + overlay, "DOM0_MEM=192", "DOM0_VCPUS=1"])
    with boot_dom0(img, 2) as s:
        out = sh(s, "xl list")
        assert re.search(r"Domain-0\s+0\s+192\s+1\s", out), out
        # The console daemon carries out on_poweroff = restart for xl-created domains.
        sh(s, "xl create /etc/rivet/again.cfg")
        out = sh(s, "for i in $(seq 100); do [ $(grep -c 'hello: done' /var/log/rivet/console/again.log) -ge 2 ] "
                    "&& break; sleep 0.2; done; grep -c 'hello: done' /var/log/rivet/console/again.log", 60)
        n = [int(x) for x in re.findall(r"^(\d+)$", out, re.M)]
        assert n and n[-1] >= 2, "not restarted after poweroff:\n" + out
        sh(s, "xl destroy again")


@test
def dom0_xl_bad_disks_leave_nothing():
    """A config whose disk or serial is wrong fails with one line naming the key; nothing is created."""
    img = dom0_image("dom0")
    with boot_dom0(img, 1) as s:
        before = free_mib(s)
        sh(s, "mkdir -p /tmp/imgs; dd if=/dev/zero of=/tmp/imgs/ro.img bs=1k count=64 2>/dev/null; "
              "chmod 0444 /tmp/imgs/ro.img")
        base = 'name = "dsk"\nmemory = 16\nkernel = "%s/hello.elf"\n' % GUESTS
        cases = [
            ('disk = [ "/tmp/imgs/missing.img,raw,xvda,rw" ]',
             "disk: xvda '/tmp/imgs/missing.img': cannot open: No such file or directory"),
            ('disk = [ "/tmp/imgs,raw,xvda,ro" ]', "disk: xvda '/tmp/imgs': is a directory"),
            ('disk = [ "/tmp/imgs/ro.img,raw,xvda,rw" ]',
             "is read-only (no write permission); use access ro"),
            ('disk = [ "/tmp/imgs/ro.img,qcow2,xvda" ]', "format 'qcow2' is not supported (only raw)"),
            ('disk = [ "/tmp/imgs/ro.img,raw,xvda9" ]', "vdev 'xvda9' is not valid"),
            ('disk = [ "/tmp/imgs/ro.img,raw,xvda,ro", "/tmp/imgs/ro.img,raw,sda,ro" ]',
             "vdev 'sda' is the same disk as 'xvda'"),
            ('serial = "vc"', "serial: \"vc\" is not supported (use 'pty')"),
        ]
        for line, want in cases:
            write_cfg(s, "/tmp/dsk.cfg", base + line + "\n")
            out = sh(s, "xl create -q /tmp/dsk.cfg 2>/tmp/err; echo rc=$?; cat /tmp/err; "
                        "echo lines=$(wc -l </tmp/err); xl list | grep -c '^dsk '; "
                        "ls /run/rivet/domains | wc -l")
            assert "rc=1" in out and want in out and "lines=1" in out, out
            assert re.search(r"^xl: /tmp/dsk.cfg:4: ", out, re.M), out
            assert re.search(r"^0\n0$", out, re.M), out
        assert free_mib(s) == before
        # A config that would work, checked with -n: the plan names the disk and the device model.
        write_cfg(s, "/tmp/dsk.cfg", base + 'disk = [ "/tmp/imgs/ro.img,raw,xvdb,ro" ]\nserial = "pty"\n')
        out = sh(s, "xl create -n /tmp/dsk.cfg")
        assert "disk:        xvdb slot 0 ro /tmp/imgs/ro.img" in out and "serial:      pty" in out, out
        out = sh(s, "xl block-list nosuch; echo rc=$?")
        assert "xl: domain 'nosuch' does not exist" in out and "rc=1" in out, out
        out = sh(s, "xl block-list Domain-0; echo rc=$?")
        assert "Vdev  Slot  Access  Target" in out and "rc=0" in out, out
