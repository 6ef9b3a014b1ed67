/* SPDX-License-Identifier: MIT */
/* domcfg.c: checks the keys of a domain config, one handler per key. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpumask.h"
#include "domcfg.h"

struct ctx {
	const char *file;
	struct domcfg *out;
	struct diag *d;
	/* The kernel command line's keys, composed at the end (kernel_cmdline()). */
	const struct xlent *extra, *cmdline, *root;
};

static int fail(struct ctx *c, const struct xlent *e, const char *reason)
{
	return diag_fail(c->d, c->file, e->line, e->key, "%s", reason);
}

static void warn(struct ctx *c, const struct xlent *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warn(struct ctx *c, const struct xlent *e, const char *fmt, ...)
{
	char reason[REASON_MAX];
	struct diag w;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	diag_fail(&w, c->file, e->line, e->key, "%s", reason);
	if (c->out->nr_warnings < DOMCFG_MAX_WARNINGS)
		memcpy(c->out->warnings[c->out->nr_warnings], w.text, sizeof w.text);
	c->out->nr_warnings++;
}

static const char *kind_name(enum xlval_kind k)
{
	return k == XLVAL_LIST ? "a list" : k == XLVAL_INT ? "a number" : "a string";
}

static int get_string(struct ctx *c, const struct xlent *e, const char **s)
{
	*s = "";
	if (e->val.kind != XLVAL_STRING)
		return diag_fail(c->d, c->file, e->line, e->key, "expected a quoted string, got %s",
				 kind_name(e->val.kind));
	*s = e->val.str;
	return 0;
}

/* A number, or a string holding a decimal number (Xen accepts memory = "512"). */
static int get_uint(struct ctx *c, const struct xlent *e, uint64_t lo, uint64_t hi,
		    const char *unit, uint64_t *v)
{
	if (e->val.kind == XLVAL_INT) {
		*v = e->val.num;
	} else if (e->val.kind == XLVAL_STRING) {
		const char *p = e->val.str;
		uint64_t n = 0;

		if (!*p)
			return fail(c, e, "expected a number, got an empty string");
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return diag_fail(c->d, c->file, e->line, e->key,
						 "expected a number, got \"%.40s\"", e->val.str);
			if (n > (UINT64_MAX - 9) / 10)
				return fail(c, e, "number is too large");
			n = n * 10 + (uint64_t)(*p - '0');
		}
		*v = n;
	} else {
		return fail(c, e, "expected a number, got a list");
	}
	if (*v < lo || *v > hi)
		return diag_fail(c->d, c->file, e->line, e->key, "%.40s is out of range (%llu..%llu%s)",
				 e->val.str, (unsigned long long)lo, (unsigned long long)hi, unit);
	return 0;
}

static int key_name(struct ctx *c, const struct xlent *e)
{
	const char *s, *p;

	if (get_string(c, e, &s) < 0)
		return -1;
	if (!*s)
		return fail(c, e, "must not be empty");
	if (strlen(s) > RIVET_NAME_LEN - 1)
		return diag_fail(c->d, c->file, e->line, e->key, "longer than %d characters",
				 RIVET_NAME_LEN - 1);
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return diag_fail(c->d, c->file, e->line, e->key,
					 "\"%.40s\" has a character other than A-Z a-z 0-9 _ . -", s);
	/* xl, as Xen's, reads an all-digit DOM as a domain id: such a name could never be named. */
	if (strspn(s, "0123456789") == strlen(s))
		return diag_fail(c->d, c->file, e->line, e->key,
				 "\"%.40s\" is all digits (xl would read it as a domain id)", s);
	/* Nor one that xl's commands would take for an option. */
	if (*s == '-')
		return diag_fail(c->d, c->file, e->line, e->key, "\"%.40s\" starts with '-' (xl would read it as an option)", s);
	memcpy(c->out->name, s, strlen(s) + 1);
	c->out->line_name = e->line;
	return 0;
}

static int key_memory(struct ctx *c, const struct xlent *e)
{
	uint64_t mib;

	if (get_uint(c, e, 1, DOMCFG_MAX_MEMORY_MIB, " MiB", &mib) < 0)
		return -1;
	c->out->memory_bytes = mib << 20;
	c->out->line_memory = e->line;
	return 0;
}

static int key_maxmem(struct ctx *c, const struct xlent *e)
{
	uint64_t mib;

	if (get_uint(c, e, 1, DOMCFG_MAX_MEMORY_MIB, " MiB", &mib) < 0)
		return -1;
	c->out->maxmem_bytes = mib << 20;
	c->out->line_maxmem = e->line;
	return 0;
}

static int key_vcpus(struct ctx *c, const struct xlent *e)
{
	uint64_t n;

	if (get_uint(c, e, 1, RIVET_MAX_VCPUS, "", &n) < 0)
		return -1;
	c->out->nr_vcpus = (uint32_t)n;
	return 0;
}

/* Xen's maxvcpus: the most the guest may have; resolved against vcpus in vcpu_counts(). */
static int key_maxvcpus(struct ctx *c, const struct xlent *e)
{
	uint64_t n;

	if (get_uint(c, e, 1, RIVET_MAX_VCPUS, "", &n) < 0)
		return -1;
	c->out->max_vcpus_given = (uint32_t)n;
	c->out->line_maxvcpus = e->line;
	return 0;
}

