/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Unit tests for lib/virtio_rtc/rtc_model.c: exact request and response
 * bytes for every message type, every rule of rtc_model.h and their order,
 * over chains built by hand from local byte arrays, with fake clocks.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "rtc_model.h"
#include "test.h"

/* Run a helper that checks; stop the case when it failed. */
#define CALL(x)                                                                                  \
	do {                                                                                       \
		x;                                                                                 \
		if (t_case_failed)                                                                 \
			return;                                                                    \
	} while (0)

#define FILL 0xAA
#define BUF_BYTES 128

/* ------------------------------------------------------------------------ */
/* Fake clocks                                                              */
/* ------------------------------------------------------------------------ */

struct fake_clock {
	uint64_t ns;	      /* next reading */
	uint64_t step_ns;     /* added after each reading */
	uint64_t cycles;      /* next counter value */
	int read_ret;	      /* non-zero: read() fails with it */
	int cross_ret;	      /* non-zero: read_cross() fails with it */
	uint8_t cross_counter; /* the one counter it can pair with; 0xFF none */
	unsigned int nb_reads;
	unsigned int nb_cross;
};

static int
fake_read(void *ctx, uint64_t *ns)
{
	struct fake_clock *f = ctx;

	f->nb_reads++;
	if (f->read_ret != 0)
		return f->read_ret;
	*ns = f->ns;
	f->ns += f->step_ns;
	return 0;
}

static int
fake_cross_capable(void *ctx, uint8_t hw_counter)
{
	const struct fake_clock *f = ctx;

	return f->cross_counter != 0xFF && hw_counter == f->cross_counter;
}

static int
fake_read_cross(void *ctx, uint8_t hw_counter, uint64_t *ns, uint64_t *cycles)
{
	struct fake_clock *f = ctx;

	f->nb_cross++;
	if (!fake_cross_capable(ctx, hw_counter))
		return -EOPNOTSUPP;
	if (f->cross_ret != 0)
		return f->cross_ret;
	*ns = f->ns;
	*cycles = f->cycles;
	f->ns += f->step_ns;
	f->cycles += f->step_ns;
	return 0;
}

static const struct vrtc_clock_ops fake_ops = {
	.read = fake_read,
	.cross_capable = fake_cross_capable,
	.read_cross = fake_read_cross,
};

static const struct vrtc_clock_ops fake_ops_read_only = {
	.read = fake_read,
};

static struct fake_clock fc[3];
static struct vrtc_rtc_model model;

/*
 * The standard device: 0 = UTC_SMEARED/NOON_LINEAR pairing with the TSC,
 * 1 = TAI pairing with the Arm counter, 2 = MONOTONIC without cross ops.
 */
static void
setup(void)
{
	struct vrtc_clock clocks[3] = {
		{ VRTC_RTC_CLOCK_UTC_SMEARED, VRTC_RTC_SMEAR_NOON_LINEAR, &fake_ops, &fc[0] },
		{ VRTC_RTC_CLOCK_TAI, VRTC_RTC_SMEAR_UNSPECIFIED, &fake_ops, &fc[1] },
		{ VRTC_RTC_CLOCK_MONOTONIC, VRTC_RTC_SMEAR_UNSPECIFIED, &fake_ops_read_only, &fc[2] },
	};

	memset(fc, 0, sizeof(fc));
	fc[0].ns = 1800000000000000000ULL;
	fc[0].cycles = 0x0102030405060708ULL;
	fc[0].cross_counter = VRTC_RTC_COUNTER_X86_TSC;
	fc[1].ns = 1800000037000000000ULL;
	fc[1].cycles = 0x1122334455667788ULL;
	fc[1].cross_counter = VRTC_RTC_COUNTER_ARM_VCT;
	fc[2].ns = 1800000000000000000ULL;
	fc[2].cross_counter = 0xFF;
	if (vrtc_rtc_model_init(&model, clocks, 3) != 0)
		abort();
}

/* ------------------------------------------------------------------------ */
/* Chains over local arrays                                                 */
/* ------------------------------------------------------------------------ */

struct tchain {
	struct vrtc_chain c;
	struct vrtc_seg segs[2 * BUF_BYTES];
};

/* Cut @len bytes at @buf into @n pieces of near-equal size (each >= 1). */
static uint16_t
split(struct vrtc_seg *segs, uint8_t *buf, size_t len, unsigned int n)
{
	size_t off = 0;
	unsigned int i;

	if (len == 0)
		return 0;
	if (n == 0)
		n = 1;
	if (n > len)
		n = (unsigned int)len;
	for (i = 0; i < n; i++) {
		size_t piece = len / n + (i < len % n);

		segs[i].addr = buf + off;
		segs[i].len = (uint32_t)piece;
		off += piece;
	}
	return (uint16_t)n;
}

static void
build(struct tchain *t, uint8_t *rd, size_t rlen, unsigned int nr, uint8_t *wr, size_t wlen,
      unsigned int nw)
{
	memset(t, 0, sizeof(*t));
	t->c.segs = t->segs;
	t->c.head = 7;
	t->c.nb_readable = split(t->segs, rd, rlen, nr);
	t->c.readable_bytes = (uint32_t)rlen;
	t->c.nb_writable = split(t->segs + t->c.nb_readable, wr, wlen, nw);
	t->c.writable_bytes = (uint32_t)wlen;
}

