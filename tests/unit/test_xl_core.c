// SPDX-License-Identifier: MIT
/*
 * test_xl_core.c: the core writer and the guest page-table walk
 * (tools/xl/xl_core.c) over a fake guest RAM with Sv39/Sv48 tables, read
 * back with a small ELF parser of our own; hostile tables stay bounded.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "xl_core.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (8ULL << 20)
#define PG 4096ULL

static uint8_t *ram;
static struct xl_core_mem mem[2];
static unsigned nr_mem;
static uint64_t next_table;   /* page allocator for tables, from the top of RAM down */

#define V 1ULL
#define R 2ULL
#define W 4ULL
#define X 8ULL

static void ram_reset(void)
{
	if (!ram)
		ram = aligned_alloc(PG, RAM_SIZE);
	memset(ram, 0, RAM_SIZE);
	mem[0] = (struct xl_core_mem){ RAM_BASE, RAM_SIZE, ram };
	nr_mem = 1;
	next_table = RAM_BASE + RAM_SIZE;
}

static uint64_t table_new(void)
{
	next_table -= PG;
	return next_table;
}

static void pte_set(uint64_t table, unsigned i, uint64_t pte)
{
	memcpy(ram + (table - RAM_BASE) + i * 8, &pte, 8);
}

static uint64_t ptr(uint64_t table)
{
	return ((table >> 12) << 10) | V;
}

static uint64_t leaf(uint64_t gpa, uint64_t bits)
{
	return ((gpa >> 12) << 10) | bits | V;
}

static uint64_t sv39(uint64_t root)
{
	return (8ULL << 60) | (root >> 12);
}

/* Sv39 index of level L (2, 1, 0) of VA. */
static unsigned vpn(uint64_t va, unsigned l)
{
	return (va >> (12 + 9 * l)) & 511;
}

/* A Linux-like table: a 2 MiB kernel mapping at 0xffffffff80000000 -> RAM_BASE, 4 KiB pages elsewhere. */
static uint64_t build_linuxish(void)
{
	uint64_t root = table_new(), l1 = table_new(), l1b = table_new(), l0 = table_new();
	uint64_t kva = 0xffffffff80000000ULL;

	pte_set(root, vpn(kva, 2), ptr(l1));
	pte_set(l1, vpn(kva, 1), leaf(RAM_BASE, R | W | X));                  /* 2 MiB */
	pte_set(l1, vpn(kva, 1) + 1, leaf(RAM_BASE + (2 << 20), R | W));     /* continues: merged */
	/* 0xffffffc000000000 + ...: two 4 KiB pages contiguous in both spaces, then a hole, then MMIO. */
	uint64_t va2 = 0xffffffc000000000ULL;
	pte_set(root, vpn(va2, 2), ptr(l1b));
	pte_set(l1b, 0, ptr(l0));
	pte_set(l0, 0, leaf(RAM_BASE + 0x10000, R | W));
	pte_set(l0, 1, leaf(RAM_BASE + 0x11000, R | W));
	pte_set(l0, 3, leaf(RAM_BASE + 0x30000, R));
	pte_set(l0, 4, leaf(0x10000000, R | W));                               /* a UART: not RAM, left out */
	pte_set(l0, 5, W | V);                                                  /* W without R: reserved */
	/* A low (user) mapping, walked after the kernel's. */
	pte_set(root, 1, leaf(RAM_BASE, R | W | X));   /* 1 GiB at VA 1 GiB */
	return root;
}

TEST(walk_sv39_finds_kernel_mappings_and_coalesces)
{
	struct xl_core_vseg v[16];
	struct xl_core_walk_stats st;
	unsigned n;

	ram_reset();
	n = xl_core_walk(sv39(build_linuxish()), mem, nr_mem, v, 16, &st);
	CHECK_EQ(st.levels, 3);
	CHECK_EQ(st.truncated, 0);
	CHECK_EQ(n, 4);
	/* Kernel half first, in address order: 0xffffffc0..., then 0xffffffff8... */
	CHECK_EQ(v[0].va, 0xffffffc000000000ULL);
	CHECK_EQ(v[0].gpa, RAM_BASE + 0x10000);
	CHECK_EQ(v[0].size, 2 * PG);
	CHECK_EQ(v[1].va, 0xffffffc000003000ULL);
	CHECK_EQ(v[1].size, PG);
	CHECK_EQ(v[2].va, 0xffffffff80000000ULL);
	CHECK_EQ(v[2].gpa, RAM_BASE);
	CHECK_EQ(v[2].size, 4ULL << 20);
	/* The 1 GiB leaf maps [RAM_BASE, +1 GiB): only the RAM part of it. */
	CHECK_EQ(v[3].va, 1ULL << 30);
	CHECK_EQ(v[3].gpa, RAM_BASE);
	CHECK_EQ(v[3].size, RAM_SIZE);
}

