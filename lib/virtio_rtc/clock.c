/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Host clocks: UTC, TAI and MONOTONIC read through clock_gettime().
 *
 * Reads run on the poller for every READ request, so each one is a single
 * clock_gettime() (the vDSO on Linux: no system call) plus integer
 * arithmetic. Everything that may block or make system calls (adjtimex, the
 * leap-second table) happens once, in vrtc_tai_offset_resolve().
 *
 * TAI. The kernel keeps TAI - UTC in its timekeeping (adjtimex "tai"), but
 * only when something (chrony, ntpd, ptp4l) sets it; on a host where nobody
 * did, CLOCK_TAI equals CLOCK_REALTIME and is 37 s wrong. The offset is
 * therefore resolved once per process: operator override, else the kernel's
 * value when non-zero, else the leap-second table. The TAI clock always reads
 * CLOCK_REALTIME plus that offset, whatever its source. CLOCK_TAI would be an
 * equivalent read when the kernel offset is set (the kernel derives it from
 * the same realtime base), but one path for every source keeps the TAI and UTC
 * clocks exactly UTC + offset apart and makes the three sources behave alike.
 * The offset is a snapshot: after a leap second the daemon must resolve it
 * again (the stored value is updated atomically, so that is safe while
 * pollers run).
 *
 * Cross-timestamps pair a clock reading with the x86 TSC. They are honest
 * only when the driver reads the same TSC value the host does (see
 * vrtc_host_clock_cfg.cross_host_tsc), so they are off unless the operator
 * says so, and never available on other architectures.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "platform.h"
#include "vrtc_wire.h"

#define NS_PER_S 1000000000ULL

/* Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch). */
#define NTP_UNIX_DELTA_S 2208988800LL

/* TAI - UTC in ns as resolved for the process, and whether it was. */
static int64_t tai_offset_ns;
static int tai_resolved;

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * ts + offset_ns in ns; -ERANGE before 1970 or after 2262 (signed 64-bit ns:
 * the wire field is u64, but Linux rejects readings above S64_MAX anyway).
 */
static inline int
ts_to_ns(const struct timespec *ts, int64_t offset_ns, uint64_t *ns)
{
	int64_t t;

	if (__builtin_mul_overflow((int64_t)ts->tv_sec, (int64_t)NS_PER_S, &t) ||
	    __builtin_add_overflow(t, (int64_t)ts->tv_nsec, &t))
		return -ERANGE;
	if (__builtin_add_overflow(t, offset_ns, &t) || t < 0)
		return -ERANGE;
	*ns = (uint64_t)t;
	return 0;
}

static inline int
read_posix(clockid_t id, int64_t offset_ns, uint64_t *ns)
{
	struct timespec ts;

	if (vrtc_unlikely(clock_gettime(id, &ts) != 0))
		return -errno;
	return ts_to_ns(&ts, offset_ns, ns);
}

static inline int64_t
tai_offset_now(void)
{
	/* Pairs with the relaxed store in vrtc_tai_offset_resolve(): an
	 * atomic 64-bit access, no ordering needed. */
	return __atomic_load_n(&tai_offset_ns, __ATOMIC_RELAXED);
}

static int
utc_read(void *ctx, uint64_t *ns)
{
	(void)ctx;
	return read_posix(CLOCK_REALTIME, 0, ns);
}

static int
tai_read(void *ctx, uint64_t *ns)
{
	(void)ctx;
	return read_posix(CLOCK_REALTIME, tai_offset_now(), ns);
}

static int
mono_read(void *ctx, uint64_t *ns)
{
	(void)ctx;
	return read_posix(CLOCK_MONOTONIC, 0, ns);
}

/* ------------------------------------------------------------------------ */
/* Cross-timestamps (x86 TSC)                                               */
/* ------------------------------------------------------------------------ */

#if defined(__x86_64__) || defined(__i386__)

/*
 * Widest acceptable TSC window around clock_gettime(), in cycles. A vDSO
 * read takes well under a microsecond; a wider window means an interrupt or
 * a preemption hit the read. We retry a few times and keep the narrowest.
 */
#define CROSS_WINDOW_CYCLES 20000
#define CROSS_TRIES 4

/*
 * TSC read that stays inside its program-order position: the first LFENCE
 * keeps RDTSC from executing before earlier instructions complete, the
 * second keeps later instructions (the clock read) from starting before it.
 */
