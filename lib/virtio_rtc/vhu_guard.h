/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Validation of vhost-user messages from an untrusted front-end, before a
 * back-end (rte_vhost) sees them: the logic of the front door
 * (frontdoor.h), free of I/O. See vhu_guard.c for the security model and
 * doc/frontdoor.md for the table of checks and what each refusal does.
 *
 * One struct vrtc_vhu_guard per connection. The caller reads a message
 * whole (header, payload, the fds that came with it), asks
 * vrtc_vhu_guard_check() for a decision, and acts on it: forward the
 * (possibly rewritten) header and the payload with the fds, answer a
 * failure reply-ack itself, answer a success reply-ack itself, or close
 * the connection. File descriptors stay the caller's in every case: the
 * guard only fstat()s and fcntl(F_GET_SEALS)s them.
 *
 * The guard is configured with what the back-end offers (virtio features,
 * protocol features, queues, ring size): it never needs to learn them from
 * replies. It assumes the back-end applies every message it forwards; the
 * caller ends the connection when the back-end refuses one (a failure
 * reply-ack), because the two views may then differ.
 */

#ifndef VRTC_VHU_GUARD_H
#define VRTC_VHU_GUARD_H

#include <stdint.h>

/** Bytes of a vhost-user message header. */
#define VRTC_VHU_HDR_SIZE 12u
/** Largest payload the guard lets a caller read (anything larger is
 * dropped at the header; the largest message it forwards has 264 bytes). */
#define VRTC_VHU_GUARD_MAX_PAYLOAD 4096u
/** Largest number of fds one message may carry (SET_MEM_TABLE: 8). */
#define VRTC_VHU_GUARD_MAX_FDS 8u
/** Regions of a SET_MEM_TABLE. */
#define VRTC_VHU_GUARD_MAX_REGIONS 8u
/** Queues a device may have (the 8-bit index of SET_VRING_KICK/CALL/ERR). */
#define VRTC_VHU_GUARD_MAX_QUEUES 256u
/** Largest ring the virtio specification allows. */
#define VRTC_VHU_GUARD_MAX_RING 32768u

/** Protocol features the guard knows how to check (bit numbers). Offering
 * any other protocol feature is refused by vrtc_vhu_guard_init(). */
#define VRTC_VHU_GUARD_PROTOCOL_F_MQ 0
#define VRTC_VHU_GUARD_PROTOCOL_F_REPLY_ACK 3
#define VRTC_VHU_GUARD_PROTOCOL_F_STATUS 16

/** Header flags (vhost-user). */
#define VRTC_VHU_FLAG_VERSION 0x1u
#define VRTC_VHU_FLAG_VERSION_MASK 0x3u
#define VRTC_VHU_FLAG_REPLY (1u << 2)
#define VRTC_VHU_FLAG_NEED_REPLY (1u << 3)

/** The message header as it is on the wire (host byte order). */
struct vrtc_vhu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size; /**< payload bytes that follow */
};

/** What the back-end offers; the guard refuses everything else. */
struct vrtc_vhu_guard_config {
	uint64_t offered_features;	    /**< virtio feature bits (GET_FEATURES) */
	uint64_t offered_protocol_features; /**< GET_PROTOCOL_FEATURES; needs bit 30 */
	uint16_t nb_queues;		    /**< 1..VRTC_VHU_GUARD_MAX_QUEUES */
	uint16_t reserved;
	uint32_t max_ring_size;		    /**< 1..VRTC_VHU_GUARD_MAX_RING */
	int allow_unsealed;		    /**< accept region fds not sealed against shrinking */
};

/** What the caller does with a message. */
enum vrtc_vhu_verdict {
	/** Send it on (the header may have been rewritten) with its fds. */
	VRTC_VHU_FORWARD = 0,
	/** Do not send it; answer a failure reply-ack (u64 1). The front-end
	 * asked for one; the device keeps its previous state. */
	VRTC_VHU_REFUSE,
	/** Do not send it; answer a success reply-ack if hdr->flags has
	 * NEED_REPLY, else nothing (a message the guard absorbs). */
	VRTC_VHU_ANSWER,
	/** Close the connection (the back-end sees it as a disconnect). */
	VRTC_VHU_DROP,
};

/** A decision on one message. */
struct vrtc_vhu_decision {
	enum vrtc_vhu_verdict verdict;
	uint32_t replies;   /**< FORWARD: replies the back-end sends (0 or 1) */
	const char *reason; /**< why it was refused or dropped (static), else NULL */
};

