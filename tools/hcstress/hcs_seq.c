/* SPDX-License-Identifier: MIT */
/*
 * hcs_seq.c: `rivet-hcstress sequences`, the lifecycle orders a toolstack
 * should never use but a hostile or buggy one will: overlapping populate,
 * release while mapped, destroy before start, destroy twice and in races,
 * shutdown before start, destroy while dying, populate races past max_bytes.
 * After each one every byte of free memory must be back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hcs.h"

#define BASE RIVET_GUEST_RAM_BASE
#define PG   HCS_PAGE

static int fd;

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Free memory must come back to WANT (polled briefly: a destroy may finish on another hart). */
static void check_free(uint64_t want, const char *what)
{
	uint64_t now = 0;
	unsigned i;

	for (i = 0; i < 200; i++) {
		now = hcs_free_bytes(fd);
		if (now == want)
			break;
		sleep_ms(10);
	}
	if (now == want)
		hcs_pass("%s: free memory exact (%llu KiB)", what, (unsigned long long)(want >> 10));
	else
		hcs_fail("%s: free memory %llu KiB, expected %llu KiB (%lld KiB %s)", what,
			 (unsigned long long)(now >> 10), (unsigned long long)(want >> 10),
			 (long long)((int64_t)(want - now) / 1024), now < want ? "lost" : "too much");
}

static void destroy_gone(uint32_t d, const char *what)
{
	int64_t e = hcs_destroy(fd, d);

	if (e && e != RIVET_ERR_NO_DOMAIN)
		hcs_fail("%s: DESTROY of domain %u: %s", what, d, hcs_errname(e));
	if (hcs_wait_gone(fd, d) < 0)
		hcs_fail("%s: domain %u still listed %d ms after DESTROY (a zombie)", what, d,
			 HCS_WAIT_MS);
}

static uint64_t mem_of(uint32_t d)
{
	struct rivet_domain_info info;

	return hcs_getinfo(fd, d, &info) ? (uint64_t)-1 : info.mem_bytes;
}

static void fill(struct hcs_map *m, unsigned seed)
{
	uint32_t *w = m->addr;
	uint64_t i;

	for (i = 0; i < m->pages * PG / 4; i++)
		w[i] = (uint32_t)(i * 2654435761u) ^ seed;
}

static int intact(const struct hcs_map *m, unsigned seed)
{
	const uint32_t *w = m->addr;
	uint64_t i;

	for (i = 0; i < m->pages * PG / 4; i++)
		if (w[i] != ((uint32_t)(i * 2654435761u) ^ seed))
			return 0;
	return 1;
}

/* A created and populated domain, or -1 (reported). */
static int64_t new_domain(uint64_t max_pages, uint64_t pages, const char *what)
{
	int64_t d = hcs_create(fd, max_pages, 1), e;

	if (d < 0)
		return -1;
	e = pages ? hcs_populate(fd, (uint32_t)d, BASE, pages) : 0;
	if (e) {
		hcs_fail("%s: POPULATE of %llu pages: %s", what, (unsigned long long)pages,
			 hcs_errname(e));
		destroy_gone((uint32_t)d, what);
		return -1;
	}
	return d;
}

/* (a) A populate over populated pages fails and changes nothing. */
static void seq_overlap(void)
{
	static const struct { uint64_t gpa, pages; } bad[] = {
		{ BASE + 8 * PG, 16 }, { BASE, 16 }, { BASE + 15 * PG, 1 }, { BASE - PG, 2 },
		{ BASE, 256 },
	};
	const char *w = "overlapping populate";
	uint64_t before = hcs_free_bytes(fd), free1, mem1;
	struct hcs_map m;
	int64_t d, e;
	unsigned i;
	int r, ok = 1;

	d = new_domain(256, 16, w);
	if (d < 0)
		return;
	r = hcs_map(fd, (uint32_t)d, BASE, 16, &m);
	if (r < 0) {
		hcs_fail("%s: map: %s", w, strerror(-r));
		destroy_gone((uint32_t)d, w);
		return;
	}
	fill(&m, 0xa11ce);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		free1 = hcs_free_bytes(fd);
		mem1 = mem_of((uint32_t)d);
		e = hcs_populate(fd, (uint32_t)d, bad[i].gpa, bad[i].pages);
		if (!e)
			hcs_fail("%s: POPULATE %#llx + %llu pages over populated pages succeeded", w,
				 (unsigned long long)bad[i].gpa, (unsigned long long)bad[i].pages);
		else if (mem_of((uint32_t)d) != mem1 || hcs_free_bytes(fd) != free1)
			hcs_fail("%s: the failed POPULATE %#llx + %llu pages (%s) changed memory: "
				 "domain %llu -> %llu bytes, free %llu -> %llu", w,
				 (unsigned long long)bad[i].gpa, (unsigned long long)bad[i].pages,
				 hcs_errname(e), (unsigned long long)mem1,
				 (unsigned long long)mem_of((uint32_t)d), (unsigned long long)free1,
				 (unsigned long long)hcs_free_bytes(fd));
		else
			continue;
		ok = 0;
	}
	if (ok)
		hcs_pass("%s: refused, domain and free memory unchanged", w);
	if (!intact(&m, 0xa11ce))
		hcs_fail("%s: the populated pages' contents changed (live pages freed or zeroed)", w);
	hcs_unmap(fd, &m);
	destroy_gone((uint32_t)d, w);
	check_free(before, w);
}

