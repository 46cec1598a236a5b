/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

#include <string.h>

#include "chain.h"
#include "guest_write.h"

const char *
vrtc_chain_error_name(enum vrtc_chain_error err)
{
	static const char *const names[VRTC_CHAIN_E_COUNT] = {
		[VRTC_CHAIN_OK] = "ok",
		[VRTC_CHAIN_E_ADDR] = "addr",
		[VRTC_CHAIN_E_NEXT] = "next",
		[VRTC_CHAIN_E_TOO_LONG] = "too_long",
		[VRTC_CHAIN_E_INDIRECT_FEATURE] = "indirect_feature",
		[VRTC_CHAIN_E_INDIRECT_SIZE] = "indirect_size",
		[VRTC_CHAIN_E_INDIRECT_NESTED] = "indirect_nested",
		[VRTC_CHAIN_E_INDIRECT_NEXT] = "indirect_next",
		[VRTC_CHAIN_E_ORDER] = "order",
		[VRTC_CHAIN_E_BYTES] = "bytes",
	};

	if ((unsigned int)err >= VRTC_CHAIN_E_COUNT)
		return "?";
	return names[err];
}

/* Walk state shared by the direct and the indirect part of one chain. */
struct walk {
	const struct vrtc_chain_ctx *ctx;
	uint32_t nb_segs;   /* segments stored */
	uint32_t budget;    /* descriptors that may still be visited */
	int writable_seen;  /* a writable buffer came before */
	uint64_t rd_bytes;
	uint64_t wr_bytes;
	uint16_t nb_rd;
};

/* Add one buffer descriptor (not an indirect one) to the chain. */
static inline __attribute__((always_inline)) enum vrtc_chain_error
add_buffer(struct walk *w, const struct vrtc_vring_desc *d)
{
	const struct vrtc_chain_ctx *ctx = w->ctx;
	int writable = (d->flags & VRTC_VRING_DESC_F_WRITE) != 0;
	struct vrtc_seg *seg;
	void *host;

	if (writable)
		w->writable_seen = 1;
	else if (vrtc_unlikely(w->writable_seen))
		return VRTC_CHAIN_E_ORDER;
	if (d->len == 0)
		return VRTC_CHAIN_OK; /* nothing to read or write */
	host = vrtc_mem_translate(ctx->mem, ctx->mem_hint, d->addr, d->len);
	if (vrtc_unlikely(host == NULL))
		return VRTC_CHAIN_E_ADDR;
	if (writable) {
		w->wr_bytes += d->len;
		if (vrtc_unlikely(w->wr_bytes > UINT32_MAX))
			return VRTC_CHAIN_E_BYTES;
	} else {
		w->rd_bytes += d->len;
		if (vrtc_unlikely(w->rd_bytes > UINT32_MAX))
			return VRTC_CHAIN_E_BYTES;
		w->nb_rd++;
	}
	/* At most one segment per visited descriptor, and the walk visits at
	 * most vring->size of them: the storage cannot overflow. */
	seg = &ctx->segs[w->nb_segs++];
	seg->addr = host;
	seg->gpa = d->addr;
	seg->len = d->len;
	return VRTC_CHAIN_OK;
}

/* Walk an indirect table; @p d is the descriptor that points at it. */
static enum vrtc_chain_error
walk_indirect(struct walk *w, const struct vrtc_vring_desc *d)
{
	const struct vrtc_chain_ctx *ctx = w->ctx;
	const uint8_t *table;
	struct vrtc_vring_desc td;
	uint32_t nb_entries, hops;
	uint16_t i = 0;
	enum vrtc_chain_error err;

	if (vrtc_unlikely(!ctx->indirect_ok))
		return VRTC_CHAIN_E_INDIRECT_FEATURE;
	if (vrtc_unlikely(d->flags & VRTC_VRING_DESC_F_NEXT))
		return VRTC_CHAIN_E_INDIRECT_NEXT;
	if (vrtc_unlikely(d->len == 0 || d->len % sizeof(struct vrtc_vring_desc) != 0))
		return VRTC_CHAIN_E_INDIRECT_SIZE;
	nb_entries = d->len / sizeof(struct vrtc_vring_desc);
	if (vrtc_unlikely(nb_entries > w->budget))
		return VRTC_CHAIN_E_TOO_LONG;
	table = vrtc_mem_translate(ctx->mem, ctx->mem_hint, d->addr, d->len);
	if (vrtc_unlikely(table == NULL))
		return VRTC_CHAIN_E_ADDR;

	/* Each entry is visited at most once unless the table loops, and a
	 * loop runs out of the nb_entries hops. */
	for (hops = 0;; hops++) {
		if (vrtc_unlikely(hops == nb_entries))
			return VRTC_CHAIN_E_TOO_LONG;
		vring_dev_desc_load(table + (size_t)i * sizeof(td), &td);
		if (vrtc_unlikely(td.flags & VRTC_VRING_DESC_F_INDIRECT))
			return VRTC_CHAIN_E_INDIRECT_NESTED;
		w->budget--;
		err = add_buffer(w, &td);
		if (vrtc_unlikely(err != VRTC_CHAIN_OK))
			return err;
		if (!(td.flags & VRTC_VRING_DESC_F_NEXT))
			return VRTC_CHAIN_OK;
		if (vrtc_unlikely(td.next >= nb_entries))
			return VRTC_CHAIN_E_NEXT;
		i = td.next;
	}
}

