/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Tests of lib/virtio_rtc/guest_write.[ch]: with a recording dirty log on
 * the fake guest's memory map, each kind of device write (a READ response,
 * an rng fill over several segments, an alarm notification, used-ring and
 * used-descriptor updates, event suppression stores) reports exactly the
 * guest ranges written, in order; and every guest byte the device changed
 * lies in a reported range (a snapshot of guest memory is compared).
 */

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "clock.h"
#include "entropy.h"
#include "fake_driver.h"
#include "fake_packed.h"
#include "guest_write.h"
#include "rng_model.h"
#include "rtc_model.h"
#include "test.h"
#include "vrtc_wire.h"

#define F(bit) (UINT64_C(1) << (bit))
#define QSIZE 8
#define REGION0_GPA UINT64_C(0x100000)
#define REGION1_GPA UINT64_C(0x40000000)
#define T0 (UINT64_C(1800000000) * UINT64_C(1000000000))

/* Split used area: flags, idx, ring[QSIZE], avail_event. */
#define USED_FLAGS(q) ((q)->used_gpa)
#define USED_IDX(q) ((q)->used_gpa + 2)
#define USED_ELEM(q, slot) ((q)->used_gpa + 4 + 8 * (uint64_t)(slot))
#define AVAIL_EVENT(q) ((q)->used_gpa + 4 + 8 * (uint64_t)QSIZE)
/* Packed descriptor (addr 8, len 4, id 2, flags 2). */
#define PDESC(q, off, field) ((q)->desc_gpa + 16 * (uint64_t)(off) + (field))

struct range {
	uint64_t gpa, len;
};

static struct fake_guest g;
static struct fake_dirty_log dl;
static uint8_t *snap[FAKE_MAX_REGIONS];

static int
guest_up(void)
{
	static const struct fake_region_spec spec[2] = {
		{ REGION0_GPA, 64 * 1024 },
		{ REGION1_GPA, 64 * 1024 },
	};

	if (fake_guest_init(&g, spec, 2) != 0)
		return -ENOMEM;
	fake_dirty_log_attach(&dl, &g);
	return 0;
}

static void
guest_down(void)
{
	fake_guest_snapshot_free(snap);
	fake_guest_fini(&g);
}

/* Start watching: what the device writes from here on is checked. */
static int
watch(void)
{
	fake_guest_snapshot_free(snap);
	fake_dirty_log_clear(&dl);
	return fake_guest_snapshot(&g, snap);
}

/* The log holds exactly @p exp, in order, and covers every changed byte. */
static int
logged_exactly(const struct range *exp, uint32_t n)
{
	uint32_t i;

	if (dl.dropped != 0 || dl.nb != n) {
		fprintf(stderr, "logged %u ranges (%u dropped), expected %u:\n", dl.nb, dl.dropped,
			n);
		for (i = 0; i < dl.nb; i++)
			fprintf(stderr, "  0x%" PRIx64 " +%" PRIu64 "\n", dl.r[i].gpa, dl.r[i].len);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (dl.r[i].gpa != exp[i].gpa || dl.r[i].len != exp[i].len) {
			fprintf(stderr,
				"range %u: logged 0x%" PRIx64 " +%" PRIu64 ", expected 0x%" PRIx64
				" +%" PRIu64 "\n",
				i, dl.r[i].gpa, dl.r[i].len, exp[i].gpa, exp[i].len);
			return 0;
		}
	}
	return fake_dirty_log_covers(&dl, &g, snap);
}

#define LOGGED(...)                                                                              \
	logged_exactly((const struct range[]){ __VA_ARGS__ },                                    \
		       sizeof((const struct range[]){ __VA_ARGS__ }) / sizeof(struct range))

/* A clock that reads what the test says. */
static uint64_t clock_ns = T0;

static int
fixed_read(void *ctx, uint64_t *ns)
{
	(void)ctx;
	*ns = clock_ns;
	return 0;
}

static const struct vrtc_clock_ops fixed_ops = { .read = fixed_read };

