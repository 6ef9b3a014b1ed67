// SPDX-License-Identifier: MIT
/*
 * balloon_list.c: a RIVET_MEMORY_LIST list's checks (see balloon_list.h).
 * Sorted so repeats sit side by side, with a heap sort: a hostile list of
 * the maximum length costs n log n, never n squared, and no extra memory.
 */
#include "balloon_list.h"
#include "errcode.h"

static void sift_down(u64 *a, u64 root, u64 n)
{
	for (;;) {
		u64 child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		u64 t = a[root];
		a[root] = a[child];
		a[child] = t;
		root = child;
	}
}

static void heap_sort(u64 *a, u64 n)
{
	for (u64 i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (u64 end = n; end-- > 1;) {
		u64 t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

int balloon_list_check(u64 *gpa, u64 n, u64 max, u64 limit)
{
	if (!n || n > max || limit < PAGE_SIZE)
		return -RIVET_EINVAL;
	for (u64 i = 0; i < n; i++) {
		/* gpa <= limit - PAGE_SIZE: the page ends below limit, and cannot wrap. */
		if ((gpa[i] & (PAGE_SIZE - 1)) || gpa[i] > limit - PAGE_SIZE)
			return -RIVET_EINVAL;
	}
	heap_sort(gpa, n);
	for (u64 i = 1; i < n; i++) {
		if (gpa[i] == gpa[i - 1])
			return -RIVET_EINVAL;
	}
	return 0;
}

u64 balloon_list_tables(const u64 *gpa, u64 n)
{
	u64 tables = 0;
	for (u64 i = 0; i < n; i++) {
		if (!i || gpa[i] / SZ_2M != gpa[i - 1] / SZ_2M)
			tables++;
		if (!i || gpa[i] / SZ_1G != gpa[i - 1] / SZ_1G)
			tables++;
	}
	return tables;
}
