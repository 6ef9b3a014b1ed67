/* SPDX-License-Identifier: MIT */
/* types.h: the microvisor's integer types and a few helpers every file uses. */
#ifndef RIVET_TYPES_H
#define RIVET_TYPES_H
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef uint8_t  u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t  s64;

#define ALIGN_UP(x, a)   (((x) + ((a) - 1)) & ~((u64)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((u64)(a) - 1))
#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE        4096UL
#define PAGE_SHIFT       12
#define SZ_2M            (2UL << 20)
#define SZ_1G            (1UL << 30)
#define container_of(p, T, m) ((T *)((char *)(p) - offsetof(T, m)))
#endif
