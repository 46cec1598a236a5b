/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Device argument strings: 'rtc_vhost0,iface=PATH,clocks=utc+tai' and
 * 'rng_vhost0,iface=PATH,source=drbg', parsed with rte_kvargs into struct
 * vrtc_device_params, then vrtc_device_create(). One parser for every
 * spelling: the daemon's --device option, an application's call to
 * vrtc_device_create_from_args(), and the rtc_vhost / rng_vhost vdev drivers
 * (when they are built), which only wrap it.
 *
 * Public DPDK API only (no driver SDK header): this file builds in every
 * configuration. Every key is documented in doc/devices.md. A bad argument
 * fails with one line naming the device, the key and what it accepts, and
 * leaves nothing behind.
 */

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_kvargs.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "clock.h"
#include "device_args.h"
#include "vrtc_args.h"
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
#define K_UNSEALED "unsealed"

#define RTC_PREFIX "rtc_vhost"
#define RNG_PREFIX "rng_vhost"

static const char *const rtc_keys[] = {
	K_IFACE, K_CLIENT, K_RECONNECT, K_OWNER, K_GROUP, K_MODE, K_LCORE,
	K_UNSEALED, K_CLOCKS, K_TAI_OFFSET, K_CROSS_TSC, NULL,
};

static const char *const rng_keys[] = {
	K_IFACE, K_CLIENT, K_RECONNECT, K_OWNER, K_GROUP, K_MODE, K_LCORE,
	K_UNSEALED, K_SOURCE, K_RATE, K_RESEED, NULL,
};

static unsigned int probe_errors;

unsigned int
vrtc_device_probe_errors(void)
{
	return probe_errors;
}

void
vrtc_device_args_probe_failed(void)
{
	probe_errors++;
}

struct parse_ctx {
	const char *dev; /* device name, for messages */
	struct vrtc_device_params *p;
	int reconnect;	 /* -1: not given */
	int rc;		 /* the failing handler's -errno (rte_kvargs_process says -1) */
};

typedef int (*key_handler_t)(struct parse_ctx *ctx, const char *key, const char *value);

#define ARG_ERR(ctx, key, value, fmt, ...)                                                   \
	VRTC_GLOG(device, ERR, "%s: %s=%s: " fmt, (ctx)->dev, key, (value) ? (value) : "",     \
		  ##__VA_ARGS__)

static int
parse_bool(struct parse_ctx *ctx, const char *key, const char *value, int *out)
{
	if (value != NULL && (strcmp(value, "0") == 0 || strcmp(value, "1") == 0)) {
		*out = value[0] == '1';
		return 0;
	}
	ARG_ERR(ctx, key, value, "expected 0 or 1");
	return -EINVAL;
}

static int
on_iface(struct parse_ctx *ctx, const char *key, const char *value)
{
	if (value == NULL || value[0] == '\0' || strlen(value) >= 108) {
		ARG_ERR(ctx, key, value, "expected a socket path of 1 to 107 characters");
		return -EINVAL;
	}
	ctx->p->iface = value;
	return 0;
}

static int
on_client(struct parse_ctx *ctx, const char *key, const char *value)
{
	return parse_bool(ctx, key, value, &ctx->p->client);
}

static int
on_reconnect(struct parse_ctx *ctx, const char *key, const char *value)
{
	return parse_bool(ctx, key, value, &ctx->reconnect);
}

static int
on_cross_tsc(struct parse_ctx *ctx, const char *key, const char *value)
{
	return parse_bool(ctx, key, value, &ctx->p->cross_host_tsc);
}

static int
on_unsealed(struct parse_ctx *ctx, const char *key, const char *value)
{
	return parse_bool(ctx, key, value, &ctx->p->allow_unsealed_memory);
}

static int
on_owner(struct parse_ctx *ctx, const char *key, const char *value)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	uint64_t v;

	if (vrtc_parse_u64(value, 0, UINT32_MAX - 1, &v) == 0) {
		ctx->p->socket_uid = (uid_t)v;
		return 0;
	}
	if (value != NULL && value[0] != '\0' &&
	    getpwnam_r(value, &pw, buf, sizeof(buf), &res) == 0 && res != NULL) {
		ctx->p->socket_uid = pw.pw_uid;
		return 0;
	}
	ARG_ERR(ctx, key, value, "expected a user name or a numeric uid");
	return -EINVAL;
}

static int
on_group(struct parse_ctx *ctx, const char *key, const char *value)
{
	struct group gr, *res = NULL;
	char buf[4096];
	uint64_t v;

	if (vrtc_parse_u64(value, 0, UINT32_MAX - 1, &v) == 0) {
		ctx->p->socket_gid = (gid_t)v;
		return 0;
	}
	if (value != NULL && value[0] != '\0' &&
	    getgrnam_r(value, &gr, buf, sizeof(buf), &res) == 0 && res != NULL) {
		ctx->p->socket_gid = gr.gr_gid;
		return 0;
	}
	ARG_ERR(ctx, key, value, "expected a group name or a numeric gid");
	return -EINVAL;
}

