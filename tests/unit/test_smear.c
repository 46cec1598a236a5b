/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Unit tests for lib/virtio_rtc/smear.c (noon-to-noon linear leap smearing)
 * with injected TAI times and tables, across the leap second at the end of
 * 2016 (2016-12-31T23:59:60Z, TAI - UTC 36 -> 37 s); and for the smeared host
 * clock of clock.c (smear=host pass-through, an expired table).
 *
 * The spec vectors, by hand. The leap: L = 2017-01-01T00:00:00Z = Unix
 * 1483228800 s. Window in smeared UTC: S0 = L - 43200 = 1483185600 s
 * (2016-12-31T12:00:00Z) to S1 = L + 43200 = 1483272000 s
 * (2017-01-01T12:00:00Z), U = 86400 s. In TAI (counted like Unix time):
 * T0 = S0 + 36 = 1483185636 s, T1 = S1 + 37 = 1483272037 s, D = 86401 s.
 * smeared(T0 + t) = S0 + floor(t * 86400 / 86401), t in ns:
 *   t = 0                  -> S0 (noon before, continuous with UTC = TAI - 36)
 *   t = 1 ms               -> 1e6 - 1e6/86401 = 999988.43.. -> 999988 ns
 *   t = 43200 s (UTC 23:59:60.0, the leap second starts)
 *                          -> 43200e9 - 43200e9/86401 = 43200e9 - 499994213.43..
 *                           = 43199.500005786 s: smeared 2016-12-31T23:59:59.500005786
 *   t = 43200.5 s = D/2 (middle of the window, UTC 23:59:60.5)
 *                          -> exactly 43200 s: smeared 2017-01-01T00:00:00.000000000
 *   t = 43201 s (UTC 2017-01-01T00:00:00.0, the leap second is over)
 *                          -> 43201e9 - 500005786.57.. = 43200.499994213 s:
 *                             smeared 2017-01-01T00:00:00.499994213
 *   t = D = 86401 s        -> S1 (noon after, continuous with UTC = TAI - 37)
 * So the smeared clock is 0.5 s behind UTC when the leap second starts and
 * 0.5 s ahead when it ends, and meets UTC at both noons.
 * A negative leap (37 -> 36 at the same L, D = 86399 s):
 *   t = 43199.5 s = D/2 -> 43199.5 * 86400/86399 = 43200 s exactly: L.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include <endian.h>

#include "clock.h"
#include "log.h"
#include "rtc_model.h"
#include "smear.h"
#include "test.h"
#include "vrtc_wire.h"

#define CALL_CHECK(x)                                                                            \
	do {                                                                                       \
		x;                                                                                 \
		if (t_case_failed)                                                                 \
			return;                                                                    \
	} while (0)

#define NS INT64_C(1000000000)
#define MS INT64_C(1000000)

#define L_2017 INT64_C(1483228800)     /* 2017-01-01T00:00:00Z */
#define L_2015_07 INT64_C(1435708800)  /* 2015-07-01T00:00:00Z */
#define L_2012_07 INT64_C(1341100800)  /* 2012-07-01T00:00:00Z */
#define S0 ((L_2017 - 43200) * NS)     /* 2016-12-31T12:00:00Z */
#define S1 ((L_2017 + 43200) * NS)     /* 2017-01-01T12:00:00Z */
#define T0 (S0 + 36 * NS)
#define T1 (S1 + 37 * NS)

/* Three entries of tzdata's table around the end of 2016. */
static void
table_2016(struct vrtc_leap_table *t, int64_t expires_s)
{
	memset(t, 0, sizeof(*t));
	t->e[0] = (struct vrtc_leap_entry){ L_2012_07, 35 };
	t->e[1] = (struct vrtc_leap_entry){ L_2015_07, 36 };
	t->e[2] = (struct vrtc_leap_entry){ L_2017, 37 };
	t->nb = 3;
	t->expires_s = expires_s;
}

static struct vrtc_smear sm; /* large: not on the stack */

static int64_t
fwd(int64_t tai)
{
	int64_t utc = INT64_MIN;

	if (vrtc_smear_from_tai(&sm, tai, &utc) < 0)
		abort();
	return utc;
}

static int64_t
inv(int64_t utc)
{
	int64_t tai = INT64_MIN;

	if (vrtc_smear_to_tai(&sm, utc, &tai) < 0)
		abort();
	return tai;
}

