/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Tests of lib/virtio_rtc/clock_phc.c: the "PATH:tai|utc" item, a PHC clock
 * fed by an injected source (readings, failures, out-of-range values, the
 * timescale warnings), paths that are not PTP clocks, and /dev/ptp0 for real
 * when this machine has one (it says so when it has not).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock_phc.h"
#include "log.h"
#include "platform.h"
#include "test.h"
#include "vrtc_wire.h"

static unsigned int nb_errors, nb_warnings;
static char last_msg[512];

static void
capture_sink(enum vrtc_log_component comp, enum vrtc_log_level level, const char *msg)
{
	if (comp != VRTC_LOGC_CLOCK)
		return;
	if (level <= VRTC_LOG_ERR)
		nb_errors++;
	else if (level <= VRTC_LOG_WARNING)
		nb_warnings++;
	else
		return;
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
}

static void
capture_start(void)
{
	nb_errors = nb_warnings = 0;
	last_msg[0] = '\0';
	vrtc_log_set_sink(capture_sink);
}

static void
test_spec_parse(void)
{
	static const char *const bad[] = {
		"", ":tai", "/dev/ptp0", "/dev/ptp0:", "/dev/ptp0:TAI", "/dev/ptp0:mono",
		"/dev/ptp0:taii", "/dev/ptp0:ta", "/dev/ptp0:utc ",
	};
	char path[VRTC_PHC_PATH_MAX + 1], longp[VRTC_PHC_PATH_MAX + 8];
	uint8_t type = 0xff;
	size_t i;

	T_EQ_INT(vrtc_phc_spec_parse("/dev/ptp0:tai", 13, path, sizeof(path), &type), 0);
	T_CHECK(strcmp(path, "/dev/ptp0") == 0);
	T_EQ(type, VRTC_RTC_CLOCK_TAI);
	T_EQ_INT(vrtc_phc_spec_parse("/dev/ptp1:utc", 13, path, sizeof(path), &type), 0);
	T_CHECK(strcmp(path, "/dev/ptp1") == 0);
	T_EQ(type, VRTC_RTC_CLOCK_UTC);
	/* Only len bytes count (an item in the middle of a clocks= list). */
	T_EQ_INT(vrtc_phc_spec_parse("/dev/ptp2:tai+mono", 13, path, sizeof(path), &type), 0);
	T_CHECK(strcmp(path, "/dev/ptp2") == 0);
	/* The last ':' separates the type. */
	T_EQ_INT(vrtc_phc_spec_parse("/run/a:b:utc", 12, path, sizeof(path), &type), 0);
	T_CHECK(strcmp(path, "/run/a:b") == 0);
	for (i = 0; i < VRTC_ARRAY_SIZE(bad); i++) {
		type = 0xff;
		if (vrtc_phc_spec_parse(bad[i], strlen(bad[i]), path, sizeof(path), &type) !=
		    -EINVAL)
			T_FAIL_AT("'%s' accepted", bad[i]);
		T_EQ(type, 0xff);
	}
	/* Too long for the path buffer, and past the limit. */
	T_EQ_INT(vrtc_phc_spec_parse("/dev/ptp0:tai", 13, path, 9, &type), -EINVAL);
	memset(longp, 'a', sizeof(longp));
	memcpy(longp + VRTC_PHC_PATH_MAX + 1, ":tai", 4);
	T_EQ_INT(vrtc_phc_spec_parse(longp, VRTC_PHC_PATH_MAX + 5, path, sizeof(path), &type),
		 -EINVAL);
	memcpy(longp + VRTC_PHC_PATH_MAX, ":tai", 4);
	T_EQ_INT(vrtc_phc_spec_parse(longp, VRTC_PHC_PATH_MAX + 4, path, sizeof(path), &type), 0);
	T_EQ(strlen(path), VRTC_PHC_PATH_MAX);
}

/* An injected PHC: the test decides each reading or failure. */
struct fake_phc {
	struct timespec next;
	int fail_with;
	unsigned int calls;
	int64_t offset_from_realtime_s; /* >= 0: next = CLOCK_REALTIME + this */
};

static int
fake_read(void *ctx, struct timespec *ts)
{
	struct fake_phc *f = ctx;

	f->calls++;
	if (f->fail_with != 0)
		return f->fail_with;
	if (f->offset_from_realtime_s >= 0) {
		clock_gettime(CLOCK_REALTIME, ts);
		ts->tv_sec += f->offset_from_realtime_s;
		return 0;
	}
	*ts = f->next;
	return 0;
}

