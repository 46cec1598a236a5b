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

#include "config.h"
#include "control.h"
#include "early_args.h"
#include "manage.h"
#include "privileges.h"
#include "runtime_dir.h"
#include "vrtc.h"
#include "workers.h"
#include "default_rundir.h"

#define DEFAULT_STATS_PERIOD_S 5
/* How often the host clock's health is checked (adjtimex, on the main thread). */
#define HOST_CLOCK_CHECK_S 1.0

/* The default configuration file, read when it exists (--config FILE|none). */
#define DEFAULT_CONFIG "/etc/dpdk-rtcd/dpdk-rtcd.conf"

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t reload_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void
on_hup(int sig)
{
	(void)sig;
	reload_signal = 1;
}

#define MAX_DEVICE_ARGS 256

struct options {
	unsigned int stats_period_s;
	unsigned int nb_devices;
	const char *devices[MAX_DEVICE_ARGS]; /* --device SPEC, in order */
	uint32_t log_level; /* 0: leave as EAL set it */
	struct rtcd_workers_params service;
	struct rtcd_account account; /* --user / --group */
	const char *config;	     /* --config FILE, "none", or NULL: the default */
	const char *control;	     /* --control PATH, "none", or NULL: the default */
	const char *socket_dir;	     /* --socket-dir DIR, or NULL: the runtime directory */
	unsigned char given[128];    /* options given on the command line */
};

/* Keys of the configuration file: the long options without their dashes,
 * and the EAL arguments. */
static const char *const config_keys[] = {
	"device", "stats-period", "log-level", "burst", "poll", "idle-us", "user", "group",
	"socket-dir", "control", "eal", NULL,
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
		"  -c, --config FILE|none      configuration file: devices and these options, one\n"
		"                              per line (default %s when it\n"
		"                              exists); SIGHUP or 'reload' applies its device changes\n"
		"  -C, --control PATH|none     control socket (default RUNDIR/control.sock, or\n"
		"                              RUNDIR/PREFIX.control.sock with EAL --file-prefix;\n"
		"                              RUNDIR is /run/dpdk-rtcd for root); see dpdk-rtcd-ctl(8)\n"
		"  -S, --socket-dir DIR        devices added at runtime and from the configuration\n"
		"                              file place their sockets only under DIR (default RUNDIR)\n"
		"  -h, --help                  this text (anywhere on the command line; EAL is not\n"
		"                              started)\n"
		"  -V, --version               version (likewise without EAL)\n"
		"\n"
		"Device keys: rtc_vhost: iface, client, reconnect, owner, group, mode, lcore,\n"
		"clocks, tai_offset, smear, cross_tsc, alarm; rng_vhost: iface, client, reconnect,\n"
		"owner, group, mode, lcore, source, rate, reseed. See dpdk-rtcd(8).\n"
		"\n"
		"SIGINT or SIGTERM stops the daemon: front-ends see a disconnect, sockets are\n"
		"removed, exit status 0. SIGHUP reloads the configuration file. Exit status 1:\n"
		"EAL, a device or the service could not start; 2: a usage error or no device.\n",
		prog, DEFAULT_STATS_PERIOD_S, DEFAULT_CONFIG);
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

/*
 * One daemon option (its short option letter @p c) with its value: from
 * the command line or the configuration file.
 * @return 0, or -1 with the reason in @p err.
 */
