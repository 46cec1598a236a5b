/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The engine (vq.h): the split layout (vrtc_vq_split_*) and the
 * layout-neutral part (set-up dispatch, cold accessors) at the end.
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

/* With EVENT_IDX and kicks off, avail_event is parked this far from
 * last_avail_idx: outside any window [old, new) the driver can publish. */
#define KICK_PARK_DISTANCE 0x8000u

/* Offsets in the used area: flags, idx, ring[], then avail_event. */
#define USED_IDX_OFF offsetof(struct vrtc_vring_used, idx)
#define USED_RING_OFF offsetof(struct vrtc_vring_used, ring)

/* The device's stores into the used area besides push and flush, each
 * recorded by the guest-memory writer. */
static inline void
avail_event_store(struct vrtc_vq *vq, uint16_t idx)
{
	vring_dev_avail_event_store(&vq->vring, idx);
	vrtc_gw_ring(vq->mem, vq->used_gpa_ok,
		     vq->used_gpa + USED_RING_OFF +
			     (uint64_t)vq->vring.size * sizeof(struct vrtc_vring_used_elem),
		     sizeof(uint16_t));
}

static inline void
used_flags_store(struct vrtc_vq *vq, uint16_t flags)
{
	vring_dev_used_flags_store(&vq->vring, flags);
	vrtc_gw_ring(vq->mem, vq->used_gpa_ok, vq->used_gpa, sizeof(uint16_t));
}

const char *
vrtc_vq_broken_name(enum vrtc_vq_broken_reason reason)
{
	static const char *const names[VRTC_VQ_BROKEN_COUNT] = {
		[VRTC_VQ_OK] = "ok",
		[VRTC_VQ_BROKEN_AVAIL_IDX] = "avail index more than a queue size ahead",
		[VRTC_VQ_BROKEN_HEAD] = "avail ring entry is not a descriptor index",
		[VRTC_VQ_BROKEN_INFLIGHT] = "descriptor head made available while in flight",
		[VRTC_VQ_BROKEN_DESC] = "a later descriptor of a chain is not available",
		[VRTC_VQ_BROKEN_OVERRUN] = "chain needs more descriptors than the ring has free",
		[VRTC_VQ_BROKEN_ID] = "buffer id not below the queue size",
		[VRTC_VQ_BROKEN_ID_INFLIGHT] = "buffer id made available while in flight",
	};

	if ((unsigned int)reason >= VRTC_VQ_BROKEN_COUNT)
		return "?";
	return names[reason];
}

