/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Device-side virtqueue engine against the fake driver: round trips, index
 * wrap-around, burst accounting, a randomized property test, notification
 * and kick suppression. Hostile descriptors are in test_vq_hostile.c.
 */

#include <errno.h>

#include "fake_driver.h"
#include "test.h"

#define F(bit) (UINT64_C(1) << (bit))
#define FEAT_BASE F(VRTC_VIRTIO_F_VERSION_1)
#define FEAT_ALL (FEAT_BASE | F(VRTC_VIRTIO_RING_F_INDIRECT_DESC) | F(VRTC_VIRTIO_RING_F_EVENT_IDX))

struct env {
	struct fake_guest g;
	struct fake_queue q;
};

static int
env_init(struct env *e, uint16_t size, uint64_t features)
{
	if (fake_guest_init_simple(&e->g, 8 << 20) != 0)
		return -1;
	return fake_queue_init(&e->q, &e->g, size, features);
}

static void
env_fini(struct env *e)
{
	fake_queue_fini(&e->q);
	fake_guest_fini(&e->g);
}

/* Post one request-like chain: @p rd readable bytes then @p wr writable. */
static int
post(struct env *e, uint32_t rd, uint32_t wr, void *cookie, uint8_t **wbuf)
{
	struct vrtc_drvq_buf b[2];
	uint16_t n = 0;
	uint8_t *p;

	if (rd != 0) {
		p = fake_guest_alloc(&e->g, 0, rd, 8, &b[n].addr);
		if (p == NULL)
			return -ENOMEM;
		memset(p, 0x11, rd);
		b[n].len = rd;
		b[n++].writable = 0;
	}
	if (wr != 0) {
		p = fake_guest_alloc(&e->g, 0, wr, 8, &b[n].addr);
		if (p == NULL)
			return -ENOMEM;
		memset(p, 0, wr);
		b[n].len = wr;
		b[n++].writable = 1;
		if (wbuf != NULL)
			*wbuf = p;
	}
	return vrtc_drvq_add(&e->q.drv, b, n, cookie);
}

static void
round_trip(void)
{
	struct env e;
	struct vrtc_drvq_done done[4];
	struct fake_serve_result r;
	uint8_t *w = NULL;
	int cookie;

	T_CHECK(env_init(&e, 64, FEAT_ALL) == 0);
	T_CHECK(post(&e, 8, 16, &cookie, &w) >= 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.q.drv), 1); /* avail_event starts at 0 */
	r = fake_serve(&e.q, 32, fake_fill_handler, NULL);
	T_EQ(r.popped, 1);
	T_EQ(r.bad, 0);
	T_EQ(r.notify, 1); /* used_event starts at 0 */
	T_EQ(fake_used_idx(&e.q), 1);
	T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 4), 1);
	T_CHECK(done[0].cookie == &cookie);
	T_EQ(done[0].len, 16);
	T_EQ(w[0], 0x5A);
	T_EQ(w[15], 0x5A);
	T_EQ(e.q.dev.stats.chains, 1);
	T_EQ(e.q.dev.stats.used, 1);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 0);
	env_fini(&e);
}

/* The layout-neutral interface (vq.h) on a split queue: the layout picked
 * at run time, the dispatchers with it, and the cold accessors. */
