/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Unit tests for lib/virtio_rtc/clock.c: host clocks against
 * clock_gettime(), the TAI offset and where it comes from, the leap-second
 * table parser (tables written to a temporary directory) and the
 * cross-timestamp policy.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "rtc_model.h"
#include "test.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#else
#define HAVE_TSC 0
#endif

#define CALL(x)                                                                                  \
	do {                                                                                       \
		x;                                                                                 \
		if (t_case_failed)                                                                 \
			return;                                                                    \
	} while (0)

#define NS 1000000000ULL
#define NTP_UNIX 2208988800LL

/* NTP seconds of some table entries. */
#define NTP_1972_01 2272060800LL
#define NTP_1972_07 2287785600LL
#define NTP_2017_01 3692217600LL
#define NTP_2100_01 6311433600LL

static uint64_t
now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* The kernel's TAI - UTC, as adjtimex reports it. */
static int
kernel_tai(void)
{
	struct timex tx;

	memset(&tx, 0, sizeof(tx));
	if (ntp_adjtime(&tx) < 0)
		return 0;
	return tx.tai;
}

/* ------------------------------------------------------------------------ */
/* Log capture                                                              */
/* ------------------------------------------------------------------------ */

static char log_text[4096];
static int log_worst; /* lowest (most severe) level seen; 99 when none */

static void
capture(enum vrtc_log_component comp, enum vrtc_log_level level, const char *msg)
{
	size_t used = strlen(log_text);

	if (comp != VRTC_LOGC_CLOCK)
		return;
	if ((int)level < log_worst)
		log_worst = (int)level;
	snprintf(log_text + used, sizeof(log_text) - used, "%d:%s\n", (int)level, msg);
}

static void
log_start(void)
{
	log_text[0] = '\0';
	log_worst = 99;
	vrtc_log_set_sink(capture);
}

static void
log_stop(void)
{
	vrtc_log_set_sink(NULL);
}

/* ------------------------------------------------------------------------ */
/* Table files                                                              */
/* ------------------------------------------------------------------------ */

static char tmpdir[64];
static char path[128];

