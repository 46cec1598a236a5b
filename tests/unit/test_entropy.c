/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Tests of lib/virtio_rtc/entropy.c: every source this machine has (drbg
 * and getrandom always; rdseed and rdrand when the CPU offers them, else a
 * case says it skipped them), fill lengths around word and request
 * boundaries, a statistical sanity check, the DRBG reseed policy, names.
 *
 * The statistics here catch gross breakage (a constant, a counter, a
 * stuck generator, a skipped tail), not subtle bias; quality is OpenSSL's,
 * the kernel's and the CPU's business.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "entropy.h"
#include "log.h"
#include "platform.h"
#include "test.h"

#define PATTERN 0xa5
#define GUARD 64
#define MIB (1024u * 1024u)

/*
 * Byte-histogram chi-square bounds, 255 degrees of freedom: outside
 * (161.65, 377.08) has probability 1e-6 on each side for uniform random
 * bytes (bounds from the regularised incomplete gamma function). Too low
 * is as suspicious as too high: a counter gives a perfectly flat histogram.
 */
#define CHI2_LOW 161.65
#define CHI2_HIGH 377.08

static const size_t fill_lengths[] = {0, 1, 7, 8, 9, 63, 64, 4096, 65536, 65537, MIB};

/* Log capture: count entropy messages at warning level or worse. */
static unsigned int nb_warnings;

static void
count_sink(enum vrtc_log_component comp, enum vrtc_log_level level, const char *msg)
{
	(void)msg;
	if (comp == VRTC_LOGC_ENTROPY && level <= VRTC_LOG_WARNING)
		nb_warnings++;
}

/*
 * RDSEED runs dry when the host's cores draw from it (0.02 to 0.2 MB/s on a
 * loaded VM), and vrtc_entropy_fill() then gives -EAGAIN after its own
 * budget of retries: that is its contract, not a failure. For RDSEED only,
 * a fill that gives -EAGAIN is tried again after a short sleep, for at most
 * RDSEED_RETRY_MAX attempts per fill; each -EAGAIN is counted in
 * rdseed_dry so the checks of the source's error counter can subtract
 * them. Every other kind, and every other error, fails at once.
 */
#define RDSEED_RETRY_MAX 2000
#define RDSEED_RETRY_SLEEP_NS (500 * 1000)

static uint64_t rdseed_dry;

static int
fill_tolerant(struct vrtc_entropy *e, void *buf, size_t len)
{
	const struct timespec pause = {.tv_sec = 0, .tv_nsec = RDSEED_RETRY_SLEEP_NS};
	unsigned int tries = 0;
	int rc;

	for (;;) {
		rc = vrtc_entropy_fill(e, buf, len);
		if (rc != -EAGAIN || vrtc_entropy_kind_of(e) != VRTC_ENTROPY_RDSEED ||
		    ++tries >= RDSEED_RETRY_MAX)
			return rc;
		rdseed_dry++;
		nanosleep(&pause, NULL);
	}
}

/* Create @p kind, or say why not; drbg and getrandom must always work. */
static struct vrtc_entropy *
make(enum vrtc_entropy_kind kind, const struct vrtc_entropy_params *params)
{
	struct vrtc_entropy *e = NULL;
	int rc;

	if (kind == VRTC_ENTROPY_RDSEED || kind == VRTC_ENTROPY_RDRAND) {
		if (!vrtc_entropy_available(kind)) {
			printf("     skip %s: not available on this CPU\n",
			       vrtc_entropy_kind_name(kind));
			return NULL;
		}
	}
	rc = vrtc_entropy_create(kind, params, &e);
	if (rc != 0 || e == NULL) {
		T_FAIL_AT("create %s: %d", vrtc_entropy_kind_name(kind), rc);
		return NULL;
	}
	return e;
}

