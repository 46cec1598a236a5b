/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Hostile descriptors and rings on the packed engine: each case of
 * test_vq_hostile.c that applies to a packed ring, plus the packed-only
 * ones (wrap counter mismatch, AVAIL/USED flags corrupted, buffer id out
 * of range or reused while in flight, more descriptors than the ring has
 * free, a chain that wraps the ring end with a bad tail). Every case
 * asserts the exact outcome: a bad chain is completed with used length 0,
 * counted under its reason, its buffers untouched, and the next good chain
 * is served; a bad ring latches the queue broken and nothing more is read
 * or written.
 */

#include <errno.h>
#include <sys/mman.h>

#include "fake_packed.h"
#include "test.h"

#define F(bit) (UINT64_C(1) << (bit))
#define FEAT_NO_INDIRECT                                                                     \
	(F(VRTC_VIRTIO_F_VERSION_1) | F(VRTC_VIRTIO_F_RING_PACKED) |                          \
	 F(VRTC_VIRTIO_RING_F_EVENT_IDX))
#define FEAT_ALL (FEAT_NO_INDIRECT | F(VRTC_VIRTIO_RING_F_INDIRECT_DESC))

#define QSIZE 8
#define R0_GPA UINT64_C(0x100000000) /* region 0: 1 MiB */
#define R1_GPA UINT64_C(0x200000000) /* region 1: 64 KiB, after a gap */
#define R1_SIZE 0x10000
#define GOOD_ID 7 /* buffer id of the follow-up good chain */

#define W VRTC_VRING_DESC_F_WRITE
#define N VRTC_VRING_DESC_F_NEXT
#define I VRTC_VRING_DESC_F_INDIRECT

struct env {
	struct fake_guest g;
	struct fake_pqueue q;
	uint8_t *wbuf; /* a writable buffer that must stay untouched */
	uint64_t wbuf_gpa;
	uint8_t *good;
	uint64_t good_gpa;
	int handler_calls;
};

static uint32_t
counting_fill(const struct vrtc_chain *chain, void *arg)
{
	struct env *e = arg;

	e->handler_calls++;
	return fake_fill_handler(chain, NULL);
}

static int
env_init_spec(struct env *e, const struct fake_region_spec *spec, uint64_t features)
{
	memset(e, 0, sizeof(*e));
	if (fake_guest_init(&e->g, spec, 2) != 0 ||
	    fake_pqueue_init(&e->q, &e->g, QSIZE, features) != 0)
		return -1;
	e->wbuf = fake_guest_alloc(&e->g, 0, 64, 8, &e->wbuf_gpa);
	e->good = fake_guest_alloc(&e->g, 0, 64, 8, &e->good_gpa);
	memset(e->wbuf, 0xC3, 64);
	return 0;
}

static int
env_init(struct env *e, uint64_t features)
{
	const struct fake_region_spec spec[2] = {
		{ .gpa = R0_GPA, .size = 1 << 20 },
		{ .gpa = R1_GPA, .size = R1_SIZE },
	};

	return env_init_spec(e, spec, features);
}

static void
env_fini(struct env *e)
{
	fake_pqueue_fini(&e->q);
	fake_guest_fini(&e->g);
}

static struct vrtc_pvirtq_desc *
table(struct env *e, uint16_t entries, uint64_t *gpa)
{
	return fake_guest_alloc(&e->g, 0, entries * sizeof(struct vrtc_pvirtq_desc), 16, gpa);
}

static void
set_entry(struct vrtc_pvirtq_desc *t, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags)
{
	t[i].addr = addr;
	t[i].len = len;
	t[i].id = 0;
	t[i].flags = flags;
}

static struct vrtc_pvirtq_desc
D(uint64_t addr, uint32_t len, uint16_t id, uint16_t flags)
{
	struct vrtc_pvirtq_desc d = { .addr = addr, .len = len, .id = id, .flags = flags };

	return d;
}

