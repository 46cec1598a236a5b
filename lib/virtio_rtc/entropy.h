/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Entropy sources behind one interface, for the virtio-rng model.
 *
 * - drbg: OpenSSL 3 CTR-DRBG (AES-256) through EVP_RAND, seeded from the
 *   operating system, reseeded within NIST SP 800-90A limits. The default.
 *   One instance per worker: an instance is not thread-safe and takes no
 *   lock.
 * - getrandom: the kernel's CSPRNG through getrandom(2), generated into a
 *   buffer of the source's own and copied out (never into the caller's
 *   memory directly: glibc >= 2.41 runs it in the vDSO, which faults instead
 *   of failing with EFAULT).
 * - rdseed / rdrand: the CPU's generators, when CPUID says they exist.
 * - callback: bytes from the embedding application's own function
 *   (vrtc_entropy_create_callback()), e.g. a hardware generator it drives.
 * - file: bytes read from a file or device (vrtc_entropy_create_file()),
 *   e.g. the host's /dev/hwrng, by a reader thread of its own into a ring
 *   the data path takes from without waiting (entropy_file.c).
 *
 * No cipher or DRBG is implemented here: this file only drives OpenSSL,
 * the kernel and the CPU instructions.
 */

#ifndef VRTC_ENTROPY_H
#define VRTC_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

enum vrtc_entropy_kind {
	VRTC_ENTROPY_DRBG,
	VRTC_ENTROPY_GETRANDOM,
	VRTC_ENTROPY_RDSEED,
	VRTC_ENTROPY_RDRAND,
	/** Number of built-in kinds (the ones above): those vrtc_entropy_create()
	 * makes and vrtc_entropy_kind_parse() names. */
	VRTC_ENTROPY_KIND_COUNT,
	/** Not built in: made only by vrtc_entropy_create_callback(). */
	VRTC_ENTROPY_CALLBACK,
	/** Not built in: made only by vrtc_entropy_create_file(). */
	VRTC_ENTROPY_FILE,
};

/**
 * An application's entropy: write exactly @p len random bytes at @p buf.
 *
 * @p buf may be guest memory: write it, do not read it, keep no pointer to
 * it. Called from the worker that serves the device, on the data path: it
 * should not block (no lock another thread holds long, no waiting for a
 * device); one source is used by one thread at a time, so @p ctx needs no
 * lock of its own unless the application shares it. @p len is at least 1
 * and at most a buffer's size (up to 4 GiB - 1 in principle).
 *
 * @return 0 when all @p len bytes were written, or -errno (the bytes are
 *   not used; the failure is counted in the source's errors). A positive
 *   return is taken as -EIO.
 */
typedef int (*vrtc_entropy_fill_fn)(void *ctx, void *buf, size_t len);

/** Tunables; zero fields take the defaults. */
struct vrtc_entropy_params {
	/**
	 * drbg: reseed from the OS after this many generate calls
	 * (default 2^16; NIST SP 800-90A allows up to 2^48).
	 */
	uint64_t reseed_requests;
	/** drbg: reseed at least this often, in seconds (default 60). */
	uint64_t reseed_interval_s;
};

/** Counters of one source instance. */
struct vrtc_entropy_stats {
	uint64_t bytes;	  /**< bytes delivered */
	uint64_t calls;	  /**< fill calls that succeeded */
	uint64_t errors;  /**< fill calls that failed */
	uint64_t reseeds; /**< drbg: reseeds observed or forced */
};

/** Counters of a file source's reader (VRTC_ENTROPY_FILE). */
struct vrtc_entropy_file_stats {
	uint64_t bytes_read;  /**< bytes read from the file */
	uint64_t reads;	      /**< read(2) calls that gave bytes */
	uint64_t eof;	      /**< 1 once the file ended (it is not read again) */
	uint64_t read_errors; /**< read(2) failures (each retried after a back-off) */
	uint64_t would_block; /**< reads that found nothing yet (EAGAIN) */
	uint64_t buffered;    /**< bytes read and not yet delivered */
};

struct vrtc_entropy;

