// SPDX-License-Identifier: MIT
/* test_dm_cbuf.c: the console FIFO: order across the wrap, drop-oldest with counts, bounded put. */
#include "check.h"
#include "dm_cbuf.h"

TEST(put_get_wrap)
{
	uint8_t st[8], out[16];
	struct dm_cbuf c;
	dm_cbuf_init(&c, st, sizeof st);
	CHECK_EQ(dm_cbuf_put(&c, "abcde", 5), 5);
	CHECK_EQ(dm_cbuf_get(&c, out, 3), 3);
	CHECK(!memcmp(out, "abc", 3));
	CHECK_EQ(dm_cbuf_put(&c, "fghijklm", 8), 6);   /* room for 6 */
	CHECK_EQ(dm_cbuf_len(&c), 8);
	CHECK_EQ(dm_cbuf_room(&c), 0);
	const uint8_t *p;
	size_t run = dm_cbuf_peek(&c, &p);
	CHECK_EQ(run, 5);                               /* up to the end of storage */
	CHECK(!memcmp(p, "defgh", 5));
	CHECK_EQ(dm_cbuf_get(&c, out, sizeof out), 8);
	CHECK(!memcmp(out, "defghijk", 8));
	CHECK_EQ(dm_cbuf_len(&c), 0);
	CHECK_EQ(dm_cbuf_peek(&c, &p), 0);
	CHECK_EQ(c.dropped, 0);
}

TEST(drop_oldest)
{
	uint8_t st[8], out[16];
	struct dm_cbuf c;
	dm_cbuf_init(&c, st, sizeof st);
	dm_cbuf_put_drop(&c, "012345", 6);
	dm_cbuf_put_drop(&c, "6789", 4);       /* drops 0 and 1 */
	CHECK_EQ(c.dropped, 2);
	CHECK_EQ(dm_cbuf_get(&c, out, sizeof out), 8);
	CHECK(!memcmp(out, "23456789", 8));
	dm_cbuf_put_drop(&c, "ab", 2);
	dm_cbuf_put_drop(&c, "ABCDEFGHIJKL", 12);   /* longer than the buffer */
	CHECK_EQ(c.dropped, 2 + 2 + 4);
	CHECK_EQ(dm_cbuf_get(&c, out, sizeof out), 8);
	CHECK(!memcmp(out, "EFGHIJKL", 8));
}

TEST(byte_at_a_time_many)
{
	static uint8_t st[65536];
	struct dm_cbuf c;
	dm_cbuf_init(&c, st, sizeof st);
	for (unsigned i = 0; i < 200000; i++) {
		uint8_t b = (uint8_t)i;
		dm_cbuf_put_drop(&c, &b, 1);
	}
	CHECK_EQ(dm_cbuf_len(&c), 65536);
	CHECK_EQ(c.dropped, 200000 - 65536);
	uint8_t b;
	CHECK_EQ(dm_cbuf_get(&c, &b, 1), 1);
	CHECK_EQ(b, (uint8_t)(200000 - 65536));
	dm_cbuf_consume(&c, 1000000);   /* more than held */
	CHECK_EQ(dm_cbuf_len(&c), 0);
}

int main(void)
{
	check_suite = "dm_cbuf";
	RUN(put_get_wrap);
	RUN(drop_oldest);
	RUN(byte_at_a_time_many);
	return CHECK_DONE();
}
