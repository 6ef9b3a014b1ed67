// SPDX-License-Identifier: MIT
/*
 * dm_console.c: the connections of the emulated UART and of the virtio
 * console to rivet-consoled, which logs a DomU's consoles and serves `xl
 * console`. One unix stream socket per console to <run dir>/consoled.sock
 * (run dir: $RIVET_RUN_DIR or /run/rivet, as xl and consoled use); we send
 * "SOURCE <domid> serial|virtio\n" and wait for "OK\n" (anything else is a
 * refusal); then the guest's output goes there and the bytes that come back
 * are the guest's input.
 *
 * Output waits in a 64 KiB FIFO while consoled is slow or absent: when full
 * the oldest bytes go, counted and logged at most every 10 s (the virtio
 * console instead stops taking the guest's output while consoled is
 * connected but slow: dm_console_virtio_io). Input waits in a small FIFO
 * until the device has room (its receive FIFO drains as the
 * guest reads RBR); while that FIFO is full we stop reading the socket, so
 * consoled holds the rest. A missing or closing consoled never stops the
 * daemon: we retry every second and log only changes of state.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "consoled_proto.h"
#include "dm.h"
#include "dm_log.h"

#define RETRY_MS           1000
#define HANDSHAKE_MS       5000
#define DROP_LOG_EVERY_MS  10000

int64_t dm_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t dm_now_ms(void)
{
	return dm_now_ns() / 1000000;
}

void dm_console_init(struct dm_console *c, uint32_t domid, const char *kind)
{
	c->domid = domid;
	c->kind = kind;
	c->fd = -1;
	c->state = DM_CON_DOWN;
	c->last_try_ms = INT64_MIN / 2;
	c->down_logged = 0;
	c->reply_len = 0;
	dm_cbuf_init(&c->out, c->out_buf, sizeof c->out_buf);
	dm_cbuf_init(&c->in, c->in_buf, sizeof c->in_buf);
	c->dropped_logged = 0;
	c->dropped_log_ms = 0;
}

void dm_console_tx(void *con, uint8_t byte)
{
	struct dm_console *c = con;
	dm_cbuf_put_drop(&c->out, &byte, 1);
}

static void drop_connection(struct dm_console *c, const char *why)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (why && (c->state == DM_CON_UP || !c->down_logged)) {
		dm_log("%s console: %s; output is buffered, retrying every second", c->kind, why);
		c->down_logged = 1;
	}
	c->state = DM_CON_DOWN;
	c->reply_len = 0;
	/* Input typed for the last connection's guest prompt is stale for the next one. */
	dm_cbuf_consume(&c->in, dm_cbuf_len(&c->in));
}

void dm_console_close(struct dm_console *c)
{
	drop_connection(c, NULL);
}

