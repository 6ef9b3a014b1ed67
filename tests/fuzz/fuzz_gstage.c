// SPDX-License-Identifier: MIT
/*
 * fuzz_gstage.c: microvisor/gstage.c against a model. The input is a
 * sequence of map / clear_range / translate / for_each_leaf / split / free_tables
 * operations (and of table-page budgets, so that allocation fails part way
 * through a map). The model is the set of mapped 4 KiB GPA pages, each with
 * its HPA and permissions, kept as sorted extents. After every operation
 * the leaves the table reports (for_each_leaf) must describe exactly the
 * model, and every table page the allocator handed out must be counted in
 * nr_table_pages; free_tables must give every one of them back.
 *
 * What the model expects of a map: bad alignment, size or permissions ->
 * EINVAL; past the 41-bit GPA space or wrapping -> ERANGE; any page already
 * mapped -> EEXIST; otherwise success, or ENOMEM only if the allocator
 * refused a page. A failed map leaves the leaves exactly as they were. A
 * split changes no translation, and once it succeeds no leaf straddles its
 * page.
 */
#include <string.h>

#include "fuzz.h"
#include "gstage.h"

#define GPA_TOP   (1UL << GSTAGE_GPA_BITS)
#define HPA_TOP   (1UL << 55)           /* below RISC-V's 56-bit physical addresses */
#define LEAF_BITS (PTE_V | PTE_RWX | PTE_U | PTE_A | PTE_D | PTE_OWNED)
#define PPN_MASK  (((1UL << 44) - 1) << PTE_PPN_SHIFT)

struct run { u64 gpa, hpa, size, prot; };
struct vec { struct run *v; size_t n, cap; };

static struct vec model, leaves, want, seen;
static void **tables;                   /* table pages handed out and not yet freed */
static size_t nr_tables, cap_tables;
static int budget;                      /* table pages still allowed; <0: no limit */
static unsigned refused;                /* allocations refused in this operation */

static void push(struct vec *v, struct run r)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 64;
		v->v = realloc(v->v, v->cap * sizeof *v->v);
		FUZZ_CHECK(v->v, "out of memory");
	}
	v->v[v->n++] = r;
}

static void *alloc_page(void *ctx)
{
	(void)ctx;
	if (budget == 0) {
		refused++;
		return NULL;
	}
	if (budget > 0)
		budget--;
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	FUZZ_CHECK(p, "out of memory");
	memset(p, 0xa5, PAGE_SIZE);         /* gstage must clear it itself */
	if (nr_tables == cap_tables) {
		cap_tables = cap_tables ? 2 * cap_tables : 64;
		tables = realloc(tables, cap_tables * sizeof *tables);
		FUZZ_CHECK(tables, "out of memory");
	}
	tables[nr_tables++] = p;
	return p;
}

static void free_page(void *ctx, void *page)
{
	(void)ctx;
	for (size_t i = 0; i < nr_tables; i++) {
		if (tables[i] == page) {
			tables[i] = tables[--nr_tables];
			free(page);
			return;
		}
	}
	FUZZ_CHECK(0, "free_page(%p): not a table page it was given (double free?)", page);
}

/* Merges runs contiguous in both GPA and HPA with equal permissions: one form for both sides. */
static void normalize(struct vec *v)
{
	size_t o = 0;

	for (size_t i = 0; i < v->n; i++) {
		struct run *p = o ? &v->v[o - 1] : NULL, r = v->v[i];
		if (p && p->gpa + p->size == r.gpa && p->hpa + p->size == r.hpa && p->prot == r.prot)
			p->size += r.size;
		else
			v->v[o++] = r;
	}
	v->n = o;
}

static int leaf_cb(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte)
{
	struct vec *v = ctx;
	struct run *last = v->n ? &v->v[v->n - 1] : NULL;

	FUZZ_CHECK(size == PAGE_SIZE || size == SZ_2M || size == SZ_1G, "leaf of %#llx bytes",
		   (unsigned long long)size);
	FUZZ_CHECK(!(gpa & (size - 1)) && !(hpa & (size - 1)) && gpa < GPA_TOP,
		   "leaf %#llx -> %#llx of %#llx bytes is misaligned", (unsigned long long)gpa,
		   (unsigned long long)hpa, (unsigned long long)size);
	FUZZ_CHECK(!last || last->gpa + last->size <= gpa, "leaves out of GPA order at %#llx",
		   (unsigned long long)gpa);
	FUZZ_CHECK((pte & (PTE_V | PTE_U | PTE_A | PTE_D)) == (PTE_V | PTE_U | PTE_A | PTE_D) &&
		   (pte & PTE_RWX) && !(pte & ~(LEAF_BITS | PPN_MASK)),
		   "leaf at %#llx has PTE %#llx", (unsigned long long)gpa, (unsigned long long)pte);
	push(v, (struct run){ gpa, hpa, size, pte & (PTE_RWX | PTE_OWNED) });
	return 0;
}

