/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Logging for the EAL-free core. The core calls vrtc_log(); the DPDK layer
 * installs a sink that forwards to rte_log (dynamic log types per
 * component); a hosted test keeps the default sink (stderr, warnings and
 * worse) or installs its own to capture lines.
 *
 * Data-path messages must be rate-limited by the caller (a latch, a counter):
 * the core logs a broken queue once, never once per bad chain.
 */

#ifndef VRTC_LOG_H
#define VRTC_LOG_H

#include <stdarg.h>

/** Severities, ordered like syslog and rte_log (lower is more severe). */
enum vrtc_log_level {
	VRTC_LOG_ERR = 4,
	VRTC_LOG_WARNING = 5,
	VRTC_LOG_NOTICE = 6,
	VRTC_LOG_INFO = 7,
	VRTC_LOG_DEBUG = 8,
};

/** Components, one log type each in the DPDK build. */
enum vrtc_log_component {
	VRTC_LOGC_MEM,
	VRTC_LOGC_VQ,
	VRTC_LOGC_RTC,
	VRTC_LOGC_RNG,
	VRTC_LOGC_CLOCK,
	VRTC_LOGC_ENTROPY,
	VRTC_LOGC_FRONTDOOR, /* vhost-user front door (frontdoor.c) */
	VRTC_LOGC_COUNT
};

/** A log sink: receives one formatted message without trailing newline. */
typedef void (*vrtc_log_sink_t)(enum vrtc_log_component comp, enum vrtc_log_level level,
				const char *msg);

/** Install @p sink (NULL restores the default stderr sink). Call it before
 * any worker starts: the sink pointer is read without synchronisation. */
void vrtc_log_set_sink(vrtc_log_sink_t sink);

/** Format and emit one message. */
void vrtc_log(enum vrtc_log_component comp, enum vrtc_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Name of a component, for sinks ("vq", "rtc", ...). */
const char *vrtc_log_component_name(enum vrtc_log_component comp);

#endif /* VRTC_LOG_H */
