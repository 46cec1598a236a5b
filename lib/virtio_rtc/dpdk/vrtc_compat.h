/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: the one place where the DPDK releases we build on differ.
 *
 * Supported: 22.11 (Debian 12), 24.11 (Debian 13), 25.11 (Debian sid). Every
 * test of the DPDK version lives in this header, written against
 * RTE_VERSION / RTE_VERSION_NUM of rte_version.h; the rest of the code calls
 * the vrtc_ names below and never tests a version itself.
 */

#ifndef VRTC_COMPAT_H
#define VRTC_COMPAT_H

#include <stdint.h>

#include <rte_telemetry.h>
#include <rte_version.h>

#if RTE_VERSION < RTE_VERSION_NUM(22, 11, 0, 0)
#error "dpdk-rtcd needs DPDK 22.11 or newer"
#endif

/*
 * Telemetry: rte_tel_data_add_dict_uint() appeared in 23.03; its predecessor
 * rte_tel_data_add_dict_u64() is deprecated from 23.03 on (a -Werror build
 * fails on 24.11) and removed in 25.11.
 */
static inline int
vrtc_tel_dict_add_uint(struct rte_tel_data *d, const char *name, uint64_t val)
{
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
	return rte_tel_data_add_dict_uint(d, name, val);
#else
	return rte_tel_data_add_dict_u64(d, name, val);
#endif
}

#endif /* VRTC_COMPAT_H */
