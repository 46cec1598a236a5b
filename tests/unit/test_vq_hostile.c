/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Hostile descriptors and rings. Every case asserts the exact outcome: a
 * bad chain is completed with used length 0, counted under its reason, its
 * buffers untouched, and the queue keeps serving the next good chain; a bad
 * ring latches the queue broken and nothing more is read or written.
 */

#include <errno.h>
#include <sys/mman.h>

#include "fake_driver.h"
#include "test.h"

#define F(bit) (UINT64_C(1) << (bit))
#define FEAT_NO_INDIRECT (F(VRTC_VIRTIO_F_VERSION_1) | F(VRTC_VIRTIO_RING_F_EVENT_IDX))
#define FEAT_ALL (FEAT_NO_INDIRECT | F(VRTC_VIRTIO_RING_F_INDIRECT_DESC))

#define QSIZE 8
#define R0_GPA UINT64_C(0x100000000) /* region 0: 1 MiB */
#define R1_GPA UINT64_C(0x200000000) /* region 1: 64 KiB, after a gap */
#define R1_SIZE 0x10000
#define GOOD_HEAD 7 /* the descriptor used for the follow-up good chain */

struct env {
	struct fake_guest g;
	struct fake_queue q;
	uint8_t *wbuf; /* a writable buffer that must stay untouched */
	uint64_t wbuf_gpa;
	uint8_t *good; /* buffer of the follow-up good chain */
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
env_init(struct env *e, uint64_t features)
{
	const struct fake_region_spec spec[2] = {
		{ .gpa = R0_GPA, .size = 1 << 20 },
		{ .gpa = R1_GPA, .size = R1_SIZE },
	};

	memset(e, 0, sizeof(*e));
	if (fake_guest_init(&e->g, spec, 2) != 0 ||
	    fake_queue_init(&e->q, &e->g, QSIZE, features) != 0)
		return -1;
	e->wbuf = fake_guest_alloc(&e->g, 0, 64, 8, &e->wbuf_gpa);
	e->good = fake_guest_alloc(&e->g, 0, 64, 8, &e->good_gpa);
	memset(e->wbuf, 0xC3, 64);
	return 0;
}

static void
env_fini(struct env *e)
{
	fake_queue_fini(&e->q);
	fake_guest_fini(&e->g);
}

static void *
table(struct env *e, uint16_t entries, uint64_t *gpa)
{
	return fake_guest_alloc(&e->g, 0, entries * sizeof(struct vrtc_vring_desc), 16, gpa);
}

static void
set_entry(struct vrtc_vring_desc *t, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	  uint16_t next)
{
	t[i].addr = addr;
	t[i].len = len;
	t[i].flags = flags;
	t[i].next = next;
}

/*
 * Make @p head available, serve one burst and check it came back as a bad
 * chain for @p reason with used length 0, the handler never ran and the
 * untouchable buffer is untouched; then check a good chain is still served.
 */
static int
expect_bad_chain(struct env *e, uint16_t head, enum vrtc_chain_error reason)
{
	struct fake_serve_result r;
	uint16_t used_before = fake_used_idx(&e->q);
	uint32_t id, len;
	size_t i;

	fake_raw_avail_head(&e->q, head);
	r = fake_serve(&e->q, 32, counting_fill, e);
	if (r.popped != 1 || r.bad != 1 || e->handler_calls != 0) {
		fprintf(stderr, "popped %u bad %u handler calls %d\n", r.popped, r.bad,
			e->handler_calls);
		return -1;
	}
	if (e->q.dev.stats.bad_chain[reason] != 1 || e->q.dev.stats.bad_chains != 1) {
		fprintf(stderr, "expected one '%s' bad chain; counters:", vrtc_chain_error_name(reason));
		for (i = 0; i < VRTC_CHAIN_E_COUNT; i++)
			fprintf(stderr, " %s=%" PRIu64, vrtc_chain_error_name((enum vrtc_chain_error)i),
				e->q.dev.stats.bad_chain[i]);
		fputc('\n', stderr);
		return -1;
	}
	fake_used_elem(&e->q, used_before, &id, &len);
	if (fake_used_idx(&e->q) != (uint16_t)(used_before + 1) || id != head || len != 0) {
		fprintf(stderr, "used elem id %u len %u\n", id, len);
		return -1;
	}
	for (i = 0; i < 64; i++) {
		if (e->wbuf[i] != 0xC3) {
			fprintf(stderr, "a bad chain's buffer was written\n");
			return -1;
		}
	}
	if (vrtc_vq_broken(&e->q.dev) != VRTC_VQ_OK)
		return -1;

	/* The queue goes on. */
	fake_raw_desc(&e->q, GOOD_HEAD, e->good_gpa, 16, VRTC_VRING_DESC_F_WRITE, 0);
	fake_raw_avail_head(&e->q, GOOD_HEAD);
	r = fake_serve(&e->q, 32, counting_fill, e);
	fake_used_elem(&e->q, (uint16_t)(used_before + 1), &id, &len);
	if (r.popped != 1 || r.bad != 0 || id != GOOD_HEAD || len != 16 || e->good[15] != 0x5A) {
		fprintf(stderr, "good chain after the bad one: popped %u bad %u id %u len %u\n",
			r.popped, r.bad, id, len);
		return -1;
	}
	return 0;
}

#define W VRTC_VRING_DESC_F_WRITE
#define N VRTC_VRING_DESC_F_NEXT
#define I VRTC_VRING_DESC_F_INDIRECT

static void
addr_in_gap_between_regions(void)
{
	struct env e;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	fake_raw_desc(&e.q, 0, e.wbuf_gpa, 8, N, 1);
	fake_raw_desc(&e.q, 1, R0_GPA + (1 << 20) + 0x1000, 8, W, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_ADDR) == 0);
	env_fini(&e);
}

