# SPDX-License-Identifier: MIT
"""QEMU integration tests of Linux as a boot-time domain: shell, SMP, timers, input, poweroff, reboot."""
import os
import re
import subprocess

from qemu import Session
from integration import test, image, write_cfg, B, ROOT

PROMPT = ":/# "


def linux_cfg(name, vcpus=2, memory=128, extra_keys=""):
    linux = os.path.join(B["build"], "linux")
    return write_cfg("%s.cfg" % name,
                     'name = "%s"\nmemory = %d\nvcpus = %d\n'
                     'kernel = "%s/Image"\nramdisk = "%s/rootfs.cpio"\n'
                     'extra = "console=hvc0 earlycon=sbi quiet"\n%s'
                     % (name, memory, vcpus, linux, linux, extra_keys))


def shell(s, cmd, timeout=30, prompt=PROMPT):
    """Types a command at the focused domain's prompt; returns what it printed."""
    s.send(cmd + "\n")
    out = s.expect(prompt, timeout)
    return out


def boot_to_prompt(s, name, vcpus, timeout=180):
    banner = s.expect("Rivet domain %s: Linux 6.12" % name, timeout)
    line = s.expect("\n")
    assert "%d vCPUs" % vcpus in line, "banner: " + line
    s.expect(PROMPT, 60)
    return banner


def boot_and_check(smp, vcpus):
    img = image("linux%d%d" % (smp, vcpus), [linux_cfg("linux", vcpus=vcpus)])
    with Session(img, smp=smp, mem="512M") as s:
        boot_to_prompt(s, "linux", vcpus)
        out = shell(s, "echo rivet-$((6*7))")
        assert "[linux] rivet-42" in out, out
        out = shell(s, "grep -c ^processor /proc/cpuinfo")
        assert re.search(r"\[linux\] %d\r?\n" % vcpus, out), out


@test
def linux_one_vcpu_on_one_hart():
    boot_and_check(1, 1)


@test
def linux_two_vcpus_on_one_hart():
    boot_and_check(1, 2)


@test
def linux_one_vcpu_on_two_harts():
    boot_and_check(2, 1)


@test
def linux_two_vcpus_on_two_harts():
    boot_and_check(2, 2)


@test
def linux_timers_advance():
    img = image("linuxt", [linux_cfg("linux", vcpus=2)])
    with Session(img, smp=2, mem="512M") as s:
        boot_to_prompt(s, "linux", 2)
        out = shell(s, "cat /proc/uptime; sleep 1; echo slept; cat /proc/uptime", timeout=60)
        ups = [float(m) for m in re.findall(r"\[linux\] (\d+\.\d+) \d+\.\d+", out)]
        assert "[linux] slept" in out and len(ups) == 2, out
        assert ups[1] - ups[0] >= 1.0, "uptime went from %s to %s across sleep 1" % (ups[0], ups[1])
        # Both vCPUs take timer interrupts and IPIs under load.
        out = shell(s, "for i in 1 2 3 4; do (i=0; while [ $i -lt 300 ]; do i=$((i+1)); done) & done; wait; echo loops-done", 120)
        assert "[linux] loops-done" in out, out


@test
def linux_two_domains_side_by_side_and_input_switch():
    img = image("linux2", [linux_cfg("linux-a", vcpus=1, memory=96), linux_cfg("linux-b", vcpus=1, memory=96)])
    with Session(img, smp=2, mem="512M") as s:
        s.expect('(rivet) console input goes to domain 1 "linux-a"', 30)
        s.expect("linux-a:/# ", 240)
        s.pos = 0
        s.expect("linux-b:/# ", 240)
        s.pos = len(s.out)
        out = shell(s, "hostname", prompt="linux-a:/# ")
        assert "[linux-a] linux-a\r\n" in out or "[linux-a] linux-a\n" in out, out
        # Ctrl-A three times moves the input focus (QEMU's own escape doubles Ctrl-A).
        s.send("\x01\x01" * 3)
        s.expect('(rivet) console input now goes to domain 2 "linux-b"', 10)
        out = shell(s, "hostname", prompt="linux-b:/# ")
        assert "[linux-b] linux-b\r\n" in out or "[linux-b] linux-b\n" in out, out
        assert "[linux-a] hostname" not in out, "input went to the wrong domain:\n" + out


@test
def linux_poweroff_and_reboot_follow_config():
    img = image("linuxr", [linux_cfg("linux", vcpus=2, extra_keys='on_reboot = "restart"\n')])
    with Session(img, smp=2, mem="512M") as s:
        boot_to_prompt(s, "linux", 2)
        s.send("reboot\n")
        s.expect('(rivet) domain 1 "linux" rebooted: restarting it (restart 1)', 60)
        boot_to_prompt(s, "linux", 2)
        s.send("poweroff\n")
        s.expect('(rivet) domain 1 "linux" powered off: destroyed', 60)
        s.expect("(rivet) all domains ended", 10)
        assert s.wait_exit(30), "QEMU did not exit after the last domain powered off"


def dom0_image(name, domains=(), extra_make=()):
    """make image DOM0=y, as a user would; returns the image path."""
    p = subprocess.run(["make", "-s", "image", "DOM0=y", "DOMAINS=" + " ".join(domains),
                        "BUILD=" + os.path.relpath(B["build"], ROOT)] + list(extra_make),
                       cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    out = os.path.join(B["out"], name + ".img")
    os.replace(os.path.join(B["build"], "rivet.img"), out)
    return out


DOM0_PROMPT = "Domain-0:/# "


@test
def dom0_boots_with_its_driver():
    img = dom0_image("dom0")
    for smp in (1, 2):
        with Session(img, smp=smp, mem="1G") as s:
            s.expect('(rivet) domain 0 "Domain-0": 256 MiB', 30)
            s.expect("privileged (Dom0)", 5)
            s.expect("Rivet domain Domain-0: Linux 6.12", 180)
            s.expect(DOM0_PROMPT, 60)
            out = shell(s, "test -c /dev/rivet/privcmd && echo has-privcmd; dmesg | grep -c 'privcmd ready'",
                        prompt=DOM0_PROMPT)
            lines = out.replace("\r", "").split("\n")
            assert "has-privcmd" in lines and "1" in lines, out
