/* SPDX-License-Identifier: MIT */
/*
 * test_dm_state.c: the state arena (tools/dm/dm_state.c) and the virtqueue
 * journal (vq_publish / vq_recover in tools/dm/virtqueue.c): a successor
 * finds every slice, refuses an arena that is not its domain's life, and
 * settles a publish interrupted at any point so that no chain is lost and
 * none is published twice.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dm_state.h"
#include "plic.h"
#include "uart16550.h"
#include "virtio_mmio.h"
#include "virtqueue.h"

static uint8_t arena[DM_STATE_BYTES] __attribute__((aligned(64)));
static const struct dm_state_id me = { 7, "web", 0x1234 };

TEST(arena_fresh_then_resumed)
{
	struct dm_state s;
	char err[200];
	int clean = -1;

	dm_state_format(&s, arena, sizeof arena, &me);
	struct plic_state *p = DM_STATE_SLICE(&s, "plic", struct plic_state);
	struct uart16550_state *u = DM_STATE_SLICE(&s, "uart", struct uart16550_state);
	CHECK(p && u && !s.failed);
	CHECK((uintptr_t)p % DM_STATE_ALIGN == 0 && (uintptr_t)u % DM_STATE_ALIGN == 0);
	CHECK((uint8_t *)u >= (uint8_t *)p + sizeof *p);
	p->priority[3] = 5;
	u->scr = 0x5a;
	CHECK(DM_STATE_SLICE(&s, "plic", struct plic_state) == NULL && s.failed);   /* twice */
	/* Not sealed: a successor refuses it (its maker died starting). */
	CHECK_EQ(dm_state_resume(&s, arena, sizeof arena, &me, &clean, err, sizeof err), -1);
	CHECK(strstr(err, "never completed") != NULL);
	dm_state_format(&s, arena, sizeof arena, &me);
	p = DM_STATE_SLICE(&s, "plic", struct plic_state);
	u = DM_STATE_SLICE(&s, "uart", struct uart16550_state);
	p->priority[3] = 5;
	u->scr = 0x5a;
	dm_state_seal(&s);
	CHECK_EQ(dm_state_generation(&s), 1);

	/* Found by name, in any order; a died predecessor shows as not clean. */
	CHECK_EQ(dm_state_resume(&s, arena, sizeof arena, &me, &clean, err, sizeof err), 0);
	CHECK_EQ(clean, 0);
	CHECK_EQ(dm_state_generation(&s), 2);
	struct uart16550_state *u2 = DM_STATE_SLICE(&s, "uart", struct uart16550_state);
	struct plic_state *p2 = DM_STATE_SLICE(&s, "plic", struct plic_state);
	CHECK(u2 == u && p2 == p && u2->scr == 0x5a && p2->priority[3] == 5 && !s.failed);
	/* An orderly stop says so to the next one. */
	dm_state_set_clean(&s, 1);
	CHECK_EQ(dm_state_resume(&s, arena, sizeof arena, &me, &clean, err, sizeof err), 0);
	CHECK_EQ(clean, 1);
	CHECK_EQ(dm_state_generation(&s), 3);
	/* Another layout: a missing slice or one of another size fails the whole resume. */
	CHECK(dm_state_slice(&s, "virtio0", 64) == NULL && s.failed);
	CHECK(strstr(s.err, "no slice 'virtio0'") != NULL);
	CHECK_EQ(dm_state_resume(&s, arena, sizeof arena, &me, &clean, err, sizeof err), 0);
	CHECK(dm_state_slice(&s, "uart", sizeof *u + 1) == NULL && s.failed);
}

TEST(arena_refuses_others)
{
	struct dm_state s;
	struct dm_state_id other_life = me, other_dom = me, other_name = me;
	char err[200];
	int clean;

	dm_state_format(&s, arena, sizeof arena, &me);
	DM_STATE_SLICE(&s, "plic", struct plic_state);
	dm_state_seal(&s);
	other_life.instance = 0x9999;
	CHECK_EQ(dm_state_resume(&s, arena, sizeof arena, &other_life, &clean, err, sizeof err), -1);
	CHECK(strstr(err, "an earlier life of domain 7") != NULL);
	other_dom.domid = 8;
	CHECK_EQ(dm_state_resume(&s, arena, sizeof arena, &other_dom, &clean, err, sizeof err), -1);
	CHECK_STR(err, "the state file belongs to domain 7 (web), not to domain 8 (web)");
	other_name.name = "mail";
	CHECK_EQ(dm_state_resume(&s, arena, sizeof arena, &other_name, &clean, err, sizeof err), -1);
	/* Another version, or no arena at all. */
	((struct dm_state_hdr *)(void *)arena)->version = DM_STATE_VERSION + 1;
	CHECK_EQ(dm_state_resume(&s, arena, sizeof arena, &me, &clean, err, sizeof err), -1);
	CHECK(strstr(err, "layout version") != NULL);
	memset(arena, 0, sizeof arena);
	CHECK_EQ(dm_state_resume(&s, arena, sizeof arena, &me, &clean, err, sizeof err), -1);
	CHECK_STR(err, "not a rivet-dm state file");
	/* A damaged slice table never points outside the arena. */
	dm_state_format(&s, arena, sizeof arena, &me);
	DM_STATE_SLICE(&s, "plic", struct plic_state);
	dm_state_seal(&s);
	((struct dm_state_hdr *)(void *)arena)->slice[0].offset = DM_STATE_BYTES - 64;
	CHECK_EQ(dm_state_resume(&s, arena, sizeof arena, &me, &clean, err, sizeof err), 0);
	CHECK(DM_STATE_SLICE(&s, "plic", struct plic_state) == NULL && s.failed);
}

