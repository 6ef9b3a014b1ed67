/* SPDX-License-Identifier: MIT */
/* test_domfdt.c: the guest device tree, built and then read back with libfdt. */
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "check.h"
#include "domfdt.h"
#include "bootimg.h"

static uint8_t fdt[DOMFDT_MAX_SIZE];

static int build(unsigned nr_vcpus, uint64_t ram_size, const char *bootargs, int initrd,
		 uint64_t start, uint64_t end)
{
	struct domfdt_params p = { nr_vcpus, 0x80000000, ram_size, bootargs, initrd, start, end, NULL, 0, 0, 0, 0, 0, 0, 0 };

	memset(fdt, 0xee, sizeof fdt);
	return domfdt_build(&p, fdt, sizeof fdt);
}

static int node(const char *path)
{
	return fdt_path_offset(fdt, path);
}

/* The property's value, checked to be LEN bytes long (LEN < 0: any length). */
static const void *prop(const char *path, const char *name, int len)
{
	int n = node(path), got = -1;
	const void *v = n >= 0 ? fdt_getprop(fdt, n, name, &got) : NULL;

	if (!v || (len >= 0 && got != len))
		return NULL;
	return v;
}

static uint32_t u32(const char *path, const char *name)
{
	const fdt32_t *v = prop(path, name, 4);

	return v ? fdt32_ld(v) : 0xdeadbeef;
}

static uint64_t u64(const char *path, const char *name)
{
	const fdt64_t *v = prop(path, name, 8);

	return v ? fdt64_ld(v) : 0xdeadbeef; /* properties are only 4-byte aligned */
}

static const char *str(const char *path, const char *name)
{
	int n = node(path), len;
	const char *v = n >= 0 ? fdt_getprop(fdt, n, name, &len) : NULL;

	/* A string property is NUL-terminated exactly at its end. */
	if (!v || len < 1 || v[len - 1] != '\0' || (int)strlen(v) != len - 1)
		return NULL;
	return v;
}

TEST(root_and_memory)
{
	const fdt64_t *reg;
	int size = build(1, 128ULL << 20, NULL, 0, 0, 0);

	CHECK(size > 0);
	CHECK_EQ(fdt_check_header(fdt), 0);
	CHECK_EQ(fdt_totalsize(fdt), size);
	CHECK_EQ(u32("/", "#address-cells"), 2);
	CHECK_EQ(u32("/", "#size-cells"), 2);
	CHECK_STR(str("/", "compatible"), "riscv-virtio");
	CHECK_STR(str("/", "model"), "riscv-virtio,qemu");
	CHECK_STR(str("/memory@80000000", "device_type"), "memory");
	reg = prop("/memory@80000000", "reg", 16);
	CHECK(reg != NULL);
	if (reg) {
		CHECK_EQ(fdt64_ld(&reg[0]), 0x80000000);
		CHECK_EQ(fdt64_ld(&reg[1]), 128ULL << 20);
	}
	CHECK(node("/chosen") >= 0);
	CHECK(prop("/chosen", "bootargs", -1) == NULL);
	CHECK(prop("/chosen", "linux,initrd-start", -1) == NULL);
	CHECK(prop("/chosen", "linux,initrd-end", -1) == NULL);
}

