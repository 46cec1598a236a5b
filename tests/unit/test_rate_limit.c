/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Tests of lib/virtio_rtc/rate_limit.c, in simulated time: the caller's
 * cycle counter is a variable here, so seconds of traffic take no time.
 */

#include <errno.h>
#include <stdint.h>

#include "platform.h"
#include "rate_limit.h"
#include "test.h"

#define GHZ UINT64_C(1000000000)

/* A deterministic generator for irregular poll intervals. */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Serve as the poller does: at each poll, if the balance allows, buffers of
 * @p want bytes (capped at the bucket's maximum) until it does not or the
 * burst of @p burst is done. @return the bytes served.
 */
static uint64_t
poll_once(struct vrtc_rate_limit *rl, uint64_t now, uint32_t want, unsigned int burst)
{
	uint32_t len = VRTC_MIN(want, vrtc_rate_limit_max_bytes(rl));
	uint64_t served = 0;
	unsigned int i;

	if (!vrtc_rate_limit_may_serve(rl, now))
		return 0;
	for (i = 0; i < burst; i++) {
		served += len;
		if (!vrtc_rate_limit_consume(rl, len))
			break;
	}
	return served;
}

struct run {
	uint64_t rate, hz;
	uint32_t buf;		/* bytes per buffer asked */
	uint64_t poll_min, poll_max; /* cycles between polls */
	unsigned int burst;
	uint64_t seconds;
};

/* The bytes served over @p r->seconds of simulated time, after the first
 * (full) bucket, divided by the time: the long-run rate. */
static double
long_run_rate(const struct run *r)
{
	struct vrtc_rate_limit rl;
	uint64_t now = 12345, end, served = 0, seed = 0x9e3779b97f4a7c15u;
	uint64_t initial;

	if (vrtc_rate_limit_init(&rl, r->rate, r->hz, now) != 0)
		return -1;
	/* Spend the initial bucket first: it is a burst, not a rate. */
	initial = poll_once(&rl, now, r->buf, UINT32_MAX);
	(void)initial;
	end = now + r->seconds * r->hz;
	while (now < end) {
		uint64_t span = r->poll_max - r->poll_min;

		now += r->poll_min + (span ? next_rand(&seed) % (span + 1) : 0);
		served += poll_once(&rl, now, r->buf, r->burst);
	}
	return (double)served / (double)r->seconds;
}

/* The long-run rate holds within 1 % whatever the buffer size, the poll
 * interval (regular or not, shorter or longer than a byte's worth of
 * cycles) and the burst. */
static void
test_long_run_rate(void)
{
	static const struct run runs[] = {
		/* 1 MB/s, 4 KiB buffers, polls every 1-100 us at 2.5 GHz. */
		{1000000, 2500000000u, 4096, 2500, 250000, 32, 20},
		/* 1 MB/s, buffers larger than the capacity (100 kB). */
		{1000000, 2500000000u, 1u << 20, 2500, 250000, 32, 20},
		/* 64 B buffers at 10 MB/s, polls every 100 ns - 2 us. */
		{10000000, GHZ, 64, 100, 2000, 32, 5},
		/* A byte is worth 1.5 ms: the remainder cycles must be kept. */
		{666, GHZ, 64, 1000000, 1000000, 1, 600},
		/* Polls far apart (10-90 ms; the bucket holds 100 ms). */
		{50000, GHZ, 512, 10000000, 90000000, 64, 200},
		/* (Polls further apart than the bucket's 100 ms lose what
		 * does not fit: a full bucket does not save up, by design.) */
		/* A slow clock (1 kHz): more bytes than cycles per second. */
		{100000000, 1000, 65536, 1, 3, 32, 30},
	};
	unsigned int i;

	for (i = 0; i < VRTC_ARRAY_SIZE(runs); i++) {
		double got = long_run_rate(&runs[i]);
		double want = (double)runs[i].rate;

		printf("     rate %" PRIu64 " B/s, buffer %u: %.1f B/s (%+.3f %%)\n", runs[i].rate,
		       runs[i].buf, got, (got - want) / want * 100);
		T_CHECK(got >= want * 0.99 && got <= want * 1.01);
	}
}

/* A full bucket serves its capacity at once, no more than one buffer over. */
static void
test_burst_capacity(void)
{
	struct vrtc_rate_limit rl;
	uint64_t served;

	T_EQ_INT(vrtc_rate_limit_init(&rl, 1000000, GHZ, 0), 0);
	T_EQ(rl.capacity, 100000);
	T_EQ(vrtc_rate_limit_max_bytes(&rl), 100000);
	/* 4 KiB buffers: served until the balance is not positive. */
	served = poll_once(&rl, 0, 4096, UINT32_MAX);
	T_EQ(served, 25 * 4096); /* 100000 / 4096 = 24.4: the 25th is allowed */
	T_EQ_INT(rl.tokens, 100000 - 25 * 4096);
	T_CHECK(!vrtc_rate_limit_may_serve(&rl, 0));
	/* A buffer larger than the capacity gets the capacity. */
	T_EQ_INT(vrtc_rate_limit_init(&rl, 1000000, GHZ, 0), 0);
	T_EQ(poll_once(&rl, 0, 1u << 20, UINT32_MAX), 100000);
	T_EQ_INT(rl.tokens, 0);
	T_CHECK(!vrtc_rate_limit_may_serve(&rl, 0));
	/* A buffer is served whenever the balance is positive: 1 byte left
	 * lets a whole capacity-sized buffer through. */
	T_EQ_INT(vrtc_rate_limit_init(&rl, 1000000, GHZ, 0), 0);
	T_CHECK(vrtc_rate_limit_consume(&rl, 99999));
	T_EQ_INT(rl.tokens, 1);
	T_CHECK(vrtc_rate_limit_may_serve(&rl, 0));
	T_CHECK(!vrtc_rate_limit_consume(&rl, 100000));
	T_EQ_INT(rl.tokens, 1 - 100000);
}

/* Idle time beyond a full bucket is not saved up, and a full bucket
 * restarts its accounting: the bytes of the cycles after it count. */
static void
test_no_saving_up(void)
{
	struct vrtc_rate_limit rl;
	uint64_t t;

	T_EQ_INT(vrtc_rate_limit_init(&rl, 1000000, GHZ, 0), 0);
	/* An hour idle: still one capacity. */
	t = 3600 * GHZ;
	T_EQ_INT(vrtc_rate_limit_refill(&rl, t), 100000);
	T_EQ(rl.last, t);
	T_EQ(poll_once(&rl, t, 1000, UINT32_MAX), 100000);
	T_CHECK(!vrtc_rate_limit_may_serve(&rl, t));
	/* Half-empty, then a long wait: capped at the capacity again. */
	T_EQ_INT(vrtc_rate_limit_init(&rl, 1000000, GHZ, 0), 0);
	T_CHECK(vrtc_rate_limit_consume(&rl, 50000));
	T_EQ_INT(vrtc_rate_limit_refill(&rl, 10 * GHZ), 100000);
	T_EQ(rl.last, 10 * GHZ);
	/* Bytes earned while full do not count: 1 us after a full bucket
	 * that was just emptied gives 1 byte, not 1 + whatever was lost. */
	T_CHECK(!vrtc_rate_limit_consume(&rl, 100000));
	T_EQ_INT(vrtc_rate_limit_refill(&rl, 10 * GHZ + 1000), 1);
}

/* A debt is repaid before the next buffer, byte for byte. */
static void
test_debt_repaid(void)
{
	struct vrtc_rate_limit rl;
	uint64_t t0 = 5 * GHZ;

	T_EQ_INT(vrtc_rate_limit_init(&rl, 1000000, GHZ, t0), 0); /* 1 byte/us */
	T_CHECK(vrtc_rate_limit_consume(&rl, 99999));
	T_CHECK(!vrtc_rate_limit_consume(&rl, 100000)); /* balance 1 - 100000 */
	/* When the next buffer may go: exactly the cycle may_serve agrees on. */
	T_EQ(vrtc_rate_limit_next_cycle(&rl), t0 + 100000 * 1000);
	/* 99999 us repay the debt to 0: still no buffer. */
	T_CHECK(!vrtc_rate_limit_may_serve(&rl, t0 + 99999 * 1000));
	T_EQ_INT(rl.tokens, 0);
	/* 1 ns short of the next byte: nothing. */
	T_CHECK(!vrtc_rate_limit_may_serve(&rl, t0 + 100000 * 1000 - 1));
	T_EQ(vrtc_rate_limit_next_cycle(&rl), t0 + 100000 * 1000);
	/* The next byte: a buffer may go. */
	T_CHECK(vrtc_rate_limit_may_serve(&rl, t0 + 100000 * 1000));
	T_EQ_INT(rl.tokens, 1);
	T_EQ(vrtc_rate_limit_next_cycle(&rl), 0); /* positive: now */
	/* A long wait while in debt adds at most a capacity. */
	T_CHECK(!vrtc_rate_limit_consume(&rl, 100000));
	T_EQ_INT(vrtc_rate_limit_refill(&rl, t0 + 1000 * GHZ), 1);
}

/* Rates near 2^64, clocks near 2^64 cycles, elapsed times near 2^64. */
static void
test_huge_rates(void)
{
	struct vrtc_rate_limit rl;
	uint64_t t = UINT64_MAX - 10 * GHZ;

	/* The capacity (rate / 10 < 2^61) fits the signed balance. */
	T_EQ_INT(vrtc_rate_limit_init(&rl, UINT64_MAX, GHZ, 0), 0);
	T_EQ(rl.capacity, UINT64_MAX / 10);
	T_EQ(vrtc_rate_limit_max_bytes(&rl), UINT32_MAX);
	T_CHECK(vrtc_rate_limit_consume(&rl, UINT32_MAX));
	T_EQ_INT(rl.tokens, (int64_t)(UINT64_MAX / 10 - UINT32_MAX));
	/* A full bucket at that rate stays exact, and restarts at now. */
	T_EQ_INT(vrtc_rate_limit_refill(&rl, UINT64_MAX), (int64_t)(UINT64_MAX / 10));
	T_EQ(rl.last, UINT64_MAX);
	/* Earned bytes beyond 2^64 (huge rate, slow clock, long wait):
	 * capped at the capacity, accounting moved to the end. */
	T_EQ_INT(vrtc_rate_limit_init(&rl, UINT64_MAX, 1, 0), 0);
	rl.tokens = -5;
	T_EQ_INT(vrtc_rate_limit_refill(&rl, UINT64_MAX), (int64_t)(UINT64_MAX / 10) - 5);
	T_EQ(rl.last, UINT64_MAX);
	T_EQ_INT(vrtc_rate_limit_refill(&rl, UINT64_MAX), (int64_t)(UINT64_MAX / 10) - 5);
	/* A clock near wrap-around and a rate above the clock's frequency
	 * (40 bytes per cycle). */
	T_EQ_INT(vrtc_rate_limit_init(&rl, 40 * GHZ, GHZ, t), 0);
	T_EQ(rl.capacity, 4 * GHZ);
	T_EQ(vrtc_rate_limit_max_bytes(&rl), 4 * GHZ);
	T_CHECK(!vrtc_rate_limit_consume(&rl, 4 * GHZ));
	T_EQ_INT(rl.tokens, 0);
	T_EQ_INT(vrtc_rate_limit_refill(&rl, t + 1), 40);
	/* In debt, then 10 s to the end of the clock: one capacity added. */
	T_CHECK(!vrtc_rate_limit_consume(&rl, 4 * GHZ));
	T_EQ_INT(vrtc_rate_limit_refill(&rl, UINT64_MAX), 40);
	T_EQ(rl.last, UINT64_MAX);
	/* And the long-run rate of a 40 GB/s bucket. */
	{
		const struct run r = {40 * GHZ, GHZ, 65536, 100, 3000, 64, 2};
		double got = long_run_rate(&r);

		printf("     40 GB/s: %.4g B/s\n", got);
		T_CHECK(got >= 40e9 * 0.99 && got <= 40e9 * 1.01);
	}
}

/* 1 and 3 bytes per second: a capacity of one byte, one byte per buffer. */
static void
test_tiny_rates(void)
{
	struct vrtc_rate_limit rl;
	uint64_t now = 0, served = 0;
	unsigned int i;

	T_EQ_INT(vrtc_rate_limit_init(&rl, 3, GHZ, 0), 0);
	T_EQ(rl.capacity, 1);
	T_EQ(vrtc_rate_limit_max_bytes(&rl), 1);
	T_EQ_INT(vrtc_rate_limit_init(&rl, 1, 2500000000u, 0), 0);
	T_EQ(rl.capacity, 1);
	T_EQ(poll_once(&rl, 0, 4096, 32), 1);
	/* 1000 s, polled every 10 ms: 1000 bytes, one per second. */
	for (i = 0; i < 100000; i++) {
		now += 25000000;
		served += poll_once(&rl, now, 4096, 32);
	}
	T_EQ(served, 1000);
	/* 3 B/s over 100 s polled every 1 ms: 300 bytes within 1 %. The
	 * bucket holds one byte, so each byte fills it and restarts its
	 * accounting at that poll: up to 1 ms per byte is not carried over. */
	T_EQ_INT(vrtc_rate_limit_init(&rl, 3, GHZ, 0), 0);
	poll_once(&rl, 0, 4096, 32);
	for (now = 0, served = 0, i = 0; i < 100000; i++) {
		now += 1000000;
		served += poll_once(&rl, now, 4096, 32);
	}
	printf("     3 B/s: %" PRIu64 " bytes in 100 s\n", served);
	T_CHECK(served >= 297 && served <= 300);
}

/* No elapsed time (or a clock that went back) adds nothing. */
static void
test_zero_elapsed(void)
{
	struct vrtc_rate_limit rl;
	unsigned int i;

	T_EQ_INT(vrtc_rate_limit_init(&rl, 1000000, GHZ, 1000 * GHZ), 0);
	T_CHECK(vrtc_rate_limit_consume(&rl, 60000));
	for (i = 0; i < 1000; i++)
		T_EQ_INT(vrtc_rate_limit_refill(&rl, 1000 * GHZ), 40000);
	T_EQ_INT(vrtc_rate_limit_refill(&rl, 999 * GHZ), 40000);
	T_EQ(rl.last, 1000 * GHZ);
	/* Less than one byte's worth (999 ns) adds nothing and keeps the
	 * cycles: 1 more ns completes the byte. */
	T_EQ_INT(vrtc_rate_limit_refill(&rl, 1000 * GHZ + 999), 40000);
	T_EQ_INT(vrtc_rate_limit_refill(&rl, 1000 * GHZ + 1000), 40001);
	/* Debt and no time: no buffer however often asked. */
	T_CHECK(!vrtc_rate_limit_consume(&rl, 50000));
	for (i = 0; i < 1000; i++)
		T_CHECK(!vrtc_rate_limit_may_serve(&rl, 1000 * GHZ + 1000));
}

/*
 * The poller's bucket before it moved here (poller.c's rate_refill() and
 * the charge in serve_rng()), time passed in: the module must behave the
 * same, step for step, wherever that one did not overflow.
 */
struct ref_bucket {
	uint64_t rate, capacity, last, hz;
	int64_t tokens;
};

static int64_t
ref_refill(struct ref_bucket *rl, uint64_t now)
{
	uint64_t add = (uint64_t)((unsigned __int128)(now - rl->last) * rl->rate / rl->hz);

	if (add != 0) {
		rl->last += (uint64_t)((unsigned __int128)add * rl->hz / rl->rate);
		if (add > rl->capacity)
			add = rl->capacity;
		rl->tokens += (int64_t)add;
		if (rl->tokens >= (int64_t)rl->capacity) {
			rl->tokens = (int64_t)rl->capacity;
			rl->last = now;
		}
	}
	return rl->tokens;
}

static void
test_same_as_before(void)
{
	uint64_t seed = 0x2545f4914f6cdd1du;
	unsigned int run, step;

	for (run = 0; run < 200; run++) {
		uint64_t rate = 1 + next_rand(&seed) % (run % 2 ? 1000 : 100000000);
		uint64_t hz = 1000 + next_rand(&seed) % 4000000000u;
		uint64_t now = next_rand(&seed) >> 8;
		struct vrtc_rate_limit rl;
		struct ref_bucket ref;

		T_EQ_INT(vrtc_rate_limit_init(&rl, rate, hz, now), 0);
		ref.rate = rate;
		ref.hz = hz;
		ref.capacity = rate / 10 > 1 ? rate / 10 : 1;
		ref.tokens = (int64_t)ref.capacity;
		ref.last = now;
		for (step = 0; step < 2000; step++) {
			uint32_t max = (uint32_t)VRTC_MIN(ref.capacity, (uint64_t)UINT32_MAX);
			uint32_t len = (uint32_t)(next_rand(&seed) % ((uint64_t)max + 1));
			int ref_ok;

			now += next_rand(&seed) % (hz / (1 + step % 50));
			ref_ok = ref_refill(&ref, now) > 0;
			T_EQ_INT(vrtc_rate_limit_may_serve(&rl, now), ref_ok);
			if (ref_ok) {
				ref.tokens -= len;
				T_EQ_INT(vrtc_rate_limit_consume(&rl, len), ref.tokens > 0);
			}
			T_EQ_INT(rl.tokens, ref.tokens);
			T_EQ(rl.last, ref.last);
			T_EQ(vrtc_rate_limit_max_bytes(&rl), max);
		}
	}
}

/* Rate 0 is unlimited; a limited bucket needs a clock frequency. */
static void
test_unlimited_and_errors(void)
{
	struct vrtc_rate_limit rl, before;
	unsigned int i;

	T_EQ_INT(vrtc_rate_limit_init(&rl, 0, 0, 7), 0);
	T_CHECK(!vrtc_rate_limit_enabled(&rl));
	T_EQ(vrtc_rate_limit_max_bytes(&rl), UINT32_MAX);
	for (i = 0; i < 1000; i++) {
		T_CHECK(vrtc_rate_limit_may_serve(&rl, 7));
		T_CHECK(vrtc_rate_limit_consume(&rl, UINT32_MAX));
	}
	T_EQ_INT(vrtc_rate_limit_refill(&rl, 0), INT64_MAX);

	T_EQ_INT(vrtc_rate_limit_init(&rl, 1000, GHZ, 0), 0);
	T_CHECK(vrtc_rate_limit_enabled(&rl));
	before = rl;
	T_EQ_INT(vrtc_rate_limit_init(&rl, 1000, 0, 5), -EINVAL);
	T_EQ_MEM(&rl, &before, sizeof(rl));
}

static const struct t_case cases[] = {
	T_CASE(test_long_run_rate),
	T_CASE(test_burst_capacity),
	T_CASE(test_no_saving_up),
	T_CASE(test_debt_repaid),
	T_CASE(test_huge_rates),
	T_CASE(test_tiny_rates),
	T_CASE(test_zero_elapsed),
	T_CASE(test_same_as_before),
	T_CASE(test_unlimited_and_errors),
};

T_MAIN(cases)
