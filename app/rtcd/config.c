/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * dpdk-rtcd's configuration file: parsing and syntax checks (config.h).
 * The file is the operator's (root's, usually /etc/dpdk-rtcd), but it is
 * still read with limits: size, line length, number of settings.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

int
rtcd_spec_name(const char *spec, char *name, size_t size)
{
	size_t len = strcspn(spec, ",");

	if (len == 0 || len >= size || len > 63)
		return -EINVAL;
	memcpy(name, spec, len);
	name[len] = '\0';
	return 0;
}

void
rtcd_config_free(struct rtcd_config *c)
{
	unsigned int i;

	for (i = 0; i < c->nb_entries; i++) {
		free(c->entries[i].key);
		free(c->entries[i].value);
	}
	free(c->entries);
	c->entries = NULL;
	c->nb_entries = 0;
}

static int
key_known(const char *const *keys, const char *key)
{
	for (; *keys != NULL; keys++) {
		if (strcmp(*keys, key) == 0)
			return 1;
	}
	return 0;
}

/* Read the whole file (at most RTCD_CONFIG_MAX_SIZE bytes). */
static char *
read_all(const char *path, size_t *len, int *rc)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		*rc = -errno;
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*rc = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		close(fd);
		return NULL;
	}
	buf = malloc(RTCD_CONFIG_MAX_SIZE + 1);
	if (buf == NULL) {
		*rc = -ENOMEM;
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, RTCD_CONFIG_MAX_SIZE + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*rc = -errno;
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > RTCD_CONFIG_MAX_SIZE) {
			*rc = -EFBIG;
			free(buf);
			close(fd);
			return NULL;
		}
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

int
rtcd_config_load(const char *path, const char *const *keys, struct rtcd_config *c,
		 char *err, size_t err_size)
{
	char *buf, *p, *end;
	size_t len = 0;
	unsigned int lineno = 0, i;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	buf = read_all(path, &len, &rc);
	if (buf == NULL) {
		snprintf(err, err_size, "%s: %s", path,
			 rc == -EFBIG ? "larger than 1 MiB" : strerror(-rc));
		return rc;
	}
	c->entries = calloc(RTCD_CONFIG_MAX_ENTRIES, sizeof(*c->entries));
	if (c->entries == NULL) {
		free(buf);
		snprintf(err, err_size, "%s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	end = buf + len;
	for (p = buf; p < end; ) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *line = p, *key, *value, *q;
		size_t llen = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		p = nl != NULL ? nl + 1 : end;
		lineno++;
		if (llen > RTCD_CONFIG_MAX_LINE) {
			snprintf(err, err_size, "%s:%u: line longer than %u bytes", path, lineno,
				 RTCD_CONFIG_MAX_LINE);
			rc = -EINVAL;
			goto fail;
		}
		line[llen] = '\0';
		for (q = line; *q != '\0'; q++) {
			if (((unsigned char)*q < 0x20 && *q != '\t' && *q != '\r') || *q == 0x7f) {
				snprintf(err, err_size, "%s:%u: control or NUL byte in the line",
					 path, lineno);
				rc = -EINVAL;
				goto fail;
			}
		}
		if (memchr(line, '\0', llen) != NULL && strlen(line) != llen) {
			snprintf(err, err_size, "%s:%u: NUL byte in the line", path, lineno);
			rc = -EINVAL;
			goto fail;
		}
		/* Trim. */
		while (is_space(*line))
			line++;
		q = line + strlen(line);
		while (q > line && (is_space(q[-1]) || q[-1] == '\r'))
			*--q = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		key = line;
		q = key;
		while (*q != '\0' && !is_space(*q))
			q++;
		if (*q == '\0') {
			snprintf(err, err_size, "%s:%u: '%s' without a value (expected KEY VALUE)",
				 path, lineno, key);
			rc = -EINVAL;
			goto fail;
		}
		*q++ = '\0';
		while (is_space(*q))
			q++;
		value = q;
		if (!key_known(keys, key)) {
			snprintf(err, err_size, "%s:%u: unknown key '%.64s'", path, lineno, key);
			rc = -EINVAL;
			goto fail;
		}
		if (c->nb_entries == RTCD_CONFIG_MAX_ENTRIES) {
			snprintf(err, err_size, "%s:%u: more than %u settings", path, lineno,
				 RTCD_CONFIG_MAX_ENTRIES);
			rc = -EINVAL;
			goto fail;
		}
		if (strcmp(key, "device") == 0) {
			char name[64], other[64];

			if (rtcd_spec_name(value, name, sizeof(name)) != 0 ||
			    strpbrk(name, " \t=") != NULL) {
				snprintf(err, err_size, "%s:%u: device: expected NAME,key=value,... "
					 "with a name of 1 to 63 characters", path, lineno);
				rc = -EINVAL;
				goto fail;
			}
			if (strpbrk(value, " \t") != NULL) {
				snprintf(err, err_size, "%s:%u: device %s: a space in the device "
					 "string", path, lineno, name);
				rc = -EINVAL;
				goto fail;
			}
			for (i = 0; i < c->nb_entries; i++) {
				const struct rtcd_config_entry *e = &c->entries[i];

				if (strcmp(e->key, "device") == 0 &&
				    rtcd_spec_name(e->value, other, sizeof(other)) == 0 &&
				    strcmp(other, name) == 0) {
					snprintf(err, err_size, "%s:%u: device %s given twice (first "
						 "at line %u)", path, lineno, name, e->line);
					rc = -EINVAL;
					goto fail;
				}
			}
		}
		c->entries[c->nb_entries].key = strdup(key);
		c->entries[c->nb_entries].value = strdup(value);
		c->entries[c->nb_entries].line = lineno;
		if (c->entries[c->nb_entries].key == NULL || c->entries[c->nb_entries].value == NULL) {
			free(c->entries[c->nb_entries].key);
			free(c->entries[c->nb_entries].value);
			snprintf(err, err_size, "%s: %s", path, strerror(ENOMEM));
			rc = -ENOMEM;
			goto fail;
		}
		c->nb_entries++;
	}
	free(buf);
	return 0;
fail:
	free(buf);
	rtcd_config_free(c);
	return rc;
}
