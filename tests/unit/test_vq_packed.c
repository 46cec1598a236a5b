/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The packed virtqueue engine (vq_packed.c) against the fake packed driver:
 * round trips, wrap counters over many laps (power-of-two and other sizes),
 * chains that wrap the ring end, out-of-order completion, burst accounting,
 * the batch's first used flags stored last, notification and kick
 * suppression, resume, and a randomized property test.
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include "fake_packed.h"
#include "test.h"

#define F(bit) (UINT64_C(1) << (bit))
#define FEAT_BASE (F(VRTC_VIRTIO_F_VERSION_1) | F(VRTC_VIRTIO_F_RING_PACKED))
#define FEAT_EVIDX (FEAT_BASE | F(VRTC_VIRTIO_RING_F_EVENT_IDX))
#define FEAT_ALL (FEAT_EVIDX | F(VRTC_VIRTIO_RING_F_INDIRECT_DESC))
#define FRESH 0x8000

struct env {
	struct fake_guest g;
	struct fake_pqueue q;
	uint8_t *buf;
	uint64_t buf_gpa;
};

static int
env_init(struct env *e, uint16_t size, uint64_t features)
{
	memset(e, 0, sizeof(*e));
	if (fake_guest_init_simple(&e->g, 4 << 20) != 0 ||
	    fake_pqueue_init(&e->q, &e->g, size, features) != 0)
		return -1;
	e->buf = fake_guest_alloc(&e->g, 0, 1 << 20, 64, &e->buf_gpa);
	return e->buf != NULL ? 0 : -1;
}

static void
env_fini(struct env *e)
{
	fake_pqueue_fini(&e->q);
	fake_guest_fini(&e->g);
}

/* One readable 16-byte and one writable @p wlen-byte buffer at @p slot * 256. */
static int
post_rw(struct env *e, uint16_t slot, uint32_t wlen, void *cookie)
{
	struct vrtc_drvq_buf b[2] = {
		{ .addr = e->buf_gpa + slot * 256u, .len = 16, .writable = 0 },
		{ .addr = e->buf_gpa + slot * 256u + 16, .len = wlen, .writable = 1 },
	};

	return fake_pdrv_add(&e->q, b, 2, cookie);
}

static int
post_w(struct env *e, uint16_t slot, void *cookie)
{
	struct vrtc_drvq_buf b = { .addr = e->buf_gpa + slot * 256u, .len = 8, .writable = 1 };

	return fake_pdrv_add(&e->q, &b, 1, cookie);
}

/* Copies the readable part to the start of the writable part. */
static uint32_t
echo(const struct vrtc_chain *c, void *arg)
{
	uint8_t tmp[256];
	size_t n = vrtc_chain_read(c, tmp, sizeof(tmp));

	(void)arg;
	return (uint32_t)vrtc_chain_write(c, tmp, n);
}

/* The pure rules of ring_packed.h. */
static void
ring_rules(void)
{
	const uint16_t A = VRTC_PVIRTQ_DESC_F_AVAIL, U = VRTC_PVIRTQ_DESC_F_USED;

	/* Available: AVAIL matches the wrap counter, USED does not. */
	T_CHECK(vrtc_pring_desc_is_avail(A, 1));
	T_CHECK(!vrtc_pring_desc_is_avail(A | U, 1));
	T_CHECK(!vrtc_pring_desc_is_avail(0, 1));
	T_CHECK(!vrtc_pring_desc_is_avail(U, 1));
	T_CHECK(vrtc_pring_desc_is_avail(U, 0));
	T_CHECK(!vrtc_pring_desc_is_avail(A, 0));
	/* Used: both bits equal to the wrap counter. */
	T_CHECK(vrtc_pring_desc_is_used(A | U, 1));
	T_CHECK(vrtc_pring_desc_is_used(0, 0));
	T_CHECK(!vrtc_pring_desc_is_used(0, 1));
	T_CHECK(!vrtc_pring_desc_is_used(A, 1));
	T_EQ(vrtc_pring_avail_bits(1), A);
	T_EQ(vrtc_pring_avail_bits(0), U);
	T_EQ(vrtc_pring_used_bits(1), A | U);
	T_EQ(vrtc_pring_used_bits(0), 0);
	/* Positions: (0, wrap 1) is 0, (0, wrap 0) is size. */
	T_EQ(vrtc_pring_pos(8, 0, 1), 0);
	T_EQ(vrtc_pring_pos(8, 3, 0), 11);
	/* Event at (2, wrap 1): in [0, 3), not in [3, 5) nor [0, 2). */
	T_CHECK(vrtc_pring_need_event(8, 0x8002, 3, 0));
	T_CHECK(!vrtc_pring_need_event(8, 0x8002, 5, 3));
	T_CHECK(!vrtc_pring_need_event(8, 0x8002, 2, 0));
	/* Across the end of the cycle: window [14, 2) holds 15, 0 and 1. */
	T_CHECK(vrtc_pring_need_event(8, 0x0007, 2, 14));
	T_CHECK(vrtc_pring_need_event(8, 0x8001, 2, 14));
	T_CHECK(!vrtc_pring_need_event(8, 0x8002, 2, 14));
	T_CHECK(!vrtc_pring_need_event(8, 0x0005, 2, 14));
	/* The same offset one lap later is another event. */
	T_CHECK(!vrtc_pring_need_event(8, 0x0002, 3, 0));
	/* An empty window never fires; a whole ring's worth does once. */
	T_CHECK(!vrtc_pring_need_event(8, 0x8000, 0, 0));
	T_CHECK(vrtc_pring_need_event(8, 0x8007, 8, 0));
	/* An offset beyond the ring (hostile) stays a decision. */
	(void)vrtc_pring_need_event(8, 0x7FFF, 3, 0);
	T_CHECK(vrtc_pring_need_event(1, 0x8000, 1, 0));
}

