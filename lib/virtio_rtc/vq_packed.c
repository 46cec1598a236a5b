/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The engine (vq.h): the packed layout (vrtc_vq_packed_*), VIRTIO 1.1
 * VIRTIO_F_RING_PACKED. Fields in vq_private.h.
 */

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_write.h"
#include "log.h"
#include "vq_private.h"
#include "vq_setup.h"

/* A used descriptor is written from len on (len, id, flags). */
#define DESC_LEN_OFF offsetof(struct vrtc_pvirtq_desc, len)
#define DESC_FLAGS_OFF offsetof(struct vrtc_pvirtq_desc, flags)

static inline uint64_t
desc_gpa_of(const struct vrtc_vq *vq, uint16_t off, uint32_t field)
{
	return vq->desc_gpa + (uint64_t)off * sizeof(struct vrtc_pvirtq_desc) + field;
}

/* The device event area store, recorded by the guest-memory writer. */
static inline void
device_event_store(struct vrtc_vq *vq, uint16_t off_wrap, uint16_t flags)
{
	pring_dev_event_store(&vq->ring, off_wrap, flags);
	vrtc_gw_ring(vq->mem, vq->ring_gpa_ok, vq->device_gpa, sizeof(struct vrtc_pvirtq_event));
}

/* Move (off, wrap) forward by @p n <= size descriptors. */
static inline void
advance(uint16_t size, uint16_t *off, uint8_t *wrap, uint16_t n)
{
	uint32_t o = (uint32_t)*off + n;

	if (o >= size) {
		o -= size;
		*wrap ^= 1;
	}
	*off = (uint16_t)o;
}

