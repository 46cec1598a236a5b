/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The service: worker lcores that poll the queues they own, in bursts.
 *
 * Each worker owns a set of queues (all queues of a device go to the same
 * worker: the device's `lcore`, else round-robin). The set is an array the
 * control thread replaces under RCU (publish the new one, wait for a grace
 * period, free the old one), so devices can come and go while the service
 * runs. Every loop iteration ends with a quiescent-state report; a worker
 * that sleeps goes offline first. See vrtc_internal.h for the queue
 * ownership protocol.
 *
 * Busy mode spins on the rings. Adaptive mode spins while there is work;
 * after idle_us without any, it asks the guests to kick (EVENT_IDX
 * avail_event or used->flags), re-checks the rings, and sleeps in epoll on
 * the kick eventfds and a wake-up eventfd; the first kick puts it back to
 * spinning with kicks suppressed.
 */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "vrtc_internal.h"

#define DEFAULT_BURST 32
#define MAX_BURST 256
#define DEFAULT_IDLE_US 100
/* A worker with nothing to serve checks for new queues this often. */
#define EMPTY_SLEEP_MS 100

struct vrtc_device_list vrtc_devices = TAILQ_HEAD_INITIALIZER(vrtc_devices);
pthread_mutex_t vrtc_ctl_lock = PTHREAD_MUTEX_INITIALIZER;

/* The queues one worker serves; replaced as a whole, freed after a grace
 * period. */
struct worker_set {
	uint16_t nb;
	struct vrtc_queue *q[];
};

struct worker {
	unsigned int lcore;
	struct worker_set *set; /* atomic pointer */
	uint8_t stop;		/* atomic */
	int wakefd;		/* eventfd: control -> sleeping worker */
	uint64_t sleeps;
	uint64_t wakeups_by_kick;
} __rte_cache_aligned;

static struct {
	int running;
	uint16_t burst;
	enum vrtc_poll_mode mode;
	uint64_t idle_cycles;
	struct rte_rcu_qsbr *qsbr;
	unsigned int nb_workers;
	struct worker *workers[RTE_MAX_LCORE];
	unsigned int rr_next;
} svc = { .burst = DEFAULT_BURST };

int
vrtc_service_running(void)
{
	return svc.running;
}

uint16_t
vrtc_service_burst(void)
{
	return svc.burst;
}

int
vrtc_service_adaptive(void)
{
	return svc.mode == VRTC_POLL_ADAPTIVE;
}

/* ---- queue hand-over ------------------------------------------------------ */

void
vrtc_queue_publish(struct vrtc_queue *q)
{
	/* Pairs with the acquire load in the worker loop: the vq set-up and
	 * the device's memory map are visible before running is. */
	__atomic_store_n(&q->running, 1, __ATOMIC_RELEASE);
}

void
vrtc_queue_quiesce(struct vrtc_queue *q)
{
	if (!__atomic_load_n(&q->running, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&q->running, 0, __ATOMIC_RELEASE);
	/* A worker that saw running = 1 reports its next quiescent state only
	 * after it finished that iteration: once every worker did, none can
	 * touch the queue any more. */
	if (svc.qsbr != NULL)
		rte_rcu_qsbr_synchronize(svc.qsbr, RTE_QSBR_THRID_INVALID);
}

static struct worker *
worker_of(int lcore)
{
	if (lcore < 0 || lcore >= RTE_MAX_LCORE)
		return NULL;
	return svc.workers[lcore];
}

void
vrtc_service_wake(struct vrtc_device *dev)
{
	struct worker *w = worker_of(dev->worker_lcore);

	if (w != NULL && w->wakefd >= 0)
		eventfd_write(w->wakefd, 1);
}

/* ---- data path -------------------------------------------------------------- */

static inline void
signal_guest(struct vrtc_queue *q)
{
	if (vrtc_vq_flush(&q->vq) && q->callfd >= 0) {
		/* One syscall per burst, and only when the guest asked. */
		eventfd_write(q->callfd, 1);
		q->interrupts++;
	}
}

static inline uint16_t
serve_rtc(struct vrtc_queue *q, uint16_t burst)
{
	struct vrtc_rtc_model *model = &q->dev->rtc.model;
	struct vrtc_chain chain;
	uint16_t n = vrtc_vq_avail(&q->vq, burst), i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		int rc = vrtc_vq_pop(&q->vq, &chain);

		if (rc != 0) {
			if (rc == -EBADMSG)
				continue; /* completed with length 0 and counted */
			break;		  /* ring broken */
		}
		vrtc_vq_push(&q->vq, chain.head, vrtc_rtc_handle(model, &chain));
	}
	signal_guest(q);
	return n;
}

/* Refill the token bucket; returns the balance (> 0: buffers may be served). */
static inline int64_t
rate_refill(struct vrtc_rate_limit *rl)
{
	uint64_t now, add;

	now = rte_rdtsc();
	add = (uint64_t)((unsigned __int128)(now - rl->last_tsc) * rl->rate_bytes_per_s /
			 rl->tsc_hz);
	if (add != 0) {
		/* Advance by the cycles those bytes are worth, keeping the
		 * remainder for the next refill. */
		rl->last_tsc += (uint64_t)((unsigned __int128)add * rl->tsc_hz /
					   rl->rate_bytes_per_s);
		if (add > rl->capacity)
			add = rl->capacity;
		rl->tokens += (int64_t)add;
		if (rl->tokens >= (int64_t)rl->capacity) {
			rl->tokens = (int64_t)rl->capacity;
			rl->last_tsc = now; /* a full bucket does not save up */
		}
	}
	return rl->tokens;
}

static inline uint16_t
serve_rng(struct vrtc_queue *q, uint16_t burst)
{
	struct vrtc_device *dev = q->dev;
	struct vrtc_rate_limit *rl = &dev->rng.limit;
	const int limited = rl->rate_bytes_per_s != 0;
	const uint32_t max_bytes = limited ? (uint32_t)RTE_MIN(rl->capacity, (uint64_t)UINT32_MAX) :
					     UINT32_MAX;
	struct vrtc_chain chain;
	uint16_t n, i, done = 0;

	if (limited && rate_refill(rl) <= 0) {
		/* Buffers wait on the ring until the balance is positive. */
		dev->rng.rate_limited_polls++;
		vrtc_entropy_quiesce(dev->rng.source);
		return 0;
	}
	n = vrtc_vq_avail(&q->vq, burst);
	if (n == 0) {
		/* Idle: no delivered entropy stays in the source's pool. */
		vrtc_entropy_quiesce(dev->rng.source);
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint32_t len;
		int rc = vrtc_vq_pop(&q->vq, &chain);

		if (rc != 0) {
			if (rc == -EBADMSG)
				continue;
			break;
		}
		len = vrtc_rng_handle(dev->rng.source, &chain, max_bytes, &dev->rng.stats);
		vrtc_vq_push(&q->vq, chain.head, len);
		done++;
		if (limited) {
			rl->tokens -= len;
			if (rl->tokens <= 0)
				break; /* the rest of the burst waits */
		}
	}
	signal_guest(q);
	return done;
}

static inline uint16_t
serve_queue(struct vrtc_queue *q, uint16_t burst)
{
	if (q->dev->type == VRTC_DEVICE_RTC)
		return serve_rtc(q, burst);
	return serve_rng(q, burst);
}

/* Serve every running queue of @p set once. @return the chains served. */
static inline unsigned int
poll_set(const struct worker_set *set, uint16_t burst, unsigned int *active)
{
	unsigned int work = 0;
	uint16_t i;

	*active = 0;
	for (i = 0; i < set->nb; i++) {
		struct vrtc_queue *q = set->q[i];

		/* Pairs with vrtc_queue_publish(). */
		if (!__atomic_load_n(&q->running, __ATOMIC_ACQUIRE))
			continue;
		(*active)++;
		work += serve_queue(q, burst);
	}
	return work;
}

/* Read a fired eventfd down to zero without ever blocking: only when it is
 * still readable (the number may name another file by now). */
static void
drain_eventfd(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	eventfd_t v;

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN))
		eventfd_read(fd, &v);
}

