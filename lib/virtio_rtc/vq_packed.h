/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Device side of one packed virtqueue (VIRTIO_F_RING_PACKED): the data-path
 * engine beside the split one (vq.h), with the same burst shape:
 *
 *	n = vrtc_vqp_avail(vq, burst);       one acquire load; a bound, not a count
 *	while (n-- > 0) {
 *		rc = vrtc_vqp_pop(vq, &chain);
 *		if (rc == -EBADMSG)
 *			continue;                     bad chain: already completed
 *		if (rc != 0)
 *			break;                        -ENOENT: burst over; -EIO: broken
 *		len = model(&chain);
 *		vrtc_vqp_push(vq, chain.head, len);   chain.head is the buffer id
 *	}
 *	if (vrtc_vqp_flush(vq))               one release store: first used flags
 *		signal the call eventfd;
 *
 * The DPDK layer chooses it or the split engine per queue (queue_ring.h in
 * lib/virtio_rtc/dpdk) when VIRTIO_F_RING_PACKED is negotiated.
 *
 * A chain is a run of ring descriptors linked by F_NEXT (wrapping at the
 * ring end, where the wrap counter flips); its buffer id is on its last
 * descriptor. An indirect descriptor is a list on its own (never linked by
 * F_NEXT), its table up to the queue size. Every guest value is loaded
 * once into a private copy and checked there. Guest misbehaviour is
 * handled at three levels, as in the split engine: a bad request is the
 * model's business; a bad chain (an address outside the memory map, an
 * indirect table that breaks the rules, readable after writable, over
 * 4 GiB) is completed with length 0 and counted; a bad ring (a later
 * descriptor of a chain not made available, more descriptors than the ring
 * has free, a buffer id out of range or made available again while in
 * flight) latches the queue broken. A completion of an id that is not in
 * flight is refused and counted.
 *
 * A queue is single-threaded: one poller owns it at a time.
 */

#ifndef VRTC_VQ_PACKED_H
#define VRTC_VQ_PACKED_H

#include <stdint.h>

#include "chain.h"
#include "mem.h"
#include "ring_packed.h"

/** Why a packed queue was latched broken. */
enum vrtc_vqp_broken_reason {
	VRTC_VQP_OK = 0,
	VRTC_VQP_BROKEN_DESC,	  /**< a later descriptor of a chain is not available */
	VRTC_VQP_BROKEN_OVERRUN,  /**< a chain needs more descriptors than the ring has free */
	VRTC_VQP_BROKEN_ID,	  /**< buffer id not below the queue size */
	VRTC_VQP_BROKEN_INFLIGHT, /**< buffer id made available while in flight */
	VRTC_VQP_BROKEN_COUNT
};

/** Counters of one packed queue. Single writer: the poller that owns it. */
struct vrtc_vqp_stats {
	uint64_t chains;			/**< chains popped, good and bad */
	uint64_t bad_chains;			/**< chains completed with length 0 */
	uint64_t bad_chain[VRTC_CHAIN_E_COUNT]; /**< ... by reason */
	uint64_t used;				/**< used descriptors published */
	uint64_t bad_push;			/**< completions refused: id not in flight */
	uint64_t polls;				/**< vrtc_vqp_avail() calls */
	uint64_t polls_empty;			/**< ... that found nothing */
	uint64_t notify_needed;			/**< flushes that asked for a notification */
	uint64_t notify_suppressed;		/**< flushes after which it did not */
};

/** Where a packed ring is and how it was negotiated. */
struct vrtc_vqp_config {
	const char *name;  /**< for log lines; copied */
	uint16_t size;	   /**< 1 .. 32768 (any value) */
	uint64_t features; /**< negotiated; must include VIRTIO_F_RING_PACKED */
	const struct vrtc_mem *mem;
	/** Host addresses of the three areas (vrtc_vqp_init) ... */
	void *desc, *driver, *device;
	/**
	 * ... or their guest-physical addresses (vrtc_vqp_init_gpa). With host
	 * addresses, those of the areas the device writes (descriptor ring,
	 * device event area; for the dirty log, guest_write.h) are found in
	 * @p mem.
	 */
	uint64_t desc_gpa, driver_gpa, device_gpa;
	/**
	 * Where to resume (SET_VRING_BASE): bits 0..14 the next descriptor to
	 * read, bit 15 the avail wrap counter; 0x8000 on a fresh ring.
	 */
	uint16_t avail_off_wrap;
	/** Next used descriptor to write, same encoding; 0x8000 on a fresh ring. */
	uint16_t used_off_wrap;
	/** As vrtc_vq_config.hold_bad_chains: bad chains returned for the caller to push. */
	uint8_t hold_bad_chains;
};

