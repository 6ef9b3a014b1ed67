/* SPDX-License-Identifier: MIT */
/*
 * xl_dm.c: rivet-dm, the device model of a domain with disks, NICs or a
 * serial port. xl create starts it after loading the domain and before vCPU 0
 * runs, and waits (bounded) for its ready line on a pipe; xl destroy and
 * rivet-consoled stop it, checking /proc/PID/cmdline first so that a reused
 * pid is never signalled.
 */
#define _GNU_SOURCE   /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dm_request.h"
#include "xl.h"

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vasprintf(&s, f, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

int xl_dm_argv(const struct xl_dm_spec *s, const char *prog, char **argv)
{
	unsigned i;
	int n = 0;

	if (s->nr_disks + s->nr_vifs > XL_MAX_DISKS)
		return -1;
	memset(argv, 0, XL_DM_MAX_ARGS * sizeof *argv);
#define ADD(x) do { if (!(argv[n++] = (x))) goto fail; } while (0)
	ADD(strdup(prog));
	ADD(strdup("--domid"));
	ADD(fmt("%u", s->domid));
	ADD(strdup("--name"));
	ADD(strdup(s->name));
	ADD(strdup("--vcpus"));
	ADD(fmt("%u", s->nr_vcpus));
	ADD(strdup("--ram-base"));
	ADD(fmt("%#llx", (unsigned long long)s->ram_base));
	ADD(strdup("--ram-size"));
	ADD(fmt("%llu", (unsigned long long)s->ram_size));
	if (s->serial)
		ADD(strdup("--serial"));
	for (i = 0; i < s->nr_disks; i++) {
		ADD(strdup("--disk"));
		ADD(fmt("%s:%s", s->disks[i].readonly ? "ro" : "rw", s->disks[i].path));
	}
	for (i = 0; i < s->nr_vifs; i++) {
		char mac[18];

		xl_vif_mac_string(s->vifs[i].mac, mac);
		ADD(strdup("--nic"));
		ADD(fmt("tap=%s,mac=%s", s->vifs[i].tap, mac));
	}
	if (s->vconsole)
		ADD(strdup("--console"));
	if (s->instance) {
		ADD(strdup("--instance"));
		ADD(fmt("%#llx", (unsigned long long)s->instance));
	}
	if (s->resume)
		ADD(strdup("--resume"));
	if (s->mem_target && s->mem_target != s->ram_size) {
		ADD(strdup("--mem-target"));
		ADD(fmt("%llu", (unsigned long long)s->mem_target));
	}
	ADD(strdup("--ready-fd"));
	ADD(fmt("%d", s->ready_fd));
#undef ADD
	argv[n] = NULL;
	return n;
fail:
	xl_dm_argv_free(argv);
	return -1;
}

void xl_dm_argv_free(char **argv)
{
	unsigned i;

	for (i = 0; i < XL_DM_MAX_ARGS && argv[i]; i++) {
		free(argv[i]);
		argv[i] = NULL;
	}
}

#define READY_MAX 256

int xl_dm_ready_parse(const char *buf, size_t len, char *why)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n;

	if (!nl) {
		if (len < READY_MAX)
			return 0;
		return reason_set(why, "its ready line is too long");
	}
	n = (size_t)(nl - buf);
	if (n == 2 && !memcmp(buf, "ok", 2))
		return 1;
	if (n > 7 && !memcmp(buf, "error: ", 7))
		return reason_set(why, "%.*s", (int)(n - 7 < 400 ? n - 7 : 400), buf + 7);
	return reason_set(why, "unexpected ready line '%.*s'", (int)(n < 60 ? n : 60), buf);
}

int xl_dm_cmdline_matches(const char *cmdline, size_t len, uint32_t domid)
{
	const char *p = cmdline, *end = cmdline + len, *base;
	char id[16];
	int first = 1, prev_domid = 0;

	snprintf(id, sizeof id, "%u", domid);
	while (p < end) {
		const char *w = p;
		size_t wl = strnlen(p, (size_t)(end - p));

		p += wl + 1;
		if (first) {
			base = memrchr(w, '/', wl);
			base = base ? base + 1 : w;
			if ((size_t)(w + wl - base) != strlen(XL_DM_PROG) ||
			    memcmp(base, XL_DM_PROG, strlen(XL_DM_PROG)))
				return 0;
			first = 0;
			continue;
		}
		if (prev_domid)
			return wl == strlen(id) && !memcmp(w, id, wl);
		prev_domid = wl == 7 && !memcmp(w, "--domid", 7);
	}
	return 0;
}

