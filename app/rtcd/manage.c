/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * dpdk-rtcd's runtime device management: the control commands (list, add,
 * remove, reload, ...) and the reload of the configuration file. Runs on
 * the main thread only (the control socket and SIGHUP are served from its
 * loop), so these functions need no lock of their own; the library's own
 * lock serialises them with its internals, and its pollers keep serving
 * the other devices while a device is attached or destroyed (queue sets
 * are replaced under RCU, lib/virtio_rtc/dpdk/poller.c).
 *
 * The rules for devices added at runtime (doc/control.md, RUNTIME ADDS):
 *  - the socket (iface=, server or client mode) is a path under the
 *    socket directory (--socket-dir), without "." or ".." components, and
 *    its directory resolves (symbolic links followed) under it too;
 *  - when the daemon is not root (it dropped root with --user, or never
 *    was), owner= and group= are refused (chown needs root), and an entropy
 *    file (source=file:PATH) or PHC (clocks=phc:PATH:TYPE) must be readable
 *    by its account: each fails with its own message.
 * Devices of the command line (--device, EAL --vdev) are the operator's own
 * start-up choice and are not held to these rules.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manage.h"
#include "workers.h"

struct tracked {
	char name[64];
	char *spec;
	enum rtcd_origin origin;
	unsigned int line; /* CONFIG: line of the file */
	int replacing;	   /* reload: destroyed, its new spec comes next */
};

static struct {
	char socket_dir[PATH_MAX];
	char config_path[PATH_MAX];
	int has_config;
	const char *const *config_keys;
	const char *version;
	int (*check_options)(const struct rtcd_config *c, char *err, size_t err_size);
	struct tracked *t;
	unsigned int nb, cap;
	/* The file's options (not devices) as applied at start, "key value\n"... */
	char *options;
} m;

static const char *
errno_name(int e)
{
	const char *s = strerrorname_np(e);

	return s != NULL ? s : "EIO";
}

void
rtcd_manage_init(const struct rtcd_manage_params *p)
{
	memset(&m, 0, sizeof(m));
	snprintf(m.socket_dir, sizeof(m.socket_dir), "%s", p->socket_dir);
	if (p->config_path != NULL) {
		snprintf(m.config_path, sizeof(m.config_path), "%s", p->config_path);
		m.has_config = 1;
	}
	m.config_keys = p->config_keys;
	m.version = p->version;
	m.check_options = p->check_options;
}

void
rtcd_manage_fini(void)
{
	unsigned int i;

	for (i = 0; i < m.nb; i++)
		free(m.t[i].spec);
	free(m.t);
	free(m.options);
	m.t = NULL;
	m.nb = m.cap = 0;
	m.options = NULL;
}

static struct tracked *
find(const char *name)
{
	unsigned int i;

	for (i = 0; i < m.nb; i++) {
		if (strcmp(m.t[i].name, name) == 0)
			return &m.t[i];
	}
	return NULL;
}

static void
untrack(const char *name)
{
	struct tracked *t = find(name);

	if (t == NULL)
		return;
	free(t->spec);
	*t = m.t[--m.nb];
}

static int
track(const char *spec, enum rtcd_origin origin, unsigned int line)
{
	struct tracked *t;
	char name[64];

	if (rtcd_spec_name(spec, name, sizeof(name)) != 0)
		return -EINVAL;
	untrack(name);
	if (m.nb == m.cap) {
		unsigned int cap = m.cap == 0 ? 16 : m.cap * 2;
		struct tracked *nt = realloc(m.t, cap * sizeof(*nt));

		if (nt == NULL)
			return -ENOMEM;
		m.t = nt;
		m.cap = cap;
	}
	t = &m.t[m.nb];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->spec = strdup(spec);
	if (t->spec == NULL)
		return -ENOMEM;
	t->origin = origin;
	t->line = line;
	m.nb++;
	return 0;
}

int
rtcd_manage_note(const char *spec, enum rtcd_origin origin, unsigned int line)
{
	return track(spec, origin, line);
}

enum rtcd_origin
rtcd_manage_origin(const char *name)
{
	const struct tracked *t = find(name);

	return t != NULL ? t->origin : RTCD_ORIGIN_EAL;
}

static const char *
origin_name(enum rtcd_origin o)
{
	switch (o) {
	case RTCD_ORIGIN_CMDLINE:
		return "cmdline";
	case RTCD_ORIGIN_CONFIG:
		return "config";
	case RTCD_ORIGIN_CONTROL:
		return "control";
	case RTCD_ORIGIN_EAL:
		break;
	}
	return "eal";
}

