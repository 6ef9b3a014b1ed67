/* SPDX-License-Identifier: MIT */
/*
 * test_sched_policy.c: the policy arithmetic (microvisor/sched_policy.c):
 * charging, RTDS periods, classes, the choice rules; then a simulated hart
 * that picks as sched.c's scan() does (the same functions) among busy
 * vCPUs for ten simulated seconds and measures the shares: weights 2:1,
 * RTDS budget against credit, a cap, extratime, and a sleeper that wakes
 * without a monopoly.
 */
#include <string.h>

#include "check.h"
#include "sched_policy.h"

#define HZ        10000000ULL      /* a 10 MHz timebase, as QEMU virt's */
#define SLICE     (HZ / 100)
#define WINDOW    (HZ / SCHED_CAP_PERIOD_HZ)

TEST(charging)
{
	struct sched_entity se = { 0 };

	sched_charge_credit(&se, 256, 1000);
	CHECK_EQ(se.vtime, 1000);
	sched_charge_credit(&se, 512, 1000);
	CHECK_EQ(se.vtime, 1500);
	sched_charge_credit(&se, 0, 10);          /* clamped to weight 1 */
	CHECK_EQ(se.vtime, 1500 + 2560);
	sched_charge_credit(&se, 100000, 65535);  /* clamped to 65535 */
	CHECK_EQ(se.vtime, 1500 + 2560 + 256);
	se.rt_left = 100;
	sched_charge_rt(&se, 30);
	CHECK_EQ(se.rt_left, 70);
	sched_charge_rt(&se, 1000);
	CHECK_EQ(se.rt_left, 0);
}

TEST(rt_periods)
{
	struct sched_entity se = { 0 };

	sched_rt_set(&se, 200, 1000, false, 5000);
	CHECK_EQ(se.rt_deadline, 6000);
	CHECK_EQ(se.rt_left, 200);
	se.rt_left = 0;
	sched_rt_refill(&se, 5999);               /* still the same period */
	CHECK_EQ(se.rt_left, 0);
	sched_rt_refill(&se, 6000);               /* the next one begins */
	CHECK_EQ(se.rt_deadline, 7000);
	CHECK_EQ(se.rt_left, 200);
	se.rt_left = 5;
	sched_rt_refill(&se, 9500);               /* periods missed are not owed */
	CHECK_EQ(se.rt_deadline, 10000);
	CHECK_EQ(se.rt_left, 200);
	struct sched_entity unset = { 0 };
	sched_rt_refill(&unset, 1000000);         /* no period: nothing to do */
	CHECK_EQ(unset.rt_deadline, 0);
}

