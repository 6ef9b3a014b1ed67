// SPDX-License-Identifier: MIT
/* breaker.c: a hostile guest: reads, writes or executes what it must not. Built as three variants. */
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
#elif defined(BREAKER_WRITE)
	printf("breaker: writing 0x%lx\n", BREAKER_WRITE_ADDR);
	*(volatile unsigned long *)BREAKER_WRITE_ADDR = 0xdeadbeefUL;
	printf("breaker: write succeeded, isolation broken!\n");
#elif defined(BREAKER_ILL)
	printf("breaker: illegal instruction\n");
	__asm__ volatile(".word 0");
	printf("breaker: illegal instruction executed, isolation broken!\n");
#else
#error "build with one of -DBREAKER_READ, -DBREAKER_WRITE, -DBREAKER_ILL"
#endif
	return 0;
}
