/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The vhost-user front door between a test front-end and a fake back-end
 * listening on the private path, both in this process, over real UNIX
 * sockets: forwarding with fds, refusals, bounded waits, the second
 * connection, the socket file policy, shutdown. Bounds are generous (the
 * machine is shared); no timing target is asserted.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "frontdoor.h"
#include "log.h"
#include "test.h"
#include "vhu_guard.h"

#define BIT(n) (UINT64_C(1) << (n))
#define OFFERED (BIT(32) | BIT(30))
#define WAIT_MS 5000 /* bound on anything the test waits for */

static char dir[64];
static char pub[128], priv[128];

/* ---- events and log lines --------------------------------------------------- */

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int ev_count[4];
static char ev_last_reason[4][160];
static unsigned int log_lines, log_suppressed_lines;

static unsigned int stats_in_callback;

static void
on_event(void *arg, const char *device, enum vrtc_frontdoor_event ev, const char *reason)
{
	struct vrtc_frontdoor *const *door_of = arg;
	struct vrtc_frontdoor_stats st;

	/* No lock of the door is held: calling back into it is allowed. */
	if (*door_of != NULL && vrtc_frontdoor_get_stats(*door_of, device, &st) == 0) {
		pthread_mutex_lock(&ev_lock);
		stats_in_callback++;
		pthread_mutex_unlock(&ev_lock);
	}
	pthread_mutex_lock(&ev_lock);
	ev_count[ev]++;
	snprintf(ev_last_reason[ev], sizeof(ev_last_reason[ev]), "%s", reason);
	pthread_mutex_unlock(&ev_lock);
}

static void
log_sink(enum vrtc_log_component comp, enum vrtc_log_level level, const char *msg)
{
	if (comp == VRTC_LOGC_FRONTDOOR) {
		pthread_mutex_lock(&ev_lock);
		log_lines++;
		if (strstr(msg, "suppressed") != NULL)
			log_suppressed_lines++;
		pthread_mutex_unlock(&ev_lock);
	}
	if (level <= VRTC_LOG_WARNING)
		fprintf(stderr, "  [log] %s\n", msg);
}

__attribute__((constructor)) static void
install_sink(void)
{
	vrtc_log_set_sink(log_sink);
}

static unsigned int
events(enum vrtc_frontdoor_event ev)
{
	unsigned int n;

	pthread_mutex_lock(&ev_lock);
	n = ev_count[ev];
	pthread_mutex_unlock(&ev_lock);
	return n;
}

/* Whether the last reason given for @p ev contains @p word, within the
 * bound (events are reported after the door's lock is released: a peer may
 * see its EOF first). */
static int
last_reason_has(enum vrtc_frontdoor_event ev, const char *word)
{
	int has = 0, i;

	for (i = 0; i < 500 && !has; i++) {
		pthread_mutex_lock(&ev_lock);
		has = strstr(ev_last_reason[ev], word) != NULL;
		pthread_mutex_unlock(&ev_lock);
		if (!has)
			usleep(10000);
	}
	return has;
}

/* Whether @p ev has been reported at least @p n times, within the bound. */
static int
events_reach(enum vrtc_frontdoor_event ev, unsigned int n)
{
	unsigned int got = 0;
	int i;

	for (i = 0; i < 500; i++) {
		pthread_mutex_lock(&ev_lock);
		got = ev_count[ev];
		pthread_mutex_unlock(&ev_lock);
		if (got >= n)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* ---- helpers ------------------------------------------------------------------ */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the DIR's own */
}

static void
make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vrtc-frontdoor-XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(pub, sizeof(pub), "%s/pub.sock", dir);
	snprintf(priv, sizeof(priv), "%s/priv.sock", dir);
}

static void
clean_dir(void)
{
	unlink(pub);
	unlink(priv);
	rmdir(dir);
}

static int
listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(s, 8) != 0)
		abort();
	return s;
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (s < 0)
		abort();
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(s);
		return -1;
	}
	return s;
}

static int
wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, ms) == 1;
}

static int
accept_within(int ls, int ms)
{
	if (!wait_fd(ls, POLLIN, ms))
		return -1;
	return accept4(ls, NULL, NULL, SOCK_CLOEXEC);
}

