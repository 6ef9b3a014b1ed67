/* SPDX-License-Identifier: MIT */
/*
 * consoled.c: rivet-consoled, Dom0's console daemon. It sleeps in poll() on
 * two event channels (VIRQ_CONSOLE, VIRQ_DOM_EXC), its unix socket and its
 * clients, never on a timer. A console event drains every DomU's console
 * ring into /var/log/rivet/console/NAME.log and to the clients attached to
 * it; a DOM_EXC event carries out on_poweroff/on_reboot/on_crash for
 * domains that shut down, from the records `xl create` leaves in
 * /run/rivet/domains/.
 */
#define _GNU_SOURCE   /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "consoled_proto.h"
#include "consoled_util.h"

#define MAX_DOMS    256
#define MAX_CLIENTS 64
#define LINE_MAX_ATTACH 64

struct dom {
	int used, seen;
	uint32_t domid;
	char name[RIVET_NAME_MAX];
	int log_fd;
};

struct client {
	int fd;
	int attached;
	uint32_t domid;
	size_t len;
	char line[LINE_MAX_ATTACH];
};

static xc_handle *xch;
static struct dom doms[MAX_DOMS];
static struct client clients[MAX_CLIENTS];
static const char *log_dir = "/var/log/rivet";
static const char *xl_path = "xl";

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

static struct dom *dom_add(const struct rivet_domain_info *info)
{
	char path[600], name[RIVET_NAME_MAX + 16];
	unsigned i;

	for (i = 0; i < MAX_DOMS && doms[i].used; i++)
		;
	if (i == MAX_DOMS)
		return NULL;
	consoled_log_name(info->name, info->domid, name, sizeof name);
	snprintf(path, sizeof path, "%s/console/%s.log", log_dir, name);
	doms[i] = (struct dom){ 1, 1, info->domid, "", -1 };
	memcpy(doms[i].name, info->name, RIVET_NAME_MAX);
	doms[i].log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (doms[i].log_fd < 0)
		say("cannot open %s: %s (domain %u's output goes to clients only)", path,
		    strerror(errno), info->domid);
	return &doms[i];
}

static void dom_drop(struct dom *d)
{
	unsigned i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0 && clients[i].attached && clients[i].domid == d->domid)
			client_close(&clients[i]);
	if (d->log_fd >= 0)
		close(d->log_fd);
	memset(d, 0, sizeof *d);
	d->log_fd = -1;
}

static void drain(struct dom *d)
{
	char buf[XC_PAGE_SIZE];
	unsigned i, rounds;
	long n;

	/* Bounded, so one chatty domain cannot starve the others; the next event resumes it. */
	for (rounds = 0; rounds < 64 && (n = xc_console_read(xch, d->domid, buf, sizeof buf)) > 0;
	     rounds++) {
		if (d->log_fd >= 0 && write(d->log_fd, buf, (size_t)n) != n)
			say("writing the log of domain %u failed: %s", d->domid, strerror(errno));
		for (i = 0; i < MAX_CLIENTS; i++)
			if (clients[i].fd >= 0 && clients[i].attached && clients[i].domid == d->domid)
				send_client(&clients[i], buf, (size_t)n);
	}
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
		/* A reused id with another name is another domain. */
		if (d && strncmp(d->name, ds.v[i].name, RIVET_NAME_MAX)) {
			dom_drop(d);
			d = NULL;
		}
		if (!d)
			d = dom_add(&ds.v[i]);
		if (!d)
			continue;
		d->seen = 1;
		drain(d);
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

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp(argv[0], argv);
		say("cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	say("restarting '%s': %s create %s (pid %d)", rec->name, xl_path, rec->config, (int)pid);
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
	r = xl_domains_get(xch, &ds);
	if (r < 0) {
		say("cannot list domains: %s", xc_strerror(r));
		free(rec);
		return;
	}
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
		/* Its last words first. */
		d = dom_find(info->domid);
		if (d)
			drain(d);
		r = xc_domain_destroy(xch, info->domid);
		if (r < 0) {
			say("domain %u '%s' (%s): cannot destroy it: %s", info->domid, info->name,
			    consoled_reason_name(info->shutdown_reason), xc_strerror(r));
			continue;
		}
		xl_record_remove(info->domid);
		if (d)
			dom_drop(d);
		say("domain %u '%s' (%s): destroyed%s", info->domid, info->name,
		    consoled_reason_name(info->shutdown_reason),
		    act == CONSOLED_RESTART ? ", restarting it" : have ? "" : " (no record)");
		if (act == CONSOLED_RESTART)
			restart(rec);
	}
	xl_domains_free(&ds);
	free(rec);
}

