/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * vdev drivers for the back-end devices:
 *
 *   --vdev 'rtc_vhost0,iface=/run/rtcd/rtc0.sock,clocks=utc+tai+mono'
 *   --vdev 'rng_vhost0,iface=/run/rtcd/rng0.sock,source=drbg,rate=1M'
 *
 * A thin layer: parse the arguments (rte_kvargs), fill struct
 * vrtc_device_params, create the device. Every key is documented in
 * doc/devices.md and in the parameter strings registered below (shown by dpdk-pmdinfo.py). A
 * bad argument fails the probe with one line naming the key and what it
 * accepts, and leaves nothing behind.
 */

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <rte_kvargs.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "clock.h"
#include "vdev_args.h"
#include "vdev_register.h"
#include "vrtc.h"
#include "vrtc_internal.h"

#define K_IFACE "iface"
#define K_CLIENT "client"
#define K_RECONNECT "reconnect"
#define K_OWNER "owner"
#define K_GROUP "group"
#define K_MODE "mode"
#define K_LCORE "lcore"
#define K_CLOCKS "clocks"
#define K_TAI_OFFSET "tai_offset"
#define K_CROSS_TSC "cross_tsc"
#define K_SOURCE "source"
#define K_RATE "rate"
#define K_RESEED "reseed"

static const char *const rtc_keys[] = {
	K_IFACE, K_CLIENT, K_RECONNECT, K_OWNER, K_GROUP, K_MODE, K_LCORE,
	K_CLOCKS, K_TAI_OFFSET, K_CROSS_TSC, NULL,
};

static const char *const rng_keys[] = {
	K_IFACE, K_CLIENT, K_RECONNECT, K_OWNER, K_GROUP, K_MODE, K_LCORE,
	K_SOURCE, K_RATE, K_RESEED, NULL,
};

static unsigned int probe_errors;

unsigned int
vrtc_device_probe_errors(void)
{
	return probe_errors;
}

struct parse_ctx {
	const char *dev;		  /* device name, for messages */
	struct vrtc_device_params *p;
	int reconnect;			  /* -1: not given */
};