/* Find the used descriptor for the driver's next used position. */
static void
next_used(struct env *e, uint16_t *id, uint32_t *len, int *is_used)
{
	struct vrtc_pvirtq_desc d;

	fake_praw_read(&e->q, e->q.drv.used_off, &d);
	*id = d.id;
	*len = d.len;
	*is_used = vrtc_pring_desc_is_used(d.flags, e->q.drv.used_wrap);
}

/*
 * Post @p nb raw descriptors (the chain's id on the last one), serve one
 * burst and check it came back as a bad chain for @p reason with used
 * length 0, the handler never ran and the untouchable buffer is untouched;
 * then check a good chain is still served.
 */
static int
expect_bad_chain(struct env *e, const struct vrtc_pvirtq_desc *descs, uint16_t nb,
		 enum vrtc_chain_error reason)
{
	struct fake_serve_result r;
	uint16_t id, want_id = descs[nb - 1].id;
	uint32_t len;
	int used;
	size_t i;

	fake_praw_post(&e->q, descs, nb);
	r = fake_pserve(&e->q, 32, counting_fill, e);
	if (r.popped != 1 || r.bad != 1 || e->handler_calls != 0) {
		fprintf(stderr, "popped %u bad %u handler calls %d\n", r.popped, r.bad,
			e->handler_calls);
		return -1;
	}
	if (e->q.dev.stats.bad_chain[reason] != 1 || e->q.dev.stats.bad_chains != 1) {
		fprintf(stderr, "expected one '%s' bad chain; counters:",
			vrtc_chain_error_name(reason));
		for (i = 0; i < VRTC_CHAIN_E_COUNT; i++)
			fprintf(stderr, " %s=%" PRIu64,
				vrtc_chain_error_name((enum vrtc_chain_error)i),
				e->q.dev.stats.bad_chain[i]);
		fputc('\n', stderr);
		return -1;
	}
	next_used(e, &id, &len, &used);
	if (!used || id != want_id || len != 0) {
		fprintf(stderr, "used desc: used %d id %u len %u\n", used, id, len);
		return -1;
	}
	if (!t_all_bytes_are(e->wbuf, 64, 0xC3)) {
		fprintf(stderr, "a bad chain's buffer was written\n");
		return -1;
	}
	if (vrtc_vq_broken(&e->q.dev) != VRTC_VQ_OK || vrtc_vq_inflight(&e->q.dev) != 0)
		return -1;

	/* The queue goes on, after the whole bad chain. */
	e->q.drv.used_off = e->q.drv.avail_off;
	e->q.drv.used_wrap = e->q.drv.avail_wrap;
	{
		const struct vrtc_pvirtq_desc good = D(e->good_gpa, 16, GOOD_ID, W);

		fake_praw_post(&e->q, &good, 1);
	}
	r = fake_pserve(&e->q, 32, counting_fill, e);
	next_used(e, &id, &len, &used);
	if (r.popped != 1 || r.bad != 0 || !used || id != GOOD_ID || len != 16 ||
	    e->good[15] != 0x5A) {
		fprintf(stderr, "good chain after the bad one: popped %u bad %u id %u len %u\n",
			r.popped, r.bad, id, len);
		return -1;
	}
	return 0;
}

/*
 * Serve one burst and check the queue latched broken for @p reason, nothing
 * was handed to the handler and nothing was marked used; later calls return
 * nothing.
 */
static int
expect_broken(struct env *e, enum vrtc_vq_broken_reason reason)
{
	struct fake_serve_result r = fake_pserve(&e->q, 32, counting_fill, e);
	uint16_t before = e->q.dev.used_off;
	struct vrtc_chain c;

	if (vrtc_vq_broken(&e->q.dev) != reason) {
		fprintf(stderr, "broken '%s', expected '%s'\n",
			vrtc_vq_broken_name(vrtc_vq_broken(&e->q.dev)),
			vrtc_vq_broken_name(reason));
		return -1;
	}
	if (e->handler_calls != 0 || r.bad != 0 || !t_all_bytes_are(e->wbuf, 64, 0xC3))
		return -1;
	if (vrtc_vq_packed_avail(&e->q.dev, 32) != 0 || vrtc_vq_packed_pop(&e->q.dev, &c) != -EIO ||
	    vrtc_vq_packed_kicks_enable(&e->q.dev) != 0 || e->q.dev.used_off != before)
		return -1;
	return 0;
}