static void
neutral_interface(void)
{
	struct env e;
	struct vrtc_drvq_done done[4];
	struct vrtc_chain chain;
	enum vrtc_vq_layout layout;
	uint8_t *w = NULL;
	uint16_t n;
	int cookie;

	T_CHECK(env_init(&e, 16, FEAT_ALL) == 0);
	layout = vrtc_vq_layout(&e.q.dev);
	T_EQ(layout, VRTC_VQ_SPLIT);
	T_EQ(vrtc_vq_size(&e.q.dev), 16);
	T_EQ(vrtc_vq_event_idx(&e.q.dev), 1);
	T_EQ(vrtc_vq_indirect(&e.q.dev), 1);
	T_CHECK(vrtc_vq_mem(&e.q.dev) == &e.g.mem);
	T_CHECK(strcmp(vrtc_vq_name(&e.q.dev), "fake") == 0);
	T_CHECK(post(&e, 8, 16, &cookie, &w) >= 0);
	vrtc_drvq_kick_prepare(&e.q.drv);
	n = vrtc_vq_avail(&e.q.dev, layout, 32);
	T_EQ(n, 1);
	T_EQ_INT(vrtc_vq_pop(&e.q.dev, layout, &chain), 0);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 1);
	T_EQ(vrtc_vq_avail_base(&e.q.dev), 1);
	T_EQ(vrtc_vq_used_base(&e.q.dev), 0);
	/* Still in flight: walked again (split only). */
	T_EQ_INT(vrtc_vq_split_chain_again(&e.q.dev, chain.head, &chain), 0);
	T_EQ(chain.writable_bytes, 16);
	T_EQ_INT(vrtc_vq_push(&e.q.dev, layout, chain.head, 16), 0);
	T_EQ_INT(vrtc_vq_push(&e.q.dev, layout, chain.head, 16), -EINVAL);
	T_EQ(vrtc_vq_flush(&e.q.dev, layout), 1);
	T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 4), 1);
	T_CHECK(done[0].cookie == &cookie);
	T_EQ(vrtc_vq_used_base(&e.q.dev), 1);
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
index_wraparound(void)
{
	struct env e;
	struct vrtc_drvq_done done[8];
	uint32_t i;
	uint8_t *w;

	/* 70000 requests through a queue of 8: both 16-bit indexes wrap. */
	T_CHECK(env_init(&e, 8, FEAT_ALL) == 0);
	T_CHECK(post(&e, 4, 4, NULL, &w) >= 0); /* allocate buffers once... */
	T_EQ(fake_serve(&e.q, 8, fake_fill_handler, NULL).popped, 0); /* unpublished */
	vrtc_drvq_kick_prepare(&e.q.drv);
	T_EQ(fake_serve(&e.q, 8, fake_fill_handler, NULL).popped, 1);
	T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 8), 1);
	for (i = 1; i < 70000; i++) {
		struct vrtc_drvq_buf b = { fake_gpa(&e.g, w), 4, 1 };
		uint16_t k, n = (uint16_t)(1 + i % 8);

		for (k = 0; k < n; k++)
			T_CHECK(vrtc_drvq_add(&e.q.drv, &b, 1, (void *)(uintptr_t)(i * 8 + k)) >= 0);
		vrtc_drvq_kick_prepare(&e.q.drv);
		T_EQ(fake_serve(&e.q, 8, fake_fill_handler, NULL).popped, n);
		T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 8), n);
		for (k = 0; k < n; k++) {
			T_EQ((uintptr_t)done[k].cookie, i * 8 + k); /* in order */
			T_EQ(done[k].len, 4);
		}
	}
	T_CHECK(e.q.dev.stats.used > 65536);
	T_EQ(e.q.dev.last_avail_idx, e.q.drv.avail_idx);
	T_EQ(fake_used_idx(&e.q), (uint16_t)e.q.dev.stats.used);
	T_EQ(e.q.dev.stats.bad_chains, 0);
	env_fini(&e);
}

static void
burst_accounting(void)
{
	struct env e;
	struct vrtc_chain c;
	int i;

	T_CHECK(env_init(&e, 32, FEAT_ALL) == 0);
	for (i = 0; i < 10; i++)
		T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	vrtc_drvq_kick_prepare(&e.q.drv);
	/* A burst smaller than what is available. */
	T_EQ(vrtc_vq_split_avail(&e.q.dev, 4), 4);
	for (i = 0; i < 4; i++) {
		T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), 0);
		vrtc_vq_split_push(&e.q.dev, c.head, 0);
	}
	T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), -ENOENT);
	T_EQ(fake_used_idx(&e.q), 0); /* staged, not published */
	vrtc_vq_split_flush(&e.q.dev);
	T_EQ(fake_used_idx(&e.q), 4);
	/* A burst larger than what is left. */
	T_EQ(vrtc_vq_split_avail(&e.q.dev, 32), 6);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 0);
	for (i = 0; i < 6; i++) {
		T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), 0);
		T_EQ(vrtc_vq_inflight(&e.q.dev), 1);
		vrtc_vq_split_push(&e.q.dev, c.head, 0);
	}
	T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), -ENOENT);
	vrtc_vq_split_flush(&e.q.dev);
	T_EQ(vrtc_vq_split_avail(&e.q.dev, 32), 0);
	T_EQ(e.q.dev.stats.polls, 3);
	T_EQ(e.q.dev.stats.polls_empty, 1);
	/* Nothing staged: flush neither publishes nor asks to notify. */
	T_EQ(vrtc_vq_split_flush(&e.q.dev), 0);
	T_EQ(fake_used_idx(&e.q), 10);
	env_fini(&e);
}