/* (b) MEMORY_RELEASE of mapped pages: refused (BUSY) or deferred; the mapping stays valid. */
static void seq_release_mapped(void)
{
	const char *w = "release while mapped";
	uint64_t before = hcs_free_bytes(fd);
	struct hcs_map m;
	int64_t d, o, e, e2;
	int r;

	d = new_domain(64, 16, w);
	if (d < 0)
		return;
	r = hcs_map(fd, (uint32_t)d, BASE + 4 * PG, 4, &m);
	if (r < 0) {
		hcs_fail("%s: map: %s", w, strerror(-r));
		destroy_gone((uint32_t)d, w);
		return;
	}
	fill(&m, 0xbeef);
	e = hcs_release(fd, (uint32_t)d, BASE, 16);
	if (e != RIVET_ERR_BUSY && e != 0)
		hcs_fail("%s: RELEASE answered %s (BUSY or deferred expected)", w, hcs_errname(e));
	if (e == RIVET_ERR_BUSY && mem_of((uint32_t)d) != 16 * PG)
		hcs_fail("%s: RELEASE refused but the domain now has %llu bytes", w,
			 (unsigned long long)mem_of((uint32_t)d));
	/* Whatever was freed would be handed out (zeroed) to a new populate now. */
	o = new_domain(64, 64, w);
	if (!intact(&m, 0xbeef))
		hcs_fail("%s: the mapped pages changed after RELEASE (freed under the mapping)", w);
	else
		hcs_pass("%s: RELEASE %s; the mapping still reads the same data", w,
			 e == RIVET_ERR_BUSY ? "refused (BUSY)" : "accepted (deferred)");
	r = hcs_unmap(fd, &m);
	if (r < 0)
		hcs_fail("%s: unmap: %s", w, strerror(-r));
	e2 = hcs_release(fd, (uint32_t)d, BASE, 16);
	if (e == RIVET_ERR_BUSY && e2)
		hcs_fail("%s: RELEASE after the unmap: %s", w, hcs_errname(e2));
	if (mem_of((uint32_t)d) != 0)
		hcs_fail("%s: after unmap and RELEASE the domain still has %llu bytes", w,
			 (unsigned long long)mem_of((uint32_t)d));
	else
		hcs_pass("%s: after the unmap the release is complete", w);
	if (o >= 0)
		destroy_gone((uint32_t)o, w);
	destroy_gone((uint32_t)d, w);
	check_free(before, w);
}

/* (c) Destroy without VCPU_START: gone, memory back. */
static void seq_destroy_unstarted(void)
{
	const char *w = "destroy before start";
	uint64_t before = hcs_free_bytes(fd);
	int64_t d, e;

	d = new_domain(64, 16, w);
	if (d < 0)
		return;
	e = hcs_destroy(fd, (uint32_t)d);
	if (e)
		hcs_fail("%s: DESTROY: %s", w, hcs_errname(e));
	if (hcs_wait_gone(fd, (uint32_t)d) < 0)
		hcs_fail("%s: domain %lld still listed %d ms after DESTROY (a zombie)", w,
			 (long long)d, HCS_WAIT_MS);
	else
		hcs_pass("%s: domain gone", w);
	d = new_domain(64, 0, w);   /* never populated either */
	if (d >= 0)
		destroy_gone((uint32_t)d, w);
	check_free(before, w);
}

