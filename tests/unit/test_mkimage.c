/* SPDX-License-Identifier: MIT */
/*
 * test_mkimage.c: the whole tool, end to end, on files made here (a fake
 * microvisor with the RIVETUVM header, small ELF and raw kernels, configs):
 * the image it writes, and the single error line plus untouched output on failure.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdt.h>

#include "bootimg.h"
#include "check.h"
#include "fileio.h"
#include "mkimage.h"
#include "hypercall.h"

static char dir[] = "/tmp/rivet-mkimage-XXXXXX";
static char out[256];
static struct diag d;
static uint8_t *img;
static size_t img_len;
static struct rivet_bootimg_hdr hdr;
static uint64_t arch_at; /* where the archive starts in the image */

static const char *at(const char *name)
{
	static char bufs[8][256];
	static unsigned n;
	char *b = bufs[n++ % 8];

	snprintf(b, 256, "%s/%s", dir, name);
	return b;
}

static void put(const char *name, const void *p, size_t len)
{
	FILE *f = fopen(at(name), "wb");

	fwrite(p, 1, len, f);
	fclose(f);
}

static void put_text(const char *name, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	put(name, buf, (size_t)n);
}

static void wr(uint8_t *p, uint64_t v, unsigned n)
{
	while (n--) {
		*p++ = (uint8_t)v;
		v >>= 8;
	}
}

/* A RISC-V ELF: text at 0x80000000 (0x100 bytes of 0x11), data+bss at DATA_GPA. */
static void make_elf(const char *name, uint64_t data_gpa)
{
	static uint8_t e[0x1200];
	uint8_t *ph;

	memset(e, 0, sizeof e);
	memcpy(e, "\x7f" "ELF", 4);
	e[4] = 2;
	e[5] = 1;
	e[6] = 1;
	wr(e + 16, 2, 2);
	wr(e + 18, 243, 2);
	wr(e + 24, 0x80000000, 8);
	wr(e + 32, 64, 8);
	wr(e + 54, 56, 2);
	wr(e + 56, 2, 2);
	ph = e + 64;
	wr(ph, 1, 4);
	wr(ph + 8, 0x1000, 8);
	wr(ph + 24, 0x80000000, 8);
	wr(ph + 32, 0x100, 8);
	wr(ph + 40, 0x100, 8);
	ph += 56;
	wr(ph, 1, 4);
	wr(ph + 8, 0x1100, 8);
	wr(ph + 24, data_gpa, 8);
	wr(ph + 32, 0x100, 8);
	wr(ph + 40, 0x3000, 8);
	memset(e + 0x1000, 0x11, 0x100);
	memset(e + 0x1100, 0x22, 0x100);
	put(name, e, sizeof e);
}

static void setup(void)
{
	static uint8_t uvm[0x1234], raw[0x3000], rd[5000];
	struct rivet_uvm_hdr h = { 0x0200006f, 0, 0x8000, RIVET_UVM_MAGIC, 0 };

	if (!mkdtemp(dir))
		abort();
	snprintf(out, sizeof out, "%s/rivet.img", dir);
	memset(uvm, 0x5a, sizeof uvm);
	memcpy(uvm, &h, sizeof h);
	put("uvm.bin", uvm, sizeof uvm);
	memset(raw, 0x13, sizeof raw);
	put("raw.bin", raw, sizeof raw);
	memset(rd, 0x77, sizeof rd);
	put("rd.cpio", rd, sizeof rd);
	make_elf("k.elf", 0x80010000);
	make_elf("high.elf", 0x80100000);
	put_text("a.cfg",
		 "# the first domain\n"
		 "name = \"alpha\"\n"
		 "memory = 16\n"
		 "vcpus = 2\n"
		 "cpus = \"1-2\"\n"
		 "kernel = \"k.elf\"\n"
		 "ramdisk = \"rd.cpio\"\n"
		 "extra = \"console=hvc0\"\n"
		 "on_crash = \"restart\"\n");
	if (mkdir(at("sub"), 0755) < 0)
		abort();
	put_text("sub/b.cfg", "name = 'beta'\nkernel = '../raw.bin'\nmemory = 4\n");
}