TEST(cpus)
{
	static const char exts[] = "i\0m\0a\0f\0d\0c\0zicntr\0zicsr\0zifencei\0zihpm\0sstc";
	uint32_t phandles[8];
	unsigned i, j;

	CHECK(build(8, 64ULL << 20, NULL, 0, 0, 0) > 0);
	CHECK_EQ(u32("/cpus", "#address-cells"), 1);
	CHECK_EQ(u32("/cpus", "#size-cells"), 0);
	/* 4 bytes exactly: the microvisor patches the host's value in place. */
	CHECK(prop("/cpus", "timebase-frequency", 4) != NULL);
	CHECK_EQ(u32("/cpus", "timebase-frequency"), 10000000);
	for (i = 0; i < 8; i++) {
		char cpu[32], intc[64];
		const char *e;
		int len;

		snprintf(cpu, sizeof cpu, "/cpus/cpu@%u", i);
		snprintf(intc, sizeof intc, "%s/interrupt-controller", cpu);
		CHECK_STR(str(cpu, "device_type"), "cpu");
		CHECK_EQ(u32(cpu, "reg"), i);
		CHECK_STR(str(cpu, "status"), "okay");
		CHECK_STR(str(cpu, "compatible"), "riscv");
		CHECK_STR(str(cpu, "riscv,isa"), "rv64imafdc_zicntr_zicsr_zifencei_zihpm_sstc");
		CHECK_STR(str(cpu, "riscv,isa-base"), "rv64i");
		CHECK_STR(str(cpu, "mmu-type"), "riscv,sv39");
		e = fdt_getprop(fdt, node(cpu), "riscv,isa-extensions", &len);
		CHECK(e != NULL && len == (int)sizeof exts && !memcmp(e, exts, sizeof exts));
		CHECK_EQ(fdt_stringlist_count(fdt, node(cpu), "riscv,isa-extensions"), 11);
		CHECK_EQ(fdt_stringlist_search(fdt, node(cpu), "riscv,isa-extensions", "sstc"), 10);
		CHECK_STR(str(intc, "compatible"), "riscv,cpu-intc");
		CHECK_EQ(u32(intc, "#interrupt-cells"), 1);
		CHECK_EQ(u32(intc, "#address-cells"), 0);
		CHECK(prop(intc, "interrupt-controller", 0) != NULL);
		phandles[i] = fdt_get_phandle(fdt, node(intc));
		CHECK(phandles[i] != 0 && phandles[i] != 0xffffffff);
		CHECK_EQ(fdt_node_offset_by_phandle(fdt, phandles[i]), node(intc));
		for (j = 0; j < i; j++)
			CHECK(phandles[j] != phandles[i]);
	}
	CHECK(node("/cpus/cpu@8") < 0);
}

TEST(chosen)
{
	int a, b;

	a = build(2, 256ULL << 20, "console=hvc0 earlycon=sbi", 1, 0, 0);
	CHECK(a > 0);
	CHECK_STR(str("/chosen", "bootargs"), "console=hvc0 earlycon=sbi");
	CHECK_EQ(u64("/chosen", "linux,initrd-start"), 0);
	b = build(2, 256ULL << 20, "console=hvc0 earlycon=sbi", 1, 0x8fd00000, 0x8fd12345);
	CHECK_EQ(a, b); /* mkimage measures with zeroes, places, then builds for real */
	CHECK_EQ(u64("/chosen", "linux,initrd-start"), 0x8fd00000);
	CHECK_EQ(u64("/chosen", "linux,initrd-end"), 0x8fd12345);
	CHECK(build(1, 1ULL << 20, "", 0, 0, 0) > 0);
	CHECK_STR(str("/chosen", "bootargs"), "");
	CHECK(prop("/chosen", "rivet,domain-name", -1) == NULL);
}

TEST(domain_name)
{
	struct domfdt_params p = { 1, 0x80000000, 16 << 20, NULL, 0, 0, 0, "web-1", 0, 0, 0, 0, 0, 0, 0 };

	CHECK(domfdt_build(&p, fdt, sizeof fdt) > 0);
	CHECK_STR(str("/chosen", "rivet,domain-name"), "web-1");
	CHECK(node("/rivet-hypervisor") < 0);
}

TEST(dom0_hypervisor_node)
{
	struct domfdt_params p = { 2, 0x80000000, 16 << 20, NULL, 0, 0, 0, "Domain-0", 1, 0, 0, 0, 0, 0, 0 };
	const fdt64_t *dr;

	CHECK(domfdt_build(&p, fdt, sizeof fdt) > 0);
	CHECK_STR(str("/rivet-hypervisor", "compatible"), "rivet,hypervisor");
	/* Its event interrupt is a source of Dom0's PLIC, which /soc has, with the virtio slots. */
	CHECK_EQ(u32("/rivet-hypervisor", "interrupt-parent"), u32("/soc/plic@c000000", "phandle"));
	CHECK_EQ(u32("/rivet-hypervisor", "interrupts"), RIVET_DOM0_EVENT_IRQ);
	CHECK(prop("/rivet-hypervisor", "interrupts-extended", -1) == NULL);
	CHECK(node("/soc/virtio_mmio@10001000") >= 0 && node("/soc/virtio_mmio@10008000") >= 0);
	CHECK(node("/soc/serial@10000000") < 0);   /* the microvisor keeps the UART */
	CHECK(prop("/chosen", "stdout-path", -1) == NULL);
	/* Bus address (patched at boot; 0 until then), CPU address, size. */
	dr = prop("/soc", "dma-ranges", 24);
	CHECK(dr != NULL);
	if (dr) {
		CHECK_EQ(fdt64_ld(&dr[0]), 0);
		CHECK_EQ(fdt64_ld(&dr[1]), 0x80000000);
		CHECK_EQ(fdt64_ld(&dr[2]), 16 << 20);
	}
}

