/* SPDX-License-Identifier: MIT */
/*
 * hcs_random.c: `rivet-hcstress random N SEED`: N control calls with random
 * and edge arguments. Calls that change a domain only ever aim at domains
 * this run created (or at ids no domain can have); read-only calls go
 * anywhere. Every answer must be a documented error code, what the ABI
 * promises must hold, and afterwards every byte of free memory must be back.
 *
 * Two things a root process could do are left out because they break Dom0's
 * own driver rather than test the microvisor: EVTCHN_ACK (it lowers Dom0's
 * event line) and EVTCHN_INIT or raw buffers at addresses inside Dom0's RAM
 * (the microvisor would rightly write there). Such buffers go through the
 * driver's bounce page, or point outside Dom0's RAM, where they must fail.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hcs.h"

#define BASE        RIVET_GUEST_RAM_BASE
#define PG          HCS_PAGE
#define WIN_BASE    0x10000000000ULL          /* Dom0's foreign window: [1 TiB, 2 TiB) */
#define WIN_END     0x20000000000ULL
#define WIN_MINE    (WIN_BASE + (256ULL << 30))  /* far from the driver's part (its first 4 GiB) */
#define MAX_TRACK   16                        /* maps and ports held at once */
#define MAX_SHOWN   40                        /* failure lines printed; the rest only counted */

struct own {
	uint32_t id;
	char name[RIVET_NAME_MAX];
	int alive;
};

static int fd;
static uint64_t rs, dom0_end;
static struct own own[256];
static unsigned nr_own;
static struct { uint64_t gpa, pages; } wins[MAX_TRACK];
static unsigned nr_wins;
static uint32_t ports[MAX_TRACK];
static unsigned nr_ports;
static unsigned long call_no, nr_bad;
static FILE *trace;
static char prefix[24];

static uint64_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static uint64_t pick(const uint64_t *v, unsigned n)
{
	return v[below(n)];
}
#define PICK(...) ({ const uint64_t v_[] = { __VA_ARGS__ }; pick(v_, sizeof v_ / sizeof v_[0]); })