static void collect(struct gstage *gs, struct vec *v)
{
	v->n = 0;
	FUZZ_CHECK(gstage_for_each_leaf(gs, leaf_cb, v) == 0, "for_each_leaf failed");
}

static bool same(const struct vec *a, const struct vec *b)
{
	return a->n == b->n && (!a->n || !memcmp(a->v, b->v, a->n * sizeof *a->v));
}

/* The table must say exactly what the model says, and count every table page. */
static void check_table(struct gstage *gs, const char *after)
{
	collect(gs, &leaves);
	normalize(&leaves);
	want.n = 0;
	for (size_t i = 0; i < model.n; i++)
		push(&want, model.v[i]);
	normalize(&want);
	if (!same(&leaves, &want)) {
		size_t i = 0;
		while (i < leaves.n && i < want.n && !memcmp(&leaves.v[i], &want.v[i], sizeof leaves.v[i]))
			i++;
		struct run l = i < leaves.n ? leaves.v[i] : (struct run){ 0 };
		struct run m = i < want.n ? want.v[i] : (struct run){ 0 };
		FUZZ_CHECK(0, "after %s: table run %zu is %#llx -> %#llx (%#llx bytes, prot %#llx), "
			   "the model has %#llx -> %#llx (%#llx bytes, prot %#llx)", after, i,
			   (unsigned long long)l.gpa, (unsigned long long)l.hpa, (unsigned long long)l.size,
			   (unsigned long long)l.prot, (unsigned long long)m.gpa, (unsigned long long)m.hpa,
			   (unsigned long long)m.size, (unsigned long long)m.prot);
	}
	FUZZ_CHECK(gs->nr_table_pages == GSTAGE_ROOT_PAGES + nr_tables,
		   "after %s: nr_table_pages %lu, but %zu table pages are out besides the root", after,
		   gs->nr_table_pages, nr_tables);
}

static bool model_overlaps(u64 gpa, u64 end)
{
	for (size_t i = 0; i < model.n; i++)
		if (model.v[i].gpa < end && gpa < model.v[i].gpa + model.v[i].size)
			return true;
	return false;
}

static void model_insert(struct run r)
{
	size_t i = 0;

	while (i < model.n && model.v[i].gpa < r.gpa)
		i++;
	push(&model, r);
	memmove(&model.v[i + 1], &model.v[i], (model.n - 1 - i) * sizeof r);
	model.v[i] = r;
}

/* Drops [gpa, end) from the model, splitting extents that stick out of it. */
static void model_remove(u64 gpa, u64 end)
{
	size_t n = model.n;

	for (size_t i = 0; i < n; i++) {
		struct run *e = &model.v[i];
		u64 e_end = e->gpa + e->size;
		if (e_end <= gpa || e->gpa >= end)
			continue;
		if (e_end > end)
			push(&model, (struct run){ end, e->hpa + (end - e->gpa), e_end - end, e->prot });
		e = &model.v[i];                 /* push may have moved it */
		if (e->gpa < gpa)
			e->size = gpa - e->gpa;
		else
			e->size = 0;
	}
	size_t o = 0;
	for (size_t i = 0; i < model.n; i++)
		if (model.v[i].size)
			model.v[o++] = model.v[i];
	model.n = o;
	/* Re-sort (few extents: insertion sort). */
	for (size_t i = 1; i < model.n; i++)
		for (size_t j = i; j && model.v[j - 1].gpa > model.v[j].gpa; j--) {
			struct run t = model.v[j];
			model.v[j] = model.v[j - 1];
			model.v[j - 1] = t;
		}
}

/* GPAs where the interesting things are: page 0, 2 MiB and 1 GiB boundaries, the top, the model. */
static u64 pick_gpa(struct fin *in)
{
	u8 k = fin_u8(in);

	switch (k % 8) {
	case 0: return (u64)fin_u16(in) * PAGE_SIZE;
	case 1: return (u64)fin_u8(in) * SZ_2M + (u64)(fin_u8(in) % 4) * PAGE_SIZE;
	case 2: return (u64)(fin_u16(in) % 2048) * SZ_1G;
	case 3: return GPA_TOP - (u64)fin_u16(in) * PAGE_SIZE;
	case 4: return fin_u64(in);
	case 5: return fin_u64(in) & (GPA_TOP - 1) & ~(PAGE_SIZE - 1);
	case 6:
		if (model.n) {
			struct run *r = &model.v[fin_u16(in) % model.n];
			return (k & 8 ? r->gpa + r->size : r->gpa) + (u64)(int8_t)fin_u8(in) * PAGE_SIZE;
		}
		return SZ_1G;
	default: return (u64)fin_u16(in) * PAGE_SIZE + fin_u16(in) % PAGE_SIZE;
	}
}

