/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * libFuzzer target: the device-side virtqueue engine and chain walker over
 * a ring whose every byte comes from the fuzzer (descriptors, avail ring,
 * indexes, indirect tables, buffer contents), in guest memory made of two
 * separately allocated regions so that ASan sees any access outside them.
 *
 * Input: [features][log2 size][avail idx lo/hi][base lo/hi][region bytes...]
 * Invariants checked (abort on violation): used->idx advances by exactly
 * the number of chains popped; every popped head is below the queue size;
 * nothing is left in flight after a burst. (The used elements themselves
 * are not checked in guest memory: a guest may point a writable buffer at
 * its own used ring, and then the device legitimately overwrites them.)
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_driver.h"
#include "log.h"

#define R0_GPA 0x10000
#define R0_SIZE 0x10000
#define R1_GPA 0x30000
#define R1_SIZE 0x1000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
quiet(enum vrtc_log_component comp, enum vrtc_log_level level, const char *msg)
{
	(void)comp;
	(void)level;
	(void)msg;
}

/* Touch every byte of the chain: reads of the readable part, writes of the
 * writable part. */
static uint32_t
touch_all(const struct vrtc_chain *c)
{
	volatile uint8_t sink = 0;
	uint16_t i;

	for (i = 0; i < c->nb_readable; i++) {
		uint32_t k;

		for (k = 0; k < c->segs[i].len; k++)
			sink ^= c->segs[i].addr[k];
	}
	for (i = 0; i < c->nb_writable; i++) {
		const struct vrtc_seg *s = vrtc_chain_writable_seg(c, i);

		memset(s->addr, 0xA5, s->len);
	}
	(void)sink;
	return c->writable_bytes;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *r0, *r1;
	struct vrtc_mem mem;
	struct vrtc_mem_region regions[2];
	struct vrtc_vq_config cfg;
	struct vrtc_drvq_layout layout;
	struct vrtc_vq vq;
	struct vrtc_chain chain;
	uint16_t qsize, base, used_start;
	int burst;

	if (size < 6)
		return 0;
	vrtc_log_set_sink(quiet);
	r0 = calloc(1, R0_SIZE);
	r1 = calloc(1, R1_SIZE);
	if (r0 == NULL || r1 == NULL)
		abort();
	qsize = (uint16_t)(1u << (data[1] % 9)); /* 1 .. 256 */
	base = (uint16_t)(data[4] | data[5] << 8);
	vrtc_drvq_layout(qsize, 0, &layout); /* split */

	/* The rest of the input paints region 0 (ring first), then region 1. */
	{
		size_t n = VRTC_MIN(size - 6, (size_t)R0_SIZE);

		memcpy(r0, data + 6, n);
		if (size - 6 > R0_SIZE)
			memcpy(r1, data + 6 + R0_SIZE, VRTC_MIN(size - 6 - R0_SIZE, (size_t)R1_SIZE));
	}
	/* avail->idx is taken from the header so it is easy to steer. */
	((struct vrtc_vring_avail *)(r0 + layout.driver_offset))->idx =
		(uint16_t)(data[2] | data[3] << 8);
	((struct vrtc_vring_used *)(r0 + layout.device_offset))->idx = base;

	regions[0] = (struct vrtc_mem_region){ R0_GPA, R0_SIZE, (uintptr_t)r0 };
	regions[1] = (struct vrtc_mem_region){ R1_GPA, R1_SIZE, (uintptr_t)r1 };
	if (vrtc_mem_init(&mem, regions, 2) != 0)
		abort();
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = qsize;
	cfg.features = (uint64_t)(data[0] & 1) << VRTC_VIRTIO_RING_F_INDIRECT_DESC |
		       (uint64_t)((data[0] >> 1) & 1) << VRTC_VIRTIO_RING_F_EVENT_IDX;
	cfg.mem = &mem;
	cfg.desc_gpa = R0_GPA;
	cfg.avail_gpa = R0_GPA + layout.driver_offset;
	cfg.used_gpa = R0_GPA + layout.device_offset;
	cfg.last_avail_idx = base;
	cfg.used_idx = base;
	if (vrtc_vq_init_gpa(&vq, &cfg) != 0)
		abort();
	used_start = base;

	for (burst = 0; burst < 3; burst++) {
		uint16_t n = vrtc_vq_split_avail(&vq, 64), popped = 0;
		struct vrtc_vring_used *used = (void *)(r0 + layout.device_offset);

		while (n-- > 0) {
			int rc = vrtc_vq_split_pop(&vq, &chain);

			if (rc == -EBADMSG) {
				popped++;
				continue;
			}
			if (rc != 0)
				break;
			popped++;
			if (chain.head >= qsize)
				abort();
			if (vrtc_vq_split_push(&vq, chain.head, touch_all(&chain)) != 0)
				abort(); /* popped, so in flight */
			/* A second completion of the head is refused and
			 * publishes nothing (the used count below holds). */
			if (vrtc_vq_split_push(&vq, chain.head, 0) != -EINVAL)
				abort();
		}
		vrtc_vq_split_flush(&vq);
		if ((uint16_t)(used->idx - used_start) != popped)
			abort();
		used_start = used->idx;
		if (vrtc_vq_broken(&vq) != VRTC_VQ_OK)
			break;
		if (vrtc_vq_inflight(&vq) != 0)
			abort();
	}
	vrtc_vq_fini(&vq);
	free(r0);
	free(r1);
	return 0;
}