static int
send_msg(int s, uint32_t request, uint32_t flags, const void *payload, uint32_t size,
	 const int *fds, uint32_t nb_fds)
{
	struct vrtc_vhu_hdr h = { request, VRTC_VHU_FLAG_VERSION | flags, size };
	uint8_t buf[VRTC_VHU_HDR_SIZE + 512];
	union {
		char b[CMSG_SPACE(sizeof(int) * 32)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { buf, VRTC_VHU_HDR_SIZE + size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	memcpy(buf, &h, sizeof(h));
	if (size != 0)
		memcpy(buf + sizeof(h), payload, size);
	if (nb_fds != 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nb_fds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nb_fds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nb_fds);
	}
	return sendmsg(s, &mh, MSG_NOSIGNAL) == (ssize_t)iov.iov_len ? 0 : -1;
}

static int
send_u64(int s, uint32_t request, uint32_t flags, uint64_t v)
{
	return send_msg(s, request, flags, &v, sizeof(v), NULL, 0);
}

/* Read one message (header and payload) within the bound; fds into @p fds.
 * @return 0, 1 on EOF, -1 on a timeout or error. */
static int
recv_msg(int s, struct vrtc_vhu_hdr *h, void *payload, int *fds, uint32_t *nb_fds)
{
	uint8_t buf[VRTC_VHU_HDR_SIZE + 512];
	size_t have = 0, want = VRTC_VHU_HDR_SIZE;

	if (nb_fds != NULL)
		*nb_fds = 0;
	while (have < want) {
		union {
			char b[CMSG_SPACE(sizeof(int) * 16)];
			struct cmsghdr align;
		} u;
		struct iovec iov = { buf + have, want - have };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
				     .msg_controllen = sizeof(u.b) };
		struct cmsghdr *cm;
		ssize_t n;

		if (!wait_fd(s, POLLIN, WAIT_MS))
			return -1;
		n = recvmsg(s, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n == 0)
			return 1;
		if (n < 0)
			return errno == ECONNRESET ? 1 : -1;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
			size_t i, k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (i = 0; i < k; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				if (fds != NULL && nb_fds != NULL && *nb_fds < 8)
					fds[(*nb_fds)++] = fd;
				else
					close(fd);
			}
		}
		have += (size_t)n;
		if (have == VRTC_VHU_HDR_SIZE) {
			memcpy(h, buf, sizeof(*h));
			if (h->size > 512)
				return -1;
			want += h->size;
		}
	}
	memcpy(h, buf, sizeof(*h));
	if (payload != NULL)
		memcpy(payload, buf + VRTC_VHU_HDR_SIZE, h->size);
	return 0;
}