/* Pieces of the sizes given (0-terminated list), then whatever is left. */
static uint16_t
split_sizes(struct vrtc_seg *segs, uint8_t *buf, size_t len, const uint32_t *sizes)
{
	size_t off = 0;
	uint16_t n = 0;

	while (off < len) {
		uint32_t piece = (sizes != NULL && sizes[n] != 0) ? sizes[n] : (uint32_t)(len - off);

		if (piece > len - off)
			piece = (uint32_t)(len - off);
		segs[n].addr = buf + off;
		segs[n].len = piece;
		off += piece;
		n++;
	}
	return n;
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */
/* ------------------------------------------------------------------------ */

/* Request and response sizes, as the spec's tables state them. */
static const struct {
	uint16_t type;
	uint32_t req;
	uint32_t resp;
	int has_clock;
	int has_counter;
	int alarm;
} types[] = {
	{ VRTC_RTC_REQ_READ, 16, 16, 1, 0, 0 },
	{ VRTC_RTC_REQ_READ_CROSS, 16, 24, 1, 1, 0 },
	{ VRTC_RTC_REQ_CFG, 8, 16, 0, 0, 0 },
	{ VRTC_RTC_REQ_CLOCK_CAP, 16, 16, 1, 0, 0 },
	{ VRTC_RTC_REQ_CROSS_CAP, 16, 16, 1, 1, 0 },
	{ VRTC_RTC_REQ_READ_ALARM, 16, 24, 1, 0, 1 },
	{ VRTC_RTC_REQ_SET_ALARM, 24, 8, 1, 0, 1 },
	{ VRTC_RTC_REQ_SET_ALARM_ENABLED, 16, 8, 1, 0, 1 },
};

#define NB_TYPES (sizeof(types) / sizeof(types[0]))

/* A well-formed request of @type into @b (24 bytes); returns its size. */
static uint32_t
mkreq(uint8_t *b, uint16_t type, uint16_t clock_id, uint8_t hw_counter)
{
	unsigned int i;

	memset(b, 0, 24);
	b[0] = (uint8_t)type;
	b[1] = (uint8_t)(type >> 8);
	if (type == VRTC_RTC_REQ_SET_ALARM) {
		b[16] = (uint8_t)clock_id;
		b[17] = (uint8_t)(clock_id >> 8);
	} else if (type != VRTC_RTC_REQ_CFG) {
		b[8] = (uint8_t)clock_id;
		b[9] = (uint8_t)(clock_id >> 8);
	}
	if (type == VRTC_RTC_REQ_READ_CROSS || type == VRTC_RTC_REQ_CROSS_CAP)
		b[10] = hw_counter;
	for (i = 0; i < NB_TYPES; i++)
		if (types[i].type == type)
			return types[i].req;
	return 8;
}

/* Handle @rd/@rlen (nr pieces) with @wlen writable bytes (nw pieces),
 * writable buffer pre-filled with FILL. */
static uint32_t
run(uint8_t *rd, size_t rlen, unsigned int nr, uint8_t *wr, size_t wlen, unsigned int nw)
{
	struct tchain t;

	memset(wr, FILL, BUF_BYTES);
	build(&t, rd, rlen, nr, wr, wlen, nw);
	return vrtc_rtc_handle(&model, &t.c);
}

/* @used bytes written, equal to @exp, and the rest of @wr untouched. */
static void
check_resp(const uint8_t *wr, uint32_t used, const uint8_t *exp, uint32_t exp_len)
{
	uint32_t i;

	T_EQ(used, exp_len);
	T_EQ_MEM(wr, exp, exp_len);
	for (i = exp_len; i < BUF_BYTES; i++)
		if (wr[i] != FILL) {
			T_FAIL_AT("byte %u after the response was written: %02x", i, wr[i]);
			return;
		}
}

/* An error answer: the header with @status, or the @wlen bytes of it that fit. */
static void
check_err(const uint8_t *wr, uint32_t used, uint8_t status, uint32_t wlen)
{
	uint8_t exp[8] = { status };

	check_resp(wr, used, exp, wlen < 8 ? wlen : 8);
}

static const uint8_t resp_ok16[16];

/* ------------------------------------------------------------------------ */
/* Test vectors (protocol-reference.md 6.1)                                 */
/* ------------------------------------------------------------------------ */

static void
test_vector_cfg(void)
{
	uint8_t rd[] = { 0x00, 0x10, 0, 0, 0, 0, 0, 0 };
	uint8_t exp[16] = { [8] = 0x03 };
	uint8_t wr[BUF_BYTES];

	setup();
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 16, 1), exp, 16));
}

static void
test_vector_clock_cap(void)
{
	uint8_t rd[] = { 0x01, 0x10, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0, 0, 0, 0, 0, 0 };
	/* UTC_SMEARED, NOON_LINEAR; no ALARM_CAP: the alarm feature is not offered. */
	uint8_t exp0[16] = { [8] = 0x03, [9] = 0x01 };
	uint8_t exp1[16] = { [8] = 0x01 };
	uint8_t exp2[16] = { [8] = 0x02 };
	uint8_t wr[BUF_BYTES];

	setup();
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 16, 1), exp0, 16));
	rd[8] = 1;
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 16, 1), exp1, 16));
	rd[8] = 2;
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 16, 1), exp2, 16));
	T_EQ(fc[0].nb_reads + fc[1].nb_reads + fc[2].nb_reads, 0);
}

static void
test_vector_cross_cap(void)
{
	uint8_t rd[] = { 0x02, 0x10, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0 };
	uint8_t yes[16] = { [8] = 0x01 };
	uint8_t wr[BUF_BYTES];

	setup();
	/* clock 0 pairs with the TSC ... */
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 16, 1), yes, 16));
	/* ... not with the Arm counter: OK, flag clear */
	rd[10] = VRTC_RTC_COUNTER_ARM_VCT;
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 16, 1), resp_ok16, 16));
	/* clock 1 the other way round */
	rd[8] = 1;
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 16, 1), yes, 16));
	rd[10] = VRTC_RTC_COUNTER_X86_TSC;
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 16, 1), resp_ok16, 16));
	/* clock 2 has no cross ops at all */
	rd[8] = 2;
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 16, 1), resp_ok16, 16));
	rd[10] = VRTC_RTC_COUNTER_ARM_VCT;
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 16, 1), resp_ok16, 16));
	/* CROSS_CAP reads no clock */
	T_EQ(fc[0].nb_cross + fc[1].nb_cross + fc[0].nb_reads + fc[1].nb_reads, 0);
}

static void
test_vector_read(void)
{
	uint8_t rd[] = { 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0, 0, 0, 0, 0, 0 };
	uint8_t exp[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0xb4, 0x93, 0x76, 0xe2, 0xfa, 0x18 };
	uint8_t exp_tai[16] = { [8] = 0x00, 0x32, 0x13, 0x31, 0x7f, 0xe2, 0xfa, 0x18 };
	uint8_t wr[BUF_BYTES];

	setup();
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 16, 1), exp, 16));
	T_EQ(fc[2].nb_reads, 1);
	/* 1800000037000000000 = 0x18fae27f31133200 */
	rd[8] = 1;
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 16, 1), exp_tai, 16));
	T_EQ(fc[1].nb_reads, 1);
	T_EQ(model.stats.reads, 2);
}

