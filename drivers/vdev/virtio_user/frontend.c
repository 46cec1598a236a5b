/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * User-space vhost-user front-end for virtio-rtc and virtio-rng: what a
 * guest's virtio driver plus QEMU's vhost-user code do, in one DPDK
 * process, for tests and benchmarks (see vrtc_frontend.h, doc/frontend.md).
 *
 * Memory: the back-end gets EAL memory by file descriptor, with
 * guest-physical address = virtual address, so request buffers are posted
 * with their own pointers and the rings live in rte_malloc memory. When EAL
 * memory grows or shrinks while connected (dynamic memory mode), a memory
 * event callback sends the new table.
 *
 * Locking: fe->lock serialises the socket (connect, disconnect, the memory
 * callback). EAL calls the memory callback with its memory hotplug lock
 * held for writing; the connect path takes that lock (for reading) while
 * holding fe->lock, so the callback only ever try-locks fe->lock and, when
 * that fails, leaves a note (mem_dirty) that the lock holder acts on before
 * it lets go. The burst functions take no lock: by the API contract no
 * control function runs on the same device meanwhile, and the callback
 * touches only the socket, never a ring.
 *
 * The data path (vrtc_fe_enqueue / vrtc_fe_dequeue) allocates nothing,
 * takes no lock and makes one system call at most: the kick eventfd write
 * when the back-end asked for kicks.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "drvq.h"
#include "fe_log.h"
#include "vhost_user_client.h"
#include "vrtc_frontend.h"
#include "vrtc_wire.h"

RTE_LOG_REGISTER(vrtc_logtype_frontend, vrtc.frontend, NOTICE);

#define FE_MAX_QUEUES 2
#define FE_DEFAULT_QUEUE_SIZE 256
#define FE_DEFAULT_TIMEOUT_MS 5000
#define FE_NAME_MAX 64
#define FE_PATH_MAX sizeof(((struct sockaddr_un *)NULL)->sun_path)
/* Descriptors per indirect table: one readable, one writable buffer. */
#define FE_INDIRECT_ENTRIES 2
/* Completions collected per vrtc_drvq_get_used() call in a dequeue. */
#define FE_DEQ_CHUNK 32
#define FE_MEM_CB_NAME "vrtc_fe_mem"
#define FE_DEFAULT_ALARM_BUFFERS 16
/* Bytes of one alarmq buffer: one NOTIF_ALARM, each on its own 64 bytes. */
#define FE_ALARM_BUF_BYTES sizeof(struct vrtc_rtc_notif_alarm)
#define FE_ALARM_BUF_STRIDE 64

#define BIT64(b) (UINT64_C(1) << (b))

/** One virtqueue of a front-end. */
struct fe_queue {
	/* Data path: the ring, split or packed by VIRTIO_F_RING_PACKED. */
	struct vrtc_drvq dq;
	int kick_fd;
	uint8_t indirect;      /* post requests through indirect tables */
	uint8_t broken_logged; /* the broken latch was reported */
	uint64_t kicks;
	uint64_t kick_errors;

	/* Control path. */
	int call_fd;
	void *ring; /* EAL memory, kept for the front-end's life */
	size_t ring_bytes;
	struct vrtc_vring_desc *tables; /* indirect tables (EAL memory), or NULL */
	size_t tables_bytes;
} __rte_cache_aligned;

struct vrtc_fe {
	struct fe_queue q[FE_MAX_QUEUES];
	/* Read by the data path, written by the control path only. */
	uint8_t connected;
	uint16_t nb_queues;
	uint64_t features;

	/* Control path. */
	TAILQ_ENTRY(vrtc_fe) next;
	struct vrtc_fe_params params; /* name and path point at the copies below */
	char name[FE_NAME_MAX];
	char path[FE_PATH_MAX];
	struct vrtc_vhu_client cli;
	uint64_t offered;     /* back-end's features on this connection */
	pthread_mutex_t lock; /* socket and connection state */
	int mem_dirty;	      /* atomic: EAL memory changed while lock was held */
	uint8_t mem_cb;	      /* memory event callback registered */
	uint8_t local_warned; /* warned about a back-end in this process */
	uint32_t nb_regions;  /* regions of the last table sent */
	uint64_t connections;

	/* alarmq (params.alarm): buffers owned by the front-end, EAL memory. */
	uint8_t *alarm_bufs;
	struct vrtc_fe_alarm_stats alarm_st;
};

/* Registry of front-ends by name; control path only. */
static TAILQ_HEAD(, vrtc_fe) fe_list = TAILQ_HEAD_INITIALIZER(fe_list);
static pthread_mutex_t fe_list_lock = PTHREAD_MUTEX_INITIALIZER;

/* ------------------------------------------------------------------------ */
/* One driver queue, split or packed (chosen at connection)                 */
/* ------------------------------------------------------------------------ */

/*
 * The enqueue burst calls the layout's add directly: @p packed is
 * q->dq.packed, tested once per burst by the caller, which is specialised
 * on it (a constant here).
 */
static __rte_always_inline int
q_add(struct fe_queue *q, const int packed, const struct vrtc_drvq_buf *bufs, uint16_t nb,
      void *cookie)
{
	if (packed)
		return q->indirect ? vrtc_drvq_packed_add_indirect(&q->dq, bufs, nb, cookie)
				   : vrtc_drvq_packed_add(&q->dq, bufs, nb, cookie);
	return q->indirect ? vrtc_drvq_split_add_indirect(&q->dq, bufs, nb, cookie)
			   : vrtc_drvq_split_add(&q->dq, bufs, nb, cookie);
}

/* Bytes of the ring block of a queue of @p size, either layout. */
static size_t
ring_bytes(uint16_t size, int packed)
{
	struct vrtc_drvq_layout l;

	vrtc_drvq_layout(size, packed ? BIT64(VRTC_VIRTIO_F_RING_PACKED) : 0, &l);
	return l.total_bytes;
}

static const char *
type_name(enum vrtc_device_type type)
{
	return type == VRTC_DEVICE_RTC ? "rtc" : "rng";
}