static void
test_kind_names(void)
{
	static const char *const bad[] = {"", "DRBG", "drbg ", " drbg", "rdrand64", "urandom",
					  "getrandom\n", "rd"};
	enum vrtc_entropy_kind k, parsed;
	size_t i;

	for (k = 0; k < VRTC_ENTROPY_KIND_COUNT; k++) {
		const char *name = vrtc_entropy_kind_name(k);

		T_CHECK(name != NULL && strcmp(name, "?") != 0);
		parsed = VRTC_ENTROPY_KIND_COUNT;
		T_EQ_INT(vrtc_entropy_kind_parse(name, &parsed), 0);
		T_EQ(parsed, k);
	}
	T_CHECK(strcmp(vrtc_entropy_kind_name(VRTC_ENTROPY_DRBG), "drbg") == 0);
	T_CHECK(strcmp(vrtc_entropy_kind_name(VRTC_ENTROPY_GETRANDOM), "getrandom") == 0);
	T_CHECK(strcmp(vrtc_entropy_kind_name(VRTC_ENTROPY_RDSEED), "rdseed") == 0);
	T_CHECK(strcmp(vrtc_entropy_kind_name(VRTC_ENTROPY_RDRAND), "rdrand") == 0);
	T_CHECK(strcmp(vrtc_entropy_kind_name(VRTC_ENTROPY_KIND_COUNT), "?") == 0);
	T_CHECK(strcmp(vrtc_entropy_kind_name((enum vrtc_entropy_kind)-1), "?") == 0);

	for (i = 0; i < VRTC_ARRAY_SIZE(bad); i++) {
		parsed = VRTC_ENTROPY_RDSEED;
		T_EQ_INT(vrtc_entropy_kind_parse(bad[i], &parsed), -EINVAL);
		T_EQ(parsed, VRTC_ENTROPY_RDSEED); /* untouched on error */
	}
	T_EQ_INT(vrtc_entropy_kind_parse(NULL, &parsed), -EINVAL);
}

static void
test_available_and_create(void)
{
	struct vrtc_entropy *e = (struct vrtc_entropy *)(uintptr_t)1;
	enum vrtc_entropy_kind k;

	T_EQ_INT(vrtc_entropy_available(VRTC_ENTROPY_DRBG), 1);
	T_EQ_INT(vrtc_entropy_available(VRTC_ENTROPY_GETRANDOM), 1);
	T_EQ_INT(vrtc_entropy_available(VRTC_ENTROPY_KIND_COUNT), 0);
	T_EQ_INT(vrtc_entropy_create(VRTC_ENTROPY_KIND_COUNT, NULL, &e), -EINVAL);
	T_CHECK(e == NULL);

	for (k = 0; k < VRTC_ENTROPY_KIND_COUNT; k++) {
		int avail = vrtc_entropy_available(k);
		int rc;

		nb_warnings = 0;
		vrtc_log_set_sink(count_sink);
		rc = vrtc_entropy_create(k, NULL, &e);
		vrtc_log_set_sink(NULL);
		printf("     %-9s available %d, create %d\n", vrtc_entropy_kind_name(k), avail, rc);
		if (avail) {
			T_EQ_INT(rc, 0);
			T_CHECK(e != NULL);
			T_EQ(vrtc_entropy_kind_of(e), k);
			T_EQ(vrtc_entropy_stats(e)->bytes, 0);
			T_EQ(vrtc_entropy_stats(e)->calls, 0);
			T_EQ(vrtc_entropy_stats(e)->errors, 0);
			T_EQ(vrtc_entropy_stats(e)->reseeds, 0);
			T_EQ(nb_warnings, 0);
		} else {
			T_EQ_INT(rc, -ENOTSUP);
			T_CHECK(e == NULL);
		}
		vrtc_entropy_destroy(e);
	}
	vrtc_entropy_destroy(NULL);
}

/*
 * Fill every length at an aligned and a misaligned start; bytes outside
 * the range keep their pattern, the counters add up exactly.
 *
 * Every byte inside the range must be written. One fill cannot show that
 * (a random byte equals the pattern one time in 256), so lengths up to
 * COVER_MAX are filled COVER_REPS times and each position must differ from
 * the pattern at least once (a miss has probability 2^-128 per position).
 * Longer fills are checked at both ends.
 */
#define COVER_MAX 4096
#define COVER_REPS 16

