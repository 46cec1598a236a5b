/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The embedding API over a real socket, in one process: a virtio-rtc
 * device of the library, served by pollers this program drives itself
 * (from its own thread, from the main thread, as an rte_service component
 * run on this lcore), and the library's own front-end (vrtc_fe) as the
 * driver. Checks the contract of vrtc.h: attach/detach/destroy errors,
 * budgets, moving a device between pollers under traffic, control calls
 * that return while nobody polls, the sleep/wake protocol, the service
 * component's life.
 *
 *   embed_api            (exit 0 pass, 1 fail, 77 skipped)
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_service.h>

#include "vrtc.h"
#include "vrtc_frontend.h"
#include "vrtc_wire.h"

static int failures;

#define CHECK(cond, ...)                                                                     \
	do {                                                                                   \
		if (cond) {                                                                    \
			printf("PASS ");                                                       \
		} else {                                                                       \
			printf("FAIL ");                                                       \
			failures++;                                                            \
		}                                                                              \
		printf(__VA_ARGS__);                                                           \
		printf("\n");                                                                  \
	} while (0)

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- sources the application supplies ---------------------------------------- */

#define APP_CLOCK_NS UINT64_C(1234567890123456789)

static int
app_clock_read(void *ctx, uint64_t *ns)
{
	*ns = APP_CLOCK_NS + *(uint64_t *)ctx;
	return 0;
}

static int
app_entropy_fill(void *ctx, void *buf, size_t len)
{
	memset(buf, *(uint8_t *)ctx, len);
	return 0;
}

/* ---- a thread of the application that polls ---------------------------------- */

struct app_thread {
	pthread_t tid;
	struct vrtc_poller *poller;
	volatile int stop;
	volatile int paused; /* polls nothing while set */
	uint64_t served;
};

static void *
app_thread_main(void *arg)
{
	struct app_thread *t = arg;

	while (!t->stop) {
		if (t->paused) {
			usleep(1000);
			continue;
		}
		t->served += vrtc_poller_poll(t->poller, 64);
	}
	return NULL;
}

/* ---- requests through the front-end --------------------------------------------- */

#define NB_REQS 32

struct reqs {
	uint8_t *req;  /* NB_REQS x 16 bytes, EAL memory */
	uint8_t *resp; /* NB_REQS x 16 bytes */
};

/*
 * Post @p n READs of clock 0 and wait for them, calling @p poll_fn (when
 * not NULL) meanwhile. @return completions with a 16-byte OK response.
 */
static unsigned int
read_clock(struct vrtc_fe *fe, struct reqs *r, unsigned int n, void (*poll_fn)(void *),
	   void *arg)
{
	struct vrtc_fe_req fr[NB_REQS];
	struct vrtc_fe_done done[NB_REQS];
	uint64_t deadline = now_ns() + 3000000000u;
	unsigned int i, got = 0, ok = 0;

	for (i = 0; i < n; i++) {
		struct vrtc_rtc_req_read *q = (void *)(r->req + 16 * i);

		memset(q, 0, sizeof(*q));
		q->head.msg_type = VRTC_RTC_REQ_READ;
		memset(r->resp + 16 * i, 0xee, 16);
		fr[i] = (struct vrtc_fe_req){ .out = q, .out_len = 16, .in = r->resp + 16 * i,
					      .in_len = 16, .cookie = r->resp + 16 * i };
	}
	if (vrtc_fe_enqueue(fe, VRTC_RTC_REQUESTQ, fr, (uint16_t)n) != n)
		return 0;
	while (got < n && now_ns() < deadline) {
		uint16_t k = vrtc_fe_dequeue(fe, VRTC_RTC_REQUESTQ, done, NB_REQS), j;

		for (j = 0; j < k; j++) {
			const struct vrtc_rtc_resp_read *resp = done[j].cookie;

			ok += done[j].len == 16 && resp->head.status == VRTC_RTC_S_OK &&
			      resp->clock_reading != 0;
		}
		got += k;
		if (k == 0 && poll_fn != NULL)
			poll_fn(arg);
	}
	return ok;
}

