/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Tests of lib/virtio_rtc/entropy_file.c through the entropy source API
 * (vrtc_entropy_create_file()): a small file delivered byte for byte, a file
 * larger than the ring (the reader sleeps on a full ring and resumes), a
 * pipe (bytes as they come, fills that never wait, end of file when the
 * writer goes), a read error (/proc/self/mem at an unmapped offset gives
 * EIO), paths refused at creation, and a close while the reader waits.
 *
 * Waits for the reader thread are bounded polls (5 s), not speed checks.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "entropy.h"
#include "log.h"
#include "platform.h"
#include "test.h"

#define WAIT_MS 5000

static unsigned int nb_errors, nb_warnings;
static char last_msg[512];

static void
capture_sink(enum vrtc_log_component comp, enum vrtc_log_level level, const char *msg)
{
	if (comp != VRTC_LOGC_ENTROPY)
		return;
	if (level <= VRTC_LOG_ERR)
		nb_errors++;
	else if (level <= VRTC_LOG_WARNING)
		nb_warnings++;
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
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait until @p e has at least @p want bytes ready (or WAIT_MS). */
static size_t
wait_ready(const struct vrtc_entropy *e, size_t want)
{
	unsigned int ms;

	for (ms = 0; ms < WAIT_MS && vrtc_entropy_ready(e) < want; ms++)
		sleep_ms(1);
	return vrtc_entropy_ready(e);
}

/* Wait until the file source's end of file is counted (or WAIT_MS). */
static uint64_t
wait_eof(const struct vrtc_entropy *e)
{
	struct vrtc_entropy_file_stats st;
	unsigned int ms;

	for (ms = 0; ms < WAIT_MS; ms++) {
		vrtc_entropy_file_stats(e, &st);
		if (st.eof != 0)
			break;
		sleep_ms(1);
	}
	return st.eof;
}

static uint8_t
byte_at(size_t i)
{
	return (uint8_t)(i * 7 + i / 251);
}

/* A temporary file holding byte_at(0 .. len). */
static int
make_file(char *path, size_t path_len, size_t len)
{
	uint8_t *data = malloc(len);
	size_t i;
	int fd;

	snprintf(path, path_len, "/tmp/vrtc-test-entropy-file-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || data == NULL) {
		free(data);
		return -1;
	}
	for (i = 0; i < len; i++)
		data[i] = byte_at(i);
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		free(data);
		return -1;
	}
	close(fd);
	free(data);
	return 0;
}

/* Every byte of a small file, in fills of odd sizes; then -ENODATA. */
static void
test_small_file(void)
{
	const size_t len = 10000;
	struct vrtc_entropy_file_stats st;
	struct vrtc_entropy *e = NULL;
	char path[64];
	uint8_t buf[1000];
	size_t off = 0, n, i;

	T_CHECK(make_file(path, sizeof(path), len) == 0);
	capture_start();
	T_EQ_INT(vrtc_entropy_create_file(path, &e), 0);
	T_CHECK(e != NULL);
	T_EQ(vrtc_entropy_kind_of(e), VRTC_ENTROPY_FILE);
	T_CHECK(strcmp(vrtc_entropy_kind_name(VRTC_ENTROPY_FILE), "file") == 0);
	T_EQ(wait_ready(e, len), len);
	T_EQ(wait_eof(e), 1);
	T_EQ_INT(vrtc_entropy_fill(e, buf, 0), 0); /* takes nothing */
	while (off < len) {
		n = VRTC_MIN((size_t)(1 + (off * 13) % 997), len - off);
		T_EQ(vrtc_entropy_ready(e), len - off);
		T_EQ_INT(vrtc_entropy_fill(e, buf, n), 0);
		for (i = 0; i < n; i++)
			if (buf[i] != byte_at(off + i))
				T_FAIL_AT("byte %zu: %02x != %02x", off + i, buf[i],
					  byte_at(off + i));
		off += n;
	}
	T_EQ(vrtc_entropy_ready(e), 0);
	T_EQ_INT(vrtc_entropy_fill(e, buf, 1), -ENODATA);
	vrtc_entropy_file_stats(e, &st);
	T_EQ(st.bytes_read, len);
	T_EQ(st.eof, 1);
	T_EQ(st.read_errors, 0);
	T_EQ(st.buffered, 0);
	T_EQ(vrtc_entropy_stats(e)->bytes, len);
	T_EQ(vrtc_entropy_stats(e)->errors, 1); /* the -ENODATA fill */
	vrtc_log_set_sink(NULL);
	/* One line for the end of file, naming the path. */
	T_EQ(nb_warnings, 1);
	T_EQ(nb_errors, 0);
	T_CHECK(strstr(last_msg, path) != NULL && strstr(last_msg, "end of file") != NULL);
	vrtc_entropy_destroy(e);
	unlink(path);
}

