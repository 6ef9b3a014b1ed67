#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench.py: prints Rivet's performance figures. Under QEMU -icount the guest-visible
instruction counts and time are deterministic; wall-clock figures are labelled as such."""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu import boot  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICOUNT = ["-icount", "shift=0"]   # one instruction = 1 ns of guest time


def grab(run, pattern, what):
    m = re.search(pattern, run.output)
    if not m:
        sys.exit("bench: no %s in the output:\n%s" % (what, run.output[-3000:]))
    return [int(g) for g in m.groups()]


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
    bare_linux = ["-initrd", os.path.join(linux_dir, "rootfs.cpio"),
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
