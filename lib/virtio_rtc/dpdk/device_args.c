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
#include "device.h"
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
#define K_UNSEALED "unsealed"
#define K_PACKED "packed"

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

#define ARG_ERR VRTC_ARG_ERR

int
vrtc_arg_bool(struct vrtc_arg_ctx *ctx, const char *key, const char *value, int *out)
{
	if (value != NULL && (strcmp(value, "0") == 0 || strcmp(value, "1") == 0)) {
		*out = value[0] == '1';
		return 0;
	}
	ARG_ERR(ctx, key, value, "expected 0 or 1");
	return -EINVAL;
}

static int
on_iface(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
{
	if (value == NULL || value[0] == '\0' || strlen(value) >= 108) {
		ARG_ERR(ctx, key, value, "expected a socket path of 1 to 107 characters");
		return -EINVAL;
	}
	ctx->p->iface = value;
	return 0;
}

static int
on_client(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
{
	return vrtc_arg_bool(ctx, key, value, &ctx->p->client);
}

static int
on_reconnect(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
{
	return vrtc_arg_bool(ctx, key, value, &ctx->reconnect);
}

static int
on_unsealed(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
{
	return vrtc_arg_bool(ctx, key, value, &ctx->p->allow_unsealed_memory);
}

static int
on_packed(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
{
	int v, rc = vrtc_arg_bool(ctx, key, value, &v);

	if (rc == 0)
		ctx->p->packed_ring = (uint64_t)v;
	return rc;
}

static int
on_owner(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
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
on_group(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
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
on_mode(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
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
on_lcore(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
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

/* Keys every device type has; each type adds its own (ops->arg_keys). */
static const struct vrtc_arg_key common_keys[] = {
	{ K_IFACE, on_iface },	 { K_CLIENT, on_client }, { K_RECONNECT, on_reconnect },
	{ K_OWNER, on_owner },	 { K_GROUP, on_group },	  { K_MODE, on_mode },
	{ K_LCORE, on_lcore },	 { K_UNSEALED, on_unsealed }, { K_PACKED, on_packed },
};

struct dispatch {
	struct vrtc_arg_ctx *ctx;
	vrtc_arg_handler_t fn;
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

/* The handler of @p key: a common key or one of the type's. */
static vrtc_arg_handler_t
handler_of(const struct vrtc_device_ops *ops, const char *key)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(common_keys); i++) {
		if (strcmp(common_keys[i].key, key) == 0)
			return common_keys[i].fn;
	}
	for (i = 0; i < ops->nb_arg_keys; i++) {
		if (strcmp(ops->arg_keys[i].key, key) == 0)
			return ops->arg_keys[i].fn;
	}
	return NULL;
}

#define MAX_KEYS 32

int
vrtc_device_args_create(enum vrtc_device_type type, const char *name, const char *args,
			struct vrtc_device **out)
{
	const struct vrtc_device_ops *ops = vrtc_device_ops_of_type(type);
	const char *keys[MAX_KEYS + 1];
	char key_list[512] = "";
	struct vrtc_device_params params;
	struct vrtc_arg_ctx ctx = { .dev = name, .p = &params, .reconnect = -1 };
	struct rte_kvargs *kv = NULL;
	unsigned int i, nb_keys = 0;
	int rc = 0;

	if (ops == NULL || RTE_DIM(common_keys) + ops->nb_arg_keys > MAX_KEYS)
		return -EINVAL;
	for (i = 0; i < RTE_DIM(common_keys); i++)
		keys[nb_keys++] = common_keys[i].key;
	for (i = 0; i < ops->nb_arg_keys; i++)
		keys[nb_keys++] = ops->arg_keys[i].key;
	keys[nb_keys] = NULL;
	for (i = 0; i < nb_keys; i++)
		snprintf(key_list + strlen(key_list), sizeof(key_list) - strlen(key_list), "%s%s",
			 i != 0 ? ", " : "", keys[i]);
	vrtc_device_params_init(&params, type);
	params.name = name;
	kv = rte_kvargs_parse(args != NULL ? args : "", keys);
	if (kv == NULL) {
		VRTC_GLOG(device, ERR, "%s: cannot parse '%s': unknown key or bad syntax; keys: %s", name,
			  args != NULL ? args : "", key_list);
		rc = -EINVAL;
		goto out;
	}
	for (i = 0; keys[i] != NULL; i++) {
		unsigned int count = rte_kvargs_count(kv, keys[i]);
		struct dispatch d = { .ctx = &ctx, .fn = handler_of(ops, keys[i]) };

		if (count > 1) {
			VRTC_GLOG(device, ERR, "%s: key %s given %u times", name, keys[i], count);
			rc = -EINVAL;
			goto out;
		}
		if (count == 0)
			continue;
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
	const struct vrtc_device_ops *ops;
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
	ops = vrtc_device_ops_of_name(name);
	if (ops == NULL) {
		VRTC_GLOG(device, ERR, "%s: unknown device type: the name must start with %s", name,
			  vrtc_device_prefixes());
		return -EINVAL;
	}
	return vrtc_device_args_create(ops->type, name, comma != NULL ? comma + 1 : "", out);
}