static const char *
table(const char *name, const char *text)
{
	FILE *f;

	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/vrtc_test_clock.XXXXXX");
		if (mkdtemp(tmpdir) == NULL)
			abort();
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

/* A small table in the tzdata layout. */
#define ENTRIES                                                                                  \
	"2272060800\t10\t# 1 Jan 1972\n"                                                          \
	"2287785600\t11\t# 1 Jul 1972\n"                                                          \
	"3692217600\t37\t# 1 Jan 2017\n"

static const char good_table[] = "#\tIn the public domain.\n"
				 "#$\t3960835200\n"
				 "#\n"
				 "#@\t6311433600\n"
				 "\n" ENTRIES "#h\t49db2447 571e5e1b 2f002a53 9c8da8e4 39b8e49e\n";

/* ------------------------------------------------------------------------ */
/* Cases                                                                    */
/* ------------------------------------------------------------------------ */

/* Runs first: nothing has resolved the TAI offset yet. */
static void
test_tai_needs_resolve(void)
{
	struct vrtc_host_clock_cfg cfg = { .tai_offset_s = -1 };
	struct vrtc_clock c;

	log_start();
	T_EQ_INT(vrtc_host_clock_init(&c, VRTC_HOST_CLOCK_TAI, &cfg), -ENODATA);
	log_stop();
	T_EQ_INT(log_worst, VRTC_LOG_ERR);
	T_EQ_INT(vrtc_host_clock_init(&c, VRTC_HOST_CLOCK_UTC, &cfg), 0);
}

static void
test_parse_and_names(void)
{
	static const char *const bad[] = { "", "UTC", "Tai", "realtime", "mono ", "utc,tai" };
	enum vrtc_host_clock w;
	unsigned int i;

	T_EQ_INT(vrtc_host_clock_parse("utc", &w), 0);
	T_EQ(w, VRTC_HOST_CLOCK_UTC);
	T_EQ_INT(vrtc_host_clock_parse("tai", &w), 0);
	T_EQ(w, VRTC_HOST_CLOCK_TAI);
	T_EQ_INT(vrtc_host_clock_parse("mono", &w), 0);
	T_EQ(w, VRTC_HOST_CLOCK_MONOTONIC);
	w = VRTC_HOST_CLOCK_UTC;
	T_EQ_INT(vrtc_host_clock_parse("monotonic", &w), 0);
	T_EQ(w, VRTC_HOST_CLOCK_MONOTONIC);
	T_EQ_INT(vrtc_host_clock_parse("smeared", &w), 0);
	T_EQ(w, VRTC_HOST_CLOCK_UTC_SMEARED);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_EQ_INT(vrtc_host_clock_parse(bad[i], &w), -EINVAL);
	T_EQ_INT(vrtc_host_clock_parse(NULL, &w), -EINVAL);

	T_CHECK(strcmp(vrtc_host_clock_name(VRTC_HOST_CLOCK_UTC), "utc") == 0);
	T_CHECK(strcmp(vrtc_host_clock_name(VRTC_HOST_CLOCK_TAI), "tai") == 0);
	T_CHECK(strcmp(vrtc_host_clock_name(VRTC_HOST_CLOCK_MONOTONIC), "mono") == 0);
	T_CHECK(strcmp(vrtc_host_clock_name(VRTC_HOST_CLOCK_UTC_SMEARED), "smeared") == 0);
	T_CHECK(strcmp(vrtc_host_clock_name(VRTC_HOST_CLOCK_COUNT), "?") == 0);
	/* every name parses back */
	for (i = 0; i < VRTC_HOST_CLOCK_COUNT; i++) {
		T_EQ_INT(vrtc_host_clock_parse(vrtc_host_clock_name(i), &w), 0);
		T_EQ(w, i);
	}
}

static void
test_init_args(void)
{
	struct vrtc_host_clock_cfg cfg = { .tai_offset_s = -1 };
	struct vrtc_clock c;

	T_EQ_INT(vrtc_host_clock_init(NULL, VRTC_HOST_CLOCK_UTC, &cfg), -EINVAL);
	T_EQ_INT(vrtc_host_clock_init(&c, VRTC_HOST_CLOCK_COUNT, &cfg), -EINVAL);
	T_EQ_INT(vrtc_host_clock_init(&c, (enum vrtc_host_clock)-1, &cfg), -EINVAL);

	T_EQ_INT(vrtc_host_clock_init(&c, VRTC_HOST_CLOCK_UTC, &cfg), 0);
	T_EQ(c.type, VRTC_RTC_CLOCK_UTC);
	T_EQ(c.smearing, VRTC_RTC_SMEAR_UNSPECIFIED);
	T_CHECK(c.ops != NULL && c.ops->read != NULL);
	T_EQ_INT(vrtc_host_clock_init(&c, VRTC_HOST_CLOCK_MONOTONIC, &cfg), 0);
	T_EQ(c.type, VRTC_RTC_CLOCK_MONOTONIC);
	T_EQ(c.smearing, VRTC_RTC_SMEAR_UNSPECIFIED);
}

static void
test_utc_reads_realtime(void)
{
	struct vrtc_host_clock_cfg cfg = { .tai_offset_s = -1 };
	struct vrtc_clock c;
	unsigned int i;

	T_EQ_INT(vrtc_host_clock_init(&c, VRTC_HOST_CLOCK_UTC, &cfg), 0);
	for (i = 0; i < 100; i++) {
		uint64_t before = now_ns(CLOCK_REALTIME), v = 0, after;

		T_EQ_INT(c.ops->read(c.ctx, &v), 0);
		after = now_ns(CLOCK_REALTIME);
		T_CHECK(before <= v && v <= after);
	}
	/* after 2020 and before 2100 */
	T_CHECK(now_ns(CLOCK_REALTIME) > 1577836800ULL * NS);
}

static void
test_mono_reads_monotonic(void)
{
	struct vrtc_clock c;
	uint64_t prev = 0;
	unsigned int i;

	T_EQ_INT(vrtc_host_clock_init(&c, VRTC_HOST_CLOCK_MONOTONIC, NULL), 0);
	for (i = 0; i < 10000; i++) {
		uint64_t before = now_ns(CLOCK_MONOTONIC), v = 0, after;

		T_EQ_INT(c.ops->read(c.ctx, &v), 0);
		after = now_ns(CLOCK_MONOTONIC);
		T_CHECK(before <= v && v <= after);
		T_CHECK(v >= prev);
		prev = v;
	}
}

static void
test_tai_is_utc_plus_offset(void)
{
	static const int offsets[] = { 37, 0, 10, 1000 };
	struct vrtc_host_clock_cfg cfg = { .tai_offset_s = 37 };
	struct vrtc_clock tai, utc;
	unsigned int k, i;
	int off = -1;

	for (k = 0; k < sizeof(offsets) / sizeof(offsets[0]); k++) {
		cfg.tai_offset_s = offsets[k];
		log_start();
		T_EQ_INT(vrtc_tai_offset_resolve(&cfg, &off), 0);
		log_stop();
		T_EQ_INT(off, offsets[k]);
		T_CHECK(strstr(log_text, "operator") != NULL);
		T_EQ_INT(vrtc_host_clock_init(&tai, VRTC_HOST_CLOCK_TAI, &cfg), 0);
		T_EQ(tai.type, VRTC_RTC_CLOCK_TAI);
		T_EQ(tai.smearing, VRTC_RTC_SMEAR_UNSPECIFIED);
		T_EQ_INT(vrtc_host_clock_init(&utc, VRTC_HOST_CLOCK_UTC, &cfg), 0);
		for (i = 0; i < 100; i++) {
			uint64_t u0 = 0, t = 0, u1 = 0;
			uint64_t d = (uint64_t)offsets[k] * NS;

			T_EQ_INT(utc.ops->read(utc.ctx, &u0), 0);
			T_EQ_INT(tai.ops->read(tai.ctx, &t), 0);
			T_EQ_INT(utc.ops->read(utc.ctx, &u1), 0);
			T_CHECK(u0 + d <= t && t <= u1 + d);
		}
	}
	/* An existing TAI clock follows a re-resolved offset. */
	cfg.tai_offset_s = 5;
	T_EQ_INT(vrtc_tai_offset_resolve(&cfg, &off), 0);
	{
		uint64_t u0 = 0, t = 0, u1 = 0;

		T_EQ_INT(utc.ops->read(utc.ctx, &u0), 0);
		T_EQ_INT(tai.ops->read(tai.ctx, &t), 0);
		T_EQ_INT(utc.ops->read(utc.ctx, &u1), 0);
		T_CHECK(u0 + 5 * NS <= t && t <= u1 + 5 * NS);
	}
	T_EQ_INT(vrtc_tai_offset_resolve(NULL, &off), -EINVAL);
	T_EQ_INT(vrtc_tai_offset_resolve(&cfg, NULL), -EINVAL);
}

static void
test_leap_table_lookup(void)
{
	const char *p = table("good.list", good_table);
	int64_t exp = -1;
	int off = -1;

	/* now (after 2017) */
	T_EQ_INT(vrtc_leap_table_offset(p, (int64_t)time(NULL), &off, &exp), 0);
	T_EQ_INT(off, 37);
	T_EQ_INT(exp, NTP_2100_01 - NTP_UNIX);
	/* an entry takes effect at its own second */
	T_EQ_INT(vrtc_leap_table_offset(p, NTP_2017_01 - NTP_UNIX, &off, NULL), 0);
	T_EQ_INT(off, 37);
	T_EQ_INT(vrtc_leap_table_offset(p, NTP_2017_01 - NTP_UNIX - 1, &off, NULL), 0);
	T_EQ_INT(off, 11);
	T_EQ_INT(vrtc_leap_table_offset(p, NTP_1972_07 - NTP_UNIX - 1, &off, NULL), 0);
	T_EQ_INT(off, 10);
	T_EQ_INT(vrtc_leap_table_offset(p, NTP_1972_01 - NTP_UNIX, &off, NULL), 0);
	T_EQ_INT(off, 10);
	/* before the first entry: nothing covers it */
	off = -1;
	T_EQ_INT(vrtc_leap_table_offset(p, NTP_1972_01 - NTP_UNIX - 1, &off, &exp), -EINVAL);
	T_EQ_INT(vrtc_leap_table_offset(p, 0, &off, &exp), -EINVAL);
	T_EQ_INT(vrtc_leap_table_offset(p, -1000000, &off, &exp), -EINVAL);
	T_EQ_INT(off, -1);
	/* far future: the last entry */
	T_EQ_INT(vrtc_leap_table_offset(p, INT64_MAX, &off, NULL), 0);
	T_EQ_INT(off, 37);
	/* arguments */
	T_EQ_INT(vrtc_leap_table_offset(NULL, 0, &off, NULL), -EINVAL);
	T_EQ_INT(vrtc_leap_table_offset(p, 0, NULL, NULL), -EINVAL);
}

static void
test_leap_table_missing(void)
{
	int off;

	T_EQ_INT(vrtc_leap_table_offset("/nonexistent/leap-seconds.list", 0, &off, NULL), -ENOENT);
	table("x", "");
	T_EQ_INT(vrtc_leap_table_offset(tmpdir, 2000000000, &off, NULL) < 0, 1);
}

static void
test_leap_table_format_variants(void)
{
	char long_comment[1200];
	int64_t exp = -1;
	int off = -1;

	/* no expiry line: expiry 0 */
	T_EQ_INT(vrtc_leap_table_offset(table("noexp", ENTRIES), 2000000000, &off, &exp), 0);
	T_EQ_INT(off, 37);
	T_EQ_INT(exp, 0);
	/* CRLF, spaces, no comment, comment glued to the number, no final newline */
	T_EQ_INT(vrtc_leap_table_offset(table("crlf", "#@ 6311433600\r\n"
						      "  2272060800 10\r\n"
						      "\t\r\n"
						      "2287785600 11# glued\r\n"
						      "3692217600    37"),
					2000000000, &off, &exp),
		 0);
	T_EQ_INT(off, 37);
	T_EQ_INT(exp, NTP_2100_01 - NTP_UNIX);
	/* a comment line longer than any buffer is skipped */
	memset(long_comment, 'c', sizeof(long_comment));
	long_comment[0] = '#';
	long_comment[sizeof(long_comment) - 2] = '\n';
	long_comment[sizeof(long_comment) - 1] = '\0';
	{
		char text[2048];

		snprintf(text, sizeof(text), "%s%s", long_comment, ENTRIES);
		T_EQ_INT(vrtc_leap_table_offset(table("longc", text), 2000000000, &off, NULL), 0);
		T_EQ_INT(off, 37);
	}
	/* the system table, when there is one */
	if (access(VRTC_LEAP_SECONDS_FILE, R_OK) == 0) {
		T_EQ_INT(vrtc_leap_table_offset(VRTC_LEAP_SECONDS_FILE, (int64_t)time(NULL), &off,
						&exp),
			 0);
		T_EQ_INT(off, 37);
		T_CHECK(exp > NTP_2017_01 - NTP_UNIX);
	}
}

static void
test_leap_table_malformed(void)
{
	static const char *const bad[] = {
		"",						  /* no entry at all */
		"# only comments\n#@ 6311433600\n",		  /* no entry at all */
		"2272060800 x10\n",				  /* offset not a number */
		"2272060800\n",					  /* offset missing */
		"2272060800 -10\n",				  /* negative offset */
		"2272060800 +10\n",				  /* signed offset */
		"2272060800 10 junk\n",				  /* trailing junk */
		"2272060800 10 11\n",				  /* three numbers */
		"2272060800x 10\n",				  /* junk in the time */
		"0x87 10\n",					  /* hex */
		"-2272060800 10\n",				  /* negative time */
		"99999999999999999999 10\n",			  /* time overflows */
		"2272060800 10000000000\n",			  /* absurd offset */
		"2272060800 10\n2272060800 11\n",		  /* not increasing */
		"2287785600 11\n2272060800 10\n",		  /* decreasing */
		"#@\n" ENTRIES,					  /* expiry without value */
		"#@ soon\n" ENTRIES,				  /* expiry not a number */
		"#@ 6311433600 x\n" ENTRIES,			  /* expiry with junk */
		"#@ 6311433600\n#@ 6311433600\n" ENTRIES,	  /* two expiry lines */
		ENTRIES "garbage\n",				  /* a stray line */
		ENTRIES " # indented comment is fine but\n;\n",	  /* a stray character */
	};
	char long_line[1200];
	unsigned int i;
	int off;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		off = -1;
		if (vrtc_leap_table_offset(table("bad", bad[i]), 2000000000, &off, NULL) != -EINVAL) {
			T_FAIL_AT("table %u accepted: \"%s\"", i, bad[i]);
			return;
		}
		T_EQ_INT(off, -1);
	}
	/* a data line longer than the line buffer */
	memset(long_line, ' ', sizeof(long_line));
	memcpy(long_line, "2272060800 10", 13);
	long_line[sizeof(long_line) - 2] = '\n';
	long_line[sizeof(long_line) - 1] = '\0';
	T_EQ_INT(vrtc_leap_table_offset(table("long", long_line), 2000000000, &off, NULL), -EINVAL);
}

