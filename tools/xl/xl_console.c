/* SPDX-License-Identifier: MIT */
/*
 * xl_console.c: `xl console`, a client of rivet-consoled. Sends
 * "ATTACH <domid>\n" (all the domain's consoles) or "ATTACH <domid> <console>\n"
 * (one of them), reads the daemon's "OK\n" or "ERR reason\n", then
 * copies the socket to the terminal and the terminal to the socket, in raw
 * mode, until Ctrl-] (as Xen) or the daemon closes the connection.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "consoled_proto.h"
#include "xl.h"
#include "fileio.h"

#define DETACH_CHAR 0x1d   /* Ctrl-] */
#define ANSWER_MS   5000   /* the daemon answers ATTACH at once; a stopped one never does */

static int connect_daemon(void)
{
	struct sockaddr_un sa;
	int fd;

	if (xl_consoled_sockaddr(&sa) < 0)
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

int xl_consoled_running(void)
{
	int fd = connect_daemon();

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* Reads the daemon's one status line byte by byte, so no console byte is lost. */
static int read_status(int fd, char *line, size_t size)
{
	struct pollfd p = { fd, POLLIN, 0 };
	size_t n = 0;

	while (n + 1 < size) {
		ssize_t r;
		int k = poll(&p, 1, ANSWER_MS);

		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0)
			return -ETIMEDOUT;
		r = read(fd, line + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (line[n] == '\n') {
			line[n] = '\0';
			return 0;
		}
		n++;
	}
	return -1;
}

int xl_console_attach(uint32_t domid, const char *name, const char *con)
{
	struct termios saved, raw;
	struct pollfd p[2];
	char buf[4096], status[256];
	int fd, tty, in_open = 1, rc = XL_EXIT_OK, r;

	fd = connect_daemon();
	if (fd == -ECONNREFUSED || fd == -ENOENT) {
		xl_err("console: rivet-consoled is not running (nothing listens on %s/%s)",
		       xl_run_dir(), CONSOLED_SOCK_NAME);
		return XL_EXIT_FAIL;
	}
	if (fd < 0) {
		xl_err("console: cannot reach rivet-consoled at %s/%s: %s", xl_run_dir(),
		       CONSOLED_SOCK_NAME, strerror(-fd));
		return XL_EXIT_FAIL;
	}
	snprintf(buf, sizeof buf, "ATTACH %u%s%s\n", domid, con ? " " : "", con ? con : "");
	r = fd_write_all(fd, buf, strlen(buf)) < 0 ? -1 : read_status(fd, status, sizeof status);
	if (r < 0) {
		if (r == -ETIMEDOUT)
			xl_err("console: rivet-consoled did not answer within %d s (is it stopped?)",
			       ANSWER_MS / 1000);
		else
			xl_err("console: rivet-consoled closed the connection");
		close(fd);
		return XL_EXIT_FAIL;
	}
	if (strcmp(status, "OK")) {
		xl_err("console: domain %s%s%u: %s", name ? name : "", name ? " " : "", domid,
		       strncmp(status, "ERR ", 4) ? status : status + 4);
		close(fd);
		return XL_EXIT_FAIL;
	}

	tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	for (;;) {
		p[0] = (struct pollfd){ fd, POLLIN, 0 };
		p[1] = (struct pollfd){ in_open ? STDIN_FILENO : -1, POLLIN, 0 };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = XL_EXIT_FAIL;
			break;
		}
		if (p[0].revents) {
			ssize_t n = read(fd, buf, sizeof buf);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;           /* the daemon hung up: the domain is gone */
			if (fd_write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				break;
		}
		if (p[1].revents) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
			char *det;

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				/* Input ended (a script): say so, keep printing until the daemon hangs up. */
				shutdown(fd, SHUT_WR);
				in_open = 0;
				continue;
			}
			det = memchr(buf, DETACH_CHAR, (size_t)n);
			if (fd_write_all(fd, buf, det ? (size_t)(det - buf) : (size_t)n) < 0 || det)
				break;
		}
	}
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(fd);
	return rc;
}
