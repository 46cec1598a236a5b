/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Driver-side packed queue (drvq_packed.c) against the device engine
 * the packed engine (vrtc_vq_packed_*) over the same ring in one process: ids, wrap counters,
 * chains across the ring end, indirect tables, the batch published by one
 * store, both event suppression areas, and a wrong device.
 */

#include <errno.h>
#include <string.h>

#include "drvq.h"
#include "drvq_contract.h"
#include "fake_driver.h"
#include "test.h"
#include "vq_private.h"

#define FEAT ((UINT64_C(1) << VRTC_VIRTIO_F_VERSION_1) | (UINT64_C(1) << VRTC_VIRTIO_F_RING_PACKED))
#define F_EVENT_IDX (UINT64_C(1) << VRTC_VIRTIO_RING_F_EVENT_IDX)
#define F_INDIRECT (UINT64_C(1) << VRTC_VIRTIO_RING_F_INDIRECT_DESC)

struct env {
	struct fake_guest g;
	struct vrtc_drvq drv;
	struct vrtc_vq dev;
	uint64_t ring_gpa;
	uint64_t gbuf;
	uint8_t *buf;
};

static int
env_init(struct env *e, uint16_t size, uint64_t features)
{
	struct vrtc_drvq_layout l;
	struct vrtc_vq_config cfg;
	void *ring;

	memset(e, 0, sizeof(*e));
	if (fake_guest_init_simple(&e->g, 4 << 20) != 0)
		return -1;
	vrtc_drvq_layout(size, features, &l);
	ring = fake_guest_alloc(&e->g, 0, l.total_bytes, 64, &e->ring_gpa);
	e->buf = fake_guest_alloc(&e->g, 0, 65536, 64, &e->gbuf);
	if (ring == NULL || e->buf == NULL || vrtc_drvq_init(&e->drv, size, features, ring) != 0)
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.layout = VRTC_VQ_PACKED;
	cfg.name = "pdrvq";
	cfg.size = size;
	cfg.features = features;
	cfg.mem = &e->g.mem;
	cfg.desc_gpa = e->ring_gpa;
	cfg.driver_gpa = e->ring_gpa + l.driver_offset;
	cfg.device_gpa = e->ring_gpa + l.device_offset;
	cfg.avail_off_wrap = 1u << VRTC_PVIRTQ_EVENT_WRAP_SHIFT;
	cfg.used_off_wrap = 1u << VRTC_PVIRTQ_EVENT_WRAP_SHIFT;
	return vrtc_vq_init_gpa(&e->dev, &cfg);
}

static void
env_fini(struct env *e)
{
	vrtc_vq_fini(&e->dev);
	vrtc_drvq_fini(&e->drv);
	fake_guest_fini(&e->g);
}

/* One device burst with fake_fill_handler. @return whether to notify. */
static int
serve(struct env *e, uint16_t burst, uint16_t *served)
{
	struct vrtc_chain chain;
	uint16_t n = vrtc_vq_packed_avail(&e->dev, burst), got = 0;

	while (n-- > 0) {
		if (vrtc_vq_packed_pop(&e->dev, &chain) != 0)
			break;
		if (vrtc_vq_packed_push(&e->dev, chain.head, fake_fill_handler(&chain, NULL)) != 0)
			break;
		got++;
	}
	if (served != NULL)
		*served = got;
	return vrtc_vq_packed_flush(&e->dev);
}

static void
layout(void)
{
	struct vrtc_drvq_layout l;
	uint32_t size;

	for (size = 1; size <= 32768; size = size * 2 + 1) {
		vrtc_drvq_layout((uint16_t)size, FEAT, &l);
		T_CHECK(l.driver_offset >= 16u * size);
		T_EQ(l.driver_offset % 64, 0);
		T_EQ(l.device_offset % 64, 0);
		T_CHECK(l.device_offset >= l.driver_offset + 64);
		T_CHECK(l.total_bytes >= l.device_offset + sizeof(struct vrtc_pvirtq_event));
	}
}

