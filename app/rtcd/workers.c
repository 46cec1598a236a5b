/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * dpdk-rtcd's workers: the daemon owns its lcores and runs one
 * libvirtio_rtc poller on each, through the library's public poll and
 * sleep calls — the same calls any DPDK application embedding the library
 * would make.
 *
 * Busy mode spins on vrtc_poller_poll(). Adaptive mode spins while there is
 * work; after idle_us without any it sleeps on the poller's fd
 * (vrtc_poller_sleep_prepare) until a kick, a queue change, the next timer
 * deadline or a stop request. A worker whose poller has no running queue
 * sleeps in both modes (it is woken when a queue starts).
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_pause.h>

#include "workers.h"

#define DEFAULT_IDLE_US 100
/* Longest sleep without a deadline: the stop flag is also re-read then. */
#define MAX_SLEEP_MS 1000

struct worker {
	unsigned int lcore;
	struct vrtc_poller *poller;
	int launched;
	int stopfd; /* eventfd: wakes a sleeping worker to stop */
	volatile int stop;
	uint64_t sleeps;
};

static struct {
	struct rtcd_workers_params params;
	uint64_t idle_cycles;
	struct worker workers[RTE_MAX_LCORE];
	unsigned int nb_workers;
	unsigned int rr; /* round-robin position of pick_worker() */
	int running;
} ws;

static uint64_t
monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sleep on the poller's fd (and the stop fd) until one fires or the
 * deadline passes. */
static void
sleep_on(struct worker *w)
{
	struct pollfd pfd[2];
	uint64_t deadline_ns, now;
	int fd, timeout_ms = MAX_SLEEP_MS;

	fd = vrtc_poller_sleep_prepare(w->poller, &deadline_ns);
	if (fd >= 0) {
		now = monotonic_ns();
		if (deadline_ns != UINT64_MAX)
			timeout_ms = deadline_ns <= now ? 0 :
				     (int)RTE_MIN((deadline_ns - now + 999999) / 1000000,
						  (uint64_t)MAX_SLEEP_MS);
		pfd[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = w->stopfd, .events = POLLIN };
		w->sleeps++;
		poll(pfd, 2, timeout_ms);
	}
	vrtc_poller_sleep_end(w->poller);
}

static int
worker_main(void *arg)
{
	struct worker *w = arg;
	const int adaptive = ws.params.mode == RTCD_POLL_ADAPTIVE;
	uint64_t last_work = rte_rdtsc();

	RTE_LOG(INFO, USER1, "dpdk-rtcd: worker on lcore %u: %s polling\n", w->lcore,
		adaptive ? "adaptive" : "busy");
	while (!w->stop) {
		if (vrtc_poller_poll(w->poller, UINT32_MAX) != 0) {
			if (adaptive)
				last_work = rte_rdtsc();
			continue;
		}
		if (vrtc_poller_running_queues(w->poller) == 0 ||
		    (adaptive && rte_rdtsc() - last_work > ws.idle_cycles)) {
			sleep_on(w);
			last_work = rte_rdtsc();
		} else {
			rte_pause();
		}
	}
	RTE_LOG(INFO, USER1, "dpdk-rtcd: worker on lcore %u stopped (%" PRIu64 " sleeps)\n",
		w->lcore, w->sleeps);
	return 0;
}

int
rtcd_device_lcore(const struct vrtc_device *dev)
{
	const struct vrtc_poller *p = vrtc_device_poller(dev);
	unsigned int lcore;

	if (p == NULL)
		return -1;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (ws.workers[lcore].poller == p)
			return (int)lcore;
	}
	return -1;
}

/* The worker a device goes to: its lcore hint, else round-robin. */
static struct worker *
pick_worker(const struct vrtc_device *dev, unsigned int *rr)
{
	int hint = vrtc_device_lcore_hint(dev);
	unsigned int i, lcore;

	if (hint >= 0) {
		if (hint >= RTE_MAX_LCORE || ws.workers[hint].poller == NULL)
			return NULL;
		return &ws.workers[hint];
	}
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		lcore = (*rr + i) % RTE_MAX_LCORE;
		if (ws.workers[lcore].poller != NULL) {
			*rr = lcore + 1;
			return &ws.workers[lcore];
		}
	}
	return NULL;
}