/* xorshift64*: a fixed-seed generator for the property test. */
static uint64_t rng_state;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static uint32_t
rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

#define PROP_QSIZE 64
#define PROP_SLOTS 4096

struct posted {
	int live;
	uint32_t writable_bytes;
	uint8_t *wbuf[6];
	uint32_t wlen[6];
	uint8_t *rbuf[6];
	uint32_t rlen[6];
	uint16_t nb_w, nb_r;
};

static void
random_chains_property(void)
{
	static struct posted slots[PROP_SLOTS];
	struct env e;
	struct vrtc_drvq_done done[PROP_QSIZE];
	uint64_t posted = 0, completed = 0;
	uint32_t iter, next_slot = 0;

	rng_state = UINT64_C(0x9E3779B97F4A7C15);
	memset(slots, 0, sizeof(slots));
	T_CHECK(env_init(&e, PROP_QSIZE, FEAT_ALL) == 0);
	/* Buffers come from a recycled pool so the guest never runs out. */
	for (iter = 0; iter < 20000; iter++) {
		uint32_t nb_add = rnd_below(8), k;
		uint16_t n;

		for (k = 0; k < nb_add; k++) {
			struct vrtc_drvq_buf b[6];
			struct posted *p = &slots[next_slot % PROP_SLOTS];
			uint16_t nb = (uint16_t)(1 + rnd_below(6)), nb_r, j;
			int head;

			if (p->live)
				break; /* pool slot still in flight: post later */
			nb_r = (uint16_t)rnd_below(nb + 1u);
			memset(p, 0, sizeof(*p));
			for (j = 0; j < nb; j++) {
				uint32_t len = 1 + rnd_below(300);
				uint8_t *m = fake_guest_alloc(&e.g, 0, 304, 8, &b[j].addr);

				if (m == NULL) {
					/* Recycle: the first PROP_SLOTS * 6 buffers suffice. */
					T_FAIL_AT("guest memory exhausted");
					return;
				}
				b[j].len = len;
				b[j].writable = j >= nb_r;
				memset(m, b[j].writable ? 0 : 0x33, len);
				if (b[j].writable) {
					p->wbuf[p->nb_w] = m;
					p->wlen[p->nb_w++] = len;
					p->writable_bytes += len;
				} else {
					p->rbuf[p->nb_r] = m;
					p->rlen[p->nb_r++] = len;
				}
			}
			head = vrtc_drvq_add(&e.q.drv, b, nb, p);
			if (head == -ENOSPC)
				break;
			T_CHECK(head >= 0);
			p->live = 1;
			next_slot++;
			posted++;
		}
		if (rnd_below(4) != 0)
			vrtc_drvq_kick_prepare(&e.q.drv);
		if (rnd_below(3) != 0)
			fake_serve(&e.q, (uint16_t)(1 + rnd_below(40)), fake_fill_handler, NULL);
		n = vrtc_drvq_get_used(&e.q.drv, done, (uint16_t)(1 + rnd_below(PROP_QSIZE)));
		for (k = 0; k < n; k++) {
			struct posted *p = done[k].cookie;
			uint16_t j;

			T_CHECK(p != NULL && p->live);
			T_EQ(done[k].len, p->writable_bytes);
			for (j = 0; j < p->nb_w; j++)
				T_CHECK(p->wbuf[j][0] == 0x5A && p->wbuf[j][p->wlen[j] - 1] == 0x5A);
			for (j = 0; j < p->nb_r; j++)
				T_CHECK(p->rbuf[j][0] == 0x33 && p->rbuf[j][p->rlen[j] - 1] == 0x33);
			p->live = 0;
			completed++;
		}
		T_EQ(e.q.drv.broken, VRTC_DRVQ_OK);
		/* Reset the bump allocator when nothing references the memory. */
		if (e.q.drv.nb_inflight == 0 && e.g.r[0].brk > (6u << 20)) {
			e.g.r[0].brk = 64 * 1024; /* keep the ring (allocated first) */
		}
	}
	/* Drain. */
	vrtc_drvq_kick_prepare(&e.q.drv);
	while (completed < posted) {
		uint16_t n, k;

		fake_serve(&e.q, 64, fake_fill_handler, NULL);
		n = vrtc_drvq_get_used(&e.q.drv, done, PROP_QSIZE);
		T_CHECK(n > 0);
		for (k = 0; k < n; k++) {
			struct posted *p = done[k].cookie;

			T_CHECK(p->live);
			T_EQ(done[k].len, p->writable_bytes);
			p->live = 0;
			completed++;
		}
	}
	T_EQ(completed, posted);
	T_CHECK(posted > 10000);
	T_EQ(e.q.dev.stats.bad_chains, 0);
	T_EQ(e.q.dev.stats.chains, posted);
	T_EQ(e.q.drv.nb_free, PROP_QSIZE);
	env_fini(&e);
}

