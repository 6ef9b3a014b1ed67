/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h: what every libFuzzer target here shares: a reader that turns the
 * input bytes into numbers (0 once they run out, so every input is valid),
 * and FUZZ_CHECK, which names the broken property on stderr and aborts so
 * that libFuzzer saves the input (tests/fuzz/check.sh reports the line).
 */
#ifndef RIVET_FUZZ_H
#define RIVET_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct fin {
	const uint8_t *p;
	size_t left;
};

static inline uint64_t fin_bytes(struct fin *in, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		v <<= 8;
		if (in->left) {
			v |= *in->p++;
			in->left--;
		}
	}
	return v;
}

#define fin_u8(in)  ((uint8_t)fin_bytes(in, 1))
#define fin_u16(in) ((uint16_t)fin_bytes(in, 2))
#define fin_u32(in) ((uint32_t)fin_bytes(in, 4))
#define fin_u64(in) fin_bytes(in, 8)

#define FUZZ_CHECK(cond, ...) do { if (!(cond)) { \
	fprintf(stderr, "FUZZ-FAIL: %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif
