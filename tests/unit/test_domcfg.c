/* SPDX-License-Identifier: MIT */
/* test_domcfg.c: the meaning of each config key, its defaults and its errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "domcfg.h"

static struct domcfg dc;
static struct diag d;

/* Parses S as the file "dir/t.cfg" and checks its keys. */
static int load(const char *s)
{
	struct xlcfg cfg;
	int r;

	d.text[0] = '\0';
	if (xlcfg_parse(s, strlen(s), "dir/t.cfg", &cfg, &d) < 0)
		return -2;
	r = domcfg_from_xlcfg(&cfg, "dir/t.cfg", &dc, &d);
	xlcfg_free(&cfg);
	return r;
}

/* The error for a minimal valid config plus LINE. */
static const char *err_with(const char *line)
{
	static char buf[8192];

	snprintf(buf, sizeof buf, "name = \"a\"\nkernel = \"k\"\n%s\n", line);
	if (load(buf) == 0) {
		domcfg_free(&dc);
		return "(accepted)";
	}
	return d.text;
}

TEST(defaults)
{
	CHECK_EQ(load("name = \"hello\"\nkernel = \"../b/x.elf\"\n"), 0);
	CHECK_STR(dc.name, "hello");
	CHECK_EQ(dc.memory_bytes, 128ULL << 20);
	CHECK_EQ(dc.nr_vcpus, 1);
	CHECK_EQ(dc.cpus_mask, 0);
	CHECK_STR(dc.kernel, "../b/x.elf");
	CHECK_STR(dc.kernel_path, "dir/../b/x.elf");
	CHECK(dc.ramdisk == NULL && dc.ramdisk_path == NULL);
	CHECK(dc.cmdline == NULL);
	CHECK_EQ(dc.on_poweroff, RIVET_ACTION_DESTROY);
	CHECK_EQ(dc.on_reboot, RIVET_ACTION_RESTART);
	CHECK_EQ(dc.on_crash, RIVET_ACTION_DESTROY);
	CHECK_EQ(dc.line_name, 1);
	CHECK_EQ(dc.line_kernel, 2);
	CHECK_EQ(dc.line_memory, 0);
	domcfg_free(&dc);
}

TEST(every_key)
{
	CHECK_EQ(load("# a full config\n"
		      "name = 'Dom_1.x-y'\n"
		      "memory = 0x100\n"
		      "vcpus = 8\n"
		      "cpus = \"0-3,^1\"\n"
		      "kernel = \"/abs/Image\"\n"
		      "ramdisk = \"initrd.cpio\"\n"
		      "extra = \"console=hvc0 root=/dev/ram\"\n"
		      "on_poweroff = \"restart\"\n"
		      "on_reboot = \"destroy\"\n"
		      "on_crash = \"restart\"\n"), 0);
	CHECK_STR(dc.name, "Dom_1.x-y");
	CHECK_EQ(dc.memory_bytes, 256ULL << 20);
	CHECK_EQ(dc.line_memory, 3);
	CHECK_EQ(dc.nr_vcpus, 8);
	CHECK_EQ(dc.cpus_mask, 0xd);
	CHECK_STR(dc.kernel_path, "/abs/Image");
	CHECK_STR(dc.ramdisk, "initrd.cpio");
	CHECK_STR(dc.ramdisk_path, "dir/initrd.cpio");
	CHECK_EQ(dc.line_ramdisk, 7);
	CHECK_STR(dc.cmdline, "console=hvc0 root=/dev/ram");
	CHECK_EQ(dc.on_poweroff, RIVET_ACTION_RESTART);
	CHECK_EQ(dc.on_reboot, RIVET_ACTION_DESTROY);
	CHECK_EQ(dc.on_crash, RIVET_ACTION_RESTART);
	domcfg_free(&dc);

	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\ncmdline=\"quiet\"\nmemory=\"512\"\n"), 0);
	CHECK_STR(dc.cmdline, "quiet");
	CHECK_EQ(dc.memory_bytes, 512ULL << 20);
	CHECK_STR(dc.kernel_path, "dir/k");
	domcfg_free(&dc);
}

TEST(path_without_directory)
{
	struct xlcfg cfg;
	const char *s = "name=\"a\"\nkernel=\"k.elf\"\n";

	CHECK_EQ(xlcfg_parse(s, strlen(s), "t.cfg", &cfg, &d), 0);
	CHECK_EQ(domcfg_from_xlcfg(&cfg, "t.cfg", &dc, &d), 0);
	CHECK_STR(dc.kernel_path, "k.elf");
	domcfg_free(&dc);
	xlcfg_free(&cfg);
}

TEST(required_keys)
{
	CHECK_EQ(load(""), -1);
	CHECK_STR(d.text, "dir/t.cfg: name: required key is missing");
	CHECK_EQ(load("name = \"a\"\n"), -1);
	CHECK_STR(d.text, "dir/t.cfg: kernel: required key is missing");
	CHECK_EQ(load("kernel = \"k\"\n"), -1);
	CHECK_STR(d.text, "dir/t.cfg: name: required key is missing");
}

