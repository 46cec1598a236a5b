/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Token bucket (see rate_limit.h). Arithmetic: the bytes earned over e
 * cycles are floor(e * rate / hz), computed in 128 bits (e and rate are
 * each below 2^64, so the product cannot overflow), and the accounting
 * moves on by the cycles those bytes are worth, floor(bytes * hz / rate),
 * which is at most e: the cycles that did not make a whole byte are kept.
 * The earned bytes can exceed 64 bits (a huge rate over a slow clock); they
 * are capped at the capacity before they meet the 64-bit balance.
 */

#include <errno.h>
#include <stdint.h>

#include "rate_limit.h"

int
vrtc_rate_limit_init(struct vrtc_rate_limit *rl, uint64_t rate_bytes_per_s, uint64_t hz,
		     uint64_t now)
{
	uint64_t capacity = rate_bytes_per_s / 10;

	if (rate_bytes_per_s != 0 && hz == 0)
		return -EINVAL;
	if (capacity == 0)
		capacity = 1;
	/* capacity <= UINT64_MAX / 10 < INT64_MAX: it fits the balance. */
	rl->rate_bytes_per_s = rate_bytes_per_s;
	rl->capacity = capacity;
	rl->tokens = (int64_t)capacity;
	rl->last = now;
	rl->hz = hz;
	return 0;
}

int64_t
vrtc_rate_limit_refill(struct vrtc_rate_limit *rl, uint64_t now)
{
	unsigned __int128 earned;
	uint64_t add;

	if (rl->rate_bytes_per_s == 0)
		return INT64_MAX;
	if (now <= rl->last)
		return rl->tokens;
	earned = (unsigned __int128)(now - rl->last) * rl->rate_bytes_per_s / rl->hz;
	if (earned == 0)
		return rl->tokens;
	/* Advance by the cycles those bytes are worth (<= now - last). */
	rl->last += (uint64_t)(earned * rl->hz / rl->rate_bytes_per_s);
	add = earned > rl->capacity ? rl->capacity : (uint64_t)earned;
	/* tokens <= capacity <= INT64_MAX and add <= capacity: compare
	 * before adding so that the sum cannot overflow. */
	if (rl->tokens >= 0 && add >= rl->capacity - (uint64_t)rl->tokens) {
		rl->tokens = (int64_t)rl->capacity;
		rl->last = now; /* a full bucket does not save up */
	} else {
		rl->tokens += (int64_t)add; /* in debt, or below capacity after */
	}
	return rl->tokens;
}

int
vrtc_rate_limit_may_serve(struct vrtc_rate_limit *rl, uint64_t now)
{
	return vrtc_rate_limit_refill(rl, now) > 0;
}

int
vrtc_rate_limit_consume(struct vrtc_rate_limit *rl, uint32_t len)
{
	if (rl->rate_bytes_per_s == 0)
		return 1;
	rl->tokens -= (int64_t)len;
	return rl->tokens > 0;
}

uint64_t
vrtc_rate_limit_next_cycle(const struct vrtc_rate_limit *rl)
{
	unsigned __int128 need, cycles;

	if (rl->rate_bytes_per_s == 0 || rl->tokens > 0)
		return 0;
	/* refill() earns floor((t - last) * rate / hz) bytes by cycle t; the
	 * balance is positive once that reaches 1 - tokens. */
	need = (unsigned __int128)(1 - rl->tokens);
	cycles = (need * rl->hz + rl->rate_bytes_per_s - 1) / rl->rate_bytes_per_s;
	if (cycles > UINT64_MAX - rl->last)
		return UINT64_MAX;
	return rl->last + (uint64_t)cycles;
}
