# SPDX-License-Identifier: MIT
"""QEMU integration tests of the microvisor core: each boots an image and asserts what a user sees."""
import os
import re
import subprocess

from qemu import boot

TESTS = []
B = {}   # paths, filled by setup()
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test(fn):
    TESTS.append((fn.__name__, fn))
    return fn


def setup(build):
    build = os.path.abspath(os.path.join(ROOT, build))
    B["build"] = build
    B["mkimage"] = os.path.join(build, "host", "mkimage")
    B["uvm"] = os.path.join(build, "microvisor", "rivet.bin")
    B["guests"] = os.path.join(build, "guests")
    B["out"] = os.path.join(build, "tests")
    os.makedirs(B["out"], exist_ok=True)


def cfg(name):
    return os.path.join(ROOT, "guests", "configs", name + ".cfg")


def write_cfg(fname, text):
    """A config written for one test; kernel paths may use {guests}."""
    path = os.path.join(B["out"], fname)
    with open(path, "w") as f:
        f.write(text.format(guests=B["guests"]))
    return path


def image(name, cfgs):
    out = os.path.join(B["out"], name + ".img")
    p = subprocess.run([B["mkimage"], "-o", out, "-u", B["uvm"]] + cfgs,
                       capture_output=True, text=True)
    assert p.returncode == 0, "mkimage failed: " + p.stderr.strip()
    return out


def expect(run, text, what=None):
    assert text in run.output, "%s: %r not in the console output:\n%s" % (
        what or "console", text, tail(run))


def tail(run, n=25):
    return "\n".join(run.lines()[-n:])


def powered_off(run):
    expect(run, "(rivet) all domains ended")
    assert run.exited, "QEMU did not exit by itself after the last domain ended:\n" + tail(run)


def boots_hello_pair(smp):
    img = image("pair", [cfg("hello"), cfg("hello2")])
    r = boot(img, smp=smp, timeout=60)
    expect(r, "(rivet) Rivet microvisor")
    expect(r, "%d hart%s" % (smp, "s" if smp > 1 else ""))
    expect(r, '(rivet) domain 1 "hello": 16 MiB')
    expect(r, '(rivet) domain 2 "hello2": 16 MiB')
    for name in ("hello", "hello2"):
        got = r.domain_lines(name)
        want = ["%s from vcpu 0" % name] + ["%s: %d" % (name, i) for i in range(1, 6)] + ["%s: done" % name]
        assert got == want, "[%s] lines: %r" % (name, got)
    powered_off(r)
    expect(r, "2 powered off, 0 crashed")
    return r


@test
def two_domains_interleave_on_one_hart():
    r = boots_hello_pair(1)
    # One hart, two domains: their paced lines must alternate, not run one after the other.
    lines = [l for l in r.lines() if l.startswith("[hello")]
    first_done = min(i for i, l in enumerate(lines) if l.endswith(": done"))
    assert any(l.startswith("[hello2]") for l in lines[:first_done]) and \
        any(l.startswith("[hello]") for l in lines[:first_done]), "no interleaving:\n" + "\n".join(lines)


@test
def two_domains_on_two_harts():
    boots_hello_pair(2)


@test
def many_domains_on_four_harts():
    img = image("four", [cfg("hello"), cfg("hello2"), cfg("timer"), cfg("smp"), cfg("sbi")])
    r = boot(img, smp=4, mem="1G", timeout=90)
    expect(r, "[hello] hello: done")
    expect(r, "[hello2] hello2: done")
    expect(r, "[timer] timer: done")
    expect(r, "[smp] smp: all 4 vcpus ok")
    expect(r, "[sbi] sbi: 60 passed, 0 failed")
    powered_off(r)
    expect(r, "5 powered off, 0 crashed")


@test
def sbi_conformance():
    for smp in (1, 2):
        r = boot(image("sbi", [cfg("sbi")]), smp=smp, timeout=60)
        fails = [l for l in r.domain_lines("sbi") if "FAIL" in l]
        assert not fails, "smp %d: %s" % (smp, fails)
        expect(r, "[sbi] sbi: 60 passed, 0 failed")
        powered_off(r)


