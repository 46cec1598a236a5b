/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Integration-test client: drives a running back-end (dpdk-rtcd) over its
 * vhost-user sockets with the library's front-end, as a guest would, and
 * checks what comes back. Driven by test_daemon.py; one scenario per run:
 *
 *   itest_client <EAL> -- rtc-check  --rtc PATH --clocks utc+tai+mono+smeared
 *                                    [--tai-offset S] [--cross 0|1] [--smearing N]
 *   itest_client <EAL> -- rng-check  --rng PATH
 *   itest_client <EAL> -- rng-file   --rng PATH --expect FILE [--rtc PATH]
 *        (a source=file: device: every byte of FILE in order, then a buffer
 *        that waits; the rtc device of the same daemon still answers)
 *   itest_client <EAL> -- traffic    [--rtc PATH] [--rng PATH] --seconds S
 *   itest_client <EAL> -- reconnect  --rtc PATH --times N
 *   itest_client <EAL> -- hotplug    --rtc PATH --times N
 *        (EAL memory grows and shrinks under traffic: each change is a new
 *        SET_MEM_TABLE the back-end must handle without a stray access;
 *        needs dynamic memory, e.g. --in-memory --single-file-segments)
 *   itest_client <EAL> -- alarm      --rtc PATH --times N [--expect-alarm 0|1]
 *        (the front-end's alarm support: a stocked alarmq, N notifications
 *        with every buffer reposted, restocked after a reconnect; with
 *        --expect-alarm 0 the back-end offers no VIRTIO_RTC_F_ALARM)
 *
 * Every check prints "PASS name" or "FAIL name: detail". Exit status: 0 all
 * passed, 1 a check failed, 2 usage, 3 the back-end stopped answering
 * (traffic: expected when the daemon is stopped under load).
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "vrtc_frontend.h"
#include "vrtc_wire.h"

#define EXIT_STALLED 3
#define CALL_TIMEOUT_NS (2 * 1000 * 1000 * 1000LL)

static int failures;

#define CHECK(cond, name, ...)                                                               \
	do {                                                                                   \
		if (cond) {                                                                    \
			printf("PASS %s\n", name);                                             \
		} else {                                                                       \
			printf("FAIL %s: ", name);                                             \
			printf(__VA_ARGS__);                                                   \
			printf("\n");                                                          \
			failures++;                                                            \
		}                                                                              \
	} while (0)

static int64_t
now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct vrtc_fe *
fe_open(const char *name, const char *path, enum vrtc_device_type type)
{
	struct vrtc_fe_params p;
	struct vrtc_fe *fe = NULL;
	int rc;

	vrtc_fe_params_init(&p, type);
	p.name = name;
	p.path = path;
	p.queue_size = 256;
	rc = vrtc_fe_create(&p, &fe);
	if (rc != 0) {
		printf("FAIL connect %s: %s\n", path, strerror(-rc));
		return NULL;
	}
	return fe;
}

/* Post one request and wait for it. @return 0, or -ETIMEDOUT. */
static int
call(struct vrtc_fe *fe, const void *req, uint32_t req_len, void *resp, uint32_t resp_len,
     uint32_t *used)
{
	struct vrtc_fe_req r = { .out = req, .out_len = req_len, .in = resp, .in_len = resp_len };
	struct vrtc_fe_done d;
	int64_t deadline = now_ns(CLOCK_MONOTONIC) + CALL_TIMEOUT_NS;

	if (vrtc_fe_enqueue(fe, 0, &r, 1) != 1)
		return -EIO;
	while (vrtc_fe_dequeue(fe, 0, &d, 1) == 0) {
		if (now_ns(CLOCK_MONOTONIC) > deadline)
			return -ETIMEDOUT;
	}
	*used = d.len;
	return 0;
}

/* ---- rtc-check ------------------------------------------------------------- */

struct rtc_bufs {
	uint8_t *req;  /* 64 bytes, EAL memory */
	uint8_t *resp; /* 64 bytes */
};

static void
put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint64_t
get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Send msg_type + clock_id (+ hw_counter at byte 10); return the status
 * byte, or -1 when nothing came back. */
static int
rtc_req(struct vrtc_fe *fe, struct rtc_bufs *b, uint16_t msg, uint16_t clock_id, uint8_t hw,
	uint32_t req_len, uint32_t resp_len, uint32_t *used)
{
	memset(b->req, 0, 64);
	memset(b->resp, 0xAA, 64);
	put_le16(b->req, msg);
	put_le16(b->req + 8, clock_id);
	b->req[10] = hw;
	if (call(fe, b->req, req_len, b->resp, resp_len, used) != 0)
		return -1;
	return *used >= 1 ? b->resp[0] : -1;
}

