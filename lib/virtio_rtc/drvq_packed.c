/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The driver queue's packed ring code (VIRTIO_F_RING_PACKED): descriptor
 * ring, driver and device event suppression areas, buffer ids, avail and
 * used wrap counters. The shared part is in drvq.c and drvq_internal.h.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drvq_internal.h"

static size_t
align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void
drvq_packed_layout(uint16_t size, struct vrtc_drvq_layout *layout)
{
	layout->driver_offset = align_up(vrtc_pvirtq_desc_bytes(size), 64);
	layout->device_offset = layout->driver_offset + 64;
	layout->total_bytes = layout->device_offset + 64;
}

/* Move (off, wrap) on by @p n descriptors (n <= size), flipping the wrap
 * counter at the ring end. */
static void
pos_advance(uint16_t size, uint16_t *off, uint8_t *wrap, uint16_t n)
{
	uint32_t o = (uint32_t)*off + n;

	if (o >= size) {
		o -= size;
		*wrap ^= 1;
	}
	*off = (uint16_t)o;
}

void
drvq_packed_setup(struct vrtc_drvq *q, void *ring_mem, const struct vrtc_drvq_layout *l)
{
	uint8_t *mem = ring_mem;
	uint16_t i, size = q->size;

	q->ring.desc = (struct vrtc_pvirtq_desc *)(void *)mem;
	q->ring.driver = (struct vrtc_pvirtq_event *)(void *)(mem + l->driver_offset);
	q->ring.device = (struct vrtc_pvirtq_event *)(void *)(mem + l->device_offset);
	q->ring.size = size;
	/* Lowest ids first: a fresh ring hands out 0, 1, 2, ... */
	for (i = 0; i < size; i++)
		q->free_ids[i] = (uint16_t)(size - 1 - i);
	q->nb_free_ids = size;
	q->avail_wrap = 1;
	q->used_wrap = 1;
	q->kicked_pos = vrtc_pring_pos(size, 0, 1);
}

/* Store one ring descriptor at the avail position and move it on. The
 * flags of the batch's first descriptor are kept for kick_prepare; every
 * other flags word is stored now (published by that one). */
static void
put_desc(struct vrtc_drvq *q, uint64_t addr, uint32_t len, uint16_t id, uint16_t flags)
{
	uint16_t off = q->avail_off;

	flags |= vrtc_pring_avail_bits(q->avail_wrap);
	pring_drv_desc_store(&q->ring, off, addr, len, id);
	if (q->batch_flags == 0 && off == q->batch_off)
		q->batch_flags = flags;
	else
		pring_drv_desc_flags_store(&q->ring, off, flags);
	pos_advance(q->ring.size, &q->avail_off, &q->avail_wrap, 1);
}

/* Take a free id for a chain of @p nb_desc ring descriptors. */
static uint16_t
take_id(struct vrtc_drvq *q, uint16_t nb_desc, uint32_t writable_bytes, void *cookie)
{
	uint16_t id = q->free_ids[--q->nb_free_ids];

	drvq_id_take(q, id, nb_desc, writable_bytes, cookie);
	if (q->batch_len == 0) {
		q->batch_off = q->avail_off;
		q->batch_flags = 0;
	}
	return id;
}

int
vrtc_drvq_packed_add(struct vrtc_drvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
		     void *cookie)
{
	uint32_t writable_bytes;
	uint16_t id, i;
	int rc = drvq_add_check(q, bufs, nb, 0, 1, &writable_bytes);

	if (rc != 0)
		return rc;
	id = take_id(q, nb, writable_bytes, cookie);
	for (i = 0; i < nb; i++) {
		uint16_t flags = bufs[i].writable ? VRTC_VRING_DESC_F_WRITE : 0;

		if (i + 1 < nb)
			flags |= VRTC_VRING_DESC_F_NEXT;
		put_desc(q, bufs[i].addr, bufs[i].len, id, flags);
	}
	q->batch_len++;
	return id;
}

