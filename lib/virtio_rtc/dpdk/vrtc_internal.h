/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: the DPDK layer's log types and log macros, shared by every
 * file of lib/virtio_rtc/dpdk and drivers/vdev. Nothing else lives here:
 * queues are in queue.h, pollers in poller.h, devices in device.h.
 */

#ifndef VRTC_INTERNAL_H
#define VRTC_INTERNAL_H

#include <rte_log.h>

#include "vrtc.h"

extern int vrtc_logtype_device;
extern int vrtc_logtype_transport;
extern int vrtc_logtype_poller;

/* rte_log(), and an ERR line is also kept as the thread's first error
 * (vrtc_thread_error()). */
int vrtc_dpdk_log(uint32_t level, int logtype, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define VRTC_DLOG(type, level, dev, fmt, ...)                                                \
	vrtc_dpdk_log(RTE_LOG_##level, vrtc_logtype_##type, "vrtc.%s: %s: " fmt "\n", #type,   \
		      vrtc_device_name(dev), ##__VA_ARGS__)
#define VRTC_GLOG(type, level, fmt, ...)                                                     \
	vrtc_dpdk_log(RTE_LOG_##level, vrtc_logtype_##type, "vrtc.%s: " fmt "\n", #type,       \
		      ##__VA_ARGS__)

#endif /* VRTC_INTERNAL_H */