static int
parse_clocks(const char *s, uint8_t *types, int max)
{
	char buf[128], *tok, *save = NULL;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, "+", &save); tok != NULL && n < max;
	     tok = strtok_r(NULL, "+", &save)) {
		if (strcmp(tok, "utc") == 0)
			types[n++] = VRTC_RTC_CLOCK_UTC;
		else if (strcmp(tok, "tai") == 0)
			types[n++] = VRTC_RTC_CLOCK_TAI;
		else if (strcmp(tok, "mono") == 0)
			types[n++] = VRTC_RTC_CLOCK_MONOTONIC;
		else if (strcmp(tok, "smeared") == 0)
			types[n++] = VRTC_RTC_CLOCK_UTC_SMEARED;
		else
			return -1;
	}
	return n;
}

/*
 * @p smearing: what UTC_SMEARED clocks report (1 noon-to-noon linear, 0 for
 * smear=host); the others report 0. Outside a leap second's smear window
 * (none is near while these tests run) a smeared clock reads UTC.
 */
static int
rtc_check(const char *path, const char *clocks, int tai_offset, int cross, int smearing)
{
	struct vrtc_fe *fe = fe_open("itest_rtc", path, VRTC_DEVICE_RTC);
	struct rtc_bufs b;
	uint8_t types[16], first_cap[16];
	uint32_t used;
	int n, i, st, k;
	char name[64];

	if (fe == NULL)
		return 1;
	n = parse_clocks(clocks, types, 16);
	if (n <= 0) {
		fprintf(stderr, "bad --clocks\n");
		return 2;
	}
	b.req = rte_zmalloc(NULL, 64, 64);
	b.resp = rte_zmalloc(NULL, 64, 64);

	st = rtc_req(fe, &b, VRTC_RTC_REQ_CFG, 0, 0, 8, 16, &used);
	CHECK(st == VRTC_RTC_S_OK && used == 16 && b.resp[8] == n && b.resp[9] == 0,
	      "cfg num_clocks", "status %d used %u num_clocks %u, want %d", st, used, b.resp[8], n);
	for (k = 1; k < 8; k++)
		if (b.resp[k] != 0 || (k + 9 < 16 && b.resp[k + 9] != 0))
			break;
	CHECK(k == 8, "cfg reserved zero", "byte %d not zero", k);

	for (i = 0; i < n; i++) {
		int smeared = types[i] == VRTC_RTC_CLOCK_UTC_SMEARED;
		/* The default alarm= gives UTC_SMEARED clocks ALARM_CAP, when
		 * VIRTIO_RTC_F_ALARM was negotiated. */
		int alarm = smeared && (vrtc_fe_features(fe) >> VRTC_VIRTIO_RTC_F_ALARM & 1) != 0;

		snprintf(name, sizeof(name), "clock_cap %d", i);
		st = rtc_req(fe, &b, VRTC_RTC_REQ_CLOCK_CAP, (uint16_t)i, 0, 16, 16, &used);
		CHECK(st == 0 && used == 16 && b.resp[8] == types[i] &&
			      b.resp[9] == (smeared ? smearing : 0) &&
			      b.resp[10] == (alarm ? VRTC_RTC_FLAG_ALARM_CAP : 0),
		      name, "status %d used %u type %u smearing %u flags %u, want type %u", st, used,
		      b.resp[8], b.resp[9], b.resp[10], types[i]);
		if (i == 0)
			memcpy(first_cap, b.resp, 16);
	}
	/* Identical answers every time (D11). */
	for (k = 0; k < 200; k++) {
		rtc_req(fe, &b, VRTC_RTC_REQ_CLOCK_CAP, 0, 0, 16, 16, &used);
		if (memcmp(b.resp, first_cap, 16) != 0)
			break;
	}
	CHECK(k == 200, "clock_cap stable", "answer %d differs", k);

	/* READ of every clock against the host's clocks (same machine). */
	for (i = 0; i < n; i++) {
		int64_t before, after, reading, off = 0;
		clockid_t host = types[i] == VRTC_RTC_CLOCK_MONOTONIC ? CLOCK_MONOTONIC :
									 CLOCK_REALTIME;

		if (types[i] == VRTC_RTC_CLOCK_TAI)
			off = (int64_t)tai_offset * 1000000000LL;
		before = now_ns(host) + off;
		st = rtc_req(fe, &b, VRTC_RTC_REQ_READ, (uint16_t)i, 0, 16, 16, &used);
		after = now_ns(host) + off;
		reading = (int64_t)get_le64(b.resp + 8);
		snprintf(name, sizeof(name), "read clock %d against host", i);
		CHECK(st == 0 && used == 16 && reading >= before - 1000000 &&
			      reading <= after + 1000000,
		      name, "status %d used %u reading %" PRId64 " not in [%" PRId64 ", %" PRId64 "]",
		      st, used, reading, before, after);
	}
	/* Monotonic clocks never go back (D19). */
	for (i = 0; i < n; i++) {
		uint64_t prev = 0, r;

		if (types[i] != VRTC_RTC_CLOCK_MONOTONIC)
			continue;
		for (k = 0; k < 5000; k++) {
			rtc_req(fe, &b, VRTC_RTC_REQ_READ, (uint16_t)i, 0, 16, 16, &used);
			r = get_le64(b.resp + 8);
			if (r < prev)
				break;
			prev = r;
		}
		CHECK(k == 5000, "monotonic non-decreasing", "reading %d went back", k);
	}

	/* Every error status the device can give. */
	st = rtc_req(fe, &b, 0x0003, 0, 0, 16, 16, &used);
	CHECK(st == VRTC_RTC_S_EOPNOTSUPP && used == 8, "unknown msg_type: EOPNOTSUPP",
	      "status %d used %u", st, used);
	st = rtc_req(fe, &b, VRTC_RTC_REQ_READ, (uint16_t)n, 0, 16, 16, &used);
	CHECK(st == VRTC_RTC_S_ENODEV && used == 8, "read bad clock: ENODEV", "status %d used %u",
	      st, used);
	st = rtc_req(fe, &b, VRTC_RTC_REQ_CLOCK_CAP, 0xFFFF, 0, 16, 16, &used);
	CHECK(st == VRTC_RTC_S_ENODEV, "clock_cap 0xffff: ENODEV", "status %d", st);
	st = rtc_req(fe, &b, VRTC_RTC_REQ_READ, 0, 0, 8, 16, &used);
	CHECK(st == VRTC_RTC_S_EINVAL && used == 8, "read short request: EINVAL",
	      "status %d used %u", st, used);
	st = rtc_req(fe, &b, VRTC_RTC_REQ_READ, 0, 0, 16, 8, &used);
	CHECK(st == VRTC_RTC_S_EINVAL && used == 8, "read short response: EINVAL",
	      "status %d used %u", st, used);
	st = rtc_req(fe, &b, VRTC_RTC_REQ_READ_ALARM, 0, 0, 16, 24, &used);
	CHECK(st == VRTC_RTC_S_ENODEV, "read_alarm without F_ALARM: ENODEV", "status %d", st);
	st = rtc_req(fe, &b, VRTC_RTC_REQ_CROSS_CAP, 0, VRTC_RTC_COUNTER_INVALID, 16, 16, &used);
	CHECK(st == VRTC_RTC_S_EINVAL, "cross_cap counter 0xff: EINVAL", "status %d", st);
	st = rtc_req(fe, &b, VRTC_RTC_REQ_CROSS_CAP, 0, 5, 16, 16, &used);
	CHECK(st == VRTC_RTC_S_EOPNOTSUPP, "cross_cap unknown counter: EOPNOTSUPP", "status %d", st);
	st = rtc_req(fe, &b, VRTC_RTC_REQ_READ, 0, 0, 16, 64, &used);
	CHECK(st == VRTC_RTC_S_OK && used == 16, "read big response buffer: used 16",
	      "status %d used %u", st, used);

	/* Cross-timestamps against the TSC: only when the daemon was told. */
	st = rtc_req(fe, &b, VRTC_RTC_REQ_CROSS_CAP, 0, VRTC_RTC_COUNTER_X86_TSC, 16, 16, &used);
	CHECK(st == VRTC_RTC_S_OK && used == 16 && b.resp[8] == (cross ? 1 : 0),
	      "cross_cap tsc", "status %d flags %u, want %d", st, b.resp[8], cross);
	{
		uint64_t t0 = __rdtsc(), t1, cycles;

		st = rtc_req(fe, &b, VRTC_RTC_REQ_READ_CROSS, 0, VRTC_RTC_COUNTER_X86_TSC, 16, 24,
			     &used);
		t1 = __rdtsc();
		cycles = get_le64(b.resp + 16);
		if (cross)
			CHECK(st == 0 && used == 24 && cycles >= t0 && cycles <= t1,
			      "read_cross tsc", "status %d used %u cycles %" PRIu64
			      " not in [%" PRIu64 ", %" PRIu64 "]", st, used, cycles, t0, t1);
		else
			CHECK(st == VRTC_RTC_S_EOPNOTSUPP, "read_cross tsc: EOPNOTSUPP",
			      "status %d", st);
	}
	/* No writable byte: nothing written, used 0 (D7). */
	st = rtc_req(fe, &b, VRTC_RTC_REQ_READ, 0, 0, 16, 0, &used);
	CHECK(used == 0, "no writable byte: used 0", "used %u", used);

	rte_free(b.req);
	rte_free(b.resp);
	vrtc_fe_destroy(fe);
	return failures ? 1 : 0;
}

