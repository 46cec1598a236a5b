/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * dpdk-test-rtc: throughput and latency of any vhost-user virtio-rtc or
 * virtio-rng back-end, driven through the user-space front-end
 * (vrtc_frontend.h).
 *
 *   dpdk-test-rtc <EAL args> -- -s SOCKET [options]
 *
 * Each device (one socket) is driven by one lcore of this process; devices
 * are spread round-robin over the EAL lcores, main lcore first. A driving
 * lcore keeps up to `depth` requests outstanding per device, posts them in
 * bursts (one avail->idx store each), collects completions in bursts, and
 * checks every response before it counts it: status, exact used length,
 * monotonic clock readings never earlier than a reading that completed
 * before the request was posted, rng buffers filled completely and not
 * zero. A response that fails a check is an error, never a request.
 *
 * Latency is the time from the enqueue burst that posted a request to the
 * dequeue burst that collected it, in TSC cycles, recorded in a log-linear
 * histogram (hist.h). Buffers live in EAL memory (the back-end maps it).
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_prefetch.h>
#include <rte_version.h>

#include "early_args.h"
#include "hist.h"
#include "vrtc_frontend.h"
#include "vrtc_wire.h"

#define PROG "dpdk-test-rtc"
#define MAX_DEVICES 64
#define MAX_BURST 256
#define MAX_CLOCKS VRTC_MAX_CLOCKS
#define MIX_PATTERN 1024
/* rng: every this many responses, the whole buffer is scanned. */
#define RNG_SCAN_EVERY 64
/* No completion for this long while requests are outstanding: give up. */
#define STALL_S 5.0
/* Time allowed to collect outstanding requests at the end. */
#define DRAIN_S 2.0
/* Set-up requests (CFG, CLOCK_CAP, CROSS_CAP) wait this long for an answer. */
#define SETUP_TIMEOUT_S 2.0

enum test {
	TEST_RTC_READ,
	TEST_RTC_MIX,
	TEST_RNG,
	TEST_IDLE,
	TEST_RTC_ALARM,
};

static const char *const test_names[] = {
	[TEST_RTC_READ] = "rtc-read",
	[TEST_RTC_MIX] = "rtc-mix",
	[TEST_RNG] = "rng",
	[TEST_IDLE] = "idle",
	[TEST_RTC_ALARM] = "rtc-alarm",
};

/* Request kinds of rtc-mix. */
enum kind { K_READ, K_READ_CROSS, K_CFG, K_CLOCK_CAP, K_COUNT };
static const char *const kind_names[K_COUNT] = { "READ", "READ_CROSS", "CFG", "CLOCK_CAP" };

/* Why a response was refused. */
enum err {
	E_LENGTH,     /* used length not the one expected */
	E_STATUS,     /* status not the one expected */
	E_RESERVED,   /* non-zero reserved bytes in the response */
	E_CLOCK,      /* clock reading zero or earlier than one already seen */
	E_CONTENT,    /* CFG / CLOCK_CAP contents differ from the set-up answers */
	E_RNG_ZERO,   /* rng buffer with a zero sample word */
	E_RNG_REPEAT, /* rng buffer not rewritten, or like the previous sampled one */
	E_COUNT
};
static const char *const err_names[E_COUNT] = {
	"length", "status", "reserved", "clock", "content", "rng_zero", "rng_repeat",
};

static const char *const status_names[8] = {
	"OK", "unused", "EOPNOTSUPP", "ENODEV", "EINVAL", "EIO", "other", "none",
};
#define STATUS_OTHER 6 /* a status byte the spec does not define */
#define STATUS_NONE 7  /* used length 0: no status byte */

static const char *const clock_type_names[] = {
	"UTC", "TAI", "MONOTONIC", "UTC_SMEARED", "UTC_MAYBE_SMEARED",
};

struct options {
	enum test test;
	const char *sockets[MAX_DEVICES];
	unsigned int nb_sockets;
	unsigned int nb_devices; /* --devices */
	unsigned int depth;
	int depth_given;
	unsigned int burst;
	unsigned int queue_size;
	double time_s;
	uint64_t requests;
	double warmup_s;
	int clock_id; /* -1: default */
	int clock_all;
	unsigned int mix[K_COUNT];
	int mix_given;
	uint32_t size;
	int size_given;
	int indirect;
	int no_event_idx;
	int packed;
	unsigned int idle_gap_ms;
	long backend_pid;
	const char *json;
	int quiet;
	unsigned int connect_timeout_ms;
	unsigned int alarm_min_ms, alarm_max_ms; /* rtc-alarm delays */
	int alarm_given;
	unsigned int miss_timeout_ms; /* rtc-alarm: no notification this long after the time */
	int miss_timeout_given;
	uint64_t seed;
};

struct slot {
	uint64_t tsc;	/* when its enqueue burst started */
	uint64_t floor; /* latest reading of its clock completed before the post */
	uint64_t rng_first, rng_last; /* rng: the buffer's first and last words last time */
	uint8_t *req;	/* EAL memory */
	uint8_t *resp;	/* EAL memory */
	uint32_t req_len;
	uint32_t in_len;
	uint32_t expect_len;
	uint8_t kind;
	uint8_t expect_status;
	uint16_t clock;
};

struct stats {
	uint64_t good;	/* verified responses (the measured requests) */
	uint64_t bytes; /* their used lengths */
	uint64_t errors;
	uint64_t err[E_COUNT];
	uint64_t status[8];
	uint64_t kind[K_COUNT];
	struct hist lat;
};

struct device {
	unsigned int idx;
	char path[108];
	char name[32];
	struct vrtc_fe *fe;
	unsigned int lcore;

	/* Set-up answers (rtc). */
	uint16_t nb_clocks;
	uint8_t clock_type[MAX_CLOCKS];
	uint8_t cross_cap[MAX_CLOCKS]; /* READ_CROSS against the x86 TSC works */
	uint8_t alarm_cap[MAX_CLOCKS]; /* CLOCK_CAP has VIRTIO_RTC_FLAG_ALARM_CAP */
	uint64_t floor[MAX_CLOCKS];    /* latest monotonic reading completed */
	uint16_t clocks[MAX_CLOCKS];   /* clocks the test reads, in turn */
	uint16_t nb_test_clocks;
	uint16_t next_clock;
	uint16_t next_cap_clock;

	/* Traffic. */
	struct slot *slots;
	struct slot **free_slots;
	uint16_t nb_free;
	uint16_t inflight;
	uint8_t *bufs; /* EAL memory of the slots' buffers */
	uint32_t mix_pos;
	uint64_t rng_seen;
	uint64_t rng_last_word;
	uint64_t quota; /* --requests share of this device; 0: none */
	int measuring; /* has seen PH_MEASURE (its statistics were reset) */
	int finished;
	uint64_t finish_tsc;
	uint64_t last_progress_tsc;
	uint32_t empty_polls; /* dequeues in a row that found nothing */
	int failed; /* queue broken or back-end stalled */

	struct stats st;
};

enum phase { PH_WARMUP, PH_MEASURE, PH_STOP };

static struct options opt;
static struct device devs[MAX_DEVICES];
static unsigned int nb_devs;
static uint8_t mix_pattern[MIX_PATTERN];
static uint64_t tsc_hz;
static volatile int phase; /* enum phase, written by the main lcore */
static volatile sig_atomic_t interrupted;
static uint64_t measure_start_tsc;

