// SPDX-License-Identifier: MIT
/*
 * devprobe.c: probes the devices of a QEMU-virt-like machine from S-mode (or
 * VS-mode as a DomU) and prints one line per check, the same lines on bare
 * QEMU and under Rivet's device model, so the two outputs compare equal:
 *
 *   16550 UART at 0x10000000 (PLIC source 10): scratch, FIFO, divisor
 *   latch, loopback (data, LSR, MSR), THR-empty and RX-data interrupts
 *   through the PLIC. The UART is also the firmware's console on bare QEMU,
 *   so its lines are buffered and printed only after every register is
 *   restored.
 *   PLIC at 0x0c000000 (this hart's S-mode context 2 * hartid + 1): WARL
 *   priority, enable words, threshold masking, claim / complete.
 *   virtio-mmio slots at 0x10001000 + n * 0x1000: the first virtio-blk
 *   (DeviceID 2) is driven with VERSION_1 and one split queue: capacity,
 *   reads, a write read back, GET_ID, requests past the end, an unknown
 *   type, its interrupt polled through the PLIC and taken as a trap, then
 *   hostile requests (bad address, looping and broken chains, bad ring
 *   indices), each followed by a reset and a read that must work again.
 *
 * Nothing printed names a slot or an IRQ number that differs between bare
 * QEMU (the device in the highest slot) and a DomU (slot 0). The disk is
 * the one tests/integration/devices.py makes: 2048 sectors, byte j of
 * sector s is (13s + 7j + j/256 + s/256) mod 256.
 */
#include <stdarg.h>
#include <stdint.h>

#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/print.h"
#include "lib/sbi.h"
#include "lib/string.h"
#include "lib/trap.h"
#include "lib/virtio_mmio.h"

#define MS(n) ((unsigned long)(n) * TICKS_PER_MS)

/* ---- MMIO ---- */

static inline uint32_t rd32(unsigned long a) { return *(volatile uint32_t *)a; }
static inline void wr32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint8_t rd8(unsigned long a) { return *(volatile uint8_t *)a; }
static inline void wr8(unsigned long a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline void mb(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }

/* ---- output: one line per check, buffered while the UART is borrowed ---- */

static char held[6144];
static unsigned held_len;
static int holding;
static unsigned nr_fail;

static void emit(const char *line)
{
	if (!holding) {
		printf("%s", line);
		return;
	}
	size_t n = strlen(line);
	if (held_len + n < sizeof(held)) {
		memcpy(held + held_len, line, n);
		held_len += n;
	}
}

static void release_held(void)
{
	holding = 0;
	for (unsigned i = 0, start = 0; i < held_len; i++) {
		if (held[i] != '\n')
			continue;
		held[i] = 0;
		printf("%s\n", held + start);
		start = i + 1;
	}
	held_len = 0;
}

static void vline(const char *check, const char *verdict, const char *fmt, va_list ap)
{
	char line[240];
	int n = snprintf(line, sizeof(line), "devprobe: %s: %s", check, verdict);

	if (n < (int)sizeof(line) - 2 && fmt && *fmt)
		n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n] = '\n';
	line[n + 1] = 0;
	emit(line);
}

/* "devprobe: CHECK: ok DETAILS" or "devprobe: CHECK: FAIL DETAILS". */
static void check(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	if (!ok)
		nr_fail++;
	va_start(ap, fmt);
	vline(name, ok ? "ok" : "FAIL", fmt, ap);
	va_end(ap);
}

static const char *yn(int b) { return b ? "yes" : "no"; }

/* ---- PLIC ---- */

#define PLIC_BASE          0x0c000000UL
#define PLIC_PRIO(s)       (PLIC_BASE + 4UL * (s))
#define PLIC_PENDING(s)    (PLIC_BASE + 0x1000UL + 4UL * ((s) / 32))
#define PLIC_ENABLE(c, w)  (PLIC_BASE + 0x2000UL + 0x80UL * (c) + 4UL * (w))
#define PLIC_THRESHOLD(c)  (PLIC_BASE + 0x200000UL + 0x1000UL * (c))
#define PLIC_CLAIM(c)      (PLIC_BASE + 0x200004UL + 0x1000UL * (c))
#define PLIC_SOURCES       96          /* 1..95 */

static unsigned long ctx;              /* this hart's S-mode context */

static int plic_pending(unsigned src)
{
	return (rd32(PLIC_PENDING(src)) >> (src % 32)) & 1;
}

static void plic_enable(unsigned src, int on)
{
	uint32_t w = rd32(PLIC_ENABLE(ctx, src / 32));

	w = on ? w | (1u << (src % 32)) : w & ~(1u << (src % 32));
	wr32(PLIC_ENABLE(ctx, src / 32), w);
}

static int seip(void)
{
	return (csr_read(sip) >> IRQ_S_EXT) & 1;
}

/* Waits up to ms for src to be pending in the PLIC. */
static int wait_plic_pending(unsigned src, unsigned ms)
{
	unsigned long t0 = rdtime();

	while (!plic_pending(src))
		if (rdtime() - t0 > MS(ms))
			return 0;
	return 1;
}

