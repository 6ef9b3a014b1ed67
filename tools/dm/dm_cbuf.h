/* SPDX-License-Identifier: MIT */
/*
 * dm_cbuf.h: a byte FIFO over caller-given storage, for the UART's console
 * output (waiting for rivet-consoled: when full, the oldest bytes go and are
 * counted) and its input (waiting for room in the UART: when full, the
 * writer stops taking bytes). No allocation.
 */
#ifndef RIVET_DM_CBUF_H
#define RIVET_DM_CBUF_H
#include <stddef.h>
#include <stdint.h>

struct dm_cbuf {
	uint8_t *buf;
	size_t cap;        /* bytes of buf, > 0 */
	size_t head;       /* index of the oldest byte */
	size_t len;        /* bytes held */
	uint64_t dropped;  /* bytes lost to dm_cbuf_put_drop since start */
};

void dm_cbuf_init(struct dm_cbuf *c, uint8_t *storage, size_t cap);
static inline size_t dm_cbuf_len(const struct dm_cbuf *c) { return c->len; }
static inline size_t dm_cbuf_room(const struct dm_cbuf *c) { return c->cap - c->len; }
/* Appends all of DATA, dropping the oldest bytes if needed (counted in dropped). */
void dm_cbuf_put_drop(struct dm_cbuf *c, const void *data, size_t len);
/* Appends what fits of DATA; returns how many bytes it took. */
size_t dm_cbuf_put(struct dm_cbuf *c, const void *data, size_t len);
/* The oldest bytes as one contiguous run: *P and its length (0 when empty). */
size_t dm_cbuf_peek(const struct dm_cbuf *c, const uint8_t **p);
/* Forgets the N oldest bytes (N <= len). */
void dm_cbuf_consume(struct dm_cbuf *c, size_t n);
/* Moves up to LEN of the oldest bytes to OUT; returns how many. */
size_t dm_cbuf_get(struct dm_cbuf *c, void *out, size_t len);

#endif
