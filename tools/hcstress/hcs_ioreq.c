/* SPDX-License-Identifier: MIT */
/*
 * hcs_ioreq.c: rivet-hcstress ioreq — this program is the device model of
 * domains it builds itself, and checks the microvisor's side of the ioreq
 * protocol: every load/store form reaches it decoded as the instruction
 * meant (width, sign, register, compressed forms), answers land in the
 * right register masked and extended, posted writes keep their order with
 * the synchronous ones, and a device model that lies (answers nothing it
 * was asked, takes a request back, writes garbage states, breaks the ring,
 * dies mid-access) crashes or pauses only the domain it serves. A bystander
 * domain runs throughout and the free memory is the same at the end.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "hcs.h"
#include "ioreq.h"

#define DEV_BASE    0x10000000ULL       /* the test device: plain range of one page */
#define DEV_POSTED  (DEV_BASE + 0x100)  /* a posted 4-byte register in it */
#define DEV_FINAL   (DEV_BASE + 0x200)  /* the read that ends the program */
#define CODE_GPA    RIVET_GUEST_RAM_BASE
#define RES_GPA     (RIVET_GUEST_RAM_BASE + HCS_PAGE)   /* results the guest stores */
#define PATTERN_OFF 0x700                /* where the store pattern waits in the results page */
#define NR_POSTED   100
#define DOM_PAGES   16

#define STORE_PATTERN 0xA1B2C3D4E5F60718ULL
#define CACHED_OFF    0x300              /* three registers in the page's read cache */
#define CACHED_VALUE  0x87654321U

/* Registers the program uses. */
enum { X0 = 0, SP = 2, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9, A0 = 10, A1 = 11 };

/* What the device answers to a read of addr: every byte differs, the top bits are set. */
static uint64_t read_value(uint64_t addr) { return 0xF8F7F6F5F4F3F2F1ULL ^ addr; }

