# SPDX-License-Identifier: MIT
"""A domain's RAM reads as zeros when it starts (guests/zerocheck.c): after restarts of
boot domains that dirtied it, and when domains built by a Dom0 stand-in get the pages
other domains dirtied and freed, whether idle harts scrubbed them or populate zeroed them."""
import os
import subprocess

from integration import test, image, cfg, write_cfg, boot, expect, tail, powered_off, B

CLEAN = "read as zeros"


def no_fails(r, where):
    fails = [l for l in r.lines() if "FAIL" in l or l.startswith("trap: ") or "panic" in l]
    assert not fails, where + ": " + "\n".join(fails) + "\n" + tail(r)


@test
def mem_clean_after_restarts():
    """Three boot domains each read their RAM, dirty it all and reboot, over and over; their
    trees list Zicboz exactly when the host has it, and then cbo.zero works in them."""
    cfgs = [cfg("zerocheck")]
    for n in ("zc2", "zc3"):
        cfgs.append(write_cfg(n + ".cfg", 'name = "%s"\nmemory = 16\nvcpus = 1\non_reboot = "restart"\n'
                              'kernel = "{guests}/zerocheck.elf"\n' % n))
    img = image("zerocheck", cfgs)
    # Without Zicboz the microvisor zeroes with stores and must not tell guests of it.
    for smp, cpu in ((1, "rv64"), (2, "rv64"), (2, "rv64,zicboz=false")):
        r = boot(img, smp=smp, timeout=120, until='"zc3" rebooted: restarting it (restart 6)',
                 extra=["-cpu", cpu])
        where = "on %d hart(s), -cpu %s" % (smp, cpu)
        if cpu == "rv64":
            expect(r, "(rivet) pages are zeroed with Zicboz cbo.zero, 64-byte blocks", where)
            expect(r, "[zc2] zerocheck: Zicboz listed, cbo.zero zeroed 64 bytes", where)
        else:
            assert "Zicboz" not in "".join(l for l in r.lines() if l.startswith("(rivet)")), tail(r)
            expect(r, "[zc2] zerocheck: Zicboz not listed", where)
        no_fails(r, where)
        expect(r, '"zc3" rebooted: restarting it (restart 6)', where)
        for name in ("zerocheck", "zc2", "zc3"):
            lives = sum(1 for l in r.domain_lines(name) if l.startswith("zerocheck: vcpu 0: all ") and CLEAN in l)
            assert lives >= 2, "%s %s: %d clean starts\n%s" % (name, where, lives, tail(r))


@test
def mem_clean_after_reuse_by_other_domains():
    """ctlzero builds ten pairs of 8 MiB domains in turn; each pair gets what the last dirtied."""
    out = os.path.join(B["out"], "ctlzero.img")
    c = write_cfg("ctlzero.cfg", 'name = "ctlzero"\nmemory = 16\nkernel = "{guests}/ctlzero.elf"\n')
    p = subprocess.run([B["mkimage"], "-o", out, "-u", B["uvm"], "-d", c], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    for smp in (1, 2):
        r = boot(out, smp=smp, timeout=180)
        where = "on %d hart(s)" % smp
        no_fails(r, where)
        clean = [l for l in r.lines() if l.startswith("ctl: child says: zerocheck: vcpu 0: all ") and CLEAN in l]
        assert len(clean) == 20, "%s: %d clean starts of 20\n%s" % (where, len(clean), tail(r))
        expect(r, "ctl: 10 zero cycles", where)
        expect(r, "ctl: all ok", where)
        powered_off(r)
