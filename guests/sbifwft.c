// SPDX-License-Identifier: MIT
/*
 * sbifwft.c: SBI FWFT conformance guest (SBI v3.0): probe, set/get/lock of
 * each feature it is given, every error, the upper half of the feature id,
 * where misaligned exceptions land, hardware A/D updating seen on a page
 * table of its own, which hart events reset values and locks (vCPU 1), and
 * that each vCPU keeps its own A/D rule across IPI ping-pongs (on one hart:
 * Rivet's directed yields).
 * One PASS/FAIL/SKIP line per check; also runs on bare QEMU (OpenSBI).
 */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/hsm.h"
#include "lib/print.h"
#include "lib/sbi.h"
#include "lib/trap.h"

#define FID_UNKNOWN       2
#define ID_UPPER          (0xdeadUL << 32)   /* not part of a uint32_t feature id */
#define SUSPEND_NON_RETENTIVE 0x80000000UL
#define WAIT_MS           2000

/* Exception causes and Sv39 bits this guest uses. */
#define EXC_LOAD_MISALIGNED  4
#define EXC_STORE_MISALIGNED 6
#define EXC_LOAD_PAGE_FAULT  13
#define EXC_STORE_PAGE_FAULT 15
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_PPN_SHIFT 10
#define SATP_SV39     (8UL << 60)
#define PAGE_SHIFT    12
#define RAM_GIGAPAGE  0x80000000UL   /* the 1 GiB the guest runs in, mapped 1:1 */
#define TEST_VA       0xC0000000UL   /* root[3] -> l1[0] -> l0[0]: the page under test */
#define TEST_VA1      (TEST_VA + 4096)   /* l0[1]: vCPU 1's, in the ping-pong */
#define PINGPONGS     200

static int nr_passed, nr_failed;
static int on_rivet; /* strict checks; without Rivet we are testing the bare firmware */

/* Phases of vCPU 1, passed as its opaque value. */
enum { PHASE_FIRST = 1, PHASE_RESUMED, PHASE_RESTARTED, PHASE_PINGPONG };
static volatile int phase_done[PHASE_PINGPONG + 1];

static volatile unsigned long exc_cause, exc_tval;
static volatile int nr_misaligned, nr_load_pf, nr_store_pf;
static volatile int nr_pf1;              /* page faults on TEST_VA1 (vCPU 1's) */
static volatile unsigned long pp_turn;   /* ping-pong: 1 vCPU 1's move, 0 vCPU 0's, 2 the end */

static unsigned long root[512] __attribute__((aligned(4096)));
static unsigned long l1[512] __attribute__((aligned(4096)));
static unsigned long l0[512] __attribute__((aligned(4096)));
static unsigned long target[512] __attribute__((aligned(4096)));
static unsigned long misaligned_buf[4];

static void report(const char *check, int ok, struct sbiret r, const char *expected)
{
	if (ok) {
		printf("fwft: PASS %s\n", check);
		__atomic_fetch_add(&nr_passed, 1, __ATOMIC_RELAXED);
	} else {
		printf("fwft: FAIL %s: got error %ld value %ld, expected %s\n", check, r.error,
		       r.value, expected);
		__atomic_fetch_add(&nr_failed, 1, __ATOMIC_RELAXED);
	}
}

static void expect_error(const char *check, struct sbiret r, long error)
{
	char want[24];

	snprintf(want, sizeof(want), "error %ld", error);
	report(check, r.error == error, r, want);
}

static void expect_value(const char *check, struct sbiret r, long value)
{
	char want[32];

	snprintf(want, sizeof(want), "error 0 value %ld", value);
	report(check, r.error == SBI_SUCCESS && r.value == value, r, want);
}

static void check_ok(const char *check, int ok, const char *expected)
{
	struct sbiret r = { 0, 0 };

	report(check, ok, r, expected);
}

static void skip(const char *check, const char *why)
{
	printf("fwft: SKIP %s: %s\n", check, why);
}

static struct sbiret fwft_set(unsigned long feature, unsigned long value, unsigned long flags)
{
	return sbi_ecall(SBI_EXT_FWFT, SBI_FWFT_SET, feature, value, flags, 0, 0, 0);
}