/*
 * vcpus online at boot, maxvcpus in all (default: vcpus). With fewer online,
 * Linux is told to bring up only those (maxcpus=, after the config's own
 * command line: Linux takes the last); xl create makes the others
 * unavailable until xl vcpu-set, so the guest could not start them anyway.
 */
static int vcpu_counts(struct ctx *c)
{
	struct domcfg *o = c->out;
	char line[DOMCFG_MAX_CMDLINE + 32];

	o->online_vcpus = o->nr_vcpus;
	if (!o->max_vcpus_given)
		return 0;
	if (o->max_vcpus_given < o->nr_vcpus)
		return diag_fail(c->d, c->file, o->line_maxvcpus, "maxvcpus",
				 "%u is less than vcpus (%u)", o->max_vcpus_given, o->nr_vcpus);
	o->nr_vcpus = o->max_vcpus_given;
	if (o->online_vcpus == o->nr_vcpus)
		return 0;
	snprintf(line, sizeof line, "%s%smaxcpus=%u", o->cmdline ? o->cmdline : "", o->cmdline ? " " : "",
		 o->online_vcpus);
	if (strlen(line) > DOMCFG_MAX_CMDLINE)
		return diag_fail(c->d, c->file, o->line_maxvcpus, "maxvcpus",
				 "the command line with \"maxcpus=%u\" appended is longer than %d bytes",
				 o->online_vcpus, DOMCFG_MAX_CMDLINE);
	char *copy = strdup(line);
	if (!copy)
		return diag_fail(c->d, c->file, o->line_maxvcpus, "maxvcpus", "out of memory");
	free(o->cmdline);
	o->cmdline = copy;
	return 0;
}

/* cpu_weight, cap; period, slice (microseconds), extratime (0 or 1): see check_sched(). */
static int key_sched(struct ctx *c, const struct xlent *e)
{
	struct domcfg *o = c->out;
	uint64_t n;

	if (!strcmp(e->key, "cpu_weight")) {
		if (get_uint(c, e, 1, RIVET_SCHED_WEIGHT_MAX, "", &n) < 0)
			return -1;
		o->cpu_weight = (uint32_t)n;
	} else if (!strcmp(e->key, "cap")) {
		/* The microvisor checks it against the machine's harts (100 each). */
		if (get_uint(c, e, 0, 100 * (CPUMASK_MAX_HART + 1), " percent of one hart", &n) < 0)
			return -1;
		o->cap = (uint32_t)n;
		o->has_cap = 1;
	} else if (!strcmp(e->key, "period")) {
		if (get_uint(c, e, RIVET_SCHED_RTDS_PERIOD_MIN_US, RIVET_SCHED_RTDS_PERIOD_MAX_US, " us", &n) < 0)
			return -1;
		o->rt_period_us = n;
	} else if (!strcmp(e->key, "slice")) {
		if (get_uint(c, e, RIVET_SCHED_RTDS_BUDGET_MIN_US, RIVET_SCHED_RTDS_PERIOD_MAX_US, " us", &n) < 0)
			return -1;
		o->rt_slice_us = n;
	} else {
		if (get_uint(c, e, 0, 1, "", &n) < 0)
			return -1;
		o->rt_extratime = (int)n;
	}
	o->line_sched = e->line;
	return 0;
}

/* One policy: credit's keys or RTDS's, and RTDS's period and slice together, the slice within the period. */
static int check_sched(struct ctx *c)
{
	const struct domcfg *o = c->out;
	int credit = o->cpu_weight || o->has_cap, rt = o->rt_period_us || o->rt_slice_us || o->rt_extratime >= 0;

	if (credit && rt)
		return diag_fail(c->d, c->file, o->line_sched, "period",
				 "cpu_weight and cap are the credit policy's, period, slice and extratime "
				 "make the domain RTDS: give one policy's keys");
	if (rt && (!o->rt_period_us || !o->rt_slice_us))
		return diag_fail(c->d, c->file, o->line_sched, o->rt_period_us ? "slice" : "period",
				 "RTDS needs both period and slice (microseconds)");
	if (rt && o->rt_slice_us > o->rt_period_us)
		return diag_fail(c->d, c->file, o->line_sched, "slice",
				 "%llu us is longer than the period (%llu us)",
				 (unsigned long long)o->rt_slice_us, (unsigned long long)o->rt_period_us);
	return 0;
}

int domcfg_sched(const struct domcfg *dc, struct rivet_sched_params *p)
{
	memset(p, 0, sizeof *p);
	if (dc->rt_period_us) {
		p->policy = RIVET_SCHED_RTDS;
		p->period_us = dc->rt_period_us;
		p->budget_us = dc->rt_slice_us;
		p->extratime = dc->rt_extratime > 0;
		return 1;
	}
	if (!dc->cpu_weight && !dc->has_cap)
		return 0;
	p->policy = RIVET_SCHED_CREDIT;
	p->weight = dc->cpu_weight ? dc->cpu_weight : RIVET_SCHED_WEIGHT_DEFAULT;
	p->cap = dc->cap;
	return 1;
}

