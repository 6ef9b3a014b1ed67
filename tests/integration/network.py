# SPDX-License-Identifier: MIT
"""DomUs' networking: virtio-net in rivet-dm over persistent taps on Dom0's bridge rbr0
(docs/networking.md). One Dom0 boot: vif errors leave nothing behind, two Linux DomUs ping and
move 16 MiB over TCP each way with Dom0 and with each other (md5 compared on both ends),
xl network-list; a hostile DomU (mmiofuzz, which abuses any virtio-net it finds) drives a NIC
with malformed chains beside them, whose network keeps working; taps go with their domains
(xl destroy, and a poweroff that rivet-consoled carries out)."""
import re

from integration import test
from integration.dom0_xl import boot_dom0, free_mib, linux_console, sh, wait_gone
from integration.dom0_xl import write_cfg as dom0_cfg
from integration.devices_hostile import check_dm_stopped_cleanly, wait_gone_long
from integration.linux_guest import DOM0_PROMPT, dom0_image

D0_LINUX = "/usr/lib/rivet/linux"
D0_GUESTS = "/usr/lib/rivet/guests"
DOM0_IP = "10.0.3.1"
MIB = 16


def net_cfg(name, ip, vif):
    return ('name = "%s"\nmemory = 128\nvcpus = 2\nkernel = "%s/Image"\nramdisk = "%s/rootfs.cpio"\n'
            'extra = "console=hvc0 quiet rivet.ip=%s/24"\nvif = [ %s ]\n'
            % (name, D0_LINUX, D0_LINUX, ip, vif))


def taps(s):
    """The tap devices in Dom0 (xl's vif<domid>.<devid> and any vifname)."""
    out = sh(s, "for d in /sys/class/net/*; do [ -e $d/tun_flags ] && echo tap:${d##*/}; done; true")
    return sorted(re.findall(r"^tap:(\S+)", out, re.M))


def create(s, name, ip, vif):
    dom0_cfg(s, "/tmp/%s.cfg" % name, net_cfg(name, ip, vif))
    out = sh(s, "xl create /tmp/%s.cfg; echo rc=$?" % name, timeout=120)
    assert "rc=0" in out, out


def wait_booted(s, name):
    out = sh(s, "for i in $(seq 400); do grep -q 'Rivet domain %s:' /var/log/rivet/console/%s.log "
                "2>/dev/null && break; sleep 0.5; done; grep -c 'Rivet domain %s:' "
                "/var/log/rivet/console/%s.log" % (name, name, name, name), timeout=240)
    assert re.search(r"^1$", out, re.M), "%s did not boot:\n%s" % (
        name, sh(s, "tail -c 1500 /var/log/rivet/console/%s.log; tail -5 /var/log/rivet/dm/%s.log"
                 % (name, name)))


def md5_of(out, tag):
    """The md5 printed as TAG-<md5>-end (xl console replays old output: tags are unique)."""
    m = re.findall(r"%s-([0-9a-f]{32})-end" % tag, out)
    assert m, "no %s md5 in:\n%s" % (tag, out[-1500:])
    return m[-1]


def console(s, name, cmd, tag):
    """Runs CMD in DomU NAME, then prints TAG-done (unique: the console's backlog is replayed)."""
    sep = " " if cmd.endswith("&") else "; "
    linux_console(s, name, cmd + sep + "echo %s-do''ne" % tag, "%s-done" % tag)


def listen(s, name, port):
    """nc -l PORT in DomU NAME (None: Dom0), its md5 into /tmp/rxPORT.md5. Not on the tty: a
    background job reading it would stop."""
    cmd = "(nc -l -p %d < /dev/null | md5sum > /tmp/rx%d.md5) &" % (port, port)
    if name:
        console(s, name, cmd, "listen%d" % port)
    else:
        sh(s, cmd)


def received(s, name, port):
    """What the listener on PORT got: its md5."""
    cmd = ("for i in $(seq 200); do [ -s /tmp/rx{p}.md5 ] && break; sleep 0.3; done; "
           "echo rx{p}-$(cut -c1-32 /tmp/rx{p}.md5)-e''nd").format(p=port)
    if name:
        console(s, name, cmd, "rx%d" % port)
        return md5_of(s.output[-3000:], "rx%d" % port)
    return md5_of(sh(s, cmd, timeout=90), "rx%d" % port)


def send(s, name, ip, port):
    """/tmp/data of DomU NAME (None: Dom0) to IP:PORT, retried until the listener is up."""
    cmd = ("for i in $(seq 40); do nc %s %d < /tmp/data && echo sent%d-o''k && break; sleep 0.5; done"
           % (ip, port, port))
    if name:
        console(s, name, cmd, "send%d" % port)
        assert "sent%d-ok" % port in s.output[-3000:], s.output[-3000:]
    else:
        out = sh(s, cmd, timeout=300)
        assert "sent%d-ok" % port in out, out