TEST(unknown_and_unsupported)
{
	/* As in Xen: an unknown key is ignored, with a warning. */
	CHECK_STR(err_with("colour = \"red\""), "(accepted)");
	CHECK_EQ(dc.nr_warnings, 1);
	CHECK_STR(dc.warnings[0], "dir/t.cfg:3: colour: unknown key, ignored");
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nk1=1\nk2=2\nk3=3\nk4=4\nk5=5\nk6=6\nk7=7\nk8=8\nk9=9\nk10=10\n"), 0);
	CHECK_EQ(dc.nr_warnings, 10);
	CHECK_STR(dc.warnings[DOMCFG_MAX_WARNINGS - 1], "dir/t.cfg:10: k8: unknown key, ignored");
	domcfg_free(&dc);
	/* Every domain boots as Xen's pvh does. */
	CHECK_STR(err_with("type = \"pvh\""), "(accepted)");
	CHECK_EQ(dc.nr_warnings, 0);
	CHECK_STR(err_with("type = \"hvm\""), "dir/t.cfg:3: type: \"hvm\" is not supported (Rivet boots every domain as pvh)");
	CHECK_STR(err_with("type = \"pv\""), "dir/t.cfg:3: type: \"pv\" is not supported (Rivet boots every domain as pvh)");
	CHECK_STR(err_with("type = \"x86\""), "dir/t.cfg:3: type: \"x86\" is not valid (use pvh)");
	CHECK_STR(err_with("type = 1"), "dir/t.cfg:3: type: expected a quoted string, got a number");
	CHECK_STR(err_with("builder = \"hvm\""),
		  "dir/t.cfg:3: builder: not supported by Rivet yet");
	CHECK_STR(err_with("bootloader = \"pygrub\""), "dir/t.cfg:3: bootloader: not supported by Rivet yet");
	CHECK_STR(err_with("device_model_version = \"qemu-xen\""),
		  "dir/t.cfg:3: device_model_version: not supported by Rivet yet");
	/* Empty device lists ask for nothing and are accepted. */
	CHECK_STR(err_with("disk = [ ]"), "(accepted)");
	CHECK_STR(err_with("vif = []"), "(accepted)");
	CHECK_STR(err_with("disk = \"\""),
		  "dir/t.cfg:3: disk: expected a list, like [ 'disk.img,raw,xvda,rw' ]");
}

TEST(name)
{
	/* Given again: the later one counts. */
	CHECK_STR(err_with("name = \"\""), "dir/t.cfg:3: name: must not be empty");
	CHECK_STR(err_with("name = \"b\""), "(accepted)");
	CHECK_STR(dc.name, "b");
	CHECK_EQ(load("name = \"\"\nkernel=\"k\""), -1);
	CHECK_STR(d.text, "dir/t.cfg:1: name: must not be empty");
	CHECK_EQ(load("name = \"a b\"\nkernel=\"k\""), -1);
	CHECK_STR(d.text, "dir/t.cfg:1: name: \"a b\" has a character other than A-Z a-z 0-9 _ . -");
	CHECK_EQ(load("kernel=\"k\"\nname = \"caf\xc3\xa9\""), -1);
	CHECK_STR(d.text, "dir/t.cfg:2: name: \"caf\xc3\xa9\" has a character other than A-Z a-z 0-9 _ . -");
	CHECK_EQ(load("name = \"123\"\nkernel=\"k\""), -1);
	CHECK_STR(d.text, "dir/t.cfg:1: name: \"123\" is all digits (xl would read it as a domain id)");
	CHECK_EQ(load("name = \"-web\"\nkernel=\"k\""), -1);
	CHECK_STR(d.text, "dir/t.cfg:1: name: \"-web\" starts with '-' (xl would read it as an option)");
	CHECK_EQ(load("name = \"123a\"\nkernel=\"k\""), 0);
	domcfg_free(&dc);
	CHECK_EQ(load("name = \"abcdefghijklmnopqrstuvwxyz01234\"\nkernel=\"k\""), 0);
	CHECK_STR(dc.name, "abcdefghijklmnopqrstuvwxyz01234");
	domcfg_free(&dc);
	CHECK_EQ(load("name = \"abcdefghijklmnopqrstuvwxyz012345\"\nkernel=\"k\""), -1);
	CHECK_STR(d.text, "dir/t.cfg:1: name: longer than 31 characters");
	CHECK_EQ(load("name = 5\nkernel=\"k\""), -1);
	CHECK_STR(d.text, "dir/t.cfg:1: name: expected a quoted string, got a number");
	CHECK_EQ(load("name = [\"a\"]\nkernel=\"k\""), -1);
	CHECK_STR(d.text, "dir/t.cfg:1: name: expected a quoted string, got a list");
}