/* Runs mkimage with -o OUT -u uvm.bin and the NULL-terminated configs. */
static int run(const char *first, ...)
{
	char *argv[32] = { "mkimage", "-o", out, "-u", (char *)at("uvm.bin") };
	const char *c;
	int argc = 5;
	va_list ap;

	va_start(ap, first);
	for (c = first; c && argc < 31; c = va_arg(ap, const char *))
		argv[argc++] = (char *)c;
	va_end(ap);
	d.text[0] = '\0';
	return mkimage_main(argc, argv, &d);
}

static int load_image(void)
{
	char why[REASON_MAX];

	free(img);
	img = NULL;
	if (file_read(out, 1 << 26, &img, &img_len, why) < 0)
		return -1;
	arch_at = 0x8000;
	if (img_len < arch_at + sizeof hdr)
		return -1;
	memcpy(&hdr, img + arch_at, sizeof hdr);
	return 0;
}

static const uint8_t *blob(const struct rivet_bootimg_load *l)
{
	return img + arch_at + l->offset;
}

/* No temporary file is ever left next to the output. */
static int leftovers(void)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(dp)))
		n += strstr(e->d_name, ".tmp.") != NULL;
	closedir(dp);
	return n;
}

TEST(two_domains)
{
	const struct rivet_bootimg_domain *a = &hdr.domains[0], *b = &hdr.domains[1];
	const struct rivet_bootimg_load *l;
	const void *fdt;
	const fdt64_t *v;
	int chosen, len;
	unsigned i;

	CHECK_EQ(run(at("a.cfg"), at("sub/b.cfg"), NULL), 0);
	CHECK_STR(d.text, "");
	CHECK_EQ(load_image(), 0);
	CHECK_EQ(img[0x1233], 0x5a);
	CHECK_EQ(img[0x1234], 0);
	CHECK_EQ(img[0x7fff], 0);
	CHECK(hdr.magic == RIVET_BOOTIMG_MAGIC);
	CHECK_EQ(hdr.version, RIVET_BOOTIMG_VERSION);
	CHECK_EQ(hdr.nr_domains, 2);
	CHECK_EQ(arch_at + hdr.total_size, img_len);

	CHECK_STR(a->name, "alpha");
	CHECK_EQ(a->memory_bytes, 16 << 20);
	CHECK_EQ(a->cpus_mask, 0x6);
	CHECK_EQ(a->nr_vcpus, 2);
	CHECK_EQ(a->entry_gpa, 0x80000000);
	CHECK_EQ(a->on_poweroff, RIVET_ACTION_DESTROY);
	CHECK_EQ(a->on_reboot, RIVET_ACTION_RESTART);
	CHECK_EQ(a->on_crash, RIVET_ACTION_RESTART);
	CHECK_EQ(a->nr_loads, 4);
	for (i = 0; i < a->nr_loads; i++) {
		CHECK_EQ(a->loads[i].offset % 4096, 0);
		CHECK(a->loads[i].mem_size >= a->loads[i].file_size);
		CHECK(a->loads[i].offset + a->loads[i].file_size <= hdr.total_size);
	}
	l = &a->loads[0];
	CHECK_EQ(l->gpa, 0x80000000);
	CHECK_EQ(l->file_size, 0x100);
	CHECK_EQ(blob(l)[0], 0x11);
	l = &a->loads[1];
	CHECK_EQ(l->gpa, 0x80010000);
	CHECK_EQ(l->file_size, 0x100);
	CHECK_EQ(l->mem_size, 0x3000);
	CHECK_EQ(blob(l)[0xff], 0x22);
	l = &a->loads[2]; /* ramdisk: page-aligned, right below the DTB page */
	CHECK_EQ(l->file_size, 5000);
	CHECK_EQ(l->mem_size, 5000);
	CHECK_EQ(l->gpa, a->dtb_gpa - 0x2000);
	CHECK_EQ(blob(l)[4999], 0x77);
	l = &a->loads[3]; /* DTB at the top 2 MiB slot of 16 MiB */
	CHECK_EQ(a->dtb_gpa, 0x80e00000);
	CHECK_EQ(l->gpa, a->dtb_gpa);
	CHECK_EQ(l->file_size, l->mem_size);
	fdt = blob(l);
	CHECK_EQ(fdt_check_header(fdt), 0);
	CHECK_EQ(fdt_totalsize(fdt), l->file_size);
	chosen = fdt_path_offset(fdt, "/chosen");
	CHECK_STR(fdt_getprop(fdt, chosen, "bootargs", NULL), "console=hvc0");
	v = fdt_getprop(fdt, chosen, "linux,initrd-start", &len);
	CHECK(v && len == 8 && fdt64_ld(v) == a->loads[2].gpa);
	v = fdt_getprop(fdt, chosen, "linux,initrd-end", &len);
	CHECK(v && len == 8 && fdt64_ld(v) == a->loads[2].gpa + 5000);
	CHECK(fdt_path_offset(fdt, "/cpus/cpu@1") >= 0);
	CHECK(fdt_path_offset(fdt, "/cpus/cpu@2") < 0);

	CHECK_STR(b->name, "beta");
	CHECK_EQ(b->memory_bytes, 4 << 20);
	CHECK_EQ(b->cpus_mask, 0);
	CHECK_EQ(b->nr_vcpus, 1);
	CHECK_EQ(b->entry_gpa, 0x80200000);
	CHECK_EQ(b->nr_loads, 2);
	CHECK_EQ(b->loads[0].gpa, 0x80200000);
	CHECK_EQ(b->loads[0].file_size, 0x3000);
	CHECK_EQ(blob(&b->loads[0])[0x2fff], 0x13);
	CHECK_EQ(b->dtb_gpa, 0x80200000 + 0x200000 - 0x1000); /* no 2 MiB slot above the kernel */
	CHECK_EQ(b->loads[1].gpa, b->dtb_gpa);
	fdt = blob(&b->loads[1]);
	CHECK(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "bootargs", NULL) == NULL);
	CHECK_EQ(leftovers(), 0);
}

