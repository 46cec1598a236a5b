/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Host clocks: UTC, TAI, MONOTONIC and UTC_SMEARED read through clock_gettime().
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
 * UTC_SMEARED (smear.h) is computed from TAI, which does not step at a leap
 * second, and the leap-second table, parsed once per device by
 * vrtc_smear_prepare(): CLOCK_TAI when the kernel's offset is set (the kernel
 * bumps it at the instant it steps CLOCK_REALTIME back, so CLOCK_TAI runs
 * straight through), else CLOCK_REALTIME plus the table's offset at that
 * reading (the kernel's repeated 23:59:59 is told apart by adjtimex TIME_OOP,
 * asked only in the second before a leap), else plus the operator's offset.
 * With smear_host the clock is CLOCK_REALTIME, already smeared by the host.
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

/* Where that offset came from: the smeared clock's TAI base follows it. */
enum tai_source {
	TAI_SOURCE_OPERATOR,
	TAI_SOURCE_KERNEL,
	TAI_SOURCE_TABLE,
};
static int tai_source;

/* The smeared clock of one device (vrtc_smear_prepare). */
struct vrtc_smear_state {
	int source;	    /* enum tai_source at preparation */
	int expired_warned; /* the table's expiry was logged while reading */
	struct vrtc_leap_table table;
	struct vrtc_smear smear;
	char path[256];
};

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

static void fmt_date(int64_t unix_s, char *buf, size_t len);
static int smear_base_choose(struct vrtc_smear_state *st);

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

/* The POSIX clock the smeared clock's TAI base is read from. */
static inline clockid_t
smear_base_clock(const struct vrtc_smear_state *st)
{
	return st->source == TAI_SOURCE_KERNEL ? CLOCK_TAI : CLOCK_REALTIME;
}

/*
 * TAI - UTC to add to a CLOCK_REALTIME reading, from the table. In the
 * second before a positive leap the kernel, when it inserts the leap itself
 * (STA_INS), steps CLOCK_REALTIME back from 00:00:00 to 23:59:59 and reports
 * TIME_OOP for that repeated second: it is the leap second 23:59:60, one
 * second more of TAI. Only that one second per leap costs a system call.
 */
static int
table_offset_at(const struct vrtc_smear_state *st, time_t sec, int64_t *off_ns)
{
	const struct vrtc_leap_table *t = &st->table;
	uint16_t i;
	int off;

	if (vrtc_leap_table_lookup(t, (int64_t)sec, &off, &i) != 0)
		return -ERANGE;
	if (vrtc_unlikely(i + 1 < t->nb && t->e[i + 1].utc_s == (int64_t)sec + 1 &&
			  t->e[i + 1].offset_s == off + 1)) {
		struct timex tx;

		memset(&tx, 0, sizeof(tx));
		if (ntp_adjtime(&tx) == TIME_OOP)
			off++;
	}
	*off_ns = (int64_t)off * (int64_t)NS_PER_S;
	return 0;
}

static void
smear_warn_expired(struct vrtc_smear_state *st)
{
	char date[32];

	if (__atomic_exchange_n(&st->expired_warned, 1, __ATOMIC_RELAXED))
		return;
	fmt_date(st->table.expires_s, date, sizeof(date));
	vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_WARNING,
		 "smeared clock: leap-second table %s expired on %s; a leap second announced "
		 "since will not be smeared (update tzdata)", st->path, date);
}

/* A reading @p ts of smear_base_clock() to smeared UTC ns. */
static int
smear_convert(const struct vrtc_host_clock_cfg *cfg, const struct timespec *ts, uint64_t *ns)
{
	struct vrtc_smear_state *st = cfg->smear;
	int64_t off = 0, utc;
	uint64_t tai;
	int ret;

	if (st->source == TAI_SOURCE_TABLE) {
		ret = table_offset_at(st, ts->tv_sec, &off);
		if (ret != 0)
			return ret;
	} else if (st->source == TAI_SOURCE_OPERATOR) {
		off = tai_offset_now();
	}
	ret = ts_to_ns(ts, off, &tai);
	if (ret != 0)
		return ret;
	ret = vrtc_smear_from_tai(&st->smear, (int64_t)tai, &utc);
	if (ret < 0 || utc < 0)
		return -ERANGE;
	if (vrtc_unlikely(ret & VRTC_SMEAR_EXPIRED))
		smear_warn_expired(st);
	*ns = (uint64_t)utc;
	return 0;
}

