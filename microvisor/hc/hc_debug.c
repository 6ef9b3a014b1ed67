// SPDX-License-Identifier: MIT
/*
 * hc_debug.c: Xen's debug keys (`xl debug-keys`): Dom0 names keys, each
 * key's dump goes to the microvisor's log (`xl dmesg`). Read-only: nothing
 * here changes a domain, a vCPU or a run queue.
 *
 * SMP: each object is read under the lock that guards it (docs/architecture.md,
 * "Locks"): a domain's state under d->lock, a vCPU's state and home under its
 * home hart's lock (vcpu_lock_home), a run queue under its hart's lock. What is
 * read is copied to the stack and printed after the lock is dropped: log()
 * takes the console lock, which is taken alone. Domains are referenced
 * (domain_get) while they are read, so none is freed meanwhile. hart->current
 * run_ticks, mem_bytes and started_vcpus are read without a lock: current is
 * written by its own hart only (a pointer, read once, compared, never
 * followed); the others are aligned u64s, read whole on RV64. Each is a
 * snapshot, possibly a switch old: a dump, not a decision.
 */
#include "hypercall.h"
#include "hart.h"
#include "sched.h"
#include "print.h"
#include <string.h>

static const char *vcpu_state_name(enum vcpu_state s, bool io_wait, bool suspended)
{
	switch (s) {
	case VCPU_OFF:      return "off";
	case VCPU_RUNNABLE: return "runnable";
	case VCPU_BLOCKED:  return io_wait ? "blocked (ioreq)" : suspended ? "suspended" : "blocked (wfi)";
	}
	return "?";
}

static const char *dom_state_name(enum domain_state s)
{
	switch (s) {
	case DOM_CREATED:  return "created";
	case DOM_RUNNING:  return "running";
	case DOM_DYING:    return "dying";
	case DOM_SHUTDOWN: return "shutdown";
	case DOM_DEAD:     return "dead";
	}
	return "?";
}

static u64 ticks_to_ms(u64 ticks)
{
	return timebase_hz ? ticks / timebase_hz * 1000 + ticks % timebase_hz * 1000 / timebase_hz : 0;
}

/* 'q': every domain and its vCPUs. */
static void dump_domains(void)
{
	log("'q' pressed -> dumping domain info (now 0x%lx)", time_now());
	for (unsigned id = 0; id < MAX_DOMAINS; id++) {
		struct domain *d = domain_get(id, NULL);
		if (!d)
			continue;
		char name[RIVET_NAME_LEN];
		domain_name_copy(d, name);
		spin_lock(&d->lock);
		enum domain_state st = d->state;
		bool paused = d->paused;
		spin_unlock(&d->lock);
		log("domain %u \"%s\": %s%s, flags 0x%x, %lu/%lu KiB, %lu vCPUs (%lu started), up %lu ms",
		    d->id, name, dom_state_name(st), paused ? " paused" : "", d->flags, d->mem_bytes >> 10,
		    d->max_bytes >> 10, d->nr_vcpus, d->started_vcpus, ticks_to_ms(time_now() - d->start_ticks));
		for (unsigned i = 0; i < d->nr_vcpus; i++) {
			struct vcpu *v = d->vcpus[i];
			struct hart *h = vcpu_lock_home(v);
			enum vcpu_state vs = v->state;
			bool io = v->io_wait, susp = v->suspended, cur = h->current == v;
			unsigned hart = h->index;
			u64 aff = v->affinity;
			spin_unlock(&h->lock);
			log("  vCPU %u: %s%s on hart %u, affinity 0x%lx, ran %lu ms", i,
			    vcpu_state_name(vs, io, susp), cur ? " (current)" : "", hart, aff,
			    ticks_to_ms(v->run_ticks));
		}
		domain_put(d);
	}
}

/* What 'r' copies of one run queue entry while the hart's lock is held. */
struct rq_entry {
	u16 domid;
	u8 vcpu;
	u8 state;
	bool current;
};

/* 'r': each hart's run queue. */
static void dump_run_queues(void)
{
	struct rq_entry q[MAX_VCPUS_PER_HART];   /* under 1 KiB of the 16 KiB hart stack */
	log("'r' pressed -> dumping run queues");
	for (unsigned i = 0; i < nr_harts; i++) {
		struct hart *h = &harts[i];
		if (!h->online) {
			log("hart %u: offline", i);
			continue;
		}
		spin_lock(&h->lock);
		unsigned n = h->nr_vcpus, rr = h->rr_next;
		for (unsigned k = 0; k < n; k++) {
			struct vcpu *v = h->vcpus[k];   /* valid while queued: removal takes this lock */
			q[k] = (struct rq_entry){ (u16)v->dom->id, (u8)v->id, (u8)v->state, h->current == v };
		}
		spin_unlock(&h->lock);
		log("hart %u (id %lu): %u vCPUs queued, round-robin at %u", i, h->hartid, n, rr);
		for (unsigned k = 0; k < n; k++)
			log("  [%u] d%uv%u %s%s", k, q[k].domid, q[k].vcpu,
			    vcpu_state_name((enum vcpu_state)q[k].state, false, false), q[k].current ? " (current)" : "");
	}
}

static void dump_help(void);

static const struct debug_key {
	char key;
	void (*fn)(void);
	const char *what;
} debug_keys[] = {
	{ 'h', dump_help,        "show this list" },
	{ 'q', dump_domains,     "dump domain (and vCPU) info" },
	{ 'r', dump_run_queues,  "dump run queues" },
};
#define NR_DEBUG_KEYS (sizeof(debug_keys) / sizeof(debug_keys[0]))

static void dump_help(void)
{
	log("'h' pressed -> showing installed handlers");
	for (unsigned i = 0; i < NR_DEBUG_KEYS; i++)
		log(" key '%c': %s", debug_keys[i].key, debug_keys[i].what);
}

/*
 * a0 = GPA of the keys, a1 = their count (1..RIVET_DEBUG_KEYS_MAX), copied
 * in whole before any is acted on. An unknown key is said in the log and
 * skipped, as Xen does; value = how many keys were known.
 */
struct sbiret hc_debug_keys(struct vcpu *v, struct trap_frame *f)
{
	char keys[RIVET_DEBUG_KEYS_MAX];
	u64 gpa = f->x[REG_A0], n = f->x[REG_A1];
	if (!n || n > sizeof(keys))
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	int err = domain_read_gpa(v->dom, gpa, keys, n);
	if (err)
		return SBI_RET(hc_error(err), 0);
	u64 known = 0;
	for (u64 i = 0; i < n; i++) {
		unsigned k;
		for (k = 0; k < NR_DEBUG_KEYS && debug_keys[k].key != keys[i]; k++)
			;
		if (k < NR_DEBUG_KEYS) {
			debug_keys[k].fn();
			known++;
		} else if (keys[i] >= ' ' && keys[i] <= '~') {
			log("debug key '%c' (0x%x): unknown ('h' lists the keys)", keys[i], (unsigned)(u8)keys[i]);
		} else {
			log("debug key 0x%x: unknown ('h' lists the keys)", (unsigned)(u8)keys[i]);
		}
	}
	return SBI_RET(SBI_SUCCESS, known);
}
