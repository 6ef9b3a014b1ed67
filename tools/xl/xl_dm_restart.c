/* SPDX-License-Identifier: MIT */
/*
 * xl_dm_restart.c: a new device model for a running domain (docs/dm.md
 * "Restart"): `xl dm-restart NAME`, and the supervisor that `xl create`
 * leaves for a domain with on_dm_crash = "restart", which does the same
 * when the device model dies. Restarts are serialized by xl_record_lock (an
 * flock on the state files' directory), so the supervisor and a user never
 * start two, and xl's other record writers never write back an old dm_pid=.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xl.h"

#define DM_LOG_DIR "/var/log/rivet/dm"

static int domain_live(const struct rivet_domain_info *info)
{
	return !(info->state & (RIVET_DOMSTATE_DYING | RIVET_DOMSTATE_SHUTDOWN));
}

/* With the lock held. */
static enum xl_dm_restart_result restart_locked(xc_handle *h, uint32_t domid, int only_if_pid,
						uint64_t instance, int *new_pid, char *why)
{
	struct rivet_domain_info info;
	struct xl_record rec;
	char rwhy[REASON_MAX];
	int r, pid;

	r = xc_domain_getinfo(h, domid, &info);
	if (r == XC_ENODOMAIN || (r == 0 && (info.domid != domid || !domain_live(&info))))
		return XL_DMR_GONE;
	if (r < 0) {
		reason_set(why, "cannot get domain %u's state: %s", domid, xc_strerror(r));
		return XL_DMR_FAILED;
	}
	xl_record_init(&rec);
	if (xl_record_read(domid, &rec, rwhy) < 0 || strncmp(rec.name, info.name, sizeof rec.name)) {
		xl_record_free(&rec);
		/* xl destroy removes the record first: a supervisor then has nothing to do. */
		if (only_if_pid > 0)
			return XL_DMR_GONE;
		reason_set(why, "domain '%s' (%u) has no record of its device model", info.name, domid);
		return XL_DMR_FAILED;
	}
	if ((instance && rec.dm_instance != instance)) {
		xl_record_free(&rec);
		return XL_DMR_GONE;   /* another life of this domain id */
	}
	if (only_if_pid > 0 && rec.dm_pid != only_if_pid) {
		*new_pid = rec.dm_pid;   /* someone took over meanwhile */
		xl_record_free(&rec);
		return XL_DMR_NOT_NEEDED;
	}
	if (rec.dm_pid <= 0 || !rec.dm_vcpus) {
		reason_set(why, "domain '%s' (%u) has no device model to restart", info.name, domid);
		xl_record_free(&rec);
		return XL_DMR_FAILED;
	}
	/*
	 * Paused by the user while its device model ran: it stays paused. (Paused
	 * with its device model dead, the microvisor did it: it runs again.)
	 */
	int user_paused = (info.state & RIVET_DOMSTATE_PAUSED) && xl_dm_alive(rec.dm_pid, domid);
	/*
	 * Paused first, so that the old device model's last drain of the posted
	 * ring is really the last (it pauses too when it can), then stopped with
	 * SIGTERM: an orderly stop leaves the state for its successor.
	 */
	r = xc_domain_pause(h, domid);
	if (r < 0) {
		reason_set(why, "cannot pause domain '%s' (%u): %s", info.name, domid, xc_strerror(r));
		xl_record_free(&rec);
		return XL_DMR_FAILED;
	}
	if (xl_dm_alive(rec.dm_pid, domid) && xl_dm_stop(rec.dm_pid, domid) < 0) {
		reason_set(why, "its device model (pid %d) would not stop", rec.dm_pid);
		xl_record_free(&rec);
		return XL_DMR_FAILED;
	}
	struct xl_dm_spec s = { .domid = domid, .name = rec.name, .nr_vcpus = rec.dm_vcpus,
				.ram_base = rec.dm_ram_base, .ram_size = rec.dm_ram_size,
				.serial = rec.serial, .nr_disks = rec.nr_disks, .disks = rec.disks,
				.nr_vifs = rec.nr_vifs, .vifs = rec.vifs,
				.vconsole = rec.vconsole, .ready_fd = -1, .instance = rec.dm_instance, .resume = 1,
				.mem_target = rec.mem_target };
	if (xl_dm_start(&s, &pid, rwhy) < 0) {
		reason_set(why, "the new device model failed: %s; domain '%s' stays paused", rwhy,
			   info.name);
		xl_record_free(&rec);
		return XL_DMR_FAILED;
	}
	rec.dm_pid = pid;
	r = xl_record_write(domid, &rec, rwhy);
	xl_record_free(&rec);
	if (r < 0) {
		reason_set(why, "cannot record the new device model (pid %d): %s", pid, rwhy);
		return XL_DMR_FAILED;
	}
	*new_pid = pid;
	if (user_paused)
		return XL_DMR_DONE;
	r = xc_domain_unpause(h, domid);
	if (r < 0) {
		reason_set(why, "cannot unpause domain '%s' (%u): %s", info.name, domid, xc_strerror(r));
		return XL_DMR_FAILED;
	}
	return XL_DMR_DONE;
}