/* Resolve from a table; the kernel offset wins when it is set. */
static void
resolve_from(const char *file, int *ret, int *off)
{
	struct vrtc_host_clock_cfg cfg = { .tai_offset_s = -1, .leap_seconds_file = file };

	log_start();
	*ret = vrtc_tai_offset_resolve(&cfg, off);
	log_stop();
}

static void
test_resolve_from_table(void)
{
	int ret, off = -1;

	if (kernel_tai() != 0) {
		/* Someone set the kernel offset: it must be used, not the table. */
		resolve_from(table("t", ENTRIES), &ret, &off);
		T_EQ_INT(ret, 0);
		T_EQ_INT(off, kernel_tai());
		T_CHECK(strstr(log_text, "kernel") != NULL);
		printf("kernel TAI offset is %d: table paths not exercised\n", off);
		return;
	}
	/* valid table: notice, no warning */
	resolve_from(table("future", good_table), &ret, &off);
	T_EQ_INT(ret, 0);
	T_EQ_INT(off, 37);
	T_EQ_INT(log_worst, VRTC_LOG_NOTICE);
	T_CHECK(strstr(log_text, "valid until 2100-01-01") != NULL);

	/* expired table: used, with a warning naming the date */
	resolve_from(table("expired", "#@\t3694809600\n" ENTRIES), &ret, &off);
	T_EQ_INT(ret, 0);
	T_EQ_INT(off, 37);
	T_EQ_INT(log_worst, VRTC_LOG_WARNING);
	T_CHECK(strstr(log_text, "expired on 2017-01-31") != NULL);

	/* no expiry: used, with a warning */
	resolve_from(table("noexp", ENTRIES), &ret, &off);
	T_EQ_INT(ret, 0);
	T_EQ_INT(off, 37);
	T_EQ_INT(log_worst, VRTC_LOG_WARNING);
	T_CHECK(strstr(log_text, "no expiry") != NULL);

	/* unusable tables fail, with an error, and keep the previous offset */
	off = -1;
	resolve_from("/nonexistent/leap-seconds.list", &ret, &off);
	T_EQ_INT(ret, -ENOENT);
	T_EQ_INT(off, -1);
	T_EQ_INT(log_worst, VRTC_LOG_ERR);
	resolve_from(table("bad", "2272060800 ten\n"), &ret, &off);
	T_EQ_INT(ret, -EINVAL);
	T_EQ_INT(log_worst, VRTC_LOG_ERR);
	/* a table whose first entry is in the future covers nothing */
	resolve_from(table("late", "6311433600 99\n"), &ret, &off);
	T_EQ_INT(ret, -EINVAL);

	/* the default table (NULL path), when installed */
	if (access(VRTC_LEAP_SECONDS_FILE, R_OK) == 0) {
		resolve_from(NULL, &ret, &off);
		T_EQ_INT(ret, 0);
		T_EQ_INT(off, 37);
		T_CHECK(strstr(log_text, VRTC_LEAP_SECONDS_FILE) != NULL);
	}
}

