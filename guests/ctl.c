// SPDX-License-Identifier: MIT
/*
 * ctl.c: a bare-metal stand-in for Dom0's toolstack, booted as the privileged
 * domain. It builds domains through the control hypercalls (create,
 * populate, foreign-map and load the embedded hello image, start), relays
 * their console, destroys them, and checks that memory comes back and that
 * bad requests fail with the documented errors.
 */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/print.h"
#include "lib/sbi.h"
#include "lib/string.h"
#include "public/hypercall.h"
#include "public/bootimg.h"

#define CYCLES   20
#define CHILD_MB 8
#define WINDOW   0x10000000000UL   /* Dom0's foreign window (1 TiB) */
#define PAGE     4096UL
#define VMID_LIVES 17000        /* more than QEMU's 14-bit VMIDs */

extern const char payload_start[], payload_end[];
static unsigned failures;

static void set_name(char *dst, const char *src)
{
	memset(dst, 0, RIVET_NAME_MAX);
	memcpy(dst, src, strlen(src) + 1);
}

static struct sbiret hc(unsigned long fn, unsigned long a0, unsigned long a1, unsigned long a2,
			unsigned long a3)
{
	return sbi_ecall(RIVET_SBI_EXT, fn, a0, a1, a2, a3, 0, 0);
}

static void expect(const char *what, struct sbiret r, long error)
{
	if (r.error != error) {
		printf("ctl: FAIL %s: error %ld, expected %ld\n", what, r.error, error);
		failures++;
	}
}

static struct rivet_event_page evpage __attribute__((aligned(4096)));
static struct rivet_physinfo pi;
static struct rivet_domain_info info;
static char buf[512];

static unsigned long free_bytes(void)
{
	expect("physinfo", hc(RIVET_HC_PHYSINFO, (unsigned long)&pi, 0, 0, 0), 0);
	return pi.free_bytes;
}

/* Relays the child's console until it has shut down; prints it when loud. */
static void relay_until_shutdown(long id, int loud)
{
	static char line[160];
	unsigned len = 0;
	int shut = 0;
	for (int spins = 0; spins < 100000; spins++) {
		struct sbiret r = hc(RIVET_HC_CONSOLE_READ, id, (unsigned long)buf, sizeof(buf), 0);
		for (long i = 0; r.error == 0 && i < r.value; i++) {
			if (buf[i] == '\n' || len == sizeof(line) - 1) {
				line[len] = 0;
				if (loud)
					printf("ctl: child says: %s\n", line);
				len = 0;
			} else if (buf[i] != '\r') {
				line[len++] = buf[i];
			}
		}
		r = hc(RIVET_HC_DOMAIN_GETINFO, id, (unsigned long)&info, 0, 0);
		if (r.error || r.value != id) {
			printf("ctl: FAIL child %ld vanished\n", id);
			failures++;
			return;
		}
		/* Once shut down, one more read takes what it printed last. */
		if ((info.state & RIVET_DOMSTATE_SHUTDOWN) && !shut++)
			continue;
		if (info.state & RIVET_DOMSTATE_SHUTDOWN) {
			if (r.error == 0 && loud)
				printf("ctl: child %ld shut down (reason %u)\n", id, info.shutdown_reason);
			return;
		}
		delay_ticks(TICKS_PER_MS);
	}
	printf("ctl: FAIL child %ld never shut down\n", id);
	failures++;
}

static long build_child(const char *name)
{
	static struct rivet_domain_config cfg;
	unsigned long size = (unsigned long)(payload_end - payload_start);
	unsigned long pages = (size + PAGE - 1) / PAGE;
	memset(&cfg, 0, sizeof(cfg));
	set_name(cfg.name, name);
	cfg.max_bytes = CHILD_MB << 20;
	cfg.nr_vcpus = 1;
	struct sbiret r = hc(RIVET_HC_DOMAIN_CREATE, (unsigned long)&cfg, 0, 0, 0);
	if (r.error) {
		printf("ctl: FAIL create: error %ld\n", r.error);
		failures++;
		return -1;
	}
	long id = r.value;
	expect("populate", hc(RIVET_HC_MEMORY_POPULATE, id, 0x80000000UL, (CHILD_MB << 20) / PAGE, 0), 0);
	expect("populate beyond max", hc(RIVET_HC_MEMORY_POPULATE, id, 0x90000000UL, 1, 0),
	       SBI_ERR_INVALID_PARAM);
	expect("foreign map", hc(RIVET_HC_FOREIGN_MAP, id, 0x80200000UL, WINDOW, pages), 0);
	memcpy((void *)WINDOW, payload_start, size);
	expect("foreign unmap", hc(RIVET_HC_FOREIGN_UNMAP, WINDOW, pages, 0, 0), 0);
	expect("vcpu start", hc(RIVET_HC_VCPU_START, id, 0, 0x80200000UL, 0), 0);
	return id;
}

