// SPDX-License-Identifier: MIT
/*
 * perfcount.c: counts its own cycles and instructions with perf_event_open
 * (PERF_TYPE_HARDWARE, so Linux's SBI PMU driver and Rivet's virtual
 * counters) around a loop of a known size, and prints
 * "perfcount: loop=L instructions=I cycles=C ticks=T" (T: time CSR ticks
 * across the loop). Argument: the loop's iterations (2 instructions each).
 * Static, no libc: raw system calls.
 */
#define SYS_IOCTL           29
#define SYS_READ            63
#define SYS_WRITE           64
#define SYS_EXIT            93
#define SYS_PERF_EVENT_OPEN 241

#define PERF_TYPE_HARDWARE        0
#define PERF_COUNT_HW_CPU_CYCLES  0
#define PERF_COUNT_HW_INSTRUCTIONS 1
#define PERF_ATTR_SIZE_VER0       64
#define PERF_ATTR_FLAG_DISABLED   1UL    /* bit 0 of the flags word */
#define PERF_EVENT_IOC_ENABLE     0x2400
#define PERF_EVENT_IOC_DISABLE    0x2401
#define PERF_EVENT_IOC_RESET      0x2403
#define DEFAULT_ITERS             5000000UL

/* perf_event_attr up to its first published size (PERF_ATTR_SIZE_VER0). */
struct attr {
	unsigned int type, size;
	unsigned long config, sample_period, sample_type, read_format, flags;
	unsigned int wakeup_events, bp_type;
	unsigned long config1;
};

static long sys5(long n, long a, long b, long c, long d, long e)
{
	register long a0 asm("a0") = a, a1 asm("a1") = b, a2 asm("a2") = c, a3 asm("a3") = d,
		 a4 asm("a4") = e, a7 asm("a7") = n;
	asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a7) : "memory");
	return a0;
}

static char out[160];
static int len;

static void put(const char *s)
{
	while (*s && len < (int)sizeof(out))
		out[len++] = *s++;
}

static void put_num(long v)
{
	char buf[24];
	int i = sizeof(buf);
	unsigned long n = v < 0 ? -(unsigned long)v : (unsigned long)v;
	buf[--i] = 0;
	do {
		buf[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	if (v < 0)
		buf[--i] = '-';
	put(buf + i);
}

static long open_counter(unsigned long config)
{
	struct attr a = { 0 };
	a.type = PERF_TYPE_HARDWARE;
	a.size = PERF_ATTR_SIZE_VER0;
	a.config = config;
	a.flags = PERF_ATTR_FLAG_DISABLED;
	/* this task, any CPU, no group, no flags */
	return sys5(SYS_PERF_EVENT_OPEN, (long)&a, 0, -1, -1, 0);
}

static unsigned long parse(const char *s)
{
	unsigned long n = 0;
	while (s && *s >= '0' && *s <= '9')
		n = n * 10 + (unsigned long)(*s++ - '0');
	return n ? n : DEFAULT_ITERS;
}

static void __attribute__((noreturn)) finish(int code)
{
	put("\n");
	sys5(SYS_WRITE, 1, (long)out, len, 0, 0);
	sys5(SYS_EXIT, code, 0, 0, 0, 0);
	for (;;)
		;
}

void start_c(long *sp) __attribute__((noreturn, used));
void start_c(long *sp)
{
	long argc = sp[0];
	unsigned long iters = parse(argc > 1 ? (const char *)sp[2] : 0), n = iters, t0, t1;
	long insns = -1, cycles = -1;
	long fi = open_counter(PERF_COUNT_HW_INSTRUCTIONS), fc = open_counter(PERF_COUNT_HW_CPU_CYCLES);

	put("perfcount: ");
	if (fi < 0 || fc < 0) {
		put("perf_event_open failed: ");
		put_num(fi < 0 ? fi : fc);
		finish(1);
	}
	sys5(SYS_IOCTL, fi, PERF_EVENT_IOC_RESET, 0, 0, 0);
	sys5(SYS_IOCTL, fc, PERF_EVENT_IOC_RESET, 0, 0, 0);
	sys5(SYS_IOCTL, fc, PERF_EVENT_IOC_ENABLE, 0, 0, 0);
	sys5(SYS_IOCTL, fi, PERF_EVENT_IOC_ENABLE, 0, 0, 0);
	asm volatile("rdtime %0" : "=r"(t0));
	asm volatile("1: addi %0, %0, -1\n bnez %0, 1b" : "+r"(n));
	asm volatile("rdtime %0" : "=r"(t1));
	sys5(SYS_IOCTL, fi, PERF_EVENT_IOC_DISABLE, 0, 0, 0);
	sys5(SYS_IOCTL, fc, PERF_EVENT_IOC_DISABLE, 0, 0, 0);
	if (sys5(SYS_READ, fi, (long)&insns, sizeof(insns), 0, 0) != sizeof(insns) ||
	    sys5(SYS_READ, fc, (long)&cycles, sizeof(cycles), 0, 0) != sizeof(cycles)) {
		put("read failed");
		finish(1);
	}
	put("loop=");
	put_num((long)(2 * iters));
	put(" instructions=");
	put_num(insns);
	put(" cycles=");
	put_num(cycles);
	put(" ticks=");
	put_num((long)(t1 - t0));
	finish(0);
}

/*
 * The kernel enters with sp at argc, argv[]: hand it to C, with gp set as
 * the linker's relaxation of global accesses expects.
 */
asm(".globl _start\n_start:\n.option push\n.option norelax\n la gp, __global_pointer$\n.option pop\n"
    " mv a0, sp\n andi sp, sp, -16\n call start_c\n");
