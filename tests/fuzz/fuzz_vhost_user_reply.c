/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * libFuzzer target: a hostile vhost-user back-end's replies, as the
 * front-end (drivers/vdev/virtio_user) reads them.
 *
 * Input:
 *   byte 0  bit 0 negotiate REPLY_ACK, bit 1 SET_MEM_TABLE waits for its
 *           ack (else it is deferred to the next request), bit 2 attach a
 *           file descriptor to the stream at the offset of byte 1, bits 3-7
 *           the ring index the client uses
 *   byte 1  that offset, in units of 4 bytes
 *   rest    the back-end's byte stream, at most 4096 bytes
 *
 * Two parts:
 * 1. The pure validation (vhost_user_reply.c) on the stream cut into
 *    messages, once for every kind of reply the client awaits. The target
 *    aborts when a header is accepted that does not echo the request,
 *    carry exactly the reply flags and the reply's own size, when a value
 *    out of range is accepted, or when a reason is not a terminated string.
 * 2. The real client (vhost_user_client.c, built without DPDK) over a
 *    socketpair: the stream is written to the back-end's end (then its
 *    write side is shut, so that reading past the stream is an EOF, not a
 *    wait), and the client runs the front-end's connection sequence,
 *    stopping at the first error as its callers do. The target aborts on a
 *    value out of range returned as a success, a deferred ack count that
 *    grows past one, protocol features recorded that were not set, or a
 *    file descriptor left open by the client.
 */

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vhost_user_client.h"
#include "vhost_user_reply.h"

#define MAX_STREAM 4096
#define FEATURES_WANTED                                                                            \
	((UINT64_C(1) << 32) | (UINT64_C(1) << VRTC_VHU_F_PROTOCOL_FEATURES) | (UINT64_C(1) << 28))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_why(const char *why, size_t len)
{
	if (memchr(why, '\0', len) == NULL)
		abort();
}

/* Part 1: every kind of awaited reply against the stream's messages. */
static void
fuzz_parser(const uint8_t *p, size_t len, uint32_t index)
{
	const struct vrtc_vhu_expect kinds[] = {
		{ .request = VRTC_VHU_GET_FEATURES },
		{ .request = VRTC_VHU_GET_PROTOCOL_FEATURES },
		{ .request = VRTC_VHU_GET_QUEUE_NUM },
		{ .request = VRTC_VHU_GET_VRING_BASE, .index = index },
		{ .request = VRTC_VHU_SET_MEM_TABLE, .ack = 1 },
		{ .request = VRTC_VHU_SET_FEATURES, .ack = 1 },
		{ .request = VRTC_VHU_SET_VRING_KICK, .ack = 1 },
		/* Nothing awaited: must always be refused. */
		{ .request = VRTC_VHU_SET_OWNER },
		{ .request = VRTC_VHU_GET_FEATURES, .ack = 1 },
		{ .request = 0xdeadbeef },
	};
	size_t off = 0, k;

	while (len - off >= sizeof(struct vrtc_vhu_hdr)) {
		struct vrtc_vhu_hdr hdr;

		memcpy(&hdr, p + off, sizeof(hdr));
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			const struct vrtc_vhu_expect *x = &kinds[k];
			uint32_t want = vrtc_vhu_reply_size(x);
			uint8_t payload[16];
			uint64_t value = 0;
			char why[64];
			int ret;

			memset(why, 'x', sizeof(why));
			ret = vrtc_vhu_reply_check_hdr(&hdr, x, why, sizeof(why));
			if (ret != 0) {
				if (ret != -EPROTO)
					abort();
				check_why(why, sizeof(why));
				continue;
			}
			if (want == 0 || want > sizeof(payload) || hdr.request != x->request ||
			    hdr.flags != (VRTC_VHU_VERSION | VRTC_VHU_FLAG_REPLY) || hdr.size != want)
				abort();
			if (len - off - sizeof(hdr) < want)
				continue;
			memcpy(payload, p + off + sizeof(hdr), want);
			memset(why, 'x', sizeof(why));
			ret = vrtc_vhu_reply_parse(payload, x, &value, why, sizeof(why));
			if (ret != 0) {
				check_why(why, sizeof(why));
				if (ret == -EIO && !(x->ack && value != 0))
					abort();
				if (ret != -EIO && ret != -EPROTO)
					abort();
				continue;
			}
			if (x->ack && value != 0)
				abort();
			if (x->request == VRTC_VHU_GET_VRING_BASE && !x->ack) {
				struct vrtc_vhu_vring_state st;

				memcpy(&st, payload, sizeof(st));
				if (st.index != index || value > VRTC_VHU_MAX_RING_INDEX)
					abort();
			}
			if (x->request == VRTC_VHU_GET_QUEUE_NUM &&
			    (value == 0 || value > VRTC_VHU_MAX_QUEUES))
				abort();
		}
		/* Next message: by the size the back-end announced, bounded. */
		off += sizeof(hdr) + (hdr.size < len ? hdr.size : len);
		if (off > len)
			break;
	}
}