TEST(classes_and_order)
{
	struct sched_entity a = { 0 }, b = { 0 };

	CHECK_EQ(sched_class_of(&a, false, false), SCHED_CLASS_CREDIT);
	CHECK_EQ(sched_class_of(&a, false, true), SCHED_CLASS_WAIT);
	CHECK_EQ(sched_class_of(&a, true, false), SCHED_CLASS_CREDIT);   /* RTDS not applied yet */
	sched_rt_set(&a, 10, 100, false, 0);
	CHECK_EQ(sched_class_of(&a, true, false), SCHED_CLASS_RT);
	a.rt_left = 0;
	CHECK_EQ(sched_class_of(&a, true, false), SCHED_CLASS_WAIT);
	a.rt_extratime = true;
	CHECK_EQ(sched_class_of(&a, true, false), SCHED_CLASS_CREDIT);
	CHECK_EQ(sched_class_of(&a, true, true), SCHED_CLASS_CREDIT);    /* a cap is credit's */

	a.vtime = 5;
	b.vtime = 7;
	CHECK(sched_better(&a, SCHED_CLASS_CREDIT, &b, SCHED_CLASS_CREDIT));
	CHECK(!sched_better(&b, SCHED_CLASS_CREDIT, &a, SCHED_CLASS_CREDIT));
	CHECK(sched_better(&b, SCHED_CLASS_RT, &a, SCHED_CLASS_CREDIT));
	CHECK(sched_better(&b, SCHED_CLASS_CREDIT, NULL, SCHED_CLASS_WAIT));
	b.vtime = 5;
	CHECK(!sched_better(&b, SCHED_CLASS_CREDIT, &a, SCHED_CLASS_CREDIT));   /* the first of equals */

	/* The running one: kept within its slice, and after it only with less virtual time. */
	CHECK(sched_keep_current(&a, SCHED_CLASS_CREDIT, NULL, SCHED_CLASS_WAIT, true, SLICE));
	CHECK(sched_keep_current(&a, SCHED_CLASS_CREDIT, &b, SCHED_CLASS_CREDIT, false, SLICE));
	CHECK(!sched_keep_current(&a, SCHED_CLASS_CREDIT, &b, SCHED_CLASS_CREDIT, true, SLICE));   /* a tie: the other */
	b.vtime = 9;
	CHECK(sched_keep_current(&a, SCHED_CLASS_CREDIT, &b, SCHED_CLASS_CREDIT, true, SLICE));
	/* Held back by more than a slice: it need not wait for the slice's end. */
	b.vtime = a.vtime + SLICE + 1;
	CHECK(!sched_keep_current(&b, SCHED_CLASS_CREDIT, &a, SCHED_CLASS_CREDIT, false, SLICE));
	b.vtime = a.vtime + SLICE;
	CHECK(sched_keep_current(&b, SCHED_CLASS_CREDIT, &a, SCHED_CLASS_CREDIT, false, SLICE));
	b.vtime = 9;
	/* RTDS preempts credit at once, and an earlier deadline preempts a later one. */
	CHECK(!sched_keep_current(&a, SCHED_CLASS_CREDIT, &b, SCHED_CLASS_RT, false, SLICE));
	CHECK(sched_keep_current(&a, SCHED_CLASS_RT, &b, SCHED_CLASS_CREDIT, true, SLICE));
	a.rt_deadline = 100;
	b.rt_deadline = 50;
	CHECK(!sched_keep_current(&a, SCHED_CLASS_RT, &b, SCHED_CLASS_RT, false, SLICE));
	b.rt_deadline = 100;
	CHECK(sched_keep_current(&a, SCHED_CLASS_RT, &b, SCHED_CLASS_RT, false, SLICE));

	/* Rejoining: at most a slice behind the floor; never moved back. */
	a.vtime = 10;
	sched_rejoin(&a, 1000, 100);
	CHECK_EQ(a.vtime, 900);
	sched_rejoin(&a, 500, 100);
	CHECK_EQ(a.vtime, 900);
	sched_rejoin(&a, 50, 100);
	CHECK_EQ(a.vtime, 900);

	CHECK_EQ(sched_cap_budget(0, WINDOW), 0);
	CHECK_EQ(sched_cap_budget(50, WINDOW), WINDOW / 2);
	CHECK_EQ(sched_cap_budget(200, WINDOW), 2 * WINDOW);
	CHECK_EQ(sched_cap_window(WINDOW * 3 + 1, WINDOW), 3);
	CHECK_EQ(sched_cap_window_end(WINDOW * 3 + 1, WINDOW), 4 * WINDOW);
}

/*
 * A simulated hart: busy vCPUs (asleep while asleep_until is ahead), picked
 * with scan()'s rules; the chosen one runs until its slice ends, its budget
 * or cap runs out, or a waiting one may run again. Returns nothing; the
 * shares are in ran[].
 */
struct sim_vcpu {
	struct sched_entity se;
	bool rt;
	u32 weight, cap;
	u64 cap_window, cap_used;
	u64 asleep_until;
	u64 ran;
};

static u64 sim_cap_left(struct sim_vcpu *v, u64 now)
{
	if (!v->cap)
		return ~0ULL;
	u64 budget = sched_cap_budget(v->cap, WINDOW);
	if (sched_cap_window(now, WINDOW) != v->cap_window)
		return budget;
	return v->cap_used < budget ? budget - v->cap_used : 0;
}

/* Extra looks at the run queue every TICK (0: none), as other vCPUs' timers and IPIs cause. */
static u64 tick;

