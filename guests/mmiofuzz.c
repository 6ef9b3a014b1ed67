// SPDX-License-Identifier: MIT
/*
 * mmiofuzz.c: a hostile DomU for the device model. Every vCPU makes
 * thousands of random MMIO accesses to the devices rivet-dm emulates (PLIC
 * 0x0c000000, 16550 UART 0x10000000, virtio-mmio slots 0x10001000 + n *
 * 0x1000): every load and store width (lb lh lw ld lbu lhu lwu sb sh sw sd,
 * in 32-bit, compressed, nonzero-offset and rd = x0 forms), offsets weighted
 * towards the real registers, random values; and it abuses the virtio-blk
 * queues: rings at random guest-physical addresses (in its RAM, outside it,
 * misaligned, wrapping around 2^64, in MMIO), descriptors of garbage (loops,
 * huge lengths, indirect tables, next out of range), avail indices bumped
 * at random, notifies, resets. Half of the device bring-ups are done right
 * (features negotiated, queue ready, DRIVER_OK) and followed by real
 * requests, so the fuzzing reaches the device's deep states. A virtio
 * console (DeviceID 3, console = 'virtio'), when there is one, gets the same
 * on both its queues: transmit chains right and wrong (writable buffers,
 * garbage descriptors, avail jumps), receive buffers right and wrong for the
 * input the test types meanwhile; at the end, after a reset, one line through
 * it must come out ("mmiofuzz: virtio console works").
 * A virtio-net
 * device, if a slot has one, gets its own abuse (net_abuse): both queues
 * brought up, then transmit chains with short headers, frames over 64 KiB,
 * loops, writable buffers, buffers outside RAM, random offload headers,
 * and receive chains with readable, tiny or huge buffers, among good ones
 * (the test has Dom0 send broadcasts on the bridge so that packets arrive).
 *
 * It checks only what the microvisor must do for any device: a load's value
 * is sign- or zero-extended from its width. The test around it checks that
 * rivet-dm, the microvisor and the other domains carry on.
 *
 * The bootargs say "seed=S accesses=N [trace] [mode=M]": N accesses per
 * vCPU (default 2000, seed 1); trace prints each access before it is made.
 * mode=misaligned / hole / cross makes one access that legitimately crashes
 * the domain (a misaligned one inside the UART, one to an address no device
 * claims, one across the UART's end) with stvec = 0, so the domain cannot
 * catch the fault itself.
 *
 * Guest RAM the device model may write (used rings, buffers it fills) must
 * never hold what a later descriptor read could take for a pointer into
 * this image: the device model would then write over our code or stacks.
 * So the RAM the device sees is split: R (RAM_BASE .. +512 KiB and from the
 * end of the image to the end of RAM) holds used rings and device-writable
 * buffers only; D (the 1.5 MiB below the image) holds descriptor tables,
 * avail rings and device-readable buffers. Every word we write there passes
 * through clean() (no 32-bit value inside the image), buffers in D are 4-byte
 * aligned multiples of 4 bytes, so the disk, which gets only what D held,
 * never gives back such a word either.
 */
#include <stdint.h>

#include "lib/csr.h"
#include "lib/fdt.h"
#include "lib/guest.h"
#include "lib/hsm.h"
#include "lib/print.h"
#include "lib/rand.h"
#include "lib/sbi.h"
#include "lib/string.h"
#include "lib/trap.h"
#include "lib/virtio_mmio.h"

#define DEFAULT_SEED     1UL
#define DEFAULT_ACCESSES 2000UL
#define MAX_FAIL_LINES   20
#define OPAQUE           0x3f1f0a7eUL
#define WAIT_MS          60000
#define PAGE             4096UL

#define RAM_BASE   0x80000000UL
#define IMAGE_BASE 0x80200000UL
#define R_LO       RAM_BASE                  /* used rings, device-writable buffers */
#define R_HI       (RAM_BASE + 0x80000UL)
#define D_LO       R_HI                      /* tables, avail rings, device-readable buffers */
#define D_HI       IMAGE_BASE
#define HOME_SIZE  0x10000UL                 /* per vCPU in D: its well-formed queue */
#define GARBAGE_LO (D_LO + 8 * HOME_SIZE)    /* the rest of D */
#define R_GARBAGE  (R_LO + 8 * PAGE)         /* R after the home used rings */

/* Devices */
#define PLIC_BASE   0x0c000000UL
#define PLIC_SIZE   0x600000UL
#define UART_BASE   0x10000000UL
#define UART_SIZE   0x100UL
#define VIRTIO_BASE 0x10001000UL
#define VIRTIO_SLOT(n) (VIRTIO_BASE + 0x1000UL * (n))



#define F_INDIRECT  28
#define F_EVENT_IDX 29
#define F_VERSION_1 32

#define D_NEXT     1
#define D_WRITE    2
#define D_INDIRECT 4

#define BLK_T_IN     0
#define BLK_T_OUT    1
#define BLK_T_FLUSH  4
#define BLK_T_GET_ID 8

#define ID_CONSOLE   3
#define CON_NUM      16      /* the console's queue size here */
#define CON_WORKS    "mmiofuzz: virtio console works\n"

enum { LB, LH, LW, LD, LBU, LHU, LWU, SB, SH, SW, SD, NR_OPS };
static const char *const op_name[NR_OPS] = { "lb", "lh", "lw", "ld", "lbu", "lhu", "lwu",
					     "sb", "sh", "sw", "sd" };
static const unsigned op_size[NR_OPS] = { 1, 2, 4, 8, 1, 2, 4, 1, 2, 4, 8 };

static unsigned long seed = DEFAULT_SEED, accesses_per_vcpu = DEFAULT_ACCESSES;
static int trace;
static enum { MODE_FUZZ, MODE_MISALIGNED, MODE_HOLE, MODE_CROSS } mode;
static unsigned long ram_end, nr_vcpus, img_end;
static unsigned long rng[GUEST_MAX_HARTS];
static volatile unsigned long nr_access[GUEST_MAX_HARTS];
static volatile unsigned long nr_done_req[GUEST_MAX_HARTS], nr_bringup[GUEST_MAX_HARTS];
static volatile int done[GUEST_MAX_HARTS];
static volatile int nr_fails;
extern char _end[];

/* Per vCPU: its well-formed queue, when it has one. */
struct home {
	unsigned long slot;     /* base of the slot it brought up, 0 if none */
	unsigned num;           /* queue size */
	uint16_t avail_idx, used_seen;
	int indirect, event_idx;
};
static struct home homes[GUEST_MAX_HARTS];
static unsigned long console_slot;   /* the virtio console's slot, 0: none */
static volatile unsigned long nr_con_sent[GUEST_MAX_HARTS];

/* The virtio-net slot (DeviceID 1) if there is one, and each vCPU's view of its two queues. */
#define NET_ID        1
#define NET_RXQ       0
#define NET_TXQ       1
#define NET_HDR       12
#define NET_HOME      0x8000UL     /* in a vCPU's home in D: RX table, RX avail, TX table, TX avail, data */
#define NET_USED(h)   (R_LO + 0x30000UL + (h) * 2 * PAGE)   /* RX used, then TX used, in R */
#define NET_RXBUF(h)  (R_LO + 0x40000UL + (h) * 0x8000UL)  /* device-writable buffers, in R */
static unsigned long net_slot;
static struct { unsigned num; uint16_t idx[2]; } nets[GUEST_MAX_HARTS];
static volatile unsigned long nr_net_chains[GUEST_MAX_HARTS];

/* ---- randomness (splitmix64, per vCPU) ---- */

static unsigned long rnd(void)
{
	return splitmix64(&rng[this_hart()]);
}

