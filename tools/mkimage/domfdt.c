/* SPDX-License-Identifier: MIT */
/* domfdt.c: builds a domain's device tree with libfdt. */
#include <stdio.h>

#include <libfdt.h>

#include "domfdt.h"
#include "bootimg.h"

/* Property strings of riscv,isa-extensions, as one NUL-separated list. */
static const char isa_exts[] = "i\0m\0a\0f\0d\0c\0zicntr\0zicsr\0zifencei\0zihpm\0sstc";
static const char isa_exts_cboz[] = "i\0m\0a\0f\0d\0c\0zicboz\0zicntr\0zicsr\0zifencei\0zihpm\0sstc";

#define TRY(x) do { int _e = (x); if (_e < 0) return _e; } while (0)

static int prop_cells64(void *fdt, const char *name, uint64_t a, uint64_t b)
{
	fdt64_t v[2] = { cpu_to_fdt64(a), cpu_to_fdt64(b) };

	return fdt_property(fdt, name, v, sizeof v);
}

static int add_cpu(void *fdt, unsigned id, uint32_t cboz)
{
	char name[32];

	snprintf(name, sizeof name, "cpu@%u", id);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "device_type", "cpu"));
	TRY(fdt_property_u32(fdt, "reg", id));
	TRY(fdt_property_string(fdt, "status", "okay"));
	TRY(fdt_property_string(fdt, "compatible", "riscv"));
	TRY(fdt_property_string(fdt, "riscv,isa", cboz ? DOMFDT_ISA_CBOZ : DOMFDT_ISA));
	TRY(fdt_property_string(fdt, "riscv,isa-base", "rv64i"));
	if (cboz) {
		TRY(fdt_property(fdt, "riscv,isa-extensions", isa_exts_cboz, sizeof isa_exts_cboz));
		TRY(fdt_property_u32(fdt, "riscv,cboz-block-size", cboz));
	} else {
		TRY(fdt_property(fdt, "riscv,isa-extensions", isa_exts, sizeof isa_exts));
	}
	TRY(fdt_property_string(fdt, "mmu-type", "riscv,sv39"));
	TRY(fdt_begin_node(fdt, "interrupt-controller"));
	TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_property_u32(fdt, "#address-cells", 0)); /* as QEMU virt: keeps dtc quiet */
	TRY(fdt_property(fdt, "interrupt-controller", "", 0)); /* empty: a flag */
	TRY(fdt_property_u32(fdt, "phandle", id + 1));
	TRY(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt32_t v[4] = { cpu_to_fdt32((uint32_t)(base >> 32)), cpu_to_fdt32((uint32_t)base),
			 cpu_to_fdt32((uint32_t)(size >> 32)), cpu_to_fdt32((uint32_t)size) };

	return fdt_property(fdt, "reg", v, sizeof v);
}

/* After the vCPUs' interrupt controllers (1..N) and the PLIC (N + 1). */
static uint32_t wdt_clock_phandle(const struct domfdt_params *p)
{
	return p->nr_vcpus + 2;
}

/*
 * QEMU virt's /soc, its nodes in the order QEMU's tree has them: the UART,
 * the virtio-mmio slots from the highest address down (the balloon's and
 * the power button's first, where there are), then the PLIC. vCPU
 * N's interrupt controller has phandle N + 1, the PLIC the next one.
 */
