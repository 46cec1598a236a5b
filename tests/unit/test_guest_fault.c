/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Tests of lib/virtio_rtc/guest_fault.c: a memfd mapped MAP_SHARED as
 * "guest memory" and shrunk under the mapping, as a front-end that did not
 * seal its memory can do. Faults inside registered memory must be
 * contained (the process lives, reads give zeros, the owner is flagged
 * once, the eventfd is readable); faults anywhere else must still kill the
 * process, which the cases check in forked children.
 *
 * The cases run in order and share the process-wide handler: the first
 * ones run before vrtc_guest_fault_init(), and counters are compared as
 * differences.
 */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_fault.h"
#include "test.h"

#define NB_PAGES 8

static size_t page;
/* Whether a SIGBUS handler (ASan's) was installed before ours. */
static int had_handler;

struct guest {
	int fd;
	uint8_t *p;
	size_t len;
};

/* A memfd of @p nb_pages pages, filled with 0xa5, mapped shared. */
static int
guest_open(struct guest *g, size_t nb_pages)
{
	g->len = nb_pages * page;
	g->fd = memfd_create("test_guest_fault", MFD_CLOEXEC);
	if (g->fd < 0)
		return -errno;
	if (ftruncate(g->fd, (off_t)g->len) != 0) {
		close(g->fd);
		return -errno;
	}
	g->p = mmap(NULL, g->len, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
	if (g->p == MAP_FAILED) {
		close(g->fd);
		return -errno;
	}
	memset(g->p, 0xa5, g->len);
	return 0;
}

static void
guest_close(struct guest *g)
{
	munmap(g->p, g->len);
	close(g->fd);
}

/* A read the compiler cannot drop or move. */
static uint8_t
peek(const uint8_t *p)
{
	return *(const volatile uint8_t *)p;
}

static void
poke(uint8_t *p, uint8_t v)
{
	*(volatile uint8_t *)p = v;
}

/* Drain the eventfd; @return the count it held (0: not readable). */
static uint64_t
drain_eventfd(void)
{
	uint64_t v = 0;

	if (read(vrtc_guest_fault_eventfd(), &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

/*
 * Run @p fn in a child and @return whether it died of the fault as an
 * unhandled SIGBUS does: killed by SIGBUS, or, when a handler was there
 * before ours (ASan's), ended by it with a non-zero status.
 */
static int
child_dies_of_sigbus(void (*fn)(void))
{
	struct rlimit no_core = { 0, 0 };
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &no_core);
		fn();
		_exit(0); /* survived: wrong */
	}
	if (waitpid(pid, &st, 0) != pid)
		return 0;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS)
		return 1;
	if (had_handler && WIFEXITED(st) && WEXITSTATUS(st) != 0)
		return 1;
	fprintf(stderr, "child status 0x%x\n", st);
	return 0;
}

static void
test_before_init(void)
{
	struct sigaction old;
	uint8_t b = 0;

	page = (size_t)sysconf(_SC_PAGESIZE);
	T_CHECK(sigaction(SIGBUS, NULL, &old) == 0);
	had_handler = (old.sa_flags & SA_SIGINFO) ? old.sa_sigaction != NULL
						  : old.sa_handler != SIG_DFL;
	if (had_handler)
		printf("# a SIGBUS handler was installed before ours (ASan?): chained\n");
	T_EQ_INT(vrtc_guest_fault_eventfd(), -1);
	T_EQ_INT(vrtc_guest_fault_register(0, &b, 1), -EINVAL);
	T_EQ_INT(vrtc_guest_fault_unregister(0), 0);
}

static void
test_init(void)
{
	struct vrtc_guest_fault_stats st;

	T_EQ_INT(vrtc_guest_fault_init(), 0);
	T_CHECK(vrtc_guest_fault_eventfd() >= 0);
	T_EQ_INT(vrtc_guest_fault_init(), 0); /* once */
	vrtc_guest_fault_stats_get(&st);
	T_EQ(st.contained, 0);
	T_EQ(st.ranges, 0);
	T_EQ(drain_eventfd(), 0);
}

static void
test_register_bounds(void)
{
	static uint8_t buf[64];
	struct vrtc_guest_fault_stats st;
	unsigned int i;

	T_EQ_INT(vrtc_guest_fault_register(VRTC_GUEST_FAULT_MAX_OWNERS, buf, 1), -EINVAL);
	T_EQ_INT(vrtc_guest_fault_register(1, buf, 0), -EINVAL);
	T_EQ_INT(vrtc_guest_fault_register(1, (void *)(UINTPTR_MAX - 10), 20), -EINVAL);
	T_EQ(vrtc_guest_fault_take(VRTC_GUEST_FAULT_MAX_OWNERS), 0);
	for (i = 0; i < VRTC_GUEST_FAULT_MAX_RANGES; i++)
		T_EQ_INT(vrtc_guest_fault_register(i % 2 ? 1 : 2, buf + i % 64, 1), 0);
	T_EQ_INT(vrtc_guest_fault_register(3, buf, 1), -ENOSPC);
	vrtc_guest_fault_stats_get(&st);
	T_EQ(st.ranges, VRTC_GUEST_FAULT_MAX_RANGES);
	T_EQ(vrtc_guest_fault_unregister(1), VRTC_GUEST_FAULT_MAX_RANGES / 2);
	/* The freed slots are reused. */
	T_EQ_INT(vrtc_guest_fault_register(3, buf, 1), 0);
	T_EQ(vrtc_guest_fault_unregister(3), 1);
	T_EQ(vrtc_guest_fault_unregister(2), VRTC_GUEST_FAULT_MAX_RANGES / 2);
	T_EQ(vrtc_guest_fault_unregister(2), 0);
	vrtc_guest_fault_stats_get(&st);
	T_EQ(st.ranges, 0);
}

/* The front-end truncates; the back-end reads and writes past the new end. */
static void
test_shrink_contained(void)
{
	struct vrtc_guest_fault_stats st0, st1;
	struct guest g;
	size_t i;

	T_EQ_INT(guest_open(&g, NB_PAGES), 0);
	/* A neighbour that must not be touched by the containment. */
	T_EQ_INT(vrtc_guest_fault_register(9, g.p, 2 * page), 0);
	T_EQ_INT(vrtc_guest_fault_register(3, g.p + 2 * page, g.len - 2 * page), 0);
	vrtc_guest_fault_stats_get(&st0);
	T_EQ(drain_eventfd(), 0);
	T_EQ_INT(ftruncate(g.fd, (off_t)(3 * page)), 0);

	/* Below the new end: the shared data. */
	for (i = 0; i < 3 * page; i += 512)
		T_EQ(peek(g.p + i), 0xa5);
	T_EQ(vrtc_guest_fault_take(3), 0);
	/* Past it: the first access faults, then zeros everywhere after. */
	for (i = 3 * page; i < g.len; i += 256)
		T_EQ(peek(g.p + i), 0);
	poke(g.p + 5 * page + 7, 0x42);
	T_EQ(peek(g.p + 5 * page + 7), 0x42);
	memset(g.p + 6 * page, 0x17, page);
	T_CHECK(t_all_bytes_are(g.p + 6 * page, page, 0x17));
	/* The pages still in the file are still shared with it. */
	poke(g.p + 2 * page, 0x33);
	{
		uint8_t b = 0;

		T_EQ_INT(pread(g.fd, &b, 1, (off_t)(2 * page)), 1);
		T_EQ(b, 0x33);
	}

	T_EQ(vrtc_guest_fault_take(3), 1);
	T_EQ(vrtc_guest_fault_take(3), 0);
	T_EQ(vrtc_guest_fault_take(9), 0);
	T_CHECK(drain_eventfd() >= 1);
	T_EQ(drain_eventfd(), 0);
	vrtc_guest_fault_stats_get(&st1);
	T_EQ(st1.contained - st0.contained, 1);
	T_EQ(st1.chained - st0.chained, 0);
	T_EQ(st1.map_failed - st0.map_failed, 0);
	T_EQ(st1.ranges, 2);

	T_EQ(vrtc_guest_fault_unregister(3), 1);
	T_EQ(vrtc_guest_fault_unregister(9), 1);
	guest_close(&g);
}

/* A fault at the first byte of a range, the range not page-aligned. */
static void
test_shrink_unaligned_range(void)
{
	struct guest g;

	T_EQ_INT(guest_open(&g, 4), 0);
	T_EQ_INT(vrtc_guest_fault_register(4, g.p + 100, 3 * page - 200), 0);
	T_EQ_INT(ftruncate(g.fd, 0), 0);
	T_EQ(peek(g.p + 100), 0);
	T_EQ(peek(g.p + 3 * page - 101), 0);
	T_EQ(vrtc_guest_fault_take(4), 1);
	T_CHECK(drain_eventfd() >= 1);
	T_EQ(vrtc_guest_fault_unregister(4), 1);
	guest_close(&g);
}

static void
child_fault_unregistered(void)
{
	struct guest g;

	if (guest_open(&g, 2) != 0)
		_exit(2);
	if (ftruncate(g.fd, 0) != 0)
		_exit(2);
	(void)peek(g.p + page);
}

static void
child_fault_after_unregister(void)
{
	struct guest g;

	if (guest_open(&g, 2) != 0)
		_exit(2);
	if (vrtc_guest_fault_register(5, g.p, g.len) != 0)
		_exit(2);
	if (vrtc_guest_fault_unregister(5) != 1)
		_exit(2);
	if (ftruncate(g.fd, 0) != 0)
		_exit(2);
	(void)peek(g.p);
}

/* A fault just past a registered range is not contained. */
static void
child_fault_next_to_range(void)
{
	struct guest g;

	if (guest_open(&g, 2) != 0)
		_exit(2);
	if (vrtc_guest_fault_register(5, g.p, page) != 0)
		_exit(2);
	if (ftruncate(g.fd, 0) != 0)
		_exit(2);
	(void)peek(g.p + page);
}

static void
child_raise(void)
{
	raise(SIGBUS);
}

static void
test_other_faults_kill(void)
{
	struct vrtc_guest_fault_stats st;

	if (had_handler)
		printf("# the children's reports of a BUS error that follow are expected\n");
	T_CHECK(child_dies_of_sigbus(child_fault_unregistered));
	T_CHECK(child_dies_of_sigbus(child_fault_after_unregister));
	T_CHECK(child_dies_of_sigbus(child_fault_next_to_range));
	T_CHECK(child_dies_of_sigbus(child_raise));
	/* Nothing of that reached the parent. */
	vrtc_guest_fault_stats_get(&st);
	T_EQ(st.chained, 0);
	T_EQ(st.ranges, 0);
}

/* ---- threads ---------------------------------------------------------------------- */

#define NB_THREADS 8

struct same_region {
	pthread_barrier_t start;
	struct guest g;
	_Atomic unsigned int bad;
};

static void *
same_region_worker(void *arg)
{
	struct same_region *sr = arg;
	size_t i;

	pthread_barrier_wait(&sr->start);
	/* All threads hit the same page first, then the rest. */
	if (peek(sr->g.p + 2 * page) != 0)
		atomic_fetch_add(&sr->bad, 1);
	for (i = 0; i < sr->g.len; i += 64) {
		uint8_t want = i < 2 * page ? 0xa5 : 0;

		if (peek(sr->g.p + i) != want)
			atomic_fetch_add(&sr->bad, 1);
	}
	return NULL;
}

static void
test_threads_same_region(void)
{
	struct vrtc_guest_fault_stats st0, st1;
	pthread_t th[NB_THREADS];
	struct same_region sr;
	unsigned int i;

	memset(&sr, 0, sizeof(sr));
	T_EQ_INT(guest_open(&sr.g, NB_PAGES), 0);
	T_EQ_INT(vrtc_guest_fault_register(11, sr.g.p, sr.g.len), 0);
	T_EQ_INT(pthread_barrier_init(&sr.start, NULL, NB_THREADS), 0);
	vrtc_guest_fault_stats_get(&st0);
	T_EQ_INT(ftruncate(sr.g.fd, (off_t)(2 * page)), 0);
	for (i = 0; i < NB_THREADS; i++)
		T_EQ_INT(pthread_create(&th[i], NULL, same_region_worker, &sr), 0);
	for (i = 0; i < NB_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&sr.start);
	T_EQ(atomic_load(&sr.bad), 0);
	vrtc_guest_fault_stats_get(&st1);
	T_EQ(st1.contained - st0.contained, 1);
	T_EQ(st1.chained - st0.chained, 0);
	T_EQ(vrtc_guest_fault_take(11), 1);
	T_CHECK(drain_eventfd() >= 1);
	T_EQ(vrtc_guest_fault_unregister(11), 1);
	guest_close(&sr.g);
}

struct churn {
	_Atomic int stop;
	_Atomic unsigned int errors;
	unsigned long rounds;
};

/* Registry changes from a "control thread", on ranges nobody faults in. */
static void *
churn_worker(void *arg)
{
	static uint8_t other[4096];
	struct churn *c = arg;
	unsigned int i;

	while (!atomic_load(&c->stop)) {
		for (i = 0; i < 64; i++)
			if (vrtc_guest_fault_register(20 + i % 4, other + i, 64) != 0)
				atomic_fetch_add(&c->errors, 1);
		for (i = 0; i < 4; i++)
			if (vrtc_guest_fault_unregister(20 + i) != 16)
				atomic_fetch_add(&c->errors, 1);
		c->rounds++;
	}
	return NULL;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Faults, each in a freshly registered and truncated region, while
 * another thread keeps changing the registry: every fault contained, one
 * per region, for at most about 2 s (or 2000 regions).
 */
static void
test_register_races_faults(void)
{
	struct vrtc_guest_fault_stats st0, st1;
	struct churn c;
	unsigned long n = 0;
	pthread_t th;
	double end;

	memset(&c, 0, sizeof(c));
	vrtc_guest_fault_stats_get(&st0);
	T_EQ_INT(pthread_create(&th, NULL, churn_worker, &c), 0);
	end = now_s() + 2.0;
	while (n < 2000 && now_s() < end) {
		struct guest g;
		size_t i;
		int bad = 0;

		if (guest_open(&g, 4) != 0 || vrtc_guest_fault_register(12, g.p, g.len) != 0 ||
		    ftruncate(g.fd, (off_t)page) != 0) {
			bad = 1;
		} else {
			for (i = page; i < g.len; i += 1024)
				bad |= peek(g.p + i) != 0;
			bad |= vrtc_guest_fault_take(12) != 1;
			bad |= vrtc_guest_fault_unregister(12) != 1;
			guest_close(&g);
		}
		if (bad) {
			atomic_store(&c.stop, 1);
			pthread_join(th, NULL);
			T_FAIL_AT("round %lu", n);
			return;
		}
		n++;
	}
	atomic_store(&c.stop, 1);
	pthread_join(th, NULL);
	printf("# %lu faulting regions, %lu registry rounds meanwhile\n", n, c.rounds);
	T_EQ(atomic_load(&c.errors), 0);
	T_CHECK(n > 0);
	vrtc_guest_fault_stats_get(&st1);
	T_EQ(st1.contained - st0.contained, n);
	T_EQ(st1.chained - st0.chained, 0);
	T_EQ(st1.ranges, 0);
	drain_eventfd();
}

static const struct t_case cases[] = {
	T_CASE(test_before_init),
	T_CASE(test_init),
	T_CASE(test_register_bounds),
	T_CASE(test_shrink_contained),
	T_CASE(test_shrink_unaligned_range),
	T_CASE(test_other_faults_kill),
	T_CASE(test_threads_same_region),
	T_CASE(test_register_races_faults),
};

T_MAIN(cases)
