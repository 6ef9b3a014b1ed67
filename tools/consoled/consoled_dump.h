/* SPDX-License-Identifier: MIT */
/*
 * consoled_dump.h: the cores rivet-consoled writes for on_* = coredump-*,
 * one child process each, so that its loop keeps serving consoles, logs and
 * other domains' on_* meanwhile. This is the per-domain state of that
 * action; the fork, the pipe and waitpid are consoled.c's. Pure: host tests
 * drive it.
 *
 * A domain whose on_* dumps goes NONE (no entry) -> WRITING (a child
 * writes its core; the domain stays shut down, not destroyed) -> DONE (the
 * child is reaped, however it ended: the action may go on) -> NONE (the
 * action is carried out, or the domain went meanwhile).
 */
#ifndef RIVET_CONSOLED_DUMP_H
#define RIVET_CONSOLED_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "xl.h"

#define CONSOLED_MAX_DUMPS   16          /* cores written at once; more wait for a slot */
#define CONSOLED_MAX_WAITING 64          /* domains whose wait for a slot was said */
#define CONSOLED_DUMP_PATH   600
/* A writer still there after this is killed (and its dump counts as failed): a hung map must not hold the action forever. */
#define CONSOLED_DUMP_DEADLINE_MS (10 * 60 * 1000)

enum consoled_dump_state {
	CONSOLED_DUMP_FREE,
	CONSOLED_DUMP_WRITING,
	CONSOLED_DUMP_DONE,
};

struct consoled_dump {
	enum consoled_dump_state state;
	int pid;                             /* WRITING: the child writing it */
	int fd;                              /* WRITING: the read end of its report pipe, else -1 */
	uint32_t domid;
	uint64_t start_ns;                   /* with the name: tells another domain of that id */
	char name[RIVET_NAME_MAX];
	char path[CONSOLED_DUMP_PATH];       /* the final name (the child writes PATH.partial first) */
	uint64_t deadline_ms;                /* WRITING: killed if still there then (CLOCK_MONOTONIC) */
	int killed;                          /* WRITING: SIGKILLed at its deadline */
};

/* A domain whose core waits for a free slot (BUSY), said once. */
struct consoled_dump_wait {
	int used;
	uint32_t domid;
	uint64_t start_ns;
	char name[RIVET_NAME_MAX];
};

struct consoled_dumps {
	struct consoled_dump v[CONSOLED_MAX_DUMPS];
	struct consoled_dump_wait waiting[CONSOLED_MAX_WAITING];
};

/*
 * What the child tells the daemon, in one write to an empty pipe before it
 * exits (smaller than PIPE_BUF, so whole or not at all).
 */
struct consoled_dump_report {
	int32_t ok;                          /* 1: the core is complete at the path */
	struct xl_dump_result res;
	char why[256];                       /* !ok: why not */
};

void consoled_dumps_init(struct consoled_dumps *t);

/* What domain_exceptions does with a shut-down domain whose on_* dumps. */
enum consoled_dump_gate {
	CONSOLED_DUMP_START,                 /* no core yet: start a child */
	CONSOLED_DUMP_WAIT,                  /* its child still writes: leave the domain as it is */
	CONSOLED_DUMP_ACT,                   /* its child ended: carry out the action */
	CONSOLED_DUMP_BUSY,                  /* no core yet and no free slot: try on a later event */
};
enum consoled_dump_gate consoled_dump_gate(const struct consoled_dumps *t,
					   const struct rivet_domain_info *info);

/* INFO's entry (same id and creation time: the same life, renamed or not), or NULL. */
struct consoled_dump *consoled_dump_of(struct consoled_dumps *t, const struct rivet_domain_info *info);
/* The entry whose child is PID, or NULL. */
struct consoled_dump *consoled_dump_by_pid(struct consoled_dumps *t, int pid);
/*
 * A free slot made WRITING for INFO's core at PATH by child PID (report on
 * FD), due by NOW_MS + CONSOLED_DUMP_DEADLINE_MS; NULL if none is free.
 */
struct consoled_dump *consoled_dump_add(struct consoled_dumps *t, const struct rivet_domain_info *info,
					int pid, int fd, const char *path, uint64_t now_ms);
/* A WRITING entry past its deadline and not killed yet (NOW_MS), or NULL. */
struct consoled_dump *consoled_dump_overdue(struct consoled_dumps *t, uint64_t now_ms);
/* The earliest deadline of a writer not killed yet; UINT64_MAX if none. */
uint64_t consoled_dumps_next_deadline(const struct consoled_dumps *t);
/*
 * INFO's core waits for a slot (BUSY): 1 the first time for this life of
 * it (the wait is to be said), 0 after. Forgotten when its core starts or
 * it is swept; with no room left to remember it, 1 every time.
 */
int consoled_dump_wait_said(struct consoled_dumps *t, const struct rivet_domain_info *info);
/* Back to FREE (its fd is the caller's to have closed). */
void consoled_dump_forget(struct consoled_dump *d);
/*
 * Forgets the DONE entries of domains not in DS as shut down any more (xl
 * destroy, or an action carried out elsewhere); WRITING ones wait for their
 * child. Returns how many. Waits said (consoled_dump_wait_said) of such
 * domains are forgotten too.
 */
unsigned consoled_dumps_sweep(struct consoled_dumps *t, const struct rivet_domain_info *ds, unsigned n);

/* How a writer ended (consoled_dump_outcome). */
enum consoled_dump_end {
	CONSOLED_DUMP_FAILED = 0,            /* no core: the action goes on without one */
	CONSOLED_DUMP_COMPLETE = 1,          /* the core is at D->path: the action goes on */
	CONSOLED_DUMP_STOPPED = 2,           /* killed while the daemon exits: no action, the next daemon dumps */
};

/*
 * The end of D's child: STATUS from waitpid, REP the GOT bytes read from its
 * pipe, EXITING set once the daemon is told to exit (SIGTERM/SIGINT). Writes
 * the line for the daemon's log into LINE ("domain 3 'web': core dumped to
 * ..." or "... core dump failed: ...") and says how it ended; *REMOVE is
 * set when a partial file may be left at D->path's .partial name (the child
 * did not end by itself) and the caller must remove it. A writer killed by
 * a signal while the daemon exits was stopped with it (the signal may have
 * been meant for the daemon's whole group): that is no failed dump.
 */
enum consoled_dump_end consoled_dump_outcome(const struct consoled_dump *d, int status,
					     const struct consoled_dump_report *rep, size_t got, int exiting,
					     char *line, size_t size, int *remove);

#endif
