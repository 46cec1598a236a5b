/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The virtio-rng device type: one requestq filled from an entropy source
 * (entropy.c) through rng_model.c, with an optional token-bucket rate
 * limit (rate_limit.c), and its counters.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "device.h"
#include "entropy.h"
#include "rate_limit.h"
#include "rng_model.h"
#include "vrtc_wire.h"

struct rng_dev {
	struct vrtc_entropy *source;
	struct vrtc_rng_stats stats;
	struct vrtc_rate_limit limit;
	uint64_t rate_limited_polls;
};

static const enum vrtc_entropy_kind entropy_of[] = {
	[VRTC_RNG_SOURCE_DRBG] = VRTC_ENTROPY_DRBG,
	[VRTC_RNG_SOURCE_GETRANDOM] = VRTC_ENTROPY_GETRANDOM,
	[VRTC_RNG_SOURCE_RDSEED] = VRTC_ENTROPY_RDSEED,
	[VRTC_RNG_SOURCE_RDRAND] = VRTC_ENTROPY_RDRAND,
};

static inline struct rng_dev *
rng_of(const struct vrtc_device *dev)
{
	return dev->priv;
}

static uint16_t
rng_serve_requestq(struct vrtc_queue *q, uint16_t burst)
{
	struct rng_dev *rng = rng_of(q->owner);
	struct vrtc_rate_limit *rl = &rng->limit;
	const int limited = vrtc_rate_limit_enabled(rl);
	const uint32_t max_bytes = vrtc_rate_limit_max_bytes(rl);
	struct vrtc_chain chain;
	uint16_t n, i, done = 0;

	if (limited && !vrtc_rate_limit_may_serve(rl, rte_rdtsc())) {
		/* Buffers wait on the ring until the balance is positive. */
		rng->rate_limited_polls++;
		vrtc_entropy_quiesce(rng->source);
		return 0;
	}
	n = vrtc_vq_avail(&q->vq, burst);
	if (n == 0) {
		/* Idle: no delivered entropy stays in the source's pool. */
		vrtc_entropy_quiesce(rng->source);
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint32_t len;
		int rc = vrtc_vq_pop(&q->vq, &chain);

		if (rc != 0) {
			if (rc == -EBADMSG)
				continue;
			break;
		}
		len = vrtc_rng_handle(rng->source, &chain, max_bytes, &rng->stats);
		vrtc_vq_push(&q->vq, chain.head, len);
		done++;
		if (limited && !vrtc_rate_limit_consume(rl, len))
			break; /* the rest of the burst waits */
	}
	return done;
}

static int
rng_setup(struct vrtc_device *dev, const struct vrtc_device_params *p)
{
	struct vrtc_entropy_params ep = { .reseed_requests = p->reseed_requests };
	enum vrtc_entropy_kind kind;
	struct rng_dev *rng;
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
	rng = rte_zmalloc("vrtc_rng_dev", sizeof(*rng), RTE_CACHE_LINE_SIZE);
	if (rng == NULL)
		return -ENOMEM;
	rc = vrtc_entropy_create(kind, &ep, &rng->source);
	if (rc != 0) {
		VRTC_DLOG(device, ERR, dev, "source: cannot create %s: %s",
			  vrtc_entropy_kind_name(kind), strerror(-rc));
		rte_free(rng);
		return rc;
	}
	rc = vrtc_rate_limit_init(&rng->limit, p->rate_bytes_per_s, rte_get_tsc_hz(), rte_rdtsc());
	if (rc != 0) {
		VRTC_DLOG(device, ERR, dev, "rate: %" PRIu64 " bytes/s cannot be limited: %s",
			  p->rate_bytes_per_s, strerror(-rc));
		vrtc_entropy_destroy(rng->source);
		rte_free(rng);
		return rc;
	}
	dev->priv = rng;
	dev->queues[0].served = 1;
	dev->queues[0].serve = rng_serve_requestq;
	return 0;
}

static void
rng_teardown(struct vrtc_device *dev)
{
	struct rng_dev *rng = rng_of(dev);

	if (rng == NULL)
		return;
	vrtc_entropy_destroy(rng->source);
	rte_free(rng);
	dev->priv = NULL;
}

static uint64_t
rng_offered_features(const struct vrtc_device *dev)
{
	RTE_SET_USED(dev);
	return 0; /* virtio-rng has no device feature bits */
}

static void
rng_stats_get(const struct vrtc_device *dev, struct vrtc_device_stats *st)
{
	const struct vrtc_rng_stats *ns = &rng_of(dev)->stats;

	st->requests += ns->requests;
	st->bytes += ns->bytes;
	st->errors += ns->source_errors + ns->readable_chains;
}

static unsigned int
rng_xstats_get(const struct vrtc_device *dev, struct vrtc_xstat *xs, unsigned int n)
{
	const struct rng_dev *rng = rng_of(dev);
	const struct {
		const char *name;
		uint64_t value;
	} v[] = {
		{ "rng_rate_limited_polls", rng->rate_limited_polls },
		{ "rng_readable_chains", rng->stats.readable_chains },
		{ "rng_empty_chains", rng->stats.empty_chains },
		{ "rng_source_errors", rng->stats.source_errors },
		{ "rng_rate_bytes_per_s", rng->limit.rate_bytes_per_s },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(v) && i < n; i++) {
		snprintf(xs[i].name, sizeof(xs[i].name), "%s", v[i].name);
		xs[i].value = v[i].value;
	}
	return RTE_DIM(v);
}

const struct vrtc_device_ops vrtc_rng_device_ops = {
	.type = VRTC_DEVICE_RNG,
	.name = "rng",
	.long_name = "virtio-rng",
	.virtio_id = VRTC_VIRTIO_ID_RNG,
	.nb_queues = 1,
	.setup = rng_setup,
	.teardown = rng_teardown,
	.offered_features = rng_offered_features,
	.stats_get = rng_stats_get,
	.xstats_get = rng_xstats_get,
};
