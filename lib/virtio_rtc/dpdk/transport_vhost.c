/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * vhost-user transport on rte_vhost. The only file that includes
 * rte_vhost.h. It implements struct vrtc_transport_ops and turns rte_vhost
 * events into vrtc_device_* calls; it never touches a poller.
 *
 * Security model: the front-end (a VMM, or any local process that can open
 * the socket, hence mode 0600 by default) is not trusted: every message
 * reaches rte_vhost only after the front door (frontdoor.c, when in use)
 * validated it; what rte_vhost 22.11 would still get wrong is listed in
 * doc/frontdoor.md. The guest behind it is not trusted at all: every
 * descriptor is checked by the engine (vq.c, chain.c) against our own copy
 * of the memory table.
 *
 * Queue life cycle. rte_vhost reports each ring's readiness with
 * vring_state_changed() (also when new_device() never comes, e.g. a
 * virtio-rtc guest that sets up the requestq only). Around every message
 * that may change the memory table, a ring, its eventfds or the features,
 * the pre-message hook takes all queues of the device back from the
 * poller (vrtc_device_queues_stop: running = 0, then an RCU grace period)
 * and stores their ring indexes into rte_vhost (so GET_VRING_BASE answers
 * with the truth); the post-message hook and the readiness callbacks
 * rebuild the memory map and hand every ready ring back to the poller
 * (reconcile_device). destroy_connection() stops everything before
 * rte_vhost unmaps guest memory.
 *
 * A message rte_vhost refuses gets no post-message hook: the queues the
 * pre-message hook stopped are started again by the next message or
 * readiness callback. Messages that could fail that way are checked before
 * rte_vhost sees them (the front door), so a refusal leaves the device as
 * it was.
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

#include "device.h"
#include "frontdoor.h"
#include "queue.h"

