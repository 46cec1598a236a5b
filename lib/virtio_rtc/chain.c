/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

#include <string.h>

#include "chain.h"
#include "guest_write.h"
#include "ring_packed.h"

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

/* One table entry, of either layout: no nesting, then a buffer. */
static inline __attribute__((always_inline)) enum vrtc_chain_error
table_entry(struct vrtc_chain_acc *acc, uint64_t addr, uint32_t len, uint16_t flags)
{
	if (vrtc_unlikely(flags & VRTC_VRING_DESC_F_INDIRECT))
		return VRTC_CHAIN_E_INDIRECT_NESTED;
	acc->budget--;
	return vrtc_chain_acc_buffer(acc, addr, len, flags);
}

/* The entries of a split table, linked by next from entry 0. Each entry is
 * visited at most once unless the table loops, and a loop runs out of the
 * nb_entries hops. */
static inline __attribute__((always_inline)) enum vrtc_chain_error
table_split(struct vrtc_chain_acc *acc, const uint8_t *table, uint32_t nb_entries)
{
	struct vrtc_vring_desc td;
	enum vrtc_chain_error err;
	uint32_t hops_left = nb_entries;
	uint16_t i = 0;

	for (;; hops_left--) {
		if (vrtc_unlikely(hops_left == 0))
			return VRTC_CHAIN_E_TOO_LONG;
		vring_dev_desc_load(table + (size_t)i * sizeof(td), &td);
		err = table_entry(acc, td.addr, td.len, td.flags);
		if (vrtc_unlikely(err != VRTC_CHAIN_OK))
			return err;
		if (!(td.flags & VRTC_VRING_DESC_F_NEXT))
			return VRTC_CHAIN_OK;
		if (vrtc_unlikely(td.next >= nb_entries))
			return VRTC_CHAIN_E_NEXT;
		i = td.next;
	}
}

/* The entries of a packed table are consecutive: only F_WRITE has a meaning
 * in them (F_NEXT and the id are ignored, as the specification says), and
 * F_INDIRECT is refused as nesting. */
static inline __attribute__((always_inline)) enum vrtc_chain_error
table_packed(struct vrtc_chain_acc *acc, const uint8_t *table, uint32_t nb_entries)
{
	struct vrtc_pvirtq_desc td;
	enum vrtc_chain_error err;
	uint32_t i;

	for (i = 0; i < nb_entries; i++) {
		pring_dev_indirect_load(table + (size_t)i * sizeof(td), &td);
		err = table_entry(acc, td.addr, td.len, td.flags);
		if (vrtc_unlikely(err != VRTC_CHAIN_OK))
			return err;
	}
	return VRTC_CHAIN_OK;
}

/* Both layouts have 16-byte table entries: one size rule. */
_Static_assert(sizeof(struct vrtc_vring_desc) == 16 && sizeof(struct vrtc_pvirtq_desc) == 16,
	       "table entry sizes differ");

enum vrtc_chain_error
vrtc_chain_acc_table(struct vrtc_chain_acc *acc, const uint8_t *table, uint32_t nb_entries,
		     enum vrtc_chain_layout layout)
{
	if (layout == VRTC_CHAIN_PACKED)
		return table_packed(acc, table, nb_entries);
	return table_split(acc, table, nb_entries);
}

enum vrtc_chain_error
vrtc_chain_walk_indirect(const struct vrtc_chain_ctx *ctx, struct vrtc_chain *chain, uint64_t addr,
			 uint32_t len, uint16_t flags)
{
	/* A private copy: its fields stay in registers, where the walk's
	 * segment stores would otherwise make them reloaded per entry. */
	const struct vrtc_chain_ctx local = *ctx;
	struct vrtc_chain_acc acc;
	enum vrtc_chain_error err;
	const uint8_t *table;
	uint32_t nb_entries;

	/* The head descriptor is charged, as in vrtc_chain_walk_direct(). */
	vrtc_chain_acc_init(&acc, &local, local.vring->size - 1u);
	err = vrtc_chain_acc_indirect_check(&acc, addr, len, flags, VRTC_CHAIN_SPLIT, 0, &table,
					    &nb_entries);
	if (vrtc_likely(err == VRTC_CHAIN_OK))
		err = table_split(&acc, table, nb_entries);
	if (vrtc_unlikely(err != VRTC_CHAIN_OK)) {
		vrtc_chain_acc_failed(chain);
		return err;
	}
	vrtc_chain_acc_done(&acc, chain);
	return VRTC_CHAIN_OK;
}

enum vrtc_chain_error
vrtc_chain_walk_direct(const struct vrtc_chain_ctx *ctx, struct vrtc_chain *chain,
		       struct vrtc_vring_desc d)
{
	const struct vrtc_vring *vr = ctx->vring;
	struct vrtc_chain_acc acc;
	enum vrtc_chain_error err;
	uint16_t i;

	/* The head, not indirect (vrtc_chain_walk() looked), is a buffer and
	 * charged to the budget of size descriptors: head < size, so the
	 * size is at least 1. */
	vrtc_chain_acc_init(&acc, ctx, vr->size - 1u);
	err = vrtc_chain_acc_buffer(&acc, d.addr, d.len, d.flags);
	for (;;) {
		if (vrtc_unlikely(err != VRTC_CHAIN_OK))
			goto bad;
		if (!(d.flags & VRTC_VRING_DESC_F_NEXT))
			break;
		i = d.next;
		if (vrtc_unlikely(i >= vr->size)) {
			err = VRTC_CHAIN_E_NEXT;
			goto bad;
		}
		/* The budget bounds the walk: a loop in the table, or a chain
		 * longer than the queue, runs it out. */
		if (vrtc_unlikely(acc.budget == 0)) {
			err = VRTC_CHAIN_E_TOO_LONG;
			goto bad;
		}
		acc.budget--;
		vring_dev_desc_load(&vr->desc[i], &d);
		/* An indirect descriptor ends the chain (F_NEXT on it is
		 * refused by the accumulator). */
		err = vrtc_chain_acc_desc(&acc, d.addr, d.len, d.flags, VRTC_CHAIN_SPLIT, 0);
	}
	vrtc_chain_acc_done(&acc, chain);
	return VRTC_CHAIN_OK;

bad:
	vrtc_chain_acc_failed(chain);
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
