// SPDX-License-Identifier: MIT
/*
 * dm_main.c: rivet-dm's entry: the command line, the log, signals, setup
 * (starting), the loop (serving) and teardown (stopping). docs/dm.md.
 *
 * Setup reports to --ready-fd: "ok\n" once the server is enabled, or
 * "error: REASON\n" after undoing what was done (exit 1). Nothing a DomU
 * does ends the loop: only SIGTERM/SIGINT, the domain being gone (checked
 * every second) or the ioreq server's fd failing.
 */
#define _GNU_SOURCE
#define _GNU_SOURCE   /* sched_setaffinity */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "consoled_proto.h"
#include "dm.h"
#include "dm_log.h"
#include "dm_request.h"

#define DM_LOG_DIR      "/var/log/rivet/dm"
#define TICK_MS         1000
#define PASSES_PER_WAKE 64
#define LAST_WORDS_MS   500   /* how long a stop waits for rivet-consoled to take the last output */
#define LAST_WORDS_ROUNDS 4   /* virtio console transmit rounds at a stop */

static struct dm the_dm;
static volatile sig_atomic_t stop_signal, stats_signal;
static uint64_t nr_wakeups;     /* events consumed from the ioreq server's fd */

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		stats_signal = 1;
	else
		stop_signal = sig;
}

/*
 * xl's requests (dm_request.h) wait here for the loop. The handler runs only
 * inside ppoll() or from take_pending_signals(), never beside the loop's
 * reading, so a plain ring does; a request that finds it full is dropped
 * (and said), as a press of a button nobody is watching.
 */
#define REQUESTS 16u
static volatile sig_atomic_t requests[REQUESTS];
static volatile sig_atomic_t req_head, req_count, req_overflow;

static void on_request(const siginfo_t *si)
{
	if (si->si_code != SI_QUEUE)
		return;   /* a plain kill carries no request */
	if (req_count == REQUESTS) {
		req_overflow++;
		return;
	}
	requests[(req_head + req_count) % REQUESTS] = si->si_value.sival_int;
	req_count++;
}

static void on_request_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	on_request(si);
}