/* ---- a tiny assembler ---- */
struct prog {
	uint8_t code[HCS_PAGE];
	unsigned len;
};
static void emit32(struct prog *p, uint32_t insn) { memcpy(p->code + p->len, &insn, 4); p->len += 4; }
static void emit16(struct prog *p, uint16_t insn) { memcpy(p->code + p->len, &insn, 2); p->len += 2; }
static uint32_t load(unsigned f3, unsigned rd, unsigned rs1, int imm)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x03;
}
static uint32_t store(unsigned f3, unsigned rs2, unsigned rs1, int imm)
{
	return (((uint32_t)imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
	       ((uint32_t)imm & 0x1f) << 7 | 0x23;
}
static uint32_t addi(unsigned rd, unsigned rs1, int imm)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | rd << 7 | 0x13;
}
/* s1 = the results page (auipc at the program's first byte), s0 = the device. */
static void prologue(struct prog *p)
{
	emit32(p, 0x00001017 | S1 << 7);          /* auipc s1, 1 */
	emit32(p, (uint32_t)DEV_BASE | S0 << 7 | 0x37);   /* lui s0, DEV_BASE >> 12 */
}
static void idle(struct prog *p)
{
	emit32(p, 0x10500073);                    /* wfi */
	emit32(p, 0xffdff06f);                    /* j .-4 */
}

/* ---- the device-model side ---- */
struct server {
	int fd;
	uint32_t port, domid;
	struct rivet_ioreq_page *pg;
};

static int server_open(int fd, uint32_t domid, struct server *s)
{
	struct rivet_ioctl_ioreq io = { .domid = domid, .fd = -1 };

	memset(s, 0, sizeof *s);
	s->fd = -1;
	if (ioctl(fd, RIVET_IOCTL_IOREQ_SERVER, &io) < 0)
		return -errno;
	s->pg = mmap(NULL, HCS_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, io.fd, 0);
	if (s->pg == MAP_FAILED) {
		int e = errno;

		close(io.fd);
		return -e;
	}
	s->fd = io.fd;
	s->port = io.port;
	s->domid = domid;
	return 0;
}

static void server_close(struct server *s)
{
	if (s->fd < 0)
		return;
	munmap(s->pg, HCS_PAGE);
	close(s->fd);
	s->fd = -1;
}

static int64_t call4(int fd, uint32_t fn, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t a[6] = { a0, a1, a2, a3, 0, 0 };

	return hcs_call(fd, fn, a, -1, NULL, 0).error;
}

static void notify(struct server *s)
{
	uint32_t one = 1;

	if (write(s->fd, &one, sizeof one) != sizeof one)
		hcs_fail("notify of the ioreq port: %s", strerror(errno));
}

/* Waits up to ms for the server's port; consumes the event. */
static int wait_event(struct server *s, int ms)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	uint32_t port;

	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	return read(s->fd, &port, sizeof port) == sizeof port ? 0 : -1;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A domain of DOM_PAGES with PROG at its RAM base and PATTERN in its results page, not started. */
static int64_t build(int fd, const struct prog *prog, struct hcs_map *m)
{
	int64_t id = hcs_create(fd, DOM_PAGES, 1);
	uint64_t pattern = STORE_PATTERN;

	if (id < 0)
		return -1;
	if (hcs_populate(fd, (uint32_t)id, RIVET_GUEST_RAM_BASE, DOM_PAGES) ||
	    hcs_map(fd, (uint32_t)id, RIVET_GUEST_RAM_BASE, 2, m) < 0) {
		hcs_fail("populate/map of domain %lld", (long long)id);
		hcs_destroy(fd, (uint32_t)id);
		return -1;
	}
	memcpy(m->addr, prog->code, prog->len);
	memcpy((uint8_t *)m->addr + HCS_PAGE + PATTERN_OFF, &pattern, sizeof pattern);
	return id;
}

static int serve_ranges(int fd, struct server *s)
{
	int64_t e = call4(fd, RIVET_HC_IOREQ_MAP, s->domid, DEV_BASE, HCS_PAGE, 0);
	if (!e)
		e = call4(fd, RIVET_HC_IOREQ_MAP, s->domid, DEV_POSTED, 4, RIVET_IOREQ_RANGE_POSTED);
	if (!e)
		e = call4(fd, RIVET_HC_IOREQ_ENABLE, s->domid, 1, 0, 0);
	if (e)
		hcs_fail("mapping the test device's ranges of domain %u: %s", s->domid, hcs_errname(e));
	return e ? -1 : 0;
}

/* Destroys the domain and waits until it is gone (its maps dropped first). */
static void finish(int fd, int64_t id, struct hcs_map *m, struct server *s)
{
	hcs_unmap(fd, m);
	hcs_destroy(fd, (uint32_t)id);
	server_close(s);
	if (hcs_wait_gone(fd, (uint32_t)id))
		hcs_fail("domain %lld is still listed after its destroy", (long long)id);
}

/* ---- 1: argument checks ---- */
static void check_args(int fd, uint32_t id, uint32_t self)
{
	struct server s, s2;
	struct { uint64_t gpa, len; uint32_t flags; const char *what; } bad[] = {
		{ DEV_BASE, 0, 0, "an empty range" },
		{ ~0ULL - 0xff, 0x200, 0, "a wrapping range" },
		{ RIVET_IOREQ_MMIO_END - 4, 8, 0, "a range into guest RAM" },
		{ DEV_BASE + 0x800, 0x1000, 0, "a range overlapping another" },
		{ DEV_BASE + 0x2000, 4, RIVET_IOREQ_RANGE_POSTED, "a posted range outside every plain one" },
		{ DEV_BASE, 4, 0x80, "unknown flags" },
	};
	int64_t e;

	e = call4(fd, RIVET_HC_IOREQ_MAP, id, DEV_BASE, HCS_PAGE, 0);
	if (e != RIVET_ERR_NO_DOMAIN)
		hcs_fail("IOREQ_MAP before any server: %s", hcs_errname(e));
	e = call4(fd, RIVET_HC_IOREQ_CREATE, id, 0x1001, 0, 0);
	if (e != SBI_ERR_INVALID_ADDRESS)
		hcs_fail("IOREQ_CREATE on an unaligned page: %s", hcs_errname(e));
	e = call4(fd, RIVET_HC_IOREQ_CREATE, id, 1ULL << 40, 0, 0);
	if (e != SBI_ERR_INVALID_ADDRESS)
		hcs_fail("IOREQ_CREATE on a page outside Dom0's RAM: %s", hcs_errname(e));
	e = call4(fd, RIVET_HC_IOREQ_CREATE, self, 0, 0, 0);
	if (e != SBI_ERR_DENIED)
		hcs_fail("IOREQ_CREATE for Dom0 itself: %s", hcs_errname(e));
	e = call4(fd, RIVET_HC_IOREQ_CREATE, 4000, 0, 0, 0);
	if (e != RIVET_ERR_NO_DOMAIN)
		hcs_fail("IOREQ_CREATE for no domain: %s", hcs_errname(e));
	if (server_open(fd, id, &s)) {
		hcs_fail("IOREQ server for domain %u: %s", id, strerror(errno));
		return;
	}
	if (server_open(fd, id, &s2) != -EBUSY) {
		hcs_fail("a second server for one domain was not refused as busy");
		server_close(&s2);
	}
	if (call4(fd, RIVET_HC_IOREQ_MAP, id, DEV_BASE, HCS_PAGE, 0))
		hcs_fail("IOREQ_MAP of the test device");
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		e = call4(fd, RIVET_HC_IOREQ_MAP, id, bad[i].gpa, bad[i].len, bad[i].flags);
		if (!e)
			hcs_fail("IOREQ_MAP of %s succeeded", bad[i].what);
	}
	if (call4(fd, RIVET_HC_IOREQ_MAP, id, DEV_POSTED, 4, RIVET_IOREQ_RANGE_POSTED))
		hcs_fail("IOREQ_MAP of a posted register");
	if (call4(fd, RIVET_HC_IOREQ_UNMAP, id, DEV_BASE, HCS_PAGE, 0) != RIVET_ERR_BUSY)
		hcs_fail("IOREQ_UNMAP of a range with a posted one inside was not refused");
	if (call4(fd, RIVET_HC_IOREQ_UNMAP, id, DEV_BASE, 8, 0) == 0)
		hcs_fail("IOREQ_UNMAP of a range never mapped succeeded");
	if (call4(fd, RIVET_HC_IOREQ_UNMAP, id, DEV_POSTED, 4, RIVET_IOREQ_RANGE_POSTED) ||
	    call4(fd, RIVET_HC_IOREQ_UNMAP, id, DEV_BASE, HCS_PAGE, 0))
		hcs_fail("IOREQ_UNMAP of what was mapped");
	for (unsigned i = 0; i < RIVET_IOREQ_MAX_RANGES; i++)
		if (call4(fd, RIVET_HC_IOREQ_MAP, id, DEV_BASE + i * 16, 16, 0))
			hcs_fail("IOREQ_MAP of range %u of %u", i, RIVET_IOREQ_MAX_RANGES);
	if (!call4(fd, RIVET_HC_IOREQ_MAP, id, DEV_BASE + 0x1000, 16, 0))
		hcs_fail("IOREQ_MAP beyond the table's size succeeded");
	e = call4(fd, RIVET_HC_IOREQ_SET_IRQ, id, RIVET_MAX_VCPUS, 1, 0);
	if (e != SBI_ERR_INVALID_PARAM)
		hcs_fail("IOREQ_SET_IRQ of vCPU %u: %s", RIVET_MAX_VCPUS, hcs_errname(e));
	e = call4(fd, RIVET_HC_IOREQ_SET_IRQ, id, 0, 2, 0);
	if (e != SBI_ERR_INVALID_PARAM)
		hcs_fail("IOREQ_SET_IRQ to level 2: %s", hcs_errname(e));
	if (call4(fd, RIVET_HC_IOREQ_SET_IRQ, id, 0, 1, 0) || call4(fd, RIVET_HC_IOREQ_SET_IRQ, id, 0, 0, 0))
		hcs_fail("IOREQ_SET_IRQ of vCPU 0");
	e = call4(fd, RIVET_HC_EVTCHN_CLOSE, s.port, 0, 0, 0);
	if (e != RIVET_ERR_BUSY)
		hcs_fail("EVTCHN_CLOSE of a server's port: %s", hcs_errname(e));
	server_close(&s);
	/* The domain was never started: the pause the server's end causes leaves it destroyable. */
	hcs_pass("ioreq: hypercall arguments checked");
}

