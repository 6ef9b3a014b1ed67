/* SPDX-License-Identifier: MIT */
/*
 * consoled.c: rivet-consoled, Dom0's console daemon. It sleeps in poll() on
 * two event channels (VIRQ_CONSOLE, VIRQ_DOM_EXC), its unix socket, its
 * clients and a signalfd; it only wakes on a timer while a domain's ring
 * still holds output it has not read (held back by the rate limit, or left
 * by the per-event read bound). A console event drains every DomU's console ring into
 * /var/log/rivet/console/NAME.log (capped and rotated) and to the clients
 * attached to it; a DOM_EXC event carries out on_poweroff/on_reboot/on_crash
 * for domains that shut down, from the records `xl create` leaves in
 * /run/rivet/domains/. At start it does both for what happened while it was
 * not running. A core for on_* = coredump-* is written by a child process
 * (consoled_dump.h), so that the loop keeps serving meanwhile; SIGCHLD ends
 * that domain's wait.
 */
#define _GNU_SOURCE   /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "consoled_dump.h"
#include "consoled_log.h"
#include "consoled_proto.h"
#include "consoled_rate.h"
#include "consoled_util.h"

#define MAX_DOMS    256
#define MAX_CLIENTS 64
#define LINE_MAX_ATTACH 64
#define READ_CHUNK  512                  /* CONSOLE_READ's most per call */
#define DRAIN_READS 16                   /* one event reads at most the ring's 8 KiB */
#define LOG_SIZE_DEFAULT (1u << 20)
#define FLOOD_SAY_MS 60000               /* a flooding domain is named once a minute at most */

struct dom {
	int used, seen;
	uint32_t domid;
	char name[RIVET_NAME_MAX];
	uint64_t start_ns;                   /* its creation (ABI 1.3; 0 before): tells a rename */
	struct conlog log;                   /* log.fd < 0: output goes to clients only */
	int log_failing;                     /* said once until a write works again */
	struct conrate rate;
	uint64_t flood_said_ms;              /* last flood message; 0: none */
	unsigned long floods_unsaid;         /* floods since then */
	int flood_open;                      /* its start was said, its end not yet */
	/*
	 * Its ring may still hold output. The microvisor signals only when a
	 * ring goes from empty to not empty, so such a ring gets no new event:
	 * the main loop reads it again itself.
	 */
	int backlog;
	/* Each console's own last output (ALL's is the log's tail): since the daemon started. */
	struct consoled_tail tail[CONSOLED_NR_CON];
};

struct client {
	int fd;
	int attached;
	int source;                          /* a device model's console (SOURCE), not a viewer */
	enum consoled_con con;               /* the console it is (source) or watches (viewer) */
	uint32_t domid;
	size_t len;
	char line[LINE_MAX_ATTACH];
};

static xc_handle *xch;
static struct dom doms[MAX_DOMS];
/* The cores being written (on_* = coredump-*): the pending action of those domains. */
static struct consoled_dumps dumps;
#define DUMP_REPORT_FD 3                 /* in a core's writer: its report pipe */
static int exiting;                      /* SIGTERM/SIGINT (or a fatal error): no new core is started */
static void reap(void);
static struct client clients[MAX_CLIENTS];

/*
 * Device models told to stop (SIGTERM), killed if still there at their
 * deadline; their domain's taps go once they are gone (they hold them).
 */
static struct dm_kill {
	int pid;
	uint32_t domid;
	uint64_t deadline_ms;
	int killed;
	unsigned nr_vifs;
	struct xl_vif vifs[XL_MAX_VIFS];
} dm_kills[MAX_DOMS];
static const char *log_dir = "/var/log/rivet";
static const char *xl_path = "xl";
static uint64_t log_cap = LOG_SIZE_DEFAULT;          /* --log-size; 0: no cap */
static unsigned rate_limit = CONRATE_LIMIT;           /* --rate-limit; 0: none */
static unsigned rate_period = CONRATE_PERIOD_MS;      /* --rate-period */
static int foreground;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	fprintf(stderr, "%s rivet-consoled: ", stamp);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	/* Coarse: tick resolution is plenty for 200 ms periods, and it reads no counter CSR. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void mkdirs(const char *path)
{
	char buf[512], *p;

	snprintf(buf, sizeof buf, "%s", path);
	for (p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	mkdir(buf, 0755);
}

static void send_client(struct client *c, const void *buf, size_t len)
{
	/* Non-blocking: a client that cannot keep up loses output, the daemon never waits. */
	(void)send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void client_close(struct client *c)
{
	close(c->fd);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

static struct dom *dom_find(uint32_t domid)
{
	unsigned i;

	for (i = 0; i < MAX_DOMS; i++)
		if (doms[i].used && doms[i].domid == domid)
			return &doms[i];
	return NULL;
}

/* Output of DOMID's console CON to the clients watching it or all of DOMID's (never to a source). */
static void fanout(uint32_t domid, enum consoled_con con, const void *buf, size_t n)
{
	unsigned i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0 && clients[i].attached && !clients[i].source &&
		    clients[i].domid == domid && (clients[i].con == CONSOLED_CON_ALL || clients[i].con == con))
			send_client(&clients[i], buf, n);
}

static struct client *source_of(uint32_t domid, enum consoled_con con)
{
	unsigned i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0 && clients[i].source && clients[i].domid == domid &&
		    clients[i].con == con)
			return &clients[i];
	return NULL;
}

static void log_path(const struct rivet_domain_info *info, char *path, size_t size)
{
	char name[RIVET_NAME_MAX + 16];

	consoled_log_name(info->name, info->domid, name, sizeof name);
	snprintf(path, size, "%s/console/%s.log", log_dir, name);
}

