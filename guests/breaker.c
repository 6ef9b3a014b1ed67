// SPDX-License-Identifier: MIT
/*
 * breaker.c: a hostile guest: reads, writes or executes what it must not.
 * Built as four variants; coredump (BREAKER_CORE) first leaves known values
 * in registers and memory for a core file to show (tests/integration/coredump.py).
 */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/print.h"

/* 512 MiB above RAM base: beyond the RAM of any breaker config. */
#ifndef BREAKER_READ_ADDR
#define BREAKER_READ_ADDR  0xA0000000UL
#endif
#ifndef BREAKER_WRITE_ADDR
#define BREAKER_WRITE_ADDR 0x1000UL
#endif

#ifdef BREAKER_CORE
/* Written at run time, so only guest memory (not the ELF file) holds the value. */
volatile unsigned long core_marker;
#endif

int main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	print_set_console(PRINT_LEGACY);
	/*
	 * No trap vector, on purpose: the fault must not be something this
	 * guest can handle, so the hypervisor has to deal with the domain.
	 */
	csr_write(stvec, 0);

#if defined(BREAKER_READ)
	printf("breaker: reading 0x%lx\n", BREAKER_READ_ADDR);
	{
		unsigned long v = *(volatile unsigned long *)BREAKER_READ_ADDR;

		printf("breaker: read succeeded, isolation broken! value 0x%lx\n", v);
	}
#elif defined(BREAKER_CORE)
	core_marker = 0xc0dec0de00000000UL | (0x1234 + hartid);
	printf("breaker: marker 0x%lx at 0x%lx; reading 0x%lx\n", core_marker, (unsigned long)&core_marker,
	       BREAKER_READ_ADDR);
	/* The faulting load comes right after: s2, s3 and ft0 hold these when the domain crashes. */
	__asm__ volatile(".option push\n.option arch, +d\n"
			 "li t0, 0x1122334455667788\n fmv.d.x ft0, t0\n.option pop\n"
			 "li s2, 0x5249564554434f52\n li s3, 0x0123456789abcdef\n"
			 "ld t1, 0(%0)\n" : : "r"(BREAKER_READ_ADDR) : "t0", "t1", "s2", "s3", "memory");
	printf("breaker: read succeeded, isolation broken!\n");
#elif defined(BREAKER_WRITE)
	printf("breaker: writing 0x%lx\n", BREAKER_WRITE_ADDR);
	*(volatile unsigned long *)BREAKER_WRITE_ADDR = 0xdeadbeefUL;
	printf("breaker: write succeeded, isolation broken!\n");
#elif defined(BREAKER_ILL)
	printf("breaker: illegal instruction\n");
	__asm__ volatile(".word 0");
	printf("breaker: illegal instruction executed, isolation broken!\n");
#else
#error "build with one of -DBREAKER_READ, -DBREAKER_WRITE, -DBREAKER_ILL, -DBREAKER_CORE"
#endif
	return 0;
}