static void
fill_lengths_of(enum vrtc_entropy_kind kind)
{
	static const size_t offsets[] = {0, 3};
	struct vrtc_entropy *e = make(kind, NULL);
	static uint8_t seen[COVER_MAX];
	uint64_t bytes = 0, calls = 0;
	size_t i, j, k, rep;
	uint8_t *buf;

	if (e == NULL)
		return;
	rdseed_dry = 0;
	buf = malloc(MIB + 2 * GUARD);
	T_CHECK(buf != NULL);
	for (i = 0; i < VRTC_ARRAY_SIZE(fill_lengths); i++) {
		for (j = 0; j < VRTC_ARRAY_SIZE(offsets); j++) {
			size_t len = fill_lengths[i];
			size_t reps = len <= COVER_MAX ? COVER_REPS : 1;
			uint8_t *p = buf + GUARD + offsets[j];

			memset(seen, 0, sizeof(seen));
			for (rep = 0; rep < reps; rep++) {
				memset(buf, PATTERN, MIB + 2 * GUARD);
				T_EQ_INT(fill_tolerant(e, p, len), 0);
				T_CHECK(t_all_bytes_are(buf, GUARD + offsets[j], PATTERN));
				T_CHECK(t_all_bytes_are(p + len, MIB + GUARD - len - offsets[j],
						      PATTERN));
				if (len <= COVER_MAX)
					for (k = 0; k < len; k++)
						seen[k] |= p[k] != PATTERN;
				bytes += len;
				calls++;
			}
			if (len <= COVER_MAX) {
				for (k = 0; k < len; k++)
					if (!seen[k])
						T_FAIL_AT("%s: length %zu, byte %zu never written",
							  vrtc_entropy_kind_name(kind), len, k);
			} else {
				T_CHECK(!t_all_bytes_are(p, 16, PATTERN));
				T_CHECK(!t_all_bytes_are(p + len - 16, 16, PATTERN));
			}
		}
	}
	T_EQ(vrtc_entropy_stats(e)->bytes, bytes);
	T_EQ(vrtc_entropy_stats(e)->calls, calls);
	/* Only RDSEED's dry spells, each retried above, count as errors. */
	T_EQ(vrtc_entropy_stats(e)->errors, rdseed_dry);
	if (rdseed_dry != 0)
		printf("     %-9s ran dry %" PRIu64 " times (retried)\n",
		       vrtc_entropy_kind_name(kind), rdseed_dry);
	/* A zero-length fill needs no buffer. */
	T_EQ_INT(vrtc_entropy_fill(e, NULL, 0), 0);
	T_EQ(vrtc_entropy_stats(e)->calls, calls + 1);
	free(buf);
	vrtc_entropy_destroy(e);
}

static void
test_fill_lengths(void)
{
	enum vrtc_entropy_kind k;

	for (k = 0; k < VRTC_ENTROPY_KIND_COUNT; k++)
		fill_lengths_of(k);
}

static void
chi_square_of(enum vrtc_entropy_kind kind)
{
	struct vrtc_entropy *e = make(kind, NULL);
	uint64_t hist[256] = {0};
	double chi2 = 0, expect;
	uint8_t *buf;
	size_t i;

	if (e == NULL)
		return;
	buf = malloc(MIB);
	T_CHECK(buf != NULL);
	/* Several request sizes, so the tail handling is in the sample too. */
	for (i = 0; i < MIB; i += 4099)
		T_EQ_INT(fill_tolerant(e, buf + i, VRTC_MIN((size_t)4099, MIB - i)), 0);
	for (i = 0; i < MIB; i++)
		hist[buf[i]]++;
	expect = MIB / 256.0;
	for (i = 0; i < 256; i++)
		chi2 += ((double)hist[i] - expect) * ((double)hist[i] - expect) / expect;
	printf("     %-9s chi-square %.1f (bounds %.2f, %.2f)\n", vrtc_entropy_kind_name(kind),
	       chi2, CHI2_LOW, CHI2_HIGH);
	T_CHECK(chi2 > CHI2_LOW && chi2 < CHI2_HIGH);
	free(buf);
	vrtc_entropy_destroy(e);
}

static void
test_chi_square(void)
{
	enum vrtc_entropy_kind k;

	for (k = 0; k < VRTC_ENTROPY_KIND_COUNT; k++)
		chi_square_of(k);
}

/*
 * 256 separate 4 KiB fills: no two alike. RDSEED, which may deliver as
 * little as 20 KB/s here, draws 256 fills of 256 bytes instead (64 KiB):
 * the same number of comparisons, each block still far too long to repeat
 * by chance.
 */
static void
no_repeats_of(enum vrtc_entropy_kind kind)
{
	const size_t blk = kind == VRTC_ENTROPY_RDSEED ? 256 : 4096, nb = 256;
	struct vrtc_entropy *e = make(kind, NULL);
	uint8_t *buf;
	size_t i, j;

	if (e == NULL)
		return;
	buf = malloc(blk * nb);
	T_CHECK(buf != NULL);
	for (i = 0; i < nb; i++)
		T_EQ_INT(fill_tolerant(e, buf + i * blk, blk), 0);
	for (i = 0; i < nb; i++)
		for (j = i + 1; j < nb; j++)
			T_CHECK(memcmp(buf + i * blk, buf + j * blk, blk) != 0);
	free(buf);
	vrtc_entropy_destroy(e);
}

static void
test_no_repeated_blocks(void)
{
	enum vrtc_entropy_kind k;

	for (k = 0; k < VRTC_ENTROPY_KIND_COUNT; k++)
		no_repeats_of(k);
}

