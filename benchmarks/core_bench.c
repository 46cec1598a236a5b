/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * core_bench: the device side of the data path without EAL, sockets or a
 * second core, for profiles whose numbers do not depend on what else runs
 * on the machine (valgrind --tool=callgrind counts instructions).
 *
 * One thread plays both sides of one split ring in fake guest memory
 * (tests/lib/fake_driver.c), or of one packed ring (tests/lib/fake_packed.c):
 * the driver posts a burst of requests, the device serves it exactly as the
 * serve functions do (vrtc_vq_avail / pop / model / push / flush, the layout
 * a constant), the driver collects and checks the answers. Only the device
 * half is timed; the report is ns per request (and, under callgrind, the
 * cost of serve_burst_split() or serve_burst_packed() divided by the
 * requests).
 *
 *   core_bench read|rng SIZE [requests] [burst] [indirect] [split|packed] [posted]
 *
 * `posted`: chains the driver makes available before each burst (default
 * and at most `burst`); fewer than the burst is a poller that finds less
 * than it may serve, as at depth 1.
 *
 * `read`: virtio-rtc READ of the host MONOTONIC clock (16-byte request,
 * 16-byte response). `rng SIZE`: virtio-rng buffers of SIZE bytes from the
 * OpenSSL CTR-DRBG source.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "entropy.h"
#include "fake_driver.h"
#include "fake_packed.h"
#include "rng_model.h"
#include "rtc_model.h"
#include "vrtc_wire.h"

#define F(bit) (UINT64_C(1) << (bit))
#define QSIZE 256
#define MAX_BURST 128