static void
test_injected_reads(void)
{
	struct fake_phc f = { .offset_from_realtime_s = 37 };
	struct vrtc_phc_source src = { .read = fake_read, .ctx = &f };
	struct vrtc_phc *phc = NULL;
	struct vrtc_clock clock;
	uint64_t ns = 0;

	capture_start();
	T_EQ_INT(vrtc_phc_create(&src, "fake0", VRTC_RTC_CLOCK_TAI, &phc), 0);
	T_EQ(nb_warnings, 0); /* 37 s ahead of UTC and declared TAI: as expected */
	T_EQ(f.calls, 1);     /* the set-up read */
	T_EQ(vrtc_phc_stats(phc)->reads, 0);
	vrtc_phc_clock_init(&clock, phc);
	T_EQ(clock.type, VRTC_RTC_CLOCK_TAI);
	T_EQ(clock.smearing, VRTC_RTC_SMEAR_UNSPECIFIED);
	T_CHECK(clock.ops->cross_capable == NULL && clock.ops->read_cross == NULL);
	T_CHECK(strcmp(vrtc_phc_name(phc), "fake0") == 0);

	/* Each READ is one read of the source, exactly as it reads. */
	f.offset_from_realtime_s = -1;
	f.next = (struct timespec){ .tv_sec = 1700000037, .tv_nsec = 123456789 };
	T_EQ_INT(clock.ops->read(clock.ctx, &ns), 0);
	T_EQ(ns, UINT64_C(1700000037123456789));
	f.next.tv_nsec = 999999999;
	T_EQ_INT(clock.ops->read(clock.ctx, &ns), 0);
	T_EQ(ns, UINT64_C(1700000037999999999));
	f.next = (struct timespec){ .tv_sec = 0, .tv_nsec = 0 };
	T_EQ_INT(clock.ops->read(clock.ctx, &ns), 0);
	T_EQ(ns, 0);
	T_EQ(f.calls, 4);
	T_EQ(vrtc_phc_stats(phc)->reads, 3);

	/* Failures: the source's -errno (a positive value becomes -EIO), and
	 * readings that do not fit: -ERANGE. Counted; logged 1st, 2nd, 4th. */
	f.fail_with = -ENODEV;
	T_EQ_INT(clock.ops->read(clock.ctx, &ns), -ENODEV);
	f.fail_with = 5;
	T_EQ_INT(clock.ops->read(clock.ctx, &ns), -EIO);
	f.fail_with = 0;
	f.next = (struct timespec){ .tv_sec = -1, .tv_nsec = 0 };
	T_EQ_INT(clock.ops->read(clock.ctx, &ns), -ERANGE);
	f.next = (struct timespec){ .tv_sec = 1, .tv_nsec = 1000000000L };
	T_EQ_INT(clock.ops->read(clock.ctx, &ns), -ERANGE);
	vrtc_log_set_sink(NULL);
	T_EQ(vrtc_phc_stats(phc)->errors, 4);
	T_EQ(nb_errors, 3);
	T_CHECK(strstr(last_msg, "fake0") != NULL);
	/* And it recovers. */
	f.next = (struct timespec){ .tv_sec = 5, .tv_nsec = 6 };
	T_EQ_INT(clock.ops->read(clock.ctx, &ns), 0);
	T_EQ(ns, UINT64_C(5000000006));
	T_EQ(vrtc_phc_stats(phc)->reads, 4);
	vrtc_phc_destroy(phc);
	vrtc_phc_destroy(NULL);
}

/* The declared timescale is the operator's; a reading that contradicts it
 * is worth one warning at set-up, nothing more. */
static void
test_timescale_warnings(void)
{
	static const struct {
		int64_t offset_s;
		uint8_t type;
		unsigned int warnings;
		const char *says;
	} cases[] = {
		{ 37, VRTC_RTC_CLOCK_TAI, 0, NULL },
		{ 0, VRTC_RTC_CLOCK_UTC, 0, NULL },
		{ 37, VRTC_RTC_CLOCK_UTC, 1, "looks like TAI" },
		{ 0, VRTC_RTC_CLOCK_TAI, 1, "looks like UTC" },
		{ 3600, VRTC_RTC_CLOCK_TAI, 1, "disciplined" },
	};
	struct fake_phc f;
	struct vrtc_phc_source src = { .read = fake_read, .ctx = &f };
	struct vrtc_phc *phc;
	size_t i;

	for (i = 0; i < VRTC_ARRAY_SIZE(cases); i++) {
		memset(&f, 0, sizeof(f));
		f.offset_from_realtime_s = cases[i].offset_s;
		capture_start();
		T_EQ_INT(vrtc_phc_create(&src, "fake1", cases[i].type, &phc), 0);
		vrtc_log_set_sink(NULL);
		if (nb_warnings != cases[i].warnings)
			T_FAIL_AT("case %zu: %u warnings (%s)", i, nb_warnings, last_msg);
		if (cases[i].says != NULL && strstr(last_msg, cases[i].says) == NULL)
			T_FAIL_AT("case %zu: '%s' does not say '%s'", i, last_msg, cases[i].says);
		vrtc_phc_destroy(phc);
	}
}

