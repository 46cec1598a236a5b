/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: validation of the replies a vhost-user back-end sends to the
 * front-end (vhost_user_client.c). Pure functions over bytes already read:
 * no I/O, no DPDK, no log (the reason of a refusal is written into a
 * buffer the caller logs), so that a fuzzer can drive them directly.
 *
 * A reply is read in two steps: its 12-byte header, checked by
 * vrtc_vhu_reply_check_hdr() before a single payload byte is read, then
 * exactly the payload size that request's reply has (never the size the
 * back-end announced), checked by vrtc_vhu_reply_parse().
 */

#ifndef VRTC_VHOST_USER_REPLY_H
#define VRTC_VHOST_USER_REPLY_H

#include <stddef.h>
#include <stdint.h>

/** Header flags: protocol version 1, reply bit, need-reply bit. */
#define VRTC_VHU_VERSION 0x1u
#define VRTC_VHU_FLAG_REPLY (1u << 2)
#define VRTC_VHU_FLAG_NEED_REPLY (1u << 3)

/** Split rings: the ring index a back-end reports is 16 bits. */
#define VRTC_VHU_MAX_RING_INDEX 0xffffu
/** Queues a front-end can address (SET_VRING_KICK/CALL carry 8 bits). */
#define VRTC_VHU_MAX_QUEUES 256u

/** Message header, host byte order as the protocol defines it. */
struct vrtc_vhu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size; /**< payload bytes that follow */
};

/** Payload of the ring-state messages (SET/GET_VRING_BASE, _NUM, _ENABLE). */
struct vrtc_vhu_vring_state {
	uint32_t index;
	uint32_t num;
};

/** What the front-end waits for. */
struct vrtc_vhu_expect {
	uint32_t request; /**< the request being answered */
	int ack;	  /**< 1: its REPLY_ACK; 0: its own reply (GET_*) */
	uint32_t index;	  /**< GET_VRING_BASE: the ring asked about */
};

/** Whether @p request has a reply of its own (the GET_* requests). */
int vrtc_vhu_has_reply(uint32_t request);

/**
 * Payload bytes of the reply awaited in @p x (8 for each reply this client
 * accepts), 0 when there is no such reply (a request without one, and no ack).
 */
uint32_t vrtc_vhu_reply_size(const struct vrtc_vhu_expect *x);

/**
 * Check the header of a reply against @p x: the request code echoed, the
 * flags exactly version 1 + reply (no need-reply, no unknown bit), the
 * payload size exactly vrtc_vhu_reply_size().
 * @return 0, or -EPROTO with the reason in @p why (NUL-terminated).
 */
int vrtc_vhu_reply_check_hdr(const struct vrtc_vhu_hdr *hdr, const struct vrtc_vhu_expect *x,
			     char *why, size_t why_len);

/**
 * Check the payload (vrtc_vhu_reply_size() bytes at @p payload) of a reply
 * whose header passed, and give its value in @p value: the u64 of
 * GET_FEATURES / GET_PROTOCOL_FEATURES / GET_QUEUE_NUM, the ring index of
 * GET_VRING_BASE, the status of a REPLY_ACK.
 * @return 0; -EPROTO (GET_VRING_BASE for another ring or an index past
 *   16 bits, GET_QUEUE_NUM of 0 or more than VRTC_VHU_MAX_QUEUES); -EIO for
 *   a REPLY_ACK that reports failure (@p value holds it). @p why says why.
 */
int vrtc_vhu_reply_parse(const void *payload, const struct vrtc_vhu_expect *x, uint64_t *value,
			 char *why, size_t why_len);

#endif /* VRTC_VHOST_USER_REPLY_H */
