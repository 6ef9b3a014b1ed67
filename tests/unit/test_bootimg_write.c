/* SPDX-License-Identifier: MIT */
/* test_bootimg_write.c: the archive, the microvisor header check and the image assembly. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootimg_write.h"
#include "check.h"
#include "diag.h"
#include "fileio.h"

static char why[REASON_MAX];
static struct archive a;

/* A fake microvisor: its header, then LEN - 32 bytes of 0xaa. */
static uint8_t *fake_uvm(size_t len, uint64_t image_size, uint64_t magic)
{
	uint8_t *p = malloc(len);
	struct rivet_uvm_hdr h = { 0x0000006f, 0, image_size, magic, 0 };

	memset(p, 0xaa, len);
	memcpy(p, &h, len < sizeof h ? len : sizeof h);
	return p;
}

static int check_uvm(size_t len, uint64_t image_size, uint64_t magic, uint64_t *at)
{
	uint8_t *p = fake_uvm(len, image_size, magic);
	int r;

	why[0] = '\0';
	r = uvm_check(p, len, at, why);
	free(p);
	return r;
}

TEST(uvm_header)
{
	uint64_t at = 0;

	CHECK_EQ(check_uvm(100, 0x5000, RIVET_UVM_MAGIC, &at), 0);
	CHECK_EQ(at, 0x5000);
	CHECK_EQ(check_uvm(100, 0x5001, RIVET_UVM_MAGIC, &at), 0);
	CHECK_EQ(at, 0x6000);
	CHECK_EQ(check_uvm(0x6001, 0x100, RIVET_UVM_MAGIC, &at), 0); /* file longer than image_size */
	CHECK_EQ(at, 0x7000);
	CHECK_EQ(check_uvm(0x1000, 0x1000, RIVET_UVM_MAGIC, &at), 0);
	CHECK_EQ(at, 0x1000);
	CHECK_EQ(check_uvm(31, 0x1000, RIVET_UVM_MAGIC, &at), -1);
	CHECK_STR(why, "not a Rivet microvisor (only 31 bytes)");
	CHECK_EQ(check_uvm(4096, 0x1000, 0x1234, &at), -1);
	CHECK_STR(why, "not a Rivet microvisor (no RIVETUVM magic in its header)");
	CHECK_EQ(check_uvm(4096, 0, RIVET_UVM_MAGIC, &at), -1);
	CHECK_STR(why, "bad microvisor header: image_size 0x0");
	CHECK_EQ(check_uvm(4096, 0xffffffffffffffffULL, RIVET_UVM_MAGIC, &at), -1);
	CHECK_STR(why, "bad microvisor header: image_size 0xffffffffffffffff");
}

TEST(blobs_aligned_and_shared)
{
	static uint8_t x[5000], y[10];
	uint64_t o1, o2, o3, o4, o5;

	memset(x, 1, sizeof x);
	memset(y, 2, sizeof y);
	CHECK_EQ(archive_init(&a), 0);
	CHECK_EQ(a.len, sizeof(struct rivet_bootimg_hdr));
	CHECK_EQ(archive_add_blob(&a, x, sizeof x, &o1, why), 0);
	CHECK_EQ(o1, (sizeof(struct rivet_bootimg_hdr) + 4095) & ~4095ULL);
	CHECK_EQ(archive_add_blob(&a, y, sizeof y, &o2, why), 0);
	CHECK_EQ(o2, o1 + 0x2000);
	CHECK_EQ(archive_add_blob(&a, x, sizeof x, &o3, why), 0); /* same bytes: stored once */
	CHECK_EQ(o3, o1);
	CHECK_EQ(archive_add_blob(&a, x, 10, &o4, why), 0);       /* a prefix is a new blob */
	CHECK_EQ(o4, o2 + 0x1000);
	CHECK_EQ(archive_add_blob(&a, x, 0, &o5, why), 0);
	CHECK_EQ(o5, 0);
	CHECK_EQ(a.len, o4 + 10);
	CHECK(!memcmp(a.data + o1, x, sizeof x));
	CHECK(!memcmp(a.data + o2, y, sizeof y));
	archive_free(&a);
}