/* Whether the peer closed @p s within the bound (data before EOF is skipped). */
static int
sees_eof(int s)
{
	char b[256];
	uint64_t end = now_ms() + WAIT_MS;

	while (now_ms() < end) {
		ssize_t n;

		if (!wait_fd(s, POLLIN, WAIT_MS))
			return 0;
		n = recv(s, b, sizeof(b), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return 1;
		if (n < 0 && errno != EAGAIN)
			return 0;
	}
	return 0;
}

static void
send_reply(int s, uint32_t request, uint64_t v)
{
	struct vrtc_vhu_hdr h = { request, VRTC_VHU_FLAG_VERSION | VRTC_VHU_FLAG_REPLY, 8 };
	uint8_t buf[20];

	memcpy(buf, &h, 12);
	memcpy(buf + 12, &v, 8);
	if (send(s, buf, sizeof(buf), MSG_NOSIGNAL) != (ssize_t)sizeof(buf))
		abort();
}

static struct vrtc_frontdoor_device_params
params(void)
{
	struct vrtc_frontdoor_device_params p = {
		.name = "dev0",
		.public_path = pub,
		.private_path = priv,
		.uid = (uid_t)-1,
		.gid = (gid_t)-1,
		.guard = {
			.offered_features = OFFERED,
			.offered_protocol_features = BIT(VRTC_VHU_GUARD_PROTOCOL_F_REPLY_ACK),
			.nb_queues = 2,
			.max_ring_size = 1024,
		},
	};

	return p;
}

/* The door the callback may call into (one at a time in this test). */
static struct vrtc_frontdoor *current_door;

static struct vrtc_frontdoor *
door(uint32_t timeout_ms)
{
	struct vrtc_frontdoor_config cfg = {
		.msg_timeout_ms = timeout_ms,
		.send_timeout_ms = timeout_ms,
		.backend_timeout_ms = timeout_ms,
		.event_cb = on_event,
		.event_arg = &current_door,
	};
	struct vrtc_frontdoor *fdr = NULL;

	if (vrtc_frontdoor_create(&cfg, &fdr) != 0)
		abort();
	__atomic_store_n(&current_door, fdr, __ATOMIC_RELEASE);
	return fdr;
}

/* Destroy the door the callback knows. */
static void
door_destroy(struct vrtc_frontdoor *fdr)
{
	vrtc_frontdoor_destroy(fdr);
	__atomic_store_n(&current_door, NULL, __ATOMIC_RELEASE);
}

/* A front door with one device, a back-end listening, a front-end
 * connected and its private connection accepted. */
struct rig {
	struct vrtc_frontdoor *fdr;
	int be_listen, fe, be;
};

static int
rig_up(struct rig *r, uint32_t timeout_ms)
{
	struct vrtc_frontdoor_device_params p = params();

	make_dir();
	r->be_listen = listen_on(priv);
	r->fdr = door(timeout_ms);
	if (vrtc_frontdoor_add_device(r->fdr, &p) != 0)
		return 0;
	r->fe = connect_to(pub);
	r->be = accept_within(r->be_listen, WAIT_MS);
	return r->fe >= 0 && r->be >= 0;
}

static void
rig_down(struct rig *r)
{
	door_destroy(r->fdr);
	if (r->fe >= 0)
		close(r->fe);
	if (r->be >= 0)
		close(r->be);
	close(r->be_listen);
	clean_dir();
}

/* Negotiate REPLY_ACK through the door (the back-end side is the test). */
static int
reply_ack_on(struct rig *r)
{
	struct vrtc_vhu_hdr h;
	uint64_t v;

	if (send_u64(r->fe, 16, 0, BIT(VRTC_VHU_GUARD_PROTOCOL_F_REPLY_ACK)) != 0 ||
	    recv_msg(r->be, &h, &v, NULL, NULL) != 0)
		return 0;
	return h.request == 16 && v == BIT(VRTC_VHU_GUARD_PROTOCOL_F_REPLY_ACK);
}

/* ---- cases ---------------------------------------------------------------- */

static void
forwards_with_fds(void)
{
	int base = count_fds();
	struct rig r;
	struct vrtc_vhu_hdr h;
	uint8_t p[512];
	int fds[8], mfd, i;
	uint32_t nfds;
	struct stat a, b;
	struct vrtc_frontdoor_stats st;
	struct {
		uint32_t n, pad;
		uint64_t gpa, size, uaddr, off;
	} mem = { 1, 0, 0x100000, 0x100000, 0x7f0000000000, 0 };

	T_CHECK(rig_up(&r, 2000));
	T_CHECK(events_reach(VRTC_FRONTDOOR_EV_ACCEPTED, 1));
	pthread_mutex_lock(&ev_lock);
	i = stats_in_callback != 0;
	pthread_mutex_unlock(&ev_lock);
	T_CHECK(i); /* the callback could call vrtc_frontdoor_get_stats() */
	/* GET_FEATURES and its reply. */
	T_EQ_INT(send_msg(r.fe, 1, 0, NULL, 0, NULL, 0), 0);
	T_EQ_INT(recv_msg(r.be, &h, p, NULL, &nfds), 0);
	T_EQ(h.request, 1);
	T_EQ(h.size, 0);
	send_reply(r.be, 1, OFFERED);
	T_EQ_INT(recv_msg(r.fe, &h, p, NULL, NULL), 0);
	T_EQ(h.request, 1);
	T_EQ(h.flags, VRTC_VHU_FLAG_VERSION | VRTC_VHU_FLAG_REPLY);
	T_CHECK(memcmp(p, &(uint64_t){ OFFERED }, 8) == 0);
	T_CHECK(reply_ack_on(&r));
	/* SET_MEM_TABLE with a sealed memfd: the back-end gets the same file. */
	mfd = memfd_create("fd", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	T_CHECK(mfd >= 0 && ftruncate(mfd, 0x100000) == 0);
	T_CHECK(fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK) == 0);
	T_EQ_INT(send_msg(r.fe, 5, VRTC_VHU_FLAG_NEED_REPLY, &mem, sizeof(mem), &mfd, 1), 0);
	T_EQ_INT(recv_msg(r.be, &h, p, fds, &nfds), 0);
	T_EQ(h.request, 5);
	T_EQ(h.size, sizeof(mem));
	T_EQ(h.flags, VRTC_VHU_FLAG_VERSION | VRTC_VHU_FLAG_NEED_REPLY);
	T_CHECK(memcmp(p, &mem, sizeof(mem)) == 0);
	T_EQ(nfds, 1);
	T_CHECK(fstat(mfd, &a) == 0 && fstat(fds[0], &b) == 0);
	T_EQ(a.st_ino, b.st_ino);
	close(fds[0]);
	close(mfd);
	send_reply(r.be, 5, 0);
	T_EQ_INT(recv_msg(r.fe, &h, p, NULL, NULL), 0);
	T_EQ(h.request, 5);
	T_CHECK(memcmp(p, &(uint64_t){ 0 }, 8) == 0);
	T_EQ_INT(vrtc_frontdoor_get_stats(r.fdr, "dev0", &st), 0);
	T_EQ(st.messages, 3);
	T_EQ(st.connected, 1);
	T_EQ_INT(vrtc_frontdoor_get_stats(r.fdr, "nope", &st), -ENOENT);
	/* A back-end refusal is relayed, then the connection ends. */
	T_EQ_INT(send_u64(r.fe, 2, VRTC_VHU_FLAG_NEED_REPLY, OFFERED), 0);
	T_EQ_INT(recv_msg(r.be, &h, p, NULL, NULL), 0);
	send_reply(r.be, 2, 1);
	T_EQ_INT(recv_msg(r.fe, &h, p, NULL, NULL), 0);
	T_CHECK(memcmp(p, &(uint64_t){ 1 }, 8) == 0);
	T_CHECK(sees_eof(r.fe));
	T_CHECK(sees_eof(r.be));
	rig_down(&r);
	for (i = 0; i < 100 && count_fds() != base; i++)
		usleep(10000);
	T_EQ_INT(count_fds(), base);
}

static void
refusal_nacked_not_forwarded(void)
{
	struct rig r;
	struct vrtc_vhu_hdr h;
	uint64_t v;
	struct vrtc_frontdoor_stats st;

	T_CHECK(rig_up(&r, 2000));
	T_CHECK(reply_ack_on(&r));
	/* Features never offered, and GET_INFLIGHT_FD: NACKed by the door. */
	T_EQ_INT(send_u64(r.fe, 2, VRTC_VHU_FLAG_NEED_REPLY, OFFERED | BIT(0)), 0);
	T_EQ_INT(recv_msg(r.fe, &h, &v, NULL, NULL), 0);
	T_EQ(h.request, 2);
	T_EQ(v, 1);
	T_EQ_INT(send_u64(r.fe, 31, VRTC_VHU_FLAG_NEED_REPLY, 0), 0);
	T_EQ_INT(recv_msg(r.fe, &h, &v, NULL, NULL), 0);
	T_EQ(h.request, 31);
	T_EQ(v, 1);
	/* The next message the back-end sees is the good one that follows. */
	T_EQ_INT(send_u64(r.fe, 2, 0, OFFERED), 0);
	T_EQ_INT(recv_msg(r.be, &h, &v, NULL, NULL), 0);
	T_EQ(h.request, 2);
	T_EQ(v, OFFERED);
	T_EQ_INT(vrtc_frontdoor_get_stats(r.fdr, "dev0", &st), 0);
	T_EQ(st.messages_refused, 2);
	T_EQ(st.dropped, 0);
	/* Without NEED_REPLY the front-end could not learn of it: closed. */
	T_EQ_INT(send_u64(r.fe, 2, 0, OFFERED | BIT(0)), 0);
	T_CHECK(sees_eof(r.fe));
	T_CHECK(sees_eof(r.be));
	T_EQ_INT(vrtc_frontdoor_get_stats(r.fdr, "dev0", &st), 0);
	T_EQ(st.dropped, 1);
	rig_down(&r);
}

static void
truncated_message_dropped(void)
{
	struct rig r;
	struct vrtc_vhu_hdr h = { 2, 1, 40 };
	struct vrtc_frontdoor_stats st;
	uint64_t t0;

	T_CHECK(rig_up(&r, 300));
	/* Header says 40 bytes, none follow. */
	T_CHECK(send(r.fe, &h, sizeof(h), MSG_NOSIGNAL) == sizeof(h));
	t0 = now_ms();
	T_CHECK(sees_eof(r.fe));
	T_CHECK(sees_eof(r.be));
	printf("  truncated message dropped after %" PRIu64 " ms (bound 300 ms)\n", now_ms() - t0);
	T_EQ_INT(vrtc_frontdoor_get_stats(r.fdr, "dev0", &st), 0);
	T_EQ(st.dropped, 1);
	/* Oversized payload: dropped at the header. */
	close(r.fe);
	close(r.be);
	r.fe = connect_to(pub);
	r.be = accept_within(r.be_listen, WAIT_MS);
	T_CHECK(r.fe >= 0 && r.be >= 0);
	h.size = 1u << 20;
	T_CHECK(send(r.fe, &h, sizeof(h), MSG_NOSIGNAL) == sizeof(h));
	T_CHECK(sees_eof(r.fe));
	rig_down(&r);
}

static void
never_reading_frontend_dropped(void)
{
	struct rig r;
	enum { N = 4000 };
	static uint8_t flood[N * VRTC_VHU_HDR_SIZE];
	struct vrtc_vhu_hdr h = { 1, 1, 0 }, got;
	struct vrtc_frontdoor_stats st;
	int i, rc = 0, answered = 0;

	T_CHECK(rig_up(&r, 300));
	for (i = 0; i < N; i++)
		memcpy(flood + i * sizeof(h), &h, sizeof(h));
	T_CHECK(send(r.fe, flood, sizeof(flood), MSG_NOSIGNAL | MSG_DONTWAIT) > 0);
	/* The back-end answers every GET_FEATURES; the front-end reads none. */
	while ((rc = recv_msg(r.be, &got, NULL, NULL, NULL)) == 0) {
		send_reply(r.be, 1, OFFERED);
		answered++;
	}
	T_EQ_INT(rc, 1); /* EOF, not a timeout */
	printf("  front-end dropped after %d unread replies\n", answered);
	T_CHECK(answered < N);
	T_EQ_INT(vrtc_frontdoor_get_stats(r.fdr, "dev0", &st), 0);
	T_EQ(st.dropped, 1);
	T_CHECK(last_reason_has(VRTC_FRONTDOOR_EV_DROPPED, "read"));
	rig_down(&r);
}

static void
silent_backend_dropped(void)
{
	struct rig r;
	struct vrtc_vhu_hdr h;

	T_CHECK(rig_up(&r, 300));
	T_EQ_INT(send_msg(r.fe, 1, 0, NULL, 0, NULL, 0), 0);
	T_EQ_INT(recv_msg(r.be, &h, NULL, NULL, NULL), 0);
	/* The back-end never answers. */
	T_CHECK(sees_eof(r.fe));
	T_CHECK(sees_eof(r.be));
	rig_down(&r);
}

static void
backend_offer_mismatch_dropped(void)
{
	struct rig r;
	struct vrtc_vhu_hdr h;

	T_CHECK(rig_up(&r, 2000));
	T_EQ_INT(send_msg(r.fe, 1, 0, NULL, 0, NULL, 0), 0);
	T_EQ_INT(recv_msg(r.be, &h, NULL, NULL, NULL), 0);
	/* The back-end offers a bit the door was not configured with. */
	send_reply(r.be, 1, OFFERED | BIT(29));
	T_CHECK(sees_eof(r.fe));
	T_CHECK(sees_eof(r.be));
	T_CHECK(last_reason_has(VRTC_FRONTDOOR_EV_DROPPED, "configured"));
	rig_down(&r);
}

static void
second_connection_refused(void)
{
	struct rig r;
	struct vrtc_vhu_hdr h;
	uint64_t v;
	struct vrtc_frontdoor_stats st;
	unsigned int refused = events(VRTC_FRONTDOOR_EV_REFUSED);
	int second, third;

	T_CHECK(rig_up(&r, 2000));
	second = connect_to(pub);
	T_CHECK(second >= 0);
	T_CHECK(sees_eof(second));
	close(second);
	T_CHECK(events_reach(VRTC_FRONTDOOR_EV_REFUSED, refused + 1));
	T_EQ(events(VRTC_FRONTDOOR_EV_REFUSED), refused + 1);
	/* The first one still has its device. */
	T_EQ_INT(send_msg(r.fe, 1, 0, NULL, 0, NULL, 0), 0);
	T_EQ_INT(recv_msg(r.be, &h, NULL, NULL, NULL), 0);
	send_reply(r.be, 1, OFFERED);
	T_EQ_INT(recv_msg(r.fe, &h, &v, NULL, NULL), 0);
	T_EQ(v, OFFERED);
	/* Once it leaves, a new one is served (even before its EOF was seen). */
	close(r.fe);
	r.fe = -1;
	third = connect_to(pub);
	T_CHECK(third >= 0);
	T_CHECK(sees_eof(r.be));
	close(r.be);
	r.be = accept_within(r.be_listen, WAIT_MS);
	T_CHECK(r.be >= 0);
	T_EQ_INT(send_msg(third, 1, 0, NULL, 0, NULL, 0), 0);
	T_EQ_INT(recv_msg(r.be, &h, NULL, NULL, NULL), 0);
	T_EQ(h.request, 1);
	T_EQ_INT(vrtc_frontdoor_get_stats(r.fdr, "dev0", &st), 0);
	T_EQ(st.refused, 1);
	T_EQ(st.connections, 2);
	close(third);
	rig_down(&r);
}

static void
no_backend_refused(void)
{
	struct vrtc_frontdoor_device_params p = params();
	struct vrtc_frontdoor *fdr;
	struct vrtc_frontdoor_stats st;
	int fe;

	make_dir();
	fdr = door(2000);
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), 0);
	fe = connect_to(pub);
	T_CHECK(fe >= 0);
	T_CHECK(sees_eof(fe));
	close(fe);
	T_EQ_INT(vrtc_frontdoor_get_stats(fdr, "dev0", &st), 0);
	T_EQ(st.refused, 1);
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), -EEXIST); /* same name */
	door_destroy(fdr);
	clean_dir();
}