static u64 pick_size(struct fin *in)
{
	u8 k = fin_u8(in);

	switch (k % 8) {
	case 0: return (1 + (u64)fin_u8(in)) * PAGE_SIZE;
	case 1: return (1 + (u64)(fin_u8(in) % 8)) * SZ_2M;
	case 2: return (1 + (u64)(fin_u8(in) % 4)) * SZ_1G;
	case 3: return (u64)fin_u16(in) * PAGE_SIZE;
	case 4: return fin_u64(in);
	case 5: return 0;
	case 6: return (u64)(fin_u8(in) % 4) * SZ_2M + (u64)fin_u8(in) * PAGE_SIZE;
	default: return (u64)fin_u16(in);
	}
}

#define LEVEL_SIZE(l) (1UL << (PAGE_SHIFT + 9 * (l)))


/* An upper bound on the leaves a valid map makes: huge maps of 4 KiB leaves are skipped. */
static u64 max_leaves(u64 gpa, u64 hpa, u64 size)
{
	u64 a = gpa | hpa;
	u64 small = !(a & (SZ_1G - 1)) ? SZ_1G : !(a & (SZ_2M - 1)) ? SZ_2M : PAGE_SIZE;

	return size / small + 1024;
}

static void op_map(struct gstage *gs, struct fin *in)
{
	u64 gpa = pick_gpa(in), size = pick_size(in), hpa;
	u8 k = fin_u8(in);
	u64 prot = (k & 0x0f) << 1;         /* R W X and OWNED (bit 4 here becomes PTE_U: must go) */

	prot = (prot & PTE_RWX) | (k & 0x10 ? PTE_OWNED : 0) | (k & 0x20 ? PTE_U | PTE_G : 0);
	/* HPA: the GPA itself (big leaves line up), a 2 MiB / 1 GiB-aligned one, or any page. */
	switch (k >> 6) {
	case 0: hpa = gpa; break;
	case 1: hpa = (u64)fin_u16(in) * SZ_2M; break;
	case 2: hpa = (u64)fin_u16(in) * SZ_1G % HPA_TOP; break;
	default: hpa = fin_u64(in) % HPA_TOP & ~(PAGE_SIZE - 1); break;
	}
	if (hpa >= HPA_TOP - GPA_TOP)
		hpa -= GPA_TOP;                 /* hpa + any valid size stays a physical address */

	int expect, r;
	bool overlap = false;
	if ((gpa | hpa | size) & (PAGE_SIZE - 1) || !size || !(prot & PTE_RWX))
		expect = -RIVET_EINVAL;
	else if (gpa + size < gpa || gpa + size > GPA_TOP)
		expect = -RIVET_ERANGE;
	else
		expect = (overlap = model_overlaps(gpa, gpa + size)) ? -RIVET_EEXIST : 0;

	if ((expect == 0 || overlap) && max_leaves(gpa, hpa, size) > (1UL << 18))
		return;                         /* too slow to check, and nothing new */
	refused = 0;
	r = gstage_map(gs, gpa, hpa, size, prot);
	FUZZ_CHECK(r == expect || (r == -RIVET_ENOMEM && refused && (expect == 0 || overlap)),
		   "map(%#llx, %#llx, %#llx, prot %#llx) returned %d, expected %d%s",
		   (unsigned long long)gpa, (unsigned long long)hpa, (unsigned long long)size,
		   (unsigned long long)prot, r, expect, refused ? " (or ENOMEM)" : "");
	if (!r)
		model_insert((struct run){ gpa, hpa, size, prot & (PTE_RWX | PTE_OWNED) });
	check_table(gs, r ? "a failed map" : "a map");
}

static int clear_cb(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte)
{
	return leaf_cb(ctx, gpa, hpa, size, pte);
}

static void op_clear(struct gstage *gs, struct fin *in)
{
	u8 k = fin_u8(in);
	u64 from = pick_gpa(in), to = k & 1 ? fin_u64(in) : from + pick_size(in), bytes = 0;

	/* Leaves wholly inside [from, to) go; the model loses exactly their pages. */
	collect(gs, &leaves);
	want.n = 0;
	for (size_t i = 0; i < leaves.n; i++) {
		struct run l = leaves.v[i];
		if (l.gpa >= from && l.gpa + l.size <= to) {
			push(&want, l);
			bytes += l.size;
		}
	}
	seen.n = 0;
	u64 got = gstage_clear_range(gs, from, to, k & 2 ? NULL : clear_cb, &seen);
	FUZZ_CHECK(got == bytes, "clear_range(%#llx, %#llx) returned %#llx, expected %#llx",
		   (unsigned long long)from, (unsigned long long)to, (unsigned long long)got,
		   (unsigned long long)bytes);
	FUZZ_CHECK((k & 2) || same(&seen, &want),
		   "clear_range(%#llx, %#llx) called back for %zu leaves, expected %zu",
		   (unsigned long long)from, (unsigned long long)to, seen.n, want.n);
	for (size_t i = 0; i < want.n; i++)
		model_remove(want.v[i].gpa, want.v[i].gpa + want.v[i].size);
	check_table(gs, "clear_range");
}

