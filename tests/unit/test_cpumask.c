/* SPDX-License-Identifier: MIT */
/* test_cpumask.c: the `cpus` hart-list syntax. */
#include <stdint.h>

#include "check.h"
#include "cpumask.h"
#include "diag.h"

static char why[REASON_MAX];

static uint64_t mask_of(const char *s)
{
	uint64_t m = 0xdead;

	why[0] = '\0';
	if (cpumask_parse(s, &m, why) < 0)
		return 0xbad;
	return m;
}

TEST(all_and_empty)
{
	CHECK(mask_of("all") == 0);
	CHECK(mask_of("") == 0);
	CHECK(mask_of("  all ") == 0);
	CHECK(mask_of("all,all") == 0);
}

TEST(single_and_ranges)
{
	CHECK(mask_of("0") == 0x1);
	CHECK(mask_of("3") == 0x8);
	CHECK(mask_of("0-3") == 0xf);
	CHECK(mask_of("0,2-3") == 0xd);
	CHECK(mask_of(" 1 , 4 - 5 ") == 0x32);
	CHECK(mask_of("63") == 1ULL << 63);
	CHECK(mask_of("60-63") == 0xfULL << 60);
	CHECK(mask_of("0-63") == 0);
	CHECK(mask_of("0-62") == ~0ULL >> 1);
	CHECK(mask_of("2-2") == 0x4);
}

TEST(exclusions)
{
	CHECK(mask_of("0-3,^1") == 0xd);
	CHECK(mask_of("all,^1") == ~0x2ULL);
	CHECK(mask_of("^0") == ~0x1ULL);          /* a leading exclusion starts from all */
	CHECK(mask_of("^0-61") == 0x3ULL << 62);
	CHECK(mask_of("0-7,^2-3,3") == 0xfb);
	CHECK(mask_of("0-3,^all,5") == 0x20);
}

TEST(errors)
{
	CHECK(mask_of("64") == 0xbad);
	CHECK_STR(why, "hart number out of range (0-63)");
	CHECK(mask_of("0-99999999999999999999") == 0xbad);
	CHECK_STR(why, "hart number out of range (0-63)");
	CHECK(mask_of("3-1") == 0xbad);
	CHECK_STR(why, "bad range 3-1 (start above end)");
	CHECK(mask_of("0,^0") == 0xbad);
	CHECK_STR(why, "no hart left in \"0,^0\"");
	CHECK(mask_of("^all") == 0xbad);
	CHECK_STR(why, "no hart left in \"^all\"");
	CHECK(mask_of("nodes:0") == 0xbad);
	CHECK_STR(why, "NUMA nodes are not supported (use harts, like \"0-1\")");
	CHECK(mask_of("x") == 0xbad);
	CHECK_STR(why, "bad hart list \"x\" (expected e.g. \"all\", \"0-3\", \"0,2-3\", \"all,^1\")");
	CHECK(mask_of("1,") == 0xbad);
	CHECK(mask_of(",1") == 0xbad);
	CHECK(mask_of("1-") == 0xbad);
	CHECK(mask_of("-1") == 0xbad);
	CHECK(mask_of("1 2") == 0xbad);
	CHECK(mask_of("allx") == 0xbad);
	CHECK(mask_of("^") == 0xbad);
	CHECK(mask_of("1,,2") == 0xbad);
	CHECK(mask_of("0x1") == 0xbad);
}

int main(void)
{
	check_suite = "cpumask";
	RUN(all_and_empty);
	RUN(single_and_ranges);
	RUN(exclusions);
	RUN(errors);
	return CHECK_DONE();
}
