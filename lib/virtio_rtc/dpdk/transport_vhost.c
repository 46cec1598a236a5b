/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * vhost-user transport on rte_vhost. The only file that includes
 * rte_vhost.h.
 *
 * Security model: the front-end (a VMM, or any local process that can open
 * the socket, hence mode 0600 by default) is trusted to follow the
 * vhost-user protocol as far as rte_vhost checks it; the guest behind it is
 * not trusted at all. rte_vhost maps the memory table and translates the
 * ring addresses (checking each ring lies in one region); every descriptor
 * is checked by the engine (vq.c, chain.c) against our own copy of the
 * memory table.
 *
 * Queue life cycle. rte_vhost reports each ring's readiness with
 * vring_state_changed() (also when new_device() never comes, e.g. a
 * virtio-rtc guest that sets up the requestq only). Around every message
 * that may change the memory table, a ring, its eventfds or the features,
 * the pre-message hook takes all queues of the device back from the
 * workers (vrtc_queue_quiesce: running = 0, then an RCU grace period) and
 * stores their ring indexes into rte_vhost (so GET_VRING_BASE answers with
 * the truth); the post-message hook and the readiness callbacks rebuild the
 * memory map and hand every ready ring back to its worker
 * (reconcile_device). destroy_connection() stops everything before
 * rte_vhost unmaps guest memory. One front-end per device at a time: a new
 * connection replaces the current one (a restarted VMM often reconnects
 * before rte_vhost has noticed the old one is gone).
 *
 * vhost-user has no message for a back-end to set DEVICE_NEEDS_RESET, so a
 * queue the guest broke stays stopped (and logged) until the guest resets
 * the device, which re-initialises the ring.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_malloc.h>
#include <rte_vhost.h>

#include "vrtc_internal.h"

/* vhost-user request numbers (the vhost-user specification). */
enum {
	VHU_GET_FEATURES = 1,
	VHU_SET_OWNER = 3,
	VHU_GET_PROTOCOL_FEATURES = 15,
	VHU_GET_QUEUE_NUM = 17,
	VHU_GET_CONFIG = 24,
	VHU_GET_INFLIGHT_FD = 31,
	VHU_GET_MAX_MEM_SLOTS = 36,
	VHU_GET_STATUS = 40,
};

/* Protocol features we offer: none is needed by these devices; REPLY_ACK
 * lets a front-end learn that a message failed without a disconnect. */
#define OFFERED_PROTOCOL_FEATURES (UINT64_C(1) << VHOST_USER_PROTOCOL_F_REPLY_ACK)

#define MAX_VIDS 1024 /* RTE_MAX_VHOST_DEVICE */

/* vid -> device, for the callbacks (vrtc_ctl_lock). */
static struct vrtc_device *vid_devices[MAX_VIDS];

static struct vrtc_device *
device_of_vid(int vid)
{
	if (vid < 0 || vid >= MAX_VIDS)
		return NULL;
	return vid_devices[vid];
}

/* Messages that only read state: no need to stop the queues. */
static int
message_is_query(uint32_t request)
{
	switch (request) {
	case VHU_GET_FEATURES:
	case VHU_SET_OWNER:
	case VHU_GET_PROTOCOL_FEATURES:
	case VHU_GET_QUEUE_NUM:
	case VHU_GET_CONFIG:
	case VHU_GET_INFLIGHT_FD:
	case VHU_GET_MAX_MEM_SLOTS:
	case VHU_GET_STATUS:
		return 1;
	default:
		return 0;
	}
}

/* Take every queue of @p dev back from the workers and record its ring
 * indexes in rte_vhost. */