/*
 * A device model that outlives its domain: its late close must neither
 * destroy the server of the next domain to get the same id nor pause that
 * domain, and its port must not be handed to anyone else meanwhile.
 */
static void check_late_close(int fd)
{
	struct server old, cur;
	struct rivet_domain_info info;
	int64_t a = hcs_create(fd, DOM_PAGES, 1), b;

	if (a < 0)
		return;
	if (server_open(fd, (uint32_t)a, &old)) {
		hcs_fail("ioreq: a server for domain %lld", (long long)a);
		hcs_destroy(fd, (uint32_t)a);
		return;
	}
	void *priv = mmap(NULL, HCS_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, old.fd, 0);
	if (priv != MAP_FAILED) {
		hcs_fail("ioreq: a private mapping of the server page was allowed");
		munmap(priv, HCS_PAGE);
	}
	hcs_destroy(fd, (uint32_t)a);
	if (hcs_wait_gone(fd, (uint32_t)a))
		hcs_fail("ioreq: domain %lld with a server is still listed after its destroy", (long long)a);
	b = hcs_create(fd, DOM_PAGES, 1);
	if (b < 0) {
		server_close(&old);
		return;
	}
	if (server_open(fd, (uint32_t)b, &cur)) {
		hcs_fail("ioreq: a server for domain %lld", (long long)b);
	} else {
		if (cur.port == old.port)
			hcs_fail("ioreq: the new server got port %u, still the old server's", cur.port);
		if (hcs_populate(fd, (uint32_t)b, RIVET_GUEST_RAM_BASE, DOM_PAGES) ||
		    hcs_start_idle(fd, (uint32_t)b) || call4(fd, RIVET_HC_IOREQ_ENABLE, (uint32_t)b, 1, 0, 0))
			hcs_fail("ioreq: starting domain %lld and enabling its server", (long long)b);
		server_close(&old);   /* the old device model finally goes */
		if (call4(fd, RIVET_HC_IOREQ_MAP, (uint32_t)b, DEV_BASE, HCS_PAGE, 0))
			hcs_fail("ioreq: the old server's close destroyed domain %lld's server", (long long)b);
		else if (hcs_getinfo(fd, (uint32_t)b, &info) || (info.state & RIVET_DOMSTATE_PAUSED))
			hcs_fail("ioreq: the old server's close paused domain %lld", (long long)b);
		else
			hcs_pass("ioreq: a device model that outlives its domain harms the next one of that id "
				 "in nothing (%s ids)", a == b ? "same" : "different");
		server_close(&cur);
	}
	server_close(&old);
	hcs_destroy(fd, (uint32_t)b);
	if (hcs_wait_gone(fd, (uint32_t)b))
		hcs_fail("ioreq: domain %lld is still listed after its destroy", (long long)b);
}

