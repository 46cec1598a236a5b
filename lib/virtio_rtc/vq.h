/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Device side of one split virtqueue: the data-path engine.
 *
 * A poller serves a queue in bursts:
 *
 *	n = vrtc_vq_avail(vq, burst);        one acquire load of avail->idx
 *	while (n-- > 0) {
 *		if (vrtc_vq_pop(vq, &chain) != 0)
 *			continue;                     bad chain: already completed
 *		len = model(&chain);               reads and writes guest memory
 *		vrtc_vq_push(vq, chain.head, len);
 *	}
 *	if (vrtc_vq_flush(vq))                one release store of used->idx
 *		signal the call eventfd;
 *
 * Guest misbehaviour is handled at three levels. A bad request inside a good
 * chain is the device model's business (an in-band status). A bad chain
 * (vrtc_chain_walk() refused it) is completed with used length 0 and
 * counted by reason; the queue goes on. A bad ring (avail->idx more than a
 * queue size ahead, a head index outside the table, a head popped while it
 * is still in flight) latches the queue broken: it is logged once, every
 * later call returns nothing, and the transport reports DEVICE_NEEDS_RESET.
 * A completion of a head that is not in flight (a device bug: completed
 * twice, or never popped) is refused and counted (bad_push).
 * Nothing a guest writes can make the engine read or write outside the
 * guest memory map or loop without bound.
 *
 * A queue is single-threaded: one poller owns it at a time. The transport
 * changes the memory map or the ring only while the poller is stopped.
 */

#ifndef VRTC_VQ_H
#define VRTC_VQ_H

#include <stdint.h>

#include "chain.h"
#include "mem.h"
#include "ring_split.h"

/** Why a queue was latched broken. */
enum vrtc_vq_broken_reason {
	VRTC_VQ_OK = 0,
	VRTC_VQ_BROKEN_AVAIL_IDX, /**< avail->idx ran more than a queue size ahead */
	VRTC_VQ_BROKEN_HEAD,	  /**< an avail ring entry is not a descriptor index */
	VRTC_VQ_BROKEN_INFLIGHT,  /**< a head made available again while in flight */
	VRTC_VQ_BROKEN_COUNT
};

/** Counters of one queue. Single writer: the poller that owns it. */
struct vrtc_vq_stats {
	uint64_t chains;			  /**< chains popped, good and bad */
	uint64_t bad_chains;			  /**< chains completed with length 0 */
	uint64_t bad_chain[VRTC_CHAIN_E_COUNT];	  /**< ... by reason */
	uint64_t used;				  /**< used elements published */
	uint64_t bad_push;			  /**< completions refused: head not in flight */
	uint64_t polls;				  /**< vrtc_vq_avail() calls */
	uint64_t polls_empty;			  /**< ... that found nothing */
	uint64_t notify_needed;			  /**< flushes after which the driver wanted an interrupt */
	uint64_t notify_suppressed;		  /**< flushes after which it did not */
};

/** Where the ring is and how it was negotiated. */
struct vrtc_vq_config {
	const char *name; /**< for log lines, e.g. "rtc0.q0"; copied */
	uint16_t size;	  /**< power of two, 1 .. 32768 */
	uint64_t features; /**< negotiated virtio features */
	const struct vrtc_mem *mem;
	/** Host addresses of the three areas (vrtc_vq_init) ... */
	void *desc, *avail, *used;
	/**
	 * ... or their guest-physical addresses (vrtc_vq_init_gpa). With host
	 * addresses, the used area's guest address (where the device writes,
	 * for the dirty log: guest_write.h) is found in @p mem.
	 */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t last_avail_idx; /**< where to resume (SET_VRING_BASE) */
	uint16_t used_idx;	 /**< used->idx to resume from */
	/**
	 * Bad chains are not completed by vrtc_vq_pop(): it returns -EBADMSG
	 * with chain->head set and the caller pushes it (length 0) when its
	 * turn comes. A queue that holds buffers (the virtio-rtc alarmq)
	 * completes strictly in order this way.
	 */
	uint8_t hold_bad_chains;
};

/** One device-side split virtqueue. */
struct vrtc_vq {
	/* Hot: read on every burst. */
	struct vrtc_vring vring;
	const struct vrtc_mem *mem;
	uint32_t mem_hint;
	uint16_t mask;		 /* size - 1 */
	uint16_t last_avail_idx; /* next avail slot to pop */
	uint16_t avail_end;	 /* avail->idx seen by the last vrtc_vq_avail() */
	uint16_t used_idx;	 /* next used slot to fill */
	uint16_t published_idx;	 /* last value stored to used->idx */
	uint16_t kick_event_base; /* last_avail_idx when avail_event was parked */
	uint16_t kick_refresh;	  /* parked avail_event is refreshed this often */
	uint8_t event_idx;
	uint8_t indirect;
	uint8_t kicks_enabled;
	uint8_t broken;		 /* enum vrtc_vq_broken_reason */
	uint8_t hold_bad;	 /* cfg->hold_bad_chains */
	struct vrtc_seg *segs;	 /* vring.size segments, for the chain being handled */
	uint64_t *inflight;	 /* one bit per head popped and not yet pushed */
	uint64_t used_gpa;	 /* guest address of the used area, for the dirty log */
	uint8_t used_gpa_ok;	 /* ... known (inside mem at init) */
	struct vrtc_vq_stats stats;
	char name[32];
};

