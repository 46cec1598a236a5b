/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * Front-end loopback: the user-space vhost-user front-end (vrtc_fe_*)
 * against a tiny echo back-end built in this process directly on rte_vhost
 * and the library's device-side engine (vq.h: a split ring, or a packed
 * one when VIRTIO_F_RING_PACKED is negotiated), over real sockets.
 *
 *   main lcore:   the front-end driver (enqueue / dequeue, checks)
 *   worker lcore: the echo back-end poller (vrtc_vq_avail/pop/push/flush)
 *   vhost thread: rte_vhost's message handling and our callbacks
 *
 * The echo back-end reads the request's 8-byte sequence number and fills
 * every writable byte with a pattern derived from it, so each completion
 * is checked against the request it belongs to.
 *
 * Phases: hostile scripted back-ends (no listener, silence, malformed
 * replies, descriptors in replies, NACK, no VERSION_1, closed connection),
 * then traffic with direct and indirect descriptors, with and without
 * EVENT_IDX, with and without REPLY_ACK and PROTOCOL_FEATURES, rng and
 * two-queue rtc, packed rings (and packed asked of a back-end that does not
 * offer them), disconnect/reconnect with requests in flight, EAL memory
 * hotplug while connected (memory table resent), the vdev drivers, and an
 * alarm front-end whose alarmq the echo fills with what is not a
 * notification.
 *
 * Usage: fe_loopback [auto|huge|nohuge|custom] [requests] [EAL arguments...]
 *   auto (default): huge when root with free hugepages, else nohuge;
 *   huge: --in-memory --single-file-segments; nohuge: --no-huge -m 256;
 *   custom: only the EAL memory flags given after [requests].
 * Exit code 0 = pass, 1 = fail, 77 = skipped (environment).
 */

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef VRTC_HAVE_VDEV_DRIVERS
#include <rte_bus_vdev.h>
#endif
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_vhost.h>

#include "chain.h"
#include "mem.h"
#include "vq.h"
#include "vq_private.h" /* the back-end embeds its queues by value */
#include "vrtc_frontend.h"
#include "vrtc_wire.h"

#define EXIT_SKIP 77

#define F(bit) (UINT64_C(1) << (bit))
#define BE_FEATURES                                                                                \
	(F(VRTC_VIRTIO_F_VERSION_1) | F(VRTC_VIRTIO_RING_F_INDIRECT_DESC) |                        \
	 F(VRTC_VIRTIO_RING_F_EVENT_IDX) | F(VRTC_VHOST_USER_F_PROTOCOL_FEATURES))

#define BE_MAX_QUEUES 2
#define BE_BURST 64
#define REQ_BYTES 16
#define RESP_MAX 32
#define FE_BURST 32
/* No progress for this long is a failure. Generous: the machine may be
 * busy with other work, and the poller shares its core. */
#define STALL_NS (20ull * 1000 * 1000 * 1000)

static int failures;
static uint64_t mem_events; /* EAL memory events seen (dynamic memory only) */

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                               \
		fprintf(stderr, __VA_ARGS__);                                                      \
		fputc('\n', stderr);                                                               \
		failures++;                                                                        \
	} while (0)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			FAIL("check failed: %s", #cond);                                           \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned int
count_fds(void)
{
	unsigned int n = 0;
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* ------------------------------------------------------------------------ */
/* Echo back-end on rte_vhost                                                */
/* ------------------------------------------------------------------------ */

static struct {
	int vid;
	uint16_t nb_queues;
	uint64_t features;
	struct vrtc_mem mem;
	struct vrtc_vq vq[BE_MAX_QUEUES]; /* split or packed, as negotiated */
	int packed;  /* VIRTIO_F_RING_PACKED negotiated on the current device */
	int running; /* atomic: the poller may serve the queues */
	int busy;    /* atomic: the poller is inside a serving pass */
	int quit;    /* atomic */
	uint64_t served, bad_chains, calls, devices, remaps;
	uint64_t ring_broken;
} be = { .vid = -1 };

static uint8_t
pattern(uint64_t seq, uint32_t i)
{
	return (uint8_t)(seq * 7 + i + 1);
}

static uint32_t
echo(const struct vrtc_chain *ch)
{
	uint64_t seq = 0;
	uint32_t off = 0;
	uint16_t s;

	vrtc_chain_read(ch, &seq, sizeof(seq));
	for (s = 0; s < ch->nb_writable; s++) {
		const struct vrtc_seg *seg = vrtc_chain_writable_seg(ch, s);
		uint32_t i;

		for (i = 0; i < seg->len; i++)
			seg->addr[i] = pattern(seq, off + i);
		off += seg->len;
	}
	return off;
}

/* One body per layout, as the library's serve functions do (vq.h). */
static inline __attribute__((always_inline)) void
serve_ring(uint16_t qid, const enum vrtc_vq_layout layout)
{
	struct vrtc_vq *vq = &be.vq[qid];
	uint16_t n = vrtc_vq_avail(vq, layout, BE_BURST), i;

	for (i = 0; i < n; i++) {
		struct vrtc_chain ch;
		int ret = vrtc_vq_pop(vq, layout, &ch);

		if (ret == -EBADMSG) {
			be.bad_chains++;
			continue;
		}
		if (ret != 0)
			break;
		vrtc_vq_push(vq, layout, ch.head, echo(&ch));
		be.served++;
	}
	if (vrtc_vq_flush(vq, layout)) {
		be.calls++;
		rte_vhost_vring_call(be.vid, qid);
	}
}

static void
serve(uint16_t qid)
{
	if (vrtc_vq_layout(&be.vq[qid]) == VRTC_VQ_PACKED)
		serve_ring(qid, VRTC_VQ_PACKED);
	else
		serve_ring(qid, VRTC_VQ_SPLIT);
}

static int
be_poller(void *arg __rte_unused)
{
	while (!__atomic_load_n(&be.quit, __ATOMIC_ACQUIRE)) {
		uint16_t q;

		if (!__atomic_load_n(&be.running, __ATOMIC_SEQ_CST)) {
			/* No device: leave the core to the others (2 cores here). */
			rte_delay_us_sleep(50);
			continue;
		}
		/* Pairs with be_stop(): running = 0 then busy is read. */
		__atomic_store_n(&be.busy, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&be.running, __ATOMIC_SEQ_CST))
			for (q = 0; q < be.nb_queues; q++)
				serve(q);
		__atomic_store_n(&be.busy, 0, __ATOMIC_RELEASE);
	}
	return 0;
}

static void
be_stop(void)
{
	__atomic_store_n(&be.running, 0, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&be.busy, __ATOMIC_SEQ_CST))
		rte_pause();
}

/* Take the memory table and the rings from rte_vhost; resume at the given
 * indexes (0 for a new device). */
static int
be_setup(int vid, const uint16_t *last_avail, const uint16_t *used)
{
	struct rte_vhost_memory *m = NULL;
	struct vrtc_mem_region regions[VRTC_MEM_MAX_REGIONS];
	uint16_t q;
	uint32_t i;

	if (rte_vhost_get_mem_table(vid, &m) != 0)
		return -1;
	for (i = 0; i < m->nregions && i < VRTC_MEM_MAX_REGIONS; i++) {
		regions[i].gpa = m->regions[i].guest_phys_addr;
		regions[i].size = m->regions[i].size;
		regions[i].hva = m->regions[i].host_user_addr;
	}
	if (vrtc_mem_init(&be.mem, regions, i) != 0) {
		free(m);
		return -1;
	}
	free(m);
	for (q = 0; q < be.nb_queues; q++) {
		struct rte_vhost_vring vr;
		struct vrtc_vq_config cfg;
		char name[16];

		if (rte_vhost_get_vhost_vring(vid, q, &vr) != 0)
			return -1;
		snprintf(name, sizeof(name), be.packed ? "be.pq%u" : "be.q%u", q);
		memset(&cfg, 0, sizeof(cfg));
		cfg.name = name;
		cfg.size = vr.size;
		cfg.features = be.features;
		cfg.mem = &be.mem;
		/* rte_vhost gives packed positions with the wrap counters in
		 * bit 15, as the packed engine takes them. */
		if (be.packed) {
			cfg.layout = VRTC_VQ_PACKED;
			cfg.desc = vr.desc_packed;
			cfg.driver = vr.driver_event;
			cfg.device = vr.device_event;
		} else {
			cfg.desc = vr.desc;
			cfg.avail = vr.avail;
			cfg.used = vr.used;
		}
		cfg.avail_off_wrap = last_avail[q];
		cfg.used_off_wrap = used[q];
		vrtc_vq_fini(&be.vq[q]);
		if (vrtc_vq_init(&be.vq[q], &cfg) != 0)
			return -1;
		/* A polling back-end: no kicks wanted. */
		vrtc_vq_kicks_disable(&be.vq[q], vrtc_vq_layout(&be.vq[q]));
	}
	return 0;
}

