/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * dpdk-rtcd: serve virtio-rtc clocks and virtio-rng entropy to VMs over
 * vhost-user, from poll-mode workers on DPDK lcores.
 *
 *   dpdk-rtcd <EAL args> -- --device SPEC [--device SPEC ...] [options]
 *
 * Devices come from the daemon's --device option, or from EAL --vdev
 * arguments when the library has its vdev drivers; both take the same
 * strings (rtc_vhost*, rng_vhost*; see dpdk-rtcd(8) and doc/devices.md).
 * The main lcore logs statistics and handles signals; the worker lcores
 * serve the queues. --help and --version are answered before EAL starts;
 * the daemon's options are checked before it too. After set-up it can drop
 * root (--user/--group); at exit it removes what EAL left in its runtime
 * directory for this process.
 */

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_version.h>

#include "early_args.h"
#include "privileges.h"
#include "runtime_dir.h"
#include "vrtc.h"
#include "workers.h"

#define DEFAULT_STATS_PERIOD_S 5
/* How often the host clock's health is checked (adjtimex, on the main thread). */
#define HOST_CLOCK_CHECK_S 1.0

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
	struct rtcd_account account; /* --user / --group */
};

/* Log type of the statistics lines ("rtcd.stats", level INFO). */
static int stats_logtype = -1;

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s <EAL options> -- --device SPEC [--device SPEC ...] [options]\n"
		"\n"
		"Serves virtio-rtc (device 17) and virtio-rng (device 4) back-ends over vhost-user\n"
		"sockets, from poll-mode workers on the EAL worker lcores.\n"
		"\n"
		"Devices, for example:\n"
		"  --device 'rtc_vhost0,iface=/run/dpdk-rtcd/rtc0.sock,clocks=utc+tai+mono+smeared'\n"
		"  --device 'rng_vhost0,iface=/run/dpdk-rtcd/rng0.sock,source=drbg'\n"
		"The name's prefix gives the type (rtc_vhost: virtio-rtc, rng_vhost: virtio-rng).\n"
		"When the library was built with its vdev drivers, EAL --vdev takes the same\n"
		"strings (before '--').\n"
		"\n"
		"EAL options (before '--'): give at least two lcores (-l 0,1): the first is the\n"
		"main lcore (statistics, signals), the others poll. The daemon needs no hugepages\n"
		"(--no-huge works): it maps guest memory from the front-end's file descriptors.\n"
		"Give each instance its own --file-prefix. Every EAL option is in DPDK's EAL\n"
		"parameters guide.\n"
		"\n"
		"Options (after '--'):\n"
		"  -d, --device SPEC           create a device (repeatable); SPEC as above\n"
		"  -s, --stats-period SECONDS  log one statistics line per device every SECONDS\n"
		"                              (default %u; 0 disables), through rte_log, log type\n"
		"                              rtcd.stats, level info\n"
		"  -L, --log-level LEVEL       level of the library's log types (vrtc.*): emerg,\n"
		"                              alert, crit, err, warning, notice, info, debug, or 1..8\n"
		"  -b, --burst N               chains served per queue per poll (1..256, default 32)\n"
		"  -p, --poll MODE             busy (default: spin, lowest latency) or adaptive\n"
		"                              (sleep on guest kicks after --idle-us without work)\n"
		"  -i, --idle-us US            adaptive mode: idle time before sleeping (default 100)\n"
		"  -u, --user USER             after set-up (EAL, devices, sockets listening), drop\n"
		"                              root for this user (name or uid) and its groups\n"
		"  -g, --group GROUP           ... and this group (default: the user's group)\n"
		"  -h, --help                  this text (anywhere on the command line; EAL is not\n"
		"                              started)\n"
		"  -V, --version               version (likewise without EAL)\n"
		"\n"
		"Device keys: rtc_vhost: iface, client, reconnect, owner, group, mode, lcore,\n"
		"clocks, tai_offset, smear, cross_tsc, alarm; rng_vhost: iface, client, reconnect,\n"
		"owner, group, mode, lcore, source, rate, reseed. See dpdk-rtcd(8).\n"
		"\n"
		"SIGINT or SIGTERM stops the daemon: front-ends see a disconnect, sockets are\n"
		"removed, exit status 0. Exit status 1: EAL, a device or the service could not\n"
		"start; 2: a usage error or no device.\n",
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
		{ "user", required_argument, NULL, 'u' },
		{ "group", required_argument, NULL, 'g' },
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
	while ((c = getopt_long(argc, argv, "d:s:L:b:p:i:u:g:hV", longopts, NULL)) != -1) {
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
		case 'u':
			if (rtcd_account_set_user(&o->account, optarg) != 0)
				return -1;
			break;
		case 'g':
			if (rtcd_account_set_group(&o->account, optarg) != 0)
				return -1;
			break;
		case 'h':
		case 'V':
			/* Answered before EAL by main(). */
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
	if (rtcd_account_check(&o->account) != 0)
		return -1;
	return 0;
}