static void
read_request(uint8_t *req)
{
	struct vrtc_rtc_req_read r;

	memset(&r, 0, sizeof(r));
	r.head.msg_type = htole16(VRTC_RTC_REQ_READ);
	r.clock_id = htole16(0);
	memcpy(req, &r, sizeof(r));
}

/* A READ on a split ring: the 16-byte response, its used element, used->idx. */
static void
test_read_split(void)
{
	struct vrtc_clock clk = { VRTC_RTC_CLOCK_MONOTONIC, 0, &fixed_ops, NULL, 0 };
	struct vrtc_rtc_model m;
	struct fake_queue q;
	struct vrtc_chain chain;
	uint64_t req_gpa, resp_gpa;
	uint8_t *req, *resp;
	uint32_t len;

	T_CHECK(guest_up() == 0);
	T_CHECK(fake_queue_init(&q, &g, QSIZE, F(VRTC_VIRTIO_F_VERSION_1)) == 0);
	T_CHECK(vrtc_rtc_model_init(&m, &clk, 1) == 0);
	req = fake_guest_alloc(&g, 0, 16, 16, &req_gpa);
	resp = fake_guest_alloc(&g, 1, 64, 16, &resp_gpa); /* larger than the response */
	T_CHECK(req != NULL && resp != NULL);
	read_request(req);
	{
		struct vrtc_drvq_buf b[2] = { { req_gpa, 16, 0 }, { resp_gpa, 64, 1 } };

		T_CHECK(vrtc_drvq_add(&q.drv, b, 2, resp) >= 0);
	}
	vrtc_drvq_kick_prepare(&q.drv);

	T_CHECK(watch() == 0);
	T_EQ(vrtc_vq_split_avail(&q.dev, 8), 1);
	T_EQ_INT(vrtc_vq_split_pop(&q.dev, &chain), 0);
	len = vrtc_rtc_handle(&m, &chain);
	T_EQ(len, 16);
	T_EQ(resp[0], VRTC_RTC_S_OK);
	vrtc_vq_split_push(&q.dev, chain.head, len);
	vrtc_vq_split_flush(&q.dev);
	T_CHECK(LOGGED({ resp_gpa, 16 }, { USED_ELEM(&q, 0), 8 }, { USED_IDX(&q), 2 }));

	/* Without a log, the same request records nothing and is served alike. */
	vrtc_mem_set_log(&g.mem, NULL);
	T_CHECK(vrtc_drvq_get_used(&q.drv, (struct vrtc_drvq_done[1]){ { 0 } }, 1) == 1);
	{
		struct vrtc_drvq_buf b[2] = { { req_gpa, 16, 0 }, { resp_gpa, 64, 1 } };

		T_CHECK(vrtc_drvq_add(&q.drv, b, 2, resp) >= 0);
	}
	vrtc_drvq_kick_prepare(&q.drv);
	fake_dirty_log_clear(&dl);
	memset(resp, 0xAA, 16);
	T_EQ(vrtc_vq_split_avail(&q.dev, 8), 1);
	T_EQ_INT(vrtc_vq_split_pop(&q.dev, &chain), 0);
	T_CHECK(chain.log == NULL);
	T_EQ(vrtc_rtc_handle(&m, &chain), 16);
	T_EQ(resp[0], VRTC_RTC_S_OK);
	vrtc_vq_split_push(&q.dev, chain.head, 16);
	vrtc_vq_split_flush(&q.dev);
	T_EQ(dl.nb, 0);

	fake_queue_fini(&q);
	guest_down();
}

/* Two READs in one packed burst: the responses, the first used
 * descriptor's len and id at push and its flags at flush, the second
 * descriptor's len, id and flags at push. */
