// SPDX-License-Identifier: MIT
/*
 * domain.c: domain objects and their lifecycle: allocation (G-stage table,
 * VMID, vCPUs homed on harts), the registry of live domains with reference
 * counts, pause, shutdown and crash handling, teardown, and console output.
 * The machine powers off when the last domain is gone, and when Dom0 ends.
 *
 * Lock order: docs/architecture.md ("Locks") is the one definition.
 */
#include "domain.h"
#include "sched.h"
#include "hart.h"
#include "mm.h"
#include "print.h"
#include "csr.h"
#include "sbi_call.h"
#include "console.h"
#include "vmid.h"
#include "dom0_devices.h"
#include <string.h>

/* domains_lock guards domains[], dom0, nr_alive, nr_ended and machine_reboot. */
static struct domain *domains[MAX_DOMAINS];   /* indexed by id */
static spinlock_t domains_lock = SPINLOCK_INIT;
static unsigned nr_alive;
static unsigned nr_ended[SHUTDOWN_DESTROY + 1];   /* by enum shutdown_reason */
static struct domain *dom0;
static bool machine_reboot;                   /* Dom0 rebooted: reset rather than power off */
extern unsigned vmid_bits;

/* ctx: a populate's page budget (mm_reserve), or NULL. */
static void *table_alloc(void *ctx)
{
	return ctx ? mm_alloc_reserved(PAGE_SIZE, PAGE_SIZE, ctx) : mm_alloc(PAGE_SIZE, PAGE_SIZE);
}
static void table_free(void *ctx, void *p) { (void)ctx; mm_free(p, PAGE_SIZE); }

