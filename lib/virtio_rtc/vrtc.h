/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/**
 * @file
 * libvirtio_rtc: vhost-user virtio-rtc and virtio-rng device back-ends
 * whose data path runs where the application puts it.
 *
 * Devices are created after rte_eal_init() with vrtc_device_create() from
 * parameters, with vrtc_device_create_from_args() from an argument string
 * (`rtc_vhost0,iface=PATH`, `rng_vhost0,iface=PATH`; see doc/devices.md
 * for every key), or, when the library is built with its vdev drivers,
 * from the EAL command line (`--vdev` with the same string).
 * A device is served by a poller: a set of queues that one thread at a
 * time polls. The library launches nothing on any lcore; the application
 * runs each poller in one of two ways:
 *
 * @code
 *	rte_eal_init(argc, argv);
 *	vrtc_poller_create(&pp, &poller);
 *	vrtc_device_create(&dp, &dev);
 *	vrtc_device_attach(dev, poller);   socket listening (or dialling)
 *
 *	(a) from its own loop, on any lcore or thread:
 *	    for (;;) { my_work(); vrtc_poller_poll(poller, 64); }
 *	(b) as an rte_service component mapped to service lcores:
 *	    vrtc_poller_service_register(poller, &id);
 *	    rte_service_map_lcore_set(id, lcore, 1); rte_service_runstate_set(id, 1);
 *
 *	vrtc_device_destroy(dev);          guest sees a disconnect, socket unlinked
 *	vrtc_poller_destroy(poller);
 * @endcode
 *
 * An idle loop may sleep: vrtc_poller_sleep_prepare() asks the guests to
 * kick, re-checks the rings and returns one fd to wait on (and the next
 * timer deadline); vrtc_poller_sleep_end() after waking.
 *
 * Threads: the control functions (create, attach, destroy, stats) may be
 * called from any thread that is not inside a poll call of the poller
 * concerned; they serialise on one library lock. vrtc_poller_poll() and
 * the sleep calls of one poller must come from one thread at a time.
 */

#ifndef VRTC_H
#define VRTC_H

#include <stddef.h>
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
	/** UTC_SMEARED: TAI smeared noon to noon over each leap second
	 * (leap_second_smearing NOON_LINEAR), or with VRTC_SMEAR_MODE_HOST the
	 * host's own, already smeared, CLOCK_REALTIME (smearing unspecified).
	 * Linux guests make their /dev/rtcN of this clock. */
	VRTC_CLOCK_UTC_SMEARED,
	/** A host PTP hardware clock (@c phc_path, e.g. /dev/ptp0), read on every
	 * READ, served as the type the operator declares (@c phc_type); at most
	 * one per device. (3 is VRTC_CLOCK_UTC_SMEARED.) */
	VRTC_CLOCK_PHC = 4,
};

/** How a virtio-rtc device's UTC_SMEARED host clock is made. */
enum vrtc_smear_mode {
	/** Smear the leap seconds of the leap-second table linearly from
	 * 12:00 UTC before to 12:00 UTC after, from TAI (the kernel's
	 * CLOCK_TAI, or CLOCK_REALTIME + TAI - UTC): see doc/virtio-rtc.md. */
	VRTC_SMEAR_MODE_NOON,
	/** The host's clock is already smeared (common in clouds):
	 * CLOCK_REALTIME passed through, never smeared twice. */
	VRTC_SMEAR_MODE_HOST,
};

/** Which clocks of a virtio-rtc device have an alarm (VIRTIO_RTC_F_ALARM). */
enum vrtc_alarm_mode {
	VRTC_ALARM_DEFAULT, /**< the device's UTC_SMEARED clocks (Linux makes its
			     *   /dev/rtcN of such a clock) */
	VRTC_ALARM_OFF,	    /**< none: VIRTIO_RTC_F_ALARM is not offered */
	VRTC_ALARM_KINDS,   /**< the clocks whose kind is in alarm_kinds */
};

