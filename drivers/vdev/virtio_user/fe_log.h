/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: the front-end's log type ("vrtc.frontend", registered in
 * frontend.c). Every line names the device.
 */

#ifndef VRTC_FE_LOG_H
#define VRTC_FE_LOG_H

#include <rte_log.h>

extern int vrtc_logtype_frontend;

#define FE_LOG(level, name, fmt, ...)                                                              \
	rte_log(RTE_LOG_##level, vrtc_logtype_frontend, "vrtc.frontend: %s: " fmt "\n", (name),    \
		##__VA_ARGS__)

#endif /* VRTC_FE_LOG_H */