static void
print_version(void)
{
	/* rte_version() is "DPDK 22.11.x": the DPDK version, once. */
	printf("dpdk-rtcd %s (%s)\n", VRTC_VERSION, rte_version());
}

/*
 * EAL keeps only the last of several --vdev arguments with one name and
 * drops the others without a word: refuse that before EAL starts. Forms
 * "--vdev SPEC" and "--vdev=SPEC", in EAL's part of the command line.
 * @return 0, or -1 after a message.
 */
static int
check_vdev_names(int argc, char **argv)
{
	const char *names[MAX_DEVICE_ARGS];
	size_t lens[MAX_DEVICE_ARGS];
	unsigned int n = 0, j;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *spec;
		size_t len;

		if (strcmp(argv[i], "--vdev") == 0 && i + 1 < argc)
			spec = argv[++i];
		else if (strncmp(argv[i], "--vdev=", 7) == 0)
			spec = argv[i] + 7;
		else
			continue;
		len = strcspn(spec, ",");
		for (j = 0; j < n; j++) {
			if (lens[j] == len && strncmp(names[j], spec, len) == 0) {
				fprintf(stderr,
					"dpdk-rtcd: --vdev %.*s given twice (EAL would keep only the "
					"last): give each device its own name\n",
					(int)len, spec);
				return -1;
			}
		}
		if (n < MAX_DEVICE_ARGS) {
			names[n] = spec;
			lens[n++] = len;
		}
	}
	return 0;
}

/* Server sockets this run created (to report those it could not remove
 * at exit, e.g. after --user in a directory that user cannot write). */
struct socket_note {
	char path[108];
	ino_t ino_before; /* 0: absent before the service started */
	ino_t ino;	  /* after the service started; 0: absent */
};

static struct socket_note sockets[MAX_DEVICE_ARGS];
static unsigned int nb_sockets;

static ino_t
socket_ino(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) ? st.st_ino : 0;
}

static void
note_sockets_before_start(void)
{
	unsigned int i, n = vrtc_device_count();

	for (i = 0; i < n && i < MAX_DEVICE_ARGS; i++) {
		snprintf(sockets[i].path, sizeof(sockets[i].path), "%s",
			 vrtc_device_iface(vrtc_device_at(i)));
		sockets[i].ino_before = socket_ino(sockets[i].path);
	}
	nb_sockets = i;
}

static void
note_sockets_after_start(void)
{
	unsigned int i;

	for (i = 0; i < nb_sockets; i++)
		sockets[i].ino = socket_ino(sockets[i].path);
}

