// SPDX-License-Identifier: MIT
/*
 * sbifuzz.c: a hostile guest. Every vCPU makes thousands of random SBI calls
 * and Rivet hypercalls: every standard extension, the legacy ones, ids nobody
 * implements, random ids, and arguments chosen to hurt (all-ones, hart masks
 * with huge bases, addresses in and just outside its RAM, in MMIO, in other
 * domains' RAM, ranges that wrap around 2^64). It checks only what any
 * correct SBI must do (known error codes, NOT_SUPPORTED for what does not
 * exist, a2..a7 kept, legacy a1 kept, legacy hart-mask pointers read if and
 * only if they can be); the test around it checks that the microvisor and
 * every other domain carry on.
 *
 * The bootargs say "seed=S calls=N [trace] [flood=L]": the same seed makes
 * the same calls on each vCPU (the vCPUs' interleaving is up to the
 * scheduler); trace prints each call before it is made, to find the one that
 * hurt; flood first writes L numbered lines in DBCN writes of several KiB,
 * which must come out whole and in order.
 *
 * Calls that legitimately end or stop the caller are never made: SRST with a
 * valid type and reason, legacy shutdown (EID 0x08), HSM hart_stop, HSM
 * hart_start of a stopped vCPU at an address in RAM (it would run garbage:
 * such starts go to secondary_entry instead), HSM non-retentive suspend to
 * any valid address but secondary_entry, and SUSP system suspend. HSM
 * suspends are made with a timer armed to wake the vCPU up: retentive ones
 * from any vCPU, non-retentive ones (to secondary_entry) from the secondary
 * vCPUs. Their invalid variants are all fuzzed.
 */
#include "lib/csr.h"
#include "lib/fdt.h"
#include "lib/guest.h"
#include "lib/hsm.h"
#include "lib/print.h"
#include "lib/rand.h"
#include "lib/sbi.h"
#include "lib/string.h"
#include "lib/trap.h"

#define DEFAULT_SEED   1UL
#define DEFAULT_CALLS  2000UL
#define MAX_FAIL_LINES 20
#define OPAQUE         0x5b1f0a7eUL   /* what our own hart_starts pass */
#define OPAQUE_RESUME  0x5b1f0a7fUL   /* what our non-retentive suspends pass */
#define WAIT_MS        20000
#define RAM_BASE       0x80000000UL
#define IMAGE_BASE     0x80200000UL   /* below it, RAM nobody uses */
#define PAGE           4096UL

/* Extensions fuzzed as well: PMU is Rivet's; the others must answer NOT_SUPPORTED. */
#define EID_PMU  SBI_EXT_PMU
#define EID_SUSP 0x53555350UL
#define EID_CPPC 0x43505043UL
#define EID_NACL 0x4E41434CUL
#define EID_STA  0x535441UL
#define EID_FWFT 0x46574654UL
#define EID_DBTR 0x44425452UL
#define EID_SSE  0x535345UL
#define EID_MPXY 0x4D505859UL

struct call {
	unsigned long eid, fid, a[6];
	int timed_suspend;  /* arm a wake-up timer around it */
	int resumes_fresh;  /* non-retentive suspend: wakes up in secondary_entry */
	int mask_ptr;       /* legacy hart-mask pointer: MASK_* */
};

enum { MASK_UNKNOWN, MASK_GOOD, MASK_BAD };  /* what the pointer must give */

struct result {
	long error, value;
	unsigned long a1, a2_7[6];  /* registers after the ecall */
};

extern char _end[];

static unsigned long seed = DEFAULT_SEED, calls_per_vcpu = DEFAULT_CALLS;
static int trace;
static unsigned long flood_lines;
static unsigned long ram_end, nr_vcpus, self_domid;
static unsigned long rng[GUEST_MAX_HARTS];
static volatile unsigned long nr_calls[GUEST_MAX_HARTS];
static volatile int done[GUEST_MAX_HARTS];
static volatile int nr_fails;
static volatile unsigned long nr_resumes;
/* Ports the event channel calls gave each vCPU, to use them again (state, not just noise). */
#define POOL 16
static unsigned long ports[GUEST_MAX_HARTS][POOL];
static unsigned nr_ports[GUEST_MAX_HARTS];
/* Sources for DBCN writes and legacy hart masks, a page per hart; the event page. */
static char scratch[GUEST_MAX_HARTS][PAGE] __attribute__((aligned(4096)));
static char event_page[PAGE] __attribute__((aligned(4096)));
static char text[8192];
/* Sv39 tables the legacy hart-mask pointers are translated through, now and then. */
static unsigned long pt_root[512] __attribute__((aligned(4096)));
static unsigned long pt_junk[512] __attribute__((aligned(4096)));

/* splitmix64: one word of state, any seed (even 0) is good. */
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
	printf("\nsbifuzz: FAIL %s\n", msg);
}

