/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: one virtqueue as the poller sees it. The poller knows nothing
 * of devices: it calls q->serve and signals q->callfd.
 *
 * Ownership of a queue:
 *   - while q->running is 0, the control thread owns everything in it;
 *   - it sets up q->vq and then stores running = 1 with release semantics
 *     (vrtc_poller_queue_publish); the poller that serves the queue loads
 *     running with acquire semantics and from then on owns q->vq and the
 *     device model state reached through q->serve;
 *   - to take the queue back the control thread stores running = 0 and
 *     waits for an RCU grace period (vrtc_poller_queue_quiesce): every
 *     thread inside a poll call when running was cleared has left it. Only
 *     then may guest memory be unmapped or the ring change.
 */

#ifndef VRTC_QUEUE_H
#define VRTC_QUEUE_H

#include <stdint.h>

#include "vq.h"
#include "vq_private.h" /* embedded by value; used through vq.h only */

struct vrtc_queue;

/**
 * Serve up to @p burst chains of @p q: pop, handle, push. The poller
 * flushes the used ring and signals the guest afterwards.
 * @return chains served (0: nothing to do, or held back by the device).
 */
typedef uint16_t (*vrtc_queue_serve_t)(struct vrtc_queue *q, uint16_t burst);

/**
 * Timed work of @p q (virtio-rtc alarms): called by a poller about to
 * sleep, on the polling thread, for a running queue.
 * @return CLOCK_MONOTONIC ns by which the poller must have served the queue
 *   again (at or before @p mono_now_ns: it has work now, do not sleep), or
 *   UINT64_MAX when nothing is timed.
 */
typedef uint64_t (*vrtc_queue_deadline_t)(struct vrtc_queue *q, uint64_t mono_now_ns);

/** Counters the control thread keeps across re-initialisations of q->vq. */
struct vrtc_queue_totals {
	uint64_t bad_chains;
	uint64_t notify_suppressed;
	uint64_t polls;
	uint64_t polls_empty;
	uint64_t bad_push;
};

struct vrtc_queue {
	/* Read by the poller on every pass. */
	uint8_t running; /* atomic: see the ownership rules above */
	uint16_t qid;
	int callfd;	 /* interrupt eventfd, -1 when the driver wants none */
	int kickfd;	 /* kick eventfd, -1 when the driver polls (NOFD) */
	vrtc_queue_serve_t serve;
	vrtc_queue_deadline_t deadline; /* NULL: the queue has no timed work */
	/* The last serve left available buffers on the ring on purpose (a
	 * rate limit, a source with nothing ready): they are no reason not to
	 * sleep; the deadline hook says when to look again. Poller thread. */
	uint8_t held_back;
	void *owner;	 /* the device, for q->serve */
	uint64_t interrupts; /* calls signalled (poller) */
	/* The ring, split or packed (VIRTIO_F_RING_PACKED negotiated): its
	 * layout is fixed at init by the control thread while the queue is
	 * stopped and read by the serve functions once per burst
	 * (vrtc_vq_layout(), vq.h). */
	struct vrtc_vq vq;

	/* Control state (the device lock). */
	uint8_t served;	     /* the device serves this queue at all */
	uint8_t ring_ready;  /* the transport reported the ring ready */
	uint8_t vq_valid;    /* vq was initialised (must be fini'd) */
	/* The device holds popped buffers across bursts and completes in
	 * order (vq hold_bad_chains): a stop reports used_idx as the last
	 * avail index, so the held buffers are popped again on restart. */
	uint8_t holds_buffers;
	uint16_t stop_avail_idx; /* where the ring stopped last */
	uint16_t stop_used_idx;
	struct vrtc_queue_totals totals; /* of earlier vq lifetimes */
} __attribute__((aligned(64)));

#endif /* VRTC_QUEUE_H */
