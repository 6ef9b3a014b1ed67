// SPDX-License-Identifier: MIT
/*
 * dom0_devices.c: the machine's devices that Dom0 drives (dom0_devices.h).
 *
 * Each host virtio-mmio transport is mapped into Dom0 at its own address,
 * so Dom0's Linux drives it directly. Its DMA reaches host physical
 * addresses: Dom0's RAM is one host block and its device tree's dma-ranges
 * tell Linux the offset, which it applies only to a device that negotiates
 * VIRTIO_F_ACCESS_PLATFORM. A device that does not offer it would write
 * wherever Dom0's guest-physical addresses fall in host memory (the
 * microvisor itself), so it is never mapped (and it is reset): Dom0 sees an
 * empty slot there, which this file emulates. So does every slot of Dom0's
 * virtio window without a passed transport, and every slot at all when
 * Dom0's RAM is not one block or its device tree could not be given the
 * block's address.
 *
 * The host interrupt of a passed-through device is claimed on the boot hart
 * (host_irq.c), raised in the vPLIC and left claimed on the host PLIC until
 * Dom0 completes it in the vPLIC: a level-triggered device cannot storm.
 */
#include "dom0_devices.h"
#include "vplic.h"
#include "plic.h"
#include "domain.h"
#include "vcpu.h"
#include "ioreq.h"
#include "mmio_trap.h"
#include "print.h"
#include <string.h>
#include <libfdt.h>

/* virtio-mmio registers (virtio 1.x 4.2.2) that decide whether Dom0 may have a transport. */
#define VIRTIO_MMIO_MAGIC_VALUE         0x000
#define VIRTIO_MMIO_VERSION             0x004
#define VIRTIO_MMIO_DEVICE_ID           0x008
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_STATUS              0x070   /* writing 0 resets the device */
#define VIRTIO_MMIO_MAGIC               0x74726976u   /* "virt" */
#define VIRTIO_F_VERSION_1_HI           (1u << (32 - 32))
#define VIRTIO_F_ACCESS_PLATFORM_HI     (1u << (33 - 32))

struct dom0_dev {
	u64 base, size;     /* page-aligned window */
	unsigned irq;       /* host PLIC source, 0 if none */
	bool pass;          /* mapped; false: Dom0 sees an empty slot */
};

/* Written on the boot hart before any domain exists, read-only afterwards. */
static struct dom0_dev devs[PLATFORM_MAX_VIRTIO];
static unsigned nr_devs;
static u32 routed[VPLIC_WORDS];   /* host sources that are Dom0's */
static bool dma_ranges_set;       /* Dom0's tree carries its RAM's host address */

/* vplic_lock guards vplic and owner; it nests inside evtchn_lock and outside the hart locks. */
static spinlock_t vplic_lock = SPINLOCK_INIT;
static struct vplic vplic;
static struct domain *owner;      /* Dom0 while its vCPUs live, referenced */

static u32 mmio_read32(u64 addr) { return *(volatile u32 *)(uintptr_t)addr; }
static void mmio_write32(u64 addr, u32 v) { *(volatile u32 *)(uintptr_t)addr = v; }

