/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/* Guest memory map: translation bounds, overflow, region validation. */

#include <errno.h>

#include "mem.h"
#include "test.h"

static uint8_t host_a[4096];
static uint8_t host_b[8192];

static void
two_regions(struct vrtc_mem *m)
{
	const struct vrtc_mem_region r[2] = {
		{ .gpa = 0x10000, .size = sizeof(host_a), .hva = (uintptr_t)host_a },
		{ .gpa = 0x40000, .size = sizeof(host_b), .hva = (uintptr_t)host_b },
	};

	if (vrtc_mem_init(m, r, 2) != 0)
		abort();
}

static void
translate_inside(void)
{
	struct vrtc_mem m;
	uint32_t hint = 0;

	two_regions(&m);
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x10000, 1) == host_a);
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x10000, sizeof(host_a)) == host_a);
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x10fff, 1) == host_a + 0xfff);
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x40010, 16) == host_b + 0x10);
	T_EQ(hint, 1);
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x41fff, 1) == host_b + 0x1fff);
}

static void
translate_outside(void)
{
	struct vrtc_mem m;
	uint32_t hint = 0;

	two_regions(&m);
	/* Before, between, after the regions. */
	T_CHECK(vrtc_mem_translate(&m, &hint, 0, 1) == NULL);
	T_CHECK(vrtc_mem_translate(&m, &hint, 0xffff, 1) == NULL);
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x11000, 1) == NULL);
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x42000, 1) == NULL);
	/* Starting inside, ending one byte past the end. */
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x10000, sizeof(host_a) + 1) == NULL);
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x10fff, 2) == NULL);
	/* Spanning the gap between two regions. */
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x10ff0, 0x40000) == NULL);
	/* Zero length never translates. */
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x10000, 0) == NULL);
}

static void
translate_overflow(void)
{
	struct vrtc_mem m;
	uint32_t hint = 0;

	two_regions(&m);
	/* gpa + len wraps around 2^64 and would land inside region 0. */
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x10010, UINT64_MAX - 0x8) == NULL);
	T_CHECK(vrtc_mem_translate(&m, &hint, UINT64_MAX, 2) == NULL);
	T_CHECK(vrtc_mem_translate(&m, &hint, UINT64_MAX, UINT64_MAX) == NULL);
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x10000, UINT64_MAX) == NULL);
}

static void
hint_any_value_is_safe(void)
{
	struct vrtc_mem m;
	uint32_t hint;

	two_regions(&m);
	hint = 7; /* beyond nb_regions */
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x10004, 4) == host_a + 4);
	T_EQ(hint, 0);
	hint = UINT32_MAX;
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x40000, 4) == host_b);
	T_EQ(hint, 1);
	/* A stale hint pointing at the wrong region still translates right. */
	hint = 1;
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x10008, 8) == host_a + 8);
}

static void
empty_map(void)
{
	struct vrtc_mem m;
	uint32_t hint = 0;

	T_EQ_INT(vrtc_mem_init(&m, NULL, 0), 0);
	T_CHECK(vrtc_mem_translate(&m, &hint, 0, 1) == NULL);
}

static void
init_rejects_bad_regions(void)
{
	struct vrtc_mem m;
	uint32_t hint = 0;
	struct vrtc_mem_region r[VRTC_MEM_MAX_REGIONS + 1] = {
		{ .gpa = 0x1000, .size = 0x1000, .hva = (uintptr_t)host_b },
		{ .gpa = 0x1800, .size = 0x1000, .hva = (uintptr_t)host_a }, /* overlaps */
	};

	T_EQ_INT(vrtc_mem_init(&m, r, 2), -EINVAL);
	T_CHECK(vrtc_mem_translate(&m, &hint, 0x1000, 1) == NULL); /* left empty */

	r[1].gpa = 0x2000; /* adjacent: fine */
	T_EQ_INT(vrtc_mem_init(&m, r, 2), 0);

	r[1].size = 0; /* empty */
	T_EQ_INT(vrtc_mem_init(&m, r, 2), -EINVAL);

	r[1].gpa = UINT64_MAX - 0xfff; /* gpa + size wraps to 0 */
	r[1].size = 0x1000;
	T_EQ_INT(vrtc_mem_init(&m, r, 2), -EINVAL);

	r[1].gpa = 0x100000;
	r[1].hva = UINT64_MAX - 0x10; /* host range wraps */
	T_EQ_INT(vrtc_mem_init(&m, r, 2), -EINVAL);

	r[1].hva = 0; /* no mapping */
	T_EQ_INT(vrtc_mem_init(&m, r, 2), -EINVAL);

	T_EQ_INT(vrtc_mem_init(&m, r, VRTC_MEM_MAX_REGIONS + 1), -E2BIG);
}

static void
region_at_top_of_address_space(void)
{
	struct vrtc_mem m;
	uint32_t hint = 0;
	/* Ends at 2^64 - 1 exclusive: the last byte is 2^64 - 2. */
	const struct vrtc_mem_region r = {
		.gpa = UINT64_MAX - sizeof(host_a), .size = sizeof(host_a), .hva = (uintptr_t)host_a
	};

	T_EQ_INT(vrtc_mem_init(&m, &r, 1), 0);
	T_CHECK(vrtc_mem_translate(&m, &hint, UINT64_MAX - 1, 1) == host_a + sizeof(host_a) - 1);
	T_CHECK(vrtc_mem_translate(&m, &hint, UINT64_MAX - 1, 2) == NULL);
	T_CHECK(vrtc_mem_translate(&m, &hint, UINT64_MAX, 1) == NULL);
}

static const struct t_case cases[] = {
	T_CASE(translate_inside),
	T_CASE(translate_outside),
	T_CASE(translate_overflow),
	T_CASE(hint_any_value_is_safe),
	T_CASE(empty_map),
	T_CASE(init_rejects_bad_regions),
	T_CASE(region_at_top_of_address_space),
};

T_MAIN(cases)