def make_data(s, name, port):
    """16 MiB of random bytes in /tmp/data of DomU NAME (None: Dom0); their md5."""
    tag = "data%d" % port
    cmd = ("dd if=/dev/urandom of=/tmp/data bs=1M count=%d 2>/dev/null; "
           "echo %s-$(md5sum /tmp/data | cut -c1-32)-e''nd" % (MIB, tag))
    if name:
        console(s, name, cmd, tag)
        return md5_of(s.output[-3000:], tag)
    return md5_of(sh(s, cmd, timeout=120), tag)


def transfer(s, src, dst, dst_ip, port):
    """16 MiB from SRC to DST (None: Dom0) over TCP; asserts the md5s agree on both ends."""
    sent = make_data(s, src, port)
    listen(s, dst, port)
    send(s, src, dst_ip, port)
    got = received(s, dst, port)
    assert got == sent, "%s -> %s: md5 %s sent, %s received" % (src or "Dom0", dst or "Dom0", sent, got)


def hostile_nic(s, ids):
    for d in ("/tmp/mf0.img", "/tmp/mf1.img"):
        sh(s, "dd if=/dev/zero of=%s bs=1M count=8 2>/dev/null" % d)
    dom0_cfg(s, "/tmp/netfuzz.cfg",
             'name = "netfuzz"\nmemory = 16\nvcpus = 2\nkernel = "%s/mmiofuzz.elf"\n'
             'extra = "seed=7 accesses=3000"\ndisk = [ "/tmp/mf0.img,raw,xvda,rw", '
             '"/tmp/mf1.img,raw,xvdb,rw" ]\nvif = [ "bridge=rbr0" ]\nserial = "pty"\n' % D0_GUESTS)
    sh(s, "(ping -i 0.1 -c 600 10.0.3.255 >/dev/null 2>&1 &)")
    out = sh(s, "xl create /tmp/netfuzz.cfg; echo rc=$?", timeout=60)
    assert "rc=0" in out, out
    assert wait_gone_long(s, "netfuzz", 150), "the hostile DomU did not finish:\n" + sh(
        s, "tail -c 2000 /var/log/rivet/console/netfuzz.log; xl list; xl dmesg | tail -5")
    log = sh(s, "grep -a 'mmiofuzz: ' /var/log/rivet/console/netfuzz.log | tail -n 20", timeout=30)
    assert "mmiofuzz: virtio-net in slot 2" in log, log
    assert re.search(r"mmiofuzz: \d+ accesses, seed 7, done", log), log
    assert "FAIL" not in log, log
    out = sh(s, "xl dmesg | grep -a '\"netfuzz\"' | tail -n 3")
    assert "crashed" not in out and "paused" not in out, out
    check_dm_stopped_cleanly(s, "netfuzz", "hostile virtio-net")
    # Both queues were served: packets sent or dropped, packets from Dom0's broadcasts given.
    out = sh(s, "grep 'nic vif' /var/log/rivet/dm/netfuzz.log")
    m = re.search(r"(\d+) packets in, (\d+) out, (\d+) dropped in, (\d+) dropped out", out)
    assert m and int(m.group(2)) + int(m.group(4)) > 0 and int(m.group(1)) + int(m.group(3)) > 0, \
        "the NIC's queues were never served:\n" + out + "\n" + log
    out = sh(s, "for i in $(seq 50); do [ $(ls /sys/class/net | grep -c vif) = 2 ] && break; sleep 0.2; "
                "done; ls /sys/class/net")
    assert taps(s) == sorted(["vif%s.0" % ids["n1"], "vif%s.0" % ids["n2"]]), out
    out = sh(s, "ping -c 2 -W 10 10.0.3.2; ping -c 2 -W 10 10.0.3.3", timeout=60)
    assert out.count("2 packets received") == 2, out
    linux_console(s, "n2", "ping -c 2 -W 10 10.0.3.2 | grep -o '2 packets rec''eived'", "2 packets received")
    out = sh(s, "dmesg | grep -c -i -E 'oops|kernel bug|panic|unable to handle'")
    assert re.search(r"^0$", out, re.M), sh(s, "dmesg | tail -30")