static void op_translate(struct gstage *gs, struct fin *in)
{
	u64 gpa = pick_gpa(in), hpa = 0, prot = 0;
	u8 k = fin_u8(in);
	int r = gstage_translate(gs, gpa, &hpa, k & 1 ? NULL : &prot);

	for (size_t i = 0; i < model.n; i++) {
		struct run *m = &model.v[i];
		if (gpa >= m->gpa && gpa - m->gpa < m->size) {
			FUZZ_CHECK(r == 0 && hpa == m->hpa + (gpa - m->gpa) && ((k & 1) || prot == m->prot),
				   "translate(%#llx) gave %d, %#llx, prot %#llx; the model has %#llx, prot %#llx",
				   (unsigned long long)gpa, r, (unsigned long long)hpa, (unsigned long long)prot,
				   (unsigned long long)(m->hpa + (gpa - m->gpa)), (unsigned long long)m->prot);
			return;
		}
	}
	FUZZ_CHECK(r == -RIVET_ENOENT, "translate(%#llx) of an unmapped GPA returned %d (hpa %#llx)",
		   (unsigned long long)gpa, r, (unsigned long long)hpa);
}

struct stop { unsigned calls, at; };

static int stop_cb(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte)
{
	struct stop *s = ctx;
	(void)gpa, (void)hpa, (void)size, (void)pte;
	return ++s->calls == s->at ? 1000 + (int)s->at : 0;
}

/* for_each_leaf stops at the first non-zero result and returns it. */
static void op_walk_stop(struct gstage *gs, struct fin *in)
{
	struct stop s = { 0, 1 + fin_u8(in) };
	size_t n;

	collect(gs, &leaves);
	n = leaves.n;
	int r = gstage_for_each_leaf(gs, stop_cb, &s);
	if (s.at <= n)
		FUZZ_CHECK(r == 1000 + (int)s.at && s.calls == s.at,
			   "for_each_leaf stopping at leaf %u of %zu returned %d after %u calls", s.at, n, r,
			   s.calls);
	else
		FUZZ_CHECK(r == 0 && s.calls == n, "for_each_leaf over %zu leaves returned %d after %u calls",
			   n, r, s.calls);
}

/* Splitting changes no translation; once it succeeds a leaf starts at the page (if one covers it). */
static void op_split(struct gstage *gs, struct fin *in)
{
	u64 gpa = pick_gpa(in) & ~(PAGE_SIZE - 1);

	refused = 0;
	int r = gstage_split(gs, gpa);
	FUZZ_CHECK(r == 0 || (r == -RIVET_ENOMEM && refused), "split(%#llx) returned %d",
		   (unsigned long long)gpa, r);
	check_table(gs, "split");
	if (r)
		return;
	collect(gs, &leaves);
	for (size_t i = 0; i < leaves.n; i++) {
		struct run l = leaves.v[i];
		FUZZ_CHECK(!(gpa > l.gpa && gpa - l.gpa < l.size),
			   "after split(%#llx) the leaf %#llx+%#llx still covers it", (unsigned long long)gpa,
			   (unsigned long long)l.gpa, (unsigned long long)l.size);
	}
}

static void op_free_tables(struct gstage *gs)
{
	gstage_free_tables(gs);
	model.n = 0;
	FUZZ_CHECK(nr_tables == 0, "free_tables left %zu table pages out", nr_tables);
	check_table(gs, "free_tables");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	struct gstage gs = { .alloc_page = alloc_page, .free_page = free_page };
	void *root = aligned_alloc(GSTAGE_ROOT_ALIGN, GSTAGE_ROOT_PAGES * PAGE_SIZE);

	FUZZ_CHECK(root && gstage_init(&gs, root) == 0, "gstage_init failed");
	model.n = 0;
	budget = -1;
	while (in.left) {
		u8 op = fin_u8(&in);

		switch (op % 9) {
		case 0: case 1: case 2: op_map(&gs, &in); break;
		case 3: op_clear(&gs, &in); break;
		case 4: op_translate(&gs, &in); break;
		case 5: op_walk_stop(&gs, &in); break;
		case 6: op_free_tables(&gs); break;
		case 8: op_split(&gs, &in); break;
		default: budget = op & 0x80 ? -1 : (op >> 3) % 6; break;
		}
	}
	op_free_tables(&gs);
	free(root);
	return 0;
}
