/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Pollers: sets of queues served in bursts by whoever calls
 * vrtc_poller_poll() — the application's own loop, dpdk-rtcd's workers, or
 * the rte_service component of vrtc_poller_service_register(). The library
 * launches nothing on any lcore.
 *
 * A poller's set of queues is an array the control thread replaces under
 * RCU: publish the new one, wait for a grace period, free the old one. The
 * polling thread is "online" for RCU only inside a poll or sleep call, so a
 * grace period never waits for an application that stopped polling, and a
 * control call never hangs on one.
 *
 * Sleeping: vrtc_poller_sleep_prepare() turns kicks on for every running
 * queue (EVENT_IDX avail_event, or used->flags), re-checks the rings, and
 * returns the poller's epoll fd, which holds its wake-up eventfd and the
 * kick eventfds of those queues; vrtc_poller_sleep_end() suppresses kicks
 * again and drains what fired.
 *
 * Timed work: a queue with a deadline hook (the virtio-rtc alarmq) tells
 * the poller about to sleep when it must look again. The soonest deadline
 * is returned to the caller and also armed on the poller's timerfd, which
 * is in the epoll set: a CLOCK_REALTIME absolute timer with
 * TFD_TIMER_CANCEL_ON_SET, so a step of the host clock wakes the poller
 * (the alarms are converted again) as well as the deadline passing. No
 * thread is started for it.
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_service_component.h>

#include "poller.h"
#include "queue.h"
#include "vrtc_internal.h"

#define DEFAULT_BURST 32
/* rte_service names are 32 bytes with the NUL; ours get a "vrtc_" prefix. */
#define MAX_NAME 27
/* RCU thread ids: one per poller. */
#define MAX_POLLERS 128
/* How long vrtc_poller_destroy() waits for its service to stop running. */
#define SERVICE_STOP_WAIT_MS 1000

/* The queues one poller serves; replaced as a whole, freed after a grace
 * period. */
struct queue_set {
	uint16_t nb;
	struct vrtc_queue *q[];
};

struct vrtc_poller {
	/* Polling thread. */
	struct queue_set *set; /* atomic pointer */
	uint16_t burst;
	uint16_t next;	       /* round-robin start */
	unsigned int rcu_id;
	int epfd;	       /* sleep set, -1 until the first sleep */
	int wakefd;	       /* eventfd: control -> sleeping poller */
	int timerfd;	       /* deadline and clock-step wake-up, -1 until needed */
	uint8_t timer_armed;   /* timerfd armed by the last sleep_prepare */
	uint8_t timer_warned;  /* logged that the timerfd is missing */
	uint8_t sleep_armed;   /* kicks enabled by sleep_prepare */
	uint16_t running;      /* queues the last pass found running */
	struct vrtc_poller_stats stats;

	/* Control (pollers_lock). */
	char name[MAX_NAME];
	int socket_id;
	int has_service;
	uint32_t service_id;
} __rte_cache_aligned;

static pthread_mutex_t pollers_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t clock_steps; /* atomic: host clock steps seen by any poller */
static struct vrtc_poller *pollers[MAX_POLLERS];
static struct rte_rcu_qsbr *qsbr;
static unsigned int nb_created;

/* ---- RCU -------------------------------------------------------------------- */