@test
def hsm_more_vcpus_than_harts():
    img = image("smp", [cfg("smp")])
    for smp in (1, 2):
        r = boot(img, smp=smp, timeout=90)
        expect(r, "[smp] smp: all 4 vcpus ok", "smp %d" % smp)
        for v in (1, 2, 3):
            expect(r, "[smp] smp: vcpu %d restarted" % v)
        powered_off(r)


@test
def hsm_on_four_harts():
    r = boot(image("smp", [cfg("smp")]), smp=4, timeout=60)
    expect(r, "on harts 0,1,2,3")
    expect(r, "[smp] smp: all 4 vcpus ok")
    powered_off(r)


@test
def fp_registers_stay_private_on_one_hart():
    # Two domains take turns on hart 0, each checking its own FP pattern after every turn of
    # the other's: a vCPU must find its own registers (lazy FP restore), and a fresh one zeros.
    cfgs = [write_cfg("%s.cfg" % n, 'name = "%s"\nmemory = 16\ncpus = "0"\n'
                      'kernel = "{guests}/fpcheck.elf"\n' % n) for n in ("fpa", "fpb")]
    r = boot(image("fpcheck", cfgs), smp=2, timeout=120)
    for n in ("fpa", "fpb"):
        expect(r, "[%s] fpcheck: fresh FP registers zero" % n)
        expect(r, "[%s] fpcheck: 200 rounds, registers kept" % n)
    assert "FAIL" not in r.output, tail(r, 40)
    expect(r, "2 powered off, 0 crashed")


@test
def timer_and_wfi():
    r = boot(image("timer", [cfg("timer")]), smp=1, timeout=60)
    expect(r, "[timer] timer: 10 ticks ok")
    expect(r, "[timer] timer: sstc 3 ticks ok")
    expect(r, "[timer] timer: done")
    powered_off(r)


@test
def affinity_is_honoured():
    r = boot(image("pin", [cfg("pin")]), smp=2, timeout=60)
    expect(r, '"pin": 16 MiB')
    expect(r, "2 vCPUs on harts 1,1")
    lines = [l for l in r.domain_lines("pin") if " on hart " in l]
    assert len(lines) == 20, "expected 20 reports, got %d:\n%s" % (len(lines), tail(r))
    wrong = [l for l in lines if not l.endswith("on hart 1")]
    assert not wrong, "ran outside cpus=\"1\": %s" % wrong
    expect(r, "[pin] pin: done")
    powered_off(r)


@test
def affinity_outside_machine_falls_back():
    c = write_cfg("pin7.cfg", 'name = "pin7"\nmemory = 16\nvcpus = 2\ncpus = "7"\n'
                  'kernel = "{guests}/pin.elf"\n')
    r = boot(image("pin7", [c]), smp=2, timeout=60)
    expect(r, "cpus= names no hart of this machine")
    expect(r, "[pin7] pin: done")
    powered_off(r)


@test
def isolation_breach_stops_only_that_domain():
    img = image("breach", [cfg("hello"), cfg("cpubench"), cfg("breaker")])
    for smp in (1, 2):
        r = boot(img, smp=smp, timeout=120)
        expect(r, "[breaker] breaker: reading 0xa0000000")
        expect(r, '(rivet) domain 3 "breaker" crashed: load guest-page fault at 0xa0000000')
        assert "isolation broken" not in r.output, tail(r)
        # The long-running domain keeps going after the crash, undisturbed.
        crash_at = r.output.index('"breaker" crashed')
        assert "[cpubench] cpubench: done" in r.output[crash_at:], tail(r)
        expect(r, "[cpubench] cpubench: result 0x224b8c1f20502f00")
        expect(r, "[hello] hello: done")
        powered_off(r)
        expect(r, "2 powered off, 1 crashed")


@test
def breach_by_store_and_illegal_instruction():
    img = image("breach2", [cfg("breaker_write"), cfg("breaker_ill"), cfg("hello")])
    # The first domain dies while boot still builds the others: the machine must
    # not power off early (this once raced), so boot it a few times.
    for smp in (2, 2, 3, 4):
        r = boot(img, smp=smp, timeout=60)
        expect(r, '"breaker_write" crashed: store guest-page fault at 0x1000')
        expect(r, '"breaker_ill" crashed: illegal instruction with no trap handler')
        assert "isolation broken" not in r.output, tail(r)
        expect(r, "[hello] hello: done")
        powered_off(r)
        expect(r, "1 powered off, 2 crashed")


