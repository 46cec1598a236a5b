/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Driver-side queue: descriptor accounting, and protection against a wrong
 * device (the front-end must survive any back-end, not only ours).
 */

#include <errno.h>

#include "drvq_contract.h"
#include "fake_driver.h"
#include "test.h"

#define FEAT (UINT64_C(1) << VRTC_VIRTIO_F_VERSION_1)

struct env {
	struct fake_guest g;
	struct fake_queue q;
	uint64_t gbuf;
};

static int
env_init(struct env *e, uint16_t size)
{
	if (fake_guest_init_simple(&e->g, 1 << 20) != 0 ||
	    fake_queue_init(&e->q, &e->g, size, FEAT) != 0)
		return -1;
	fake_guest_alloc(&e->g, 0, 4096, 8, &e->gbuf);
	return 0;
}

static void
env_fini(struct env *e)
{
	fake_queue_fini(&e->q);
	fake_guest_fini(&e->g);
}

static void
layout_alignment(void)
{
	struct vrtc_drvq_layout l;
	uint16_t size;

	for (size = 1; size != 0 && size <= 32768; size = (uint16_t)(size * 2)) {
		vrtc_drvq_layout(size, FEAT, &l);
		T_EQ(l.driver_offset, 16u * size);
		T_EQ(l.device_offset % 64, 0);
		T_CHECK(l.device_offset >= l.driver_offset + vrtc_vring_avail_bytes(size));
		T_CHECK(l.total_bytes >= l.device_offset + vrtc_vring_used_bytes(size));
	}
}

static void
init_rejects_bad_size(void)
{
	struct vrtc_drvq q;
	static uint8_t mem[65536] __attribute__((aligned(64)));

	T_EQ_INT(vrtc_drvq_init(&q, 0, FEAT, mem), -EINVAL);
	T_EQ_INT(vrtc_drvq_init(&q, 6, FEAT, mem), -EINVAL);
	T_EQ_INT(vrtc_drvq_init(&q, 8, FEAT, mem + 8), -EINVAL);
	T_EQ_INT(vrtc_drvq_init(&q, 8, FEAT, NULL), -EINVAL);
	T_EQ_INT(vrtc_drvq_init(&q, 8, FEAT, mem), 0);
	vrtc_drvq_fini(&q);
}

static void
descriptor_accounting(void)
{
	struct env e;
	struct vrtc_drvq_buf b[3];
	struct vrtc_drvq_done done[8];
	int h1, h2;

	T_CHECK(env_init(&e, 4) == 0);
	b[0] = (struct vrtc_drvq_buf){ e.gbuf, 8, 0 };
	b[1] = (struct vrtc_drvq_buf){ e.gbuf + 8, 8, 1 };
	b[2] = (struct vrtc_drvq_buf){ e.gbuf + 16, 8, 1 };
	T_EQ_INT(vrtc_drvq_add(&e.q.drv, b, 0, NULL), -EINVAL);
	h1 = vrtc_drvq_add(&e.q.drv, b, 3, NULL);
	T_CHECK(h1 >= 0);
	T_EQ(e.q.drv.nb_free, 1);
	T_EQ_INT(vrtc_drvq_add(&e.q.drv, b, 2, NULL), -ENOSPC);
	h2 = vrtc_drvq_add(&e.q.drv, b, 1, NULL);
	T_CHECK(h2 >= 0);
	T_EQ(e.q.drv.nb_free, 0);
	vrtc_drvq_kick_prepare(&e.q.drv);
	fake_serve(&e.q, 8, fake_fill_handler, NULL);
	T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 8), 2);
	T_EQ(done[0].len, 16);
	T_EQ(done[1].len, 0);
	T_EQ(e.q.drv.nb_free, 4);
	T_EQ(e.q.drv.nb_inflight, 0);
	/* All four descriptors are usable again as one chain. */
	{
		struct vrtc_drvq_buf four[4] = {
			{ e.gbuf, 1, 0 }, { e.gbuf, 1, 0 }, { e.gbuf, 1, 1 }, { e.gbuf, 1, 1 }
		};

		T_CHECK(vrtc_drvq_add(&e.q.drv, four, 4, NULL) >= 0);
	}
	env_fini(&e);
}

/* vrtc_drvq_publish() makes the chains visible without a kick decision;
 * the next kick_prepare still decides for them, and only once. */
