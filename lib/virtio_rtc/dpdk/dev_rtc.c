/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The virtio-rtc device type: its clocks (host clocks in the order given,
 * then the application's), the requestq served through rtc_model.c, the
 * alarmq, its counters.
 *
 * The alarmq holds the driver's buffers until an alarm needs one: each
 * popped buffer's head goes into a FIFO (the engine keeps it in flight),
 * and is walked again through the current memory map when a notification
 * is written into it. Completions are strictly in FIFO order — a bad or
 * short buffer waits for its turn too — so what the device holds is always
 * the used_idx .. last_avail_idx window of the ring: a stop hands it back by
 * rewinding (queue.h holds_buffers) and nothing is completed twice or lost.
 *
 * Alarm deadlines live with the poller: the alarmq's serve function
 * evaluates the alarms when one may be due (a TSC deadline, at least every
 * millisecond while one is armed, so busy polling sees host clock steps
 * within that), after any alarm request, and after the pollers saw a host
 * clock step; its deadline hook gives a sleeping poller the next one.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "clock.h"
#include "clock_phc.h"
#include "device.h"
#include "device_args.h"
#include "queue.h"
#include "vrtc_args.h"
#include "rtc_model.h"
#include "vrtc_wire.h"

/* A FIFO entry: a held head, with HELD_BAD when it is completed empty. */
#define HELD_BAD 0x8000u
#define HELD_MASK (VRTC_VRING_MAX_SIZE - 1)
/* Busy polling looks at armed alarms at least this often. */
#define ALARM_BUSY_RECHECK_NS UINT64_C(1000000)

/* The first VRTC_RTC_NOTIF_BYTES writable bytes of a held packed buffer,
 * as guest-physical ranges (each segment has at least one byte). */
struct held_gpa {
	uint8_t nb;
	struct {
		uint64_t gpa;
		uint32_t len;
	} seg[VRTC_RTC_NOTIF_BYTES];
};

/* The alarmq's held buffers and alarm timing (the poller's, while running). */
struct alarmq {
	uint16_t held[VRTC_VRING_MAX_SIZE]; /* FIFO of heads */
	uint16_t first;			   /* FIFO front, mod VRTC_VRING_MAX_SIZE */
	uint16_t count;			   /* entries; <= the queue size */
	uint32_t clock_steps;		   /* vrtc_poller_clock_steps() last seen */
	uint64_t deadline_ns;		   /* next evaluation, CLOCK_MONOTONIC */
	uint64_t check_tsc;		   /* ... as a TSC value, with the busy recheck */
	uint64_t short_buffers;		   /* completed empty: under 16 writable bytes */
	uint64_t bad_buffers;		   /* completed empty: bad chain */
	/* Packed rings: where each held buffer's notification goes, by buffer
	 * id, as guest addresses (queue size entries, from queue_starting),
	 * translated again at delivery: the packed engine keeps no ring
	 * position of a popped chain to walk it again as split does. */
	struct held_gpa *gpa;
};

struct rtc_dev {
	struct vrtc_host_clock_cfg clock_cfg; /* host clocks point at it */
	struct vrtc_app_clock app[VRTC_MAX_CLOCKS];
	struct vrtc_phc *phc; /* clocks=phc:PATH:TYPE, or NULL */
	struct vrtc_rtc_model model;
	struct alarmq alarmq;
};

static const enum vrtc_host_clock host_clock_of[] = {
	[VRTC_CLOCK_UTC] = VRTC_HOST_CLOCK_UTC,
	[VRTC_CLOCK_TAI] = VRTC_HOST_CLOCK_TAI,
	[VRTC_CLOCK_MONOTONIC] = VRTC_HOST_CLOCK_MONOTONIC,
	[VRTC_CLOCK_UTC_SMEARED] = VRTC_HOST_CLOCK_UTC_SMEARED,
};

static const uint8_t virtio_clock_of[] = {
	[VRTC_CLOCK_UTC] = VRTC_RTC_CLOCK_UTC,
	[VRTC_CLOCK_TAI] = VRTC_RTC_CLOCK_TAI,
	[VRTC_CLOCK_MONOTONIC] = VRTC_RTC_CLOCK_MONOTONIC,
	[VRTC_CLOCK_UTC_SMEARED] = VRTC_RTC_CLOCK_UTC_SMEARED,
};

static uint16_t rtc_serve_requestq(struct vrtc_queue *q, uint16_t burst);
static uint16_t rtc_serve_alarmq(struct vrtc_queue *q, uint16_t burst);
static uint64_t rtc_alarmq_deadline(struct vrtc_queue *q, uint64_t mono_now_ns);

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
	    int *need_tai, int *smeared)
{
	uint16_t i, j;

	*need_tai = 0;
	*smeared = 0;
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
		*smeared |= kinds[i] == VRTC_CLOCK_UTC_SMEARED;
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

/* Give alarms to the clocks @p p asks for; the clocks are built, host ones
 * first (@p kinds), then the application's. */
static int
alarms_assign(const struct vrtc_device *dev, const struct vrtc_device_params *p,
	      const enum vrtc_clock_kind *kinds, uint16_t nb, struct vrtc_clock *clocks)
{
	uint16_t total = (uint16_t)(nb + p->nb_app_clocks), i;
	uint32_t found = 0;
	char list[128] = "";
	size_t len = 0;

	for (i = 0; i < total; i++) {
		unsigned int kind = i < nb ? (unsigned int)kinds[i] :
					     (unsigned int)p->app_clocks[i - nb].kind;

		switch (p->alarm_mode) {
		case VRTC_ALARM_DEFAULT:
			clocks[i].alarm = clocks[i].type == VRTC_RTC_CLOCK_UTC_SMEARED;
			break;
		case VRTC_ALARM_OFF:
			clocks[i].alarm = 0;
			break;
		case VRTC_ALARM_KINDS:
			clocks[i].alarm = kind < 32 && ((p->alarm_kinds >> kind) & 1) != 0;
			break;
		default:
			VRTC_DLOG(device, ERR, dev, "alarm: unknown mode %d", p->alarm_mode);
			return -EINVAL;
		}
		if (clocks[i].alarm) {
			found |= UINT32_C(1) << kind;
			if (len < sizeof(list))
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%u",
							len != 0 ? ", " : "", i);
		}
	}
	if (p->alarm_mode == VRTC_ALARM_KINDS && (p->alarm_kinds & ~found) != 0) {
		VRTC_DLOG(device, ERR, dev, "alarm: a clock named there is not one of the "
			  "device's clocks (clocks=)");
		return -EINVAL;
	}
	if (found != 0)
		VRTC_DLOG(device, INFO, dev, "alarms on clock id%s %s (VIRTIO_RTC_F_ALARM offered)",
			  strchr(list, ',') != NULL ? "s" : "", list);
	else
		VRTC_DLOG(device, INFO, dev, "no clock has an alarm: VIRTIO_RTC_F_ALARM not offered%s",
			  p->alarm_mode == VRTC_ALARM_DEFAULT ? " (no UTC_SMEARED clock)" : "");
	return 0;
}

