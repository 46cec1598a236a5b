/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/* vhost-user message guard: every check with a message that passes and one
 * that fails, over real fds (memfds, eventfds, pipes). */

#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test.h"
#include "vhu_guard.h"

#define F_EVENT_IDX 29
#define F_PROTOCOL_FEATURES 30
#define F_VERSION_1 32
#define F_RING_PACKED 34
#define BIT(n) (UINT64_C(1) << (n))

#define REGION_GPA 0x100000u
#define REGION_SIZE 0x100000u /* 1 MiB */
#define REGION_UADDR UINT64_C(0x7f0000000000)

#define NEED VRTC_VHU_FLAG_NEED_REPLY

static const struct vrtc_vhu_guard_config base_cfg = {
	.offered_features = BIT(F_VERSION_1) | BIT(F_PROTOCOL_FEATURES) | BIT(F_EVENT_IDX),
	.offered_protocol_features = BIT(VRTC_VHU_GUARD_PROTOCOL_F_REPLY_ACK) |
				     BIT(VRTC_VHU_GUARD_PROTOCOL_F_MQ),
	.nb_queues = 2,
	.max_ring_size = 32768,
};

struct region {
	uint64_t gpa, size, uaddr, offset;
};

/* A memfd of @p size bytes, sealed against shrinking when @p seal. */
static int
memfd(uint64_t size, int seal)
{
	int fd = memfd_create("vhu_guard", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, (off_t)size) != 0)
		abort();
	if (seal && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)
		abort();
	return fd;
}

/* One message through the guard. */
static struct vrtc_vhu_decision
send_msg(struct vrtc_vhu_guard *g, uint32_t request, uint32_t flags, const void *payload,
	 uint32_t size, const int *fds, uint32_t nb_fds)
{
	struct vrtc_vhu_hdr h = { .request = request, .flags = VRTC_VHU_FLAG_VERSION | flags,
				  .size = size };
	struct vrtc_vhu_decision d;
	const char *why = NULL;

	if (vrtc_vhu_guard_header(g, &h, &why) != 0) {
		d.verdict = VRTC_VHU_DROP;
		d.reason = why;
		d.replies = 0;
		return d;
	}
	vrtc_vhu_guard_check(g, &h, payload, fds, nb_fds, 0, &d);
	return d;
}

static enum vrtc_vhu_verdict
msg_u64(struct vrtc_vhu_guard *g, uint32_t request, uint32_t flags, uint64_t v)
{
	return send_msg(g, request, flags, &v, sizeof(v), NULL, 0).verdict;
}

static enum vrtc_vhu_verdict
msg_state(struct vrtc_vhu_guard *g, uint32_t request, uint32_t flags, uint32_t index, uint32_t num)
{
	uint32_t p[2] = { index, num };

	return send_msg(g, request, flags, p, sizeof(p), NULL, 0).verdict;
}

static enum vrtc_vhu_verdict
msg_addr(struct vrtc_vhu_guard *g, uint32_t flags, uint32_t index, uint64_t desc,
	 uint64_t avail, uint64_t used)
{
	struct {
		uint32_t index, flags;
		uint64_t desc, used, avail, log;
	} a = { index, 0, desc, used, avail, 0 };

	return send_msg(g, 9, flags, &a, sizeof(a), NULL, 0).verdict;
}

static enum vrtc_vhu_verdict
msg_mem(struct vrtc_vhu_guard *g, uint32_t flags, const struct region *r, uint32_t n,
	const int *fds, uint32_t nb_fds)
{
	uint8_t p[8 + 9 * 32];
	uint32_t i;

	memset(p, 0, sizeof(p));
	memcpy(p, &n, sizeof(n));
	for (i = 0; i < n && i < 9; i++)
		memcpy(p + 8 + 32 * i, &r[i], 32);
	return send_msg(g, 5, flags, p, 8 + 32 * (n < 9 ? n : 9), fds, nb_fds).verdict;
}

static enum vrtc_vhu_verdict
msg_kick(struct vrtc_vhu_guard *g, uint32_t request, uint32_t flags, uint64_t v, int fd)
{
	return send_msg(g, request, flags, &v, sizeof(v), &fd, fd >= 0 ? 1 : 0).verdict;
}

/* A guard with features and REPLY_ACK negotiated and one sealed 1 MiB region. */
static int
setup(struct vrtc_vhu_guard *g, const struct vrtc_vhu_guard_config *cfg, uint64_t features)
{
	struct region r = { REGION_GPA, REGION_SIZE, REGION_UADDR, 0 };
	int fd = memfd(REGION_SIZE, 1);
	int ok;

	if (vrtc_vhu_guard_init(g, cfg) != 0)
		abort();
	ok = msg_u64(g, 2, 0, features) == VRTC_VHU_FORWARD &&
	     msg_u64(g, 16, 0, BIT(VRTC_VHU_GUARD_PROTOCOL_F_REPLY_ACK)) == VRTC_VHU_FORWARD &&
	     msg_mem(g, NEED, &r, 1, &fd, 1) == VRTC_VHU_FORWARD;
	close(fd);
	return ok;
}

/* Queue @p q set up with 256 entries at the start of the region, started. */
static int
start_queue(struct vrtc_vhu_guard *g, uint32_t q)
{
	uint64_t base = REGION_UADDR + q * 0x10000u;
	int kick = eventfd(0, EFD_CLOEXEC);
	int ok = msg_state(g, 8, NEED, q, 256) == VRTC_VHU_FORWARD &&
		 msg_state(g, 10, NEED, q, 0) == VRTC_VHU_FORWARD &&
		 msg_addr(g, NEED, q, base, base + 0x1000, base + 0x2000) == VRTC_VHU_FORWARD &&
		 msg_kick(g, 12, NEED, q, kick) == VRTC_VHU_FORWARD;

	close(kick);
	return ok;
}