static unsigned long below(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static int one_in(unsigned long n)
{
	return below(n) == 0;
}

static unsigned long any_value(void)
{
	switch (below(10)) {
	case 0: return below(17);
	case 1: return ~0UL - below(4);
	case 2: return 1UL << below(64);
	case 3: return 0xFFFFFFFFUL + below(3) - 1;
	case 4: return 0x80000000UL + below(3) - 1;
	case 5: return -(long)below(200);
	case 6: return rnd() & 0xFFFFFFFFUL;
	case 7: return below(0x10000);
	default: return rnd();
	}
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (__atomic_fetch_add(&nr_fails, 1, __ATOMIC_RELAXED) >= MAX_FAIL_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("\nmmiofuzz: FAIL %s\n", msg);
}

/* ---- writes into the device's RAM: never a word that points into the image ---- */

static uint32_t clean32(uint32_t v)
{
	return v >= IMAGE_BASE && v < img_end ? v ^ 0x40000000U : v;
}

static uint16_t clean16(uint16_t v)
{
	return v >= (IMAGE_BASE >> 16) && v <= ((img_end - 1) >> 16) ? v ^ 0x4000 : v;
}

static void put16(unsigned long a, uint16_t v)
{
	*(volatile uint16_t *)a = clean16(v);
}

static void put32(unsigned long a, uint32_t v)
{
	*(volatile uint32_t *)a = clean32(v);
}

static void put64(unsigned long a, uint64_t v)
{
	put32(a, (uint32_t)v);
	put32(a + 4, (uint32_t)(v >> 32));
}

static uint16_t get16(unsigned long a)
{
	return *(volatile uint16_t *)a;
}

static void mb(void)
{
	__asm__ volatile("fence rw, rw" ::: "memory");
}

/* ---- the accesses ---- */

#define NORVC(insn) ".option push\n.option norvc\n" insn "\n.option pop"

/* One load of op at a in form 0 (32-bit), 1 (nonzero offset), 2 (compressed if any), 3 (rd = x0). */
static unsigned long load(unsigned op, unsigned long a, unsigned form)
{
	unsigned long v = 0;
	register unsigned long ra __asm__("a0") = a;
	register unsigned long rv __asm__("a1") = 0;

	if (form == 3) {
		switch (op) {
		case LB: __asm__ volatile(NORVC("lb zero, 0(%0)") :: "r"(a) : "memory"); break;
		case LH: __asm__ volatile(NORVC("lh zero, 0(%0)") :: "r"(a) : "memory"); break;
		case LW: __asm__ volatile(NORVC("lw zero, 0(%0)") :: "r"(a) : "memory"); break;
		case LD: __asm__ volatile(NORVC("ld zero, 0(%0)") :: "r"(a) : "memory"); break;
		case LBU: __asm__ volatile(NORVC("lbu zero, 0(%0)") :: "r"(a) : "memory"); break;
		case LHU: __asm__ volatile(NORVC("lhu zero, 0(%0)") :: "r"(a) : "memory"); break;
		default: __asm__ volatile(NORVC("lwu zero, 0(%0)") :: "r"(a) : "memory"); break;
		}
		return 0;
	}
	if (form == 2 && (op == LW || op == LD)) {
		if (op == LW)
			__asm__ volatile("c.lw a1, 0(a0)" : "=r"(rv) : "r"(ra) : "memory");
		else
			__asm__ volatile("c.ld a1, 0(a0)" : "=r"(rv) : "r"(ra) : "memory");
		return rv;
	}
	if (form == 1) {
		unsigned long b = a - 0x7f8;   /* the address is base + 2040 */
		switch (op) {
		case LB: __asm__ volatile(NORVC("lb %0, 2040(%1)") : "=r"(v) : "r"(b) : "memory"); break;
		case LH: __asm__ volatile(NORVC("lh %0, 2040(%1)") : "=r"(v) : "r"(b) : "memory"); break;
		case LW: __asm__ volatile(NORVC("lw %0, 2040(%1)") : "=r"(v) : "r"(b) : "memory"); break;
		case LD: __asm__ volatile(NORVC("ld %0, 2040(%1)") : "=r"(v) : "r"(b) : "memory"); break;
		case LBU: __asm__ volatile(NORVC("lbu %0, 2040(%1)") : "=r"(v) : "r"(b) : "memory"); break;
		case LHU: __asm__ volatile(NORVC("lhu %0, 2040(%1)") : "=r"(v) : "r"(b) : "memory"); break;
		default: __asm__ volatile(NORVC("lwu %0, 2040(%1)") : "=r"(v) : "r"(b) : "memory"); break;
		}
		return v;
	}
	switch (op) {
	case LB: __asm__ volatile(NORVC("lb %0, 0(%1)") : "=r"(v) : "r"(a) : "memory"); break;
	case LH: __asm__ volatile(NORVC("lh %0, 0(%1)") : "=r"(v) : "r"(a) : "memory"); break;
	case LW: __asm__ volatile(NORVC("lw %0, 0(%1)") : "=r"(v) : "r"(a) : "memory"); break;
	case LD: __asm__ volatile(NORVC("ld %0, 0(%1)") : "=r"(v) : "r"(a) : "memory"); break;
	case LBU: __asm__ volatile(NORVC("lbu %0, 0(%1)") : "=r"(v) : "r"(a) : "memory"); break;
	case LHU: __asm__ volatile(NORVC("lhu %0, 0(%1)") : "=r"(v) : "r"(a) : "memory"); break;
	default: __asm__ volatile(NORVC("lwu %0, 0(%1)") : "=r"(v) : "r"(a) : "memory"); break;
	}
	return v;
}

static void store(unsigned op, unsigned long a, unsigned long v, unsigned form)
{
	register unsigned long ra __asm__("a0") = a;
	register unsigned long rv __asm__("a1") = v;

	if (form == 3) {   /* x0 as the value */
		switch (op) {
		case SB: __asm__ volatile(NORVC("sb zero, 0(%0)") :: "r"(a) : "memory"); break;
		case SH: __asm__ volatile(NORVC("sh zero, 0(%0)") :: "r"(a) : "memory"); break;
		case SW: __asm__ volatile(NORVC("sw zero, 0(%0)") :: "r"(a) : "memory"); break;
		default: __asm__ volatile(NORVC("sd zero, 0(%0)") :: "r"(a) : "memory"); break;
		}
		return;
	}
	if (form == 2 && (op == SW || op == SD)) {
		if (op == SW)
			__asm__ volatile("c.sw a1, 0(a0)" :: "r"(ra), "r"(rv) : "memory");
		else
			__asm__ volatile("c.sd a1, 0(a0)" :: "r"(ra), "r"(rv) : "memory");
		return;
	}
	if (form == 1) {
		unsigned long b = a + 0x800;   /* the address is base - 2048 */
		switch (op) {
		case SB: __asm__ volatile(NORVC("sb %0, -2048(%1)") :: "r"(v), "r"(b) : "memory"); break;
		case SH: __asm__ volatile(NORVC("sh %0, -2048(%1)") :: "r"(v), "r"(b) : "memory"); break;
		case SW: __asm__ volatile(NORVC("sw %0, -2048(%1)") :: "r"(v), "r"(b) : "memory"); break;
		default: __asm__ volatile(NORVC("sd %0, -2048(%1)") :: "r"(v), "r"(b) : "memory"); break;
		}
		return;
	}
	switch (op) {
	case SB: __asm__ volatile(NORVC("sb %0, 0(%1)") :: "r"(v), "r"(a) : "memory"); break;
	case SH: __asm__ volatile(NORVC("sh %0, 0(%1)") :: "r"(v), "r"(a) : "memory"); break;
	case SW: __asm__ volatile(NORVC("sw %0, 0(%1)") :: "r"(v), "r"(a) : "memory"); break;
	default: __asm__ volatile(NORVC("sd %0, 0(%1)") :: "r"(v), "r"(a) : "memory"); break;
	}
}

/* Whether v is what a load of op may give: sign- or zero-extended from its width. */
static int extended_right(unsigned op, unsigned long v)
{
	switch (op) {
	case LB: return (long)v == (long)(int8_t)v;
	case LH: return (long)v == (long)(int16_t)v;
	case LW: return (long)v == (long)(int32_t)v;
	case LBU: return v <= 0xff;
	case LHU: return v <= 0xffff;
	case LWU: return v <= 0xffffffffUL;
	default: return 1;
	}
}

/* One MMIO access, counted (and traced). */
static unsigned long access_as(unsigned op, unsigned long a, unsigned long v, int need_value)
{
	unsigned long h = this_hart();
	/* Form 3 loads into x0, or stores x0: not when the value matters (need_value). */
	unsigned form = below(need_value ? 3 : 4);

	if (form == 1 && one_in(2))
		form = 0;
	if (trace)
		printf("mmiofuzz: hart %lu access %lu: %s 0x%lx form %u value 0x%lx\n", h, nr_access[h],
		       op_name[op], a, form, op >= SB ? v : 0);
	nr_access[h]++;
	if (op >= SB) {
		store(op, a, v, form);
		return 0;
	}
	v = load(op, a, form);
	if (form != 3 && !extended_right(op, v))
		fail("hart %lu: %s at 0x%lx gave 0x%lx", h, op_name[op], a, v);
	return v;
}

static unsigned long access(unsigned op, unsigned long a, unsigned long v)
{
	return access_as(op, a, v, 0);
}

/* A 32-bit register read whose value is used: never into x0. */
static uint32_t rd32(unsigned long a)
{
	return (uint32_t)access_as(one_in(2) ? LWU : LW, a, 0, 1);
}

static void wr32(unsigned long a, uint32_t v)
{
	access(SW, a, v);
}

/* A 32-bit register write whose value must arrive (never a store of x0). */
static void wr32_exact(unsigned long a, uint32_t v)
{
	access_as(SW, a, v, 1);
}

static void wr64(unsigned long lo, uint64_t v)
{
	wr32(lo, (uint32_t)v);
	wr32(lo + 4, (uint32_t)(v >> 32));
}

/* ---- where: registers first ---- */

static unsigned long any_slot(void)
{
	unsigned long h = this_hart();

	/* Disks sit in the first slots: each vCPU leans on its own, the others now and then. */
	if (!one_in(4))
		return VIRTIO_SLOT(h % 2);
	return VIRTIO_SLOT(below(VIRTIO_SLOTS));
}

static unsigned long virtio_off(void)
{
	static const unsigned short regs[] = {
		VM_STATUS, VM_STATUS, VM_QUEUE_SEL, VM_QUEUE_NUM, VM_QUEUE_DESC, VM_QUEUE_DESC + 4,
		VM_QUEUE_DRIVER, VM_QUEUE_DRIVER + 4, VM_QUEUE_DEVICE, VM_QUEUE_DEVICE + 4,
		VM_QUEUE_READY, VM_QUEUE_NOTIFY, VM_QUEUE_NOTIFY, VM_INT_ACK, VM_INT_STATUS,
		VM_DRV_FEATURES, VM_DRV_FEATURES_SEL, VM_DEV_FEATURES, VM_DEV_FEATURES_SEL,
		VM_QUEUE_NUM_MAX, VM_MAGIC, VM_VERSION, VM_DEVICE_ID, VM_VENDOR_ID, VM_CONFIG_GEN,
		VM_SHM_SEL, VM_CONFIG, VM_CONFIG + 4, VM_CONFIG + 8,
	};

	switch (below(8)) {
	case 0: return VM_CONFIG + below(0x100);        /* config space and past it */
	case 1: return below(0x1000);                   /* anywhere in the slot */
	case 2: return below(0x200);
	default: return regs[below(sizeof(regs) / sizeof(regs[0]))];
	}
}

static unsigned long plic_off(void)
{
	unsigned long ctx = one_in(4) ? below(20) : 2 * below(nr_vcpus + 1) + 1;

	switch (below(10)) {
	case 0: return 4 * below(100);                              /* priorities */
	case 1: return 4 * (1 + below(10));
	case 2: return 0x1000 + 4 * below(4);                       /* pending */
	case 3:
	case 4: return 0x2000 + 0x80 * ctx + 4 * below(one_in(4) ? 32 : 3);   /* enables */
	case 5: return 0x200000 + 0x1000 * ctx;                     /* threshold */
	case 6:
	case 7: return 0x200004 + 0x1000 * ctx;                     /* claim / complete */
	case 8: return 0x200000 + 0x1000 * ctx + below(0x1000);
	default: return below(PLIC_SIZE);
	}
}

/* An address in a device, aligned for size. */
static unsigned long any_mmio(unsigned size)
{
	unsigned long a;

	switch (below(10)) {
	case 0: case 1: case 2: case 3: a = any_slot() + virtio_off(); break;
	case 4: case 5: case 6: a = PLIC_BASE + plic_off(); break;
	case 7: case 8: a = UART_BASE + (one_in(8) ? below(UART_SIZE) : below(8)); break;
	default:
		switch (below(3)) {
		case 0: a = PLIC_BASE + below(PLIC_SIZE); break;
		case 1: a = UART_BASE + below(UART_SIZE); break;
		default: a = VIRTIO_BASE + below(VIRTIO_SLOTS * 0x1000); break;
		}
	}
	return a & ~(unsigned long)(size - 1);
}

/* A value for a register: device-shaped or anything. */
static unsigned long reg_value(unsigned long a)
{
	if (a >= VIRTIO_BASE && (a & 0xfff) == VM_STATUS && one_in(2)) {
		static const unsigned char st[] = { 0, 1, 3, 11, 15, 7, 4, 8, 64, 128, 0xff, 0x4f };
		return st[below(sizeof(st))];
	}
	if (a >= VIRTIO_BASE && (a & 0xfff) == VM_QUEUE_SEL && one_in(2))
		return below(3);
	if (a >= PLIC_BASE && a < PLIC_BASE + PLIC_SIZE && one_in(2))
		return below(one_in(2) ? 12 : 96);
	return any_value();
}

static void random_access(void)
{
	unsigned op = below(NR_OPS);
	unsigned long a = any_mmio(op_size[op]);

	access(op, a, reg_value(a));
}

/* ---- guest-physical addresses for rings and buffers ---- */

static int in_ram(unsigned long a)
{
	return a >= RAM_BASE && a < ram_end;
}

/* Outside RAM, or where the device model must refuse it (across an end, wrapping). */
static unsigned long outside_gpa(unsigned long len)
{
	static const unsigned long far[] = {
		0, 0x1000, PLIC_BASE, UART_BASE, VIRTIO_BASE, VIRTIO_BASE + VM_QUEUE_NOTIFY,
		0x40000000, 0x100000000UL, 1UL << 40, 1UL << 63,
	};

	switch (below(7)) {
	case 0: return RAM_BASE - 1 - below(PAGE);          /* just below: may reach into RAM */
	case 1: return ram_end + below(PAGE);               /* just past the end */
	case 2: return ram_end - (len ? below(len) : 0);    /* crossing the end (len - 1 past it at most) */
	case 3: return -(long)below(2 * PAGE);              /* wraps around 2^64 */
	case 4: return far[below(sizeof(far) / sizeof(far[0]))] + below(64);
	case 5: return below(RAM_BASE);
	default: {
		unsigned long a = any_value();
		return in_ram(a) ? ram_end + (a & 0xffff) : a;
	}
	}
}

/* Whether [a, a + len) is wholly inside RAM (what the device model would use). */
static int usable(unsigned long a, unsigned long len)
{
	return a >= RAM_BASE && a <= ram_end && len <= ram_end - a;
}

/* A place in region lo..hi for len bytes aligned to align, or 0 if it cannot hold them. */
static unsigned long place(unsigned long lo, unsigned long hi, unsigned long len, unsigned long align)
{
	if (hi <= lo || len > hi - lo)
		return 0;
	return (lo + below(hi - lo - len + 1)) & ~(align - 1);
}

/*
 * Where a ring or buffer that the device model may *write* goes: R, or
 * outside. Anything in RAM is wholly inside R.
 */
static unsigned long writable_gpa(unsigned long len, unsigned long align)
{
	unsigned long a = 0;

	if (one_in(3)) {
		a = outside_gpa(len);
		if (!usable(a, len))
			return a;
	}
	if (one_in(2))
		a = place(R_GARBAGE, R_HI, len, align);
	else
		a = place(img_end, ram_end, len, align);
	return a ? a : ram_end + below(PAGE);
}

/* Where a table or device-readable buffer goes: D (4-byte aligned at least), or outside. */
static unsigned long readable_gpa(unsigned long len, unsigned long align)
{
	unsigned long a;

	if (align < 4)
		align = 4;
	if (one_in(3)) {
		a = outside_gpa(len);
		if (!usable(a, len))
			return a;
	}
	a = place(GARBAGE_LO, D_HI, len, align);
	return a ? a : ram_end + below(PAGE);
}

/* A descriptor's length: small, exact, huge. */
static uint32_t any_len(void)
{
	switch (below(8)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 16;
	case 3: return 512 * (1 + below(8));
	case 4: return ~0U - below(4);
	case 5: return 1U << below(32);
	default: return 4 * (1 + below(300));
	}
}

/* ---- garbage descriptors ---- */

static void garbage_table(unsigned long at, unsigned n, int depth);

/* One garbage descriptor at (table) at, in D. */
static void garbage_desc(unsigned long at, unsigned i, unsigned n, int depth)
{
	uint16_t flags = 0, next;
	uint32_t len = any_len();
	uint64_t addr;

	if (one_in(2))
		flags |= D_NEXT;
	if (one_in(2))
		flags |= D_WRITE;
	if (one_in(6))
		flags |= D_INDIRECT;
	if (one_in(16))
		flags |= (uint16_t)rnd();
	switch (below(5)) {
	case 0: next = (uint16_t)i; break;                 /* a loop on itself */
	case 1: next = (uint16_t)(i + 1); break;
	case 2: next = (uint16_t)below(n); break;
	case 3: next = (uint16_t)(n + below(4)); break;    /* out of range */
	default: next = (uint16_t)rnd(); break;
	}
	if (flags & D_INDIRECT) {
		unsigned entries = 1 + below(one_in(8) ? 1100 : 16);
		len = one_in(4) ? any_len() : 16 * entries;
		addr = readable_gpa(len < 0x40000 ? len : 16, 16);
		if (depth == 0 && usable(addr, len) && len >= 16 && len < 0x40000)
			garbage_table(addr, len / 16, depth + 1);
	} else if (flags & D_WRITE) {
		if (len && len != 1 && len < 0x100000)
			len &= ~3U;
		addr = writable_gpa(len < 0x100000 ? len : 1, 4);
	} else {
		if (len < 0x100000)
			len &= ~3U;
		addr = readable_gpa(len < 0x100000 ? len : 4, 4);
	}
	/* What the device may write lies in R; what it reads, in D: see the top. */
	if (usable(addr, len)) {
		if ((flags & D_WRITE) && !(flags & D_INDIRECT) && !(addr >= R_LO && addr + len <= R_HI) &&
		    !(addr >= img_end))
			addr = ram_end + below(PAGE);
		if ((!(flags & D_WRITE) || (flags & D_INDIRECT)) &&
		    (addr < D_LO || addr + len > D_HI || (addr & 3) || (len & 3)))
			addr = ram_end + below(PAGE);
	}
	put64(at + 16UL * i, addr);
	put32(at + 16UL * i + 8, len);
	put16(at + 16UL * i + 12, flags);
	put16(at + 16UL * i + 14, next);
}

static void garbage_table(unsigned long at, unsigned n, int depth)
{
	unsigned i, todo = n < 64 ? n : 64;   /* a few, at random places in big tables */

	for (i = 0; i < todo; i++)
		garbage_desc(at, n <= 64 ? i : below(n), n, depth);
}

/* ---- the queue of a slot ---- */

/* An aligned slot register write or read, sized right. */
static void vw(unsigned long slot, unsigned off, uint32_t v) { wr32(slot + off, v); }
static uint32_t vr(unsigned long slot, unsigned off) { return rd32(slot + off); }

/*
 * Bring-up. Done right: reset, ACK, DRIVER, features (VERSION_1 and a random
 * choice of the offered ones), FEATURES_OK, queue 0 with this vCPU's home
 * rings, QueueReady, DRIVER_OK. Otherwise: the same steps, some skipped,
 * reordered or with wrong values.
 */
static void bring_up(unsigned long slot, int right)
{
	unsigned long h = this_hart(), home = D_LO + h * HOME_SIZE;
	struct home *hm = &homes[h];
	unsigned num = one_in(3) ? 256 : 4U << below(7);
	uint32_t feat_lo, feat_hi, want_lo, want_hi;
	unsigned long desc = home, avail = home + 0x1000, used = R_LO + h * PAGE;
	unsigned i;

	if (right || !one_in(4))
		vw(slot, VM_STATUS, 0);
	vw(slot, VM_STATUS, ST_ACK);
	if (right || !one_in(4))
		vw(slot, VM_STATUS, ST_ACK | ST_DRIVER);
	vw(slot, VM_DEV_FEATURES_SEL, 0);
	feat_lo = vr(slot, VM_DEV_FEATURES);
	vw(slot, VM_DEV_FEATURES_SEL, 1);
	feat_hi = vr(slot, VM_DEV_FEATURES);
	want_lo = feat_lo & (uint32_t)rnd();
	want_hi = feat_hi & (1U << (F_VERSION_1 - 32));
	if (!right) {
		if (one_in(3))
			want_lo = (uint32_t)any_value();
		if (one_in(3))
			want_hi = (uint32_t)any_value();
	}
	vw(slot, VM_DRV_FEATURES_SEL, right ? 0 : below(3));
	vw(slot, VM_DRV_FEATURES, want_lo);
	vw(slot, VM_DRV_FEATURES_SEL, right ? 1 : below(3));
	vw(slot, VM_DRV_FEATURES, want_hi);
	if (right || !one_in(4))
		vw(slot, VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	vr(slot, VM_STATUS);
	vw(slot, VM_QUEUE_SEL, right ? 0 : (one_in(2) ? 0 : (uint32_t)any_value()));
	vr(slot, VM_QUEUE_NUM_MAX);
	vr(slot, VM_QUEUE_READY);
	if (!right && one_in(3))
		num = (uint32_t)any_value();
	/* Our home rings, empty. */
	for (i = 0; i < 256; i++)
		put64(desc + 16 * i, 0), put64(desc + 16 * i + 8, 0);
	for (i = 0; i < 0x300; i += 4)
		put32(avail + i, 0);
	for (i = 0; i < 6 + 8 * 256; i += 2)
		put16(used + i, 0);
	mb();
	vw(slot, VM_QUEUE_NUM, num);
	if (!right && one_in(3)) {
		/* The rings at random places instead. */
		unsigned long n = num <= 1024 ? num : 1024;
		desc = one_in(3) ? rnd() : readable_gpa(16 * n, one_in(4) ? 1 : 16);
		avail = one_in(3) ? rnd() : readable_gpa(6 + 2 * n, one_in(4) ? 1 : 2);
		used = one_in(3) ? rnd() : writable_gpa(6 + 8 * n, one_in(4) ? 1 : 4);
		if (usable(desc, 16 * n) && desc >= D_LO && desc + 16 * n <= D_HI && !(desc & 3))
			garbage_table(desc, n, 0);
		else if (usable(desc, 16))
			desc = ram_end - 8;
		if (usable(used, 1) && !(used >= R_LO && used + 6 + 8 * n <= R_HI) && used < img_end)
			used = ram_end - 2;
		if (usable(avail, 1) && !(avail >= D_LO && avail + 6 + 2 * n <= D_HI))
			avail = ram_end - 2;
	}
	wr64(slot + VM_QUEUE_DESC, desc);
	wr64(slot + VM_QUEUE_DRIVER, avail);
	wr64(slot + VM_QUEUE_DEVICE, used);
	vw(slot, VM_QUEUE_READY, right ? 1 : (one_in(4) ? (uint32_t)any_value() : 1));
	vw(slot, VM_STATUS, right ? ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK :
	   (one_in(2) ? ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK : (uint32_t)reg_value(slot + VM_STATUS)));
	nr_bringup[h]++;
	if (right) {
		uint32_t st = vr(slot, VM_STATUS);
		/* The console would not answer a disk request: no home there. */
		hm->slot = (st & ST_DRIVER_OK) && slot != console_slot ? slot : 0;
		hm->num = num;
		hm->avail_idx = hm->used_seen = 0;
		hm->indirect = want_lo >> F_INDIRECT & 1;
		hm->event_idx = want_lo >> F_EVENT_IDX & 1;
	} else {
		hm->slot = 0;
	}
}

/* A request on the home queue: well-formed, or with one thing wrong. */
static void request(int right)
{
	unsigned long h = this_hart(), home = D_LO + h * HOME_SIZE;
	struct home *hm = &homes[h];
	unsigned long desc = home, avail = home + 0x1000, itab = home + 0x2000, hdr = home + 0x3000;
	unsigned long used = R_LO + h * PAGE;
	unsigned long out = home + 0x4000;           /* device-readable data, in D */
	unsigned long in = R_LO + 0x40000 + h * 0x8000;   /* device-writable data, in R */
	unsigned long status = in + 0x7ff0;
	static const uint32_t types[] = { BLK_T_IN, BLK_T_OUT, BLK_T_FLUSH, BLK_T_GET_ID, 2, 11, ~0U };
	uint32_t type = one_in(3) ? types[below(sizeof(types) / sizeof(types[0]))] :
			(one_in(2) ? BLK_T_IN : BLK_T_OUT);
	unsigned nsect = 1 + below(8), d = 0, i, head;
	unsigned long table = desc, t0;
	int use_indirect = hm->indirect && one_in(2);

	if (!hm->slot)
		return;
	head = below(hm->num > 8 ? hm->num - 8 : 1);
	put32(hdr, type);
	put32(hdr + 4, 0);
	put64(hdr + 8, one_in(8) ? any_value() : below(16384));   /* an 8 MiB disk has 16384 */
	if (type == BLK_T_OUT)
		for (i = 0; i < nsect * 512; i += 4)
			put32(out + i, (uint32_t)rnd());
	if (use_indirect)
		table = itab, d = 0;
	else
		d = head;
	/* header, data (1 or 2 pieces), status */
	unsigned first = d;
	put64(table + 16 * d, hdr);
	put32(table + 16 * d + 8, 16);
	put16(table + 16 * d + 12, D_NEXT);
	put16(table + 16 * d + 14, d + 1);
	d++;
	if (type == BLK_T_IN || type == BLK_T_OUT || type == BLK_T_GET_ID) {
		unsigned long buf = type == BLK_T_OUT ? out : in;
		uint16_t wf = type == BLK_T_OUT ? 0 : D_WRITE;
		uint32_t len = type == BLK_T_GET_ID ? 20 : nsect * 512;
		put64(table + 16 * d, buf);
		put32(table + 16 * d + 8, len);
		put16(table + 16 * d + 12, D_NEXT | wf);
		put16(table + 16 * d + 14, d + 1);
		d++;
	}
	put64(table + 16 * d, status);
	put32(table + 16 * d + 8, 1);
	put16(table + 16 * d + 12, D_WRITE);
	put16(table + 16 * d + 14, 0);
	if (!right)   /* one descriptor of garbage */
		garbage_desc(table, first + below(d - first + 1), use_indirect ? d + 1 : hm->num, 0);
	if (use_indirect) {
		put64(desc + 16 * head, itab);
		put32(desc + 16 * head + 8, 16 * (d + 1));
		put16(desc + 16 * head + 12, D_INDIRECT);
		put16(desc + 16 * head + 14, 0);
	}
	*(volatile uint8_t *)status = 0xff;
	put16(avail + 4 + 2 * (hm->avail_idx % hm->num), right || !one_in(3) ? head : (uint16_t)rnd());
	mb();
	hm->avail_idx += right || !one_in(3) ? 1 : (uint16_t)any_value();
	put16(avail + 2, hm->avail_idx);
	mb();
	vw(hm->slot, VM_QUEUE_NOTIFY, 0);
	/*
	 * A synchronous read is answered only after the posted notify before it
	 * was served (docs/dm.md), and the device serves a request at once; a
	 * reset by the other vCPU or a broken request may swallow it.
	 */
	t0 = rdtime();
	while (rdtime() - t0 < 20 * TICKS_PER_MS) {
		vr(hm->slot, VM_INT_STATUS);
		mb();
		if (get16(used + 2) != hm->used_seen) {
			hm->used_seen = get16(used + 2);
			if (*(volatile uint8_t *)status != 0xff)
				nr_done_req[h]++;
			break;
		}
	}
	if (one_in(3))
		vw(hm->slot, VM_INT_ACK, vr(hm->slot, VM_INT_STATUS));
}

/* The queue of a slot pointed at garbage rings, then notified. */
static void garbage_queue(void)
{
	unsigned long slot = any_slot();
	unsigned num = one_in(2) ? 1U << below(9) : (unsigned)any_value();
	unsigned long n = num && num <= 256 ? num : 256;
	unsigned long desc = readable_gpa(16 * n, one_in(8) ? 1 : 16);
	unsigned long avail = readable_gpa(6 + 2 * n, one_in(8) ? 1 : 2);
	unsigned long used = writable_gpa(6 + 8 * n, one_in(8) ? 1 : 4);
	unsigned i;

	if (usable(desc, 16 * n))
		garbage_table(desc, n, 0);
	if (usable(avail, 6 + 2 * n)) {
		put16(avail, (uint16_t)below(4));
		for (i = 0; i < n && i < 64; i++)
			put16(avail + 4 + 2 * i, one_in(4) ? (uint16_t)rnd() : (uint16_t)below(n));
		put16(avail + 2, one_in(2) ? (uint16_t)below(n + 2) : (uint16_t)rnd());
	}
	if (one_in(2))
		vw(slot, VM_QUEUE_READY, 0);
	vw(slot, VM_QUEUE_SEL, one_in(4) ? (uint32_t)any_value() : 0);
	vw(slot, VM_QUEUE_NUM, num);
	wr64(slot + VM_QUEUE_DESC, desc);
	wr64(slot + VM_QUEUE_DRIVER, avail);
	wr64(slot + VM_QUEUE_DEVICE, used);
	vw(slot, VM_QUEUE_READY, 1);
	if (one_in(2))
		vw(slot, VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	vw(slot, VM_QUEUE_NOTIFY, one_in(4) ? (uint32_t)any_value() : 0);
	if (usable(avail, 6 + 2 * n) && one_in(2)) {
		put16(avail + 2, (uint16_t)rnd());   /* and again, racing the device */
		vw(slot, VM_QUEUE_NOTIFY, 0);
	}
	if (this_hart() < GUEST_MAX_HARTS && homes[this_hart()].slot == slot)
		homes[this_hart()].slot = 0;
}

/* The home queue's garbage: avail idx bumped, descriptors trashed, rings read. */
static void abuse_home(void)
{
	struct home *hm = &homes[this_hart()];
	unsigned long desc = D_LO + this_hart() * HOME_SIZE, avail = desc + 0x1000;

	if (!hm->slot) {
		bring_up(any_slot(), 1);
		return;
	}
	switch (below(4)) {
	case 0:
		hm->avail_idx += (uint16_t)any_value();
		put16(avail + 2, hm->avail_idx);
		break;
	case 1:
		garbage_table(desc, hm->num, 0);
		hm->avail_idx++;
		put16(avail + 2, hm->avail_idx);
		break;
	case 2:
		put16(avail, (uint16_t)below(4));   /* NO_INTERRUPT now and then */
		put16(avail + 4 + 2 * hm->num, (uint16_t)rnd());   /* used_event */
		break;
	default:
		put16(avail + 4 + 2 * below(hm->num), (uint16_t)rnd());
		hm->avail_idx++;
		put16(avail + 2, hm->avail_idx);
		break;
	}
	mb();
	vw(hm->slot, VM_QUEUE_NOTIFY, one_in(8) ? (uint32_t)any_value() : 0);
}

/* ---- the virtio console ---- */

/* This vCPU's console rings and buffers: tables and what the device reads in D, the rest in R. */
struct con_area {
	unsigned long rxd, rxa, rxu, rxbuf, txd, txa, txu, txbuf;
};

static void con_area(struct con_area *a)
{
	unsigned long h = this_hart(), d = D_LO + h * HOME_SIZE + 0x8000, r = R_LO + h * PAGE;

	*a = (struct con_area){ .rxd = d, .rxa = d + 0x1000, .txd = d + 0x2000, .txa = d + 0x3000,
				.txbuf = d + 0x4000, .rxu = r + 0xc00, .txu = r + 0xe00,
				.rxbuf = R_LO + 0x40000 + h * 0x8000 + 0x2000 };
}

/* A register write of the console; EXACT: never the x0 form (which would store 0). */
static void cw(unsigned off, uint32_t v, int exact)
{
	access_as(SW, console_slot + off, v, exact);
}

static void cw64(unsigned off, uint64_t v, int exact)
{
	cw(off, (uint32_t)v, exact);
	cw(off + 4, (uint32_t)(v >> 32), exact);
}

static void con_queue(unsigned q, unsigned long desc, unsigned long avail, unsigned long used, int right,
		      int exact)
{
	unsigned i;

	for (i = 0; i < 2 * CON_NUM + 6; i += 2)
		put16(avail + i, 0);
	for (i = 0; i < 8 * CON_NUM + 6; i += 2)
		put16(used + i, 0);
	mb();
	cw(VM_QUEUE_SEL, q, exact);
	cw(VM_QUEUE_NUM, right || !one_in(4) ? CON_NUM : (uint32_t)any_value(), exact);
	cw64(VM_QUEUE_DESC, desc, exact);
	cw64(VM_QUEUE_DRIVER, avail, exact);
	cw64(VM_QUEUE_DEVICE, used, exact);
	cw(VM_QUEUE_READY, 1, exact);
}

/*
 * Reset and bring-up with both queues on this vCPU's rings (wrong: a step
 * skipped or garbage). Only an EXACT one is sure to be right: the fuzzer's
 * stores sometimes store x0 instead of the value.
 */
static void con_bring_up(const struct con_area *a, int right, int exact)
{
	cw(VM_STATUS, 0, exact);
	cw(VM_STATUS, ST_ACK | ST_DRIVER, exact);
	cw(VM_DRV_FEATURES_SEL, 0, exact);
	cw(VM_DRV_FEATURES, right ? 0 : (uint32_t)rnd(), exact);
	cw(VM_DRV_FEATURES_SEL, 1, exact);
	cw(VM_DRV_FEATURES, 1U << (F_VERSION_1 - 32), exact);
	if (right || !one_in(4))
		cw(VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK, exact);
	con_queue(0, a->rxd, a->rxa, a->rxu, right, exact);
	con_queue(1, a->txd, a->txa, a->txu, right, exact);
	cw(VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK, exact);
}

/* Descriptor I of TABLE: ADDR, LEN, FLAGS, NEXT. */
static void con_desc(unsigned long table, unsigned i, unsigned long addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	put64(table + 16UL * i, addr);
	put32(table + 16UL * i + 8, len);
	put16(table + 16UL * i + 12, flags);
	put16(table + 16UL * i + 14, next);
}

static void con_offer(unsigned long avail, uint16_t *idx, uint16_t head)
{
	put16(avail + 4 + 2 * (*idx % CON_NUM), head);
	mb();
	(*idx)++;
	put16(avail + 2, *idx);
	mb();
}

/*
 * One round: bring-up, receive buffers posted, transmit chains sent, each
 * right or with something wrong (a garbage descriptor, a buffer the wrong
 * way, an avail index far ahead). The device must stop on what is wrong
 * and never write outside what a right chain gave it.
 */
static void console_dance(void)
{
	struct con_area a;
	uint16_t rx_idx = 0, tx_idx = 0;
	unsigned i, n = 1 + below(6);
	int right = !one_in(3);

	con_area(&a);
	con_bring_up(&a, right, 0);
	for (i = 0; i < CON_NUM / 2; i++) {
		con_desc(a.rxd, i, a.rxbuf + 0x100 * i, 1 + below(0x100), D_WRITE, 0);
		if (!right && one_in(6))
			garbage_desc(a.rxd, i, CON_NUM, 0);
		else if (!right && one_in(8))
			con_desc(a.rxd, i, a.txbuf, 4, 0, 0);   /* readable in the receive queue */
		con_offer(a.rxa, &rx_idx, (uint16_t)i);
	}
	vw(console_slot, VM_QUEUE_NOTIFY, 0);
	for (i = 0; i < n; i++) {
		unsigned d = i % CON_NUM;
		put32(a.txbuf + 16 * d, 0x6e6f6376U);        /* "vcon" */
		put32(a.txbuf + 16 * d + 4, 0x0a202020U);    /* "   \n" */
		con_desc(a.txd, d, a.txbuf + 16 * d, 8, 0, 0);
		if (!right && one_in(4))
			garbage_desc(a.txd, d, CON_NUM, 0);
		else if (!right && one_in(6))
			con_desc(a.txd, d, a.rxbuf, 4, D_WRITE, 0);   /* writable in the transmit queue */
		con_offer(a.txa, &tx_idx, (uint16_t)d);
		if (!right && one_in(8)) {
			tx_idx += (uint16_t)(CON_NUM + below(1000));
			put16(a.txa + 2, tx_idx);
		}
		vw(console_slot, VM_QUEUE_NOTIFY, one_in(8) ? (uint32_t)any_value() : 1);
		nr_con_sent[this_hart()]++;
	}
	vr(console_slot, VM_STATUS);
	vw(console_slot, VM_INT_ACK, vr(console_slot, VM_INT_STATUS));
}

/* After the fuzzing: a reset, a right bring-up and one line out, seen in the used ring. */
static int console_works(void)
{
	static const char line[] = CON_WORKS;
	struct con_area a;
	uint16_t tx_idx = 0;
	unsigned long t0;
	unsigned i;

	con_area(&a);
	con_bring_up(&a, 1, 1);
	for (i = 0; i + 4 <= sizeof line - 1; i += 4)
		put32(a.txbuf + i, (uint32_t)line[i] | (uint32_t)line[i + 1] << 8 |
		      (uint32_t)line[i + 2] << 16 | (uint32_t)line[i + 3] << 24);
	for (; i < sizeof line - 1; i++)
		*(volatile char *)(a.txbuf + i) = line[i];
	con_desc(a.txd, 0, a.txbuf, sizeof line - 1, 0, 0);
	con_offer(a.txa, &tx_idx, 0);
	cw(VM_QUEUE_NOTIFY, 1, 1);
	for (t0 = rdtime(); rdtime() - t0 < 5000 * TICKS_PER_MS;) {
		vr(console_slot, VM_INT_STATUS);
		mb();
		if (get16(a.txu + 2) == 1)
			return !(vr(console_slot, VM_STATUS) & ST_NEEDS_RESET);
	}
	printf("mmiofuzz: console used idx %u status 0x%x isr 0x%x\n", get16(a.txu + 2),
	       vr(console_slot, VM_STATUS), vr(console_slot, VM_INT_STATUS));
	return 0;
}

static void find_console(void)
{
	unsigned n;

	for (n = 0; n < VIRTIO_SLOTS; n++)
		if (rd32(VIRTIO_SLOT(n) + VM_DEVICE_ID) == ID_CONSOLE)
			console_slot = VIRTIO_SLOT(n);
}

/* ---- virtio-net ---- */

/* Register writes of the net code arrive as written: its bring-ups must work to go deep. */
static void nw(unsigned off, uint32_t v) { wr32_exact(net_slot + off, v); }

static unsigned long net_table(unsigned long h, unsigned q) { return D_LO + h * HOME_SIZE + NET_HOME + q * 0x2000; }

/* Both queues with this vCPU's rings, features a random choice of the offered ones. */
static void net_bring_up(void)
{
	unsigned long h = this_hart(), slot = net_slot;
	unsigned num = 4U << below(7), q, i;   /* 4..256 */
	uint32_t feat;

	nw(VM_STATUS, 0);
	nw(VM_STATUS, ST_ACK | ST_DRIVER);
	nw(VM_DEV_FEATURES_SEL, 0);
	feat = vr(slot, VM_DEV_FEATURES) & (uint32_t)rnd();
	nw(VM_DRV_FEATURES_SEL, 0);
	nw(VM_DRV_FEATURES, feat);
	nw(VM_DRV_FEATURES_SEL, 1);
	nw(VM_DRV_FEATURES, 1U << (F_VERSION_1 - 32));
	nw(VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	for (q = 0; q < 2; q++) {
		unsigned long desc = net_table(h, q), avail = desc + 0x1000, used = NET_USED(h) + q * PAGE;
		for (i = 0; i < 16 * num; i += 4)
			put32(desc + i, 0);
		for (i = 0; i < 6 + 2 * num; i += 2)
			put16(avail + i, 0);
		for (i = 0; i < 6 + 8 * num; i += 2)
			put16(used + i, 0);
		mb();
		nw(VM_QUEUE_SEL, q);
		nw(VM_QUEUE_NUM, num);
		nw(VM_QUEUE_DESC, (uint32_t)desc);
		nw(VM_QUEUE_DESC + 4, (uint32_t)(desc >> 32));
		nw(VM_QUEUE_DRIVER, (uint32_t)avail);
		nw(VM_QUEUE_DRIVER + 4, (uint32_t)(avail >> 32));
		nw(VM_QUEUE_DEVICE, (uint32_t)used);
		nw(VM_QUEUE_DEVICE + 4, (uint32_t)(used >> 32));
		nw(VM_QUEUE_READY, 1);
		nets[h].idx[q] = 0;
	}
	nw(VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	nets[h].num = num;
	nr_bringup[h]++;
}

/* Descriptor I of queue Q's table. */
static void net_desc(unsigned q, unsigned i, unsigned long addr, uint32_t len, uint16_t flags, uint16_t next)
{
	unsigned long t = net_table(this_hart(), q) + 16UL * (i % nets[this_hart()].num);

	put64(t, addr);
	put32(t + 8, len);
	put16(t + 12, flags);
	put16(t + 14, next);
}

static void net_offer(unsigned q, unsigned head)
{
	unsigned long h = this_hart(), avail = net_table(h, q) + 0x1000;

	put16(avail + 4 + 2 * (nets[h].idx[q] % nets[h].num), (uint16_t)head);
	mb();
	nets[h].idx[q]++;
	put16(avail + 2, nets[h].idx[q]);
}

/* A transmit chain at descriptor D: mostly good, else one of the ways a packet can be wrong. */
static void net_tx_chain(unsigned d)
{
	unsigned long data = D_LO + this_hart() * HOME_SIZE + NET_HOME + 0x4000;   /* 16 KiB, in D */
	unsigned num = nets[this_hart()].num, n, i;
	uint32_t len = 14 + 4 * below(380);

	for (i = 0; i < NET_HDR; i += 4)   /* a header asking for offloads now and then */
		put32(data + i, one_in(4) ? (uint32_t)rnd() : 0);
	switch (one_in(3) ? below(5) : 5) {
	case 0:   /* a header cut short */
		net_desc(NET_TXQ, d, data, 1 + below(NET_HDR - 1), 0, 0);
		break;
	case 1:   /* a frame over 64 KiB: 17 pieces of 4 KiB, the same buffer each time */
		n = num < 18 ? num : 18;
		net_desc(NET_TXQ, d, data, NET_HDR, D_NEXT, (uint16_t)(d + 1) % num);
		for (i = 1; i < n; i++)
			net_desc(NET_TXQ, d + i, data + 0x1000, 0x1000, i + 1 < n ? D_NEXT : 0,
				 (uint16_t)((d + i + 1) % num));
		break;
	case 2:   /* a loop */
		net_desc(NET_TXQ, d, data, NET_HDR + len, D_NEXT, (uint16_t)(d % num));
		break;
	case 3:   /* a device-writable buffer in a transmit chain */
		net_desc(NET_TXQ, d, NET_RXBUF(this_hart()), NET_HDR + len, D_WRITE, 0);
		break;
	case 4:   /* outside RAM, or a huge length */
		net_desc(NET_TXQ, d, one_in(2) ? outside_gpa(len) : data, one_in(2) ? ~0U - below(4) : len, 0, 0);
		break;
	default:  /* a packet */
		net_desc(NET_TXQ, d, data, NET_HDR + len, 0, 0);
		break;
	}
	net_offer(NET_TXQ, d % num);
}

/* A receive chain at descriptor D: mostly a good buffer, else a readable, tiny or huge one. */
static void net_rx_chain(unsigned d)
{
	unsigned long buf = NET_RXBUF(this_hart()) + 0x800 * below(16);
	unsigned num = nets[this_hart()].num;

	switch (one_in(3) ? below(5) : 5) {
	case 0: net_desc(NET_RXQ, d, buf, 2048, 0, 0); break;                     /* readable */
	case 1: net_desc(NET_RXQ, d, buf, 1 + below(NET_HDR), D_WRITE, 0); break;  /* shorter than a header */
	case 2: net_desc(NET_RXQ, d, buf, ~0U - below(4), D_WRITE, 0); break;      /* huge */
	case 3: net_desc(NET_RXQ, d, outside_gpa(2048), 2048, D_WRITE, 0); break;
	case 4: net_desc(NET_RXQ, d, buf, 64, D_WRITE | D_NEXT, (uint16_t)(d % num)); break;   /* loop */
	default: net_desc(NET_RXQ, d, buf, one_in(4) ? 64 + below(2000) : 2048, D_WRITE, 0); break;
	}
	net_offer(NET_RXQ, d % num);
}

/* Brought up again whenever the device stopped (NEEDS_RESET) or another vCPU took it over. */
static void net_abuse(void)
{
	unsigned long h = this_hart();
	unsigned n = 1 + below(4), i, q;
	uint32_t st = vr(net_slot, VM_STATUS);

	if (!nets[h].num || (st & ST_NEEDS_RESET) || !(st & ST_DRIVER_OK) || one_in(16)) {
		net_bring_up();
		for (i = 0; i < nets[h].num && i < 32; i++) {   /* buffers for what Dom0 sends */
			net_desc(NET_RXQ, i, NET_RXBUF(h) + 0x800 * (i % 16), 2048, D_WRITE, 0);
			net_offer(NET_RXQ, i);
		}
		nw(VM_QUEUE_NOTIFY, NET_RXQ);
	}
	q = below(2);
	for (i = 0; i < n; i++) {
		unsigned d = nets[h].idx[q] * 18 % nets[h].num;
		if (q == NET_TXQ)
			net_tx_chain(d);
		else
			net_rx_chain(d);
	}
	nr_net_chains[h] += n;
	mb();
	nw(VM_QUEUE_NOTIFY, one_in(16) ? (uint32_t)any_value() : q);
	if (one_in(3))
		nw(VM_INT_ACK, vr(net_slot, VM_INT_STATUS));
}

/* PLIC: the S context of a vCPU enables sources, claims and completes. */
static void plic_dance(void)
{
	unsigned long ctx = 2 * below(nr_vcpus) + 1, w;
	unsigned long claim = PLIC_BASE + 0x200004 + 0x1000 * ctx;
	uint32_t src;

	for (w = 1; w <= 10; w++)
		if (one_in(3))
			wr32(PLIC_BASE + 4 * w, below(8));
	wr32(PLIC_BASE + 0x2000 + 0x80 * ctx, (uint32_t)(one_in(2) ? 0x7fe : rnd()));
	wr32(PLIC_BASE + 0x200000 + 0x1000 * ctx, below(one_in(4) ? 9 : 2));
	src = rd32(claim);
	if (one_in(4))
		src = (uint32_t)any_value();
	wr32(claim, src);
}

/* UART: a burst of register traffic, loopback and FIFO modes included. */
static void uart_dance(void)
{
	unsigned i, n = 1 + below(8);

	if (one_in(2))
		access(SB, UART_BASE + 4, one_in(2) ? 0x10 | below(16) : below(16));   /* MCR: loopback */
	if (one_in(3))
		access(SB, UART_BASE + 2, rnd() & 0xff);                              /* FCR */
	for (i = 0; i < n; i++) {
		if (one_in(2))
			access(SB, UART_BASE, 'a' + below(26));
		else
			access(LBU, UART_BASE + below(8), 0);
	}
	if (one_in(4))
		access(SB, UART_BASE + 3, one_in(2) ? 0x03 : rnd() & 0xff);           /* LCR, DLAB */
}

static void fuzz(unsigned long hart)
{
	trap_init();
	while (nr_access[hart] < accesses_per_vcpu) {
		switch (below(32)) {
		case 0: case 1: {
			/* A right bring-up is followed by a burst of mostly right requests: deep states. */
			int right = one_in(2);
			unsigned n = 1 + below(8), i;

			bring_up(any_slot(), right);
			for (i = 0; right && i < n; i++)
				request(i == 0 || !one_in(6));
			break;
		}
		case 2: case 3: case 4: case 5:
			request(one_in(2));
			break;
		case 6: case 7:
			garbage_queue();
			break;
		case 8: case 9:
			abuse_home();
			break;
		case 10:
			if (one_in(4)) {   /* a reset now and then */
				unsigned long slot = any_slot();
				vw(slot, VM_STATUS, 0);
				if (homes[hart].slot == slot)
					homes[hart].slot = 0;
			}
			break;
		case 11:
			plic_dance();
			break;
		case 12:
			uart_dance();
			break;
		case 13:
			if (console_slot)
				console_dance();
			else if (net_slot)
				net_abuse();
			else
				random_access();
			break;
		case 14: case 15:
			/* Without a NIC, as before: the same random accesses (seeds keep their runs). */
			if (net_slot) {
				net_abuse();
				break;
			}
			random_access();
			break;
		default:
			random_access();
			break;
		}
	}
	/* Leave the UART as a console again: no loopback, DLAB off. */
	access(SB, UART_BASE + 4, 0x08);
	access(SB, UART_BASE + 3, 0x03);
	__atomic_store_n(&done[hart], 1, __ATOMIC_RELEASE);
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	if (opaque != OPAQUE)
		fail("hart %lu started with opaque 0x%lx", hartid, opaque);
	fuzz(hartid);
}

static unsigned long parse_number(const char *s, const char *end)
{
	unsigned long v = 0, base = 10;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2, base = 16;
	for (; s < end; s++) {
		unsigned long d = *s >= '0' && *s <= '9' ? (unsigned long)(*s - '0') :
				  *s >= 'a' && *s <= 'f' ? (unsigned long)(*s - 'a' + 10) : 99;
		if (d >= base)
			break;
		v = v * base + d;
	}
	return v;
}

static int word_is(const char *w, const char *s, const char *lit)
{
	unsigned long n = strlen(lit);

	return (unsigned long)(s - w) == n && !strncmp(w, lit, n);
}

/* "seed=S accesses=N trace mode=M", any order, other words ignored. */
static void parse_bootargs(unsigned long dtb)
{
	unsigned int len = 0;
	const char *s = fdt_top_prop(dtb, "chosen", "bootargs", &len), *end, *w;

	if (!s)
		return;
	end = s + len;
	while (s < end && *s) {
		for (w = s; s < end && *s && *s != ' '; s++)
			;
		if (s - w > 5 && !strncmp(w, "seed=", 5))
			seed = parse_number(w + 5, s);
		else if (s - w > 9 && !strncmp(w, "accesses=", 9))
			accesses_per_vcpu = parse_number(w + 9, s);
		else if (word_is(w, s, "trace"))
			trace = 1;
		else if (word_is(w, s, "mode=misaligned"))
			mode = MODE_MISALIGNED;
		else if (word_is(w, s, "mode=hole"))
			mode = MODE_HOLE;
		else if (word_is(w, s, "mode=cross"))
			mode = MODE_CROSS;
		while (s < end && *s == ' ')
			s++;
	}
}

static void find_ram(unsigned long dtb)
{
	ram_end = fdt_ram_end(dtb, RAM_BASE, 16 * 1024 * 1024);
}

/*
 * Before the fuzzing, alone: the answers whose value is known, in every form
 * (32-bit, offset, compressed, x0), so a wrong register, width or extension
 * in the microvisor's emulation shows as a FAIL line.
 */
static void selfcheck(void)
{
	static const unsigned forms[] = { 0, 1, 2, 3 };
	unsigned long scr = UART_BASE + 7, v;
	unsigned f;

	for (f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		store(SB, scr, 0xa5, forms[f] == 2 ? 0 : forms[f]);
		v = load(LBU, scr, 0);
		if (v != (forms[f] == 3 ? 0 : 0xa5))
			fail("sb form %u of 0xa5 to the uart's scratch reads back 0x%lx", forms[f], v);
		store(SB, scr, 0xa5, 0);
		if ((v = load(LB, scr, forms[f] == 3 ? 0 : forms[f])) != 0xffffffffffffffa5UL)
			fail("lb form %u of 0xa5 gave 0x%lx", forms[f], v);
		if ((v = load(LBU, scr, forms[f] == 3 ? 0 : forms[f])) != 0xa5)
			fail("lbu form %u of 0xa5 gave 0x%lx", forms[f], v);
		if ((v = load(LW, VIRTIO_BASE + VM_MAGIC, forms[f] == 3 ? 0 : forms[f])) != VIRTIO_MAGIC)
			fail("lw form %u of virtio magic gave 0x%lx", forms[f], v);
		if ((v = load(LWU, VIRTIO_BASE + VM_MAGIC, forms[f] == 3 ? 0 : forms[f])) != VIRTIO_MAGIC)
			fail("lwu form %u of virtio magic gave 0x%lx", forms[f], v);
		if ((v = load(LD, VIRTIO_BASE + VM_VERSION - 4, forms[f] == 3 ? 0 : forms[f])) != 0)
			fail("ld form %u of virtio magic gave 0x%lx (registers are 32-bit)", forms[f], v);
		store(SW, VIRTIO_BASE + VM_DRV_FEATURES_SEL, 0x80000001U, forms[f] == 2 ? 0 : forms[f]);
		store(SW, VIRTIO_BASE + VM_STATUS, 0, forms[f]);
	}
	store(SB, scr, 0, 0);
}

/* One access that must end this domain (and nothing else); stvec 0: we cannot catch it. */
static void crash_on_purpose(void)
{
	unsigned long a;
	const char *what;

	switch (mode) {
	case MODE_MISALIGNED: a = UART_BASE + 1; what = "misaligned lw"; break;
	/* Past the eight slots, the power button's ninth and the balloon's tenth (docs/dm.md): nothing there. */
	case MODE_HOLE: a = VIRTIO_BASE + (VIRTIO_SLOTS + 2) * 0x1000 + 0x40; what = "lw in a hole"; break;
	default: a = UART_BASE + UART_SIZE - 2; what = "lw across the end of the uart"; break;
	}
	printf("mmiofuzz: %s at 0x%lx\n", what, a);
	csr_write(stvec, 0);
	a = load(LW, a, 0);
	printf("mmiofuzz: %s returned 0x%lx: the domain should have been stopped\n", what, a);
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long h, total = 0, reqs = 0, ups = 0, con = 0;

	print_set_console(PRINT_DBCN);
	find_ram(dtb);
	parse_bootargs(dtb);
	img_end = ((unsigned long)_end + PAGE - 1) & ~(PAGE - 1);
	nr_vcpus = 0;
	for (h = hsm_probe_harts(); h & 1; h >>= 1)
		nr_vcpus++;
	if (mode != MODE_FUZZ) {
		crash_on_purpose();
		return 0;
	}
	printf("mmiofuzz: seed %lu, %lu vcpus, %lu accesses each, RAM 0x%lx-0x%lx\n",
	       seed, nr_vcpus, accesses_per_vcpu, RAM_BASE, ram_end);
	if (ram_end < img_end + PAGE || nr_vcpus > GUEST_MAX_HARTS) {
		printf("mmiofuzz: FAIL too little RAM or too many vcpus\n");
		return 0;
	}
	/* Before the seeding: the reads draw on the generator, and a seed's run must not change. */
	for (h = 0; h < VIRTIO_SLOTS && !net_slot; h++)
		if (rd32(VIRTIO_SLOT(h) + VM_DEVICE_ID) == NET_ID)
			net_slot = VIRTIO_SLOT(h);
	if (net_slot)
		printf("mmiofuzz: virtio-net in slot %lu\n", (net_slot - VIRTIO_BASE) / 0x1000);
	for (h = 0; h < nr_vcpus; h++)
		rng[h] = seed * 0x100000001b3UL + h + 1;
	selfcheck();
	find_console();
	for (h = 0; h < nr_vcpus; h++)
		if (h != hartid) {
			struct sbiret r = sbi_hart_start(h, (unsigned long)secondary_entry, OPAQUE);
			if (r.error)
				fail("hart_start of vcpu %lu: error %ld", h, r.error);
		}
	fuzz(hartid);
	for (h = 0; h < nr_vcpus; h++) {
		unsigned long start = rdtime();

		while (!__atomic_load_n(&done[h], __ATOMIC_ACQUIRE))
			if (rdtime() - start > WAIT_MS * TICKS_PER_MS) {
				fail("vcpu %lu never finished (%lu accesses)", h, nr_access[h]);
				break;
			}
		if (h != hartid && hsm_wait_status(h, SBI_HSM_STOPPED, WAIT_MS))
			fail("vcpu %lu did not stop", h);
		total += nr_access[h];
		reqs += nr_done_req[h];
		ups += nr_bringup[h];
		con += nr_con_sent[h];
	}
	if (console_slot) {
		printf("mmiofuzz: %lu console chains sent\n", con);
		if (!console_works())
			printf("mmiofuzz: FAIL the virtio console does not work after a reset\n");
	}
	if (nr_fails)
		printf("mmiofuzz: FAIL %d wrong answers\n", nr_fails);
	printf("mmiofuzz: %lu bring-ups, %lu requests completed\n", ups, reqs);
	if (net_slot) {
		unsigned long chains = 0;
		for (h = 0; h < nr_vcpus; h++)
			chains += nr_net_chains[h];
		printf("mmiofuzz: %lu virtio-net chains offered\n", chains);
	}
	printf("mmiofuzz: %lu accesses, seed %lu, done\n", total, seed);
	return 0;
}