static void bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void bad(const char *fmt, ...)
{
	char line[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (trace)
		fprintf(trace, "  FAIL %s\n", line);
	if (nr_bad++ < MAX_SHOWN)
		hcs_fail("call %lu: %s", call_no, line);
	else
		hcs_failed++;
}

/* ---- what this run owns ---- */

static struct own *own_alive(void)
{
	unsigned i, n = 0, k;

	for (i = 0; i < nr_own; i++)
		n += own[i].alive;
	if (!n)
		return NULL;
	k = (unsigned)below(n);
	for (i = 0; i < nr_own; i++)
		if (own[i].alive && !k--)
			return &own[i];
	return NULL;
}

static struct own *own_find(uint64_t id)
{
	unsigned i;

	for (i = 0; i < nr_own; i++)
		if (own[i].alive && own[i].id == id)
			return &own[i];
	return NULL;
}

static unsigned own_count(void)
{
	unsigned i, n = 0;

	for (i = 0; i < nr_own; i++)
		n += own[i].alive;
	return n;
}

/* Is ID still the domain we created under that name? (someone may have destroyed it) */
static int own_still(const struct own *o)
{
	struct rivet_domain_info info;

	return hcs_getinfo(fd, o->id, &info) == 0 && !strncmp(info.name, o->name, RIVET_NAME_MAX);
}

static void own_add(uint32_t id, const char *name)
{
	if (nr_own == sizeof own / sizeof own[0]) {
		/* Forget the dead; the table only grows past this with a leak anyway. */
		unsigned i, j = 0;

		for (i = 0; i < nr_own; i++)
			if (own[i].alive)
				own[j++] = own[i];
		nr_own = j;
	}
	own[nr_own].id = id;
	memcpy(own[nr_own].name, name, RIVET_NAME_MAX);
	own[nr_own].name[RIVET_NAME_MAX - 1] = '\0';
	own[nr_own++].alive = 1;
}

/* ---- argument pickers ---- */

/* A domain id for a call that changes the domain: ours, or one no domain can have. */
static uint64_t target_domid(void)
{
	struct own *o = own_alive();

	if (o && below(10) < 7)
		return PICK(o->id, o->id, o->id, o->id | 1ULL << 32, o->id | 1ULL << 63,
			    o->id | 0x10000);
	return PICK(0x7FF1, 0xFFFF, 0xFFFFFFFFULL, 1ULL << 32, ~0ULL, 0x7FF0ULL << 32);
}

/* Any domain id: for calls that only read. */
static uint64_t any_domid(void)
{
	if (below(2))
		return target_domid();
	return PICK(0, RIVET_DOMID_SELF, 1, 2, 3, below(16), rnd(), 0x7FEF);
}

static uint64_t domu_gpa(void)
{
	return PICK(BASE + below(512) * PG, BASE + below(512) * PG, BASE + below(64) * PG,
		    BASE + below(1 << 20), 0, BASE - PG, ~0ULL & ~(PG - 1), 1ULL << 63,
		    (1ULL << 41) - PG, rnd());
}

static uint64_t npages(void)
{
	return PICK(1 + below(16), 1 + below(16), 1 + below(4), 0, 1ULL << 20, 1ULL << 52,
		    ~0ULL, ~0ULL >> 12, rnd());
}

/* A raw buffer address that is not wholly in Dom0's RAM (a correct microvisor refuses it). */
static uint64_t bad_buf(void)
{
	return PICK(0, 0x1000, BASE - 8, dom0_end, dom0_end - 8, dom0_end + below(1 << 30) * 8,
		    WIN_BASE, WIN_MINE, ~0ULL - 7, ~0ULL & ~(PG - 1), 1ULL << 63);
}

static uint64_t len_arg(void)
{
	return PICK(below(513), below(513), 512, 513, 0, 4096, 1ULL << 32, ~0ULL);
}

static uint64_t port_arg(void)
{
	if (nr_ports && below(2))
		return PICK(ports[below(nr_ports)], ports[below(nr_ports)] | 1ULL << 32);
	return PICK(0, RIVET_EVTCHN_PORTS, RIVET_EVTCHN_PORTS + 1, 0xFFFFFFFFULL, ~0ULL, 1ULL << 40);
}

static uint64_t garbage(void)
{
	return PICK(0, 1, below(256), rnd(), ~0ULL, 1ULL << 63, 0xFFFFFFFFULL);
}

/* ---- the calls ---- */

static const uint32_t known_fns[] = {
	RIVET_HC_VERSION, RIVET_HC_CURRENT_HART, RIVET_HC_DOMAIN_ID, RIVET_HC_EVTCHN_INIT,
	RIVET_HC_EVTCHN_SEND, RIVET_HC_EVTCHN_UNMASK, RIVET_HC_PHYSINFO,
	RIVET_HC_DOMAIN_CREATE, RIVET_HC_DOMAIN_DESTROY, RIVET_HC_DOMAIN_PAUSE,
	RIVET_HC_DOMAIN_UNPAUSE, RIVET_HC_DOMAIN_GETINFO, RIVET_HC_DOMAIN_SHUTDOWN,
	RIVET_HC_VCPU_START, RIVET_HC_VCPU_GETINFO, RIVET_HC_VCPU_PIN, RIVET_HC_SCHED_GET,
	RIVET_HC_SCHED_SET, RIVET_HC_VCPU_GETCONTEXT, RIVET_HC_DOMAIN_VCPUS, RIVET_HC_MEMORY_POPULATE,
	RIVET_HC_MEMORY_RELEASE, RIVET_HC_FOREIGN_MAP, RIVET_HC_FOREIGN_UNMAP,
	RIVET_HC_MEMORY_RECLAIM, RIVET_HC_MEMORY_RESTORE,
	RIVET_HC_EVTCHN_ALLOC, RIVET_HC_EVTCHN_BIND, RIVET_HC_EVTCHN_BIND_VIRQ,
	RIVET_HC_EVTCHN_CLOSE, RIVET_HC_CONSOLE_READ, RIVET_HC_CONSOLE_WRITE, RIVET_HC_DMESG_READ,
};
static const uint32_t unknown_fns[] = {
	3, 7, 12, 15, 31, 38, 46, 39, 44, 47, 53, 63, 64, 255, 0x10000, 0x7FFFFFFF, 0xFFFFFFFF,
};

static int documented(int64_t e)
{
	return (e <= 0 && e >= SBI_ERR_NO_SHMEM) || (e <= RIVET_ERR_NO_DOMAIN && e >= RIVET_ERR_EXISTS);
}

/* What DOMAIN_CREATE must refuse, for the config the microvisor got (zeroes past LEN). */
static int config_valid(const struct rivet_domain_config *c)
{
	size_t n = strnlen(c->name, RIVET_NAME_MAX), i;

	if (n == 0 || n == RIVET_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char ch = c->name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '.' || ch == '-'))
			return 0;
	}
	return c->nr_vcpus >= 1 && c->nr_vcpus <= 8 && !(c->max_bytes % PG) && !c->flags;
}

