// SPDX-License-Identifier: MIT
/*
 * domain.c: domain lifecycle: build from a boot-image record (RAM, G-stage,
 * vCPUs, images copied in), shutdown / crash handling with on_poweroff,
 * on_reboot and on_crash, and final teardown. The machine powers off when
 * the last domain is gone.
 */
#include "domain.h"
#include "sched.h"
#include "hart.h"
#include "mm.h"
#include "print.h"
#include "csr.h"
#include "sbi_call.h"
#include "uart.h"
#include "console.h"
#include <string.h>
#include <libfdt.h>

static struct domain *domains[MAX_DOMAINS];
static spinlock_t domains_lock = SPINLOCK_INIT;
static unsigned nr_alive;
static unsigned nr_poweroff, nr_crashed, nr_destroyed_other;
static u64 next_vmid = 1;
extern unsigned vmid_bits;

static void *table_alloc(void *ctx) { (void)ctx; return mm_alloc(PAGE_SIZE, PAGE_SIZE); }
static void table_free(void *ctx, void *p) { (void)ctx; mm_free(p, PAGE_SIZE); }


unsigned domain_next_id(unsigned id, char name[RIVET_NAME_LEN])
{
	unsigned found = 0;
	spin_lock(&domains_lock);
	for (unsigned k = 1; k <= MAX_DOMAINS && !found; k++) {
		struct domain *d = domains[(id + k) % MAX_DOMAINS];
		if (d && d->state != DOM_DEAD) {
			found = d->id;
			if (name)
				memcpy(name, d->name, RIVET_NAME_LEN);
		}
	}
	spin_unlock(&domains_lock);
	return found;
}

static bool gpa_in_ram(struct domain *d, u64 gpa, u64 len)
{
	return gpa >= RIVET_GUEST_RAM_BASE && len <= d->ram_bytes &&
	       gpa - RIVET_GUEST_RAM_BASE <= d->ram_bytes - len;
}

int domain_read_gpa(struct domain *d, u64 gpa, void *buf, u64 len)
{
	if (!gpa_in_ram(d, gpa, len))
		return -RIVET_EFAULT;
	memcpy(buf, (void *)(uintptr_t)(d->ram_hpa + gpa - RIVET_GUEST_RAM_BASE), len);
	return 0;
}

int domain_write_gpa(struct domain *d, u64 gpa, const void *buf, u64 len)
{
	if (!gpa_in_ram(d, gpa, len))
		return -RIVET_EFAULT;
	memcpy((void *)(uintptr_t)(d->ram_hpa + gpa - RIVET_GUEST_RAM_BASE), buf, len);
	return 0;
}

/* mkimage cannot know the host's timebase; the guest tree gets it in place. */
static void patch_dtb(void *dtb, u64 size)
{
	if (size < sizeof(struct fdt_header) || fdt_check_header(dtb) != 0 || fdt_totalsize(dtb) > size)
		return;
	int cpus = fdt_path_offset(dtb, "/cpus");
	if (cpus >= 0)
		fdt_setprop_inplace_u32(dtb, cpus, "timebase-frequency", (u32)timebase_hz);
}

/* Copies the kernel, ramdisk and device tree in, then patches the DTB's timebase. */
static int load_images(struct domain *d)
{
	const struct rivet_bootimg_domain *bd = d->boot;
	for (unsigned i = 0; i < bd->nr_loads; i++) {
		const struct rivet_bootimg_load *l = &bd->loads[i];
		if (!gpa_in_ram(d, l->gpa, l->mem_size) || l->file_size > l->mem_size)
			return -RIVET_ERANGE;
		u8 *dst = (u8 *)(uintptr_t)(d->ram_hpa + l->gpa - RIVET_GUEST_RAM_BASE);
		memcpy(dst, d->archive + l->offset, l->file_size);
		memset(dst + l->file_size, 0, l->mem_size - l->file_size);
		if (l->gpa == bd->dtb_gpa)
			patch_dtb(dst, l->file_size);
	}
	return 0;
}

static void start_boot_vcpu(struct domain *d)
{
	d->live_vcpus = d->nr_vcpus;
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		vcpu_reset(d->vcpus[i], 0, i, 0);
		d->vcpus[i]->reaped = false;
	}
	vcpu_reset(d->vcpus[0], d->boot->entry_gpa, 0, d->boot->dtb_gpa);
	d->started_vcpus = 1;
	d->state = DOM_RUNNING;
	sched_start_vcpu(d->vcpus[0]);
}

