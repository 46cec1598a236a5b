/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/**
 * @file
 * User-space vhost-user front-end: the driver side of a virtio-rtc or
 * virtio-rng device, as a guest kernel would drive it, for tests and
 * benchmarks. It talks to any vhost-user back-end (ours or another
 * implementation) over a UNIX socket.
 *
 * Created by the vdev drivers `rtc_virtio_user` / `rng_virtio_user`
 * (`--vdev rtc_virtio_user0,path=SOCK`) or with vrtc_fe_create().
 *
 * Memory: request and response buffers must live in EAL memory
 * (rte_malloc, mempools): the front-end shares EAL memory with the back-end
 * by file descriptor, with guest-physical address = virtual address. EAL
 * must therefore run with `--in-memory` or `--single-file-segments`
 * (otherwise every hugepage is a region and the vhost-user limit of 8
 * regions is hit). See doc/frontend.md.
 *
 * Threads: one queue is driven by one thread at a time; the control
 * functions (create, connect, disconnect, destroy) must not run
 * concurrently with the burst functions on the same device.
 */

#ifndef VRTC_FRONTEND_H
#define VRTC_FRONTEND_H

#include <stdint.h>

#include "vrtc.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Parameters of one front-end. Zeroed fields take the defaults. */
struct vrtc_fe_params {
	enum vrtc_device_type type; /**< rtc (2 queues offered) or rng (1) */
	const char *name;	    /**< unique; copied */
	const char *path;	    /**< back-end socket; copied */
	uint16_t queue_size;	    /**< power of two <= 32768 (default 256) */
	uint16_t nb_queues;	    /**< rtc: 1 (requestq only, default) or 2 */
	/** Use one indirect descriptor per request, as Linux does (only if
	 * the back-end offers VIRTIO_RING_F_INDIRECT_DESC). */
	int indirect;
	/** Do not negotiate VIRTIO_RING_F_EVENT_IDX even if offered. */
	int no_event_idx;
	/** Give up connecting after this many ms (default 5000). */
	uint32_t connect_timeout_ms;
};

/** One request or buffer to post. */
struct vrtc_fe_req {
	const void *out;  /**< device-readable bytes (EAL memory), or NULL */
	uint32_t out_len;
	void *in;	  /**< device-writable bytes (EAL memory) */
	uint32_t in_len;
	void *cookie;	  /**< returned with the completion */
};

/** One completion. */
struct vrtc_fe_done {
	void *cookie;
	uint32_t len; /**< used length the back-end reported */
};

struct vrtc_fe;

/** Fill @p p with the defaults for a front-end of @p type. */
void vrtc_fe_params_init(struct vrtc_fe_params *p, enum vrtc_device_type type);

/**
 * Create a front-end and connect it: negotiate features, share EAL memory,
 * set up and enable the rings.
 * @return 0 with @p out set, or -errno with the reason logged (-ECONNREFUSED,
 *   -ETIMEDOUT, -EPROTO: the back-end broke the protocol, -ENOTSUP: it lacks
 *   VIRTIO_F_VERSION_1, -E2BIG: too many memory regions, ...).
 */
int vrtc_fe_create(const struct vrtc_fe_params *p, struct vrtc_fe **out);

/** Disconnect (if connected) and free. */
int vrtc_fe_destroy(struct vrtc_fe *fe);

/** Find a front-end by name (one created by a vdev, for instance). */
struct vrtc_fe *vrtc_fe_lookup(const char *name);

/**
 * Stop the rings (GET_VRING_BASE) and close the connection. Requests in
 * flight are abandoned: their buffers may still be written by a back-end
 * that has not yet seen the disconnect, so do not free them before
 * vrtc_fe_connect() or vrtc_fe_destroy() returns.
 */
int vrtc_fe_disconnect(struct vrtc_fe *fe);

/** Connect again after vrtc_fe_disconnect(), with fresh rings. */
int vrtc_fe_connect(struct vrtc_fe *fe);

/** Negotiated virtio features (0 while disconnected). */
uint64_t vrtc_fe_features(const struct vrtc_fe *fe);

/** Number of queues set up. */
uint16_t vrtc_fe_nb_queues(const struct vrtc_fe *fe);

/**
 * Make up to @p n requests available on queue @p qid, publish them with one
 * store of avail->idx and kick the back-end if it asked for kicks.
 * @return the number posted (fewer when the ring is full; 0 when the queue
 *   is broken or the front-end disconnected).
 */
uint16_t vrtc_fe_enqueue(struct vrtc_fe *fe, uint16_t qid, const struct vrtc_fe_req *reqs,
			 uint16_t n);

/** Collect up to @p n completions of queue @p qid. */
uint16_t vrtc_fe_dequeue(struct vrtc_fe *fe, uint16_t qid, struct vrtc_fe_done *done, uint16_t n);

/** Requests posted on @p qid and not yet dequeued. */
uint16_t vrtc_fe_inflight(const struct vrtc_fe *fe, uint16_t qid);

/**
 * Non-zero when queue @p qid stopped trusting the back-end (a used element
 * naming a buffer not in flight, a used length above the buffer, ...).
 */
int vrtc_fe_queue_broken(const struct vrtc_fe *fe, uint16_t qid);

#ifdef __cplusplus
}
#endif

#endif /* VRTC_FRONTEND_H */
