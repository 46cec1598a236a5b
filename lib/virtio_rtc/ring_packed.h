/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Raw accessors of a packed virtqueue in shared memory, for both sides.
 *
 * Like ring_split.h, this is where the memory-ordering operations on a
 * packed ring live; every acquire, release and fence names the operation on
 * the other side it pairs with. vq_packed.c and the test driver reach the
 * ring only through these functions.
 *
 * The publication point of a packed ring is a descriptor's flags word: the
 * driver stores the flags of a chain's first descriptor last, with release,
 * and the device stores the flags of a batch's first used descriptor last,
 * with release. Every value loaded from the other side is loaded exactly
 * once (relaxed atomics), so a concurrent writer cannot change it between a
 * check and a use.
 */

#ifndef VRTC_RING_PACKED_H
#define VRTC_RING_PACKED_H

#include <stdint.h>

#include "platform.h"
#include "vrtc_wire.h"

/** Host view of the three areas of one packed ring. */
struct vrtc_pring {
	struct vrtc_pvirtq_desc *desc;
	struct vrtc_pvirtq_event *driver; /**< driver event suppression (driver writes) */
	struct vrtc_pvirtq_event *device; /**< device event suppression (device writes) */
	uint16_t size;			  /**< 1..32768, any value */
};

/** Whether @p flags mark a descriptor available for wrap counter @p wrap. Pure. */
static inline int
vrtc_pring_desc_is_avail(uint16_t flags, int wrap)
{
	int avail = (flags & VRTC_PVIRTQ_DESC_F_AVAIL) != 0;
	int used = (flags & VRTC_PVIRTQ_DESC_F_USED) != 0;

	return avail == wrap && used != wrap;
}

/** Whether @p flags mark a descriptor used for wrap counter @p wrap. Pure. */
static inline int
vrtc_pring_desc_is_used(uint16_t flags, int wrap)
{
	int avail = (flags & VRTC_PVIRTQ_DESC_F_AVAIL) != 0;
	int used = (flags & VRTC_PVIRTQ_DESC_F_USED) != 0;

	return avail == used && used == wrap;
}

/** AVAIL/USED bits a driver sets to make a descriptor available at @p wrap. */
static inline uint16_t
vrtc_pring_avail_bits(int wrap)
{
	return wrap ? VRTC_PVIRTQ_DESC_F_AVAIL : VRTC_PVIRTQ_DESC_F_USED;
}

/** AVAIL/USED bits a device sets to mark a descriptor used at @p wrap. */
static inline uint16_t
vrtc_pring_used_bits(int wrap)
{
	return wrap ? (uint16_t)(VRTC_PVIRTQ_DESC_F_AVAIL | VRTC_PVIRTQ_DESC_F_USED) : 0;
}

/*
 * Position in the 2 * size cycle of (offset, wrap counter) pairs: the
 * counters start at 1, so (0, 1) is 0 and (0, 0) is @p size. Positions
 * compare modulo 2 * size.
 */
static inline uint32_t
vrtc_pring_pos(uint16_t size, uint16_t off, int wrap)
{
	return (uint32_t)off + (wrap ? 0u : size);
}

/**
 * Descriptor event rule: notify when the position of @p off_wrap lies in
 * [old, new) (positions from vrtc_pring_pos()). Pure.
 */
static inline int
vrtc_pring_need_event(uint16_t size, uint16_t off_wrap, uint32_t new_pos, uint32_t old_pos)
{
	uint32_t cycle = 2u * size;
	uint32_t off = off_wrap & VRTC_PVIRTQ_EVENT_OFF_MASK;
	uint32_t ev = vrtc_pring_pos(size, (uint16_t)(off % size),
				     (off_wrap >> VRTC_PVIRTQ_EVENT_WRAP_SHIFT) & 1);

	return (new_pos + cycle - ev - 1) % cycle < (new_pos + cycle - old_pos) % cycle;
}

/* A 32-bit view of an event suppression area (one single-copy snapshot). */
typedef uint32_t __attribute__((may_alias)) pring_event_word;