static void
len_past_region_end(void)
{
	struct env e;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	fake_raw_desc(&e.q, 0, R1_GPA + R1_SIZE - 8, 9, W, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_ADDR) == 0);
	env_fini(&e);
}

static void
gpa_plus_len_overflows(void)
{
	struct env e;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	/* addr + len wraps around 2^64 to a small value. */
	fake_raw_desc(&e.q, 0, UINT64_MAX - 7, UINT32_MAX, W, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_ADDR) == 0);
	env_fini(&e);
}

static void
buffer_spanning_two_adjacent_regions(void)
{
	struct env e;
	const struct fake_region_spec spec[2] = {
		{ .gpa = R0_GPA, .size = 1 << 20 },
		{ .gpa = R0_GPA + (1 << 20), .size = R1_SIZE }, /* contiguous in GPA */
	};

	memset(&e, 0, sizeof(e));
	T_CHECK(fake_guest_init(&e.g, spec, 2) == 0);
	T_CHECK(fake_queue_init(&e.q, &e.g, QSIZE, FEAT_ALL) == 0);
	e.wbuf = fake_guest_alloc(&e.g, 0, 64, 8, &e.wbuf_gpa);
	e.good = fake_guest_alloc(&e.g, 0, 64, 8, &e.good_gpa);
	memset(e.wbuf, 0xC3, 64);
	/* Contiguous to the guest, two host mappings to us: refused, since a
	 * pointer into one mapping must not run into whatever follows it. */
	fake_raw_desc(&e.q, 0, R0_GPA + (1 << 20) - 8, 16, W, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_ADDR) == 0);
	env_fini(&e);
}

static void
loop_of_two(void)
{
	struct env e;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	fake_raw_desc(&e.q, 0, e.wbuf_gpa, 4, N, 1);
	fake_raw_desc(&e.q, 1, e.wbuf_gpa, 4, N, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_TOO_LONG) == 0);
	env_fini(&e);
}

static void
self_loop(void)
{
	struct env e;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	fake_raw_desc(&e.q, 3, e.wbuf_gpa, 4, N | W, 3);
	T_CHECK(expect_bad_chain(&e, 3, VRTC_CHAIN_E_TOO_LONG) == 0);
	env_fini(&e);
}

static void
zero_length_loop(void)
{
	struct env e;

	/* Zero-length descriptors add no segment but still count hops. */
	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	fake_raw_desc(&e.q, 0, 0, 0, N, 1);
	fake_raw_desc(&e.q, 1, 0, 0, N, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_TOO_LONG) == 0);
	env_fini(&e);
}

