/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fake_packed.h"

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

static int
dev_attach(struct fake_pqueue *q, uint16_t avail_off_wrap, uint16_t used_off_wrap)
{
	struct vrtc_vqp_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.name = "fakep";
	cfg.size = q->size;
	cfg.features = q->features;
	cfg.mem = &q->g->mem;
	cfg.desc_gpa = q->desc_gpa;
	cfg.driver_gpa = q->driver_gpa;
	cfg.device_gpa = q->device_gpa;
	cfg.avail_off_wrap = avail_off_wrap;
	cfg.used_off_wrap = used_off_wrap;
	return vrtc_vqp_init_gpa(&q->dev, &cfg);
}

int
fake_pqueue_init_at(struct fake_pqueue *q, struct fake_guest *g, uint16_t size,
		    uint64_t features, uint16_t avail_off_wrap, uint16_t used_off_wrap)
{
	struct fake_pdrv *d = &q->drv;
	uint8_t *ring;
	uint64_t gpa;
	uint16_t i;
	int rc;

	memset(q, 0, sizeof(*q));
	if (size == 0 || size > VRTC_PVIRTQ_MAX_SIZE)
		return -EINVAL;
	q->g = g;
	q->size = size;
	q->features = features | (UINT64_C(1) << VRTC_VIRTIO_F_RING_PACKED);
	ring = fake_guest_alloc(g, 0, vrtc_pvirtq_desc_bytes(size) + 8, 4096, &gpa);
	if (ring == NULL)
		return -ENOMEM;
	q->desc_gpa = gpa;
	q->driver_gpa = gpa + vrtc_pvirtq_desc_bytes(size);
	q->device_gpa = q->driver_gpa + 4;
	d->ring.desc = (struct vrtc_pvirtq_desc *)(void *)ring;
	d->ring.driver = (struct vrtc_pvirtq_event *)(void *)(ring + vrtc_pvirtq_desc_bytes(size));
	d->ring.device = d->ring.driver + 1;
	d->ring.size = size;
	d->avail_off = avail_off_wrap & VRTC_PVIRTQ_EVENT_OFF_MASK;
	d->avail_wrap = (uint8_t)(avail_off_wrap >> VRTC_PVIRTQ_EVENT_WRAP_SHIFT);
	d->used_off = used_off_wrap & VRTC_PVIRTQ_EVENT_OFF_MASK;
	d->used_wrap = (uint8_t)(used_off_wrap >> VRTC_PVIRTQ_EVENT_WRAP_SHIFT);
	d->kicked_pos = vrtc_pring_pos(size, d->avail_off, d->avail_wrap);
	d->event_idx = vrtc_feature_has(features, VRTC_VIRTIO_RING_F_EVENT_IDX);
	d->nb_free = size;
	d->free_ids = calloc(size, sizeof(*d->free_ids));
	d->ids = calloc(size, sizeof(*d->ids));
	if (d->free_ids == NULL || d->ids == NULL) {
		fake_pqueue_fini(q);
		return -ENOMEM;
	}
	for (i = 0; i < size; i++)
		d->free_ids[i] = (uint16_t)(size - 1 - i);
	d->nb_free_ids = size;
	rc = dev_attach(q, avail_off_wrap, used_off_wrap);
	if (rc != 0)
		fake_pqueue_fini(q);
	return rc;
}

int
fake_pqueue_init(struct fake_pqueue *q, struct fake_guest *g, uint16_t size, uint64_t features)
{
	const uint16_t fresh = 1u << VRTC_PVIRTQ_EVENT_WRAP_SHIFT;

	return fake_pqueue_init_at(q, g, size, features, fresh, fresh);
}

void
fake_pqueue_fini(struct fake_pqueue *q)
{
	vrtc_vqp_fini(&q->dev);
	free(q->drv.free_ids);
	free(q->drv.ids);
	q->drv.free_ids = NULL;
	q->drv.ids = NULL;
}

int
fake_pqueue_reattach(struct fake_pqueue *q)
{
	uint16_t a = vrtc_vqp_avail_off_wrap(&q->dev);
	uint16_t u = vrtc_vqp_used_off_wrap(&q->dev);

	vrtc_vqp_fini(&q->dev);
	return dev_attach(q, a, u);
}

static int
check_bufs(const struct vrtc_drvq_buf *bufs, uint16_t nb, uint32_t *wr)
{
	int seen_w = 0;
	uint16_t i;

	*wr = 0;
	for (i = 0; i < nb; i++) {
		if (bufs[i].writable) {
			seen_w = 1;
			*wr += bufs[i].len;
		} else if (seen_w) {
			return -EINVAL;
		}
	}
	return 0;
}

