/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal to the core: the reader behind the "file" entropy source
 * (entropy.c, VRTC_ENTROPY_FILE). A thread of its own reads the file or
 * device in bounded chunks into a single-producer single-consumer byte ring;
 * the data path only takes what the ring already holds and never waits.
 * See entropy_file.c for the states and doc/virtio-rng.md for what a guest
 * sees.
 */

#ifndef VRTC_ENTROPY_FILE_H
#define VRTC_ENTROPY_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "entropy.h"

struct vrtc_entropy_file;

/**
 * Open @p path (read-only, non-blocking) and start its reader thread.
 * @return 0 with @p out set, -errno of open(2) (logged with the path),
 *   -EISDIR for a directory, -ENAMETOOLONG, -ENOMEM, or -errno of
 *   pthread_create.
 */
int vrtc_entropy_file_open(const char *path, struct vrtc_entropy_file **out);

/** Stop the reader, close the file, wipe the ring (NULL is fine). */
void vrtc_entropy_file_close(struct vrtc_entropy_file *f);

/** Bytes the ring holds now: what vrtc_entropy_file_take() can give at once. */
size_t vrtc_entropy_file_ready(const struct vrtc_entropy_file *f);

/**
 * Copy exactly @p len bytes out of the ring into @p buf and wipe them there.
 * Never blocks. @return 0, or -EAGAIN when fewer than @p len are ready
 * (nothing taken; -ENODATA instead once the file has ended or failed for good
 * and the ring is empty).
 */
int vrtc_entropy_file_take(struct vrtc_entropy_file *f, void *buf, size_t len);

/** A snapshot of the reader's counters (see struct vrtc_entropy_file_stats). */
void vrtc_entropy_file_stats_get(const struct vrtc_entropy_file *f,
				 struct vrtc_entropy_file_stats *st);

/** The path it was opened with. */
const char *vrtc_entropy_file_path(const struct vrtc_entropy_file *f);

#endif /* VRTC_ENTROPY_FILE_H */