TEST(memory_and_vcpus)
{
	CHECK_STR(err_with("memory = 0"), "dir/t.cfg:3: memory: 0 is out of range (1..2095104 MiB)");
	CHECK_STR(err_with("memory = 2095105"), "dir/t.cfg:3: memory: 2095105 is out of range (1..2095104 MiB)");
	CHECK_STR(err_with("memory = 0xffffffffffffffff"),
		  "dir/t.cfg:3: memory: 0xffffffffffffffff is out of range (1..2095104 MiB)");
	CHECK_STR(err_with("memory = \"12M\""), "dir/t.cfg:3: memory: expected a number, got \"12M\"");
	CHECK_STR(err_with("memory = \"\""), "dir/t.cfg:3: memory: expected a number, got an empty string");
	CHECK_STR(err_with("memory = \"99999999999999999999999\""),
		  "dir/t.cfg:3: memory: number is too large");
	CHECK_STR(err_with("memory = [1]"), "dir/t.cfg:3: memory: expected a number, got a list");
	CHECK_STR(err_with("memory = 1"), "(accepted)");
	CHECK_STR(err_with("memory = 65536"), "(accepted)");
	CHECK_STR(err_with("memory = 65537"), "(accepted)");        /* Xen's limit is the machine's */
	CHECK_STR(err_with("memory = 2095104"), "(accepted)");
	CHECK_STR(err_with("vcpus = 0"), "dir/t.cfg:3: vcpus: 0 is out of range (1..8)");
	CHECK_STR(err_with("vcpus = 9"), "dir/t.cfg:3: vcpus: 9 is out of range (1..8)");
	CHECK_STR(err_with("vcpus = \"2\""), "(accepted)");
	CHECK_EQ(dc.online_vcpus, 2);
}

TEST(maxvcpus)
{
	char buf[1100];

	/* Absent: the domain has its vcpus, all online; the command line is left alone. */
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nvcpus=3\nextra=\"quiet\"\n"), 0);
	CHECK_EQ(dc.nr_vcpus, 3);
	CHECK_EQ(dc.online_vcpus, 3);
	CHECK_EQ(dc.line_maxvcpus, 0);
	CHECK_STR(dc.cmdline, "quiet");
	domcfg_free(&dc);
	/* More than vcpus: the domain gets maxvcpus, Linux brings up vcpus (maxcpus= last, it wins). */
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nmaxvcpus=4\nextra=\"quiet\"\nvcpus=2\n"), 0);
	CHECK_EQ(dc.nr_vcpus, 4);
	CHECK_EQ(dc.online_vcpus, 2);
	CHECK_EQ(dc.line_maxvcpus, 3);
	CHECK_STR(dc.cmdline, "quiet maxcpus=2");
	domcfg_free(&dc);
	/* Without vcpus: one online (Xen's default); without a command line: maxcpus= alone. */
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nmaxvcpus=2\n"), 0);
	CHECK_EQ(dc.nr_vcpus, 2);
	CHECK_EQ(dc.online_vcpus, 1);
	CHECK_STR(dc.cmdline, "maxcpus=1");
	domcfg_free(&dc);
	/* Equal: nothing to add. */
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nmaxvcpus=2\nvcpus=2\n"), 0);
	CHECK_EQ(dc.nr_vcpus, 2);
	CHECK_EQ(dc.online_vcpus, 2);
	CHECK(dc.cmdline == NULL);
	domcfg_free(&dc);
	/* Per-vCPU cpus lists count against maxvcpus: every vCPU may come online. */
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nmaxvcpus = 2\ncpus = [\"0\", \"1\"]\n"), 0);
	CHECK_EQ(dc.nr_vcpu_masks, 2);
	domcfg_free(&dc);
	CHECK_STR(err_with("maxvcpus = 2\ncpus = [\"0\", \"1\", \"0\"]"), "dir/t.cfg:4: cpus: 3 items for 2 vCPUs");
	CHECK_STR(err_with("maxvcpus = 0"), "dir/t.cfg:3: maxvcpus: 0 is out of range (1..8)");
	CHECK_STR(err_with("maxvcpus = 9"), "dir/t.cfg:3: maxvcpus: 9 is out of range (1..8)");
	CHECK_STR(err_with("maxvcpus = \"x\""), "dir/t.cfg:3: maxvcpus: expected a number, got \"x\"");
	CHECK_STR(err_with("maxvcpus = 2\nvcpus = 3"), "dir/t.cfg:3: maxvcpus: 2 is less than vcpus (3)");
	/* The appended maxcpus= must still fit Linux's command line: " maxcpus=1" is 10 bytes. */
	memset(buf, 0, sizeof buf);
	strcpy(buf, "name = \"a\"\nkernel = \"k\"\nmaxvcpus = 2\nextra = \"");
	memset(buf + strlen(buf), 'x', 1013);
	strcat(buf, "\"\n");
	CHECK_EQ(load(buf), 0);
	CHECK_EQ(strlen(dc.cmdline), 1023);
	CHECK(!strcmp(dc.cmdline + 1013, " maxcpus=1"));
	domcfg_free(&dc);
	strcpy(buf + strlen(buf) - 2, "x\"\n");
	CHECK_EQ(load(buf), -1);
	CHECK_STR(d.text, "dir/t.cfg:3: maxvcpus: the command line with \"maxcpus=1\" appended is "
		  "longer than 1023 bytes");
}