static struct sbiret fwft_get(unsigned long feature)
{
	return sbi_ecall(SBI_EXT_FWFT, SBI_FWFT_GET, feature, 0, 0, 0, 0, 0);
}

/* OpenSBI before 1.7 answers a locked feature with SBI_ERR_DENIED (v3.0 drafts). */
static void expect_locked(const char *check, struct sbiret r)
{
	if (!on_rivet && r.error == SBI_ERR_DENIED)
		skip(check, "firmware answered DENIED (pre-v3.0), v3.0 says DENIED_LOCKED");
	else
		expect_error(check, r, SBI_ERR_DENIED_LOCKED);
}

static int on_exception(struct trap_frame *f)
{
	switch (f->scause) {
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
		exc_cause = f->scause;
		exc_tval = f->stval;
		nr_misaligned++;
		f->sepc += 4;   /* the AMO or LR: never compressed */
		return 1;
	case EXC_LOAD_PAGE_FAULT:
	case EXC_STORE_PAGE_FAULT:
		if (f->stval == TEST_VA1) {
			nr_pf1++;
			l0[1] |= PTE_A | PTE_D;
			__asm__ volatile("sfence.vma" ::: "memory");
			return 1;
		}
		if (f->stval != TEST_VA)
			return 0;
		/* Software A/D management, as under Svade: set them and retry. */
		if (f->scause == EXC_LOAD_PAGE_FAULT) {
			nr_load_pf++;
			l0[0] |= PTE_A;
		} else {
			nr_store_pf++;
			l0[0] |= PTE_A | PTE_D;
		}
		__asm__ volatile("sfence.vma" ::: "memory");
		return 1;
	}
	return 0;
}

/* Ids no feature has: reserved or platform-specific, local and global. */
static void check_reserved(void)
{
	static const unsigned long ids[] = {
		SBI_FWFT_LOCAL_RESERVED_START, SBI_FWFT_LOCAL_RESERVED_END,
		SBI_FWFT_LOCAL_PLATFORM_START, SBI_FWFT_GLOBAL_RESERVED_START,
		SBI_FWFT_GLOBAL_RESERVED_END, SBI_FWFT_GLOBAL_PLATFORM_START, 0xFFFFFFFFUL,
	};
	char check[64];

	for (unsigned int i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(check, sizeof(check), "get id 0x%lx denied", ids[i]);
		expect_error(check, fwft_get(ids[i]), SBI_ERR_DENIED);
		snprintf(check, sizeof(check), "set id 0x%lx denied", ids[i]);
		expect_error(check, fwft_set(ids[i], 1, 0), SBI_ERR_DENIED);
	}
	/* The upper half of a0 is not part of the id: MISALIGNED_EXC_DELEG with it is still one. */
	expect_error("set reserved id with upper bits denied",
		     fwft_set(ID_UPPER | SBI_FWFT_LOCAL_RESERVED_START, 1, 0), SBI_ERR_DENIED);
}

/* Value checks every on/off feature shares. */
static void check_bad_values(const char *name, unsigned long id)
{
	char check[80];

	snprintf(check, sizeof(check), "%s set 2 invalid", name);
	expect_error(check, fwft_set(id, 2, 0), SBI_ERR_INVALID_PARAM);
	snprintf(check, sizeof(check), "%s set 0xffffffff invalid", name);
	expect_error(check, fwft_set(id, 0xFFFFFFFFUL, 0), SBI_ERR_INVALID_PARAM);
	snprintf(check, sizeof(check), "%s set 1<<32 invalid", name);
	expect_error(check, fwft_set(id, 1UL << 32, 0), SBI_ERR_INVALID_PARAM);
	snprintf(check, sizeof(check), "%s flags 2 invalid", name);
	expect_error(check, fwft_set(id, 0, 2), SBI_ERR_INVALID_PARAM);
	snprintf(check, sizeof(check), "%s flags 1<<32 invalid", name);
	expect_error(check, fwft_set(id, 0, 1UL << 32), SBI_ERR_INVALID_PARAM);
}

