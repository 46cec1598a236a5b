/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The vdev drivers rtc_virtio_user and rng_virtio_user: a thin layer that
 * turns `--vdev rtc_virtio_user0,path=SOCK,...` into vrtc_fe_create() and
 * device removal into vrtc_fe_destroy(). Applications then find the
 * front-end with vrtc_fe_lookup("rtc_virtio_user0").
 *
 * Bad arguments fail the probe with one log line that names the key and
 * what it accepts; nothing is created then.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include <rte_eal.h>
#include <rte_kvargs.h>

#include <bus_vdev_driver.h>

#include "fe_log.h"
#include "vrtc_args.h"
#include "vdev_register.h"
#include "vrtc_frontend.h"

#define KEY_PATH "path"
#define KEY_QUEUE_SIZE "queue_size"
#define KEY_QUEUES "queues"
#define KEY_INDIRECT "indirect"
#define KEY_EVENT_IDX "event_idx"
#define KEY_CONNECT_TIMEOUT "connect_timeout_ms"
#define KEY_ALARM "alarm"
#define KEY_PACKED "packed"

/* Longest socket path: what fits in sun_path with its terminating NUL. */
#define MAX_PATH_LEN (sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1)

/* Longest connect_timeout_ms accepted: one hour. */
#define MAX_CONNECT_TIMEOUT_MS 3600000u

static const char *const rtc_valid_arguments[] = {
	KEY_PATH,      KEY_QUEUE_SIZE,	    KEY_QUEUES, KEY_INDIRECT,
	KEY_EVENT_IDX, KEY_CONNECT_TIMEOUT, KEY_ALARM,	KEY_PACKED, NULL,
};

static const char *const rng_valid_arguments[] = {
	KEY_PATH,	     KEY_QUEUE_SIZE, KEY_INDIRECT, KEY_EVENT_IDX,
	KEY_CONNECT_TIMEOUT, KEY_PACKED,     NULL,
};

#define RTC_PARAMS                                                                                 \
	KEY_PATH "=<socket path> " KEY_QUEUE_SIZE "=<power of 2, 1..32768> " KEY_QUEUES            \
		 "=<1|2> " KEY_INDIRECT "=<0|1> " KEY_EVENT_IDX "=<0|1> " KEY_CONNECT_TIMEOUT      \
		 "=<ms> " KEY_ALARM "=<0|1> " KEY_PACKED "=<0|1>"
#define RNG_PARAMS                                                                                 \
	KEY_PATH "=<socket path> " KEY_QUEUE_SIZE "=<power of 2, 1..32768> " KEY_INDIRECT          \
		 "=<0|1> " KEY_EVENT_IDX "=<0|1> " KEY_CONNECT_TIMEOUT "=<ms> " KEY_PACKED "=<0|1>"

/* A decimal number without sign, spaces or trailing characters, in [min, max]. */
/* Apply one key=value to @p p. Logs and returns -EINVAL on a bad value. */
static int
apply(const char *dev, const char *key, const char *value, struct vrtc_fe_params *p)
{
	uint64_t v;

	if (value == NULL) {
		FE_LOG(ERR, dev, "key %s needs a value (%s=...)", key, key);
		return -EINVAL;
	}
	if (strcmp(key, KEY_PATH) == 0) {
		if (value[0] == '\0' || strlen(value) > MAX_PATH_LEN) {
			FE_LOG(ERR, dev, "%s=%s: expected a UNIX socket path of 1 to %zu bytes",
			       key, value, MAX_PATH_LEN);
			return -EINVAL;
		}
		p->path = value;
	} else if (strcmp(key, KEY_QUEUE_SIZE) == 0) {
		if (vrtc_parse_u64(value, 1, 32768, &v) != 0 || (v & (v - 1)) != 0) {
			FE_LOG(ERR, dev, "%s=%s: expected a power of two from 1 to 32768", key,
			       value);
			return -EINVAL;
		}
		p->queue_size = (uint16_t)v;
	} else if (strcmp(key, KEY_QUEUES) == 0) {
		if (vrtc_parse_u64(value, 1, 2, &v) != 0) {
			FE_LOG(ERR, dev, "%s=%s: expected 1 (requestq) or 2 (requestq and alarmq)",
			       key, value);
			return -EINVAL;
		}
		p->nb_queues = (uint16_t)v;
	} else if (strcmp(key, KEY_INDIRECT) == 0) {
		if (vrtc_parse_u64(value, 0, 1, &v) != 0) {
			FE_LOG(ERR, dev, "%s=%s: expected 0 or 1", key, value);
			return -EINVAL;
		}
		p->indirect = (int)v;
	} else if (strcmp(key, KEY_EVENT_IDX) == 0) {
		if (vrtc_parse_u64(value, 0, 1, &v) != 0) {
			FE_LOG(ERR, dev, "%s=%s: expected 0 or 1", key, value);
			return -EINVAL;
		}
		p->no_event_idx = v == 0;
	} else if (strcmp(key, KEY_CONNECT_TIMEOUT) == 0) {
		if (vrtc_parse_u64(value, 1, MAX_CONNECT_TIMEOUT_MS, &v) != 0) {
			FE_LOG(ERR, dev, "%s=%s: expected milliseconds from 1 to %u", key, value,
			       MAX_CONNECT_TIMEOUT_MS);
			return -EINVAL;
		}
		p->connect_timeout_ms = (uint32_t)v;
	} else if (strcmp(key, KEY_ALARM) == 0) {
		if (vrtc_parse_u64(value, 0, 1, &v) != 0) {
			FE_LOG(ERR, dev, "%s=%s: expected 0 or 1 (VIRTIO_RTC_F_ALARM, needs %s=2)",
			       key, value, KEY_QUEUES);
			return -EINVAL;
		}
		p->alarm = (int)v;
	} else if (strcmp(key, KEY_PACKED) == 0) {
		if (vrtc_parse_u64(value, 0, 1, &v) != 0) {
			FE_LOG(ERR, dev, "%s=%s: expected 0 (split rings) or 1 (packed rings)", key,
			       value);
			return -EINVAL;
		}
		p->packed = (uint8_t)v;
	}
	return 0;
}