static uint64_t
features(void)
{
	return BIT(F_VERSION_1) | BIT(F_PROTOCOL_FEATURES);
}

/* ---- cases ---------------------------------------------------------------- */

static void
config_checked(void)
{
	struct vrtc_vhu_guard g;
	struct vrtc_vhu_guard_config c = base_cfg;

	T_EQ_INT(vrtc_vhu_guard_init(&g, &c), 0);
	c.nb_queues = 0;
	T_EQ_INT(vrtc_vhu_guard_init(&g, &c), -EINVAL);
	c = base_cfg;
	c.max_ring_size = 65536;
	T_EQ_INT(vrtc_vhu_guard_init(&g, &c), -EINVAL);
	c = base_cfg;
	c.offered_protocol_features |= BIT(12); /* INFLIGHT_SHMFD */
	T_EQ_INT(vrtc_vhu_guard_init(&g, &c), -ENOTSUP);
	c = base_cfg;
	c.offered_features |= BIT(33); /* ACCESS_PLATFORM */
	T_EQ_INT(vrtc_vhu_guard_init(&g, &c), -ENOTSUP);
	c = base_cfg;
	c.offered_features &= ~BIT(F_PROTOCOL_FEATURES);
	T_EQ_INT(vrtc_vhu_guard_init(&g, &c), -EINVAL);
}

static void
header_checked(void)
{
	struct vrtc_vhu_guard g;
	struct vrtc_vhu_hdr h = { .request = 1, .flags = 1, .size = 0 };
	const char *why = NULL;

	T_EQ_INT(vrtc_vhu_guard_init(&g, &base_cfg), 0);
	T_EQ_INT(vrtc_vhu_guard_header(&g, &h, &why), 0);
	h.flags = 1 | NEED;
	T_EQ_INT(vrtc_vhu_guard_header(&g, &h, &why), 0);
	h.flags = 2;
	T_EQ_INT(vrtc_vhu_guard_header(&g, &h, &why), -EPROTO);
	h.flags = 1 | VRTC_VHU_FLAG_REPLY;
	T_EQ_INT(vrtc_vhu_guard_header(&g, &h, &why), -EPROTO);
	h.flags = 1 | 0x100;
	T_EQ_INT(vrtc_vhu_guard_header(&g, &h, &why), -EPROTO);
	h.flags = 1;
	h.size = VRTC_VHU_GUARD_MAX_PAYLOAD;
	T_EQ_INT(vrtc_vhu_guard_header(&g, &h, &why), 0);
	h.size = VRTC_VHU_GUARD_MAX_PAYLOAD + 1;
	T_EQ_INT(vrtc_vhu_guard_header(&g, &h, &why), -EPROTO);
	T_CHECK(why != NULL);
}

static void
sizes_exact(void)
{
	struct vrtc_vhu_guard g;
	uint8_t p[16] = { 0 };
	struct vrtc_vhu_decision d;

	T_CHECK(setup(&g, &base_cfg, features()));
	d = send_msg(&g, 1, 0, p, 0, NULL, 0);
	T_EQ(d.verdict, VRTC_VHU_FORWARD);
	T_EQ(d.replies, 1);
	/* GET_FEATURES with a payload: it has its own reply, so no NACK. */
	T_EQ(send_msg(&g, 1, NEED, p, 8, NULL, 0).verdict, VRTC_VHU_DROP);
	/* SET_FEATURES of 4 bytes: NACK when asked, else closed. */
	T_EQ(send_msg(&g, 2, NEED, p, 4, NULL, 0).verdict, VRTC_VHU_REFUSE);
	T_EQ(send_msg(&g, 2, 0, p, 4, NULL, 0).verdict, VRTC_VHU_DROP);
	T_EQ(send_msg(&g, 8, NEED, p, 12, NULL, 0).verdict, VRTC_VHU_REFUSE);
	T_EQ(send_msg(&g, 9, NEED, p, 16, NULL, 0).verdict, VRTC_VHU_REFUSE);
	T_EQ(send_msg(&g, 3, NEED, p, 0, NULL, 0).verdict, VRTC_VHU_FORWARD);
	T_EQ(send_msg(&g, 3, NEED, p, 8, NULL, 0).verdict, VRTC_VHU_REFUSE);
}

static void
not_negotiated_refused(void)
{
	struct vrtc_vhu_guard g;
	uint8_t p[64] = { 0 };
	static const uint32_t never[] = { 6, 7, 21, 24, 25, 28, 29, 30, 31, 32, 36, 37, 38, 99 };
	size_t i;

	T_CHECK(setup(&g, &base_cfg, features()));
	for (i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		T_EQ(send_msg(&g, never[i], NEED, p, 8, NULL, 0).verdict, VRTC_VHU_REFUSE);
		T_EQ(send_msg(&g, never[i], 0, p, 8, NULL, 0).verdict, VRTC_VHU_DROP);
	}
	/* MQ offered but not negotiated (setup took REPLY_ACK only). */
	T_EQ(send_msg(&g, 17, 0, p, 0, NULL, 0).verdict, VRTC_VHU_DROP);
	T_EQ(msg_u64(&g, 16, 0,
		     BIT(VRTC_VHU_GUARD_PROTOCOL_F_REPLY_ACK) | BIT(VRTC_VHU_GUARD_PROTOCOL_F_MQ)),
	     VRTC_VHU_FORWARD);
	T_EQ(send_msg(&g, 17, 0, p, 0, NULL, 0).verdict, VRTC_VHU_FORWARD);
	/* STATUS never offered. */
	T_EQ(msg_u64(&g, 39, NEED, 0xf), VRTC_VHU_REFUSE);
}

