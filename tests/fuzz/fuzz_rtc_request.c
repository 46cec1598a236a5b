/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * libFuzzer target: one virtio-rtc request chain through vrtc_rtc_handle().
 *
 * Input:
 *   byte 0  device: bits 0-1 number of clocks (0..3), bit 2 clock 1's read
 *           fails, bit 3 clock 0's read_cross fails, bit 4 F_ALARM recorded,
 *           bit 5 clocks 1 and 2 have an alarm
 *   byte 1  writable bytes (0..63)
 *   byte 2  segments: bits 0-2 readable count - 1, bits 3-5 writable count - 1
 *   byte 3  seed for the segment boundaries
 *   rest    the device-readable bytes (the request), at most 256
 *
 * Every segment is its own malloc'd block of exactly its length, so ASan
 * reports any access past a segment. The target aborts when the answer
 * breaks a rule of rtc_model.h: used length over the writable size,
 * anything written without room for it, an OK answer whose used length is
 * not the exact response size, non-zero reserved header bytes, bytes
 * written past the used length, or a status that does not exist. After
 * the request the alarms are evaluated and any pending notification is
 * delivered: it must be the exact 16-byte NOTIF_ALARM of a clock that has
 * an alarm, and come only with F_ALARM recorded.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtc_model.h"

#define FILL 0xAA
#define MAX_SEGS 8
#define MAX_READABLE 256
#define MAX_WRITABLE 63

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fake {
	uint64_t ns;
	int read_fails;
	int cross_fails;
};

static int
fake_read(void *ctx, uint64_t *ns)
{
	struct fake *f = ctx;

	if (f->read_fails)
		return -EIO;
	*ns = f->ns++;
	return 0;
}

static int
fake_capable(void *ctx, uint8_t hw_counter)
{
	(void)ctx;
	return hw_counter == VRTC_RTC_COUNTER_X86_TSC;
}

static int
fake_read_cross(void *ctx, uint8_t hw_counter, uint64_t *ns, uint64_t *cycles)
{
	struct fake *f = ctx;

	if (hw_counter != VRTC_RTC_COUNTER_X86_TSC)
		return -EOPNOTSUPP;
	if (f->cross_fails)
		return -EIO;
	*ns = f->ns;
	*cycles = f->ns++ * 3;
	return 0;
}

static const struct vrtc_clock_ops ops_cross = {
	.read = fake_read,
	.cross_capable = fake_capable,
	.read_cross = fake_read_cross,
};

static const struct vrtc_clock_ops ops_plain = {
	.read = fake_read,
};

/* Exact response sizes, from the wire structs. */
static size_t
resp_bytes(uint16_t msg_type)
{
	switch (msg_type) {
	case VRTC_RTC_REQ_READ:
		return sizeof(struct vrtc_rtc_resp_read);
	case VRTC_RTC_REQ_READ_CROSS:
		return sizeof(struct vrtc_rtc_resp_read_cross);
	case VRTC_RTC_REQ_CFG:
		return sizeof(struct vrtc_rtc_resp_cfg);
	case VRTC_RTC_REQ_CLOCK_CAP:
		return sizeof(struct vrtc_rtc_resp_clock_cap);
	case VRTC_RTC_REQ_CROSS_CAP:
		return sizeof(struct vrtc_rtc_resp_cross_cap);
	case VRTC_RTC_REQ_READ_ALARM:
		return sizeof(struct vrtc_rtc_resp_read_alarm);
	case VRTC_RTC_REQ_SET_ALARM:
		return sizeof(struct vrtc_rtc_resp_set_alarm);
	case VRTC_RTC_REQ_SET_ALARM_ENABLED:
		return sizeof(struct vrtc_rtc_resp_set_alarm_enabled);
	default:
		return 0;
	}
}

