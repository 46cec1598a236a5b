/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: helpers shared by the argument parsers (device_args.c and the
 * front-end vdev driver).
 */

#ifndef VRTC_ARGS_H
#define VRTC_ARGS_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/**
 * Parse a decimal integer in [min, max]: digits only (no sign, no spaces,
 * no trailing characters).
 * @return 0 with @p out set, or -EINVAL.
 */
static inline int
vrtc_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

#endif /* VRTC_ARGS_H */