static void
protocol_features_offer(void)
{
	struct vrtc_vhu_guard g;
	struct vrtc_vhu_guard_config c = base_cfg;

	T_EQ_INT(vrtc_vhu_guard_init(&g, &base_cfg), 0);
	T_EQ(msg_u64(&g, 16, 0, BIT(VRTC_VHU_GUARD_PROTOCOL_F_STATUS)), VRTC_VHU_DROP);
	T_EQ(msg_u64(&g, 16, 0, BIT(VRTC_VHU_GUARD_PROTOCOL_F_REPLY_ACK)), VRTC_VHU_FORWARD);
	/* Without bit 30 offered there are no protocol-feature messages. */
	c.offered_features &= ~BIT(F_PROTOCOL_FEATURES);
	c.offered_protocol_features = 0;
	T_EQ_INT(vrtc_vhu_guard_init(&g, &c), 0);
	T_EQ(send_msg(&g, 15, 0, NULL, 0, NULL, 0).verdict, VRTC_VHU_DROP);
	T_EQ(msg_state(&g, 18, 0, 0, 1), VRTC_VHU_DROP);
}

static void
need_reply_without_reply_ack(void)
{
	struct vrtc_vhu_guard g;
	struct vrtc_vhu_hdr h = { .request = 2, .flags = 1 | NEED, .size = 8 };
	struct vrtc_vhu_decision d;
	uint64_t v = features();

	T_EQ_INT(vrtc_vhu_guard_init(&g, &base_cfg), 0);
	vrtc_vhu_guard_check(&g, &h, &v, NULL, 0, 0, &d);
	T_EQ(d.verdict, VRTC_VHU_FORWARD);
	T_EQ(d.replies, 0);
	T_EQ(h.flags, 1); /* cleared: no reply-ack negotiated */
	/* With REPLY_ACK the flag stays and one reply is expected. */
	v = BIT(VRTC_VHU_GUARD_PROTOCOL_F_REPLY_ACK);
	T_EQ(msg_u64(&g, 16, 0, v), VRTC_VHU_FORWARD);
	h.flags = 1 | NEED;
	v = features();
	vrtc_vhu_guard_check(&g, &h, &v, NULL, 0, 0, &d);
	T_EQ(d.verdict, VRTC_VHU_FORWARD);
	T_EQ(d.replies, 1);
	T_EQ(h.flags, 1 | NEED);
}

static void
set_features_checked(void)
{
	struct vrtc_vhu_guard g;

	T_CHECK(setup(&g, &base_cfg, features()));
	T_EQ(msg_u64(&g, 2, NEED, features() | BIT(F_EVENT_IDX)), VRTC_VHU_FORWARD);
	T_EQ(msg_u64(&g, 2, NEED, features() | BIT(0)), VRTC_VHU_REFUSE); /* not offered */
	T_EQ(msg_u64(&g, 2, NEED, features() | BIT(26)), VRTC_VHU_REFUSE); /* LOG_ALL */
	T_EQ(msg_u64(&g, 2, NEED, features()), VRTC_VHU_FORWARD);
	T_CHECK(start_queue(&g, 0));
	/* EVENT_IDX toggled on a live device. */
	T_EQ(msg_u64(&g, 2, NEED, features() | BIT(F_EVENT_IDX)), VRTC_VHU_REFUSE);
	T_EQ(msg_u64(&g, 2, 0, features() | BIT(F_EVENT_IDX)), VRTC_VHU_DROP);
	/* The same value again is harmless. */
	T_EQ(msg_u64(&g, 2, NEED, features()), VRTC_VHU_FORWARD);
	T_EQ(msg_u64(&g, 16, NEED, 0), VRTC_VHU_REFUSE); /* protocol features change, live */
	/* After the ring stopped, the features may change. */
	T_EQ(msg_state(&g, 11, 0, 0, 0), VRTC_VHU_FORWARD);
	T_EQ(msg_u64(&g, 2, NEED, features() | BIT(F_EVENT_IDX)), VRTC_VHU_FORWARD);
}

static void
fds_counted(void)
{
	struct vrtc_vhu_guard g;
	struct vrtc_vhu_hdr h = { .request = 2, .flags = 1 | NEED, .size = 8 };
	struct vrtc_vhu_decision d;
	uint64_t v = features();
	int e = eventfd(0, EFD_CLOEXEC);

	T_CHECK(setup(&g, &base_cfg, features()));
	/* An fd with a message that takes none. */
	T_EQ(send_msg(&g, 2, NEED, &v, 8, &e, 1).verdict, VRTC_VHU_REFUSE);
	T_EQ(send_msg(&g, 1, 0, NULL, 0, &e, 1).verdict, VRTC_VHU_DROP);
	T_EQ(send_msg(&g, 2, NEED, &v, 8, NULL, 0).verdict, VRTC_VHU_FORWARD);
	/* More fds arrived than the caller keeps. */
	vrtc_vhu_guard_check(&g, &h, &v, NULL, 0, 1, &d);
	T_EQ(d.verdict, VRTC_VHU_REFUSE);
	close(e);
}