static enum rte_vhost_msg_result
be_pre_msg(int vid, void *msg)
{
	uint32_t req;

	memcpy(&req, msg, sizeof(req));
	/* The memory table is about to be unmapped: stop touching it. */
	if (req == 5 /* SET_MEM_TABLE */ && vid == be.vid)
		be_stop();
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static enum rte_vhost_msg_result
be_post_msg(int vid, void *msg)
{
	uint16_t last[BE_MAX_QUEUES], used[BE_MAX_QUEUES], q;
	uint32_t req;

	memcpy(&req, msg, sizeof(req));
	if (req != 5 || vid != be.vid)
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	/* New mapping, new ring addresses; same indexes. */
	for (q = 0; q < be.nb_queues; q++) {
		last[q] = vrtc_vq_avail_base(&be.vq[q]);
		used[q] = vrtc_vq_used_base(&be.vq[q]);
	}
	if (be_setup(vid, last, used) != 0) {
		fprintf(stderr, "back-end: remap after SET_MEM_TABLE failed\n");
		return RTE_VHOST_MSG_RESULT_ERR;
	}
	be.remaps++;
	__atomic_store_n(&be.running, 1, __ATOMIC_SEQ_CST);
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static const struct rte_vhost_user_extern_ops be_extern_ops = {
	.pre_msg_handle = be_pre_msg,
	.post_msg_handle = be_post_msg,
};

static int
be_new_connection(int vid)
{
	return rte_vhost_extern_callback_register(vid, &be_extern_ops, NULL);
}

static int
be_new_device(int vid)
{
	uint16_t last[BE_MAX_QUEUES] = { 0 }, used[BE_MAX_QUEUES] = { 0 }, q, fresh;

	if (rte_vhost_get_negotiated_features(vid, &be.features) != 0)
		return -1;
	be.packed = (be.features & F(VRTC_VIRTIO_F_RING_PACKED)) != 0;
	/* A fresh packed ring: offset 0, wrap counter 1. */
	fresh = be.packed ? 0x8000 : 0;
	be.nb_queues = RTE_MIN(rte_vhost_get_vring_num(vid), (uint16_t)BE_MAX_QUEUES);
	for (q = 0; q < be.nb_queues; q++)
		if (rte_vhost_get_vring_base(vid, q, &last[q], &used[q]) != 0)
			return -1;
	for (q = 0; q < be.nb_queues; q++)
		if (last[q] != fresh || used[q] != fresh)
			fprintf(stderr, "back-end: new device resumes at 0x%x/0x%x\n", last[q],
				used[q]);
	if (be_setup(vid, last, used) != 0) {
		fprintf(stderr, "back-end: cannot set up device %d\n", vid);
		return -1;
	}
	be.vid = vid;
	be.devices++;
	__atomic_store_n(&be.running, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void
be_destroy_device(int vid)
{
	uint16_t q;

	if (vid != be.vid)
		return;
	be_stop();
	for (q = 0; q < be.nb_queues; q++) {
		if (vrtc_vq_broken(&be.vq[q]) != VRTC_VQ_OK)
			be.ring_broken++;
		rte_vhost_set_vring_base(vid, q, vrtc_vq_avail_base(&be.vq[q]),
					 vrtc_vq_used_base(&be.vq[q]));
		vrtc_vq_fini(&be.vq[q]);
	}
	be.vid = -1;
}

static const struct rte_vhost_device_ops be_ops = {
	.new_device = be_new_device,
	.destroy_device = be_destroy_device,
	.new_connection = be_new_connection,
};

/* Register a back-end socket. @p protocol: protocol features, or -1 for
 * rte_vhost's default; @p features: virtio features offered. */
static int
be_register(const char *path, uint64_t features, int64_t protocol)
{
	unlink(path);
	if (rte_vhost_driver_register(path, 0) != 0)
		return -1;
	if (rte_vhost_driver_set_features(path, features) != 0 ||
	    (protocol >= 0 &&
	     rte_vhost_driver_set_protocol_features(path, (uint64_t)protocol) != 0) ||
	    rte_vhost_driver_callback_register(path, &be_ops) != 0 ||
	    rte_vhost_driver_start(path) != 0) {
		rte_vhost_driver_unregister(path);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Front-end traffic                                                         */
/* ------------------------------------------------------------------------ */

struct slot {
	uint64_t seq;
	uint8_t *req;
	uint8_t *resp;
	uint32_t resp_len;
	uint32_t busy;
};

struct pool {
	struct slot *slots;
	uint32_t nb;
	uint32_t *free; /* stack of free slot indexes */
	uint32_t nb_free;
	uint8_t *mem; /* request and response buffers */
	int owns_mem;
};

static int
pool_init(struct pool *p, uint32_t nb, uint8_t *mem)
{
	uint32_t i;

	memset(p, 0, sizeof(*p));
	p->slots = calloc(nb, sizeof(*p->slots));
	p->free = calloc(nb, sizeof(*p->free));
	if (mem == NULL) {
		mem = rte_zmalloc("fe_loopback_bufs", (size_t)nb * (REQ_BYTES + RESP_MAX), 64);
		p->owns_mem = 1;
	}
	if (p->slots == NULL || p->free == NULL || mem == NULL)
		return -1;
	p->mem = mem;
	p->nb = nb;
	for (i = 0; i < nb; i++) {
		p->slots[i].req = mem + (size_t)i * (REQ_BYTES + RESP_MAX);
		p->slots[i].resp = p->slots[i].req + REQ_BYTES;
		p->free[i] = nb - 1 - i;
	}
	p->nb_free = nb;
	return 0;
}

static void
pool_fini(struct pool *p)
{
	if (p->owns_mem)
		rte_free(p->mem);
	free(p->slots);
	free(p->free);
}

/* Forget everything in flight (after a disconnect). */
static void
pool_reset(struct pool *p)
{
	uint32_t i;

	p->nb_free = 0;
	for (i = 0; i < p->nb; i++) {
		p->slots[i].busy = 0;
		p->free[p->nb_free++] = p->nb - 1 - i;
	}
}

/* Check one completion against its request. */
static int
check_done(struct pool *p, const struct vrtc_fe_done *d, int writable_only)
{
	struct slot *s = d->cookie;
	uint32_t i;

	CHECK(s >= p->slots && s < p->slots + p->nb);
	CHECK(s->busy);
	if (d->len != s->resp_len) {
		FAIL("seq %" PRIu64 ": used length %u, expected %u", s->seq, d->len, s->resp_len);
		return -1;
	}
	for (i = 0; i < s->resp_len; i++) {
		uint8_t want = pattern(writable_only ? 0 : s->seq, i);

		if (s->resp[i] != want) {
			FAIL("seq %" PRIu64 ": response byte %u is 0x%02x, expected 0x%02x", s->seq,
			     i, s->resp[i], want);
			return -1;
		}
	}
	if (s->resp_len < RESP_MAX && s->resp[s->resp_len] != 0) {
		FAIL("seq %" PRIu64 ": byte past the response written", s->seq);
		return -1;
	}
	s->busy = 0;
	p->free[p->nb_free++] = (uint32_t)(s - p->slots);
	return 0;
}

/*
 * Post @p total requests on @p qid and check every completion. With
 * @p leave_inflight, stop once everything was posted and leave up to that
 * many requests in flight.
 */
static int
traffic(struct vrtc_fe *fe, uint16_t qid, struct pool *p, uint64_t total, int writable_only,
	uint16_t leave_inflight, const char *label)
{
	static uint64_t next_seq = 1;
	struct vrtc_fe_req reqs[FE_BURST];
	struct vrtc_fe_done done[FE_BURST * 2];
	uint64_t posted = 0, completed = 0, start = now_ns(), last_progress = start;
	double secs;

	/* Until all is posted and nothing is left in flight (requests left
	 * by an earlier call included), or with @p leave_inflight until all
	 * is posted and at most that many are left. */
	while (posted < total || vrtc_fe_inflight(fe, qid) > 0) {
		uint16_t nb = 0, sent, got, i;

		while (nb < FE_BURST && p->nb_free > 0 && posted + nb < total) {
			struct slot *s = &p->slots[p->free[--p->nb_free]];

			s->seq = next_seq++;
			s->resp_len = 8 + (uint32_t)(s->seq % (RESP_MAX - 8 + 1));
			s->busy = 1;
			memcpy(s->req, &s->seq, sizeof(s->seq));
			memset(s->resp, 0, RESP_MAX);
			reqs[nb].out = writable_only ? NULL : s->req;
			reqs[nb].out_len = writable_only ? 0 : REQ_BYTES;
			reqs[nb].in = s->resp;
			reqs[nb].in_len = s->resp_len;
			reqs[nb].cookie = s;
			nb++;
		}
		sent = nb > 0 ? vrtc_fe_enqueue(fe, qid, reqs, nb) : 0;
		/* Give back what did not fit (the ring was full). */
		for (i = nb; i > sent; i--) {
			struct slot *s = reqs[i - 1].cookie;

			s->busy = 0;
			p->free[p->nb_free++] = (uint32_t)(s - p->slots);
		}
		posted += sent;
		if (leave_inflight != 0 && posted == total &&
		    vrtc_fe_inflight(fe, qid) <= leave_inflight)
			break;
		got = vrtc_fe_dequeue(fe, qid, done, RTE_DIM(done));
		for (i = 0; i < got; i++)
			if (check_done(p, &done[i], writable_only) != 0)
				return -1;
		completed += got;
		if (vrtc_fe_queue_broken(fe, qid)) {
			FAIL("%s: queue %u broken", label, qid);
			return -1;
		}
		if (got > 0 || sent > 0) {
			last_progress = now_ns();
		} else if (now_ns() - last_progress > STALL_NS) {
			FAIL("%s: no progress for 20 s (posted %" PRIu64 ", completed %" PRIu64
			     ", in flight %u; in-process back-end: vid %d running %d served %" PRIu64
			     " remaps %" PRIu64 ")",
			     label, posted, completed, vrtc_fe_inflight(fe, qid), be.vid,
			     __atomic_load_n(&be.running, __ATOMIC_RELAXED), be.served, be.remaps);
			return -1;
		}
	}
	secs = (double)(now_ns() - start) / 1e9;
	if (leave_inflight == 0)
		printf("  %-34s %9" PRIu64 " requests  %6.2f Mreq/s\n", label, completed,
		       (double)completed / secs / 1e6);
	return 0;
}

static int
make_fe_ring(const char *name, const char *path, enum vrtc_device_type type, uint16_t qsize,
	     uint16_t nb_queues, int indirect, int no_event_idx, int packed, struct vrtc_fe **fe)
{
	struct vrtc_fe_params prm;
	int ret;

	vrtc_fe_params_init(&prm, type);
	prm.name = name;
	prm.path = path;
	prm.queue_size = qsize;
	prm.nb_queues = nb_queues;
	prm.indirect = indirect;
	prm.no_event_idx = no_event_idx;
	prm.packed = (uint8_t)packed;
	/* The back-end process may take a while to start on a busy machine. */
	prm.connect_timeout_ms = 20000;
	ret = vrtc_fe_create(&prm, fe);
	if (ret != 0)
		FAIL("vrtc_fe_create(%s on %s): %s", name, path, strerror(-ret));
	return ret;
}

static int
make_fe(const char *name, const char *path, enum vrtc_device_type type, uint16_t qsize,
	uint16_t nb_queues, int indirect, int no_event_idx, struct vrtc_fe **fe)
{
	return make_fe_ring(name, path, type, qsize, nb_queues, indirect, no_event_idx, 0, fe);
}

/* Wait until the back-end has let go of the previous device. */
static int
wait_be_idle(void)
{
	uint64_t start = now_ns();

	while (__atomic_load_n(&be.running, __ATOMIC_SEQ_CST) || be.vid != -1) {
		if (now_ns() - start > STALL_NS) {
			FAIL("back-end still holds device %d", be.vid);
			return -1;
		}
		rte_delay_us_sleep(1000);
	}
	return 0;
}

struct variant {
	const char *label;
	const char *path;
	enum vrtc_device_type type;
	uint16_t qsize;
	uint16_t nb_queues;
	int indirect;
	int no_event_idx;
	uint64_t expect_features; /* must be negotiated */
	uint64_t expect_absent;	  /* must not be */
	uint64_t requests;
	int packed; /* ask for packed rings */
};

static int
run_variant(const struct variant *v, struct pool *p)
{
	struct vrtc_fe *fe;
	uint64_t features;
	uint16_t q;
	int ret = 0;

	if (wait_be_idle() != 0 ||
	    make_fe_ring("fe_variant", v->path, v->type, v->qsize, v->nb_queues, v->indirect,
			 v->no_event_idx, v->packed, &fe) != 0)
		return -1;
	features = vrtc_fe_features(fe);
	if ((features & v->expect_features) != v->expect_features ||
	    (features & v->expect_absent) != 0) {
		FAIL("%s: negotiated 0x%" PRIx64 ", wanted 0x%" PRIx64 " without 0x%" PRIx64,
		     v->label, features, v->expect_features, v->expect_absent);
		ret = -1;
	}
	if (vrtc_fe_nb_queues(fe) != v->nb_queues) {
		FAIL("%s: %u queues", v->label, vrtc_fe_nb_queues(fe));
		ret = -1;
	}
	for (q = 0; q < v->nb_queues && ret == 0; q++) {
		char label[64];

		snprintf(label, sizeof(label), "%s q%u", v->label, q);
		pool_reset(p);
		ret = traffic(fe, q, p, v->requests, v->type == VRTC_DEVICE_RNG, 0, label);
	}
	if (vrtc_fe_destroy(fe) != 0) {
		FAIL("%s: destroy", v->label);
		ret = -1;
	}
	return ret;
}

/* packed=1 against a back-end that does not offer VIRTIO_F_RING_PACKED:
 * creation fails with -ENOTSUP, and nothing is left registered. */
static int
packed_not_offered(const char *path)
{
	struct vrtc_fe_params prm;
	struct vrtc_fe *fe = NULL;
	int ret;

	if (wait_be_idle() != 0)
		return -1;
	vrtc_fe_params_init(&prm, VRTC_DEVICE_RTC);
	prm.name = "fe_packed_refused";
	prm.path = path;
	prm.packed = 1;
	prm.connect_timeout_ms = 20000;
	ret = vrtc_fe_create(&prm, &fe);
	if (ret != -ENOTSUP || fe != NULL || vrtc_fe_lookup("fe_packed_refused") != NULL) {
		FAIL("packed=1 on a split-only back-end: %d (%s), front-end %p", ret,
		     strerror(-ret), (void *)fe);
		if (fe != NULL)
			vrtc_fe_destroy(fe);
		return -1;
	}
	printf("  refused: %s\n", strerror(-ret));
	return 0;
}

/* Disconnect with requests in flight, reconnect, traffic; five times. */
static int
reconnects(const char *path, struct pool *p, uint64_t requests, int packed)
{
	struct vrtc_fe *fe;
	uint64_t devices = be.devices;
	int i;

	if (wait_be_idle() != 0 ||
	    make_fe_ring("fe_reconnect", path, VRTC_DEVICE_RTC, 256, 1, 1, 0, packed, &fe) != 0)
		return -1;
	for (i = 0; i < 5; i++) {
		char label[64];

		snprintf(label, sizeof(label), "reconnect %d", i);
		pool_reset(p);
		if (traffic(fe, 0, p, requests, 0, 0, label) != 0)
			goto fail;
		/* Leave some in flight and abandon them: with the back-end
		 * paused, 64 requests stay available and unanswered. */
		be_stop();
		if (traffic(fe, 0, p, 64, 0, 64, label) != 0 || vrtc_fe_inflight(fe, 0) != 64) {
			FAIL("reconnect %d: %u in flight before the disconnect", i,
			     vrtc_fe_inflight(fe, 0));
			goto fail;
		}
		if (vrtc_fe_disconnect(fe) != 0 || vrtc_fe_features(fe) != 0 ||
		    vrtc_fe_inflight(fe, 0) != 0 || vrtc_fe_enqueue(fe, 0, NULL, 0) != 0) {
			FAIL("disconnect %d", i);
			goto fail;
		}
		if (wait_be_idle() != 0)
			goto fail;
		/* Disconnected: bursts do nothing. */
		{
			struct vrtc_fe_req r = { p->slots[0].req, REQ_BYTES, p->slots[0].resp, 8,
						 NULL };
			struct vrtc_fe_done d;

			if (vrtc_fe_enqueue(fe, 0, &r, 1) != 0 ||
			    vrtc_fe_dequeue(fe, 0, &d, 1) != 0) {
				FAIL("burst while disconnected");
				goto fail;
			}
		}
		if (vrtc_fe_connect(fe) != 0 || vrtc_fe_inflight(fe, 0) != 0) {
			FAIL("reconnect %d", i);
			goto fail;
		}
		if (vrtc_fe_connect(fe) != -EISCONN) {
			FAIL("connect while connected");
			goto fail;
		}
	}
	pool_reset(p);
	if (traffic(fe, 0, p, requests, 0, 0, "after 5 reconnects") != 0)
		goto fail;
	vrtc_fe_destroy(fe);
	if (be.devices - devices != 6) {
		FAIL("back-end saw %" PRIu64 " devices, expected 6", be.devices - devices);
		return -1;
	}
	return 0;
fail:
	vrtc_fe_destroy(fe);
	return -1;
}

/*
 * EAL memory grows while connected: the front-end must send the new table
 * so that buffers in the new memory work. A back-end in another process
 * (@p in_process 0) has mapped the new memory when the allocation returns;
 * one in this process gets the table asynchronously (it cannot answer
 * while EAL holds the heap lock), so the test waits for it to remap.
 */
static int
hotplug(const char *path, uint64_t requests, int in_process, const char *label)
{
	const size_t big_bytes = 48u << 20;
	struct vrtc_fe *fe;
	struct pool p0, p1;
	uint64_t remaps = be.remaps, events, t0;
	char what[64];
	uint8_t *big;
	int ret = -1;

	memset(&p1, 0, sizeof(p1));
	if ((in_process && wait_be_idle() != 0) ||
	    make_fe("fe_hotplug", path, VRTC_DEVICE_RTC, 256, 1, 0, 0, &fe) != 0)
		return -1;
	if (pool_init(&p0, 256, NULL) != 0)
		goto out;
	/* Requests in flight while the memory table changes. */
	snprintf(what, sizeof(what), "%s: before", label);
	if (traffic(fe, 0, &p0, requests, 0, 0, what) != 0 ||
	    traffic(fe, 0, &p0, 1000, 0, 128, what) != 0)
		goto out0;
	events = __atomic_load_n(&mem_events, __ATOMIC_RELAXED);
	big = rte_malloc("fe_loopback_big", big_bytes, 4096);
	if (big == NULL) {
		printf("  %s: cannot allocate %zu MiB of EAL memory: skipped\n", label,
		       big_bytes >> 20);
		ret = 0;
		goto out0;
	}
	if (__atomic_load_n(&mem_events, __ATOMIC_RELAXED) == events) {
		/* Preallocated (-m): the new buffers were shared already. */
		printf("  %s: the heap did not grow, no memory table update needed\n", label);
		in_process = 0;
	}
	for (t0 = now_ns(); in_process && be.remaps == remaps;) {
		if (now_ns() - t0 > STALL_NS) {
			FAIL("%s: memory grew by %zu MiB but no new memory table reached the "
			     "back-end",
			     label, big_bytes >> 20);
			goto out1;
		}
		rte_delay_us_sleep(1000);
	}
	/* Finish the requests posted before the change ... */
	snprintf(what, sizeof(what), "%s: old buffers", label);
	if (traffic(fe, 0, &p0, 5000, 0, 0, what) != 0)
		goto out1;
	/* ... and use buffers at the far end of the new memory at once. */
	snprintf(what, sizeof(what), "%s: new buffers", label);
	if (pool_init(&p1, 256, big + big_bytes - 256 * (REQ_BYTES + RESP_MAX)) != 0 ||
	    traffic(fe, 0, &p1, requests, 0, 0, what) != 0)
		goto out1;
	ret = 0;
out1:
	rte_free(big);
	pool_fini(&p1);
	/* Memory shrank: the table is sent again; traffic goes on. */
	if (ret == 0) {
		snprintf(what, sizeof(what), "%s: after free", label);
		pool_reset(&p0);
		ret = traffic(fe, 0, &p0, requests, 0, 0, what);
	}
out0:
	pool_fini(&p0);
out:
	vrtc_fe_destroy(fe);
	if (ret == 0 && be.remaps != remaps)
		printf("  %s: %" PRIu64 " memory table update(s) handled by the back-end\n", label,
		       be.remaps - remaps);
	return ret;
}

#ifdef VRTC_HAVE_VDEV_DRIVERS
/* The vdev drivers: probe from a devargs string, find, use, remove. */
static int
vdevs(const char *path, const char *packed_path, struct pool *p)
{
	char args[256];
	struct vrtc_fe *fe;
	int ret;
	static const struct {
		const char *dev;
		int with_path; /* start with path=<the back-end's socket> */
		const char *rest;
	} bad[] = {
		{ "rtc_virtio_user9", 0, "" },			    /* no path */
		{ "rtc_virtio_user9", 1, ",bogus=1" },		    /* unknown key */
		{ "rtc_virtio_user9", 1, ",queue_size=100" },	    /* not a power of two */
		{ "rtc_virtio_user9", 1, ",queue_size=65536" },	    /* too big */
		{ "rtc_virtio_user9", 1, ",queues=3" },		    /* rtc: 1 or 2 */
		{ "rng_virtio_user9", 1, ",queues=1" },		    /* rng: no such key */
		{ "rtc_virtio_user9", 1, ",indirect=2" },	    /* 0 or 1 */
		{ "rtc_virtio_user9", 1, ",event_idx=yes" },	    /* 0 or 1 */
		{ "rtc_virtio_user9", 1, ",connect_timeout_ms=0" }, /* >= 1 */
		{ "rtc_virtio_user9", 1, ",path=/tmp/x" },	    /* twice */
		{ "rtc_virtio_user9", 1, ",queue_size" },	    /* no value */
		{ "rtc_virtio_user9", 1, ",packed=2" },		    /* 0 or 1 */
		{ "rng_virtio_user9", 1, ",packed=1" },		    /* not offered on path */
		{ "rtc_virtio_user9", 0, "path=/nonexistent/sock,connect_timeout_ms=50" },
	};
	size_t i;

	if (wait_be_idle() != 0)
		return -1;
	for (i = 0; i < RTE_DIM(bad); i++) {
		snprintf(args, sizeof(args), "%s%s%s", bad[i].with_path ? "path=" : "",
			 bad[i].with_path ? path : "", bad[i].rest);
		if (rte_vdev_init(bad[i].dev, args) == 0) {
			FAIL("vdev %s,%s probed", bad[i].dev, args);
			rte_vdev_uninit(bad[i].dev);
			return -1;
		}
		if (vrtc_fe_lookup(bad[i].dev) != NULL) {
			FAIL("vdev %s,%s left a front-end behind", bad[i].dev, args);
			return -1;
		}
	}

	snprintf(args, sizeof(args),
		 "path=%s,queue_size=128,indirect=1,event_idx=0,connect_timeout_ms=2000", path);
	ret = rte_vdev_init("rtc_virtio_user0", args);
	CHECK(ret == 0);
	fe = vrtc_fe_lookup("rtc_virtio_user0");
	CHECK(fe != NULL);
	CHECK(vrtc_feature_has(vrtc_fe_features(fe), VRTC_VIRTIO_RING_F_INDIRECT_DESC));
	CHECK(!vrtc_feature_has(vrtc_fe_features(fe), VRTC_VIRTIO_RING_F_EVENT_IDX));
	pool_reset(p);
	ret = traffic(fe, 0, p, 50000, 0, 0, "vdev rtc_virtio_user0");
	CHECK(rte_vdev_uninit("rtc_virtio_user0") == 0);
	CHECK(vrtc_fe_lookup("rtc_virtio_user0") == NULL);
	if (ret != 0)
		return -1;

	if (wait_be_idle() != 0)
		return -1;
	snprintf(args, sizeof(args), "path=%s", path);
	CHECK(rte_vdev_init("rng_virtio_user0", args) == 0);
	fe = vrtc_fe_lookup("rng_virtio_user0");
	CHECK(fe != NULL && vrtc_fe_nb_queues(fe) == 1);
	pool_reset(p);
	ret = traffic(fe, 0, p, 50000, 1, 0, "vdev rng_virtio_user0");
	CHECK(rte_vdev_uninit("rng_virtio_user0") == 0);
	if (ret != 0)
		return -1;

	if (wait_be_idle() != 0)
		return -1;
	snprintf(args, sizeof(args), "path=%s,packed=1,indirect=1", packed_path);
	CHECK(rte_vdev_init("rng_virtio_user1", args) == 0);
	fe = vrtc_fe_lookup("rng_virtio_user1");
	CHECK(fe != NULL && vrtc_feature_has(vrtc_fe_features(fe), VRTC_VIRTIO_F_RING_PACKED));
	pool_reset(p);
	ret = traffic(fe, 0, p, 50000, 1, 0, "vdev rng_virtio_user1 packed");
	CHECK(rte_vdev_uninit("rng_virtio_user1") == 0);
	return ret;
}
#endif /* VRTC_HAVE_VDEV_DRIVERS */

/* ------------------------------------------------------------------------ */
/* Scripted hostile back-ends (raw sockets, no rte_vhost)                    */
/* ------------------------------------------------------------------------ */

enum fake_mode {
	FAKE_SILENT,	/* reads everything, answers nothing */
	FAKE_BAD_FLAGS, /* GET_FEATURES reply without the reply bit */
	FAKE_BAD_SIZE,	/* GET_FEATURES reply of 4 bytes */
	FAKE_HUGE_SIZE, /* GET_FEATURES reply announcing 4 GiB */
	FAKE_WRONG_REQ, /* GET_FEATURES answered as SET_FEATURES */
	FAKE_NO_V1,	/* offers no VIRTIO_F_VERSION_1 */
	FAKE_CLOSE,	/* closes after the first message */
	FAKE_SEND_FD,	/* attaches a descriptor to the GET_FEATURES reply */
	FAKE_NACK,	/* REPLY_ACK, and refuses SET_FEATURES */
	FAKE_STALL_ACK, /* REPLY_ACK, and never acks SET_MEM_TABLE */
};

struct fake_be {
	char path[108];
	enum fake_mode mode;
	int lfd;
	pthread_t thread;
	int messages;
};

static int
fake_reply(int fd, uint32_t req, uint32_t flags, const void *payload, uint32_t size,
	   uint32_t announced, int with_fd)
{
	uint32_t hdr[3] = { req, flags, announced };
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { (void *)(uintptr_t)payload, size } };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size > 0 ? 2 : 1 };
	int efd = -1;
	ssize_t n;

	if (with_fd) {
		struct cmsghdr *cm;

		efd = eventfd(0, EFD_CLOEXEC);
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &efd, sizeof(int));
	}
	n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	if (efd >= 0)
		close(efd);
	return n < 0 ? -1 : 0;
}

/* Read one message (closing any descriptors). @return 0, or -1 at EOF. */
static int
fake_read(int fd, uint32_t *req, uint32_t *flags, uint8_t *payload, size_t max)
{
	uint32_t hdr[3];
	size_t got = 0;

	while (got < sizeof(hdr)) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * 8)];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { (uint8_t *)hdr + got, sizeof(hdr) - got };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = ctl.buf,
				     .msg_controllen = sizeof(ctl.buf) };
		struct cmsghdr *cm;
		ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);

		if (n <= 0)
			return -1;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
			size_t k, nb = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (k = 0; k < nb; k++) {
				int f;

				memcpy(&f, CMSG_DATA(cm) + k * sizeof(int), sizeof(f));
				close(f);
			}
		}
		got += (size_t)n;
	}
	if (hdr[2] > max)
		return -1;
	for (got = 0; got < hdr[2];) {
		ssize_t n = read(fd, payload + got, hdr[2] - got);

		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	*req = hdr[0];
	*flags = hdr[1];
	return 0;
}