/*
 * Adaptive mode: ask for kicks, make sure nothing slipped in meanwhile, and
 * sleep until a kick or a wake-up. Runs online until the epoll set is
 * built (the queues cannot be torn down while we are online).
 *
 * On waking, the queues are served first and the housekeeping (draining
 * the eventfds, closing the epoll set, suppressing kicks again) comes
 * after, so the request that woke us does not wait for those system calls.
 * @return the chains served by that first poll.
 */
static unsigned int
sleep_on_kicks(struct worker *w, const struct worker_set *set, unsigned int lcore,
	       uint16_t burst)
{
	struct epoll_event ev, events[8];
	unsigned int work = 0, active;
	uint16_t i;
	int epfd, n = 0, k;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return 0;
	ev.events = EPOLLIN;
	ev.data.fd = w->wakefd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, w->wakefd, &ev);
	for (i = 0; i < set->nb; i++) {
		struct vrtc_queue *q = set->q[i];

		if (!__atomic_load_n(&q->running, __ATOMIC_ACQUIRE))
			continue;
		if (vrtc_vq_kicks_enable(&q->vq) || q->kickfd < 0)
			goto out; /* work arrived, or no way to be woken */
		ev.data.fd = q->kickfd;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, q->kickfd, &ev) != 0)
			goto out;
	}
	w->sleeps++;
	rte_rcu_qsbr_thread_offline(svc.qsbr, lcore);
	n = epoll_wait(epfd, events, RTE_DIM(events), 1000);
	rte_rcu_qsbr_thread_online(svc.qsbr, lcore);
	/* The queues are re-read from the (possibly new) set. */
	work = poll_set(__atomic_load_n(&w->set, __ATOMIC_ACQUIRE), burst, &active);
	for (k = 0; k < n; k++) {
		drain_eventfd(events[k].data.fd);
		if (events[k].data.fd != w->wakefd)
			w->wakeups_by_kick++;
	}
