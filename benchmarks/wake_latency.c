/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * wake_latency: what the platform charges to wake a thread that sleeps in
 * epoll_wait() on an eventfd, from another CPU. This is the floor under the
 * adaptive poller's "first request after idle" latency: an adaptive worker
 * sleeps exactly so (poller.c: sleep_on_kicks), and the driver's kick is an
 * eventfd write. No DPDK, no rings: only the kernel and the hypervisor.
 *
 *   wake_latency [trials] [gap_us] [sleeper_cpu] [waker_cpu]
 *
 * The sleeper is pinned to sleeper_cpu (default 1), the waker to waker_cpu
 * (default 0). Each trial: the waker sleeps gap_us (default 5000, so that
 * the sleeper's CPU goes idle), writes the eventfd, and spins until the
 * sleeper reports the CLOCK_MONOTONIC time at which epoll_wait() returned.
 * Prints p50 / p90 / p99 / max of (return time - write time).
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int efd, epfd, sleeper_cpu = 1;
static uint64_t woke_ns;
static int woke, stop;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *
sleeper(void *arg)
{
	struct epoll_event ev;
	eventfd_t v;

	(void)arg;
	pin(sleeper_cpu);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		if (epoll_wait(epfd, &ev, 1, 100) != 1)
			continue;
		__atomic_store_n(&woke_ns, now_ns(), __ATOMIC_RELAXED);
		eventfd_read(efd, &v);
		__atomic_store_n(&woke, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int trials = argc > 1 ? atoi(argv[1]) : 300;
	int gap_us = argc > 2 ? atoi(argv[2]) : 5000;
	int waker_cpu = argc > 4 ? atoi(argv[4]) : 0;
	struct epoll_event ev = { .events = EPOLLIN };
	struct timespec gap;
	pthread_t th;
	uint64_t *lat;
	int i;

	if (argc > 3)
		sleeper_cpu = atoi(argv[3]);
	if (trials < 1 || gap_us < 0) {
		fprintf(stderr, "usage: wake_latency [trials] [gap_us] [sleeper_cpu] [waker_cpu]\n");
		return 2;
	}
	gap.tv_sec = gap_us / 1000000;
	gap.tv_nsec = (long)(gap_us % 1000000) * 1000;
	lat = calloc((size_t)trials, sizeof(*lat));
	efd = eventfd(0, EFD_NONBLOCK);
	epfd = epoll_create1(0);
	if (lat == NULL || efd < 0 || epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, efd, &ev) != 0) {
		perror("wake_latency");
		return 1;
	}
	if (pin(waker_cpu) != 0 || pthread_create(&th, NULL, sleeper, NULL) != 0) {
		fprintf(stderr, "wake_latency: cannot pin to CPU %d or start the sleeper\n", waker_cpu);
		return 77;
	}
	nanosleep(&gap, NULL);
	for (i = 0; i < trials; i++) {
		uint64_t t0;

		nanosleep(&gap, NULL);
		__atomic_store_n(&woke, 0, __ATOMIC_RELAXED);
		t0 = now_ns();
		eventfd_write(efd, 1);
		while (!__atomic_load_n(&woke, __ATOMIC_ACQUIRE))
			;
		lat[i] = __atomic_load_n(&woke_ns, __ATOMIC_RELAXED) - t0;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	qsort(lat, (size_t)trials, sizeof(*lat), cmp_u64);
	printf("eventfd -> epoll_wait wake, CPU %d -> CPU %d, %d trials, %d us apart: "
	       "p50 %.1f us  p90 %.1f us  p99 %.1f us  max %.1f us\n",
	       waker_cpu, sleeper_cpu, trials, gap_us, (double)lat[trials / 2] / 1e3,
	       (double)lat[trials * 9 / 10] / 1e3, (double)lat[trials * 99 / 100] / 1e3,
	       (double)lat[trials - 1] / 1e3);
	free(lat);
	return 0;
}