/* Claims and completes whatever this context can claim (silently): a clean slate. */
static void plic_drain(void)
{
	for (int i = 0; i < 16; i++) {
		uint32_t s = rd32(PLIC_CLAIM(ctx));
		if (!s)
			break;
		wr32(PLIC_CLAIM(ctx), s);
	}
}

/* ---- 16550 UART ---- */

#define UART_BASE  0x10000000UL
#define UART_IRQ   10
#define U_RBR 0   /* THR on write, DLL with DLAB */
#define U_IER 1   /* DLM with DLAB */
#define U_IIR 2   /* FCR on write */
#define U_LCR 3
#define U_MCR 4
#define U_LSR 5
#define U_MSR 6
#define U_SCR 7
#define LSR_DR    0x01
#define LSR_THRE  0x20
#define LSR_TEMT  0x40

static uint8_t ur(unsigned r) { return rd8(UART_BASE + r); }
static void uw(unsigned r, uint8_t v) { wr8(UART_BASE + r, v); }

/* Waits up to ms for (LSR & mask) == want. */
static int wait_lsr(uint8_t mask, uint8_t want, unsigned ms)
{
	unsigned long t0 = rdtime();

	while ((ur(U_LSR) & mask) != want)
		if (rdtime() - t0 > MS(ms))
			return 0;
	return 1;
}

/*
 * Scratch-register accesses whose registers are gp and s0-s11, which a
 * hypervisor may keep out of its trap frame until it needs them: a store
 * from s5 and a load into s7, a store from s11 and a load into s0, with
 * every other of those registers holding a value that must come back.
 */
#define NR_SAVED 13   /* gp, s0-s11 */
static int scratch_via_saved_regs(unsigned long *s7, unsigned long *s0)
{
	static unsigned long in[NR_SAVED], out[NR_SAVED];
	int ok = 1;

	for (int i = 0; i < NR_SAVED; i++)
		in[i] = 0x0123456789ab0000UL + 0x1111UL * (i + 1);
	__asm__ volatile(
		"mv	t0, %0\n mv t1, %1\n mv t2, %2\n mv t3, gp\n"
		"ld	gp, 0(t0)\n  ld s0, 8(t0)\n   ld s1, 16(t0)\n  ld s2, 24(t0)\n"
		"ld	s3, 32(t0)\n ld s4, 40(t0)\n  ld s5, 48(t0)\n  ld s6, 56(t0)\n"
		"ld	s7, 64(t0)\n ld s8, 72(t0)\n  ld s9, 80(t0)\n  ld s10, 88(t0)\n"
		"ld	s11, 96(t0)\n"
		"sb	s5, 7(t2)\n lbu s7, 7(t2)\n sb s11, 7(t2)\n lbu s0, 7(t2)\n"
		"sd	gp, 0(t1)\n  sd s0, 8(t1)\n   sd s1, 16(t1)\n  sd s2, 24(t1)\n"
		"sd	s3, 32(t1)\n sd s4, 40(t1)\n  sd s5, 48(t1)\n  sd s6, 56(t1)\n"
		"sd	s7, 64(t1)\n sd s8, 72(t1)\n  sd s9, 80(t1)\n  sd s10, 88(t1)\n"
		"sd	s11, 96(t1)\n"
		"mv	gp, t3"
		: : "r"(in), "r"(out), "r"(UART_BASE)
		: "t0", "t1", "t2", "t3", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9",
		  "s10", "s11", "memory");
	*s7 = out[8];
	*s0 = out[1];
	for (int i = 0; i < NR_SAVED; i++) {
		unsigned long want = in[i];
		if (i == 8)
			want = in[6] & 0xff;     /* s7 := the byte s5 stored */
		else if (i == 1)
			want = in[12] & 0xff;    /* s0 := the byte s11 stored */
		if (out[i] != want)
			ok = 0;
	}
	return ok;
}