/* Sets and reads back value, once with the feature id's upper half set. */
static void check_set_get(const char *name, unsigned long id, unsigned long value)
{
	char check[80];

	snprintf(check, sizeof(check), "%s set %lu", name, value);
	expect_value(check, fwft_set(id, value, 0), 0);
	snprintf(check, sizeof(check), "%s get %lu", name, value);
	expect_value(check, fwft_get(id), (long)value);
	snprintf(check, sizeof(check), "%s set %lu, id upper bits set", name, value);
	expect_value(check, fwft_set(ID_UPPER | id, value, 0), 0);
	snprintf(check, sizeof(check), "%s get %lu, id upper bits set", name, value);
	expect_value(check, fwft_get(ID_UPPER | id), (long)value);
}

/* Locks at value; then no set passes, with or without the flag, and get still answers. */
static void check_lock(const char *name, unsigned long id, unsigned long value, unsigned long other)
{
	char check[80];

	snprintf(check, sizeof(check), "%s set %lu and lock", name, value);
	expect_value(check, fwft_set(id, value, SBI_FWFT_SET_FLAG_LOCK), 0);
	snprintf(check, sizeof(check), "%s locked: set %lu", name, other);
	expect_locked(check, fwft_set(id, other, 0));
	snprintf(check, sizeof(check), "%s locked: set %lu with lock", name, other);
	expect_locked(check, fwft_set(id, other, SBI_FWFT_SET_FLAG_LOCK));
	snprintf(check, sizeof(check), "%s locked: set same value", name);
	expect_locked(check, fwft_set(id, value, 0));
	snprintf(check, sizeof(check), "%s locked: get", name);
	expect_value(check, fwft_get(id), (long)value);
}

/* One misaligned exception of one of the causes (error = cause, value = stval in a FAIL line). */
static void misaligned_report(const char *check, unsigned long cause, unsigned long alt,
			      unsigned long addr)
{
	char want[96];
	struct sbiret r = { (long)exc_cause, (long)exc_tval };

	snprintf(want, sizeof(want), "one exception: cause %lu or %lu, stval 0x%lx; got %d",
		 cause, alt, addr, nr_misaligned);
	report(check, nr_misaligned == 1 && (exc_cause == cause || exc_cause == alt) &&
	       exc_tval == addr, r, want);
}

/* A misaligned AMO and LR (QEMU traps those, not plain loads) reach this guest's handler. */
static void check_misaligned_traps(const char *how)
{
	char check[80];
	unsigned long addr = (unsigned long)misaligned_buf + 1, val;

	nr_misaligned = 0;
	exc_cause = exc_tval = 0;
	__asm__ volatile(".option push\n.option norvc\namoadd.w zero, zero, (%0)\n.option pop"
			 :: "r"(addr) : "memory");
	snprintf(check, sizeof(check), "misaligned amo reaches the guest (%s)", how);
	/* QEMU 10 reports a misaligned AMO in VS-mode as a load one (4), in S-mode as 6. */
	misaligned_report(check, EXC_STORE_MISALIGNED, EXC_LOAD_MISALIGNED, addr);
	nr_misaligned = 0;
	exc_cause = exc_tval = 0;
	__asm__ volatile(".option push\n.option norvc\nlr.w %0, (%1)\n.option pop"
			 : "=r"(val) : "r"(addr) : "memory");
	(void)val;
	snprintf(check, sizeof(check), "misaligned lr reaches the guest (%s)", how);
	misaligned_report(check, EXC_LOAD_MISALIGNED, EXC_LOAD_MISALIGNED, addr);
}

static void check_misaligned(void)
{
	const char *n = "misaligned_exc_deleg";
	struct sbiret r = fwft_get(SBI_FWFT_MISALIGNED_EXC_DELEG);

	/* Rivet's reset value (the spec leaves it to the implementation), as KVM's and OpenSBI's. */
	expect_value("misaligned_exc_deleg resets to 0", r, 0);
	if (r.error)
		return;
	check_bad_values(n, SBI_FWFT_MISALIGNED_EXC_DELEG);
	check_set_get(n, SBI_FWFT_MISALIGNED_EXC_DELEG, 0);
	check_misaligned_traps("value 0");
	check_set_get(n, SBI_FWFT_MISALIGNED_EXC_DELEG, 1);
	check_misaligned_traps("value 1");
	check_lock(n, SBI_FWFT_MISALIGNED_EXC_DELEG, 0, 1);
	check_misaligned_traps("locked at 0");
}

