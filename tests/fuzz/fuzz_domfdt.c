// SPDX-License-Identifier: MIT
/*
 * fuzz_domfdt.c: the device tree builder and the boot-module placement
 * (tools/mkimage/domfdt.c, domplan.c, layout.c) fed a domain description
 * made from the input: any name bytes, a cmdline of any length, any vCPU
 * count and memory size, kernel segments anywhere, any ramdisk length,
 * Dom0's node or not, any timebase, any buffer size. When domplan_build
 * says it succeeded, the tree must be well formed (fdtcheck.c), say exactly
 * what was asked, and the placement must keep the ramdisk and the tree
 * inside RAM and above the kernel; when it fails, one line says why.
 */
#include <string.h>

#include <libfdt.h>

#include "fuzz.h"
#include "fdtcheck.h"
#include "domfdt.h"
#include "domplan.h"

#define CFG "fuzz.cfg"

static const void *prop(const void *fdt, const char *path, const char *name, int *len)
{
	int off = fdt_path_offset(fdt, path);

	*len = -1;
	return off < 0 ? NULL : fdt_getprop(fdt, off, name, len);
}

static uint64_t be64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return fdt64_to_cpu(v);
}

static uint32_t be32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return fdt32_to_cpu(v);
}

static void check_string(const void *fdt, const char *path, const char *name, const char *want)
{
	int len;
	const char *v = prop(fdt, path, name, &len);

	if (!want) {
		FUZZ_CHECK(!v, "%s/%s is there though not asked for", path, name);
		return;
	}
	FUZZ_CHECK(v && len == (int)strlen(want) + 1 && !memcmp(v, want, (size_t)len),
		   "%s/%s is not the %zu bytes asked for (length %d)", path, name, strlen(want), len);
}

static void check_tree(const void *fdt, size_t len, const struct domcfg *dc,
		       const struct domplan_req *rq, const struct domplan *plan)
{
	const char *why = fdt_check_tree(fdt, len);
	const void *v;
	int n, off, cpus = 0;

	FUZZ_CHECK(!why, "domplan_build made a broken tree: %s", why);
	FUZZ_CHECK(fdt_totalsize(fdt) == len, "tree of %u bytes reported as %zu", fdt_totalsize(fdt), len);
	check_string(fdt, "/chosen", "bootargs", dc->cmdline);
	check_string(fdt, "/chosen", "rivet,domain-name", dc->name);

	v = prop(fdt, "/chosen", "linux,initrd-start", &n);
	FUZZ_CHECK(!dc->ramdisk == !v, "initrd-start %s", v ? "without a ramdisk" : "missing");
	if (v) {
		FUZZ_CHECK(n == 8 && be64(v) == plan->lay.ramdisk_gpa, "initrd-start is not the ramdisk's GPA");
		v = prop(fdt, "/chosen", "linux,initrd-end", &n);
		FUZZ_CHECK(v && n == 8 && be64(v) == plan->lay.ramdisk_gpa + rq->ramdisk_len,
			   "initrd-end is not the ramdisk's end");
	}

	v = prop(fdt, "/cpus", "timebase-frequency", &n);
	FUZZ_CHECK(v && n == 4 && be32(v) == (rq->set_timebase ? rq->timebase_hz : DOMFDT_TIMEBASE_HZ),
		   "timebase-frequency not as asked");
	off = fdt_path_offset(fdt, "/cpus");
	fdt_for_each_subnode(n, fdt, off) {
		char path[48];
		int l;
		snprintf(path, sizeof path, "/cpus/cpu@%d", cpus);
		v = prop(fdt, path, "reg", &l);
		FUZZ_CHECK(v && l == 4 && be32(v) == (uint32_t)cpus, "%s missing or with a bad reg", path);
		cpus++;
	}
	FUZZ_CHECK((unsigned)cpus == dc->nr_vcpus, "%d CPU nodes for %u vCPUs", cpus, dc->nr_vcpus);

	v = prop(fdt, "/memory@80000000", "reg", &n);
	FUZZ_CHECK(v && n == 16 && be64(v) == RIVET_GUEST_RAM_BASE && be64((const char *)v + 8) == dc->memory_bytes,
		   "memory node does not say [%#llx, +%#llx)", (unsigned long long)RIVET_GUEST_RAM_BASE,
		   (unsigned long long)dc->memory_bytes);
	FUZZ_CHECK((fdt_path_offset(fdt, "/rivet-hypervisor") >= 0) == !!rq->hypervisor_node,
		   "/rivet-hypervisor %s", rq->hypervisor_node ? "missing" : "without Dom0");
}