static void
mem_table_checked(void)
{
	struct vrtc_vhu_guard g;
	struct region r[9], ok = { REGION_GPA, REGION_SIZE, REGION_UADDR, 0 };
	int fds[9], i, unsealed = memfd(REGION_SIZE, 0), e = eventfd(0, EFD_CLOEXEC);

	for (i = 0; i < 9; i++) {
		fds[i] = memfd(REGION_SIZE, 1);
		r[i] = (struct region){ REGION_GPA + (uint64_t)i * REGION_SIZE, REGION_SIZE,
					REGION_UADDR + (uint64_t)i * REGION_SIZE, 0 };
	}
	T_CHECK(setup(&g, &base_cfg, features()));
	T_EQ(msg_mem(&g, NEED, &ok, 1, fds, 1), VRTC_VHU_FORWARD);
	T_EQ(msg_mem(&g, NEED, r, 8, fds, 8), VRTC_VHU_FORWARD);
	T_EQ(msg_mem(&g, NEED, r, 9, fds, 9), VRTC_VHU_REFUSE); /* > 8 regions */
	T_EQ(msg_mem(&g, NEED, r, 0, fds, 0), VRTC_VHU_REFUSE); /* none */
	T_EQ(msg_mem(&g, NEED, r, 2, fds, 1), VRTC_VHU_REFUSE); /* fd missing */
	T_EQ(msg_mem(&g, NEED, r, 1, fds, 2), VRTC_VHU_REFUSE); /* fd extra */
	/* The count says 2, the payload holds 1. */
	{
		uint8_t p[8 + 32];
		uint32_t n = 2;

		memcpy(p, &n, 4);
		memset(p + 4, 0, 4);
		memcpy(p + 8, &ok, 32);
		T_EQ(send_msg(&g, 5, NEED, p, sizeof(p), fds, 2).verdict, VRTC_VHU_REFUSE);
	}
	r[0] = ok;
	r[0].size = 0;
	T_EQ(msg_mem(&g, NEED, r, 1, fds, 1), VRTC_VHU_REFUSE); /* size 0 */
	r[0] = ok;
	r[0].gpa = UINT64_MAX - 0x1000;
	T_EQ(msg_mem(&g, NEED, r, 1, fds, 1), VRTC_VHU_REFUSE); /* gpa + size wraps */
	r[0] = ok;
	r[0].uaddr = UINT64_MAX - 0x1000;
	T_EQ(msg_mem(&g, NEED, r, 1, fds, 1), VRTC_VHU_REFUSE); /* uaddr + size wraps */
	r[0] = ok;
	r[0].offset = UINT64_MAX - 0x1000;
	T_EQ(msg_mem(&g, NEED, r, 1, fds, 1), VRTC_VHU_REFUSE); /* offset + size wraps */
	r[0] = ok;
	r[0].offset = 0x1000; /* past the end of the 1 MiB fd */
	T_EQ(msg_mem(&g, NEED, r, 1, fds, 1), VRTC_VHU_REFUSE);
	r[0].size = REGION_SIZE - 0x1000; /* the rest of it: fine */
	T_EQ(msg_mem(&g, NEED, r, 1, fds, 1), VRTC_VHU_FORWARD);
	/* Overlaps. */
	r[0] = ok;
	r[1] = ok;
	r[1].uaddr += REGION_SIZE;
	r[1].gpa += REGION_SIZE / 2;
	T_EQ(msg_mem(&g, NEED, r, 2, fds, 2), VRTC_VHU_REFUSE);
	r[1] = ok;
	r[1].gpa += REGION_SIZE;
	r[1].uaddr += REGION_SIZE - 1;
	T_EQ(msg_mem(&g, NEED, r, 2, fds, 2), VRTC_VHU_REFUSE);
	r[1].uaddr += 1; /* adjacent is fine */
	T_EQ(msg_mem(&g, NEED, r, 2, fds, 2), VRTC_VHU_FORWARD);
	/* Unsealed memory, and a non-file fd. */
	T_EQ(msg_mem(&g, NEED, &ok, 1, &unsealed, 1), VRTC_VHU_REFUSE);
	T_EQ(msg_mem(&g, 0, &ok, 1, &unsealed, 1), VRTC_VHU_DROP);
	T_EQ(msg_mem(&g, NEED, &ok, 1, &e, 1), VRTC_VHU_REFUSE);
	{
		struct vrtc_vhu_guard_config c = base_cfg;

		c.allow_unsealed = 1;
		T_CHECK(setup(&g, &c, features()));
		T_EQ(msg_mem(&g, NEED, &ok, 1, &unsealed, 1), VRTC_VHU_FORWARD);
		/* Even so the fd must hold the region. */
		T_CHECK(ftruncate(unsealed, REGION_SIZE / 2) == 0);
		T_EQ(msg_mem(&g, NEED, &ok, 1, &unsealed, 1), VRTC_VHU_REFUSE);
	}
	for (i = 0; i < 9; i++)
		close(fds[i]);
	close(unsealed);
	close(e);
}

/* Guest memory is mapped shared and writable: a read-only fd, or one
 * sealed against writing, is refused before the back-end fails to map it. */
