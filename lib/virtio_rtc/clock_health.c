/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Host clock health (see clock_health.h). "Unsynchronised" is the kernel's
 * own verdict: STA_UNSYNC in the status (set at boot, by the kernel once
 * maxerror reaches 16 s, and by a daemon that lost its sources), or an
 * adjtimex return of TIME_ERROR. Nothing is set: modes is 0.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "clock_health.h"
#include "log.h"

static int
real_adjtimex(void *ctx, struct timex *tx)
{
	(void)ctx;
	return adjtimex(tx);
}

const char *
vrtc_clock_state_name(int state)
{
	switch (state) {
	case TIME_OK:
		return "ok";
	case TIME_INS:
		return "insert leap second";
	case TIME_DEL:
		return "delete leap second";
	case TIME_OOP:
		return "leap second in progress";
	case TIME_WAIT:
		return "leap second done";
	case TIME_ERROR:
		return "error";
	default:
		return "?";
	}
}

int
vrtc_clock_health_read(vrtc_adjtimex_fn fn, void *ctx, struct vrtc_host_clock_health *h)
{
	struct timex tx;
	int state;

	memset(&tx, 0, sizeof(tx)); /* modes 0: read only */
	state = (fn != NULL ? fn : real_adjtimex)(ctx, &tx);
	if (state < 0)
		return errno != 0 ? -errno : -EIO;
	h->state = state;
	h->status = tx.status;
	h->unsync = (tx.status & STA_UNSYNC) != 0 || state == TIME_ERROR;
	h->maxerror_us = tx.maxerror;
	h->esterror_us = tx.esterror;
	h->tai_offset_s = tx.tai;
	/* offset: ns with STA_NANO, else us; freq: ppm with a 16-bit fraction. */
	h->offset_ns = (tx.status & STA_NANO) ? (int64_t)tx.offset : (int64_t)tx.offset * 1000;
	h->freq_ppb = (int64_t)tx.freq * 1000 / 65536;
	return 0;
}

int
vrtc_clock_health_watch(struct vrtc_clock_health_watch *w, struct vrtc_host_clock_health *h)
{
	int changed = !w->known || w->unsync != h->unsync;

	w->checks++;
	if (changed && h->unsync)
		w->unsync_events++;
	if (changed) {
		if (h->unsync)
			vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_WARNING,
				 "host clock: %s (adjtimex status 0x%x, state %s, maxerror %" PRId64
				 " us, esterror %" PRId64 " us): the guests' UTC and TAI clocks "
				 "are the host's and may be off",
				 w->known ? "became unsynchronised" : "not synchronised",
				 (unsigned int)h->status, vrtc_clock_state_name(h->state),
				 h->maxerror_us, h->esterror_us);
		else
			vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_NOTICE,
				 "host clock: %s (maxerror %" PRId64 " us, esterror %" PRId64
				 " us, kernel TAI-UTC %d s)",
				 w->known ? "synchronised again" : "synchronised", h->maxerror_us,
				 h->esterror_us, h->tai_offset_s);
	}
	w->known = 1;
	w->unsync = h->unsync;
	h->unsync_events = w->unsync_events;
	h->checks = w->checks;
	return changed;
}
