/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Noon-to-noon linear leap smearing (see smear.h for the formula and the
 * rounding). Integer arithmetic only: the products of a window's elapsed ns
 * and its length (each under 2^47 for any real table) are taken in 128 bits.
 */

#include <errno.h>
#include <string.h>

#include "smear.h"

#define NS_PER_S INT64_C(1000000000)
#define HALF_DAY_S INT64_C(43200)

/* Largest |seconds| whose ns, one day either side, fit in int64_t. */
#define SECONDS_LIMIT (INT64_MAX / NS_PER_S - 2 * HALF_DAY_S - OFFSET_LIMIT)
/* Largest |TAI - UTC| taken (it was 10 s in 1972 and moves 1 s at a time). */
#define OFFSET_LIMIT INT64_C(1000000)

int
vrtc_leap_table_lookup(const struct vrtc_leap_table *t, int64_t utc_s, int *offset_s,
		       uint16_t *index)
{
	uint16_t lo = 0, hi;

	if (t == NULL || offset_s == NULL || t->nb == 0 || utc_s < t->e[0].utc_s)
		return -EINVAL;
	if (utc_s >= t->e[t->nb - 1].utc_s) { /* the common case: after the last */
		*offset_s = t->e[t->nb - 1].offset_s;
		if (index != NULL)
			*index = (uint16_t)(t->nb - 1);
		return 0;
	}
	/* Last entry with utc_s <= the time: e[lo] qualifies, e[hi] does not. */
	hi = t->nb;
	while (hi - lo > 1) {
		uint16_t mid = (uint16_t)(lo + (hi - lo) / 2);

		if (t->e[mid].utc_s <= utc_s)
			lo = mid;
		else
			hi = mid;
	}
	*offset_s = t->e[lo].offset_s;
	if (index != NULL)
		*index = lo;
	return 0;
}

int
vrtc_smear_init(struct vrtc_smear *s, const struct vrtc_leap_table *t)
{
	uint16_t i;

	if (s == NULL || t == NULL || t->nb == 0 || t->nb > VRTC_LEAP_TABLE_MAX)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	if (t->e[0].utc_s < -SECONDS_LIMIT || t->e[0].utc_s > SECONDS_LIMIT ||
	    t->e[0].offset_s > OFFSET_LIMIT || t->e[0].offset_s < -OFFSET_LIMIT)
		return -EINVAL;
	s->offset_first_ns = (int64_t)t->e[0].offset_s * NS_PER_S;
	s->table_start_ns = t->e[0].utc_s * NS_PER_S;
	s->expires_ns = INT64_MAX;
	if (t->expires_s != 0 && t->expires_s < SECONDS_LIMIT)
		s->expires_ns = t->expires_s > -SECONDS_LIMIT ? t->expires_s * NS_PER_S : INT64_MIN;

	for (i = 1; i < t->nb; i++) {
		const struct vrtc_leap_entry *prev = &t->e[i - 1], *e = &t->e[i];
		struct vrtc_smear_window *w;
		int64_t l_ns;

		if (e->utc_s <= prev->utc_s || e->offset_s > OFFSET_LIMIT ||
		    e->offset_s < -OFFSET_LIMIT)
			return -EINVAL;
		if (e->utc_s > SECONDS_LIMIT)
			break; /* beyond 64-bit ns: cannot matter */
		if (e->offset_s == prev->offset_s)
			continue; /* no leap */
		l_ns = e->utc_s * NS_PER_S;
		w = s->nb > 0 ? &s->w[s->nb - 1] : NULL;
		if (w != NULL && l_ns - HALF_DAY_S * NS_PER_S < w->utc_end_ns) {
			/* Overlaps the previous window: one window for both. */
			w->utc_end_ns = l_ns + HALF_DAY_S * NS_PER_S;
			w->tai_end_ns = w->utc_end_ns + (int64_t)e->offset_s * NS_PER_S;
			w->offset_after_ns = (int64_t)e->offset_s * NS_PER_S;
		} else {
			w = &s->w[s->nb++];
			w->utc_start_ns = l_ns - HALF_DAY_S * NS_PER_S;
			w->utc_end_ns = l_ns + HALF_DAY_S * NS_PER_S;
			w->tai_start_ns = w->utc_start_ns + (int64_t)prev->offset_s * NS_PER_S;
			w->tai_end_ns = w->utc_end_ns + (int64_t)e->offset_s * NS_PER_S;
			w->offset_after_ns = (int64_t)e->offset_s * NS_PER_S;
		}
		if (w->tai_end_ns <= w->tai_start_ns)
			return -EINVAL;
	}
	return 0;
}

/* Index of the last window whose start (TAI or UTC) is <= @p t, or -1. */
static int
window_at(const struct vrtc_smear *s, int64_t t, int by_tai)
{
	int lo = -1, hi = s->nb;

	/* Invariant: windows < = lo start at or before t, windows >= hi after. */
	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;
		int64_t start = by_tai ? s->w[mid].tai_start_ns : s->w[mid].utc_start_ns;

		if (start <= t)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int
flags_of(const struct vrtc_smear *s, int64_t utc_ns, int in_window)
{
	int f = in_window ? VRTC_SMEAR_IN_WINDOW : 0;

	if (utc_ns < s->table_start_ns)
		f |= VRTC_SMEAR_BEFORE_TABLE;
	if (utc_ns >= s->expires_ns)
		f |= VRTC_SMEAR_EXPIRED;
	return f;
}

int
vrtc_smear_from_tai(const struct vrtc_smear *s, int64_t tai_ns, int64_t *utc_ns)
{
	int64_t off, utc;
	int i;

	/* Fast path, the common case: after the last window. */
	i = s->nb > 0 && tai_ns >= s->w[s->nb - 1].tai_end_ns ? s->nb - 1 :
								     window_at(s, tai_ns, 1);

	if (i >= 0 && tai_ns < s->w[i].tai_end_ns) {
		const struct vrtc_smear_window *w = &s->w[i];
		__int128 num = (__int128)(tai_ns - w->tai_start_ns) *
			       (w->utc_end_ns - w->utc_start_ns);

		/* Non-negative operands: C's truncation is the floor. */
		utc = w->utc_start_ns + (int64_t)(num / (w->tai_end_ns - w->tai_start_ns));
		*utc_ns = utc;
		return flags_of(s, utc, 1);
	}
	off = i >= 0 ? s->w[i].offset_after_ns : s->offset_first_ns;
	if (__builtin_sub_overflow(tai_ns, off, &utc))
		return -ERANGE;
	*utc_ns = utc;
	return flags_of(s, utc, 0);
}

int
vrtc_smear_to_tai(const struct vrtc_smear *s, int64_t utc_ns, int64_t *tai_ns)
{
	int i = window_at(s, utc_ns, 0);
	int64_t off, tai;

	if (i >= 0 && utc_ns < s->w[i].utc_end_ns) {
		const struct vrtc_smear_window *w = &s->w[i];
		int64_t u = w->utc_end_ns - w->utc_start_ns;
		__int128 num = (__int128)(utc_ns - w->utc_start_ns) *
			       (w->tai_end_ns - w->tai_start_ns);

		/* Ceiling of a non-negative quotient. */
		*tai_ns = w->tai_start_ns + (int64_t)((num + u - 1) / u);
		return flags_of(s, utc_ns, 1);
	}
	off = i >= 0 ? s->w[i].offset_after_ns : s->offset_first_ns;
	if (__builtin_add_overflow(utc_ns, off, &tai))
		return -ERANGE;
	*tai_ns = tai;
	return flags_of(s, utc_ns, 0);
}
