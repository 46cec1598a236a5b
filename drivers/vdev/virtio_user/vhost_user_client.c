/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * vhost-user protocol client (front-end side).
 *
 * Security model: the back-end at the other end of the socket is not
 * trusted any more than a guest is trusted by a back-end. It may answer
 * late or never, close the connection at any byte, send replies with a
 * wrong request code, wrong flags, a wrong or huge size, a wrong ring
 * index, or attach file descriptors nobody asked for. Hence:
 *   - the socket is non-blocking and every send and receive is bounded by
 *     a deadline (poll() with the remaining time): a silent back-end costs
 *     at most the timeout, never a hang;
 *   - a reply is read in two steps, header then payload, and the payload
 *     is read only when the header announces exactly the size this
 *     request's reply has; nothing is read into a buffer by a length the
 *     back-end chose;
 *   - descriptors arriving with a reply are closed at once and the reply
 *     is refused (no reply we accept carries any);
 *   - SIGPIPE is never raised (MSG_NOSIGNAL): a closed peer is an error
 *     code;
 *   - any error leaves the byte stream unsynchronised, so the caller closes
 *     the connection; nothing here tries to resynchronise.
 * Descriptors we send (memory regions, eventfds) are borrowed from the
 * caller and never closed here; the socket itself is created CLOEXEC and
 * closed on every error path of the connect.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vhost_user_client.h"
#include "vhost_user_reply.h"

#ifdef VRTC_VHU_STANDALONE
/* Built without DPDK (the fuzz target): log lines are formatted-checked
 * by the compiler and dropped. */
__attribute__((format(printf, 2, 3))) static inline void
vhu_no_log(const char *name, const char *fmt, ...)
{
	(void)name;
	(void)fmt;
}
#define FE_LOG(level, name, fmt, ...) vhu_no_log((name), fmt, ##__VA_ARGS__)
#else
#include "fe_log.h"
#endif

#define VHU_VRING_IDX_MASK 0xffu
#define VHU_VRING_NOFD (1u << 8)

/* Pause between two connection attempts while nobody listens yet. */
#define CONNECT_RETRY_MS 10

/* Wire layout (host byte order, as the protocol defines it); the header
 * and the ring state are in vhost_user_reply.h. */

struct vhu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
};

struct vhu_mem_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

struct vhu_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vhu_mem_region regions[VRTC_VHU_MAX_REGIONS];
};

_Static_assert(sizeof(struct vhu_vring_addr) == 40, "vring address is 40 bytes");
_Static_assert(sizeof(struct vhu_mem_region) == 32, "memory region is 32 bytes");
_Static_assert(offsetof(struct vhu_memory, regions) == 8, "memory regions start at 8");

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Milliseconds left before @p deadline, 0 when it passed. */
static int
remaining_ms(uint64_t deadline)
{
	uint64_t now = now_ms();

	if (now >= deadline)
		return 0;
	return deadline - now > INT32_MAX ? INT32_MAX : (int)(deadline - now);
}

