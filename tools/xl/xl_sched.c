// SPDX-License-Identifier: MIT
/*
 * xl_sched.c: `xl sched-credit2` and `xl sched-rtds`, with Xen's options and
 * columns (docs/xl.md), over SCHED_GET / SCHED_SET. In Rivet the policy
 * belongs to the domain rather than to a cpupool: setting a domain's weight
 * or cap makes it a credit domain, setting its period and budget an RTDS one.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"

/* Domains for a listing: SPEC's one, or all of them. 0, or -1 (said). */
static int domains_for(xc_handle *h, const char *spec, struct xl_domains *ds)
{
	int r = xl_domains_get(h, ds);

	if (r < 0) {
		xl_err("cannot list domains: %s", xc_strerror(r));
		return -1;
	}
	if (!spec)
		return 0;
	int i = xl_domains_find(ds, spec);
	if (i < 0) {
		xl_err("domain '%s' does not exist", spec);
		xl_domains_free(ds);
		return -1;
	}
	ds->v[0] = ds->v[i];
	ds->n = 1;
	return 0;
}

static int parse_num(const char *cmd, const char *what, const char *s, uint64_t max, uint64_t *out)
{
	if (xl_parse_uint(s, max, out) < 0) {
		xl_err("%s: invalid %s '%s'", cmd, what, s);
		return -1;
	}
	return 0;
}

static int set_failed(const char *cmd, const struct rivet_domain_info *dom, int r)
{
	xl_err("%s: domain '%s' (%u): %s", cmd, dom->name, dom->domid,
	       r == XC_EINVAL ? "the microvisor refused these values (see xl help for the ranges)" :
	       xc_strerror(r));
	return XL_EXIT_FAIL;
}

/*
 * Xen's cpupool options (-p for credit2, -c for rtds): Rivet has no cpupools,
 * every domain is in what Xen would call Pool-0 (its name or id 0 is
 * accepted and changes nothing). 0, or -1 (said).
 */
static int pool_check(const char *cmd, const char *pool)
{
	if (!pool || !strcmp(pool, "Pool-0") || !strcmp(pool, "0"))
		return 0;
	xl_err("%s: unknown cpupool '%s' (Rivet has no cpupools: every domain is in Pool-0)", cmd, pool);
	return -1;
}

/*
 * sched-credit2 [-d DOM [-w WEIGHT] [-c CAP]]: without -w/-c, the weight and
 * cap of DOM or of every credit domain; with them, DOM's new values (the
 * other one kept). WEIGHT 1..65535, CAP percent of one hart (0: none).
 */
int xl_cmd_sched_credit2(xc_handle *h, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "weight", required_argument, NULL, 'w' },
		{ "cap", required_argument, NULL, 'c' },
		{ "schedparam", no_argument, NULL, 's' },
		{ "ratelimit_us", required_argument, NULL, 'r' },
		{ "cpupool", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dom = NULL, *w = NULL, *c = NULL, *pool = NULL;
	struct xl_domains ds;
	int opt, rc = XL_EXIT_OK, pool_params = 0;

	/* Xen's getopt_long: -d web, -dweb, --domain=web, in any order. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:w:c:p:r:s", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': dom = optarg; break;
		case 'w': w = optarg; break;
		case 'c': c = optarg; break;
		case 'p': pool = optarg; break;
		case 's': case 'r': pool_params = 1; break;
		default: return xl_usage(xl_command_find("sched-credit2"));
		}
	}
	if (optind != argc)
		return xl_usage(xl_command_find("sched-credit2"));
	if (pool && (dom || w || c)) {
		xl_err("sched-credit2: -p (a cpupool) goes with no other option, as in Xen");
		return XL_EXIT_FAIL;
	}
	if (pool_check("sched-credit2", pool) < 0)
		return XL_EXIT_FAIL;
	if (pool_params) {
		/* Xen's -s / -r: the pool's rate limit. */
		xl_err("sched-credit2: -s and -r: Rivet's scheduler has no pool-wide parameters "
		       "(no rate limit); only -d, -w and -c");
		return XL_EXIT_FAIL;
	}
	if ((w || c) && !dom) {
		xl_err("sched-credit2: -w and -c need a domain (-d)");
		return XL_EXIT_FAIL;
	}
	if (domains_for(h, dom, &ds) < 0)
		return XL_EXIT_FAIL;
	if (w || c) {
		struct rivet_sched_params p;
		uint64_t v;
		int r = xc_sched_get(h, ds.v[0].domid, RIVET_SCHED_ALL_VCPUS, &p);
		if (r < 0) {
			rc = set_failed("sched-credit2", &ds.v[0], r);   /* before the list is freed */
			xl_domains_free(&ds);
			return rc;
		}
		p.policy = RIVET_SCHED_CREDIT;
		if (w) {
			if (xl_parse_uint(w, RIVET_SCHED_WEIGHT_MAX, &v) < 0 || !v) {
				xl_err("sched-credit2: invalid weight '%s' (1 to %d)", w, RIVET_SCHED_WEIGHT_MAX);
				xl_domains_free(&ds);
				return XL_EXIT_FAIL;
			}
			p.weight = (uint32_t)v;
		}
		if (c) {
			if (parse_num("sched-credit2", "cap", c, UINT32_MAX, &v) < 0) {
				xl_domains_free(&ds);
				return XL_EXIT_FAIL;
			}
			p.cap = (uint32_t)v;
		}
		r = xc_sched_set(h, ds.v[0].domid, RIVET_SCHED_ALL_VCPUS, &p);
		if (r < 0)
			rc = set_failed("sched-credit2", &ds.v[0], r);
		xl_domains_free(&ds);
		return rc;
	}
	printf("%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
	for (unsigned i = 0; i < ds.n; i++) {
		struct rivet_sched_params p;
		if (xc_sched_get(h, ds.v[i].domid, RIVET_SCHED_ALL_VCPUS, &p) < 0)
			continue;   /* gone meanwhile */
		if (p.policy != RIVET_SCHED_CREDIT && !dom)
			continue;   /* listed by sched-rtds */
		printf("%-33s %4u %6u %4u\n", ds.v[i].name, ds.v[i].domid, p.weight, p.cap);
	}
	xl_domains_free(&ds);
	return rc;
}

