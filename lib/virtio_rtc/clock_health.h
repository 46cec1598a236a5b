/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal to the core: the host clock's health as adjtimex(2) reports it
 * (read only: modes 0, no privilege needed), and a watch that logs when it
 * becomes unsynchronised or synchronised again. The guests' UTC and TAI
 * clocks are the host's CLOCK_REALTIME: they are as good as its discipline.
 * The kernel call is injectable for tests. Control path only (a system call).
 */

#ifndef VRTC_CLOCK_HEALTH_H
#define VRTC_CLOCK_HEALTH_H

#include <stdint.h>
#include <sys/timex.h>

#include "vrtc.h"

/** adjtimex(2) or a test's stand-in: the kernel's return (TIME_*) or -1 with errno. */
typedef int (*vrtc_adjtimex_fn)(void *ctx, struct timex *tx);

/**
 * Read the health through @p fn (NULL: adjtimex(2) with modes 0) into @p h
 * (its unsync_events and checks are left alone: the watch keeps them).
 * @return 0, or -errno.
 */
int vrtc_clock_health_read(vrtc_adjtimex_fn fn, void *ctx, struct vrtc_host_clock_health *h);

/** What a watch remembers between reads. */
struct vrtc_clock_health_watch {
	int known;		/* a read was seen */
	int unsync;		/* the last one's verdict */
	uint64_t unsync_events; /* synchronised (or start) -> unsynchronised */
	uint64_t checks;
};

/**
 * Feed @p h (just read) to @p w: the first read logs the state once
 * (NOTICE when synchronised, WARNING when not), and every change after
 * that logs one line (WARNING "became unsynchronised", NOTICE
 * "synchronised again"). Sets h->unsync_events and h->checks.
 * @return 1 when the verdict changed (or on the first read), else 0.
 */
int vrtc_clock_health_watch(struct vrtc_clock_health_watch *w, struct vrtc_host_clock_health *h);

/** "ok", "insert leap second", ...; "?" for others. */
const char *vrtc_clock_state_name(int state);

#endif /* VRTC_CLOCK_HEALTH_H */
