/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * dpdk-rtcd's control socket: a Unix stream socket, one command per line,
 * served from the main thread (never a worker), so control work is
 * serialised with everything else the main loop does.
 *
 * Every byte a client sends is untrusted: a line is at most
 * RTCD_CONTROL_MAX_LINE bytes of printable ASCII (tab allowed, a
 * trailing CR dropped); a longer one is answered "error E2BIG" and the
 * client closed; a line with other bytes is answered "error EINVAL". At
 * most RTCD_CONTROL_MAX_CLIENTS clients at once; the next is told "error
 * EBUSY" and closed at once. Sockets are non-blocking: a client that sends
 * half a line and goes silent, or does not read its reply, holds one slot
 * until RTCD_CONTROL_IDLE_S passes, never the loop. One command per client
 * is in flight: the next line is read only after the reply is written.
 * Peers are checked with SO_PEERCRED: root or the daemon's own uid.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"

struct client {
	int fd; /* -1: free slot */
	char in[RTCD_CONTROL_MAX_LINE + 2];
	size_t in_len;
	struct rtcd_reply out;
	size_t out_off;
	int closing; /* close once out is written */
	double last; /* last progress (CLOCK_MONOTONIC s) */
};

static struct {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ino_t ino;
	void (*exec)(void *ctx, const char *line, struct rtcd_reply *reply);
	void *ctx;
	struct client clients[RTCD_CONTROL_MAX_CLIENTS];
} ctl = { .fd = -1 };

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
rtcd_reply_printf(struct rtcd_reply *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->overflow)
		return;
	if (r->cap - r->len < 512 && r->cap < RTCD_CONTROL_MAX_REPLY) {
		size_t cap = r->cap == 0 ? 4096 : r->cap * 2;
		char *b;

		if (cap > RTCD_CONTROL_MAX_REPLY)
			cap = RTCD_CONTROL_MAX_REPLY;
		b = realloc(r->buf, cap);
		if (b == NULL) {
			r->overflow = 1;
			return;
		}
		r->buf = b;
		r->cap = cap;
	}
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, r->cap - r->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= r->cap - r->len) {
		/* Try once more with room (a long line near the end). */
		if (n >= 0 && r->len + (size_t)n + 1 <= RTCD_CONTROL_MAX_REPLY) {
			size_t cap = r->len + (size_t)n + 1;
			char *b = realloc(r->buf, cap);

			if (b != NULL) {
				r->buf = b;
				r->cap = cap;
				va_start(ap, fmt);
				vsnprintf(r->buf + r->len, r->cap - r->len, fmt, ap);
				va_end(ap);
				r->len += (size_t)n;
				return;
			}
		}
		r->overflow = 1;
		return;
	}
	r->len += (size_t)n;
}

