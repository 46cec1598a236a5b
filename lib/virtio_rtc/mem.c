/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "log.h"
#include "mem.h"

static int
ranges_overlap(const struct vrtc_mem_region *a, const struct vrtc_mem_region *b)
{
	/* Both ends are known not to wrap (checked before this is called). */
	return a->gpa < b->gpa + b->size && b->gpa < a->gpa + a->size;
}

int
vrtc_mem_init(struct vrtc_mem *mem, const struct vrtc_mem_region *regions, uint32_t nb)
{
	uint32_t i, j;

	memset(mem, 0, sizeof(*mem));
	if (nb > VRTC_MEM_MAX_REGIONS) {
		vrtc_log(VRTC_LOGC_MEM, VRTC_LOG_ERR, "%u memory regions, at most %u supported", nb,
			 VRTC_MEM_MAX_REGIONS);
		return -E2BIG;
	}
	for (i = 0; i < nb; i++) {
		const struct vrtc_mem_region *r = &regions[i];

		if (r->size == 0 || r->gpa + r->size < r->gpa || r->hva + r->size < r->hva ||
		    r->hva == 0) {
			vrtc_log(VRTC_LOGC_MEM, VRTC_LOG_ERR,
				 "memory region %u (gpa 0x%" PRIx64 " size 0x%" PRIx64
				 ") is empty or wraps",
				 i, r->gpa, r->size);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (ranges_overlap(r, &regions[j])) {
				vrtc_log(VRTC_LOGC_MEM, VRTC_LOG_ERR,
					 "memory regions %u and %u overlap in guest-physical space",
					 j, i);
				return -EINVAL;
			}
		}
	}
	memcpy(mem->regions, regions, sizeof(*regions) * nb);
	mem->nb_regions = nb;
	return 0;
}

void *
vrtc_mem_translate_slow(const struct vrtc_mem *mem, uint32_t *hint, uint64_t gpa, uint64_t len)
{
	uint32_t i;

	if (len == 0)
		return NULL;
	for (i = 0; i < mem->nb_regions; i++) {
		const struct vrtc_mem_region *r = &mem->regions[i];

		if (vrtc_mem_region_holds(r, gpa, len)) {
			*hint = i;
			return (void *)(uintptr_t)(r->hva + (gpa - r->gpa));
		}
	}
	return NULL;
}

int
vrtc_mem_gpa_of(const struct vrtc_mem *mem, const void *host, uint64_t len, uint64_t *gpa)
{
	uint64_t hva = (uint64_t)(uintptr_t)host;
	uint32_t i;

	if (mem == NULL || len == 0)
		return -ENOENT;
	for (i = 0; i < mem->nb_regions; i++) {
		const struct vrtc_mem_region *r = &mem->regions[i];

		/* Same overflow-safe shape as vrtc_mem_region_holds(), on hva. */
		if (hva >= r->hva && hva - r->hva < r->size && len <= r->size - (hva - r->hva)) {
			*gpa = r->gpa + (hva - r->hva);
			return 0;
		}
	}
	return -ENOENT;
}
