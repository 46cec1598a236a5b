/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Tests of lib/virtio_rtc/clock_health.c: the decoding of adjtimex(2)'s
 * answer (an injected stand-in: the machine's clock is never touched), the
 * unsynchronised verdict, the watch's one log line per transition, and one
 * read of the real kernel's state (read only).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>

#include "clock_health.h"
#include "log.h"
#include "test.h"

static unsigned int nb_warnings, nb_notices;
static char last_msg[512];

static void
capture_sink(enum vrtc_log_component comp, enum vrtc_log_level level, const char *msg)
{
	if (comp != VRTC_LOGC_CLOCK)
		return;
	if (level <= VRTC_LOG_WARNING)
		nb_warnings++;
	else if (level == VRTC_LOG_NOTICE)
		nb_notices++;
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
}

/* The kernel as the test wants it. */
struct fake_kernel {
	struct timex tx;
	int ret;	/* TIME_* or -1 */
	int err;	/* errno with ret -1 */
	unsigned int calls;
	int modes_seen; /* what the caller asked to change (must stay 0) */
};

static int
fake_adjtimex(void *ctx, struct timex *tx)
{
	struct fake_kernel *k = ctx;

	k->calls++;
	k->modes_seen |= (int)tx->modes;
	if (k->ret < 0) {
		errno = k->err;
		return -1;
	}
	*tx = k->tx;
	return k->ret;
}

static void
test_decode(void)
{
	struct fake_kernel k = { .ret = TIME_OK };
	struct vrtc_host_clock_health h;

	k.tx.status = STA_PLL;
	k.tx.maxerror = 12345;
	k.tx.esterror = 67;
	k.tx.tai = 37;
	k.tx.offset = -250; /* us without STA_NANO */
	k.tx.freq = 65536 * 12 + 32768; /* 12.5 ppm */
	memset(&h, 0xff, sizeof(h));
	h.unsync_events = 7;
	h.checks = 9;
	T_EQ_INT(vrtc_clock_health_read(fake_adjtimex, &k, &h), 0);
	T_EQ(k.calls, 1);
	T_EQ(k.modes_seen, 0); /* read only */
	T_EQ(h.unsync, 0);
	T_EQ(h.state, TIME_OK);
	T_EQ(h.status, STA_PLL);
	T_EQ_INT(h.maxerror_us, 12345);
	T_EQ_INT(h.esterror_us, 67);
	T_EQ_INT(h.tai_offset_s, 37);
	T_EQ_INT(h.offset_ns, -250000);
	T_EQ_INT(h.freq_ppb, 12500);
	T_EQ(h.unsync_events, 7); /* the watch's, untouched */
	T_EQ(h.checks, 9);
	/* STA_NANO: the offset is in ns already; a negative frequency. */
	k.tx.status = STA_PLL | STA_NANO;
	k.tx.offset = -250;
	k.tx.freq = -65536;
	T_EQ_INT(vrtc_clock_health_read(fake_adjtimex, &k, &h), 0);
	T_EQ_INT(h.offset_ns, -250);
	T_EQ_INT(h.freq_ppb, -1000);
	/* A leap second pending is no error. */
	k.ret = TIME_INS;
	T_EQ_INT(vrtc_clock_health_read(fake_adjtimex, &k, &h), 0);
	T_EQ(h.unsync, 0);
	T_CHECK(strcmp(vrtc_clock_state_name(h.state), "insert leap second") == 0);
	T_CHECK(strcmp(vrtc_clock_state_name(42), "?") == 0);
	/* The kernel failing is -errno. */
	k.ret = -1;
	k.err = EPERM;
	T_EQ_INT(vrtc_clock_health_read(fake_adjtimex, &k, &h), -EPERM);
}

static void
test_unsync_verdict(void)
{
	struct fake_kernel k = { .ret = TIME_OK };
	struct vrtc_host_clock_health h;

	k.tx.status = STA_UNSYNC;
	T_EQ_INT(vrtc_clock_health_read(fake_adjtimex, &k, &h), 0);
	T_EQ(h.unsync, 1);
	k.tx.status = 0;
	k.ret = TIME_ERROR; /* e.g. PPS signal lost */
	T_EQ_INT(vrtc_clock_health_read(fake_adjtimex, &k, &h), 0);
	T_EQ(h.unsync, 1);
	k.ret = TIME_OK;
	T_EQ_INT(vrtc_clock_health_read(fake_adjtimex, &k, &h), 0);
	T_EQ(h.unsync, 0);
}

/* One line at the first check, one per transition, none in between. */
static void
test_watch_transitions(void)
{
	static const struct {
		int unsync;
		int changed;
		unsigned int warnings, notices;
		uint64_t events;
		const char *says;
	} steps[] = {
		{ 0, 1, 0, 1, 0, "synchronised (" },
		{ 0, 0, 0, 1, 0, NULL },
		{ 1, 1, 1, 1, 1, "became unsynchronised" },
		{ 1, 0, 1, 1, 1, NULL },
		{ 1, 0, 1, 1, 1, NULL },
		{ 0, 1, 1, 2, 1, "synchronised again" },
		{ 1, 1, 2, 2, 2, "became unsynchronised" },
	};
	struct vrtc_clock_health_watch w = { 0 };
	struct fake_kernel k = { .ret = TIME_OK };
	struct vrtc_host_clock_health h;
	size_t i;

	nb_warnings = nb_notices = 0;
	vrtc_log_set_sink(capture_sink);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int changed;

		last_msg[0] = '\0';
		k.tx.status = steps[i].unsync ? STA_UNSYNC : STA_PLL;
		k.tx.maxerror = steps[i].unsync ? 16000000 : 1000;
		if (vrtc_clock_health_read(fake_adjtimex, &k, &h) != 0)
			T_FAIL_AT("step %zu: read failed", i);
		changed = vrtc_clock_health_watch(&w, &h);
		if (changed != steps[i].changed || nb_warnings != steps[i].warnings ||
		    nb_notices != steps[i].notices || h.unsync_events != steps[i].events ||
		    h.checks != i + 1)
			T_FAIL_AT("step %zu: changed %d, %u warnings, %u notices, %" PRIu64
				  " events, %" PRIu64 " checks",
				  i, changed, nb_warnings, nb_notices, h.unsync_events, h.checks);
		if (steps[i].says != NULL && strstr(last_msg, steps[i].says) == NULL)
			T_FAIL_AT("step %zu: '%s' does not say '%s'", i, last_msg, steps[i].says);
		if (steps[i].says == NULL && last_msg[0] != '\0')
			T_FAIL_AT("step %zu: logged '%s'", i, last_msg);
	}
	vrtc_log_set_sink(NULL);
	/* Unsynchronised from the first check: one warning, one event. */
	memset(&w, 0, sizeof(w));
	nb_warnings = nb_notices = 0;
	vrtc_log_set_sink(capture_sink);
	k.tx.status = STA_UNSYNC;
	T_EQ_INT(vrtc_clock_health_read(fake_adjtimex, &k, &h), 0);
	T_EQ_INT(vrtc_clock_health_watch(&w, &h), 1);
	vrtc_log_set_sink(NULL);
	T_EQ(nb_warnings, 1);
	T_EQ(h.unsync_events, 1);
	T_CHECK(strstr(last_msg, "not synchronised") != NULL &&
		strstr(last_msg, "maxerror 16000000 us") != NULL &&
		strstr(last_msg, "became") == NULL);
}

