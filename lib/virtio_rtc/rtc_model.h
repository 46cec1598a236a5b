/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * virtio-rtc device model (device ID 17): one requestq chain in, status and
 * response bytes out. Pure: no DPDK, no vhost, no sockets, no allocation.
 *
 * Rules (VIRTIO 1.4, RTC device; the order of checks is this project's
 * reading of the spec and is documented in doc/virtio-rtc.md):
 *  1. No writable byte: nothing is written, used length 0.
 *  2. Readable part shorter than the 8-byte header: EINVAL.
 *  3. Unknown msg_type: EOPNOTSUPP.
 *  4. Readable part shorter than the request of that type: EINVAL.
 *  5. Writable part shorter than the response of that type: EINVAL.
 *  6. Alarm requests while VIRTIO_RTC_F_ALARM is not negotiated: ENODEV.
 *  7. clock_id not a clock, or (alarm requests) a clock without an alarm:
 *     ENODEV.
 *  8. hw_counter: 0xFF (INVALID) EINVAL; other values unknown to the device
 *     EOPNOTSUPP; a known counter the clock cannot cross-timestamp:
 *     CROSS_CAP answers OK with the flag clear, READ_CROSS EOPNOTSUPP.
 *  9. A clock read that fails: EIO.
 * Error responses are the 8-byte header (status, zeroed reserved bytes), or
 * as many of its bytes as fit; OK responses are the full response struct,
 * reserved bytes zero. The used length is the number of bytes written.
 * Extra readable or writable space is ignored.
 */

#ifndef VRTC_RTC_MODEL_H
#define VRTC_RTC_MODEL_H

#include <stdint.h>

#include "chain.h"
#include "clock.h"
#include "vrtc_wire.h"

/** Most clocks one device serves. */
#define VRTC_RTC_MAX_CLOCKS 16

/** Counters of one device's requestq; single writer (the poller). */
struct vrtc_rtc_stats {
	uint64_t requests;		       /**< chains handled */
	uint64_t status[VRTC_RTC_S_COUNT];     /**< responses by status */
	uint64_t no_status;		       /**< no writable byte: nothing written */
	uint64_t reads;			       /**< READ answered OK */
	uint64_t cross_reads;		       /**< READ_CROSS answered OK */
	uint64_t response_bytes;	       /**< sum of the used lengths */
};

/** Counters of the alarms of one device; single writer (the poller). */
struct vrtc_rtc_alarm_stats {
	uint64_t set;		/**< SET_ALARM answered OK */
	uint64_t enabled_set;	/**< SET_ALARM_ENABLED answered OK */
	uint64_t expired;	/**< expiry events */
	uint64_t notifications; /**< NOTIF_ALARM written */
	uint64_t cancelled;	/**< undelivered expiries a disable or a new time dropped */
	uint64_t coalesced;	/**< expiries that found one undelivered already */
	uint64_t evaluations;	/**< vrtc_rtc_alarms_evaluate() calls */
};

/*
 * One clock's alarm. An expiry event is the clock moving from before
 * @c time to at or past it while enabled (seen by an evaluation), or the
 * driver setting or enabling it with the time not in the future. Each
 * event leaves one undelivered notification (@c pending; events before
 * its delivery coalesce into it) until an alarmq buffer takes it.
 */
struct vrtc_rtc_alarm {
	uint64_t time;	 /**< alarm_time, ns of the clock */
	uint8_t enabled; /**< ALARM_ENABLED */
	uint8_t reached; /**< the clock was at or past @c time when last looked at */
	uint8_t pending; /**< an expiry waits for an alarmq buffer */
};