static void
addr_in_gap_between_regions(void)
{
	struct env e;
	struct vrtc_pvirtq_desc c[2];

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	c[0] = D(e.wbuf_gpa, 8, 0, N);
	c[1] = D(R0_GPA + (1 << 20) + 0x1000, 8, 3, W);
	T_CHECK(expect_bad_chain(&e, c, 2, VRTC_CHAIN_E_ADDR) == 0);
	env_fini(&e);
}

static void
len_past_region_end(void)
{
	struct env e;
	const struct vrtc_pvirtq_desc c = D(R1_GPA + R1_SIZE - 8, 9, 0, W);

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	T_CHECK(expect_bad_chain(&e, &c, 1, VRTC_CHAIN_E_ADDR) == 0);
	env_fini(&e);
}

static void
gpa_plus_len_overflows(void)
{
	struct env e;
	const struct vrtc_pvirtq_desc c = D(UINT64_MAX - 7, UINT32_MAX, 2, W);

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	T_CHECK(expect_bad_chain(&e, &c, 1, VRTC_CHAIN_E_ADDR) == 0);
	env_fini(&e);
}

static void
buffer_spanning_two_adjacent_regions(void)
{
	struct env e;
	const struct fake_region_spec spec[2] = {
		{ .gpa = R0_GPA, .size = 1 << 20 },
		{ .gpa = R0_GPA + (1 << 20), .size = R1_SIZE },
	};
	const struct vrtc_pvirtq_desc c = D(R0_GPA + (1 << 20) - 8, 16, 1, W);

	T_CHECK(env_init_spec(&e, spec, FEAT_ALL) == 0);
	T_CHECK(expect_bad_chain(&e, &c, 1, VRTC_CHAIN_E_ADDR) == 0);
	env_fini(&e);
}

/* The packed form of a loop: F_NEXT on every descriptor of the ring. */
static void
chain_round_the_whole_ring(void)
{
	struct env e;
	struct vrtc_pvirtq_desc c[QSIZE];
	uint16_t k;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	for (k = 0; k < QSIZE; k++)
		c[k] = D(e.wbuf_gpa, 4, 1, N | W);
	fake_praw_post(&e.q, c, QSIZE);
	T_CHECK(expect_broken(&e, VRTC_VQ_BROKEN_OVERRUN) == 0);
	env_fini(&e);
}

static void
zero_length_chain_round_the_ring(void)
{
	struct env e;
	struct vrtc_pvirtq_desc c[QSIZE];
	uint16_t k;

	/* Zero-length descriptors add no segment but still take ring room. */
	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	for (k = 0; k < QSIZE; k++)
		c[k] = D(0, 0, 1, N);
	fake_praw_post(&e.q, c, QSIZE);
	T_CHECK(expect_broken(&e, VRTC_VQ_BROKEN_OVERRUN) == 0);
	env_fini(&e);
}

/* A whole ring as one chain is legal: F_NEXT ends on the last. */
static void
chain_of_the_whole_ring(void)
{
	struct env e;
	struct vrtc_pvirtq_desc c[QSIZE];
	struct fake_serve_result r;
	uint16_t k;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	for (k = 0; k < QSIZE; k++)
		c[k] = D(e.good_gpa + k, 1, 5, W | (k + 1 < QSIZE ? N : 0));
	fake_praw_post(&e.q, c, QSIZE);
	r = fake_pserve(&e.q, 32, counting_fill, &e);
	T_EQ(r.popped, 1);
	T_EQ(r.bad, 0);
	T_CHECK(t_all_bytes_are(e.good, QSIZE, 0x5A));
	T_EQ(vrtc_vq_used_base(&e.q.dev), 0); /* one lap: wrap 0 */
	env_fini(&e);
}