static void make_config(struct rivet_domain_config *c)
{
	static unsigned serial;
	static const char *const odd[] = { "", "a b", "x/y", "\xff\xfe", "-", "ok\n", "%s%n" };

	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s%u", prefix, serial++);
	c->max_bytes = PICK(PG * (16 + below(64)), 1 << 20, 0, PG + 1, 1ULL << 40, ~0ULL & ~(PG - 1));
	c->nr_vcpus = (uint32_t)PICK(1, 1, 2, 8, 0, 9, 0xFFFFFFFF);
	c->cpus_mask = PICK(0, 0, 1, 3, ~0ULL, 1ULL << 63);
	c->flags = (uint32_t)PICK(0, 0, 0, RIVET_DOMF_PRIVILEGED, 0x80000000);
	c->on_poweroff = (uint8_t)below(4);
	switch (below(8)) {
	case 0:     /* the longest valid name */
		memset(c->name + strlen(c->name), '.', RIVET_NAME_MAX - 1 - strlen(c->name));
		break;
	case 1:     /* no terminating NUL */
		memset(c->name + strlen(c->name), 'z', RIVET_NAME_MAX - strlen(c->name));
		break;
	case 2:     /* a character outside [A-Za-z0-9_.-] after our prefix */
		snprintf(c->name + strlen(c->name), 8, "%s", odd[below(7)]);
		break;
	}
}

/* Destroys a domain of ours to stay under HCS_MAX_OWN (waits: its memory matters later). */
static void make_room(void)
{
	struct own *o;

	while (own_count() >= HCS_MAX_OWN && (o = own_alive())) {
		if (own_still(o)) {
			hcs_destroy(fd, o->id);
			hcs_wait_gone(fd, o->id);
		}
		o->alive = 0;
	}
}

static int win_find(uint64_t gpa, uint64_t pages)
{
	unsigned i;

	for (i = 0; i < nr_wins; i++)
		if (wins[i].gpa == gpa && wins[i].pages == pages)
			return (int)i;
	return -1;
}

/* A window address: mostly free slots of our own part, plus every kind of wrong one. */
static uint64_t win_arg(void)
{
	return PICK(WIN_MINE + below(MAX_TRACK) * 16 * PG, WIN_MINE + below(MAX_TRACK) * 16 * PG,
		    WIN_MINE + below(MAX_TRACK) * 16 * PG + 8, WIN_BASE - PG, WIN_END - PG, WIN_END,
		    0x1000, ~0ULL & ~(PG - 1), 1ULL << 63, WIN_MINE | 1ULL << 44);
}

/*
 * A call's buffer argument ARG: the bounce page of SIZE bytes when BOUNCE,
 * else an address outside Dom0's RAM, with which the call must fail.
 */
static void buf_or_bad(int bounce, int arg, uint32_t size, uint64_t *a, int *buf_arg, uint32_t *len,
		       int *must_fail)
{
	if (bounce) {
		*buf_arg = arg;
		*len = size;
	} else {
		a[arg] = bad_buf();
		*must_fail = 1;
	}
}

