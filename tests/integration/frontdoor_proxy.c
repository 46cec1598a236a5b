/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The front door as a process of its own (no DPDK): one device, a public
 * socket for the front-end and a back-end (dpdk-rtcd, rte_vhost as a
 * server) on a private path. For integration tests and manual runs:
 *
 *   frontdoor_proxy --public PATH --private PATH --features HEX
 *                   [--protocol-features HEX] [--queues N] [--max-ring N]
 *                   [--allow-unsealed] [--client] [--reconnect-ms N]
 *
 * Runs until SIGTERM or SIGINT, then prints the device's counters
 * ("stats connections=... dropped=...") and the time shutdown took.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontdoor.h"
#include "log.h"

static void
sink(enum vrtc_log_component comp, enum vrtc_log_level level, const char *msg)
{
	if (level <= VRTC_LOG_INFO)
		fprintf(stderr, "%s: %s\n", vrtc_log_component_name(comp), msg);
}

static void
on_event(void *arg, const char *device, enum vrtc_frontdoor_event ev, const char *reason)
{
	(void)arg;
	printf("event %s %s: %s\n", device, vrtc_frontdoor_event_name(ev), reason);
	fflush(stdout);
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno != 0 || end == s || *end != '\0' ? -1 : 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: frontdoor_proxy --public PATH --private PATH --features HEX "
			"[--protocol-features HEX] [--queues N] [--max-ring N] [--allow-unsealed] "
			"[--client] [--reconnect-ms N]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "public", required_argument, NULL, 'p' },
		{ "private", required_argument, NULL, 'b' },
		{ "features", required_argument, NULL, 'f' },
		{ "protocol-features", required_argument, NULL, 'P' },
		{ "queues", required_argument, NULL, 'q' },
		{ "max-ring", required_argument, NULL, 'm' },
		{ "allow-unsealed", no_argument, NULL, 'u' },
		{ "client", no_argument, NULL, 'c' },
		{ "reconnect-ms", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct vrtc_frontdoor_device_params p = {
		.name = "proxy",
		.uid = (uid_t)-1,
		.gid = (gid_t)-1,
		.guard = { .nb_queues = 1, .max_ring_size = 1024 },
	};
	struct vrtc_frontdoor_config cfg = { .event_cb = on_event };
	struct vrtc_frontdoor_stats st;
	struct vrtc_frontdoor *fdr;
	struct timespec t0, t1;
	sigset_t set;
	uint64_t v;
	int c, sig, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			p.public_path = optarg;
			break;
		case 'b':
			p.private_path = optarg;
			break;
		case 'f':
			if (parse_u64(optarg, &p.guard.offered_features) != 0)
				return usage();
			break;
		case 'P':
			if (parse_u64(optarg, &p.guard.offered_protocol_features) != 0)
				return usage();
			break;
		case 'q':
			if (parse_u64(optarg, &v) != 0 || v > 256)
				return usage();
			p.guard.nb_queues = (uint16_t)v;
			break;
		case 'm':
			if (parse_u64(optarg, &v) != 0 || v > 32768)
				return usage();
			p.guard.max_ring_size = (uint32_t)v;
			break;
		case 'u':
			p.guard.allow_unsealed = 1;
			break;
		case 'c':
			p.client = 1;
			break;
		case 'r':
			if (parse_u64(optarg, &v) != 0 || v > UINT32_MAX)
				return usage();
			p.reconnect_ms = (uint32_t)v;
			break;
		default:
			return usage();
		}
	}
	if (p.public_path == NULL || p.private_path == NULL || p.guard.offered_features == 0)
		return usage();
	vrtc_log_set_sink(sink);
	/* Signals are taken with sigwait: block them before any thread starts. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	rc = vrtc_frontdoor_create(&cfg, &fdr);
	if (rc != 0) {
		fprintf(stderr, "frontdoor_proxy: cannot create the front door: %s\n", strerror(-rc));
		return 1;
	}
	rc = vrtc_frontdoor_add_device(fdr, &p);
	if (rc != 0) {
		fprintf(stderr, "frontdoor_proxy: cannot add the device: %s\n", strerror(-rc));
		vrtc_frontdoor_destroy(fdr);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	vrtc_frontdoor_get_stats(fdr, "proxy", &st);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	vrtc_frontdoor_destroy(fdr);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("stats connections=%" PRIu64 " refused=%" PRIu64 " dropped=%" PRIu64
	       " closed=%" PRIu64 " messages=%" PRIu64 " messages_refused=%" PRIu64
	       " accept_errors=%" PRIu64 "\n",
	       st.connections, st.refused, st.dropped, st.closed, st.messages,
	       st.messages_refused, st.accept_errors);
	printf("shutdown took %ld ms\n",
	       (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	return 0;
}
