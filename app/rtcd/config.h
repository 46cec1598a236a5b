/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal to dpdk-rtcd: the configuration file (dpdk-rtcd(8),
 * CONFIGURATION FILE). One setting per line, "KEY VALUE", KEY a long
 * option of the daemon without its dashes (device, poll, user, ...);
 * '#' starts a comment line; blank lines are skipped. Parsing only: the
 * caller checks the values and creates the devices.
 */

#ifndef RTCD_CONFIG_H
#define RTCD_CONFIG_H

#include <stddef.h>

/** Most bytes of a configuration file. */
#define RTCD_CONFIG_MAX_SIZE (1024 * 1024)
/** Longest line, without its newline. */
#define RTCD_CONFIG_MAX_LINE 4095
/** Most lines with a setting. */
#define RTCD_CONFIG_MAX_ENTRIES 1024

struct rtcd_config_entry {
	char *key;
	char *value;
	unsigned int line;
};

struct rtcd_config {
	char path[4096];
	struct rtcd_config_entry *entries;
	unsigned int nb_entries;
};

/**
 * Read @p path into @p c (empty on failure). Checks the syntax: line
 * length, "KEY VALUE" form, the key among @p keys (NULL-terminated), and
 * for "device" lines a device name of 1 to 63 characters given once.
 * @return 0, or -errno with "PATH:LINE: reason" (or "PATH: reason") in
 *   @p err.
 */
int rtcd_config_load(const char *path, const char *const *keys, struct rtcd_config *c,
		     char *err, size_t err_size);

/** Free what rtcd_config_load() allocated (c stays valid, empty). */
void rtcd_config_free(struct rtcd_config *c);

/** The device name of a device spec ("rtc_vhost0,iface=..." -> "rtc_vhost0") into @p name. */
int rtcd_spec_name(const char *spec, char *name, size_t size);

#endif /* RTCD_CONFIG_H */
