/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * PHC clocks (see clock_phc.h). The real source reads the device with
 * clock_gettime() on the clock id the kernel derives from an open fd of a
 * dynamic POSIX clock (FD_TO_CLOCKID, as in the kernel's testptp.c); the
 * kernel only needs the fd open for reading for that. Failed reads become
 * EIO for the guest, are counted, and are logged on the 1st, 2nd, 4th ...
 * failure.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ptp_clock.h>

#include "clock_phc.h"
#include "log.h"
#include "platform.h"
#include "vrtc_wire.h"

/* The clock id of a dynamic POSIX clock open as @p fd (include/linux/posix-timers.h). */
#define VRTC_FD_TO_CLOCKID(fd) ((clockid_t)((((unsigned int)~(fd)) << 3) | 3u))

/* TAI - UTC has been between 10 s (1972) and 37 s (2017-): a PHC that many
 * seconds ahead of CLOCK_REALTIME runs TAI. */
#define TAI_UTC_MIN_S 10.0
#define TAI_UTC_MAX_S 100.0

struct vrtc_phc {
	struct vrtc_phc_source src;
	struct vrtc_phc_stats stats;
	uint8_t type; /* VRTC_RTC_CLOCK_UTC or _TAI */
	int fd;	      /* the device, or -1 for an injected source */
	clockid_t clk;
	char name[VRTC_PHC_PATH_MAX + 1];
};

static int
error_worth_logging(uint64_t nb_errors)
{
	return (nb_errors & (nb_errors - 1)) == 0;
}

int
vrtc_phc_spec_parse(const char *spec, size_t len, char *path, size_t path_size,
		    uint8_t *virtio_type)
{
	const char *colon = NULL, *type;
	size_t i, plen, tlen;

	if (spec == NULL || path == NULL || virtio_type == NULL)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (spec[i] == ':')
			colon = spec + i;
	if (colon == NULL)
		return -EINVAL;
	plen = (size_t)(colon - spec);
	type = colon + 1;
	tlen = len - plen - 1;
	if (plen == 0 || plen > VRTC_PHC_PATH_MAX || plen >= path_size ||
	    memchr(spec, '\0', plen) != NULL)
		return -EINVAL;
	if (tlen == 3 && memcmp(type, "tai", 3) == 0)
		*virtio_type = VRTC_RTC_CLOCK_TAI;
	else if (tlen == 3 && memcmp(type, "utc", 3) == 0)
		*virtio_type = VRTC_RTC_CLOCK_UTC;
	else
		return -EINVAL;
	memcpy(path, spec, plen);
	path[plen] = '\0';
	return 0;
}

static int
phc_read_ts(struct vrtc_phc *phc, uint64_t *ns)
{
	struct timespec ts;
	int rc = phc->src.read(phc->src.ctx, &ts);

	if (rc == 0 && (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L ||
			(uint64_t)ts.tv_sec > UINT64_MAX / 1000000000u - 1))
		rc = -ERANGE;
	if (vrtc_unlikely(rc != 0)) {
		if (rc > 0)
			rc = -EIO;
		phc->stats.errors++;
		if (error_worth_logging(phc->stats.errors))
			vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_ERR,
				 "phc %s: read failed: %s (%" PRIu64 " failures so far)",
				 phc->name, strerror(-rc), phc->stats.errors);
		return rc;
	}
	phc->stats.reads++;
	*ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return 0;
}

static int
phc_op_read(void *ctx, uint64_t *ns)
{
	return phc_read_ts(ctx, ns);
}

static const struct vrtc_clock_ops phc_clock_ops = {
	.read = phc_op_read,
	/* PTP_SYS_OFFSET_PRECISE could cross-timestamp against the TSC on
	 * some NICs; not offered (see doc/virtio-rtc.md). */
	.cross_capable = NULL,
	.read_cross = NULL,
};

static int
device_read(void *ctx, struct timespec *ts)
{
	const struct vrtc_phc *phc = ctx;

	if (clock_gettime(phc->clk, ts) != 0)
		return -errno;
	return 0;
}

/* Warn when the PHC's time does not look like what the operator declared. */
static void
check_timescale(struct vrtc_phc *phc, uint64_t phc_ns)
{
	struct timespec rt;
	double diff;

	if (clock_gettime(CLOCK_REALTIME, &rt) != 0)
		return;
	diff = ((double)phc_ns - ((double)rt.tv_sec * 1e9 + (double)rt.tv_nsec)) / 1e9;
	if (phc->type == VRTC_RTC_CLOCK_UTC && diff > TAI_UTC_MIN_S && diff < TAI_UTC_MAX_S)
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_WARNING,
			 "phc %s: declared utc but it is %.3f s ahead of the host's UTC: "
			 "it looks like TAI (ptp4l runs PHCs in TAI); declare it :tai",
			 phc->name, diff);
	else if (phc->type == VRTC_RTC_CLOCK_TAI && diff > -1.0 && diff < 1.0)
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_WARNING,
			 "phc %s: declared tai but it is within 1 s of the host's UTC (%.3f s): "
			 "it looks like UTC; declare it :utc",
			 phc->name, diff);
	else if (diff <= -TAI_UTC_MAX_S || diff >= TAI_UTC_MAX_S)
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_WARNING,
			 "phc %s: %.0f s away from the host's UTC: is it disciplined "
			 "(ptp4l, phc2sys)? The guest gets its time as it is",
			 phc->name, diff);
}

