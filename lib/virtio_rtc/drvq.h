/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Driver side of one split virtqueue: what a guest's virtio driver does,
 * for the user-space front-end devices (rtc_virtio_user, rng_virtio_user)
 * and the unit tests' fake driver.
 *
 * The driver keeps its bookkeeping (free list, per-head cookie and sizes)
 * in private memory, never in the shared descriptor table, and checks what
 * the device returns (used id in range and in flight, used length within
 * the writable bytes posted): a wrong device latches the queue broken
 * instead of corrupting the driver.
 *
 *	head = vrtc_drvq_add(q, bufs, nb, cookie);     any number of times
 *	if (vrtc_drvq_kick_prepare(q))                 one release store
 *		write the kick eventfd;
 *	n = vrtc_drvq_get_used(q, done, max);          one acquire load
 */

#ifndef VRTC_DRVQ_H
#define VRTC_DRVQ_H

#include <stddef.h>
#include <stdint.h>

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
	uint16_t head;
};

/** Why a driver-side queue stopped trusting the device. */
enum vrtc_drvq_broken_reason {
	VRTC_DRVQ_OK = 0,
	VRTC_DRVQ_BROKEN_USED_IDX, /**< used->idx ran ahead of what is in flight */
	VRTC_DRVQ_BROKEN_USED_ID,  /**< used id out of range or not in flight */
	VRTC_DRVQ_BROKEN_USED_LEN, /**< used length larger than the writable bytes */
};

/** One driver-side split virtqueue. */
struct vrtc_drvq {
	struct vrtc_vring vring;
	uint16_t mask;
	uint16_t free_head;	/* first free descriptor */
	uint16_t nb_free;	/* free descriptors */
	uint16_t avail_idx;	/* next avail slot (shadow of avail->idx) */
	uint16_t kicked_idx;	/* avail->idx at the last kick decision */
	uint16_t last_used_idx; /* next used slot to consume */
	uint16_t nb_inflight;	/* chains added and not yet returned */
	uint16_t irq_park_base; /* last_used_idx when used_event was parked */
	uint16_t irq_refresh;	/* parked used_event is refreshed this often */
	uint8_t event_idx;
	uint8_t interrupts_enabled;
	uint8_t broken;	       /* enum vrtc_drvq_broken_reason */
	uint16_t *next;	       /* private chain links, one per descriptor */
	struct {
		void *cookie;
		uint32_t writable_bytes;
		uint16_t nb_desc; /* 0: head not in flight */
		uint16_t last;	  /* last descriptor of the chain */
	} *heads;
	/* Indirect tables, one per head (vrtc_drvq_indirect_init), or NULL. */
	struct vrtc_vring_desc *indirect;
	uint64_t indirect_addr; /* driver address of indirect[0] */
	uint16_t indirect_max;	/* entries per table */
};

/** Layout of a ring in one contiguous block (desc, avail, used). */
struct vrtc_drvq_layout {
	size_t avail_offset;
	size_t used_offset;
	size_t total_bytes;
};

/** Compute the layout of a ring of @p size entries (areas suitably aligned). */
void vrtc_drvq_layout(uint16_t size, struct vrtc_drvq_layout *layout);

/**
 * Set up @p q over @p ring_mem (host address of a zeroed block of
 * layout.total_bytes, 16-byte aligned), with negotiated @p features.
 * @return 0, -EINVAL (size not a power of two in 1..32768, misaligned
 *   memory) or -ENOMEM.
 */
int vrtc_drvq_init(struct vrtc_drvq *q, uint16_t size, uint64_t features, void *ring_mem);

/** Release what vrtc_drvq_init() allocated. Safe on a zeroed struct. */
void vrtc_drvq_fini(struct vrtc_drvq *q);

/**
 * Add a chain of @p nb buffers (readable ones first) with direct
 * descriptors and make its head available (not yet published).
 * @return the head index, -ENOSPC when fewer than @p nb descriptors are
 *   free, -EINVAL for nb == 0 or a readable buffer after a writable one,
 *   -EIO when the queue is broken.
 */
int vrtc_drvq_add(struct vrtc_drvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
		  void *cookie);

/**
 * Give @p q one indirect table of @p nb_entries descriptors per head, for
 * vrtc_drvq_add_indirect(): @p tables is the host address of size *
 * nb_entries descriptors in memory the device can read, at driver
 * (guest-physical) address @p tables_addr. The memory stays the caller's;
 * the negotiated features must include VIRTIO_RING_F_INDIRECT_DESC.
 * @return 0 or -EINVAL (NULL tables, nb_entries 0 or above the queue size).
 */
int vrtc_drvq_indirect_init(struct vrtc_drvq *q, struct vrtc_vring_desc *tables,
			    uint64_t tables_addr, uint16_t nb_entries);

/**
 * Add a chain of @p nb buffers (readable ones first) as one descriptor
 * with VRING_DESC_F_INDIRECT pointing at the head's table, which is filled
 * with the buffers; make it available (not yet published).
 * @return the head index, -ENOSPC when no descriptor is free, -EINVAL for
 *   nb == 0, nb above the table size, no tables, or a readable buffer after
 *   a writable one, -EIO when the queue is broken.
 */
int vrtc_drvq_add_indirect(struct vrtc_drvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
			   void *cookie);

/**
 * Publish the chains added since the last call (one release store of
 * avail->idx) and decide whether the device wants a kick.
 * @return 1 when the caller must kick, 0 otherwise.
 */
int vrtc_drvq_kick_prepare(struct vrtc_drvq *q);

/**
 * Collect up to @p max completed chains.
 * @return the number collected; 0 also when the queue is broken (see
 *   q->broken).
 */
uint16_t vrtc_drvq_get_used(struct vrtc_drvq *q, struct vrtc_drvq_done *done, uint16_t max);

/**
 * Ask the device not to interrupt (a polling driver): VRING_AVAIL_F_NO_INTERRUPT,
 * or with EVENT_IDX a used_event parked half the index space away.
 */
void vrtc_drvq_interrupts_disable(struct vrtc_drvq *q);

/** Ask for an interrupt on the next used buffer. */
void vrtc_drvq_interrupts_enable(struct vrtc_drvq *q);

#endif /* VRTC_DRVQ_H */