static void bad_requests(void)
{
	static struct rivet_domain_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	set_name(cfg.name, "bad name!");
	cfg.max_bytes = 1 << 20;
	cfg.nr_vcpus = 1;
	expect("create with a bad name", hc(RIVET_HC_DOMAIN_CREATE, (unsigned long)&cfg, 0, 0, 0),
	       SBI_ERR_INVALID_PARAM);
	set_name(cfg.name, "ok");
	cfg.nr_vcpus = 99;
	expect("create with 99 vcpus", hc(RIVET_HC_DOMAIN_CREATE, (unsigned long)&cfg, 0, 0, 0),
	       SBI_ERR_INVALID_PARAM);
	cfg.nr_vcpus = 1;
	cfg.flags = RIVET_DOMF_PRIVILEGED;
	expect("create a second dom0", hc(RIVET_HC_DOMAIN_CREATE, (unsigned long)&cfg, 0, 0, 0),
	       SBI_ERR_INVALID_PARAM);
	expect("create from a bad address", hc(RIVET_HC_DOMAIN_CREATE, 0x1000, 0, 0, 0),
	       SBI_ERR_INVALID_ADDRESS);
	expect("destroy itself", hc(RIVET_HC_DOMAIN_DESTROY, 0, 0, 0, 0), SBI_ERR_DENIED);
	expect("destroy a missing domain", hc(RIVET_HC_DOMAIN_DESTROY, 999, 0, 0, 0), RIVET_ERR_NO_DOMAIN);
	expect("destroy a huge domid", hc(RIVET_HC_DOMAIN_DESTROY, 1UL << 32, 0, 0, 0), RIVET_ERR_NO_DOMAIN);
	expect("foreign map outside the window", hc(RIVET_HC_FOREIGN_MAP, 1, 0x80000000UL, 0x1000, 1),
	       SBI_ERR_INVALID_PARAM);
	expect("unmap what was never mapped", hc(RIVET_HC_FOREIGN_UNMAP, WINDOW, 1, 0, 0),
	       SBI_ERR_INVALID_PARAM);
	expect("unknown function", hc(999, 0, 0, 0, 0), SBI_ERR_NOT_SUPPORTED);
	long id = build_child("twin");
	set_name(cfg.name, "twin");
	cfg.flags = 0;
	expect("create a duplicate name", hc(RIVET_HC_DOMAIN_CREATE, (unsigned long)&cfg, 0, 0, 0),
	       RIVET_ERR_EXISTS);
	relay_until_shutdown(id, 0);
	expect("destroy twin", hc(RIVET_HC_DOMAIN_DESTROY, id, 0, 0, 0), 0);
}

/* A domain of PAGES pages at 0x80000000, never started; its id, or -1. */
static long bare_domain(const char *name, unsigned long pages)
{
	static struct rivet_domain_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	set_name(cfg.name, name);
	cfg.max_bytes = pages * PAGE;
	cfg.nr_vcpus = 2;
	struct sbiret r = hc(RIVET_HC_DOMAIN_CREATE, (unsigned long)&cfg, 0, 0, 0);
	expect("create bare domain", r, 0);
	return r.error ? -1 : r.value;
}

/* Waits (bounded) until domain id is gone; false if it never goes. */
static int gone(long id)
{
	for (int i = 0; i < 2000; i++) {
		struct sbiret r = hc(RIVET_HC_DOMAIN_GETINFO, id, (unsigned long)&info, 0, 0);
		if (r.error || r.value != id)
			return 1;
		delay_ticks(TICKS_PER_MS);
	}
	printf("ctl: FAIL domain %ld never went away (state %x)\n", id, info.state);
	failures++;
	return 0;
}

static unsigned long mem_of(long id)
{
	struct sbiret r = hc(RIVET_HC_DOMAIN_GETINFO, id, (unsigned long)&info, 0, 0);
	return r.error || r.value != id ? ~0UL : info.mem_bytes;
}

/*
 * Lifecycle and memory sequences a buggy toolstack or a hostile Dom0 may
 * send: each must fail cleanly or finish, and free memory comes back exactly.
 */
