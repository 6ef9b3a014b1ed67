// SPDX-License-Identifier: MIT
/* dm_cbuf.c: byte FIFO for the console (dm_cbuf.h). */
#include "dm_cbuf.h"

#include <string.h>

void dm_cbuf_init(struct dm_cbuf *c, uint8_t *storage, size_t cap)
{
	*c = (struct dm_cbuf){ .buf = storage, .cap = cap };
}

size_t dm_cbuf_put(struct dm_cbuf *c, const void *data, size_t len)
{
	const uint8_t *d = data;
	size_t room = c->cap - c->len, n = len < room ? len : room, done = 0;

	while (done < n) {
		size_t tail = (c->head + c->len) % c->cap;
		size_t run = c->cap - tail;
		if (run > n - done)
			run = n - done;
		memcpy(c->buf + tail, d + done, run);
		c->len += run;
		done += run;
	}
	return n;
}

void dm_cbuf_put_drop(struct dm_cbuf *c, const void *data, size_t len)
{
	const uint8_t *d = data;

	if (len > c->cap) {
		/* Only the last cap bytes can stay. */
		c->dropped += c->len + (len - c->cap);
		c->head = c->len = 0;
		d += len - c->cap;
		len = c->cap;
	}
	size_t room = c->cap - c->len;
	if (len > room)
		dm_cbuf_consume(c, len - room), c->dropped += len - room;
	dm_cbuf_put(c, d, len);
}

size_t dm_cbuf_peek(const struct dm_cbuf *c, const uint8_t **p)
{
	size_t run = c->cap - c->head;

	*p = c->buf + c->head;
	return c->len < run ? c->len : run;
}

void dm_cbuf_consume(struct dm_cbuf *c, size_t n)
{
	if (n > c->len)
		n = c->len;
	c->head = (c->head + n) % c->cap;
	c->len -= n;
	if (c->len == 0)
		c->head = 0;
}

size_t dm_cbuf_get(struct dm_cbuf *c, void *out, size_t len)
{
	uint8_t *o = out;
	size_t done = 0;

	while (done < len && c->len) {
		const uint8_t *p;
		size_t run = dm_cbuf_peek(c, &p);
		if (run > len - done)
			run = len - done;
		memcpy(o + done, p, run);
		dm_cbuf_consume(c, run);
		done += run;
	}
	return done;
}
