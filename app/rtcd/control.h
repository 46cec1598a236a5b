/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal to dpdk-rtcd: the control socket (doc/control.md). A Unix stream
 * socket served from the main thread's loop: line in, reply out, every
 * byte from a client untrusted. The commands themselves are the caller's
 * (rtcd_control_params.exec); this file only moves bounded lines.
 */

#ifndef RTCD_CONTROL_H
#define RTCD_CONTROL_H

#include <stddef.h>
#include <sys/types.h>

/** Longest command line, without its newline. */
#define RTCD_CONTROL_MAX_LINE 4095
/** Clients served at once; one more is told "error EBUSY" and closed. */
#define RTCD_CONTROL_MAX_CLIENTS 8
/** A client without a complete line (or not reading its reply) this long is closed. */
#define RTCD_CONTROL_IDLE_S 30
/** Most bytes of one reply (a list of every device fits). */
#define RTCD_CONTROL_MAX_REPLY (512 * 1024)

/** A reply being built: bounded, append-only. */
struct rtcd_reply {
	char *buf;
	size_t len, cap;
	int overflow; /* something did not fit: the reply becomes an error */
};

/** Append to @p r (printf format). */
void rtcd_reply_printf(struct rtcd_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct rtcd_control_params {
	const char *path; /**< socket path */
	/** Run one command line (NUL-terminated, no newline, printable) and
	 * append its reply, every line ending in "\n". */
	void (*exec)(void *ctx, const char *line, struct rtcd_reply *reply);
	void *ctx;
};

/**
 * Create the socket (mode 0600) and listen. A socket file nobody listens on
 * (a daemon that died) is replaced; a live one is not.
 * @return 0, or -errno (-EADDRINUSE: another process listens there; -EEXIST:
 *   a file that is not a socket), logged to stderr.
 */
int rtcd_control_open(const struct rtcd_control_params *p);

/** Whether the socket is open. */
int rtcd_control_active(void);

/** Give the socket file to @p uid / @p gid (before dropping root). */
int rtcd_control_chown(uid_t uid, gid_t gid);

/**
 * Wait up to @p timeout_ms for control traffic (just sleep without a
 * socket), then serve what came: accept, read, run complete lines, write.
 * Never blocks on a client. Returns early on a signal.
 */
void rtcd_control_wait(int timeout_ms);

/** Close every client and the socket, and unlink the file if it is still
 * ours; @p report: say so on stderr when it cannot be unlinked. */
void rtcd_control_close(int report);

#endif /* RTCD_CONTROL_H */
