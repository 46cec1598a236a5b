/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Devices: the registry, each device's life (create, attach to a poller,
 * detach, destroy), the queue hand-over between the transport and the
 * poller, and the counters. What a device does is its type's business
 * (struct vrtc_device_ops, dev_rtc.c and dev_rng.c); how a front-end
 * reaches it is the transport's (struct vrtc_transport_ops).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "device.h"
#include "fault_watch.h"
#include "guest_fault.h"
#include "queue.h"

#define F(bit) (UINT64_C(1) << (bit))

/* Transport features every device offers; device bits are added to these. */
#define TRANSPORT_FEATURES                                                                   \
	(F(VRTC_VIRTIO_F_VERSION_1) | F(VRTC_VIRTIO_RING_F_INDIRECT_DESC) |                    \
	 F(VRTC_VIRTIO_RING_F_EVENT_IDX) | F(VRTC_VHOST_USER_F_PROTOCOL_FEATURES))

pthread_mutex_t vrtc_device_lock = PTHREAD_MUTEX_INITIALIZER;

/* All devices, in creation order (vrtc_device_lock). */
static struct vrtc_device_list devices = TAILQ_HEAD_INITIALIZER(devices);
static const struct vrtc_transport_ops *transport;

static const struct vrtc_device_ops *const device_types[] = {
	[VRTC_DEVICE_RTC] = &vrtc_rtc_device_ops,
	[VRTC_DEVICE_RNG] = &vrtc_rng_device_ops,
};

const struct vrtc_device_ops *
vrtc_device_ops_of_type(enum vrtc_device_type type)
{
	if ((unsigned int)type >= RTE_DIM(device_types))
		return NULL;
	return device_types[type];
}

const struct vrtc_device_ops *
vrtc_device_ops_of_name(const char *name)
{
	unsigned int i;

	for (i = 0; name != NULL && i < RTE_DIM(device_types); i++) {
		const char *prefix = device_types[i]->arg_prefix;

		if (strncmp(name, prefix, strlen(prefix)) == 0)
			return device_types[i];
	}
	return NULL;
}

const char *
vrtc_device_prefixes(void)
{
	static char list[128];
	unsigned int i;

	if (list[0] == '\0') {
		for (i = 0; i < RTE_DIM(device_types); i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s (%s)",
				 i == 0 ? "" : i + 1 == RTE_DIM(device_types) ? " or " : ", ",
				 device_types[i]->arg_prefix, device_types[i]->long_name);
	}
	return list;
}

const char *
vrtc_device_type_name(const struct vrtc_device *dev)
{
	return dev->ops->name;
}

void
vrtc_transport_register_ops(const struct vrtc_transport_ops *ops)
{
	transport = ops;
}

/* ---- parameters and accessors --------------------------------------------- */

void
vrtc_device_params_init(struct vrtc_device_params *p, enum vrtc_device_type type)
{
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->socket_mode = 0600;
	p->socket_uid = (uid_t)-1;
	p->socket_gid = (gid_t)-1;
	p->lcore = -1;
	p->tai_offset_s = -1;
	p->source = VRTC_RNG_SOURCE_DRBG;
}

const char *
vrtc_device_name(const struct vrtc_device *dev)
{
	return dev->name;
}

enum vrtc_device_type
vrtc_device_type_of(const struct vrtc_device *dev)
{
	return dev->ops->type;
}

const char *
vrtc_device_iface(const struct vrtc_device *dev)
{
	return dev->iface;
}

int
vrtc_device_lcore_hint(const struct vrtc_device *dev)
{
	return dev->params.lcore;
}

struct vrtc_poller *
vrtc_device_poller(const struct vrtc_device *dev)
{
	struct vrtc_poller *p;

	pthread_mutex_lock(&vrtc_device_lock);
	p = dev->poller;
	pthread_mutex_unlock(&vrtc_device_lock);
	return p;
}

/* ---- registry ------------------------------------------------------------------ */

struct vrtc_device *
vrtc_device_lookup(const char *name)
{
	struct vrtc_device *dev, *found = NULL;

	if (name == NULL)
		return NULL;
	pthread_mutex_lock(&vrtc_device_lock);
	TAILQ_FOREACH(dev, &devices, next) {
		if (strcmp(dev->name, name) == 0) {
			found = dev;
			break;
		}
	}
	pthread_mutex_unlock(&vrtc_device_lock);
	return found;
}