static void
socket_file_policy(void)
{
	struct vrtc_frontdoor_device_params p = params();
	struct vrtc_frontdoor *fdr;
	struct stat st, st2;
	char target[160], buf[8];
	int fd, ls, s;

	make_dir();
	fdr = door(2000);
	/* A regular file: refused, kept with its content. */
	fd = open(pub, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	T_CHECK(fd >= 0 && write(fd, "data", 4) == 4);
	close(fd);
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), -EEXIST);
	fd = open(pub, O_RDONLY | O_CLOEXEC);
	T_CHECK(fd >= 0 && read(fd, buf, 4) == 4 && memcmp(buf, "data", 4) == 0);
	close(fd);
	unlink(pub);
	/* A symlink (to a stale socket, even): refused, link and target kept. */
	snprintf(target, sizeof(target), "%s/target.sock", dir);
	ls = listen_on(target);
	close(ls);
	T_CHECK(symlink(target, pub) == 0);
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), -EEXIST);
	T_CHECK(lstat(pub, &st) == 0 && S_ISLNK(st.st_mode));
	T_CHECK(lstat(target, &st) == 0 && S_ISSOCK(st.st_mode));
	unlink(pub);
	unlink(target);
	/* A live socket: refused, still there and still served. */
	ls = listen_on(pub);
	T_CHECK(lstat(pub, &st) == 0);
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), -EADDRINUSE);
	T_CHECK(lstat(pub, &st2) == 0 && st2.st_ino == st.st_ino);
	s = connect_to(pub);
	T_CHECK(s >= 0);
	close(s);
	close(ls);
	/* Now it is stale: replaced by ours, mode 0600 by default. */
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), 0);
	T_CHECK(lstat(pub, &st2) == 0 && S_ISSOCK(st2.st_mode));
	T_EQ(st2.st_mode & 0777, 0600);
	/* Removal unlinks ours. */
	T_EQ_INT(vrtc_frontdoor_remove_device(fdr, "dev0"), 0);
	T_CHECK(lstat(pub, &st2) != 0 && errno == ENOENT);
	T_EQ_INT(vrtc_frontdoor_remove_device(fdr, "dev0"), -ENOENT);
	/* A configured mode; and a file that replaced ours is not deleted. */
	p.mode = 0660;
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), 0);
	T_CHECK(lstat(pub, &st2) == 0);
	T_EQ(st2.st_mode & 0777, 0660);
	unlink(pub);
	fd = open(pub, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	T_CHECK(fd >= 0);
	close(fd);
	T_EQ_INT(vrtc_frontdoor_remove_device(fdr, "dev0"), 0);
	T_CHECK(lstat(pub, &st2) == 0 && S_ISREG(st2.st_mode));
	unlink(pub);
	door_destroy(fdr);
	clean_dir();
}