static void
next_out_of_range(void)
{
	struct env e;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	fake_raw_desc(&e.q, 0, e.wbuf_gpa, 4, N, QSIZE);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_NEXT) == 0);
	env_fini(&e);
}

static void
indirect_longer_than_queue(void)
{
	struct env e;
	struct vrtc_vring_desc *t;
	uint64_t gt;
	uint16_t i;

	/* QSIZE + 1 entries, all well-formed: the chain is too long. */
	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, QSIZE + 1, &gt);
	for (i = 0; i <= QSIZE; i++)
		set_entry(t, i, e.wbuf_gpa, 1, (uint16_t)(W | (i < QSIZE ? N : 0)), i + 1);
	fake_raw_desc(&e.q, 0, gt, (QSIZE + 1) * 16, I, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_TOO_LONG) == 0);
	env_fini(&e);
}

static void
direct_plus_indirect_longer_than_queue(void)
{
	struct env e;
	struct vrtc_vring_desc *t;
	uint64_t gt;
	uint16_t i;

	/* 3 direct descriptors + a pointer + 5 table entries = 9 > 8. */
	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, 5, &gt);
	for (i = 0; i < 5; i++)
		set_entry(t, i, e.wbuf_gpa, 1, (uint16_t)(W | (i < 4 ? N : 0)), i + 1);
	fake_raw_desc(&e.q, 0, e.wbuf_gpa, 1, N, 1);
	fake_raw_desc(&e.q, 1, e.wbuf_gpa, 1, N, 2);
	fake_raw_desc(&e.q, 2, e.wbuf_gpa, 1, N, 3);
	fake_raw_desc(&e.q, 3, gt, 5 * 16, I, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_TOO_LONG) == 0);
	env_fini(&e);
}

static void
nested_indirect(void)
{
	struct env e;
	struct vrtc_vring_desc *outer, *inner;
	uint64_t go, gi;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	inner = table(&e, 1, &gi);
	outer = table(&e, 2, &go);
	set_entry(inner, 0, e.wbuf_gpa, 8, W, 0);
	set_entry(outer, 0, e.wbuf_gpa, 8, N, 1);
	set_entry(outer, 1, gi, 16, I, 0);
	fake_raw_desc(&e.q, 0, go, 32, I, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_INDIRECT_NESTED) == 0);
	env_fini(&e);
}

static void
indirect_not_negotiated(void)
{
	struct env e;
	struct vrtc_vring_desc *t;
	uint64_t gt;

	T_CHECK(env_init(&e, FEAT_NO_INDIRECT) == 0);
	t = table(&e, 1, &gt);
	set_entry(t, 0, e.wbuf_gpa, 8, W, 0);
	fake_raw_desc(&e.q, 0, gt, 16, I, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_INDIRECT_FEATURE) == 0);
	env_fini(&e);
}

static void
indirect_size_not_multiple_of_16(void)
{
	struct env e;
	struct vrtc_vring_desc *t;
	uint64_t gt;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, 2, &gt);
	set_entry(t, 0, e.wbuf_gpa, 8, W, 0);
	fake_raw_desc(&e.q, 0, gt, 24, I, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_INDIRECT_SIZE) == 0);
	env_fini(&e);
}

static void
indirect_size_zero(void)
{
	struct env e;
	uint64_t gt;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	table(&e, 1, &gt);
	fake_raw_desc(&e.q, 0, gt, 0, I, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_INDIRECT_SIZE) == 0);
	env_fini(&e);
}

static void
indirect_with_next(void)
{
	struct env e;
	struct vrtc_vring_desc *t;
	uint64_t gt;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, 1, &gt);
	set_entry(t, 0, e.wbuf_gpa, 8, W, 0);
	fake_raw_desc(&e.q, 0, gt, 16, I | N, 1);
	fake_raw_desc(&e.q, 1, e.wbuf_gpa, 8, W, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_INDIRECT_NEXT) == 0);
	env_fini(&e);
}

static void
indirect_table_outside_memory(void)
{
	struct env e;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	fake_raw_desc(&e.q, 0, R1_GPA + R1_SIZE - 16, 32, I, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_ADDR) == 0);
	env_fini(&e);
}