TEST(walk_bare_and_sv48)
{
	struct xl_core_vseg v[4];
	struct xl_core_walk_stats st;
	uint64_t root, l2, l1;

	ram_reset();
	CHECK_EQ(xl_core_walk(0, mem, nr_mem, v, 4, &st), 0);
	CHECK_EQ(st.levels, 0);
	CHECK_EQ(xl_core_walk(7ULL << 60, mem, nr_mem, v, 4, &st), 0);   /* reserved mode */
	root = table_new();
	l2 = table_new();
	l1 = table_new();
	/* Sv48: 0xffff800000000000 is root index 256, sign-extended from bit 47. */
	pte_set(root, 256, ptr(l2));
	pte_set(l2, 0, ptr(l1));
	pte_set(l1, 0, leaf(RAM_BASE + (2 << 20), R | W));
	pte_set(l1, 1, leaf(RAM_BASE + 0x1000, R | W));   /* a misaligned 2 MiB leaf: the hart faults */
	CHECK_EQ(xl_core_walk((9ULL << 60) | (root >> 12), mem, nr_mem, v, 4, &st), 1);
	CHECK_EQ(st.levels, 4);
	CHECK_EQ(v[0].va, 0xffff800000000000ULL);
	CHECK_EQ(v[0].gpa, RAM_BASE + (2 << 20));
	CHECK_EQ(v[0].size, 2ULL << 20);
}

TEST(walk_hostile_tables_stay_bounded)
{
	struct xl_core_vseg *v = calloc(XL_CORE_MAX_VSEGS, sizeof *v);
	struct xl_core_walk_stats st;
	uint64_t root, t1, t0;
	unsigned n, i;

	ram_reset();
	/* Every entry of every level points back at the root: depth ends at the last level. */
	root = table_new();
	for (i = 0; i < 512; i++)
		pte_set(root, i, ptr(root));
	n = xl_core_walk(sv39(root), mem, nr_mem, v, XL_CORE_MAX_VSEGS, &st);
	CHECK_EQ(n, 0);   /* a pointer in a last-level table is invalid */
	CHECK(st.ptes_read <= XL_CORE_MAX_PTES);
	CHECK_EQ(st.truncated, 1);   /* 512^3 entries: the budget ends it */

	/* 512 x 512 distinct 4 KiB leaves through shared tables: the segment cap ends it. */
	ram_reset();
	root = table_new();
	t1 = table_new();
	t0 = table_new();
	for (i = 0; i < 512; i++) {
		pte_set(root, i, ptr(t1));
		pte_set(t1, i, ptr(t0));
		pte_set(t0, i, leaf(RAM_BASE + (uint64_t)((i * 7) % 512) * PG, R));   /* no two in a row */
	}
	n = xl_core_walk(sv39(root), mem, nr_mem, v, XL_CORE_MAX_VSEGS, &st);
	CHECK_EQ(n, XL_CORE_MAX_VSEGS);
	CHECK_EQ(st.truncated, 1);

	/* Tables outside RAM, or straddling its end, are not read. */
	ram_reset();
	root = table_new();
	pte_set(root, 0, ptr(0x1000));
	pte_set(root, 1, ptr(RAM_BASE + RAM_SIZE));
	pte_set(root, 2, ((0xfffffffffffULL) << 10) | V);
	n = xl_core_walk(sv39(root), mem, nr_mem, v, XL_CORE_MAX_VSEGS, &st);
	CHECK_EQ(n, 0);
	CHECK_EQ(st.truncated, 0);
	CHECK_EQ(st.ptes_read, 512);
	/* A root outside RAM: nothing. */
	CHECK_EQ(xl_core_walk(sv39(0x1000), mem, nr_mem, v, XL_CORE_MAX_VSEGS, &st), 0);
	free(v);
}