TEST(cpus)
{
	/* Xen's per-vCPU form: item i for vCPU i, at most one item per vCPU. */
	CHECK_STR(err_with("cpus = [\"0\", \"1\"]"), "dir/t.cfg:3: cpus: 2 items for 1 vCPUs");
	CHECK_STR(err_with("vcpus = 2\ncpus = [\"0\", \"1-2\"]"), "(accepted)");
	CHECK_STR(err_with("cpus = []"),
		  "dir/t.cfg:3: cpus: an empty list; give one item per vCPU, like [\"0\", \"1\"]");
	/* Numbers are harts, as in Xen (cpus = [0, 1], cpus = 2); a nested list is not a hart list. */
	CHECK_EQ(load("name = \"a\"\nkernel = \"k\"\nvcpus = 2\ncpus = [\"0\", 1]\n"), 0);
	CHECK_EQ(dc.vcpu_masks[1], 0x2);
	domcfg_free(&dc);
	CHECK_EQ(load("name = \"a\"\nkernel = \"k\"\ncpus = 2\n"), 0);
	CHECK_EQ(dc.cpus_mask, 0x4);
	domcfg_free(&dc);
	CHECK_STR(err_with("vcpus = 2\ncpus = [\"0\", 99]"), "dir/t.cfg:4: cpus: item 2: hart number out of range (0-63)");
	CHECK_STR(err_with("vcpus = 2\ncpus = [\"0\", \"99\"]"), "dir/t.cfg:4: cpus: item 2: hart number out of range (0-63)");
	CHECK_STR(err_with("cpus = [\"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\"]"),
		  "dir/t.cfg:3: cpus: 9 items, but at most 8 vCPUs");
	/* The masks, and the union creation homes by (any hart when a vCPU is not listed). */
	CHECK_EQ(load("name = \"a\"\nkernel = \"k\"\nvcpus = 3\ncpus = [\"0\", \"2-3\", \"1\"]\n"), 0);
	CHECK_EQ(dc.nr_vcpu_masks, 3);
	CHECK_EQ(dc.vcpu_masks[1], 0xc);
	CHECK_EQ(dc.cpus_mask, 0xf);
	domcfg_free(&dc);
	CHECK_EQ(load("name = \"a\"\nkernel = \"k\"\nvcpus = 3\ncpus = [\"0\", \"2-3\"]\n"), 0);
	CHECK_EQ(dc.nr_vcpu_masks, 2);
	CHECK_EQ(dc.cpus_mask, 0);
	domcfg_free(&dc);
	/* A later single string replaces the list, as the last key wins. */
	CHECK_EQ(load("name = \"a\"\nkernel = \"k\"\nvcpus = 2\ncpus = [\"0\", \"1\"]\ncpus = \"1\"\n"), 0);
	CHECK_EQ(dc.nr_vcpu_masks, 0);
	CHECK_EQ(dc.cpus_mask, 2);
	domcfg_free(&dc);
	CHECK_STR(err_with("cpus = 64"), "dir/t.cfg:3: cpus: hart number out of range (0-63)");
	CHECK_STR(err_with("cpus = \"64\""), "dir/t.cfg:3: cpus: hart number out of range (0-63)");
	CHECK_STR(err_with("cpus = \"all\""), "(accepted)");
}

TEST(paths)
{
	CHECK_EQ(load("name=\"a\"\nkernel=\"\""), -1);
	CHECK_STR(d.text, "dir/t.cfg:2: kernel: must not be empty");
	CHECK_STR(err_with("ramdisk = 3"), "dir/t.cfg:3: ramdisk: expected a quoted string, got a number");
	CHECK_STR(err_with("ramdisk = \"\""), "dir/t.cfg:3: ramdisk: must not be empty");
}

TEST(cmdline)
{
	char buf[1100];

	/* Xen's rules: cmdline wins over root and extra, with a warning; else root=ROOT EXTRA. */
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nextra=\"a\"\ncmdline=\"b\"\n"), 0);
	CHECK_STR(dc.cmdline, "b");
	CHECK_EQ(dc.nr_warnings, 1);
	CHECK_STR(dc.warnings[0], "dir/t.cfg:4: cmdline: ignoring extra in favour of cmdline");
	domcfg_free(&dc);
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\ncmdline=\"b\"\nroot=\"/dev/vda\"\nextra=\"q\"\n"), 0);
	CHECK_STR(dc.cmdline, "b");
	CHECK_STR(dc.warnings[0], "dir/t.cfg:3: cmdline: ignoring root and extra in favour of cmdline");
	domcfg_free(&dc);
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nextra=\"console=hvc0 quiet\"\nroot=\"/dev/vda ro\"\n"), 0);
	CHECK_STR(dc.cmdline, "root=/dev/vda ro console=hvc0 quiet");
	CHECK_EQ(dc.nr_warnings, 0);
	domcfg_free(&dc);
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nroot=\"/dev/vda\"\n"), 0);
	CHECK_STR(dc.cmdline, "root=/dev/vda");
	domcfg_free(&dc);
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nextra=\"x\"\nextra+=\" y\"\n"), 0);
	CHECK_STR(dc.cmdline, "x y");
	domcfg_free(&dc);
	memset(buf, 0, sizeof buf);
	strcpy(buf, "extra = \"");
	memset(buf + strlen(buf), 'x', 1023);
	strcat(buf, "\"");
	CHECK_STR(err_with(buf), "(accepted)");
	buf[strlen(buf) - 1] = 'x';
	strcat(buf, "\"");
	CHECK_STR(err_with(buf), "dir/t.cfg:3: extra: longer than 1023 bytes");
	CHECK_STR(err_with("extra = \"\""), "(accepted)");
	/* Each fits, but not root= and both together. */
	memset(buf, 0, sizeof buf);
	strcpy(buf, "root = \"/dev/vda\"; extra = \"");
	memset(buf + strlen(buf), 'x', 1010);
	strcat(buf, "\"");
	CHECK_STR(err_with(buf), "dir/t.cfg:3: extra: root and extra make a command line longer than 1023 bytes");
}

