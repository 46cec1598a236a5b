/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

#include "guest_write.h"

/* Out of line: reached only with a dirty log installed, so the inline
 * callers stay one test and a not-taken branch. */
void
vrtc_gw_log_slow(const struct vrtc_guest_log *log, uint64_t gpa, uint64_t len)
{
	log->dirty(log->opaque, gpa, len);
}

void
vrtc_gw_ring_slow(const struct vrtc_guest_log *log, int gpa_ok, uint64_t gpa, uint64_t len)
{
	if (gpa_ok)
		log->dirty(log->opaque, gpa, len);
}