/** One virtio-rtc device's state. */
struct vrtc_rtc_model {
	uint16_t nb_clocks;
	uint64_t features; /**< negotiated device feature bits */
	uint32_t alarm_clocks; /**< bit i: clock i has an alarm */
	uint32_t pending;      /**< bit i: clock i has an undelivered expiry */
	uint8_t alarms_dirty;  /**< an alarm changed since the last evaluation */
	struct vrtc_clock clocks[VRTC_RTC_MAX_CLOCKS];
	struct vrtc_rtc_alarm alarms[VRTC_RTC_MAX_CLOCKS];
	struct vrtc_rtc_stats stats;
	struct vrtc_rtc_alarm_stats alarm_stats;
};

/** Longest an evaluation lets pass before the next one while an alarm is
 * armed: bounds how late an alarm on a clock that steps without notice (an
 * application clock) or runs at another rate (the smeared clock) can be. */
#define VRTC_RTC_ALARM_RECHECK_NS UINT64_C(1000000000)

/**
 * Initialise a model with @p nb clocks (ids 0 .. nb-1 in array order).
 * The clock set is fixed for the model's life (CFG and CLOCK_CAP never
 * change); clocks with @c alarm set have one (initially time 0, disabled).
 * @return 0, or -EINVAL (nb > VRTC_RTC_MAX_CLOCKS, a clock without
 * read, a smearing variant on a clock that is not UTC_SMEARED).
 */
int vrtc_rtc_model_init(struct vrtc_rtc_model *m, const struct vrtc_clock *clocks, uint16_t nb);

/** Device feature bits this model can offer: VIRTIO_RTC_F_ALARM when a
 * clock has an alarm. */
uint64_t vrtc_rtc_model_offered_features(const struct vrtc_rtc_model *m);

/**
 * Record the negotiated feature bits (after FEATURES_OK). Without
 * VIRTIO_RTC_F_ALARM the alarms are reset (there is no alarm to keep).
 */
void vrtc_rtc_model_set_features(struct vrtc_rtc_model *m, uint64_t negotiated);

/** Put every alarm back to its initial state (time 0, disabled), dropping
 * undelivered expiries: the front-end went away. */
void vrtc_rtc_alarms_reset(struct vrtc_rtc_model *m);

/**
 * Look at every enabled alarm: read its clock and record an expiry for
 * each that moved from before its time to at or past it.
 * @param mono_now_ns  CLOCK_MONOTONIC now, the base of the returned deadline
 * @return when to evaluate next (CLOCK_MONOTONIC ns): the soonest alarm
 *   time estimated from its clock's distance to it, at most
 *   VRTC_RTC_ALARM_RECHECK_NS ahead (also for an enabled alarm already
 *   reached: its clock may go back and reach it again); UINT64_MAX when no
 *   alarm is enabled. Clears alarms_dirty.
 */
uint64_t vrtc_rtc_alarms_evaluate(struct vrtc_rtc_model *m, uint64_t mono_now_ns);

/** Whether an expiry waits for an alarmq buffer. */
static inline int
vrtc_rtc_alarm_pending(const struct vrtc_rtc_model *m)
{
	return m->pending != 0;
}

/** Bytes of writable space an alarmq buffer needs (one NOTIF_ALARM). */
#define VRTC_RTC_NOTIF_BYTES 16

/**
 * Deliver the oldest-numbered undelivered expiry as NOTIF_ALARM into the
 * writable part of @p chain (at least VRTC_RTC_NOTIF_BYTES: the caller
 * checks). @return the used length (16), or 0 when nothing was pending.
 */
uint32_t vrtc_rtc_alarm_deliver(struct vrtc_rtc_model *m, const struct vrtc_chain *chain);

/**
 * Handle one requestq chain: read the request once into private memory,
 * answer it in the writable part.
 * @return the used length (bytes written).
 */
uint32_t vrtc_rtc_handle(struct vrtc_rtc_model *m, const struct vrtc_chain *chain);

/** Name of a message type ("READ", "CFG", ...), or NULL when unknown. */
const char *vrtc_rtc_msg_name(uint16_t msg_type);

#endif /* VRTC_RTC_MODEL_H */
