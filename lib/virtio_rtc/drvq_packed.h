/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Driver side of one packed virtqueue (VIRTIO_F_RING_PACKED), the
 * counterpart of drvq.h for the user-space front-end devices: descriptor
 * ring, driver and device event suppression areas, buffer ids, avail and
 * used wrap counters. Same calls and same guarantees as the split queue:
 *
 *	id = vrtc_pdrvq_add(q, bufs, nb, cookie);      any number of times
 *	if (vrtc_pdrvq_kick_prepare(q))                one release store
 *		write the kick eventfd;
 *	n = vrtc_pdrvq_get_used(q, done, max);         one acquire load per chain
 *
 * A chain takes consecutive ring descriptors from the avail position
 * (wrapping at the ring end, where the avail wrap counter flips), all of
 * them carrying the chain's buffer id. The flags of the first descriptor of
 * a batch (the chains added since the last vrtc_pdrvq_kick_prepare()) are
 * stored last, with release, by vrtc_pdrvq_kick_prepare(): the device reads
 * the ring in order and cannot reach a later chain of the batch first.
 *
 * Bookkeeping (free ids, per-id cookie and sizes) stays in private memory.
 * What the device returns is checked (used id in range and in flight, used
 * length within the writable bytes posted): a wrong device latches the
 * queue broken (enum vrtc_drvq_broken_reason) instead of corrupting the
 * driver.
 */

#ifndef VRTC_DRVQ_PACKED_H
#define VRTC_DRVQ_PACKED_H

#include <stddef.h>
#include <stdint.h>

#include "drvq.h"
#include "ring_packed.h"

/** One driver-side packed virtqueue. Fields are private to drvq_packed.c. */
struct vrtc_pdrvq {
	struct vrtc_pring ring;
	uint16_t avail_off;   /* next descriptor to make available */
	uint16_t used_off;    /* next used descriptor to read */
	uint16_t nb_free;     /* free ring descriptors */
	uint16_t nb_inflight; /* chains added and not yet returned */
	uint16_t nb_free_ids;
	uint16_t batch_off;   /* first descriptor of the unpublished batch */
	uint16_t batch_flags; /* ... its flags, stored by kick_prepare */
	uint16_t batch_len;   /* chains in the unpublished batch */
	uint32_t kicked_pos;  /* avail position at the last kick decision */
	uint8_t avail_wrap;
	uint8_t used_wrap;
	uint8_t event_idx;
	uint8_t interrupts_enabled;
	uint8_t broken; /* enum vrtc_drvq_broken_reason */
	uint16_t *free_ids; /* stack of free buffer ids */
	struct {
		void *cookie;
		uint32_t writable_bytes;
		uint16_t nb_desc; /* ring descriptors; 0: id not in flight */
	} *ids;
	/* Indirect tables, one per buffer id (vrtc_pdrvq_indirect_init), or NULL. */
	struct vrtc_pvirtq_desc *indirect;
	uint64_t indirect_addr; /* driver address of indirect[0] */
	uint16_t indirect_max;	/* entries per table */
};

/** Layout of a packed ring in one contiguous block (desc, driver area, device area). */
struct vrtc_pdrvq_layout {
	size_t driver_offset; /**< driver event suppression area */
	size_t device_offset; /**< device event suppression area */
	size_t total_bytes;
};

/**
 * Compute the layout of a packed ring of @p size entries: each event area
 * on its own cache line (the driver writes one, the device the other).
 */
void vrtc_pdrvq_layout(uint16_t size, struct vrtc_pdrvq_layout *layout);

/**
 * Set up @p q over @p ring_mem (host address of a zeroed block of
 * layout.total_bytes, 16-byte aligned), with negotiated @p features, at a
 * fresh ring (offset 0, both wrap counters 1).
 * @return 0, -EINVAL (size 0 or above 32768, misaligned or NULL memory) or
 *   -ENOMEM.
 */
int vrtc_pdrvq_init(struct vrtc_pdrvq *q, uint16_t size, uint64_t features, void *ring_mem);

