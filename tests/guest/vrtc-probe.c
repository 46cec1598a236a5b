/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * vrtc-probe: the real-guest tests' helper, one static binary for both sides.
 *
 * Guest side (in the busybox initramfs):
 *   vrtc-probe sample [--ref-utc S.N --ref-mono S.N --tai-offset S] NAME:DEV...
 *       Read each PTP clock once (clock_gettime on FD_TO_CLOCKID(fd)) and print
 *       "SAMPLE name=NAME dev=DEV ptp=S.N" at once, so that the host stamps the
 *       line with its own clocks on arrival (exact check, see "hostcheck").
 *       With the references, also check in the guest that each reading is
 *       within 1 s of the host's clock, estimated from the guest's CLOCK_REALTIME
 *       (set from the RTC CMOS, which QEMU sets from host UTC, truncated to the
 *       second: the guest lags the host by [0, 1) s), so the reading minus that
 *       estimate must lie in [-1, +2] s. NAME is utc, tai, mono or smeared:
 *         utc  ~ guest CLOCK_REALTIME (smeared too: it equals UTC outside
 *                the day around a leap second)
 *         tai  ~ guest CLOCK_REALTIME + tai-offset
 *         mono ~ ref-mono + (guest CLOCK_REALTIME - ref-utc)  (the host's
 *                monotonic clock advances with its UTC; the refs are one
 *                host instant, passed on the kernel command line)
 *   vrtc-probe reads [-n N] NAME:DEV...
 *       N back-to-back reads of each clock: readings must never decrease;
 *       prints "TIMING ptp NAME us_per_read=MEAN median_batch=..." (the N
 *       reads in 20 batches: the median batch is robust against host
 *       scheduling hiccups) and a CHECK line.
 *   vrtc-probe taiutc UTCDEV TAIDEV OFFSET
 *       TAI - UTC read back to back equals OFFSET seconds (within the read time).
 *   vrtc-probe entropy FILE
 *       The bytes look random: byte-histogram chi-square within [150, 400]
 *       (255 degrees of freedom) and no repeated 16-byte block.
 *   vrtc-probe rtcread RTCDEV utc:PTPDEV
 *       RTC_RD_TIME on the RTC class device (whole seconds) between two reads
 *       of the UTC PTP clock (host UTC): the RTC's second must be within 1 s of
 *       them (check rtc.class.rd_time); also a "SAMPLE name=rtc" line for the
 *       host's own comparison.
 *   vrtc-probe alarm RTCDEV NAME:PTPDEV [--in S | --at UTC_S] [--until UTC_S]
 *                    [--max-late S] [--check CHECKNAME]
 *       An alarm through the RTC interface: RTC_WKALM_SET (time T = RTC time +
 *       S, or the absolute second UTC_S; enabled 0), then RTC_AIE_ON, then
 *       poll() + read() on RTCDEV for the alarm interrupt. Each interrupt is
 *       printed at once as "ALARM-FIRED" with the alarm clock's PTP reading
 *       (NAME:PTPDEV, the clock the alarm is on) minus T: the lateness. Without
 *       --until it stops at the first interrupt (or 60 s of the alarm clock
 *       past T); with it, it keeps counting interrupts until the alarm clock
 *       reads UTC_S. The check passes with exactly one interrupt, carrying
 *       RTC_AF, its lateness in [0, max-late] (default 5 s). Prints
 *       "ALARM-SET" when the alarm is armed and "ALARM-END" at the end (the
 *       host stamps both: stop/cont and the two-guest test use them).
 *
 * Host side:
 *   vrtc-probe now              "utc=S.N mono=S.N", one instant
 *   vrtc-probe stamp            copy stdin to stdout, each line prefixed with
 *                               "@H utc=S.N mono=S.N @ " at its arrival
 *   vrtc-probe hostcheck --tai-offset S [--prefix P] < stamped-log
 *       For every SAMPLE line: host clock at arrival minus the reading must be
 *       within 1 s (it is >= 0 and small for a correct device: the line is
 *       printed right after the read). Prints one CHECK line per sample.
 *
 * Every check prints "CHECK PASS|FAIL name detail" on one line. Exit status:
 * 0 when all checks passed, 1 on a failed check, 2 on a usage error.
 * Build: gcc -O2 -static -o vrtc-probe vrtc-probe.c
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/rtc.h>

