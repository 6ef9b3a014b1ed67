/* SPDX-License-Identifier: MIT */
/* xl_dump_cmd.c: `xl dump-core DOMAIN FILENAME` over xl_dump_core() (xl_dumpcore.c). */
#include <stdio.h>

#include "xl.h"

/* xl dump-core DOMAIN FILENAME: paused meanwhile, unless it was already (or is shut down). */
int xl_cmd_dump_core(xc_handle *h, int argc, char **argv)
{
	struct rivet_domain_info info;
	struct xl_dump_result res;
	struct xl_domains ds;
	char why[256];
	int found, r, paused_here = 0, rc = XL_EXIT_FAIL;

	if (argc != 3 || argv[1][0] == '-')
		return xl_usage(xl_command_find("dump-core"));
	r = xl_domains_get(h, &ds);
	if (r < 0) {
		xl_err("dump-core: cannot list domains: %s", xc_strerror(r));
		return XL_EXIT_FAIL;
	}
	found = xl_domains_find(&ds, argv[1]);
	if (found >= 0)
		info = ds.v[found];
	xl_domains_free(&ds);
	if (found < 0) {
		xl_err("dump-core: no domain '%s'", argv[1]);
		return XL_EXIT_FAIL;
	}
	if (info.domid == 0) {
		xl_err("dump-core: not allowed for Domain-0");
		return XL_EXIT_FAIL;
	}
	if (info.state & RIVET_DOMSTATE_DYING) {
		xl_err("dump-core: domain '%s' (%u) is being destroyed", info.name, info.domid);
		return XL_EXIT_FAIL;
	}
	if (!(info.state & (RIVET_DOMSTATE_PAUSED | RIVET_DOMSTATE_SHUTDOWN))) {
		r = xc_domain_pause(h, info.domid);
		if (r < 0) {
			xl_err("dump-core: cannot pause '%s' (%u): %s", info.name, info.domid, xc_strerror(r));
			return XL_EXIT_FAIL;
		}
		paused_here = 1;
	}
	if (xl_dump_core(h, info.domid, argv[2], 0, &res, why, sizeof why) < 0)
		xl_err("dump-core: domain '%s' (%u): %s", info.name, info.domid, why);
	else
		rc = XL_EXIT_OK;
	if (rc == XL_EXIT_OK && res.ram_incomplete)
		fprintf(stderr, "xl: dump-core: some of '%s''s RAM could not be mapped and is left out\n",
			info.name);
	if (rc == XL_EXIT_OK && res.walk_truncated)
		fprintf(stderr, "xl: dump-core: '%s''s page table is too large or malformed: only its first "
			"%u mappings are in the core\n", info.name, res.nr_vsegs);
	if (paused_here) {
		r = xc_domain_unpause(h, info.domid);
		if (r < 0) {
			xl_err("dump-core: cannot unpause '%s' (%u): %s", info.name, info.domid, xc_strerror(r));
			rc = XL_EXIT_FAIL;
		}
	}
	return rc;
}
