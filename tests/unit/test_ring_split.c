/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/* EVENT_IDX arithmetic and the ring area sizes. */

#include "ring_split.h"
#include "test.h"

static void
need_event_table(void)
{
	static const struct {
		uint16_t event, new_idx, old_idx;
		int want;
	} v[] = {
		{ 0, 1, 0, 1 },		 /* the first entry was asked for */
		{ 0, 0, 0, 0 },		 /* nothing new */
		{ 5, 5, 0, 0 },		 /* event == new: not yet written */
		{ 4, 5, 0, 1 },		 /* event = new - 1: just written */
		{ 0, 5, 0, 1 },		 /* event = old: first of the batch */
		{ 9, 5, 0, 0 },		 /* event in the future */
		{ 10, 20, 11, 0 },	 /* event before old: already signalled */
		{ 11, 20, 11, 1 },
		{ 19, 20, 11, 1 },
		{ 65535, 2, 65534, 1 },	 /* window wraps over 0 */
		{ 0, 2, 65534, 1 },
		{ 2, 2, 65534, 0 },
		{ 65533, 2, 65534, 0 },
		{ 0x8002, 2, 65534, 0 }, /* parked half the space away */
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (vrtc_vring_need_event(v[i].event, v[i].new_idx, v[i].old_idx) != v[i].want) {
			T_FAIL_AT("need_event(%u, %u, %u) != %d", v[i].event, v[i].new_idx,
				  v[i].old_idx, v[i].want);
			return;
		}
	}
}

static void
need_event_exhaustive_small(void)
{
	/* Against a direct reading of the rule: notify iff event is one of
	 * the indexes old, old+1, ..., new-1. */
	unsigned int old_idx, n, e;

	for (old_idx = 65500; old_idx < 65500 + 80; old_idx++) {
		for (n = 0; n <= 40; n++) {
			uint16_t o = (uint16_t)old_idx, nw = (uint16_t)(old_idx + n);

			for (e = 0; e < 65536; e += 97) {
				uint16_t ev = (uint16_t)(old_idx - 20 + e);
				int want = (uint16_t)(ev - o) < n;

				if (vrtc_vring_need_event(ev, nw, o) != want) {
					T_FAIL_AT("need_event(%u, %u, %u)", ev, nw, o);
					return;
				}
			}
		}
	}
}

static void
area_sizes(void)
{
	T_EQ(vrtc_vring_desc_bytes(256), 4096);
	T_EQ(vrtc_vring_avail_bytes(256), 4 + 2 * 256 + 2);
	T_EQ(vrtc_vring_used_bytes(256), 4 + 8 * 256 + 2);
	T_EQ(vrtc_vring_desc_bytes(32768), 524288);
}

static const struct t_case cases[] = {
	T_CASE(need_event_table),
	T_CASE(need_event_exhaustive_small),
	T_CASE(area_sizes),
};

T_MAIN(cases)