static void
test_read_packed(void)
{
	struct vrtc_clock clk = { VRTC_RTC_CLOCK_MONOTONIC, 0, &fixed_ops, NULL, 0 };
	struct vrtc_rtc_model m;
	struct fake_pqueue q;
	struct vrtc_chain chain;
	uint64_t req_gpa[2], resp_gpa[2];
	uint8_t *req[2], *resp[2];
	unsigned int i;

	T_CHECK(guest_up() == 0);
	T_CHECK(fake_pqueue_init(&q, &g, QSIZE, F(VRTC_VIRTIO_F_VERSION_1)) == 0);
	T_CHECK(vrtc_rtc_model_init(&m, &clk, 1) == 0);
	for (i = 0; i < 2; i++) {
		struct vrtc_drvq_buf b[2];

		req[i] = fake_guest_alloc(&g, 0, 16, 16, &req_gpa[i]);
		resp[i] = fake_guest_alloc(&g, 1, 16, 16, &resp_gpa[i]);
		T_CHECK(req[i] != NULL && resp[i] != NULL);
		read_request(req[i]);
		b[0] = (struct vrtc_drvq_buf){ req_gpa[i], 16, 0 };
		b[1] = (struct vrtc_drvq_buf){ resp_gpa[i], 16, 1 };
		T_CHECK(fake_pdrv_add(&q, b, 2, resp[i]) >= 0);
	}
	fake_pdrv_kick_prepare(&q);

	T_CHECK(watch() == 0);
	T_CHECK(vrtc_vq_packed_avail(&q.dev, 8) >= 2); /* a bound: pop ends the burst */
	for (i = 0; i < 2; i++) {
		T_EQ_INT(vrtc_vq_packed_pop(&q.dev, &chain), 0);
		T_EQ(vrtc_rtc_handle(&m, &chain), 16);
		T_EQ_INT(vrtc_vq_packed_push(&q.dev, chain.head, 16), 0);
	}
	vrtc_vq_packed_flush(&q.dev);
	/* Each chain took two ring descriptors: used ones at offsets 0 and 2. */
	T_CHECK(LOGGED({ resp_gpa[0], 16 }, { PDESC(&q, 0, 8), 6 }, { resp_gpa[1], 16 },
		       { PDESC(&q, 2, 8), 8 }, { PDESC(&q, 0, 14), 2 }));

	fake_pqueue_fini(&q);
	guest_down();
}

/* A deterministic source, so that every filled byte changes. */
static int
fill_c3(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0xC3, len);
	return 0;
}

/* rng over three writable segments in two regions, the last one cut by the
 * byte budget: one in-place range per segment, as far as it was filled. */
static void
test_rng_multi_segment(void)
{
	struct vrtc_entropy *src = NULL;
	struct vrtc_rng_stats st = { 0 };
	struct fake_queue q;
	struct vrtc_chain chain;
	uint64_t a, b, c;
	uint8_t *pa, *pb, *pc;

	T_CHECK(guest_up() == 0);
	T_CHECK(fake_queue_init(&q, &g, QSIZE, F(VRTC_VIRTIO_F_VERSION_1)) == 0);
	T_CHECK(vrtc_entropy_create_callback(fill_c3, NULL, &src) == 0);
	pa = fake_guest_alloc(&g, 0, 10, 1, &a);
	pb = fake_guest_alloc(&g, 1, 20, 1, &b);
	pc = fake_guest_alloc(&g, 0, 30, 1, &c);
	T_CHECK(pa != NULL && pb != NULL && pc != NULL);
	{
		struct vrtc_drvq_buf bufs[3] = { { a, 10, 1 }, { b, 20, 1 }, { c, 30, 1 } };

		T_CHECK(vrtc_drvq_add(&q.drv, bufs, 3, pa) >= 0);
	}
	vrtc_drvq_kick_prepare(&q.drv);

	T_CHECK(watch() == 0);
	T_EQ(vrtc_vq_split_avail(&q.dev, 8), 1);
	T_EQ_INT(vrtc_vq_split_pop(&q.dev, &chain), 0);
	T_EQ(chain.nb_writable, 3);
	T_EQ(vrtc_rng_handle(src, &chain, 40, &st), 40);
	vrtc_vq_split_push(&q.dev, chain.head, 40);
	vrtc_vq_split_flush(&q.dev);
	T_CHECK(t_all_bytes_are(pc, 10, 0xC3) && t_all_bytes_are(pc + 10, 20, 0));
	T_CHECK(LOGGED({ a, 10 }, { b, 20 }, { c, 10 }, { USED_ELEM(&q, 0), 8 },
		       { USED_IDX(&q), 2 }));

	vrtc_entropy_destroy(src);
	fake_queue_fini(&q);
	guest_down();
}

