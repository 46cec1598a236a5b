/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Least privilege: dpdk-rtcd starts as root when it must (hugepages, a
 * socket directory under /run), does its set-up (rte_eal_init, devices,
 * sockets listening with their configured owner/group/mode) and then, with
 * --user / --group, becomes that account for good, the way other daemons
 * do: supplementary groups first, then the gid, then the uid (real,
 * effective and saved), then a check that root cannot come back.
 */

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "privileges.h"

static int
parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *out >= (unsigned long)(uid_t)-1)
		return -EINVAL;
	return 0;
}

int
rtcd_account_set_user(struct rtcd_account *a, const char *s)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	unsigned long v;

	snprintf(a->user, sizeof(a->user), "%s", s);
	if (parse_id(s, &v) == 0) {
		a->uid = (uid_t)v;
		if (getpwuid_r(a->uid, &pw, buf, sizeof(buf), &res) != 0)
			res = NULL;
	} else if (s[0] == '\0' || getpwnam_r(s, &pw, buf, sizeof(buf), &res) != 0 ||
		   res == NULL) {
		fprintf(stderr, "dpdk-rtcd: --user: no user '%s'\n", s);
		return -EINVAL;
	}
	if (res != NULL) {
		a->uid = pw.pw_uid;
		a->has_name = 1;
		snprintf(a->user_name, sizeof(a->user_name), "%s", pw.pw_name);
		a->user_gid = pw.pw_gid;
	}
	a->set_user = 1;
	return 0;
}

int
rtcd_account_set_group(struct rtcd_account *a, const char *s)
{
	struct group gr, *res = NULL;
	char buf[16384];
	unsigned long v;

	snprintf(a->group, sizeof(a->group), "%s", s);
	if (parse_id(s, &v) == 0) {
		a->gid = (gid_t)v;
	} else if (s[0] != '\0' && getgrnam_r(s, &gr, buf, sizeof(buf), &res) == 0 && res != NULL) {
		a->gid = gr.gr_gid;
	} else {
		fprintf(stderr, "dpdk-rtcd: --group: no group '%s'\n", s);
		return -EINVAL;
	}
	a->set_group = 1;
	return 0;
}

/* The group to become: --group, else the user's primary group. */
static gid_t
target_gid(const struct rtcd_account *a)
{
	return a->set_group ? a->gid : a->user_gid;
}

int
rtcd_account_check(const struct rtcd_account *a)
{
	if (!a->set_user && !a->set_group)
		return 0;
	if (a->set_user && !a->has_name && !a->set_group) {
		fprintf(stderr, "dpdk-rtcd: --user %s: uid without a passwd entry: give --group too\n",
			a->user);
		return -EINVAL;
	}
	if (geteuid() == 0)
		return 0;
	if ((!a->set_user || a->uid == geteuid()) && target_gid(a) == getegid())
		return 0; /* already that account: nothing to change */
	fprintf(stderr, "dpdk-rtcd: --user/--group: only root can switch to another account "
		"(this process runs as uid %u)\n", (unsigned int)geteuid());
	return -EPERM;
}

static int
fail(const char *what)
{
	int rc = -errno;

	fprintf(stderr, "dpdk-rtcd: cannot drop privileges: %s: %s\n", what, strerror(errno));
	return rc != 0 ? rc : -EPERM;
}

int
rtcd_drop_privileges(const struct rtcd_account *a)
{
	gid_t gid = target_gid(a);
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (!a->set_user && !a->set_group)
		return 0;
	if (geteuid() != 0)
		return 0; /* rtcd_account_check() found it already that account */
	if (a->set_user && a->has_name) {
		if (initgroups(a->user_name, gid) != 0)
			return fail("initgroups");
	} else if (setgroups(1, &gid) != 0) {
		return fail("setgroups");
	}
	if (setresgid(gid, gid, gid) != 0)
		return fail("setresgid");
	/* Empty the capability bounding set while we may (CAP_SETPCAP): nothing
	 * this process or a child ever runs can gain a capability back. */
	if (a->set_user && a->uid != 0) {
		int cap;

		for (cap = 0; cap <= 63; cap++) {
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
				return fail("PR_CAPBSET_DROP");
		}
	}
	if (a->set_user && setresuid(a->uid, a->uid, a->uid) != 0)
		return fail("setresuid");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return fail("PR_SET_NO_NEW_PRIVS");
	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0)
		return fail("getresuid");
	if ((a->set_user && (ru != a->uid || eu != a->uid || su != a->uid)) || rg != gid ||
	    eg != gid || sg != gid) {
		errno = EPERM;
		return fail("ids not as asked");
	}
	if (a->set_user && a->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		errno = EPERM;
		return fail("root could be regained");
	}
	if (a->set_user && a->uid != 0 && gid != 0 && (setgid(0) == 0 || setegid(0) == 0)) {
		errno = EPERM;
		return fail("gid 0 could be regained");
	}
	return 0;
}
