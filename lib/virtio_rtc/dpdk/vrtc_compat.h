/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: every difference between the DPDK releases we build on
 * (22.11, 24.11, 25.11) lives here, and nowhere else.
 */

#ifndef VRTC_COMPAT_H
#define VRTC_COMPAT_H

#include <rte_version.h>

/* rte_tel_data_add_dict_u64 is deprecated in 24.11 and gone in 25.11;
 * rte_tel_data_add_dict_uint exists from 23.03. */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define VRTC_TEL_ADD_DICT_U64(d, name, v) rte_tel_data_add_dict_uint((d), (name), (v))
#else
#define VRTC_TEL_ADD_DICT_U64(d, name, v) rte_tel_data_add_dict_u64((d), (name), (v))
#endif

#endif /* VRTC_COMPAT_H */
