/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Logging: one rte_log dynamic type per component ("vrtc.vq", "vrtc.rtc",
 * ...; set levels with EAL's --log-level=vrtc.*:debug). The EAL-free core
 * logs through the sink installed here.
 */

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

/* The core's levels are numbered like rte_log's (ERR = 4 ... DEBUG = 8). */
static void
rte_log_sink(enum vrtc_log_component comp, enum vrtc_log_level level, const char *msg)
{
	int type = (unsigned int)comp < VRTC_LOGC_COUNT ? *core_logtypes[comp] : RTE_LOGTYPE_USER1;

	rte_log((uint32_t)level, (uint32_t)type, "vrtc.%s: %s\n", vrtc_log_component_name(comp),
		msg);
}

/* After the RTE_LOG_REGISTER constructors (default priority). */
RTE_INIT_PRIO(vrtc_log_init, LAST)
{
	vrtc_log_set_sink(rte_log_sink);
}