/* The layout-neutral interface (vq.h) on a packed queue: the layout picked
 * at run time, the dispatchers with it, and the cold accessors. */
static void
neutral_interface(void)
{
	struct env e;
	struct vrtc_drvq_done d[4];
	struct vrtc_chain chain;
	enum vrtc_vq_layout layout;
	int cookie, id;

	T_CHECK(env_init(&e, 8, FEAT_ALL) == 0);
	layout = vrtc_vq_layout(&e.q.dev);
	T_EQ(layout, VRTC_VQ_PACKED);
	T_EQ(vrtc_vq_size(&e.q.dev), 8);
	T_EQ(vrtc_vq_event_idx(&e.q.dev), 1);
	T_EQ(vrtc_vq_indirect(&e.q.dev), 1);
	T_CHECK(vrtc_vq_mem(&e.q.dev) == &e.g.mem);
	T_CHECK(strcmp(vrtc_vq_name(&e.q.dev), "fakep") == 0);
	id = post_rw(&e, 0, 32, &cookie);
	T_CHECK(id >= 0);
	T_EQ(fake_pdrv_kick_prepare(&e.q), 1);
	T_CHECK(vrtc_vq_avail(&e.q.dev, layout, 32) >= 1);
	T_EQ_INT(vrtc_vq_pop(&e.q.dev, layout, &chain), 0);
	T_EQ(chain.head, id);
	T_EQ_INT(vrtc_vq_pop(&e.q.dev, layout, &chain), -ENOENT);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 1);
	T_EQ(vrtc_vq_avail_base(&e.q.dev), 2 | FRESH);
	T_EQ(vrtc_vq_used_base(&e.q.dev), 0 | FRESH);
	/* No walk again on a packed ring. */
	T_EQ_INT(vrtc_vq_split_chain_again(&e.q.dev, (uint16_t)id, &chain), -EINVAL);
	T_EQ_INT(vrtc_vq_push(&e.q.dev, layout, (uint16_t)id, 32), 0);
	T_EQ_INT(vrtc_vq_push(&e.q.dev, layout, (uint16_t)id, 32), -EINVAL);
	T_EQ(vrtc_vq_flush(&e.q.dev, layout), 1);
	T_EQ(fake_pdrv_get_used(&e.q, d, 4), 1);
	T_CHECK(d[0].cookie == &cookie);
	T_EQ(d[0].len, 32);
	T_EQ(vrtc_vq_used_base(&e.q.dev), 2 | FRESH);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 0);
	T_EQ(vrtc_vq_stats(&e.q.dev)->chains, 1);
	T_EQ(vrtc_vq_stats(&e.q.dev)->used, 1);
	T_EQ(vrtc_vq_stats(&e.q.dev)->bad_push, 1);
	T_EQ(vrtc_vq_broken(&e.q.dev), VRTC_VQ_OK);
	vrtc_vq_kicks_disable(&e.q.dev, layout);
	T_EQ(vrtc_vq_kicks_enable(&e.q.dev, layout), 0);
	env_fini(&e);
}

static void
round_trip(void)
{
	struct env e;
	struct vrtc_drvq_done d[4];
	struct fake_serve_result r;
	int cookie, id;

	T_CHECK(env_init(&e, 8, FEAT_ALL) == 0);
	memset(e.buf, 0x11, 16);
	id = post_rw(&e, 0, 32, &cookie);
	T_CHECK(id >= 0);
	T_EQ(fake_pdrv_kick_prepare(&e.q), 1);
	r = fake_pserve(&e.q, 32, fake_fill_handler, NULL);
	T_EQ(r.popped, 1);
	T_EQ(r.bad, 0);
	T_EQ(r.notify, 1);
	T_EQ(fake_pdrv_get_used(&e.q, d, 4), 1);
	T_CHECK(d[0].cookie == &cookie);
	T_EQ(d[0].head, id);
	T_EQ(d[0].len, 32);
	T_CHECK(t_all_bytes_are(e.buf, 16, 0x11));
	T_CHECK(t_all_bytes_are(e.buf + 16, 32, 0x5A));
	T_EQ(e.buf[48], 0);
	T_EQ(e.q.dev.stats.chains, 1);
	T_EQ(e.q.dev.stats.used, 1);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 0);
	T_EQ(e.q.drv.nb_free, 8);
	/* The used descriptor went where the chain's first one was. */
	T_EQ(vrtc_vq_used_base(&e.q.dev), 2 | FRESH);
	T_EQ(vrtc_vq_avail_base(&e.q.dev), 2 | FRESH);
	env_fini(&e);
}

static void
indirect_round_trip(void)
{
	struct env e;
	struct vrtc_drvq_done d;
	struct vrtc_drvq_buf b[3];
	int id;

	T_CHECK(env_init(&e, 4, FEAT_ALL) == 0);
	T_EQ_INT(fake_pdrv_indirect_init(&e.q, 4), 0);
	memcpy(e.buf, "0123456789abcdef", 16);
	b[0] = (struct vrtc_drvq_buf){ .addr = e.buf_gpa, .len = 10, .writable = 0 };
	b[1] = (struct vrtc_drvq_buf){ .addr = e.buf_gpa + 10, .len = 6, .writable = 0 };
	b[2] = (struct vrtc_drvq_buf){ .addr = e.buf_gpa + 100, .len = 16, .writable = 1 };
	id = fake_pdrv_add_indirect(&e.q, b, 3, NULL);
	T_CHECK(id >= 0);
	T_EQ(fake_pserve(&e.q, 8, echo, NULL).popped, 1);
	T_EQ(fake_pdrv_get_used(&e.q, &d, 1), 1);
	T_EQ(d.len, 16);
	T_EQ_MEM(e.buf + 100, "0123456789abcdef", 16);
	/* One ring descriptor, however many entries the table has. */
	T_EQ(vrtc_vq_used_base(&e.q.dev), 1 | FRESH);
	env_fini(&e);
}