/** Ring state the guard tracks per queue. */
struct vrtc_vhu_guard_queue {
	uint32_t num;	       /**< SET_VRING_NUM value, valid when num_set */
	uint64_t desc_uaddr;   /**< SET_VRING_ADDR values, valid when addr_set */
	uint64_t avail_uaddr;
	uint64_t used_uaddr;
	uint8_t num_set;
	uint8_t addr_set;
	uint8_t started;       /**< a kick arrived since the last stop: rings in use */
	uint8_t enabled;       /**< last SET_VRING_ENABLE */
};

/** One memory region as the front-end described it. */
struct vrtc_vhu_guard_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uaddr;
	uint64_t mmap_offset;
};

/** Per-connection state. Treat as opaque; it is public for embedding. */
struct vrtc_vhu_guard {
	struct vrtc_vhu_guard_config cfg;
	uint64_t features;	     /**< last SET_FEATURES */
	uint64_t protocol_features;  /**< last SET_PROTOCOL_FEATURES */
	uint32_t nb_regions;	     /**< 0: no memory table */
	uint32_t nb_refused;	     /**< messages refused or absorbed so far */
	uint8_t features_set;
	struct vrtc_vhu_guard_region regions[VRTC_VHU_GUARD_MAX_REGIONS];
	struct vrtc_vhu_guard_queue queues[VRTC_VHU_GUARD_MAX_QUEUES];
};

/**
 * Check @p cfg and start a connection's state in @p g.
 * @return 0, or -EINVAL (nb_queues or max_ring_size out of range; protocol
 *   features offered without virtio bit 30), -ENOTSUP (a protocol feature
 *   the guard cannot check, or ACCESS_PLATFORM (33) / LOG_ALL (26) offered:
 *   the guard cannot follow IOTLB translations or dirty logs).
 */
int vrtc_vhu_guard_init(struct vrtc_vhu_guard *g, const struct vrtc_vhu_guard_config *cfg);

/** Forget everything the connection set up (as a fresh connection). */
void vrtc_vhu_guard_reset(struct vrtc_vhu_guard *g);

/**
 * First look at a header, before its payload is read.
 * @return 0 when the caller may read hdr->size payload bytes and then call
 *   vrtc_vhu_guard_check(); -EPROTO when the connection must be closed now
 *   (wrong version, REPLY or unknown flag bits, payload larger than
 *   VRTC_VHU_GUARD_MAX_PAYLOAD); @p reason is set.
 */
int vrtc_vhu_guard_header(const struct vrtc_vhu_guard *g, const struct vrtc_vhu_hdr *hdr,
			  const char **reason);

/**
 * Decide on one whole message and, when it is forwarded, update the state
 * as the back-end will (the state is unchanged by any other verdict).
 * @param hdr      the header; NEED_REPLY is cleared when REPLY_ACK was not
 *                 negotiated (so that the number of replies is known).
 * @param payload  hdr->size bytes (checked by vrtc_vhu_guard_header()).
 * @param fds      the descriptors received with the message (borrowed).
 * @param nb_fds   their number; @p fds_truncated: more arrived than the
 *                 caller kept (the message is refused).
 */
void vrtc_vhu_guard_check(struct vrtc_vhu_guard *g, struct vrtc_vhu_hdr *hdr,
			  const void *payload, const int *fds, uint32_t nb_fds, int fds_truncated,
			  struct vrtc_vhu_decision *out);

/**
 * Check a reply of the back-end to a forwarded @p request.
 * @return 0 to relay it; 1 to relay it and then close the connection (a
 *   failure reply-ack: the back-end refused what the guard let through);
 *   -EPROTO to close at once (wrong code, flags or size, fds attached, or
 *   GET_FEATURES / GET_PROTOCOL_FEATURES answered with other values than
 *   the guard was configured with).
 */
int vrtc_vhu_guard_reply(const struct vrtc_vhu_guard *g, uint32_t request,
			 const struct vrtc_vhu_hdr *hdr, const void *payload, uint32_t nb_fds,
			 const char **reason);

/** Name of a request code for log lines ("SET_MEM_TABLE", "?" if unknown). */
const char *vrtc_vhu_guard_request_name(uint32_t request);

/** Fill a reply-ack for @p request into @p buf (VRTC_VHU_HDR_SIZE + 8
 * bytes): @p failed 0 for success. @return its length. */
uint32_t vrtc_vhu_guard_make_ack(uint8_t *buf, uint32_t request, int failed);

#endif /* VRTC_VHU_GUARD_H */