/* The tree and the ramdisk lie in RAM, above every kernel segment, and do not overlap. */
static void check_layout(const struct domcfg *dc, const struct kimage *k, const struct domplan_req *rq,
			 const struct domplan *plan)
{
	uint64_t ram_end = RIVET_GUEST_RAM_BASE + dc->memory_bytes, low = RIVET_GUEST_RAM_BASE;
	uint64_t dtb = plan->lay.dtb_gpa, rd = plan->lay.ramdisk_gpa;

	FUZZ_CHECK(ram_end > RIVET_GUEST_RAM_BASE, "placed in RAM that wraps");
	for (unsigned i = 0; i < k->nr_segs; i++) {
		uint64_t s = k->segs[i].gpa, e = s + k->segs[i].mem_size;
		FUZZ_CHECK(s >= RIVET_GUEST_RAM_BASE && e >= s && e <= ram_end,
			   "kernel segment [%#llx, %#llx) accepted outside RAM", (unsigned long long)s,
			   (unsigned long long)e);
		if (e > low)
			low = e;
	}
	FUZZ_CHECK(!(dtb & 0xfff) && dtb >= low && plan->dtb_len <= ram_end - dtb,
		   "tree at %#llx (+%zu) is not in RAM above the kernel (%#llx) or not page aligned",
		   (unsigned long long)dtb, plan->dtb_len, (unsigned long long)low);
	if (rq->ramdisk_len)
		FUZZ_CHECK(!(rd & 0xfff) && rd >= low && rd <= dtb && rq->ramdisk_len <= dtb - rd,
			   "ramdisk at %#llx (+%zu) is not between the kernel (%#llx) and the tree (%#llx)",
			   (unsigned long long)rd, rq->ramdisk_len, (unsigned long long)low,
			   (unsigned long long)dtb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	struct domcfg dc;
	struct kimage k;
	struct domplan plan;
	struct diag d;
	unsigned n;

	memset(&dc, 0, sizeof dc);
	memset(&k, 0, sizeof k);
	/* Any bytes for a name (a NUL would only shorten it). */
	n = fin_u8(&in) % RIVET_NAME_LEN;
	for (unsigned i = 0; i < n; i++) {
		uint8_t c = fin_u8(&in);
		dc.name[i] = c ? (char)c : 'n';
	}
	uint8_t f = fin_u8(&in);
	if (f & 1) {
		size_t len = f & 2 ? fin_u16(&in) : fin_u8(&in);
		dc.cmdline = malloc(len + 1);
		FUZZ_CHECK(dc.cmdline, "out of memory");
		for (size_t i = 0; i < len; i++) {
			uint8_t c = fin_u8(&in);
			dc.cmdline[i] = c ? (char)c : (char)('a' + i % 26);
		}
		dc.cmdline[len] = '\0';
	}
	dc.nr_vcpus = f & 4 ? fin_u32(&in) : fin_u8(&in) % 12;
	dc.memory_bytes = f & 8 ? fin_u64(&in) : (uint64_t)(1 + fin_u16(&in)) << 20;
	dc.cpus_mask = fin_u64(&in);
	dc.ramdisk = f & 16 ? "ramdisk" : NULL;
	k.nr_segs = fin_u8(&in) % (KIMAGE_MAX_SEGS + 1);
	for (unsigned i = 0; i < k.nr_segs; i++) {
		uint8_t g = fin_u8(&in);
		k.segs[i].gpa = g & 1 ? fin_u64(&in) : RIVET_GUEST_RAM_BASE + ((uint64_t)fin_u16(&in) << 12);
		k.segs[i].mem_size = g & 2 ? fin_u64(&in) : (uint64_t)fin_u16(&in) << (g & 4 ? 12 : 0);
	}
	uint8_t g = fin_u8(&in);
	/* Read in a fixed order (an initializer's order is unspecified). */
	size_t ramdisk_len = !dc.ramdisk ? 0 : g & 2 ? fin_u64(&in) : fin_u32(&in);
	uint64_t hz = g & 4 ? fin_u64(&in) : fin_u32(&in);
	struct domplan_req rq = {
		.cfg_path = CFG, .line_memory = g & 1 ? 7 : 0, .dc = &dc, .k = &k,
		.ramdisk_len = ramdisk_len, .hypervisor_node = f & 64, .set_timebase = f & 128,
		.timebase_hz = hz,
	};
	/* Any buffer, from too small for a header to more than the builder may use. */
	size_t bufsize = g & 8 ? 1 + fin_u16(&in) % (DOMFDT_MAX_SIZE + 4096) : DOMFDT_MAX_SIZE;
	void *dtb = malloc(bufsize);
	FUZZ_CHECK(dtb, "out of memory");

	memset(&d, 0, sizeof d);
	if (domplan_build(&rq, dtb, bufsize, &plan, &d) < 0) {
		size_t len = strnlen(d.text, sizeof d.text);
		FUZZ_CHECK(len && len < sizeof d.text && !strncmp(d.text, CFG ":", strlen(CFG) + 1),
			   "a failure without a message naming the config: %s", d.text);
		for (size_t i = 0; i < len; i++)
			FUZZ_CHECK((unsigned char)d.text[i] >= 0x20 && d.text[i] != 0x7f,
				   "message has control byte %#x", (unsigned char)d.text[i]);
	} else {
		FUZZ_CHECK(plan.dtb_len && plan.dtb_len <= bufsize && plan.dtb_len <= DOMFDT_MAX_SIZE,
			   "tree of %zu bytes in a buffer of %zu", plan.dtb_len, bufsize);
		check_tree(dtb, plan.dtb_len, &dc, &rq, &plan);
		check_layout(&dc, &k, &rq, &plan);
	}
	free(dtb);
	free(dc.cmdline);
	return 0;
}
