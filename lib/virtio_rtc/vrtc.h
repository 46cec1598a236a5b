/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/**
 * @file
 * libvirtio_rtc: vhost-user virtio-rtc and virtio-rng device back-ends
 * served by poll-mode workers on DPDK lcores.
 *
 * Devices are created after rte_eal_init() from an argument string with
 * vrtc_device_create_from_args() (`rtc_vhost0,iface=PATH`,
 * `rng_vhost0,iface=PATH`; see doc/devices.md for every key), from
 * parameters with vrtc_device_create(), or, when the library is built with
 * its vdev drivers, from the EAL command line (`--vdev` with the same
 * string, probed by rte_eal_init()). Then:
 *
 * @code
 *	rte_eal_init(argc, argv);          probes the vdevs, if any
 *	vrtc_device_create_from_args("rtc_vhost0,iface=...", NULL);
 *	vrtc_service_start(&params);       pollers on the worker lcores,
 *	                                   sockets listening (or dialling)
 *	... vrtc_device_stats_get() from the main lcore ...
 *	vrtc_service_stop();               guests see a disconnect
 *	vrtc_device_destroy_all();         sockets unlinked
 *	rte_eal_cleanup();
 * @endcode
 *
 * Threads: the control functions here must be called from one control
 * thread (normally the main lcore), never from a worker. The data path
 * runs only on the worker lcores; the main lcore never touches a queue.
 */

#ifndef VRTC_H
#define VRTC_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Kinds of device. */
enum vrtc_device_type {
	VRTC_DEVICE_RTC, /**< virtio-rtc, device ID 17: requestq + alarmq */
	VRTC_DEVICE_RNG, /**< virtio-rng, device ID 4: one requestq */
};

/** Most clocks a virtio-rtc device serves. */
#define VRTC_MAX_CLOCKS 16

/** Clock kinds a virtio-rtc device can serve (ids follow the order given). */
enum vrtc_clock_kind {
	VRTC_CLOCK_UTC,	      /**< CLOCK_REALTIME, as UTC */
	VRTC_CLOCK_TAI,	      /**< UTC + (TAI - UTC), as TAI */
	VRTC_CLOCK_MONOTONIC, /**< CLOCK_MONOTONIC, as MONOTONIC */
};

/** Entropy sources of a virtio-rng device. */
enum vrtc_rng_source {
	VRTC_RNG_SOURCE_DRBG,	   /**< OpenSSL CTR-DRBG (AES-256), per worker */
	VRTC_RNG_SOURCE_GETRANDOM, /**< getrandom(2) */
	VRTC_RNG_SOURCE_RDSEED,	   /**< x86 RDSEED */
	VRTC_RNG_SOURCE_RDRAND,	   /**< x86 RDRAND */
};

/** Parameters of one device. Zeroed fields take the documented defaults. */
struct vrtc_device_params {
	enum vrtc_device_type type;
	const char *name;  /**< unique, e.g. "rtc_vhost0"; copied */
	const char *iface; /**< vhost-user socket path; copied */
	/** Connect to a front-end listening on @c iface (QEMU server=on)
	 * instead of listening. */
	int client;
	/** Client mode: do not redial after a disconnect. */
	int no_reconnect;
	/** Server mode: socket file mode (default 0600), owner and group
	 * (-1: leave as created). */
	mode_t socket_mode;
	uid_t socket_uid;
	gid_t socket_gid;
	/** Worker lcore serving all queues of this device, or -1 (default
	 * when created by a vdev without `lcore=`): assigned round-robin by
	 * vrtc_service_start(). */
	int lcore;

	/* virtio-rtc */
	uint16_t nb_clocks; /**< 0: default set UTC, TAI, MONOTONIC */
	enum vrtc_clock_kind clocks[VRTC_MAX_CLOCKS];
	int tai_offset_s;   /**< TAI - UTC override; -1: kernel, then tzdata table */
	int cross_host_tsc; /**< READ_CROSS against the host TSC (see doc/virtio-rtc.md) */

	/* virtio-rng */
	enum vrtc_rng_source source; /**< default VRTC_RNG_SOURCE_DRBG */
	uint64_t rate_bytes_per_s;   /**< 0: unlimited */
	uint64_t reseed_requests;    /**< DRBG reseed interval in requests; 0: default */
};

struct vrtc_device;

/** Fill @p p with the defaults for a device of @p type. */
void vrtc_device_params_init(struct vrtc_device_params *p, enum vrtc_device_type type);

/**
 * Create a device and register its vhost-user socket (it starts accepting
 * or dialling when the service starts, or at once if it is running).
 * @return 0 with @p out set (may be NULL), or -errno: -EEXIST (name or
 *   iface in use), -EINVAL (bad parameter, logged with its name), -ENOTSUP
 *   (entropy source missing on this CPU), -ENOMEM, -EIO (rte_vhost refused).
 *   On error nothing is left behind.
 */
int vrtc_device_create(const struct vrtc_device_params *p, struct vrtc_device **out);

/** Disconnect the front-end, unregister and unlink the socket, free. */
int vrtc_device_destroy(struct vrtc_device *dev);

/**
 * Number of `--vdev rtc_vhost*` / `rng_vhost*` arguments that failed to
 * probe. EAL does not fail rte_eal_init() when a vdev probe fails, so an
 * application should check this after it and refuse to run half-configured.
 */
unsigned int vrtc_device_probe_errors(void);

/** Destroy every device. */
void vrtc_device_destroy_all(void);