static void *
fake_thread(void *arg)
{
	struct fake_be *fb = arg;
	struct pollfd pfd = { .fd = fb->lfd, .events = POLLIN };
	uint8_t payload[512];
	uint32_t req, flags;
	int fd;

	if (poll(&pfd, 1, 5000) != 1)
		return NULL;
	fd = accept4(fb->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return NULL;
	while (fake_read(fd, &req, &flags, payload, sizeof(payload)) == 0) {
		uint64_t v = 0;
		int need_ack = (flags & 0x8) != 0;

		fb->messages++;
		if (fb->mode == FAKE_SILENT)
			continue;
		if (fb->mode == FAKE_CLOSE)
			break;
		if (req == 1 /* GET_FEATURES */) {
			v = F(VRTC_VIRTIO_F_VERSION_1) | F(VRTC_VHOST_USER_F_PROTOCOL_FEATURES);
			if (fb->mode == FAKE_NO_V1)
				v = F(VRTC_VIRTIO_RING_F_EVENT_IDX);
			switch (fb->mode) {
			case FAKE_BAD_FLAGS:
				fake_reply(fd, req, 0x1, &v, 8, 8, 0);
				break;
			case FAKE_BAD_SIZE:
				fake_reply(fd, req, 0x5, &v, 4, 4, 0);
				break;
			case FAKE_HUGE_SIZE:
				fake_reply(fd, req, 0x5, NULL, 0, 0xffffffffu, 0);
				break;
			case FAKE_WRONG_REQ:
				fake_reply(fd, 2, 0x5, &v, 8, 8, 0);
				break;
			default:
				fake_reply(fd, req, 0x5, &v, 8, 8, fb->mode == FAKE_SEND_FD);
				break;
			}
		} else if (req == 15 /* GET_PROTOCOL_FEATURES */) {
			v = F(3) /* REPLY_ACK */ | F(0) /* MQ: must not be accepted */;
			fake_reply(fd, req, 0x5, &v, 8, 8, 0);
		} else if (req == 16 /* SET_PROTOCOL_FEATURES */) {
			uint64_t pf;

			memcpy(&pf, payload, sizeof(pf));
			if (pf != F(3))
				fprintf(stderr,
					"fake back-end: protocol features 0x%" PRIx64 " accepted\n",
					pf);
		} else if (need_ack) {
			if (fb->mode == FAKE_STALL_ACK && req == 5)
				continue;
			v = fb->mode == FAKE_NACK && req == 2 /* SET_FEATURES */;
			fake_reply(fd, req, 0x5, &v, 8, 8, 0);
		}
	}
	close(fd);
	return NULL;
}

static int
fake_start(struct fake_be *fb, const char *path, enum fake_mode mode)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	memset(fb, 0, sizeof(*fb));
	snprintf(fb->path, sizeof(fb->path), "%s", path);
	fb->mode = mode;
	unlink(path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fb->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fb->lfd < 0 || bind(fb->lfd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(fb->lfd, 4) != 0 || pthread_create(&fb->thread, NULL, fake_thread, fb) != 0) {
		if (fb->lfd >= 0)
			close(fb->lfd);
		return -1;
	}
	return 0;
}

static void
fake_stop(struct fake_be *fb)
{
	pthread_join(fb->thread, NULL);
	close(fb->lfd);
	unlink(fb->path);
}

/* ------------------------------------------------------------------------ */
/* Alarms from a back-end that sends no notification                          */
/* ------------------------------------------------------------------------ */

/*
 * The echo back-end offering VIRTIO_RTC_F_ALARM completes every alarmq
 * buffer at once with 16 bytes of its pattern (msg_type 0x0201): never a
 * NOTIF_ALARM. The front-end must count each as unknown, return none,
 * post every buffer again, and keep the alarmq to itself.
 */
static int
alarm_untrusted(const char *path, int packed)
{
	struct vrtc_fe_alarm_stats st;
	struct vrtc_fe_params p;
	struct vrtc_fe_alarm a[8];
	struct vrtc_fe_done d;
	struct vrtc_fe *fe = NULL;
	uint8_t *buf = rte_zmalloc(NULL, 64, 64);
	struct vrtc_fe_req r = { .in = buf, .in_len = 16, .cookie = buf };
	uint64_t deadline = now_ns() + 5ull * 1000 * 1000 * 1000, got = 0;
	int rc, ok;

	vrtc_fe_params_init(&p, VRTC_DEVICE_RTC);
	p.name = "fe_alarm";
	p.path = path;
	p.queue_size = 64;
	p.nb_queues = 2;
	p.alarm = 1;
	p.alarm_buffers = 4;
	p.packed = (uint8_t)packed;
	rc = buf != NULL ? vrtc_fe_create(&p, &fe) : -ENOMEM;
	if (rc != 0) {
		FAIL("alarm front-end: %s", strerror(-rc));
		rte_free(buf);
		return -1;
	}
	do {
		got += vrtc_fe_alarm_poll(fe, a, RTE_DIM(a));
		vrtc_fe_alarm_stats_get(fe, &st);
	} while (st.unknown < 1000 && now_ns() < deadline);
	ok = vrtc_feature_has(vrtc_fe_features(fe), VRTC_VIRTIO_RTC_F_ALARM) && got == 0 &&
	     st.unknown >= 1000 && st.notifications == 0 && st.short_bufs == 0 &&
	     st.reposted == st.unknown && st.repost_failed == 0 && st.posted == 4 &&
	     !vrtc_fe_queue_broken(fe, VRTC_RTC_ALARMQ) &&
	     vrtc_feature_has(vrtc_fe_features(fe), VRTC_VIRTIO_F_RING_PACKED) == packed;
	if (!ok)
		FAIL("alarm front-end: %" PRIu64 " returned, unknown %" PRIu64
		     " notifications %" PRIu64 " short %" PRIu64 " reposted %" PRIu64 " posted %u",
		     got, st.unknown, st.notifications, st.short_bufs, st.reposted, st.posted);
	if (vrtc_fe_enqueue(fe, VRTC_RTC_ALARMQ, &r, 1) != 0 ||
	    vrtc_fe_dequeue(fe, VRTC_RTC_ALARMQ, &d, 1) != 0) {
		FAIL("alarm front-end: the alarmq took a caller's enqueue or dequeue");
		ok = 0;
	}
	if (ok)
		printf("  %s: %" PRIu64 " completions that are not a notification counted, none "
		       "returned, 4 buffers kept posted\n", packed ? "packed" : "split", st.unknown);
	vrtc_fe_destroy(fe);
	rte_free(buf);
	return ok ? 0 : -1;
}

static int
hostile(const char *path)
{
	static const struct {
		enum fake_mode mode;
		int expect;
		const char *what;
	} cases[] = {
		{ FAKE_SILENT, -ETIMEDOUT, "silent back-end" },
		{ FAKE_BAD_FLAGS, -EPROTO, "reply without the reply flag" },
		{ FAKE_BAD_SIZE, -EPROTO, "reply of the wrong size" },
		{ FAKE_HUGE_SIZE, -EPROTO, "reply announcing 4 GiB" },
		{ FAKE_WRONG_REQ, -EPROTO, "reply to another request" },
		{ FAKE_NO_V1, -ENOTSUP, "no VIRTIO_F_VERSION_1" },
		{ FAKE_CLOSE, -ECONNRESET, "connection closed" },
		{ FAKE_SEND_FD, -EPROTO, "descriptor attached to a reply" },
		{ FAKE_NACK, -EIO, "REPLY_ACK failure" },
		{ FAKE_STALL_ACK, -ETIMEDOUT, "REPLY_ACK never sent" },
	};
	struct vrtc_fe_params prm;
	struct vrtc_fe *fe;
	unsigned int fds_before = count_fds();
	uint64_t t0;
	size_t i;
	int ret;

	/* Nobody listening: refused after the timeout, not before. */
	vrtc_fe_params_init(&prm, VRTC_DEVICE_RTC);
	prm.name = "fe_hostile";
	prm.path = path;
	prm.connect_timeout_ms = 200;
	unlink(path);
	t0 = now_ns();
	ret = vrtc_fe_create(&prm, &fe);
	if (ret != -ECONNREFUSED || now_ns() - t0 < 190000000ull || now_ns() - t0 > 2000000000ull) {
		FAIL("no listener: %d after %" PRIu64 " ms", ret, (now_ns() - t0) / 1000000);
		return -1;
	}
	printf("  %-34s %s after %" PRIu64 " ms\n", "no listener", strerror(-ret),
	       (now_ns() - t0) / 1000000);

	for (i = 0; i < RTE_DIM(cases); i++) {
		struct fake_be fb;

		if (fake_start(&fb, path, cases[i].mode) != 0) {
			FAIL("cannot start the fake back-end");
			return -1;
		}
		t0 = now_ns();
		ret = vrtc_fe_create(&prm, &fe);
		if (ret == 0)
			vrtc_fe_destroy(fe);
		fake_stop(&fb);
		if (ret != cases[i].expect) {
			FAIL("%s: vrtc_fe_create returned %d (%s), expected %d", cases[i].what, ret,
			     strerror(-ret), cases[i].expect);
			return -1;
		}
		if (now_ns() - t0 > 2000000000ull) {
			FAIL("%s: took %" PRIu64 " ms", cases[i].what, (now_ns() - t0) / 1000000);
			return -1;
		}
		if (vrtc_fe_lookup("fe_hostile") != NULL) {
			FAIL("%s: front-end left registered", cases[i].what);
			return -1;
		}
		printf("  %-34s %s after %" PRIu64 " ms (%d messages)\n", cases[i].what,
		       strerror(-ret), (now_ns() - t0) / 1000000, fb.messages);
	}
	if (count_fds() != fds_before) {
		FAIL("file descriptors leaked: %u before, %u after", fds_before, count_fds());
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The echo back-end as a separate process                                   */
/* ------------------------------------------------------------------------ */

extern char **environ;

/* Remove this process's EAL runtime directory (empty or with EAL's files). */
static void
remove_runtime_dir(const char *dir)
{
	const char *base = strrchr(dir, '/');
	struct dirent *de;
	DIR *d;

	/* Only a directory this test named. */
	if (base == NULL || strncmp(base + 1, "fel", 3) != 0)
		return;
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rmdir(dir);
}

/* Remove hugepage files this process left in /dev/hugepages (custom mode
 * without --in-memory): only those named with its own file prefix. */
static void
remove_hugepage_files(void)
{
	char prefix[32];
	struct dirent *de;
	DIR *d;

	snprintf(prefix, sizeof(prefix), "fel%d", (int)getpid());
	d = opendir("/dev/hugepages");
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 &&
		    (de->d_name[strlen(prefix)] < '0' || de->d_name[strlen(prefix)] > '9'))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

static void
count_mem_events(enum rte_mem_event type __rte_unused, const void *addr __rte_unused,
		 size_t len __rte_unused, void *arg __rte_unused)
{
	__atomic_fetch_add(&mem_events, 1, __ATOMIC_RELAXED);
}

/* Can EAL memory grow and shrink (memory events), or is it legacy memory?
 * When it can, count the events from now on. */
static int
memory_is_dynamic(void)
{
	return rte_mem_event_callback_register("fe_loopback_events", count_mem_events, NULL) == 0;
}

static void
on_sigterm(int sig __rte_unused)
{
	__atomic_store_n(&be.quit, 1, __ATOMIC_RELEASE);
}

/* `fe_loopback backend SOCK`: serve SOCK until SIGTERM. */
static int
backend_main(char *self, const char *sock)
{
	char prefix[64], dir[256];
	char *eal_argv[] = {
		self,
		(char *)(uintptr_t) "-l",
		(char *)(uintptr_t) "1",
		(char *)(uintptr_t) "--no-pci",
		(char *)(uintptr_t) "--no-huge",
		(char *)(uintptr_t) "--no-shconf",
		(char *)(uintptr_t) "-m",
		(char *)(uintptr_t) "128",
		prefix,
		(char *)(uintptr_t) "--log-level=lib.vhost.config:warning",
	};

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGTERM, on_sigterm);
	snprintf(prefix, sizeof(prefix), "--file-prefix=felb%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal_argv), eal_argv) < 0) {
		fprintf(stderr, "back-end process: rte_eal_init failed\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	if (be_register(sock, BE_FEATURES, -1) != 0) {
		fprintf(stderr, "back-end process: cannot register %s\n", sock);
		rte_eal_cleanup();
		remove_runtime_dir(dir);
		return 1;
	}
	be_poller(NULL);
	rte_vhost_driver_unregister(sock);
	unlink(sock);
	printf("  back-end process: %" PRIu64 " device(s), %" PRIu64 " chains served, %" PRIu64
	       " memory table update(s), %" PRIu64 " bad chains\n",
	       be.devices, be.served, be.remaps, be.bad_chains);
	fflush(stdout);
	rte_eal_cleanup();
	remove_runtime_dir(dir);
	return be.bad_chains == 0 && be.ring_broken == 0 ? 0 : 1;
}

static pid_t
spawn_backend(char *self, const char *sock)
{
	char *args[] = { self, (char *)(uintptr_t) "backend", (char *)(uintptr_t)sock, NULL };
	pid_t pid;

	fflush(stdout);
	if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ) != 0)
		return -1;
	return pid;
}

/* SIGTERM, then wait up to 5 s (SIGKILL after). @return the exit status. */
static int
stop_backend(pid_t pid)
{
	uint64_t t0 = now_ns();
	int status = 0;

	kill(pid, SIGTERM);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ns() - t0 > STALL_NS) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		rte_delay_us_sleep(1000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ------------------------------------------------------------------------ */

static int
have_hugepages(void)
{
	char line[128];
	unsigned long free_pages = 0, size_kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		sscanf(line, "HugePages_Free: %lu", &free_pages);
		sscanf(line, "Hugepagesize: %lu kB", &size_kb);
	}
	fclose(f);
	/* 64 MiB for the test plus the hotplug phase's 48 MiB. */
	return size_kb != 0 && free_pages * size_kb >= 128 * 1024 &&
	       access("/dev/hugepages", W_OK) == 0;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "auto";
	uint64_t requests = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	char prefix[64], sock_a[108], sock_b[108], sock_c[108], sock_h[108], sock_x[108];
	char sock_d[108], sock_e[108], sock_p[108];
	char runtime_dir[256];
	char *eal_argv[32];
	int eal_argc = 0, huge, ret;
	unsigned int worker;
	struct pool pool;
	uint64_t small = requests / 10 > 0 ? requests / 10 : 1;

	if (strcmp(mode, "backend") == 0 && argc == 3)
		return backend_main(argv[0], argv[2]);
	/* huge = 1: hugepages, --in-memory --single-file-segments; 0: --no-huge;
	 * -1 (custom): only the memory flags given after [requests]. */
	if (strcmp(mode, "huge") == 0) {
		huge = 1;
	} else if (strcmp(mode, "nohuge") == 0) {
		huge = 0;
	} else if (strcmp(mode, "custom") == 0) {
		huge = -1;
	} else if (strcmp(mode, "auto") == 0) {
		huge = geteuid() == 0 && have_hugepages();
	} else {
		fprintf(stderr,
			"usage: %s [auto|huge|nohuge|custom] [requests] [EAL arguments...]\n",
			argv[0]);
		return 2;
	}
	if (huge == 1 && !have_hugepages()) {
		printf("SKIP: no free 2 MiB hugepages or no /dev/hugepages\n");
		return EXIT_SKIP;
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=fel%d", (int)getpid());
	eal_argv[eal_argc++] = argv[0];
	eal_argv[eal_argc++] = (char *)(uintptr_t) "-l";
	eal_argv[eal_argc++] = (char *)(uintptr_t) "0,1";
	eal_argv[eal_argc++] = (char *)(uintptr_t) "--no-pci";
	eal_argv[eal_argc++] = prefix;
	eal_argv[eal_argc++] = (char *)(uintptr_t) "--log-level=lib.vhost.config:warning";
	if (huge == 1) {
		eal_argv[eal_argc++] = (char *)(uintptr_t) "--in-memory";
		eal_argv[eal_argc++] = (char *)(uintptr_t) "--single-file-segments";
	} else if (huge == 0) {
		/* --no-huge is legacy memory, which --in-memory refuses. */
		eal_argv[eal_argc++] = (char *)(uintptr_t) "--no-shconf";
		eal_argv[eal_argc++] = (char *)(uintptr_t) "--no-huge";
		eal_argv[eal_argc++] = (char *)(uintptr_t) "-m";
		eal_argv[eal_argc++] = (char *)(uintptr_t) "256";
	}
	/* Further arguments go to EAL, e.g. --log-level=vrtc.frontend:debug. */
	for (ret = 3; ret < argc && eal_argc < (int)RTE_DIM(eal_argv); ret++)
		eal_argv[eal_argc++] = argv[ret];
	printf("fe_loopback: EAL");
	for (ret = 1; ret < eal_argc; ret++)
		printf(" %s", eal_argv[ret]);
	printf("; %" PRIu64 " requests per run\n", requests);
	fflush(stdout);
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		printf("SKIP: rte_eal_init failed (%s)\n", rte_strerror(rte_errno));
		remove_runtime_dir(rte_eal_get_runtime_dir());
		remove_hugepage_files();
		return EXIT_SKIP;
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE) {
		printf("SKIP: needs two lcores\n");
		rte_eal_cleanup();
		remove_runtime_dir(runtime_dir);
		return EXIT_SKIP;
	}
	snprintf(sock_a, sizeof(sock_a), "/tmp/vrtc-fel-%d-a.sock", (int)getpid());
	snprintf(sock_b, sizeof(sock_b), "/tmp/vrtc-fel-%d-b.sock", (int)getpid());
	snprintf(sock_c, sizeof(sock_c), "/tmp/vrtc-fel-%d-c.sock", (int)getpid());
	snprintf(sock_h, sizeof(sock_h), "/tmp/vrtc-fel-%d-h.sock", (int)getpid());
	snprintf(sock_x, sizeof(sock_x), "/tmp/vrtc-fel-%d-x.sock", (int)getpid());
	snprintf(sock_d, sizeof(sock_d), "/tmp/vrtc-fel-%d-d.sock", (int)getpid());
	snprintf(sock_p, sizeof(sock_p), "/tmp/vrtc-fel-%d-p.sock", (int)getpid());
	snprintf(sock_e, sizeof(sock_e), "/tmp/vrtc-fel-%d-e.sock", (int)getpid());

	printf("hostile back-ends:\n");
	hostile(sock_h);
	unlink(sock_h);

	/* a: rte_vhost defaults (REPLY_ACK); b: no protocol features at all
	 * (rings enabled by SET_VRING_KICK, sync by GET_FEATURES); c: the
	 * protocol-feature messages but no REPLY_ACK. */
	if (be_register(sock_a, BE_FEATURES, -1) != 0 ||
	    be_register(sock_b, BE_FEATURES & ~F(VRTC_VHOST_USER_F_PROTOCOL_FEATURES), 0) != 0 ||
	    be_register(sock_c, BE_FEATURES, 0) != 0 ||
	    be_register(sock_d, BE_FEATURES | F(VRTC_VIRTIO_RTC_F_ALARM), -1) != 0 ||
	    be_register(sock_p, BE_FEATURES | F(VRTC_VIRTIO_F_RING_PACKED), -1) != 0 ||
	    be_register(sock_e,
			BE_FEATURES | F(VRTC_VIRTIO_RTC_F_ALARM) | F(VRTC_VIRTIO_F_RING_PACKED),
			-1) != 0) {
		FAIL("cannot register the rte_vhost back-ends");
		goto out;
	}
	rte_eal_remote_launch(be_poller, NULL, worker);
	if (pool_init(&pool, 4096, NULL) != 0) {
		FAIL("no memory for the request pool");
		goto stop;
	}

	printf("loopback traffic:\n");
	{
		const uint64_t v1 = F(VRTC_VIRTIO_F_VERSION_1),
			       ind = F(VRTC_VIRTIO_RING_F_INDIRECT_DESC),
			       evi = F(VRTC_VIRTIO_RING_F_EVENT_IDX),
			       pf = F(VRTC_VHOST_USER_F_PROTOCOL_FEATURES),
			       pk = F(VRTC_VIRTIO_F_RING_PACKED);
		const struct variant variants[] = {
			{ "rtc direct event_idx", sock_a, VRTC_DEVICE_RTC, 256, 1, 0, 0,
			  v1 | evi | pf, ind, requests },
			{ "rtc indirect event_idx", sock_a, VRTC_DEVICE_RTC, 256, 1, 1, 0,
			  v1 | evi | ind, 0, requests },
			{ "rtc direct no event_idx", sock_a, VRTC_DEVICE_RTC, 256, 1, 0, 1, v1, evi,
			  small },
			{ "rtc indirect qsize 1024", sock_a, VRTC_DEVICE_RTC, 1024, 1, 1, 0,
			  v1 | ind, 0, small },
			{ "rtc qsize 2", sock_a, VRTC_DEVICE_RTC, 2, 1, 0, 0, v1, 0,
			  small / 100 + 1 },
			{ "rng qsize 1", sock_a, VRTC_DEVICE_RNG, 1, 1, 0, 0, v1, 0,
			  small / 100 + 1 },
			{ "rtc 2 queues", sock_a, VRTC_DEVICE_RTC, 256, 2, 0, 0, v1, 0, small },
			{ "rng", sock_a, VRTC_DEVICE_RNG, 256, 1, 1, 0, v1 | ind, 0, small },
			{ "no protocol features", sock_b, VRTC_DEVICE_RTC, 256, 1, 0, 0, v1, pf,
			  small },
			{ "no REPLY_ACK", sock_c, VRTC_DEVICE_RTC, 256, 1, 0, 0, v1 | pf, 0,
			  small },
			{ "split on a packed back-end", sock_p, VRTC_DEVICE_RTC, 256, 1, 1, 0,
			  v1 | ind, pk, small },
			{ "packed direct event_idx", sock_p, VRTC_DEVICE_RTC, 256, 1, 0, 0,
			  v1 | pk | evi, ind, small, 1 },
			{ "packed indirect event_idx", sock_p, VRTC_DEVICE_RTC, 256, 1, 1, 0,
			  v1 | pk | evi | ind, 0, small, 1 },
			{ "packed direct no event_idx", sock_p, VRTC_DEVICE_RTC, 256, 1, 0, 1,
			  v1 | pk, evi, small, 1 },
			{ "packed qsize 2", sock_p, VRTC_DEVICE_RTC, 2, 1, 0, 0, v1 | pk, 0,
			  small / 100 + 1, 1 },
			{ "packed rng qsize 1", sock_p, VRTC_DEVICE_RNG, 1, 1, 0, 0, v1 | pk, 0,
			  small / 100 + 1, 1 },
			{ "packed rtc 2 queues", sock_p, VRTC_DEVICE_RTC, 256, 2, 1, 0, v1 | pk, 0,
			  small, 1 },
			{ "packed rng", sock_p, VRTC_DEVICE_RNG, 256, 1, 1, 0, v1 | pk | ind, 0,
			  small, 1 },
		};
		size_t i;

		for (i = 0; i < RTE_DIM(variants); i++)
			if (run_variant(&variants[i], &pool) != 0)
				goto done;
	}
	printf("packed rings asked of a back-end without them:\n");
	if (packed_not_offered(sock_a) != 0)
		goto done;
	printf("disconnect / reconnect:\n");
	if (reconnects(sock_a, &pool, small, 0) != 0 || reconnects(sock_p, &pool, small, 1) != 0)
		goto done;
	printf("EAL memory hotplug:\n");
	if (memory_is_dynamic()) {
		pid_t pid;

		hotplug(sock_a, small, 1, "in-process back-end");
		pid = spawn_backend(argv[0], sock_x);
		if (pid < 0) {
			FAIL("cannot start the back-end process");
		} else {
			hotplug(sock_x, small, 0, "back-end process");
			if (stop_backend(pid) != 0)
				FAIL("the back-end process failed");
		}
		unlink(sock_x);
	} else {
		printf("  skipped: EAL memory is static (legacy mode, or --no-huge)\n");
	}
	printf("alarms from a back-end that sends no notification:\n");
	alarm_untrusted(sock_d, 0);
	alarm_untrusted(sock_e, 1);
	printf("vdev drivers:\n");
#ifdef VRTC_HAVE_VDEV_DRIVERS
	vdevs(sock_a, sock_p, &pool);
#else
	printf("  skipped: not built (no DPDK driver SDK at meson setup)\n");
#endif
	if (wait_be_idle() == 0 && be.ring_broken != 0)
		FAIL("the back-end saw %" PRIu64 " broken rings", be.ring_broken);
	if (be.bad_chains != 0)
		FAIL("the back-end saw %" PRIu64 " bad chains", be.bad_chains);
	printf("back-end: %" PRIu64 " devices, %" PRIu64 " chains served, %" PRIu64
	       " interrupts, %" PRIu64 " memory table updates\n",
	       be.devices, be.served, be.calls, be.remaps);
done:
	pool_fini(&pool);
stop:
	__atomic_store_n(&be.quit, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(worker);
	rte_vhost_driver_unregister(sock_a);
	rte_vhost_driver_unregister(sock_b);
	rte_vhost_driver_unregister(sock_c);
	rte_vhost_driver_unregister(sock_d);
	rte_vhost_driver_unregister(sock_p);
	rte_vhost_driver_unregister(sock_e);
out:
	unlink(sock_a);
	unlink(sock_b);
	unlink(sock_c);
	unlink(sock_d);
	unlink(sock_p);
	unlink(sock_e);
	ret = rte_eal_cleanup();
	if (ret != 0)
		fprintf(stderr, "rte_eal_cleanup: %d\n", ret);
	remove_runtime_dir(runtime_dir);
	remove_hugepage_files();
	printf("%s (%d failure(s))\n", failures == 0 ? "PASS" : "FAIL", failures);
	return failures == 0 ? 0 : 1;
}