static void reap(int sfd)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	while (read(sfd, &si, sizeof si) == sizeof si)
		;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			say("restart (pid %d) done", (int)pid);
		else
			say("restart (pid %d) failed (status %d): see the xl message above", (int)pid,
			    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
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
	struct dom *d;
	uint32_t domid;
	struct stat st;

	if (consoled_parse_attach(c->line, &domid) < 0) {
		static const char bad[] = "ERR expected ATTACH <domid>\n";

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
	c->attached = 1;
	c->domid = domid;
	send_client(c, "OK\n", 3);
	if (d->log_fd >= 0 && fstat(d->log_fd, &st) == 0 && st.st_size > 0) {
		char path[600], name[RIVET_NAME_MAX + 16];
		off_t from = st.st_size > CONSOLED_BACKLOG ? st.st_size - CONSOLED_BACKLOG : 0;
		int rfd;
		ssize_t n;

		consoled_log_name(d->name, d->domid, name, sizeof name);
		snprintf(path, sizeof path, "%s/console/%s.log", log_dir, name);
		rfd = open(path, O_RDONLY | O_CLOEXEC);
		if (rfd >= 0) {
			n = pread(rfd, buf, (size_t)(st.st_size - from), from);
			if (n > 0)
				send_client(c, buf, (size_t)n);
			close(rfd);
		}
	}
}

static void client_input(struct client *c)
{
	char buf[XC_PAGE_SIZE];
	ssize_t n = recv(c->fd, buf, sizeof buf, 0);
	ssize_t i = 0;

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
	/* Console input; what the domain's input ring cannot take now is dropped. */
	while (c->attached && i < n) {
		long w = xc_console_write(xch, c->domid, buf + i, (size_t)(n - i));

		if (w <= 0)
			break;
		i += w;
	}
}

static void usage(void)
{
	fprintf(stderr, "Usage: rivet-consoled [-f]\n  -f  stay in the foreground, log to stderr\n");
}

static void daemonize(void)
{
	char path[600];
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		perror("rivet-consoled: fork");
		exit(1);
	}
	if (pid > 0)
		_exit(0);
	setsid();
	snprintf(path, sizeof path, "%s/consoled.log", log_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
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

int main(int argc, char **argv)
{
	struct pollfd p[4 + MAX_CLIENTS];
	int con_fd, exc_fd, lfd, sfd, i, r, foreground = 0;
	uint32_t con_port, exc_port, port;
	char path[600];
	sigset_t chld;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f")) {
			foreground = 1;
		} else {
			usage();
			return 1;
		}
	}
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
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	if (!foreground)
		daemonize();
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	for (i = 0; i < MAX_DOMS; i++)
		doms[i].log_fd = -1;
	say("started: console virq on port %u, domain-exit virq on port %u", con_port, exc_port);

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
				idx[n - 4] = i;
				p[n++] = (struct pollfd){ clients[i].fd, POLLIN, 0 };
			}
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			say("poll: %s", strerror(errno));
			return 1;
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
			return 1;
		}
		if (p[3].revents & POLLIN)
			reap(sfd);
		for (i = 4; i < n; i++)
			if (p[i].revents && clients[idx[i - 4]].fd == p[i].fd)
				client_input(&clients[idx[i - 4]]);
		if (p[2].revents & POLLIN)
			accept_client(lfd);
	}
}
