/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The virtio-rtc device type: its clocks (host clocks in the order given,
 * then the application's), the requestq served through rtc_model.c, its
 * counters. The alarmq exists (a front-end may set it up) but is not
 * served until alarms are supported.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "clock.h"
#include "device.h"
#include "rtc_model.h"
#include "vrtc_wire.h"

struct rtc_dev {
	struct vrtc_host_clock_cfg clock_cfg; /* host clocks point at it */
	struct vrtc_app_clock app[VRTC_MAX_CLOCKS];
	struct vrtc_rtc_model model;
};

static const enum vrtc_host_clock host_clock_of[] = {
	[VRTC_CLOCK_UTC] = VRTC_HOST_CLOCK_UTC,
	[VRTC_CLOCK_TAI] = VRTC_HOST_CLOCK_TAI,
	[VRTC_CLOCK_MONOTONIC] = VRTC_HOST_CLOCK_MONOTONIC,
};

static const uint8_t virtio_clock_of[] = {
	[VRTC_CLOCK_UTC] = VRTC_RTC_CLOCK_UTC,
	[VRTC_CLOCK_TAI] = VRTC_RTC_CLOCK_TAI,
	[VRTC_CLOCK_MONOTONIC] = VRTC_RTC_CLOCK_MONOTONIC,
};

static uint16_t rtc_serve_requestq(struct vrtc_queue *q, uint16_t burst);

static inline struct rtc_dev *
rtc_of(const struct vrtc_device *dev)
{
	return dev->priv;
}

/* ---- application clocks ---------------------------------------------------------- */

static int
app_read(void *ctx, uint64_t *ns)
{
	const struct vrtc_app_clock *a = ctx;

	return a->read(a->ctx, ns);
}

static int
app_cross_capable(void *ctx, uint8_t hw_counter)
{
	const struct vrtc_app_clock *a = ctx;

	RTE_SET_USED(hw_counter);
	return a->read_cross != NULL;
}

static int
app_read_cross(void *ctx, uint8_t hw_counter, uint64_t *ns, uint64_t *cycles)
{
	const struct vrtc_app_clock *a = ctx;

	if (a->read_cross == NULL)
		return -EOPNOTSUPP;
	return a->read_cross(a->ctx, hw_counter, ns, cycles);
}

static const struct vrtc_clock_ops app_clock_ops = {
	.read = app_read,
	.cross_capable = app_cross_capable,
	.read_cross = app_read_cross,
};

/* ---- set-up ------------------------------------------------------------------------ */

static int
check_kinds(const struct vrtc_device *dev, const enum vrtc_clock_kind *kinds, uint16_t nb,
	    int *need_tai)
{
	uint16_t i, j;

	*need_tai = 0;
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
		*need_tai |= kinds[i] == VRTC_CLOCK_TAI;
	}
	return 0;
}

static int
app_clocks_check(const struct vrtc_device *dev, const struct vrtc_device_params *p,
		 uint16_t nb_host)
{
	uint16_t i;

	if (p->nb_app_clocks == 0)
		return 0;
	if (p->app_clocks == NULL || nb_host + p->nb_app_clocks > VRTC_MAX_CLOCKS) {
		VRTC_DLOG(device, ERR, dev, "app clocks: %u given after %u host clocks, at most "
			  "%u in all", p->nb_app_clocks, nb_host, VRTC_MAX_CLOCKS);
		return -EINVAL;
	}
	for (i = 0; i < p->nb_app_clocks; i++) {
		const struct vrtc_app_clock *a = &p->app_clocks[i];

		if (a->read == NULL || (unsigned int)a->kind >= RTE_DIM(virtio_clock_of)) {
			VRTC_DLOG(device, ERR, dev, "app clock %u: needs a read function and a "
				  "known kind", i);
			return -EINVAL;
		}
	}
	return 0;
}

