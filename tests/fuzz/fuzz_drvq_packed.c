/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * libFuzzer target: the front-end's packed driver queue (drvq_packed.c)
 * against a device whose every write comes from the fuzzer: used
 * descriptors anywhere in the ring with any id, length and flags, any
 * bytes in the device event area, interleaved with the driver's adds
 * (direct and indirect), kick decisions and collections.
 *
 * Input: [flags][size] then ops, one byte each plus operands:
 *   flags bit 0 EVENT_IDX, bit 1 indirect tables; size 1 + byte % 64;
 *   op % 5: 0 add (nb 1..3, indirect bit, lengths), 1 kick decision,
 *   2 device writes a used descriptor (offset: the driver's used offset or
 *   any, id, len, flags), 3 collect (max), 4 device event area (4 bytes).
 * Invariants checked (abort on violation): a completion names a chain in
 * flight, once, with a length within its writable bytes; free descriptors
 * plus those of the chains in flight always make the ring; once broken,
 * nothing is collected or added.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drvq.h"

#define MAX_SIZE 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct chain {
	uint32_t writable;
	uint16_t nb_desc;
	uint8_t inflight;
};

/* Cookies are indexes into this table, plus one (never NULL). */
static struct chain chains[1 << 16];

static uint8_t
take(const uint8_t **p, const uint8_t *end)
{
	return *p < end ? *(*p)++ : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct vrtc_drvq_layout layout;
	static struct vrtc_pvirtq_desc tables[MAX_SIZE * 3] __attribute__((aligned(16)));
	struct vrtc_drvq q;
	uint64_t features;
	uint32_t nb_chains = 0, inflight_desc = 0;
	uint16_t qsize;
	uint8_t flags, *ring;

	if (size < 2)
		return 0;
	flags = take(&p, end);
	qsize = (uint16_t)(1 + take(&p, end) % MAX_SIZE);
	features = (UINT64_C(1) << VRTC_VIRTIO_F_RING_PACKED) |
		   (flags & 1 ? UINT64_C(1) << VRTC_VIRTIO_RING_F_EVENT_IDX : 0);
	vrtc_drvq_layout(qsize, features, &layout);
	ring = aligned_alloc(64, (layout.total_bytes + 63) & ~(size_t)63);
	if (ring == NULL)
		return 0;
	memset(ring, 0, layout.total_bytes);
	if (vrtc_drvq_init(&q, qsize, features, ring) != 0)
		abort();
	if ((flags & 2) &&
	    vrtc_drvq_indirect_init(&q, tables, 0x100000, (uint16_t)(qsize < 3 ? qsize : 3)) != 0)
		abort();

	while (p < end && nb_chains < (1u << 16) - 1) {
		uint8_t op = take(&p, end);

		switch (op % 5) {
		case 0: {
			struct vrtc_drvq_buf b[3];
			uint16_t nb = (uint16_t)(1 + (op >> 3) % 3), i;
			uint32_t wr = 0;
			int indirect = (op >> 5) & 1, id;

			for (i = 0; i < nb; i++) {
				b[i].addr = 0x200000 + i * 0x1000u;
				b[i].len = take(&p, end);
				b[i].writable = i + 1 == nb;
				wr += b[i].writable ? b[i].len : 0;
			}
			id = indirect ? vrtc_drvq_add_indirect(&q, b, nb,
								(void *)(uintptr_t)(nb_chains + 1))
				      : vrtc_drvq_add(&q, b, nb, (void *)(uintptr_t)(nb_chains + 1));
			if (id >= 0) {
				if (q.broken != VRTC_DRVQ_OK || id >= qsize)
					abort();
				chains[nb_chains].writable = wr;
				chains[nb_chains].nb_desc = indirect ? 1 : nb;
				chains[nb_chains].inflight = 1;
				inflight_desc += chains[nb_chains].nb_desc;
				nb_chains++;
			} else if (q.broken != VRTC_DRVQ_OK && id != -EIO) {
				abort();
			}
			break;
		}
		case 1:
			vrtc_drvq_kick_prepare(&q);
			break;
		case 2: {
			uint16_t off = (op & 8) ? (uint16_t)(take(&p, end) % qsize) : q.used_off;
			uint16_t id = (uint16_t)(take(&p, end) | take(&p, end) << 8);
			uint32_t len = (uint32_t)(take(&p, end) | take(&p, end) << 8);
			uint16_t f = (uint16_t)(take(&p, end) | take(&p, end) << 8);

			pring_dev_used_store(&q.ring, off, id, len);
			pring_dev_used_flags_publish(&q.ring, off, f);
			break;
		}
		case 3: {
			struct vrtc_drvq_done done[MAX_SIZE];
			uint16_t max = (uint16_t)(1 + take(&p, end) % MAX_SIZE), n, i;
			uint8_t was_broken = q.broken;

			n = vrtc_drvq_get_used(&q, done, max);
			if (n > max || (was_broken && n != 0))
				abort();
			for (i = 0; i < n; i++) {
				uintptr_t c = (uintptr_t)done[i].cookie;

				if (c == 0 || c > nb_chains || !chains[c - 1].inflight ||
				    done[i].len > chains[c - 1].writable || done[i].head >= qsize)
					abort();
				chains[c - 1].inflight = 0;
				inflight_desc -= chains[c - 1].nb_desc;
			}
			break;
		}
		default: {
			uint8_t ev[4];

			ev[0] = take(&p, end);
			ev[1] = take(&p, end);
			ev[2] = take(&p, end);
			ev[3] = take(&p, end);
			memcpy(q.ring.device, ev, sizeof(ev));
			break;
		}
		}
		if ((uint32_t)q.nb_free + inflight_desc != qsize)
			abort();
	}
	vrtc_drvq_fini(&q);
	free(ring);
	return 0;
}