static int
smeared_read(void *ctx, uint64_t *ns)
{
	const struct vrtc_host_clock_cfg *cfg = ctx;
	struct timespec ts;

	if (vrtc_unlikely(clock_gettime(smear_base_clock(cfg->smear), &ts) != 0))
		return -errno;
	return smear_convert(cfg, &ts, ns);
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
read_cross_ts(void *ctx, clockid_t id, uint8_t hw_counter, struct timespec *out,
	      uint64_t *cycles)
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
	*out = best_ts;
	return 0;
}

static int
read_cross_posix(void *ctx, clockid_t id, int64_t offset_ns, uint8_t hw_counter,
		 uint64_t *ns, uint64_t *cycles)
{
	struct timespec ts;
	int ret = read_cross_ts(ctx, id, hw_counter, &ts, cycles);

	return ret != 0 ? ret : ts_to_ns(&ts, offset_ns, ns);
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

static int
smeared_read_cross(void *ctx, uint8_t hw_counter, uint64_t *ns, uint64_t *cycles)
{
	const struct vrtc_host_clock_cfg *cfg = ctx;
	struct timespec ts;
	int ret = read_cross_ts(ctx, smear_base_clock(cfg->smear), hw_counter, &ts, cycles);

	return ret != 0 ? ret : smear_convert(cfg, &ts, ns);
}

#define CROSS_OPS(name) .cross_capable = cross_ok, .read_cross = name##_read_cross

#else /* no TSC: cross-timestamps are never available */

#define CROSS_OPS(name) .cross_capable = NULL, .read_cross = NULL

#endif

static const struct vrtc_clock_ops host_ops[VRTC_HOST_CLOCK_COUNT] = {
	[VRTC_HOST_CLOCK_UTC] = { .read = utc_read, CROSS_OPS(utc) },
	[VRTC_HOST_CLOCK_TAI] = { .read = tai_read, CROSS_OPS(tai) },
	[VRTC_HOST_CLOCK_MONOTONIC] = { .read = mono_read, CROSS_OPS(mono) },
	[VRTC_HOST_CLOCK_UTC_SMEARED] = { .read = smeared_read, CROSS_OPS(smeared) },
};

static const uint8_t host_type[VRTC_HOST_CLOCK_COUNT] = {
	[VRTC_HOST_CLOCK_UTC] = VRTC_RTC_CLOCK_UTC,
	[VRTC_HOST_CLOCK_TAI] = VRTC_RTC_CLOCK_TAI,
	[VRTC_HOST_CLOCK_MONOTONIC] = VRTC_RTC_CLOCK_MONOTONIC,
	[VRTC_HOST_CLOCK_UTC_SMEARED] = VRTC_RTC_CLOCK_UTC_SMEARED,
};

static const char *const host_name[VRTC_HOST_CLOCK_COUNT] = {
	[VRTC_HOST_CLOCK_UTC] = "utc",
	[VRTC_HOST_CLOCK_TAI] = "tai",
	[VRTC_HOST_CLOCK_MONOTONIC] = "mono",
	[VRTC_HOST_CLOCK_UTC_SMEARED] = "smeared",
};

int
vrtc_host_clock_init(struct vrtc_clock *clock, enum vrtc_host_clock which,
		     const struct vrtc_host_clock_cfg *cfg)
{
	const struct vrtc_clock_ops *ops;
	uint8_t smearing;
	uint64_t ns;
	int ret;

	if (clock == NULL || (unsigned int)which >= VRTC_HOST_CLOCK_COUNT)
		return -EINVAL;
	if (which == VRTC_HOST_CLOCK_TAI && !__atomic_load_n(&tai_resolved, __ATOMIC_RELAXED)) {
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_ERR,
			 "tai clock: TAI-UTC offset not resolved (vrtc_tai_offset_resolve)");
		return -ENODATA;
	}
	ops = &host_ops[which];
	smearing = VRTC_RTC_SMEAR_UNSPECIFIED;
	if (which == VRTC_HOST_CLOCK_UTC_SMEARED) {
		if (cfg != NULL && cfg->smear_host) {
			/* Already smeared by the host: what it is, unchanged. */
			ops = &host_ops[VRTC_HOST_CLOCK_UTC];
		} else if (cfg == NULL || cfg->smear == NULL) {
			vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_ERR,
				 "smeared clock: not prepared (vrtc_smear_prepare)");
			return -ENODATA;
		} else {
			ret = smear_base_choose(cfg->smear);
			if (ret != 0)
				return ret;
			smearing = VRTC_RTC_SMEAR_NOON_LINEAR;
		}
	}
	/* Fail now rather than on the first guest request. */
	ret = ops->read((void *)(uintptr_t)cfg, &ns);
	if (ret != 0) {
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_ERR, "%s clock: read failed: %s",
			 host_name[which], strerror(-ret));
		return ret;
	}
	clock->type = host_type[which];
	clock->smearing = smearing;
	clock->ops = ops;
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
	else if (strcmp(name, "smeared") == 0)
		*which = VRTC_HOST_CLOCK_UTC_SMEARED;
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
	struct vrtc_leap_table *t;
	int have_expiry;
};