static void
eof_propagates(void)
{
	struct rig r;

	T_CHECK(rig_up(&r, 2000));
	close(r.fe);
	r.fe = -1;
	T_CHECK(sees_eof(r.be));
	close(r.be);
	r.fe = connect_to(pub);
	r.be = accept_within(r.be_listen, WAIT_MS);
	T_CHECK(r.fe >= 0 && r.be >= 0);
	close(r.be);
	r.be = -1;
	T_CHECK(sees_eof(r.fe));
	rig_down(&r);
}

static void
too_many_fds(void)
{
	struct rig r;
	int fds[24], i, base;
	uint64_t v = 0;

	T_CHECK(rig_up(&r, 2000));
	base = count_fds();
	for (i = 0; i < 24; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	/* 24 fds with a SET_VRING_CALL: more than the door's control buffer. */
	T_EQ_INT(send_msg(r.fe, 13, 0, &v, 8, fds, 24), 0);
	for (i = 0; i < 24; i++)
		close(fds[i]);
	T_CHECK(sees_eof(r.fe));
	T_CHECK(sees_eof(r.be));
	close(r.fe);
	close(r.be);
	r.fe = r.be = -1;
	for (i = 0; i < 100 && count_fds() != base - 4; i++)
		usleep(10000);
	T_EQ_INT(count_fds(), base - 4); /* both sides closed, none of the 24 left */
	/* 9 fds: within the control buffer, above any message: refused, closed. */
	r.fe = connect_to(pub);
	r.be = accept_within(r.be_listen, WAIT_MS);
	T_CHECK(r.fe >= 0 && r.be >= 0);
	for (i = 0; i < 9; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	T_EQ_INT(send_msg(r.fe, 13, 0, &v, 8, fds, 9), 0);
	for (i = 0; i < 9; i++)
		close(fds[i]);
	T_CHECK(sees_eof(r.fe));
	close(r.fe);
	close(r.be);
	r.fe = r.be = -1;
	for (i = 0; i < 100 && count_fds() != base - 4; i++)
		usleep(10000);
	T_EQ_INT(count_fds(), base - 4);
	rig_down(&r);
}

static void
accept_failure_paused_and_counted(void)
{
	struct vrtc_frontdoor_device_params p = params();
	struct vrtc_frontdoor *fdr;
	struct vrtc_frontdoor_stats st;
	struct rlimit old, low;
	int be_listen, fe = -1, be = -1, lowest, i;

	make_dir();
	be_listen = listen_on(priv);
	fdr = door(2000);
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), 0);
	T_CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
	lowest = dup(0);
	T_CHECK(lowest >= 0);
	close(lowest);
	/* Room for exactly one more fd: the test's own end of the connection. */
	low = old;
	low.rlim_cur = (rlim_t)lowest + 1;
	T_CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
	fe = connect_to(pub);
	for (i = 0; i < 500; i++) {
		/* No T_CHECK while the limit is low: restore it first. */
		if (vrtc_frontdoor_get_stats(fdr, "dev0", &st) != 0 || st.accept_errors != 0)
			break;
		usleep(10000);
	}
	T_CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
	T_CHECK(fe >= 0);
	T_CHECK(st.accept_errors >= 1);
	/* Once fds are back, the waiting connection is served. */
	be = accept_within(be_listen, WAIT_MS);
	T_CHECK(be >= 0);
	T_EQ_INT(send_msg(fe, 1, 0, NULL, 0, NULL, 0), 0);
	{
		struct vrtc_vhu_hdr h;

		T_EQ_INT(recv_msg(be, &h, NULL, NULL, NULL), 0);
		T_EQ(h.request, 1);
	}
	close(fe);
	close(be);
	close(be_listen);
	door_destroy(fdr);
	clean_dir();
}

static void
log_rate_limited(void)
{
	struct rig r;
	struct vrtc_vhu_hdr h;
	uint64_t v;
	unsigned int lines0, lines, supp0;
	int i;

	T_CHECK(rig_up(&r, 2000));
	T_CHECK(reply_ack_on(&r));
	pthread_mutex_lock(&ev_lock);
	lines0 = log_lines;
	supp0 = log_suppressed_lines;
	pthread_mutex_unlock(&ev_lock);
	/* 200 refused messages, each NACKed and each worth a log line. */
	for (i = 0; i < 200; i++) {
		T_EQ_INT(send_u64(r.fe, 6, VRTC_VHU_FLAG_NEED_REPLY, 0), 0);
		T_EQ_INT(recv_msg(r.fe, &h, &v, NULL, NULL), 0);
		T_EQ(v, 1);
	}
	close(r.fe);
	r.fe = -1;
	T_CHECK(sees_eof(r.be));
	/* The connection's last line and the "suppressed" line are out. */
	for (i = 0; i < 100; i++) {
		int seen;

		pthread_mutex_lock(&ev_lock);
		lines = log_lines;
		seen = log_suppressed_lines > supp0;
		pthread_mutex_unlock(&ev_lock);
		if (seen)
			break;
		usleep(10000);
	}
	printf("  200 refusals gave %u log lines\n", lines - lines0);
	T_CHECK(i < 100);
	T_CHECK(lines - lines0 < 60); /* 10 per second, the run takes a few seconds at most */
	rig_down(&r);
}

