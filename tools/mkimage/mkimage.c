/* SPDX-License-Identifier: MIT */
/*
 * mkimage.c: the pipeline per domain config: read, parse, check keys, load
 * the kernel, build the device tree, place everything in guest RAM, record
 * it in the archive; then write microvisor + archive in one rename.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootimg_write.h"
#include "domcfg.h"
#include "domfdt.h"
#include "domplan.h"
#include "elfload.h"
#include "fileio.h"
#include "mkimage.h"
#include "xlcfg.h"
#include "hypercall.h"

#define MAX_CFG_BYTES    (1u << 20)
#define MAX_UVM_BYTES    (64u << 20)
#define MAX_MODULE_BYTES (2ULL << 30)

struct domain_files {
	uint8_t *cfg, *kernel, *ramdisk;
	size_t cfg_len, kernel_len, ramdisk_len;
};

static int add_load(struct archive *a, struct rivet_bootimg_domain *rec, uint64_t gpa,
		    const void *p, uint64_t file_size, uint64_t mem_size, char *why)
{
	struct rivet_bootimg_load *l;

	if (rec->nr_loads == RIVET_MAX_LOADS)
		return reason_set(why, "more than %d load records", RIVET_MAX_LOADS);
	l = &rec->loads[rec->nr_loads];
	if (archive_add_blob(a, p, file_size, &l->offset, why) < 0)
		return -1;
	l->gpa = gpa;
	l->file_size = file_size;
	l->mem_size = mem_size;
	rec->nr_loads++;
	return 0;
}

static int build_domain(struct archive *a, const char *cfg_path, struct domain_files *f,
			uint8_t flags, struct diag *d)
{
	static uint8_t dtb[DOMFDT_MAX_SIZE];
	struct rivet_bootimg_domain *rec;
	struct domplan_req pr;
	struct domplan plan;
	struct xlcfg cfg;
	struct domcfg dc;
	struct kimage k;
	char why[REASON_MAX];
	unsigned i;
	int rc = -1;

	if (file_read(cfg_path, MAX_CFG_BYTES, &f->cfg, &f->cfg_len, why) < 0)
		return diag_fail(d, cfg_path, 0, NULL, "cannot read: %s", why);
	if (xlcfg_parse((const char *)f->cfg, f->cfg_len, cfg_path, &cfg, d) < 0)
		return -1;
	if (domcfg_from_xlcfg(&cfg, cfg_path, &dc, d) < 0) {
		xlcfg_free(&cfg);
		return -1;
	}
	xlcfg_free(&cfg);
	domcfg_print_warnings(&dc, stderr);

	for (i = 0; i < a->hdr.nr_domains; i++)
		if (!strcmp(a->hdr.domains[i].name, dc.name)) {
			diag_fail(d, cfg_path, dc.line_name, "name",
				  "\"%s\" is already the name of another domain in this image", dc.name);
			goto out;
		}
	rec = archive_add_domain(a);
	if (!rec) {
		diag_fail(d, cfg_path, 0, NULL, "more than %d domains in one image",
			  RIVET_MAX_BOOT_DOMAINS);
		goto out;
	}

	if (file_read(dc.kernel_path, MAX_MODULE_BYTES, &f->kernel, &f->kernel_len, why) < 0) {
		diag_fail(d, cfg_path, dc.line_kernel, "kernel", "cannot read '%s': %s", dc.kernel, why);
		goto out;
	}
	if (kimage_parse(f->kernel, f->kernel_len, RIVET_GUEST_RAM_BASE, dc.memory_bytes, &k,
			 why) < 0) {
		diag_fail(d, cfg_path, dc.line_kernel, "kernel", "'%s': %s", dc.kernel, why);
		goto out;
	}
	if (dc.ramdisk &&
	    file_read(dc.ramdisk_path, MAX_MODULE_BYTES, &f->ramdisk, &f->ramdisk_len, why) < 0) {
		diag_fail(d, cfg_path, dc.line_ramdisk, "ramdisk", "cannot read '%s': %s",
			  dc.ramdisk, why);
		goto out;
	}

	pr = (struct domplan_req){ .cfg_path = cfg_path, .line_memory = dc.line_memory, .dc = &dc,
				   .k = &k, .ramdisk_len = f->ramdisk_len,
				   .hypervisor_node = (flags & RIVET_DOMF_PRIVILEGED) != 0 };
	if (domplan_build(&pr, dtb, sizeof dtb, &plan, d) < 0)
		goto out;

	memcpy(rec->name, dc.name, sizeof rec->name);
	rec->memory_bytes = dc.memory_bytes;
	rec->cpus_mask = dc.cpus_mask;
	rec->entry_gpa = k.entry_gpa;
	rec->dtb_gpa = plan.lay.dtb_gpa;
	rec->nr_vcpus = dc.nr_vcpus;
	rec->on_poweroff = dc.on_poweroff;
	rec->on_reboot = dc.on_reboot;
	rec->on_crash = dc.on_crash;
	rec->flags = flags;
	domcfg_sched(&dc, &rec->sched);   /* zero (the defaults) when the config has none */
	for (i = 0; i < k.nr_segs; i++) {
		const struct kseg *s = &k.segs[i];

		if (add_load(a, rec, s->gpa, f->kernel + s->file_offset, s->file_size, s->mem_size,
			     why) < 0)
			goto fail_image;
	}
	if (dc.ramdisk &&
	    add_load(a, rec, plan.lay.ramdisk_gpa, f->ramdisk, f->ramdisk_len, f->ramdisk_len,
		     why) < 0)
		goto fail_image;
	if (add_load(a, rec, plan.lay.dtb_gpa, dtb, plan.dtb_len, plan.dtb_len, why) < 0)
		goto fail_image;
	rc = 0;
	goto out;