TEST(dom0_comes_first_and_privileged)
{
	CHECK_EQ(run("-d", at("sub/b.cfg"), at("a.cfg"), NULL), 0);
	CHECK_STR(d.text, "");
	CHECK_EQ(load_image(), 0);
	CHECK_EQ(hdr.nr_domains, 2);
	CHECK_STR(hdr.domains[0].name, "beta");
	CHECK_EQ(hdr.domains[0].flags, RIVET_DOMF_PRIVILEGED);
	CHECK_STR(hdr.domains[1].name, "alpha");
	CHECK_EQ(hdr.domains[1].flags, 0);
	CHECK_EQ(run("-d", NULL), -1);
}

TEST(no_domains)
{
	CHECK_EQ(run(NULL), 0);
	CHECK_EQ(load_image(), 0);
	CHECK_EQ(hdr.nr_domains, 0);
	CHECK_EQ(arch_at + hdr.total_size, img_len);
}

static uint8_t *ref;
static size_t ref_len;

/* Remembers the image of the last successful run. */
static void snapshot(void)
{
	CHECK_EQ(load_image(), 0);
	free(ref);
	ref = malloc(img_len);
	memcpy(ref, img, img_len);
	ref_len = img_len;
}

/* Each failure: exactly MSG on one line, the last good image untouched, no temp file. */
static void expect_fail(const char *msg)
{
	CHECK_STR(d.text, msg);
	CHECK(!strchr(d.text, '\n'));
	CHECK_EQ(load_image(), 0);
	CHECK(img_len == ref_len && !memcmp(img, ref, ref_len));
	CHECK_EQ(leftovers(), 0);
}

