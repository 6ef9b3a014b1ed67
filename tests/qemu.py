# SPDX-License-Identifier: MIT
"""qemu.py: boots a Rivet image headless under QEMU with a hard timeout and always cleans up."""
import os
import signal
import subprocess
import time

QEMU = os.environ.get("QEMU", "qemu-system-riscv64")


class Run:
    """The console output of one QEMU run and how it ended."""

    def __init__(self, output, exited, returncode, seconds):
        self.output = output
        self.exited = exited          # QEMU ended by itself (the machine powered off)
        self.returncode = returncode
        self.seconds = seconds

    def lines(self):
        return [l.rstrip("\r") for l in self.output.split("\n")]

    def domain_lines(self, name):
        prefix = "[%s] " % name
        return [l[len(prefix):] for l in self.lines() if l.startswith(prefix)]


def boot(kernel, smp=2, mem="256M", timeout=60, until=None, extra=(), stdin_data=None):
    """Boots kernel; returns a Run. With `until`, stops as soon as that text appears."""
    cmd = [QEMU, "-M", "virt", "-cpu", "rv64", "-smp", str(smp), "-m", mem,
           "-nographic", "-no-reboot", "-kernel", kernel] + list(extra)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin_data else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    out = bytearray()
    exited = False
    try:
        os.set_blocking(proc.stdout.fileno(), False)
        if stdin_data:
            proc.stdin.write(stdin_data)
            proc.stdin.flush()
        while time.monotonic() - start < timeout:
            chunk = proc.stdout.read()
            if chunk:
                out += chunk
                if until and until.encode() in out:
                    break
            elif proc.poll() is not None:
                rest = proc.stdout.read()
                if rest:
                    out += rest
                exited = True
                break
            else:
                time.sleep(0.05)
    finally:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait()
    return Run(out.decode("utf-8", "replace"), exited, proc.returncode, time.monotonic() - start)
