/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The driver queue's shared part (set-up, tables, the layout-neutral cold
 * calls) and its split ring code. The packed ring code is in drvq_packed.c.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drvq_internal.h"

#define IRQ_PARK_DISTANCE 0x8000u

static size_t
align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static void
split_layout(uint16_t size, struct vrtc_drvq_layout *layout)
{
	layout->driver_offset = vrtc_vring_desc_bytes(size);
	/* Align the used area to a cache line: the device writes it, the
	 * driver writes the avail area; keep them off shared lines. */
	layout->device_offset =
		align_up(layout->driver_offset + vrtc_vring_avail_bytes(size), 64);
	layout->total_bytes = align_up(layout->device_offset + vrtc_vring_used_bytes(size), 64);
}

void
vrtc_drvq_layout(uint16_t size, uint64_t features, struct vrtc_drvq_layout *layout)
{
	if (vrtc_feature_has(features, VRTC_VIRTIO_F_RING_PACKED))
		drvq_packed_layout(size, layout);
	else
		split_layout(size, layout);
}

static void
split_setup(struct vrtc_drvq *q, void *ring_mem, const struct vrtc_drvq_layout *l)
{
	uint16_t i;

	q->vring.desc = ring_mem;
	q->vring.avail = (void *)((uint8_t *)ring_mem + l->driver_offset);
	q->vring.used = (void *)((uint8_t *)ring_mem + l->device_offset);
	q->vring.size = q->size;
	q->mask = (uint16_t)(q->size - 1);
	for (i = 0; i < q->size; i++)
		q->next[i] = (uint16_t)(i + 1);
	q->free_head = 0;
	q->irq_refresh = (uint16_t)((IRQ_PARK_DISTANCE - q->size) / 2);
	if (q->irq_refresh == 0)
		q->irq_refresh = 1;
}

int
vrtc_drvq_init(struct vrtc_drvq *q, uint16_t size, uint64_t features, void *ring_mem)
{
	int packed = vrtc_feature_has(features, VRTC_VIRTIO_F_RING_PACKED);
	struct vrtc_drvq_layout layout;
	uint16_t *links;

	memset(q, 0, sizeof(*q));
	/* Both layouts: at most 32768 entries, 16-byte aligned descriptors;
	 * split sizes are powers of two, packed ones any. */
	if (size == 0 || size > VRTC_VRING_MAX_SIZE || (!packed && (size & (size - 1)) != 0) ||
	    ring_mem == NULL || ((uintptr_t)ring_mem & (VRTC_VRING_DESC_ALIGN - 1)) != 0)
		return -EINVAL;
	q->packed = (uint8_t)packed;
	links = calloc(size, sizeof(*links));
	q->ids = calloc(size, sizeof(*q->ids));
	if (packed)
		q->free_ids = links;
	else
		q->next = links;
	if (links == NULL || q->ids == NULL) {
		vrtc_drvq_fini(q);
		return -ENOMEM;
	}
	q->size = size;
	q->nb_free = size;
	q->event_idx = vrtc_feature_has(features, VRTC_VIRTIO_RING_F_EVENT_IDX);
	q->interrupts_enabled = 1;
	vrtc_drvq_layout(size, features, &layout);
	if (packed)
		drvq_packed_setup(q, ring_mem, &layout);
	else
		split_setup(q, ring_mem, &layout);
	return 0;
}

void
vrtc_drvq_fini(struct vrtc_drvq *q)
{
	if (q->packed) {
		free(q->free_ids);
		q->free_ids = NULL;
	} else {
		free(q->next);
		q->next = NULL;
	}
	free(q->ids);
	q->ids = NULL;
}