TEST(packed_and_small)
{
	int size = build(8, 65536ULL << 20, "x", 1, 1, 2);
	const fdt64_t *reg = prop("/memory@80000000", "reg", 16);

	CHECK(size > 0 && size < 8192);
	CHECK(reg && fdt64_ld(&reg[1]) == 65536ULL << 20);
	/* The packed tree ends where its strings end: no slack. */
	CHECK_EQ(fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt), (uint32_t)size);
}

TEST(too_small_buffer)
{
	struct domfdt_params p = { 8, 0x80000000, 1 << 20, NULL, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0 };

	CHECK(domfdt_build(&p, fdt, 256) < 0);
}

static int build_dev_extra(unsigned nr_vcpus, int serial, int button, int balloon)
{
	struct domfdt_params p = { nr_vcpus, 0x80000000, 64 << 20, NULL, 0, 0, 0, "d", 0, 1, serial, 0, button, 0,
				   balloon };

	memset(fdt, 0xee, sizeof fdt);
	return domfdt_build(&p, fdt, sizeof fdt);
}

static int build_dev_button(unsigned nr_vcpus, int serial, int button)
{
	return build_dev_extra(nr_vcpus, serial, button, 0);
}

static int build_dev(unsigned nr_vcpus, int serial)
{
	return build_dev_button(nr_vcpus, serial, 0);
}

/* REG of PATH is <0 HI_BASE 0 SIZE> as 4 cells. */
static int reg_is(const char *path, uint64_t base, uint64_t size)
{
	const fdt32_t *r = prop(path, "reg", 16);

	return r && fdt32_ld(&r[0]) == base >> 32 && fdt32_ld(&r[1]) == (uint32_t)base &&
	       fdt32_ld(&r[2]) == size >> 32 && fdt32_ld(&r[3]) == (uint32_t)size;
}

static void check_plic(unsigned nr_vcpus)
{
	static const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	const fdt32_t *ie = prop("/soc/plic@c000000", "interrupts-extended", (int)(16 * nr_vcpus));
	unsigned i;

	CHECK(reg_is("/soc/plic@c000000", 0xc000000, 0x600000));
	CHECK(prop("/soc/plic@c000000", "compatible", sizeof compat) != NULL &&
	      !memcmp(prop("/soc/plic@c000000", "compatible", sizeof compat), compat, sizeof compat));
	CHECK_EQ(u32("/soc/plic@c000000", "riscv,ndev"), 95);
	CHECK_EQ(u32("/soc/plic@c000000", "#interrupt-cells"), 1);
	CHECK_EQ(u32("/soc/plic@c000000", "#address-cells"), 0);
	CHECK(prop("/soc/plic@c000000", "interrupt-controller", 0) != NULL);
	CHECK_EQ(u32("/soc/plic@c000000", "phandle"), nr_vcpus + 1);
	CHECK(ie != NULL);
	for (i = 0; ie && i < nr_vcpus; i++) {
		char intc[64];

		snprintf(intc, sizeof intc, "/cpus/cpu@%u/interrupt-controller", i);
		/* Context 2i: M-mode (11), context 2i + 1: S-mode (9), both on vCPU i's intc. */
		CHECK_EQ(fdt32_ld(&ie[4 * i + 0]), u32(intc, "phandle"));
		CHECK_EQ(fdt32_ld(&ie[4 * i + 1]), 11);
		CHECK_EQ(fdt32_ld(&ie[4 * i + 2]), u32(intc, "phandle"));
		CHECK_EQ(fdt32_ld(&ie[4 * i + 3]), 9);
	}
}