#define CLOCKFD 3
#define FD_TO_CLOCKID(fd) ((~(clockid_t)(fd) << 3) | CLOCKFD)
#define NS ((int64_t)1000000000)

static int failed;

static void
check(int ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("CHECK %s %s ", ok ? "PASS" : "FAIL", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failed = 1;
}

static int64_t
ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * NS + t->tv_nsec;
}

static int64_t
now_ns(clockid_t c)
{
	struct timespec t;

	if (clock_gettime(c, &t) != 0)
		return INT64_MIN;
	return ts_ns(&t);
}

/* "S.N" (N up to 9 digits, optional sign) -> ns; -1 on error */
static int
parse_sn(const char *s, int64_t *out)
{
	int neg = 0, digits = 0;
	int64_t sec = 0, frac = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9')
		sec = sec * 10 + (*s++ - '0');
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			if (digits < 9) {
				frac = frac * 10 + (*s - '0');
				digits++;
			}
			s++;
		}
	}
	if (*s != '\0' && *s != ' ' && *s != '\n')
		return -1;
	while (digits++ < 9)
		frac *= 10;
	*out = (neg ? -1 : 1) * (sec * NS + frac);
	return 0;
}

static const char *
fmt_sn(int64_t ns, char *buf, size_t len)
{
	const char *sign = ns < 0 ? "-" : "";
	uint64_t a = ns < 0 ? (uint64_t)-ns : (uint64_t)ns;

	snprintf(buf, len, "%s%" PRIu64 ".%09" PRIu64, sign, a / NS, a % NS);
	return buf;
}

struct clk {
	const char *name;
	const char *dev;
	int fd;
	clockid_t id;
};

static int
open_clk(const char *arg, struct clk *c)
{
	const char *colon = strchr(arg, ':');

	if (colon == NULL) {
		fprintf(stderr, "vrtc-probe: expected NAME:DEV, got '%s'\n", arg);
		return -1;
	}
	c->name = strndup(arg, (size_t)(colon - arg));
	c->dev = colon + 1;
	c->fd = open(c->dev, O_RDONLY);
	if (c->fd < 0) {
		check(0, "rtc.open", "%s (%s): %s", c->dev, c->name, strerror(errno));
		return -1;
	}
	c->id = FD_TO_CLOCKID(c->fd);
	return 0;
}

static int
cmd_sample(int argc, char **argv)
{
	int64_t ref_utc = 0, ref_mono = 0, tai = 37 * NS;
	int have_ref = 0, i;
	char b1[40], b2[40];

	for (i = 0; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		int64_t *dst = strcmp(argv[i], "--ref-utc") == 0	   ? &ref_utc
			       : strcmp(argv[i], "--ref-mono") == 0   ? &ref_mono
			       : strcmp(argv[i], "--tai-offset") == 0 ? &tai
								      : NULL;
		if (dst == NULL || i + 1 >= argc || parse_sn(argv[i + 1], dst) != 0) {
			fprintf(stderr, "vrtc-probe sample: bad option %s\n", argv[i]);
			return 2;
		}
		if (dst != &tai)
			have_ref++;
	}
	for (; i < argc; i++) {
		struct clk c;
		struct timespec p;
		int64_t rt, v, est, d;
		char name[64];

		if (open_clk(argv[i], &c) != 0)
			continue;
		if (clock_gettime(c.id, &p) != 0) {
			snprintf(name, sizeof(name), "rtc.read.%s", c.name);
			check(0, name, "%s: clock_gettime: %s", c.dev, strerror(errno));
			close(c.fd);
			continue;
		}
		rt = now_ns(CLOCK_REALTIME);
		v = ts_ns(&p);
		printf("SAMPLE name=%s dev=%s ptp=%s\n", c.name, c.dev, fmt_sn(v, b1, sizeof(b1)));
		fflush(stdout);
		close(c.fd);
		if (have_ref < 2)
			continue;
		/* smeared = UTC outside the day around a leap second (none near
		 * in the current table) */
		if (strcmp(c.name, "utc") == 0 || strcmp(c.name, "smeared") == 0)
			est = rt;
		else if (strcmp(c.name, "tai") == 0)
			est = rt + tai;
		else if (strcmp(c.name, "mono") == 0)
			est = ref_mono + (rt - ref_utc);
		else
			continue;
		d = v - est;
		snprintf(name, sizeof(name), "rtc.guest.%s", c.name);
		check(d >= -NS && d <= 2 * NS, name,
		      "%s reading - host estimate (guest realtime-based, lags host by [0,1) s) = %ss, "
		      "accepted [-1, +2] s (reading %s)",
		      c.dev, fmt_sn(d, b2, sizeof(b2)), fmt_sn(v, b1, sizeof(b1)));
	}
	return failed;
}