static void
no_interrupt_flag(void)
{
	struct env e;
	struct vrtc_drvq_done done[4];

	T_CHECK(env_init(&e, 16, FEAT_BASE) == 0);
	T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	vrtc_drvq_kick_prepare(&e.q.drv);
	T_EQ(fake_serve(&e.q, 8, fake_fill_handler, NULL).notify, 1);
	vrtc_drvq_get_used(&e.q.drv, done, 4);

	vrtc_drvq_interrupts_disable(&e.q.drv); /* VRING_AVAIL_F_NO_INTERRUPT */
	T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	vrtc_drvq_kick_prepare(&e.q.drv);
	T_EQ(fake_serve(&e.q, 8, fake_fill_handler, NULL).notify, 0);
	T_EQ(e.q.dev.stats.notify_suppressed, 1);
	vrtc_drvq_get_used(&e.q.drv, done, 4);

	vrtc_drvq_interrupts_enable(&e.q.drv);
	T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	vrtc_drvq_kick_prepare(&e.q.drv);
	T_EQ(fake_serve(&e.q, 8, fake_fill_handler, NULL).notify, 1);
	T_EQ(e.q.dev.stats.notify_needed, 2);
	env_fini(&e);
}

static void
event_idx_used_event(void)
{
	struct env e;
	struct vrtc_drvq_done done[16];
	int i;

	T_CHECK(env_init(&e, 16, FEAT_ALL) == 0);
	/* Driver wants an interrupt only when entry 5 is written. */
	vring_drv_used_event_store(&e.q.drv.vring, 5);
	e.q.drv.interrupts_enabled = 0; /* keep get_used from moving it */
	for (i = 0; i < 3; i++)
		T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	vrtc_drvq_kick_prepare(&e.q.drv);
	T_EQ(fake_serve(&e.q, 16, fake_fill_handler, NULL).notify, 0); /* 0..2 */
	for (i = 0; i < 2; i++)
		T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	vrtc_drvq_kick_prepare(&e.q.drv);
	T_EQ(fake_serve(&e.q, 16, fake_fill_handler, NULL).notify, 0); /* 3..4 */
	T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	vrtc_drvq_kick_prepare(&e.q.drv);
	T_EQ(fake_serve(&e.q, 16, fake_fill_handler, NULL).notify, 1); /* 5 */
	T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	vrtc_drvq_kick_prepare(&e.q.drv);
	T_EQ(fake_serve(&e.q, 16, fake_fill_handler, NULL).notify, 0); /* 6: past it */
	T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 16), 7);

	/* A polling driver parks used_event: no interrupt for 100000 requests. */
	vrtc_drvq_interrupts_disable(&e.q.drv);
	for (i = 0; i < 100000; i++) {
		struct vrtc_drvq_buf b = { fake_gpa(&e.g, e.g.r[0].host + (1 << 20)), 8, 1 };

		T_CHECK(vrtc_drvq_add(&e.q.drv, &b, 1, NULL) >= 0);
		vrtc_drvq_kick_prepare(&e.q.drv);
		if (fake_serve(&e.q, 16, fake_fill_handler, NULL).notify) {
			T_FAIL_AT("interrupt requested at request %d", i);
			return;
		}
		T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 16), 1);
	}
	/* Enabling asks for the very next one. */
	vrtc_drvq_interrupts_enable(&e.q.drv);
	T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	vrtc_drvq_kick_prepare(&e.q.drv);
	T_EQ(fake_serve(&e.q, 16, fake_fill_handler, NULL).notify, 1);
	env_fini(&e);
}