/* A value for any argument: the edges an implementation forgets. */
static unsigned long any_value(void)
{
	switch (below(10)) {
	case 0: return below(17);
	case 1: return ~0UL - below(4);
	case 2: return 1UL << below(64);
	case 3: return 0x80000000UL + below(3) - 1;
	case 4: return 0xFFFFFFFFUL + below(3) - 1;
	case 5: return -(long)below(200);
	case 6: return rnd() & 0xFFFFFFFFUL;
	default: return rnd();
	}
}

static int in_ram(unsigned long a)
{
	return a >= RAM_BASE && a < ram_end;
}

/* RAM the microvisor may write into without hurting us: below the image and above it. */
static int safe_ram(unsigned long a, unsigned long len)
{
	unsigned long hi = ((unsigned long)_end + PAGE - 1) & ~(PAGE - 1);

	if (a + len < a)
		return 0;
	return (a >= RAM_BASE && a + len <= IMAGE_BASE) || (a >= hi && a + len <= ram_end);
}

/* An address: in our RAM, at its edges, in MMIO, in other domains' RAM, near 2^64. */
static unsigned long any_addr(void)
{
	static const unsigned long mmio[] = {
		0x0, 0x1000, 0x100000, 0x2000000, 0x2004000, 0xc000000, 0xc200000,
		0x10000000, 0x10001000, 0x30000000, 0x40000000,
	};

	switch (below(12)) {
	case 0: return RAM_BASE + below(ram_end - RAM_BASE);          /* anywhere in our RAM */
	case 1: return (unsigned long)scratch[this_hart()] + below(PAGE);
	case 2: return RAM_BASE + below(IMAGE_BASE - RAM_BASE);
	case 3: return ram_end - below(PAGE + 1);                      /* at the top edge */
	case 4: return ram_end + below(PAGE);                          /* just past it */
	case 5: return RAM_BASE - 1 - below(PAGE);                     /* just below it */
	case 6: return mmio[below(sizeof(mmio) / sizeof(mmio[0]))] + below(8);
	case 7: return ram_end + (below(64) << 24);                    /* the next domains */
	case 8: return (1UL << 40) + (below(1024) << 12);              /* a Dom0's foreign window */
	case 9: return -(long)below(PAGE * 2);                         /* wraps */
	case 10: return any_value();
	default: return rnd() & ~(PAGE - 1);
	}
}

static unsigned long any_len(unsigned long addr)
{
	switch (below(9)) {
	case 0: return 0;
	case 1: return 1 + below(16);
	case 2: return PAGE + below(3) - 1;
	case 3: return -addr;                  /* ends exactly at 2^64 */
	case 4: return -addr + 1 + below(16);  /* wraps past it */
	case 5: return ram_end - addr;
	case 6: return below(1UL << 20);
	default: return any_value();
	}
}

static unsigned long any_hartid(void)
{
	switch (below(4)) {
	case 0:
	case 1: return below(nr_vcpus + 2);
	case 2: return GUEST_MAX_HARTS + below(64);
	default: return any_value();
	}
}

/* (hart_mask, hart_mask_base): valid ones, base -1, huge bases, bits past the last vCPU. */
static void any_hart_mask(unsigned long *mask, unsigned long *base)
{
	static const unsigned long bases[] = { 0, 1, 2, 3, 4, 7, 8, 63, 64, 65, ~0UL, ~0UL - 1,
					       1UL << 32, 1UL << 63 };

	if (one_in(2)) {   /* a valid one, so the calls get past the check too */
		*base = below(nr_vcpus);
		*mask = ((1UL << nr_vcpus) - 1) >> *base & rnd();
		return;
	}
	*mask = one_in(3) ? (1UL << nr_vcpus) - 1 : any_value();
	*base = one_in(4) ? any_value() : bases[below(sizeof(bases) / sizeof(bases[0]))];
}

static unsigned long any_eid(void)
{
	static const unsigned long known[] = {
		SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM,
		SBI_EXT_SRST, SBI_EXT_DBCN, RIVET_SBI_EXT, EID_PMU, EID_SUSP, EID_CPPC,
	};

	switch (below(8)) {
	case 0: return rnd();
	case 1: return rnd() & 0xFFFFFFFFUL;
	case 2: return 0x09 + below(7);                 /* after the legacy range */
	case 3: return 0x0A000000UL + below(1UL << 24); /* the firmware-specific range */
	case 4: return 0x08000000UL + below(1UL << 24); /* the experimental range */
	case 5: return known[below(sizeof(known) / sizeof(known[0]))] ^ (1UL << below(64));
	case 6: return known[below(sizeof(known) / sizeof(known[0]))] | (1UL << (32 + below(32)));
	default: return below(0x20);
	}
}