/* ---- 2: every access form, answers and posted order ---- */
struct seen {
	uint64_t addr, data;
	uint8_t size, dir;
};

static uint64_t sext(uint64_t v, unsigned size)
{
	unsigned sh = 64 - 8 * size;

	return size == 8 ? v : (uint64_t)((int64_t)(v << sh) >> sh);
}

static uint64_t zext(uint64_t v, unsigned size)
{
	return size == 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

/*
 * LAZY: the ring is drained only when a synchronous request waits, so it
 * fills up and the write after the 64th must come synchronously, still in order.
 */
static void check_forms(int fd, bool lazy)
{
	static struct seen log[512];
	unsigned nlog = 0, nposted = 0, nsync_posted = 0;
	struct prog p = { .len = 0 };
	struct hcs_map m;
	struct server s;
	int64_t id;
	bool final = false;

	prologue(&p);
	emit32(&p, load(3, T1, S1, PATTERN_OFF));              /* t1 = the store pattern */
	for (unsigned f3 = 0; f3 <= 6; f3++) {                 /* LB LH LW LD LBU LHU LWU */
		emit32(&p, load(f3, T0, S0, (int)f3 * 8));
		emit32(&p, store(3, T0, S1, (int)f3 * 8));
	}
	for (unsigned f3 = 0; f3 <= 3; f3++)                    /* SB SH SW SD */
		emit32(&p, store(f3, T1, S0, 0x40 + (int)f3 * 8));
	emit32(&p, store(2, X0, S0, 0x60));                     /* sw x0 */
	emit32(&p, load(2, X0, S0, 0x68));                      /* lw x0: the answer goes nowhere */
	emit16(&p, 0x4048);                                     /* c.lw a0, 4(s0) */
	emit32(&p, store(3, A0, S1, 0x80));
	emit16(&p, 0x6008);                                     /* c.ld a0, 0(s0) */
	emit32(&p, store(3, A0, S1, 0x88));
	emit32(&p, addi(A1, T1, 0));
	emit16(&p, 0xC00C);                                     /* c.sw a1, 0(s0) */
	emit16(&p, 0xE00C);                                     /* c.sd a1, 0(s0) */
	emit32(&p, addi(SP, S0, 0));
	emit16(&p, 0x4522);                                     /* c.lwsp a0, 8(sp) */
	emit32(&p, store(3, A0, S1, 0x90));
	emit16(&p, 0xC62E);                                     /* c.swsp a1, 12(sp) */
	for (unsigned i = 0; i < 3; i++) {                      /* the read cache (see below) */
		emit32(&p, load(2, T0, S0, (int)(CACHED_OFF + 0x10 * i)));
		emit32(&p, store(3, T0, S1, 0xa0 + 8 * (int)i));
	}
	emit32(&p, addi(T2, X0, 0));
	for (unsigned i = 0; i < NR_POSTED; i++) {              /* posted: t2 = 1..100 */
		emit32(&p, addi(T2, T2, 1));
		emit32(&p, store(2, T2, S0, (int)(DEV_POSTED - DEV_BASE)));
	}
	emit32(&p, load(2, T0, S0, (int)(DEV_FINAL - DEV_BASE)));
	emit32(&p, store(3, T0, S1, 0x98));
	idle(&p);

	id = build(fd, &p, &m);
	if (id < 0)
		return;
	/*
	 * The read cache: a valid word the microvisor answers itself; one of
	 * another size and one not valid, which come to the device model.
	 */
	int r = server_open(fd, (uint32_t)id, &s);
	if (!r) {
		s.pg->cache[0] = (struct rivet_ioreq_cached){ DEV_BASE + CACHED_OFF,
			RIVET_IOREQ_CACHED_WORD(CACHED_VALUE, 4, RIVET_IOREQ_CACHED_VALID) };
		s.pg->cache[1] = (struct rivet_ioreq_cached){ DEV_BASE + CACHED_OFF + 0x10,
			RIVET_IOREQ_CACHED_WORD(5, 2, RIVET_IOREQ_CACHED_VALID) };
		s.pg->cache[2] = (struct rivet_ioreq_cached){ DEV_BASE + CACHED_OFF + 0x20,
			RIVET_IOREQ_CACHED_WORD(9, 4, 0) };
	}
	if (r || serve_ranges(fd, &s) || hcs_vcpu_start(fd, (uint32_t)id, CODE_GPA)) {
		hcs_fail("ioreq: setting up the access-forms domain");
		finish(fd, id, &m, &s);
		return;
	}
	while (!final && nlog < sizeof log / sizeof log[0]) {
		if (wait_event(&s, 5000)) {
			hcs_fail("ioreq: no request for 5 s after %u (%u posted)", nlog, nposted);
			break;
		}
		for (;;) {
			if (lazy && __atomic_load_n(&s.pg->vcpu[0].state, __ATOMIC_ACQUIRE) != RIVET_IOREQ_READY)
				break;
			/* Posted writes first, as a device model must. */
			uint32_t prod = __atomic_load_n(&s.pg->ring_prod, __ATOMIC_ACQUIRE);
			uint32_t cons = s.pg->ring_cons;
			for (; cons != prod && nlog < sizeof log / sizeof log[0]; cons++, nposted++) {
				struct rivet_ioreq_posted *e = &s.pg->ring[cons % RIVET_IOREQ_RING_SLOTS];
				log[nlog++] = (struct seen){ e->addr, e->data, e->size, RIVET_IOREQ_WRITE };
			}
			__atomic_store_n(&s.pg->ring_cons, cons, __ATOMIC_SEQ_CST);
			struct rivet_ioreq *q = &s.pg->vcpu[0];
			if (__atomic_load_n(&q->state, __ATOMIC_ACQUIRE) != RIVET_IOREQ_READY)
				break;
			struct seen r = { q->addr, q->data, q->size, q->dir };
			if (r.dir == RIVET_IOREQ_READ)
				q->data = read_value(r.addr);
			else if (r.addr == DEV_POSTED)
				nsync_posted++;
			final = r.addr == DEV_FINAL;
			log[nlog++] = r;
			__atomic_store_n(&q->state, RIVET_IOREQ_DONE, __ATOMIC_RELEASE);
			notify(&s);
		}
	}
	sleep_ms(200);   /* the last answer's store to RAM */

	/* The order the device model saw them in. */
	unsigned k = 0, bad = 0;
#define EXPECT(a, sz, d, val) do { \
		if (k >= nlog || log[k].addr != (a) || log[k].size != (sz) || log[k].dir != (d) || \
		    ((d) == RIVET_IOREQ_WRITE && log[k].data != (val))) { \
			if (bad++ < 5) \
				hcs_fail("ioreq: request %u: got addr 0x%llx size %u dir %u data 0x%llx, " \
					 "expected addr 0x%llx size %u dir %u data 0x%llx", k, \
					 k < nlog ? (unsigned long long)log[k].addr : 0ULL, \
					 k < nlog ? log[k].size : 0, k < nlog ? log[k].dir : 0, \
					 k < nlog ? (unsigned long long)log[k].data : 0ULL, \
					 (unsigned long long)(a), (unsigned)(sz), (unsigned)(d), \
					 (unsigned long long)(val)); \
		} \
		k++; \
	} while (0)
	for (unsigned f3 = 0; f3 <= 6; f3++)
		EXPECT(DEV_BASE + f3 * 8, 1u << (f3 & 3), RIVET_IOREQ_READ, 0);
	for (unsigned f3 = 0; f3 <= 3; f3++)
		EXPECT(DEV_BASE + 0x40 + f3 * 8, 1u << f3, RIVET_IOREQ_WRITE, zext(STORE_PATTERN, 1u << f3));
	EXPECT(DEV_BASE + 0x60, 4, RIVET_IOREQ_WRITE, 0);
	EXPECT(DEV_BASE + 0x68, 4, RIVET_IOREQ_READ, 0);
	EXPECT(DEV_BASE + 4, 4, RIVET_IOREQ_READ, 0);
	EXPECT(DEV_BASE, 8, RIVET_IOREQ_READ, 0);
	EXPECT(DEV_BASE, 4, RIVET_IOREQ_WRITE, zext(STORE_PATTERN, 4));
	EXPECT(DEV_BASE, 8, RIVET_IOREQ_WRITE, STORE_PATTERN);
	EXPECT(DEV_BASE + 8, 4, RIVET_IOREQ_READ, 0);
	EXPECT(DEV_BASE + 12, 4, RIVET_IOREQ_WRITE, zext(STORE_PATTERN, 4));
	EXPECT(DEV_BASE + CACHED_OFF + 0x10, 4, RIVET_IOREQ_READ, 0);
	EXPECT(DEV_BASE + CACHED_OFF + 0x20, 4, RIVET_IOREQ_READ, 0);
	for (unsigned i = 1; i <= NR_POSTED; i++)
		EXPECT(DEV_POSTED, 4, RIVET_IOREQ_WRITE, i);
	EXPECT(DEV_FINAL, 4, RIVET_IOREQ_READ, 0);
	if (k != nlog && bad++ < 5)
		hcs_fail("ioreq: %u requests, expected %u", nlog, k);
	if (lazy && nsync_posted != 1 && bad++ < 5)
		hcs_fail("ioreq: %u posted writes came synchronously, expected 1 (the ring's 65th)",
			 nsync_posted);
	if (!bad)
		hcs_pass("ioreq: %u accesses of every form arrived decoded and in order "
			 "(%u posted through the ring, %u synchronously when it was full%s)",
			 nlog, nposted, nsync_posted, lazy ? ", lazy device model" : "");

	/* What the guest's registers received. */
	const uint64_t *res = (const uint64_t *)((uint8_t *)m.addr + HCS_PAGE);
	struct { unsigned off; uint64_t want; const char *what; } regs[] = {
		{ 0x00, sext(read_value(DEV_BASE + 0x00), 1), "lb" },
		{ 0x08, sext(read_value(DEV_BASE + 0x08), 2), "lh" },
		{ 0x10, sext(read_value(DEV_BASE + 0x10), 4), "lw" },
		{ 0x18, read_value(DEV_BASE + 0x18), "ld" },
		{ 0x20, zext(read_value(DEV_BASE + 0x20), 1), "lbu" },
		{ 0x28, zext(read_value(DEV_BASE + 0x28), 2), "lhu" },
		{ 0x30, zext(read_value(DEV_BASE + 0x30), 4), "lwu" },
		{ 0x80, sext(read_value(DEV_BASE + 4), 4), "c.lw" },
		{ 0x88, read_value(DEV_BASE), "c.ld" },
		{ 0x90, sext(read_value(DEV_BASE + 8), 4), "c.lwsp" },
		{ 0x98, sext(read_value(DEV_FINAL), 4), "lw after the posted writes" },
		{ 0xa0, sext(CACHED_VALUE, 4), "lw of a cached register" },
		{ 0xa8, sext(read_value(DEV_BASE + CACHED_OFF + 0x10), 4), "lw of a cached halfword" },
		{ 0xb0, sext(read_value(DEV_BASE + CACHED_OFF + 0x20), 4), "lw of an invalid cache word" },
	};
	bad = 0;
	for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++) {
		uint64_t got = __atomic_load_n(&res[regs[i].off / 8], __ATOMIC_RELAXED);
		if (got != regs[i].want && bad++ < 5)
			hcs_fail("ioreq: %s read 0x%llx into its register, expected 0x%llx", regs[i].what,
				 (unsigned long long)got, (unsigned long long)regs[i].want);
	}
	if (!bad)
		hcs_pass("ioreq: loads got their answers masked and sign- or zero-extended, "
			 "a cached register's from the page without a request");
	finish(fd, id, &m, &s);
}