void
vrtc_fe_params_init(struct vrtc_fe_params *p, enum vrtc_device_type type)
{
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->queue_size = FE_DEFAULT_QUEUE_SIZE;
	p->nb_queues = 1;
	p->connect_timeout_ms = FE_DEFAULT_TIMEOUT_MS;
	p->alarm_buffers = FE_DEFAULT_ALARM_BUFFERS;
}

/* ------------------------------------------------------------------------ */
/* Memory table                                                              */
/* ------------------------------------------------------------------------ */

struct mem_walk {
	struct vrtc_vhu_region r[VRTC_VHU_MAX_REGIONS];
	uint32_t nb;			/* regions filled */
	uint32_t nb_needed;		/* regions the memory needs (may exceed the limit) */
	int error;			/* -errno of a segment without a file descriptor */
	const void *bad_addr;		/* ... that segment */
	uintptr_t skip_start, skip_end; /* being freed: leave out */
};

/* Add one segment, merging it with the previous region when it continues
 * it both in virtual memory and in the same file. */
static int
walk_seg(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	struct mem_walk *w = arg;
	uintptr_t va = (uintptr_t)ms->addr;
	struct vrtc_vhu_region *last;
	size_t offset;
	int fd;

	if (msl->external)
		return 0; /* external memory has no file to share */
	if (va >= w->skip_start && va < w->skip_end)
		return 0;
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &offset) < 0) {
		w->error = -rte_errno;
		w->bad_addr = ms->addr;
		return -1;
	}
	if (w->nb_needed > 0 && w->nb_needed <= VRTC_VHU_MAX_REGIONS) {
		last = &w->r[w->nb_needed - 1];
		if (last->fd == fd && last->uva + last->size == va &&
		    last->mmap_offset + last->size == offset) {
			last->size += ms->len;
			return 0;
		}
	}
	w->nb_needed++;
	if (w->nb_needed > VRTC_VHU_MAX_REGIONS)
		return 0; /* keep counting, for the error message */
	last = &w->r[w->nb_needed - 1];
	last->gpa = va;
	last->uva = va;
	last->size = ms->len;
	last->mmap_offset = offset;
	last->fd = fd;
	w->nb = w->nb_needed;
	return 0;
}

/* Is [va, va + len) inside one region of @p w? */
static int
mem_covers(const struct mem_walk *w, const void *p, size_t len)
{
	uint64_t va = (uintptr_t)p;
	uint32_t i;

	for (i = 0; i < w->nb; i++)
		if (va >= w->r[i].uva && va - w->r[i].uva < w->r[i].size &&
		    len <= w->r[i].size - (va - w->r[i].uva))
			return 1;
	return 0;
}

static void
close_fds(struct mem_walk *w, uint32_t nb)
{
	uint32_t i;

	for (i = 0; i < nb; i++)
		if (w->r[i].fd >= 0)
			close(w->r[i].fd);
}

/*
 * Send EAL memory as the back-end's memory table. @p hotplug_locked: the
 * caller (EAL, for the memory callback) holds the memory hotplug lock, and
 * the malloc heap lock; otherwise the hotplug lock is taken here while the
 * segments are read. Segments in [skip, skip + skip_len) are being freed
 * and left out.
 *
 * From the callback, a back-end in another process is waited for (its
 * REPLY_ACK): when the allocation returns, the back-end maps the new
 * memory. A back-end in this process cannot answer then (rte_vhost
 * allocates from the heap whose lock EAL holds around the callback): the
 * table is sent without waiting and its ack read later.
 */
static int
share_memory(struct vrtc_fe *fe, int hotplug_locked, const void *skip, size_t skip_len)
{
	struct mem_walk w;
	uint32_t i, nb_dup = 0;
	uint16_t qid;
	int ret;

	memset(&w, 0, sizeof(w));
	w.skip_start = (uintptr_t)skip;
	w.skip_end = (uintptr_t)skip + skip_len;
	if (!hotplug_locked)
		rte_mcfg_mem_read_lock();
	ret = rte_memseg_walk_thread_unsafe(walk_seg, &w);
	/* Our own copies of the descriptors: EAL may close its own (free a
	 * page) as soon as the lock is released, and the number could then
	 * name another file by the time it is sent. */
	if (ret == 0 && w.nb_needed <= VRTC_VHU_MAX_REGIONS) {
		for (i = 0; i < w.nb; i++) {
			int fd = fcntl(w.r[i].fd, F_DUPFD_CLOEXEC, 0);

			if (fd < 0) {
				ret = -1;
				w.error = -errno;
				break;
			}
			w.r[i].fd = fd;
			nb_dup++;
		}
	}
	if (!hotplug_locked)
		rte_mcfg_mem_read_unlock();

	if (ret != 0) {
		close_fds(&w, nb_dup);
		if (w.bad_addr != NULL)
			FE_LOG(ERR, fe->name,
			       "EAL memory at %p has no file descriptor to share (%s): run EAL "
			       "with --single-file-segments (and --in-memory) or --no-huge, "
			       "not --legacy-mem with hugepage files",
			       w.bad_addr, strerror(-w.error));
		else
			FE_LOG(ERR, fe->name, "cannot duplicate a memory file descriptor: %s",
			       strerror(-w.error));
		return w.error != 0 ? w.error : -EIO;
	}
	if (w.nb_needed > VRTC_VHU_MAX_REGIONS) {
		FE_LOG(ERR, fe->name,
		       "EAL memory is %" PRIu32 " separate regions, vhost-user allows %d: run EAL "
		       "with --single-file-segments (with or without --in-memory) or --no-huge",
		       w.nb_needed, VRTC_VHU_MAX_REGIONS);
		return -E2BIG;
	}
	if (w.nb == 0) {
		FE_LOG(ERR, fe->name, "no EAL memory to share");
		return -ENOMEM;
	}
	/* The rings must be reachable, each in one piece. */
	for (qid = 0; qid < fe->nb_queues; qid++) {
		const struct fe_queue *q = &fe->q[qid];

		if (!mem_covers(&w, q->ring, q->ring_bytes) ||
		    (q->tables != NULL && !mem_covers(&w, q->tables, q->tables_bytes))) {
			FE_LOG(ERR, fe->name,
			       "ring memory of queue %u is not inside one shared region", qid);
			close_fds(&w, nb_dup);
			return -EFAULT;
		}
	}
	ret = vrtc_vhu_set_mem_table(&fe->cli, w.r, w.nb, !(hotplug_locked && fe->cli.peer_local));
	close_fds(&w, nb_dup);
	if (ret != 0)
		return ret;
	fe->nb_regions = w.nb;
	for (i = 0; i < w.nb; i++)
		FE_LOG(DEBUG, fe->name,
		       "region %" PRIu32 ": va 0x%" PRIx64 " size 0x%" PRIx64 " offset 0x%" PRIx64,
		       i, w.r[i].uva, w.r[i].size, w.r[i].mmap_offset);
	return 0;
}