TEST(domain_slots)
{
	unsigned i;

	CHECK_EQ(archive_init(&a), 0);
	for (i = 0; i < RIVET_MAX_BOOT_DOMAINS; i++)
		CHECK(archive_add_domain(&a) == &a.hdr.domains[i]);
	CHECK(archive_add_domain(&a) == NULL);
	CHECK_EQ(a.hdr.nr_domains, RIVET_MAX_BOOT_DOMAINS);
	archive_free(&a);
}

TEST(assemble)
{
	static const char blob[] = "kernel bytes";
	struct rivet_bootimg_hdr h;
	struct rivet_bootimg_domain *dom;
	uint8_t *uvm = fake_uvm(0x1234, 0x3000, RIVET_UVM_MAGIC), *img;
	size_t len, i;
	uint64_t off;
	int zero = 1;

	CHECK_EQ(archive_init(&a), 0);
	dom = archive_add_domain(&a);
	strcpy(dom->name, "d0");
	CHECK_EQ(archive_add_blob(&a, blob, sizeof blob, &off, why), 0);
	dom->nr_loads = 1;
	dom->loads[0] = (struct rivet_bootimg_load){ 0x80200000, off, sizeof blob, 0x1000 };
	CHECK_EQ(bootimg_assemble(uvm, 0x1234, &a, &img, &len, why), 0);
	CHECK_EQ(len, 0x3000 + off + sizeof blob);
	CHECK(!memcmp(img, uvm, 0x1234));
	for (i = 0x1234; i < 0x3000; i++)
		zero &= img[i] == 0;
	CHECK(zero);
	memcpy(&h, img + 0x3000, sizeof h);
	CHECK(h.magic == RIVET_BOOTIMG_MAGIC);
	CHECK(!memcmp(img + 0x3000, "RIVETIMG", 8));
	CHECK_EQ(h.version, RIVET_BOOTIMG_VERSION);
	CHECK_EQ(h.nr_domains, 1);
	CHECK_EQ(h.total_size, off + sizeof blob);
	CHECK_STR(h.domains[0].name, "d0");
	CHECK_EQ(h.domains[0].loads[0].offset % 4096, 0);
	CHECK(!memcmp(img + 0x3000 + h.domains[0].loads[0].offset, blob, sizeof blob));
	free(img);
	archive_free(&a);

	CHECK_EQ(archive_init(&a), 0);
	CHECK_EQ(bootimg_assemble(uvm, 31, &a, &img, &len, why), -1);
	CHECK(img == NULL);
	archive_free(&a);
	free(uvm);
}

TEST(empty_archive)
{
	uint8_t *uvm = fake_uvm(64, 64, RIVET_UVM_MAGIC), *img;
	struct rivet_bootimg_hdr h;
	size_t len;

	CHECK_EQ(archive_init(&a), 0);
	CHECK_EQ(bootimg_assemble(uvm, 64, &a, &img, &len, why), 0);
	CHECK_EQ(len, 0x1000 + sizeof h);
	memcpy(&h, img + 0x1000, sizeof h);
	CHECK_EQ(h.nr_domains, 0);
	CHECK_EQ(h.total_size, sizeof h);
	free(img);
	archive_free(&a);
	free(uvm);
}

TEST(atomic_write)
{
	char dir[] = "/tmp/rivet-test-XXXXXX", path[128], bad[160];
	uint8_t *back;
	size_t len;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/out.img", dir);
	CHECK_EQ(file_write_atomic(path, "hello", 5, why), 0);
	CHECK_EQ(file_read(path, 100, &back, &len, why), 0);
	CHECK_EQ(len, 5);
	CHECK(!memcmp(back, "hello", 5));
	free(back);
	CHECK_EQ(file_read(path, 4, &back, &len, why), -1);
	CHECK_STR(why, "larger than 4 bytes");
	CHECK_EQ(file_read(dir, 100, &back, &len, why), -1);
	CHECK_STR(why, "Is a directory");
	snprintf(bad, sizeof bad, "%s/nodir/out.img", dir);
	CHECK_EQ(file_write_atomic(bad, "x", 1, why), -1);
	CHECK_STR(why, "cannot create a temporary file beside it: No such file or directory");
	CHECK_EQ(file_read(bad, 100, &back, &len, why), -1);
	CHECK_STR(why, "No such file or directory");
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	check_suite = "bootimg_write";
	RUN(uvm_header);
	RUN(blobs_aligned_and_shared);
	RUN(domain_slots);
	RUN(assemble);
	RUN(empty_archive);
	RUN(atomic_write);
	return CHECK_DONE();
}