static void
reconnect_flood_rate_limited(void)
{
	struct vrtc_frontdoor_device_params p = params();
	struct vrtc_frontdoor *fdr;
	struct vrtc_frontdoor_stats st;
	unsigned int lines0, lines, supp0;
	uint64_t t0, took;
	int be_listen, i, fe, be;

	make_dir();
	be_listen = listen_on(priv);
	fdr = door(2000);
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), 0);
	pthread_mutex_lock(&ev_lock);
	lines0 = log_lines;
	supp0 = log_suppressed_lines;
	pthread_mutex_unlock(&ev_lock);
	t0 = now_ms();
	/* 100 connections, each worth an "accepted" and a "closed" line. */
	for (i = 0; i < 100; i++) {
		fe = connect_to(pub);
		be = accept_within(be_listen, WAIT_MS);
		T_CHECK(fe >= 0 && be >= 0);
		close(fe);
		T_CHECK(sees_eof(be));
		close(be);
	}
	took = now_ms() - t0;
	T_EQ_INT(vrtc_frontdoor_get_stats(fdr, "dev0", &st), 0);
	T_EQ(st.connections, 100);
	pthread_mutex_lock(&ev_lock);
	lines = log_lines - lines0;
	pthread_mutex_unlock(&ev_lock);
	printf("  100 connections in %" PRIu64 " ms gave %u log lines\n", took, lines);
	/* At most 10 a second (+1 for the window the run starts in). */
	T_CHECK(lines <= 10 * (took / 1000 + 2));
	T_CHECK(lines < 200);
	/* The quiet device still reports the count it suppressed. */
	for (i = 0; i < 500; i++) {
		int seen;

		pthread_mutex_lock(&ev_lock);
		seen = log_suppressed_lines > supp0;
		pthread_mutex_unlock(&ev_lock);
		if (seen)
			break;
		usleep(10000);
	}
	T_CHECK(i < 500);
	door_destroy(fdr);
	close(be_listen);
	clean_dir();
}