static int
rcu_init_locked(void)
{
	size_t sz;

	if (qsbr != NULL)
		return 0;
	sz = rte_rcu_qsbr_get_memsize(MAX_POLLERS);
	qsbr = rte_zmalloc("vrtc_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (qsbr == NULL)
		return -ENOMEM;
	if (rte_rcu_qsbr_init(qsbr, MAX_POLLERS) != 0) {
		rte_free(qsbr);
		qsbr = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Wait until every poll call that started before now has returned. */
static void
grace_period(void)
{
	if (qsbr != NULL)
		rte_rcu_qsbr_synchronize(qsbr, RTE_QSBR_THRID_INVALID);
}

/* ---- queue hand-over (control) ------------------------------------------- */

void
vrtc_poller_queue_publish(struct vrtc_queue *q)
{
	/* Pairs with the acquire load in poll_pass(): the vq set-up and the
	 * device's memory map are visible before running is. */
	__atomic_store_n(&q->running, 1, __ATOMIC_RELEASE);
}

void
vrtc_poller_queue_quiesce(struct vrtc_queue *q)
{
	if (!__atomic_load_n(&q->running, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&q->running, 0, __ATOMIC_RELEASE);
	/* A poll call that saw running = 1 reports its quiescent state (goes
	 * offline) only when it returns. */
	grace_period();
}

void
vrtc_poller_wake(struct vrtc_poller *p)
{
	if (p != NULL && p->wakefd >= 0)
		eventfd_write(p->wakefd, 1);
}

uint16_t
vrtc_poller_burst(const struct vrtc_poller *p)
{
	return p->burst;
}

static int
set_replace(struct vrtc_poller *p, struct queue_set *set)
{
	struct queue_set *old = p->set;

	__atomic_store_n(&p->set, set, __ATOMIC_RELEASE);
	vrtc_poller_wake(p);
	grace_period();
	rte_free(old);
	return 0;
}

static struct queue_set *
set_alloc(const struct vrtc_poller *p, uint16_t nb)
{
	return rte_zmalloc_socket("vrtc_queue_set", sizeof(struct queue_set) +
				  (size_t)nb * sizeof(struct vrtc_queue *), RTE_CACHE_LINE_SIZE,
				  p->socket_id);
}

int
vrtc_poller_queues_add(struct vrtc_poller *p, struct vrtc_queue *const *qs, uint16_t nb)
{
	const struct queue_set *old;
	struct queue_set *set;
	uint16_t i;

	pthread_mutex_lock(&pollers_lock);
	old = p->set;
	if ((uint32_t)old->nb + nb > UINT16_MAX) {
		pthread_mutex_unlock(&pollers_lock);
		return -ENOSPC;
	}
	set = set_alloc(p, (uint16_t)(old->nb + nb));
	if (set == NULL) {
		pthread_mutex_unlock(&pollers_lock);
		return -ENOMEM;
	}
	for (i = 0; i < old->nb; i++)
		set->q[set->nb++] = old->q[i];
	for (i = 0; i < nb; i++)
		set->q[set->nb++] = qs[i];
	set_replace(p, set);
	pthread_mutex_unlock(&pollers_lock);
	return 0;
}

int
vrtc_poller_queues_remove(struct vrtc_poller *p, struct vrtc_queue *const *qs, uint16_t nb)
{
	const struct queue_set *old;
	struct queue_set *set;
	uint16_t i, j;

	pthread_mutex_lock(&pollers_lock);
	old = p->set;
	set = set_alloc(p, old->nb);
	if (set == NULL) {
		/* Cannot shrink the set: the queues stay listed but stopped
		 * (running = 0), which the poller skips. Never fails the
		 * caller's teardown. */
		pthread_mutex_unlock(&pollers_lock);
		for (i = 0; i < nb; i++)
			vrtc_poller_queue_quiesce(qs[i]);
		return -ENOMEM;
	}
	for (i = 0; i < old->nb; i++) {
		for (j = 0; j < nb; j++) {
			if (old->q[i] == qs[j])
				break;
		}
		if (j == nb)
			set->q[set->nb++] = old->q[i];
	}
	set_replace(p, set);
	pthread_mutex_unlock(&pollers_lock);
	return 0;
}

/* ---- data path ------------------------------------------------------------- */

static inline void
signal_guest(struct vrtc_queue *q)
{
	int need = vrtc_vq_layout(&q->vq) == VRTC_VQ_PACKED ? vrtc_vq_flush(&q->vq, VRTC_VQ_PACKED)
							    : vrtc_vq_flush(&q->vq, VRTC_VQ_SPLIT);

	if (need && q->callfd >= 0) {
		/* One syscall per burst, and only when the guest asked. */
		eventfd_write(q->callfd, 1);
		q->interrupts++;
	}
}

/* Serve every running queue once, starting at p->next. */
static inline unsigned int
poll_pass(struct vrtc_poller *p, const struct queue_set *set, unsigned int budget)
{
	unsigned int work = 0;
	uint16_t i, start = p->next, nb = set->nb, running = 0;

	p->running = 0;
	if (nb == 0)
		return 0;
	if (start >= nb)
		start = 0;
	for (i = 0; i < nb; i++) {
		uint16_t slot = (uint16_t)(start + i);
		struct vrtc_queue *q = set->q[slot >= nb ? slot - nb : slot];
		uint16_t burst = p->burst;

		/* Pairs with vrtc_poller_queue_publish(). */
		if (!__atomic_load_n(&q->running, __ATOMIC_ACQUIRE))
			continue;
		running++;
		if (work >= budget)
			continue; /* counted, not served: the budget is spent */
		if (budget - work < burst)
			burst = (uint16_t)(budget - work);
		work += q->serve(q, burst);
		signal_guest(q);
	}
	/* The next pass starts one queue further: with a budget smaller
	 * than the work on offer, no queue is always last. */
	p->next = (uint16_t)(start + 1 >= nb ? 0 : start + 1);
	p->running = running;
	return work;
}

unsigned int
vrtc_poller_poll(struct vrtc_poller *p, unsigned int budget)
{
	unsigned int work;

	rte_rcu_qsbr_thread_online(qsbr, p->rcu_id);
	work = poll_pass(p, __atomic_load_n(&p->set, __ATOMIC_ACQUIRE), budget);
	rte_rcu_qsbr_thread_offline(qsbr, p->rcu_id);
	p->stats.polls++;
	if (work != 0) {
		p->stats.polls_busy++;
		p->stats.chains += work;
	}
	return work;
}

unsigned int
vrtc_poller_running_queues(const struct vrtc_poller *p)
{
	return p->running;
}

/* ---- sleeping --------------------------------------------------------------- */

/* Read a fired eventfd down to zero without ever blocking. */
static void
drain_eventfd(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	eventfd_t v;

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN))
		eventfd_read(fd, &v);
}

static int
epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 || errno == EEXIST)
		return 0;
	return -errno;
}