static void
kick_suppression_flags(void)
{
	struct env e;
	struct vrtc_drvq_done done[4];

	T_CHECK(env_init(&e, 16, FEAT_BASE) == 0);
	T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.q.drv), 1); /* used->flags 0: kick */
	vrtc_vq_split_kicks_disable(&e.q.dev);	    /* VRING_USED_F_NO_NOTIFY */
	fake_serve(&e.q, 8, fake_fill_handler, NULL);
	vrtc_drvq_get_used(&e.q.drv, done, 4);
	T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.q.drv), 0);
	/* Re-enabling finds the pending buffer: the poller must not sleep. */
	T_EQ(vrtc_vq_split_kicks_enable(&e.q.dev), 1);
	fake_serve(&e.q, 8, fake_fill_handler, NULL);
	T_EQ(vrtc_vq_split_kicks_enable(&e.q.dev), 0); /* nothing pending: may sleep */
	T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.q.drv), 1);
	env_fini(&e);
}

static void
kick_suppression_event_idx(void)
{
	struct env e;
	struct vrtc_drvq_done done[16];
	int i, kicks = 0;

	T_CHECK(env_init(&e, 256, FEAT_ALL) == 0);
	vrtc_vq_split_kicks_disable(&e.q.dev);
	/* 200000 requests in bursts of 1..5: avail_event stays parked out of
	 * reach as the indexes wrap three times. */
	for (i = 0; i < 200000;) {
		int k, n = 1 + i % 5;

		for (k = 0; k < n; k++) {
			struct vrtc_drvq_buf b = { fake_gpa(&e.g, e.g.r[0].host + (1 << 20)), 8, 1 };

			T_CHECK(vrtc_drvq_add(&e.q.drv, &b, 1, NULL) >= 0);
		}
		kicks += vrtc_drvq_kick_prepare(&e.q.drv);
		fake_serve(&e.q, 16, fake_fill_handler, NULL);
		T_EQ(vrtc_drvq_get_used(&e.q.drv, done, 16), n);
		i += n;
	}
	T_EQ(kicks, 0);
	/* Enabled: avail_event = last_avail, the next buffer kicks once. */
	T_EQ(vrtc_vq_split_kicks_enable(&e.q.dev), 0);
	T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.q.drv), 1);
	T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.q.drv), 0); /* device has not caught up */
	fake_serve(&e.q, 16, fake_fill_handler, NULL); /* flush updates avail_event */
	T_CHECK(post(&e, 8, 8, NULL, NULL) >= 0);
	T_EQ(vrtc_drvq_kick_prepare(&e.q.drv), 1);
	env_fini(&e);
}

static int
reinit_dev(struct env *e, uint16_t last_avail, uint16_t used_idx, int hold_bad_chains)
{
	struct vrtc_vq_config cfg = {
		.name = hold_bad_chains ? "holding" : "resumed",
		.size = e->q.size,
		.features = FEAT_ALL,
		.mem = &e->g.mem,
		.desc_gpa = e->q.desc_gpa,
		.avail_gpa = e->q.avail_gpa,
		.used_gpa = e->q.used_gpa,
		.last_avail_idx = last_avail,
		.used_idx = used_idx,
		.hold_bad_chains = (uint8_t)hold_bad_chains,
	};

	vrtc_vq_fini(&e->q.dev);
	return vrtc_vq_init_gpa(&e->q.dev, &cfg);
}