/* The packed form of a next index out of range: F_NEXT into nothing. */
static void
next_flag_into_unavailable_descriptor(void)
{
	struct env e;
	struct vrtc_pvirtq_desc c;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	c = D(e.wbuf_gpa, 4, 1, N | W);
	fake_praw_post(&e.q, &c, 1);
	T_CHECK(expect_broken(&e, VRTC_VQ_BROKEN_DESC) == 0);
	env_fini(&e);
}

static void
indirect_longer_than_queue(void)
{
	struct env e;
	struct vrtc_pvirtq_desc *t, c;
	uint64_t tg;
	uint16_t k;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, QSIZE + 1, &tg);
	for (k = 0; k < QSIZE + 1; k++)
		set_entry(t, k, e.wbuf_gpa, 4, W);
	/* A list longer than the queue size. */
	c = D(tg, (QSIZE + 1) * 16, 0, I);
	T_CHECK(expect_bad_chain(&e, &c, 1, VRTC_CHAIN_E_TOO_LONG) == 0);
	env_fini(&e);
}

/* A table of exactly the queue size is a legal list. */
static void
indirect_of_queue_size(void)
{
	struct env e;
	struct vrtc_pvirtq_desc *t, c;
	struct fake_serve_result r;
	uint64_t tg;
	uint16_t k;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, QSIZE, &tg);
	for (k = 0; k < QSIZE; k++)
		set_entry(t, k, e.good_gpa + k, 1, W);
	c = D(tg, QSIZE * 16, 0, I);
	fake_praw_post(&e.q, &c, 1);
	r = fake_pserve(&e.q, 32, counting_fill, &e);
	T_EQ(r.popped, 1);
	T_EQ(r.bad, 0);
	T_CHECK(t_all_bytes_are(e.good, QSIZE, 0x5A));
	env_fini(&e);
}

/*
 * The split ring lets direct descriptors precede an indirect one; a packed
 * list is of one kind only (the driver must not link an indirect
 * descriptor by F_NEXT): refused as indirect_next.
 */
static void
direct_chained_to_indirect(void)
{
	struct env e;
	struct vrtc_pvirtq_desc *t, c[2];
	uint64_t tg;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, 1, &tg);
	set_entry(t, 0, e.wbuf_gpa, 4, W);
	c[0] = D(e.wbuf_gpa + 8, 4, 0, N);
	c[1] = D(tg, 16, 4, I);
	T_CHECK(expect_bad_chain(&e, c, 2, VRTC_CHAIN_E_INDIRECT_NEXT) == 0);
	env_fini(&e);
}

static void
nested_indirect(void)
{
	struct env e;
	struct vrtc_pvirtq_desc *t, c;
	uint64_t tg;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, 2, &tg);
	set_entry(t, 0, e.wbuf_gpa, 4, W);
	set_entry(t, 1, tg, 32, I);
	c = D(tg, 32, 0, I);
	T_CHECK(expect_bad_chain(&e, &c, 1, VRTC_CHAIN_E_INDIRECT_NESTED) == 0);
	env_fini(&e);
}

static void
indirect_not_negotiated(void)
{
	struct env e;
	struct vrtc_pvirtq_desc *t, c;
	uint64_t tg;

	T_CHECK(env_init(&e, FEAT_NO_INDIRECT) == 0);
	t = table(&e, 1, &tg);
	set_entry(t, 0, e.wbuf_gpa, 4, W);
	c = D(tg, 16, 0, I);
	T_CHECK(expect_bad_chain(&e, &c, 1, VRTC_CHAIN_E_INDIRECT_FEATURE) == 0);
	env_fini(&e);
}

static void
indirect_size_not_multiple_of_16(void)
{
	struct env e;
	struct vrtc_pvirtq_desc *t, c;
	uint64_t tg;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, 2, &tg);
	set_entry(t, 0, e.wbuf_gpa, 4, W);
	c = D(tg, 24, 0, I);
	T_CHECK(expect_bad_chain(&e, &c, 1, VRTC_CHAIN_E_INDIRECT_SIZE) == 0);
	env_fini(&e);
}

