/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: what the device layer asks of the pollers. A poller serves a
 * set of queues; the set is replaced under RCU. All calls here come from
 * control threads holding the device lock (device.h), never from a poller.
 */

#ifndef VRTC_POLLER_H
#define VRTC_POLLER_H

#include "queue.h"
#include "vrtc.h"

/** Add @p nb queues to @p p's set / remove them (waits a grace period). */
int vrtc_poller_queues_add(struct vrtc_poller *p, struct vrtc_queue *const *qs, uint16_t nb);
int vrtc_poller_queues_remove(struct vrtc_poller *p, struct vrtc_queue *const *qs, uint16_t nb);

/** Hand a set-up queue to its poller (release store of running = 1). */
void vrtc_poller_queue_publish(struct vrtc_queue *q);

/**
 * Take a queue back: store running = 0 and wait until no poll call that
 * could have seen it running is still under way.
 */
void vrtc_poller_queue_quiesce(struct vrtc_queue *q);

/** Wake a poller sleeping in vrtc_poller_sleep_prepare()'s fd. */
void vrtc_poller_wake(struct vrtc_poller *p);

/**
 * How many host clock steps (settimeofday, clock_settime, NTP steps of
 * CLOCK_REALTIME) the pollers have seen so far: a sleeping poller's
 * timerfd (TFD_TIMER_CANCEL_ON_SET) notices them. Device code that
 * converted clock times into deadlines compares it with the count it saw
 * and converts again when it moved. Any thread.
 */
uint32_t vrtc_poller_clock_steps(void);

/** Burst of a poller (chains per queue per pass). */
uint16_t vrtc_poller_burst(const struct vrtc_poller *p);

#endif /* VRTC_POLLER_H */
