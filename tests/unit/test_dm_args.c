// SPDX-License-Identifier: MIT
/* test_dm_args.c: rivet-dm's command line: the contract with xl, and what it refuses. */
#include "check.h"
#include "dm_args.h"

static char err[256];

static int parse(struct dm_args *a, const char *const *argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	return dm_args_parse(argc, (char **)argv, a, err, sizeof err);
}

#define BASE "rivet-dm", "--domid", "3", "--name", "lin", "--vcpus", "2", \
	"--ram-base", "0x80000000", "--ram-size", "33554432", "--ready-fd", "5"

TEST(full)
{
	struct dm_args a;
	const char *v[] = { BASE, "--serial", "--disk", "rw:/a.img", "--disk", "ro:/b:c.img",
			    "--log", "/tmp/x.log", "--foreground", "--console", NULL };
	CHECK_EQ(parse(&a, v), 0);
	CHECK_EQ(a.console, 1);
	CHECK_EQ(a.domid, 3);
	CHECK_STR(a.name, "lin");
	CHECK_EQ(a.vcpus, 2);
	CHECK(a.ram_base == 0x80000000ULL);
	CHECK_EQ(a.ram_size, 32 << 20);
	CHECK_EQ(a.ready_fd, 5);
	CHECK_EQ(a.serial, 1);
	CHECK_EQ(a.foreground, 1);
	CHECK_EQ(a.nr_disks, 2);
	CHECK_STR(a.disk[0].path, "/a.img");
	CHECK_EQ(a.disk[0].readonly, 0);
	CHECK_STR(a.disk[1].path, "/b:c.img");
	CHECK_EQ(a.disk[1].readonly, 1);
	CHECK_STR(a.log, "/tmp/x.log");
}

TEST(minimal)
{
	struct dm_args a;
	const char *v[] = { BASE, NULL };
	CHECK_EQ(parse(&a, v), 0);
	CHECK_EQ(a.serial, 0);
	CHECK_EQ(a.console, 0);
	CHECK_EQ(a.nr_disks, 0);
	CHECK(a.log == NULL);
}

TEST(numbers)
{
	uint64_t x;
	CHECK_EQ(dm_parse_u64("18446744073709551615", &x), 0);
	CHECK(x == ~0ULL);
	CHECK_EQ(dm_parse_u64("18446744073709551616", &x), -1);
	CHECK_EQ(dm_parse_u64("0xffffffffffffffff", &x), 0);
	CHECK_EQ(dm_parse_u64("0x10000000000000000", &x), -1);
	CHECK_EQ(dm_parse_u64("0x", &x), -1);
	CHECK_EQ(dm_parse_u64("", &x), -1);
	CHECK_EQ(dm_parse_u64("-1", &x), -1);
	CHECK_EQ(dm_parse_u64(" 1", &x), -1);
	CHECK_EQ(dm_parse_u64("12k", &x), -1);
	CHECK_EQ(dm_parse_u64("0X1F", &x), 0);
	CHECK_EQ(x, 31);
}

