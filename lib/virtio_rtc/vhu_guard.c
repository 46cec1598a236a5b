/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * vhost-user message guard: the checks the front door applies to every
 * front-end message before the back-end (librte_vhost) sees it.
 *
 * Security model. The front-end (a VMM, or any process that can open the
 * socket) is not trusted: it may send any bytes, any number of fds of any
 * kind, messages in any order, values chosen to overflow, overlap or point
 * outside the memory it shared. The back-end behind the guard (rte_vhost
 * 22.11) is trusted to follow the protocol, but not to check it: issue 9
 * found it crashing, wedging and writing past guest memory on messages a
 * well-behaved VMM never sends. So the guard forwards only what it can
 * prove harmless to the back-end:
 *   - a closed list of requests: those the offered features make valid
 *     (everything of a protocol feature that was not negotiated, and every
 *     request the guard does not know, is refused);
 *   - exact payload sizes (SET_MEM_TABLE: 8 + 32 * nregions, 1..8 regions);
 *   - exact fd counts (SET_MEM_TABLE: one per region; SET_VRING_KICK/CALL/
 *     ERR: one unless the NOFD bit is set; every other request: none);
 *     region fds are regular files that hold mmap_offset + size bytes and
 *     are sealed against shrinking (F_SEAL_SHRINK) unless the operator
 *     allows unsealed memory; kick/call/err fds are anonymous inodes
 *     (eventfds), never pipes, sockets or files a write could block on;
 *   - values: features only from the offer, and not changed while a ring
 *     is in use; regions non-empty, without overflow, without overlapping
 *     guest-physical or user address ranges; ring sizes powers of two (split)
 *     within the configured maximum; queue indexes below the device's queue
 *     count; ring areas (descriptor table 16 * num, avail 6 + 2 * num, used
 *     6 + 8 * num, +2 each with EVENT_IDX; packed: 16 * num, 4, 4) aligned
 *     and each wholly inside one region at the current size, checked
 *     whenever the size, the addresses, the features or the memory table
 *     change and whenever a queue starts (SET_VRING_KICK, SET_VRING_ENABLE);
 *   - ring size, addresses and base cannot change while a ring is in use
 *     (from its kick to GET_VRING_BASE).
 *
 * What a refusal does. A message the guard refuses is never forwarded, so
 * the back-end keeps the state it had before it; the guard's own state is
 * unchanged too. When the front-end asked for a reply-ack (NEED_REPLY with
 * REPLY_ACK negotiated) it gets a failure ack and may go on; otherwise it
 * could not learn of the refusal, so the connection is closed instead of
 * leaving a device silently idle. A message whose effect would reach a
 * ring already in use (a memory table that no longer holds a started
 * ring, a kick or enable of a ring outside memory) always closes the
 * connection: the back-end then tears the device down (its
 * destroy_device), and the VMM sees EOF.
 *
 * RESET_OWNER is absorbed: the specification deprecates it and allows a
 * back-end to ignore it, and rte_vhost's interpretation (discard all
 * connection state while the rings may be served) is the one the
 * specification warns against.
 */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "vhu_guard.h"

/* Request codes (vhost-user specification, front-end to back-end). */
enum {
	REQ_GET_FEATURES = 1,
	REQ_SET_FEATURES = 2,
	REQ_SET_OWNER = 3,
	REQ_RESET_OWNER = 4,
	REQ_SET_MEM_TABLE = 5,
	REQ_SET_LOG_BASE = 6,
	REQ_SET_LOG_FD = 7,
	REQ_SET_VRING_NUM = 8,
	REQ_SET_VRING_ADDR = 9,
	REQ_SET_VRING_BASE = 10,
	REQ_GET_VRING_BASE = 11,
	REQ_SET_VRING_KICK = 12,
	REQ_SET_VRING_CALL = 13,
	REQ_SET_VRING_ERR = 14,
	REQ_GET_PROTOCOL_FEATURES = 15,
	REQ_SET_PROTOCOL_FEATURES = 16,
	REQ_GET_QUEUE_NUM = 17,
	REQ_SET_VRING_ENABLE = 18,
	REQ_SEND_RARP = 19,
	REQ_NET_SET_MTU = 20,
	REQ_SET_BACKEND_REQ_FD = 21,
	REQ_IOTLB_MSG = 22,
	REQ_SET_VRING_ENDIAN = 23,
	REQ_GET_CONFIG = 24,
	REQ_SET_CONFIG = 25,
	REQ_CREATE_CRYPTO_SESSION = 26,
	REQ_CLOSE_CRYPTO_SESSION = 27,
	REQ_POSTCOPY_ADVISE = 28,
	REQ_POSTCOPY_LISTEN = 29,
	REQ_POSTCOPY_END = 30,
	REQ_GET_INFLIGHT_FD = 31,
	REQ_SET_INFLIGHT_FD = 32,
	REQ_GPU_SET_SOCKET = 33,
	REQ_RESET_DEVICE = 34,
	REQ_VRING_KICK = 35,
	REQ_GET_MAX_MEM_SLOTS = 36,
	REQ_ADD_MEM_REG = 37,
	REQ_REM_MEM_REG = 38,
	REQ_SET_STATUS = 39,
	REQ_GET_STATUS = 40,
	REQ_GET_SHARED_OBJECT = 41,
	REQ_SET_DEVICE_STATE_FD = 42,
	REQ_CHECK_DEVICE_STATE = 43,
	REQ_COUNT
};

