/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Device side of one virtqueue, split or packed (VIRTIO_F_RING_PACKED): the
 * data-path engine. The queue is opaque (its fields live in vq_private.h);
 * its layout is fixed when it is set up. A poller serves it in bursts:
 *
 *	layout = vrtc_vq_layout(vq);          once per burst, then a constant
 *	n = vrtc_vq_avail(vq, layout, burst); one acquire load
 *	while (n-- > 0) {
 *		rc = vrtc_vq_pop(vq, layout, &chain);
 *		if (rc == -EBADMSG)
 *			continue;                     bad chain: already completed
 *		if (rc != 0)
 *			break;                        -ENOENT: burst over; -EIO: broken
 *		len = model(&chain);               reads and writes guest memory
 *		vrtc_vq_push(vq, layout, chain.head, len);
 *	}
 *	if (vrtc_vq_flush(vq, layout))        one release store
 *		signal the call eventfd;
 *
 * The dispatchers take the layout as an argument so that a serve function
 * reads it once and calls a body specialised for it (DPDK's _split /
 * _packed shape):
 *
 *	static inline __attribute__((always_inline)) uint16_t
 *	serve_body(struct vrtc_vq *vq, uint16_t burst, const enum vrtc_vq_layout l)
 *	{ ... vrtc_vq_pop(vq, l, &chain) ... }
 *
 *	serve(vq, burst) { return vrtc_vq_layout(vq) == VRTC_VQ_PACKED
 *	                          ? serve_body(vq, burst, VRTC_VQ_PACKED)
 *	                          : serve_body(vq, burst, VRTC_VQ_SPLIT); }
 *
 * With a constant layout the compiler folds every branch away: each path
 * is a direct call of the layout's entry point (vq.c, vq_packed.c).
 *
 * Split: vrtc_vq_avail() returns how many chains avail->idx announces.
 * Packed: it returns a bound (one load, of the next descriptor's flags) and
 * pop returns -ENOENT at the first chain that is not available; chain.head
 * is the buffer id. A packed chain is a run of ring descriptors linked by
 * F_NEXT (wrapping at the ring end, where the wrap counter flips), its
 * buffer id on its last descriptor; an indirect descriptor is a list on
 * its own. Every guest value is loaded once into a private copy and
 * checked there.
 *
 * Guest misbehaviour is handled at three levels. A bad request inside a good
 * chain is the device model's business (an in-band status). A bad chain
 * (the accumulator, chain.h, refused it: an address outside the memory
 * map, an indirect table that breaks the rules, readable after writable,
 * over 4 GiB) is completed with used length 0 and counted by reason; the
 * queue goes on. A bad ring latches the queue broken (split: avail->idx
 * more than a queue size ahead, a head index outside the table, a head
 * popped while still in flight; packed: a later descriptor of a chain not
 * made available, more descriptors than the ring has free, a buffer id out
 * of range or made available again while in flight): it is logged once,
 * every later call returns nothing, and the transport reports
 * DEVICE_NEEDS_RESET. A completion of a head or id that is not in flight
 * (a device bug: completed twice, or never popped) is refused and counted
 * (bad_push). Nothing a guest writes can make the engine read or write
 * outside the guest memory map or loop without bound.
 *
 * A queue is single-threaded: one poller owns it at a time. The transport
 * changes the memory map or the ring only while the poller is stopped.
 */

#ifndef VRTC_VQ_H
#define VRTC_VQ_H

#include <stdint.h>

#include "chain.h"
#include "mem.h"

/** Ring layout of a queue. */
enum vrtc_vq_layout {
	VRTC_VQ_SPLIT = 0, /**< split ring (the default of a zeroed config) */
	VRTC_VQ_PACKED = 1, /**< packed ring (VIRTIO_F_RING_PACKED) */
};

/** Why a queue was latched broken. */
enum vrtc_vq_broken_reason {
	VRTC_VQ_OK = 0,
	VRTC_VQ_BROKEN_AVAIL_IDX, /**< avail->idx ran more than a queue size ahead */
	VRTC_VQ_BROKEN_HEAD,	  /**< an avail ring entry is not a descriptor index */
	VRTC_VQ_BROKEN_INFLIGHT,  /**< a head made available again while in flight */
	VRTC_VQ_BROKEN_DESC,	  /**< packed: a later descriptor of a chain is not available */
	VRTC_VQ_BROKEN_OVERRUN,	  /**< packed: a chain needs more descriptors than are free */
	VRTC_VQ_BROKEN_ID,	  /**< packed: buffer id not below the queue size */
	VRTC_VQ_BROKEN_ID_INFLIGHT, /**< packed: buffer id made available while in flight */
	VRTC_VQ_BROKEN_COUNT
};

/** Counters of one queue. Single writer: the poller that owns it. */
struct vrtc_vq_stats {
	uint64_t chains;			  /**< chains popped, good and bad */
	uint64_t bad_chains;			  /**< chains completed with length 0 */
	uint64_t bad_chain[VRTC_CHAIN_E_COUNT];	  /**< ... by reason */
	uint64_t used;				  /**< used elements (descriptors) published */
	uint64_t bad_push;			  /**< completions refused: head/id not in flight */
	uint64_t polls;				  /**< vrtc_vq_avail() calls */
	uint64_t polls_empty;			  /**< ... that found nothing */
	uint64_t notify_needed;			  /**< flushes after which the driver wanted an interrupt */
	uint64_t notify_suppressed;		  /**< flushes after which it did not */
};

/** Where the ring is and how it was negotiated. */
struct vrtc_vq_config {
	const char *name; /**< for log lines, e.g. "rtc0.q0"; copied */
	uint8_t layout;	  /**< enum vrtc_vq_layout */
	/** split: a power of two, 1 .. 32768; packed: 1 .. 32768 */
	uint16_t size;
	/** negotiated virtio features; packed must include VIRTIO_F_RING_PACKED */
	uint64_t features;
	const struct vrtc_mem *mem;
	/**
	 * Host addresses of the three areas (vrtc_vq_init): the descriptor
	 * table or ring, the driver area (split: avail ring; packed: driver
	 * event suppression) and the device area (split: used ring; packed:
	 * device event suppression). Each layout's names alias the same field.
	 */
	void *desc;
	union {
		void *avail;
		void *driver;
	};
	union {
		void *used;
		void *device;
	};
	/**
	 * ... or their guest-physical addresses (vrtc_vq_init_gpa). With host
	 * addresses, the guest addresses of the areas the device writes (for
	 * the dirty log: guest_write.h) are found in @p mem.
	 */
	uint64_t desc_gpa;
	union {
		uint64_t avail_gpa;
		uint64_t driver_gpa;
	};
	union {
		uint64_t used_gpa;
		uint64_t device_gpa;
	};
	/**
	 * Where to resume (SET_VRING_BASE). Split: the next avail index and
	 * used->idx. Packed: bits 0..14 the next descriptor to read (to write
	 * as used), bit 15 the wrap counter; 0x8000 on a fresh ring.
	 */
	union {
		uint16_t last_avail_idx;
		uint16_t avail_off_wrap;
	};
	union {
		uint16_t used_idx;
		uint16_t used_off_wrap;
	};
	/**
	 * Bad chains are not completed by vrtc_vq_pop(): it returns -EBADMSG
	 * with chain->head set and the caller pushes it (length 0) when its
	 * turn comes. A queue that holds buffers (the virtio-rtc alarmq)
	 * completes strictly in order this way.
	 */
	uint8_t hold_bad_chains;
};

/** One device-side virtqueue; opaque outside the engine (vq_private.h). */
struct vrtc_vq;

/**
 * The one part of a queue read outside the engine, inline: its first
 * member (vq_private.h), so that a serve function pays a load, not a call,
 * to pick the layout of a burst. Set by vrtc_vq_init[_gpa]() only.
 */
struct vrtc_vq_head {
	uint8_t layout; /**< enum vrtc_vq_layout, fixed at init */
};

/**
 * Set up @p vq over a ring of cfg->layout given by host addresses
 * (vhost-user: rte_vhost has translated the ring addresses already).
 * @return 0, -EINVAL (size out of range for the layout, packed without
 *   VIRTIO_F_RING_PACKED, a NULL or misaligned area, resume positions
 *   inconsistent: a packed offset not below the size, the used position
 *   ahead of the avail one or more than a queue size behind), or -ENOMEM.
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

/** The queue's layout: read it once per burst. */
static inline enum vrtc_vq_layout
vrtc_vq_layout(const struct vrtc_vq *vq)
{
	/* A pointer to a struct points to its first member too. */
	return (enum vrtc_vq_layout)((const struct vrtc_vq_head *)(const void *)vq)->layout;
}

/* The entry points of each layout, called through the dispatchers below
 * (split in vq.c, packed in vq_packed.c); the engine's own tests call them
 * directly. */
uint16_t vrtc_vq_split_avail(struct vrtc_vq *vq, uint16_t max);
int vrtc_vq_split_pop(struct vrtc_vq *vq, struct vrtc_chain *chain);
int vrtc_vq_split_push(struct vrtc_vq *vq, uint16_t head, uint32_t len);
int vrtc_vq_split_flush(struct vrtc_vq *vq);
void vrtc_vq_split_kicks_disable(struct vrtc_vq *vq);
int vrtc_vq_split_kicks_enable(struct vrtc_vq *vq);
uint16_t vrtc_vq_packed_avail(struct vrtc_vq *vq, uint16_t max);
int vrtc_vq_packed_pop(struct vrtc_vq *vq, struct vrtc_chain *chain);
int vrtc_vq_packed_push(struct vrtc_vq *vq, uint16_t id, uint32_t len);
int vrtc_vq_packed_flush(struct vrtc_vq *vq);
void vrtc_vq_packed_kicks_disable(struct vrtc_vq *vq);
int vrtc_vq_packed_kicks_enable(struct vrtc_vq *vq);

#define VRTC_VQ_INLINE static inline __attribute__((always_inline))

/**
 * Start a burst with one acquire load. Split: read avail->idx and return
 * how many chains may be popped, at most @p max; latches the queue broken
 * when avail->idx ran more than a queue size ahead. Packed: load the next
 * descriptor's flags; 0 when it is not available, else a bound on the
 * chains of the burst (@p max, or fewer when fewer descriptors are free):
 * pop returns -ENOENT at the first chain that is not available and
 * diagnoses a malformed chain when it reaches it. 0 on a broken queue.
 */
VRTC_VQ_INLINE uint16_t
vrtc_vq_avail(struct vrtc_vq *vq, const enum vrtc_vq_layout layout, uint16_t max)
{
	return layout == VRTC_VQ_PACKED ? vrtc_vq_packed_avail(vq, max)
					: vrtc_vq_split_avail(vq, max);
}

/**
 * Pop the next chain of the burst into @p chain (chain->head: the split
 * head index or the packed buffer id). The segments stay valid until the
 * next pop.
 * @return 0; -EBADMSG for a bad chain, counted and already completed with
 *   used length 0 (with hold_bad_chains: not completed, chain->head set,
 *   no segment); -EIO when the queue is (or just became) broken; -ENOENT
 *   when the burst is exhausted (packed: or the next chain is no longer
 *   available).
 */
VRTC_VQ_INLINE int
vrtc_vq_pop(struct vrtc_vq *vq, const enum vrtc_vq_layout layout, struct vrtc_chain *chain)
{
	return layout == VRTC_VQ_PACKED ? vrtc_vq_packed_pop(vq, chain)
					: vrtc_vq_split_pop(vq, chain);
}

/**
 * Stage a completion of @p head with @p len bytes written, published by the
 * next vrtc_vq_flush() (packed: a used descriptor with F_WRITE when @p len
 * is not 0, at the used offset, which moves on by the chain's descriptor
 * count). @p head must come from vrtc_vq_pop() and be in flight: a second
 * completion of one head, or of a head never popped, would hand the driver
 * a buffer it may already have reused.
 * @return 0, or -EINVAL (counted in bad_push, logged once, nothing
 *   written) when @p head is not in flight.
 */
VRTC_VQ_INLINE int
vrtc_vq_push(struct vrtc_vq *vq, const enum vrtc_vq_layout layout, uint16_t head, uint32_t len)
{
	return layout == VRTC_VQ_PACKED ? vrtc_vq_packed_push(vq, head, len)
					: vrtc_vq_split_push(vq, head, len);
}

/**
 * Publish the staged completions with one release store (split: used->idx;
 * packed: the first used descriptor's flags, last) and decide whether the
 * driver wants an interrupt (split: VRING_AVAIL_F_NO_INTERRUPT, or
 * used_event with VIRTIO_RING_F_EVENT_IDX; packed: driver event
 * suppression ENABLE, DISABLE, or DESC with EVENT_IDX).
 * @return 1 when the caller must signal the driver, 0 otherwise.
 */
VRTC_VQ_INLINE int
vrtc_vq_flush(struct vrtc_vq *vq, const enum vrtc_vq_layout layout)
{
	return layout == VRTC_VQ_PACKED ? vrtc_vq_packed_flush(vq) : vrtc_vq_split_flush(vq);
}

/**
 * Ask the driver not to kick (busy polling). Split: VRING_USED_F_NO_NOTIFY,
 * or with EVENT_IDX an avail_event parked half the index space away.
 * Packed: device event suppression DISABLE.
 */
VRTC_VQ_INLINE void
vrtc_vq_kicks_disable(struct vrtc_vq *vq, const enum vrtc_vq_layout layout)
{
	if (layout == VRTC_VQ_PACKED)
		vrtc_vq_packed_kicks_disable(vq);
	else
		vrtc_vq_split_kicks_disable(vq);
}

/**
 * Ask the driver to kick on its next buffer (before sleeping on the kick
 * eventfd; packed: ENABLE, or DESC at the next descriptor with EVENT_IDX).
 * @return 1 when buffers arrived meanwhile: do not sleep, poll.
 */
VRTC_VQ_INLINE int
vrtc_vq_kicks_enable(struct vrtc_vq *vq, const enum vrtc_vq_layout layout)
{
	return layout == VRTC_VQ_PACKED ? vrtc_vq_packed_kicks_enable(vq)
					: vrtc_vq_split_kicks_enable(vq);
}

/**
 * Split only: walk again, through the current memory map, the chain of
 * @p head, which was popped and is still in flight (a buffer the device
 * holds across bursts: nothing of the earlier walk is kept). The segments
 * stay valid until the next pop or walk.
 * @return 0; -EBADMSG when the chain no longer passes the checks (counted
 *   as a bad chain, not completed: the caller pushes it); -EINVAL when
 *   @p head is not in flight or the queue is packed; -EIO when the queue
 *   is broken.
 */
int vrtc_vq_split_chain_again(struct vrtc_vq *vq, uint16_t head, struct vrtc_chain *chain);

/** Number of chains (buffer ids) popped and not yet pushed. */
uint16_t vrtc_vq_inflight(const struct vrtc_vq *vq);

/**
 * Where the driver resumes (GET_VRING_BASE): the next avail position.
 * Split: the next avail index. Packed: the next descriptor to read, bit 15
 * the avail wrap counter.
 */
uint16_t vrtc_vq_avail_base(const struct vrtc_vq *vq);

/** The next used position, same encoding (split: the next used index). */
uint16_t vrtc_vq_used_base(const struct vrtc_vq *vq);

/** Ring size. */
uint16_t vrtc_vq_size(const struct vrtc_vq *vq);

/** Whether VIRTIO_RING_F_EVENT_IDX / VIRTIO_RING_F_INDIRECT_DESC were negotiated. */
int vrtc_vq_event_idx(const struct vrtc_vq *vq);
int vrtc_vq_indirect(const struct vrtc_vq *vq);

/** The memory map the queue translates through. */
const struct vrtc_mem *vrtc_vq_mem(const struct vrtc_vq *vq);

/** The queue's counters. */
const struct vrtc_vq_stats *vrtc_vq_stats(const struct vrtc_vq *vq);

/** The name given at init, for log lines. */
const char *vrtc_vq_name(const struct vrtc_vq *vq);

/** Why the queue is broken (VRTC_VQ_OK when it is not). */
enum vrtc_vq_broken_reason vrtc_vq_broken(const struct vrtc_vq *vq);

/** Short name of a broken reason. */
const char *vrtc_vq_broken_name(enum vrtc_vq_broken_reason reason);

#endif /* VRTC_VQ_H */
