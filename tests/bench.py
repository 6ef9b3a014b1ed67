#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench.py: prints Rivet's performance figures. Under QEMU -icount the guest-visible
instruction counts and time are deterministic; wall-clock figures are labelled as such."""
import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu import boot  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICOUNT = ["-icount", "shift=0,sleep=off"]   # 1 insn = 1 ns; idle time skipped, so runs repeat exactly
CYCLES = 1000                               # xl create + xl destroy cycles in Dom0


def grab(run, pattern, what):
    m = re.search(pattern, run.output)
    if not m:
        sys.exit("bench: no %s in the output:\n%s" % (what, run.output[-3000:]))
    return [int(g) for g in m.groups()]


def dom0_figures(build):
    """Boots Dom0 under -icount and times xl create from Dom0's own clock (rdtime)."""
    from qemu import Session
    p = subprocess.run(["make", "-s", "image", "DOM0=y", "BUILD=" + os.path.relpath(build, ROOT)],
                       cwd=ROOT, capture_output=True, text=True)
    if p.returncode:
        sys.exit("bench: make image DOM0=y failed:\n" + p.stderr[-2000:])
    img = os.path.join(build, "bench", "dom0.img")
    os.replace(os.path.join(build, "rivet.img"), img)
    prompt = "Domain-0:/# "
    res = {}
    with Session(img, smp=2, mem="1G", extra=ICOUNT) as s:
        s.expect(prompt, 600)

        def sh(cmd):
            s.send(cmd + "\n")
            return s.expect(prompt, 600).replace("\r", "")

        def ticks(out, what):
            m = re.search(r"^T(\d+)$", out, re.M)
            if not m:
                sys.exit("bench: no %s in:\n%s" % (what, out))
            return int(m.group(1))

        t0 = time.monotonic()
        sh("printf 'name = \"stamp\"\\nmemory = 16\\nkernel = \"/usr/lib/rivet/guests/stamp.elf\"\\n' > /tmp/stamp.cfg")
        out = sh("a=$(rdtime); xl create -q /tmp/stamp.cfg; "
                 "until grep -q 'at tick' /var/log/rivet/console/stamp.log 2>/dev/null; do :; done; "
                 "b=$(sed -n 's/.*at tick \\([0-9]*\\).*/\\1/p' /var/log/rivet/console/stamp.log); "
                 "echo T$((b - a))")
        res["hello_wall"] = time.monotonic() - t0
        res["hello_ticks"] = ticks(out, "hello timing")
        t0 = time.monotonic()
        out = sh("a=$(rdtime); xl create -q /etc/rivet/examples/linux.cfg; "
                 "until grep -q 'up at tick' /var/log/rivet/console/linux.log 2>/dev/null; do :; done; "
                 "b=$(sed -n 's/.*up at tick \\([0-9]*\\).*/\\1/p' /var/log/rivet/console/linux.log); "
                 "echo T$((b - a))")
        res["linux_wall"] = time.monotonic() - t0
        res["linux_ticks"] = ticks(out, "Linux DomU timing")
        out = sh("grep VmRSS /proc/$(pidof rivet-consoled)/status")
        m = re.search(r"VmRSS:\s+(\d+)", out)
        res["consoled_rss"] = int(m.group(1)) if m else -1
        out = sh("xl dmesg | grep 'linux\" created'")
        m = re.search(r"overhead (\d+) KiB", out)
        res["domu_overhead"] = int(m.group(1)) if m else -1

        # xl create + xl destroy of a small bare-metal domain (it waits for input, so
        # destroy always meets it running), CYCLES times; free memory to the byte.
        sh("xl destroy linux; xl destroy stamp 2>/dev/null; "
           "printf 'name = \"cyc\"\\nmemory = 16\\nkernel = \"/etc/rivet/examples/echo.elf\"\\n' > /tmp/cyc.cfg")
        out = sh("sleep 1; rivet-hcstress free")
        before = ticks(out.replace("free_bytes ", "T"), "free memory before the cycles")
        t0 = time.monotonic()
        # A name per cycle: xl destroy does not wait for the domain to be gone.
        out = sh("n=0; a=$(rdtime); for i in $(seq %d); do xl create -q /tmp/cyc.cfg name=c$i && "
                 "xl destroy c$i && n=$((n+1)); done; b=$(rdtime); echo T$((b - a)); echo N$n" % CYCLES)
        res["cycle_wall"] = (time.monotonic() - t0) / CYCLES
        res["cycle_ticks"] = ticks(out, "create/destroy timing") / CYCLES
        m = re.search(r"^N(\d+)$", out, re.M)
        res["cycles_ok"] = int(m.group(1)) if m else -1
        out = sh("sleep 1; rivet-hcstress free")
        res["cycle_lost"] = before - ticks(out.replace("free_bytes ", "T"), "free memory after the cycles")
        out = sh("xl info | sed -n 's/^timebase_hz *: */T/p'")
        res["timebase"] = ticks(out, "the timebase")
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    build = os.path.join(ROOT, args.build)
    out = os.path.join(build, "bench")
    os.makedirs(out, exist_ok=True)
    mk = os.path.join(build, "host", "mkimage")
    uvm = os.path.join(build, "microvisor", "rivet.bin")
    guests = os.path.join(build, "guests")

    def image(name, cfgs):
        img = os.path.join(out, name + ".img")
        subprocess.run([mk, "-o", img, "-u", uvm] + [os.path.join(ROOT, "guests", "configs", c + ".cfg")
                                                     for c in cfgs], check=True)
        return img

    micro = boot(image("bench", ["bench"]), smp=1, timeout=120, extra=ICOUNT)
    null_rivet, = grab(micro, r"\[bench\] bench: null sbi call: (\d+) instructions", "null call")
    switch, = grab(micro, r"\[bench\] bench: vcpu switch: (\d+) instructions", "vcpu switch")
    bare = boot(os.path.join(guests, "bench.elf"), smp=1, timeout=120, extra=ICOUNT)
    null_bare, = grab(bare, r"bench: null sbi call: (\d+) instructions", "bare null call")

    cpu_img = image("cpubench", ["cpubench"])
    rivet = boot(cpu_img, smp=1, timeout=300, extra=ICOUNT)
    t_rivet, i_rivet = grab(rivet, r"\[cpubench\] cpubench: (\d+) ticks, (\d+) instructions", "cpubench")
    direct = boot(os.path.join(guests, "cpubench.elf"), smp=1, timeout=300, extra=ICOUNT)
    t_bare, i_bare = grab(direct, r"cpubench: (\d+) ticks, (\d+) instructions", "bare cpubench")
    wall_rivet = boot(cpu_img, smp=1, timeout=300)
    w_rivet, _ = grab(wall_rivet, r"\[cpubench\] cpubench: (\d+) ticks, (\d+)", "cpubench (wall)")
    wall_bare = boot(os.path.join(guests, "cpubench.elf"), smp=1, timeout=300)
    w_bare, _ = grab(wall_bare, r"cpubench: (\d+) ticks, (\d+)", "bare cpubench (wall)")

    linux_dir = os.path.join(build, "linux")
    banner = r"Rivet domain linux: Linux [^\n]*up at tick (\d+)"
    linux_img = os.path.join(out, "linux.img")
    subprocess.run([mk, "-o", linux_img, "-u", uvm, os.path.join(ROOT, "guests", "linux", "linux.cfg")],
                   check=True)
    # QEMU puts a fresh rng-seed in its device tree at every boot, which changes
    # Linux's path through boot; a dumped tree without it makes runs repeat exactly.
    bare_dtb = os.path.join(out, "bare-virt.dtb")
    subprocess.run(["qemu-system-riscv64", "-M", "virt,dumpdtb=" + bare_dtb, "-cpu", "rv64",
                    "-smp", "2", "-m", "128M", "-nographic"], check=True, capture_output=True)
    subprocess.run(["fdtput", "-d", bare_dtb, "/chosen", "rng-seed"], check=True)
    bare_linux = ["-dtb", bare_dtb, "-initrd", os.path.join(linux_dir, "rootfs.cpio"),
                  "-append", "console=hvc0 earlycon=sbi quiet"]
    lr = boot(linux_img, smp=2, mem="512M", timeout=300, until="up at tick", extra=ICOUNT)
    lr_t, = grab(lr, banner, "Linux banner under Rivet")
    overhead, = grab(lr, r'"linux": 128 MiB[^\n]* overhead (\d+) KiB', "domain overhead")
    lb = boot(os.path.join(linux_dir, "Image"), smp=2, mem="128M", timeout=300, until="up at tick",
              extra=ICOUNT + bare_linux)
    lb_t, = grab(lb, banner, "Linux banner on bare QEMU")
    lw = boot(linux_img, smp=2, mem="512M", timeout=300, until="up at tick")
    lbw = boot(os.path.join(linux_dir, "Image"), smp=2, mem="128M", timeout=300, until="up at tick",
               extra=bare_linux)

    sb = boot(os.path.join(guests, "stamp.elf"), smp=1, timeout=60, extra=ICOUNT)
    stamp_bare, = grab(sb, r"stamp from vcpu 0 at tick (\d+)", "bare stamp line")
    dom0 = dom0_figures(build)

    print("Rivet benchmarks (QEMU virt, -icount shift=0 unless marked wall-clock)")
    print("  null SBI call round trip, from the guest: %6d instructions" % null_rivet)
    print("    same call to OpenSBI on bare QEMU:      %6d instructions" % null_bare)
    print("  vCPU switch (IPI ping-pong on one hart):  %6d instructions" % switch)
    print("  CPU-bound guest: %d ticks under Rivet, %d bare: ratio %.4f" % (t_rivet, t_bare, t_rivet / t_bare))
    print("    its instructions retired: %d under Rivet, %d bare" % (i_rivet, i_bare))
    print("  CPU-bound guest, wall-clock (varies run to run): ratio %.3f" % (w_rivet / w_bare))
    print("  Linux 6.12 (2 vCPUs, 128 MiB) power-on to init banner: %d ticks under Rivet, %d bare: ratio %.3f"
          % (lr_t, lb_t, lr_t / lb_t))
    print("    wall-clock (varies): %.2f s under Rivet, %.2f s bare: ratio %.2f"
          % (lw.seconds, lbw.seconds, lw.seconds / lbw.seconds))
    print("  microvisor memory for that domain beyond its RAM (tables, vCPUs, domain): %d KiB" % overhead)
    print("  Dom0 (2 vCPUs, 256 MiB) on 2 harts:")
    print("    xl create to the bare-metal domain's first console line: %d ticks (wall %.2f s); "
          "ratio to a bare QEMU boot of it to that line: %.3f"
          % (dom0["hello_ticks"], dom0["hello_wall"], dom0["hello_ticks"] / stamp_bare))
    print("    xl create to the Linux DomU's init banner: %d ticks (wall %.2f s); ratio to a bare "
          "QEMU boot of the same kernel to its banner: %.3f"
          % (dom0["linux_ticks"], dom0["linux_wall"], dom0["linux_ticks"] / lb_t))
    print("    console daemon RSS: %d KiB; microvisor overhead of that DomU: %d KiB"
          % (dom0["consoled_rss"], dom0["domu_overhead"]))
    print("    xl create + xl destroy of a 16 MiB bare-metal domain, %d cycles: %d ticks (%.1f ms) per cycle "
          "(wall %.2f s); memory lost: %d bytes"
          % (CYCLES, dom0["cycle_ticks"], dom0["cycle_ticks"] * 1000.0 / dom0["timebase"],
             dom0["cycle_wall"], dom0["cycle_lost"]))
    if dom0["cycle_lost"] != 0 or dom0["cycles_ok"] != CYCLES:
        print("FAIL: bench: %d of %d create/destroy cycles succeeded and %d bytes of free memory "
              "are gone: every cycle must succeed and give back every byte"
              % (dom0["cycles_ok"], CYCLES, dom0["cycle_lost"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
