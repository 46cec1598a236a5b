/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The vhost-user front door (see frontdoor.h).
 *
 * Security model: every front-end is hostile; the back-end (rte_vhost on a
 * private socket in a 0700 directory) is ours but fragile: it reads each
 * message with blocking reads on its single event thread and acts on it
 * without the checks vhu_guard.c makes. Hence, per connection:
 *   - every socket is non-blocking; one epoll thread serves all devices and
 *     never waits on one peer: a message begun must be complete within
 *     msg_timeout_ms, a reply must be taken by the front-end within
 *     send_timeout_ms, the back-end must take a message and answer within
 *     backend_timeout_ms, else that connection is dropped and logged;
 *   - a message is read whole (header first, the payload only when the
 *     guard accepts its size) with its fds (recvmsg, MSG_CMSG_CLOEXEC; fds
 *     beyond VRTC_VHU_GUARD_MAX_FDS are closed at once and the message is
 *     refused; truncated control data drops the connection); the back-end
 *     receives only whole, checked messages, in one sendmsg where the socket
 *     takes it, so it never blocks on a partial one;
 *   - lock-step: while the back-end owes a reply, or a reply waits for the
 *     front-end, nothing more is read from the front-end, so replies keep
 *     their order (the front door's own reply-acks included) and no buffer
 *     grows with what a peer sends;
 *   - fds are always closed by the front door after forwarding (the
 *     back-end got its own copies) or refusing: none is ever leaked;
 *   - a front-end EOF closes the private connection (rte_vhost sees the
 *     disconnect and destroys the device) and vice versa;
 *   - each connection's log lines are rate-limited (log_lines_per_s, then
 *     one "suppressed N lines" line), so a flooding front-end cannot push
 *     the other tenants' lines out of the journal.
 *
 * A second connection while one is live is refused: closed at once,
 * counted, logged and reported (EV_REFUSED); the first front-end keeps its
 * device. If the live one has already gone (its EOF is pending and not
 * yet seen, as when a VMM restarts and reconnects at once), it is closed
 * first and the new one is served.
 *
 * Socket files: the front door creates the listening socket itself (umask
 * 0177 around bind, then chown/chmod as configured), never deletes what it
 * did not create (a regular file, a symlink, a live socket are refused and
 * left alone; only a socket nobody listens on is replaced, after checking
 * it is still the same inode), and on removal unlinks the path only if it
 * is still the inode it bound.
 *
 * Locking: one mutex, held by the thread while it handles a batch of
 * events and by every public function. A removal bumps a generation
 * counter: a batch of events collected before it is dropped (the epoll is
 * level-triggered, so nothing is lost). Connection events are queued under
 * the lock and reported to the callback after it is released.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "frontdoor.h"
#include "log.h"
#include "vhu_guard.h"

#define DEFAULT_MSG_TIMEOUT_MS 2000u
#define DEFAULT_SEND_TIMEOUT_MS 2000u
#define DEFAULT_BACKEND_TIMEOUT_MS 10000u
#define DEFAULT_LOG_LINES_PER_S 10u
#define ACCEPT_PAUSE_MS 1000u /* listener paused after an accept failure */
#define MAX_WAIT_MS 1000	/* longest epoll wait */
#define ACCEPTS_PER_WAKE 16
#define RX_CMSG_FDS 16 /* fds one recvmsg can take; more truncates */
#define REPLY_SIZE (VRTC_VHU_HDR_SIZE + 8u)
#define NAME_MAX_LEN 64

enum tag_kind { TAG_WAKE, TAG_LISTEN, TAG_FE, TAG_BE };

struct tag {
	enum tag_kind kind;
	void *obj;
};

struct ratelimit {
	uint64_t window_ms;
	uint32_t lines;
	uint32_t suppressed;
};

struct device;

struct conn {
	struct tag fe_tag, be_tag;
	struct device *dev;
	uint64_t id;
	int fe, be;
	int dead;
	int close_after_flush;
	const char *close_reason;
	uint32_t fe_events, be_events;
	struct vrtc_vhu_guard guard;
	struct ratelimit rl;
	/* front-end -> front door */
	uint8_t rx[VRTC_VHU_HDR_SIZE + VRTC_VHU_GUARD_MAX_PAYLOAD];
	uint32_t rx_len;
	int rx_fds[VRTC_VHU_GUARD_MAX_FDS];
	uint32_t rx_nfds;
	int rx_fds_truncated;
	uint64_t rx_deadline;
	/* front door -> back-end */
	uint8_t btx[VRTC_VHU_HDR_SIZE + VRTC_VHU_GUARD_MAX_PAYLOAD];
	uint32_t btx_len, btx_off;
	int btx_fds[VRTC_VHU_GUARD_MAX_FDS];
	uint32_t btx_nfds;
	uint32_t replies; /* replies the back-end still owes */
	uint32_t reply_request;
	uint64_t be_deadline;
	/* back-end -> front door */
	uint8_t brx[REPLY_SIZE];
	uint32_t brx_len;
	/* front door -> front-end */
	uint8_t ftx[2 * REPLY_SIZE];
	uint32_t ftx_len, ftx_off;
	uint64_t ftx_deadline;
	struct conn *next_dead;
};

struct device {
	struct tag listen_tag;
	struct vrtc_frontdoor *fdr;
	struct device *next;
	char name[NAME_MAX_LEN];
	char public_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char private_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int client;
	uint32_t reconnect_ms;
	struct vrtc_vhu_guard_config guard_cfg;
	int listen_fd;
	int created; /* we bound public_path: st_dev/st_ino identify it */
	dev_t st_dev;
	ino_t st_ino;
	uint64_t listen_resume_ms; /* listener paused until then (0: not paused) */
	uint64_t redial_ms;	   /* client: next dial (0: none) */
	struct conn *conn;
	uint64_t next_conn_id;
	struct ratelimit rl;
	struct vrtc_frontdoor_stats stats;
};

/* An event waiting to be reported (callbacks run without the lock). */
struct pending_event {
	struct pending_event *next;
	enum vrtc_frontdoor_event ev;
	char device[NAME_MAX_LEN];
	char reason[160];
};