/* Many laps with chains of 1..3 descriptors: both wrap counters flip. */
static void
laps_with_size(uint16_t size, uint64_t features)
{
	struct env e;
	struct vrtc_drvq_done d[8];
	unsigned int lap_flips = 0, round;
	uint8_t last_wrap;

	T_CHECK(env_init(&e, size, features) == 0);
	last_wrap = e.q.dev.avail_wrap;
	for (round = 0; round < 3000; round++) {
		uint16_t nb = (uint16_t)(1 + round % 3);
		struct vrtc_drvq_buf b[3];
		uint16_t k;
		int id;

		if (nb > size)
			nb = size;
		for (k = 0; k < nb; k++) {
			b[k].addr = e.buf_gpa + (round % 64) * 256u + k * 8u;
			b[k].len = 8;
			b[k].writable = k == nb - 1;
		}
		id = fake_pdrv_add(&e.q, b, nb, (void *)(uintptr_t)(round + 1));
		T_CHECK(id >= 0);
		T_EQ(fake_pserve(&e.q, 4, fake_fill_handler, NULL).popped, 1);
		T_EQ(fake_pdrv_get_used(&e.q, d, 8), 1);
		T_CHECK(d[0].cookie == (void *)(uintptr_t)(round + 1));
		T_EQ(d[0].len, 8);
		if (e.q.dev.avail_wrap != last_wrap) {
			lap_flips++;
			last_wrap = e.q.dev.avail_wrap;
		}
	}
	T_CHECK(lap_flips > 100);
	T_EQ(e.q.dev.avail_wrap, e.q.drv.avail_wrap);
	T_EQ(e.q.dev.used_wrap, e.q.drv.used_wrap);
	T_EQ(vrtc_vq_broken(&e.q.dev), VRTC_VQ_OK);
	T_EQ(e.q.drv.broken, VRTC_DRVQ_OK);
	T_EQ(e.q.dev.stats.chains, 3000);
	env_fini(&e);
}

static void
wrap_counters_many_laps(void)
{
	laps_with_size(8, FEAT_ALL);
}

static void
wrap_counters_size_not_power_of_two(void)
{
	laps_with_size(5, FEAT_ALL);
	if (t_case_failed)
		return;
	laps_with_size(3, FEAT_BASE);
	if (t_case_failed)
		return;
	laps_with_size(1, FEAT_BASE);
}

static void
chain_wraps_ring_end(void)
{
	struct env e;
	struct vrtc_drvq_done d[8];
	struct vrtc_drvq_buf b[4];
	uint16_t k;

	T_CHECK(env_init(&e, 8, FEAT_ALL) == 0);
	for (k = 0; k < 6; k++)
		T_CHECK(post_w(&e, k, NULL) >= 0);
	T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).popped, 6);
	T_EQ(fake_pdrv_get_used(&e.q, d, 8), 6);
	/* Four descriptors at slots 6, 7, 0, 1: the wrap counter flips inside. */
	memcpy(e.buf + 0x1000, "ab", 2);
	memcpy(e.buf + 0x1010, "cd", 2);
	memcpy(e.buf + 0x1020, "ef", 2);
	for (k = 0; k < 4; k++) {
		b[k].addr = e.buf_gpa + 0x1000 + k * 16u;
		b[k].len = k < 3 ? 2 : 6;
		b[k].writable = k == 3;
	}
	T_CHECK(fake_pdrv_add(&e.q, b, 4, NULL) >= 0);
	T_EQ(fake_pserve(&e.q, 8, echo, NULL).popped, 1);
	T_EQ(fake_pdrv_get_used(&e.q, d, 8), 1);
	T_EQ(d[0].len, 6);
	T_EQ_MEM(e.buf + 0x1030, "abcdef", 6);
	T_EQ(vrtc_vq_avail_base(&e.q.dev), 2);
	T_EQ(vrtc_vq_used_base(&e.q.dev), 2);
	env_fini(&e);
}