/* A new reference, unless the last one is already gone (the domain is being freed). */
static bool get_ref(struct domain *d)
{
	u64 r = __atomic_load_n(&d->refs, __ATOMIC_ACQUIRE);
	while (r)
		if (__atomic_compare_exchange_n(&d->refs, &r, r + 1, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

struct domain *domain_dom0(void) { return dom0; }

struct domain *domain_get_dom0(void)
{
	struct domain *d;
	spin_lock(&domains_lock);
	d = dom0 && get_ref(dom0) ? dom0 : NULL;
	spin_unlock(&domains_lock);
	return d;
}

u64 domain_overhead_bytes(const struct domain *d)
{
	return d->gs.nr_table_pages * PAGE_SIZE + d->nr_vcpus * ALIGN_UP(sizeof(struct vcpu), PAGE_SIZE) +
	       ALIGN_UP(sizeof(struct domain), PAGE_SIZE);
}

void domain_ref(struct domain *d)
{
	__atomic_fetch_add(&d->refs, 1, __ATOMIC_SEQ_CST);
}

static void domain_free(struct domain *d)
{
	ioreq_teardown(d);   /* already done when its vCPUs went off; a never-built one has none */
	evtchn_teardown(d);
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		if (!d->vcpus[i])
			continue;
		if (d->vcpus[i]->home)
			sched_remove_vcpu(d->vcpus[i]);
		mm_free(d->vcpus[i], sizeof(struct vcpu));
	}
	if (d->gs.root) {
		/*
		 * Its VMID is not reused before a rollover, which fences every hart, so
		 * its own stale entries never match again. Dom0 fenced every hart when
		 * it unmapped d's pages (FOREIGN_UNMAP). With no VMID bits everyone
		 * shares VMID 0: every hart fences before the pages go back.
		 */
		if (!vmid_bits)
			hart_shootdown_gvma();
		domain_free_memory(d);
		gstage_free_tables(&d->gs);
		mm_free(d->gs.root, GSTAGE_ROOT_PAGES * PAGE_SIZE);
	}
	/*
	 * A destroyed domain stays listed (dying) until its memory is back, so
	 * whoever waits for it to go sees the free memory exact. Nobody takes a
	 * reference meanwhile: refs is 0, and get_ref() refuses that.
	 */
	spin_lock(&domains_lock);
	if (d->id < MAX_DOMAINS && domains[d->id] == d)
		domains[d->id] = NULL;
	spin_unlock(&domains_lock);
	mm_free(d, sizeof(*d));
}

struct domain *domain_alloc(const struct domain_params *p, int *err)
{
	size_t len = strnlen(p->name, RIVET_NAME_LEN);
	*err = -RIVET_EINVAL;
	if (!len || len == RIVET_NAME_LEN || p->nr_vcpus < 1 || p->nr_vcpus > RIVET_MAX_VCPUS)
		return NULL;
	*err = -RIVET_ENOMEM;
	struct domain *d = mm_alloc(sizeof(*d), PAGE_SIZE);
	if (!d)
		return NULL;
	memcpy(d->name, p->name, len);
	d->flags = p->flags;
	d->nr_vcpus = p->nr_vcpus;
	d->avail_vcpus = p->nr_vcpus;   /* all, until Dom0 says fewer (DOMAIN_VCPUS) */
	d->max_bytes = p->max_bytes;
	d->on_poweroff = p->on_poweroff;
	d->on_reboot = p->on_reboot;
	d->on_crash = p->on_crash;
	d->refs = 1;
	d->state = DOM_CREATED;
	d->sched_weight = SCHED_WEIGHT_DEFAULT;   /* credit, no cap, until SCHED_SET */
	d->start_ticks = time_now();   /* xl uptime: Xen counts from creation too */
	d->live_vcpus = d->nr_vcpus;   /* all homed; a shutdown before start reaps them all */

	void *root = mm_alloc(GSTAGE_ROOT_PAGES * PAGE_SIZE, GSTAGE_ROOT_ALIGN);
	if (!root)
		goto fail;
	d->gs.alloc_page = table_alloc;
	d->gs.free_page = table_free;
	gstage_init(&d->gs, root);   /* cannot fail: root is aligned */
	vmid_refresh(d);

	u64 online = 0;
	for (unsigned i = 0; i < nr_harts; i++)
		if (harts[i].online)
			online |= 1UL << i;
	d->cpus_mask = p->cpus_mask & online;
	if (p->cpus_mask && !d->cpus_mask)
		log("domain %s: cpus= names no hart of this machine (%u harts); using all harts",
		    d->name, nr_harts);

	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = mm_alloc(sizeof(*v), PAGE_SIZE);
		*err = -RIVET_ENOMEM;
		if (!v)
			goto fail;
		v->dom = d;
		v->id = i;
		v->last_hart = -1;
		d->vcpus[i] = v;
		if ((*err = sched_add_vcpu(v, d->cpus_mask)) != 0)
			goto fail;
	}
	*err = 0;
	return d;
fail:
	domain_free(d);
	return NULL;
}

int domain_register(struct domain *d, int id)
{
	spin_lock(&domains_lock);
	for (unsigned i = 0; i < MAX_DOMAINS; i++) {
		/* A DEAD domain on its way out of the registry no longer holds its name. */
		if (domains[i] && domains[i]->state != DOM_DEAD &&
		    !strncmp(domains[i]->name, d->name, RIVET_NAME_LEN)) {
			spin_unlock(&domains_lock);
			return -RIVET_EEXIST;
		}
	}
	if (id < 0)
		for (id = 1; id < MAX_DOMAINS && domains[id]; id++)
			;
	if (id >= MAX_DOMAINS || domains[id]) {
		spin_unlock(&domains_lock);
		return -RIVET_ENOSPC;
	}
	d->id = id;
	domains[id] = d;
	if (d->flags & RIVET_DOMF_PRIVILEGED)
		dom0 = d;
	nr_alive++;
	spin_unlock(&domains_lock);
	return 0;
}

struct domain *domain_get(unsigned id, struct domain *caller)
{
	if (id == RIVET_DOMID_SELF)
		id = caller->id;
	struct domain *d = NULL;
	spin_lock(&domains_lock);
	if (id < MAX_DOMAINS && domains[id] && domains[id]->state != DOM_DEAD && get_ref(domains[id]))
		d = domains[id];
	spin_unlock(&domains_lock);
	return d;
}

struct domain *domain_get_from(unsigned from, struct rivet_domain_info *freeing)
{
	struct domain *d = NULL;
	freeing->state = 0;
	spin_lock(&domains_lock);
	/* DEAD ones too: listed until their memory is back. */
	for (unsigned id = from; id < MAX_DOMAINS && !d; id++) {
		struct domain *c = domains[id];
		if (!c)
			continue;
		if (get_ref(c)) {
			d = c;
			break;
		}
		/*
		 * Its last reference is gone and domain_free is at work: d itself
		 * stays valid while we hold domains_lock (it leaves the list before
		 * it is freed), its vCPUs may not. Say it is dying, from d alone.
		 */
		*freeing = (struct rivet_domain_info){ .domid = c->id, .state = RIVET_DOMSTATE_DYING,
						       .max_bytes = c->max_bytes, .nr_vcpus = c->nr_vcpus,
						       .flags = c->flags };
		memcpy(freeing->name, c->name, RIVET_NAME_MAX);
		break;
	}
	spin_unlock(&domains_lock);
	return d;
}

void domain_put(struct domain *d)
{
	if (__atomic_sub_fetch(&d->refs, 1, __ATOMIC_SEQ_CST) == 0)
		domain_free(d);
}

int domain_rename(struct domain *d, const char *name)
{
	char padded[RIVET_NAME_LEN] = { 0 };
	size_t len = strnlen(name, RIVET_NAME_LEN);
	if (!len || len == RIVET_NAME_LEN)
		return -RIVET_EINVAL;   /* the caller checked; a name without its NUL is never copied */
	memcpy(padded, name, len);
	/*
	 * d->lock (its state) then domains_lock (the registry), the documented
	 * order. The uniqueness check and the write are one decision under
	 * domains_lock, as domain_register's: no create or rename slips in.
	 */
	int err = 0;
	spin_lock(&d->lock);
	spin_lock(&domains_lock);
	if (d->state == DOM_DEAD)
		err = -RIVET_ENOENT;
	for (unsigned i = 0; i < MAX_DOMAINS && !err; i++) {
		struct domain *o = domains[i];
		if (o && o != d && o->state != DOM_DEAD && !strncmp(o->name, padded, RIVET_NAME_LEN))
			err = -RIVET_EEXIST;
	}
	/* Byte RIVET_NAME_LEN - 1 stays NUL throughout (struct domain's comment). */
	if (!err)
		memcpy(d->name, padded, RIVET_NAME_LEN - 1);
	spin_unlock(&domains_lock);
	spin_unlock(&d->lock);
	return err;
}

void domain_name_copy(struct domain *d, char out[RIVET_NAME_LEN])
{
	spin_lock(&domains_lock);
	memcpy(out, d->name, RIVET_NAME_LEN);
	spin_unlock(&domains_lock);
	out[RIVET_NAME_LEN - 1] = '\0';
}

unsigned domain_next_id(unsigned id, char name[RIVET_NAME_LEN])
{
	unsigned found = 0;
	spin_lock(&domains_lock);
	for (unsigned k = 1; k <= MAX_DOMAINS && !found; k++) {
		struct domain *d = domains[(id + k) % MAX_DOMAINS];
		if (d && d->state != DOM_DEAD) {
			found = d->id;
			if (name)
				memcpy(name, d->name, RIVET_NAME_LEN);
		}
	}
	spin_unlock(&domains_lock);
	return found;
}

/*
 * The one place d->state changes: to `to` if it is one of `from` (a mask of
 * 1 << state). Returns whether it did. Caller holds d->lock.
 */
#define ST(s) (1U << (s))
static bool transition_locked(struct domain *d, unsigned from, enum domain_state to)
{
	if (!(from & ST(d->state)))
		return false;
	d->state = to;
	return true;
}

/*
 * Every vCPU back to reset, vCPU 0 to start at pc. Caller holds d->lock and
 * has made d RUNNING first, so no hart reaps these vCPUs again meanwhile;
 * `reaped` is cleared under each home's lock, where the reaper reads it.
 */
static struct hart *start_vcpu0(struct domain *d, u64 pc, u64 a1)
{
	struct hart *home0 = NULL;
	d->live_vcpus = d->nr_vcpus;
	d->started_vcpus = 1;
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		struct hart *home = vcpu_lock_home(v);
		vcpu_reset(v, i ? 0 : pc, i, i ? 0 : a1);
		v->reaped = false;
		/* Runnable while both locks are held: nothing can destroy d in between. */
		if (!i) {
			v->state = VCPU_RUNNABLE;
			home0 = home;
		}
		spin_unlock(&home->lock);
	}
	return home0;   /* for the caller to kick once it has let go of d->lock */
}