/* Set up over areas given by host address, or translated (vrtc_vq_packed_init_gpa). */
static int
setup(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg, struct vrtc_ring_area area[3])
{
	uint16_t size = cfg->size;
	uint16_t a_off = cfg->avail_off_wrap & VRTC_PVIRTQ_EVENT_OFF_MASK;
	uint16_t u_off = cfg->used_off_wrap & VRTC_PVIRTQ_EVENT_OFF_MASK;
	int a_wrap = cfg->avail_off_wrap >> VRTC_PVIRTQ_EVENT_WRAP_SHIFT;
	int u_wrap = cfg->used_off_wrap >> VRTC_PVIRTQ_EVENT_WRAP_SHIFT;
	uint32_t u_pos = vrtc_pring_pos(size, u_off, u_wrap);
	struct vrtc_ring_setup check = {
		.size = size,
		.max_size = VRTC_PVIRTQ_MAX_SIZE,
		.areas = area,
		.nb_areas = 3,
		.avail_pos = vrtc_pring_pos(size, a_off, a_wrap),
		.used_pos = u_pos,
		.period = 2u * size,
		.avail_raw = cfg->avail_off_wrap,
		.used_raw = cfg->used_off_wrap,
		.raw_bad = a_off >= size || u_off >= size,
	};
	uint32_t dist;

	memset(vq, 0, sizeof(*vq));
	vq->hdr.layout = VRTC_VQ_PACKED; /* before any fini */
	snprintf(vq->name, sizeof(vq->name), "%s", cfg->name != NULL ? cfg->name : "vqp");
	if (!vrtc_ring_size_ok(vq->name, size, VRTC_PVIRTQ_MAX_SIZE, 0))
		return -EINVAL; /* before the period (2 * size) is used */
	if (!vrtc_feature_has(cfg->features, VRTC_VIRTIO_F_RING_PACKED)) {
		vrtc_log(VRTC_LOGC_VQ, VRTC_LOG_ERR,
			 "%s: packed ring set up without VIRTIO_F_RING_PACKED negotiated",
			 vq->name);
		return -EINVAL;
	}
	area[0].align = VRTC_PVIRTQ_DESC_ALIGN;
	area[1].align = VRTC_PVIRTQ_EVENT_ALIGN;
	area[2].align = VRTC_PVIRTQ_EVENT_ALIGN;
	if (vrtc_ring_setup_check(vq->name, &check, &dist) != 0)
		return -EINVAL;

	vq->inflight_ndesc = calloc(size, sizeof(*vq->inflight_ndesc));
	vq->segs = calloc(size, sizeof(*vq->segs));
	if (vq->inflight_ndesc == NULL || vq->segs == NULL) {
		vrtc_vq_packed_fini(vq);
		return -ENOMEM;
	}
	vq->ring.desc = area[0].host;
	vq->ring.driver = area[1].host;
	vq->ring.device = area[2].host;
	vq->ring.size = size;
	vq->mem = cfg->mem;
	vq->ring_gpa_ok = vrtc_mem_gpa_of(cfg->mem, area[0].host, vrtc_pvirtq_desc_bytes(size),
					  &vq->desc_gpa) == 0 &&
			  vrtc_mem_gpa_of(cfg->mem, area[2].host, sizeof(struct vrtc_pvirtq_event),
					  &vq->device_gpa) == 0;
	vq->avail_off = a_off;
	vq->avail_wrap = (uint8_t)a_wrap;
	vq->used_off = u_off;
	vq->used_wrap = (uint8_t)u_wrap;
	vq->signalled_pos = u_pos;
	/* Descriptors between used and avail were popped by an earlier owner:
	 * their ids are unknown, so they stay lost, and their room with them. */
	vq->outstanding = (uint16_t)dist;
	vq->event_idx = vrtc_feature_has(cfg->features, VRTC_VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = vrtc_feature_has(cfg->features, VRTC_VIRTIO_RING_F_INDIRECT_DESC);
	vq->kicks_enabled = 1;
	vq->hold_bad = cfg->hold_bad_chains != 0;
	vq->chain_ctx.mem = vq->mem;
	vq->chain_ctx.mem_hint = &vq->mem_hint;
	vq->chain_ctx.indirect_ok = vq->indirect;
	vq->chain_ctx.segs = vq->segs;
	if (dist != 0)
		vrtc_log(VRTC_LOGC_VQ, VRTC_LOG_WARNING,
			 "%s: resuming with %u descriptors in flight from an earlier session",
			 vq->name, dist);
	return 0;
}

int
vrtc_vq_packed_init(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg)
{
	struct vrtc_ring_area area[3] = {
		{ .host = cfg->desc },
		{ .host = cfg->driver },
		{ .host = cfg->device },
	};

	return setup(vq, cfg, area);
}

int
vrtc_vq_packed_init_gpa(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg)
{
	struct vrtc_ring_area area[3] = {
		{ .gpa = cfg->desc_gpa, .bytes = vrtc_pvirtq_desc_bytes(cfg->size) },
		{ .gpa = cfg->driver_gpa, .bytes = sizeof(struct vrtc_pvirtq_event) },
		{ .gpa = cfg->device_gpa, .bytes = sizeof(struct vrtc_pvirtq_event) },
	};

	if (cfg->mem == NULL) {
		memset(vq, 0, sizeof(*vq));
		return -EINVAL;
	}
	vrtc_ring_areas_translate(cfg->mem, area, 3);
	return setup(vq, cfg, area);
}

void
vrtc_vq_packed_fini(struct vrtc_vq *vq)
{
	free(vq->inflight_ndesc);
	free(vq->segs);
	vq->inflight_ndesc = NULL;
	vq->segs = NULL;
}

static void
set_broken(struct vrtc_vq *vq, enum vrtc_vq_broken_reason reason, uint32_t value)
{
	if (vq->broken != VRTC_VQ_OK)
		return;
	vq->broken = (uint8_t)reason;
	vq->pending = 0;
	vrtc_log(VRTC_LOGC_VQ, VRTC_LOG_ERR,
		 "%s: packed queue broken by the driver: %s (value %u, avail 0x%04x, size %u); "
		 "it is no longer served until the device is reset",
		 vq->name, vrtc_vq_broken_name(reason), value, vrtc_vq_packed_avail_off_wrap(vq),
		 vq->ring.size);
}

/*
 * Start a burst with one acquire load: the flags of the next descriptor to
 * read. Chains cannot be counted without reading every descriptor's flags
 * (their lengths are only in F_NEXT), which vrtc_vq_packed_pop() reads anyway, so
 * the count is a bound: at most @p max, and at most size - outstanding, the
 * descriptors the driver can have made available. Pop stops the burst
 * (-ENOENT) at the first chain that is not available, and diagnoses a
 * malformed one when it reaches it. The acquire pairs with the driver's
 * release of the chain's first flags: each later chain is read with its own
 * acquire in pop.
 */
uint16_t
vrtc_vq_packed_avail(struct vrtc_vq *vq, uint16_t max)
{
	uint16_t room = (uint16_t)(vq->ring.size - vq->outstanding);
	uint16_t flags;

	vq->stats.polls++;
	vq->pending = 0;
	if (vrtc_unlikely(vq->broken != VRTC_VQ_OK))
		return 0;
	flags = pring_dev_desc_flags_acquire(&vq->ring, vq->avail_off);
	if (!vrtc_pring_desc_is_avail(flags, vq->avail_wrap) || max == 0) {
		vq->stats.polls_empty++;
		return 0;
	}
	if (vrtc_unlikely(room == 0)) {
		/* Made available while every descriptor is in flight. */
		set_broken(vq, VRTC_VQ_BROKEN_OVERRUN, vq->avail_off);
		vq->stats.polls_empty++;
		return 0;
	}
	vq->pending = max < room ? max : room;
	return vq->pending;
}

/* The AVAIL and USED bits of a descriptor's flags. */
#define AVAIL_USED (VRTC_PVIRTQ_DESC_F_AVAIL | VRTC_PVIRTQ_DESC_F_USED)

/*
 * Pop the chain at the avail position in one pass: each ring descriptor is
 * loaded once, whole (flags with acquire), checked for availability and
 * room, and walked into segments. After a chain error the pass goes on to
 * the chain's end (its length and id are needed to complete it).
 * Availability is one compare: (flags & AVAIL_USED) equals the bits a
 * driver sets at the current wrap (vrtc_pring_avail_bits), which is
 * vrtc_pring_desc_is_avail(); they flip with the wrap at the ring end.
 * @return the number of ring descriptors (> 0) with *id and *err set, 0
 *   when the first descriptor is not available, or -(broken reason).
 */
static inline int
pop_walk(struct vrtc_vq *vq, struct vrtc_chain *chain, uint16_t *id,
	 enum vrtc_chain_error *err_out)
{
	const uint16_t size = vq->ring.size;
	const uint16_t room = (uint16_t)(size - vq->outstanding);
	uint16_t off = vq->avail_off;
	uint16_t want = vrtc_pring_avail_bits(vq->avail_wrap);
	enum vrtc_chain_error err;
	struct vrtc_chain_acc acc;
	struct vrtc_pvirtq_desc d;
	uint16_t n = 1;

	pring_dev_desc_load(&vq->ring, off, &d);
	if ((d.flags & AVAIL_USED) != want)
		return 0;
	if (vrtc_unlikely(room == 0))
		return -VRTC_VQ_BROKEN_OVERRUN;
	/* Ring descriptors are not charged to the budget: n <= room <= size
	 * bounds them, and an indirect table (the whole list, nothing before
	 * it) may have up to size entries. */
	vrtc_chain_acc_init(&acc, &vq->chain_ctx, size);
	err = vrtc_chain_acc_desc(&acc, d.addr, d.len, d.flags, VRTC_CHAIN_PACKED, 0);
	while (d.flags & VRTC_VRING_DESC_F_NEXT) {
		if (vrtc_unlikely(n == room))
			return -VRTC_VQ_BROKEN_OVERRUN;
		if (vrtc_unlikely(++off == size)) {
			off = 0;
			want ^= AVAIL_USED;
		}
		pring_dev_desc_load(&vq->ring, off, &d);
		if (vrtc_unlikely((d.flags & AVAIL_USED) != want))
			return -VRTC_VQ_BROKEN_DESC;
		n++;
		if (vrtc_likely(err == VRTC_CHAIN_OK))
			err = vrtc_chain_acc_desc(&acc, d.addr, d.len, d.flags, VRTC_CHAIN_PACKED, 1);
	}
	/* The buffer id is on the chain's last descriptor. */
	*id = d.id;
	*err_out = err;
	chain->segs = vq->segs;
	chain->log = vq->mem->log;
	if (vrtc_unlikely(err != VRTC_CHAIN_OK))
		vrtc_chain_acc_failed(chain);
	else
		vrtc_chain_acc_done(&acc, chain);
	return n;
}

int
vrtc_vq_packed_pop(struct vrtc_vq *vq, struct vrtc_chain *chain)
{
	enum vrtc_chain_error err = VRTC_CHAIN_OK;
	uint16_t id = 0;
	int n;

	if (vrtc_unlikely(vq->broken != VRTC_VQ_OK))
		return -EIO;
	if (vq->pending == 0)
		return -ENOENT;

	n = pop_walk(vq, chain, &id, &err);
	if (vrtc_unlikely(n <= 0)) {
		if (n == 0) {
			/* The end of the burst: avail gave a bound (or the
			 * driver withdrew a chain it had announced). */
			vq->pending = 0;
			return -ENOENT;
		}
		set_broken(vq, (enum vrtc_vq_broken_reason)-n, vq->avail_off);
		return -EIO;
	}
	if (vrtc_unlikely(id >= vq->ring.size)) {
		set_broken(vq, VRTC_VQ_BROKEN_ID, id);
		return -EIO;
	}
	if (vrtc_unlikely(vq->inflight_ndesc[id] != 0)) {
		set_broken(vq, VRTC_VQ_BROKEN_ID_INFLIGHT, id);
		return -EIO;
	}
	chain->head = id;
	vq->inflight_ndesc[id] = (uint16_t)n;
	vq->nb_inflight++;
	vq->outstanding = (uint16_t)(vq->outstanding + n);
	advance(vq->ring.size, &vq->avail_off, &vq->avail_wrap, (uint16_t)n);
	vq->pending--;
	vq->stats.chains++;
	if (vrtc_likely(err == VRTC_CHAIN_OK))
		return 0;

	vq->stats.bad_chains++;
	vq->stats.bad_chain[err]++;
	if (vq->hold_bad) {
		memset(chain, 0, sizeof(*chain));
		chain->head = id;
		chain->segs = vq->segs;
	} else {
		vrtc_vq_packed_push(vq, id, 0);
	}
	return -EBADMSG;
}

/* Out of line: keeps the refusal's log call off the push path. */
static __attribute__((noinline, cold)) int
push_refused(struct vrtc_vq *vq, uint16_t id)
{
	if (vq->stats.bad_push++ == 0)
		vrtc_log(VRTC_LOGC_VQ, VRTC_LOG_ERR,
			 "%s: completion of buffer id %u refused: not in flight "
			 "(device bug; further ones only counted)",
			 vq->name, id);
	return -EINVAL;
}

int
vrtc_vq_packed_push(struct vrtc_vq *vq, uint16_t id, uint32_t len)
{
	/* Locals: the stores into the ring below may alias *vq as far as the
	 * compiler knows, and would make it load every field again. */
	const uint16_t size = vq->ring.size;
	const uint16_t off = vq->used_off;
	const uint8_t wrap = vq->used_wrap;
	const uint16_t batch_len = vq->batch_len;
	uint16_t n, flags;
	uint32_t next, written;

	if (vrtc_unlikely(id >= size))
		return push_refused(vq, id);
	n = vq->inflight_ndesc[id];
	if (vrtc_unlikely(n == 0))
		return push_refused(vq, id);
	vq->inflight_ndesc[id] = 0;
	vq->nb_inflight--;
	vq->outstanding = (uint16_t)(vq->outstanding - n);
	vq->batch_len = (uint16_t)(batch_len + 1);
	/* The driver skips the whole chain: the next used descriptor goes
	 * as many slots further as this chain took. */
	next = (uint32_t)off + n;
	if (next >= size) {
		next -= size;
		vq->used_wrap = (uint8_t)(wrap ^ 1);
	}
	vq->used_off = (uint16_t)next;

	/* F_WRITE says data was written; without it len is reserved. The
	 * used bits are both set at wrap 1, both clear at 0
	 * (vrtc_pring_used_bits), without a branch. */
	flags = (uint16_t)((-(unsigned int)wrap & AVAIL_USED) |
			   (len != 0 ? VRTC_VRING_DESC_F_WRITE : 0));
	pring_dev_used_store(&vq->ring, off, id, len);
	if (batch_len == 0) {
		/* Its flags are stored last, by vrtc_vq_packed_flush(). */
		vq->batch_off = off;
		vq->batch_flags = flags;
		written = DESC_FLAGS_OFF - DESC_LEN_OFF; /* len and id */
	} else {
		pring_dev_used_flags_store(&vq->ring, off, flags);
		written = sizeof(struct vrtc_pvirtq_desc) - DESC_LEN_OFF; /* and flags */
	}
	vrtc_gw_ring(vq->mem, vq->ring_gpa_ok, desc_gpa_of(vq, off, DESC_LEN_OFF), written);
	return 0;
}

int
vrtc_vq_packed_flush(struct vrtc_vq *vq)
{
	uint16_t size = vq->ring.size;
	uint32_t old_pos, new_pos;
	uint16_t off_wrap, flags;
	int notify;

	if (vq->batch_len == 0)
		return 0;
	pring_dev_used_flags_publish(&vq->ring, vq->batch_off, vq->batch_flags);
	vrtc_gw_ring(vq->mem, vq->ring_gpa_ok, desc_gpa_of(vq, vq->batch_off, DESC_FLAGS_OFF),
		     sizeof(uint16_t));
	vq->stats.used += vq->batch_len;
	vq->batch_len = 0;
	old_pos = vq->signalled_pos;
	new_pos = vrtc_pring_pos(size, vq->used_off, vq->used_wrap);
	vq->signalled_pos = new_pos;

	/* Keep a descriptor event at the next descriptor to read while kicks
	 * are enabled: the driver kicks when it passes it. */
	if (vq->event_idx && vq->kicks_enabled)
		device_event_store(vq, vrtc_vq_packed_avail_off_wrap(vq), VRTC_PVIRTQ_EVENT_F_DESC);

	/* The flags store must be visible before the driver's suppression
	 * state is read. */
	pring_fence_full();
	pring_dev_driver_event_load(&vq->ring, &off_wrap, &flags);
	switch (flags & 0x3) {
	case VRTC_PVIRTQ_EVENT_F_DISABLE:
		notify = 0;
		break;
	case VRTC_PVIRTQ_EVENT_F_DESC:
		/* Without EVENT_IDX the value is reserved: notify. */
		notify = !vq->event_idx || vrtc_pring_need_event(size, off_wrap, new_pos, old_pos);
		break;
	default: /* ENABLE, and the reserved value 3 */
		notify = 1;
		break;
	}
	if (notify)
		vq->stats.notify_needed++;
	else
		vq->stats.notify_suppressed++;
	return notify;
}

void
vrtc_vq_packed_kicks_disable(struct vrtc_vq *vq)
{
	vq->kicks_enabled = 0;
	device_event_store(vq, 0, VRTC_PVIRTQ_EVENT_F_DISABLE);
}

int
vrtc_vq_packed_kicks_enable(struct vrtc_vq *vq)
{
	vq->kicks_enabled = 1;
	if (vq->event_idx)
		device_event_store(vq, vrtc_vq_packed_avail_off_wrap(vq), VRTC_PVIRTQ_EVENT_F_DESC);
	else
		device_event_store(vq, 0, VRTC_PVIRTQ_EVENT_F_ENABLE);
	/* The suppression store must be visible before the next descriptor's
	 * flags are re-read: otherwise a chain made available in between is
	 * neither seen nor kicked. */
	pring_fence_full();
	if (vq->broken != VRTC_VQ_OK)
		return 0;
	return vrtc_pring_desc_is_avail(pring_dev_desc_flags_acquire(&vq->ring, vq->avail_off),
					vq->avail_wrap);
}