/**
 * Create a source. @return 0 with @p out set, -ENOTSUP when the CPU or the
 * library lacks it, -ENOMEM, or -EIO (OpenSSL refused; the reason is logged).
 */
int vrtc_entropy_create(enum vrtc_entropy_kind kind, const struct vrtc_entropy_params *params,
			struct vrtc_entropy **out);

/**
 * Create a source of kind VRTC_ENTROPY_CALLBACK whose bytes come from
 * @p fill, called with @p ctx (borrowed: it must outlive the source).
 * @return 0 with @p out set, -EINVAL (@p fill is NULL), or -ENOMEM.
 */
int vrtc_entropy_create_callback(vrtc_entropy_fill_fn fill, void *ctx, struct vrtc_entropy **out);

/**
 * Create a source of kind VRTC_ENTROPY_FILE: @p path (a file, a FIFO, a
 * character device such as /dev/hwrng) is opened now, read-only and
 * non-blocking, by a reader thread that fills a 64 KiB ring in chunks of at
 * most 4 KiB. vrtc_entropy_fill() takes from the ring only and never waits:
 * it gives -EAGAIN when fewer bytes than asked are there (see
 * vrtc_entropy_ready()), -ENODATA once the file has ended and the ring is
 * empty. Bytes are delivered once and wiped from the ring as they are taken.
 * @return 0 with @p out set, or -errno (the file cannot be opened, is a
 *   directory, ...; logged with the path).
 */
int vrtc_entropy_create_file(const char *path, struct vrtc_entropy **out);

/**
 * How many bytes vrtc_entropy_fill() can give @p e right now without
 * failing: SIZE_MAX for every kind but VRTC_ENTROPY_FILE, for which it is
 * what its ring holds (0 while the file has nothing, and for good after its
 * end).
 */
size_t vrtc_entropy_ready(const struct vrtc_entropy *e);

/**
 * The reader's counters of a VRTC_ENTROPY_FILE source into @p st.
 * @return 0, or -EINVAL for a source of another kind (@p st zeroed).
 */
int vrtc_entropy_file_stats(const struct vrtc_entropy *e, struct vrtc_entropy_file_stats *st);

/** Destroy a source (NULL is fine); its state is wiped. */
void vrtc_entropy_destroy(struct vrtc_entropy *e);

/**
 * Fill @p buf with @p len random bytes, all or nothing.
 * @return 0, or -errno (nothing usable was written).
 */
int vrtc_entropy_fill(struct vrtc_entropy *e, void *buf, size_t len);

/**
 * Tell the source its device found nothing to do. After a few such calls in
 * a row (64) it wipes output it delivered and still holds (drbg: the part of
 * its output pool already handed out, see doc/virtio-rng.md; getrandom: its
 * copy buffer). Cheap: call it
 * on every poll that finds no buffer, as the poller does.
 */
void vrtc_entropy_quiesce(struct vrtc_entropy *e);

/** Force a reseed from the OS now (drbg); 0 for sources without state. */
int vrtc_entropy_reseed(struct vrtc_entropy *e);

/** The counters of @p e. */
const struct vrtc_entropy_stats *vrtc_entropy_stats(const struct vrtc_entropy *e);

/** The kind of @p e. */
enum vrtc_entropy_kind vrtc_entropy_kind_of(const struct vrtc_entropy *e);

/** Whether the built-in @p kind can be created on this machine (0 for
 * VRTC_ENTROPY_CALLBACK and VRTC_ENTROPY_FILE, which vrtc_entropy_create()
 * does not make). */
int vrtc_entropy_available(enum vrtc_entropy_kind kind);

/** "drbg", "getrandom", "rdseed", "rdrand", "callback", "file"; "?" for others. */
const char *vrtc_entropy_kind_name(enum vrtc_entropy_kind kind);

/** Parse a built-in kind's name ("callback" and "file" are not). @return 0 or -EINVAL. */
int vrtc_entropy_kind_parse(const char *name, enum vrtc_entropy_kind *kind);

#endif /* VRTC_ENTROPY_H */