int domain_start(struct domain *d, u64 pc, u64 a1)
{
	/* mem_lock: a MEMORY_RELEASE in progress finishes before a vCPU can run. */
	spin_lock(&d->mem_lock);
	spin_lock(&d->lock);
	if (d->state != DOM_CREATED) {
		spin_unlock(&d->lock);
		spin_unlock(&d->mem_lock);
		return -RIVET_EBUSY;
	}
	/* Checked under mem_lock: a release may free table pages this walk reads. */
	if (!domain_range_is_ram(d, pc, 4)) {
		spin_unlock(&d->lock);
		spin_unlock(&d->mem_lock);
		return -RIVET_EINVAL;
	}
	transition_locked(d, ST(DOM_CREATED), DOM_RUNNING);
	struct hart *home0 = start_vcpu0(d, pc, a1);
	spin_unlock(&d->lock);
	spin_unlock(&d->mem_lock);
	hart_kick(home0);
	return 0;
}

/* Harts that home d's vCPUs, as a mask (gathered before d may go away). */
static u64 home_harts(struct domain *d)
{
	u64 homes = 0;
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		homes |= 1UL << d->vcpus[i]->home->index;
	return homes;
}

static void kick_harts(u64 homes)
{
	for (unsigned i = 0; i < nr_harts; i++)
		if (homes & (1UL << i))
			hart_kick(&harts[i]);
}

