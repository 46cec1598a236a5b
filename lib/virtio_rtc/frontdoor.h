/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The vhost-user front door: a connection layer that owns each device's
 * public vhost-user socket, accepts (or dials) the front-end, reads every
 * message with a bounded wait, has it checked by the guard (vhu_guard.h)
 * and forwards whole messages with their fds to the back-end (rte_vhost,
 * registered as a server on a private path), relaying the replies back.
 * Plain POSIX, no DPDK: it can run in a process of its own.
 *
 * One thread of its own (epoll) serves every device of a front door. The
 * functions below may be called from any thread (from the event callback
 * too, except vrtc_frontdoor_destroy()).
 * See frontdoor.c and doc/frontdoor.md for the policies.
 */

#ifndef VRTC_FRONTDOOR_H
#define VRTC_FRONTDOOR_H

#include <stdint.h>
#include <sys/types.h>

#include "vhu_guard.h"

struct vrtc_frontdoor;

/** Connection events reported to the library. */
enum vrtc_frontdoor_event {
	VRTC_FRONTDOOR_EV_ACCEPTED, /**< a front-end connected (or was dialled) */
	VRTC_FRONTDOOR_EV_REFUSED,  /**< a connection was closed at once (second one, no back-end) */
	VRTC_FRONTDOOR_EV_DROPPED,  /**< a live connection was closed by the front door */
	VRTC_FRONTDOOR_EV_CLOSED,   /**< a live connection ended (EOF of either side) */
};

/**
 * Event callback, called without any lock of the front door held, in the
 * order the events happened: on the front door's thread, or in the thread
 * calling vrtc_frontdoor_add_device() / _remove_device() / _destroy() for
 * the connections they open or close (so possibly from two threads at
 * once). It may take its own locks and call vrtc_frontdoor_get_stats(),
 * _add_device() and _remove_device(), never vrtc_frontdoor_destroy().
 * It should return fast: the front door's thread waits for it.
 * @p device and @p reason are valid during the call only.
 */
typedef void (*vrtc_frontdoor_event_cb)(void *arg, const char *device,
					enum vrtc_frontdoor_event ev, const char *reason);

/** Front door settings; zero fields take the defaults in brackets. */
struct vrtc_frontdoor_config {
	uint32_t msg_timeout_ms;     /**< a started message must be complete [2000] */
	uint32_t send_timeout_ms;    /**< the front-end must take a reply [2000] */
	uint32_t backend_timeout_ms; /**< the back-end must take a message / reply [10000] */
	uint32_t log_lines_per_s;    /**< log lines per connection per second [10] */
	vrtc_frontdoor_event_cb event_cb; /**< may be NULL */
	void *event_arg;
};

/** One device's sockets and checks. */
struct vrtc_frontdoor_device_params {
	const char *name;	  /**< for logs and lookups; copied */
	const char *public_path;  /**< the front-end's socket; copied */
	const char *private_path; /**< the back-end listens here; copied */
	/** 0: listen on public_path (created by the front door);
	 *  1: dial a front-end listening on public_path (QEMU server=on). */
	int client;
	uint32_t reconnect_ms;	  /**< client: redial delay after a failure or EOF; 0: never */
	mode_t mode;		  /**< server: socket file mode [0600 when 0] */
	uid_t uid;		  /**< server: owner, (uid_t)-1 keeps ours */
	gid_t gid;		  /**< server: group, (gid_t)-1 keeps ours */
	struct vrtc_vhu_guard_config guard;
};

/** Per-device counters (since vrtc_frontdoor_add_device()). */
struct vrtc_frontdoor_stats {
	uint64_t connections;	   /**< connections accepted or dialled and served */
	uint64_t refused;	   /**< connections closed at once */
	uint64_t dropped;	   /**< connections closed for a violation or a timeout */
	uint64_t closed;	   /**< connections ended by a peer */
	uint64_t messages;	   /**< messages forwarded to the back-end */
	uint64_t messages_refused; /**< messages refused, absorbed or causing a drop */
	uint64_t accept_errors;	   /**< accept() failures (fd exhaustion) */
	uint32_t connected;	   /**< 1 while a front-end is connected */
};

/**
 * Create a front door and start its thread.
 * @return 0 and *out, or -errno (-EINVAL: NULL arguments; resources).
 */
int vrtc_frontdoor_create(const struct vrtc_frontdoor_config *cfg, struct vrtc_frontdoor **out);

/**
 * Stop the thread (promptly, whatever the front-ends do), close every
 * connection and remove every device (unlinking the sockets it created).
 * NULL is a no-op.
 */
void vrtc_frontdoor_destroy(struct vrtc_frontdoor *fdr);

/**
 * Add a device. Server mode: creates the listening socket at
 * p->public_path; a file that is not a socket, a symlink, or a socket
 * somebody listens on is left alone (-EEXIST, -EEXIST, -EADDRINUSE); a
 * socket nobody listens on (left by a process that is gone) is replaced.
 * Client mode: dials p->public_path now and, on failure, every
 * p->reconnect_ms.
 * @return 0, -EINVAL (bad params or guard config: see
 *   vrtc_vhu_guard_init()), -ENOTSUP, -EEXIST (name taken, or a file in
 *   the way), -EADDRINUSE, -ENAMETOOLONG, or another -errno.
 */
int vrtc_frontdoor_add_device(struct vrtc_frontdoor *fdr,
			      const struct vrtc_frontdoor_device_params *p);

/**
 * Remove a device: close its connection (the back-end sees EOF), close the
 * listener, and unlink the socket file if it is still the one the front
 * door created (same device and inode).
 * @return 0 or -ENOENT.
 */
int vrtc_frontdoor_remove_device(struct vrtc_frontdoor *fdr, const char *name);

/** Copy a device's counters. @return 0 or -ENOENT. */
int vrtc_frontdoor_get_stats(struct vrtc_frontdoor *fdr, const char *name,
			     struct vrtc_frontdoor_stats *st);

/** Name of an event for log lines. */
const char *vrtc_frontdoor_event_name(enum vrtc_frontdoor_event ev);

#endif /* VRTC_FRONTDOOR_H */
