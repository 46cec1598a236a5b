/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Devices: parameters, creation and destruction, lookup, statistics. A
 * device binds a vhost-user socket (transport_vhost.c) to a device model
 * (rtc_model.c or rng_model.c) and to the worker that serves its queues
 * (poller.c).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "vrtc_internal.h"

#define F(bit) (UINT64_C(1) << (bit))

/* Transport features every device offers; device bits are added to these. */
#define TRANSPORT_FEATURES                                                                   \
	(F(VRTC_VIRTIO_F_VERSION_1) | F(VRTC_VIRTIO_RING_F_INDIRECT_DESC) |                    \
	 F(VRTC_VIRTIO_RING_F_EVENT_IDX) | F(VRTC_VHOST_USER_F_PROTOCOL_FEATURES))

void
vrtc_device_params_init(struct vrtc_device_params *p, enum vrtc_device_type type)
{
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->socket_mode = 0600;
	p->socket_uid = (uid_t)-1;
	p->socket_gid = (gid_t)-1;
	p->lcore = -1;
	p->tai_offset_s = -1;
	p->source = VRTC_RNG_SOURCE_DRBG;
}

const char *
vrtc_device_name(const struct vrtc_device *dev)
{
	return dev->name;
}

enum vrtc_device_type
vrtc_device_type_of(const struct vrtc_device *dev)
{
	return dev->type;
}

const char *
vrtc_device_iface(const struct vrtc_device *dev)
{
	return dev->iface;
}

struct vrtc_device *
vrtc_device_lookup(const char *name)
{
	struct vrtc_device *dev, *found = NULL;

	pthread_mutex_lock(&vrtc_ctl_lock);
	TAILQ_FOREACH(dev, &vrtc_devices, next) {
		if (strcmp(dev->name, name) == 0) {
			found = dev;
			break;
		}
	}
	pthread_mutex_unlock(&vrtc_ctl_lock);
	return found;
}

unsigned int
vrtc_device_count(void)
{
	struct vrtc_device *dev;
	unsigned int n = 0;

	pthread_mutex_lock(&vrtc_ctl_lock);
	TAILQ_FOREACH(dev, &vrtc_devices, next)
		n++;
	pthread_mutex_unlock(&vrtc_ctl_lock);
	return n;
}

struct vrtc_device *
vrtc_device_at(unsigned int i)
{
	struct vrtc_device *dev;

	pthread_mutex_lock(&vrtc_ctl_lock);
	TAILQ_FOREACH(dev, &vrtc_devices, next) {
		if (i-- == 0)
			break;
	}
	pthread_mutex_unlock(&vrtc_ctl_lock);
	return dev;
}

static const enum vrtc_host_clock host_clock_of[] = {
	[VRTC_CLOCK_UTC] = VRTC_HOST_CLOCK_UTC,
	[VRTC_CLOCK_TAI] = VRTC_HOST_CLOCK_TAI,
	[VRTC_CLOCK_MONOTONIC] = VRTC_HOST_CLOCK_MONOTONIC,
};

static const enum vrtc_entropy_kind entropy_of[] = {
	[VRTC_RNG_SOURCE_DRBG] = VRTC_ENTROPY_DRBG,
	[VRTC_RNG_SOURCE_GETRANDOM] = VRTC_ENTROPY_GETRANDOM,
	[VRTC_RNG_SOURCE_RDSEED] = VRTC_ENTROPY_RDSEED,
	[VRTC_RNG_SOURCE_RDRAND] = VRTC_ENTROPY_RDRAND,
};

