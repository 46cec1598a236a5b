/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * rte_telemetry commands, for dpdk-telemetry.py (socket
 * /var/run/dpdk/<prefix>/dpdk_telemetry.v2):
 *   /vrtc/devices          names of the devices
 *   /vrtc/stats,<name>     counters of one device, with its extended ones
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "vrtc.h"
#include "vrtc_compat.h"

#define MAX_XSTATS 64

static const char *const type_names[] = {
	[VRTC_DEVICE_RTC] = "rtc",
	[VRTC_DEVICE_RNG] = "rng",
};

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
	unsigned int type;
	int i, n;

	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	dev = vrtc_device_lookup(params);
	if (dev == NULL || vrtc_device_stats_get(dev, &st) != 0)
		return -ENODEV;
	n = vrtc_device_xstats_get(dev, xs, RTE_DIM(xs));
	p = vrtc_device_poller(dev);
	type = (unsigned int)vrtc_device_type_of(dev);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "type", type < RTE_DIM(type_names) ? type_names[type] : "?");
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

RTE_INIT(vrtc_telemetry_init)
{
	rte_telemetry_register_cmd("/vrtc/devices", tel_devices,
				   "Lists the virtio-rtc/virtio-rng devices. Takes no parameters");
	rte_telemetry_register_cmd("/vrtc/stats", tel_stats,
				   "Counters of one device. Parameters: device name");
}