/* A console byte: mostly printable text, now and then anything at all. */
static unsigned long any_byte(void)
{
	if (one_in(20))
		return one_in(2) ? '\n' : rnd() & 0xff;
	return 0x20 + below(0x5f);
}

/* A hart_mask pointer for the legacy calls, which read it by guest virtual address. */
static unsigned long any_mask_ptr(int *expect)
{
	unsigned long *slot = (unsigned long *)scratch[this_hart()];
	int good = one_in(2);

	*expect = MASK_UNKNOWN;
	switch (below(4)) {
	case 0:
		*expect = MASK_GOOD;
		return 0;   /* every hart */
	case 1:
		slot[0] = good ? (1UL << nr_vcpus) - 1 : any_value();
		*expect = good ? MASK_GOOD : MASK_UNKNOWN;
		return (unsigned long)slot;
	case 2:
		*expect = MASK_BAD;
		return (unsigned long)slot + 1 + below(7);   /* misaligned */
	default: {
		unsigned long a = any_addr();

		if (!a)
			*expect = MASK_GOOD;
		else if (!in_ram(a) && (a & 7) == 0 && a + 8 > a)
			*expect = MASK_BAD;
		return a;
	}
	}
}

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_TO(pa) (((pa) >> 12) << 10)
#define SATP_SV39 (8UL << 60)
#define GIGA (1UL << 30)
#define VA_ALIAS (8 * GIGA)   /* pt_root[8]: our RAM again, read-only */

/*
 * One 1 GiB mapping per root slot, each wrong in its own way but slot 2 (our
 * RAM, where we run, identity-mapped) and slot 8 (the same RAM, read-only).
 */
static void build_page_tables(void)
{
	unsigned long i;

	pt_root[0] = PTE_TO(0x100000000UL) | PTE_V;                         /* table outside RAM */
	pt_root[1] = PTE_TO(0x100000000UL) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D; /* outside RAM */
	pt_root[2] = PTE_TO(RAM_BASE) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
	pt_root[3] = PTE_TO(RAM_BASE) | PTE_V | PTE_X | PTE_A;              /* not readable */
	pt_root[4] = PTE_TO(RAM_BASE) | PTE_V | PTE_R | PTE_U | PTE_A;      /* user page */
	pt_root[5] = PTE_TO(RAM_BASE + PAGE) | PTE_V | PTE_R | PTE_A;       /* misaligned superpage */
	pt_root[6] = PTE_TO((unsigned long)pt_junk) | PTE_V;                /* a table of junk */
	pt_root[7] = PTE_TO(0x10000000UL) | PTE_V | PTE_R | PTE_A;          /* the host's UART */
	pt_root[8] = PTE_TO(RAM_BASE) | PTE_V | PTE_R | PTE_A;
	pt_root[9] = PTE_TO(RAM_BASE) | PTE_V | PTE_W | PTE_A;              /* W without R: reserved */
	pt_root[10] = PTE_TO(RAM_BASE);                                     /* not valid */
	for (i = 0; i < 512; i++)
		pt_junk[i] = rnd();
}

/* A hart-mask pointer as a virtual address under pt_root. */
static unsigned long any_paged_ptr(int *expect)
{
	unsigned long *slot = (unsigned long *)scratch[this_hart()], giga, ptr;

	if (one_in(3)) {
		int good = one_in(2);

		slot[0] = good ? (1UL << nr_vcpus) - 1 : any_value();
		*expect = good ? MASK_GOOD : MASK_UNKNOWN;
		return (one_in(2) ? 0 : VA_ALIAS - RAM_BASE) + (unsigned long)slot;
	}
	giga = below(12);
	/* Slots 0, 1, 3, 5, 7, 9, 10, 11 cannot be read; 4 (user) and 6 (junk) may or may not. */
	*expect = giga == 2 || giga == 4 || giga == 6 || giga == 8 ? MASK_UNKNOWN : MASK_BAD;
	ptr = giga * GIGA + (below(GIGA) & ~7UL);
	if (!ptr)
		*expect = MASK_GOOD;   /* NULL: every hart */
	return ptr;
}

static void paging(int on)
{
	csr_write(satp, on ? SATP_SV39 | ((unsigned long)pt_root >> 12) : 0);
	__asm__ volatile("sfence.vma" ::: "memory");
}

static unsigned long any_port(void)
{
	return one_in(2) ? below(16) : below(RIVET_EVTCHN_PORTS + 2);
}

static const unsigned long other_exts[] = {
	EID_PMU, EID_SUSP, EID_CPPC, EID_NACL, EID_STA, EID_FWFT, EID_DBTR, EID_SSE, EID_MPXY,
};

