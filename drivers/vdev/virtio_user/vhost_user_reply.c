/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Validation of a vhost-user back-end's replies (see vhost_user_reply.h).
 * The back-end is trusted no more than a guest: every field of a reply is
 * checked against what was asked, and a reply that does not match is
 * refused whole.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vhost_user_client.h"
#include "vhost_user_reply.h"

_Static_assert(sizeof(struct vrtc_vhu_hdr) == 12, "vhost-user header is 12 bytes");
_Static_assert(sizeof(struct vrtc_vhu_vring_state) == 8, "vring state is 8 bytes");

static const char *const request_names[VRTC_VHU_REQUEST_MAX] = {
	[VRTC_VHU_NONE] = "NONE",
	[VRTC_VHU_GET_FEATURES] = "GET_FEATURES",
	[VRTC_VHU_SET_FEATURES] = "SET_FEATURES",
	[VRTC_VHU_SET_OWNER] = "SET_OWNER",
	[VRTC_VHU_RESET_OWNER] = "RESET_OWNER",
	[VRTC_VHU_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VRTC_VHU_SET_LOG_BASE] = "SET_LOG_BASE",
	[VRTC_VHU_SET_LOG_FD] = "SET_LOG_FD",
	[VRTC_VHU_SET_VRING_NUM] = "SET_VRING_NUM",
	[VRTC_VHU_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VRTC_VHU_SET_VRING_BASE] = "SET_VRING_BASE",
	[VRTC_VHU_GET_VRING_BASE] = "GET_VRING_BASE",
	[VRTC_VHU_SET_VRING_KICK] = "SET_VRING_KICK",
	[VRTC_VHU_SET_VRING_CALL] = "SET_VRING_CALL",
	[VRTC_VHU_SET_VRING_ERR] = "SET_VRING_ERR",
	[VRTC_VHU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VRTC_VHU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VRTC_VHU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[VRTC_VHU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
};

const char *
vrtc_vhu_request_name(uint32_t request)
{
	if (request >= VRTC_VHU_REQUEST_MAX || request_names[request] == NULL)
		return "?";
	return request_names[request];
}

int
vrtc_vhu_has_reply(uint32_t request)
{
	return request == VRTC_VHU_GET_FEATURES || request == VRTC_VHU_GET_PROTOCOL_FEATURES ||
	       request == VRTC_VHU_GET_VRING_BASE || request == VRTC_VHU_GET_QUEUE_NUM;
}

uint32_t
vrtc_vhu_reply_size(const struct vrtc_vhu_expect *x)
{
	/* An ack is a u64 status; GET_VRING_BASE a ring state; the other
	 * GET_* a u64. Nothing else is ever awaited. */
	if (x->ack)
		return vrtc_vhu_has_reply(x->request) ? 0 : sizeof(uint64_t);
	if (x->request == VRTC_VHU_GET_VRING_BASE)
		return sizeof(struct vrtc_vhu_vring_state);
	return vrtc_vhu_has_reply(x->request) ? sizeof(uint64_t) : 0;
}

int
vrtc_vhu_reply_check_hdr(const struct vrtc_vhu_hdr *hdr, const struct vrtc_vhu_expect *x,
			 char *why, size_t why_len)
{
	const char *name = vrtc_vhu_request_name(x->request);
	uint32_t size = vrtc_vhu_reply_size(x);

	if (size == 0) {
		/* A caller bug, not the back-end's: refuse all the same. */
		snprintf(why, why_len, "no reply is awaited for %s", name);
		return -EPROTO;
	}
	if (hdr->request != x->request) {
		snprintf(why, why_len, "%s to %s names request %" PRIu32 " (%s)",
			 x->ack ? "REPLY_ACK" : "reply", name, hdr->request,
			 vrtc_vhu_request_name(hdr->request));
		return -EPROTO;
	}
	if (hdr->flags != (VRTC_VHU_VERSION | VRTC_VHU_FLAG_REPLY)) {
		snprintf(why, why_len, "%s to %s has flags 0x%" PRIx32 ", expected 0x%x",
			 x->ack ? "REPLY_ACK" : "reply", name, hdr->flags,
			 VRTC_VHU_VERSION | VRTC_VHU_FLAG_REPLY);
		return -EPROTO;
	}
	if (hdr->size != size) {
		snprintf(why, why_len,
			 "%s to %s has %" PRIu32 " payload bytes, expected %" PRIu32,
			 x->ack ? "REPLY_ACK" : "reply", name, hdr->size, size);
		return -EPROTO;
	}
	return 0;
}

int
vrtc_vhu_reply_parse(const void *payload, const struct vrtc_vhu_expect *x, uint64_t *value,
		     char *why, size_t why_len)
{
	const char *name = vrtc_vhu_request_name(x->request);
	struct vrtc_vhu_vring_state st;
	uint64_t v;

	if (vrtc_vhu_reply_size(x) == 0) {
		snprintf(why, why_len, "no reply is awaited for %s", name);
		return -EPROTO;
	}
	if (!x->ack && x->request == VRTC_VHU_GET_VRING_BASE) {
		memcpy(&st, payload, sizeof(st));
		if (st.index != x->index) {
			snprintf(why, why_len,
				 "GET_VRING_BASE for ring %" PRIu32 " answered for ring %" PRIu32,
				 x->index, st.index);
			return -EPROTO;
		}
		if (st.num > VRTC_VHU_MAX_RING_INDEX) {
			snprintf(why, why_len,
				 "GET_VRING_BASE for ring %" PRIu32 " gives index %" PRIu32
				 ", more than a split ring's 16 bits",
				 x->index, st.num);
			return -EPROTO;
		}
		*value = st.num;
		return 0;
	}
	memcpy(&v, payload, sizeof(v));
	if (x->ack) {
		*value = v;
		if (v != 0) {
			snprintf(why, why_len, "back-end refused %s (REPLY_ACK %" PRIu64 ")", name,
				 v);
			return -EIO;
		}
		return 0;
	}
	if (x->request == VRTC_VHU_GET_QUEUE_NUM && (v == 0 || v > VRTC_VHU_MAX_QUEUES)) {
		snprintf(why, why_len, "GET_QUEUE_NUM gives %" PRIu64 " queues (1 to %u expected)",
			 v, VRTC_VHU_MAX_QUEUES);
		return -EPROTO;
	}
	*value = v;
	return 0;
}
