/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: the checks of a ring set-up, shared by the split (vq.c) and
 * the packed (vq_packed.c) engine. What the transport passes on from the
 * driver (SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE) is checked here
 * once for both layouts: the queue size, each area present, aligned and
 * (given by guest address) inside one region of the memory map, and the
 * resume positions no more than a queue size apart.
 */

#ifndef VRTC_VQ_SETUP_H
#define VRTC_VQ_SETUP_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

/** One area of a ring: descriptors, driver (avail) or device (used) area. */
struct vrtc_ring_area {
	void *host;	 /**< host address, NULL when missing or not translated */
	uint64_t gpa;	 /**< guest-physical address (vrtc_ring_areas_translate) */
	size_t bytes;	 /**< its length for this queue size */
	uintptr_t align; /**< required alignment, a power of two */
};

/** A set-up to check. */
struct vrtc_ring_setup {
	uint16_t size;
	uint16_t max_size;
	uint8_t pow2; /**< the size must be a power of two (split) */
	const struct vrtc_ring_area *areas;
	unsigned int nb_areas;
	/**
	 * Resume positions (SET_VRING_BASE) in a space of @p period
	 * positions: where the device reads next and where it writes the next
	 * used entry. The used one may be behind by at most a queue size.
	 */
	uint32_t avail_pos;
	uint32_t used_pos;
	uint32_t period;
	uint16_t avail_raw, used_raw; /**< as the driver gave them, for the log */
	uint8_t raw_bad; /**< the caller found a resume value malformed */
};

/**
 * Translate each area's guest address: the whole area must lie inside one
 * region of @p mem, else its host address is NULL (and the check fails).
 */
void vrtc_ring_areas_translate(const struct vrtc_mem *mem, struct vrtc_ring_area *areas,
			       unsigned int nb_areas);

/** Whether @p size is one the engine takes (logged for @p name when not). */
int vrtc_ring_size_ok(const char *name, uint16_t size, uint16_t max_size, int pow2);

/**
 * Check @p s, logging the first failure for @p name.
 * @return 0 with *@p in_flight the distance from the used to the avail
 *   position (buffers an earlier owner popped), or -EINVAL.
 */
int vrtc_ring_setup_check(const char *name, const struct vrtc_ring_setup *s,
			  uint32_t *in_flight);

#endif /* VRTC_VQ_SETUP_H */