TEST(actions)
{
	CHECK_STR(err_with("on_crash = \"preserve\""), "(accepted)");
	CHECK_EQ(load("name = \"a\"\nkernel = \"k\"\non_reboot = \"preserve\"\n"), 0);
	CHECK_EQ(dc.on_reboot, RIVET_ACTION_PRESERVE);
	CHECK_EQ(dc.line_preserve, 3);
	CHECK_EQ(dc.on_watchdog, RIVET_ACTION_DESTROY);   /* Xen's default */
	domcfg_free(&dc);
	CHECK_EQ(load("name = \"a\"\nkernel = \"k\"\non_crash = \"rename-restart\"\n"
		      "on_watchdog = \"restart\"\n"), 0);
	CHECK_EQ(dc.on_crash, RIVET_ACTION_RENAME_RESTART);
	CHECK_EQ(dc.line_preserve, 3);
	CHECK_EQ(dc.on_watchdog, RIVET_ACTION_RESTART);
	domcfg_free(&dc);
	CHECK_EQ(load("name = \"a\"\nkernel = \"k\"\non_watchdog = \"rename-restart\"\n"), 0);
	CHECK_EQ(dc.on_watchdog, RIVET_ACTION_RENAME_RESTART);
	domcfg_free(&dc);
	/* coredump-*: the base action, and the toolstack's bit (never sent to the microvisor). */
	CHECK_EQ(load("name = \"a\"\nkernel = \"k\"\non_reboot = \"coredump-restart\"\non_crash = \"coredump-destroy\"\n"), 0);
	CHECK_EQ(dc.on_reboot, RIVET_ACTION_RESTART | RIVET_ACTION_COREDUMP);
	CHECK_EQ(dc.on_crash, RIVET_ACTION_DESTROY | RIVET_ACTION_COREDUMP);
	CHECK_EQ(dc.on_poweroff, RIVET_ACTION_DESTROY);
	CHECK_EQ(dc.line_coredump, 4);
	domcfg_free(&dc);
	CHECK_EQ(load("name = \"a\"\nkernel = \"k\"\non_watchdog = \"coredump-restart\"\n"), 0);
	CHECK_EQ(dc.on_watchdog, RIVET_ACTION_RESTART | RIVET_ACTION_COREDUMP);
	domcfg_free(&dc);
	CHECK_STR(err_with("on_poweroff = \"soft-reset\""),
		  "dir/t.cfg:3: on_poweroff: \"soft-reset\" is not supported (use destroy, restart, preserve, rename-restart, coredump-destroy or coredump-restart)");
	CHECK_STR(err_with("on_watchdog = \"explode\""),
		  "dir/t.cfg:3: on_watchdog: \"explode\" is not a valid action (use destroy, restart, preserve, rename-restart, coredump-destroy or coredump-restart)");
	CHECK_STR(err_with("on_poweroff = 1"),
		  "dir/t.cfg:3: on_poweroff: expected a quoted string, got a number");
	CHECK_STR(err_with("on_crash = \"Destroy\""),
		  "dir/t.cfg:3: on_crash: \"Destroy\" is not a valid action (use destroy, restart, preserve, rename-restart, coredump-destroy or coredump-restart)");
}

TEST(first_error_wins)
{
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nvcpus=0\nmemory=0\n"), -1);
	CHECK_STR(d.text, "dir/t.cfg:3: vcpus: 0 is out of range (1..8)");
}

/* One disk spec through domcfg_parse_disk: "vdev index ro target", or the reason. */
static const char *disk1(const char *spec)
{
	static char buf[REASON_MAX + 64];
	struct domcfg_disk dk;
	char why[REASON_MAX];

	if (domcfg_parse_disk(spec, &dk, why) < 0) {
		snprintf(buf, sizeof buf, "%s", why);
		return buf;
	}
	snprintf(buf, sizeof buf, "%s %u %s [%s]", dk.vdev, dk.index, dk.readonly ? "ro" : "rw",
		 dk.target);
	free(dk.target);
	return buf;
}

