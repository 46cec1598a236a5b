/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: registration of our vdev drivers, including the information
 * dpdk-pmdinfo.py reads. Include after bus_vdev_driver.h.
 *
 * DPDK's own build runs buildtools/pmdinfogen over every driver object; it
 * turns the RTE_PMD_REGISTER_* exports into a string
 *   PMD_INFO_STRING={"name": ..., "params": ..., "pci_ids": []}
 * in .rodata, and usertools/dpdk-pmdinfo.py (22.11 and later) scans the
 * .rodata of a binary and the librte_* it links for strings with that
 * prefix and parses the rest as JSON ("pci_ids" is required). We build
 * outside DPDK, so VRTC_VDEV_REGISTER() writes the same string at compile
 * time. PARAMS must be a string literal without '"' and '\' (it goes into
 * JSON unescaped).
 */

#ifndef VRTC_VDEV_REGISTER_H
#define VRTC_VDEV_REGISTER_H

#define VRTC_PMD_INFO_STRING(name, params)                                                   \
	"PMD_INFO_STRING={\"name\": \"" #name "\", \"params\": \"" params "\", \"pci_ids\": []}"

/** Register vdev driver @p drv as @p name with the parameter string @p params. */
#define VRTC_VDEV_REGISTER(name, drv, params)                                                \
	RTE_PMD_REGISTER_VDEV(name, drv);                                                    \
	RTE_PMD_REGISTER_PARAM_STRING(name, params);                                         \
	static const char vrtc_pmd_info_##name[] __attribute__((used)) =                     \
		VRTC_PMD_INFO_STRING(name, params)

#endif /* VRTC_VDEV_REGISTER_H */