struct ctx {
	int rng;
	struct vrtc_rtc_model rtc;
	struct vrtc_entropy *src;
	struct vrtc_rng_stats rng_stats;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The device half, as the serve functions in lib/virtio_rtc/dpdk serve a
 * queue: one body, specialised per layout by a constant (vq.h). */
static inline __attribute__((always_inline)) uint16_t
serve_burst_ring(struct vrtc_vq *vq, struct ctx *c, uint16_t burst,
		 const enum vrtc_vq_layout layout)
{
	struct vrtc_chain chain;
	uint16_t n = vrtc_vq_avail(vq, layout, burst), i;

	for (i = 0; i < n; i++) {
		uint32_t len;
		int rc = vrtc_vq_pop(vq, layout, &chain);

		if (rc != 0) {
			if (rc == -EBADMSG)
				continue;
			break;
		}
		if (c->rng)
			len = vrtc_rng_handle(c->src, &chain, UINT32_MAX, &c->rng_stats);
		else
			len = vrtc_rtc_handle(&c->rtc, &chain);
		vrtc_vq_push(vq, layout, chain.head, len);
	}
	vrtc_vq_flush(vq, layout);
	/* Packed: the avail count is a bound; pop ends the burst. */
	return layout == VRTC_VQ_PACKED ? i : n;
}

/* Not inlined: callgrind reports their inclusive cost. */
__attribute__((noinline)) static uint16_t
serve_burst_split(struct vrtc_vq *vq, struct ctx *c, uint16_t burst)
{
	return serve_burst_ring(vq, c, burst, VRTC_VQ_SPLIT);
}

__attribute__((noinline)) static uint16_t
serve_burst_packed(struct vrtc_vq *vq, struct ctx *c, uint16_t burst)
{
	return serve_burst_ring(vq, c, burst, VRTC_VQ_PACKED);
}

int
main(int argc, char **argv)
{
	uint64_t features = F(VRTC_VIRTIO_F_VERSION_1) | F(VRTC_VIRTIO_RING_F_EVENT_IDX) |
			    F(VRTC_VIRTIO_RING_F_INDIRECT_DESC);
	static struct vrtc_host_clock_cfg clock_cfg = { .tai_offset_s = 37 };
	struct vrtc_drvq_done done[MAX_BURST];
	struct fake_guest g;
	struct fake_queue q;
	struct fake_pqueue pq;
	struct vrtc_clock clk;
	struct ctx c = { 0 };
	uint8_t *bufs, *tables;
	uint64_t bufs_gpa, tables_gpa, requests = 1000000, served = 0, t_dev = 0, t0;
	uint32_t size = 16, slot_bytes;
	unsigned int burst = 32, indirect = 0, packed = 0, posted = 0, i;
	uint64_t last_reading = 0;

	if (argc < 2 || (strcmp(argv[1], "read") != 0 && strcmp(argv[1], "rng") != 0)) {
		fprintf(stderr, "usage: core_bench read|rng SIZE [requests] [burst] [indirect] "
				"[split|packed] [posted]\n");
		return 2;
	}
	c.rng = strcmp(argv[1], "rng") == 0;
	if (argc > 2)
		size = (uint32_t)strtoul(argv[2], NULL, 0);
	if (argc > 3)
		requests = strtoull(argv[3], NULL, 0);
	if (argc > 4)
		burst = (unsigned int)strtoul(argv[4], NULL, 0);
	if (argc > 5)
		indirect = (unsigned int)strtoul(argv[5], NULL, 0);
	if (argc > 6)
		packed = strcmp(argv[6], "packed") == 0;
	if (argc > 7)
		posted = (unsigned int)strtoul(argv[7], NULL, 0);
	if (posted == 0)
		posted = burst;
	if (size < 16 || size > 65536 || burst == 0 || burst > MAX_BURST || requests == 0 ||
	    posted > burst) {
		fprintf(stderr, "core_bench: bad arguments\n");
		return 2;
	}
	if (!c.rng)
		size = 16;
	slot_bytes = (size + 32 + 63) & ~63u;

	if (fake_guest_init_simple(&g, 64u << 20) != 0 || fake_queue_init(&q, &g, QSIZE, features) != 0)
		return 1;
	if (packed && (fake_pqueue_init(&pq, &g, QSIZE, features) != 0 ||
		       fake_pdrv_indirect_init(&pq, 2) != 0))
		return 1;
	bufs = fake_guest_alloc(&g, 0, (size_t)slot_bytes * burst, 64, &bufs_gpa);
	tables = fake_guest_alloc(&g, 0, (size_t)QSIZE * 2 * 16, 64, &tables_gpa);
	if (bufs == NULL || tables == NULL ||
	    vrtc_drvq_indirect_init(&q.drv, (void *)tables, tables_gpa, 2) != 0)
		return 1;
	vrtc_vq_kicks_disable(&q.dev, VRTC_VQ_SPLIT);
	vrtc_drvq_interrupts_disable(&q.drv);
	if (packed) {
		vrtc_vq_kicks_disable(&pq.dev, VRTC_VQ_PACKED);
		fake_pdrv_interrupts_disable(&pq);
	}

	if (c.rng) {
		if (vrtc_entropy_create(VRTC_ENTROPY_DRBG, NULL, &c.src) != 0)
			return 1;
	} else {
		int off;

		if (vrtc_tai_offset_resolve(&clock_cfg, &off) != 0 ||
		    vrtc_host_clock_init(&clk, VRTC_HOST_CLOCK_MONOTONIC, &clock_cfg) != 0 ||
		    vrtc_rtc_model_init(&c.rtc, &clk, 1) != 0)
			return 1;
	}

	while (served < requests) {
		unsigned int n = (unsigned int)(requests - served < posted ? requests - served : posted);
		uint16_t got;

		for (i = 0; i < n; i++) {
			uint8_t *s = bufs + (size_t)slot_bytes * i;
			uint64_t gpa = bufs_gpa + (uint64_t)slot_bytes * i;
			struct vrtc_drvq_buf b[2];
			int rc;

			if (c.rng) {
				b[0] = (struct vrtc_drvq_buf){ gpa, size, 1 };
			} else {
				struct vrtc_rtc_req_read *r = (void *)s;

				memset(r, 0, sizeof(*r));
				r->head.msg_type = htole16(VRTC_RTC_REQ_READ);
				r->clock_id = 0;
				b[0] = (struct vrtc_drvq_buf){ gpa, 16, 0 };
				b[1] = (struct vrtc_drvq_buf){ gpa + 32, 16, 1 };
			}
			if (packed)
				rc = indirect ? fake_pdrv_add_indirect(&pq, b, c.rng ? 1 : 2, s)
					      : fake_pdrv_add(&pq, b, c.rng ? 1 : 2, s);
			else
				rc = indirect ? vrtc_drvq_add_indirect(&q.drv, b, c.rng ? 1 : 2, s)
					      : vrtc_drvq_add(&q.drv, b, c.rng ? 1 : 2, s);
			if (rc < 0)
				return 1;
		}
		if (packed)
			fake_pdrv_kick_prepare(&pq);
		else
			vrtc_drvq_kick_prepare(&q.drv);
		t0 = now_ns();
		if ((packed ? serve_burst_packed(&pq.dev, &c, (uint16_t)burst)
			    : serve_burst_split(&q.dev, &c, (uint16_t)burst)) != n)
			return 1;
		t_dev += now_ns() - t0;
		got = packed ? fake_pdrv_get_used(&pq, done, MAX_BURST)
			     : vrtc_drvq_get_used(&q.drv, done, MAX_BURST);
		if (got != n)
			return 1;
		for (i = 0; i < got; i++) {
			const uint8_t *s = done[i].cookie;

			if (c.rng) {
				if (done[i].len != size)
					return 1;
			} else {
				const struct vrtc_rtc_resp_read *rr = (const void *)(s + 32);
				uint64_t v = le64toh(rr->clock_reading);

				if (done[i].len != 16 || rr->head.status != 0 || v < last_reading)
					return 1;
				last_reading = v;
			}
		}
		served += got;
	}
	printf("%s %u B, burst %u (%u posted), %s %s: %" PRIu64 " requests, device side "
	       "%.1f ns/request",
	       c.rng ? "rng" : "read", size, burst, posted, packed ? "packed" : "split",
	       indirect ? "indirect" : "direct", served,
	       (double)t_dev / (double)served);
	if (c.rng)
		printf(", %.2f GB/s", (double)served * size / (double)t_dev);
	printf("\n");
	vrtc_entropy_destroy(c.src);
	if (packed)
		fake_pqueue_fini(&pq);
	fake_queue_fini(&q);
	fake_guest_fini(&g);
	return 0;
}