/* The real kernel, read only: whatever its state, the answer is coherent. */
static void
test_real_kernel(void)
{
	struct vrtc_host_clock_health h;
	int rc = vrtc_clock_health_read(NULL, NULL, &h);

	if (rc == -EPERM || rc == -ENOSYS) {
		printf("     skip: adjtimex is not allowed here (%s)\n", strerror(-rc));
		return;
	}
	T_EQ_INT(rc, 0);
	printf("     host: %s, state %s, status 0x%x, maxerror %" PRId64 " us, esterror %" PRId64
	       " us, TAI-UTC %d s\n",
	       h.unsync ? "unsynchronised" : "synchronised", vrtc_clock_state_name(h.state),
	       (unsigned int)h.status, h.maxerror_us, h.esterror_us, h.tai_offset_s);
	T_CHECK(h.state >= TIME_OK && h.state <= TIME_ERROR);
	T_EQ(h.unsync, (h.status & STA_UNSYNC) != 0 || h.state == TIME_ERROR);
	T_CHECK(h.maxerror_us >= 0 && h.esterror_us >= 0);
}

static const struct t_case cases[] = {
	T_CASE(test_decode),
	T_CASE(test_unsync_verdict),
	T_CASE(test_watch_transitions),
	T_CASE(test_real_kernel),
};

T_MAIN(cases)
