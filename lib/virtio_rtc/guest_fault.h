/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Containment of SIGBUS from guest memory that shrank under us.
 *
 * A front-end shares its guest memory as file descriptors that the
 * back-end maps MAP_SHARED. If the file is not sealed against shrinking
 * (F_SEAL_SHRINK), the front-end can ftruncate it after the check; every
 * access to a page past the new end then raises SIGBUS, which by default
 * kills the whole daemon and every other tenant with it. The front door
 * refuses unsealed memory unless the operator allows it; this module
 * contains the faults of the memory it allowed.
 *
 * The owner of guest memory (a device) registers the host address ranges
 * it maps (vrtc_guest_fault_register()) and unregisters them before they
 * are unmapped. The process-wide SIGBUS handler, installed once by
 * vrtc_guest_fault_init(), looks the faulting address up; when it lies in
 * a registered range and the kernel reports an address error (si_code
 * BUS_ADRERR or BUS_OBJERR), the handler:
 *
 *  1. maps anonymous zero pages (MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
 *     read-write) over the range from the faulting page to the range's
 *     end, so that the faulting instruction completes when the handler
 *     returns and later accesses to that part do not fault again (what
 *     is written there stays private to this process; the guest sees
 *     none of it). If the kernel refuses a small-page mapping there (a
 *     hugetlbfs mapping can only be split at its page size), the handler
 *     retries at 2 MiB and 1 GiB alignment, never below the range start;
 *  2. sets the owner's "faulted" flag and bumps the counters;
 *  3. writes to the notification eventfd (vrtc_guest_fault_eventfd()),
 *     so that a control thread learns of it and takes the owner's device
 *     out of service (vrtc_guest_fault_take()).
 *
 * Any other SIGBUS (outside every registered range, a hardware memory
 * error, one sent by kill(2), or a replacement the kernel refused) goes
 * to the handler that was installed before ours: its SA_SIGINFO or plain
 * handler is called, and when there was none (SIG_DFL, SIG_IGN) the
 * disposition is reset to SIG_DFL and the signal re-raised, so that a
 * real bug still kills the process with SIGBUS (and a core).
 *
 * Under AddressSanitizer: ASan installs its own SIGBUS handler before
 * main() (ASAN_OPTIONS handle_sigbus=1, the default) and lets the program
 * replace it (allow_user_segv_handler=1, the default). Ours, installed
 * later, sees every SIGBUS first and chains to ASan's for those it does not
 * contain, so ASan still reports them (and exits with its exit code rather
 * than dying of the signal).
 *
 * Limits:
 *  - The handler is a plain SA_SIGINFO handler on the faulting thread's
 *    stack (no SA_ONSTACK: pollers run on threads that set no alternate
 *    stack). A poller's stack always has room for it.
 *  - A fault is contained only if the kernel reports it to the faulting
 *    thread as a synchronous SIGBUS. A read by the kernel on our behalf
 *    (write(2) from guest memory, for instance) fails with EFAULT instead;
 *    the callers already check those.
 *  - What the worker reads after the replacement is zeros (or what it
 *    wrote there itself): the owner must treat its device as broken once
 *    its flag is set; the data path itself does not check the flag.
 *  - Capacity is fixed (VRTC_GUEST_FAULT_MAX_RANGES ranges, owners below
 *    VRTC_GUEST_FAULT_MAX_OWNERS) so that the handler needs no allocation
 *    and no lock.
 *  - vrtc_guest_fault_unregister() must be called before the memory is
 *    unmapped and after the last access by any worker: it waits for
 *    handlers still running, so that no handler maps pages over an address
 *    that has been unmapped and perhaps reused. After it returns, a fault
 *    in the former range is a real fault again.
 *  - One handler per process: a later sigaction(SIGBUS) by someone else
 *    replaces ours (it may chain to us if it wishes).
 *
 * Thread-safety: init, register, unregister, take and the counters may be
 * called from any thread (a mutex orders the control side). The handler
 * and the control side share the registry under one spin lock, taken by
 * the handler for the look-up and the replacement and by the control side
 * only for the few stores of a change, with SIGBUS blocked on its thread
 * meanwhile (so that a SIGBUS sent to that thread cannot spin on a lock
 * its own thread holds). Handlers on several threads faulting at once are
 * serialised by the same lock; the first replaces the pages, the others
 * find them replaced and return.
 */

#ifndef VRTC_GUEST_FAULT_H
#define VRTC_GUEST_FAULT_H

#include <stddef.h>
#include <stdint.h>

/** Ranges the registry holds (all owners together). */
#define VRTC_GUEST_FAULT_MAX_RANGES 2048u

/** Owner ids are below this. */
#define VRTC_GUEST_FAULT_MAX_OWNERS 1024u

/** Process-wide counters. */
struct vrtc_guest_fault_stats {
	uint64_t contained;  /**< faults in a registered range, pages replaced */
	uint64_t chained;    /**< SIGBUS passed on to the previous handler */
	uint64_t map_failed; /**< faults in a range whose replacement the kernel refused */
	uint32_t ranges;     /**< ranges registered now */
};

/**
 * Install the SIGBUS handler (once; later calls return 0 and change
 * nothing) and create the notification eventfd.
 * @return 0 or -errno (sigaction, eventfd).
 */
int vrtc_guest_fault_init(void);

/**
 * Register [@p start, @p start + @p len) as guest memory of @p owner.
 * The range need not be page-aligned; the replacement on a fault covers
 * whole pages, from the faulting page to the last page the range touches.
 * @return 0, -EINVAL (owner out of bounds, len 0, wrap-around, or
 *   vrtc_guest_fault_init() not done), -ENOSPC (registry full).
 */
int vrtc_guest_fault_register(uint32_t owner, const void *start, size_t len);

/**
 * Remove every range of @p owner, and wait until no handler is still
 * working on one. Its faulted flag is left as it is (see
 * vrtc_guest_fault_take()).
 * @return the number of ranges removed.
 */
unsigned int vrtc_guest_fault_unregister(uint32_t owner);

/**
 * The number of faults contained in @p owner's memory since the last call,
 * and clear it (0: none, or owner out of bounds).
 */
uint32_t vrtc_guest_fault_take(uint32_t owner);

/**
 * The notification eventfd (non-blocking, close-on-exec; -1 before init):
 * readable after a contained fault. Read it (8 bytes) to clear it, then
 * vrtc_guest_fault_take() each owner of interest.
 */
int vrtc_guest_fault_eventfd(void);

/** Fill @p st with the process-wide counters. */
void vrtc_guest_fault_stats_get(struct vrtc_guest_fault_stats *st);

#endif /* VRTC_GUEST_FAULT_H */