static void
test_shape(void)
{
	struct vrtc_leap_table t;
	int64_t utc;

	table_2016(&t, 0);
	T_EQ_INT(vrtc_smear_init(&sm, &t), 0);
	T_EQ_INT(sm.nb, 2); /* 2015-07 and 2017-01; 2012-07 is the first entry */
	T_EQ_INT(sm.w[1].utc_start_ns, S0);
	T_EQ_INT(sm.w[1].utc_end_ns, S1);
	T_EQ_INT(sm.w[1].tai_start_ns, T0);
	T_EQ_INT(sm.w[1].tai_end_ns, T1);

	/* The vectors of the file comment. */
	T_EQ_INT(vrtc_smear_from_tai(&sm, T0, &utc), VRTC_SMEAR_IN_WINDOW);
	T_EQ_INT(utc, S0);
	T_EQ_INT(fwd(T0 + MS), S0 + 999988);
	T_EQ_INT(fwd(T0 + 43200 * NS), S0 + INT64_C(43199500005786));
	T_EQ_INT(fwd(T0 + 43200 * NS + NS / 2), L_2017 * NS);
	T_EQ_INT(fwd(T0 + 43201 * NS), S0 + INT64_C(43200499994213));
	T_EQ_INT(vrtc_smear_from_tai(&sm, T1, &utc), 0); /* the end is outside */
	T_EQ_INT(utc, S1);
	/* The same instants in UTC terms: 23:59:60.0 is TAI L + 36 s. */
	T_EQ_INT(fwd(L_2017 * NS + 36 * NS), (L_2017 - 1) * NS + INT64_C(500005786));
	T_EQ_INT(fwd(L_2017 * NS + 37 * NS), L_2017 * NS + INT64_C(499994213));

	/* Outside the windows: plain UTC = TAI - (TAI - UTC). */
	T_EQ_INT(vrtc_smear_from_tai(&sm, T0 - 1, &utc), 0);
	T_EQ_INT(utc, S0 - 1);
	T_EQ_INT(fwd((L_2017 - 86400 * 30) * NS + 36 * NS), (L_2017 - 86400 * 30) * NS);
	T_EQ_INT(fwd((L_2017 + 86400 * 365) * NS + 37 * NS), (L_2017 + 86400 * 365) * NS);
	T_EQ_INT(fwd((L_2015_07 - 86400) * NS + 35 * NS), (L_2015_07 - 86400) * NS);
}

static void
test_continuity(void)
{
	struct vrtc_leap_table t;
	int64_t d;

	table_2016(&t, 0);
	T_EQ_INT(vrtc_smear_init(&sm, &t), 0);
	/* Start: UTC noon runs into the window without a step. */
	T_EQ_INT(fwd(T0 - 1), S0 - 1);
	T_EQ_INT(fwd(T0), S0);
	T_EQ_INT(fwd(T0 + 1), S0);   /* floor(86400/86401) = 0 */
	T_EQ_INT(fwd(T0 + 2), S0 + 1);
	/* End: the window reaches noon exactly and UTC carries on. */
	T_EQ_INT(fwd(T1 - 1), S1 - 1); /* floor((D - 1) * U / D) = U - 1 */
	T_EQ_INT(fwd(T1), S1);
	T_EQ_INT(fwd(T1 + 1), S1 + 1);
	/* One second either side of both ends: 1 s within a ns (the rate). */
	d = fwd(T0 + NS) - fwd(T0 - NS);
	T_CHECK(d >= 2 * NS - NS / 86401 - 1 && d <= 2 * NS);
	d = fwd(T1 + NS) - fwd(T1 - NS);
	T_CHECK(d >= 2 * NS - NS / 86401 - 1 && d <= 2 * NS);
}

/* Strictly increasing at @p stride steps from @p from to @p to, each step
 * between @p min_step and @p max_step smeared ns. */
static void
check_monotonic(int64_t from, int64_t to, int64_t stride, int64_t min_step, int64_t max_step)
{
	int64_t prev = fwd(from), x;

	for (x = from + stride; x <= to; x += stride) {
		int64_t v = fwd(x);

		if (v - prev < min_step || v - prev > max_step) {
			T_FAIL_AT("step at TAI %" PRId64 ": %" PRId64 " ns", x, v - prev);
			return;
		}
		prev = v;
	}
}

static void
test_monotonic(void)
{
	struct vrtc_leap_table t;

	table_2016(&t, 0);
	T_EQ_INT(vrtc_smear_init(&sm, &t), 0);
	/* 1e6 * 86400/86401 = 999988.43..: steps of 999988 or 999989 ns. */
	/* Over the window and a second either side, at 1 ms steps. */
	check_monotonic(T0 - NS, T1 + NS, MS, 999988, 1000000);
}

