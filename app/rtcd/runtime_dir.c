/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * EAL creates DPDK_RUN/dpdk/PREFIX (mode 0700) on every start and never
 * removes it; with shared config it also leaves its config and
 * hugepage_info files there. This removes, after rte_eal_cleanup(), exactly
 * what this process's rte_eal_init() added: entries that were not there
 * before init, were there right after it, and are still the same inode;
 * then the directories, only if this run created them and they ended up
 * empty (rmdir never removes anything else). Files another process (a
 * secondary, a second primary of the same prefix) created are left alone.
 *
 * The path follows EAL's rule (eal_create_runtime_dir): /var/run when the
 * real uid is 0, else $XDG_RUNTIME_DIR or /tmp; then /dpdk/PREFIX with
 * PREFIX from --file-prefix (default "rte"). It is compared with
 * rte_eal_get_runtime_dir() after init; when they differ nothing is removed.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime_dir.h"

struct rtcd_rundir_entry {
	char name[NAME_MAX + 1];
	ino_t ino;
};

/* Every entry of @p dir but . and .. (not directories); NULL when the
 * directory cannot be read. */
static struct rtcd_rundir_entry *
list_dir(const char *dir, size_t *nb)
{
	struct rtcd_rundir_entry *v = NULL, *nv;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	*nb = 0;
	d = opendir(dir);
	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    S_ISDIR(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap != 0 ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL)
				break;
			v = nv;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		v[n].ino = st.st_ino;
		n++;
	}
	closedir(d);
	*nb = n;
	return v != NULL ? v : calloc(1, sizeof(*v));
}

static int
listed(const struct rtcd_rundir_entry *v, size_t n, const char *name, ino_t ino)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i].name, name) == 0 && v[i].ino == ino)
			return 1;
	}
	return 0;
}

void
rtcd_rundir_before_init(struct rtcd_rundir *r, int argc, char **argv)
{
	const char *base = "/var/run", *prefix = "rte";
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--file-prefix") == 0 && i + 1 < argc)
			prefix = argv[++i];
		else if (strncmp(argv[i], "--file-prefix=", 14) == 0)
			prefix = argv[i] + 14;
	}
	if (getuid() != 0) {
		base = getenv("XDG_RUNTIME_DIR");
		if (base == NULL)
			base = "/tmp";
	}
	rtcd_rundir_before_init_at(r, base, prefix);
}

void
rtcd_rundir_before_init_at(struct rtcd_rundir *r, const char *base, const char *prefix)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	if ((size_t)snprintf(r->parent, sizeof(r->parent), "%s/dpdk", base) >= sizeof(r->parent) ||
	    (size_t)snprintf(r->dir, sizeof(r->dir), "%s/%s", r->parent, prefix) >= sizeof(r->dir))
		return;
	r->parent_existed = lstat(r->parent, &st) == 0;
	r->dir_existed = lstat(r->dir, &st) == 0;
	if (r->dir_existed) {
		r->before = list_dir(r->dir, &r->nb_before);
		if (r->before == NULL)
			return; /* cannot tell what is ours */
	}
	r->valid = 1;
}

void
rtcd_rundir_after_init(struct rtcd_rundir *r, const char *eal_dir)
{
	struct rtcd_rundir_entry *now;
	size_t n, i;

	if (!r->valid)
		return;
	if (eal_dir == NULL || strcmp(eal_dir, r->dir) != 0) {
		r->valid = 0;
		return;
	}
	now = list_dir(r->dir, &n);
	if (now == NULL)
		return;
	r->ours = calloc(n + 1, sizeof(*r->ours));
	if (r->ours == NULL) {
		free(now);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!listed(r->before, r->nb_before, now[i].name, now[i].ino))
			r->ours[r->nb_ours++] = now[i];
	}
	free(now);
}

/* Only write(2): this also runs in the forked keeper of a threaded process. */
static void
say(const char *a, const char *b, const char *c, const char *d)
{
	const char *parts[] = { "dpdk-rtcd: cannot remove ", a, " ", b, ": ", c, d, "\n" };
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (write(STDERR_FILENO, parts[i], strlen(parts[i])) < 0)
			return;
	}
}