enum vrtc_chain_error
vrtc_chain_walk(const struct vrtc_chain_ctx *ctx, uint16_t head, struct vrtc_chain *chain)
{
	const struct vrtc_vring *vr = ctx->vring;
	struct vrtc_vring_desc d;
	enum vrtc_chain_error err;
	struct walk w = {
		.ctx = ctx,
		.budget = vr->size,
	};
	uint16_t i = head;

	chain->head = head;
	chain->segs = ctx->segs;
	chain->log = ctx->mem->log;
	for (;;) {
		/* The budget bounds the walk: a loop in the table, or a chain
		 * longer than the queue, runs it out. */
		if (vrtc_unlikely(w.budget == 0)) {
			err = VRTC_CHAIN_E_TOO_LONG;
			goto bad;
		}
		w.budget--;
		vring_dev_desc_load(&vr->desc[i], &d);
		if (d.flags & VRTC_VRING_DESC_F_INDIRECT) {
			/* The spec lets normal descriptors precede one indirect
			 * descriptor; F_NEXT on it is refused inside. */
			err = walk_indirect(&w, &d);
			if (vrtc_unlikely(err != VRTC_CHAIN_OK))
				goto bad;
			break;
		}
		err = add_buffer(&w, &d);
		if (vrtc_unlikely(err != VRTC_CHAIN_OK))
			goto bad;
		if (!(d.flags & VRTC_VRING_DESC_F_NEXT))
			break;
		if (vrtc_unlikely(d.next >= vr->size)) {
			err = VRTC_CHAIN_E_NEXT;
			goto bad;
		}
		i = d.next;
	}
	chain->nb_readable = w.nb_rd;
	chain->nb_writable = (uint16_t)(w.nb_segs - w.nb_rd);
	chain->readable_bytes = (uint32_t)w.rd_bytes;
	chain->writable_bytes = (uint32_t)w.wr_bytes;
	return VRTC_CHAIN_OK;

bad:
	chain->nb_readable = 0;
	chain->nb_writable = 0;
	chain->readable_bytes = 0;
	chain->writable_bytes = 0;
	return err;
}

size_t
vrtc_chain_read(const struct vrtc_chain *chain, void *dst, size_t len)
{
	uint8_t *out = dst;
	size_t done = 0;
	uint16_t i;

	for (i = 0; i < chain->nb_readable && done < len; i++) {
		const struct vrtc_seg *s = &chain->segs[i];
		size_t n = VRTC_MIN((size_t)s->len, len - done);

		memcpy(out + done, s->addr, n);
		done += n;
	}
	return done;
}

size_t
vrtc_chain_write(const struct vrtc_chain *chain, const void *src, size_t len)
{
	const struct vrtc_seg *s = vrtc_chain_writable_seg(chain, 0);
	const uint8_t *in = src;
	size_t done = 0;
	uint16_t i;

	/* Common case: the whole response fits in the first writable buffer. */
	if (vrtc_likely(chain->nb_writable != 0 && s->len >= len)) {
		vrtc_gw_write(chain, s, 0, src, (uint32_t)len);
		return len;
	}
	for (i = 0; i < chain->nb_writable && done < len; i++, s++) {
		size_t n = VRTC_MIN((size_t)s->len, len - done);

		vrtc_gw_write(chain, s, 0, in + done, (uint32_t)n);
		done += n;
	}
	return done;
}
