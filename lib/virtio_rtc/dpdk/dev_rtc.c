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
#include "clock_phc.h"
#include "device.h"
#include "device_args.h"
#include "vrtc_args.h"
#include "rtc_model.h"
#include "vrtc_wire.h"

struct rtc_dev {
	struct vrtc_host_clock_cfg clock_cfg; /* host clocks point at it */
	struct vrtc_app_clock app[VRTC_MAX_CLOCKS];
	struct vrtc_phc *phc; /* clocks=phc:PATH:TYPE, or NULL */
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
		if (kinds[i] == VRTC_CLOCK_PHC) {
			for (j = 0; j < i; j++) {
				if (kinds[j] == VRTC_CLOCK_PHC) {
					VRTC_DLOG(device, ERR, dev, "clocks: one phc per device");
					return -EINVAL;
				}
			}
			continue;
		}
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

/* clocks=phc:PATH:TYPE: open the PHC (refused with the reason when it is
 * not one) and make clock @p c read it. */
static int
phc_setup(const struct vrtc_device *dev, struct rtc_dev *rtc,
	  const struct vrtc_device_params *p, struct vrtc_clock *c)
{
	uint8_t type;
	int rc;

	if (p->phc_path == NULL || p->phc_path[0] == '\0') {
		VRTC_DLOG(device, ERR, dev, "clocks: a phc clock needs phc_path");
		return -EINVAL;
	}
	if (p->phc_type == VRTC_CLOCK_TAI) {
		type = VRTC_RTC_CLOCK_TAI;
	} else if (p->phc_type == VRTC_CLOCK_UTC) {
		type = VRTC_RTC_CLOCK_UTC;
	} else {
		VRTC_DLOG(device, ERR, dev, "clocks: phc %s: its type must be tai or utc",
			  p->phc_path);
		return -EINVAL;
	}
	rc = vrtc_phc_open(p->phc_path, type, &rtc->phc);
	if (rc != 0) {
		VRTC_DLOG(device, ERR, dev, "clocks: phc %s: %s", p->phc_path, strerror(-rc));
		return rc;
	}
	vrtc_phc_clock_init(c, rtc->phc);
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
		if (kinds[i] == VRTC_CLOCK_PHC) {
			rc = phc_setup(dev, rtc, p, &clocks[i]);
			if (rc != 0)
				goto fail;
			continue;
		}
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
	vrtc_phc_destroy(rtc->phc);
	rte_free(rtc);
	return rc;
}

static void
rtc_teardown(struct vrtc_device *dev)
{
	struct rtc_dev *rtc = rtc_of(dev);

	if (rtc != NULL)
		vrtc_phc_destroy(rtc->phc);
	rte_free(rtc);
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
	const struct vrtc_xstat_src v[] = {
		{ "rtc_status_ok", rs->status[VRTC_RTC_S_OK] },
		{ "rtc_status_eopnotsupp", rs->status[VRTC_RTC_S_EOPNOTSUPP] },
		{ "rtc_status_enodev", rs->status[VRTC_RTC_S_ENODEV] },
		{ "rtc_status_einval", rs->status[VRTC_RTC_S_EINVAL] },
		{ "rtc_status_eio", rs->status[VRTC_RTC_S_EIO] },
		{ "rtc_no_status", rs->no_status },
		{ "rtc_reads", rs->reads },
		{ "rtc_cross_reads", rs->cross_reads },
		{ "rtc_clocks", rtc_of(dev)->model.nb_clocks },
		{ "rtc_phc_reads", rtc_of(dev)->phc ? vrtc_phc_stats(rtc_of(dev)->phc)->reads : 0 },
		{ "rtc_phc_errors",
		  rtc_of(dev)->phc ? vrtc_phc_stats(rtc_of(dev)->phc)->errors : 0 },
	};

	return vrtc_xstats_fill(xs, n, v, RTE_DIM(v));
}

/* ---- argument keys (dpdk-rtcd --device, vdev strings) ---------------------------- */

static int
on_cross_tsc(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
{
	return vrtc_arg_bool(ctx, key, value, &ctx->p->cross_host_tsc);
}

/* One 'phc:PATH:TYPE' item of @p len bytes. */
static int
parse_phc_item(struct vrtc_arg_ctx *ctx, const char *item, size_t len)
{
	uint8_t type;

	if (len <= 4 || vrtc_phc_spec_parse(item + 4, len - 4, ctx->phc_path,
					    sizeof(ctx->phc_path), &type) != 0)
		return -EINVAL;
	ctx->p->phc_path = ctx->phc_path;
	ctx->p->phc_type = type == VRTC_RTC_CLOCK_TAI ? VRTC_CLOCK_TAI : VRTC_CLOCK_UTC;
	return 0;
}

/* 'utc+tai+mono': every item non-empty, known and given once. */
static int
parse_clocks(struct vrtc_arg_ctx *ctx, const char *value, enum vrtc_clock_kind *clocks,
	     uint16_t *nb)
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
		if (len > 4 && strncmp(tok, "phc:", 4) == 0) {
			if (n == VRTC_MAX_CLOCKS || parse_phc_item(ctx, tok, len) != 0)
				return -EINVAL;
			kind = VRTC_CLOCK_PHC;
			goto add;
		}
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
add:
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
on_clocks(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
{
	if (parse_clocks(ctx, value, ctx->p->clocks, &ctx->p->nb_clocks) == 0)
		return 0;
	VRTC_ARG_ERR(ctx, key, value,
		"expected clock names joined by '+', each once, from utc, tai, mono and one "
		"phc:PATH:tai or phc:PATH:utc (e.g. utc+tai+mono+phc:/dev/ptp0:tai)");
	return -EINVAL;
}

static int
on_tai_offset(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
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
	VRTC_ARG_ERR(ctx, key, value, "expected auto or TAI - UTC in seconds (0..1000, 37 since 2017)");
	return -EINVAL;
}

static const struct vrtc_arg_key rtc_arg_keys[] = {
	{ "clocks", on_clocks },
	{ "tai_offset", on_tai_offset },
	{ "cross_tsc", on_cross_tsc },
};

const struct vrtc_device_ops vrtc_rtc_device_ops = {
	.type = VRTC_DEVICE_RTC,
	.name = "rtc",
	.arg_prefix = "rtc_vhost",
	.arg_keys = rtc_arg_keys,
	.nb_arg_keys = RTE_DIM(rtc_arg_keys),
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