static void
indirect_size_zero(void)
{
	struct env e;
	struct vrtc_pvirtq_desc c;
	uint64_t tg;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	T_CHECK(table(&e, 1, &tg) != NULL);
	c = D(tg, 0, 0, I);
	T_CHECK(expect_bad_chain(&e, &c, 1, VRTC_CHAIN_E_INDIRECT_SIZE) == 0);
	env_fini(&e);
}

static void
indirect_with_next(void)
{
	struct env e;
	struct vrtc_pvirtq_desc *t, c[2];
	uint64_t tg;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, 1, &tg);
	set_entry(t, 0, e.wbuf_gpa, 4, W);
	c[0] = D(tg, 16, 0, I | N);
	c[1] = D(e.wbuf_gpa, 4, 6, W);
	T_CHECK(expect_bad_chain(&e, c, 2, VRTC_CHAIN_E_INDIRECT_NEXT) == 0);
	env_fini(&e);
}

static void
indirect_table_outside_memory(void)
{
	struct env e;
	const struct vrtc_pvirtq_desc c = D(R1_GPA + R1_SIZE - 16, 32, 0, I);

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	T_CHECK(expect_bad_chain(&e, &c, 1, VRTC_CHAIN_E_ADDR) == 0);
	env_fini(&e);
}

/* F_NEXT and ids in a table are reserved and ignored: entries are consecutive. */
static void
indirect_next_flags_ignored(void)
{
	struct env e;
	struct vrtc_pvirtq_desc *t, c;
	struct fake_serve_result r;
	uint64_t tg;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, 3, &tg);
	set_entry(t, 0, e.good_gpa, 4, W | N);
	t[0].id = 0xFFFF;
	set_entry(t, 1, e.good_gpa + 4, 4, W); /* no F_NEXT: still not the end */
	set_entry(t, 2, e.good_gpa + 8, 4, W | N);
	c = D(tg, 48, 2, I);
	fake_praw_post(&e.q, &c, 1);
	r = fake_pserve(&e.q, 32, counting_fill, &e);
	T_EQ(r.popped, 1);
	T_EQ(r.bad, 0);
	T_CHECK(t_all_bytes_are(e.good, 12, 0x5A));
	T_EQ(e.good[12], 0);
	env_fini(&e);
}

static void
readable_after_writable(void)
{
	struct env e;
	const struct vrtc_pvirtq_desc c[2] = {
		D(0, 4, 0, N | W), D(0, 4, 1, 0),
	};
	struct vrtc_pvirtq_desc cc[2];

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	memcpy(cc, c, sizeof(cc));
	cc[0].addr = e.wbuf_gpa;
	cc[1].addr = e.wbuf_gpa + 8;
	T_CHECK(expect_bad_chain(&e, cc, 2, VRTC_CHAIN_E_ORDER) == 0);
	env_fini(&e);
}

static void
readable_after_writable_in_table(void)
{
	struct env e;
	struct vrtc_pvirtq_desc *t, c[2];
	uint64_t tg;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, 2, &tg);
	set_entry(t, 0, e.wbuf_gpa, 4, W);
	set_entry(t, 1, e.wbuf_gpa + 8, 4, 0);
	/* F_WRITE on the indirect descriptor itself is ignored. */
	c[0] = D(tg, 32, 3, I | W);
	T_CHECK(expect_bad_chain(&e, c, 1, VRTC_CHAIN_E_ORDER) == 0);
	env_fini(&e);
}

