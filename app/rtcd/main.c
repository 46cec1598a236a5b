/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * dpdk-rtcd: serve virtio-rtc clocks and virtio-rng entropy to VMs over
 * vhost-user, from poll-mode workers on DPDK lcores.
 *
 *   dpdk-rtcd <EAL args> -- [options]
 *
 * Devices come from EAL --vdev arguments (rtc_vhost*, rng_vhost*; see
 * dpdk-rtcd(8) and doc/devices.md). The main lcore prints statistics and
 * handles signals; the worker lcores serve the queues.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_version.h>

#include "vrtc.h"
#include "workers.h"

#define DEFAULT_STATS_PERIOD_S 5

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

#define MAX_DEVICE_ARGS 256

struct options {
	unsigned int stats_period_s;
	unsigned int nb_devices;
	const char *devices[MAX_DEVICE_ARGS]; /* --device SPEC, in order */
	uint32_t log_level; /* 0: leave as EAL set it */
	struct rtcd_workers_params service;
};

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s <EAL options> -- [options]\n"
		"\n"
		"Serves virtio-rtc (device 17) and virtio-rng (device 4) back-ends over vhost-user\n"
		"sockets, from poll-mode workers on the EAL worker lcores.\n"
		"\n"
		"Devices are EAL --vdev arguments, for example:\n"
		"  --vdev 'rtc_vhost0,iface=/run/dpdk-rtcd/rtc0.sock,clocks=utc+tai+mono'\n"
		"  --vdev 'rng_vhost0,iface=/run/dpdk-rtcd/rng0.sock,source=drbg'\n"
		"Give EAL at least two lcores (-l 0,1): the first is the main lcore (statistics,\n"
		"signals), the others poll. The daemon needs no hugepages (--no-huge works): it\n"
		"maps guest memory from the front-end's file descriptors.\n"
		"\n"
		"Options:\n"
		"  -s, --stats-period SECONDS  print one statistics line per device every SECONDS\n"
		"                              (default %u; 0 disables)\n"
		"  -L, --log-level LEVEL       level of the daemon's log types (vrtc.*): emerg,\n"
		"                              alert, crit, err, warning, notice, info, debug, or 1..8\n"
		"  -b, --burst N               chains served per queue per poll (1..256, default 32)\n"
		"  -p, --poll MODE             busy (default: spin, lowest latency) or adaptive\n"
		"                              (sleep on guest kicks after --idle-us without work)\n"
		"  -i, --idle-us US            adaptive mode: idle time before sleeping (default 100)\n"
		"  -h, --help                  this text\n"
		"  -V, --version               version\n"
		"\n"
		"Device arguments: rtc_vhost keys iface, client, reconnect, owner, group, mode, lcore,\n"
		"clocks, tai_offset, cross_tsc; rng_vhost keys iface, client, reconnect, owner, group,\n"
		"mode, lcore, source, rate, reseed. See dpdk-rtcd(8).\n"
		"\n"
		"SIGINT or SIGTERM stops the daemon: front-ends see a disconnect, sockets are removed,\n"
		"exit status 0.\n",
		prog, DEFAULT_STATS_PERIOD_S);
}

static int
parse_level(const char *s, uint32_t *level)
{
	static const char *const names[] = { NULL,     "emerg",  "alert", "crit", "err",
					     "warning", "notice", "info",  "debug" };
	char *end;
	unsigned long v;
	unsigned int i;

	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*level = i;
			return 0;
		}
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 8)
		return -EINVAL;
	*level = (uint32_t)v;
	return 0;
}

static int
parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* @return 0 to run, 1 to exit successfully (--help), -1 on a usage error. */
static int
parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "stats-period", required_argument, NULL, 's' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "burst", required_argument, NULL, 'b' },
		{ "poll", required_argument, NULL, 'p' },
		{ "idle-us", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prog = argv[0];
	unsigned long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->stats_period_s = DEFAULT_STATS_PERIOD_S;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:s:L:b:p:i:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (o->nb_devices == MAX_DEVICE_ARGS) {
				fprintf(stderr, "%s: --device: at most %u devices\n", prog,
					MAX_DEVICE_ARGS);
				return -1;
			}
			o->devices[o->nb_devices++] = optarg;
			break;
		case 's':
			if (parse_uint(optarg, 0, 86400, &v) != 0) {
				fprintf(stderr, "%s: --stats-period: '%s' is not 0..86400 seconds\n",
					prog, optarg);
				return -1;
			}
			o->stats_period_s = (unsigned int)v;
			break;
		case 'L':
			if (parse_level(optarg, &o->log_level) != 0) {
				fprintf(stderr,
					"%s: --log-level: '%s' is not one of emerg, alert, crit, err, "
					"warning, notice, info, debug, 1..8\n",
					prog, optarg);
				return -1;
			}
			break;
		case 'b':
			if (parse_uint(optarg, 1, 256, &v) != 0) {
				fprintf(stderr, "%s: --burst: '%s' is not 1..256\n", prog, optarg);
				return -1;
			}
			o->service.burst = (uint16_t)v;
			break;
		case 'p':
			if (strcmp(optarg, "busy") == 0) {
				o->service.mode = RTCD_POLL_BUSY;
			} else if (strcmp(optarg, "adaptive") == 0) {
				o->service.mode = RTCD_POLL_ADAPTIVE;
			} else {
				fprintf(stderr, "%s: --poll: '%s' is not busy or adaptive\n", prog,
					optarg);
				return -1;
			}
			break;
		case 'i':
			if (parse_uint(optarg, 1, 10000000, &v) != 0) {
				fprintf(stderr, "%s: --idle-us: '%s' is not 1..10000000\n", prog, optarg);
				return -1;
			}
			o->service.idle_us = (uint32_t)v;
			break;
		case 'h':
			usage(stdout, prog);
			return 1;
		case 'V':
			printf("dpdk-rtcd %s (DPDK %s)\n", VRTC_VERSION, rte_version());
			return 1;
		default:
			fprintf(stderr, "Try '%s -- --help'.\n", prog);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'; try '%s -- --help'\n", prog, argv[optind],
			prog);
		return -1;
	}
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define MAX_DEVICES 256