int xl_dm_alive(int pid, uint32_t domid)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf);
	close(fd);
	/* A zombie's cmdline is empty: it is gone. */
	return n > 0 && xl_dm_cmdline_matches(buf, (size_t)n, domid);
}

/*
 * SIG (with SI, or none) to PID only if it is rivet-dm serving DOMID,
 * through a pidfd, so that a pid reused between the check and the signal is
 * never hit. 0 sent; 1 not that process (gone, or another); -1 failed (errno).
 */
static int signal_checked(int pid, uint32_t domid, int sig, siginfo_t *si)
{
	if (pid <= 0)
		return 1;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return errno == ESRCH ? 1 : -1;
	int r = 1;
	if (xl_dm_alive(pid, domid))
		r = syscall(SYS_pidfd_send_signal, pidfd, sig, si, 0) == 0 ? 0 : errno == ESRCH ? 1 : -1;
	int saved = errno;
	close(pidfd);
	errno = saved;
	return r;
}

int xl_dm_signal(int pid, uint32_t domid, int sig)
{
	return signal_checked(pid, domid, sig, NULL) == 0 ? 0 : -1;
}

int xl_dm_press(const struct rivet_domain_info *info, int req, char *why)
{
	struct xl_record rec;
	int r = 1;

	/* No record (a boot-time domain, or not ours), or no device model in it: no button. */
	if (xl_record_of(info, &rec) && rec.dm_pid > 0) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		si.si_signo = DM_REQUEST_SIGNAL;
		si.si_code = SI_QUEUE;
		si.si_pid = getpid();
		si.si_uid = getuid();
		si.si_value.sival_int = req;
		r = signal_checked(rec.dm_pid, info->domid, DM_REQUEST_SIGNAL, &si);
		if (r < 0)
			reason_set(why, "cannot signal its device model (pid %d): %s", rec.dm_pid, strerror(errno));
	}
	xl_record_free(&rec);
	return r;
}

int xl_dm_preserved(const struct rivet_domain_info *info)
{
	struct xl_record rec;

	if (!(info->state & RIVET_DOMSTATE_SHUTDOWN))
		return 0;
	int kept = xl_record_of(info, &rec) &&
		   xl_record_action(&rec, info->shutdown_reason) == RIVET_ACTION_PRESERVE;
	xl_record_free(&rec);
	return kept;
}

void xl_effective_info(const struct rivet_domain_info *info, struct rivet_domain_info *out)
{
	struct xl_record rec;

	*out = *info;
	if (info->state & (RIVET_DOMSTATE_DYING | RIVET_DOMSTATE_SHUTDOWN))
		return;
	if (xl_record_of(info, &rec) && rec.dm_pid > 0 && !xl_dm_alive(rec.dm_pid, info->domid))
		out->state = (out->state & ~(RIVET_DOMSTATE_RUNNING | RIVET_DOMSTATE_BLOCKED)) | RIVET_DOMSTATE_PAUSED;
	xl_record_free(&rec);
}