/** Find a device by name. */
struct vrtc_device *vrtc_device_lookup(const char *name);

/** Number of devices, and the @p i-th in creation order (NULL past the end). */
unsigned int vrtc_device_count(void);
struct vrtc_device *vrtc_device_at(unsigned int i);

/** Name, type, socket path of a device. */
const char *vrtc_device_name(const struct vrtc_device *dev);
enum vrtc_device_type vrtc_device_type_of(const struct vrtc_device *dev);
const char *vrtc_device_iface(const struct vrtc_device *dev);

/** Counters of one device, summed over its queues (monotonic). */
struct vrtc_device_stats {
	uint64_t requests;	    /**< chains answered (good and bad) */
	uint64_t bytes;		    /**< rtc: response bytes; rng: entropy bytes */
	uint64_t errors;	    /**< rtc: non-OK responses; rng: source errors + refused chains */
	uint64_t bad_chains;	    /**< malformed descriptor chains (used length 0) */
	uint64_t broken_queues;	    /**< queues the guest broke (needs device reset) */
	uint64_t notifications;	    /**< interrupts sent to the guest */
	uint64_t notify_suppressed; /**< interrupts the guest did not want */
	uint64_t polls;		    /**< polls of this device's queues */
	uint64_t polls_empty;	    /**< ... that found nothing */
	uint64_t rtc_status[6];	    /**< rtc: responses by status code (index = status) */
	uint64_t rate_limited_polls; /**< rng: polls deferred by the rate limit */
	uint64_t connections;	    /**< front-end connections accepted so far */
	int connected;		    /**< a front-end is connected now */
	int running;		    /**< at least one queue is being served */
};

/** Read the counters of @p dev (consistent enough for rates; lock-free). */
int vrtc_device_stats_get(const struct vrtc_device *dev, struct vrtc_device_stats *st);

/** How idle workers behave. */
enum vrtc_poll_mode {
	VRTC_POLL_BUSY,	    /**< spin on the rings; lowest latency, one core each */
	VRTC_POLL_ADAPTIVE, /**< spin while busy; sleep on kicks after idle_us */
};

/** Parameters of the service. Zeroed fields take the defaults. */
struct vrtc_service_params {
	uint16_t burst;		 /**< chains per queue per poll (default 32, max 256) */
	enum vrtc_poll_mode mode; /**< default VRTC_POLL_BUSY */
	uint32_t idle_us;	 /**< adaptive: idle time before sleeping (default 100) */
};

/**
 * Start serving: assign every device's queues to the worker lcores (each
 * device to its `lcore`, else round-robin in creation order over the
 * workers), launch a poller on each worker that got queues, and start the
 * sockets. Needs at least one worker lcore (EAL -l with two or more).
 * @return 0 or -errno (-ENODEV: no worker lcore or no device; -EBUSY:
 *   already running; -EINVAL: a device pinned to an lcore that is not a
 *   worker).
 */
int vrtc_service_start(const struct vrtc_service_params *p);

/** Stop the sockets (guests see a disconnect) and the pollers. Idempotent. */
int vrtc_service_stop(void);

/** Whether the service runs. */
int vrtc_service_running(void);

/** Lcore serving @p dev while the service runs, else -1. */
int vrtc_device_lcore(const struct vrtc_device *dev);

/* ---- Devices from argument strings (device_args.c) ------------------- */

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL
 * node of the library's version map).
 *
 * Create a back-end device from an argument string, the same string as the
 * vdev drivers take:
 *
 * @code
 *	rtc_vhost0,iface=/run/dpdk-rtcd/rtc0.sock,clocks=utc+tai+mono
 *	rng_vhost1,iface=/run/dpdk-rtcd/rng0.sock,source=drbg,rate=1M
 * @endcode
 *
 * The name (up to the first comma, 1 to 63 characters) is the device name
 * and its prefix the type: `rtc_vhost` (virtio-rtc) or `rng_vhost`
 * (virtio-rng). The rest is parsed with rte_kvargs; the keys, their values
 * and defaults are those of doc/devices.md. In server mode the socket's
 * directory is checked first (vrtc_device_iface_check()). Then as
 * vrtc_device_create(). Works whether or not the library was built with its
 * vdev drivers; call it after rte_eal_init() (`lcore=` is checked against
 * the EAL lcores).
 *
 * Every failure is logged (log type vrtc.device, level ERR) with the device
 * name and the offending key, then "NAME: not created (reason)".
 *
 * @param spec the argument string.
 * @param out set to the new device on success (may be NULL).
 * @return 0, or -errno: -EINVAL (bad name, key or value), -EEXIST (name or
 *   socket in use), a socket directory error (-ENOENT, -EACCES, -ENOTDIR,
 *   -EROFS), or any error of vrtc_device_create(). On error nothing is left
 *   behind.
 */
int vrtc_device_create_from_args(const char *spec, struct vrtc_device **out);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL
 * node of the library's version map).
 *
 * Check that a server-mode device can create its socket: the directory of
 * @p p->iface must exist, be a directory, and be writable and searchable
 * by this process (effective ids). Client mode (@p p->client) is not
 * checked: the front-end owns that socket, which may appear later.
 * A failure is logged as "NAME: socket directory DIR: reason".
 * @return 0, or -errno: -EINVAL (no iface), -ENOENT, -ENOTDIR, -EACCES,
 *   -EROFS, ...
 */
int vrtc_device_iface_check(const struct vrtc_device_params *p);

#ifdef __cplusplus
}
#endif

#endif /* VRTC_H */