/* ---- options -------------------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " <EAL options> -- -s SOCKET [options]\n"
		"\n"
		"Drives vhost-user virtio-rtc (device 17) or virtio-rng (device 4) back-ends through\n"
		"the user-space front-end and reports requests/s, bytes/s and latency percentiles.\n"
		"Every response is checked before it is counted; failed checks are errors.\n"
		"\n"
		"Tests (-t):\n"
		"  rtc-read   READ of one clock (default: the first MONOTONIC clock, else clock 0)\n"
		"  rtc-mix    READ / READ_CROSS / CFG / CLOCK_CAP in the proportions of --mix\n"
		"  rng        fill buffers of --size bytes\n"
		"  idle       connect, post nothing for --time seconds (with --backend-pid: the\n"
		"             back-end's CPU use while its front-end is idle)\n"
		"  rtc-alarm  alarms (VIRTIO_RTC_F_ALARM) on every ALARM_CAP clock of every device\n"
		"             (or --clock ID), round after round for --time seconds (default 3):\n"
		"             SET_ALARM(now + random --alarm-ms, enabled), wait for its\n"
		"             NOTIF_ALARM, SET_ALARM_ENABLED(off). Reports fire lateness\n"
		"             p50/p99/max and the missed and duplicated notifications, which\n"
		"             must be 0. All devices are driven by the main lcore.\n"
		"\n"
		"Options:\n"
		"  -t, --test NAME           rtc-read (default), rtc-mix, rng, idle, rtc-alarm\n"
		"  -s, --socket PATH         back-end socket; repeat for more devices\n"
		"  -n, --devices N           N devices from one --socket PATH containing %%u\n"
		"                            (replaced by 0..N-1)\n"
		"  -d, --depth N             requests outstanding per device (default 32)\n"
		"  -b, --burst N             requests per enqueue / dequeue call (default 32, max %u)\n"
		"  -Q, --queue-size N        ring entries, power of two (default 256)\n"
		"  -T, --time SECONDS        measured time after the warm-up (default 10)\n"
		"  -r, --requests N          measure N requests (shared by the devices) instead\n"
		"  -w, --warmup SECONDS      traffic before measuring, checked but not counted\n"
		"                            (default 1)\n"
		"  -c, --clock ID|all        clock of rtc-read / READs of rtc-mix (rtc-mix default: all)\n"
		"  -m, --mix R:X:C:K         rtc-mix weights of READ:READ_CROSS:CFG:CLOCK_CAP\n"
		"                            (default 70:10:10:10)\n"
		"  -S, --size BYTES          rng buffer size, 64..65536, K suffix allowed (default 4096)\n"
		"  -i, --indirect 0|1        one indirect descriptor per request (default 0)\n"
		"  -E, --no-event-idx        do not negotiate VIRTIO_RING_F_EVENT_IDX\n"
		"  -P, --packed              packed rings (VIRTIO_F_RING_PACKED; the back-end must\n"
		"                            offer it: dpdk-rtcd's device key packed=1)\n"
		"  -g, --idle-gap-ms MS      latency after idle: one request at a time, each MS ms\n"
		"                            after the previous answer (depth 1)\n"
		"  -p, --backend-pid PID     also report that process's CPU use (per thread, from\n"
		"                            /proc) over the measured time\n"
		"  -j, --json FILE           write the results as JSON\n"
		"  -q, --quiet               no progress line every second\n"
		"  -C, --connect-timeout MS  give up connecting after MS ms (default 5000)\n"
		"  -a, --alarm-ms MIN:MAX    rtc-alarm: alarm delays, uniform in MIN..MAX ms after\n"
		"                            the SET_ALARM (default 1:50)\n"
		"  -M, --miss-timeout MS     rtc-alarm: no notification MS ms after the alarm time\n"
		"                            is a missed one (default 1000)\n"
		"      --seed N              rtc-alarm: seed of the delays (default: time-based,\n"
		"                            printed)\n"
		"  -h, --help                this text (anywhere on the command line; EAL is not\n"
		"                            started)\n"
		"  -V, --version             version (likewise without EAL)\n"
		"\n"
		"EAL: the back-end must map this process's buffers, so EAL memory must be shared\n"
		"by file descriptor: '--no-huge -m 256 --no-shconf' (no hugepages needed) or, with\n"
		"hugepages, '--in-memory --single-file-segments'. Give each process its own\n"
		"--file-prefix. Devices are driven by the EAL lcores (-l), main lcore first; keep\n"
		"them off the back-end's CPUs (two pollers on one CPU take turns in milliseconds).\n"
		"\n"
		"Examples:\n"
		"  " PROG " -l 0 --no-huge -m 256 --no-shconf -- -s /tmp/rtc0.sock -t rtc-read -d 32\n"
		"  " PROG " -l 0 --no-huge -m 256 --no-shconf -- -s /tmp/rng0.sock -t rng -S 4K\n"
		"  " PROG " -l 0 --no-huge -m 256 --no-shconf -- -s /tmp/rtc0.sock -d 1 -b 1\n"
		"\n"
		"  " PROG " -l 0 --no-huge -m 256 --no-shconf -- -s /tmp/rtc0.sock \\\n"
		"      -s /tmp/rtc1.sock -t rtc-alarm -T 3\n"
		"\n"
		"Exit status: 0 when every response passed its checks (rtc-alarm: and no alarm was\n"
		"missed, duplicated or early), 1 when any failed or the back-end stopped answering,\n"
		"2 for a usage or set-up error.\n",
		MAX_BURST);
}

static int
parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_seconds(const char *s, double min, double max, double *out)
{
	double v;
	char *end;

	if (!isdigit((unsigned char)*s) && *s != '.')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(v >= min && v <= max))
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_size(const char *s, uint32_t *out)
{
	unsigned long v, mul = 1;
	char buf[32];
	size_t len = strlen(s);

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len + 1);
	if (buf[len - 1] == 'K' || buf[len - 1] == 'k') {
		mul = 1024;
		buf[len - 1] = '\0';
	}
	if (parse_ulong(buf, 1, 65536, &v) != 0 || v * mul < 64 || v * mul > 65536)
		return -EINVAL;
	*out = (uint32_t)(v * mul);
	return 0;
}

static int
parse_mix(const char *s, unsigned int mix[K_COUNT])
{
	unsigned long v;
	unsigned int i, total = 0;
	char buf[64], *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	tok = strtok_r(buf, ":", &save);
	for (i = 0; i < K_COUNT; i++) {
		if (tok == NULL || parse_ulong(tok, 0, 1000, &v) != 0)
			return -EINVAL;
		mix[i] = (unsigned int)v;
		total += mix[i];
		tok = strtok_r(NULL, ":", &save);
	}
	if (tok != NULL || total == 0)
		return -EINVAL;
	return 0;
}

#define BAD(...)                                                                                   \
	do {                                                                                       \
		fprintf(stderr, PROG ": " __VA_ARGS__);                                            \
		fputc('\n', stderr);                                                               \
		return -1;                                                                         \
	} while (0)

/* @return 0 to run, 1 to exit successfully (--help), -1 on a usage error. */
static int
parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "test", required_argument, NULL, 't' },
		{ "socket", required_argument, NULL, 's' },
		{ "devices", required_argument, NULL, 'n' },
		{ "depth", required_argument, NULL, 'd' },
		{ "burst", required_argument, NULL, 'b' },
		{ "queue-size", required_argument, NULL, 'Q' },
		{ "time", required_argument, NULL, 'T' },
		{ "requests", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "clock", required_argument, NULL, 'c' },
		{ "mix", required_argument, NULL, 'm' },
		{ "size", required_argument, NULL, 'S' },
		{ "indirect", required_argument, NULL, 'i' },
		{ "no-event-idx", no_argument, NULL, 'E' },
		{ "packed", no_argument, NULL, 'P' },
		{ "idle-gap-ms", required_argument, NULL, 'g' },
		{ "backend-pid", required_argument, NULL, 'p' },
		{ "json", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "connect-timeout", required_argument, NULL, 'C' },
		{ "alarm-ms", required_argument, NULL, 'a' },
		{ "miss-timeout", required_argument, NULL, 'M' },
		{ "seed", required_argument, NULL, 1000 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	unsigned int i;
	int c, time_given = 0;

	opt.test = TEST_RTC_READ;
	opt.depth = 32;
	opt.burst = 32;
	opt.queue_size = 256;
	opt.time_s = 10;
	opt.warmup_s = 1;
	opt.clock_id = -1;
	opt.mix[K_READ] = 70;
	opt.mix[K_READ_CROSS] = 10;
	opt.mix[K_CFG] = 10;
	opt.mix[K_CLOCK_CAP] = 10;
	opt.size = 4096;
	opt.backend_pid = -1;
	opt.connect_timeout_ms = 5000;
	opt.alarm_min_ms = 1;
	opt.alarm_max_ms = 50;
	opt.miss_timeout_ms = 1000;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:s:n:d:b:Q:T:r:w:c:m:S:i:EPg:p:j:qC:a:M:hV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 't':
			for (i = 0; i < RTE_DIM(test_names); i++)
				if (strcmp(optarg, test_names[i]) == 0)
					break;
			if (i == RTE_DIM(test_names))
				BAD("--test: '%s' is not rtc-read, rtc-mix, rng, idle or rtc-alarm",
				    optarg);
			opt.test = (enum test)i;
			break;
		case 's':
			if (opt.nb_sockets == MAX_DEVICES)
				BAD("--socket: at most %u devices", MAX_DEVICES);
			if (strlen(optarg) == 0 || strlen(optarg) >= sizeof(devs[0].path))
				BAD("--socket: the path must be 1..%zu bytes", sizeof(devs[0].path) - 1);
			opt.sockets[opt.nb_sockets++] = optarg;
			break;
		case 'n':
			if (parse_ulong(optarg, 1, MAX_DEVICES, &v) != 0)
				BAD("--devices: '%s' is not 1..%u", optarg, MAX_DEVICES);
			opt.nb_devices = (unsigned int)v;
			break;
		case 'd':
			if (parse_ulong(optarg, 1, 32768, &v) != 0)
				BAD("--depth: '%s' is not 1..32768", optarg);
			opt.depth = (unsigned int)v;
			opt.depth_given = 1;
			break;
		case 'b':
			if (parse_ulong(optarg, 1, MAX_BURST, &v) != 0)
				BAD("--burst: '%s' is not 1..%u", optarg, MAX_BURST);
			opt.burst = (unsigned int)v;
			break;
		case 'Q':
			if (parse_ulong(optarg, 1, 32768, &v) != 0 || (v & (v - 1)) != 0)
				BAD("--queue-size: '%s' is not a power of two in 1..32768", optarg);
			opt.queue_size = (unsigned int)v;
			break;
		case 'T':
			if (parse_seconds(optarg, 0.001, 86400, &opt.time_s) != 0)
				BAD("--time: '%s' is not 0.001..86400 seconds", optarg);
			time_given = 1;
			break;
		case 'r':
			if (parse_ulong(optarg, 1, ULONG_MAX, &v) != 0)
				BAD("--requests: '%s' is not a positive number", optarg);
			opt.requests = v;
			break;
		case 'w':
			if (parse_seconds(optarg, 0, 3600, &opt.warmup_s) != 0)
				BAD("--warmup: '%s' is not 0..3600 seconds", optarg);
			break;
		case 'c':
			if (strcmp(optarg, "all") == 0) {
				opt.clock_all = 1;
			} else {
				if (parse_ulong(optarg, 0, MAX_CLOCKS - 1, &v) != 0)
					BAD("--clock: '%s' is not all or 0..%u", optarg, MAX_CLOCKS - 1);
				opt.clock_id = (int)v;
			}
			break;
		case 'm':
			if (parse_mix(optarg, opt.mix) != 0)
				BAD("--mix: '%s' is not R:X:C:K, four weights 0..1000, not all 0",
				    optarg);
			opt.mix_given = 1;
			break;
		case 'S':
			if (parse_size(optarg, &opt.size) != 0)
				BAD("--size: '%s' is not 64..65536 bytes (K suffix allowed)", optarg);
			opt.size_given = 1;
			break;
		case 'i':
			if (strcmp(optarg, "0") != 0 && strcmp(optarg, "1") != 0)
				BAD("--indirect: '%s' is not 0 or 1", optarg);
			opt.indirect = optarg[0] == '1';
			break;
		case 'E':
			opt.no_event_idx = 1;
			break;
		case 'P':
			opt.packed = 1;
			break;
		case 'g':
			if (parse_ulong(optarg, 1, 60000, &v) != 0)
				BAD("--idle-gap-ms: '%s' is not 1..60000", optarg);
			opt.idle_gap_ms = (unsigned int)v;
			break;
		case 'p':
			if (parse_ulong(optarg, 1, INT_MAX, &v) != 0)
				BAD("--backend-pid: '%s' is not a process id", optarg);
			opt.backend_pid = (long)v;
			break;
		case 'j':
			opt.json = optarg;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case 'C':
			if (parse_ulong(optarg, 1, 600000, &v) != 0)
				BAD("--connect-timeout: '%s' is not 1..600000 ms", optarg);
			opt.connect_timeout_ms = (unsigned int)v;
			break;
		case 'a': {
			char buf[32], *colon;
			unsigned long lo, hi;

			if (strlen(optarg) >= sizeof(buf))
				BAD("--alarm-ms: '%s' is not MIN:MAX", optarg);
			strcpy(buf, optarg);
			colon = strchr(buf, ':');
			if (colon == NULL)
				BAD("--alarm-ms: '%s' is not MIN:MAX", optarg);
			*colon = '\0';
			if (parse_ulong(buf, 0, 60000, &lo) != 0 ||
			    parse_ulong(colon + 1, 0, 60000, &hi) != 0 || lo > hi)
				BAD("--alarm-ms: '%s' is not MIN:MAX with 0 <= MIN <= MAX <= 60000",
				    optarg);
			opt.alarm_min_ms = (unsigned int)lo;
			opt.alarm_max_ms = (unsigned int)hi;
			opt.alarm_given = 1;
			break;
		}
		case 'M':
			if (parse_ulong(optarg, 1, 600000, &v) != 0)
				BAD("--miss-timeout: '%s' is not 1..600000 ms", optarg);
			opt.miss_timeout_ms = (unsigned int)v;
			opt.miss_timeout_given = 1;
			break;
		case 1000:
			if (parse_ulong(optarg, 0, ULONG_MAX, &v) != 0)
				BAD("--seed: '%s' is not a number", optarg);
			opt.seed = v != 0 ? v : 1;
			break;
		case 'h':
		case 'V':
			/* Answered before EAL by main(). */
			return 1;
		default:
			fprintf(stderr, "Try '" PROG " -- --help'.\n");
			return -1;
		}
	}
	if (optind < argc)
		BAD("unexpected argument '%s'; try '" PROG " -- --help'", argv[optind]);
	if (opt.nb_sockets == 0)
		BAD("no back-end: give --socket PATH (try '" PROG " -- --help')");
	if (opt.nb_devices != 0) {
		const char *p = opt.sockets[0];
		const char *pct = strchr(p, '%');

		if (opt.nb_sockets != 1 || pct == NULL || pct[1] != 'u' || strchr(pct + 1, '%'))
			BAD("--devices N needs exactly one --socket PATH containing one %%u");
	}
	if (opt.requests != 0 && time_given)
		BAD("--time and --requests exclude each other");
	if (opt.idle_gap_ms != 0) {
		if (opt.test == TEST_IDLE)
			BAD("--idle-gap-ms does not apply to the idle test");
		if (opt.depth_given && opt.depth != 1)
			BAD("--idle-gap-ms sends one request at a time: --depth must be 1");
		opt.depth = 1;
		opt.burst = 1;
	}
	if (opt.test != TEST_RTC_MIX && opt.mix_given)
		BAD("--mix applies to the rtc-mix test only");
	if (opt.test != TEST_RNG && opt.size_given)
		BAD("--size applies to the rng test only");
	if (opt.test == TEST_RTC_READ && opt.clock_all)
		BAD("--clock all applies to rtc-mix; rtc-read reads one clock");
	if (opt.test != TEST_RTC_ALARM && (opt.alarm_given || opt.miss_timeout_given || opt.seed))
		BAD("--alarm-ms, --miss-timeout and --seed apply to the rtc-alarm test only");
	if (opt.test == TEST_RTC_ALARM) {
		if (opt.requests != 0 || opt.idle_gap_ms != 0 || opt.depth_given)
			BAD("rtc-alarm runs for --time: --requests, --idle-gap-ms and --depth do "
			    "not apply");
		if (!time_given)
			opt.time_s = 3;
		opt.warmup_s = 0;
		if (opt.queue_size < 2)
			BAD("rtc-alarm needs --queue-size 2 or more");
		return 0;
	}
	{
		/* Direct rtc requests take two descriptors, everything else one. */
		unsigned int per_req = (opt.test == TEST_RTC_READ || opt.test == TEST_RTC_MIX) &&
					       !opt.indirect
				       ? 2
				       : 1;

		if (opt.depth * per_req > opt.queue_size)
			BAD("--depth %u needs %u descriptors but the ring has %u (--queue-size, or "
			    "--indirect 1)",
			    opt.depth, opt.depth * per_req, opt.queue_size);
	}
	return 0;
}

