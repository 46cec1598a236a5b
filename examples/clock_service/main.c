/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Example: a DPDK application of your own that links libvirtio_rtc.
 *
 * It creates a virtio-rtc device through the API (clocks UTC and
 * MONOTONIC on the socket given with --socket) and runs the library's data
 * path as an rte_service component on the service lcores EAL was given
 * (-s), the DPDK way for a library that needs background work; its own
 * work goes on on the main lcore. It stops after --seconds or on
 * SIGINT/SIGTERM. Devices given as EAL --vdev arguments (rtc_vhost*,
 * rng_vhost*) are served by the same service.
 *
 * Build out of tree:
 *   cc -o clock_service main.c $(pkg-config --cflags --libs libvirtio_rtc)
 * Run (lcore 1 is a service lcore):
 *   ./clock_service -l 0,1 -s 0x2 --no-huge --no-pci -- --socket /tmp/rtc.sock --seconds 10
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_service.h>

#include <vrtc.h>

static volatile sig_atomic_t quit;
static uint32_t service_id;

/*
 * One poller for every device, registered as a service component and
 * mapped to every service lcore; the devices are attached to it.
 */
static int
start_service(struct vrtc_poller **out)
{
	uint32_t lcores[RTE_MAX_LCORE];
	struct vrtc_poller *poller;
	unsigned int i, n;
	int rc, nb_lcores;

	nb_lcores = rte_service_lcore_list(lcores, RTE_DIM(lcores));
	if (nb_lcores <= 0) {
		fprintf(stderr, "clock_service: no service lcore: give EAL -s COREMASK (e.g. -l 0,1 "
			"-s 0x2)\n");
		return -ENODEV;
	}
	rc = vrtc_poller_create(NULL, &poller);
	if (rc != 0)
		return rc;
	rc = vrtc_poller_service_register(poller, &service_id);
	for (i = 0; rc == 0 && i < (unsigned int)nb_lcores; i++) {
		rc = rte_service_map_lcore_set(service_id, lcores[i], 1);
		if (rc == 0) {
			rc = rte_service_lcore_start(lcores[i]);
			if (rc == -EALREADY)
				rc = 0;
		}
	}
	if (rc == 0)
		rc = rte_service_runstate_set(service_id, 1);
	n = vrtc_device_count();
	for (i = 0; rc == 0 && i < n; i++)
		rc = vrtc_device_attach(vrtc_device_at(i), poller);
	if (rc != 0) {
		vrtc_device_destroy_all();
		rte_service_runstate_set(service_id, 0);
		vrtc_poller_destroy(poller);
		return rc;
	}
	*out = poller;
	return 0;
}

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
	struct vrtc_poller *poller;
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
	rc = start_service(&poller);
	if (rc != 0) {
		fprintf(stderr, "clock_service: cannot start the service: %s\n", strerror(-rc));
		vrtc_device_destroy_all();
		rte_eal_cleanup();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("clock_service: virtio-rtc on %s, served by service %u on %d service lcore(s), "
	       "for %ld s\n", socket_path, service_id, rte_service_lcore_count(), seconds);
	for (i = 0; i < seconds && !quit; i++) {
		struct vrtc_device_stats st;

		sleep(1); /* the application's own work would go here */
		vrtc_device_stats_get(dev, &st);
		printf("clock_service: %" PRIu64 " requests, %s\n", st.requests,
		       st.running ? "guest attached" : "waiting for a guest");
	}
	/* Devices first (front-ends see a disconnect), then the poller; its
	 * component is unregistered when it is destroyed. */
	vrtc_device_destroy_all();
	rte_service_runstate_set(service_id, 0);
	vrtc_poller_destroy(poller);
	rte_eal_cleanup();
	return 0;
}
