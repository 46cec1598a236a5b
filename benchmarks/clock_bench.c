/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * clock_bench: what one READ costs in the clock itself, per host clock, and
 * the smear conversion alone inside and outside a leap's window (the
 * smeared clock is one clock_gettime() plus that conversion).
 *
 *   clock_bench [reads] [auto]
 *
 * The TAI - UTC offset is 37 s (operator) unless `auto` (kernel, else the
 * tzdata table: the smeared clock's base follows it). Single-threaded, no
 * EAL; the figures are ns per read on this machine, not a target.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "smear.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct vrtc_leap_table table;
static struct vrtc_smear smear;

int
main(int argc, char **argv)
{
	/* 2016-12-31T12:00:36 TAI: the start of the end-2016 leap's window. */
	const int64_t window = (INT64_C(1483228800) - 43200 + 36) * 1000000000;
	const int64_t later = INT64_C(1800000000) * 1000000000;
	struct vrtc_host_clock_cfg cfg = { .tai_offset_s = 37 };
	uint64_t reads = 5000000, i, t0, ns, sink = 0;
	int off, w;

	if (argc > 1)
		reads = strtoull(argv[1], NULL, 0);
	if (argc > 2 && strcmp(argv[2], "auto") == 0)
		cfg.tai_offset_s = -1;
	if (reads == 0 || vrtc_tai_offset_resolve(&cfg, &off) != 0 ||
	    vrtc_smear_prepare(&cfg) != 0) {
		fprintf(stderr, "clock_bench: no TAI offset or no leap-second table\n");
		return 1;
	}
	for (w = 0; w < VRTC_HOST_CLOCK_COUNT; w++) {
		struct vrtc_clock c;

		if (vrtc_host_clock_init(&c, (enum vrtc_host_clock)w, &cfg) != 0)
			return 1;
		t0 = now_ns();
		for (i = 0; i < reads; i++) {
			c.ops->read(c.ctx, &ns);
			sink += ns;
		}
		printf("read %-8s %6.1f ns\n", vrtc_host_clock_name((enum vrtc_host_clock)w),
		       (double)(now_ns() - t0) / (double)reads);
	}
	if (vrtc_leap_table_load(VRTC_LEAP_SECONDS_FILE, &table) != 0 ||
	    vrtc_smear_init(&smear, &table) != 0)
		return 1;
	for (w = 0; w < 2; w++) {
		int64_t base = w == 0 ? window : later, utc;

		t0 = now_ns();
		for (i = 0; i < reads; i++) {
			/* 17 ms apart: 5 M reads cover the window's 24 h. */
			vrtc_smear_from_tai(&smear, base + (int64_t)(i % 5000000) * 17000000, &utc);
			sink += (uint64_t)utc;
		}
		printf("smear %-13s %6.1f ns\n", w == 0 ? "in a window" : "after the last",
		       (double)(now_ns() - t0) / (double)reads);
	}
	vrtc_host_clock_cfg_fini(&cfg);
	return sink == 42 ? 2 : 0; /* keeps the reads */
}