TEST(errors)
{
	char msg[512], *argv[8];
	int i;

	CHECK_EQ(run(at("a.cfg"), NULL), 0); /* the reference image */
	snapshot();

	put_text("dup.cfg", "name = \"alpha\"\nkernel = \"raw.bin\"\n");
	CHECK_EQ(run(at("a.cfg"), at("dup.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s:1: name: \"alpha\" is already the name of another domain in this image", at("dup.cfg"));
	expect_fail(msg);

	put_text("nok.cfg", "name = \"n\"\n\nkernel = \"../b/x.elf\"\n");
	CHECK_EQ(run(at("nok.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s:3: kernel: cannot read '../b/x.elf': No such file or directory", at("nok.cfg"));
	expect_fail(msg);

	put_text("nord.cfg", "name = \"n\"\nkernel = \"raw.bin\"\nramdisk = \"nope\"\n");
	CHECK_EQ(run(at("nord.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s:3: ramdisk: cannot read 'nope': No such file or directory", at("nord.cfg"));
	expect_fail(msg);

	put_text("pervcpu.cfg", "name = \"p\"\nkernel = \"raw.bin\"\nvcpus = 2\ncpus = [\"0\", \"1\"]\n");
	CHECK_EQ(run(at("pervcpu.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s:4: cpus: per-vCPU lists are for xl create only (a boot image has one "
		 "mask for all vCPUs); give one string, like \"0-1\"", at("pervcpu.cfg"));
	expect_fail(msg);

	put_text("maxv.cfg", "name = \"m\"\nkernel = \"raw.bin\"\nvcpus = 1\nmaxvcpus = 2\n");
	CHECK_EQ(run(at("maxv.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s:4: maxvcpus: a boot-image domain runs all its vCPUs (no Dom0 could "
		 "raise the count with xl vcpu-set): maxvcpus (2) must equal vcpus (1)", at("maxv.cfg"));
	expect_fail(msg);

	put_text("core.cfg", "name = \"c\"\nkernel = \"raw.bin\"\non_crash = \"coredump-destroy\"\n");
	CHECK_EQ(run(at("core.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s:3: on_*: \"coredump-*\" is for xl create only (Dom0's rivet-consoled "
		 "writes the core file); use destroy or restart", at("core.cfg"));
	expect_fail(msg);

	put_text("small.cfg", "name = \"s\"\nkernel = \"raw.bin\"\nmemory = 2\n");
	CHECK_EQ(run(at("small.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s:3: memory: 2 MiB is too small for the kernel (12288 bytes), ramdisk (0 bytes) and device tree", at("small.cfg"));
	expect_fail(msg);

	put_text("setwice.cfg", "name = \"e\"\nkernel = \"k.elf\"\nramdisk = \"rd.cpio\"\n"
		 "ramdisk = \"x\"\n");
	CHECK_EQ(run(at("setwice.cfg"), NULL), -1);
	/* The later ramdisk counts (Xen's rule), and that file is missing. */
	snprintf(msg, sizeof msg, "%s:4: ramdisk: cannot read 'x': No such file or directory", at("setwice.cfg"));
	expect_fail(msg);

	put("notelf.elf", "\x7f" "ELF\x01", 5);
	put_text("badelf.cfg", "name = \"e\"\nkernel = \"notelf.elf\"\n");
	CHECK_EQ(run(at("badelf.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s:2: kernel: 'notelf.elf': truncated ELF header (5 bytes)", at("badelf.cfg"));
	expect_fail(msg);

	put_text("elfram.cfg", "name = \"e\"\nkernel = \"k.elf\"\nmemory = 1\n");
	CHECK_EQ(run(at("elfram.cfg"), NULL), 0); /* 1 MiB holds it: the new reference image */
	snapshot();
	put_text("high.cfg", "name = \"e\"\nkernel = \"high.elf\"\nmemory = 1\n");
	CHECK_EQ(run(at("high.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s:2: kernel: 'high.elf': segment 1 [0x80100000, +0x3000) is outside RAM [0x80000000, 0x80100000)", at("high.cfg"));
	expect_fail(msg);

	{
		uint8_t *big = calloc(1, 1 << 20);

		put("big.rd", big, 1 << 20);
		free(big);
	}
	put_text("hugerd.cfg", "name = \"h\"\nkernel = \"k.elf\"\nmemory = 1\nramdisk = \"big.rd\"\n");
	CHECK_EQ(run(at("hugerd.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s:3: memory: 1 MiB is too small for the kernel (12544 bytes), ramdisk (1048576 bytes) and device tree",
		 at("hugerd.cfg"));
	expect_fail(msg);

	/* A Linux Image whose text + bss (its header's image_size) exceeds the default 128 MiB. */
	{
		uint8_t linux_hdr[64] = { 0 };

		wr(linux_hdr + 8, 0x200000, 8);
		wr(linux_hdr + 16, 200ULL << 20, 8);
		memcpy(linux_hdr + 56, "RSC\x05", 4);
		put("Image", linux_hdr, sizeof linux_hdr);
	}
	put_text("fat.cfg", "name = \"f\"\nkernel = \"Image\"\n");
	CHECK_EQ(run(at("fat.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s: memory: 128 MiB is too small for the kernel (209715200 bytes), ramdisk (0 bytes) and device tree", at("fat.cfg"));
	expect_fail(msg);

	CHECK_EQ(run(at("nope.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s: cannot read: No such file or directory", at("nope.cfg"));
	expect_fail(msg);

	put_text("syntax.cfg", "name = \"x\"\nmemory = 12 MiB\n");
	CHECK_EQ(run(at("syntax.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s:2: memory: unexpected 'M' after the value", at("syntax.cfg"));
	expect_fail(msg);

	/* Too many configs: refused before any is read. */
	for (i = 0; i < 8; i++)
		argv[i] = (char *)at("a.cfg");
	CHECK_EQ(run(argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6], argv[7],
		     argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6], argv[7],
		     at("sub/b.cfg"), NULL), -1);
	snprintf(msg, sizeof msg, "%s: more than 16 domains in one image", at("sub/b.cfg"));
	expect_fail(msg);
}

TEST(bad_arguments)
{
	char *no_out[] = { "mkimage", "-u", "x", NULL };
	char *no_arg[] = { "mkimage", "-o", NULL };
	char *unknown[] = { "mkimage", "-x", NULL };
	char *not_uvm[] = { "mkimage", "-o", out, "-u", (char *)at("raw.bin"), NULL };
	char *no_uvm[] = { "mkimage", "-o", out, "-u", (char *)at("none.bin"), NULL };
	char *bad_out[] = { "mkimage", "-o", (char *)at("no/dir/x.img"), "-u", (char *)at("uvm.bin"), NULL };
	char msg[512];

	CHECK_EQ(mkimage_main(3, no_out, &d), -1);
	CHECK_STR(d.text, "mkimage: usage: mkimage -o OUT -u MICROVISOR_BIN [-d DOM0_CFG] [CFG...]");
	CHECK_EQ(mkimage_main(2, no_arg, &d), -1);
	CHECK_STR(d.text, "mkimage: -o needs an argument (usage: mkimage -o OUT -u MICROVISOR_BIN [-d DOM0_CFG] [CFG...])");
	CHECK_EQ(mkimage_main(2, unknown, &d), -1);
	CHECK_STR(d.text, "mkimage: unknown option '-x' (usage: mkimage -o OUT -u MICROVISOR_BIN [-d DOM0_CFG] [CFG...])");
	CHECK_EQ(mkimage_main(5, not_uvm, &d), -1);
	snprintf(msg, sizeof msg, "%s: not a Rivet microvisor (no RIVETUVM magic in its header)", at("raw.bin"));
	CHECK_STR(d.text, msg);
	CHECK_EQ(mkimage_main(5, no_uvm, &d), -1);
	snprintf(msg, sizeof msg, "%s: cannot read: No such file or directory", at("none.bin"));
	CHECK_STR(d.text, msg);
	CHECK_EQ(mkimage_main(5, bad_out, &d), -1);
	snprintf(msg, sizeof msg, "%s: cannot create a temporary file beside it: No such file or directory", at("no/dir/x.img"));
	CHECK_STR(d.text, msg);
}

static void cleanup(void)
{
	static const char *const names[] = {
		"uvm.bin", "raw.bin", "rd.cpio", "k.elf", "a.cfg", "sub/b.cfg", "rivet.img", "dup.cfg",
		"nok.cfg", "nord.cfg", "small.cfg", "setwice.cfg", "elfram.cfg", "big.rd", "notelf.elf",
		"badelf.cfg", "hugerd.cfg", "high.elf", "high.cfg", "Image", "fat.cfg", "syntax.cfg",
	};
	unsigned i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(at(names[i]));
	rmdir(at("sub"));
	rmdir(dir);
	free(img);
	free(ref);
}

int main(void)
{
	check_suite = "mkimage";
	setup();
	RUN(two_domains);
	RUN(dom0_comes_first_and_privileged);
	RUN(no_domains);
	RUN(errors);
	RUN(bad_arguments);
	cleanup();
	return CHECK_DONE();
}