static void
out_of_order_completion(void)
{
	struct env e;
	struct vrtc_drvq_done d[8];
	struct vrtc_chain c;
	uint16_t ids[3];
	int k;

	T_CHECK(env_init(&e, 8, FEAT_ALL) == 0);
	T_CHECK(post_rw(&e, 0, 8, (void *)1) >= 0); /* 2 descriptors */
	T_CHECK(post_w(&e, 1, (void *)2) >= 0);	   /* 1 */
	T_CHECK(post_rw(&e, 2, 8, (void *)3) >= 0); /* 2 */
	T_EQ(vrtc_vq_packed_avail(&e.q.dev, 8), 8); /* a bound: max, descriptors free */
	for (k = 0; k < 3; k++) {
		T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &c), 0);
		ids[k] = c.head;
	}
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &c), -ENOENT); /* the burst ends at the 4th */
	T_EQ(vrtc_vq_inflight(&e.q.dev), 3);
	/* Complete the last first, then the first; the middle stays held. */
	T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, ids[2], 3), 0);
	T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, ids[0], 1), 0);
	vrtc_vq_packed_flush(&e.q.dev);
	T_EQ(fake_pdrv_get_used(&e.q, d, 8), 2);
	T_CHECK(d[0].cookie == (void *)3 && d[0].len == 3);
	T_CHECK(d[1].cookie == (void *)1 && d[1].len == 1);
	/* Used descriptors at slots 0 and 2 (the first chain took two). */
	T_EQ(vrtc_vq_used_base(&e.q.dev), 4 | FRESH);
	T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, ids[1], 2), 0);
	vrtc_vq_packed_flush(&e.q.dev);
	T_EQ(fake_pdrv_get_used(&e.q, d, 8), 1);
	T_CHECK(d[0].cookie == (void *)2 && d[0].len == 2);
	T_EQ(vrtc_vq_used_base(&e.q.dev), 5 | FRESH);
	T_EQ(e.q.drv.nb_free, 8);
	T_EQ(e.q.drv.broken, VRTC_DRVQ_OK);
	env_fini(&e);
}

static void
burst_accounting(void)
{
	struct env e;
	struct vrtc_chain c;
	int k;

	T_CHECK(env_init(&e, 16, FEAT_ALL) == 0);
	T_EQ(vrtc_vq_packed_avail(&e.q.dev, 8), 0);
	T_EQ(e.q.dev.stats.polls_empty, 1);
	for (k = 0; k < 5; k++)
		T_CHECK(post_rw(&e, (uint16_t)k, 8, NULL) >= 0);
	T_EQ(vrtc_vq_packed_avail(&e.q.dev, 3), 3);
	for (k = 0; k < 3; k++) {
		T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &c), 0);
		T_EQ(c.nb_readable, 1);
		T_EQ(c.nb_writable, 1);
		T_EQ(c.readable_bytes, 16);
		T_EQ(c.writable_bytes, 8);
		T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, c.head, 0), 0);
	}
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &c), -ENOENT);
	/* 2 chains left, none in flight: the bound is the ring size, 16. */
	T_EQ(vrtc_vq_packed_avail(&e.q.dev, 32), 16);
	T_EQ(vrtc_vq_packed_avail(&e.q.dev, 32), 16); /* a new bound, not cumulative */
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &c), 0);
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &c), 0);
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &c), -ENOENT);
	T_EQ(e.q.dev.stats.polls, 4);
	T_EQ(e.q.dev.stats.polls_empty, 1);
	T_EQ(e.q.dev.stats.chains, 5);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 2);
	vrtc_vq_packed_flush(&e.q.dev);
	T_EQ(e.q.dev.stats.used, 3);
	env_fini(&e);
}

static void
first_used_flags_stored_last(void)
{
	struct env e;
	struct vrtc_drvq_done d[4];
	struct vrtc_pvirtq_desc raw;
	struct vrtc_chain c;
	uint16_t ids[2];

	T_CHECK(env_init(&e, 8, FEAT_ALL) == 0);
	T_CHECK(post_w(&e, 0, NULL) >= 0);
	T_CHECK(post_w(&e, 1, NULL) >= 0);
	T_EQ(vrtc_vq_packed_avail(&e.q.dev, 8), 8);
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &c), 0);
	ids[0] = c.head;
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &c), 0);
	ids[1] = c.head;
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &c), -ENOENT);
	T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, ids[0], 4), 0);
	T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, ids[1], 5), 0);
	/* Before the flush: the second is marked used, the first is not, so
	 * a driver reading in ring order sees nothing yet. */
	fake_praw_read(&e.q, 0, &raw);
	T_CHECK(!vrtc_pring_desc_is_used(raw.flags, 1));
	T_EQ(raw.id, ids[0]);
	T_EQ(raw.len, 4);
	fake_praw_read(&e.q, 1, &raw);
	T_CHECK(vrtc_pring_desc_is_used(raw.flags, 1));
	T_CHECK(raw.flags & VRTC_VRING_DESC_F_WRITE); /* data written: len valid */
	T_EQ(fake_pdrv_get_used(&e.q, d, 4), 0);
	vrtc_vq_packed_flush(&e.q.dev);
	T_EQ(fake_pdrv_get_used(&e.q, d, 4), 2);
	T_EQ(d[0].len, 4);
	T_EQ(d[1].len, 5);
	T_EQ(vrtc_vq_packed_flush(&e.q.dev), 0); /* nothing staged */
	env_fini(&e);
}

static void
notify_enable_disable(void)
{
	struct env e;
	struct vrtc_drvq_done d[4];

	T_CHECK(env_init(&e, 8, FEAT_BASE) == 0);
	fake_pdrv_interrupts_disable(&e.q);
	T_CHECK(post_w(&e, 0, NULL) >= 0);
	T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).notify, 0);
	fake_pdrv_interrupts_enable(&e.q);
	T_CHECK(post_w(&e, 1, NULL) >= 0);
	T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).notify, 1);
	/* DESC without EVENT_IDX is a reserved value: notify. */
	fake_pdrv_interrupts_at(&e.q, 5);
	T_CHECK(post_w(&e, 2, NULL) >= 0);
	T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).notify, 1);
	T_EQ(e.q.dev.stats.notify_needed, 2);
	T_EQ(e.q.dev.stats.notify_suppressed, 1);
	T_EQ(fake_pdrv_get_used(&e.q, d, 4), 3);
	env_fini(&e);
}

