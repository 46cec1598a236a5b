/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * A PTP hardware clock (PHC, /dev/ptpN: a NIC's clock, usually disciplined
 * by ptp4l) served as a virtio-rtc clock of the type the operator declares
 * (UTC or TAI: the device cannot tell which timescale the PHC runs).
 *
 * Each READ reads the PHC: clock_gettime(FD_TO_CLOCKID(fd)), a system call
 * (no vDSO for dynamic POSIX clocks) plus the driver's register reads. No
 * interpolation, so no error bound to document beyond the PHC's own; the
 * price is measured in doc/virtio-rtc.md ("PHC clocks") and by the
 * phc_read benchmark. The source of the readings is injectable
 * (vrtc_phc_create()) so unit tests need no PHC.
 */

#ifndef VRTC_CLOCK_PHC_H
#define VRTC_CLOCK_PHC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "clock.h"

/** Longest PHC path accepted (bytes, without the NUL). */
#define VRTC_PHC_PATH_MAX 255

/** Where a PHC clock's readings come from. */
struct vrtc_phc_source {
	/** Read the clock: 0 with @p ts set, or -errno. Must not block. */
	int (*read)(void *ctx, struct timespec *ts);
	void *ctx;
};

/** Counters of one PHC clock (single writer: the worker reading it). */
struct vrtc_phc_stats {
	uint64_t reads;	 /**< successful reads */
	uint64_t errors; /**< failed reads (the guest got EIO) */
};

struct vrtc_phc;

/**
 * Parse a PHC item "PATH:tai" or "PATH:utc" (@p len bytes at @p spec, not
 * necessarily NUL-terminated; the last ':' separates the type, so PATH may
 * hold ':' but not be empty).
 * @return 0 with @p path (NUL-terminated) and @p virtio_type
 *   (VRTC_RTC_CLOCK_UTC or VRTC_RTC_CLOCK_TAI) set, or -EINVAL.
 */
int vrtc_phc_spec_parse(const char *spec, size_t len, char *path, size_t path_size,
			uint8_t *virtio_type);

/**
 * Open the PHC at @p path (read-only): it must be a character device that
 * answers PTP_CLOCK_GETCAPS, and one read must succeed. Warns when its time
 * looks like the other timescale than @p virtio_type declares (about 37 s
 * from CLOCK_REALTIME the "wrong" way) or far from the host's clock.
 * @return 0 with @p out set, or -errno (logged with the path and reason).
 */
int vrtc_phc_open(const char *path, uint8_t virtio_type, struct vrtc_phc **out);

/**
 * A PHC clock whose readings come from @p src (copied), named @p name in
 * logs: what vrtc_phc_open() builds on the real device, and what tests
 * inject. The same checks as vrtc_phc_open() after the open.
 * @return 0 with @p out set, or -errno.
 */
int vrtc_phc_create(const struct vrtc_phc_source *src, const char *name, uint8_t virtio_type,
		    struct vrtc_phc **out);

/** Close the device (if any) and free (NULL is fine). */
void vrtc_phc_destroy(struct vrtc_phc *phc);

/** Fill @p clock so that it reads @p phc (which must outlive it). */
void vrtc_phc_clock_init(struct vrtc_clock *clock, struct vrtc_phc *phc);

/** Counters of @p phc. */
const struct vrtc_phc_stats *vrtc_phc_stats(const struct vrtc_phc *phc);

/** The path or name @p phc was made with. */
const char *vrtc_phc_name(const struct vrtc_phc *phc);

#endif /* VRTC_CLOCK_PHC_H */