static int
phc_finish(struct vrtc_phc *phc)
{
	uint64_t ns;
	int rc = phc_read_ts(phc, &ns);

	if (rc != 0)
		return rc;
	/* The set-up read is not the guest's. */
	phc->stats.reads = 0;
	check_timescale(phc, ns);
	return 0;
}

int
vrtc_phc_create(const struct vrtc_phc_source *src, const char *name, uint8_t virtio_type,
		struct vrtc_phc **out)
{
	struct vrtc_phc *phc;
	int rc;

	*out = NULL;
	if (src == NULL || src->read == NULL || name == NULL ||
	    (virtio_type != VRTC_RTC_CLOCK_UTC && virtio_type != VRTC_RTC_CLOCK_TAI))
		return -EINVAL;
	phc = calloc(1, sizeof(*phc));
	if (phc == NULL)
		return -ENOMEM;
	phc->src = *src;
	phc->type = virtio_type;
	phc->fd = -1;
	snprintf(phc->name, sizeof(phc->name), "%s", name);
	rc = phc_finish(phc);
	if (rc != 0) {
		free(phc);
		return rc;
	}
	*out = phc;
	return 0;
}

int
vrtc_phc_open(const char *path, uint8_t virtio_type, struct vrtc_phc **out)
{
	struct ptp_clock_caps caps;
	struct vrtc_phc *phc;
	struct stat st;
	int rc;

	*out = NULL;
	if (path == NULL || path[0] == '\0' || strlen(path) > VRTC_PHC_PATH_MAX ||
	    (virtio_type != VRTC_RTC_CLOCK_UTC && virtio_type != VRTC_RTC_CLOCK_TAI))
		return -EINVAL;
	phc = calloc(1, sizeof(*phc));
	if (phc == NULL)
		return -ENOMEM;
	snprintf(phc->name, sizeof(phc->name), "%s", path);
	phc->type = virtio_type;
	phc->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (phc->fd < 0) {
		rc = -errno;
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_ERR, "phc %s: cannot open: %s", path,
			 strerror(-rc));
		goto fail;
	}
	if (fstat(phc->fd, &st) != 0 || !S_ISCHR(st.st_mode)) {
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_ERR,
			 "phc %s: not a character device (a PTP hardware clock is /dev/ptpN)",
			 path);
		rc = -ENODEV;
		goto fail;
	}
	memset(&caps, 0, sizeof(caps));
	if (ioctl(phc->fd, PTP_CLOCK_GETCAPS, &caps) != 0) {
		rc = -errno;
		vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_ERR,
			 "phc %s: not a PTP hardware clock (PTP_CLOCK_GETCAPS: %s)", path,
			 strerror(-rc));
		rc = -ENODEV;
		goto fail;
	}
	phc->clk = VRTC_FD_TO_CLOCKID(phc->fd);
	phc->src.read = device_read;
	phc->src.ctx = phc;
	rc = phc_finish(phc);
	if (rc != 0)
		goto fail;
	vrtc_log(VRTC_LOGC_CLOCK, VRTC_LOG_INFO,
		 "phc %s: served as %s (max adjustment %d ppb, %d pps)", path,
		 virtio_type == VRTC_RTC_CLOCK_TAI ? "TAI" : "UTC", caps.max_adj, caps.pps);
	*out = phc;
	return 0;
fail:
	vrtc_phc_destroy(phc);
	return rc;
}

void
vrtc_phc_destroy(struct vrtc_phc *phc)
{
	if (phc == NULL)
		return;
	if (phc->fd >= 0)
		close(phc->fd);
	free(phc);
}

void
vrtc_phc_clock_init(struct vrtc_clock *clock, struct vrtc_phc *phc)
{
	memset(clock, 0, sizeof(*clock));
	clock->type = phc->type;
	clock->smearing = VRTC_RTC_SMEAR_UNSPECIFIED;
	clock->ops = &phc_clock_ops;
	clock->ctx = phc;
}

const struct vrtc_phc_stats *
vrtc_phc_stats(const struct vrtc_phc *phc)
{
	return &phc->stats;
}

const char *
vrtc_phc_name(const struct vrtc_phc *phc)
{
	return phc->name;
}