out:
	close(epfd);
	/* Back to spinning: kicks are suppressed again. */
	set = __atomic_load_n(&w->set, __ATOMIC_ACQUIRE);
	for (i = 0; i < set->nb; i++) {
		struct vrtc_queue *q = set->q[i];

		if (__atomic_load_n(&q->running, __ATOMIC_ACQUIRE))
			vrtc_vq_kicks_disable(&q->vq);
	}
	return work;
}

static void
sleep_idle_worker(struct worker *w, unsigned int lcore)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	eventfd_t v;

	rte_rcu_qsbr_thread_offline(svc.qsbr, lcore);
	if (epfd >= 0) {
		ev.data.fd = w->wakefd;
		epoll_ctl(epfd, EPOLL_CTL_ADD, w->wakefd, &ev);
		if (epoll_wait(epfd, &ev, 1, EMPTY_SLEEP_MS) > 0)
			eventfd_read(w->wakefd, &v);
		close(epfd);
	} else {
		rte_delay_us_sleep(EMPTY_SLEEP_MS * 1000);
	}
	rte_rcu_qsbr_thread_online(svc.qsbr, lcore);
}

static int
worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int lcore = rte_lcore_id();
	const uint16_t burst = svc.burst;
	const int adaptive = svc.mode == VRTC_POLL_ADAPTIVE;
	uint64_t last_work = rte_rdtsc();

	VRTC_GLOG(poller, INFO, "worker on lcore %u: %s polling, burst %u", lcore,
		  adaptive ? "adaptive" : "busy", burst);
	rte_rcu_qsbr_thread_online(svc.qsbr, lcore);
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		const struct worker_set *set = __atomic_load_n(&w->set, __ATOMIC_ACQUIRE);
		unsigned int active, work = poll_set(set, burst, &active);

		if (active == 0) {
			rte_rcu_qsbr_quiescent(svc.qsbr, lcore);
			sleep_idle_worker(w, lcore);
			last_work = rte_rdtsc();
			continue;
		}
		if (work != 0) {
			if (adaptive)
				last_work = rte_rdtsc();
		} else if (adaptive && rte_rdtsc() - last_work > svc.idle_cycles) {
			sleep_on_kicks(w, set, lcore, burst);
			last_work = rte_rdtsc();
		} else {
			rte_pause();
		}
		rte_rcu_qsbr_quiescent(svc.qsbr, lcore);
	}
	rte_rcu_qsbr_thread_offline(svc.qsbr, lcore);
	VRTC_GLOG(poller, INFO, "worker on lcore %u stopped (%" PRIu64 " sleeps)", lcore, w->sleeps);
	return 0;
}