TEST(refusals)
{
	static const char *const bad[][20] = {
		{ BASE, "--vcpus", "2", NULL },                                 /* twice */
		{ "rivet-dm", "--domid", "0", "--name", "l", "--vcpus", "1", "--ram-base", "0x80000000",
		  "--ram-size", "4096", "--ready-fd", "3", NULL },              /* Dom0 */
		{ "rivet-dm", "--domid", "32752", "--name", "l", "--vcpus", "1", "--ram-base", "0x80000000",
		  "--ram-size", "4096", "--ready-fd", "3", NULL },              /* DOMID_SELF */
		{ "rivet-dm", "--domid", "1", "--name", "a/b", "--vcpus", "1", "--ram-base", "0x80000000",
		  "--ram-size", "4096", "--ready-fd", "3", NULL },
		{ "rivet-dm", "--domid", "1", "--name", "l", "--vcpus", "9", "--ram-base", "0x80000000",
		  "--ram-size", "4096", "--ready-fd", "3", NULL },
		{ "rivet-dm", "--domid", "1", "--name", "l", "--vcpus", "0", "--ram-base", "0x80000000",
		  "--ram-size", "4096", "--ready-fd", "3", NULL },
		{ "rivet-dm", "--domid", "1", "--name", "l", "--vcpus", "1", "--ram-base", "0x80000000",
		  "--ram-size", "4097", "--ready-fd", "3", NULL },
		{ "rivet-dm", "--domid", "1", "--name", "l", "--vcpus", "1", "--ram-base", "0x80000000",
		  "--ram-size", "0", "--ready-fd", "3", NULL },
		{ "rivet-dm", "--domid", "1", "--name", "l", "--vcpus", "1", "--ram-base", "0x80000800",
		  "--ram-size", "4096", "--ready-fd", "3", NULL },
		{ "rivet-dm", "--domid", "1", "--name", "l", "--vcpus", "1", "--ram-base", "0xfffffffffffff000",
		  "--ram-size", "0x2000", "--ready-fd", "3", NULL },            /* wraps */
		{ "rivet-dm", "--domid", "1", "--name", "l", "--vcpus", "1", "--ram-base", "0x0",
		  "--ram-size", "0x80000000", "--ready-fd", "3", NULL },        /* over the devices */
		{ "rivet-dm", "--domid", "1", "--name", "l", "--vcpus", "1", "--ram-base", "0x80000000",
		  "--ram-size", "4096", NULL },                                 /* no ready fd */
		{ BASE, "--disk", "rx:/a", NULL },
		{ BASE, "--disk", "rw:", NULL },
		{ BASE, "--disk", NULL },
		{ BASE, "--bogus", NULL },
		{ BASE, "--ram-size", NULL },
		{ BASE, "--log", "", NULL },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct dm_args a;
		int rc = parse(&a, bad[i]);
		if (rc != -1 || !err[0])
			printf("  case %zu accepted\n", i);
		CHECK_EQ(rc, -1);
		CHECK(err[0] != 0);
	}
	/* nine disks */
	struct dm_args a;
	const char *v[] = { BASE, "--disk", "rw:1", "--disk", "rw:2", "--disk", "rw:3", "--disk", "rw:4",
			    "--disk", "rw:5", "--disk", "rw:6", "--disk", "rw:7", "--disk", "rw:8",
			    "--disk", "ro:9", NULL };
	CHECK_EQ(parse(&a, v), -1);
	CHECK_EQ(a.ready_fd, 5);   /* known, to report the error there */
	v[sizeof v / sizeof v[0] - 3] = NULL;
	CHECK_EQ(parse(&a, v), 0);
	CHECK_EQ(a.nr_disks, 8);
	/* eight disks fill the slots: none left for the console */
	const char *w[] = { BASE, "--disk", "rw:1", "--disk", "rw:2", "--disk", "rw:3", "--disk", "rw:4",
			    "--disk", "rw:5", "--disk", "rw:6", "--disk", "rw:7", "--disk", "rw:8",
			    "--console", NULL };
	CHECK_EQ(parse(&a, w), -1);
	CHECK_STR(err, "--console: no virtio slot left after 8 disks and 0 NICs");
	CHECK_EQ(parse(&a, (const char *[]){ BASE, "--disk", "rw:1", "--console", "--console", NULL }), -1);
	/* RAM up to what the state file's balloon map covers (224 GiB), not a page more. */
	CHECK_EQ(parse(&a, (const char *[]){ "rivet-dm", "--domid", "1", "--name", "l", "--vcpus", "1",
					     "--ram-base", "0x80000000", "--ram-size", "0x3800000000",
					     "--ready-fd", "3", NULL }), 0);
	CHECK_EQ(parse(&a, (const char *[]){ "rivet-dm", "--domid", "1", "--name", "l", "--vcpus", "1",
					     "--ram-base", "0x80000000", "--ram-size", "0x3800001000",
					     "--ready-fd", "3", NULL }), -1);
	CHECK_STR(err, "--ram-size 0x3800001000: more than 224 GiB, the most whose balloon map the state file holds");
}