@test
def domus_on_the_bridge_ping_and_move_16_mib_each_way():
    with boot_dom0(dom0_image("dom0"), 2) as s:
        out = sh(s, "ip -4 addr show rbr0; brctl show")
        assert "inet %s/24" % DOM0_IP in out and "rbr0" in out, out
        before = free_mib(s)

        # Bad vifs: one line naming the key and why, no domain, no tap.
        for vif, why in (('"mac=01:16:3e:00:00:01"', "multicast"),
                         ('"bridge=nobr0"', "bridge 'nobr0' does not exist"),
                         ('"mac=00:16:3e:00:00"', "not six colon-separated hex pairs")):
            dom0_cfg(s, "/tmp/bad.cfg", net_cfg("bad", "10.0.3.9", vif))
            out = sh(s, "xl create -q /tmp/bad.cfg 2>/tmp/err; echo rc=$?; cat /tmp/err; "
                        "echo lines=$(wc -l < /tmp/err); xl list | grep -c '^bad '")
            assert "rc=1" in out and "lines=1" in out and why in out, out
            assert re.search(r"xl: /tmp/bad.cfg:\d+: vif: item 1: ", out), out
            assert re.search(r"^0$", out, re.M), "a domain was left:\n" + out
            assert taps(s) == [], "a tap was left: %r" % taps(s)
        assert free_mib(s) == before

        # Two DomUs; n1's MAC given, n2's made up by xl.
        create(s, "n1", "10.0.3.2", '"bridge=rbr0,mac=00:16:3e:00:aa:01"')
        create(s, "n2", "10.0.3.3", '"type=vif"')
        out = sh(s, "xl list")
        ids = dict(re.findall(r"^(n[12])\s+(\d+)\s", out, re.M))
        assert set(ids) == {"n1", "n2"}, out
        assert taps(s) == sorted(["vif%s.0" % ids["n1"], "vif%s.0" % ids["n2"]]), taps(s)
        out = sh(s, "xl network-list n1; xl network-list n2")
        assert "Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path" in out, out
        assert re.search(r"^0\s+0\s+00:16:3e:00:aa:01\s+0\s+4\s+-1\s+-1/-1\s+vif%s\.0@rbr0$"
                         % ids["n1"], out, re.M), out
        assert re.search(r"^0\s+0\s+00:16:3e:[0-7][0-9a-f]:[0-9a-f]{2}:[0-9a-f]{2}\s+0\s+4\s+-1\s+-1/-1\s+"
                         r"vif%s\.0@rbr0$" % ids["n2"], out, re.M), out
        out = sh(s, "brctl show rbr0")
        assert "vif%s.0" % ids["n1"] in out and "vif%s.0" % ids["n2"] in out, out
        wait_booted(s, "n1")
        wait_booted(s, "n2")

        # ping: Dom0 -> each DomU, each DomU -> Dom0, DomU -> DomU.
        out = sh(s, "ping -c 3 -W 10 10.0.3.2; ping -c 3 -W 10 10.0.3.3", timeout=90)
        assert out.count("3 packets received") == 2, out + sh(s, "tail /var/log/rivet/dm/n1.log")
        linux_console(s, "n1", "ping -c 3 -W 10 %s | grep -o '3 packets rec''eived'" % DOM0_IP,
                      "3 packets received")
        linux_console(s, "n2", "ping -c 3 -W 10 10.0.3.2 | grep -o '3 packets rec''eived'",
                      "3 packets received")

        # 16 MiB over TCP, md5 on both ends: Dom0 <-> n1 both ways, n1 <-> n2 both ways.
        transfer(s, None, "n1", "10.0.3.2", 5001)
        transfer(s, "n1", None, DOM0_IP, 5002)
        transfer(s, "n1", "n2", "10.0.3.3", 5003)
        transfer(s, "n2", "n1", "10.0.3.2", 5004)

        # A hostile DomU drives a virtio-net of its own with malformed chains while Dom0
        # broadcasts on the bridge (packets for its receive queue): rivet-dm serves it to the
        # end, stops cleanly, its tap goes, and the honest DomUs' network carries on.
        hostile_nic(s, ids)

        # The tap outlives its device model (persistent, still on the bridge: what a restarted
        # rivet-dm attaches to); destroy takes it with the domain; the other DomU is unaffected.
        out = sh(s, "kill -9 $(sed -n 's/^dm_pid=//p' /run/rivet/domains/%s); echo rc=$?; sleep 1; "
                    "brctl show rbr0" % ids["n1"])
        assert "rc=0" in out and "vif%s.0" % ids["n1"] in out, out
        out = sh(s, "xl destroy n1; echo rc=$?", timeout=60)
        assert "rc=0" in out, out
        wait_gone(s, "n1")
        assert taps(s) == ["vif%s.0" % ids["n2"]], taps(s)
        out = sh(s, "ping -c 2 -W 10 10.0.3.3", timeout=60)
        assert "2 packets received" in out, out
        # A DomU that powers off: rivet-consoled destroys it, the tap goes once rivet-dm is gone.
        s.send("xl console n2\n\n")
        s.expect("n2:/# ", 60)
        s.send("poweroff -f\n")
        s.expect(DOM0_PROMPT, 120)
        wait_gone(s, "n2")
        out = sh(s, "for i in $(seq 50); do ls /sys/class/net | grep -q vif || break; sleep 0.2; done; "
                    "ls /sys/class/net")
        assert taps(s) == [], out
        assert free_mib(s) == before
        out = sh(s, "pidof rivet-dm; echo rc=$?")
        assert "rc=1" in out, "a device model outlived its domain:\n" + out
