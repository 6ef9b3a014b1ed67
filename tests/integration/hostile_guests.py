# SPDX-License-Identifier: MIT
"""Hostile guests: a domain making random SBI calls and hypercalls (guests/sbifuzz.c) must
not hurt the microvisor or any other domain. Each run names its seed: rerun that seed with
extra = "seed=S calls=N trace" in a config to see every call."""
from qemu import boot
from integration import test, image, cfg, write_cfg, expect, powered_off, tail

NEIGHBOURS = ("hello", "hello2", "smp", "timer", "sbi")


def fuzz_cfg(seed, calls, more="", name="sbifuzz"):
    return write_cfg("%s_%d.cfg" % (name, seed),
                     'name = "%s"\nmemory = 16\nvcpus = 4\n'
                     'extra = "seed=%d calls=%d%s"\nkernel = "{guests}/sbifuzz.elf"\n'
                     % (name, seed, calls, more))


def hello_lines(name):
    return ["%s from vcpu 0" % name] + ["%s: %d" % (name, i) for i in range(1, 6)] + ["%s: done" % name]


def fuzz_beside_neighbours(smp, seeds, calls):
    """One fuzzing domain per seed (the second opens event channels with the first)."""
    where = "seeds %s on %d hart%s" % (seeds, smp, "s" if smp > 1 else "")
    names = ["sbifuzz%s" % (i + 1 if i else "") for i in range(len(seeds))]
    img = image("sbifuzz_%d" % smp, [fuzz_cfg(s, calls, name=n) for s, n in zip(seeds, names)] +
                [cfg(n) for n in NEIGHBOURS])
    r = boot(img, smp=smp, mem="1G", timeout=150)
    assert "PANIC" not in r.output, where + ":\n" + tail(r)
    for seed, name in zip(seeds, names):
        fails = [l for l in r.domain_lines(name) if "sbifuzz: FAIL" in l or "trap: " in l]
        assert not fails, where + ": " + "\n".join(fails)
        expect(r, "[%s] sbifuzz: seed %d, 4 vcpus, %d calls each" % (name, seed, calls), where)
        expect(r, "[%s] sbifuzz: %d calls, seed %d, done" % (name, 4 * calls, seed), where)
        resumed = [l for l in r.domain_lines(name) if l.endswith(" non-retentive suspends came back")]
        assert resumed and int(resumed[0].split()[1]) > 0, "%s: no non-retentive suspend came back: %s" % (
            where, resumed)
    for name in ("hello", "hello2"):
        assert r.domain_lines(name) == hello_lines(name), "%s: [%s] lines: %r" % (
            where, name, r.domain_lines(name))
    expect(r, "[smp] smp: all 4 vcpus ok", where)
    expect(r, "[timer] timer: done", where)
    expect(r, "[sbi] sbi: 60 passed, 0 failed", where)
    powered_off(r)
    expect(r, "%d powered off, 0 crashed" % (len(seeds) + len(NEIGHBOURS)), where)


def ipi_storm_beside(smp):
    """A domain whose vCPUs hand one hart back and forth with IPIs (directed yields) for 1.5 s of
    guest time without ever blocking: domains beside it on that hart still get their share, so
    they finish before it is over."""
    where = "IPI storm on hart 0 of %d" % smp
    img = image("ipistorm_%d" % smp, [cfg("ipistorm"), cfg("hello"), cfg("timer"), cfg("smp")])
    r = boot(img, smp=smp, mem="512M", timeout=150)
    assert "PANIC" not in r.output, where + ":\n" + tail(r)
    storm = r.domain_lines("ipistorm")
    assert not [l for l in storm if "FAIL" in l], where + ": " + "\n".join(storm)
    expect(r, "[ipistorm] ipistorm: done", where)
    rounds = [l for l in storm if l.endswith("vcpu 2 got some")]
    assert rounds and int(rounds[0].split()[1]) >= 100, "%s: too few rounds, or vCPU 2 got no IPI: %s" % (
        where, storm)
    assert r.domain_lines("hello") == hello_lines("hello"), "%s: [hello] lines: %r" % (
        where, r.domain_lines("hello"))
    # Starved, they would finish only once the storm is over.
    expect(r, "[ipistorm] ipistorm: pure storm over", where)
    end = r.output.index("[ipistorm] ipistorm: pure storm over")
    for done in ("[hello] hello: done", "[timer] timer: done", "[smp] smp: all 4 vcpus ok"):
        expect(r, done, where)
        assert r.output.index(done) < end, "%s: %r only after the storm ended:\n%s" % (where, done, tail(r, 40))
    powered_off(r)
    expect(r, "4 powered off, 0 crashed", where)


@test
def ipi_storm_leaves_its_hart_to_other_domains():
    ipi_storm_beside(1)


@test
def ipi_storm_on_one_of_two_harts():
    ipi_storm_beside(2)


@test
def sbi_fuzz_beside_other_domains_on_one_hart():
    fuzz_beside_neighbours(1, [101], 20000)


@test
def sbi_fuzz_beside_other_domains_on_two_harts():
    fuzz_beside_neighbours(2, [102, 202], 12000)


@test
def sbi_fuzz_beside_other_domains_on_four_harts():
    fuzz_beside_neighbours(4, [104, 204], 12000)


@test
def dbcn_flood_comes_out_whole_and_in_order():
    """Writes of several KiB (DBCN may take them in parts) beside a domain printing
    its own lines: every line of both arrives whole, once, in order."""
    n = 600
    img = image("sbiflood", [fuzz_cfg(7, 50, " flood=%d" % n), cfg("hello"), cfg("hello2")])
    r = boot(img, smp=2, timeout=60)
    want = ["sbifuzz: flood %d of %d %s" % (i, n, "".join(chr(97 + (i * 7 + j) % 26) for j in range(64)))
            for i in range(n)]
    got = [l for l in r.domain_lines("sbifuzz") if l.startswith("sbifuzz: flood ")]
    assert got == want, "flood lines differ; first difference at %s:\n%s" % (
        next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want))), tail(r))
    for name in ("hello", "hello2"):
        assert r.domain_lines(name) == hello_lines(name), "[%s] lines: %r" % (name, r.domain_lines(name))
    expect(r, "[sbifuzz] sbifuzz: 200 calls, seed 7, done")
    powered_off(r)


@test
def legacy_getchar_returns_byte_1():
    """Byte 0x01 (Ctrl-A once, then another key) reaches a legacy getchar guest as
    itself: it once doubled as the 'no return' marker and left a0 unwritten."""
    from qemu import Session
    c = write_cfg("echo_ctrl_a.cfg", 'name = "echo"\nmemory = 8\nkernel = "{guests}/echo.elf"\n')
    with Session(image("echo_ctrl_a", [c]), smp=1) as s:
        s.expect("[echo] echo: type a line", 30)
        s.send("a\x01\x01c\n")    # QEMU's own escape is Ctrl-A too: Ctrl-A Ctrl-A sends one
        s.expect("[echo] echo: got a\x01c\r\n", 30)
        s.send("quit\n")
        s.expect("(rivet) all domains ended", 30)