struct vrtc_frontdoor {
	struct vrtc_frontdoor_config cfg;
	pthread_mutex_t lock;
	pthread_t thread;
	int thread_started;
	int ep;
	int wake;
	int stop; /* written with __atomic: read by the thread */
	uint64_t gen;
	struct tag wake_tag;
	struct device *devices;
	struct conn *dead;
	struct pending_event *events;	/* oldest first */
	struct pending_event **events_tail;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

const char *
vrtc_frontdoor_event_name(enum vrtc_frontdoor_event ev)
{
	switch (ev) {
	case VRTC_FRONTDOOR_EV_ACCEPTED:
		return "accepted";
	case VRTC_FRONTDOOR_EV_REFUSED:
		return "refused";
	case VRTC_FRONTDOOR_EV_DROPPED:
		return "dropped";
	case VRTC_FRONTDOOR_EV_CLOSED:
		return "closed";
	}
	return "?";
}

/* ---- rate-limited logging ----------------------------------------------- */

static void rl_log(const struct vrtc_frontdoor *fdr, struct ratelimit *rl, const char *prefix,
		   enum vrtc_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
rl_flush(struct ratelimit *rl, const char *prefix)
{
	if (rl->suppressed != 0) {
		vrtc_log(VRTC_LOGC_FRONTDOOR, VRTC_LOG_WARNING, "%s: suppressed %" PRIu32 " lines",
			 prefix, rl->suppressed);
		rl->suppressed = 0;
	}
}

static void
rl_log(const struct vrtc_frontdoor *fdr, struct ratelimit *rl, const char *prefix,
       enum vrtc_log_level level, const char *fmt, ...)
{
	uint64_t now = now_ms();
	char msg[400];
	va_list ap;

	if (now - rl->window_ms >= 1000u) {
		rl->window_ms = now;
		rl->lines = 0;
		rl_flush(rl, prefix);
	}
	if (rl->lines >= fdr->cfg.log_lines_per_s) {
		rl->suppressed++;
		return;
	}
	rl->lines++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vrtc_log(VRTC_LOGC_FRONTDOOR, level, "%s: %s", prefix, msg);
}

#define CONN_LOG(c, level, ...)                                                              \
	do {                                                                                   \
		char pfx_[NAME_MAX_LEN + 24];                                                  \
		snprintf(pfx_, sizeof(pfx_), "%s#%" PRIu64, (c)->dev->name, (c)->id);          \
		rl_log((c)->dev->fdr, &(c)->rl, pfx_, level, __VA_ARGS__);                     \
	} while (0)

#define DEV_LOG(d, level, ...) rl_log((d)->fdr, &(d)->rl, (d)->name, level, __VA_ARGS__)

/* Queue an event (lock held); dispatch() reports it once the lock is
 * released, so that a callback may take its own locks and call back into
 * the front door. Without memory the event is lost; the counters are not. */
static void
emit(struct device *dev, enum vrtc_frontdoor_event ev, const char *reason)
{
	struct vrtc_frontdoor *fdr = dev->fdr;
	struct pending_event *e;

	if (fdr->cfg.event_cb == NULL)
		return;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return;
	e->ev = ev;
	snprintf(e->device, sizeof(e->device), "%s", dev->name);
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	*fdr->events_tail = e;
	fdr->events_tail = &e->next;
}

/* Lock held: take the queued events. */
static struct pending_event *
take_events(struct vrtc_frontdoor *fdr)
{
	struct pending_event *list = fdr->events;

	fdr->events = NULL;
	fdr->events_tail = &fdr->events;
	return list;
}

/* Lock NOT held: report and free @p list. */
static void
dispatch(const struct vrtc_frontdoor *fdr, struct pending_event *list)
{
	while (list != NULL) {
		struct pending_event *next = list->next;

		fdr->cfg.event_cb(fdr->cfg.event_arg, list->device, list->ev, list->reason);
		free(list);
		list = next;
	}
}

/* ---- connections ---------------------------------------------------------- */

static void
close_fds(int *fds, uint32_t *n)
{
	uint32_t i;

	for (i = 0; i < *n; i++)
		close(fds[i]);
	*n = 0;
}

static int
ftx_pending(const struct conn *c)
{
	return c->ftx_off < c->ftx_len;
}

static int
btx_pending(const struct conn *c)
{
	return c->btx_off < c->btx_len;
}

static int
can_read_fe(const struct conn *c)
{
	return !c->dead && !c->close_after_flush && c->replies == 0 && !btx_pending(c) &&
	       !ftx_pending(c);
}

static void
set_interest(struct conn *c)
{
	struct epoll_event ev;
	uint32_t fe_events = 0, be_events = EPOLLIN;
	struct vrtc_frontdoor *fdr = c->dev->fdr;

	if (c->dead)
		return;
	if (can_read_fe(c))
		fe_events |= EPOLLIN;
	if (ftx_pending(c))
		fe_events |= EPOLLOUT;
	if (btx_pending(c))
		be_events |= EPOLLOUT;
	if (fe_events != c->fe_events) {
		ev.events = fe_events;
		ev.data.ptr = &c->fe_tag;
		if (epoll_ctl(fdr->ep, EPOLL_CTL_MOD, c->fe, &ev) == 0)
			c->fe_events = fe_events;
	}
	if (be_events != c->be_events) {
		ev.events = be_events;
		ev.data.ptr = &c->be_tag;
		if (epoll_ctl(fdr->ep, EPOLL_CTL_MOD, c->be, &ev) == 0)
			c->be_events = be_events;
	}
}

/* End a connection: both sockets closed (each peer sees EOF), every fd
 * held for it closed; freed after the current batch of events. */
static void
end_conn(struct conn *c, enum vrtc_frontdoor_event ev, const char *reason)
{
	struct device *dev = c->dev;
	struct vrtc_frontdoor *fdr = dev->fdr;
	char pfx[NAME_MAX_LEN + 24];

	if (c->dead)
		return;
	c->dead = 1;
	/* Counters, log and event first: a peer that sees the EOF may look. */
	if (ev == VRTC_FRONTDOOR_EV_DROPPED)
		dev->stats.dropped++;
	else
		dev->stats.closed++;
	dev->stats.connected = 0;
	dev->conn = NULL;
	/* The connection's own suppressed lines are reported with its last
	 * line, which goes through the device's limiter: a front-end that
	 * reconnects in a loop cannot flood the journal either. */
	snprintf(pfx, sizeof(pfx), "%s#%" PRIu64, dev->name, c->id);
	if (c->rl.suppressed != 0)
		rl_log(fdr, &dev->rl, pfx,
		       ev == VRTC_FRONTDOOR_EV_DROPPED ? VRTC_LOG_WARNING : VRTC_LOG_INFO,
		       "connection %s: %s (suppressed %" PRIu32 " lines)",
		       vrtc_frontdoor_event_name(ev), reason, c->rl.suppressed);
	else
		rl_log(fdr, &dev->rl, pfx,
		       ev == VRTC_FRONTDOOR_EV_DROPPED ? VRTC_LOG_WARNING : VRTC_LOG_INFO,
		       "connection %s: %s", vrtc_frontdoor_event_name(ev), reason);
	emit(dev, ev, reason);
	if (dev->client && dev->reconnect_ms != 0)
		dev->redial_ms = now_ms() + dev->reconnect_ms;
	epoll_ctl(fdr->ep, EPOLL_CTL_DEL, c->fe, NULL);
	epoll_ctl(fdr->ep, EPOLL_CTL_DEL, c->be, NULL);
	close(c->fe);
	close(c->be);
	close_fds(c->rx_fds, &c->rx_nfds);
	close_fds(c->btx_fds, &c->btx_nfds);
	c->next_dead = fdr->dead;
	fdr->dead = c;
}

static void
drop_conn(struct conn *c, const char *reason)
{
	end_conn(c, VRTC_FRONTDOOR_EV_DROPPED, reason);
}

static void fe_flush(struct conn *c);

/* Queue a reply-ack of our own to the front-end. */
static void
queue_ack(struct conn *c, uint32_t request, int failed)
{
	if (c->ftx_len - c->ftx_off + REPLY_SIZE > sizeof(c->ftx)) {
		drop_conn(c, "reply buffer full"); /* cannot happen in lock-step */
		return;
	}
	if (c->ftx_off == c->ftx_len)
		c->ftx_off = c->ftx_len = 0;
	c->ftx_len += vrtc_vhu_guard_make_ack(c->ftx + c->ftx_len, request, failed);
	fe_flush(c);
}

static void
fe_flush(struct conn *c)
{
	struct vrtc_frontdoor *fdr = c->dev->fdr;

	while (!c->dead && ftx_pending(c)) {
		ssize_t n = send(c->fe, c->ftx + c->ftx_off, c->ftx_len - c->ftx_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (c->ftx_deadline == 0)
					c->ftx_deadline = now_ms() + fdr->cfg.send_timeout_ms;
				break;
			}
			end_conn(c, VRTC_FRONTDOOR_EV_CLOSED, "front-end gone while sending a reply");
			return;
		}
		c->ftx_off += (uint32_t)n;
	}
	if (c->dead)
		return;
	if (!ftx_pending(c)) {
		c->ftx_off = c->ftx_len = 0;
		c->ftx_deadline = 0;
		if (c->close_after_flush) {
			drop_conn(c, c->close_reason);
			return;
		}
	}
	set_interest(c);
}

static void
be_flush(struct conn *c)
{
	struct vrtc_frontdoor *fdr = c->dev->fdr;

	while (!c->dead && btx_pending(c)) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * VRTC_VHU_GUARD_MAX_FDS)];
			struct cmsghdr align;
		} u;
		struct iovec iov = {
			.iov_base = c->btx + c->btx_off,
			.iov_len = c->btx_len - c->btx_off,
		};
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		/* The fds travel with the first byte of the message. */
		if (c->btx_off == 0 && c->btx_nfds != 0) {
			struct cmsghdr *cm;

			memset(&u, 0, sizeof(u));
			mh.msg_control = u.buf;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * c->btx_nfds);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * c->btx_nfds);
			memcpy(CMSG_DATA(cm), c->btx_fds, sizeof(int) * c->btx_nfds);
		}
		n = sendmsg(c->be, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (c->be_deadline == 0)
					c->be_deadline = now_ms() + fdr->cfg.backend_timeout_ms;
				break;
			}
			end_conn(c, VRTC_FRONTDOOR_EV_CLOSED, "back-end gone while forwarding");
			return;
		}
		if (c->btx_off == 0)
			close_fds(c->btx_fds, &c->btx_nfds); /* the back-end has its copies */
		c->btx_off += (uint32_t)n;
	}
	if (c->dead)
		return;
	if (!btx_pending(c)) {
		c->btx_off = c->btx_len = 0;
		c->be_deadline = c->replies != 0 ? now_ms() + fdr->cfg.backend_timeout_ms : 0;
	}
	set_interest(c);
}

