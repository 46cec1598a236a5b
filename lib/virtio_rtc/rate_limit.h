/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Token bucket of a rate-limited virtio-rng device, in bytes.
 *
 * A buffer is served whenever the balance is positive and may drive it
 * negative (by up to one buffer, a buffer being capped at the capacity):
 * buffers are filled whole rather than dribbled out a few bytes at a time,
 * and the long-run rate still holds because the debt is repaid before the
 * next buffer. The capacity is a tenth of a second's worth (at least one
 * byte); a full bucket does not save up, and the cycles that did not make
 * a whole byte are kept for the next refill.
 *
 * Time is the caller's: a cycle counter and its frequency (the poller
 * passes rte_rdtsc() and rte_get_tsc_hz(); tests pass simulated time). No
 * EAL, no clock read, no lock: one bucket per device, used by the one
 * worker that serves it.
 *
 * Use on the data path, per poll of a queue:
 *
 *     if (!vrtc_rate_limit_may_serve(rl, now)) -> leave the buffers on the ring
 *     per buffer: fill at most vrtc_rate_limit_max_bytes(rl) bytes, then
 *     if (!vrtc_rate_limit_consume(rl, len)) -> stop this burst
 */

#ifndef VRTC_RATE_LIMIT_H
#define VRTC_RATE_LIMIT_H

#include <stdint.h>

/** One bucket. Fields are the module's; read them only for statistics. */
struct vrtc_rate_limit {
	uint64_t rate_bytes_per_s; /**< 0: unlimited */
	uint64_t capacity;	   /**< most bytes that can accumulate, and most per buffer */
	int64_t tokens;		   /**< balance in bytes, negative while in debt */
	uint64_t last;		   /**< cycle count the balance is accounted up to */
	uint64_t hz;		   /**< cycles per second */
};

/**
 * Set @p rl up for @p rate_bytes_per_s (0: unlimited), with time counted in
 * cycles of @p hz per second, starting at cycle @p now with a full bucket.
 * The capacity is max(rate / 10, 1) (below 2^61, so it fits the balance).
 * @return 0, or -EINVAL when limited and @p hz is 0 (nothing is changed).
 */
int vrtc_rate_limit_init(struct vrtc_rate_limit *rl, uint64_t rate_bytes_per_s, uint64_t hz,
			 uint64_t now);

/** Whether @p rl limits anything. */
static inline int
vrtc_rate_limit_enabled(const struct vrtc_rate_limit *rl)
{
	return rl->rate_bytes_per_s != 0;
}

/** The most bytes one buffer may take: the capacity (UINT32_MAX unlimited). */
static inline uint32_t
vrtc_rate_limit_max_bytes(const struct vrtc_rate_limit *rl)
{
	if (rl->rate_bytes_per_s == 0 || rl->capacity > UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)rl->capacity;
}

/**
 * Credit the bytes earned from the last accounted cycle up to @p now
 * (capped at the capacity; a full bucket restarts its accounting at
 * @p now). A @p now at or before the last accounted cycle adds nothing.
 * @return the balance (> 0: a buffer may be served). Unlimited: INT64_MAX.
 */
int64_t vrtc_rate_limit_refill(struct vrtc_rate_limit *rl, uint64_t now);

/**
 * Refill at @p now and say whether a buffer may be served (the balance is
 * positive; always when unlimited).
 */
int vrtc_rate_limit_may_serve(struct vrtc_rate_limit *rl, uint64_t now);

/**
 * Charge @p len bytes just served (at most vrtc_rate_limit_max_bytes()).
 * @return whether another buffer may be served before the next refill.
 */
int vrtc_rate_limit_consume(struct vrtc_rate_limit *rl, uint32_t len);

/**
 * The cycle count at which the balance is positive again (when a waiting
 * buffer may be served): now or earlier when it is positive already.
 * Unlimited buckets answer 0.
 */
uint64_t vrtc_rate_limit_next_cycle(const struct vrtc_rate_limit *rl);

#endif /* VRTC_RATE_LIMIT_H */