static void lifecycle_checks(void)
{
	unsigned long base = free_bytes();
	volatile unsigned long *win = (volatile unsigned long *)WINDOW;

	/* An overlapping populate fails and changes nothing. */
	long id = bare_domain("ovl", 64);
	expect("populate 16", hc(RIVET_HC_MEMORY_POPULATE, id, 0x80000000UL, 16, 0), 0);
	unsigned long mid = free_bytes();
	expect("populate overlapping", hc(RIVET_HC_MEMORY_POPULATE, id, 0x80008000UL, 16, 0), RIVET_ERR_EXISTS);
	if (free_bytes() != mid || mem_of(id) != 16 * PAGE) {
		printf("ctl: FAIL overlapping populate moved memory (%lu -> %lu free, domain %lu)\n",
		       mid, pi.free_bytes, mem_of(id));
		failures++;
	}
	expect("populate the rest", hc(RIVET_HC_MEMORY_POPULATE, id, 0x80010000UL, 48, 0), 0);
	expect("populate past max", hc(RIVET_HC_MEMORY_POPULATE, id, 0x80040000UL, 1, 0), SBI_ERR_INVALID_PARAM);
	expect("populate wrapping", hc(RIVET_HC_MEMORY_POPULATE, id, ~0UL & ~(PAGE - 1), 2, 0),
	       SBI_ERR_INVALID_PARAM);

	/* Release while Dom0 maps the pages: refused; the mapping still holds the data. */
	expect("map 4", hc(RIVET_HC_FOREIGN_MAP, id, 0x80002000UL, WINDOW, 4), 0);
	win[0] = 0x5a5a5a5aUL;
	expect("release mapped pages", hc(RIVET_HC_MEMORY_RELEASE, id, 0x80000000UL, 8, 0), RIVET_ERR_BUSY);
	if (win[0] != 0x5a5a5a5aUL) {
		printf("ctl: FAIL mapped page changed under a refused release\n");
		failures++;
	}
	expect("unmap 4", hc(RIVET_HC_FOREIGN_UNMAP, WINDOW, 4, 0, 0), 0);
	expect("unmap 4 twice", hc(RIVET_HC_FOREIGN_UNMAP, WINDOW, 4, 0, 0), SBI_ERR_INVALID_PARAM);
	expect("release after unmap", hc(RIVET_HC_MEMORY_RELEASE, id, 0x80000000UL, 8, 0), 0);
	expect("map released pages", hc(RIVET_HC_FOREIGN_MAP, id, 0x80000000UL, WINDOW, 1),
	       SBI_ERR_INVALID_ADDRESS);
	if (mem_of(id) != 56 * PAGE) {
		printf("ctl: FAIL after release the domain has %lu bytes\n", mem_of(id));
		failures++;
	}

	/* Destroy before start; then the same name is free again. */
	expect("destroy never started", hc(RIVET_HC_DOMAIN_DESTROY, id, 0, 0, 0), 0);
	gone(id);
	expect("destroy it again", hc(RIVET_HC_DOMAIN_DESTROY, id, 0, 0, 0), RIVET_ERR_NO_DOMAIN);
	expect("start a destroyed domain", hc(RIVET_HC_VCPU_START, id, 0, 0x80000000UL, 0), RIVET_ERR_NO_DOMAIN);

	/* Shutdown of a never-started domain, then destroy (twice). */
	id = bare_domain("ovl", 16);
	expect("populate", hc(RIVET_HC_MEMORY_POPULATE, id, 0x80000000UL, 16, 0), 0);
	expect("shutdown never started", hc(RIVET_HC_DOMAIN_SHUTDOWN, id, RIVET_SHUTDOWN_POWEROFF, 0, 0), 0);
	for (int i = 0; i < 2000 && !(info.state & RIVET_DOMSTATE_SHUTDOWN); i++) {
		mem_of(id);
		delay_ticks(TICKS_PER_MS);
	}
	if (!(info.state & RIVET_DOMSTATE_SHUTDOWN)) {
		printf("ctl: FAIL never-started domain did not shut down (state %x)\n", info.state);
		failures++;
	}
	expect("start a shut-down domain", hc(RIVET_HC_VCPU_START, id, 0, 0x80000000UL, 0), RIVET_ERR_BUSY);
	expect("release a shut-down domain", hc(RIVET_HC_MEMORY_RELEASE, id, 0x80000000UL, 16, 0), 0);
	expect("destroy shut down", hc(RIVET_HC_DOMAIN_DESTROY, id, 0, 0, 0), 0);
	expect("destroy shut down twice", hc(RIVET_HC_DOMAIN_DESTROY, id, 0, 0, 0), RIVET_ERR_NO_DOMAIN);
	gone(id);

	/* A running domain: release refused; destroy while dying; start twice refused. */
	id = build_child("busy");
	expect("start twice", hc(RIVET_HC_VCPU_START, id, 0, 0x80200000UL, 0), RIVET_ERR_BUSY);
	expect("release while running", hc(RIVET_HC_MEMORY_RELEASE, id, 0x80000000UL, (CHILD_MB << 20) / PAGE, 0),
	       RIVET_ERR_BUSY);
	struct sbiret r1 = hc(RIVET_HC_DOMAIN_DESTROY, id, 0, 0, 0);
	struct sbiret r2 = hc(RIVET_HC_DOMAIN_DESTROY, id, 0, 0, 0);
	expect("destroy running", r1, 0);
	if (r2.error != 0 && r2.error != RIVET_ERR_NO_DOMAIN) {
		printf("ctl: FAIL second destroy of a dying domain: error %ld\n", r2.error);
		failures++;
	}
	gone(id);

	if (free_bytes() != base) {
		printf("ctl: FAIL lifecycle checks lost %ld KiB\n", (long)(base - pi.free_bytes) >> 10);
		failures++;
	}
	printf("ctl: lifecycle checks done, %lu MiB free again\n", pi.free_bytes >> 20);
}