static void
reset_rx(struct conn *c)
{
	close_fds(c->rx_fds, &c->rx_nfds);
	c->rx_len = 0;
	c->rx_fds_truncated = 0;
	c->rx_deadline = 0;
}

static void
process_message(struct conn *c)
{
	struct vrtc_vhu_decision d;
	struct vrtc_vhu_hdr h;
	const char *name;

	memcpy(&h, c->rx, sizeof(h));
	name = vrtc_vhu_guard_request_name(h.request);
	vrtc_vhu_guard_check(&c->guard, &h, c->rx + VRTC_VHU_HDR_SIZE, c->rx_fds, c->rx_nfds,
			     c->rx_fds_truncated, &d);
	switch (d.verdict) {
	case VRTC_VHU_FORWARD:
		memcpy(c->btx, &h, sizeof(h));
		memcpy(c->btx + sizeof(h), c->rx + sizeof(h), h.size);
		c->btx_len = VRTC_VHU_HDR_SIZE + h.size;
		c->btx_off = 0;
		memcpy(c->btx_fds, c->rx_fds, sizeof(int) * c->rx_nfds);
		c->btx_nfds = c->rx_nfds;
		c->rx_nfds = 0; /* moved */
		c->replies = d.replies;
		c->reply_request = h.request;
		c->dev->stats.messages++;
		reset_rx(c);
		be_flush(c);
		return;
	case VRTC_VHU_REFUSE:
		c->dev->stats.messages_refused++;
		CONN_LOG(c, VRTC_LOG_WARNING, "refused %s (%" PRIu32 "): %s", name, h.request,
			 d.reason);
		reset_rx(c);
		queue_ack(c, h.request, 1);
		return;
	case VRTC_VHU_ANSWER:
		c->dev->stats.messages_refused++;
		CONN_LOG(c, VRTC_LOG_NOTICE, "%s not forwarded: %s", name, d.reason);
		reset_rx(c);
		if (h.flags & VRTC_VHU_FLAG_NEED_REPLY)
			queue_ack(c, h.request, 0);
		else
			set_interest(c);
		return;
	case VRTC_VHU_DROP:
	default: {
		char why[160];

		c->dev->stats.messages_refused++;
		snprintf(why, sizeof(why), "%s (%" PRIu32 "): %s", name, h.request,
			 d.reason != NULL ? d.reason : "refused");
		reset_rx(c);
		drop_conn(c, why);
		return;
	}
	}
}

