/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/* Chain walking (well-formed shapes) and the read/write cursors. The
 * hostile shapes are in test_vq_hostile.c. */

#include <endian.h>
#include <string.h>

#include "chain.h"
#include "ring_packed.h"
#include "fake_driver.h"
#include "test.h"

#define QSIZE 16
#define ALL_FEATURES                                                                       \
	((UINT64_C(1) << VRTC_VIRTIO_F_VERSION_1) |                                        \
	 (UINT64_C(1) << VRTC_VIRTIO_RING_F_INDIRECT_DESC) |                               \
	 (UINT64_C(1) << VRTC_VIRTIO_RING_F_EVENT_IDX))

struct env {
	struct fake_guest g;
	struct fake_queue q;
	struct vrtc_seg segs[QSIZE];
	struct vrtc_chain_ctx ctx;
};

static int
env_init(struct env *e, uint64_t features)
{
	if (fake_guest_init_simple(&e->g, 1 << 20) != 0 ||
	    fake_queue_init(&e->q, &e->g, QSIZE, features) != 0)
		return -1;
	e->ctx.vring = &e->q.dev.vring;
	e->ctx.mem = &e->g.mem;
	e->ctx.mem_hint = &e->q.dev.mem_hint;
	e->ctx.indirect_ok = vrtc_feature_has(features, VRTC_VIRTIO_RING_F_INDIRECT_DESC);
	e->ctx.segs = e->segs;
	return 0;
}

static void
env_fini(struct env *e)
{
	fake_queue_fini(&e->q);
	fake_guest_fini(&e->g);
}

static uint8_t *
buf(struct env *e, size_t len, uint64_t *gpa)
{
	return fake_guest_alloc(&e->g, 0, len, 8, gpa);
}

static void
direct_chain_segments(void)
{
	struct env e;
	struct vrtc_chain c;
	uint64_t g1, g2, g3;
	uint8_t *b1, *b2, *b3;

	T_CHECK(env_init(&e, ALL_FEATURES) == 0);
	b1 = buf(&e, 8, &g1);
	b2 = buf(&e, 8, &g2);
	b3 = buf(&e, 100, &g3);
	/* Descriptors deliberately out of table order: 5 -> 2 -> 9. */
	fake_raw_desc(&e.q, 5, g1, 8, VRTC_VRING_DESC_F_NEXT, 2);
	fake_raw_desc(&e.q, 2, g2, 8, VRTC_VRING_DESC_F_NEXT, 9);
	fake_raw_desc(&e.q, 9, g3, 100, VRTC_VRING_DESC_F_WRITE, 0);
	T_EQ(vrtc_chain_walk(&e.ctx, 5, &c), VRTC_CHAIN_OK);
	T_EQ(c.head, 5);
	T_EQ(c.nb_readable, 2);
	T_EQ(c.nb_writable, 1);
	T_EQ(c.readable_bytes, 16);
	T_EQ(c.writable_bytes, 100);
	T_CHECK(c.segs[0].addr == b1 && c.segs[0].len == 8);
	T_CHECK(c.segs[1].addr == b2 && c.segs[1].len == 8);
	T_CHECK(c.segs[2].addr == b3 && c.segs[2].len == 100);
	env_fini(&e);
}

static void
indirect_chain_segments(void)
{
	struct env e;
	struct vrtc_chain c;
	struct vrtc_vring_desc *table;
	uint64_t gt, g1, g2;
	uint8_t *b1, *b2;

	T_CHECK(env_init(&e, ALL_FEATURES) == 0);
	table = (void *)buf(&e, 2 * sizeof(*table), &gt);
	b1 = buf(&e, 16, &g1);
	b2 = buf(&e, 24, &g2);
	table[0] = (struct vrtc_vring_desc){ g1, 16, VRTC_VRING_DESC_F_NEXT, 1 };
	table[1] = (struct vrtc_vring_desc){ g2, 24, VRTC_VRING_DESC_F_WRITE, 0 };
	/* The WRITE flag on the pointer descriptor must be ignored. */
	fake_raw_desc(&e.q, 0, gt, 32, VRTC_VRING_DESC_F_INDIRECT | VRTC_VRING_DESC_F_WRITE, 0);
	T_EQ(vrtc_chain_walk(&e.ctx, 0, &c), VRTC_CHAIN_OK);
	T_EQ(c.nb_readable, 1);
	T_EQ(c.nb_writable, 1);
	T_CHECK(c.segs[0].addr == b1 && c.segs[1].addr == b2);
	T_EQ(c.writable_bytes, 24);
	env_fini(&e);
}