TEST(disk_spec_positional)
{
	CHECK_STR(disk1("a.img,raw,xvda,rw"), "xvda 0 rw [a.img]");
	CHECK_STR(disk1("a.img,raw,xvdb,ro"), "xvdb 1 ro [a.img]");
	CHECK_STR(disk1("a.img,raw,vdc,r"), "vdc 2 ro [a.img]");
	CHECK_STR(disk1("a.img,raw,sdz,w"), "sdz 25 rw [a.img]");
	CHECK_STR(disk1(" a.img , raw , hdd "), "hdd 3 rw [a.img]");   /* access: rw */
	CHECK_STR(disk1("a.img,,xvda"), "xvda 0 rw [a.img]");        /* format: raw */
	CHECK_STR(disk1("a.img,raw,xvda,rw,"), "xvda 0 rw [a.img]");  /* trailing comma */
	/* Xen's deprecated prefixes: the format position is skipped. */
	CHECK_STR(disk1("phy:/dev/vg/x,xvda,w"), "xvda 0 rw [/dev/vg/x]");
	CHECK_STR(disk1("file:/x.img,xvdb,r"), "xvdb 1 ro [/x.img]");
	CHECK_STR(disk1("qcow2:/x.q,xvda,w"), "'qcow2' targets are not supported (only raw files)");
	/* Errors. */
	CHECK_STR(disk1("a.img,qcow2,xvda,rw"), "format 'qcow2' is not supported (only raw)");
	CHECK_STR(disk1("a.img,raw,xvda,rx"), "access 'rx' is not valid (use rw or ro)");
	CHECK_STR(disk1("a.img,raw,xvda1,rw"),
		  "vdev 'xvda1' is not valid (use xvdX, vdX, sdX or hdX, X in a..z)");
	CHECK_STR(disk1("a.img,raw,nvme0,rw"),
		  "vdev 'nvme0' is not valid (use xvdX, vdX, sdX or hdX, X in a..z)");
	CHECK_STR(disk1("a.img,raw"), "no vdev (name the disk, like xvda)");
	CHECK_STR(disk1(",raw,xvda"), "no target (the disk image's path)");
	CHECK_STR(disk1(""), "no target (the disk image's path)");
	CHECK_STR(disk1("a.img,raw,xvda,rw,extra"),
		  "too many positional parameters ('extra'; expected target,format,vdev,access)");
}

TEST(disk_spec_keys)
{
	CHECK_STR(disk1("vdev=xvdb,access=ro,format=raw,target=/a,b.img"), "xvdb 1 ro [/a,b.img]");
	CHECK_STR(disk1("format=raw, vdev=xvda, access=rw, target= x y "), "xvda 0 rw [ x y ]");
	CHECK_STR(disk1("vdev=xvdc,a.img"), "xvdc 2 rw [a.img]");    /* positional: first unset */
	CHECK_STR(disk1("a.img,raw,vdev=xvda,devtype=disk,backendtype=qdisk,access=r"),
		  "xvda 0 ro [a.img]");
	CHECK_STR(disk1("a.img,raw,xvda,vdev=xvdb"), "vdev given twice");
	/* target= takes the rest, as in Xen: here "a.img,vdev=xvda", and no vdev. */
	CHECK_STR(disk1("target=a.img,vdev=xvda"), "no vdev (name the disk, like xvda)");
	CHECK_STR(disk1("a.img,xvda,devtype=cdrom"), "devtype 'cdrom' is not supported (only disk)");
	CHECK_STR(disk1("a.img,xvda,backendtype=phy"),
		  "backendtype 'phy' is not supported (the device model serves disks: qdisk)");
	CHECK_STR(disk1("a.img,raw,xvda,script=x"), "unknown parameter 'script'");
	CHECK_STR(disk1("vdev=xvda,format=vhd,target=a"), "format 'vhd' is not supported (only raw)");
}

TEST(disks)
{
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\ndisk = [ 'b.img,raw,xvdc,ro',\n"
		      "  'vdev=sda,target=/abs/a.img', 'c.img,raw,xvdb' ]\n"), 0);
	CHECK_EQ(dc.nr_disks, 3);
	CHECK(domcfg_has_devices(&dc));
	CHECK_EQ(dc.line_disk, 3);
	/* In vdev order: slot 0 is sda (the first disk), then xvdb, xvdc. */
	CHECK_STR(dc.disks[0].vdev, "sda");
	CHECK_STR(dc.disks[0].path, "/abs/a.img");
	CHECK_EQ(dc.disks[0].readonly, 0);
	CHECK_EQ(dc.disks[0].line, 4);
	CHECK_STR(dc.disks[1].vdev, "xvdb");
	CHECK_STR(dc.disks[1].target, "c.img");
	CHECK_STR(dc.disks[1].path, "dir/c.img");
	CHECK_STR(dc.disks[2].vdev, "xvdc");
	CHECK_EQ(dc.disks[2].readonly, 1);
	CHECK_EQ(domcfg_disk_slot(2), 2);
	CHECK_EQ(dc.serial, 0);
	domcfg_free(&dc);

	CHECK_STR(err_with("disk = [ 'a.img,raw,xvda', 'b.img,raw,sda' ]"),
		  "dir/t.cfg:3: disk: vdev 'sda' is the same disk as 'xvda' (item 1)");
	CHECK_STR(err_with("disk = [ 'a.img,qcow2,xvda' ]"),
		  "dir/t.cfg:3: disk: 'a.img,qcow2,xvda': format 'qcow2' is not supported (only raw)");
	CHECK_STR(err_with("disk = [ 'a,,xvda',\n 'b,,xvdb,rwx' ]"),
		  "dir/t.cfg:4: disk: 'b,,xvdb,rwx': access 'rwx' is not valid (use rw or ro)");
	CHECK_STR(err_with("disk = [ 1 ]"),
		  "dir/t.cfg:3: disk: item 1: expected a quoted string, like 'disk.img,raw,xvda,rw'");
	CHECK_STR(err_with("disk = [ 'a,,xvda','a,,xvdb','a,,xvdc','a,,xvdd','a,,xvde','a,,xvdf',"
			   "'a,,xvdg','a,,xvdh','a,,xvdi' ]"),
		  "dir/t.cfg:3: disk: 9 disks, but at most 8 (the virtio slots)");
	CHECK_STR(err_with("disk = [ 'a,,xvda','a,,xvdb','a,,xvdc','a,,xvdd','a,,xvde','a,,xvdf',"
			   "'a,,xvdg','a,,xvdh' ]"), "(accepted)");
	CHECK_STR(err_with("disk = 'a.img,raw,xvda'"),
		  "dir/t.cfg:3: disk: expected a list, like [ 'disk.img,raw,xvda,rw' ]");
}