/* True while some vCPU of d is loaded on a hart. */
static bool on_a_hart(struct domain *d)
{
	for (unsigned i = 0; i < nr_harts; i++) {
		struct vcpu *cur = harts[i].current;
		if (cur && cur->dom == d)
			return true;
	}
	return false;
}

void domain_pause(struct domain *d, bool pause)
{
	/* mem_lock: an unpause waits for a MEMORY_RELEASE in progress. */
	spin_lock(&d->mem_lock);
	spin_lock(&d->lock);
	d->paused = pause;
	spin_unlock(&d->lock);
	spin_unlock(&d->mem_lock);
	/* Dekker with schedule(): paused is stored, then every hart's current is read. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	kick_harts(home_harts(d));
	/*
	 * Synchronous, as Xen's domain_pause: once this returns, no vCPU of d is
	 * on a hart. A kicked hart reschedules at once and pick() skips paused
	 * domains; the caller (a Dom0 vCPU) is not one of d's, so this ends.
	 */
	while (pause && on_a_hart(d))
		hart_serve_flush(this_hart());   /* a hart we wait for may be waiting for us */
}

bool domain_pause_if_alive(struct domain *d)
{
	spin_lock(&d->lock);
	bool alive = (d->state == DOM_CREATED || d->state == DOM_RUNNING) && !d->paused;
	spin_unlock(&d->lock);
	/* An unpause racing with this is Dom0's own doing; the pause is what the log reports. */
	if (alive)
		domain_pause(d, true);
	return alive;
}