static void
init_checks(void)
{
	static uint8_t mem[8192] __attribute__((aligned(64)));
	struct vrtc_drvq q;

	T_EQ_INT(vrtc_drvq_init(&q, 0, FEAT, mem), -EINVAL);
	T_EQ_INT(vrtc_drvq_init(&q, 8, FEAT, mem + 8), -EINVAL);
	T_EQ_INT(vrtc_drvq_init(&q, 8, FEAT, NULL), -EINVAL);
	/* Any size, not only powers of two. */
	T_EQ_INT(vrtc_drvq_init(&q, 5, FEAT, mem), 0);
	T_EQ(vrtc_drvq_avail_base(&q), 0x8000);
	T_EQ(vrtc_drvq_used_base(&q), 0x8000);
	vrtc_drvq_fini(&q);
	vrtc_drvq_fini(&q); /* twice is fine */
}

static void
accounting(void)
{
	struct env e;
	struct vrtc_drvq_buf b[3];
	struct vrtc_drvq_done done[8];
	int id1, id2;

	T_CHECK(env_init(&e, 4, FEAT) == 0);
	b[0] = (struct vrtc_drvq_buf){ e.gbuf, 8, 0 };
	b[1] = (struct vrtc_drvq_buf){ e.gbuf + 8, 8, 1 };
	b[2] = (struct vrtc_drvq_buf){ e.gbuf + 16, 8, 1 };
	T_EQ_INT(vrtc_drvq_add(&e.drv, b, 0, NULL), -EINVAL);
	id1 = vrtc_drvq_add(&e.drv, b, 3, NULL);
	T_EQ_INT(id1, 0);
	T_EQ(e.drv.nb_free, 1);
	T_EQ_INT(vrtc_drvq_add(&e.drv, b, 2, NULL), -ENOSPC);
	id2 = vrtc_drvq_add(&e.drv, b, 1, NULL);
	T_EQ_INT(id2, 1);
	T_EQ(e.drv.nb_free, 0);
	T_EQ(vrtc_drvq_inflight(&e.drv), 2);
	vrtc_drvq_kick_prepare(&e.drv);
	serve(&e, 8, NULL);
	T_EQ(vrtc_drvq_get_used(&e.drv, done, 8), 2);
	T_EQ(done[0].head, 0);
	T_EQ(done[0].len, 16);
	T_EQ(done[1].len, 0);
	T_EQ(e.drv.nb_free, 4);
	T_EQ(vrtc_drvq_inflight(&e.drv), 0);
	/* A full ring was used: both wrap counters flipped. */
	T_EQ(vrtc_drvq_avail_base(&e.drv), 0);
	T_EQ(vrtc_drvq_used_base(&e.drv), 0);
	/* Readable after writable is refused and takes nothing. */
	b[0].writable = 1;
	b[1].writable = 0;
	T_EQ_INT(vrtc_drvq_add(&e.drv, b, 2, NULL), -EINVAL);
	T_EQ(e.drv.nb_free, 4);
	T_EQ(vrtc_drvq_inflight(&e.drv), 0);
	env_fini(&e);
}

/* vrtc_drvq_publish() makes the chains visible without a kick decision;
 * the next kick_prepare still decides for them, and only once. */
static void
publish_then_decide(void)
{
	struct env e;
	struct vrtc_drvq_buf b = { 0, 8, 1 };
	struct vrtc_drvq_done done[4];
	uint16_t served;

	T_CHECK(env_init(&e, 4, FEAT) == 0);
	b.addr = e.gbuf;
	T_CHECK(vrtc_drvq_add(&e.drv, &b, 1, NULL) >= 0);
	serve(&e, 8, &served);
	T_EQ(served, 0); /* not published yet */
	vrtc_drvq_publish(&e.drv);
	vrtc_drvq_publish(&e.drv); /* nothing more: harmless */
	serve(&e, 8, &served);
	T_EQ(served, 1);
	T_EQ(vrtc_drvq_get_used(&e.drv, done, 4), 1);
	T_EQ_INT(vrtc_drvq_kick_prepare(&e.drv), 1); /* device area ENABLE */
	T_EQ_INT(vrtc_drvq_kick_prepare(&e.drv), 0); /* nothing new */
	env_fini(&e);
}

