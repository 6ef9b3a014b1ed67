/* SPDX-License-Identifier: MIT */
/* xl_core.c: a guest's ELF core file: the walk of its page table and the writer (xl_core.h). */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xl_core.h"

/* Sv39/48/57 page-table entries (RISC-V privileged spec, "Virtual-Memory System"). */
#define PTE_V        (1ULL << 0)
#define PTE_R        (1ULL << 1)
#define PTE_W        (1ULL << 2)
#define PTE_X        (1ULL << 3)
#define PTE_U        (1ULL << 4)
#define PTE_A        (1ULL << 6)
#define PTE_D        (1ULL << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK ((1ULL << 44) - 1)
#define PTE_RESERVED (((1ULL << 7) - 1) << 54)   /* bits 60:54 */
#define PTE_PBMT     (3ULL << 61)
#define PTE_N        (1ULL << 63)                /* Svnapot */
#define SATP_MODE_SHIFT 60
#define SATP_PPN_MASK ((1ULL << 44) - 1)
#define PT_ENTRIES   512

/* satp's MODE: Sv39 = 8, Sv48 = 9, Sv57 = 10; their levels; 0 for Bare or anything else. */
static unsigned satp_levels(uint64_t satp)
{
	switch (satp >> SATP_MODE_SHIFT) {
	case 8:  return 3;
	case 9:  return 4;
	case 10: return 5;
	}
	return 0;
}