/** Entropy sources of a virtio-rng device. */
enum vrtc_rng_source {
	VRTC_RNG_SOURCE_DRBG,	   /**< OpenSSL CTR-DRBG (AES-256), per worker */
	VRTC_RNG_SOURCE_GETRANDOM, /**< getrandom(2) */
	VRTC_RNG_SOURCE_RDSEED,	   /**< x86 RDSEED */
	VRTC_RNG_SOURCE_RDRAND,	   /**< x86 RDRAND */
	VRTC_RNG_SOURCE_APP,	   /**< the application's callback (app_entropy_fill) */
	/** Bytes read from a file or device (@c source_path), e.g. the host's
	 * /dev/hwrng: a reader thread of the device's own fills a buffer the
	 * data path takes from; a request waits while it is empty (see
	 * doc/virtio-rng.md). */
	VRTC_RNG_SOURCE_FILE,
};

/**
 * A clock the application reads itself (its NIC's PTP time, a GNSS
 * receiver, ...), served to the guest as a virtio-rtc clock.
 */
struct vrtc_app_clock {
	/** What the guest is told it is (UTC, TAI, MONOTONIC, UTC_SMEARED with
	 * smearing unspecified). */
	enum vrtc_clock_kind kind;
	/** Read the clock in ns; 0 or -errno (the guest gets EIO). Called on the
	 * polling thread: must not block. */
	int (*read)(void *ctx, uint64_t *ns);
	/** Optional: cross-timestamp against @p hw_counter (virtio-rtc counter
	 * ids); NULL: not capable. 0, -EOPNOTSUPP or -errno. */
	int (*read_cross)(void *ctx, uint8_t hw_counter, uint64_t *ns, uint64_t *cycles);
	void *ctx;
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
	/** Accept guest memory regions whose fds are not sealed against
	 * shrinking (F_SEAL_SHRINK; QEMU's memfd backend seals, hugetlbfs
	 * and /dev/shm files cannot be sealed). A front-end that truncates
	 * such memory under us makes the daemon fault: allow it only for
	 * front-ends you trust not to (see doc/frontdoor.md). Default 0. */
	int allow_unsealed_memory;
	/** Server mode: socket file mode (default 0600), owner and group
	 * (-1: leave as created). */
	mode_t socket_mode;
	uid_t socket_uid;
	gid_t socket_gid;
	/** Lcore the application should serve this device on, or -1: a
	 * hint the library stores for the application (`lcore=` of a vdev
	 * string); dpdk-rtcd attaches the device to that lcore's poller. */
	int lcore;

	/* virtio-rtc */
	uint16_t nb_clocks; /**< 0: default set UTC, TAI, MONOTONIC, UTC_SMEARED */
	enum vrtc_clock_kind clocks[VRTC_MAX_CLOCKS];
	int tai_offset_s;   /**< TAI - UTC override; -1: kernel, then tzdata table */
	int cross_host_tsc; /**< READ_CROSS against the host TSC (see doc/virtio-rtc.md) */
	/** VRTC_CLOCK_PHC in @c clocks: the PTP hardware clock to read (opened
	 * at creation, which fails when it is not one); copied. */
	const char *phc_path;
	/** VRTC_CLOCK_PHC: what the guest is told it is, VRTC_CLOCK_TAI or
	 * VRTC_CLOCK_UTC (0, the default): the timescale the PHC runs (ptp4l
	 * keeps PTP's TAI). */
	enum vrtc_clock_kind phc_type;
	enum vrtc_alarm_mode alarm_mode; /**< default VRTC_ALARM_DEFAULT */
	/** VRTC_ALARM_KINDS: bit k set gives the clocks of enum vrtc_clock_kind
	 * k an alarm (host and application clocks); each must be a clock of
	 * the device. */
	uint32_t alarm_kinds;
	/** The UTC_SMEARED clock: default VRTC_SMEAR_MODE_NOON (`smear=`). */
	enum vrtc_smear_mode smear_mode;

	/* virtio-rng */
	enum vrtc_rng_source source; /**< default VRTC_RNG_SOURCE_DRBG */
	uint64_t rate_bytes_per_s;   /**< 0: unlimited */
	uint64_t reseed_requests;    /**< DRBG reseed interval in requests; 0: default */
	/** VRTC_RNG_SOURCE_FILE: the file or device to read (opened at
	 * creation, which fails when it cannot be); copied. */
	const char *source_path;

