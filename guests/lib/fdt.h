/* SPDX-License-Identifier: MIT */
/* fdt.h: reads one property of a top-level node of the device tree a guest boots with. */
#ifndef GUEST_FDT_H
#define GUEST_FDT_H

/*
 * Finds property prop of the node directly under the root whose name, up to
 * any "@unit", is node ("chosen", "memory"). Returns its value and sets *len,
 * or returns 0 when the tree is not valid or has no such property.
 */
const void *fdt_top_prop(unsigned long dtb, const char *node, const char *prop, unsigned int *len);

/* A big-endian cell, as device tree values are stored. */
unsigned long fdt_cell(const void *p);

/*
 * The end of the RAM at base the tree's /memory describes (#address-cells =
 * #size-cells = 2, as every Rivet domain's tree has), or base + fallback when
 * the tree says nothing about RAM at base.
 */
unsigned long fdt_ram_end(unsigned long dtb, unsigned long base, unsigned long fallback);

#endif