struct vrtc_device *
vrtc_device_by_iface_locked(const char *iface)
{
	struct vrtc_device *dev;

	TAILQ_FOREACH(dev, &devices, next) {
		if (strcmp(dev->iface, iface) == 0)
			return dev;
	}
	return NULL;
}

unsigned int
vrtc_device_count(void)
{
	struct vrtc_device *dev;
	unsigned int n = 0;

	pthread_mutex_lock(&vrtc_device_lock);
	TAILQ_FOREACH(dev, &devices, next)
		n++;
	pthread_mutex_unlock(&vrtc_device_lock);
	return n;
}

struct vrtc_device *
vrtc_device_at(unsigned int i)
{
	struct vrtc_device *dev;

	pthread_mutex_lock(&vrtc_device_lock);
	TAILQ_FOREACH(dev, &devices, next) {
		if (i-- == 0)
			break;
	}
	pthread_mutex_unlock(&vrtc_device_lock);
	return dev;
}

/* Refuse a name or socket already in use. Called with vrtc_device_lock held. */
static int
check_unique(const struct vrtc_device_params *p)
{
	struct vrtc_device *other;

	TAILQ_FOREACH(other, &devices, next) {
		if (strcmp(other->name, p->name) == 0) {
			VRTC_GLOG(device, ERR, "%s: a device with this name exists", p->name);
			return -EEXIST;
		}
		if (strcmp(other->iface, p->iface) == 0) {
			VRTC_GLOG(device, ERR, "%s: iface %s is already used by %s", p->name, p->iface,
				  other->name);
			return -EEXIST;
		}
	}
	return 0;
}

/* ---- create / destroy ------------------------------------------------------------ */

static int
check_params(const struct vrtc_device_params *p)
{
	const struct vrtc_device *dev = NULL;
	unsigned int i;

	if (p == NULL || p->name == NULL || p->name[0] == '\0' || p->iface == NULL)
		return -EINVAL;
	if (strlen(p->name) >= sizeof(dev->name)) {
		VRTC_GLOG(device, ERR, "%s: name longer than %zu characters", p->name,
			  sizeof(dev->name) - 1);
		return -EINVAL;
	}
	if (p->iface[0] == '\0' || strlen(p->iface) >= sizeof(dev->iface)) {
		VRTC_GLOG(device, ERR, "%s: iface must be a socket path of 1 to %zu characters",
			  p->name, sizeof(dev->iface) - 1);
		return -EINVAL;
	}
	if ((unsigned int)p->type >= RTE_DIM(device_types) || device_types[p->type] == NULL) {
		VRTC_GLOG(device, ERR, "%s: unknown device type %d", p->name, p->type);
		return -EINVAL;
	}
	if ((p->socket_mode & ~(mode_t)0777) != 0) {
		VRTC_GLOG(device, ERR, "%s: socket mode %o is not a permission mode", p->name,
			  (unsigned int)p->socket_mode);
		return -EINVAL;
	}
	if (p->packed_ring > 1) {
		VRTC_GLOG(device, ERR, "%s: packed_ring is %" PRIu64 ", not 0 or 1", p->name,
			  p->packed_ring);
		return -EINVAL;
	}
	for (i = 0; i < RTE_DIM(p->reserved); i++) {
		if (p->reserved[i] != 0) {
			VRTC_GLOG(device, ERR, "%s: reserved parameter fields must be zero "
				  "(use vrtc_device_params_init)", p->name);
			return -EINVAL;
		}
	}
	if (transport == NULL) {
		VRTC_GLOG(device, ERR, "%s: no transport registered", p->name);
		return -ENOTSUP;
	}
	/* Server mode: the socket's directory must exist and be writable
	 * (logged with the reason, instead of a bare error from bind later). */
	return vrtc_device_iface_check(p);
}

/* Release the engine of @p q, whichever layout it has. */
static void
queue_fini(struct vrtc_queue *q)
{
	vrtc_vq_fini(&q->vq);
}

static void
device_free(struct vrtc_device *dev)
{
	uint16_t i;

	for (i = 0; i < dev->nb_queues; i++) {
		if (dev->queues[i].vq_valid)
			queue_fini(&dev->queues[i]);
	}
	vrtc_device_mem_unmapping(dev);
	if (dev->ops->teardown != NULL)
		dev->ops->teardown(dev);
	vrtc_fault_watch_detach(dev->fault_owner);
	rte_free(dev);
}

