/* SPDX-License-Identifier: MIT */
/*
 * xl_vcpu_set.c: `xl vcpu-set [-i] DOMAIN N`: the microvisor's count of the
 * vCPUs the domain may run first (DOMAIN_VCPUS: HSM cannot start more), then
 * its rivet-dm, which tells the guest's agent on the power button's vCPU
 * axis (docs/dm.md "The vCPU count"). As in Xen, the guest does the onlining
 * and offlining itself.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "dm_request.h"
#include "xl.h"

int xl_cmd_vcpu_set(xc_handle *h, int argc, char **argv)
{
	struct rivet_domain_info info;
	struct rivet_physinfo pi;
	struct xl_domains ds;
	char why[REASON_MAX];
	uint64_t n;
	static const struct option longopts[] = {
		{ "ignore-host", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	int ignore_host = 0, at, found, r, opt;

	/* Xen's getopt_long: -i before or after the domain. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "i", longopts, NULL)) != -1) {
		if (opt != 'i')
			return xl_usage(xl_command_find("vcpu-set"));
		ignore_host = 1;
	}
	at = optind;
	if (argc - at != 2)
		return xl_usage(xl_command_find("vcpu-set"));
	r = xl_domains_get(h, &ds);
	if (r < 0) {
		xl_err("cannot list domains: %s", xc_strerror(r));
		return XL_EXIT_FAIL;
	}
	found = xl_domains_find(&ds, argv[at]);
	if (found >= 0)
		info = ds.v[found];
	xl_domains_free(&ds);
	if (found < 0) {
		xl_err("domain '%s' does not exist", argv[at]);
		return XL_EXIT_FAIL;
	}
	if (xl_parse_uint(argv[at + 1], INT_MAX, &n) < 0) {
		xl_err("Error: Invalid argument %s as number of vcpus.", argv[at + 1]);
		return XL_EXIT_FAIL;
	}
	/* Xen: "Trying to set VCPUs to < 1 will be quietly ignored." */
	if (n < 1)
		return XL_EXIT_OK;
	if (info.domid == 0) {
		xl_err("vcpu-set: not supported for Domain-0 (the microvisor lets no domain change its own vCPUs)");
		return XL_EXIT_FAIL;
	}
	if (info.state & (RIVET_DOMSTATE_DYING | RIVET_DOMSTATE_SHUTDOWN)) {
		xl_err("vcpu-set: domain '%s' (%u) is %s", info.name, info.domid,
		       info.state & RIVET_DOMSTATE_DYING ? "being destroyed" : "shut down");
		return XL_EXIT_FAIL;
	}
	if (n > info.nr_vcpus) {
		xl_err("vcpu-set: requested %llu vCPUs, however maxvcpus of '%s' (%u) is %u",
		       (unsigned long long)n, info.name, info.domid, info.nr_vcpus);
		return XL_EXIT_FAIL;
	}
	/* Xen's overcommit check: more vCPUs than online now and than the machine has harts. */
	if (!ignore_host && n > info.nr_online_vcpus && xc_physinfo(h, &pi) == 0 && n > pi.nr_harts) {
		xl_err("vcpu-set: you are overcommitting: the machine has %u harts and you want %llu vCPUs; "
		       "aborting, use --ignore-host to continue", pi.nr_harts, (unsigned long long)n);
		return XL_EXIT_FAIL;
	}
	r = xc_domain_set_vcpus(h, info.domid, (uint32_t)n);
	if (r < 0) {
		xl_err("vcpu-set: domain '%s' (%u): %s%s", info.name, info.domid, xc_strerror(r),
		       r == XC_ENOTSUP ? " (this microvisor cannot limit a domain's vCPUs)" : "");
		return XL_EXIT_FAIL;
	}
	r = xl_dm_press(&info, DM_REQUEST_VCPUS, why);
	if (r > 0) {
		/* The count holds all the same: the guest just cannot start more than it. */
		fprintf(stderr, "xl: vcpu-set: domain '%s' (%u) may run %llu vCPUs now, but the guest was not "
			"told: it runs no device model (no agent channel)\n", info.name, info.domid,
			(unsigned long long)n);
	} else if (r < 0) {
		xl_err("vcpu-set: domain '%s' (%u) may run %llu vCPUs now, but the guest was not told: %s",
		       info.name, info.domid, (unsigned long long)n, why);
		return XL_EXIT_FAIL;
	}
	return XL_EXIT_OK;
}