/* ---- worker sets -------------------------------------------------------------- */

/*
 * Give every worker the queues of the devices assigned to it. Replaces the
 * sets under RCU. Called with vrtc_ctl_lock held.
 */
static int
rebuild_worker_sets(void)
{
	struct worker_set *old_sets[RTE_MAX_LCORE] = { NULL };
	unsigned int lcore;
	int rc = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct worker *w = svc.workers[lcore];
		struct vrtc_device *dev;
		struct worker_set *set;
		uint16_t nb = 0;

		if (w == NULL)
			continue;
		TAILQ_FOREACH(dev, &vrtc_devices, next) {
			if (dev->worker_lcore == (int)lcore && !dev->closing)
				nb += dev->nb_queues;
		}
		set = rte_zmalloc("vrtc_worker_set", sizeof(*set) + nb * sizeof(set->q[0]),
				  RTE_CACHE_LINE_SIZE);
		if (set == NULL) {
			rc = -ENOMEM;
			continue; /* keep the old set */
		}
		TAILQ_FOREACH(dev, &vrtc_devices, next) {
			uint16_t i;

			if (dev->worker_lcore != (int)lcore || dev->closing)
				continue;
			for (i = 0; i < dev->nb_queues; i++) {
				if (dev->queues[i].served)
					set->q[set->nb++] = &dev->queues[i];
			}
		}
		old_sets[lcore] = w->set;
		__atomic_store_n(&w->set, set, __ATOMIC_RELEASE);
		eventfd_write(w->wakefd, 1);
	}
	rte_rcu_qsbr_synchronize(svc.qsbr, RTE_QSBR_THRID_INVALID);
	for (lcore = 0; lcore < RTE_MAX_LCORE; lcore++)
		rte_free(old_sets[lcore]);
	return rc;
}

/* Pick the worker of a device. Called with vrtc_ctl_lock held. */
static int
assign_device(struct vrtc_device *dev)
{
	unsigned int i, lcore;

	if (dev->params.lcore >= 0) {
		if (worker_of(dev->params.lcore) == NULL) {
			VRTC_DLOG(poller, ERR, dev,
				  "lcore %d is not a worker lcore of this process (see EAL -l)",
				  dev->params.lcore);
			return -EINVAL;
		}
		dev->worker_lcore = dev->params.lcore;
		return 0;
	}
	/* Round-robin over the worker lcores, in lcore order. */
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		lcore = (svc.rr_next + i) % RTE_MAX_LCORE;
		if (svc.workers[lcore] != NULL) {
			dev->worker_lcore = (int)lcore;
			svc.rr_next = lcore + 1;
			return 0;
		}
	}
	return -ENODEV;
}

int
vrtc_service_attach(struct vrtc_device *dev)
{
	int rc;

	if (!svc.running)
		return 0;
	rc = assign_device(dev);
	if (rc == 0)
		rc = rebuild_worker_sets();
	return rc;
}

int
vrtc_service_detach(struct vrtc_device *dev)
{
	if (!svc.running || dev->worker_lcore < 0)
		return 0;
	dev->worker_lcore = -1;
	return rebuild_worker_sets();
}

/* ---- service start / stop ------------------------------------------------------ */

static void
free_workers(void)
{
	unsigned int lcore;

	for (lcore = 0; lcore < RTE_MAX_LCORE; lcore++) {
		struct worker *w = svc.workers[lcore];

		if (w == NULL)
			continue;
		if (w->wakefd >= 0)
			close(w->wakefd);
		rte_free(w->set);
		rte_free(w);
		svc.workers[lcore] = NULL;
	}
	svc.nb_workers = 0;
	rte_free(svc.qsbr);
	svc.qsbr = NULL;
}