void domain_settle(struct domain *d)
{
	spin_lock(&d->lock);
	bool stopped = d->state != DOM_RUNNING || d->paused;
	spin_unlock(&d->lock);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);   /* as in domain_pause */
	while (stopped && on_a_hart(d))
		hart_serve_flush(this_hart());
}

bool domain_quiescent(struct domain *d)
{
	spin_lock(&d->lock);
	bool q = d->state == DOM_CREATED || d->state == DOM_SHUTDOWN ||
		 (d->state == DOM_RUNNING && d->paused);
	spin_unlock(&d->lock);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);   /* as in domain_pause */
	return q && !on_a_hart(d);
}

static const char *reason_name(enum shutdown_reason r)
{
	switch (r) {
	case SHUTDOWN_POWEROFF: return "powered off";
	case SHUTDOWN_REBOOT:   return "rebooted";
	case SHUTDOWN_CRASH:    return "crashed";
	case SHUTDOWN_WATCHDOG: return "was stopped by its watchdog";
	default:                return "was destroyed";
	}
}

/* With d->lock held: CREATED or RUNNING becomes DYING for `why`; false if it was neither. */
static bool start_dying_locked(struct domain *d, enum shutdown_reason why)
{
	if (!transition_locked(d, ST(DOM_CREATED) | ST(DOM_RUNNING), DOM_DYING))
		return false;
	d->reason = why;
	return true;
}

void domain_shutdown(struct domain *d, enum shutdown_reason why)
{
	spin_lock(&d->lock);
	bool dying = start_dying_locked(d, why);
	spin_unlock(&d->lock);
	/*
	 * Every home hart takes its vCPUs off; the last one applies the on_*
	 * action. The homes are read after DYING is set: a vCPU that moves later
	 * arrives on a hart that reaps it anyway.
	 */
	if (dying)
		kick_harts(home_harts(d));
}

void domain_crash(struct domain *d, const char *cause, u64 addr, u64 pc)
{
	log("domain %u \"%s\" crashed: %s at 0x%lx (pc 0x%lx)", d->id, d->name, cause, addr, pc);
	domain_shutdown(d, SHUTDOWN_CRASH);
}

static void end_machine(struct domain *d0, enum shutdown_reason why);

/* d has just become DEAD (claimed under d->lock by exactly one caller): unregister it. */
static void destroy_now(struct domain *d)
{
	if (d->reason == SHUTDOWN_DESTROY)
		log("domain %u \"%s\" destroyed by Dom0", d->id, d->name);
	else
		log("domain %u \"%s\" %s: destroyed", d->id, d->name, reason_name(d->reason));
	spin_lock(&domains_lock);
	nr_ended[d->reason]++;
	if (dom0 == d)
		dom0 = NULL;
	spin_unlock(&domains_lock);
	/* The registry's reference; domain_free takes it off the list when the last one goes. */
	domain_put(d);
	evtchn_raise_virq(RIVET_VIRQ_DOM_EXC);
	domains_put();
}

int domain_destroy(struct domain *d, bool only_shutdown)
{
	spin_lock(&d->lock);
	enum domain_state st = d->state;
	if (only_shutdown && st != DOM_SHUTDOWN) {
		spin_unlock(&d->lock);
		return st == DOM_DEAD ? -RIVET_ENOENT : -RIVET_EBUSY;
	}
	/* One decision under the lock: a guest's own shutdown cannot slip in between. */
	bool now = transition_locked(d, ST(DOM_SHUTDOWN), DOM_DEAD);
	bool dying = !now && start_dying_locked(d, SHUTDOWN_DESTROY);
	if (now || st == DOM_DYING)
		d->reason = SHUTDOWN_DESTROY;   /* a dying domain is destroyed once its vCPUs are off */
	spin_unlock(&d->lock);
	if (now)
		destroy_now(d);
	else if (dying)
		kick_harts(home_harts(d));
	else if (st == DOM_DEAD)
		return -RIVET_ENOENT;
	return 0;
}

