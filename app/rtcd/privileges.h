/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/* Internal to dpdk-rtcd: --user / --group, dropping root after set-up. */

#ifndef RTCD_PRIVILEGES_H
#define RTCD_PRIVILEGES_H

#include <sys/types.h>

struct rtcd_account {
	int set_user, set_group;
	uid_t uid;
	gid_t gid;	    /* --group */
	gid_t user_gid;	    /* the user's primary group (passwd) */
	int has_name;	    /* the user has a passwd entry (initgroups) */
	char user[256];	    /* as given, for messages */
	char user_name[256]; /* passwd name, for initgroups */
	char group[256];
};

/** --user NAME|UID: 0 or -EINVAL (unknown user, logged to stderr). */
int rtcd_account_set_user(struct rtcd_account *a, const char *s);
/** --group NAME|GID: 0 or -EINVAL. */
int rtcd_account_set_group(struct rtcd_account *a, const char *s);
/** Whether the set-up (before rte_eal_init) can drop to the account:
 * 0, or -EPERM with a message when this process cannot change ids. */
int rtcd_account_check(const struct rtcd_account *a);
/**
 * Become the account for good: supplementary groups (initgroups, or just
 * the group), real/effective/saved gid, then uid; check that root cannot
 * be regained; no new privileges from exec. Every thread of the process
 * changes (glibc applies set*id to all threads).
 * @return 0 or -errno (logged to stderr; the caller must exit).
 */
int rtcd_drop_privileges(const struct rtcd_account *a);

#endif /* RTCD_PRIVILEGES_H */