static int
reinit_dev_at(struct env *e, uint16_t last_avail, uint16_t used_idx)
{
	return reinit_dev(e, last_avail, used_idx, 0);
}

static int
reinit_holding(struct env *e, uint16_t last_avail, uint16_t used_idx)
{
	return reinit_dev(e, last_avail, used_idx, 1);
}

static void
resume_from_ring_base(void)
{
	struct env e;
	uint32_t id, len;
	uint64_t gw;
	uint16_t h;

	T_CHECK(env_init(&e, 8, FEAT_ALL) == 0);
	fake_guest_alloc(&e.g, 0, 64, 8, &gw);
	/* The ring was in use before: both indexes at 65534. */
	fake_raw_avail_idx(&e.q, 65534);
	vring_dev_used_idx_publish(&e.q.drv.vring, 65534);
	T_EQ_INT(reinit_dev_at(&e, 65534, 65534), 0);
	for (h = 0; h < 4; h++) {
		fake_raw_desc(&e.q, h, gw, 8, VRTC_VRING_DESC_F_WRITE, 0);
		fake_raw_avail_head(&e.q, h);
	}
	T_EQ(fake_serve(&e.q, 8, fake_fill_handler, NULL).popped, 4);
	T_EQ(fake_used_idx(&e.q), 2); /* 65534 + 4 wraps */
	fake_used_elem(&e.q, 65535, &id, &len);
	T_EQ(id, 1);
	T_EQ(len, 8);
	fake_used_elem(&e.q, 1, &id, &len);
	T_EQ(id, 3);

	/* Inconsistent bases are refused. */
	T_EQ_INT(reinit_dev_at(&e, 100, 50), -EINVAL);
	T_EQ_INT(reinit_dev_at(&e, 10, 20), -EINVAL); /* used ahead of avail */
	/* In-flight chains of an earlier session: accepted, counted in flight. */
	T_EQ_INT(reinit_dev_at(&e, 10, 6), 0);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 4);
	env_fini(&e);
}

/*
 * A queue that holds buffers (the virtio-rtc alarmq): bad chains are left
 * for the caller to complete in order, a held chain is walked again by its
 * head, and rewinding to used_idx on a restart pops the held ones again.
 */
