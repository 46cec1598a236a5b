/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The "file" entropy source's reader: bytes from a file or a device (a host
 * hardware RNG such as /dev/hwrng, a TPM's, a FIFO, any file) for the
 * virtio-rng data path, which must never wait for them.
 *
 * One reader thread per source reads the file, opened O_NONBLOCK, in chunks
 * of at most READ_CHUNK bytes into a ring of RING_BYTES (single producer:
 * the reader; single consumer: the worker serving the device). The ring is
 * a power of two, indexed by free-running 64-bit byte counts: head (bytes
 * ever written, the reader's) and tail (bytes ever taken, the consumer's),
 * each published with release and read with acquire ordering. The consumer
 * copies out, wipes what it took, then moves tail: a delivered byte is never
 * left in the ring.
 *
 * The reader sleeps in poll(2) on an eventfd (wakefd) plus, when the file
 * has nothing for it, the file itself:
 * - ring full: it sets want_space and sleeps on wakefd; the consumer writes
 *   wakefd only when it moved tail while want_space was set (one system call
 *   per refill, not per request);
 * - read gives EAGAIN: it sleeps until the file is readable, at most
 *   POLL_WAIT_MS; if the file says it is readable and still gives EAGAIN
 *   (devices without poll support, such as the kernel's hw_random), it
 *   backs off 1, 2, 4 ... up to BACKOFF_MAX_MS between tries;
 * - read fails (EIO from a flaky device, ...): counted, logged on the 1st,
 *   2nd, 4th ... failure, and tried again after a back-off growing to
 *   ERROR_RETRY_MAX_MS; bytes already in the ring stay usable;
 * - end of file (read returns 0: a regular file read to its end, a FIFO
 *   whose writers are gone): logged once, counted, and final. The reader
 *   only waits for its stop; the consumer gets -ENODATA once the ring is
 *   empty.
 * Stopping sets stop and writes wakefd; every wait above includes wakefd,
 * so close never waits for the file (a read of a non-blocking fd does not
 * block).
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "entropy_file.h"
#include "log.h"
#include "platform.h"

#define RING_BYTES ((size_t)65536)
#define RING_MASK (RING_BYTES - 1)
/* Most bytes one read(2) asks for. */
#define READ_CHUNK ((size_t)4096)
/* Longest wait for a file that poll(2) can watch. */
#define POLL_WAIT_MS 100
/* Back-off for a file that says "readable" and then gives EAGAIN. */
#define BACKOFF_MAX_MS 50
/* Back-off after a read error. */
#define ERROR_RETRY_MAX_MS 1000
/* Longest path kept (for logs and telemetry). */
#define PATH_MAX_LEN 4095

struct vrtc_entropy_file {
	/* consumer side */
	uint64_t tail vrtc_cache_aligned; /* atomic: bytes ever taken */
	/* reader side */
	uint64_t head vrtc_cache_aligned; /* atomic: bytes ever written */
	uint64_t bytes_read;		  /* atomic, the counters below too */
	uint64_t reads;
	uint64_t eof;
	uint64_t read_errors;
	uint64_t would_block;
	int last_errno;
	int ended; /* atomic: end of file reached */
	/* shared */
	int want_space vrtc_cache_aligned; /* atomic: the reader sleeps on a full ring */
	int stop;			   /* atomic */
	int fd;
	int wakefd;
	pthread_t thread;
	int started; /* thread is running */
	char *path;
	uint8_t *ring;
};

static int
error_worth_logging(uint64_t nb_errors)
{
	return (nb_errors & (nb_errors - 1)) == 0;
}

static void
bump(uint64_t *counter, uint64_t by)
{
	__atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + by,
			 __ATOMIC_RELAXED);
}

/* Sleep until wakefd fires or @p timeout_ms passes (-1: no limit); with
 * @p watch_file, also until the file is readable. Drains wakefd. */
static void
reader_wait(struct vrtc_entropy_file *f, int watch_file, int timeout_ms)
{
	struct pollfd pfd[2] = {
		{ .fd = f->wakefd, .events = POLLIN },
		{ .fd = f->fd, .events = POLLIN },
	};
	eventfd_t v;

	if (poll(pfd, watch_file ? 2 : 1, timeout_ms) > 0 && (pfd[0].revents & POLLIN))
		eventfd_read(f->wakefd, &v);
}