static void log_stats(struct dm *dm)
{
	dm_log("stats: %llu synchronous, %llu posted, %llu notifications, %llu wakeups",
	       (unsigned long long)dm->io.nr_sync, (unsigned long long)dm->io.nr_posted,
	       (unsigned long long)dm->io.nr_notify, (unsigned long long)nr_wakeups);
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Signals that came while ppoll() returned ready fds: the kernel delivers a
 * pending signal only when ppoll() is interrupted, so a guest that keeps us
 * busy would otherwise keep SIGTERM out for good.
 */
static void take_pending_signals(const sigset_t *blocked)
{
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	int sig;
	while ((sig = sigtimedwait(blocked, &si, &zero)) > 0) {
		if (sig == DM_REQUEST_SIGNAL)
			on_request(&si);
		else
			on_signal(sig);
	}
}

/*
 * The guest's last words: posted transmit bytes and notifies still in the
 * ring, then what is buffered; the virtio console's held-back transmit
 * chains once the first flush made room.
 */
static void last_words(struct dm *dm)
{
	dm_ioreq_drain(&dm->io);
	if (dm->args.serial)
		dm_console_flush(&dm->con, LAST_WORDS_MS);
	if (dm->vcons) {
		struct virtio_mmio *t = &dm->slot[dm->vcons_slot];
		dm_console_flush(&dm->vcon, LAST_WORDS_MS);
		virtio_console_resume(dm->vcons, t);
		/* A few queues' worth: a guest still running may keep adding chains. */
		for (unsigned round = 0; round < LAST_WORDS_ROUNDS && virtio_mmio_pending(t); round++)
			virtio_mmio_poll(t);
		dm_console_flush(&dm->vcon, LAST_WORDS_MS);
	}
}

/* Console input into the devices, their output on its way (after each pass and each wakeup). */
static void feed_consoles(struct dm *dm)
{
	if (dm->args.serial) {
		dm_console_feed(&dm->con, &dm->uart);
		dm_machine_cache_uart(dm);
	}
	if (dm->vcons)
		dm_console_feed_virtio(&dm->vcon, dm->vcons, &dm->slot[dm->vcons_slot]);
}

/*
 * A stop asked for (SIGTERM: xl destroy, xl dm-restart): the state is left
 * for a successor, never reset. The domain is paused first (the microvisor
 * would pause it anyway when the server goes), so that nothing is posted
 * after the ring's last drain; then the arena says nothing was lost.
 */
static void stop_for_successor(struct dm *dm)
{
	int rc = xc_domain_pause(dm->xc, dm->args.domid);
	if (rc < 0 && rc != XC_ENODOMAIN)
		dm_log("cannot pause domain %u before stopping: %s", dm->args.domid, xc_strerror(rc));
	last_words(dm);
	if (rc == 0)
		dm_state_set_clean(&dm->state, 1);
}

/*
 * The guest's vCPU count, as the microvisor has it (xl vcpu-set set it
 * there first), onto the button's vCPU axis when it differs from what the
 * guest was given: at start, after a restart (a request may have gone to
 * nobody meanwhile), and on xl's request.
 */
static void sync_vcpus(struct dm *dm)
{
	struct rivet_domain_info info;
	int rc = xc_domain_getinfo(dm->xc, dm->args.domid, &info);

	if (rc < 0 || info.domid != dm->args.domid) {
		dm_log("cannot read domain %u's vCPU count: %s", dm->args.domid,
		       rc < 0 ? xc_strerror(rc) : "no such domain");
		return;
	}
	if (info.avail_vcpus == dm->button.st->vcpus)
		return;
	rc = virtio_input_set_vcpus(&dm->button, &dm->slot[DM_BUTTON_SLOT], info.avail_vcpus);
	if (rc == -2)
		dm_log("the microvisor's vCPU count %u is outside 1..%u: not sent", info.avail_vcpus,
		       dm->args.vcpus);
	else
		dm_log("vCPUs: %u of %u available%s", info.avail_vcpus, dm->args.vcpus,
		       rc ? ": the guest has no driver for the button yet, told when it has" : ", sent");
}

/* A balloon request (docs/dm.md "The balloon"): xl checked it against its record already. */
static void carry_out_balloon(struct dm *dm, int req)
{
	uint64_t pages = (uint64_t)(req & DM_REQUEST_MEM_PAGES_MASK);
	int target = (req & ~DM_REQUEST_MEM_PAGES_MASK) == DM_REQUEST_MEM_TARGET_BIT;
	int r = target ? virtio_balloon_set_target(&dm->balloon, &dm->slot[DM_BALLOON_SLOT], pages)
		       : virtio_balloon_set_max(&dm->balloon, pages);
	dm_log("balloon: %s %llu KiB%s (the domain has %llu KiB)", target ? "target" : "maximum",
	       (unsigned long long)pages * 4, r < 0 ? ": refused (out of range)" : "",
	       (unsigned long long)virtio_balloon_current(&dm->balloon) * 4);
}

/* One of xl's requests: the power button's keys pressed (docs/dm.md "The power button"), or the balloon's. */
static void carry_out(struct dm *dm, int req)
{
	if (req == DM_REQUEST_VCPUS) {
		sync_vcpus(dm);
		return;
	}

	struct virtio_mmio *t = &dm->slot[DM_BUTTON_SLOT];
	const char *what;
	char sysrq[32];
	int r;

	if ((req & ~DM_REQUEST_MEM_PAGES_MASK) == DM_REQUEST_MEM_TARGET_BIT ||
	    (req & ~DM_REQUEST_MEM_PAGES_MASK) == DM_REQUEST_MEM_MAX_BIT) {
		carry_out_balloon(dm, req);
		return;
	}
	if (req == DM_REQUEST_POWER) {
		what = "power";
		r = virtio_input_press(&dm->button, t, VIRTIO_INPUT_KEY_POWER);
	} else if (req == DM_REQUEST_RESTART) {
		what = "restart";
		r = virtio_input_press(&dm->button, t, VIRTIO_INPUT_KEY_RESTART);
	} else if ((req & ~0xff) == DM_REQUEST_SYSRQ_BIT && dm_request_sysrq_key_ok((char)(req & 0xff))) {
		snprintf(sysrq, sizeof sysrq, "sysrq %c", (char)(req & 0xff));
		what = sysrq;
		r = virtio_input_sysrq(&dm->button, t, (char)(req & 0xff));
	} else {
		dm_log("ignored an unknown request %#x", (unsigned)req);
		return;
	}
	if (r == 0)
		dm_log("pressed: %s", what);
	else
		dm_log("pressed: %s, but the guest has no driver for the button (or %u events wait): dropped",
		       what, VIRTIO_INPUT_PENDING_MAX);
}

static void take_requests(struct dm *dm)
{
	if (req_overflow) {
		dm_log("%d requests dropped: more than %u at once", (int)req_overflow, REQUESTS);
		req_overflow = 0;
	}
	while (req_count) {
		int req = requests[req_head];
		req_head = (req_head + 1) % REQUESTS;
		req_count--;
		carry_out(dm, req);
	}
}

static int ready_fd = -1;

/* Tells xl how setup went; -1 if xl is no longer there to hear it. */
static int report_ready(const char *fmt, ...)
{
	char line[320];
	va_list ap;
	int n, rc;

	if (ready_fd < 0)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	rc = write_all(ready_fd, line, (size_t)n);
	close(ready_fd);
	ready_fd = -1;
	return rc;
}

static int mkdir_p(const char *dir)
{
	char p[256];
	if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* stderr to the log file; stdin and stdout to /dev/null. */
static int open_log(const struct dm_args *a, char *err, size_t errlen)
{
	char path[256];
	const char *p = a->log;

	if (!p) {
		if (mkdir_p(DM_LOG_DIR) < 0) {
			snprintf(err, errlen, "cannot create %s: %s", DM_LOG_DIR, strerror(errno));
			return -1;
		}
		snprintf(path, sizeof path, "%s/%s.log", DM_LOG_DIR, a->name);
		p = path;
	}
	int fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the log %.200s: %s", p, strerror(errno));
		return -1;
	}
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (null > 2)
			close(null);
	}
	dup2(fd, 2);
	close(fd);
	return 0;
}