static void
test_round_trip(void)
{
	struct vrtc_leap_table t;
	int64_t x, s;

	table_2016(&t, 0);
	T_EQ_INT(vrtc_smear_init(&sm, &t), 0);
	/* Window ends and the middle map back exactly. */
	T_EQ_INT(inv(S0), T0);
	T_EQ_INT(inv(S1), T1);
	T_EQ_INT(inv(L_2017 * NS), T0 + 43200 * NS + NS / 2);
	T_EQ_INT(inv(S0 - 1), T0 - 1);
	T_EQ_INT(inv(S1 + 1), T1 + 1);
	/* A 7 ms stride meets every phase of the 86401-ns pattern. */
	for (x = T0 - NS; x <= T1 + NS; x += 7 * MS + 3) {
		int64_t y = inv(fwd(x));

		/* The first TAI ns showing forward(x): at or up to 1 ns before x. */
		if (y > x || x - y > 1 || fwd(y) != fwd(x) || fwd(y - 1) >= fwd(x)) {
			T_FAIL_AT("round trip at TAI %" PRId64 ": %" PRId64, x, y);
			return;
		}
	}
	/* Every smeared time is reached, first at inv(s). */
	for (s = S0 - NS; s <= S1 + NS; s += 7 * MS + 1) {
		int64_t y = inv(s);

		if (fwd(y) != s || fwd(y - 1) >= s) {
			T_FAIL_AT("inverse at UTC %" PRId64 ": %" PRId64, s, y);
			return;
		}
	}
}

static void
test_negative_leap(void)
{
	struct vrtc_leap_table t;
	int64_t x, s;

	table_2016(&t, 0);
	t.e[1].offset_s = 37;
	t.e[2].offset_s = 36; /* a negative leap at the end of 2016 */
	T_EQ_INT(vrtc_smear_init(&sm, &t), 0);
	T_EQ_INT(sm.w[1].tai_start_ns, S0 + 37 * NS);
	T_EQ_INT(sm.w[1].tai_end_ns, S1 + 36 * NS);
	T_EQ_INT(fwd(S0 + 37 * NS), S0);
	T_EQ_INT(fwd(S0 + 37 * NS + 43199 * NS + NS / 2), L_2017 * NS);
	T_EQ_INT(fwd(S1 + 36 * NS), S1);
	T_EQ_INT(fwd(S1 + 36 * NS - 1), S1 - 2); /* fast: skips smeared ns */
	/* 10 ms steps (1 ms would be as good, and slower): 1e7 * 86400/86399 =
	 * 10000115.7..: steps of 1e7 (outside) to 10000116 ns. */
	check_monotonic(S0 + 36 * NS, S1 + 37 * NS, 10 * MS, 10000000, 10000116);
	if (t_case_failed)
		return;
	for (x = S0 + 36 * NS; x <= S1 + 37 * NS; x += 7 * MS + 3) {
		if (inv(fwd(x)) != x) {
			T_FAIL_AT("round trip at TAI %" PRId64, x);
			return;
		}
	}
	for (s = S0 - NS; s <= S1 + NS; s += 7 * MS + 1) {
		int64_t y = inv(s);

		if (fwd(y) < s || fwd(y - 1) >= s) {
			T_FAIL_AT("inverse at UTC %" PRId64 ": %" PRId64, s, y);
			return;
		}
	}
}

/* Two leaps 12 h apart (never happened): one merged window, still
 * continuous and increasing, 2 s spread over its 36 h. */
static void
test_overlapping_windows(void)
{
	struct vrtc_leap_table t;
	int64_t a0, a1;

	table_2016(&t, 0);
	t.e[t.nb++] = (struct vrtc_leap_entry){ L_2017 + 43200, 38 };
	T_EQ_INT(vrtc_smear_init(&sm, &t), 0);
	T_EQ_INT(sm.nb, 2);
	a0 = sm.w[1].tai_start_ns;
	a1 = sm.w[1].tai_end_ns;
	T_EQ_INT(sm.w[1].utc_start_ns, S0);
	T_EQ_INT(sm.w[1].utc_end_ns, (L_2017 + 43200 + 43200) * NS);
	T_EQ_INT(a0, T0);
	T_EQ_INT(a1, (L_2017 + 86400) * NS + 38 * NS);
	T_EQ_INT(fwd(a0 - 1), S0 - 1);
	T_EQ_INT(fwd(a1), (L_2017 + 86400) * NS);
	T_EQ_INT(fwd(a1 + 1), (L_2017 + 86400) * NS + 1);
	/* 10 ms steps: 1e7 * 129600/129602 = 9999845.6..: 9999845 to 1e7 ns. */
	check_monotonic(a0 - NS, a1 + NS, 10 * MS, 9999845, 10000000);
}