static struct sbiret hc5(unsigned long fn, unsigned long a0, unsigned long a1, unsigned long a2,
			 unsigned long a3, unsigned long a4)
{
	return sbi_ecall(RIVET_SBI_EXT, fn, a0, a1, a2, a3, a4, 0);
}

static unsigned long balloon_list[RIVET_BALLOON_MAX_PAGES + 1] __attribute__((aligned(4096)));

static struct sbiret list_call(unsigned long fn, long id, unsigned long n)
{
	return hc5(fn, id, (unsigned long)balloon_list, n, RIVET_MEMORY_LIST, 0);
}

/*
 * RIVET_MEMORY_LIST (1.5) on domain ID (PAGES populated at RAM, all of them
 * shown at WIN, the first 8 also in a second window, page 5 the only one
 * ever ballooned): each bad list refused whole, then scattered pages out
 * and back in one call each, zeroed.
 */
static void list_checks(long id, unsigned long ram, unsigned long pages, volatile unsigned long *win)
{
	const unsigned long scattered[] = { 700, 9, 300, 12 };
	unsigned long before = mem_of(id);

	for (unsigned i = 0; i < 4; i++)
		win[scattered[i] * PAGE / 8] = 0x11570000UL + i;
	win[8 * PAGE / 8] = 0x8e8;   /* neighbours keep their data */
	win[701 * PAGE / 8] = 0x701;
	balloon_list[0] = ram + 9 * PAGE;
	expect("list, unknown flag", hc5(RIVET_HC_MEMORY_RECLAIM, id, (unsigned long)balloon_list, 1, 2, 0),
	       SBI_ERR_INVALID_PARAM);
	expect("list, 0 pages", list_call(RIVET_HC_MEMORY_RECLAIM, id, 0), SBI_ERR_INVALID_PARAM);
	expect("list, 513 pages", list_call(RIVET_HC_MEMORY_RECLAIM, id, RIVET_BALLOON_MAX_PAGES + 1),
	       SBI_ERR_INVALID_PARAM);
	expect("list not in Dom0's RAM", hc5(RIVET_HC_MEMORY_RECLAIM, id, (unsigned long)win, 1, RIVET_MEMORY_LIST, 0),
	       SBI_ERR_INVALID_ADDRESS);
	expect("list at an unmapped GPA", hc5(RIVET_HC_MEMORY_RESTORE, id, 0x1000, 1, RIVET_MEMORY_LIST, 0),
	       SBI_ERR_INVALID_ADDRESS);
	balloon_list[1] = ram + 10 * PAGE + 8;
	expect("list, unaligned entry", list_call(RIVET_HC_MEMORY_RECLAIM, id, 2), SBI_ERR_INVALID_PARAM);
	balloon_list[1] = WINDOW;
	expect("list, entry in the window", list_call(RIVET_HC_MEMORY_RECLAIM, id, 2), SBI_ERR_INVALID_PARAM);
	balloon_list[1] = ~0UL & ~(PAGE - 1);
	expect("list, entry at the top", list_call(RIVET_HC_MEMORY_RESTORE, id, 2), SBI_ERR_INVALID_PARAM);
	balloon_list[1] = ram + 9 * PAGE;
	expect("list, a page twice", list_call(RIVET_HC_MEMORY_RECLAIM, id, 2), SBI_ERR_INVALID_PARAM);
	balloon_list[1] = ram + 6 * PAGE;
	expect("list, a page mapped twice", list_call(RIVET_HC_MEMORY_RECLAIM, id, 2), RIVET_ERR_BUSY);
	balloon_list[1] = ram + pages * PAGE;
	expect("list, a page not there", list_call(RIVET_HC_MEMORY_RECLAIM, id, 2), SBI_ERR_INVALID_ADDRESS);
	balloon_list[1] = ram + 10 * PAGE;
	expect("list restore, pages there", list_call(RIVET_HC_MEMORY_RESTORE, id, 2), RIVET_ERR_EXISTS);
	if (mem_of(id) != before || win[9 * PAGE / 8] != 0x11570001UL) {
		printf("ctl: FAIL refused list calls changed the domain (%lu bytes, page 9 %lx)\n", mem_of(id),
		       win[9 * PAGE / 8]);
		failures++;
	}

	for (unsigned i = 0; i < 4; i++)
		balloon_list[i] = ram + scattered[i] * PAGE;
	expect("list reclaim 4 scattered", list_call(RIVET_HC_MEMORY_RECLAIM, id, 4), 0);
	if (mem_of(id) != before - 4 * PAGE || win[8 * PAGE / 8] != 0x8e8 || win[701 * PAGE / 8] != 0x701) {
		printf("ctl: FAIL after a list reclaim: %lu bytes\n", mem_of(id));
		failures++;
	}
	expect("list reclaim again", list_call(RIVET_HC_MEMORY_RECLAIM, id, 4), SBI_ERR_INVALID_ADDRESS);
	/* One page still there: the restore is refused whole. */
	balloon_list[4] = ram + 13 * PAGE;
	expect("list restore, one there", list_call(RIVET_HC_MEMORY_RESTORE, id, 5), RIVET_ERR_EXISTS);
	/* Beyond the maximum by one page: refused whole too. */
	balloon_list[4] = ram + pages * PAGE;
	expect("list restore past the maximum", list_call(RIVET_HC_MEMORY_RESTORE, id, 5), SBI_ERR_INVALID_PARAM);
	if (mem_of(id) != before - 4 * PAGE) {
		printf("ctl: FAIL refused list restores changed the domain (%lu bytes)\n", mem_of(id));
		failures++;
	}
	expect("list restore 4", list_call(RIVET_HC_MEMORY_RESTORE, id, 4), 0);
	for (unsigned i = 0; i < 4; i++) {
		if (win[scattered[i] * PAGE / 8] != 0) {
			printf("ctl: FAIL page %lu came back reading %lx\n", scattered[i], win[scattered[i] * PAGE / 8]);
			failures++;
		}
	}
	if (mem_of(id) != before) {
		printf("ctl: FAIL after a list restore: %lu bytes\n", mem_of(id));
		failures++;
	}
	printf("ctl: balloon list checks done\n");
}

