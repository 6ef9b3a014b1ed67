// SPDX-License-Identifier: MIT
/*
 * fuzz_xlcfg.c: any bytes as an xl.cfg file, through the parser
 * (tools/mkimage/xlcfg.c) and, when it accepts them, the domain-config
 * checks (domcfg.c). Beyond ASan/UBSan/LeakSanitizer, what xlcfg.h and
 * domcfg.h promise is checked: a failure leaves one printable line naming
 * the file and nothing allocated; a success holds only well-formed keys
 * and values within their bounds, and a domain config only values in range.
 */
#include <string.h>

#include "fuzz.h"
#include "cpumask.h"
#include "domcfg.h"
#include "xlcfg.h"

#define FILE_NAME "fuzz/dom.cfg"

static void check_diag(const struct diag *d, const char *what)
{
	size_t n = strnlen(d->text, sizeof d->text);

	FUZZ_CHECK(n > 0 && n < sizeof d->text, "%s failed without a message", what);
	FUZZ_CHECK(!strncmp(d->text, FILE_NAME ":", strlen(FILE_NAME) + 1),
		   "%s: message does not name the file: %s", what, d->text);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)d->text[i] >= 0x20 && d->text[i] != 0x7f,
			   "%s: message has control byte %#x at %zu", what, (unsigned char)d->text[i], i);
}

static void check_scalar(const struct xlval *v, unsigned lines)
{
	FUZZ_CHECK(v->line >= 1 && v->line <= lines, "value on line %u of %u", v->line, lines);
	FUZZ_CHECK(v->str, "value without text");
	if (v->kind == XLVAL_STRING) {
		size_t n = strlen(v->str);
		FUZZ_CHECK(n <= XLCFG_MAX_STRING, "string of %zu bytes", n);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK((unsigned char)v->str[i] >= 0x20 || v->str[i] == '\t' || v->str[i] == '\n' ||
				   v->str[i] == '\r', "string holds control byte %#x", (unsigned char)v->str[i]);
	} else {
		FUZZ_CHECK(v->kind == XLVAL_INT, "list item of kind %d", v->kind);
		FUZZ_CHECK(v->str[0] >= '0' && v->str[0] <= '9', "number written as \"%s\"", v->str);
		FUZZ_CHECK(strtoull(v->str, NULL, 0) == v->num || v->num == 0,
			   "number \"%s\" read as %llu", v->str, (unsigned long long)v->num);
	}
}