static void
test_override_beats_everything(void)
{
	struct vrtc_host_clock_cfg cfg = { .tai_offset_s = 0,
					   .leap_seconds_file = "/nonexistent" };
	int off = -1;

	/* 0 is a valid operator value, and no table is consulted */
	log_start();
	T_EQ_INT(vrtc_tai_offset_resolve(&cfg, &off), 0);
	log_stop();
	T_EQ_INT(off, 0);
	T_EQ_INT(log_worst, VRTC_LOG_NOTICE);
	T_CHECK(strstr(log_text, "operator") != NULL);
	cfg.tai_offset_s = 36;
	T_EQ_INT(vrtc_tai_offset_resolve(&cfg, &off), 0);
	T_EQ_INT(off, 36);
}

static void
test_cross_disabled(void)
{
	struct vrtc_host_clock_cfg cfg = { .tai_offset_s = 37, .cross_host_tsc = 0 };
	unsigned int w, hw;
	int off;

	T_EQ_INT(vrtc_tai_offset_resolve(&cfg, &off), 0);
	cfg.leap_seconds_file = table("good.list", good_table);
	T_EQ_INT(vrtc_smear_prepare(&cfg), 0);
	for (w = 0; w < VRTC_HOST_CLOCK_COUNT; w++) {
		struct vrtc_clock c;

		T_EQ_INT(vrtc_host_clock_init(&c, w, &cfg), 0);
		for (hw = 0; hw < 256; hw++) {
			uint64_t ns = 0, cycles = 0;

			if (c.ops->cross_capable != NULL)
				T_EQ_INT(c.ops->cross_capable(c.ctx, (uint8_t)hw), 0);
			if (c.ops->read_cross != NULL)
				T_EQ_INT(c.ops->read_cross(c.ctx, (uint8_t)hw, &ns, &cycles),
					 -EOPNOTSUPP);
		}
		/* no configuration at all: no cross either (and no smear) */
		if (w == VRTC_HOST_CLOCK_UTC_SMEARED) {
			T_EQ_INT(vrtc_host_clock_init(&c, w, NULL), -ENODATA);
			continue;
		}
		T_EQ_INT(vrtc_host_clock_init(&c, w, NULL), 0);
		if (c.ops->cross_capable != NULL)
			T_EQ_INT(c.ops->cross_capable(c.ctx, VRTC_RTC_COUNTER_X86_TSC), 0);
	}
	vrtc_host_clock_cfg_fini(&cfg);
}

