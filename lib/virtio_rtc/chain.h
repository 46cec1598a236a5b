/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * One descriptor chain, walked and validated, as a list of host segments:
 * the device-readable ones first, then the device-writable ones.
 *
 * vrtc_chain_walk() is where every descriptor a guest controls is checked:
 * address and length against the memory map, next index range, loops and
 * chain length (bounded by the queue size, indirect entries included),
 * indirect tables (feature negotiated, size a multiple of 16, not nested,
 * not combined with F_NEXT) and the readable-before-writable order. A chain
 * that fails any check yields no segment at all: nothing of it is ever
 * read or written.
 *
 * The read and write helpers copy between the segments and private memory.
 * Device models read a request once into a private copy (the guest may
 * change its buffers concurrently) and write responses straight into the
 * writable segments, through guest_write.h (every segment keeps its guest
 * address for that).
 */

#ifndef VRTC_CHAIN_H
#define VRTC_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "ring_split.h"

/** A piece of a chain: where the host sees it, and where the guest does. */
struct vrtc_seg {
	uint8_t *addr;
	uint32_t len; /**< never 0 */
	uint64_t gpa; /**< guest-physical address of addr[0], for the dirty log */
};

/** A validated chain. Segments live in storage the walker was given. */
struct vrtc_chain {
	uint16_t head;		 /**< head descriptor index, the used element id */
	uint16_t nb_readable;	 /**< segs[0 .. nb_readable) are device-readable */
	uint16_t nb_writable;	 /**< then nb_writable device-writable segments */
	uint32_t readable_bytes; /**< sum of the readable segment lengths */
	uint32_t writable_bytes; /**< sum of the writable segment lengths */
	struct vrtc_seg *segs;
	/** Dirty log of the map the segments were translated through (its
	 * vrtc_mem.log, NULL when none): where guest_write.h records writes. */
	const struct vrtc_guest_log *log;
};

/** Why a chain was rejected. Each has a counter in the queue stats. */
enum vrtc_chain_error {
	VRTC_CHAIN_OK = 0,
	VRTC_CHAIN_E_ADDR,	       /**< buffer or table not inside one memory region */
	VRTC_CHAIN_E_NEXT,	       /**< next index outside the table */
	VRTC_CHAIN_E_TOO_LONG,	       /**< more descriptors than the queue size (loop) */
	VRTC_CHAIN_E_INDIRECT_FEATURE, /**< indirect descriptor, feature not negotiated */
	VRTC_CHAIN_E_INDIRECT_SIZE,    /**< table length 0 or not a multiple of 16 */
	VRTC_CHAIN_E_INDIRECT_NESTED,  /**< indirect descriptor inside a table */
	VRTC_CHAIN_E_INDIRECT_NEXT,    /**< indirect descriptor that also has F_NEXT */
	VRTC_CHAIN_E_ORDER,	       /**< readable descriptor after a writable one */
	VRTC_CHAIN_E_BYTES,	       /**< readable or writable part over 4 GiB - 1 */
	VRTC_CHAIN_E_COUNT
};

/** Short name of a chain error ("addr", "next", ...). */
const char *vrtc_chain_error_name(enum vrtc_chain_error err);

/** What the walker needs to know about the queue. */
struct vrtc_chain_ctx {
	const struct vrtc_vring *vring; /**< descriptor table and queue size */
	const struct vrtc_mem *mem;
	uint32_t *mem_hint;   /**< per-queue translation cache */
	int indirect_ok;      /**< VIRTIO_RING_F_INDIRECT_DESC negotiated */
	struct vrtc_seg *segs; /**< storage for at least vring->size segments */
};

/**
 * Walk and validate the chain starting at @p head (< queue size; the caller
 * checks that, since a bad head is a ring error, not a chain error).
 *
 * Zero-length descriptors are accepted and contribute no segment.
 *
 * @return VRTC_CHAIN_OK with @p chain filled in, or the first error found;
 *   on error @p chain has no segments (both counts 0) and its head set.
 */
enum vrtc_chain_error vrtc_chain_walk(const struct vrtc_chain_ctx *ctx, uint16_t head,
				      struct vrtc_chain *chain);

/**
 * Copy up to @p len bytes from the start of the readable part to @p dst.
 * @return the number of bytes copied (less than @p len when the readable
 *   part is shorter).
 */
size_t vrtc_chain_read(const struct vrtc_chain *chain, void *dst, size_t len);

/**
 * Copy @p len bytes from @p src to the start of the writable part, or as
 * many as fit. A contiguous destination takes one memcpy.
 * @return the number of bytes written.
 */
size_t vrtc_chain_write(const struct vrtc_chain *chain, const void *src, size_t len);

/** The @p i-th writable segment (0 <= i < nb_writable). */
static inline const struct vrtc_seg *
vrtc_chain_writable_seg(const struct vrtc_chain *chain, uint16_t i)
{
	return &chain->segs[chain->nb_readable + i];
}

#endif /* VRTC_CHAIN_H */