static void
writable_bytes_over_4g(void)
{
	struct env e;
	void *reserve;
	struct vrtc_mem_region r[3];
	const uint64_t big = UINT64_C(3) << 30;
	struct vrtc_pvirtq_desc c[2];

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	reserve = mmap(NULL, big, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	T_CHECK(reserve != MAP_FAILED);
	memcpy(r, e.g.mem.regions, 2 * sizeof(r[0]));
	r[2].gpa = UINT64_C(0x1000000000);
	r[2].size = big;
	r[2].hva = (uintptr_t)reserve;
	T_EQ_INT(vrtc_mem_init(&e.g.mem, r, 3), 0);
	c[0] = D(r[2].gpa, 0x80000000u, 0, W | N);
	c[1] = D(r[2].gpa, 0x80000000u, 1, W);
	T_CHECK(expect_bad_chain(&e, c, 2, VRTC_CHAIN_E_BYTES) == 0);
	munmap(reserve, big);
	env_fini(&e);
}

static void
bad_chain_among_good_ones(void)
{
	struct env e;
	struct fake_serve_result r;
	const struct vrtc_pvirtq_desc c[3] = {
		D(0, 8, 1, W), D(UINT64_C(0x10), 8, 2, W), D(0, 8, 3, W),
	};
	struct vrtc_pvirtq_desc cc[3];
	uint16_t k, id;
	uint32_t len;
	int used;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	memcpy(cc, c, sizeof(cc));
	cc[0].addr = e.good_gpa;
	cc[2].addr = e.good_gpa + 8;
	for (k = 0; k < 3; k++)
		fake_praw_post(&e.q, &cc[k], 1);
	r = fake_pserve(&e.q, 32, counting_fill, &e);
	T_EQ(r.popped, 3);
	T_EQ(r.bad, 1);
	T_EQ(e.handler_calls, 2);
	for (k = 0; k < 3; k++) {
		next_used(&e, &id, &len, &used);
		T_CHECK(used);
		T_EQ(id, k + 1);
		T_EQ(len, k == 1 ? 0 : 8);
		e.q.drv.used_off++;
	}
	T_EQ(e.q.dev.stats.bad_chain[VRTC_CHAIN_E_ADDR], 1);
	env_fini(&e);
}

/* The packed form of avail->idx far ahead: descriptors in flight reposted. */
static void
more_available_than_ring_free(void)
{
	struct env e;
	struct vrtc_chain ch;
	struct vrtc_pvirtq_desc c;
	uint16_t k;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	/* Fill the ring and pop it all (nothing completed) ... */
	for (k = 0; k < QSIZE; k++) {
		c = D(e.good_gpa, 4, k, W);
		fake_praw_post(&e.q, &c, 1);
	}
	T_EQ(vrtc_vq_packed_avail(&e.q.dev, 32), QSIZE);
	for (k = 0; k < QSIZE; k++)
		T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &ch), 0);
	/* ... then make slot 0 available again, for the next lap. */
	c = D(e.wbuf_gpa, 4, 0, W);
	fake_praw_post(&e.q, &c, 1);
	T_CHECK(expect_broken(&e, VRTC_VQ_BROKEN_OVERRUN) == 0);
	env_fini(&e);
}

/* The packed form of avail->idx moved backwards: stale wrap counters. */
static void
wrap_counter_mismatch(void)
{
	struct env e;
	struct fake_serve_result r;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	/* Available for the wrong lap (AVAIL clear, USED set): not available. */
	fake_praw_desc(&e.q, 0, e.wbuf_gpa, 4, 0, W | VRTC_PVIRTQ_DESC_F_USED);
	r = fake_pserve(&e.q, 32, counting_fill, &e);
	T_EQ(r.popped, 0);
	T_EQ(vrtc_vq_packed_kicks_enable(&e.q.dev), 0);
	T_EQ(vrtc_vq_broken(&e.q.dev), VRTC_VQ_OK);
	T_EQ(e.q.dev.stats.polls_empty, 1);
	T_CHECK(t_all_bytes_are(e.wbuf, 64, 0xC3));
	/* The right bits make it available. */
	fake_praw_desc(&e.q, 0, e.good_gpa, 4, 0, W | VRTC_PVIRTQ_DESC_F_AVAIL);
	T_EQ(fake_pserve(&e.q, 32, counting_fill, &e).popped, 1);
	env_fini(&e);
}