static void
test_cross_enabled(void)
{
	struct vrtc_host_clock_cfg cfg = { .tai_offset_s = 37, .cross_host_tsc = 1 };
	unsigned int w, hw, i;
	int off;

	T_EQ_INT(vrtc_tai_offset_resolve(&cfg, &off), 0);
	/* The smeared clock reads UTC outside a smear window. */
	cfg.leap_seconds_file = table("good.list", good_table);
	T_EQ_INT(vrtc_smear_prepare(&cfg), 0);
	for (w = 0; w < VRTC_HOST_CLOCK_COUNT; w++) {
		clockid_t id = w == VRTC_HOST_CLOCK_MONOTONIC ? CLOCK_MONOTONIC : CLOCK_REALTIME;
		uint64_t add = w == VRTC_HOST_CLOCK_TAI ? 37 * NS : 0;
		uint64_t prev_cycles = 0;
		struct vrtc_clock c;

		T_EQ_INT(vrtc_host_clock_init(&c, w, &cfg), 0);
		/* capable exactly for the TSC, and only on x86 */
		for (hw = 0; hw < 256; hw++) {
			int cap = c.ops->cross_capable != NULL &&
				  c.ops->cross_capable(c.ctx, (uint8_t)hw);
			int want = HAVE_TSC && hw == VRTC_RTC_COUNTER_X86_TSC;
			uint64_t ns, cycles;
			int ret = c.ops->read_cross == NULL ?
					  -EOPNOTSUPP :
					  c.ops->read_cross(c.ctx, (uint8_t)hw, &ns, &cycles);

			T_EQ_INT(cap, want);
			T_EQ_INT(ret, want ? 0 : -EOPNOTSUPP);
		}
#if HAVE_TSC
		for (i = 0; i < 1000; i++) {
			uint64_t ns = 0, cycles = 0, t0, t1, n0, n1;

			n0 = now_ns(id);
			t0 = __rdtsc();
			T_EQ_INT(c.ops->read_cross(c.ctx, VRTC_RTC_COUNTER_X86_TSC, &ns, &cycles),
				 0);
			t1 = __rdtsc();
			n1 = now_ns(id);
			T_CHECK(n0 + add <= ns && ns <= n1 + add);
			T_CHECK(t0 <= cycles && cycles <= t1);
			T_CHECK(cycles > prev_cycles);
			prev_cycles = cycles;
		}
#else
		(void)id;
		(void)add;
		(void)prev_cycles;
		(void)i;
#endif
	}
	vrtc_host_clock_cfg_fini(&cfg);
}