/* Wait until the socket is ready for @p events or the deadline passes. */
static int
wait_ready(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int ret;

	for (;;) {
		int left = remaining_ms(deadline);

		if (left == 0)
			return -ETIMEDOUT;
		ret = poll(&pfd, 1, left);
		/* Readable, writable, hung up or failed: the I/O call says which. */
		if (ret > 0)
			return 0;
		if (ret == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

void
vrtc_vhu_init(struct vrtc_vhu_client *c, const char *name, const char *path, uint32_t timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->sock = -1;
	c->name = name;
	c->path = path;
	c->timeout_ms = timeout_ms;
}

void
vrtc_vhu_close(struct vrtc_vhu_client *c)
{
	if (c->sock >= 0) {
		close(c->sock);
		c->sock = -1;
	}
	c->protocol_features = 0;
	c->acks_pending = 0;
	c->peer_local = 0;
}

void
vrtc_vhu_close_graceful(struct vrtc_vhu_client *c)
{
	uint64_t deadline = now_ms() + c->timeout_ms;
	char buf[256];

	if (c->sock < 0)
		return;
	if (shutdown(c->sock, SHUT_WR) == 0) {
		/* Nothing more is expected from the back-end; whatever comes is
		 * dropped (descriptors with it too: without a control buffer the
		 * kernel discards them). */
		for (;;) {
			ssize_t n = recv(c->sock, buf, sizeof(buf), MSG_DONTWAIT);

			if (n == 0)
				break; /* the back-end closed its end */
			if (n > 0) {
				/* Bounded even against a back-end that keeps talking. */
				if (remaining_ms(deadline) == 0)
					break;
				continue;
			}
			if (errno == EINTR)
				continue;
			if ((errno != EAGAIN && errno != EWOULDBLOCK) ||
			    wait_ready(c->sock, POLLIN, deadline) != 0)
				break;
		}
	}
	vrtc_vhu_close(c);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* One connection attempt. @return 0 with *out set, or -errno. */
static int
try_connect(const struct sockaddr_un *sun, uint64_t deadline, int *out)
{
	socklen_t len = sizeof(int);
	int fd, err = 0;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0) {
		*out = fd;
		return 0;
	}
	err = errno;
	if (err == EINPROGRESS) {
		/* Not expected from AF_UNIX, but legal: wait for the outcome. */
		int ret = wait_ready(fd, POLLOUT, deadline);

		if (ret == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		else if (ret != 0)
			err = -ret;
		if (err == 0) {
			*out = fd;
			return 0;
		}
	}
	close(fd);
	return -err;
}

/* Is the process at the other end of @p fd this one? */
static int
peer_is_self(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid == getpid();
}

int
vrtc_vhu_connect(struct vrtc_vhu_client *c)
{
	struct sockaddr_un sun;
	uint64_t deadline = now_ms() + c->timeout_ms;
	int ret, logged = 0;

	vrtc_vhu_close(c);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(c->path) >= sizeof(sun.sun_path)) {
		FE_LOG(ERR, c->name, "socket path %s is longer than %zu bytes", c->path,
		       sizeof(sun.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, c->path, strlen(c->path));

	for (;;) {
		int left;

		ret = try_connect(&sun, deadline, &c->sock);
		if (ret == 0)
			break;
		/* Nobody listens yet (no file, or no listener, or a full
		 * backlog): the back-end may still be starting. Retry. */
		if (ret != -ENOENT && ret != -ECONNREFUSED && ret != -EAGAIN) {
			FE_LOG(ERR, c->name, "cannot connect to %s: %s", c->path, strerror(-ret));
			return ret;
		}
		left = remaining_ms(deadline);
		if (left == 0) {
			FE_LOG(ERR, c->name,
			       "no back-end listening on %s within %" PRIu32 " ms: %s", c->path,
			       c->timeout_ms, strerror(-ret));
			return -ECONNREFUSED;
		}
		if (!logged) {
			FE_LOG(INFO, c->name, "waiting for a back-end on %s (%s)", c->path,
			       strerror(-ret));
			logged = 1;
		}
		sleep_ms(left < CONNECT_RETRY_MS ? left : CONNECT_RETRY_MS);
	}
	c->peer_local = peer_is_self(c->sock);
	FE_LOG(DEBUG, c->name, "connected to %s%s", c->path,
	       c->peer_local ? " (a back-end in this process)" : "");
	return 0;
}

/* Send header + payload (+ descriptors with the first byte), bounded. */
static int
send_msg(struct vrtc_vhu_client *c, const struct vrtc_vhu_hdr *hdr, const void *payload, const int *fds,
	 uint32_t nb_fds, uint64_t deadline)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VRTC_VHU_MAX_REGIONS)];
		struct cmsghdr align;
	} control;
	struct iovec iov[2];
	struct msghdr mh;
	size_t total = sizeof(*hdr) + hdr->size, sent = 0;

	if (nb_fds > VRTC_VHU_MAX_REGIONS)
		return -EINVAL;
	memset(&mh, 0, sizeof(mh));
	memset(&control, 0, sizeof(control));
	if (nb_fds > 0) {
		struct cmsghdr *cm;

		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nb_fds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nb_fds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nb_fds);
	}

	while (sent < total) {
		ssize_t n;
		int ret;

		/* Rebuild the iovec from what is left to send. */
		if (sent < sizeof(*hdr)) {
			iov[0].iov_base = (char *)(uintptr_t)hdr + sent;
			iov[0].iov_len = sizeof(*hdr) - sent;
			iov[1].iov_base = (void *)(uintptr_t)payload;
			iov[1].iov_len = hdr->size;
			mh.msg_iov = iov;
			mh.msg_iovlen = hdr->size > 0 ? 2 : 1;
		} else {
			iov[0].iov_base = (char *)(uintptr_t)payload + (sent - sizeof(*hdr));
			iov[0].iov_len = total - sent;
			mh.msg_iov = iov;
			mh.msg_iovlen = 1;
		}
		n = sendmsg(c->sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			sent += (size_t)n;
			/* The descriptors went with the first byte. */
			mh.msg_control = NULL;
			mh.msg_controllen = 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			ret = -errno;
			if (ret == -EPIPE)
				ret = -ECONNRESET;
			return ret;
		}
		ret = wait_ready(c->sock, POLLOUT, deadline);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/* Receive exactly @p len bytes; descriptors attached to them are refused. */
static int
recv_exact(struct vrtc_vhu_client *c, void *buf, size_t len, uint64_t deadline)
{
	size_t got = 0;

	while (got < len) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * VRTC_VHU_MAX_REGIONS)];
			struct cmsghdr align;
		} control;
		struct iovec iov = { .iov_base = (char *)buf + got, .iov_len = len - got };
		struct msghdr mh;
		struct cmsghdr *cm;
		int nb_fds = 0;
		ssize_t n;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		n = recvmsg(c->sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			int ret;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			ret = wait_ready(c->sock, POLLIN, deadline);
			if (ret != 0)
				return ret;
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
			    cm->cmsg_len >= CMSG_LEN(0)) {
				size_t k, nb = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

				for (k = 0; k < nb; k++) {
					int fd;

					memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(fd));
					if (fd >= 0)
						close(fd);
					nb_fds++;
				}
			}
		}
		if (nb_fds > 0 || (mh.msg_flags & MSG_CTRUNC) != 0) {
			FE_LOG(ERR, c->name,
			       "back-end sent %d file descriptor(s) with a reply; refused", nb_fds);
			return -EPROTO;
		}
		got += (size_t)n;
	}
	return 0;
}