/**
 * Set up @p vq over a ring given by host addresses (vhost-user: rte_vhost
 * has translated the ring addresses already).
 * @return 0, -EINVAL (size not a power of two in 1..32768, a NULL or
 *   misaligned area, indexes inconsistent: used_idx ahead of
 *   last_avail_idx or more than a queue size behind), or -ENOMEM.
 */
int vrtc_vq_init(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg);

/**
 * Same, with the areas given as guest-physical addresses: each area must lie
 * wholly inside one region of cfg->mem. @return as vrtc_vq_init().
 */
int vrtc_vq_init_gpa(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg);

/** Release what vrtc_vq_init() allocated. Safe on a zeroed struct. */
void vrtc_vq_fini(struct vrtc_vq *vq);

/** Replace the memory map (the poller must be stopped). */
void vrtc_vq_set_mem(struct vrtc_vq *vq, const struct vrtc_mem *mem);

/**
 * Start a burst: read avail->idx once (acquire) and return how many chains
 * may be popped, at most @p max. Latches the queue broken when avail->idx
 * ran more than a queue size ahead.
 */
uint16_t vrtc_vq_avail(struct vrtc_vq *vq, uint16_t max);

/**
 * Pop the next chain of the burst into @p chain. The chain's segments stay
 * valid until the next pop.
 * @return 0; -EBADMSG for a bad chain, counted and already completed with
 *   used length 0 (with hold_bad_chains: not completed, chain->head set,
 *   no segment); -EIO when the queue is (or just became) broken; -ENOENT
 *   when the burst announced by vrtc_vq_avail() is exhausted.
 */
int vrtc_vq_pop(struct vrtc_vq *vq, struct vrtc_chain *chain);

/**
 * Walk again, through the current memory map, the chain of @p head, which
 * was popped and is still in flight (a buffer the device holds across
 * bursts: nothing of the earlier walk is kept). The segments stay valid
 * until the next pop or walk.
 * @return 0; -EBADMSG when the chain no longer passes the checks (counted
 *   as a bad chain, not completed: the caller pushes it); -EINVAL when
 *   @p head is not in flight; -EIO when the queue is broken.
 */
int vrtc_vq_chain_again(struct vrtc_vq *vq, uint16_t head, struct vrtc_chain *chain);

/**
 * Stage a used element for @p head with @p len bytes written. Published by
 * the next vrtc_vq_flush(). @p head must come from vrtc_vq_pop() and be
 * in flight: a second completion of one head, or of a head never popped,
 * would hand the driver a buffer it may already have reused.
 * @return 0, or -EINVAL (counted in bad_push, logged once, nothing
 *   written) when @p head is not in flight.
 */
int vrtc_vq_push(struct vrtc_vq *vq, uint16_t head, uint32_t len);

/**
 * Publish the staged used elements with one release store of used->idx and
 * decide whether the driver wants an interrupt (VRING_AVAIL_F_NO_INTERRUPT,
 * or used_event with VIRTIO_RING_F_EVENT_IDX).
 * @return 1 when the caller must signal the driver, 0 otherwise.
 */
int vrtc_vq_flush(struct vrtc_vq *vq);

/**
 * Ask the driver not to kick (busy polling): VRING_USED_F_NO_NOTIFY, or with
 * EVENT_IDX an avail_event parked half the index space away.
 */
void vrtc_vq_kicks_disable(struct vrtc_vq *vq);

/**
 * Ask the driver to kick on its next buffer (before sleeping on the kick
 * eventfd). @return 1 when buffers arrived meanwhile: do not sleep, poll.
 */
int vrtc_vq_kicks_enable(struct vrtc_vq *vq);

/** Number of chains popped and not yet pushed. */
uint16_t vrtc_vq_inflight(const struct vrtc_vq *vq);

/** Why the queue is broken (VRTC_VQ_OK when it is not). */
static inline enum vrtc_vq_broken_reason
vrtc_vq_broken(const struct vrtc_vq *vq)
{
	return (enum vrtc_vq_broken_reason)vq->broken;
}

/** Short name of a broken reason. */
const char *vrtc_vq_broken_name(enum vrtc_vq_broken_reason reason);

#endif /* VRTC_VQ_H */