/** Release what vrtc_pdrvq_init() allocated. Safe on a zeroed struct. */
void vrtc_pdrvq_fini(struct vrtc_pdrvq *q);

/**
 * Add a chain of @p nb buffers (readable ones first) with direct
 * descriptors (not yet published).
 * @return the buffer id, -ENOSPC when fewer than @p nb descriptors or no
 *   id are free, -EINVAL for nb == 0 or a readable buffer after a writable
 *   one, -EIO when the queue is broken.
 */
int vrtc_pdrvq_add(struct vrtc_pdrvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
		   void *cookie);

/**
 * Give @p q one indirect table of @p nb_entries descriptors per buffer id,
 * for vrtc_pdrvq_add_indirect(): @p tables is the host address of size *
 * nb_entries packed descriptors (16-byte aligned) the device can read, at
 * driver address @p tables_addr. The memory stays the caller's.
 * @return 0 or -EINVAL (NULL or misaligned tables, nb_entries 0 or above
 *   the queue size).
 */
int vrtc_pdrvq_indirect_init(struct vrtc_pdrvq *q, struct vrtc_pvirtq_desc *tables,
			     uint64_t tables_addr, uint16_t nb_entries);

/**
 * Add a chain of @p nb buffers as one ring descriptor with
 * VRING_DESC_F_INDIRECT pointing at the id's table (not yet published).
 * @return the buffer id, -ENOSPC, -EINVAL (also: no tables, nb above the
 *   table size), -EIO when the queue is broken.
 */
int vrtc_pdrvq_add_indirect(struct vrtc_pdrvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
			    void *cookie);

/**
 * Publish the chains added since the last call (one release store of the
 * batch's first flags) and read the device's event suppression area after
 * a full fence: ENABLE, DISABLE, or DESC (with EVENT_IDX: a kick only when
 * the descriptor event lies in what was just published).
 * @return 1 when the caller must kick, 0 otherwise.
 */
int vrtc_pdrvq_kick_prepare(struct vrtc_pdrvq *q);

/**
 * Collect up to @p max completed chains, reading each used descriptor's
 * flags with acquire before its id and length.
 * @return the number collected; a wrong used descriptor stops the
 *   collection and latches the queue broken (see vrtc_pdrvq_broken()).
 */
uint16_t vrtc_pdrvq_get_used(struct vrtc_pdrvq *q, struct vrtc_drvq_done *done, uint16_t max);

/** Ask the device not to notify (driver event suppression DISABLE). */
void vrtc_pdrvq_interrupts_disable(struct vrtc_pdrvq *q);

/**
 * Ask for a notification on the next used chain: ENABLE, or with EVENT_IDX
 * a descriptor event at the next used descriptor (moved on by every
 * vrtc_pdrvq_get_used() while enabled).
 */
void vrtc_pdrvq_interrupts_enable(struct vrtc_pdrvq *q);

/** Chains added and not yet returned. */
static inline uint16_t
vrtc_pdrvq_inflight(const struct vrtc_pdrvq *q)
{
	return q->nb_inflight;
}

/** Why the queue stopped trusting the device (VRTC_DRVQ_OK when it did not). */
static inline enum vrtc_drvq_broken_reason
vrtc_pdrvq_broken(const struct vrtc_pdrvq *q)
{
	return (enum vrtc_drvq_broken_reason)q->broken;
}

/** Next descriptor to make available, SET/GET_VRING_BASE encoding (bit 15: wrap). */
static inline uint16_t
vrtc_pdrvq_avail_off_wrap(const struct vrtc_pdrvq *q)
{
	return (uint16_t)(q->avail_off | (q->avail_wrap << VRTC_PVIRTQ_EVENT_WRAP_SHIFT));
}

/** Next used descriptor to read, same encoding. */
static inline uint16_t
vrtc_pdrvq_used_off_wrap(const struct vrtc_pdrvq *q)
{
	return (uint16_t)(q->used_off | (q->used_wrap << VRTC_PVIRTQ_EVENT_WRAP_SHIFT));
}

#endif /* VRTC_DRVQ_PACKED_H */