static void
direct_then_indirect(void)
{
	struct env e;
	struct vrtc_chain c;
	struct vrtc_vring_desc *table;
	uint64_t gt, g0, g1;

	T_CHECK(env_init(&e, ALL_FEATURES) == 0);
	buf(&e, 8, &g0);
	table = (void *)buf(&e, sizeof(*table), &gt);
	buf(&e, 16, &g1);
	table[0] = (struct vrtc_vring_desc){ g1, 16, VRTC_VRING_DESC_F_WRITE, 0 };
	fake_raw_desc(&e.q, 3, g0, 8, VRTC_VRING_DESC_F_NEXT, 4);
	fake_raw_desc(&e.q, 4, gt, 16, VRTC_VRING_DESC_F_INDIRECT, 0);
	T_EQ(vrtc_chain_walk(&e.ctx, 3, &c), VRTC_CHAIN_OK);
	T_EQ(c.nb_readable, 1);
	T_EQ(c.nb_writable, 1);
	T_EQ(c.readable_bytes, 8);
	T_EQ(c.writable_bytes, 16);
	env_fini(&e);
}

/*
 * An indirect head and an indirect descriptor after a ring descriptor take
 * two walks (vrtc_chain_walk_indirect() and, through the accumulator,
 * vrtc_chain_walk_direct()): each bad table gives the same error in both,
 * and no segment.
 */
static void
indirect_errors_both_walks(void)
{
	static const struct {
		uint16_t flags0, next0, flags1, next1;
		uint32_t len;	  /* of the indirect descriptor */
		uint16_t dflags;  /* extra flags on it */
		int bad_addr;	  /* entry 0 outside guest memory */
		enum vrtc_chain_error want;
	} shapes[] = {
		{ VRTC_VRING_DESC_F_INDIRECT, 0, 0, 0, 32, 0, 0, VRTC_CHAIN_E_INDIRECT_NESTED },
		{ VRTC_VRING_DESC_F_NEXT, 1, VRTC_VRING_DESC_F_NEXT, 0, 32, 0, 0,
		  VRTC_CHAIN_E_TOO_LONG }, /* a loop in the table */
		{ VRTC_VRING_DESC_F_NEXT, 5, 0, 0, 32, 0, 0, VRTC_CHAIN_E_NEXT },
		{ VRTC_VRING_DESC_F_WRITE | VRTC_VRING_DESC_F_NEXT, 1, 0, 0, 32, 0, 0,
		  VRTC_CHAIN_E_ORDER },
		{ 0, 0, 0, 0, 32, 0, 1, VRTC_CHAIN_E_ADDR },
		{ 0, 0, 0, 0, 32, VRTC_VRING_DESC_F_NEXT, 0, VRTC_CHAIN_E_INDIRECT_NEXT },
		{ 0, 0, 0, 0, 24, 0, 0, VRTC_CHAIN_E_INDIRECT_SIZE },
		{ 0, 0, 0, 0, 0, 0, 0, VRTC_CHAIN_E_INDIRECT_SIZE },
		{ 0, 0, 0, 0, QSIZE * 16, 0, 0, VRTC_CHAIN_E_TOO_LONG }, /* head charged */
	};
	struct vrtc_vring_desc *table;
	uint64_t gt, g1, g0;
	struct vrtc_chain c;
	struct env e;
	size_t k;
	int after;

	T_CHECK(env_init(&e, ALL_FEATURES) == 0);
	table = (void *)buf(&e, QSIZE * sizeof(*table), &gt);
	buf(&e, 16, &g1);
	buf(&e, 8, &g0);
	for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		for (after = 0; after <= 1; after++) {
			uint16_t head = after ? 2 : 3;

			memset(table, 0, QSIZE * sizeof(*table));
			table[0] = (struct vrtc_vring_desc){ shapes[k].bad_addr ? UINT64_MAX - 8 : g1,
							     16, shapes[k].flags0, shapes[k].next0 };
			table[1] = (struct vrtc_vring_desc){ g1, 16, shapes[k].flags1,
							     shapes[k].next1 };
			/* Before it: a zero-length readable ring descriptor,
			 * charged to the budget but no segment. */
			fake_raw_desc(&e.q, 2, g0, 0, VRTC_VRING_DESC_F_NEXT, 3);
			fake_raw_desc(&e.q, 3, gt, shapes[k].len,
				      VRTC_VRING_DESC_F_INDIRECT | shapes[k].dflags, 0);
			T_EQ(vrtc_chain_walk(&e.ctx, head, &c), shapes[k].want);
			T_EQ(c.head, head);
			T_EQ(c.nb_readable, 0);
			T_EQ(c.nb_writable, 0);
		}
	}
	/* A writable ring descriptor before a table of readable entries: the
	 * order rule holds across the two. */
	table[0] = (struct vrtc_vring_desc){ g1, 16, 0, 0 };
	fake_raw_desc(&e.q, 2, g0, 8, VRTC_VRING_DESC_F_NEXT | VRTC_VRING_DESC_F_WRITE, 3);
	fake_raw_desc(&e.q, 3, gt, 16, VRTC_VRING_DESC_F_INDIRECT, 0);
	T_EQ(vrtc_chain_walk(&e.ctx, 2, &c), VRTC_CHAIN_E_ORDER);
	T_EQ(vrtc_chain_walk(&e.ctx, 3, &c), VRTC_CHAIN_OK);
	T_EQ(c.nb_readable, 1);
	env_fini(&e);

	/* Feature not negotiated: refused at the head and after it. */
	T_CHECK(env_init(&e, ALL_FEATURES & ~(UINT64_C(1) << VRTC_VIRTIO_RING_F_INDIRECT_DESC)) ==
		0);
	table = (void *)buf(&e, sizeof(*table), &gt);
	buf(&e, 16, &g1);
	table[0] = (struct vrtc_vring_desc){ g1, 16, 0, 0 };
	fake_raw_desc(&e.q, 2, 0, 0, VRTC_VRING_DESC_F_NEXT, 3);
	fake_raw_desc(&e.q, 3, gt, 16, VRTC_VRING_DESC_F_INDIRECT, 0);
	T_EQ(vrtc_chain_walk(&e.ctx, 3, &c), VRTC_CHAIN_E_INDIRECT_FEATURE);
	T_EQ(vrtc_chain_walk(&e.ctx, 2, &c), VRTC_CHAIN_E_INDIRECT_FEATURE);
	T_EQ(c.nb_readable + c.nb_writable, 0);
	env_fini(&e);
}