static void
report_leftover_sockets(const struct rtcd_account *acct)
{
	unsigned int i;

	for (i = 0; i < nb_sockets; i++) {
		const struct socket_note *s = &sockets[i];

		/* Created by this run (a server socket) and still there. */
		if (s->ino == 0 || s->ino == s->ino_before || socket_ino(s->path) != s->ino)
			continue;
		fprintf(stderr,
			"dpdk-rtcd: could not remove socket %s%s%s (its directory must be "
			"writable by the daemon's account; see dpdk-rtcd(8), FILES)\n",
			s->path, acct->set_user ? " as user " : "", acct->set_user ? acct->user : "");
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct prev_stats {
	struct vrtc_device_stats st;
	int valid;
};

static void
print_stats(struct prev_stats *prev, double dt)
{
	unsigned int i, n = vrtc_device_count();

	for (i = 0; i < n && i < MAX_DEVICE_ARGS; i++) {
		const struct vrtc_device *dev = vrtc_device_at(i);
		struct vrtc_device_stats st;
		double req_rate = 0, byte_rate = 0;

		if (dev == NULL || vrtc_device_stats_get(dev, &st) != 0)
			continue;
		if (prev[i].valid && dt > 0) {
			req_rate = (double)(st.requests - prev[i].st.requests) / dt;
			byte_rate = (double)(st.bytes - prev[i].st.bytes) / dt;
		}
		/* Format documented in dpdk-rtcd(8), STATISTICS. */
		rte_log(RTE_LOG_INFO, (uint32_t)stats_logtype,
			"rtcd.stats: %s: %s %.0f req/s %.3f MB/s | total %" PRIu64 " req %" PRIu64
			" B errors %" PRIu64 " unsupported %" PRIu64 " bad_chains %" PRIu64
			" broken_queues %" PRIu64
			" irqs %" PRIu64 " lcore %d\n",
			vrtc_device_name(dev),
			st.running ? "serving" : st.connected ? "connected" : "waiting", req_rate,
			byte_rate / 1e6, st.requests, st.bytes, st.errors, st.unsupported,
			st.bad_chains,
			st.broken_queues, st.notifications, rtcd_device_lcore(dev));
		prev[i].st = st;
		prev[i].valid = 1;
	}
}

/*
 * The host clock's health (adjtimex): the library logs the state at the
 * first check and one line whenever it becomes unsynchronised or
 * synchronised again (log type vrtc.clock); telemetry /vrtc/host_clock shows
 * the figures.
 */
static void
check_host_clock(void)
{
	static int failed;
	struct vrtc_host_clock_health h;
	int rc = vrtc_host_clock_health_get(&h);

	if (rc != 0 && !failed) {
		fprintf(stderr, "dpdk-rtcd: cannot read the host clock's health (adjtimex: %s)\n",
			strerror(-rc));
		failed = 1;
	}
}

/* Index of the first "--" (the end of EAL's arguments), or argc. */
static int
find_separator(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i;
	}
	return argc;
}

int
main(int argc, char **argv)
{
	static struct prev_stats prev[MAX_DEVICE_ARGS];
	static struct rtcd_rundir rundir;
	static char backend_dir[64];
	struct sigaction sa;
	struct options opts;
	double last, last_health;
	unsigned int i;
	int n, sep, rc, status = EXIT_SUCCESS;

	/* --help and --version anywhere: answered without EAL. */
	switch (vrtc_early_option(argc, argv)) {
	case VRTC_EARLY_HELP:
		usage(stdout, argv[0]);
		return EXIT_SUCCESS;
	case VRTC_EARLY_VERSION:
		print_version();
		return EXIT_SUCCESS;
	case VRTC_EARLY_NONE:
		break;
	}
	/* The daemon's own options, checked before EAL starts. */
	sep = find_separator(argc, argv);
	if (sep < argc) {
		char *saved = argv[sep];

		argv[sep] = argv[0];
		rc = parse_args(argc - sep, argv + sep, &opts);
		argv[sep] = saved;
	} else {
		char *only[] = { argv[0], NULL };

		rc = parse_args(1, only, &opts);
	}
	if (rc != 0)
		return rc > 0 ? EXIT_SUCCESS : 2;
	if (check_vdev_names(argc, argv) != 0)
		return 2;

	rtcd_rundir_before_init(&rundir, sep, argv);
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dpdk-rtcd: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		rtcd_rundir_cleanup(&rundir);
		return EXIT_FAILURE;
	}
	rtcd_rundir_after_init(&rundir, rte_eal_get_runtime_dir());
	if (n != (sep < argc ? sep : argc - 1)) {
		/* EAL stopped elsewhere than at "--" (or the end): an argument it
		 * did not take. */
		fprintf(stderr, "dpdk-rtcd: unexpected argument '%s'; try '%s --help'\n",
			n < argc ? argv[n] : "", argv[0]);
		status = 2;
		goto out;
	}
	stats_logtype = rte_log_register_type_and_pick_level("rtcd.stats", RTE_LOG_INFO);
	if (stats_logtype < 0)
		stats_logtype = RTE_LOGTYPE_USER1;
	if (opts.log_level != 0)
		rte_log_set_level_pattern("vrtc.*", opts.log_level);
	if (vrtc_device_probe_errors() != 0) {
		fprintf(stderr, "dpdk-rtcd: %u device argument(s) were refused (see above); not starting\n",
			vrtc_device_probe_errors());
		status = EXIT_FAILURE;
		goto out;
	}
	for (i = 0; i < opts.nb_devices; i++) {
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
			"dpdk-rtcd: no device: give at least one -- --device rtc_vhostN,iface=PATH or "
			"--device rng_vhostN,iface=PATH\n");
		status = 2;
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Dropping root later: the back-end's private sockets go to a
	 * directory the account can reach (EAL's runtime directory is root's,
	 * 0700), handed over with the sockets before the drop. */
	if (opts.account.set_user && opts.account.uid != 0 && geteuid() == 0) {
		snprintf(backend_dir, sizeof(backend_dir), "/tmp/dpdk-rtcd-vhost.XXXXXX");
		rc = mkdtemp(backend_dir) == NULL ? -errno : vrtc_backend_dir_set(backend_dir);
		if (rc != 0) {
			fprintf(stderr, "dpdk-rtcd: no back-end socket directory %s: %s\n",
				backend_dir, strerror(-rc));
			backend_dir[0] = '\0';
			status = EXIT_FAILURE;
			goto out;
		}
	}
	note_sockets_before_start();
	rc = rtcd_workers_start(&opts.service);
	if (rc != 0) {
		fprintf(stderr, "dpdk-rtcd: cannot start the workers: %s\n", strerror(-rc));
		status = EXIT_FAILURE;
		goto out;
	}
	note_sockets_after_start();
	/* Set-up done (EAL, devices, sockets listening): drop root now. The
	 * account cannot remove EAL's runtime directory at exit: a helper
	 * without capabilities does (runtime_dir.c). */
	if (opts.account.set_user && opts.account.uid != 0 && geteuid() == 0) {
		rc = rtcd_rundir_keeper_start(&rundir);
		if (rc != 0)
			fprintf(stderr, "dpdk-rtcd: no clean-up helper (%s): EAL's runtime directory "
				"%s will stay after exit\n", strerror(-rc), rte_eal_get_runtime_dir());
	}
	if (backend_dir[0] != '\0')
		rc = vrtc_backend_chown(opts.account.uid, opts.account.set_group ?
					opts.account.gid : opts.account.user_gid);
	if (rc == 0)
		rc = rtcd_drop_privileges(&opts.account);
	if (rc != 0) {
		status = EXIT_FAILURE;
		rtcd_workers_stop();
		goto out;
	}
	printf("dpdk-rtcd: serving %u device(s); SIGINT or SIGTERM stops\n", vrtc_device_count());
	fflush(stdout);

	last = now_s();
	last_health = last;
	check_host_clock(); /* logs the host clock's state once */
	while (!stop_signal) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		double t;

		nanosleep(&ts, NULL);
		t = now_s();
		if (opts.stats_period_s != 0 && t - last >= opts.stats_period_s) {
			print_stats(prev, t - last);
			last = t;
		}
		if (t - last_health >= HOST_CLOCK_CHECK_S) {
			check_host_clock();
			last_health = t;
		}
	}
	printf("dpdk-rtcd: %s received, stopping\n", strsignal(stop_signal));
	fflush(stdout);
	if (opts.stats_period_s != 0)
		print_stats(prev, now_s() - last);
	rtcd_workers_stop();
out:
	vrtc_device_destroy_all();
	if (backend_dir[0] != '\0' && rmdir(backend_dir) != 0)
		fprintf(stderr, "dpdk-rtcd: cannot remove %s: %s\n", backend_dir, strerror(errno));
	report_leftover_sockets(&opts.account);
	rte_eal_cleanup();
	rtcd_rundir_cleanup(&rundir);
	return status;
}
