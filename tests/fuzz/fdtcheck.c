// SPDX-License-Identifier: MIT
/* fdtcheck.c: the structure of a flattened device tree, checked tag by tag with libfdt. */
#include <string.h>

#include <libfdt.h>

#include "fdtcheck.h"

#define MAX_DEPTH 16

/* Properties of the node at NODE: no two share a name, each name readable. */
static const char *check_props(const void *fdt, int node)
{
	int a, b, la, lb;

	fdt_for_each_property_offset(a, fdt, node) {
		const char *na;
		if (!fdt_getprop_by_offset(fdt, a, &na, &la) || !na || !*na)
			return "a property has no readable name or value";
		b = fdt_next_property_offset(fdt, a);
		for (; b >= 0; b = fdt_next_property_offset(fdt, b)) {
			const char *nb;
			if (!fdt_getprop_by_offset(fdt, b, &nb, &lb) || !nb)
				return "a property has no readable name or value";
			if (!strcmp(na, nb))
				return "two properties of one node share a name";
		}
	}
	return a == -FDT_ERR_NOTFOUND ? NULL : "the property list is broken";
}

static const char *check_children(const void *fdt, int node)
{
	int a, b, la, lb;

	fdt_for_each_subnode(a, fdt, node) {
		const char *na = fdt_get_name(fdt, a, &la);
		if (!na || la <= 0 || memchr(na, '/', (size_t)la))
			return "a node has an empty or bad name";
		for (b = fdt_next_subnode(fdt, a); b >= 0; b = fdt_next_subnode(fdt, b)) {
			const char *nb = fdt_get_name(fdt, b, &lb);
			if (!nb)
				return "a node has no readable name";
			if (la == lb && !memcmp(na, nb, (size_t)la))
				return "two children of one node share a name";
		}
	}
	return a == -FDT_ERR_NOTFOUND ? NULL : "the child list is broken";
}

const char *fdt_check_tree(const void *fdt, size_t bufsize)
{
	int off = 0, next, depth = 0;
	const char *why;

	if (bufsize < FDT_V1_SIZE || fdt_check_header(fdt) != 0)
		return "bad header";
	if (fdt_totalsize(fdt) > bufsize)
		return "totalsize is larger than the buffer";
	if (fdt_next_tag(fdt, 0, &next) != FDT_BEGIN_NODE)
		return "the tree does not start with a node";
	for (;;) {
		uint32_t tag = fdt_next_tag(fdt, off, &next);

		if (next < 0)
			return "a tag runs past the structure block";
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (++depth > MAX_DEPTH)
				return "nodes nested too deep";
			if ((why = check_props(fdt, off)) || (why = check_children(fdt, off)))
				return why;
			break;
		case FDT_END_NODE:
			if (--depth < 0)
				return "more node ends than node starts";
			break;
		case FDT_PROP:
			if (depth < 1)
				return "a property outside every node";
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			return depth ? "the tree ends inside a node" : NULL;
		default:
			return "an unknown tag";
		}
		if (depth == 0 && tag == FDT_END_NODE) {
			/* After the root closes only FDT_END (or NOPs) may follow. */
			off = next;
			while ((tag = fdt_next_tag(fdt, off, &next)) == FDT_NOP && next >= 0)
				off = next;
			return tag == FDT_END && next >= 0 ? NULL : "something follows the root node";
		}
		off = next;
	}
}
