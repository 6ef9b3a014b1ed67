# SPDX-License-Identifier: MIT
"""Dom0 drives the machine's own devices (docs/architecture.md, "Dom0's devices"): make run
gives it a persistent ext4 disk at /var/lib/rivet and a NIC on QEMU's user network; a device
Dom0 could turn against the host (no VIRTIO_F_ACCESS_PLATFORM) is never handed to it."""
import os
import re

from qemu import Session
from integration import test, B, ROOT
from integration.dom0_xl import sh, DOM0_PROMPT
from integration.linux_guest import dom0_image


def make_run(disk):
    """make run as a user types it, with the disk elsewhere and the network cut off from outside."""
    argv = ["make", "-s", "run", "BUILD=" + os.path.relpath(B["build"], ROOT), "DOM0_DISK=" + disk,
            "DOM0_DISK_SIZE=256M", "DOM0_NET=user,restrict=on"]
    s = Session(None, argv=argv, cwd=ROOT)
    try:
        s.expect("Rivet domain Domain-0", 600)
        s.expect(DOM0_PROMPT, 90)
    except BaseException:
        s.close()
        raise
    return s


def power_off(s):
    s.send("poweroff\n")
    assert s.wait_exit(90), "the machine did not power off:\n" + s.output[-2000:]


@test
def dom0_disk_survives_a_reboot_of_the_machine():
    disk = os.path.join(B["out"], "dom0-disk.img")
    if os.path.exists(disk):
        os.unlink(disk)
    with make_run(disk) as s:
        assert "DISK" in s.output and "dom0-disk.img" in s.output, s.output[:3000]
        out = sh(s, "mount | grep /var/lib/rivet")
        assert re.search(r"^/dev/vd\w+ on /var/lib/rivet type ext4", out, re.M), out
        out = sh(s, "dd if=/dev/urandom of=/var/lib/rivet/images/keep bs=64k count=64 2>/dev/null; "
                    "md5sum /var/lib/rivet/images/keep; sync", timeout=60)
        m = re.search(r"^([0-9a-f]{32})  /var/lib/rivet/images/keep", out, re.M)
        assert m, out
        # The disk's interrupts reach Dom0 through its virtual PLIC.
        out = sh(s, "cat /proc/interrupts")
        assert re.search(r"^\s*\d+:\s+\d+\s+\d+\s+SiFive PLIC\s+\d+ Edge\s+virtio\d", out, re.M), out
        # The NIC is on the bridge, which has its address from QEMU's DHCP server.
        out = sh(s, "for i in $(seq 50); do ip -4 addr show rbr0 | grep -q 'inet 10.0.2' && break; "
                    "sleep 0.2; done; ip -4 addr show rbr0; brctl show rbr0", timeout=60)
        assert re.search(r"inet 10\.0\.2\.\d+/24", out) and "eth0" in out, out
        power_off(s)
    with make_run(disk) as s:
        assert "DISK" not in s.output, "the disk was made again:\n" + s.output[:3000]
        out = sh(s, "md5sum /var/lib/rivet/images/keep", timeout=60)
        assert m.group(1) in out, "the file did not survive: %s\n%s" % (m.group(1), out)
        power_off(s)
    os.unlink(disk)


@test
def dom0_is_not_given_a_device_that_could_dma_anywhere():
    disk = os.path.join(B["out"], "dom0-legacy.img")
    with open(disk, "wb") as f:
        f.truncate(1 << 20)
    # A virtio 1.x disk without VIRTIO_F_ACCESS_PLATFORM would DMA to Dom0's guest-physical
    # addresses, i.e. into the microvisor: Dom0 must see an empty slot instead.
    extra = ["-global", "virtio-mmio.force-legacy=false",
             "-drive", "file=%s,format=raw,if=none,id=hd0" % disk, "-device", "virtio-blk-device,drive=hd0"]
    with Session(dom0_image("dom0legacy"), smp=2, mem="1G", extra=extra) as s:
        s.expect("Rivet domain Domain-0", 240)
        s.expect(DOM0_PROMPT, 60)
        assert re.search(r"virtio-mmio@10008000: not for Dom0 \(it does not offer VIRTIO_F_ACCESS_PLATFORM",
                         s.output), s.output[:4000]
        assert "Dom0 drives 7 of the machine's 8 virtio-mmio slots" in s.output, s.output[:4000]
        out = sh(s, "ls /sys/bus/virtio/devices/ | wc -l; ls /dev/vda 2>&1")
        assert re.search(r"^0$", out, re.M) and "No such file" in out, out
    os.unlink(disk)
