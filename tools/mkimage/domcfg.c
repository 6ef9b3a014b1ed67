/* SPDX-License-Identifier: MIT */
/* domcfg.c: checks the keys of a domain config, one handler per key. */
#include <stdlib.h>
#include <string.h>

#include "cpumask.h"
#include "domcfg.h"

struct ctx {
	const char *file;
	struct domcfg *out;
	struct diag *d;
	unsigned line_extra, line_cmdline;
};

static int fail(struct ctx *c, const struct xlent *e, const char *reason)
{
	return diag_fail(c->d, c->file, e->line, e->key, "%s", reason);
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

static int key_vcpus(struct ctx *c, const struct xlent *e)
{
	uint64_t n;

	if (get_uint(c, e, 1, RIVET_MAX_VCPUS, "", &n) < 0)
		return -1;
	c->out->nr_vcpus = (uint32_t)n;
	return 0;
}

static int key_cpus(struct ctx *c, const struct xlent *e)
{
	char why[REASON_MAX];

	if (e->val.kind == XLVAL_LIST)
		return fail(c, e, "per-vCPU lists are not supported; give one string for all "
			    "vCPUs, like \"0-1\"");
	if (e->val.kind != XLVAL_STRING)
		return fail(c, e, "expected a quoted string, like \"0-1\"");
	if (cpumask_parse(e->val.str, &c->out->cpus_mask, why) < 0)
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

/* extra and cmdline are synonyms (Xen: cmdline for PV/PVH, extra for the rest). */
static int key_cmdline(struct ctx *c, const struct xlent *e)
{
	const char *s;

	if (get_string(c, e, &s) < 0)
		return -1;
	if (c->out->cmdline)
		return diag_fail(c->d, c->file, e->line, e->key,
				 "'extra' and 'cmdline' are the same setting; give only one (other on line %u)",
				 c->line_extra ? c->line_extra : c->line_cmdline);
	if (strlen(s) > DOMCFG_MAX_CMDLINE)
		return diag_fail(c->d, c->file, e->line, e->key, "longer than %d bytes",
				 DOMCFG_MAX_CMDLINE);
	if (!strcmp(e->key, "extra"))
		c->line_extra = e->line;
	else
		c->line_cmdline = e->line;
	c->out->cmdline = strdup(s);
	if (!c->out->cmdline)
		return fail(c, e, "out of memory");
	return 0;
}

static int key_action(struct ctx *c, const struct xlent *e)
{
	static const char *const xen_only[] = {
		"preserve", "rename-restart", "coredump-destroy", "coredump-restart", "soft-reset",
	};
	uint8_t *slot = !strcmp(e->key, "on_poweroff") ? &c->out->on_poweroff :
			!strcmp(e->key, "on_reboot") ? &c->out->on_reboot : &c->out->on_crash;
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
	for (i = 0; i < sizeof xen_only / sizeof xen_only[0]; i++)
		if (!strcmp(s, xen_only[i]))
			return diag_fail(c->d, c->file, e->line, e->key,
					 "\"%s\" is not supported (use destroy or restart)", s);
	return diag_fail(c->d, c->file, e->line, e->key,
			 "\"%.40s\" is not a valid action (use destroy or restart)", s);
}

static const struct {
	const char *key;
	int (*fn)(struct ctx *c, const struct xlent *e);
} handlers[] = {
	{ "name", key_name },       { "memory", key_memory },   { "vcpus", key_vcpus },
	{ "cpus", key_cpus },       { "kernel", key_kernel },   { "ramdisk", key_ramdisk },
	{ "extra", key_cmdline },   { "cmdline", key_cmdline }, { "on_poweroff", key_action },
	{ "on_reboot", key_action }, { "on_crash", key_action },
};

/* Xen keys a user may bring along, which Rivet domains do not do (yet). */
static const char *const unsupported[] = {
	"disk", "vif", "type", "builder", "maxmem", "maxvcpus", "root", "bootloader",
	"bootloader_args", "pci", "vfb", "vkb", "vtpm", "p9", "channel", "usbctrl", "usbdev",
	"dtdev", "iomem", "irqs", "uuid", "seclabel", "device_tree", "on_watchdog",
	"on_soft_reset", "cpus_soft", "cpu_weight", "cap", "shadow_memory",
};

static int check_entry(struct ctx *c, const struct xlent *e)
{
	unsigned i;

	for (i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
		if (!strcmp(e->key, handlers[i].key))
			return handlers[i].fn(c, e);
	/* Xen configs often carry empty device lists: they ask for nothing. */
	if ((!strcmp(e->key, "disk") || !strcmp(e->key, "vif")) && e->val.kind == XLVAL_LIST &&
	    e->val.nr_items == 0)
		return 0;
	for (i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
		if (!strcmp(e->key, unsupported[i]))
			return fail(c, e, "not supported by Rivet yet");
	if (!strncmp(e->key, "device_model", 12))
		return fail(c, e, "not supported by Rivet yet");
	return fail(c, e, "unknown key");
}

int domcfg_from_xlcfg(const struct xlcfg *cfg, const char *cfg_path, struct domcfg *out,
		      struct diag *d)
{
	struct ctx c = { cfg_path, out, d, 0, 0 };
	unsigned i;

	memset(out, 0, sizeof *out);
	out->memory_bytes = (uint64_t)DOMCFG_DEFAULT_MEMORY_MIB << 20;
	out->nr_vcpus = 1;
	out->on_poweroff = RIVET_ACTION_DESTROY;
	out->on_reboot = RIVET_ACTION_RESTART;
	out->on_crash = RIVET_ACTION_DESTROY;

	for (i = 0; i < cfg->nr_ents; i++)
		if (check_entry(&c, &cfg->ents[i]) < 0)
			goto fail;
	if (!out->line_name) {
		diag_fail(d, cfg_path, 0, "name", "required key is missing");
		goto fail;
	}
	if (!out->kernel) {
		diag_fail(d, cfg_path, 0, "kernel", "required key is missing");
		goto fail;
	}
	return 0;

fail:
	domcfg_free(out);
	return -1;
}

void domcfg_free(struct domcfg *dc)
{
	free(dc->kernel);
	free(dc->kernel_path);
	free(dc->ramdisk);
	free(dc->ramdisk_path);
	free(dc->cmdline);
	dc->kernel = dc->kernel_path = dc->ramdisk = dc->ramdisk_path = dc->cmdline = NULL;
}