/* ---- 3: lying device models ---- */
/* The ways a device model lies, and last a guest's own misaligned access (no lie: its fault). */
enum lie { LIE_UNASKED, LIE_TAKE_BACK, LIE_GARBAGE, LIE_MADE_UP, LIE_RING, LIE_DIE, GUEST_MISALIGNED };

static const char *lie_name(enum lie l)
{
	static const char *names[] = { "an answer nobody asked for", "a request taken back",
				       "a garbage state", "a made-up request", "a broken posted ring",
				       "its death in the middle of an access",
				       "a guest's misaligned access (the guest gets the exception)" };
	return names[l];
}

/*
 * Waits until the domain crashed: 0 then, -1 if it still runs. With a
 * toolstack running (rivet-consoled applies on_crash), it also waits for that
 * destroy: destroying it here instead would race with it, and the toolstack
 * could then destroy the next domain to get the same id.
 */
#define TOOLSTACK_MS 3000
static int wait_crashed(int fd, uint32_t id)
{
	struct rivet_domain_info info;
	bool crashed = false;

	for (unsigned ms = 0; ms < HCS_WAIT_MS && (!crashed || ms < TOOLSTACK_MS); ms += 10) {
		int64_t e = hcs_getinfo(fd, id, &info);
		if (e == RIVET_ERR_NO_DOMAIN || (!e && (info.state & RIVET_DOMSTATE_DYING)))
			return 0;   /* the toolstack applied on_crash */
		if (!e && (info.state & RIVET_DOMSTATE_SHUTDOWN) && info.shutdown_reason == RIVET_SHUTDOWN_CRASH)
			crashed = true;
		sleep_ms(10);
	}
	return crashed ? 0 : -1;
}

