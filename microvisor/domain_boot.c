// SPDX-License-Identifier: MIT
/*
 * domain_boot.c: domains described in the boot image: RAM populated at
 * 0x80000000, the kernel, ramdisk and device tree records copied in (the
 * tree's timebase patched), vCPU 0 started. The image stays in memory, so
 * on_* = restart can rebuild a domain from it, in the same RAM, zeroed first.
 */
#include "domain.h"
#include "hart.h"
#include "dom0_devices.h"
#include "sched.h"
#include "print.h"
#include "page_zero.h"
#include <string.h>
#include <libfdt.h>

/* Drops one name from a NUL-separated string list in place; the new length. */
static int drop_from_list(char *list, int len, const char *name)
{
	int out = 0;
	for (int off = 0; off < len; ) {
		int n = (int)strnlen(list + off, len - off) + 1;
		if (strcmp(list + off, name) != 0) {
			memmove(list + out, list + off, n);
			out += n;
		}
		off += n;
	}
	return out;
}

/* Where "_name" stands as a whole extension in a riscv,isa string ("..._zicboz_..." or at its end). */
static char *find_token(char *isa, const char *tok)
{
	size_t n = strlen(tok);
	for (char *p = strchr(isa, '_'); p; p = strchr(p + 1, '_'))
		if (!strncmp(p, tok, n) && (p[n] == '_' || p[n] == 0))
			return p;
	return NULL;
}

/*
 * A boot domain's tree may list Zicboz (mkimage cannot know the host): kept,
 * with the host's block size, when the microvisor zeroes with cbo.zero itself
 * (and so sets henvcfg.CBZE for guests, main.c); dropped otherwise, for a
 * guest must never be told of an extension the host lacks. Only ever shrinks
 * the tree. 0, or a libfdt error (the tree is then not written back).
 */
static int fit_cboz(void *tree, int cpus)
{
	static char list[512];
	int cpu;
	fdt_for_each_subnode(cpu, tree, cpus) {
		int len;
		if (!fdt_getprop(tree, cpu, "riscv,cboz-block-size", &len))
			continue;
		if (page_zero_block()) {
			int err = fdt_setprop_inplace_u32(tree, cpu, "riscv,cboz-block-size", (u32)page_zero_block());
			if (err)
				return err;
			continue;
		}
		int err = fdt_delprop(tree, cpu, "riscv,cboz-block-size");
		const char *exts = fdt_getprop(tree, cpu, "riscv,isa-extensions", &len);
		if (!err && exts && len > 0 && len <= (int)sizeof(list)) {
			memcpy(list, exts, len);
			list[len - 1] = 0;
			err = fdt_setprop(tree, cpu, "riscv,isa-extensions", list, drop_from_list(list, len, "zicboz"));
		}
		const char *isa = fdt_getprop(tree, cpu, "riscv,isa", &len);
		char *at;
		if (!err && isa && len > 0 && len <= (int)sizeof(list)) {
			memcpy(list, isa, len);
			list[len - 1] = 0;
			if ((at = find_token(list, "_zicboz")) != NULL) {
				memmove(at, at + strlen("_zicboz"), strlen(at + strlen("_zicboz")) + 1);
				err = fdt_setprop_string(tree, cpu, "riscv,isa", list);
			}
		}
		if (err)
			return err;
	}
	return 0;
}

/* mkimage cannot know the host's timebase; the guest tree gets it in place. */
static void patch_dtb(struct domain *d, u64 gpa, u64 size)
{
	u8 hdr[sizeof(struct fdt_header)];
	if (size < sizeof(hdr) || size > 0x10000 || domain_read_gpa(d, gpa, hdr, sizeof(hdr)) != 0)
		return;
	static u8 tree[0x10000];   /* boot and restarts are serialized by the domain's lifecycle */
	static spinlock_t tree_lock = SPINLOCK_INIT;
	spin_lock(&tree_lock);
	if (domain_read_gpa(d, gpa, tree, size) == 0 && fdt_check_header(tree) == 0 &&
	    fdt_totalsize(tree) <= size) {
		int cpus = fdt_path_offset(tree, "/cpus");
		int err = cpus < 0 ? cpus : fdt_setprop_inplace_u32(tree, cpus, "timebase-frequency", (u32)timebase_hz);
		if (!err)
			err = fit_cboz(tree, cpus);
		if (!err) {
			if (d->flags & RIVET_DOMF_PRIVILEGED)
				dom0_devices_patch_fdt(d, tree);
			domain_write_gpa(d, gpa, tree, size);
		} else {
			/* Only a tree mkimage did not make can get here: said, not hidden. */
			log("domain %u: its device tree could not be fitted to the host (libfdt %d); left as built",
			    d->id, err);
		}
	}
	spin_unlock(&tree_lock);
}