/* What the last vCPU's going off leads to, decided under d->lock. */
enum after_off { OFF_DESTROY, OFF_SHUTDOWN, OFF_RESTART, OFF_MACHINE };

void domain_vcpu_off(struct domain *d)
{
	if (__atomic_sub_fetch(&d->live_vcpus, 1, __ATOMIC_SEQ_CST) != 0)
		return;
	domain_console_flush(d);
	/* Before it can become DEAD: a device model whose IOREQ_DESTROY finds no domain may free its page. */
	ioreq_teardown(d);
	dom0_devices_detach(d);

	enum after_off next;
	spin_lock(&d->lock);
	enum shutdown_reason why = d->reason;
	u8 action = why == SHUTDOWN_POWEROFF ? d->on_poweroff :
		    why == SHUTDOWN_REBOOT ? d->on_reboot : d->on_crash;   /* a watchdog's too: boot
		                                                               images have no on_watchdog */
	if (d->flags & RIVET_DOMF_PRIVILEGED)
		next = OFF_MACHINE;   /* as in Xen: Dom0's end is the machine's */
	else if (why == SHUTDOWN_DESTROY)
		next = OFF_DESTROY;
	else if (!d->boot)
		next = OFF_SHUTDOWN;  /* built by Dom0's toolstack: it carries out on_* */
	else
		next = action == RIVET_ACTION_RESTART ? OFF_RESTART : OFF_DESTROY;
	if (next == OFF_DESTROY || next == OFF_MACHINE)
		transition_locked(d, ST(DOM_DYING), DOM_DEAD);
	else if (next == OFF_SHUTDOWN)
		transition_locked(d, ST(DOM_DYING), DOM_SHUTDOWN);
	/* OFF_RESTART: it stays DYING while the images reload. */
	/* Once SHUTDOWN, Dom0 may destroy and free d at any moment: what the log needs, now. */
	unsigned id = d->id;
	char name[RIVET_NAME_LEN];
	memcpy(name, d->name, sizeof(name));
	spin_unlock(&d->lock);

	switch (next) {
	case OFF_MACHINE:
		end_machine(d, why);
		return;
	case OFF_DESTROY:
		destroy_now(d);
		return;
	case OFF_SHUTDOWN:
		log("domain %u \"%s\" %s", id, name, reason_name(why));
		evtchn_raise_virq(RIVET_VIRQ_DOM_EXC);
		return;
	case OFF_RESTART:
		break;
	}
	d->restarts++;
	log("domain %u \"%s\" %s: restarting it (restart %u)", d->id, d->name, reason_name(why),
	    d->restarts);
	bool reloaded = domain_boot_reload(d);
	if (!reloaded)
		log("domain %u \"%s\": %s; destroying it", d->id, d->name,
		    d->nr_fmaps ? "Dom0 still maps its memory" : "its images no longer fit");
	spin_lock(&d->lock);
	/* A destroy that came meanwhile wins. */
	bool again = reloaded && d->reason != SHUTDOWN_DESTROY;
	struct hart *home0 = NULL;
	if (again) {
		transition_locked(d, ST(DOM_DYING), DOM_RUNNING);
		d->start_ticks = time_now();   /* a new life: its uptime starts again */
		home0 = start_vcpu0(d, d->boot->entry_gpa, d->boot->dtb_gpa);
	} else {
		transition_locked(d, ST(DOM_DYING), DOM_DEAD);
	}
	spin_unlock(&d->lock);
	/* From here d may be destroyed and freed by others: only the hart is touched. */
	if (again)
		hart_kick(home0);
	else
		destroy_now(d);
}

/*
 * Dom0 powered off, rebooted or crashed: every other domain is destroyed and
 * the machine powers off (or resets, for a reboot) once they are gone.
 */