static inline uint64_t
tsc_read(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static int
cross_ok(void *ctx, uint8_t hw_counter)
{
	const struct vrtc_host_clock_cfg *cfg = ctx;

	return hw_counter == VRTC_RTC_COUNTER_X86_TSC && cfg != NULL && cfg->cross_host_tsc;
}

/* The clock at the midpoint of the narrowest TSC window of a few tries. */
static int
read_cross_posix(void *ctx, clockid_t id, int64_t offset_ns, uint8_t hw_counter,
		 uint64_t *ns, uint64_t *cycles)
{
	uint64_t best_window = UINT64_MAX, best_mid = 0;
	struct timespec ts, best_ts = { 0, 0 };
	int i;

	if (!cross_ok(ctx, hw_counter))
		return -EOPNOTSUPP;
	for (i = 0; i < CROSS_TRIES; i++) {
		uint64_t t0, t1;

		t0 = tsc_read();
		if (clock_gettime(id, &ts) != 0)
			return -errno;
		t1 = tsc_read();
		if (t1 - t0 < best_window) {
			best_window = t1 - t0;
			best_mid = t0 + (t1 - t0) / 2;
			best_ts = ts;
		}
		if (best_window <= CROSS_WINDOW_CYCLES)
			break;
	}
	*cycles = best_mid;
	return ts_to_ns(&best_ts, offset_ns, ns);
}

static int
utc_read_cross(void *ctx, uint8_t hw_counter, uint64_t *ns, uint64_t *cycles)
{
	return read_cross_posix(ctx, CLOCK_REALTIME, 0, hw_counter, ns, cycles);
}

static int
tai_read_cross(void *ctx, uint8_t hw_counter, uint64_t *ns, uint64_t *cycles)
{
	return read_cross_posix(ctx, CLOCK_REALTIME, tai_offset_now(), hw_counter, ns, cycles);
}

static int
mono_read_cross(void *ctx, uint8_t hw_counter, uint64_t *ns, uint64_t *cycles)
{
	return read_cross_posix(ctx, CLOCK_MONOTONIC, 0, hw_counter, ns, cycles);
}

#define CROSS_OPS(name) .cross_capable = cross_ok, .read_cross = name##_read_cross

#else /* no TSC: cross-timestamps are never available */

#define CROSS_OPS(name) .cross_capable = NULL, .read_cross = NULL

#endif

static const struct vrtc_clock_ops host_ops[VRTC_HOST_CLOCK_COUNT] = {
	[VRTC_HOST_CLOCK_UTC] = { .read = utc_read, CROSS_OPS(utc) },
	[VRTC_HOST_CLOCK_TAI] = { .read = tai_read, CROSS_OPS(tai) },
	[VRTC_HOST_CLOCK_MONOTONIC] = { .read = mono_read, CROSS_OPS(mono) },
};

static const uint8_t host_type[VRTC_HOST_CLOCK_COUNT] = {
	[VRTC_HOST_CLOCK_UTC] = VRTC_RTC_CLOCK_UTC,
	[VRTC_HOST_CLOCK_TAI] = VRTC_RTC_CLOCK_TAI,
	[VRTC_HOST_CLOCK_MONOTONIC] = VRTC_RTC_CLOCK_MONOTONIC,
};

static const char *const host_name[VRTC_HOST_CLOCK_COUNT] = {
	[VRTC_HOST_CLOCK_UTC] = "utc",
	[VRTC_HOST_CLOCK_TAI] = "tai",
	[VRTC_HOST_CLOCK_MONOTONIC] = "mono",
};

int
vrtc_host_clock_init(struct vrtc_clock *clock, enum vrtc_host_clock which,
		     const struct vrtc_host_clock_cfg *cfg)
{
	uint64_t ns;
	int ret;

	if (clock == NULL || (unsigned int)which >= VRTC_HOST_CLOCK_COUNT)
		return -EINVAL;
	if (which == VRTC_HOST_CLOCK_TAI && !__atomic_load_n(&tai_resolved, __ATOMIC_RELAXED)) {
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_ERR,
			 "tai clock: TAI-UTC offset not resolved (vrtc_tai_offset_resolve)");
		return -ENODATA;
	}
	/* Fail now rather than on the first guest request. */
	ret = host_ops[which].read(NULL, &ns);
	if (ret != 0) {
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_ERR, "%s clock: read failed: %s",
			 host_name[which], strerror(-ret));
		return ret;
	}
	clock->type = host_type[which];
	clock->smearing = VRTC_RTC_SMEAR_UNSPECIFIED;
	clock->ops = &host_ops[which];
	/* The ops only read the configuration; the cast drops const for the
	 * generic context pointer. */
	clock->ctx = (void *)(uintptr_t)cfg;
	return 0;
}

