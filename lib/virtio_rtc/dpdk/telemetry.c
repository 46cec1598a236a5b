/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * rte_telemetry commands, for dpdk-telemetry.py (socket
 * /var/run/dpdk/<prefix>/dpdk_telemetry.v2):
 *   /vrtc/devices          names of the devices
 *   /vrtc/stats,<name>     counters of one device, with its extended ones
 *   /vrtc/host_clock       the host clock's health (adjtimex), read now
 *
 * The host clock's health is also here: vrtc_host_clock_health_get() keeps
 * one process-wide watch (clock_health.c), so whoever asks (telemetry, the
 * daemon's once-a-second check) sees the same transition counted and logged
 * once.
 */

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "clock_health.h"
#include "vrtc.h"
#include "vrtc_compat.h"

#define MAX_XSTATS 64

static int
tel_devices(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i, n = vrtc_device_count();

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (i = 0; i < n; i++) {
		struct vrtc_device *dev = vrtc_device_at(i);

		if (dev != NULL)
			rte_tel_data_add_array_string(d, vrtc_device_name(dev));
	}
	return 0;
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vrtc_xstat xs[MAX_XSTATS];
	struct vrtc_device_stats st;
	struct vrtc_device *dev;
	const struct vrtc_poller *p;
	int i, n;

	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	dev = vrtc_device_lookup(params);
	if (dev == NULL || vrtc_device_stats_get(dev, &st) != 0)
		return -ENODEV;
	n = vrtc_device_xstats_get(dev, xs, RTE_DIM(xs));
	p = vrtc_device_poller(dev);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "type", vrtc_device_type_name(dev));
	rte_tel_data_add_dict_string(d, "iface", vrtc_device_iface(dev));
	rte_tel_data_add_dict_string(d, "poller", p != NULL ? vrtc_poller_name(p) : "");
	rte_tel_data_add_dict_int(d, "connected", st.connected);
	rte_tel_data_add_dict_int(d, "running", st.running);
	vrtc_tel_dict_add_uint(d, "requests", st.requests);
	vrtc_tel_dict_add_uint(d, "bytes", st.bytes);
	vrtc_tel_dict_add_uint(d, "errors", st.errors);
	vrtc_tel_dict_add_uint(d, "unsupported", st.unsupported);
	vrtc_tel_dict_add_uint(d, "bad_chains", st.bad_chains);
	vrtc_tel_dict_add_uint(d, "broken_queues", st.broken_queues);
	vrtc_tel_dict_add_uint(d, "notifications", st.notifications);
	vrtc_tel_dict_add_uint(d, "notify_suppressed", st.notify_suppressed);
	vrtc_tel_dict_add_uint(d, "polls", st.polls);
	vrtc_tel_dict_add_uint(d, "polls_empty", st.polls_empty);
	vrtc_tel_dict_add_uint(d, "connections", st.connections);
	for (i = 0; i < n && i < (int)RTE_DIM(xs); i++)
		vrtc_tel_dict_add_uint(d, xs[i].name, xs[i].value);
	return 0;
}

/* ---- host clock health ---------------------------------------------------------- */

static pthread_mutex_t health_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vrtc_clock_health_watch health_watch;

int
vrtc_host_clock_health_get(struct vrtc_host_clock_health *h)
{
	int rc;

	if (h == NULL)
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	pthread_mutex_lock(&health_lock);
	rc = vrtc_clock_health_read(NULL, NULL, h);
	if (rc == 0)
		vrtc_clock_health_watch(&health_watch, h);
	pthread_mutex_unlock(&health_lock);
	return rc;
}

static int
tel_host_clock(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vrtc_host_clock_health h;
	int rc;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rc = vrtc_host_clock_health_get(&h);
	if (rc != 0)
		return rc;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "synchronised", !h.unsync);
	rte_tel_data_add_dict_int(d, "unsync", h.unsync);
	rte_tel_data_add_dict_string(d, "state", vrtc_clock_state_name(h.state));
	rte_tel_data_add_dict_int(d, "status", h.status);
	rte_tel_data_add_dict_int(d, "maxerror_us",
				  (int)RTE_MIN(h.maxerror_us, (int64_t)INT32_MAX));
	rte_tel_data_add_dict_int(d, "esterror_us",
				  (int)RTE_MIN(h.esterror_us, (int64_t)INT32_MAX));
	rte_tel_data_add_dict_int(d, "tai_offset_s", h.tai_offset_s);
	rte_tel_data_add_dict_int(d, "offset_ns",
				  (int)RTE_MAX(RTE_MIN(h.offset_ns, (int64_t)INT32_MAX),
					       (int64_t)INT32_MIN));
	rte_tel_data_add_dict_int(d, "freq_ppb",
				  (int)RTE_MAX(RTE_MIN(h.freq_ppb, (int64_t)INT32_MAX),
					       (int64_t)INT32_MIN));
	vrtc_tel_dict_add_uint(d, "unsync_events", h.unsync_events);
	vrtc_tel_dict_add_uint(d, "checks", h.checks);
	return 0;
}

RTE_INIT(vrtc_telemetry_init)
{
	rte_telemetry_register_cmd("/vrtc/devices", tel_devices,
				   "Lists the virtio-rtc/virtio-rng devices. Takes no parameters");
	rte_telemetry_register_cmd("/vrtc/stats", tel_stats,
				   "Counters of one device. Parameters: device name");
	rte_telemetry_register_cmd("/vrtc/host_clock", tel_host_clock,
				   "The host clock's health (adjtimex: unsync, maxerror, esterror, "
				   "TAI offset, status). Takes no parameters");
}