static void
note_failure(const char *what, const char *path)
{
	int err = errno;

	if (err == ENOENT || err == ENOTEMPTY || err == EEXIST || err == EBUSY)
		return; /* gone already, or somebody else's files are in it */
	say(what, path, strerrordesc_np(err) != NULL ? strerrordesc_np(err) : "error",
	    err == EACCES || err == EPERM ? " (the daemon's account may not; see dpdk-rtcd(8))" :
					      "");
}

/* The removal itself: system calls only (no allocation, no stdio). */
static void
remove_ours(const struct rtcd_rundir *r)
{
	size_t i;
	int fd;

	if (r->nb_ours != 0) {
		fd = open(r->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		for (i = 0; fd >= 0 && i < r->nb_ours; i++) {
			struct stat st;

			if (fstatat(fd, r->ours[i].name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
			    st.st_ino != r->ours[i].ino || S_ISDIR(st.st_mode))
				continue; /* gone, replaced by another file, or a directory */
			if (unlinkat(fd, r->ours[i].name, 0) != 0)
				note_failure("EAL runtime file", r->ours[i].name);
		}
		if (fd >= 0)
			close(fd);
	}
	if (r->also[0] != '\0') {
		struct stat st;

		if (lstat(r->also, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == r->also_ino &&
		    unlink(r->also) != 0)
			note_failure("control socket", r->also);
	}
	if (!r->valid)
		return;
	if (!r->dir_existed && rmdir(r->dir) != 0)
		note_failure("EAL runtime directory", r->dir);
	if (!r->parent_existed && rmdir(r->parent) != 0)
		note_failure("EAL runtime directory", r->parent);
}

/* uid 0 without any capability: enough to remove root's own 0700 files
 * and directories, nothing that needs privilege. */
static int
drop_all_capabilities(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	int cap;

	for (cap = 0; cap <= 63; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
			return -1;
	}
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) != 0)
		return -1;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

static void
keeper_main(const struct rtcd_rundir *r, int fd)
{
	struct sigaction sa;
	char buf[64];
	ssize_t n;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	prctl(PR_SET_NAME, "rtcd-rundir", 0, 0, 0);
	/* Keep stdio and the pipe only: no socket, no guest memory fd. */
	if (fd != 3) {
		if (dup2(fd, 3) < 0)
			_exit(1);
		fd = 3;
	}
	if (syscall(SYS_close_range, 4U, ~0U, 0U) != 0) {
		long max = sysconf(_SC_OPEN_MAX), i;

		for (i = 4; i < (max > 0 ? max : 1024); i++)
			close((int)i);
	}
	if (drop_all_capabilities() != 0)
		_exit(1);
	do {
		n = read(fd, buf, sizeof(buf)); /* anything written is ignored */
	} while (n > 0 || (n < 0 && errno == EINTR));
	remove_ours(r);
	_exit(0);
}

void
rtcd_rundir_also_remove(struct rtcd_rundir *r, const char *path)
{
	struct stat st;

	if (strlen(path) >= sizeof(r->also) || lstat(path, &st) != 0)
		return;
	snprintf(r->also, sizeof(r->also), "%s", path);
	r->also_ino = st.st_ino;
}

int
rtcd_rundir_keeper_start(struct rtcd_rundir *r)
{
	int fds[2];
	pid_t pid;

	if ((!r->valid && r->also[0] == '\0') || r->keeper != 0 || geteuid() != 0)
		return 0;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		close(fds[1]);
		keeper_main(r, fds[0]);
	}
	close(fds[0]);
	r->keeper = pid;
	r->keeper_fd = fds[1];
	return 0;
}

void
rtcd_rundir_cleanup(struct rtcd_rundir *r)
{
	if (r->keeper != 0) {
		int st;

		close(r->keeper_fd);
		while (waitpid(r->keeper, &st, 0) < 0 && errno == EINTR)
			;
		r->keeper = 0;
	} else if (r->valid || r->also[0] != '\0') {
		remove_ours(r);
	}
	free(r->before);
	free(r->ours);
	r->before = r->ours = NULL;
	r->valid = 0;
}