static void
test_vector_read_cross(void)
{
	uint8_t rd[] = { 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0, 0, 0, 0, 0 };
	/* clock 1 with the Arm counter: reading, then cycles */
	uint8_t exp[24] = { [8] = 0x00, 0x32, 0x13, 0x31, 0x7f, 0xe2, 0xfa, 0x18,
			    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 };
	uint8_t exp_tsc[24] = { [8] = 0x00, 0x00, 0xb4, 0x93, 0x76, 0xe2, 0xfa, 0x18,
				0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 };
	uint8_t wr[BUF_BYTES];

	setup();
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 24, 1), exp, 24));
	rd[8] = 0;
	rd[10] = VRTC_RTC_COUNTER_X86_TSC;
	CALL(check_resp(wr, run(rd, sizeof(rd), 1, wr, 24, 1), exp_tsc, 24));
	T_EQ(model.stats.cross_reads, 2);
	T_EQ(model.stats.reads, 0);
}

static void
test_vector_alarm_requests(void)
{
	uint8_t read_alarm[] = { 0x03, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t set_alarm[] = { 0x04, 0x10, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0xb4, 0x93,
				0x76, 0xe2, 0xfa, 0x18, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0 };
	uint8_t set_enabled[] = { 0x05, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t wr[BUF_BYTES];

	/* VIRTIO_RTC_F_ALARM is not offered: every alarm request is ENODEV,
	 * the header only. */
	setup();
	T_EQ(vrtc_rtc_model_offered_features(&model), 0);
	CALL(check_err(wr, run(read_alarm, sizeof(read_alarm), 1, wr, 24, 1), 3, 24));
	CALL(check_err(wr, run(set_alarm, sizeof(set_alarm), 1, wr, 8, 1), 3, 8));
	CALL(check_err(wr, run(set_enabled, sizeof(set_enabled), 1, wr, 8, 1), 3, 8));
	T_EQ(model.stats.status[VRTC_RTC_S_ENODEV], 3);
}

/* ------------------------------------------------------------------------ */
/* Framing: readable and writable sizes                                     */
/* ------------------------------------------------------------------------ */

/* What a complete, valid request of type i answers: OK for the clock types,
 * ENODEV for the alarm ones. */
static uint8_t
good_status(unsigned int i)
{
	return types[i].alarm ? VRTC_RTC_S_ENODEV : VRTC_RTC_S_OK;
}

/* A valid request on clock 0 (hw_counter TSC, which clock 0 pairs with). */
static uint32_t
good_req(uint8_t *rd, unsigned int i)
{
	return mkreq(rd, types[i].type, 0, VRTC_RTC_COUNTER_X86_TSC);
}

static void
test_no_writable_byte(void)
{
	uint8_t rd[64], wr[BUF_BYTES];
	unsigned int i;
	uint64_t n = 0;

	setup();
	for (i = 0; i < NB_TYPES; i++) {
		good_req(rd, i);
		T_EQ(run(rd, 64, 1, wr, 0, 0), 0);
		n++;
		T_EQ(run(rd, 0, 0, wr, 0, 0), 0);
		n++;
		T_EQ(run(rd, 2, 1, wr, 0, 0), 0);
		n++;
		T_EQ(wr[0], FILL);
	}
	mkreq(rd, 0xFFFF, 0, 0);
	T_EQ(run(rd, 16, 1, wr, 0, 0), 0);
	n++;
	T_EQ(model.stats.no_status, n);
	T_EQ(model.stats.requests, n);
	for (i = 0; i < VRTC_RTC_S_COUNT; i++)
		T_EQ(model.stats.status[i], 0);
	T_EQ(fc[0].nb_reads + fc[0].nb_cross, 0);
}

static void
test_readable_too_short_for_header(void)
{
	static const size_t sizes[] = { 0, 2, 7 };
	uint8_t rd[64], wr[BUF_BYTES];
	unsigned int i, s;

	setup();
	for (i = 0; i < NB_TYPES; i++) {
		good_req(rd, i);
		for (s = 0; s < 3; s++) {
			CALL(check_err(wr, run(rd, sizes[s], 1, wr, 24, 1), VRTC_RTC_S_EINVAL, 24));
			/* even when the two type bytes make an unknown type */
			mkreq(rd, 0x0FFF, 0, 0);
			CALL(check_err(wr, run(rd, sizes[s], 1, wr, 24, 1), VRTC_RTC_S_EINVAL, 24));
			good_req(rd, i);
		}
	}
}

static void
test_readable_sizes(void)
{
	uint8_t rd[64], wr[BUF_BYTES];
	unsigned int i;

	setup();
	for (i = 0; i < NB_TYPES; i++) {
		uint32_t req = good_req(rd, i), resp = types[i].resp;
		uint32_t used;

		/* junk after the request is ignored */
		memset(rd + req, 0x5C, sizeof(rd) - req);

		/* the header alone: only CFG is complete */
		used = run(rd, 8, 1, wr, resp, 1);
		if (types[i].type == VRTC_RTC_REQ_CFG) {
			T_EQ(used, 16);
			T_EQ(wr[0], VRTC_RTC_S_OK);
		} else {
			CALL(check_err(wr, used, VRTC_RTC_S_EINVAL, resp));
		}
		/* one byte short */
		CALL(check_err(wr, run(rd, req - 1, 1, wr, resp, 1), VRTC_RTC_S_EINVAL, resp));
		/* exact, and more than enough */
		used = run(rd, req, 1, wr, resp, 1);
		T_EQ(wr[0], good_status(i));
		T_EQ(used, good_status(i) == VRTC_RTC_S_OK ? resp : 8);
		used = run(rd, 64, 1, wr, resp, 1);
		T_EQ(wr[0], good_status(i));
		T_EQ(used, good_status(i) == VRTC_RTC_S_OK ? resp : 8);
	}
}

static void
test_writable_sizes(void)
{
	uint8_t rd[24], wr[BUF_BYTES];
	unsigned int i;

	setup();
	for (i = 0; i < NB_TYPES; i++) {
		uint32_t req = good_req(rd, i), resp = types[i].resp;
		uint32_t sizes[] = { 1, 7, 8, resp - 1, resp, 64 };
		unsigned int s;

		for (s = 0; s < VRTC_ARRAY_SIZE(sizes); s++) {
			uint32_t w = sizes[s], used;

			used = run(rd, req, 1, wr, w, 1);
			if (w < resp) {
				CALL(check_err(wr, used, VRTC_RTC_S_EINVAL, w));
			} else if (good_status(i) != VRTC_RTC_S_OK) {
				CALL(check_err(wr, used, good_status(i), w));
			} else {
				uint32_t j;

				T_EQ(used, resp);
				T_EQ_MEM(wr, resp_ok16, 8);
				for (j = resp; j < BUF_BYTES; j++)
					T_EQ(wr[j], FILL);
			}
		}
	}
}

static void
test_writable_short_reads_no_clock(void)
{
	uint8_t rd[24], wr[BUF_BYTES];

	/* A READ that cannot be answered must not consume a reading. */
	setup();
	mkreq(rd, VRTC_RTC_REQ_READ, 0, 0);
	CALL(check_err(wr, run(rd, 16, 1, wr, 15, 1), VRTC_RTC_S_EINVAL, 15));
	mkreq(rd, VRTC_RTC_REQ_READ_CROSS, 0, VRTC_RTC_COUNTER_X86_TSC);
	CALL(check_err(wr, run(rd, 16, 1, wr, 23, 1), VRTC_RTC_S_EINVAL, 23));
	T_EQ(fc[0].nb_reads + fc[0].nb_cross, 0);
}

/* ------------------------------------------------------------------------ */
/* Segments                                                                 */
/* ------------------------------------------------------------------------ */

static void
test_split_segments(void)
{
	static const uint32_t pieces8[] = { 8, 8, 0 };
	static const uint32_t odd[] = { 3, 1, 9, 0 };
	uint8_t rd[64], wr[BUF_BYTES], exp[24];
	struct tchain t;
	unsigned int i, nr, nw;

	setup();
	fc[0].step_ns = 0;
	for (i = 0; i < NB_TYPES; i++) {
		uint32_t req = good_req(rd, i), resp = types[i].resp, used, one;

		/* the answer in one piece, for reference */
		one = run(rd, req, 1, wr, 64, 1);
		memcpy(exp, wr, sizeof(exp));
		for (nr = 1; nr <= req; nr++) {
			for (nw = 1; nw <= resp + 2; nw++) {
				used = run(rd, req, nr, wr, resp + 2, nw);
				CALL(check_resp(wr, used, exp, one));
			}
		}
		/* 8 + 8 (+ 8), 3 + 1 + 9 + rest, both sides */
		memset(wr, FILL, sizeof(wr));
		build(&t, rd, req, 1, wr, resp, 1);
		t.c.nb_readable = split_sizes(t.segs, rd, req, pieces8);
		t.c.nb_writable = split_sizes(t.segs + t.c.nb_readable, wr, resp, pieces8);
		CALL(check_resp(wr, vrtc_rtc_handle(&model, &t.c), exp, one));
		memset(wr, FILL, sizeof(wr));
		t.c.nb_readable = split_sizes(t.segs, rd, req, odd);
		t.c.nb_writable = split_sizes(t.segs + t.c.nb_readable, wr, resp, odd);
		CALL(check_resp(wr, vrtc_rtc_handle(&model, &t.c), exp, one));
	}
}

static void
test_split_short_writable(void)
{
	uint8_t rd[24], wr[BUF_BYTES];
	unsigned int nw;

	/* An error header spread over 1-byte writable pieces, cut short. */
	setup();
	mkreq(rd, VRTC_RTC_REQ_READ_CROSS, 0, VRTC_RTC_COUNTER_X86_TSC);
	for (nw = 1; nw <= 5; nw++)
		CALL(check_err(wr, run(rd, 16, 16, wr, 5, nw), VRTC_RTC_S_EINVAL, 5));
	for (nw = 1; nw <= 23; nw++)
		CALL(check_err(wr, run(rd, 16, 3, wr, 23, nw), VRTC_RTC_S_EINVAL, 23));
}

/* ------------------------------------------------------------------------ */
/* Values                                                                   */
/* ------------------------------------------------------------------------ */

static void
test_unknown_msg_types(void)
{
	static const uint16_t unknown[] = { 0x0000, 0x0003, 0x0FFF, 0x1006, 0x2000, 0xFFFF };
	uint8_t rd[64], wr[BUF_BYTES];
	unsigned int i;

	setup();
	for (i = 0; i < VRTC_ARRAY_SIZE(unknown); i++) {
		mkreq(rd, unknown[i], 0, 0);
		/* the header is enough to know the type is unknown */
		CALL(check_err(wr, run(rd, 8, 1, wr, 8, 1), VRTC_RTC_S_EOPNOTSUPP, 8));
		CALL(check_err(wr, run(rd, 64, 1, wr, 64, 1), VRTC_RTC_S_EOPNOTSUPP, 64));
		/* no response size to check: a 1-byte buffer gets the status */
		CALL(check_err(wr, run(rd, 16, 1, wr, 1, 1), VRTC_RTC_S_EOPNOTSUPP, 1));
		T_CHECK(vrtc_rtc_msg_name(unknown[i]) == NULL || unknown[i] == 0x2000);
	}
	T_EQ(model.stats.status[VRTC_RTC_S_EOPNOTSUPP], 3 * VRTC_ARRAY_SIZE(unknown));
}

static void
test_bad_clock_ids(void)
{
	static const uint16_t bad[] = { 3, 0x7FFF, 0xFFFF };
	uint8_t rd[24], wr[BUF_BYTES];
	unsigned int i, b;

	setup();
	for (i = 0; i < NB_TYPES; i++) {
		if (!types[i].has_clock)
			continue;
		for (b = 0; b < VRTC_ARRAY_SIZE(bad); b++) {
			uint32_t req = mkreq(rd, types[i].type, bad[b], VRTC_RTC_COUNTER_X86_TSC);

			CALL(check_err(wr, run(rd, req, 1, wr, types[i].resp, 1),
				       VRTC_RTC_S_ENODEV, types[i].resp));
		}
	}
	T_EQ(fc[0].nb_reads + fc[1].nb_reads + fc[2].nb_reads, 0);
}

static void
test_clock_id_byte_order(void)
{
	uint8_t rd[24], wr[BUF_BYTES];

	/* 0x0100 is not clock 1: le16 */
	setup();
	mkreq(rd, VRTC_RTC_REQ_READ, 0x0100, 0);
	CALL(check_err(wr, run(rd, 16, 1, wr, 16, 1), VRTC_RTC_S_ENODEV, 16));
	/* SET_ALARM's clock_id is at offset 16, not 8: with F_ALARM recorded
	 * a bad id there is ENODEV, and bytes 8..9 do not matter */
	vrtc_rtc_model_set_features(&model, 1ULL << VRTC_VIRTIO_RTC_F_ALARM);
	mkreq(rd, VRTC_RTC_REQ_SET_ALARM, 0, 0);
	rd[8] = 0xFF;
	rd[9] = 0xFF;
	CALL(check_err(wr, run(rd, 24, 1, wr, 8, 1), VRTC_RTC_S_ENODEV, 8));
}

static void
test_hw_counters(void)
{
	static const struct {
		uint8_t hw;
		uint8_t status;
	} cases[] = {
		{ 0x00, VRTC_RTC_S_OK },	  { 0x01, VRTC_RTC_S_OK },
		{ 0x02, VRTC_RTC_S_EOPNOTSUPP }, { 0x7F, VRTC_RTC_S_EOPNOTSUPP },
		{ 0xEF, VRTC_RTC_S_EOPNOTSUPP }, { 0xF0, VRTC_RTC_S_EOPNOTSUPP },
		{ 0xFE, VRTC_RTC_S_EOPNOTSUPP }, { 0xFF, VRTC_RTC_S_EINVAL },
	};
	uint8_t rd[24], wr[BUF_BYTES];
	unsigned int c, id;

	setup();
	for (id = 0; id < 3; id++) {
		for (c = 0; c < VRTC_ARRAY_SIZE(cases); c++) {
			uint8_t hw = cases[c].hw;
			int capable = fc[id].cross_counter == hw;
			uint32_t used;

			/* CROSS_CAP: known counters OK, flag iff capable */
			mkreq(rd, VRTC_RTC_REQ_CROSS_CAP, (uint16_t)id, hw);
			used = run(rd, 16, 1, wr, 16, 1);
			if (cases[c].status == VRTC_RTC_S_OK) {
				uint8_t exp[16] = { [8] = (uint8_t)capable };

				CALL(check_resp(wr, used, exp, 16));
			} else {
				CALL(check_err(wr, used, cases[c].status, 16));
			}
			/* READ_CROSS: known counters OK iff capable, else EOPNOTSUPP */
			mkreq(rd, VRTC_RTC_REQ_READ_CROSS, (uint16_t)id, hw);
			used = run(rd, 16, 1, wr, 24, 1);
			if (cases[c].status == VRTC_RTC_S_OK && capable) {
				T_EQ(used, 24);
				T_EQ(wr[0], VRTC_RTC_S_OK);
			} else if (cases[c].status == VRTC_RTC_S_OK) {
				CALL(check_err(wr, used, VRTC_RTC_S_EOPNOTSUPP, 24));
			} else {
				CALL(check_err(wr, used, cases[c].status, 24));
			}
		}
	}
	/* The clock is asked only for known counters. */
	T_EQ(fc[0].nb_cross, 2);
	T_EQ(fc[1].nb_cross, 2);
	T_EQ(model.stats.cross_reads, 2);
}

static void
test_precedence(void)
{
	uint8_t rd[24], wr[BUF_BYTES];

	setup();
	/* 2 before 3: two bytes of an unknown type */
	mkreq(rd, 0x0FFF, 0, 0);
	CALL(check_err(wr, run(rd, 2, 1, wr, 8, 1), VRTC_RTC_S_EINVAL, 8));
	/* 3 before 5: unknown type, tiny writable part */
	CALL(check_err(wr, run(rd, 8, 1, wr, 8, 1), VRTC_RTC_S_EOPNOTSUPP, 8));
	/* 4 before 7: short request with a bad clock id */
	mkreq(rd, VRTC_RTC_REQ_READ, 9, 0);
	CALL(check_err(wr, run(rd, 15, 1, wr, 16, 1), VRTC_RTC_S_EINVAL, 16));
	/* 5 before 7: short response with a bad clock id */
	CALL(check_err(wr, run(rd, 16, 1, wr, 15, 1), VRTC_RTC_S_EINVAL, 15));
	/* 4 before 6: short alarm request */
	mkreq(rd, VRTC_RTC_REQ_SET_ALARM, 0, 0);
	CALL(check_err(wr, run(rd, 23, 1, wr, 8, 1), VRTC_RTC_S_EINVAL, 8));
	/* 5 before 6: short alarm response */
	mkreq(rd, VRTC_RTC_REQ_READ_ALARM, 0, 0);
	CALL(check_err(wr, run(rd, 16, 1, wr, 23, 1), VRTC_RTC_S_EINVAL, 23));
	/* 7 before 8: bad clock and unknown or invalid counter */
	mkreq(rd, VRTC_RTC_REQ_CROSS_CAP, 3, 0x02);
	CALL(check_err(wr, run(rd, 16, 1, wr, 16, 1), VRTC_RTC_S_ENODEV, 16));
	mkreq(rd, VRTC_RTC_REQ_READ_CROSS, 0xFFFF, 0xFF);
	CALL(check_err(wr, run(rd, 16, 1, wr, 24, 1), VRTC_RTC_S_ENODEV, 24));
	/* 8 before 9: invalid counter on a failing clock */
	fc[0].cross_ret = -EIO;
	mkreq(rd, VRTC_RTC_REQ_READ_CROSS, 0, 0xFF);
	CALL(check_err(wr, run(rd, 16, 1, wr, 24, 1), VRTC_RTC_S_EINVAL, 24));
	/* a known counter the clock cannot pair with: EOPNOTSUPP, not EIO */
	mkreq(rd, VRTC_RTC_REQ_READ_CROSS, 0, VRTC_RTC_COUNTER_ARM_VCT);
	CALL(check_err(wr, run(rd, 16, 1, wr, 24, 1), VRTC_RTC_S_EOPNOTSUPP, 24));
}

static void
test_alarm_feature_recorded(void)
{
	uint8_t rd[24], wr[BUF_BYTES];
	unsigned int i;

	/* Even if a front-end records F_ALARM, no clock has an alarm: ENODEV,
	 * and CLOCK_CAP never shows ALARM_CAP. */
	setup();
	vrtc_rtc_model_set_features(&model, 1ULL << VRTC_VIRTIO_RTC_F_ALARM);
	T_EQ(model.features, 1);
	for (i = 0; i < NB_TYPES; i++) {
		uint32_t req;

		if (!types[i].alarm)
			continue;
		req = mkreq(rd, types[i].type, 0, 0);
		CALL(check_err(wr, run(rd, req, 1, wr, types[i].resp, 1), VRTC_RTC_S_ENODEV,
			       types[i].resp));
		req = mkreq(rd, types[i].type, 3, 0);
		CALL(check_err(wr, run(rd, req, 1, wr, types[i].resp, 1), VRTC_RTC_S_ENODEV,
			       types[i].resp));
	}
	mkreq(rd, VRTC_RTC_REQ_CLOCK_CAP, 0, 0);
	T_EQ(run(rd, 16, 1, wr, 16, 1), 16);
	T_EQ(wr[10], 0);
	vrtc_rtc_model_set_features(&model, 0);
	T_EQ(model.features, 0);
}

static void
test_clock_read_fails(void)
{
	uint8_t rd[24], wr[BUF_BYTES];

	setup();
	fc[2].read_ret = -EIO;
	mkreq(rd, VRTC_RTC_REQ_READ, 2, 0);
	CALL(check_err(wr, run(rd, 16, 1, wr, 16, 1), VRTC_RTC_S_EIO, 16));
	fc[2].read_ret = -ERANGE;
	CALL(check_err(wr, run(rd, 16, 1, wr, 16, 1), VRTC_RTC_S_EIO, 16));
	/* any failure is EIO, even one spelled EOPNOTSUPP for READ */
	fc[2].read_ret = -EOPNOTSUPP;
	CALL(check_err(wr, run(rd, 16, 1, wr, 16, 1), VRTC_RTC_S_EIO, 16));
	/* READ_CROSS: -EOPNOTSUPP passes through, anything else is EIO */
	fc[0].cross_ret = -ETIMEDOUT;
	mkreq(rd, VRTC_RTC_REQ_READ_CROSS, 0, VRTC_RTC_COUNTER_X86_TSC);
	CALL(check_err(wr, run(rd, 16, 1, wr, 24, 1), VRTC_RTC_S_EIO, 24));
	fc[0].cross_ret = -EOPNOTSUPP;
	CALL(check_err(wr, run(rd, 16, 1, wr, 24, 1), VRTC_RTC_S_EOPNOTSUPP, 24));
	/* the other clocks are unaffected */
	mkreq(rd, VRTC_RTC_REQ_READ, 0, 0);
	T_EQ(run(rd, 16, 1, wr, 16, 1), 16);
	T_EQ(wr[0], VRTC_RTC_S_OK);
	T_EQ(model.stats.status[VRTC_RTC_S_EIO], 4);
	T_EQ(model.stats.reads, 1);
	T_EQ(model.stats.cross_reads, 0);
}

static void
test_reserved_request_bytes_ignored(void)
{
	uint8_t rd[24], wr[BUF_BYTES], exp[BUF_BYTES];
	unsigned int i;

	setup();
	for (i = 0; i < NB_TYPES; i++) {
		uint32_t req = good_req(rd, i), used, used2;
		unsigned int j;

		used = run(rd, req, 1, wr, 64, 1);
		memcpy(exp, wr, sizeof(exp));
		/* every byte that is neither msg_type, clock_id nor hw_counter */
		for (j = 2; j < req; j++) {
			int is_field = (types[i].type == VRTC_RTC_REQ_SET_ALARM) ?
					       j >= 8 && j <= 18 :
					       (types[i].has_clock && (j == 8 || j == 9)) ||
						       (types[i].has_counter && j == 10);

			if (!is_field)
				rd[j] = 0xEE;
		}
		used2 = run(rd, req, 1, wr, 64, 1);
		if (types[i].type == VRTC_RTC_REQ_READ || types[i].type == VRTC_RTC_REQ_READ_CROSS) {
			/* readings move on; status and size do not */
			T_EQ(used2, used);
			T_EQ(wr[0], exp[0]);
		} else {
			CALL(check_resp(wr, used2, exp, used));
		}
	}
}

static void
test_control_repeatable(void)
{
	static const uint16_t control[] = { VRTC_RTC_REQ_CFG, VRTC_RTC_REQ_CLOCK_CAP,
					    VRTC_RTC_REQ_CROSS_CAP };
	uint8_t rd[24], wr[BUF_BYTES], first[BUF_BYTES];
	unsigned int c, id, n;

	setup();
	for (c = 0; c < VRTC_ARRAY_SIZE(control); c++) {
		for (id = 0; id < 3; id++) {
			uint32_t req = mkreq(rd, control[c], (uint16_t)id, VRTC_RTC_COUNTER_ARM_VCT);
			uint32_t used = run(rd, req, 1, first, 16, 1);

			T_EQ(used, 16);
			for (n = 0; n < 1000; n++) {
				/* run() pre-fills wr with 0xAA: every byte is rewritten */
				uint32_t u = run(rd, req, 1, wr, 16, 1);

				T_EQ(u, 16);
				T_EQ_MEM(wr, first, 16);
			}
		}
	}
	T_EQ(fc[0].nb_reads + fc[1].nb_reads + fc[2].nb_reads, 0);
}

static void
test_reserved_response_bytes_zero(void)
{
	uint8_t rd[24], wr[BUF_BYTES];
	unsigned int i, id;

	/* Every writable byte is 0xAA before the call (run() fills it). */
	setup();
	fc[0].ns = fc[1].ns = fc[2].ns = UINT64_MAX;
	fc[0].cycles = fc[1].cycles = UINT64_MAX;
	for (i = 0; i < NB_TYPES; i++) {
		for (id = 0; id < 3; id++) {
			uint32_t req = mkreq(rd, types[i].type, (uint16_t)id,
					     fc[id].cross_counter);
			uint32_t used = run(rd, req, 1, wr, 64, 1), j;

			T_EQ_MEM(wr + 1, resp_ok16, 7);
			if (wr[0] != VRTC_RTC_S_OK) {
				T_EQ(used, 8);
				continue;
			}
			T_EQ(used, types[i].resp);
			switch (types[i].type) {
			case VRTC_RTC_REQ_CFG:
				T_EQ_MEM(wr + 10, resp_ok16, 6);
				break;
			case VRTC_RTC_REQ_CLOCK_CAP:
				T_EQ_MEM(wr + 11, resp_ok16, 5);
				T_EQ(wr[10], 0);
				break;
			case VRTC_RTC_REQ_CROSS_CAP:
				T_EQ(wr[8], id < 2 ? 1 : 0);
				T_EQ_MEM(wr + 9, resp_ok16, 7);
				break;
			default: /* READ and READ_CROSS: all ones after the header */
				for (j = 8; j < used; j++)
					T_EQ(wr[j], 0xFF);
				break;
			}
			for (j = used; j < 64; j++)
				T_EQ(wr[j], FILL);
		}
	}
}

static void
test_stats(void)
{
	uint8_t rd[24], wr[BUF_BYTES];

	setup();
	mkreq(rd, VRTC_RTC_REQ_READ, 0, 0);
	run(rd, 16, 1, wr, 16, 1);			    /* OK, read */
	run(rd, 16, 1, wr, 0, 0);			    /* no status */
	run(rd, 16, 1, wr, 3, 1);			    /* EINVAL */
	mkreq(rd, VRTC_RTC_REQ_READ_CROSS, 1, 0);
	run(rd, 16, 1, wr, 24, 1);			    /* OK, cross read */
	mkreq(rd, VRTC_RTC_REQ_CFG, 0, 0);
	run(rd, 8, 1, wr, 16, 1);			    /* OK */
	mkreq(rd, 0x1234, 0, 0);
	run(rd, 8, 1, wr, 16, 1);			    /* EOPNOTSUPP */
	mkreq(rd, VRTC_RTC_REQ_CLOCK_CAP, 5, 0);
	run(rd, 16, 1, wr, 16, 1);			    /* ENODEV */
	fc[2].read_ret = -EIO;
	mkreq(rd, VRTC_RTC_REQ_READ, 2, 0);
	run(rd, 16, 1, wr, 16, 1);			    /* EIO */
	T_EQ(model.stats.requests, 8);
	T_EQ(model.stats.no_status, 1);
	T_EQ(model.stats.status[VRTC_RTC_S_OK], 3);
	T_EQ(model.stats.status[1], 0);
	T_EQ(model.stats.status[VRTC_RTC_S_EOPNOTSUPP], 1);
	T_EQ(model.stats.status[VRTC_RTC_S_ENODEV], 1);
	T_EQ(model.stats.status[VRTC_RTC_S_EINVAL], 1);
	T_EQ(model.stats.status[VRTC_RTC_S_EIO], 1);
	T_EQ(model.stats.reads, 1);
	T_EQ(model.stats.cross_reads, 1);
}

/* ------------------------------------------------------------------------ */
/* Set-up and names                                                         */
/* ------------------------------------------------------------------------ */

static void
test_init(void)
{
	struct vrtc_clock c[VRTC_RTC_MAX_CLOCKS + 1];
	struct vrtc_rtc_model m;
	unsigned int i;
	uint8_t rd[24], wr[BUF_BYTES];
	struct tchain t;

	for (i = 0; i < VRTC_ARRAY_SIZE(c); i++) {
		c[i].type = VRTC_RTC_CLOCK_UTC;
		c[i].smearing = VRTC_RTC_SMEAR_UNSPECIFIED;
		c[i].ops = &fake_ops_read_only;
		c[i].ctx = &fc[0];
	}
	memset(&m, 0x5A, sizeof(m));
	T_EQ_INT(vrtc_rtc_model_init(&m, c, VRTC_RTC_MAX_CLOCKS), 0);
	T_EQ(m.nb_clocks, VRTC_RTC_MAX_CLOCKS);
	T_EQ(m.features, 0);
	T_EQ(m.stats.requests, 0);
	T_EQ(m.stats.status[VRTC_RTC_S_OK], 0);
	T_EQ_INT(vrtc_rtc_model_init(&m, c, VRTC_RTC_MAX_CLOCKS + 1), -EINVAL);
	T_EQ_INT(vrtc_rtc_model_init(&m, NULL, 1), -EINVAL);
	T_EQ_INT(vrtc_rtc_model_init(NULL, c, 1), -EINVAL);

	/* zero clocks: legal, CFG says 0, any clock id is ENODEV */
	T_EQ_INT(vrtc_rtc_model_init(&m, NULL, 0), 0);
	T_EQ(m.nb_clocks, 0);
	mkreq(rd, VRTC_RTC_REQ_CFG, 0, 0);
	memset(wr, FILL, sizeof(wr));
	build(&t, rd, 8, 1, wr, 16, 1);
	T_EQ(vrtc_rtc_handle(&m, &t.c), 16);
	T_EQ_MEM(wr, resp_ok16, 16);
	mkreq(rd, VRTC_RTC_REQ_READ, 0, 0);
	build(&t, rd, 16, 1, wr, 16, 1);
	T_EQ(vrtc_rtc_handle(&m, &t.c), 8);
	T_EQ(wr[0], VRTC_RTC_S_ENODEV);

	/* a clock without read */
	c[1].ops = NULL;
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 2), -EINVAL);
	c[1].ops = &(const struct vrtc_clock_ops){ .read = NULL };
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 2), -EINVAL);
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 1), 0);
	c[1].ops = &fake_ops;

	/* smearing only on UTC_SMEARED (D14) */
	c[1].smearing = VRTC_RTC_SMEAR_NOON_LINEAR;
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 2), -EINVAL);
	c[1].type = VRTC_RTC_CLOCK_UTC_MAYBE_SMEARED;
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 2), -EINVAL);
	c[1].type = VRTC_RTC_CLOCK_UTC_SMEARED;
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 2), 0);
	c[1].smearing = VRTC_RTC_SMEAR_UTC_SLS;
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 2), 0);
	c[1].smearing = 0xF0;
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 2), 0);
	c[1].smearing = 3;
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 2), -EINVAL);
	c[1].smearing = VRTC_RTC_SMEAR_UNSPECIFIED;
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 2), 0);

	/* clock types the spec does not define */
	c[1].type = 5;
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 2), -EINVAL);
	c[1].type = 0xEF;
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 2), -EINVAL);
	c[1].type = 0xF0;
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 2), 0);

	/* a failed init leaves the model as it was */
	T_EQ(m.nb_clocks, 2);
	c[0].ops = NULL;
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 2), -EINVAL);
	T_EQ(m.nb_clocks, 2);
}

