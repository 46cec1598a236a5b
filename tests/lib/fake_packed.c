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
	struct vrtc_vq_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.layout = VRTC_VQ_PACKED;
	cfg.name = "fakep";
	cfg.size = q->size;
	cfg.features = q->features;
	cfg.mem = &q->g->mem;
	cfg.desc_gpa = q->desc_gpa;
	cfg.driver_gpa = q->driver_gpa;
	cfg.device_gpa = q->device_gpa;
	cfg.avail_off_wrap = avail_off_wrap;
	cfg.used_off_wrap = used_off_wrap;
	return vrtc_vq_init_gpa(&q->dev, &cfg);
}

int
fake_pqueue_init_at(struct fake_pqueue *q, struct fake_guest *g, uint16_t size,
		    uint64_t features, uint16_t avail_off_wrap, uint16_t used_off_wrap)
{
	struct vrtc_drvq *d = &q->drv;
	struct vrtc_drvq_layout layout;
	uint8_t *ring;
	uint64_t gpa;
	int rc;

	memset(q, 0, sizeof(*q));
	if (size == 0 || size > VRTC_PVIRTQ_MAX_SIZE)
		return -EINVAL;
	q->g = g;
	q->size = size;
	q->features = features | (UINT64_C(1) << VRTC_VIRTIO_F_RING_PACKED);
	vrtc_drvq_layout(size, q->features, &layout);
	ring = fake_guest_alloc(g, 0, layout.total_bytes, 4096, &gpa);
	if (ring == NULL)
		return -ENOMEM;
	q->desc_gpa = gpa;
	q->driver_gpa = gpa + layout.driver_offset;
	q->device_gpa = gpa + layout.device_offset;
	rc = vrtc_drvq_init(d, size, q->features, ring);
	if (rc != 0)
		return rc;
	/* Resume where the device side starts (a fresh queue starts at
	 * offset 0, wrap 1: what vrtc_drvq_init() set already). */
	d->avail_off = avail_off_wrap & VRTC_PVIRTQ_EVENT_OFF_MASK;
	d->avail_wrap = (uint8_t)(avail_off_wrap >> VRTC_PVIRTQ_EVENT_WRAP_SHIFT);
	d->used_off = used_off_wrap & VRTC_PVIRTQ_EVENT_OFF_MASK;
	d->used_wrap = (uint8_t)(used_off_wrap >> VRTC_PVIRTQ_EVENT_WRAP_SHIFT);
	d->kicked_pos = vrtc_pring_pos(size, d->avail_off, d->avail_wrap);
	/* The driver event area is the test's (fake_pdrv_interrupts_*):
	 * vrtc_drvq_get_used() leaves it alone. */
	d->interrupts_enabled = 0;
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
	vrtc_vq_fini(&q->dev);
	vrtc_drvq_fini(&q->drv);
}

int
fake_pqueue_reattach(struct fake_pqueue *q)
{
	uint16_t a = vrtc_vq_avail_base(&q->dev);
	uint16_t u = vrtc_vq_used_base(&q->dev);

	vrtc_vq_fini(&q->dev);
	return dev_attach(q, a, u);
}

/* Write @p nb ring descriptors at the driver's position, the first flags last. */
static void
post_ring(struct vrtc_drvq *d, const struct vrtc_pvirtq_desc *descs, uint16_t nb)
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
	int id = vrtc_drvq_add(&q->drv, bufs, nb, cookie);

	if (id >= 0)
		vrtc_drvq_publish(&q->drv);
	return id;
}

int
fake_pdrv_indirect_init(struct fake_pqueue *q, uint16_t nb_entries)
{
	struct vrtc_pvirtq_desc *tables;
	uint64_t gpa;

	if (nb_entries == 0 || nb_entries > q->size)
		return -EINVAL;
	tables = fake_guest_alloc(q->g, 0, (size_t)q->size * nb_entries * sizeof(*tables), 16,
				  &gpa);
	if (tables == NULL)
		return -ENOMEM;
	return vrtc_drvq_indirect_init(&q->drv, tables, gpa, nb_entries);
}

int
fake_pdrv_add_indirect(struct fake_pqueue *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
		       void *cookie)
{
	int id = vrtc_drvq_add_indirect(&q->drv, bufs, nb, cookie);

	if (id >= 0)
		vrtc_drvq_publish(&q->drv);
	return id;
}

int
fake_pdrv_kick_prepare(struct fake_pqueue *q)
{
	return vrtc_drvq_kick_prepare(&q->drv);
}

uint16_t
fake_pdrv_get_used(struct fake_pqueue *q, struct vrtc_drvq_done *done, uint16_t max)
{
	return vrtc_drvq_get_used(&q->drv, done, max);
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
	struct vrtc_drvq *d = &q->drv;
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
	uint16_t n = vrtc_vq_packed_avail(&q->dev, burst);

	while (n-- > 0) {
		int rc = vrtc_vq_packed_pop(&q->dev, &chain);

		if (rc == -EBADMSG) {
			res.popped++;
			res.bad++;
			continue;
		}
		if (rc != 0)
			break;
		res.popped++;
		vrtc_vq_packed_push(&q->dev, chain.head, fn(&chain, arg));
	}
	res.notify = vrtc_vq_packed_flush(&q->dev);
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