enum xl_dm_restart_result xl_dm_restart(xc_handle *h, uint32_t domid, int only_if_pid, uint64_t instance,
					int *new_pid, char *why)
{
	int lock = xl_record_lock(why);   /* every writer of dm_pid= and of a live record holds it */

	if (lock < 0)
		return XL_DMR_FAILED;
	enum xl_dm_restart_result r = restart_locked(h, domid, only_if_pid, instance, new_pid, why);
	close(lock);
	return r;
}

int xl_cmd_dm_restart(xc_handle *h, int argc, char **argv)
{
	struct xl_domains ds;
	char why[REASON_MAX];
	int i, pid = 0, r;

	if (argc != 2 || argv[1][0] == '-')
		return xl_usage(xl_command_find("dm-restart"));
	r = xl_domains_get(h, &ds);
	if (r < 0) {
		xl_err("cannot list domains: %s", xc_strerror(r));
		return XL_EXIT_FAIL;
	}
	i = xl_domains_find(&ds, argv[1]);
	if (i < 0 || ds.v[i].domid == 0) {
		xl_err("dm-restart: %s", i < 0 ? "no such domain" : "Domain-0 has no device model");
		xl_domains_free(&ds);
		return XL_EXIT_FAIL;
	}
	uint32_t domid = ds.v[i].domid;
	char name[RIVET_NAME_MAX];
	snprintf(name, sizeof name, "%.*s", (int)sizeof name - 1, ds.v[i].name);
	xl_domains_free(&ds);
	switch (xl_dm_restart(h, domid, 0, 0, &pid, why)) {
	case XL_DMR_DONE:
	case XL_DMR_NOT_NEEDED:
		return XL_EXIT_OK;
	case XL_DMR_GONE:
		xl_err("dm-restart: domain '%s' (%u) is shutting down or gone", name, domid);
		return XL_EXIT_FAIL;
	default:
		xl_err("dm-restart: domain '%s' (%u): %s", name, domid, why);
		return XL_EXIT_FAIL;
	}
}

/* ---- the supervisor ---- */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[600];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = (int)strftime(line, sizeof line, "%Y-%m-%d %H:%M:%S ", &tm);
	n += snprintf(line + n, sizeof line - (size_t)n, "xl supervisor (pid %d): ", (int)getpid());
	va_start(ap, fmt);
	if (n < (int)sizeof line)
		vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	dprintf(STDERR_FILENO, "%s\n", line);
}

/* Blocks until PID has exited (or cannot be watched: it is gone already). */
static void wait_exit(int pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (pidfd >= 0) {
		struct pollfd pf = { pidfd, POLLIN, 0 };
		while (poll(&pf, 1, -1) < 0 && errno == EINTR)
			;
		close(pidfd);
	}
	waitpid(pid, NULL, WNOHANG);   /* one we started is our child: reaped */
}

static void supervise(uint32_t domid, int pid, uint64_t instance)
{
	uint64_t recent[XL_DM_RESTARTS_MAX] = { 0 };
	unsigned nr = 0;
	char why[REASON_MAX];
	xc_handle *h;
	int r = xc_open(&h);

	if (r < 0) {
		say("domain %u: cannot open the Rivet driver: %s; not supervising", domid, xc_strerror(r));
		return;
	}
	say("domain %u: watching its device model (pid %d)", domid, pid);
	for (;;) {
		int dead = pid, next = 0;
		struct timespec ts;

		wait_exit(pid);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
		/* A device model that dies over and over is left dead: the domain stays paused. */
		if (recent[nr % XL_DM_RESTARTS_MAX] && now - recent[nr % XL_DM_RESTARTS_MAX] <
						       XL_DM_RESTARTS_WINDOW_MS) {
			say("domain %u: %d restarts within %d s; giving up (the domain stays paused)", domid,
			    XL_DM_RESTARTS_MAX, XL_DM_RESTARTS_WINDOW_MS / 1000);
			break;
		}
		r = xl_dm_restart(h, domid, dead, instance, &next, why);
		if (r == XL_DMR_GONE)
			break;
		if (r == XL_DMR_FAILED) {
			say("domain %u: cannot restart its device model: %s", domid, why);
			break;
		}
		if (r == XL_DMR_DONE) {
			recent[nr++ % XL_DM_RESTARTS_MAX] = now;
			say("domain %u: device model (pid %d) gone; pid %d took over", domid, dead, next);
		}
		pid = next;
	}
	xc_close(h);
}

int xl_dm_supervise(uint32_t domid, const char *name, int pid, uint64_t instance)
{
	fflush(NULL);
	pid_t child = fork();

	if (child < 0)
		return -1;
	if (child > 0)
		return 0;
	/* Out of the caller's session and away from its terminal and pipes. */
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	char path[600];
	snprintf(path, sizeof path, "%s/%s.log", DM_LOG_DIR, name);
	int log = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(log >= 0 ? log : null, STDERR_FILENO);
	}
	for (int fd = 3; fd < 1024; fd++)
		if (fd != null && fd != log)
			close(fd);
	supervise(domid, pid, instance);
	_exit(0);
}