#define NBATCH 20

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
cmd_reads(int argc, char **argv)
{
	long n = 10000;
	int i = 0;

	if (argc >= 2 && strcmp(argv[0], "-n") == 0) {
		n = strtol(argv[1], NULL, 10);
		i = 2;
	}
	if (n < 2) {
		fprintf(stderr, "vrtc-probe reads: -n must be >= 2\n");
		return 2;
	}
	for (; i < argc; i++) {
		struct clk c;
		struct timespec p;
		int64_t prev = INT64_MIN, v, back = 0, worst = 0, t0, t1, tb, maxstep = 0;
		double batch[NBATCH];
		long k, errs = 0, per = n / NBATCH, nb = 0;
		char name[64], b1[40];

		if (open_clk(argv[i], &c) != 0)
			continue;
		t0 = now_ns(CLOCK_MONOTONIC);
		tb = t0;
		for (k = 0; k < n; k++) {
			if (per > 0 && k > 0 && k % per == 0 && nb < NBATCH) {
				int64_t t = now_ns(CLOCK_MONOTONIC);

				batch[nb++] = (double)(t - tb) / 1e3 / (double)per;
				tb = t;
			}
			if (clock_gettime(c.id, &p) != 0) {
				errs++;
				continue;
			}
			v = ts_ns(&p);
			if (prev != INT64_MIN) {
				if (v < prev) {
					back++;
					if (prev - v > worst)
						worst = prev - v;
				} else if (v - prev > maxstep) {
					maxstep = v - prev;
				}
			}
			prev = v;
		}
		t1 = now_ns(CLOCK_MONOTONIC);
		close(c.fd);
		if (per > 0 && nb < NBATCH) {
			batch[nb] = (double)(t1 - tb) / 1e3 / (double)(n - nb * per);
			nb++;
		}
		qsort(batch, (size_t)nb, sizeof(batch[0]), cmp_double);
		printf("TIMING ptp %s dev=%s reads=%ld us_per_read=%.2f median_batch=%.2f "
		       "min_batch=%.2f max_batch=%.2f (%ld batches)\n",
		       c.name, c.dev, n, (double)(t1 - t0) / 1e3 / (double)n,
		       nb ? batch[nb / 2] : 0.0, nb ? batch[0] : 0.0, nb ? batch[nb - 1] : 0.0, nb);
		snprintf(name, sizeof(name), "rtc.nondecreasing.%s", c.name);
		check(errs == 0 && back == 0, name,
		      "%s: %ld reads, %ld errors, %" PRId64 " backward steps (worst %s s), "
		      "largest forward step %.1f us",
		      c.dev, n, errs, back, fmt_sn(-worst, b1, sizeof(b1)), (double)maxstep / 1e3);
	}
	return failed;
}

