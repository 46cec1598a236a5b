/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Logging: one rte_log dynamic type per component ("vrtc.vq", "vrtc.rtc",
 * ...; set levels with EAL's --log-level=vrtc.*:debug). The EAL-free core
 * logs through the sink installed here.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_log.h>

#include "log.h"
#include "vrtc_internal.h"

RTE_LOG_REGISTER(vrtc_logtype_device, vrtc.device, INFO);
RTE_LOG_REGISTER(vrtc_logtype_transport, vrtc.transport, INFO);
RTE_LOG_REGISTER(vrtc_logtype_poller, vrtc.poller, INFO);
RTE_LOG_REGISTER(vrtc_logtype_mem, vrtc.mem, INFO);
RTE_LOG_REGISTER(vrtc_logtype_vq, vrtc.vq, INFO);
RTE_LOG_REGISTER(vrtc_logtype_rtc, vrtc.rtc, INFO);
RTE_LOG_REGISTER(vrtc_logtype_rng, vrtc.rng, INFO);
RTE_LOG_REGISTER(vrtc_logtype_clock, vrtc.clock, INFO);
RTE_LOG_REGISTER(vrtc_logtype_entropy, vrtc.entropy, INFO);
RTE_LOG_REGISTER(vrtc_logtype_frontdoor, vrtc.frontdoor, INFO);

static int *const core_logtypes[VRTC_LOGC_COUNT] = {
	[VRTC_LOGC_MEM] = &vrtc_logtype_mem,
	[VRTC_LOGC_VQ] = &vrtc_logtype_vq,
	[VRTC_LOGC_RTC] = &vrtc_logtype_rtc,
	[VRTC_LOGC_RNG] = &vrtc_logtype_rng,
	[VRTC_LOGC_CLOCK] = &vrtc_logtype_clock,
	[VRTC_LOGC_ENTROPY] = &vrtc_logtype_entropy,
	[VRTC_LOGC_FRONTDOOR] = &vrtc_logtype_frontdoor,
};

/* The first ERR line logged on this thread since vrtc_thread_error_clear(),
 * without its "vrtc.TYPE: " prefix and newline. */
static __thread char thread_error[256];
static __thread int thread_error_set;

static void
note_error(const char *line)
{
	const char *msg = strncmp(line, "vrtc.", 5) == 0 ? strstr(line, ": ") : NULL;
	size_t len;

	if (thread_error_set)
		return;
	msg = msg != NULL ? msg + 2 : line;
	len = strcspn(msg, "\n");
	snprintf(thread_error, sizeof(thread_error), "%.*s", (int)len, msg);
	thread_error_set = 1;
}

const char *
vrtc_thread_error(void)
{
	return thread_error_set ? thread_error : "";
}

void
vrtc_thread_error_clear(void)
{
	thread_error_set = 0;
	thread_error[0] = '\0';
}

int
vrtc_dpdk_log(uint32_t level, int logtype, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (level <= RTE_LOG_ERR && !thread_error_set) {
		char line[sizeof(thread_error) + 64];

		va_start(ap, fmt);
		vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		note_error(line);
	}
	va_start(ap, fmt);
	rc = rte_vlog(level, (uint32_t)logtype, fmt, ap);
	va_end(ap);
	return rc;
}

/* The core's levels are numbered like rte_log's (ERR = 4 ... DEBUG = 8). */
static void
rte_log_sink(enum vrtc_log_component comp, enum vrtc_log_level level, const char *msg)
{
	int type = (unsigned int)comp < VRTC_LOGC_COUNT ? *core_logtypes[comp] : RTE_LOGTYPE_USER1;

	if (level <= VRTC_LOG_ERR)
		note_error(msg);
	rte_log((uint32_t)level, (uint32_t)type, "vrtc.%s: %s\n", vrtc_log_component_name(comp),
		msg);
}

/* After the RTE_LOG_REGISTER constructors (default priority). */
RTE_INIT_PRIO(vrtc_log_init, LAST)
{
	vrtc_log_set_sink(rte_log_sink);
}