/*
 * Ballooning (MEMORY_RECLAIM / MEMORY_RESTORE): the errors, a page carved out
 * of a 2 MiB block that Dom0 also maps (its neighbours keep their data, in
 * the domain and in the window), FOREIGN_MAP with and without holes, the page
 * back zeroed and mapped in the window again, and every byte back at the end.
 */
static void balloon_checks(void)
{
	unsigned long base = free_bytes();
	volatile unsigned long *win = (volatile unsigned long *)(WINDOW + 0x4000000UL);
	const unsigned long ram = 0x80000000UL, pages = 1024;   /* 4 MiB: 2 MiB leaves */
	long id = bare_domain("bal", pages);

	expect("populate 4 MiB", hc(RIVET_HC_MEMORY_POPULATE, id, ram, pages, 0), 0);
	expect("map 4 MiB", hc(RIVET_HC_FOREIGN_MAP, id, ram, (unsigned long)win, pages), 0);
	for (unsigned long p = 0; p < 8; p++)
		win[p * PAGE / 8] = 0xba110000UL + p;

	expect("reclaim no domain", hc(RIVET_HC_MEMORY_RECLAIM, 0x7000, ram, 1, 0), RIVET_ERR_NO_DOMAIN);
	expect("reclaim Dom0's own", hc(RIVET_HC_MEMORY_RECLAIM, 0, ram, 1, 0), SBI_ERR_DENIED);
	expect("reclaim 0 pages", hc(RIVET_HC_MEMORY_RECLAIM, id, ram, 0, 0), SBI_ERR_INVALID_PARAM);
	expect("reclaim 513 pages", hc(RIVET_HC_MEMORY_RECLAIM, id, ram, RIVET_BALLOON_MAX_PAGES + 1, 0),
	       SBI_ERR_INVALID_PARAM);
	expect("reclaim unaligned", hc(RIVET_HC_MEMORY_RECLAIM, id, ram + 8, 1, 0), SBI_ERR_INVALID_PARAM);
	expect("reclaim wrapping", hc(RIVET_HC_MEMORY_RECLAIM, id, ~0UL & ~(PAGE - 1), 2, 0),
	       SBI_ERR_INVALID_PARAM);
	expect("reclaim the window", hc(RIVET_HC_MEMORY_RECLAIM, id, WINDOW, 1, 0), SBI_ERR_INVALID_PARAM);
	expect("reclaim not populated", hc(RIVET_HC_MEMORY_RECLAIM, id, ram + pages * PAGE - PAGE, 2, 0),
	       SBI_ERR_INVALID_ADDRESS);
	expect("restore populated", hc(RIVET_HC_MEMORY_RESTORE, id, ram + 5 * PAGE, 1, 0), RIVET_ERR_EXISTS);
	if (mem_of(id) != pages * PAGE) {
		printf("ctl: FAIL refused balloon calls changed the domain's memory (%lu)\n", mem_of(id));
		failures++;
	}

	expect("reclaim page 5", hc(RIVET_HC_MEMORY_RECLAIM, id, ram + 5 * PAGE, 1, 0), 0);
	expect("reclaim page 5 twice", hc(RIVET_HC_MEMORY_RECLAIM, id, ram + 5 * PAGE, 1, 0), SBI_ERR_INVALID_ADDRESS);
	expect("reclaim across the hole", hc(RIVET_HC_MEMORY_RECLAIM, id, ram + 4 * PAGE, 2, 0), SBI_ERR_INVALID_ADDRESS);
	if (mem_of(id) != (pages - 1) * PAGE || win[4 * PAGE / 8] != 0xba110004UL || win[6 * PAGE / 8] != 0xba110006UL) {
		printf("ctl: FAIL after reclaiming a page: %lu bytes, neighbours %lx %lx\n", mem_of(id),
		       win[4 * PAGE / 8], win[6 * PAGE / 8]);
		failures++;
	}
	/* A second mapping of the range: only with holes allowed. */
	volatile unsigned long *win2 = (volatile unsigned long *)(WINDOW + 0x8000000UL);
	expect("map with a hole", hc(RIVET_HC_FOREIGN_MAP, id, ram, (unsigned long)win2, 8), SBI_ERR_INVALID_ADDRESS);
	expect("map with a hole, flags", hc5(RIVET_HC_FOREIGN_MAP, id, ram, (unsigned long)win2, 8, 2), SBI_ERR_INVALID_PARAM);
	expect("map with HOLES", hc5(RIVET_HC_FOREIGN_MAP, id, ram, (unsigned long)win2, 8, RIVET_FOREIGN_MAP_HOLES), 0);
	if (win2[6 * PAGE / 8] != 0xba110006UL) {
		printf("ctl: FAIL the second mapping does not show page 6\n");
		failures++;
	}
	/* Two mappings show page 6: the second mapper might be reading it. */
	expect("reclaim a page mapped twice", hc(RIVET_HC_MEMORY_RECLAIM, id, ram + 6 * PAGE, 1, 0), RIVET_ERR_BUSY);

	/* Back: zeroed, in both windows, counted. */
	expect("restore page 5", hc(RIVET_HC_MEMORY_RESTORE, id, ram + 5 * PAGE, 1, 0), 0);
	expect("restore page 5 twice", hc(RIVET_HC_MEMORY_RESTORE, id, ram + 5 * PAGE, 1, 0), RIVET_ERR_EXISTS);
	if (mem_of(id) != pages * PAGE || win[5 * PAGE / 8] != 0 || win2[5 * PAGE / 8] != 0) {
		printf("ctl: FAIL restored page: %lu bytes, reads %lx / %lx\n", mem_of(id), win[5 * PAGE / 8],
		       win2[5 * PAGE / 8]);
		failures++;
	}
	win[5 * PAGE / 8] = 0x5e5e;
	if (win2[5 * PAGE / 8] != 0x5e5e) {
		printf("ctl: FAIL the two windows show different pages\n");
		failures++;
	}
	expect("restore past the maximum", hc(RIVET_HC_MEMORY_RESTORE, id, ram + pages * PAGE, 1, 0),
	       SBI_ERR_INVALID_PARAM);
	expect("restore no domain", hc(RIVET_HC_MEMORY_RESTORE, 0x7000, ram, 1, 0), RIVET_ERR_NO_DOMAIN);

	list_checks(id, ram, pages, win);

	/* A whole 2 MiB block out and back in one call each. */
	expect("reclaim 512", hc(RIVET_HC_MEMORY_RECLAIM, id, ram + 0x200000UL, 512, 0), 0);
	if (mem_of(id) != (pages - 512) * PAGE) {
		printf("ctl: FAIL after reclaiming 2 MiB: %lu bytes\n", mem_of(id));
		failures++;
	}
	expect("restore 512", hc(RIVET_HC_MEMORY_RESTORE, id, ram + 0x200000UL, 512, 0), 0);

	expect("unmap 8", hc(RIVET_HC_FOREIGN_UNMAP, (unsigned long)win2, 8, 0, 0), 0);
	expect("unmap 4 MiB", hc(RIVET_HC_FOREIGN_UNMAP, (unsigned long)win, pages, 0, 0), 0);
	expect("destroy bal", hc(RIVET_HC_DOMAIN_DESTROY, id, 0, 0, 0), 0);
	gone(id);
	if (free_bytes() != base) {
		printf("ctl: FAIL balloon checks lost %ld KiB\n", (long)(base - pi.free_bytes) >> 10);
		failures++;
	}
	printf("ctl: balloon checks done\n");
}