static void
publish_then_decide(void)
{
	struct env e;
	struct vrtc_drvq_buf b;
	struct vrtc_drvq_done done[4];

	T_CHECK(env_init(&e, 4) == 0);
	b = (struct vrtc_drvq_buf){ e.gbuf, 8, 1 };
	T_CHECK(vrtc_drvq_add(&e.q.drv, &b, 1, NULL) >= 0);
	T_EQ(fake_serve(&e.q, 8, fake_fill_handler, NULL).popped, 0); /* not published */
	vrtc_drvq_publish(&e.q.drv);
	T_EQ(fake_serve(&e.q, 8, fake_fill_handler, NULL).popped, 1);
	T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 4), 1);
	T_EQ_INT(vrtc_drvq_kick_prepare(&e.q.drv), 1); /* used->flags 0: kick */
	T_EQ_INT(vrtc_drvq_kick_prepare(&e.q.drv), 0); /* nothing new */
	env_fini(&e);
}

static void
refuses_readable_after_writable(void)
{
	struct env e;
	struct vrtc_drvq_buf b[2];

	T_CHECK(env_init(&e, 8) == 0);
	b[0] = (struct vrtc_drvq_buf){ e.gbuf, 8, 1 };
	b[1] = (struct vrtc_drvq_buf){ e.gbuf, 8, 0 };
	T_EQ_INT(vrtc_drvq_add(&e.q.drv, b, 2, NULL), -EINVAL);
	T_EQ(e.q.drv.nb_free, 8);
	env_fini(&e);
}

/* The device side is faked by hand below: write used elements directly. */
static void
device_writes(struct env *e, uint16_t slot, uint32_t id, uint32_t len, uint16_t new_used_idx)
{
	vring_dev_used_elem_store(&e->q.drv.vring, slot & e->q.drv.mask, id, len);
	vring_dev_used_idx_publish(&e->q.drv.vring, new_used_idx);
}

static void
wrong_device_used_id(void)
{
	struct env e;
	struct vrtc_drvq_buf b = { 0, 8, 1 };
	struct vrtc_drvq_done done[4];
	int h;

	T_CHECK(env_init(&e, 8) == 0);
	b.addr = e.gbuf;
	h = vrtc_drvq_add(&e.q.drv, &b, 1, NULL);
	T_CHECK(h >= 0);
	vrtc_drvq_kick_prepare(&e.q.drv);
	device_writes(&e, 0, (uint32_t)h + 1, 8, 1); /* not in flight */
	T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 4), 0);
	T_EQ(e.q.drv.broken, VRTC_DRVQ_BROKEN_USED_ID);
	T_EQ_INT(vrtc_drvq_add(&e.q.drv, &b, 1, NULL), -EIO);
	env_fini(&e);

	T_CHECK(env_init(&e, 8) == 0);
	T_CHECK(vrtc_drvq_add(&e.q.drv, &b, 1, NULL) >= 0);
	device_writes(&e, 0, 1000, 8, 1); /* out of range */
	T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 4), 0);
	T_EQ(e.q.drv.broken, VRTC_DRVQ_BROKEN_USED_ID);
	env_fini(&e);
}

static void
wrong_device_used_len(void)
{
	struct env e;
	struct vrtc_drvq_buf b[2];
	struct vrtc_drvq_done done[4];
	int h;

	T_CHECK(env_init(&e, 8) == 0);
	b[0] = (struct vrtc_drvq_buf){ e.gbuf, 100, 0 };
	b[1] = (struct vrtc_drvq_buf){ e.gbuf + 128, 16, 1 };
	h = vrtc_drvq_add(&e.q.drv, b, 2, NULL);
	T_CHECK(h >= 0);
	device_writes(&e, 0, (uint32_t)h, 17, 1); /* 16 writable bytes posted */
	T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 4), 0);
	T_EQ(e.q.drv.broken, VRTC_DRVQ_BROKEN_USED_LEN);
	env_fini(&e);
}

static void
wrong_device_used_idx(void)
{
	struct env e;
	struct vrtc_drvq_buf b = { 0, 8, 1 };
	struct vrtc_drvq_done done[4];
	int h;

	T_CHECK(env_init(&e, 8) == 0);
	b.addr = e.gbuf;
	h = vrtc_drvq_add(&e.q.drv, &b, 1, NULL);
	T_CHECK(h >= 0);
	device_writes(&e, 0, (uint32_t)h, 8, 2); /* two used, one in flight */
	T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 4), 0);
	T_EQ(e.q.drv.broken, VRTC_DRVQ_BROKEN_USED_IDX);
	env_fini(&e);
}