static void uart_checks(void)
{
	uint8_t a, b, c, v[4];

	/* Let the firmware's last bytes leave, then borrow the UART. */
	wait_lsr(LSR_TEMT, LSR_TEMT, 100);
	holding = 1;

	uint8_t ier0 = ur(U_IER), lcr0 = ur(U_LCR), mcr0 = ur(U_MCR), iir0 = ur(U_IIR);
	uw(U_LCR, lcr0 | 0x80);
	uint8_t dll0 = ur(U_RBR), dlm0 = ur(U_IER);
	uw(U_LCR, lcr0 & 0x7f);
	uint32_t prio0 = rd32(PLIC_PRIO(UART_IRQ)), thr0 = rd32(PLIC_THRESHOLD(ctx));
	uint32_t en0 = rd32(PLIC_ENABLE(ctx, UART_IRQ / 32));
	uw(U_IER, 0);

	uw(U_SCR, 0xa5);
	a = ur(U_SCR);
	uw(U_SCR, 0x5a);
	b = ur(U_SCR);
	check("uart scratch", a == 0xa5 && b == 0x5a, " (0x%x 0x%x)", a, b);
	unsigned long s7, s0;
	int saved_ok = scratch_via_saved_regs(&s7, &s0);
	check("uart scratch via gp and s-registers", saved_ok, " (s7 0x%lx s0 0x%lx)", s7, s0);

	uw(U_IIR, 0x07);        /* FCR: FIFOs on and cleared, RX trigger 1 byte */
	a = ur(U_IIR);
	check("uart fifo enabled in iir", (a & 0xc0) == 0xc0, " (iir 0x%x)", a);

	uw(U_LCR, 0x83);
	uw(U_RBR, 0x34);
	uw(U_IER, 0x12);
	a = ur(U_RBR);
	b = ur(U_IER);
	c = ur(U_LCR);
	uw(U_LCR, 0x03);
	v[0] = ur(U_IER);       /* IER again, not DLM */
	v[1] = ur(U_LCR);
	check("uart divisor latch", a == 0x34 && b == 0x12 && c == 0x83 && v[0] == 0 && v[1] == 0x03,
	      " (dll 0x%x dlm 0x%x lcr 0x%x, then ier 0x%x lcr 0x%x)", a, b, c, v[0], v[1]);

	uw(U_MCR, 0x10);        /* loopback */
	wait_lsr(LSR_TEMT, LSR_TEMT, 100);
	while (ur(U_LSR) & LSR_DR)
		(void)ur(U_RBR);
	a = ur(U_LSR);
	check("uart loopback idle lsr", a == (LSR_THRE | LSR_TEMT), " (0x%x)", a);
	uw(U_RBR, 'R');
	uw(U_RBR, 'v');
	uw(U_RBR, '!');
	int got = wait_lsr(LSR_DR | LSR_TEMT, LSR_DR | LSR_TEMT, 100);
	a = ur(U_LSR);
	v[0] = ur(U_RBR);
	v[1] = ur(U_RBR);
	v[2] = ur(U_RBR);
	b = ur(U_LSR);
	check("uart loopback data", got && v[0] == 'R' && v[1] == 'v' && v[2] == '!' &&
	      a == (LSR_DR | LSR_THRE | LSR_TEMT) && b == (LSR_THRE | LSR_TEMT),
	      " (lsr 0x%x, read 0x%x 0x%x 0x%x, lsr 0x%x)", a, v[0], v[1], v[2], b);

	/* MCR outputs loop to MSR inputs: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
	static const uint8_t mcrs[3] = { 0x1f, 0x15, 0x1a }, want[3] = { 0xf0, 0x60, 0x90 };
	int ok = 1;
	for (int i = 0; i < 3; i++) {
		uw(U_MCR, mcrs[i]);
		v[i] = ur(U_MSR) & 0xf0;
		ok &= v[i] == want[i];
	}
	check("uart loopback msr", ok, " (mcr 0x1f 0x15 0x1a: msr 0x%x 0x%x 0x%x)", v[0], v[1], v[2]);

	/* THR-empty interrupt: raised when enabled with THR empty, cleared by reading IIR. */
	uw(U_MCR, 0x18);        /* loopback, OUT2 */
	uw(U_IER, 0x02);
	a = ur(U_IIR);
	b = ur(U_IIR);
	uw(U_IER, 0);
	check("uart thr empty interrupt", a == 0xc2 && b == 0xc1, " (iir 0x%x then 0x%x)", a, b);

	/* RX data interrupt through the PLIC, polled with interrupts masked. */
	wr32(PLIC_PRIO(UART_IRQ), 1);
	wr32(PLIC_THRESHOLD(ctx), 0);
	plic_enable(UART_IRQ, 1);
	plic_drain();
	uw(U_IER, 0x01);
	uw(U_RBR, 'x');
	wait_lsr(LSR_DR, LSR_DR, 100);
	int pend = wait_plic_pending(UART_IRQ, 100);
	a = ur(U_IIR);
	check("uart rx interrupt", pend && a == 0xc4 && seip(), " (plic pending %s, iir 0x%x, sip.seip %s)",
	      yn(pend), a, yn(seip()));

	/* Threshold: priority 1 at threshold 1 is masked, priority 2 is not. */
	wr32(PLIC_THRESHOLD(ctx), 1);
	int s_masked = seip();
	uint32_t cl_masked = rd32(PLIC_CLAIM(ctx));
	int still = plic_pending(UART_IRQ);
	wr32(PLIC_PRIO(UART_IRQ), 2);
	int s_open = seip();
	check("plic threshold masks", !s_masked && cl_masked == 0 && still && s_open,
	      " (prio 1 thr 1: seip %s claim %u pending %s; prio 2: seip %s)",
	      yn(s_masked), cl_masked, yn(still), yn(s_open));

	uint32_t cl = rd32(PLIC_CLAIM(ctx));
	int pend_after_claim = plic_pending(UART_IRQ);
	v[0] = ur(U_RBR);       /* services it: the line drops */
	a = ur(U_IIR);
	wr32(PLIC_CLAIM(ctx), cl);
	int pend_after = plic_pending(UART_IRQ);
	uint32_t cl2 = rd32(PLIC_CLAIM(ctx));
	int s_after = seip();
	check("plic claim and complete", cl == UART_IRQ && !pend_after_claim && v[0] == 'x' && a == 0xc1 &&
	      !pend_after && cl2 == 0 && !s_after,
	      " (claim %u, pending %s, rbr 0x%x, iir 0x%x; after complete: pending %s, claim %u, seip %s)",
	      cl, yn(pend_after_claim), v[0], a, yn(pend_after), cl2, yn(s_after));

	/* Give everything back: UART first, then the PLIC. */
	uw(U_IER, 0);
	while (ur(U_LSR) & LSR_DR)
		(void)ur(U_RBR);
	uw(U_LCR, 0x80);
	uw(U_RBR, dll0);
	uw(U_IER, dlm0);
	uw(U_LCR, lcr0);
	uw(U_IIR, (iir0 & 0xc0) ? 0x07 : 0x00);
	uw(U_MCR, mcr0);
	uw(U_IER, ier0);
	(void)ur(U_LSR);
	(void)ur(U_IIR);
	plic_drain();
	wr32(PLIC_ENABLE(ctx, UART_IRQ / 32), en0);
	wr32(PLIC_PRIO(UART_IRQ), prio0);
	wr32(PLIC_THRESHOLD(ctx), thr0);
	release_held();
}

