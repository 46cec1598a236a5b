/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Where dpdk-rtcd keeps its sockets when no option says otherwise; the
 * daemon and dpdk-rtcd-ctl (which links no DPDK) must agree on it.
 */

#ifndef RTCD_DEFAULT_RUNDIR_H
#define RTCD_DEFAULT_RUNDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* /run/dpdk-rtcd for root, else under $XDG_RUNTIME_DIR (or /tmp/dpdk-rtcd-UID). */
static inline void
rtcd_default_rundir(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0)
		snprintf(buf, size, "/run/dpdk-rtcd");
	else if (xdg != NULL && xdg[0] == '/')
		snprintf(buf, size, "%s/dpdk-rtcd", xdg);
	else
		snprintf(buf, size, "/tmp/dpdk-rtcd-%u", (unsigned int)geteuid());
}

#endif /* RTCD_DEFAULT_RUNDIR_H */