static void
indirect_loop(void)
{
	struct env e;
	struct vrtc_vring_desc *t;
	uint64_t gt;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, 2, &gt);
	set_entry(t, 0, e.wbuf_gpa, 8, W | N, 1);
	set_entry(t, 1, e.wbuf_gpa, 8, W | N, 0);
	fake_raw_desc(&e.q, 0, gt, 32, I, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_TOO_LONG) == 0);
	env_fini(&e);
}

static void
indirect_next_out_of_table(void)
{
	struct env e;
	struct vrtc_vring_desc *t;
	uint64_t gt;

	/* next = 2 is inside the queue size but outside a 2-entry table. */
	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, 2, &gt);
	set_entry(t, 0, e.wbuf_gpa, 8, W | N, 2);
	fake_raw_desc(&e.q, 0, gt, 32, I, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_NEXT) == 0);
	env_fini(&e);
}

static void
readable_after_writable(void)
{
	struct env e;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	fake_raw_desc(&e.q, 0, e.wbuf_gpa, 8, W | N, 1);
	fake_raw_desc(&e.q, 1, e.wbuf_gpa + 8, 8, N, 2);
	fake_raw_desc(&e.q, 2, e.wbuf_gpa + 16, 8, W, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_ORDER) == 0);
	env_fini(&e);
}

static void
readable_after_writable_in_table(void)
{
	struct env e;
	struct vrtc_vring_desc *t;
	uint64_t gt;

	/* A writable direct descriptor, then a table with a readable entry. */
	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	t = table(&e, 1, &gt);
	set_entry(t, 0, e.wbuf_gpa, 8, 0, 0);
	fake_raw_desc(&e.q, 0, e.wbuf_gpa + 8, 8, W | N, 1);
	fake_raw_desc(&e.q, 1, gt, 16, I, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_ORDER) == 0);
	env_fini(&e);
}