int
vrtc_drvq_packed_add_indirect(struct vrtc_drvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
			      void *cookie)
{
	struct vrtc_pvirtq_desc *table;
	uint32_t writable_bytes;
	uint16_t id, i;
	int rc = drvq_add_check(q, bufs, nb, 1, 1, &writable_bytes);

	if (rc != 0)
		return rc;
	/* The id's table is free: its previous chain came back used. An
	 * indirect list is a list on its own: no F_NEXT, no id. */
	id = take_id(q, 1, writable_bytes, cookie);
	table = (struct vrtc_pvirtq_desc *)q->indirect + (size_t)id * q->indirect_max;
	for (i = 0; i < nb; i++) {
		table[i].addr = htole64(bufs[i].addr);
		table[i].len = htole32(bufs[i].len);
		table[i].id = 0;
		table[i].flags = htole16(bufs[i].writable ? VRTC_VRING_DESC_F_WRITE : 0);
	}
	put_desc(q,
		 q->indirect_addr +
			 (uint64_t)id * q->indirect_max * sizeof(struct vrtc_pvirtq_desc),
		 (uint32_t)(nb * sizeof(struct vrtc_pvirtq_desc)), id,
		 VRTC_VRING_DESC_F_INDIRECT);
	q->batch_len++;
	return id;
}

void
vrtc_drvq_packed_publish(struct vrtc_drvq *q)
{
	if (q->batch_len == 0)
		return;
	pring_drv_desc_flags_publish(&q->ring, q->batch_off, q->batch_flags);
	q->batch_len = 0;
	q->batch_flags = 0;
}

int
vrtc_drvq_packed_kick_prepare(struct vrtc_drvq *q)
{
	uint32_t new_pos = vrtc_pring_pos(q->ring.size, q->avail_off, q->avail_wrap);
	uint32_t old_pos = q->kicked_pos;
	uint16_t off_wrap, flags;

	/* Nothing new since the last decision (vrtc_drvq_publish() may have
	 * published the batch already: the decision still covers it). */
	if (q->batch_len == 0 && new_pos == old_pos)
		return 0;
	vrtc_drvq_packed_publish(q);
	q->kicked_pos = new_pos;
	/* The publish before the read of the device's area (pairs with the
	 * device's fence between enabling kicks and re-reading the ring). */
	pring_fence_full();
	pring_drv_device_event_load(&q->ring, &off_wrap, &flags);
	switch (flags & 3) {
	case VRTC_PVIRTQ_EVENT_F_DISABLE:
		return 0;
	case VRTC_PVIRTQ_EVENT_F_DESC:
		/* DESC without EVENT_IDX is not the device's to ask: kick. */
		return !q->event_idx ||
		       vrtc_pring_need_event(q->ring.size, off_wrap, new_pos, old_pos);
	default:
		return 1; /* ENABLE, and the reserved value 3 */
	}
}

/* The driver's descriptor event at the next used descriptor. */
static void
event_at_used(struct vrtc_drvq *q)
{
	pring_drv_event_store(&q->ring, vrtc_drvq_used_base(q), VRTC_PVIRTQ_EVENT_F_DESC);
}

uint16_t
vrtc_drvq_packed_get_used(struct vrtc_drvq *q, struct vrtc_drvq_done *done, uint16_t max)
{
	uint16_t n = 0;

	if (q->broken != VRTC_DRVQ_OK)
		return 0;
	while (n < max) {
		uint16_t flags = pring_drv_desc_flags_acquire(&q->ring, q->used_off);
		uint16_t id, nb_desc;
		uint32_t len;

		if (!vrtc_pring_desc_is_used(flags, q->used_wrap))
			break;
		pring_drv_used_load(&q->ring, q->used_off, &id, &len);
		/* The length is the device's only with F_WRITE. */
		if (!(flags & VRTC_VRING_DESC_F_WRITE))
			len = 0;
		if (!drvq_used_ok(q, id, len))
			break;
		nb_desc = drvq_id_done(q, id, len, &done[n]);
		n++;
		pos_advance(q->ring.size, &q->used_off, &q->used_wrap, nb_desc);
		q->free_ids[q->nb_free_ids++] = id;
	}
	if (n > 0 && q->interrupts_enabled && q->event_idx)
		event_at_used(q);
	return n;
}

/* Driver event suppression; q->interrupts_enabled is already @p enable. */
void
drvq_packed_interrupts(struct vrtc_drvq *q, int enable)
{
	if (!enable) {
		pring_drv_event_store(&q->ring, 0, VRTC_PVIRTQ_EVENT_F_DISABLE);
		return;
	}
	if (q->event_idx)
		event_at_used(q);
	else
		pring_drv_event_store(&q->ring, 0, VRTC_PVIRTQ_EVENT_F_ENABLE);
	/* The area before the next look at the used ring: a completion
	 * published before the device saw it is found by that look. */
	pring_fence_full();
}