static int
on_mode(struct parse_ctx *ctx, const char *key, const char *value)
{
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
on_lcore(struct parse_ctx *ctx, const char *key, const char *value)
{
	uint64_t v;

	if (vrtc_parse_u64(value, 0, RTE_MAX_LCORE - 1, &v) == 0) {
		if (rte_lcore_is_enabled((unsigned int)v) && v != rte_get_main_lcore()) {
			ctx->p->lcore = (int)v;
			return 0;
		}
		ARG_ERR(ctx, key, value,
			"lcore %" PRIu64 " is not a worker lcore (EAL -l lists them; "
			"the first is the main lcore)",
			v);
		return -EINVAL;
	}
	ARG_ERR(ctx, key, value, "expected a worker lcore id");
	return -EINVAL;
}

/* 'utc+tai+mono': every item non-empty, known and given once. */
static int
parse_clocks(const char *value, enum vrtc_clock_kind *clocks, uint16_t *nb)
{
	const char *tok = value, *end;
	uint16_t n = 0, i;

	if (value == NULL || value[0] == '\0')
		return -EINVAL;
	for (;;) {
		enum vrtc_host_clock hc;
		enum vrtc_clock_kind kind;
		char name[16];
		size_t len;

		end = strchr(tok, '+');
		len = end != NULL ? (size_t)(end - tok) : strlen(tok);
		/* Empty items: a leading, trailing or doubled '+'. */
		if (len == 0 || len >= sizeof(name) || n == VRTC_MAX_CLOCKS)
			return -EINVAL;
		memcpy(name, tok, len);
		name[len] = '\0';
		if (vrtc_host_clock_parse(name, &hc) != 0)
			return -EINVAL;
		switch (hc) {
		case VRTC_HOST_CLOCK_UTC:
			kind = VRTC_CLOCK_UTC;
			break;
		case VRTC_HOST_CLOCK_TAI:
			kind = VRTC_CLOCK_TAI;
			break;
		case VRTC_HOST_CLOCK_MONOTONIC:
			kind = VRTC_CLOCK_MONOTONIC;
			break;
		default:
			return -EINVAL;
		}
		for (i = 0; i < n; i++) {
			if (clocks[i] == kind)
				return -EINVAL;
		}
		clocks[n++] = kind;
		if (end == NULL)
			break;
		tok = end + 1;
	}
	*nb = n;
	return 0;
}

static int
on_clocks(struct parse_ctx *ctx, const char *key, const char *value)
{
	if (parse_clocks(value, ctx->p->clocks, &ctx->p->nb_clocks) == 0)
		return 0;
	ARG_ERR(ctx, key, value,
		"expected clock names joined by '+', each once, from utc, tai, mono "
		"(e.g. utc+tai+mono)");
	return -EINVAL;
}

static int
on_tai_offset(struct parse_ctx *ctx, const char *key, const char *value)
{
	uint64_t v;

	if (value != NULL && strcmp(value, "auto") == 0) {
		ctx->p->tai_offset_s = -1;
		return 0;
	}
	if (vrtc_parse_u64(value, 0, 1000, &v) == 0) {
		ctx->p->tai_offset_s = (int)v;
		return 0;
	}
	ARG_ERR(ctx, key, value, "expected auto or TAI - UTC in seconds (0..1000, 37 since 2017)");
	return -EINVAL;
}

static int
on_source(struct parse_ctx *ctx, const char *key, const char *value)
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
	unsigned int i;

	for (i = 0; value != NULL && i < RTE_DIM(sources); i++) {
		if (strcmp(value, sources[i].name) == 0) {
			ctx->p->source = sources[i].source;
			return 0;
		}
	}
	ARG_ERR(ctx, key, value, "expected drbg, getrandom, rdseed or rdrand");
	return -EINVAL;
}

static int
on_rate(struct parse_ctx *ctx, const char *key, const char *value)
{
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
	if (vrtc_parse_u64(num, 0, UINT64_MAX / mult, &v) != 0)
		goto bad;
	ctx->p->rate_bytes_per_s = v * mult;
	return 0;
bad:
	ARG_ERR(ctx, key, value,
		"expected bytes per second, optionally with K, M or G (x1000); 0 = unlimited");
	return -EINVAL;
}

static int
on_reseed(struct parse_ctx *ctx, const char *key, const char *value)
{
	uint64_t v;

	if (vrtc_parse_u64(value, 0, UINT64_C(1) << 48, &v) == 0 && v >= 1) {
		ctx->p->reseed_requests = v;
		return 0;
	}
	ARG_ERR(ctx, key, value, "expected DRBG requests between reseeds, 1..2^48");
	return -EINVAL;
}