static void
test_clock_set_copied(void)
{
	struct vrtc_clock c[1] = {
		{ VRTC_RTC_CLOCK_TAI, VRTC_RTC_SMEAR_UNSPECIFIED, &fake_ops, &fc[0] },
	};
	struct vrtc_rtc_model m;
	uint8_t rd[24], wr[BUF_BYTES];
	struct tchain t;

	/* the model keeps its own copy: the caller's array may go away */
	T_EQ_INT(vrtc_rtc_model_init(&m, c, 1), 0);
	c[0].type = VRTC_RTC_CLOCK_UTC;
	mkreq(rd, VRTC_RTC_REQ_CLOCK_CAP, 0, 0);
	memset(wr, FILL, sizeof(wr));
	build(&t, rd, 16, 1, wr, 16, 1);
	T_EQ(vrtc_rtc_handle(&m, &t.c), 16);
	T_EQ(wr[8], VRTC_RTC_CLOCK_TAI);
}

static void
test_msg_names(void)
{
	T_CHECK(strcmp(vrtc_rtc_msg_name(VRTC_RTC_REQ_READ), "READ") == 0);
	T_CHECK(strcmp(vrtc_rtc_msg_name(VRTC_RTC_REQ_READ_CROSS), "READ_CROSS") == 0);
	T_CHECK(strcmp(vrtc_rtc_msg_name(VRTC_RTC_REQ_CFG), "CFG") == 0);
	T_CHECK(strcmp(vrtc_rtc_msg_name(VRTC_RTC_REQ_CLOCK_CAP), "CLOCK_CAP") == 0);
	T_CHECK(strcmp(vrtc_rtc_msg_name(VRTC_RTC_REQ_CROSS_CAP), "CROSS_CAP") == 0);
	T_CHECK(strcmp(vrtc_rtc_msg_name(VRTC_RTC_REQ_READ_ALARM), "READ_ALARM") == 0);
	T_CHECK(strcmp(vrtc_rtc_msg_name(VRTC_RTC_REQ_SET_ALARM), "SET_ALARM") == 0);
	T_CHECK(strcmp(vrtc_rtc_msg_name(VRTC_RTC_REQ_SET_ALARM_ENABLED), "SET_ALARM_ENABLED") ==
		0);
	T_CHECK(strcmp(vrtc_rtc_msg_name(VRTC_RTC_NOTIF_ALARM), "NOTIF_ALARM") == 0);
	T_CHECK(vrtc_rtc_msg_name(0x0000) == NULL);
	T_CHECK(vrtc_rtc_msg_name(0x0003) == NULL);
	T_CHECK(vrtc_rtc_msg_name(0x1006) == NULL);
	T_CHECK(vrtc_rtc_msg_name(0xFFFF) == NULL);
}

