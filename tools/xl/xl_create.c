/* SPDX-License-Identifier: MIT */
/*
 * xl_create.c: `xl create`'s two halves. The plan reads and checks the
 * config with mkimage's modules (the same xl.cfg rules as boot-time
 * domains), loads the kernel and ramdisk and builds the device tree; the run
 * carries it out through libxc and undoes it all on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "domcfg.h"
#include "domfdt.h"
#include "domplan.h"
#include "elfload.h"
#include "fileio.h"
#include "xl.h"
#include "xlcfg.h"

#define MAX_CFG_BYTES    (1u << 20)
#define MAX_MODULE_BYTES (1ULL << 30)
#define MAP_CHUNK_PAGES  16384       /* 64 MiB of guest RAM mapped at a time: each unmap is a TLB shootdown */
#define UNDO_WAIT_MS     10000       /* how long a failed create waits for its domain to go */

/*
 * RIVET_XL_TRACE=1 prints, on stderr, the time since the previous mark and
 * since the first at each phase of a create ("xl-trace: populate +12345 us
 * (total 67890 us)"): Dom0's CLOCK_MONOTONIC, which is the timebase the
 * microvisor gives Dom0 (under QEMU -icount, virtual time). docs/bench.md.
 */
static int trace_on(void)
{
	static int on = -1;

	if (on < 0) {
		const char *e = getenv("RIVET_XL_TRACE");

		on = e && *e && strcmp(e, "0");
	}
	return on;
}

/* Microseconds of CLOCK_MONOTONIC while tracing, else 0. */
static long long trace_us(void)
{
	struct timespec now;

	if (!trace_on())
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

void xl_trace(const char *phase)
{
	static struct timespec first, last;
	struct timespec now;

	if (!trace_on())
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!first.tv_sec && !first.tv_nsec)
		first = last = now;
	fprintf(stderr, "xl-trace: %s +%lld us (total %lld us)\n", phase,
		(long long)(now.tv_sec - last.tv_sec) * 1000000 + (now.tv_nsec - last.tv_nsec) / 1000,
		(long long)(now.tv_sec - first.tv_sec) * 1000000 + (now.tv_nsec - first.tv_nsec) / 1000);
	last = now;
}