/* ---- rng-check ------------------------------------------------------------- */

static int
rng_check(const char *path)
{
	static const uint32_t sizes[] = { 1, 64, 4096, 65536 };
	enum { NB = 256, BLK = 4096 };
	struct vrtc_fe *fe = fe_open("itest_rng", path, VRTC_DEVICE_RNG);
	uint64_t hist[256] = { 0 }, total = 0;
	uint8_t *buf;
	uint32_t used;
	double chi2 = 0;
	unsigned int i, j;
	char name[64];

	if (fe == NULL)
		return 1;
	buf = rte_zmalloc(NULL, (size_t)NB * BLK, 64);
	for (i = 0; i < RTE_DIM(sizes); i++) {
		snprintf(name, sizeof(name), "rng %u bytes", sizes[i]);
		memset(buf, 0, sizes[i]);
		if (call(fe, NULL, 0, buf, sizes[i], &used) != 0)
			used = 0;
		for (j = 0; j < sizes[i] && buf[j] == 0; j++)
			;
		CHECK(used == sizes[i] && (sizes[i] < 16 || j < sizes[i]), name,
		      "used %u, %s", used, j == sizes[i] ? "all zero" : "data");
	}
	for (i = 0; i < NB; i++) {
		if (call(fe, NULL, 0, buf + (size_t)i * BLK, BLK, &used) != 0 || used != BLK)
			break;
	}
	CHECK(i == NB, "rng 256 x 4 KiB", "buffer %u short", i);
	for (i = 0; i < NB * BLK; i++)
		hist[buf[i]]++;
	total = (uint64_t)NB * BLK;
	for (i = 0; i < 256; i++) {
		double e = (double)total / 256, d = (double)hist[i] - e;

		chi2 += d * d / e;
	}
	/* 255 degrees of freedom: p in (1e-6, 1 - 1e-6) is about (161, 377). */
	CHECK(chi2 > 161 && chi2 < 377, "rng byte histogram", "chi-square %.1f", chi2);
	for (i = 0; i < NB; i++)
		for (j = i + 1; j < NB; j++)
			if (memcmp(buf + (size_t)i * BLK, buf + (size_t)j * BLK, 32) == 0)
				goto repeat;
	printf("PASS rng no repeated block\n");
	goto out;
repeat:
	printf("FAIL rng no repeated block: blocks %u and %u start alike\n", i, j);
	failures++;
out:
	printf("INFO rng bytes received %" PRIu64 "\n", total + 1 + 64 + 4096 + 65536);
	rte_free(buf);
	vrtc_fe_destroy(fe);
	return failures ? 1 : 0;
}