static void
notify_descriptor_event(void)
{
	struct env e;
	struct vrtc_drvq_done d[8];
	unsigned int round;

	T_CHECK(env_init(&e, 4, FEAT_EVIDX) == 0);
	/* Notify when the third used descriptor from now is written. */
	fake_pdrv_interrupts_at(&e.q, 2);
	T_CHECK(post_w(&e, 0, NULL) >= 0);
	T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).notify, 0);
	T_CHECK(post_w(&e, 1, NULL) >= 0);
	T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).notify, 0);
	T_CHECK(post_w(&e, 2, NULL) >= 0);
	T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).notify, 1);
	T_CHECK(post_w(&e, 3, NULL) >= 0);
	T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).notify, 0);
	T_EQ(fake_pdrv_get_used(&e.q, d, 8), 4);
	/* Across the wrap: an event one lap later is not the same event. */
	for (round = 0; round < 40; round++) {
		struct fake_serve_result r;

		fake_pdrv_interrupts_at(&e.q, (uint16_t)(round % 3));
		T_CHECK(post_w(&e, 0, NULL) >= 0);
		T_CHECK(post_w(&e, 1, NULL) >= 0);
		T_CHECK(post_w(&e, 2, NULL) >= 0);
		/* One flush for all three: the event lies in the window. */
		r = fake_pserve(&e.q, 8, fake_fill_handler, NULL);
		T_EQ(r.popped, 3);
		T_EQ(r.notify, 1);
		T_EQ(fake_pdrv_get_used(&e.q, d, 8), 3);
		fake_pdrv_interrupts_at(&e.q, 3);
		T_CHECK(post_w(&e, 0, NULL) >= 0);
		T_CHECK(post_w(&e, 1, NULL) >= 0);
		T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).notify, 0);
		T_EQ(fake_pdrv_get_used(&e.q, d, 8), 2);
	}
	env_fini(&e);
}

static void
kick_suppression(void)
{
	struct env e;
	struct vrtc_drvq_done d[8];

	T_CHECK(env_init(&e, 8, FEAT_BASE) == 0);
	vrtc_vq_packed_kicks_disable(&e.q.dev);
	T_CHECK(post_w(&e, 0, NULL) >= 0);
	T_EQ(fake_pdrv_kick_prepare(&e.q), 0);
	/* Re-enabling with a chain waiting: poll instead of sleeping. */
	T_EQ(vrtc_vq_packed_kicks_enable(&e.q.dev), 1);
	fake_pserve(&e.q, 8, fake_fill_handler, NULL);
	T_EQ(vrtc_vq_packed_kicks_enable(&e.q.dev), 0);
	T_CHECK(post_w(&e, 1, NULL) >= 0);
	T_EQ(fake_pdrv_kick_prepare(&e.q), 1);
	T_EQ(fake_pdrv_kick_prepare(&e.q), 0); /* nothing new */
	fake_pserve(&e.q, 8, fake_fill_handler, NULL);
	T_EQ(fake_pdrv_get_used(&e.q, d, 8), 2);
	env_fini(&e);
}

static void
kick_descriptor_event(void)
{
	struct env e;
	struct vrtc_drvq_done d[8];
	unsigned int round;

	T_CHECK(env_init(&e, 4, FEAT_EVIDX) == 0);
	T_EQ(vrtc_vq_packed_kicks_enable(&e.q.dev), 0);
	for (round = 0; round < 20; round++) {
		/* The event sits at the next descriptor to read: the first
		 * chain posted after a flush kicks, a second one does not. */
		T_CHECK(post_w(&e, 0, NULL) >= 0);
		T_EQ(fake_pdrv_kick_prepare(&e.q), 1);
		T_CHECK(post_w(&e, 1, NULL) >= 0);
		T_EQ(fake_pdrv_kick_prepare(&e.q), 0);
		T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).popped, 2);
		T_EQ(fake_pdrv_get_used(&e.q, d, 8), 2);
	}
	vrtc_vq_packed_kicks_disable(&e.q.dev);
	T_CHECK(post_w(&e, 0, NULL) >= 0);
	T_EQ(fake_pdrv_kick_prepare(&e.q), 0);
	env_fini(&e);
}

static void
resume_after_reattach(void)
{
	struct env e;
	struct vrtc_drvq_done d[8];
	int k;

	T_CHECK(env_init(&e, 5, FEAT_ALL) == 0);
	for (k = 0; k < 7; k++) {
		T_CHECK(post_w(&e, 0, NULL) >= 0);
		T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).popped, 1);
		T_EQ(fake_pdrv_get_used(&e.q, d, 8), 1);
	}
	/* Off 2 of the second lap: wrap counter 0. */
	T_EQ(vrtc_vq_avail_base(&e.q.dev), 2);
	T_CHECK(post_w(&e, 1, NULL) >= 0); /* posted while the back-end is away */
	T_EQ_INT(fake_pqueue_reattach(&e.q), 0);
	T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).popped, 1);
	T_EQ(fake_pdrv_get_used(&e.q, d, 8), 1);
	for (k = 0; k < 12; k++) {
		T_CHECK(post_w(&e, 0, NULL) >= 0);
		T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).popped, 1);
		T_EQ(fake_pdrv_get_used(&e.q, d, 8), 1);
	}
	T_EQ(e.q.drv.broken, VRTC_DRVQ_OK);
	env_fini(&e);
}