static void
client_mode(void)
{
	struct vrtc_frontdoor_device_params p = params();
	struct vrtc_frontdoor *fdr;
	struct vrtc_vhu_hdr h;
	int vmm, be_listen, fe, be;

	make_dir();
	vmm = listen_on(pub); /* QEMU with server=on */
	be_listen = listen_on(priv);
	fdr = door(2000);
	p.client = 1;
	p.reconnect_ms = 50;
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), 0);
	fe = accept_within(vmm, WAIT_MS);
	be = accept_within(be_listen, WAIT_MS);
	T_CHECK(fe >= 0 && be >= 0);
	T_EQ_INT(send_msg(fe, 1, 0, NULL, 0, NULL, 0), 0);
	T_EQ_INT(recv_msg(be, &h, NULL, NULL, NULL), 0);
	T_EQ(h.request, 1);
	/* The VMM side closes: the back-end sees EOF, the door dials again. */
	close(fe);
	T_CHECK(sees_eof(be));
	close(be);
	fe = accept_within(vmm, WAIT_MS);
	be = accept_within(be_listen, WAIT_MS);
	T_CHECK(fe >= 0 && be >= 0);
	close(fe);
	close(be);
	door_destroy(fdr);
	/* The VMM's socket is not ours: still there. */
	T_CHECK(access(pub, F_OK) == 0);
	close(vmm);
	close(be_listen);
	/* Without reconnection, nobody listening is an error. */
	fdr = door(2000);
	unlink(pub);
	p.reconnect_ms = 0;
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), -ECONNREFUSED);
	door_destroy(fdr);
	clean_dir();
}

static void
shutdown_prompt(void)
{
	struct rig r;
	struct vrtc_vhu_hdr h = { 2, 1, 8 };
	struct vrtc_frontdoor_device_params p = params();
	uint64_t t0, took;
	int fe2, be_listen2, be2;
	char priv2[160], pub2[160];

	T_CHECK(rig_up(&r, 60000)); /* bounds far longer than the shutdown */
	/* Device 0: a message begun and never finished. */
	T_CHECK(send(r.fe, &h, sizeof(h), MSG_NOSIGNAL) == sizeof(h));
	/* Device 1: a front-end whose reply the back-end never sends. */
	snprintf(priv2, sizeof(priv2), "%s/priv2.sock", dir);
	snprintf(pub2, sizeof(pub2), "%s/pub2.sock", dir);
	be_listen2 = listen_on(priv2);
	p.name = "dev1";
	p.public_path = pub2;
	p.private_path = priv2;
	T_EQ_INT(vrtc_frontdoor_add_device(r.fdr, &p), 0);
	fe2 = connect_to(pub2);
	be2 = accept_within(be_listen2, WAIT_MS);
	T_CHECK(fe2 >= 0 && be2 >= 0);
	T_EQ_INT(send_msg(fe2, 1, 0, NULL, 0, NULL, 0), 0);
	T_EQ_INT(recv_msg(be2, &h, NULL, NULL, NULL), 0);
	t0 = now_ms();
	door_destroy(r.fdr);
	took = now_ms() - t0;
	r.fdr = NULL;
	printf("  shutdown with two stuck connections took %" PRIu64 " ms\n", took);
	T_CHECK(took < 5000);
	T_CHECK(sees_eof(r.fe));
	T_CHECK(sees_eof(fe2));
	T_CHECK(sees_eof(be2));
	T_CHECK(access(pub, F_OK) != 0 && access(pub2, F_OK) != 0);
	close(fe2);
	close(be2);
	close(be_listen2);
	unlink(priv2);
	rig_down(&r);
}

static void
bad_params(void)
{
	struct vrtc_frontdoor_device_params p = params();
	struct vrtc_frontdoor *fdr;
	char longpath[200];

	make_dir();
	fdr = door(2000);
	p.guard.nb_queues = 0;
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), -EINVAL);
	p = params();
	p.guard.offered_protocol_features |= BIT(12);
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), -ENOTSUP);
	p = params();
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	p.public_path = longpath;
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), -ENAMETOOLONG);
	p = params();
	p.private_path = pub;
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), -EINVAL);
	p = params();
	p.mode = 01777;
	T_EQ_INT(vrtc_frontdoor_add_device(fdr, &p), -EINVAL);
	door_destroy(fdr);
	vrtc_frontdoor_destroy(NULL);
	clean_dir();
}

static const struct t_case cases[] = {
	T_CASE(forwards_with_fds),
	T_CASE(refusal_nacked_not_forwarded),
	T_CASE(truncated_message_dropped),
	T_CASE(never_reading_frontend_dropped),
	T_CASE(silent_backend_dropped),
	T_CASE(backend_offer_mismatch_dropped),
	T_CASE(second_connection_refused),
	T_CASE(no_backend_refused),
	T_CASE(socket_file_policy),
	T_CASE(eof_propagates),
	T_CASE(too_many_fds),
	T_CASE(accept_failure_paused_and_counted),
	T_CASE(log_rate_limited),
	T_CASE(reconnect_flood_rate_limited),
	T_CASE(client_mode),
	T_CASE(shutdown_prompt),
	T_CASE(bad_params),
};

T_MAIN(cases)
