// SPDX-License-Identifier: MIT
/*
 * zerocheck.c: proves a domain starts with clean memory. At start it reads
 * every word of its RAM but its own image (and its device tree) and prints
 * FAIL for any that is not zero: such a word is another domain's, an earlier
 * life's or the microvisor's leftover. Then it fills that RAM with a pattern
 * unlike zero, so that the next domain given these pages (or this one,
 * restarted) has something to find, and reboots (a boot domain with
 * on_reboot = "restart") or powers off (a domain built by ctlzero).
 */
#include "lib/fdt.h"
#include "lib/guest.h"
#include "lib/print.h"
#include "lib/sbi.h"
#include "lib/string.h"
#include "public/bootimg.h"

#ifndef ZC_FALLBACK_MB
#define ZC_FALLBACK_MB 8   /* RAM when no device tree is passed (ctlzero's children) */
#endif
#define ZC_MAX_REPORTS 4
#define FDT_MAGIC 0xd00dfeedUL

extern char _start[], _end[];

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static unsigned long nonzero;

/* Checks [from, to) reads as zeros, then fills it with the pattern; word-aligned bounds. */
static void check_and_fill(unsigned long from, unsigned long to)
{
	for (volatile unsigned long *w = (unsigned long *)from; (unsigned long)w < to; w++) {
		unsigned long v = *w;
		if (v && nonzero++ < ZC_MAX_REPORTS)
			printf("zerocheck: FAIL nonzero word %lx at %lx\n", v, (unsigned long)w);
		*w = 0x5a5a000000000000UL | (unsigned long)w;
	}
}

/*
 * Whether the tree lists Zicboz ("zicboz" appears only as an ISA string; the
 * property names say "cboz"), and if it does, that cbo.zero works: a guest
 * told of it must be able to use it (henvcfg.CBZE), or it traps here.
 */
static void zicboz_check(unsigned long dtb, unsigned long dtb_end)
{
	static const char name[] = "zicboz";
	static unsigned long block[64] __attribute__((aligned(256)));
	int listed = 0;
	for (const char *p = (const char *)dtb; dtb && (unsigned long)p + sizeof(name) <= dtb_end; p++)
		if (!memcmp(p, name, sizeof(name)))
			listed = 1;
	if (!listed) {
		printf("zerocheck: Zicboz not listed\n");
		return;
	}
	for (unsigned i = 0; i < 64; i++)
		block[i] = ~0UL;
	__asm__ volatile(".option push\n.option arch, +zicboz\ncbo.zero (%0)\n.option pop"
			 :: "r"(block) : "memory");
	unsigned zeroed = 0;
	while (zeroed < 64 && !block[zeroed])
		zeroed++;
	printf("zerocheck: Zicboz listed, cbo.zero zeroed %u bytes\n", zeroed * 8);
}

int main(unsigned long hartid, unsigned long dtb)
{
	print_set_console(PRINT_DBCN);
	unsigned long base = RIVET_GUEST_RAM_BASE, end = base + ((unsigned long)ZC_FALLBACK_MB << 20);
	unsigned long dtb_end = dtb;
	if (dtb && be32((const unsigned char *)dtb) == FDT_MAGIC) {
		end = fdt_ram_end(dtb, base, (unsigned long)ZC_FALLBACK_MB << 20);
		dtb_end = dtb + be32((const unsigned char *)dtb + 4);   /* totalsize */
	} else {
		dtb = dtb_end = 0;
	}
	/* Holes: the image (bss and stacks included) and the tree, in address order. */
	unsigned long holes[2][2] = { { (unsigned long)_start, ((unsigned long)_end + 7) & ~7UL },
				      { dtb & ~7UL, (dtb_end + 7) & ~7UL } };
	if (holes[1][0] < holes[0][0]) {
		unsigned long t0 = holes[0][0], t1 = holes[0][1];
		holes[0][0] = holes[1][0], holes[0][1] = holes[1][1];
		holes[1][0] = t0, holes[1][1] = t1;
	}
	unsigned long at = base, bytes = 0;
	for (unsigned i = 0; i < 2; i++) {
		unsigned long stop = holes[i][0] < end ? holes[i][0] : end;
		if (holes[i][0] == holes[i][1])
			continue;   /* no tree */
		if (stop > at) {
			check_and_fill(at, stop);
			bytes += stop - at;
		}
		if (holes[i][1] > at)
			at = holes[i][1];
	}
	if (end > at) {
		check_and_fill(at, end);
		bytes += end - at;
	}
	if (nonzero)
		printf("zerocheck: FAIL %lu nonzero words in %lu KiB\n", nonzero, bytes >> 10);
	else
		printf("zerocheck: vcpu %lu: all %lu KiB of RAM read as zeros\n", hartid, bytes >> 10);
	zicboz_check(dtb, dtb_end);
#ifdef ZC_REBOOT
	printf("zerocheck: rebooting\n");
	sbi_system_reset(SBI_SRST_COLD_REBOOT, 0);
	printf("zerocheck: FAIL reboot returned\n");
#endif
	return 0;
}
