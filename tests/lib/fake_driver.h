/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Fake guest for unit tests and fuzzers: guest memory in ordinary heap
 * blocks whose guest-physical addresses differ from the host addresses (a
 * missing translation then fails a test instead of passing by luck), and a
 * split ring driven from the driver side with the same drvq code the
 * front-end devices use, served from the device side by vrtc_vq.
 *
 * Hostile tests bypass the driver-side bookkeeping and write descriptors,
 * avail entries and indexes directly with the fake_raw_* helpers.
 */

#ifndef VRTC_FAKE_DRIVER_H
#define VRTC_FAKE_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "drvq.h"
#include "mem.h"
#include "vq_private.h"

#define FAKE_MAX_REGIONS 4

/** One fake guest: up to four regions, a bump allocator in each. */
struct fake_guest {
	uint32_t nb_regions;
	struct {
		uint8_t *host;
		uint64_t gpa;
		size_t size;
		size_t brk;
	} r[FAKE_MAX_REGIONS];
	struct vrtc_mem mem;
};

/** Region layout for fake_guest_init(). */
struct fake_region_spec {
	uint64_t gpa;
	size_t size;
};

/**
 * Create a guest with the given regions (zeroed, page-aligned host memory).
 * @return 0 or -errno.
 */
int fake_guest_init(struct fake_guest *g, const struct fake_region_spec *spec, uint32_t nb);

/** A one-region guest of @p size bytes at a GPA far from any host address. */
int fake_guest_init_simple(struct fake_guest *g, size_t size);

void fake_guest_fini(struct fake_guest *g);

/**
 * Carve @p len bytes (aligned to @p align) from region @p region.
 * @return the host pointer (GPA in *gpa), or NULL when the region is full.
 */
void *fake_guest_alloc(struct fake_guest *g, uint32_t region, size_t len, size_t align,
		       uint64_t *gpa);

/** GPA of a host pointer inside the guest (aborts when outside: test bug). */
uint64_t fake_gpa(const struct fake_guest *g, const void *host);

/** A dirty log that records the ranges it is told (guest_write.h), in order. */
#define FAKE_DIRTY_MAX 64
struct fake_dirty_log {
	struct vrtc_guest_log log;
	uint32_t nb;	   /* ranges recorded */
	uint32_t dropped;  /* ranges past FAKE_DIRTY_MAX */
	struct {
		uint64_t gpa, len;
	} r[FAKE_DIRTY_MAX];
};

/** Install @p l (emptied) as the dirty log of @p g's memory map. */
void fake_dirty_log_attach(struct fake_dirty_log *l, struct fake_guest *g);

/** Forget what @p l recorded. */
void fake_dirty_log_clear(struct fake_dirty_log *l);

/**
 * Whether every byte of @p g that differs from @p snap (a copy of each
 * region, taken with fake_guest_snapshot()) lies in a range @p l recorded.
 * Prints the first unrecorded change.
 */
int fake_dirty_log_covers(const struct fake_dirty_log *l, const struct fake_guest *g,
			  uint8_t *const snap[FAKE_MAX_REGIONS]);

/** Copy every region of @p g into @p snap (malloc'd; free with fake_guest_snapshot_free). */
int fake_guest_snapshot(const struct fake_guest *g, uint8_t *snap[FAKE_MAX_REGIONS]);
void fake_guest_snapshot_free(uint8_t *snap[FAKE_MAX_REGIONS]);

/** One queue: driver side and device side over the same ring. */
struct fake_queue {
	struct fake_guest *g;
	struct vrtc_drvq drv;
	struct vrtc_vq dev;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t size;
	uint16_t raw_avail_idx; /* for fake_raw_* */
};

/**
 * Lay out a ring of @p size in region 0 of @p g and set up both sides with
 * @p features negotiated. @return 0 or -errno.
 */
int fake_queue_init(struct fake_queue *q, struct fake_guest *g, uint16_t size,
		    uint64_t features);

void fake_queue_fini(struct fake_queue *q);

/** Raw descriptor write (bypasses the driver's bookkeeping). */
void fake_raw_desc(struct fake_queue *q, uint16_t idx, uint64_t gpa, uint32_t len, uint16_t flags,
		   uint16_t next);

/** Raw: put @p head in the next avail slot and publish avail->idx. */
void fake_raw_avail_head(struct fake_queue *q, uint16_t head);

/** Raw: store @p idx into avail->idx. */
void fake_raw_avail_idx(struct fake_queue *q, uint16_t idx);

/** Used element @p slot of the ring, in host order. */
void fake_used_elem(const struct fake_queue *q, uint16_t slot, uint32_t *id, uint32_t *len);

/** used->idx, in host order. */
uint16_t fake_used_idx(const struct fake_queue *q);

/** A device model for fake_serve(): handles one chain, returns used length. */
typedef uint32_t (*fake_handler_t)(const struct vrtc_chain *chain, void *arg);

/** Result of one fake_serve() burst. */
struct fake_serve_result {
	uint16_t popped; /* chains popped, good and bad */
	uint16_t bad;	 /* ... of which bad chains */
	int notify;	 /* vrtc_vq_split_flush() asked for an interrupt */
};

/** Serve one device-side burst of at most @p burst chains. */
struct fake_serve_result fake_serve(struct fake_queue *q, uint16_t burst, fake_handler_t fn,
				    void *arg);

/** A handler that writes 0x5A into every writable byte and returns the count. */
uint32_t fake_fill_handler(const struct vrtc_chain *chain, void *arg);

#endif /* VRTC_FAKE_DRIVER_H */