/* SLOTS virtio-mmio nodes: the 8 of QEMU virt, and the power button's ninth (9). */
static void check_virtio_slots(unsigned slots)
{
	unsigned i;
	int off, n = 0, prev = -1;

	for (i = 0; i < slots; i++) {
		char path[64];

		snprintf(path, sizeof path, "/soc/virtio_mmio@%x", 0x10001000 + i * 0x1000);
		CHECK_STR(str(path, "compatible"), "virtio,mmio");
		CHECK(reg_is(path, 0x10001000 + i * 0x1000, 0x1000));
		/* The balloon's tenth slot has interrupt 11: 10 is the UART's. */
		CHECK_EQ(u32(path, "interrupts"), i == 9 ? 11 : i + 1);
		CHECK_EQ(u32(path, "interrupt-parent"), u32("/soc/plic@c000000", "phandle"));
	}
	/* QEMU's order: serial, virtio_mmio@10008000 down to @10001000, (the watchdog,) then the PLIC. */
	fdt_for_each_subnode(off, fdt, node("/soc")) {
		const char *nm = fdt_get_name(fdt, off, NULL);
		unsigned a;

		if (sscanf(nm, "virtio_mmio@%x", &a) == 1) {
			CHECK(prev < 0 || (unsigned)prev == a + 0x1000);
			prev = (int)a;
			n++;
		} else if (!strncmp(nm, "plic@", 5)) {
			CHECK_EQ(n, slots);
		} else if (!strcmp(nm, "watchdog@10200000")) {
			CHECK_EQ(n, slots);   /* after the slots, before the PLIC */
		} else {
			CHECK_STR(nm, "serial@10000000");
			CHECK_EQ(n, 0);
		}
	}
	CHECK_EQ(n, slots);
}

static void check_virtio(void)
{
	check_virtio_slots(8);
	CHECK(node("/soc/virtio_mmio@10009000") < 0);
}

TEST(devices_soc)
{
	unsigned v;

	for (v = 1; v <= 2; v++) {
		CHECK(build_dev(v, 0) > 0);
		CHECK_EQ(u32("/soc", "#address-cells"), 2);
		CHECK_EQ(u32("/soc", "#size-cells"), 2);
		CHECK_STR(str("/soc", "compatible"), "simple-bus");
		CHECK(prop("/soc", "ranges", 0) != NULL);
		check_plic(v);
		check_virtio();
		CHECK(node("/soc/serial@10000000") < 0);
		CHECK(prop("/chosen", "stdout-path", -1) == NULL);
	}
	CHECK(build_dev(8, 0) > 0);
	check_plic(8);
}

TEST(devices_serial)
{
	unsigned v;

	for (v = 1; v <= 2; v++) {
		CHECK(build_dev(v, 1) > 0);
		CHECK_STR(str("/soc/serial@10000000", "compatible"), "ns16550a");
		CHECK(reg_is("/soc/serial@10000000", 0x10000000, 0x100));
		CHECK_EQ(u32("/soc/serial@10000000", "clock-frequency"), 3686400);
		CHECK_EQ(u32("/soc/serial@10000000", "interrupts"), 10);
		CHECK_EQ(u32("/soc/serial@10000000", "interrupt-parent"), v + 1);
		CHECK_STR(str("/chosen", "stdout-path"), "/soc/serial@10000000");
		check_plic(v);
		check_virtio();
	}
}

TEST(devices_power_button)
{
	CHECK(build_dev_button(2, 1, 1) > 0);
	check_plic(2);
	check_virtio_slots(9);
	/* Interrupt 9: between the slots' 1..8 and the UART's 10. */
	CHECK_EQ(u32("/soc/virtio_mmio@10009000", "interrupts"), 9);
	CHECK(build_dev_button(1, 0, 1) > 0);
	check_virtio_slots(9);
}

