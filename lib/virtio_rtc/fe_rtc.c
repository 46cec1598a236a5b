/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The driver side of virtio-rtc's alarm messages, for the user-space
 * front-end (vrtc_frontend.h): requests filled in, responses and alarmq
 * notifications decoded and checked. Pure C, no EAL: the unit test
 * (tests/unit/test_fe_rtc.c) links it directly.
 *
 * A decoder never trusts the bytes it gets: a length that is not the
 * message's, a msg_type that is not the expected one or a reserved byte
 * that is not zero is refused (-EMSGSIZE / -EPROTO), never half-decoded.
 */

#include <endian.h>
#include <errno.h>
#include <string.h>

#include "vrtc_frontend.h"
#include "vrtc_wire.h"

static int
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

int
vrtc_fe_alarm_decode(const void *buf, uint32_t len, uint16_t *clock_id)
{
	struct vrtc_rtc_notif_alarm n;

	if (buf == NULL || len != sizeof(n))
		return -EMSGSIZE;
	memcpy(&n, buf, sizeof(n));
	if (le16toh(n.head.msg_type) != VRTC_RTC_NOTIF_ALARM ||
	    !all_zero(n.head.reserved, sizeof(n.head.reserved)) ||
	    !all_zero(n.reserved, sizeof(n.reserved)))
		return -EPROTO;
	if (clock_id != NULL)
		*clock_id = le16toh(n.clock_id);
	return 0;
}

uint32_t
vrtc_fe_rtc_read_alarm_req(struct vrtc_rtc_req_read_alarm *req, uint16_t clock_id)
{
	memset(req, 0, sizeof(*req));
	req->head.msg_type = htole16(VRTC_RTC_REQ_READ_ALARM);
	req->clock_id = htole16(clock_id);
	return sizeof(*req);
}

uint32_t
vrtc_fe_rtc_set_alarm_req(struct vrtc_rtc_req_set_alarm *req, uint16_t clock_id,
			  uint64_t alarm_time, int enabled)
{
	memset(req, 0, sizeof(*req));
	req->head.msg_type = htole16(VRTC_RTC_REQ_SET_ALARM);
	req->alarm_time = htole64(alarm_time);
	req->clock_id = htole16(clock_id);
	req->flags = enabled ? VRTC_RTC_FLAG_ALARM_ENABLED : 0;
	return sizeof(*req);
}

uint32_t
vrtc_fe_rtc_set_alarm_enabled_req(struct vrtc_rtc_req_set_alarm_enabled *req, uint16_t clock_id,
				  int enabled)
{
	memset(req, 0, sizeof(*req));
	req->head.msg_type = htole16(VRTC_RTC_REQ_SET_ALARM_ENABLED);
	req->clock_id = htole16(clock_id);
	req->flags = enabled ? VRTC_RTC_FLAG_ALARM_ENABLED : 0;
	return sizeof(*req);
}

int
vrtc_fe_rtc_status(const void *resp, uint32_t len)
{
	struct vrtc_rtc_resp_head h;

	if (resp == NULL || len < sizeof(h))
		return -EPROTO;
	memcpy(&h, resp, sizeof(h));
	if (!all_zero(h.reserved, sizeof(h.reserved)))
		return -EPROTO;
	return h.status;
}

int
vrtc_fe_rtc_read_alarm_resp(const void *resp, uint32_t len, uint64_t *alarm_time, int *enabled)
{
	struct vrtc_rtc_resp_read_alarm r;
	int st = vrtc_fe_rtc_status(resp, len);

	if (st != VRTC_RTC_S_OK)
		return st;
	if (len != sizeof(r))
		return -EPROTO;
	memcpy(&r, resp, sizeof(r));
	/* Flags other than ALARM_ENABLED are reserved: zero, like the rest. */
	if ((r.flags & ~VRTC_RTC_FLAG_ALARM_ENABLED) != 0 ||
	    !all_zero(r.reserved, sizeof(r.reserved)))
		return -EPROTO;
	if (alarm_time != NULL)
		*alarm_time = le64toh(r.alarm_time);
	if (enabled != NULL)
		*enabled = (r.flags & VRTC_RTC_FLAG_ALARM_ENABLED) != 0;
	return VRTC_RTC_S_OK;
}