static void
indirect_table_misaligned(void)
{
	struct env e;
	struct vrtc_chain c;
	uint8_t *raw;
	struct vrtc_vring_desc d = { 0, 4, VRTC_VRING_DESC_F_WRITE, 0 };
	uint64_t gt, g1;

	T_CHECK(env_init(&e, ALL_FEATURES) == 0);
	buf(&e, 4, &g1);
	raw = buf(&e, 64, &gt);
	d.addr = g1;
	memcpy(raw + 3, &d, sizeof(d)); /* a table at an odd address is legal */
	fake_raw_desc(&e.q, 0, gt + 3, 16, VRTC_VRING_DESC_F_INDIRECT, 0);
	T_EQ(vrtc_chain_walk(&e.ctx, 0, &c), VRTC_CHAIN_OK);
	T_EQ(c.writable_bytes, 4);
	env_fini(&e);
}

static void
zero_length_descriptors_skipped(void)
{
	struct env e;
	struct vrtc_chain c;
	uint64_t g1;

	T_CHECK(env_init(&e, ALL_FEATURES) == 0);
	buf(&e, 8, &g1);
	/* A zero-length descriptor's address is never used, even if bogus. */
	fake_raw_desc(&e.q, 0, UINT64_MAX, 0, VRTC_VRING_DESC_F_NEXT, 1);
	fake_raw_desc(&e.q, 1, g1, 8, VRTC_VRING_DESC_F_NEXT, 2);
	fake_raw_desc(&e.q, 2, 0, 0, VRTC_VRING_DESC_F_WRITE, 0);
	T_EQ(vrtc_chain_walk(&e.ctx, 0, &c), VRTC_CHAIN_OK);
	T_EQ(c.nb_readable, 1);
	T_EQ(c.nb_writable, 0);
	T_EQ(c.readable_bytes, 8);
	T_EQ(c.writable_bytes, 0);
	env_fini(&e);
}

static void
read_across_segments(void)
{
	uint8_t a[3] = { 1, 2, 3 }, b[1] = { 4 }, w[5] = { 0 }, out[8];
	struct vrtc_seg segs[3] = { { a, 3 }, { b, 1 }, { w, 5 } };
	struct vrtc_chain c = { .nb_readable = 2, .nb_writable = 1, .readable_bytes = 4,
				.writable_bytes = 5, .segs = segs };
	static const uint8_t want[4] = { 1, 2, 3, 4 };

	memset(out, 0xEE, sizeof(out));
	T_EQ(vrtc_chain_read(&c, out, 2), 2);
	T_EQ_MEM(out, want, 2);
	T_EQ(vrtc_chain_read(&c, out, 8), 4); /* short: only 4 readable */
	T_EQ_MEM(out, want, 4);
	T_EQ(out[4], 0xEE);
	T_EQ(vrtc_chain_read(&c, out, 0), 0);
}