static int
cmd_taiutc(int argc, char **argv)
{
	struct clk u, t;
	struct timespec a, b, c;
	int64_t off, d, half;
	char b1[40], b2[40];

	if (argc != 3 || parse_sn(argv[2], &off) != 0) {
		fprintf(stderr, "vrtc-probe taiutc utc:UTCDEV tai:TAIDEV OFFSET\n");
		return 2;
	}
	if (open_clk(argv[0], &u) != 0 || open_clk(argv[1], &t) != 0)
		return 1;
	if (clock_gettime(u.id, &a) != 0 || clock_gettime(t.id, &b) != 0 ||
	    clock_gettime(u.id, &c) != 0) {
		check(0, "rtc.tai_minus_utc", "clock_gettime: %s", strerror(errno));
		return 1;
	}
	half = (ts_ns(&c) - ts_ns(&a)) / 2;
	d = ts_ns(&b) - (ts_ns(&a) + half) - off;
	check(d >= -half - 1000000 && d <= half + 1000000, "rtc.tai_minus_utc",
	      "%s - %s = offset %s s %+.3f ms (accepted: within half the read span + 1 ms = %.3f ms)",
	      t.dev, u.dev, fmt_sn(off, b1, sizeof(b1)), (double)d / 1e6, (double)(half + 1000000) / 1e6);
	(void)b2;
	close(u.fd);
	close(t.fd);
	return failed;
}

static int
cmd_entropy(int argc, char **argv)
{
	static unsigned char buf[16 << 20];
	uint64_t hist[256] = { 0 };
	size_t len = 0, i, nblk, dups = 0;
	double chi2 = 0, expect;
	uint64_t *tab;
	size_t tabsz;
	FILE *f;

	if (argc != 1) {
		fprintf(stderr, "vrtc-probe entropy FILE\n");
		return 2;
	}
	f = fopen(argv[0], "rb");
	if (f == NULL) {
		check(0, "rng.random", "%s: %s", argv[0], strerror(errno));
		return 1;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (len < 65536) {
		check(0, "rng.random", "%s: only %zu bytes (need >= 64 KiB)", argv[0], len);
		return 1;
	}
	for (i = 0; i < len; i++)
		hist[buf[i]]++;
	expect = (double)len / 256;
	for (i = 0; i < 256; i++)
		chi2 += ((double)hist[i] - expect) * ((double)hist[i] - expect) / expect;
	/* repeated 16-byte blocks: open addressing on the first 8 bytes */
	nblk = len / 16;
	for (tabsz = 1; tabsz < 2 * nblk; tabsz <<= 1)
		;
	tab = calloc(tabsz, sizeof(*tab)); /* block index + 1 */
	if (tab == NULL) {
		check(0, "rng.random", "out of memory");
		return 1;
	}
	for (i = 0; i < nblk; i++) {
		uint64_t k;
		size_t h;

		memcpy(&k, buf + 16 * i, 8);
		h = (size_t)((k * 0x9E3779B97F4A7C15ULL) >> 20) & (tabsz - 1);
		while (tab[h] != 0) {
			if (memcmp(buf + 16 * (tab[h] - 1), buf + 16 * i, 16) == 0) {
				dups++;
				break;
			}
			h = (h + 1) & (tabsz - 1);
		}
		if (tab[h] == 0)
			tab[h] = i + 1;
	}
	free(tab);
	check(chi2 >= 150 && chi2 <= 400 && dups == 0, "rng.random",
	      "%zu bytes: byte chi-square %.1f (255 dof; accepted [150, 400]), %zu repeated "
	      "16-byte blocks of %zu",
	      len, chi2, dups, nblk);
	return failed;
}

/* RTC_RD_TIME as seconds since the epoch (the RTC class device counts UTC) */
static int
rtc_read_s(int fd, int64_t *sec)
{
	struct rtc_time rt;
	struct tm tm;

	memset(&rt, 0, sizeof(rt));
	if (ioctl(fd, RTC_RD_TIME, &rt) != 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_sec = rt.tm_sec;
	tm.tm_min = rt.tm_min;
	tm.tm_hour = rt.tm_hour;
	tm.tm_mday = rt.tm_mday;
	tm.tm_mon = rt.tm_mon;
	tm.tm_year = rt.tm_year;
	*sec = (int64_t)timegm(&tm);
	return 0;
}

static int
cmd_rtcread(int argc, char **argv)
{
	struct clk u;
	int64_t u1, u2, s;
	char b1[40], b2[40], b3[40];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "vrtc-probe rtcread RTCDEV utc:PTPDEV\n");
		return 2;
	}
	fd = open(argv[0], O_RDONLY);
	if (fd < 0) {
		check(0, "rtc.class.rd_time", "%s: %s", argv[0], strerror(errno));
		return 1;
	}
	if (open_clk(argv[1], &u) != 0)
		return 1;
	u1 = now_ns(u.id);
	if (rtc_read_s(fd, &s) != 0) {
		check(0, "rtc.class.rd_time", "%s: RTC_RD_TIME: %s", argv[0], strerror(errno));
		return 1;
	}
	u2 = now_ns(u.id);
	printf("SAMPLE name=rtc dev=%s ptp=%" PRId64 ".000000000\n", argv[0], s);
	fflush(stdout);
	/* a correct RTC reads floor(UTC) at an instant in [u1, u2] */
	check(u1 != INT64_MIN && u2 != INT64_MIN && s * NS > u1 - NS && s * NS <= u2,
	      "rtc.class.rd_time",
	      "%s RTC_RD_TIME %" PRId64 " s (%s) vs %s before / %s after: RTC - UTC = %s s "
	      "(accepted (-1, 0] s plus the read time: the RTC counts whole seconds)",
	      argv[0], s, fmt_sn(s * NS, b1, sizeof(b1)), u.dev, fmt_sn(u1, b2, sizeof(b2)),
	      fmt_sn(s * NS - u1, b3, sizeof(b3)));
	close(fd);
	close(u.fd);
	return failed;
}