/* Chains of 1..3 descriptors on a ring of 5 (not a power of two) for many
 * laps: chains cross the ring end, both sides agree on the positions. */
static void
laps_across_the_ring_end(void)
{
	struct env e;
	struct vrtc_drvq_done done[8];
	uint32_t round;
	int cookies[5];

	T_CHECK(env_init(&e, 5, FEAT) == 0);
	for (round = 0; round < 400; round++) {
		uint16_t nb = (uint16_t)(1 + round % 3), served, i;
		struct vrtc_drvq_buf b[3];
		int id;

		for (i = 0; i < nb; i++)
			b[i] = (struct vrtc_drvq_buf){ e.gbuf + i * 64u, (uint32_t)(4 + i), i > 0 };
		memset(e.buf, 0, 256);
		id = vrtc_drvq_add(&e.drv, b, nb, &cookies[round % 5]);
		T_CHECK(id >= 0 && id < 5);
		T_EQ(vrtc_drvq_kick_prepare(&e.drv), 1);
		serve(&e, 8, &served);
		T_EQ(served, 1);
		T_EQ(vrtc_drvq_get_used(&e.drv, done, 8), 1);
		T_CHECK(done[0].cookie == &cookies[round % 5]);
		T_EQ(done[0].head, (uint16_t)id);
		T_EQ(done[0].len, nb == 1 ? 0u : nb == 2 ? 5u : 11u);
		T_EQ(e.buf[0], 0);
		if (nb > 1)
			T_EQ(e.buf[64], 0x5A);
		T_EQ(vrtc_drvq_avail_base(&e.drv), vrtc_vq_avail_base(&e.dev));
		T_EQ(vrtc_drvq_used_base(&e.drv), vrtc_vq_used_base(&e.dev));
	}
	T_EQ(e.drv.nb_free, 5);
	T_EQ(vrtc_vq_broken(&e.dev), VRTC_VQ_OK);
	T_EQ(e.dev.stats.bad_chains, 0);
	T_EQ(vrtc_drvq_broken(&e.drv), VRTC_DRVQ_OK);
	env_fini(&e);
}

/* Chains added are invisible to the device until kick_prepare publishes
 * the batch's first flags. */
static void
batch_published_by_kick_prepare(void)
{
	struct env e;
	struct vrtc_drvq_buf b = { 0, 8, 1 };
	struct vrtc_drvq_done done[8];
	uint16_t served, i;

	T_CHECK(env_init(&e, 8, FEAT) == 0);
	b.addr = e.gbuf;
	/* Off the start of the ring: the batch starts mid-ring next lap. */
	for (i = 0; i < 3; i++)
		T_CHECK(vrtc_drvq_add(&e.drv, &b, 1, NULL) >= 0);
	T_EQ(vrtc_vq_packed_avail(&e.dev, 8), 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.drv), 1);
	T_EQ(vrtc_drvq_kick_prepare(&e.drv), 0); /* nothing new */
	serve(&e, 8, &served);
	T_EQ(served, 3);
	T_EQ(vrtc_drvq_get_used(&e.drv, done, 8), 3);
	for (i = 0; i < 7; i++)
		T_CHECK(vrtc_drvq_add(&e.drv, &b, 1, NULL) >= 0);
	T_EQ(vrtc_vq_packed_avail(&e.dev, 8), 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.drv), 1);
	serve(&e, 8, &served);
	T_EQ(served, 7);
	T_EQ(vrtc_drvq_get_used(&e.drv, done, 8), 7);
	T_EQ(vrtc_drvq_avail_base(&e.drv), 2);
	env_fini(&e);
}