/* ---- rng-file ------------------------------------------------------------- */

/*
 * A device serving source=file:FILE gives FILE's bytes in order (a buffer
 * gets what the reader has, at least one byte), then, after its end, leaves
 * the next buffer waiting (never completes it with zeros or with nothing)
 * while another device of the daemon keeps answering.
 */
static int
rng_file(const char *path, const char *expect, const char *rtc)
{
	enum { BLK = 4096 };
	struct vrtc_fe *fe = fe_open("itest_rng", path, VRTC_DEVICE_RNG);
	uint8_t *want = NULL, *buf;
	size_t want_len = 0, got = 0;
	unsigned int calls = 0, short_calls = 0, bad = 0;
	struct vrtc_fe_done d;
	struct vrtc_fe_req r;
	int64_t until;
	uint32_t used;
	FILE *f;

	if (fe == NULL)
		return 1;
	f = fopen(expect, "rb");
	if (f != NULL) {
		fseek(f, 0, SEEK_END);
		want_len = (size_t)ftell(f);
		fseek(f, 0, SEEK_SET);
		want = malloc(want_len + 1);
		if (want == NULL || fread(want, 1, want_len, f) != want_len)
			want_len = 0;
		fclose(f);
	}
	CHECK(want_len > 0, "rng-file: read the expected file", "%s", expect);
	buf = rte_zmalloc(NULL, BLK, 64);
	while (want_len > 0 && got < want_len) {
		memset(buf, 0, BLK);
		if (call(fe, NULL, 0, buf, BLK, &used) != 0 || used == 0 || used > BLK)
			break;
		calls++;
		short_calls += used < BLK;
		if (got + used > want_len || memcmp(buf, want + got, used) != 0)
			bad++;
		got += used;
	}
	CHECK(got == want_len && bad == 0, "rng-file: every byte of the file, in order",
	      "%zu of %zu bytes, %u buffers differ", got, want_len, bad);
	printf("INFO rng-file %zu bytes in %u buffers (%u short)\n", got, calls, short_calls);
	/* After the end: a buffer waits, for a second at least. */
	r = (struct vrtc_fe_req){ .in = buf, .in_len = BLK };
	memset(buf, 0xA5, BLK);
	CHECK(vrtc_fe_enqueue(fe, 0, &r, 1) == 1, "rng-file: post after the end", "full");
	until = now_ns(CLOCK_MONOTONIC) + 1000000000LL;
	used = 0;
	while (now_ns(CLOCK_MONOTONIC) < until && used == 0)
		used = vrtc_fe_dequeue(fe, 0, &d, 1);
	CHECK(used == 0 && vrtc_fe_inflight(fe, 0) == 1 && buf[0] == 0xA5 && buf[BLK - 1] == 0xA5,
	      "rng-file: after the end a buffer waits (not completed, not written)",
	      "completed %u (len %u)", used, used ? d.len : 0);
	if (rtc != NULL) {
		struct vrtc_fe *rfe = fe_open("itest_rtc", rtc, VRTC_DEVICE_RTC);
		struct rtc_bufs b;
		unsigned int i, ok = 0;

		if (rfe != NULL) {
			b.req = rte_zmalloc(NULL, 64, 64);
			b.resp = rte_zmalloc(NULL, 64, 64);
			for (i = 0; i < 100; i++)
				ok += rtc_req(rfe, &b, VRTC_RTC_REQ_READ, 0, 0, 16, 16, &used) ==
				      VRTC_RTC_S_OK;
			rte_free(b.req);
			rte_free(b.resp);
			vrtc_fe_destroy(rfe);
		}
		CHECK(ok == 100, "rng-file: the rtc device answers while the rng buffer waits",
		      "%u of 100 READs", ok);
	}
	rte_free(buf);
	free(want);
	vrtc_fe_destroy(fe);
	return failures ? 1 : 0;
}