static void
test_before_table_and_expired(void)
{
	struct vrtc_leap_table t;
	int64_t utc, tai;

	table_2016(&t, L_2017 + 86400 * 180); /* expires 2017-06-30 */
	T_EQ_INT(vrtc_smear_init(&sm, &t), 0);
	/* Before the first entry: its offset, flagged. */
	T_EQ_INT(vrtc_smear_from_tai(&sm, (L_2012_07 - 10) * NS + 35 * NS, &utc),
		 VRTC_SMEAR_BEFORE_TABLE);
	T_EQ_INT(utc, (L_2012_07 - 10) * NS);
	T_EQ_INT(vrtc_smear_to_tai(&sm, (L_2012_07 - 10) * NS, &tai), VRTC_SMEAR_BEFORE_TABLE);
	T_EQ_INT(tai, (L_2012_07 - 10) * NS + 35 * NS);
	/* Up to the expiry: nothing to say; from it on: the last offset, flagged. */
	T_EQ_INT(vrtc_smear_from_tai(&sm, t.expires_s * NS + 37 * NS - 1, &utc), 0);
	T_EQ_INT(vrtc_smear_from_tai(&sm, t.expires_s * NS + 37 * NS, &utc), VRTC_SMEAR_EXPIRED);
	T_EQ_INT(utc, t.expires_s * NS);
	T_EQ_INT(vrtc_smear_to_tai(&sm, t.expires_s * NS + 86400 * NS, &tai), VRTC_SMEAR_EXPIRED);
	T_EQ_INT(tai, t.expires_s * NS + 86400 * NS + 37 * NS);
	/* The windows themselves are not flagged as expired. */
	T_EQ_INT(vrtc_smear_from_tai(&sm, T0 + NS, &utc), VRTC_SMEAR_IN_WINDOW);
}

static void
test_init_refuses(void)
{
	struct vrtc_leap_table t;
	int off;
	uint16_t i;

	memset(&t, 0, sizeof(t));
	T_EQ_INT(vrtc_smear_init(&sm, &t), -EINVAL); /* no entry */
	T_EQ_INT(vrtc_smear_init(NULL, &t), -EINVAL);
	table_2016(&t, 0);
	t.e[2].utc_s = t.e[1].utc_s; /* not increasing */
	T_EQ_INT(vrtc_smear_init(&sm, &t), -EINVAL);
	table_2016(&t, 0);
	t.e[2].offset_s = 36 - 86400; /* the window would have no TAI length */
	T_EQ_INT(vrtc_smear_init(&sm, &t), -EINVAL);
	/* Steps of 0 are no leap; a step of 26 s (tzdata never had one) is
	 * smeared like any other. */
	table_2016(&t, 0);
	t.e[2].offset_s = 36;
	T_EQ_INT(vrtc_smear_init(&sm, &t), 0);
	T_EQ_INT(sm.nb, 1);
	T_EQ_INT(fwd(T0 + 43200 * NS), S0 + 43200 * NS);
	/* Entries after 2262 cannot be in 64-bit ns: ignored. */
	table_2016(&t, 0);
	t.e[t.nb++] = (struct vrtc_leap_entry){ INT64_C(10000000000), 38 };
	T_EQ_INT(vrtc_smear_init(&sm, &t), 0);
	T_EQ_INT(sm.nb, 2);

	/* The table lookup the TAI clock uses. */
	table_2016(&t, 0);
	T_EQ_INT(vrtc_leap_table_lookup(&t, L_2017 - 1, &off, &i), 0);
	T_EQ_INT(off, 36);
	T_EQ_INT(i, 1);
	T_EQ_INT(vrtc_leap_table_lookup(&t, L_2017, &off, &i), 0);
	T_EQ_INT(off, 37);
	T_EQ_INT(i, 2);
	T_EQ_INT(vrtc_leap_table_lookup(&t, L_2012_07, &off, NULL), 0);
	T_EQ_INT(off, 35);
	T_EQ_INT(vrtc_leap_table_lookup(&t, L_2012_07 - 1, &off, NULL), -EINVAL);
}


/* 1000 random tables (fixed seed): leaps 1 h to 400 days apart (so windows merge
 * now and then), steps of -2..+2 s. At points around every window's ends
 * and at random: non-decreasing, continuous at the ends (1 ns of TAI moves
 * the smeared clock by at most 1 ns... or 2 where a negative step runs it
 * fast), and the inverse's properties. */