static int open_disks(struct dm *dm, char *err, size_t errlen)
{
	for (unsigned i = 0; i < dm->args.nr_disks; i++) {
		const struct dm_disk_arg *d = &dm->args.disk[i];
		struct stat st;
		int fd = open(d->path, (d->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "disk %u: cannot open %s %s: %s", i, d->path,
				 d->readonly ? "read-only" : "read-write", strerror(errno));
			return -1;
		}
		dm->disk_fd[i] = fd;
		if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
			snprintf(err, errlen, "disk %u: %s is not a file or block device", i, d->path);
			return -1;
		}
		off_t end = lseek(fd, 0, SEEK_END);
		if (end < 0) {
			snprintf(err, errlen, "disk %u: cannot size %s: %s", i, d->path, strerror(errno));
			return -1;
		}
		dm->disk_size[i] = (uint64_t)end;
		if (end % VIRTIO_BLK_SECTOR_SIZE)
			dm_log("disk %u: %s is %lld bytes; the guest sees whole 512-byte sectors", i,
			       d->path, (long long)end);
	}
	return 0;
}

static void notify(void *ctx)
{
	struct dm *dm = ctx;
	static uint64_t errors;
	int rc = xc_evtchn_notify(dm->xc, dm->srv_fd);
	if (rc < 0 && errors++ % 1000 == 0)
		dm_log("cannot notify the microvisor: %s (%llu failures)", xc_strerror(rc),
		       (unsigned long long)errors);
}

static void after_pass(void *ctx)
{
	feed_consoles(ctx);
}

static void teardown(struct dm *dm)
{
	if (dm->srv_fd >= 0) {
		/* Its ranges go with it; a DomU that could still run is paused by the microvisor. */
		int rc = xc_ioreq_server_destroy(dm->xc, dm->srv_fd, dm->page);
		if (rc < 0)
			dm_log("destroying the ioreq server: %s", xc_strerror(rc));
		dm->srv_fd = -1;
		dm->page = NULL;
		dm->nr_ranges = 0;
		dm->enabled = 0;
	}
	if (dm->mem.host) {
		int rc = xc_unmap_foreign(dm->xc, dm->mem.host, dm->mem.size / XC_PAGE_SIZE);
		if (rc < 0)
			dm_log("unmapping the guest's RAM: %s", xc_strerror(rc));
		dm->mem.host = NULL;
	}
	dm_machine_free(dm);
	dm_net_close(dm);         /* before the arena goes: its counters are read from there */
	dm_state_file_close(dm);
	dm_console_close(&dm->con);
	dm_console_close(&dm->vcon);
	for (unsigned i = 0; i < DM_MAX_DISKS; i++) {
		if (dm->disk_fd[i] >= 0)
			close(dm->disk_fd[i]);
		dm->disk_fd[i] = -1;
	}
	if (dm->xc)
		xc_close(dm->xc);
	dm->xc = NULL;
}

/*
 * The ioreq server. Resuming, the predecessor's may outlive its process for
 * a moment (the kernel drops its flock and closes its server fd in no
 * promised order): EBUSY is tried again for a while.
 */