static void rtds_row(const struct rivet_domain_info *d, int vcpu, const struct rivet_sched_params *p)
{
	if (vcpu < 0)
		printf("%-33s %4u %9llu %9llu %10s\n", d->name, d->domid, (unsigned long long)p->period_us,
		       (unsigned long long)p->budget_us, p->extratime ? "yes" : "no");
	else
		printf("%-33s %4u %4d %9llu %9llu %10s\n", d->name, d->domid, vcpu,
		       (unsigned long long)p->period_us, (unsigned long long)p->budget_us,
		       p->extratime ? "yes" : "no");
}

/* One -v group: a vCPU (or all), and the values to give it (0: show it). */
struct rtds_group {
	const char *vcpu;
	const char *period, *budget, *extratime;
};

#define RTDS_MAX_GROUPS 16

static int rtds_set(xc_handle *h, const struct rivet_domain_info *dom, const struct rtds_group *g)
{
	struct rivet_sched_params p = { .policy = RIVET_SCHED_RTDS };
	uint64_t vcpu = RIVET_SCHED_ALL_VCPUS, v;

	if (strcmp(g->vcpu, "all") &&
	    parse_num("sched-rtds", "vcpu", g->vcpu, dom->nr_vcpus ? dom->nr_vcpus - 1 : 0, &vcpu) < 0)
		return XL_EXIT_FAIL;
	if (!g->period || !g->budget) {
		xl_err("sched-rtds: -p and -b go together");
		return XL_EXIT_FAIL;
	}
	if (parse_num("sched-rtds", "period", g->period, RIVET_SCHED_RTDS_PERIOD_MAX_US, &p.period_us) < 0 ||
	    parse_num("sched-rtds", "budget", g->budget, RIVET_SCHED_RTDS_PERIOD_MAX_US, &p.budget_us) < 0)
		return XL_EXIT_FAIL;
	if (g->extratime) {
		if (parse_num("sched-rtds", "extratime", g->extratime, 1, &v) < 0)
			return XL_EXIT_FAIL;
		p.extratime = (uint32_t)v;
	}
	if (p.budget_us > p.period_us || p.period_us < RIVET_SCHED_RTDS_PERIOD_MIN_US ||
	    p.budget_us < RIVET_SCHED_RTDS_BUDGET_MIN_US) {
		xl_err("sched-rtds: the period is %d to %d us, the budget %d us up to the period",
		       RIVET_SCHED_RTDS_PERIOD_MIN_US, RIVET_SCHED_RTDS_PERIOD_MAX_US, RIVET_SCHED_RTDS_BUDGET_MIN_US);
		return XL_EXIT_FAIL;
	}
	int r = xc_sched_set(h, dom->domid, (uint32_t)vcpu, &p);
	return r < 0 ? set_failed("sched-rtds", dom, r) : XL_EXIT_OK;
}

/*
 * sched-rtds [-d DOM [-v VCPU|all [-p PERIOD -b BUDGET [-e 0|1]]]...]:
 * without values, the RTDS domains (or DOM) per domain, or per vCPU with
 * -v; with values (microseconds), DOM's vCPUs get them, group by group.
 */