static int add_soc(const struct domfdt_params *p, void *fdt)
{
	static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	uint32_t plic = p->nr_vcpus + 1;
	fdt32_t ie[4 * 8];
	char name[48];
	unsigned i;

	TRY(fdt_begin_node(fdt, "soc"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
	TRY(fdt_property(fdt, "ranges", "", 0));
	if (p->hypervisor_node) {
		/*
		 * Dom0 drives the machine's own virtio devices, which reach memory
		 * by host physical address: its RAM is one host block, and the
		 * microvisor writes that block's address over the first cell pair
		 * (bus address) at boot, and passes no device unless it could.
		 * The placeholder, 0, points nowhere near the microvisor.
		 */
		fdt64_t dr[3] = { cpu_to_fdt64(0), cpu_to_fdt64(p->ram_base), cpu_to_fdt64(p->ram_size) };

		TRY(fdt_property(fdt, "dma-ranges", dr, sizeof dr));
	}

	if (p->serial) {
		snprintf(name, sizeof name, "serial@%llx", DOMFDT_UART_BASE);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_u32(fdt, "interrupts", DOMFDT_UART_IRQ));
		TRY(fdt_property_u32(fdt, "interrupt-parent", plic));
		TRY(fdt_property_u32(fdt, "clock-frequency", DOMFDT_UART_CLOCK));
		TRY(prop_reg(fdt, DOMFDT_UART_BASE, DOMFDT_UART_SIZE));
		TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
		TRY(fdt_end_node(fdt));
	}
	for (i = p->balloon ? DOMFDT_BALLOON_SLOT + 1 : p->power_button ? DOMFDT_BUTTON_SLOT + 1 :
	     DOMFDT_VIRTIO_SLOTS; i-- > 0;) {
		uint64_t base = DOMFDT_VIRTIO_BASE + i * DOMFDT_VIRTIO_SIZE;

		if (i == DOMFDT_BUTTON_SLOT && !p->power_button)
			continue;
		snprintf(name, sizeof name, "virtio_mmio@%llx", (unsigned long long)base);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_u32(fdt, "interrupts", i == DOMFDT_BALLOON_SLOT ? DOMFDT_BALLOON_IRQ : i + 1));
		TRY(fdt_property_u32(fdt, "interrupt-parent", plic));
		TRY(prop_reg(fdt, base, DOMFDT_VIRTIO_SIZE));
		TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
		TRY(fdt_end_node(fdt));
	}

	if (p->watchdog) {
		snprintf(name, sizeof name, "watchdog@%llx", DOMFDT_WDT_BASE);
		TRY(fdt_begin_node(fdt, name));
		TRY(prop_reg(fdt, DOMFDT_WDT_BASE, DOMFDT_WDT_SIZE));
		TRY(fdt_property_u32(fdt, "clocks", wdt_clock_phandle(p)));
		TRY(fdt_property_string(fdt, "compatible", "snps,dw-wdt"));
		TRY(fdt_end_node(fdt));
	}

	snprintf(name, sizeof name, "plic@%llx", DOMFDT_PLIC_BASE);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_u32(fdt, "phandle", plic));
	TRY(fdt_property_u32(fdt, "riscv,ndev", DOMFDT_PLIC_NDEV));
	TRY(prop_reg(fdt, DOMFDT_PLIC_BASE, DOMFDT_PLIC_SIZE));
	/* Contexts 2n (M-mode, hwirq 11) and 2n + 1 (S-mode, hwirq 9) belong to vCPU n. */
	for (i = 0; i < p->nr_vcpus && i < 8; i++) {
		ie[4 * i + 0] = cpu_to_fdt32(i + 1);
		ie[4 * i + 1] = cpu_to_fdt32(11);
		ie[4 * i + 2] = cpu_to_fdt32(i + 1);
		ie[4 * i + 3] = cpu_to_fdt32(9);
	}
	TRY(fdt_property(fdt, "interrupts-extended", ie, (int)(i * 4 * sizeof ie[0])));
	TRY(fdt_property(fdt, "interrupt-controller", "", 0));
	TRY(fdt_property(fdt, "compatible", plic_compat, sizeof plic_compat));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_end_node(fdt));

	return fdt_end_node(fdt);
}

static int build(const struct domfdt_params *p, void *fdt, int size)
{
	char name[32];
	unsigned i;

	TRY(fdt_create(fdt, size));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "riscv-virtio"));
	TRY(fdt_property_string(fdt, "model", "riscv-virtio,qemu"));

	TRY(fdt_begin_node(fdt, "chosen"));
	if (p->devices && p->serial)
		TRY(fdt_property_string(fdt, "stdout-path", DOMFDT_STDOUT_SERIAL));
	if (p->bootargs)
		TRY(fdt_property_string(fdt, "bootargs", p->bootargs));
	if (p->name)
		TRY(fdt_property_string(fdt, "rivet,domain-name", p->name));
	if (p->has_initrd) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start", p->initrd_start));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", p->initrd_end));
	}
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	TRY(fdt_property_u32(fdt, "timebase-frequency", DOMFDT_TIMEBASE_HZ));
	for (i = 0; i < p->nr_vcpus; i++)
		TRY(add_cpu(fdt, i, DOMFDT_CBOZ_OK(p->cboz_block) ? p->cboz_block : 0));
	TRY(fdt_end_node(fdt));

	if (p->hypervisor_node) {
		/* Dom0's driver binds here: its event interrupt is a source of Dom0's (virtual) PLIC. */
		TRY(fdt_begin_node(fdt, "rivet-hypervisor"));
		TRY(fdt_property_string(fdt, "compatible", "rivet,hypervisor"));
		TRY(fdt_property_u32(fdt, "interrupt-parent", p->nr_vcpus + 1));
		TRY(fdt_property_u32(fdt, "interrupts", RIVET_DOM0_EVENT_IRQ));
		TRY(fdt_end_node(fdt));
	}

	snprintf(name, sizeof name, "memory@%llx", (unsigned long long)p->ram_base);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_cells64(fdt, "reg", p->ram_base, p->ram_size));
	TRY(fdt_end_node(fdt));

	if (p->devices && p->watchdog) {
		TRY(fdt_begin_node(fdt, "watchdog-clock"));
		TRY(fdt_property_u32(fdt, "phandle", wdt_clock_phandle(p)));
		TRY(fdt_property_u32(fdt, "clock-frequency", DOMFDT_WDT_CLOCK_HZ));
		TRY(fdt_property_u32(fdt, "#clock-cells", 0));
		TRY(fdt_property_string(fdt, "compatible", "fixed-clock"));
		TRY(fdt_end_node(fdt));
	}

	if (p->devices || p->hypervisor_node)
		TRY(add_soc(p, fdt));

	TRY(fdt_end_node(fdt)); /* root */
	TRY(fdt_finish(fdt));
	TRY(fdt_pack(fdt));
	return (int)fdt_totalsize(fdt);
}

int domfdt_build(const struct domfdt_params *p, void *buf, size_t bufsize)
{
	if (bufsize > DOMFDT_MAX_SIZE)
		bufsize = DOMFDT_MAX_SIZE;
	return build(p, buf, (int)bufsize);
}