/*
 * More domain lives than there are VMIDs: the VMID generation rolls over
 * while a child runs; it must finish its work all the same.
 */
static void vmid_rollover_check(unsigned long lives)
{
	long child = build_child("across");
	static struct rivet_domain_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	set_name(cfg.name, "churn");
	cfg.max_bytes = PAGE;
	cfg.nr_vcpus = 1;
	for (unsigned long i = 0; i < lives; i++) {
		struct sbiret r = hc(RIVET_HC_DOMAIN_CREATE, (unsigned long)&cfg, 0, 0, 0);
		if (r.error) {
			printf("ctl: FAIL domain life %lu: create error %ld\n", i, r.error);
			failures++;
			break;
		}
		hc(RIVET_HC_DOMAIN_DESTROY, r.value, 0, 0, 0);
		if (!gone(r.value))
			break;
	}
	relay_until_shutdown(child, 1);
	expect("destroy across", hc(RIVET_HC_DOMAIN_DESTROY, child, 0, 0, 0), 0);
	gone(child);
	printf("ctl: %lu domain lives\n", lives);
}

/*
 * Event channels: a virq for domain exits, with the port pending. Dom0's
 * event interrupt is source RIVET_DOM0_EVENT_IRQ of its virtual PLIC, which
 * it drives like any PLIC: priority, enable for vCPU 0's S-mode context (1),
 * then claim and complete.
 */