/* ---- traffic, reconnect --------------------------------------------------------- */

#define DEPTH 32

struct stream {
	struct vrtc_fe *fe;
	enum vrtc_device_type type;
	uint8_t *req;	/* DEPTH x 16 */
	uint8_t *resp;	/* DEPTH x 4096 */
	uint64_t done, bad;
	uint16_t inflight;
	uint16_t nb_free;
	uint16_t free_slots[DEPTH];
};

static int
stream_init(struct stream *s, struct vrtc_fe *fe, enum vrtc_device_type type)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->fe = fe;
	s->type = type;
	s->req = rte_zmalloc(NULL, DEPTH * 16, 64);
	s->resp = rte_zmalloc(NULL, DEPTH * 4096, 64);
	if (s->req == NULL || s->resp == NULL)
		return -ENOMEM;
	for (i = 0; i < DEPTH; i++) {
		put_le16(s->req + i * 16, VRTC_RTC_REQ_READ); /* clock 0 */
		s->free_slots[s->nb_free++] = (uint16_t)i;
	}
	return 0;
}

static void
stream_fini(struct stream *s)
{
	rte_free(s->req);
	rte_free(s->resp);
}

/* Collect completions and refill to DEPTH; @return completions seen. */
static unsigned int
stream_poll(struct stream *s)
{
	struct vrtc_fe_req r[DEPTH];
	struct vrtc_fe_done d[DEPTH];
	uint16_t n, i, nb_req, posted;

	n = vrtc_fe_dequeue(s->fe, 0, d, DEPTH);
	for (i = 0; i < n; i++) {
		uint16_t slot = (uint16_t)(uintptr_t)d[i].cookie;

		if (s->type == VRTC_DEVICE_RTC)
			s->bad += d[i].len != 16 || s->resp[slot * 4096] != 0;
		else
			s->bad += d[i].len != 4096;
		s->done++;
		s->free_slots[s->nb_free++] = slot;
	}
	s->inflight -= n;
	nb_req = s->nb_free;
	for (i = 0; i < nb_req; i++) {
		uint16_t slot = s->free_slots[s->nb_free - 1 - i];

		r[i].out = s->type == VRTC_DEVICE_RTC ? s->req + slot * 16 : NULL;
		r[i].out_len = s->type == VRTC_DEVICE_RTC ? 16 : 0;
		r[i].in = s->resp + (size_t)slot * 4096;
		r[i].in_len = s->type == VRTC_DEVICE_RTC ? 16 : 4096;
		r[i].cookie = (void *)(uintptr_t)slot;
	}
	posted = vrtc_fe_enqueue(s->fe, 0, r, nb_req);
	s->nb_free -= posted;
	s->inflight += posted;
	return n;
}

/* After a reconnect every slot is free again (fresh rings). */
static void
stream_reset(struct stream *s)
{
	uint16_t i;

	s->inflight = 0;
	s->nb_free = 0;
	for (i = 0; i < DEPTH; i++)
		s->free_slots[s->nb_free++] = i;
}

/* Run the streams for @p ns; @return 0, or EXIT_STALLED when none
 * progressed for two seconds. */
static int
run_streams(struct stream *s, int nb, int64_t ns)
{
	int64_t start = now_ns(CLOCK_MONOTONIC), last = start, t;
	int i;

	do {
		unsigned int got = 0;

		for (i = 0; i < nb; i++)
			got += stream_poll(&s[i]);
		t = now_ns(CLOCK_MONOTONIC);
		if (got != 0)
			last = t;
		else if (t - last > CALL_TIMEOUT_NS)
			return EXIT_STALLED;
	} while (t - start < ns);
	return 0;
}