/* ---- time -------------------------------------------------------------------------- */

static inline double
cycles_to_ns(uint64_t c)
{
	return (double)c * 1e9 / (double)tsc_hz;
}

static inline double
tsc_to_s(uint64_t c)
{
	return (double)c / (double)tsc_hz;
}

/* ---- back-end CPU use from /proc ---------------------------------------------------- */

#define MAX_THREADS 256

struct cpu_sample {
	unsigned int nb;
	struct {
		int tid;
		char comm[32];
		uint64_t ticks; /* utime + stime */
	} t[MAX_THREADS];
	double when_s;
};

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cpu_sample_take(long pid, struct cpu_sample *s)
{
	char path[320], buf[1024];
	struct dirent *de;
	DIR *d;

	s->nb = 0;
	s->when_s = mono_s();
	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	d = opendir(path);
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL && s->nb < MAX_THREADS) {
		unsigned long ut, st;
		char *open, *close;
		FILE *f;
		size_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/stat", pid, de->d_name);
		f = fopen(path, "re");
		if (f == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* pid (comm) state ...: comm may hold spaces and parentheses. */
		open = strchr(buf, '(');
		close = strrchr(buf, ')');
		if (open == NULL || close == NULL || close < open)
			continue;
		/* After ") ": fields 3.. ; utime and stime are fields 14 and 15. */
		if (sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
			   &st) != 2)
			continue;
		s->t[s->nb].tid = atoi(de->d_name);
		snprintf(s->t[s->nb].comm, sizeof(s->t[0].comm), "%.*s", (int)(close - open - 1),
			 open + 1);
		s->t[s->nb].ticks = ut + st;
		s->nb++;
	}
	closedir(d);
	return 0;
}

struct cpu_use {
	int valid;
	double total_pct; /* all threads, % of one CPU */
	double top_pct;	  /* busiest thread */
	char top_comm[32];
	int top_tid;
	unsigned int nb;
	struct {
		int tid;
		char comm[32];
		double pct;
	} t[MAX_THREADS];
};

static void
cpu_use_between(const struct cpu_sample *a, const struct cpu_sample *b, struct cpu_use *u)
{
	double dt = b->when_s - a->when_s, hz = (double)sysconf(_SC_CLK_TCK);
	unsigned int i, j;

	memset(u, 0, sizeof(*u));
	if (dt <= 0 || a->nb == 0 || b->nb == 0)
		return;
	u->valid = 1;
	for (i = 0; i < b->nb; i++) {
		uint64_t before = 0;
		double pct;

		for (j = 0; j < a->nb; j++)
			if (a->t[j].tid == b->t[i].tid)
				before = a->t[j].ticks;
		pct = (double)(b->t[i].ticks - before) / hz / dt * 100.0;
		u->total_pct += pct;
		u->t[u->nb].tid = b->t[i].tid;
		u->t[u->nb].pct = pct;
		snprintf(u->t[u->nb].comm, sizeof(u->t[0].comm), "%s", b->t[i].comm);
		u->nb++;
		if (pct > u->top_pct || u->top_comm[0] == '\0') {
			u->top_pct = pct;
			u->top_tid = b->t[i].tid;
			snprintf(u->top_comm, sizeof(u->top_comm), "%s", b->t[i].comm);
		}
	}
}

/* ---- set-up -------------------------------------------------------------------------- */

static const char *
clock_type_name(uint8_t t)
{
	return t < RTE_DIM(clock_type_names) ? clock_type_names[t] : "other";
}

/* One request, waited for (set-up only). @return used length or -errno. */
static int
sync_request(struct device *d, const void *req, uint32_t req_len, void *resp, uint32_t resp_len)
{
	struct vrtc_fe_req r = { .out = req, .out_len = req_len, .in = resp, .in_len = resp_len };
	struct vrtc_fe_done done;
	uint64_t deadline = rte_rdtsc() + (uint64_t)(SETUP_TIMEOUT_S * (double)tsc_hz);

	r.cookie = resp;
	memset(resp, 0xA5, resp_len);
	if (vrtc_fe_enqueue(d->fe, VRTC_RTC_REQUESTQ, &r, 1) != 1)
		return -EIO;
	while (vrtc_fe_dequeue(d->fe, VRTC_RTC_REQUESTQ, &done, 1) == 0) {
		if (vrtc_fe_queue_broken(d->fe, VRTC_RTC_REQUESTQ))
			return -EIO;
		if (rte_rdtsc() > deadline)
			return -ETIMEDOUT;
		rte_pause();
	}
	if (done.cookie != resp)
		return -EPROTO;
	return (int)done.len;
}