/*
 * Read the reply awaited in @p x and validate it (vhost_user_reply.c):
 * the header first, then exactly the payload that reply has. @p value
 * gets its value (see vrtc_vhu_reply_parse()).
 */
static int
recv_reply(struct vrtc_vhu_client *c, const struct vrtc_vhu_expect *x, uint64_t *value,
	   uint64_t deadline)
{
	union {
		uint64_t u64;
		struct vrtc_vhu_vring_state state;
	} payload;
	struct vrtc_vhu_hdr hdr;
	char why[160];
	int ret;

	ret = recv_exact(c, &hdr, sizeof(hdr), deadline);
	if (ret != 0)
		return ret;
	ret = vrtc_vhu_reply_check_hdr(&hdr, x, why, sizeof(why));
	if (ret == 0 && vrtc_vhu_reply_size(x) > sizeof(payload))
		ret = -EPROTO; /* not reached: every reply fits */
	if (ret != 0) {
		FE_LOG(ERR, c->name, "%s", why);
		return ret;
	}
	ret = recv_exact(c, &payload, vrtc_vhu_reply_size(x), deadline);
	if (ret != 0)
		return ret;
	ret = vrtc_vhu_reply_parse(&payload, x, value, why, sizeof(why));
	if (ret != 0)
		FE_LOG(ERR, c->name, "%s", why);
	return ret;
}

/* Read a REPLY_ACK for @p req; a non-zero one is the back-end's refusal. */
static int
recv_ack(struct vrtc_vhu_client *c, uint32_t req, uint64_t deadline)
{
	const struct vrtc_vhu_expect x = { .request = req, .ack = 1 };
	uint64_t status;

	return recv_reply(c, &x, &status, deadline);
}

/*
 * One request. For requests with a reply, @p reply receives its validated
 * value (@p index: the ring a GET_VRING_BASE asks about). Other requests
 * wait for a REPLY_ACK when negotiated, unless @p defer_ack: then the ack
 * is read before the next request's.
 */
