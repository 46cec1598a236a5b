/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal to the apps: find -h/--help and -V/--version anywhere on the
 * command line (EAL's part or the application's, after "--") so that they
 * are answered before rte_eal_init(): no PCI probe, no hugepages, any user.
 */

#ifndef VRTC_APP_EARLY_ARGS_H
#define VRTC_APP_EARLY_ARGS_H

#include <string.h>

enum vrtc_early_option {
	VRTC_EARLY_NONE,
	VRTC_EARLY_HELP,
	VRTC_EARLY_VERSION,
};

/** The first of -h, --help, -V, --version on the command line, if any. */
static inline enum vrtc_early_option
vrtc_early_option(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return VRTC_EARLY_HELP;
		if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0)
			return VRTC_EARLY_VERSION;
	}
	return VRTC_EARLY_NONE;
}

#endif /* VRTC_APP_EARLY_ARGS_H */