/* Copies the kernel, ramdisk and device tree in. */
static int load_images(struct domain *d)
{
	const struct rivet_bootimg_domain *bd = d->boot;
	static const u8 zeros[PAGE_SIZE];
	for (unsigned i = 0; i < bd->nr_loads; i++) {
		const struct rivet_bootimg_load *l = &bd->loads[i];
		if (l->file_size > l->mem_size || !domain_range_is_ram(d, l->gpa, l->mem_size))
			return -RIVET_ERANGE;
		domain_write_gpa(d, l->gpa, d->archive + l->offset, l->file_size);
		for (u64 z = l->file_size; z < l->mem_size; ) {
			u64 n = l->mem_size - z < PAGE_SIZE ? l->mem_size - z : PAGE_SIZE;
			domain_write_gpa(d, l->gpa + z, zeros, n);
			z += n;
		}
		if (l->gpa == bd->dtb_gpa)
			patch_dtb(d, l->gpa, l->file_size);
	}
	return 0;
}

/* Its vCPUs are all off (it is DYING) and nobody maps its memory: the pages are its own. */
static int zero_owned(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte)
{
	(void)ctx;
	(void)gpa;
	if (pte & PTE_OWNED)
		page_zero((void *)(uintptr_t)hpa, size);
	return 0;
}

bool domain_boot_reload(struct domain *d)
{
	/* Its peers must not signal, nor Dom0 write into, the next life's memory. */
	evtchn_teardown(d);
	if (__atomic_load_n(&d->nr_fmaps, __ATOMIC_ACQUIRE))
		return false;
	/* As a new domain would, the next life finds only zeros besides its images. */
	spin_lock(&d->mem_lock);
	gstage_for_each_leaf(&d->gs, zero_owned, NULL);
	spin_unlock(&d->mem_lock);
	return load_images(d) == 0;
}

int domain_create_boot(const struct rivet_bootimg_domain *bd, const u8 *archive, unsigned id)
{
	char name[RIVET_NAME_LEN];
	/* The microvisor carries out a boot-image domain's on_*: destroy or restart (mkimage checks). */
	if (bd->nr_loads > RIVET_MAX_LOADS || !bd->memory_bytes || (bd->memory_bytes & (PAGE_SIZE - 1)) ||
	    !memchr(bd->name, 0, RIVET_NAME_LEN) || bd->on_poweroff > RIVET_ACTION_RESTART ||
	    bd->on_reboot > RIVET_ACTION_RESTART || bd->on_crash > RIVET_ACTION_RESTART)
		return -RIVET_EINVAL;
	memcpy(name, bd->name, RIVET_NAME_LEN);
	struct domain_params p = {
		.name = name, .nr_vcpus = bd->nr_vcpus, .cpus_mask = bd->cpus_mask,
		.max_bytes = bd->memory_bytes, .flags = bd->flags & RIVET_DOMF_PRIVILEGED,
		.on_poweroff = bd->on_poweroff, .on_reboot = bd->on_reboot, .on_crash = bd->on_crash,
	};
	int err;
	struct domain *d = domain_alloc(&p, &err);
	if (!d)
		return err;
	d->boot = bd;
	d->archive = archive;
	/* Checked as SCHED_SET checks them: a bad image fails here, not at the first schedule. */
	bool sched_given = bd->sched.weight || bd->sched.policy != RIVET_SCHED_CREDIT;
	if (sched_given && (err = sched_params_set(d, RIVET_SCHED_ALL_VCPUS, &bd->sched)) != 0) {
		domain_put(d);
		return err;
	}
	if ((err = domain_populate(d, RIVET_GUEST_RAM_BASE, bd->memory_bytes)) != 0 ||
	    (err = load_images(d)) != 0 ||
	    ((d->flags & RIVET_DOMF_PRIVILEGED) && (err = dom0_devices_attach(d)) != 0) ||
	    (err = domain_register(d, (d->flags & RIVET_DOMF_PRIVILEGED) ? 0 : (int)id)) != 0) {
		dom0_devices_detach(d);   /* its reference, if attached */
		domain_put(d);
		return err;
	}

	char where[64];
	unsigned n = 0;
	where[0] = 0;
	for (unsigned i = 0; i < d->nr_vcpus && n < sizeof(where) - 8; i++)
		n += snprintf(where + n, sizeof(where) - n, "%s%u", i ? "," : "", d->vcpus[i]->home->index);
	u64 hpa = 0;
	gstage_translate(&d->gs, RIVET_GUEST_RAM_BASE, &hpa, NULL);
	log("domain %u \"%s\": %lu MiB at 0x%lx, %lu vCPU%s on hart%s %s, entry 0x%lx, overhead %lu KiB%s",
	    d->id, d->name, d->mem_bytes >> 20, hpa, d->nr_vcpus, d->nr_vcpus > 1 ? "s" : "",
	    d->nr_vcpus > 1 ? "s" : "", where, bd->entry_gpa, domain_overhead_bytes(d) >> 10,
	    (d->flags & RIVET_DOMF_PRIVILEGED) ? ", privileged (Dom0)" : "");
	return domain_start(d, bd->entry_gpa, bd->dtb_gpa);
}
