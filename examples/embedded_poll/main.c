/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Example: libvirtio_rtc's data path inside an application's own loop.
 *
 * The application runs one loop on one lcore. Each iteration it does a
 * slice of its own work (here: it sums a buffer, standing in for packet
 * processing) and then gives the library a bounded budget with
 * vrtc_poller_poll(), the way an application calls
 * rte_vhost_dequeue_burst() or rte_eth_rx_burst(). When neither has had
 * anything to do for a while it sleeps on the poller's fd
 * (vrtc_poller_sleep_prepare) instead of spinning. No thread or lcore
 * belongs to the library.
 *
 * Build out of tree:
 *   cc -o embedded_poll main.c $(pkg-config --cflags --libs libvirtio_rtc)
 * Run (one lcore is enough):
 *   ./embedded_poll -l 0 --no-huge --no-pci -- --socket /tmp/rtc.sock --seconds 10
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <vrtc.h>

/* Chains the library may serve per loop iteration. */
#define POLL_BUDGET 64
/* Sleep after this long without any work (library or our own). */
#define IDLE_US 200

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* The application's own work: one slice of it per iteration. */
static uint64_t
app_work(void)
{
	static uint8_t buf[4096];
	static uint8_t seed;
	uint64_t sum = 0;
	size_t i;

	buf[seed % sizeof(buf)] = seed;
	seed++;
	for (i = 0; i < sizeof(buf); i += 64)
		sum += buf[i];
	return sum;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *socket_path = "/tmp/embedded_poll.sock";
	struct vrtc_device_params p;
	struct vrtc_device_stats st;
	struct vrtc_poller *poller;
	struct vrtc_device *dev;
	uint64_t end_ns, last_work, iterations = 0, app_sum = 0, sleeps = 0;
	long seconds = 10;
	int n, c, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "embedded_poll: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= n;
	argv += n;
	while ((c = getopt_long(argc, argv, "s:t:", longopts, NULL)) != -1) {
		if (c == 's') {
			socket_path = optarg;
		} else if (c == 't') {
			seconds = strtol(optarg, NULL, 10);
		} else {
			fprintf(stderr, "usage: embedded_poll <EAL> -- [--socket PATH] [--seconds N]\n");
			rte_eal_cleanup();
			return 2;
		}
	}

	rc = vrtc_poller_create(NULL, &poller);
	if (rc != 0) {
		fprintf(stderr, "embedded_poll: poller: %s\n", strerror(-rc));
		rte_eal_cleanup();
		return 1;
	}
	vrtc_device_params_init(&p, VRTC_DEVICE_RTC);
	p.name = "embedded_rtc";
	p.iface = socket_path;
	p.nb_clocks = 2;
	p.clocks[0] = VRTC_CLOCK_UTC;
	p.clocks[1] = VRTC_CLOCK_MONOTONIC;
	rc = vrtc_device_create(&p, &dev);
	if (rc == 0)
		rc = vrtc_device_attach(dev, poller);
	if (rc != 0) {
		fprintf(stderr, "embedded_poll: device: %s\n", strerror(-rc));
		vrtc_device_destroy_all();
		vrtc_poller_destroy(poller);
		rte_eal_cleanup();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("embedded_poll: virtio-rtc on %s, polled from the application's loop on lcore %u "
	       "for %ld s\n", socket_path, rte_lcore_id(), seconds);
	fflush(stdout);

	end_ns = now_ns() + (uint64_t)seconds * 1000000000u;
	last_work = now_ns();
	while (!quit && now_ns() < end_ns) {
		unsigned int served;

		app_sum += app_work();
		served = vrtc_poller_poll(poller, POLL_BUDGET);
		iterations++;
		if (served != 0) {
			last_work = now_ns();
		} else if (now_ns() - last_work > IDLE_US * 1000u) {
			/* Nothing for a while: sleep until a guest kicks, at most
			 * 100 ms (our own work would have its own fds here). */
			uint64_t deadline;
			int fd = vrtc_poller_sleep_prepare(poller, &deadline);

			if (fd >= 0) {
				struct pollfd pfd = { .fd = fd, .events = POLLIN };

				poll(&pfd, 1, 100);
				sleeps++;
			}
			vrtc_poller_sleep_end(poller);
			last_work = now_ns();
		}
	}
	vrtc_device_stats_get(dev, &st);
	printf("embedded_poll: %" PRIu64 " loop iterations (application work checksum %" PRIu64
	       "), %" PRIu64 " requests served, %" PRIu64 " sleeps\n", iterations, app_sum,
	       st.requests, sleeps);
	vrtc_device_destroy_all();
	vrtc_poller_destroy(poller);
	rte_eal_cleanup();
	return 0;
}
