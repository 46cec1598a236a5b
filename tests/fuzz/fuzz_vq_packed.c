/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * libFuzzer target: the device-side packed virtqueue engine over a ring
 * whose every byte comes from the fuzzer (descriptors with their flags and
 * ids, indirect tables, event suppression areas, buffer contents), in guest
 * memory made of two separately allocated regions so that ASan sees any
 * access outside them.
 *
 * Input: [flags][size][base lo/hi][hold pattern][region bytes...]
 *   flags bit 0 INDIRECT_DESC, bit 1 EVENT_IDX, bit 2 hold_bad_chains;
 *   size 1 + byte % 64 (any value: packed sizes need not be powers of 2);
 *   base the resume offset and wrap counter (both sides);
 *   hold pattern: which popped chains are kept across bursts and
 *   completed later, out of order.
 * Invariants checked (abort on violation): every popped id is below the
 * queue size and accepted by push exactly once; a second push of it is
 * refused; the used counter equals the pushes (plus the bad chains the
 * engine completed itself); when nothing
 * is in flight no ring room is held.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vq_private.h"

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

static void
push_checked(struct vrtc_vq *vq, uint16_t id, uint32_t len, uint64_t *pushed)
{
	if (vrtc_vq_packed_push(vq, id, len) != 0)
		abort();
	if (vrtc_vq_packed_push(vq, id, len) != -EINVAL) /* not in flight any more */
		abort();
	(*pushed)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *r0, *r1;
	struct vrtc_mem mem;
	struct vrtc_mem_region regions[2];
	struct vrtc_vq_config cfg;
	struct vrtc_vq vq;
	struct vrtc_chain chain;
	uint16_t held[64], nb_held = 0, qsize, base;
	uint64_t pushed = 0;
	uint8_t hold;
	int burst;

	if (size < 5)
		return 0;
	vrtc_log_set_sink(quiet);
	r0 = calloc(1, R0_SIZE);
	r1 = calloc(1, R1_SIZE);
	if (r0 == NULL || r1 == NULL)
		abort();
	qsize = (uint16_t)(1 + data[1] % 64);
	base = (uint16_t)(data[2] | data[3] << 8);
	base = (uint16_t)((base & 0x8000) | ((base & 0x7FFF) % qsize));
	hold = data[4];
	{
		size_t n = VRTC_MIN(size - 5, (size_t)R0_SIZE);

		memcpy(r0, data + 5, n);
		if (size - 5 > R0_SIZE)
			memcpy(r1, data + 5 + R0_SIZE,
			       VRTC_MIN(size - 5 - R0_SIZE, (size_t)R1_SIZE));
	}
	regions[0] = (struct vrtc_mem_region){ R0_GPA, R0_SIZE, (uintptr_t)r0 };
	regions[1] = (struct vrtc_mem_region){ R1_GPA, R1_SIZE, (uintptr_t)r1 };
	if (vrtc_mem_init(&mem, regions, 2) != 0)
		abort();
	memset(&cfg, 0, sizeof(cfg));
	cfg.layout = VRTC_VQ_PACKED;
	cfg.size = qsize;
	cfg.features = UINT64_C(1) << VRTC_VIRTIO_F_RING_PACKED |
		       (uint64_t)(data[0] & 1) << VRTC_VIRTIO_RING_F_INDIRECT_DESC |
		       (uint64_t)((data[0] >> 1) & 1) << VRTC_VIRTIO_RING_F_EVENT_IDX;
	cfg.hold_bad_chains = (data[0] >> 2) & 1;
	cfg.mem = &mem;
	/* Ring at the start of region 0, the event areas right after it. */
	cfg.desc_gpa = R0_GPA;
	cfg.driver_gpa = R0_GPA + vrtc_pvirtq_desc_bytes(qsize);
	cfg.device_gpa = cfg.driver_gpa + 4;
	cfg.avail_off_wrap = base;
	cfg.used_off_wrap = base;
	if (vrtc_vq_init_gpa(&vq, &cfg) != 0)
		abort();

	for (burst = 0; burst < 4; burst++) {
		uint16_t n = vrtc_vq_packed_avail(&vq, 64);

		while (n-- > 0) {
			int rc = vrtc_vq_packed_pop(&vq, &chain);

			if (rc == -EBADMSG && !cfg.hold_bad_chains)
				continue; /* completed by the engine */
			if (rc != 0 && rc != -EBADMSG)
				break;
			if (chain.head >= qsize)
				abort();
			if ((hold >> (chain.head % 8)) & 1 && nb_held < 64) {
				held[nb_held++] = chain.head;
				continue;
			}
			push_checked(&vq, chain.head, rc == 0 ? touch_all(&chain) : 0, &pushed);
		}
		/* Complete the held ones from the last burst on, newest first. */
		if (burst >= 1) {
			while (nb_held > 0) {
				nb_held--;
				push_checked(&vq, held[nb_held], 0, &pushed);
			}
		}
		vrtc_vq_packed_flush(&vq);
		(void)vrtc_vq_packed_kicks_enable(&vq);
		vrtc_vq_packed_kicks_disable(&vq);
		if (vrtc_vq_inflight(&vq) != nb_held)
			abort();
		if (nb_held == 0 && vq.outstanding != 0)
			abort();
		if (vrtc_vq_broken(&vq) != VRTC_VQ_OK)
			break;
	}
	while (nb_held > 0) {
		nb_held--;
		push_checked(&vq, held[nb_held], 0, &pushed);
	}
	vrtc_vq_packed_flush(&vq);
	/* Bad chains are pushed by the engine unless it holds them. */
	if (vq.stats.used != pushed + (cfg.hold_bad_chains ? 0 : vq.stats.bad_chains))
		abort();
	if (vrtc_vq_inflight(&vq) != 0 || vq.outstanding != 0)
		abort();
	vrtc_vq_fini(&vq);
	free(r0);
	free(r1);
	return 0;
}
