/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The one writer into guest memory. Every byte the device stores in guest
 * memory goes through here, with its guest-physical address:
 *
 *	vrtc_gw_write()     copy-in: a response, a notification
 *	vrtc_gw_produced()  in place: the bytes were produced straight into a
 *			    segment (entropy), only their range is recorded
 *	vrtc_gw_ring()      ring metadata: used elements and index, used
 *			    descriptors, event suppression fields
 *
 * What is recorded goes to the dirty-log hook of the memory map the
 * segments or the ring were translated through (vrtc_mem.log). No
 * front-end can give us a log today (VHOST_USER_PROTOCOL_F_LOG_SHMFD is not
 * offered), so the hook is NULL and each call costs one predicted branch
 * beside the store. When live migration is done, the hook marks the pages
 * of [gpa, gpa + len) in the front-end's log, after the store.
 */

#ifndef VRTC_GUEST_WRITE_H
#define VRTC_GUEST_WRITE_H

#include <stdint.h>
#include <string.h>

#include "chain.h"
#include "mem.h"
#include "platform.h"

/** Record that the device wrote [gpa, gpa + len) (len >= 1); the hook is set. */
void vrtc_gw_log_slow(const struct vrtc_guest_log *log, uint64_t gpa, uint64_t len);

/** Same for a ring store: nothing when the ring's guest address is unknown. */
void vrtc_gw_ring_slow(const struct vrtc_guest_log *log, int gpa_ok, uint64_t gpa, uint64_t len);

static inline void
vrtc_gw_log(const struct vrtc_guest_log *log, uint64_t gpa, uint64_t len)
{
	if (vrtc_unlikely(log != NULL))
		vrtc_gw_log_slow(log, gpa, len);
}

/**
 * Copy @p len bytes from @p src into @p seg at offset @p off; the caller
 * checked that off + len <= seg->len. A constant @p len keeps the copy a
 * fixed-size one once inlined.
 */
static inline __attribute__((always_inline)) void
vrtc_gw_write(const struct vrtc_chain *chain, const struct vrtc_seg *seg, uint32_t off,
	      const void *src, uint32_t len)
{
	memcpy(seg->addr + off, src, len);
	vrtc_gw_log(chain->log, seg->gpa + off, len);
}

/**
 * Record that @p seg[off, off + len) was written in place (by a producer
 * given seg->addr directly, e.g. vrtc_entropy_fill()).
 */
static inline void
vrtc_gw_produced(const struct vrtc_chain *chain, const struct vrtc_seg *seg, uint32_t off,
		 uint32_t len)
{
	vrtc_gw_log(chain->log, seg->gpa + off, len);
}

/**
 * Record a ring metadata store of @p len bytes at guest address @p gpa,
 * made through a host pointer into the ring of a queue over @p mem.
 * @p gpa_ok is 0 when the ring's guest address is not known (a ring set up
 * by host addresses outside @p mem): nothing can be recorded then, which a
 * dirty log would have to refuse at setup (see vrtc_mem_set_log()).
 */
static inline void
vrtc_gw_ring(const struct vrtc_mem *mem, int gpa_ok, uint64_t gpa, uint32_t len)
{
	/* gpa_ok is looked at only with a log: one test on the hot path. */
	if (vrtc_unlikely(mem->log != NULL))
		vrtc_gw_ring_slow(mem->log, gpa_ok, gpa, len);
}

#endif /* VRTC_GUEST_WRITE_H */
