/* SPDX-License-Identifier: MIT */
/* stdlib.h: empty; libfdt_env.h includes it but libfdt needs nothing from it here. */
#ifndef RIVET_LIBC_STDLIB_H
#define RIVET_LIBC_STDLIB_H
#include <stddef.h>
#endif
