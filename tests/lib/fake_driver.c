/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_driver.h"

int
fake_guest_init(struct fake_guest *g, const struct fake_region_spec *spec, uint32_t nb)
{
	struct vrtc_mem_region regions[FAKE_MAX_REGIONS];
	uint32_t i;
	int rc;

	memset(g, 0, sizeof(*g));
	if (nb == 0 || nb > FAKE_MAX_REGIONS)
		return -EINVAL;
	for (i = 0; i < nb; i++) {
		void *p = NULL;

		if (posix_memalign(&p, 4096, spec[i].size) != 0) {
			fake_guest_fini(g);
			return -ENOMEM;
		}
		memset(p, 0, spec[i].size);
		g->r[i].host = p;
		g->r[i].gpa = spec[i].gpa;
		g->r[i].size = spec[i].size;
		g->nb_regions = i + 1;
		regions[i].gpa = spec[i].gpa;
		regions[i].size = spec[i].size;
		regions[i].hva = (uint64_t)(uintptr_t)p;
	}
	rc = vrtc_mem_init(&g->mem, regions, nb);
	if (rc != 0)
		fake_guest_fini(g);
	return rc;
}

int
fake_guest_init_simple(struct fake_guest *g, size_t size)
{
	/* 1 TiB is far above any heap address of a test process. */
	const struct fake_region_spec spec = { .gpa = UINT64_C(1) << 40, .size = size };

	return fake_guest_init(g, &spec, 1);
}

void
fake_guest_fini(struct fake_guest *g)
{
	uint32_t i;

	for (i = 0; i < g->nb_regions; i++)
		free(g->r[i].host);
	memset(g, 0, sizeof(*g));
}

void *
fake_guest_alloc(struct fake_guest *g, uint32_t region, size_t len, size_t align, uint64_t *gpa)
{
	size_t off;

	if (region >= g->nb_regions || align == 0 || (align & (align - 1)) != 0)
		return NULL;
	off = (g->r[region].brk + align - 1) & ~(align - 1);
	if (off > g->r[region].size || len > g->r[region].size - off)
		return NULL;
	g->r[region].brk = off + len;
	if (gpa != NULL)
		*gpa = g->r[region].gpa + off;
	return g->r[region].host + off;
}

uint64_t
fake_gpa(const struct fake_guest *g, const void *host)
{
	const uint8_t *p = host;
	uint32_t i;

	for (i = 0; i < g->nb_regions; i++) {
		if (p >= g->r[i].host && p < g->r[i].host + g->r[i].size)
			return g->r[i].gpa + (uint64_t)(p - g->r[i].host);
	}
	fprintf(stderr, "fake_gpa: %p is not guest memory\n", host);
	abort();
}

int
fake_queue_init(struct fake_queue *q, struct fake_guest *g, uint16_t size, uint64_t features)
{
	struct vrtc_drvq_layout layout;
	struct vrtc_vq_config cfg;
	uint64_t ring_gpa;
	void *ring;
	int rc;

	memset(q, 0, sizeof(*q));
	q->g = g;
	q->size = size;
	vrtc_drvq_layout(size, features, &layout);
	ring = fake_guest_alloc(g, 0, layout.total_bytes, 4096, &ring_gpa);
	if (ring == NULL)
		return -ENOMEM;
	rc = vrtc_drvq_init(&q->drv, size, features, ring);
	if (rc != 0)
		return rc;
	q->desc_gpa = ring_gpa;
	q->avail_gpa = ring_gpa + layout.driver_offset;
	q->used_gpa = ring_gpa + layout.device_offset;

	memset(&cfg, 0, sizeof(cfg));
	cfg.name = "fake";
	cfg.size = size;
	cfg.features = features;
	cfg.mem = &g->mem;
	cfg.desc_gpa = q->desc_gpa;
	cfg.avail_gpa = q->avail_gpa;
	cfg.used_gpa = q->used_gpa;
	rc = vrtc_vq_init_gpa(&q->dev, &cfg);
	if (rc != 0)
		vrtc_drvq_fini(&q->drv);
	return rc;
}

void
fake_queue_fini(struct fake_queue *q)
{
	vrtc_vq_fini(&q->dev);
	vrtc_drvq_fini(&q->drv);
}

void
fake_raw_desc(struct fake_queue *q, uint16_t idx, uint64_t gpa, uint32_t len, uint16_t flags,
	      uint16_t next)
{
	vring_drv_desc_store(&q->drv.vring, idx, gpa, len, flags, next);
}

