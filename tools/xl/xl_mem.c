// SPDX-License-Identifier: MIT
/*
 * xl_mem.c: xl mem-set and xl mem-max, which steer a domain's balloon
 * (rivet-dm's virtio-balloon; docs/xl.md, docs/dm.md "The balloon"). The
 * request is a signal to the device model, which cannot answer: xl checks
 * it against the target and maximum its record keeps, tells rivet-dm
 * (which checks again), and records the new value.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dm_request.h"
#include "xl.h"

int64_t xl_parse_mem_kb(const char *s)
{
	char *end;
	long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || strlen(end) > 1)
		return -1;
	/* Xen's units: t, g, m (the default), k, b; each shift checked against overflow. */
	unsigned shift;
	switch (tolower((unsigned char)*end)) {
	case 't': shift = 30; break;
	case 'g': shift = 20; break;
	case '\0':
	case 'm': shift = 10; break;
	case 'k': shift = 0; break;
	case 'b': return v >> 10;
	default: return -1;
	}
	if (v > (INT64_MAX >> shift))
		return -1;
	return (int64_t)v << shift;
}

/* The domain's record if it has a balloon to steer: 0, or -1 (said, the record freed). */
static int balloon_of(const char *cmd, xc_handle *h, const char *spec, struct rivet_domain_info *info,
		      struct xl_record *rec)
{
	struct xl_domains ds;
	int r = xl_domains_get(h, &ds), i;

	xl_record_init(rec);
	if (r < 0) {
		xl_err("cannot list domains: %s", xc_strerror(r));
		return -1;
	}
	i = xl_domains_find(&ds, spec);
	if (i >= 0)
		*info = ds.v[i];
	xl_domains_free(&ds);
	if (i < 0) {
		xl_err("domain '%s' does not exist", spec);
		return -1;
	}
	if (info->domid == 0) {
		xl_err("%s: Domain-0 has no balloon (its memory is fixed at boot)", cmd);
		return -1;
	}
	if (!xl_record_of(info, rec) || rec->dm_pid <= 0 || !rec->mem_max) {
		xl_err("%s: domain '%s' (%u) has no balloon (it runs no device model)", cmd, info->name,
		       info->domid);
		xl_record_free(rec);
		return -1;
	}
	return 0;
}

/* SIZE in bytes, whole 4 KiB pages (rounded down), or 0 with the error said. */
static uint64_t size_of(const char *cmd, const char *s)
{
	int64_t kb = xl_parse_mem_kb(s);

	if (kb < 4 || (uint64_t)kb / 4 > DM_REQUEST_MEM_PAGES_MASK) {
		xl_err("%s: invalid memory size: %s", cmd, s);
		return 0;
	}
	return (uint64_t)kb / 4 * 4096;
}

/* The balloon value to record: the target (mem-set) or the maximum (mem-max), in bytes. */
struct mem_edit {
	int max;
	uint64_t bytes;
};

/* The record read again under its lock: the target never above the maximum, or it cannot be parsed back. */
static int set_mem(struct xl_record *rec, void *arg, char *why)
{
	const struct mem_edit *e = arg;

	if (!rec->mem_max)
		return reason_set(why, "its record has no balloon any more");
	if (e->max ? e->bytes < rec->mem_target : e->bytes > rec->mem_max)
		return reason_set(why, "its %s changed meanwhile (target %llu KiB, maximum %llu KiB)",
				  e->max ? "target" : "maximum", (unsigned long long)(rec->mem_target >> 10),
				  (unsigned long long)(rec->mem_max >> 10));
	if (e->max)
		rec->mem_max = e->bytes;
	else
		rec->mem_target = e->bytes;
	return 0;
}

/*
 * Tells rivet-dm REQ, then records E's value (xl_record_update: under the
 * lock the on_dm_crash supervisor holds to rewrite dm_pid=, so a restart's
 * pid is never written over): XL_EXIT_OK, or XL_EXIT_FAIL (said). REC (the
 * record the checks used) is freed.
 */
static int tell(xc_handle *h, const char *cmd, const struct rivet_domain_info *info, struct xl_record *rec,
		struct mem_edit *e, int req)
{
	char why[REASON_MAX];
	int r;

	xl_record_free(rec);
	r = xl_dm_press(info, req, why);
	if (r > 0)
		xl_err("%s: domain '%s' (%u) has no balloon (it runs no device model)", cmd, info->name,
		       info->domid);
	else if (r < 0)
		xl_err("%s: domain '%s' (%u): %s", cmd, info->name, info->domid, why);
	else if ((r = xl_record_update(h, info, NULL, set_mem, e, why)) <= 0) {
		if (r == 0)
			snprintf(why, sizeof why, "its record is gone");
		xl_err("%s: domain '%s' (%u): told, but cannot record it: %s", cmd, info->name, info->domid,
		       why);
		r = -1;
	} else
		r = 0;
	return r == 0 ? XL_EXIT_OK : XL_EXIT_FAIL;
}

int xl_cmd_mem_set(xc_handle *h, int argc, char **argv)
{
	struct rivet_domain_info info;
	struct xl_record rec;
	uint64_t bytes;

	if (argc != 3)
		return xl_usage(xl_command_find("mem-set"));
	if (!(bytes = size_of("mem-set", argv[2])) || balloon_of("mem-set", h, argv[1], &info, &rec) < 0)
		return XL_EXIT_FAIL;
	if (bytes > rec.mem_max) {
		xl_err("mem-set: %llu KiB is above domain '%s''s maximum of %llu KiB (xl mem-max)",
		       (unsigned long long)(bytes >> 10), info.name, (unsigned long long)(rec.mem_max >> 10));
		xl_record_free(&rec);
		return XL_EXIT_FAIL;
	}
	struct mem_edit e = { 0, bytes };
	return tell(h, "mem-set", &info, &rec, &e, DM_REQUEST_MEM_TARGET(bytes / 4096));
}

int xl_cmd_mem_max(xc_handle *h, int argc, char **argv)
{
	struct rivet_domain_info info;
	struct xl_record rec;
	uint64_t bytes;

	if (argc != 3)
		return xl_usage(xl_command_find("mem-max"));
	if (!(bytes = size_of("mem-max", argv[2])) || balloon_of("mem-max", h, argv[1], &info, &rec) < 0)
		return XL_EXIT_FAIL;
	/* Its memory map is fixed at boot: what it was built with is as high as it goes. */
	if (bytes > rec.dm_ram_size) {
		xl_err("mem-max: %llu KiB is above the %llu KiB domain '%s' was built with (maxmem)",
		       (unsigned long long)(bytes >> 10), (unsigned long long)(rec.dm_ram_size >> 10),
		       info.name);
		xl_record_free(&rec);
		return XL_EXIT_FAIL;
	}
	/* As Xen's libxl: the maximum never goes below the target. */
	if (bytes < rec.mem_target) {
		xl_err("mem-max: %llu KiB is below domain '%s''s target of %llu KiB (lower it first: xl mem-set)",
		       (unsigned long long)(bytes >> 10), info.name, (unsigned long long)(rec.mem_target >> 10));
		xl_record_free(&rec);
		return XL_EXIT_FAIL;
	}
	struct mem_edit e = { 1, bytes };
	return tell(h, "mem-max", &info, &rec, &e, DM_REQUEST_MEM_MAX(bytes / 4096));
}