static void simulate(struct sim_vcpu *vs, unsigned n, u64 duration)
{
	u64 now = 0, floor = 0, slice_end = 0;
	int cur = -1;

	while (now < duration) {
		int found = -1;
		enum sched_class found_c = SCHED_CLASS_WAIT, cur_c = SCHED_CLASS_WAIT;
		u64 wake = ~0ULL;
		for (unsigned i = 0; i < n; i++) {
			struct sim_vcpu *v = &vs[i];
			if (v->asleep_until > now) {
				if (v->asleep_until < wake)
					wake = v->asleep_until;
				v->se.away = true;
				continue;
			}
			if (v->rt)
				sched_rt_refill(&v->se, now);
			enum sched_class c = sched_class_of(&v->se, v->rt, !v->rt && sim_cap_left(v, now) == 0);
			if (c == SCHED_CLASS_WAIT || (v->rt && c == SCHED_CLASS_CREDIT)) {
				u64 w = v->rt ? v->se.rt_deadline : sched_cap_window_end(now, WINDOW);
				if (w < wake)
					wake = w;
			}
			if (c == SCHED_CLASS_WAIT) {
				v->se.away = true;
				continue;
			}
			/* As scan(): only one that was away rejoins. */
			if (v->se.away && (int)i != cur) {
				sched_rejoin(&v->se, floor, SLICE / 2);
				v->se.away = false;
			}
			if ((int)i == cur) {
				cur_c = c;
				continue;
			}
			if (sched_better(&v->se, c, found >= 0 ? &vs[found].se : NULL, found_c)) {
				found = (int)i;
				found_c = c;
			}
		}
		int next = found;
		enum sched_class next_c = found_c;
		if (cur >= 0 && cur_c != SCHED_CLASS_WAIT &&
		    sched_keep_current(&vs[cur].se, cur_c, found >= 0 ? &vs[found].se : NULL, found_c,
				       now >= slice_end, SLICE)) {
			next = cur;
			next_c = cur_c;
		}
		if (next < 0) {          /* idle until something may run */
			cur = -1;
			now = wake;
			continue;
		}
		/* As schedule(): an RTDS pick runs by its budget; its slice starts once it competes by credit. */
		if (next_c == SCHED_CLASS_RT)
			slice_end = now;
		else if (next != cur || now >= slice_end)
			slice_end = now + SLICE;
		cur = next;
		struct sim_vcpu *v = &vs[next];
		if (next_c == SCHED_CLASS_CREDIT && v->se.vtime > floor)
			floor = v->se.vtime;
		u64 until = next_c != SCHED_CLASS_RT && slice_end < wake ? slice_end : wake;
		if (tick && now + tick < until)
			until = (now / tick + 1) * tick;
		u64 limit = next_c == SCHED_CLASS_RT ? v->se.rt_left : sim_cap_left(v, now);
		if (limit != ~0ULL && now + limit < until)
			until = now + limit;
		if (until > duration)
			until = duration;
		u64 ran = until - now;
		if (!ran)
			ran = 1;          /* a tick: the timer fires late, never early */
		now += ran;
		v->ran += ran;
		sched_charge_credit(&v->se, v->rt ? SCHED_WEIGHT_DEFAULT : v->weight, ran);
		if (v->rt)
			sched_charge_rt(&v->se, ran);
		if (v->cap) {
			u64 win = sched_cap_window(now - 1, WINDOW);
			if (win != v->cap_window) {
				v->cap_window = win;
				v->cap_used = 0;
			}
			v->cap_used += ran;
		}
	}
}

/* The share of V in percent of DURATION, to one decimal (x10). */
static unsigned share(const struct sim_vcpu *v, u64 duration) { return (unsigned)(v->ran * 1000 / duration); }

TEST(weights_share_two_to_one)
{
	struct sim_vcpu vs[2] = { { .weight = 512 }, { .weight = 256 } };
	u64 d = 10 * HZ;

	simulate(vs, 2, d);
	CHECK(share(&vs[0], d) >= 660 && share(&vs[0], d) <= 672);   /* two thirds */
	CHECK(share(&vs[1], d) >= 328 && share(&vs[1], d) <= 340);

	/* Looks at the run queue in mid-slice (other vCPUs' events) change nothing. */
	struct sim_vcpu mid[2] = { { .weight = 512 }, { .weight = 256 } };
	tick = SLICE / 7;
	simulate(mid, 2, d);
	tick = 0;
	CHECK(share(&mid[0], d) >= 660 && share(&mid[0], d) <= 672);
	struct sim_vcpu low[2] = { { .weight = 100 }, { .weight = 25 } };
	tick = SLICE / 3;
	simulate(low, 2, d);
	tick = 0;
	CHECK(share(&low[0], d) >= 790 && share(&low[0], d) <= 810);   /* 4:1 */

	struct sim_vcpu eq[3] = { { .weight = 256 }, { .weight = 256 }, { .weight = 256 } };
	simulate(eq, 3, d);
	for (unsigned i = 0; i < 3; i++)
		CHECK(share(&eq[i], d) >= 330 && share(&eq[i], d) <= 337);
}