/* An alarm notification into a held alarmq buffer, walked again at
 * delivery as dev_rtc.c does for a split ring: the 16 notification bytes
 * (of a 32-byte buffer split over two regions: 8 + 24), used element, idx. */
static void
test_alarm_notification(void)
{
	struct vrtc_clock clk = { VRTC_RTC_CLOCK_MONOTONIC, 0, &fixed_ops, NULL, 1 };
	struct vrtc_rtc_model m;
	struct fake_queue q;
	struct vrtc_chain chain;
	uint64_t a, b;
	uint8_t *pa, *pb;
	uint16_t head;

	T_CHECK(guest_up() == 0);
	T_CHECK(fake_queue_init(&q, &g, QSIZE, F(VRTC_VIRTIO_F_VERSION_1)) == 0);
	clock_ns = T0;
	T_CHECK(vrtc_rtc_model_init(&m, &clk, 1) == 0);
	vrtc_rtc_model_set_features(&m, F(VRTC_VIRTIO_RTC_F_ALARM));
	{
		/* SET_ALARM through a private chain (not guest memory: no log). */
		struct vrtc_rtc_req_set_alarm r;
		uint8_t rs[32];
		struct vrtc_seg segs[2] = { { (uint8_t *)&r, sizeof(r) }, { rs, sizeof(rs) } };
		struct vrtc_chain c = { .head = 0, .nb_readable = 1, .nb_writable = 1,
					.readable_bytes = sizeof(r), .writable_bytes = sizeof(rs),
					.segs = segs };

		memset(&r, 0, sizeof(r));
		r.head.msg_type = htole16(VRTC_RTC_REQ_SET_ALARM);
		r.alarm_time = htole64(T0 + 1000);
		r.clock_id = htole16(0);
		r.flags = VRTC_RTC_FLAG_ALARM_ENABLED;
		T_EQ(vrtc_rtc_handle(&m, &c), 8);
		T_EQ(rs[0], VRTC_RTC_S_OK);
	}
	pa = fake_guest_alloc(&g, 0, 8, 8, &a);
	pb = fake_guest_alloc(&g, 1, 24, 8, &b);
	T_CHECK(pa != NULL && pb != NULL);
	{
		struct vrtc_drvq_buf bufs[2] = { { a, 8, 1 }, { b, 24, 1 } };

		T_CHECK(vrtc_drvq_add(&q.drv, bufs, 2, pa) >= 0);
	}
	vrtc_drvq_kick_prepare(&q.drv);

	T_CHECK(watch() == 0);
	T_EQ(vrtc_vq_split_avail(&q.dev, 8), 1);
	T_EQ_INT(vrtc_vq_split_pop(&q.dev, &chain), 0); /* held: nothing written */
	head = chain.head;
	T_EQ(dl.nb, 0);
	clock_ns = T0 + 2000;
	vrtc_rtc_alarms_evaluate(&m, 0);
	T_CHECK(vrtc_rtc_alarm_pending(&m));
	T_EQ_INT(vrtc_vq_split_chain_again(&q.dev, head, &chain), 0);
	T_EQ(vrtc_rtc_alarm_deliver(&m, &chain), VRTC_RTC_NOTIF_BYTES);
	vrtc_vq_split_push(&q.dev, head, VRTC_RTC_NOTIF_BYTES);
	vrtc_vq_split_flush(&q.dev);
	T_CHECK(LOGGED({ a, 8 }, { b, 8 }, { USED_ELEM(&q, 0), 8 }, { USED_IDX(&q), 2 }));

	fake_queue_fini(&q);
	guest_down();
}

