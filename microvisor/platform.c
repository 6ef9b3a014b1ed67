// SPDX-License-Identifier: MIT
/* platform.c: reads RAM, harts, timebase, ISA extensions and the UART from the host DTB with libfdt. */
#include "platform.h"
#include "errcode.h"
#include <libfdt.h>
#include <string.h>

static u64 read_cells(const fdt32_t *p, int cells)
{
	u64 v = 0;
	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

static int reg_first(const void *fdt, int node, u64 *base, u64 *size)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent), len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	if (ac < 1 || ac > 2 || sc < 0 || sc > 2 || !reg || len < (ac + sc) * 4)
		return -RIVET_EINVAL;
	*base = read_cells(reg, ac);
	*size = sc ? read_cells(reg + ac, sc) : 0;
	return 0;
}

static bool has_ext(const void *fdt, int cpu, const char *ext)
{
	int len;
	const char *list = fdt_getprop(fdt, cpu, "riscv,isa-extensions", &len);
	if (list) {
		for (int off = 0; off < len; off += strlen(list + off) + 1)
			if (!strcmp(list + off, ext))
				return true;
		return false;
	}
	/* Older trees: "rv64imafdch_zicsr_..._sstc": multi-letter names follow underscores. */
	const char *isa = fdt_getprop(fdt, cpu, "riscv,isa", &len);
	size_t n = strlen(ext);
	for (const char *p = isa ? strchr(isa, '_') : NULL; p; p = strchr(p + 1, '_'))
		if (!strncmp(p + 1, ext, n) && (p[1 + n] == '_' || p[1 + n] == 0))
			return true;
	return false;
}

/* Zicboz's block size for this hart, 0 if it has no Zicboz or the tree does not say. */
static u64 cboz_block(const void *fdt, int cpu)
{
	int len;
	const fdt32_t *bs = fdt_getprop(fdt, cpu, "riscv,cboz-block-size", &len);
	if (!bs || len != 4 || !has_ext(fdt, cpu, "zicboz"))
		return 0;
	return fdt32_to_cpu(*bs);
}

static int parse_cpus(const void *fdt, struct platform *p, const char **why)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), len, cpu;
	if (cpus < 0)
		return *why = "no /cpus node", -RIVET_ENOENT;
	const fdt32_t *tb = fdt_getprop(fdt, cpus, "timebase-frequency", &len);
	if (!tb || (len != 4 && len != 8))
		return *why = "no /cpus/timebase-frequency", -RIVET_ENOENT;
	p->timebase_hz = read_cells(tb, len / 4);
	bool first = true;
	fdt_for_each_subnode(cpu, fdt, cpus) {
		const char *type = fdt_getprop(fdt, cpu, "device_type", NULL);
		const char *status = fdt_getprop(fdt, cpu, "status", NULL);
		u64 hartid, unused;
		if (!type || strcmp(type, "cpu") || (status && strcmp(status, "okay")))
			continue;
		if (reg_first(fdt, cpu, &hartid, &unused) != 0)
			continue;
		if (p->nr_harts == MAX_HARTS) {
			p->harts_ignored++;
			continue;
		}
		if (first) {
			p->has_sstc = has_ext(fdt, cpu, "sstc");
			p->has_svadu = has_ext(fdt, cpu, "svadu");
			first = false;
			p->cboz_block = cboz_block(fdt, cpu);
		} else if (cboz_block(fdt, cpu) != p->cboz_block) {
			p->cboz_block = 0;   /* page_zero runs on every hart: all alike, or the store loop */
		}
		p->hartids[p->nr_harts++] = hartid;
	}
	if (!p->nr_harts)
		return *why = "no usable hart in /cpus", -RIVET_ENOENT;
	return 0;
}

