/* SPDX-License-Identifier: MIT */
/* rand.h: splitmix64, the fuzzing guests' generator: one word of state, any seed (even 0) is good. */
#ifndef GUEST_RAND_H
#define GUEST_RAND_H

static inline unsigned long splitmix64(unsigned long *state)
{
	unsigned long z = (*state += 0x9e3779b97f4a7c15UL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
	return z ^ (z >> 31);
}

#endif