static void domain_free(struct domain *d)
{
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		if (!d->vcpus[i])
			continue;
		if (d->vcpus[i]->home)
			sched_remove_vcpu(d->vcpus[i]);
		mm_free(d->vcpus[i], sizeof(struct vcpu));
	}
	if (d->gs.root) {
		gstage_free_tables(&d->gs);
		mm_free(d->gs.root, GSTAGE_ROOT_PAGES * PAGE_SIZE);
	}
	mm_free((void *)(uintptr_t)d->ram_hpa, d->ram_bytes);
	mm_free(d, sizeof(*d));
}

/* What the microvisor spends on a domain beyond its RAM: tables, vCPUs, itself. */
static u64 domain_overhead_bytes(const struct domain *d)
{
	return d->gs.nr_table_pages * PAGE_SIZE + d->nr_vcpus * ALIGN_UP(sizeof(struct vcpu), PAGE_SIZE) +
	       ALIGN_UP(sizeof(struct domain), PAGE_SIZE);
}

int domain_create_boot(const struct rivet_bootimg_domain *bd, const u8 *archive, unsigned id)
{
	if (bd->nr_vcpus < 1 || bd->nr_vcpus > RIVET_MAX_VCPUS || bd->nr_loads > RIVET_MAX_LOADS ||
	    !bd->memory_bytes || (bd->memory_bytes & (PAGE_SIZE - 1)) || !bd->name[0] ||
	    memchr(bd->name, 0, RIVET_NAME_LEN) == NULL)
		return -RIVET_EINVAL;
	if (next_vmid >= (1UL << vmid_bits))
		return -RIVET_EBUSY;   /* VMIDs are not reused, so no stale TLB entry can match */

	struct domain *d = mm_alloc(sizeof(*d), PAGE_SIZE);
	if (!d)
		return -RIVET_ENOMEM;
	d->id = id;
	memcpy(d->name, bd->name, RIVET_NAME_LEN);
	d->boot = bd;
	d->archive = archive;
	d->nr_vcpus = bd->nr_vcpus;
	d->ram_bytes = bd->memory_bytes;
	int err = -RIVET_ENOMEM;
	u64 align = d->ram_bytes >= SZ_1G ? SZ_1G : SZ_2M;
	void *ram = mm_alloc(d->ram_bytes, align);
	if (!ram && align == SZ_1G)
		ram = mm_alloc(d->ram_bytes, SZ_2M);
	if (!ram)
		goto fail;
	d->ram_hpa = (u64)(uintptr_t)ram;

	void *root = mm_alloc(GSTAGE_ROOT_PAGES * PAGE_SIZE, GSTAGE_ROOT_ALIGN);
	if (!root)
		goto fail;
	d->gs.alloc_page = table_alloc;
	d->gs.free_page = table_free;
	if ((err = gstage_init(&d->gs, root)) != 0) {
		mm_free(root, GSTAGE_ROOT_PAGES * PAGE_SIZE);
		goto fail;
	}
	if ((err = gstage_map(&d->gs, RIVET_GUEST_RAM_BASE, d->ram_hpa, d->ram_bytes, PTE_RWX)) != 0)
		goto fail;
	d->vmid = next_vmid++;
	d->hgatp = (HGATP_MODE_SV39X4 << HGATP_MODE_SHIFT) | (d->vmid << HGATP_VMID_SHIFT) |
		   ((u64)(uintptr_t)root >> PAGE_SHIFT);

	u64 online = 0;
	for (unsigned i = 0; i < nr_harts; i++)
		if (harts[i].online)
			online |= 1UL << i;
	d->cpus_mask = bd->cpus_mask & online;
	if (bd->cpus_mask && !d->cpus_mask) {
		log("domain %s: cpus= names no hart of this machine (%u harts); using all harts",
		    d->name, nr_harts);
	}

	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = mm_alloc(sizeof(*v), PAGE_SIZE);
		err = -RIVET_ENOMEM;
		if (!v)
			goto fail;
		v->dom = d;
		v->id = i;
		v->last_hart = -1;
		d->vcpus[i] = v;
		if ((err = sched_add_vcpu(v, d->cpus_mask)) != 0)
			goto fail;
	}
	if ((err = load_images(d)) != 0)
		goto fail;

	spin_lock(&domains_lock);
	domains[id % MAX_DOMAINS] = d;
	spin_unlock(&domains_lock);
	domains_hold();

	char where[64];
	unsigned n = 0;
	where[0] = 0;
	for (unsigned i = 0; i < d->nr_vcpus && n < sizeof(where) - 8; i++)
		n += snprintf(where + n, sizeof(where) - n, "%s%u", i ? "," : "", d->vcpus[i]->home->index);
	log("domain %u \"%s\": %lu MiB at 0x%lx, %u vCPU%s on hart%s %s, entry 0x%lx, overhead %lu KiB",
	    d->id, d->name, d->ram_bytes >> 20, d->ram_hpa, d->nr_vcpus, d->nr_vcpus > 1 ? "s" : "",
	    d->nr_vcpus > 1 ? "s" : "", where, bd->entry_gpa, domain_overhead_bytes(d) >> 10);
	start_boot_vcpu(d);
	return 0;
