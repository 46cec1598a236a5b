/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * The control side of SIGBUS containment: owner ids and the thread that
 * reacts to contained faults (see fault_watch.h, doc/guest-memory.md).
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_log.h>

#include "device.h"
#include "fault_watch.h"
#include "guest_fault.h"
#include "vrtc_internal.h"

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t owners_used[VRTC_GUEST_FAULT_MAX_OWNERS / 64]; /* watch_lock */
static unsigned int nb_owners;					  /* watch_lock */
static pthread_t watch_thread;
static int watch_running; /* watch_lock */
static int stop_fd = -1;  /* watch_lock */

static void *
watch_main(void *arg)
{
	struct pollfd pfd[2];

	(void)arg;
	pfd[0].fd = vrtc_guest_fault_eventfd();
	pfd[0].events = POLLIN;
	pfd[1].fd = stop_fd;
	pfd[1].events = POLLIN;
	for (;;) {
		uint64_t v;

		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			VRTC_GLOG(device, ERR, "guest memory fault watch: poll: %s",
				  strerror(errno));
			break;
		}
		if (pfd[1].revents != 0)
			break;
		if (pfd[0].revents != 0 && read(pfd[0].fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
			vrtc_device_mem_faults_handle();
	}
	return NULL;
}

/* Start the handler and the thread; watch_lock held. 0 or -errno. */
static int
watch_start(void)
{
	int rc;

	rc = vrtc_guest_fault_init();
	if (rc != 0)
		return rc;
	stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (stop_fd < 0)
		return -errno;
	rc = pthread_create(&watch_thread, NULL, watch_main, NULL);
	if (rc != 0) {
		close(stop_fd);
		stop_fd = -1;
		return -rc;
	}
	pthread_setname_np(watch_thread, "vrtc-memfault");
	watch_running = 1;
	return 0;
}

uint32_t
vrtc_fault_watch_attach(void)
{
	uint32_t owner = VRTC_FAULT_OWNER_NONE, i;
	int rc = 0;

	pthread_mutex_lock(&watch_lock);
	if (!watch_running)
		rc = watch_start();
	if (rc != 0) {
		pthread_mutex_unlock(&watch_lock);
		VRTC_GLOG(device, WARNING,
			  "SIGBUS containment of guest memory not available: %s",
			  strerror(-rc));
		return VRTC_FAULT_OWNER_NONE;
	}
	for (i = 0; i < VRTC_GUEST_FAULT_MAX_OWNERS; i++) {
		if (!(owners_used[i / 64] & (UINT64_C(1) << (i % 64)))) {
			owners_used[i / 64] |= UINT64_C(1) << (i % 64);
			owner = i;
			nb_owners++;
			break;
		}
	}
	pthread_mutex_unlock(&watch_lock);
	if (owner == VRTC_FAULT_OWNER_NONE)
		VRTC_GLOG(device, WARNING,
			  "more than %u devices: guest memory of the new one is not contained",
			  VRTC_GUEST_FAULT_MAX_OWNERS);
	else
		(void)vrtc_guest_fault_take(owner); /* a count left by its last user */
	return owner;
}

void
vrtc_fault_watch_detach(uint32_t owner)
{
	pthread_t th;
	uint64_t one = 1;

	if (owner >= VRTC_GUEST_FAULT_MAX_OWNERS)
		return;
	pthread_mutex_lock(&watch_lock);
	owners_used[owner / 64] &= ~(UINT64_C(1) << (owner % 64));
	if (--nb_owners > 0 || !watch_running) {
		pthread_mutex_unlock(&watch_lock);
		return;
	}
	/* The last device: stop the thread (the handler stays installed). */
	th = watch_thread;
	if (write(stop_fd, &one, sizeof(one)) != (ssize_t)sizeof(one)) {
		/* It keeps running, idle, for the next device. */
		VRTC_GLOG(device, ERR, "guest memory fault watch: cannot stop it: %s",
			  strerror(errno));
	} else {
		pthread_join(th, NULL);
		watch_running = 0;
		close(stop_fd);
		stop_fd = -1;
	}
	pthread_mutex_unlock(&watch_lock);
}