static int
request(struct vrtc_vhu_client *c, uint32_t req, const void *payload, uint32_t size, const int *fds,
	uint32_t nb_fds, uint64_t *reply, uint32_t index, int defer_ack)
{
	uint64_t deadline = now_ms() + c->timeout_ms;
	struct vrtc_vhu_hdr hdr = { .request = req, .flags = VRTC_VHU_VERSION, .size = size };
	int want_ack = 0, ret;

	if (c->sock < 0)
		return -ENOTCONN;
	/* Acks of earlier deferred requests come first in the stream. */
	while (c->acks_pending > 0) {
		ret = recv_ack(c, VRTC_VHU_SET_MEM_TABLE, deadline);
		if (ret != 0) {
			if (ret != -EIO && ret != -EPROTO)
				FE_LOG(ERR, c->name,
				       "no valid reply to a deferred SET_MEM_TABLE: %s",
				       strerror(-ret));
			return ret;
		}
		c->acks_pending--;
	}
	if (!vrtc_vhu_has_reply(req) &&
	    (c->protocol_features & (UINT64_C(1) << VRTC_VHU_PROTOCOL_F_REPLY_ACK)) != 0) {
		hdr.flags |= VRTC_VHU_FLAG_NEED_REPLY;
		want_ack = 1;
	}
	FE_LOG(DEBUG, c->name, "-> %s (%" PRIu32 " bytes, %" PRIu32 " fds)",
	       vrtc_vhu_request_name(req), size, nb_fds);
	ret = send_msg(c, &hdr, payload, fds, nb_fds, deadline);
	if (ret != 0) {
		FE_LOG(ERR, c->name, "cannot send %s: %s", vrtc_vhu_request_name(req),
		       strerror(-ret));
		return ret;
	}
	if (vrtc_vhu_has_reply(req)) {
		const struct vrtc_vhu_expect x = { .request = req, .index = index };

		ret = recv_reply(c, &x, reply, deadline);
	} else if (want_ack && defer_ack) {
		c->acks_pending++;
	} else if (want_ack) {
		ret = recv_ack(c, req, deadline);
	}
	if (ret != 0 && ret != -EIO && ret != -EPROTO)
		FE_LOG(ERR, c->name, "no valid reply to %s: %s", vrtc_vhu_request_name(req),
		       strerror(-ret));
	return ret;
}

int
vrtc_vhu_set_owner(struct vrtc_vhu_client *c)
{
	return request(c, VRTC_VHU_SET_OWNER, NULL, 0, NULL, 0, NULL, 0, 0);
}

int
vrtc_vhu_get_features(struct vrtc_vhu_client *c, uint64_t *features)
{
	return request(c, VRTC_VHU_GET_FEATURES, NULL, 0, NULL, 0, features, 0, 0);
}

int
vrtc_vhu_set_features(struct vrtc_vhu_client *c, uint64_t features)
{
	return request(c, VRTC_VHU_SET_FEATURES, &features, sizeof(features), NULL, 0, NULL, 0, 0);
}

int
vrtc_vhu_get_protocol_features(struct vrtc_vhu_client *c, uint64_t *features)
{
	return request(c, VRTC_VHU_GET_PROTOCOL_FEATURES, NULL, 0, NULL, 0, features, 0, 0);
}

int
vrtc_vhu_get_queue_num(struct vrtc_vhu_client *c, uint32_t *nb_queues)
{
	uint64_t v;
	int ret;

	ret = request(c, VRTC_VHU_GET_QUEUE_NUM, NULL, 0, NULL, 0, &v, 0, 0);
	if (ret == 0)
		*nb_queues = (uint32_t)v; /* 1 to VRTC_VHU_MAX_QUEUES, checked */
	return ret;
}

int
vrtc_vhu_set_protocol_features(struct vrtc_vhu_client *c, uint64_t features)
{
	int ret;

	/* The acknowledgement rule starts after this message, not with it. */
	c->protocol_features = 0;
	ret = request(c, VRTC_VHU_SET_PROTOCOL_FEATURES, &features, sizeof(features), NULL, 0, NULL,
		      0, 0);
	if (ret == 0)
		c->protocol_features = features;
	return ret;
}

