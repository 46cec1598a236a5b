/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal to dpdk-rtcd: remove at exit what EAL created in its runtime
 * directory (/var/run/dpdk/PREFIX, or $XDG_RUNTIME_DIR/dpdk/PREFIX or
 * /tmp/dpdk/PREFIX for other users) for this process, and nothing else.
 */

#ifndef RTCD_RUNTIME_DIR_H
#define RTCD_RUNTIME_DIR_H

#include <stddef.h>
#include <sys/types.h>

struct rtcd_rundir_entry;

struct rtcd_rundir {
	int valid;	    /* the path below is EAL's (checked after init) */
	int dir_existed;    /* before rte_eal_init() */
	int parent_existed; /* .../dpdk before rte_eal_init() */
	char parent[4096];
	char dir[4096];
	struct rtcd_rundir_entry *before; /* entries before rte_eal_init() */
	size_t nb_before;
	struct rtcd_rundir_entry *ours; /* entries rte_eal_init() added */
	size_t nb_ours;
	char also[108];	/* one more socket to remove if still the same file, or "" */
	ino_t also_ino;
	pid_t keeper;	/* the clean-up helper, or 0 */
	int keeper_fd;	/* write end of its pipe: its EOF starts the clean-up */
};

/** Before rte_eal_init(): work out the directory EAL will use for the EAL
 * arguments argv[1..argc) and note what is there already. */
void rtcd_rundir_before_init(struct rtcd_rundir *r, int argc, char **argv);
/** The same for EAL's BASE/dpdk/PREFIX (what the above computes; tests). */
void rtcd_rundir_before_init_at(struct rtcd_rundir *r, const char *base, const char *prefix);
/** After a successful rte_eal_init(): check the path against EAL's
 * @p eal_dir and note what init added. */
void rtcd_rundir_after_init(struct rtcd_rundir *r, const char *eal_dir);
/** After rte_eal_cleanup() (or a failed rte_eal_init()): remove the entries
 * init added that are still the same files, then the directory and its
 * parent if this run created them and they are empty. With a keeper
 * (below), let it do that and wait for it instead. */
void rtcd_rundir_cleanup(struct rtcd_rundir *r);

/** Also remove the socket at @p path at clean-up, if it is still the file
 * that is there now (the control socket in a directory only root may
 * write). Call it before rtcd_rundir_keeper_start(). */
void rtcd_rundir_also_remove(struct rtcd_rundir *r, const char *path);

/**
 * Before dropping root: the account the daemon becomes cannot remove EAL's
 * runtime directory (/var/run/dpdk and PREFIX in it are root's, 0700).
 * Fork a helper that keeps uid 0 but no capability at all, holds no
 * descriptor but its pipe and stdio, ignores SIGINT/SIGTERM/SIGHUP, and
 * does rtcd_rundir_cleanup()'s work when the daemon's end of the pipe
 * closes (at exit, or if the daemon dies). Nothing is read from the pipe.
 * @return 0 (helper started, or nothing to clean), or -errno.
 */
int rtcd_rundir_keeper_start(struct rtcd_rundir *r);

#endif /* RTCD_RUNTIME_DIR_H */