TEST(serial)
{
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nserial = 'pty'\n"), 0);
	CHECK_EQ(dc.serial, 1);
	CHECK_EQ(dc.line_serial, 3);
	CHECK(domcfg_has_devices(&dc));
	domcfg_free(&dc);
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nserial = [ 'pty' ]\n"), 0);
	CHECK_EQ(dc.serial, 1);
	domcfg_free(&dc);
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nserial = [ ]\n"), 0);
	CHECK_EQ(dc.serial, 0);
	CHECK(!domcfg_has_devices(&dc));
	domcfg_free(&dc);
	CHECK_STR(err_with("serial = 'vc'"), "dir/t.cfg:3: serial: \"vc\" is not supported (use 'pty')");
	CHECK_STR(err_with("serial = '/dev/ttyS0'"),
		  "dir/t.cfg:3: serial: \"/dev/ttyS0\" is not supported (use 'pty')");
	CHECK_STR(err_with("serial = [ 'pty', 'pty' ]"),
		  "dir/t.cfg:3: serial: only one serial port is supported (serial = 'pty')");
	CHECK_STR(err_with("serial = 1"), "dir/t.cfg:3: serial: expected 'pty'");
}

/* on_dm_crash: Rivet's own key, "pause" by default. */
TEST(on_dm_crash)
{
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\nserial = 'pty'\n"), 0);
	CHECK_EQ(dc.dm_restart, 0);
	domcfg_free(&dc);
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\non_dm_crash = \"restart\"\n"), 0);
	CHECK_EQ(dc.dm_restart, 1);
	domcfg_free(&dc);
	CHECK_EQ(load("name=\"a\"\nkernel=\"k\"\non_dm_crash = 'pause'\n"), 0);
	CHECK_EQ(dc.dm_restart, 0);
	domcfg_free(&dc);
	CHECK_STR(err_with("on_dm_crash = \"reboot\""),
		  "dir/t.cfg:3: on_dm_crash: \"reboot\" is not valid (use pause or restart)");
}

TEST(vifs)
{
	CHECK_EQ(load("name = \"a\"\nkernel = \"k\"\nvif = [ '', 'mac=00:16:3E:0a:0B:0c,bridge=br1,"
		      "type=ioemu,model=virtio,vifname=web0,ip=10.0.3.2', ' bridge=rbr0 ,', "
		      "'type=vif' ]\ndisk = [ 'x.img,raw,xvda' ]\n"), 0);
	CHECK_EQ(dc.nr_vifs, 4);
	CHECK_EQ(dc.vifs[0].has_mac, 0);
	CHECK_STR(dc.vifs[0].bridge, "rbr0");
	CHECK_STR(dc.vifs[0].vifname, "");
	CHECK_EQ(dc.vifs[1].has_mac, 1);
	CHECK_EQ(dc.vifs[1].mac[2], 0x3e);
	CHECK_EQ(dc.vifs[1].mac[5], 0x0c);
	CHECK_STR(dc.vifs[1].bridge, "br1");
	CHECK_STR(dc.vifs[1].vifname, "web0");
	CHECK_STR(dc.vifs[1].ip, "10.0.3.2");
	CHECK_STR(dc.vifs[2].bridge, "rbr0");
	CHECK_EQ(dc.line_vif, 3);
	CHECK(domcfg_has_devices(&dc));
	CHECK_EQ(domcfg_vif_slot(&dc, 0), 1);   /* after the disk */
	domcfg_free(&dc);

	CHECK_STR(err_with("vif = [ 'mac=01:16:3e:00:00:01' ]"),
		  "dir/t.cfg:3: vif: item 1: mac: 01:16:3e:00:00:01 is a multicast address (the first byte must be even)");
	CHECK_STR(err_with("vif = [ 'mac=00:16:3e:00:00' ]"),
		  "dir/t.cfg:3: vif: item 1: mac: '00:16:3e:00:00' is not six colon-separated hex pairs (like 00:16:3e:12:34:56)");
	CHECK_STR(err_with("vif = [ 'bridge=rbr0', 'mac=00:16:3e:zz:00:01' ]"),
		  "dir/t.cfg:3: vif: item 2: mac: '00:16:3e:zz:00:01' is not six colon-separated hex pairs (like 00:16:3e:12:34:56)");
	CHECK_STR(err_with("vif = [ 'mac=00:00:00:00:00:00' ]"),
		  "dir/t.cfg:3: vif: item 1: mac: 00:00:00:00:00:00 is not an address");
	CHECK_STR(err_with("vif = [ 'mac=00:16:3e:00:00:01:02' ]"),
		  "dir/t.cfg:3: vif: item 1: mac: '00:16:3e:00:00:01:02' is not six colon-separated hex pairs (like 00:16:3e:12:34:56)");
	CHECK_STR(err_with("vif = [ 'bridge=' ]"),
		  "dir/t.cfg:3: vif: item 1: bridge: '' is not a network interface name (1-15 characters, no '/', ':' or blanks)");
	CHECK_STR(err_with("vif = [ 'vifname=0123456789abcdef' ]"),
		  "dir/t.cfg:3: vif: item 1: vifname: '0123456789abcdef' is not a network interface name (1-15 characters, no '/', ':' or blanks)");
	CHECK_STR(err_with("vif = [ 'model=e1000' ]"),
		  "dir/t.cfg:3: vif: item 1: model: 'e1000' is not supported (only virtio)");
	CHECK_STR(err_with("vif = [ 'script=vif-route' ]"), "dir/t.cfg:3: vif: item 1: script: not supported by Rivet");
	CHECK_STR(err_with("vif = [ 'colour=red' ]"), "dir/t.cfg:3: vif: item 1: unknown parameter 'colour'");
	CHECK_STR(err_with("vif = [ 'rbr0' ]"), "dir/t.cfg:3: vif: item 1: 'rbr0' is not key=value");
	CHECK_STR(err_with("vif = [ 'mac=00:16:3e:00:00:01', 'mac=00:16:3E:00:00:01' ]"),
		  "dir/t.cfg:3: vif: item 2: mac is the same as item 1's");
	CHECK_STR(err_with("vif = 'bridge=rbr0'"), "dir/t.cfg:3: vif: expected a list, like [ 'bridge=rbr0' ]");
	CHECK_STR(err_with("vif = [ '', '', '', '', '', '', '', '', '' ]"),
		  "dir/t.cfg:3: vif: 9 vifs, but at most 8 (the virtio slots)");
	CHECK_STR(err_with("vif = [ '', '', '', '' ]\ndisk = [ 'a,raw,xvda', 'b,raw,xvdb', 'c,raw,xvdc', "
			   "'d,raw,xvdd', 'e,raw,xvde' ]"),
		  "dir/t.cfg:3: vif: 5 disks and 4 vifs, but at most 8 devices (the virtio slots)");
}

