/* SPDX-License-Identifier: MIT */
/*
 * hcs_balloon.c: `rivet-hcstress balloon N SEED`, a hostile balloon: N
 * rounds of taking scattered pages from a running domain of its own and
 * giving them back, alternately as one RIVET_MEMORY_LIST call each way and
 * as single-page calls, as fast as it can (each call fences harts). Every
 * round the pages come back zeroed, their neighbours keep their data, and
 * the domain's memory is exact; at the end every byte of free memory is
 * back. Meant to run beside other domains, which must carry on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hcs.h"

#define BASE  RIVET_GUEST_RAM_BASE
#define PG    HCS_PAGE
#define PAGES 1024u   /* 4 MiB: 2 MiB leaves, split by the first reclaims */
#define MOST  64u     /* pages per round */

static int fd;

static uint64_t mem_of(uint32_t d)
{
	struct rivet_domain_info info;

	return hcs_getinfo(fd, d, &info) ? (uint64_t)-1 : info.mem_bytes;
}

static int64_t list_call(uint32_t fn, uint32_t d, uint64_t *gpas, unsigned n)
{
	uint64_t a[6] = { d, 0, n, RIVET_MEMORY_LIST, 0, 0 };

	return hcs_call(fd, fn, a, 1, gpas, n * sizeof(uint64_t)).error;
}

static int64_t single_calls(uint32_t fn, uint32_t d, const uint64_t *gpas, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t a[6] = { d, gpas[i], 1, 0, 0, 0 };
		int64_t e = hcs_call(fd, fn, a, -1, NULL, 0).error;

		if (e)
			return e;
	}
	return 0;
}

/* N distinct pages of 1..PAGES-1 (page 0 holds the domain's idle loop), in random order. */
static unsigned pick(uint64_t *gpas, uint8_t *chosen)
{
	unsigned n = 1 + (unsigned)(rand() % MOST);

	memset(chosen, 0, PAGES);
	for (unsigned i = 0; i < n; i++) {
		unsigned p;
		do
			p = 1 + (unsigned)(rand() % (PAGES - 1));
		while (chosen[p]);
		chosen[p] = 1;
		gpas[i] = BASE + p * PG;
	}
	return n;
}

static uint64_t marker(unsigned p, unsigned long round)
{
	return 0xba11000000000000ULL | (uint64_t)round << 16 | p;
}

int hcs_balloon(unsigned long rounds, unsigned long seed)
{
	static uint64_t gpas[MOST];
	static uint8_t chosen[PAGES];
	struct hcs_map m;
	unsigned long r, list_rounds = 0, bad_rounds = 0;
	uint64_t start;
	int64_t d, e;

	fd = hcs_open();
	srand((unsigned)seed);
	start = hcs_free_bytes(fd);
	d = hcs_create(fd, PAGES, 1);
	if (d < 0)
		return 1;
	e = hcs_populate(fd, (uint32_t)d, BASE, PAGES);
	if (e || hcs_start_idle(fd, (uint32_t)d) || hcs_map(fd, (uint32_t)d, BASE, PAGES, &m)) {
		hcs_fail("balloon: setting domain %lld up failed (populate: %s)", (long long)d, hcs_errname(e));
		hcs_destroy(fd, (uint32_t)d);
		hcs_wait_gone(fd, (uint32_t)d);
		return 1;
	}
	volatile uint64_t *ram = m.addr;
	for (unsigned p = 1; p < PAGES; p++)
		ram[p * PG / 8] = marker(p, 0);

	for (r = 1; r <= rounds && !bad_rounds; r++) {
		unsigned n = pick(gpas, chosen);
		int list = r % 2;

		for (unsigned i = 0; i < n; i++) {
			unsigned p = (unsigned)((gpas[i] - BASE) / PG);
			ram[p * PG / 8 + 1] = marker(p, r);   /* data the guest loses with the page */
		}
		e = list ? list_call(RIVET_HC_MEMORY_RECLAIM, (uint32_t)d, gpas, n)
			 : single_calls(RIVET_HC_MEMORY_RECLAIM, (uint32_t)d, gpas, n);
		if (e || mem_of((uint32_t)d) != (uint64_t)(PAGES - n) * PG) {
			hcs_fail("balloon round %lu: reclaim of %u pages: %s, domain has %llu bytes", r, n,
				 hcs_errname(e), (unsigned long long)mem_of((uint32_t)d));
			bad_rounds++;
			break;
		}
		/* Its pages out: not touched here (a hole in the window faults Dom0). */
		e = list ? list_call(RIVET_HC_MEMORY_RESTORE, (uint32_t)d, gpas, n)
			 : single_calls(RIVET_HC_MEMORY_RESTORE, (uint32_t)d, gpas, n);
		if (e || mem_of((uint32_t)d) != (uint64_t)PAGES * PG) {
			hcs_fail("balloon round %lu: restore of %u pages: %s", r, n, hcs_errname(e));
			bad_rounds++;
			break;
		}
		for (unsigned i = 0; i < n && !bad_rounds; i++) {
			unsigned p = (unsigned)((gpas[i] - BASE) / PG);
			for (unsigned w = 0; w < PG / 8; w++) {
				if (ram[p * PG / 8 + w]) {
					hcs_fail("balloon round %lu: page %u came back with %#llx at word %u", r, p,
						 (unsigned long long)ram[p * PG / 8 + w], w);
					bad_rounds++;
					break;
				}
			}
			ram[p * PG / 8] = marker(p, 0);
		}
		list_rounds += list;
	}
	if (!bad_rounds) {
		hcs_pass("balloon: %lu rounds (%lu with lists), every page back zeroed", rounds, list_rounds);
		unsigned lost = 0;
		for (unsigned p = 1; p < PAGES; p++)
			lost += ram[p * PG / 8] != marker(p, 0);
		if (lost)
			hcs_fail("balloon: %u pages lost their data", lost);
		else
			hcs_pass("balloon: the pages never taken kept their data");
	}
	hcs_unmap(fd, &m);
	e = hcs_destroy(fd, (uint32_t)d);
	if (e || hcs_wait_gone(fd, (uint32_t)d) < 0)
		hcs_fail("balloon: domain %lld not gone: %s", (long long)d, hcs_errname(e));
	uint64_t end = hcs_free_bytes(fd);
	for (unsigned i = 0; i < 200 && end != start; i++) {
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
		end = hcs_free_bytes(fd);
	}
	if (end == start)
		hcs_pass("balloon: free memory exact");
	else
		hcs_fail("balloon: free memory %llu KiB, %llu KiB at the start", (unsigned long long)(end >> 10),
			 (unsigned long long)(start >> 10));
	printf("hcstress: balloon: %u passed, %u failed\n", hcs_passed, hcs_failed);
	return hcs_failed ? 1 : 0;
}