	/* Sources the application supplies (see struct vrtc_app_clock). */
	uint16_t nb_app_clocks; /**< clocks after the host ones, ids continue */
	const struct vrtc_app_clock *app_clocks; /**< array of nb_app_clocks; copied */
	/** VRTC_RNG_SOURCE_APP: fills @p buf with @p len random bytes, 0 or -errno. */
	int (*app_entropy_fill)(void *ctx, void *buf, size_t len);
	void *app_entropy_ctx;

	/** Experimental: also offer VIRTIO_F_RING_PACKED (`packed=1`); a
	 * driver that accepts it gets packed rings. Default 0: split only. */
	uint64_t packed_ring;
	uint64_t reserved[7]; /**< must be zero (vrtc_device_params_init) */
};

struct vrtc_device;

/** Fill @p p with the defaults for a device of @p type. */
void vrtc_device_params_init(struct vrtc_device_params *p, enum vrtc_device_type type);

/**
 * Create a device. Its socket is set up when the device is attached to
 * a poller (vrtc_device_attach()).
 * @return 0 with @p out set (may be NULL), or -errno: -EEXIST (name or
 *   iface in use), -EINVAL (bad parameter, logged with its name), -ENOTSUP
 *   (entropy source missing on this CPU), -ENOMEM, -EIO (rte_vhost refused).
 *   On error nothing is left behind.
 */
int vrtc_device_create(const struct vrtc_device_params *p, struct vrtc_device **out);

/** Detach (front-end disconnected, socket unlinked) and free. */
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

/**
 * Counters of one device, summed over its queues. Monotonic for the life
 * of the device: re-initialised queues (a device reset, a reconnect) keep
 * adding to the same totals.
 */
struct vrtc_device_stats {
	uint64_t requests;	    /**< chains answered (good and bad) */
	uint64_t bytes;		    /**< rtc: response bytes; rng: entropy bytes */
	/** Failures: rtc: responses with EINVAL, ENODEV or EIO, and chains
	 * without room for a status; rng: source errors + refused chains.
	 * A request the device does not support (EOPNOTSUPP, e.g. READ_CROSS
	 * without cross-timestamping) is counted in @c unsupported instead. */
	uint64_t errors;
	uint64_t unsupported;	    /**< rtc: EOPNOTSUPP answers */
	uint64_t bad_chains;	    /**< malformed descriptor chains (used length 0) */
	uint64_t broken_queues;	    /**< queues broken by the guest, now */
	uint64_t notifications;	    /**< interrupts sent to the guest */
	uint64_t notify_suppressed; /**< interrupts the guest did not want */
	uint64_t polls;		    /**< polls of this device's queues */
	uint64_t polls_empty;	    /**< ... that found nothing */
	uint64_t connections;	    /**< front-end connections accepted so far */
	int connected;		    /**< a front-end is connected now */
	int running;		    /**< at least one queue is being served */
	uint64_t reserved[8];	    /**< zero; room for new counters */
};

/** Read the counters of @p dev. 0 or -EINVAL. */
int vrtc_device_stats_get(const struct vrtc_device *dev, struct vrtc_device_stats *st);

/** One named counter (device-type and transport specifics). */
struct vrtc_xstat {
	char name[48];
	uint64_t value;
};

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Extended counters of @p dev (e.g. "rtc_status_enodev",
 * "rng_rate_limited_polls", "bad_chain_loop"): fills up to @p n of them.
 * @return how many the device has (call with n = 0 to size the array), or
 *   -EINVAL.
 */
int vrtc_device_xstats_get(const struct vrtc_device *dev, struct vrtc_xstat *xs, unsigned int n);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Short name of the type of @p dev: "rtc" or "rng".
 */