static void
writable_bytes_over_4g(void)
{
	struct env e;
	void *reserve;
	struct vrtc_mem_region r[3];
	const uint64_t big = UINT64_C(3) << 30;

	/* A 3 GiB region backed by an inaccessible reservation: the walker
	 * refuses the chain before anything would touch it. */
	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	reserve = mmap(NULL, big, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	T_CHECK(reserve != MAP_FAILED);
	memcpy(r, e.g.mem.regions, 2 * sizeof(r[0]));
	r[2].gpa = UINT64_C(0x1000000000);
	r[2].size = big;
	r[2].hva = (uintptr_t)reserve;
	T_EQ_INT(vrtc_mem_init(&e.g.mem, r, 3), 0);
	fake_raw_desc(&e.q, 0, r[2].gpa, 0x80000000u, W | N, 1);
	fake_raw_desc(&e.q, 1, r[2].gpa, 0x80000000u, W, 0);
	T_CHECK(expect_bad_chain(&e, 0, VRTC_CHAIN_E_BYTES) == 0);
	munmap(reserve, big);
	env_fini(&e);
}

static void
bad_chain_among_good_ones(void)
{
	struct env e;
	struct fake_serve_result r;
	uint32_t id, len;
	uint16_t h;

	/* Spec edge case 11: the good chains of a burst are still answered. */
	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	for (h = 0; h < 5; h++)
		fake_raw_desc(&e.q, h, e.good_gpa + h * 8, 8, W, 0);
	fake_raw_desc(&e.q, 2, e.good_gpa, 8, N, QSIZE + 3); /* bad */
	for (h = 0; h < 5; h++)
		fake_raw_avail_head(&e.q, h);
	r = fake_serve(&e.q, 32, counting_fill, &e);
	T_EQ(r.popped, 5);
	T_EQ(r.bad, 1);
	T_EQ(e.handler_calls, 4);
	for (h = 0; h < 5; h++) {
		fake_used_elem(&e.q, h, &id, &len);
		T_EQ(id, h);
		T_EQ(len, h == 2 ? 0 : 8);
	}
	env_fini(&e);
}

/* Ring-level faults: the queue is latched broken. */

static int
expect_broken(struct env *e, enum vrtc_vq_broken_reason reason, uint16_t used_before)
{
	struct vrtc_chain c;

	if (vrtc_vq_broken(&e->q.dev) != reason) {
		fprintf(stderr, "broken = %d, want %d\n", vrtc_vq_broken(&e->q.dev), reason);
		return -1;
	}
	/* Latched: nothing more is popped, published or written. */
	if (vrtc_vq_split_avail(&e->q.dev, 32) != 0 || vrtc_vq_split_pop(&e->q.dev, &c) != -EIO ||
	    vrtc_vq_split_flush(&e->q.dev) != 0 || fake_used_idx(&e->q) != used_before ||
	    vrtc_vq_split_kicks_enable(&e->q.dev) != 0)
		return -1;
	return 0;
}

static void
avail_idx_far_ahead(void)
{
	struct env e;
	uint16_t h;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	for (h = 0; h < QSIZE; h++)
		fake_raw_desc(&e.q, h, e.good_gpa, 8, W, 0);
	fake_raw_avail_idx(&e.q, QSIZE); /* exactly a full ring: fine */
	T_EQ(fake_serve(&e.q, 32, counting_fill, &e).popped, QSIZE);
	fake_raw_avail_idx(&e.q, 2 * QSIZE + 1); /* QSIZE + 1 ahead */
	T_EQ(fake_serve(&e.q, 32, counting_fill, &e).popped, 0);
	T_CHECK(expect_broken(&e, VRTC_VQ_BROKEN_AVAIL_IDX, QSIZE) == 0);
	env_fini(&e);
}

static void
avail_idx_moved_backwards(void)
{
	struct env e;
	uint16_t h;

	/* Going back looks like running 65535 ahead: broken as well. */
	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	for (h = 0; h < 2; h++) {
		fake_raw_desc(&e.q, h, e.good_gpa, 8, W, 0);
		fake_raw_avail_head(&e.q, h);
	}
	T_EQ(fake_serve(&e.q, 32, counting_fill, &e).popped, 2);
	fake_raw_avail_idx(&e.q, 1);
	T_EQ(fake_serve(&e.q, 32, counting_fill, &e).popped, 0);
	T_CHECK(expect_broken(&e, VRTC_VQ_BROKEN_AVAIL_IDX, 2) == 0);
	env_fini(&e);
}

static void
head_out_of_range(void)
{
	struct env e;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	fake_raw_desc(&e.q, 0, e.good_gpa, 8, W, 0);
	fake_raw_avail_head(&e.q, 0);
	fake_raw_avail_head(&e.q, QSIZE); /* not a descriptor index */
	fake_raw_avail_head(&e.q, 0);
	/* The first chain is served and published; then the ring breaks. */
	T_EQ(fake_serve(&e.q, 32, counting_fill, &e).popped, 1);
	T_EQ(e.handler_calls, 1);
	T_CHECK(expect_broken(&e, VRTC_VQ_BROKEN_HEAD, 1) == 0);
	env_fini(&e);
}

static void
head_reposted_while_in_flight(void)
{
	struct env e;
	struct vrtc_chain c;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	fake_raw_desc(&e.q, 4, e.good_gpa, 8, W, 0);
	fake_raw_avail_head(&e.q, 4);
	fake_raw_avail_head(&e.q, 4);
	T_EQ(vrtc_vq_split_avail(&e.q.dev, 32), 2);
	T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), 0); /* held, not pushed */
	T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), -EIO);
	T_CHECK(expect_broken(&e, VRTC_VQ_BROKEN_INFLIGHT, 0) == 0);
	env_fini(&e);
}

/*
 * A completion is the device's doing, not the guest's, but a wrong one
 * hands the driver a buffer twice: push refuses a head not in flight,
 * counts it and writes nothing; the queue stays served.
 */
static void
double_push_refused(void)
{
	struct env e;
	struct vrtc_chain c;
	uint32_t id, len;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	fake_raw_desc(&e.q, 3, e.good_gpa, 8, W, 0);
	fake_raw_avail_head(&e.q, 3);
	T_EQ(vrtc_vq_split_avail(&e.q.dev, 32), 1);
	T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), 0);
	T_EQ(c.head, 3);
	T_EQ_INT(vrtc_vq_split_push(&e.q.dev, 3, 8), 0);
	T_EQ_INT(vrtc_vq_split_push(&e.q.dev, 3, 8), -EINVAL);
	T_EQ(e.q.dev.stats.bad_push, 1);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 0);
	(void)vrtc_vq_split_flush(&e.q.dev);
	T_EQ(fake_used_idx(&e.q), 1); /* one used element, not two */
	fake_used_elem(&e.q, 0, &id, &len);
	T_EQ(id, 3);
	T_EQ(len, 8);
	T_EQ(vrtc_vq_broken(&e.q.dev), VRTC_VQ_OK);

	/* The head made available again is served as usual. */
	fake_raw_avail_head(&e.q, 3);
	T_EQ(fake_serve(&e.q, 32, counting_fill, &e).popped, 1);
	T_EQ(fake_used_idx(&e.q), 2);
	T_EQ(e.q.dev.stats.bad_push, 1);
	env_fini(&e);
}

