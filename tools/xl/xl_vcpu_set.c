/* SPDX-License-Identifier: MIT */
/*
 * xl_vcpu_set.c: `xl vcpu-set [-i] DOMAIN N`: the microvisor's count of the
 * vCPUs the domain may run first (DOMAIN_VCPUS: HSM cannot start more), then
 * its rivet-dm, which tells the guest's agent on the power button's vCPU
 * axis (docs/dm.md "The vCPU count"). As in Xen, the guest does the onlining
 * and offlining itself, and the count outlives a reboot (the record's
 * overrides).
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_request.h"
#include "xl.h"

struct counts {
	unsigned max, n;
};

static int set_count(struct xl_record *rec, void *arg, char *why)
{
	const struct counts *c = arg;
	char num[16];

	snprintf(num, sizeof num, "%u", c->max);
	if (xl_record_set_arg(rec, "maxvcpus", num) == 0) {
		snprintf(num, sizeof num, "%u", c->n);
		if (xl_record_set_arg(rec, "vcpus", num) == 0)
			return 0;
	}
	return reason_set(why, "it holds %d overrides already", XL_RECORD_MAX_ARGS);
}

/*
 * The count in the domain's record too, as libxl keeps it in the domain's
 * stored configuration: a restart (on_reboot = "restart", xl create of the
 * record) then starts N vCPUs of maxvcpus, as a boot-image domain restarted
 * in place by the microvisor keeps its count. A domain without a record
 * (boot image) has nothing to update. 0, or -1 (said).
 */
static int record_count(xc_handle *h, const struct rivet_domain_info *info, unsigned n)
{
	struct counts c = { info->nr_vcpus, n };
	char why[REASON_MAX];

	if (xl_record_update(h, info, NULL, set_count, &c, why) >= 0)
		return 0;
	xl_err("vcpu-set: domain '%s' (%u) may run %u vCPUs now, but its record cannot keep the count (a "
	       "restart brings the configured one back): %s", info->name, info->domid, n, why);
	return -1;
}

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
	int ignore_host = 0, at, found, r, rc, opt;

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
	/*
	 * The microvisor holds the count now: the guest is told in any case, and
	 * then the record keeps it (a failure of either is said, exit 1).
	 */
	rc = XL_EXIT_OK;
	r = xl_dm_press(&info, DM_REQUEST_VCPUS, why);
	if (r > 0) {
		/* The count holds all the same: the guest just cannot start more than it. */
		fprintf(stderr, "xl: vcpu-set: domain '%s' (%u) may run %llu vCPUs now, but the guest was not "
			"told: it runs no device model (no agent channel)\n", info.name, info.domid,
			(unsigned long long)n);
	} else if (r < 0) {
		xl_err("vcpu-set: domain '%s' (%u) may run %llu vCPUs now, but the guest was not told: %s",
		       info.name, info.domid, (unsigned long long)n, why);
		rc = XL_EXIT_FAIL;
	}
	if (record_count(h, &info, (unsigned)n) < 0)
		rc = XL_EXIT_FAIL;
	return rc;
}