static int
key_allowed(const char *key, const char *const *valid)
{
	for (; *valid != NULL; valid++)
		if (strcmp(key, *valid) == 0)
			return 1;
	return 0;
}

static int
probe(struct rte_vdev_device *vdev, enum vrtc_device_type type, const char *const *valid,
      const char *usage)
{
	const char *name = rte_vdev_device_name(vdev);
	const char *args = rte_vdev_device_args(vdev);
	struct rte_kvargs *kv;
	struct vrtc_fe_params p;
	unsigned int i;
	int ret = 0;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		FE_LOG(ERR, name, "front-ends run in the primary process only");
		return -ENOTSUP;
	}
	/* Parse without a key filter so that an unknown key can be named. */
	kv = rte_kvargs_parse(args != NULL ? args : "", NULL);
	if (kv == NULL) {
		FE_LOG(ERR, name, "cannot parse arguments \"%s\" (expected %s)", args, usage);
		return -EINVAL;
	}
	vrtc_fe_params_init(&p, type);
	p.name = name;
	for (i = 0; i < kv->count && ret == 0; i++) {
		const struct rte_kvargs_pair *pair = &kv->pairs[i];

		if (!key_allowed(pair->key, valid)) {
			FE_LOG(ERR, name, "unknown key \"%s\" (allowed: %s)", pair->key, usage);
			ret = -EINVAL;
		} else if (rte_kvargs_count(kv, pair->key) > 1) {
			FE_LOG(ERR, name, "key %s given more than once", pair->key);
			ret = -EINVAL;
		} else {
			ret = apply(name, pair->key, pair->value, &p);
		}
	}
	if (ret == 0 && p.path == NULL) {
		FE_LOG(ERR, name, "missing key %s=<socket path> (the back-end's vhost-user socket)",
		       KEY_PATH);
		ret = -EINVAL;
	}
	if (ret == 0) {
		/* p.path points into kv: vrtc_fe_create() copies it. */
		ret = vrtc_fe_create(&p, NULL);
		if (ret != 0)
			FE_LOG(ERR, name, "probe failed: %s", strerror(-ret));
	}
	rte_kvargs_free(kv);
	return ret;
}

static int
rtc_probe(struct rte_vdev_device *vdev)
{
	return probe(vdev, VRTC_DEVICE_RTC, rtc_valid_arguments, RTC_PARAMS);
}

static int
rng_probe(struct rte_vdev_device *vdev)
{
	return probe(vdev, VRTC_DEVICE_RNG, rng_valid_arguments, RNG_PARAMS);
}

static int
fe_remove(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct vrtc_fe *fe = vrtc_fe_lookup(name);

	/* Already destroyed through the API: nothing left to do. */
	if (fe == NULL)
		return 0;
	return vrtc_fe_destroy(fe);
}

static struct rte_vdev_driver rtc_virtio_user_drv = {
	.probe = rtc_probe,
	.remove = fe_remove,
};

static struct rte_vdev_driver rng_virtio_user_drv = {
	.probe = rng_probe,
	.remove = fe_remove,
};

VRTC_VDEV_REGISTER(rtc_virtio_user, rtc_virtio_user_drv, RTC_PARAMS);
VRTC_VDEV_REGISTER(rng_virtio_user, rng_virtio_user_drv, RNG_PARAMS);
