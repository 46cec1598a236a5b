/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Internal: devices. device.c owns the registry and its lock and
 * orchestrates a device's life; a device type (dev_rtc.c, dev_rng.c)
 * implements struct vrtc_device_ops beside its model; a transport
 * (transport_vhost.c) implements struct vrtc_transport_ops and turns
 * front-end events into the vrtc_device_* calls below. Nothing outside a
 * device type's file asks which type a device is.
 *
 * Arrows point one way: transport -> device -> poller -> engine. The
 * device layer reaches its transport only through the ops table the
 * transport registered (vrtc_transport_register_ops).
 *
 * Locking: every control path (public API calls, transport callbacks)
 * serialises on vrtc_device_lock. Pollers never take it.
 */

#ifndef VRTC_DEVICE_H
#define VRTC_DEVICE_H

#include <pthread.h>
#include <stdint.h>
#include <sys/queue.h>

#include "mem.h"
#include "poller.h"
#include "queue.h"
#include "vrtc.h"
#include "vrtc_internal.h"

#define VRTC_MAX_QUEUES 2

struct vrtc_device;

struct vrtc_arg_key;

/** What a device type implements. Called with vrtc_device_lock held. */
struct vrtc_device_ops {
	enum vrtc_device_type type;
	const char *name;      /**< "rtc", "rng": telemetry, logs */
	const char *arg_prefix; /**< device names of this type start so ("rtc_vhost") */
	const struct vrtc_arg_key *arg_keys; /**< the type's own argument keys */
	uint16_t nb_arg_keys;
	const char *long_name; /**< "virtio-rtc" */
	uint32_t virtio_id;    /**< virtio device ID */
	uint16_t nb_queues;    /**< queues the front-end may set up */
	/**
	 * Check @p p and set up the model state; mark the queues it serves
	 * (dev->queues[i].served) and set their serve functions.
	 */
	int (*setup)(struct vrtc_device *dev, const struct vrtc_device_params *p);
	/** Free what setup allocated. */
	void (*teardown)(struct vrtc_device *dev);
	/** Device feature bits offered (transport bits are added by device.c). */
	uint64_t (*offered_features)(const struct vrtc_device *dev);
	/** The driver's features, before any queue of the device starts. */
	void (*features_set)(struct vrtc_device *dev, uint64_t negotiated);
	/**
	 * Optional: queue @p q was taken back from the poller (its buffers
	 * are the control thread's again; a holding queue's are popped
	 * again when it restarts).
	 */
	void (*queue_stopped)(struct vrtc_device *dev, struct vrtc_queue *q);
	/**
	 * Optional: queue @p q's ring is set up (vrtc_vq_layout(&q->vq) says which layout)
	 * and about to be handed to the poller. 0, or -errno: not served.
	 */
	int (*queue_starting)(struct vrtc_device *dev, struct vrtc_queue *q);
	/** Optional: the front-end went away (every queue is stopped). */
	void (*disconnected)(struct vrtc_device *dev);
	/** Counters of the model, added to the generic ones. */
	void (*stats_get)(const struct vrtc_device *dev, struct vrtc_device_stats *st);
	/**
	 * Type-specific extended counters: fill up to @p n, return how many
	 * the type has.
	 */
	unsigned int (*xstats_get)(const struct vrtc_device *dev, struct vrtc_xstat *xs,
				   unsigned int n);
};

extern const struct vrtc_device_ops vrtc_rtc_device_ops;
extern const struct vrtc_device_ops vrtc_rng_device_ops;

/** The ops of a type, or of the type whose arg_prefix starts @p name; NULL if none. */
const struct vrtc_device_ops *vrtc_device_ops_of_type(enum vrtc_device_type type);
const struct vrtc_device_ops *vrtc_device_ops_of_name(const char *name);
/** "rtc_vhost (virtio-rtc) or rng_vhost (virtio-rng)", for messages. */
const char *vrtc_device_prefixes(void);

/** What a transport implements. */
struct vrtc_transport_ops {
	/** Set up the device's socket (not listening yet); lock held. */
	int (*open)(struct vrtc_device *dev);
	/** Start accepting or dialling; called WITHOUT the lock. */
	int (*start)(struct vrtc_device *dev);
	/**
	 * Disconnect the front-end and close the socket (unlinking only a
	 * socket file the transport created); called WITHOUT the lock.
	 */
	void (*close)(struct vrtc_device *dev);
	/** Transport-level extended counters (connections refused, ...). */
	unsigned int (*xstats_get)(const struct vrtc_device *dev, struct vrtc_xstat *xs,
				   unsigned int n);
};

/** A named counter, for the xstats_get implementations. */
struct vrtc_xstat_src {
	const char *name;
	uint64_t value;
};

/** Copy up to @p n of the @p nb counters of @p src into @p xs; @return @p nb. */
unsigned int vrtc_xstats_fill(struct vrtc_xstat *xs, unsigned int n,
			      const struct vrtc_xstat_src *src, unsigned int nb);

