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

static int same_domain(const struct consoled_dump *d, const struct rivet_domain_info *info)
{
	if (d->state == CONSOLED_DUMP_FREE || d->domid != info->domid)
		return 0;
	/*
	 * The creation time tells a life (a rename keeps it; a reused id, even
	 * under the same name, has another); without one (ABI < 1.3), the name.
	 */
	if (d->start_ns && info->start_ns)
		return d->start_ns == info->start_ns;
	return !strncmp(d->name, info->name, RIVET_NAME_MAX);
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
					int pid, int fd, const char *path)
{
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
		return d;
	}
	return NULL;
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
	return gone;
}

int consoled_dump_outcome(const struct consoled_dump *d, int status, const struct consoled_dump_report *rep,
			  size_t got, char *line, size_t size, int *remove)
{
	int whole = got == sizeof *rep;
	char lacks[96] = "";

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
		return 1;
	}
	if (whole && !rep->ok && WIFEXITED(status)) {
		/* The writer said why, and left no file (xl_dump_core removes a partial one). */
		char why[sizeof rep->why];

		memcpy(why, rep->why, sizeof why);
		why[sizeof why - 1] = '\0';
		snprintf(line, size, "domain %u '%s': core dump failed: %s", d->domid, d->name, why);
		return 0;
	}
	*remove = 1;
	if (WIFSIGNALED(status))
		snprintf(line, size, "domain %u '%s': core dump failed: its writer (pid %d) was killed by "
			 "signal %d (%s); the partial %s is removed", d->domid, d->name, d->pid,
			 WTERMSIG(status), strsignal(WTERMSIG(status)), d->path);
	else
		snprintf(line, size, "domain %u '%s': core dump failed: its writer (pid %d) exited with "
			 "status %d without a report; the partial %s is removed", d->domid, d->name, d->pid,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1, d->path);
	return 0;
}