/* The watchdog: Linux's dw_wdt wants a clock whose rate makes TOP n 2^n seconds. */
TEST(devices_watchdog)
{
	for (unsigned v = 1; v <= 8; v += 7) {
		struct domfdt_params p = { v, 0x80000000, 64 << 20, NULL, 0, 0, 0, "d", 0, 1, 1, 0, 1, 1, 0 };
		CHECK(domfdt_build(&p, fdt, sizeof fdt) > 0);
		CHECK_STR(str("/soc/watchdog@10200000", "compatible"), "snps,dw-wdt");
		CHECK(reg_is("/soc/watchdog@10200000", 0x10200000, 0x1000));
		CHECK(prop("/soc/watchdog@10200000", "interrupts", -1) == NULL);
		uint32_t clk = u32("/soc/watchdog@10200000", "clocks");
		CHECK_EQ(clk, v + 2);
		int off = fdt_node_offset_by_phandle(fdt, clk);
		CHECK(off >= 0);
		CHECK(fdt_node_check_compatible(fdt, off, "fixed-clock") == 0);
		CHECK_EQ(u32("/watchdog-clock", "clock-frequency"), 65536);
		CHECK_EQ(u32("/watchdog-clock", "#clock-cells"), 0);
		/* No phandle clashes with the vCPUs' controllers or the PLIC. */
		CHECK_EQ(u32("/soc/plic@c000000", "phandle"), v + 1);
		check_plic(v);
		check_virtio_slots(9);
	}
	/* Not asked, or no devices: neither node. */
	CHECK(build_dev_button(2, 1, 1) > 0);
	CHECK(node("/soc/watchdog@10200000") < 0);
	CHECK(node("/watchdog-clock") < 0);
	struct domfdt_params q = { 2, 0x80000000, 64 << 20, NULL, 0, 0, 0, "d", 0, 0, 0, 0, 0, 1, 0 };
	CHECK(domfdt_build(&q, fdt, sizeof fdt) > 0);
	CHECK(node("/watchdog-clock") < 0);
	CHECK(node("/soc") < 0);
}

TEST(devices_balloon)
{
	CHECK(build_dev_extra(2, 1, 1, 1) > 0);
	check_plic(2);
	check_virtio_slots(10);
	CHECK(reg_is("/soc/virtio_mmio@1000a000", 0x1000a000, 0x1000));
	CHECK_EQ(u32("/soc/virtio_mmio@1000a000", "interrupts"), 11);
	CHECK(node("/soc/virtio_mmio@1000b000") < 0);
	/* Without the button (never built so: every rivet-dm has both), no node at its address. */
	CHECK(build_dev_extra(1, 0, 0, 1) > 0);
	CHECK(node("/soc/virtio_mmio@10009000") < 0);
	CHECK_EQ(u32("/soc/virtio_mmio@1000a000", "interrupts"), 11);
}

TEST(no_devices_no_soc)
{
	CHECK(build(2, 64ULL << 20, NULL, 0, 0, 0) > 0);
	CHECK(node("/soc") < 0);
	CHECK(prop("/chosen", "stdout-path", -1) == NULL);
}

/* Zicboz only when asked (trees the microvisor fits to the host), with its block size. */
TEST(zicboz_only_when_asked)
{
	struct domfdt_params p = { 2, 0x80000000, 16 << 20, NULL, 0, 0, 0, NULL, 0, 0, 0, 128, 0, 0, 0 };
	int len;

	CHECK(domfdt_build(&p, fdt, sizeof fdt) > 0);
	CHECK_STR(str("/cpus/cpu@1", "riscv,isa"), DOMFDT_ISA_CBOZ);
	CHECK(fdt_stringlist_search(fdt, node("/cpus/cpu@1"), "riscv,isa-extensions", "zicboz") >= 0);
	CHECK_EQ(u32("/cpus/cpu@1", "riscv,cboz-block-size"), 128);
	/* A size no hart has (not a power of two, too small, beyond a page): not listed at all. */
	static const uint32_t bad[] = { 96, 8, 8192, 0xffffffffu };
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p.cboz_block = bad[i];
		CHECK(domfdt_build(&p, fdt, sizeof fdt) > 0);
		CHECK_STR(str("/cpus/cpu@1", "riscv,isa"), DOMFDT_ISA);
		CHECK(fdt_getprop(fdt, node("/cpus/cpu@1"), "riscv,cboz-block-size", &len) == NULL);
	}
	CHECK(build(2, 16 << 20, NULL, 0, 0, 0) > 0);
	CHECK(fdt_stringlist_search(fdt, node("/cpus/cpu@1"), "riscv,isa-extensions", "zicboz") < 0);
	CHECK(fdt_getprop(fdt, node("/cpus/cpu@1"), "riscv,cboz-block-size", &len) == NULL);
}

int main(void)
{
	check_suite = "domfdt";
	RUN(zicboz_only_when_asked);
	RUN(root_and_memory);
	RUN(cpus);
	RUN(chosen);
	RUN(domain_name);
	RUN(dom0_hypervisor_node);
	RUN(packed_and_small);
	RUN(too_small_buffer);
	RUN(devices_soc);
	RUN(devices_serial);
	RUN(devices_power_button);
	RUN(devices_watchdog);
	RUN(devices_balloon);
	RUN(no_devices_no_soc);
	return CHECK_DONE();
}
