/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * SIGBUS containment for guest memory (see guest_fault.h).
 *
 * The registry is a fixed array of slots guarded by one spin lock that
 * both the handler and the control side take. The handler cannot be
 * re-entered on its own thread (SIGBUS stays blocked while it runs, and it
 * touches no guest memory), and the control side blocks SIGBUS on its
 * thread while it holds the lock, so a SIGBUS sent to that thread by
 * kill(2) waits until the lock is released instead of spinning on it
 * forever. Holding the lock across the replacement is what makes
 * unregister safe: once it has taken and released the lock, no handler is
 * mapping pages into the range any more.
 */

#include "guest_fault.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

struct gf_slot {
	uintptr_t start;	 /**< first byte; 0 with end 0: free slot */
	uintptr_t end;		 /**< one past the last byte */
	uintptr_t replaced_from; /**< page from which anonymous pages are mapped */
	uint32_t owner;
};

static struct gf_slot gf_slots[VRTC_GUEST_FAULT_MAX_RANGES];
static uint32_t gf_nb_slots; /* slots in use or used once: the scan bound */
static uint32_t gf_nb_ranges;
static atomic_flag gf_spin = ATOMIC_FLAG_INIT;

static _Atomic uint32_t gf_owner_faults[VRTC_GUEST_FAULT_MAX_OWNERS];
static _Atomic uint64_t gf_contained;
static _Atomic uint64_t gf_chained;
static _Atomic uint64_t gf_map_failed;
static _Atomic uint32_t gf_ranges_now;

static pthread_mutex_t gf_ctl_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int gf_installed;
static struct sigaction gf_old_action;
static uintptr_t gf_page_size;
static int gf_efd = -1;

static void
gf_lock(void)
{
	while (atomic_flag_test_and_set_explicit(&gf_spin, memory_order_acquire)) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
}

static void
gf_unlock(void)
{
	atomic_flag_clear_explicit(&gf_spin, memory_order_release);
}

/* The control side's lock: SIGBUS blocked on this thread while held. */
static void
gf_ctl_lock_spin(sigset_t *saved)
{
	sigset_t bus;

	sigemptyset(&bus);
	sigaddset(&bus, SIGBUS);
	pthread_sigmask(SIG_BLOCK, &bus, saved);
	gf_lock();
}

static void
gf_ctl_unlock_spin(const sigset_t *saved)
{
	gf_unlock();
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

static uintptr_t
align_down(uintptr_t x, uintptr_t a)
{
	return x & ~(a - 1);
}

static uintptr_t
align_up(uintptr_t x, uintptr_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/*
 * Map anonymous zero pages from @p addr's page (at alignment @p a) to the
 * end of slot @p s. Called in the handler with the spin lock held.
 */
static bool
gf_replace(struct gf_slot *s, uintptr_t addr)
{
	static const uintptr_t big[] = { UINT64_C(1) << 21, UINT64_C(1) << 30 };
	uintptr_t start_page = align_down(s->start, gf_page_size);
	uintptr_t end_page = align_up(s->end, gf_page_size);
	uintptr_t base = align_down(addr, gf_page_size);
	unsigned int i;

	/* Small pages first: what an ordinary memfd or tmpfs file has. */
	if (mmap((void *)base, end_page - base, PROT_READ | PROT_WRITE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED) {
		s->replaced_from = base;
		return true;
	}
	/*
	 * A hugetlbfs mapping can only be split at its page size; try the
	 * usual ones, but only where the whole replacement stays inside the
	 * range (never over a neighbouring mapping).
	 */
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		uintptr_t a = big[i];

		base = align_down(addr, a);
		if (base < start_page || end_page % a != 0)
			continue;
		if (mmap((void *)base, end_page - base, PROT_READ | PROT_WRITE,
			 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED) {
			s->replaced_from = base;
			return true;
		}
	}
	return false;
}

/* Pass the signal on to whoever handled it before us. */
static void
gf_chain(int sig, siginfo_t *si, void *uctx)
{
	const struct sigaction *old = &gf_old_action;
	struct sigaction dfl;

	if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction != NULL) {
		old->sa_sigaction(sig, si, uctx);
		return;
	}
	if (!(old->sa_flags & SA_SIGINFO) && old->sa_handler != SIG_DFL &&
	    old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
		return;
	}
	/*
	 * Nobody: die of the signal. raise() leaves it pending (it is blocked
	 * while we run) and it is delivered, with the default action, when
	 * the handler returns; a fault would also repeat on its own.
	 */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGBUS, &dfl, NULL);
	raise(SIGBUS);
}

static void
gf_handler(int sig, siginfo_t *si, void *uctx)
{
	int saved_errno = errno;
	bool contained = false;

	if (si != NULL && (si->si_code == BUS_ADRERR || si->si_code == BUS_OBJERR)) {
		uintptr_t addr = (uintptr_t)si->si_addr;
		uint32_t i, owner = 0;
		bool replaced = false, found = false;

		gf_lock();
		for (i = 0; i < gf_nb_slots; i++) {
			struct gf_slot *s = &gf_slots[i];

			if (addr < s->start || addr >= s->end)
				continue;
			found = true;
			owner = s->owner;
			if (addr >= s->replaced_from)
				contained = true; /* another thread got here first */
			else
				contained = replaced = gf_replace(s, addr);
			break;
		}
		gf_unlock();
		if (replaced) {
			uint64_t one = 1;
			ssize_t rc;

			atomic_fetch_add(&gf_owner_faults[owner], 1);
			atomic_fetch_add(&gf_contained, 1);
			rc = write(gf_efd, &one, sizeof(one));
			(void)rc; /* EAGAIN: the counter is already non-zero */
		} else if (found && !contained) {
			atomic_fetch_add(&gf_map_failed, 1);
		}
	}
	if (!contained) {
		atomic_fetch_add(&gf_chained, 1);
		gf_chain(sig, si, uctx);
	}
	errno = saved_errno;
}

int
vrtc_guest_fault_init(void)
{
	struct sigaction sa;
	long pg;
	int rc = 0;

	pthread_mutex_lock(&gf_ctl_lock);
	if (atomic_load(&gf_installed))
		goto out;
	pg = sysconf(_SC_PAGESIZE);
	if (pg <= 0 || (pg & (pg - 1)) != 0) {
		rc = -EINVAL;
		goto out;
	}
	gf_page_size = (uintptr_t)pg;
	if (gf_efd < 0) {
		gf_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (gf_efd < 0) {
			rc = -errno;
			goto out;
		}
	}
	/* The previous action first, so that the handler never sees it unset. */
	if (sigaction(SIGBUS, NULL, &gf_old_action) != 0) {
		rc = -errno;
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = gf_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) != 0) {
		rc = -errno;
		goto out;
	}
	atomic_store(&gf_installed, 1);
out:
	pthread_mutex_unlock(&gf_ctl_lock);
	return rc;
}

