/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny deterministic generator for the randomized KUnit tests: the same
 * seed gives the same sequence on every run and every architecture, so a
 * failing seed can be replayed.
 */
#ifndef _ASPACE_KUNIT_RAND_H
#define _ASPACE_KUNIT_RAND_H

#include <linux/types.h>

/**
 * asp_test_rand() - the next value of a xorshift64 sequence
 * @state: the generator's state; never zero (zero stays zero)
 *
 * Return: the next 64-bit value, which is also the new state.
 */
static inline u64 asp_test_rand(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

#endif /* _ASPACE_KUNIT_RAND_H */