static void
two_instances_of(enum vrtc_entropy_kind kind)
{
	struct vrtc_entropy *a = make(kind, NULL), *b;
	uint8_t x[64], y[64];

	if (a == NULL)
		return;
	b = make(kind, NULL);
	T_CHECK(b != NULL);
	T_EQ_INT(fill_tolerant(a, x, sizeof(x)), 0);
	T_EQ_INT(fill_tolerant(b, y, sizeof(y)), 0);
	T_CHECK(memcmp(x, y, sizeof(x)) != 0);
	/* And an instance does not repeat itself. */
	T_EQ_INT(fill_tolerant(a, y, sizeof(y)), 0);
	T_CHECK(memcmp(x, y, sizeof(x)) != 0);
	vrtc_entropy_destroy(a);
	vrtc_entropy_destroy(b);
}

static void
test_two_instances_differ(void)
{
	enum vrtc_entropy_kind k;

	for (k = 0; k < VRTC_ENTROPY_KIND_COUNT; k++)
		two_instances_of(k);
}

static void
test_drbg_reseed_by_requests(void)
{
	struct vrtc_entropy_params params = {.reseed_requests = 4};
	struct vrtc_entropy *e = make(VRTC_ENTROPY_DRBG, &params);
	uint64_t before;
	uint8_t buf[64];
	int i;

	T_CHECK(e != NULL);
	T_EQ(vrtc_entropy_stats(e)->reseeds, 0);
	for (i = 0; i < 20; i++)
		T_EQ_INT(vrtc_entropy_fill(e, buf, sizeof(buf)), 0);
	before = vrtc_entropy_stats(e)->reseeds;
	printf("     %" PRIu64 " reseeds in 20 requests with reseed_requests 4\n", before);
	/* At least one per 4 requests, minus one still unobserved. */
	T_CHECK(before >= 4 && before <= 20);

	T_EQ_INT(vrtc_entropy_reseed(e), 0);
	T_CHECK(vrtc_entropy_stats(e)->reseeds >= before + 1);
	before = vrtc_entropy_stats(e)->reseeds;
	T_EQ_INT(vrtc_entropy_reseed(e), 0);
	T_EQ(vrtc_entropy_stats(e)->reseeds, before + 1);
	T_EQ_INT(vrtc_entropy_fill(e, buf, sizeof(buf)), 0);
	T_EQ(vrtc_entropy_stats(e)->errors, 0);
	vrtc_entropy_destroy(e);
}

/* A request larger than 64 KiB is several DRBG requests: with
 * reseed_requests 2 a 1 MiB fill (16 requests) must reseed. */
static void
test_drbg_large_fill_is_chunked(void)
{
	struct vrtc_entropy_params params = {.reseed_requests = 2};
	struct vrtc_entropy *e = make(VRTC_ENTROPY_DRBG, &params);
	uint8_t *buf = malloc(MIB);

	T_CHECK(e != NULL && buf != NULL);
	T_EQ_INT(vrtc_entropy_fill(e, buf, MIB), 0);
	T_CHECK(vrtc_entropy_stats(e)->reseeds >= 4);
	T_EQ(vrtc_entropy_stats(e)->calls, 1);
	T_EQ(vrtc_entropy_stats(e)->bytes, MIB);
	free(buf);
	vrtc_entropy_destroy(e);
}

static void
test_drbg_reseed_by_time(void)
{
	struct vrtc_entropy_params params = {.reseed_interval_s = 1};
	struct timespec pause = {.tv_sec = 1, .tv_nsec = 100 * 1000 * 1000};
	struct vrtc_entropy *e = make(VRTC_ENTROPY_DRBG, &params);
	uint8_t buf[32];
	int i;

	T_CHECK(e != NULL);
	T_EQ_INT(vrtc_entropy_fill(e, buf, sizeof(buf)), 0);
	T_EQ(vrtc_entropy_stats(e)->reseeds, 0);
	nanosleep(&pause, NULL);
	/* The reseed happens on the next request; the counter is read
	 * within the next 64. */
	for (i = 0; i < 64; i++)
		T_EQ_INT(vrtc_entropy_fill(e, buf, sizeof(buf)), 0);
	T_CHECK(vrtc_entropy_stats(e)->reseeds >= 1);
	vrtc_entropy_destroy(e);
}