/* Ask the device about its clocks: CFG, then CLOCK_CAP and CROSS_CAP of each. */
static int
discover_clocks(struct device *d)
{
	uint8_t *req = rte_zmalloc(NULL, 64, 64), *resp = rte_zmalloc(NULL, 64, 64);
	struct vrtc_rtc_req_head *h = (void *)req;
	struct vrtc_rtc_resp_head *rh = (void *)resp;
	uint16_t nb, i;
	int len, rc = -EPROTO;

	if (req == NULL || resp == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	h->msg_type = rte_cpu_to_le_16(VRTC_RTC_REQ_CFG);
	len = sync_request(d, req, sizeof(struct vrtc_rtc_req_cfg), resp,
			   sizeof(struct vrtc_rtc_resp_cfg));
	if (len != (int)sizeof(struct vrtc_rtc_resp_cfg) || rh->status != VRTC_RTC_S_OK) {
		fprintf(stderr, PROG ": %s: CFG: used length %d, status %u (is it a virtio-rtc back-end?)\n",
			d->path, len, len > 0 ? rh->status : 0);
		rc = len < 0 ? len : -EPROTO;
		goto out;
	}
	nb = rte_le_to_cpu_16(((struct vrtc_rtc_resp_cfg *)resp)->num_clocks);
	if (nb == 0) {
		fprintf(stderr, PROG ": %s: the device has no clock\n", d->path);
		goto out;
	}
	if (nb > MAX_CLOCKS) {
		printf("%s: %u clocks; using the first %u\n", d->path, nb, MAX_CLOCKS);
		nb = MAX_CLOCKS;
	}
	d->nb_clocks = nb;
	for (i = 0; i < nb; i++) {
		struct vrtc_rtc_req_clock_cap *cc = (void *)req;
		struct vrtc_rtc_req_cross_cap *xc = (void *)req;

		memset(req, 0, 64);
		cc->head.msg_type = rte_cpu_to_le_16(VRTC_RTC_REQ_CLOCK_CAP);
		cc->clock_id = rte_cpu_to_le_16(i);
		len = sync_request(d, req, sizeof(*cc), resp, sizeof(struct vrtc_rtc_resp_clock_cap));
		if (len != (int)sizeof(struct vrtc_rtc_resp_clock_cap) || rh->status != VRTC_RTC_S_OK) {
			fprintf(stderr, PROG ": %s: CLOCK_CAP %u: used length %d, status %u\n",
				d->path, i, len, len > 0 ? rh->status : 0);
			rc = len < 0 ? len : -EPROTO;
			goto out;
		}
		d->clock_type[i] = ((struct vrtc_rtc_resp_clock_cap *)resp)->type;
		d->alarm_cap[i] = (((struct vrtc_rtc_resp_clock_cap *)resp)->flags &
				   VRTC_RTC_FLAG_ALARM_CAP) != 0;

		memset(req, 0, 64);
		xc->head.msg_type = rte_cpu_to_le_16(VRTC_RTC_REQ_CROSS_CAP);
		xc->clock_id = rte_cpu_to_le_16(i);
		xc->hw_counter = VRTC_RTC_COUNTER_X86_TSC;
		len = sync_request(d, req, sizeof(*xc), resp, sizeof(struct vrtc_rtc_resp_cross_cap));
		if (len == (int)sizeof(struct vrtc_rtc_resp_cross_cap) && rh->status == VRTC_RTC_S_OK)
			d->cross_cap[i] = (((struct vrtc_rtc_resp_cross_cap *)resp)->flags &
					   VRTC_RTC_FLAG_CROSS_CAP) != 0;
		else if (len < 0)
			goto out;
		/* A device without CROSS_CAP support: READ_CROSS is expected to
		 * fail with EOPNOTSUPP, which the checks then require. */
	}
	rc = 0;
out:
	rte_free(req);
	rte_free(resp);
	return rc;
}

static int
choose_clocks(struct device *d)
{
	uint16_t i;

	d->nb_test_clocks = 0;
	if (opt.clock_id >= 0) {
		if (opt.clock_id >= d->nb_clocks) {
			fprintf(stderr, PROG ": %s: --clock %d: the device has clocks 0..%u\n",
				d->path, opt.clock_id, d->nb_clocks - 1);
			return -EINVAL;
		}
		d->clocks[d->nb_test_clocks++] = (uint16_t)opt.clock_id;
	} else if (opt.test == TEST_RTC_MIX) {
		for (i = 0; i < d->nb_clocks; i++)
			d->clocks[d->nb_test_clocks++] = i;
	} else {
		for (i = 0; i < d->nb_clocks; i++)
			if (d->clock_type[i] == VRTC_RTC_CLOCK_MONOTONIC)
				break;
		d->clocks[d->nb_test_clocks++] = i < d->nb_clocks ? i : 0;
	}
	return 0;
}

/* A deterministic shuffle of the mix weights, so a run is reproducible. */
static void
build_mix_pattern(void)
{
	unsigned int total = 0, k, i, n = 0;
	uint64_t x = 0x9E3779B97F4A7C15ull;

	for (k = 0; k < K_COUNT; k++)
		total += opt.mix[k];
	for (k = 0; k < K_COUNT; k++) {
		unsigned int cnt = (unsigned int)((uint64_t)opt.mix[k] * MIX_PATTERN / total);

		for (i = 0; i < cnt && n < MIX_PATTERN; i++)
			mix_pattern[n++] = (uint8_t)k;
	}
	for (k = 0; n < MIX_PATTERN; k = (k + 1) % K_COUNT)
		if (opt.mix[k] != 0)
			mix_pattern[n++] = (uint8_t)k;
	for (i = MIX_PATTERN - 1; i > 0; i--) {
		unsigned int j;
		uint8_t t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (unsigned int)(x % (i + 1));
		t = mix_pattern[i];
		mix_pattern[i] = mix_pattern[j];
		mix_pattern[j] = t;
	}
}

static int
alloc_slots(struct device *d)
{
	int is_rng = opt.test == TEST_RNG;
	/* rtc: an array of 32-byte requests, then one of 32-byte responses
	 * (small objects packed as a kernel's allocator packs them); rng:
	 * buffers on cache-line boundaries. */
	size_t per = is_rng ? RTE_ALIGN_CEIL(opt.size, 64) : 64;
	unsigned int i;

	d->slots = calloc(opt.depth, sizeof(*d->slots));
	d->free_slots = calloc(opt.depth, sizeof(*d->free_slots));
	d->bufs = rte_zmalloc_socket("test_rtc_bufs", per * opt.depth, 64,
				     (int)rte_lcore_to_socket_id(d->lcore));
	if (d->slots == NULL || d->free_slots == NULL || d->bufs == NULL) {
		fprintf(stderr, PROG ": %s: cannot allocate %zu bytes of EAL memory for %u buffers\n",
			d->path, per * opt.depth, opt.depth);
		return -ENOMEM;
	}
	for (i = 0; i < opt.depth; i++) {
		struct slot *s = &d->slots[i];

		if (is_rng) {
			s->req = NULL;
			s->resp = d->bufs + per * i;
		} else {
			s->req = d->bufs + 32 * i;
			s->resp = d->bufs + 32 * (size_t)opt.depth + 32 * i;
		}
		d->free_slots[i] = s;
	}
	d->nb_free = (uint16_t)opt.depth;
	return 0;
}

static void
device_release(struct device *d)
{
	if (d->fe != NULL)
		vrtc_fe_destroy(d->fe);
	d->fe = NULL;
	rte_free(d->bufs);
	free(d->slots);
	free(d->free_slots);
	d->bufs = NULL;
	d->slots = NULL;
	d->free_slots = NULL;
}

static int alarm_setup(struct device *d);

static int
device_setup(struct device *d)
{
	struct vrtc_fe_params p;
	int rc;

	vrtc_fe_params_init(&p, opt.test == TEST_RNG ? VRTC_DEVICE_RNG : VRTC_DEVICE_RTC);
	p.name = d->name;
	p.path = d->path;
	p.queue_size = (uint16_t)opt.queue_size;
	p.indirect = opt.indirect;
	p.no_event_idx = opt.no_event_idx;
	p.packed = (uint8_t)opt.packed;
	p.connect_timeout_ms = opt.connect_timeout_ms;
	if (opt.test == TEST_RTC_ALARM) {
		p.nb_queues = 2;
		p.alarm = 1;
		p.alarm_buffers = (uint16_t)RTE_MIN(16u, opt.queue_size / 2);
	}
	rc = vrtc_fe_create(&p, &d->fe);
	if (rc != 0) {
		fprintf(stderr, PROG ": %s: cannot connect: %s%s\n", d->path, strerror(-rc),
			rc == -E2BIG ? " (EAL memory has too many regions: run EAL with --no-huge or "
				       "--in-memory --single-file-segments)"
				     : "");
		return rc;
	}
	if (opt.test == TEST_RTC_READ || opt.test == TEST_RTC_MIX || opt.test == TEST_RTC_ALARM) {
		rc = discover_clocks(d);
		if (rc == 0)
			rc = opt.test == TEST_RTC_ALARM ? alarm_setup(d) : choose_clocks(d);
		if (rc != 0)
			return rc;
	}
	if (opt.test == TEST_IDLE || opt.test == TEST_RTC_ALARM)
		return 0;
	return alloc_slots(d);
}

/* ---- traffic ---------------------------------------------------------------------------- */

static inline void
count_error(struct device *d, enum err e)
{
	d->st.err[e]++;
	__atomic_store_n(&d->st.errors, d->st.errors + 1, __ATOMIC_RELAXED);
}

/* Prepare an rtc request in slot @p s. */
static inline void
rtc_prepare(struct device *d, struct slot *s)
{
	enum kind k = opt.test == TEST_RTC_MIX ? (enum kind)mix_pattern[d->mix_pos++ % MIX_PATTERN]
					       : K_READ;
	uint64_t *req = (uint64_t *)(void *)s->req;
	uint64_t *resp = (uint64_t *)(void *)s->resp;
	uint16_t clk;

	/* A status no device sends and a zero reading: a response that is
	 * not written cannot pass for one. */
	resp[0] = 0xFF;
	resp[1] = 0;
	resp[2] = 0;
	switch (k) {
	case K_READ:
	case K_READ_CROSS:
		clk = d->clocks[d->next_clock];
		if (++d->next_clock == d->nb_test_clocks)
			d->next_clock = 0;
		break;
	default:
		clk = d->next_cap_clock;
		if (++d->next_cap_clock == d->nb_clocks)
			d->next_cap_clock = 0;
		break;
	}
	s->floor = d->floor[clk];
	if (s->req_len != 0 && s->kind == k && s->clock == clk)
		return; /* the slot holds this request already */
	s->kind = (uint8_t)k;
	s->clock = clk;
	req[1] = 0;
	req[2] = 0;
	switch (k) {
	case K_READ:
		req[0] = rte_cpu_to_le_16(VRTC_RTC_REQ_READ);
		((struct vrtc_rtc_req_read *)(void *)s->req)->clock_id = rte_cpu_to_le_16(clk);
		s->req_len = sizeof(struct vrtc_rtc_req_read);
		s->in_len = sizeof(struct vrtc_rtc_resp_read);
		s->expect_len = sizeof(struct vrtc_rtc_resp_read);
		s->expect_status = VRTC_RTC_S_OK;
		break;
	case K_READ_CROSS:
		req[0] = rte_cpu_to_le_16(VRTC_RTC_REQ_READ_CROSS);
		((struct vrtc_rtc_req_read_cross *)(void *)s->req)->clock_id = rte_cpu_to_le_16(clk);
		((struct vrtc_rtc_req_read_cross *)(void *)s->req)->hw_counter =
			VRTC_RTC_COUNTER_X86_TSC;
		s->req_len = sizeof(struct vrtc_rtc_req_read_cross);
		s->in_len = sizeof(struct vrtc_rtc_resp_read_cross);
		if (d->cross_cap[clk]) {
			s->expect_len = sizeof(struct vrtc_rtc_resp_read_cross);
			s->expect_status = VRTC_RTC_S_OK;
		} else {
			s->expect_len = sizeof(struct vrtc_rtc_resp_head);
			s->expect_status = VRTC_RTC_S_EOPNOTSUPP;
		}
		break;
	case K_CFG:
		req[0] = rte_cpu_to_le_16(VRTC_RTC_REQ_CFG);
		s->req_len = sizeof(struct vrtc_rtc_req_cfg);
		s->in_len = sizeof(struct vrtc_rtc_resp_cfg);
		s->expect_len = sizeof(struct vrtc_rtc_resp_cfg);
		s->expect_status = VRTC_RTC_S_OK;
		break;
	default:
		req[0] = rte_cpu_to_le_16(VRTC_RTC_REQ_CLOCK_CAP);
		((struct vrtc_rtc_req_clock_cap *)(void *)s->req)->clock_id = rte_cpu_to_le_16(clk);
		s->req_len = sizeof(struct vrtc_rtc_req_clock_cap);
		s->in_len = sizeof(struct vrtc_rtc_resp_clock_cap);
		s->expect_len = sizeof(struct vrtc_rtc_resp_clock_cap);
		s->expect_status = VRTC_RTC_S_OK;
		break;
	}
}

/* A clock reading: never 0, and for a monotonic clock never earlier than
 * one that completed before this request was posted. */
static inline int
reading_ok(struct device *d, const struct slot *s, uint64_t ns)
{
	if (ns == 0)
		return 0;
	if (d->clock_type[s->clock] == VRTC_RTC_CLOCK_MONOTONIC) {
		if (ns < s->floor)
			return 0;
		if (ns > d->floor[s->clock])
			d->floor[s->clock] = ns;
	}
	return 1;
}

/* @return 1 when the response is right (counted), 0 when not (an error). */
static inline int
rtc_check(struct device *d, const struct slot *s, uint32_t len)
{
	const uint8_t *r = s->resp;
	uint64_t head;
	uint8_t st;

	if (len == 0) {
		d->st.status[STATUS_NONE]++;
		count_error(d, E_LENGTH);
		return 0;
	}
	st = r[0];
	d->st.status[st <= VRTC_RTC_S_EIO && st != 1 ? st : STATUS_OTHER]++;
	if (st != s->expect_status) {
		count_error(d, E_STATUS);
		return 0;
	}
	if (len != s->expect_len) {
		count_error(d, E_LENGTH);
		return 0;
	}
	memcpy(&head, r, sizeof(head));
	if (head != st) { /* the header's reserved bytes must be zero */
		count_error(d, E_RESERVED);
		return 0;
	}
	if (st != VRTC_RTC_S_OK)
		return 1; /* the expected error, header only */
	switch (s->kind) {
	case K_READ: {
		const struct vrtc_rtc_resp_read *rr = (const void *)r;

		if (!reading_ok(d, s, rte_le_to_cpu_64(rr->clock_reading))) {
			count_error(d, E_CLOCK);
			return 0;
		}
		return 1;
	}
	case K_READ_CROSS: {
		const struct vrtc_rtc_resp_read_cross *rx = (const void *)r;

		if (rx->counter_cycles == 0 ||
		    !reading_ok(d, s, rte_le_to_cpu_64(rx->clock_reading))) {
			count_error(d, E_CLOCK);
			return 0;
		}
		return 1;
	}
	case K_CFG: {
		const struct vrtc_rtc_resp_cfg *rc = (const void *)r;
		uint16_t nb = rte_le_to_cpu_16(rc->num_clocks);

		if (nb < d->nb_clocks || (d->nb_clocks < MAX_CLOCKS && nb != d->nb_clocks)) {
			count_error(d, E_CONTENT);
			return 0;
		}
		return 1;
	}
	default: {
		const struct vrtc_rtc_resp_clock_cap *rc = (const void *)r;

		if (rc->type != d->clock_type[s->clock]) {
			count_error(d, E_CONTENT);
			return 0;
		}
		return 1;
	}
	}
}

/*
 * rng: like a guest driver, the buffer is posted as it is (not cleared).
 * The first and the last word must be non-zero and differ from what they
 * were when the buffer last came back (a device that writes nothing, or
 * less than the length it reports, leaves them as they were; random words
 * repeat with probability 2^-64); every RNG_SCAN_EVERY-th buffer is checked
 * whole.
 */
static inline void
rng_prepare(struct slot *s)
{
	s->expect_len = opt.size;
}

static inline int
rng_check(struct device *d, struct slot *s, uint32_t len)
{
	uint32_t n = opt.size;
	uint64_t a, c;

	if (len != n) {
		count_error(d, E_LENGTH);
		return 0;
	}
	memcpy(&a, s->resp, 8);
	memcpy(&c, s->resp + n - 8, 8);
	/* Each is zero with probability 2^-64 when the device wrote it. */
	if (a == 0 || c == 0) {
		count_error(d, E_RNG_ZERO);
		return 0;
	}
	if (a == s->rng_first || c == s->rng_last) {
		count_error(d, E_RNG_REPEAT);
		return 0;
	}
	s->rng_first = a;
	s->rng_last = c;
	if (++d->rng_seen % RNG_SCAN_EVERY == 0) {
		uint32_t off;

		for (off = 0; off + 16 <= n; off += 16) {
			uint64_t w[2];

			memcpy(w, s->resp + off, 16);
			if ((w[0] | w[1]) == 0) {
				count_error(d, E_RNG_ZERO);
				return 0;
			}
		}
		if (a == d->rng_last_word) {
			count_error(d, E_RNG_REPEAT);
			return 0;
		}
		d->rng_last_word = a;
	}
	return 1;
}

/*
 * Post a burst: min(burst, depth) requests once that many are free (or
 * whatever is free when nothing is in flight), as a driver that batches
 * its work would.
 */
static inline void
post(struct device *d)
{
	struct vrtc_fe_req reqs[MAX_BURST];
	uint16_t n = RTE_MIN(d->nb_free, (uint16_t)opt.burst), i, done;
	uint64_t now;

	if (n == 0 || (n < RTE_MIN(opt.burst, opt.depth) && d->inflight != 0))
		return;
	now = rte_rdtsc();
	if (d->inflight == 0)
		d->last_progress_tsc = now; /* the stall clock starts now */
	for (i = 0; i < n; i++) {
		struct slot *s = d->free_slots[d->nb_free - 1 - i];

		if (opt.test == TEST_RNG) {
			rng_prepare(s);
			reqs[i] = (struct vrtc_fe_req){ .in = s->resp, .in_len = opt.size, .cookie = s };
		} else {
			rtc_prepare(d, s);
			reqs[i] = (struct vrtc_fe_req){ .out = s->req, .out_len = s->req_len,
							.in = s->resp, .in_len = s->in_len, .cookie = s };
		}
		s->tsc = now;
	}
	done = vrtc_fe_enqueue(d->fe, VRTC_RTC_REQUESTQ, reqs, n);
	d->nb_free = (uint16_t)(d->nb_free - done);
	d->inflight = (uint16_t)(d->inflight + done);
}

/* Collect completions; @return how many. */
static inline uint16_t
collect(struct device *d, int counting)
{
	struct vrtc_fe_done done[MAX_BURST];
	uint16_t n = vrtc_fe_dequeue(d->fe, VRTC_RTC_REQUESTQ, done, (uint16_t)opt.burst), i;
	uint64_t now, good = 0, bytes = 0;

	if (n == 0) {
		d->empty_polls++;
		return 0;
	}
	d->empty_polls = 0;
	now = rte_rdtsc();
	/* The back-end wrote them on its core: fetch them all at once. */
	for (i = 0; i < n; i++)
		rte_prefetch0(((const struct slot *)done[i].cookie)->resp);
	for (i = 0; i < n; i++) {
		struct slot *s = done[i].cookie;
		int ok = opt.test == TEST_RNG ? rng_check(d, s, done[i].len)
					      : rtc_check(d, s, done[i].len);

		if (ok && counting) {
			good++;
			bytes += done[i].len;
			d->st.kind[s->kind]++;
			hist_record(&d->st.lat, now - s->tsc);
		}
		d->free_slots[d->nb_free++] = s;
	}
	d->inflight = (uint16_t)(d->inflight - n);
	d->last_progress_tsc = now;
	if (good != 0) {
		__atomic_store_n(&d->st.bytes, d->st.bytes + bytes, __ATOMIC_RELAXED);
		__atomic_store_n(&d->st.good, d->st.good + good, __ATOMIC_RELAXED);
	}
	return n;
}

static void
stats_reset(struct device *d)
{
	uint64_t errors = d->st.errors;

	/* Errors in the warm-up stay errors; the rest starts over. */
	memset(&d->st, 0, offsetof(struct stats, lat));
	hist_reset(&d->st.lat);
	__atomic_store_n(&d->st.errors, errors, __ATOMIC_RELAXED);
}

/* One step of a device's traffic. @return 1 while it still has work. */
static inline int
device_step(struct device *d, int ph)
{
	int quota_met;

	if (d->finished)
		return 0;
	if (ph == PH_MEASURE && !d->measuring) {
		stats_reset(d);
		d->measuring = 1;
	}
	quota_met = d->quota != 0 && d->measuring && d->st.good >= d->quota;
	if (ph != PH_STOP && !quota_met)
		post(d);
	collect(d, d->measuring && ph != PH_STOP);
	if (d->inflight == 0) {
		quota_met = d->quota != 0 && d->measuring && d->st.good >= d->quota;
		if (ph == PH_STOP || quota_met) {
			d->finish_tsc = rte_rdtsc();
			__atomic_store_n(&d->finished, 1, __ATOMIC_RELEASE);
			return 0;
		}
		return 1;
	}
	/* Now and then while nothing comes back: is the back-end still there? */
	if (d->empty_polls % 1024 != 1023)
		return 1;
	if (vrtc_fe_queue_broken(d->fe, VRTC_RTC_REQUESTQ) ||
	    rte_rdtsc() - d->last_progress_tsc >
		    (uint64_t)((ph == PH_STOP ? DRAIN_S : STALL_S) * (double)tsc_hz)) {
		fprintf(stderr, PROG ": %s: %s; stopping this device\n", d->path,
			vrtc_fe_queue_broken(d->fe, VRTC_RTC_REQUESTQ)
				? "the queue broke (see the log)"
				: "the back-end stopped answering");
		d->failed = 1;
		d->finish_tsc = rte_rdtsc();
		__atomic_store_n(&d->finished, 1, __ATOMIC_RELEASE);
		return 0;
	}
	return 1;
}

/* Latency after idle: one request, wait for it, sleep the gap. */
static int
device_step_gap(struct device *d, int ph)
{
	int busy = device_step(d, ph);

	if (busy && d->inflight == 0)
		rte_delay_us_sleep(opt.idle_gap_ms * 1000u);
	return busy;
}

struct lcore_job {
	unsigned int nb;
	struct device *d[MAX_DEVICES];
};

static struct lcore_job jobs[RTE_MAX_LCORE];

/* Drive the devices of one lcore until they are finished. The main lcore
 * also runs the clock (tick) between steps. */
static int
drive(struct lcore_job *job, void (*tick)(void))
{
	unsigned int i, iter = 0;

	for (i = 0; i < job->nb; i++)
		job->d[i]->last_progress_tsc = rte_rdtsc();
	for (;; iter++) {
		int ph = phase, busy = 0;

		for (i = 0; i < job->nb; i++) {
			if (opt.idle_gap_ms != 0)
				busy |= device_step_gap(job->d[i], ph);
			else
				busy |= device_step(job->d[i], ph);
		}
		/* The clock needs no better than 0.1 s: look at it now and then. */
		if (tick != NULL && (iter % 32 == 0 || opt.idle_gap_ms != 0 || !busy))
			tick();
		else if (tick == NULL && !busy)
			break;
		if (tick != NULL && !busy && phase == PH_STOP)
			break;
	}
	return 0;
}

static int
worker_main(void *arg)
{
	return drive(arg, NULL);
}

/* ---- the clock: phases and progress (main lcore) ------------------------------------------ */

static uint64_t start_tsc, next_tick_tsc, stop_tsc, last_good, last_bytes, last_tick;
static unsigned int seconds;
static struct cpu_sample cpu_before, cpu_after;

static void
sum_progress(uint64_t *good, uint64_t *bytes, uint64_t *errors, unsigned int *finished,
	     unsigned int *inflight)
{
	unsigned int i;

	*good = *bytes = *errors = 0;
	*finished = 0;
	*inflight = 0;
	for (i = 0; i < nb_devs; i++) {
		*good += __atomic_load_n(&devs[i].st.good, __ATOMIC_RELAXED);
		*bytes += __atomic_load_n(&devs[i].st.bytes, __ATOMIC_RELAXED);
		*errors += __atomic_load_n(&devs[i].st.errors, __ATOMIC_RELAXED);
		*finished += __atomic_load_n(&devs[i].finished, __ATOMIC_ACQUIRE);
		*inflight += devs[i].inflight;
	}
}

static void
tick(void)
{
	uint64_t now = rte_rdtsc(), good, bytes, errors;
	unsigned int finished, inflight;

	if (now < next_tick_tsc && !interrupted)
		return;
	next_tick_tsc = now + tsc_hz / 10;
	sum_progress(&good, &bytes, &errors, &finished, &inflight);
	if (phase == PH_WARMUP && (now - start_tsc >= (uint64_t)(opt.warmup_s * (double)tsc_hz) ||
				   interrupted)) {
		if (opt.backend_pid > 0)
			cpu_sample_take(opt.backend_pid, &cpu_before);
		measure_start_tsc = rte_rdtsc();
		last_tick = measure_start_tsc;
		last_good = 0;
		last_bytes = 0;
		phase = PH_MEASURE;
		return;
	}
	if (phase == PH_MEASURE) {
		int done = interrupted || finished == nb_devs;

		if (opt.requests == 0 &&
		    now - measure_start_tsc >= (uint64_t)(opt.time_s * (double)tsc_hz))
			done = 1;
		if (!opt.quiet && now - last_tick >= tsc_hz) {
			double dt = tsc_to_s(now - last_tick);

			seconds++;
			printf("[%4u s] %10.0f req/s %9.2f MB/s  total %" PRIu64 "  errors %" PRIu64
			       "  in flight %u\n",
			       seconds, (double)(good - last_good) / dt,
			       (double)(bytes - last_bytes) / dt / 1e6, good, errors, inflight);
			fflush(stdout);
			last_tick = now;
			last_good = good;
			last_bytes = bytes;
		}
		if (done) {
			stop_tsc = rte_rdtsc();
			if (opt.backend_pid > 0)
				cpu_sample_take(opt.backend_pid, &cpu_after);
			phase = PH_STOP;
		}
	}
}

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* ---- report -------------------------------------------------------------------------------- */

struct result {
	double elapsed_s;
	struct stats st; /* summed */
	uint64_t errors;
	struct cpu_use cpu;
	unsigned int failed;
};

static void
summarize(struct result *r)
{
	uint64_t end = stop_tsc;
	unsigned int i, k;

	memset(r, 0, sizeof(*r));
	hist_reset(&r->st.lat);
	for (i = 0; i < nb_devs; i++) {
		struct device *d = &devs[i];

		r->st.good += d->st.good;
		r->st.bytes += d->st.bytes;
		r->errors += d->st.errors;
		for (k = 0; k < E_COUNT; k++)
			r->st.err[k] += d->st.err[k];
		for (k = 0; k < 8; k++)
			r->st.status[k] += d->st.status[k];
		for (k = 0; k < K_COUNT; k++)
			r->st.kind[k] += d->st.kind[k];
		hist_merge(&r->st.lat, &d->st.lat);
		r->failed += d->failed != 0;
	}
	/* --requests: the run ends when the last device got its share. */
	if (opt.requests != 0) {
		end = measure_start_tsc;
		for (i = 0; i < nb_devs; i++)
			end = RTE_MAX(end, devs[i].finish_tsc);
	}
	r->elapsed_s = end > measure_start_tsc ? tsc_to_s(end - measure_start_tsc) : 0;
	if (opt.backend_pid > 0)
		cpu_use_between(&cpu_before, &cpu_after, &r->cpu);
}

static double
lat_us(const struct hist *h, double q)
{
	return cycles_to_ns(hist_quantile(h, q)) / 1000.0;
}

static void
print_report(const struct result *r)
{
	const struct hist *h = &r->st.lat;
	double rps = r->elapsed_s > 0 ? (double)r->st.good / r->elapsed_s : 0;
	double bps = r->elapsed_s > 0 ? (double)r->st.bytes / r->elapsed_s : 0;
	unsigned int k;

	printf("\n%s: %" PRIu64 " requests checked and counted in %.3f s\n", test_names[opt.test],
	       r->st.good, r->elapsed_s);
	printf("  requests/s   %.0f\n", rps);
	printf("  bytes/s      %.0f (%.2f MB/s)\n", bps, bps / 1e6);
	if (h->count != 0)
		printf("  latency (us) min %.3f  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  "
		       "mean %.3f\n",
		       cycles_to_ns(h->min_cycles) / 1000.0, lat_us(h, 0.50), lat_us(h, 0.90),
		       lat_us(h, 0.99), lat_us(h, 0.999), cycles_to_ns(h->max_cycles) / 1000.0,
		       cycles_to_ns(h->sum_cycles / h->count) / 1000.0);
	if (opt.test == TEST_RTC_MIX) {
		printf("  counted      ");
		for (k = 0; k < K_COUNT; k++)
			printf("%s %" PRIu64 "%s", kind_names[k], r->st.kind[k],
			       k + 1 < K_COUNT ? ", " : "\n");
	}
	if (opt.test == TEST_RTC_READ || opt.test == TEST_RTC_MIX) {
		printf("  statuses     ");
		for (k = 0; k < 8; k++)
			if (r->st.status[k] != 0 || k == 0)
				printf("%s %" PRIu64 "  ", status_names[k], r->st.status[k]);
		printf("(measured responses, right or wrong)\n");
	}
	printf("  errors       %" PRIu64, r->errors);
	if (r->errors != 0) {
		printf(" (");
		for (k = 0; k < E_COUNT; k++)
			if (r->st.err[k] != 0)
				printf(" %s %" PRIu64, err_names[k], r->st.err[k]);
		printf(" ; warm-up included)");
	}
	printf("\n");
	if (r->failed != 0)
		printf("  FAILED       %u device(s) broke or stopped answering\n", r->failed);
	if (r->cpu.valid)
		printf("  back-end CPU %.1f %% of one CPU in all; busiest thread %s (tid %d) %.1f %%\n",
		       r->cpu.total_pct, r->cpu.top_comm, r->cpu.top_tid, r->cpu.top_pct);
}

static int
write_json(const struct result *r)
{
	const struct hist *h = &r->st.lat;
	FILE *f = fopen(opt.json, "w");
	unsigned int k;

	if (f == NULL) {
		fprintf(stderr, PROG ": --json %s: %s\n", opt.json, strerror(errno));
		return -1;
	}
	fprintf(f, "{\n  \"test\": \"%s\",\n  \"devices\": %u,\n  \"depth\": %u,\n  \"burst\": %u,\n"
		   "  \"queue_size\": %u,\n  \"indirect\": %s,\n  \"event_idx\": %s,\n"
		   "  \"packed\": %s,\n",
		test_names[opt.test], nb_devs, opt.depth, opt.burst, opt.queue_size,
		opt.indirect ? "true" : "false", opt.no_event_idx ? "false" : "true",
		opt.packed ? "true" : "false");
	if (opt.test == TEST_RNG)
		fprintf(f, "  \"size\": %u,\n", opt.size);
	if (opt.idle_gap_ms)
		fprintf(f, "  \"idle_gap_ms\": %u,\n", opt.idle_gap_ms);
	fprintf(f, "  \"elapsed_s\": %.6f,\n  \"requests\": %" PRIu64 ",\n  \"bytes\": %" PRIu64
		   ",\n  \"requests_per_s\": %.1f,\n  \"bytes_per_s\": %.1f,\n",
		r->elapsed_s, r->st.good, r->st.bytes,
		r->elapsed_s > 0 ? (double)r->st.good / r->elapsed_s : 0,
		r->elapsed_s > 0 ? (double)r->st.bytes / r->elapsed_s : 0);
	fprintf(f, "  \"latency_ns\": {\"count\": %" PRIu64 ", \"min\": %.1f, \"p50\": %.1f, "
		   "\"p90\": %.1f, \"p99\": %.1f, \"p99_9\": %.1f, \"max\": %.1f, \"mean\": %.1f},\n",
		h->count, h->count ? cycles_to_ns(h->min_cycles) : 0.0,
		cycles_to_ns(hist_quantile(h, 0.5)), cycles_to_ns(hist_quantile(h, 0.9)),
		cycles_to_ns(hist_quantile(h, 0.99)), cycles_to_ns(hist_quantile(h, 0.999)),
		cycles_to_ns(h->max_cycles), h->count ? cycles_to_ns(h->sum_cycles / h->count) : 0.0);
	fprintf(f, "  \"errors\": {\"total\": %" PRIu64, r->errors);
	for (k = 0; k < E_COUNT; k++)
		fprintf(f, ", \"%s\": %" PRIu64, err_names[k], r->st.err[k]);
	fprintf(f, "},\n  \"status\": {");
	for (k = 0; k < 8; k++)
		if (k != 1) /* status 1 is not defined: counted as other */
			fprintf(f, "%s\"%s\": %" PRIu64, k ? ", " : "", status_names[k],
				r->st.status[k]);
	fprintf(f, "},\n  \"kinds\": {");
	for (k = 0; k < K_COUNT; k++)
		fprintf(f, "%s\"%s\": %" PRIu64, k ? ", " : "", kind_names[k], r->st.kind[k]);
	fprintf(f, "},\n  \"failed_devices\": %u", r->failed);
	if (r->cpu.valid) {
		fprintf(f, ",\n  \"backend_cpu\": {\"pid\": %ld, \"total_pct\": %.3f, \"top_thread\": "
			   "\"%s\", \"top_tid\": %d, \"top_pct\": %.3f, \"threads\": [",
			opt.backend_pid, r->cpu.total_pct, r->cpu.top_comm, r->cpu.top_tid,
			r->cpu.top_pct);
		/* One thread per line: easy to pick out with grep. */
		for (k = 0; k < r->cpu.nb; k++)
			fprintf(f, "%s\n    {\"tid\": %d, \"comm\": \"%s\", \"pct\": %.3f}",
				k ? "," : "", r->cpu.t[k].tid, r->cpu.t[k].comm, r->cpu.t[k].pct);
		fprintf(f, "]}");
	}
	fprintf(f, "\n}\n");
	if (fclose(f) != 0) {
		fprintf(stderr, PROG ": --json %s: %s\n", opt.json, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- idle test ------------------------------------------------------------------------------- */

static void
run_idle(struct result *r)
{
	uint64_t end;

	memset(r, 0, sizeof(*r));
	hist_reset(&r->st.lat);
	if (opt.backend_pid > 0)
		cpu_sample_take(opt.backend_pid, &cpu_before);
	measure_start_tsc = rte_rdtsc();
	end = measure_start_tsc + (uint64_t)(opt.time_s * (double)tsc_hz);
	while (rte_rdtsc() < end && !interrupted)
		rte_delay_us_sleep(100 * 1000);
	stop_tsc = rte_rdtsc();
	if (opt.backend_pid > 0) {
		cpu_sample_take(opt.backend_pid, &cpu_after);
		cpu_use_between(&cpu_before, &cpu_after, &r->cpu);
	}
	r->elapsed_s = tsc_to_s(stop_tsc - measure_start_tsc);
	printf("\nidle: %u device(s) connected, nothing posted for %.3f s\n", nb_devs, r->elapsed_s);
	if (r->cpu.valid) {
		unsigned int k;

		printf("  back-end CPU %.2f %% of one CPU in all:", r->cpu.total_pct);
		for (k = 0; k < r->cpu.nb; k++)
			printf(" %s %.2f %%%s", r->cpu.t[k].comm, r->cpu.t[k].pct,
			       k + 1 < r->cpu.nb ? "," : "\n");
	}
}

/* ---- rtc-alarm ---------------------------------------------------------------------------- */

/*
 * One channel per (device, ALARM_CAP clock): an alarm that goes round after
 * round. Alarm times are on the device's clock: host CLOCK_REALTIME plus the
 * offset of that clock measured by one READ at set-up (the midpoint of the
 * READ's round trip). Lateness = receipt time (CLOCK_REALTIME right after the
 * poll that returned the notification) + offset - alarm time: exact while
 * the offset stays what it was at set-up, i.e. outside a leap-second smear
 * window (inside one a smeared clock drifts against REALTIME by at most
 * 1 s / 86400 s = 11.6 us per second of the run).
 */

#define ALARM_MAX_CHANS (MAX_DEVICES * MAX_CLOCKS)
/* After --time: rounds in progress finish; then stray notifications are
 * waited for this long (they would be duplicates). */
#define ALARM_DRAIN_S 0.2

enum alarm_state {
	AS_IDLE,      /* nothing outstanding: next round starts */
	AS_SETTING,   /* SET_ALARM sent (the notification may come before its answer) */
	AS_ARMED,     /* SET_ALARM answered OK, notification awaited */
	AS_DISABLING, /* SET_ALARM_ENABLED(off) sent */
	AS_DONE,      /* the run is over for this channel */
};

struct alarm_chan {
	struct device *d;
	uint16_t clock;
	uint8_t state;
	uint8_t notified;  /* this round's notification arrived */
	uint8_t gave_up;   /* this round was counted missed */
	int64_t offset_ns; /* device clock - CLOCK_REALTIME */
	uint64_t offset_err_ns;
	uint64_t alarm_ns; /* on the device's clock */
	uint64_t sent_tsc; /* of the request outstanding */
	uint8_t *req, *resp; /* EAL memory, 32 bytes each */
	uint64_t rounds, missed, duplicated, early, errors;
	struct hist late;  /* lateness, ns (hist.h is unit-agnostic) */
	int64_t late_min_ns;
};

static struct alarm_chan chans[ALARM_MAX_CHANS];
static unsigned int nb_chans;
/* Per device: channel of each clock id, or NULL. */
static struct alarm_chan *chan_of[MAX_DEVICES][MAX_CLOCKS];
static uint64_t alarm_rng;
static uint64_t alarm_unexpected; /* notifications for a clock no channel uses */

static uint64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
alarm_random(void)
{
	alarm_rng ^= alarm_rng << 13;
	alarm_rng ^= alarm_rng >> 7;
	alarm_rng ^= alarm_rng << 17;
	return alarm_rng;
}

/* Offset of clock @p c of @p d against CLOCK_REALTIME: the best of a few
 * READs (the shortest round trip bounds the error). */
static int
alarm_measure_offset(struct device *d, struct alarm_chan *ch)
{
	struct vrtc_rtc_req_read *rq = (void *)ch->req;
	uint64_t best = UINT64_MAX;
	int k, len;

	for (k = 0; k < 5; k++) {
		uint64_t t0, t1, reading;

		memset(rq, 0, sizeof(*rq));
		rq->head.msg_type = rte_cpu_to_le_16(VRTC_RTC_REQ_READ);
		rq->clock_id = rte_cpu_to_le_16(ch->clock);
		t0 = realtime_ns();
		len = sync_request(d, rq, sizeof(*rq), ch->resp, sizeof(struct vrtc_rtc_resp_read));
		t1 = realtime_ns();
		if (len != (int)sizeof(struct vrtc_rtc_resp_read) ||
		    vrtc_fe_rtc_status(ch->resp, (uint32_t)len) != VRTC_RTC_S_OK) {
			fprintf(stderr, PROG ": %s: READ of clock %u failed (used length %d)\n",
				d->path, ch->clock, len);
			return len < 0 ? len : -EPROTO;
		}
		reading = rte_le_to_cpu_64(((struct vrtc_rtc_resp_read *)(void *)ch->resp)
						   ->clock_reading);
		if (t1 - t0 < best) {
			best = t1 - t0;
			ch->offset_ns = (int64_t)(reading - (t0 + (t1 - t0) / 2));
			ch->offset_err_ns = (t1 - t0) / 2;
		}
	}
	return 0;
}

static int
alarm_setup(struct device *d)
{
	uint16_t i;
	int rc;

	if (!vrtc_feature_has(vrtc_fe_features(d->fe), VRTC_VIRTIO_RTC_F_ALARM)) {
		fprintf(stderr, PROG ": %s: the back-end does not offer VIRTIO_RTC_F_ALARM\n",
			d->path);
		return -ENOTSUP;
	}
	if (opt.clock_id >= 0 && (opt.clock_id >= d->nb_clocks || !d->alarm_cap[opt.clock_id])) {
		fprintf(stderr, PROG ": %s: --clock %d: not a clock of this device with ALARM_CAP\n",
			d->path, opt.clock_id);
		return -EINVAL;
	}
	d->nb_test_clocks = 0;
	for (i = 0; i < d->nb_clocks; i++) {
		struct alarm_chan *ch;

		if (!d->alarm_cap[i] || (opt.clock_id >= 0 && i != opt.clock_id))
			continue;
		ch = &chans[nb_chans++];
		memset(ch, 0, sizeof(*ch));
		ch->d = d;
		ch->clock = i;
		ch->req = rte_zmalloc("test_rtc_alarm", 64, 64);
		if (ch->req == NULL) {
			fprintf(stderr, PROG ": cannot allocate EAL memory\n");
			return -ENOMEM;
		}
		ch->resp = ch->req + 32;
		hist_reset(&ch->late);
		ch->late_min_ns = INT64_MAX;
		rc = alarm_measure_offset(d, ch);
		if (rc != 0)
			return rc;
		chan_of[d->idx][i] = ch;
		d->clocks[d->nb_test_clocks++] = i;
	}
	if (d->nb_test_clocks == 0) {
		fprintf(stderr, PROG ": %s: no clock has ALARM_CAP\n", d->path);
		return -ENOTSUP;
	}
	return 0;
}

static void
alarm_release(void)
{
	unsigned int i;

	for (i = 0; i < nb_chans; i++) {
		rte_free(chans[i].req);
		chans[i].req = NULL;
	}
}

/* Post the channel's request (already filled, @p len bytes, 8-byte answer). */
static int
alarm_send(struct alarm_chan *ch, uint32_t len, enum alarm_state next)
{
	struct vrtc_fe_req r = {
		.out = ch->req, .out_len = len, .in = ch->resp, .in_len = 8, .cookie = ch,
	};

	memset(ch->resp, 0xFF, 8);
	if (vrtc_fe_enqueue(ch->d->fe, VRTC_RTC_REQUESTQ, &r, 1) != 1) {
		fprintf(stderr, PROG ": %s: cannot post a request (queue full or broken)\n",
			ch->d->path);
		ch->d->failed = 1;
		ch->state = AS_DONE;
		return -EIO;
	}
	ch->sent_tsc = rte_rdtsc();
	ch->state = (uint8_t)next;
	return 0;
}

static void
alarm_start_round(struct alarm_chan *ch)
{
	uint64_t span = (uint64_t)(opt.alarm_max_ms - opt.alarm_min_ms) * 1000000u + 1;
	uint64_t delay = (uint64_t)opt.alarm_min_ms * 1000000u + alarm_random() % span;

	ch->notified = 0;
	ch->gave_up = 0;
	ch->alarm_ns = realtime_ns() + (uint64_t)ch->offset_ns + delay;
	alarm_send(ch, vrtc_fe_rtc_set_alarm_req((void *)ch->req, ch->clock, ch->alarm_ns, 1),
		   AS_SETTING);
}

static void
alarm_disable(struct alarm_chan *ch)
{
	alarm_send(ch, vrtc_fe_rtc_set_alarm_enabled_req((void *)ch->req, ch->clock, 0),
		   AS_DISABLING);
}

static void
alarm_on_response(struct alarm_chan *ch, uint32_t len, int running)
{
	if (len != 8 || vrtc_fe_rtc_status(ch->resp, len) != VRTC_RTC_S_OK) {
		ch->errors++;
		fprintf(stderr, PROG ": %s: clock %u: %s answered with used length %u, status %d\n",
			ch->d->path, ch->clock,
			ch->state == AS_SETTING ? "SET_ALARM" : "SET_ALARM_ENABLED", len,
			len >= 8 ? vrtc_fe_rtc_status(ch->resp, len) : -1);
		ch->state = running ? AS_IDLE : AS_DONE;
		return;
	}
	switch (ch->state) {
	case AS_SETTING:
		if (ch->notified)
			alarm_disable(ch);
		else
			ch->state = AS_ARMED;
		break;
	case AS_DISABLING:
		ch->rounds++;
		ch->state = running ? AS_IDLE : AS_DONE;
		break;
	default:
		ch->errors++; /* an answer nobody asked for */
		break;
	}
}

static void
alarm_on_notification(struct alarm_chan *ch, uint64_t rx_ns)
{
	int64_t late;

	if ((ch->state != AS_SETTING && ch->state != AS_ARMED) || ch->notified) {
		/* A second notification for the round's one expiry (or one
		 * for an alarm that is disabled). A late one after the round
		 * was counted missed is neither: it stays counted missed. */
		if (!ch->gave_up)
			ch->duplicated++;
		return;
	}
	ch->notified = 1;
	late = (int64_t)(rx_ns + (uint64_t)ch->offset_ns - ch->alarm_ns);
	/* Early beyond what the offset measurement can explain: an error. */
	if (late < -(int64_t)ch->offset_err_ns) {
		ch->early++;
		fprintf(stderr, PROG ": %s: clock %u: notification %.3f ms before the alarm time\n",
			ch->d->path, ch->clock, (double)-late / 1e6);
	}
	if (late < ch->late_min_ns)
		ch->late_min_ns = late;
	hist_record(&ch->late, late > 0 ? (uint64_t)late : 0);
	if (ch->state == AS_ARMED)
		alarm_disable(ch);
}

/* One pass over every device: answers, notifications, deadlines. */
static int
alarm_step(int running)
{
	struct vrtc_fe_done done[32];
	struct vrtc_fe_alarm notif[32];
	unsigned int i, busy = 0;
	uint16_t n, k;

	for (i = 0; i < nb_devs; i++) {
		struct device *d = &devs[i];

		if (d->failed)
			continue;
		n = vrtc_fe_alarm_poll(d->fe, notif, RTE_DIM(notif));
		if (n != 0) {
			uint64_t rx = realtime_ns();

			for (k = 0; k < n; k++) {
				struct alarm_chan *ch = notif[k].clock_id < MAX_CLOCKS
								? chan_of[i][notif[k].clock_id]
								: NULL;

				if (ch == NULL) {
					alarm_unexpected++;
					fprintf(stderr, PROG ": %s: notification for clock %u, which "
							"has no alarm set\n",
						d->path, notif[k].clock_id);
				} else {
					alarm_on_notification(ch, rx);
				}
			}
		}
		n = vrtc_fe_dequeue(d->fe, VRTC_RTC_REQUESTQ, done, RTE_DIM(done));
		for (k = 0; k < n; k++)
			alarm_on_response(done[k].cookie, done[k].len, running);
		if (vrtc_fe_queue_broken(d->fe, VRTC_RTC_REQUESTQ) ||
		    vrtc_fe_queue_broken(d->fe, VRTC_RTC_ALARMQ)) {
			fprintf(stderr, PROG ": %s: a queue broke (see the log)\n", d->path);
			d->failed = 1;
		}
	}
	for (i = 0; i < nb_chans; i++) {
		struct alarm_chan *ch = &chans[i];
		uint64_t now;

		if (ch->d->failed) {
			ch->state = AS_DONE;
			continue;
		}
		switch (ch->state) {
		case AS_IDLE:
			if (running)
				alarm_start_round(ch);
			else
				ch->state = AS_DONE;
			break;
		case AS_ARMED:
			now = realtime_ns() + (uint64_t)ch->offset_ns;
			if (now > ch->alarm_ns + (uint64_t)opt.miss_timeout_ms * 1000000u) {
				ch->missed++;
				ch->gave_up = 1;
				fprintf(stderr,
					PROG ": %s: clock %u: no notification %u ms after the alarm "
					     "time\n",
					ch->d->path, ch->clock, opt.miss_timeout_ms);
				alarm_disable(ch);
			}
			break;
		case AS_SETTING:
		case AS_DISABLING:
			if (rte_rdtsc() - ch->sent_tsc > (uint64_t)(STALL_S * (double)tsc_hz)) {
				fprintf(stderr,
					PROG ": %s: no answer for %.0f s; stopping this device\n",
					ch->d->path, STALL_S);
				ch->d->failed = 1;
				ch->state = AS_DONE;
			}
			break;
		default:
			break;
		}
		busy |= ch->state != AS_DONE;
	}
	return busy;
}

struct alarm_result {
	uint64_t rounds, missed, duplicated, early, errors, unexpected;
	struct vrtc_fe_alarm_stats aq; /* summed over the devices */
	struct hist late;
	int64_t late_min_ns;
	double elapsed_s;
	unsigned int failed;
};

static void
run_alarm(struct alarm_result *r)
{
	uint64_t end, drain_end;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	hist_reset(&r->late);
	r->late_min_ns = INT64_MAX;
	for (i = 0; i < nb_chans; i++)
		chans[i].state = AS_IDLE;
	measure_start_tsc = rte_rdtsc();
	end = measure_start_tsc + (uint64_t)(opt.time_s * (double)tsc_hz);
	while (rte_rdtsc() < end && !interrupted)
		alarm_step(1);
	/* Rounds in progress finish (bounded by the miss timeout and the
	 * stall bound), then strays are waited for. */
	while (alarm_step(0) && !interrupted)
		;
	stop_tsc = rte_rdtsc();
	drain_end = stop_tsc + (uint64_t)(ALARM_DRAIN_S * (double)tsc_hz);
	while (rte_rdtsc() < drain_end && !interrupted)
		alarm_step(0);

	r->elapsed_s = tsc_to_s(stop_tsc - measure_start_tsc);
	for (i = 0; i < nb_chans; i++) {
		struct alarm_chan *ch = &chans[i];

		r->rounds += ch->rounds;
		r->missed += ch->missed;
		r->duplicated += ch->duplicated;
		r->early += ch->early;
		r->errors += ch->errors;
		hist_merge(&r->late, &ch->late);
		if (ch->late_min_ns < r->late_min_ns)
			r->late_min_ns = ch->late_min_ns;
	}
	r->unexpected = alarm_unexpected;
	for (i = 0; i < nb_devs; i++) {
		struct vrtc_fe_alarm_stats st;

		r->failed += devs[i].failed != 0;
		if (vrtc_fe_alarm_stats_get(devs[i].fe, &st) != 0)
			continue;
		r->aq.notifications += st.notifications;
		r->aq.short_bufs += st.short_bufs;
		r->aq.unknown += st.unknown;
		r->aq.repost_failed += st.repost_failed;
	}
}

static int
alarm_failed(const struct alarm_result *r)
{
	return r->rounds == 0 || r->missed != 0 || r->duplicated != 0 || r->early != 0 ||
	       r->errors != 0 || r->unexpected != 0 || r->failed != 0 || r->aq.short_bufs != 0 ||
	       r->aq.unknown != 0 || r->aq.repost_failed != 0;
}

static double
late_us(const struct hist *h, double q)
{
	return (double)hist_quantile(h, q) / 1000.0;
}

static void
print_alarm_report(const struct alarm_result *r)
{
	const struct hist *h = &r->late;
	uint64_t max_err = 0;
	unsigned int i;

	for (i = 0; i < nb_chans; i++)
		max_err = RTE_MAX(max_err, chans[i].offset_err_ns);
	printf("\nrtc-alarm: %" PRIu64 " alarms set and disabled on %u clock(s) of %u device(s) "
	       "in %.3f s (delays %u..%u ms, seed %" PRIu64 ")\n",
	       r->rounds, nb_chans, nb_devs, r->elapsed_s, opt.alarm_min_ms, opt.alarm_max_ms,
	       opt.seed);
	if (h->count != 0)
		printf("  lateness (us) p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  mean %.1f  "
		       "(min %.1f)\n",
		       late_us(h, 0.50), late_us(h, 0.90), late_us(h, 0.99),
		       (double)h->max_cycles / 1000.0,
		       (double)h->sum_cycles / (double)h->count / 1000.0,
		       (double)r->late_min_ns / 1000.0);
	printf("                receipt on CLOCK_REALTIME + the clock's offset (one READ at set-up, "
	       "+-%.1f us) - alarm time;\n"
	       "                valid outside a leap-second smear window\n",
	       (double)max_err / 1000.0);
	printf("  missed       %" PRIu64 " (no notification %u ms after the alarm time)\n",
	       r->missed, opt.miss_timeout_ms);
	printf("  duplicated   %" PRIu64 " (a second notification for one expiry, or one while "
	       "disabled)\n", r->duplicated);
	printf("  early        %" PRIu64 "\n", r->early);
	printf("  errors       %" PRIu64 " (requests), %" PRIu64 " unexpected clock(s)\n", r->errors,
	       r->unexpected);
	printf("  alarmq       %" PRIu64 " notifications, %" PRIu64 " short, %" PRIu64
	       " unknown, %" PRIu64 " repost failures\n",
	       r->aq.notifications, r->aq.short_bufs, r->aq.unknown, r->aq.repost_failed);
	if (r->failed != 0)
		printf("  FAILED       %u device(s) broke or stopped answering\n", r->failed);
	printf("  result       %s\n", alarm_failed(r) ? "FAIL" : "PASS");
}

static int
write_alarm_json(const struct alarm_result *r)
{
	const struct hist *h = &r->late;
	FILE *f = fopen(opt.json, "w");

	if (f == NULL) {
		fprintf(stderr, PROG ": --json %s: %s\n", opt.json, strerror(errno));
		return -1;
	}
	fprintf(f, "{\n  \"test\": \"rtc-alarm\",\n  \"devices\": %u,\n  \"clocks\": %u,\n"
		   "  \"alarm_ms\": [%u, %u],\n  \"seed\": %" PRIu64 ",\n  \"elapsed_s\": %.6f,\n"
		   "  \"alarms\": %" PRIu64 ",\n",
		nb_devs, nb_chans, opt.alarm_min_ms, opt.alarm_max_ms, opt.seed, r->elapsed_s,
		r->rounds);
	fprintf(f, "  \"lateness_ns\": {\"count\": %" PRIu64 ", \"min\": %" PRId64 ", \"p50\": %"
		   PRIu64 ", \"p90\": %" PRIu64 ", \"p99\": %" PRIu64 ", \"max\": %" PRIu64 "},\n",
		h->count, h->count ? r->late_min_ns : 0, hist_quantile(h, 0.5),
		hist_quantile(h, 0.9), hist_quantile(h, 0.99), h->count ? h->max_cycles : 0);
	fprintf(f, "  \"missed\": %" PRIu64 ",\n  \"duplicated\": %" PRIu64 ",\n  \"early\": %"
		   PRIu64 ",\n  \"errors\": %" PRIu64 ",\n  \"unexpected\": %" PRIu64 ",\n"
		   "  \"alarmq\": {\"notifications\": %" PRIu64 ", \"short\": %" PRIu64
		   ", \"unknown\": %" PRIu64 "},\n  \"failed_devices\": %u,\n  \"pass\": %s\n}\n",
		r->missed, r->duplicated, r->early, r->errors, r->unexpected, r->aq.notifications,
		r->aq.short_bufs, r->aq.unknown, r->failed, alarm_failed(r) ? "false" : "true");
	if (fclose(f) != 0) {
		fprintf(stderr, PROG ": --json %s: %s\n", opt.json, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- main -------------------------------------------------------------------------------------- */

static void
describe(void)
{
	unsigned int i, c;

	printf(PROG ": %s, %u device(s), depth %u, burst %u, %s ring %u, %s descriptors, "
	       "event_idx %s",
	       test_names[opt.test], nb_devs, opt.depth, opt.burst, opt.packed ? "packed" : "split",
	       opt.queue_size, opt.indirect ? "indirect" : "direct",
	       opt.no_event_idx ? "off" : "on");
	if (opt.test == TEST_RNG)
		printf(", %u-byte buffers", opt.size);
	if (opt.idle_gap_ms)
		printf(", %u ms idle before each request", opt.idle_gap_ms);
	if (opt.test == TEST_RTC_ALARM) {
		printf(", %.3g s, delays %u..%u ms, miss timeout %u ms", opt.time_s, opt.alarm_min_ms,
		       opt.alarm_max_ms, opt.miss_timeout_ms);
	} else if (opt.test != TEST_IDLE) {
		if (opt.requests)
			printf(", %" PRIu64 " requests", opt.requests);
		else
			printf(", %.3g s", opt.time_s);
		printf(" after %.3g s warm-up", opt.warmup_s);
	}
	printf("\n");
	for (i = 0; i < nb_devs; i++) {
		struct device *d = &devs[i];

		printf("  device %u: %s, lcore %u", i, d->path, d->lcore);
		if (d->nb_clocks != 0) {
			printf(", clocks");
			for (c = 0; c < d->nb_clocks; c++)
				printf(" %u=%s%s", c, clock_type_name(d->clock_type[c]),
				       d->cross_cap[c] ? "(cross-TSC)" : "");
			printf(opt.test == TEST_RTC_ALARM ? "; alarms on" : "; reading");
			for (c = 0; c < d->nb_test_clocks; c++)
				printf(" %u", d->clocks[c]);
			for (c = 0; opt.test == TEST_RTC_ALARM && c < nb_chans; c++)
				if (chans[c].d == d)
					printf(" (clock %u: offset %+.6f s to CLOCK_REALTIME)",
					       chans[c].clock, (double)chans[c].offset_ns / 1e9);
		}
		printf("\n");
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct result res;
	struct sigaction sa;
	unsigned int i, lcore, nb_lcores = 0, lcores[RTE_MAX_LCORE];
	int n, rc, status = 0;

	/* --help and --version anywhere: answered without EAL. */
	switch (vrtc_early_option(argc, argv)) {
	case VRTC_EARLY_HELP:
		usage(stdout);
		return 0;
	case VRTC_EARLY_VERSION:
		/* rte_version() is "DPDK 22.11.x": the DPDK version, once. */
		printf(PROG " %s (%s)\n", VRTC_VERSION, rte_version());
		return 0;
	case VRTC_EARLY_NONE:
		break;
	}
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, PROG ": EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	argv[n] = argv[0];
	rc = parse_args(argc - n, argv + n);
	if (rc != 0) {
		rte_eal_cleanup();
		return rc > 0 ? 0 : 2;
	}
	tsc_hz = rte_get_tsc_hz();
	if (opt.seed == 0)
		opt.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	alarm_rng = opt.seed;

	/* Lcores, main first; devices round-robin over them. */
	lcores[nb_lcores++] = rte_get_main_lcore();
	RTE_LCORE_FOREACH_WORKER(lcore)
		lcores[nb_lcores++] = lcore;
	nb_devs = opt.nb_devices != 0 ? opt.nb_devices : opt.nb_sockets;
	for (i = 0; i < nb_devs; i++) {
		struct device *d = &devs[i];

		d->idx = i;
		d->lcore = lcores[i % nb_lcores];
		snprintf(d->name, sizeof(d->name), "test_rtc%u", i);
		if (opt.nb_devices != 0) {
			/* The one %u was checked by parse_args(). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			rc = snprintf(d->path, sizeof(d->path), opt.sockets[0], i);
#pragma GCC diagnostic pop
			if (rc < 0 || (size_t)rc >= sizeof(d->path)) {
				fprintf(stderr, PROG ": socket path too long for device %u\n", i);
				status = 2;
				goto out;
			}
		} else {
			snprintf(d->path, sizeof(d->path), "%s", opt.sockets[i]);
		}
		if (opt.requests != 0)
			d->quota = (opt.requests + nb_devs - 1 - i) / nb_devs;
		rc = device_setup(d);
		if (rc != 0) {
			status = 2;
			goto out;
		}
		jobs[d->lcore].d[jobs[d->lcore].nb++] = d;
	}
	if (opt.test == TEST_RTC_MIX)
		build_mix_pattern();
	describe();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (opt.test == TEST_RTC_ALARM) {
		struct alarm_result ar;

		run_alarm(&ar);
		print_alarm_report(&ar);
		status = alarm_failed(&ar) ? 1 : 0;
		if (opt.json != NULL && write_alarm_json(&ar) != 0)
			status = status ? status : 2;
		goto out;
	} else if (opt.test == TEST_IDLE) {
		run_idle(&res);
	} else {
		phase = PH_WARMUP;
		start_tsc = rte_rdtsc();
		next_tick_tsc = start_tsc;
		RTE_LCORE_FOREACH_WORKER(lcore) {
			if (jobs[lcore].nb != 0)
				rte_eal_remote_launch(worker_main, &jobs[lcore], lcore);
		}
		drive(&jobs[rte_get_main_lcore()], tick);
		rte_eal_mp_wait_lcore();
		summarize(&res);
		print_report(&res);
		if (res.errors != 0 || res.failed != 0 || res.st.good == 0)
			status = 1;
	}
	if (opt.json != NULL && write_json(&res) != 0)
		status = status ? status : 2;
out:
	alarm_release();
	for (i = 0; i < nb_devs; i++)
		device_release(&devs[i]);
	rte_eal_cleanup();
	return status;
}