static unsigned long pte_of(void *p, unsigned long bits)
{
	return ((unsigned long)p >> PAGE_SHIFT) << PTE_PPN_SHIFT | bits;
}

static void paging_on(void)
{
	root[RAM_GIGAPAGE >> 30] = pte_of((void *)RAM_GIGAPAGE, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
	root[TEST_VA >> 30] = pte_of(l1, PTE_V);
	l1[0] = pte_of(l0, PTE_V);
	csr_write(satp, SATP_SV39 | ((unsigned long)root >> PAGE_SHIFT));
	__asm__ volatile("sfence.vma" ::: "memory");
}

static void paging_off(void)
{
	csr_write(satp, 0);
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* A read, then a write, of a page whose PTE has A and D clear. */
static void check_ad(int hw)
{
	char check[80];
	volatile unsigned long *p = (volatile unsigned long *)TEST_VA;
	unsigned long pte;

	nr_load_pf = nr_store_pf = 0;
	l0[0] = pte_of(target, PTE_V | PTE_R | PTE_W);
	__asm__ volatile("sfence.vma" ::: "memory");
	(void)*p;
	pte = l0[0];
	snprintf(check, sizeof(check), "pte_ad_hw_updating %d: read %s", hw,
		 hw ? "sets A in hardware" : "faults, A set by the guest");
	check_ok(check, nr_load_pf == !hw && (pte & PTE_A) && !(pte & PTE_D),
		 hw ? "no load page fault, A set, D clear" : "one load page fault, then A set, D clear");
	l0[0] = pte_of(target, PTE_V | PTE_R | PTE_W);
	__asm__ volatile("sfence.vma" ::: "memory");
	*p = 1;
	pte = l0[0];
	snprintf(check, sizeof(check), "pte_ad_hw_updating %d: write %s", hw,
		 hw ? "sets A and D in hardware" : "faults, A and D set by the guest");
	check_ok(check, nr_store_pf == !hw && (pte & PTE_A) && (pte & PTE_D),
		 hw ? "no store page fault, A and D set" : "one store page fault, then A and D set");
}

static void check_pte_ad(void)
{
	const char *n = "pte_ad_hw_updating";
	struct sbiret r = fwft_get(SBI_FWFT_PTE_AD_HW_UPDATING);

	if (r.error == SBI_ERR_NOT_SUPPORTED) {
		skip(n, "not supported here (no Svadu)");
		return;
	}
	if (!on_rivet && r.error == SBI_SUCCESS && r.value == 1)
		skip("pte_ad_hw_updating resets to 0", "OpenSBI before 1.7 resets it to 1");
	else
		expect_value("pte_ad_hw_updating resets to 0", r, 0);
	if (r.error)
		return;
	check_bad_values(n, SBI_FWFT_PTE_AD_HW_UPDATING);
	paging_on();
	check_set_get(n, SBI_FWFT_PTE_AD_HW_UPDATING, 0);
	check_ad(0);
	check_set_get(n, SBI_FWFT_PTE_AD_HW_UPDATING, 1);
	check_ad(1);
	check_lock(n, SBI_FWFT_PTE_AD_HW_UPDATING, 1, 0);
	check_ad(1);
	paging_off();
}

/* Features that need an extension QEMU's rv64 lacks: consistent answers either way. */
static void check_optional(const char *n, unsigned long id, int rivet_never)
{
	char check[80];
	struct sbiret r = fwft_get(id);

	snprintf(check, sizeof(check), "%s get: supported or not", n);
	if (!on_rivet && r.error == SBI_ERR_DENIED) {
		skip(check, "the firmware predates this feature id (OpenSBI 1.5: DENIED)");
		return;
	}
	report(check, (r.error == SBI_SUCCESS && !r.value) || r.error == SBI_ERR_NOT_SUPPORTED, r,
	       "error 0 value 0 (reset), or error -2");
	if (r.error == SBI_ERR_NOT_SUPPORTED) {
		snprintf(check, sizeof(check), "%s set not supported", n);
		expect_error(check, fwft_set(id, 1, 0), SBI_ERR_NOT_SUPPORTED);
		return;
	}
	if (r.error)
		return;
	snprintf(check, sizeof(check), "%s supported", n);
	check_ok(check, !(on_rivet && rivet_never), "not supported under Rivet");
	if (id == SBI_FWFT_POINTER_MASKING_PMLEN) {
		r = fwft_set(id, SBI_FWFT_PMLEN_7, 0);
		expect_value("pointer_masking_pmlen set 7", r, 0);
		r = fwft_get(id);
		report("pointer_masking_pmlen get >= 7", r.error == 0 &&
		       (r.value == SBI_FWFT_PMLEN_7 || r.value == SBI_FWFT_PMLEN_16), r, "7 or 16");
		expect_error("pointer_masking_pmlen set 17 invalid", fwft_set(id, 17, 0),
			     SBI_ERR_INVALID_PARAM);
		check_lock(n, id, 0, SBI_FWFT_PMLEN_7);
		return;
	}
	check_bad_values(n, id);
	if (id == SBI_FWFT_LANDING_PAD) {
		/*
		 * This guest is not built for Zicfilp: its indirect calls (printf's
		 * among them) land on no landing pad. So on and off again with
		 * only direct calls in between, then report.
		 */
		struct sbiret on = fwft_set(id, 1, 0), got = fwft_get(id), off = fwft_set(id, 0, 0);

		expect_value("landing_pad set 1", on, 0);
		expect_value("landing_pad get 1", got, 1);
		expect_value("landing_pad set 0", off, 0);
	} else {
		check_set_get(n, id, 1);
		check_set_get(n, id, 0);
	}
	check_lock(n, id, 0, 1);
}

static void check_optionals(void)
{
	check_optional("landing_pad", SBI_FWFT_LANDING_PAD, 0);
	check_optional("shadow_stack", SBI_FWFT_SHADOW_STACK, 1);
	check_optional("double_trap", SBI_FWFT_DOUBLE_TRAP, 1);
	check_optional("pointer_masking_pmlen", SBI_FWFT_POINTER_MASKING_PMLEN, 0);
}

/*
 * vCPU 1: first start (reset values; lock two features; non-retentive
 * suspend keeps them), then after a stop and a new start (reset again).
 */
static int have_pte_ad;

static void vcpu1_first(void)
{
	expect_value("vcpu1 misaligned_exc_deleg resets to 0", fwft_get(SBI_FWFT_MISALIGNED_EXC_DELEG), 0);
	expect_value("vcpu1 misaligned_exc_deleg set 1 and lock",
		     fwft_set(SBI_FWFT_MISALIGNED_EXC_DELEG, 1, SBI_FWFT_SET_FLAG_LOCK), 0);
	if (have_pte_ad)
		expect_value("vcpu1 pte_ad_hw_updating set 1 and lock",
			     fwft_set(SBI_FWFT_PTE_AD_HW_UPDATING, 1, SBI_FWFT_SET_FLAG_LOCK), 0);
	/* A timer interrupt wakes it; it resumes at secondary_entry in PHASE_RESUMED. */
	csr_set(sie, SIE_STIE);
	sbi_set_timer(rdtime() + TICKS_PER_MS);
	struct sbiret r = sbi_hart_suspend(SUSPEND_NON_RETENTIVE, (unsigned long)secondary_entry,
					   PHASE_RESUMED);
	csr_clear(sie, SIE_STIE);
	sbi_set_timer(~0UL);
	if (!on_rivet && r.error)
		skip("vcpu1 non-retentive suspend keeps features", "firmware cannot suspend non-retentively here");
	else
		report("vcpu1 non-retentive suspend", 0, r, "no return: resume at secondary_entry");
}

static void vcpu1_resumed(void)
{
	sbi_set_timer(~0UL);
	expect_value("vcpu1 after non-retentive suspend: misaligned_exc_deleg still 1",
		     fwft_get(SBI_FWFT_MISALIGNED_EXC_DELEG), 1);
	expect_locked("vcpu1 after non-retentive suspend: still locked",
		      fwft_set(SBI_FWFT_MISALIGNED_EXC_DELEG, 0, 0));
	if (have_pte_ad)
		expect_value("vcpu1 after non-retentive suspend: pte_ad_hw_updating still 1",
			     fwft_get(SBI_FWFT_PTE_AD_HW_UPDATING), 1);
}

/* A hart reset ends every lock (SBI v3.0 FWFT: "Upon hart reset ..."). */
static void expect_unlocked(const char *check, struct sbiret r)
{
	if (!on_rivet && r.error == SBI_ERR_DENIED)
		skip(check, "OpenSBI 1.5 keeps locks across a hart stop and start");
	else
		expect_value(check, r, 0);
}

static void vcpu1_restarted(void)
{
	expect_value("vcpu1 after stop and start: misaligned_exc_deleg reset to 0",
		     fwft_get(SBI_FWFT_MISALIGNED_EXC_DELEG), 0);
	expect_unlocked("vcpu1 after stop and start: misaligned_exc_deleg unlocked",
			fwft_set(SBI_FWFT_MISALIGNED_EXC_DELEG, 1, 0));
	if (have_pte_ad) {
		struct sbiret r = fwft_get(SBI_FWFT_PTE_AD_HW_UPDATING);

		if (!on_rivet && r.error == SBI_SUCCESS && r.value == 1)
			skip("vcpu1 after stop and start: pte_ad_hw_updating reset to 0",
			     "OpenSBI before 1.7 resets it to 1");
		else
			expect_value("vcpu1 after stop and start: pte_ad_hw_updating reset to 0", r, 0);
		expect_unlocked("vcpu1 after stop and start: pte_ad_hw_updating unlocked",
				fwft_set(SBI_FWFT_PTE_AD_HW_UPDATING, 0, 0));
	}
}

static int wait_phase(int a, int b);

/* One write to a page whose PTE has A and D clear: 1 if it faulted. */
static int ad_write_faults(volatile unsigned long *p, unsigned long *pte, volatile int *faults)
{
	int before = *faults;
	*pte = pte_of(target, PTE_V | PTE_R | PTE_W);
	__asm__ volatile("sfence.vma" ::: "memory");
	*p = 1;
	return *faults != before;
}

/* vCPU 1, reset (so A/D in software): each move, a write that must fault, then vCPU 0's turn. */
static void vcpu1_pingpong(void)
{
	int wrong = 0;
	paging_on();
	csr_set(sie, SIE_SSIE);
	for (;;) {
		wait_ipi();
		if (pp_turn == 2)
			break;
		if (pp_turn != 1)
			continue;
		wrong += !ad_write_faults((volatile unsigned long *)TEST_VA1, &l0[1], &nr_pf1);
		pp_turn = 0;
		sbi_send_ipi(1, 0);
	}
	paging_off();
	check_ok("vcpu1 across ping-pongs: pte_ad_hw_updating 0 (its own) every time", wrong == 0,
		 "a store page fault on each move");
}

/*
 * vCPU 0, its A/D updating locked at 1 (check_pte_ad()), and vCPU 1, reset
 * to 0, hand the hart to each other by IPIs: each must keep its own henvcfg
 * (where they share a hart, Rivet switches by a directed yield).
 */
static void check_pingpong(unsigned long hartid)
{
	if (!have_pte_ad || !on_rivet || hartid != 0) {
		skip("features across ping-pongs", "no Svadu, or not under Rivet");
		return;
	}
	if (sbi_hart_get_status(1).error || sbi_hart_start(1, (unsigned long)secondary_entry, PHASE_PINGPONG).error) {
		skip("features across ping-pongs", "one vCPU only");
		return;
	}
	int wrong = 0;
	paging_on();
	csr_set(sie, SIE_SSIE);
	for (int i = 0; i < PINGPONGS; i++) {
		pp_turn = 1;
		sbi_send_ipi(2, 0);
		while (pp_turn != 0)
			wait_ipi();
		wrong += ad_write_faults((volatile unsigned long *)TEST_VA, &l0[0], &nr_store_pf);
	}
	pp_turn = 2;
	sbi_send_ipi(2, 0);
	paging_off();
	check_ok("vcpu0 across ping-pongs: pte_ad_hw_updating 1 (its own) every time", wrong == 0,
		 "no store page fault on any move");
	check_ok("vcpu1 ended its ping-pong", wait_phase(PHASE_PINGPONG, PHASE_PINGPONG), "within 2 s");
	csr_clear(sie, SIE_SSIE);
	hsm_wait_status(1, SBI_HSM_STOPPED, WAIT_MS);
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	trap_init();
	trap_set_exception(on_exception);
	if (opaque == PHASE_FIRST)
		vcpu1_first();
	else if (opaque == PHASE_RESUMED)
		vcpu1_resumed();
	else if (opaque == PHASE_RESTARTED)
		vcpu1_restarted();
	else if (opaque == PHASE_PINGPONG)
		vcpu1_pingpong();
	if (opaque >= PHASE_FIRST && opaque <= PHASE_PINGPONG)
		__atomic_store_n(&phase_done[opaque], 1, __ATOMIC_RELEASE);
	/* secondary_entry stops the hart when this returns. */
}

/* Waits until vCPU 1 has finished phase a or phase b. */
static int wait_phase(int a, int b)
{
	unsigned long start = rdtime();

	while (!__atomic_load_n(&phase_done[a], __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&phase_done[b], __ATOMIC_ACQUIRE))
		if (rdtime() - start > WAIT_MS * TICKS_PER_MS)
			return 0;
	return 1;
}

static void check_hart_reset(unsigned long hartid)
{
	unsigned long other = hartid ^ 1;
	struct sbiret r = sbi_hart_get_status(other);

	if (r.error) {
		skip("hart reset and suspend rules", "one hart only (run with 2)");
		return;
	}
	r = sbi_hart_start(other, (unsigned long)secondary_entry, PHASE_FIRST);
	if (r.error) {
		report("vcpu1 start", 0, r, "error 0");
		return;
	}
	/* PHASE_FIRST ends in a suspend that resumes in PHASE_RESUMED (or returns, on bare firmware). */
	int done = wait_phase(PHASE_FIRST, PHASE_RESUMED);
	check_ok("vcpu1 ran its first start", done, "vcpu 1 done within 2 s");
	r.value = hsm_wait_status(other, SBI_HSM_STOPPED, WAIT_MS);
	check_ok("vcpu1 stopped", r.value == 0, "HSM status STOPPED within 2 s");
	expect_value("vcpu1 start again", sbi_hart_start(other, (unsigned long)secondary_entry,
							 PHASE_RESTARTED), 0);
	check_ok("vcpu1 ran its second start", wait_phase(PHASE_RESTARTED, PHASE_RESTARTED), "vcpu 1 done within 2 s");
	hsm_wait_status(other, SBI_HSM_STOPPED, WAIT_MS);
}

int main(unsigned long hartid, unsigned long dtb)
{
	struct sbiret r;

	(void)dtb;
	print_set_console(PRINT_LEGACY);
	trap_init();
	trap_set_exception(on_exception);
	printf("fwft: start on vcpu %lu\n", hartid);
	r = sbi_probe_extension(RIVET_SBI_EXT);
	on_rivet = r.error == SBI_SUCCESS && r.value != 0;

	r = sbi_probe_extension(SBI_EXT_FWFT);
	report("probe_extension FWFT", r.error == 0 && r.value != 0, r, "error 0 value != 0");
	if (r.error == 0 && r.value != 0) {
		expect_error("unknown function", sbi_ecall(SBI_EXT_FWFT, FID_UNKNOWN, 0, 0, 0, 0, 0, 0),
			     SBI_ERR_NOT_SUPPORTED);
		check_reserved();
		r = fwft_get(SBI_FWFT_PTE_AD_HW_UPDATING);
		have_pte_ad = r.error == SBI_SUCCESS;
		check_hart_reset(hartid);
		check_misaligned();
		check_pte_ad();
		check_pingpong(hartid);
		check_optionals();
	}
	printf("fwft: %d passed, %d failed\n", nr_passed, nr_failed);
	return 0;
}