static void make_call(struct call *c)
{
	unsigned long i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < 6; i++)
		c->a[i] = any_value();
	c->fid = one_in(8) ? any_value() : below(8);
	switch (below(24)) {
	case 0:
	case 1:
		c->eid = SBI_EXT_BASE;
		c->a[0] = any_eid();
		break;
	case 2:
		c->eid = SBI_EXT_TIME;
		c->a[0] = one_in(2) ? rdtime() + below(TICKS_PER_MS) : any_value();
		break;
	case 3:
	case 4:
		c->eid = SBI_EXT_IPI;
		c->fid = one_in(4) ? c->fid : 0;
		any_hart_mask(&c->a[0], &c->a[1]);
		break;
	case 5:
	case 6:
		c->eid = SBI_EXT_RFENCE;
		c->fid = one_in(4) ? c->fid : below(3);
		any_hart_mask(&c->a[0], &c->a[1]);
		c->a[2] = any_addr();
		c->a[3] = any_len(c->a[2]);
		break;
	case 7:
	case 8:
		c->eid = SBI_EXT_HSM;
		c->fid = one_in(8) ? any_value() : below(4);
		c->a[0] = c->fid == 3 ? any_value() : any_hartid();
		if (c->fid == 3 && one_in(2))
			c->a[0] = one_in(2) ? 0 : 0x80000000UL;
		c->a[1] = one_in(3) ? (unsigned long)secondary_entry : any_addr();
		break;
	case 9:
		c->eid = SBI_EXT_SRST;
		c->fid = one_in(4) ? any_value() : 0;
		if (one_in(2))
			c->a[0] = below(4);
		if (one_in(2))
			c->a[1] = one_in(2) ? below(3) : 0xF0000000UL + below(3);
		break;
	case 10:
	case 11:
		c->eid = SBI_EXT_DBCN;
		c->fid = one_in(8) ? any_value() : below(3);
		c->a[1] = any_addr();
		c->a[0] = any_len(c->a[1]);
		c->a[2] = one_in(4) ? any_value() : 0;
		/* Our own text, not code bytes, and not much: the log is for people too. */
		if (c->fid == 0 && in_ram(c->a[1]) && one_in(2)) {
			c->a[1] = (unsigned long)text + below(sizeof(text) - 300);
			c->a[0] = below(300);
		}
		if (c->fid == 0 && in_ram(c->a[1]) && c->a[0] > 300 && !one_in(50))
			c->a[0] = below(300);
		if (c->fid == 2)
			c->a[0] = any_byte();
		break;
	case 12:
	case 13:
	case 14:
		c->eid = below(SBI_EXT_LEGACY_SHUTDOWN + 1);
		if (c->eid == SBI_EXT_LEGACY_PUTCHAR)
			c->a[0] = any_byte();
		else if (c->eid >= SBI_EXT_LEGACY_SEND_IPI && c->eid <= SBI_EXT_LEGACY_SFENCE_VMA_ASID)
			c->a[0] = any_mask_ptr(&c->mask_ptr);
		break;
	case 15:
		c->eid = other_exts[below(sizeof(other_exts) / sizeof(other_exts[0]))];
		break;
	case 16:
	case 17:
		c->eid = any_eid();
		break;
	default: {
		static const unsigned long usable[] = {
			RIVET_HC_VERSION, RIVET_HC_CURRENT_HART, RIVET_HC_DOMAIN_ID,
			RIVET_HC_EVTCHN_INIT, RIVET_HC_EVTCHN_SEND, RIVET_HC_EVTCHN_UNMASK,
			RIVET_HC_EVTCHN_ACK, RIVET_HC_EVTCHN_ALLOC, RIVET_HC_EVTCHN_BIND,
			RIVET_HC_EVTCHN_CLOSE,
		};
		unsigned long h = this_hart(), n = nr_ports[h] < POOL ? nr_ports[h] : POOL;

		c->eid = RIVET_SBI_EXT;
		c->fid = one_in(10) ? any_value() : one_in(2) ? below(64) :
			 usable[below(sizeof(usable) / sizeof(usable[0]))];
		/* Domain ids, ports and GPAs where the calls expect them. */
		static const unsigned long domids[] = { 0, 1, 2, 3, 4, 5, 6, RIVET_DOMID_SELF,
							0xFFFF, 0x10000, ~0UL };
		/* Our neighbours by id, and low ports, where channels they opened for us are. */
		if (one_in(2))
			c->a[0] = one_in(3) ? self_domid + below(3) - 1 :
				  domids[below(sizeof(domids) / sizeof(domids[0]))];
		else if (one_in(2))
			c->a[0] = one_in(2) ? any_port() : any_addr();
		c->a[1] = one_in(2) ? any_port() : any_addr();
		c->a[2] = one_in(2) ? any_len(c->a[1]) : any_addr();
		if (c->fid == RIVET_HC_EVTCHN_INIT && one_in(3))
			c->a[0] = (unsigned long)event_page;
		/* Channels with the domains next to ours, which may be fuzzing too. */
		if ((c->fid == RIVET_HC_EVTCHN_ALLOC || c->fid == RIVET_HC_EVTCHN_BIND) && one_in(2))
			c->a[0] = one_in(2) ? self_domid + 1 : self_domid - 1;
		if (c->fid == RIVET_HC_EVTCHN_BIND && one_in(2))
			c->a[1] = 1 + below(32);
		/* Our own ports: send to, unmask, close, or bind to (loopback) them. */
		if (n && one_in(2)) {
			unsigned long port = ports[h][below(n)];

			if (c->fid == RIVET_HC_EVTCHN_BIND) {
				c->a[0] = one_in(2) ? self_domid : RIVET_DOMID_SELF;
				c->a[1] = port;
			} else if (c->fid != RIVET_HC_EVTCHN_INIT) {
				c->a[0] = port;
			}
		}
		break;
	}
	}
}