static void check_lie(int fd, enum lie l)
{
	struct prog p = { .len = 0 };
	struct rivet_domain_info info;
	struct hcs_map m;
	struct server s;
	int64_t id;

	prologue(&p);
	if (l == LIE_RING)
		emit32(&p, store(2, X0, S0, (int)(DEV_POSTED - DEV_BASE)));
	else if (l == GUEST_MISALIGNED)
		emit32(&p, load(2, T0, S0, 2));   /* no trap handler: the exception ends it */
	else if (l != LIE_UNASKED && l != LIE_MADE_UP)
		emit32(&p, load(2, T0, S0, 0));
	idle(&p);
	id = build(fd, &p, &m);
	if (id < 0)
		return;
	int r = server_open(fd, (uint32_t)id, &s);
	if (r || serve_ranges(fd, &s)) {
		hcs_fail("ioreq: setting up domain %lld for %s: %s", (long long)id, lie_name(l),
			 r ? strerror(-r) : "mapping ranges");
		finish(fd, id, &m, &s);
		return;
	}
	if (l == LIE_RING)
		s.pg->ring_cons = 1000;   /* ahead of everything the microvisor produced */
	if (hcs_vcpu_start(fd, (uint32_t)id, CODE_GPA))
		hcs_fail("ioreq: starting the domain for %s", lie_name(l));
	struct rivet_ioreq *q = &s.pg->vcpu[0];
	switch (l) {
	case LIE_UNASKED:
	case LIE_MADE_UP:
		sleep_ms(50);
		__atomic_store_n(&q->state, l == LIE_UNASKED ? RIVET_IOREQ_DONE : RIVET_IOREQ_READY,
				 __ATOMIC_RELEASE);
		notify(&s);
		break;
	case LIE_TAKE_BACK:
	case LIE_GARBAGE:
	case LIE_DIE:
		if (wait_event(&s, 5000) || q->state != RIVET_IOREQ_READY) {
			hcs_fail("ioreq: no request arrived for %s", lie_name(l));
			break;
		}
		if (l == LIE_DIE) {
			server_close(&s);
			for (unsigned ms = 0; ms < HCS_WAIT_MS; ms += 10) {
				if (!hcs_getinfo(fd, (uint32_t)id, &info) && (info.state & RIVET_DOMSTATE_PAUSED))
					break;
				sleep_ms(10);
			}
			if (hcs_getinfo(fd, (uint32_t)id, &info) || !(info.state & RIVET_DOMSTATE_PAUSED))
				hcs_fail("ioreq: the domain is not paused after its device model died");
			else
				hcs_pass("ioreq: a device model's death in an access pauses its domain");
			finish(fd, id, &m, &s);
			return;
		}
		__atomic_store_n(&q->state, l == LIE_TAKE_BACK ? RIVET_IOREQ_NONE : 0x5a, __ATOMIC_RELEASE);
		notify(&s);
		break;
	case LIE_RING:
	case GUEST_MISALIGNED:
		break;   /* the access itself ends it */
	}
	if (wait_crashed(fd, (uint32_t)id))
		hcs_fail("ioreq: %s did not crash the served domain", lie_name(l));
	else
		hcs_pass("ioreq: %s crashes the served domain only", lie_name(l));
	finish(fd, id, &m, &s);
}