/* Read front-end messages while the lock-step allows it. */
/*
 * Take the fds a recvmsg() received: up to @p max into @p keep (counted in
 * *@p nkeep), the rest closed at once. @return how many were closed.
 */
static uint32_t
take_fds(struct msghdr *mh, int *keep, uint32_t *nkeep, uint32_t max)
{
	struct cmsghdr *cm;
	uint32_t closed = 0;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		size_t i, nfd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			if (keep != NULL && *nkeep < max) {
				keep[(*nkeep)++] = fd;
			} else {
				close(fd);
				closed++;
			}
		}
	}
	return closed;
}

static void
fe_read(struct conn *c)
{
	struct vrtc_frontdoor *fdr = c->dev->fdr;

	while (can_read_fe(c)) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * RX_CMSG_FDS)];
			struct cmsghdr align;
		} u;
		struct iovec iov;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct vrtc_vhu_hdr h;
		uint32_t want;
		ssize_t n;

		if (c->rx_len < VRTC_VHU_HDR_SIZE) {
			want = VRTC_VHU_HDR_SIZE - c->rx_len;
		} else {
			memcpy(&h, c->rx, sizeof(h));
			want = VRTC_VHU_HDR_SIZE + h.size - c->rx_len;
		}
		iov.iov_base = c->rx + c->rx_len;
		iov.iov_len = want;
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		n = recvmsg(c->fe, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			end_conn(c, VRTC_FRONTDOOR_EV_CLOSED, "front-end connection failed");
			return;
		}
		if (take_fds(&mh, c->rx_fds, &c->rx_nfds, VRTC_VHU_GUARD_MAX_FDS) != 0)
			c->rx_fds_truncated = 1;
		if (mh.msg_flags & MSG_CTRUNC) {
			reset_rx(c);
			drop_conn(c, "more fds than any message carries (control data truncated)");
			return;
		}
		if (n == 0) {
			end_conn(c, VRTC_FRONTDOOR_EV_CLOSED,
				 c->rx_len != 0 ? "front-end closed in the middle of a message"
						: "front-end closed the connection");
			return;
		}
		if (c->rx_len == 0)
			c->rx_deadline = now_ms() + fdr->cfg.msg_timeout_ms;
		c->rx_len += (uint32_t)n;
		if (c->rx_len < VRTC_VHU_HDR_SIZE)
			continue;
		memcpy(&h, c->rx, sizeof(h));
		if (c->rx_len == VRTC_VHU_HDR_SIZE) {
			const char *why = NULL;

			if (vrtc_vhu_guard_header(&c->guard, &h, &why) != 0) {
				char msg[160];

				c->dev->stats.messages_refused++;
				snprintf(msg, sizeof(msg), "%s (%" PRIu32 "): %s",
					 vrtc_vhu_guard_request_name(h.request), h.request, why);
				reset_rx(c);
				drop_conn(c, msg);
				return;
			}
		}
		if (c->rx_len == VRTC_VHU_HDR_SIZE + h.size)
			process_message(c);
	}
	if (!c->dead)
		set_interest(c);
}

static void
be_read(struct conn *c)
{
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * RX_CMSG_FDS)];
			struct cmsghdr align;
		} u;
		struct iovec iov;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct vrtc_vhu_hdr h;
		uint32_t nb_fds;
		const char *why = NULL;
		ssize_t n;
		int rc;

		if (c->dead)
			return;
		iov.iov_base = c->brx + c->brx_len;
		iov.iov_len = (c->brx_len < VRTC_VHU_HDR_SIZE ? VRTC_VHU_HDR_SIZE : REPLY_SIZE) -
			      c->brx_len;
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		n = recvmsg(c->be, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			end_conn(c, VRTC_FRONTDOOR_EV_CLOSED, "back-end connection failed");
			return;
		}
		nb_fds = take_fds(&mh, NULL, NULL, 0); /* replies carry none: closed */
		if (n == 0) {
			end_conn(c, VRTC_FRONTDOOR_EV_CLOSED, "back-end closed the connection");
			return;
		}
		if (c->replies == 0) {
			drop_conn(c, "back-end sent data nobody asked for");
			return;
		}
		if (nb_fds != 0 || (mh.msg_flags & MSG_CTRUNC)) {
			drop_conn(c, "back-end reply carries fds");
			return;
		}
		c->brx_len += (uint32_t)n;
		if (c->brx_len < VRTC_VHU_HDR_SIZE)
			continue;
		memcpy(&h, c->brx, sizeof(h));
		if (h.size != 8) {
			drop_conn(c, "back-end reply of a wrong size");
			return;
		}
		if (c->brx_len < REPLY_SIZE)
			continue;
		c->brx_len = 0;
		rc = vrtc_vhu_guard_reply(&c->guard, c->reply_request, &h,
					  c->brx + VRTC_VHU_HDR_SIZE, 0, &why);
		if (rc < 0) {
			drop_conn(c, why);
			return;
		}
		if (rc > 0) {
			CONN_LOG(c, VRTC_LOG_WARNING, "back-end refused %s",
				 vrtc_vhu_guard_request_name(c->reply_request));
			c->close_after_flush = 1;
			c->close_reason = why;
		}
		c->replies--;
		c->be_deadline = c->replies != 0 ? c->be_deadline : 0;
		if (c->ftx_off == c->ftx_len)
			c->ftx_off = c->ftx_len = 0;
		if (c->ftx_len + REPLY_SIZE > sizeof(c->ftx)) {
			drop_conn(c, "reply buffer full"); /* cannot happen in lock-step */
			return;
		}
		memcpy(c->ftx + c->ftx_len, c->brx, REPLY_SIZE);
		c->ftx_len += REPLY_SIZE;
		fe_flush(c);
	}
}

