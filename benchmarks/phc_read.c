/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * What a READ of a PHC clock (clocks=phc:PATH:TYPE) costs the worker:
 * clock_gettime() on a dynamic POSIX clock is a system call (no vDSO).
 *
 *   phc_read N [PATH]
 *
 * Times N reads each of: CLOCK_REALTIME through the vDSO (what the host
 * clocks pay), CLOCK_REALTIME as a system call (the floor of any PHC read),
 * the PHC clock module (clock_phc.c) over an injected source making that
 * system call (the floor plus our wrapper), and PATH for real when given and
 * usable (the floor plus the NIC driver's register reads). Prints ns per
 * read, median of 5 runs.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "clock_phc.h"
#include "vrtc_wire.h"

#define RUNS 5

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
syscall_read(void *ctx, struct timespec *ts)
{
	(void)ctx;
	return syscall(SYS_clock_gettime, CLOCK_REALTIME, ts) == 0 ? 0 : -errno;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

enum what { VDSO, SYSCALL, MODULE };

static double
run(enum what w, struct vrtc_clock *c, unsigned long n)
{
	double r[RUNS];
	struct timespec ts;
	uint64_t ns, t0;
	unsigned long i;
	int k;

	for (k = 0; k < RUNS; k++) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			if (w == VDSO)
				clock_gettime(CLOCK_REALTIME, &ts);
			else if (w == SYSCALL)
				syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
			else
				c->ops->read(c->ctx, &ns);
		}
		r[k] = (double)(now_ns() - t0) / (double)n;
	}
	qsort(r, RUNS, sizeof(r[0]), cmp_d);
	return r[RUNS / 2];
}

int
main(int argc, char **argv)
{
	struct vrtc_phc_source src = { .read = syscall_read };
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	struct vrtc_phc *phc;
	struct vrtc_clock c;

	if (n == 0)
		n = 1;
	printf("phc_read: %lu reads, median of %d runs\n", n, RUNS);
	printf("  CLOCK_REALTIME, vDSO:               %8.1f ns\n", run(VDSO, NULL, n));
	printf("  CLOCK_REALTIME, system call:        %8.1f ns\n", run(SYSCALL, NULL, n));
	if (vrtc_phc_create(&src, "syscall", VRTC_RTC_CLOCK_UTC, &phc) != 0)
		return 1;
	vrtc_phc_clock_init(&c, phc);
	printf("  clock_phc.c over that system call:  %8.1f ns\n", run(MODULE, &c, n));
	vrtc_phc_destroy(phc);
	if (argc > 2) {
		int rc = vrtc_phc_open(argv[2], VRTC_RTC_CLOCK_TAI, &phc);

		if (rc != 0) {
			printf("  %s: not usable (%s): skipped\n", argv[2], strerror(-rc));
			return 0;
		}
		vrtc_phc_clock_init(&c, phc);
		printf("  %-34s %8.1f ns\n", argv[2], run(MODULE, &c, n));
		vrtc_phc_destroy(phc);
	} else {
		printf("  no PHC path given (phc_read N /dev/ptpN): real PHC not measured\n");
	}
	return 0;
}