static struct dom *dom_add(const struct rivet_domain_info *info)
{
	char path[600], why[REASON_MAX];
	struct dom *d;
	unsigned i;

	for (i = 0; i < MAX_DOMS && doms[i].used; i++)
		;
	if (i == MAX_DOMS)
		return NULL;
	d = &doms[i];
	memset(d, 0, sizeof *d);
	d->used = d->seen = 1;
	d->domid = info->domid;
	memcpy(d->name, info->name, RIVET_NAME_MAX);
	d->start_ns = info->start_ns;
	log_path(info, path, sizeof path);
	/* An existing log is continued: the domain may have run before we (re)started. */
	if (conlog_open(&d->log, path, why) < 0)
		say("%s (domain %u's output goes to clients only)", why, info->domid);
	return d;
}

static void deliver(struct dom *d, enum consoled_con con, const char *buf, size_t n);

/* What a source already sent when its domain goes (a crash's last words): bounded, never waits. */
#define SOURCE_LAST_READS 16
static void source_last_words(struct dom *d, struct client *c)
{
	char buf[CONSOLED_SOURCE_CHUNK];
	for (unsigned k = 0; k < SOURCE_LAST_READS; k++) {
		ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n <= 0)
			return;
		deliver(d, c->con, buf, (size_t)n);
	}
}

static void dom_drop(struct dom *d)
{
	unsigned i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0 && clients[i].attached && clients[i].domid == d->domid) {
			if (clients[i].source)
				source_last_words(d, &clients[i]);
			client_close(&clients[i]);
		}
	conlog_close(&d->log);
	memset(d, 0, sizeof *d);
	d->log.fd = -1;
}

/*
 * xl rename: its clients and sources stay, and its log follows the name:
 * OLD.log becomes NEW.log (history and backlog kept), unless a NEW.log
 * exists already (an earlier domain of that name): then output goes on
 * there and OLD.log stays as it is.
 */
static void dom_rename(struct dom *d, const struct rivet_domain_info *info)
{
	char path[600], why[REASON_MAX];
	const char *how = "continues in";

	log_path(info, path, sizeof path);
	/* link() never replaces an existing NEW.log, as rename() would. */
	if (d->log.path && link(d->log.path, path) == 0) {
		if (unlink(d->log.path) < 0)
			say("domain %u: cannot remove %s: %s", d->domid, d->log.path, strerror(errno));
		how = "moved to";
	} else if (d->log.path && errno != EEXIST) {
		say("domain %u: cannot move %s to %s: %s", d->domid, d->log.path, path, strerror(errno));
	}
	say("domain %u '%s' renamed '%s': its console log %s %s", d->domid, d->name, info->name, how, path);
	memcpy(d->name, info->name, RIVET_NAME_MAX);
	conlog_close(&d->log);
	d->log_failing = 0;
	if (conlog_open(&d->log, path, why) < 0)
		say("%s (domain %u's output goes to clients only)", why, d->domid);
}

static void flood_started(struct dom *d, uint64_t now)
{
	if (d->flood_said_ms && now - d->flood_said_ms < FLOOD_SAY_MS) {
		d->floods_unsaid++;
		return;
	}
	say("domain %u '%s': console output over %u reads in %u ms; read at that rate, its ring "
	    "drops the oldest bytes meanwhile (%lu more floods since the last message)",
	    d->domid, d->name, rate_limit, rate_period, d->floods_unsaid);
	d->flood_said_ms = now;
	d->floods_unsaid = 0;
	d->flood_open = 1;
}

/* Output of a domain's console CON, from its ring or its source: to its log and its clients. */
static void deliver(struct dom *d, enum consoled_con con, const char *buf, size_t n)
{
	char why[REASON_MAX];

	if (d->log.fd >= 0) {
		if (conlog_write(&d->log, buf, n, log_cap, why) < 0) {
			if (!d->log_failing)
				say("domain %u: %s", d->domid, why);
			d->log_failing = 1;
		} else {
			d->log_failing = 0;
		}
	}
	consoled_tail_put(&d->tail[con], buf, n);
	fanout(d->domid, con, buf, n);
}

/*
 * Reads one domain's ring to the log and its clients: DRAIN_READS reads at
 * most, so one chatty domain cannot starve the others (the next event or
 * the rate timer resumes it). FORCE: its last words, before it is destroyed.
 */
static void drain(struct dom *d, int force)
{
	char buf[READ_CHUNK];
	unsigned long over = 0;
	uint64_t now = now_ms();
	unsigned rounds;
	int got = 0;
	long n;

	if (!force && !conrate_may_read(&d->rate, now, rate_limit, rate_period, &over)) {
		d->backlog = 1;   /* read when its period ends */
		return;
	}
	if (over && d->flood_open) {
		say("domain %u '%s': console flood over (held back in %lu periods in a row)",
		    d->domid, d->name, over);
		d->flood_open = 0;
	}
	d->backlog = 0;
	for (rounds = 0; rounds < DRAIN_READS && (n = xc_console_read(xch, d->domid, buf, sizeof buf)) > 0;
	     rounds++) {
		d->backlog = rounds + 1 == DRAIN_READS;   /* stopped by the bound, not by an empty ring */
		got = 1;
		deliver(d, CONSOLED_CON_SBI, buf, (size_t)n);
	}
	if (got && !force && conrate_count(&d->rate, rate_limit) && d->rate.flood == 1)
		flood_started(d, now);
}

/* When a domain with a backlog may be read again: now, or when its rate period ends. */
static uint64_t resume_at(const struct dom *d, uint64_t now)
{
	if (conrate_held(&d->rate, rate_limit))
		return conrate_resume_ms(&d->rate, rate_period);
	return now;
}