/*
 * The calls that would legitimately end or stop us, turned into their invalid
 * or harmless variants; whatever generator made them.
 */
static void defuse(struct call *c)
{
	/* SRST's type and reason are uint32_t: the upper 32 bits do not make a call invalid. */
	unsigned int type = (unsigned int)c->a[0], reason = (unsigned int)c->a[1];

	if (c->eid == SBI_EXT_SRST && c->fid == 0 && type <= SBI_SRST_WARM_REBOOT &&
	    (reason <= SBI_SRST_SYSTEM_FAILURE || reason >= SBI_SRST_VENDOR_REASON_MIN))
		c->a[0] = one_in(2) ? SBI_SRST_WARM_REBOOT + 1 + below(0x10) : 0xF0000000UL;
	if (c->eid == SBI_EXT_LEGACY_SHUTDOWN)
		c->eid = 0x09;   /* reserved: must be NOT_SUPPORTED */
	if (c->eid == EID_SUSP && c->fid == 0 && (unsigned)c->a[0] == 0)
		c->a[0] |= 1;    /* a reserved sleep type: the domain must not sleep */
	if (c->eid == SBI_EXT_HSM) {
		if (c->fid == 1)
			c->fid = 2;
		if (c->fid == 0 && c->a[0] < nr_vcpus && in_ram(c->a[1])) {
			c->a[1] = (unsigned long)secondary_entry;
			c->a[2] = OPAQUE;
		}
		/*
		 * A secondary may really suspend non-retentively: it wakes up in
		 * secondary_entry and carries on from its counters. The boot vCPU
		 * would lose main's end, so it only tries bad resume addresses.
		 */
		if (c->fid == 3 && c->a[0] == 0x80000000UL && this_hart() && one_in(2)) {
			c->a[1] = (unsigned long)secondary_entry;
			c->a[2] = OPAQUE_RESUME;
			c->timed_suspend = c->resumes_fresh = 1;
		} else if (c->fid == 3 && (unsigned)c->a[0] == 0x80000000U && in_ram(c->a[1])) {
			c->a[1] = ram_end + below(PAGE);
		}
		if (c->fid == 3 && (unsigned)c->a[0] == 0)
			c->timed_suspend = 1;
	}
	/* Writes into our RAM go where they cannot hit code, data or stacks. */
	if (c->eid == SBI_EXT_DBCN && c->fid == 1 && in_ram(c->a[1]) && !safe_ram(c->a[1], c->a[0]))
		c->a[1] = RAM_BASE + below(PAGE);
	if (c->eid == RIVET_SBI_EXT && c->fid == RIVET_HC_EVTCHN_INIT && in_ram(c->a[0]) &&
	    !safe_ram(c->a[0], PAGE))
		c->a[0] = (unsigned long)event_page;
	/* A steal-time record is written at every switch: below the image, where nothing lives. */
	if (c->eid == SBI_EXT_STA && c->fid == SBI_STA_SET_SHMEM && in_ram(c->a[0]) &&
	    !safe_ram(c->a[0], sizeof(struct sbi_sta_struct)))
		c->a[0] = RAM_BASE + (below(PAGE) & ~(sizeof(struct sbi_sta_struct) - 1));
}

static void ecall(const struct call *c, struct result *r)
{
	register unsigned long a0 __asm__("a0") = c->a[0];
	register unsigned long a1 __asm__("a1") = c->a[1];
	register unsigned long a2 __asm__("a2") = c->a[2];
	register unsigned long a3 __asm__("a3") = c->a[3];
	register unsigned long a4 __asm__("a4") = c->a[4];
	register unsigned long a5 __asm__("a5") = c->a[5];
	register unsigned long a6 __asm__("a6") = c->fid;
	register unsigned long a7 __asm__("a7") = c->eid;

	/* Every register is an output: the SBI may change a0 and a1 only. */
	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5),
			   "+r"(a6), "+r"(a7)
			 :
			 : "memory");
	r->error = (long)a0;
	r->value = (long)a1;
	r->a1 = a1;
	r->a2_7[0] = a2;
	r->a2_7[1] = a3;
	r->a2_7[2] = a4;
	r->a2_7[3] = a5;
	r->a2_7[4] = a6;
	r->a2_7[5] = a7;
}