static void plic_checks(void)
{
	uint32_t prio0 = rd32(PLIC_PRIO(UART_IRQ)), thr0 = rd32(PLIC_THRESHOLD(ctx));
	uint32_t en0[4], a, b, w[4];

	wr32(PLIC_PRIO(UART_IRQ), 0xffffffff);
	a = rd32(PLIC_PRIO(UART_IRQ));
	wr32(PLIC_PRIO(UART_IRQ), 5);
	b = rd32(PLIC_PRIO(UART_IRQ));
	wr32(PLIC_PRIO(UART_IRQ), prio0);
	check("plic priority is warl", a && !(a & (a + 1)) && b == (5 & a), " (0xffffffff reads 0x%x, 5 reads 0x%x)",
	      a, b);

	wr32(PLIC_THRESHOLD(ctx), 3);
	a = rd32(PLIC_THRESHOLD(ctx));
	wr32(PLIC_THRESHOLD(ctx), 0);
	b = rd32(PLIC_THRESHOLD(ctx));
	wr32(PLIC_THRESHOLD(ctx), thr0);
	check("plic threshold", a == 3 && b == 0, " (3 reads 0x%x, 0 reads 0x%x)", a, b);

	/* Enable words of this context: sources 1..95 are three words; bit 0 (no source 0) is not looked at. */
	for (int i = 0; i < 4; i++)
		en0[i] = rd32(PLIC_ENABLE(ctx, i));
	for (int i = 0; i < 3; i++)
		wr32(PLIC_ENABLE(ctx, i), 0xffffffff);
	for (int i = 0; i < 3; i++)
		w[i] = rd32(PLIC_ENABLE(ctx, i));
	w[0] &= ~1u;
	int ones = w[0] == 0xfffffffe && w[1] == 0xffffffff && w[2] == 0xffffffff;
	wr32(PLIC_ENABLE(ctx, 1), 0x00010001);
	w[3] = rd32(PLIC_ENABLE(ctx, 1));
	for (int i = 0; i < 3; i++)
		wr32(PLIC_ENABLE(ctx, i), 0);
	int zeros = (rd32(PLIC_ENABLE(ctx, 0)) & ~1u) == 0 && rd32(PLIC_ENABLE(ctx, 1)) == 0 &&
		    rd32(PLIC_ENABLE(ctx, 2)) == 0;
	for (int i = 0; i < 3; i++)
		wr32(PLIC_ENABLE(ctx, i), en0[i]);
	check("plic enable bits", ones && zeros && w[3] == 0x00010001,
	      " (all ones reads 0x%x 0x%x 0x%x, 0x10001 reads 0x%x, zeros %s)", w[0], w[1], w[2], w[3],
	      zeros ? "read 0" : "do not read 0");

	/* Nothing of ours is enabled at threshold 0: nothing to claim. */
	wr32(PLIC_THRESHOLD(ctx), 0);
	for (int i = 0; i < 3; i++)
		wr32(PLIC_ENABLE(ctx, i), 0);
	a = rd32(PLIC_CLAIM(ctx));
	for (int i = 0; i < 3; i++)
		wr32(PLIC_ENABLE(ctx, i), en0[i]);
	wr32(PLIC_THRESHOLD(ctx), thr0);
	check("plic claim with nothing enabled", a == 0, " (%u)", a);
}

/* ---- virtio-mmio block device ---- */

#define VIRTIO_BASE(n)      (0x10001000UL + 0x1000UL * (n))


#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2

#define BLK_T_IN     0
#define BLK_T_OUT    1
#define BLK_T_GET_ID 8
#define BLK_S_OK     0
#define BLK_S_IOERR  1
#define BLK_S_UNSUPP 2
#define SECTOR       512
#define DISK_SECTORS 2048

#define QSIZE 8

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[QSIZE];
	uint16_t used_event;
};