/* The device completes in any order; cookies follow the ids, and the
 * positions move by each chain's length. */
static void
completion_out_of_order(void)
{
	struct env e;
	struct vrtc_drvq_buf b[2];
	struct vrtc_drvq_done done[4];
	struct vrtc_chain c0, c1;
	int k0, k1;

	T_CHECK(env_init(&e, 8, FEAT) == 0);
	b[0] = (struct vrtc_drvq_buf){ e.gbuf, 8, 1 };
	b[1] = (struct vrtc_drvq_buf){ e.gbuf + 8, 8, 1 };
	T_EQ_INT(vrtc_drvq_add(&e.drv, b, 2, &k0), 0);
	T_EQ_INT(vrtc_drvq_add(&e.drv, b, 1, &k1), 1);
	vrtc_drvq_kick_prepare(&e.drv);
	T_EQ(vrtc_vq_packed_avail(&e.dev, 8), 8); /* a bound; pop ends the burst */
	T_EQ_INT(vrtc_vq_packed_pop(&e.dev, &c0), 0);
	T_EQ_INT(vrtc_vq_packed_pop(&e.dev, &c1), 0);
	T_EQ_INT(vrtc_vq_packed_pop(&e.dev, &(struct vrtc_chain){ 0 }), -ENOENT);
	T_EQ_INT(vrtc_vq_packed_push(&e.dev, c1.head, 4), 0);
	T_EQ_INT(vrtc_vq_packed_push(&e.dev, c0.head, 16), 0);
	vrtc_vq_packed_flush(&e.dev);
	T_EQ(vrtc_drvq_get_used(&e.drv, done, 4), 2);
	T_CHECK(done[0].cookie == &k1 && done[0].len == 4);
	T_CHECK(done[1].cookie == &k0 && done[1].len == 16);
	T_EQ(vrtc_drvq_used_base(&e.drv), 0x8000 | 3);
	T_EQ(vrtc_drvq_broken(&e.drv), VRTC_DRVQ_OK);
	env_fini(&e);
}

static void
indirect_round_trip(void)
{
	struct env e;
	struct vrtc_pvirtq_desc *tables;
	struct vrtc_drvq_buf b[3];
	struct vrtc_drvq_done done[8];
	uint64_t tables_gpa;
	uint16_t i, served;
	uint32_t round;
	int c[4];

	T_CHECK(env_init(&e, 4, FEAT | F_INDIRECT) == 0);
	tables = fake_guest_alloc(&e.g, 0, 4 * 2 * sizeof(*tables), 16, &tables_gpa);
	T_CHECK(tables != NULL);
	drvq_contract_indirect_refusals(&e.drv, tables, tables_gpa, e.gbuf);
	T_CHECK(!t_case_failed);

	for (round = 0; round < 5; round++) {
		for (i = 0; i < 4; i++) {
			b[0] = (struct vrtc_drvq_buf){ e.gbuf + i * 64u, 16, 0 };
			b[1] = (struct vrtc_drvq_buf){ e.gbuf + i * 64u + 16, (uint32_t)(8 + i), 1 };
			T_CHECK(vrtc_drvq_add_indirect(&e.drv, b, 2, &c[i]) >= 0);
		}
		T_EQ(e.drv.nb_free, 0);
		T_EQ_INT(vrtc_drvq_add_indirect(&e.drv, b, 2, NULL), -ENOSPC);
		T_EQ(vrtc_drvq_kick_prepare(&e.drv), 1);
		serve(&e, 8, &served);
		T_EQ(served, 4);
		T_EQ(vrtc_drvq_get_used(&e.drv, done, 8), 4);
		for (i = 0; i < 4; i++) {
			T_CHECK(done[i].cookie == &c[i]);
			T_EQ(done[i].len, 8 + i);
			T_EQ(e.buf[i * 64u + 16 + 8 + i - 1], 0x5A);
			T_EQ(e.buf[i * 64u + 16 + 8 + i], 0);
			T_EQ(e.buf[i * 64u], 0); /* readable part untouched */
		}
		T_EQ(e.drv.nb_free, 4);
	}
	T_EQ(e.dev.stats.bad_chains, 0);
	T_EQ(vrtc_drvq_broken(&e.drv), VRTC_DRVQ_OK);
	env_fini(&e);
}

