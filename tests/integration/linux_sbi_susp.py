# SPDX-License-Identifier: MIT
"""SBI SUSP in a DomU that Dom0's xl creates (guests/sbisusp.c): the checks the static domain
passes, on one and two harts."""
from integration import test
from integration.linux_guest import dom0_image
from integration.dom0_xl import boot_dom0, sh, write_cfg, wait_gone, GUESTS

PASSES_2_VCPUS = 39


@test
def sbi_susp_in_a_domu_created_by_xl():
    img = dom0_image("dom0susp")
    for smp in (1, 2):
        with boot_dom0(img, smp) as s:
            write_cfg(s, "/tmp/susp.cfg", 'name = "sbisusp"\nmemory = 16\nvcpus = 2\n'
                      'kernel = "%s/sbisusp.elf"\n' % GUESTS)
            sh(s, "xl create /tmp/susp.cfg")
            wait_gone(s, "sbisusp")
            out = sh(s, "grep -E 'FAIL|SKIP|passed' /var/log/rivet/console/sbisusp.log")
            lines = [l for l in out.split("\n") if l.startswith("sbisusp: ")]
            assert lines == ["sbisusp: %d passed, 0 failed" % PASSES_2_VCPUS], "smp %d: %s" % (smp, out)