static int
cmd_alarm(int argc, char **argv)
{
	int64_t in = 2, at = -1, until = -1, max_late = 5 * NS, now_s, t, first_late = INT64_MIN;
	const char *chk = "rtc.alarm";
	unsigned long irqs = 0, reads = 0, flags_all = 0;
	struct rtc_wkalrm wk;
	struct clk c;
	char b1[40], b2[40];
	struct tm tm;
	time_t tt;
	int fd, i, counting;

	if (argc < 2)
		goto usage;
	for (i = 2; i < argc; i += 2) {
		int64_t v;

		if (i + 1 >= argc)
			goto usage;
		if (strcmp(argv[i], "--check") == 0) {
			chk = argv[i + 1];
			continue;
		}
		if (parse_sn(argv[i + 1], &v) != 0)
			goto usage;
		if (strcmp(argv[i], "--in") == 0)
			in = v / NS;
		else if (strcmp(argv[i], "--at") == 0)
			at = v / NS;
		else if (strcmp(argv[i], "--until") == 0)
			until = v;
		else if (strcmp(argv[i], "--max-late") == 0)
			max_late = v;
		else
			goto usage;
	}
	fd = open(argv[0], O_RDONLY);
	if (fd < 0) {
		check(0, chk, "%s: %s", argv[0], strerror(errno));
		return 1;
	}
	if (open_clk(argv[1], &c) != 0)
		return 1;
	if (rtc_read_s(fd, &now_s) != 0) {
		check(0, chk, "%s: RTC_RD_TIME: %s", argv[0], strerror(errno));
		return 1;
	}
	t = at >= 0 ? at : now_s + in;
	if (t <= now_s) {
		check(0, chk, "%s: alarm time %" PRId64 " is not after the RTC's %" PRId64
			      " (this step came too late)", argv[0], t, now_s);
		return 1;
	}
	counting = until >= 0;
	if (!counting)
		until = (t + 60) * NS;
	tt = (time_t)t;
	memset(&wk, 0, sizeof(wk));
	gmtime_r(&tt, &tm);
	wk.enabled = 0;
	wk.time.tm_sec = tm.tm_sec;
	wk.time.tm_min = tm.tm_min;
	wk.time.tm_hour = tm.tm_hour;
	wk.time.tm_mday = tm.tm_mday;
	wk.time.tm_mon = tm.tm_mon;
	wk.time.tm_year = tm.tm_year;
	wk.time.tm_wday = -1;
	wk.time.tm_yday = -1;
	wk.time.tm_isdst = -1;
	if (ioctl(fd, RTC_WKALM_SET, &wk) != 0) {
		check(0, chk, "%s: RTC_WKALM_SET %" PRId64 ": %s", argv[0], t, strerror(errno));
		return 1;
	}
	if (ioctl(fd, RTC_AIE_ON, 0) != 0) {
		check(0, chk, "%s: RTC_AIE_ON: %s", argv[0], strerror(errno));
		return 1;
	}
	printf("ALARM-SET check=%s dev=%s clock=%s at=%" PRId64 " rtc_now=%" PRId64 "\n", chk,
	       argv[0], c.name, t, now_s);
	fflush(stdout);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t now = now_ns(c.id), left = until - now, late;
		unsigned long data;
		int r;

		if (now == INT64_MIN || left <= 0)
			break;
		if (irqs > 0 && !counting)
			break; /* the first interrupt ends a plain alarm */
		r = poll(&pfd, 1, (int)(left / 1000000 + 1));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			check(0, chk, "%s: poll: %s", argv[0], strerror(errno));
			return 1;
		}
		if (r == 0)
			continue;
		if (read(fd, &data, sizeof(data)) != (ssize_t)sizeof(data)) {
			check(0, chk, "%s: read: %s", argv[0], strerror(errno));
			return 1;
		}
		now = now_ns(c.id);
		late = now - t * NS;
		reads++;
		irqs += data >> 8;
		flags_all |= data & 0xff;
		if (first_late == INT64_MIN)
			first_late = late;
		printf("ALARM-FIRED check=%s dev=%s at=%" PRId64 " %s=%s late_ms=%.3f irqs=%lu "
		       "flags=0x%02lx\n",
		       chk, argv[0], t, c.name, fmt_sn(now, b1, sizeof(b1)), (double)late / 1e6,
		       data >> 8, data & 0xff);
		fflush(stdout);
	}
	ioctl(fd, RTC_AIE_OFF, 0);
	printf("ALARM-END check=%s dev=%s at=%" PRId64 " reads=%lu irqs=%lu\n", chk, argv[0], t,
	       reads, irqs);
	fflush(stdout);
	if (first_late == INT64_MIN)
		check(0, chk, "%s: no alarm interrupt for the alarm at %" PRId64 " (waited until %s "
			      "on %s)", argv[0], t, fmt_sn(until, b1, sizeof(b1)), c.dev);
	else
		check(irqs == 1 && reads == 1 && (flags_all & RTC_AF) && first_late >= 0 &&
			      first_late <= max_late,
		      chk,
		      "%s: alarm at %" PRId64 ": %lu interrupt(s) in %lu read(s) (expected 1), flags "
		      "0x%02lx (RTC_AF expected), lateness %.3f ms on %s (accepted [0, %s] s)",
		      argv[0], t, irqs, reads, flags_all, (double)first_late / 1e6, c.dev,
		      fmt_sn(max_late, b2, sizeof(b2)));
	close(fd);
	close(c.fd);
	return failed;
