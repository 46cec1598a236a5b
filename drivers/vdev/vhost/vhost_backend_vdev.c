/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * vdev drivers for the back-end devices:
 *
 *   --vdev 'rtc_vhost0,iface=/run/rtcd/rtc0.sock,clocks=utc+tai+mono'
 *   --vdev 'rng_vhost0,iface=/run/rtcd/rng0.sock,source=drbg,rate=1M'
 *
 * A thin wrapper: the library's parser (lib/virtio_rtc/dpdk/device_args.c,
 * the same one as vrtc_device_create_from_args() and dpdk-rtcd --device)
 * parses the arguments and creates the device. Every key is documented in
 * doc/devices.md and in the parameter strings registered below (shown by dpdk-pmdinfo.py). A
 * bad argument fails the probe with one line naming the key and what it
 * accepts, and leaves nothing behind.
 */

#include <errno.h>

#include <bus_vdev_driver.h>

#include "device_args.h"
#include "vdev_register.h"
#include "vrtc.h"

static int
probe(struct rte_vdev_device *vdev, enum vrtc_device_type type)
{
	int rc = vrtc_device_args_create(type, rte_vdev_device_name(vdev),
					 rte_vdev_device_args(vdev), NULL);

	if (rc != 0)
		vrtc_device_args_probe_failed();
	return rc;
}

static int
rtc_probe(struct rte_vdev_device *vdev)
{
	return probe(vdev, VRTC_DEVICE_RTC);
}

static int
rng_probe(struct rte_vdev_device *vdev)
{
	return probe(vdev, VRTC_DEVICE_RNG);
}

static int
remove_dev(struct rte_vdev_device *vdev)
{
	struct vrtc_device *dev = vrtc_device_lookup(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return -ENODEV;
	return vrtc_device_destroy(dev);
}

static struct rte_vdev_driver rtc_vhost_drv = {
	.probe = rtc_probe,
	.remove = remove_dev,
};

static struct rte_vdev_driver rng_vhost_drv = {
	.probe = rng_probe,
	.remove = remove_dev,
};

#define COMMON_PARAMS                                                                        \
	"iface=<path> "                                                                      \
	"client=<0|1> "                                                                      \
	"reconnect=<0|1> "                                                                   \
	"owner=<user|uid> "                                                                  \
	"group=<group|gid> "                                                                 \
	"mode=<octal> "                                                                      \
	"lcore=<worker lcore> "                                                              \
	"unsealed=<0|1> "                                                                    \
	"packed=<0|1> "

VRTC_VDEV_REGISTER(rtc_vhost, rtc_vhost_drv,
	COMMON_PARAMS
	"clocks=<utc+tai+mono+smeared[+phc:PATH:tai|utc]> "
	"tai_offset=<auto|seconds> "
	"smear=<noon|host> "
	"alarm=<0|1|clock[+clock]> "
	"cross_tsc=<0|1>");

VRTC_VDEV_REGISTER(rng_vhost, rng_vhost_drv,
	COMMON_PARAMS
	"source=<drbg|getrandom|rdseed|rdrand|file:PATH> "
	"rate=<bytes/s[K|M|G]> "
	"reseed=<requests>");