/* Virtio feature bits the guard interprets. */
#define F_LOG_ALL 26
#define F_RING_EVENT_IDX 29
#define F_PROTOCOL_FEATURES 30
#define F_ACCESS_PLATFORM 33
#define F_RING_PACKED 34

#define VRING_IDX_MASK 0xffu
#define VRING_NOFD (1u << 8)
#define VRING_F_LOG 0x1u

#define SUPPORTED_PROTOCOL_FEATURES                                                          \
	((UINT64_C(1) << VRTC_VHU_GUARD_PROTOCOL_F_MQ) |                                     \
	 (UINT64_C(1) << VRTC_VHU_GUARD_PROTOCOL_F_REPLY_ACK) |                              \
	 (UINT64_C(1) << VRTC_VHU_GUARD_PROTOCOL_F_STATUS))

/* Wire layouts (vhost-user specification). */
struct wire_state {
	uint32_t index;
	uint32_t num;
};

struct wire_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
};

struct wire_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

#define MEM_HDR_SIZE 8u

_Static_assert(sizeof(struct vrtc_vhu_hdr) == VRTC_VHU_HDR_SIZE, "header is 12 bytes");
_Static_assert(sizeof(struct wire_state) == 8, "vring state is 8 bytes");
_Static_assert(sizeof(struct wire_addr) == 40, "vring address is 40 bytes");
_Static_assert(sizeof(struct wire_region) == 32, "memory region is 32 bytes");
_Static_assert(MEM_HDR_SIZE + VRTC_VHU_GUARD_MAX_REGIONS * sizeof(struct wire_region) <=
		       VRTC_VHU_GUARD_MAX_PAYLOAD,
	       "a full memory table fits the payload bound");