static void
memory_must_be_writable(void)
{
	struct vrtc_vhu_guard g;
	struct region r = { REGION_GPA, REGION_SIZE, REGION_UADDR, 0 };
	int fd = memfd(REGION_SIZE, 1), wsealed = memfd(REGION_SIZE, 1), ro;
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	T_CHECK(ro >= 0);
	T_CHECK(fcntl(wsealed, F_ADD_SEALS, F_SEAL_WRITE) == 0);
	T_CHECK(setup(&g, &base_cfg, features()));
	T_EQ(msg_mem(&g, NEED, &r, 1, &fd, 1), VRTC_VHU_FORWARD);
	T_EQ(msg_mem(&g, NEED, &r, 1, &ro, 1), VRTC_VHU_REFUSE);
	T_EQ(msg_mem(&g, NEED, &r, 1, &wsealed, 1), VRTC_VHU_REFUSE);
	close(fd);
	close(ro);
	close(wsealed);
}

static void
sealed_memory_cannot_shrink(void)
{
	struct vrtc_vhu_guard g;
	struct region r = { REGION_GPA, REGION_SIZE, REGION_UADDR, 0 };
	int fd = memfd(REGION_SIZE, 1);

	/* Accepted because sealed; the seal cannot be removed, so the
	 * front-end cannot shrink the memory after the check. */
	T_CHECK(setup(&g, &base_cfg, features()));
	T_EQ(msg_mem(&g, NEED, &r, 1, &fd, 1), VRTC_VHU_FORWARD);
	T_CHECK(ftruncate(fd, REGION_SIZE / 2) != 0 && errno == EPERM);
	T_CHECK(fcntl(fd, F_GET_SEALS) & F_SEAL_SHRINK);
	close(fd);
}

static void
ring_num_checked(void)
{
	struct vrtc_vhu_guard g;
	struct vrtc_vhu_guard_config c = base_cfg;

	c.max_ring_size = 1024;
	T_CHECK(setup(&g, &c, features()));
	T_EQ(msg_state(&g, 8, NEED, 0, 256), VRTC_VHU_FORWARD);
	T_EQ(msg_state(&g, 8, NEED, 0, 1), VRTC_VHU_FORWARD);
	T_EQ(msg_state(&g, 8, NEED, 0, 1024), VRTC_VHU_FORWARD);
	T_EQ(msg_state(&g, 8, NEED, 0, 0), VRTC_VHU_REFUSE);
	T_EQ(msg_state(&g, 8, NEED, 0, 100), VRTC_VHU_REFUSE);
	T_EQ(msg_state(&g, 8, NEED, 0, 2048), VRTC_VHU_REFUSE);  /* above the max */
	T_EQ(msg_state(&g, 8, NEED, 0, 65536), VRTC_VHU_REFUSE); /* above the spec */
	T_EQ(msg_state(&g, 8, NEED, 1, 256), VRTC_VHU_FORWARD);
	T_EQ(msg_state(&g, 8, NEED, 2, 256), VRTC_VHU_REFUSE); /* 2 queues only */
	T_EQ(msg_state(&g, 8, NEED, 0xffffffffu, 256), VRTC_VHU_REFUSE);
	/* Packed rings need not be powers of two. */
	c.offered_features |= BIT(F_RING_PACKED);
	T_CHECK(setup(&g, &c, features() | BIT(F_RING_PACKED)));
	T_EQ(msg_state(&g, 8, NEED, 0, 100), VRTC_VHU_FORWARD);
	T_EQ(msg_state(&g, 10, NEED, 0, 99), VRTC_VHU_FORWARD);
	T_EQ(msg_state(&g, 10, NEED, 0, 100), VRTC_VHU_REFUSE); /* base outside the ring */
	T_EQ(msg_state(&g, 10, NEED, 0, 0x8000 | 99), VRTC_VHU_FORWARD);
	/* QEMU's packed base: the used index and its wrap counter in the
	 * upper half (a fresh ring: 0x80008000); the used index is checked
	 * against the ring too. */
	T_EQ(msg_state(&g, 10, NEED, 0, 0x80008000u), VRTC_VHU_FORWARD);
	T_EQ(msg_state(&g, 10, NEED, 0, (99u << 16) | 0x80008000u | 99), VRTC_VHU_FORWARD);
	T_EQ(msg_state(&g, 10, NEED, 0, (100u << 16) | 0x80008000u), VRTC_VHU_REFUSE);
	T_EQ(msg_state(&g, 10, NEED, 0, 0x7fff0000u), VRTC_VHU_REFUSE);
}

static void
ring_base_and_enable(void)
{
	struct vrtc_vhu_guard g;

	T_CHECK(setup(&g, &base_cfg, features()));
	T_EQ(msg_state(&g, 10, NEED, 0, 0xffff), VRTC_VHU_FORWARD);
	T_EQ(msg_state(&g, 10, NEED, 0, 0x10000), VRTC_VHU_REFUSE);
	T_EQ(msg_state(&g, 10, NEED, 5, 0), VRTC_VHU_REFUSE);
	T_EQ(msg_state(&g, 18, NEED, 0, 1), VRTC_VHU_FORWARD);
	T_EQ(msg_state(&g, 18, NEED, 0, 2), VRTC_VHU_REFUSE);
	T_EQ(msg_state(&g, 18, NEED, 2, 1), VRTC_VHU_REFUSE);
	T_EQ(msg_state(&g, 11, 0, 0, 0), VRTC_VHU_FORWARD);
	T_EQ(msg_state(&g, 11, 0, 7, 0), VRTC_VHU_DROP); /* GET_* cannot be NACKed */
}