/* The device's event area: DISABLE, ENABLE, and DESC with EVENT_IDX. */
static void
kick_suppression(void)
{
	struct env e;
	struct vrtc_drvq_buf b = { 0, 8, 1 };
	struct vrtc_drvq_done done[8];
	uint16_t served;

	T_CHECK(env_init(&e, 8, FEAT) == 0);
	b.addr = e.gbuf;
	vrtc_vq_packed_kicks_disable(&e.dev);
	T_CHECK(vrtc_drvq_add(&e.drv, &b, 1, NULL) >= 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.drv), 0);
	T_EQ(vrtc_vq_packed_kicks_enable(&e.dev), 1); /* it arrived meanwhile */
	serve(&e, 8, NULL);
	vrtc_drvq_get_used(&e.drv, done, 8);
	T_CHECK(vrtc_drvq_add(&e.drv, &b, 1, NULL) >= 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.drv), 1);
	env_fini(&e);

	T_CHECK(env_init(&e, 8, FEAT | F_EVENT_IDX) == 0);
	b.addr = e.gbuf;
	T_EQ(vrtc_vq_packed_kicks_enable(&e.dev), 0); /* DESC at descriptor 0 */
	T_CHECK(vrtc_drvq_add(&e.drv, &b, 1, NULL) >= 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.drv), 1);
	/* The device has not moved its event on: the next chain is past it. */
	T_CHECK(vrtc_drvq_add(&e.drv, &b, 1, NULL) >= 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.drv), 0);
	serve(&e, 8, &served); /* the flush asks for the next descriptor */
	T_EQ(served, 2);
	vrtc_drvq_get_used(&e.drv, done, 8);
	T_CHECK(vrtc_drvq_add(&e.drv, &b, 1, NULL) >= 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.drv), 1);
	env_fini(&e);
}

/* The driver's event area, as the device's flush reads it. */
static void
interrupt_suppression(void)
{
	struct env e;
	struct vrtc_drvq_buf b = { 0, 8, 1 };
	struct vrtc_drvq_done done[8];
	int with_event_idx;

	for (with_event_idx = 0; with_event_idx < 2; with_event_idx++) {
		T_CHECK(env_init(&e, 8, FEAT | (with_event_idx ? F_EVENT_IDX : 0)) == 0);
		b.addr = e.gbuf;
		vrtc_drvq_interrupts_disable(&e.drv);
		T_CHECK(vrtc_drvq_add(&e.drv, &b, 1, NULL) >= 0);
		vrtc_drvq_kick_prepare(&e.drv);
		T_EQ(serve(&e, 8, NULL), 0);
		T_EQ(vrtc_drvq_get_used(&e.drv, done, 8), 1);

		vrtc_drvq_interrupts_enable(&e.drv);
		T_CHECK(vrtc_drvq_add(&e.drv, &b, 1, NULL) >= 0);
		vrtc_drvq_kick_prepare(&e.drv);
		T_EQ(serve(&e, 8, NULL), 1);
		/* Not yet collected: with EVENT_IDX the event stays behind. */
		T_CHECK(vrtc_drvq_add(&e.drv, &b, 1, NULL) >= 0);
		vrtc_drvq_kick_prepare(&e.drv);
		T_EQ(serve(&e, 8, NULL), !with_event_idx);
		/* Collecting moves the event to the next used descriptor. */
		T_EQ(vrtc_drvq_get_used(&e.drv, done, 8), 2);
		T_CHECK(vrtc_drvq_add(&e.drv, &b, 1, NULL) >= 0);
		vrtc_drvq_kick_prepare(&e.drv);
		T_EQ(serve(&e, 8, NULL), 1);
		T_EQ(vrtc_drvq_get_used(&e.drv, done, 8), 1);
		env_fini(&e);
	}
}