static long exc_port;

#define VPLIC_CTX1              (RIVET_GUEST_PLIC_BASE + 0x200000 + 0x1000)
static volatile unsigned *vplic_reg(unsigned long addr) { return (volatile unsigned *)addr; }

static void events_setup(long child)
{
	expect("evtchn init", hc(RIVET_HC_EVTCHN_INIT, (unsigned long)&evpage, 0, 0, 0), 0);
	*vplic_reg(RIVET_GUEST_PLIC_BASE + 4 * RIVET_DOM0_EVENT_IRQ) = 1;
	*vplic_reg(RIVET_GUEST_PLIC_BASE + 0x2000 + 0x80 + 4 * (RIVET_DOM0_EVENT_IRQ / 32)) =
		1u << (RIVET_DOM0_EVENT_IRQ % 32);
	*vplic_reg(VPLIC_CTX1) = 0;   /* threshold */
	struct sbiret r = hc(RIVET_HC_EVTCHN_BIND_VIRQ, RIVET_VIRQ_DOM_EXC, 0, 0, 0);
	expect("bind virq", r, 0);
	exc_port = r.value;
	expect("bind the same virq twice", hc(RIVET_HC_EVTCHN_BIND_VIRQ, RIVET_VIRQ_DOM_EXC, 0, 0, 0),
	       RIVET_ERR_EXISTS);
	expect("send on a virq port", hc(RIVET_HC_EVTCHN_SEND, exc_port, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	r = hc(RIVET_HC_EVTCHN_ALLOC, child, 0, 0, 0);
	expect("alloc unbound", r, 0);
	expect("close", hc(RIVET_HC_EVTCHN_CLOSE, r.value, 0, 0, 0), 0);
	expect("close twice", hc(RIVET_HC_EVTCHN_CLOSE, r.value, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	expect("bind to a port never offered", hc(RIVET_HC_EVTCHN_BIND, child, 5, 0, 0),
	       SBI_ERR_INVALID_PARAM);
}

static void events_check(void)
{
	unsigned long bit = 1UL << (exc_port % 64);
	if (!(evpage.pending[exc_port / 64] & bit) || !(csr_read(sip) & SIE_SEIE)) {
		printf("ctl: FAIL no dom_exc event (pending %lx, sip %lx)\n",
		       evpage.pending[exc_port / 64], csr_read(sip));
		failures++;
		return;
	}
	unsigned src = *vplic_reg(VPLIC_CTX1 + 4);
	if (src != RIVET_DOM0_EVENT_IRQ || (csr_read(sip) & SIE_SEIE)) {
		printf("ctl: FAIL claimed %u, line %s after the claim\n", src,
		       (csr_read(sip) & SIE_SEIE) ? "still raised" : "low");
		failures++;
		return;
	}
	/* The acknowledgement hypercall is a no-op for Dom0 now, but still accepted. */
	expect("evtchn ack", hc(RIVET_HC_EVTCHN_ACK, 0, 0, 0, 0), 0);
	__atomic_fetch_and(&evpage.pending[exc_port / 64], ~bit, __ATOMIC_SEQ_CST);
	*vplic_reg(VPLIC_CTX1 + 4) = src;   /* complete */
	if (*vplic_reg(VPLIC_CTX1 + 4) != 0 || (csr_read(sip) & SIE_SEIE)) {
		printf("ctl: FAIL event line raised again after the completion\n");
		failures++;
		return;
	}
	printf("ctl: event channel: dom_exc delivered on port %ld\n", exc_port);
}

/* vcpu-pin: the child's vCPU moves to hart 0 and says so in its info. */
static void pin_check(long id)
{
	static struct rivet_vcpu_info vi;
	unsigned long target = 0;   /* where ctl runs: the child starts elsewhere when it can */
	expect("pin to no hart that exists", hc(RIVET_HC_VCPU_PIN, id, 0, 1UL << 40, 0), SBI_ERR_INVALID_PARAM);
	expect("pin a missing vcpu", hc(RIVET_HC_VCPU_PIN, id, 7, 1, 0), SBI_ERR_INVALID_PARAM);
	expect("vcpu pin", hc(RIVET_HC_VCPU_PIN, id, 0, 1UL << target, 0), 0);
	for (int i = 0; i < 1000; i++) {
		expect("vcpu info", hc(RIVET_HC_VCPU_GETINFO, id, 0, (unsigned long)&vi, 0), 0);
		if (vi.hart == target && vi.affinity == 1UL << target) {
			printf("ctl: vcpu pinned to hart %lu\n", target);
			return;
		}
		delay_ticks(TICKS_PER_MS);
	}
	printf("ctl: FAIL vcpu still on hart %u (affinity %lx)\n", vi.hart, (unsigned long)vi.affinity);
	failures++;
}

#ifdef CTL_ZERO
#define ZERO_CYCLES 10

/*
 * ctlzero: pairs of domains, each of which checks that all its RAM reads as
 * zeros and then fills it, built and destroyed in turn, so that every pair
 * gets the pages the last one dirtied. Odd cycles pause between pairs, so
 * idle harts scrub what was freed; even cycles do not, so populate zeroes.
 */
int main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	print_set_console(PRINT_DBCN);
	unsigned long at_start = free_bytes();
	printf("ctl: %u harts, %lu MiB free\n", pi.nr_harts, at_start >> 20);
	for (int cycle = 1; cycle <= ZERO_CYCLES; cycle++) {
		long a = build_child("zc_a"), b = build_child("zc_b");
		if (a >= 0)
			relay_until_shutdown(a, 1);
		if (b >= 0)
			relay_until_shutdown(b, 1);
		if (a >= 0)
			expect("destroy", hc(RIVET_HC_DOMAIN_DESTROY, a, 0, 0, 0), 0);
		if (b >= 0)
			expect("destroy", hc(RIVET_HC_DOMAIN_DESTROY, b, 0, 0, 0), 0);
		if (a < 0 || b < 0)
			break;
		if (cycle & 1)
			delay_ticks(20 * TICKS_PER_MS);
	}
	printf("ctl: %d zero cycles\n", ZERO_CYCLES);
	printf(failures ? "ctl: %u failures\n" : "ctl: all ok\n", failures);
	return 0;
}
#else
int main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	print_set_console(PRINT_DBCN);
	struct sbiret r = hc(RIVET_HC_VERSION, 0, 0, 0, 0);
	printf("ctl: rivet abi %lu.%lu\n", r.value >> 16, r.value & 0xffff);
	unsigned long at_start = free_bytes();
	printf("ctl: %u harts, %lu MiB free\n", pi.nr_harts, at_start >> 20);
	bad_requests();
	lifecycle_checks();
	balloon_checks();
	unsigned long before = 0;
	for (int cycle = 1; cycle <= CYCLES; cycle++) {
		long id = build_child("child");
		if (id < 0)
			break;
		if (cycle == 1) {
			events_setup(id);
			pin_check(id);
		}
		relay_until_shutdown(id, cycle == 1 || cycle == CYCLES);
		if (cycle == 1)
			events_check();
		expect("destroy", hc(RIVET_HC_DOMAIN_DESTROY, id, 0, 0, 0), 0);
		r = hc(RIVET_HC_DOMAIN_GETINFO, id, (unsigned long)&info, 0, 0);
		if (r.error == 0 && r.value == id) {
			printf("ctl: FAIL domain %ld still listed after destroy\n", id);
			failures++;
		}
		/* After the first cycle our own lasting allocations exist (window tables,
		   event-channel table): from here on, free memory must not move. */
		if (cycle == 1)
			before = free_bytes();
	}
	unsigned long after = free_bytes();
	if (after != before) {
		printf("ctl: FAIL free memory %lu KiB before, %lu KiB after\n", before >> 10, after >> 10);
		failures++;
	}
	printf("ctl: %d cycles, %lu MiB free again\n", CYCLES, after >> 20);
	r = hc(RIVET_HC_DMESG_READ, 0, (unsigned long)buf, 64, 0);
	if (r.error || r.value <= 0 || memcmp(buf, "(rivet) ", 8)) {
		printf("ctl: FAIL dmesg: error %ld, %ld bytes\n", r.error, r.value);
		failures++;
	}
	vmid_rollover_check(VMID_LIVES);
	if (free_bytes() != after) {
		printf("ctl: FAIL VMID churn lost %ld KiB\n", (long)(after - pi.free_bytes) >> 10);
		failures++;
	}
	printf(failures ? "ctl: %u failures\n" : "ctl: all ok\n", failures);
	return 0;
}
#endif