static void
stop_queues(struct vrtc_device *dev)
{
	uint16_t i;

	for (i = 0; i < dev->nb_queues; i++) {
		struct vrtc_queue *q = &dev->queues[i];

		if (!q->vq_valid)
			continue;
		vrtc_queue_quiesce(q);
		if (dev->vid >= 0)
			rte_vhost_set_vring_base(dev->vid, q->qid, q->vq.last_avail_idx,
						 q->vq.used_idx);
		if (vrtc_vq_broken(&q->vq) != VRTC_VQ_OK)
			VRTC_DLOG(transport, NOTICE, dev,
				  "queue %u was broken by the guest (%s); a device reset clears it",
				  q->qid, vrtc_vq_broken_name(vrtc_vq_broken(&q->vq)));
		vrtc_vq_fini(&q->vq);
		q->vq_valid = 0;
		q->callfd = -1;
		q->kickfd = -1;
	}
}

static void
drop_mem(struct vrtc_device *dev)
{
	rte_free(dev->mem);
	dev->mem = NULL;
}

/* Rebuild the device's memory map from rte_vhost's table. */
static int
refresh_mem(struct vrtc_device *dev)
{
	struct vrtc_mem_region regions[VRTC_MEM_MAX_REGIONS];
	struct rte_vhost_memory *vmem = NULL;
	struct vrtc_mem *mem;
	uint32_t i;
	int rc;

	drop_mem(dev);
	if (rte_vhost_get_mem_table(dev->vid, &vmem) != 0)
		return -ENODATA; /* no SET_MEM_TABLE yet */
	if (vmem->nregions > VRTC_MEM_MAX_REGIONS) {
		free(vmem);
		return -E2BIG;
	}
	for (i = 0; i < vmem->nregions; i++) {
		regions[i].gpa = vmem->regions[i].guest_phys_addr;
		regions[i].size = vmem->regions[i].size;
		regions[i].hva = vmem->regions[i].host_user_addr;
	}
	mem = rte_zmalloc("vrtc_mem", sizeof(*mem), RTE_CACHE_LINE_SIZE);
	if (mem == NULL) {
		free(vmem);
		return -ENOMEM;
	}
	rc = vrtc_mem_init(mem, regions, vmem->nregions);
	free(vmem);
	if (rc != 0) {
		rte_free(mem);
		return rc;
	}
	dev->mem = mem;
	return 0;
}

/* Set up queue @p q from rte_vhost's view of its ring; 0 or -errno. */
static int
start_queue(struct vrtc_device *dev, struct vrtc_queue *q)
{
	struct rte_vhost_vring vr;
	struct vrtc_vq_config cfg;
	uint16_t last_avail, last_used;
	char name[80];
	int rc;

	if (rte_vhost_get_vhost_vring(dev->vid, q->qid, &vr) != 0 || vr.desc == NULL ||
	    vr.avail == NULL || vr.used == NULL || vr.kickfd < 0)
		return -EAGAIN; /* not (or no longer) set up */
	if (rte_vhost_get_vring_base(dev->vid, q->qid, &last_avail, &last_used) != 0)
		return -EAGAIN;
	snprintf(name, sizeof(name), "%s.q%u", dev->name, q->qid);
	memset(&cfg, 0, sizeof(cfg));
	cfg.name = name;
	cfg.size = vr.size;
	cfg.features = dev->features;
	cfg.mem = dev->mem;
	cfg.desc = vr.desc;
	cfg.avail = vr.avail;
	cfg.used = vr.used;
	cfg.last_avail_idx = last_avail;
	cfg.used_idx = last_used;
	rc = vrtc_vq_init(&q->vq, &cfg);
	if (rc != 0)
		return rc;
	q->vq_valid = 1;
	q->callfd = vr.callfd;
	q->kickfd = vr.kickfd;
	/* Busy pollers ask the guest not to kick; an adaptive worker turns
	 * kicks back on before it sleeps. */
	vrtc_vq_kicks_disable(&q->vq);
	vrtc_queue_publish(q);
	return 0;
}

/*
 * Bring the device's queues in line with rte_vhost: stop them all, rebuild
 * the memory map, start every ring that is ready. Rare (a handful of times
 * per guest boot), so simplicity wins over stopping only what changed.
 */
