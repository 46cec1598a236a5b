/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: the front-end (driver) side of the vhost-user protocol over a
 * UNIX stream socket, as far as the rtc/rng front-end needs it.
 *
 * One function per message. Every function sends one request and, when
 * the request has a reply (GET_*), or when REPLY_ACK was negotiated and
 * the request has none of its own, waits for that reply with a bound
 * (the client's timeout) and validates it completely. Any failure leaves
 * the stream in an unknown state: the caller must close the client.
 *
 * Control path only; none of this is called from a burst function.
 */

#ifndef VRTC_VHOST_USER_CLIENT_H
#define VRTC_VHOST_USER_CLIENT_H

#include <stdint.h>

/** Regions a SET_MEM_TABLE may carry (vhost-user without CONFIGURE_MEM_SLOTS). */
#define VRTC_VHU_MAX_REGIONS 8

/** Virtio feature bit 30: the back-end speaks the protocol-feature messages. */
#define VRTC_VHU_F_PROTOCOL_FEATURES 30

/** Protocol feature bits (GET/SET_PROTOCOL_FEATURES). */
#define VRTC_VHU_PROTOCOL_F_MQ 0
#define VRTC_VHU_PROTOCOL_F_REPLY_ACK 3

/** Request codes of the front-end to back-end channel. */
enum vrtc_vhu_request {
	VRTC_VHU_NONE = 0,
	VRTC_VHU_GET_FEATURES = 1,
	VRTC_VHU_SET_FEATURES = 2,
	VRTC_VHU_SET_OWNER = 3,
	VRTC_VHU_RESET_OWNER = 4,
	VRTC_VHU_SET_MEM_TABLE = 5,
	VRTC_VHU_SET_LOG_BASE = 6,
	VRTC_VHU_SET_LOG_FD = 7,
	VRTC_VHU_SET_VRING_NUM = 8,
	VRTC_VHU_SET_VRING_ADDR = 9,
	VRTC_VHU_SET_VRING_BASE = 10,
	VRTC_VHU_GET_VRING_BASE = 11,
	VRTC_VHU_SET_VRING_KICK = 12,
	VRTC_VHU_SET_VRING_CALL = 13,
	VRTC_VHU_SET_VRING_ERR = 14,
	VRTC_VHU_GET_PROTOCOL_FEATURES = 15,
	VRTC_VHU_SET_PROTOCOL_FEATURES = 16,
	VRTC_VHU_GET_QUEUE_NUM = 17,
	VRTC_VHU_SET_VRING_ENABLE = 18,
	VRTC_VHU_REQUEST_MAX = 19, /* first code this client has no name for */
};

/** One memory region to share: a range of a file mapped at @c uva. */
struct vrtc_vhu_region {
	uint64_t gpa;	      /**< guest-physical address (GPA = VA here) */
	uint64_t size;	      /**< bytes */
	uint64_t uva;	      /**< front-end virtual address of the start */
	uint64_t mmap_offset; /**< offset of the start in @c fd */
	int fd;		      /**< borrowed; sent with SCM_RIGHTS, never closed here */
};

/** A connection to one back-end. */
struct vrtc_vhu_client {
	int sock;		    /**< -1 when closed */
	uint32_t timeout_ms;	    /**< bound on every send and reply */
	uint64_t protocol_features; /**< negotiated with SET_PROTOCOL_FEATURES */
	uint32_t acks_pending;	    /**< SET_MEM_TABLE acks not yet read */
	int peer_local;		    /**< the back-end is this very process */
	const char *name;	    /**< device name for log lines */
	const char *path;	    /**< socket path for log lines */
};

/** Name of a request code for log lines ("SET_MEM_TABLE", "?" if unknown). */
const char *vrtc_vhu_request_name(uint32_t request);

/** Prepare @p c (closed) for a device @p name; the strings are borrowed. */
void vrtc_vhu_init(struct vrtc_vhu_client *c, const char *name, const char *path,
		   uint32_t timeout_ms);

/**
 * Connect to the socket at c->path, retrying while nobody listens there yet,
 * for at most c->timeout_ms.
 * @return 0, -ECONNREFUSED (no listener before the deadline; the log says
 *   whether the file was missing), -ENAMETOOLONG, or another -errno.
 */
int vrtc_vhu_connect(struct vrtc_vhu_client *c);

/** Close the connection (idempotent). Protocol features are forgotten. */
void vrtc_vhu_close(struct vrtc_vhu_client *c);

/**
 * Close gracefully: shut down our direction, then wait (at most the
 * client's timeout) until the back-end closes its end, so that a
 * reconnection is not taken for a second front-end while the back-end is
 * still tearing this one down. Then as vrtc_vhu_close().
 */
void vrtc_vhu_close_graceful(struct vrtc_vhu_client *c);

/*
 * The messages. Each returns 0 or -errno: -ETIMEDOUT (no reply in time),
 * -ECONNRESET (the back-end closed the connection), -EPROTO (a malformed
 * or unexpected reply: wrong request code, flags, size, ring, a value out
 * of range, or file descriptors attached; see vhost_user_reply.h), -EIO (the back-end answered REPLY_ACK with a
 * failure), or an error of sendmsg()/recvmsg().
 */
int vrtc_vhu_set_owner(struct vrtc_vhu_client *c);
int vrtc_vhu_get_features(struct vrtc_vhu_client *c, uint64_t *features);
int vrtc_vhu_set_features(struct vrtc_vhu_client *c, uint64_t features);
int vrtc_vhu_get_protocol_features(struct vrtc_vhu_client *c, uint64_t *features);
/** Queues the back-end supports (MQ); 1 to 256, anything else is -EPROTO. */
int vrtc_vhu_get_queue_num(struct vrtc_vhu_client *c, uint32_t *nb_queues);
/** Also records @p features in c->protocol_features (REPLY_ACK applies
 * from the next request on). */
int vrtc_vhu_set_protocol_features(struct vrtc_vhu_client *c, uint64_t features);
/**
 * @p wait 0: do not wait for the REPLY_ACK (a back-end in this very process
 * cannot answer before the caller returns); it is read and checked before
 * the next request's reply.
 */
int vrtc_vhu_set_mem_table(struct vrtc_vhu_client *c, const struct vrtc_vhu_region *regions,
			   uint32_t nb_regions, int wait);
int vrtc_vhu_set_vring_num(struct vrtc_vhu_client *c, uint32_t index, uint32_t num);
int vrtc_vhu_set_vring_base(struct vrtc_vhu_client *c, uint32_t index, uint32_t base);
int vrtc_vhu_get_vring_base(struct vrtc_vhu_client *c, uint32_t index, uint32_t *base);
/** Ring areas as front-end virtual addresses (vhost-user "user addresses"). */
int vrtc_vhu_set_vring_addr(struct vrtc_vhu_client *c, uint32_t index, uint64_t desc_uva,
			    uint64_t used_uva, uint64_t avail_uva);
/** @p fd is borrowed (sent, not closed); -1 sends the "no fd" flag. */
int vrtc_vhu_set_vring_kick(struct vrtc_vhu_client *c, uint32_t index, int fd);
int vrtc_vhu_set_vring_call(struct vrtc_vhu_client *c, uint32_t index, int fd);
int vrtc_vhu_set_vring_enable(struct vrtc_vhu_client *c, uint32_t index, int enable);

/**
 * Round trip that proves the back-end has handled every earlier request
 * (a GET_FEATURES whose answer must match @p expect_offered, the value
 * the back-end gave before). Used when REPLY_ACK is not negotiated.
 */
int vrtc_vhu_sync(struct vrtc_vhu_client *c, uint64_t expect_offered);

#endif /* VRTC_VHOST_USER_CLIENT_H */
