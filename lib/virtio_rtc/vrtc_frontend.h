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
 *
 * Alarms (virtio-rtc, VIRTIO_RTC_F_ALARM): with vrtc_fe_params.alarm set
 * and nb_queues 2, the front-end negotiates the feature when the back-end
 * offers it and owns the alarmq (queue 1): at every connect it posts
 * vrtc_fe_params.alarm_buffers 16-byte writable buffers, and
 * vrtc_fe_alarm_poll() collects the used ones, decodes them and posts each
 * again. Alarm requests (READ_ALARM, SET_ALARM, SET_ALARM_ENABLED) go on
 * the requestq like any other; vrtc_fe_rtc_set_alarm_req() and its
 * siblings fill them in.
 */

#ifndef VRTC_FRONTEND_H
#define VRTC_FRONTEND_H

#include <stdint.h>

#include "vrtc.h"
#include "vrtc_wire.h"

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
	/** rtc: negotiate VIRTIO_RTC_F_ALARM when offered and keep the alarmq
	 * stocked (needs nb_queues 2). Queue 1 then belongs to the front-end:
	 * read it with vrtc_fe_alarm_poll(); vrtc_fe_enqueue() and
	 * vrtc_fe_dequeue() on it return 0. */
	int alarm;
	/** alarmq buffers kept posted, 1..queue_size (default 16). */
	uint16_t alarm_buffers;
	/** 1: use packed rings (VIRTIO_F_RING_PACKED, bit 34). The back-end
	 * must offer it: connecting fails with -ENOTSUP when it does not.
	 * (Last, in what was the struct's tail padding: its size and the other
	 * offsets are those of ABI 0.2.) */
	uint8_t packed;
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

/* ------------------------------------------------------------------------ */
/* virtio-rtc alarms                                                         */
/* ------------------------------------------------------------------------ */

/** One decoded NOTIF_ALARM. */
struct vrtc_fe_alarm {
	uint16_t clock_id; /**< the clock whose alarm expired */
};

/** alarmq counters of one front-end (since it was created). */
struct vrtc_fe_alarm_stats {
	uint64_t notifications; /**< well-formed NOTIF_ALARMs returned */
	uint64_t short_bufs;	/**< completions with used length < 16 (not trusted) */
	uint64_t unknown;	/**< 16 bytes, but not a NOTIF_ALARM: another msg_type or
				     non-zero reserved bytes (not trusted) */
	uint64_t reposted;	/**< buffers made available again after use */
	uint64_t repost_failed; /**< buffers that could not be posted again */
	uint16_t posted;	/**< buffers with the back-end now */
};

/**
 * Collect the alarmq's completions: decode each, count what is not a
 * well-formed NOTIF_ALARM (struct vrtc_fe_alarm_stats), post every buffer
 * again (one kick at most) and return up to @p n notifications. Completions
 * beyond @p n stay on the ring for the next call.
 * @warning experimental
 * @return the number of notifications stored in @p out; 0 when the
 *   front-end is disconnected, was created without alarm, or
 *   VIRTIO_RTC_F_ALARM was not negotiated.
 */
uint16_t vrtc_fe_alarm_poll(struct vrtc_fe *fe, struct vrtc_fe_alarm *out, uint16_t n);

/**
 * Read the alarmq counters.
 * @warning experimental
 * @return 0, or -EINVAL for a NULL argument.
 */
int vrtc_fe_alarm_stats_get(const struct vrtc_fe *fe, struct vrtc_fe_alarm_stats *st);

/**
 * Decode one alarmq buffer the back-end used.
 * @warning experimental
 * @param buf the buffer's bytes
 * @param len the used length the back-end reported
 * @param[out] clock_id the clock of the notification (on success only)
 * @return 0 for a NOTIF_ALARM (16 bytes, msg_type 0x2000, reserved bytes
 *   zero), -EMSGSIZE when @p len is not 16 (a short buffer's completion),
 *   -EPROTO for anything else.
 */
int vrtc_fe_alarm_decode(const void *buf, uint32_t len, uint16_t *clock_id);

/**
 * Fill a READ_ALARM request.
 * @warning experimental
 * @return the request's length in bytes (16); its response is 24 bytes.
 */
uint32_t vrtc_fe_rtc_read_alarm_req(struct vrtc_rtc_req_read_alarm *req, uint16_t clock_id);

/**
 * Fill a SET_ALARM request: alarm time @p alarm_time (ns on the clock's own
 * scale) and enabled flag @p enabled (non-zero: VIRTIO_RTC_FLAG_ALARM_ENABLED).
 * @warning experimental
 * @return the request's length in bytes (24); its response is 8 bytes.
 */
uint32_t vrtc_fe_rtc_set_alarm_req(struct vrtc_rtc_req_set_alarm *req, uint16_t clock_id,
				   uint64_t alarm_time, int enabled);

/**
 * Fill a SET_ALARM_ENABLED request.
 * @warning experimental
 * @return the request's length in bytes (16); its response is 8 bytes.
 */
uint32_t vrtc_fe_rtc_set_alarm_enabled_req(struct vrtc_rtc_req_set_alarm_enabled *req,
					   uint16_t clock_id, int enabled);

/**
 * The status of any virtio-rtc response.
 * @warning experimental
 * @return the status byte (VRTC_RTC_S_*), or -EPROTO when @p len is below
 *   the 8-byte header or a reserved header byte is not zero.
 */
int vrtc_fe_rtc_status(const void *resp, uint32_t len);

/**
 * Decode a READ_ALARM response.
 * @warning experimental
 * @param[out] alarm_time,enabled the alarm (when the status is OK)
 * @return the status byte (VRTC_RTC_S_*), or -EPROTO: short header, a
 *   reserved byte not zero, or an OK response that is not 24 bytes.
 */
int vrtc_fe_rtc_read_alarm_resp(const void *resp, uint32_t len, uint64_t *alarm_time,
				int *enabled);

#ifdef __cplusplus
}
#endif

#endif /* VRTC_FRONTEND_H */
