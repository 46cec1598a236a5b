/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: the device argument parser (device_args.c), shared by the
 * public vrtc_device_create_from_args() and the rtc_vhost / rng_vhost vdev
 * drivers.
 */

#ifndef VRTC_DEVICE_ARGS_H
#define VRTC_DEVICE_ARGS_H

#include "vrtc.h"

/**
 * Parse @p args ("iface=PATH,clocks=utc+tai", without the name) for a
 * device of @p type named @p name, check the socket directory, create the
 * device. Every failure is logged with the device name, and a last line
 * "NAME: not created (reason)".
 * @return 0 or -errno (-EINVAL for a bad argument).
 */
int vrtc_device_args_create(enum vrtc_device_type type, const char *name, const char *args,
			    struct vrtc_device **out);

/** Device type from a name's prefix (rtc_vhost*, rng_vhost*): 0 or -EINVAL. */
int vrtc_device_type_from_name(const char *name, enum vrtc_device_type *type);

/** Count one failed vdev probe (see vrtc_device_probe_errors()). */
void vrtc_device_args_probe_failed(void);

#endif /* VRTC_DEVICE_ARGS_H */