static int
stopping(const struct vrtc_entropy_file *f)
{
	return __atomic_load_n(&f->stop, __ATOMIC_ACQUIRE);
}

static void *
reader_main(void *arg)
{
	struct vrtc_entropy_file *f = arg;
	unsigned int backoff_ms = 0, error_ms = 0;
	uint64_t head = f->head;

	while (!stopping(f)) {
		uint64_t tail = __atomic_load_n(&f->tail, __ATOMIC_ACQUIRE);
		size_t space = RING_BYTES - (size_t)(head - tail), idx, n;
		ssize_t got;

		if (space == 0) {
			__atomic_store_n(&f->want_space, 1, __ATOMIC_SEQ_CST);
			/* The consumer may have moved tail before it saw the flag. */
			if (__atomic_load_n(&f->tail, __ATOMIC_SEQ_CST) == tail)
				reader_wait(f, 0, -1);
			__atomic_store_n(&f->want_space, 0, __ATOMIC_RELAXED);
			continue;
		}
		idx = (size_t)head & RING_MASK;
		n = VRTC_MIN(VRTC_MIN(space, RING_BYTES - idx), READ_CHUNK);
		got = read(f->fd, f->ring + idx, n);
		if (got > 0) {
			head += (uint64_t)got;
			__atomic_store_n(&f->head, head, __ATOMIC_RELEASE);
			bump(&f->bytes_read, (uint64_t)got);
			bump(&f->reads, 1);
			backoff_ms = 0;
			error_ms = 0;
			continue;
		}
		if (got == 0) {
			/* Logged before it is published: whoever sees eof has the line. */
			vrtc_log(VRTC_LOGC_ENTROPY, VRTC_LOG_WARNING,
				 "file %s: end of file after %" PRIu64 " bytes; requests now wait "
				 "for entropy that will not come (restart the device with another "
				 "source)",
				 f->path, __atomic_load_n(&f->bytes_read, __ATOMIC_RELAXED));
			__atomic_store_n(&f->eof, 1, __ATOMIC_RELEASE);
			__atomic_store_n(&f->ended, 1, __ATOMIC_RELEASE);
			while (!stopping(f))
				reader_wait(f, 0, -1);
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			bump(&f->would_block, 1);
			if (backoff_ms == 0) {
				reader_wait(f, 1, POLL_WAIT_MS);
				backoff_ms = 1;
			} else {
				reader_wait(f, 0, (int)backoff_ms);
				backoff_ms = VRTC_MIN(backoff_ms * 2, (unsigned int)BACKOFF_MAX_MS);
			}
			continue;
		}
		f->last_errno = errno;
		bump(&f->read_errors, 1);
		error_ms = error_ms == 0 ? 10 :
			   VRTC_MIN(error_ms * 2, (unsigned int)ERROR_RETRY_MAX_MS);
		if (error_worth_logging(__atomic_load_n(&f->read_errors, __ATOMIC_RELAXED)))
			vrtc_log(VRTC_LOGC_ENTROPY, VRTC_LOG_ERR,
				 "file %s: read failed: %s (%" PRIu64 " failures so far); "
				 "retrying in %u ms",
				 f->path, strerror(f->last_errno),
				 __atomic_load_n(&f->read_errors, __ATOMIC_RELAXED), error_ms);
		reader_wait(f, 0, (int)error_ms);
	}
	return NULL;
}

void
vrtc_entropy_file_close(struct vrtc_entropy_file *f)
{
	if (f == NULL)
		return;
	if (f->started) {
		__atomic_store_n(&f->stop, 1, __ATOMIC_RELEASE);
		eventfd_write(f->wakefd, 1);
		pthread_join(f->thread, NULL);
	}
	if (f->fd >= 0)
		close(f->fd);
	if (f->wakefd >= 0)
		close(f->wakefd);
	if (f->ring != NULL) {
		explicit_bzero(f->ring, RING_BYTES);
		free(f->ring);
	}
	free(f->path);
	free(f);
}