/* Arm kicks of every running queue and build the epoll set from scratch
 * (kick fds change with every queue set-up). -EAGAIN: do not sleep. */
static int
sleep_arm(struct vrtc_poller *p, const struct queue_set *set)
{
	uint16_t i;

	if (p->epfd >= 0)
		close(p->epfd);
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0 || epoll_add(p->epfd, p->wakefd) != 0)
		return -EAGAIN;
	p->sleep_armed = 1;
	for (i = 0; i < set->nb; i++) {
		struct vrtc_queue *q = set->q[i];

		if (!__atomic_load_n(&q->running, __ATOMIC_ACQUIRE))
			continue;
		if (q->kickfd < 0)
			return -EAGAIN; /* the driver polls: no kick will come */
		/* Work arrived meanwhile — unless the buffers there are the
		 * ones the queue holds back (its deadline says when). */
		if (vrtc_vq_kicks_enable(&q->vq, vrtc_vq_layout(&q->vq)) && !(q->held_back && q->deadline != NULL))
			return -EAGAIN;
		if (epoll_add(p->epfd, q->kickfd) != 0)
			return -EAGAIN;
	}
	return p->epfd;
}

uint32_t
vrtc_poller_clock_steps(void)
{
	return __atomic_load_n(&clock_steps, __ATOMIC_ACQUIRE);
}

/* The soonest deadline of the running queues' timed work (UINT64_MAX:
 * none); 0 when one has work now. */
static uint64_t
queue_deadlines(const struct queue_set *set, uint64_t mono_now)
{
	uint64_t next = UINT64_MAX;
	uint16_t i;

	for (i = 0; i < set->nb; i++) {
		struct vrtc_queue *q = set->q[i];
		uint64_t d;

		if (q->deadline == NULL || !__atomic_load_n(&q->running, __ATOMIC_ACQUIRE))
			continue;
		d = q->deadline(q, mono_now);
		if (d <= mono_now)
			return 0;
		if (d < next)
			next = d;
	}
	return next;
}

