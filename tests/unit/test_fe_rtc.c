/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The front-end's alarm messages (lib/virtio_rtc/fe_rtc.c): requests laid
 * out byte for byte as the specification has them, and decoders that take
 * exactly the well-formed answer and refuse everything else.
 */

#include <errno.h>
#include <string.h>

#include "test.h"
#include "vrtc_frontend.h"

static void
set_alarm_bytes(void)
{
	struct vrtc_rtc_req_set_alarm r;
	static const uint8_t want[24] = {
		0x04, 0x10, 0, 0, 0, 0, 0, 0,			/* msg_type 0x1004 */
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* alarm_time, le64 */
		0x03, 0x00,					/* clock_id 3 */
		0x01,						/* flags: enabled */
		0, 0, 0, 0, 0,
	};

	memset(&r, 0xAA, sizeof(r));
	T_EQ(vrtc_fe_rtc_set_alarm_req(&r, 3, UINT64_C(0x1122334455667788), 7), 24);
	T_EQ_MEM(&r, want, sizeof(want));
	T_EQ(vrtc_fe_rtc_set_alarm_req(&r, 3, UINT64_C(0x1122334455667788), 0), 24);
	T_EQ(((uint8_t *)&r)[18], 0);
}

static void
set_alarm_enabled_and_read_alarm_bytes(void)
{
	struct vrtc_rtc_req_set_alarm_enabled e;
	struct vrtc_rtc_req_read_alarm ra;
	static const uint8_t want_e[16] = { 0x05, 0x10, 0, 0, 0, 0, 0, 0, 0x02, 0x01, 0x01 };
	static const uint8_t want_r[16] = { 0x03, 0x10, 0, 0, 0, 0, 0, 0, 0xFE, 0xFF };

	memset(&e, 0xAA, sizeof(e));
	T_EQ(vrtc_fe_rtc_set_alarm_enabled_req(&e, 0x102, 1), 16);
	T_EQ_MEM(&e, want_e, sizeof(want_e));
	memset(&ra, 0xAA, sizeof(ra));
	T_EQ(vrtc_fe_rtc_read_alarm_req(&ra, 0xFFFE), 16);
	T_EQ_MEM(&ra, want_r, sizeof(want_r));
}

static void
notification_decode(void)
{
	uint8_t b[32] = { 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0x03, 0x00 };
	uint16_t id = 0xFFFF;

	T_EQ_INT(vrtc_fe_alarm_decode(b, 16, &id), 0);
	T_EQ(id, 3);
	/* Short or long: the length is the message's or nothing. */
	id = 0xFFFF;
	T_EQ_INT(vrtc_fe_alarm_decode(b, 0, &id), -EMSGSIZE);
	T_EQ_INT(vrtc_fe_alarm_decode(b, 15, &id), -EMSGSIZE);
	T_EQ_INT(vrtc_fe_alarm_decode(b, 17, &id), -EMSGSIZE);
	T_EQ_INT(vrtc_fe_alarm_decode(NULL, 16, &id), -EMSGSIZE);
	T_EQ(id, 0xFFFF);
	/* Another msg_type, or a reserved byte set. */
	b[0] = 0x01;
	T_EQ_INT(vrtc_fe_alarm_decode(b, 16, &id), -EPROTO);
	b[0] = 0x00;
	b[5] = 1;
	T_EQ_INT(vrtc_fe_alarm_decode(b, 16, &id), -EPROTO);
	b[5] = 0;
	b[15] = 1;
	T_EQ_INT(vrtc_fe_alarm_decode(b, 16, &id), -EPROTO);
	T_EQ(id, 0xFFFF);
	b[15] = 0;
	/* The 0xFF fill the front-end posts buffers with is not a notification. */
	memset(b, 0xFF, 16);
	T_EQ_INT(vrtc_fe_alarm_decode(b, 16, &id), -EPROTO);
}

static void
status_and_read_alarm_resp(void)
{
	uint8_t r[24] = { 0 };
	uint64_t t = 0;
	int en = -1;

	T_EQ_INT(vrtc_fe_rtc_status(r, 7), -EPROTO);
	T_EQ_INT(vrtc_fe_rtc_status(r, 8), VRTC_RTC_S_OK);
	r[0] = VRTC_RTC_S_ENODEV;
	T_EQ_INT(vrtc_fe_rtc_status(r, 8), VRTC_RTC_S_ENODEV);
	T_EQ_INT(vrtc_fe_rtc_read_alarm_resp(r, 8, &t, &en), VRTC_RTC_S_ENODEV);
	T_EQ_INT(en, -1);
	r[3] = 1;
	T_EQ_INT(vrtc_fe_rtc_status(r, 8), -EPROTO);
	r[3] = 0;

	r[0] = VRTC_RTC_S_OK;
	r[8] = 0x10;  /* alarm_time 0x2010 */
	r[9] = 0x20;
	r[16] = 0x01; /* enabled */
	T_EQ_INT(vrtc_fe_rtc_read_alarm_resp(r, 24, &t, &en), VRTC_RTC_S_OK);
	T_EQ(t, 0x2010);
	T_EQ_INT(en, 1);
	r[16] = 0;
	T_EQ_INT(vrtc_fe_rtc_read_alarm_resp(r, 24, &t, &en), VRTC_RTC_S_OK);
	T_EQ_INT(en, 0);
	/* OK needs the whole response; reserved flags and bytes are zero. */
	T_EQ_INT(vrtc_fe_rtc_read_alarm_resp(r, 16, &t, &en), -EPROTO);
	T_EQ_INT(vrtc_fe_rtc_read_alarm_resp(r, 8, &t, &en), -EPROTO);
	r[16] = 0x02;
	T_EQ_INT(vrtc_fe_rtc_read_alarm_resp(r, 24, &t, &en), -EPROTO);
	r[16] = 0;
	r[23] = 1;
	T_EQ_INT(vrtc_fe_rtc_read_alarm_resp(r, 24, &t, &en), -EPROTO);
}

static const struct t_case cases[] = {
	T_CASE(set_alarm_bytes),
	T_CASE(set_alarm_enabled_and_read_alarm_bytes),
	T_CASE(notification_decode),
	T_CASE(status_and_read_alarm_resp),
};

T_MAIN(cases)