/* The index of the RAM run holding [gpa, gpa + len), or -1. MEM is ascending and disjoint. */
static int ram_run(const struct xl_core_mem *mem, unsigned nr, uint64_t gpa, uint64_t len)
{
	unsigned lo = 0, hi = nr;

	if (gpa + len < gpa)
		return -1;
	while (lo < hi) {   /* the first run ending after gpa */
		unsigned mid = lo + (hi - lo) / 2;

		if (mem[mid].gpa + mem[mid].size <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == nr || mem[lo].gpa > gpa || gpa + len > mem[lo].gpa + mem[lo].size)
		return -1;
	return (int)lo;
}

struct walk {
	const struct xl_core_mem *mem;
	unsigned nr_mem, levels, n, max;
	struct xl_core_vseg *out;
	struct xl_core_walk_stats *st;
};

/* One segment, merged into the last when it continues it in both spaces and in the same run. -1: full. */
static int put_seg(struct walk *w, uint64_t va, uint64_t gpa, uint64_t size)
{
	if (w->n) {
		struct xl_core_vseg *l = &w->out[w->n - 1];

		if (l->va + l->size == va && l->gpa + l->size == gpa &&
		    ram_run(w->mem, w->nr_mem, l->gpa, l->size + size) >= 0) {
			l->size += size;
			return 0;
		}
	}
	if (w->n == w->max) {
		w->st->truncated = 1;
		return -1;
	}
	w->out[w->n++] = (struct xl_core_vseg){ va, gpa, size };
	return 0;
}

/* A leaf [va, va + size) -> gpa: its parts that lie in RAM. */
static int put_leaf(struct walk *w, uint64_t va, uint64_t gpa, uint64_t size)
{
	uint64_t end = gpa + size;   /* gpa < 2^56, size <= 2^48: no wrap */

	for (unsigned i = 0; i < w->nr_mem; i++) {
		uint64_t lo = w->mem[i].gpa, hi = lo + w->mem[i].size;

		if (hi <= gpa || lo >= end)
			continue;
		if (lo < gpa)
			lo = gpa;
		if (hi > end)
			hi = end;
		if (put_seg(w, va + (lo - gpa), lo, hi - lo) < 0)
			return -1;
	}
	return 0;
}

/*
 * The table at TABLE (guest-physical) of level LEVEL (levels - 1 at the
 * root, 0 for 4 KiB leaves), mapping from VA_BASE. Depth is bounded by the
 * level, which every step down decreases, so a table that points at itself
 * or an ancestor cannot loop; the entry budget bounds a table whose entries
 * all point at the same table below. -1 once a bound is hit.
 */
static int walk_table(struct walk *w, uint64_t table, unsigned level, uint64_t va_base)
{
	unsigned shift = 12 + 9 * level, vabits = 12 + 9 * w->levels;
	int r = ram_run(w->mem, w->nr_mem, table, XL_CORE_PAGE);
	const uint8_t *t;

	if (r < 0)
		return 0;   /* not RAM: nothing below is readable */
	t = w->mem[r].data + (table - w->mem[r].gpa);
	for (unsigned k = 0; k < PT_ENTRIES; k++) {
		/* The root's upper half first: the kernel's mappings before any process's. */
		unsigned i = level == w->levels - 1 ? (k + PT_ENTRIES / 2) % PT_ENTRIES : k;
		uint64_t pte, ppn, va = va_base | ((uint64_t)i << shift);

		if (w->st->ptes_read >= XL_CORE_MAX_PTES) {
			w->st->truncated = 1;
			return -1;
		}
		w->st->ptes_read++;
		memcpy(&pte, t + (size_t)i * 8, 8);   /* little-endian, as the guest wrote it */
		if (level == w->levels - 1 && (va >> (vabits - 1)) & 1)
			va |= ~((1ULL << vabits) - 1);   /* sign-extended, as the hart requires */
		if (!(pte & PTE_V) || (pte & (PTE_R | PTE_W)) == PTE_W || (pte & PTE_RESERVED))
			continue;   /* invalid or reserved: the hart faults there */
		ppn = (pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK;
		if (!(pte & (PTE_R | PTE_X))) {
			/* A pointer: not from a last-level table, and with no leaf-only bits. */
			if (!level || (pte & (PTE_A | PTE_D | PTE_U | PTE_N | PTE_PBMT)))
				continue;
			if (walk_table(w, ppn << 12, level - 1, va) < 0)
				return -1;
			continue;
		}
		if (pte & PTE_N) {
			/* Svnapot: only 64 KiB at level 0 (ppn ends 1000b); this entry maps its own page. */
			if (level || (ppn & 0xf) != 0x8)
				continue;
			ppn = (ppn & ~0xfULL) | (i & 0xf);
		} else if (ppn & ((1ULL << (9 * level)) - 1)) {
			continue;   /* a misaligned superpage faults */
		}
		if (put_leaf(w, va, ppn << 12, 1ULL << shift) < 0)
			return -1;
	}
	return 0;
}

unsigned xl_core_walk(uint64_t satp, const struct xl_core_mem *mem, unsigned nr_mem,
		      struct xl_core_vseg *out, unsigned max, struct xl_core_walk_stats *st)
{
	struct walk w = { mem, nr_mem, satp_levels(satp), 0, max, out, st };

	memset(st, 0, sizeof *st);
	st->levels = w.levels;
	if (!w.levels)
		return 0;
	walk_table(&w, (satp & SATP_PPN_MASK) << 12, w.levels - 1, 0);
	return w.n;
}

/* ---- the writer ---- */

#define NOTE_NAME_CORE  "CORE"
#define NOTE_NAME_RIVET "RIVET"
#define ALIGN4(x) (((x) + 3) & ~(size_t)3)

static int fail(char *why, size_t size, const char *what)
{
	snprintf(why, size, "%s", what);
	return -1;
}

static int write_all(int fd, const void *buf, size_t len, char *why, size_t why_size)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, why_size, "write failed: %s", n < 0 ? strerror(errno) : "nothing written");
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static size_t note_size(const char *name, size_t desc)
{
	return sizeof(Elf64_Nhdr) + ALIGN4(strlen(name) + 1) + ALIGN4(desc);
}

static uint8_t *put_note(uint8_t *p, const char *name, uint32_t type, const void *desc, size_t len)
{
	Elf64_Nhdr n = { (Elf64_Word)(strlen(name) + 1), (Elf64_Word)len, type };

	memcpy(p, &n, sizeof n);
	p += sizeof n;
	memcpy(p, name, n.n_namesz);   /* the padding stays zero (calloc) */
	p += ALIGN4(n.n_namesz);
	memcpy(p, desc, len);
	return p + ALIGN4(len);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

int xl_core_write(int fd, const struct xl_core_input *in, char *why, size_t why_size)
{
	size_t per_vcpu = note_size(NOTE_NAME_CORE, XL_CORE_PRSTATUS_SIZE) +
			  note_size(NOTE_NAME_CORE, XL_CORE_PRFPREG_SIZE) +
			  note_size(NOTE_NAME_RIVET, sizeof(struct rivet_vcpu_context));
	size_t nr_ph, notes, head, data_off;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	uint8_t *buf, *p;
	uint64_t *run_off;
	unsigned i;
	int rc = -1;

	if (!in->nr_vcpus || in->nr_vcpus > RIVET_MAX_VCPUS || in->nr_mem > XL_CORE_MAX_MEM ||
	    in->nr_vsegs > XL_CORE_MAX_VSEGS)
		return fail(why, why_size, "too many vCPUs, RAM runs or segments");
	nr_ph = 1 + in->nr_vsegs + in->nr_mem;
	notes = per_vcpu * in->nr_vcpus;
	head = sizeof eh + nr_ph * sizeof(Elf64_Phdr);
	data_off = (head + notes + XL_CORE_PAGE - 1) & ~(size_t)(XL_CORE_PAGE - 1);
	buf = calloc(1, data_off);
	run_off = calloc(in->nr_mem ? in->nr_mem : 1, sizeof *run_off);
	if (!buf || !run_off) {
		free(buf);
		free(run_off);
		return fail(why, why_size, "out of memory");
	}

	memset(&eh, 0, sizeof eh);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_RISCV;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof eh;
	/* RVC and the double-float ABI: a debugger then shows the FP registers the notes carry. */
	eh.e_flags = 0x1 | 0x4;
	eh.e_ehsize = sizeof eh;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)nr_ph;
	memcpy(buf, &eh, sizeof eh);

	/* RAM runs' file offsets, in order after the notes. */
	{
		uint64_t off = data_off;

		for (i = 0; i < in->nr_mem; i++) {
			if (in->mem[i].gpa % XL_CORE_PAGE || in->mem[i].size % XL_CORE_PAGE || !in->mem[i].size ||
			    (i && in->mem[i].gpa < in->mem[i - 1].gpa + in->mem[i - 1].size)) {
				fail(why, why_size, "RAM runs not page-aligned, ascending and disjoint");
				goto out;
			}
			run_off[i] = off;
			off += in->mem[i].size;
		}
	}

	ph = (Elf64_Phdr *)(buf + sizeof eh);
	ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = head, .p_filesz = notes, .p_align = 4 };
	for (i = 0; i < in->nr_vsegs; i++) {
		const struct xl_core_vseg *v = &in->vsegs[i];
		int r = ram_run(in->mem, in->nr_mem, v->gpa, v->size);

		if (r < 0 || !v->size) {
			fail(why, why_size, "a virtual segment outside RAM");
			goto out;
		}
		ph[1 + i] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
			.p_offset = run_off[r] + (v->gpa - in->mem[r].gpa), .p_vaddr = v->va, .p_paddr = v->gpa,
			.p_filesz = v->size, .p_memsz = v->size, .p_align = XL_CORE_PAGE };
	}
	for (i = 0; i < in->nr_mem; i++)
		ph[1 + in->nr_vsegs + i] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
			.p_offset = run_off[i], .p_vaddr = in->mem[i].gpa, .p_paddr = in->mem[i].gpa,
			.p_filesz = in->mem[i].size, .p_memsz = in->mem[i].size, .p_align = XL_CORE_PAGE };

	p = buf + head;
	for (i = 0; i < in->nr_vcpus; i++) {
		const struct rivet_vcpu_context *c = &in->vcpus[i];
		uint8_t prs[XL_CORE_PRSTATUS_SIZE] = { 0 }, fp[XL_CORE_PRFPREG_SIZE] = { 0 };
		uint32_t pid = i + 1, fcsr = (uint32_t)c->fcsr;

		/* elf_prstatus: pr_pid names the thread; pr_reg is user_regs_struct: pc, then x1..x31. */
		memcpy(prs + XL_CORE_PRSTATUS_PID, &pid, 4);
		put64(prs + XL_CORE_PRSTATUS_REG, c->pc);
		for (unsigned r = 1; r < 32; r++)
			put64(prs + XL_CORE_PRSTATUS_REG + 8 * r, c->x[r]);
		/* __riscv_d_ext_state: f[32], then fcsr. */
		memcpy(fp, c->f, sizeof c->f);
		memcpy(fp + sizeof c->f, &fcsr, 4);
		p = put_note(p, NOTE_NAME_CORE, NT_PRSTATUS, prs, sizeof prs);
		p = put_note(p, NOTE_NAME_CORE, NT_FPREGSET, fp, sizeof fp);
		p = put_note(p, NOTE_NAME_RIVET, XL_CORE_NT_RIVET_VCPU, c, sizeof *c);
	}

	if (write_all(fd, buf, data_off, why, why_size) < 0)
		goto out;
	for (i = 0; i < in->nr_mem; i++)
		if (write_all(fd, in->mem[i].data, in->mem[i].size, why, why_size) < 0)
			goto out;
	rc = 0;
out:
	free(buf);
	free(run_off);
	return rc;
}
