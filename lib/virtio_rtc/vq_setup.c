/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

#include <errno.h>

#include "log.h"
#include "vq_setup.h"

void
vrtc_ring_areas_translate(const struct vrtc_mem *mem, struct vrtc_ring_area *areas,
			  unsigned int nb_areas)
{
	uint32_t hint = 0;
	unsigned int i;

	for (i = 0; i < nb_areas; i++)
		areas[i].host = vrtc_mem_translate(mem, &hint, areas[i].gpa, areas[i].bytes);
}

int
vrtc_ring_size_ok(const char *name, uint16_t size, uint16_t max_size, int pow2)
{
	if (size != 0 && size <= max_size && (!pow2 || (size & (size - 1)) == 0))
		return 1;
	vrtc_log(VRTC_LOGC_VQ, VRTC_LOG_ERR, "%s: queue size %u is not %sin 1..%u", name, size,
		 pow2 ? "a power of two " : "", max_size);
	return 0;
}

int
vrtc_ring_setup_check(const char *name, const struct vrtc_ring_setup *s, uint32_t *in_flight)
{
	uint32_t dist;
	unsigned int i;

	if (!vrtc_ring_size_ok(name, s->size, s->max_size, s->pow2))
		return -EINVAL;
	for (i = 0; i < s->nb_areas; i++) {
		const struct vrtc_ring_area *a = &s->areas[i];

		if (a->host == NULL || ((uintptr_t)a->host & (a->align - 1)) != 0) {
			vrtc_log(VRTC_LOGC_VQ, VRTC_LOG_ERR,
				 "%s: ring area missing or misaligned", name);
			return -EINVAL;
		}
	}
	dist = (s->avail_pos + s->period - s->used_pos) % s->period;
	if (s->raw_bad || dist > s->size) {
		vrtc_log(VRTC_LOGC_VQ, VRTC_LOG_ERR,
			 "%s: ring base inconsistent: avail 0x%04x, used 0x%04x, size %u", name,
			 s->avail_raw, s->used_raw, s->size);
		return -EINVAL;
	}
	*in_flight = dist;
	return 0;
}