/* ---- the journal, on a one-descriptor-chain queue in fake RAM ---- */

#define RAM_GPA   0x80000000ULL
#define RAM_SIZE  (1u << 16)
#define DESC_GPA  (RAM_GPA + 0x1000)
#define AVAIL_GPA (RAM_GPA + 0x2000)
#define USED_GPA  (RAM_GPA + 0x3000)
#define BUF_GPA   (RAM_GPA + 0x8000)
#define NUM       8

static uint8_t ram[RAM_SIZE];
static const struct dm_mem mem = { ram, RAM_GPA, RAM_SIZE, NULL };
static struct vq q;               /* as it would be in the arena */
static struct vq_chain chain;
static uint16_t drv_avail;

static void *host(uint64_t gpa) { return ram + (gpa - RAM_GPA); }
static void put16(uint64_t gpa, uint16_t v) { memcpy(host(gpa), &v, 2); }
static uint16_t get16(uint64_t gpa) { uint16_t v; memcpy(&v, host(gpa), 2); return v; }
static uint16_t used_idx(void) { return get16(USED_GPA + 2); }

static void setup(void)
{
	memset(ram, 0, sizeof ram);
	vq_reset(&q);
	q.num = NUM;
	q.desc = DESC_GPA;
	q.avail = AVAIL_GPA;
	q.used = USED_GPA;
	q.ready = true;
	drv_avail = 0;
	/* Descriptor i: one 16-byte writable buffer. */
	for (unsigned i = 0; i < NUM; i++) {
		uint64_t addr = BUF_GPA + 16 * i;
		uint32_t len = 16;
		uint16_t flags = VIRTQ_DESC_F_WRITE, next = 0;
		uint8_t *d = host(DESC_GPA + 16 * i);
		memcpy(d, &addr, 8);
		memcpy(d + 8, &len, 4);
		memcpy(d + 12, &flags, 2);
		memcpy(d + 14, &next, 2);
	}
}

static void offer(uint16_t head)
{
	put16(AVAIL_GPA + 4 + 2 * (drv_avail % NUM), head);
	put16(AVAIL_GPA + 2, ++drv_avail);
}

/* What the previous process did before it was killed, stopping at STEP of vq_publish. */
enum step { AFTER_POP, AFTER_FILL, JOURNAL_OPEN, IDX_STORED, COMMITTED };

static void die_during(enum step step)
{
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	if (step == AFTER_POP)
		return;
	CHECK_EQ(vq_fill(&q, &mem, chain.head, 16), 0);
	if (step == AFTER_FILL)
		return;
	/* vq_publish's own steps, in its order. */
	q.journal_used = (uint16_t)(q.used_idx + q.nr_filled);
	q.journal_avail = (uint16_t)(q.last_avail_idx - q.nr_held);
	q.journal_open = 1;
	if (step == JOURNAL_OPEN)
		return;
	put16(USED_GPA + 2, q.journal_used);
	if (step == IDX_STORED)
		return;
	q.used_idx = q.journal_used;
	q.commit_avail = q.journal_avail;
	q.nr_filled = 0;
}

/* The successor: recover, then serve everything available; returns how many it published. */
static unsigned successor(void)
{
	unsigned n = 0;

	CHECK_EQ(vq_recover(&q, &mem), 0);
	CHECK(!q.journal_open && !q.nr_held && !q.nr_filled);
	while (vq_pop(&q, &mem, &chain) == VQ_CHAIN) {
		CHECK_EQ(vq_push(&q, &mem, chain.head, 16), 0);
		n++;
	}
	return n;
}

TEST(journal_every_kill_point)
{
	static const enum step steps[] = { AFTER_POP, AFTER_FILL, JOURNAL_OPEN, IDX_STORED, COMMITTED };

	for (unsigned k = 0; k < sizeof steps / sizeof steps[0]; k++) {
		setup();
		/* Two chains done before, then chain 2 in flight, chain 3 waiting. */
		offer(0);
		offer(1);
		CHECK_EQ(successor(), 2);
		offer(2);
		offer(3);
		die_during(steps[k]);
		unsigned published = steps[k] >= IDX_STORED;
		/* Whatever the point: every chain exactly once, in the order offered. */
		CHECK_EQ(successor(), 4 - 2 - published);
		CHECK_EQ(used_idx(), 4);
		for (unsigned i = 0; i < 4; i++) {
			uint32_t id;
			memcpy(&id, host(USED_GPA + 4 + 8 * i), 4);
			CHECK_EQ(id, i);
		}
		CHECK_EQ(q.commit_avail, 4);
	}
}