uint64_t xl_dm_instance(const struct rivet_domain_info *info)
{
	struct xl_record rec;
	uint64_t id = xl_record_of(info, &rec) ? rec.dm_instance : 0;

	xl_record_free(&rec);
	return id;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Kills our child PID and reaps it. */
static void kill_child(int pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int xl_dm_start(const struct xl_dm_spec *s0, int *pid_out, char *why)
{
	struct xl_dm_spec s = *s0;
	char *argv[XL_DM_MAX_ARGS + 1], buf[READY_MAX + 1];
	const char *prog = getenv("RIVET_DM");
	size_t len = 0;
	uint64_t deadline;
	int fds[2], r = 0;
	pid_t pid;

	if (!prog || !*prog)
		prog = XL_DM_PROG;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return reason_set(why, "pipe: %s", strerror(errno));
	/* The write end keeps its number in the child: only its CLOEXEC flag is cleared. */
	s.ready_fd = fds[1];
	memset(argv, 0, sizeof argv);
	if (xl_dm_argv(&s, prog, argv) < 0) {
		close(fds[0]);
		close(fds[1]);
		return reason_set(why, "out of memory");
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = reason_set(why, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		sigset_t none;
		int e;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		fcntl(fds[1], F_SETFD, 0);
		execvp(argv[0], argv);
		e = errno;
		if (!strcmp(prog, XL_DM_PROG) && e == ENOENT) {
			argv[0] = (char *)XL_DM_FALLBACK;
			execv(argv[0], argv);
			e = errno;
		}
		dprintf(fds[1], "error: cannot run %s: %s\n", prog, strerror(e));
		_exit(127);
	}
	close(fds[1]);
	fds[1] = -1;
	deadline = now_ms() + XL_DM_READY_MS;
	for (;;) {
		uint64_t now = now_ms();
		struct pollfd pf = { fds[0], POLLIN, 0 };
		ssize_t n;

		if (now >= deadline) {
			r = reason_set(why, "no ready line within %d s", XL_DM_READY_MS / 1000);
			break;
		}
		if (poll(&pf, 1, (int)(deadline - now)) < 0) {
			if (errno == EINTR)
				continue;
			r = reason_set(why, "poll: %s", strerror(errno));
			break;
		}
		if (!pf.revents)
			continue;
		n = read(fds[0], buf + len, READY_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = reason_set(why, "it exited without a word (see /var/log/rivet/dm/%s.log)",
				       s.name);
			break;
		}
		len += (size_t)n;
		r = xl_dm_ready_parse(buf, len, why);
		if (r)
			break;
	}
	if (r < 0)
		kill_child(pid);
	else
		*pid_out = pid;
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	xl_dm_argv_free(argv);
	return r < 0 ? -1 : 0;
}

int xl_dm_stop(int pid, uint32_t domid)
{
	unsigned ms;

	if (pid <= 0 || xl_dm_signal(pid, domid, SIGTERM) < 0) {
		waitpid(pid, NULL, WNOHANG);
		return 0;
	}
	for (ms = 0; ms < XL_DM_STOP_MS; ms += 20) {
		waitpid(pid, NULL, WNOHANG);   /* our child (a failed create): reap it */
		if (!xl_dm_alive(pid, domid))
			return 0;
		sleep_ms(20);
	}
	xl_dm_signal(pid, domid, SIGKILL);
	for (ms = 0; ms < 1000; ms += 20) {
		waitpid(pid, NULL, WNOHANG);
		if (!xl_dm_alive(pid, domid))
			return 0;
		sleep_ms(20);
	}
	return -1;
}

void xl_dm_state_path(uint32_t domid, char *buf, size_t size)
{
	snprintf(buf, size, "%s/dm/%u.state", xl_run_dir(), domid);
}

void xl_dm_state_remove(uint32_t domid)
{
	char path[600];

	xl_dm_state_path(domid, path, sizeof path);
	unlink(path);
}

uint64_t xl_dm_new_instance(void)
{
	uint64_t v = 0;

	/*
	 * The kernel's random bytes, without waiting for its pool (the id must
	 * only differ between lives, and a blocking getrandom() hangs xl create
	 * in a Dom0 whose clock gives no jitter, as under QEMU -icount);
	 * failing that, time and pid still differ between lives.
	 */
	while (!v) {
		if (getrandom(&v, sizeof v, GRND_INSECURE) != (ssize_t)sizeof v &&
		    getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			v = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 16);
		}
	}
	return v;
}

const char xl_block_header[] = "Vdev  Slot  Access  Target\n";

int xl_block_row(const struct xl_disk *dk, char *buf, size_t size)
{
	return snprintf(buf, size, "%-5s %5u  %-6s  %s\n", dk->vdev, dk->slot,
			dk->readonly ? "ro" : "rw", dk->path ? dk->path : "");
}