static void
push_of_never_popped_head_refused(void)
{
	struct env e;
	struct vrtc_chain c;

	T_CHECK(env_init(&e, FEAT_ALL) == 0);
	/* Nothing popped at all: every head, and one past the table. */
	T_EQ_INT(vrtc_vq_split_push(&e.q.dev, 0, 0), -EINVAL);
	T_EQ_INT(vrtc_vq_split_push(&e.q.dev, QSIZE - 1, 4), -EINVAL);
	T_EQ_INT(vrtc_vq_split_push(&e.q.dev, QSIZE, 4), -EINVAL);
	T_EQ_INT(vrtc_vq_split_push(&e.q.dev, UINT16_MAX, 4), -EINVAL);
	T_EQ(e.q.dev.stats.bad_push, 4);
	T_EQ(vrtc_vq_split_flush(&e.q.dev), 0); /* nothing staged */
	T_EQ(fake_used_idx(&e.q), 0);

	/* One popped: a different head is still refused, its own is not. */
	fake_raw_desc(&e.q, 5, e.good_gpa, 8, W, 0);
	fake_raw_avail_head(&e.q, 5);
	T_EQ(vrtc_vq_split_avail(&e.q.dev, 32), 1);
	T_EQ_INT(vrtc_vq_split_pop(&e.q.dev, &c), 0);
	T_EQ_INT(vrtc_vq_split_push(&e.q.dev, 4, 0), -EINVAL);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 1);
	T_EQ_INT(vrtc_vq_split_push(&e.q.dev, 5, 0), 0);
	T_EQ(e.q.dev.stats.bad_push, 5);
	T_EQ(vrtc_vq_inflight(&e.q.dev), 0);
	vrtc_vq_split_flush(&e.q.dev);
	T_EQ(fake_used_idx(&e.q), 1);
	env_fini(&e);
}

static void
broken_names(void)
{
	int i;

	for (i = 0; i < VRTC_VQ_BROKEN_COUNT; i++)
		T_CHECK(strcmp(vrtc_vq_broken_name((enum vrtc_vq_broken_reason)i), "?") != 0);
}

static const struct t_case cases[] = {
	T_CASE(addr_in_gap_between_regions),
	T_CASE(len_past_region_end),
	T_CASE(gpa_plus_len_overflows),
	T_CASE(buffer_spanning_two_adjacent_regions),
	T_CASE(loop_of_two),
	T_CASE(self_loop),
	T_CASE(zero_length_loop),
	T_CASE(next_out_of_range),
	T_CASE(indirect_longer_than_queue),
	T_CASE(direct_plus_indirect_longer_than_queue),
	T_CASE(nested_indirect),
	T_CASE(indirect_not_negotiated),
	T_CASE(indirect_size_not_multiple_of_16),
	T_CASE(indirect_size_zero),
	T_CASE(indirect_with_next),
	T_CASE(indirect_table_outside_memory),
	T_CASE(indirect_loop),
	T_CASE(indirect_next_out_of_table),
	T_CASE(readable_after_writable),
	T_CASE(readable_after_writable_in_table),
	T_CASE(writable_bytes_over_4g),
	T_CASE(bad_chain_among_good_ones),
	T_CASE(avail_idx_far_ahead),
	T_CASE(avail_idx_moved_backwards),
	T_CASE(head_out_of_range),
	T_CASE(head_reposted_while_in_flight),
	T_CASE(double_push_refused),
	T_CASE(push_of_never_popped_head_refused),
	T_CASE(broken_names),
};

T_MAIN(cases)