struct vq_used {
	uint16_t flags;
	uint16_t idx;
	struct { uint32_t id, len; } ring[QSIZE];
	uint16_t avail_event;
};

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static struct vq_desc desc[QSIZE] __attribute__((aligned(4096)));
static struct vq_avail avail __attribute__((aligned(4096)));
static struct vq_used used __attribute__((aligned(4096)));
static struct blk_hdr hdr __attribute__((aligned(64)));
static uint8_t status __attribute__((aligned(64)));
static uint8_t buf[8 * SECTOR] __attribute__((aligned(4096)));

static unsigned long vb;        /* the block device's registers */
static unsigned vsrc;           /* its PLIC source */
static uint16_t avail_idx, used_seen;

static uint32_t vr(unsigned r) { return rd32(vb + r); }
static void vw(unsigned r, uint32_t v) { wr32(vb + r, v); }

static uint8_t disk_byte(uint64_t s, unsigned j)
{
	return (uint8_t)(s * 13 + j * 7 + (j >> 8) + (s >> 8));
}

static uint8_t written_byte(uint64_t s, unsigned j)
{
	return (uint8_t)(0xa5 ^ j ^ s);
}

static void wr64(unsigned lo, uint64_t v)
{
	vw(lo, (uint32_t)v);
	vw(lo + 4, (uint32_t)(v >> 32));
}

static int wait_status(uint32_t want, unsigned ms)
{
	unsigned long t0 = rdtime();

	while (vr(VM_STATUS) != want)
		if (rdtime() - t0 > MS(ms))
			return 0;
	return 1;
}

