/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: the one place where a queue's ring layout is chosen. A queue
 * holds a split (q->vq) or a packed (q->vqp) engine; these dispatchers
 * call the right one. Each takes the layout as an argument so that a
 * serve function reads q->packed once per burst and calls a body
 * specialised for it (DPDK's _split / _packed shape):
 *
 *	static inline __attribute__((always_inline)) uint16_t
 *	serve_body(struct vrtc_queue *q, uint16_t burst, const int packed)
 *	{ ... vrtc_q_pop(q, packed, &chain) ... }
 *
 *	serve(q, burst) { return q->packed ? serve_body(q, burst, 1)
 *	                                   : serve_body(q, burst, 0); }
 *
 * With a constant @p packed the compiler folds every branch away: the split
 * path is the same code as before packed rings existed, with no indirect
 * call per chain.
 */

#ifndef VRTC_QUEUE_RING_H
#define VRTC_QUEUE_RING_H

#include <stdint.h>

#include "queue.h"

#define VRTC_Q_INLINE static inline __attribute__((always_inline))

VRTC_Q_INLINE uint16_t
vrtc_q_avail(struct vrtc_queue *q, const int packed, uint16_t max)
{
	return packed ? vrtc_vqp_avail(&q->vqp, max) : vrtc_vq_avail(&q->vq, max);
}

VRTC_Q_INLINE int
vrtc_q_pop(struct vrtc_queue *q, const int packed, struct vrtc_chain *chain)
{
	return packed ? vrtc_vqp_pop(&q->vqp, chain) : vrtc_vq_pop(&q->vq, chain);
}

/* A completion of an id not in flight is refused and counted by either
 * engine (bad_push, xstat "bad_push"); chains come from pop, so it does
 * not happen here. */
VRTC_Q_INLINE void
vrtc_q_push(struct vrtc_queue *q, const int packed, uint16_t id, uint32_t len)
{
	if (packed)
		(void)vrtc_vqp_push(&q->vqp, id, len);
	else
		(void)vrtc_vq_push(&q->vq, id, len);
}

VRTC_Q_INLINE int
vrtc_q_flush(struct vrtc_queue *q, const int packed)
{
	return packed ? vrtc_vqp_flush(&q->vqp) : vrtc_vq_flush(&q->vq);
}

VRTC_Q_INLINE void
vrtc_q_kicks_disable(struct vrtc_queue *q, const int packed)
{
	if (packed)
		vrtc_vqp_kicks_disable(&q->vqp);
	else
		vrtc_vq_kicks_disable(&q->vq);
}

VRTC_Q_INLINE int
vrtc_q_kicks_enable(struct vrtc_queue *q, const int packed)
{
	return packed ? vrtc_vqp_kicks_enable(&q->vqp) : vrtc_vq_kicks_enable(&q->vq);
}

/** Buffers popped and not yet pushed. */
VRTC_Q_INLINE uint16_t
vrtc_q_inflight(const struct vrtc_queue *q)
{
	return q->packed ? vrtc_vqp_inflight(&q->vqp) : vrtc_vq_inflight(&q->vq);
}

/** Whether the guest broke the ring (latched until the ring is set up again). */
VRTC_Q_INLINE int
vrtc_q_broken(const struct vrtc_queue *q)
{
	return q->packed ? vrtc_vqp_broken(&q->vqp) != VRTC_VQP_OK
			 : vrtc_vq_broken(&q->vq) != VRTC_VQ_OK;
}

/** Short name of why the ring is broken. */
static inline const char *
vrtc_q_broken_name(const struct vrtc_queue *q)
{
	return q->packed ? vrtc_vqp_broken_name(vrtc_vqp_broken(&q->vqp))
			 : vrtc_vq_broken_name(vrtc_vq_broken(&q->vq));
}

/** Ring size. */
static inline uint16_t
vrtc_q_size(const struct vrtc_queue *q)
{
	return q->packed ? q->vqp.ring.size : q->vq.vring.size;
}

#endif /* VRTC_QUEUE_RING_H */