static const struct {
	const char *key;
	key_handler_t fn;
} handlers[] = {
	{ K_IFACE, on_iface },		{ K_CLIENT, on_client }, { K_RECONNECT, on_reconnect },
	{ K_OWNER, on_owner },		{ K_GROUP, on_group },	 { K_MODE, on_mode },
	{ K_LCORE, on_lcore },		{ K_CLOCKS, on_clocks }, { K_TAI_OFFSET, on_tai_offset },
	{ K_CROSS_TSC, on_cross_tsc }, { K_SOURCE, on_source }, { K_RATE, on_rate },
	{ K_RESEED, on_reseed },	{ K_UNSEALED, on_unsealed },
};

struct dispatch {
	struct parse_ctx *ctx;
	key_handler_t fn;
};

/* rte_kvargs_process() turns any handler failure into -1: keep the real
 * reason in the context. */
static int
dispatch_one(const char *key, const char *value, void *opaque)
{
	struct dispatch *d = opaque;
	int rc = d->fn(d->ctx, key, value);

	if (rc != 0)
		d->ctx->rc = rc;
	return rc;
}

int
vrtc_device_type_from_name(const char *name, enum vrtc_device_type *type)
{
	if (name == NULL)
		return -EINVAL;
	if (strncmp(name, RTC_PREFIX, strlen(RTC_PREFIX)) == 0) {
		*type = VRTC_DEVICE_RTC;
		return 0;
	}
	if (strncmp(name, RNG_PREFIX, strlen(RNG_PREFIX)) == 0) {
		*type = VRTC_DEVICE_RNG;
		return 0;
	}
	return -EINVAL;
}

static void
dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, size, ".");
	else if (slash == path)
		snprintf(dir, size, "/");
	else
		snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

int
vrtc_device_iface_check(const struct vrtc_device_params *p)
{
	char dir[PATH_MAX];
	struct stat st;
	int rc;

	if (p == NULL || p->iface == NULL || p->iface[0] == '\0')
		return -EINVAL;
	if (p->client)
		return 0; /* the front-end owns the socket; it may appear later */
	dir_of(p->iface, dir, sizeof(dir));
	if (stat(dir, &st) != 0)
		rc = -errno;
	else if (!S_ISDIR(st.st_mode))
		rc = -ENOTDIR;
	else if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0)
		rc = -errno;
	else
		return 0;
	VRTC_GLOG(device, ERR, "%s: socket directory %s: %s (it must exist and be writable "
		  "and searchable by this process)", p->name != NULL ? p->name : "?", dir,
		  strerror(-rc));
	return rc;
}

int
vrtc_device_args_create(enum vrtc_device_type type, const char *name, const char *args,
			struct vrtc_device **out)
{
	const char *const *keys = type == VRTC_DEVICE_RTC ? rtc_keys : rng_keys;
	struct vrtc_device_params params;
	struct parse_ctx ctx = { .dev = name, .p = &params, .reconnect = -1 };
	struct rte_kvargs *kv = NULL;
	unsigned int i;
	int rc = 0;

	if (type != VRTC_DEVICE_RTC && type != VRTC_DEVICE_RNG)
		return -EINVAL;
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
		struct dispatch d = { .ctx = &ctx, .fn = NULL };
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
				d.fn = handlers[h].fn;
		}
		if (d.fn == NULL) {
			rc = -EINVAL; /* a key without a handler: a bug here */
			goto out;
		}
		ctx.rc = 0;
		if (rte_kvargs_process(kv, keys[i], dispatch_one, &d) != 0) {
			/* Newer DPDK refuses a key without '=value' before
			 * calling the handler. */
			if (ctx.rc == 0)
				VRTC_GLOG(device, ERR, "%s: %s: expected %s=VALUE", name, keys[i],
					  keys[i]);
			rc = ctx.rc != 0 ? ctx.rc : -EINVAL;
			goto out;
		}
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
	rc = vrtc_device_create(&params, out); /* checks the socket directory too */
out:
	rte_kvargs_free(kv);
	if (rc != 0)
		VRTC_GLOG(device, ERR, "%s: not created (%s)", name, strerror(-rc));
	return rc;
}

int
vrtc_device_create_from_args(const char *spec, struct vrtc_device **out)
{
	enum vrtc_device_type type;
	char name[64];
	const char *comma;
	size_t len;

	if (spec == NULL)
		return -EINVAL;
	comma = strchr(spec, ',');
	len = comma != NULL ? (size_t)(comma - spec) : strlen(spec);
	if (len == 0 || len >= sizeof(name)) {
		VRTC_GLOG(device, ERR, "'%s': expected NAME[,key=value...] with a name of 1 to %zu "
			  "characters", spec, sizeof(name) - 1);
		return -EINVAL;
	}
	memcpy(name, spec, len);
	name[len] = '\0';
	if (vrtc_device_type_from_name(name, &type) != 0) {
		VRTC_GLOG(device, ERR, "%s: unknown device type: the name must start with "
			  RTC_PREFIX " (virtio-rtc) or " RNG_PREFIX " (virtio-rng)", name);
		return -EINVAL;
	}
	return vrtc_device_args_create(type, name, comma != NULL ? comma + 1 : "", out);
}