/* Whether the front-end of a live connection has already hung up (even
 * with bytes of it still unread). */
static int
peer_gone(const struct conn *c)
{
	struct pollfd p = { .fd = c->fe, .events = POLLRDHUP };

	if (poll(&p, 1, 0) != 1)
		return 0;
	return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

static int
dial(const char *path, int *out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		err = errno == EINPROGRESS ? EAGAIN : errno;
		close(s);
		return -err;
	}
	*out = s;
	return 0;
}

/* Serve front-end socket @p s on @p dev (it owns @p s from here on). */
static void
start_conn(struct device *dev, int s)
{
	struct vrtc_frontdoor *fdr = dev->fdr;
	struct epoll_event ev;
	struct conn *c;
	int be = -1, rc;

	rc = dial(dev->private_path, &be);
	if (rc != 0) {
		dev->stats.refused++;
		DEV_LOG(dev, VRTC_LOG_ERR, "connection refused: back-end %s not reachable (%s)",
			dev->private_path, strerror(-rc));
		emit(dev, VRTC_FRONTDOOR_EV_REFUSED, "back-end not reachable");
		close(s);
		if (dev->client && dev->reconnect_ms != 0)
			dev->redial_ms = now_ms() + dev->reconnect_ms;
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || vrtc_vhu_guard_init(&c->guard, &dev->guard_cfg) != 0) {
		free(c);
		close(s);
		close(be);
		dev->stats.refused++;
		DEV_LOG(dev, VRTC_LOG_ERR, "connection refused: out of memory");
		emit(dev, VRTC_FRONTDOOR_EV_REFUSED, "out of memory");
		return;
	}
	c->dev = dev;
	c->id = ++dev->next_conn_id;
	c->fe = s;
	c->be = be;
	c->fe_tag = (struct tag){ .kind = TAG_FE, .obj = c };
	c->be_tag = (struct tag){ .kind = TAG_BE, .obj = c };
	c->fe_events = EPOLLIN;
	c->be_events = EPOLLIN;
	ev.events = EPOLLIN;
	ev.data.ptr = &c->fe_tag;
	if (epoll_ctl(fdr->ep, EPOLL_CTL_ADD, s, &ev) != 0) {
		close(s);
		close(be);
		free(c);
		dev->stats.refused++;
		emit(dev, VRTC_FRONTDOOR_EV_REFUSED, "epoll_ctl failed");
		return;
	}
	ev.data.ptr = &c->be_tag;
	if (epoll_ctl(fdr->ep, EPOLL_CTL_ADD, be, &ev) != 0) {
		epoll_ctl(fdr->ep, EPOLL_CTL_DEL, s, NULL);
		close(s);
		close(be);
		free(c);
		dev->stats.refused++;
		emit(dev, VRTC_FRONTDOOR_EV_REFUSED, "epoll_ctl failed");
		return;
	}
	dev->conn = c;
	dev->redial_ms = 0;
	dev->stats.connections++;
	dev->stats.connected = 1;
	DEV_LOG(dev, VRTC_LOG_INFO, "connection #%" PRIu64 ": front-end %s", c->id,
		dev->client ? "dialled" : "accepted");
	emit(dev, VRTC_FRONTDOOR_EV_ACCEPTED, dev->client ? "dialled" : "accepted");
}

static void
pause_listener(struct device *dev)
{
	struct epoll_event ev = { .events = 0, .data.ptr = &dev->listen_tag };

	epoll_ctl(dev->fdr->ep, EPOLL_CTL_MOD, dev->listen_fd, &ev);
	dev->listen_resume_ms = now_ms() + ACCEPT_PAUSE_MS;
}

static void
resume_listener(struct device *dev)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &dev->listen_tag };

	epoll_ctl(dev->fdr->ep, EPOLL_CTL_MOD, dev->listen_fd, &ev);
	dev->listen_resume_ms = 0;
}

static void
on_listen(struct device *dev)
{
	int i;

	for (i = 0; i < ACCEPTS_PER_WAKE; i++) {
		int s = accept4(dev->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (s < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
			    errno == ECONNABORTED)
				return;
			/* EMFILE, ENFILE, ENOBUFS, ENOMEM: the connection waits in
			 * the backlog; pause instead of spinning on it. */
			dev->stats.accept_errors++;
			DEV_LOG(dev, VRTC_LOG_ERR, "accept failed: %s; retrying in %u ms",
				strerror(errno), ACCEPT_PAUSE_MS);
			pause_listener(dev);
			return;
		}
		if (dev->conn != NULL && peer_gone(dev->conn))
			end_conn(dev->conn, VRTC_FRONTDOOR_EV_CLOSED, "front-end closed the connection");
		if (dev->conn != NULL) {
			dev->stats.refused++;
			DEV_LOG(dev, VRTC_LOG_WARNING,
				"second connection refused: a front-end is already connected");
			emit(dev, VRTC_FRONTDOOR_EV_REFUSED, "a front-end is already connected");
			close(s);
			continue;
		}
		start_conn(dev, s);
	}
}

