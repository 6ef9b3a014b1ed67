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


class Session:
    """An interactive QEMU run: wait for console text, type, wait again. Use as a
    context manager so QEMU is killed whatever happens."""

    def __init__(self, kernel, smp=2, mem="256M", extra=(), argv=None, cwd=None):
        """argv: a whole command that runs QEMU (make run) instead of the usual QEMU line;
        it gets a session of its own, so close() kills QEMU with it."""
        cmd = argv or [QEMU, "-M", "virt", "-cpu", "rv64", "-smp", str(smp), "-m", mem,
                       "-nographic", "-no-reboot", "-kernel", kernel] + list(extra)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True, cwd=cwd)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.out = bytearray()
        self.pos = 0          # expect() searches from here on
        self.start = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def output(self):
        return self.out.decode("utf-8", "replace")

    def _pump(self):
        chunk = self.proc.stdout.read()
        if chunk:
            self.out += chunk
            return True
        return False

    def expect(self, text, timeout=60):
        """Waits for text after the previous match; returns the output up to it."""
        deadline = time.monotonic() + timeout
        needle = text.encode()
        while True:
            i = self.out.find(needle, self.pos)
            if i >= 0:
                seen = self.out[self.pos:i + len(needle)].decode("utf-8", "replace")
                self.pos = i + len(needle)
                return seen
            if time.monotonic() > deadline:
                raise AssertionError("timed out after %ds waiting for %r; last output:\n%s"
                                     % (timeout, text, self.output[-2500:]))
            if not self._pump():
                if self.proc.poll() is not None:
                    self._pump()
                    if self.out.find(needle, self.pos) >= 0:
                        continue
                    raise AssertionError("QEMU exited while waiting for %r; last output:\n%s"
                                         % (text, self.output[-2500:]))
                time.sleep(0.02)

    def send(self, text):
        # Typed slowly: the console polls, and a real user is not a 100 KB/s burst.
        for ch in text.encode():
            self.proc.stdin.write(bytes([ch]))
            self.proc.stdin.flush()
            time.sleep(0.005)

    def wait_exit(self, timeout=60):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._pump() or time.sleep(0.05)
        self._pump()
        return self.proc.poll() is not None

    def close(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