static void
poll_once(void *arg)
{
	vrtc_poller_poll(arg, UINT32_MAX);
}

static void
service_once(void *arg)
{
	rte_service_run_iter_on_app_lcore(*(uint32_t *)arg, 1);
}

static struct vrtc_fe *
fe_connect(const char *path, void (*poll_fn)(void *), void *arg)
{
	struct vrtc_fe_params p;
	struct vrtc_fe *fe = NULL;

	(void)poll_fn;
	(void)arg;
	vrtc_fe_params_init(&p, VRTC_DEVICE_RTC);
	p.name = "embed_fe";
	p.path = path;
	p.queue_size = 64;
	if (vrtc_fe_create(&p, &fe) != 0)
		return NULL;
	return fe;
}

/* Wait (bounded) until the device reports a running queue. */
static int
wait_running_once(struct vrtc_device *dev)
{
	uint64_t deadline = now_ns() + 3000000000u;
	struct vrtc_device_stats st;

	while (now_ns() < deadline) {
		if (vrtc_device_stats_get(dev, &st) == 0 && st.running)
			return 1;
		usleep(1000);
	}
	return 0;
}

/*
 * The front-end's last set-up messages (ring enable, then rte_vhost's
 * new_device) may still be handled after vrtc_fe_create() returned, each
 * restarting the queue: wait until it runs, let the vhost thread finish,
 * and wait again.
 */
static int
wait_running(struct vrtc_device *dev)
{
	if (!wait_running_once(dev))
		return 0;
	usleep(300000);
	return wait_running_once(dev);
}

/* ---- alarms: the poller's deadlines and its timerfd -------------------------------- */

/* The application's clock the alarm test steps (ns); never the machine's. */
static uint64_t stepped_clock_ns = UINT64_C(5000000000000);

static int
stepped_clock_read(void *ctx, uint64_t *ns)
{
	(void)ctx;
	*ns = __atomic_load_n(&stepped_clock_ns, __ATOMIC_RELAXED);
	return 0;
}

/* One requestq request, served by polling @p p from this thread; the
 * response status, or -1 when none came within a second. */
static int
rtc_request(struct vrtc_fe *fe, struct vrtc_poller *p, const void *req, uint32_t req_len,
	    uint8_t *resp, uint32_t resp_len)
{
	struct vrtc_fe_req fr = { .out = req, .out_len = req_len, .in = resp, .in_len = resp_len };
	uint64_t deadline = now_ns() + 1000000000u;
	struct vrtc_fe_done d;

	memset(resp, 0xee, resp_len);
	if (vrtc_fe_enqueue(fe, VRTC_RTC_REQUESTQ, &fr, 1) != 1)
		return -1;
	while (now_ns() < deadline) {
		vrtc_poller_poll(p, 64);
		if (vrtc_fe_dequeue(fe, VRTC_RTC_REQUESTQ, &d, 1) == 1)
			return vrtc_fe_rtc_status(resp, d.len);
	}
	return -1;
}

/* Poll @p p (busy) until a notification for @p clock_id comes or @p ns pass;
 * @return the ns it took, or UINT64_MAX. */
static uint64_t
wait_alarm_busy(struct vrtc_fe *fe, struct vrtc_poller *p, uint16_t clock_id, uint64_t ns)
{
	uint64_t t0 = now_ns();
	struct vrtc_fe_alarm a;

	while (now_ns() - t0 < ns) {
		vrtc_poller_poll(p, 64);
		if (vrtc_fe_alarm_poll(fe, &a, 1) == 1 && a.clock_id == clock_id)
			return now_ns() - t0;
	}
	return UINT64_MAX;
}

/*
 * An rtc device with alarms on the host's UTC (clock 0) and on an
 * application clock (clock 1), served from this thread:
 *  - the deadline vrtc_poller_sleep_prepare() returns follows the alarm
 *    (capped at the 1 s recheck);
 *  - an alarm on a clock that steps (the application's) fires at the next
 *    look after the step, without waiting for the time it had estimated;
 *  - a poller asleep on its fd with no timeout of its own is woken by the
 *    timerfd at the alarm's deadline.
 */
