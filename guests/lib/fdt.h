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

#endif
