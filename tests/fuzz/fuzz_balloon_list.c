// SPDX-License-Identifier: MIT
/*
 * fuzz_balloon_list.c: microvisor/balloon_list.c, the checks of a hostile
 * RIVET_MEMORY_LIST list, against a model. The input: a limit selector
 * (1 byte), then 64-bit entries (most of them steered into a small window
 * of pages so repeats and region sharing happen). The model, quadratic and
 * written apart from the code: a list is good iff its count is 1..max, and
 * every entry is page aligned with its page below the limit, and no two
 * entries are equal. A good list comes back as the same multiset, strictly
 * increasing; the tables are at least 2 (one page) and at most 2 per page.
 */
#include <string.h>

#include "fuzz.h"
#include "balloon_list.h"
#include "errcode.h"

#define MAX 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u64 l[MAX + 8], orig[MAX + 8];
	static const u64 limits[4] = { 1ULL << 40, 1ULL << 21, 4096, 0 };

	if (size < 1)
		return 0;
	u64 limit = limits[data[0] & 3];
	size--;
	data++;
	u64 n = size / 8;
	if (n > MAX + 8)
		n = MAX + 8;
	for (u64 i = 0; i < n; i++) {
		u64 v;
		memcpy(&v, data + 8 * i, 8);
		/* Low bit of the top byte clear: a page of the first 64, aligned unless bit 1 says. */
		if (!(v >> 56 & 1))
			v = (v & 63) * 4096 + (v >> 57 & 1 ? (v >> 8 & 4095) : 0);
		l[i] = orig[i] = v;
	}

	bool good = n >= 1 && n <= MAX;
	for (u64 i = 0; i < n && good; i++) {
		if (orig[i] % 4096 || limit < 4096 || orig[i] > limit - 4096)
			good = false;
		for (u64 j = 0; j < i && good; j++)
			if (orig[i] == orig[j])
				good = false;
	}
	int r = balloon_list_check(l, n, MAX, limit);
	FUZZ_CHECK(r == 0 || r == -RIVET_EINVAL, "answer %d", r);
	FUZZ_CHECK((r == 0) == good, "answer %d for a %s list of %llu", r, good ? "good" : "bad",
		   (unsigned long long)n);
	if (!good)
		return 0;
	for (u64 i = 1; i < n; i++)
		FUZZ_CHECK(l[i - 1] < l[i], "not sorted at %llu", (unsigned long long)i);
	for (u64 i = 0; i < n; i++) {
		bool found = false;
		for (u64 j = 0; j < n && !found; j++)
			found = l[j] == orig[i];
		FUZZ_CHECK(found, "entry %#llx lost by the sort", (unsigned long long)orig[i]);
	}
	u64 t = balloon_list_tables(l, n);
	FUZZ_CHECK(t >= 2 && t <= 2 * n, "%llu tables for %llu pages", (unsigned long long)t,
		   (unsigned long long)n);
	return 0;
}
