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
 *  7. clock_id not a clock: ENODEV.
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

/** One virtio-rtc device's state. */
struct vrtc_rtc_model {
	uint16_t nb_clocks;
	uint64_t features; /**< negotiated device feature bits */
	struct vrtc_clock clocks[VRTC_RTC_MAX_CLOCKS];
	struct vrtc_rtc_stats stats;
};

/**
 * Initialise a model with @p nb clocks (ids 0 .. nb-1 in array order).
 * The clock set is fixed for the model's life (CFG and CLOCK_CAP never
 * change). @return 0, or -EINVAL (nb > VRTC_RTC_MAX_CLOCKS, a clock without
 * read, a smearing variant on a clock that is not UTC_SMEARED).
 */
int vrtc_rtc_model_init(struct vrtc_rtc_model *m, const struct vrtc_clock *clocks, uint16_t nb);

/** Device feature bits this model can offer (alarms come later: 0 for now). */
uint64_t vrtc_rtc_model_offered_features(const struct vrtc_rtc_model *m);

/** Record the negotiated feature bits (after FEATURES_OK). */
void vrtc_rtc_model_set_features(struct vrtc_rtc_model *m, uint64_t negotiated);

/**
 * Handle one requestq chain: read the request once into private memory,
 * answer it in the writable part.
 * @return the used length (bytes written).
 */
uint32_t vrtc_rtc_handle(struct vrtc_rtc_model *m, const struct vrtc_chain *chain);

/** Name of a message type ("READ", "CFG", ...), or NULL when unknown. */
const char *vrtc_rtc_msg_name(uint16_t msg_type);

#endif /* VRTC_RTC_MODEL_H */