fail_image:
	diag_fail(d, cfg_path, 0, NULL, "%s", why);
out:
	domcfg_free(&dc);
	return rc;
}

static void files_free(struct domain_files *f)
{
	free(f->cfg);
	free(f->kernel);
	free(f->ramdisk);
	memset(f, 0, sizeof *f);
}

static int run(const char *out, const char *uvm_path, const char *dom0, char *const cfgs[],
	       unsigned nr_cfgs, struct diag *d)
{
	struct archive *a;
	uint8_t *uvm = NULL, *img = NULL;
	size_t uvm_len, img_len;
	uint64_t at;
	char why[REASON_MAX];
	unsigned i;
	int rc = -1;

	if (nr_cfgs + (dom0 != NULL) > RIVET_MAX_BOOT_DOMAINS)
		return diag_fail(d, cfgs[nr_cfgs - 1], 0, NULL,
				 "more than %d domains in one image", RIVET_MAX_BOOT_DOMAINS);
	if (file_read(uvm_path, MAX_UVM_BYTES, &uvm, &uvm_len, why) < 0)
		return diag_fail(d, uvm_path, 0, NULL, "cannot read: %s", why);
	if (uvm_check(uvm, uvm_len, &at, why) < 0) {
		free(uvm);
		return diag_fail(d, uvm_path, 0, NULL, "%s", why);
	}
	a = malloc(sizeof *a);
	if (!a || archive_init(a) < 0) {
		free(a);
		free(uvm);
		return diag_fail(d, out, 0, NULL, "out of memory");
	}
	/* Dom0 first: the microvisor gives it id 0 and the console. */
	if (dom0) {
		struct domain_files f = { 0 };
		int r = build_domain(a, dom0, &f, RIVET_DOMF_PRIVILEGED, d);

		files_free(&f);
		if (r < 0)
			goto done;
	}
	for (i = 0; i < nr_cfgs; i++) {
		struct domain_files f = { 0 };
		int r = build_domain(a, cfgs[i], &f, 0, d);

		files_free(&f);
		if (r < 0)
			goto done;
	}
	if (bootimg_assemble(uvm, uvm_len, a, &img, &img_len, why) < 0 ||
	    file_write_atomic(out, img, img_len, why) < 0) {
		diag_fail(d, out, 0, NULL, "%s", why);
		goto done;
	}
	rc = 0;
done:
	free(img);
	archive_free(a);
	free(a);
	free(uvm);
	return rc;
}

int mkimage_main(int argc, char *const argv[], struct diag *d)
{
	const char *out = NULL, *uvm = NULL, *dom0 = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (argv[i][0] != '-')
			break;
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "-u") || !strcmp(argv[i], "-d")) {
			if (i + 1 >= argc)
				return diag_fail(d, "mkimage", 0, NULL, "%s needs an argument (%s)",
						 argv[i], MKIMAGE_USAGE);
			*(argv[i][1] == 'o' ? &out : argv[i][1] == 'u' ? &uvm : &dom0) = argv[i + 1];
			i++;
		} else {
			return diag_fail(d, "mkimage", 0, NULL, "unknown option '%.40s' (%s)", argv[i],
					 MKIMAGE_USAGE);
		}
	}
	if (!out || !uvm)
		return diag_fail(d, "mkimage", 0, NULL, "%s", MKIMAGE_USAGE);
	return run(out, uvm, dom0, argv + i, (unsigned)(argc - i), d);
}