static void
ring_placement(void)
{
	struct vrtc_vhu_guard g;
	const uint64_t end = REGION_UADDR + REGION_SIZE;
	struct vrtc_vhu_guard fresh;

	T_CHECK(setup(&g, &base_cfg, features()));
	T_EQ(msg_state(&g, 8, NEED, 0, 256), VRTC_VHU_FORWARD);
	/* desc 4096, avail 518, used 2054 bytes: exactly at the end fits. */
	T_EQ(msg_addr(&g, NEED, 0, end - 4096, end - 8192, end - 2056), VRTC_VHU_FORWARD);
	T_EQ(msg_addr(&g, NEED, 0, end - 4080, end - 8192, end - 12288), VRTC_VHU_REFUSE);
	T_EQ(msg_addr(&g, NEED, 0, end - 8192, end - 516, end - 12288), VRTC_VHU_REFUSE);
	T_EQ(msg_addr(&g, NEED, 0, end - 8192, end - 4096, end - 2052), VRTC_VHU_REFUSE);
	/* Before the region, and unaligned. */
	T_EQ(msg_addr(&g, NEED, 0, REGION_UADDR - 16, end - 4096, end - 8192), VRTC_VHU_REFUSE);
	T_EQ(msg_addr(&g, NEED, 0, REGION_UADDR + 8, end - 4096, end - 8192), VRTC_VHU_REFUSE);
	T_EQ(msg_addr(&g, NEED, 0, REGION_UADDR, end - 4095, end - 8192), VRTC_VHU_REFUSE);
	T_EQ(msg_addr(&g, NEED, 0, REGION_UADDR, end - 4096, end - 8190), VRTC_VHU_REFUSE);
	/* Guest-physical addresses are not user addresses. */
	T_EQ(msg_addr(&g, NEED, 0, REGION_GPA, REGION_GPA + 4096, REGION_GPA + 8192),
	     VRTC_VHU_REFUSE);
	/* Rings in the last 12 KiB at 256 entries, then SET_VRING_NUM 32768
	 * (issue 9 "Found" 2): refused, the size stays 256. */
	T_EQ(msg_addr(&g, NEED, 0, end - 12288, end - 8192, end - 4096), VRTC_VHU_FORWARD);
	T_EQ(msg_state(&g, 8, NEED, 0, 32768), VRTC_VHU_REFUSE);
	T_EQ(msg_state(&g, 8, NEED, 0, 512), VRTC_VHU_REFUSE);
	T_EQ(msg_state(&g, 8, NEED, 0, 128), VRTC_VHU_FORWARD);
	/* No addresses before a memory table. */
	T_EQ_INT(vrtc_vhu_guard_init(&fresh, &base_cfg), 0);
	T_EQ(msg_addr(&fresh, 0, 0, REGION_UADDR, REGION_UADDR + 4096, REGION_UADDR + 8192),
	     VRTC_VHU_DROP);
	/* Logging flag: never. */
	{
		struct {
			uint32_t index, flags;
			uint64_t desc, used, avail, log;
		} a = { 0, 1, REGION_UADDR, REGION_UADDR + 8192, REGION_UADDR + 4096, 0 };

		T_EQ(send_msg(&g, 9, NEED, &a, sizeof(a), NULL, 0).verdict, VRTC_VHU_REFUSE);
	}
}

static void
event_idx_sizes(void)
{
	struct vrtc_vhu_guard g;
	const uint64_t end = REGION_UADDR + REGION_SIZE;
	int kick = eventfd(0, EFD_CLOEXEC);

	/* Avail ring (518 bytes at 256) ends exactly at the region's end: fits
	 * without EVENT_IDX, not with it (+2 bytes of used_event). */
	T_CHECK(setup(&g, &base_cfg, features()));
	T_EQ(msg_state(&g, 8, NEED, 0, 256), VRTC_VHU_FORWARD);
	T_EQ(msg_addr(&g, NEED, 0, REGION_UADDR, end - 518, REGION_UADDR + 8192),
	     VRTC_VHU_FORWARD);
	T_EQ(msg_kick(&g, 12, NEED, 0, kick), VRTC_VHU_FORWARD);
	T_CHECK(setup(&g, &base_cfg, features() | BIT(F_EVENT_IDX)));
	T_EQ(msg_state(&g, 8, NEED, 0, 256), VRTC_VHU_FORWARD);
	T_EQ(msg_addr(&g, NEED, 0, REGION_UADDR, end - 518, REGION_UADDR + 8192),
	     VRTC_VHU_REFUSE);
	/* Set up before EVENT_IDX was negotiated, started after: caught at the kick. */
	T_CHECK(setup(&g, &base_cfg, features()));
	T_EQ(msg_state(&g, 8, NEED, 0, 256), VRTC_VHU_FORWARD);
	T_EQ(msg_addr(&g, NEED, 0, REGION_UADDR, end - 518, REGION_UADDR + 8192),
	     VRTC_VHU_FORWARD);
	T_EQ(msg_u64(&g, 2, NEED, features() | BIT(F_EVENT_IDX)), VRTC_VHU_FORWARD);
	T_EQ(msg_kick(&g, 12, NEED, 0, kick), VRTC_VHU_DROP);
	close(kick);
}