static int known_eid(unsigned long eid)
{
	return eid <= SBI_EXT_LEGACY_SHUTDOWN || eid == SBI_EXT_BASE || eid == SBI_EXT_TIME ||
	       eid == SBI_EXT_IPI || eid == SBI_EXT_RFENCE || eid == SBI_EXT_HSM ||
	       eid == SBI_EXT_SRST || eid == SBI_EXT_DBCN || eid == RIVET_SBI_EXT ||
	       eid == SBI_EXT_PMU || eid == SBI_EXT_FWFT || eid == SBI_EXT_STA || eid == EID_SUSP;
}

static int valid_error(long e)
{
	return (e <= 0 && e >= -14) || (e <= RIVET_ERR_NO_DOMAIN && e >= RIVET_ERR_EXISTS);
}

/* What every correct SBI must answer; returns why not, or 0. */
static const char *wrong(const struct call *c, const struct result *r)
{
	unsigned long expect[6] = { c->a[2], c->a[3], c->a[4], c->a[5], c->fid, c->eid };

	if (memcmp(expect, r->a2_7, sizeof(expect)))
		return "a2..a7 changed";
	if (c->eid <= SBI_EXT_LEGACY_SHUTDOWN && r->a1 != c->a[1])
		return "a legacy call changed a1";
	if (c->mask_ptr == MASK_GOOD && r->error != 0)
		return "a legacy call failed on a good hart mask";
	if (c->mask_ptr == MASK_BAD && r->error != SBI_ERR_INVALID_ADDRESS)
		return "a legacy call read a hart mask it cannot have";
	if (c->eid <= SBI_EXT_LEGACY_SHUTDOWN)
		return 0;
	if (!valid_error(r->error))
		return "no such error code";
	if (!known_eid(c->eid))
		return r->error != SBI_ERR_NOT_SUPPORTED ? "an unknown extension did not say NOT_SUPPORTED" : 0;
	if (c->eid == SBI_EXT_BASE && c->fid == 3 && r->error == 0 &&
	    r->value != known_eid(c->a[0]))
		return "probe_extension is wrong";
	if (c->eid == SBI_EXT_BASE && c->fid > 6 && r->error != SBI_ERR_NOT_SUPPORTED)
		return "an unknown BASE function did not say NOT_SUPPORTED";
	if (c->eid == SBI_EXT_HSM && c->fid == 2 && r->error == 0 && (unsigned long)r->value > 4)
		return "no such HSM state";
	if (c->eid == SBI_EXT_HSM && c->fid > 3 && r->error != SBI_ERR_NOT_SUPPORTED)
		return "an unknown HSM function did not say NOT_SUPPORTED";
	if ((c->eid == SBI_EXT_TIME || c->eid == SBI_EXT_IPI || c->eid == SBI_EXT_SRST) &&
	    c->fid != 0 && r->error != SBI_ERR_NOT_SUPPORTED)
		return "an unknown function did not say NOT_SUPPORTED";
	if (c->eid == SBI_EXT_SRST && r->error == 0)
		return "an invalid system reset came back with success";
	if (c->eid == SBI_EXT_FWFT && c->fid > SBI_FWFT_GET && r->error != SBI_ERR_NOT_SUPPORTED)
		return "an unknown FWFT function did not say NOT_SUPPORTED";
	if (c->eid == SBI_EXT_FWFT && c->fid <= SBI_FWFT_GET &&
	    (unsigned)c->a[0] > SBI_FWFT_POINTER_MASKING_PMLEN && r->error != SBI_ERR_DENIED)
		return "FWFT of a reserved or platform feature id did not say DENIED";
	if (c->eid == SBI_EXT_FWFT && c->fid == SBI_FWFT_SET && c->a[2] > SBI_FWFT_SET_FLAG_LOCK &&
	    r->error == 0)
		return "FWFT set took a flag other than LOCK";
	if (c->eid == SBI_EXT_DBCN && c->fid <= 1 && r->error == 0 &&
	    (unsigned long)r->value > c->a[0])
		return "DBCN did more bytes than asked";
	if (c->eid == SBI_EXT_DBCN && c->fid <= 1 && r->error == 0 && c->a[0] && !r->value &&
	    c->fid == 0)
		return "DBCN write made no progress";
	if (c->eid == SBI_EXT_RFENCE && c->fid > 6 && r->error != SBI_ERR_NOT_SUPPORTED)
		return "an unknown RFENCE function did not say NOT_SUPPORTED";
	if (c->eid == SBI_EXT_DBCN && c->fid > 2 && r->error != SBI_ERR_NOT_SUPPORTED)
		return "an unknown DBCN function did not say NOT_SUPPORTED";
	if (c->eid == SBI_EXT_PMU && c->fid > SBI_PMU_EVENT_GET_INFO && r->error != SBI_ERR_NOT_SUPPORTED)
		return "an unknown PMU function did not say NOT_SUPPORTED";
	if (c->eid == EID_SUSP && c->fid != 0 && r->error != SBI_ERR_NOT_SUPPORTED)
		return "an unknown SUSP function did not say NOT_SUPPORTED";
	/* defuse() left only reserved sleep types. */
	if (c->eid == EID_SUSP && c->fid == 0 && r->error != SBI_ERR_INVALID_PARAM)
		return "a reserved sleep type did not say INVALID_PARAM";
	return 0;
}

