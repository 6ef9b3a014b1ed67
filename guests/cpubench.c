// SPDX-License-Identifier: MIT
/* cpubench.c: a deterministic CPU-bound load (sieve plus CRC32) whose result proves it ran to the end. */
#include "lib/guest.h"
#include "lib/print.h"
#include "lib/csr.h"

#ifndef CPUBENCH_ROUNDS
#define CPUBENCH_ROUNDS 48
#endif
#define SIEVE_LIMIT  2000000
#define CRC_BYTES    (1024 * 1024)

static unsigned char composite[SIEVE_LIMIT];
static unsigned char data[CRC_BYTES];
static unsigned int crc_table[256];

static unsigned long sieve(void)
{
	unsigned long i, j, primes = 0;

	for (i = 0; i < SIEVE_LIMIT; i++)
		composite[i] = 0;
	for (i = 2; i < SIEVE_LIMIT; i++) {
		if (composite[i])
			continue;
		primes++;
		for (j = i * i; j < SIEVE_LIMIT; j += i)
			composite[j] = 1;
	}
	return primes;
}

static void crc_init(void)
{
	unsigned int i, k, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

/* Fill with a xorshift stream seeded per round, then CRC32 (IEEE) it. */
static unsigned int crc_round(unsigned int seed)
{
	unsigned int x = seed, c = 0xFFFFFFFFu;
	unsigned long i;

	for (i = 0; i < CRC_BYTES; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (unsigned char)x;
	}
	for (i = 0; i < CRC_BYTES; i++)
		c = crc_table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
	return ~c;
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long result = 0;
	int round;

	(void)hartid;
	(void)dtb;
	print_set_console(PRINT_DBCN);
	printf("cpubench: start, %d rounds\n", CPUBENCH_ROUNDS);
	crc_init();
	unsigned long t0 = csr_read(time), i0 = csr_read(instret);
	for (round = 0; round < CPUBENCH_ROUNDS; round++) {
		unsigned long primes = sieve();
		unsigned int crc = crc_round(0x9E3779B9u + round);

		result = (result * 31 + primes) ^ ((unsigned long)crc << 16);
	}
	unsigned long ticks = csr_read(time) - t0, insns = csr_read(instret) - i0;
	printf("cpubench: result 0x%lx\n", result);
	/* Under QEMU -icount these are deterministic; bench.py compares them with bare QEMU. */
	printf("cpubench: %lu ticks, %lu instructions\n", ticks, insns);
	printf("cpubench: done\n");
	return 0;
}