static void
client_dial(struct device *dev)
{
	int s = -1, rc;

	dev->redial_ms = 0;
	rc = dial(dev->public_path, &s);
	if (rc != 0) {
		DEV_LOG(dev, VRTC_LOG_NOTICE, "cannot reach the front-end at %s: %s%s",
			dev->public_path, strerror(-rc),
			dev->reconnect_ms != 0 ? "; will retry" : "");
		if (dev->reconnect_ms != 0)
			dev->redial_ms = now_ms() + dev->reconnect_ms;
		return;
	}
	start_conn(dev, s);
}

/* ---- timers ----------------------------------------------------------------- */

static uint64_t
earliest(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

static int
wait_ms(const struct vrtc_frontdoor *fdr)
{
	uint64_t next = 0, now = now_ms();
	const struct device *dev;

	for (dev = fdr->devices; dev != NULL; dev = dev->next) {
		const struct conn *c = dev->conn;

		next = earliest(next, dev->listen_resume_ms);
		next = earliest(next, dev->redial_ms);
		if (c != NULL) {
			next = earliest(next, c->rx_deadline);
			next = earliest(next, c->ftx_deadline);
			next = earliest(next, c->be_deadline);
		}
	}
	if (next == 0)
		return MAX_WAIT_MS;
	if (next <= now)
		return 0;
	return next - now > MAX_WAIT_MS ? MAX_WAIT_MS : (int)(next - now);
}

static void
run_timers(struct vrtc_frontdoor *fdr)
{
	uint64_t now = now_ms();
	struct device *dev;

	for (dev = fdr->devices; dev != NULL; dev = dev->next) {
		struct conn *c = dev->conn;

		/* A quiet limiter still reports what it suppressed. */
		if (dev->rl.suppressed != 0 && now - dev->rl.window_ms >= 1000u)
			rl_flush(&dev->rl, dev->name);
		if (c != NULL && !c->dead && c->rl.suppressed != 0 &&
		    now - c->rl.window_ms >= 1000u) {
			char pfx[NAME_MAX_LEN + 24];

			snprintf(pfx, sizeof(pfx), "%s#%" PRIu64, dev->name, c->id);
			rl_flush(&c->rl, pfx);
		}
		if (dev->listen_resume_ms != 0 && dev->listen_resume_ms <= now)
			resume_listener(dev);
		if (dev->client && dev->conn == NULL && dev->redial_ms != 0 &&
		    dev->redial_ms <= now)
			client_dial(dev);
		if (c == NULL || c->dead)
			continue;
		if (c->rx_deadline != 0 && c->rx_deadline <= now)
			drop_conn(c, "message not complete in time");
		else if (c->ftx_deadline != 0 && c->ftx_deadline <= now)
			drop_conn(c, "front-end does not read its replies");
		else if (c->be_deadline != 0 && c->be_deadline <= now)
			drop_conn(c, "back-end did not answer in time");
	}
}

static void
reap(struct vrtc_frontdoor *fdr)
{
	while (fdr->dead != NULL) {
		struct conn *c = fdr->dead;

		fdr->dead = c->next_dead;
		free(c);
	}
}

/* ---- the thread ------------------------------------------------------------- */

static void
handle(struct vrtc_frontdoor *fdr, const struct epoll_event *ev)
{
	struct tag *t = ev->data.ptr;
	struct conn *c;

	switch (t->kind) {
	case TAG_WAKE: {
		uint64_t v;

		if (read(fdr->wake, &v, sizeof(v)) < 0) {
			/* EAGAIN: another wake-up took it. */
		}
		return;
	}
	case TAG_LISTEN:
		on_listen(t->obj);
		return;
	case TAG_FE:
		c = t->obj;
		if (c->dead)
			return;
		if (ev->events & EPOLLOUT)
			fe_flush(c);
		if (!c->dead && (ev->events & EPOLLIN))
			fe_read(c);
		if (!c->dead && (ev->events & (EPOLLHUP | EPOLLERR)))
			end_conn(c, VRTC_FRONTDOOR_EV_CLOSED, "front-end hung up");
		return;
	case TAG_BE:
		c = t->obj;
		if (c->dead)
			return;
		if (ev->events & EPOLLOUT)
			be_flush(c);
		if (!c->dead && (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
			be_read(c);
		if (!c->dead && (ev->events & (EPOLLHUP | EPOLLERR)))
			end_conn(c, VRTC_FRONTDOOR_EV_CLOSED, "back-end hung up");
		return;
	}
}

static void *
thread_main(void *arg)
{
	struct vrtc_frontdoor *fdr = arg;
	struct epoll_event evs[64];

	pthread_mutex_lock(&fdr->lock);
	while (!__atomic_load_n(&fdr->stop, __ATOMIC_ACQUIRE)) {
		int timeout = wait_ms(fdr), n, i;
		uint64_t gen = fdr->gen;
		struct pending_event *list;

		pthread_mutex_unlock(&fdr->lock);
		n = epoll_wait(fdr->ep, evs, (int)(sizeof(evs) / sizeof(evs[0])), timeout);
		pthread_mutex_lock(&fdr->lock);
		if (__atomic_load_n(&fdr->stop, __ATOMIC_ACQUIRE))
			break;
		/* A removal may have freed what the events point to. */
		if (gen == fdr->gen)
			for (i = 0; i < n; i++)
				handle(fdr, &evs[i]);
		run_timers(fdr);
		reap(fdr);
		list = take_events(fdr);
		if (list != NULL) {
			pthread_mutex_unlock(&fdr->lock);
			dispatch(fdr, list);
			pthread_mutex_lock(&fdr->lock);
		}
	}
	pthread_mutex_unlock(&fdr->lock);
	return NULL;
}

static void
wake_thread(struct vrtc_frontdoor *fdr)
{
	uint64_t one = 1;

	if (write(fdr->wake, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, the thread wakes anyway. */
	}
}

/* ---- socket files ------------------------------------------------------------ */

/* Make room for our socket at @p path without deleting anything that is
 * not a socket left by a process that is gone. */
static int
check_public_path(struct device *dev)
{
	const char *path = dev->public_path;
	struct stat st, st2;
	int s, rc;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode)) {
		DEV_LOG(dev, VRTC_LOG_ERR, "%s is a symbolic link; left alone", path);
		return -EEXIST;
	}
	if (!S_ISSOCK(st.st_mode)) {
		DEV_LOG(dev, VRTC_LOG_ERR, "%s exists and is not a socket; left alone", path);
		return -EEXIST;
	}
	rc = dial(path, &s);
	if (rc == 0) {
		close(s);
		DEV_LOG(dev, VRTC_LOG_ERR, "another process listens on %s; left alone", path);
		return -EADDRINUSE;
	}
	if (rc == -EAGAIN) {
		DEV_LOG(dev, VRTC_LOG_ERR, "another process listens on %s (backlog full)", path);
		return -EADDRINUSE;
	}
	if (rc != -ECONNREFUSED) {
		DEV_LOG(dev, VRTC_LOG_ERR, "cannot probe %s: %s; left alone", path, strerror(-rc));
		return rc;
	}
	/* Stale: nobody listens. Remove it only if it is still that file. */
	if (lstat(path, &st2) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino || !S_ISSOCK(st2.st_mode))
		return -EEXIST;
	DEV_LOG(dev, VRTC_LOG_NOTICE, "removing stale socket %s", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static void
unlink_ours(struct device *dev)
{
	struct stat st;

	if (!dev->created)
		return;
	dev->created = 0;
	if (lstat(dev->public_path, &st) != 0)
		return;
	if (!S_ISSOCK(st.st_mode) || st.st_dev != dev->st_dev || st.st_ino != dev->st_ino) {
		DEV_LOG(dev, VRTC_LOG_NOTICE, "%s is no longer our socket; left alone",
			dev->public_path);
		return;
	}
	unlink(dev->public_path);
}

static int
open_listener(struct device *dev, mode_t mode, uid_t uid, gid_t gid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int s, rc;

	rc = check_public_path(dev);
	if (rc != 0)
		return rc;
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memcpy(sa.sun_path, dev->public_path, strlen(dev->public_path) + 1);
	/* The file is born 0600 (umask is per process: other threads creating
	 * files in this instant get a stricter mode, never a looser one). */
	old = umask(0177);
	rc = bind(s, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0) {
		rc = -errno;
		DEV_LOG(dev, VRTC_LOG_ERR, "cannot bind %s: %s", dev->public_path, strerror(-rc));
		close(s);
		return rc;
	}
	if (lstat(dev->public_path, &st) != 0) {
		rc = -errno;
		close(s);
		return rc;
	}
	dev->created = 1;
	dev->st_dev = st.st_dev;
	dev->st_ino = st.st_ino;
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && lchown(dev->public_path, uid, gid) != 0) {
		rc = -errno;
		DEV_LOG(dev, VRTC_LOG_ERR, "cannot chown %s: %s", dev->public_path, strerror(-rc));
		goto fail;
	}
	if ((st.st_mode & 07777) != mode && chmod(dev->public_path, mode) != 0) {
		rc = -errno;
		DEV_LOG(dev, VRTC_LOG_ERR, "cannot chmod %s: %s", dev->public_path, strerror(-rc));
		goto fail;
	}
	if (listen(s, 16) != 0) {
		rc = -errno;
		goto fail;
	}
	dev->listen_fd = s;
	return 0;
fail:
	close(s);
	unlink_ours(dev);
	return rc;
}

/* ---- public functions ---------------------------------------------------- */

int
vrtc_frontdoor_create(const struct vrtc_frontdoor_config *cfg, struct vrtc_frontdoor **out)
{
	struct vrtc_frontdoor *fdr;
	struct epoll_event ev;
	int rc;

	if (cfg == NULL || out == NULL)
		return -EINVAL;
	fdr = calloc(1, sizeof(*fdr));
	if (fdr == NULL)
		return -ENOMEM;
	fdr->cfg = *cfg;
	fdr->events_tail = &fdr->events;
	if (fdr->cfg.msg_timeout_ms == 0)
		fdr->cfg.msg_timeout_ms = DEFAULT_MSG_TIMEOUT_MS;
	if (fdr->cfg.send_timeout_ms == 0)
		fdr->cfg.send_timeout_ms = DEFAULT_SEND_TIMEOUT_MS;
	if (fdr->cfg.backend_timeout_ms == 0)
		fdr->cfg.backend_timeout_ms = DEFAULT_BACKEND_TIMEOUT_MS;
	if (fdr->cfg.log_lines_per_s == 0)
		fdr->cfg.log_lines_per_s = DEFAULT_LOG_LINES_PER_S;
	fdr->ep = epoll_create1(EPOLL_CLOEXEC);
	fdr->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fdr->ep < 0 || fdr->wake < 0) {
		rc = -errno;
		goto fail;
	}
	fdr->wake_tag = (struct tag){ .kind = TAG_WAKE, .obj = fdr };
	ev.events = EPOLLIN;
	ev.data.ptr = &fdr->wake_tag;
	if (epoll_ctl(fdr->ep, EPOLL_CTL_ADD, fdr->wake, &ev) != 0) {
		rc = -errno;
		goto fail;
	}
	rc = pthread_mutex_init(&fdr->lock, NULL);
	if (rc != 0) {
		rc = -rc;
		goto fail;
	}
	rc = pthread_create(&fdr->thread, NULL, thread_main, fdr);
	if (rc != 0) {
		pthread_mutex_destroy(&fdr->lock);
		rc = -rc;
		goto fail;
	}
	fdr->thread_started = 1;
	*out = fdr;
	return 0;
fail:
	if (fdr->ep >= 0)
		close(fdr->ep);
	if (fdr->wake >= 0)
		close(fdr->wake);
	free(fdr);
	return rc;
}

static struct device *
find_device(struct vrtc_frontdoor *fdr, const char *name)
{
	struct device *dev;

	for (dev = fdr->devices; dev != NULL; dev = dev->next)
		if (strcmp(dev->name, name) == 0)
			return dev;
	return NULL;
}

static int
copy_str(char *dst, size_t cap, const char *src)
{
	size_t n;

	if (src == NULL || src[0] == '\0')
		return -EINVAL;
	n = strlen(src);
	if (n >= cap)
		return -ENAMETOOLONG;
	memcpy(dst, src, n + 1);
	return 0;
}

int
vrtc_frontdoor_add_device(struct vrtc_frontdoor *fdr, const struct vrtc_frontdoor_device_params *p)
{
	struct vrtc_vhu_guard probe;
	struct pending_event *list;
	struct epoll_event ev;
	struct device *dev;
	int rc;

	if (fdr == NULL || p == NULL)
		return -EINVAL;
	rc = vrtc_vhu_guard_init(&probe, &p->guard);
	if (rc != 0)
		return rc;
	if ((p->mode & ~(mode_t)0777) != 0)
		return -EINVAL;
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		return -ENOMEM;
	dev->fdr = fdr;
	dev->listen_fd = -1;
	dev->client = p->client != 0;
	dev->reconnect_ms = p->reconnect_ms;
	dev->guard_cfg = p->guard;
	dev->listen_tag = (struct tag){ .kind = TAG_LISTEN, .obj = dev };
	if ((rc = copy_str(dev->name, sizeof(dev->name), p->name)) != 0 ||
	    (rc = copy_str(dev->public_path, sizeof(dev->public_path), p->public_path)) != 0 ||
	    (rc = copy_str(dev->private_path, sizeof(dev->private_path), p->private_path)) != 0) {
		free(dev);
		return rc;
	}
	if (strcmp(dev->public_path, dev->private_path) == 0) {
		free(dev);
		return -EINVAL;
	}
	pthread_mutex_lock(&fdr->lock);
	if (find_device(fdr, dev->name) != NULL) {
		rc = -EEXIST;
		goto fail;
	}
	if (!dev->client) {
		rc = open_listener(dev, p->mode != 0 ? p->mode : 0600, p->uid, p->gid);
		if (rc != 0)
			goto fail;
		ev.events = EPOLLIN;
		ev.data.ptr = &dev->listen_tag;
		if (epoll_ctl(fdr->ep, EPOLL_CTL_ADD, dev->listen_fd, &ev) != 0) {
			rc = -errno;
			close(dev->listen_fd);
			unlink_ours(dev);
			goto fail;
		}
	}
	dev->next = fdr->devices;
	fdr->devices = dev;
	if (dev->client) {
		client_dial(dev);
		if (dev->conn == NULL && dev->reconnect_ms == 0) {
			fdr->devices = dev->next;
			rc = -ECONNREFUSED;
			goto fail;
		}
	}
	vrtc_log(VRTC_LOGC_FRONTDOOR, VRTC_LOG_INFO, "%s: front door on %s (%s), back-end %s",
		 dev->name, dev->public_path, dev->client ? "dialling" : "listening",
		 dev->private_path);
	list = take_events(fdr);
	pthread_mutex_unlock(&fdr->lock);
	dispatch(fdr, list);
	wake_thread(fdr);
	return 0;
fail:
	list = take_events(fdr);
	pthread_mutex_unlock(&fdr->lock);
	dispatch(fdr, list);
	free(dev);
	return rc;
}

/* Lock held. */
static void
remove_locked(struct vrtc_frontdoor *fdr, struct device *dev)
{
	struct device **pp;

	for (pp = &fdr->devices; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			break;
		}
	}
	if (dev->conn != NULL)
		end_conn(dev->conn, VRTC_FRONTDOOR_EV_CLOSED, "device removed");
	if (dev->listen_fd >= 0) {
		epoll_ctl(fdr->ep, EPOLL_CTL_DEL, dev->listen_fd, NULL);
		close(dev->listen_fd);
		dev->listen_fd = -1;
	}
	unlink_ours(dev);
	reap(fdr);
	fdr->gen++;
	free(dev);
}

int
vrtc_frontdoor_remove_device(struct vrtc_frontdoor *fdr, const char *name)
{
	struct pending_event *list;
	struct device *dev;

	if (fdr == NULL || name == NULL)
		return -EINVAL;
	pthread_mutex_lock(&fdr->lock);
	dev = find_device(fdr, name);
	if (dev == NULL) {
		pthread_mutex_unlock(&fdr->lock);
		return -ENOENT;
	}
	remove_locked(fdr, dev);
	list = take_events(fdr);
	pthread_mutex_unlock(&fdr->lock);
	dispatch(fdr, list);
	wake_thread(fdr);
	return 0;
}

int
vrtc_frontdoor_get_stats(struct vrtc_frontdoor *fdr, const char *name,
			 struct vrtc_frontdoor_stats *st)
{
	struct device *dev;

	if (fdr == NULL || name == NULL || st == NULL)
		return -EINVAL;
	pthread_mutex_lock(&fdr->lock);
	dev = find_device(fdr, name);
	if (dev != NULL)
		*st = dev->stats;
	pthread_mutex_unlock(&fdr->lock);
	return dev != NULL ? 0 : -ENOENT;
}

void
vrtc_frontdoor_destroy(struct vrtc_frontdoor *fdr)
{
	struct pending_event *list;

	if (fdr == NULL)
		return;
	if (fdr->thread_started) {
		__atomic_store_n(&fdr->stop, 1, __ATOMIC_RELEASE); /* read by thread_main */
		wake_thread(fdr);
		pthread_join(fdr->thread, NULL);
	}
	pthread_mutex_lock(&fdr->lock);
	while (fdr->devices != NULL)
		remove_locked(fdr, fdr->devices);
	list = take_events(fdr);
	pthread_mutex_unlock(&fdr->lock);
	dispatch(fdr, list);
	pthread_mutex_destroy(&fdr->lock);
	close(fdr->ep);
	close(fdr->wake);
	free(fdr);
}