/* Release fe->lock, first sending the memory table again if EAL memory
 * changed while we held it (the callback could not). */
static void
fe_unlock(struct vrtc_fe *fe)
{
	for (;;) {
		if (__atomic_exchange_n(&fe->mem_dirty, 0, __ATOMIC_ACQ_REL) && fe->connected &&
		    fe->cli.sock >= 0 && share_memory(fe, 0, NULL, 0) != 0)
			FE_LOG(ERR, fe->name,
			       "EAL memory changed and the new table could not be sent: buffers in "
			       "the new memory will fail");
		pthread_mutex_unlock(&fe->lock);
		if (!__atomic_load_n(&fe->mem_dirty, __ATOMIC_ACQUIRE))
			return;
		pthread_mutex_lock(&fe->lock);
	}
}

/* EAL memory event, called with the memory hotplug lock held for writing. */
static void
mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	struct vrtc_fe *fe = arg;
	int ret;

	if (pthread_mutex_trylock(&fe->lock) != 0) {
		/* A control call is running; it sends the table on its way out. */
		__atomic_store_n(&fe->mem_dirty, 1, __ATOMIC_RELEASE);
		return;
	}
	if (fe->connected && fe->cli.sock >= 0) {
		FE_LOG(INFO, fe->name, "EAL memory %s at %p (%zu bytes): sending the memory table",
		       type == RTE_MEM_EVENT_ALLOC ? "added" : "removed", addr, len);
		if (fe->cli.peer_local && !fe->local_warned) {
			FE_LOG(WARNING, fe->name,
			       "EAL memory changed while connected to a back-end in this process: "
			       "the table is sent without waiting, buffers in new memory may fail "
			       "until the back-end maps it; preallocate EAL memory (-m) to "
			       "avoid it");
			fe->local_warned = 1;
		}
		ret = share_memory(fe, 1, type == RTE_MEM_EVENT_FREE ? addr : NULL,
				   type == RTE_MEM_EVENT_FREE ? len : 0);
		if (ret != 0) {
			FE_LOG(ERR, fe->name,
			       "memory table update failed (%s): buffers in the new memory will "
			       "fail",
			       strerror(-ret));
			/* A transport failure leaves the stream unsynchronised:
			 * close it (the back-end stops; vrtc_fe_connect() then
			 * starts afresh). */
			if (ret == -ETIMEDOUT || ret == -ECONNRESET || ret == -EPROTO ||
			    ret == -EPIPE || ret == -ENOTCONN)
				vrtc_vhu_close(&fe->cli);
		}
	}
	pthread_mutex_unlock(&fe->lock);
}

/* ------------------------------------------------------------------------ */
/* Connection                                                                */
/* ------------------------------------------------------------------------ */

static uint64_t
wanted_features(const struct vrtc_fe_params *p)
{
	uint64_t f = BIT64(VRTC_VIRTIO_F_VERSION_1) | BIT64(VRTC_VHU_F_PROTOCOL_FEATURES);

	if (p->indirect)
		f |= BIT64(VRTC_VIRTIO_RING_F_INDIRECT_DESC);
	if (!p->no_event_idx)
		f |= BIT64(VRTC_VIRTIO_RING_F_EVENT_IDX);
	if (p->packed)
		f |= BIT64(VRTC_VIRTIO_F_RING_PACKED);
	/* Device bits: virtio-rtc's VIRTIO_RTC_F_ALARM when asked for (the
	 * front-end then keeps the alarmq stocked); virtio-rng has none.
	 * VIRTIO_F_ACCESS_PLATFORM is never accepted: addresses are VAs. */
	if (p->type == VRTC_DEVICE_RTC && p->alarm)
		f |= BIT64(VRTC_VIRTIO_RTC_F_ALARM);
	return f;
}

static void
queue_stop(struct fe_queue *q)
{
	if (q->kick_fd >= 0)
		close(q->kick_fd);
	if (q->call_fd >= 0)
		close(q->call_fd);
	q->kick_fd = -1;
	q->call_fd = -1;
	vrtc_drvq_fini(&q->dq);
	memset(&q->dq, 0, sizeof(q->dq));
	q->indirect = 0;
	q->broken_logged = 0;
}