/* Retentive suspend returns on an interrupt: a timer 100 us ahead is one. */
static void timed_suspend(const struct call *c, struct result *r)
{
	sbi_set_timer(rdtime() + 100 * TICKS_PER_US);
	csr_set(sie, SIE_STIE);   /* a wake-up source; sstatus.SIE stays off: no trap */
	ecall(c, r);
	csr_clear(sie, SIE_STIE);
	sbi_set_timer(~0UL);
}

/* Writes all of buf with as many DBCN calls as it takes; 0 if every call made progress. */
static int dbcn_write_all(const char *buf, unsigned long len)
{
	unsigned long at = 0;

	while (at < len) {
		struct sbiret r = sbi_debug_console_write(len - at, (unsigned long)buf + at, 0);

		if (r.error || r.value <= 0 || (unsigned long)r.value > len - at) {
			fail("hart %lu: DBCN write of %lu bytes: error %ld value %ld after %lu bytes",
			     this_hart(), len - at, r.error, r.value, at);
			return -1;
		}
		at += r.value;
	}
	return 0;
}

/* A write of several KiB of whole lines, in as many calls as the SBI wants. */
static void big_write(void)
{
	unsigned long len = PAGE + below(PAGE);
	unsigned long start = below(sizeof(text) - len);

	while (start && text[start - 1] != '\n')
		start--;
	while (text[start + len - 1] != '\n')
		len--;
	dbcn_write_all(text + start, len);
	nr_calls[this_hart()]++;   /* one fuzz step, however many calls it took */
}

static void fuzz(unsigned long hart)
{
	struct call c;
	struct result r;
	const char *why;
	int paged;

	trap_init();   /* so a stray trap says so instead of running off */
	while (nr_calls[hart] < calls_per_vcpu) {
		if (one_in(2000)) {
			big_write();
			continue;
		}
		make_call(&c);
		defuse(&c);
		/* Translation on: legacy masks are read by virtual address, the rest use GPAs. */
		paged = one_in(16);
		if (paged && c.eid >= SBI_EXT_LEGACY_SEND_IPI && c.eid <= SBI_EXT_LEGACY_SFENCE_VMA_ASID)
			c.a[0] = any_paged_ptr(&c.mask_ptr);
		if (paged)
			paging(1);
		if (trace)
			printf("sbifuzz: hart %lu call %lu: eid 0x%lx fid 0x%lx a0 0x%lx a1 0x%lx a2 0x%lx "
			       "a3 0x%lx a4 0x%lx a5 0x%lx\n", hart, nr_calls[hart], c.eid, c.fid,
			       c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], c.a[5]);
		if (c.resumes_fresh)
			nr_calls[hart]++;   /* counted now: on success it does not come back here */
		if (c.timed_suspend)
			timed_suspend(&c, &r);
		else
			ecall(&c, &r);
		if (paged)
			paging(0);
		if (c.eid == RIVET_SBI_EXT && !r.error &&
		    (c.fid == RIVET_HC_EVTCHN_ALLOC || c.fid == RIVET_HC_EVTCHN_BIND))
			ports[hart][nr_ports[hart]++ % POOL] = r.value;
		if (c.resumes_fresh)
			fail("hart %lu: non-retentive suspend to secondary_entry returned: error %ld",
			     hart, r.error);
		else
			nr_calls[hart]++;
		if (trace)
			printf("sbifuzz: hart %lu call %lu -> error %ld value 0x%lx\n", hart,
			       nr_calls[hart] - 1, r.error, r.value);
		if ((why = wrong(&c, &r)) != 0)
			fail("hart %lu call %lu: %s: eid 0x%lx fid 0x%lx a0 0x%lx a1 0x%lx a2 0x%lx "
			     "a3 0x%lx -> error %ld value 0x%lx", hart, nr_calls[hart] - 1, why,
			     c.eid, c.fid, c.a[0], c.a[1], c.a[2], c.a[3], r.error, r.value);
	}
	sbi_set_timer(~0UL);
	__atomic_store_n(&done[hart], 1, __ATOMIC_RELEASE);
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	if (opaque == OPAQUE_RESUME) {
		__atomic_fetch_add(&nr_resumes, 1, __ATOMIC_RELAXED);
		sbi_set_timer(~0UL);   /* the wake-up timer; start.S has cleared sie */
	} else if (opaque != OPAQUE) {
		fail("hart %lu started with opaque 0x%lx, expected 0x%lx", hartid, opaque, OPAQUE);
	}
	fuzz(hartid);
	/* Back in start.S: hart_stop. A random hart_start may bring us back: we stop again. */
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

