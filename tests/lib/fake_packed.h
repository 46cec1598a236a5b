/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Packed-ring counterpart of fake_driver.h for unit tests and fuzzers: the
 * driver queue of drvq.h on a packed ring (buffer ids, wrap counters, the
 * first descriptor's flags stored last, used descriptors checked) and the
 * device-side engine (vq_packed.c) over the same ring in a fake guest. Unlike
 * the front-end, the fake publishes each chain as it adds it (as Linux's
 * driver does), so a test can serve without a kick decision; the
 * interrupt controls leave the driver event area to the test.
 *
 * Hostile tests bypass the driver's bookkeeping with the fake_praw_*
 * helpers.
 */

#ifndef VRTC_FAKE_PACKED_H
#define VRTC_FAKE_PACKED_H

#include <stdint.h>

#include "drvq.h"
#include "fake_driver.h"
#include "vq_private.h"

/** One packed queue: driver side and device side over the same ring. */
struct fake_pqueue {
	struct fake_guest *g;
	struct vrtc_drvq drv; /* the front-end's driver queue, packed */
	struct vrtc_vq dev;
	uint64_t desc_gpa, driver_gpa, device_gpa;
	uint16_t size;
	uint64_t features;
};

/**
 * Lay out a packed ring of @p size (any value 1..32768) in region 0 of @p g
 * and set up both sides; VIRTIO_F_RING_PACKED is added to @p features.
 * @return 0 or -errno.
 */
int fake_pqueue_init(struct fake_pqueue *q, struct fake_guest *g, uint16_t size,
		     uint64_t features);

/**
 * Same, with the device side resumed at @p avail_off_wrap / @p used_off_wrap
 * (the driver side starts there too, as after a reconnection).
 */
int fake_pqueue_init_at(struct fake_pqueue *q, struct fake_guest *g, uint16_t size,
			uint64_t features, uint16_t avail_off_wrap, uint16_t used_off_wrap);

void fake_pqueue_fini(struct fake_pqueue *q);

/** Tear down and set up the device side again at the driver's positions. */
int fake_pqueue_reattach(struct fake_pqueue *q);

/**
 * Post a chain of @p nb direct descriptors (readable first) and publish it
 * (vrtc_drvq_add(), vrtc_drvq_publish()).
 * @return the buffer id, -ENOSPC, -EINVAL or -EIO (driver broken).
 */
int fake_pdrv_add(struct fake_pqueue *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
		  void *cookie);

/** Give each id an indirect table of @p nb_entries, carved from region 0. */
int fake_pdrv_indirect_init(struct fake_pqueue *q, uint16_t nb_entries);

/** Post a chain as one indirect descriptor. @return as fake_pdrv_add(). */
int fake_pdrv_add_indirect(struct fake_pqueue *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
			   void *cookie);

/** Kick decision for what was posted since the last call (device event area). */
int fake_pdrv_kick_prepare(struct fake_pqueue *q);

/** Collect up to @p max completions, checking each. @return how many. */
uint16_t fake_pdrv_get_used(struct fake_pqueue *q, struct vrtc_drvq_done *done, uint16_t max);

/** Driver event suppression: DISABLE. */
void fake_pdrv_interrupts_disable(struct fake_pqueue *q);

/** ENABLE, or with EVENT_IDX a descriptor event at the next used descriptor. */
void fake_pdrv_interrupts_enable(struct fake_pqueue *q);

/** Descriptor event @p ahead used descriptors past the next one (EVENT_IDX). */
void fake_pdrv_interrupts_at(struct fake_pqueue *q, uint16_t ahead);

/** Serve one device-side burst of at most @p burst chains. */
struct fake_serve_result fake_pserve(struct fake_pqueue *q, uint16_t burst, fake_handler_t fn,
				     void *arg);

/**
 * Raw: write descriptor @p off as given (flags taken literally, AVAIL/USED
 * included), flags stored last.
 */
void fake_praw_desc(struct fake_pqueue *q, uint16_t off, uint64_t gpa, uint32_t len, uint16_t id,
		    uint16_t flags);

/**
 * Raw: make @p nb descriptors available at the driver's position with its
 * wrap bits added to each flags (NEXT/WRITE/INDIRECT and ids as given; the
 * first one's flags stored last) and advance the position, wrapping at the
 * ring end. No id bookkeeping.
 */
void fake_praw_post(struct fake_pqueue *q, const struct vrtc_pvirtq_desc *descs, uint16_t nb);

/** Raw: descriptor @p off as it is in the ring, in host order. */
void fake_praw_read(const struct fake_pqueue *q, uint16_t off, struct vrtc_pvirtq_desc *out);

#endif /* VRTC_FAKE_PACKED_H */