fail:
	domain_free(d);
	return err;
}

static const char *reason_name(enum shutdown_reason r)
{
	return r == SHUTDOWN_POWEROFF ? "powered off" : r == SHUTDOWN_REBOOT ? "rebooted" : "crashed";
}

void domain_shutdown(struct domain *d, enum shutdown_reason why)
{
	/* Harts to kick, gathered first: once DYING, d may be freed by another hart. */
	u64 homes = 0;
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		homes |= 1UL << d->vcpus[i]->home->index;
	spin_lock(&d->lock);
	if (d->state != DOM_RUNNING) {
		spin_unlock(&d->lock);
		return;
	}
	d->state = DOM_DYING;
	d->reason = why;
	spin_unlock(&d->lock);
	/* Every home hart takes its vCPUs off; the last one applies the on_* action. */
	for (unsigned i = 0; i < nr_harts; i++)
		if (homes & (1UL << i))
			hart_kick(&harts[i]);
}

void domain_crash(struct domain *d, const char *cause, u64 addr, u64 pc)
{
	log("domain %u \"%s\" crashed: %s at 0x%lx (pc 0x%lx)", d->id, d->name, cause, addr, pc);
	domain_shutdown(d, SHUTDOWN_CRASH);
}

void domain_vcpu_off(struct domain *d)
{
	if (__atomic_sub_fetch(&d->live_vcpus, 1, __ATOMIC_SEQ_CST) != 0)
		return;
	const struct rivet_bootimg_domain *bd = d->boot;
	u8 action = d->reason == SHUTDOWN_POWEROFF ? bd->on_poweroff :
		    d->reason == SHUTDOWN_REBOOT ? bd->on_reboot : bd->on_crash;
	domain_console_flush(d);
	if (action == RIVET_ACTION_RESTART) {
		d->restarts++;
		log("domain %u \"%s\" %s: restarting it (restart %u)", d->id, d->name,
		    reason_name(d->reason), d->restarts);
		if (load_images(d) == 0) {
			start_boot_vcpu(d);
			return;
		}
		log("domain %u \"%s\": its images no longer fit; destroying it", d->id, d->name);
	}
	log("domain %u \"%s\" %s: destroyed", d->id, d->name, reason_name(d->reason));
	spin_lock(&domains_lock);
	if (d->reason == SHUTDOWN_POWEROFF)
		nr_poweroff++;
	else if (d->reason == SHUTDOWN_CRASH)
		nr_crashed++;
	else
		nr_destroyed_other++;
	domains[d->id % MAX_DOMAINS] = NULL;
	spin_unlock(&domains_lock);
	d->state = DOM_DEAD;
	domain_free(d);
	domains_put();
}

/* nr_alive counts live domains plus, while boot creates domains, one boot hold. */
void domains_hold(void)
{
	spin_lock(&domains_lock);
	nr_alive++;
	spin_unlock(&domains_lock);
}

void domains_put(void)
{
	spin_lock(&domains_lock);
	unsigned left = --nr_alive;
	spin_unlock(&domains_lock);
	if (left)
		return;
	log("all domains ended: %u powered off, %u crashed, %u rebooted; powering off",
	    nr_poweroff, nr_crashed, nr_destroyed_other);
	fw_shutdown();
	for (;;)
		wfi();
}

void domain_console_flush(struct domain *d)
{
	spin_lock(&d->con_lock);
	if (d->con_len) {
		d->con_line[d->con_len] = 0;
		console_domain_text(d, d->name, d->con_line, false);
		d->con_len = 0;
	}
	spin_unlock(&d->con_lock);
}

void domain_console_putc(struct domain *d, char c)
{
	if (c == '\r')
		return;
	spin_lock(&d->con_lock);
	if (c != '\n')
		d->con_line[d->con_len++] = c;
	if (c == '\n' || d->con_len == CONSOLE_LINE_MAX - 1) {
		d->con_line[d->con_len] = 0;
		console_domain_text(d, d->name, d->con_line, c == '\n');
		d->con_len = 0;
	}
	spin_unlock(&d->con_lock);
}