static int
set_option(struct options *o, int c, const char *arg, char *err, size_t err_size)
{
	unsigned long v;

	switch (c) {
	case 'd':
		if (o->nb_devices == MAX_DEVICE_ARGS) {
			snprintf(err, err_size, "--device: at most %u devices", MAX_DEVICE_ARGS);
			return -1;
		}
		o->devices[o->nb_devices++] = arg;
		return 0;
	case 's':
		if (parse_uint(arg, 0, 86400, &v) != 0) {
			snprintf(err, err_size, "--stats-period: '%s' is not 0..86400 seconds", arg);
			return -1;
		}
		o->stats_period_s = (unsigned int)v;
		return 0;
	case 'L':
		if (parse_level(arg, &o->log_level) != 0) {
			snprintf(err, err_size, "--log-level: '%s' is not one of emerg, alert, crit, "
				 "err, warning, notice, info, debug, 1..8", arg);
			return -1;
		}
		return 0;
	case 'b':
		if (parse_uint(arg, 1, 256, &v) != 0) {
			snprintf(err, err_size, "--burst: '%s' is not 1..256", arg);
			return -1;
		}
		o->service.burst = (uint16_t)v;
		return 0;
	case 'p':
		if (strcmp(arg, "busy") == 0) {
			o->service.mode = RTCD_POLL_BUSY;
		} else if (strcmp(arg, "adaptive") == 0) {
			o->service.mode = RTCD_POLL_ADAPTIVE;
		} else {
			snprintf(err, err_size, "--poll: '%s' is not busy or adaptive", arg);
			return -1;
		}
		return 0;
	case 'i':
		if (parse_uint(arg, 1, 10000000, &v) != 0) {
			snprintf(err, err_size, "--idle-us: '%s' is not 1..10000000", arg);
			return -1;
		}
		o->service.idle_us = (uint32_t)v;
		return 0;
	case 'u':
		if (rtcd_account_set_user(&o->account, arg) != 0) {
			snprintf(err, err_size, "--user: '%s' refused (see above)", arg);
			return -1;
		}
		return 0;
	case 'g':
		if (rtcd_account_set_group(&o->account, arg) != 0) {
			snprintf(err, err_size, "--group: '%s' refused (see above)", arg);
			return -1;
		}
		return 0;
	case 'c':
		o->config = arg;
		return 0;
	case 'C':
		if (strcmp(arg, "none") != 0 && (arg[0] == '\0' || strlen(arg) > 107)) {
			snprintf(err, err_size, "--control: '%s' is not none or a socket path of 1 "
				 "to 107 characters", arg);
			return -1;
		}
		o->control = arg;
		return 0;
	case 'S':
		if (arg[0] != '/' || strlen(arg) > 100) {
			snprintf(err, err_size, "--socket-dir: '%s' is not an absolute path of at "
				 "most 100 characters", arg);
			return -1;
		}
		o->socket_dir = arg;
		return 0;
	}
	snprintf(err, err_size, "unknown option");
	return -1;
}

static const struct option longopts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "stats-period", required_argument, NULL, 's' },
	{ "log-level", required_argument, NULL, 'L' },
	{ "burst", required_argument, NULL, 'b' },
	{ "poll", required_argument, NULL, 'p' },
	{ "idle-us", required_argument, NULL, 'i' },
	{ "user", required_argument, NULL, 'u' },
	{ "group", required_argument, NULL, 'g' },
	{ "config", required_argument, NULL, 'c' },
	{ "control", required_argument, NULL, 'C' },
	{ "socket-dir", required_argument, NULL, 'S' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* @return 0 to run, 1 to exit successfully (--help), -1 on a usage error. */
static int
parse_args(int argc, char **argv, struct options *o)
{
	const char *prog = argv[0];
	char err[512];
	int c;

	memset(o, 0, sizeof(*o));
	o->stats_period_s = DEFAULT_STATS_PERIOD_S;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:s:L:b:p:i:u:g:c:C:S:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
		case 'V':
			/* Answered before EAL by main(). */
			return 1;
		case '?':
		case ':':
			fprintf(stderr, "Try '%s -- --help'.\n", prog);
			return -1;
		default:
			if (set_option(o, c, optarg, err, sizeof(err)) != 0) {
				fprintf(stderr, "%s: %s\n", prog, err);
				return -1;
			}
			if (c >= 0 && c < (int)sizeof(o->given))
				o->given[c] = 1;
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'; try '%s -- --help'\n", prog, argv[optind],
			prog);
		return -1;
	}
	return 0;
}

