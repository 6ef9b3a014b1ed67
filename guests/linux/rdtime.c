// SPDX-License-Identifier: MIT
/*
 * rdtime.c: prints the hart's time CSR (ticks since the machine's reset) as a
 * decimal number. Under QEMU -icount this is deterministic, so `make bench`
 * uses it to time a Linux boot from power-on to the init banner. Static,
 * no libc: a raw write(2) and exit(2).
 */
#define SYS_WRITE 64
#define SYS_EXIT  93

static long sys3(long n, long a, long b, long c)
{
	register long a0 asm("a0") = a, a1 asm("a1") = b, a2 asm("a2") = c, a7 asm("a7") = n;
	asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
	return a0;
}

void _start(void) __attribute__((noreturn));
void _start(void)
{
	unsigned long t, n;
	char buf[24];
	int i = sizeof(buf);

	asm volatile("rdtime %0" : "=r"(t));
	buf[--i] = '\n';
	n = t;
	do {
		buf[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	sys3(SYS_WRITE, 1, (long)(buf + i), (long)(sizeof(buf) - i));
	sys3(SYS_EXIT, 0, 0, 0);
	for (;;)
		;
}
