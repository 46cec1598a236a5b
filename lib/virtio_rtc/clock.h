/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Clock sources: what a virtio-rtc clock id reads. The device model sees a
 * clock only through struct vrtc_clock, so tests inject fake clocks and the
 * daemon plugs in host clocks (UTC, TAI, MONOTONIC, ...).
 *
 * Reads must be cheap and must not block: they run on the poller lcore for
 * every READ request (clock_gettime through the vDSO, or a calibrated TSC).
 */

#ifndef VRTC_CLOCK_H
#define VRTC_CLOCK_H

#include <stdint.h>

#include "smear.h"

/** Operations of one clock. @c ctx is the clock's own context. */
struct vrtc_clock_ops {
	/** Read the clock in nanoseconds. @return 0 or -errno (becomes EIO). */
	int (*read)(void *ctx, uint64_t *ns);
	/**
	 * Whether read_cross() would succeed for @p hw_counter (CROSS_CAP).
	 * NULL means never. Must agree with read_cross().
	 */
	int (*cross_capable)(void *ctx, uint8_t hw_counter);
	/**
	 * Read the clock together with the value the driver would read from
	 * @p hw_counter at the same instant. NULL means never.
	 * @return 0, -EOPNOTSUPP when this clock cannot cross-timestamp
	 *   against that counter, or another -errno (becomes EIO).
	 */
	int (*read_cross)(void *ctx, uint8_t hw_counter, uint64_t *ns, uint64_t *cycles);
};

/** One clock as the device exposes it. */
struct vrtc_clock {
	uint8_t type;	  /**< VRTC_RTC_CLOCK_* */
	uint8_t smearing; /**< VRTC_RTC_SMEAR_*; UNSPECIFIED unless UTC_SMEARED */
	const struct vrtc_clock_ops *ops;
	void *ctx;
	uint8_t alarm; /**< the clock has an alarm (CLOCK_CAP ALARM_CAP) */
};

/** Host clocks the daemon offers. */
enum vrtc_host_clock {
	VRTC_HOST_CLOCK_UTC,	   /**< CLOCK_REALTIME as UTC */
	VRTC_HOST_CLOCK_TAI,	   /**< UTC + TAI-UTC offset, as TAI */
	VRTC_HOST_CLOCK_MONOTONIC, /**< CLOCK_MONOTONIC as MONOTONIC */
	/**
	 * TAI smeared noon to noon (smear.h) as UTC_SMEARED; with
	 * vrtc_host_clock_cfg.smear_host, CLOCK_REALTIME passed through as
	 * UTC_SMEARED (smearing unspecified).
	 */
	VRTC_HOST_CLOCK_UTC_SMEARED,
	VRTC_HOST_CLOCK_COUNT
};

/** Settings shared by the host clocks of one process. */
struct vrtc_host_clock_cfg {
	/**
	 * TAI - UTC in seconds; negative means "find out": the kernel's
	 * offset (adjtimex) when it is set, otherwise the leap-second table.
	 */
	int tai_offset_s;
	/** Leap-second table (IERS/NIST format); NULL for the tzdata default. */
	const char *leap_seconds_file;
	/**
	 * Cross-timestamps against the x86 TSC: the device can only answer
	 * READ_CROSS honestly when it knows what the driver's TSC reads. Set
	 * this when the driver reads the host TSC unscaled and unshifted (a
	 * user-space front-end on this host, or a VM whose TSC offset is 0 and
	 * scaling 1). Off by default: CROSS_CAP says "not capable" and
	 * READ_CROSS answers EOPNOTSUPP.
	 */
	int cross_host_tsc;
	/**
	 * The UTC_SMEARED clock is the host's CLOCK_REALTIME, already smeared
	 * by the host (clouds): passed through, never smeared twice.
	 */
	int smear_host;
	/** The smeared clock's state (vrtc_smear_prepare); NULL before. */
	struct vrtc_smear_state *smear;
};

/** Default path of the leap-second table shipped by tzdata. */
#define VRTC_LEAP_SECONDS_FILE "/usr/share/zoneinfo/leap-seconds.list"

/**
 * Resolve the TAI - UTC offset once for the process, following @p cfg.
 * Logs where the value came from (kernel, table with its expiry, operator).
 * @return 0 with @p offset_s set, or -errno when no source is usable.
 */
int vrtc_tai_offset_resolve(const struct vrtc_host_clock_cfg *cfg, int *offset_s);

/**
 * TAI - UTC in effect at @p unix_s according to a leap-second table.
 * @param expires_unix_s  set to the table's expiry (0 when absent); may be NULL.
 * @return 0, -ENOENT (no file), or -EINVAL (malformed, or no entry covers @p unix_s).
 */
int vrtc_leap_table_offset(const char *path, int64_t unix_s, int *offset_s,
			   int64_t *expires_unix_s);

/**
 * Parse a leap-second table (IERS/NIST format, see clock.c) into @p t.
 * @return 0, -ENOENT (no file), -EIO, or -EINVAL (malformed, more than
 *   VRTC_LEAP_TABLE_MAX entries, or none).
 */
int vrtc_leap_table_load(const char *path, struct vrtc_leap_table *t);

/**
 * Prepare the smeared clock of @p cfg (unless cfg->smear_host): load the
 * leap-second table (cfg->leap_seconds_file or the tzdata default) once for
 * the device and build its smear; warns when the table has expired. Called
 * before vrtc_tai_offset_resolve(), the resolution uses this table instead
 * of reading the file again. vrtc_host_clock_init() of the smeared clock
 * then chooses the TAI base the offset's source gives (kernel: CLOCK_TAI;
 * table: CLOCK_REALTIME + the table's offset at that time; operator:
 * CLOCK_REALTIME + that offset). Undo with vrtc_host_clock_cfg_fini().
 * @return 0 or -errno.
 */
int vrtc_smear_prepare(struct vrtc_host_clock_cfg *cfg);

/** Free what vrtc_smear_prepare() allocated in @p cfg (NULL-safe, idempotent). */
void vrtc_host_clock_cfg_fini(struct vrtc_host_clock_cfg *cfg);

/**
 * Fill @p clock with host clock @p which. @p cfg must outlive the clock.
 * The TAI clock needs vrtc_tai_offset_resolve() to have succeeded, the
 * smeared one vrtc_smear_prepare() too (unless cfg->smear_host); its
 * initialisation logs the TAI base it reads.
 * @return 0 or -errno.
 */
int vrtc_host_clock_init(struct vrtc_clock *clock, enum vrtc_host_clock which,
			 const struct vrtc_host_clock_cfg *cfg);

/** Parse "utc", "tai", "mono"/"monotonic", "smeared". @return 0 or -EINVAL. */
int vrtc_host_clock_parse(const char *name, enum vrtc_host_clock *which);

/** Short name of a host clock ("utc", "tai", "mono", "smeared"). */
const char *vrtc_host_clock_name(enum vrtc_host_clock which);

#endif /* VRTC_CLOCK_H */