const char *vrtc_device_type_name(const struct vrtc_device *dev);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * The lcore hint of @p dev (its params' @c lcore, -1 for none).
 */
int vrtc_device_lcore_hint(const struct vrtc_device *dev);

/* ---- pollers ------------------------------------------------------------ */

struct vrtc_poller;

/** Most chains per queue per pass. */
#define VRTC_POLLER_MAX_BURST 256

/** Parameters of a poller. Zeroed fields take the defaults. */
struct vrtc_poller_params {
	const char *name; /**< unique, e.g. "lcore1"; copied (default "poller<N>") */
	uint16_t burst;	  /**< chains per queue per pass (default 32, max 256) */
	int socket_id;	  /**< NUMA socket for its memory (default SOCKET_ID_ANY) */
	uint64_t reserved[4]; /**< must be zero */
};

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Fill @p p with the defaults.
 */
void vrtc_poller_params_init(struct vrtc_poller_params *p);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Create a poller: an empty set of queues, served by whoever calls
 * vrtc_poller_poll() (or by the rte_service component of
 * vrtc_poller_service_register()).
 * @return 0 with @p out set, -EINVAL, -EEXIST (name in use), -ENOSPC (too
 *   many pollers), -ENOMEM.
 */
int vrtc_poller_create(const struct vrtc_poller_params *p, struct vrtc_poller **out);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Destroy a poller that serves no device (detach or destroy them first).
 * Unregisters its service component. @return 0, -EINVAL, -EBUSY (devices
 * attached, or its service still runs on an lcore after 1 s).
 */
int vrtc_poller_destroy(struct vrtc_poller *p);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Name of a poller.
 */
const char *vrtc_poller_name(const struct vrtc_poller *p);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Serve the queues of @p p once, round-robin, at most @p budget chains in
 * all (and at most the burst per queue); never blocks.
 * @return chains served.
 */
unsigned int vrtc_poller_poll(struct vrtc_poller *p, unsigned int budget);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Queues the last vrtc_poller_poll() of @p p found running (being served).
 * For the polling thread: a loop may sleep when there is none.
 */
unsigned int vrtc_poller_running_queues(const struct vrtc_poller *p);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Prepare to sleep: ask every guest to kick, then look at the rings once
 * more. @return an fd that becomes readable on a kick (or when the library
 * wants the poller to look again: a queue came or went) to wait on with
 * poll/epoll until it is readable or @p deadline_ns (CLOCK_MONOTONIC,
 * UINT64_MAX: none) passes, then call vrtc_poller_sleep_end(); or -EAGAIN:
 * do not sleep (work arrived, or a queue cannot kick: a driver that polls)
 * — call vrtc_poller_sleep_end() and keep polling.
 */
int vrtc_poller_sleep_prepare(struct vrtc_poller *p, uint64_t *deadline_ns);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * After sleeping (or deciding not to): kicks suppressed again, the fd drained.
 */
void vrtc_poller_sleep_end(struct vrtc_poller *p);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Register @p p as an rte_service component named "vrtc_<name>", whose
 * run function is one vrtc_poller_poll() pass. The application maps it to
 * service lcores (EAL -s, rte_service_map_lcore_set()) and sets its run
 * state (rte_service_runstate_set()); the component's own run state is on.
 * @return 0 with @p service_id set, -EEXIST (already registered), or the
 *   rte_service error.
 */
int vrtc_poller_service_register(struct vrtc_poller *p, uint32_t *service_id);

/** Counters of a poller. */
struct vrtc_poller_stats {
	uint64_t polls;	      /**< vrtc_poller_poll() calls */
	uint64_t polls_busy;  /**< ... that served something */
	uint64_t chains;      /**< chains served */
	uint64_t sleeps;      /**< vrtc_poller_sleep_prepare() returned an fd */
	uint16_t nb_queues;   /**< queues in its set now */
	uint64_t clock_steps; /**< host clock steps its timerfd woke it for */
	uint64_t reserved[3];
};

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Read the counters of @p p. 0 or -EINVAL.
 */
int vrtc_poller_stats_get(const struct vrtc_poller *p, struct vrtc_poller_stats *st);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Serve @p dev from @p p and start its socket (listening or dialling).
 * @return 0, -EINVAL, -EBUSY (attached elsewhere), or the socket's -errno
 *   (-EEXIST: a non-socket file at iface, never removed; -EADDRINUSE:
 *   another process listens there; -EACCES / -ENOENT: socket directory).
 */
int vrtc_device_attach(struct vrtc_device *dev, struct vrtc_poller *p);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Close the socket (the front-end sees a disconnect) and leave the poller.
 */
int vrtc_device_detach(struct vrtc_device *dev);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * The poller serving @p dev, or NULL.
 */
struct vrtc_poller *vrtc_device_poller(const struct vrtc_device *dev);

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

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Every device's public socket (iface=) belongs to the library's front
 * door, which checks each vhost-user message before it forwards it to the
 * rte_vhost back-end over a private socket (doc/frontdoor.md). Those live
 * in a directory of their own, by default `<EAL runtime dir>/vhost`
 * (created 0700, removed when the last device goes). Set another one,
 * which must exist, belong to this process and have mode 0700, before the
 * first device is attached.
 * @return 0, -EINVAL (not an absolute path, or too long), -EBUSY (devices
 *   are attached already).
 */
int vrtc_backend_dir_set(const char *dir);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Give the back-end directory and the private sockets in it to @p uid /
 * @p gid: an application that drops root after its devices are attached
 * calls this first, so that its front door can still reach them. The
 * directory must be one the account can reach (vrtc_backend_dir_set(): EAL's
 * own runtime directory is root's, mode 0700).
 * @return 0 or -errno of chown(2).
 */
int vrtc_backend_chown(uid_t uid, gid_t gid);

/**
 * The host clock's discipline as adjtimex(2) reports it: the guests' UTC
 * and TAI clocks are the host's CLOCK_REALTIME, so they are as good as this.
 */
struct vrtc_host_clock_health {
	/** 1 when the kernel says the clock is not synchronised (STA_UNSYNC in
	 * @c status, or adjtimex returned TIME_ERROR). */
	int unsync;
	int state;		  /**< adjtimex's return: TIME_OK (0) ... TIME_ERROR (5) */
	int status;		  /**< timex.status, the STA_* bits */
	int64_t maxerror_us;	  /**< the kernel's maximum error */
	int64_t esterror_us;	  /**< the kernel's estimated error */
	int tai_offset_s;	  /**< the kernel's TAI - UTC (0: nobody set it) */
	int64_t offset_ns;	  /**< the discipline's current time offset */
	int64_t freq_ppb;	  /**< the discipline's frequency correction */
	uint64_t unsync_events;	  /**< times it was found unsynchronised after being
				   *   synchronised (or at the first check) */
	uint64_t checks;	  /**< checks so far, by any caller */
};

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Read the host clock's health now (adjtimex(2), modes 0: nothing is
 * changed, no privilege needed; a system call: control path only). The
 * first call logs the state once; a later call that finds it changed logs
 * one line (WARNING when it became unsynchronised). dpdk-rtcd calls it every
 * second; telemetry /vrtc/host_clock calls it on demand.
 * @return 0 with @p h set, or -errno (-EINVAL for NULL).
 */
int vrtc_host_clock_health_get(struct vrtc_host_clock_health *h);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * The first error message (log level ERR, any vrtc.* log type) the library
 * logged on the calling thread since vrtc_thread_error_clear(), without
 * its "vrtc.TYPE: " prefix: the reason a control call failed, for an
 * application that tells its own user (dpdk-rtcd answers a control client
 * with it). Clear, call, then read it on failure, e.g.
 * "rtc_vhost3: cannot parse 'bogus=1': unknown key or bad syntax; keys: ...".
 * @return the message (truncated to 255 bytes), or "" when none was logged.
 */
const char *vrtc_thread_error(void);

/**
 * @warning experimental: this API may change without notice (EXPERIMENTAL node of the library's version map).
 *
 * Forget the calling thread's error message (see vrtc_thread_error()).
 */
void vrtc_thread_error_clear(void);

#ifdef __cplusplus
}
#endif

#endif /* VRTC_H */
