// SPDX-License-Identifier: MIT
/* fdt.c: a bounded walk of a flattened device tree's structure block (DTSpec v0.4, chapter 5). */
#include "fdt.h"
#include "string.h"

#define FDT_MAGIC      0xd00dfeedUL
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9
#define FDT_MAX_SIZE   (1UL << 20)   /* guests get a few KiB; anything bigger is not ours */

unsigned long fdt_cell(const void *p)
{
	const unsigned char *b = p;

	return ((unsigned long)b[0] << 24) | ((unsigned long)b[1] << 16) |
	       ((unsigned long)b[2] << 8) | b[3];
}

/* Length of the NUL-terminated string at s, or -1 if it runs past end. */
static long bounded_strlen(const char *s, const char *end)
{
	const char *p = s;

	while (p < end && *p)
		p++;
	return p < end ? p - s : -1;
}

static int name_is(const char *name, const char *node)
{
	size_t n = strlen(node);

	return !strncmp(name, node, n) && (name[n] == '\0' || name[n] == '@');
}

const void *fdt_top_prop(unsigned long dtb, const char *node, const char *prop, unsigned int *len)
{
	const char *base = (const char *)dtb;
	unsigned long size, off_struct, size_struct, off_strings, size_strings;
	int depth = 0, in_node = 0;

	if (!dtb || fdt_cell(base) != FDT_MAGIC)
		return 0;
	size = fdt_cell(base + 4);
	off_struct = fdt_cell(base + 8);
	off_strings = fdt_cell(base + 12);
	size_strings = fdt_cell(base + 32);
	size_struct = fdt_cell(base + 36);
	if (size > FDT_MAX_SIZE || off_struct > size || size_struct > size - off_struct ||
	    off_strings > size || size_strings > size - off_strings)
		return 0;

	const char *s = base + off_struct, *end = s + size_struct;
	const char *strs = base + off_strings, *strs_end = strs + size_strings;

	while (s + 4 <= end) {
		unsigned long tok = fdt_cell(s);

		s += 4;
		if (tok == FDT_BEGIN_NODE) {
			long n = bounded_strlen(s, end);

			if (n < 0)
				return 0;
			depth++;
			in_node = depth == 2 && name_is(s, node);
			s += (n + 4) & ~3L;
		} else if (tok == FDT_END_NODE) {
			depth--;
			in_node = 0;
		} else if (tok == FDT_PROP) {
			if (s + 8 > end)
				return 0;
			unsigned long plen = fdt_cell(s), nameoff = fdt_cell(s + 4);

			s += 8;
			if (plen > (unsigned long)(end - s) || nameoff >= size_strings)
				return 0;
			if (in_node && bounded_strlen(strs + nameoff, strs_end) >= 0 &&
			    !strcmp(strs + nameoff, prop)) {
				*len = (unsigned int)plen;
				return s;
			}
			s += (plen + 3) & ~3UL;
		} else if (tok == FDT_END) {
			break;
		} else if (tok != FDT_NOP) {
			return 0;
		}
	}
	return 0;
}

unsigned long fdt_ram_end(unsigned long dtb, unsigned long base, unsigned long fallback)
{
	unsigned int len = 0;
	const char *reg = fdt_top_prop(dtb, "memory", "reg", &len);

	if (reg && len >= 16 && ((fdt_cell(reg) << 32) | fdt_cell(reg + 4)) == base)
		return base + ((fdt_cell(reg + 8) << 32) | fdt_cell(reg + 12));
	return base + fallback;
}