/* A file of 4.5 rings: the reader stops on a full ring and resumes when
 * the consumer makes room; every byte arrives once, in order. */
static void
test_larger_than_ring(void)
{
	const size_t len = 4 * 65536 + 32768;
	struct vrtc_entropy_file_stats st;
	struct vrtc_entropy *e = NULL;
	char path[64];
	uint8_t buf[4096];
	size_t off = 0, n, i;
	unsigned int bad = 0;

	T_CHECK(make_file(path, sizeof(path), len) == 0);
	T_EQ_INT(vrtc_entropy_create_file(path, &e), 0);
	/* It fills the ring and no more. */
	T_EQ(wait_ready(e, 65536), 65536);
	sleep_ms(20);
	T_EQ(vrtc_entropy_ready(e), 65536);
	vrtc_entropy_file_stats(e, &st);
	T_EQ(st.bytes_read, 65536);
	T_EQ(st.eof, 0);
	while (off < len) {
		n = VRTC_MIN(sizeof(buf) - (off % 3), len - off);
		T_CHECK(wait_ready(e, n) >= n);
		T_EQ_INT(vrtc_entropy_fill(e, buf, n), 0);
		for (i = 0; i < n; i++)
			bad += buf[i] != byte_at(off + i);
		off += n;
	}
	T_EQ(bad, 0);
	T_EQ(wait_eof(e), 1);
	T_EQ_INT(vrtc_entropy_fill(e, buf, 1), -ENODATA);
	vrtc_entropy_file_stats(e, &st);
	T_EQ(st.bytes_read, len);
	printf("     %zu bytes in %" PRIu64 " reads\n", len, st.reads);
	T_CHECK(st.reads >= len / 4096);
	vrtc_entropy_destroy(e);
	unlink(path);
}

/* A pipe: bytes are served as they come, a fill never waits for more, the
 * writer's close is the end of file. */