int
vrtc_device_create(const struct vrtc_device_params *p, struct vrtc_device **out)
{
	struct vrtc_device *dev;
	uint16_t i;
	int rc;

	rc = check_params(p);
	if (rc != 0)
		return rc;
	dev = rte_zmalloc("vrtc_device", sizeof(*dev), RTE_CACHE_LINE_SIZE);
	if (dev == NULL)
		return -ENOMEM;
	snprintf(dev->name, sizeof(dev->name), "%s", p->name);
	snprintf(dev->iface, sizeof(dev->iface), "%s", p->iface);
	dev->params = *p;
	dev->params.name = dev->name;
	dev->params.iface = dev->iface;
	dev->params.app_clocks = NULL; /* copied by the type's setup if it uses them */
	if (dev->params.socket_mode == 0)
		dev->params.socket_mode = 0600;
	dev->ops = device_types[p->type];
	dev->nb_queues = dev->ops->nb_queues;
	for (i = 0; i < VRTC_MAX_QUEUES; i++) {
		dev->queues[i].qid = i;
		dev->queues[i].owner = dev;
		dev->queues[i].callfd = -1;
		dev->queues[i].kickfd = -1;
	}
	rc = dev->ops->setup(dev, p);
	if (rc != 0) {
		rte_free(dev);
		return rc;
	}
	dev->offered_features = TRANSPORT_FEATURES | dev->ops->offered_features(dev);
	/* Experimental: packed rings only when asked for (packed=1). */
	if (p->packed_ring)
		dev->offered_features |= F(VRTC_VIRTIO_F_RING_PACKED);
	dev->fault_owner = vrtc_fault_watch_attach();

	pthread_mutex_lock(&vrtc_device_lock);
	rc = check_unique(p);
	if (rc == 0)
		rc = transport->open(dev);
	if (rc != 0) {
		pthread_mutex_unlock(&vrtc_device_lock);
		device_free(dev);
		return rc;
	}
	dev->opened = 1;
	TAILQ_INSERT_TAIL(&devices, dev, next);
	pthread_mutex_unlock(&vrtc_device_lock);
	VRTC_DLOG(device, INFO, dev, "%s device on %s (%s), features 0x%" PRIx64,
		  dev->ops->long_name, dev->iface, dev->params.client ? "client" : "server",
		  dev->offered_features);
	if (out != NULL)
		*out = dev;
	return 0;
}

/* The queues @p dev serves, for the poller. */
static uint16_t
served_queues(struct vrtc_device *dev, struct vrtc_queue **qs)
{
	uint16_t i, nb = 0;

	for (i = 0; i < dev->nb_queues; i++) {
		if (dev->queues[i].served)
			qs[nb++] = &dev->queues[i];
	}
	return nb;
}

int
vrtc_device_attach(struct vrtc_device *dev, struct vrtc_poller *p)
{
	struct vrtc_queue *qs[VRTC_MAX_QUEUES];
	int rc;

	if (dev == NULL || p == NULL)
		return -EINVAL;
	pthread_mutex_lock(&vrtc_device_lock);
	if (dev->poller != NULL) {
		pthread_mutex_unlock(&vrtc_device_lock);
		VRTC_DLOG(device, ERR, dev, "already served by poller %s",
			  vrtc_poller_name(dev->poller));
		return -EBUSY;
	}
	rc = vrtc_poller_queues_add(p, qs, served_queues(dev, qs));
	if (rc == 0)
		dev->poller = p;
	pthread_mutex_unlock(&vrtc_device_lock);
	if (rc != 0)
		return rc;
	/* Outside the lock: the transport may call back at once. */
	rc = transport->start(dev);
	if (rc != 0) {
		vrtc_device_detach(dev);
		return rc;
	}
	pthread_mutex_lock(&vrtc_device_lock);
	dev->started = 1;
	pthread_mutex_unlock(&vrtc_device_lock);
	VRTC_DLOG(device, INFO, dev, "served by poller %s", vrtc_poller_name(p));
	return 0;
}

