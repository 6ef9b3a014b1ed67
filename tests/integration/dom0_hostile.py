# SPDX-License-Identifier: MIT
"""QEMU integration tests of hostile and failing Dom0 requests: rivet-hcstress's
lifecycle sequences and random control calls leave the machine consistent (every
byte of free memory back, xl still works), xl create's refusals and half-way
failures leave nothing behind, and Dom0's poweroff ends the machine."""
import re

from integration import test
from integration.dom0_xl import EX, GUESTS, boot_dom0, free_mib, linux_console, sh, wait_gone, write_cfg
from integration.linux_guest import DOM0_PROMPT, dom0_image


def hcstress(s, args, min_passed, timeout=300):
    """Runs rivet-hcstress in Dom0; returns what went wrong ('' when all its checks passed)."""
    out = sh(s, "rivet-hcstress %s; echo rc=$?" % args, timeout=timeout)
    what = args.split()[0]
    m = re.search(r"^hcstress: %s: (\d+) passed, (\d+) failed$" % what, out, re.M)
    fails = [l for l in out.splitlines() if l.startswith("FAIL:")]
    if m and "rc=0" in out and not fails and int(m.group(1)) >= min_passed:
        return ""
    return "rivet-hcstress %s:\n%s\n" % (args, "\n".join(fails) or out[-3000:])


def no_row(s, name):
    out = sh(s, "xl list | grep -c '^%s '" % name)
    assert re.search(r"^0$", out, re.M), "%s is listed:\n%s" % (name, sh(s, "xl list"))


def hostile_calls_leave_the_machine_sound(s, seed):
    before = free_mib(s)
    # Both modes run even when the first fails: the report names every broken check.
    err = hcstress(s, "sequences", 15) + hcstress(s, "random 3000 %d" % seed, 3)
    assert not err, err
    # Dom0's kernel took all of it too.
    out = sh(s, "dmesg | grep -c -i -E 'oops|kernel bug|panic|unable to handle'")
    assert re.search(r"^0$", out, re.M), sh(s, "dmesg | tail -30")
    # xl still lists, creates and destroys; nothing of hcstress's is left.
    out = sh(s, "xl list")
    assert re.search(r"Domain-0\s+0\s", out) and "hcs" not in out, out
    write_cfg(s, "/tmp/echo.cfg", 'name = "echo"\nmemory = 16\nkernel = "%s/echo.elf"\n' % EX)
    out = sh(s, "xl create /tmp/echo.cfg; echo rc=$?; xl list")
    assert "rc=0" in out and re.search(r"^echo\s+\d+\s+16\s", out, re.M), out
    out = sh(s, "xl destroy echo; echo rc=$?")
    assert "rc=0" in out, out
    wait_gone(s, "echo")
    after = free_mib(s)
    assert after == before, "free_memory %d MiB before rivet-hcstress, %d after" % (before, after)


@test
def dom0_hostile_hypercalls_on_one_hart():
    with boot_dom0(dom0_image("dom0"), 1) as s:
        hostile_calls_leave_the_machine_sound(s, 1)


@test
def dom0_hostile_hypercalls_on_four_harts_beside_a_linux_domu():
    """The hostile calls run while a Linux DomU works on the same four harts: it carries on."""
    with boot_dom0(dom0_image("dom0"), 4) as s:
        sh(s, "xl create %s/linux.cfg" % EX, timeout=120)
        linux_console(s, "linux", "(i=0; while true; do i=$((i+1)); echo $i > /tmp/t; mv /tmp/t /tmp/n; done) & "
                      "echo started-$((1+1))", "started-2")
        err = hcstress(s, "sequences", 15) + hcstress(s, "random 3000 4", 3)
        assert not err, err
        # Its busy loop kept counting meanwhile (renamed into place: never read half-written),
        # and it still answers.
        linux_console(s, "linux", "echo count-$(cat /tmp/n)-done", "-done")
        out = sh(s, "for i in $(seq 50); do grep -q 'count-[0-9][0-9]*-done' /var/log/rivet/console/linux.log "
                    "&& break; sleep 0.2; done; grep -o 'count-[0-9]*-done' /var/log/rivet/console/linux.log")
        m = re.search(r"^count-(\d+)-done", out, re.M)
        assert m and int(m.group(1)) > 0, out
        sh(s, "xl destroy linux")
        wait_gone(s, "linux")


def linux_count(s, tag):
    """The DomU's busy-loop count (renamed into place: never read half-written), through its console."""
    linux_console(s, "linux", "echo %s-$(cat /tmp/n)-done" % tag, "-done")
    out = sh(s, "for i in $(seq 50); do grep -q '%s-[0-9][0-9]*-done' /var/log/rivet/console/linux.log "
                "&& break; sleep 0.2; done; grep -o '%s-[0-9]*-done' /var/log/rivet/console/linux.log" % (tag, tag))
    m = re.search(r"^%s-(\d+)-done" % tag, out, re.M)
    assert m, out
    return int(m.group(1))