/* Event suppression stores: used->flags, avail_event (split), the device
 * event area (packed), at kicks on/off and at flush. */
static void
test_suppression_stores(void)
{
	const uint64_t ev = F(VRTC_VIRTIO_F_VERSION_1) | F(VRTC_VIRTIO_RING_F_EVENT_IDX);
	struct fake_queue q, qe;
	struct fake_pqueue pq;
	struct vrtc_chain chain;
	uint64_t w;

	T_CHECK(guest_up() == 0);
	T_CHECK(fake_queue_init(&q, &g, QSIZE, F(VRTC_VIRTIO_F_VERSION_1)) == 0);
	T_CHECK(fake_queue_init(&qe, &g, QSIZE, ev) == 0);
	T_CHECK(fake_pqueue_init(&pq, &g, QSIZE, ev) == 0);
	T_CHECK(fake_guest_alloc(&g, 1, 16, 16, &w) != NULL);

	T_CHECK(watch() == 0);
	vrtc_vq_split_kicks_disable(&q.dev);
	vrtc_vq_split_kicks_enable(&q.dev);
	T_CHECK(LOGGED({ USED_FLAGS(&q), 2 }, { USED_FLAGS(&q), 2 }));

	T_CHECK(watch() == 0);
	vrtc_vq_split_kicks_disable(&qe.dev);
	vrtc_vq_split_kicks_enable(&qe.dev);
	T_CHECK(LOGGED({ AVAIL_EVENT(&qe), 2 }, { AVAIL_EVENT(&qe), 2 }));

	/* A flush with EVENT_IDX and kicks on moves avail_event too. */
	T_CHECK(vrtc_drvq_add(&qe.drv, (struct vrtc_drvq_buf[1]){ { w, 16, 1 } }, 1, &w) >= 0);
	vrtc_drvq_kick_prepare(&qe.drv);
	T_CHECK(watch() == 0);
	T_EQ(vrtc_vq_split_avail(&qe.dev, 8), 1);
	T_EQ_INT(vrtc_vq_split_pop(&qe.dev, &chain), 0);
	vrtc_vq_split_push(&qe.dev, chain.head, 0); /* nothing written into the buffer */
	vrtc_vq_split_flush(&qe.dev);
	T_CHECK(LOGGED({ USED_ELEM(&qe, 0), 8 }, { USED_IDX(&qe), 2 }, { AVAIL_EVENT(&qe), 2 }));

	/* Packed: the device event area, 4 bytes. */
	T_CHECK(watch() == 0);
	vrtc_vq_packed_kicks_disable(&pq.dev);
	vrtc_vq_packed_kicks_enable(&pq.dev);
	T_CHECK(LOGGED({ pq.device_gpa, 4 }, { pq.device_gpa, 4 }));
	T_CHECK(fake_pdrv_add(&pq, (struct vrtc_drvq_buf[1]){ { w, 16, 1 } }, 1, &w) >= 0);
	fake_pdrv_kick_prepare(&pq);
	T_CHECK(watch() == 0);
	T_CHECK(vrtc_vq_packed_avail(&pq.dev, 8) >= 1); /* a bound */
	T_EQ_INT(vrtc_vq_packed_pop(&pq.dev, &chain), 0);
	T_EQ_INT(vrtc_vq_packed_push(&pq.dev, chain.head, 0), 0);
	vrtc_vq_packed_flush(&pq.dev);
	T_CHECK(LOGGED({ PDESC(&pq, 0, 8), 6 }, { PDESC(&pq, 0, 14), 2 }, { pq.device_gpa, 4 }));

	fake_pqueue_fini(&pq);
	fake_queue_fini(&qe);
	fake_queue_fini(&q);
	guest_down();
}