/* Out-of-range tunables are clamped (with a warning past NIST's limit). */
static void
test_drbg_params_clamped(void)
{
	struct vrtc_entropy_params params = {
		.reseed_requests = UINT64_MAX,
		.reseed_interval_s = UINT64_MAX,
	};
	struct vrtc_entropy *e;
	uint8_t buf[64];

	nb_warnings = 0;
	vrtc_log_set_sink(count_sink);
	e = make(VRTC_ENTROPY_DRBG, &params);
	vrtc_log_set_sink(NULL);
	T_CHECK(e != NULL);
	T_EQ(nb_warnings, 1);
	T_EQ_INT(vrtc_entropy_fill(e, buf, sizeof(buf)), 0);
	vrtc_entropy_destroy(e);

	/* Within NIST's limit but past OpenSSL's counter: a notice only. */
	params.reseed_requests = UINT64_C(1) << 48;
	params.reseed_interval_s = 0;
	nb_warnings = 0;
	vrtc_log_set_sink(count_sink);
	e = make(VRTC_ENTROPY_DRBG, &params);
	vrtc_log_set_sink(NULL);
	T_CHECK(e != NULL);
	T_EQ(nb_warnings, 0);
	vrtc_entropy_destroy(e);

	params.reseed_requests = (UINT64_C(1) << 48) + 1;
	nb_warnings = 0;
	vrtc_log_set_sink(count_sink);
	e = make(VRTC_ENTROPY_DRBG, &params);
	vrtc_log_set_sink(NULL);
	T_CHECK(e != NULL);
	T_EQ(nb_warnings, 1);
	vrtc_entropy_destroy(e);
}

static void
test_reseed_stateless_sources(void)
{
	enum vrtc_entropy_kind k;

	for (k = VRTC_ENTROPY_GETRANDOM; k < VRTC_ENTROPY_KIND_COUNT; k++) {
		struct vrtc_entropy *e = make(k, NULL);

		if (e == NULL)
			continue;
		T_EQ_INT(vrtc_entropy_reseed(e), 0);
		T_EQ(vrtc_entropy_stats(e)->reseeds, 0);
		vrtc_entropy_destroy(e);
	}
}

/*
 * A destination the process may not write (guest memory gone from under
 * us). No source relies on the kernel to notice: getrandom generates into
 * its own buffer and copies, as glibc >= 2.41 runs getrandom() in the vDSO,
 * which faults where the system call gave EFAULT. So every source takes the
 * fault in user space; what must never happen is a fill that returns (least
 * of all with success) after writing nowhere. Each fill runs in a child,
 * which must die (a signal, or ASan's report and a non-zero exit) without
 * ever reporting back. Guest memory stays mapped because the control plane
 * accepts only regions that cannot shrink: that, not the source, is the
 * guard.
 */