/** Register the transport every device uses (from its constructor). */
void vrtc_transport_register_ops(const struct vrtc_transport_ops *ops);

struct vrtc_device {
	TAILQ_ENTRY(vrtc_device) next;
	char name[64];
	char iface[108]; /* sun_path */
	struct vrtc_device_params params;
	const struct vrtc_device_ops *ops;
	uint64_t offered_features;

	/* Connection state (vrtc_device_lock). */
	int connected;	       /* a front-end is connected */
	int opened;	       /* transport socket set up */
	int started;	       /* transport socket listening / dialling */
	int closing;	       /* being destroyed or detached: start no queue */
	uint64_t features;     /* negotiated, 0 while not connected */
	struct vrtc_mem *mem;  /* current memory map, or NULL */
	uint64_t connections;  /* connections accepted so far */
	struct vrtc_poller *poller; /* serving the queues, or NULL */
	void *transport_priv;  /* the transport's per-device state */
	uint32_t fault_owner;  /* guest_fault.h owner id of the memory, or VRTC_FAULT_OWNER_NONE */
	int mem_faulted;       /* guest memory shrank under us: no service until reconnected */
	uint64_t mem_faults;   /* times that happened */

	uint16_t nb_queues;
	struct vrtc_queue queues[VRTC_MAX_QUEUES];

	void *priv; /* the device type's state (ops->setup) */
};

TAILQ_HEAD(vrtc_device_list, vrtc_device);

/** Serialises every control path. Never taken by a poller. */
extern pthread_mutex_t vrtc_device_lock;

/* ---- what the transport calls (lock held) ------------------------------- */

/** The device whose socket is @p iface, or NULL. */
struct vrtc_device *vrtc_device_by_iface_locked(const char *iface);

/** A front-end connected. */
void vrtc_device_connected(struct vrtc_device *dev);
/** The front-end went away: every queue stopped, memory forgotten. */
void vrtc_device_disconnected(struct vrtc_device *dev);
/**
 * Take every queue back from the poller (the transport is about to change
 * memory, rings or features); vrtc_device_queue_base() tells where each
 * stopped.
 */
void vrtc_device_queues_stop(struct vrtc_device *dev);

/**
 * Where queue @p q last stopped (last avail index, used index), in
 * GET/SET_VRING_BASE's encoding: for a packed ring bit 15 of each is its
 * wrap counter.
 */
void vrtc_device_queue_base(const struct vrtc_queue *q, uint16_t *last_avail, uint16_t *used);

/**
 * The memory map the queues are served with; replaces (and frees) the old
 * one. A new map's regions are registered for SIGBUS containment
 * (guest_fault.h) in place of the previous ones; NULL leaves the
 * registration as it is (rte_vhost still has the memory mapped).
 */
void vrtc_device_mem_set(struct vrtc_device *dev, struct vrtc_mem *mem);

/**
 * rte_vhost is about to unmap the device's guest memory (SET_MEM_TABLE,
 * RESET_OWNER; the transport calls it with the queues stopped): the map is
 * dropped and its ranges unregistered, waiting for a SIGBUS handler still
 * at work on one. Also done on disconnection and destruction.
 */
void vrtc_device_mem_unmapping(struct vrtc_device *dev);

/** Tell the device type the negotiated features (before queues start). */
void vrtc_device_features_set(struct vrtc_device *dev, uint64_t features);

/** A ring as the transport found it, split or packed. */
struct vrtc_queue_ring {
	const char *name; /* for log lines; copied */
	uint16_t size;
	/* Host addresses: split descriptor table, avail and used rings;
	 * packed descriptor ring, driver and device event areas. */
	void *desc, *driver, *device;
	/* Where to resume, GET/SET_VRING_BASE's encoding (packed: bit 15
	 * the wrap counter). */
	uint16_t last_avail;
	uint16_t last_used;
};

/**
 * Initialise queue @p q over @p ring (features and memory are the device's:
 * VIRTIO_F_RING_PACKED negotiated gives the packed engine) and hand it to
 * the poller. @return 0, -EAGAIN (the device cannot serve now: not
 * attached, closing), or the engine's -errno.
 */
int vrtc_device_queue_start(struct vrtc_device *dev, struct vrtc_queue *q,
			    const struct vrtc_queue_ring *ring, int callfd, int kickfd);

/**
 * Take every device whose guest memory raised a contained SIGBUS out of
 * service: queues stopped, memory map dropped, no queue started again until
 * the front-end reconnects. Called by the fault watch thread (fault_watch.c);
 * takes vrtc_device_lock.
 */
void vrtc_device_mem_faults_handle(void);

/** Whether any served queue is ready by the transport's account. */
int vrtc_device_wants_service(const struct vrtc_device *dev);

#endif /* VRTC_DEVICE_H */
