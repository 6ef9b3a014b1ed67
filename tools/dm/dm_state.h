/* SPDX-License-Identifier: MIT */
/*
 * dm_state.h: the state arena, where rivet-dm keeps every device's
 * guest-visible state so that a new rivet-dm (--resume) finds it after the
 * old one stopped or died (docs/dm.md "Restart"). This file is the layout
 * over a block of memory, with no system dependency; the daemon maps the
 * block from a tmpfs file (tools/dm/main/dm_state_file.c), unit tests give
 * it a buffer.
 *
 * Layout: a header, a table of named slices, then the slices, each 64-byte
 * aligned. The header names the DomU (domid, name, and the instance xl gave
 * this life of it: a file of an earlier domain with the same id never
 * matches) and the layout version; generation counts the processes that
 * have served from it.
 *
 * The rule for devices: everything a device's guest can observe lives in one
 * plain-old-data struct (no pointers, fixed size: struct plic_state,
 * uart16550_state, virtio_mmio_state with its queues' struct vq) reached
 * through the device's `st` member. A device's init points st at storage
 * of its own and resets it; the daemon then moves it into the arena with the
 * device's *_bind_state(dev, slice, resumed): fresh, the reset state is
 * copied there; resumed, the slice is kept and checked (bounds clamped, so
 * a damaged file cannot make rivet-dm index out of range). Adding a device
 * is one line in dm_machine.c:
 *
 *	x_bind_state(&dev, DM_STATE_SLICE(&dm->state, "x0", struct x_state), resumed);
 *
 * A device never holds a popped virtqueue chain across a return to the main
 * loop, and publishes used entries only through vq_publish (virtqueue.h),
 * which journals them in the arena: that, and this rule, is what makes a
 * SIGKILL at any instant recoverable.
 *
 * Slices are found by name and size when resumed: a state file of another
 * layout is refused as a whole, never half-used.
 */
#ifndef RIVET_DM_STATE_H
#define RIVET_DM_STATE_H
#include <stddef.h>
#include <stdint.h>

#define DM_STATE_MAGIC      0x5441545354444d52ULL   /* "RMDTSTAT" */
#define DM_STATE_VERSION    2u                      /* 2: virtio slots name their device */
#define DM_STATE_NAME_LEN   32u
#define DM_STATE_MAX_SLICES 32u
#define DM_STATE_ALIGN      64u
/*
 * The whole arena. A tmpfs file, of which only the pages used take memory:
 * with the balloon's map of one bit per page, a DomU with devices may have
 * up to DM_STATE_MAX_RAM of RAM (dm_args.c checks).
 */
#define DM_STATE_BYTES      (8u * 1024u * 1024u)
#define DM_STATE_MAX_RAM    (224ULL << 30)

struct dm_state_slice_desc {
	char name[24];           /* NUL-terminated */
	uint32_t offset;         /* from the arena's start, DM_STATE_ALIGN-aligned */
	uint32_t size;
};

struct dm_state_hdr {
	uint64_t magic;
	uint32_t version;
	uint32_t bytes;          /* DM_STATE_BYTES */
	uint32_t domid;
	uint32_t nr_slices;
	char name[DM_STATE_NAME_LEN];
	uint64_t instance;       /* xl's id of this life of the domain (--instance) */
	uint64_t generation;     /* 1 for the first rivet-dm, +1 for each that took over */
	/*
	 * 1 while nobody serves, after an orderly stop that drained the posted
	 * ring (nothing the guest posted was lost); 0 while a rivet-dm serves:
	 * whoever finds 0 knows its predecessor died and recovers (dm.md).
	 */
	uint32_t clean;
	uint32_t ready;          /* 1 once every slice is in place (a half-made file is refused) */
	uint32_t next_free;      /* offset of the next slice to allot */
	uint32_t pad;
	struct dm_state_slice_desc slice[DM_STATE_MAX_SLICES];
};

/* Who the arena belongs to. */
struct dm_state_id {
	uint32_t domid;
	const char *name;
	uint64_t instance;
};

struct dm_state {
	uint8_t *base;           /* DM_STATE_BYTES, or NULL: no arena (slices come from the heap) */
	size_t bytes;
	int resumed;             /* the header was found, not made */
	int failed;              /* a slice could not be had: the caller stops */
	char err[160];           /* why (the first failure) */
};

/*
 * Makes a new arena in BASE (BYTES >= DM_STATE_BYTES; its header is zeroed
 * here, each slice when allotted) for ID.
 * Slices are allotted as they are asked for; dm_state_seal() marks it ready.
 */
void dm_state_format(struct dm_state *s, void *base, size_t bytes, const struct dm_state_id *id);
/*
 * Takes the arena in BASE over for ID: 0 with generation advanced and
 * *WAS_CLEAN set from the header (which is then marked in use), or -1 with
 * the reason in ERR (not an arena, another layout version, another domain
 * or another life of this one, never sealed).
 */
int dm_state_resume(struct dm_state *s, void *base, size_t bytes, const struct dm_state_id *id,
		    int *was_clean, char *err, size_t errlen);
/*
 * The slice NAME of SIZE bytes: made (zeroed) in a new arena, found in a
 * resumed one. NULL when it cannot be (full, or missing or of another size
 * when resumed): s->failed and s->err say so.
 */
void *dm_state_slice(struct dm_state *s, const char *name, size_t size);
#define DM_STATE_SLICE(s, name, type) ((type *)dm_state_slice((s), (name), sizeof(type)))
/* Every slice is in place (a new arena becomes resumable). */
void dm_state_seal(struct dm_state *s);
/* Orderly stop done (the ring drained) or serving again: the header's clean flag. */
void dm_state_set_clean(struct dm_state *s, int clean);
uint64_t dm_state_generation(const struct dm_state *s);

#endif