/* A used descriptor written by hand at the driver's used position. */
static void
device_writes(struct env *e, uint16_t off, uint16_t id, uint32_t len, uint16_t flags)
{
	pring_dev_used_store(&e->drv.ring, off, id, len);
	pring_dev_used_flags_publish(&e->drv.ring, off, flags);
}

static void
wrong_device(void)
{
	const uint16_t used1 = (uint16_t)(vrtc_pring_used_bits(1) | VRTC_VRING_DESC_F_WRITE);
	struct env e;
	struct vrtc_drvq_buf b[2];
	struct vrtc_drvq_done done[4];
	int id;

	/* An id not in flight, then one out of range. */
	T_CHECK(env_init(&e, 8, FEAT) == 0);
	b[0] = (struct vrtc_drvq_buf){ e.gbuf, 8, 1 };
	id = vrtc_drvq_add(&e.drv, b, 1, NULL);
	T_CHECK(id >= 0);
	vrtc_drvq_kick_prepare(&e.drv);
	device_writes(&e, 0, (uint16_t)(id + 1), 8, used1);
	T_EQ(vrtc_drvq_get_used(&e.drv, done, 4), 0);
	T_EQ(vrtc_drvq_broken(&e.drv), VRTC_DRVQ_BROKEN_USED_ID);
	T_EQ_INT(vrtc_drvq_add(&e.drv, b, 1, NULL), -EIO);
	T_EQ_INT(vrtc_drvq_add_indirect(&e.drv, b, 1, NULL), -EIO);
	env_fini(&e);

	T_CHECK(env_init(&e, 8, FEAT) == 0);
	b[0] = (struct vrtc_drvq_buf){ e.gbuf, 8, 1 };
	T_CHECK(vrtc_drvq_add(&e.drv, b, 1, NULL) >= 0);
	vrtc_drvq_kick_prepare(&e.drv);
	device_writes(&e, 0, 1000, 8, used1);
	T_EQ(vrtc_drvq_get_used(&e.drv, done, 4), 0);
	T_EQ(vrtc_drvq_broken(&e.drv), VRTC_DRVQ_BROKEN_USED_ID);
	env_fini(&e);

	/* A length above the writable bytes; without F_WRITE it is ignored. */
	T_CHECK(env_init(&e, 8, FEAT) == 0);
	b[0] = (struct vrtc_drvq_buf){ e.gbuf, 100, 0 };
	b[1] = (struct vrtc_drvq_buf){ e.gbuf + 128, 16, 1 };
	id = vrtc_drvq_add(&e.drv, b, 2, NULL);
	T_CHECK(vrtc_drvq_add(&e.drv, b, 2, NULL) >= 0);
	vrtc_drvq_kick_prepare(&e.drv);
	device_writes(&e, 0, (uint16_t)id, 17, vrtc_pring_used_bits(1));
	T_EQ(vrtc_drvq_get_used(&e.drv, done, 4), 1);
	T_EQ(done[0].len, 0);
	device_writes(&e, 2, 1, 17, used1);
	T_EQ(vrtc_drvq_get_used(&e.drv, done, 4), 0);
	T_EQ(vrtc_drvq_broken(&e.drv), VRTC_DRVQ_BROKEN_USED_LEN);
	env_fini(&e);

	/* Used bits of the wrong lap: not a completion. */
	T_CHECK(env_init(&e, 8, FEAT) == 0);
	b[0] = (struct vrtc_drvq_buf){ e.gbuf, 8, 1 };
	T_CHECK(vrtc_drvq_add(&e.drv, b, 1, NULL) >= 0);
	vrtc_drvq_kick_prepare(&e.drv);
	device_writes(&e, 0, 0, 8, (uint16_t)(vrtc_pring_used_bits(0) | VRTC_VRING_DESC_F_WRITE));
	T_EQ(vrtc_drvq_get_used(&e.drv, done, 4), 0);
	T_EQ(vrtc_drvq_broken(&e.drv), VRTC_DRVQ_OK);
	T_EQ(vrtc_drvq_inflight(&e.drv), 1);
	env_fini(&e);
}

