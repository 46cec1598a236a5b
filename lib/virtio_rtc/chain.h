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

/*
 * The chain accumulator: the one place where a descriptor becomes a
 * segment, for both ring layouts. A layout's descriptor source (the split
 * walker below, the packed pop in vq_packed.c) loads each ring descriptor
 * once into a private copy and feeds its addr, len and flags here, in chain
 * order; the accumulator translates the buffer against the memory map (one
 * region per buffer), skips zero-length ones, keeps readable before
 * writable, caps each part at 4 GiB - 1 and walks indirect tables. What the
 * source keeps to itself is how descriptors are found and linked: next
 * indexes and the loop bound (split), availability, wrap and buffer ids
 * (packed).
 */

/** What a chain walk needs to know about the queue. */
struct vrtc_chain_ctx {
	const struct vrtc_vring *vring; /**< split: descriptor table and size */
	const struct vrtc_mem *mem;
	uint32_t *mem_hint;   /**< per-queue translation cache */
	int indirect_ok;      /**< VIRTIO_RING_F_INDIRECT_DESC negotiated */
	struct vrtc_seg *segs; /**< storage for at least queue size segments */
};

/** Ring layouts, where the indirect-table rules differ. */
enum vrtc_chain_layout {
	/** Entries linked by next from entry 0; ring descriptors may precede. */
	VRTC_CHAIN_SPLIT = 0,
	/** Entries consecutive, F_NEXT and ids ignored; nothing may precede. */
	VRTC_CHAIN_PACKED = 1,
};

/** One chain being accumulated. Initialise with vrtc_chain_acc_init(). */
struct vrtc_chain_acc {
	/* Read through, not copied into the accumulator: fewer live values
	 * on the hot path (measured: doc/perf.md, "Packed rings"). */
	const struct vrtc_chain_ctx *ctx;
	uint32_t nb_segs; /* segments stored */
	/* Descriptors that may still be visited: the source charges its ring
	 * descriptors, the accumulator the entries of an indirect table. */
	uint32_t budget;
	int writable_seen; /* a writable buffer came before */
	uint64_t rd_bytes;
	uint64_t wr_bytes;
	uint16_t nb_rd;
};

/* @p budget: at most as many as ctx->segs has room for. */
static inline void
vrtc_chain_acc_init(struct vrtc_chain_acc *acc, const struct vrtc_chain_ctx *ctx, uint32_t budget)
{
	acc->ctx = ctx;
	acc->nb_segs = 0;
	acc->budget = budget;
	acc->writable_seen = 0;
	acc->rd_bytes = 0;
	acc->wr_bytes = 0;
	acc->nb_rd = 0;
}

/** Add one buffer descriptor (not an indirect one) to the chain. */
static inline __attribute__((always_inline)) enum vrtc_chain_error
vrtc_chain_acc_buffer(struct vrtc_chain_acc *acc, uint64_t addr, uint32_t len, uint16_t flags)
{
	int writable = (flags & VRTC_VRING_DESC_F_WRITE) != 0;
	struct vrtc_seg *seg;
	void *host;

	if (writable)
		acc->writable_seen = 1;
	else if (vrtc_unlikely(acc->writable_seen))
		return VRTC_CHAIN_E_ORDER;
	if (len == 0)
		return VRTC_CHAIN_OK; /* nothing to read or write */
	host = vrtc_mem_translate(acc->ctx->mem, acc->ctx->mem_hint, addr, len);
	if (vrtc_unlikely(host == NULL))
		return VRTC_CHAIN_E_ADDR;
	if (writable) {
		acc->wr_bytes += len;
		if (vrtc_unlikely(acc->wr_bytes > UINT32_MAX))
			return VRTC_CHAIN_E_BYTES;
	} else {
		acc->rd_bytes += len;
		if (vrtc_unlikely(acc->rd_bytes > UINT32_MAX))
			return VRTC_CHAIN_E_BYTES;
		acc->nb_rd++;
	}
	/* At most one segment per visited descriptor, and the sources visit
	 * at most the queue size of them: the storage cannot overflow. */
	seg = &acc->ctx->segs[acc->nb_segs++];
	seg->addr = host;
	seg->gpa = addr; /* for the guest-memory writer's dirty log */
	seg->len = len;
	return VRTC_CHAIN_OK;
}

/*
 * Walk the entries of a table checked and translated by
 * vrtc_chain_acc_indirect(). Out of line and called on a copy of the
 * accumulator: the source's own accumulator never has its address taken,
 * so the compiler keeps it in registers on the direct path.
 */
enum vrtc_chain_error vrtc_chain_acc_table(struct vrtc_chain_acc *acc, const uint8_t *table,
					   uint32_t nb_entries, enum vrtc_chain_layout layout);

/*
 * Check the F_INDIRECT descriptor itself: feature negotiated, no F_NEXT on
 * it, size a non-zero multiple of 16 and within the budget, the table
 * inside one region. On success @p table and @p nb_entries are set for a
 * table walker, which refuses nested indirect entries.
 * @p linked: a ring descriptor links to this one by F_NEXT (refused for
 * packed, allowed for split). @p layout is a constant in each source.
 */
