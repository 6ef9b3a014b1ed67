# SPDX-License-Identifier: MIT
"""QEMU integration tests of rivet-consoled's hardening: a flooding DomU leaves Dom0
usable and its log capped; SIGHUP reopens logs; init restarts a killed daemon, which
then carries out what happened meanwhile; xl says so when the daemon is missing;
records with long strings survive a restart."""
import re

from integration import test
from integration.dom0_xl import EX, boot_dom0, sh, write_cfg, linux_console
from integration.linux_guest import dom0_image

LOGS = "/var/log/rivet/console"


def numbers(out):
    return [int(x) for x in re.findall(r"^(\d+)$", out, re.M)]


def wait_count(s, pattern, path, at_least, tries=150):
    """Waits (bounded) until PATTERN occurs AT_LEAST times in PATH; returns the count."""
    out = sh(s, "for i in $(seq %d); do [ $(cat %s 2>/dev/null | grep -c '%s') -ge %d ] && break; "
                "sleep 0.2; done; grep -c '%s' %s" % (tries, path, pattern, at_least, pattern, path),
             timeout=tries // 5 + 30)
    n = numbers(out)
    assert n and n[-1] >= at_least, "%r: %s times in %s, wanted %d:\n%s" % (
        pattern, n[-1] if n else "no", path, at_least, out)
    return n[-1]


def restart_daemon(s, args):
    """Sets the daemon's options and kills it: init must start it again with them."""
    sh(s, "echo 'RIVET_CONSOLED_ARGS=\"%s\"' > /etc/default/rivet-consoled" % args)
    out = sh(s, "p=$(pidof rivet-consoled); echo old=$p; kill -9 $p; "
                "for i in $(seq 100); do q=$(pidof rivet-consoled); "
                "[ -n \"$q\" ] && [ \"$q\" != \"$p\" ] && break; sleep 0.2; done; "
                "echo new=$q; ps | grep '[r]ivet-consoled -f'", timeout=60)
    old = re.search(r"old=(\d+)", out)
    new = re.search(r"new=(\d+)", out)
    assert old and new and old.group(1) != new.group(1), "not restarted by init:\n" + out
    assert args in out, "restarted without its options:\n" + out


@test
def dom0_consoled_flood_cap_and_signals():
    img = dom0_image("dom0")
    with boot_dom0(img, 2) as s:
        # A small cap, to see rotations (a DomU's hvc console gives a few KiB/s under
        # TCG), and a tight rate limit, which `yes` exceeds for sure.
        restart_daemon(s, "--log-size 4K --rate-limit 5 --rate-period 1000")

        # A Linux DomU runs `yes` for 20 s, then says it is done.
        sh(s, "xl create %s/linux.cfg" % EX, timeout=120)
        linux_console(s, "linux", "(sleep 3; yes & p=$!; sleep 20; kill $p; echo flood-over-$((6*7))) & "
                      "echo started-$((1+1))", "started-2")
        # Dom0's shell answers during the flood, and xl still works.
        out = sh(s, "sleep 6; echo alive-$((20+22)); xl list", timeout=60)
        assert "alive-42" in out and re.search(r"^linux\s+\d+\s", out, re.M), out
        # The output after the flood arrives; the log and its one rotation stay under the cap.
        wait_count(s, "flood-over-42", LOGS + "/linux.log", 1, tries=300)
        out = sh(s, "stat -c '%%s %%n' %s/linux.log %s/linux.log.1; grep -c '^y' %s/linux.log.1; "
                    "grep -c 'console output over 5 reads in 1000 ms' /var/log/rivet/consoled.log"
                    % (LOGS, LOGS, LOGS))
        sizes = dict((n, int(v)) for v, n in re.findall(r"^(\d+) (\S+)$", out, re.M))
        assert set(sizes) == {LOGS + "/linux.log", LOGS + "/linux.log.1"}, "no rotation:\n" + out
        assert all(v <= 4096 for v in sizes.values()), "over the 4 KiB cap:\n" + out
        n = numbers(out)
        assert len(n) == 2 and n[0] > 500 and n[1] >= 1, "no flood in the log, or not rate limited:\n" + out

        # SIGHUP: after mv, new output lands in a new linux.log.
        sh(s, "mv %s/linux.log /tmp/linux.old; kill -HUP $(pidof rivet-consoled)" % LOGS)
        linux_console(s, "linux", "echo after-hup-$((40+2))", "after-hup-42")
        out = sh(s, "grep -c after-hup-42 %s/linux.log; grep -c after-hup-42 /tmp/linux.old; "
                    "grep -c 'SIGHUP: reopened' /var/log/rivet/consoled.log" % LOGS)
        assert numbers(out) == [1, 0, 1], "SIGHUP did not reopen the log:\n" + out

        # SIGTERM: a clean exit (socket gone), then init starts it again.
        out = sh(s, "p=$(pidof rivet-consoled); kill $p; sleep 1; grep -c 'SIGTERM: exiting' "
                    "/var/log/rivet/consoled.log; for i in $(seq 100); do q=$(pidof rivet-consoled); "
                    "[ -n \"$q\" ] && [ \"$q\" != \"$p\" ] && break; sleep 0.2; done; echo back=$q", timeout=60)
        assert numbers(out)[:1] == [1] and re.search(r"back=\d+", out), out
        out = sh(s, "xl destroy linux; echo rc=$?")
        assert "rc=0" in out, out


@test
def dom0_consoled_restart_catches_up_and_long_records():
    img = dom0_image("dom0")
    with boot_dom0(img, 2) as s:
        for name, restart in (("again", 'on_poweroff = "restart"\n'), ("other", "")):
            write_cfg(s, "/tmp/%s.cfg" % name, 'name = "%s"\nmemory = 16\n%skernel = "%s/echo.elf"\n'
                      % (name, restart, EX))
            sh(s, "xl create /tmp/%s.cfg" % name)
            wait_count(s, "type a line", "%s/%s.log" % (LOGS, name), 1)

        # Held down (init's script waits while the hold file exists), the daemon is missing
        # for sure: xl says so at once instead of hanging.
        out = sh(s, "touch /run/rivet/consoled.hold; kill -9 $(pidof rivet-consoled); sleep 1; "
                    "pidof rivet-consoled || echo no-daemon")
        assert "no-daemon" in out, out
        out = sh(s, "xl console again; echo rc=$?")
        assert "xl: console: rivet-consoled is not running" in out and "rc=1" in out, out
        # again powers off while the daemon is down: nothing carries out on_poweroff yet.
        out = sh(s, "xl shutdown -F again; sleep 1; xl list again")
        assert re.search(r"^again\s+\d+\s+\d+\s+\d+\s+[-a-z]{3}s[-a-z]{2}\s", out, re.M), out
        out = sh(s, "xl shutdown -F -w other; echo rc=$?", timeout=60)
        assert "rivet-consoled is not running to carry out its on_poweroff" in out and "rc=1" in out, out
        sh(s, "echo marker-before-restart >> %s/again.log" % LOGS)

        # Back: it destroys other, restarts again, and continues the log.
        sh(s, "rm /run/rivet/consoled.hold")
        wait_count(s, "type a line", LOGS + "/again.log", 2)
        out = sh(s, "for i in $(seq 50); do xl list other >/dev/null 2>&1 || break; sleep 0.2; done; "
                    "xl list; grep -c marker-before-restart %s/again.log" % LOGS)
        assert re.search(r"^again\s+\d+\s+16\s+1\s+", out, re.M) and not re.search(r"^other\s", out, re.M), out
        assert numbers(out)[-1:] == [1], "again.log was truncated:\n" + out
        sh(s, "xl destroy again")

        # A 3 KiB config path, a 3 KiB kernel= and a 1000-byte extra= survive a reboot.
        sh(s, "seg=$(head -c 200 /dev/zero | tr '\\0' d); D=/tmp; for i in $(seq 15); do D=$D/$seg$i; done; "
              "mkdir -p $D; cp %s/echo.elf $D/; X=$(head -c 1000 /dev/zero | tr '\\0' x); echo ${#D}" % EX)
        write_cfg(s, "$D/long.cfg", 'name = "long"\nmemory = 16\non_reboot = "restart"\nkernel = "none.elf"\n')
        out = sh(s, "xl create -q $D/long.cfg \"kernel=\\\"$D/echo.elf\\\"\" \"extra=\\\"$X\\\"\"; echo rc=$?; "
                    "wc -c < /run/rivet/domains/$(xl list long | awk '/^long/ {print $2}')", timeout=60)
        assert "rc=0" in out and numbers(out) and numbers(out)[-1] > 7000, out
        wait_count(s, "type a line", LOGS + "/long.log", 1)
        out = sh(s, "xl reboot -wF long; echo rc=$?", timeout=90)
        assert "has been shut down" in out and "rc=0" in out, out
        wait_count(s, "type a line", LOGS + "/long.log", 2)
        out = sh(s, "id=$(xl list long | awk '/^long/ {print $2}'); grep -c \"^config=$D/long.cfg$\" "
                    "/run/rivet/domains/$id; grep -c \"^arg=extra=\\\"$X\\\"$\" /run/rivet/domains/$id; "
                    "grep -c 'restart (pid [0-9]*) failed' /var/log/rivet/consoled.log")
        assert numbers(out) == [1, 1, 0], "the restarted domain's record lost a long string:\n" + out
        sh(s, "xl destroy long")