@test
def on_crash_restart_restarts_the_domain():
    img = image("restart", [cfg("breaker_restart"), cfg("hello")])
    r = boot(img, smp=2, timeout=60, until='"breaker" crashed: restarting it (restart 3)')
    expect(r, '"breaker" crashed: restarting it (restart 1)')
    expect(r, '"breaker" crashed: restarting it (restart 3)')
    assert r.output.count("[breaker] breaker: reading 0xa0000000") >= 3, tail(r)


@test
def on_reboot_and_on_poweroff_actions():
    restart = boot(image("reboot", [cfg("reboot")]), smp=1, timeout=60,
                   until='"reboot" rebooted: restarting it (restart 2)')
    expect(restart, '"reboot" rebooted: restarting it (restart 1)')
    assert restart.output.count("[reboot] reboot from vcpu 0") >= 2, tail(restart)
    c = write_cfg("reboot_destroy.cfg", 'name = "reboot"\nmemory = 16\non_reboot = "destroy"\n'
                  'kernel = "{guests}/reboot.elf"\n')
    d = boot(image("reboot_destroy", [c]), smp=1, timeout=60)
    expect(d, '"reboot" rebooted: destroyed')
    powered_off(d)
    c = write_cfg("hello_again.cfg", 'name = "again"\nmemory = 16\non_poweroff = "restart"\n'
                  'kernel = "{guests}/hello.elf"\n')
    p = boot(image("again", [c]), smp=1, timeout=60, until="powered off: restarting it (restart 2)")
    expect(p, '"again" powered off: restarting it (restart 1)')
    assert p.output.count("[again] hello: done") >= 2, tail(p)


@test
def stopping_the_last_vcpu_ends_the_domain():
    c = write_cfg("hartstop.cfg", 'name = "hartstop"\nmemory = 8\nkernel = "{guests}/hartstop.elf"\n')
    r = boot(image("hartstop", [c]), smp=2, timeout=60)
    expect(r, "[hartstop] hartstop: stopping my only vcpu")
    expect(r, '"hartstop" stopped its last vCPU: powering it off')
    assert "FAIL" not in r.output, tail(r)
    powered_off(r)


