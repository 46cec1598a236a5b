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
#include "device_args.h"
#include "queue.h"
#include "vrtc_args.h"
#include "entropy.h"
#include "rate_limit.h"
#include "rng_model.h"
#include "vrtc_wire.h"

struct rng_dev {
	struct vrtc_entropy *source;
	struct vrtc_rng_stats stats;
	struct vrtc_rate_limit limit;
	uint64_t rate_limited_polls;
	uint64_t source_waits; /* polls that left buffers waiting for the source's bytes */
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

VRTC_VQ_INLINE uint16_t
rng_serve_ring(struct vrtc_queue *q, uint16_t burst, const enum vrtc_vq_layout layout)
{
	struct rng_dev *rng = rng_of(q->owner);
	struct vrtc_rate_limit *rl = &rng->limit;
	const int limited = vrtc_rate_limit_enabled(rl);
	const uint32_t max_bytes = vrtc_rate_limit_max_bytes(rl);
	struct vrtc_chain chain;
	uint16_t n, i, done = 0;

	q->held_back = 0;
	if (limited && !vrtc_rate_limit_may_serve(rl, rte_rdtsc())) {
		/* Buffers wait on the ring until the balance is positive. */
		rng->rate_limited_polls++;
		q->held_back = 1;
		vrtc_entropy_quiesce(rng->source);
		return 0;
	}
	n = vrtc_vq_avail(&q->vq, layout, burst);
	if (n == 0) {
		/* Idle: no delivered entropy stays in the source's pool. */
		vrtc_entropy_quiesce(rng->source);
		return 0;
	}
	for (i = 0; i < n; i++) {
		/* A file source serves what it has read (at least one byte),
		 * else the buffer waits on the ring for its reader. */
		size_t ready = vrtc_entropy_ready(rng->source);
		uint32_t len;
		int rc;

		if (vrtc_unlikely(ready == 0)) {
			rng->source_waits++;
			q->held_back = 1;
			break;
		}
		rc = vrtc_vq_pop(&q->vq, layout, &chain);

		if (rc != 0) {
			if (rc == -EBADMSG)
				continue;
			break;
		}
		len = vrtc_rng_handle(rng->source, &chain,
				      (uint32_t)RTE_MIN((size_t)max_bytes, ready), &rng->stats);
		vrtc_vq_push(&q->vq, layout, chain.head, len);
		done++;
		if (limited && !vrtc_rate_limit_consume(rl, len))
			break; /* the rest of the burst waits */
	}
	return done;
}

/* The layout is chosen once per burst. */
static uint16_t
rng_serve_requestq(struct vrtc_queue *q, uint16_t burst)
{
	return vrtc_vq_layout(&q->vq) == VRTC_VQ_PACKED ? rng_serve_ring(q, burst, VRTC_VQ_PACKED) : rng_serve_ring(q, burst, VRTC_VQ_SPLIT);
}

/* How long a file source with nothing ready is left before the poller looks
 * again: its reader thread refills the ring meanwhile. */
#define SOURCE_RECHECK_NS UINT64_C(10000000)

/*
 * A sleeping poller's next look at buffers the queue held back: when the
 * rate limit's balance is positive again, or (a source with nothing ready)
 * after SOURCE_RECHECK_NS, or never for a file that has ended (its buffers
 * wait for good: a kick, a reset or a new device).
 */
static uint64_t
rng_deadline(struct vrtc_queue *q, uint64_t mono_now_ns)
{
	struct rng_dev *rng = rng_of(q->owner);
	struct vrtc_entropy_file_stats fs;
	uint64_t next, now;

	if (!q->held_back)
		return UINT64_MAX;
	if (vrtc_rate_limit_enabled(&rng->limit)) {
		next = vrtc_rate_limit_next_cycle(&rng->limit);
		now = rte_rdtsc();
		if (next > now)
			return mono_now_ns + (next - now) * UINT64_C(1000000000) / rte_get_tsc_hz();
	}
	if (vrtc_entropy_ready(rng->source) != 0)
		return mono_now_ns; /* bytes arrived (or the limit was the wait): serve now */
	if (vrtc_entropy_file_stats(rng->source, &fs) == 0 && fs.eof)
		return UINT64_MAX; /* ended, and nothing is left */
	return mono_now_ns + SOURCE_RECHECK_NS;
}

static int
rng_setup(struct vrtc_device *dev, const struct vrtc_device_params *p)
{
	struct vrtc_entropy_params ep = { .reseed_requests = p->reseed_requests };
	enum vrtc_entropy_kind kind;
	struct rng_dev *rng;
	int rc;

	if (p->source == VRTC_RNG_SOURCE_APP) {
		if (p->app_entropy_fill == NULL) {
			VRTC_DLOG(device, ERR, dev, "source: the application's source needs "
				  "app_entropy_fill");
			return -EINVAL;
		}
		rng = rte_zmalloc("vrtc_rng_dev", sizeof(*rng), RTE_CACHE_LINE_SIZE);
		if (rng == NULL)
			return -ENOMEM;
		rc = vrtc_entropy_create_callback(p->app_entropy_fill, p->app_entropy_ctx,
						  &rng->source);
		if (rc != 0) {
			rte_free(rng);
			return rc;
		}
		goto limit;
	}
	if (p->source == VRTC_RNG_SOURCE_FILE) {
		if (p->source_path == NULL || p->source_path[0] == '\0') {
			VRTC_DLOG(device, ERR, dev, "source: a file source needs a path "
				  "(source=file:PATH)");
			return -EINVAL;
		}
		rng = rte_zmalloc("vrtc_rng_dev", sizeof(*rng), RTE_CACHE_LINE_SIZE);
		if (rng == NULL)
			return -ENOMEM;
		rc = vrtc_entropy_create_file(p->source_path, &rng->source);
		if (rc != 0) {
			VRTC_DLOG(device, ERR, dev, "source: cannot read %s: %s", p->source_path,
				  strerror(-rc));
			rte_free(rng);
			return rc;
		}
		VRTC_DLOG(device, INFO, dev, "source: file %s", p->source_path);
		goto limit;
	}
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
limit:
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
	dev->queues[0].deadline = rng_deadline;
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

/* The file reader's counters (zero for the other sources). */
static struct vrtc_entropy_file_stats
file_stats_of(const struct rng_dev *rng)
{
	struct vrtc_entropy_file_stats fs;

	vrtc_entropy_file_stats(rng->source, &fs);
	return fs;
}

static unsigned int
rng_xstats_get(const struct vrtc_device *dev, struct vrtc_xstat *xs, unsigned int n)
{
	const struct rng_dev *rng = rng_of(dev);
	const struct vrtc_entropy_file_stats fs = file_stats_of(rng);
	const struct vrtc_xstat_src v[] = {
		{ "rng_rate_limited_polls", rng->rate_limited_polls },
		{ "rng_readable_chains", rng->stats.readable_chains },
		{ "rng_empty_chains", rng->stats.empty_chains },
		{ "rng_source_errors", rng->stats.source_errors },
		{ "rng_rate_bytes_per_s", rng->limit.rate_bytes_per_s },
		{ "rng_source_waits", rng->source_waits },
		/* file source (0 for the others) */
		{ "rng_file_bytes_read", fs.bytes_read },
		{ "rng_file_reads", fs.reads },
		{ "rng_file_eof", fs.eof },
		{ "rng_file_read_errors", fs.read_errors },
		{ "rng_file_would_block", fs.would_block },
		{ "rng_file_buffered", fs.buffered },
	};

	return vrtc_xstats_fill(xs, n, v, RTE_DIM(v));
}

/* ---- argument keys (dpdk-rtcd --device, vdev strings) ---------------------------- */

static int
on_source(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
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

	if (value != NULL && strncmp(value, "file:", 5) == 0) {
		if (value[5] == '\0') {
			VRTC_ARG_ERR(ctx, key, value,
				     "file: needs a path (source=file:/dev/hwrng)");
			return -EINVAL;
		}
		ctx->p->source = VRTC_RNG_SOURCE_FILE;
		ctx->p->source_path = value + 5;
		return 0;
	}
	for (i = 0; value != NULL && i < RTE_DIM(sources); i++) {
		if (strcmp(value, sources[i].name) == 0) {
			ctx->p->source = sources[i].source;
			return 0;
		}
	}
	VRTC_ARG_ERR(ctx, key, value, "expected drbg, getrandom, rdseed, rdrand or file:PATH");
	return -EINVAL;
}

static int
on_rate(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
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
	VRTC_ARG_ERR(ctx, key, value,
		"expected bytes per second, optionally with K, M or G (x1000); 0 = unlimited");
	return -EINVAL;
}

static int
on_reseed(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
{
	uint64_t v;

	if (vrtc_parse_u64(value, 0, UINT64_C(1) << 48, &v) == 0 && v >= 1) {
		ctx->p->reseed_requests = v;
		return 0;
	}
	VRTC_ARG_ERR(ctx, key, value, "expected DRBG requests between reseeds, 1..2^48");
	return -EINVAL;
}

static const struct vrtc_arg_key rng_arg_keys[] = {
	{ "source", on_source },
	{ "rate", on_rate },
	{ "reseed", on_reseed },
};

const struct vrtc_device_ops vrtc_rng_device_ops = {
	.type = VRTC_DEVICE_RNG,
	.name = "rng",
	.arg_prefix = "rng_vhost",
	.arg_keys = rng_arg_keys,
	.nb_arg_keys = RTE_DIM(rng_arg_keys),
	.long_name = "virtio-rng",
	.virtio_id = VRTC_VIRTIO_ID_RNG,
	.nb_queues = 1,
	.setup = rng_setup,
	.teardown = rng_teardown,
	.offered_features = rng_offered_features,
	.stats_get = rng_stats_get,
	.xstats_get = rng_xstats_get,
};