int
vrtc_host_clock_parse(const char *name, enum vrtc_host_clock *which)
{
	if (name == NULL || which == NULL)
		return -EINVAL;
	if (strcmp(name, "utc") == 0)
		*which = VRTC_HOST_CLOCK_UTC;
	else if (strcmp(name, "tai") == 0)
		*which = VRTC_HOST_CLOCK_TAI;
	else if (strcmp(name, "mono") == 0 || strcmp(name, "monotonic") == 0)
		*which = VRTC_HOST_CLOCK_MONOTONIC;
	else
		return -EINVAL;
	return 0;
}

const char *
vrtc_host_clock_name(enum vrtc_host_clock which)
{
	if ((unsigned int)which >= VRTC_HOST_CLOCK_COUNT)
		return "?";
	return host_name[which];
}

/* ------------------------------------------------------------------------ */
/* Leap-second table                                                        */
/* ------------------------------------------------------------------------ */

/*
 * The IERS/NIST "leap-seconds.list" format, as tzdata ships it:
 *   NTP_SECONDS <ws> TAI-UTC [<ws>] [# comment]   one entry per line
 *   #@ <ws> NTP_SECONDS                            the expiry date
 *   #<anything else>                               comments ($ update, h hash)
 * NTP seconds count from 1900-01-01. Entries must increase strictly. Blank
 * lines and leading white space are allowed. Anything else makes the whole
 * table malformed: a table we cannot fully understand is not one to trust.
 */

#define LEAP_LINE_MAX 512

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *
skip_ws(const char *p)
{
	while (is_ws(*p))
		p++;
	return p;
}

/* Decimal digits only, at least one, value <= max. */
static const char *
parse_u64(const char *p, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9') {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (max - d) / 10)
			return NULL;
		v = v * 10 + d;
		p++;
	}
	*out = v;
	return p;
}

/* NTP seconds fit in 64 bits signed after the epoch shift. */
#define NTP_SECONDS_MAX ((uint64_t)INT64_MAX)
/* TAI - UTC was 10 s in 1972 and moves by one second at a time. */
#define LEAP_OFFSET_MAX 100000

struct leap_parse {
	int have_entry;
	int64_t last_unix_s;	/* time of the latest entry read */
	int offset_s;		/* offset in effect at the queried time */
	int covered;		/* some entry is at or before the queried time */
	int have_expiry;
	int64_t expires_unix_s;
};

/* One line (NUL-terminated, newline included or not). 0 or -EINVAL. */
static int
leap_line(struct leap_parse *lp, const char *line, int64_t unix_s)
{
	const char *p = skip_ws(line);
	uint64_t ntp, off;
	int64_t t;

	if (*p == '\0')
		return 0;
	if (*p == '#') {
		if (p[1] != '@')
			return 0;
		if (lp->have_expiry)
			return -EINVAL;
		p = skip_ws(p + 2);
		p = parse_u64(p, NTP_SECONDS_MAX, &ntp);
		if (p == NULL || *skip_ws(p) != '\0')
			return -EINVAL;
		lp->have_expiry = 1;
		lp->expires_unix_s = (int64_t)ntp - NTP_UNIX_DELTA_S;
		return 0;
	}
	p = parse_u64(p, NTP_SECONDS_MAX, &ntp);
	if (p == NULL || !is_ws(*p))
		return -EINVAL;
	p = parse_u64(skip_ws(p), LEAP_OFFSET_MAX, &off);
	if (p == NULL || (*p != '\0' && *p != '#' && !is_ws(*p)))
		return -EINVAL;
	p = skip_ws(p);
	if (*p != '\0' && *p != '#')
		return -EINVAL;
	t = (int64_t)ntp - NTP_UNIX_DELTA_S;
	if (lp->have_entry && t <= lp->last_unix_s)
		return -EINVAL;
	lp->have_entry = 1;
	lp->last_unix_s = t;
	if (t <= unix_s) {
		lp->covered = 1;
		lp->offset_s = (int)off;
	}
	return 0;
}

static void
skip_line(FILE *f)
{
	int c;

	do {
		c = getc(f);
	} while (c != EOF && c != '\n');
}