@test
def dom0_builds_runs_and_destroys_domains():
    """A bare-metal Dom0 stand-in drives the control hypercalls: 20 build/run/destroy
    cycles with memory returned, console relayed, bad requests refused; lifecycle
    sequences (overlapping populate, release while mapped or running, destroy
    before start, double destroy) fail cleanly or finish; ballooning's calls (errors, a page
    out of a 2 MiB block Dom0 maps, back zeroed) keep every byte; 17000 domain lives
    roll the VMID generation over while a child runs, on 1, 2 and 4 harts."""
    out = os.path.join(B["out"], "ctl.img")
    p = subprocess.run([B["mkimage"], "-o", out, "-u", B["uvm"], "-d", cfg("ctl")],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    for smp in (1, 2, 4):
        r = boot(out, smp=smp, timeout=240)
        expect(r, '(rivet) domain 0 "ctl": 16 MiB')
        expect(r, "privileged (Dom0)")
        expect(r, "ctl: child says: hello: done")
        expect(r, "ctl: %d harts" % smp)
        expect(r, "ctl: event channel: dom_exc delivered")
        expect(r, "ctl: vcpu pinned to hart 0")
        expect(r, "ctl: 20 cycles")
        expect(r, "ctl: lifecycle checks done")
        expect(r, "ctl: balloon list checks done")
        expect(r, "ctl: balloon checks done")
        expect(r, "(rivet) VMIDs used up: generation 2 begins")
        expect(r, "ctl: 17000 domain lives")
        assert r.output.count("ctl: child says: hello: done") == 3, tail(r)
        fails = [l for l in r.lines() if l.startswith("ctl: FAIL")]
        assert not fails, "\n".join(fails)
        expect(r, "ctl: all ok")
        powered_off(r)
        expect(r, "17026 destroyed")


@test
def console_input_reaches_the_focused_domain():
    from qemu import Session
    for kernel in ("echo", "echo_dbcn"):
        c = write_cfg(kernel + ".cfg", 'name = "echo"\nmemory = 8\nkernel = "{guests}/%s.elf"\n' % kernel)
        with Session(image(kernel, [c, cfg("hello")]), smp=2) as s:
            s.expect('console input goes to domain 1 "echo"', 30)
            # The boot hart logs that line while echo already runs on the other hart: its
            # prompt may come before or after it.
            if "[echo] echo: type a line" not in s.output:
                s.expect("[echo] echo: type a line", 30)
            s.send("abc 123\n")
            s.expect("[echo] echo: got abc 123", 30)
            s.send("quit\n")
            s.expect("[echo] echo: bye", 30)
            s.expect("(rivet) all domains ended", 30)


@test
def small_machine_and_raw_kernel():
    c = write_cfg("raw.cfg", 'name = "raw"\nmemory = 8\nkernel = "{guests}/hello2.bin"\n')
    r = boot(image("raw", [c, cfg("hello")]), smp=1, mem="256M", timeout=60)
    expect(r, '"raw": 8 MiB')
    expect(r, "[raw] hello2: done")
    powered_off(r)


@test
def bad_config_is_refused_with_one_line():
    c = write_cfg("bad.cfg", 'name = "bad"\nmemory = "lots"\nkernel = "{guests}/hello.elf"\n')
    out = os.path.join(B["out"], "bad.img")
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run([B["mkimage"], "-o", out, "-u", B["uvm"], c], capture_output=True, text=True)
    assert p.returncode != 0, "mkimage accepted a bad config"
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.cfg" in lines[0] and "memory" in lines[0], p.stderr
    assert not os.path.exists(out), "an image was written despite the error"
    m = write_cfg("nokernel.cfg", 'name = "nok"\nkernel = "/nonexistent/k.elf"\n')
    p = subprocess.run([B["mkimage"], "-o", out, "-u", B["uvm"], m], capture_output=True, text=True)
    assert p.returncode != 0 and "kernel" in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr


@test
def make_image_and_plain_qemu_line():
    """The documented user path: make image DOMAINS=..., then the plain QEMU line."""
    p = subprocess.run(["make", "-s", "image", "DOMAINS=guests/configs/hello.cfg guests/configs/smp.cfg",
                        "BUILD=" + os.path.relpath(B["build"], ROOT)],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    r = boot(os.path.join(B["build"], "rivet.img"), smp=2, mem="1G", timeout=60)
    expect(r, "[hello] hello: done")
    expect(r, "[smp] smp: all 4 vcpus ok")
    powered_off(r)


def load_linux_tests():
    """Linux-guest tests need the kernel and initramfs; run.py asks for them with --linux."""
    from integration import linux_guest  # noqa: F401  (registers its tests)
    from integration import dom0_xl  # noqa: F401
    from integration import dom0_consoled  # noqa: F401
    from integration import dom0_hostile  # noqa: F401
    from integration import devices  # noqa: F401
    from integration import devices_hostile  # noqa: F401
    from integration import dom0_devices  # noqa: F401
    from integration import dm_restart  # noqa: F401
    from integration import network  # noqa: F401
    from integration import power_button  # noqa: F401
    from integration import balloon  # noqa: F401
    from integration import xl_sched  # noqa: F401
    from integration import xl_commands  # noqa: F401
    from integration import watchdog  # noqa: F401
    from integration import coredump  # noqa: F401
    from integration import vcpu_set  # noqa: F401
    _load_matching("linux_sbi_")


def _load_matching(prefix):
    """Registers the tests of every tests/integration/PREFIX*.py (one file per SBI extension)."""
    import importlib
    here = os.path.dirname(os.path.abspath(__file__))
    for f in sorted(os.listdir(here)):
        if f.startswith(prefix) and f.endswith(".py"):
            importlib.import_module("integration." + f[:-3])


from integration import hostile_guests  # noqa: E402,F401  (registers its tests)
from integration import memory_clean  # noqa: E402,F401
from integration import sched_shares  # noqa: E402,F401
_load_matching("sbi_")