static void
test_pipe(void)
{
	struct vrtc_entropy_file_stats st;
	struct vrtc_entropy *e = NULL;
	uint8_t out[256], in[256];
	char path[64];
	int fds[2];
	size_t i;

	for (i = 0; i < sizeof(out); i++)
		out[i] = byte_at(i + 100);
	T_CHECK(pipe(fds) == 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	capture_start();
	T_EQ_INT(vrtc_entropy_create_file(path, &e), 0);
	close(fds[0]); /* the source has its own open file */
	/* Nothing written yet: a fill fails at once, and is no read error. */
	T_EQ(vrtc_entropy_ready(e), 0);
	T_EQ_INT(vrtc_entropy_fill(e, in, 1), -EAGAIN);
	T_CHECK(write(fds[1], out, 100) == 100);
	T_EQ(wait_ready(e, 100), 100);
	T_EQ_INT(vrtc_entropy_fill(e, in, 60), 0);
	T_EQ_MEM(in, out, 60);
	T_EQ(vrtc_entropy_ready(e), 40);
	T_EQ_INT(vrtc_entropy_fill(e, in, 41), -EAGAIN); /* all or nothing */
	T_EQ(vrtc_entropy_ready(e), 40);
	T_CHECK(write(fds[1], out + 100, 156) == 156);
	T_EQ(wait_ready(e, 196), 196);
	T_EQ_INT(vrtc_entropy_fill(e, in, 196), 0);
	T_EQ_MEM(in, out + 60, 196);
	vrtc_entropy_file_stats(e, &st);
	T_EQ(st.eof, 0);
	T_EQ(st.read_errors, 0);
	T_CHECK(st.reads >= 2);
	close(fds[1]);
	T_EQ(wait_eof(e), 1);
	T_EQ_INT(vrtc_entropy_fill(e, in, 1), -ENODATA);
	vrtc_log_set_sink(NULL);
	T_EQ(nb_errors, 0);
	T_EQ(nb_warnings, 1);
	vrtc_entropy_destroy(e);
}

/* A read error: /proc/self/mem at offset 0 (never mapped) gives EIO.
 * Counted, logged on the 1st, 2nd, 4th... failure, retried; no byte served,
 * no end of file; close does not wait for the back-off. */
static void
test_read_error(void)
{
	struct vrtc_entropy_file_stats st;
	struct vrtc_entropy *e = NULL;
	unsigned int ms;
	uint8_t buf[16];

	capture_start();
	T_EQ_INT(vrtc_entropy_create_file("/proc/self/mem", &e), 0);
	for (ms = 0; ms < WAIT_MS; ms++) {
		vrtc_entropy_file_stats(e, &st);
		if (st.read_errors >= 3)
			break;
		sleep_ms(1);
	}
	T_CHECK(st.read_errors >= 3);
	T_EQ(st.eof, 0);
	T_EQ(st.bytes_read, 0);
	T_EQ(vrtc_entropy_ready(e), 0);
	T_EQ_INT(vrtc_entropy_fill(e, buf, sizeof(buf)), -EAGAIN);
	vrtc_entropy_destroy(e); /* joins the reader: its lines are all in */
	vrtc_log_set_sink(NULL);
	printf("     %" PRIu64 " read errors in %u ms: %s\n", st.read_errors, ms, last_msg);
	/* Errors 1, 2 (and 4 if it got that far): a line each, not per try.
	 * An 8th failure would need 1.2 s more of back-off than the test took. */
	T_CHECK(nb_errors >= 2 && nb_errors <= 3);
	T_CHECK(strstr(last_msg, "/proc/self/mem") != NULL && strstr(last_msg, "read failed"));
}

/* Paths refused at creation, each with its -errno and one error line. */
static void
test_refused_paths(void)
{
	struct vrtc_entropy *e = (struct vrtc_entropy *)(uintptr_t)1;

	capture_start();
	T_EQ_INT(vrtc_entropy_create_file("/nonexistent/vrtc-entropy", &e), -ENOENT);
	T_CHECK(e == NULL);
	T_EQ(nb_errors, 1);
	T_CHECK(strstr(last_msg, "/nonexistent/vrtc-entropy") != NULL);
	T_EQ_INT(vrtc_entropy_create_file("/tmp", &e), -EISDIR);
	T_EQ(nb_errors, 2);
	T_EQ_INT(vrtc_entropy_create_file("", &e), -EINVAL);
	T_EQ_INT(vrtc_entropy_create_file(NULL, &e), -EINVAL);
	vrtc_log_set_sink(NULL);
	T_CHECK(e == NULL);
	/* Not a built-in kind: not made by name. */
	T_EQ_INT(vrtc_entropy_available(VRTC_ENTROPY_FILE), 0);
	T_EQ_INT(vrtc_entropy_create(VRTC_ENTROPY_FILE, NULL, &e), -EINVAL);
	/* The other kinds have no reader. */
	{
		struct vrtc_entropy_file_stats st;

		T_EQ_INT(vrtc_entropy_create(VRTC_ENTROPY_GETRANDOM, NULL, &e), 0);
		T_EQ(vrtc_entropy_ready(e), SIZE_MAX);
		T_EQ_INT(vrtc_entropy_file_stats(e, &st), -EINVAL);
		T_EQ(st.bytes_read, 0);
		vrtc_entropy_destroy(e);
	}
}

/* Destroy while the reader sleeps on an empty pipe, and while it sleeps on
 * a full ring: both return (the test's 360 s bound is the hang guard). */
static void
test_close_while_waiting(void)
{
	static uint8_t chunk[65536 + 4096];
	struct vrtc_entropy *e = NULL;
	char path[64];
	int fds[2];

	T_CHECK(pipe(fds) == 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	T_EQ_INT(vrtc_entropy_create_file(path, &e), 0);
	sleep_ms(5);
	vrtc_entropy_destroy(e);
	/* Full ring: more than a ring's worth written (the pipe keeps the rest). */
	T_EQ_INT(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
	T_EQ_INT(vrtc_entropy_create_file(path, &e), 0);
	T_CHECK(write(fds[1], chunk, 32768) == 32768);
	T_CHECK(write(fds[1], chunk, 32768) == 32768);
	T_EQ(wait_ready(e, 65536), 65536);
	(void)!write(fds[1], chunk, 4096);
	sleep_ms(5);
	vrtc_entropy_destroy(e);
	close(fds[0]);
	close(fds[1]);
}

static const struct t_case cases[] = {
	T_CASE(test_small_file),
	T_CASE(test_larger_than_ring),
	T_CASE(test_pipe),
	T_CASE(test_read_error),
	T_CASE(test_refused_paths),
	T_CASE(test_close_while_waiting),
};

T_MAIN(cases)