/* Fresh ring, eventfds, and the SET_VRING_* sequence for queue @p qid. */
static int
queue_start(struct vrtc_fe *fe, uint16_t qid)
{
	struct fe_queue *q = &fe->q[qid];
	uint16_t size = fe->params.queue_size;
	uint8_t *ring = q->ring;
	struct vrtc_drvq_layout layout;
	uint64_t desc, driver_area, device_area;
	int ret;

	memset(q->ring, 0, q->ring_bytes);
	/* The layout (VIRTIO_F_RING_PACKED) is the driver queue's to pick. */
	vrtc_drvq_layout(size, fe->features, &layout);
	ret = vrtc_drvq_init(&q->dq, size, fe->features, q->ring);
	if (ret != 0)
		return ret;
	desc = (uintptr_t)ring;
	driver_area = (uintptr_t)(ring + layout.driver_offset);
	device_area = (uintptr_t)(ring + layout.device_offset);
	if (q->tables != NULL && vrtc_feature_has(fe->features, VRTC_VIRTIO_RING_F_INDIRECT_DESC)) {
		memset(q->tables, 0, q->tables_bytes);
		/* Both layouts' descriptors are 16 bytes: the same tables serve. */
		ret = vrtc_drvq_indirect_init(&q->dq, q->tables, (uintptr_t)q->tables,
					      FE_INDIRECT_ENTRIES);
		if (ret != 0)
			return ret;
		q->indirect = 1;
	}
	/* A polling driver: the back-end need not signal completions. */
	vrtc_drvq_interrupts_disable(&q->dq);

	q->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	q->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->kick_fd < 0 || q->call_fd < 0) {
		ret = -errno;
		FE_LOG(ERR, fe->name, "queue %u: cannot create eventfds: %s", qid, strerror(-ret));
		return ret;
	}

	/* Packed: the base carries the avail wrap counter in bit 15 (a fresh
	 * ring: offset 0, counter 1), and the avail and used addresses are
	 * the driver and device event suppression areas, as QEMU sends them. */
	ret = vrtc_vhu_set_vring_num(&fe->cli, qid, size);
	if (ret == 0)
		ret = vrtc_vhu_set_vring_base(&fe->cli, qid, vrtc_drvq_avail_base(&q->dq));
	if (ret == 0)
		ret = vrtc_vhu_set_vring_addr(&fe->cli, qid, desc, device_area, driver_area);
	if (ret == 0)
		ret = vrtc_vhu_set_vring_kick(&fe->cli, qid, q->kick_fd);
	if (ret == 0)
		ret = vrtc_vhu_set_vring_call(&fe->cli, qid, q->call_fd);
	return ret;
}

static int
alarm_active(const struct vrtc_fe *fe)
{
	return fe->alarm_bufs != NULL && fe->nb_queues > VRTC_RTC_ALARMQ &&
	       vrtc_feature_has(fe->features, VRTC_VIRTIO_RTC_F_ALARM);
}

/* Make alarmq buffer @p i available (not yet published). The buffer is
 * filled with a msg_type no device sends first: a completion that does not
 * write it cannot pass for a notification. */
static int
alarm_post(struct vrtc_fe *fe, uint16_t i)
{
	struct fe_queue *q = &fe->q[VRTC_RTC_ALARMQ];
	uint8_t *b = fe->alarm_bufs + (size_t)i * FE_ALARM_BUF_STRIDE;
	struct vrtc_drvq_buf buf = { (uintptr_t)b, FE_ALARM_BUF_BYTES, 1 };

	memset(b, 0xFF, FE_ALARM_BUF_BYTES);
	/* Direct descriptors: the alarmq takes no indirect tables. */
	if (vrtc_drvq_add(&q->dq, &buf, 1, b) < 0)
		return -ENOSPC;
	fe->alarm_st.posted++;
	return 0;
}

static void
alarm_kick(struct fe_queue *q)
{
	static const uint64_t one = 1;

	if (!vrtc_drvq_kick_prepare(&q->dq))
		return;
	q->kicks++;
	if (unlikely(write(q->kick_fd, &one, sizeof(one)) != (ssize_t)sizeof(one)))
		q->kick_errors++;
}

/* After the rings are up: every alarmq buffer to the back-end. */
static int
alarm_stock(struct vrtc_fe *fe)
{
	uint16_t i;

	fe->alarm_st.posted = 0;
	if (!alarm_active(fe))
		return 0;
	for (i = 0; i < fe->params.alarm_buffers; i++)
		if (alarm_post(fe, i) != 0) {
			FE_LOG(ERR, fe->name, "alarmq: cannot post buffer %u of %u", i,
			       fe->params.alarm_buffers);
			return -ENOSPC;
		}
	alarm_kick(&fe->q[VRTC_RTC_ALARMQ]);
	return 0;
}

/* Is @p base (GET_VRING_BASE) at or behind what the driver made available,
 * by at most a ring? Packed: offset in bits 0..14, avail wrap in bit 15. */
static int
base_plausible(const struct fe_queue *q, uint32_t base)
{
	if (base > 0xffff)
		return 0;
	if (q->dq.packed) {
		uint16_t size = q->dq.size, off = base & VRTC_PVIRTQ_EVENT_OFF_MASK;
		uint16_t mine = vrtc_drvq_avail_base(&q->dq);
		uint32_t cycle = 2u * size, at, drv;

		if (off >= size)
			return 0;
		at = vrtc_pring_pos(size, off, (base >> VRTC_PVIRTQ_EVENT_WRAP_SHIFT) & 1);
		drv = vrtc_pring_pos(size, mine & VRTC_PVIRTQ_EVENT_OFF_MASK,
				     mine >> VRTC_PVIRTQ_EVENT_WRAP_SHIFT);
		return (drv + cycle - at) % cycle <= size;
	}
	return (uint16_t)(vrtc_drvq_avail_base(&q->dq) - (uint16_t)base) <= q->dq.size;
}

/* Stop the rings (GET_VRING_BASE) and close everything. fe->lock held. */
static void
disconnect_locked(struct vrtc_fe *fe)
{
	uint16_t qid;

	if (!fe->connected && fe->cli.sock < 0)
		return;
	for (qid = 0; qid < fe->nb_queues && fe->connected && fe->cli.sock >= 0; qid++) {
		struct fe_queue *q = &fe->q[qid];
		uint32_t base;

		if (vrtc_vhu_get_vring_base(&fe->cli, qid, &base) != 0) {
			/* The stream is lost; the close tells the back-end. */
			vrtc_vhu_close(&fe->cli);
			break;
		}
		if (!base_plausible(q, base))
			FE_LOG(WARNING, fe->name,
			       "queue %u: back-end stopped at avail %s 0x%" PRIx32
			       ", which is not within the 0x%x made available",
			       qid, q->dq.packed ? "offset/wrap" : "index", base,
			       vrtc_drvq_avail_base(&q->dq));
		FE_LOG(DEBUG, fe->name,
		       "queue %u stopped at 0x%" PRIx32 ": %u in flight abandoned, %" PRIu64 " kicks",
		       qid, base, vrtc_drvq_inflight(&q->dq), q->kicks);
	}
	/* Wait for the back-end to let go of the connection: one that serves a
	 * single front-end would otherwise refuse our next connect. */
	vrtc_vhu_close_graceful(&fe->cli);
	for (qid = 0; qid < FE_MAX_QUEUES; qid++)
		queue_stop(&fe->q[qid]);
	if (fe->connected)
		FE_LOG(INFO, fe->name, "disconnected from %s", fe->path);
	fe->connected = 0;
	fe->features = 0;
	fe->offered = 0;
	fe->alarm_st.posted = 0;
}