/* Write @p nb ring descriptors at the driver's position, the first flags last. */
static void
post_ring(struct fake_pdrv *d, const struct vrtc_pvirtq_desc *descs, uint16_t nb)
{
	uint16_t off = d->avail_off;
	uint8_t wrap = d->avail_wrap;
	uint16_t head = off, head_flags = 0;
	uint16_t i;

	for (i = 0; i < nb; i++) {
		uint16_t flags = (uint16_t)(descs[i].flags | vrtc_pring_avail_bits(wrap));

		pring_drv_desc_store(&d->ring, off, descs[i].addr, descs[i].len, descs[i].id);
		if (i == 0)
			head_flags = flags;
		else
			pring_drv_desc_flags_store(&d->ring, off, flags);
		pos_advance(d->ring.size, &off, &wrap, 1);
	}
	pring_drv_desc_flags_publish(&d->ring, head, head_flags);
	d->avail_off = off;
	d->avail_wrap = wrap;
}

int
fake_pdrv_add(struct fake_pqueue *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
	      void *cookie)
{
	struct fake_pdrv *d = &q->drv;
	struct vrtc_pvirtq_desc descs[64];
	uint32_t wr;
	uint16_t id, i;

	if (d->broken)
		return -EIO;
	if (nb == 0 || nb > VRTC_ARRAY_SIZE(descs) || check_bufs(bufs, nb, &wr) != 0)
		return -EINVAL;
	if (nb > d->nb_free || d->nb_free_ids == 0)
		return -ENOSPC;
	id = d->free_ids[--d->nb_free_ids];
	for (i = 0; i < nb; i++) {
		descs[i].addr = bufs[i].addr;
		descs[i].len = bufs[i].len;
		descs[i].id = id;
		descs[i].flags = (uint16_t)((bufs[i].writable ? VRTC_VRING_DESC_F_WRITE : 0) |
					    (i + 1 < nb ? VRTC_VRING_DESC_F_NEXT : 0));
	}
	d->ids[id].cookie = cookie;
	d->ids[id].writable_bytes = wr;
	d->ids[id].nb_desc = nb;
	d->nb_free = (uint16_t)(d->nb_free - nb);
	post_ring(d, descs, nb);
	return id;
}

int
fake_pdrv_indirect_init(struct fake_pqueue *q, uint16_t nb_entries)
{
	struct fake_pdrv *d = &q->drv;

	if (nb_entries == 0 || nb_entries > q->size)
		return -EINVAL;
	d->indirect = fake_guest_alloc(q->g, 0,
				       (size_t)q->size * nb_entries * sizeof(*d->indirect), 16,
				       &d->indirect_gpa);
	if (d->indirect == NULL)
		return -ENOMEM;
	d->indirect_max = nb_entries;
	return 0;
}

int
fake_pdrv_add_indirect(struct fake_pqueue *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
		       void *cookie)
{
	struct fake_pdrv *d = &q->drv;
	struct vrtc_pvirtq_desc *table, desc;
	uint32_t wr;
	uint16_t id, i;

	if (d->broken)
		return -EIO;
	if (d->indirect == NULL || nb == 0 || nb > d->indirect_max ||
	    check_bufs(bufs, nb, &wr) != 0)
		return -EINVAL;
	if (d->nb_free == 0 || d->nb_free_ids == 0)
		return -ENOSPC;
	id = d->free_ids[--d->nb_free_ids];
	table = &d->indirect[(size_t)id * d->indirect_max];
	for (i = 0; i < nb; i++) {
		table[i].addr = htole64(bufs[i].addr);
		table[i].len = htole32(bufs[i].len);
		table[i].id = 0;
		table[i].flags = htole16(bufs[i].writable ? VRTC_VRING_DESC_F_WRITE : 0);
	}
	desc.addr = d->indirect_gpa + (uint64_t)id * d->indirect_max * sizeof(*table);
	desc.len = (uint32_t)(nb * sizeof(*table));
	desc.id = id;
	desc.flags = VRTC_VRING_DESC_F_INDIRECT;
	d->ids[id].cookie = cookie;
	d->ids[id].writable_bytes = wr;
	d->ids[id].nb_desc = 1;
	d->nb_free--;
	post_ring(d, &desc, 1);
	return id;
}