static uint32_t
next_rand(uint32_t *s)
{
	/* xorshift32; the seed is never 0 */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Cut @len bytes into at most @want pieces (each >= 1); returns the count. */
static unsigned int
cut(uint32_t len, unsigned int want, uint32_t *seed, uint32_t *pieces)
{
	unsigned int n = 0;

	if (len == 0)
		return 0;
	if (want > len)
		want = len;
	while (n + 1 < want) {
		uint32_t room = len - (want - n - 1); /* leave 1 byte per later piece */
		uint32_t p = 1 + next_rand(seed) % room;

		pieces[n++] = p;
		len -= p;
	}
	pieces[n++] = len;
	return n;
}

/* Evaluate the alarms and deliver what is pending; abort on a wrong
 * notification. */
static void
check_alarms(struct vrtc_rtc_model *m, int alarm_feature)
{
	uint8_t buf[20];
	struct vrtc_seg seg = { buf, sizeof(buf) };
	struct vrtc_chain c = { .head = 0, .nb_writable = 1, .writable_bytes = sizeof(buf),
				.segs = &seg };
	unsigned int n = 0, i;
	uint16_t id;

	vrtc_rtc_alarms_evaluate(m, 5000);
	while (vrtc_rtc_alarm_pending(m)) {
		if (!alarm_feature || ++n > VRTC_RTC_MAX_CLOCKS)
			abort();
		memset(buf, FILL, sizeof(buf));
		if (vrtc_rtc_alarm_deliver(m, &c) != 16)
			abort();
		id = (uint16_t)(buf[8] | buf[9] << 8);
		if (buf[0] != 0x00 || buf[1] != 0x20 || id >= m->nb_clocks || !m->clocks[id].alarm)
			abort();
		for (i = 2; i < 16; i++)
			if ((i < 8 || i >= 10) && buf[i] != 0)
				abort();
		if (buf[16] != FILL)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vrtc_seg segs[2 * MAX_SEGS];
	uint32_t rpieces[MAX_SEGS], wpieces[MAX_SEGS];
	uint8_t out[MAX_WRITABLE];
	struct vrtc_rtc_model m;
	struct vrtc_clock clocks[3];
	struct vrtc_chain ch;
	struct fake fk[3];
	uint32_t rlen, wlen, seed, used, off, i, nr, nw;
	uint8_t flags;

	if (size < 4)
		return 0;
	flags = data[0];
	wlen = data[1] & 0x3F;
	seed = 0x9E3779B9u ^ data[3];
	rlen = (uint32_t)(size - 4 > MAX_READABLE ? MAX_READABLE : size - 4);

	memset(fk, 0, sizeof(fk));
	fk[0].ns = 1000;
	fk[0].cross_fails = (flags & 0x08) != 0;
	fk[1].ns = 2000;
	fk[1].read_fails = (flags & 0x04) != 0;
	fk[2].ns = 3000;
	clocks[0] = (struct vrtc_clock){ VRTC_RTC_CLOCK_UTC, 0, &ops_cross, &fk[0] };
	clocks[1] = (struct vrtc_clock){ VRTC_RTC_CLOCK_UTC_SMEARED, VRTC_RTC_SMEAR_UTC_SLS,
					 &ops_cross, &fk[1] };
	clocks[2] = (struct vrtc_clock){ VRTC_RTC_CLOCK_MONOTONIC, 0, &ops_plain, &fk[2] };
	clocks[1].alarm = clocks[2].alarm = (flags & 0x20) != 0;
	if (vrtc_rtc_model_init(&m, clocks, flags & 0x03) != 0)
		abort();
	if (flags & 0x10)
		vrtc_rtc_model_set_features(&m, 1ULL << VRTC_VIRTIO_RTC_F_ALARM);

	nr = cut(rlen, (data[2] & 7) + 1u, &seed, rpieces);
	nw = cut(wlen, ((data[2] >> 3) & 7) + 1u, &seed, wpieces);
	for (i = 0, off = 0; i < nr; i++) {
		segs[i].addr = malloc(rpieces[i]);
		segs[i].len = rpieces[i];
		if (segs[i].addr == NULL)
			abort();
		memcpy(segs[i].addr, data + 4 + off, rpieces[i]);
		off += rpieces[i];
	}
	for (i = 0; i < nw; i++) {
		segs[nr + i].addr = malloc(wpieces[i]);
		segs[nr + i].len = wpieces[i];
		if (segs[nr + i].addr == NULL)
			abort();
		memset(segs[nr + i].addr, FILL, wpieces[i]);
	}
	memset(&ch, 0, sizeof(ch));
	ch.nb_readable = (uint16_t)nr;
	ch.nb_writable = (uint16_t)nw;
	ch.readable_bytes = rlen;
	ch.writable_bytes = wlen;
	ch.segs = segs;

	used = vrtc_rtc_handle(&m, &ch);

	/* Gather the writable part back. */
	for (i = 0, off = 0; i < nw; i++) {
		memcpy(out + off, segs[nr + i].addr, wpieces[i]);
		off += wpieces[i];
	}
	for (i = 0; i < nr + nw; i++)
		free(segs[i].addr);

	if (used > wlen || m.stats.requests != 1)
		abort();
	check_alarms(&m, (flags & 0x10) != 0);
	if (wlen == 0) {
		if (used != 0 || m.stats.no_status != 1)
			abort();
		return 0;
	}
	if (used == 0)
		abort();
	for (i = used; i < wlen; i++)
		if (out[i] != FILL)
			abort();
	for (i = 1; i < used && i < 8; i++)
		if (out[i] != 0)
			abort();
	switch (out[0]) {
	case VRTC_RTC_S_OK: {
		uint16_t type;

		if (rlen < 2)
			abort();
		type = (uint16_t)(data[4] | data[5] << 8);
		if (resp_bytes(type) == 0 || used != resp_bytes(type))
			abort();
		/* Reserved response bytes of the control answers. */
		if (type == VRTC_RTC_REQ_CFG) {
			for (i = 10; i < 16; i++)
				if (out[i] != 0)
					abort();
		} else if (type == VRTC_RTC_REQ_CROSS_CAP) {
			for (i = 9; i < 16; i++)
				if (out[i] != 0)
					abort();
		} else if (type == VRTC_RTC_REQ_CLOCK_CAP) {
			uint16_t id = (uint16_t)(data[12] | data[13] << 8);

			/* flags: ALARM_CAP exactly for an alarm clock with F_ALARM. */
			if (out[10] != ((flags & 0x10) && m.clocks[id].alarm ?
						VRTC_RTC_FLAG_ALARM_CAP : 0))
				abort();
			for (i = 11; i < 16; i++)
				if (out[i] != 0)
					abort();
		} else if (type == VRTC_RTC_REQ_READ_ALARM) {
			if (out[16] & ~VRTC_RTC_FLAG_ALARM_ENABLED)
				abort();
			for (i = 17; i < 24; i++)
				if (out[i] != 0)
					abort();
		}
		if (m.stats.status[VRTC_RTC_S_OK] != 1)
			abort();
		break;
	}
	case VRTC_RTC_S_EOPNOTSUPP:
	case VRTC_RTC_S_ENODEV:
	case VRTC_RTC_S_EINVAL:
	case VRTC_RTC_S_EIO:
		if (used != (wlen < 8 ? wlen : 8) || m.stats.status[out[0]] != 1)
			abort();
		break;
	default:
		abort();
	}
	return 0;
}