/* The whole handshake. fe->lock held. */
static int
connect_locked(struct vrtc_fe *fe)
{
	uint64_t offered, negotiated, protocol = 0;
	uint16_t qid;
	int ret;

	ret = vrtc_vhu_connect(&fe->cli);
	if (ret != 0)
		return ret;
	ret = vrtc_vhu_set_owner(&fe->cli);
	if (ret == 0)
		ret = vrtc_vhu_get_features(&fe->cli, &offered);
	if (ret != 0)
		goto fail;
	fe->offered = offered;
	negotiated = offered & wanted_features(&fe->params);
	if (!vrtc_feature_has(negotiated, VRTC_VIRTIO_F_VERSION_1)) {
		FE_LOG(ERR, fe->name,
		       "back-end on %s does not offer VIRTIO_F_VERSION_1 (features 0x%" PRIx64 ")",
		       fe->path, offered);
		ret = -ENOTSUP;
		goto fail;
	}
	if (fe->params.packed && !vrtc_feature_has(negotiated, VRTC_VIRTIO_F_RING_PACKED)) {
		FE_LOG(ERR, fe->name,
		       "packed rings asked for, but the back-end on %s does not offer "
		       "VIRTIO_F_RING_PACKED (bit 34; features 0x%" PRIx64
		       "): start it with packed rings or use split ones (packed=0)",
		       fe->path, offered);
		ret = -ENOTSUP;
		goto fail;
	}
	if (fe->params.indirect && !vrtc_feature_has(negotiated, VRTC_VIRTIO_RING_F_INDIRECT_DESC))
		FE_LOG(NOTICE, fe->name,
		       "back-end does not offer VIRTIO_RING_F_INDIRECT_DESC: direct descriptors");
	if (vrtc_feature_has(negotiated, VRTC_VHU_F_PROTOCOL_FEATURES)) {
		ret = vrtc_vhu_get_protocol_features(&fe->cli, &protocol);
		if (ret != 0)
			goto fail;
		/* Only what this client implements. */
		protocol &= BIT64(VRTC_VHU_PROTOCOL_F_REPLY_ACK);
		ret = vrtc_vhu_set_protocol_features(&fe->cli, protocol);
		if (ret != 0)
			goto fail;
	}
	ret = vrtc_vhu_set_features(&fe->cli, negotiated);
	if (ret != 0)
		goto fail;
	fe->features = negotiated;

	ret = share_memory(fe, 0, NULL, 0);
	if (ret != 0)
		goto fail;
	for (qid = 0; qid < fe->nb_queues; qid++) {
		ret = queue_start(fe, qid);
		if (ret != 0)
			goto fail;
	}
	if (vrtc_feature_has(negotiated, VRTC_VHU_F_PROTOCOL_FEATURES)) {
		for (qid = 0; qid < fe->nb_queues; qid++) {
			ret = vrtc_vhu_set_vring_enable(&fe->cli, qid, 1);
			if (ret != 0)
				goto fail;
		}
	}
	/* Without REPLY_ACK nothing so far proved the back-end accepted it. */
	if ((protocol & BIT64(VRTC_VHU_PROTOCOL_F_REPLY_ACK)) == 0) {
		ret = vrtc_vhu_sync(&fe->cli, offered);
		if (ret != 0)
			goto fail;
	}
	if (fe->params.alarm && !vrtc_feature_has(negotiated, VRTC_VIRTIO_RTC_F_ALARM))
		FE_LOG(NOTICE, fe->name,
		       "back-end does not offer VIRTIO_RTC_F_ALARM: no alarms, the alarmq stays "
		       "idle");
	ret = alarm_stock(fe);
	if (ret != 0)
		goto fail;
	fe->connected = 1;
	fe->connections++;
	FE_LOG(INFO, fe->name,
	       "connected to %s: %s, %u queue(s) of %u, features 0x%" PRIx64 " (offered 0x%" PRIx64
	       "), protocol features 0x%" PRIx64 ", %" PRIu32 " memory region(s), %s rings%s%s",
	       fe->path, type_name(fe->params.type), fe->nb_queues, fe->params.queue_size,
	       negotiated, offered, protocol, fe->nb_regions, fe->q[0].dq.packed ? "packed" : "split",
	       fe->q[0].indirect ? ", indirect" : "", alarm_active(fe) ? ", alarms" : "");
	return 0;

fail:
	FE_LOG(ERR, fe->name, "connection to %s failed: %s", fe->path, strerror(-ret));
	vrtc_vhu_close(&fe->cli);
	for (qid = 0; qid < FE_MAX_QUEUES; qid++)
		queue_stop(&fe->q[qid]);
	fe->features = 0;
	fe->offered = 0;
	return ret;
}

int
vrtc_fe_connect(struct vrtc_fe *fe)
{
	int ret;

	if (fe == NULL)
		return -EINVAL;
	pthread_mutex_lock(&fe->lock);
	/* Connected, unless the memory callback lost the connection. */
	if (fe->connected && fe->cli.sock < 0)
		disconnect_locked(fe);
	ret = fe->connected ? -EISCONN : connect_locked(fe);
	fe_unlock(fe);
	return ret;
}