int xl_cmd_sched_rtds(xc_handle *h, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "period", required_argument, NULL, 'p' },
		{ "budget", required_argument, NULL, 'b' },
		{ "extratime", required_argument, NULL, 'e' },
		{ "vcpuid", required_argument, NULL, 'v' },
		{ "cpupool", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct rtds_group g[RTDS_MAX_GROUPS];
	unsigned ng = 0;
	const char *dom = NULL, *pool = NULL;
	struct xl_domains ds;
	int opt, rc = XL_EXIT_OK, setting = 0;

	memset(g, 0, sizeof g);
	/* Xen's getopt_long: the order of -v, -p, -b, -e matters (groups), that of -d does not. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:p:b:e:v:c:", longopts, NULL)) != -1) {
		if (opt == 'd') {
			dom = optarg;
		} else if (opt == 'c') {
			pool = optarg;
		} else if (opt == 'v') {
			if (ng == RTDS_MAX_GROUPS) {
				xl_err("sched-rtds: at most %d -v groups", RTDS_MAX_GROUPS);
				return XL_EXIT_FAIL;
			}
			g[ng++].vcpu = optarg;
		} else if (opt == 'p' || opt == 'b' || opt == 'e') {
			/* Values belong to the last -v (Xen wants one; without, Rivet takes -v all). */
			if (!ng)
				g[ng++].vcpu = "all";
			struct rtds_group *cur = &g[ng - 1];
			if (opt == 'p')
				cur->period = optarg;
			else if (opt == 'b')
				cur->budget = optarg;
			else
				cur->extratime = optarg;
			setting = 1;
		} else {
			return xl_usage(xl_command_find("sched-rtds"));
		}
	}
	if (optind != argc)
		return xl_usage(xl_command_find("sched-rtds"));
	if (pool && (dom || ng)) {
		xl_err("sched-rtds: -c (a cpupool) goes with no other option, as in Xen");
		return XL_EXIT_FAIL;
	}
	if (pool_check("sched-rtds", pool) < 0)
		return XL_EXIT_FAIL;
	/* Without -d, only Xen's listing of every RTDS domain's vCPUs: -v all. */
	int all_vcpus = !dom && ng == 1 && !setting && !strcmp(g[0].vcpu, "all");
	if ((setting || ng) && !dom && !all_vcpus) {
		xl_err("sched-rtds: -v, -p, -b and -e need a domain (-d), but for a listing with -v all");
		return XL_EXIT_FAIL;
	}
	if (domains_for(h, dom, &ds) < 0)
		return XL_EXIT_FAIL;
	if (all_vcpus) {
		printf("%-33s %4s %4s %9s %9s %10s\n", "Name", "ID", "VCPU", "Period", "Budget", "Extratime");
		for (unsigned i = 0; i < ds.n; i++) {
			struct rivet_sched_params p;
			if (xc_sched_get(h, ds.v[i].domid, RIVET_SCHED_ALL_VCPUS, &p) < 0 ||
			    p.policy != RIVET_SCHED_RTDS)
				continue;   /* gone meanwhile, or listed by sched-credit2 */
			for (uint32_t v = 0; v < ds.v[i].nr_vcpus; v++)
				if (xc_sched_get(h, ds.v[i].domid, v, &p) == 0)
					rtds_row(&ds.v[i], (int)v, &p);
		}
		xl_domains_free(&ds);
		return rc;
	}
	if (setting) {
		for (unsigned i = 0; i < ng && rc == XL_EXIT_OK; i++)
			rc = rtds_set(h, &ds.v[0], &g[i]);
		xl_domains_free(&ds);
		return rc;
	}
	if (!ng) {
		printf("%-33s %4s %9s %9s %10s\n", "Name", "ID", "Period", "Budget", "Extratime");
		for (unsigned i = 0; i < ds.n; i++) {
			struct rivet_sched_params p;
			if (xc_sched_get(h, ds.v[i].domid, RIVET_SCHED_ALL_VCPUS, &p) < 0)
				continue;
			if (p.policy != RIVET_SCHED_RTDS && !dom)
				continue;   /* listed by sched-credit2 */
			rtds_row(&ds.v[i], -1, &p);
		}
		xl_domains_free(&ds);
		return rc;
	}
	printf("%-33s %4s %4s %9s %9s %10s\n", "Name", "ID", "VCPU", "Period", "Budget", "Extratime");
	for (unsigned i = 0; i < ng; i++) {
		uint64_t first = 0, last = ds.v[0].nr_vcpus ? ds.v[0].nr_vcpus - 1 : 0;
		if (strcmp(g[i].vcpu, "all")) {
			if (parse_num("sched-rtds", "vcpu", g[i].vcpu, last, &first) < 0) {
				rc = XL_EXIT_FAIL;
				break;
			}
			last = first;
		}
		for (uint64_t v = first; v <= last; v++) {
			struct rivet_sched_params p;
			int r = xc_sched_get(h, ds.v[0].domid, (uint32_t)v, &p);
			if (r < 0) {
				rc = set_failed("sched-rtds", &ds.v[0], r);
				break;
			}
			rtds_row(&ds.v[0], (int)v, &p);
		}
	}
	xl_domains_free(&ds);
	return rc;
}