static void
reconcile_device(struct vrtc_device *dev)
{
	uint16_t i;
	int rc;

	stop_queues(dev);
	if (dev->closing || dev->detaching || dev->vid < 0 || !vrtc_service_running())
		return;
	if (rte_vhost_get_negotiated_features(dev->vid, &dev->features) != 0)
		return;
	for (i = 0; i < dev->nb_queues; i++) {
		if (dev->queues[i].served && dev->queues[i].vhost_ready)
			break;
	}
	if (i == dev->nb_queues)
		return; /* nothing to serve yet */
	rc = refresh_mem(dev);
	if (rc != 0) {
		if (rc != -ENODATA)
			VRTC_DLOG(transport, ERR, dev, "guest memory table refused: %s",
				  strerror(-rc));
		return;
	}
	if (dev->type == VRTC_DEVICE_RTC)
		vrtc_rtc_model_set_features(&dev->rtc.model, dev->features);
	for (i = 0; i < dev->nb_queues; i++) {
		struct vrtc_queue *q = &dev->queues[i];

		if (!q->served || !q->vhost_ready)
			continue;
		rc = start_queue(dev, q);
		if (rc == 0)
			VRTC_DLOG(transport, INFO, dev,
				  "serving queue %u (size %u, %s%s) on lcore %d", q->qid,
				  q->vq.vring.size, q->vq.event_idx ? "event_idx" : "flags",
				  q->vq.indirect ? ", indirect" : "", dev->worker_lcore);
		else if (rc != -EAGAIN)
			VRTC_DLOG(transport, ERR, dev, "queue %u cannot be served: %s", q->qid,
				  strerror(-rc));
	}
	vrtc_service_wake(dev);
}

/* ---- rte_vhost callbacks (vhost thread) ---------------------------------- */