/*
 * Arm the timerfd for @p deadline (CLOCK_MONOTONIC ns), as the same
 * instant of CLOCK_REALTIME with TFD_TIMER_CANCEL_ON_SET: it fires at the
 * deadline, or at once when the host clock is stepped meanwhile. Without a
 * deadline it is disarmed: nothing is timed, so a step changes nothing.
 * -errno when the timerfd cannot be had: the caller then relies on the
 * deadline it returns.
 */
static int
timer_arm(struct vrtc_poller *p, uint64_t deadline, uint64_t mono_now)
{
	struct itimerspec its;
	uint64_t at;

	if (deadline == UINT64_MAX) {
		if (p->timer_armed) {
			memset(&its, 0, sizeof(its));
			timerfd_settime(p->timerfd, 0, &its, NULL);
			p->timer_armed = 0;
		}
		return 0;
	}
	if (p->timerfd < 0) {
		p->timerfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
		if (p->timerfd < 0)
			return -errno;
	}
	at = vrtc_clock_ns(CLOCK_REALTIME) + (deadline - mono_now);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(at / UINT64_C(1000000000));
	its.it_value.tv_nsec = (long)(at % UINT64_C(1000000000));
	if (timerfd_settime(p->timerfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its,
			    NULL) != 0)
		return -errno;
	p->timer_armed = 1;
	return epoll_add(p->epfd, p->timerfd);
}

/* After a sleep: whether the timerfd saw a step of the host clock. */
static void
timer_check(struct vrtc_poller *p)
{
	uint64_t expirations;

	if (p->timerfd < 0 || !p->timer_armed)
		return;
	if (read(p->timerfd, &expirations, sizeof(expirations)) < 0 && errno == ECANCELED) {
		__atomic_fetch_add(&clock_steps, 1, __ATOMIC_RELEASE);
		p->stats.clock_steps++;
	}
}

int
vrtc_poller_sleep_prepare(struct vrtc_poller *p, uint64_t *deadline_ns)
{
	const struct queue_set *set;
	uint64_t next = UINT64_MAX, mono_now;
	int rc, trc;

	if (deadline_ns != NULL)
		*deadline_ns = UINT64_MAX;
	rte_rcu_qsbr_thread_online(qsbr, p->rcu_id);
	set = __atomic_load_n(&p->set, __ATOMIC_ACQUIRE);
	rc = sleep_arm(p, set);
	if (rc >= 0) {
		mono_now = vrtc_clock_ns(CLOCK_MONOTONIC);
		next = queue_deadlines(set, mono_now);
		if (next == 0)
			rc = -EAGAIN; /* timed work is due */
		else if ((trc = timer_arm(p, next, mono_now)) != 0 && !p->timer_warned) {
			p->timer_warned = 1;
			VRTC_GLOG(poller, WARNING, "poller %s: no timerfd (%s): host clock steps "
				  "are noticed only at the next deadline", p->name, strerror(-trc));
		}
	}
	rte_rcu_qsbr_thread_offline(qsbr, p->rcu_id);
	if (rc >= 0) {
		p->stats.sleeps++;
		if (deadline_ns != NULL)
			*deadline_ns = next;
	}
	return rc;
}

void
vrtc_poller_sleep_end(struct vrtc_poller *p)
{
	struct epoll_event events[16];
	const struct queue_set *set;
	int n, k;
	uint16_t i;

	if (!p->sleep_armed)
		return;
	p->sleep_armed = 0;
	timer_check(p); /* before serving: a step is seen by this very pass */
	rte_rcu_qsbr_thread_online(qsbr, p->rcu_id);
	/* Serve first: the request that woke us does not wait for the
	 * housekeeping below. */
	set = __atomic_load_n(&p->set, __ATOMIC_ACQUIRE);
	p->stats.chains += poll_pass(p, set, UINT_MAX);
	for (i = 0; i < set->nb; i++) {
		struct vrtc_queue *q = set->q[i];

		if (__atomic_load_n(&q->running, __ATOMIC_ACQUIRE))
			vrtc_vq_kicks_disable(&q->vq, vrtc_vq_layout(&q->vq));
	}
	rte_rcu_qsbr_thread_offline(qsbr, p->rcu_id);
	if (p->epfd >= 0) {
		n = epoll_wait(p->epfd, events, RTE_DIM(events), 0);
		for (k = 0; k < n; k++)
			drain_eventfd(events[k].data.fd);
	}
}