static void
reply_reset(struct rtcd_reply *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

static void
client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	reply_reset(&c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Whether a live process listens on @p path. */
static int
someone_listens(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return 0;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc == 0;
}

int
rtcd_control_open(const struct rtcd_control_params *p)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old_umask;
	unsigned int i;
	int fd, rc;

	if (strlen(p->path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "dpdk-rtcd: control socket %s: path longer than %zu bytes\n",
			p->path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	if (lstat(p->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr, "dpdk-rtcd: control socket %s: a file that is not a socket "
				"is there (not removed)\n", p->path);
			return -EEXIST;
		}
		if (someone_listens(p->path)) {
			fprintf(stderr, "dpdk-rtcd: control socket %s: another process listens "
				"there (another dpdk-rtcd?); give --control PATH or --control none\n",
				p->path);
			return -EADDRINUSE;
		}
		unlink(p->path); /* left by a daemon that died */
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* 0600 from the start: no window in which others could connect. */
	old_umask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (rc != 0 || listen(fd, 16) != 0) {
		rc = -errno;
		fprintf(stderr, "dpdk-rtcd: control socket %s: %s\n", p->path, strerror(-rc));
		close(fd);
		return rc;
	}
	ctl.fd = fd;
	snprintf(ctl.path, sizeof(ctl.path), "%s", p->path);
	ctl.ino = lstat(p->path, &st) == 0 ? st.st_ino : 0;
	ctl.exec = p->exec;
	ctl.ctx = p->ctx;
	for (i = 0; i < RTCD_CONTROL_MAX_CLIENTS; i++) {
		memset(&ctl.clients[i], 0, sizeof(ctl.clients[i]));
		ctl.clients[i].fd = -1;
	}
	return 0;
}

int
rtcd_control_active(void)
{
	return ctl.fd >= 0;
}

int
rtcd_control_chown(uid_t uid, gid_t gid)
{
	if (ctl.fd < 0)
		return 0;
	return chown(ctl.path, uid, gid) == 0 ? 0 : -errno;
}

/* Root, or the account the daemon runs as now. */
static int
peer_allowed(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
		return 0;
	return cr.uid == 0 || cr.uid == geteuid();
}

static void
accept_clients(void)
{
	static const char busy[] = "error EBUSY: too many control clients; try again later\n";
	static const char denied[] = "error EACCES: only root or the daemon's account may "
				     "control it\n";
	unsigned int i, n;

	/* Bounded per wake-up: a flood of connects cannot hold the loop. */
	for (n = 0; n < 4 * RTCD_CONTROL_MAX_CLIENTS; n++) {
		int fd = accept4(ctl.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c = NULL;

		if (fd < 0)
			return;
		if (!peer_allowed(fd)) {
			(void)!send(fd, denied, sizeof(denied) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		for (i = 0; i < RTCD_CONTROL_MAX_CLIENTS; i++) {
			if (ctl.clients[i].fd < 0) {
				c = &ctl.clients[i];
				break;
			}
		}
		if (c == NULL) {
			(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->last = mono_s();
	}
}

/* Write what is pending; close when done and asked to. */
static void
client_flush(struct client *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			client_close(c);
			return;
		}
		c->out_off += (size_t)n;
		c->last = mono_s();
	}
	reply_reset(&c->out);
	c->out_off = 0;
	if (c->closing)
		client_close(c);
}

static void
reply_error(struct client *c, const char *msg)
{
	rtcd_reply_printf(&c->out, "%s\n", msg);
}

/* One complete line (without its newline) of @p len bytes at c->in. */
static void
run_line(struct client *c, size_t len)
{
	char *line = c->in;
	size_t i;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];

		if ((ch < 0x20 && ch != '\t') || ch >= 0x7f) {
			reply_error(c, "error EINVAL: the line has a byte that is not printable "
				    "ASCII (a control, NUL or 8-bit byte)");
			return;
		}
	}
	ctl.exec(ctl.ctx, line, &c->out);
	if (c->out.overflow) {
		reply_reset(&c->out);
		reply_error(c, "error ENOBUFS: the reply does not fit the reply limit");
	}
}

/* Read and run lines while there is no reply pending. */
static void
client_read(struct client *c)
{
	for (;;) {
		char *nl;
		ssize_t n;

		if (c->out.len != 0 || c->closing)
			return;
		nl = memchr(c->in, '\n', c->in_len);
		if (nl != NULL) {
			size_t len = (size_t)(nl - c->in), rest = c->in_len - len - 1;

			run_line(c, len);
			memmove(c->in, nl + 1, rest);
			c->in_len = rest;
			c->last = mono_s();
			client_flush(c);
			if (c->fd < 0)
				return;
			continue;
		}
		if (c->in_len > RTCD_CONTROL_MAX_LINE) {
			/* No newline within the limit: say so, then close. */
			reply_error(c, "error E2BIG: line longer than 4095 bytes");
			c->closing = 1;
			client_flush(c);
			return;
		}
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			client_close(c);
			return;
		}
		if (n < 0)
			return;
		c->in_len += (size_t)n;
		c->last = mono_s();
	}
}

void
rtcd_control_wait(int timeout_ms)
{
	struct pollfd pfd[1 + RTCD_CONTROL_MAX_CLIENTS];
	struct client *owner[1 + RTCD_CONTROL_MAX_CLIENTS];
	unsigned int i, n = 0;
	double now;

	if (ctl.fd < 0) {
		struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		return;
	}
	pfd[n] = (struct pollfd){ .fd = ctl.fd, .events = POLLIN };
	owner[n++] = NULL;
	for (i = 0; i < RTCD_CONTROL_MAX_CLIENTS; i++) {
		struct client *c = &ctl.clients[i];

		if (c->fd < 0)
			continue;
		pfd[n] = (struct pollfd){ .fd = c->fd,
					  .events = c->out.len != 0 ? POLLOUT : POLLIN };
		owner[n++] = c;
	}
	if (poll(pfd, n, timeout_ms) > 0) {
		for (i = 1; i < n; i++) {
			struct client *c = owner[i];

			if (pfd[i].revents == 0 || c->fd != pfd[i].fd)
				continue;
			if (c->out.len != 0)
				client_flush(c);
			if (c->fd >= 0)
				client_read(c);
		}
		if (pfd[0].revents & POLLIN)
			accept_clients();
	}
	now = mono_s();
	for (i = 0; i < RTCD_CONTROL_MAX_CLIENTS; i++) {
		struct client *c = &ctl.clients[i];

		if (c->fd >= 0 && now - c->last > RTCD_CONTROL_IDLE_S)
			client_close(c);
	}
}

void
rtcd_control_close(int report)
{
	struct stat st;
	unsigned int i;

	if (ctl.fd < 0)
		return;
	for (i = 0; i < RTCD_CONTROL_MAX_CLIENTS; i++)
		client_close(&ctl.clients[i]);
	close(ctl.fd);
	ctl.fd = -1;
	/* Only the file this run created: a later daemon may own the path. */
	if (lstat(ctl.path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == ctl.ino &&
	    unlink(ctl.path) != 0 && report)
		fprintf(stderr, "dpdk-rtcd: could not remove control socket %s: %s\n", ctl.path,
			strerror(errno));
}
