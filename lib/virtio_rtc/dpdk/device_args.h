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
#include "vrtc_internal.h"

/**
 * Parse @p args ("iface=PATH,clocks=utc+tai", without the name) for a
 * device of @p type named @p name, check the socket directory, create the
 * device. Every failure is logged with the device name, and a last line
 * "NAME: not created (reason)".
 * @return 0 or -errno (-EINVAL for a bad argument).
 */
int vrtc_device_args_create(enum vrtc_device_type type, const char *name, const char *args,
			    struct vrtc_device **out);

/*
 * Keys of the argument strings. device_args.c parses the keys every device
 * has (iface, client, owner, ...); each device type lists its own in its
 * ops (arg_keys) with handlers that fill the parameters.
 */
struct vrtc_arg_ctx {
	const char *dev;	       /* device name, for messages */
	struct vrtc_device_params *p;  /* filled by the handlers */
	int reconnect;		       /* -1: not given */
	int rc;			       /* the failing handler's -errno */
	char phc_path[256];	       /* rtc clocks=phc:PATH:TYPE: p->phc_path points here */
};

/** Parse @p value of @p key into ctx->p; 0, or -EINVAL after one VRTC_ARG_ERR line. */
typedef int (*vrtc_arg_handler_t)(struct vrtc_arg_ctx *ctx, const char *key, const char *value);

struct vrtc_arg_key {
	const char *key;
	vrtc_arg_handler_t fn;
};

/** The one error line of a refused value: "NAME: key=value: what was expected". */
#define VRTC_ARG_ERR(ctx, key, value, fmt, ...)                                              \
	VRTC_GLOG(device, ERR, "%s: %s=%s: " fmt, (ctx)->dev, key, (value) ? (value) : "",     \
		  ##__VA_ARGS__)

/** A 0/1 value. */
int vrtc_arg_bool(struct vrtc_arg_ctx *ctx, const char *key, const char *value, int *out);

/** Count one failed vdev probe (see vrtc_device_probe_errors()). */
void vrtc_device_args_probe_failed(void);

#endif /* VRTC_DEVICE_ARGS_H */