/* A source that fails at set-up refuses the clock; bad arguments too. */
static void
test_create_refused(void)
{
	struct fake_phc f = { .fail_with = -EIO };
	struct vrtc_phc_source src = { .read = fake_read, .ctx = &f }, none = { 0 };
	struct vrtc_phc *phc = (struct vrtc_phc *)(uintptr_t)1;

	capture_start();
	T_EQ_INT(vrtc_phc_create(&src, "fake2", VRTC_RTC_CLOCK_UTC, &phc), -EIO);
	T_CHECK(phc == NULL);
	T_EQ(nb_errors, 1);
	T_EQ_INT(vrtc_phc_create(&none, "x", VRTC_RTC_CLOCK_UTC, &phc), -EINVAL);
	f.fail_with = 0;
	T_EQ_INT(vrtc_phc_create(&src, "x", VRTC_RTC_CLOCK_MONOTONIC, &phc), -EINVAL);
	T_EQ_INT(vrtc_phc_open("/dev/ptp0", VRTC_RTC_CLOCK_MONOTONIC, &phc), -EINVAL);
	T_EQ_INT(vrtc_phc_open("", VRTC_RTC_CLOCK_TAI, &phc), -EINVAL);
	vrtc_log_set_sink(NULL);
}

/* Paths that are not PHCs: refused with a reason naming the path. */
static void
test_not_a_phc(void)
{
	struct vrtc_phc *phc = (struct vrtc_phc *)(uintptr_t)1;
	char path[] = "/tmp/vrtc-test-phc-XXXXXX";
	int fd = mkstemp(path);

	T_CHECK(fd >= 0);
	close(fd);
	capture_start();
	T_EQ_INT(vrtc_phc_open("/nonexistent/ptp9", VRTC_RTC_CLOCK_TAI, &phc), -ENOENT);
	T_CHECK(phc == NULL);
	T_CHECK(strstr(last_msg, "/nonexistent/ptp9") != NULL);
	T_EQ_INT(vrtc_phc_open("/dev/null", VRTC_RTC_CLOCK_TAI, &phc), -ENODEV);
	T_CHECK(strstr(last_msg, "not a PTP hardware clock") != NULL);
	T_EQ_INT(vrtc_phc_open(path, VRTC_RTC_CLOCK_TAI, &phc), -ENODEV);
	T_CHECK(strstr(last_msg, "not a character device") != NULL);
	vrtc_log_set_sink(NULL);
	T_EQ(nb_errors, 3);
	unlink(path);
}

/* The real thing, where there is one. */
static void
test_real_phc(void)
{
	struct vrtc_phc *phc = NULL;
	struct vrtc_clock clock;
	uint64_t a = 0, b = 0;
	int rc;

	if (access("/dev/ptp0", R_OK) != 0) {
		printf("     skip: this machine has no /dev/ptp0 (no PTP hardware clock); "
		       "the injected-source cases above cover the code\n");
		return;
	}
	rc = vrtc_phc_open("/dev/ptp0", VRTC_RTC_CLOCK_TAI, &phc);
	if (rc == -ENODEV || rc == -EACCES || rc == -EPERM) {
		printf("     skip: /dev/ptp0 cannot be used here: %s\n", strerror(-rc));
		return;
	}
	T_EQ_INT(rc, 0);
	vrtc_phc_clock_init(&clock, phc);
	T_EQ_INT(clock.ops->read(clock.ctx, &a), 0);
	T_EQ_INT(clock.ops->read(clock.ctx, &b), 0);
	printf("     /dev/ptp0: %" PRIu64 " ns, then +%" PRIu64 " ns\n", a, b - a);
	T_CHECK(a != 0 && b >= a);
	vrtc_phc_destroy(phc);
}

static const struct t_case cases[] = {
	T_CASE(test_spec_parse),
	T_CASE(test_injected_reads),
	T_CASE(test_timescale_warnings),
	T_CASE(test_create_refused),
	T_CASE(test_not_a_phc),
	T_CASE(test_real_phc),
};

T_MAIN(cases)