/* ---- reading a core back ---- */

struct core {
	uint8_t *b;
	size_t len;
	Elf64_Ehdr eh;
	Elf64_Phdr ph[64];
};

static int core_read(const char *path, struct core *c)
{
	int fd = open(path, O_RDONLY);
	off_t len;

	if (fd < 0)
		return -1;
	len = lseek(fd, 0, SEEK_END);
	c->len = (size_t)len;
	c->b = malloc(c->len);
	if (pread(fd, c->b, c->len, 0) != (ssize_t)c->len) {
		close(fd);
		return -1;
	}
	close(fd);
	memcpy(&c->eh, c->b, sizeof c->eh);
	if (c->eh.e_phnum > 64 || c->eh.e_phoff + c->eh.e_phnum * sizeof(Elf64_Phdr) > c->len)
		return -1;
	memcpy(c->ph, c->b + c->eh.e_phoff, c->eh.e_phnum * sizeof(Elf64_Phdr));
	return 0;
}

/* The Nth note of TYPE named NAME: its descriptor and size, or NULL. */
static const uint8_t *core_note(const struct core *c, const char *name, uint32_t type, unsigned nth, size_t *size)
{
	const Elf64_Phdr *n = &c->ph[0];
	size_t off = n->p_offset, end = n->p_offset + n->p_filesz;

	while (off + sizeof(Elf64_Nhdr) <= end) {
		Elf64_Nhdr h;

		memcpy(&h, c->b + off, sizeof h);
		const char *nm = (const char *)c->b + off + sizeof h;
		const uint8_t *desc = c->b + off + sizeof h + ((h.n_namesz + 3) & ~3u);
		if (h.n_type == type && !strcmp(nm, name) && nth-- == 0) {
			*size = h.n_descsz;
			return desc;
		}
		off += sizeof h + ((h.n_namesz + 3) & ~3u) + ((h.n_descsz + 3) & ~3u);
	}
	return NULL;
}

