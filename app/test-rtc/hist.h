/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Latency histogram of dpdk-test-rtc: log-linear buckets over TSC cycles,
 * fixed size, no allocation when recording.
 *
 * Values below 2^SUB_BITS cycles have a bucket each; above, every power of
 * two is split into 2^SUB_BITS equal sub-buckets, so a bucket is at most
 * 1/32 (3 %) of its value wide, from one cycle to 2^64. Recording is a
 * count-leading-zeros, a shift and an increment.
 */

#ifndef TEST_RTC_HIST_H
#define TEST_RTC_HIST_H

#include <stdint.h>
#include <string.h>

#define HIST_SUB_BITS 5u
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_BUCKETS ((64u - HIST_SUB_BITS + 1u) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum_cycles;
	uint64_t min_cycles;
	uint64_t max_cycles;
	uint64_t bucket[HIST_BUCKETS];
};

static inline void
hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min_cycles = UINT64_MAX;
}

static inline unsigned int
hist_index(uint64_t v)
{
	unsigned int e;

	if (v < HIST_SUB)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v); /* >= HIST_SUB_BITS */
	return (e - HIST_SUB_BITS + 1u) * HIST_SUB +
	       (unsigned int)((v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1u));
}

/* Smallest value that falls in bucket @p i. */
static inline uint64_t
hist_bucket_low(unsigned int i)
{
	unsigned int e;

	if (i < HIST_SUB)
		return i;
	e = i / HIST_SUB + HIST_SUB_BITS - 1u;
	return ((uint64_t)HIST_SUB + i % HIST_SUB) << (e - HIST_SUB_BITS);
}

static inline void
hist_record(struct hist *h, uint64_t cycles)
{
	h->count++;
	h->sum_cycles += cycles;
	if (cycles < h->min_cycles)
		h->min_cycles = cycles;
	if (cycles > h->max_cycles)
		h->max_cycles = cycles;
	h->bucket[hist_index(cycles)]++;
}

static inline void
hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned int i;

	if (src->count == 0)
		return;
	dst->count += src->count;
	dst->sum_cycles += src->sum_cycles;
	if (src->min_cycles < dst->min_cycles)
		dst->min_cycles = src->min_cycles;
	if (src->max_cycles > dst->max_cycles)
		dst->max_cycles = src->max_cycles;
	for (i = 0; i < HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

/*
 * The value below which a fraction @p q (0 < q <= 1) of the samples lie:
 * the upper end of the bucket holding that rank (so never an
 * under-estimate), clamped to the largest value seen.
 */
static inline uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;
	unsigned int i;

	if (h->count == 0)
		return 0;
	rank = (uint64_t)(q * (double)h->count + 0.999999);
	if (rank == 0)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			uint64_t high = i + 1 < HIST_BUCKETS ? hist_bucket_low(i + 1) - 1 : UINT64_MAX;

			return high < h->max_cycles ? high : h->max_cycles;
		}
	}
	return h->max_cycles;
}

#endif /* TEST_RTC_HIST_H */