static void
resume_with_chains_lost(void)
{
	struct env e;
	struct vrtc_drvq_done d[8];
	struct vrtc_vq_config cfg;
	struct vrtc_chain c;

	T_CHECK(env_init(&e, 8, FEAT_ALL) == 0);
	T_CHECK(post_w(&e, 0, (void *)1) >= 0);
	T_CHECK(post_w(&e, 1, (void *)2) >= 0);
	T_EQ(vrtc_vq_packed_avail(&e.q.dev, 8), 8);
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &c), 0);
	/* The back-end dies with one chain popped; a new one resumes at the
	 * driver's used position, which lags avail by one descriptor. */
	vrtc_vq_fini(&e.q.dev);
	memset(&cfg, 0, sizeof(cfg));
	cfg.layout = VRTC_VQ_PACKED;
	cfg.size = 8;
	cfg.features = e.q.features;
	cfg.mem = &e.g.mem;
	cfg.desc_gpa = e.q.desc_gpa;
	cfg.driver_gpa = e.q.driver_gpa;
	cfg.device_gpa = e.q.device_gpa;
	cfg.avail_off_wrap = 1 | FRESH;
	cfg.used_off_wrap = 0 | FRESH;
	T_EQ_INT(vrtc_vq_init_gpa(&e.q.dev, &cfg), 0);
	T_EQ(e.q.dev.outstanding, 1);
	T_EQ(fake_pserve(&e.q, 8, fake_fill_handler, NULL).popped, 1);
	T_EQ(fake_pdrv_get_used(&e.q, d, 8), 1);
	T_CHECK(d[0].cookie == (void *)2);

	/* Bases the device cannot make sense of. */
	vrtc_vq_fini(&e.q.dev);
	cfg.avail_off_wrap = 8 | FRESH; /* offset not below the size */
	T_EQ_INT(vrtc_vq_init_gpa(&e.q.dev, &cfg), -EINVAL);
	cfg.avail_off_wrap = 1; /* a lap and one ahead of used */
	cfg.used_off_wrap = 0 | FRESH;
	T_EQ_INT(vrtc_vq_init_gpa(&e.q.dev, &cfg), -EINVAL);
	cfg.avail_off_wrap = 0; /* exactly a lap ahead: all in flight, legal */
	T_EQ_INT(vrtc_vq_init_gpa(&e.q.dev, &cfg), 0);
	T_EQ(e.q.dev.outstanding, 8);
	env_fini(&e);
}

static void
init_checks(void)
{
	struct env e;
	struct vrtc_vq vq;
	struct vrtc_vq_config cfg;

	T_CHECK(env_init(&e, 8, FEAT_ALL) == 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.layout = VRTC_VQ_PACKED;
	cfg.size = 8;
	cfg.features = FEAT_ALL;
	cfg.mem = &e.g.mem;
	cfg.desc = e.q.drv.ring.desc;
	cfg.driver = e.q.drv.ring.driver;
	cfg.device = e.q.drv.ring.device;
	cfg.avail_off_wrap = cfg.used_off_wrap = FRESH;
	T_EQ_INT(vrtc_vq_init(&vq, &cfg), 0);
	vrtc_vq_fini(&vq);
	cfg.size = 0;
	T_EQ_INT(vrtc_vq_init(&vq, &cfg), -EINVAL);
	cfg.size = 32769;
	T_EQ_INT(vrtc_vq_init(&vq, &cfg), -EINVAL);
	cfg.size = 8;
	cfg.features = FEAT_ALL & ~F(VRTC_VIRTIO_F_RING_PACKED);
	T_EQ_INT(vrtc_vq_init(&vq, &cfg), -EINVAL);
	cfg.features = FEAT_ALL;
	cfg.desc = (uint8_t *)cfg.desc + 8;
	T_EQ_INT(vrtc_vq_init(&vq, &cfg), -EINVAL);
	cfg.desc = e.q.drv.ring.desc;
	cfg.device = (uint8_t *)cfg.device + 2;
	T_EQ_INT(vrtc_vq_init(&vq, &cfg), -EINVAL);
	cfg.device = NULL;
	T_EQ_INT(vrtc_vq_init(&vq, &cfg), -EINVAL);
	vrtc_vq_fini(&vq); /* safe after a failed init */
	/* Guest-physical: the ring must lie inside the memory map. */
	cfg.device = e.q.drv.ring.device;
	cfg.desc_gpa = e.q.desc_gpa;
	cfg.driver_gpa = e.q.driver_gpa;
	cfg.device_gpa = UINT64_C(0x10);
	T_EQ_INT(vrtc_vq_init_gpa(&vq, &cfg), -EINVAL);
	env_fini(&e);
}

static void
push_not_in_flight_refused(void)
{
	struct env e;
	struct vrtc_drvq_done d[4];
	struct vrtc_chain c;

	T_CHECK(env_init(&e, 8, FEAT_ALL) == 0);
	T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, 3, 1), -EINVAL);
	T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, 9, 1), -EINVAL);
	T_CHECK(post_w(&e, 0, NULL) >= 0);
	T_EQ(vrtc_vq_packed_avail(&e.q.dev, 4), 4);
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &c), 0);
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &(struct vrtc_chain){ 0 }), -ENOENT);
	T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, c.head, 8), 0);
	T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, c.head, 8), -EINVAL); /* twice */
	T_EQ(e.q.dev.stats.bad_push, 3);
	vrtc_vq_packed_flush(&e.q.dev);
	T_EQ(fake_pdrv_get_used(&e.q, d, 4), 1);
	T_EQ(e.q.dev.stats.used, 1);
	T_EQ(vrtc_vq_broken(&e.q.dev), VRTC_VQ_OK);
	env_fini(&e);
}