static void
live_ring_frozen(void)
{
	struct vrtc_vhu_guard g;
	const uint64_t base = REGION_UADDR;

	T_CHECK(setup(&g, &base_cfg, features()));
	T_CHECK(start_queue(&g, 0));
	T_EQ(msg_state(&g, 8, NEED, 0, 128), VRTC_VHU_REFUSE);
	T_EQ(msg_state(&g, 8, 0, 0, 32768), VRTC_VHU_DROP);
	T_EQ(msg_state(&g, 10, NEED, 0, 5), VRTC_VHU_REFUSE);
	T_EQ(msg_addr(&g, NEED, 0, base, base + 0x1000, base + 0x2000), VRTC_VHU_REFUSE);
	/* Queue 1 is not started: it can be set up meanwhile. */
	T_EQ(msg_state(&g, 8, NEED, 1, 128), VRTC_VHU_FORWARD);
	/* GET_VRING_BASE stops queue 0; then it can be changed. */
	T_EQ(send_msg(&g, 11, 0, (uint32_t[2]){ 0, 0 }, 8, NULL, 0).replies, 1);
	T_EQ(msg_state(&g, 8, NEED, 0, 128), VRTC_VHU_FORWARD);
	T_EQ(msg_addr(&g, NEED, 0, base + 0x4000, base + 0x5000, base + 0x6000),
	     VRTC_VHU_FORWARD);
}

static void
kick_checked(void)
{
	struct vrtc_vhu_guard g;
	int e = eventfd(0, EFD_CLOEXEC), pfd[2];
	const uint64_t base = REGION_UADDR;

	T_CHECK(pipe2(pfd, O_CLOEXEC) == 0);
	T_CHECK(setup(&g, &base_cfg, features()));
	/* Before the ring is set up. */
	T_EQ(msg_kick(&g, 12, NEED, 0, e), VRTC_VHU_REFUSE);
	T_EQ(msg_state(&g, 8, NEED, 0, 256), VRTC_VHU_FORWARD);
	T_EQ(msg_kick(&g, 12, NEED, 0, e), VRTC_VHU_REFUSE);
	T_EQ(msg_addr(&g, NEED, 0, base, base + 0x1000, base + 0x2000), VRTC_VHU_FORWARD);
	/* fd count against the NOFD bit. */
	T_EQ(msg_kick(&g, 12, NEED, 0, -1), VRTC_VHU_REFUSE);
	T_EQ(msg_kick(&g, 12, NEED, 0x100, e), VRTC_VHU_REFUSE);
	/* A pipe or a file is not a notifier. */
	T_EQ(msg_kick(&g, 13, NEED, 0, pfd[1]), VRTC_VHU_REFUSE);
	T_EQ(msg_kick(&g, 14, NEED, 0, pfd[0]), VRTC_VHU_REFUSE);
	/* Unknown bits and queue indexes. */
	T_EQ(msg_kick(&g, 13, NEED, 0x200, e), VRTC_VHU_REFUSE);
	T_EQ(msg_kick(&g, 13, NEED, 2, e), VRTC_VHU_REFUSE);
	T_EQ(msg_kick(&g, 13, NEED, 0, e), VRTC_VHU_FORWARD);
	T_EQ(msg_kick(&g, 14, NEED, 0x100, -1), VRTC_VHU_FORWARD);
	T_EQ(msg_kick(&g, 12, NEED, 0x100, -1), VRTC_VHU_FORWARD); /* polling mode */
	T_EQ(msg_kick(&g, 12, NEED, 0, e), VRTC_VHU_FORWARD);
	close(e);
	close(pfd[0]);
	close(pfd[1]);
}

static void
mem_table_on_live_device(void)
{
	struct vrtc_vhu_guard g;
	struct region small = { REGION_GPA, 0x10000, REGION_UADDR, 0 };
	struct region other = { REGION_GPA, REGION_SIZE, REGION_UADDR + REGION_SIZE, 0 };
	struct region same = { REGION_GPA, REGION_SIZE, REGION_UADDR, 0 };
	int fd = memfd(REGION_SIZE, 1);

	T_CHECK(setup(&g, &base_cfg, features()));
	T_CHECK(start_queue(&g, 1)); /* rings at +0x10000.. */
	/* A table that still holds the rings: hotplug is fine. */
	T_EQ(msg_mem(&g, NEED, &same, 1, &fd, 1), VRTC_VHU_FORWARD);
	/* One that leaves them out: the connection ends. */
	T_EQ(msg_mem(&g, NEED, &small, 1, &fd, 1), VRTC_VHU_DROP);
	T_EQ(msg_mem(&g, NEED, &other, 1, &fd, 1), VRTC_VHU_DROP);
	/* Stopped first, the table may move. */
	T_EQ(msg_state(&g, 11, 0, 1, 0), VRTC_VHU_FORWARD);
	T_EQ(msg_mem(&g, NEED, &other, 1, &fd, 1), VRTC_VHU_FORWARD);
	/* But the ring cannot start outside it. */
	{
		int e = eventfd(0, EFD_CLOEXEC);

		T_EQ(msg_kick(&g, 12, NEED, 1, e), VRTC_VHU_DROP);
		T_EQ(msg_state(&g, 18, NEED, 1, 1), VRTC_VHU_DROP);
		T_EQ(msg_state(&g, 18, NEED, 1, 0), VRTC_VHU_FORWARD);
		close(e);
	}
	close(fd);
}