/* Reset and bring the device up again with VERSION_1 and queue 0. NULL, or what failed. */
static const char *blk_setup(void)
{
	vw(VM_STATUS, 0);
	if (!wait_status(0, 1000))
		return "status does not read 0 after reset";
	vw(VM_STATUS, ST_ACK);
	vw(VM_STATUS, ST_ACK | ST_DRIVER);
	vw(VM_DEV_FEATURES_SEL, 1);
	if (!(vr(VM_DEV_FEATURES) & 1))
		return "VERSION_1 not offered";
	vw(VM_DRV_FEATURES_SEL, 0);
	vw(VM_DRV_FEATURES, 0);
	vw(VM_DRV_FEATURES_SEL, 1);
	vw(VM_DRV_FEATURES, 1);              /* VERSION_1, nothing else */
	vw(VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	if (vr(VM_STATUS) != (ST_ACK | ST_DRIVER | ST_FEATURES_OK))
		return "FEATURES_OK not kept";
	vw(VM_QUEUE_SEL, 0);
	if (vr(VM_QUEUE_READY) != 0)
		return "queue 0 ready before setup";
	if (vr(VM_QUEUE_NUM_MAX) < QSIZE)
		return "queue 0 smaller than 8";
	memset(desc, 0, sizeof(desc));
	memset(&avail, 0, sizeof(avail));
	memset(&used, 0, sizeof(used));
	avail_idx = used_seen = 0;
	mb();
	vw(VM_QUEUE_NUM, QSIZE);
	wr64(VM_QUEUE_DESC, (uintptr_t)desc);
	wr64(VM_QUEUE_DRIVER, (uintptr_t)&avail);
	wr64(VM_QUEUE_DEVICE, (uintptr_t)&used);
	vw(VM_QUEUE_READY, 1);
	if (vr(VM_QUEUE_READY) != 1)
		return "queue 0 not ready";
	vw(VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	if (vr(VM_STATUS) != (ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK))
		return "DRIVER_OK not kept";
	return 0;
}

/* Puts head in the avail ring (count entries' worth of idx) and notifies queue 0. */
static void post(uint16_t head, uint16_t count)
{
	avail.ring[avail_idx % QSIZE] = head;
	mb();
	avail_idx += count;
	*(volatile uint16_t *)&avail.idx = avail_idx;
	mb();
	vw(VM_QUEUE_NOTIFY, 0);
}

enum outcome { USED, NEEDS_RESET, NOTHING };

/* Waits up to ms for a used entry (its len in *len) or DEVICE_NEEDS_RESET. */
static enum outcome wait_used(unsigned ms, uint32_t *len)
{
	unsigned long t0 = rdtime();

	for (;;) {
		mb();
		if (*(volatile uint16_t *)&used.idx != used_seen) {
			mb();
			*len = *(volatile uint32_t *)&used.ring[used_seen % QSIZE].len;
			used_seen++;
			return USED;
		}
		if (vr(VM_STATUS) & ST_NEEDS_RESET)
			return NEEDS_RESET;
		if (rdtime() - t0 > MS(ms))
			return NOTHING;
	}
}

struct seg {
	void *p;
	uint32_t len;
	int write;              /* device-writable */
};

/* One request: header, the segments, status. 0 and *st / *len, or -1 if nothing came back. */
static int blk_req(uint32_t type, uint64_t sector, const struct seg *segs, int n, uint8_t *st, uint32_t *len)
{
	int d = 0;

	hdr.type = type;
	hdr.reserved = 0;
	hdr.sector = sector;
	status = 0xff;
	desc[d] = (struct vq_desc){ (uintptr_t)&hdr, sizeof(hdr), VIRTQ_DESC_F_NEXT, 1 };
	for (int i = 0; i < n; i++, d++)
		desc[d + 1] = (struct vq_desc){ (uintptr_t)segs[i].p, segs[i].len,
			(uint16_t)(VIRTQ_DESC_F_NEXT | (segs[i].write ? VIRTQ_DESC_F_WRITE : 0)), (uint16_t)(d + 2) };
	desc[d + 1] = (struct vq_desc){ (uintptr_t)&status, 1, VIRTQ_DESC_F_WRITE, 0 };
	post(0, 1);
	if (wait_used(2000, len) != USED)
		return -1;
	mb();
	*st = *(volatile uint8_t *)&status;
	return 0;
}

static int read_sectors(uint64_t sector, unsigned count, uint8_t *st, uint32_t *len)
{
	struct seg s = { buf, count * SECTOR, 1 };

	memset(buf, 0xee, sizeof(buf));
	return blk_req(BLK_T_IN, sector, &s, 1, st, len);
}

static int sector_is(const uint8_t *p, uint64_t s, uint8_t (*pat)(uint64_t, unsigned))
{
	for (unsigned j = 0; j < SECTOR; j++)
		if (p[j] != pat(s, j))
			return 0;
	return 1;
}

/* A read of sector 0 that must work: after a reset. */
static int blk_works(void)
{
	uint8_t st;
	uint32_t len;

	return read_sectors(0, 1, &st, &len) == 0 && st == BLK_S_OK && len == SECTOR + 1 &&
	       sector_is(buf, 0, disk_byte);
}

static int blk_find(void)
{
	unsigned empty = 0, bad = 0, found = VIRTIO_SLOTS;

	for (unsigned n = 0; n < VIRTIO_SLOTS; n++) {
		unsigned long b = VIRTIO_BASE(n);
		if (rd32(b + VM_MAGIC) != VIRTIO_MAGIC || rd32(b + VM_VERSION) != 2) {
			bad++;
			continue;
		}
		uint32_t id = rd32(b + VM_DEVICE_ID);
		if (id == 0)
			empty++;
		else if (id == 2 && found == VIRTIO_SLOTS)
			found = n;
	}
	check("virtio slots", bad == 0 && found < VIRTIO_SLOTS,
	      " (8 with magic and version 2: %s, block device: %s, empty: %u)",
	      yn(bad == 0), yn(found < VIRTIO_SLOTS), empty);
	if (found == VIRTIO_SLOTS)
		return -1;
	vb = VIRTIO_BASE(found);
	vsrc = found + 1;
	return 0;
}

static uint64_t blk_capacity(void)
{
	uint32_t g, lo, hi;

	for (int i = 0; i < 100; i++) {
		g = vr(VM_CONFIG_GEN);
		lo = vr(VM_CONFIG);
		hi = vr(VM_CONFIG + 4);
		if (vr(VM_CONFIG_GEN) == g)
			break;
	}
	return (uint64_t)hi << 32 | lo;
}

static void blk_io_checks(uint64_t cap)
{
	uint8_t st;
	uint32_t len;
	int rc;

	rc = read_sectors(0, 1, &st, &len);
	check("blk read sector 0", rc == 0 && st == BLK_S_OK && len == SECTOR + 1 && sector_is(buf, 0, disk_byte),
	      " (status %u, used len %u, data %s)", st, len, rc == 0 && sector_is(buf, 0, disk_byte) ? "as made" : "wrong");

	rc = read_sectors(cap - 1, 1, &st, &len);
	check("blk read last sector", rc == 0 && st == BLK_S_OK && len == SECTOR + 1 &&
	      sector_is(buf, cap - 1, disk_byte), " (status %u, used len %u, data %s)", st, len,
	      rc == 0 && sector_is(buf, cap - 1, disk_byte) ? "as made" : "wrong");

	rc = read_sectors(1, 3, &st, &len);
	int ok3 = rc == 0 && sector_is(buf, 1, disk_byte) && sector_is(buf + SECTOR, 2, disk_byte) &&
		  sector_is(buf + 2 * SECTOR, 3, disk_byte);
	check("blk read 3 sectors", ok3 && st == BLK_S_OK && len == 3 * SECTOR + 1,
	      " (status %u, used len %u, data %s)", st, len, ok3 ? "as made" : "wrong");

	/* Sector 4 in three uneven pieces. */
	memset(buf, 0xee, sizeof(buf));
	struct seg parts[3] = { { buf, 100, 1 }, { buf + 1024, 13, 1 }, { buf + 2048, SECTOR - 113, 1 } };
	rc = blk_req(BLK_T_IN, 4, parts, 3, &st, &len);
	int okp = rc == 0;
	for (unsigned j = 0; j < SECTOR && okp; j++) {
		uint8_t c = j < 100 ? buf[j] : j < 113 ? buf[1024 + j - 100] : buf[2048 + j - 113];
		okp = c == disk_byte(4, j);
	}
	check("blk read into 3 buffers", okp && st == BLK_S_OK && len == SECTOR + 1,
	      " (status %u, used len %u, data %s)", st, len, okp ? "as made" : "wrong");

	for (unsigned j = 0; j < SECTOR; j++)
		buf[j] = written_byte(5, j);
	struct seg w = { buf, SECTOR, 0 };
	rc = blk_req(BLK_T_OUT, 5, &w, 1, &st, &len);
	uint8_t wst = st;
	int wrc = rc;
	rc = read_sectors(5, 1, &st, &len);
	check("blk write and read back", wrc == 0 && wst == BLK_S_OK && rc == 0 && st == BLK_S_OK &&
	      sector_is(buf, 5, written_byte), " (write status %u, read status %u, data %s)", wst, st,
	      rc == 0 && sector_is(buf, 5, written_byte) ? "as written" : "wrong");

	memset(buf, 0xee, 32);
	struct seg id = { buf, 20, 1 };
	rc = blk_req(BLK_T_GET_ID, 0, &id, 1, &st, &len);
	char ids[21];
	unsigned n = 0;
	while (n < 20 && buf[n] && buf[n] >= 0x20 && buf[n] < 0x7f) {
		ids[n] = (char)buf[n];
		n++;
	}
	ids[n] = 0;
	check("blk get id", rc == 0 && st == BLK_S_OK, " (status %u, id \"%s\")", st, ids);

	rc = read_sectors(cap, 1, &st, &len);
	check("blk read past the end", rc == 0 && st == BLK_S_IOERR, " (status %u)", st);
	rc = read_sectors(cap - 1, 2, &st, &len);
	check("blk read across the end", rc == 0 && st == BLK_S_IOERR, " (status %u)", st);
	struct seg w2 = { buf, SECTOR, 0 };
	rc = blk_req(BLK_T_OUT, cap, &w2, 1, &st, &len);
	check("blk write past the end", rc == 0 && st == BLK_S_IOERR, " (status %u)", st);

	struct seg u = { buf, SECTOR, 1 };
	rc = blk_req(0x7f, 0, &u, 1, &st, &len);
	check("blk unknown request type", rc == 0 && st == BLK_S_UNSUPP, " (status %u)", st);
}

static volatile unsigned ext_irqs, ext_src, ext_isr;

static void on_external(struct trap_frame *f)
{
	(void)f;
	uint32_t s = rd32(PLIC_CLAIM(ctx));

	ext_irqs++;
	ext_src = s;
	if (s == vsrc) {
		ext_isr = vr(VM_INT_STATUS);
		vw(VM_INT_ACK, ext_isr);
	}
	if (s)
		wr32(PLIC_CLAIM(ctx), s);
}

static void blk_irq_checks(void)
{
	uint8_t st;
	uint32_t len;

	vw(VM_INT_ACK, vr(VM_INT_STATUS));
	wr32(PLIC_THRESHOLD(ctx), 0);
	wr32(PLIC_PRIO(vsrc), 1);
	plic_enable(vsrc, 1);
	plic_drain();

	/* Polled, with interrupts masked. */
	int rc = read_sectors(0, 1, &st, &len);
	int pend = wait_plic_pending(vsrc, 100);
	int sp = seip();
	uint32_t isr = vr(VM_INT_STATUS);
	uint32_t cl = rd32(PLIC_CLAIM(ctx));
	vw(VM_INT_ACK, isr);
	uint32_t isr2 = vr(VM_INT_STATUS);
	wr32(PLIC_CLAIM(ctx), cl);
	int pend2 = plic_pending(vsrc);
	uint32_t cl2 = rd32(PLIC_CLAIM(ctx));
	check("blk interrupt polled", rc == 0 && st == BLK_S_OK && pend && sp && isr == 1 && cl == vsrc &&
	      isr2 == 0 && !pend2 && cl2 == 0,
	      " (plic pending %s, sip.seip %s, interrupt status 0x%x, claim is its source %s, "
	      "after ack 0x%x, pending after complete %s, claim %u)",
	      yn(pend), yn(sp), isr, yn(cl == vsrc), isr2, yn(pend2), cl2);

	/* Taken as a supervisor external interrupt. */
	trap_set_irq(IRQ_S_EXT, on_external);
	ext_irqs = 0;
	csr_set(sie, SIE_SEIE);
	rc = read_sectors(1, 1, &st, &len);
	unsigned long t0 = rdtime();
	csr_set(sstatus, SSTATUS_SIE);          /* spin open: it may be pending already */
	while (!ext_irqs && rdtime() - t0 < MS(1000))
		;
	csr_clear(sstatus, SSTATUS_SIE);
	csr_clear(sie, SIE_SEIE);
	check("blk interrupt taken", rc == 0 && st == BLK_S_OK && ext_irqs == 1 && ext_src == vsrc && ext_isr == 1,
	      " (%u taken, from its source %s, interrupt status 0x%x)", ext_irqs, yn(ext_src == vsrc), ext_isr);

	plic_enable(vsrc, 0);
	wr32(PLIC_PRIO(vsrc), 0);
}

/*
 * After a hostile request: what the device did, then a reset and a read that
 * must work. With !compare, what it did is left out: where the spec leaves
 * the device a choice (QEMU reads and writes a buffer outside RAM through a
 * bounce buffer and completes the request; another device may fail it).
 */
static void hostile_report(const char *name, enum outcome o, uint32_t len, int compare)
{
	char what[80];
	mb();
	uint8_t st = *(volatile uint8_t *)&status;
	uint32_t dev_status = vr(VM_STATUS);
	uint32_t isr = vr(VM_INT_STATUS);
	unsigned long t0 = rdtime();

	/* The configuration change may be signalled just after DEVICE_NEEDS_RESET shows. */
	while ((dev_status & ST_NEEDS_RESET) && !(isr & 2) && rdtime() - t0 < MS(200))
		isr = vr(VM_INT_STATUS);

	if (o == USED)
		snprintf(what, sizeof(what), "used len %u, status %u", len, st);
	else
		snprintf(what, sizeof(what), "no used entry");
	vw(VM_INT_ACK, isr);
	const char *err = blk_setup();
	int works = !err && blk_works();
	const char *after = works ? "works" : err ? err : "read fails";
	if (compare)
		check(name, works, " (%s, needs reset %s, config interrupt %s; after reset %s)", what,
		      yn(dev_status & ST_NEEDS_RESET), yn(isr & 2), after);
	else
		check(name, works, " (outcome not compared; after reset %s)", after);
}

static void blk_hostile_checks(void)
{
	enum outcome o;
	uint32_t len = 0;

	/* A data buffer far outside guest RAM. */
	hdr = (struct blk_hdr){ BLK_T_IN, 0, 0 };
	status = 0xff;
	desc[0] = (struct vq_desc){ (uintptr_t)&hdr, sizeof(hdr), VIRTQ_DESC_F_NEXT, 1 };
	desc[1] = (struct vq_desc){ 0x4000000000UL, SECTOR, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2 };
	desc[2] = (struct vq_desc){ (uintptr_t)&status, 1, VIRTQ_DESC_F_WRITE, 0 };
	post(0, 1);
	o = wait_used(1000, &len);
	hostile_report("blk hostile address outside ram", o, len, 0);

	/* The header descriptor names itself as next. */
	desc[0] = (struct vq_desc){ (uintptr_t)&hdr, sizeof(hdr), VIRTQ_DESC_F_NEXT, 0 };
	post(0, 1);
	o = wait_used(1000, &len);
	hostile_report("blk hostile self-looping chain", o, len, 1);

	/* A chain through every descriptor and back to the first: longer than the queue. */
	for (int i = 0; i < QSIZE; i++)
		desc[i] = (struct vq_desc){ (uintptr_t)&hdr, sizeof(hdr), VIRTQ_DESC_F_NEXT, (uint16_t)((i + 1) % QSIZE) };
	post(0, 1);
	o = wait_used(1000, &len);
	hostile_report("blk hostile chain longer than the queue", o, len, 1);

	/* next beyond the table. */
	desc[0] = (struct vq_desc){ (uintptr_t)&hdr, sizeof(hdr), VIRTQ_DESC_F_NEXT, QSIZE + 3 };
	post(0, 1);
	o = wait_used(1000, &len);
	hostile_report("blk hostile next out of range", o, len, 1);

	/* A head index beyond the table. */
	desc[0] = (struct vq_desc){ (uintptr_t)&hdr, sizeof(hdr), VIRTQ_DESC_F_NEXT, 1 };
	post(QSIZE + 1, 1);
	o = wait_used(1000, &len);
	hostile_report("blk hostile head out of range", o, len, 1);

	/* avail.idx moved on by more than the queue holds. */
	desc[0] = (struct vq_desc){ (uintptr_t)&hdr, sizeof(hdr), VIRTQ_DESC_F_NEXT, 1 };
	desc[1] = (struct vq_desc){ (uintptr_t)&status, 1, VIRTQ_DESC_F_WRITE, 0 };
	for (int i = 0; i < QSIZE; i++)
		avail.ring[i] = 0;
	post(0, QSIZE + 1);
	o = wait_used(1000, &len);
	hostile_report("blk hostile avail index jump", o, len, 1);
}

static void blk_checks(void)
{
	if (blk_find())
		return;
	const char *err = blk_setup();
	check("blk setup", !err, " (VERSION_1 negotiated, queue of 8 ready: %s)", err ? err : "yes");
	if (err)
		return;
	uint64_t cap = blk_capacity();
	check("blk capacity", cap == DISK_SECTORS, " (%lu sectors)", (unsigned long)cap);
	if (cap != DISK_SECTORS)
		return;
	blk_io_checks(cap);
	blk_irq_checks();
	blk_hostile_checks();
	vw(VM_STATUS, 0);
	wait_status(0, 1000);
	/* Whatever the resets left latched in the PLIC goes, unprinted. */
	wr32(PLIC_PRIO(vsrc), 1);
	plic_enable(vsrc, 1);
	plic_drain();
	plic_enable(vsrc, 0);
	wr32(PLIC_PRIO(vsrc), 0);
}

int main(unsigned long hartid, unsigned long dtb)
{
	(void)dtb;
	print_set_console(PRINT_DBCN);
	trap_init();
	ctx = 2 * hartid + 1;
	printf("devprobe: start\n");
	uart_checks();
	plic_checks();
	blk_checks();
	if (nr_fail)
		printf("devprobe: %u checks failed\n", nr_fail);
	printf("devprobe: done\n");
	return 0;
}