/* Set up the virtio-rtc model: the clocks, in the order given. */
static int
rtc_setup(struct vrtc_device *dev, const struct vrtc_device_params *p)
{
	static const enum vrtc_clock_kind default_clocks[] = {
		VRTC_CLOCK_UTC, VRTC_CLOCK_TAI, VRTC_CLOCK_MONOTONIC,
	};
	struct vrtc_clock clocks[VRTC_MAX_CLOCKS];
	const enum vrtc_clock_kind *kinds = p->clocks;
	uint16_t nb = p->nb_clocks, i, j;
	int rc, need_tai = 0;

	if (nb == 0) {
		kinds = default_clocks;
		nb = RTE_DIM(default_clocks);
	}
	if (nb > VRTC_MAX_CLOCKS) {
		VRTC_DLOG(device, ERR, dev, "clocks: %u given, at most %u", nb, VRTC_MAX_CLOCKS);
		return -EINVAL;
	}
	for (i = 0; i < nb; i++) {
		if ((unsigned int)kinds[i] >= RTE_DIM(host_clock_of)) {
			VRTC_DLOG(device, ERR, dev, "clocks: unknown clock kind %d", kinds[i]);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (kinds[j] == kinds[i]) {
				VRTC_DLOG(device, ERR, dev, "clocks: %s listed twice",
					  vrtc_host_clock_name(host_clock_of[kinds[i]]));
				return -EINVAL;
			}
		}
		need_tai |= kinds[i] == VRTC_CLOCK_TAI;
	}
	if (p->tai_offset_s < -1 || p->tai_offset_s > 1000) {
		VRTC_DLOG(device, ERR, dev, "tai_offset: %d s is not a TAI - UTC offset (0..1000)",
			  p->tai_offset_s);
		return -EINVAL;
	}
	dev->rtc.clock_cfg.tai_offset_s = p->tai_offset_s;
	dev->rtc.clock_cfg.leap_seconds_file = NULL;
	dev->rtc.clock_cfg.cross_host_tsc = p->cross_host_tsc != 0;
	if (need_tai) {
		int offset;

		rc = vrtc_tai_offset_resolve(&dev->rtc.clock_cfg, &offset);
		if (rc != 0) {
			VRTC_DLOG(device, ERR, dev,
				  "TAI clock: no TAI - UTC offset (kernel offset unset, no usable "
				  "leap-second table); give tai_offset=SECONDS");
			return rc;
		}
	}
	for (i = 0; i < nb; i++) {
		rc = vrtc_host_clock_init(&clocks[i], host_clock_of[kinds[i]], &dev->rtc.clock_cfg);
		if (rc != 0) {
			VRTC_DLOG(device, ERR, dev, "clock %u (%s): %s", i,
				  vrtc_host_clock_name(host_clock_of[kinds[i]]), strerror(-rc));
			return rc;
		}
	}
	rc = vrtc_rtc_model_init(&dev->rtc.model, clocks, nb);
	if (rc != 0)
		return rc;
	dev->offered_features |= vrtc_rtc_model_offered_features(&dev->rtc.model);
	dev->nb_queues = 2;
	dev->queues[VRTC_RTC_REQUESTQ].served = 1;
	/* The alarmq exists (the front-end may set it up) but stays idle
	 * until alarms are supported. */
	dev->queues[VRTC_RTC_ALARMQ].served = 0;
	return 0;
}

static int
rng_setup(struct vrtc_device *dev, const struct vrtc_device_params *p)
{
	struct vrtc_entropy_params ep = { .reseed_requests = p->reseed_requests };
	enum vrtc_entropy_kind kind;
	int rc;

	if ((unsigned int)p->source >= RTE_DIM(entropy_of)) {
		VRTC_DLOG(device, ERR, dev, "source: unknown source %d", p->source);
		return -EINVAL;
	}
	kind = entropy_of[p->source];
	if (!vrtc_entropy_available(kind)) {
		VRTC_DLOG(device, ERR, dev, "source: %s is not available on this machine",
			  vrtc_entropy_kind_name(kind));
		return -ENOTSUP;
	}
	rc = vrtc_entropy_create(kind, &ep, &dev->rng.source);
	if (rc != 0) {
		VRTC_DLOG(device, ERR, dev, "source: cannot create %s: %s",
			  vrtc_entropy_kind_name(kind), strerror(-rc));
		return rc;
	}
	dev->rng.limit.rate_bytes_per_s = p->rate_bytes_per_s;
	dev->rng.limit.tsc_hz = rte_get_tsc_hz();
	dev->rng.limit.capacity = RTE_MAX(p->rate_bytes_per_s / 10, (uint64_t)1);
	dev->rng.limit.tokens = (int64_t)dev->rng.limit.capacity;
	dev->rng.limit.last_tsc = rte_rdtsc();
	dev->nb_queues = 1;
	dev->queues[0].served = 1;
	return 0;
}

