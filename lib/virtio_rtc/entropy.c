/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Entropy sources for the virtio-rng model.
 *
 * Every source writes into the caller's buffer, which is guest memory. The
 * drbg serves fills up to 32 KiB from an output pool (below), whose
 * delivered bytes are wiped once the device goes idle; larger drbg fills
 * and the CPU sources write straight into the buffer. getrandom generates
 * into a buffer of its own and copies (below). None of them can survive a
 * destination that is not mapped: they write from user space, which takes
 * a signal there. Guest regions stay mapped because the control plane only
 * accepts memory that cannot shrink under us.
 *
 * drbg: an OpenSSL 3 CTR-DRBG (AES-256, derivation function on) with no
 * parent, so OpenSSL seeds and reseeds it from the operating system
 * (getrandom(2) on Linux). NIST SP 800-90A Rev. 1, table 3, bounds a
 * CTR_DRBG at 2^48 generate requests between reseeds and 2^19 bits (64 KiB)
 * per request; we keep to both. Reseeding is OpenSSL's own (after
 * reseed_requests requests or reseed_interval_s seconds, and after a fork);
 * we only observe it through the RESEED_COUNTER parameter, which is read
 * every few requests because each read costs a parameter look-up.
 * OpenSSL 3.0 calls getpid() on every generate request for its fork check,
 * so a request costs one system call whatever its size.
 *
 * drbg output pool: fills of at most POOL_FILL_MAX bytes are served from a
 * per-instance pool that one generate request fills with 64 KiB, so the
 * fixed cost of a request (the getpid() system call, a parameter look-up,
 * the CTR_DRBG update and rekeying: 1.7 to 2.5 us on the development VM,
 * where a system call costs 1.4 us) is shared by many small
 * fills instead of paid by each. Each byte is delivered at most once.
 * Delivered bytes are overwritten by the next refill, and wiped once the
 * device is idle (vrtc_entropy_quiesce(), which the poller calls on every
 * poll that finds nothing, wipes after POOL_IDLE_CALLS such calls in a
 * row): under load they stay in the pool for at most one pool's worth of
 * requests (the guest buffers they went to are mapped into this process
 * anyway), and none stays once the device is idle. Bytes not yet delivered
 * sit in the pool, which is no more than what the DRBG state already lets
 * anyone who reads this memory compute. The pool is thrown away (wiped) when
 * it is older than POOL_MAX_AGE_NS or the reseed interval, after a forced
 * reseed, and in a child process after fork() (pthread_atfork), so a seed
 * is never stretched past its interval and two processes never share
 * output. The reseed policy still counts caller requests: fills served
 * from the pool are counted as OpenSSL counts generate requests, and the
 * instance is reseeded (pool dropped) when they reach reseed_requests, so
 * a seed serves no more requests than without the pool. Larger fills are
 * generated straight into the caller's buffer.
 *
 * getrandom: the kernel CSPRNG with flags 0. That blocks only until the
 * kernel's generator is first seeded, early in boot; vrtc_entropy_create()
 * waits for that once, so fills never block afterwards. It never writes
 * into the caller's buffer: glibc 2.41 and later run getrandom() in the vDSO
 * (user space), which takes SIGSEGV on a page that is not mapped where the
 * system call returned EFAULT, so nothing may rely on that EFAULT. Each
 * fill generates into a per-source buffer of GETRANDOM_BUF_BYTES (one call
 * per buffer's worth) and copies into the destination. The copied bytes
 * stay in that buffer until the next fill overwrites them, or until the
 * device is idle (vrtc_entropy_quiesce() wipes them, as for the drbg pool),
 * or the source is destroyed. The buffer holds no state carried from one
 * fill to the next, so fork() needs no care.
 *
 * callback: the application's function, called once per fill with the
 * caller's buffer (in place, as the drbg writes large fills) and the
 * application's context; its -errno is the fill's, counted and logged as
 * the other sources' failures are.
 *
 * file: entropy_file.c's reader thread fills a ring from the file; a fill
 * takes from the ring (all or nothing, never waiting) and wipes what it
 * took there.
 *
 * rdseed / rdrand: the x86-64 instructions, 8 bytes per step. Both report
 * "no value yet" through the carry flag: RDRAND is retried a few times
 * (more failures mean broken hardware), RDSEED, which can run dry when
 * many cores draw from it, is retried with a pause up to a budget and then
 * gives -EAGAIN. At creation a few values are drawn and the source is
 * refused when they are all equal (some CPUs have returned a constant with
 * the carry flag set).
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "entropy.h"
#include "entropy_file.h"
#include "log.h"
#include "platform.h"

/* Security strength asked of the DRBG, in bits (AES-256). */
#define DRBG_STRENGTH 256u
/* NIST SP 800-90A Rev. 1, table 3: CTR_DRBG limits. */
#define NIST_CTR_MAX_REQUESTS (UINT64_C(1) << 48)
#define NIST_CTR_MAX_REQUEST_BYTES ((size_t)1 << 16) /* 2^19 bits */
/* Defaults documented in entropy.h. */
#define DEFAULT_RESEED_REQUESTS (UINT64_C(1) << 16)
#define DEFAULT_RESEED_INTERVAL_S 60u
/* Longest accepted time interval; more would overflow a 32-bit time_t. */
#define MAX_RESEED_INTERVAL_S ((uint64_t)INT32_MAX)
/* Read OpenSSL's reseed counter at least every this many requests. */
#define RESEED_POLL_REQUESTS 64u
/* drbg output pool: size (one generate request), the largest fill it
 * serves (above, generating in place is as cheap as copying; measured on
 * the development VM), and the oldest bytes it may hand out. */
#define POOL_BYTES NIST_CTR_MAX_REQUEST_BYTES
#define POOL_FILL_MAX ((size_t)32768)
#define POOL_MAX_AGE_NS (UINT64_C(1000000000))
/* Idle polls in a row after which delivered bytes are wiped: a queue between
 * two bursts does not pay for a wipe the next refill makes anyway. */
#define POOL_IDLE_CALLS 64u
/* getrandom: the bounce buffer, and so the most one getrandom() call asks
 * for (the kernel's per-call cost is then shared by 64 KiB). */
#define GETRANDOM_BUF_BYTES ((size_t)65536)

/* Attempts per 8-byte value. Intel's DRNG guide: ten failed RDRAND in a
 * row mean a broken generator; RDSEED is expected to run dry under load. */
#define RDRAND_TRIES 10u
#define RDSEED_TRIES 1024u
/* Values drawn by the creation-time sanity check. */
#define CPU_CHECK_SAMPLES 8u

struct vrtc_entropy {
	enum vrtc_entropy_kind kind;
	struct vrtc_entropy_stats stats;
	/* drbg only */
	EVP_RAND_CTX *drbg;
	size_t chunk_bytes;	  /* largest generate request */
	unsigned int reseed_seen; /* OpenSSL's RESEED_COUNTER at the last read */
	uint32_t poll_every;	  /* requests between two reads of it */
	uint32_t since_poll;	  /* requests since the last read */
	/* drbg output pool (NULL: every fill is generated in place):
	 * pool[pool_pos .. pool_len) not yet delivered, pool[pool_dirty ..
	 * pool_pos) delivered and not yet wiped, the rest wiped or overwritten. */
	uint8_t *pool;
	size_t pool_pos;
	size_t pool_len;
	size_t pool_dirty;
	uint32_t pool_idle_calls;     /* vrtc_entropy_quiesce() calls since a fill */
	unsigned int reseed_requests; /* as configured (clamped) */
	unsigned int pool_requests;   /* pooled fills, counted as OpenSSL counts requests */
	uint64_t pool_birth_ns;	      /* CLOCK_MONOTONIC_COARSE at the refill */
	uint64_t pool_max_age_ns;
	uint64_t pool_fork_gen; /* fork_gen at the refill */
	/* getrandom only: generated here, then copied out; buf[0 .. buf_dirty)
	 * may hold delivered bytes not yet wiped. */
	uint8_t *buf;
	size_t buf_dirty;
	uint32_t buf_idle_calls; /* vrtc_entropy_quiesce() calls since a fill */
	/* callback only */
	vrtc_entropy_fill_fn cb_fill;
	void *cb_ctx;
	/* file only */
	struct vrtc_entropy_file *file;
};

/* Bumped in the child of every fork(): pools filled before are dropped. */
static uint64_t fork_gen;
static pthread_once_t fork_hook_once = PTHREAD_ONCE_INIT;

static void
on_fork_child(void)
{
	__atomic_store_n(&fork_gen, __atomic_load_n(&fork_gen, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELAXED);
}

static void
install_fork_hook(void)
{
	pthread_atfork(NULL, NULL, on_fork_child);
}

static const char *const kind_names[VRTC_ENTROPY_KIND_COUNT] = {
	[VRTC_ENTROPY_DRBG] = "drbg",
	[VRTC_ENTROPY_GETRANDOM] = "getrandom",
	[VRTC_ENTROPY_RDSEED] = "rdseed",
	[VRTC_ENTROPY_RDRAND] = "rdrand",
};

const char *
vrtc_entropy_kind_name(enum vrtc_entropy_kind kind)
{
	if (kind == VRTC_ENTROPY_CALLBACK)
		return "callback";
	if (kind == VRTC_ENTROPY_FILE)
		return "file";
	if ((unsigned int)kind >= VRTC_ENTROPY_KIND_COUNT)
		return "?";
	return kind_names[kind];
}

int
vrtc_entropy_kind_parse(const char *name, enum vrtc_entropy_kind *kind)
{
	unsigned int i;

	if (name == NULL)
		return -EINVAL;
	for (i = 0; i < VRTC_ENTROPY_KIND_COUNT; i++) {
		if (strcmp(name, kind_names[i]) == 0) {
			*kind = (enum vrtc_entropy_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Data-path failures are logged on the 1st, 2nd, 4th, 8th... occurrence. */
static int
error_worth_logging(uint64_t nb_errors)
{
	return (nb_errors & (nb_errors - 1)) == 0;
}

/*
 * Log what OpenSSL said about a failure (its whole error queue for this
 * thread, which this also empties).
 */
static void
log_ossl(enum vrtc_log_level level, const char *what)
{
	char reason[256];
	unsigned long code;
	int logged = 0;

	while ((code = ERR_get_error()) != 0) {
		ERR_error_string_n(code, reason, sizeof(reason));
		vrtc_log(VRTC_LOGC_ENTROPY, level, "%s: %s", what, reason);
		logged = 1;
	}
	if (!logged)
		vrtc_log(VRTC_LOGC_ENTROPY, level, "%s (OpenSSL gave no reason)", what);
}

/* ---- drbg ---- */

/* Fold OpenSSL's reseed counter into our statistics. */
static void
drbg_poll_reseeds(struct vrtc_entropy *e)
{
	unsigned int now = e->reseed_seen;
	OSSL_PARAM params[2];

	e->since_poll = 0;
	params[0] = OSSL_PARAM_construct_uint(OSSL_DRBG_PARAM_RESEED_COUNTER, &now);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_RAND_CTX_get_params(e->drbg, params) != 1) {
		ERR_clear_error();
		return;
	}
	/* The counter goes up by one per (re)seed and skips 0 when it wraps. */
	if (now != e->reseed_seen) {
		unsigned int delta = now - e->reseed_seen;

		if (now < e->reseed_seen)
			delta--;
		e->stats.reseeds += delta;
		e->reseed_seen = now;
	}
}

static int
drbg_init(struct vrtc_entropy *e, const struct vrtc_entropy_params *params)
{
	static const char pers_label[] = "dpdk-rtcd virtio-rng CTR-DRBG";
	char cipher[] = "AES-256-CTR";
	uint64_t requests = DEFAULT_RESEED_REQUESTS;
	uint64_t interval_s = DEFAULT_RESEED_INTERVAL_S;
	unsigned char pers[sizeof(pers_label) + 3 * sizeof(uint64_t)];
	unsigned int ossl_requests, counter = 0;
	size_t max_request = 0;
	OSSL_PARAM set[4], get[3];
	struct timespec ts;
	time_t ossl_interval;
	EVP_RAND *rand;
	uint64_t word;
	int rc;

	if (params != NULL && params->reseed_requests != 0)
		requests = params->reseed_requests;
	if (params != NULL && params->reseed_interval_s != 0)
		interval_s = params->reseed_interval_s;
	/*
	 * OpenSSL counts requests in an unsigned int, so the value is clamped
	 * to that (reseeding more often than asked is always allowed). Past
	 * NIST's own limit that was a configuration mistake: say so louder.
	 */
	if (requests > UINT_MAX) {
		vrtc_log(VRTC_LOGC_ENTROPY,
			 requests > NIST_CTR_MAX_REQUESTS ? VRTC_LOG_WARNING : VRTC_LOG_NOTICE,
			 "drbg: %" PRIu64 " requests between reseeds %s; using %u", requests,
			 requests > NIST_CTR_MAX_REQUESTS
				 ? "is over the NIST SP 800-90A limit of 2^48"
				 : "is more than OpenSSL can count",
			 UINT_MAX);
		requests = UINT_MAX;
	}
	if (interval_s > MAX_RESEED_INTERVAL_S) {
		vrtc_log(VRTC_LOGC_ENTROPY, VRTC_LOG_NOTICE,
			 "drbg: reseeding every %" PRIu64 " s instead of %" PRIu64,
			 MAX_RESEED_INTERVAL_S, interval_s);
		interval_s = MAX_RESEED_INTERVAL_S;
	}
	ossl_requests = (unsigned int)requests;
	ossl_interval = (time_t)interval_s;

	rand = EVP_RAND_fetch(NULL, "CTR-DRBG", NULL);
	if (rand == NULL) {
		log_ossl(VRTC_LOG_ERR, "drbg: cannot fetch CTR-DRBG");
		return -ENOTSUP;
	}
	/* No parent: the DRBG takes its seed from the operating system. */
	e->drbg = EVP_RAND_CTX_new(rand, NULL);
	EVP_RAND_free(rand);
	if (e->drbg == NULL) {
		log_ossl(VRTC_LOG_ERR, "drbg: cannot create a CTR-DRBG context");
		return -ENOMEM;
	}

	set[0] = OSSL_PARAM_construct_utf8_string(OSSL_DRBG_PARAM_CIPHER, cipher, 0);
	set[1] = OSSL_PARAM_construct_uint(OSSL_DRBG_PARAM_RESEED_REQUESTS, &ossl_requests);
	set[2] = OSSL_PARAM_construct_time_t(OSSL_DRBG_PARAM_RESEED_TIME_INTERVAL, &ossl_interval);
	set[3] = OSSL_PARAM_construct_end();
	if (EVP_RAND_CTX_set_params(e->drbg, set) != 1) {
		log_ossl(VRTC_LOG_ERR, "drbg: cannot set cipher and reseed policy");
		return -EIO;
	}

	/*
	 * Personalization string (SP 800-90A 8.7.1): not secret, it only
	 * makes this instance's seed input differ from any other's.
	 */
	memcpy(pers, pers_label, sizeof(pers_label));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	word = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	memcpy(pers + sizeof(pers_label), &word, sizeof(word));
	word = (uint64_t)getpid();
	memcpy(pers + sizeof(pers_label) + sizeof(word), &word, sizeof(word));
	word = (uint64_t)(uintptr_t)e;
	memcpy(pers + sizeof(pers_label) + 2 * sizeof(word), &word, sizeof(word));

	rc = EVP_RAND_instantiate(e->drbg, DRBG_STRENGTH, 0, pers, sizeof(pers), NULL);
	OPENSSL_cleanse(pers, sizeof(pers));
	if (rc != 1) {
		log_ossl(VRTC_LOG_ERR, "drbg: instantiation (seeding from the OS) failed");
		return -EIO;
	}
	if (EVP_RAND_get_strength(e->drbg) < DRBG_STRENGTH) {
		vrtc_log(VRTC_LOGC_ENTROPY, VRTC_LOG_ERR,
			 "drbg: strength %u bits, %u required (cipher not AES-256?)",
			 EVP_RAND_get_strength(e->drbg), DRBG_STRENGTH);
		return -EIO;
	}

	get[0] = OSSL_PARAM_construct_size_t(OSSL_RAND_PARAM_MAX_REQUEST, &max_request);
	get[1] = OSSL_PARAM_construct_uint(OSSL_DRBG_PARAM_RESEED_COUNTER, &counter);
	get[2] = OSSL_PARAM_construct_end();
	if (EVP_RAND_CTX_get_params(e->drbg, get) != 1 || max_request == 0) {
		log_ossl(VRTC_LOG_ERR, "drbg: cannot read the maximum request size");
		return -EIO;
	}
	e->chunk_bytes = VRTC_MIN(max_request, NIST_CTR_MAX_REQUEST_BYTES);
	/* The pool holds one generate request; without it (no memory) every
	 * fill is generated in place, as before. */
	pthread_once(&fork_hook_once, install_fork_hook);
	e->pool = malloc(POOL_BYTES);
	e->pool_pos = e->pool_len = e->pool_dirty = 0;
	e->reseed_requests = ossl_requests;
	e->pool_requests = 1;
	e->pool_max_age_ns = VRTC_MIN(interval_s * UINT64_C(1000000000), POOL_MAX_AGE_NS);
	/* The initial seeding is not a reseed: start counting from here. */
	e->reseed_seen = counter;
	e->poll_every = (uint32_t)VRTC_MIN(requests, (uint64_t)RESEED_POLL_REQUESTS);
	e->since_poll = 0;
	return 0;
}

/* One generate request of @p n <= chunk_bytes bytes into @p p. */
static int
drbg_generate(struct vrtc_entropy *e, uint8_t *p, size_t n)
{
	if (vrtc_unlikely(EVP_RAND_generate(e->drbg, p, n, DRBG_STRENGTH, 0, NULL, 0) != 1)) {
		if (error_worth_logging(e->stats.errors + 1))
			log_ossl(VRTC_LOG_ERR, "drbg: generate failed");
		else
			ERR_clear_error();
		return -EIO;
	}
	if (++e->since_poll >= e->poll_every)
		drbg_poll_reseeds(e);
	return 0;
}

/* Wipe the delivered bytes still in the pool. */
static inline void
pool_wipe_delivered(struct vrtc_entropy *e)
{
	if (e->pool_pos > e->pool_dirty)
		explicit_bzero(e->pool + e->pool_dirty, e->pool_pos - e->pool_dirty);
	e->pool_dirty = e->pool_pos;
}

/* Wipe the whole pool and mark it empty. */
static void
pool_drop(struct vrtc_entropy *e)
{
	if (e->pool != NULL && e->pool_len > e->pool_dirty)
		explicit_bzero(e->pool + e->pool_dirty, e->pool_len - e->pool_dirty);
	e->pool_pos = e->pool_len = e->pool_dirty = 0;
}

static int drbg_reseed(struct vrtc_entropy *e);

/* Serve a short fill from the pool, refilling it with one generate
 * request whenever it runs dry (or is too old, or from before a fork). */
static int
drbg_fill_pooled(struct vrtc_entropy *e, uint8_t *p, size_t len)
{
	/* The request count OpenSSL would have kept without the pool. */
	if (vrtc_unlikely(e->pool_requests >= e->reseed_requests)) {
		if (drbg_reseed(e) != 0)
			return -EIO;
	}
	e->pool_requests++;
	e->pool_idle_calls = 0;
	if (e->pool_len != e->pool_pos &&
	    (vrtc_clock_ns(CLOCK_MONOTONIC_COARSE) - e->pool_birth_ns > e->pool_max_age_ns ||
	     e->pool_fork_gen != __atomic_load_n(&fork_gen, __ATOMIC_RELAXED))) {
		pool_drop(e);
		/* A refill follows: OpenSSL may reseed by time then. */
		e->since_poll = e->poll_every;
	}
	while (len > 0) {
		size_t n;

		if (e->pool_pos == e->pool_len) {
			/* The generate request overwrites every delivered byte. */
			e->pool_pos = e->pool_len = e->pool_dirty = 0;
			if (drbg_generate(e, e->pool, e->chunk_bytes) != 0) {
				/* OpenSSL may have written part of it. */
				explicit_bzero(e->pool, e->chunk_bytes);
				return -EIO;
			}
			e->pool_len = e->chunk_bytes;
			/* The vDSO's coarse clock: no system call, a few ns. */
			e->pool_birth_ns = vrtc_clock_ns(CLOCK_MONOTONIC_COARSE);
			e->pool_fork_gen = __atomic_load_n(&fork_gen, __ATOMIC_RELAXED);
		}
		n = VRTC_MIN(len, e->pool_len - e->pool_pos);
		memcpy(p, e->pool + e->pool_pos, n);
		e->pool_pos += n; /* delivered: wiped by vrtc_entropy_quiesce() */
		p += n;
		len -= n;
	}
	return 0;
}

static int
drbg_fill(struct vrtc_entropy *e, uint8_t *p, size_t len)
{
	if (len <= POOL_FILL_MAX && e->pool != NULL)
		return drbg_fill_pooled(e, p, len);
	while (len > 0) {
		size_t n = VRTC_MIN(len, e->chunk_bytes);

		if (drbg_generate(e, p, n) != 0)
			return -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

static int
drbg_reseed(struct vrtc_entropy *e)
{
	int rc = 0;

	/* Bytes generated from the old seed are not handed out any more. */
	pool_drop(e);
	e->pool_requests = 1;
	if (EVP_RAND_reseed(e->drbg, 0, NULL, 0, NULL, 0) != 1) {
		log_ossl(VRTC_LOG_ERR, "drbg: reseed from the OS failed");
		rc = -EIO;
	}
	drbg_poll_reseeds(e);
	return rc;
}

static int
drbg_available(void)
{
	EVP_RAND *rand = EVP_RAND_fetch(NULL, "CTR-DRBG", NULL);

	if (rand == NULL) {
		ERR_clear_error();
		return 0;
	}
	EVP_RAND_free(rand);
	return 1;
}

/* ---- getrandom ---- */

/* One getrandom() call's worth, into our own buffer: never a guest page. */
static int
getrandom_gen(struct vrtc_entropy *e, size_t want, size_t *got)
{
	for (;;) {
		/* The kernel may return less than asked (signals). */
		ssize_t n = getrandom(e->buf, want, 0);

		if (vrtc_likely(n > 0)) {
			*got = (size_t)n;
			return 0;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -errno : -EIO;
	}
}

static int
getrandom_fill(struct vrtc_entropy *e, uint8_t *p, size_t len)
{
	e->buf_idle_calls = 0;
	while (len > 0) {
		size_t n = 0;
		int rc = getrandom_gen(e, VRTC_MIN(len, GETRANDOM_BUF_BYTES), &n);

		if (vrtc_unlikely(rc != 0)) {
			if (error_worth_logging(e->stats.errors + 1))
				vrtc_log(VRTC_LOGC_ENTROPY, VRTC_LOG_ERR, "getrandom: %s",
					 strerror(-rc));
			return rc;
		}
		if (n > e->buf_dirty)
			e->buf_dirty = n;
		memcpy(p, e->buf, n);
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Probe getrandom(2). With wait set, also wait until the kernel's generator
 * has been seeded (only ever a wait early in boot).
 */
static int
getrandom_probe(int wait)
{
	unsigned char byte;
	ssize_t n;
	int err = 0;

	do {
		n = getrandom(&byte, 1, wait ? 0 : GRND_NONBLOCK);
		if (n < 0)
			err = errno;
	} while (n < 0 && err == EINTR);
	OPENSSL_cleanse(&byte, sizeof(byte));
	if (n == 1 || (n < 0 && err == EAGAIN))
		return 0;
	return n < 0 ? -err : -EIO;
}

/* ---- callback ---- */

static int
callback_fill(struct vrtc_entropy *e, uint8_t *p, size_t len)
{
	int rc = e->cb_fill(e->cb_ctx, p, len);

	if (vrtc_likely(rc == 0))
		return 0;
	if (rc > 0 || rc == INT_MIN)
		rc = -EIO; /* not an -errno: the contract says 0 or -errno */
	if (error_worth_logging(e->stats.errors + 1))
		vrtc_log(VRTC_LOGC_ENTROPY, VRTC_LOG_ERR, "callback: %s", strerror(-rc));
	return rc;
}

/* ---- file ---- */

static int
file_fill(struct vrtc_entropy *e, uint8_t *p, size_t len)
{
	/* Short of bytes is the normal state of a slow device: the caller
	 * asks vrtc_entropy_ready() first, so this is neither logged nor an
	 * error of the file (the reader counts and logs those). */
	return vrtc_entropy_file_take(e->file, p, len);
}

int
vrtc_entropy_create_file(const char *path, struct vrtc_entropy **out)
{
	struct vrtc_entropy *e;
	int rc;

	*out = NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->kind = VRTC_ENTROPY_FILE;
	rc = vrtc_entropy_file_open(path, &e->file);
	if (rc != 0) {
		free(e);
		return rc;
	}
	*out = e;
	return 0;
}

size_t
vrtc_entropy_ready(const struct vrtc_entropy *e)
{
	if (e->kind != VRTC_ENTROPY_FILE)
		return SIZE_MAX;
	return vrtc_entropy_file_ready(e->file);
}

int
vrtc_entropy_file_stats(const struct vrtc_entropy *e, struct vrtc_entropy_file_stats *st)
{
	if (e->kind != VRTC_ENTROPY_FILE) {
		memset(st, 0, sizeof(*st));
		return -EINVAL;
	}
	vrtc_entropy_file_stats_get(e->file, st);
	return 0;
}

/* ---- rdseed / rdrand ---- */

#if defined(__x86_64__)

__attribute__((target("rdseed"))) static inline int
rdseed_word(uint64_t *v)
{
	unsigned long long x;
	unsigned int i;

	for (i = 0; i < RDSEED_TRIES; i++) {
		if (_rdseed64_step(&x)) {
			*v = x;
			return 0;
		}
		_mm_pause();
	}
	return -EAGAIN;
}

__attribute__((target("rdrnd"))) static inline int
rdrand_word(uint64_t *v)
{
	unsigned long long x;
	unsigned int i;

	for (i = 0; i < RDRAND_TRIES; i++) {
		if (_rdrand64_step(&x)) {
			*v = x;
			return 0;
		}
	}
	return -EIO;
}

__attribute__((target("rdseed"))) static int
rdseed_fill(uint8_t *p, size_t len)
{
	uint64_t v;
	int rc;

	for (; len >= sizeof(v); p += sizeof(v), len -= sizeof(v)) {
		rc = rdseed_word(&v);
		if (vrtc_unlikely(rc != 0))
			goto out;
		memcpy(p, &v, sizeof(v));
	}
	rc = 0;
	if (len > 0) {
		rc = rdseed_word(&v);
		if (rc == 0)
			memcpy(p, &v, len);
	}
out:
	OPENSSL_cleanse(&v, sizeof(v));
	return rc;
}

__attribute__((target("rdrnd"))) static int
rdrand_fill(uint8_t *p, size_t len)
{
	uint64_t v;
	int rc;

	for (; len >= sizeof(v); p += sizeof(v), len -= sizeof(v)) {
		rc = rdrand_word(&v);
		if (vrtc_unlikely(rc != 0))
			goto out;
		memcpy(p, &v, sizeof(v));
	}
	rc = 0;
	if (len > 0) {
		rc = rdrand_word(&v);
		if (rc == 0)
			memcpy(p, &v, len);
	}
out:
	OPENSSL_cleanse(&v, sizeof(v));
	return rc;
}

static int
cpu_word(enum vrtc_entropy_kind kind, uint64_t *v)
{
	return kind == VRTC_ENTROPY_RDSEED ? rdseed_word(v) : rdrand_word(v);
}

static int
cpu_has(enum vrtc_entropy_kind kind)
{
	unsigned int eax, ebx, ecx, edx;

	if (kind == VRTC_ENTROPY_RDRAND)
		return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_RDRND) != 0;
	return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & bit_RDSEED) != 0;
}

/*
 * The instruction exists and gives values that are not all the same
 * (Linux runs the same check at boot, for the same reason).
 */
static int
cpu_usable(enum vrtc_entropy_kind kind, int verbose)
{
	uint64_t first = 0, v = 0;
	unsigned int i, got = 0, differ = 0;

	if (!cpu_has(kind))
		return 0;
	for (i = 0; i < CPU_CHECK_SAMPLES; i++) {
		if (cpu_word(kind, &v) != 0)
			continue;
		if (got++ == 0)
			first = v;
		else if (v != first)
			differ = 1;
	}
	OPENSSL_cleanse(&v, sizeof(v));
	OPENSSL_cleanse(&first, sizeof(first));
	if (got >= 2 && differ)
		return 1;
	if (verbose)
		vrtc_log(VRTC_LOGC_ENTROPY, VRTC_LOG_WARNING,
			 "%s: the CPU advertises it but %s; not using it",
			 vrtc_entropy_kind_name(kind),
			 got < 2 ? "it gives no values" : "it returns a constant");
	return 0;
}

#else /* !__x86_64__ */

static int
cpu_usable(enum vrtc_entropy_kind kind, int verbose)
{
	(void)kind;
	(void)verbose;
	return 0;
}

#endif /* __x86_64__ */

static int
cpu_fill(struct vrtc_entropy *e, uint8_t *p, size_t len)
{
#if defined(__x86_64__)
	int rc;

	if (e->kind == VRTC_ENTROPY_RDSEED)
		rc = rdseed_fill(p, len);
	else
		rc = rdrand_fill(p, len);
	if (vrtc_unlikely(rc != 0) && error_worth_logging(e->stats.errors + 1))
		vrtc_log(VRTC_LOGC_ENTROPY, rc == -EAGAIN ? VRTC_LOG_WARNING : VRTC_LOG_ERR,
			 "%s: %s", vrtc_entropy_kind_name(e->kind),
			 rc == -EAGAIN ? "the CPU has no seed ready (too many consumers)"
				       : "the CPU's generator keeps failing");
	return rc;
#else
	(void)e;
	(void)p;
	(void)len;
	return -ENOTSUP;
#endif
}

/* ---- common ---- */

int
vrtc_entropy_available(enum vrtc_entropy_kind kind)
{
	switch (kind) {
	case VRTC_ENTROPY_DRBG:
		return drbg_available();
	case VRTC_ENTROPY_GETRANDOM:
		return getrandom_probe(0) == 0;
	case VRTC_ENTROPY_RDSEED:
	case VRTC_ENTROPY_RDRAND:
		return cpu_usable(kind, 0);
	default:
		return 0;
	}
}

void
vrtc_entropy_destroy(struct vrtc_entropy *e)
{
	if (e == NULL)
		return;
	if (e->drbg != NULL) {
		/* Uninstantiation zeroes the DRBG state; freeing does again. */
		EVP_RAND_uninstantiate(e->drbg);
		EVP_RAND_CTX_free(e->drbg);
	}
	if (e->pool != NULL) {
		explicit_bzero(e->pool, POOL_BYTES);
		free(e->pool);
	}
	if (e->buf != NULL) {
		explicit_bzero(e->buf, GETRANDOM_BUF_BYTES);
		free(e->buf);
	}
	vrtc_entropy_file_close(e->file);
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
}

int
vrtc_entropy_create(enum vrtc_entropy_kind kind, const struct vrtc_entropy_params *params,
		    struct vrtc_entropy **out)
{
	struct vrtc_entropy *e;
	int rc = 0;

	*out = NULL;
	if ((unsigned int)kind >= VRTC_ENTROPY_KIND_COUNT)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->kind = kind;

	switch (kind) {
	case VRTC_ENTROPY_DRBG:
		rc = drbg_init(e, params);
		break;
	case VRTC_ENTROPY_GETRANDOM:
		rc = getrandom_probe(1);
		if (rc != 0) {
			vrtc_log(VRTC_LOGC_ENTROPY, VRTC_LOG_ERR, "getrandom: %s", strerror(-rc));
			rc = rc == -ENOSYS ? -ENOTSUP : -EIO;
			break;
		}
		e->buf = malloc(GETRANDOM_BUF_BYTES);
		if (e->buf == NULL)
			rc = -ENOMEM;
		break;
	case VRTC_ENTROPY_RDSEED:
	case VRTC_ENTROPY_RDRAND:
		if (!cpu_usable(kind, 1))
			rc = -ENOTSUP;
		break;
	default:
		rc = -EINVAL;
		break;
	}
	if (rc != 0) {
		vrtc_entropy_destroy(e);
		return rc;
	}
	*out = e;
	return 0;
}

int
vrtc_entropy_create_callback(vrtc_entropy_fill_fn fill, void *ctx, struct vrtc_entropy **out)
{
	struct vrtc_entropy *e;

	*out = NULL;
	if (fill == NULL)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->kind = VRTC_ENTROPY_CALLBACK;
	e->cb_fill = fill;
	e->cb_ctx = ctx;
	*out = e;
	return 0;
}

int
vrtc_entropy_fill(struct vrtc_entropy *e, void *buf, size_t len)
{
	int rc;

	if (len == 0) {
		e->stats.calls++;
		return 0;
	}
	switch (e->kind) {
	case VRTC_ENTROPY_DRBG:
		rc = drbg_fill(e, buf, len);
		break;
	case VRTC_ENTROPY_GETRANDOM:
		rc = getrandom_fill(e, buf, len);
		break;
	case VRTC_ENTROPY_CALLBACK:
		rc = callback_fill(e, buf, len);
		break;
	case VRTC_ENTROPY_FILE:
		rc = file_fill(e, buf, len);
		break;
	default:
		rc = cpu_fill(e, buf, len);
		break;
	}
	if (vrtc_unlikely(rc != 0)) {
		e->stats.errors++;
		return rc;
	}
	e->stats.calls++;
	e->stats.bytes += len;
	return 0;
}

void
vrtc_entropy_quiesce(struct vrtc_entropy *e)
{
	if (e->pool != NULL && e->pool_pos != e->pool_dirty &&
	    ++e->pool_idle_calls >= POOL_IDLE_CALLS)
		pool_wipe_delivered(e);
	if (e->buf_dirty != 0 && ++e->buf_idle_calls >= POOL_IDLE_CALLS) {
		explicit_bzero(e->buf, e->buf_dirty);
		e->buf_dirty = 0;
	}
}

int
vrtc_entropy_reseed(struct vrtc_entropy *e)
{
	if (e->kind != VRTC_ENTROPY_DRBG)
		return 0;
	return drbg_reseed(e);
}

const struct vrtc_entropy_stats *
vrtc_entropy_stats(const struct vrtc_entropy *e)
{
	return &e->stats;
}

enum vrtc_entropy_kind
vrtc_entropy_kind_of(const struct vrtc_entropy *e)
{
	return e->kind;
}
