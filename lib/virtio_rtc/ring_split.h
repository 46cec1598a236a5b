/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Raw accessors of a split virtqueue in shared memory, for both sides.
 *
 * This is the only file of the project that contains memory-ordering
 * operations on guest-shared memory. Every acquire, release and fence
 * below names the operation on the other side it pairs with. Everything
 * else (vq.c, drvq.c) reaches the ring through these functions.
 *
 * The other side is hostile: every value loaded here is loaded exactly
 * once (relaxed atomic loads, so the compiler cannot fetch it twice and
 * let a concurrent writer change it between a check and a use).
 */

#ifndef VRTC_RING_SPLIT_H
#define VRTC_RING_SPLIT_H

#include <stdint.h>

#include "platform.h"
#include "vrtc_wire.h"

/** Host view of the three areas of one split ring. */
struct vrtc_vring {
	struct vrtc_vring_desc *desc;
	struct vrtc_vring_avail *avail;
	struct vrtc_vring_used *used;
	uint16_t size; /**< power of two, 1..32768 */
};

/** EVENT_IDX rule: notify when @p event lies in [old, new). Pure. */
static inline int
vrtc_vring_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

/** Full barrier between a publishing store and a later suppression read. */
static inline void
vring_fence_full(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline uint16_t *
vring_used_event_ptr(const struct vrtc_vring *vr)
{
	return &vr->avail->ring[vr->size];
}

static inline uint16_t *
vring_avail_event_ptr(const struct vrtc_vring *vr)
{
	return (uint16_t *)(void *)&vr->used->ring[vr->size];
}

/* ------------------------------------------------------------------------ */
/* Device side                                                              */
/* ------------------------------------------------------------------------ */

/*
 * avail->idx with acquire semantics: the ring entries and descriptors the
 * driver wrote before its release store of avail->idx
 * (vring_drv_avail_idx_publish) are visible after this load.
 */
static inline uint16_t
vring_dev_avail_idx_acquire(const struct vrtc_vring *vr)
{
	return le16toh(__atomic_load_n(&vr->avail->idx, __ATOMIC_ACQUIRE));
}

/* One avail ring entry; ordered by the acquire load of avail->idx. */
static inline uint16_t
vring_dev_avail_head(const struct vrtc_vring *vr, uint16_t slot)
{
	return le16toh(__atomic_load_n(&vr->avail->ring[slot], __ATOMIC_RELAXED));
}

/*
 * One descriptor, copied once into @p out and converted to host order.
 * @p d may be misaligned (indirect tables have no alignment rule), hence
 * memcpy; the compiler barrier keeps the compiler from re-reading guest
 * memory in place of the private copy after the driver changed it.
 */
static inline void
vring_dev_desc_load(const void *d, struct vrtc_vring_desc *out)
{
	__builtin_memcpy(out, d, sizeof(*out));
	__asm__ __volatile__("" : : : "memory");
	out->addr = le64toh(out->addr);
	out->len = le32toh(out->len);
	out->flags = le16toh(out->flags);
	out->next = le16toh(out->next);
}

/* A used element; published by the release store in vring_dev_used_idx_publish. */
static inline void
vring_dev_used_elem_store(const struct vrtc_vring *vr, uint16_t slot, uint32_t id, uint32_t len)
{
	struct vrtc_vring_used_elem *e = &vr->used->ring[slot];

	__atomic_store_n(&e->id, htole32(id), __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, htole32(len), __ATOMIC_RELAXED);
}

/*
 * used->idx with release semantics: the used elements and every byte the
 * device wrote into the chains' buffers are visible to the driver's acquire
 * load of used->idx (vring_drv_used_idx_acquire) before the new index is.
 */
static inline void
vring_dev_used_idx_publish(const struct vrtc_vring *vr, uint16_t idx)
{
	__atomic_store_n(&vr->used->idx, htole16(idx), __ATOMIC_RELEASE);
}

/*
 * Driver's suppression state, read after vring_fence_full() that follows
 * the used->idx store; pairs with the driver's full barrier between its
 * read of used->idx and its update of used_event / avail->flags.
 */
static inline uint16_t
vring_dev_used_event_load(const struct vrtc_vring *vr)
{
	return le16toh(__atomic_load_n(vring_used_event_ptr(vr), __ATOMIC_RELAXED));
}

static inline uint16_t
vring_dev_avail_flags_load(const struct vrtc_vring *vr)
{
	return le16toh(__atomic_load_n(&vr->avail->flags, __ATOMIC_RELAXED));
}

/*
 * Device's kick suppression. A caller that re-enables kicks follows the
 * store with vring_fence_full() and re-reads avail->idx, pairing with the
 * driver's full barrier between its avail->idx store and its read of
 * avail_event / used->flags (vring_drv_kick_needed).
 */
static inline void
vring_dev_avail_event_store(const struct vrtc_vring *vr, uint16_t idx)
{
	__atomic_store_n(vring_avail_event_ptr(vr), htole16(idx), __ATOMIC_RELAXED);
}

static inline void
vring_dev_used_flags_store(const struct vrtc_vring *vr, uint16_t flags)
{
	__atomic_store_n(&vr->used->flags, htole16(flags), __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------------ */
/* Driver side (front-end device and test fake driver)                      */
/* ------------------------------------------------------------------------ */

static inline void
vring_drv_desc_store(const struct vrtc_vring *vr, uint16_t i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	struct vrtc_vring_desc *d = &vr->desc[i];

	d->addr = htole64(addr);
	d->len = htole32(len);
	d->flags = htole16(flags);
	d->next = htole16(next);
}

/*
 * One entry of an indirect table the driver fills before making its chain
 * available; like the ring's descriptors it is published by the release
 * store of avail->idx (vring_drv_avail_idx_publish).
 */
static inline void
vring_drv_indirect_desc_store(struct vrtc_vring_desc *table, uint16_t i, uint64_t addr,
			      uint32_t len, uint16_t flags, uint16_t next)
{
	struct vrtc_vring_desc *d = &table[i];

	d->addr = htole64(addr);
	d->len = htole32(len);
	d->flags = htole16(flags);
	d->next = htole16(next);
}

/* One avail ring entry; published by vring_drv_avail_idx_publish. */
static inline void
vring_drv_avail_head_store(const struct vrtc_vring *vr, uint16_t slot, uint16_t head)
{
	__atomic_store_n(&vr->avail->ring[slot], htole16(head), __ATOMIC_RELAXED);
}

/*
 * avail->idx with release semantics: descriptors and ring entries written
 * before are visible to the device's acquire load
 * (vring_dev_avail_idx_acquire).
 */
static inline void
vring_drv_avail_idx_publish(const struct vrtc_vring *vr, uint16_t idx)
{
	__atomic_store_n(&vr->avail->idx, htole16(idx), __ATOMIC_RELEASE);
}

/*
 * used->idx with acquire semantics: pairs with the device's release store
 * (vring_dev_used_idx_publish), so the used elements and the response bytes
 * are visible after it.
 */
static inline uint16_t
vring_drv_used_idx_acquire(const struct vrtc_vring *vr)
{
	return le16toh(__atomic_load_n(&vr->used->idx, __ATOMIC_ACQUIRE));
}

/* A used element; ordered by vring_drv_used_idx_acquire. */
static inline void
vring_drv_used_elem_load(const struct vrtc_vring *vr, uint16_t slot, uint32_t *id, uint32_t *len)
{
	const struct vrtc_vring_used_elem *e = &vr->used->ring[slot];

	*id = le32toh(__atomic_load_n(&e->id, __ATOMIC_RELAXED));
	*len = le32toh(__atomic_load_n(&e->len, __ATOMIC_RELAXED));
}

/*
 * Kick decision after publishing avail->idx. The full fence pairs with the
 * device's fence between its avail_event / used->flags store and its
 * re-read of avail->idx (see vring_dev_avail_event_store).
 */
static inline int
vring_drv_kick_needed(const struct vrtc_vring *vr, int event_idx, uint16_t new_idx,
		      uint16_t old_idx)
{
	vring_fence_full();
	if (event_idx)
		return vrtc_vring_need_event(
			le16toh(__atomic_load_n(vring_avail_event_ptr(vr), __ATOMIC_RELAXED)),
			new_idx, old_idx);
	return !(le16toh(__atomic_load_n(&vr->used->flags, __ATOMIC_RELAXED)) &
		 VRTC_VRING_USED_F_NO_NOTIFY);
}

/* Driver's interrupt suppression (used_event / avail->flags). */
static inline void
vring_drv_used_event_store(const struct vrtc_vring *vr, uint16_t idx)
{
	__atomic_store_n(vring_used_event_ptr(vr), htole16(idx), __ATOMIC_RELAXED);
}

static inline void
vring_drv_avail_flags_store(const struct vrtc_vring *vr, uint16_t flags)
{
	__atomic_store_n(&vr->avail->flags, htole16(flags), __ATOMIC_RELAXED);
}

#endif /* VRTC_RING_SPLIT_H */
