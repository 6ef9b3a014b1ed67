/* SPDX-License-Identifier: MIT */
/*
 * bootimg_write.h: assembles rivet.img (public/bootimg.h): the microvisor,
 * zero padding, then the archive of domain records and 4 KiB-aligned blobs.
 */
#ifndef MKIMAGE_BOOTIMG_WRITE_H
#define MKIMAGE_BOOTIMG_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "bootimg.h"

#define BOOTIMG_ALIGN     4096ULL
#define BOOTIMG_MAX_BLOBS (RIVET_MAX_BOOT_DOMAINS * RIVET_MAX_LOADS)
#define BOOTIMG_MAX_BYTES (4ULL << 30) /* a sanity bound on the whole image */
#define UVM_MAX_IMAGE     (1ULL << 30)

struct blob_ref {
	uint64_t offset, size;
};

/* The archive being built, header included, in memory. */
struct archive {
	struct rivet_bootimg_hdr hdr;
	uint8_t *data;       /* data[0 .. sizeof hdr) is filled in by bootimg_assemble */
	size_t len, cap;
	struct blob_ref blobs[BOOTIMG_MAX_BLOBS];
	unsigned nr_blobs;
};

/* Returns 0, or -1 when out of memory. */
int archive_init(struct archive *a);
void archive_free(struct archive *a);

/*
 * Appends N bytes at a 4 KiB-aligned offset (from the archive start) stored
 * in *OFFSET. A blob identical to an earlier one is stored once. An empty
 * blob gets offset 0. Returns 0, or -1 with a reason in WHY.
 */
int archive_add_blob(struct archive *a, const void *p, uint64_t n, uint64_t *offset, char *why);

/* The next free domain record (zeroed), or NULL when all are used. */
struct rivet_bootimg_domain *archive_add_domain(struct archive *a);

/*
 * Checks that UVM starts with a Rivet microvisor header and returns, in
 * *ARCHIVE_OFFSET, where the archive goes: align_up(max(len, image_size), 4 KiB).
 */
int uvm_check(const uint8_t *uvm, size_t len, uint64_t *archive_offset, char *why);

/* The complete image in a malloc'ed buffer. Returns 0, or -1 with WHY. */
int bootimg_assemble(const uint8_t *uvm, size_t uvm_len, struct archive *a,
		     uint8_t **img, size_t *img_len, char *why);

#endif
