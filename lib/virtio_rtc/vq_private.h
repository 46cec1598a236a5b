/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Private: the inside of struct vrtc_vq. Only the engine (vq.c,
 * vq_packed.c) reads or writes these fields; the DPDK layer includes this
 * header for one reason, to embed a struct vrtc_vq by value in its queue
 * (dpdk/queue.h), and the engine's white-box tests and the test fakes and
 * back-ends that embed one. Everything else goes through vq.h.
 *
 * What both layouts have (memory map, segments, flags, stats, name) is
 * here once; the ring state of each layout is an anonymous struct in a
 * union, so the engine bodies name their fields as before (vq->used_idx,
 * vq->avail_wrap) and no field name is shared between the two arms.
 */

#ifndef VRTC_VQ_PRIVATE_H
#define VRTC_VQ_PRIVATE_H

#include <stdint.h>

#include "chain.h"
#include "mem.h"
#include "ring_packed.h"
#include "ring_split.h"
#include "vq.h"

struct vrtc_vq {
	/* Hot, both layouts: read on every burst. First: the layout, which
	 * vrtc_vq_layout() (vq.h) reads inline. */
	struct vrtc_vq_head hdr;
	uint8_t event_idx;
	uint8_t indirect;
	uint8_t kicks_enabled;
	uint8_t broken;	  /* enum vrtc_vq_broken_reason */
	uint8_t hold_bad; /* cfg->hold_bad_chains */
	uint32_t mem_hint;
	const struct vrtc_mem *mem;
	struct vrtc_seg *segs; /* size segments, for the chain being handled */
	union {
		/* VRTC_VQ_SPLIT (vq.c) */
		struct {
			struct vrtc_vring vring;
			uint16_t mask;		  /* size - 1 */
			uint16_t last_avail_idx;  /* next avail slot to pop */
			uint16_t avail_end;	  /* avail->idx seen by the last avail() */
			uint16_t used_idx;	  /* next used slot to fill */
			uint16_t published_idx;	  /* last value stored to used->idx */
			uint16_t kick_event_base; /* last_avail_idx when avail_event was parked */
			uint16_t kick_refresh;	  /* parked avail_event is refreshed this often */
			uint64_t *inflight;	  /* one bit per head popped and not yet pushed */
			uint64_t used_gpa;	  /* guest address of the used area, for the dirty log */
			uint8_t used_gpa_ok;	  /* ... known (inside mem at init) */
		};
		/* VRTC_VQ_PACKED (vq_packed.c) */
		struct {
			struct vrtc_pring ring;
			uint16_t avail_off;	/* next descriptor to read */
			uint16_t used_off;	/* next used descriptor to write */
			uint16_t pending;	/* bound announced by the last avail(), less pops */
			uint16_t outstanding;	/* ring descriptors popped, not yet written back */
			uint16_t batch_off;	/* first used descriptor of the unpublished batch */
			uint16_t batch_flags;	/* ... and its flags, stored at flush */
			uint16_t batch_len;	/* used descriptors in the batch */
			uint32_t signalled_pos; /* used position at the last notification decision */
			uint8_t avail_wrap;
			uint8_t used_wrap;
			uint16_t nb_inflight;	  /* buffer ids in flight */
			uint16_t *inflight_ndesc; /* per buffer id: ring descriptors, 0 when not in flight */
			uint64_t desc_gpa;	  /* guest addresses of the descriptor ring and */
			uint64_t device_gpa;	  /* the device event area, for the dirty log */
			uint8_t ring_gpa_ok;	  /* ... both known (inside mem at init) */
		};
	};
	/* mem, mem_hint, indirect, segs for the accumulator (packed; the split
	 * walk builds its context on the stack with the split table). */
	struct vrtc_chain_ctx chain_ctx;
	struct vrtc_vq_stats stats;
	char name[32];
};

/* Engine-internal set-up of each layout (vrtc_vq_init dispatches). */
int vrtc_vq_split_init(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg);
int vrtc_vq_split_init_gpa(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg);
int vrtc_vq_packed_init(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg);
int vrtc_vq_packed_init_gpa(struct vrtc_vq *vq, const struct vrtc_vq_config *cfg);
void vrtc_vq_split_fini(struct vrtc_vq *vq);
void vrtc_vq_packed_fini(struct vrtc_vq *vq);

/* Packed positions in SET/GET_VRING_BASE encoding (bit 15: wrap). */
static inline uint16_t
vrtc_vq_packed_avail_off_wrap(const struct vrtc_vq *vq)
{
	return (uint16_t)(vq->avail_off | (vq->avail_wrap << VRTC_PVIRTQ_EVENT_WRAP_SHIFT));
}

static inline uint16_t
vrtc_vq_packed_used_off_wrap(const struct vrtc_vq *vq)
{
	return (uint16_t)(vq->used_off | (vq->used_wrap << VRTC_PVIRTQ_EVENT_WRAP_SHIFT));
}

#endif /* VRTC_VQ_PRIVATE_H */
