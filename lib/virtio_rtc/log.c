/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

#include <stdio.h>

#include "log.h"

static void
stderr_sink(enum vrtc_log_component comp, enum vrtc_log_level level, const char *msg)
{
	if (level <= VRTC_LOG_WARNING)
		fprintf(stderr, "vrtc.%s: %s\n", vrtc_log_component_name(comp), msg);
}

static vrtc_log_sink_t log_sink = stderr_sink;

void
vrtc_log_set_sink(vrtc_log_sink_t sink)
{
	log_sink = sink != NULL ? sink : stderr_sink;
}

const char *
vrtc_log_component_name(enum vrtc_log_component comp)
{
	static const char *const names[VRTC_LOGC_COUNT] = {
		[VRTC_LOGC_MEM] = "mem",	 [VRTC_LOGC_VQ] = "vq",
		[VRTC_LOGC_RTC] = "rtc",	 [VRTC_LOGC_RNG] = "rng",
		[VRTC_LOGC_CLOCK] = "clock", [VRTC_LOGC_ENTROPY] = "entropy",
		[VRTC_LOGC_FRONTDOOR] = "frontdoor",
	};

	if ((unsigned int)comp >= VRTC_LOGC_COUNT)
		return "?";
	return names[comp];
}

void
vrtc_log(enum vrtc_log_component comp, enum vrtc_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_sink(comp, level, msg);
}