/* vhost-user request numbers (the vhost-user specification). */
enum {
	VHU_GET_FEATURES = 1,
	VHU_SET_FEATURES = 2,
	VHU_SET_OWNER = 3,
	VHU_RESET_OWNER = 4,
	VHU_SET_MEM_TABLE = 5,
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

/* What this transport keeps per device (dev->transport_priv). */
struct vhost_conn {
	TAILQ_ENTRY(vhost_conn) next;
	struct vrtc_device *dev;
	char private_path[108]; /* rte_vhost's socket, in our 0700 directory */
	int in_frontdoor;	/* the front door owns the public socket */
	int vid;	/* -1: no front-end */
	int registered; /* rte_vhost knows the socket path */
	int started;	/* rte_vhost_driver_start() succeeded */
	/* rte_vhost holds a memory table: a SET_MEM_TABLE succeeded since the
	 * connection began, the last RESET_OWNER or the last refused one.
	 * rte_vhost_get_mem_table() dereferences a missing table (22.11), so
	 * it is only asked when this is set. */
	int have_mem;
	/* rte_vhost considers the device running (between new_device and
	 * destroy_device): it then refuses a change of features. */
	int dev_running;
	uint64_t replaced;	    /* connections that took over a live one */
	uint64_t features_refused; /* SET_FEATURES refused before rte_vhost saw it */
};

/* vid -> device, for the callbacks (vrtc_device_lock). */
static struct vrtc_device *vid_devices[MAX_VIDS];

/* Every device's connection state, and the one front door that owns the
 * public sockets of all of them (vrtc_device_lock). */
static TAILQ_HEAD(, vhost_conn) conns = TAILQ_HEAD_INITIALIZER(conns);
static struct vrtc_frontdoor *frontdoor;
/* Where rte_vhost's private sockets live: set by the application, or
 * <EAL runtime dir>/vhost, created (and removed again) by us. */
static char backend_dir[108];
static int backend_dir_created;

static inline struct vhost_conn *
conn_of(const struct vrtc_device *dev)
{
	return dev->transport_priv;
}

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

/* Take every queue of @p dev back from the poller and record where each
 * stopped in rte_vhost (GET_VRING_BASE answers with it). */
static void
stop_queues(struct vrtc_device *dev)
{
	const struct vhost_conn *c = conn_of(dev);
	uint16_t i;
	int was_valid[VRTC_MAX_QUEUES];

	for (i = 0; i < dev->nb_queues; i++)
		was_valid[i] = dev->queues[i].vq_valid;
	vrtc_device_queues_stop(dev);
	if (c->vid < 0)
		return;
	for (i = 0; i < dev->nb_queues; i++) {
		uint16_t last_avail, used;

		if (!was_valid[i])
			continue;
		vrtc_device_queue_base(&dev->queues[i], &last_avail, &used);
		rte_vhost_set_vring_base(c->vid, i, last_avail, used);
	}
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

	vrtc_device_mem_set(dev, NULL);
	if (!conn_of(dev)->have_mem)
		return -ENODATA; /* no SET_MEM_TABLE yet */
	if (rte_vhost_get_mem_table(conn_of(dev)->vid, &vmem) != 0)
		return -ENODATA;
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
	vrtc_device_mem_set(dev, mem);
	return 0;
}

/* Set up queue @p q from rte_vhost's view of its ring; 0 or -errno. */
static int
start_queue(struct vrtc_device *dev, struct vrtc_queue *q)
{
	int vid = conn_of(dev)->vid;
	struct rte_vhost_vring vr;
	struct vrtc_queue_ring ring;
	uint16_t last_avail, last_used;
	char name[80];

	/* A driver that polls sets its kick up without an fd (NOFD): such a
	 * queue is served, its poller just never sleeps. */
	if (rte_vhost_get_vhost_vring(vid, q->qid, &vr) != 0 || vr.desc == NULL ||
	    vr.avail == NULL || vr.used == NULL)
		return -EAGAIN; /* not (or no longer) set up */
	if (rte_vhost_get_vring_base(vid, q->qid, &last_avail, &last_used) != 0)
		return -EAGAIN;
	snprintf(name, sizeof(name), "%s.q%u", dev->name, q->qid);
	/* For a packed ring rte_vhost gives the descriptor ring and the driver
	 * and device event areas in the same three fields (unions), and the
	 * bases with their wrap counters in bit 15. */
	memset(&ring, 0, sizeof(ring));
	ring.name = name;
	ring.size = vr.size;
	ring.desc = vr.desc;
	ring.driver = vr.avail;
	ring.device = vr.used;
	ring.last_avail = last_avail;
	ring.last_used = last_used;
	return vrtc_device_queue_start(dev, q, &ring, vr.callfd, vr.kickfd >= 0 ? vr.kickfd : -1);
}

/*
 * Bring the device's queues in line with rte_vhost: stop them all, rebuild
 * the memory map, start every ring that is ready. Rare (a handful of times
 * per guest boot), so simplicity wins over stopping only what changed.
 */
static void
reconcile_device(struct vrtc_device *dev)
{
	const struct vhost_conn *c = conn_of(dev);
	uint64_t features;
	uint16_t i;
	int rc;

	stop_queues(dev);
	if (!vrtc_device_wants_service(dev))
		return;
	if (rte_vhost_get_negotiated_features(c->vid, &features) != 0)
		return;
	rc = refresh_mem(dev);
	if (rc != 0) {
		if (rc != -ENODATA)
			VRTC_DLOG(transport, ERR, dev, "guest memory table refused: %s",
				  strerror(-rc));
		return;
	}
	vrtc_device_features_set(dev, features);
	for (i = 0; i < dev->nb_queues; i++) {
		struct vrtc_queue *q = &dev->queues[i];

		if (!q->served || !q->ring_ready)
			continue;
		rc = start_queue(dev, q);
		if (rc == 0)
			VRTC_DLOG(transport, INFO, dev,
				  "serving queue %u (%s, size %u, %s%s%s) on poller %s", q->qid,
				  vrtc_vq_layout(&q->vq) == VRTC_VQ_PACKED ? "packed" : "split",
				  vrtc_vq_size(&q->vq), vrtc_vq_event_idx(&q->vq) ? "event_idx" : "flags",
				  vrtc_vq_indirect(&q->vq) ? ", indirect" : "",
				  q->kickfd < 0 ? ", no kicks" : "", vrtc_poller_name(dev->poller));
		else if (rc != -EAGAIN)
			VRTC_DLOG(transport, ERR, dev, "queue %u cannot be served: %s", q->qid,
				  strerror(-rc));
	}
}

static void
forget_rings(struct vrtc_device *dev)
{
	uint16_t i;

	for (i = 0; i < dev->nb_queues; i++)
		dev->queues[i].ring_ready = 0;
}

/* ---- rte_vhost callbacks (vhost thread) ---------------------------------- */

/* vhost-user message header: request, flags, size, then the payload. */
#define MSG_PAYLOAD_OFFSET 12

/*
 * SET_FEATURES that rte_vhost would refuse, refused here before the queues
 * are stopped: rte_vhost then answers the NACK (REPLY_ACK) or closes the
 * connection, and the queues go on being served. A refusal after the
 * pre-message hook would leave them stopped (the post hook does not run).
 */
static int
features_refused(struct vrtc_device *dev, const void *msg)
{
	struct vhost_conn *c = conn_of(dev);
	uint64_t features, current = 0;
	uint32_t size;

	memcpy(&size, (const uint8_t *)msg + 8, sizeof(size));
	if (size < sizeof(features))
		return 0; /* rte_vhost refuses a short payload before any hook */
	memcpy(&features, (const uint8_t *)msg + MSG_PAYLOAD_OFFSET, sizeof(features));
	if ((features & ~dev->offered_features) != 0) {
		VRTC_DLOG(transport, WARNING, dev,
			  "SET_FEATURES 0x%" PRIx64 " refused: bits 0x%" PRIx64 " were never offered",
			  features, features & ~dev->offered_features);
		c->features_refused++;
		return 1;
	}
	if (c->dev_running && rte_vhost_get_negotiated_features(c->vid, &current) == 0 &&
	    current != features) {
		VRTC_DLOG(transport, WARNING, dev,
			  "SET_FEATURES 0x%" PRIx64 " refused: the device runs with 0x%" PRIx64
			  " (reset it first)", features, current);
		c->features_refused++;
		return 1;
	}
	return 0;
}

static enum rte_vhost_msg_result
pre_msg(int vid, void *msg)
{
	enum rte_vhost_msg_result result = RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	struct vrtc_device *dev;
	uint32_t request;

	/* The message starts with its 32-bit request number. */
	memcpy(&request, msg, sizeof(request));
	if (message_is_query(request))
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	pthread_mutex_lock(&vrtc_device_lock);
	dev = device_of_vid(vid);
	if (dev != NULL && request == VHU_SET_FEATURES && features_refused(dev, msg)) {
		result = RTE_VHOST_MSG_RESULT_ERR;
	} else if (dev != NULL) {
		stop_queues(dev);
		vrtc_device_mem_set(dev, NULL); /* the message may unmap it */
		if (request == VHU_SET_MEM_TABLE || request == VHU_RESET_OWNER) {
			conn_of(dev)->have_mem = 0; /* until it succeeds */
			vrtc_device_mem_unmapping(dev); /* rte_vhost unmaps it */
		}
		if (request == VHU_RESET_OWNER) {
			forget_rings(dev);
			conn_of(dev)->dev_running = 0;
		}
	}
	pthread_mutex_unlock(&vrtc_device_lock);
	return result;
}

static enum rte_vhost_msg_result
post_msg(int vid, void *msg)
{
	struct vrtc_device *dev;
	uint32_t request;

	memcpy(&request, msg, sizeof(request));
	if (message_is_query(request))
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	pthread_mutex_lock(&vrtc_device_lock);
	dev = device_of_vid(vid);
	if (dev != NULL) {
		if (request == VHU_SET_MEM_TABLE)
			conn_of(dev)->have_mem = 1;
		reconcile_device(dev);
	}
	pthread_mutex_unlock(&vrtc_device_lock);
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static const struct rte_vhost_user_extern_ops extern_ops = {
	.pre_msg_handle = pre_msg,
	.post_msg_handle = post_msg,
};

static struct vrtc_device *
device_of_ifname(int vid)
{
	struct vhost_conn *c;
	char path[PATH_MAX];

	if (rte_vhost_get_ifname(vid, path, sizeof(path)) != 0)
		return NULL;
	TAILQ_FOREACH(c, &conns, next) {
		if (strcmp(c->private_path, path) == 0)
			return c->dev;
	}
	return NULL;
}

static void
forget_connection(struct vrtc_device *dev)
{
	struct vhost_conn *c = conn_of(dev);

	vrtc_device_disconnected(dev);
	if (c->vid >= 0)
		vid_devices[c->vid] = NULL;
	c->vid = -1;
	c->have_mem = 0;
	c->dev_running = 0;
}

static int
on_new_connection(int vid)
{
	struct vrtc_device *dev;
	struct vhost_conn *c;
	int rc = 0;

	if (vid < 0 || vid >= MAX_VIDS)
		return -1;
	pthread_mutex_lock(&vrtc_device_lock);
	dev = device_of_ifname(vid);
	if (dev == NULL || dev->closing || dev->transport_priv == NULL) {
		rc = -1;
	} else if (rte_vhost_extern_callback_register(vid, &extern_ops, dev) != 0) {
		VRTC_DLOG(transport, ERR, dev, "cannot hook vhost-user messages");
		rc = -1;
	} else {
		c = conn_of(dev);
		if (c->vid >= 0) {
			/* The newest front-end wins: a VMM restarted after a crash
			 * reconnects before rte_vhost has read the old connection's
			 * EOF. The front door (when in use) refuses a second live
			 * connection before it gets here. */
			VRTC_DLOG(transport, WARNING, dev,
				  "new front-end connection (vid %d) replaces vid %d", vid, c->vid);
			forget_connection(dev);
			c->replaced++;
		}
		c->vid = vid;
		vid_devices[vid] = dev;
		vrtc_device_connected(dev);
		VRTC_DLOG(transport, INFO, dev, "front-end connected (vid %d)", vid);
	}
	pthread_mutex_unlock(&vrtc_device_lock);
	return rc;
}

static void
on_destroy_connection(int vid)
{
	struct vrtc_device *dev;

	pthread_mutex_lock(&vrtc_device_lock);
	dev = device_of_vid(vid);
	if (dev != NULL) {
		forget_connection(dev);
		VRTC_DLOG(transport, INFO, dev, "front-end disconnected (vid %d)", vid);
	}
	pthread_mutex_unlock(&vrtc_device_lock);
}

/*
 * rte_vhost calls new_device once every ring it has seen a message for is
 * ready. destroy_device (a GET_VRING_BASE of any one ring) made us forget
 * the readiness of all of them, but a ring the front-end did not stop gets
 * no vring_state_changed again: every ring rte_vhost has set up is ready.
 */
static void
mark_set_up_rings_ready(struct vrtc_device *dev, int vid)
{
	struct rte_vhost_vring vr;
	uint16_t i;

	for (i = 0; i < dev->nb_queues; i++) {
		if (rte_vhost_get_vhost_vring(vid, i, &vr) == 0 && vr.desc != NULL &&
		    vr.avail != NULL && vr.used != NULL)
			dev->queues[i].ring_ready = 1;
	}
}

static int
on_new_device(int vid)
{
	struct vrtc_device *dev;

	pthread_mutex_lock(&vrtc_device_lock);
	dev = device_of_vid(vid);
	if (dev != NULL) {
		conn_of(dev)->dev_running = 1;
		mark_set_up_rings_ready(dev, vid);
		reconcile_device(dev);
		VRTC_DLOG(transport, INFO, dev, "driver ready, features 0x%" PRIx64,
			  dev->features);
	}
	pthread_mutex_unlock(&vrtc_device_lock);
	return dev != NULL ? 0 : -1;
}

static void
on_destroy_device(int vid)
{
	struct vrtc_device *dev;

	pthread_mutex_lock(&vrtc_device_lock);
	dev = device_of_vid(vid);
	if (dev != NULL) {
		conn_of(dev)->dev_running = 0;
		stop_queues(dev);
		/* rte_vhost calls this on RESET_OWNER, a device reset and a
		 * lost connection: the rings are set up again from scratch. */
		forget_rings(dev);
	}
	pthread_mutex_unlock(&vrtc_device_lock);
}

static int
on_vring_state_changed(int vid, uint16_t queue_id, int enable)
{
	struct vrtc_device *dev;

	pthread_mutex_lock(&vrtc_device_lock);
	dev = device_of_vid(vid);
	if (dev != NULL) {
		if (queue_id < dev->nb_queues) {
			dev->queues[queue_id].ring_ready = enable != 0;
			reconcile_device(dev);
		} else {
			VRTC_DLOG(transport, WARNING, dev,
				  "front-end set up queue %u; this device has %u (ignored)",
				  queue_id, dev->nb_queues);
		}
	}
	pthread_mutex_unlock(&vrtc_device_lock);
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

/* ---- sockets (control thread) ------------------------------------------------ */

/*
 * rte_vhost listens only on a private path in a directory of ours (mode
 * 0700 in EAL's runtime directory); the public socket (iface=) belongs to
 * the front door, which validates every message before rte_vhost sees it
 * (doc/frontdoor.md). In client mode the front door dials the VMM and
 * rte_vhost still listens privately.
 */

#define PRIVATE_DIR "vhost"
#define RECONNECT_MS 1000

static void
on_frontdoor_event(void *arg, const char *device, enum vrtc_frontdoor_event ev,
		   const char *reason)
{
	RTE_SET_USED(arg);
	/* The front door logs its own lines (rate-limited per connection);
	 * refusals and drops are counted in its per-device stats. */
	if (ev == VRTC_FRONTDOOR_EV_DROPPED || ev == VRTC_FRONTDOOR_EV_REFUSED)
		VRTC_GLOG(transport, DEBUG, "%s: front door: %s (%s)", device,
			  vrtc_frontdoor_event_name(ev), reason != NULL ? reason : "");
}

int
vrtc_backend_dir_set(const char *dir)
{
	int rc = 0;

	if (dir == NULL || dir[0] != '/' || strlen(dir) >= sizeof(backend_dir) - 24)
		return -EINVAL;
	struct vhost_conn *c;

	pthread_mutex_lock(&vrtc_device_lock);
	TAILQ_FOREACH(c, &conns, next) {
		if (c->started)
			rc = -EBUSY; /* its socket exists already */
	}
	if (rc == 0) {
		if (backend_dir_created && rmdir(backend_dir) == 0)
			backend_dir_created = 0;
		snprintf(backend_dir, sizeof(backend_dir), "%s", dir);
	}
	pthread_mutex_unlock(&vrtc_device_lock);
	return rc;
}

int
vrtc_backend_chown(uid_t uid, gid_t gid)
{
	struct vhost_conn *c;
	int rc = 0;

	pthread_mutex_lock(&vrtc_device_lock);
	if (backend_dir[0] != '\0' && chown(backend_dir, uid, gid) != 0)
		rc = -errno;
	TAILQ_FOREACH(c, &conns, next) {
		if (rc == 0 && c->started && chown(c->private_path, uid, gid) != 0)
			rc = -errno;
	}
	pthread_mutex_unlock(&vrtc_device_lock);
	if (rc != 0)
		VRTC_GLOG(transport, ERR, "cannot hand the back-end sockets in %s to %u:%u: %s",
			  backend_dir, (unsigned int)uid, (unsigned int)gid, strerror(-rc));
	return rc;
}

/* The private directory, created 0700 and checked to be ours. */
static int
private_dir(char *dir, size_t len)
{
	struct stat st;
	int n;

	if (backend_dir[0] == '\0') {
		n = snprintf(backend_dir, sizeof(backend_dir), "%s/%s", rte_eal_get_runtime_dir(),
			     PRIVATE_DIR);
		if (n < 0 || (size_t)n >= sizeof(backend_dir)) {
			backend_dir[0] = '\0';
			return -ENAMETOOLONG;
		}
	}
	snprintf(dir, len, "%s", backend_dir);
	if (mkdir(dir, 0700) == 0)
		backend_dir_created = 1;
	else if (errno != EEXIST)
		return -errno;
	if (lstat(dir, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		VRTC_GLOG(transport, ERR, "%s: not a private directory of ours (mode %04o, uid %u)",
			  dir, (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid);
		return -EPERM;
	}
	return 0;
}

static int
private_path(struct vrtc_device *dev, struct vhost_conn *c)
{
	char dir[sizeof(c->private_path)];
	int rc, n;

	rc = private_dir(dir, sizeof(dir));
	if (rc != 0)
		return rc;
	n = snprintf(c->private_path, sizeof(c->private_path), "%s/%s.sock", dir, dev->name);
	if (n < 0 || (size_t)n >= sizeof(c->private_path)) {
		/* A long device name: a short unique one will do. */
		n = snprintf(c->private_path, sizeof(c->private_path), "%s/%p.sock", dir,
			     (void *)dev);
		if (n < 0 || (size_t)n >= sizeof(c->private_path))
			return -ENAMETOOLONG;
	}
	/* Our own directory: whatever is at the path is a leftover of ours. */
	if (unlink(c->private_path) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int
vhost_register(struct vrtc_device *dev)
{
	struct vhost_conn *c = conn_of(dev);

	if (rte_vhost_driver_register(c->private_path, 0) != 0) {
		VRTC_DLOG(transport, ERR, dev, "rte_vhost refused socket %s", c->private_path);
		return -EIO;
	}
	/* Setting the features also turns rte_vhost's built-in net device off. */
	if (rte_vhost_driver_set_features(c->private_path, dev->offered_features) != 0 ||
	    rte_vhost_driver_set_protocol_features(c->private_path, OFFERED_PROTOCOL_FEATURES) != 0 ||
	    rte_vhost_driver_callback_register(c->private_path, &vhost_ops) != 0) {
		VRTC_DLOG(transport, ERR, dev, "cannot configure socket %s", c->private_path);
		rte_vhost_driver_unregister(c->private_path);
		return -EIO;
	}
	c->registered = 1;
	return 0;
}

static int
vhost_open(struct vrtc_device *dev)
{
	struct vhost_conn *c;

	if (dev->transport_priv != NULL)
		return 0;
	c = rte_zmalloc("vrtc_vhost_conn", sizeof(*c), 0);
	if (c == NULL)
		return -ENOMEM;
	c->vid = -1;
	c->dev = dev;
	dev->transport_priv = c;
	TAILQ_INSERT_TAIL(&conns, c, next);
	return 0;
}

static int
frontdoor_get(void)
{
	struct vrtc_frontdoor_config cfg = {
		.event_cb = on_frontdoor_event,
	};

	if (frontdoor != NULL)
		return 0;
	return vrtc_frontdoor_create(&cfg, &frontdoor);
}

static int
frontdoor_add(struct vrtc_device *dev, struct vhost_conn *c)
{
	struct vrtc_frontdoor_device_params fp;

	memset(&fp, 0, sizeof(fp));
	fp.name = dev->name;
	fp.public_path = dev->iface;
	fp.private_path = c->private_path;
	fp.client = dev->params.client;
	fp.reconnect_ms = dev->params.client && !dev->params.no_reconnect ? RECONNECT_MS : 0;
	fp.mode = dev->params.socket_mode;
	fp.uid = dev->params.socket_uid;
	fp.gid = dev->params.socket_gid;
	fp.guard.offered_features = dev->offered_features;
	fp.guard.offered_protocol_features = OFFERED_PROTOCOL_FEATURES;
	fp.guard.nb_queues = dev->nb_queues;
	fp.guard.max_ring_size = 32768;
	fp.guard.allow_unsealed = dev->params.allow_unsealed_memory != 0;
	return vrtc_frontdoor_add_device(frontdoor, &fp);
}

static int
vhost_start(struct vrtc_device *dev)
{
	struct vhost_conn *c;
	mode_t old_umask;
	int rc;

	pthread_mutex_lock(&vrtc_device_lock);
	rc = vhost_open(dev);
	if (rc == 0)
		rc = frontdoor_get();
	pthread_mutex_unlock(&vrtc_device_lock);
	if (rc != 0)
		return rc;
	c = conn_of(dev);
	if (c->started)
		return 0;
	rc = private_path(dev, c);
	if (rc != 0) {
		VRTC_DLOG(transport, ERR, dev, "no private socket for rte_vhost: %s", strerror(-rc));
		return rc;
	}
	rc = vhost_register(dev);
	if (rc != 0)
		return rc;
	old_umask = umask(0177);
	rc = rte_vhost_driver_start(c->private_path);
	umask(old_umask);
	if (rc != 0) {
		VRTC_DLOG(transport, ERR, dev, "rte_vhost cannot listen on %s", c->private_path);
		rte_vhost_driver_unregister(c->private_path);
		c->registered = 0;
		return -EIO;
	}
	c->started = 1;
	/* The public socket: created (or dialled) by the front door, which
	 * never removes a file it did not create. */
	rc = frontdoor_add(dev, c);
	if (rc != 0) {
		VRTC_DLOG(transport, ERR, dev, "cannot %s %s: %s",
			  dev->params.client ? "dial" : "listen on", dev->iface, strerror(-rc));
		return rc;
	}
	c->in_frontdoor = 1;
	VRTC_DLOG(transport, INFO, dev, "%s %s (mode %04o), through the front door",
		  dev->params.client ? "dialling" : "listening on", dev->iface,
		  (unsigned int)dev->params.socket_mode);
	return 0;
}

static void
vhost_close(struct vrtc_device *dev)
{
	struct vhost_conn *c = conn_of(dev);
	int last;

	if (c == NULL)
		return;
	/* The public side first: the front-end sees EOF, rte_vhost a
	 * disconnect of the private connection. */
	if (c->in_frontdoor)
		vrtc_frontdoor_remove_device(frontdoor, dev->name);
	if (c->registered) {
		/* rte_vhost destroys the connection here (calling
		 * destroy_device but not destroy_connection), so forget it
		 * ourselves afterwards. The lock must not be held: unregister
		 * waits for running callbacks. It unlinks the private path,
		 * which is ours. */
		rte_vhost_driver_unregister(c->private_path);
	}
	pthread_mutex_lock(&vrtc_device_lock);
	if (c->vid >= 0)
		forget_connection(dev);
	TAILQ_REMOVE(&conns, c, next);
	dev->transport_priv = NULL;
	last = TAILQ_EMPTY(&conns);
	pthread_mutex_unlock(&vrtc_device_lock);
	rte_free(c);
	if (last && frontdoor != NULL) {
		vrtc_frontdoor_destroy(frontdoor);
		frontdoor = NULL;
	}
	if (last && backend_dir_created && rmdir(backend_dir) == 0)
		backend_dir_created = 0; /* only ours, and only when empty */
}

static unsigned int
vhost_xstats_get(const struct vrtc_device *dev, struct vrtc_xstat *xs, unsigned int n)
{
	const struct vhost_conn *c = conn_of(dev);
	struct vrtc_frontdoor_stats fs;

	memset(&fs, 0, sizeof(fs));
	if (c != NULL && c->in_frontdoor && frontdoor != NULL)
		vrtc_frontdoor_get_stats(frontdoor, dev->name, &fs);
	{
		const struct vrtc_xstat_src v[] = {
			{ "connections_replaced", c != NULL ? c->replaced : 0 },
			{ "set_features_refused", c != NULL ? c->features_refused : 0 },
			{ "frontdoor_connections", fs.connections },
			{ "frontdoor_refused", fs.refused },
			{ "frontdoor_dropped", fs.dropped },
			{ "frontdoor_closed", fs.closed },
			{ "frontdoor_messages", fs.messages },
			{ "frontdoor_messages_refused", fs.messages_refused },
			{ "frontdoor_accept_errors", fs.accept_errors },
		};

		return vrtc_xstats_fill(xs, n, v, RTE_DIM(v));
	}
}

static const struct vrtc_transport_ops vhost_transport = {
	.open = vhost_open,
	.start = vhost_start,
	.close = vhost_close,
	.xstats_get = vhost_xstats_get,
};

RTE_INIT(vrtc_transport_vhost_init)
{
	vrtc_transport_register_ops(&vhost_transport);
}