static unsigned int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	if (d == NULL)
		abort();
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* Write the stream, with an fd attached at @p fd_at when asked. */
static int
feed(int sock, const uint8_t *p, size_t len, int with_fd, size_t fd_at, int fd)
{
	size_t off = 0;

	while (off < len) {
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} control;
		size_t end = len;
		struct iovec iov;
		struct msghdr mh;
		ssize_t n;

		memset(&mh, 0, sizeof(mh));
		if (with_fd && off < fd_at)
			end = fd_at; /* the fd goes with the first byte of a send */
		if (with_fd && off == fd_at) {
			struct cmsghdr *cm;

			memset(&control, 0, sizeof(control));
			mh.msg_control = control.buf;
			mh.msg_controllen = sizeof(control.buf);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd, sizeof(int));
			with_fd = 0;
		}
		iov.iov_base = (void *)(uintptr_t)(p + off);
		iov.iov_len = end - off;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Part 2: the front-end's connection sequence against the stream. */
static void
fuzz_client(const uint8_t *p, size_t len, uint8_t opts, size_t fd_at)
{
	static int memfd = -1, evfd = -1;
	const uint32_t index = opts >> 3;
	const int with_fd = (opts & 4) != 0 && fd_at < len;
	struct vrtc_vhu_client c;
	struct vrtc_vhu_region region;
	uint64_t offered = 0, protocol = 0;
	uint32_t u;
	unsigned int fds_before = 0;
	int sv[2], ret;

	if (memfd < 0) {
		memfd = eventfd(0, EFD_CLOEXEC); /* any fd: the back-end never maps it */
		evfd = eventfd(0, EFD_CLOEXEC);
		if (memfd < 0 || evfd < 0)
			abort();
	}
	if (with_fd)
		fds_before = count_fds();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	if (feed(sv[1], p, len, with_fd, fd_at, evfd) != 0 || shutdown(sv[1], SHUT_WR) != 0)
		abort();
	vrtc_vhu_init(&c, "fuzz", "socketpair", 1000);
	c.sock = sv[0];

	ret = vrtc_vhu_set_owner(&c);
	if (ret == 0)
		ret = vrtc_vhu_get_features(&c, &offered);
	if (ret == 0)
		ret = vrtc_vhu_get_protocol_features(&c, &protocol);
	if (ret == 0) {
		protocol &= (opts & 1) ? UINT64_C(1) << VRTC_VHU_PROTOCOL_F_REPLY_ACK : 0;
		ret = vrtc_vhu_set_protocol_features(&c, protocol);
		if (ret == 0 && c.protocol_features != protocol)
			abort();
		if (ret != 0 && c.protocol_features != 0)
			abort();
	}
	if (ret == 0)
		ret = vrtc_vhu_set_features(&c, offered & FEATURES_WANTED);
	if (ret == 0) {
		region = (struct vrtc_vhu_region){ .gpa = 0x10000, .size = 0x10000,
						   .uva = 0x7f0000010000, .fd = memfd };
		ret = vrtc_vhu_set_mem_table(&c, &region, 1, (opts & 2) != 0);
		if (c.acks_pending > 1)
			abort();
	}
	if (ret == 0)
		ret = vrtc_vhu_set_vring_num(&c, index, 256);
	if (c.acks_pending != 0 && ret == 0)
		abort(); /* read before the next request's reply */
	if (ret == 0)
		ret = vrtc_vhu_set_vring_base(&c, index, 0);
	if (ret == 0)
		ret = vrtc_vhu_set_vring_addr(&c, index, 0x7f0000010000, 0x7f0000012000,
					      0x7f0000011000);
	if (ret == 0)
		ret = vrtc_vhu_set_vring_kick(&c, index, evfd);
	if (ret == 0)
		ret = vrtc_vhu_set_vring_call(&c, index, -1);
	if (ret == 0)
		ret = vrtc_vhu_set_vring_enable(&c, index, 1);
	if (ret == 0) {
		u = 0;
		ret = vrtc_vhu_get_queue_num(&c, &u);
		if (ret == 0 && (u == 0 || u > VRTC_VHU_MAX_QUEUES))
			abort();
	}
	if (ret == 0) {
		u = UINT32_MAX;
		ret = vrtc_vhu_get_vring_base(&c, index, &u);
		if (ret == 0 && u > VRTC_VHU_MAX_RING_INDEX)
			abort();
	}
	if (ret == 0)
		ret = vrtc_vhu_sync(&c, offered);
	/* Errors are what the header promises, nothing else; no wait (a
	 * timeout) either: past the stream the client meets an EOF. */
	if (ret != 0 && ret != -ECONNRESET && ret != -EPROTO && ret != -EIO)
		abort();
	vrtc_vhu_close(&c);
	if (c.sock != -1 || c.acks_pending != 0 || c.protocol_features != 0)
		abort();
	close(sv[1]);
	if (with_fd && count_fds() != fds_before)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opts;
	size_t fd_at;

	if (size < 2)
		return 0;
	opts = data[0];
	fd_at = (size_t)data[1] * 4;
	data += 2;
	size -= 2;
	if (size > MAX_STREAM)
		size = MAX_STREAM;
	fuzz_parser(data, size, opts >> 3);
	fuzz_client(data, size, opts, fd_at);
	return 0;
}
