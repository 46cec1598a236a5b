/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Guest memory map: the regions the front-end shared with SET_MEM_TABLE,
 * each a guest-physical range backed by a host mapping.
 *
 * vrtc_mem_translate() is the only way the data path turns a guest address
 * into a host pointer, and it succeeds only when the whole range
 * [gpa, gpa + len) lies inside one region. All arithmetic is overflow-safe:
 * a guest that sends gpa = 2^64 - 1, len = 2 gets NULL, not a wrapped
 * pointer.
 */

#ifndef VRTC_MEM_H
#define VRTC_MEM_H

#include <stdint.h>

#include "platform.h"

/** Upper bound of regions (vhost-user allows 8 without CONFIGURE_MEM_SLOTS). */
#define VRTC_MEM_MAX_REGIONS 32

/** One guest memory region. */
struct vrtc_mem_region {
	uint64_t gpa;  /**< guest-physical start */
	uint64_t size; /**< bytes */
	uint64_t hva;  /**< host virtual address of gpa */
};

/**
 * Dirty-page log of a memory map: told the guest range of every device
 * write into it (guest_write.h). For live migration; no front-end provides
 * one today (VHOST_USER_PROTOCOL_F_LOG_SHMFD is not offered).
 */
struct vrtc_guest_log {
	/** [gpa, gpa + len) was written, len >= 1; called after the store. */
	void (*dirty)(void *opaque, uint64_t gpa, uint64_t len);
	void *opaque;
};

/** A validated set of regions. Read-only once built; shared by queues. */
struct vrtc_mem {
	uint32_t nb_regions;
	/** NULL (no dirty logging) unless vrtc_mem_set_log() installed one. */
	const struct vrtc_guest_log *log;
	struct vrtc_mem_region regions[VRTC_MEM_MAX_REGIONS];
};

/**
 * Build a memory map from @p nb regions.
 *
 * @return 0, -E2BIG when there are more than VRTC_MEM_MAX_REGIONS, or
 *   -EINVAL when a region is empty, wraps around the 64-bit guest or host
 *   address space, or overlaps another one in guest-physical space.
 *   On error @p mem is left empty (no region translates).
 */
int vrtc_mem_init(struct vrtc_mem *mem, const struct vrtc_mem_region *regions, uint32_t nb);

/**
 * Install (or, with NULL, remove) the dirty log of @p mem. Like the regions,
 * only while no poller uses the map. Queues set up by host addresses whose
 * rings are not inside the map cannot log their ring writes.
 */
static inline void
vrtc_mem_set_log(struct vrtc_mem *mem, const struct vrtc_guest_log *log)
{
	mem->log = log;
}

/**
 * The guest-physical address of host range [host, host + len) (len >= 1),
 * found by region: the reverse of vrtc_mem_translate(), for the setup path.
 * @return 0 with *gpa set, or -ENOENT when the range is not inside one
 *   region (or @p mem is NULL).
 */
int vrtc_mem_gpa_of(const struct vrtc_mem *mem, const void *host, uint64_t len, uint64_t *gpa);

/** Look up a region index by @p gpa; slow path of vrtc_mem_translate(). */
void *vrtc_mem_translate_slow(const struct vrtc_mem *mem, uint32_t *hint, uint64_t gpa,
			      uint64_t len);

/** True when [gpa, gpa+len) lies inside @p r. Requires len >= 1. */
static inline int
vrtc_mem_region_holds(const struct vrtc_mem_region *r, uint64_t gpa, uint64_t len)
{
	/* gpa - r->gpa cannot wrap once gpa >= r->gpa; comparing the offset and
	 * the length against the room left avoids ever computing gpa + len. */
	return gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa);
}

/**
 * Translate [gpa, gpa + len) to a host pointer.
 *
 * @param hint  caller-owned cache of the last region hit (one per queue, so
 *   that pollers never write shared state); any value is safe.
 * @return the host address of @p gpa, or NULL when @p len is 0 or the range
 *   does not lie wholly inside one region.
 */
static inline void *
vrtc_mem_translate(const struct vrtc_mem *mem, uint32_t *hint, uint64_t gpa, uint64_t len)
{
	uint32_t i = *hint;

	if (vrtc_likely(i < mem->nb_regions && len != 0)) {
		const struct vrtc_mem_region *r = &mem->regions[i];

		if (vrtc_likely(vrtc_mem_region_holds(r, gpa, len)))
			return (void *)(uintptr_t)(r->hva + (gpa - r->gpa));
	}
	return vrtc_mem_translate_slow(mem, hint, gpa, len);
}

#endif /* VRTC_MEM_H */