TEST(maxmem)
{
	/* Not given: the RAM is memory, as before. */
	CHECK_EQ(load("name = \"a\"\nkernel = \"k\"\nmemory = 128\nserial = 'pty'\n"), 0);
	CHECK_EQ(dc.maxmem_bytes, 0);
	CHECK_EQ(domcfg_ram_bytes(&dc), 128ULL << 20);
	domcfg_free(&dc);
	/* Above memory, with a device model: the RAM is maxmem, the target memory. */
	CHECK_EQ(load("name = \"a\"\nkernel = \"k\"\nmemory = 128\nmaxmem = 256\nserial = 'pty'\n"), 0);
	CHECK_EQ(dc.memory_bytes, 128ULL << 20);
	CHECK_EQ(dc.maxmem_bytes, 256ULL << 20);
	CHECK_EQ(domcfg_ram_bytes(&dc), 256ULL << 20);
	CHECK_EQ(dc.line_maxmem, 4);
	domcfg_free(&dc);
	/* Equal: nothing to balloon, so no device model needed; a string number as memory's. */
	CHECK_STR(err_with("memory = 64\nmaxmem = \"64\""), "(accepted)");
	CHECK_EQ(domcfg_ram_bytes(&dc), 64ULL << 20);
	/* Below memory (Xen refuses that too), and above it without a balloon. */
	CHECK_STR(err_with("memory = 64\nmaxmem = 32"), "dir/t.cfg:4: maxmem: 32 MiB is less than memory (64 MiB)");
	CHECK_STR(err_with("memory = 64\nmaxmem = 128"),
		  "dir/t.cfg:4: maxmem: above memory it needs a balloon, which only a device model has: give "
		  "the domain a disk, a vif, serial = 'pty' or console = 'virtio' (boot-image domains have none)");
	/* The default memory (and maxmem's own range) count as well. */
	CHECK_STR(err_with("maxmem = 0"), "dir/t.cfg:3: maxmem: 0 is out of range (1..2095104 MiB)");
	CHECK_STR(err_with("maxmem = \"lots\""), "dir/t.cfg:3: maxmem: expected a number, got \"lots\"");
}

int main(void)
{
	check_suite = "domcfg";
	RUN(vifs);
	RUN(disk_spec_positional);
	RUN(disk_spec_keys);
	RUN(disks);
	RUN(serial);
	RUN(on_dm_crash);
	RUN(defaults);
	RUN(every_key);
	RUN(path_without_directory);
	RUN(required_keys);
	RUN(unknown_and_unsupported);
	RUN(name);
	RUN(memory_and_vcpus);
	RUN(maxvcpus);
	RUN(cpus);
	RUN(paths);
	RUN(cmdline);
	RUN(actions);
	RUN(first_error_wins);
	RUN(maxmem);
	return CHECK_DONE();
}