/* ---- rte_service ------------------------------------------------------------ */

static int32_t
service_run(void *arg)
{
	struct vrtc_poller *p = arg;

	/* rte_service counts a call that returns -EAGAIN as idle. */
	return vrtc_poller_poll(p, UINT_MAX) != 0 ? 0 : -EAGAIN;
}

int
vrtc_poller_service_register(struct vrtc_poller *p, uint32_t *service_id)
{
	struct rte_service_spec spec;
	uint32_t id;
	int rc;

	if (p == NULL || service_id == NULL)
		return -EINVAL;
	pthread_mutex_lock(&pollers_lock);
	if (p->has_service) {
		pthread_mutex_unlock(&pollers_lock);
		return -EEXIST;
	}
	memset(&spec, 0, sizeof(spec));
	snprintf(spec.name, sizeof(spec.name), "vrtc_%s", p->name);
	spec.callback = service_run;
	spec.callback_userdata = p;
	spec.socket_id = p->socket_id;
	spec.capabilities = 0; /* MT-unsafe: one lcore at a time */
	rc = rte_service_component_register(&spec, &id);
	if (rc == 0)
		rc = rte_service_component_runstate_set(id, 1);
	if (rc == 0) {
		p->has_service = 1;
		p->service_id = id;
		*service_id = id;
		VRTC_GLOG(poller, INFO, "poller %s: service component %s (id %u)", p->name,
			  spec.name, id);
	} else {
		VRTC_GLOG(poller, ERR, "poller %s: cannot register service %s: %s", p->name,
			  spec.name, strerror(rc < 0 ? -rc : rc));
	}
	pthread_mutex_unlock(&pollers_lock);
	return rc;
}

/* Stop and unregister the service component; -EBUSY if it keeps running. */
static int
service_unregister(struct vrtc_poller *p)
{
	unsigned int waited_ms = 0;

	if (!p->has_service)
		return 0;
	rte_service_component_runstate_set(p->service_id, 0);
	while (rte_service_may_be_active(p->service_id) == 1) {
		if (waited_ms++ >= SERVICE_STOP_WAIT_MS)
			return -EBUSY;
		rte_delay_us_sleep(1000);
	}
	rte_service_component_unregister(p->service_id);
	p->has_service = 0;
	return 0;
}

/* ---- create / destroy ---------------------------------------------------------- */

void
vrtc_poller_params_init(struct vrtc_poller_params *p)
{
	memset(p, 0, sizeof(*p));
	p->burst = DEFAULT_BURST;
	p->socket_id = SOCKET_ID_ANY;
}

static struct vrtc_poller *
lookup_locked(const char *name)
{
	unsigned int i;

	for (i = 0; i < MAX_POLLERS; i++) {
		if (pollers[i] != NULL && strcmp(pollers[i]->name, name) == 0)
			return pollers[i];
	}
	return NULL;
}