/*
 * The configuration file's options, where the command line did not give
 * them (devices add up); its EAL arguments ("eal" lines) go to @p eal_args
 * (split at blanks). @return 0, or -1 after a "FILE:LINE: reason" message.
 */
static int
apply_config(struct options *o, const struct rtcd_config *cf, char **eal_args,
	     unsigned int *nb_eal, unsigned int max_eal)
{
	unsigned int i, j;
	char err[512];

	for (i = 0; i < cf->nb_entries; i++) {
		const struct rtcd_config_entry *e = &cf->entries[i];
		int c = 0;

		if (strcmp(e->key, "device") == 0)
			continue; /* created by rtcd_manage_create_config_devices() */
		if (strcmp(e->key, "eal") == 0) {
			char *save = NULL, *tok;

			for (tok = strtok_r(e->value, " \t", &save); tok != NULL;
			     tok = strtok_r(NULL, " \t", &save)) {
				if (*nb_eal == max_eal) {
					fprintf(stderr, "dpdk-rtcd: %s:%u: too many EAL arguments\n",
						cf->path, e->line);
					return -1;
				}
				eal_args[(*nb_eal)++] = tok;
			}
			continue;
		}
		for (j = 0; longopts[j].name != NULL; j++) {
			if (strcmp(longopts[j].name, e->key) == 0)
				c = longopts[j].val;
		}
		if (c == 0 || c == 'c') {
			fprintf(stderr, "dpdk-rtcd: %s:%u: unknown key '%s'\n", cf->path, e->line,
				e->key);
			return -1;
		}
		if (o->given[c])
			continue; /* the command line wins */
		if (set_option(o, c, e->value, err, sizeof(err)) != 0) {
			fprintf(stderr, "dpdk-rtcd: %s:%u: %s\n", cf->path, e->line, err);
			return -1;
		}
	}
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

/* Devices whose statistics lines are logged (the first ones in creation order). */
#define MAX_STATS_DEVICES 1024

/* Devices come and go at runtime: a slot is the previous line of the
 * device of that name at that position, else no rate yet. */
struct prev_stats {
	struct vrtc_device_stats st;
	char name[64];
	int valid;
};

static void
print_stats(struct prev_stats *prev, double dt)
{
	unsigned int i, n = vrtc_device_count();

	for (i = 0; i < n && i < MAX_STATS_DEVICES; i++) {
		const struct vrtc_device *dev = vrtc_device_at(i);
		struct vrtc_device_stats st;
		double req_rate = 0, byte_rate = 0;

		if (dev == NULL || vrtc_device_stats_get(dev, &st) != 0)
			continue;
		if (strcmp(prev[i].name, vrtc_device_name(dev)) != 0) {
			prev[i].valid = 0;
			snprintf(prev[i].name, sizeof(prev[i].name), "%s", vrtc_device_name(dev));
		}
		if (prev[i].valid && dt > 0 && st.requests >= prev[i].st.requests) {
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

/* EAL's --file-prefix in argv[1..argc), or NULL. */
static const char *
file_prefix(int argc, char **argv)
{
	const char *prefix = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--file-prefix") == 0 && i + 1 < argc)
			prefix = argv[++i];
		else if (strncmp(argv[i], "--file-prefix=", 14) == 0)
			prefix = argv[i] + 14;
	}
	return prefix;
}

/* mkdir @p dir (0755) unless it is there; *created tells which. 0 or -errno. */
static int
ensure_dir(const char *dir, int *created)
{
	struct stat st;

	*created = 0;
	if (mkdir(dir, 0755) == 0) {
		*created = 1;
		return 0;
	}
	if (errno != EEXIST)
		return -errno;
	if (stat(dir, &st) != 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* At reload: the file's option values, checked on a scratch copy. */
static int
check_config_options(const struct rtcd_config *cf, char *err, size_t err_size)
{
	static struct options scratch;
	unsigned int i, j;
	char why[512];

	for (i = 0; i < cf->nb_entries; i++) {
		const struct rtcd_config_entry *e = &cf->entries[i];
		int c = 0;

		if (strcmp(e->key, "device") == 0 || strcmp(e->key, "eal") == 0)
			continue;
		for (j = 0; longopts[j].name != NULL; j++) {
			if (strcmp(longopts[j].name, e->key) == 0)
				c = longopts[j].val;
		}
		memset(&scratch, 0, sizeof(scratch));
		if (c == 0 || c == 'c' || set_option(&scratch, c, e->value, why, sizeof(why)) != 0) {
			snprintf(err, err_size, "%.200s:%u: %s", cf->path, e->line,
				 c == 0 || c == 'c' ? "unknown key" : why);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * An existing runtime directory is used only when nobody else controls
 * it: owned by root, this process or the --user account, and not writable
 * by others (a predictable /tmp/dpdk-rtcd-UID could be somebody's trap).
 */
static int
check_rundir_owner(const char *dir, const struct rtcd_account *a)
{
	struct stat st;

	if (lstat(dir, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid != 0 && st.st_uid != geteuid() && !(a->set_user && st.st_uid == a->uid))
		return -EPERM;
	if (st.st_mode & 0002)
		return -EPERM;
	return 0;
}

/* The control socket's reply to a reload from SIGHUP goes to the log. */
static void
reload_from_signal(void)
{
	struct rtcd_reply r = { 0 };

	rtcd_manage_reload(&r);
	printf("dpdk-rtcd: SIGHUP: %.*s", (int)r.len, r.buf != NULL ? r.buf : "\n");
	fflush(stdout);
	free(r.buf);
}

#define MAX_EAL_ARGS 128

int
main(int argc, char **argv)
{
	static struct prev_stats prev[MAX_STATS_DEVICES];
	static struct rtcd_rundir rundir;
	static struct rtcd_config config;
	static char backend_dir[64], rt_dir[200], control_path[512], socket_dir[256];
	static char *eal_argv[MAX_EAL_ARGS + 1];
	const char *config_path = NULL, *prefix;
	struct rtcd_manage_params mp;
	struct sigaction sa;
	struct options opts;
	double last, last_health;
	unsigned int i, nb_eal = 0;
	int n, sep, rc, status = EXIT_SUCCESS, rt_created = 0, eargc;
	char **eargv, err[1024];

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
	/* The configuration file: options the command line did not give,
	 * devices, EAL arguments. */
	if (opts.config == NULL) {
		if (access(DEFAULT_CONFIG, F_OK) == 0)
			config_path = DEFAULT_CONFIG;
	} else if (strcmp(opts.config, "none") != 0) {
		config_path = opts.config;
	}
	eal_argv[nb_eal++] = argv[0];
	if (config_path != NULL) {
		if (rtcd_config_load(config_path, config_keys, &config, err, sizeof(err)) != 0) {
			fprintf(stderr, "dpdk-rtcd: %s\n", err);
			return 2;
		}
		if (apply_config(&opts, &config, eal_argv, &nb_eal, MAX_EAL_ARGS - 1) != 0)
			return 2;
	}
	if (rtcd_account_check(&opts.account) != 0)
		return 2;
	/* SIGHUP is a reload request from now on (it is served once the main
	 * loop runs), never the default: death. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	/* EAL arguments: the command line's, or when it has none the file's
	 * "eal" lines (a unit that never needs editing). */
	if (sep > 1 || nb_eal == 1) {
		if (nb_eal > 1)
			fprintf(stderr, "dpdk-rtcd: %s: its eal lines are not used: the command "
				"line has EAL arguments\n", config_path);
		eargc = argc;
		eargv = argv;
	} else {
		eargc = (int)nb_eal;
		for (i = (unsigned int)sep; i < (unsigned int)argc && nb_eal < MAX_EAL_ARGS; i++)
			eal_argv[nb_eal++] = argv[i];
		eal_argv[nb_eal] = NULL;
		eargv = eal_argv;
		if (i < (unsigned int)argc) {
			fprintf(stderr, "dpdk-rtcd: too many arguments\n");
			return 2;
		}
		/* eargc counts the EAL part only; the rest follows "--". */
		sep = eargc;
		eargc = (int)nb_eal;
	}
	if (check_vdev_names(eargc, eargv) != 0)
		return 2;

	rtcd_default_rundir(rt_dir, sizeof(rt_dir));
	if (opts.socket_dir == NULL)
		opts.socket_dir = rt_dir;
	snprintf(socket_dir, sizeof(socket_dir), "%s", opts.socket_dir);
	prefix = file_prefix(sep, eargv);
	if (opts.control == NULL) {
		if (prefix != NULL && strcmp(prefix, "rte") != 0)
			snprintf(control_path, sizeof(control_path), "%s/%s.control.sock", rt_dir,
				 prefix);
		else
			snprintf(control_path, sizeof(control_path), "%s/control.sock", rt_dir);
	} else if (strcmp(opts.control, "none") != 0) {
		snprintf(control_path, sizeof(control_path), "%s", opts.control);
	}

	rtcd_rundir_before_init(&rundir, sep, eargv);
	n = rte_eal_init(eargc, eargv);
	if (n < 0) {
		fprintf(stderr, "dpdk-rtcd: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		rtcd_rundir_cleanup(&rundir);
		return EXIT_FAILURE;
	}
	rtcd_rundir_after_init(&rundir, rte_eal_get_runtime_dir());
	if (n != (sep < eargc ? sep : eargc - 1)) {
		/* EAL stopped elsewhere than at "--" (or the end): an argument it
		 * did not take. */
		fprintf(stderr, "dpdk-rtcd: unexpected argument '%s'; try '%s --help'\n",
			n < eargc ? eargv[n] : "", argv[0]);
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
	/* The runtime directory: default socket directory and control socket. */
	if (strcmp(socket_dir, rt_dir) == 0 || strncmp(control_path, rt_dir, strlen(rt_dir)) == 0) {
		rc = ensure_dir(rt_dir, &rt_created);
		if (rc == 0 && !rt_created)
			rc = check_rundir_owner(rt_dir, &opts.account);
		if (rc != 0) {
			fprintf(stderr, "dpdk-rtcd: runtime directory %s: %s: not used (no default "
				"control socket; runtime adds need --socket-dir)\n", rt_dir,
				rc == -EPERM ? "owned by another user, or writable by others" :
				strerror(-rc));
			if (opts.control == NULL)
				control_path[0] = '\0';
			if (strcmp(socket_dir, rt_dir) == 0)
				socket_dir[0] = '\0';
		}
	}
	memset(&mp, 0, sizeof(mp));
	mp.socket_dir = socket_dir;
	mp.config_path = config_path;
	mp.config_keys = config_keys;
	mp.version = VRTC_VERSION;
	mp.check_options = check_config_options;
	rtcd_manage_init(&mp);
	for (i = 0; i < opts.nb_devices; i++) {
		rc = vrtc_device_create_from_args(opts.devices[i], NULL);
		if (rc != 0) {
			fprintf(stderr, "dpdk-rtcd: --device '%s' refused: %s (see above); not starting\n",
				opts.devices[i], strerror(-rc));
			status = EXIT_FAILURE;
			goto out;
		}
		rtcd_manage_note(opts.devices[i], RTCD_ORIGIN_CMDLINE, 0);
	}
	if (config_path != NULL && rtcd_manage_create_config_devices(&config) != 0) {
		fprintf(stderr, "dpdk-rtcd: a device of %s was refused (see above); not starting\n",
			config_path);
		status = EXIT_FAILURE;
		goto out;
	}
	/* Without a configuration file a daemon without devices is a mistake;
	 * with one, devices may come later (reload, control socket). */
	if (vrtc_device_count() == 0 && config_path == NULL) {
		fprintf(stderr,
			"dpdk-rtcd: no device: give at least one -- --device rtc_vhostN,iface=PATH or "
			"--device rng_vhostN,iface=PATH (or a --config file)\n");
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
	/* The control socket, once every device socket listens. */
	if (control_path[0] != '\0') {
		struct rtcd_control_params cp = { .path = control_path, .exec = rtcd_manage_exec };

		rc = rtcd_control_open(&cp);
		if (rc != 0 && opts.control != NULL) {
			status = EXIT_FAILURE;
			rtcd_workers_stop();
			goto out;
		}
		if (rc != 0)
			fprintf(stderr, "dpdk-rtcd: running without a control socket\n");
	}
	/* Set-up done (EAL, devices, sockets listening): drop root now. The
	 * account cannot remove EAL's runtime directory at exit: a helper
	 * without capabilities does (runtime_dir.c). */
	rc = 0;
	if (opts.account.set_user && opts.account.uid != 0 && geteuid() == 0) {
		gid_t gid = opts.account.set_group ? opts.account.gid : opts.account.user_gid;

		/* The account adds and removes sockets at runtime in a runtime
		 * directory this run made; in an existing one it may not be
		 * able to remove the control socket: the helper does. */
		if (rt_created && chown(rt_dir, opts.account.uid, gid) != 0)
			fprintf(stderr, "dpdk-rtcd: cannot give %s to the account: %s\n", rt_dir,
				strerror(errno));
		if (rtcd_control_active()) {
			rtcd_rundir_also_remove(&rundir, control_path);
			if (rtcd_control_chown(opts.account.uid, gid) != 0)
				fprintf(stderr, "dpdk-rtcd: cannot give %s to the account: %s\n",
					control_path, strerror(errno));
		}
		rc = rtcd_rundir_keeper_start(&rundir);
		if (rc != 0)
			fprintf(stderr, "dpdk-rtcd: no clean-up helper (%s): EAL's runtime directory "
				"%s will stay after exit\n", strerror(-rc), rte_eal_get_runtime_dir());
		rc = 0;
		if (backend_dir[0] != '\0')
			rc = vrtc_backend_chown(opts.account.uid, gid);
	}
	if (rc == 0)
		rc = rtcd_drop_privileges(&opts.account);
	if (rc != 0) {
		status = EXIT_FAILURE;
		rtcd_workers_stop();
		goto out;
	}
	if (rtcd_control_active())
		printf("dpdk-rtcd: control socket %s\n", control_path);
	printf("dpdk-rtcd: serving %u device(s); SIGINT or SIGTERM stops\n", vrtc_device_count());
	fflush(stdout);

	last = now_s();
	last_health = last;
	check_host_clock(); /* logs the host clock's state once */
	while (!stop_signal) {
		double t;

		/* The 100 ms tick, and the control socket's traffic meanwhile. */
		rtcd_control_wait(100);
		if (reload_signal) {
			reload_signal = 0;
			reload_from_signal();
		}
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
	rtcd_control_close(rundir.keeper == 0);
	if (opts.stats_period_s != 0)
		print_stats(prev, now_s() - last);
	rtcd_workers_stop();
out:
	rtcd_control_close(1);
	vrtc_device_destroy_all();
	if (backend_dir[0] != '\0' && rmdir(backend_dir) != 0)
		fprintf(stderr, "dpdk-rtcd: cannot remove %s: %s\n", backend_dir, strerror(errno));
	report_leftover_sockets(&opts.account);
	rte_eal_cleanup();
	rtcd_rundir_cleanup(&rundir);
	rtcd_manage_fini();
	rtcd_config_free(&config);
	return status;
}