TEST(cap_holds_a_domain_to_its_share)
{
	/* Alone on the hart: capped at 50, it runs half the time and the hart idles the rest. */
	struct sim_vcpu one[1] = { { .weight = 256, .cap = 50 } };
	u64 d = 10 * HZ;

	simulate(one, 1, d);
	CHECK(share(&one[0], d) >= 495 && share(&one[0], d) <= 505);
	/* Against an uncapped one of the same weight: still at most half, the other takes the rest. */
	struct sim_vcpu two[2] = { { .weight = 256, .cap = 25 }, { .weight = 256 } };
	simulate(two, 2, d);
	CHECK(share(&two[0], d) >= 245 && share(&two[0], d) <= 255);
	CHECK(share(&two[1], d) >= 745 && share(&two[1], d) <= 755);
	/* Capped above its fair share, the cap does not bind: equal weights share equally. */
	struct sim_vcpu loose[2] = { { .weight = 256, .cap = 80 }, { .weight = 256 } };
	simulate(loose, 2, d);
	CHECK(share(&loose[0], d) >= 490 && share(&loose[0], d) <= 510);
}

TEST(rtds_budget_before_credit)
{
	struct sim_vcpu vs[2] = { { .rt = true }, { .weight = 256 } };
	u64 d = 10 * HZ;

	/* 2 ms every 10 ms: 20 %, though a busy credit vCPU of the default weight competes. */
	sched_rt_set(&vs[0].se, HZ / 500, HZ / 100, false, 0);
	simulate(vs, 2, d);
	CHECK(share(&vs[0], d) >= 199 && share(&vs[0], d) <= 201);
	CHECK(share(&vs[1], d) >= 799 && share(&vs[1], d) <= 801);

	/* 6 ms every 10 ms against credit: 60 %, more than an equal split would give it. */
	struct sim_vcpu big[2] = { { .rt = true }, { .weight = 256 } };
	sched_rt_set(&big[0].se, 6 * HZ / 1000, HZ / 100, false, 0);
	simulate(big, 2, d);
	CHECK(share(&big[0], d) >= 599 && share(&big[0], d) <= 601);

	/* With extratime it also competes for the rest, by all it ran: about half in all. */
	struct sim_vcpu ex[2] = { { .rt = true }, { .weight = 256 } };
	sched_rt_set(&ex[0].se, HZ / 500, HZ / 100, true, 0);
	simulate(ex, 2, d);
	CHECK(share(&ex[0], d) >= 480 && share(&ex[0], d) <= 520);

	/* A short period with extratime: each period's start preempts the credit vCPU at once. */
	struct sim_vcpu fast[2] = { { .rt = true }, { .weight = 256 } };
	sched_rt_set(&fast[0].se, HZ / 2000, HZ / 1000, true, 0);   /* 0.5 ms every 1 ms */
	simulate(fast, 2, d);
	CHECK(share(&fast[0], d) >= 495);

	/* Two RTDS vCPUs, earliest deadline first: each gets its budget. */
	struct sim_vcpu two[3] = { { .rt = true }, { .rt = true }, { .weight = 256 } };
	sched_rt_set(&two[0].se, 3 * HZ / 1000, 10 * HZ / 1000, false, 0);
	sched_rt_set(&two[1].se, 1 * HZ / 1000, 4 * HZ / 1000, false, 0);
	simulate(two, 3, d);
	CHECK(share(&two[0], d) >= 298 && share(&two[0], d) <= 302);
	CHECK(share(&two[1], d) >= 248 && share(&two[1], d) <= 252);
	CHECK(share(&two[2], d) >= 446 && share(&two[2], d) <= 454);
}

TEST(sleeper_gets_no_monopoly)
{
	/* One sleeps for 5 s while the other runs; awake, it shares equally rather than catching up. */
	struct sim_vcpu vs[2] = { { .weight = 256, .asleep_until = 5 * HZ }, { .weight = 256 } };
	u64 d = 10 * HZ;

	simulate(vs, 2, d);
	CHECK(share(&vs[0], d) >= 245 && share(&vs[0], d) <= 255);
	CHECK(share(&vs[1], d) >= 745 && share(&vs[1], d) <= 755);
}

int main(void)
{
	RUN(charging);
	RUN(rt_periods);
	RUN(classes_and_order);
	RUN(weights_share_two_to_one);
	RUN(cap_holds_a_domain_to_its_share);
	RUN(rtds_budget_before_credit);
	RUN(sleeper_gets_no_monopoly);
	return CHECK_DONE();
}