TEST(journal_batch_and_held)
{
	setup();
	offer(0);
	offer(1);
	offer(2);
	/* A device that fills two of three popped chains, then publishes both at once. */
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	CHECK_EQ(vq_fill(&q, &mem, 0, 1), 0);
	CHECK_EQ(vq_fill(&q, &mem, 1, 1), 0);
	CHECK_EQ(used_idx(), 0);
	CHECK_EQ(vq_publish(&q, &mem), 0);
	CHECK_EQ(used_idx(), 2);
	CHECK_EQ(q.commit_avail, 2);   /* chain 2 is still held: not committed */
	CHECK_EQ(successor(), 1);      /* ... so a successor does it again */
	CHECK_EQ(used_idx(), 3);
}

TEST(journal_scribbled_used_idx_stops_only_that_queue)
{
	setup();
	offer(0);
	die_during(JOURNAL_OPEN);
	put16(USED_GPA + 2, 77);       /* the driver wrote the device's index */
	CHECK_EQ(vq_recover(&q, &mem), VQ_BROKEN);
	/* Without an open journal, used->idx is not even read. */
	setup();
	offer(0);
	die_during(AFTER_POP);
	put16(USED_GPA + 2, 77);
	CHECK_EQ(vq_recover(&q, &mem), 0);
	/* A ring moved out of RAM (damaged state) is refused, not walked. */
	q.used = RAM_GPA + RAM_SIZE;
	CHECK_EQ(vq_recover(&q, &mem), VQ_BROKEN);
}

/* The devices' state moves into a slice and comes back from it. */
TEST(devices_bind_state)
{
	struct dm_state s;
	struct plic plic;
	struct uart16550 uart;
	char err[200];
	int clean;

	dm_state_format(&s, arena, sizeof arena, &me);
	plic_init(&plic, 2, NULL, NULL);
	CHECK_EQ(plic_bind_state(&plic, DM_STATE_SLICE(&s, "plic", struct plic_state), 0), 0);
	uart_init(&uart, NULL, NULL, NULL);
	uart_bind_state(&uart, DM_STATE_SLICE(&s, "uart", struct uart16550_state), 0);
	dm_state_seal(&s);
	CHECK(plic.st != &plic.own && uart.st != &uart.own);
	plic_mmio_ops.write(&plic, PLIC_PRIORITY_BASE + 4 * 10, 4, 6);
	uart_mmio_ops.write(&uart, UART_SCR, 1, 0x42);

	/* A new process: fresh structs, the same arena. */
	CHECK_EQ(dm_state_resume(&s, arena, sizeof arena, &me, &clean, err, sizeof err), 0);
	struct plic plic2;
	struct uart16550 uart2;
	plic_init(&plic2, 2, NULL, NULL);
	CHECK_EQ(plic_bind_state(&plic2, DM_STATE_SLICE(&s, "plic", struct plic_state), 1), 0);
	uart_init(&uart2, NULL, NULL, NULL);
	uart_bind_state(&uart2, DM_STATE_SLICE(&s, "uart", struct uart16550_state), 1);
	CHECK_EQ(plic_mmio_ops.read(&plic2, PLIC_PRIORITY_BASE + 4 * 10, 4), 6);
	CHECK_EQ(uart_mmio_ops.read(&uart2, UART_SCR, 1), 0x42);
	/* Another vCPU count is another machine. */
	struct plic plic3;
	plic_init(&plic3, 4, NULL, NULL);
	CHECK_EQ(plic_bind_state(&plic3, DM_STATE_SLICE(&s, "plic", struct plic_state), 1), -1);
	/* After a death, a source left in service is released, pending again while its line is high. */
	plic_mmio_ops.write(&plic2, PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * 1, 4, 1u << 10);
	plic_set_irq(&plic2, 10, 1);
	CHECK_EQ(plic_mmio_ops.read(&plic2, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE + PLIC_CTX_CLAIM, 4), 10);
	CHECK_EQ(plic_ctx_level(&plic2, 1), 0);   /* in service: held back */
	plic_recover(&plic2);
	CHECK_EQ(plic_ctx_level(&plic2, 1), 1);
	CHECK_EQ(plic_mmio_ops.read(&plic2, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE + PLIC_CTX_CLAIM, 4), 10);
}

int main(void)
{
	check_suite = "dm_state";
	RUN(arena_fresh_then_resumed);
	RUN(arena_refuses_others);
	RUN(journal_every_kill_point);
	RUN(journal_batch_and_held);
	RUN(journal_scribbled_used_idx_stops_only_that_queue);
	RUN(devices_bind_state);
	return CHECK_DONE();
}
