/* SPDX-License-Identifier: MIT */
/* bootimg_write.c: builds the boot-module archive and the whole rivet.img. */
#include <stdlib.h>
#include <string.h>

#include "bootimg_write.h"
#include "diag.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "mkimage writes the little-endian image structs as they are in memory"
#endif

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int reserve(struct archive *a, size_t need)
{
	size_t cap = a->cap ? a->cap : 1 << 16;
	uint8_t *p;

	if (need <= a->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(a->data, cap);
	if (!p)
		return -1;
	memset(p + a->cap, 0, cap - a->cap);
	a->data = p;
	a->cap = cap;
	return 0;
}

int archive_init(struct archive *a)
{
	memset(a, 0, sizeof *a);
	a->hdr.magic = RIVET_BOOTIMG_MAGIC;
	a->hdr.version = RIVET_BOOTIMG_VERSION;
	if (reserve(a, sizeof a->hdr) < 0)
		return -1;
	a->len = sizeof a->hdr;
	return 0;
}

void archive_free(struct archive *a)
{
	free(a->data);
	a->data = NULL;
	a->len = a->cap = 0;
}

int archive_add_blob(struct archive *a, const void *p, uint64_t n, uint64_t *offset, char *why)
{
	uint64_t off;
	unsigned i;

	*offset = 0;
	if (n == 0)
		return 0;
	for (i = 0; i < a->nr_blobs; i++)
		if (a->blobs[i].size == n && !memcmp(a->data + a->blobs[i].offset, p, n)) {
			*offset = a->blobs[i].offset;
			return 0;
		}
	if (a->nr_blobs == BOOTIMG_MAX_BLOBS)
		return reason_set(why, "more than %d blobs in the image", (int)BOOTIMG_MAX_BLOBS);
	off = align_up(a->len, BOOTIMG_ALIGN);
	if (n > BOOTIMG_MAX_BYTES || off + n > BOOTIMG_MAX_BYTES)
		return reason_set(why, "the image would be larger than %llu bytes",
				  (unsigned long long)BOOTIMG_MAX_BYTES);
	if (reserve(a, off + n) < 0)
		return reason_set(why, "out of memory");
	memcpy(a->data + off, p, n);
	a->len = off + n;
	a->blobs[a->nr_blobs++] = (struct blob_ref){ off, n };
	*offset = off;
	return 0;
}

struct rivet_bootimg_domain *archive_add_domain(struct archive *a)
{
	struct rivet_bootimg_domain *d;

	if (a->hdr.nr_domains == RIVET_MAX_BOOT_DOMAINS)
		return NULL;
	d = &a->hdr.domains[a->hdr.nr_domains++];
	memset(d, 0, sizeof *d);
	return d;
}

int uvm_check(const uint8_t *uvm, size_t len, uint64_t *archive_offset, char *why)
{
	struct rivet_uvm_hdr h;
	uint64_t size = len;

	if (len < sizeof h)
		return reason_set(why, "not a Rivet microvisor (only %zu bytes)", len);
	memcpy(&h, uvm, sizeof h);
	if (h.magic != RIVET_UVM_MAGIC)
		return reason_set(why, "not a Rivet microvisor (no RIVETUVM magic in its header)");
	if (h.image_size == 0 || h.image_size > UVM_MAX_IMAGE)
		return reason_set(why, "bad microvisor header: image_size 0x%llx",
				  (unsigned long long)h.image_size);
	if (h.image_size > size)
		size = h.image_size;
	*archive_offset = align_up(size, BOOTIMG_ALIGN);
	return 0;
}

int bootimg_assemble(const uint8_t *uvm, size_t uvm_len, struct archive *a,
		     uint8_t **img, size_t *img_len, char *why)
{
	uint64_t at, total;
	uint8_t *p;

	*img = NULL;
	*img_len = 0;
	if (uvm_check(uvm, uvm_len, &at, why) < 0)
		return -1;
	a->hdr.total_size = a->len;
	total = at + a->len;
	if (total > BOOTIMG_MAX_BYTES)
		return reason_set(why, "the image would be larger than %llu bytes",
				  (unsigned long long)BOOTIMG_MAX_BYTES);
	p = calloc(1, total);
	if (!p)
		return reason_set(why, "out of memory");
	memcpy(a->data, &a->hdr, sizeof a->hdr);
	memcpy(p, uvm, uvm_len);
	memcpy(p + at, a->data, a->len);
	*img = p;
	*img_len = total;
	return 0;
}
