/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Example: a DPDK application of your own that links libvirtio_rtc.
 *
 * It creates a virtio-rtc device through the API (clocks UTC and
 * MONOTONIC on the socket given with --socket), runs the library's service
 * on the worker lcores next to its own work on the main lcore, and stops
 * after --seconds or on SIGINT/SIGTERM. Devices given as EAL --vdev
 * arguments (rtc_vhost*, rng_vhost*) are served too: linking the library is
 * enough for EAL to know those drivers.
 *
 * Build out of tree:
 *   cc -o clock_service main.c $(pkg-config --cflags --libs libvirtio_rtc)
 * Run:
 *   ./clock_service -l 0,1 --no-huge --no-pci -- --socket /tmp/rtc.sock --seconds 10
 */

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <vrtc.h>

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct vrtc_device_params p;
	struct vrtc_device *dev;
	const char *socket_path = "/tmp/clock_service.sock";
	long seconds = 10, i;
	int n, c, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "clock_service: EAL: %s\n", rte_strerror(rte_errno));
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
			fprintf(stderr, "usage: clock_service <EAL> -- [--socket PATH] [--seconds N]\n");
			return 2;
		}
	}
	if (vrtc_device_probe_errors() != 0)
		return 1;

	/* A device of our own, besides any --vdev ones. */
	vrtc_device_params_init(&p, VRTC_DEVICE_RTC);
	p.name = "example_rtc";
	p.iface = socket_path;
	p.nb_clocks = 2;
	p.clocks[0] = VRTC_CLOCK_UTC;
	p.clocks[1] = VRTC_CLOCK_MONOTONIC;
	rc = vrtc_device_create(&p, &dev);
	if (rc != 0) {
		fprintf(stderr, "clock_service: cannot create the device: %s\n", strerror(-rc));
		rte_eal_cleanup();
		return 1;
	}
	rc = vrtc_service_start(NULL);
	if (rc != 0) {
		fprintf(stderr, "clock_service: cannot start: %s\n", strerror(-rc));
		vrtc_device_destroy_all();
		rte_eal_cleanup();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("clock_service: virtio-rtc on %s (lcore %d) for %ld s\n", socket_path,
	       vrtc_device_lcore(dev), seconds);
	for (i = 0; i < seconds && !quit; i++) {
		struct vrtc_device_stats st;

		sleep(1); /* the application's own work would go here */
		vrtc_device_stats_get(dev, &st);
		printf("clock_service: %" PRIu64 " requests, %s\n", st.requests,
		       st.running ? "guest attached" : "waiting for a guest");
	}
	vrtc_service_stop();
	vrtc_device_destroy_all();
	rte_eal_cleanup();
	return 0;
}