static void one_call(void)
{
	union {
		uint8_t b[4096];
		struct rivet_physinfo pi;
		struct rivet_domain_config cfg;
		struct rivet_domain_info info;
		struct rivet_vcpu_info vi;
		struct rivet_sched_params sp;
		struct rivet_vcpu_context vc;
		uint64_t q[RIVET_BALLOON_MAX_PAGES];   /* MEMORY_RECLAIM / RESTORE's list */
	} buf;
	uint64_t a[6];
	int buf_arg = -1, must_fail = 0, ioctl_err = 0, bounce = below(3) != 0, k;
	int64_t exact = 1;
	uint32_t fn, len = 0;
	struct hcs_ret r;
	struct own *o;

	for (k = 0; k < 6; k++)
		a[k] = garbage();
	for (k = 0; k < (int)sizeof buf.b; k++)
		buf.b[k] = (uint8_t)rnd();
	if (below(8))
		fn = known_fns[below(sizeof known_fns / sizeof known_fns[0])];
	else
		fn = unknown_fns[below(sizeof unknown_fns / sizeof unknown_fns[0])];

	switch (fn) {
	case RIVET_HC_VERSION:
	case RIVET_HC_CURRENT_HART:
	case RIVET_HC_DOMAIN_ID:
		break;
	case RIVET_HC_PHYSINFO:
		if (bounce) {
			buf_arg = 0;
			len = sizeof buf.pi;
		} else {
			a[0] = bad_buf();
			exact = SBI_ERR_INVALID_ADDRESS;
		}
		break;
	case RIVET_HC_DOMAIN_CREATE:
		make_room();
		make_config(&buf.cfg);
		if (bounce) {
			buf_arg = 0;
			len = below(6) ? sizeof buf.cfg : (uint32_t)below(sizeof buf.cfg);
			memset(buf.b + len, 0, sizeof buf.b - len);  /* what the bounce page holds */
			must_fail = !config_valid(&buf.cfg);
		} else {
			a[0] = bad_buf();
			must_fail = 1;
		}
		break;
	case RIVET_HC_DOMAIN_DESTROY:
		a[0] = target_domid();
		a[1] = PICK(0, 0, 0, RIVET_DESTROY_IF_SHUTDOWN, 2, ~0ULL);
		must_fail = (a[1] & ~RIVET_DESTROY_FLAGS) != 0;
		break;
	case RIVET_HC_DOMAIN_PAUSE:
	case RIVET_HC_DOMAIN_UNPAUSE:
		a[0] = target_domid();
		break;
	case RIVET_HC_DOMAIN_SHUTDOWN:
		a[0] = target_domid();
		a[1] = PICK(0, 1, 2, 3, ~0ULL);
		break;
	case RIVET_HC_DOMAIN_GETINFO:
		a[0] = any_domid();
		buf_or_bad(bounce, 1, sizeof buf.info, a, &buf_arg, &len, &must_fail);
		break;
	case RIVET_HC_VCPU_START:
		a[0] = target_domid();
		a[1] = PICK(0, 0, 1, 8, ~0ULL);
		a[2] = domu_gpa();
		break;
	case RIVET_HC_VCPU_GETINFO:
		a[0] = any_domid();
		a[1] = PICK(0, 1, 7, 8, ~0ULL, 1ULL << 32);
		buf_or_bad(bounce, 2, sizeof buf.vi, a, &buf_arg, &len, &must_fail);
		break;
	case RIVET_HC_VCPU_GETCONTEXT:
		/* Running, paused or shut down, any vCPU: registers or a documented refusal. */
		a[0] = any_domid();
		a[1] = PICK(0, 1, 7, 8, ~0ULL, 1ULL << 32);
		buf_or_bad(bounce, 2, sizeof buf.vc, a, &buf_arg, &len, &must_fail);
		break;
	case RIVET_HC_DOMAIN_VCPUS:
		/* 1 is always in range; 0 and more than any domain has never are. */
		a[0] = target_domid();
		a[1] = PICK(0, 1, 1, 2, 8, 9, ~0ULL, 1ULL << 32 | 1);
		must_fail = a[1] < 1 || a[1] > 8;
		break;
	case RIVET_HC_VCPU_PIN:
		a[0] = target_domid();
		a[1] = PICK(0, 1, 7, 8, ~0ULL, 1ULL << 32);
		a[2] = PICK(0, 1, 2, 3, ~0ULL, 1ULL << 63, rnd());
		break;
	case RIVET_HC_SCHED_GET:
		a[0] = any_domid();
		a[1] = PICK(0, 1, 7, 8, RIVET_SCHED_ALL_VCPUS, ~0ULL);
		buf_or_bad(bounce, 2, sizeof buf.sp, a, &buf_arg, &len, &must_fail);
		break;
	case RIVET_HC_SCHED_SET:
		/*
		 * Its own domains only (target_domid): a legal but tiny RTDS budget
		 * for Dom0 would starve the test itself. Values in and out of range.
		 */
		a[0] = target_domid();
		a[1] = PICK(0, 1, 8, RIVET_SCHED_ALL_VCPUS, ~0ULL);
		buf.sp = (struct rivet_sched_params){
			.policy = (uint32_t)PICK(RIVET_SCHED_CREDIT, RIVET_SCHED_RTDS, 2, ~0U),
			.weight = (uint32_t)PICK(0, 1, 256, 65535, 65536, ~0U),
			.cap = (uint32_t)PICK(0, 50, 100, 400, 100000, ~0U),
			.extratime = (uint32_t)PICK(0, 1, 2),
			.period_us = PICK(0, 99, 100, 10000, 10000000, 10000001, ~0ULL),
			.budget_us = PICK(0, 9, 10, 2000, 10000, ~0ULL),
		};
		buf_or_bad(bounce, 2, sizeof buf.sp, a, &buf_arg, &len, &must_fail);
		break;
	case RIVET_HC_MEMORY_POPULATE:
		/* Dom0 aiming it at itself must be refused. */
		a[0] = below(8) ? target_domid() : PICK(0, RIVET_DOMID_SELF);
		must_fail = a[0] == 0 || a[0] == RIVET_DOMID_SELF;
		a[1] = domu_gpa();
		a[2] = npages();
		break;
	case RIVET_HC_MEMORY_RELEASE:
		a[0] = target_domid();
		a[1] = domu_gpa();
		a[2] = npages();
		break;
	case RIVET_HC_MEMORY_RECLAIM:
	case RIVET_HC_MEMORY_RESTORE:
		/* Ballooning, from a running domain too; Dom0 aiming it at itself must be refused. */
		a[0] = below(8) ? target_domid() : PICK(0, RIVET_DOMID_SELF);
		a[1] = domu_gpa();
		a[2] = below(2) ? npages() : PICK(RIVET_BALLOON_MAX_PAGES, RIVET_BALLOON_MAX_PAGES + 1, 1 + below(512));
		/* Flags (1.5): mostly none; unknown bits refused. */
		a[3] = below(8) ? 0 : garbage();
		must_fail = a[0] == 0 || a[0] == RIVET_DOMID_SELF || !a[2] || a[2] > RIVET_BALLOON_MAX_PAGES ||
			    (a[3] & ~RIVET_MEMORY_FLAGS) || (!(a[3] & RIVET_MEMORY_LIST) && a[1] % PG);
		if (a[3] & RIVET_MEMORY_LIST)
			a[1] = bad_buf();   /* a list not in Dom0's RAM */
		if (a[3] == 0 && bounce && below(2)) {
			/* A list of pages in the bounce page: scattered, some bad, some repeated. */
			uint64_t n = a[2] <= RIVET_BALLOON_MAX_PAGES ? a[2] : RIVET_BALLOON_MAX_PAGES;
			for (uint64_t i = 0; i < n; i++)
				buf.q[i] = i && !below(16) ? buf.q[below(i)] : domu_gpa();
			a[3] = RIVET_MEMORY_LIST;
			buf_arg = 1;
			len = n ? (uint32_t)(n * sizeof(uint64_t)) : 8;
			must_fail = a[0] == 0 || a[0] == RIVET_DOMID_SELF || !a[2] || a[2] > RIVET_BALLOON_MAX_PAGES;
		} else if (a[3] & RIVET_MEMORY_LIST) {
			must_fail = 1;
		}
		break;
	case RIVET_HC_FOREIGN_MAP:
		if (nr_wins == MAX_TRACK)
			return;
		a[0] = below(8) ? target_domid() : PICK(0, RIVET_DOMID_SELF);
		a[1] = domu_gpa();
		a[2] = win_arg();
		a[3] = npages();
		must_fail = a[0] == 0 || a[0] == RIVET_DOMID_SELF || a[2] % PG ||
			    a[2] < WIN_BASE || a[2] >= WIN_END || !a[3] ||
			    a[3] > (WIN_END - a[2]) / PG;
		break;
	case RIVET_HC_FOREIGN_UNMAP:
		if (nr_wins && below(2)) {
			unsigned i = (unsigned)below(nr_wins);

			a[0] = wins[i].gpa;
			a[1] = PICK(wins[i].pages, wins[i].pages, wins[i].pages + 1, 0,
				    wins[i].pages | 1ULL << 32);
			exact = a[1] == wins[i].pages ? 0 : 1;
		} else {
			a[0] = win_arg();
			a[1] = npages();
		}
		must_fail = win_find(a[0], a[1]) < 0;
		break;
	case RIVET_HC_EVTCHN_INIT:
		a[0] = bad_buf() | (below(2) ? 0 : 8);
		must_fail = 1;
		break;
	case RIVET_HC_EVTCHN_SEND:
	case RIVET_HC_EVTCHN_UNMASK:
	case RIVET_HC_EVTCHN_CLOSE:
		a[0] = port_arg();
		must_fail = !(a[0] < RIVET_EVTCHN_PORTS);   /* only ours are valid ones */
		break;
	case RIVET_HC_EVTCHN_ALLOC:
		if (nr_ports == MAX_TRACK)
			return;
		a[0] = below(4) ? target_domid() : 0;
		break;
	case RIVET_HC_EVTCHN_BIND:
		if (nr_ports == MAX_TRACK)
			return;
		a[0] = below(4) ? target_domid() : 0;
		a[1] = PICK(0, 1, below(RIVET_EVTCHN_PORTS), RIVET_EVTCHN_PORTS, ~0ULL);
		break;
	case RIVET_HC_EVTCHN_BIND_VIRQ:
		if (nr_ports == MAX_TRACK)
			return;
		a[0] = PICK(0, 1, 2, 3, 255, ~0ULL, 1ULL << 32);
		break;
	case RIVET_HC_CONSOLE_READ:
	case RIVET_HC_CONSOLE_WRITE:
	case RIVET_HC_DMESG_READ:
		a[0] = fn == RIVET_HC_DMESG_READ ? PICK(0, below(20000), 16384, 1ULL << 40, ~0ULL)
						 : target_domid();
		a[2] = len_arg();
		if (bounce) {
			buf_arg = 1;
			len = 512;
		} else {
			a[1] = bad_buf();
			must_fail = a[2] > 0;
		}
		/*
		 * DMESG_READ's a3 is flags since ABI 1.3: 0, or an unknown bit, which
		 * must be refused. Never RIVET_DMESG_CLEAR: the log is the evidence
		 * the tests read afterwards.
		 */
		if (fn == RIVET_HC_DMESG_READ) {
			a[3] = below(2) ? 0 : (garbage() | 2) & ~RIVET_DMESG_CLEAR;
			if (a[3])
				exact = SBI_ERR_INVALID_PARAM;
		}
		break;
	default:
		exact = SBI_ERR_NOT_SUPPORTED;
		break;
	}
	switch (fn) {
	case RIVET_HC_DOMAIN_DESTROY: case RIVET_HC_DOMAIN_PAUSE: case RIVET_HC_DOMAIN_UNPAUSE:
	case RIVET_HC_DOMAIN_SHUTDOWN: case RIVET_HC_VCPU_START: case RIVET_HC_VCPU_PIN: case RIVET_HC_SCHED_SET:
	case RIVET_HC_DOMAIN_VCPUS:
	case RIVET_HC_MEMORY_POPULATE: case RIVET_HC_MEMORY_RELEASE: case RIVET_HC_FOREIGN_MAP:
	case RIVET_HC_MEMORY_RECLAIM: case RIVET_HC_MEMORY_RESTORE:
	case RIVET_HC_CONSOLE_READ: case RIVET_HC_CONSOLE_WRITE:
		/* No such domain (an id past the valid range must not be truncated into one). */
		must_fail |= !own_find(a[0]);
		break;
	case RIVET_HC_EVTCHN_ALLOC:
		must_fail |= a[0] != 0 && !own_find(a[0]);
		break;
	}
	/* Now and then the driver's own checks: a bad buffer index or length. */
	if (!below(100)) {
		buf_arg = (int)PICK(6, -2, 0x7FFFFFFF);
		ioctl_err = 1;
	} else if (buf_arg >= 0 && !below(100)) {
		len = 4097;
		ioctl_err = 1;
	}

	if (trace) {
		fprintf(trace, "%lu fn %u a %#llx %#llx %#llx %#llx buf %d/%u\n", call_no, fn,
			(unsigned long long)a[0], (unsigned long long)a[1], (unsigned long long)a[2],
			(unsigned long long)a[3], buf_arg, len);
		fflush(trace);
	}
	r = hcs_call(fd, fn, a, buf_arg, buf.b, len);
	if (trace)
		fprintf(trace, "  -> %s %lld\n", hcs_errname(r.error), (long long)r.value);

	if (ioctl_err) {
		if (r.error != -1000 - EINVAL)
			bad("fn %u: the driver took buf_arg %d len %u (%s)", fn, buf_arg, len,
			    hcs_errname(r.error));
		return;
	}
	if (r.error <= -1000) {
		bad("fn %u: the ioctl failed: %s", fn, strerror((int)(-1000 - r.error)));
		return;
	}
	if (!documented(r.error))
		bad("fn %u (a0 %#llx): undocumented error %lld", fn, (unsigned long long)a[0],
		    (long long)r.error);
	if (exact != 1 && r.error != exact)
		bad("fn %u (a0 %#llx a1 %#llx): %s, expected %s", fn, (unsigned long long)a[0],
		    (unsigned long long)a[1], hcs_errname(r.error), hcs_errname(exact));
	else if (must_fail && r.error == 0)
		bad("fn %u (a0 %#llx a1 %#llx a2 %#llx a3 %#llx buf %d): succeeded but must fail", fn,
		    (unsigned long long)a[0], (unsigned long long)a[1], (unsigned long long)a[2],
		    (unsigned long long)a[3], buf_arg);
	if (r.error)
		return;

	/* Success: what the ABI promises, and what we now own. */
	switch (fn) {
	case RIVET_HC_VERSION:
		if ((r.value >> 16) != RIVET_ABI_MAJOR)
			bad("VERSION %#llx: not ABI major %d", (unsigned long long)r.value, RIVET_ABI_MAJOR);
		break;
	case RIVET_HC_DOMAIN_ID:
		if (r.value != 0)
			bad("DOMAIN_ID in Dom0 answered %lld", (long long)r.value);
		break;
	case RIVET_HC_DOMAIN_VCPUS: {
		/* GETINFO says the count now, and it was within the domain's vCPUs. */
		struct rivet_domain_info info;
		struct own *o = own_find(a[0]);

		if (o && hcs_getinfo(fd, (uint32_t)a[0], &info) == 0 &&
		    !strncmp(info.name, o->name, RIVET_NAME_MAX) &&
		    (info.avail_vcpus != a[1] || a[1] > info.nr_vcpus))
			bad("DOMAIN_VCPUS %llu on domain %llu: GETINFO says %u of %u", (unsigned long long)a[1],
			    (unsigned long long)a[0], info.avail_vcpus, info.nr_vcpus);
		break;
	}
	case RIVET_HC_PHYSINFO:
		if (buf.pi.free_bytes > buf.pi.total_bytes)
			bad("PHYSINFO: free %llu > total %llu", (unsigned long long)buf.pi.free_bytes,
			    (unsigned long long)buf.pi.total_bytes);
		break;
	case RIVET_HC_DOMAIN_CREATE:
		if (buf_arg < 0 || r.value <= 0 || r.value >= RIVET_DOMID_SELF)
			bad("DOMAIN_CREATE returned id %lld", (long long)r.value);
		else
			own_add((uint32_t)r.value, buf.cfg.name);
		break;
	case RIVET_HC_DOMAIN_DESTROY:
		if ((o = own_find(a[0])))
			o->alive = 0;
		break;
	case RIVET_HC_DOMAIN_GETINFO:
		if ((uint64_t)r.value < a[0] || buf.info.domid != r.value)
			bad("GETINFO from %#llx answered domain %lld (info says %u)",
			    (unsigned long long)a[0], (long long)r.value, buf.info.domid);
		break;
	case RIVET_HC_FOREIGN_MAP:
		wins[nr_wins].gpa = a[2];
		wins[nr_wins++].pages = a[3];
		break;
	case RIVET_HC_FOREIGN_UNMAP:
		k = win_find(a[0], a[1]);
		if (k >= 0)
			wins[k] = wins[--nr_wins];
		break;
	case RIVET_HC_EVTCHN_ALLOC:
	case RIVET_HC_EVTCHN_BIND:
	case RIVET_HC_EVTCHN_BIND_VIRQ:
		if (r.value <= 0 || r.value >= RIVET_EVTCHN_PORTS)
			bad("fn %u: port %lld", fn, (long long)r.value);
		else
			ports[nr_ports++] = (uint32_t)r.value;
		break;
	case RIVET_HC_EVTCHN_CLOSE:
		for (k = 0; k < (int)nr_ports && ports[k] != a[0]; k++)
			;
		if (k < (int)nr_ports)
			ports[k] = ports[--nr_ports];
		break;
	case RIVET_HC_CONSOLE_READ:
	case RIVET_HC_CONSOLE_WRITE:
	case RIVET_HC_DMESG_READ:
		/* A longer length is clamped to 512 bytes a call. */
		if ((uint64_t)r.value > a[2] || r.value > 512)
			bad("fn %u: %lld bytes for a length of %llu", fn, (long long)r.value,
			    (unsigned long long)a[2]);
		break;
	}
}