static void
status_checked(void)
{
	struct vrtc_vhu_guard g;
	struct vrtc_vhu_guard_config c = base_cfg;
	struct vrtc_vhu_decision d;

	c.offered_protocol_features |= BIT(VRTC_VHU_GUARD_PROTOCOL_F_STATUS);
	T_EQ_INT(vrtc_vhu_guard_init(&g, &c), 0);
	/* Offered but not negotiated yet. */
	T_EQ(msg_u64(&g, 39, 0, 0xf), VRTC_VHU_DROP);
	T_EQ(msg_u64(&g, 16, 0,
		     BIT(VRTC_VHU_GUARD_PROTOCOL_F_REPLY_ACK) |
			     BIT(VRTC_VHU_GUARD_PROTOCOL_F_STATUS)),
	     VRTC_VHU_FORWARD);
	T_EQ(msg_u64(&g, 39, NEED, 0xf), VRTC_VHU_FORWARD);
	T_EQ(msg_u64(&g, 39, NEED, 0x100), VRTC_VHU_REFUSE);
	d = send_msg(&g, 40, 0, NULL, 0, NULL, 0);
	T_EQ(d.verdict, VRTC_VHU_FORWARD);
	T_EQ(d.replies, 1);
	T_EQ(send_msg(&g, 40, 0, NULL, 8, NULL, 0).verdict, VRTC_VHU_DROP);
}

static void
reset_owner_absorbed(void)
{
	struct vrtc_vhu_guard g;
	struct vrtc_vhu_decision d;

	T_CHECK(setup(&g, &base_cfg, features()));
	T_CHECK(start_queue(&g, 0));
	d = send_msg(&g, 4, NEED, NULL, 0, NULL, 0);
	T_EQ(d.verdict, VRTC_VHU_ANSWER);
	T_CHECK(d.reason != NULL);
	/* Nothing changed: the ring is still in use. */
	T_EQ(msg_state(&g, 8, NEED, 0, 128), VRTC_VHU_REFUSE);
	T_EQ(send_msg(&g, 4, NEED, NULL, 8, NULL, 0).verdict, VRTC_VHU_REFUSE);
}

static void
replies_checked(void)
{
	struct vrtc_vhu_guard g;
	struct vrtc_vhu_hdr h = { .request = 1, .flags = 5, .size = 8 };
	uint64_t v = 0;
	const char *why = NULL;
	uint8_t buf[VRTC_VHU_HDR_SIZE + 8];

	T_EQ_INT(vrtc_vhu_guard_init(&g, &base_cfg), 0);
	v = base_cfg.offered_features;
	T_EQ_INT(vrtc_vhu_guard_reply(&g, 1, &h, &v, 0, &why), 0);
	T_EQ_INT(vrtc_vhu_guard_reply(&g, 2, &h, &v, 0, &why), -EPROTO);
	T_EQ_INT(vrtc_vhu_guard_reply(&g, 1, &h, &v, 1, &why), -EPROTO);
	h.flags = 1;
	T_EQ_INT(vrtc_vhu_guard_reply(&g, 1, &h, &v, 0, &why), -EPROTO);
	h.flags = 5;
	h.size = 16;
	T_EQ_INT(vrtc_vhu_guard_reply(&g, 1, &h, &v, 0, &why), -EPROTO);
	/* A reply-ack: 0 relayed, non-zero relayed then the connection ends. */
	h.request = 5;
	h.size = 8;
	v = 0;
	T_EQ_INT(vrtc_vhu_guard_reply(&g, 5, &h, &v, 0, &why), 0);
	v = 1;
	T_EQ_INT(vrtc_vhu_guard_reply(&g, 5, &h, &v, 0, &why), 1);
	/* A GET_FEATURES answer is a value, not a failure; it must be the
	 * offer the guard was configured with. */
	h.request = 1;
	T_EQ_INT(vrtc_vhu_guard_reply(&g, 1, &h, &v, 0, &why), -EPROTO);
	v = base_cfg.offered_features;
	T_EQ_INT(vrtc_vhu_guard_reply(&g, 1, &h, &v, 0, &why), 0);
	h.request = 15;
	T_EQ_INT(vrtc_vhu_guard_reply(&g, 15, &h, &v, 0, &why), -EPROTO);
	v = base_cfg.offered_protocol_features;
	T_EQ_INT(vrtc_vhu_guard_reply(&g, 15, &h, &v, 0, &why), 0);
	T_EQ(vrtc_vhu_guard_make_ack(buf, 8, 1), sizeof(buf));
	memcpy(&h, buf, sizeof(h));
	memcpy(&v, buf + sizeof(h), sizeof(v));
	T_EQ(h.request, 8);
	T_EQ(h.flags, 5);
	T_EQ(h.size, 8);
	T_EQ(v, 1);
}

static void
names(void)
{
	T_CHECK(strcmp(vrtc_vhu_guard_request_name(5), "SET_MEM_TABLE") == 0);
	T_CHECK(strcmp(vrtc_vhu_guard_request_name(31), "GET_INFLIGHT_FD") == 0);
	T_CHECK(strcmp(vrtc_vhu_guard_request_name(1000), "?") == 0);
}

static const struct t_case cases[] = {
	T_CASE(config_checked),
	T_CASE(header_checked),
	T_CASE(sizes_exact),
	T_CASE(not_negotiated_refused),
	T_CASE(protocol_features_offer),
	T_CASE(need_reply_without_reply_ack),
	T_CASE(set_features_checked),
	T_CASE(fds_counted),
	T_CASE(mem_table_checked),
	T_CASE(sealed_memory_cannot_shrink),
	T_CASE(memory_must_be_writable),
	T_CASE(ring_num_checked),
	T_CASE(ring_base_and_enable),
	T_CASE(ring_placement),
	T_CASE(event_idx_sizes),
	T_CASE(live_ring_frozen),
	T_CASE(kick_checked),
	T_CASE(mem_table_on_live_device),
	T_CASE(status_checked),
	T_CASE(reset_owner_absorbed),
	T_CASE(replies_checked),
	T_CASE(names),
};

T_MAIN(cases)