int
fake_pdrv_kick_prepare(struct fake_pqueue *q)
{
	struct fake_pdrv *d = &q->drv;
	uint32_t new_pos = vrtc_pring_pos(q->size, d->avail_off, d->avail_wrap);
	uint32_t old_pos = d->kicked_pos;
	uint16_t off_wrap, flags;

	d->kicked_pos = new_pos;
	if (new_pos == old_pos)
		return 0;
	pring_fence_full();
	pring_drv_device_event_load(&d->ring, &off_wrap, &flags);
	switch (flags & 3) {
	case VRTC_PVIRTQ_EVENT_F_DISABLE:
		return 0;
	case VRTC_PVIRTQ_EVENT_F_DESC:
		return !d->event_idx || vrtc_pring_need_event(q->size, off_wrap, new_pos, old_pos);
	default:
		return 1;
	}
}

uint16_t
fake_pdrv_get_used(struct fake_pqueue *q, struct vrtc_drvq_done *done, uint16_t max)
{
	struct fake_pdrv *d = &q->drv;
	uint16_t n = 0;

	while (n < max && !d->broken) {
		uint16_t flags = pring_drv_desc_flags_acquire(&d->ring, d->used_off);
		uint16_t id;
		uint32_t len;

		if (!vrtc_pring_desc_is_used(flags, d->used_wrap))
			break;
		pring_drv_used_load(&d->ring, d->used_off, &id, &len);
		if (!(flags & VRTC_VRING_DESC_F_WRITE))
			len = 0; /* reserved without F_WRITE: ignored */
		if (id >= q->size || d->ids[id].nb_desc == 0) {
			d->broken = FAKE_PDRV_BROKEN_ID;
			break;
		}
		if (len > d->ids[id].writable_bytes) {
			d->broken = FAKE_PDRV_BROKEN_LEN;
			break;
		}
		done[n].cookie = d->ids[id].cookie;
		done[n].len = len;
		done[n].head = id;
		n++;
		pos_advance(q->size, &d->used_off, &d->used_wrap, d->ids[id].nb_desc);
		d->nb_free = (uint16_t)(d->nb_free + d->ids[id].nb_desc);
		d->ids[id].nb_desc = 0;
		d->free_ids[d->nb_free_ids++] = id;
	}
	return n;
}

void
fake_pdrv_interrupts_disable(struct fake_pqueue *q)
{
	pring_drv_event_store(&q->drv.ring, 0, VRTC_PVIRTQ_EVENT_F_DISABLE);
	pring_fence_full();
}

void
fake_pdrv_interrupts_at(struct fake_pqueue *q, uint16_t ahead)
{
	struct fake_pdrv *d = &q->drv;
	uint16_t off = d->used_off;
	uint8_t wrap = d->used_wrap;

	pos_advance(q->size, &off, &wrap, ahead);
	pring_drv_event_store(&d->ring, (uint16_t)(off | (wrap << VRTC_PVIRTQ_EVENT_WRAP_SHIFT)),
			      VRTC_PVIRTQ_EVENT_F_DESC);
	pring_fence_full();
}

void
fake_pdrv_interrupts_enable(struct fake_pqueue *q)
{
	if (q->drv.event_idx) {
		fake_pdrv_interrupts_at(q, 0);
		return;
	}
	pring_drv_event_store(&q->drv.ring, 0, VRTC_PVIRTQ_EVENT_F_ENABLE);
	pring_fence_full();
}

struct fake_serve_result
fake_pserve(struct fake_pqueue *q, uint16_t burst, fake_handler_t fn, void *arg)
{
	struct fake_serve_result res = { 0 };
	struct vrtc_chain chain;
	uint16_t n = vrtc_vqp_avail(&q->dev, burst);

	while (n-- > 0) {
		int rc = vrtc_vqp_pop(&q->dev, &chain);

		if (rc == -EBADMSG) {
			res.popped++;
			res.bad++;
			continue;
		}
		if (rc != 0)
			break;
		res.popped++;
		vrtc_vqp_push(&q->dev, chain.head, fn(&chain, arg));
	}
	res.notify = vrtc_vqp_flush(&q->dev);
	return res;
}

void
fake_praw_desc(struct fake_pqueue *q, uint16_t off, uint64_t gpa, uint32_t len, uint16_t id,
	       uint16_t flags)
{
	pring_drv_desc_store(&q->drv.ring, off, gpa, len, id);
	pring_drv_desc_flags_publish(&q->drv.ring, off, flags);
}

void
fake_praw_post(struct fake_pqueue *q, const struct vrtc_pvirtq_desc *descs, uint16_t nb)
{
	post_ring(&q->drv, descs, nb);
}

void
fake_praw_read(const struct fake_pqueue *q, uint16_t off, struct vrtc_pvirtq_desc *out)
{
	const struct vrtc_pvirtq_desc *d = &q->drv.ring.desc[off];

	out->addr = le64toh(d->addr);
	out->len = le32toh(d->len);
	out->id = le16toh(d->id);
	out->flags = le16toh(d->flags);
}