int
vrtc_device_detach(struct vrtc_device *dev)
{
	struct vrtc_queue *qs[VRTC_MAX_QUEUES];
	struct vrtc_poller *p;

	if (dev == NULL)
		return -EINVAL;
	pthread_mutex_lock(&vrtc_device_lock);
	if (dev->poller == NULL) {
		pthread_mutex_unlock(&vrtc_device_lock);
		return 0;
	}
	dev->closing = 1; /* transport callbacks from now on start nothing */
	vrtc_device_queues_stop(dev);
	pthread_mutex_unlock(&vrtc_device_lock);

	/* Disconnects the front-end (vrtc_device_disconnected) and closes
	 * the socket; the lock must not be held. */
	transport->close(dev);

	pthread_mutex_lock(&vrtc_device_lock);
	p = dev->poller;
	vrtc_poller_queues_remove(p, qs, served_queues(dev, qs));
	dev->poller = NULL;
	dev->started = 0;
	dev->opened = 0;
	dev->closing = 0;
	pthread_mutex_unlock(&vrtc_device_lock);
	VRTC_DLOG(device, INFO, dev, "left poller %s", vrtc_poller_name(p));
	return 0;
}

int
vrtc_device_destroy(struct vrtc_device *dev)
{
	if (dev == NULL)
		return -EINVAL;
	vrtc_device_detach(dev);
	if (dev->opened) {
		transport->close(dev); /* opened but never attached */
		dev->opened = 0;
	}
	pthread_mutex_lock(&vrtc_device_lock);
	TAILQ_REMOVE(&devices, dev, next);
	pthread_mutex_unlock(&vrtc_device_lock);
	VRTC_DLOG(device, INFO, dev, "destroyed");
	device_free(dev);
	return 0;
}

void
vrtc_device_destroy_all(void)
{
	struct vrtc_device *dev;

	while ((dev = vrtc_device_at(0)) != NULL)
		vrtc_device_destroy(dev);
}

/* ---- queue hand-over (transport callbacks, lock held) ------------------------------ */

static void
totals_add(struct vrtc_queue_totals *t, const struct vrtc_queue *q)
{
	const struct vrtc_vq_stats *vs = vrtc_vq_stats(&q->vq);

	t->bad_chains += vs->bad_chains;
	t->notify_suppressed += vs->notify_suppressed;
	t->polls += vs->polls;
	t->polls_empty += vs->polls_empty;
	t->bad_push += vs->bad_push;
}

/* The totals of @p q, its live ring's counters included; 0 when the device
 * does not serve it. */
static int
queue_totals(const struct vrtc_queue *q, struct vrtc_queue_totals *t)
{
	if (!q->served)
		return 0;
	*t = q->totals;
	if (q->vq_valid)
		totals_add(t, q);
	return 1;
}

/*
 * Where a stopped ring resumes. A holding queue completes in order:
 * everything between the used and the avail position is held, and handed
 * back by rewinding over it.
 *  - split: used_idx is the avail index of the first held chain;
 *  - packed: each used descriptor is written at the used offset, which
 *    then moves on by its chain's descriptor count, so with in-order
 *    completion the used offset (and its wrap counter) is where the first
 *    held chain starts. The driver does not touch those slots while their
 *    buffers are outstanding (a driver reuses a slot only once the device
 *    marked it used), so they still hold the chains as made available.
 */
static void
queue_stop_base(struct vrtc_device *dev, struct vrtc_queue *q)
{
	uint16_t used = vrtc_vq_used_base(&q->vq);
	uint16_t held = q->holds_buffers ? vrtc_vq_inflight(&q->vq) : 0;

	q->stop_avail_idx = q->holds_buffers ? used : vrtc_vq_avail_base(&q->vq);
	q->stop_used_idx = used;
	if (held != 0)
		VRTC_DLOG(device, DEBUG, dev, "queue %u: %u held buffers handed back", q->qid,
			  held);
}

void
vrtc_device_queues_stop(struct vrtc_device *dev)
{
	uint16_t i;

	for (i = 0; i < dev->nb_queues; i++) {
		struct vrtc_queue *q = &dev->queues[i];

		if (!q->vq_valid)
			continue;
		vrtc_poller_queue_quiesce(q);
		if (vrtc_vq_broken(&q->vq) != VRTC_VQ_OK)
			VRTC_DLOG(device, NOTICE, dev,
				  "queue %u was broken by the guest (%s); a device reset clears it",
				  q->qid, vrtc_vq_broken_name(vrtc_vq_broken(&q->vq)));
		/* The counters of this ring's life go on in the totals. */
		totals_add(&q->totals, q);
		queue_stop_base(dev, q);
		if (dev->ops->queue_stopped != NULL)
			dev->ops->queue_stopped(dev, q);
		queue_fini(q);
		q->vq_valid = 0;
		q->callfd = -1;
		q->kickfd = -1;
	}
}