int
rtcd_workers_start(const struct rtcd_workers_params *p)
{
	struct vrtc_poller_params pp;
	unsigned int lcore, i, n;
	int rc;

	if (ws.running)
		return -EBUSY;
	memset(&ws, 0, sizeof(ws));
	ws.params = *p;
	if (ws.params.idle_us == 0)
		ws.params.idle_us = DEFAULT_IDLE_US;
	ws.idle_cycles = rte_get_tsc_hz() / 1000000 * ws.params.idle_us;
	if (rte_lcore_count() < 2) {
		fprintf(stderr, "dpdk-rtcd: no worker lcore: give EAL at least two lcores (e.g. "
			"-l 0,1); the main lcore never polls\n");
		return -ENODEV;
	}
	ws.running = 1;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct worker *w = &ws.workers[lcore];
		char name[16];

		vrtc_poller_params_init(&pp);
		snprintf(name, sizeof(name), "lcore%u", lcore);
		pp.name = name;
		pp.socket_id = (int)rte_lcore_to_socket_id(lcore);
		if (ws.params.burst != 0)
			pp.burst = ws.params.burst;
		w->lcore = lcore;
		w->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		rc = w->stopfd < 0 ? -errno : vrtc_poller_create(&pp, &w->poller);
		if (rc != 0)
			goto fail;
		ws.nb_workers++;
	}
	n = vrtc_device_count();
	for (i = 0; i < n; i++) {
		struct vrtc_device *dev = vrtc_device_at(i);
		struct worker *w = pick_worker(dev, &ws.rr);

		if (w == NULL) {
			fprintf(stderr, "dpdk-rtcd: %s: lcore %d is not a worker lcore of this "
				"process (see EAL -l)\n", vrtc_device_name(dev),
				vrtc_device_lcore_hint(dev));
			rc = -EINVAL;
			goto fail;
		}
		rc = vrtc_device_attach(dev, w->poller);
		if (rc != 0) {
			fprintf(stderr, "dpdk-rtcd: %s: cannot serve %s: %s\n", vrtc_device_name(dev),
				vrtc_device_iface(dev), strerror(-rc));
			goto fail;
		}
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct worker *w = &ws.workers[lcore];

		rc = rte_eal_remote_launch(worker_main, w, lcore);
		if (rc != 0) {
			fprintf(stderr, "dpdk-rtcd: lcore %u is busy: cannot launch a worker\n", lcore);
			rc = -EBUSY;
			goto fail;
		}
		w->launched = 1;
	}
	return 0;
fail:
	rtcd_workers_stop();
	return rc;
}

int
rtcd_workers_attach(struct vrtc_device *dev)
{
	struct worker *w;

	if (!ws.running)
		return -ENODEV;
	w = pick_worker(dev, &ws.rr);
	if (w == NULL)
		return -EINVAL;
	/* The library hands the new queues to the running poller under RCU:
	 * the worker keeps serving the others meanwhile (poller.c). */
	return vrtc_device_attach(dev, w->poller);
}

void
rtcd_workers_stop(void)
{
	unsigned int lcore, i, n;

	if (!ws.running)
		return;
	/* Front-ends first: no queue may be handed to a stopping worker. */
	n = vrtc_device_count();
	for (i = 0; i < n; i++)
		vrtc_device_detach(vrtc_device_at(i));
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct worker *w = &ws.workers[lcore];

		w->stop = 1;
		if (w->stopfd >= 0)
			eventfd_write(w->stopfd, 1);
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct worker *w = &ws.workers[lcore];

		/* Only the loops we launched are waited for. */
		if (w->launched)
			rte_eal_wait_lcore(lcore);
		if (w->poller != NULL)
			vrtc_poller_destroy(w->poller);
		if (w->stopfd > 0)
			close(w->stopfd);
		w->poller = NULL;
		w->launched = 0;
	}
	ws.running = 0;
}
