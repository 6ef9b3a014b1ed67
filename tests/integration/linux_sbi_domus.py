# SPDX-License-Identifier: MIT
"""The SBI conformance guests (guests/sbi.c, sbisusp.c, sbifwft.c, sbipmu.c, sbista.c) as DomUs
that Dom0's xl creates: each passes the checks it passes as a static domain, with Dom0 running
beside it, on one and three harts."""
import re

from integration import test
from integration.linux_guest import dom0_image
from integration.dom0_xl import boot_dom0, sh, write_cfg, wait_gone, GUESTS

# name, vCPUs, cpus= ("" = any), harts it needs, its summary line's prefix
DOMUS = [
    ("sbi", 1, "", 1, "sbi"),
    ("sbisusp", 2, "", 1, "sbisusp"),
    ("sbifwft", 2, "", 1, "fwft"),
    ("sbipmu", 2, "0", 1, "sbipmu"),
    # Its "no steal while alone" checks need a hart neither of Dom0's two vCPUs shares.
    ("sbista", 2, "2", 3, "sta"),
]


@test
def sbi_guests_as_domus_created_by_xl():
    img = dom0_image("dom0sbi")
    for smp in (1, 3):
        with boot_dom0(img, smp) as s:
            for name, vcpus, cpus, harts, prefix in DOMUS:
                if smp < harts:
                    continue
                write_cfg(s, "/tmp/%s.cfg" % name,
                          'name = "%s"\nmemory = 16\nvcpus = %d\n%skernel = "%s/%s.elf"\n'
                          % (name, vcpus, 'cpus = "%s"\n' % cpus if cpus else "", GUESTS, name))
                sh(s, "xl create /tmp/%s.cfg" % name)
                wait_gone(s, name)
                out = sh(s, "grep -E 'FAIL|passed' /var/log/rivet/console/%s.log" % name)
                # Not the echoed command line, which names FAIL too.
                fails = [l for l in out.split("\n") if l.startswith(prefix + ": FAIL")]
                summary = [l for l in out.split("\n") if re.match(r"%s: \d+ passed, 0 failed" % prefix, l)]
                assert not fails and summary, "smp %d, %s as a DomU:\n%s" % (smp, name, out)