/* NR processes DESTROY D at the same moment; each must get 0 or NO_DOMAIN. */
static void race_destroy(uint32_t d, unsigned nr, const char *w)
{
	int gate[2], status, bad = 0;
	unsigned i;
	char c;

	if (pipe(gate) < 0) {
		hcs_fail("%s: pipe", w);
		return;
	}
	fflush(stdout);
	for (i = 0; i < nr; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			int cfd = hcs_open();
			int64_t e;

			close(gate[1]);
			if (read(gate[0], &c, 1) < 0)
				_exit(3);
			e = hcs_destroy(cfd, d);
			if (e && e != RIVET_ERR_NO_DOMAIN) {
				printf("hcstress: racing DESTROY of %u: %s\n", d, hcs_errname(e));
				fflush(stdout);
				_exit(1);
			}
			_exit(0);
		}
		if (pid < 0)
			hcs_fail("%s: fork", w);
	}
	close(gate[0]);
	close(gate[1]);    /* opens the gate: every child's read returns */
	while (wait(&status) > 0)
		bad |= !WIFEXITED(status) || WEXITSTATUS(status);
	if (bad)
		hcs_fail("%s: a racing DESTROY failed", w);
	if (hcs_wait_gone(fd, d) < 0)
		hcs_fail("%s: domain %u still listed after racing DESTROYs", w, d);
}

/* (d) Destroy twice, and racing destroys on a running and on a shut-down domain. */
static void seq_double_destroy(void)
{
	const char *w = "double destroy";
	uint64_t before = hcs_free_bytes(fd);
	struct rivet_domain_info info;
	unsigned round;
	int64_t d, e;

	d = new_domain(64, 16, w);
	if (d < 0)
		return;
	if (hcs_start_idle(fd, (uint32_t)d) == 0) {
		e = hcs_destroy(fd, (uint32_t)d);
		if (e)
			hcs_fail("%s: first DESTROY: %s", w, hcs_errname(e));
		e = hcs_destroy(fd, (uint32_t)d);
		if (e && e != RIVET_ERR_NO_DOMAIN)
			hcs_fail("%s: second DESTROY: %s", w, hcs_errname(e));
	}
	destroy_gone((uint32_t)d, w);
	check_free(before, w);

	w = "racing destroys of a running domain";
	for (round = 0; round < 3; round++) {
		d = new_domain(64, 16, w);
		if (d < 0)
			return;
		if (hcs_start_idle(fd, (uint32_t)d) == 0)
			race_destroy((uint32_t)d, 2, w);
		destroy_gone((uint32_t)d, w);
	}
	check_free(before, w);

	w = "racing destroys of a shut-down domain";
	for (round = 0; round < 3; round++) {
		unsigned ms;

		d = new_domain(64, 16, w);
		if (d < 0)
			return;
		if (hcs_start_idle(fd, (uint32_t)d) == 0) {
			e = hcs_shutdown(fd, (uint32_t)d, RIVET_SHUTDOWN_POWEROFF);
			if (e)
				hcs_fail("%s: SHUTDOWN: %s", w, hcs_errname(e));
			/* rivet-consoled may destroy it first (no record): a third racer. */
			for (ms = 0; ms < 2000; ms += 5) {
				if (hcs_getinfo(fd, (uint32_t)d, &info) ||
				    (info.state & RIVET_DOMSTATE_SHUTDOWN))
					break;
				sleep_ms(5);
			}
			race_destroy((uint32_t)d, 2, w);
		}
		destroy_gone((uint32_t)d, w);
	}
	check_free(before, w);
}

/* (e) SHUTDOWN of a domain that never ran, then DESTROY. */
static void seq_shutdown_unstarted(void)
{
	const char *w = "shutdown before start";
	uint64_t before = hcs_free_bytes(fd);
	int64_t d, e;

	d = new_domain(64, 16, w);
	if (d < 0)
		return;
	e = hcs_shutdown(fd, (uint32_t)d, RIVET_SHUTDOWN_POWEROFF);
	hcs_note("%s: SHUTDOWN answered %s", w, hcs_errname(e));
	destroy_gone((uint32_t)d, w);
	check_free(before, w);
}

