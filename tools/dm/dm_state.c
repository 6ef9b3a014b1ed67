// SPDX-License-Identifier: MIT
/* dm_state.c: the state arena's header and slices (dm_state.h). */
#include "dm_state.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct dm_state_hdr *hdr(const struct dm_state *s)
{
	return (struct dm_state_hdr *)(void *)s->base;
}

static uint32_t first_free(void)
{
	return (uint32_t)((sizeof(struct dm_state_hdr) + DM_STATE_ALIGN - 1) & ~(size_t)(DM_STATE_ALIGN - 1));
}

static void fail(struct dm_state *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failed)
		return;
	s->failed = 1;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
}

void dm_state_format(struct dm_state *s, void *base, size_t bytes, const struct dm_state_id *id)
{
	*s = (struct dm_state){ .base = base, .bytes = bytes };
	/* The header now, each slice as it is allotted: untouched pages of the file stay unallocated. */
	memset(base, 0, first_free());
	struct dm_state_hdr *h = hdr(s);
	h->magic = DM_STATE_MAGIC;
	h->version = DM_STATE_VERSION;
	h->bytes = DM_STATE_BYTES;
	h->domid = id->domid;
	snprintf(h->name, sizeof h->name, "%s", id->name);
	h->instance = id->instance;
	h->generation = 1;
	h->next_free = first_free();
}

int dm_state_resume(struct dm_state *s, void *base, size_t bytes, const struct dm_state_id *id,
		    int *was_clean, char *err, size_t errlen)
{
	*s = (struct dm_state){ .base = base, .bytes = bytes, .resumed = 1 };
	const struct dm_state_hdr *h = hdr(s);
	char name[DM_STATE_NAME_LEN];

	if (bytes < DM_STATE_BYTES || h->magic != DM_STATE_MAGIC) {
		snprintf(err, errlen, "not a rivet-dm state file");
		return -1;
	}
	if (h->version != DM_STATE_VERSION || h->bytes != DM_STATE_BYTES) {
		snprintf(err, errlen, "state layout version %u (%u bytes), this rivet-dm has %u (%u bytes)",
			 h->version, h->bytes, DM_STATE_VERSION, DM_STATE_BYTES);
		return -1;
	}
	memcpy(name, h->name, sizeof name);
	name[sizeof name - 1] = 0;
	if (h->domid != id->domid || strcmp(name, id->name)) {
		snprintf(err, errlen, "the state file belongs to domain %u (%s), not to domain %u (%s)",
			 h->domid, name, id->domid, id->name);
		return -1;
	}
	if (h->instance != id->instance) {
		snprintf(err, errlen, "the state file belongs to an earlier life of domain %u "
			 "(instance %#llx, not %#llx)", id->domid, (unsigned long long)h->instance,
			 (unsigned long long)id->instance);
		return -1;
	}
	if (!h->ready || h->nr_slices > DM_STATE_MAX_SLICES || h->next_free > DM_STATE_BYTES) {
		snprintf(err, errlen, "the state file was never completed (its rivet-dm died starting)");
		return -1;
	}
	*was_clean = h->clean == 1;
	hdr(s)->clean = 0;
	hdr(s)->generation++;
	return 0;
}

void *dm_state_slice(struct dm_state *s, const char *name, size_t size)
{
	struct dm_state_hdr *h = hdr(s);

	if (!s->base) {
		fail(s, "no state arena");
		return NULL;
	}
	if (strlen(name) >= sizeof h->slice[0].name) {
		fail(s, "state slice name '%s' too long", name);
		return NULL;
	}
	if (s->resumed) {
		for (unsigned i = 0; i < h->nr_slices; i++) {
			const struct dm_state_slice_desc *d = &h->slice[i];
			if (strncmp(d->name, name, sizeof d->name))
				continue;
			if (d->size != size || d->offset % DM_STATE_ALIGN || d->offset < first_free() ||
			    d->offset > DM_STATE_BYTES || size > DM_STATE_BYTES - d->offset) {
				fail(s, "state slice '%s' has %u bytes at %u, expected %zu", name, d->size,
				     d->offset, size);
				return NULL;
			}
			return s->base + d->offset;
		}
		fail(s, "the state file has no slice '%s' (another device layout)", name);
		return NULL;
	}
	for (unsigned i = 0; i < h->nr_slices; i++)
		if (!strncmp(h->slice[i].name, name, sizeof h->slice[i].name)) {
			fail(s, "state slice '%s' asked for twice", name);
			return NULL;
		}
	uint64_t off = h->next_free;
	if (h->nr_slices == DM_STATE_MAX_SLICES || off + size > DM_STATE_BYTES) {
		fail(s, "the state arena has no room for slice '%s' (%zu bytes)", name, size);
		return NULL;
	}
	struct dm_state_slice_desc *d = &h->slice[h->nr_slices++];
	snprintf(d->name, sizeof d->name, "%s", name);
	d->offset = (uint32_t)off;
	d->size = (uint32_t)size;
	h->next_free = (uint32_t)((off + size + DM_STATE_ALIGN - 1) & ~(uint64_t)(DM_STATE_ALIGN - 1));
	memset(s->base + off, 0, size);
	return s->base + off;
}

void dm_state_seal(struct dm_state *s)
{
	if (!s->base)
		return;
	/* Everything before is in place before a successor may believe it. */
	__atomic_store_n(&hdr(s)->ready, 1, __ATOMIC_RELEASE);
}

void dm_state_set_clean(struct dm_state *s, int clean)
{
	if (s->base)
		__atomic_store_n(&hdr(s)->clean, clean ? 1u : 0u, __ATOMIC_SEQ_CST);
}

uint64_t dm_state_generation(const struct dm_state *s)
{
	return s->base ? hdr(s)->generation : 0;
}