static void
alarm_checks(const char *dir)
{
	const struct vrtc_app_clock app = {
		.kind = VRTC_CLOCK_MONOTONIC, .read = stepped_clock_read,
	};
	struct vrtc_rtc_req_set_alarm *req;
	struct vrtc_poller_params pp;
	struct vrtc_device_params dp;
	struct vrtc_fe_params fp;
	struct vrtc_device *dev = NULL;
	struct vrtc_poller *p = NULL;
	struct vrtc_fe *fe = NULL;
	struct vrtc_fe_alarm a;
	struct timespec rt;
	char path[128];
	uint64_t t0, deadline, took, at;
	uint8_t *resp;
	int fd, woke = 0, st;

	snprintf(path, sizeof(path), "%s/alarm.sock", dir);
	req = rte_zmalloc(NULL, sizeof(*req), 64);
	resp = rte_zmalloc(NULL, 64, 64);
	vrtc_poller_params_init(&pp);
	pp.name = "alarms";
	vrtc_device_params_init(&dp, VRTC_DEVICE_RTC);
	dp.name = "embed_alarm";
	dp.iface = path;
	dp.nb_clocks = 1;
	dp.clocks[0] = VRTC_CLOCK_UTC;
	dp.nb_app_clocks = 1;
	dp.app_clocks = &app;
	dp.alarm_mode = VRTC_ALARM_KINDS;
	dp.alarm_kinds = (1u << VRTC_CLOCK_UTC) | (1u << VRTC_CLOCK_MONOTONIC);
	dp.allow_unsealed_memory = 1;
	if (req == NULL || resp == NULL || vrtc_poller_create(&pp, &p) != 0 ||
	    vrtc_device_create(&dp, &dev) != 0 || vrtc_device_attach(dev, p) != 0) {
		CHECK(0, "alarm device on its own poller");
		goto out;
	}
	vrtc_fe_params_init(&fp, VRTC_DEVICE_RTC);
	fp.name = "embed_alarm_fe";
	fp.path = path;
	fp.queue_size = 64;
	fp.nb_queues = 2;
	fp.alarm = 1;
	CHECK(vrtc_fe_create(&fp, &fe) == 0, "alarm front-end connected (F_ALARM, alarmq stocked)");
	if (fe == NULL || !wait_running(dev))
		goto out;
	deadline = now_ns() + 1000000000u;
	while (vrtc_poller_running_queues(p) < 2 && now_ns() < deadline)
		vrtc_poller_poll(p, 64);
	CHECK(vrtc_poller_running_queues(p) == 2, "requestq and alarmq running");

	/* Nothing armed: no deadline. */
	fd = vrtc_poller_sleep_prepare(p, &deadline);
	CHECK(fd >= 0 && deadline == UINT64_MAX, "no alarm armed: no deadline");
	vrtc_poller_sleep_end(p);

	/* The application clock's alarm 10 s ahead: deadline at the recheck. */
	vrtc_fe_rtc_set_alarm_req(req, 1, stepped_clock_ns + UINT64_C(10000000000), 1);
	st = rtc_request(fe, p, req, sizeof(*req), resp, 8);
	CHECK(st == VRTC_RTC_S_OK, "SET_ALARM on the application's clock, 10 s ahead (status %d)",
	      st);
	t0 = now_ns();
	fd = vrtc_poller_sleep_prepare(p, &deadline);
	CHECK(fd >= 0 && deadline > t0 && deadline <= t0 + UINT64_C(1000000000),
	      "the deadline is the 1 s recheck, not 10 s (%.3f s ahead)",
	      deadline == UINT64_MAX ? -1.0 : (double)(deadline - t0) / 1e9);
	vrtc_poller_sleep_end(p);
	CHECK(vrtc_fe_alarm_poll(fe, &a, 1) == 0, "not fired before its time");
	/* The application's clock steps 20 s forwards: the next look sees it. */
	__atomic_fetch_add(&stepped_clock_ns, UINT64_C(20000000000), __ATOMIC_RELAXED);
	took = wait_alarm_busy(fe, p, 1, 500000000u);
	CHECK(took != UINT64_MAX && took < 100000000u,
	      "the step fired it: NOTIF_ALARM for clock 1 after %.2f ms of busy polling",
	      took == UINT64_MAX ? -1.0 : (double)took / 1e6);
	vrtc_fe_rtc_set_alarm_req(req, 1, 0, 0);
	rtc_request(fe, p, req, sizeof(*req), resp, 8);

	/* The host's UTC 80 ms ahead; the application sleeps on the fd alone,
	 * without a timeout of its own (bounded at 3 s for the test). */
	clock_gettime(CLOCK_REALTIME, &rt);
	at = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec + 80000000u;
	vrtc_fe_rtc_set_alarm_req(req, 0, at, 1);
	st = rtc_request(fe, p, req, sizeof(*req), resp, 8);
	CHECK(st == VRTC_RTC_S_OK, "SET_ALARM on UTC, 80 ms ahead");
	t0 = now_ns();
	while (!woke && now_ns() - t0 < 3000000000u) {
		struct pollfd pfd;

		fd = vrtc_poller_sleep_prepare(p, &deadline);
		if (fd >= 0) {
			pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
			poll(&pfd, 1, 3000);
		}
		vrtc_poller_sleep_end(p);
		woke = vrtc_fe_alarm_poll(fe, &a, 1) == 1 && a.clock_id == 0;
	}
	took = now_ns() - t0;
	CHECK(woke && took >= 60000000u && took < 1000000000u,
	      "asleep on the fd only: the timerfd woke it for the alarm after %.1f ms",
	      (double)took / 1e6);
out:
	if (fe != NULL)
		vrtc_fe_destroy(fe);
	if (dev != NULL)
		vrtc_device_destroy(dev);
	if (p != NULL)
		vrtc_poller_destroy(p);
	rte_free(req);
	rte_free(resp);
}