/* Whether the transport at base is one Dom0's DMA cannot turn against the host. */
static const char *unsafe_reason(u64 base)
{
	if (mmio_read32(base + VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
		return "no virtio-mmio magic";
	if (mmio_read32(base + VIRTIO_MMIO_DEVICE_ID) == 0)
		return NULL;   /* an empty slot: nothing to drive, nothing to DMA */
	if (mmio_read32(base + VIRTIO_MMIO_VERSION) != 2)
		return "a legacy (version 1) transport; QEMU: -global virtio-mmio.force-legacy=false";
	mmio_write32(base + VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	u32 hi = mmio_read32(base + VIRTIO_MMIO_DEVICE_FEATURES);
	mmio_write32(base + VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	if (!(hi & VIRTIO_F_VERSION_1_HI) || !(hi & VIRTIO_F_ACCESS_PLATFORM_HI))
		return "it does not offer VIRTIO_F_ACCESS_PLATFORM; QEMU: iommu_platform=on";
	return NULL;
}

void dom0_devices_probe(const struct platform *p)
{
	for (unsigned i = 0; i < p->nr_virtio && nr_devs < PLATFORM_MAX_VIRTIO; i++) {
		const struct platform_mmio *m = &p->virtio[i];
		struct dom0_dev *d = &devs[nr_devs];
		if ((m->base & (PAGE_SIZE - 1)) || m->base + m->size < m->base)
			continue;   /* not a window a page table can give Dom0 alone */
		*d = (struct dom0_dev){ m->base, ALIGN_UP(m->size, PAGE_SIZE), 0, false };
		nr_devs++;
		const char *why = unsafe_reason(m->base);
		if (!why && (!m->irq || m->irq >= VPLIC_SOURCES || m->irq == RIVET_DOM0_EVENT_IRQ || !plic_ready()))
			why = "no host PLIC source the microvisor can route to Dom0";
		if (why) {
			log("virtio-mmio@%lx: not for Dom0 (%s)", m->base, why);
			if (mmio_read32(m->base + VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC)
				mmio_write32(m->base + VIRTIO_MMIO_STATUS, 0);   /* no DMA left running */
			continue;
		}
		d->pass = true;
		d->irq = m->irq;
	}
}

static void set_line(void *ctx, unsigned context, bool level)
{
	(void)ctx;
	/* Odd contexts are the vCPUs' S-mode ones; M-mode ones drive nothing. */
	if ((context & 1) && owner && context / 2 < owner->nr_vcpus)
		vcpu_set_ext_line(owner->vcpus[context / 2], level);
}

static void complete(void *ctx, unsigned source)
{
	(void)ctx;
	if (routed[source / 32] >> (source % 32) & 1)
		plic_complete(source);
}

/* With mem_lock held: whether d's RAM is one host block (its DMA offset is one number). */
struct ram_check { u64 delta; bool first, ok; };

static int check_leaf(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte)
{
	struct ram_check *c = ctx;
	(void)size;
	if (!(pte & PTE_OWNED))
		return 0;
	if (c->first)
		c->delta = hpa - gpa, c->first = false;
	else if (hpa - gpa != c->delta)
		c->ok = false;
	return 0;
}

int dom0_devices_attach(struct domain *d)
{
	struct ram_check rc = { 0, true, true };
	int err = 0;
	spin_lock(&d->mem_lock);
	gstage_for_each_leaf(&d->gs, check_leaf, &rc);
	if (!rc.ok)
		log("Dom0's RAM is not one host block: the machine's devices are not passed to it");
	else if (!dma_ranges_set)
		log("Dom0's device tree has no /soc dma-ranges to patch: the machine's devices are not passed to it");
	for (unsigned i = 0; i < nr_devs && !err; i++) {
		if (!rc.ok || !dma_ranges_set)
			devs[i].pass = false;
		if (devs[i].pass)
			err = gstage_map(&d->gs, devs[i].base, devs[i].base, devs[i].size, PTE_R | PTE_W);
	}
	spin_unlock(&d->mem_lock);
	if (err)
		return err;   /* its teardown frees the tables; device leaves own no pages */

	static const struct vplic_ops ops = { set_line, complete, NULL };
	domain_ref(d);
	spin_lock(&vplic_lock);
	vplic_init(&vplic, 2 * d->nr_vcpus, &ops);
	vplic_add_source(&vplic, RIVET_DOM0_EVENT_IRQ);
	for (unsigned i = 0; i < nr_devs; i++) {
		if (devs[i].pass && devs[i].irq) {
			vplic_add_source(&vplic, devs[i].irq);
			routed[devs[i].irq / 32] |= 1u << (devs[i].irq % 32);
		}
	}
	owner = d;
	d->vplic = true;
	spin_unlock(&vplic_lock);
	/* Only now: a host interrupt before there is an owner would stay claimed. */
	unsigned passed = 0;
	for (unsigned i = 0; i < nr_devs; i++) {
		if (devs[i].pass && devs[i].irq)
			plic_enable(devs[i].irq);
		passed += devs[i].pass;
	}
	log("Dom0 drives %u of the machine's %u virtio-mmio slots", passed, nr_devs);
	return 0;
}

void dom0_devices_detach(struct domain *d)
{
	spin_lock(&vplic_lock);
	bool mine = owner == d;
	if (mine)
		owner = NULL;
	spin_unlock(&vplic_lock);
	if (mine)
		domain_put(d);
}

void dom0_devices_patch_fdt(struct domain *d, void *fdt)
{
	u64 hpa;
	int soc = fdt_path_offset(fdt, "/soc");
	if (soc < 0 || gstage_translate(&d->gs, RIVET_GUEST_RAM_BASE, &hpa, NULL) != 0)
		return;
	fdt64_t dr[3] = { cpu_to_fdt64(hpa), cpu_to_fdt64(RIVET_GUEST_RAM_BASE), cpu_to_fdt64(d->max_bytes) };
	/* Without it (another tree, another size) Linux would DMA to the placeholder: no devices then. */
	dma_ranges_set = fdt_setprop_inplace(fdt, soc, "dma-ranges", dr, sizeof(dr)) == 0;
}

bool dom0_devices_host_irq(unsigned irq)
{
	if (irq >= VPLIC_SOURCES || !(routed[irq / 32] >> (irq % 32) & 1))
		return false;
	spin_lock(&vplic_lock);
	if (owner)
		vplic_raise(&vplic, irq);
	/* Without an owner it stays claimed: Dom0 is gone and so is the machine. */
	spin_unlock(&vplic_lock);
	return true;
}

bool dom0_devices_event(struct domain *d)
{
	if (!d->vplic)
		return false;
	spin_lock(&vplic_lock);
	if (owner == d)
		vplic_raise(&vplic, RIVET_DOM0_EVENT_IRQ);
	spin_unlock(&vplic_lock);
	return true;
}

/* An empty virtio-mmio slot: magic, version 2, device ID 0; writes ignored. */
static u32 empty_slot_read(u64 off)
{
	return off == VIRTIO_MMIO_MAGIC_VALUE ? VIRTIO_MMIO_MAGIC : off == VIRTIO_MMIO_VERSION ? 2 : 0;
}

int dom0_devices_fault(struct vcpu *v, u64 gpa, bool store)
{
	bool in_plic = gpa >= RIVET_GUEST_PLIC_BASE && gpa - RIVET_GUEST_PLIC_BASE < VPLIC_SIZE;
	/* Its tree lists every slot of QEMU virt's window; a passed one is mapped, so never faults. */
	bool in_slots = gpa >= RIVET_GUEST_VIRTIO_BASE &&
			gpa - RIVET_GUEST_VIRTIO_BASE < RIVET_GUEST_VIRTIO_SLOTS * RIVET_GUEST_VIRTIO_STRIDE;
	if (!v->dom->vplic || (!in_plic && !in_slots))
		return IOREQ_HOLE;
	struct mmio_insn m;
	enum mmio_decoded dec = mmio_trap_decode(v, &m);
	if (dec == MMIO_SPLIT || (dec == MMIO_DECODED && m.store == store && (gpa & (m.size - 1))))
		return IOREQ_MISALIGNED;
	if (dec != MMIO_DECODED || m.store != store) {
		domain_crash(v->dom, "an MMIO access by an instruction the microvisor cannot emulate", gpa,
			     v->frame.sepc);
		return IOREQ_HANDLED;
	}
	u64 raw = 0;
	if (in_plic) {
		spin_lock(&vplic_lock);
		if (store)
			vplic_write(&vplic, gpa - RIVET_GUEST_PLIC_BASE, m.size,
				    (u32)mmio_store_value(&m, v->frame.x[m.reg]));
		else
			raw = vplic_read(&vplic, gpa - RIVET_GUEST_PLIC_BASE, m.size);
		spin_unlock(&vplic_lock);
	} else if (!store && m.size == 4) {
		raw = empty_slot_read((gpa - RIVET_GUEST_VIRTIO_BASE) % RIVET_GUEST_VIRTIO_STRIDE);
	}
	if (!store && m.reg)
		v->frame.x[m.reg] = mmio_load_value(&m, raw);
	v->frame.sepc += m.len;
	return IOREQ_HANDLED;
}