static void
device_free(struct vrtc_device *dev)
{
	uint16_t i;

	for (i = 0; i < dev->nb_queues; i++) {
		if (dev->queues[i].vq_valid)
			vrtc_vq_fini(&dev->queues[i].vq);
	}
	rte_free(dev->mem);
	if (dev->type == VRTC_DEVICE_RNG)
		vrtc_entropy_destroy(dev->rng.source);
	rte_free(dev);
}

/* Refuse a name or socket already in use. Called with vrtc_ctl_lock held. */
static int
check_unique(const struct vrtc_device_params *p)
{
	struct vrtc_device *other;

	TAILQ_FOREACH(other, &vrtc_devices, next) {
		if (strcmp(other->name, p->name) == 0) {
			VRTC_GLOG(device, ERR, "%s: a device with this name exists", p->name);
			return -EEXIST;
		}
		if (strcmp(other->iface, p->iface) == 0) {
			VRTC_GLOG(device, ERR, "%s: iface %s is already used by %s", p->name, p->iface,
				  other->name);
			return -EEXIST;
		}
	}
	return 0;
}

int
vrtc_device_create(const struct vrtc_device_params *p, struct vrtc_device **out)
{
	struct vrtc_device *dev;
	uint16_t i;
	int rc;

	if (p == NULL || p->name == NULL || p->name[0] == '\0' || p->iface == NULL)
		return -EINVAL;
	if (strlen(p->name) >= sizeof(dev->name)) {
		VRTC_GLOG(device, ERR, "%s: name longer than %zu characters", p->name,
			  sizeof(dev->name) - 1);
		return -EINVAL;
	}
	if (p->iface[0] == '\0' || strlen(p->iface) >= sizeof(dev->iface)) {
		VRTC_GLOG(device, ERR, "%s: iface must be a socket path of 1 to %zu characters",
			  p->name, sizeof(dev->iface) - 1);
		return -EINVAL;
	}
	if (p->type != VRTC_DEVICE_RTC && p->type != VRTC_DEVICE_RNG)
		return -EINVAL;
	if ((p->socket_mode & ~(mode_t)0777) != 0) {
		VRTC_GLOG(device, ERR, "%s: socket mode %o is not a permission mode", p->name,
			  (unsigned int)p->socket_mode);
		return -EINVAL;
	}

	dev = rte_zmalloc("vrtc_device", sizeof(*dev), RTE_CACHE_LINE_SIZE);
	if (dev == NULL)
		return -ENOMEM;
	snprintf(dev->name, sizeof(dev->name), "%s", p->name);
	snprintf(dev->iface, sizeof(dev->iface), "%s", p->iface);
	dev->params = *p;
	dev->params.name = dev->name;
	dev->params.iface = dev->iface;
	if (dev->params.socket_mode == 0)
		dev->params.socket_mode = 0600;
	dev->type = p->type;
	dev->vid = -1;
	dev->worker_lcore = -1;
	dev->offered_features = TRANSPORT_FEATURES;
	for (i = 0; i < VRTC_MAX_QUEUES; i++) {
		dev->queues[i].qid = i;
		dev->queues[i].dev = dev;
		dev->queues[i].callfd = -1;
		dev->queues[i].kickfd = -1;
	}
	rc = dev->type == VRTC_DEVICE_RTC ? rtc_setup(dev, p) : rng_setup(dev, p);
	if (rc != 0)
		goto fail;

	pthread_mutex_lock(&vrtc_ctl_lock);
	rc = check_unique(p);
	if (rc == 0)
		rc = vrtc_transport_register(dev);
	if (rc != 0) {
		pthread_mutex_unlock(&vrtc_ctl_lock);
		goto fail;
	}
	TAILQ_INSERT_TAIL(&vrtc_devices, dev, next);
	rc = vrtc_service_attach(dev);
	pthread_mutex_unlock(&vrtc_ctl_lock);
	if (rc == 0 && vrtc_service_running())
		rc = vrtc_transport_start(dev);
	if (rc != 0) {
		vrtc_device_destroy(dev);
		return rc;
	}
	VRTC_DLOG(device, INFO, dev, "%s device on %s (%s), features 0x%" PRIx64,
		  dev->type == VRTC_DEVICE_RTC ? "virtio-rtc" : "virtio-rng", dev->iface,
		  dev->params.client ? "client" : "server", dev->offered_features);
	if (out != NULL)
		*out = dev;
	return 0;

fail:
	device_free(dev);
	return rc;
}