/** Full barrier between a publishing store and a later suppression read. */
static inline void
pring_fence_full(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* ------------------------------------------------------------------------ */
/* Device side                                                              */
/* ------------------------------------------------------------------------ */

/*
 * A ring descriptor's flags with acquire semantics: pairs with the driver's
 * release store of a chain's first flags (pring_drv_desc_flags_publish), so
 * the whole chain, and its indirect table, is visible once the first
 * descriptor is seen available.
 */
static inline uint16_t
pring_dev_desc_flags_acquire(const struct vrtc_pring *pr, uint16_t i)
{
	return le16toh(__atomic_load_n(&pr->desc[i].flags, __ATOMIC_ACQUIRE));
}

/*
 * One ring descriptor, each field loaded once: flags with acquire (see
 * above), then addr, len and id, ordered after it.
 */
static inline void
pring_dev_desc_load(const struct vrtc_pring *pr, uint16_t i, struct vrtc_pvirtq_desc *out)
{
	const struct vrtc_pvirtq_desc *d = &pr->desc[i];

	out->flags = le16toh(__atomic_load_n(&d->flags, __ATOMIC_ACQUIRE));
	out->addr = le64toh(__atomic_load_n(&d->addr, __ATOMIC_RELAXED));
	out->len = le32toh(__atomic_load_n(&d->len, __ATOMIC_RELAXED));
	out->id = le16toh(__atomic_load_n(&d->id, __ATOMIC_RELAXED));
}

/*
 * One indirect table entry, copied once (tables may be misaligned, hence
 * memcpy; the compiler barrier keeps the private copy from being replaced
 * by re-reads of guest memory). Ordered by the chain's first flags.
 */
static inline void
pring_dev_indirect_load(const void *d, struct vrtc_pvirtq_desc *out)
{
	__builtin_memcpy(out, d, sizeof(*out));
	__asm__ volatile("" ::: "memory");
	out->addr = le64toh(out->addr);
	out->len = le32toh(out->len);
	out->id = le16toh(out->id);
	out->flags = le16toh(out->flags);
}

/* A used descriptor's id and len; made visible by its flags store. */
static inline void
pring_dev_used_store(const struct vrtc_pring *pr, uint16_t i, uint16_t id, uint32_t len)
{
	struct vrtc_pvirtq_desc *d = &pr->desc[i];

	__atomic_store_n(&d->id, htole16(id), __ATOMIC_RELAXED);
	__atomic_store_n(&d->len, htole32(len), __ATOMIC_RELAXED);
}

/*
 * Flags of a used descriptor that is not the first of its batch: relaxed,
 * since the driver reads used descriptors in ring order and reaches this
 * one only after the acquire load of the batch's first flags, which the
 * device stores last (pring_dev_used_flags_publish).
 */
static inline void
pring_dev_used_flags_store(const struct vrtc_pring *pr, uint16_t i, uint16_t flags)
{
	__atomic_store_n(&pr->desc[i].flags, htole16(flags), __ATOMIC_RELAXED);
}

/*
 * Flags of a batch's first used descriptor, with release: every used
 * descriptor of the batch and every byte written into the buffers is
 * visible to the driver's acquire load (pring_drv_desc_flags_acquire)
 * before these flags are.
 */
static inline void
pring_dev_used_flags_publish(const struct vrtc_pring *pr, uint16_t i, uint16_t flags)
{
	__atomic_store_n(&pr->desc[i].flags, htole16(flags), __ATOMIC_RELEASE);
}

/*
 * The driver's event suppression, one 32-bit snapshot, read after
 * pring_fence_full() that follows the publishing store; pairs with the
 * driver's full barrier between its update of the area and its re-read of
 * the used flags (pring_drv_event_store).
 */
static inline void
pring_dev_driver_event_load(const struct vrtc_pring *pr, uint16_t *off_wrap, uint16_t *flags)
{
	uint32_t w = __atomic_load_n((const pring_event_word *)(const void *)pr->driver,
				     __ATOMIC_RELAXED);
	struct vrtc_pvirtq_event e;

	__builtin_memcpy(&e, &w, sizeof(e));
	*off_wrap = le16toh(e.off_wrap);
	*flags = le16toh(e.flags);
}

/*
 * Device's kick suppression. A caller that re-enables kicks follows the
 * store with pring_fence_full() and re-reads the next descriptor's flags,
 * pairing with the driver's full barrier between its flags publish and
 * its read of this area (pring_drv_device_event_load).
 */
static inline void
pring_dev_event_store(const struct vrtc_pring *pr, uint16_t off_wrap, uint16_t flags)
{
	__atomic_store_n(&pr->device->off_wrap, htole16(off_wrap), __ATOMIC_RELAXED);
	__atomic_store_n(&pr->device->flags, htole16(flags), __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------------ */
/* Driver side (test fake driver, later the front-end)                      */
/* ------------------------------------------------------------------------ */

/* addr, len and id of a descriptor; made visible by a flags publish. */
static inline void
pring_drv_desc_store(const struct vrtc_pring *pr, uint16_t i, uint64_t addr, uint32_t len,
		     uint16_t id)
{
	struct vrtc_pvirtq_desc *d = &pr->desc[i];

	__atomic_store_n(&d->addr, htole64(addr), __ATOMIC_RELAXED);
	__atomic_store_n(&d->len, htole32(len), __ATOMIC_RELAXED);
	__atomic_store_n(&d->id, htole16(id), __ATOMIC_RELAXED);
}

/* Flags of a chain's later descriptor: published by its first's flags. */
static inline void
pring_drv_desc_flags_store(const struct vrtc_pring *pr, uint16_t i, uint16_t flags)
{
	__atomic_store_n(&pr->desc[i].flags, htole16(flags), __ATOMIC_RELAXED);
}

/*
 * Flags of a chain's first descriptor, with release: the chain and its
 * indirect table are visible to the device's acquire load
 * (pring_dev_desc_flags_acquire) before these flags are.
 */
static inline void
pring_drv_desc_flags_publish(const struct vrtc_pring *pr, uint16_t i, uint16_t flags)
{
	__atomic_store_n(&pr->desc[i].flags, htole16(flags), __ATOMIC_RELEASE);
}

/* A descriptor's flags with acquire; pairs with pring_dev_used_flags_publish. */
static inline uint16_t
pring_drv_desc_flags_acquire(const struct vrtc_pring *pr, uint16_t i)
{
	return le16toh(__atomic_load_n(&pr->desc[i].flags, __ATOMIC_ACQUIRE));
}

/* A used descriptor's id and len; ordered by the acquire load of its flags. */
static inline void
pring_drv_used_load(const struct vrtc_pring *pr, uint16_t i, uint16_t *id, uint32_t *len)
{
	const struct vrtc_pvirtq_desc *d = &pr->desc[i];

	*id = le16toh(__atomic_load_n(&d->id, __ATOMIC_RELAXED));
	*len = le32toh(__atomic_load_n(&d->len, __ATOMIC_RELAXED));
}

/*
 * Kick suppression the device asked for, read after the full fence that
 * follows the flags publish (pairs with the fence in the device's
 * kicks-enable path, see pring_dev_event_store).
 */
static inline void
pring_drv_device_event_load(const struct vrtc_pring *pr, uint16_t *off_wrap, uint16_t *flags)
{
	uint32_t w = __atomic_load_n((const pring_event_word *)(const void *)pr->device,
				     __ATOMIC_RELAXED);
	struct vrtc_pvirtq_event e;

	__builtin_memcpy(&e, &w, sizeof(e));
	*off_wrap = le16toh(e.off_wrap);
	*flags = le16toh(e.flags);
}

/* Driver's interrupt suppression (followed by a fence and a used re-check). */
static inline void
pring_drv_event_store(const struct vrtc_pring *pr, uint16_t off_wrap, uint16_t flags)
{
	__atomic_store_n(&pr->driver->off_wrap, htole16(off_wrap), __ATOMIC_RELAXED);
	__atomic_store_n(&pr->driver->flags, htole16(flags), __ATOMIC_RELAXED);
}

#endif /* VRTC_RING_PACKED_H */