/* The file bytes at virtual address VA through the PT_LOADs, as a debugger finds them, or NULL. */
static const uint8_t *core_va(const struct core *c, uint64_t va)
{
	for (unsigned i = 0; i < c->eh.e_phnum; i++)
		if (c->ph[i].p_type == PT_LOAD && va >= c->ph[i].p_vaddr && va < c->ph[i].p_vaddr + c->ph[i].p_filesz)
			return c->b + c->ph[i].p_offset + (va - c->ph[i].p_vaddr);
	return NULL;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

TEST(core_file_reads_back)
{
	struct rivet_vcpu_context ctx[2];
	struct xl_core_vseg v[16];
	struct xl_core_walk_stats st;
	struct xl_core_input in;
	char path[] = "/tmp/test_xl_core.XXXXXX", why[128] = "";
	struct core c;
	const uint8_t *d;
	size_t sz;
	unsigned n;
	int fd;

	ram_reset();
	uint64_t satp = sv39(build_linuxish());
	/* A known word at GPA RAM_BASE + 0x1238, which the kernel sees at 0xffffffff80001238. */
	uint64_t word = 0x5249564554434f52ULL;
	memcpy(ram + 0x1238, &word, 8);
	n = xl_core_walk(satp, mem, nr_mem, v, 16, &st);
	memset(ctx, 0, sizeof ctx);
	for (unsigned i = 0; i < 2; i++) {
		ctx[i].pc = 0xffffffff80000100ULL + i;
		for (unsigned r = 1; r < 32; r++)
			ctx[i].x[r] = 0x1000 * (i + 1) + r;
		ctx[i].f[31] = 0x3ff0000000000000ULL + i;
		ctx[i].fcsr = 0xe0 + i;
		ctx[i].vsatp = satp;
		ctx[i].priv = 1;
	}
	in = (struct xl_core_input){ ctx, 2, mem, nr_mem, v, n };
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK_EQ(xl_core_write(fd, &in, why, sizeof why), 0);
	close(fd);
	CHECK_EQ(core_read(path, &c), 0);
	unlink(path);

	CHECK(!memcmp(c.eh.e_ident, ELFMAG, SELFMAG));
	CHECK_EQ(c.eh.e_ident[EI_CLASS], ELFCLASS64);
	CHECK_EQ(c.eh.e_type, ET_CORE);
	CHECK_EQ(c.eh.e_machine, EM_RISCV);
	CHECK_EQ(c.eh.e_phnum, 1 + n + 1);
	CHECK_EQ(c.ph[0].p_type, PT_NOTE);
	/* The file holds RAM once: headers and notes, then RAM page-aligned. */
	CHECK_EQ(c.len, c.ph[1 + n].p_offset + RAM_SIZE);
	CHECK_EQ(c.ph[1 + n].p_offset % PG, 0);
	CHECK_EQ(c.ph[1 + n].p_paddr, RAM_BASE);
	CHECK_EQ(c.ph[1 + n].p_vaddr, RAM_BASE);

	/* vCPU 1's NT_PRSTATUS: pid 2, pc then x1..x31 at offset 112. */
	d = core_note(&c, "CORE", NT_PRSTATUS, 1, &sz);
	CHECK(d != NULL);
	if (d) {
		uint32_t pid;

		CHECK_EQ(sz, 376);
		memcpy(&pid, d + 32, 4);
		CHECK_EQ(pid, 2);
		CHECK_EQ(get64(d + 112), 0xffffffff80000101ULL);
		CHECK_EQ(get64(d + 112 + 8 * 2), 0x2002);      /* sp */
		CHECK_EQ(get64(d + 112 + 8 * 31), 0x201f);     /* t6 */
	}
	d = core_note(&c, "CORE", NT_FPREGSET, 0, &sz);
	CHECK(d != NULL);
	if (d) {
		uint32_t fcsr;

		CHECK_EQ(sz, 264);
		CHECK_EQ(get64(d + 8 * 31), 0x3ff0000000000000ULL);
		memcpy(&fcsr, d + 256, 4);
		CHECK_EQ(fcsr, 0xe0);
	}
	d = core_note(&c, "RIVET", XL_CORE_NT_RIVET_VCPU, 1, &sz);
	CHECK(d != NULL && sz == sizeof(struct rivet_vcpu_context) && !memcmp(d, &ctx[1], sz));
	CHECK(core_note(&c, "CORE", NT_PRSTATUS, 2, &sz) == NULL);

	/* Through the virtual segments: the kernel's view of the known word; physical too. */
	d = core_va(&c, 0xffffffff80001238ULL);
	CHECK(d != NULL && get64(d) == word);
	d = core_va(&c, RAM_BASE + 0x1238);
	CHECK(d != NULL && get64(d) == word);
	CHECK(core_va(&c, 0xffffffc000004000ULL) == NULL);   /* the UART mapping is not in the file */
	free(c.b);
}

TEST(core_write_failure_says_why)
{
	struct rivet_vcpu_context ctx;
	struct xl_core_input in;
	char why[128] = "";
	int fd = open("/dev/full", O_WRONLY);

	ram_reset();
	memset(&ctx, 0, sizeof ctx);
	in = (struct xl_core_input){ &ctx, 1, mem, nr_mem, NULL, 0 };
	CHECK(fd >= 0);
	CHECK_EQ(xl_core_write(fd, &in, why, sizeof why), -1);
	CHECK(strstr(why, strerror(ENOSPC)) != NULL);
	close(fd);
	/* Bad input: no vCPU; a segment outside RAM. */
	in.nr_vcpus = 0;
	CHECK_EQ(xl_core_write(1, &in, why, sizeof why), -1);
	struct xl_core_vseg bad = { 0xffffffff80000000ULL, RAM_BASE + RAM_SIZE - PG, 2 * PG };
	in = (struct xl_core_input){ &ctx, 1, mem, nr_mem, &bad, 1 };
	fd = open("/dev/null", O_WRONLY);
	CHECK_EQ(xl_core_write(fd, &in, why, sizeof why), -1);
	CHECK(strstr(why, "outside RAM") != NULL);
	close(fd);
}

int main(void)
{
	check_suite = "xl_core";
	RUN(walk_sv39_finds_kernel_mappings_and_coalesces);
	RUN(walk_bare_and_sv48);
	RUN(walk_hostile_tables_stay_bounded);
	RUN(core_file_reads_back);
	RUN(core_write_failure_says_why);
	free(ram);
	return CHECK_DONE();
}