static uint64_t rng_state = 0x2016123123596001ull;

static uint64_t
rnd(uint64_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

static void
check_point(int64_t x)
{
	int64_t y = fwd(x), z = fwd(x + 1), back = inv(y);

	if (z < y || z - y > 2 || back > x || fwd(back) != y || fwd(back - 1) >= y ||
	    inv(y + 1) <= x) {
		T_FAIL_AT("at TAI %" PRId64 ": fwd %" PRId64 " next %" PRId64 " inv %" PRId64, x, y,
			  z, back);
	}
}

static void
test_random_tables(void)
{
	static struct vrtc_leap_table t;
	int round, k;

	for (round = 0; round < 1000; round++) {
		int64_t when = INT64_C(63072000); /* 1972-01-01 */
		int32_t off = 10;

		memset(&t, 0, sizeof(t));
		t.nb = (uint16_t)(1 + rnd(40));
		for (k = 0; k < t.nb; k++) {
			t.e[k] = (struct vrtc_leap_entry){ when, off };
			when += 3600 + (int64_t)rnd(400 * 86400);
			off += (int32_t)rnd(5) - 2;
		}
		T_EQ_INT(vrtc_smear_init(&sm, &t), 0);
		for (k = 0; k < sm.nb; k++) {
			const struct vrtc_smear_window *w = &sm.w[k];
			int64_t d = w->tai_end_ns - w->tai_start_ns;

			CALL_CHECK(check_point(w->tai_start_ns - 1));
			CALL_CHECK(check_point(w->tai_start_ns));
			CALL_CHECK(check_point(w->tai_start_ns + d / 2));
			CALL_CHECK(check_point(w->tai_end_ns - 1));
			CALL_CHECK(check_point(w->tai_end_ns));
			T_EQ_INT(fwd(w->tai_start_ns), w->utc_start_ns);
			T_EQ_INT(fwd(w->tai_end_ns), w->utc_end_ns);
			T_EQ_INT(inv(w->utc_start_ns), w->tai_start_ns);
			T_EQ_INT(inv(w->utc_end_ns), w->tai_end_ns);
			if (k > 0)
				T_CHECK(w->tai_start_ns >= sm.w[k - 1].tai_end_ns &&
					w->utc_start_ns >= sm.w[k - 1].utc_end_ns);
		}
		for (k = 0; k < 2000; k++) {
			int64_t x = (t.e[0].utc_s - 86400) * NS +
				    (int64_t)rnd((uint64_t)(when - t.e[0].utc_s + 2 * 86400)) * NS +
				    (int64_t)rnd((uint64_t)NS);

			CALL_CHECK(check_point(x));
		}
	}
}

/* ------------------------------------------------------------------------ */
/* The smeared host clock                                                   */
/* ------------------------------------------------------------------------ */

static char log_text[4096];

static void
capture(enum vrtc_log_component comp, enum vrtc_log_level level, const char *msg)
{
	size_t used = strlen(log_text);

	(void)comp;
	(void)level;
	snprintf(log_text + used, sizeof(log_text) - used, "%s\n", msg);
}

static int64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static char tmpfile_path[64];

/* A table file like tzdata's, expiring at NTP second @p expires_ntp. */
static const char *
table_file(const char *expires_ntp)
{
	FILE *f;
	int fd;

	snprintf(tmpfile_path, sizeof(tmpfile_path), "/tmp/vrtc_test_smear.XXXXXX");
	fd = mkstemp(tmpfile_path);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		abort();
	fprintf(f, "#@\t%s\n3550089600\t35\n3644697600\t36\n3692217600\t37\n", expires_ntp);
	fclose(f);
	return tmpfile_path;
}

/* Reads of @p c lie between two CLOCK_REALTIME reads (no leap near now). */
static void
check_reads_realtime(const struct vrtc_clock *c)
{
	int i;

	for (i = 0; i < 1000; i++) {
		int64_t a = realtime_ns(), b;
		uint64_t ns;

		T_EQ_INT(c->ops->read(c->ctx, &ns), 0);
		b = realtime_ns();
		T_CHECK((int64_t)ns >= a && (int64_t)ns <= b);
	}
}

static void
test_host_passthrough(void)
{
	struct vrtc_host_clock_cfg cfg = { .tai_offset_s = 37, .smear_host = 1 };
	struct vrtc_clock c;
	int off;

	T_EQ_INT(vrtc_tai_offset_resolve(&cfg, &off), 0);
	log_text[0] = '\0';
	vrtc_log_set_sink(capture);
	T_EQ_INT(vrtc_smear_prepare(&cfg), 0);
	vrtc_log_set_sink(NULL);
	T_CHECK(cfg.smear == NULL); /* nothing to smear with */
	T_CHECK(strstr(log_text, "smear=host") != NULL);
	T_EQ_INT(vrtc_host_clock_init(&c, VRTC_HOST_CLOCK_UTC_SMEARED, &cfg), 0);
	T_EQ(c.type, VRTC_RTC_CLOCK_UTC_SMEARED);
	T_EQ(c.smearing, VRTC_RTC_SMEAR_UNSPECIFIED);
	CALL_CHECK(check_reads_realtime(&c));
	vrtc_host_clock_cfg_fini(&cfg);
}

static void
test_host_noon_expired_table(void)
{
	/* Expired 2017-06-28 (NTP 3707596800). */
	struct vrtc_host_clock_cfg cfg = { .tai_offset_s = 37,
					   .leap_seconds_file = table_file("3707596800") };
	struct vrtc_clock c;
	int off;

	log_text[0] = '\0';
	vrtc_log_set_sink(capture);
	T_EQ_INT(vrtc_host_clock_init(&c, VRTC_HOST_CLOCK_UTC_SMEARED, &cfg), -ENODATA);
	T_CHECK(strstr(log_text, "not prepared") != NULL);
	T_EQ_INT(vrtc_tai_offset_resolve(&cfg, &off), 0);
	log_text[0] = '\0';
	T_EQ_INT(vrtc_smear_prepare(&cfg), 0);
	T_CHECK(cfg.smear != NULL);
	T_CHECK(strstr(log_text, "expired on 2017-06-28") != NULL);
	T_EQ_INT(vrtc_host_clock_init(&c, VRTC_HOST_CLOCK_UTC_SMEARED, &cfg), 0);
	T_CHECK(strstr(log_text, "noon-to-noon linear leap smearing of CLOCK_REALTIME + the "
			      "operator's TAI-UTC") != NULL);
	T_EQ(c.type, VRTC_RTC_CLOCK_UTC_SMEARED);
	T_EQ(c.smearing, VRTC_RTC_SMEAR_NOON_LINEAR);
	/* Reads go on with the last offset and warn no more: warned once. */
	log_text[0] = '\0';
	CALL_CHECK(check_reads_realtime(&c));
	T_CHECK(log_text[0] == '\0');
	vrtc_log_set_sink(NULL);
	unlink(tmpfile_path);
	vrtc_host_clock_cfg_fini(&cfg);
	T_CHECK(cfg.smear == NULL);
	vrtc_host_clock_cfg_fini(&cfg); /* idempotent */

	/* A table that does not parse: the clock cannot be made. */
	cfg.leap_seconds_file = "/nonexistent/leap-seconds.list";
	vrtc_log_set_sink(capture);
	T_EQ_INT(vrtc_smear_prepare(&cfg), -ENOENT);
	vrtc_log_set_sink(NULL);
	T_CHECK(cfg.smear == NULL);
}


/* ------------------------------------------------------------------------ */
/* An alarm inside the smear window (rtc_model.h alarm API)                 */
/* ------------------------------------------------------------------------ */

/*
 * Three clocks of one injected TAI: 0 UTC (TAI - 36 s before the leap, - 37 s
 * after), 1 TAI, 2 UTC_SMEARED (the smear of the end-2016 table), each with
 * an alarm. An alarm set at one wall time on each fires when its own clock
 * reaches it.
 *
 * By hand: A = 2016-12-31T18:00:00Z = S0 + 21600 s. UTC reaches it at TAI
 * A + 36 s = T0 + 21600 s. The smeared clock, running at 86400/86401, at
 * T0 + ceil(21600 s * 86401/86400) = T0 + 21600.25 s: 0.25 s after UTC.
 * B = 2017-01-01T06:00:00Z = S0 + 64800 s. UTC reaches it at TAI B + 37 s =
 * T0 + 64801 s; the smeared clock at T0 + 64800 s * 86401/86400 =
 * T0 + 64800.75 s: 0.25 s before UTC.
 */
static int64_t inj_tai;

static int
inj_read(void *ctx, uint64_t *ns)
{
	int kind = (int)(intptr_t)ctx;

	switch (kind) {
	case 0:
		*ns = (uint64_t)(inj_tai - (inj_tai >= L_2017 * NS + 37 * NS ? 37 : 36) * NS);
		return 0;
	case 1:
		*ns = (uint64_t)inj_tai;
		return 0;
	default:
		*ns = (uint64_t)fwd(inj_tai);
		return 0;
	}
}

static const struct vrtc_clock_ops inj_ops = { .read = inj_read };
static struct vrtc_rtc_model model;

static uint8_t
set_alarm(uint16_t id, uint64_t time)
{
	struct vrtc_rtc_req_set_alarm r;
	uint8_t rs[32];
	struct vrtc_seg segs[2] = { { (uint8_t *)&r, sizeof(r) }, { rs, sizeof(rs) } };
	struct vrtc_chain c = { .head = 1, .nb_readable = 1, .nb_writable = 1,
				.readable_bytes = sizeof(r), .writable_bytes = sizeof(rs),
				.segs = segs };

	memset(&r, 0, sizeof(r));
	r.head.msg_type = htole16(VRTC_RTC_REQ_SET_ALARM);
	r.alarm_time = htole64(time);
	r.clock_id = htole16(id);
	r.flags = VRTC_RTC_FLAG_ALARM_ENABLED;
	if (vrtc_rtc_handle(&model, &c) != 8)
		return 0xFF;
	return rs[0];
}

/* The clock id of the one notification waiting, or -1 (none or several). */
static int
deliver_one(void)
{
	uint8_t buf[16];
	struct vrtc_seg seg = { buf, sizeof(buf) };
	struct vrtc_chain c = { .head = 2, .nb_writable = 1, .writable_bytes = sizeof(buf),
				.segs = &seg };

	if (vrtc_rtc_alarm_deliver(&model, &c) != 16 || vrtc_rtc_alarm_pending(&model))
		return -1;
	return buf[8] | buf[9] << 8;
}

/* Move the injected TAI to @p tai and evaluate; the bits of the clocks
 * whose alarm expired now (their notifications are delivered). */
static uint32_t
advance(int64_t tai)
{
	uint32_t fired;

	inj_tai = tai;
	vrtc_rtc_alarms_evaluate(&model, 1000 * (uint64_t)NS);
	fired = model.pending;
	while (vrtc_rtc_alarm_pending(&model)) {
		uint8_t buf[16];
		struct vrtc_seg seg = { buf, sizeof(buf) };
		struct vrtc_chain c = { .head = 2, .nb_writable = 1,
					.writable_bytes = sizeof(buf), .segs = &seg };

		if (vrtc_rtc_alarm_deliver(&model, &c) != 16)
			break;
	}
	return fired;
}

static void
alarm_setup(void)
{
	struct vrtc_clock clocks[3] = {
		{ VRTC_RTC_CLOCK_UTC, 0, &inj_ops, (void *)(intptr_t)0, 1 },
		{ VRTC_RTC_CLOCK_TAI, 0, &inj_ops, (void *)(intptr_t)1, 1 },
		{ VRTC_RTC_CLOCK_UTC_SMEARED, VRTC_RTC_SMEAR_NOON_LINEAR, &inj_ops,
		  (void *)(intptr_t)2, 1 },
	};
	struct vrtc_leap_table t;

	table_2016(&t, 0);
	if (vrtc_smear_init(&sm, &t) != 0 || vrtc_rtc_model_init(&model, clocks, 3) != 0)
		abort();
	vrtc_rtc_model_set_features(&model, UINT64_C(1) << VRTC_VIRTIO_RTC_F_ALARM);
	inj_tai = T0 + NS; /* inside the window */
}

static void
test_alarm_in_window(void)
{
	const int64_t a = S0 + 21600 * NS, b = S0 + 64800 * NS;
	const int64_t a_utc = T0 + 21600 * NS, a_smeared = T0 + 21600 * NS + NS / 4;
	const int64_t b_smeared = T0 + 64800 * NS + 3 * NS / 4, b_utc = T0 + 64801 * NS;

	alarm_setup();
	T_EQ_INT(inv(a), a_smeared); /* the hand-computed instants */
	T_EQ_INT(inv(b), b_smeared);

	/* A before midnight: UTC first, the smeared clock 0.25 s later. */
	T_EQ(set_alarm(0, (uint64_t)a), VRTC_RTC_S_OK);
	T_EQ(set_alarm(2, (uint64_t)a), VRTC_RTC_S_OK);
	T_EQ(advance(a_utc - 1), 0);
	T_EQ(advance(a_utc), 1u << 0);
	T_EQ(advance(a_smeared - 1), 0); /* smeared reads a - 1 ns */
	T_EQ(fwd(a_smeared - 1), a - 1);
	T_EQ(advance(a_smeared), 1u << 2);
	T_EQ(advance(a_smeared + NS), 0); /* once per expiry */

	/* B after midnight: the smeared clock first, UTC 0.25 s later. */
	T_EQ(set_alarm(0, (uint64_t)b), VRTC_RTC_S_OK);
	T_EQ(set_alarm(2, (uint64_t)b), VRTC_RTC_S_OK);
	T_EQ(set_alarm(1, (uint64_t)(b + 37 * NS)), VRTC_RTC_S_OK); /* TAI of B in UTC */
	T_EQ(advance(b_smeared - 1), 0);
	T_EQ(advance(b_smeared), 1u << 2);
	T_EQ(advance(b_utc - 1), 0);
	T_EQ(advance(b_utc), (1u << 0) | (1u << 1));

	/* A host clock step back and forth: the smeared deadline is the
	 * smeared clock's again, whatever the step. */
	T_EQ(advance(b_smeared - 3600 * NS), 0);
	T_EQ(advance(b_smeared - 1), 0);
	T_EQ(advance(b_smeared), 1u << 2);
}

/* The poller's next evaluation, estimated on CLOCK_MONOTONIC from the smeared
 * clock's distance (capped at 1 s), is never after the instant the smeared
 * clock gets there: in a positive leap's window the smeared clock is slower
 * than TAI, so the estimate errs early and the walk converges on the firing
 * instant from below. */
static void
test_alarm_deadline_not_late(void)
{
	const uint64_t mono0 = 1000 * (uint64_t)NS;
	const int64_t a = S0 + 21600 * NS;
	int64_t x;

	alarm_setup();
	T_EQ(set_alarm(2, (uint64_t)a), VRTC_RTC_S_OK);
	/* Walk towards the alarm the way the poller would: to each deadline
	 * (monotonic time moves with TAI), never past the firing instant. */
	x = inv(a) - 5 * NS;
	for (int i = 0; i < 100000; i++) {
		uint64_t dl;

		inj_tai = x;
		dl = vrtc_rtc_alarms_evaluate(&model, mono0);
		if (vrtc_rtc_alarm_pending(&model)) {
			T_EQ_INT(x, inv(a));
			T_EQ_INT(deliver_one(), 2);
			return;
		}
		T_CHECK(dl != UINT64_MAX && dl > mono0);
		T_CHECK(x + (int64_t)(dl - mono0) <= inv(a));
		x += (int64_t)(dl - mono0);
	}
	T_FAIL_AT("the alarm never fired walking the deadlines");
}

/* The TAI offset's resolution uses the table the smear loaded: it does not
 * read the file again (here: it is gone by then). Needs the kernel's TAI
 * offset unset, or the kernel's value wins. */
static void
test_table_shared_with_tai(void)
{
	struct vrtc_host_clock_cfg cfg = { .tai_offset_s = -1,
					   .leap_seconds_file = table_file("6311433600") };
	struct timex tx;
	struct vrtc_clock c;
	int off = -1;

	memset(&tx, 0, sizeof(tx));
	if (ntp_adjtime(&tx) < 0 || tx.tai != 0) {
		printf("skip test_table_shared_with_tai: the kernel's TAI offset is set (%d)\n",
		       tx.tai);
		unlink(tmpfile_path);
		return;
	}
	log_text[0] = '\0';
	vrtc_log_set_sink(capture);
	T_EQ_INT(vrtc_smear_prepare(&cfg), 0);
	unlink(tmpfile_path);
	T_EQ_INT(vrtc_tai_offset_resolve(&cfg, &off), 0);
	T_EQ_INT(off, 37);
	T_CHECK(strstr(log_text, "TAI-UTC = 37 s from leap-second table") != NULL);
	T_EQ_INT(vrtc_host_clock_init(&c, VRTC_HOST_CLOCK_UTC_SMEARED, &cfg), 0);
	vrtc_log_set_sink(NULL);
	T_CHECK(strstr(log_text, "smearing of CLOCK_REALTIME + the table's TAI-UTC") != NULL);
	CALL_CHECK(check_reads_realtime(&c));
	vrtc_host_clock_cfg_fini(&cfg);
}

static const struct t_case cases[] = {
	T_CASE(test_shape),
	T_CASE(test_continuity),
	T_CASE(test_monotonic),
	T_CASE(test_round_trip),
	T_CASE(test_negative_leap),
	T_CASE(test_overlapping_windows),
	T_CASE(test_before_table_and_expired),
	T_CASE(test_init_refuses),
	T_CASE(test_random_tables),
	T_CASE(test_host_passthrough),
	T_CASE(test_host_noon_expired_table),
	T_CASE(test_table_shared_with_tai),
	T_CASE(test_alarm_in_window),
	T_CASE(test_alarm_deadline_not_late),
};

T_MAIN(cases)