static void
test_monotonic_reads_in_order(void)
{
	uint8_t rd[24], wr[BUF_BYTES];
	uint64_t prev = 0;
	unsigned int n;

	/* Each READ takes a fresh reading, in request order. */
	setup();
	fc[2].step_ns = 3;
	mkreq(rd, VRTC_RTC_REQ_READ, 2, 0);
	for (n = 0; n < 100; n++) {
		uint64_t v;

		T_EQ(run(rd, 16, 1, wr, 16, 1), 16);
		memcpy(&v, wr + 8, 8);
		v = le64toh(v);
		T_EQ(v, 1800000000000000000ULL + 3 * n);
		T_CHECK(n == 0 || v > prev);
		prev = v;
	}
	T_EQ(fc[2].nb_reads, 100);
}

static const struct t_case cases[] = {
	T_CASE(test_vector_cfg),
	T_CASE(test_vector_clock_cap),
	T_CASE(test_vector_cross_cap),
	T_CASE(test_vector_read),
	T_CASE(test_vector_read_cross),
	T_CASE(test_vector_alarm_requests),
	T_CASE(test_no_writable_byte),
	T_CASE(test_readable_too_short_for_header),
	T_CASE(test_readable_sizes),
	T_CASE(test_writable_sizes),
	T_CASE(test_writable_short_reads_no_clock),
	T_CASE(test_split_segments),
	T_CASE(test_split_short_writable),
	T_CASE(test_unknown_msg_types),
	T_CASE(test_bad_clock_ids),
	T_CASE(test_clock_id_byte_order),
	T_CASE(test_hw_counters),
	T_CASE(test_precedence),
	T_CASE(test_alarm_feature_recorded),
	T_CASE(test_clock_read_fails),
	T_CASE(test_reserved_request_bytes_ignored),
	T_CASE(test_control_repeatable),
	T_CASE(test_reserved_response_bytes_zero),
	T_CASE(test_stats),
	T_CASE(test_init),
	T_CASE(test_clock_set_copied),
	T_CASE(test_msg_names),
	T_CASE(test_monotonic_reads_in_order),
};

T_MAIN(cases)