/* "seed=S calls=N trace", any order, other words ignored. */
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
		else if (s - w > 6 && !strncmp(w, "calls=", 6))
			calls_per_vcpu = parse_number(w + 6, s);
		else if (s - w > 6 && !strncmp(w, "flood=", 6))
			flood_lines = parse_number(w + 6, s);
		else if (s - w == 5 && !strncmp(w, "trace", 5))
			trace = 1;
		while (s < end && *s == ' ')
			s++;
	}
}

static void find_ram(unsigned long dtb)
{
	ram_end = fdt_ram_end(dtb, RAM_BASE, 16 * 1024 * 1024);
}

/*
 * "sbifuzz: flood I of N " and 64 letters that depend on I, in buffers of
 * several KiB: the test checks every line, so a lost, cut or reordered byte
 * shows.
 */
static void flood(void)
{
	static char buf[8192];
	unsigned long i = 0, len = 0, j;

	while (i < flood_lines) {
		len += snprintf(buf + len, sizeof(buf) - len, "sbifuzz: flood %lu of %lu ", i, flood_lines);
		for (j = 0; j < 64; j++)
			buf[len++] = 'a' + (i * 7 + j) % 26;
		buf[len++] = '\n';
		i++;
		if (sizeof(buf) - len < 160 || i == flood_lines) {
			if (dbcn_write_all(buf, len))
				return;
			len = 0;
		}
	}
}

/* Lines of plain text for the DBCN writes, so what comes out can be read. */
static void fill_text(void)
{
	unsigned long i, col = 0;

	for (i = 0; i < sizeof(text); i++) {
		if (col++ >= 20 + below(60)) {
			text[i] = '\n';
			col = 0;
		} else {
			text[i] = col == 1 ? '~' : 'a' + below(26);
		}
	}
	text[sizeof(text) - 1] = '\n';
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long h, total = 0;

	print_set_console(PRINT_DBCN);
	find_ram(dtb);
	parse_bootargs(dtb);
	nr_vcpus = 0;
	for (h = hsm_probe_harts(); h & 1; h >>= 1)
		nr_vcpus++;
	self_domid = rivet_hc_domain_id().value;
	printf("sbifuzz: seed %lu, %lu vcpus, %lu calls each, RAM 0x%lx-0x%lx\n",
	       seed, nr_vcpus, calls_per_vcpu, RAM_BASE, ram_end);
	for (h = 0; h < nr_vcpus; h++)
		rng[h] = seed * 0x100000001b3UL + h + 1;
	fill_text();
	build_page_tables();
	flood();

	/* A vCPU already fuzzing may have started the next one itself (ALREADY_AVAILABLE). */
	for (h = 0; h < nr_vcpus; h++)
		if (h != hartid) {
			struct sbiret r = sbi_hart_start(h, (unsigned long)secondary_entry, OPAQUE);
			if (r.error && r.error != SBI_ERR_ALREADY_AVAILABLE)
				fail("hart_start of vcpu %lu: error %ld", h, r.error);
		}
	fuzz(hartid);

	for (h = 0; h < nr_vcpus; h++) {
		unsigned long start = rdtime();

		while (!__atomic_load_n(&done[h], __ATOMIC_ACQUIRE))
			if (rdtime() - start > WAIT_MS * TICKS_PER_MS) {
				fail("vcpu %lu never finished (%lu calls)", h, nr_calls[h]);
				break;
			}
		if (h != hartid && hsm_wait_status(h, SBI_HSM_STOPPED, WAIT_MS))
			fail("vcpu %lu did not stop", h);
		total += nr_calls[h];
	}
	/* A random putchar may have left a line open: end it, so the summary is a line. */
	sbi_debug_console_write_byte('\n');
	if (nr_fails)
		printf("sbifuzz: FAIL %d wrong answers\n", nr_fails);
	printf("sbifuzz: %lu non-retentive suspends came back\n", nr_resumes);
	printf("sbifuzz: %lu calls, seed %lu, done\n", total, seed);
	return 0;
}