static void
write_across_segments(void)
{
	uint8_t r[2] = { 9, 9 }, w1[1], w2[2], w3[10];
	struct vrtc_seg segs[4] = { { r, 2 }, { w1, 1 }, { w2, 2 }, { w3, 10 } };
	struct vrtc_chain c = { .nb_readable = 1, .nb_writable = 3, .readable_bytes = 2,
				.writable_bytes = 13, .segs = segs };
	static const uint8_t src[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

	memset(w1, 0, sizeof(w1));
	memset(w2, 0, sizeof(w2));
	memset(w3, 0xEE, sizeof(w3));
	T_EQ(vrtc_chain_write(&c, src, 5), 5);
	T_EQ(w1[0], 1);
	T_EQ(w2[0], 2);
	T_EQ(w2[1], 3);
	T_EQ(w3[0], 4);
	T_EQ(w3[1], 5);
	T_EQ(w3[2], 0xEE);
	T_EQ(r[0], 9); /* the readable part is never written */
	T_EQ(vrtc_chain_write(&c, src, 16), 13); /* truncated at the end */
	T_EQ(w3[9], 13);
}

static void
write_fast_path_and_empty(void)
{
	uint8_t w[32];
	struct vrtc_seg segs[1] = { { w, 32 } };
	struct vrtc_chain c = { .nb_writable = 1, .writable_bytes = 32, .segs = segs };
	struct vrtc_chain none = { .segs = segs };
	static const uint8_t src[24] = { 7 };

	memset(w, 0xEE, sizeof(w));
	T_EQ(vrtc_chain_write(&c, src, 24), 24);
	T_EQ_MEM(w, src, 24);
	T_EQ(w[24], 0xEE);
	T_EQ(vrtc_chain_write(&none, src, 24), 0);
}

static void
error_names(void)
{
	int i;

	for (i = 0; i < VRTC_CHAIN_E_COUNT; i++)
		T_CHECK(strcmp(vrtc_chain_error_name((enum vrtc_chain_error)i), "?") != 0);
	T_CHECK(strcmp(vrtc_chain_error_name(VRTC_CHAIN_E_COUNT), "?") == 0);
}

/* Store a packed-layout table entry (addr, len, id, flags), little-endian. */
static void
packed_entry(uint8_t *table, unsigned int i, uint64_t addr, uint32_t len, uint16_t id,
	     uint16_t flags)
{
	struct vrtc_pvirtq_desc d = {
		.addr = htole64(addr),
		.len = htole32(len),
		.id = htole16(id),
		.flags = htole16(flags),
	};

	memcpy(table + (size_t)i * sizeof(d), &d, sizeof(d));
}

/* The accumulator fed directly, as the packed source feeds it: the table's
 * entries are consecutive, their F_NEXT and ids ignored. */
static void
accumulator_packed_table(void)
{
	struct vrtc_chain_acc acc;
	struct vrtc_chain c = { 0 };
	uint64_t gt, g1, g2;
	uint8_t *table;
	struct env e;

	T_CHECK(env_init(&e, ALL_FEATURES) == 0);
	table = buf(&e, 2 * 16, &gt);
	(void)buf(&e, 8, &g1);
	(void)buf(&e, 32, &g2);
	/* F_NEXT with a next-looking id on entry 0: ignored in a packed table. */
	packed_entry(table, 0, g1, 8, 7, VRTC_VRING_DESC_F_NEXT);
	packed_entry(table, 1, g2, 32, 0, VRTC_VRING_DESC_F_WRITE);
	vrtc_chain_acc_init(&acc, &e.ctx, QSIZE);
	T_EQ(vrtc_chain_acc_desc(&acc, gt, 32, VRTC_VRING_DESC_F_INDIRECT, VRTC_CHAIN_PACKED, 0),
	     VRTC_CHAIN_OK);
	vrtc_chain_acc_done(&acc, &c);
	T_EQ(c.nb_readable, 1);
	T_EQ(c.nb_writable, 1);
	T_EQ(c.readable_bytes, 8);
	T_EQ(c.writable_bytes, 32);
	T_EQ(acc.budget, QSIZE - 2);

	/* Linked from a ring descriptor before it: refused for packed ... */
	vrtc_chain_acc_init(&acc, &e.ctx, QSIZE);
	T_EQ(vrtc_chain_acc_desc(&acc, gt, 32, VRTC_VRING_DESC_F_INDIRECT, VRTC_CHAIN_PACKED, 1),
	     VRTC_CHAIN_E_INDIRECT_NEXT);
	/* ... allowed for split, whose table is linked by next from entry 0:
	 * the same bytes read as split entries put flags where packed has its
	 * id, so the entry-0 flags (id 7: F_NEXT|F_WRITE|F_INDIRECT) nest. */
	vrtc_chain_acc_init(&acc, &e.ctx, QSIZE);
	T_EQ(vrtc_chain_acc_desc(&acc, gt, 32, VRTC_VRING_DESC_F_INDIRECT, VRTC_CHAIN_SPLIT, 1),
	     VRTC_CHAIN_E_INDIRECT_NESTED);
	/* A table as long as the queue is accepted for packed, one more is not. */
	vrtc_chain_acc_init(&acc, &e.ctx, QSIZE);
	T_EQ(vrtc_chain_acc_desc(&acc, gt, (QSIZE + 1) * 16, VRTC_VRING_DESC_F_INDIRECT,
				 VRTC_CHAIN_PACKED, 0),
	     VRTC_CHAIN_E_TOO_LONG);
	/* F_NEXT on the indirect descriptor itself: refused for both. */
	vrtc_chain_acc_init(&acc, &e.ctx, QSIZE);
	T_EQ(vrtc_chain_acc_desc(&acc, gt, 32,
				 VRTC_VRING_DESC_F_INDIRECT | VRTC_VRING_DESC_F_NEXT,
				 VRTC_CHAIN_SPLIT, 0),
	     VRTC_CHAIN_E_INDIRECT_NEXT);
	env_fini(&e);
}

/* Buffer rules are the same for every source: order, zero length, caps. */
static void
accumulator_buffer_rules(void)
{
	struct vrtc_chain_acc acc;
	uint64_t g1;
	struct env e;

	T_CHECK(env_init(&e, ALL_FEATURES) == 0);
	(void)buf(&e, 64, &g1);
	vrtc_chain_acc_init(&acc, &e.ctx, QSIZE);
	T_EQ(vrtc_chain_acc_buffer(&acc, g1, 0, 0), VRTC_CHAIN_OK);
	T_EQ(acc.nb_segs, 0);
	T_EQ(vrtc_chain_acc_buffer(&acc, g1, 64, VRTC_VRING_DESC_F_WRITE), VRTC_CHAIN_OK);
	T_EQ(vrtc_chain_acc_buffer(&acc, g1, 8, 0), VRTC_CHAIN_E_ORDER);
	vrtc_chain_acc_init(&acc, &e.ctx, QSIZE);
	/* The region is 1 MiB at 1 TiB: 8 bytes straddling its end. */
	T_EQ(vrtc_chain_acc_buffer(&acc, (UINT64_C(1) << 40) + (1 << 20) - 4, 8, 0),
	     VRTC_CHAIN_E_ADDR);
	/* Feature off: an indirect descriptor is refused for both layouts. */
	e.ctx.indirect_ok = 0;
	vrtc_chain_acc_init(&acc, &e.ctx, QSIZE);
	T_EQ(vrtc_chain_acc_desc(&acc, g1, 32, VRTC_VRING_DESC_F_INDIRECT, VRTC_CHAIN_PACKED, 0),
	     VRTC_CHAIN_E_INDIRECT_FEATURE);
	T_EQ(vrtc_chain_acc_desc(&acc, g1, 32, VRTC_VRING_DESC_F_INDIRECT, VRTC_CHAIN_SPLIT, 0),
	     VRTC_CHAIN_E_INDIRECT_FEATURE);
	env_fini(&e);
}

static const struct t_case cases[] = {
	T_CASE(direct_chain_segments),
	T_CASE(indirect_chain_segments),
	T_CASE(direct_then_indirect),
	T_CASE(indirect_errors_both_walks),
	T_CASE(indirect_table_misaligned),
	T_CASE(zero_length_descriptors_skipped),
	T_CASE(read_across_segments),
	T_CASE(write_across_segments),
	T_CASE(write_fast_path_and_empty),
	T_CASE(error_names),
	T_CASE(accumulator_packed_table),
	T_CASE(accumulator_buffer_rules),
};

T_MAIN(cases)