static void check_cfg(const struct xlcfg *cfg, unsigned lines)
{
	FUZZ_CHECK(cfg->nr_ents <= XLCFG_MAX_ENTRIES, "%u entries", cfg->nr_ents);
	for (unsigned i = 0; i < cfg->nr_ents; i++) {
		const struct xlent *e = &cfg->ents[i];
		size_t n = strlen(e->key);

		FUZZ_CHECK(n >= 1 && n <= XLCFG_MAX_KEY, "key of %zu characters", n);
		FUZZ_CHECK(strspn(e->key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") == n &&
			   !(e->key[0] >= '0' && e->key[0] <= '9'), "bad key \"%s\"", e->key);
		FUZZ_CHECK(xlcfg_find(cfg, e->key) == e, "key \"%s\" twice or not found", e->key);
		FUZZ_CHECK(e->line >= 1 && e->line <= lines, "key on line %u of %u", e->line, lines);
		if (e->val.kind == XLVAL_LIST) {
			FUZZ_CHECK(e->val.nr_items <= XLCFG_MAX_ITEMS, "list of %u items", e->val.nr_items);
			for (unsigned j = 0; j < e->val.nr_items; j++)
				check_scalar(&e->val.items[j], lines);
		} else {
			check_scalar(&e->val, lines);
		}
	}
}

static const char *str_of(const struct xlcfg *cfg, const char *key)
{
	const struct xlent *e = xlcfg_find(cfg, key);

	return e && e->val.kind == XLVAL_STRING ? e->val.str : NULL;
}

static void check_path(const char *as_written, const char *resolved, const char *what)
{
	FUZZ_CHECK(as_written && resolved && *as_written, "%s path missing", what);
	if (as_written[0] == '/')
		FUZZ_CHECK(!strcmp(resolved, as_written), "%s %s resolved to %s", what, as_written, resolved);
	else
		FUZZ_CHECK(!strncmp(resolved, "fuzz/", 5) && !strcmp(resolved + 5, as_written),
			   "%s %s resolved to %s", what, as_written, resolved);
}

static void check_domcfg(const struct xlcfg *cfg, const struct domcfg *dc)
{
	const char *name = str_of(cfg, "name");
	const char *extra = str_of(cfg, "extra"), *root = str_of(cfg, "root"), *cmdline = str_of(cfg, "cmdline");
	char want[2 * DOMCFG_MAX_CMDLINE + 8];
	size_t n = strnlen(dc->name, sizeof dc->name);

	FUZZ_CHECK(name && !strcmp(name, dc->name), "name \"%s\" from \"%s\"", dc->name, name ? name : "");
	FUZZ_CHECK(n >= 1 && n < sizeof dc->name, "name of %zu bytes", n);
	FUZZ_CHECK(strspn(dc->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n,
		   "name \"%s\" has a character it may not", dc->name);
	FUZZ_CHECK(dc->memory_bytes >= (1UL << 20) && dc->memory_bytes <= ((uint64_t)DOMCFG_MAX_MEMORY_MIB << 20) &&
		   !(dc->memory_bytes & ((1UL << 20) - 1)), "memory of %#llx bytes",
		   (unsigned long long)dc->memory_bytes);
	FUZZ_CHECK(dc->nr_vcpus >= 1 && dc->nr_vcpus <= RIVET_MAX_VCPUS, "%u vCPUs", dc->nr_vcpus);
	check_path(dc->kernel, dc->kernel_path, "kernel");
	FUZZ_CHECK(!dc->ramdisk == !dc->ramdisk_path, "ramdisk half set");
	if (dc->ramdisk)
		check_path(dc->ramdisk, dc->ramdisk_path, "ramdisk");
	/* Xen's rule: cmdline wins; else "root=ROOT EXTRA", either part optional. */
	if (cmdline)
		snprintf(want, sizeof want, "%s", cmdline);
	else
		snprintf(want, sizeof want, "%s%s%s%s", root ? "root=" : "", root ? root : "",
			 root && extra ? " " : "", extra ? extra : "");
	int any = cmdline || extra || root;
	FUZZ_CHECK(!any == !dc->cmdline && (!any || !strcmp(want, dc->cmdline)), "cmdline not as given");
	FUZZ_CHECK(!dc->cmdline || strlen(dc->cmdline) <= DOMCFG_MAX_CMDLINE, "cmdline of %zu bytes",
		   strlen(dc->cmdline));
	FUZZ_CHECK(dc->on_poweroff <= RIVET_ACTION_RESTART && dc->on_reboot <= RIVET_ACTION_RESTART &&
		   dc->on_crash <= RIVET_ACTION_RESTART, "bad action");
	const char *cpus = str_of(cfg, "cpus");
	uint64_t mask = 0;
	char why[REASON_MAX];
	FUZZ_CHECK(!cpus || (cpumask_parse(cpus, &mask, why) == 0 && mask == dc->cpus_mask),
		   "cpus \"%s\" gave mask %#llx", cpus, (unsigned long long)dc->cpus_mask);
	/* The per-vCPU form: one mask per item, never more items than vCPUs. */
	const struct xlent *ce = xlcfg_find(cfg, "cpus");
	if (ce && ce->val.kind == XLVAL_LIST) {
		FUZZ_CHECK(dc->nr_vcpu_masks == ce->val.nr_items && dc->nr_vcpu_masks <= dc->nr_vcpus,
			   "%u masks for %u items and %u vCPUs", dc->nr_vcpu_masks, ce->val.nr_items, dc->nr_vcpus);
		for (unsigned i = 0; i < dc->nr_vcpu_masks; i++)
			FUZZ_CHECK(cpumask_parse(ce->val.items[i].str, &mask, why) == 0 && mask == dc->vcpu_masks[i],
				   "cpus item %u gave mask %#llx", i, (unsigned long long)dc->vcpu_masks[i]);
	} else {
		FUZZ_CHECK(!dc->nr_vcpu_masks, "%u per-vCPU masks without a list", dc->nr_vcpu_masks);
	}
	/* One scheduling policy: what domcfg_sched() hands the microvisor is always in range. */
	struct rivet_sched_params sp;
	if (domcfg_sched(dc, &sp))
		FUZZ_CHECK(sp.policy == RIVET_SCHED_RTDS ?
			   sp.period_us >= RIVET_SCHED_RTDS_PERIOD_MIN_US && sp.period_us <= RIVET_SCHED_RTDS_PERIOD_MAX_US &&
			   sp.budget_us >= RIVET_SCHED_RTDS_BUDGET_MIN_US && sp.budget_us <= sp.period_us && sp.extratime <= 1 :
			   sp.weight >= 1 && sp.weight <= RIVET_SCHED_WEIGHT_MAX,
			   "scheduling parameters out of range (policy %u)", sp.policy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlcfg cfg;
	struct domcfg dc;
	struct diag d;
	unsigned lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(&d, 0, sizeof d);
	if (xlcfg_parse((const char *)data, size, FILE_NAME, &cfg, &d) < 0) {
		check_diag(&d, "xlcfg_parse");
		FUZZ_CHECK(!cfg.ents && !cfg.nr_ents, "a failed parse left entries behind");
		return 0;
	}
	FUZZ_CHECK(!memchr(data, '\0', size), "a file with a NUL byte was accepted");
	check_cfg(&cfg, lines);
	memset(&d, 0, sizeof d);
	if (domcfg_from_xlcfg(&cfg, FILE_NAME, &dc, &d) < 0) {
		check_diag(&d, "domcfg_from_xlcfg");
		FUZZ_CHECK(!dc.kernel && !dc.kernel_path && !dc.ramdisk && !dc.ramdisk_path && !dc.cmdline,
			   "a failed domain config kept allocations");
	} else {
		check_domcfg(&cfg, &dc);
		domcfg_free(&dc);
	}
	xlcfg_free(&cfg);
	return 0;
}