static void
avail_used_flags_corrupted(void)
{
	struct env e;
	struct fake_serve_result r;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	/* Both bits equal: a used descriptor, never available. */
	fake_praw_desc(&e.q, 0, e.wbuf_gpa, 4, 0,
		       W | VRTC_PVIRTQ_DESC_F_AVAIL | VRTC_PVIRTQ_DESC_F_USED);
	r = fake_pserve(&e.q, 32, counting_fill, &e);
	T_EQ(r.popped, 0);
	fake_praw_desc(&e.q, 0, e.wbuf_gpa, 4, 0, W);
	r = fake_pserve(&e.q, 32, counting_fill, &e);
	T_EQ(r.popped, 0);
	T_EQ(vrtc_vq_broken(&e.q.dev), VRTC_VQ_OK);
	/* A chain whose second descriptor has the bits of the wrong lap. */
	fake_praw_desc(&e.q, 1, e.wbuf_gpa, 4, 2, W | VRTC_PVIRTQ_DESC_F_USED);
	fake_praw_desc(&e.q, 0, e.wbuf_gpa, 4, 0, N | W | VRTC_PVIRTQ_DESC_F_AVAIL);
	T_CHECK(expect_broken(&e, VRTC_VQ_BROKEN_DESC) == 0);
	env_fini(&e);
}

/* A chain wrapping the ring end whose tail keeps the old lap's bits. */
static void
wrapping_chain_with_stale_tail(void)
{
	struct env e;
	struct vrtc_chain ch;
	struct vrtc_pvirtq_desc c;
	uint16_t k;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	for (k = 0; k < QSIZE - 1; k++) {
		c = D(e.good_gpa, 4, k, W);
		fake_praw_post(&e.q, &c, 1);
	}
	T_EQ(vrtc_vq_packed_avail(&e.q.dev, 32), QSIZE); /* a bound: the ring is free */
	for (k = 0; k < QSIZE - 1; k++) {
		T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &ch), 0);
		T_EQ_INT(vrtc_vq_packed_push(&e.q.dev, ch.head, 0), 0);
	}
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &ch), -ENOENT);
	vrtc_vq_packed_flush(&e.q.dev);
	/* Slot 7 (lap 1) continues at slot 0, which needs lap 2's bits; it
	 * carries lap 1's (the device's used bits there do not count either). */
	fake_praw_desc(&e.q, 0, e.wbuf_gpa, 4, 1, W | VRTC_PVIRTQ_DESC_F_AVAIL);
	fake_praw_desc(&e.q, 7, e.wbuf_gpa, 4, 0, N | W | VRTC_PVIRTQ_DESC_F_AVAIL);
	T_CHECK(expect_broken(&e, VRTC_VQ_BROKEN_DESC) == 0);
	env_fini(&e);
}

static void
id_out_of_range(void)
{
	struct env e;
	const struct vrtc_pvirtq_desc c = D(0, 4, QSIZE, W);

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	fake_praw_post(&e.q, &c, 1);
	T_CHECK(expect_broken(&e, VRTC_VQ_BROKEN_ID) == 0);
	env_fini(&e);
}

static void
id_reused_while_in_flight(void)
{
	struct env e;
	struct vrtc_chain ch;
	struct vrtc_pvirtq_desc c;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	c = D(e.good_gpa, 4, 3, W);
	fake_praw_post(&e.q, &c, 1);
	T_EQ(vrtc_vq_packed_avail(&e.q.dev, 32), QSIZE);
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &ch), 0);
	T_EQ(ch.head, 3);
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &ch), -ENOENT);
	c = D(e.wbuf_gpa, 4, 3, W); /* id 3 again, still held by the device */
	fake_praw_post(&e.q, &c, 1);
	T_CHECK(expect_broken(&e, VRTC_VQ_BROKEN_ID_INFLIGHT) == 0);
	env_fini(&e);
}

/* The id is taken from the last descriptor, whatever the others say. */
static void
id_taken_from_last_descriptor(void)
{
	struct env e;
	struct vrtc_pvirtq_desc c[2];
	uint16_t id;
	uint32_t len;
	int used;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	c[0] = D(e.good_gpa, 4, 0xBEEF, N);
	c[1] = D(e.good_gpa + 4, 4, 6, W);
	fake_praw_post(&e.q, c, 2);
	T_EQ(fake_pserve(&e.q, 32, counting_fill, &e).popped, 1);
	next_used(&e, &id, &len, &used);
	T_CHECK(used);
	T_EQ(id, 6);
	T_EQ(len, 4);
	env_fini(&e);
}