int
vrtc_poller_create(const struct vrtc_poller_params *params, struct vrtc_poller **out)
{
	struct vrtc_poller_params pp;
	struct vrtc_poller *p;
	char name[MAX_NAME];
	unsigned int id;
	int rc;

	if (out == NULL)
		return -EINVAL;
	if (params != NULL)
		pp = *params;
	else
		vrtc_poller_params_init(&pp);
	if (pp.burst == 0)
		pp.burst = DEFAULT_BURST;
	if (pp.burst > VRTC_POLLER_MAX_BURST) {
		VRTC_GLOG(poller, ERR, "burst %u is above the maximum %u", pp.burst,
			  VRTC_POLLER_MAX_BURST);
		return -EINVAL;
	}
	if (pp.name != NULL && (pp.name[0] == '\0' || strlen(pp.name) >= sizeof(name))) {
		VRTC_GLOG(poller, ERR, "poller name must have 1 to %zu characters",
			  sizeof(name) - 1);
		return -EINVAL;
	}

	pthread_mutex_lock(&pollers_lock);
	if (pp.name != NULL)
		snprintf(name, sizeof(name), "%s", pp.name);
	else
		snprintf(name, sizeof(name), "poller%u", nb_created);
	if (lookup_locked(name) != NULL) {
		pthread_mutex_unlock(&pollers_lock);
		VRTC_GLOG(poller, ERR, "a poller named %s exists", name);
		return -EEXIST;
	}
	for (id = 0; id < MAX_POLLERS && pollers[id] != NULL; id++)
		;
	if (id == MAX_POLLERS) {
		pthread_mutex_unlock(&pollers_lock);
		VRTC_GLOG(poller, ERR, "at most %u pollers", MAX_POLLERS);
		return -ENOSPC;
	}
	rc = rcu_init_locked();
	if (rc != 0) {
		pthread_mutex_unlock(&pollers_lock);
		return rc;
	}
	p = rte_zmalloc_socket("vrtc_poller", sizeof(*p), RTE_CACHE_LINE_SIZE, pp.socket_id);
	if (p == NULL) {
		pthread_mutex_unlock(&pollers_lock);
		return -ENOMEM;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->burst = pp.burst;
	p->socket_id = pp.socket_id;
	p->rcu_id = id;
	p->epfd = -1;
	p->timerfd = -1;
	p->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	p->set = set_alloc(p, 0);
	if (p->wakefd < 0 || p->set == NULL) {
		if (p->wakefd >= 0)
			close(p->wakefd);
		rte_free(p->set);
		rte_free(p);
		pthread_mutex_unlock(&pollers_lock);
		return -ENOMEM;
	}
	/* Registered and offline: only poll calls go online. */
	rte_rcu_qsbr_thread_register(qsbr, id);
	pollers[id] = p;
	nb_created++;
	pthread_mutex_unlock(&pollers_lock);
	VRTC_GLOG(poller, INFO, "poller %s created (burst %u)", p->name, p->burst);
	*out = p;
	return 0;
}

int
vrtc_poller_destroy(struct vrtc_poller *p)
{
	int rc;

	if (p == NULL)
		return -EINVAL;
	pthread_mutex_lock(&pollers_lock);
	if (p->set->nb != 0) {
		pthread_mutex_unlock(&pollers_lock);
		VRTC_GLOG(poller, ERR, "poller %s still serves %u queues: detach its devices first",
			  p->name, p->set->nb);
		return -EBUSY;
	}
	rc = service_unregister(p);
	if (rc != 0) {
		pthread_mutex_unlock(&pollers_lock);
		VRTC_GLOG(poller, ERR, "poller %s: its service still runs on an lcore", p->name);
		return rc;
	}
	pollers[p->rcu_id] = NULL;
	rte_rcu_qsbr_thread_unregister(qsbr, p->rcu_id);
	pthread_mutex_unlock(&pollers_lock);
	VRTC_GLOG(poller, INFO, "poller %s destroyed (%" PRIu64 " polls, %" PRIu64 " chains)",
		  p->name, p->stats.polls, p->stats.chains);
	if (p->epfd >= 0)
		close(p->epfd);
	if (p->timerfd >= 0)
		close(p->timerfd);
	close(p->wakefd);
	rte_free(p->set);
	rte_free(p);
	return 0;
}

const char *
vrtc_poller_name(const struct vrtc_poller *p)
{
	return p != NULL ? p->name : NULL;
}

int
vrtc_poller_stats_get(const struct vrtc_poller *p, struct vrtc_poller_stats *st)
{
	if (p == NULL || st == NULL)
		return -EINVAL;
	/* Single writer (the polling thread); 64-bit loads are atomic here. */
	pthread_mutex_lock(&pollers_lock);
	*st = p->stats;
	st->nb_queues = p->set->nb;
	pthread_mutex_unlock(&pollers_lock);
	return 0;
}