int
vrtc_entropy_file_open(const char *path, struct vrtc_entropy_file **out)
{
	struct vrtc_entropy_file *f;
	struct stat st;
	int rc;

	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return -EINVAL;
	if (strlen(path) > PATH_MAX_LEN) {
		vrtc_log(VRTC_LOGC_ENTROPY, VRTC_LOG_ERR, "file: path longer than %d bytes",
			 PATH_MAX_LEN);
		return -ENAMETOOLONG;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	f->wakefd = -1;
	f->path = strdup(path);
	f->ring = malloc(RING_BYTES);
	if (f->path == NULL || f->ring == NULL) {
		f->fd = -1;
		vrtc_entropy_file_close(f);
		return -ENOMEM;
	}
	f->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (f->fd < 0) {
		rc = -errno;
		vrtc_log(VRTC_LOGC_ENTROPY, VRTC_LOG_ERR, "file %s: cannot open: %s", path,
			 strerror(-rc));
		vrtc_entropy_file_close(f);
		return rc;
	}
	if (fstat(f->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		vrtc_log(VRTC_LOGC_ENTROPY, VRTC_LOG_ERR, "file %s: is a directory", path);
		vrtc_entropy_file_close(f);
		return -EISDIR;
	}
	f->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (f->wakefd < 0) {
		rc = -errno;
		vrtc_entropy_file_close(f);
		return rc;
	}
	rc = pthread_create(&f->thread, NULL, reader_main, f);
	if (rc != 0) {
		vrtc_log(VRTC_LOGC_ENTROPY, VRTC_LOG_ERR, "file %s: cannot start its reader: %s",
			 path, strerror(rc));
		vrtc_entropy_file_close(f);
		return -rc;
	}
	f->started = 1;
	pthread_setname_np(f->thread, "vrtc-rng-file");
	*out = f;
	return 0;
}

size_t
vrtc_entropy_file_ready(const struct vrtc_entropy_file *f)
{
	return (size_t)(__atomic_load_n(&f->head, __ATOMIC_ACQUIRE) - f->tail);
}

int
vrtc_entropy_file_take(struct vrtc_entropy_file *f, void *buf, size_t len)
{
	uint64_t tail = f->tail;
	size_t ready = vrtc_entropy_file_ready(f), idx, first;

	if (vrtc_unlikely(ready < len)) {
		if (ready == 0 && __atomic_load_n(&f->ended, __ATOMIC_ACQUIRE) &&
		    vrtc_entropy_file_ready(f) == 0)
			return -ENODATA;
		return -EAGAIN;
	}
	idx = (size_t)tail & RING_MASK;
	first = VRTC_MIN(len, RING_BYTES - idx);
	memcpy(buf, f->ring + idx, first);
	explicit_bzero(f->ring + idx, first);
	if (len > first) {
		memcpy((uint8_t *)buf + first, f->ring, len - first);
		explicit_bzero(f->ring, len - first);
	}
	__atomic_store_n(&f->tail, tail + len, __ATOMIC_SEQ_CST);
	if (vrtc_unlikely(__atomic_load_n(&f->want_space, __ATOMIC_SEQ_CST)))
		eventfd_write(f->wakefd, 1);
	return 0;
}

void
vrtc_entropy_file_stats_get(const struct vrtc_entropy_file *f, struct vrtc_entropy_file_stats *st)
{
	st->bytes_read = __atomic_load_n(&f->bytes_read, __ATOMIC_RELAXED);
	st->reads = __atomic_load_n(&f->reads, __ATOMIC_RELAXED);
	st->eof = __atomic_load_n(&f->eof, __ATOMIC_ACQUIRE);
	st->read_errors = __atomic_load_n(&f->read_errors, __ATOMIC_RELAXED);
	st->would_block = __atomic_load_n(&f->would_block, __ATOMIC_RELAXED);
	st->buffered = (uint64_t)(__atomic_load_n(&f->head, __ATOMIC_ACQUIRE) -
				  __atomic_load_n(&f->tail, __ATOMIC_ACQUIRE));
}

const char *
vrtc_entropy_file_path(const struct vrtc_entropy_file *f)
{
	return f->path;
}