int
vrtc_vhu_set_mem_table(struct vrtc_vhu_client *c, const struct vrtc_vhu_region *regions,
		       uint32_t nb_regions, int wait)
{
	struct vhu_memory mem;
	int fds[VRTC_VHU_MAX_REGIONS];
	uint32_t i;

	if (nb_regions == 0 || nb_regions > VRTC_VHU_MAX_REGIONS)
		return -E2BIG;
	memset(&mem, 0, sizeof(mem));
	mem.nregions = nb_regions;
	for (i = 0; i < nb_regions; i++) {
		mem.regions[i].guest_phys_addr = regions[i].gpa;
		mem.regions[i].memory_size = regions[i].size;
		mem.regions[i].userspace_addr = regions[i].uva;
		mem.regions[i].mmap_offset = regions[i].mmap_offset;
		fds[i] = regions[i].fd;
	}
	return request(c, VRTC_VHU_SET_MEM_TABLE, &mem,
		       (uint32_t)(offsetof(struct vhu_memory, regions) +
				  nb_regions * sizeof(struct vhu_mem_region)),
		       fds, nb_regions, NULL, 0, !wait);
}

static int
set_vring_state(struct vrtc_vhu_client *c, uint32_t req, uint32_t index, uint32_t num)
{
	struct vrtc_vhu_vring_state st = { .index = index, .num = num };

	return request(c, req, &st, sizeof(st), NULL, 0, NULL, 0, 0);
}

int
vrtc_vhu_set_vring_num(struct vrtc_vhu_client *c, uint32_t index, uint32_t num)
{
	return set_vring_state(c, VRTC_VHU_SET_VRING_NUM, index, num);
}

int
vrtc_vhu_set_vring_base(struct vrtc_vhu_client *c, uint32_t index, uint32_t base)
{
	return set_vring_state(c, VRTC_VHU_SET_VRING_BASE, index, base);
}

int
vrtc_vhu_set_vring_enable(struct vrtc_vhu_client *c, uint32_t index, int enable)
{
	return set_vring_state(c, VRTC_VHU_SET_VRING_ENABLE, index, enable ? 1 : 0);
}

int
vrtc_vhu_get_vring_base(struct vrtc_vhu_client *c, uint32_t index, uint32_t *base)
{
	struct vrtc_vhu_vring_state st = { .index = index, .num = 0 };
	uint64_t v;
	int ret;

	ret = request(c, VRTC_VHU_GET_VRING_BASE, &st, sizeof(st), NULL, 0, &v, index, 0);
	if (ret == 0)
		*base = (uint32_t)v; /* the ring asked about, 16 bits: checked */
	return ret;
}

int
vrtc_vhu_set_vring_addr(struct vrtc_vhu_client *c, uint32_t index, uint64_t desc_uva,
			uint64_t used_uva, uint64_t avail_uva)
{
	struct vhu_vring_addr a = {
		.index = index,
		.flags = 0, /* no dirty logging */
		.desc_user_addr = desc_uva,
		.used_user_addr = used_uva,
		.avail_user_addr = avail_uva,
		.log_guest_addr = 0,
	};

	return request(c, VRTC_VHU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL, 0, 0);
}

static int
set_vring_fd(struct vrtc_vhu_client *c, uint32_t req, uint32_t index, int fd)
{
	uint64_t v = index & VHU_VRING_IDX_MASK;

	if (index > VHU_VRING_IDX_MASK)
		return -EINVAL;
	if (fd < 0)
		v |= VHU_VRING_NOFD;
	return request(c, req, &v, sizeof(v), fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0, NULL, 0, 0);
}

int
vrtc_vhu_set_vring_kick(struct vrtc_vhu_client *c, uint32_t index, int fd)
{
	return set_vring_fd(c, VRTC_VHU_SET_VRING_KICK, index, fd);
}

int
vrtc_vhu_set_vring_call(struct vrtc_vhu_client *c, uint32_t index, int fd)
{
	return set_vring_fd(c, VRTC_VHU_SET_VRING_CALL, index, fd);
}

int
vrtc_vhu_sync(struct vrtc_vhu_client *c, uint64_t expect_offered)
{
	uint64_t f;
	int ret;

	ret = vrtc_vhu_get_features(c, &f);
	if (ret != 0)
		return ret;
	if (f != expect_offered) {
		FE_LOG(ERR, c->name,
		       "back-end changed its features from 0x%" PRIx64 " to 0x%" PRIx64
		       " within one connection",
		       expect_offered, f);
		return -EPROTO;
	}
	return 0;
}