void
vrtc_device_queue_base(const struct vrtc_queue *q, uint16_t *last_avail, uint16_t *used)
{
	*last_avail = q->stop_avail_idx;
	*used = q->stop_used_idx;
}

/*
 * The ranges of a map are registered for SIGBUS containment when the map
 * is set, and stay registered while rte_vhost keeps them mapped (it reads
 * the rings itself on its own thread, also while the device has no map):
 * until the next map replaces them, or vrtc_device_mem_unmapping().
 */
void
vrtc_device_mem_set(struct vrtc_device *dev, struct vrtc_mem *mem)
{
	uint32_t i;

	rte_free(dev->mem);
	dev->mem = mem;
	if (mem == NULL || dev->fault_owner == VRTC_FAULT_OWNER_NONE)
		return;
	vrtc_guest_fault_unregister(dev->fault_owner);
	for (i = 0; i < mem->nb_regions; i++) {
		const struct vrtc_mem_region *r = &mem->regions[i];
		int rc = vrtc_guest_fault_register(dev->fault_owner, (const void *)(uintptr_t)r->hva,
						   r->size);

		if (rc != 0)
			VRTC_DLOG(device, WARNING, dev,
				  "guest memory region %u not covered by SIGBUS containment: %s", i,
				  strerror(-rc));
	}
}

void
vrtc_device_mem_unmapping(struct vrtc_device *dev)
{
	vrtc_device_mem_set(dev, NULL);
	if (dev->fault_owner != VRTC_FAULT_OWNER_NONE)
		vrtc_guest_fault_unregister(dev->fault_owner);
}

void
vrtc_device_mem_faults_handle(void)
{
	struct vrtc_device *dev;

	pthread_mutex_lock(&vrtc_device_lock);
	TAILQ_FOREACH(dev, &devices, next) {
		if (dev->fault_owner == VRTC_FAULT_OWNER_NONE ||
		    vrtc_guest_fault_take(dev->fault_owner) == 0 || dev->mem_faulted)
			continue;
		dev->mem_faulted = 1;
		dev->mem_faults++;
		vrtc_device_queues_stop(dev);
		vrtc_device_mem_set(dev, NULL);
		VRTC_DLOG(device, ERR, dev,
			  "guest memory of %s shrank under us (SIGBUS contained): queues stopped "
			  "until the front-end reconnects",
			  dev->name);
	}
	pthread_mutex_unlock(&vrtc_device_lock);
}

void
vrtc_device_features_set(struct vrtc_device *dev, uint64_t features)
{
	dev->features = features;
	if (dev->ops->features_set != NULL)
		dev->ops->features_set(dev, features);
}

int
vrtc_device_wants_service(const struct vrtc_device *dev)
{
	uint16_t i;

	if (dev->closing || dev->poller == NULL || !dev->connected || dev->mem_faulted)
		return 0;
	for (i = 0; i < dev->nb_queues; i++) {
		if (dev->queues[i].served && dev->queues[i].ring_ready)
			return 1;
	}
	return 0;
}

/* Set the engine of @p q up over @p ring. */
static int
queue_init(struct vrtc_device *dev, struct vrtc_queue *q, const struct vrtc_queue_ring *ring)
{
	struct vrtc_vq_config c;

	/* One config for both layouts: driver/device area, and the resume
	 * positions in the layout's GET/SET_VRING_BASE encoding. */
	memset(&c, 0, sizeof(c));
	c.name = ring->name;
	c.layout = vrtc_feature_has(dev->features, VRTC_VIRTIO_F_RING_PACKED) ? VRTC_VQ_PACKED
									       : VRTC_VQ_SPLIT;
	c.size = ring->size;
	c.features = dev->features;
	c.mem = dev->mem;
	c.desc = ring->desc;
	c.driver = ring->driver;
	c.device = ring->device;
	c.avail_off_wrap = ring->last_avail;
	c.used_off_wrap = ring->last_used;
	c.hold_bad_chains = q->holds_buffers;
	return vrtc_vq_init(&q->vq, &c);
}

