/* SPDX-License-Identifier: MIT */
/* layout.c: places the ramdisk and the device tree in a domain's RAM. */
#include "layout.h"

static uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

int layout_place(const struct layout_req *req, struct layout_res *res)
{
	uint64_t ram_end = req->ram_base + req->ram_size;
	uint64_t low = req->ram_base; /* everything we place must start at or above this */
	uint64_t rd_bytes, top, dtb;
	unsigned i;

	res->ramdisk_gpa = 0;
	res->dtb_gpa = 0;
	if (req->ram_size == 0 || ram_end < req->ram_base)
		return -1;
	for (i = 0; i < req->nr_kernel; i++) {
		const struct layout_seg *s = &req->kernel[i];

		if (s->gpa < req->ram_base || s->gpa >= ram_end || s->mem_size > ram_end - s->gpa)
			return -1;
		if (s->gpa + s->mem_size > low)
			low = s->gpa + s->mem_size;
	}
	if (req->dtb_size == 0 || req->dtb_size > ram_end - low)
		return -1;
	if (req->ramdisk_size > req->ram_size)
		return -1;
	rd_bytes = (req->ramdisk_size + LAYOUT_PAGE - 1) & ~(LAYOUT_PAGE - 1);

	/* Candidates only get worse going down, so the highest one decides. */
	top = ram_end - req->dtb_size;
	dtb = align_down(top, LAYOUT_2MIB);
	if (dtb < low || dtb - low < rd_bytes) {
		dtb = align_down(top, LAYOUT_PAGE);
		if (dtb < low || dtb - low < rd_bytes)
			return -1;
	}
	res->dtb_gpa = dtb;
	if (req->ramdisk_size)
		res->ramdisk_gpa = dtb - rd_bytes;
	return 0;
}