void
fake_raw_avail_head(struct fake_queue *q, uint16_t head)
{
	vring_drv_avail_head_store(&q->drv.vring, q->raw_avail_idx & (q->size - 1), head);
	q->raw_avail_idx++;
	vring_drv_avail_idx_publish(&q->drv.vring, q->raw_avail_idx);
}

void
fake_raw_avail_idx(struct fake_queue *q, uint16_t idx)
{
	q->raw_avail_idx = idx;
	vring_drv_avail_idx_publish(&q->drv.vring, idx);
}

void
fake_used_elem(const struct fake_queue *q, uint16_t slot, uint32_t *id, uint32_t *len)
{
	vring_drv_used_elem_load(&q->drv.vring, slot & (q->size - 1), id, len);
}

uint16_t
fake_used_idx(const struct fake_queue *q)
{
	return vring_drv_used_idx_acquire(&q->drv.vring);
}

struct fake_serve_result
fake_serve(struct fake_queue *q, uint16_t burst, fake_handler_t fn, void *arg)
{
	struct fake_serve_result res = { 0 };
	struct vrtc_chain chain;
	uint16_t n = vrtc_vq_split_avail(&q->dev, burst);

	while (n-- > 0) {
		int rc = vrtc_vq_split_pop(&q->dev, &chain);

		if (rc == -EBADMSG) {
			res.popped++;
			res.bad++;
			continue;
		}
		if (rc != 0)
			break;
		res.popped++;
		vrtc_vq_split_push(&q->dev, chain.head, fn(&chain, arg));
	}
	res.notify = vrtc_vq_split_flush(&q->dev);
	return res;
}

uint32_t
fake_fill_handler(const struct vrtc_chain *chain, void *arg)
{
	uint16_t i;

	(void)arg;
	for (i = 0; i < chain->nb_writable; i++) {
		const struct vrtc_seg *s = vrtc_chain_writable_seg(chain, i);

		memset(s->addr, 0x5A, s->len);
	}
	return chain->writable_bytes;
}

static void
dirty_record(void *opaque, uint64_t gpa, uint64_t len)
{
	struct fake_dirty_log *l = opaque;

	if (l->nb == FAKE_DIRTY_MAX) {
		l->dropped++;
		return;
	}
	l->r[l->nb].gpa = gpa;
	l->r[l->nb].len = len;
	l->nb++;
}

void
fake_dirty_log_attach(struct fake_dirty_log *l, struct fake_guest *g)
{
	memset(l, 0, sizeof(*l));
	l->log.dirty = dirty_record;
	l->log.opaque = l;
	vrtc_mem_set_log(&g->mem, &l->log);
}

void
fake_dirty_log_clear(struct fake_dirty_log *l)
{
	l->nb = 0;
	l->dropped = 0;
}

int
fake_guest_snapshot(const struct fake_guest *g, uint8_t *snap[FAKE_MAX_REGIONS])
{
	uint32_t i;

	memset(snap, 0, sizeof(*snap) * FAKE_MAX_REGIONS);
	for (i = 0; i < g->nb_regions; i++) {
		snap[i] = malloc(g->r[i].size);
		if (snap[i] == NULL) {
			fake_guest_snapshot_free(snap);
			return -ENOMEM;
		}
		memcpy(snap[i], g->r[i].host, g->r[i].size);
	}
	return 0;
}

void
fake_guest_snapshot_free(uint8_t *snap[FAKE_MAX_REGIONS])
{
	uint32_t i;

	for (i = 0; i < FAKE_MAX_REGIONS; i++) {
		free(snap[i]);
		snap[i] = NULL;
	}
}

int
fake_dirty_log_covers(const struct fake_dirty_log *l, const struct fake_guest *g,
		      uint8_t *const snap[FAKE_MAX_REGIONS])
{
	uint32_t i, k;
	size_t b;

	for (i = 0; i < g->nb_regions; i++) {
		for (b = 0; b < g->r[i].size; b++) {
			uint64_t gpa = g->r[i].gpa + b;

			if (g->r[i].host[b] == snap[i][b])
				continue;
			for (k = 0; k < l->nb; k++)
				if (gpa >= l->r[k].gpa && gpa - l->r[k].gpa < l->r[k].len)
					break;
			if (k == l->nb) {
				fprintf(stderr, "guest byte at gpa 0x%" PRIx64
						" changed and was not logged\n", gpa);
				return 0;
			}
		}
	}
	return 1;
}
