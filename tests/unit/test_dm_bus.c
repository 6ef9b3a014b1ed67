// SPDX-License-Identifier: MIT
/* test_dm_bus.c: rivet-dm's MMIO bus: lookup at range edges, overlap refusal, masking. */
#include "check.h"
#include "dm_bus.h"

struct fake {
	uint64_t last_off, last_val;
	unsigned last_size, reads, writes;
	uint64_t rv;
};

static uint64_t frd(void *d, uint64_t off, unsigned size)
{
	struct fake *f = d;
	f->last_off = off;
	f->last_size = size;
	f->reads++;
	return f->rv;
}

static void fwr(void *d, uint64_t off, unsigned size, uint64_t v)
{
	struct fake *f = d;
	f->last_off = off;
	f->last_size = size;
	f->last_val = v;
	f->writes++;
}

static const struct dm_mmio_ops fops = { frd, fwr };

TEST(add_and_overlap)
{
	struct dm_bus b;
	struct fake a = { 0 }, c = { 0 };
	dm_bus_init(&b);
	CHECK_EQ(dm_bus_add(&b, 0x1000, 0x100, &fops, &a, "a"), 0);
	CHECK_EQ(dm_bus_add(&b, 0x10ff, 1, &fops, &c, "x"), -1);   /* last byte */
	CHECK_EQ(dm_bus_add(&b, 0xf00, 0x101, &fops, &c, "x"), -1);  /* first byte */
	CHECK_EQ(dm_bus_add(&b, 0x0, 0x10000, &fops, &c, "x"), -1);  /* covers it */
	CHECK_EQ(dm_bus_add(&b, 0x1010, 0x10, &fops, &c, "x"), -1); /* inside it */
	CHECK_EQ(dm_bus_add(&b, 0x2000, 0, &fops, &c, "x"), -1);    /* empty */
	CHECK_EQ(dm_bus_add(&b, ~0ULL - 0xf, 0x20, &fops, &c, "x"), -1); /* wraps */
	CHECK_EQ(dm_bus_add(&b, ~0ULL - 0xf, 0x10, &fops, &c, "top"), 0); /* ends at 2^64 */
	CHECK_EQ(dm_bus_add(&b, 0xf00, 0x100, &fops, &c, "below"), 0);  /* adjacent */
	CHECK_EQ(dm_bus_add(&b, 0x1100, 0x100, &fops, &c, "above"), 0); /* adjacent */
	CHECK_EQ(b.nr, 4);
	CHECK(b.dev[0].base == 0xf00 && b.dev[1].base == 0x1000 && b.dev[2].base == 0x1100);
	for (unsigned i = b.nr; i < DM_BUS_MAX_DEVS; i++)
		CHECK_EQ(dm_bus_add(&b, 0x100000 + i * 0x1000, 0x1000, &fops, &c, "n"), 0);
	CHECK_EQ(dm_bus_add(&b, 0x900000, 0x1000, &fops, &c, "full"), -1);
}

TEST(find_edges)
{
	struct dm_bus b;
	struct fake a = { 0 }, c = { 0 };
	dm_bus_init(&b);
	dm_bus_add(&b, 0x1000, 0x100, &fops, &a, "a");
	dm_bus_add(&b, 0x1100, 0x100, &fops, &c, "c");
	dm_bus_add(&b, ~0ULL - 0xf, 0x10, &fops, &c, "top");
	CHECK(dm_bus_find(&b, 0x1000, 8)->dev == &a);
	CHECK(dm_bus_find(&b, 0x10f8, 8)->dev == &a);
	CHECK(dm_bus_find(&b, 0x10ff, 1)->dev == &a);
	CHECK(dm_bus_find(&b, 0x10fc, 8) == NULL);  /* straddles a and c */
	CHECK(dm_bus_find(&b, 0x1100, 1)->dev == &c);
	CHECK(dm_bus_find(&b, 0xfff, 1) == NULL);
	CHECK(dm_bus_find(&b, 0xffc, 8) == NULL);   /* starts below a */
	CHECK(dm_bus_find(&b, 0x1200, 4) == NULL);
	CHECK(dm_bus_find(&b, 0x11fc, 8) == NULL);  /* runs past c */
	CHECK(dm_bus_find(&b, 0x1000, 3) == NULL);  /* odd size */
	CHECK(dm_bus_find(&b, 0x1000, 0) == NULL);
	CHECK(dm_bus_find(&b, 0x1000, 16) == NULL);
	CHECK(dm_bus_find(&b, ~0ULL - 7, 8) != NULL);
	CHECK(dm_bus_find(&b, ~0ULL, 1) != NULL);
	CHECK(dm_bus_find(&b, ~0ULL, 2) == NULL);   /* would wrap */
	CHECK(dm_bus_find(&b, ~0ULL - 3, 8) == NULL);
}

TEST(read_write_dispatch)
{
	struct dm_bus b;
	struct fake a = { .rv = 0x1122334455667788ULL };
	dm_bus_init(&b);
	dm_bus_add(&b, 0x10000000, 0x100, &fops, &a, "a");
	CHECK_EQ(dm_bus_read(&b, 0x10000004, 4), 0x55667788);
	CHECK_EQ(a.last_off, 4);
	CHECK_EQ(a.last_size, 4);
	CHECK_EQ(dm_bus_read(&b, 0x10000001, 1), 0x88);
	CHECK(dm_bus_read(&b, 0x10000008, 8) == 0x1122334455667788ULL);
	dm_bus_write(&b, 0x10000010, 2, 0xabcdef);
	CHECK_EQ(a.last_val, 0xcdef);
	CHECK_EQ(a.last_off, 0x10);
	CHECK_EQ(a.writes, 1);
	/* unclaimed */
	unsigned r = a.reads;
	CHECK_EQ(dm_bus_read(&b, 0x20000000, 4), 0);
	CHECK_EQ(dm_bus_read(&b, 0x100000fe, 4), 0);
	dm_bus_write(&b, 0x20000000, 4, 1);
	dm_bus_write(&b, 0x10000000, 5, 1);
	CHECK_EQ(a.reads, r);
	CHECK_EQ(a.writes, 1);
	CHECK_EQ(b.unclaimed, 4);
}

TEST(device_without_read)
{
	static const struct dm_mmio_ops wo = { NULL, fwr };
	struct dm_bus b;
	struct fake a = { 0 };
	dm_bus_init(&b);
	dm_bus_add(&b, 0x0, 0x10, &wo, &a, "wo");
	CHECK_EQ(dm_bus_read(&b, 0, 4), 0);
	CHECK_EQ(b.unclaimed, 0);
}

int main(void)
{
	check_suite = "dm_bus";
	RUN(add_and_overlap);
	RUN(find_edges);
	RUN(read_write_dispatch);
	RUN(device_without_read);
	return CHECK_DONE();
}