static int create_server(struct dm *dm)
{
	for (int tries = 0;; tries++) {
		int rc = xc_ioreq_server_create(dm->xc, dm->args.domid, &dm->srv_fd, &dm->port, &dm->page);
		if (rc != XC_EBUSY || !dm->args.resume || tries == 100)
			return rc;
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

static int setup(struct dm *dm, char *err, size_t errlen)
{
	const struct dm_args *a = &dm->args;
	void *ram = NULL;
	int rc;

	dm_console_init(&dm->con, a->domid, CONSOLED_SOURCE_SERIAL);
	dm_console_init(&dm->vcon, a->domid, CONSOLED_SOURCE_VIRTIO);
	if (open_disks(dm, err, errlen) < 0 || dm_net_open(dm, err, errlen) < 0)
		return -1;
	/* Before anything touches the domain: a state file that is not this life's is refused here. */
	if (dm_state_file_open(dm, &dm->was_clean, err, errlen) < 0)
		return -1;
	if ((rc = xc_open(&dm->xc)) < 0) {
		dm->xc = NULL;
		snprintf(err, errlen, "cannot open the Rivet driver: %s", xc_strerror(rc));
		return -1;
	}
	/* With holes: a resumed balloon's pages are out (its map in the arena says which). */
	rc = xc_map_foreign_holes(dm->xc, a->domid, a->ram_base, a->ram_size / XC_PAGE_SIZE, &ram);
	if (rc < 0) {
		snprintf(err, errlen, "cannot map domain %u's RAM %#llx+%#llx: %s", a->domid,
			 (unsigned long long)a->ram_base, (unsigned long long)a->ram_size,
			 xc_strerror(rc));
		return -1;
	}
	dm->mem = (struct dm_mem){ .host = ram, .gpa = a->ram_base, .size = a->ram_size };
	if (dm_machine_build(dm, err, errlen) < 0)
		return -1;
	dm_state_seal(&dm->state);
	rc = create_server(dm);
	if (rc < 0) {
		dm->srv_fd = -1;
		snprintf(err, errlen, "cannot create the ioreq server: %s", xc_strerror(rc));
		return -1;
	}
	dm_ioreq_init(&dm->io, dm->page, a->vcpus, &dm->bus, notify, after_pass, dm);
	dm->io.trace = a->trace;
	dm_machine_cache_init(dm);
	if (dm_machine_map_ranges(dm, err, errlen) < 0)
		return -1;
	dm_machine_resume(dm);
	/* Accesses the predecessor left unanswered come again, to us, from here on. */
	if ((rc = xc_ioreq_enable(dm->xc, a->domid, 1)) < 0) {
		snprintf(err, errlen, "cannot enable the ioreq server: %s", xc_strerror(rc));
		return -1;
	}
	dm->enabled = 1;
	return 0;
}

/*
 * Whether the domain is gone (or going): no such domain, dying or shut
 * down. *PAUSED: whether it is paused (-1: not known).
 */
static int domain_gone(struct dm *dm, const char **why, int *paused)
{
	struct rivet_domain_info info;
	static uint64_t errors;
	int rc = xc_domain_getinfo(dm->xc, dm->args.domid, &info);

	*paused = -1;
	if (rc == XC_ENODOMAIN || (rc >= 0 && info.domid != dm->args.domid)) {
		*why = "no longer exists";
		return 1;
	}
	if (rc < 0) {
		if (errors++ % 60 == 0)
			dm_log("cannot get domain %u's state: %s", dm->args.domid, xc_strerror(rc));
		return 0;
	}
	if (info.state & RIVET_DOMSTATE_DYING) {
		*why = "is dying";
		return 1;
	}
	if (info.state & RIVET_DOMSTATE_SHUTDOWN) {
		*why = "has shut down";
		return 1;
	}
	*paused = !!(info.state & RIVET_DOMSTATE_PAUSED);
	return 0;
}

static int serve(struct dm *dm, const sigset_t *waitmask, const sigset_t *blocked)
{
	int64_t next_tick = dm_now_ms();
	int work_left = 0;

	for (;;) {
		struct pollfd pfd[3 + DM_MAX_NICS];
		nfds_t n = 1, con_at = 0, vcon_at = 0, net;
		short con_events = 0;
		int64_t now = dm_now_ms();

		if (stop_signal) {
			dm_log("stopping: %s", strsignal(stop_signal));
			stop_for_successor(dm);
			return 0;
		}
		if (stats_signal) {
			stats_signal = 0;
			log_stats(dm);
		}
		take_requests(dm);
		if (now >= next_tick) {
			const char *why;
			int paused;
			if (domain_gone(dm, &why, &paused)) {
				dm_log("domain gone: domain %u %s; stopping", dm->args.domid, why);
				last_words(dm);
				return 0;
			}
			if (dm->args.serial)
				dm_console_tick(&dm->con, now);
			if (dm->args.console)
				dm_console_tick(&dm->vcon, now);
			dm_machine_resync_irqs(dm);
			dm_machine_watchdog(dm, paused);
			virtio_balloon_tick(&dm->balloon, &dm->slot[DM_BALLOON_SLOT]);
			next_tick = now + TICK_MS;
		}

		pfd[0] = (struct pollfd){ .fd = dm->srv_fd, .events = POLLIN };
		if (dm->args.serial) {
			int cfd = dm_console_pollfd(&dm->con, &con_events);
			if (cfd >= 0 && con_events) {
				con_at = n;
				pfd[n++] = (struct pollfd){ .fd = cfd, .events = con_events };
			}
		}
		if (dm->args.console) {
			int cfd = dm_console_pollfd(&dm->vcon, &con_events);
			if (cfd >= 0 && con_events) {
				vcon_at = n;
				pfd[n++] = (struct pollfd){ .fd = cfd, .events = con_events };
			}
		}
		net = n;
		n += dm_net_pollfds(dm, pfd + net);
		int64_t wait = work_left ? 0 : next_tick - now;
		int64_t wdt = dm_machine_watchdog(dm, -1);   /* an expiry due now happens here */
		if (wdt >= 0 && wdt < wait)
			wait = wdt;
		struct timespec ts = { .tv_sec = wait / 1000, .tv_nsec = (wait % 1000) * 1000000 };
		int r = ppoll(pfd, n, &ts, waitmask);
		int poll_errno = errno;   /* sigtimedwait() below sets errno when nothing is pending */
		take_pending_signals(blocked);
		if (r < 0) {
			if (poll_errno == EINTR)
				continue;
			dm_log("poll: %s", strerror(poll_errno));
			return -1;
		}
		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			dm_log("the ioreq server's fd failed (revents %#x); stopping", pfd[0].revents);
			return -1;
		}
		if (pfd[0].revents & POLLIN) {
			uint32_t port;
			int rc = xc_evtchn_pending(dm->xc, dm->srv_fd, &port);
			if (rc < 0 && rc != XC_EAGAIN) {
				dm_log("reading the ioreq server's event: %s; stopping", xc_strerror(rc));
				return -1;
			}
			nr_wakeups++;
		}
		/* Cheap when idle: a look at the ring indices and the slots' states. */
		work_left = dm_ioreq_serve(&dm->io, PASSES_PER_WAKE);
		work_left |= dm_machine_poll(dm);
		work_left |= dm_net_events(dm, pfd + net);
		if (con_at)
			dm_console_event(&dm->con, pfd[con_at].revents);
		if (vcon_at)
			dm_console_event(&dm->vcon, pfd[vcon_at].revents);
		feed_consoles(dm);
	}
}

int main(int argc, char **argv)
{
	struct dm *dm = &the_dm;
	char err[256];
	sigset_t block, waitmask;
	struct sigaction sa;

	dm->srv_fd = -1;
	dm->con.fd = dm->vcon.fd = -1;   /* a failure before the consoles' init closes nothing */
	dm->state_fd = -1;
	for (unsigned i = 0; i < DM_MAX_DISKS; i++)
		dm->disk_fd[i] = -1;
	for (unsigned i = 0; i < DM_MAX_NICS; i++)
		dm->nic[i].fd = -1;

	if (dm_args_parse(argc, argv, &dm->args, err, sizeof err) < 0) {
		ready_fd = dm->args.ready_fd;
		if (ready_fd >= 0 && fcntl(ready_fd, F_GETFD) < 0)
			ready_fd = -1;
		fprintf(stderr, "rivet-dm: %s\n", err);
		report_ready("error: %s\n", err);
		return 1;
	}
	ready_fd = dm->args.ready_fd;
	if (fcntl(ready_fd, F_GETFD) < 0) {
		fprintf(stderr, "rivet-dm: --ready-fd %d: %s\n", ready_fd, strerror(errno));
		return 1;
	}
	if (ready_fd <= 2) {
		/* Out of the way of the stdio descriptors we redirect. */
		int fd = fcntl(ready_fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0) {
			fprintf(stderr, "rivet-dm: --ready-fd %d: %s\n", ready_fd, strerror(errno));
			return 1;
		}
		ready_fd = fd;
	} else {
		fcntl(ready_fd, F_SETFD, FD_CLOEXEC);
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = NULL;
	sa.sa_sigaction = on_request_signal;
	sa.sa_flags = SA_SIGINFO;
	sigaction(DM_REQUEST_SIGNAL, &sa, NULL);
	/* Delivered only inside ppoll(), so a signal never falls between the check and the wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, DM_REQUEST_SIGNAL);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGUSR1);
	sigdelset(&waitmask, DM_REQUEST_SIGNAL);

	if (!dm->args.foreground) {
		setsid();
		if (open_log(&dm->args, err, sizeof err) < 0) {
			fprintf(stderr, "rivet-dm: %s\n", err);
			report_ready("error: %s\n", err);
			return 1;
		}
	}
	/*
	 * Dom0's event interrupt arrives on its CPU 0 (the driver's VSEIP): waking
	 * this process there is a local wake-up, elsewhere an IPI through the
	 * microvisor and the firmware on every request. Best effort.
	 */
	cpu_set_t cpu0;
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof cpu0, &cpu0) < 0)
		dm_log("cannot run on CPU 0 with the event interrupt: %s", strerror(errno));
	dm_log("starting for domain %u '%s': %u vCPUs, RAM %#llx+%#llx, %s, %u disk(s)%s",
	       dm->args.domid, dm->args.name, dm->args.vcpus,
	       (unsigned long long)dm->args.ram_base, (unsigned long long)dm->args.ram_size,
	       dm->args.serial ? "serial" : "no serial", dm->args.nr_disks,
	       dm->args.console ? ", virtio console" : "");
	for (unsigned i = 0; i < dm->args.nr_disks; i++)
		dm_log("disk %u: %s (%s)", i, dm->args.disk[i].path,
		       dm->args.disk[i].readonly ? "read-only" : "read-write");
	for (unsigned i = 0; i < dm->args.nr_nics; i++) {
		const uint8_t *m = dm->args.nic[i].mac;
		dm_log("nic %u: tap %s, mac %02x:%02x:%02x:%02x:%02x:%02x, offloads %s", i,
		       dm->args.nic[i].tap, m[0], m[1], m[2], m[3], m[4], m[5],
		       dm->args.nic[i].offload ? "on" : "off");
	}

	if (setup(dm, err, sizeof err) < 0) {
		dm_log("cannot start: %s", err);
		teardown(dm);
		report_ready("error: %s\n", err);
		return 1;
	}
	dm_log("serving domain %u: ioreq port %u, %u ranges", dm->args.domid, dm->port,
	       dm->nr_ranges);
	if (dm->state.resumed)
		dm_log("resumed: generation %llu of this domain's device state, after %s",
		       (unsigned long long)dm_state_generation(&dm->state),
		       dm->was_clean ? "an orderly stop" : "the old device model died (recovered)");
	sync_vcpus(dm);
	if (report_ready("ok\n") < 0) {
		/* xl gave up (or was interrupted) and undoes the domain: serving it would leak us. */
		dm_log("xl is gone: nobody started the domain; stopping");
		teardown(dm);
		return 1;
	}
	if (dm->args.serial)
		dm_console_tick(&dm->con, dm_now_ms());
	if (dm->args.console)
		dm_console_tick(&dm->vcon, dm_now_ms());

	int rc = serve(dm, &waitmask, &block);
	log_stats(dm);
	dm_log("%llu synchronous and %llu posted accesses served, %llu to no device",
	       (unsigned long long)dm->io.nr_sync, (unsigned long long)dm->io.nr_posted,
	       (unsigned long long)dm->bus.unclaimed);
	if (dm->args.serial && dm->con.out.dropped)
		dm_log("serial console: %llu bytes of output dropped in all",
		       (unsigned long long)dm->con.out.dropped);
	if (dm->vcons)
		dm_log("virtio console: %llu bytes out, %llu in, %llu dropped",
		       (unsigned long long)dm->vcons->st->tx_bytes,
		       (unsigned long long)dm->vcons->st->rx_bytes,
		       (unsigned long long)dm->vcon.out.dropped);
	teardown(dm);
	dm_log("stopped");
	return rc < 0 ? 1 : 0;
}