int
vrtc_service_start(const struct vrtc_service_params *p)
{
	struct vrtc_service_params params = { 0 };
	struct vrtc_device *dev;
	unsigned int lcore;
	size_t sz;
	int rc = 0;

	if (p != NULL)
		params = *p;
	if (params.burst == 0)
		params.burst = DEFAULT_BURST;
	if (params.burst > MAX_BURST) {
		VRTC_GLOG(poller, ERR, "burst %u is above the maximum %u", params.burst, MAX_BURST);
		return -EINVAL;
	}
	if (params.mode != VRTC_POLL_BUSY && params.mode != VRTC_POLL_ADAPTIVE)
		return -EINVAL;
	if (params.idle_us == 0)
		params.idle_us = DEFAULT_IDLE_US;

	pthread_mutex_lock(&vrtc_ctl_lock);
	if (svc.running) {
		pthread_mutex_unlock(&vrtc_ctl_lock);
		return -EBUSY;
	}
	if (rte_lcore_count() < 2) {
		VRTC_GLOG(poller, ERR,
			  "no worker lcore: give EAL at least two lcores (e.g. -l 0,1); the main "
			  "lcore never polls");
		pthread_mutex_unlock(&vrtc_ctl_lock);
		return -ENODEV;
	}
	svc.burst = params.burst;
	svc.mode = params.mode;
	svc.idle_cycles = rte_get_tsc_hz() / 1000000 * params.idle_us;

	sz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	svc.qsbr = rte_zmalloc("vrtc_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (svc.qsbr == NULL || rte_rcu_qsbr_init(svc.qsbr, RTE_MAX_LCORE) != 0) {
		rc = -ENOMEM;
		goto fail;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct worker *w = rte_zmalloc_socket("vrtc_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
						      (int)rte_lcore_to_socket_id(lcore));

		if (w == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		svc.workers[lcore] = w;
		w->lcore = lcore;
		w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		w->set = rte_zmalloc("vrtc_worker_set", sizeof(*w->set), RTE_CACHE_LINE_SIZE);
		if (w->wakefd < 0 || w->set == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		rte_rcu_qsbr_thread_register(svc.qsbr, lcore);
		svc.nb_workers++;
	}
	svc.rr_next = 0;
	TAILQ_FOREACH(dev, &vrtc_devices, next) {
		rc = assign_device(dev);
		if (rc != 0)
			goto fail;
	}
	rc = rebuild_worker_sets();
	if (rc != 0)
		goto fail;
	svc.running = 1;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		rc = rte_eal_remote_launch(worker_main, svc.workers[lcore], lcore);
		if (rc != 0) {
			VRTC_GLOG(poller, ERR, "lcore %u is busy: cannot launch a worker", lcore);
			pthread_mutex_unlock(&vrtc_ctl_lock);
			vrtc_service_stop();
			return -EBUSY;
		}
	}
	pthread_mutex_unlock(&vrtc_ctl_lock);

	/* Sockets start outside the lock: rte_vhost may call back at once. */
	TAILQ_FOREACH(dev, &vrtc_devices, next) {
		rc = vrtc_transport_start(dev);
		if (rc != 0) {
			vrtc_service_stop();
			return rc;
		}
	}
	VRTC_GLOG(poller, INFO, "service started: %u devices on %u worker lcores", vrtc_device_count(),
		  svc.nb_workers);
	return 0;

fail:
	TAILQ_FOREACH(dev, &vrtc_devices, next)
		dev->worker_lcore = -1;
	free_workers();
	pthread_mutex_unlock(&vrtc_ctl_lock);
	return rc;
}

int
vrtc_service_stop(void)
{
	struct vrtc_device *dev;
	unsigned int lcore;

	if (!svc.running)
		return 0;
	/* Disconnect every front-end first: the workers must not be stopped
	 * while rte_vhost could still hand us a ring. */
	TAILQ_FOREACH(dev, &vrtc_devices, next)
		vrtc_transport_unregister(dev);

	pthread_mutex_lock(&vrtc_ctl_lock);
	svc.running = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct worker *w = svc.workers[lcore];

		if (w == NULL)
			continue;
		__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
		eventfd_write(w->wakefd, 1);
	}
	pthread_mutex_unlock(&vrtc_ctl_lock);
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (svc.workers[lcore] != NULL)
			rte_eal_wait_lcore(lcore);
	}
	pthread_mutex_lock(&vrtc_ctl_lock);
	TAILQ_FOREACH(dev, &vrtc_devices, next)
		dev->worker_lcore = -1;
	free_workers();
	pthread_mutex_unlock(&vrtc_ctl_lock);
	VRTC_GLOG(poller, INFO, "service stopped");
	return 0;
}

int
vrtc_device_lcore(const struct vrtc_device *dev)
{
	return svc.running ? dev->worker_lcore : -1;
}