struct prev_stats {
	struct vrtc_device_stats st;
	int valid;
};

static void
print_stats(struct prev_stats *prev, double dt)
{
	unsigned int i, n = vrtc_device_count();

	for (i = 0; i < n && i < MAX_DEVICES; i++) {
		const struct vrtc_device *dev = vrtc_device_at(i);
		struct vrtc_device_stats st;
		double req_rate = 0, byte_rate = 0;

		if (dev == NULL || vrtc_device_stats_get(dev, &st) != 0)
			continue;
		if (prev[i].valid && dt > 0) {
			req_rate = (double)(st.requests - prev[i].st.requests) / dt;
			byte_rate = (double)(st.bytes - prev[i].st.bytes) / dt;
		}
		printf("%s: %s %.0f req/s %.3f MB/s | total %" PRIu64 " req %" PRIu64
		       " B errors %" PRIu64 " unsupported %" PRIu64 " bad_chains %" PRIu64
		       " broken_queues %" PRIu64
		       " irqs %" PRIu64 " lcore %d\n",
		       vrtc_device_name(dev),
		       st.running ? "serving" : st.connected ? "connected" : "waiting", req_rate,
		       byte_rate / 1e6, st.requests, st.bytes, st.errors, st.unsupported, st.bad_chains,
		       st.broken_queues, st.notifications, rtcd_device_lcore(dev));
		prev[i].st = st;
		prev[i].valid = 1;
	}
	fflush(stdout);
}

/* EAL's own --help (before "--") prints this too. */
static void
usage_hook(const char *prog)
{
	printf("\n");
	usage(stdout, prog);
}

int
main(int argc, char **argv)
{
	static struct prev_stats prev[MAX_DEVICES];
	struct sigaction sa;
	struct options opts;
	double last;
	int n, rc, status = EXIT_SUCCESS;

	rte_set_application_usage_hook(usage_hook);
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dpdk-rtcd: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argv[n] = argv[0];
	rc = parse_args(argc - n, argv + n, &opts);
	if (rc != 0) {
		status = rc > 0 ? EXIT_SUCCESS : 2;
		goto out;
	}
	if (opts.log_level != 0)
		rte_log_set_level_pattern("vrtc.*", opts.log_level);
	if (vrtc_device_probe_errors() != 0) {
		fprintf(stderr, "dpdk-rtcd: %u device argument(s) were refused (see above); not starting\n",
			vrtc_device_probe_errors());
		status = EXIT_FAILURE;
		goto out;
	}
	for (unsigned int i = 0; i < opts.nb_devices; i++) {
		rc = vrtc_device_create_from_args(opts.devices[i], NULL);
		if (rc != 0) {
			fprintf(stderr, "dpdk-rtcd: --device '%s' refused: %s (see above); not starting\n",
				opts.devices[i], strerror(-rc));
			status = EXIT_FAILURE;
			goto out;
		}
	}
	if (vrtc_device_count() == 0) {
		fprintf(stderr,
			"dpdk-rtcd: no device: give at least one --vdev rtc_vhostN,iface=PATH or "
			"--vdev rng_vhostN,iface=PATH\n");
		status = 2;
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = rtcd_workers_start(&opts.service);
	if (rc != 0) {
		fprintf(stderr, "dpdk-rtcd: cannot start the workers: %s\n", strerror(-rc));
		status = EXIT_FAILURE;
		goto out;
	}
	printf("dpdk-rtcd: serving %u device(s); SIGINT or SIGTERM stops\n", vrtc_device_count());
	fflush(stdout);

	last = now_s();
	while (!stop_signal) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		double t;

		nanosleep(&ts, NULL);
		t = now_s();
		if (opts.stats_period_s != 0 && t - last >= opts.stats_period_s) {
			print_stats(prev, t - last);
			last = t;
		}
	}
	printf("dpdk-rtcd: %s received, stopping\n", strsignal(stop_signal));
	if (opts.stats_period_s != 0)
		print_stats(prev, now_s() - last);
	rtcd_workers_stop();
out:
	vrtc_device_destroy_all();
	rte_eal_cleanup();
	return status;
}