static enum rte_vhost_msg_result
pre_msg(int vid, void *msg)
{
	struct vrtc_device *dev;
	uint32_t request;

	/* The message starts with its 32-bit request number. */
	memcpy(&request, msg, sizeof(request));
	if (message_is_query(request))
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	pthread_mutex_lock(&vrtc_ctl_lock);
	dev = device_of_vid(vid);
	if (dev != NULL) {
		stop_queues(dev);
		drop_mem(dev); /* the message may unmap it */
	}
	pthread_mutex_unlock(&vrtc_ctl_lock);
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static enum rte_vhost_msg_result
post_msg(int vid, void *msg)
{
	struct vrtc_device *dev;
	uint32_t request;

	memcpy(&request, msg, sizeof(request));
	if (message_is_query(request))
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	pthread_mutex_lock(&vrtc_ctl_lock);
	dev = device_of_vid(vid);
	if (dev != NULL)
		reconcile_device(dev);
	pthread_mutex_unlock(&vrtc_ctl_lock);
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static const struct rte_vhost_user_extern_ops extern_ops = {
	.pre_msg_handle = pre_msg,
	.post_msg_handle = post_msg,
};

static struct vrtc_device *
device_of_ifname(int vid)
{
	struct vrtc_device *dev;
	char path[PATH_MAX];

	if (rte_vhost_get_ifname(vid, path, sizeof(path)) != 0)
		return NULL;
	TAILQ_FOREACH(dev, &vrtc_devices, next) {
		if (strcmp(dev->iface, path) == 0)
			return dev;
	}
	return NULL;
}

static void
forget_connection(struct vrtc_device *dev)
{
	uint16_t i;

	stop_queues(dev);
	drop_mem(dev);
	for (i = 0; i < dev->nb_queues; i++)
		dev->queues[i].vhost_ready = 0;
	vid_devices[dev->vid] = NULL;
	dev->vid = -1;
	dev->features = 0;
}

static int
on_new_connection(int vid)
{
	struct vrtc_device *dev;
	int rc = 0;

	if (vid < 0 || vid >= MAX_VIDS)
		return -1;
	pthread_mutex_lock(&vrtc_ctl_lock);
	dev = device_of_ifname(vid);
	if (dev == NULL || dev->closing) {
		rc = -1;
	} else if (rte_vhost_extern_callback_register(vid, &extern_ops, dev) != 0) {
		VRTC_DLOG(transport, ERR, dev, "cannot hook vhost-user messages");
		rc = -1;
	} else {
		if (dev->vid >= 0) {
			/* The newest front-end wins: a VMM restarted after a crash
			 * reconnects before rte_vhost has read the old connection's
			 * EOF. The old connection is left to rte_vhost to close; its
			 * callbacks no longer find this device. */
			VRTC_DLOG(transport, WARNING, dev,
				  "new front-end connection (vid %d) replaces vid %d", vid,
				  dev->vid);
			forget_connection(dev);
		}
		dev->vid = vid;
		dev->connections++;
		vid_devices[vid] = dev;
		VRTC_DLOG(transport, INFO, dev, "front-end connected (vid %d)", vid);
	}
	pthread_mutex_unlock(&vrtc_ctl_lock);
	return rc;
}

static void
on_destroy_connection(int vid)
{
	struct vrtc_device *dev;

	pthread_mutex_lock(&vrtc_ctl_lock);
	dev = device_of_vid(vid);
	if (dev != NULL) {
		forget_connection(dev);
		VRTC_DLOG(transport, INFO, dev, "front-end disconnected (vid %d)", vid);
	}
	pthread_mutex_unlock(&vrtc_ctl_lock);
}

static int
on_new_device(int vid)
{
	struct vrtc_device *dev;

	pthread_mutex_lock(&vrtc_ctl_lock);
	dev = device_of_vid(vid);
	if (dev != NULL) {
		reconcile_device(dev);
		VRTC_DLOG(transport, INFO, dev, "driver ready, features 0x%" PRIx64,
			  dev->features);
	}
	pthread_mutex_unlock(&vrtc_ctl_lock);
	return dev != NULL ? 0 : -1;
}

static void
on_destroy_device(int vid)
{
	struct vrtc_device *dev;

	pthread_mutex_lock(&vrtc_ctl_lock);
	dev = device_of_vid(vid);
	if (dev != NULL)
		stop_queues(dev);
	pthread_mutex_unlock(&vrtc_ctl_lock);
}

static int
on_vring_state_changed(int vid, uint16_t queue_id, int enable)
{
	struct vrtc_device *dev;

	pthread_mutex_lock(&vrtc_ctl_lock);
	dev = device_of_vid(vid);
	if (dev != NULL) {
		if (queue_id < dev->nb_queues) {
			dev->queues[queue_id].vhost_ready = enable != 0;
			reconcile_device(dev);
		} else {
			VRTC_DLOG(transport, WARNING, dev,
				  "front-end set up queue %u; this device has %u (ignored)",
				  queue_id, dev->nb_queues);
		}
	}
	pthread_mutex_unlock(&vrtc_ctl_lock);
	return 0;
}

static int
on_features_changed(int vid, uint64_t features)
{
	RTE_SET_USED(vid);
	RTE_SET_USED(features);
	/* The pre/post hooks around SET_FEATURES already re-read them. */
	return 0;
}

static const struct rte_vhost_device_ops vhost_ops = {
	.new_device = on_new_device,
	.destroy_device = on_destroy_device,
	.vring_state_changed = on_vring_state_changed,
	.features_changed = on_features_changed,
	.new_connection = on_new_connection,
	.destroy_connection = on_destroy_connection,
};

/* ---- socket registration (control thread) --------------------------------- */

int
vrtc_transport_register(struct vrtc_device *dev)
{
	uint64_t flags = 0;

	if (dev->params.client) {
		flags |= RTE_VHOST_USER_CLIENT;
		if (dev->params.no_reconnect)
			flags |= RTE_VHOST_USER_NO_RECONNECT;
	}
	if (rte_vhost_driver_register(dev->iface, flags) != 0) {
		VRTC_DLOG(transport, ERR, dev, "rte_vhost refused socket %s", dev->iface);
		return -EIO;
	}
	/* Setting the features also turns rte_vhost's built-in net device off. */
	if (rte_vhost_driver_set_features(dev->iface, dev->offered_features) != 0 ||
	    rte_vhost_driver_set_protocol_features(dev->iface, OFFERED_PROTOCOL_FEATURES) != 0 ||
	    rte_vhost_driver_callback_register(dev->iface, &vhost_ops) != 0) {
		VRTC_DLOG(transport, ERR, dev, "cannot configure socket %s", dev->iface);
		rte_vhost_driver_unregister(dev->iface);
		return -EIO;
	}
	dev->registered = 1;
	return 0;
}

/* Server mode: a socket file left by a process that is gone is removed; one
 * that somebody still listens on is not stolen. */
static int
check_stale_socket(struct vrtc_device *dev)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(dev->iface, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		VRTC_DLOG(transport, ERR, dev, "%s exists and is not a socket", dev->iface);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(sa.sun_path, dev->iface, strlen(dev->iface) + 1);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0) {
		VRTC_DLOG(transport, ERR, dev, "another process listens on %s", dev->iface);
		return -EADDRINUSE;
	}
	VRTC_DLOG(transport, NOTICE, dev, "removing stale socket %s", dev->iface);
	if (unlink(dev->iface) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
vrtc_transport_start(struct vrtc_device *dev)
{
	mode_t old_umask;
	int rc;

	if (!dev->registered) {
		rc = vrtc_transport_register(dev);
		if (rc != 0)
			return rc;
	}
	if (dev->started)
		return 0;
	if (!dev->params.client) {
		rc = check_stale_socket(dev);
		if (rc != 0)
			return rc;
	}
	/* Create the socket file private (bind happens inside), then widen
	 * it to the configured mode: no window where anyone else can connect. */
	old_umask = umask(0177);
	rc = rte_vhost_driver_start(dev->iface);
	umask(old_umask);
	if (rc != 0) {
		VRTC_DLOG(transport, ERR, dev, "cannot %s %s", dev->params.client ? "dial" : "listen on",
			  dev->iface);
		return -EIO;
	}
	if (!dev->params.client) {
		if (chmod(dev->iface, dev->params.socket_mode) != 0 ||
		    ((dev->params.socket_uid != (uid_t)-1 || dev->params.socket_gid != (gid_t)-1) &&
		     chown(dev->iface, dev->params.socket_uid, dev->params.socket_gid) != 0)) {
			rc = -errno;
			VRTC_DLOG(transport, ERR, dev, "cannot set owner/mode of %s: %s", dev->iface,
				  strerror(-rc));
			return rc;
		}
	}
	dev->started = 1;
	VRTC_DLOG(transport, INFO, dev, "%s %s (mode %04o)",
		  dev->params.client ? "dialling" : "listening on", dev->iface,
		  (unsigned int)dev->params.socket_mode);
	return 0;
}

void
vrtc_transport_unregister(struct vrtc_device *dev)
{
	pthread_mutex_lock(&vrtc_ctl_lock);
	dev->detaching = 1; /* callbacks from now on start nothing */
	stop_queues(dev);
	pthread_mutex_unlock(&vrtc_ctl_lock);
	if (!dev->registered) {
		dev->detaching = 0;
		return;
	}
	/* rte_vhost destroys the connection here (calling destroy_device but
	 * not destroy_connection), so forget it ourselves afterwards. The
	 * lock must not be held: unregister waits for running callbacks. */
	rte_vhost_driver_unregister(dev->iface);
	pthread_mutex_lock(&vrtc_ctl_lock);
	if (dev->vid >= 0)
		forget_connection(dev);
	dev->registered = 0;
	dev->started = 0;
	dev->detaching = 0;
	pthread_mutex_unlock(&vrtc_ctl_lock);
}
