#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""run.py: runs the host unit tests and the QEMU integration tests; ends with 'N passed, N failed'."""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import integration  # noqa: E402


def run_unit(binaries):
    passed = failed = 0
    for b in binaries:
        try:
            p = subprocess.run([b], capture_output=True, text=True, timeout=120)
            out = p.stdout
        except subprocess.TimeoutExpired:
            print("FAIL: %s: timed out" % b)
            failed += 1
            continue
        n_pass = sum(1 for l in out.splitlines() if l.startswith("PASS: "))
        n_fail = sum(1 for l in out.splitlines() if l.startswith("FAIL: "))
        for l in out.splitlines():
            if l.startswith("FAIL: "):
                print(l)
        if p.returncode != 0 and n_fail == 0:
            print("FAIL: %s exited %d without a FAIL line\n%s" % (b, p.returncode, p.stderr[-2000:]))
            n_fail = 1
        passed += n_pass
        failed += n_fail
        print("unit %-40s %d passed, %d failed" % (os.path.basename(b), n_pass, n_fail))
    return passed, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--unit", default="")
    ap.add_argument("-k", default="", help="only integration tests whose name contains this")
    ap.add_argument("--no-unit", action="store_true")
    ap.add_argument("--linux", action="store_true", help="also the Linux-guest tests")
    args = ap.parse_args()

    passed = failed = 0
    if not args.no_unit:
        passed, failed = run_unit(args.unit.split())
    integration.setup(args.build)
    if args.linux:
        integration.load_linux_tests()
    for name, fn in integration.TESTS:
        if args.k and args.k not in name:
            continue
        t0 = time.monotonic()
        try:
            fn()
            print("PASS: %s (%.1fs)" % (name, time.monotonic() - t0))
            passed += 1
        except AssertionError as e:
            print("FAIL: %s: %s" % (name, e))
            failed += 1
        except Exception as e:  # a broken test is a failed test, never a crash of the runner
            print("FAIL: %s: %s: %s" % (name, type(e).__name__, e))
            failed += 1
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