/* A chain announced by avail, then withdrawn before pop. */
static void
chain_withdrawn_after_avail(void)
{
	struct env e;
	struct vrtc_chain ch;
	struct vrtc_pvirtq_desc c;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	c = D(e.wbuf_gpa, 4, 0, W);
	fake_praw_post(&e.q, &c, 1);
	T_EQ(vrtc_vq_packed_avail(&e.q.dev, 32), QSIZE);
	fake_praw_desc(&e.q, 0, e.wbuf_gpa, 4, 0, W | VRTC_PVIRTQ_DESC_F_USED);
	T_EQ_INT(vrtc_vq_packed_pop(&e.q.dev, &ch), -ENOENT);
	T_EQ(vrtc_vq_broken(&e.q.dev), VRTC_VQ_OK);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 0);
	env_fini(&e);
}

/* A driver event offset beyond the ring: a decision, nothing out of bounds. */
static void
driver_event_offset_out_of_range(void)
{
	struct env e;
	const struct vrtc_pvirtq_desc c = D(0, 4, 0, W);
	struct vrtc_pvirtq_desc cc = c;
	struct fake_serve_result r;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	cc.addr = e.good_gpa;
	pring_drv_event_store(&e.q.drv.ring, 0x7FFF, VRTC_PVIRTQ_EVENT_F_DESC);
	fake_praw_post(&e.q, &cc, 1);
	r = fake_pserve(&e.q, 32, counting_fill, &e);
	T_EQ(r.popped, 1);
	T_EQ(e.q.dev.stats.notify_needed + e.q.dev.stats.notify_suppressed, 1);
	/* Reserved flags value 3: notify. */
	pring_drv_event_store(&e.q.drv.ring, 0, 3);
	cc.id = 1;
	fake_praw_post(&e.q, &cc, 1);
	T_EQ(fake_pserve(&e.q, 32, counting_fill, &e).notify, 1);
	env_fini(&e);
}

static void
broken_names(void)
{
	int i;

	for (i = 0; i < VRTC_VQ_BROKEN_COUNT; i++)
		T_CHECK(strcmp(vrtc_vq_broken_name((enum vrtc_vq_broken_reason)i), "?") != 0);
	T_CHECK(strcmp(vrtc_vq_broken_name(VRTC_VQ_BROKEN_COUNT), "?") == 0);
	T_CHECK(strcmp(vrtc_vq_broken_name(VRTC_VQ_OK), "ok") == 0);
}

static const struct t_case cases[] = {
	T_CASE(addr_in_gap_between_regions),
	T_CASE(len_past_region_end),
	T_CASE(gpa_plus_len_overflows),
	T_CASE(buffer_spanning_two_adjacent_regions),
	T_CASE(chain_round_the_whole_ring),
	T_CASE(zero_length_chain_round_the_ring),
	T_CASE(chain_of_the_whole_ring),
	T_CASE(next_flag_into_unavailable_descriptor),
	T_CASE(indirect_longer_than_queue),
	T_CASE(indirect_of_queue_size),
	T_CASE(direct_chained_to_indirect),
	T_CASE(nested_indirect),
	T_CASE(indirect_not_negotiated),
	T_CASE(indirect_size_not_multiple_of_16),
	T_CASE(indirect_size_zero),
	T_CASE(indirect_with_next),
	T_CASE(indirect_table_outside_memory),
	T_CASE(indirect_next_flags_ignored),
	T_CASE(readable_after_writable),
	T_CASE(readable_after_writable_in_table),
	T_CASE(writable_bytes_over_4g),
	T_CASE(bad_chain_among_good_ones),
	T_CASE(more_available_than_ring_free),
	T_CASE(wrap_counter_mismatch),
	T_CASE(avail_used_flags_corrupted),
	T_CASE(wrapping_chain_with_stale_tail),
	T_CASE(id_out_of_range),
	T_CASE(id_reused_while_in_flight),
	T_CASE(id_taken_from_last_descriptor),
	T_CASE(chain_withdrawn_after_avail),
	T_CASE(driver_event_offset_out_of_range),
	T_CASE(broken_names),
};

T_MAIN(cases)