static int key_cpus(struct ctx *c, const struct xlent *e)
{
	char why[REASON_MAX];

	struct domcfg *o = c->out;

	o->line_cpus = e->line;
	o->nr_vcpu_masks = 0;
	if (e->val.kind == XLVAL_LIST) {
		/* Xen's per-vCPU form: item i for vCPU i (checked against vcpus at the end). */
		if (e->val.nr_items > RIVET_MAX_VCPUS)
			return diag_fail(c->d, c->file, e->line, e->key, "%u items, but at most %d vCPUs",
					 e->val.nr_items, RIVET_MAX_VCPUS);
		if (!e->val.nr_items)
			return fail(c, e, "an empty list; give one item per vCPU, like [\"0\", \"1\"]");
		for (unsigned i = 0; i < e->val.nr_items; i++) {
			const struct xlval *it = &e->val.items[i];
			/* A number is a hart, as in Xen (libxlutil keeps both as text). */
			if (it->kind != XLVAL_STRING && it->kind != XLVAL_INT)
				return diag_fail(c->d, c->file, e->line, e->key,
						 "item %u: expected a quoted string, like \"0-1\"", i + 1);
			if (cpumask_parse(it->str, &o->vcpu_masks[i], why) < 0)
				return diag_fail(c->d, c->file, e->line, e->key, "item %u: %s", i + 1, why);
		}
		o->nr_vcpu_masks = e->val.nr_items;
		return 0;
	}
	if (e->val.kind == XLVAL_LIST || !e->val.str)
		return fail(c, e, "expected a quoted string, like \"0-1\", or a list of them, one per vCPU");
	if (cpumask_parse(e->val.str, &o->cpus_mask, why) < 0)
		return fail(c, e, why);
	return 0;
}

/* PATH as written, resolved against the directory of the config file. */
static char *resolve(const char *file, const char *path)
{
	const char *slash = strrchr(file, '/');
	size_t dlen = slash ? (size_t)(slash - file) + 1 : 0;
	size_t plen = strlen(path);
	char *r;

	if (path[0] == '/')
		dlen = 0;
	r = malloc(dlen + plen + 1);
	if (!r)
		return NULL;
	memcpy(r, file, dlen);
	memcpy(r + dlen, path, plen + 1);
	return r;
}

static int get_path(struct ctx *c, const struct xlent *e, char **as_written, char **resolved)
{
	const char *s;

	if (get_string(c, e, &s) < 0)
		return -1;
	if (!*s)
		return fail(c, e, "must not be empty");
	*as_written = strdup(s);
	*resolved = resolve(c->file, s);
	if (!*as_written || !*resolved)
		return fail(c, e, "out of memory");
	return 0;
}

static int key_kernel(struct ctx *c, const struct xlent *e)
{
	c->out->line_kernel = e->line;
	return get_path(c, e, &c->out->kernel, &c->out->kernel_path);
}

static int key_ramdisk(struct ctx *c, const struct xlent *e)
{
	c->out->line_ramdisk = e->line;
	return get_path(c, e, &c->out->ramdisk, &c->out->ramdisk_path);
}

/* extra, root and cmdline: checked here, composed by kernel_cmdline() once all are known. */
static int key_cmdline(struct ctx *c, const struct xlent *e)
{
	const char *s;

	if (get_string(c, e, &s) < 0)
		return -1;
	if (strlen(s) > DOMCFG_MAX_CMDLINE)
		return diag_fail(c->d, c->file, e->line, e->key, "longer than %d bytes",
				 DOMCFG_MAX_CMDLINE);
	if (!strcmp(e->key, "extra"))
		c->extra = e;
	else if (!strcmp(e->key, "root"))
		c->root = e;
	else
		c->cmdline = e;
	return 0;
}

/*
 * As Xen's xl: cmdline is the whole command line and wins over root and
 * extra (with a warning); else "root=ROOT EXTRA", either part optional.
 */
static int kernel_cmdline(struct ctx *c)
{
	const struct xlent *e = c->cmdline ? c->cmdline : c->extra ? c->extra : c->root;
	char line[2 * DOMCFG_MAX_CMDLINE + 8];

	if (!e)
		return 0;
	if (c->cmdline) {
		if (c->root || c->extra)
			warn(c, c->cmdline, "ignoring %s in favour of cmdline",
			     c->root && c->extra ? "root and extra" : c->root ? "root" : "extra");
		snprintf(line, sizeof line, "%s", c->cmdline->val.str);
	} else {
		snprintf(line, sizeof line, "%s%s%s%s", c->root ? "root=" : "", c->root ? c->root->val.str : "",
			 c->root && c->extra ? " " : "", c->extra ? c->extra->val.str : "");
	}
	if (strlen(line) > DOMCFG_MAX_CMDLINE)
		return diag_fail(c->d, c->file, e->line, e->key,
				 "root and extra make a command line longer than %d bytes",
				 DOMCFG_MAX_CMDLINE);
	c->out->cmdline = strdup(line);
	if (!c->out->cmdline)
		return fail(c, e, "out of memory");
	return 0;
}

/* Xen's guest types: Rivet boots every kernel as PVH does (no firmware, the kernel entered directly). */
static int key_type(struct ctx *c, const struct xlent *e)
{
	const char *s;

	if (get_string(c, e, &s) < 0)
		return -1;
	if (!strcmp(s, "pvh"))
		return 0;
	if (!strcmp(s, "pv") || !strcmp(s, "hvm"))
		return diag_fail(c->d, c->file, e->line, e->key,
				 "\"%s\" is not supported (Rivet boots every domain as pvh)", s);
	return diag_fail(c->d, c->file, e->line, e->key, "\"%.40s\" is not valid (use pvh)", s);
}

