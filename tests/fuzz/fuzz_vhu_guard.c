/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * libFuzzer target: the vhost-user message guard over a sequence of
 * front-end messages whose every byte comes from the fuzzer, with fds
 * taken from a pool of real ones the harness creates once (sealed and
 * unsealed memfds of several sizes, an eventfd, both ends of a pipe,
 * /dev/null).
 *
 * Input: [config][nb_queues] then records
 *   [fdspec: bits 0-3 fd count (above 8: "more arrived"), bit 4 NEED_REPLY,
 *    bit 5 an unknown header flag][request u8][size u16][fd pool index]*
 *   [payload bytes]
 * Invariants checked (abort on violation), after every message:
 *   - the verdict is one of the four, a refusal has a reason, a forward
 *     expects at most one reply and a refusal is only given when the
 *     front-end asked for a reply-ack;
 *   - the memory table the guard holds has 1..8 regions, none empty,
 *     none wrapping, none overlapping another (guest-physical or user);
 *   - every started ring lies, at its size, wholly inside one region
 *     (checked by this harness's own, simpler computation);
 *   - no forwarded message has an fd count other than the request takes.
 */

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vhu_guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BIT(n) (UINT64_C(1) << (n))
#define POOL 9

static int pool[POOL];

static int
make_memfd(off_t size, int seal)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, size) != 0)
		abort();
	if (seal && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
		abort();
	return fd;
}

static void
make_pool(void)
{
	int p[2];

	if (pool[0] != 0)
		return;
	pool[0] = make_memfd(0x1000, 1);
	pool[1] = make_memfd(0x10000, 1);
	pool[2] = make_memfd(0x100000, 1);
	pool[3] = make_memfd(0x10000, 0);
	pool[4] = eventfd(0, EFD_CLOEXEC);
	if (pipe2(p, O_CLOEXEC) != 0)
		abort();
	pool[5] = p[0];
	pool[6] = p[1];
	pool[7] = open("/dev/null", O_RDWR | O_CLOEXEC);
	pool[8] = make_memfd(0x100000, 1);
	if (pool[4] < 0 || pool[7] < 0)
		abort();
}

static int
fits(const struct vrtc_vhu_guard *g, uint64_t a, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < g->nb_regions; i++) {
		const struct vrtc_vhu_guard_region *r = &g->regions[i];
		/* 128-bit arithmetic: no wrap is possible here. */
		unsigned __int128 end = (unsigned __int128)a + len;

		if (a >= r->uaddr && end <= (unsigned __int128)r->uaddr + r->size)
			return 1;
	}
	return 0;
}

static void
check_invariants(const struct vrtc_vhu_guard *g)
{
	uint32_t i, j;

	if (g->nb_regions > VRTC_VHU_GUARD_MAX_REGIONS)
		abort();
	for (i = 0; i < g->nb_regions; i++) {
		const struct vrtc_vhu_guard_region *r = &g->regions[i];

		if (r->size == 0 || r->gpa + r->size < r->gpa || r->uaddr + r->size < r->uaddr)
			abort();
		for (j = 0; j < i; j++) {
			const struct vrtc_vhu_guard_region *o = &g->regions[j];

			if (r->gpa < o->gpa + o->size && o->gpa < r->gpa + r->size)
				abort();
			if (r->uaddr < o->uaddr + o->size && o->uaddr < r->uaddr + r->size)
				abort();
		}
	}
	for (i = 0; i < g->cfg.nb_queues; i++) {
		const struct vrtc_vhu_guard_queue *q = &g->queues[i];
		uint64_t n = q->num, ev = (g->features & BIT(29)) ? 2 : 0;
		int packed = (g->features & BIT(34)) != 0;

		if (!q->started)
			continue;
		if (!q->num_set || !q->addr_set || g->nb_regions == 0)
			abort();
		if (n == 0 || n > g->cfg.max_ring_size)
			abort();
		if (!fits(g, q->desc_uaddr, 16 * n))
			abort();
		if (!fits(g, q->avail_uaddr, packed ? 4 : 6 + 2 * n + ev))
			abort();
		if (!fits(g, q->used_uaddr, packed ? 4 : 6 + 8 * n + ev))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vrtc_vhu_guard_config cfg = {
		.offered_features = BIT(32) | BIT(30),
		.offered_protocol_features = BIT(VRTC_VHU_GUARD_PROTOCOL_F_REPLY_ACK),
		.max_ring_size = 1024,
	};
	static struct vrtc_vhu_guard g;
	size_t off = 2;

	make_pool();
	if (size < 2)
		return 0;
	if (data[0] & 1)
		cfg.allow_unsealed = 1;
	if (data[0] & 2)
		cfg.offered_features |= BIT(34);
	if (data[0] & 4)
		cfg.offered_features |= BIT(29);
	if (data[0] & 8)
		cfg.offered_protocol_features |= BIT(VRTC_VHU_GUARD_PROTOCOL_F_MQ) |
						 BIT(VRTC_VHU_GUARD_PROTOCOL_F_STATUS);
	if (data[0] & 16)
		cfg.max_ring_size = 32768;
	cfg.nb_queues = (uint16_t)(1 + data[1] % 4);
	if (vrtc_vhu_guard_init(&g, &cfg) != 0)
		abort();

	while (off + 4 <= size) {
		uint8_t spec = data[off];
		struct vrtc_vhu_hdr h = {
			.request = data[off + 1],
			.flags = VRTC_VHU_FLAG_VERSION | ((spec & 0x10) ? VRTC_VHU_FLAG_NEED_REPLY : 0) |
				 ((spec & 0x20) ? 0x40u : 0),
		};
		uint32_t nb = spec & 0x0f, nb_kept = nb > VRTC_VHU_GUARD_MAX_FDS ? 8 : nb, i;
		uint8_t payload[VRTC_VHU_GUARD_MAX_PAYLOAD];
		int fds[VRTC_VHU_GUARD_MAX_FDS];
		struct vrtc_vhu_decision d;
		const char *why = NULL;
		uint32_t asked;

		h.size = (uint32_t)data[off + 2] | (uint32_t)data[off + 3] << 8;
		off += 4;
		for (i = 0; i < nb_kept; i++) {
			fds[i] = pool[off < size ? data[off] % POOL : 0];
			off++;
		}
		if (h.size > size - (off < size ? off : size))
			h.size = (uint32_t)(off < size ? size - off : 0);
		if (vrtc_vhu_guard_header(&g, &h, &why) != 0) {
			if (why == NULL)
				abort();
			break; /* the connection would be closed */
		}
		memset(payload, 0, sizeof(payload));
		if (h.size != 0)
			memcpy(payload, data + off, h.size);
		off += h.size;
		asked = h.flags & VRTC_VHU_FLAG_NEED_REPLY;
		vrtc_vhu_guard_check(&g, &h, payload, fds, nb_kept, nb > VRTC_VHU_GUARD_MAX_FDS, &d);
		switch (d.verdict) {
		case VRTC_VHU_FORWARD:
			if (d.replies > 1 || d.reason != NULL)
				abort();
			if (h.request != 5 && (h.request < 12 || h.request > 14) && nb_kept != 0)
				abort();
			break;
		case VRTC_VHU_REFUSE:
			if (d.reason == NULL || !asked)
				abort();
			break;
		case VRTC_VHU_ANSWER:
			if (d.reason == NULL)
				abort();
			break;
		case VRTC_VHU_DROP:
			if (d.reason == NULL)
				abort();
			check_invariants(&g);
			return 0; /* the connection is closed */
		default:
			abort();
		}
		check_invariants(&g);
	}
	return 0;
}
