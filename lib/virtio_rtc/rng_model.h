/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * virtio-rng device model (device ID 4): fill the device-writable buffers of
 * a chain with entropy, in place in guest memory (no bounce buffer).
 *
 * The used length is the number of bytes written. A chain with a
 * device-readable part is a driver bug: it gets used length 0 and nothing
 * is written (the device must not write read-only memory, and guessing
 * which part the driver meant is not our job). A source failure also gives
 * used length 0 and is counted.
 */

#ifndef VRTC_RNG_MODEL_H
#define VRTC_RNG_MODEL_H

#include <stdint.h>

#include "chain.h"
#include "entropy.h"

/** Counters of one virtio-rng queue; single writer (the poller). */
struct vrtc_rng_stats {
	uint64_t requests;	 /**< chains handled */
	uint64_t bytes;		 /**< bytes of entropy written */
	uint64_t readable_chains; /**< rejected: chain had device-readable buffers */
	uint64_t empty_chains;	 /**< no writable byte (used length 0) */
	uint64_t source_errors;	 /**< the source failed (used length 0) */
};

/**
 * Fill the writable part of @p chain with at most @p max_bytes bytes from
 * @p src (UINT32_MAX for no limit; a rate limiter passes its budget).
 * @return the used length.
 */
uint32_t vrtc_rng_handle(struct vrtc_entropy *src, const struct vrtc_chain *chain,
			 uint32_t max_bytes, struct vrtc_rng_stats *stats);

#endif /* VRTC_RNG_MODEL_H */