int domcfg_vdev_index(const char *vdev)
{
	static const char *const prefixes[] = { "xvd", "vd", "sd", "hd" };
	unsigned i;

	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t n = strlen(prefixes[i]);

		if (!strncmp(vdev, prefixes[i], n) && vdev[n] >= 'a' && vdev[n] <= 'z' && !vdev[n + 1])
			return vdev[n] - 'a';
	}
	return -1;
}

/* One parameter of a disk spec, blanks around it dropped. */
static void trim(const char **b, const char **e)
{
	while (*b < *e && (**b == ' ' || **b == '\t'))
		(*b)++;
	while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

static int tok_is(const char *b, const char *e, const char *word)
{
	return (size_t)(e - b) == strlen(word) && !strncmp(b, word, (size_t)(e - b));
}

enum { DP_TARGET, DP_FORMAT, DP_VDEV, DP_ACCESS, DP_N };

static int set_param(char *val[DP_N], int which, const char *b, const char *e, const char *name,
		     char *why)
{
	if (val[which])
		return reason_set(why, "%s given twice", name);
	val[which] = malloc((size_t)(e - b) + 1);
	if (!val[which])
		return reason_set(why, "out of memory");
	memcpy(val[which], b, (size_t)(e - b));
	val[which][e - b] = '\0';
	return 0;
}

/* Xen's deprecated "PREFIX:" on a positional target: the formats it names, or raw. */
static int strip_prefix(const char **b, const char *e, char *val[DP_N], char *why)
{
	static const char *const raw[] = { "raw:", "file:", "aio:", "phy:" };
	static const char *const other[] = { "qcow:", "qcow2:", "vhd:", "tap:", "tap2:",
					     "tapdisk:", "ioemu:", "iscsi:", "nbd:", "enbd:",
					     "drbd:" };
	unsigned i;

	for (i = 0; i < sizeof raw / sizeof raw[0]; i++)
		if ((size_t)(e - *b) > strlen(raw[i]) && !strncmp(*b, raw[i], strlen(raw[i]))) {
			*b += strlen(raw[i]);
			return 1;
		}
	for (i = 0; i < sizeof other / sizeof other[0]; i++)
		if ((size_t)(e - *b) > strlen(other[i]) && !strncmp(*b, other[i], strlen(other[i])))
			return reason_set(why, "'%.*s' targets are not supported (only raw files)",
					  (int)strlen(other[i]) - 1, other[i]);
	(void)val;
	return 0;
}

/*
 * Xen's xl-disk-configuration(5): comma-separated parameters, blanks around
 * each dropped. A positional one sets the first of target, format, vdev,
 * access still unset (format is skipped after a deprecated "phy:"-style
 * prefix, as in Xen); KEY=VALUE ones set theirs; "target=" takes the rest
 * of the spec, commas and all, so it comes last.
 */
static int parse_params(const char *spec, char *val[DP_N], char *why)
{
	static const char *const names[DP_N] = { "target", "format", "vdev", "access" };
	const char *p = spec;
	int depr = 0;

	for (;;) {
		const char *end = strchr(p, ','), *b = p, *e, *eq;

		if (!end)
			end = p + strlen(p);
		e = end;
		trim(&b, &e);
		if (!strncmp(b, "target=", 7)) {
			const char *t = b + 7;

			return set_param(val, DP_TARGET, t, t + strlen(t), "target", why);
		}
		eq = memchr(b, '=', (size_t)(e - b));
		if (eq) {
			int which = tok_is(b, eq, "format") ? DP_FORMAT : tok_is(b, eq, "vdev") ? DP_VDEV :
				    tok_is(b, eq, "access") ? DP_ACCESS : -1;
			const char *v = eq + 1;

			if (which >= 0) {
				if (set_param(val, which, v, e, names[which], why) < 0)
					return -1;
			} else if (tok_is(b, eq, "devtype")) {
				if (!tok_is(v, e, "disk"))
					return reason_set(why, "devtype '%.*s' is not supported (only disk)",
							  (int)(e - v > 40 ? 40 : e - v), v);
			} else if (tok_is(b, eq, "backendtype")) {
				if (!tok_is(v, e, "qdisk"))
					return reason_set(why, "backendtype '%.*s' is not supported (the "
							  "device model serves disks: qdisk)",
							  (int)(e - v > 40 ? 40 : e - v), v);
			} else {
				return reason_set(why, "unknown parameter '%.*s'",
						  (int)(eq - b > 40 ? 40 : eq - b), b);
			}
		} else if (b == e && !*end && p != spec) {
			/* a trailing comma: nothing */
		} else {
			int which;

			for (which = 0; which < DP_N; which++)
				if (!val[which] && !(which == DP_FORMAT && depr))
					break;
			if (which == DP_N)
				return reason_set(why, "too many positional parameters ('%.*s'; expected "
						  "target,format,vdev,access)",
						  (int)(e - b > 40 ? 40 : e - b), b);
			if (which == DP_TARGET) {
				int r = strip_prefix(&b, e, val, why);

				if (r < 0)
					return -1;
				depr = r;
			}
			if (set_param(val, which, b, e, names[which], why) < 0)
				return -1;
		}
		if (!*end)
			return 0;
		p = end + 1;
	}
}

int domcfg_parse_disk(const char *spec, struct domcfg_disk *out, char *why)
{
	char *val[DP_N] = { NULL, NULL, NULL, NULL };
	int rc = -1, idx;

	memset(out, 0, sizeof *out);
	if (parse_params(spec, val, why) < 0)
		goto out;
	if (val[DP_FORMAT] && val[DP_FORMAT][0] && strcmp(val[DP_FORMAT], "raw")) {
		reason_set(why, "format '%.40s' is not supported (only raw)", val[DP_FORMAT]);
		goto out;
	}
	if (!val[DP_ACCESS] || !val[DP_ACCESS][0] || !strcmp(val[DP_ACCESS], "rw") || !strcmp(val[DP_ACCESS], "w")) {
		out->readonly = 0;
	} else if (!strcmp(val[DP_ACCESS], "ro") || !strcmp(val[DP_ACCESS], "r")) {
		out->readonly = 1;
	} else {
		reason_set(why, "access '%.40s' is not valid (use rw or ro)", val[DP_ACCESS]);
		goto out;
	}
	if (!val[DP_TARGET] || !val[DP_TARGET][0]) {
		reason_set(why, "no target (the disk image's path)");
		goto out;
	}
	if (!val[DP_VDEV] || !val[DP_VDEV][0]) {
		reason_set(why, "no vdev (name the disk, like xvda)");
		goto out;
	}
	idx = domcfg_vdev_index(val[DP_VDEV]);
	if (idx < 0) {
		reason_set(why, "vdev '%.40s' is not valid (use xvdX, vdX, sdX or hdX, X in a..z)",
			   val[DP_VDEV]);
		goto out;
	}
	memcpy(out->vdev, val[DP_VDEV], strlen(val[DP_VDEV]) + 1);
	out->index = (unsigned)idx;
	out->target = val[DP_TARGET];
	val[DP_TARGET] = NULL;
	rc = 0;
out:
	free(val[0]);
	free(val[1]);
	free(val[2]);
	free(val[3]);
	return rc;
}

static int key_disk(struct ctx *c, const struct xlent *e)
{
	struct domcfg *o = c->out;
	char why[REASON_MAX];
	unsigned i, j;

	if (e->val.kind != XLVAL_LIST)
		return fail(c, e, "expected a list, like [ 'disk.img,raw,xvda,rw' ]");
	if (e->val.nr_items > DOMCFG_MAX_DISKS)
		return diag_fail(c->d, c->file, e->line, e->key,
				 "%u disks, but at most %d (the virtio slots)", e->val.nr_items,
				 DOMCFG_MAX_DISKS);
	o->line_disk = e->line;
	for (i = 0; i < e->val.nr_items; i++) {
		const struct xlval *it = &e->val.items[i];
		struct domcfg_disk dk;

		if (it->kind != XLVAL_STRING)
			return diag_fail(c->d, c->file, it->line, e->key,
					 "item %u: expected a quoted string, like 'disk.img,raw,xvda,rw'",
					 i + 1);
		if (domcfg_parse_disk(it->str, &dk, why) < 0)
			return diag_fail(c->d, c->file, it->line, e->key, "'%.60s': %s", it->str, why);
		dk.line = it->line;
		dk.path = resolve(c->file, dk.target);
		if (!dk.path) {
			free(dk.target);
			return fail(c, e, "out of memory");
		}
		/* Insert in vdev order; xvda, sda and hda are all the first disk, as in Xen. */
		for (j = 0; j < o->nr_disks; j++)
			if (o->disks[j].index == dk.index) {
				diag_fail(c->d, c->file, it->line, e->key,
					  "vdev '%s' is the same disk as '%s' (item %u)", dk.vdev,
					  o->disks[j].vdev, j + 1);
				free(dk.target);
				free(dk.path);
				return -1;
			}
		for (j = o->nr_disks; j > 0 && o->disks[j - 1].index > dk.index; j--)
			o->disks[j] = o->disks[j - 1];
		o->disks[j] = dk;
		o->nr_disks++;
	}
	return 0;
}

static int hexdigit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int domcfg_parse_mac(const char *s, uint8_t mac[DOMCFG_MAC_BYTES], char *why)
{
	const char *p = s;
	unsigned i;

	for (i = 0; i < DOMCFG_MAC_BYTES; i++, p += 3) {
		int hi = hexdigit(p[0]), lo = hi < 0 ? -1 : hexdigit(p[1]);

		if (lo < 0 || p[2] != (i < DOMCFG_MAC_BYTES - 1 ? ':' : '\0'))
			return reason_set(why, "'%.40s' is not six colon-separated hex pairs "
					  "(like 00:16:3e:12:34:56)", s);
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (mac[0] & 1)
		return reason_set(why, "%.17s is a multicast address (the first byte must be even)", s);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return reason_set(why, "00:00:00:00:00:00 is not an address");
	return 0;
}

/* A network interface name: 1-15 characters, none of '/', ':', ',', blanks. */
static int ifname_ok(const char *b, size_t n)
{
	size_t i;

	if (n < 1 || n >= DOMCFG_IFNAME_MAX || (n == 1 && b[0] == '.') ||
	    (n == 2 && b[0] == '.' && b[1] == '.'))
		return 0;
	for (i = 0; i < n; i++)
		if (b[i] == '/' || b[i] == ':' || b[i] == ' ' || b[i] == '\t' || (unsigned char)b[i] < 0x21 ||
		    (unsigned char)b[i] > 0x7e)
			return 0;
	return 1;
}

/*
 * Xen's xl-network-configuration(5): comma-separated KEY=VALUE, all
 * optional. Keys Xen has that mean nothing to a virtio-net on a bridge
 * (script, rate, backend, ...) are refused by name, as Xen's xl refuses a
 * key it does not know.
 */
int domcfg_parse_vif(const char *spec, struct domcfg_vif *out, char *why)
{
	static const char *const xen_only[] = {
		"script", "backend", "rate", "gatewaydev", "devid", "mtu", "accel", "trusted",
		"untrusted", "forwarddev", "uuid",
	};
	const char *p = spec;

	memset(out, 0, sizeof *out);
	memcpy(out->bridge, DOMCFG_DEFAULT_BRIDGE, sizeof DOMCFG_DEFAULT_BRIDGE);
	while (*p) {
		const char *end = strchr(p, ','), *b = p, *e, *eq, *v;
		size_t vn;
		unsigned i;

		if (!end)
			end = p + strlen(p);
		e = end;
		trim(&b, &e);
		p = *end ? end + 1 : end;
		if (b == e)
			continue;   /* '' and a trailing comma: Xen allows both */
		eq = memchr(b, '=', (size_t)(e - b));
		if (!eq)
			return reason_set(why, "'%.*s' is not key=value", (int)(e - b > 40 ? 40 : e - b), b);
		v = eq + 1;
		vn = (size_t)(e - v);
		if (tok_is(b, eq, "mac")) {
			char mac[24];

			if (vn >= sizeof mac)
				return reason_set(why, "mac: '%.40s' is not six colon-separated hex pairs "
						  "(like 00:16:3e:12:34:56)", v);
			memcpy(mac, v, vn);
			mac[vn] = '\0';
			char r[REASON_MAX];

			if (domcfg_parse_mac(mac, out->mac, r) < 0)
				return reason_set(why, "mac: %.200s", r);
			out->has_mac = 1;
		} else if (tok_is(b, eq, "bridge") || tok_is(b, eq, "vifname")) {
			char *dst = b[0] == 'b' ? out->bridge : out->vifname;

			if (!ifname_ok(v, vn))
				return reason_set(why, "%.*s: '%.*s' is not a network interface name "
						  "(1-15 characters, no '/', ':' or blanks)",
						  (int)(eq - b), b, (int)(vn > 40 ? 40 : vn), v);
			memcpy(dst, v, vn);
			dst[vn] = '\0';
		} else if (tok_is(b, eq, "type")) {
			/* HVM's emulated NIC or a PV one: here both are the virtio-net device. */
			if (!tok_is(v, e, "ioemu") && !tok_is(v, e, "vif"))
				return reason_set(why, "type: '%.*s' is not valid (ioemu or vif)",
						  (int)(vn > 40 ? 40 : vn), v);
		} else if (tok_is(b, eq, "model")) {
			if (!tok_is(v, e, "virtio") && !tok_is(v, e, "virtio-net"))
				return reason_set(why, "model: '%.*s' is not supported (only virtio)",
						  (int)(vn > 40 ? 40 : vn), v);
		} else if (tok_is(b, eq, "ip")) {
			if (vn >= sizeof out->ip)
				return reason_set(why, "ip: longer than %zu characters", sizeof out->ip - 1);
			memcpy(out->ip, v, vn);
			out->ip[vn] = '\0';
		} else {
			for (i = 0; i < sizeof xen_only / sizeof xen_only[0]; i++)
				if (tok_is(b, eq, xen_only[i]))
					return reason_set(why, "%s: not supported by Rivet", xen_only[i]);
			return reason_set(why, "unknown parameter '%.*s'", (int)(eq - b > 40 ? 40 : eq - b), b);
		}
	}
	return 0;
}

/* vif = [ 'spec', ... ]: DEVID is the index in the list, as in Xen. */
static int key_vif(struct ctx *c, const struct xlent *e)
{
	struct domcfg *o = c->out;
	char why[REASON_MAX];
	unsigned i;

	if (e->val.kind != XLVAL_LIST)
		return fail(c, e, "expected a list, like [ 'bridge=rbr0' ]");
	if (e->val.nr_items > DOMCFG_MAX_VIFS)
		return diag_fail(c->d, c->file, e->line, e->key,
				 "%u vifs, but at most %d (the virtio slots)", e->val.nr_items,
				 DOMCFG_MAX_VIFS);
	o->line_vif = e->line;
	for (i = 0; i < e->val.nr_items; i++) {
		const struct xlval *it = &e->val.items[i];
		struct domcfg_vif *v = &o->vifs[i];

		if (it->kind != XLVAL_STRING)
			return diag_fail(c->d, c->file, it->line, e->key,
					 "item %u: expected a quoted string, like 'bridge=rbr0'", i + 1);
		if (domcfg_parse_vif(it->str, v, why) < 0)
			return diag_fail(c->d, c->file, it->line, e->key, "item %u: %s", i + 1, why);
		v->line = it->line;
		for (unsigned j = 0; j < i; j++) {
			if (v->has_mac && o->vifs[j].has_mac && !memcmp(v->mac, o->vifs[j].mac, sizeof v->mac))
				return diag_fail(c->d, c->file, it->line, e->key,
						 "item %u: mac is the same as item %u's", i + 1, j + 1);
			if (v->vifname[0] && !strcmp(v->vifname, o->vifs[j].vifname))
				return diag_fail(c->d, c->file, it->line, e->key,
						 "item %u: vifname is the same as item %u's", i + 1, j + 1);
		}
		o->nr_vifs = i + 1;
	}
	return 0;
}

/* Xen's serial = 'pty' (or [ 'pty' ]): the 16550 UART, its other side in rivet-consoled. */
static int key_serial(struct ctx *c, const struct xlent *e)
{
	const struct xlval *v = &e->val;

	if (v->kind == XLVAL_LIST) {
		if (v->nr_items == 0)
			return 0;
		if (v->nr_items > 1)
			return fail(c, e, "only one serial port is supported (serial = 'pty')");
		v = &v->items[0];
	}
	if (v->kind != XLVAL_STRING)
		return fail(c, e, "expected 'pty'");
	if (strcmp(v->str, "pty"))
		return diag_fail(c->d, c->file, e->line, e->key,
				 "\"%.40s\" is not supported (use 'pty')", v->str);
	c->out->serial = 1;
	c->out->line_serial = e->line;
	return 0;
}

/*
 * console = 'virtio': a virtio console in the virtio slot after the disks
 * (Rivet's key; Xen's PV console needs none, and every Rivet domain has its
 * SBI console anyway).
 */
static int key_console(struct ctx *c, const struct xlent *e)
{
	const char *s;

	if (get_string(c, e, &s) < 0)
		return -1;
	if (strcmp(s, "virtio"))
		return diag_fail(c->d, c->file, e->line, e->key,
				 "\"%.40s\" is not supported (use 'virtio'; the SBI console needs no key)", s);
	c->out->vconsole = 1;
	c->out->line_console = e->line;
	return 0;
}

static int key_action(struct ctx *c, const struct xlent *e)
{
	static const char *const xen_only[] = {
		"soft-reset",
	};
	uint8_t *slot = !strcmp(e->key, "on_poweroff") ? &c->out->on_poweroff :
			!strcmp(e->key, "on_reboot") ? &c->out->on_reboot :
			!strcmp(e->key, "on_watchdog") ? &c->out->on_watchdog : &c->out->on_crash;
	const char *s;
	unsigned i;

	if (get_string(c, e, &s) < 0)
		return -1;
	if (!strcmp(s, "destroy")) {
		*slot = RIVET_ACTION_DESTROY;
		return 0;
	}
	if (!strcmp(s, "restart")) {
		*slot = RIVET_ACTION_RESTART;
		return 0;
	}
	if (!strcmp(s, "preserve")) {
		*slot = RIVET_ACTION_PRESERVE;
		c->out->line_preserve = e->line;
		return 0;
	}
	if (!strcmp(s, "rename-restart")) {
		*slot = RIVET_ACTION_RENAME_RESTART;
		c->out->line_preserve = e->line;
		return 0;
	}
	if (!strcmp(s, "coredump-destroy") || !strcmp(s, "coredump-restart")) {
		*slot = (s[9] == 'd' ? RIVET_ACTION_DESTROY : RIVET_ACTION_RESTART) | RIVET_ACTION_COREDUMP;
		c->out->line_coredump = e->line;
		return 0;
	}
	for (i = 0; i < sizeof xen_only / sizeof xen_only[0]; i++)
		if (!strcmp(s, xen_only[i]))
			return diag_fail(c->d, c->file, e->line, e->key,
					 "\"%s\" is not supported (use destroy, restart, preserve, rename-restart, "
					 "coredump-destroy or coredump-restart)", s);
	return diag_fail(c->d, c->file, e->line, e->key,
			 "\"%.40s\" is not a valid action (use destroy, restart, preserve, rename-restart, "
			 "coredump-destroy or coredump-restart)", s);
}

/*
 * on_dm_crash (Rivet's own key, not Xen's): what happens when the domain's
 * device model dies. "pause" (the default): the domain stays paused until
 * xl dm-restart or xl destroy; "restart": a new rivet-dm takes over.
 */
static int key_dm_crash(struct ctx *c, const struct xlent *e)
{
	const char *s;

	if (get_string(c, e, &s) < 0)
		return -1;
	if (strcmp(s, "pause") && strcmp(s, "restart"))
		return diag_fail(c->d, c->file, e->line, e->key,
				 "\"%.40s\" is not valid (use pause or restart)", s);
	c->out->dm_restart = !strcmp(s, "restart");
	return 0;
}

static const struct {
	const char *key;
	int (*fn)(struct ctx *c, const struct xlent *e);
} handlers[] = {
	{ "name", key_name },       { "memory", key_memory },   { "vcpus", key_vcpus },
	{ "maxvcpus", key_maxvcpus },
	{ "maxmem", key_maxmem },
	{ "cpus", key_cpus },       { "kernel", key_kernel },   { "ramdisk", key_ramdisk },
	{ "extra", key_cmdline },   { "cmdline", key_cmdline }, { "on_poweroff", key_action },
	{ "on_reboot", key_action }, { "on_crash", key_action }, { "on_watchdog", key_action },
	{ "disk", key_disk },
	{ "serial", key_serial },   { "console", key_console },   { "on_dm_crash", key_dm_crash },
	{ "vif", key_vif },         { "root", key_cmdline },    { "type", key_type },
	{ "cpu_weight", key_sched }, { "cap", key_sched },      { "period", key_sched },
	{ "slice", key_sched },     { "extratime", key_sched },
};

/* Xen keys a user may bring along, which Rivet domains do not do (yet). */
static const char *const unsupported[] = {
	"builder", "bootloader",
	"bootloader_args", "pci", "vfb", "vkb", "vtpm", "p9", "channel", "usbctrl", "usbdev",
	"dtdev", "iomem", "irqs", "uuid", "seclabel", "device_tree",
	"on_soft_reset", "cpus_soft", "shadow_memory",
};

static int check_entry(struct ctx *c, const struct xlent *e)
{
	unsigned i;

	for (i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
		if (!strcmp(e->key, handlers[i].key))
			return handlers[i].fn(c, e);
	for (i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
		if (!strcmp(e->key, unsupported[i]))
			return fail(c, e, "not supported by Rivet yet");
	if (!strncmp(e->key, "device_model", 12))
		return fail(c, e, "not supported by Rivet yet");
	/* As Xen's xl, which reads only the keys it knows. */
	warn(c, e, "unknown key, ignored");
	return 0;
}

int domcfg_from_xlcfg(const struct xlcfg *cfg, const char *cfg_path, struct domcfg *out,
		      struct diag *d)
{
	struct ctx c = { cfg_path, out, d, NULL, NULL, NULL };
	unsigned i;

	memset(out, 0, sizeof *out);
	out->memory_bytes = (uint64_t)DOMCFG_DEFAULT_MEMORY_MIB << 20;
	out->nr_vcpus = 1;
	out->on_poweroff = RIVET_ACTION_DESTROY;
	out->on_reboot = RIVET_ACTION_RESTART;
	out->on_crash = RIVET_ACTION_DESTROY;
	out->on_watchdog = RIVET_ACTION_DESTROY;
	out->rt_extratime = -1;

	for (i = 0; i < cfg->nr_ents; i++)
		if (check_entry(&c, &cfg->ents[i]) < 0)
			goto fail;
	if (kernel_cmdline(&c) < 0 || vcpu_counts(&c) < 0 || check_sched(&c) < 0)
		goto fail;
	if (out->nr_vcpu_masks > out->nr_vcpus) {
		diag_fail(d, cfg_path, out->line_cpus, "cpus", "%u items for %u vCPUs", out->nr_vcpu_masks,
			  out->nr_vcpus);
		goto fail;
	}
	if (out->nr_vcpu_masks) {
		/* Homed at creation by the union; any hart when some vCPU is not listed (or lists all). */
		out->cpus_mask = 0;
		for (i = 0; i < out->nr_vcpu_masks && out->nr_vcpu_masks == out->nr_vcpus; i++) {
			if (!out->vcpu_masks[i]) {
				out->cpus_mask = 0;
				break;
			}
			out->cpus_mask |= out->vcpu_masks[i];
		}
	}
	if (out->line_maxmem && out->maxmem_bytes < out->memory_bytes) {
		diag_fail(d, cfg_path, out->line_maxmem, "maxmem", "%llu MiB is less than memory (%llu MiB)",
			  (unsigned long long)(out->maxmem_bytes >> 20),
			  (unsigned long long)(out->memory_bytes >> 20));
		goto fail;
	}
	if (out->maxmem_bytes > out->memory_bytes && !domcfg_has_devices(out)) {
		diag_fail(d, cfg_path, out->line_maxmem, "maxmem",
			  "above memory it needs a balloon, which only a device model has: give the domain "
			  "a disk, a vif, serial = 'pty' or console = 'virtio' (boot-image domains have none)");
		goto fail;
	}
	if (!out->line_name) {
		diag_fail(d, cfg_path, 0, "name", "required key is missing");
		goto fail;
	}
	if (!out->kernel) {
		diag_fail(d, cfg_path, 0, "kernel", "required key is missing");
		goto fail;
	}
	if (out->nr_disks + out->nr_vifs > DOMCFG_VIRTIO_SLOTS) {
		diag_fail(d, cfg_path, out->line_vif, "vif",
			  "%u disks and %u vifs, but at most %d devices (the virtio slots)",
			  out->nr_disks, out->nr_vifs, DOMCFG_VIRTIO_SLOTS);
		goto fail;
	}
	if (out->vconsole && out->nr_disks + out->nr_vifs >= DOMCFG_VIRTIO_SLOTS) {
		diag_fail(d, cfg_path, out->line_console, "console",
			  "no virtio slot left for it (%u disks and %u vifs take all %u)", out->nr_disks,
			  out->nr_vifs, DOMCFG_VIRTIO_SLOTS);
		goto fail;
	}
	return 0;

fail:
	domcfg_free(out);
	return -1;
}

void domcfg_print_warnings(const struct domcfg *dc, FILE *f)
{
	unsigned i;

	for (i = 0; i < dc->nr_warnings && i < DOMCFG_MAX_WARNINGS; i++)
		fprintf(f, "warning: %s\n", dc->warnings[i]);
	if (dc->nr_warnings > DOMCFG_MAX_WARNINGS)
		fprintf(f, "warning: and %u more\n", dc->nr_warnings - DOMCFG_MAX_WARNINGS);
}

void domcfg_free(struct domcfg *dc)
{
	unsigned i;

	for (i = 0; i < dc->nr_disks && i < DOMCFG_MAX_DISKS; i++) {
		free(dc->disks[i].target);
		free(dc->disks[i].path);
		dc->disks[i].target = dc->disks[i].path = NULL;
	}
	dc->nr_disks = 0;
	free(dc->kernel);
	free(dc->kernel_path);
	free(dc->ramdisk);
	free(dc->ramdisk_path);
	free(dc->cmdline);
	dc->kernel = dc->kernel_path = dc->ramdisk = dc->ramdisk_path = dc->cmdline = NULL;
}