int hcs_ioreq(void)
{
	int fd = hcs_open();
	struct rivet_domain_info info;
	uint64_t free0 = hcs_free_bytes(fd);
	uint32_t self;
	int64_t bystander, id;

	self = (uint32_t)hcs_call(fd, RIVET_HC_DOMAIN_ID, (uint64_t[6]){ 0 }, -1, NULL, 0).value;
	/* An idle domain beside all of this must run on untouched. */
	bystander = hcs_create(fd, DOM_PAGES, 1);
	if (bystander < 0 || hcs_populate(fd, (uint32_t)bystander, RIVET_GUEST_RAM_BASE, DOM_PAGES) ||
	    hcs_start_idle(fd, (uint32_t)bystander))
		return 1;

	id = hcs_create(fd, DOM_PAGES, 1);
	if (id >= 0) {
		check_args(fd, (uint32_t)id, self);
		hcs_destroy(fd, (uint32_t)id);
		if (hcs_wait_gone(fd, (uint32_t)id))
			hcs_fail("ioreq: the argument-check domain is still listed");
	}
	check_late_close(fd);
	check_forms(fd, false);
	check_forms(fd, true);
	for (enum lie l = LIE_UNASKED; l <= GUEST_MISALIGNED; l++)
		check_lie(fd, l);

	if (hcs_getinfo(fd, (uint32_t)bystander, &info) ||
	    (info.state & (RIVET_DOMSTATE_SHUTDOWN | RIVET_DOMSTATE_DYING | RIVET_DOMSTATE_PAUSED)))
		hcs_fail("ioreq: the bystander domain does not run any more");
	else
		hcs_pass("ioreq: the bystander domain ran on throughout");
	hcs_destroy(fd, (uint32_t)bystander);
	hcs_wait_gone(fd, (uint32_t)bystander);
	uint64_t free1 = hcs_free_bytes(fd);
	if (free1 != free0)
		hcs_fail("ioreq: free memory %llu before, %llu after", (unsigned long long)free0,
			 (unsigned long long)free1);
	else
		hcs_pass("ioreq: every byte of memory is back");
	close(fd);
	printf("hcstress: ioreq: %u passed, %u failed\n", hcs_passed, hcs_failed);
	return hcs_failed ? 1 : 0;
}