/* ---- runtime-add rules ---------------------------------------------------- */

/*
 * The value of @p key in a device string (rte_kvargs syntax: "name,k=v,k=v",
 * a value may be a bracketed list with commas) into @p out; 1 found, 0 not,
 * -1 too long.
 */
static int
spec_value(const char *spec, const char *key, char *out, size_t size)
{
	const char *p = strchr(spec, ','), *v, *e;
	size_t klen = strlen(key);
	int depth;

	while (p != NULL && *p == ',') {
		p++;
		for (e = p, depth = 0; *e != '\0' && (depth > 0 || *e != ','); e++) {
			if (*e == '[')
				depth++;
			else if (*e == ']' && depth > 0)
				depth--;
		}
		if ((size_t)(e - p) > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			v = p + klen + 1;
			if ((size_t)(e - v) >= size)
				return -1;
			memcpy(out, v, (size_t)(e - v));
			out[e - v] = '\0';
			return 1;
		}
		p = e;
	}
	return 0;
}

/* Whether @p path has an empty, "." or ".." component. */
static int
path_unclean(const char *path)
{
	const char *p = path;

	while (*p == '/') {
		const char *c = p + 1, *e = strchr(c, '/');
		size_t len = e != NULL ? (size_t)(e - c) : strlen(c);

		if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return 1;
		if (e == NULL)
			return 0;
		p = e;
	}
	return 1;
}

/* Whether @p path is @p dir or under it (both canonical, no trailing '/'). */
static int
is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return 1;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int
check_iface(const char *name, const char *iface, char *err, size_t err_size)
{
	char dir[PATH_MAX], real_dir[PATH_MAX], real_base[PATH_MAX];
	const char *slash;

	if (m.socket_dir[0] == '\0') {
		snprintf(err, err_size, "%s: runtime adds are off: no usable socket directory "
			 "(see the daemon's log at start; --socket-dir DIR)", name);
		return -EPERM;
	}
	if (iface[0] != '/' || path_unclean(iface)) {
		snprintf(err, err_size, "%s: iface=%s: a runtime add takes an absolute path "
			 "without '.', '..' or '//' (under %s)", name, iface, m.socket_dir);
		return -EINVAL;
	}
	if (realpath(m.socket_dir, real_base) == NULL) {
		int rc = -errno;

		snprintf(err, err_size, "%s: the socket directory %s: %s", name, m.socket_dir,
			 strerror(-rc));
		return rc;
	}
	slash = strrchr(iface, '/');
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - iface), iface);
	if (dir[0] == '\0')
		snprintf(dir, sizeof(dir), "/");
	if (realpath(dir, real_dir) == NULL) {
		int rc = -errno;

		snprintf(err, err_size, "%s: iface=%s: directory %s: %s", name, iface, dir,
			 strerror(-rc));
		return rc;
	}
	/* Resolved: a symbolic link inside the socket directory must not lead
	 * out of it (and an alias of it, /var/run for /run, is fine). */
	if (!is_under(real_dir, real_base)) {
		if (is_under(dir, m.socket_dir) || is_under(dir, real_base))
			snprintf(err, err_size, "%s: iface=%s: directory %s resolves to %s, outside "
				 "the socket directory %s", name, iface, dir, real_dir, real_base);
		else
			snprintf(err, err_size, "%s: iface=%s: runtime adds place sockets only under "
				 "the socket directory %s (--socket-dir)", name, iface, m.socket_dir);
		return -EPERM;
	}
	return 0;
}

/* A file the daemon opens at creation, checked with its own ids. */
static int
check_readable(const char *name, const char *what, const char *path, char *err,
	       size_t err_size)
{
	if (faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) == 0)
		return 0;
	snprintf(err, err_size, "%s: %s %s: %s for the daemon's account (uid %u): runtime adds "
		 "open it without root", name, what, path, strerror(errno), (unsigned int)geteuid());
	return -errno;
}

