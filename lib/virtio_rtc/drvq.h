/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Driver side of one virtqueue, split or packed: what a guest's virtio
 * driver does, for the user-space front-end devices (rtc_virtio_user,
 * rng_virtio_user) and the unit tests' fake driver.
 *
 * One interface over both layouts. The layout is chosen once, at
 * vrtc_drvq_init(), by VIRTIO_F_RING_PACKED in the negotiated features.
 * What both layouts share lives here and in drvq.c: the set-up checks, the
 * per-id bookkeeping (cookie, writable bytes, descriptors; in private
 * memory, never in the shared ring), the buffer checks, and the checks of
 * what the device returns (used id in range and in flight, used length
 * within the writable bytes posted; split also: used->idx not ahead of
 * what is in flight). A wrong device latches the queue broken instead of
 * corrupting the driver. The ring code of each layout has functions of its
 * own (vrtc_drvq_split_*() in drvq.c, vrtc_drvq_packed_*() in
 * drvq_packed.c):
 *
 *	id = vrtc_drvq_add(q, bufs, nb, cookie);       any number of times
 *	if (vrtc_drvq_kick_prepare(q))                 one release store
 *		write the kick eventfd;
 *	n = vrtc_drvq_get_used(q, done, max);
 *
 * vrtc_drvq_add(), _add_indirect(), _kick_prepare() and _get_used() test
 * the layout on every call. A caller with a burst to post can choose the
 * layout once for the burst and call the layout's functions directly
 * (DPDK's _split / _packed shape): same checks, one branch less per call.
 *
 * Split: a chain takes descriptors from a private free list; its head is
 * its id. Packed: a chain takes consecutive ring descriptors from the
 * avail position (wrapping at the ring end, where the avail wrap counter
 * flips), all of them carrying the chain's buffer id from a stack of free
 * ids; the flags of the first descriptor of a batch (the chains added
 * since the last kick_prepare) are stored last, with release, by
 * vrtc_drvq_kick_prepare(): the device reads the ring in order and cannot
 * reach a later chain of the batch first.
 */

#ifndef VRTC_DRVQ_H
#define VRTC_DRVQ_H

#include <stddef.h>
#include <stdint.h>

#include "ring_packed.h"
#include "ring_split.h"

/** One buffer of a chain, as the driver posts it. */
struct vrtc_drvq_buf {
	uint64_t addr;	  /**< guest-physical address */
	uint32_t len;
	uint8_t writable; /**< device-writable (after all readable ones) */
};

/** A completed chain. */
struct vrtc_drvq_done {
	void *cookie;  /**< as given to vrtc_drvq_add() */
	uint32_t len;  /**< used length the device reported */
	uint16_t head; /**< the chain's id (split: its head descriptor) */
};

/** Why a driver-side queue stopped trusting the device. */
enum vrtc_drvq_broken_reason {
	VRTC_DRVQ_OK = 0,
	VRTC_DRVQ_BROKEN_USED_IDX, /**< split: used->idx ran ahead of what is in flight */
	VRTC_DRVQ_BROKEN_USED_ID,  /**< used id out of range or not in flight */
	VRTC_DRVQ_BROKEN_USED_LEN, /**< used length larger than the writable bytes */
};

/** Per-id bookkeeping, both layouts (private memory). */
struct vrtc_drvq_id {
	void *cookie;
	uint32_t writable_bytes;
	uint16_t nb_desc; /* ring descriptors; 0: id not in flight */
	uint16_t last;	  /* split: last descriptor of the chain */
};

/** One driver-side virtqueue. Fields are private to drvq*.c (tests peek). */
struct vrtc_drvq {
	/* Shared by both layouts. */
	uint16_t size;
	uint16_t nb_free;     /* free ring descriptors */
	uint16_t nb_inflight; /* chains added and not yet returned */
	uint8_t packed;	      /* VIRTIO_F_RING_PACKED was negotiated */
	uint8_t event_idx;
	uint8_t interrupts_enabled;
	uint8_t broken; /* enum vrtc_drvq_broken_reason */
	struct vrtc_drvq_id *ids;
	/* Indirect tables, one per id (vrtc_drvq_indirect_init), or NULL. */
	void *indirect;
	uint64_t indirect_addr; /* driver address of the first table */
	uint16_t indirect_max;	/* entries per table */
	union {
		struct { /* split */
			struct vrtc_vring vring;
			uint16_t *next;		/* private chain links, one per descriptor */
			uint16_t mask;
			uint16_t free_head;	/* first free descriptor */
			uint16_t avail_idx;	/* next avail slot (shadow of avail->idx) */
			uint16_t kicked_idx;	/* avail->idx at the last kick decision */
			uint16_t last_used_idx; /* next used slot to consume */
			uint16_t irq_park_base; /* last_used_idx when used_event was parked */
			uint16_t irq_refresh;	/* parked used_event is refreshed this often */
		};
		struct { /* packed */
			struct vrtc_pring ring;
			uint16_t *free_ids;   /* stack of free buffer ids */
			uint32_t kicked_pos;  /* avail position at the last kick decision */
			uint16_t nb_free_ids;
			uint16_t avail_off;   /* next descriptor to make available */
			uint16_t used_off;    /* next used descriptor to read */
			uint16_t batch_off;   /* first descriptor of the unpublished batch */
			uint16_t batch_flags; /* ... its flags, stored by kick_prepare */
			uint16_t batch_len;   /* chains in the unpublished batch */
			uint8_t avail_wrap;
			uint8_t used_wrap;
		};
	};
};

/**
 * Layout of a ring in one contiguous block: descriptors at 0, then the
 * driver area (split: avail ring; packed: driver event suppression) and
 * the device area (split: used ring; packed: device event suppression),
 * each starting on its own cache line (the driver writes one, the device
 * the other).
 */
struct vrtc_drvq_layout {
	size_t driver_offset;
	size_t device_offset;
	size_t total_bytes;
};

/**
 * Compute the layout of a ring of @p size entries for negotiated
 * @p features (packed with VIRTIO_F_RING_PACKED, split otherwise).
 */
void vrtc_drvq_layout(uint16_t size, uint64_t features, struct vrtc_drvq_layout *layout);

/**
 * Set up @p q over @p ring_mem (host address of a zeroed block of
 * layout.total_bytes, 16-byte aligned), with negotiated @p features, at a
 * fresh ring (split: index 0; packed: offset 0, both wrap counters 1).
 * @return 0, -EINVAL (size 0 or above 32768, split size not a power of
 *   two, NULL or misaligned memory) or -ENOMEM.
 */
int vrtc_drvq_init(struct vrtc_drvq *q, uint16_t size, uint64_t features, void *ring_mem);

/** Release what vrtc_drvq_init() allocated. Safe on a zeroed struct, and twice. */
void vrtc_drvq_fini(struct vrtc_drvq *q);

/**
 * Give @p q one indirect table of @p nb_entries descriptors per id, for
 * vrtc_drvq_add_indirect(): @p tables is the host address of size *
 * nb_entries descriptors (16 bytes each in both layouts, 16-byte aligned)
 * in memory the device can read, at driver address @p tables_addr. The
 * memory stays the caller's; the negotiated features must include
 * VIRTIO_RING_F_INDIRECT_DESC.
 * @return 0 or -EINVAL (NULL or misaligned tables, nb_entries 0 or above
 *   the queue size).
 */
int vrtc_drvq_indirect_init(struct vrtc_drvq *q, void *tables, uint64_t tables_addr,
			    uint16_t nb_entries);

/**
 * Publish the chains added so far now, without a kick decision (a driver
 * that makes each chain visible as it adds it, as Linux's does; the next
 * vrtc_drvq_kick_prepare() decides for all published since its last call).
 */
void vrtc_drvq_publish(struct vrtc_drvq *q);

/**
 * Ask the device not to interrupt (a polling driver). Split:
 * VRING_AVAIL_F_NO_INTERRUPT, or with EVENT_IDX a used_event parked half
 * the index space away. Packed: driver event suppression DISABLE.
 */
void vrtc_drvq_interrupts_disable(struct vrtc_drvq *q);

/**
 * Ask for an interrupt on the next used chain. With EVENT_IDX: split
 * used_event, packed a descriptor event at the next used descriptor (both
 * moved on by every vrtc_drvq_get_used() while enabled).
 */
void vrtc_drvq_interrupts_enable(struct vrtc_drvq *q);

/*
 * The layouts' functions: the contracts of the neutral calls below, for
 * a queue of that layout only.
 */
int vrtc_drvq_split_add(struct vrtc_drvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
			void *cookie);
int vrtc_drvq_split_add_indirect(struct vrtc_drvq *q, const struct vrtc_drvq_buf *bufs,
				 uint16_t nb, void *cookie);
int vrtc_drvq_split_kick_prepare(struct vrtc_drvq *q);
uint16_t vrtc_drvq_split_get_used(struct vrtc_drvq *q, struct vrtc_drvq_done *done,
				  uint16_t max);
int vrtc_drvq_packed_add(struct vrtc_drvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
			 void *cookie);
int vrtc_drvq_packed_add_indirect(struct vrtc_drvq *q, const struct vrtc_drvq_buf *bufs,
				  uint16_t nb, void *cookie);
int vrtc_drvq_packed_kick_prepare(struct vrtc_drvq *q);
uint16_t vrtc_drvq_packed_get_used(struct vrtc_drvq *q, struct vrtc_drvq_done *done,
				   uint16_t max);

/**
 * Add a chain of @p nb buffers (readable ones first) with direct
 * descriptors and make it available (not yet published).
 * @return the chain's id, -ENOSPC when fewer than @p nb descriptors (or,
 *   packed, no id) are free, -EINVAL for nb == 0 or a readable buffer
 *   after a writable one, -EIO when the queue is broken.
 */
static inline int
vrtc_drvq_add(struct vrtc_drvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb, void *cookie)
{
	return q->packed ? vrtc_drvq_packed_add(q, bufs, nb, cookie)
			 : vrtc_drvq_split_add(q, bufs, nb, cookie);
}

/**
 * Add a chain of @p nb buffers (readable ones first) as one ring descriptor
 * with VRING_DESC_F_INDIRECT pointing at the id's table, which is filled
 * with the buffers (not yet published).
 * @return the chain's id, -ENOSPC when no descriptor (or id) is free,
 *   -EINVAL for nb == 0, nb above the table size, no tables, or a readable
 *   buffer after a writable one, -EIO when the queue is broken.
 */
static inline int
vrtc_drvq_add_indirect(struct vrtc_drvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
		       void *cookie)
{
	return q->packed ? vrtc_drvq_packed_add_indirect(q, bufs, nb, cookie)
			 : vrtc_drvq_split_add_indirect(q, bufs, nb, cookie);
}

/**
 * Publish the chains added since the last call (split: one release store
 * of avail->idx; packed: of the batch's first flags) and decide whether
 * the device wants a kick (split: avail_event or used->flags; packed: the
 * device event suppression area, read after a full fence).
 * @return 1 when the caller must kick, 0 otherwise.
 */
static inline int
vrtc_drvq_kick_prepare(struct vrtc_drvq *q)
{
	return q->packed ? vrtc_drvq_packed_kick_prepare(q) : vrtc_drvq_split_kick_prepare(q);
}

/**
 * Collect up to @p max completed chains.
 * @return the number collected; a wrong used entry stops the collection
 *   and latches the queue broken (see vrtc_drvq_broken()), after which
 *   every call returns 0.
 */
static inline uint16_t
vrtc_drvq_get_used(struct vrtc_drvq *q, struct vrtc_drvq_done *done, uint16_t max)
{
	return q->packed ? vrtc_drvq_packed_get_used(q, done, max)
			 : vrtc_drvq_split_get_used(q, done, max);
}

/** Chains added and not yet returned. */
static inline uint16_t
vrtc_drvq_inflight(const struct vrtc_drvq *q)
{
	return q->nb_inflight;
}

/** Why the queue stopped trusting the device (VRTC_DRVQ_OK when it did not). */
static inline enum vrtc_drvq_broken_reason
vrtc_drvq_broken(const struct vrtc_drvq *q)
{
	return (enum vrtc_drvq_broken_reason)q->broken;
}

/**
 * Next chain to make available, in SET/GET_VRING_BASE's encoding: split
 * the avail index, packed the offset with the wrap counter in bit 15.
 */
static inline uint16_t
vrtc_drvq_avail_base(const struct vrtc_drvq *q)
{
	if (q->packed)
		return (uint16_t)(q->avail_off | (q->avail_wrap << VRTC_PVIRTQ_EVENT_WRAP_SHIFT));
	return q->avail_idx;
}

/** Next used entry to read, same encoding (split: the used index). */
static inline uint16_t
vrtc_drvq_used_base(const struct vrtc_drvq *q)
{
	if (q->packed)
		return (uint16_t)(q->used_off | (q->used_wrap << VRTC_PVIRTQ_EVENT_WRAP_SHIFT));
	return q->last_used_idx;
}

#endif /* VRTC_DRVQ_H */