/* One line (NUL-terminated, newline included or not). 0 or -EINVAL. */
static int
leap_line(struct leap_parse *lp, const char *line)
{
	struct vrtc_leap_table *lt = lp->t;
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
		lt->expires_s = (int64_t)ntp - NTP_UNIX_DELTA_S;
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
	if (lt->nb > 0 && t <= lt->e[lt->nb - 1].utc_s)
		return -EINVAL;
	if (lt->nb == VRTC_LEAP_TABLE_MAX)
		return -EINVAL;
	lt->e[lt->nb].utc_s = t;
	lt->e[lt->nb].offset_s = (int32_t)off;
	lt->nb++;
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
vrtc_leap_table_load(const char *path, struct vrtc_leap_table *t)
{
	struct leap_parse lp = { .t = t };
	char line[LEAP_LINE_MAX];
	int ret = 0;
	FILE *f;

	if (path == NULL || t == NULL)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
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
		ret = leap_line(&lp, line);
		if (ret != 0)
			break;
	}
	if (ret == 0 && ferror(f))
		ret = -EIO;
	fclose(f);
	if (ret == 0 && t->nb == 0)
		ret = -EINVAL;
	return ret;
}

int
vrtc_leap_table_offset(const char *path, int64_t unix_s, int *offset_s,
		       int64_t *expires_unix_s)
{
	struct vrtc_leap_table *t;
	int ret;

	if (path == NULL || offset_s == NULL)
		return -EINVAL;
	t = malloc(sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	ret = vrtc_leap_table_load(path, t);
	if (ret == 0)
		ret = vrtc_leap_table_lookup(t, unix_s, offset_s, NULL);
	if (ret == 0 && expires_unix_s != NULL)
		*expires_unix_s = t->expires_s;
	free(t);
	return ret;
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
	if (cfg->smear != NULL) {
		/* The device's table, parsed once for the smear and this. */
		ret = vrtc_leap_table_lookup(&cfg->smear->table, (int64_t)now.tv_sec, offset_s,
					     NULL);
		expires = cfg->smear->table.expires_s;
	} else {
		ret = vrtc_leap_table_offset(path, (int64_t)now.tv_sec, offset_s, &expires);
	}
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
	int off = 0, ret, source;

	if (cfg == NULL || offset_s == NULL)
		return -EINVAL;
	if (cfg->tai_offset_s >= 0) {
		source = TAI_SOURCE_OPERATOR;
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
			source = TAI_SOURCE_KERNEL;
			vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_NOTICE,
				 "TAI-UTC = %d s from the kernel (adjtimex)", off);
		} else {
			source = TAI_SOURCE_TABLE;
			ret = table_tai_offset(cfg, &off);
			if (ret != 0)
				return ret;
		}
	}
	/* Relaxed stores: each value is read atomically on its own, and a
	 * poller racing a re-resolve may use either the old or new offset. */
	__atomic_store_n(&tai_offset_ns, (int64_t)off * (int64_t)NS_PER_S, __ATOMIC_RELAXED);
	__atomic_store_n(&tai_source, source, __ATOMIC_RELAXED);
	__atomic_store_n(&tai_resolved, 1, __ATOMIC_RELAXED);
	*offset_s = off;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The smeared clock                                                        */
