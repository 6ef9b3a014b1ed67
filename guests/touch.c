// SPDX-License-Identifier: MIT
/*
 * touch.c: guest memory first touch, for make bench. Writes one word in
 * every 4 KiB page of TOUCH_BYTES of RAM never touched before (each page's
 * first access: whatever the memory system does on a first touch, a
 * G-stage walk or a fault, happens here), then writes every 8-byte word of
 * the same range (its second touch, the cost of the stores themselves).
 * Prints both in ticks and instructions, as counted by the guest, and a
 * checksum of what it read back, so a broken run cannot pass for a fast one.
 */
#include "lib/guest.h"
#include "lib/print.h"
#include "lib/csr.h"

#define TOUCH_BYTES (64UL << 20)
#define PAGE_BYTES  4096UL
#define ALIGN_BYTES (2UL << 20)    /* start on a 2 MiB boundary past the image */

extern char _end[];

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long base = ((unsigned long)_end + ALIGN_BYTES - 1) & ~(ALIGN_BYTES - 1);
	volatile unsigned long *p;
	unsigned long off, sum = 0;

	(void)hartid;
	(void)dtb;
	print_set_console(PRINT_DBCN);
	unsigned long t0 = csr_read(time), i0 = csr_read(instret);
	for (off = 0; off < TOUCH_BYTES; off += PAGE_BYTES) {
		p = (volatile unsigned long *)(base + off);
		*p = off;
	}
	unsigned long t1 = csr_read(time), i1 = csr_read(instret);
	for (off = 0; off < TOUCH_BYTES; off += sizeof(unsigned long)) {
		p = (volatile unsigned long *)(base + off);
		*p = off;
	}
	unsigned long t2 = csr_read(time), i2 = csr_read(instret);
	for (off = 0; off < TOUCH_BYTES; off += PAGE_BYTES)
		sum += *(volatile unsigned long *)(base + off);
	printf("touch: %lu MiB at 0x%lx, sum 0x%lx\n", TOUCH_BYTES >> 20, base, sum);
	printf("touch: pages: %lu pages, %lu ticks, %lu instructions\n", TOUCH_BYTES / PAGE_BYTES,
	       t1 - t0, i1 - i0);
	printf("touch: words: %lu words, %lu ticks, %lu instructions\n",
	       TOUCH_BYTES / sizeof(unsigned long), t2 - t1, i2 - i1);
	guest_shutdown();
}
