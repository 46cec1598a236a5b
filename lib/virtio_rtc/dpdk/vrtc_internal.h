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

#define VRTC_DLOG(type, level, dev, fmt, ...)                                                \
	rte_log(RTE_LOG_##level, vrtc_logtype_##type, "vrtc.%s: %s: " fmt "\n", #type,         \
		vrtc_device_name(dev), ##__VA_ARGS__)
#define VRTC_GLOG(type, level, fmt, ...)                                                     \
	rte_log(RTE_LOG_##level, vrtc_logtype_##type, "vrtc.%s: " fmt "\n", #type, ##__VA_ARGS__)

#endif /* VRTC_INTERNAL_H */
