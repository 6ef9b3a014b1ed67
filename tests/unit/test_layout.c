/* SPDX-License-Identifier: MIT */
/* test_layout.c: placement of the ramdisk and the device tree in guest RAM. */
#include "check.h"
#include "layout.h"

#define RAM 0x80000000ULL
#define MIB (1ULL << 20)

static struct layout_res res;

static int place(uint64_t ram_mib, const struct layout_seg *k, unsigned nr, uint64_t rd,
		 uint64_t dtb)
{
	struct layout_req req = { RAM, ram_mib * MIB, k, nr, rd, dtb };

	return layout_place(&req, &res);
}

TEST(dtb_at_top_2mib)
{
	struct layout_seg k = { 0x80200000, 0x100000 };

	CHECK_EQ(place(128, &k, 1, 0, 0x1000), 0);
	CHECK_EQ(res.dtb_gpa, 0x87e00000);
	CHECK_EQ(res.ramdisk_gpa, 0);
	/* A DTB bigger than 2 MiB still starts on a 2 MiB boundary. */
	CHECK_EQ(place(128, &k, 1, 0, 0x200001), 0);
	CHECK_EQ(res.dtb_gpa, 0x87c00000);
	CHECK_EQ(place(128, &k, 1, 0, 0x200000), 0);
	CHECK_EQ(res.dtb_gpa, 0x87e00000);
}

TEST(dtb_falls_back_to_4kib)
{
	/* 4 MiB of RAM, the kernel ends at 0x80300800: no 2 MiB slot above it. */
	struct layout_seg k = { 0x80200000, 0x100800 };

	CHECK_EQ(place(4, &k, 1, 0, 0x1800), 0);
	CHECK_EQ(res.dtb_gpa, 0x803fe000);
	/* Exactly fits between the kernel end (page-aligned) and the RAM end. */
	k.mem_size = 0x1fe000;
	CHECK_EQ(place(4, &k, 1, 0, 0x2000), 0);
	CHECK_EQ(res.dtb_gpa, 0x803fe000);
	k.mem_size = 0x1fe001;
	CHECK_EQ(place(4, &k, 1, 0, 0x2000), -1);
}

TEST(ramdisk_below_dtb)
{
	struct layout_seg k = { 0x80200000, 0x100000 };

	CHECK_EQ(place(128, &k, 1, 0x12345, 0x1000), 0);
	CHECK_EQ(res.dtb_gpa, 0x87e00000);
	CHECK_EQ(res.ramdisk_gpa, 0x87e00000 - 0x13000);
	/* The ramdisk pushes the DTB off its 2 MiB slot into a 4 KiB one. */
	CHECK_EQ(place(4, &k, 1, 0x80000, 0x1000), 0);
	CHECK_EQ(res.dtb_gpa, 0x803ff000);
	CHECK_EQ(res.ramdisk_gpa, 0x8037f000);
	/* The ramdisk pushes the DTB down to a lower 2 MiB slot. */
	CHECK_EQ(place(8, &k, 1, 0x200000, 0x1000), 0);
	CHECK_EQ(res.dtb_gpa, 0x80600000);
	CHECK_EQ(res.ramdisk_gpa, 0x80400000);
	/* Ramdisk sizes that are multiples of a page use exactly that. */
	CHECK_EQ(place(4, &k, 1, 0xff000, 0x1000), 0);
	CHECK_EQ(res.ramdisk_gpa, 0x80300000);
	CHECK_EQ(res.dtb_gpa, 0x803ff000);
	CHECK_EQ(place(4, &k, 1, 0xff001, 0x1000), -1);
}

TEST(does_not_fit)
{
	struct layout_seg k = { 0x80200000, 0x100000 };
	struct layout_seg big = { 0x80200000, 2 * MIB };

	CHECK_EQ(place(2, &k, 1, 0, 0x1000), -1);   /* the kernel starts at the RAM end */
	CHECK_EQ(place(4, &big, 1, 0, 0x1000), -1); /* the kernel fills all RAM */
	CHECK_EQ(place(128, &k, 1, 200 * MIB, 0x1000), -1);
	CHECK_EQ(place(128, &k, 1, 0xffffffffffffffffULL, 0x1000), -1);
	CHECK_EQ(place(128, &k, 1, 0, 0xffffffffffffffffULL), -1);
	CHECK_EQ(place(128, &k, 1, 0, 0), -1);
	CHECK_EQ(place(0, &k, 0, 0, 0x1000), -1);
	k.gpa = 0x7fff0000;
	CHECK_EQ(place(128, &k, 1, 0, 0x1000), -1);
	k.gpa = 0xfffffffffffff000ULL;
	k.mem_size = 0x2000;
	CHECK_EQ(place(128, &k, 1, 0, 0x1000), -1);
}

TEST(several_segments_and_none)
{
	struct layout_seg k[2] = { { 0x80000000, 0x1000 }, { 0x81000000, 0x2000 } };

	CHECK_EQ(place(32, k, 2, 0x1000, 0x1000), 0);
	CHECK_EQ(res.dtb_gpa, 0x81e00000);
	CHECK_EQ(place(16, k, 2, 0x1000, 0x1000), -1); /* the second one ends at the RAM end */
	CHECK_EQ(place(1, k, 0, 0, 0x1000), 0);
	CHECK_EQ(res.dtb_gpa, 0x80000000); /* 2 MiB-aligned, and it fits */
	CHECK_EQ(place(1, k, 0, 0x1000, 0x1000), 0);
	CHECK_EQ(res.dtb_gpa, 0x800ff000);
	CHECK_EQ(res.ramdisk_gpa, 0x800fe000);
}

int main(void)
{
	check_suite = "layout";
	RUN(dtb_at_top_2mib);
	RUN(dtb_falls_back_to_4kib);
	RUN(ramdisk_below_dtb);
	RUN(does_not_fit);
	RUN(several_segments_and_none);
	return CHECK_DONE();
}
