/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * virtio-rng request handling: one source fill per writable segment, in
 * place in guest memory (zero-copy: each filled range is then recorded
 * with vrtc_gw_produced()). The segments were validated by the chain
 * walker; nothing here reads guest memory.
 */

#include <stdint.h>

#include "guest_write.h"
#include "platform.h"
#include "rng_model.h"

uint32_t
vrtc_rng_handle(struct vrtc_entropy *src, const struct vrtc_chain *chain, uint32_t max_bytes,
		struct vrtc_rng_stats *stats)
{
	uint32_t budget, used = 0;
	uint16_t i;

	stats->requests++;
	if (vrtc_unlikely(chain->nb_readable != 0)) {
		/* A driver bug: the spec lets the driver post writable
		 * buffers only. Touch nothing. */
		stats->readable_chains++;
		return 0;
	}
	budget = VRTC_MIN(chain->writable_bytes, max_bytes);
	if (vrtc_unlikely(budget == 0)) {
		/* Nothing to write into (or nothing we may write now): the
		 * "at least one byte" rule cannot be met. */
		stats->empty_chains++;
		return 0;
	}
	for (i = 0; i < chain->nb_writable && used < budget; i++) {
		const struct vrtc_seg *seg = vrtc_chain_writable_seg(chain, i);
		uint32_t n = VRTC_MIN(seg->len, budget - used);

		if (vrtc_unlikely(vrtc_entropy_fill(src, seg->addr, n) != 0)) {
			/* The bytes already written are random but not
			 * promised: report none. The source logs why. */
			stats->source_errors++;
			return 0;
		}
		vrtc_gw_produced(chain, seg, 0, n);
		used += n;
	}
	stats->bytes += used;
	return used;
}