static inline __attribute__((always_inline)) enum vrtc_chain_error
vrtc_chain_acc_indirect_check(const struct vrtc_chain_acc *acc, uint64_t addr, uint32_t len,
			      uint16_t flags, const enum vrtc_chain_layout layout, int linked,
			      const uint8_t **table, uint32_t *nb_entries)
{
	/* Split lets normal descriptors precede one indirect descriptor; in a
	 * packed ring it is a list on its own, linked neither way. F_WRITE on
	 * it is reserved and ignored in both. */
	if (vrtc_unlikely(layout == VRTC_CHAIN_PACKED && linked))
		return VRTC_CHAIN_E_INDIRECT_NEXT;
	if (vrtc_unlikely(!acc->ctx->indirect_ok))
		return VRTC_CHAIN_E_INDIRECT_FEATURE;
	if (vrtc_unlikely(flags & VRTC_VRING_DESC_F_NEXT))
		return VRTC_CHAIN_E_INDIRECT_NEXT;
	if (vrtc_unlikely(len == 0 || len % sizeof(struct vrtc_vring_desc) != 0))
		return VRTC_CHAIN_E_INDIRECT_SIZE;
	*nb_entries = len / sizeof(struct vrtc_vring_desc);
	if (vrtc_unlikely(*nb_entries > acc->budget))
		return VRTC_CHAIN_E_TOO_LONG;
	*table = vrtc_mem_translate(acc->ctx->mem, acc->ctx->mem_hint, addr, len);
	if (vrtc_unlikely(*table == NULL))
		return VRTC_CHAIN_E_ADDR;
	return VRTC_CHAIN_OK;
}

/* Walk the indirect table an F_INDIRECT descriptor points at (checked by
 * vrtc_chain_acc_indirect_check()), out of line on a copy. */
static inline enum vrtc_chain_error
vrtc_chain_acc_indirect(struct vrtc_chain_acc *acc, uint64_t addr, uint32_t len, uint16_t flags,
			const enum vrtc_chain_layout layout, int linked)
{
	struct vrtc_chain_acc copy;
	enum vrtc_chain_error err;
	const uint8_t *table;
	uint32_t nb_entries;

	err = vrtc_chain_acc_indirect_check(acc, addr, len, flags, layout, linked, &table,
					    &nb_entries);
	if (vrtc_unlikely(err != VRTC_CHAIN_OK))
		return err;
	copy = *acc;
	err = vrtc_chain_acc_table(&copy, table, nb_entries, layout);
	*acc = copy;
	return err;
}

/**
 * Feed one ring descriptor, as loaded once by the source. The source stops
 * at the first error, or when the descriptor has no F_NEXT.
 */
static inline __attribute__((always_inline)) enum vrtc_chain_error
vrtc_chain_acc_desc(struct vrtc_chain_acc *acc, uint64_t addr, uint32_t len, uint16_t flags,
		    const enum vrtc_chain_layout layout, int linked)
{
	if (vrtc_unlikely(flags & VRTC_VRING_DESC_F_INDIRECT))
		return vrtc_chain_acc_indirect(acc, addr, len, flags, layout, linked);
	return vrtc_chain_acc_buffer(acc, addr, len, flags);
}

/** Finish a good chain (its head and segs are the source's business). */
static inline void
vrtc_chain_acc_done(const struct vrtc_chain_acc *acc, struct vrtc_chain *chain)
{
	chain->nb_readable = acc->nb_rd;
	chain->nb_writable = (uint16_t)(acc->nb_segs - acc->nb_rd);
	chain->readable_bytes = (uint32_t)acc->rd_bytes;
	chain->writable_bytes = (uint32_t)acc->wr_bytes;
}

/** Finish a rejected chain: no segment at all, nothing of it is used. */
static inline void
vrtc_chain_acc_failed(struct vrtc_chain *chain)
{
	chain->nb_readable = 0;
	chain->nb_writable = 0;
	chain->readable_bytes = 0;
	chain->writable_bytes = 0;
}

/*
 * The two halves of vrtc_chain_walk(), picked by the head descriptor
 * (loaded once, by the caller) and each out of line, so that neither
 * carries the other's registers. Both finish @p chain (its head, segs and
 * log are set by the caller).
 *
 * vrtc_chain_walk_indirect(): the head is the indirect descriptor, what
 * Linux sends for a multi-buffer request (a READ: request and response)
 * once VIRTIO_RING_F_INDIRECT_DESC is negotiated; the table walk is inlined
 * in it. vrtc_chain_walk_direct(): any other head; an indirect descriptor
 * further down the chain goes through vrtc_chain_acc_desc().
 */
enum vrtc_chain_error vrtc_chain_walk_direct(const struct vrtc_chain_ctx *ctx,
					     struct vrtc_chain *chain, struct vrtc_vring_desc head);
enum vrtc_chain_error vrtc_chain_walk_indirect(const struct vrtc_chain_ctx *ctx,
					       struct vrtc_chain *chain, uint64_t addr,
					       uint32_t len, uint16_t flags);

/**
 * The split descriptor source: walk and validate the chain starting at
 * @p head (< queue size; the caller checks that, since a bad head is a ring
 * error, not a chain error), feeding each descriptor to the accumulator.
 *
 * Zero-length descriptors are accepted and contribute no segment.
 *
 * @return VRTC_CHAIN_OK with @p chain filled in, or the first error found;
 *   on error @p chain has no segments (both counts 0) and its head set.
 */
static inline enum vrtc_chain_error
vrtc_chain_walk(const struct vrtc_chain_ctx *ctx, uint16_t head, struct vrtc_chain *chain)
{
	struct vrtc_vring_desc d;

	chain->head = head;
	chain->segs = ctx->segs;
	chain->log = ctx->mem->log;
	vring_dev_desc_load(&ctx->vring->desc[head], &d);
	if (d.flags & VRTC_VRING_DESC_F_INDIRECT)
		return vrtc_chain_walk_indirect(ctx, chain, d.addr, d.len, d.flags);
	return vrtc_chain_walk_direct(ctx, chain, d);
}

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