/* Ids run out before descriptors only with indirect chains. */
static void
ids_run_out(void)
{
	struct env e;
	struct vrtc_pvirtq_desc *tables;
	struct vrtc_drvq_buf b = { 0, 8, 1 };
	uint64_t tables_gpa;
	uint16_t i;

	T_CHECK(env_init(&e, 3, FEAT | F_INDIRECT) == 0);
	tables = fake_guest_alloc(&e.g, 0, 3 * sizeof(*tables), 16, &tables_gpa);
	T_EQ_INT(vrtc_drvq_indirect_init(&e.drv, tables, tables_gpa, 1), 0);
	b.addr = e.gbuf;
	for (i = 0; i < 3; i++)
		T_EQ_INT(vrtc_drvq_add_indirect(&e.drv, &b, 1, NULL), i);
	T_EQ_INT(vrtc_drvq_add_indirect(&e.drv, &b, 1, NULL), -ENOSPC);
	T_EQ_INT(vrtc_drvq_add(&e.drv, &b, 1, NULL), -ENOSPC);
	env_fini(&e);
}


/* xorshift64*: a fixed seed, so a failure repeats. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

#define PROP_MAX_SIZE 64

/*
 * Property: random interleavings of adds (1..3 direct descriptors, or one
 * indirect), kick decisions, device bursts that complete what they pop in
 * a random order and in several flushes, and collections of random size,
 * on rings of several sizes (powers of two and not). Every chain comes back
 * exactly once, with its cookie and its writable length; the driver never
 * sees a wrong device; when nothing is in flight, both sides agree on the
 * positions and every descriptor is free again.
 */