/* Every domain of ours: within its max; the dead ones forgotten. */
static void invariants(void)
{
	struct rivet_domain_info info;
	unsigned i;

	for (i = 0; i < nr_own; i++) {
		if (!own[i].alive)
			continue;
		if (hcs_getinfo(fd, own[i].id, &info) || strncmp(info.name, own[i].name, RIVET_NAME_MAX)) {
			own[i].alive = 0;   /* it crashed and rivet-consoled destroyed it */
			continue;
		}
		if (info.mem_bytes > info.max_bytes)
			bad("domain %u has %llu bytes, max %llu", info.domid,
			    (unsigned long long)info.mem_bytes, (unsigned long long)info.max_bytes);
	}
}

static void clean_up(uint64_t start)
{
	struct rivet_domain_info info;
	uint64_t a[6] = { 0 }, now = 0;
	unsigned i, left = 0;

	for (i = 0; i < nr_wins; i++) {
		struct hcs_ret r;

		a[0] = wins[i].gpa;
		a[1] = wins[i].pages;
		r = hcs_call(fd, RIVET_HC_FOREIGN_UNMAP, a, -1, NULL, 0);
		if (r.error)
			bad("cleanup: FOREIGN_UNMAP %#llx + %llu pages: %s", (unsigned long long)a[0],
			    (unsigned long long)a[1], hcs_errname(r.error));
	}
	for (i = 0; i < nr_ports; i++) {
		struct hcs_ret r;

		a[0] = ports[i];
		a[1] = 0;
		r = hcs_call(fd, RIVET_HC_EVTCHN_CLOSE, a, -1, NULL, 0);
		if (r.error)
			bad("cleanup: EVTCHN_CLOSE %u: %s", ports[i], hcs_errname(r.error));
	}
	/* Every id we ever had that still carries our name (a DESTROY may still be finishing). */
	for (i = 0; i < nr_own; i++)
		if (own_still(&own[i])) {
			hcs_destroy(fd, own[i].id);
			if (hcs_wait_gone(fd, own[i].id) < 0)
				bad("cleanup: domain %u '%s' still listed %d ms after DESTROY", own[i].id,
				    own[i].name, HCS_WAIT_MS);
		}
	a[0] = 0;
	for (;;) {
		struct hcs_ret r = hcs_call(fd, RIVET_HC_DOMAIN_GETINFO, a, 1, &info, sizeof info);

		if (r.error)
			break;
		if (!strncmp(info.name, prefix, strlen(prefix))) {
			bad("cleanup: domain %u '%.31s' left behind (state %#x)", info.domid, info.name,
			    info.state);
			left++;
		}
		a[0] = (uint64_t)r.value + 1;
	}
	if (!left)
		hcs_pass("random: no domain of this run left");
	for (i = 0; i < 200; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		now = hcs_free_bytes(fd);
		if (now == start)
			break;
		nanosleep(&ts, NULL);
	}
	if (now != start)
		bad("free memory %llu KiB after cleanup, %llu KiB at the start",
		    (unsigned long long)(now >> 10), (unsigned long long)(start >> 10));
	else
		hcs_pass("random: free memory exact after cleanup (%llu KiB)",
			 (unsigned long long)(now >> 10));
}