static void
unmapped_destination_of(enum vrtc_entropy_kind kind)
{
	struct vrtc_entropy *e = make(kind, NULL);
	long page = sysconf(_SC_PAGESIZE);
	int fds[2], status, rc = 0;
	ssize_t got;
	pid_t pid;
	void *p;

	if (e == NULL)
		return;
	p = mmap(NULL, (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_CHECK(p != MAP_FAILED);
	T_CHECK(pipe(fds) == 0);
	fflush(NULL);
	pid = fork();
	T_CHECK(pid >= 0);
	if (pid == 0) {
		struct rlimit no_core = {0, 0};
		int devnull = open("/dev/null", O_WRONLY);

		close(fds[0]);
		setrlimit(RLIMIT_CORE, &no_core);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO); /* ASan's report */
		vrtc_log_set_sink(count_sink);
		/* RDSEED may be dry before it touches the page: retried. */
		rc = fill_tolerant(e, p, 64);
		if (write(fds[1], &rc, sizeof(rc)) != (ssize_t)sizeof(rc))
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	got = read(fds[0], &rc, sizeof(rc));
	close(fds[0]);
	T_CHECK(waitpid(pid, &status, 0) == pid);
	printf("     %-9s unmapped destination: %s %d\n", vrtc_entropy_kind_name(kind),
	       WIFSIGNALED(status) ? "killed by signal" : "exit",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	if (got > 0)
		T_FAIL_AT("%s: fill into an unmapped page returned %d",
			  vrtc_entropy_kind_name(kind), rc);
	T_EQ_INT(got, 0);
	T_CHECK(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0));
	/* The parent's source is untouched and still serves. */
	T_EQ(vrtc_entropy_stats(e)->calls, 0);
	T_EQ_INT(fill_tolerant(e, &rc, sizeof(rc)), 0);
	munmap(p, (size_t)page);
	vrtc_entropy_destroy(e);
}

static void
test_unmapped_destination(void)
{
	enum vrtc_entropy_kind k;

	for (k = 0; k < VRTC_ENTROPY_KIND_COUNT; k++)
		unmapped_destination_of(k);
}

/*
 * getrandom's own buffer is smaller than large fills: the bytes of one
 * fill never repeat a buffer's worth (a copy that forgot to advance, or a
 * stale buffer copied twice, would), across and within fills.
 */
static void
test_getrandom_buffer_boundaries(void)
{
	static const size_t lens[] = {65535, 65536, 65537, 3 * 65536 + 5};
	struct vrtc_entropy *e = make(VRTC_ENTROPY_GETRANDOM, NULL);
	size_t i, off;
	uint8_t *buf, *prev;

	T_CHECK(e != NULL);
	buf = malloc(4 * 65536);
	prev = calloc(1, 4 * 65536);
	T_CHECK(buf != NULL && prev != NULL);
	for (i = 0; i < VRTC_ARRAY_SIZE(lens); i++) {
		memset(buf, PATTERN, 4 * 65536);
		T_EQ_INT(vrtc_entropy_fill(e, buf, lens[i]), 0);
		T_CHECK(t_all_bytes_are(buf + lens[i], 4 * 65536 - lens[i], PATTERN));
		/* 64-byte blocks at every 64 KiB step differ from each other
		 * and from the previous fill's. */
		for (off = 65536; off + 64 <= lens[i]; off += 65536)
			T_CHECK(memcmp(buf, buf + off, 64) != 0);
		T_CHECK(memcmp(buf, prev, 64) != 0);
		T_CHECK(!t_all_bytes_are(buf + lens[i] - 16, 16, PATTERN));
		memcpy(prev, buf, 4 * 65536);
	}
	free(prev);
	free(buf);
	vrtc_entropy_destroy(e);
}

/*
 * getrandom(2) returns early when a signal arrives during a large request
 * (the kernel checks between pages), or fails with EINTR before the first
 * byte. A timer signal without SA_RESTART makes that happen; every page of
 * every fill must still be written.
 */
static volatile sig_atomic_t nb_alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	nb_alarms++;
}

static void
test_getrandom_interrupted(void)
{
	const size_t len = 4 * MIB, page = 4096;
	struct itimerval every_ms = {{0, 1000}, {0, 1000}}, off = {{0, 0}, {0, 0}};
	struct sigaction sa = {0}, old;
	struct vrtc_entropy *e = make(VRTC_ENTROPY_GETRANDOM, NULL);
	unsigned int fills = 0, missed = 0;
	uint8_t *buf = malloc(len);
	size_t i;

	T_CHECK(e != NULL && buf != NULL);
	sa.sa_handler = on_alarm; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	T_EQ_INT(sigaction(SIGALRM, &sa, &old), 0);
	nb_alarms = 0;
	T_EQ_INT(setitimer(ITIMER_REAL, &every_ms, NULL), 0);
	while (fills < 256 && (fills < 4 || nb_alarms < 8)) {
		memset(buf, PATTERN, len);
		if (vrtc_entropy_fill(e, buf, len) != 0)
			break;
		fills++;
		for (i = 0; i < len; i += page)
			missed += t_all_bytes_are(buf + i + page - 16, 16, PATTERN);
	}
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	printf("     %u fills of 4 MiB, %d signals\n", fills, (int)nb_alarms);
	T_EQ(vrtc_entropy_stats(e)->errors, 0);
	T_EQ(vrtc_entropy_stats(e)->calls, fills);
	T_EQ(missed, 0);
	free(buf);
	vrtc_entropy_destroy(e);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * drbg serves short fills from a 64 KiB output pool (see entropy.c): fills
 * of every length around word sizes, through several refills, never
 * repeat output (each byte is delivered once) and stay uniform; quiescing
 * in between (which wipes delivered bytes) changes nothing for the caller.
 */
static void
test_drbg_pool_small_fills(void)
{
	const size_t total = 512 * 1024;
	struct vrtc_entropy *e = make(VRTC_ENTROPY_DRBG, NULL);
	uint64_t hist[256] = {0}, *words;
	double chi2 = 0, expect;
	uint8_t *buf;
	size_t off = 0, i, nb_words;
	unsigned int step = 0;

	T_CHECK(e != NULL);
	buf = calloc(1, total);
	T_CHECK(buf != NULL);
	while (off < total) {
		size_t len = VRTC_MIN((size_t)(1 + (step * 37) % 300), total - off);

		T_EQ_INT(vrtc_entropy_fill(e, buf + off, len), 0);
		if (step % 7 == 0) {
			for (i = 0; i < 70; i++)
				vrtc_entropy_quiesce(e);
		}
		off += len;
		step++;
	}
	T_EQ(vrtc_entropy_stats(e)->bytes, total);
	for (i = 0; i < total; i++)
		hist[buf[i]]++;
	expect = total / 256.0;
	for (i = 0; i < 256; i++)
		chi2 += ((double)hist[i] - expect) * ((double)hist[i] - expect) / expect;
	printf("     %u pooled fills, chi-square %.1f\n", step, chi2);
	T_CHECK(chi2 > CHI2_LOW && chi2 < CHI2_HIGH);
	/* No 8-byte word twice (a replayed pool would repeat whole runs). */
	nb_words = total / 8;
	words = malloc(nb_words * sizeof(*words));
	T_CHECK(words != NULL);
	memcpy(words, buf, nb_words * sizeof(*words));
	qsort(words, nb_words, sizeof(*words), cmp_u64);
	for (i = 1; i < nb_words; i++)
		T_CHECK(words[i] != words[i - 1]);
	free(words);
	free(buf);
	vrtc_entropy_destroy(e);
}

/* After fork() the child must not hand out what the parent's pool holds. */
static void
test_drbg_pool_fork(void)
{
	struct vrtc_entropy *e = make(VRTC_ENTROPY_DRBG, NULL);
	uint8_t first[64], mine[64], child[64];
	int fds[2], status;
	ssize_t got;
	pid_t pid;

	T_CHECK(e != NULL);
	T_EQ_INT(vrtc_entropy_fill(e, first, sizeof(first)), 0); /* the pool is full now */
	T_CHECK(pipe(fds) == 0);
	pid = fork();
	T_CHECK(pid >= 0);
	if (pid == 0) {
		int rc = vrtc_entropy_fill(e, child, sizeof(child));

		if (rc != 0 || write(fds[1], child, sizeof(child)) != (ssize_t)sizeof(child))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	T_EQ_INT(vrtc_entropy_fill(e, mine, sizeof(mine)), 0);
	got = read(fds[0], child, sizeof(child));
	close(fds[0]);
	T_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T_EQ(got, sizeof(child));
	T_CHECK(memcmp(mine, child, sizeof(mine)) != 0);
	T_CHECK(memcmp(first, child, sizeof(first)) != 0);
	vrtc_entropy_destroy(e);
}

/* vrtc_entropy_quiesce() on every kind, with and without output delivered. */
static void
test_quiesce(void)
{
	enum vrtc_entropy_kind k;
	uint8_t a[100], b[100];
	int i;

	for (k = 0; k < VRTC_ENTROPY_KIND_COUNT; k++) {
		struct vrtc_entropy *e = make(k, NULL);

		if (e == NULL)
			continue;
		rdseed_dry = 0;
		vrtc_entropy_quiesce(e);
		T_EQ_INT(fill_tolerant(e, a, sizeof(a)), 0);
		for (i = 0; i < 100; i++)
			vrtc_entropy_quiesce(e);
		T_EQ_INT(fill_tolerant(e, b, sizeof(b)), 0);
		T_CHECK(memcmp(a, b, sizeof(a)) != 0);
		T_EQ(vrtc_entropy_stats(e)->errors, rdseed_dry);
		vrtc_entropy_destroy(e);
	}
}

/* ---- callback: the embedding application's source ---- */

struct app_source {
	unsigned int calls;
	size_t last_len;
	void *last_buf;
	uint8_t next;	/* a counter: the test knows every byte */
	int fail_with;	/* returned instead of filling, when non-zero */
};

static int
app_fill(void *ctx, void *buf, size_t len)
{
	struct app_source *a = ctx;
	uint8_t *p = buf;
	size_t i;

	a->calls++;
	a->last_len = len;
	a->last_buf = buf;
	if (a->fail_with != 0)
		return a->fail_with;
	for (i = 0; i < len; i++)
		p[i] = a->next++;
	return 0;
}

/* The application's bytes arrive in place, in full, with its context. */
static void
test_callback_fills(void)
{
	struct app_source app = {0};
	struct vrtc_entropy *e = (struct vrtc_entropy *)(uintptr_t)1;
	uint8_t buf[300 + 2 * GUARD];
	enum vrtc_entropy_kind parsed = VRTC_ENTROPY_DRBG;
	uint64_t bytes = 0;
	size_t len, i;

	T_EQ_INT(vrtc_entropy_create_callback(NULL, &app, &e), -EINVAL);
	T_CHECK(e == NULL);
	/* Not a built-in: nothing makes it by name. */
	T_CHECK(strcmp(vrtc_entropy_kind_name(VRTC_ENTROPY_CALLBACK), "callback") == 0);
	T_EQ_INT(vrtc_entropy_kind_parse("callback", &parsed), -EINVAL);
	T_EQ_INT(vrtc_entropy_available(VRTC_ENTROPY_CALLBACK), 0);
	e = (struct vrtc_entropy *)(uintptr_t)1;
	T_EQ_INT(vrtc_entropy_create(VRTC_ENTROPY_CALLBACK, NULL, &e), -EINVAL);
	T_CHECK(e == NULL);
	T_EQ_INT(vrtc_entropy_create_callback(app_fill, &app, &e), 0);
	T_CHECK(e != NULL);
	T_EQ(vrtc_entropy_kind_of(e), VRTC_ENTROPY_CALLBACK);

	for (len = 1; len <= 300; len += 37) {
		uint8_t first = app.next;

		memset(buf, PATTERN, sizeof(buf));
		T_EQ_INT(vrtc_entropy_fill(e, buf + GUARD, len), 0);
		T_CHECK(app.last_buf == buf + GUARD);
		T_EQ(app.last_len, len);
		for (i = 0; i < len; i++)
			T_EQ(buf[GUARD + i], (uint8_t)(first + i));
		T_CHECK(t_all_bytes_are(buf, GUARD, PATTERN));
		T_CHECK(t_all_bytes_are(buf + GUARD + len, sizeof(buf) - GUARD - len, PATTERN));
		bytes += len;
	}
	/* A zero-length fill does not call the application. */
	i = app.calls;
	T_EQ_INT(vrtc_entropy_fill(e, NULL, 0), 0);
	T_EQ(app.calls, i);
	T_EQ(vrtc_entropy_stats(e)->bytes, bytes);
	T_EQ(vrtc_entropy_stats(e)->calls, i + 1);
	T_EQ(vrtc_entropy_stats(e)->errors, 0);
	/* No state of ours: reseed and quiesce change nothing. */
	T_EQ_INT(vrtc_entropy_reseed(e), 0);
	for (i = 0; i < 100; i++)
		vrtc_entropy_quiesce(e);
	T_EQ(vrtc_entropy_stats(e)->reseeds, 0);
	T_EQ_INT(vrtc_entropy_fill(e, buf, 4), 0);
	vrtc_entropy_destroy(e);
}

/* The application's failures are the fill's, counted and logged (on the
 * 1st, 2nd, 4th... occurrence) as the other sources' are. */
static void
test_callback_errors(void)
{
	struct app_source app = {0};
	struct vrtc_entropy *e;
	uint8_t buf[64];

	T_EQ_INT(vrtc_entropy_create_callback(app_fill, &app, &e), 0);
	app.fail_with = -EAGAIN;
	nb_warnings = 0;
	vrtc_log_set_sink(count_sink);
	T_EQ_INT(vrtc_entropy_fill(e, buf, sizeof(buf)), -EAGAIN);
	T_EQ_INT(vrtc_entropy_fill(e, buf, sizeof(buf)), -EAGAIN);
	T_EQ_INT(vrtc_entropy_fill(e, buf, sizeof(buf)), -EAGAIN);
	/* Not an -errno: taken as -EIO. */
	app.fail_with = 1;
	T_EQ_INT(vrtc_entropy_fill(e, buf, sizeof(buf)), -EIO);
	app.fail_with = INT_MIN;
	T_EQ_INT(vrtc_entropy_fill(e, buf, sizeof(buf)), -EIO);
	vrtc_log_set_sink(NULL);
	T_EQ(nb_warnings, 3); /* errors 1, 2 and 4 */
	T_EQ(vrtc_entropy_stats(e)->errors, 5);
	T_EQ(vrtc_entropy_stats(e)->calls, 0);
	T_EQ(vrtc_entropy_stats(e)->bytes, 0);
	/* It recovers as soon as the application does. */
	app.fail_with = 0;
	T_EQ_INT(vrtc_entropy_fill(e, buf, sizeof(buf)), 0);
	T_EQ(vrtc_entropy_stats(e)->calls, 1);
	T_EQ(vrtc_entropy_stats(e)->bytes, sizeof(buf));
	T_EQ(app.calls, 6);
	vrtc_entropy_destroy(e);
}

static const struct t_case cases[] = {
	T_CASE(test_kind_names),
	T_CASE(test_available_and_create),
	T_CASE(test_fill_lengths),
	T_CASE(test_chi_square),
	T_CASE(test_no_repeated_blocks),
	T_CASE(test_two_instances_differ),
	T_CASE(test_drbg_reseed_by_requests),
	T_CASE(test_drbg_large_fill_is_chunked),
	T_CASE(test_drbg_reseed_by_time),
	T_CASE(test_drbg_params_clamped),
	T_CASE(test_reseed_stateless_sources),
	T_CASE(test_unmapped_destination),
	T_CASE(test_getrandom_buffer_boundaries),
	T_CASE(test_getrandom_interrupted),
	T_CASE(test_drbg_pool_small_fills),
	T_CASE(test_drbg_pool_fork),
	T_CASE(test_quiesce),
	T_CASE(test_callback_fills),
	T_CASE(test_callback_errors),
};

T_MAIN(cases)
