/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Unit tests for the alarms of lib/virtio_rtc/rtc_model.c: every alarm
 * rule of the spec (VIRTIO 1.4, RTC device, alarm operation) against a
 * clock the test sets and steps, through the request handler, the
 * evaluation the poller runs and the notification writer.
 */

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "rtc_model.h"
#include "test.h"

#define CALL(x)                                                                                  \
	do {                                                                                       \
		x;                                                                                 \
		if (t_case_failed)                                                                 \
			return;                                                                    \
	} while (0)

/* A check inside a helper that returns a value: reported, not returned. */
#define V_CHECK(cond)                                                                            \
	do {                                                                                       \
		if (!(cond))                                                                       \
			T_FAIL_AT("check failed: %s", #cond);                                      \
	} while (0)

#define SEC UINT64_C(1000000000)
#define T0 (UINT64_C(1800000000) * SEC) /* the clocks start here */

struct set_clock {
	uint64_t ns;
	int read_ret;
};

static int
set_read(void *ctx, uint64_t *ns)
{
	struct set_clock *c = ctx;

	if (c->read_ret != 0)
		return c->read_ret;
	*ns = c->ns;
	return 0;
}

static const struct vrtc_clock_ops set_ops = { .read = set_read };

/* 0 UTC (no alarm), 1 UTC_SMEARED (alarm), 2 MONOTONIC (alarm). */
static struct set_clock clk[3];
static struct vrtc_rtc_model model;
static uint64_t mono; /* the poller's CLOCK_MONOTONIC, for deadlines */

static void
setup(int with_alarm_feature)
{
	struct vrtc_clock clocks[3] = {
		{ VRTC_RTC_CLOCK_UTC, 0, &set_ops, &clk[0], 0 },
		{ VRTC_RTC_CLOCK_UTC_SMEARED, VRTC_RTC_SMEAR_NOON_LINEAR, &set_ops, &clk[1], 1 },
		{ VRTC_RTC_CLOCK_MONOTONIC, 0, &set_ops, &clk[2], 1 },
	};

	memset(clk, 0, sizeof(clk));
	clk[0].ns = clk[1].ns = clk[2].ns = T0;
	mono = 1000 * SEC;
	if (vrtc_rtc_model_init(&model, clocks, 3) != 0)
		abort();
	vrtc_rtc_model_set_features(&model, with_alarm_feature ? 1u << VRTC_VIRTIO_RTC_F_ALARM : 0);
}

/* One request (@rlen bytes at @rq) answered into @rs (32 bytes); the status. */
static uint8_t
request(const uint8_t *rq, uint32_t rlen, uint8_t *rs, uint32_t *used)
{
	struct vrtc_seg segs[2] = { { (void *)(uintptr_t)rq, rlen }, { rs, 32 } };
	struct vrtc_chain c = { .head = 1, .nb_readable = 1, .nb_writable = 1,
				.readable_bytes = rlen, .writable_bytes = 32, .segs = segs };

	memset(rs, 0xAA, 32);
	*used = vrtc_rtc_handle(&model, &c);
	return rs[0];
}

static uint8_t
set_alarm(uint16_t id, uint64_t time, int enabled)
{
	struct vrtc_rtc_req_set_alarm r;
	uint8_t rs[32];
	uint32_t used;
	uint8_t st;

	memset(&r, 0, sizeof(r));
	r.head.msg_type = htole16(VRTC_RTC_REQ_SET_ALARM);
	r.alarm_time = htole64(time);
	r.clock_id = htole16(id);
	r.flags = enabled ? VRTC_RTC_FLAG_ALARM_ENABLED : 0;
	st = request((const uint8_t *)&r, sizeof(r), rs, &used);
	V_CHECK(used == 8);
	return st;
}

static uint8_t
set_enabled(uint16_t id, int enabled)
{
	struct vrtc_rtc_req_set_alarm_enabled r;
	uint8_t rs[32];
	uint32_t used;
	uint8_t st;

	memset(&r, 0, sizeof(r));
	r.head.msg_type = htole16(VRTC_RTC_REQ_SET_ALARM_ENABLED);
	r.clock_id = htole16(id);
	r.flags = enabled ? VRTC_RTC_FLAG_ALARM_ENABLED : 0;
	st = request((const uint8_t *)&r, sizeof(r), rs, &used);
	V_CHECK(used == 8);
	return st;
}

static uint8_t
read_alarm(uint16_t id, uint64_t *time, uint8_t *flags)
{
	struct vrtc_rtc_req_read_alarm r;
	struct vrtc_rtc_resp_read_alarm a;
	uint8_t rs[32];
	uint32_t used;
	uint8_t st;

	memset(&r, 0, sizeof(r));
	r.head.msg_type = htole16(VRTC_RTC_REQ_READ_ALARM);
	r.clock_id = htole16(id);
	st = request((const uint8_t *)&r, sizeof(r), rs, &used);
	if (st == VRTC_RTC_S_OK) {
		V_CHECK(used == 24);
		memcpy(&a, rs, sizeof(a));
		*time = le64toh(a.alarm_time);
		*flags = a.flags;
		V_CHECK(memcmp(a.reserved, "\0\0\0\0\0\0\0", 7) == 0);
	}
	return st;
}

static uint8_t
clock_cap_flags(uint16_t id)
{
	struct vrtc_rtc_req_clock_cap r;
	uint8_t rs[32];
	uint32_t used;

	memset(&r, 0, sizeof(r));
	r.head.msg_type = htole16(VRTC_RTC_REQ_CLOCK_CAP);
	r.clock_id = htole16(id);
	V_CHECK(request((const uint8_t *)&r, sizeof(r), rs, &used) == VRTC_RTC_S_OK);
	return rs[10];
}

/* Deliver every pending notification; returns how many, the clock ids in
 * @ids. Checks each notification's exact bytes. */
static unsigned int
drain(uint16_t *ids, unsigned int max)
{
	unsigned int n = 0;

	while (vrtc_rtc_alarm_pending(&model) && n < max) {
		uint8_t buf[20], exp[16];
		struct vrtc_seg seg = { buf, sizeof(buf) };
		struct vrtc_chain c = { .head = 2, .nb_writable = 1, .writable_bytes = sizeof(buf),
					.segs = &seg };
		uint32_t len;

		memset(buf, 0xAA, sizeof(buf));
		len = vrtc_rtc_alarm_deliver(&model, &c);
		V_CHECK(len == 16);
		memset(exp, 0, sizeof(exp));
		exp[0] = 0x00;
		exp[1] = 0x20; /* le16 0x2000 */
		exp[8] = buf[8];
		exp[9] = buf[9];
		V_CHECK(memcmp(buf, exp, 16) == 0);
		V_CHECK(buf[16] == 0xAA);
		if (t_case_failed)
			break;
		ids[n++] = (uint16_t)(buf[8] | buf[9] << 8);
	}
	return n;
}

static unsigned int
count_pending(void)
{
	uint16_t ids[32];

	return drain(ids, 32);
}

/* The poller's evaluation at @mono. */
static uint64_t
evaluate(void)
{
	return vrtc_rtc_alarms_evaluate(&model, mono);
}

static void
test_initial_state_and_caps(void)
{
	uint64_t t = 1;
	uint8_t f = 0xFF;

	setup(1);
	T_EQ(vrtc_rtc_model_offered_features(&model), UINT64_C(1) << VRTC_VIRTIO_RTC_F_ALARM);
	T_EQ(clock_cap_flags(0), 0);
	T_EQ(clock_cap_flags(1), VRTC_RTC_FLAG_ALARM_CAP);
	T_EQ(clock_cap_flags(2), VRTC_RTC_FLAG_ALARM_CAP);
	T_EQ(read_alarm(1, &t, &f), VRTC_RTC_S_OK);
	T_EQ(t, 0u);
	T_EQ(f, 0);
	T_EQ(evaluate(), UINT64_MAX); /* nothing armed */
	T_EQ(count_pending(), 0u);
}

static void
test_enodev(void)
{
	uint64_t t;
	uint8_t f;

	setup(1);
	/* A clock without an alarm. */
	T_EQ(read_alarm(0, &t, &f), VRTC_RTC_S_ENODEV);
	T_EQ(set_alarm(0, T0, 1), VRTC_RTC_S_ENODEV);
	T_EQ(set_enabled(0, 1), VRTC_RTC_S_ENODEV);
	/* Not a clock. */
	T_EQ(set_alarm(3, T0, 1), VRTC_RTC_S_ENODEV);
	/* Without F_ALARM negotiated: no ALARM_CAP, every alarm request ENODEV. */
	setup(0);
	T_EQ(clock_cap_flags(1), 0);
	T_EQ(read_alarm(1, &t, &f), VRTC_RTC_S_ENODEV);
	T_EQ(set_alarm(1, T0, 1), VRTC_RTC_S_ENODEV);
	T_EQ(set_enabled(1, 1), VRTC_RTC_S_ENODEV);
	T_EQ(count_pending(), 0u);
}

static void
test_no_alarm_clock_offers_nothing(void)
{
	struct vrtc_clock c = { VRTC_RTC_CLOCK_UTC, 0, &set_ops, &clk[0], 0 };

	if (vrtc_rtc_model_init(&model, &c, 1) != 0)
		abort();
	T_EQ(vrtc_rtc_model_offered_features(&model), 0u);
}

static void
test_fires_when_clock_reaches_time(void)
{
	uint16_t ids[4];
	uint64_t next, t;
	uint8_t f;

	setup(1);
	T_EQ(set_alarm(1, T0 + 5 * SEC, 1), VRTC_RTC_S_OK);
	T_EQ(count_pending(), 0u);
	/* 5 s away: the deadline is capped at the recheck interval. */
	next = evaluate();
	T_EQ(next, mono + VRTC_RTC_ALARM_RECHECK_NS);
	clk[1].ns = T0 + 5 * SEC - 300000; /* 300 us before */
	T_EQ(evaluate(), mono + 300000);
	T_EQ(count_pending(), 0u);
	clk[1].ns = T0 + 5 * SEC; /* exactly reached */
	/* Reached and still enabled: looked at again within the recheck
	 * interval, in case the clock goes back. */
	T_EQ(evaluate(), mono + VRTC_RTC_ALARM_RECHECK_NS);
	T_EQ(drain(ids, 4), 1u);
	T_EQ(ids[0], 1);
	/* One notification per expiry, not per evaluation. */
	clk[1].ns += SEC;
	evaluate();
	evaluate();
	T_EQ(count_pending(), 0u);
	/* Disabled: nothing to look at. */
	T_EQ(set_enabled(1, 0), VRTC_RTC_S_OK);
	T_EQ(evaluate(), UINT64_MAX);
	T_EQ(set_enabled(1, 1), VRTC_RTC_S_OK); /* time past: fires again */
	T_EQ(count_pending(), 1u);
	/* It stays enabled after firing. */
	T_EQ(read_alarm(1, &t, &f), VRTC_RTC_S_OK);
	T_EQ(t, T0 + 5 * SEC);
	T_EQ(f, VRTC_RTC_FLAG_ALARM_ENABLED);
	T_EQ(model.alarm_stats.expired, 2u);
	T_EQ(model.alarm_stats.notifications, 2u);
}

static void
test_past_alarm_fires_at_once(void)
{
	uint16_t ids[4];

	setup(1);
	T_EQ(set_alarm(2, T0 - SEC, 1), VRTC_RTC_S_OK);
	T_EQ(drain(ids, 4), 1u);
	T_EQ(ids[0], 2);
	/* Time equal to now is "not in the future" either. */
	T_EQ(set_alarm(2, T0, 1), VRTC_RTC_S_OK);
	T_EQ(count_pending(), 1u);
	/* Set in the past but disabled: nothing. */
	T_EQ(set_alarm(1, T0 - SEC, 0), VRTC_RTC_S_OK);
	T_EQ(count_pending(), 0u);
	/* Enabling it with its time past fires at once. */
	T_EQ(set_enabled(1, 1), VRTC_RTC_S_OK);
	T_EQ(drain(ids, 4), 1u);
	T_EQ(ids[0], 1);
}

static void
test_set_enabled_keeps_time(void)
{
	uint64_t t;
	uint8_t f;

	setup(1);
	T_EQ(set_alarm(1, T0 + 7 * SEC, 1), VRTC_RTC_S_OK);
	T_EQ(set_enabled(1, 0), VRTC_RTC_S_OK);
	T_EQ(read_alarm(1, &t, &f), VRTC_RTC_S_OK);
	T_EQ(t, T0 + 7 * SEC);
	T_EQ(f, 0);
	/* Disabled: reaching the time fires nothing. */
	clk[1].ns = T0 + 8 * SEC;
	evaluate();
	T_EQ(count_pending(), 0u);
	T_EQ(set_enabled(1, 1), VRTC_RTC_S_OK);
	T_EQ(read_alarm(1, &t, &f), VRTC_RTC_S_OK);
	T_EQ(t, T0 + 7 * SEC);
	T_EQ(f, VRTC_RTC_FLAG_ALARM_ENABLED);
	T_EQ(count_pending(), 1u); /* enabled with the time past */
}

static void
test_waits_for_buffer_then_exactly_one(void)
{
	uint16_t ids[4];

	setup(1);
	T_EQ(set_alarm(1, T0 + SEC, 1), VRTC_RTC_S_OK);
	clk[1].ns = T0 + 2 * SEC;
	evaluate();
	/* No buffer taken it yet: it waits, however often the poller looks. */
	evaluate();
	evaluate();
	T_CHECK(vrtc_rtc_alarm_pending(&model));
	T_EQ(drain(ids, 4), 1u);
	T_EQ(count_pending(), 0u);
}

static void
test_disable_cancels_undelivered(void)
{
	setup(1);
	T_EQ(set_alarm(1, T0 - SEC, 1), VRTC_RTC_S_OK);
	T_CHECK(vrtc_rtc_alarm_pending(&model));
	T_EQ(set_enabled(1, 0), VRTC_RTC_S_OK);
	T_EQ(count_pending(), 0u);
	T_EQ(model.alarm_stats.cancelled, 1u);
	/* SET_ALARM disabled cancels too. */
	T_EQ(set_alarm(2, T0 - SEC, 1), VRTC_RTC_S_OK);
	T_EQ(set_alarm(2, T0 - SEC, 0), VRTC_RTC_S_OK);
	T_EQ(count_pending(), 0u);
	/* A new future time drops the undelivered expiry of the old one. */
	T_EQ(set_alarm(2, T0 - SEC, 1), VRTC_RTC_S_OK);
	T_EQ(set_alarm(2, T0 + SEC, 1), VRTC_RTC_S_OK);
	T_EQ(count_pending(), 0u);
}

static void
test_expiries_before_delivery_coalesce(void)
{
	setup(1);
	T_EQ(set_alarm(1, T0 - SEC, 1), VRTC_RTC_S_OK);
	T_EQ(set_enabled(1, 1), VRTC_RTC_S_OK); /* a second expiry event */
	T_EQ(model.alarm_stats.expired, 2u);
	T_EQ(model.alarm_stats.coalesced, 1u);
	T_EQ(count_pending(), 1u);
}

/* Alarms follow the clock: a step of the clock (an injected clock here,
 * never the machine's) forwards past the time fires it at the next
 * evaluation; a step back re-arms it and it fires again on reaching it. */
static void
test_clock_steps(void)
{
	uint64_t next;

	setup(1);
	T_EQ(set_alarm(1, T0 + 3600 * SEC, 1), VRTC_RTC_S_OK);
	evaluate();
	/* Step forwards an hour and a bit. */
	clk[1].ns = T0 + 3601 * SEC;
	evaluate();
	T_EQ(count_pending(), 1u);
	/* Step back before the time: armed again, deadline from the new distance. */
	clk[1].ns = T0 + 3600 * SEC - 2000;
	next = evaluate();
	T_EQ(next, mono + 2000);
	T_EQ(count_pending(), 0u);
	clk[1].ns = T0 + 3600 * SEC + 5;
	evaluate();
	T_EQ(count_pending(), 1u);
	/* A step back while the alarm is far ahead: the deadline follows it
	 * (capped at the recheck interval), it does not fire early. */
	T_EQ(set_alarm(2, T0 + 10 * SEC, 1), VRTC_RTC_S_OK);
	clk[2].ns = T0 + 10 * SEC - 100;
	T_EQ(evaluate(), mono + 100);
	clk[2].ns = T0 - 50 * SEC;
	T_EQ(evaluate(), mono + VRTC_RTC_ALARM_RECHECK_NS);
	T_EQ(count_pending(), 0u);
}

static void
test_clock_read_error(void)
{
	setup(1);
	clk[1].read_ret = -EIO;
	T_EQ(set_alarm(1, T0, 1), VRTC_RTC_S_EIO);
	T_EQ(set_enabled(1, 1), VRTC_RTC_S_EIO);
	clk[1].read_ret = 0;
	T_EQ(set_alarm(1, T0 + SEC, 1), VRTC_RTC_S_OK);
	clk[1].read_ret = -EIO;
	/* Unreadable: looked at again within the recheck interval, no expiry. */
	T_EQ(evaluate(), mono + VRTC_RTC_ALARM_RECHECK_NS);
	T_EQ(count_pending(), 0u);
}

static void
test_two_clocks_independent(void)
{
	uint16_t ids[4];

	setup(1);
	T_EQ(set_alarm(1, T0 + 2 * SEC, 1), VRTC_RTC_S_OK);
	T_EQ(set_alarm(2, T0 + 1 * SEC, 1), VRTC_RTC_S_OK);
	clk[2].ns = T0 + SEC;
	evaluate();
	T_EQ(drain(ids, 4), 1u);
	T_EQ(ids[0], 2);
	clk[1].ns = T0 + 2 * SEC;
	evaluate();
	T_EQ(drain(ids, 4), 1u);
	T_EQ(ids[0], 1);
}

static void
test_reset_and_features(void)
{
	uint64_t t;
	uint8_t f;

	setup(1);
	T_EQ(set_alarm(1, T0 - SEC, 1), VRTC_RTC_S_OK);
	vrtc_rtc_alarms_reset(&model);
	T_EQ(count_pending(), 0u);
	T_EQ(read_alarm(1, &t, &f), VRTC_RTC_S_OK);
	T_EQ(t, 0u);
	T_EQ(f, 0);
	/* Kept when features are set again with F_ALARM (a ring restart)... */
	T_EQ(set_alarm(1, T0 + SEC, 1), VRTC_RTC_S_OK);
	vrtc_rtc_model_set_features(&model, 1u << VRTC_VIRTIO_RTC_F_ALARM);
	T_EQ(read_alarm(1, &t, &f), VRTC_RTC_S_OK);
	T_EQ(t, T0 + SEC);
	/* ... dropped by a driver that does not take F_ALARM. */
	vrtc_rtc_model_set_features(&model, 0);
	vrtc_rtc_model_set_features(&model, 1u << VRTC_VIRTIO_RTC_F_ALARM);
	T_EQ(read_alarm(1, &t, &f), VRTC_RTC_S_OK);
	T_EQ(t, 0u);
}

static void
test_deliver_nothing_pending(void)
{
	uint8_t buf[16];
	struct vrtc_seg seg = { buf, sizeof(buf) };
	struct vrtc_chain c = { .head = 2, .nb_writable = 1, .writable_bytes = 16, .segs = &seg };

	setup(1);
	memset(buf, 0xAA, sizeof(buf));
	T_EQ(vrtc_rtc_alarm_deliver(&model, &c), 0u);
	T_EQ(buf[0], 0xAA);
}

static const struct t_case cases[] = {
	T_CASE(test_initial_state_and_caps),
	T_CASE(test_enodev),
	T_CASE(test_no_alarm_clock_offers_nothing),
	T_CASE(test_fires_when_clock_reaches_time),
	T_CASE(test_past_alarm_fires_at_once),
	T_CASE(test_set_enabled_keeps_time),
	T_CASE(test_waits_for_buffer_then_exactly_one),
	T_CASE(test_disable_cancels_undelivered),
	T_CASE(test_expiries_before_delivery_coalesce),
	T_CASE(test_clock_steps),
	T_CASE(test_clock_read_error),
	T_CASE(test_two_clocks_independent),
	T_CASE(test_reset_and_features),
	T_CASE(test_deliver_nothing_pending),
};

T_MAIN(cases)