/* (f) DESTROY of a domain that is already dying (held by a foreign mapping, and just destroyed). */
static void seq_destroy_dying(void)
{
	const char *w = "destroy of a dying domain";
	uint64_t before = hcs_free_bytes(fd);
	struct rivet_domain_info info;
	struct hcs_map m;
	unsigned i;
	int64_t d, e;
	int r;

	d = new_domain(64, 16, w);
	if (d < 0)
		return;
	r = hcs_map(fd, (uint32_t)d, BASE + PG, 1, &m);
	if (r < 0) {
		hcs_fail("%s: map: %s", w, strerror(-r));
		destroy_gone((uint32_t)d, w);
		return;
	}
	fill(&m, 0xd1e);
	if (hcs_start_idle(fd, (uint32_t)d) == 0) {
		e = hcs_destroy(fd, (uint32_t)d);
		if (e)
			hcs_fail("%s: DESTROY: %s", w, hcs_errname(e));
		for (i = 0; i < 20; i++) {
			e = hcs_destroy(fd, (uint32_t)d);
			if (e && e != RIVET_ERR_NO_DOMAIN)
				hcs_fail("%s: DESTROY again: %s", w, hcs_errname(e));
		}
		if (hcs_getinfo(fd, (uint32_t)d, &info) == 0)
			hcs_note("%s: while mapped it is listed with state %#x", w, info.state);
	}
	if (!intact(&m, 0xd1e))
		hcs_fail("%s: a page still mapped in Dom0 changed after DESTROY", w);
	else
		hcs_pass("%s: refused nothing, the mapping kept its data", w);
	r = hcs_unmap(fd, &m);
	if (r < 0)
		hcs_fail("%s: unmap: %s", w, strerror(-r));
	destroy_gone((uint32_t)d, w);
	check_free(before, w);
}

/* (g) Two processes populate one domain past its max_bytes at once. */
static void seq_populate_race(void)
{
	const char *w = "populate race";
	uint64_t before = hcs_free_bytes(fd), max_pages = 64;
	struct rivet_domain_info info;
	unsigned round, ok = 1;

	for (round = 0; round < 4; round++) {
		uint64_t chunk = round & 1 ? 8 : 1, pages = 0;
		int gate[2], status;
		unsigned i;
		int64_t d;
		char c;

		d = new_domain(max_pages, 0, w);
		if (d < 0 || pipe(gate) < 0)
			return;
		fflush(stdout);
		for (i = 0; i < 2; i++) {
			if (fork() == 0) {
				int cfd = hcs_open();
				uint64_t got = 0, at = BASE + i * max_pages * PG;

				close(gate[1]);
				if (read(gate[0], &c, 1) < 0)
					_exit(255);
				for (; at < BASE + (i + 1) * max_pages * PG; at += chunk * PG)
					if (hcs_populate(cfd, (uint32_t)d, at, chunk) == 0)
						got += chunk;
				_exit((int)got);
			}
		}
		close(gate[0]);
		close(gate[1]);
		while (wait(&status) > 0)
			pages += WIFEXITED(status) ? (unsigned)WEXITSTATUS(status) : 1000;
		if (hcs_getinfo(fd, (uint32_t)d, &info))
			hcs_fail("%s: domain %lld vanished", w, (long long)d);
		else if (pages > max_pages || info.mem_bytes > info.max_bytes ||
			 info.mem_bytes != pages * PG) {
			hcs_fail("%s: %llu pages granted, domain has %llu bytes, max %llu bytes", w,
				 (unsigned long long)pages, (unsigned long long)info.mem_bytes,
				 (unsigned long long)info.max_bytes);
			ok = 0;
		}
		destroy_gone((uint32_t)d, w);
	}
	if (ok)
		hcs_pass("%s: never past max_bytes", w);
	check_free(before, w);
}

/* None of this run's domains (named hcs-<pid>-) may be left. */
static void check_none_left(void)
{
	struct rivet_domain_info info;
	uint64_t a[6] = { 0 };
	char prefix[32];
	unsigned left = 0;

	snprintf(prefix, sizeof prefix, "hcs-%d-", (int)getpid());
	for (;;) {
		struct hcs_ret r = hcs_call(fd, RIVET_HC_DOMAIN_GETINFO, a, 1, &info, sizeof info);

		if (r.error)
			break;
		if (!strncmp(info.name, prefix, strlen(prefix))) {
			hcs_fail("domain %u '%.31s' left behind", info.domid, info.name);
			left++;
		}
		a[0] = (uint64_t)r.value + 1;
	}
	if (!left)
		hcs_pass("no domain of this run left");
}

int hcs_sequences(void)
{
	uint64_t start;
	int64_t d;

	fd = hcs_open();
	start = hcs_free_bytes(fd);
	hcs_note("sequences: %llu KiB free at the start", (unsigned long long)(start >> 10));
	seq_overlap();
	seq_release_mapped();
	seq_destroy_unstarted();
	seq_double_destroy();
	seq_shutdown_unstarted();
	seq_destroy_dying();
	seq_populate_race();
	check_none_left();
	check_free(start, "after all sequences");
	d = new_domain(64, 16, "create afterwards");
	if (d >= 0) {
		destroy_gone((uint32_t)d, "create afterwards");
		hcs_pass("domain create still works");
	}
	check_free(start, "at the end");
	printf("hcstress: sequences: %u passed, %u failed\n", hcs_passed, hcs_failed);
	close(fd);
	return hcs_failed ? 1 : 0;
}