int
vrtc_device_destroy(struct vrtc_device *dev)
{
	if (dev == NULL)
		return -EINVAL;
	pthread_mutex_lock(&vrtc_ctl_lock);
	dev->closing = 1;
	pthread_mutex_unlock(&vrtc_ctl_lock);
	vrtc_transport_unregister(dev); /* disconnects, unlinks the socket */
	pthread_mutex_lock(&vrtc_ctl_lock);
	vrtc_service_detach(dev);	/* off its worker, after a grace period */
	TAILQ_REMOVE(&vrtc_devices, dev, next);
	pthread_mutex_unlock(&vrtc_ctl_lock);
	VRTC_DLOG(device, INFO, dev, "destroyed");
	device_free(dev);
	return 0;
}

void
vrtc_device_destroy_all(void)
{
	struct vrtc_device *dev;

	while ((dev = vrtc_device_at(0)) != NULL)
		vrtc_device_destroy(dev);
}

int
vrtc_device_stats_get(const struct vrtc_device *dev, struct vrtc_device_stats *st)
{
	uint16_t i, s;

	if (dev == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	/* Counters are written by one worker and read here without a lock:
	 * each 64-bit read is atomic on the platforms we build for, and the
	 * sum is good enough for rates. */
	for (i = 0; i < dev->nb_queues; i++) {
		const struct vrtc_queue *q = &dev->queues[i];
		const struct vrtc_vq_stats *vs = &q->vq.stats;

		if (!q->served)
			continue;
		st->bad_chains += vs->bad_chains;
		st->notifications += q->interrupts;
		st->notify_suppressed += vs->notify_suppressed;
		st->polls += vs->polls;
		st->polls_empty += vs->polls_empty;
		st->running |= __atomic_load_n(&q->running, __ATOMIC_RELAXED);
		if (q->vq_valid && vrtc_vq_broken(&q->vq) != VRTC_VQ_OK)
			st->broken_queues++;
	}
	if (dev->type == VRTC_DEVICE_RTC) {
		const struct vrtc_rtc_stats *rs = &dev->rtc.model.stats;

		st->requests = rs->requests;
		for (s = 0; s < VRTC_RTC_S_COUNT; s++) {
			st->rtc_status[s] = rs->status[s];
			if (s != VRTC_RTC_S_OK)
				st->errors += rs->status[s];
		}
		st->errors += rs->no_status;
		st->bytes = rs->response_bytes;
	} else {
		const struct vrtc_rng_stats *ns = &dev->rng.stats;

		st->requests = ns->requests;
		st->bytes = ns->bytes;
		st->errors = ns->source_errors + ns->readable_chains;
		st->rate_limited_polls = dev->rng.rate_limited_polls;
	}
	st->requests += st->bad_chains;
	st->connections = dev->connections;
	st->connected = dev->vid >= 0;
	return 0;
}