/** One device-side packed virtqueue. Fields are private to vq_packed.c. */
struct vrtc_vqp {
	struct vrtc_pring ring;
	const struct vrtc_mem *mem;
	uint32_t mem_hint;
	uint16_t avail_off;   /* next descriptor to read */
	uint16_t used_off;    /* next used descriptor to write */
	uint16_t pending;     /* bound announced by the last vrtc_vqp_avail(), less pops */
	uint16_t outstanding; /* ring descriptors popped and not yet written back as used */
	uint16_t batch_off;   /* first used descriptor of the unpublished batch */
	uint16_t batch_flags; /* ... and its flags, stored at flush */
	uint16_t batch_len;   /* used descriptors in the batch */
	uint32_t signalled_pos; /* used position at the last notification decision */
	uint8_t avail_wrap;
	uint8_t used_wrap;
	uint8_t event_idx;
	uint8_t indirect;
	uint8_t kicks_enabled;
	uint8_t broken; /* enum vrtc_vqp_broken_reason */
	uint8_t hold_bad;
	uint16_t nb_inflight;	   /* buffer ids in flight */
	uint16_t *inflight_ndesc;  /* per buffer id: ring descriptors, 0 when not in flight */
	struct vrtc_seg *segs;	   /* size segments, for the chain being handled */
	uint64_t desc_gpa;	   /* guest addresses of the descriptor ring and */
	uint64_t device_gpa;	   /* the device event area, for the dirty log */
	uint8_t ring_gpa_ok;	   /* ... both known (inside mem at init) */
	struct vrtc_chain_ctx chain_ctx; /* mem, mem_hint, indirect, segs, for the accumulator */
	struct vrtc_vqp_stats stats;
	char name[32];
};

/**
 * Set up @p vq over a packed ring given by host addresses.
 * @return 0, -EINVAL (size 0 or above 32768, RING_PACKED not negotiated, a
 *   NULL or misaligned area, a resume offset not below the size, or the
 *   used position more than a queue size behind the avail one), -ENOMEM.
 */
int vrtc_vqp_init(struct vrtc_vqp *vq, const struct vrtc_vqp_config *cfg);

/** Same, areas given as guest-physical addresses, each inside one region. */
int vrtc_vqp_init_gpa(struct vrtc_vqp *vq, const struct vrtc_vqp_config *cfg);

/** Release what vrtc_vqp_init() allocated. Safe on a zeroed struct. */
void vrtc_vqp_fini(struct vrtc_vqp *vq);

/** Replace the memory map (the poller must be stopped). */
void vrtc_vqp_set_mem(struct vrtc_vqp *vq, const struct vrtc_mem *mem);

/**
 * Start a burst with one acquire load, of the next descriptor's flags.
 * @return 0 when that descriptor is not available (or the queue is
 *   broken); else a bound on the chains of the burst: @p max, or fewer when
 *   fewer descriptors are free. Chains are not counted (that would read
 *   every descriptor's flags, which vrtc_vqp_pop() reads anyway): pop
 *   returns -ENOENT at the first chain that is not available, ending the
 *   burst, and diagnoses a malformed chain when it reaches it.
 */
uint16_t vrtc_vqp_avail(struct vrtc_vqp *vq, uint16_t max);

/**
 * Pop the next chain of the burst; chain->head is its buffer id. Segments
 * stay valid until the next pop.
 * @return 0; -EBADMSG for a bad chain, counted and completed with length 0
 *   (with hold_bad_chains: not completed, chain->head set, no segment);
 *   -EIO when the queue is (or just became) broken; -ENOENT when the burst
 *   is exhausted or the next chain is no longer available.
 */
int vrtc_vqp_pop(struct vrtc_vqp *vq, struct vrtc_chain *chain);

/**
 * Stage a used descriptor for buffer @p id with @p len bytes written (and
 * F_WRITE when @p len is not 0), at the used offset, which then moves on
 * by the chain's descriptor count; published by the next vrtc_vqp_flush().
 * @return 0, or -EINVAL (counted in bad_push, nothing written) when @p id
 *   is not in flight.
 */
int vrtc_vqp_push(struct vrtc_vqp *vq, uint16_t id, uint32_t len);

/**
 * Publish the staged used descriptors (the first one's flags last, with
 * release) and decide whether the driver wants a notification: driver
 * event suppression ENABLE, DISABLE, or DESC with EVENT_IDX.
 * @return 1 when the caller must signal the driver, 0 otherwise.
 */
int vrtc_vqp_flush(struct vrtc_vqp *vq);

/** Ask the driver not to kick: device event suppression DISABLE. */
void vrtc_vqp_kicks_disable(struct vrtc_vqp *vq);

/**
 * Ask the driver to kick on its next chain (ENABLE, or DESC at the next
 * descriptor with EVENT_IDX). @return 1 when a chain arrived meanwhile.
 */
int vrtc_vqp_kicks_enable(struct vrtc_vqp *vq);

/** Number of buffer ids popped and not yet pushed. */
static inline uint16_t
vrtc_vqp_inflight(const struct vrtc_vqp *vq)
{
	return vq->nb_inflight;
}

/** Next descriptor to read, in SET/GET_VRING_BASE encoding (bit 15: wrap). */
static inline uint16_t
vrtc_vqp_avail_off_wrap(const struct vrtc_vqp *vq)
{
	return (uint16_t)(vq->avail_off | (vq->avail_wrap << VRTC_PVIRTQ_EVENT_WRAP_SHIFT));
}

/** Next used descriptor to write, same encoding. */
static inline uint16_t
vrtc_vqp_used_off_wrap(const struct vrtc_vqp *vq)
{
	return (uint16_t)(vq->used_off | (vq->used_wrap << VRTC_PVIRTQ_EVENT_WRAP_SHIFT));
}

/** Why the queue is broken (VRTC_VQP_OK when it is not). */
static inline enum vrtc_vqp_broken_reason
vrtc_vqp_broken(const struct vrtc_vqp *vq)
{
	return (enum vrtc_vqp_broken_reason)vq->broken;
}

/** Short name of a broken reason. */
const char *vrtc_vqp_broken_name(enum vrtc_vqp_broken_reason reason);

#endif /* VRTC_VQ_PACKED_H */
