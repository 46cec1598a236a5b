/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Compiler and byte-order helpers for the EAL-free core of the library
 * (guest memory, virtqueue, chains, device models, sources).
 *
 * The core includes no rte_*.h: it builds and runs in unit tests and
 * fuzzers without EAL. What differs between a DPDK process and a hosted
 * test is reached through the hooks in log.h, never through #ifdefs
 * scattered over the core.
 */

#ifndef VRTC_PLATFORM_H
#define VRTC_PLATFORM_H

#include <endian.h>
#include <stdint.h>
#include <time.h>

#define vrtc_likely(x) __builtin_expect(!!(x), 1)
#define vrtc_unlikely(x) __builtin_expect(!!(x), 0)

/** Prefetch a line the caller is about to read. */
#define vrtc_prefetch(p) __builtin_prefetch((p), 0, 3)

#define VRTC_CACHE_LINE 64
#define vrtc_cache_aligned __attribute__((aligned(VRTC_CACHE_LINE)))

#define VRTC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define VRTC_MIN(a, b) ((a) < (b) ? (a) : (b))

/** A clock's reading in nanoseconds (the clocks the core uses cannot fail). */
static inline uint64_t
vrtc_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the core overlays little-endian wire structs; port the le*toh uses first"
#endif

#endif /* VRTC_PLATFORM_H */