int
vrtc_leap_table_offset(const char *path, int64_t unix_s, int *offset_s,
		       int64_t *expires_unix_s)
{
	struct leap_parse lp = { 0 };
	char line[LEAP_LINE_MAX];
	int ret = 0;
	FILE *f;

	if (path == NULL || offset_s == NULL)
		return -EINVAL;
	f = fopen(path, "re");
	if (f == NULL)
		return -ENOENT;
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);

		if (len == sizeof(line) - 1 && line[len - 1] != '\n' && !feof(f)) {
			/* Longer than any line of this format except a
			 * comment: skip the rest of a comment, refuse data. */
			if (line[0] != '#' || line[1] == '@') {
				ret = -EINVAL;
				break;
			}
			skip_line(f);
			continue;
		}
		ret = leap_line(&lp, line, unix_s);
		if (ret != 0)
			break;
	}
	if (ret == 0 && ferror(f))
		ret = -EIO;
	fclose(f);
	if (ret != 0)
		return ret;
	if (!lp.covered)
		return -EINVAL;
	*offset_s = lp.offset_s;
	if (expires_unix_s != NULL)
		*expires_unix_s = lp.have_expiry ? lp.expires_unix_s : 0;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Resolving TAI - UTC                                                      */
/* ------------------------------------------------------------------------ */

static void
fmt_date(int64_t unix_s, char *buf, size_t len)
{
	time_t t = (time_t)unix_s;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "@%" PRId64, unix_s);
}

/* The kernel's TAI - UTC, read without changing anything (modes 0). */
static int
kernel_tai_offset(int *offset_s)
{
	struct timex tx;

	memset(&tx, 0, sizeof(tx));
	if (ntp_adjtime(&tx) < 0)
		return -errno;
	*offset_s = tx.tai;
	return 0;
}

static int
table_tai_offset(const struct vrtc_host_clock_cfg *cfg, int *offset_s)
{
	const char *path = cfg->leap_seconds_file != NULL ? cfg->leap_seconds_file
							   : VRTC_LEAP_SECONDS_FILE;
	int64_t expires = 0;
	struct timespec now;
	char date[32];
	int ret;

	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		return -errno;
	ret = vrtc_leap_table_offset(path, (int64_t)now.tv_sec, offset_s, &expires);
	if (ret != 0) {
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_ERR,
			 "TAI-UTC: leap-second table %s unusable (%s); set the TAI offset explicitly",
			 path, ret == -ENOENT ? "cannot open" : strerror(-ret));
		return ret;
	}
	if (expires == 0) {
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_WARNING,
			 "TAI-UTC: leap-second table %s has no expiry date; %d s may be out of date",
			 path, *offset_s);
	} else if ((int64_t)now.tv_sec >= expires) {
		fmt_date(expires, date, sizeof(date));
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_WARNING,
			 "TAI-UTC: leap-second table %s expired on %s; using %d s, which may be out "
			 "of date (update tzdata or set the TAI offset explicitly)",
			 path, date, *offset_s);
	} else {
		fmt_date(expires, date, sizeof(date));
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_NOTICE,
			 "TAI-UTC = %d s from leap-second table %s (valid until %s)", *offset_s,
			 path, date);
	}
	return 0;
}

int
vrtc_tai_offset_resolve(const struct vrtc_host_clock_cfg *cfg, int *offset_s)
{
	int off = 0, ret;

	if (cfg == NULL || offset_s == NULL)
		return -EINVAL;
	if (cfg->tai_offset_s >= 0) {
		off = cfg->tai_offset_s;
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_NOTICE, "TAI-UTC = %d s (operator setting)",
			 off);
	} else {
		ret = kernel_tai_offset(&off);
		if (ret != 0) {
			vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_WARNING,
				 "TAI-UTC: cannot read the kernel offset (adjtimex: %s)",
				 strerror(-ret));
			off = 0;
		}
		if (off < 0) {
			vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_WARNING,
				 "TAI-UTC: ignoring the kernel's negative offset %d s", off);
			off = 0;
		}
		if (off != 0) {
			vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_NOTICE,
				 "TAI-UTC = %d s from the kernel (adjtimex)", off);
		} else {
			ret = table_tai_offset(cfg, &off);
			if (ret != 0)
				return ret;
		}
	}
	/* Relaxed stores: each value is read atomically on its own, and a
	 * poller racing a re-resolve may use either the old or new offset. */
	__atomic_store_n(&tai_offset_ns, (int64_t)off * (int64_t)NS_PER_S, __ATOMIC_RELAXED);
	__atomic_store_n(&tai_resolved, 1, __ATOMIC_RELAXED);
	*offset_s = off;
	return 0;
}