int
main(int argc, char **argv)
{
	char prefix[64], dir[] = "/tmp/vrtc-embed-XXXXXX", path[128];
	char *eal_argv[] = {
		argv[0], (char *)(uintptr_t) "-l", (char *)(uintptr_t) "0",
		(char *)(uintptr_t) "--no-pci", (char *)(uintptr_t) "--no-huge",
		(char *)(uintptr_t) "--no-shconf", (char *)(uintptr_t) "-m",
		(char *)(uintptr_t) "128", prefix,
		(char *)(uintptr_t) "--log-level=lib.vhost.*:warning",
	};
	static uint64_t app_clock_offset = 7;
	static uint8_t app_byte = 0x5a;
	const struct vrtc_app_clock app_clock = {
		.kind = VRTC_CLOCK_MONOTONIC, .read = app_clock_read, .ctx = &app_clock_offset,
	};
	struct vrtc_poller_params pp;
	struct vrtc_poller *pa, *pb, *dup;
	struct vrtc_device_params dp;
	struct vrtc_poller_stats ps;
	struct vrtc_device *dev;
	struct app_thread t = { 0 };
	struct vrtc_fe *fe;
	struct reqs r;
	uint32_t sid, sid2;
	uint64_t t0, deadline;
	unsigned int ok, i;
	int rc, fd;

	(void)argc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(prefix, sizeof(prefix), "--file-prefix=embed%d", getpid());
	if (mkdtemp(dir) == NULL)
		return 77;
	snprintf(path, sizeof(path), "%s/rtc.sock", dir);
	if (rte_eal_init((int)RTE_DIM(eal_argv), eal_argv) < 0) {
		fprintf(stderr, "SKIP: rte_eal_init failed\n");
		return 77;
	}
	r.req = rte_zmalloc(NULL, 16 * NB_REQS, 64);
	r.resp = rte_zmalloc(NULL, 16 * NB_REQS, 64);

	/* Pollers: names, bounds. */
	vrtc_poller_params_init(&pp);
	pp.name = "a";
	CHECK(vrtc_poller_create(&pp, &pa) == 0, "poller a created");
	CHECK(vrtc_poller_create(&pp, &dup) == -EEXIST, "a second poller named a: -EEXIST");
	pp.name = "b";
	pp.burst = VRTC_POLLER_MAX_BURST + 1;
	CHECK(vrtc_poller_create(&pp, &pb) == -EINVAL, "burst above the maximum: -EINVAL");
	pp.burst = 4;
	CHECK(vrtc_poller_create(&pp, &pb) == 0, "poller b created (burst 4)");

	/* A device, attached to a. */
	vrtc_device_params_init(&dp, VRTC_DEVICE_RTC);
	dp.name = "embed_rtc";
	dp.iface = path;
	/* Clock 0: the host's UTC; clock 1: the application's. */
	dp.nb_clocks = 1;
	dp.clocks[0] = VRTC_CLOCK_UTC;
	dp.nb_app_clocks = 1;
	dp.app_clocks = &app_clock;
	/* vrtc_fe shares EAL memory, a memfd that cannot be sealed. */
	dp.allow_unsealed_memory = 1;
	CHECK(vrtc_device_create(&dp, &dev) == 0, "device created");
	CHECK(access(path, F_OK) != 0, "no socket before the device is attached");
	CHECK(vrtc_device_attach(dev, pa) == 0 && access(path, F_OK) == 0,
	      "attached to a: socket listening");
	CHECK(vrtc_device_attach(dev, pb) == -EBUSY, "attached twice: -EBUSY");
	CHECK(vrtc_poller_destroy(pa) == -EBUSY, "destroying a poller with a device: -EBUSY");
	CHECK(vrtc_device_poller(dev) == pa, "vrtc_device_poller names a");

	/* Served from the application's own thread. */
	t.poller = pa;
	pthread_create(&t.tid, NULL, app_thread_main, &t);
	fe = fe_connect(path, NULL, NULL);
	CHECK(fe != NULL, "front-end connected");
	if (fe == NULL) {
		t.stop = 1;
		pthread_join(t.tid, NULL);
		goto out;
	}
	CHECK(wait_running(dev), "the requestq is running");
	ok = read_clock(fe, &r, NB_REQS, NULL, NULL);
	CHECK(ok == NB_REQS, "%u/%u READs answered from the application's thread", ok, NB_REQS);

	/* Nobody polls: control calls still return (no grace period waits
	 * for a thread outside a poll call). */
	t.paused = 1;
	usleep(20000);
	t0 = now_ns();
	rc = vrtc_device_detach(dev);
	CHECK(rc == 0 && now_ns() - t0 < 2000000000u,
	      "detach while nobody polls returns in %.1f ms", (double)(now_ns() - t0) / 1e6);
	CHECK(access(path, F_OK) != 0, "detach closed and removed the socket");
	vrtc_fe_destroy(fe);
	t.stop = 1;
	pthread_join(t.tid, NULL);

	/* Moved to b, polled from this thread: the burst and the budget. */
	CHECK(vrtc_device_attach(dev, pb) == 0, "attached to b");
	fe = fe_connect(path, NULL, NULL);
	CHECK(fe != NULL, "front-end connected again");
	if (fe == NULL)
		goto out;
	CHECK(wait_running(dev), "the requestq runs again");
	deadline = now_ns() + 3000000000u;
	while (vrtc_poller_running_queues(pb) == 0 && now_ns() < deadline)
		vrtc_poller_poll(pb, 0);
	CHECK(vrtc_poller_running_queues(pb) == 1, "b sees one running queue");
	{
		struct vrtc_fe_req fr[8];
		unsigned int served, k;

		for (k = 0; k < 8; k++) {
			struct vrtc_rtc_req_read *q = (void *)(r.req + 16 * k);

			memset(q, 0, sizeof(*q));
			q->head.msg_type = VRTC_RTC_REQ_READ;
			fr[k] = (struct vrtc_fe_req){ .out = q, .out_len = 16,
						      .in = r.resp + 16 * k, .in_len = 16,
						      .cookie = r.resp + 16 * k };
		}
		vrtc_fe_enqueue(fe, VRTC_RTC_REQUESTQ, fr, 8);
		served = vrtc_poller_poll(pb, 1);
		CHECK(served == 1, "budget 1: one chain served (%u)", served);
		served = vrtc_poller_poll(pb, 100);
		CHECK(served == 4, "burst 4: four chains per queue per pass (%u)", served);
		served = vrtc_poller_poll(pb, 100);
		CHECK(served == 3, "the rest: three (%u)", served);
		deadline = now_ns() + 1000000000u;
		for (k = 0; k < 8 && now_ns() < deadline;) {
			struct vrtc_fe_done d[8];

			k += vrtc_fe_dequeue(fe, VRTC_RTC_REQUESTQ, d, 8);
		}
		CHECK(k == 8, "all eight completed");
	}

	/* Sleeping: nothing pending -> an fd; a posted request -> readable,
	 * or -EAGAIN when it raced the re-check. */
	fd = vrtc_poller_sleep_prepare(pb, NULL);
	CHECK(fd >= 0, "sleep_prepare with idle rings returns an fd (%d)", fd);
	{
		struct vrtc_rtc_req_read *q = (void *)r.req;
		struct vrtc_fe_req fr = { .out = q, .out_len = 16, .in = r.resp, .in_len = 16,
					  .cookie = r.resp };
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		vrtc_fe_enqueue(fe, VRTC_RTC_REQUESTQ, &fr, 1);
		CHECK(fd < 0 || poll(&pfd, 1, 2000) == 1, "the guest's kick makes the fd readable");
		vrtc_poller_sleep_end(pb);
		deadline = now_ns() + 1000000000u;
		while (vrtc_fe_inflight(fe, VRTC_RTC_REQUESTQ) != 0 && now_ns() < deadline) {
			struct vrtc_fe_done d;

			vrtc_poller_poll(pb, 64);
			vrtc_fe_dequeue(fe, VRTC_RTC_REQUESTQ, &d, 1);
		}
		CHECK(vrtc_fe_inflight(fe, VRTC_RTC_REQUESTQ) == 0, "the request that woke us is answered");
		vrtc_fe_enqueue(fe, VRTC_RTC_REQUESTQ, &fr, 1);
		fd = vrtc_poller_sleep_prepare(pb, NULL);
		CHECK(fd == -EAGAIN, "sleep_prepare with a request pending: -EAGAIN (%d)", fd);
		vrtc_poller_sleep_end(pb); /* serves it */
		deadline = now_ns() + 1000000000u;
		while (vrtc_fe_inflight(fe, VRTC_RTC_REQUESTQ) != 0 && now_ns() < deadline) {
			struct vrtc_fe_done d;

			vrtc_fe_dequeue(fe, VRTC_RTC_REQUESTQ, &d, 1);
		}
		ok = read_clock(fe, &r, 4, poll_once, pb);
		CHECK(ok == 4, "served on after sleeping (%u/4)", ok);
	}

	/* The rte_service component, run on this lcore by hand. */
	CHECK(vrtc_poller_service_register(pb, &sid) == 0, "b registered as a service");
	CHECK(vrtc_poller_service_register(pb, &sid2) == -EEXIST, "registered twice: -EEXIST");
	CHECK(rte_service_get_by_name("vrtc_b", &sid2) == 0 && sid2 == sid,
	      "the service is named vrtc_b");
	rte_service_runstate_set(sid, 1);
	ok = read_clock(fe, &r, NB_REQS, service_once, &sid);
	CHECK(ok == NB_REQS, "%u/%u READs answered by the service component", ok, NB_REQS);
	vrtc_poller_stats_get(pb, &ps);
	CHECK(ps.chains >= NB_REQS + 13 && ps.nb_queues == 1,
	      "b's counters: %" PRIu64 " chains, %u queue", ps.chains, ps.nb_queues);

	/* The application's clock, as clock 1. */
	{
		struct vrtc_rtc_req_read *q = (void *)r.req;
		const struct vrtc_rtc_resp_read *resp = (const void *)r.resp;
		struct vrtc_fe_req fr = { .out = q, .out_len = 16, .in = r.resp, .in_len = 16 };
		struct vrtc_fe_done d;
		uint16_t got = 0;

		memset(q, 0, sizeof(*q));
		q->head.msg_type = VRTC_RTC_REQ_READ;
		q->clock_id = 1;
		vrtc_fe_enqueue(fe, VRTC_RTC_REQUESTQ, &fr, 1);
		deadline = now_ns() + 1000000000u;
		while (got == 0 && now_ns() < deadline) {
			vrtc_poller_poll(pb, 64);
			got = vrtc_fe_dequeue(fe, VRTC_RTC_REQUESTQ, &d, 1);
		}
		CHECK(got == 1 && resp->head.status == VRTC_RTC_S_OK &&
		      resp->clock_reading == APP_CLOCK_NS + 7,
		      "clock 1 reads the application's clock (%" PRIu64 ")", resp->clock_reading);
	}

	/* The application's entropy, through an rng device on the same poller. */
	{
		char rng_path[160];
		struct vrtc_device *rng;
		struct vrtc_fe_params fp;
		struct vrtc_fe *rfe = NULL;
		uint8_t *buf = rte_zmalloc(NULL, 64, 64);
		struct vrtc_fe_req fr = { .in = buf, .in_len = 64 };
		struct vrtc_fe_done d;
		uint16_t got = 0, k;
		int same = 1;

		snprintf(rng_path, sizeof(rng_path), "%s/rng.sock", dir);
		vrtc_device_params_init(&dp, VRTC_DEVICE_RNG);
		dp.name = "embed_rng";
		dp.iface = rng_path;
		dp.source = VRTC_RNG_SOURCE_APP;
		dp.allow_unsealed_memory = 1;
		CHECK(vrtc_device_create(&dp, &rng) == -EINVAL, "APP source without a callback: -EINVAL");
		dp.app_entropy_fill = app_entropy_fill;
		dp.app_entropy_ctx = &app_byte;
		CHECK(vrtc_device_create(&dp, &rng) == 0 && vrtc_device_attach(rng, pb) == 0,
		      "rng device with the application's source on b");
		vrtc_fe_params_init(&fp, VRTC_DEVICE_RNG);
		fp.name = "embed_rng_fe";
		fp.path = rng_path;
		fp.queue_size = 64;
		CHECK(vrtc_fe_create(&fp, &rfe) == 0, "rng front-end connected");
		if (rfe != NULL) {
			CHECK(wait_running(rng), "the rng requestq runs");
			vrtc_fe_enqueue(rfe, 0, &fr, 1);
			deadline = now_ns() + 1000000000u;
			while (got == 0 && now_ns() < deadline) {
				vrtc_poller_poll(pb, 64);
				got = vrtc_fe_dequeue(rfe, 0, &d, 1);
			}
			for (k = 0; k < 64; k++)
				same &= buf[k] == 0x5a;
			CHECK(got == 1 && d.len == 64 && same,
			      "64 bytes of the application's entropy (used %u)", got ? d.len : 0);
			vrtc_fe_destroy(rfe);
		}
		vrtc_device_destroy(rng);
		rte_free(buf);
	}

	alarm_checks(dir);

	vrtc_fe_destroy(fe);
	fe = NULL;
	CHECK(vrtc_device_destroy(dev) == 0, "device destroyed");
	dev = NULL;
	CHECK(access(path, F_OK) != 0, "socket removed");
	CHECK(vrtc_poller_destroy(pb) == 0, "b destroyed once empty");
	CHECK(rte_service_get_by_name("vrtc_b", &sid2) != 0, "its service is gone");
	CHECK(vrtc_poller_destroy(pa) == 0, "a destroyed");
	for (i = 0; i < 3; i++) {
		pp.name = NULL;
		pp.burst = 0;
		rc = vrtc_poller_create(&pp, &pa);
		if (rc == 0)
			vrtc_poller_destroy(pa);
	}
	CHECK(rc == 0, "pollers can be created and destroyed again");
out:
	if (fe != NULL)
		vrtc_fe_destroy(fe);
	vrtc_device_destroy_all();
	rte_free(r.req);
	rte_free(r.resp);
	rte_eal_cleanup();
	rmdir(dir);
	printf("%d failure(s)\n", failures);
	return failures == 0 ? 0 : 1;
}