static void try_connect(struct dm_console *c, int64_t now)
{
	struct sockaddr_un sa;
	const char *dir = getenv("RIVET_RUN_DIR");
	char why[160], hello[32];

	c->last_try_ms = now;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (!dir || !*dir)
		dir = "/run/rivet";
	if ((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/%s", dir, CONSOLED_SOCK_NAME) >=
	    sizeof sa.sun_path) {
		drop_connection(c, "the consoled socket path is too long");
		return;
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(why, sizeof why, "socket: %s", strerror(errno));
		drop_connection(c, why);
		return;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		snprintf(why, sizeof why, "cannot reach rivet-consoled at %s: %s", sa.sun_path,
			 strerror(errno));
		drop_connection(c, why);
		return;
	}
	int n = snprintf(hello, sizeof hello, "SOURCE %u %s\n", c->domid, c->kind);
	if (send(c->fd, hello, n, MSG_NOSIGNAL) != n) {
		snprintf(why, sizeof why, "cannot talk to rivet-consoled: %s", strerror(errno));
		drop_connection(c, why);
		return;
	}
	c->state = DM_CON_HANDSHAKE;
	c->since_ms = now;
	c->reply_len = 0;
}

int dm_console_pollfd(struct dm_console *c, short *events)
{
	*events = 0;
	if (c->fd < 0)
		return -1;
	if (c->state == DM_CON_HANDSHAKE) {
		*events = POLLIN;
	} else {
		if (dm_cbuf_room(&c->in))
			*events |= POLLIN;
		if (dm_cbuf_len(&c->out))
			*events |= POLLOUT;
	}
	return c->fd;
}

/* Reads the handshake line; returns bytes of DATA past it (input), or -1 when refused. */
static long handshake(struct dm_console *c, const char *data, long n)
{
	for (long i = 0; i < n; i++) {
		if (data[i] != '\n') {
			if (c->reply_len < sizeof c->reply - 1)
				c->reply[c->reply_len++] = data[i];
			continue;
		}
		c->reply[c->reply_len] = 0;
		if (strcmp(c->reply, "OK")) {
			char why[sizeof c->reply + 48];
			snprintf(why, sizeof why, "rivet-consoled refused: '%s'", c->reply);
			drop_connection(c, why);
			return -1;
		}
		c->state = DM_CON_UP;
		c->down_logged = 0;
		dm_log("%s console: connected to rivet-consoled", c->kind);
		return n - i - 1;
	}
	return 0;
}

static void flush_out(struct dm_console *c)
{
	while (c->state == DM_CON_UP && dm_cbuf_len(&c->out)) {
		const uint8_t *p;
		size_t run = dm_cbuf_peek(&c->out, &p);
		ssize_t w = send(c->fd, p, run, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			dm_cbuf_consume(&c->out, (size_t)w);
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		drop_connection(c, "rivet-consoled closed the connection");
		return;
	}
}

void dm_console_flush(struct dm_console *c, int64_t ms)
{
	int64_t end = dm_now_ms() + ms;
	while (c->state == DM_CON_UP && dm_cbuf_len(&c->out)) {
		int64_t left = end - dm_now_ms();
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return;
		flush_out(c);
	}
}

void dm_console_event(struct dm_console *c, short revents)
{
	char buf[DM_CON_IN_BYTES];

	if (c->fd < 0 || !revents)
		return;
	if (revents & POLLIN) {
		size_t want = c->state == DM_CON_HANDSHAKE ? sizeof buf : dm_cbuf_room(&c->in);
		if (want > sizeof buf)
			want = sizeof buf;
		ssize_t n = want ? recv(c->fd, buf, want, MSG_DONTWAIT) : 0;
		if (want && n == 0) {
			drop_connection(c, "rivet-consoled closed the connection");
			return;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			drop_connection(c, "rivet-consoled connection failed");
			return;
		}
		if (n > 0) {
			const char *data = buf;
			if (c->state == DM_CON_HANDSHAKE) {
				long rest = handshake(c, buf, n);
				if (rest < 0)
					return;
				data = buf + (n - rest);
				n = rest;
			}
			/* Never more than the room asked for, except bytes after the OK line. */
			dm_cbuf_put(&c->in, data, (size_t)n);
		}
	} else if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		drop_connection(c, "rivet-consoled closed the connection");
		return;
	}
	if (revents & POLLOUT)
		flush_out(c);
}

void dm_console_feed(struct dm_console *c, struct uart16550 *u)
{
	while (dm_cbuf_len(&c->in)) {
		size_t room = uart_rx_room(u);
		if (!room)
			break;
		const uint8_t *p;
		size_t run = dm_cbuf_peek(&c->in, &p);
		size_t took = uart_receive(u, p, run < room ? run : room);
		if (!took)
			break;
		dm_cbuf_consume(&c->in, took);
	}
	/* The guest's output since the last call goes out now rather than after the next poll(). */
	if (c->state == DM_CON_UP && dm_cbuf_len(&c->out))
		flush_out(c);
}

/*
 * While consoled is connected, the guest's output waits in its queue for
 * room in the FIFO (virtio's flow control: a slow or rate-limited consoled
 * holds the guest back). While it is not, output is taken and the oldest
 * dropped, as the UART's, so a missing daemon never stalls the guest.
 */
static size_t virtio_room(void *ctx)
{
	struct dm_console *c = ctx;
	return c->state == DM_CON_UP ? dm_cbuf_room(&c->out) : SIZE_MAX;
}

static void virtio_out(void *ctx, const uint8_t *p, size_t n)
{
	struct dm_console *c = ctx;
	dm_cbuf_put_drop(&c->out, p, n);
}

const struct virtio_console_io dm_console_virtio_io = { virtio_room, virtio_out };

void dm_console_feed_virtio(struct dm_console *c, struct virtio_console *v, struct virtio_mmio *t)
{
	while (dm_cbuf_len(&c->in)) {
		const uint8_t *p;
		size_t run = dm_cbuf_peek(&c->in, &p);
		size_t took = virtio_console_receive(v, t, p, run);
		if (!took)
			break;
		dm_cbuf_consume(&c->in, took);
	}
	if (c->state == DM_CON_UP && dm_cbuf_len(&c->out))
		flush_out(c);
	virtio_console_resume(v, t);
}

void dm_console_tick(struct dm_console *c, int64_t now)
{
	if (c->state == DM_CON_DOWN && now - c->last_try_ms >= RETRY_MS)
		try_connect(c, now);
	else if (c->state == DM_CON_HANDSHAKE && now - c->since_ms >= HANDSHAKE_MS)
		drop_connection(c, "rivet-consoled did not answer");
	if (c->out.dropped != c->dropped_logged && now - c->dropped_log_ms >= DROP_LOG_EVERY_MS) {
		dm_log("%s console: %llu bytes of guest output dropped (%llu in all): rivet-consoled %s",
		       c->kind, (unsigned long long)(c->out.dropped - c->dropped_logged),
		       (unsigned long long)c->out.dropped,
		       c->state == DM_CON_UP ? "is not keeping up" : "is not connected");
		c->dropped_logged = c->out.dropped;
		c->dropped_log_ms = now;
	}
}
