/* SPDX-License-Identifier: MIT */
/* consoled_dump.c: the state of the cores being written for on_* = coredump-* (consoled_dump.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "consoled_dump.h"

void consoled_dumps_init(struct consoled_dumps *t)
{
	memset(t, 0, sizeof *t);
	for (unsigned i = 0; i < CONSOLED_MAX_DUMPS; i++)
		t->v[i].fd = -1;
}

static int same_life(uint32_t domid, uint64_t start_ns, const char *name, const struct rivet_domain_info *info)
{
	if (domid != info->domid)
		return 0;
	/*
	 * The creation time tells a life (a rename keeps it; a reused id, even
	 * under the same name, has another); without one (ABI < 1.3), the name.
	 */
	if (start_ns && info->start_ns)
		return start_ns == info->start_ns;
	return !strncmp(name, info->name, RIVET_NAME_MAX);
}

static int same_domain(const struct consoled_dump *d, const struct rivet_domain_info *info)
{
	return d->state != CONSOLED_DUMP_FREE && same_life(d->domid, d->start_ns, d->name, info);
}

static struct consoled_dump_wait *wait_of(struct consoled_dumps *t, const struct rivet_domain_info *info)
{
	for (unsigned i = 0; i < CONSOLED_MAX_WAITING; i++) {
		struct consoled_dump_wait *w = &t->waiting[i];

		if (w->used && same_life(w->domid, w->start_ns, w->name, info))
			return w;
	}
	return NULL;
}

int consoled_dump_wait_said(struct consoled_dumps *t, const struct rivet_domain_info *info)
{
	if (wait_of(t, info))
		return 0;
	for (unsigned i = 0; i < CONSOLED_MAX_WAITING; i++) {
		struct consoled_dump_wait *w = &t->waiting[i];

		if (w->used)
			continue;
		w->used = 1;
		w->domid = info->domid;
		w->start_ns = info->start_ns;
		memcpy(w->name, info->name, sizeof w->name);
		w->name[sizeof w->name - 1] = '\0';
		return 1;
	}
	return 1;
}

struct consoled_dump *consoled_dump_of(struct consoled_dumps *t, const struct rivet_domain_info *info)
{
	for (unsigned i = 0; i < CONSOLED_MAX_DUMPS; i++)
		if (same_domain(&t->v[i], info))
			return &t->v[i];
	return NULL;
}

enum consoled_dump_gate consoled_dump_gate(const struct consoled_dumps *t,
					   const struct rivet_domain_info *info)
{
	int room = 0;

	for (unsigned i = 0; i < CONSOLED_MAX_DUMPS; i++) {
		const struct consoled_dump *d = &t->v[i];

		if (same_domain(d, info))
			return d->state == CONSOLED_DUMP_WRITING ? CONSOLED_DUMP_WAIT : CONSOLED_DUMP_ACT;
		room |= d->state == CONSOLED_DUMP_FREE;
	}
	return room ? CONSOLED_DUMP_START : CONSOLED_DUMP_BUSY;
}

struct consoled_dump *consoled_dump_by_pid(struct consoled_dumps *t, int pid)
{
	for (unsigned i = 0; i < CONSOLED_MAX_DUMPS; i++)
		if (t->v[i].state == CONSOLED_DUMP_WRITING && t->v[i].pid == pid)
			return &t->v[i];
	return NULL;
}

struct consoled_dump *consoled_dump_add(struct consoled_dumps *t, const struct rivet_domain_info *info,
					int pid, int fd, const char *path, uint64_t now_ms)
{
	struct consoled_dump_wait *w = wait_of(t, info);

	if (w)
		memset(w, 0, sizeof *w);   /* it waits no more */
	for (unsigned i = 0; i < CONSOLED_MAX_DUMPS; i++) {
		struct consoled_dump *d = &t->v[i];

		if (d->state != CONSOLED_DUMP_FREE)
			continue;
		memset(d, 0, sizeof *d);
		d->state = CONSOLED_DUMP_WRITING;
		d->pid = pid;
		d->fd = fd;
		d->domid = info->domid;
		d->start_ns = info->start_ns;
		memcpy(d->name, info->name, sizeof d->name);
		d->name[sizeof d->name - 1] = '\0';
		snprintf(d->path, sizeof d->path, "%s", path);
		d->deadline_ms = now_ms + CONSOLED_DUMP_DEADLINE_MS;
		return d;
	}
	return NULL;
}

struct consoled_dump *consoled_dump_overdue(struct consoled_dumps *t, uint64_t now_ms)
{
	for (unsigned i = 0; i < CONSOLED_MAX_DUMPS; i++) {
		struct consoled_dump *d = &t->v[i];

		if (d->state == CONSOLED_DUMP_WRITING && !d->killed && now_ms >= d->deadline_ms)
			return d;
	}
	return NULL;
}