static int
traffic(const char *rtc, const char *rng, double seconds)
{
	struct stream s[2];
	int nb = 0, rc, i;

	if (rtc != NULL) {
		struct vrtc_fe *fe = fe_open("itest_rtc", rtc, VRTC_DEVICE_RTC);

		if (fe == NULL || stream_init(&s[nb++], fe, VRTC_DEVICE_RTC) != 0)
			return 1;
	}
	if (rng != NULL) {
		struct vrtc_fe *fe = fe_open("itest_rng", rng, VRTC_DEVICE_RNG);

		if (fe == NULL || stream_init(&s[nb++], fe, VRTC_DEVICE_RNG) != 0)
			return 1;
	}
	printf("INFO traffic started\n");
	fflush(stdout);
	rc = run_streams(s, nb, (int64_t)(seconds * 1e9));
	for (i = 0; i < nb; i++) {
		const char *what = s[i].type == VRTC_DEVICE_RTC ? "rtc" : "rng";

		printf("INFO traffic %s completions %" PRIu64 " bad %" PRIu64 "\n", what, s[i].done,
		       s[i].bad);
		if (rc == 0) {
			char name[32];

			snprintf(name, sizeof(name), "traffic %s", what);
			CHECK(s[i].done > 0 && s[i].bad == 0, name, "%" PRIu64 " done, %" PRIu64
			      " bad", s[i].done, s[i].bad);
		}
		stream_fini(&s[i]);
		vrtc_fe_destroy(s[i].fe);
	}
	if (rc != 0) {
		printf("INFO back-end stopped answering\n");
		return rc;
	}
	return failures ? 1 : 0;
}

static int
reconnect(const char *path, int times)
{
	struct vrtc_fe *fe = fe_open("itest_rtc", path, VRTC_DEVICE_RTC);
	struct stream s;
	int i, rc = 0;

	if (fe == NULL || stream_init(&s, fe, VRTC_DEVICE_RTC) != 0)
		return 1;
	for (i = 0; i < times; i++) {
		uint64_t before = s.done;

		/* At least 200 completions per connection (a busy machine may
		 * need more than the 50 ms asked for). */
		do
			rc = run_streams(&s, 1, 50 * 1000 * 1000);
		while (rc == 0 && s.done - before < 200);
		if (rc != 0 || s.bad != 0) {
			printf("FAIL reconnect %d: rc %d, %" PRIu64 " completions, %" PRIu64 " bad\n",
			       i, rc, s.done - before, s.bad);
			failures++;
			break;
		}
		/* Mid-traffic: requests are in flight when we drop the link. */
		if (vrtc_fe_disconnect(fe) != 0 || vrtc_fe_connect(fe) != 0) {
			printf("FAIL reconnect %d: cannot reconnect\n", i);
			failures++;
			break;
		}
		stream_reset(&s);
	}
	if (failures == 0)
		printf("PASS reconnect %d times mid-traffic (%" PRIu64 " completions)\n", times,
		       s.done);
	stream_fini(&s);
	vrtc_fe_destroy(fe);
	return failures ? 1 : 0;
}

/* Run one stream for @p ns and until it completed something (a loaded
 * machine may give the back-end no CPU within @p ns); a stall of two
 * seconds still ends it. @return as run_streams(). */
static int
run_stream_progress(struct stream *s, int64_t ns)
{
	int64_t start = now_ns(CLOCK_MONOTONIC);
	uint64_t before = s->done;
	int rc;

	do {
		rc = run_streams(s, 1, ns);
		if (rc == 0 && s->done == before &&
		    now_ns(CLOCK_MONOTONIC) - start > CALL_TIMEOUT_NS)
			return EXIT_STALLED;
	} while (rc == 0 && s->done == before);
	return rc;
}

/*
 * Grow EAL memory by 16 MiB, move the request and response buffers into the
 * new memory (so the back-end must have mapped it), run traffic, move them
 * back, free it (memory shrinks: another SET_MEM_TABLE), run traffic.
 */
static int
hotplug(const char *path, int times)
{
	struct vrtc_fe *fe = fe_open("itest_rtc", path, VRTC_DEVICE_RTC);
	struct stream s;
	int i;

	if (fe == NULL || stream_init(&s, fe, VRTC_DEVICE_RTC) != 0)
		return 1;
	for (i = 0; i < times && failures == 0; i++) {
		uint8_t *old_req = s.req, *old_resp = s.resp, *big;
		uint64_t before = s.done;

		/* Drain what is in flight on the old buffers first. */
		while (s.inflight != 0)
			s.inflight -= vrtc_fe_dequeue(fe, 0, (struct vrtc_fe_done[DEPTH]){ 0 }, DEPTH);
		stream_reset(&s);
		big = rte_malloc(NULL, 16 << 20, 4096);
		if (big == NULL) {
			printf("FAIL hotplug %d: cannot grow EAL memory\n", i);
			failures++;
			break;
		}
		/* Buffers at the far end of the new memory. */
		s.req = big + (16 << 20) - DEPTH * 16 - DEPTH * 4096;
		s.resp = big + (16 << 20) - DEPTH * 4096;
		memcpy(s.req, old_req, DEPTH * 16);
		if (run_stream_progress(&s, 100 * 1000 * 1000) != 0 || s.done == before || s.bad != 0) {
			printf("FAIL hotplug %d: traffic in new memory: %" PRIu64 " done, %" PRIu64
			       " bad\n", i, s.done - before, s.bad);
			failures++;
		}
		while (s.inflight != 0)
			s.inflight -= vrtc_fe_dequeue(fe, 0, (struct vrtc_fe_done[DEPTH]){ 0 }, DEPTH);
		stream_reset(&s);
		s.req = old_req;
		s.resp = old_resp;
		rte_free(big);
		before = s.done;
		if (run_stream_progress(&s, 50 * 1000 * 1000) != 0 || s.done == before || s.bad != 0) {
			printf("FAIL hotplug %d: traffic after shrinking\n", i);
			failures++;
		}
	}
	if (failures == 0)
		printf("PASS memory grown and shrunk %d times under traffic (%" PRIu64
		       " completions)\n", times, s.done);
	stream_fini(&s);
	vrtc_fe_destroy(fe);
	return failures ? 1 : 0;
}

