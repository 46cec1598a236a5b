/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drvq_packed.h"

static size_t
align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void
vrtc_pdrvq_layout(uint16_t size, struct vrtc_pdrvq_layout *layout)
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

int
vrtc_pdrvq_init(struct vrtc_pdrvq *q, uint16_t size, uint64_t features, void *ring_mem)
{
	struct vrtc_pdrvq_layout layout;
	uint8_t *mem = ring_mem;
	uint16_t i;

	memset(q, 0, sizeof(*q));
	if (size == 0 || size > VRTC_PVIRTQ_MAX_SIZE || ring_mem == NULL ||
	    ((uintptr_t)ring_mem & (VRTC_PVIRTQ_DESC_ALIGN - 1)) != 0)
		return -EINVAL;
	vrtc_pdrvq_layout(size, &layout);
	q->free_ids = calloc(size, sizeof(*q->free_ids));
	q->ids = calloc(size, sizeof(*q->ids));
	if (q->free_ids == NULL || q->ids == NULL) {
		vrtc_pdrvq_fini(q);
		return -ENOMEM;
	}
	q->ring.desc = (struct vrtc_pvirtq_desc *)(void *)mem;
	q->ring.driver = (struct vrtc_pvirtq_event *)(void *)(mem + layout.driver_offset);
	q->ring.device = (struct vrtc_pvirtq_event *)(void *)(mem + layout.device_offset);
	q->ring.size = size;
	/* Lowest ids first: a fresh ring hands out 0, 1, 2, ... */
	for (i = 0; i < size; i++)
		q->free_ids[i] = (uint16_t)(size - 1 - i);
	q->nb_free_ids = size;
	q->nb_free = size;
	q->avail_wrap = 1;
	q->used_wrap = 1;
	q->kicked_pos = vrtc_pring_pos(size, 0, 1);
	q->event_idx = vrtc_feature_has(features, VRTC_VIRTIO_RING_F_EVENT_IDX);
	q->interrupts_enabled = 1;
	return 0;
}

void
vrtc_pdrvq_fini(struct vrtc_pdrvq *q)
{
	free(q->free_ids);
	free(q->ids);
	q->free_ids = NULL;
	q->ids = NULL;
}

/* Readable buffers first; sum of the writable lengths in *writable_bytes. */
static int
check_bufs(const struct vrtc_drvq_buf *bufs, uint16_t nb, uint32_t *writable_bytes)
{
	int writable_seen = 0;
	uint16_t i;

	*writable_bytes = 0;
	for (i = 0; i < nb; i++) {
		if (bufs[i].writable) {
			writable_seen = 1;
			*writable_bytes += bufs[i].len;
		} else if (writable_seen) {
			return -EINVAL;
		}
	}
	return 0;
}

/* Store one ring descriptor at the avail position and move it on. The
 * flags of the batch's first descriptor are kept for kick_prepare; every
 * other flags word is stored now (published by that one). */
static void
put_desc(struct vrtc_pdrvq *q, uint64_t addr, uint32_t len, uint16_t id, uint16_t flags)
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
take_id(struct vrtc_pdrvq *q, uint16_t nb_desc, uint32_t writable_bytes, void *cookie)
{
	uint16_t id = q->free_ids[--q->nb_free_ids];

	q->ids[id].cookie = cookie;
	q->ids[id].writable_bytes = writable_bytes;
	q->ids[id].nb_desc = nb_desc;
	q->nb_free = (uint16_t)(q->nb_free - nb_desc);
	q->nb_inflight++;
	if (q->batch_len == 0) {
		q->batch_off = q->avail_off;
		q->batch_flags = 0;
	}
	return id;
}