int
vrtc_guest_fault_register(uint32_t owner, const void *start, size_t len)
{
	uintptr_t s = (uintptr_t)start;
	sigset_t saved;
	uint32_t i;
	int rc = 0;

	if (owner >= VRTC_GUEST_FAULT_MAX_OWNERS || len == 0 || s + len < s ||
	    !atomic_load(&gf_installed))
		return -EINVAL;
	pthread_mutex_lock(&gf_ctl_lock);
	for (i = 0; i < gf_nb_slots; i++)
		if (gf_slots[i].end == 0)
			break;
	if (i == VRTC_GUEST_FAULT_MAX_RANGES) {
		rc = -ENOSPC;
		goto out;
	}
	gf_ctl_lock_spin(&saved);
	gf_slots[i].start = s;
	gf_slots[i].end = s + len;
	gf_slots[i].replaced_from = UINTPTR_MAX;
	gf_slots[i].owner = owner;
	if (i == gf_nb_slots)
		gf_nb_slots++;
	gf_ctl_unlock_spin(&saved);
	gf_nb_ranges++;
	atomic_store(&gf_ranges_now, gf_nb_ranges);
out:
	pthread_mutex_unlock(&gf_ctl_lock);
	return rc;
}

unsigned int
vrtc_guest_fault_unregister(uint32_t owner)
{
	unsigned int n = 0;
	sigset_t saved;
	uint32_t i;

	if (owner >= VRTC_GUEST_FAULT_MAX_OWNERS || !atomic_load(&gf_installed))
		return 0;
	pthread_mutex_lock(&gf_ctl_lock);
	/* Taking the spin lock also waits for a handler working on a range. */
	gf_ctl_lock_spin(&saved);
	for (i = 0; i < gf_nb_slots; i++) {
		struct gf_slot *s = &gf_slots[i];

		if (s->end == 0 || s->owner != owner)
			continue;
		memset(s, 0, sizeof(*s));
		n++;
	}
	while (gf_nb_slots > 0 && gf_slots[gf_nb_slots - 1].end == 0)
		gf_nb_slots--;
	gf_ctl_unlock_spin(&saved);
	gf_nb_ranges -= n;
	atomic_store(&gf_ranges_now, gf_nb_ranges);
	pthread_mutex_unlock(&gf_ctl_lock);
	return n;
}

uint32_t
vrtc_guest_fault_take(uint32_t owner)
{
	if (owner >= VRTC_GUEST_FAULT_MAX_OWNERS)
		return 0;
	return atomic_exchange(&gf_owner_faults[owner], 0);
}

int
vrtc_guest_fault_eventfd(void)
{
	int fd;

	pthread_mutex_lock(&gf_ctl_lock);
	fd = gf_efd;
	pthread_mutex_unlock(&gf_ctl_lock);
	return fd;
}

void
vrtc_guest_fault_stats_get(struct vrtc_guest_fault_stats *st)
{
	st->contained = atomic_load(&gf_contained);
	st->chained = atomic_load(&gf_chained);
	st->map_failed = atomic_load(&gf_map_failed);
	st->ranges = atomic_load(&gf_ranges_now);
}