static int
rtc_setup(struct vrtc_device *dev, const struct vrtc_device_params *p)
{
	static const enum vrtc_clock_kind default_clocks[] = {
		VRTC_CLOCK_UTC, VRTC_CLOCK_TAI, VRTC_CLOCK_MONOTONIC,
	};
	struct vrtc_clock clocks[VRTC_MAX_CLOCKS];
	const enum vrtc_clock_kind *kinds = p->clocks;
	uint16_t nb = p->nb_clocks, i;
	struct rtc_dev *rtc;
	int rc, need_tai;

	if (nb == 0 && p->nb_app_clocks == 0) {
		kinds = default_clocks;
		nb = RTE_DIM(default_clocks);
	}
	if (nb > VRTC_MAX_CLOCKS) {
		VRTC_DLOG(device, ERR, dev, "clocks: %u given, at most %u", nb, VRTC_MAX_CLOCKS);
		return -EINVAL;
	}
	rc = check_kinds(dev, kinds, nb, &need_tai);
	if (rc == 0)
		rc = app_clocks_check(dev, p, nb);
	if (rc != 0)
		return rc;
	if (p->tai_offset_s < -1 || p->tai_offset_s > 1000) {
		VRTC_DLOG(device, ERR, dev, "tai_offset: %d s is not a TAI - UTC offset (0..1000)",
			  p->tai_offset_s);
		return -EINVAL;
	}
	rtc = rte_zmalloc("vrtc_rtc_dev", sizeof(*rtc), RTE_CACHE_LINE_SIZE);
	if (rtc == NULL)
		return -ENOMEM;
	rtc->clock_cfg.tai_offset_s = p->tai_offset_s;
	rtc->clock_cfg.leap_seconds_file = NULL;
	rtc->clock_cfg.cross_host_tsc = p->cross_host_tsc != 0;
	if (need_tai) {
		int offset;

		rc = vrtc_tai_offset_resolve(&rtc->clock_cfg, &offset);
		if (rc != 0) {
			VRTC_DLOG(device, ERR, dev,
				  "TAI clock: no TAI - UTC offset (kernel offset unset, no usable "
				  "leap-second table); give tai_offset=SECONDS");
			goto fail;
		}
	}
	for (i = 0; i < nb; i++) {
		rc = vrtc_host_clock_init(&clocks[i], host_clock_of[kinds[i]], &rtc->clock_cfg);
		if (rc != 0) {
			VRTC_DLOG(device, ERR, dev, "clock %u (%s): %s", i,
				  vrtc_host_clock_name(host_clock_of[kinds[i]]), strerror(-rc));
			goto fail;
		}
	}
	for (i = 0; i < p->nb_app_clocks; i++) {
		struct vrtc_clock *c = &clocks[nb + i];

		rtc->app[i] = p->app_clocks[i];
		memset(c, 0, sizeof(*c));
		c->type = virtio_clock_of[rtc->app[i].kind];
		c->smearing = VRTC_RTC_SMEAR_UNSPECIFIED;
		c->ops = &app_clock_ops;
		c->ctx = &rtc->app[i];
	}
	rc = vrtc_rtc_model_init(&rtc->model, clocks, (uint16_t)(nb + p->nb_app_clocks));
	if (rc != 0)
		goto fail;
	dev->priv = rtc;
	dev->queues[VRTC_RTC_REQUESTQ].served = 1;
	dev->queues[VRTC_RTC_REQUESTQ].serve = rtc_serve_requestq;
	dev->queues[VRTC_RTC_ALARMQ].served = 0;
	return 0;
fail:
	rte_free(rtc);
	return rc;
}

static void
rtc_teardown(struct vrtc_device *dev)
{
	rte_free(dev->priv);
	dev->priv = NULL;
}

static uint64_t
rtc_offered_features(const struct vrtc_device *dev)
{
	return vrtc_rtc_model_offered_features(&rtc_of(dev)->model);
}

static void
rtc_features_set(struct vrtc_device *dev, uint64_t negotiated)
{
	vrtc_rtc_model_set_features(&rtc_of(dev)->model, negotiated);
}

/* ---- data path ----------------------------------------------------------------------- */

static uint16_t
rtc_serve_requestq(struct vrtc_queue *q, uint16_t burst)
{
	struct vrtc_rtc_model *model = &rtc_of(q->owner)->model;
	struct vrtc_chain chain;
	uint16_t n = vrtc_vq_avail(&q->vq, burst), i;

	for (i = 0; i < n; i++) {
		int rc = vrtc_vq_pop(&q->vq, &chain);

		if (rc != 0) {
			if (rc == -EBADMSG)
				continue; /* completed with length 0 and counted */
			break;		  /* ring broken */
		}
		vrtc_vq_push(&q->vq, chain.head, vrtc_rtc_handle(model, &chain));
	}
	return n;
}

/* ---- counters ------------------------------------------------------------------------ */

static void
rtc_stats_get(const struct vrtc_device *dev, struct vrtc_device_stats *st)
{
	const struct vrtc_rtc_stats *rs = &rtc_of(dev)->model.stats;
	unsigned int s;

	st->requests += rs->requests;
	st->bytes += rs->response_bytes;
	for (s = 0; s < VRTC_RTC_S_COUNT; s++) {
		if (s == VRTC_RTC_S_OK)
			continue;
		if (s == VRTC_RTC_S_EOPNOTSUPP)
			st->unsupported += rs->status[s];
		else
			st->errors += rs->status[s];
	}
	st->errors += rs->no_status;
}

static unsigned int
rtc_xstats_get(const struct vrtc_device *dev, struct vrtc_xstat *xs, unsigned int n)
{
	const struct vrtc_rtc_stats *rs = &rtc_of(dev)->model.stats;
	const struct {
		const char *name;
		uint64_t value;
	} v[] = {
		{ "rtc_status_ok", rs->status[VRTC_RTC_S_OK] },
		{ "rtc_status_eopnotsupp", rs->status[VRTC_RTC_S_EOPNOTSUPP] },
		{ "rtc_status_enodev", rs->status[VRTC_RTC_S_ENODEV] },
		{ "rtc_status_einval", rs->status[VRTC_RTC_S_EINVAL] },
		{ "rtc_status_eio", rs->status[VRTC_RTC_S_EIO] },
		{ "rtc_no_status", rs->no_status },
		{ "rtc_reads", rs->reads },
		{ "rtc_cross_reads", rs->cross_reads },
		{ "rtc_clocks", rtc_of(dev)->model.nb_clocks },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(v) && i < n; i++) {
		snprintf(xs[i].name, sizeof(xs[i].name), "%s", v[i].name);
		xs[i].value = v[i].value;
	}
	return RTE_DIM(v);
}

const struct vrtc_device_ops vrtc_rtc_device_ops = {
	.type = VRTC_DEVICE_RTC,
	.name = "rtc",
	.long_name = "virtio-rtc",
	.virtio_id = VRTC_VIRTIO_ID_CLOCK,
	.nb_queues = 2,
	.setup = rtc_setup,
	.teardown = rtc_teardown,
	.offered_features = rtc_offered_features,
	.features_set = rtc_features_set,
	.stats_get = rtc_stats_get,
	.xstats_get = rtc_xstats_get,
};