#define ARG_ERR(ctx, key, value, fmt, ...)                                                   \
	VRTC_GLOG(device, ERR, "%s: %s=%s: " fmt, (ctx)->dev, key, value, ##__VA_ARGS__)

static int
parse_bool(const char *key, const char *value, void *opaque, int *out)
{
	struct parse_ctx *ctx = opaque;

	if (value != NULL && (strcmp(value, "0") == 0 || strcmp(value, "1") == 0)) {
		*out = value[0] == '1';
		return 0;
	}
	ARG_ERR(ctx, key, value, "expected 0 or 1");
	return -EINVAL;
}

static int
on_iface(const char *key, const char *value, void *opaque)
{
	struct parse_ctx *ctx = opaque;

	if (value == NULL || value[0] == '\0' || strlen(value) >= 108) {
		ARG_ERR(ctx, key, value ? value : "", "expected a socket path of 1 to 107 characters");
		return -EINVAL;
	}
	ctx->p->iface = value;
	return 0;
}

static int
on_client(const char *key, const char *value, void *opaque)
{
	return parse_bool(key, value, opaque, &((struct parse_ctx *)opaque)->p->client);
}

static int
on_reconnect(const char *key, const char *value, void *opaque)
{
	return parse_bool(key, value, opaque, &((struct parse_ctx *)opaque)->reconnect);
}

static int
on_cross_tsc(const char *key, const char *value, void *opaque)
{
	return parse_bool(key, value, opaque, &((struct parse_ctx *)opaque)->p->cross_host_tsc);
}

static int
on_owner(const char *key, const char *value, void *opaque)
{
	struct parse_ctx *ctx = opaque;
	struct passwd pw, *res = NULL;
	char buf[1024];
	uint64_t v;

	if (vrtc_vdev_parse_u64(value, 0, UINT32_MAX - 1, &v) == 0) {
		ctx->p->socket_uid = (uid_t)v;
		return 0;
	}
	if (value != NULL && getpwnam_r(value, &pw, buf, sizeof(buf), &res) == 0 && res != NULL) {
		ctx->p->socket_uid = pw.pw_uid;
		return 0;
	}
	ARG_ERR(ctx, key, value, "expected a user name or a numeric uid");
	return -EINVAL;
}

static int
on_group(const char *key, const char *value, void *opaque)
{
	struct parse_ctx *ctx = opaque;
	struct group gr, *res = NULL;
	char buf[4096];
	uint64_t v;

	if (vrtc_vdev_parse_u64(value, 0, UINT32_MAX - 1, &v) == 0) {
		ctx->p->socket_gid = (gid_t)v;
		return 0;
	}
	if (value != NULL && getgrnam_r(value, &gr, buf, sizeof(buf), &res) == 0 && res != NULL) {
		ctx->p->socket_gid = gr.gr_gid;
		return 0;
	}
	ARG_ERR(ctx, key, value, "expected a group name or a numeric gid");
	return -EINVAL;
}

static int
on_mode(const char *key, const char *value, void *opaque)
{
	struct parse_ctx *ctx = opaque;
	char *end;
	unsigned long v;

	if (value != NULL && value[0] >= '0' && value[0] <= '7') {
		errno = 0;
		v = strtoul(value, &end, 8);
		if (errno == 0 && *end == '\0' && v <= 0777 && (v & 0600) == 0600) {
			ctx->p->socket_mode = (mode_t)v;
			return 0;
		}
	}
	ARG_ERR(ctx, key, value,
		"expected an octal permission mode 0600..0777 that keeps owner read/write");
	return -EINVAL;
}

static int
on_lcore(const char *key, const char *value, void *opaque)
{
	struct parse_ctx *ctx = opaque;
	uint64_t v;

	if (vrtc_vdev_parse_u64(value, 0, RTE_MAX_LCORE - 1, &v) == 0) {
		if (rte_lcore_is_enabled((unsigned int)v) && v != rte_get_main_lcore()) {
			ctx->p->lcore = (int)v;
			return 0;
		}
		ARG_ERR(ctx, key, value, "lcore %" PRIu64 " is not a worker lcore (EAL -l lists them; "
			"the first is the main lcore)", v);
		return -EINVAL;
	}
	ARG_ERR(ctx, key, value, "expected a worker lcore id");
	return -EINVAL;
}

static int
on_clocks(const char *key, const char *value, void *opaque)
{
	struct parse_ctx *ctx = opaque;
	char list[256], *tok, *save = NULL;
	uint16_t n = 0;

	if (value == NULL || strlen(value) >= sizeof(list))
		goto bad;
	memcpy(list, value, strlen(value) + 1);
	for (tok = strtok_r(list, "+", &save); tok != NULL; tok = strtok_r(NULL, "+", &save)) {
		enum vrtc_host_clock hc;

		if (n == VRTC_MAX_CLOCKS || vrtc_host_clock_parse(tok, &hc) != 0)
			goto bad;
		switch (hc) {
		case VRTC_HOST_CLOCK_UTC:
			ctx->p->clocks[n++] = VRTC_CLOCK_UTC;
			break;
		case VRTC_HOST_CLOCK_TAI:
			ctx->p->clocks[n++] = VRTC_CLOCK_TAI;
			break;
		case VRTC_HOST_CLOCK_MONOTONIC:
			ctx->p->clocks[n++] = VRTC_CLOCK_MONOTONIC;
			break;
		default:
			goto bad;
		}
	}
	if (n == 0)
		goto bad;
	ctx->p->nb_clocks = n;
	return 0;
bad:
	ARG_ERR(ctx, key, value ? value : "",
		"expected clock names joined by '+', each once, from utc, tai, mono (e.g. utc+tai+mono)");
	return -EINVAL;
}

static int
on_tai_offset(const char *key, const char *value, void *opaque)
{
	struct parse_ctx *ctx = opaque;
	uint64_t v;

	if (value != NULL && strcmp(value, "auto") == 0) {
		ctx->p->tai_offset_s = -1;
		return 0;
	}
	if (vrtc_vdev_parse_u64(value, 0, 1000, &v) == 0) {
		ctx->p->tai_offset_s = (int)v;
		return 0;
	}
	ARG_ERR(ctx, key, value, "expected auto or TAI - UTC in seconds (0..1000, 37 since 2017)");
	return -EINVAL;
}

static int
on_source(const char *key, const char *value, void *opaque)
{
	static const struct {
		const char *name;
		enum vrtc_rng_source source;
	} sources[] = {
		{ "drbg", VRTC_RNG_SOURCE_DRBG },
		{ "getrandom", VRTC_RNG_SOURCE_GETRANDOM },
		{ "rdseed", VRTC_RNG_SOURCE_RDSEED },
		{ "rdrand", VRTC_RNG_SOURCE_RDRAND },
	};
	struct parse_ctx *ctx = opaque;
	unsigned int i;

	for (i = 0; value != NULL && i < RTE_DIM(sources); i++) {
		if (strcmp(value, sources[i].name) == 0) {
			ctx->p->source = sources[i].source;
			return 0;
		}
	}
	ARG_ERR(ctx, key, value ? value : "", "expected drbg, getrandom, rdseed or rdrand");
	return -EINVAL;
}

static int
on_rate(const char *key, const char *value, void *opaque)
{
	struct parse_ctx *ctx = opaque;
	char num[32];
	uint64_t v, mult = 1;
	size_t len = value != NULL ? strlen(value) : 0;

	if (len == 0 || len >= sizeof(num))
		goto bad;
	memcpy(num, value, len + 1);
	switch (num[len - 1]) {
	case 'K':
	case 'k':
		mult = 1000;
		break;
	case 'M':
		mult = 1000000;
		break;
	case 'G':
		mult = 1000000000;
		break;
	default:
		break;
	}
	if (mult != 1)
		num[len - 1] = '\0';
	if (vrtc_vdev_parse_u64(num, 0, UINT64_MAX / mult, &v) != 0)
		goto bad;
	ctx->p->rate_bytes_per_s = v * mult;
	return 0;
bad:
	ARG_ERR(ctx, key, value ? value : "",
		"expected bytes per second, optionally with K, M or G (x1000); 0 = unlimited");
	return -EINVAL;
}

static int
on_reseed(const char *key, const char *value, void *opaque)
{
	struct parse_ctx *ctx = opaque;
	uint64_t v;

	if (vrtc_vdev_parse_u64(value, 0, UINT64_C(1) << 48, &v) == 0 && v >= 1) {
		ctx->p->reseed_requests = v;
		return 0;
	}
	ARG_ERR(ctx, key, value, "expected DRBG requests between reseeds, 1..2^48");
	return -EINVAL;
}

static const struct {
	const char *key;
	arg_handler_t fn;
} handlers[] = {
	{ K_IFACE, on_iface },	 { K_CLIENT, on_client },	  { K_RECONNECT, on_reconnect },
	{ K_OWNER, on_owner },	 { K_GROUP, on_group },		  { K_MODE, on_mode },
	{ K_LCORE, on_lcore },	 { K_CLOCKS, on_clocks },	  { K_TAI_OFFSET, on_tai_offset },
	{ K_CROSS_TSC, on_cross_tsc }, { K_SOURCE, on_source },	  { K_RATE, on_rate },
	{ K_RESEED, on_reseed },
};

static int
probe(struct rte_vdev_device *vdev, enum vrtc_device_type type, const char *const keys[])
{
	const char *name = rte_vdev_device_name(vdev);
	const char *args = rte_vdev_device_args(vdev);
	struct vrtc_device_params params;
	struct parse_ctx ctx = { .dev = name, .p = &params, .reconnect = -1 };
	struct rte_kvargs *kv;
	unsigned int i;
	int rc = 0;

	vrtc_device_params_init(&params, type);
	params.name = name;
	kv = rte_kvargs_parse(args != NULL ? args : "", keys);
	if (kv == NULL) {
		VRTC_GLOG(device, ERR, "%s: cannot parse '%s': unknown key or bad syntax; keys: %s", name,
			  args != NULL ? args : "",
			  type == VRTC_DEVICE_RTC ?
				  "iface, client, reconnect, owner, group, mode, lcore, clocks, "
				  "tai_offset, cross_tsc" :
				  "iface, client, reconnect, owner, group, mode, lcore, source, "
				  "rate, reseed");
		rc = -EINVAL;
		goto out;
	}
	for (i = 0; keys[i] != NULL; i++) {
		unsigned int count = rte_kvargs_count(kv, keys[i]);
		unsigned int h;

		if (count > 1) {
			VRTC_GLOG(device, ERR, "%s: key %s given %u times", name, keys[i], count);
			rc = -EINVAL;
			goto out;
		}
		if (count == 0)
			continue;
		for (h = 0; h < RTE_DIM(handlers); h++) {
			if (strcmp(handlers[h].key, keys[i]) == 0)
				break;
		}
		rc = rte_kvargs_process(kv, keys[i], handlers[h].fn, &ctx);
		if (rc != 0)
			goto out;
	}
	if (params.iface == NULL) {
		VRTC_GLOG(device, ERR, "%s: iface=PATH is required (the vhost-user socket)", name);
		rc = -EINVAL;
		goto out;
	}
	if (ctx.reconnect >= 0) {
		if (!params.client) {
			VRTC_GLOG(device, ERR, "%s: reconnect= only applies with client=1", name);
			rc = -EINVAL;
			goto out;
		}
		params.no_reconnect = !ctx.reconnect;
	}
	rc = vrtc_device_create(&params, NULL);
out:
	rte_kvargs_free(kv);
	if (rc != 0) {
		probe_errors++;
		VRTC_GLOG(device, ERR, "%s: not created (%s)", name, strerror(-rc));
	}
	return rc;
}

static int
rtc_probe(struct rte_vdev_device *vdev)
{
	return probe(vdev, VRTC_DEVICE_RTC, rtc_keys);
}

static int
rng_probe(struct rte_vdev_device *vdev)
{
	return probe(vdev, VRTC_DEVICE_RNG, rng_keys);
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
	"lcore=<worker lcore> "

VRTC_VDEV_REGISTER(rtc_vhost, rtc_vhost_drv,
	COMMON_PARAMS
	"clocks=<utc+tai+mono> "
	"tai_offset=<auto|seconds> "
	"cross_tsc=<0|1>");

VRTC_VDEV_REGISTER(rng_vhost, rng_vhost_drv,
	COMMON_PARAMS
	"source=<drbg|getrandom|rdseed|rdrand> "
	"rate=<bytes/s[K|M|G]> "
	"reseed=<requests>");