/* Through the device model: CROSS_CAP's flag matches READ_CROSS's status. */
static uint8_t
model_request(struct vrtc_rtc_model *m, uint16_t type, uint16_t clock_id, uint8_t hw,
	      uint8_t *resp, uint32_t *used)
{
	uint8_t req[16] = { (uint8_t)type, (uint8_t)(type >> 8), 0, 0, 0, 0, 0, 0,
			    (uint8_t)clock_id, (uint8_t)(clock_id >> 8), hw };
	struct vrtc_seg segs[2] = { { req, sizeof(req) }, { resp, 24 } };
	struct vrtc_chain ch = { .nb_readable = 1, .nb_writable = 1, .readable_bytes = 16,
				 .writable_bytes = 24, .segs = segs };

	memset(resp, 0xAA, 24);
	*used = vrtc_rtc_handle(m, &ch);
	return resp[0];
}

static void
test_model_with_host_clocks(void)
{
	static const uint8_t counters[] = { 0, 1, 2, 0xF0, 0xFF };
	struct vrtc_host_clock_cfg cfg = { .tai_offset_s = 37 };
	struct vrtc_clock clocks[VRTC_HOST_CLOCK_COUNT];
	struct vrtc_rtc_model m;
	unsigned int w, k, pass;
	uint8_t resp[24];
	uint32_t used;
	int off;

	T_EQ_INT(vrtc_tai_offset_resolve(&cfg, &off), 0);
	cfg.leap_seconds_file = table("good.list", good_table);
	T_EQ_INT(vrtc_smear_prepare(&cfg), 0);
	for (pass = 0; pass < 2; pass++) {
		cfg.cross_host_tsc = (int)pass;
		for (w = 0; w < VRTC_HOST_CLOCK_COUNT; w++)
			T_EQ_INT(vrtc_host_clock_init(&clocks[w], w, &cfg), 0);
		T_EQ_INT(vrtc_rtc_model_init(&m, clocks, VRTC_HOST_CLOCK_COUNT), 0);
		for (w = 0; w < VRTC_HOST_CLOCK_COUNT; w++) {
			T_EQ(model_request(&m, VRTC_RTC_REQ_READ, (uint16_t)w, 0, resp, &used), 0);
			T_EQ(used, 16);
			for (k = 0; k < sizeof(counters); k++) {
				uint8_t cap, rd;

				cap = model_request(&m, VRTC_RTC_REQ_CROSS_CAP, (uint16_t)w,
						    counters[k], resp, &used);
				if (cap == VRTC_RTC_S_OK)
					cap = resp[8];
				else
					cap = 0xE0 | cap;
				rd = model_request(&m, VRTC_RTC_REQ_READ_CROSS, (uint16_t)w,
						   counters[k], resp, &used);
				if (cap == 1)
					T_EQ(rd, VRTC_RTC_S_OK);
				else if (cap == 0)
					T_EQ(rd, VRTC_RTC_S_EOPNOTSUPP);
				else
					T_EQ(rd, cap & 0x0F);
				T_EQ(cap == 1, pass == 1 && HAVE_TSC &&
						       counters[k] == VRTC_RTC_COUNTER_X86_TSC);
			}
		}
	}
	vrtc_host_clock_cfg_fini(&cfg);
}

static void
test_cleanup(void)
{
	char p[192];
	static const char *const names[] = { "good.list", "x",	   "noexp", "crlf", "longc",
					     "bad",	  "long", "t",	   "future", "expired",
					     "late" };
	unsigned int i;

	if (tmpdir[0] == '\0')
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
		unlink(p);
	}
	T_EQ_INT(rmdir(tmpdir), 0);
}

static const struct t_case cases[] = {
	T_CASE(test_tai_needs_resolve),
	T_CASE(test_parse_and_names),
	T_CASE(test_init_args),
	T_CASE(test_utc_reads_realtime),
	T_CASE(test_mono_reads_monotonic),
	T_CASE(test_tai_is_utc_plus_offset),
	T_CASE(test_leap_table_lookup),
	T_CASE(test_leap_table_missing),
	T_CASE(test_leap_table_format_variants),
	T_CASE(test_leap_table_malformed),
	T_CASE(test_resolve_from_table),
	T_CASE(test_override_beats_everything),
	T_CASE(test_cross_disabled),
	T_CASE(test_cross_enabled),
	T_CASE(test_model_with_host_clocks),
	T_CASE(test_cleanup),
};

T_MAIN(cases)