/* ------------------------------------------------------------------------ */

static const char *const source_name[] = {
	[TAI_SOURCE_OPERATOR] = "CLOCK_REALTIME + the operator's TAI-UTC",
	[TAI_SOURCE_KERNEL] = "the kernel's CLOCK_TAI",
	[TAI_SOURCE_TABLE] = "CLOCK_REALTIME + the table's TAI-UTC",
};

int
vrtc_smear_prepare(struct vrtc_host_clock_cfg *cfg)
{
	struct vrtc_smear_state *st;
	struct timespec now;
	char date[32] = "never";
	const char *path;
	int ret;

	if (cfg == NULL)
		return -EINVAL;
	if (cfg->smear_host) {
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_NOTICE,
			 "smeared clock: the host's CLOCK_REALTIME, passed through (smear=host: "
			 "the host smears leap seconds itself)");
		return 0;
	}
	if (cfg->smear != NULL)
		return 0;
	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		return -errno;
	path = cfg->leap_seconds_file != NULL ? cfg->leap_seconds_file : VRTC_LEAP_SECONDS_FILE;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -ENOMEM;
	snprintf(st->path, sizeof(st->path), "%s", path);
	ret = vrtc_leap_table_load(path, &st->table);
	if (ret == 0)
		ret = vrtc_smear_init(&st->smear, &st->table);
	if (ret != 0) {
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_ERR,
			 "smeared clock: leap-second table %s unusable (%s); smearing needs it "
			 "(install tzdata, or smear=host when the host smears itself)",
			 path, ret == -ENOENT ? "cannot open" : strerror(-ret));
		free(st);
		return ret;
	}
	if (st->table.expires_s != 0) {
		fmt_date(st->table.expires_s, date, sizeof(date));
		if ((int64_t)now.tv_sec >= st->table.expires_s) {
			st->expired_warned = 1;
			vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_WARNING,
				 "smeared clock: leap-second table %s expired on %s; a leap "
				 "second announced since will not be smeared (update tzdata)",
				 path, date);
		}
	}
	vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_NOTICE,
		 "smeared clock: leap-second table %s (%u leaps, expiry %s)", path,
		 st->smear.nb, date);
	cfg->smear = st;
	return 0;
}

/* The smeared clock's TAI base, once TAI - UTC is resolved: its source. */
static int
smear_base_choose(struct vrtc_smear_state *st)
{
	struct timespec now;
	int off;

	if (!__atomic_load_n(&tai_resolved, __ATOMIC_RELAXED)) {
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_ERR,
			 "smeared clock: TAI-UTC offset not resolved (vrtc_tai_offset_resolve)");
		return -ENODATA;
	}
	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		return -errno;
	__atomic_store_n(&st->source, __atomic_load_n(&tai_source, __ATOMIC_RELAXED),
			 __ATOMIC_RELAXED);
	if (vrtc_leap_table_lookup(&st->table, (int64_t)now.tv_sec, &off, NULL) == 0 &&
	    (int64_t)off * (int64_t)NS_PER_S != tai_offset_now())
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_WARNING,
			 "smeared clock: TAI-UTC is %" PRId64 " s but the table %s says %d s now; "
			 "the smeared clock is off by the difference",
			 tai_offset_now() / (int64_t)NS_PER_S, st->path, off);
	vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_NOTICE,
		 "smeared clock: noon-to-noon linear leap smearing of %s",
		 source_name[st->source]);
	return 0;
}

void
vrtc_host_clock_cfg_fini(struct vrtc_host_clock_cfg *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->smear);
	cfg->smear = NULL;
}