static void
hold_bad_chains(void)
{
	struct env e;
	struct vrtc_drvq_done d[4];
	struct vrtc_vq_config cfg;
	struct vrtc_drvq_buf b = { .addr = 0x1000, .len = 8, .writable = 1 }; /* unmapped */
	struct vrtc_pvirtq_desc raw;
	struct vrtc_chain c;
	int id;

	T_CHECK(env_init(&e, 8, FEAT_ALL) == 0);
	vrtc_vq_fini(&e.q.dev);
	memset(&cfg, 0, sizeof(cfg));
	cfg.layout = VRTC_VQ_PACKED;
	cfg.size = 8;
	cfg.features = e.q.features;
	cfg.mem = &e.g.mem;
	cfg.desc_gpa = e.q.desc_gpa;
	cfg.driver_gpa = e.q.driver_gpa;
	cfg.device_gpa = e.q.device_gpa;
	cfg.avail_off_wrap = cfg.used_off_wrap = FRESH;
	cfg.hold_bad_chains = 1;
	T_EQ_INT(vrtc_vq_init_gpa(&e.q.dev, &cfg), 0);
	id = fake_pdrv_add(&e.q, &b, 1, NULL);
	T_CHECK(id >= 0);
	T_EQ(vrtc_vq_packed_avail(&e.q.dev, 8), 8);
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &c), -EBADMSG);
	T_EQ(c.head, id);
	T_EQ(c.nb_readable + c.nb_writable, 0);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 1);
	T_EQ(vrtc_vq_packed_flush(&e.q.dev), 0);
	T_EQ(fake_pdrv_get_used(&e.q, d, 4), 0);
	T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, c.head, 0), 0);
	vrtc_vq_packed_flush(&e.q.dev);
	T_EQ(fake_pdrv_get_used(&e.q, d, 4), 1);
	T_EQ(d[0].len, 0);
	fake_praw_read(&e.q, 0, &raw);
	T_EQ(raw.flags & VRTC_VRING_DESC_F_WRITE, 0); /* nothing written */
	T_EQ(e.q.dev.stats.bad_chain[VRTC_CHAIN_E_ADDR], 1);
	env_fini(&e);
}

/* Small deterministic generator (xorshift32). */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Property: over random sizes, chain shapes (direct, indirect, 1..4
 * buffers), bursts and completion orders (some chains held across bursts),
 * every chain posted comes back exactly once with its cookie and the
 * length the handler reported, and neither side ever sees a broken ring.
 */
static void
property_random(void)
{
	uint32_t seed = 0x9E3779B9u;
	unsigned int run;

	for (run = 0; run < 60; run++) {
		struct env e;
		uint16_t size = (uint16_t)(1 + rnd(&seed) % 40);
		uint64_t feat = (rnd(&seed) & 1) ? FEAT_ALL : FEAT_BASE;
		uint32_t expect_len[64], posted = 0, popped = 0, completed = 0, step;
		uint16_t held[64], nb_held = 0;
		struct vrtc_drvq_done d[64];

		T_CHECK(env_init(&e, size, feat) == 0);
		if (feat == FEAT_ALL)
			T_EQ_INT(fake_pdrv_indirect_init(&e.q, size < 4 ? size : 4), 0);
		for (step = 0; step < 400; step++) {
			uint32_t op = rnd(&seed) % 4;

			if (op <= 1) {
				struct vrtc_drvq_buf b[4];
				uint16_t nb = (uint16_t)(1 + rnd(&seed) % 4), k;
				uint16_t nw = (uint16_t)(rnd(&seed) % (nb + 1));
				/* A list, direct or an indirect table, has at most
				 * the queue size of descriptors. */
				int id, ind = feat == FEAT_ALL && (rnd(&seed) & 1) && nb <= size;

				for (k = 0; k < nb; k++) {
					b[k].addr = e.buf_gpa + (rnd(&seed) % 4000) * 64u;
					b[k].len = 1 + rnd(&seed) % 64;
					b[k].writable = k >= nb - nw;
				}
				id = ind ? fake_pdrv_add_indirect(&e.q, b, nb, NULL)
					 : fake_pdrv_add(&e.q, b, nb, NULL);
				if (id == -ENOSPC)
					continue;
				T_CHECK(id >= 0 && id < 64);
				e.q.drv.ids[id].cookie = (void *)(uintptr_t)(posted + 1);
				expect_len[id] = 0;
				posted++;
			} else if (op == 2) {
				struct vrtc_chain c;
				uint16_t max = (uint16_t)(1 + rnd(&seed) % 8);
				uint16_t n = vrtc_vq_packed_avail(&e.q.dev, max);
				uint32_t want = posted - popped < max ? posted - popped : max;
				uint32_t room = e.q.dev.ring.size - e.q.dev.outstanding;
				uint32_t got = 0;
				int rc;

				/* A bound: max, or the descriptors free when fewer
				 * (never fewer than the chains waiting); pop ends
				 * the burst. */
				T_EQ(n, posted == popped ? 0 : max < room ? max : room);
				while (n-- > 0) {
					rc = vrtc_vq_packed_pop(&e.q.dev, &c);
					if (rc == -ENOENT)
						break;
					T_EQ_INT(rc, 0);
					got++;
					popped++;
					expect_len[c.head] = c.writable_bytes;
					if (rnd(&seed) % 3 == 0) {
						held[nb_held++] = c.head;
						continue;
					}
					T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, c.head,
							       fake_fill_handler(&c, NULL)),
						 0);
				}
				T_EQ(got, want);
				while (nb_held > 0 && rnd(&seed) % 2 == 0) {
					uint16_t k = (uint16_t)(rnd(&seed) % nb_held);
					uint16_t h = held[k];

					T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, h, expect_len[h]), 0);
					held[k] = held[--nb_held];
				}
				vrtc_vq_packed_flush(&e.q.dev);
			} else {
				uint16_t n = fake_pdrv_get_used(&e.q, d, 64), k;

				for (k = 0; k < n; k++)
					T_EQ(d[k].len, expect_len[d[k].head]);
				completed += n;
			}
			T_EQ(vrtc_vq_broken(&e.q.dev), VRTC_VQ_OK);
			T_EQ(e.q.drv.broken, VRTC_DRVQ_OK);
		}
		/* Drain. */
		while (nb_held > 0) {
			uint16_t h = held[--nb_held];

			T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, h, expect_len[h]), 0);
		}
		vrtc_vq_packed_flush(&e.q.dev);
		for (step = 0; step < 100 && completed < posted; step++) {
			struct fake_serve_result r = fake_pserve(&e.q, 64, fake_fill_handler, NULL);

			T_EQ(r.bad, 0);
			completed += fake_pdrv_get_used(&e.q, d, 64);
		}
		T_EQ(completed, posted);
		T_EQ(e.q.dev.stats.chains, posted);
		T_EQ(e.q.dev.stats.used, posted);
		T_EQ(vrtc_vq_inflight(&e.q.dev), 0);
		T_EQ(e.q.dev.outstanding, 0);
		T_EQ(e.q.drv.nb_free, size);
		env_fini(&e);
	}
}

