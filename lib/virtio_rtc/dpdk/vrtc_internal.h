/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: devices, queues and the service, shared by device.c (lifecycle,
 * stats), transport_vhost.c (rte_vhost) and poller.c (workers).
 *
 * Ownership of a queue (struct vrtc_queue):
 *   - while q->running is 0, the control thread owns everything in it;
 *   - it sets up q->vq and then stores running = 1 with release semantics;
 *     the worker that serves the queue loads running with acquire semantics
 *     and from then on owns q->vq and the model state;
 *   - to take the queue back the control thread stores running = 0 and
 *     waits (rte_rcu_qsbr_synchronize) until every worker has passed a
 *     quiescent state, i.e. finished the loop iteration that may still use
 *     the queue. Only then may guest memory be unmapped or the ring change.
 * Control paths (public API calls on the main lcore, rte_vhost callbacks on
 * the vhost thread) serialise on vrtc_ctl_lock. Workers never take it.
 */

#ifndef VRTC_INTERNAL_H
#define VRTC_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_log.h>

#include "entropy.h"
#include "mem.h"
#include "rng_model.h"
#include "rtc_model.h"
#include "vq.h"
#include "vrtc.h"

/* ---- logging ---------------------------------------------------------- */

extern int vrtc_logtype_device;
extern int vrtc_logtype_transport;
extern int vrtc_logtype_poller;

#define VRTC_DLOG(type, level, dev, fmt, ...)                                                \
	rte_log(RTE_LOG_##level, vrtc_logtype_##type, "vrtc.%s: %s: " fmt "\n", #type,         \
		vrtc_device_name(dev), ##__VA_ARGS__)
#define VRTC_GLOG(type, level, fmt, ...)                                                     \
	rte_log(RTE_LOG_##level, vrtc_logtype_##type, "vrtc.%s: " fmt "\n", #type, ##__VA_ARGS__)

/* ---- devices and queues ----------------------------------------------- */

#define VRTC_MAX_QUEUES 2

/**
 * Token bucket of a rate-limited virtio-rng device (bytes). A buffer is
 * served whenever the balance is positive and may drive it negative (up to
 * one buffer, capped at the capacity): buffers are filled whole rather than
 * dribbled out a few bytes at a time, and the long-run rate still holds.
 */
struct vrtc_rate_limit {
	uint64_t rate_bytes_per_s; /* 0: unlimited */
	uint64_t capacity;	   /* most bytes that can accumulate, and most per buffer */
	int64_t tokens;		   /* balance, negative while in debt */
	uint64_t last_tsc;
	uint64_t tsc_hz;
};

struct vrtc_device;

/** One virtqueue of a device, as the service sees it. */
struct vrtc_queue {
	/* Read by the worker on every poll. */
	uint8_t running; /* atomic: see the ownership rules above */
	uint16_t qid;
	int callfd;	 /* interrupt eventfd, -1 when the driver wants none */
	int kickfd;
	struct vrtc_device *dev;
	struct vrtc_vq vq;

	/* Control state (vrtc_ctl_lock). */
	uint8_t served;	     /* the device serves this queue at all */
	uint8_t vhost_ready; /* rte_vhost reported the ring ready */
	uint8_t vq_valid;    /* vq was initialised (must be fini'd) */
	uint64_t interrupts; /* calls signalled (worker) */
	uint64_t broken_logged;
} __attribute__((aligned(64)));

/** One device. */
struct vrtc_device {
	TAILQ_ENTRY(vrtc_device) next;
	char name[64];
	char iface[108]; /* sun_path */
	struct vrtc_device_params params;
	enum vrtc_device_type type;
	uint64_t offered_features;

	/* Connection state (vrtc_ctl_lock). */
	int vid;	       /* -1: no front-end */
	int registered;	       /* rte_vhost socket registered */
	int started;	       /* rte_vhost socket started */
	int closing;	       /* being destroyed: never start queues again */
	int detaching;	       /* socket being unregistered: start nothing */
	uint64_t features;     /* negotiated */
	struct vrtc_mem *mem;  /* current memory map, or NULL */
	uint64_t connections;  /* connections accepted so far */
	uint64_t broken_queues;
	int worker_lcore;      /* lcore serving the queues, -1 when not running */

	uint16_t nb_queues;
	struct vrtc_queue queues[VRTC_MAX_QUEUES];

	/* Device model state: written only by the worker serving the queue. */
	union {
		struct {
			struct vrtc_host_clock_cfg clock_cfg;
			struct vrtc_rtc_model model;
		} rtc;
		struct {
			struct vrtc_entropy *source;
			struct vrtc_rng_stats stats;
			struct vrtc_rate_limit limit;
			uint64_t rate_limited_polls;
		} rng;
	};
};

TAILQ_HEAD(vrtc_device_list, vrtc_device);

/** All devices, in creation order (vrtc_ctl_lock). */
extern struct vrtc_device_list vrtc_devices;
/** Serialises every control path. Never taken by a worker. */
extern pthread_mutex_t vrtc_ctl_lock;

/* ---- transport (transport_vhost.c) ------------------------------------- */

/** Register the device's socket with rte_vhost (not started). */
int vrtc_transport_register(struct vrtc_device *dev);
/** Start accepting or dialling. */
int vrtc_transport_start(struct vrtc_device *dev);
/**
 * Stop serving the device's queues, then unregister the socket (closes the
 * connection, unlinks a server socket). Call without vrtc_ctl_lock held.
 */
void vrtc_transport_unregister(struct vrtc_device *dev);

/* ---- service and workers (poller.c) ------------------------------------ */

/**
 * Take a queue back from its worker: store running = 0 and wait until no
 * worker can still be using it. Call with vrtc_ctl_lock held.
 */
void vrtc_queue_quiesce(struct vrtc_queue *q);
/** Hand a set-up queue to its worker (release store of running = 1). */
void vrtc_queue_publish(struct vrtc_queue *q);
/** Burst size and poll mode of the running service (defaults otherwise). */
uint16_t vrtc_service_burst(void);
int vrtc_service_adaptive(void);
/** Tell an adaptive worker to look at its queues (a queue was published). */
void vrtc_service_wake(struct vrtc_device *dev);
/** Put a device on a worker / take it off, while the service runs
 * (vrtc_ctl_lock held). */
int vrtc_service_attach(struct vrtc_device *dev);
int vrtc_service_detach(struct vrtc_device *dev);

#endif /* VRTC_INTERNAL_H */