static unsigned count_lines(const char *text, size_t len)
{
	unsigned n = 1;
	size_t i;

	for (i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

static int same_setting(const char *a, const char *b)
{
	int a_cmd = !strcmp(a, "extra") || !strcmp(a, "cmdline");
	int b_cmd = !strcmp(b, "extra") || !strcmp(b, "cmdline");

	return a_cmd && b_cmd ? 1 : !strcmp(a, b);
}

/*
 * One override "key=value" (or "key+=value", *append then set) parsed as a
 * line of xl.cfg. A bare word such as name=web is taken as the string "web"
 * (Xen wants quotes; this is kinder).
 */
static int parse_override(const char *arg, unsigned line, struct xlcfg *out, int *append, struct diag *d)
{
	const char *eq = strchr(arg, '=');
	struct diag tmp;
	size_t len = strlen(arg);
	char *text;
	int rc;

	if (!eq || eq == arg || (eq == arg + 1 && arg[0] == '+'))
		return diag_fail(d, NULL, 0, NULL, "'%.60s': expected key=value", arg);
	*append = eq[-1] == '+';
	text = malloc(len + line + 8);
	if (!text)
		return diag_fail(d, NULL, 0, NULL, "out of memory");
	/* Line numbers continue the file's, as if the override were appended to it. */
	memset(text, '\n', line - 1);
	memcpy(text + line - 1, arg, len + 1);
	rc = xlcfg_parse(text, line - 1 + len, "command line", out, &tmp);
	if (rc < 0 && eq[1] != '"' && eq[1] != '\'' && eq[1] != '[') {
		size_t k = (size_t)(eq - arg) + 1;

		memcpy(text + line - 1, arg, k);
		text[line - 1 + k] = '"';
		memcpy(text + line + k, eq + 1, len - k);
		text[line + len] = '"';
		if (!strchr(eq + 1, '"') && !strchr(eq + 1, '\\'))
			rc = xlcfg_parse(text, line + len + 1, "command line", out, &tmp);
	}
	free(text);
	if (rc < 0)
		return diag_fail(d, NULL, 0, NULL, "'%.60s': %s", arg,
				 strstr(tmp.text, ": ") ? strstr(tmp.text, ": ") + 2 : tmp.text);
	if (out->nr_ents != 1) {
		xlcfg_free(out);
		return diag_fail(d, NULL, 0, NULL, "'%.60s': expected one key=value", arg);
	}
	return 0;
}

/*
 * Xen appends the command line's key=value arguments to the file as text,
 * so one argument may hold several settings, separated by ';' or newlines
 * (xl(1): xl create hvm.cfg 'cpus="0-3"; memory=256'). ARG's settings, cut
 * at those separators outside quotes, blanks around each dropped and empty
 * ones skipped, are appended to PIECES (each malloc'd). 0, or -1 with D
 * (more than MAX pieces in all, or out of memory).
 */
static int split_override(const char *arg, char **pieces, unsigned *n, unsigned max, struct diag *d)
{
	const char *s = arg;

	while (*s) {
		const char *end = s;
		char quote = 0;

		for (; *end && (quote || (*end != ';' && *end != '\n')); end++) {
			if (quote && *end == '\\' && end[1])
				end++;
			else if (*end == quote)
				quote = 0;
			else if (!quote && (*end == '"' || *end == '\''))
				quote = *end;
		}
		const char *a = s, *b = end;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
			b--;
		if (b > a) {
			if (*n == max)
				return diag_fail(d, NULL, 0, NULL, "more than %u key=value overrides", max);
			pieces[*n] = strndup(a, (size_t)(b - a));
			if (!pieces[*n])
				return diag_fail(d, NULL, 0, NULL, "out of memory");
			(*n)++;
		}
		s = *end ? end + 1 : end;
	}
	return 0;
}

/*
 * domcfg names "FILE:LINE: key: reason"; for a line past the file's end the
 * culprit came from the command line: say so instead of a line number.
 */
static void fix_override_message(struct diag *d, const char *cfg_path, unsigned file_lines)
{
	size_t plen = strlen(cfg_path);
	char rest[DIAG_MAX];
	char *end;
	unsigned long line;

	if (strncmp(d->text, cfg_path, plen) || d->text[plen] != ':')
		return;
	line = strtoul(d->text + plen + 1, &end, 10);
	if (end == d->text + plen + 1 || line <= file_lines || strncmp(end, ": ", 2))
		return;
	snprintf(rest, sizeof rest, "%s", end + 2);
	snprintf(d->text, sizeof d->text, "%.400s: %.560s (given on the command line)", cfg_path,
		 rest);
}

static int add_load(struct xl_plan *p, uint64_t gpa, const uint8_t *data, uint64_t file_size,
		    uint64_t mem_size, const char *what)
{
	if (p->nr_loads == RIVET_MAX_LOADS)
		return -1;
	p->loads[p->nr_loads++] = (struct xl_load){ gpa, data, file_size, mem_size, what };
	return 0;
}

static unsigned line_of(const struct xlcfg *cfg, const char *key)
{
	const struct xlent *e = xlcfg_find(cfg, key);

	return e ? e->line : 0;
}

/*
 * An override KEY+=VALUE adds to the setting before it (libxlutil's '+='):
 * the last earlier override of the key, else the file's; with none, it is
 * KEY=VALUE. Done in that setting, and the override marked spent.
 */
static int apply_appends(struct xlcfg *file, struct xlcfg *ov, const int *append, unsigned nr, int *spent,
			 struct diag *d)
{
	char why[REASON_MAX];
	unsigned i, j;

	for (j = 0; j < nr; j++) {
		struct xlent *prev = NULL;

		spent[j] = 0;
		if (!append[j])
			continue;
		for (i = 0; i < j; i++)
			if (!spent[i] && same_setting(ov[i].ents[0].key, ov[j].ents[0].key))
				prev = &ov[i].ents[0];
		for (i = 0; !prev && i < file->nr_ents; i++)
			if (same_setting(file->ents[i].key, ov[j].ents[0].key))
				prev = &file->ents[i];
		if (!prev)
			continue;
		if (xlval_add(&prev->val, &ov[j].ents[0].val, why) < 0)
			return diag_fail(d, NULL, 0, NULL, "'%.60s': %s", ov[j].ents[0].key, why);
		spent[j] = 1;
	}
	return 0;
}

/* The file's entries, less those an override replaces, then the overrides (spent ones aside). */
static int merge(const struct xlcfg *file, const struct xlcfg *ov, unsigned nr, const int *spent,
		 struct xlcfg *out)
{
	unsigned i, j;

	out->ents = calloc(file->nr_ents + nr + 1, sizeof *out->ents);
	out->nr_ents = 0;
	if (!out->ents)
		return -1;
	for (i = 0; i < file->nr_ents; i++) {
		int replaced = 0;

		for (j = 0; j < nr; j++)
			replaced |= !spent[j] && same_setting(file->ents[i].key, ov[j].ents[0].key);
		if (!replaced)
			out->ents[out->nr_ents++] = file->ents[i];
	}
	for (j = 0; j < nr; j++) {
		if (spent[j])
			continue;
		for (i = j + 1; i < nr; i++)
			if (!spent[i] && same_setting(ov[j].ents[0].key, ov[i].ents[0].key))
				break;
		if (i == nr)   /* the last override of a key wins */
			out->ents[out->nr_ents++] = ov[j].ents[0];
	}
	return 0;
}

int xl_disk_check(const char *path, int readonly, char *abs, char *why)
{
	struct stat st;
	int fd;

	if (!realpath(path, abs))
		return reason_set(why, "cannot open: %s", strerror(errno));
	if (stat(abs, &st) < 0)
		return reason_set(why, "cannot open: %s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return reason_set(why, "is a directory");
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return reason_set(why, "is neither a file nor a block device");
	/* Root may write anything: the permission bits still say what the owner meant. */
	if (!readonly && !(st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)))
		return reason_set(why, "is read-only (no write permission); use access ro");
	fd = open(abs, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return reason_set(why, "cannot open for %s: %s%s", readonly ? "reading" : "writing",
				  strerror(errno), errno == EROFS ? "; use access ro" : "");
	close(fd);
	return 0;
}

/* The disks (absolute, checked) and serial port of DC into P. */
static int plan_devices(struct xl_plan *p, const struct domcfg *dc, const char *cfg_path,
			unsigned file_lines, struct diag *d)
{
	char why[REASON_MAX], *abs = malloc(PATH_MAX);
	unsigned i;

	if (!abs)
		return diag_fail(d, cfg_path, 0, NULL, "out of memory");
	p->serial = dc->serial;
	p->vconsole = dc->vconsole;
	p->dm_restart = dc->dm_restart;
	for (i = 0; i < dc->nr_disks; i++) {
		const struct domcfg_disk *dk = &dc->disks[i];
		struct xl_disk *x = &p->disks[i];

		if (xl_disk_check(dk->path, dk->readonly, abs, why) < 0) {
			diag_fail(d, cfg_path, dk->line <= file_lines ? dk->line : 0, "disk",
				  "%s '%s': %s", dk->vdev, dk->target, why);
			free(abs);
			return -1;
		}
		x->path = strdup(abs);
		if (!x->path) {
			free(abs);
			return diag_fail(d, cfg_path, 0, NULL, "out of memory");
		}
		memcpy(x->vdev, dk->vdev, sizeof x->vdev < sizeof dk->vdev ? sizeof x->vdev : sizeof dk->vdev);
		x->vdev[sizeof x->vdev - 1] = '\0';
		x->slot = domcfg_disk_slot(i);
		x->readonly = dk->readonly;
		p->nr_disks = i + 1;
	}
	free(abs);
	/* NICs: a MAC for each, and their bridges there, before anything is created. */
	p->line_vif = dc->line_vif <= file_lines ? dc->line_vif : 0;
	for (i = 0; i < dc->nr_vifs; i++) {
		const struct domcfg_vif *v = &dc->vifs[i];
		struct xl_vif *x = &p->vifs[i];
		unsigned line = v->line <= file_lines ? v->line : 0;

		memset(x, 0, sizeof *x);
		x->slot = domcfg_vif_slot(dc, i);
		x->devid = i;
		memcpy(x->bridge, v->bridge, sizeof x->bridge);
		memcpy(x->tap, v->vifname, sizeof x->tap);   /* "" until the domain id is known */
		if (v->has_mac) {
			memcpy(x->mac, v->mac, sizeof x->mac);
		} else {
			unsigned j;
			do {   /* distinct from the domain's other NICs */
				xl_vif_random_mac(x->mac);
				for (j = 0; j < dc->nr_vifs; j++)
					if (j != i && (j < i || dc->vifs[j].has_mac) &&
					    !memcmp(j < i ? p->vifs[j].mac : dc->vifs[j].mac, x->mac, 6))
						break;
			} while (j < dc->nr_vifs);
		}
		if (xl_vif_bridge_check(x->bridge, why) < 0)
			return diag_fail(d, cfg_path, line, "vif", "item %u: %s", i + 1, why);
		p->nr_vifs = i + 1;
	}
	return 0;
}

int xl_plan_build(const char *cfg_arg, char *const overrides[], unsigned nr, uint64_t timebase_hz,
		  uint32_t cboz_block, struct xl_plan *p, struct diag *d)
{
	struct xlcfg file = { 0 }, merged = { 0 }, ov[XL_MAX_OVERRIDES];
	int spent[XL_MAX_OVERRIDES], append[XL_MAX_OVERRIDES];
	char *piece[XL_MAX_OVERRIDES];
	unsigned nr_pieces = 0;
	struct domplan_req pr;
	struct domplan plan;
	struct domcfg dc;
	struct kimage k;
	char why[REASON_MAX], abs[PATH_MAX];
	const char *cfg_path = cfg_arg;
	unsigned i, nr_ov = 0, file_lines;
	size_t cfg_len;
	int rc = -1, have_dc = 0;

	memset(p, 0, sizeof *p);
	memset(&dc, 0, sizeof dc);
	if (nr > XL_MAX_OVERRIDES)
		return diag_fail(d, cfg_arg, 0, NULL, "more than %d key=value overrides",
				 XL_MAX_OVERRIDES);
	if (file_read(cfg_arg, MAX_CFG_BYTES, &p->cfg_text, &cfg_len, why) < 0)
		return diag_fail(d, cfg_arg, 0, NULL, "cannot read: %s", why);
	/* The console daemon re-creates the domain from another directory. */
	if (!realpath(cfg_arg, abs) || strlen(abs) >= sizeof p->cfg_path) {
		diag_fail(d, cfg_arg, 0, NULL, "path longer than %zu bytes", sizeof p->cfg_path - 1);
		xl_plan_free(p);
		return -1;
	}
	memcpy(p->cfg_path, abs, strlen(abs) + 1);

	xl_trace("read config");
	if (xlcfg_parse((const char *)p->cfg_text, cfg_len, cfg_path, &file, d) < 0)
		goto out;
	file_lines = count_lines((const char *)p->cfg_text, cfg_len);
	for (i = 0; i < nr; i++)
		if (split_override(overrides[i], piece, &nr_pieces, XL_MAX_OVERRIDES, d) < 0) {
			char msg[DIAG_MAX];

			snprintf(msg, sizeof msg, "%s", d->text);
			diag_fail(d, cfg_path, 0, NULL, "%s", msg);
			goto out;
		}
	nr = nr_pieces;
	for (nr_ov = 0; nr_ov < nr; nr_ov++)
		if (parse_override(piece[nr_ov], file_lines + 1 + nr_ov, &ov[nr_ov], &append[nr_ov], d) < 0) {
			char msg[DIAG_MAX];

			snprintf(msg, sizeof msg, "%s", d->text);
			diag_fail(d, cfg_path, 0, NULL, "%s", msg);
			goto out;
		}
	if (apply_appends(&file, ov, append, nr, spent, d) < 0) {
		char msg[DIAG_MAX];

		snprintf(msg, sizeof msg, "%s", d->text);
		diag_fail(d, cfg_path, 0, NULL, "%s (given on the command line)", msg);
		goto out;
	}
	if (merge(&file, ov, nr, spent, &merged) < 0) {
		diag_fail(d, cfg_path, 0, NULL, "out of memory");
		goto out;
	}
	if (domcfg_from_xlcfg(&merged, cfg_path, &dc, d) < 0) {
		fix_override_message(d, cfg_path, file_lines);
		goto out;
	}
	have_dc = 1;
	domcfg_print_warnings(&dc, stderr);
	p->line_name = line_of(&merged, "name");
	p->line_memory = line_of(&merged, "memory");
	p->line_vcpus = line_of(&merged, "vcpus");
	if (p->line_vcpus > file_lines)
		p->line_vcpus = 0;
	if (p->line_memory > file_lines)
		p->line_memory = 0;
	if (p->line_name > file_lines)
		p->line_name = 0;

	if (plan_devices(p, &dc, cfg_path, file_lines, d) < 0)
		goto out;
	xl_trace("parse config");
	if (file_read(dc.kernel_path, MAX_MODULE_BYTES, &p->kernel, &p->kernel_len, why) < 0) {
		diag_fail(d, cfg_path, dc.line_kernel <= file_lines ? dc.line_kernel : 0, "kernel",
			  "cannot read '%s': %s", dc.kernel, why);
		goto out;
	}
	xl_trace("read kernel");
	if (kimage_parse(p->kernel, p->kernel_len, RIVET_GUEST_RAM_BASE, domcfg_ram_bytes(&dc), &k,
			 why) < 0) {
		diag_fail(d, cfg_path, dc.line_kernel <= file_lines ? dc.line_kernel : 0, "kernel",
			  "'%s': %s", dc.kernel, why);
		goto out;
	}
	xl_trace("parse kernel");
	if (dc.ramdisk &&
	    file_read(dc.ramdisk_path, MAX_MODULE_BYTES, &p->ramdisk, &p->ramdisk_len, why) < 0) {
		diag_fail(d, cfg_path, dc.line_ramdisk <= file_lines ? dc.line_ramdisk : 0,
			  "ramdisk", "cannot read '%s': %s", dc.ramdisk, why);
		goto out;
	}

	xl_trace("read ramdisk");
	/* Placed as mkimage places a boot-time domain (domplan). */
	p->dtb = calloc(1, DOMFDT_MAX_SIZE);
	if (!p->dtb) {
		diag_fail(d, cfg_path, 0, NULL, "out of memory");
		goto out;
	}
	pr = (struct domplan_req){ .cfg_path = cfg_path, .line_memory = p->line_memory,
				   .dc = &dc, .k = &k, .ramdisk_len = p->ramdisk_len,
				   .set_timebase = 1, .timebase_hz = timebase_hz, .cboz_block = cboz_block,
				   .devices_ok = 1 };
	if (domplan_build(&pr, p->dtb, DOMFDT_MAX_SIZE, &plan, d) < 0)
		goto out;
	p->dtb_len = plan.dtb_len;
	xl_trace("device tree");

	for (i = 0; i < k.nr_segs; i++)
		add_load(p, k.segs[i].gpa, p->kernel + k.segs[i].file_offset, k.segs[i].file_size,
			 k.segs[i].mem_size, "kernel");
	if (dc.ramdisk)
		add_load(p, plan.lay.ramdisk_gpa, p->ramdisk, p->ramdisk_len, p->ramdisk_len, "ramdisk");
	add_load(p, plan.lay.dtb_gpa, p->dtb, p->dtb_len, p->dtb_len, "device tree");
	p->entry_gpa = k.entry_gpa;
	p->dtb_gpa = plan.lay.dtb_gpa;

	memcpy(p->cfg.name, dc.name, sizeof p->cfg.name);
	/* maxmem of RAM, populated whole; the balloon takes it down to memory (docs/config.md). */
	p->cfg.max_bytes = domcfg_ram_bytes(&dc);
	p->mem_target = dc.memory_bytes;
	p->cfg.cpus_mask = dc.cpus_mask;
	p->cfg.nr_vcpus = dc.nr_vcpus;
	p->online_vcpus = dc.online_vcpus;
	p->cfg.on_poweroff = dc.on_poweroff;
	p->cfg.on_reboot = dc.on_reboot;
	p->cfg.on_crash = dc.on_crash;
	p->on_watchdog = dc.on_watchdog;
	p->has_sched = domcfg_sched(&dc, &p->sched);
	p->nr_vcpu_masks = dc.nr_vcpu_masks;
	memcpy(p->vcpu_masks, dc.vcpu_masks, sizeof p->vcpu_masks);
	p->line_cpus = dc.line_cpus;
	p->line_sched = dc.line_sched;
	rc = 0;
out:
	if (have_dc)
		domcfg_free(&dc);
	free(merged.ents);    /* shallow: the entries belong to FILE and OV */
	for (i = 0; i < nr_ov; i++)
		xlcfg_free(&ov[i]);
	for (i = 0; i < nr_pieces; i++)
		free(piece[i]);
	xlcfg_free(&file);
	if (rc < 0)
		xl_plan_free(p);
	return rc;
}

void xl_plan_free(struct xl_plan *p)
{
	unsigned i;

	for (i = 0; i < p->nr_disks; i++) {
		free(p->disks[i].path);
		p->disks[i].path = NULL;
	}
	p->nr_disks = 0;
	free(p->cfg_text);
	free(p->kernel);
	free(p->ramdisk);
	free(p->dtb);
	p->cfg_text = p->kernel = p->ramdisk = p->dtb = NULL;
	p->nr_loads = 0;
}

/* Copies one load into the domain, a window of MAP_CHUNK_PAGES at a time. */
static int copy_load(xc_handle *h, uint32_t domid, const struct xl_load *l)
{
	uint64_t start = l->gpa & ~(XC_PAGE_SIZE - 1), end = l->gpa + l->mem_size, at;
	long long t_map = 0, t_copy = 0, t_unmap = 0, t;

	for (at = start; at < end; at += MAP_CHUNK_PAGES * XC_PAGE_SIZE) {
		uint64_t chunk_end = at + MAP_CHUNK_PAGES * XC_PAGE_SIZE, pages, lo, hi, fend;
		uint8_t *win;
		void *addr;
		int r;

		if (chunk_end > end)
			chunk_end = end;
		pages = (chunk_end - at + XC_PAGE_SIZE - 1) / XC_PAGE_SIZE;
		t = trace_us();
		r = xc_map_foreign(h, domid, at, pages, &addr);
		if (r < 0)
			return r;
		t_map += trace_us() - t;
		t = trace_us();
		win = addr;
		/* [lo, hi) of this window is in the load; file bytes up to fend. */
		lo = at > l->gpa ? at : l->gpa;
		hi = chunk_end;
		fend = l->gpa + l->file_size;
		if (lo < fend)
			memcpy(win + (lo - at), l->data + (lo - l->gpa), (hi < fend ? hi : fend) - lo);
		if (hi > fend) {
			uint64_t z = lo > fend ? lo : fend;

			memset(win + (z - at), 0, hi - z);
		}
		t_copy += trace_us() - t;
		t = trace_us();
		r = xc_unmap_foreign(h, addr, pages);
		if (r < 0)
			return r;
		t_unmap += trace_us() - t;
	}
	if (trace_on())
		fprintf(stderr, "xl-trace: %s: %llu bytes: map %lld us, copy %lld us, unmap %lld us\n",
			l->what, (unsigned long long)l->mem_size, t_map, t_copy, t_unmap);
	return 0;
}

/* The microvisor's own actions only matter for boot images: it keeps xl's domains shut down. */
static uint8_t microvisor_action(uint8_t action)
{
	return action > RIVET_ACTION_PRESERVE ? RIVET_ACTION_PRESERVE : action;
}

static int record_fill(struct xl_record *rec, const struct xl_plan *p, char *const ov[],
		       unsigned nr, int dm_pid, uint64_t instance, const struct xl_vif *vifs)
{
	unsigned i;

	xl_record_init(rec);
	memcpy(rec->name, p->cfg.name, sizeof rec->name);
	rec->on_poweroff = p->cfg.on_poweroff;
	rec->on_reboot = p->cfg.on_reboot;
	rec->on_crash = p->cfg.on_crash;
	rec->on_watchdog = p->on_watchdog;
	if (xl_record_set_config(rec, p->cfg_path) < 0)
		return -1;
	/*
	 * One setting per recorded argument, as the plan took them: a record
	 * holds no newline, and xl rename / vcpu-set replace one setting
	 * (xl_record_set_arg) without dropping the others of its argument.
	 */
	char *piece[XL_MAX_OVERRIDES];
	unsigned nr_pieces = 0;
	struct diag d = { 0 };
	int r = 0;
	for (i = 0; i < nr && r == 0; i++)
		r = split_override(ov[i], piece, &nr_pieces, XL_MAX_OVERRIDES, &d);
	for (i = 0; i < nr_pieces; i++) {
		if (r == 0 && xl_record_add_arg(rec, piece[i]) < 0)
			r = -1;
		free(piece[i]);
	}
	if (r < 0)
		return -1;
	rec->dm_pid = dm_pid;
	rec->serial = p->serial;
	rec->vconsole = p->vconsole;
	if (dm_pid > 0) {
		rec->dm_vcpus = p->cfg.nr_vcpus;
		rec->dm_ram_base = RIVET_GUEST_RAM_BASE;
		rec->dm_ram_size = p->cfg.max_bytes;
		rec->dm_instance = instance;
		rec->dm_restart = p->dm_restart;
		rec->mem_target = p->mem_target;
		rec->mem_max = p->cfg.max_bytes;
	}
	for (i = 0; i < p->nr_disks; i++)
		if (xl_record_add_disk(rec, p->disks[i].vdev, p->disks[i].slot, p->disks[i].readonly,
				       p->disks[i].path) < 0)
			return -1;
	for (i = 0; i < p->nr_vifs; i++)
		if (xl_record_add_vif(rec, &vifs[i]) < 0)
			return -1;
	return 0;
}

/*
 * What can be checked before anything exists, so that these refusals leave
 * no trace: a domain of that name, and free memory for its RAM. (The
 * microvisor checks both again; a race only moves the error to later.)
 */
static int precheck(xc_handle *h, const struct xl_plan *p, struct diag *d)
{
	const char *f = p->cfg_path;
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	struct rivet_physinfo pi;
	struct xl_domains ds;
	unsigned i, ms;
	int r, taken = 0;

	/*
	 * A dying namesake (a restart's old domain, whose memory waits for its
	 * device model to let go) is waited for, a bounded while.
	 */
	for (ms = 0;; ms += 50) {
		int dying = 0;

		taken = 0;
		r = xl_domains_get(h, &ds);
		if (r < 0)
			return diag_fail(d, f, 0, NULL, "cannot list domains: %s", xc_strerror(r));
		for (i = 0; i < ds.n; i++)
			if (!strncmp(ds.v[i].name, p->cfg.name, sizeof p->cfg.name)) {
				taken = 1;
				dying = (ds.v[i].state & RIVET_DOMSTATE_DYING) != 0;
			}
		xl_domains_free(&ds);
		if (!taken || !dying || ms >= UNDO_WAIT_MS)
			break;
		nanosleep(&ts, NULL);
	}
	if (taken)
		return diag_fail(d, f, p->line_name, "name", "a domain named '%s' already exists",
				 p->cfg.name);
	r = xc_physinfo(h, &pi);
	if (r < 0)
		return diag_fail(d, f, 0, NULL, "cannot read the free memory: %s", xc_strerror(r));
	if (pi.free_bytes < p->cfg.max_bytes)
		return diag_fail(d, f, p->line_memory, "memory",
				 "not enough free memory for %llu MiB (%llu MiB free)",
				 (unsigned long long)(p->cfg.max_bytes >> 20),
				 (unsigned long long)(pi.free_bytes >> 20));
	return 0;
}

/*
 * A create that failed half-way leaves nothing: no record, and the domain
 * destroyed and waited for until it is gone (its memory is free only then).
 * If it will not go, the message says so.
 */
static void undo(xc_handle *h, uint32_t domid, int dm_pid, const struct xl_vif *vifs,
		 unsigned nr_vifs, struct diag *d)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct rivet_domain_info info;
	size_t len = strlen(d->text);
	unsigned ms;
	int r;

	xl_record_remove(domid);
	r = xc_domain_destroy(h, domid);
	/* Its memory is freed once the device model unmapped it: stop that first. */
	if (dm_pid > 0)
		xl_dm_stop(dm_pid, domid);
	xl_dm_state_remove(domid);
	/* The device model let go of the taps (or never held them). */
	xl_vif_remove_all(vifs, nr_vifs);
	if (r == XC_ENODOMAIN)
		return;
	for (ms = 0; r == 0 && ms < UNDO_WAIT_MS; ms += 10) {
		r = xc_domain_getinfo(h, domid, &info);
		if (r == XC_ENODOMAIN || (r == 0 && info.domid != domid))
			return;
		r = 0;     /* another error: keep asking until the bound */
		nanosleep(&ts, NULL);
	}
	snprintf(d->text + len, sizeof d->text - len, "; and domain %u is left behind: %s", domid,
		 r < 0 ? xc_strerror(r) : "it did not go away after destroy");
}

int xl_plan_run(xc_handle *h, const struct xl_plan *p, char *const overrides[], unsigned nr,
		uint32_t *domid_out, struct diag *d)
{
	const char *f = p->cfg_path;
	struct rivet_physinfo pi;
	struct xl_record *rec;
	char why[REASON_MAX];
	uint32_t domid;
	unsigned i, nr_taps = 0;
	int r, dm_pid = 0;
	uint64_t instance = xl_dm_new_instance();
	struct xl_vif vifs[XL_MAX_VIFS];

	if (precheck(h, p, d) < 0)
		return -1;
	xl_trace("precheck");
	/*
	 * The microvisor keeps a Dom0-built domain shut down whatever its on_*
	 * (rivet-consoled carries them out, core files included); it knows only
	 * its own actions.
	 */
	struct rivet_domain_config cfg = p->cfg;
	cfg.on_poweroff = microvisor_action(cfg.on_poweroff);
	cfg.on_reboot = microvisor_action(cfg.on_reboot);
	cfg.on_crash = microvisor_action(cfg.on_crash);
	r = xc_domain_create(h, &cfg, &domid);
	if (r == XC_EEXIST)
		return diag_fail(d, f, p->line_name, "name", "a domain named '%s' already exists",
				 p->cfg.name);
	if (r == XC_EINVAL)
		return diag_fail(d, f, p->line_vcpus, "vcpus",
				 "the microvisor refused %u vCPUs on harts %#llx for '%s'",
				 p->cfg.nr_vcpus, (unsigned long long)p->cfg.cpus_mask, p->cfg.name);
	if (r < 0)
		return diag_fail(d, f, 0, NULL, "cannot create the domain: %s", xc_strerror(r));

	xl_trace("domain create");
	/* cpus = [...]: each listed vCPU to its harts (its state is fresh: nothing moves but the vCPU). */
	for (i = 0; i < p->nr_vcpu_masks; i++) {
		r = xc_vcpu_pin(h, domid, i, p->vcpu_masks[i]);
		if (r < 0) {
			diag_fail(d, f, p->line_cpus, "cpus", "item %u: cannot pin vCPU %u to harts %#llx: %s",
				  i + 1, i, (unsigned long long)p->vcpu_masks[i], xc_strerror(r));
			goto fail;
		}
	}
	if (p->has_sched && (r = xc_sched_set(h, domid, RIVET_SCHED_ALL_VCPUS, &p->sched)) < 0) {
		diag_fail(d, f, p->line_sched, p->sched.policy == RIVET_SCHED_RTDS ? "period" : "cap",
			  "the microvisor refused these scheduling parameters: %s%s", xc_strerror(r),
			  r == XC_EINVAL && p->sched.policy == RIVET_SCHED_CREDIT ?
			  " (a cap is at most 100 per hart of this machine)" : "");
		goto fail;
	}
	/* maxvcpus > vcpus: the rest wait for xl vcpu-set (set before rivet-dm reads it at start). */
	if (p->online_vcpus < p->cfg.nr_vcpus && (r = xc_domain_set_vcpus(h, domid, p->online_vcpus)) < 0) {
		diag_fail(d, f, p->line_vcpus, "vcpus", "cannot make only %u of its %u vCPUs available: %s%s",
			  p->online_vcpus, p->cfg.nr_vcpus, xc_strerror(r),
			  r == XC_ENOTSUP ? " (this microvisor predates maxvcpus)" : "");
		goto fail;
	}
	r = xc_memory_populate(h, domid, RIVET_GUEST_RAM_BASE, p->cfg.max_bytes / XC_PAGE_SIZE);
	if (r < 0) {
		if (r == XC_ENOMEM && xc_physinfo(h, &pi) == 0)
			diag_fail(d, f, p->line_memory, "memory",
				  "not enough free memory for %llu MiB (%llu MiB free)",
				  (unsigned long long)(p->cfg.max_bytes >> 20),
				  (unsigned long long)(pi.free_bytes >> 20));
		else
			diag_fail(d, f, p->line_memory, "memory", "cannot populate %llu MiB: %s",
				  (unsigned long long)(p->cfg.max_bytes >> 20), xc_strerror(r));
		goto fail;
	}
	xl_trace("populate");
	for (i = 0; i < p->nr_loads; i++) {
		r = copy_load(h, domid, &p->loads[i]);
		xl_trace(p->loads[i].what);
		if (r < 0) {
			diag_fail(d, f, 0, NULL, "cannot load the %s at %#llx: %s", p->loads[i].what,
				  (unsigned long long)p->loads[i].gpa, xc_strerror(r));
			goto fail;
		}
	}
	/* Taps named as Xen names its vifs: vif<domid>.<devid>, unless the config gave vifname. */
	memcpy(vifs, p->vifs, sizeof vifs[0] * p->nr_vifs);
	for (i = 0; i < p->nr_vifs; i++) {
		struct xl_vif *v = &vifs[i];

		if (!v->tap[0])
			snprintf(v->tap, sizeof v->tap, "vif%u.%u", domid, v->devid);
		if (xl_vif_tap_create(v->tap, v->bridge, &v->ifindex, why) < 0) {
			diag_fail(d, f, p->line_vif, "vif", "item %u: %s", i + 1, why);
			goto fail;
		}
		nr_taps = i + 1;
	}
	xl_trace("taps");
	if (xl_plan_has_devices(p)) {
		struct xl_dm_spec s = { .domid = domid, .name = p->cfg.name,
					.nr_vcpus = p->cfg.nr_vcpus, .ram_base = RIVET_GUEST_RAM_BASE,
					.ram_size = p->cfg.max_bytes, .serial = p->serial,
					.nr_disks = p->nr_disks, .disks = p->disks,
					.nr_vifs = p->nr_vifs, .vifs = vifs, .vconsole = p->vconsole, .ready_fd = -1,
					.instance = instance, .mem_target = p->mem_target };

		if (xl_dm_start(&s, &dm_pid, why) < 0) {
			snprintf(d->text, sizeof d->text, "device model for %s failed: %s", p->cfg.name,
				 why);
			dm_pid = 0;
			goto fail;
		}
	}
	xl_trace("device model");
	rec = malloc(sizeof *rec);
	if (!rec) {
		diag_fail(d, f, 0, NULL, "out of memory");
		goto fail;
	}
	r = record_fill(rec, p, overrides, nr, dm_pid, instance, vifs);
	if (r < 0)
		reason_set(why, "out of memory, or more than %d overrides", XL_RECORD_MAX_ARGS);
	else
		r = xl_record_write(domid, rec, why);
	xl_record_free(rec);
	free(rec);
	if (r < 0) {
		diag_fail(d, f, 0, NULL, "cannot record domain %u for rivet-consoled: %s", domid, why);
		goto fail;
	}
	xl_trace("record");
	if (p->start_paused) {
		r = xc_domain_pause(h, domid);
		if (r < 0) {
			diag_fail(d, f, 0, NULL, "cannot leave it paused: %s", xc_strerror(r));
			goto fail;
		}
	}
	r = xc_vcpu_start(h, domid, 0, p->entry_gpa, p->dtb_gpa);
	if (r < 0) {
		diag_fail(d, f, 0, NULL, "cannot start vCPU 0 at %#llx: %s",
			  (unsigned long long)p->entry_gpa, xc_strerror(r));
		goto fail;
	}
	/* Best effort: without it the domain just stays paused when its device model dies. */
	if (dm_pid > 0 && p->dm_restart && xl_dm_supervise(domid, p->cfg.name, dm_pid, instance) < 0)
		fprintf(stderr, "xl: warning: no supervisor for %s's device model: %s\n", p->cfg.name,
			strerror(errno));
	xl_trace("vcpu start");
	*domid_out = domid;
	return 0;
fail:
	undo(h, domid, dm_pid, vifs, nr_taps, d);
	return -1;
}
