/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * dpdk-rtcd's workers: one libvirtio_rtc poller per EAL worker lcore, each
 * driven by a loop of the daemon's own (busy or adaptive polling).
 */

#ifndef RTCD_WORKERS_H
#define RTCD_WORKERS_H

#include <stdint.h>

#include "vrtc.h"

enum rtcd_poll_mode {
	RTCD_POLL_BUSY,	    /**< spin on the rings; lowest latency, one core each */
	RTCD_POLL_ADAPTIVE, /**< spin while busy; sleep on kicks after idle_us */
};

struct rtcd_workers_params {
	uint16_t burst;		  /**< chains per queue per pass (0: library default) */
	enum rtcd_poll_mode mode; /**< default busy */
	uint32_t idle_us;	  /**< adaptive: idle time before sleeping (0: 100) */
};

/**
 * Create a poller on every worker lcore, attach every device (to the
 * poller of its lcore hint, else round-robin in creation order) and launch
 * the loops. On failure everything started is stopped again.
 * @return 0 or -errno (-ENODEV: no worker lcore; -EINVAL: a device's lcore
 *   is not a worker; -EBUSY: a worker lcore is busy).
 */
int rtcd_workers_start(const struct rtcd_workers_params *p);

/**
 * Serve @p dev, created after rtcd_workers_start(), from the worker of its
 * lcore hint (else the next one round-robin), while the workers run.
 * @return 0, -ENODEV (workers not started), -EINVAL (its lcore is not a
 *   worker), or the error of vrtc_device_attach().
 */
int rtcd_workers_attach(struct vrtc_device *dev);

/** Detach every device (front-ends see a disconnect), stop the loops. */
void rtcd_workers_stop(void);

/** The lcore serving @p dev, or -1. */
int rtcd_device_lcore(const struct vrtc_device *dev);

#endif /* RTCD_WORKERS_H */