/* Set up over areas given by host address, or translated (vrtc_vq_init_gpa). */
static int
setup(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg, struct vrtc_ring_area area[3])
{
	uint16_t size = cfg->size;
	struct vrtc_ring_setup check = {
		.size = size,
		.max_size = VRTC_VRING_MAX_SIZE,
		.pow2 = 1,
		.areas = area,
		.nb_areas = 3,
		.avail_pos = cfg->last_avail_idx,
		.used_pos = cfg->used_idx,
		.period = UINT32_C(1) << 16,
		.avail_raw = cfg->last_avail_idx,
		.used_raw = cfg->used_idx,
	};
	size_t bitmap_words;
	uint32_t in_flight;

	memset(vq, 0, sizeof(*vq));
	snprintf(vq->name, sizeof(vq->name), "%s", cfg->name != NULL ? cfg->name : "vq");
	area[0].align = VRTC_VRING_DESC_ALIGN;
	area[1].align = VRTC_VRING_AVAIL_ALIGN;
	area[2].align = VRTC_VRING_USED_ALIGN;
	if (vrtc_ring_setup_check(vq->name, &check, &in_flight) != 0)
		return -EINVAL;

	bitmap_words = ((size_t)size + 63) / 64;
	vq->segs = calloc(size, sizeof(*vq->segs));
	vq->inflight = calloc(bitmap_words, sizeof(*vq->inflight));
	if (vq->segs == NULL || vq->inflight == NULL) {
		vrtc_vq_split_fini(vq);
		return -ENOMEM;
	}

	vq->vring.desc = area[0].host;
	vq->vring.avail = area[1].host;
	vq->vring.used = area[2].host;
	vq->vring.size = size;
	vq->mask = (uint16_t)(size - 1);
	vq->mem = cfg->mem;
	vq->used_gpa_ok = vrtc_mem_gpa_of(cfg->mem, area[2].host, vrtc_vring_used_bytes(size),
					  &vq->used_gpa) == 0;
	vq->last_avail_idx = cfg->last_avail_idx;
	vq->avail_end = cfg->last_avail_idx;
	/* Chains between used_idx and last_avail_idx were popped by an
	 * earlier owner and cannot be known now; they stay lost. */
	vq->used_idx = cfg->last_avail_idx;
	vq->published_idx = cfg->last_avail_idx;
	vq->event_idx = vrtc_feature_has(cfg->features, VRTC_VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = vrtc_feature_has(cfg->features, VRTC_VIRTIO_RING_F_INDIRECT_DESC);
	vq->kicks_enabled = 1;
	vq->hold_bad = cfg->hold_bad_chains != 0;
	vq->kick_refresh = (uint16_t)((KICK_PARK_DISTANCE - size) / 2);
	if (vq->kick_refresh == 0)
		vq->kick_refresh = 1;
	if (in_flight != 0) {
		/* Publish the skipped ones as used would hand the driver buffers
		 * it may have recycled; leave used->idx where the driver saw it
		 * and resume from last_avail_idx. Logged for the operator. */
		vq->used_idx = cfg->used_idx;
		vq->published_idx = cfg->used_idx;
		vrtc_log(VRTC_LOGC_VQ, VRTC_LOG_WARNING,
			 "%s: resuming with %u chains in flight from an earlier session", vq->name,
			 in_flight);
	}
	return 0;
}

int
vrtc_vq_split_init(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg)
{
	struct vrtc_ring_area area[3] = {
		{ .host = cfg->desc },
		{ .host = cfg->avail },
		{ .host = cfg->used },
	};

	return setup(vq, cfg, area);
}

int
vrtc_vq_split_init_gpa(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg)
{
	struct vrtc_ring_area area[3] = {
		{ .gpa = cfg->desc_gpa, .bytes = vrtc_vring_desc_bytes(cfg->size) },
		{ .gpa = cfg->avail_gpa, .bytes = vrtc_vring_avail_bytes(cfg->size) },
		{ .gpa = cfg->used_gpa, .bytes = vrtc_vring_used_bytes(cfg->size) },
	};

	if (cfg->mem == NULL) {
		memset(vq, 0, sizeof(*vq));
		return -EINVAL;
	}
	vrtc_ring_areas_translate(cfg->mem, area, 3);
	return setup(vq, cfg, area);
}

void
vrtc_vq_split_fini(struct vrtc_vq *vq)
{
	free(vq->segs);
	free(vq->inflight);
	vq->segs = NULL;
	vq->inflight = NULL;
}

static void
set_broken(struct vrtc_vq *vq, enum vrtc_vq_broken_reason reason, uint16_t value)
{
	if (vq->broken != VRTC_VQ_OK)
		return;
	vq->broken = (uint8_t)reason;
	vq->avail_end = vq->last_avail_idx;
	vrtc_log(VRTC_LOGC_VQ, VRTC_LOG_ERR,
		 "%s: queue broken by the driver: %s (value %u, last avail %u, size %u); "
		 "it is no longer served until the device is reset",
		 vq->name, vrtc_vq_broken_name(reason), value, vq->last_avail_idx,
		 vq->vring.size);
}

/* Keep a parked avail_event out of the driver's reach as last_avail_idx
 * advances (kicks disabled, EVENT_IDX). */
static inline void
park_avail_event(struct vrtc_vq *vq)
{
	vq->kick_event_base = vq->last_avail_idx;
	avail_event_store(vq, (uint16_t)(vq->last_avail_idx + KICK_PARK_DISTANCE));
}

/*
 * Start fetching the head descriptors of every chain of the burst at once,
 * so that their cache misses (the driver wrote them on another core)
 * overlap instead of being taken one chain after the other. The avail
 * entries read here are only used as prefetch addresses (masked into the
 * table); vrtc_vq_split_pop() reads and checks each of them again.
 *
 * Prefetching the buffers too (from a hint copy of each descriptor) was
 * measured and gave nothing on READ traffic for 90 more instructions per
 * chain (doc/perf.md).
 */
static inline void
prefetch_burst(struct vrtc_vq *vq, uint16_t n)
{
	const struct vrtc_vring *vr = &vq->vring;
	uint16_t k;

	for (k = 0; k < n; k++) {
		uint16_t head =
			vring_dev_avail_head(vr, (uint16_t)(vq->last_avail_idx + k) & vq->mask);

		vrtc_prefetch(&vr->desc[head & vq->mask]);
	}
}

uint16_t
vrtc_vq_split_avail(struct vrtc_vq *vq, uint16_t max)
{
	uint16_t avail_idx, n;

	vq->stats.polls++;
	if (vrtc_unlikely(vq->broken != VRTC_VQ_OK))
		return 0;
	avail_idx = vring_dev_avail_idx_acquire(&vq->vring);
	n = (uint16_t)(avail_idx - vq->last_avail_idx);
	if (n == 0) {
		vq->stats.polls_empty++;
		vq->avail_end = vq->last_avail_idx;
		return 0;
	}
	if (vrtc_unlikely(n > vq->vring.size)) {
		set_broken(vq, VRTC_VQ_BROKEN_AVAIL_IDX, avail_idx);
		return 0;
	}
	if (n > max)
		n = max;
	vq->avail_end = (uint16_t)(vq->last_avail_idx + n);
	prefetch_burst(vq, n);
	return n;
}

static inline int
inflight_test_and_set(struct vrtc_vq *vq, uint16_t head)
{
	uint64_t bit = UINT64_C(1) << (head % 64);
	uint64_t *w = &vq->inflight[head / 64];
	int was = (*w & bit) != 0;

	*w |= bit;
	return was;
}

static inline enum vrtc_chain_error
walk(struct vrtc_vq *vq, uint16_t head, struct vrtc_chain *chain)
{
	struct vrtc_chain_ctx ctx;

	ctx.vring = &vq->vring;
	ctx.mem = vq->mem;
	ctx.mem_hint = &vq->mem_hint;
	ctx.indirect_ok = vq->indirect;
	ctx.segs = vq->segs;
	return vrtc_chain_walk(&ctx, head, chain);
}

int
vrtc_vq_split_pop(struct vrtc_vq *vq, struct vrtc_chain *chain)
{
	enum vrtc_chain_error err;
	uint16_t head, slot;

	if (vrtc_unlikely(vq->broken != VRTC_VQ_OK))
		return -EIO;
	if (vq->last_avail_idx == vq->avail_end)
		return -ENOENT;

	slot = vq->last_avail_idx & vq->mask;
	head = vring_dev_avail_head(&vq->vring, slot);
	if (vrtc_unlikely(head >= vq->vring.size)) {
		set_broken(vq, VRTC_VQ_BROKEN_HEAD, head);
		return -EIO;
	}
	if (vrtc_unlikely(inflight_test_and_set(vq, head))) {
		set_broken(vq, VRTC_VQ_BROKEN_INFLIGHT, head);
		return -EIO;
	}
	vq->last_avail_idx++;
	vq->stats.chains++;

	err = walk(vq, head, chain);
	if (vrtc_likely(err == VRTC_CHAIN_OK))
		return 0;

	vq->stats.bad_chains++;
	vq->stats.bad_chain[err]++;
	if (vq->hold_bad) {
		memset(chain, 0, sizeof(*chain));
		chain->head = head;
		chain->segs = vq->segs;
	} else {
		vrtc_vq_split_push(vq, head, 0);
	}
	return -EBADMSG;
}

int
vrtc_vq_split_chain_again(struct vrtc_vq *vq, uint16_t head, struct vrtc_chain *chain)
{
	enum vrtc_chain_error err;

	if (vrtc_unlikely(vq->broken != VRTC_VQ_OK))
		return -EIO;
	if (vq->hdr.layout != VRTC_VQ_SPLIT || head >= vq->vring.size ||
	    (vq->inflight[head / 64] & (UINT64_C(1) << (head % 64))) == 0)
		return -EINVAL;
	err = walk(vq, head, chain);
	if (err == VRTC_CHAIN_OK)
		return 0;
	vq->stats.bad_chains++;
	vq->stats.bad_chain[err]++;
	memset(chain, 0, sizeof(*chain));
	chain->head = head;
	chain->segs = vq->segs;
	return -EBADMSG;
}

/* Out of line: the refusal is a device bug, not a guest's doing. */
static __attribute__((noinline, cold)) int
refuse_push(struct vrtc_vq *vq, uint16_t head)
{
	if (vq->stats.bad_push++ == 0)
		vrtc_log(VRTC_LOGC_VQ, VRTC_LOG_ERR,
			 "%s: completion of head %u refused: not in flight "
			 "(device bug; further ones only counted)",
			 vq->name, head);
	return -EINVAL;
}

int
vrtc_vq_split_push(struct vrtc_vq *vq, uint16_t head, uint32_t len)
{
	uint64_t bit = UINT64_C(1) << (head % 64);
	uint16_t slot = vq->used_idx & vq->mask;
	uint64_t *w;

	/* Heads below the size have a bit; vring.size is 0 on a zeroed vq. */
	if (vrtc_unlikely(head >= vq->vring.size))
		return refuse_push(vq, head);
	w = &vq->inflight[head / 64];
	if (vrtc_unlikely((*w & bit) == 0))
		return refuse_push(vq, head);
	*w &= ~bit;
	vring_dev_used_elem_store(&vq->vring, slot, head, len);
	vq->used_idx++;
	vrtc_gw_ring(vq->mem, vq->used_gpa_ok,
		     vq->used_gpa + USED_RING_OFF +
			     (uint64_t)slot * sizeof(struct vrtc_vring_used_elem),
		     sizeof(struct vrtc_vring_used_elem));
	return 0;
}

int
vrtc_vq_split_flush(struct vrtc_vq *vq)
{
	uint16_t old_idx = vq->published_idx;
	uint16_t new_idx = vq->used_idx;
	int notify;

	if (old_idx == new_idx)
		return 0;
	vring_dev_used_idx_publish(&vq->vring, new_idx);
	vrtc_gw_ring(vq->mem, vq->used_gpa_ok, vq->used_gpa + USED_IDX_OFF, sizeof(uint16_t));
	vq->published_idx = new_idx;
	vq->stats.used += (uint16_t)(new_idx - old_idx);

	if (vq->event_idx) {
		if (vq->kicks_enabled)
			avail_event_store(vq, vq->last_avail_idx);
		else if ((uint16_t)(vq->last_avail_idx - vq->kick_event_base) >= vq->kick_refresh)
			park_avail_event(vq);
	}

	/* The used->idx store must be visible before the driver's
	 * suppression state is read. */
	vring_fence_full();
	if (vq->event_idx)
		notify = vrtc_vring_need_event(vring_dev_used_event_load(&vq->vring), new_idx,
					       old_idx);
	else
		notify = !(vring_dev_avail_flags_load(&vq->vring) &
			   VRTC_VRING_AVAIL_F_NO_INTERRUPT);
	if (notify)
		vq->stats.notify_needed++;
	else
		vq->stats.notify_suppressed++;
	return notify;
}

void
vrtc_vq_split_kicks_disable(struct vrtc_vq *vq)
{
	vq->kicks_enabled = 0;
	if (vq->event_idx)
		park_avail_event(vq);
	else
		used_flags_store(vq, VRTC_VRING_USED_F_NO_NOTIFY);
}

int
vrtc_vq_split_kicks_enable(struct vrtc_vq *vq)
{
	vq->kicks_enabled = 1;
	if (vq->event_idx)
		avail_event_store(vq, vq->last_avail_idx);
	else
		used_flags_store(vq, 0);
	/* The suppression store must be visible before avail->idx is re-read:
	 * otherwise a buffer published in between is neither seen nor kicked. */
	vring_fence_full();
	if (vq->broken != VRTC_VQ_OK)
		return 0;
	return vring_dev_avail_idx_acquire(&vq->vring) != vq->last_avail_idx;
}

/* Layout-neutral part: set-up dispatch and the cold accessors. */

int
vrtc_vq_init(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg)
{
	return cfg->layout == VRTC_VQ_PACKED ? vrtc_vq_packed_init(vq, cfg)
					     : vrtc_vq_split_init(vq, cfg);
}

int
vrtc_vq_init_gpa(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg)
{
	return cfg->layout == VRTC_VQ_PACKED ? vrtc_vq_packed_init_gpa(vq, cfg)
					     : vrtc_vq_split_init_gpa(vq, cfg);
}

void
vrtc_vq_fini(struct vrtc_vq *vq)
{
	if (vq->hdr.layout == VRTC_VQ_PACKED)
		vrtc_vq_packed_fini(vq);
	else
		vrtc_vq_split_fini(vq);
}

void
vrtc_vq_set_mem(struct vrtc_vq *vq, const struct vrtc_mem *mem)
{
	vq->mem = mem;
	vq->mem_hint = 0;
	vq->chain_ctx.mem = mem;
}

/* vrtc_vq_layout() (vq.h) reads the hdr inline. */
_Static_assert(offsetof(struct vrtc_vq, hdr) == 0, "struct vrtc_vq_head must come first");

uint16_t
vrtc_vq_inflight(const struct vrtc_vq *vq)
{
	if (vq->hdr.layout == VRTC_VQ_PACKED)
		return vq->nb_inflight;
	return (uint16_t)(vq->last_avail_idx - vq->used_idx);
}

uint16_t
vrtc_vq_avail_base(const struct vrtc_vq *vq)
{
	if (vq->hdr.layout == VRTC_VQ_PACKED)
		return vrtc_vq_packed_avail_off_wrap(vq);
	return vq->last_avail_idx;
}

uint16_t
vrtc_vq_used_base(const struct vrtc_vq *vq)
{
	if (vq->hdr.layout == VRTC_VQ_PACKED)
		return vrtc_vq_packed_used_off_wrap(vq);
	return vq->used_idx;
}

uint16_t
vrtc_vq_size(const struct vrtc_vq *vq)
{
	return vq->hdr.layout == VRTC_VQ_PACKED ? vq->ring.size : vq->vring.size;
}

int
vrtc_vq_event_idx(const struct vrtc_vq *vq)
{
	return vq->event_idx;
}

int
vrtc_vq_indirect(const struct vrtc_vq *vq)
{
	return vq->indirect;
}

const struct vrtc_mem *
vrtc_vq_mem(const struct vrtc_vq *vq)
{
	return vq->mem;
}

const struct vrtc_vq_stats *
vrtc_vq_stats(const struct vrtc_vq *vq)
{
	return &vq->stats;
}

const char *
vrtc_vq_name(const struct vrtc_vq *vq)
{
	return vq->name;
}

enum vrtc_vq_broken_reason
vrtc_vq_broken(const struct vrtc_vq *vq)
{
	return (enum vrtc_vq_broken_reason)vq->broken;
}