int
vrtc_pdrvq_add(struct vrtc_pdrvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb, void *cookie)
{
	uint32_t writable_bytes;
	uint16_t id, i;

	if (q->broken != VRTC_DRVQ_OK)
		return -EIO;
	if (nb == 0)
		return -EINVAL;
	if (nb > q->nb_free || q->nb_free_ids == 0)
		return -ENOSPC;
	if (check_bufs(bufs, nb, &writable_bytes) != 0)
		return -EINVAL;

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
vrtc_pdrvq_indirect_init(struct vrtc_pdrvq *q, struct vrtc_pvirtq_desc *tables,
			 uint64_t tables_addr, uint16_t nb_entries)
{
	if (tables == NULL || ((uintptr_t)tables & (VRTC_PVIRTQ_DESC_ALIGN - 1)) != 0 ||
	    nb_entries == 0 || nb_entries > q->ring.size)
		return -EINVAL;
	q->indirect = tables;
	q->indirect_addr = tables_addr;
	q->indirect_max = nb_entries;
	return 0;
}

int
vrtc_pdrvq_add_indirect(struct vrtc_pdrvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
			void *cookie)
{
	struct vrtc_pvirtq_desc *table;
	uint32_t writable_bytes;
	uint16_t id, i;

	if (q->broken != VRTC_DRVQ_OK)
		return -EIO;
	if (nb == 0 || nb > q->indirect_max || q->indirect == NULL)
		return -EINVAL;
	if (q->nb_free == 0 || q->nb_free_ids == 0)
		return -ENOSPC;
	if (check_bufs(bufs, nb, &writable_bytes) != 0)
		return -EINVAL;

	/* The id's table is free: its previous chain came back used. An
	 * indirect list is a list on its own: no F_NEXT, no id. */
	id = take_id(q, 1, writable_bytes, cookie);
	table = q->indirect + (size_t)id * q->indirect_max;
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

int
vrtc_pdrvq_kick_prepare(struct vrtc_pdrvq *q)
{
	uint32_t new_pos = vrtc_pring_pos(q->ring.size, q->avail_off, q->avail_wrap);
	uint32_t old_pos = q->kicked_pos;
	uint16_t off_wrap, flags;

	if (q->batch_len == 0)
		return 0;
	pring_drv_desc_flags_publish(&q->ring, q->batch_off, q->batch_flags);
	q->batch_len = 0;
	q->batch_flags = 0;
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
event_at_used(struct vrtc_pdrvq *q)
{
	pring_drv_event_store(&q->ring,
			      (uint16_t)(q->used_off | (q->used_wrap << VRTC_PVIRTQ_EVENT_WRAP_SHIFT)),
			      VRTC_PVIRTQ_EVENT_F_DESC);
}

uint16_t
vrtc_pdrvq_get_used(struct vrtc_pdrvq *q, struct vrtc_drvq_done *done, uint16_t max)
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
		if (id >= q->ring.size || q->ids[id].nb_desc == 0) {
			q->broken = VRTC_DRVQ_BROKEN_USED_ID;
			break;
		}
		if (len > q->ids[id].writable_bytes) {
			q->broken = VRTC_DRVQ_BROKEN_USED_LEN;
			break;
		}
		done[n].cookie = q->ids[id].cookie;
		done[n].len = len;
		done[n].head = id;
		n++;
		nb_desc = q->ids[id].nb_desc;
		pos_advance(q->ring.size, &q->used_off, &q->used_wrap, nb_desc);
		q->nb_free = (uint16_t)(q->nb_free + nb_desc);
		q->ids[id].nb_desc = 0;
		q->ids[id].cookie = NULL;
		q->free_ids[q->nb_free_ids++] = id;
		q->nb_inflight--;
	}
	if (n > 0 && q->interrupts_enabled && q->event_idx)
		event_at_used(q);
	return n;
}

void
vrtc_pdrvq_interrupts_disable(struct vrtc_pdrvq *q)
{
	q->interrupts_enabled = 0;
	pring_drv_event_store(&q->ring, 0, VRTC_PVIRTQ_EVENT_F_DISABLE);
}

void
vrtc_pdrvq_interrupts_enable(struct vrtc_pdrvq *q)
{
	q->interrupts_enabled = 1;
	if (q->event_idx)
		event_at_used(q);
	else
		pring_drv_event_store(&q->ring, 0, VRTC_PVIRTQ_EVENT_F_ENABLE);
	/* The area before the next look at the used ring: a completion
	 * published before the device saw it is found by that look. */
	pring_fence_full();
}