/* Device side on its own thread, as a poller: serves until told to stop. */
struct stress {
	struct env *e;
	int stop;
	uint64_t served;
};

static void *
stress_device(void *arg)
{
	struct stress *st = arg;

	while (!__atomic_load_n(&st->stop, __ATOMIC_ACQUIRE)) {
		struct fake_serve_result r = fake_pserve(&st->e->q, 8, echo, NULL);

		st->served += r.popped;
		if (r.popped == 0)
			sched_yield();
	}
	return NULL;
}

/*
 * Driver and device on two threads over one ring: every request carries a
 * sequence number the device echoes; each completion must come back in
 * order with its own number, which fails if a used descriptor or a buffer
 * were seen before it was published (or a descriptor before it was made
 * available).
 */
static void
two_threads(void)
{
	enum { N = 30000, SLOTS = 64 };
	struct env e;
	struct stress st = { 0 };
	struct vrtc_drvq_done d[16];
	pthread_t th;
	uint64_t next_done = 0, seq = 0;
	unsigned int spins = 0;

	T_CHECK(env_init(&e, 13, FEAT_ALL) == 0);
	T_EQ_INT(fake_pdrv_indirect_init(&e.q, 2), 0);
	st.e = &e;
	T_EQ_INT(pthread_create(&th, NULL, stress_device, &st), 0);
	while (next_done < N && !t_case_failed) {
		uint16_t n, k;

		while (seq < N && seq - next_done < 12) {
			uint64_t gpa = e.buf_gpa + (seq % SLOTS) * 64u;
			struct vrtc_drvq_buf b[2] = {
				{ .addr = gpa, .len = 8, .writable = 0 },
				{ .addr = gpa + 8, .len = 8, .writable = 1 },
			};
			uint8_t *s = e.buf + (seq % SLOTS) * 64u;
			int id;

			memcpy(s, &seq, 8);
			memset(s + 8, 0, 8);
			id = (seq & 1) ? fake_pdrv_add_indirect(&e.q, b, 2, (void *)(uintptr_t)seq)
				       : fake_pdrv_add(&e.q, b, 2, (void *)(uintptr_t)seq);
			if (id == -ENOSPC)
				break;
			if (id < 0)
				break;
			seq++;
		}
		n = fake_pdrv_get_used(&e.q, d, 16);
		for (k = 0; k < n && !t_case_failed; k++) {
			uintptr_t cookie = (uintptr_t)d[k].cookie;
			uint64_t got;

			memcpy(&got, e.buf + (next_done % SLOTS) * 64u + 8, 8);
			if (cookie != next_done || d[k].len != 8 || got != next_done)
				T_FAIL_AT("completion %" PRIu64 ": cookie %" PRIuPTR
					  " len %u echo %" PRIu64,
					  next_done, cookie, d[k].len, got);
			next_done++;
		}
		if (n == 0 && ++spins % 64 == 0)
			sched_yield();
	}
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	T_EQ(next_done, N);
	T_EQ(st.served, N);
	T_EQ(e.q.drv.broken, VRTC_DRVQ_OK);
	T_EQ(vrtc_vq_broken(&e.q.dev), VRTC_VQ_OK);
	env_fini(&e);
}

static const struct t_case cases[] = {
	T_CASE(ring_rules),
	T_CASE(round_trip),
	T_CASE(neutral_interface),
	T_CASE(indirect_round_trip),
	T_CASE(wrap_counters_many_laps),
	T_CASE(wrap_counters_size_not_power_of_two),
	T_CASE(chain_wraps_ring_end),
	T_CASE(out_of_order_completion),
	T_CASE(burst_accounting),
	T_CASE(first_used_flags_stored_last),
	T_CASE(notify_enable_disable),
	T_CASE(notify_descriptor_event),
	T_CASE(kick_suppression),
	T_CASE(kick_descriptor_event),
	T_CASE(resume_after_reattach),
	T_CASE(resume_with_chains_lost),
	T_CASE(init_checks),
	T_CASE(push_not_in_flight_refused),
	T_CASE(hold_bad_chains),
	T_CASE(property_random),
	T_CASE(two_threads),
};

T_MAIN(cases)