uint64_t consoled_dumps_next_deadline(const struct consoled_dumps *t)
{
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < CONSOLED_MAX_DUMPS; i++) {
		const struct consoled_dump *d = &t->v[i];

		if (d->state == CONSOLED_DUMP_WRITING && !d->killed && d->deadline_ms < next)
			next = d->deadline_ms;
	}
	return next;
}

void consoled_dump_forget(struct consoled_dump *d)
{
	memset(d, 0, sizeof *d);
	d->fd = -1;
}

unsigned consoled_dumps_sweep(struct consoled_dumps *t, const struct rivet_domain_info *ds, unsigned n)
{
	unsigned gone = 0;

	for (unsigned i = 0; i < CONSOLED_MAX_DUMPS; i++) {
		struct consoled_dump *d = &t->v[i];
		int alive = 0;

		if (d->state != CONSOLED_DUMP_DONE)
			continue;
		for (unsigned k = 0; k < n && !alive; k++)
			alive = same_domain(d, &ds[k]) && (ds[k].state & RIVET_DOMSTATE_SHUTDOWN) &&
				!(ds[k].state & RIVET_DOMSTATE_DYING);
		if (!alive) {
			consoled_dump_forget(d);
			gone++;
		}
	}
	for (unsigned i = 0; i < CONSOLED_MAX_WAITING; i++) {
		struct consoled_dump_wait *w = &t->waiting[i];
		int waits = 0;

		for (unsigned k = 0; k < n && w->used && !waits; k++)
			waits = same_life(w->domid, w->start_ns, w->name, &ds[k]) &&
				(ds[k].state & RIVET_DOMSTATE_SHUTDOWN) && !(ds[k].state & RIVET_DOMSTATE_DYING);
		if (!waits)
			memset(w, 0, sizeof *w);
	}
	return gone;
}

enum consoled_dump_end consoled_dump_outcome(const struct consoled_dump *d, int status,
					     const struct consoled_dump_report *rep, size_t got, int exiting,
					     char *line, size_t size, int *remove)
{
	int whole = got == sizeof *rep;
	char lacks[96] = "", partial[CONSOLED_DUMP_PATH + 16];

	*remove = 0;
	if (whole && rep->ok && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		const struct xl_dump_result *r = &rep->res;

		if (r->ram_incomplete)
			snprintf(lacks, sizeof lacks, "; INCOMPLETE: %llu KiB of RAM could not be mapped",
				 (unsigned long long)(r->ram_missing_bytes >> 10));
		snprintf(line, size, "domain %u '%s': core dumped to %s (%llu MiB of RAM, %u vCPU%s, "
			 "%u kernel mappings%s)%s", d->domid, d->name, d->path,
			 (unsigned long long)(r->ram_bytes >> 20), r->nr_vcpus, r->nr_vcpus == 1 ? "" : "s",
			 r->nr_vsegs, r->walk_truncated ? ", page table cut short" : "", lacks);
		return CONSOLED_DUMP_COMPLETE;
	}
	if (whole && !rep->ok && WIFEXITED(status)) {
		/* The writer said why, and left no file (xl_dump_core removes a partial one). */
		char why[sizeof rep->why];

		memcpy(why, rep->why, sizeof why);
		why[sizeof why - 1] = '\0';
		snprintf(line, size, "domain %u '%s': core dump failed: %s", d->domid, d->name, why);
		return CONSOLED_DUMP_FAILED;
	}
	*remove = 1;
	if (xl_dump_partial_path(d->path, partial, sizeof partial) < 0)
		snprintf(partial, sizeof partial, "file");
	if (WIFSIGNALED(status) && exiting && !d->killed) {
		snprintf(line, size, "domain %u '%s': core dump stopped (rivet-consoled exits): its writer "
			 "(pid %d) ended by signal %d (%s); the partial %s is removed; it stays shut down, the "
			 "next rivet-consoled writes its core and carries out its on_*", d->domid, d->name,
			 d->pid, WTERMSIG(status), strsignal(WTERMSIG(status)), partial);
		return CONSOLED_DUMP_STOPPED;
	}
	if (WIFSIGNALED(status) && d->killed && WTERMSIG(status) == SIGKILL)
		snprintf(line, size, "domain %u '%s': core dump failed: its writer (pid %d) did not finish "
			 "within %d s and was killed; the partial %s is removed", d->domid, d->name, d->pid,
			 CONSOLED_DUMP_DEADLINE_MS / 1000, partial);
	else if (WIFSIGNALED(status))
		snprintf(line, size, "domain %u '%s': core dump failed: its writer (pid %d) was killed by "
			 "signal %d (%s); the partial %s is removed", d->domid, d->name, d->pid,
			 WTERMSIG(status), strsignal(WTERMSIG(status)), partial);
	else
		snprintf(line, size, "domain %u '%s': core dump failed: its writer (pid %d) exited with "
			 "status %d without a report; the partial %s is removed", d->domid, d->name, d->pid,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1, partial);
	return CONSOLED_DUMP_FAILED;
}