static void
held_buffers_in_order(void)
{
	struct vrtc_chain c;
	struct env e;
	uint32_t id, len;
	uint64_t gw;
	uint16_t h;

	T_CHECK(env_init(&e, 8, FEAT_ALL) == 0);
	T_EQ_INT(reinit_holding(&e, 0, 0), 0);
	fake_guest_alloc(&e.g, 0, 64, 8, &gw);
	for (h = 0; h < 5; h++) {
		/* Head 2 points outside guest memory: a bad chain. */
		fake_raw_desc(&e.q, h, h == 2 ? UINT64_C(1) << 60 : gw + 16u * (h % 4), 16,
			      VRTC_VRING_DESC_F_WRITE, 0);
		fake_raw_avail_head(&e.q, h);
	}
	T_EQ(vrtc_vq_split_avail(&e.q.dev, 3), 3);
	T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), 0);
	T_EQ(c.head, 0);
	T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), 0);
	T_EQ(c.head, 1);
	T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), -EBADMSG);
	T_EQ(c.head, 2);
	T_EQ(c.nb_writable, 0);
	T_EQ(e.q.dev.stats.bad_chains, 1);
	T_EQ(e.q.dev.used_idx, 0); /* the bad chain waits for its turn */
	T_EQ(vrtc_vq_inflight(&e.q.dev), 3);

	/* Walked again by head, through the map, while in flight. */
	T_EQ_INT(vrtc_vq_split_chain_again(&e.q.dev, 1, &c), 0);
	T_EQ(c.head, 1);
	T_EQ(c.nb_writable, 1);
	T_EQ(c.writable_bytes, 16);
	T_EQ_INT(vrtc_vq_split_chain_again(&e.q.dev, 2, &c), -EBADMSG);
	T_EQ_INT(vrtc_vq_split_chain_again(&e.q.dev, 4, &c), -EINVAL); /* not in flight */
	T_EQ_INT(vrtc_vq_split_chain_again(&e.q.dev, 300, &c), -EINVAL);

	/* Completed in FIFO order. */
	vrtc_vq_split_push(&e.q.dev, 0, 16);
	vrtc_vq_split_push(&e.q.dev, 1, 16);
	vrtc_vq_split_push(&e.q.dev, 2, 0);
	vrtc_vq_split_flush(&e.q.dev);
	T_EQ(fake_used_idx(&e.q), 3);
	fake_used_elem(&e.q, 2, &id, &len);
	T_EQ(id, 2);
	T_EQ(len, 0);

	/* Two more held, then a stop: the base handed back is used_idx. */
	T_EQ(vrtc_vq_split_avail(&e.q.dev, 8), 2);
	T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), 0);
	T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), 0);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 2);
	T_EQ_INT(reinit_holding(&e, e.q.dev.used_idx, e.q.dev.used_idx), 0);
	/* The restart pops the same two again, as new: no broken queue. */
	T_EQ(vrtc_vq_split_avail(&e.q.dev, 8), 2);
	T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), 0);
	T_EQ(c.head, 3);
	T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), 0);
	T_EQ(c.head, 4);
	T_EQ(vrtc_vq_broken(&e.q.dev), VRTC_VQ_OK);
	env_fini(&e);
}

static void
init_rejects_bad_config(void)
{
	struct env e;
	struct vrtc_vq vq;
	struct vrtc_vq_config cfg;
	static const uint16_t bad_sizes[] = { 0, 3, 100, 65535 };
	size_t i;

	T_CHECK(env_init(&e, 16, FEAT_ALL) == 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = 16;
	cfg.mem = &e.g.mem;
	cfg.desc_gpa = e.q.desc_gpa;
	cfg.avail_gpa = e.q.avail_gpa;
	cfg.used_gpa = e.q.used_gpa;
	T_EQ_INT(vrtc_vq_init_gpa(&vq, &cfg), 0);
	vrtc_vq_fini(&vq);
	for (i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		cfg.size = bad_sizes[i];
		T_EQ_INT(vrtc_vq_init_gpa(&vq, &cfg), -EINVAL);
	}
	cfg.size = 16;
	cfg.desc_gpa = e.q.desc_gpa + 8; /* misaligned descriptor table */
	T_EQ_INT(vrtc_vq_init_gpa(&vq, &cfg), -EINVAL);
	cfg.desc_gpa = e.q.desc_gpa;
	cfg.used_gpa = e.q.used_gpa + 2; /* misaligned used ring */
	T_EQ_INT(vrtc_vq_init_gpa(&vq, &cfg), -EINVAL);
	cfg.used_gpa = e.g.r[0].gpa + e.g.r[0].size - 8; /* runs past guest memory */
	T_EQ_INT(vrtc_vq_init_gpa(&vq, &cfg), -EINVAL);
	cfg.used_gpa = 0x1000; /* not guest memory at all */
	T_EQ_INT(vrtc_vq_init_gpa(&vq, &cfg), -EINVAL);
	vrtc_vq_fini(&vq);
	env_fini(&e);
}

static const struct t_case cases[] = {
	T_CASE(round_trip),
	T_CASE(neutral_interface),
	T_CASE(index_wraparound),
	T_CASE(burst_accounting),
	T_CASE(random_chains_property),
	T_CASE(no_interrupt_flag),
	T_CASE(event_idx_used_event),
	T_CASE(kick_suppression_flags),
	T_CASE(kick_suppression_event_idx),
	T_CASE(resume_from_ring_base),
	T_CASE(held_buffers_in_order),
	T_CASE(init_rejects_bad_config),
};

T_MAIN(cases)