TEST(mem_target)
{
	struct dm_args a;
	/* Default: all the RAM, nothing ballooned. */
	CHECK_EQ(parse(&a, (const char *[]){ BASE, NULL }), 0);
	CHECK(a.mem_target == 32ULL << 20);
	CHECK_EQ(parse(&a, (const char *[]){ BASE, "--mem-target", "0x1000000", NULL }), 0);
	CHECK(a.mem_target == 16ULL << 20);
	CHECK_EQ(parse(&a, (const char *[]){ BASE, "--mem-target", "33554432", NULL }), 0);
	CHECK_EQ(parse(&a, (const char *[]){ BASE, "--mem-target", "33558528", NULL }), -1);
	CHECK_STR(err, "--mem-target 0x2001000: more than the RAM (0x2000000)");
	CHECK_EQ(parse(&a, (const char *[]){ BASE, "--mem-target", "4097", NULL }), -1);
	CHECK_STR(err, "--mem-target 4097: not a positive multiple of 4 KiB");
	CHECK_EQ(parse(&a, (const char *[]){ BASE, "--mem-target", "0", NULL }), -1);
	CHECK_EQ(parse(&a, (const char *[]){ BASE, "--mem-target", "4096", "--mem-target", "4096", NULL }), -1);
	/* The balloon's slot is one of the devices' (below the watchdog, which ends them). */
	CHECK_EQ(parse(&a, (const char *[]){ "rivet-dm", "--domid", "1", "--name", "l", "--vcpus", "1",
					    "--ram-base", "0x1000a000", "--ram-size", "4096", "--ready-fd", "3",
					    NULL }), -1);
	/* More than 2^32 pages: the balloon counts in 32 bits. */
	CHECK_EQ(parse(&a, (const char *[]){ "rivet-dm", "--domid", "1", "--name", "l", "--vcpus", "1",
					    "--ram-base", "0x100000000", "--ram-size", "0x100000001000",
					    "--ready-fd", "3", NULL }), -1);
}

TEST(nics)
{
	struct dm_args a;
	const char *v[] = { BASE, "--disk", "rw:/a.img", "--nic", "tap=vif3.0,mac=00:16:3E:0a:bb:01",
			    "--nic", "mac=02:00:00:00:00:02,tap=t1,offload=off", NULL };
	CHECK_EQ(parse(&a, v), 0);
	CHECK_EQ(a.nr_disks, 1);
	CHECK_EQ(a.nr_nics, 2);
	CHECK_STR(a.nic[0].tap, "vif3.0");
	CHECK_EQ(a.nic[0].mac[2], 0x3e);
	CHECK_EQ(a.nic[0].mac[5], 0x01);
	CHECK_EQ(a.nic[0].offload, 1);
	CHECK_STR(a.nic[1].tap, "t1");
	CHECK_EQ(a.nic[1].offload, 0);
	static const char *const bad[][2] = {
		{ "--nic", "tap=x" },                              /* no mac */
		{ "--nic", "mac=00:16:3e:00:00:01" },              /* no tap */
		{ "--nic", "tap=x,mac=01:16:3e:00:00:01" },        /* multicast */
		{ "--nic", "tap=x,mac=00:00:00:00:00:00" },
		{ "--nic", "tap=x,mac=00:16:3e:00:00" },
		{ "--nic", "tap=x,mac=00:16:3e:00:00:01:02" },
		{ "--nic", "tap=x,mac=00-16-3e-00-00-01" },
		{ "--nic", "tap=x,mac=0g:16:3e:00:00:01" },
		{ "--nic", "tap=0123456789abcdef,mac=00:16:3e:00:00:01" },  /* 16 characters */
		{ "--nic", "tap=a/b,mac=00:16:3e:00:00:01" },
		{ "--nic", "tap=x,mac=00:16:3e:00:00:01,model=e1000" },
		{ "--nic", "tap=x,mac=00:16:3e:00:00:01,offload=maybe" },
		{ "--nic", "tap=x,bridge" },
		{ "--nic", NULL },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *w[] = { BASE, bad[i][0], bad[i][1], NULL };
		if (parse(&a, w) != -1)
			printf("  nic case %zu accepted\n", i);
		CHECK(err[0] != 0);
	}
	/* Eight devices in all: five disks and three NICs fit, a fourth NIC does not. */
	const char *w[] = { BASE, "--disk", "rw:1", "--disk", "rw:2", "--disk", "rw:3", "--disk", "rw:4",
			    "--disk", "rw:5", "--nic", "tap=a,mac=00:16:3e:00:00:01",
			    "--nic", "tap=b,mac=00:16:3e:00:00:02", "--nic", "tap=c,mac=00:16:3e:00:00:03",
			    "--nic", "tap=d,mac=00:16:3e:00:00:04", NULL };
	CHECK_EQ(parse(&a, w), -1);
	CHECK(strstr(err, "more than 8 devices") != NULL);
	w[sizeof w / sizeof w[0] - 3] = NULL;
	CHECK_EQ(parse(&a, w), 0);
	CHECK_EQ(a.nr_nics, 3);
}

int main(void)
{
	check_suite = "dm_args";
	RUN(mem_target);
	RUN(nics);
	RUN(full);
	RUN(minimal);
	RUN(numbers);
	RUN(refusals);
	return CHECK_DONE();
}