/* A queue set up by host addresses (the vhost-user path) finds its ring's
 * guest addresses in the map; a ring outside the map logs nothing. */
static void
test_host_address_init(void)
{
	struct vrtc_vq_config cfg;
	struct vrtc_vq_config pcfg;
	struct fake_queue q;
	struct fake_pqueue pq;
	struct vrtc_vq vq;
	struct vrtc_vq vqp;
	struct vrtc_mem_region none[1] = { { 0, 0, 0 } };
	struct vrtc_mem other;
	uint64_t gpa = 0;

	T_CHECK(guest_up() == 0);
	T_CHECK(fake_queue_init(&q, &g, QSIZE, F(VRTC_VIRTIO_F_VERSION_1)) == 0);
	T_CHECK(fake_pqueue_init(&pq, &g, QSIZE, F(VRTC_VIRTIO_F_VERSION_1)) == 0);

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = QSIZE;
	cfg.features = F(VRTC_VIRTIO_F_VERSION_1);
	cfg.mem = &g.mem;
	cfg.desc = q.dev.vring.desc;
	cfg.avail = q.dev.vring.avail;
	cfg.used = q.dev.vring.used;
	T_EQ_INT(vrtc_vq_init(&vq, &cfg), 0);
	T_EQ(vq.used_gpa_ok, 1);
	T_EQ(vq.used_gpa, q.used_gpa);
	vrtc_vq_fini(&vq);

	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.layout = VRTC_VQ_PACKED;
	pcfg.size = QSIZE;
	pcfg.features = F(VRTC_VIRTIO_F_VERSION_1) | F(VRTC_VIRTIO_F_RING_PACKED);
	pcfg.mem = &g.mem;
	pcfg.desc = pq.dev.ring.desc;
	pcfg.driver = pq.dev.ring.driver;
	pcfg.device = pq.dev.ring.device;
	pcfg.avail_off_wrap = pcfg.used_off_wrap = 1u << VRTC_PVIRTQ_EVENT_WRAP_SHIFT;
	T_EQ_INT(vrtc_vq_init(&vqp, &pcfg), 0);
	T_EQ(vqp.ring_gpa_ok, 1);
	T_EQ(vqp.desc_gpa, pq.desc_gpa);
	T_EQ(vqp.device_gpa, pq.device_gpa);
	vrtc_vq_fini(&vqp);

	/* The reverse lookup itself: inside, straddling the end, outside. */
	T_EQ_INT(vrtc_mem_gpa_of(&g.mem, g.r[1].host + 100, 28, &gpa), 0);
	T_EQ(gpa, REGION1_GPA + 100);
	T_EQ_INT(vrtc_mem_gpa_of(&g.mem, g.r[1].host + g.r[1].size - 4, 8, &gpa), -ENOENT);
	T_EQ_INT(vrtc_mem_gpa_of(&g.mem, &gpa, 8, &gpa), -ENOENT);
	T_EQ_INT(vrtc_mem_gpa_of(NULL, g.r[0].host, 8, &gpa), -ENOENT);

	/* Ring outside the map the queue logs through: unknown, not logged. */
	T_EQ_INT(vrtc_mem_init(&other, none, 0), 0);
	vrtc_mem_set_log(&other, &dl.log);
	cfg.mem = &other;
	T_EQ_INT(vrtc_vq_init(&vq, &cfg), 0);
	T_EQ(vq.used_gpa_ok, 0);
	fake_dirty_log_clear(&dl);
	vrtc_vq_split_kicks_disable(&vq);
	T_EQ(dl.nb, 0);
	vrtc_vq_fini(&vq);

	fake_pqueue_fini(&pq);
	fake_queue_fini(&q);
	guest_down();
}

static const struct t_case cases[] = {
	T_CASE(test_read_split),
	T_CASE(test_read_packed),
	T_CASE(test_rng_multi_segment),
	T_CASE(test_alarm_notification),
	T_CASE(test_suppression_stores),
	T_CASE(test_host_address_init),
};

T_MAIN(cases)