static void parse_uart(const void *fdt, struct platform *p)
{
	int node = -1, len;
	const char *path = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path", &len);
	if (path) {
		const char *colon = strchr(path, ':');
		node = fdt_path_offset_namelen(fdt, path, colon ? colon - path : (int)strlen(path));
	}
	if (node < 0 || fdt_node_check_compatible(fdt, node, "ns16550a") != 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
	if (node < 0 || reg_first(fdt, node, &p->uart_base, &(u64){0}) != 0) {
		p->uart_base = 0;   /* stay on the firmware console */
		return;
	}
	const fdt32_t *shift = fdt_getprop(fdt, node, "reg-shift", &len);
	p->uart_reg_shift = shift && len == 4 ? fdt32_to_cpu(*shift) : 0;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	p->uart_irq = irq && len >= 4 ? fdt32_to_cpu(irq[0]) : 0;
}

/* The hart's interrupt-controller phandle, which PLIC contexts refer to. */
static u32 hart_intc_phandle(const void *fdt, unsigned long hartid)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), cpu;
	fdt_for_each_subnode(cpu, fdt, cpus) {
		u64 id, unused;
		if (reg_first(fdt, cpu, &id, &unused) != 0 || id != hartid)
			continue;
		int intc = fdt_subnode_offset(fdt, cpu, "interrupt-controller");
		return intc >= 0 ? fdt_get_phandle(fdt, intc) : 0;
	}
	return 0;
}

#define IRQ_S_EXT_CAUSE 9

static void parse_plic(const void *fdt, struct platform *p)
{
	int len;
	for (unsigned i = 0; i < MAX_HARTS; i++)
		p->plic_s_context[i] = -1;
	int node = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "sifive,plic-1.0.0");
	if (node < 0 || reg_first(fdt, node, &p->plic_base, &(u64){0}) != 0) {
		p->plic_base = 0;
		return;
	}
	p->plic_phandle = fdt_get_phandle(fdt, node);
	const fdt32_t *ie = fdt_getprop(fdt, node, "interrupts-extended", &len);
	for (unsigned h = 0; ie && h < p->nr_harts; h++) {
		u32 ph = hart_intc_phandle(fdt, p->hartids[h]);
		for (int ctx = 0; ph && (ctx + 1) * 8 <= len; ctx++)
			if (fdt32_to_cpu(ie[2 * ctx]) == ph && fdt32_to_cpu(ie[2 * ctx + 1]) == IRQ_S_EXT_CAUSE)
				p->plic_s_context[h] = ctx;
	}
}

/* The phandle of the node's interrupt parent (its own or an ancestor's), 0 if none. */
static u32 interrupt_parent(const void *fdt, int node)
{
	int len;
	for (; node >= 0; node = fdt_parent_offset(fdt, node)) {
		const fdt32_t *ip = fdt_getprop(fdt, node, "interrupt-parent", &len);
		if (ip && len == 4)
			return fdt32_to_cpu(*ip);
	}
	return 0;
}

/* Every virtio-mmio node with a register window, and its PLIC source if it has one. */
static void parse_virtio(const void *fdt, struct platform *p)
{
	int node = -1, len;
	while ((node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) >= 0 &&
	       p->nr_virtio < PLATFORM_MAX_VIRTIO) {
		struct platform_mmio *m = &p->virtio[p->nr_virtio];
		if (reg_first(fdt, node, &m->base, &m->size) != 0 || !m->size)
			continue;
		const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
		m->irq = irq && len >= 4 && p->plic_phandle && interrupt_parent(fdt, node) == p->plic_phandle ?
			 fdt32_to_cpu(irq[0]) : 0;
		p->nr_virtio++;
	}
}

int platform_parse(const void *fdt, struct platform *p, const char **why)
{
	memset(p, 0, sizeof(*p));
	if (fdt_check_header(fdt) != 0)
		return *why = "bad device tree header", -RIVET_EINVAL;
	p->dtb_base = (u64)(uintptr_t)fdt;
	p->dtb_size = fdt_totalsize(fdt);
	int node;
	bool found = false;
	fdt_for_each_subnode(node, fdt, 0) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		if (type && !strcmp(type, "memory") && reg_first(fdt, node, &p->ram_base, &p->ram_size) == 0) {
			found = true;
			break;
		}
	}
	if (!found)
		return *why = "no memory node", -RIVET_ENOENT;
	int err = parse_cpus(fdt, p, why);
	if (err)
		return err;
	parse_uart(fdt, p);
	parse_plic(fdt, p);
	parse_virtio(fdt, p);
	return 0;
}