/* ---- alarm ------------------------------------------------------------------- */

#define ALARM_BUFS 8

/* One 8-byte-answer alarm request; @return the status, or -1. */
static int
alarm_call(struct vrtc_fe *fe, struct rtc_bufs *b, uint32_t len)
{
	uint32_t used = 0;

	memset(b->resp, 0xAA, 64);
	if (call(fe, b->req, len, b->resp, 8, &used) != 0 || used != 8)
		return -1;
	return vrtc_fe_rtc_status(b->resp, used);
}

/* Wait for one notification; @return its clock id, or -1 after 2 s. */
static int
alarm_wait(struct vrtc_fe *fe)
{
	int64_t deadline = now_ns(CLOCK_MONOTONIC) + CALL_TIMEOUT_NS;
	struct vrtc_fe_alarm a;

	while (vrtc_fe_alarm_poll(fe, &a, 1) == 0)
		if (now_ns(CLOCK_MONOTONIC) > deadline)
			return -1;
	return a.clock_id;
}

/* The clock with ALARM_CAP, or -1. */
static int
alarm_clock(struct vrtc_fe *fe, struct rtc_bufs *b)
{
	uint32_t used;
	uint16_t nb, i;

	if (rtc_req(fe, b, VRTC_RTC_REQ_CFG, 0, 0, 8, 16, &used) != VRTC_RTC_S_OK || used != 16)
		return -1;
	nb = (uint16_t)(b->resp[8] | b->resp[9] << 8);
	for (i = 0; i < nb; i++)
		if (rtc_req(fe, b, VRTC_RTC_REQ_CLOCK_CAP, i, 0, 16, 16, &used) == VRTC_RTC_S_OK &&
		    used == 16 && (b->resp[10] & VRTC_RTC_FLAG_ALARM_CAP) != 0)
			return i;
	return -1;
}