/* Reads the domains whose rings may hold more, once the rate limit lets them. */
static void drain_held(void)
{
	uint64_t now = now_ms();
	unsigned i;

	for (i = 0; i < MAX_DOMS; i++)
		if (doms[i].used && doms[i].backlog && resume_at(&doms[i], now) <= now)
			drain(&doms[i], 0);
}

/* poll()'s timeout: -1 (none) unless a domain has a backlog. */
static int poll_timeout(void)
{
	uint64_t now = now_ms(), next = UINT64_MAX, t;
	unsigned i;

	for (i = 0; i < MAX_DOMS; i++) {
		if (doms[i].used && doms[i].backlog) {
			t = resume_at(&doms[i], now);
			if (t < next)
				next = t;
		}
		/* Checked every 100 ms: a device model usually goes well before its deadline. */
		if (dm_kills[i].pid && now + 100 < next)
			next = now + 100;
	}
	t = consoled_dumps_next_deadline(&dumps);
	if (t < next)
		next = t;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now < 1000 ? next - now : 1000);
}

/* Reads every DomU's console; learns new domains and forgets vanished ones. */
static void scan(void)
{
	struct xl_domains ds;
	unsigned i;
	int r = xl_domains_get(xch, &ds);

	if (r < 0) {
		say("cannot list domains: %s", xc_strerror(r));
		return;
	}
	for (i = 0; i < MAX_DOMS; i++)
		doms[i].seen = 0;
	for (i = 0; i < ds.n; i++) {
		struct dom *d;

		if (ds.v[i].domid == 0)
			continue;
		d = dom_find(ds.v[i].domid);
		/* A reused id with another name is another domain; a renamed one is not. */
		if (d) {
			switch (consoled_identify(d->name, d->start_ns, &ds.v[i])) {
			case CONSOLED_SAME:
				break;
			case CONSOLED_RENAMED:
				dom_rename(d, &ds.v[i]);
				break;
			case CONSOLED_OTHER:
				dom_drop(d);
				d = NULL;
				break;
			}
		}
		if (!d)
			d = dom_add(&ds.v[i]);
		if (!d)
			continue;
		d->seen = 1;
		drain(d, 0);
	}
	for (i = 0; i < MAX_DOMS; i++)
		if (doms[i].used && !doms[i].seen)
			dom_drop(&doms[i]);
	xl_domains_free(&ds);
}