int
vrtc_fe_disconnect(struct vrtc_fe *fe)
{
	if (fe == NULL)
		return -EINVAL;
	pthread_mutex_lock(&fe->lock);
	disconnect_locked(fe);
	fe_unlock(fe);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Creation and registry                                                     */
/* ------------------------------------------------------------------------ */

static int
check_params(const struct vrtc_fe_params *p, struct vrtc_fe_params *out)
{
	const char *name = p->name != NULL ? p->name : "(unnamed)";

	*out = *p;
	if (p->name == NULL || p->name[0] == '\0' || strlen(p->name) >= FE_NAME_MAX) {
		FE_LOG(ERR, name, "name must be 1 to %d bytes", FE_NAME_MAX - 1);
		return -EINVAL;
	}
	if (p->type != VRTC_DEVICE_RTC && p->type != VRTC_DEVICE_RNG) {
		FE_LOG(ERR, name, "unknown device type %d", (int)p->type);
		return -EINVAL;
	}
	if (p->path == NULL || p->path[0] == '\0') {
		FE_LOG(ERR, name, "no socket path");
		return -EINVAL;
	}
	if (strlen(p->path) >= FE_PATH_MAX) {
		FE_LOG(ERR, name, "socket path %s is longer than %zu bytes", p->path,
		       FE_PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	if (out->queue_size == 0)
		out->queue_size = FE_DEFAULT_QUEUE_SIZE;
	if ((out->queue_size & (out->queue_size - 1)) != 0 ||
	    out->queue_size > VRTC_VRING_MAX_SIZE) {
		FE_LOG(ERR, name, "queue size %u is not a power of two from 1 to %u",
		       out->queue_size, VRTC_VRING_MAX_SIZE);
		return -EINVAL;
	}
	if (out->indirect && out->queue_size < FE_INDIRECT_ENTRIES) {
		/* A chain may not be longer than the queue, table entries included. */
		FE_LOG(ERR, name, "indirect requests need a queue size of %d or more",
		       FE_INDIRECT_ENTRIES);
		return -EINVAL;
	}
	if (out->nb_queues == 0)
		out->nb_queues = 1;
	if (out->nb_queues > (p->type == VRTC_DEVICE_RTC ? 2 : 1)) {
		FE_LOG(ERR, name, "%u queues: a %s front-end has %s", out->nb_queues,
		       type_name(p->type), p->type == VRTC_DEVICE_RTC ? "1 or 2" : "1");
		return -EINVAL;
	}
	if (out->connect_timeout_ms == 0)
		out->connect_timeout_ms = FE_DEFAULT_TIMEOUT_MS;
	if (out->alarm) {
		if (p->type != VRTC_DEVICE_RTC || out->nb_queues != 2) {
			FE_LOG(ERR, name, "alarm needs an rtc front-end with 2 queues (the alarmq)");
			return -EINVAL;
		}
		if (out->alarm_buffers == 0)
			out->alarm_buffers = RTE_MIN((uint16_t)FE_DEFAULT_ALARM_BUFFERS,
						     out->queue_size);
		if (out->alarm_buffers > out->queue_size) {
			FE_LOG(ERR, name, "%u alarm buffers do not fit a ring of %u",
			       out->alarm_buffers, out->queue_size);
			return -EINVAL;
		}
	}
	return 0;
}

static struct vrtc_fe *
lookup_locked(const char *name)
{
	struct vrtc_fe *fe;

	TAILQ_FOREACH(fe, &fe_list, next)
		if (strcmp(fe->name, name) == 0)
			return fe;
	return NULL;
}

struct vrtc_fe *
vrtc_fe_lookup(const char *name)
{
	struct vrtc_fe *fe;

	if (name == NULL)
		return NULL;
	pthread_mutex_lock(&fe_list_lock);
	fe = lookup_locked(name);
	pthread_mutex_unlock(&fe_list_lock);
	return fe;
}

/* Free what fe_alloc() allocated. */
static void
fe_free(struct vrtc_fe *fe)
{
	uint16_t qid;

	if (fe->mem_cb)
		rte_mem_event_callback_unregister(FE_MEM_CB_NAME, fe);
	for (qid = 0; qid < FE_MAX_QUEUES; qid++) {
		rte_free(fe->q[qid].ring);
		rte_free(fe->q[qid].tables);
	}
	rte_free(fe->alarm_bufs);
	pthread_mutex_destroy(&fe->lock);
	rte_free(fe);
}

static struct vrtc_fe *
fe_alloc(const struct vrtc_fe_params *p, int *err)
{
	struct vrtc_fe *fe;
	size_t align, bytes;
	uint16_t qid;

	fe = rte_zmalloc("vrtc_fe", sizeof(*fe), RTE_CACHE_LINE_SIZE);
	if (fe == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&fe->lock, NULL);
	snprintf(fe->name, sizeof(fe->name), "%s", p->name);
	snprintf(fe->path, sizeof(fe->path), "%s", p->path);
	fe->params = *p;
	fe->params.name = fe->name;
	fe->params.path = fe->path;
	fe->nb_queues = p->nb_queues;
	vrtc_vhu_init(&fe->cli, fe->name, fe->path, p->connect_timeout_ms);
	for (qid = 0; qid < FE_MAX_QUEUES; qid++) {
		fe->q[qid].kick_fd = -1;
		fe->q[qid].call_fd = -1;
	}

	/* Rings in EAL memory, aligned to their own size (rounded up to a
	 * power of two, at most 1 MiB): a ring then never straddles a page,
	 * so it stays inside one shared region even when every hugepage is
	 * its own file. */
	bytes = ring_bytes(p->queue_size, p->packed);
	align = rte_align64pow2(bytes);
	align = RTE_MIN(RTE_MAX(align, (size_t)RTE_CACHE_LINE_SIZE), (size_t)1 << 20);
	for (qid = 0; qid < fe->nb_queues; qid++) {
		struct fe_queue *q = &fe->q[qid];

		q->ring_bytes = bytes;
		q->ring = rte_zmalloc("vrtc_fe_ring", q->ring_bytes, align);
		if (q->ring == NULL)
			goto nomem;
		if (p->indirect) {
			/* One 32-byte table per head, each naturally aligned. */
			q->tables_bytes = (size_t)p->queue_size * FE_INDIRECT_ENTRIES *
					  sizeof(struct vrtc_vring_desc);
			q->tables =
				rte_zmalloc("vrtc_fe_indirect", q->tables_bytes,
					    FE_INDIRECT_ENTRIES * sizeof(struct vrtc_vring_desc));
			if (q->tables == NULL)
				goto nomem;
		}
	}

	if (p->alarm) {
		fe->alarm_bufs = rte_zmalloc("vrtc_fe_alarm",
					     (size_t)p->alarm_buffers * FE_ALARM_BUF_STRIDE,
					     FE_ALARM_BUF_STRIDE);
		if (fe->alarm_bufs == NULL)
			goto nomem;
	}

	if (rte_mem_event_callback_register(FE_MEM_CB_NAME, mem_event, fe) == 0)
		fe->mem_cb = 1;
	else if (rte_errno != ENOTSUP) /* ENOTSUP: legacy memory, it never changes */
		FE_LOG(WARNING, fe->name,
		       "cannot watch EAL memory (%s): memory added later is not shared",
		       rte_strerror(rte_errno));
	return fe;

nomem:
	FE_LOG(ERR, fe->name, "cannot allocate rings in EAL memory");
	fe_free(fe);
	*err = -ENOMEM;
	return NULL;
}

int
vrtc_fe_create(const struct vrtc_fe_params *params, struct vrtc_fe **out)
{
	struct vrtc_fe_params p;
	struct vrtc_fe *fe;
	int ret;

	if (out != NULL)
		*out = NULL;
	if (params == NULL)
		return -EINVAL;
	ret = check_params(params, &p);
	if (ret != 0)
		return ret;

	pthread_mutex_lock(&fe_list_lock);
	if (lookup_locked(p.name) != NULL) {
		pthread_mutex_unlock(&fe_list_lock);
		FE_LOG(ERR, p.name, "a front-end with this name exists");
		return -EEXIST;
	}
	fe = fe_alloc(&p, &ret);
	if (fe == NULL) {
		pthread_mutex_unlock(&fe_list_lock);
		return ret;
	}
	/* Listed before connecting, which may take a while: the name is
	 * taken, and lookups do not wait for the connection. */
	TAILQ_INSERT_TAIL(&fe_list, fe, next);
	pthread_mutex_unlock(&fe_list_lock);

	ret = vrtc_fe_connect(fe);
	if (ret != 0) {
		pthread_mutex_lock(&fe_list_lock);
		TAILQ_REMOVE(&fe_list, fe, next);
		pthread_mutex_unlock(&fe_list_lock);
		fe_free(fe);
		return ret;
	}
	if (out != NULL)
		*out = fe;
	return 0;
}

int
vrtc_fe_destroy(struct vrtc_fe *fe)
{
	struct vrtc_fe *it;

	if (fe == NULL)
		return -EINVAL;
	pthread_mutex_lock(&fe_list_lock);
	TAILQ_FOREACH(it, &fe_list, next)
		if (it == fe)
			break;
	if (it == NULL) {
		pthread_mutex_unlock(&fe_list_lock);
		return -ENOENT;
	}
	TAILQ_REMOVE(&fe_list, fe, next);
	pthread_mutex_unlock(&fe_list_lock);

	/* No memory callback may run once this returns. */
	if (fe->mem_cb)
		rte_mem_event_callback_unregister(FE_MEM_CB_NAME, fe);
	fe->mem_cb = 0;
	vrtc_fe_disconnect(fe);
	FE_LOG(DEBUG, fe->name, "destroyed after %" PRIu64 " connection(s)", fe->connections);
	fe_free(fe);
	return 0;
}

uint64_t
vrtc_fe_features(const struct vrtc_fe *fe)
{
	return fe != NULL && fe->connected ? fe->features : 0;
}

uint16_t
vrtc_fe_nb_queues(const struct vrtc_fe *fe)
{
	return fe != NULL ? fe->nb_queues : 0;
}

/* ------------------------------------------------------------------------ */
/* Data path                                                                 */
/* ------------------------------------------------------------------------ */

#ifdef VRTC_FE_DEBUG
/* Debug builds only: is every buffer of @p r in EAL memory? */
static int
req_in_eal_memory(const struct vrtc_fe *fe, const struct vrtc_fe_req *r)
{
	if ((r->out != NULL && rte_mem_virt2memseg(r->out, NULL) == NULL) ||
	    (r->in != NULL && rte_mem_virt2memseg(r->in, NULL) == NULL)) {
		FE_LOG(ERR, fe->name, "request buffer %p/%p is not in EAL memory", r->out, r->in);
		return 0;
	}
	return 1;
}
#endif

static __rte_always_inline struct fe_queue *
data_queue(struct vrtc_fe *fe, uint16_t qid)
{
	if (unlikely(fe == NULL || qid >= fe->nb_queues || !fe->connected))
		return NULL;
	return &fe->q[qid];
}

/* Post up to @p n requests on @p q (not yet published). @return how many. */
static __rte_always_inline uint16_t
enqueue_reqs(const struct vrtc_fe *fe, struct fe_queue *q, const int packed,
	     const struct vrtc_fe_req *reqs, uint16_t n)
{
	uint16_t i;

	RTE_SET_USED(fe);
	for (i = 0; i < n; i++) {
		const struct vrtc_fe_req *r = &reqs[i];
		struct vrtc_drvq_buf bufs[2];
		uint16_t nb = 0;

#ifdef VRTC_FE_DEBUG
		if (!req_in_eal_memory(fe, r))
			break;
#endif
		/* GPA = VA: the buffers' own addresses go on the ring. */
		if (r->out != NULL && r->out_len != 0)
			bufs[nb++] = (struct vrtc_drvq_buf){ (uintptr_t)r->out, r->out_len, 0 };
		if (r->in != NULL && r->in_len != 0)
			bufs[nb++] = (struct vrtc_drvq_buf){ (uintptr_t)r->in, r->in_len, 1 };
		if (unlikely(nb == 0))
			break; /* nothing to post: not a request */
		if (unlikely(q_add(q, packed, bufs, nb, r->cookie) < 0))
			break; /* ring full, or broken */
	}
	return i;
}

uint16_t
vrtc_fe_enqueue(struct vrtc_fe *fe, uint16_t qid, const struct vrtc_fe_req *reqs, uint16_t n)
{
	struct fe_queue *q = data_queue(fe, qid);
	uint16_t i;

	/* The alarmq of an alarm front-end is the front-end's own. */
	if (unlikely(q == NULL || (qid == VRTC_RTC_ALARMQ && alarm_active(fe))))
		return 0;
	/* The ring layout is chosen once per burst, not per request. */
	i = q->dq.packed ? enqueue_reqs(fe, q, 1, reqs, n) : enqueue_reqs(fe, q, 0, reqs, n);
	if (i > 0 && vrtc_drvq_kick_prepare(&q->dq)) {
		static const uint64_t one = 1;

		q->kicks++;
		if (unlikely(write(q->kick_fd, &one, sizeof(one)) != (ssize_t)sizeof(one)))
			q->kick_errors++; /* EAGAIN: the counter is saturated, still a kick */
	}
	return i;
}

/* Report a broken latch once (outside the hot loop). */
static __rte_noinline void
report_broken(struct vrtc_fe *fe, uint16_t qid, struct fe_queue *q)
{
	static const char *const reasons[] = {
		[VRTC_DRVQ_OK] = "ok",
		[VRTC_DRVQ_BROKEN_USED_IDX] = "used index ran ahead of the requests in flight",
		[VRTC_DRVQ_BROKEN_USED_ID] = "used element names a descriptor not in flight",
		[VRTC_DRVQ_BROKEN_USED_LEN] = "used length above the writable bytes posted",
	};

	q->broken_logged = 1;
	FE_LOG(ERR, fe->name, "queue %u broken by the back-end: %s; reconnect to recover", qid,
	       vrtc_drvq_broken(&q->dq) < RTE_DIM(reasons) ? reasons[vrtc_drvq_broken(&q->dq)] : "?");
}

uint16_t
vrtc_fe_dequeue(struct vrtc_fe *fe, uint16_t qid, struct vrtc_fe_done *done, uint16_t n)
{
	struct fe_queue *q = data_queue(fe, qid);
	struct vrtc_drvq_done d[FE_DEQ_CHUNK];
	uint16_t nb = 0;

	if (unlikely(q == NULL || (qid == VRTC_RTC_ALARMQ && alarm_active(fe))))
		return 0;
	while (nb < n) {
		uint16_t want = RTE_MIN((uint16_t)(n - nb), (uint16_t)FE_DEQ_CHUNK);
		uint16_t got = vrtc_drvq_get_used(&q->dq, d, want), i;

		for (i = 0; i < got; i++) {
			done[nb + i].cookie = d[i].cookie;
			done[nb + i].len = d[i].len;
		}
		nb += got;
		if (got < want)
			break;
	}
	if (unlikely(vrtc_drvq_broken(&q->dq) != VRTC_DRVQ_OK) && !q->broken_logged)
		report_broken(fe, qid, q);
	return nb;
}

uint16_t
vrtc_fe_inflight(const struct vrtc_fe *fe, uint16_t qid)
{
	if (fe == NULL || qid >= fe->nb_queues || !fe->connected)
		return 0;
	return vrtc_drvq_inflight(&fe->q[qid].dq);
}

int
vrtc_fe_queue_broken(const struct vrtc_fe *fe, uint16_t qid)
{
	if (fe == NULL || qid >= fe->nb_queues || !fe->connected)
		return 0;
	return vrtc_drvq_broken(&fe->q[qid].dq) != VRTC_DRVQ_OK;
}

/* ------------------------------------------------------------------------ */
/* Alarms                                                                    */
/* ------------------------------------------------------------------------ */

uint16_t
vrtc_fe_alarm_poll(struct vrtc_fe *fe, struct vrtc_fe_alarm *out, uint16_t n)
{
	struct fe_queue *q = data_queue(fe, VRTC_RTC_ALARMQ);
	struct vrtc_drvq_done d[FE_DEQ_CHUNK];
	uint16_t nb = 0, got, i, reposted = 0;

	if (unlikely(q == NULL || !alarm_active(fe) || out == NULL))
		return 0;
	do {
		/* One completion per notification slot left: what does not
		 * fit stays on the ring. */
		uint16_t want = RTE_MIN((uint16_t)(n - nb), (uint16_t)FE_DEQ_CHUNK);

		got = want != 0 ? vrtc_drvq_get_used(&q->dq, d, want) : 0;
		for (i = 0; i < got; i++) {
			const uint8_t *b = d[i].cookie;
			uint16_t idx = (uint16_t)((b - fe->alarm_bufs) / FE_ALARM_BUF_STRIDE);
			int rc = vrtc_fe_alarm_decode(b, d[i].len, &out[nb].clock_id);

			fe->alarm_st.posted--;
			if (rc == 0) {
				fe->alarm_st.notifications++;
				nb++;
			} else if (rc == -EMSGSIZE) {
				fe->alarm_st.short_bufs++;
			} else {
				fe->alarm_st.unknown++;
			}
			if (alarm_post(fe, idx) == 0) {
				fe->alarm_st.reposted++;
				reposted++;
			} else {
				fe->alarm_st.repost_failed++;
			}
		}
	} while (got == FE_DEQ_CHUNK && nb < n);
	if (reposted != 0)
		alarm_kick(q);
	if (unlikely(vrtc_drvq_broken(&q->dq) != VRTC_DRVQ_OK) && !q->broken_logged)
		report_broken(fe, VRTC_RTC_ALARMQ, q);
	return nb;
}

int
vrtc_fe_alarm_stats_get(const struct vrtc_fe *fe, struct vrtc_fe_alarm_stats *st)
{
	if (fe == NULL || st == NULL)
		return -EINVAL;
	*st = fe->alarm_st;
	return 0;
}