static void
completion_out_of_order(void)
{
	struct env e;
	struct vrtc_drvq_buf b = { 0, 8, 1 };
	struct vrtc_drvq_done done[4];
	int h0, h1;
	int c0, c1;

	/* Devices may complete in any order; cookies follow the heads. */
	T_CHECK(env_init(&e, 8) == 0);
	b.addr = e.gbuf;
	h0 = vrtc_drvq_add(&e.q.drv, &b, 1, &c0);
	h1 = vrtc_drvq_add(&e.q.drv, &b, 1, &c1);
	device_writes(&e, 0, (uint32_t)h1, 4, 1);
	device_writes(&e, 1, (uint32_t)h0, 8, 2);
	T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 4), 2);
	T_CHECK(done[0].cookie == &c1 && done[0].len == 4);
	T_CHECK(done[1].cookie == &c0 && done[1].len == 8);
	T_EQ(e.q.drv.broken, VRTC_DRVQ_OK);
	env_fini(&e);
}

/* One indirect descriptor per chain, served by the real device side. */
static void
indirect_round_trip(void)
{
	const uint64_t feat = FEAT | (UINT64_C(1) << VRTC_VIRTIO_RING_F_INDIRECT_DESC);
	struct fake_guest g;
	struct fake_queue q;
	struct vrtc_vring_desc *tables;
	struct vrtc_drvq_buf b[3];
	struct vrtc_drvq_done done[8];
	uint64_t tables_gpa, buf_gpa;
	uint8_t *buf;
	uint16_t i;
	int c[4];

	T_CHECK(fake_guest_init_simple(&g, 1 << 20) == 0);
	T_CHECK(fake_queue_init(&q, &g, 4, feat) == 0);
	tables = fake_guest_alloc(&g, 0, 4 * 2 * sizeof(*tables), 16, &tables_gpa);
	buf = fake_guest_alloc(&g, 0, 4 * 64, 8, &buf_gpa);
	T_CHECK(tables != NULL && buf != NULL);

	drvq_contract_indirect_refusals(&q.drv, tables, tables_gpa, buf_gpa);
	T_CHECK(!t_case_failed);

	/* Fill the ring: every chain takes one ring descriptor. */
	for (i = 0; i < 4; i++) {
		b[0] = (struct vrtc_drvq_buf){ buf_gpa + i * 64u, 16, 0 };
		b[1] = (struct vrtc_drvq_buf){ buf_gpa + i * 64u + 16, (uint32_t)(8 + i), 1 };
		T_CHECK(vrtc_drvq_add_indirect(&q.drv, b, 2, &c[i]) >= 0);
	}
	T_EQ(q.drv.nb_free, 0);
	T_EQ_INT(vrtc_drvq_add_indirect(&q.drv, b, 2, NULL), -ENOSPC);
	vrtc_drvq_kick_prepare(&q.drv);
	T_EQ(fake_serve(&q, 8, fake_fill_handler, NULL).bad, 0);
	T_EQ(vrtc_drvq_get_used(&q.drv, done, 8), 4);
	for (i = 0; i < 4; i++) {
		T_CHECK(done[i].cookie == &c[i]);
		T_EQ(done[i].len, 8 + i);
		T_EQ(buf[i * 64u + 16], 0x5A);
		T_EQ(buf[i * 64u + 16 + 8 + i - 1], 0x5A);
		T_EQ(buf[i * 64u + 16 + 8 + i], 0);
		T_EQ(buf[i * 64u], 0); /* readable part untouched */
	}
	T_EQ(q.drv.nb_free, 4);

	/* A writable-only chain (virtio-rng) through a table of one entry. */
	b[0] = (struct vrtc_drvq_buf){ buf_gpa + 40, 4, 1 };
	T_CHECK(vrtc_drvq_add_indirect(&q.drv, b, 1, NULL) >= 0);
	vrtc_drvq_kick_prepare(&q.drv);
	T_EQ(fake_serve(&q, 8, fake_fill_handler, NULL).bad, 0);
	T_EQ(vrtc_drvq_get_used(&q.drv, done, 8), 1);
	T_EQ(done[0].len, 4);
	T_EQ(q.drv.broken, VRTC_DRVQ_OK);
	fake_queue_fini(&q);
	fake_guest_fini(&g);
}

static const struct t_case cases[] = {
	T_CASE(layout_alignment),
	T_CASE(init_rejects_bad_size),
	T_CASE(descriptor_accounting),
	T_CASE(publish_then_decide),
	T_CASE(refuses_readable_after_writable),
	T_CASE(wrong_device_used_id),
	T_CASE(wrong_device_used_len),
	T_CASE(wrong_device_used_idx),
	T_CASE(completion_out_of_order),
	T_CASE(indirect_round_trip),
};

T_MAIN(cases)