static void restart(struct xl_record *rec)
{
	char *argv[XL_RECORD_MAX_ARGS + 4];
	pid_t pid;

	consoled_restart_argv(xl_path, rec, argv);
	pid = fork();
	if (pid < 0) {
		say("cannot restart '%s': fork: %s", rec->name, strerror(errno));
		return;
	}
	if (pid == 0) {
		sigset_t none;

		/* xl gets a plain signal state: an ignored SIGPIPE would survive exec. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		say("cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	say("restarting '%s': %s create %s (pid %d)", rec->name, xl_path, rec->config, (int)pid);
}

/*
 * Stops a destroyed domain's device model without waiting in the loop:
 * SIGTERM now (only to a pid that still is rivet-dm --domid DOMID), SIGKILL
 * at XL_DM_STOP_MS if it is still there (dm_kills_due).
 */
static void remove_taps(uint32_t domid, const struct xl_vif *vifs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (xl_vif_tap_remove(vifs[i].tap, vifs[i].ifindex) < 0)
			say("domain %u: cannot remove tap %s: %s", domid, vifs[i].tap, strerror(errno));
}

static void dm_stop_start(const struct xl_record *rec, uint32_t domid)
{
	unsigned i;

	if (rec->dm_pid <= 0 || xl_dm_signal(rec->dm_pid, domid, SIGTERM) < 0) {
		remove_taps(domid, rec->vifs, rec->nr_vifs);
		return;
	}
	say("domain %u: device model (pid %d) told to stop", domid, rec->dm_pid);
	for (i = 0; i < MAX_DOMS; i++)
		if (!dm_kills[i].pid) {
			struct dm_kill *k = &dm_kills[i];
			*k = (struct dm_kill){ rec->dm_pid, domid, now_ms() + XL_DM_STOP_MS, 0,
					       rec->nr_vifs, { { 0 } } };
			memcpy(k->vifs, rec->vifs, sizeof k->vifs[0] * rec->nr_vifs);
			return;
		}
}

static void dm_kills_due(void)
{
	uint64_t now = now_ms();
	unsigned i;

	for (i = 0; i < MAX_DOMS; i++) {
		struct dm_kill *k = &dm_kills[i];

		if (!k->pid)
			continue;
		if (!xl_dm_alive(k->pid, k->domid)) {
			remove_taps(k->domid, k->vifs, k->nr_vifs);
			k->pid = 0;
		} else if (now >= k->deadline_ms && !k->killed) {
			say("domain %u: device model (pid %d) still there after %d ms: SIGKILL", k->domid,
			    k->pid, XL_DM_STOP_MS);
			xl_dm_signal(k->pid, k->domid, SIGKILL);
			k->killed = 1;
			k->deadline_ms = now + XL_DM_STOP_MS;
		} else if (now >= k->deadline_ms) {
			say("domain %u: device model (pid %d) survives SIGKILL; its taps stay", k->domid,
			    k->pid);
			k->pid = 0;
		}
	}
}

/*
 * rename-restart: the shut-down domain gets a name of its own and stays, as
 * preserve leaves it (its device model stopped, its record rewritten to say
 * preserve with no device model, so that only xl destroy ends it), and the
 * domain is created again from REC under its old name. Returns 0, or -1 when
 * it could not be renamed (it is then kept as it is, its record saying
 * preserve, so this is not tried again on every event). D: our state of it
 * (NULL: none); its log moves to the new name before the new life can
 * open one under the old.
 */
static int rename_restart(const struct rivet_domain_info *info, struct xl_record *rec, struct dom *d)
{
	char name[RIVET_NAME_LEN], why[REASON_MAX];
	time_t now = time(NULL);
	int r = XC_EEXIST;
	unsigned n;
	struct xl_record kept;

	/*
	 * The kept domain's record first, under the name it is about to get:
	 * once renamed, a record naming the old name would be another domain's
	 * to rivet-consoled, and a domain without its record is destroyed.
	 */
	kept = *rec;
	kept.on_poweroff = kept.on_reboot = kept.on_crash = kept.on_watchdog = RIVET_ACTION_PRESERVE;
	kept.dm_pid = 0;      /* the process and taps are this life's, stopped and removed below */
	kept.nr_vifs = 0;
	kept.dm_vcpus = 0;
	for (n = 0; n < 10 && r == XC_EEXIST; n++) {
		if (consoled_preserved_name(info->name, now, n, name) < 0) {
			r = XC_EINVAL;
			break;
		}
		memcpy(kept.name, name, sizeof kept.name);
		if (xl_record_write(info->domid, &kept, why) < 0) {
			say("domain %u: cannot rewrite its record: %s", info->domid, why);
			r = XC_EIO;
			break;
		}
		r = xc_domain_rename(xch, info->domid, name);
	}
	if (r < 0) {
		/* Kept as it is, its record saying so, so that this is not tried on every event. */
		say("domain %u '%s' (%s): cannot rename it: %s; kept as it is", info->domid, info->name,
		    consoled_reason_name(info->shutdown_reason), xc_strerror(r));
		memcpy(kept.name, info->name, sizeof kept.name);
		kept.dm_pid = rec->dm_pid;
		kept.nr_vifs = rec->nr_vifs;
		kept.dm_vcpus = rec->dm_vcpus;
		if (xl_record_write(info->domid, &kept, why) < 0)
			say("domain %u: cannot rewrite its record: %s", info->domid, why);
		return -1;
	}
	if (d) {
		struct rivet_domain_info renamed = *info;
		memcpy(renamed.name, name, sizeof renamed.name);
		dom_rename(d, &renamed);
	}
	dm_stop_start(rec, info->domid);
	xl_dm_state_remove(info->domid);
	say("domain %u '%s' (%s): renamed '%s' and kept, restarting '%s'", info->domid, info->name,
	    consoled_reason_name(info->shutdown_reason), name, rec->name);
	restart(rec);
	return 0;
}

/*
 * The child that writes one core: nothing of the daemon's stays open in it
 * (a client's socket held here would not see its EOF when the daemon closes
 * it), it opens its own handle, and its one report goes to WFD before it
 * exits.
 */
static void __attribute__((noreturn)) dump_child(uint32_t domid, const char *path, int wfd, pid_t parent)
{
	struct consoled_dump_report rep;
	xc_handle *own;
	sigset_t none;
	int r;

	/*
	 * It dies with the daemon however the daemon ends (dumps_stop reaps it
	 * on a clean exit); the check after the prctl catches a daemon that died
	 * before it. Its own process group: a signal to the daemon's group
	 * (Ctrl-C, kill -- -PGID) is the daemon's to act on (dumps_stop).
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(4);
	setpgid(0, 0);
	/* Plain signals: the daemon's blocked SIGTERM would make it unstoppable. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (wfd != DUMP_REPORT_FD && (dup2(wfd, DUMP_REPORT_FD) < 0))
		_exit(2);
	if (close_range(DUMP_REPORT_FD + 1, ~0U, 0) < 0) {
		/* A kernel before 5.9: one by one, up to the limit of open files. */
		long max = sysconf(_SC_OPEN_MAX);

		for (long fd = DUMP_REPORT_FD + 1; fd < (max > 0 ? max : 1024); fd++)
			close((int)fd);
	}
	memset(&rep, 0, sizeof rep);
	r = xc_open(&own);
	if (r < 0) {
		snprintf(rep.why, sizeof rep.why, "%s", xc_strerror(r));
	} else {
		rep.ok = xl_dump_core(own, domid, path, 1, &rep.res, rep.why, sizeof rep.why) == 0;
		xc_close(own);
	}
	if (write(DUMP_REPORT_FD, &rep, sizeof rep) != (ssize_t)sizeof rep)
		_exit(3);
	_exit(rep.ok ? 0 : 1);
}

/*
 * on_* = coredump-*: the core file of a shut-down domain, before it goes,
 * written by a child (dump_child) while the loop goes on; the action waits
 * for its end (dump_reaped). The name carries the id and the time, so an
 * earlier dump is never overwritten. Returns 0 once the child runs, -1 if
 * none could be started (said; the action then goes on without a core).
 */
static int dump_start(const struct rivet_domain_info *info)
{
	char path[CONSOLED_DUMP_PATH];
	pid_t pid, self = getpid();
	int pfd[2];

	mkdirs(xl_dump_dir());
	int pruned = xl_dump_prune(info->name, XL_DUMP_KEEP);
	if (pruned > 0)
		say("domain %u '%s': removed %d older core%s (%u are kept per name)", info->domid, info->name,
		    pruned, pruned == 1 ? "" : "s", XL_DUMP_KEEP);
	if (xl_dump_path(info->name, info->domid, time(NULL), path, sizeof path) < 0) {
		say("domain %u '%s': core dump failed: its path is too long", info->domid, info->name);
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		say("domain %u '%s': core dump failed: pipe: %s", info->domid, info->name, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		say("domain %u '%s': core dump failed: fork: %s", info->domid, info->name, strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0)
		dump_child(info->domid, path, pfd[1], self);
	close(pfd[1]);
	/* consoled_dump_gate said there is room, and nothing ran since. */
	consoled_dump_add(&dumps, info, pid, pfd[0], path, now_ms());
	say("domain %u '%s': writing its core to %s (pid %d); it stays shut down until then",
	    info->domid, info->name, path, (int)pid);
	return 0;
}

/* What a writer that did not end by itself may have left: D's core under its .partial name. */
static void remove_partial(const struct consoled_dump *d)
{
	char partial[CONSOLED_DUMP_PATH + 16];

	if (xl_dump_partial_path(d->path, partial, sizeof partial) == 0 && unlink(partial) < 0 &&
	    errno != ENOENT)
		say("domain %u: cannot remove %s: %s", d->domid, partial, strerror(errno));
}

/*
 * A writer past its deadline (a map or write that hangs) is killed, as a
 * device model that does not stop is: its end is then reaped as any other,
 * a failed dump, and the action goes on without the core.
 */
static void dumps_due(void)
{
	struct consoled_dump *d;

	while ((d = consoled_dump_overdue(&dumps, now_ms()))) {
		say("domain %u '%s': its core's writer (pid %d) still runs after %d s: SIGKILL", d->domid,
		    d->name, d->pid, CONSOLED_DUMP_DEADLINE_MS / 1000);
		kill(d->pid, SIGKILL);
		d->killed = 1;
	}
}

/*
 * D's child has ended (reaped by the caller, STATUS from waitpid): its
 * report read, its pipe closed, the result said. The action goes on
 * (domain_exceptions, called next) whether the core is there or not; if the
 * domain went meanwhile (xl destroy), there is nothing left to do.
 */
static void dump_reaped(struct consoled_dump *d, int status)
{
	struct consoled_dump_report rep;
	struct rivet_domain_info now;
	enum consoled_dump_end end;
	char line[1024];
	ssize_t got;
	int remove;

	memset(&rep, 0, sizeof rep);
	got = read(d->fd, &rep, sizeof rep);
	close(d->fd);
	d->fd = -1;
	end = consoled_dump_outcome(d, status, &rep, got < 0 ? 0 : (size_t)got, exiting, line, sizeof line,
				    &remove);
	if (remove)
		remove_partial(d);
	say("%s", line);
	if (end == CONSOLED_DUMP_STOPPED) {
		consoled_dump_forget(d);   /* no action: the domain waits, shut down, for the next daemon */
		return;
	}
	d->state = CONSOLED_DUMP_DONE;
	d->pid = 0;
	if (xc_domain_getinfo(xch, d->domid, &now) < 0 || consoled_dump_of(&dumps, &now) != d ||
	    !(now.state & RIVET_DOMSTATE_SHUTDOWN) || (now.state & RIVET_DOMSTATE_DYING)) {
		say("domain %u '%s' went while its core was written (xl destroy?): its on_* is not carried out",
		    d->domid, d->name);
		consoled_dump_forget(d);
	}
}

/*
 * rivet-consoled exits: each core still being written is stopped and its
 * child reaped here, the partial file removed. The domain stays shut down;
 * the next rivet-consoled finds it at start, writes its core and carries
 * out its on_*.
 */
static void dumps_stop(void)
{
	/* Those that ended already (their SIGCHLD not read yet) are complete: their actions go on. */
	exiting = 1;
	reap();
	for (unsigned i = 0; i < CONSOLED_MAX_DUMPS; i++) {
		struct consoled_dump *d = &dumps.v[i];

		if (d->state != CONSOLED_DUMP_WRITING)
			continue;
		kill(d->pid, SIGKILL);
		while (waitpid(d->pid, NULL, 0) < 0 && errno == EINTR)
			;
		close(d->fd);
		remove_partial(d);
		say("domain %u '%s': core dump stopped (rivet-consoled exits); it stays shut down, the next "
		    "rivet-consoled writes its core and carries out its on_*", d->domid, d->name);
		consoled_dump_forget(d);
	}
}

/* Carries out on_* for every domain that has shut down. */
static void domain_exceptions(void)
{
	struct xl_domains ds;
	struct xl_record *rec = malloc(sizeof *rec);
	char why[REASON_MAX], path[600];
	unsigned i;
	int r;

	if (!rec)
		return;
	xl_record_init(rec);
	r = xl_domains_get(xch, &ds);
	if (r < 0) {
		say("cannot list domains: %s", xc_strerror(r));
		free(rec);
		return;
	}
	consoled_dumps_sweep(&dumps, ds.v, ds.n);
	for (i = 0; i < ds.n; i++) {
		const struct rivet_domain_info *info = &ds.v[i];
		struct xl_record *have = NULL;
		enum consoled_action act;
		struct stat st;
		struct dom *d;

		if (info->domid == 0 || !(info->state & RIVET_DOMSTATE_SHUTDOWN))
			continue;
		xl_record_path(info->domid, path, sizeof path);
		if (stat(path, &st) == 0) {
			if (xl_record_read(info->domid, rec, why) < 0)
				say("ignoring %s: %s", path, why);
			else if (strncmp(rec->name, info->name, RIVET_NAME_MAX))
				say("ignoring %s: it names '%s', not '%s'", path, rec->name, info->name);
			else
				have = rec;
		}
		act = consoled_decide(info, have);
		if (act == CONSOLED_NOTHING)
			continue;
		/*
		 * The list is a snapshot and ids are reused: the same domain, still
		 * shut down, right before the destroy (a new domain of that id is
		 * never another's to destroy).
		 */
		struct rivet_domain_info again;
		if (xc_domain_getinfo(xch, info->domid, &again) < 0 || again.domid != info->domid ||
		    strncmp(again.name, info->name, RIVET_NAME_MAX) || !(again.state & RIVET_DOMSTATE_SHUTDOWN))
			continue;
		/* Its last words first. */
		d = dom_find(info->domid);
		if (d)
			drain(d, 1);
		struct consoled_dump *dump = NULL;
		if (have && (xl_record_action(have, info->shutdown_reason) & RIVET_ACTION_COREDUMP)) {
			switch (consoled_dump_gate(&dumps, info)) {
			case CONSOLED_DUMP_START:
				if (exiting)
					continue;   /* no new core now: the next daemon writes it */
				if (dump_start(info) == 0)
					continue;   /* the action waits for the core (dump_reaped) */
				break;
			case CONSOLED_DUMP_BUSY:
				if (consoled_dump_wait_said(&dumps, info))
					say("domain %u '%s': %u cores are being written; its own waits for one of them",
					    info->domid, info->name, CONSOLED_MAX_DUMPS);
				continue;
			case CONSOLED_DUMP_WAIT:
				continue;
			case CONSOLED_DUMP_ACT:
				dump = consoled_dump_of(&dumps, info);
				break;
			}
		}
		if (act == CONSOLED_RENAME_RESTART) {
			rename_restart(info, rec, d);
			if (dump)
				consoled_dump_forget(dump);   /* kept as preserve: never acted on again */
			continue;
		}
		/* Only while shut down: ids are reused, and the check above is already history. */
		r = xc_domain_destroy_if_shutdown(xch, info->domid);
		if (r < 0) {
			say("domain %u '%s' (%s): cannot destroy it: %s", info->domid, info->name,
			    consoled_reason_name(info->shutdown_reason), xc_strerror(r));
			continue;
		}
		if (dump)
			consoled_dump_forget(dump);
		xl_record_remove(info->domid);
		if (have)
			dm_stop_start(have, info->domid);
		xl_dm_state_remove(info->domid);   /* its device state: nobody will resume it */
		if (d)
			dom_drop(d);
		say("domain %u '%s' (%s): destroyed%s", info->domid, info->name,
		    consoled_reason_name(info->shutdown_reason),
		    act == CONSOLED_RESTART ? ", restarting it" : have ? "" : " (no record)");
		if (act == CONSOLED_RESTART)
			restart(rec);
	}
	xl_domains_free(&ds);
	xl_record_free(rec);
	free(rec);
}

/* Every ended child, reaped here once: a core's writer, or xl create of a restart. */
static void reap(void)
{
	struct consoled_dump *dump;
	int status, dumped = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		dump = consoled_dump_by_pid(&dumps, (int)pid);
		if (dump) {
			dump_reaped(dump, status);
			dumped = 1;
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			say("restart (pid %d) done", (int)pid);
		else
			say("restart (pid %d) failed (status %d): see the xl message above", (int)pid,
			    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	if (dumped)
		domain_exceptions();   /* the actions that waited for their cores */
}

/* Daemon mode: stderr is <log dir>/consoled.log, opened again on SIGHUP. */
static void open_own_log(void)
{
	char path[600];
	int fd;

	snprintf(path, sizeof path, "%s/consoled.log", log_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

/* SIGHUP: logrotate (or mv) moved the logs; the next bytes go to new files. */
static void reopen_logs(void)
{
	char why[REASON_MAX];
	unsigned i, n = 0;

	if (!foreground)
		open_own_log();
	for (i = 0; i < MAX_DOMS; i++) {
		if (!doms[i].used || !doms[i].log.path)
			continue;
		if (conlog_reopen(&doms[i].log, why) < 0)
			say("domain %u: %s", doms[i].domid, why);
		else
			n++;
	}
	say("SIGHUP: reopened %u console logs", n);
}

/* SIGCHLD, SIGHUP, SIGTERM, SIGINT through the signalfd; returns 1 to exit. */
static int signals(int sfd)
{
	struct signalfd_siginfo si;
	int quit = 0, hup = 0, chld = 0;

	while (read(sfd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo == SIGCHLD)
			chld = 1;
		else if (si.ssi_signo == SIGHUP)
			hup = 1;
		else
			quit = (int)si.ssi_signo;
	}
	/*
	 * Before the children are reaped: a writer killed by the same signal (sent
	 * to the whole group) was stopped with the daemon, not a failed dump
	 * whose action would go on without its core.
	 */
	if (quit)
		exiting = 1;
	if (chld)
		reap();
	if (hup)
		reopen_logs();
	if (quit)
		say("%s: exiting", quit == SIGTERM ? "SIGTERM" : "SIGINT");
	return quit != 0;
}

static int listen_socket(void)
{
	struct sockaddr_un sa;
	int fd;

	if (xl_consoled_sockaddr(&sa) < 0)
		return -1;
	mkdirs(xl_run_dir());
	unlink(sa.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || chmod(sa.sun_path, 0600) < 0 ||
	    listen(fd, 16) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void accept_client(int lfd)
{
	unsigned i;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS && clients[i].fd >= 0; i++)
		;
	if (i == MAX_CLIENTS) {
		static const char busy[] = "ERR too many clients\n";

		send(fd, busy, sizeof busy - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
		close(fd);
		return;
	}
	memset(&clients[i], 0, sizeof clients[i]);
	clients[i].fd = fd;
}

static void attach(struct client *c)
{
	char buf[CONSOLED_BACKLOG];
	enum consoled_con con = CONSOLED_CON_ALL;
	enum consoled_req req;
	struct client *old;
	struct dom *d;
	uint32_t domid = 0;
	size_t n;

	req = consoled_parse_request(c->line, &domid, &con);
	if (req == CONSOLED_REQ_BAD) {
		static const char bad[] = "ERR expected ATTACH <domid> [sbi|serial|virtio] or "
					  "SOURCE <domid> [serial|virtio]\n";

		send_client(c, bad, sizeof bad - 1);
		client_close(c);
		return;
	}
	scan();   /* it may be newer than our last event */
	d = dom_find(domid);
	if (!d) {
		static const char none[] = "ERR no such domain\n";

		send_client(c, none, sizeof none - 1);
		client_close(c);
		return;
	}
	if (req == CONSOLED_REQ_SOURCE) {
		/* One source per console: the newest wins (the old one may be a dead DM's). */
		old = source_of(domid, con);
		if (old) {
			say("domain %u '%s': a new %s console source replaces the old one", domid, d->name,
			    consoled_con_name(con));
			client_close(old);
		} else {
			say("domain %u '%s': %s console source connected", domid, d->name,
			    consoled_con_name(con));
		}
		c->attached = c->source = 1;
		c->domid = domid;
		c->con = con;
		send_client(c, "OK\n", 3);
		return;
	}
	c->attached = 1;
	c->domid = domid;
	c->con = con;
	send_client(c, "OK\n", 3);
	n = con == CONSOLED_CON_ALL ? conlog_tail(&d->log, buf, sizeof buf) :
	    consoled_tail_get(&d->tail[con], buf);
	if (n)
		send_client(c, buf, n);
}

/*
 * Output of a domain from its source: one bounded read per wakeup, counted
 * by the domain's rate limit (the main loop does not poll a held source).
 */
static void source_input(struct client *c)
{
	char buf[CONSOLED_SOURCE_CHUNK];
	struct dom *d = dom_find(c->domid);
	unsigned long over = 0;
	uint64_t now = now_ms();
	ssize_t n;

	if (d && !conrate_may_read(&d->rate, now, rate_limit, rate_period, &over)) {
		d->backlog = 1;
		return;
	}
	n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		say("domain %u: %s console source disconnected", c->domid, consoled_con_name(c->con));
		client_close(c);
		return;
	}
	if (!d)
		return;
	deliver(d, c->con, buf, (size_t)n);
	if (conrate_count(&d->rate, rate_limit) && d->rate.flood == 1)
		flood_started(d, now);
}

static void client_input(struct client *c)
{
	char buf[XC_PAGE_SIZE];
	struct client *src;
	ssize_t n, i = 0;

	if (c->source) {
		source_input(c);
		return;
	}
	n = recv(c->fd, buf, sizeof buf, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	while (!c->attached && i < n) {
		char ch = buf[i++];

		if (ch == '\n') {
			c->line[c->len] = '\0';
			attach(c);
			if (c->fd < 0)
				return;
		} else if (c->len + 1 < sizeof c->line) {
			c->line[c->len++] = ch;
		} else {
			client_close(c);
			return;
		}
	}
	/* A new source's first bytes after its SOURCE line are its domain's output, not input. */
	if (c->source) {
		struct dom *d = dom_find(c->domid);
		if (d && i < n)
			deliver(d, c->con, buf + i, (size_t)(n - i));
		return;
	}
	if (!c->attached || i >= n)
		return;
	/*
	 * Console input. A client of one console types into that one (into
	 * nothing while a device model's console has no source connected); a
	 * client of all of them into the UART, else the virtio console, else
	 * the SBI console: the one a domain with devices has its shell on.
	 */
	switch (c->con) {
	case CONSOLED_CON_ALL:
		src = source_of(c->domid, CONSOLED_CON_SERIAL);
		if (!src)
			src = source_of(c->domid, CONSOLED_CON_VIRTIO);
		break;
	case CONSOLED_CON_SERIAL:
	case CONSOLED_CON_VIRTIO:
		src = source_of(c->domid, c->con);
		if (!src)
			return;
		break;
	default:
		src = NULL;
		break;
	}
	if (src) {
		send_client(src, buf + i, (size_t)(n - i));
		return;
	}
	/* The SBI console; what the domain's input ring cannot take now is dropped. */
	while (i < n) {
		long w = xc_console_write(xch, c->domid, buf + i, (size_t)(n - i));

		if (w <= 0)
			break;
		i += w;
	}
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: rivet-consoled [-f] [--log-size BYTES] [--rate-limit N] [--rate-period MS]\n"
		"  -f                 stay in the foreground, log to stderr (for init's respawn)\n"
		"  --log-size BYTES   rotate NAME.log to NAME.log.1 at this size (K/M/G suffix;\n"
		"                     default 1M; 0: no cap)\n"
		"  --rate-limit N     read each domain's console at most N times a period\n"
		"                     (default %u; 0: no limit)\n"
		"  --rate-period MS   that period (default %u ms)\n",
		CONRATE_LIMIT, CONRATE_PERIOD_MS);
}

static void daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		perror("rivet-consoled: fork");
		exit(1);
	}
	if (pid > 0)
		_exit(0);
	setsid();
	open_own_log();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (chdir("/") < 0)
		say("chdir /: %s", strerror(errno));
}

/* "--name VALUE" or "--name=VALUE" at ARGV[*I]; NULL if ARGV[*I] is another option. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int parse_args(int argc, char **argv)
{
	uint64_t v;
	const char *a;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f")) {
			foreground = 1;
		} else if ((a = opt_value(argc, argv, &i, "--log-size"))) {
			if (consoled_parse_size(a, &v) < 0) {
				fprintf(stderr, "rivet-consoled: --log-size '%s': expected bytes, "
					"e.g. 1048576 or 1M\n", a);
				return -1;
			}
			log_cap = v;
		} else if ((a = opt_value(argc, argv, &i, "--rate-limit"))) {
			if (xl_parse_uint(a, 1000000, &v) < 0) {
				fprintf(stderr, "rivet-consoled: --rate-limit '%s': expected 0-1000000\n", a);
				return -1;
			}
			rate_limit = (unsigned)v;
		} else if ((a = opt_value(argc, argv, &i, "--rate-period"))) {
			if (xl_parse_uint(a, 60000, &v) < 0 || v == 0) {
				fprintf(stderr, "rivet-consoled: --rate-period '%s': expected 1-60000 ms\n", a);
				return -1;
			}
			rate_period = (unsigned)v;
		} else {
			usage();
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct pollfd p[4 + MAX_CLIENTS];
	int con_fd, exc_fd, lfd, sfd, i, r, rc = 0;
	uint32_t con_port, exc_port, port;
	struct sockaddr_un sa;
	char path[600];
	sigset_t sigs;

	if (parse_args(argc, argv) < 0)
		return 1;
	if (getenv("RIVET_LOG_DIR") && *getenv("RIVET_LOG_DIR"))
		log_dir = getenv("RIVET_LOG_DIR");
	if (getenv("RIVET_XL") && *getenv("RIVET_XL"))
		xl_path = getenv("RIVET_XL");
	snprintf(path, sizeof path, "%s/console", log_dir);
	mkdirs(path);

	/* Everything that can fail is checked while the parent can still say so. */
	r = xc_open(&xch);
	if (r < 0) {
		fprintf(stderr, "rivet-consoled: %s\n", xc_strerror(r));
		return 1;
	}
	r = xc_evtchn_bind_virq(xch, RIVET_VIRQ_CONSOLE, &con_fd, &con_port);
	if (r == 0)
		r = xc_evtchn_bind_virq(xch, RIVET_VIRQ_DOM_EXC, &exc_fd, &exc_port);
	if (r < 0) {
		fprintf(stderr, "rivet-consoled: cannot bind the console and domain-exit virqs: %s%s\n",
			xc_strerror(r), r == XC_EEXIST ? " (is another rivet-consoled running?)" : "");
		return 1;
	}
	lfd = listen_socket();
	if (lfd < 0) {
		fprintf(stderr, "rivet-consoled: cannot listen on %s/%s: %s\n", xl_run_dir(),
			CONSOLED_SOCK_NAME, strerror(errno));
		return 1;
	}
	/*
	 * Signals arrive as reads of sfd, between two whole steps of the loop.
	 * SIGCHLD's default first: an ignored one (inherited through exec) would
	 * have the kernel reap the core writers before they are seen.
	 */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		fprintf(stderr, "rivet-consoled: signalfd: %s\n", strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!foreground)
		daemonize();
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	for (i = 0; i < MAX_DOMS; i++)
		doms[i].log.fd = -1;
	consoled_dumps_init(&dumps);
	/* Cores a writer left half-way (the daemon died with it): none of ours runs yet. */
	r = xl_dump_remove_partials();
	if (r < 0)
		say("cannot read %s: %s", xl_dump_dir(), strerror(errno));
	else if (r > 0)
		say("removed %d partial core%s in %s (their writers died with an earlier rivet-consoled)", r,
		    r == 1 ? "" : "s", xl_dump_dir());
	say("started (pid %d): console virq on port %u, domain-exit virq on port %u; "
	    "logs capped at %llu bytes, rate limit %u reads per %u ms", (int)getpid(), con_port,
	    exc_port, (unsigned long long)log_cap, rate_limit, rate_period);

	/* Catch up with what happened while no daemon ran. */
	scan();
	domain_exceptions();
	for (;;) {
		int idx[MAX_CLIENTS], n = 4;

		p[0] = (struct pollfd){ con_fd, POLLIN, 0 };
		p[1] = (struct pollfd){ exc_fd, POLLIN, 0 };
		p[2] = (struct pollfd){ lfd, POLLIN, 0 };
		p[3] = (struct pollfd){ sfd, POLLIN, 0 };
		for (i = 0; i < MAX_CLIENTS; i++)
			if (clients[i].fd >= 0) {
				int fd = clients[i].fd;

				/*
				 * A source held back by the rate limit is left out of the
				 * poll (not even its hangup) until its period ends.
				 */
				if (clients[i].source) {
					struct dom *d = dom_find(clients[i].domid);

					if (d && conrate_held(&d->rate, rate_limit)) {
						fd = -1;
						d->backlog = 1;
					}
				}
				idx[n - 4] = i;
				p[n++] = (struct pollfd){ fd, POLLIN, 0 };
			}
		if (poll(p, (nfds_t)n, poll_timeout()) < 0) {
			if (errno == EINTR)
				continue;
			say("poll: %s; exiting", strerror(errno));
			rc = 1;
			break;
		}
		if (p[0].revents & POLLIN) {
			xc_evtchn_pending(xch, con_fd, &port);
			scan();
		}
		if (p[1].revents & POLLIN) {
			xc_evtchn_pending(xch, exc_fd, &port);
			scan();
			domain_exceptions();
		}
		if ((p[0].revents | p[1].revents) & (POLLERR | POLLHUP | POLLNVAL)) {
			say("an event channel failed; exiting");
			rc = 1;
			break;
		}
		drain_held();
		dm_kills_due();
		dumps_due();
		if ((p[3].revents & POLLIN) && signals(sfd))
			break;
		for (i = 4; i < n; i++)
			if (p[i].revents && clients[idx[i - 4]].fd == p[i].fd)
				client_input(&clients[idx[i - 4]]);
		if (p[2].revents & POLLIN)
			accept_client(lfd);
	}
	/* Every exit: no core writer outlives it, clients see EOF, the socket goes, the logs are complete. */
	dumps_stop();
	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			client_close(&clients[i]);
	for (i = 0; i < MAX_DOMS; i++)
		if (doms[i].used)
			dom_drop(&doms[i]);
	if (xl_consoled_sockaddr(&sa) == 0)
		unlink(sa.sun_path);
	xc_close(xch);
	return rc;
}
