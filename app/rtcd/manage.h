/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal to dpdk-rtcd: devices added and removed while the daemon
 * serves others (control commands, reload of the configuration file), and
 * the rules for runtime adds (doc/control.md): sockets only under the
 * socket directory; without root, no key that needs it.
 */

#ifndef RTCD_MANAGE_H
#define RTCD_MANAGE_H

#include <stddef.h>

#include "config.h"
#include "control.h"
#include "vrtc.h"

/** Where a device came from (shown by "list"; reload touches only CONFIG). */
enum rtcd_origin {
	RTCD_ORIGIN_EAL,     /**< EAL --vdev (not tracked: the default) */
	RTCD_ORIGIN_CMDLINE, /**< --device */
	RTCD_ORIGIN_CONFIG,  /**< a device line of the configuration file */
	RTCD_ORIGIN_CONTROL, /**< "add" on the control socket */
};

struct rtcd_manage_params {
	const char *socket_dir;	 /**< runtime adds: sockets only under it */
	const char *config_path; /**< NULL: no configuration file */
	const char *const *config_keys; /**< keys of the file (NULL-terminated) */
	const char *version;
	/** Check the values of the file's options (not devices) at reload:
	 * 0, or -errno with "FILE:LINE: reason" in @p err. */
	int (*check_options)(const struct rtcd_config *c, char *err, size_t err_size);
};

/** Set up (copies the strings). */
void rtcd_manage_init(const struct rtcd_manage_params *p);

/**
 * Check a device string against the runtime-add rules: its socket under
 * the socket directory; when the daemon is not root, no owner= / group=,
 * and an entropy file or PHC it can read.
 * @return 0, or -errno with the reason in @p err.
 */
int rtcd_manage_check_spec(const char *spec, char *err, size_t err_size);

/** Note a device created at start (for "list" and reload). */
int rtcd_manage_note(const char *spec, enum rtcd_origin origin, unsigned int line);

/**
 * The configuration file's devices at start: every device line checked
 * (rtcd_manage_check_spec) and created (not yet attached: the workers do
 * that when they start). @return 0, or -errno after a message on stderr.
 */
int rtcd_manage_create_config_devices(const struct rtcd_config *c);

/** Run one control command line (the exec callback of the control socket). */
void rtcd_manage_exec(void *ctx, const char *line, struct rtcd_reply *reply);

/** Reload the configuration file, replying one line to @p reply. */
void rtcd_manage_reload(struct rtcd_reply *reply);

/** The origin of the device named @p name. */
enum rtcd_origin rtcd_manage_origin(const char *name);

/** Forget everything (at exit). */
void rtcd_manage_fini(void);

#endif /* RTCD_MANAGE_H */
