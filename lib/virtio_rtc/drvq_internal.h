/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * What the split (drvq.c) and packed (drvq_packed.c) driver queues share
 * on their hot paths: the checks of a chain to add, the per-id
 * bookkeeping, and the checks of what the device returns. Inline, so each
 * layout's functions stay one tight body. Private to drvq*.c.
 */

#ifndef VRTC_DRVQ_INTERNAL_H
#define VRTC_DRVQ_INTERNAL_H

#include <errno.h>

#include "drvq.h"

/*
 * Can a chain of @p nb buffers be added, as @p nb direct descriptors or
 * (@p indirect) one indirect one? Readable buffers must come first; the
 * sum of the writable lengths goes to *writable_bytes.
 * @return 0, -EIO, -EINVAL or -ENOSPC as vrtc_drvq_add() documents.
 */
static inline int
drvq_add_check(const struct vrtc_drvq *q, const struct vrtc_drvq_buf *bufs, uint16_t nb,
	       const int indirect, const int packed, uint32_t *writable_bytes)
{
	int writable_seen = 0;
	uint16_t i;

	if (q->broken != VRTC_DRVQ_OK)
		return -EIO;
	if (nb == 0 || (indirect && (nb > q->indirect_max || q->indirect == NULL)))
		return -EINVAL;
	if ((indirect ? 1 : nb) > q->nb_free || (packed && q->nb_free_ids == 0))
		return -ENOSPC;
	*writable_bytes = 0;
	for (i = 0; i < nb; i++) {
		if (bufs[i].writable) {
			writable_seen = 1;
			*writable_bytes += bufs[i].len;
		} else if (writable_seen) {
			return -EINVAL;
		}
	}
	return 0;
}

/* Id @p id goes in flight with @p nb_desc ring descriptors (split sets
 * the chain's last descriptor itself). */
static inline void
drvq_id_take(struct vrtc_drvq *q, uint16_t id, uint16_t nb_desc, uint32_t writable_bytes,
	     void *cookie)
{
	q->ids[id].cookie = cookie;
	q->ids[id].writable_bytes = writable_bytes;
	q->ids[id].nb_desc = nb_desc;
	q->nb_free = (uint16_t)(q->nb_free - nb_desc);
	q->nb_inflight++;
}

/*
 * Is a used entry naming @p id with length @p len one the driver can
 * take? Otherwise the queue is latched broken.
 */
static inline int
drvq_used_ok(struct vrtc_drvq *q, uint32_t id, uint32_t len)
{
	if (id >= q->size || q->ids[id].nb_desc == 0) {
		q->broken = VRTC_DRVQ_BROKEN_USED_ID;
		return 0;
	}
	if (len > q->ids[id].writable_bytes) {
		q->broken = VRTC_DRVQ_BROKEN_USED_LEN;
		return 0;
	}
	return 1;
}

/*
 * Id @p id (checked by drvq_used_ok) came back: fill @p done, take it out
 * of flight. @return its ring descriptors, for the layout to free.
 */
static inline uint16_t
drvq_id_done(struct vrtc_drvq *q, uint16_t id, uint32_t len, struct vrtc_drvq_done *done)
{
	uint16_t nb_desc = q->ids[id].nb_desc;

	done->cookie = q->ids[id].cookie;
	done->len = len;
	done->head = id;
	q->nb_free = (uint16_t)(q->nb_free + nb_desc);
	q->ids[id].nb_desc = 0;
	q->ids[id].cookie = NULL;
	q->nb_inflight--;
	return nb_desc;
}

/* Layout set-up, after the shared part of vrtc_drvq_init(). */
void drvq_packed_setup(struct vrtc_drvq *q, void *ring_mem, const struct vrtc_drvq_layout *l);
void drvq_packed_layout(uint16_t size, struct vrtc_drvq_layout *layout);
void drvq_packed_interrupts(struct vrtc_drvq *q, int enable);
void vrtc_drvq_packed_publish(struct vrtc_drvq *q);

#endif /* VRTC_DRVQ_INTERNAL_H */