static void end_machine(struct domain *d0, enum shutdown_reason why)
{
	unsigned n = 0;
	spin_lock(&domains_lock);
	machine_reboot = why == SHUTDOWN_REBOOT;
	for (unsigned id = 0; id < MAX_DOMAINS; id++)
		n += domains[id] && domains[id] != d0 && domains[id]->state != DOM_DEAD;
	spin_unlock(&domains_lock);
	log("Dom0 %s: destroying %u other domain%s, then %s the machine", reason_name(why), n,
	    n == 1 ? "" : "s", why == SHUTDOWN_REBOOT ? "resetting" : "powering off");
	for (unsigned id = 1; id < MAX_DOMAINS; id++) {
		struct domain *o = domain_get(id, NULL);
		if (!o)
			continue;
		if (o != d0)
			domain_destroy(o, false);
		domain_put(o);
	}
	destroy_now(d0);
}

/* nr_alive counts live domains plus, while boot creates domains, one boot hold. */
void domains_hold(void)
{
	spin_lock(&domains_lock);
	nr_alive++;
	spin_unlock(&domains_lock);
}

void domains_put(void)
{
	spin_lock(&domains_lock);
	unsigned left = --nr_alive;
	spin_unlock(&domains_lock);
	if (left)
		return;
	log("all domains ended: %u powered off, %u crashed, %u rebooted, %u destroyed, %u by a watchdog; %s",
	    nr_ended[SHUTDOWN_POWEROFF], nr_ended[SHUTDOWN_CRASH], nr_ended[SHUTDOWN_REBOOT],
	    nr_ended[SHUTDOWN_DESTROY], nr_ended[SHUTDOWN_WATCHDOG],
	    machine_reboot ? "resetting" : "powering off");
	if (machine_reboot)
		fw_reboot();
	fw_shutdown();
	for (;;)
		wfi();
}

/* Dom0 prints straight to the UART, as Xen's does; others get their name as prefix. */
static const char *console_prefix(struct domain *d)
{
	return (d->flags & RIVET_DOMF_PRIVILEGED) ? NULL : d->name;
}

void domain_console_flush(struct domain *d)
{
	spin_lock(&d->con_lock);
	if (d->con_len) {
		d->con_line[d->con_len] = 0;
		console_domain_text(d, console_prefix(d), d->con_line, false);
		d->con_len = 0;
	}
	spin_unlock(&d->con_lock);
}

void domain_console_putc(struct domain *d, char c)
{
	spin_lock(&d->con_lock);
	if (dom0 && d != dom0) {
		/* Dom0 reads it (CONSOLE_READ); when it falls behind, the oldest bytes go. */
		bool was_empty = d->ring_head == d->ring_tail;
		d->ring[d->ring_head++ % CONSOLE_RING_SIZE] = c;
		if (d->ring_head - d->ring_tail > CONSOLE_RING_SIZE)
			d->ring_tail = d->ring_head - CONSOLE_RING_SIZE;
		spin_unlock(&d->con_lock);
		/* Dom0's console daemon drains the ring on each event: an edge is enough. */
		if (was_empty)
			evtchn_raise_virq(RIVET_VIRQ_CONSOLE);
		return;
	}
	/* The line is handed on as a C string: a NUL would cut off what follows it. */
	if (c == '\r' || c == '\0') {
		spin_unlock(&d->con_lock);
		return;
	}
	if (c != '\n')
		d->con_line[d->con_len++] = c;
	if (c == '\n' || d->con_len == CONSOLE_LINE_MAX - 1) {
		d->con_line[d->con_len] = 0;
		console_domain_text(d, console_prefix(d), d->con_line, c == '\n');
		d->con_len = 0;
	}
	spin_unlock(&d->con_lock);
}

u64 domain_console_read(struct domain *d, char *buf, u64 len)
{
	u64 n = 0;
	spin_lock(&d->con_lock);
	while (n < len && d->ring_tail != d->ring_head)
		buf[n++] = d->ring[d->ring_tail++ % CONSOLE_RING_SIZE];
	spin_unlock(&d->con_lock);
	return n;
}
