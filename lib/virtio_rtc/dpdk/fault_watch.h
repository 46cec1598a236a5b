/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: the control side of SIGBUS containment (guest_fault.h).
 *
 * Each device gets an owner id for the ranges of its guest memory; a
 * thread of ours, running while any device exists, sleeps on the
 * containment's eventfd and, when a fault was contained, has device.c take
 * the faulted devices out of service (vrtc_device_mem_faults_handle()).
 */

#ifndef VRTC_FAULT_WATCH_H
#define VRTC_FAULT_WATCH_H

#include <stdint.h>

/** No owner id: the device's memory is not contained. */
#define VRTC_FAULT_OWNER_NONE UINT32_MAX

/**
 * An owner id for a new device, the handler and the thread started with
 * the first one. Called without vrtc_device_lock.
 * @return the id, or VRTC_FAULT_OWNER_NONE (logged) when containment
 *   cannot be had (ids exhausted, handler or thread not started).
 */
uint32_t vrtc_fault_watch_attach(void);

/**
 * Give @p owner back (its ranges must be unregistered); the thread stops
 * with the last device. Called WITHOUT vrtc_device_lock (the thread takes
 * it). VRTC_FAULT_OWNER_NONE is ignored.
 */
void vrtc_fault_watch_detach(uint32_t owner);

#endif /* VRTC_FAULT_WATCH_H */