int
vrtc_device_queue_start(struct vrtc_device *dev, struct vrtc_queue *q,
			const struct vrtc_queue_ring *ring, int callfd, int kickfd)
{
	int rc;

	if (dev->closing || dev->poller == NULL || dev->mem == NULL || !q->served ||
	    dev->mem_faulted)
		return -EAGAIN;
	if (q->vq_valid)
		return -EBUSY; /* the transport must stop the queues first */
	rc = queue_init(dev, q, ring);
	if (rc != 0)
		return rc;
	if (dev->ops->queue_starting != NULL) {
		rc = dev->ops->queue_starting(dev, q);
		if (rc != 0) {
			queue_fini(q);
			return rc;
		}
	}
	q->vq_valid = 1;
	q->callfd = callfd;
	q->kickfd = kickfd;
	/* Pollers ask the guest not to kick; a poller preparing to sleep
	 * turns kicks back on. */
	vrtc_vq_kicks_disable(&q->vq, vrtc_vq_layout(&q->vq));
	vrtc_poller_queue_publish(q);
	vrtc_poller_wake(dev->poller);
	return 0;
}

void
vrtc_device_connected(struct vrtc_device *dev)
{
	dev->connected = 1;
	dev->connections++;
}

void
vrtc_device_disconnected(struct vrtc_device *dev)
{
	uint16_t i;

	vrtc_device_queues_stop(dev);
	vrtc_device_mem_unmapping(dev);
	for (i = 0; i < dev->nb_queues; i++)
		dev->queues[i].ring_ready = 0;
	if (dev->ops->disconnected != NULL)
		dev->ops->disconnected(dev);
	dev->connected = 0;
	dev->features = 0;
	dev->mem_faulted = 0; /* the next front-end brings new memory */
}

/* ---- counters -------------------------------------------------------------------- */

int
vrtc_device_stats_get(const struct vrtc_device *dev, struct vrtc_device_stats *st)
{
	uint16_t i;

	if (dev == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&vrtc_device_lock);
	/* Live counters are written by one poller and read here without
	 * stopping it: each 64-bit load is atomic on the platforms we build
	 * for. Totals of earlier ring lives change only under the lock. */
	for (i = 0; i < dev->nb_queues; i++) {
		const struct vrtc_queue *q = &dev->queues[i];
		struct vrtc_queue_totals t;

		if (!queue_totals(q, &t))
			continue;
		st->bad_chains += t.bad_chains;
		st->notify_suppressed += t.notify_suppressed;
		st->polls += t.polls;
		st->polls_empty += t.polls_empty;
		st->notifications += q->interrupts;
		st->running |= __atomic_load_n(&q->running, __ATOMIC_RELAXED);
		if (q->vq_valid && vrtc_vq_broken(&q->vq) != VRTC_VQ_OK)
			st->broken_queues++;
	}
	dev->ops->stats_get(dev, st);
	st->requests += st->bad_chains;
	st->connections = dev->connections;
	st->connected = dev->connected;
	pthread_mutex_unlock(&vrtc_device_lock);
	return 0;
}

unsigned int
vrtc_xstats_fill(struct vrtc_xstat *xs, unsigned int n, const struct vrtc_xstat_src *src,
		 unsigned int nb)
{
	unsigned int i;

	for (i = 0; i < nb && i < n; i++) {
		snprintf(xs[i].name, sizeof(xs[i].name), "%s", src[i].name);
		xs[i].value = src[i].value;
	}
	return nb;
}

int
vrtc_device_xstats_get(const struct vrtc_device *dev, struct vrtc_xstat *xs, unsigned int n)
{
	unsigned int total = 0, got;

	if (dev == NULL || (xs == NULL && n != 0))
		return -EINVAL;
	pthread_mutex_lock(&vrtc_device_lock);
	if (dev->ops->xstats_get != NULL) {
		got = dev->ops->xstats_get(dev, xs, n);
		total += got;
	}
	if (transport->xstats_get != NULL) {
		got = transport->xstats_get(dev, total < n ? xs + total : NULL,
					    total < n ? n - total : 0);
		total += got;
	}
	if (total < n) {
		snprintf(xs[total].name, sizeof(xs[total].name), "guest_mem_faults");
		xs[total].value = dev->mem_faults;
	}
	total++;
	if (total < n) {
		/* Completions the engine refused (an id not in flight: a device
		 * bug, never the guest's doing), split and packed alike. */
		uint64_t bad_push = 0;
		uint16_t i;

		for (i = 0; i < dev->nb_queues; i++) {
			struct vrtc_queue_totals t;

			if (queue_totals(&dev->queues[i], &t))
				bad_push += t.bad_push;
		}
		snprintf(xs[total].name, sizeof(xs[total].name), "bad_push");
		xs[total].value = bad_push;
	}
	total++;
	pthread_mutex_unlock(&vrtc_device_lock);
	return (int)total;
}