static int
alarm_scenario(const char *path, int times, int expect_alarm)
{
	struct vrtc_fe_params p;
	struct vrtc_fe_alarm_stats st;
	struct vrtc_fe_alarm a;
	struct rtc_bufs b;
	struct vrtc_fe *fe = NULL;
	uint64_t t = 0;
	int rc, i, clk, en = -1, got;
	uint32_t used = 0;

	vrtc_fe_params_init(&p, VRTC_DEVICE_RTC);
	p.name = "itest_alarm";
	p.path = path;
	p.queue_size = 64;
	p.nb_queues = 2;
	p.alarm = 1;
	p.alarm_buffers = ALARM_BUFS;
	b.req = rte_zmalloc(NULL, 64, 64);
	b.resp = rte_zmalloc(NULL, 64, 64);
	rc = b.req != NULL && b.resp != NULL ? vrtc_fe_create(&p, &fe) : -ENOMEM;
	if (rc != 0) {
		printf("FAIL connect %s: %s\n", path, strerror(-rc));
		return 1;
	}
	vrtc_fe_alarm_stats_get(fe, &st);
	if (!expect_alarm) {
		CHECK(!vrtc_feature_has(vrtc_fe_features(fe), VRTC_VIRTIO_RTC_F_ALARM) &&
		      st.posted == 0 && vrtc_fe_alarm_poll(fe, &a, 1) == 0,
		      "no F_ALARM offered: connected without it, nothing posted",
		      "features 0x%" PRIx64 ", %u posted", vrtc_fe_features(fe), st.posted);
		goto out;
	}
	CHECK(vrtc_feature_has(vrtc_fe_features(fe), VRTC_VIRTIO_RTC_F_ALARM) &&
	      st.posted == ALARM_BUFS, "F_ALARM negotiated, alarmq stocked",
	      "features 0x%" PRIx64 ", %u posted", vrtc_fe_features(fe), st.posted);
	clk = alarm_clock(fe, &b);
	CHECK(clk >= 0, "a clock with ALARM_CAP", "none");
	if (clk < 0)
		goto out;
	/* More notifications than buffers: each one is reposted. */
	for (i = 0, got = 0; i < times; i++) {
		uint64_t now = (uint64_t)now_ns(CLOCK_REALTIME);

		if (alarm_call(fe, &b, vrtc_fe_rtc_set_alarm_req((void *)b.req, (uint16_t)clk,
								  now - 1000000000u, 1)) !=
		    VRTC_RTC_S_OK)
			break;
		if (alarm_wait(fe) != clk)
			break;
		if (alarm_call(fe, &b, vrtc_fe_rtc_set_alarm_enabled_req((void *)b.req,
									  (uint16_t)clk, 0)) !=
		    VRTC_RTC_S_OK)
			break;
		got++;
	}
	vrtc_fe_alarm_stats_get(fe, &st);
	CHECK(got == times && st.notifications == (uint64_t)times &&
	      st.reposted == (uint64_t)times && st.posted == ALARM_BUFS && st.short_bufs == 0 &&
	      st.unknown == 0 && st.repost_failed == 0,
	      "notifications decoded, every buffer reposted",
	      "%d of %d rounds; notifications %" PRIu64 " reposted %" PRIu64 " posted %u short %"
	      PRIu64 " unknown %" PRIu64, got, times, st.notifications, st.reposted, st.posted,
	      st.short_bufs, st.unknown);
	/* A reconnect: fresh rings, the alarmq stocked again, alarm state
	 * cleared by the back-end. */
	rc = vrtc_fe_disconnect(fe);
	if (rc == 0)
		rc = vrtc_fe_connect(fe);
	vrtc_fe_alarm_stats_get(fe, &st);
	CHECK(rc == 0 && st.posted == ALARM_BUFS, "reconnected, alarmq stocked again",
	      "rc %d, %u posted", rc, st.posted);
	memset(b.req, 0, 64);
	vrtc_fe_rtc_read_alarm_req((void *)b.req, (uint16_t)clk);
	memset(b.resp, 0xAA, 64);
	rc = call(fe, b.req, 16, b.resp, 24, &used);
	CHECK(rc == 0 && vrtc_fe_rtc_read_alarm_resp(b.resp, used, &t, &en) == VRTC_RTC_S_OK &&
	      t == 0 && en == 0, "alarm state cleared by the reconnect",
	      "rc %d used %u time %" PRIu64 " enabled %d", rc, used, t, en);
	t = (uint64_t)now_ns(CLOCK_REALTIME) + 5000000u;
	rc = alarm_call(fe, &b, vrtc_fe_rtc_set_alarm_req((void *)b.req, (uint16_t)clk, t, 1));
	CHECK(rc == VRTC_RTC_S_OK && alarm_wait(fe) == clk,
	      "an alarm 5 ms ahead fires after the reconnect", "status %d", rc);
	alarm_call(fe, &b, vrtc_fe_rtc_set_alarm_enabled_req((void *)b.req, (uint16_t)clk, 0));
out:
	vrtc_fe_destroy(fe);
	rte_free(b.req);
	rte_free(b.resp);
	return failures ? 1 : 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rtc", required_argument, NULL, 'r' },   { "rng", required_argument, NULL, 'g' },
		{ "clocks", required_argument, NULL, 'c' }, { "tai-offset", required_argument, NULL, 't' },
		{ "cross", required_argument, NULL, 'x' },  { "seconds", required_argument, NULL, 's' },
		{ "times", required_argument, NULL, 'n' },  { "expect", required_argument, NULL, 'e' },
		{ "smearing", required_argument, NULL, 'm' },
		{ "expect-alarm", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rtc = NULL, *rng = NULL, *clocks = "utc+tai+mono+smeared", *scenario;
	const char *expect = NULL;
	int tai_offset = 37, cross = 0, times = 20, smearing = VRTC_RTC_SMEAR_NOON_LINEAR, n, c, rc;
	int expect_alarm = 1;
	double seconds = 2;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "itest_client: EAL: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	argc -= n;
	argv += n;
	if (argc < 2) {
		fprintf(stderr, "itest_client: which scenario?\n");
		return 2;
	}
	scenario = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': rtc = optarg; break;
		case 'g': rng = optarg; break;
		case 'c': clocks = optarg; break;
		case 't': tai_offset = atoi(optarg); break;
		case 'x': cross = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'n': times = atoi(optarg); break;
		case 'm': smearing = atoi(optarg); break;
		case 'a': expect_alarm = atoi(optarg); break;
		case 'e': expect = optarg; break;
		default: return 2;
		}
	}
	if (strcmp(scenario, "rtc-check") == 0 && rtc != NULL)
		rc = rtc_check(rtc, clocks, tai_offset, cross, smearing);
	else if (strcmp(scenario, "rng-check") == 0 && rng != NULL)
		rc = rng_check(rng);
	else if (strcmp(scenario, "rng-file") == 0 && rng != NULL && expect != NULL)
		rc = rng_file(rng, expect, rtc);
	else if (strcmp(scenario, "traffic") == 0 && (rtc != NULL || rng != NULL))
		rc = traffic(rtc, rng, seconds);
	else if (strcmp(scenario, "reconnect") == 0 && rtc != NULL)
		rc = reconnect(rtc, times);
	else if (strcmp(scenario, "hotplug") == 0 && rtc != NULL)
		rc = hotplug(rtc, times);
	else if (strcmp(scenario, "alarm") == 0 && rtc != NULL)
		rc = alarm_scenario(rtc, times, expect_alarm);
	else
		rc = 2;
	if (rc == 2)
		fprintf(stderr, "itest_client: bad scenario or missing socket option\n");
	fflush(stdout);
	rte_eal_cleanup();
	return rc;
}