int
vrtc_drvq_indirect_init(struct vrtc_drvq *q, void *tables, uint64_t tables_addr,
			uint16_t nb_entries)
{
	if (tables == NULL || ((uintptr_t)tables & (VRTC_VRING_DESC_ALIGN - 1)) != 0 ||
	    nb_entries == 0 || nb_entries > q->size)
		return -EINVAL;
	q->indirect = tables;
	q->indirect_addr = tables_addr;
	q->indirect_max = nb_entries;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Split ring                                                               */
/* ------------------------------------------------------------------------ */

/* Record a chain of @p nb_desc ring descriptors from @p head to @p last
 * and put it in the next avail slot. */
static void
make_available(struct vrtc_drvq *q, uint16_t head, uint16_t last, uint16_t nb_desc,
	       uint32_t writable_bytes, void *cookie)
{
	drvq_id_take(q, head, nb_desc, writable_bytes, cookie);
	q->ids[head].last = last;
	vring_drv_avail_head_store(&q->vring, q->avail_idx & q->mask, head);
	q->avail_idx++;
}

int
vrtc_drvq_split_add(struct vrtc_drvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
		    void *cookie)
{
	const struct vrtc_drvq_buf *b, *last;
	uint32_t writable_bytes;
	uint16_t head, d;
	int rc = drvq_add_check(q, bufs, nb, 0, 0, &writable_bytes);

	if (rc != 0)
		return rc;
	head = q->free_head;
	/* The bookkeeping first: the descriptor stores below need not be
	 * ordered before it, and fewer values stay live across the loop. */
	drvq_id_take(q, head, nb, writable_bytes, cookie);
	d = head;
	last = bufs + nb - 1;
	for (b = bufs; b != last; b++) {
		uint16_t flags = b->writable ? VRTC_VRING_DESC_F_WRITE : 0;

		vring_drv_desc_store(&q->vring, d, b->addr, b->len, flags | VRTC_VRING_DESC_F_NEXT,
				     q->next[d]);
		d = q->next[d];
	}
	vring_drv_desc_store(&q->vring, d, last->addr, last->len,
			     last->writable ? VRTC_VRING_DESC_F_WRITE : 0, 0);
	q->ids[head].last = d;
	q->free_head = q->next[d];
	vring_drv_avail_head_store(&q->vring, q->avail_idx & q->mask, head);
	q->avail_idx++;
	return head;
}

int
vrtc_drvq_split_add_indirect(struct vrtc_drvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
			     void *cookie)
{
	struct vrtc_vring_desc *table;
	uint64_t table_addr;
	uint32_t writable_bytes;
	uint16_t head, i;
	int rc = drvq_add_check(q, bufs, nb, 1, 0, &writable_bytes);

	if (rc != 0)
		return rc;
	/* The head's table is free: its previous chain came back used. */
	head = q->free_head;
	table = (struct vrtc_vring_desc *)q->indirect + (size_t)head * q->indirect_max;
	for (i = 0; i < nb; i++) {
		uint16_t flags = bufs[i].writable ? VRTC_VRING_DESC_F_WRITE : 0;

		if (i + 1 < nb)
			flags |= VRTC_VRING_DESC_F_NEXT;
		vring_drv_indirect_desc_store(table, i, bufs[i].addr, bufs[i].len, flags,
					      i + 1 < nb ? (uint16_t)(i + 1) : 0);
	}
	table_addr = q->indirect_addr +
		     (uint64_t)head * q->indirect_max * sizeof(struct vrtc_vring_desc);
	vring_drv_desc_store(&q->vring, head, table_addr,
			     (uint32_t)(nb * sizeof(struct vrtc_vring_desc)),
			     VRTC_VRING_DESC_F_INDIRECT, 0);
	q->free_head = q->next[head];
	make_available(q, head, head, 1, writable_bytes, cookie);
	return head;
}

int
vrtc_drvq_split_kick_prepare(struct vrtc_drvq *q)
{
	uint16_t old_idx = q->kicked_idx, new_idx = q->avail_idx;

	if (old_idx == new_idx)
		return 0;
	vring_drv_avail_idx_publish(&q->vring, new_idx);
	q->kicked_idx = new_idx;
	return vring_drv_kick_needed(&q->vring, q->event_idx, new_idx, old_idx);
}

static void
park_used_event(struct vrtc_drvq *q)
{
	q->irq_park_base = q->last_used_idx;
	vring_drv_used_event_store(&q->vring, (uint16_t)(q->last_used_idx + IRQ_PARK_DISTANCE));
}

uint16_t
vrtc_drvq_split_get_used(struct vrtc_drvq *q, struct vrtc_drvq_done *done, uint16_t max)
{
	uint16_t used_idx, n, i;

	if (q->broken != VRTC_DRVQ_OK)
		return 0;
	used_idx = vring_drv_used_idx_acquire(&q->vring);
	n = (uint16_t)(used_idx - q->last_used_idx);
	if (n == 0)
		return 0;
	if (n > q->nb_inflight) {
		q->broken = VRTC_DRVQ_BROKEN_USED_IDX;
		return 0;
	}
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		uint32_t id, len;

		vring_drv_used_elem_load(&q->vring, q->last_used_idx & q->mask, &id, &len);
		if (!drvq_used_ok(q, id, len))
			return i;
		drvq_id_done(q, (uint16_t)id, len, &done[i]);
		/* Return the chain's descriptors to the free list. */
		q->next[q->ids[id].last] = q->free_head;
		q->free_head = (uint16_t)id;
		q->last_used_idx++;
	}
	if (q->interrupts_enabled) {
		if (q->event_idx)
			vring_drv_used_event_store(&q->vring, q->last_used_idx);
	} else if (q->event_idx &&
		   (uint16_t)(q->last_used_idx - q->irq_park_base) >= q->irq_refresh) {
		park_used_event(q);
	}
	return n;
}

/* ------------------------------------------------------------------------ */
/* Both layouts                                                             */
/* ------------------------------------------------------------------------ */

void
vrtc_drvq_publish(struct vrtc_drvq *q)
{
	if (q->packed)
		vrtc_drvq_packed_publish(q);
	else
		vring_drv_avail_idx_publish(&q->vring, q->avail_idx);
}

void
vrtc_drvq_interrupts_disable(struct vrtc_drvq *q)
{
	q->interrupts_enabled = 0;
	if (q->packed)
		drvq_packed_interrupts(q, 0);
	else if (q->event_idx)
		park_used_event(q);
	else
		vring_drv_avail_flags_store(&q->vring, VRTC_VRING_AVAIL_F_NO_INTERRUPT);
}

void
vrtc_drvq_interrupts_enable(struct vrtc_drvq *q)
{
	q->interrupts_enabled = 1;
	if (q->packed)
		drvq_packed_interrupts(q, 1);
	else if (q->event_idx)
		vring_drv_used_event_store(&q->vring, q->last_used_idx);
	else
		vring_drv_avail_flags_store(&q->vring, 0);
}