@test
def dom0_hostile_balloon_loops_beside_a_linux_domu():
    """A hostile balloon in Dom0 (rivet-hcstress balloon): 600 rounds of scattered pages out of a
    running domain of its own and back, as one list call each way and as single-page calls, as
    fast as it goes, while a Linux DomU counts on the same two harts. Every page comes back
    zeroed and its neighbours keep their data; the Linux domain counted on and still answers;
    the machine stays up with every byte of free memory back."""
    with boot_dom0(dom0_image("dom0"), 2) as s:
        sh(s, "xl create %s/linux.cfg" % EX, timeout=120)
        linux_console(s, "linux", "(i=0; while true; do i=$((i+1)); echo $i > /tmp/t; mv /tmp/t /tmp/n; done) & "
                      "echo started-$((1+1))", "started-2")
        before = free_mib(s)
        first = linux_count(s, "first")
        err = hcstress(s, "balloon 600 7", 3, timeout=600)
        assert not err, err
        second = linux_count(s, "second")
        assert second > first, "the Linux DomU's count went from %d to %d" % (first, second)
        out = sh(s, "dmesg | grep -c -i -E 'oops|kernel bug|panic|unable to handle'")
        assert re.search(r"^0$", out, re.M), sh(s, "dmesg | tail -30")
        assert free_mib(s) == before, "free memory %d MiB before, %d after" % (before, free_mib(s))
        sh(s, "xl destroy linux")
        wait_gone(s, "linux")


@test
def dom0_hostile_hypercalls_and_xl_create_failures_on_two_harts():
    with boot_dom0(dom0_image("dom0"), 2) as s:
        hostile_calls_leave_the_machine_sound(s, 2)
        before = free_mib(s)

        # The case: refused before anything exists, no zombie, and the next create works.
        out = sh(s, "xl create %s/linux.cfg memory=2000; echo rc=$?" % EX)
        assert re.search(r"xl: %s/linux.cfg: memory: not enough free memory for 2000 MiB \(\d+ MiB free\)"
                         % EX, out) and "rc=1" in out, out
        no_row(s, "linux")

        # A kernel that is not there.
        write_cfg(s, "/tmp/nok.cfg", 'name = "nok"\nmemory = 16\nkernel = "/nonexistent/k.elf"\n')
        out = sh(s, "xl create /tmp/nok.cfg; echo rc=$?")
        assert "xl: /tmp/nok.cfg:3: kernel: cannot read '/nonexistent/k.elf'" in out and "rc=1" in out, out
        no_row(s, "nok")

        # The record directory cannot be written: the domain was created, so it is destroyed again.
        write_cfg(s, "/tmp/echo.cfg", 'name = "echo"\nmemory = 16\nkernel = "%s/echo.elf"\n' % EX)
        out = sh(s, "touch /tmp/not-a-dir; RIVET_RUN_DIR=/tmp/not-a-dir xl create /tmp/echo.cfg; echo rc=$?")
        assert "cannot record domain" in out and "rc=1" in out, out
        no_row(s, "echo")

        # A name that is taken.
        sh(s, "xl create /tmp/echo.cfg")
        out = sh(s, "xl create /tmp/echo.cfg; echo rc=$?; xl list | grep -c '^echo '")
        assert "/tmp/echo.cfg:1: name: a domain named 'echo' already exists" in out and "rc=1" in out, out
        assert re.search(r"^1$", out, re.M), out
        sh(s, "xl destroy echo")
        wait_gone(s, "echo")
        after = free_mib(s)
        assert after == before, "free_memory %d MiB before the failed creates, %d after" % (before, after)

        out = sh(s, "xl create %s/linux.cfg; echo rc=$?; xl list" % EX, timeout=120)
        assert "rc=0" in out and re.search(r"^linux\s+\d+\s+128\s+2\s", out, re.M), out
        sh(s, "xl destroy linux")
        wait_gone(s, "linux")
        after = free_mib(s)
        assert after == before, "free_memory %d MiB before linux, %d after" % (before, after)


@test
def dom0_poweroff_ends_the_machine():
    with boot_dom0(dom0_image("dom0"), 2) as s:
        write_cfg(s, "/tmp/echo.cfg", 'name = "echo"\nmemory = 16\nkernel = "%s/echo.elf"\n' % EX)
        write_cfg(s, "/tmp/sbi.cfg", 'name = "waiter"\nmemory = 16\nkernel = "%s/echo_dbcn.elf"\n' % GUESTS)
        out = sh(s, "xl create /tmp/echo.cfg && xl create /tmp/sbi.cfg && xl list")
        assert re.search(r"^echo\s", out, re.M) and re.search(r"^waiter\s", out, re.M), out
        s.send("poweroff\n")
        assert s.wait_exit(90), "QEMU still runs 90 s after Dom0's poweroff:\n" + s.output[-2500:]
        tail = s.output[s.output.rfind("poweroff"):]
        for name in ("echo", "waiter"):
            assert re.search(r'domain \d+ "%s"[^\n]*destroyed' % name, tail), \
                "%s not named as destroyed:\n%s" % (name, tail[-2500:])
        assert DOM0_PROMPT not in tail, tail[-2500:]


@test
def dom0_ioreq_with_honest_and_lying_device_models_on_two_harts():
    """rivet-hcstress serves its own domains' MMIO: every load/store form arrives decoded and
    is answered into the right register; lying device models crash or pause only their domain."""
    with boot_dom0(dom0_image("dom0"), 2) as s:
        before = free_mib(s)
        err = hcstress(s, "ioreq", 10, timeout=120)
        assert not err, err
        log = sh(s, "xl dmesg | grep -E 'crashed: its device model|paused: its device model'")
        for why in ("answered a request nobody made", "took back a request unanswered",
                    "wrote an unknown request state", "made up a request", "broke the posted-write ring",
                    "paused: its device model went away"):
            assert why in log, "no microvisor log line with '%s':\n%s" % (why, log)
        log = sh(s, "xl dmesg | grep -c 'crashed: load address misaligned with no trap handler'")
        assert re.search(r"^1$", log, re.M), "a misaligned MMIO load did not reach the guest as its exception"
        out = sh(s, "xl list")
        assert re.search(r"Domain-0\s+0\s", out) and "hcs" not in out, out
        assert free_mib(s) == before