usage:
	fprintf(stderr, "vrtc-probe alarm RTCDEV NAME:PTPDEV [--in S | --at UTC_S] [--until UTC_S] "
			"[--max-late S] [--check NAME]\n");
	return 2;
}

static int
cmd_now(void)
{
	struct timespec u, m;
	char b1[40], b2[40];

	clock_gettime(CLOCK_REALTIME, &u);
	clock_gettime(CLOCK_MONOTONIC, &m);
	printf("utc=%s mono=%s\n", fmt_sn(ts_ns(&u), b1, sizeof(b1)), fmt_sn(ts_ns(&m), b2, sizeof(b2)));
	return 0;
}

static int
cmd_stamp(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	char b1[40], b2[40];

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		int64_t u = now_ns(CLOCK_REALTIME), m = now_ns(CLOCK_MONOTONIC);

		printf("@H utc=%s mono=%s @ %s%s", fmt_sn(u, b1, sizeof(b1)),
		       fmt_sn(m, b2, sizeof(b2)), line, line[n - 1] == '\n' ? "" : "\n");
	}
	free(line);
	return 0;
}

static int
cmd_hostcheck(int argc, char **argv)
{
	int64_t tai = 37 * NS;
	const char *prefix = "";
	char *line = NULL;
	size_t cap = 0;
	int i, samples = 0;

	for (i = 0; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--tai-offset") == 0 && parse_sn(argv[i + 1], &tai) == 0)
			continue;
		if (strcmp(argv[i], "--prefix") == 0) {
			prefix = argv[i + 1];
			continue;
		}
		fprintf(stderr, "vrtc-probe hostcheck: bad option %s\n", argv[i]);
		return 2;
	}
	if (i != argc) {
		fprintf(stderr, "vrtc-probe hostcheck [--tai-offset S] [--prefix P] < stamped-log\n");
		return 2;
	}
	while (getline(&line, &cap, stdin) > 0) {
		char *u = strstr(line, "@H utc="), *m = strstr(line, " mono="), *s = strstr(line, "SAMPLE name=");
		char name[32] = "", dev[64] = "", val[40] = "", chk[96], b1[40], b2[40];
		int64_t hu, hm, v, ref, d;

		if (u == NULL || m == NULL || s == NULL)
			continue;
		if (parse_sn(u + 7, &hu) != 0 || parse_sn(m + 6, &hm) != 0 ||
		    sscanf(s, "SAMPLE name=%31s dev=%63s ptp=%39s", name, dev, val) != 3 ||
		    parse_sn(val, &v) != 0)
			continue;
		if (strcmp(name, "rtc") == 0) {
			/* RTC_RD_TIME: whole seconds, floor(UTC) at the read */
			samples++;
			d = hu - v;
			snprintf(chk, sizeof(chk), "%srtc.host.rtc", prefix);
			check(d > -NS / 10 && d < 3 * NS / 2, chk,
			      "%s: host UTC when the line arrived - RTC_RD_TIME = %ss (accepted "
			      "(-0.1, 1.5) s: the RTC truncates to the second, plus the console's "
			      "latency; reading %s)",
			      dev, fmt_sn(d, b1, sizeof(b1)), fmt_sn(v, b2, sizeof(b2)));
			continue;
		}
		if (strcmp(name, "utc") == 0 || strcmp(name, "smeared") == 0)
			ref = hu;
		else if (strcmp(name, "tai") == 0)
			ref = hu + tai;
		else if (strcmp(name, "mono") == 0)
			ref = hm;
		else
			continue;
		samples++;
		d = ref - v;
		snprintf(chk, sizeof(chk), "%srtc.host.%s", prefix, name);
		check(d > -NS && d < NS, chk,
		      "%s: host %s clock when the line arrived - guest reading = %ss (accepted |d| < 1 s; "
		      "reading %s)",
		      dev, name, fmt_sn(d, b1, sizeof(b1)), fmt_sn(v, b2, sizeof(b2)));
	}
	free(line);
	if (samples == 0) {
		check(0, "rtc.host", "%sno SAMPLE line in the console log", prefix);
		return 1;
	}
	return failed;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	if (strcmp(argv[1], "sample") == 0)
		return cmd_sample(argc - 2, argv + 2);
	if (strcmp(argv[1], "reads") == 0)
		return cmd_reads(argc - 2, argv + 2);
	if (strcmp(argv[1], "taiutc") == 0)
		return cmd_taiutc(argc - 2, argv + 2);
	if (strcmp(argv[1], "entropy") == 0)
		return cmd_entropy(argc - 2, argv + 2);
	if (strcmp(argv[1], "rtcread") == 0)
		return cmd_rtcread(argc - 2, argv + 2);
	if (strcmp(argv[1], "alarm") == 0)
		return cmd_alarm(argc - 2, argv + 2);
	if (strcmp(argv[1], "now") == 0)
		return cmd_now();
	if (strcmp(argv[1], "stamp") == 0)
		return cmd_stamp();
	if (strcmp(argv[1], "hostcheck") == 0)
		return cmd_hostcheck(argc - 2, argv + 2);
usage:
	fprintf(stderr, "usage: vrtc-probe sample|reads|taiutc|entropy|rtcread|alarm|now|stamp|hostcheck ...\n"
			"(see the comment at the top of tests/guest/vrtc-probe.c)\n");
	return 2;
}