static int
rtc_setup(struct vrtc_device *dev, const struct vrtc_device_params *p)
{
	static const enum vrtc_clock_kind default_clocks[] = {
		VRTC_CLOCK_UTC, VRTC_CLOCK_TAI, VRTC_CLOCK_MONOTONIC, VRTC_CLOCK_UTC_SMEARED,
	};
	struct vrtc_clock clocks[VRTC_MAX_CLOCKS];
	const enum vrtc_clock_kind *kinds = p->clocks;
	uint16_t nb = p->nb_clocks, i;
	struct rtc_dev *rtc;
	int rc, need_tai, smeared;

	if (nb == 0 && p->nb_app_clocks == 0) {
		kinds = default_clocks;
		nb = RTE_DIM(default_clocks);
	}
	if (nb > VRTC_MAX_CLOCKS) {
		VRTC_DLOG(device, ERR, dev, "clocks: %u given, at most %u", nb, VRTC_MAX_CLOCKS);
		return -EINVAL;
	}
	rc = check_kinds(dev, kinds, nb, &need_tai, &smeared);
	if (rc == 0)
		rc = app_clocks_check(dev, p, nb);
	if (rc != 0)
		return rc;
	if (p->tai_offset_s < -1 || p->tai_offset_s > 1000) {
		VRTC_DLOG(device, ERR, dev, "tai_offset: %d s is not a TAI - UTC offset (0..1000)",
			  p->tai_offset_s);
		return -EINVAL;
	}
	if (p->smear_mode != VRTC_SMEAR_MODE_NOON && p->smear_mode != VRTC_SMEAR_MODE_HOST) {
		VRTC_DLOG(device, ERR, dev, "smear: unknown mode %d", p->smear_mode);
		return -EINVAL;
	}
	/* The noon smear is computed from TAI: it needs TAI - UTC too. */
	need_tai |= smeared && p->smear_mode == VRTC_SMEAR_MODE_NOON;
	rtc = rte_zmalloc("vrtc_rtc_dev", sizeof(*rtc), RTE_CACHE_LINE_SIZE);
	if (rtc == NULL)
		return -ENOMEM;
	rtc->clock_cfg.tai_offset_s = p->tai_offset_s;
	rtc->clock_cfg.leap_seconds_file = NULL;
	rtc->clock_cfg.cross_host_tsc = p->cross_host_tsc != 0;
	rtc->clock_cfg.smear_host = p->smear_mode == VRTC_SMEAR_MODE_HOST;
	if (smeared) {
		/* First: the TAI offset's resolution then uses the same table. */
		rc = vrtc_smear_prepare(&rtc->clock_cfg);
		if (rc != 0 && kinds == default_clocks) {
			/* The default set must start on any host: without a
			 * leap-second table it is the three clocks before it. */
			VRTC_DLOG(device, WARNING, dev,
				  "no leap-second table: the default clock set goes without its "
				  "smeared clock (so no /dev/rtcN and no alarm in the guest); "
				  "install tzdata, or give smear=host on a host that smears");
			nb--;
			smeared = 0;
			need_tai = 1;
			rc = 0;
		}
		if (rc != 0) {
			VRTC_DLOG(device, ERR, dev, "smeared clock: %s (smear=host passes a host "
				  "clock that is already smeared through)", strerror(-rc));
			goto fail;
		}
	}
	if (need_tai) {
		int offset;

		rc = vrtc_tai_offset_resolve(&rtc->clock_cfg, &offset);
		if (rc != 0) {
			VRTC_DLOG(device, ERR, dev,
				  "%s clock: no TAI - UTC offset (kernel offset unset, no usable "
				  "leap-second table); give tai_offset=SECONDS",
				  smeared ? "TAI or smeared" : "TAI");
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
	rc = alarms_assign(dev, p, kinds, nb, clocks);
	if (rc != 0)
		goto fail;
	rc = vrtc_rtc_model_init(&rtc->model, clocks, (uint16_t)(nb + p->nb_app_clocks));
	if (rc != 0)
		goto fail;
	rtc->alarmq.deadline_ns = UINT64_MAX;
	rtc->alarmq.check_tsc = UINT64_MAX;
	dev->priv = rtc;
	dev->queues[VRTC_RTC_REQUESTQ].served = 1;
	dev->queues[VRTC_RTC_REQUESTQ].serve = rtc_serve_requestq;
	dev->queues[VRTC_RTC_ALARMQ].served = rtc->model.alarm_clocks != 0;
	dev->queues[VRTC_RTC_ALARMQ].serve = rtc_serve_alarmq;
	dev->queues[VRTC_RTC_ALARMQ].deadline = rtc_alarmq_deadline;
	dev->queues[VRTC_RTC_ALARMQ].holds_buffers = 1;
	return 0;
fail:
	vrtc_host_clock_cfg_fini(&rtc->clock_cfg);
	vrtc_phc_destroy(rtc->phc);
	rte_free(rtc);
	return rc;
}

static void
rtc_teardown(struct vrtc_device *dev)
{
	struct rtc_dev *rtc = rtc_of(dev);

	if (rtc != NULL) {
		rte_free(rtc->alarmq.gpa);
		vrtc_host_clock_cfg_fini(&rtc->clock_cfg);
		vrtc_phc_destroy(rtc->phc);
	}
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

VRTC_VQ_INLINE uint16_t
rtc_serve_requestq_ring(struct vrtc_queue *q, uint16_t burst, const enum vrtc_vq_layout layout)
{
	struct vrtc_rtc_model *model = &rtc_of(q->owner)->model;
	struct vrtc_chain chain;
	uint16_t n = vrtc_vq_avail(&q->vq, layout, burst), i;

	for (i = 0; i < n; i++) {
		int rc = vrtc_vq_pop(&q->vq, layout, &chain);

		if (rc != 0) {
			if (rc == -EBADMSG)
				continue; /* completed with length 0 and counted */
			break;		  /* ring broken */
		}
		vrtc_vq_push(&q->vq, layout, chain.head, vrtc_rtc_handle(model, &chain));
	}
	/* Chains popped: a packed avail count is only a bound (vq.h). */
	return i;
}

/* The layout is chosen once per burst. */
static uint16_t
rtc_serve_requestq(struct vrtc_queue *q, uint16_t burst)
{
	return vrtc_vq_layout(&q->vq) == VRTC_VQ_PACKED ? rtc_serve_requestq_ring(q, burst, VRTC_VQ_PACKED)
			 : rtc_serve_requestq_ring(q, burst, VRTC_VQ_SPLIT);
}

/* ---- alarmq ------------------------------------------------------------------------ */

static inline int
alarms_negotiated(const struct rtc_dev *rtc)
{
	return vrtc_feature_has(rtc->model.features, VRTC_VIRTIO_RTC_F_ALARM);
}

/* Look at the alarms now; the next look is due at the deadline they give,
 * and, while busy polling, within ALARM_BUSY_RECHECK_NS whatever it is. */
static void
alarms_evaluate(struct rtc_dev *rtc, uint64_t mono_now)
{
	struct alarmq *aq = &rtc->alarmq;
	uint64_t in;

	aq->clock_steps = vrtc_poller_clock_steps();
	aq->deadline_ns = vrtc_rtc_alarms_evaluate(&rtc->model, mono_now);
	if (aq->deadline_ns == UINT64_MAX) {
		aq->check_tsc = UINT64_MAX;
		return;
	}
	in = aq->deadline_ns > mono_now ? aq->deadline_ns - mono_now : 0;
	if (in > ALARM_BUSY_RECHECK_NS)
		in = ALARM_BUSY_RECHECK_NS;
	aq->check_tsc = rte_get_tsc_cycles() + in * rte_get_tsc_hz() / UINT64_C(1000000000);
}

static inline int
alarms_due(const struct rtc_dev *rtc)
{
	return rtc->model.alarms_dirty || rte_get_tsc_cycles() >= rtc->alarmq.check_tsc ||
	       vrtc_poller_clock_steps() != rtc->alarmq.clock_steps;
}

/* Complete what can be completed, in FIFO order: bad and short buffers
 * empty, the others with a notification while one is pending. */
/* Packed: keep the guest addresses of the first VRTC_RTC_NOTIF_BYTES
 * writable bytes of a popped buffer (the segments carry them). */
static void
held_gpa_save(struct held_gpa *h, const struct vrtc_chain *chain)
{
	uint32_t want = VRTC_RTC_NOTIF_BYTES;
	uint16_t i;

	h->nb = 0;
	for (i = 0; i < chain->nb_writable && want != 0; i++) {
		const struct vrtc_seg *sg = vrtc_chain_writable_seg(chain, i);
		uint32_t len = sg->len < want ? sg->len : want;

		h->seg[h->nb].gpa = sg->gpa;
		h->seg[h->nb].len = len;
		h->nb++;
		want -= len;
	}
	if (want != 0)
		h->nb = 0;
}

/* Packed: translate a held buffer again through the current map into
 * @p segs (VRTC_RTC_NOTIF_BYTES entries). 0, or -EBADMSG when a range is
 * no longer guest memory. */
static int
held_gpa_chain(const struct held_gpa *h, const struct vrtc_mem *mem, uint16_t id,
	       struct vrtc_seg *segs, struct vrtc_chain *chain)
{
	uint32_t hint = 0, total = 0;
	uint8_t i;

	if (h->nb == 0)
		return -EBADMSG;
	for (i = 0; i < h->nb; i++) {
		segs[i].addr = vrtc_mem_translate(mem, &hint, h->seg[i].gpa, h->seg[i].len);
		if (segs[i].addr == NULL)
			return -EBADMSG;
		segs[i].gpa = h->seg[i].gpa;
		segs[i].len = h->seg[i].len;
		total += h->seg[i].len;
	}
	chain->head = id;
	chain->nb_readable = 0;
	chain->nb_writable = h->nb;
	chain->readable_bytes = 0;
	chain->writable_bytes = total;
	chain->segs = segs;
	chain->log = mem->log;
	return 0;
}

VRTC_VQ_INLINE uint16_t
alarmq_complete(struct vrtc_queue *q, struct rtc_dev *rtc, const enum vrtc_vq_layout layout)
{
	struct alarmq *aq = &rtc->alarmq;
	struct vrtc_seg segs[VRTC_RTC_NOTIF_BYTES];
	struct vrtc_chain chain;
	uint16_t done = 0;

	if (vrtc_vq_broken(&q->vq) != VRTC_VQ_OK)
		return 0; /* the guest broke the ring: nothing more is completed */
	while (aq->count != 0) {
		uint16_t e = aq->held[aq->first], head = (uint16_t)(e & ~HELD_BAD);
		uint32_t len = 0;

		if (!(e & HELD_BAD)) {
			int rc;

			if (!vrtc_rtc_alarm_pending(&rtc->model))
				break;
			/* Translated again: the buffer was popped bursts ago. */
			if (layout == VRTC_VQ_PACKED)
				rc = held_gpa_chain(&aq->gpa[head], vrtc_vq_mem(&q->vq), head, segs,
						    &chain);
			else
				rc = vrtc_vq_split_chain_again(&q->vq, head, &chain);
			if (rc == -EIO)
				break; /* queue broken: nothing more is completed */
			if (rc != 0)
				aq->bad_buffers++;
			else if (chain.writable_bytes < VRTC_RTC_NOTIF_BYTES)
				aq->short_buffers++;
			else
				len = vrtc_rtc_alarm_deliver(&rtc->model, &chain);
		}
		vrtc_vq_push(&q->vq, layout, head, len);
		aq->first = (uint16_t)((aq->first + 1) & HELD_MASK);
		aq->count--;
		done++;
	}
	return done;
}

VRTC_VQ_INLINE uint16_t
rtc_serve_alarmq_ring(struct vrtc_queue *q, uint16_t burst, const enum vrtc_vq_layout layout)
{
	struct rtc_dev *rtc = rtc_of(q->owner);
	struct alarmq *aq = &rtc->alarmq;
	struct vrtc_chain chain;
	uint16_t n, i, work = 0;

	/* Without F_ALARM there is no alarmq: its buffers are not touched. */
	if (!alarms_negotiated(rtc))
		return 0;
	n = vrtc_vq_avail(&q->vq, layout, burst);
	for (i = 0; i < n; i++) {
		int rc = vrtc_vq_pop(&q->vq, layout, &chain);
		uint16_t e;

		if (rc == 0) {
			e = chain.head;
			if (chain.writable_bytes < VRTC_RTC_NOTIF_BYTES) {
				e |= HELD_BAD;
				aq->short_buffers++;
			} else if (layout == VRTC_VQ_PACKED) {
				held_gpa_save(&aq->gpa[chain.head], &chain);
			}
		} else if (rc == -EBADMSG) {
			e = (uint16_t)(chain.head | HELD_BAD);
			aq->bad_buffers++;
		} else {
			break;
		}
		/* At most a queue size is in flight (the engine checks), so
		 * the FIFO cannot overflow. */
		aq->held[(aq->first + aq->count) & HELD_MASK] = e;
		aq->count++;
	}
	if (alarms_due(rtc))
		alarms_evaluate(rtc, vrtc_clock_ns(CLOCK_MONOTONIC));
	work = alarmq_complete(q, rtc, layout);
	return (uint16_t)(work + i);
}

/* The layout is chosen once per burst. */
static uint16_t
rtc_serve_alarmq(struct vrtc_queue *q, uint16_t burst)
{
	return vrtc_vq_layout(&q->vq) == VRTC_VQ_PACKED ? rtc_serve_alarmq_ring(q, burst, VRTC_VQ_PACKED) : rtc_serve_alarmq_ring(q, burst, VRTC_VQ_SPLIT);
}

static uint64_t
rtc_alarmq_deadline(struct vrtc_queue *q, uint64_t mono_now_ns)
{
	struct rtc_dev *rtc = rtc_of(q->owner);
	struct alarmq *aq = &rtc->alarmq;

	if (!alarms_negotiated(rtc) || vrtc_vq_broken(&q->vq) != VRTC_VQ_OK)
		return UINT64_MAX;
	if (rtc->model.alarms_dirty || mono_now_ns >= aq->deadline_ns ||
	    vrtc_poller_clock_steps() != aq->clock_steps)
		alarms_evaluate(rtc, mono_now_ns);
	if (aq->count != 0 &&
	    ((aq->held[aq->first] & HELD_BAD) || vrtc_rtc_alarm_pending(&rtc->model)))
		return 0; /* a buffer can be completed now */
	return aq->deadline_ns;
}

/* The poller gave the alarmq back: forget the held buffers, which the stop
 * handed back to the ring (rewound) and the restart pops again. */
static void
rtc_queue_stopped(struct vrtc_device *dev, struct vrtc_queue *q)
{
	struct alarmq *aq = &rtc_of(dev)->alarmq;

	if (q->qid != VRTC_RTC_ALARMQ)
		return;
	aq->first = 0;
	aq->count = 0;
	rte_free(aq->gpa);
	aq->gpa = NULL;
}

/* A packed alarmq keeps its held buffers' guest addresses by buffer id. */
static int
rtc_queue_starting(struct vrtc_device *dev, struct vrtc_queue *q)
{
	struct alarmq *aq = &rtc_of(dev)->alarmq;

	if (q->qid != VRTC_RTC_ALARMQ || vrtc_vq_layout(&q->vq) != VRTC_VQ_PACKED)
		return 0;
	rte_free(aq->gpa);
	aq->gpa = rte_zmalloc("vrtc_alarmq_gpa", sizeof(*aq->gpa) * vrtc_vq_size(&q->vq), 0);
	return aq->gpa != NULL ? 0 : -ENOMEM;
}

/* A new front-end is a new guest, maybe another one: it gets no alarm of
 * the previous one. */
static void
rtc_disconnected(struct vrtc_device *dev)
{
	vrtc_rtc_alarms_reset(&rtc_of(dev)->model);
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
		{ "rtc_alarms_set", rtc_of(dev)->model.alarm_stats.set },
		{ "rtc_alarms_enabled_set", rtc_of(dev)->model.alarm_stats.enabled_set },
		{ "rtc_alarms_expired", rtc_of(dev)->model.alarm_stats.expired },
		{ "rtc_alarm_notifications", rtc_of(dev)->model.alarm_stats.notifications },
		{ "rtc_alarms_cancelled", rtc_of(dev)->model.alarm_stats.cancelled },
		{ "rtc_alarms_coalesced", rtc_of(dev)->model.alarm_stats.coalesced },
		{ "rtc_alarm_evaluations", rtc_of(dev)->model.alarm_stats.evaluations },
		{ "rtc_alarmq_held", rtc_of(dev)->alarmq.count },
		{ "rtc_alarmq_short_buffers", rtc_of(dev)->alarmq.short_buffers },
		{ "rtc_alarmq_bad_buffers", rtc_of(dev)->alarmq.bad_buffers },
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

/* A clock name of clocks= and alarm= ("utc", "tai", "mono", ...). */
static int
clock_kind_parse(const char *name, enum vrtc_clock_kind *kind)
{
	enum vrtc_host_clock hc;

	if (vrtc_host_clock_parse(name, &hc) != 0)
		return -EINVAL;
	switch (hc) {
	case VRTC_HOST_CLOCK_UTC:
		*kind = VRTC_CLOCK_UTC;
		return 0;
	case VRTC_HOST_CLOCK_TAI:
		*kind = VRTC_CLOCK_TAI;
		return 0;
	case VRTC_HOST_CLOCK_MONOTONIC:
		*kind = VRTC_CLOCK_MONOTONIC;
		return 0;
	case VRTC_HOST_CLOCK_UTC_SMEARED:
		*kind = VRTC_CLOCK_UTC_SMEARED;
		return 0;
	default:
		return -EINVAL;
	}
}

/* 'utc+tai+mono+smeared': every item non-empty, known and given once. A
 * phc:PATH:TYPE item sets ctx's PHC; with @p ctx NULL (alarm=) it is
 * refused: no alarm on a PHC clock. */
static int
parse_clocks(struct vrtc_arg_ctx *ctx, const char *value, enum vrtc_clock_kind *clocks,
	     uint16_t *nb)
{
	const char *tok = value, *end;
	uint16_t n = 0, i;

	if (value == NULL || value[0] == '\0')
		return -EINVAL;
	for (;;) {
		enum vrtc_clock_kind kind;
		char name[16];
		size_t len;

		end = strchr(tok, '+');
		len = end != NULL ? (size_t)(end - tok) : strlen(tok);
		if (len > 4 && strncmp(tok, "phc:", 4) == 0) {
			if (ctx == NULL || n == VRTC_MAX_CLOCKS ||
			    parse_phc_item(ctx, tok, len) != 0)
				return -EINVAL;
			kind = VRTC_CLOCK_PHC;
			goto add;
		}
		/* Empty items: a leading, trailing or doubled '+'. */
		if (len == 0 || len >= sizeof(name) || n == VRTC_MAX_CLOCKS)
			return -EINVAL;
		memcpy(name, tok, len);
		name[len] = '\0';
		if (clock_kind_parse(name, &kind) != 0)
			return -EINVAL;
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

/* alarm=0|1|NAME[+NAME...] */
static int
on_alarm(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
{
	enum vrtc_clock_kind kinds[VRTC_MAX_CLOCKS];
	uint32_t mask = 0;
	uint16_t nb, i;

	if (value != NULL && (strcmp(value, "0") == 0 || strcmp(value, "off") == 0)) {
		ctx->p->alarm_mode = VRTC_ALARM_OFF;
		return 0;
	}
	if (value != NULL && (strcmp(value, "1") == 0 || strcmp(value, "on") == 0)) {
		ctx->p->alarm_mode = VRTC_ALARM_DEFAULT;
		return 0;
	}
	if (parse_clocks(NULL, value, kinds, &nb) == 0) {
		for (i = 0; i < nb; i++)
			mask |= UINT32_C(1) << kinds[i];
		ctx->p->alarm_mode = VRTC_ALARM_KINDS;
		ctx->p->alarm_kinds = mask;
		return 0;
	}
	VRTC_ARG_ERR(ctx, key, value,
		"expected 0 (no alarm), 1 (alarms on the UTC_SMEARED clock) or clock names "
		"of clocks= joined by '+' (e.g. utc+smeared)");
	return -EINVAL;
}

static int
on_clocks(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
{
	if (parse_clocks(ctx, value, ctx->p->clocks, &ctx->p->nb_clocks) == 0)
		return 0;
	VRTC_ARG_ERR(ctx, key, value,
		"expected clock names joined by '+', each once, from utc, tai, mono, smeared and "
		"one phc:PATH:tai or phc:PATH:utc (e.g. utc+tai+mono+smeared+phc:/dev/ptp0:tai)");
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

/* smear=noon|host */
static int
on_smear(struct vrtc_arg_ctx *ctx, const char *key, const char *value)
{
	if (value != NULL && strcmp(value, "noon") == 0) {
		ctx->p->smear_mode = VRTC_SMEAR_MODE_NOON;
		return 0;
	}
	if (value != NULL && strcmp(value, "host") == 0) {
		ctx->p->smear_mode = VRTC_SMEAR_MODE_HOST;
		return 0;
	}
	VRTC_ARG_ERR(ctx, key, value,
		"expected noon (smear leap seconds noon to noon, the default) or host (the "
		"host's clock is already smeared: pass it through)");
	return -EINVAL;
}

static const struct vrtc_arg_key rtc_arg_keys[] = {
	{ "clocks", on_clocks },
	{ "tai_offset", on_tai_offset },
	{ "cross_tsc", on_cross_tsc },
	{ "alarm", on_alarm },
	{ "smear", on_smear },
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
	.queue_starting = rtc_queue_starting,
	.queue_stopped = rtc_queue_stopped,
	.disconnected = rtc_disconnected,
	.stats_get = rtc_stats_get,
	.xstats_get = rtc_xstats_get,
};