int hcs_random(unsigned long n, unsigned long seed)
{
	struct rivet_domain_info d0;
	const char *tp = getenv("HCSTRESS_TRACE");
	uint64_t start;
	int64_t e;

	fd = hcs_open();
	rs = seed * 0x9E3779B97F4A7C15ULL + 1;
	snprintf(prefix, sizeof prefix, "hcsr-%d-", (int)getpid());
	trace = fopen(tp ? tp : "/tmp/hcstress-random.log", "w");
	e = hcs_getinfo(fd, 0, &d0);
	if (e) {
		hcs_fail("GETINFO of Dom0: %s", hcs_errname(e));
		return 1;
	}
	dom0_end = BASE + d0.mem_bytes;
	start = hcs_free_bytes(fd);
	hcs_note("random: %lu calls, seed %lu; %llu KiB free", n, seed,
		 (unsigned long long)(start >> 10));
	for (call_no = 0; call_no < n; call_no++) {
		one_call();
		if (call_no % 64 == 63)
			invariants();
	}
	invariants();
	clean_up(start);
	if (trace)
		fclose(trace);
	if (!nr_bad)
		hcs_pass("random: %lu calls, every answer as documented", n);
	printf("hcstress: random: %u passed, %u failed\n", hcs_passed, hcs_failed);
	close(fd);
	return hcs_failed ? 1 : 0;
}
