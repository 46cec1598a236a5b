/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * dpdk-rtcd's removal of EAL's runtime directory (app/rtcd/runtime_dir.c):
 * only what "EAL" (simulated here: files created between the before-init
 * and after-init calls) created is removed; foreign files, files created
 * later and files replaced since are kept; directories only when this run
 * created them and they end up empty.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime_dir.h"
#include "test.h"

static char base[256];
static char parent[300];
static char dir[400];

static void
setup(const char *prefix)
{
	snprintf(base, sizeof(base), "/tmp/vrtc-rundir-XXXXXX");
	if (mkdtemp(base) == NULL)
		abort();
	snprintf(parent, sizeof(parent), "%s/dpdk", base);
	snprintf(dir, sizeof(dir), "%s/%s", parent, prefix);
}

static void
teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		abort();
}

static int
touch(const char *name)
{
	char path[600];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int
exists(const char *path_in_dir)
{
	char path[600];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, path_in_dir);
	return lstat(path, &st) == 0;
}

static int
path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* EAL creates BASE/dpdk/PREFIX and its files: all of it goes. */
static void
fresh_everything_removed(void)
{
	struct rtcd_rundir r;

	setup("p1");
	rtcd_rundir_before_init_at(&r, base, "p1");
	T_CHECK(r.valid && !r.dir_existed && !r.parent_existed);
	T_EQ_INT(mkdir(parent, 0700), 0);
	T_EQ_INT(mkdir(dir, 0700), 0);
	T_EQ_INT(touch("config"), 0);
	T_EQ_INT(touch("hugepage_info"), 0);
	rtcd_rundir_after_init(&r, dir);
	T_EQ(r.nb_ours, 2);
	rtcd_rundir_cleanup(&r);
	T_CHECK(!path_exists(dir));
	T_CHECK(!path_exists(parent));
	T_CHECK(path_exists(base));
	teardown();
}

/* A file that appears after init (another process's) stays, and so does
 * the directory holding it; .../dpdk, not empty, stays too. */
static void
later_file_kept(void)
{
	struct rtcd_rundir r;

	setup("p2");
	rtcd_rundir_before_init_at(&r, base, "p2");
	T_EQ_INT(mkdir(parent, 0700), 0);
	T_EQ_INT(mkdir(dir, 0700), 0);
	T_EQ_INT(touch("config"), 0);
	rtcd_rundir_after_init(&r, dir);
	T_EQ_INT(touch("mp_socket_4242_1"), 0);
	rtcd_rundir_cleanup(&r);
	T_CHECK(!exists("config"));
	T_CHECK(exists("mp_socket_4242_1"));
	T_CHECK(path_exists(dir));
	teardown();
}

/* A directory that existed before: its old files and the directory stay. */
static void
existing_dir_kept(void)
{
	struct rtcd_rundir r;

	setup("p3");
	T_EQ_INT(mkdir(parent, 0700), 0);
	T_EQ_INT(mkdir(dir, 0700), 0);
	T_EQ_INT(touch("someone-elses"), 0);
	rtcd_rundir_before_init_at(&r, base, "p3");
	T_CHECK(r.valid && r.dir_existed && r.parent_existed);
	T_EQ(r.nb_before, 1);
	T_EQ_INT(touch("config"), 0);
	rtcd_rundir_after_init(&r, dir);
	T_EQ(r.nb_ours, 1);
	rtcd_rundir_cleanup(&r);
	T_CHECK(!exists("config"));
	T_CHECK(exists("someone-elses"));
	T_CHECK(path_exists(dir)); /* not created by this run */
	teardown();
}

/* A file EAL created but that was replaced since (another inode) stays. */
static void
replaced_file_kept(void)
{
	char from[600], to[600];
	struct rtcd_rundir r;

	setup("p4");
	rtcd_rundir_before_init_at(&r, base, "p4");
	T_EQ_INT(mkdir(parent, 0700), 0);
	T_EQ_INT(mkdir(dir, 0700), 0);
	T_EQ_INT(touch("config"), 0);
	rtcd_rundir_after_init(&r, dir);
	/* Both exist at once, so the replacement has another inode. */
	T_EQ_INT(touch("config.new"), 0);
	snprintf(from, sizeof(from), "%s/config.new", dir);
	snprintf(to, sizeof(to), "%s/config", dir);
	T_EQ_INT(rename(from, to), 0);
	rtcd_rundir_cleanup(&r);
	T_CHECK(exists("config"));
	T_CHECK(path_exists(dir));
	teardown();
}

/* EAL used another directory than the one computed: nothing is touched. */
static void
other_path_untouched(void)
{
	struct rtcd_rundir r;

	setup("p5");
	rtcd_rundir_before_init_at(&r, base, "p5");
	T_EQ_INT(mkdir(parent, 0700), 0);
	T_EQ_INT(mkdir(dir, 0700), 0);
	T_EQ_INT(touch("config"), 0);
	rtcd_rundir_after_init(&r, "/var/run/dpdk/something-else");
	T_CHECK(!r.valid);
	rtcd_rundir_cleanup(&r);
	T_CHECK(exists("config"));
	teardown();
}

/* A symlink planted where a file was is not followed; a subdirectory is
 * never removed. */
static void
symlink_and_subdir(void)
{
	char path[600], target[600];
	struct rtcd_rundir r;

	setup("p6");
	rtcd_rundir_before_init_at(&r, base, "p6");
	T_EQ_INT(mkdir(parent, 0700), 0);
	T_EQ_INT(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	T_EQ_INT(mkdir(path, 0700), 0);
	snprintf(target, sizeof(target), "%s/target", base);
	T_EQ_INT(close(open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)), 0);
	snprintf(path, sizeof(path), "%s/link", dir);
	T_EQ_INT(symlink(target, path), 0);
	rtcd_rundir_after_init(&r, dir);
	rtcd_rundir_cleanup(&r);
	T_CHECK(!exists("link"));   /* the link itself was ours */
	T_CHECK(path_exists(target)); /* not what it pointed to */
	T_CHECK(exists("sub"));
	teardown();
}

static const struct t_case cases[] = {
	T_CASE(fresh_everything_removed), T_CASE(later_file_kept),
	T_CASE(existing_dir_kept),	  T_CASE(replaced_file_kept),
	T_CASE(other_path_untouched),	  T_CASE(symlink_and_subdir),
};

T_MAIN(cases)
