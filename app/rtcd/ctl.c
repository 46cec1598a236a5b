/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * dpdk-rtcd-ctl: the operator's client of dpdk-rtcd's control socket
 * (doc/control.md). Sends one command (the arguments joined by spaces), or
 * each line of its standard input, and prints the replies. No DPDK.
 *
 *   dpdk-rtcd-ctl [-s SOCKET | -p PREFIX] [-t SECONDS] [COMMAND [ARG...]]
 *
 * Exit status: 0 every reply was "ok", 1 a reply was "error ...", 2 usage,
 * connection or protocol failure (no reply within the timeout, closed).
 */

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "default_rundir.h"

#define MAX_LINE 4095

static int timeout_ms = 10000;

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: dpdk-rtcd-ctl [-s SOCKET | -p PREFIX] [-t SECONDS] [COMMAND [ARG...]]\n"
		"\n"
		"Sends COMMAND to dpdk-rtcd's control socket and prints the reply; without a\n"
		"command, sends each line of standard input in turn.\n"
		"\n"
		"Commands (doc/control.md):\n"
		"  list                 the devices: name, kind, origin, socket, connected,\n"
		"                       serving, worker lcore, requests, connections\n"
		"  add SPEC             create and serve a device, e.g.\n"
		"                       add rtc_vhost3,iface=/run/dpdk-rtcd/vm3-rtc.sock\n"
		"  remove NAME          destroy a device (only its VM sees a disconnect)\n"
		"  reload               apply the configuration file's device changes\n"
		"  version, help\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH    control socket (default /run/dpdk-rtcd/control.sock for\n"
		"                       root, else $XDG_RUNTIME_DIR/dpdk-rtcd/control.sock)\n"
		"  -p, --prefix PREFIX  the daemon started with EAL --file-prefix PREFIX: its\n"
		"                       socket RUNDIR/PREFIX.control.sock\n"
		"  -t, --timeout SEC    wait at most SEC seconds for a reply (default 10)\n"
		"  -h, --help           this text\n"
		"\n"
		"Exit status: 0 ok; 1 the daemon replied with an error; 2 usage, connection\n"
		"or protocol failure.\n");
}

struct conn {
	int fd;
	char buf[MAX_LINE + 2];
	size_t len;
};

/* One reply line (without the newline) into @p line. 0, or -1 after a message. */
static int
read_line(struct conn *c, char *line, size_t size)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		long left;
		ssize_t n;

		if (nl != NULL) {
			size_t l = (size_t)(nl - c->buf);

			snprintf(line, size, "%.*s", (int)l, c->buf);
			memmove(c->buf, nl + 1, c->len - l - 1);
			c->len -= l + 1;
			return 0;
		}
		if (c->len == sizeof(c->buf)) {
			fprintf(stderr, "dpdk-rtcd-ctl: reply line too long\n");
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = timeout_ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			fprintf(stderr, "dpdk-rtcd-ctl: no reply within %d s\n", timeout_ms / 1000);
			return -1;
		}
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (c->len != 0)
				fprintf(stderr, "dpdk-rtcd-ctl: connection closed in a reply\n");
			else
				fprintf(stderr, "dpdk-rtcd-ctl: the daemon closed the connection\n");
			return -1;
		}
		c->len += (size_t)n;
	}
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Send @p cmd, print its reply. 0 ok, 1 error reply, 2 failure. */
static int
run(struct conn *c, const char *cmd)
{
	char line[MAX_LINE + 2];
	unsigned long n = 0, i;
	size_t len = strlen(cmd);
	int is_list;

	if (len > MAX_LINE || strchr(cmd, '\n') != NULL) {
		fprintf(stderr, "dpdk-rtcd-ctl: a command is one line of at most %d bytes\n",
			MAX_LINE);
		return 2;
	}
	if (write_all(c->fd, cmd, len) != 0 || write_all(c->fd, "\n", 1) != 0) {
		fprintf(stderr, "dpdk-rtcd-ctl: send: %s\n", strerror(errno));
		return 2;
	}
	if (read_line(c, line, sizeof(line)) != 0)
		return 2;
	printf("%s\n", line);
	if (strncmp(line, "error", 5) == 0)
		return 1;
	if (strncmp(line, "ok", 2) != 0) {
		fprintf(stderr, "dpdk-rtcd-ctl: not a reply: %s\n", line);
		return 2;
	}
	/* "list" answers "ok N" and N lines, one per device. */
	is_list = strncmp(cmd + strspn(cmd, " \t"), "list", 4) == 0;
	if (is_list && sscanf(line, "ok %lu", &n) == 1) {
		for (i = 0; i < n; i++) {
			if (read_line(c, line, sizeof(line)) != 0)
				return 2;
			printf("%s\n", line);
		}
	}
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static struct conn c;
	const char *path = NULL, *prefix = NULL;
	char def[256], cmd[MAX_LINE + 2], *end;
	int opt, rc = 0, r;
	long v;

	while ((opt = getopt_long(argc, argv, "+s:p:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'p':
			prefix = optarg;
			break;
		case 't':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 || v > 3600) {
				fprintf(stderr, "dpdk-rtcd-ctl: --timeout: '%s' is not 1..3600\n",
					optarg);
				return 2;
			}
			timeout_ms = (int)v * 1000;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'dpdk-rtcd-ctl --help'.\n");
			return 2;
		}
	}
	if (path != NULL && prefix != NULL) {
		fprintf(stderr, "dpdk-rtcd-ctl: give --socket or --prefix, not both\n");
		return 2;
	}
	if (path == NULL) {
		char dir[200];

		rtcd_default_rundir(dir, sizeof(dir));
		if (prefix != NULL && strcmp(prefix, "rte") != 0)
			snprintf(def, sizeof(def), "%s/%.40s.control.sock", dir, prefix);
		else
			snprintf(def, sizeof(def), "%s/control.sock", dir);
		path = def;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "dpdk-rtcd-ctl: %s: path too long\n", path);
		return 2;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	c.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c.fd < 0 || connect(c.fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "dpdk-rtcd-ctl: %s: %s (is dpdk-rtcd running? see -s, -p)\n", path,
			strerror(errno));
		return 2;
	}
	if (optind < argc) {
		size_t len = 0;
		int i;

		cmd[0] = '\0';
		for (i = optind; i < argc; i++) {
			size_t l = strlen(argv[i]);

			if (len + l + 1 > MAX_LINE) {
				fprintf(stderr, "dpdk-rtcd-ctl: the command is longer than %d bytes\n",
					MAX_LINE);
				return 2;
			}
			if (i > optind)
				cmd[len++] = ' ';
			memcpy(cmd + len, argv[i], l + 1);
			len += l;
		}
		rc = run(&c, cmd);
	} else {
		while (fgets(cmd, sizeof(cmd), stdin) != NULL) {
			size_t l = strlen(cmd);

			if (l > 0 && cmd[l - 1] == '\n')
				cmd[--l] = '\0';
			if (l == 0 || cmd[strspn(cmd, " \t")] == '#')
				continue;
			r = run(&c, cmd);
			if (r == 2)
				return 2;
			if (r > rc)
				rc = r;
		}
	}
	close(c.fd);
	return rc;
}