static void
property_random_interleavings(void)
{
	static const uint16_t sizes[] = { 1, 2, 3, 5, 8, 13, 64 };
	uint64_t seed = UINT64_C(0x9E3779B97F4A7C15);
	size_t si;

	for (si = 0; si < VRTC_ARRAY_SIZE(sizes); si++) {
		const uint16_t size = sizes[si];
		struct vrtc_pvirtq_desc *tables;
		uint64_t tables_gpa;
		uint32_t expect[PROP_MAX_SIZE];
		uintptr_t cookie_of[PROP_MAX_SIZE];
		uint8_t out[PROP_MAX_SIZE];
		uint32_t added = 0, returned = 0, step;
		struct env e;
		uint16_t k;

		T_CHECK(env_init(&e, size, FEAT | F_INDIRECT | (si & 1 ? F_EVENT_IDX : 0)) == 0);
		tables = fake_guest_alloc(&e.g, 0, (size_t)size * 3 * sizeof(*tables), 16,
					  &tables_gpa);
		T_CHECK(tables != NULL);
		T_EQ_INT(vrtc_drvq_indirect_init(&e.drv, tables, tables_gpa,
						  (uint16_t)(size < 3 ? size : 3)), 0);
		memset(out, 0, sizeof(out));
		for (step = 0; step < 20000; step++) {
			uint64_t r = rnd(&seed);

			switch (r % 4) {
			case 0: { /* add */
				struct vrtc_drvq_buf b[3];
				uint16_t nb = (uint16_t)(1 + (r >> 8) % 3), i;
				int indirect = ((r >> 16) & 1) && nb <= e.drv.indirect_max;
				uint32_t wr = 0;
				void *cookie;
				int id;

				for (i = 0; i < nb; i++) {
					b[i] = (struct vrtc_drvq_buf){ e.gbuf + i * 64u,
								       (uint32_t)(1 + (r >> (20 + i * 4)) % 16),
								       i > 0 || nb == 1 };
					wr += b[i].writable ? b[i].len : 0;
				}
				cookie = (void *)(uintptr_t)(added + 1);
				id = indirect ? vrtc_drvq_add_indirect(&e.drv, b, nb, cookie)
					      : vrtc_drvq_add(&e.drv, b, nb, cookie);
				if (id == -ENOSPC)
					break;
				T_CHECK(id >= 0 && id < size);
				T_EQ(out[id], 0);
				out[id] = 1;
				cookie_of[id] = added + 1;
				expect[id] = wr;
				added++;
				break;
			}
			case 1:
				vrtc_drvq_kick_prepare(&e.drv);
				break;
			case 2: { /* device: pop some, push them back in a random order */
				struct vrtc_chain c;
				uint16_t ids[PROP_MAX_SIZE], lens[PROP_MAX_SIZE], n, got = 0, i;

				n = vrtc_vq_packed_avail(&e.dev, (uint16_t)(1 + (r >> 8) % size));
				while (n-- > 0 && vrtc_vq_packed_pop(&e.dev, &c) == 0) {
					lens[got] = (uint16_t)fake_fill_handler(&c, NULL);
					ids[got++] = c.head;
				}
				for (i = got; i > 1; i--) {
					uint16_t j = (uint16_t)(rnd(&seed) % i), t;

					t = ids[i - 1], ids[i - 1] = ids[j], ids[j] = t;
					t = lens[i - 1], lens[i - 1] = lens[j], lens[j] = t;
				}
				for (i = 0; i < got; i++) {
					T_EQ_INT(vrtc_vq_packed_push(&e.dev, ids[i], lens[i]), 0);
					if ((rnd(&seed) & 3) == 0)
						vrtc_vq_packed_flush(&e.dev);
				}
				vrtc_vq_packed_flush(&e.dev);
				break;
			}
			default: { /* collect */
				struct vrtc_drvq_done done[PROP_MAX_SIZE];
				uint16_t n = vrtc_drvq_get_used(&e.drv, done,
								 (uint16_t)(1 + (r >> 8) % size));

				for (k = 0; k < n; k++) {
					uint16_t id = done[k].head;

					T_CHECK(id < size && out[id] == 1);
					T_CHECK(done[k].cookie == (void *)cookie_of[id]);
					T_EQ(done[k].len, expect[id]);
					out[id] = 0;
					returned++;
				}
				break;
			}
			}
			T_EQ(vrtc_drvq_broken(&e.drv), VRTC_DRVQ_OK);
			T_EQ(vrtc_vq_broken(&e.dev), VRTC_VQ_OK);
			if (vrtc_drvq_inflight(&e.drv) == 0) {
				T_EQ(e.drv.nb_free, size);
				T_EQ(vrtc_drvq_used_base(&e.drv), vrtc_vq_used_base(&e.dev));
				if (e.drv.batch_len == 0)
					T_EQ(vrtc_drvq_avail_base(&e.drv),
					     vrtc_vq_avail_base(&e.dev));
			}
		}
		T_EQ(returned + vrtc_drvq_inflight(&e.drv), added);
		T_CHECK(added > 500); /* the ring went round many times */
		T_EQ(e.dev.stats.bad_chains, 0);
		T_EQ(e.dev.stats.bad_push, 0);
		env_fini(&e);
	}
}

static const struct t_case cases[] = {
	T_CASE(layout),
	T_CASE(init_checks),
	T_CASE(accounting),
	T_CASE(publish_then_decide),
	T_CASE(laps_across_the_ring_end),
	T_CASE(batch_published_by_kick_prepare),
	T_CASE(completion_out_of_order),
	T_CASE(indirect_round_trip),
	T_CASE(kick_suppression),
	T_CASE(interrupt_suppression),
	T_CASE(wrong_device),
	T_CASE(ids_run_out),
	T_CASE(property_random_interleavings),
};

T_MAIN(cases)