int
rtcd_manage_check_spec(const char *spec, char *err, size_t err_size)
{
	char name[64], value[PATH_MAX + 64];
	int rc;

	if (rtcd_spec_name(spec, name, sizeof(name)) != 0) {
		snprintf(err, err_size, "expected NAME,key=value,... with a name of 1 to 63 "
			 "characters");
		return -EINVAL;
	}
	if (strpbrk(spec, " \t") != NULL) {
		snprintf(err, err_size, "%s: a space in the device string", name);
		return -EINVAL;
	}
	rc = spec_value(spec, "iface", value, sizeof(value));
	if (rc <= 0) {
		snprintf(err, err_size, "%s: iface=PATH is required (%s)", name,
			 rc < 0 ? "too long" : "missing");
		return -EINVAL;
	}
	rc = check_iface(name, value, err, err_size);
	if (rc != 0)
		return rc;
	if (geteuid() == 0)
		return 0;
	/* Not root: only what this account can do. */
	if (spec_value(spec, "owner", value, sizeof(value)) != 0 ||
	    spec_value(spec, "group", value, sizeof(value)) != 0) {
		snprintf(err, err_size, "%s: owner= and group= need root (chown) and the daemon "
			 "runs as uid %u: give the socket directory the group (setgid) instead",
			 name, (unsigned int)geteuid());
		return -EPERM;
	}
	if (spec_value(spec, "source", value, sizeof(value)) > 0 &&
	    strncmp(value, "file:", 5) == 0) {
		rc = check_readable(name, "entropy file", value + 5, err, err_size);
		if (rc != 0)
			return rc;
	}
	if (spec_value(spec, "clocks", value, sizeof(value)) > 0) {
		char *item, *save = NULL;

		for (item = strtok_r(value, "+", &save); item != NULL;
		     item = strtok_r(NULL, "+", &save)) {
			char *colon;

			if (strncmp(item, "phc:", 4) != 0)
				continue;
			item += 4;
			colon = strrchr(item, ':'); /* phc:PATH:TYPE */
			if (colon != NULL)
				*colon = '\0';
			rc = check_readable(name, "PHC", item, err, err_size);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* ---- add / remove ----------------------------------------------------------- */

/* Create and (when @p attach) serve the device of @p spec. */
static int
add_device(const char *spec, int attach, char *err, size_t err_size)
{
	struct vrtc_device *dev = NULL;
	char name[64];
	int rc;

	rc = rtcd_manage_check_spec(spec, err, err_size);
	if (rc != 0)
		return rc;
	rtcd_spec_name(spec, name, sizeof(name));
	if (vrtc_device_lookup(name) != NULL) {
		snprintf(err, err_size, "%s: a device of that name exists", name);
		return -EEXIST;
	}
	/* The library's own first error line is the reason to reply. */
	vrtc_thread_error_clear();
	rc = vrtc_device_create_from_args(spec, &dev);
	if (rc != 0) {
		if (vrtc_thread_error()[0] != '\0')
			snprintf(err, err_size, "%s (%s: not created)", vrtc_thread_error(), name);
		else
			snprintf(err, err_size, "%s: not created: %s", name, strerror(-rc));
		return rc;
	}
	if (attach) {
		vrtc_thread_error_clear();
		rc = rtcd_workers_attach(dev);
		if (rc != 0) {
			snprintf(err, err_size, "%s: cannot serve %s: %s%s%s", name,
				 vrtc_device_iface(dev), strerror(-rc),
				 vrtc_thread_error()[0] != '\0' ? ": " : "", vrtc_thread_error());
			vrtc_device_destroy(dev);
			return rc;
		}
	}
	return 0;
}

int
rtcd_manage_create_config_devices(const struct rtcd_config *c)
{
	char err[1024], *opts = NULL;
	size_t len = 0;
	unsigned int i;
	FILE *f;
	int rc;

	for (i = 0; i < c->nb_entries; i++) {
		const struct rtcd_config_entry *e = &c->entries[i];

		if (strcmp(e->key, "device") != 0)
			continue;
		rc = add_device(e->value, 0, err, sizeof(err));
		if (rc != 0) {
			fprintf(stderr, "dpdk-rtcd: %s:%u: %s\n", c->path, e->line, err);
			return rc;
		}
		rc = track(e->value, RTCD_ORIGIN_CONFIG, e->line);
		if (rc != 0)
			return rc;
	}
	/* Remember the options as applied, to tell at reload which changed. */
	f = open_memstream(&opts, &len);
	if (f == NULL)
		return -ENOMEM;
	for (i = 0; i < c->nb_entries; i++) {
		if (strcmp(c->entries[i].key, "device") != 0)
			fprintf(f, "%s %s\n", c->entries[i].key, c->entries[i].value);
	}
	fclose(f);
	free(m.options);
	m.options = opts;
	return 0;
}

static void
cmd_list(struct rtcd_reply *r)
{
	unsigned int i, n = vrtc_device_count();

	rtcd_reply_printf(r, "ok %u\n", n);
	for (i = 0; i < n; i++) {
		const struct vrtc_device *dev = vrtc_device_at(i);
		struct vrtc_device_stats st;

		if (dev == NULL)
			break;
		memset(&st, 0, sizeof(st));
		vrtc_device_stats_get(dev, &st);
		rtcd_reply_printf(r, "%s kind=%s origin=%s socket=%s connected=%d serving=%d "
				  "worker=%d requests=%llu connections=%llu\n",
				  vrtc_device_name(dev), vrtc_device_type_name(dev),
				  origin_name(rtcd_manage_origin(vrtc_device_name(dev))),
				  vrtc_device_iface(dev), st.connected, st.running,
				  rtcd_device_lcore(dev), (unsigned long long)st.requests,
				  (unsigned long long)st.connections);
	}
}

static void
cmd_add(const char *spec, struct rtcd_reply *r)
{
	char err[1024], name[64];
	struct vrtc_device *dev;
	int rc;

	if (*spec == '\0') {
		rtcd_reply_printf(r, "error EINVAL: add SPEC: the device string is missing\n");
		return;
	}
	rc = add_device(spec, 1, err, sizeof(err));
	if (rc != 0) {
		rtcd_reply_printf(r, "error %s: %s\n", errno_name(-rc), err);
		return;
	}
	rtcd_spec_name(spec, name, sizeof(name));
	track(spec, RTCD_ORIGIN_CONTROL, 0);
	dev = vrtc_device_lookup(name);
	printf("dpdk-rtcd: added %s (control)\n", name);
	fflush(stdout);
	rtcd_reply_printf(r, "ok added %s socket=%s worker=%d\n", name, vrtc_device_iface(dev),
			  rtcd_device_lcore(dev));
}

static void
cmd_remove(const char *name, struct rtcd_reply *r)
{
	struct vrtc_device *dev;

	if (*name == '\0' || strlen(name) > 63) {
		rtcd_reply_printf(r, "error EINVAL: remove NAME: expected a device name\n");
		return;
	}
	dev = vrtc_device_lookup(name);
	if (dev == NULL) {
		rtcd_reply_printf(r, "error ENOENT: no device %s\n", name);
		return;
	}
	/* Its front-end sees a disconnect; the pollers serve the others on. */
	vrtc_device_destroy(dev);
	untrack(name);
	printf("dpdk-rtcd: removed %s (control)\n", name);
	fflush(stdout);
	rtcd_reply_printf(r, "ok removed %s\n", name);
}

/* ---- reload ------------------------------------------------------------------ */

static const struct rtcd_config_entry *
config_device(const struct rtcd_config *c, const char *name)
{
	unsigned int i;
	char other[64];

	for (i = 0; i < c->nb_entries; i++) {
		if (strcmp(c->entries[i].key, "device") == 0 &&
		    rtcd_spec_name(c->entries[i].value, other, sizeof(other)) == 0 &&
		    strcmp(other, name) == 0)
			return &c->entries[i];
	}
	return NULL;
}

void
rtcd_manage_reload(struct rtcd_reply *r)
{
	struct rtcd_config c;
	char err[1024], failed[2048] = "", *opts = NULL;
	unsigned int i, added = 0, removed = 0, replaced = 0, nb_failed = 0;
	int first_rc = 0, options_changed = 0, rc;
	size_t len = 0;
	FILE *f;

	if (!m.has_config) {
		rtcd_reply_printf(r, "error ENOENT: no configuration file (start with --config FILE)\n");
		return;
	}
	rc = rtcd_config_load(m.config_path, m.config_keys, &c, err, sizeof(err));
	if (rc == 0 && m.check_options != NULL) {
		/* The options' values too: applied at start only, but a bad one
		 * is an error in the file all the same. */
		rc = m.check_options(&c, err, sizeof(err));
		if (rc != 0)
			rtcd_config_free(&c);
	}
	if (rc != 0) {
		/* Nothing changed. */
		rtcd_reply_printf(r, "error %s: %s; nothing changed\n", errno_name(-rc), err);
		return;
	}
	/* Gone or changed: removed (a changed one is added again below). */
	for (i = 0; i < m.nb; ) {
		struct tracked *t = &m.t[i];
		const struct rtcd_config_entry *e;
		struct vrtc_device *dev;

		if (t->origin != RTCD_ORIGIN_CONFIG) {
			i++;
			continue;
		}
		e = config_device(&c, t->name);
		if (e != NULL && strcmp(e->value, t->spec) == 0) {
			t->line = e->line;
			i++;
			continue;
		}
		dev = vrtc_device_lookup(t->name);
		if (dev != NULL)
			vrtc_device_destroy(dev);
		printf("dpdk-rtcd: reload: %s %s\n", e != NULL ? "replacing" : "removed", t->name);
		if (e != NULL) {
			t->replacing = 1;
			i++;
		} else {
			removed++;
			untrack(t->name); /* moves the last entry here: same i again */
		}
	}
	/* New ones (and the changed ones again). */
	for (i = 0; i < c.nb_entries; i++) {
		const struct rtcd_config_entry *e = &c.entries[i];
		const struct tracked *t;
		int replacing = 0;
		char name[64];

		if (strcmp(e->key, "device") != 0)
			continue;
		rtcd_spec_name(e->value, name, sizeof(name));
		t = find(name);
		if (t != NULL && t->origin == RTCD_ORIGIN_CONFIG && !t->replacing)
			continue; /* unchanged */
		if (t != NULL && t->replacing) {
			replacing = 1;
			untrack(name);
			t = NULL;
		}
		if (t != NULL || vrtc_device_lookup(name) != NULL) {
			rc = -EEXIST;
			snprintf(err, sizeof(err), "%s exists (%s), not from this file", name,
				 origin_name(rtcd_manage_origin(name)));
		} else {
			rc = add_device(e->value, 1, err, sizeof(err));
		}
		if (rc == 0)
			rc = track(e->value, RTCD_ORIGIN_CONFIG, e->line);
		if (rc != 0) {
			fprintf(stderr, "dpdk-rtcd: reload: %s:%u: %s\n", c.path, e->line, err);
			if (first_rc == 0)
				first_rc = rc;
			snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed), "%s%.200s:%u: %s",
				 nb_failed != 0 ? "; " : "", c.path, e->line, err);
			nb_failed++;
			continue;
		}
		printf("dpdk-rtcd: reload: %s %s\n", replacing ? "replaced" : "added", name);
		if (replacing)
			replaced++;
		else
			added++;
	}
	/* Daemon options are read at start only. */
	f = open_memstream(&opts, &len);
	if (f != NULL) {
		for (i = 0; i < c.nb_entries; i++) {
			if (strcmp(c.entries[i].key, "device") != 0)
				fprintf(f, "%s %s\n", c.entries[i].key, c.entries[i].value);
		}
		fclose(f);
		options_changed = strcmp(opts, m.options != NULL ? m.options : "") != 0;
		free(opts);
	}
	fflush(stdout);
	rtcd_config_free(&c);
	if (nb_failed != 0)
		rtcd_reply_printf(r, "error %s: reloaded %s: %u added, %u removed, %u replaced, "
				  "%u not created: %s%s\n", errno_name(-first_rc), m.config_path,
				  added, removed, replaced, nb_failed, failed,
				  options_changed ? "; options changed: they need a restart" : "");
	else
		rtcd_reply_printf(r, "ok reloaded %s: %u added, %u removed, %u replaced%s\n",
				  m.config_path, added, removed, replaced,
				  options_changed ? "; options changed: they need a restart" : "");
}

/* ---- commands ------------------------------------------------------------------ */

void
rtcd_manage_exec(void *ctx, const char *line, struct rtcd_reply *r)
{
	const char *arg;
	size_t cmd_len;

	(void)ctx;
	while (*line == ' ' || *line == '\t')
		line++;
	cmd_len = strcspn(line, " \t");
	arg = line + cmd_len;
	while (*arg == ' ' || *arg == '\t')
		arg++;
#define IS(s) (cmd_len == sizeof(s) - 1 && strncmp(line, s, cmd_len) == 0)
	if (cmd_len == 0) {
		rtcd_reply_printf(r, "error EINVAL: empty line; try help\n");
	} else if (IS("help")) {
		rtcd_reply_printf(r, "ok commands: list, add SPEC, remove NAME, reload, version, "
				  "help (see doc/control.md)\n");
	} else if (IS("version")) {
		rtcd_reply_printf(r, "ok dpdk-rtcd %s\n", m.version);
	} else if (IS("list")) {
		cmd_list(r);
	} else if (IS("add")) {
		cmd_add(arg, r);
	} else if (IS("remove")) {
		cmd_remove(arg, r);
	} else if (IS("reload")) {
		if (*arg != '\0')
			rtcd_reply_printf(r, "error EINVAL: reload takes no argument\n");
		else
			rtcd_manage_reload(r);
	} else {
		rtcd_reply_printf(r, "error EINVAL: unknown command '%.*s'; try help\n",
				  (int)(cmd_len > 64 ? 64 : cmd_len), line);
	}
#undef IS
}