static const char *const request_names[REQ_COUNT] = {
	[REQ_GET_FEATURES] = "GET_FEATURES",
	[REQ_SET_FEATURES] = "SET_FEATURES",
	[REQ_SET_OWNER] = "SET_OWNER",
	[REQ_RESET_OWNER] = "RESET_OWNER",
	[REQ_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[REQ_SET_LOG_BASE] = "SET_LOG_BASE",
	[REQ_SET_LOG_FD] = "SET_LOG_FD",
	[REQ_SET_VRING_NUM] = "SET_VRING_NUM",
	[REQ_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[REQ_SET_VRING_BASE] = "SET_VRING_BASE",
	[REQ_GET_VRING_BASE] = "GET_VRING_BASE",
	[REQ_SET_VRING_KICK] = "SET_VRING_KICK",
	[REQ_SET_VRING_CALL] = "SET_VRING_CALL",
	[REQ_SET_VRING_ERR] = "SET_VRING_ERR",
	[REQ_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[REQ_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[REQ_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[REQ_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
	[REQ_SEND_RARP] = "SEND_RARP",
	[REQ_NET_SET_MTU] = "NET_SET_MTU",
	[REQ_SET_BACKEND_REQ_FD] = "SET_BACKEND_REQ_FD",
	[REQ_IOTLB_MSG] = "IOTLB_MSG",
	[REQ_SET_VRING_ENDIAN] = "SET_VRING_ENDIAN",
	[REQ_GET_CONFIG] = "GET_CONFIG",
	[REQ_SET_CONFIG] = "SET_CONFIG",
	[REQ_CREATE_CRYPTO_SESSION] = "CREATE_CRYPTO_SESSION",
	[REQ_CLOSE_CRYPTO_SESSION] = "CLOSE_CRYPTO_SESSION",
	[REQ_POSTCOPY_ADVISE] = "POSTCOPY_ADVISE",
	[REQ_POSTCOPY_LISTEN] = "POSTCOPY_LISTEN",
	[REQ_POSTCOPY_END] = "POSTCOPY_END",
	[REQ_GET_INFLIGHT_FD] = "GET_INFLIGHT_FD",
	[REQ_SET_INFLIGHT_FD] = "SET_INFLIGHT_FD",
	[REQ_GPU_SET_SOCKET] = "GPU_SET_SOCKET",
	[REQ_RESET_DEVICE] = "RESET_DEVICE",
	[REQ_VRING_KICK] = "VRING_KICK",
	[REQ_GET_MAX_MEM_SLOTS] = "GET_MAX_MEM_SLOTS",
	[REQ_ADD_MEM_REG] = "ADD_MEM_REG",
	[REQ_REM_MEM_REG] = "REM_MEM_REG",
	[REQ_SET_STATUS] = "SET_STATUS",
	[REQ_GET_STATUS] = "GET_STATUS",
	[REQ_GET_SHARED_OBJECT] = "GET_SHARED_OBJECT",
	[REQ_SET_DEVICE_STATE_FD] = "SET_DEVICE_STATE_FD",
	[REQ_CHECK_DEVICE_STATE] = "CHECK_DEVICE_STATE",
};

const char *
vrtc_vhu_guard_request_name(uint32_t request)
{
	if (request >= REQ_COUNT || request_names[request] == NULL)
		return "?";
	return request_names[request];
}

static int
has_bit(uint64_t v, unsigned int bit)
{
	return (v >> bit) & 1u;
}

/* Requests whose reply is their own answer (not a reply-ack). Every one
 * the guard forwards has an 8-byte reply. */
static int
has_own_reply(uint32_t request)
{
	switch (request) {
	case REQ_GET_FEATURES:
	case REQ_GET_PROTOCOL_FEATURES:
	case REQ_GET_VRING_BASE:
	case REQ_GET_QUEUE_NUM:
	case REQ_GET_STATUS:
		return 1;
	default:
		return 0;
	}
}

int
vrtc_vhu_guard_init(struct vrtc_vhu_guard *g, const struct vrtc_vhu_guard_config *cfg)
{
	if (cfg->nb_queues == 0 || cfg->nb_queues > VRTC_VHU_GUARD_MAX_QUEUES ||
	    cfg->max_ring_size == 0 || cfg->max_ring_size > VRTC_VHU_GUARD_MAX_RING)
		return -EINVAL;
	if (cfg->offered_protocol_features != 0 &&
	    !has_bit(cfg->offered_features, F_PROTOCOL_FEATURES))
		return -EINVAL;
	if ((cfg->offered_protocol_features & ~SUPPORTED_PROTOCOL_FEATURES) != 0 ||
	    has_bit(cfg->offered_features, F_ACCESS_PLATFORM) ||
	    has_bit(cfg->offered_features, F_LOG_ALL))
		return -ENOTSUP;
	memset(g, 0, sizeof(*g));
	g->cfg = *cfg;
	return 0;
}

void
vrtc_vhu_guard_reset(struct vrtc_vhu_guard *g)
{
	struct vrtc_vhu_guard_config cfg = g->cfg;
	uint32_t nb_refused = g->nb_refused;

	memset(g, 0, sizeof(*g));
	g->cfg = cfg;
	g->nb_refused = nb_refused;
}

int
vrtc_vhu_guard_header(const struct vrtc_vhu_guard *g, const struct vrtc_vhu_hdr *hdr,
		      const char **reason)
{
	(void)g;
	if ((hdr->flags & VRTC_VHU_FLAG_VERSION_MASK) != VRTC_VHU_FLAG_VERSION) {
		*reason = "wrong protocol version in the header";
		return -EPROTO;
	}
	if ((hdr->flags & ~(VRTC_VHU_FLAG_VERSION_MASK | VRTC_VHU_FLAG_NEED_REPLY)) != 0) {
		*reason = "reply or unknown flag bits in a request header";
		return -EPROTO;
	}
	if (hdr->size > VRTC_VHU_GUARD_MAX_PAYLOAD) {
		*reason = "payload size beyond any message";
		return -EPROTO;
	}
	return 0;
}

/* ---- helpers on the state -------------------------------------------------- */

static int
any_started(const struct vrtc_vhu_guard *g)
{
	uint32_t i;

	for (i = 0; i < g->cfg.nb_queues; i++)
		if (g->queues[i].started)
			return 1;
	return 0;
}

static int
packed(const struct vrtc_vhu_guard *g)
{
	return has_bit(g->features, F_RING_PACKED);
}

/* Whether [uaddr, uaddr + len) lies wholly inside one region. */
static int
inside_one_region(const struct vrtc_vhu_guard_region *regions, uint32_t nb_regions,
		  uint64_t uaddr, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < nb_regions; i++) {
		const struct vrtc_vhu_guard_region *r = &regions[i];

		if (uaddr >= r->uaddr && len <= r->size && uaddr - r->uaddr <= r->size - len)
			return 1;
	}
	return 0;
}

/* Whether the rings of @p q, at @p num entries under @p features, lie in
 * the memory table @p regions. */
static const char *
ring_misplaced(const struct vrtc_vhu_guard_queue *q, uint32_t num, uint64_t features,
	       const struct vrtc_vhu_guard_region *regions, uint32_t nb_regions)
{
	uint64_t desc_len = 16u * (uint64_t)num, avail_len, used_len;
	uint64_t avail_align, used_align;

	if (has_bit(features, F_RING_PACKED)) {
		avail_len = 4; /* driver event suppression */
		used_len = 4;  /* device event suppression */
		avail_align = 4;
		used_align = 4;
	} else {
		uint64_t ev = has_bit(features, F_RING_EVENT_IDX) ? 2 : 0;

		avail_len = 6 + 2 * (uint64_t)num + ev;
		used_len = 6 + 8 * (uint64_t)num + ev;
		avail_align = 2;
		used_align = 4;
	}
	if (q->desc_uaddr % 16 != 0 || q->avail_uaddr % avail_align != 0 ||
	    q->used_uaddr % used_align != 0)
		return "ring address not aligned";
	if (!inside_one_region(regions, nb_regions, q->desc_uaddr, desc_len))
		return "descriptor table not inside one memory region";
	if (!inside_one_region(regions, nb_regions, q->avail_uaddr, avail_len))
		return "avail ring not inside one memory region";
	if (!inside_one_region(regions, nb_regions, q->used_uaddr, used_len))
		return "used ring not inside one memory region";
	return NULL;
}

static int
ring_size_valid(const struct vrtc_vhu_guard *g, uint32_t num, uint64_t features)
{
	if (num == 0 || num > g->cfg.max_ring_size)
		return 0;
	if (!has_bit(features, F_RING_PACKED) && (num & (num - 1)) != 0)
		return 0;
	return 1;
}

/* Ring placement of queue @p q as it would be with the current state. */
static const char *
queue_misplaced(const struct vrtc_vhu_guard *g, const struct vrtc_vhu_guard_queue *q)
{
	if (g->nb_regions == 0)
		return "no memory table";
	if (!q->num_set)
		return "ring size not set";
	if (!q->addr_set)
		return "ring addresses not set";
	if (!ring_size_valid(g, q->num, g->features))
		return "ring size not valid under the negotiated features";
	return ring_misplaced(q, q->num, g->features, g->regions, g->nb_regions);
}

/* Whether @p fd is an anonymous inode (eventfd and kin): reads and writes
 * of 8 bytes never block on it the way they could on a pipe or socket. */
static int
fd_is_anon_inode(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return 0;
	return (st.st_mode & S_IFMT) == 0;
}

static const char *
region_fd_problem(const struct vrtc_vhu_guard *g, int fd, uint64_t offset, uint64_t size)
{
	struct stat st;
	int seals, flags;

	if (fstat(fd, &st) != 0)
		return "region fd cannot be inspected";
	if (!S_ISREG(st.st_mode))
		return "region fd is not a regular file or memfd";
	if (st.st_size < 0 || offset + size > (uint64_t)st.st_size)
		return "region extends past the end of its fd";
	/* The back-end maps guest memory shared and writable: an fd opened
	 * read-only, or sealed against writing, cannot be (and rte_vhost
	 * 22.11 leaks the fd of a region it fails to map). */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || (flags & O_ACCMODE) != O_RDWR)
		return "region fd is not open for reading and writing";
	seals = fcntl(fd, F_GET_SEALS);
	if (seals > 0 && (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) != 0)
		return "region fd is sealed against writing";
	if (g->cfg.allow_unsealed)
		return NULL;
	if (seals < 0 || (seals & F_SEAL_SHRINK) == 0)
		return "region fd not sealed against shrinking";
	return NULL;
}

static int
ranges_overlap(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len)
{
	/* Both ranges are known not to wrap. */
	return a < b + b_len && b < a + a_len;
}

/* ---- decisions -------------------------------------------------------------- */

/* Refuse: a failure ack when the front-end asked for one and the request
 * has no answer of its own; otherwise the connection is closed. */
static void
refuse(struct vrtc_vhu_guard *g, const struct vrtc_vhu_hdr *hdr, struct vrtc_vhu_decision *out,
       const char *reason)
{
	g->nb_refused++;
	out->reason = reason;
	out->replies = 0;
	if ((hdr->flags & VRTC_VHU_FLAG_NEED_REPLY) != 0 && !has_own_reply(hdr->request))
		out->verdict = VRTC_VHU_REFUSE;
	else
		out->verdict = VRTC_VHU_DROP;
}

static void
drop(struct vrtc_vhu_guard *g, struct vrtc_vhu_decision *out, const char *reason)
{
	g->nb_refused++;
	out->verdict = VRTC_VHU_DROP;
	out->replies = 0;
	out->reason = reason;
}

static void
forward(const struct vrtc_vhu_hdr *hdr, struct vrtc_vhu_decision *out)
{
	out->verdict = VRTC_VHU_FORWARD;
	out->reason = NULL;
	out->replies = has_own_reply(hdr->request) ||
		       (hdr->flags & VRTC_VHU_FLAG_NEED_REPLY) != 0;
}

static uint64_t
load_u64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The payload size a request must have; -1 when it varies (memory table). */
static int
fixed_size(uint32_t request)
{
	switch (request) {
	case REQ_GET_FEATURES:
	case REQ_SET_OWNER:
	case REQ_RESET_OWNER:
	case REQ_GET_PROTOCOL_FEATURES:
	case REQ_GET_QUEUE_NUM:
	case REQ_GET_STATUS:
		return 0;
	case REQ_SET_FEATURES:
	case REQ_SET_PROTOCOL_FEATURES:
	case REQ_SET_VRING_NUM:
	case REQ_SET_VRING_BASE:
	case REQ_GET_VRING_BASE:
	case REQ_SET_VRING_KICK:
	case REQ_SET_VRING_CALL:
	case REQ_SET_VRING_ERR:
	case REQ_SET_VRING_ENABLE:
	case REQ_SET_STATUS:
		return 8;
	case REQ_SET_VRING_ADDR:
		return (int)sizeof(struct wire_addr);
	default:
		return -1;
	}
}

/* Whether the offered/negotiated features allow @p request at all. */
static const char *
request_not_allowed(const struct vrtc_vhu_guard *g, uint32_t request)
{
	switch (request) {
	case REQ_GET_FEATURES:
	case REQ_SET_FEATURES:
	case REQ_SET_OWNER:
	case REQ_RESET_OWNER:
	case REQ_SET_MEM_TABLE:
	case REQ_SET_VRING_NUM:
	case REQ_SET_VRING_ADDR:
	case REQ_SET_VRING_BASE:
	case REQ_GET_VRING_BASE:
	case REQ_SET_VRING_KICK:
	case REQ_SET_VRING_CALL:
	case REQ_SET_VRING_ERR:
		return NULL;
	case REQ_GET_PROTOCOL_FEATURES:
	case REQ_SET_PROTOCOL_FEATURES:
	case REQ_SET_VRING_ENABLE:
		if (!has_bit(g->cfg.offered_features, F_PROTOCOL_FEATURES))
			return "protocol features not offered";
		return NULL;
	case REQ_GET_QUEUE_NUM:
		if (!has_bit(g->protocol_features, VRTC_VHU_GUARD_PROTOCOL_F_MQ))
			return "GET_QUEUE_NUM without the MQ protocol feature";
		return NULL;
	case REQ_SET_STATUS:
	case REQ_GET_STATUS:
		if (!has_bit(g->protocol_features, VRTC_VHU_GUARD_PROTOCOL_F_STATUS))
			return "STATUS messages without the STATUS protocol feature";
		return NULL;
	case REQ_SET_LOG_BASE:
	case REQ_SET_LOG_FD:
		return "dirty logging not offered";
	case REQ_SET_BACKEND_REQ_FD:
		return "back-end request channel not offered";
	case REQ_GET_INFLIGHT_FD:
	case REQ_SET_INFLIGHT_FD:
		return "inflight tracking not offered";
	case REQ_POSTCOPY_ADVISE:
	case REQ_POSTCOPY_LISTEN:
	case REQ_POSTCOPY_END:
		return "postcopy not offered";
	case REQ_GET_CONFIG:
	case REQ_SET_CONFIG:
		return "config space not offered";
	case REQ_GET_MAX_MEM_SLOTS:
	case REQ_ADD_MEM_REG:
	case REQ_REM_MEM_REG:
		return "configurable memory slots not offered";
	default:
		if (request >= REQ_COUNT || request_names[request] == NULL)
			return "unknown request";
		return "request not offered";
	}
}

static void
check_mem_table(struct vrtc_vhu_guard *g, const struct vrtc_vhu_hdr *hdr, const uint8_t *payload,
		const int *fds, uint32_t nb_fds, struct vrtc_vhu_decision *out)
{
	struct vrtc_vhu_guard_region regions[VRTC_VHU_GUARD_MAX_REGIONS];
	uint32_t nregions, i, j;
	const char *why;

	if (hdr->size < MEM_HDR_SIZE) {
		refuse(g, hdr, out, "memory table shorter than its header");
		return;
	}
	memcpy(&nregions, payload, sizeof(nregions));
	if (nregions == 0 || nregions > VRTC_VHU_GUARD_MAX_REGIONS) {
		refuse(g, hdr, out, "memory table region count not in 1..8");
		return;
	}
	if (hdr->size != MEM_HDR_SIZE + nregions * sizeof(struct wire_region)) {
		refuse(g, hdr, out, "memory table size does not match its region count");
		return;
	}
	if (nb_fds != nregions) {
		refuse(g, hdr, out, "memory table fd count does not match its region count");
		return;
	}
	for (i = 0; i < nregions; i++) {
		struct wire_region w;

		memcpy(&w, payload + MEM_HDR_SIZE + i * sizeof(w), sizeof(w));
		regions[i].gpa = w.guest_phys_addr;
		regions[i].size = w.memory_size;
		regions[i].uaddr = w.userspace_addr;
		regions[i].mmap_offset = w.mmap_offset;
		if (w.memory_size == 0) {
			refuse(g, hdr, out, "memory region of size 0");
			return;
		}
		if (w.guest_phys_addr > UINT64_MAX - w.memory_size ||
		    w.userspace_addr > UINT64_MAX - w.memory_size ||
		    w.mmap_offset > UINT64_MAX - w.memory_size) {
			refuse(g, hdr, out, "memory region wraps the address space");
			return;
		}
		for (j = 0; j < i; j++) {
			if (ranges_overlap(regions[i].gpa, regions[i].size, regions[j].gpa,
					   regions[j].size)) {
				refuse(g, hdr, out, "memory regions overlap in guest-physical space");
				return;
			}
			if (ranges_overlap(regions[i].uaddr, regions[i].size, regions[j].uaddr,
					   regions[j].size)) {
				refuse(g, hdr, out, "memory regions overlap in user address space");
				return;
			}
		}
		why = region_fd_problem(g, fds[i], w.mmap_offset, w.memory_size);
		if (why != NULL) {
			refuse(g, hdr, out, why);
			return;
		}
	}
	/* A ring in use must stay inside the new table: rte_vhost would go on
	 * serving it through the new mapping. */
	for (i = 0; i < g->cfg.nb_queues; i++) {
		const struct vrtc_vhu_guard_queue *q = &g->queues[i];

		if (q->started &&
		    ring_misplaced(q, q->num, g->features, regions, nregions) != NULL) {
			drop(g, out, "new memory table leaves a started ring outside memory");
			return;
		}
	}
	memcpy(g->regions, regions, nregions * sizeof(regions[0]));
	g->nb_regions = nregions;
	forward(hdr, out);
}

/* The queue of a vring_state/addr message, or NULL (refused). */
static struct vrtc_vhu_guard_queue *
queue_at(struct vrtc_vhu_guard *g, uint32_t index)
{
	if (index >= g->cfg.nb_queues)
		return NULL;
	return &g->queues[index];
}

static void
check_vring_fd(struct vrtc_vhu_guard *g, const struct vrtc_vhu_hdr *hdr, uint64_t v,
	       const int *fds, uint32_t nb_fds, struct vrtc_vhu_decision *out)
{
	struct vrtc_vhu_guard_queue *q;
	uint32_t expect_fds = (v & VRING_NOFD) ? 0 : 1;
	const char *why;

	if ((v & ~(uint64_t)(VRING_IDX_MASK | VRING_NOFD)) != 0) {
		refuse(g, hdr, out, "unknown bits in a vring fd message");
		return;
	}
	q = queue_at(g, (uint32_t)(v & VRING_IDX_MASK));
	if (q == NULL) {
		refuse(g, hdr, out, "queue index beyond the device's queues");
		return;
	}
	if (nb_fds != expect_fds) {
		refuse(g, hdr, out, "vring fd message with a wrong number of fds");
		return;
	}
	if (expect_fds == 1 && !fd_is_anon_inode(fds[0])) {
		refuse(g, hdr, out, "vring notifier is not an eventfd");
		return;
	}
	if (hdr->request == REQ_SET_VRING_KICK) {
		/* The ring starts: everything must be in place now. */
		if (g->nb_regions == 0 || !q->num_set || !q->addr_set) {
			refuse(g, hdr, out, "kick before the ring is set up");
			return;
		}
		why = queue_misplaced(g, q);
		if (why != NULL) {
			drop(g, out, why);
			return;
		}
		q->started = 1;
	}
	forward(hdr, out);
}

static void
check_vring(struct vrtc_vhu_guard *g, const struct vrtc_vhu_hdr *hdr, const uint8_t *payload,
	    struct vrtc_vhu_decision *out)
{
	struct vrtc_vhu_guard_queue *q, next;
	struct wire_state st;
	struct wire_addr addr;
	const char *why;

	if (hdr->request == REQ_SET_VRING_ADDR) {
		memcpy(&addr, payload, sizeof(addr));
		st.index = addr.index;
	} else {
		memcpy(&st, payload, sizeof(st));
	}
	q = queue_at(g, st.index);
	if (q == NULL) {
		refuse(g, hdr, out, "queue index beyond the device's queues");
		return;
	}
	switch (hdr->request) {
	case REQ_SET_VRING_NUM:
		if (q->started) {
			refuse(g, hdr, out, "ring size changed while the ring is in use");
			return;
		}
		if (!ring_size_valid(g, st.num, g->features)) {
			refuse(g, hdr, out, "ring size not a power of two within the maximum");
			return;
		}
		if (q->addr_set && g->nb_regions != 0) {
			why = ring_misplaced(q, st.num, g->features, g->regions, g->nb_regions);
			if (why != NULL) {
				refuse(g, hdr, out, why);
				return;
			}
		}
		q->num = st.num;
		q->num_set = 1;
		break;
	case REQ_SET_VRING_BASE:
		if (q->started) {
			refuse(g, hdr, out, "ring base changed while the ring is in use");
			return;
		}
		/* Packed: bits 0-14 the avail index, 15 its wrap counter, and
		 * (QEMU sends them, rte_vhost 22.11 ignores them) bits 16-30
		 * the used index, 31 its wrap counter. Split: 16 bits. */
		if (packed(g)) {
			if (!q->num_set || (st.num & 0x7fffu) >= q->num ||
			    ((st.num >> 16) & 0x7fffu) >= q->num) {
				refuse(g, hdr, out, "packed ring base outside the ring");
				return;
			}
		} else if (st.num > 0xffffu) {
			refuse(g, hdr, out, "ring base beyond 16 bits");
			return;
		}
		break;
	case REQ_GET_VRING_BASE:
		/* The back-end stops the ring and forgets its notifiers. */
		q->started = 0;
		break;
	case REQ_SET_VRING_ENABLE:
		if (st.num > 1) {
			refuse(g, hdr, out, "ring enable value not 0 or 1");
			return;
		}
		if (st.num == 1 && q->num_set && q->addr_set) {
			why = queue_misplaced(g, q);
			if (why != NULL) {
				drop(g, out, why);
				return;
			}
		}
		q->enabled = (uint8_t)st.num;
		break;
	case REQ_SET_VRING_ADDR:
		if (q->started) {
			refuse(g, hdr, out, "ring addresses changed while the ring is in use");
			return;
		}
		if (addr.flags != 0) {
			refuse(g, hdr, out, "ring logging or unknown address flags");
			return;
		}
		if (g->nb_regions == 0) {
			refuse(g, hdr, out, "ring addresses before a memory table");
			return;
		}
		next = *q;
		next.desc_uaddr = addr.desc_user_addr;
		next.avail_uaddr = addr.avail_user_addr;
		next.used_uaddr = addr.used_user_addr;
		next.addr_set = 1;
		if (next.num_set) {
			why = ring_misplaced(&next, next.num, g->features, g->regions,
					     g->nb_regions);
			if (why != NULL) {
				refuse(g, hdr, out, why);
				return;
			}
		}
		*q = next;
		break;
	default:
		break;
	}
	forward(hdr, out);
}

void
vrtc_vhu_guard_check(struct vrtc_vhu_guard *g, struct vrtc_vhu_hdr *hdr, const void *payload,
		     const int *fds, uint32_t nb_fds, int fds_truncated,
		     struct vrtc_vhu_decision *out)
{
	const uint8_t *p = payload;
	const char *why;
	int size;
	uint64_t v;

	/* NEED_REPLY means something only with REPLY_ACK, and never for a
	 * request that has its own answer: clear it so that the number of
	 * replies the back-end sends is known whatever its version does. */
	if (!has_bit(g->protocol_features, VRTC_VHU_GUARD_PROTOCOL_F_REPLY_ACK) ||
	    has_own_reply(hdr->request))
		hdr->flags &= ~VRTC_VHU_FLAG_NEED_REPLY;

	why = request_not_allowed(g, hdr->request);
	if (why != NULL) {
		refuse(g, hdr, out, why);
		return;
	}
	size = fixed_size(hdr->request);
	if (size >= 0 && hdr->size != (uint32_t)size) {
		refuse(g, hdr, out, "payload size wrong for the request");
		return;
	}
	if (fds_truncated) {
		refuse(g, hdr, out, "more fds than any message carries");
		return;
	}
	if (hdr->request != REQ_SET_MEM_TABLE && hdr->request != REQ_SET_VRING_KICK &&
	    hdr->request != REQ_SET_VRING_CALL && hdr->request != REQ_SET_VRING_ERR &&
	    nb_fds != 0) {
		refuse(g, hdr, out, "fds attached to a request that takes none");
		return;
	}

	switch (hdr->request) {
	case REQ_GET_FEATURES:
	case REQ_SET_OWNER:
	case REQ_GET_PROTOCOL_FEATURES:
	case REQ_GET_QUEUE_NUM:
	case REQ_GET_STATUS:
		forward(hdr, out);
		return;
	case REQ_RESET_OWNER:
		g->nb_refused++;
		out->verdict = VRTC_VHU_ANSWER;
		out->replies = 0;
		out->reason = "RESET_OWNER is deprecated and ignored";
		return;
	case REQ_SET_FEATURES:
		v = load_u64(p);
		if ((v & ~g->cfg.offered_features) != 0) {
			refuse(g, hdr, out, "features that were not offered");
			return;
		}
		if (v != g->features && any_started(g)) {
			refuse(g, hdr, out, "features changed while a ring is in use");
			return;
		}
		g->features = v;
		g->features_set = 1;
		forward(hdr, out);
		return;
	case REQ_SET_PROTOCOL_FEATURES:
		v = load_u64(p);
		if ((v & ~g->cfg.offered_protocol_features) != 0) {
			refuse(g, hdr, out, "protocol features that were not offered");
			return;
		}
		if (v != g->protocol_features && any_started(g)) {
			refuse(g, hdr, out, "protocol features changed while a ring is in use");
			return;
		}
		g->protocol_features = v;
		forward(hdr, out);
		return;
	case REQ_SET_STATUS:
		if (load_u64(p) > 0xffu) {
			refuse(g, hdr, out, "device status beyond 8 bits");
			return;
		}
		forward(hdr, out);
		return;
	case REQ_SET_MEM_TABLE:
		check_mem_table(g, hdr, p, fds, nb_fds, out);
		return;
	case REQ_SET_VRING_KICK:
	case REQ_SET_VRING_CALL:
	case REQ_SET_VRING_ERR:
		check_vring_fd(g, hdr, load_u64(p), fds, nb_fds, out);
		return;
	case REQ_SET_VRING_NUM:
	case REQ_SET_VRING_ADDR:
	case REQ_SET_VRING_BASE:
	case REQ_GET_VRING_BASE:
	case REQ_SET_VRING_ENABLE:
		check_vring(g, hdr, p, out);
		return;
	default:
		/* request_not_allowed() refused everything else. */
		refuse(g, hdr, out, "request not offered");
		return;
	}
}

int
vrtc_vhu_guard_reply(const struct vrtc_vhu_guard *g, uint32_t request,
		     const struct vrtc_vhu_hdr *hdr, const void *payload, uint32_t nb_fds,
		     const char **reason)
{
	if (nb_fds != 0) {
		*reason = "back-end reply carries fds";
		return -EPROTO;
	}
	if (hdr->request != request) {
		*reason = "back-end reply to another request";
		return -EPROTO;
	}
	if (hdr->flags != (VRTC_VHU_FLAG_VERSION | VRTC_VHU_FLAG_REPLY)) {
		*reason = "back-end reply with wrong flags";
		return -EPROTO;
	}
	if (hdr->size != 8) {
		*reason = "back-end reply of a wrong size";
		return -EPROTO;
	}
	if (!has_own_reply(request) && load_u64(payload) != 0) {
		*reason = "back-end refused a message the guard let through";
		return 1;
	}
	/* The guard checks against its configuration: a back-end offering
	 * something else is a misconfiguration, loud rather than subtle. */
	if (request == REQ_GET_FEATURES && load_u64(payload) != g->cfg.offered_features) {
		*reason = "back-end offers other features than the guard was configured with";
		return -EPROTO;
	}
	if (request == REQ_GET_PROTOCOL_FEATURES &&
	    load_u64(payload) != g->cfg.offered_protocol_features) {
		*reason = "back-end offers other protocol features than the guard was configured with";
		return -EPROTO;
	}
	return 0;
}

uint32_t
vrtc_vhu_guard_make_ack(uint8_t *buf, uint32_t request, int failed)
{
	struct vrtc_vhu_hdr h = {
		.request = request,
		.flags = VRTC_VHU_FLAG_VERSION | VRTC_VHU_FLAG_REPLY,
		.size = 8,
	};
	uint64_t v = failed ? 1 : 0;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &v, sizeof(v));
	return (uint32_t)(sizeof(h) + sizeof(v));
}
