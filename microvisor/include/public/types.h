/* SPDX-License-Identifier: MIT */
/* types.h: fixed-width types for the public ABI, in hosted and freestanding builds alike. */
#ifndef RIVET_PUBLIC_TYPES_H
#define RIVET_PUBLIC_TYPES_H
#include <stdint.h>
#endif
