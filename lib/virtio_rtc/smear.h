/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Leap-second smearing, noon to noon, linear (virtio-rtc
 * VIRTIO_RTC_SMEAR_NOON_LINEAR): the leap second at the end of UTC day D is
 * spread evenly over the 24 hours from 12:00 UTC on day D to 12:00 UTC on
 * day D+1. Pure integer code, no I/O: the input is a TAI reading and a parsed
 * leap-second table, the output the smeared UTC time (and back).
 *
 * A leap at UTC second L (the first second after it, i.e. midnight) where
 * TAI - UTC goes from O1 to O2 gives a window
 *   smeared UTC [S0, S1) = [L - 43200 s, L + 43200 s)          (U = 86400 s)
 *   TAI         [T0, T1) = [S0 + O1,     S1 + O2)              (D = U + O2 - O1)
 * and inside it
 *   smeared(tai) = S0 + floor((tai - T0) * U / D)
 * Outside every window smeared(tai) = tai - (TAI - UTC), the offset between
 * windows. Both ends are continuous: smeared(T0) = S0 = UTC noon before, and
 * smeared(T1) = S1 = UTC noon after. A positive leap runs the smeared clock
 * slow by 1/86401 (D = 86401 s), a negative one fast by 1/86399.
 *
 * Rounding: forward rounds down (towards the past) to the nanosecond. The
 * inverse returns the first TAI nanosecond at which the smeared clock reads
 * at least the given time:
 *   to_tai(s) = T0 + ceil((s - S0) * D / U)
 * so forward(to_tai(s)) >= s, forward(to_tai(s) - 1) < s, and
 * to_tai(forward(x)) <= x with forward(to_tai(forward(x))) == forward(x). A
 * positive leap's slope is below 1, so up to 2 TAI ns share one smeared ns;
 * a negative one skips smeared ns (to_tai(forward(x)) == x there).
 *
 * Windows that overlap (leaps less than 24 h apart: never happened, the
 * table format allows it) are merged into one window from the first one's
 * start to the last one's end with the sum of their steps, still linear,
 * continuous and increasing. A table whose steps would make a window's TAI
 * length zero or negative is refused.
 *
 * Times before the table's first entry use its offset and are flagged
 * VRTC_SMEAR_BEFORE_TABLE; results at or after the table's expiry use the
 * last offset and are flagged VRTC_SMEAR_EXPIRED (the caller warns, once).
 */

#ifndef VRTC_SMEAR_H
#define VRTC_SMEAR_H

#include <stdint.h>

/** Most entries of a leap-second table (tzdata has 28 since 1972). */
#define VRTC_LEAP_TABLE_MAX 256

/** From UTC second @c utc_s on, TAI - UTC is @c offset_s. */
struct vrtc_leap_entry {
	int64_t utc_s;	  /**< Unix seconds (UTC) */
	int32_t offset_s; /**< TAI - UTC from then on */
};

/** A parsed leap-second table: entries strictly increasing in time. */
struct vrtc_leap_table {
	uint16_t nb;
	struct vrtc_leap_entry e[VRTC_LEAP_TABLE_MAX];
	int64_t expires_s; /**< Unix seconds of the table's expiry; 0: none given */
};

/**
 * TAI - UTC in effect at UTC second @p utc_s.
 * @param index  set to the entry used (may be NULL).
 * @return 0, or -EINVAL when no entry is at or before @p utc_s.
 */
int vrtc_leap_table_lookup(const struct vrtc_leap_table *t, int64_t utc_s, int *offset_s,
			   uint16_t *index);

/** One smear window (see the file comment), in ns. */
struct vrtc_smear_window {
	int64_t utc_start_ns; /**< S0 */
	int64_t utc_end_ns;   /**< S1 */
	int64_t tai_start_ns; /**< T0 */
	int64_t tai_end_ns;   /**< T1 */
	int64_t offset_after_ns; /**< TAI - UTC from T1 until the next window */
};

/** A leap table prepared for smearing. */
struct vrtc_smear {
	uint16_t nb; /**< windows */
	struct vrtc_smear_window w[VRTC_LEAP_TABLE_MAX];
	int64_t offset_first_ns; /**< TAI - UTC before the first window */
	int64_t table_start_ns;	 /**< UTC of the table's first entry */
	int64_t expires_ns;	 /**< UTC of the table's expiry; INT64_MAX: none */
};

/** Result flags of vrtc_smear_from_tai() and vrtc_smear_to_tai(). */
#define VRTC_SMEAR_IN_WINDOW 0x1    /**< inside a smear window */
#define VRTC_SMEAR_BEFORE_TABLE 0x2 /**< before the table's first entry */
#define VRTC_SMEAR_EXPIRED 0x4	    /**< at or after the table's expiry */

/**
 * Build the smear windows of @p t. Entries beyond what 64-bit ns can hold
 * (after 2262) are ignored.
 * @return 0, or -EINVAL (no entry, entries out of order, or a window whose
 *   steps leave it no TAI length).
 */
int vrtc_smear_init(struct vrtc_smear *s, const struct vrtc_leap_table *t);

/**
 * Smeared UTC at TAI @p tai_ns.
 * @return VRTC_SMEAR_* flags (>= 0), or -ERANGE when the result does not
 *   fit in 64 bits.
 */
int vrtc_smear_from_tai(const struct vrtc_smear *s, int64_t tai_ns, int64_t *utc_ns);

/**
 * The first TAI ns at which the smeared clock reads @p utc_ns or later.
 * @return VRTC_SMEAR_* flags (>= 0), or -ERANGE.
 */
int vrtc_smear_to_tai(const struct vrtc_smear *s, int64_t utc_ns, int64_t *tai_ns);

#endif /* VRTC_SMEAR_H */
