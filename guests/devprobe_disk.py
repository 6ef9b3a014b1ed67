#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""devprobe_disk.py: the raw disk guests/devprobe.c expects (its disk_byte(), here once for the
tests and for Dom0's copy): byte j of sector s is (13s + 7j + j/256 + s/256) & 0xff.
Usage: devprobe_disk.py PATH   (writes a fresh image; devprobe rewrites its sector 5)"""
import sys

DISK_SECTORS = 2048     # devprobe checks the capacity against this
SECTOR = 512


def disk_byte(sector, j):
    return (sector * 13 + j * 7 + (j >> 8) + (sector >> 8)) & 0xff


def make_disk(path, sectors=DISK_SECTORS):
    with open(path, "wb") as f:
        for s in range(sectors):
            f.write(bytes(disk_byte(s, j) for j in range(SECTOR)))
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: devprobe_disk.py PATH")
    make_disk(sys.argv[1])
