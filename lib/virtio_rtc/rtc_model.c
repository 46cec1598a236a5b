/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/*
 * virtio-rtc requestq model. See rtc_model.h for the rules and their order,
 * doc/virtio-rtc.md for how they map onto the specification.
 *
 * Guest memory is hostile: the request is copied once into private memory
 * (at most the largest request, whatever the readable part holds) and only
 * that copy is parsed; the response is built privately and copied out once.
 *
 * Messages are described by a table (sizes, where the clock_id sits, whether
 * the alarm feature is needed, handler). The generic checks run from the
 * table in the documented order; a handler only sees a request that fits,
 * a response buffer that fits and, when the message has one, a valid clock.
 * A handler returns the status; on OK it has written every response byte
 * after the 8-byte header (the header is written once, by the caller).
 *
 * Reserved request bytes are ignored: the driver must zero them, but the
 * spec gives the device no status for a driver that does not, and the
 * existing drivers and devices neither send nor check them. Being lenient
 * there cannot make a correct driver fail.
 *
 * Alarms (rtc_model.h, struct vrtc_rtc_alarm): the requestq handlers change
 * an alarm and record an expiry the change itself causes; the poller calls
 * vrtc_rtc_alarms_evaluate() to see clocks reach alarm times, and
 * vrtc_rtc_alarm_deliver() to write NOTIF_ALARM into an alarmq buffer. All
 * of it runs on the one thread serving the device, so a disable handled
 * here has dropped the undelivered expiry before its response is used
 * (spec: "before the response buffer is used").
 */

#include <endian.h>
#include <errno.h>
#include <string.h>

#include "guest_write.h"
#include "platform.h"
#include "rtc_model.h"

/* Private copies of a request and of a response. */
union req {
	uint8_t raw[VRTC_RTC_REQ_MAX_BYTES];
	struct vrtc_rtc_req_head head;
	struct vrtc_rtc_req_cross_cap cross_cap;
	struct vrtc_rtc_req_read_cross read_cross;
	struct vrtc_rtc_req_read_alarm read_alarm;
	struct vrtc_rtc_req_set_alarm set_alarm;
	struct vrtc_rtc_req_set_alarm_enabled set_alarm_enabled;
	uint64_t align_;
};

union resp {
	uint8_t raw[VRTC_RTC_RESP_MAX_BYTES];
	struct vrtc_rtc_resp_head head;
	struct vrtc_rtc_resp_cfg cfg;
	struct vrtc_rtc_resp_clock_cap clock_cap;
	struct vrtc_rtc_resp_cross_cap cross_cap;
	struct vrtc_rtc_resp_read read;
	struct vrtc_rtc_resp_read_cross read_cross;
	struct vrtc_rtc_resp_read_alarm read_alarm;
	uint64_t align_;
};

#define HEAD_BYTES sizeof(struct vrtc_rtc_req_head)
_Static_assert(sizeof(struct vrtc_rtc_req_head) == sizeof(struct vrtc_rtc_resp_head),
	       "request and response headers are both 8 bytes");

/*
 * A handler: @clk is the addressed clock (NULL for messages without a
 * clock_id). Returns a VRTC_RTC_S_* status; on OK every response byte after
 * the header is written.
 */
typedef uint8_t (*msg_handler_t)(struct vrtc_rtc_model *m, const struct vrtc_clock *clk,
				 const union req *rq, union resp *rs);

struct msg_desc {
	const char *name;
	uint8_t req_bytes;
	uint8_t resp_bytes;
	uint8_t clock_off; /* offset of le16 clock_id in the request; 0: none */
	uint8_t alarm;	   /* needs VIRTIO_RTC_F_ALARM */
	msg_handler_t handle;
};

/* ------------------------------------------------------------------------ */
/* Handlers                                                                 */
/* ------------------------------------------------------------------------ */

/* Rule 8: the counters this device knows. */
static inline uint8_t
counter_status(uint8_t hw_counter)
{
	if (hw_counter == VRTC_RTC_COUNTER_ARM_VCT || hw_counter == VRTC_RTC_COUNTER_X86_TSC)
		return VRTC_RTC_S_OK;
	if (hw_counter == VRTC_RTC_COUNTER_INVALID)
		return VRTC_RTC_S_EINVAL;
	return VRTC_RTC_S_EOPNOTSUPP;
}

static uint8_t
h_cfg(struct vrtc_rtc_model *m, const struct vrtc_clock *clk, const union req *rq,
      union resp *rs)
{
	(void)clk;
	(void)rq;
	rs->cfg.num_clocks = htole16(m->nb_clocks);
	memset(rs->cfg.reserved, 0, sizeof(rs->cfg.reserved));
	return VRTC_RTC_S_OK;
}

static uint8_t
h_clock_cap(struct vrtc_rtc_model *m, const struct vrtc_clock *clk, const union req *rq,
	    union resp *rs)
{
	(void)rq;
	rs->clock_cap.type = clk->type;
	rs->clock_cap.leap_second_smearing = clk->smearing;
	rs->clock_cap.flags = 0;
	if (clk->alarm && vrtc_feature_has(m->features, VRTC_VIRTIO_RTC_F_ALARM))
		rs->clock_cap.flags = VRTC_RTC_FLAG_ALARM_CAP;
	memset(rs->clock_cap.reserved, 0, sizeof(rs->clock_cap.reserved));
	return VRTC_RTC_S_OK;
}

static uint8_t
h_cross_cap(struct vrtc_rtc_model *m, const struct vrtc_clock *clk, const union req *rq,
	    union resp *rs)
{
	uint8_t hw = rq->cross_cap.hw_counter;
	uint8_t st = counter_status(hw);

	(void)m;
	if (st != VRTC_RTC_S_OK)
		return st;
	/* A known counter the clock cannot pair with: OK, flag clear. Linux
	 * on Arm fails its probe on anything but OK here. */
	rs->cross_cap.flags = 0;
	if (clk->ops->cross_capable != NULL && clk->ops->cross_capable(clk->ctx, hw))
		rs->cross_cap.flags = VRTC_RTC_FLAG_CROSS_CAP;
	memset(rs->cross_cap.reserved, 0, sizeof(rs->cross_cap.reserved));
	return VRTC_RTC_S_OK;
}

static uint8_t
h_read(struct vrtc_rtc_model *m, const struct vrtc_clock *clk, const union req *rq,
       union resp *rs)
{
	uint64_t ns;

	(void)rq;
	if (vrtc_unlikely(clk->ops->read(clk->ctx, &ns) != 0))
		return VRTC_RTC_S_EIO;
	rs->read.clock_reading = htole64(ns);
	m->stats.reads++;
	return VRTC_RTC_S_OK;
}

static uint8_t
h_read_cross(struct vrtc_rtc_model *m, const struct vrtc_clock *clk, const union req *rq,
	     union resp *rs)
{
	uint8_t hw = rq->read_cross.hw_counter;
	uint8_t st = counter_status(hw);
	uint64_t ns, cycles;
	int ret;

	if (st != VRTC_RTC_S_OK)
		return st;
	if (clk->ops->read_cross == NULL)
		return VRTC_RTC_S_EOPNOTSUPP;
	ret = clk->ops->read_cross(clk->ctx, hw, &ns, &cycles);
	if (ret == -EOPNOTSUPP)
		return VRTC_RTC_S_EOPNOTSUPP;
	if (ret != 0)
		return VRTC_RTC_S_EIO;
	rs->read_cross.clock_reading = htole64(ns);
	rs->read_cross.counter_cycles = htole64(cycles);
	m->stats.cross_reads++;
	return VRTC_RTC_S_OK;
}

/* ---- alarms ------------------------------------------------------------ */

static inline uint16_t
clock_index(const struct vrtc_rtc_model *m, const struct vrtc_clock *clk)
{
	return (uint16_t)(clk - m->clocks);
}

/* An expiry event of alarm @p id: one undelivered notification. */
static void
alarm_expire(struct vrtc_rtc_model *m, uint16_t id)
{
	struct vrtc_rtc_alarm *a = &m->alarms[id];

	m->alarm_stats.expired++;
	if (a->pending) {
		m->alarm_stats.coalesced++;
		return;
	}
	a->pending = 1;
	m->pending |= UINT32_C(1) << id;
}

/* Drop the undelivered expiry of alarm @p id, if any. */
static void
alarm_cancel(struct vrtc_rtc_model *m, uint16_t id)
{
	struct vrtc_rtc_alarm *a = &m->alarms[id];

	if (!a->pending)
		return;
	a->pending = 0;
	m->pending &= ~(UINT32_C(1) << id);
	m->alarm_stats.cancelled++;
}

/*
 * The driver set the time or the enabled flag of alarm @p id with the
 * clock at @p now: enabled and the time not in the future is an expiry.
 */
static void
alarm_changed(struct vrtc_rtc_model *m, uint16_t id, uint64_t now)
{
	struct vrtc_rtc_alarm *a = &m->alarms[id];

	a->reached = now >= a->time;
	if (a->enabled && a->reached)
		alarm_expire(m, id);
	m->alarms_dirty = 1;
}

/* Checks shared by the three alarm requests (D23): the clock has an alarm. */
static inline int
alarm_clock(const struct vrtc_rtc_model *m, const struct vrtc_clock *clk)
{
	return clk->alarm && (m->alarm_clocks & (UINT32_C(1) << clock_index(m, clk))) != 0;
}

/* A request that changes the alarm of @p clk: the clock has one, and is
 * read first (the change may be an expiry). */
static inline uint8_t
alarm_clock_now(const struct vrtc_rtc_model *m, const struct vrtc_clock *clk, uint64_t *now)
{
	if (!alarm_clock(m, clk))
		return VRTC_RTC_S_ENODEV;
	if (vrtc_unlikely(clk->ops->read(clk->ctx, now) != 0))
		return VRTC_RTC_S_EIO;
	return VRTC_RTC_S_OK;
}

static uint8_t
h_read_alarm(struct vrtc_rtc_model *m, const struct vrtc_clock *clk, const union req *rq,
	     union resp *rs)
{
	const struct vrtc_rtc_alarm *a;

	(void)rq;
	if (!alarm_clock(m, clk))
		return VRTC_RTC_S_ENODEV;
	a = &m->alarms[clock_index(m, clk)];
	rs->read_alarm.alarm_time = htole64(a->time);
	rs->read_alarm.flags = a->enabled ? VRTC_RTC_FLAG_ALARM_ENABLED : 0;
	memset(rs->read_alarm.reserved, 0, sizeof(rs->read_alarm.reserved));
	return VRTC_RTC_S_OK;
}

/*
 * SET_ALARM: a new time and enabled flag. The clock is read first: when it
 * cannot be read the alarm is left as it was and the answer is EIO. An
 * undelivered expiry belongs to the old time and is dropped (spec: a
 * re-armed alarm may drop earlier events; a disable must).
 */
static uint8_t
h_set_alarm(struct vrtc_rtc_model *m, const struct vrtc_clock *clk, const union req *rq,
	    union resp *rs)
{
	uint16_t id = clock_index(m, clk);
	struct vrtc_rtc_alarm *a = &m->alarms[id];
	uint64_t now;
	uint8_t st = alarm_clock_now(m, clk, &now);

	(void)rs;
	if (st != VRTC_RTC_S_OK)
		return st;
	alarm_cancel(m, id);
	a->time = le64toh(rq->set_alarm.alarm_time);
	a->enabled = (rq->set_alarm.flags & VRTC_RTC_FLAG_ALARM_ENABLED) != 0;
	alarm_changed(m, id, now);
	m->alarm_stats.set++;
	return VRTC_RTC_S_OK;
}

/*
 * SET_ALARM_ENABLED: the time is kept. A disable drops the undelivered
 * expiry; an enable with the time not in the future is an expiry, also
 * when the alarm was enabled already (the driver enabled it again).
 */
static uint8_t
h_set_alarm_enabled(struct vrtc_rtc_model *m, const struct vrtc_clock *clk,
		    const union req *rq, union resp *rs)
{
	uint16_t id = clock_index(m, clk);
	struct vrtc_rtc_alarm *a = &m->alarms[id];
	uint64_t now;
	uint8_t st = alarm_clock_now(m, clk, &now);

	(void)rs;
	if (st != VRTC_RTC_S_OK)
		return st;
	a->enabled = (rq->set_alarm_enabled.flags & VRTC_RTC_FLAG_ALARM_ENABLED) != 0;
	if (!a->enabled)
		alarm_cancel(m, id);
	alarm_changed(m, id, now);
	m->alarm_stats.enabled_set++;
	return VRTC_RTC_S_OK;
}

uint64_t
vrtc_rtc_alarms_evaluate(struct vrtc_rtc_model *m, uint64_t mono_now_ns)
{
	uint64_t next = UINT64_MAX;
	uint32_t armed = m->alarm_clocks;

	m->alarms_dirty = 0;
	m->alarm_stats.evaluations++;
	while (armed != 0) {
		uint16_t id = (uint16_t)__builtin_ctz(armed);
		struct vrtc_rtc_alarm *a = &m->alarms[id];
		const struct vrtc_clock *clk = &m->clocks[id];
		uint64_t now, dist, at;

		armed &= armed - 1;
		if (!a->enabled)
			continue;
		if (clk->ops->read(clk->ctx, &now) != 0) {
			/* Look again soon: a clock that cannot be read now
			 * may be readable at the next evaluation. */
			dist = VRTC_RTC_ALARM_RECHECK_NS;
		} else {
			if (now >= a->time) {
				if (!a->reached)
					alarm_expire(m, id);
				a->reached = 1;
				/* Still enabled: should the clock go back
				 * before the time, reaching it again is a new
				 * expiry, so it is looked at again. */
				dist = VRTC_RTC_ALARM_RECHECK_NS;
			} else {
				a->reached = 0;
				dist = a->time - now;
				if (dist > VRTC_RTC_ALARM_RECHECK_NS)
					dist = VRTC_RTC_ALARM_RECHECK_NS;
			}
		}
		at = mono_now_ns + dist;
		if (at < mono_now_ns)
			at = UINT64_MAX - 1;
		if (at < next)
			next = at;
	}
	return next;
}

uint32_t
vrtc_rtc_alarm_deliver(struct vrtc_rtc_model *m, const struct vrtc_chain *chain)
{
	struct vrtc_rtc_notif_alarm n;
	uint16_t id;

	if (m->pending == 0)
		return 0;
	id = (uint16_t)__builtin_ctz(m->pending);
	m->pending &= ~(UINT32_C(1) << id);
	m->alarms[id].pending = 0;
	memset(&n, 0, sizeof(n));
	n.head.msg_type = htole16(VRTC_RTC_NOTIF_ALARM);
	n.clock_id = htole16(id);
	m->alarm_stats.notifications++;
	return (uint32_t)vrtc_chain_write(chain, &n, sizeof(n));
}

void
vrtc_rtc_alarms_reset(struct vrtc_rtc_model *m)
{
	m->pending = 0;
	memset(m->alarms, 0, sizeof(m->alarms));
	m->alarms_dirty = 1;
}

/* ------------------------------------------------------------------------ */
/* Dispatch                                                                 */
/* ------------------------------------------------------------------------ */

enum {
	MSG_READ,
	MSG_READ_CROSS,
	MSG_CFG,
	MSG_CLOCK_CAP,
	MSG_CROSS_CAP,
	MSG_READ_ALARM,
	MSG_SET_ALARM,
	MSG_SET_ALARM_ENABLED,
	MSG_COUNT
};

#define MSG(idx, type_, req, resp, clk_off, alarm_, fn)                                          \
	[idx] = {                                                                                 \
		.name = #type_,                                                                   \
		.req_bytes = sizeof(struct req),                                                  \
		.resp_bytes = sizeof(struct resp),                                                \
		.clock_off = clk_off,                                                             \
		.alarm = alarm_,                                                                  \
		.handle = fn,                                                                     \
	}

#define CLOCK_AT(s) offsetof(struct s, clock_id)

static const struct msg_desc msgs[MSG_COUNT] = {
	MSG(MSG_READ, READ, vrtc_rtc_req_read, vrtc_rtc_resp_read, CLOCK_AT(vrtc_rtc_req_read),
	    0, h_read),
	MSG(MSG_READ_CROSS, READ_CROSS, vrtc_rtc_req_read_cross, vrtc_rtc_resp_read_cross,
	    CLOCK_AT(vrtc_rtc_req_read_cross), 0, h_read_cross),
	MSG(MSG_CFG, CFG, vrtc_rtc_req_cfg, vrtc_rtc_resp_cfg, 0, 0, h_cfg),
	MSG(MSG_CLOCK_CAP, CLOCK_CAP, vrtc_rtc_req_clock_cap, vrtc_rtc_resp_clock_cap,
	    CLOCK_AT(vrtc_rtc_req_clock_cap), 0, h_clock_cap),
	MSG(MSG_CROSS_CAP, CROSS_CAP, vrtc_rtc_req_cross_cap, vrtc_rtc_resp_cross_cap,
	    CLOCK_AT(vrtc_rtc_req_cross_cap), 0, h_cross_cap),
	MSG(MSG_READ_ALARM, READ_ALARM, vrtc_rtc_req_read_alarm, vrtc_rtc_resp_read_alarm,
	    CLOCK_AT(vrtc_rtc_req_read_alarm), 1, h_read_alarm),
	MSG(MSG_SET_ALARM, SET_ALARM, vrtc_rtc_req_set_alarm, vrtc_rtc_resp_set_alarm,
	    CLOCK_AT(vrtc_rtc_req_set_alarm), 1, h_set_alarm),
	MSG(MSG_SET_ALARM_ENABLED, SET_ALARM_ENABLED, vrtc_rtc_req_set_alarm_enabled,
	    vrtc_rtc_resp_set_alarm_enabled, CLOCK_AT(vrtc_rtc_req_set_alarm_enabled), 1,
	    h_set_alarm_enabled),
};

#undef MSG
#undef CLOCK_AT

/*
 * The one read of guest request memory: what vrtc_chain_read() would copy,
 * with fixed-size copies for the shapes drivers post (the request in one
 * readable buffer of its exact size, or a larger one).
 */
static inline size_t
read_request(const struct vrtc_chain *chain, union req *rq)
{
	if (vrtc_likely(chain->nb_readable != 0)) {
		const struct vrtc_seg *s = &chain->segs[0];

		if (s->len >= sizeof(rq->raw)) {
			memcpy(rq->raw, s->addr, sizeof(rq->raw));
			return sizeof(rq->raw);
		}
		if (s->len == 16 && chain->nb_readable == 1) {
			memcpy(rq->raw, s->addr, 16);
			return 16;
		}
	}
	return vrtc_chain_read(chain, rq->raw, sizeof(rq->raw));
}

/* What vrtc_chain_write() does, with fixed-size copies for the response
 * sizes (8, 16, 24 bytes) when the first writable buffer holds them. */
static inline uint32_t
write_response(const struct vrtc_chain *chain, const union resp *rs, uint32_t len)
{
	if (vrtc_likely(chain->nb_writable != 0)) {
		const struct vrtc_seg *s = vrtc_chain_writable_seg(chain, 0);

		if (vrtc_likely(s->len >= len)) {
			switch (len) {
			case 8:
				vrtc_gw_write(chain, s, 0, rs->raw, 8);
				return 8;
			case 16:
				vrtc_gw_write(chain, s, 0, rs->raw, 16);
				return 16;
			case 24:
				vrtc_gw_write(chain, s, 0, rs->raw, 24);
				return 24;
			default:
				break;
			}
		}
	}
	return (uint32_t)vrtc_chain_write(chain, rs->raw, len);
}

static inline const struct msg_desc *
msg_lookup(uint16_t msg_type)
{
	/* READ first: it is most of the traffic. */
	if (vrtc_likely(msg_type == VRTC_RTC_REQ_READ))
		return &msgs[MSG_READ];
	switch (msg_type) {
	case VRTC_RTC_REQ_READ:
		return &msgs[MSG_READ];
	case VRTC_RTC_REQ_READ_CROSS:
		return &msgs[MSG_READ_CROSS];
	case VRTC_RTC_REQ_CFG:
		return &msgs[MSG_CFG];
	case VRTC_RTC_REQ_CLOCK_CAP:
		return &msgs[MSG_CLOCK_CAP];
	case VRTC_RTC_REQ_CROSS_CAP:
		return &msgs[MSG_CROSS_CAP];
	case VRTC_RTC_REQ_READ_ALARM:
		return &msgs[MSG_READ_ALARM];
	case VRTC_RTC_REQ_SET_ALARM:
		return &msgs[MSG_SET_ALARM];
	case VRTC_RTC_REQ_SET_ALARM_ENABLED:
		return &msgs[MSG_SET_ALARM_ENABLED];
	default:
		return NULL;
	}
}

uint32_t
vrtc_rtc_handle(struct vrtc_rtc_model *m, const struct vrtc_chain *chain)
{
	const struct vrtc_clock *clk = NULL;
	const struct msg_desc *d;
	union resp rs;
	union req rq;
	size_t got;
	uint32_t used;
	uint16_t id;
	uint8_t st;

	m->stats.requests++;

	/* 1: not even the status byte fits (D7). */
	if (vrtc_unlikely(chain->writable_bytes == 0)) {
		m->stats.no_status++;
		return 0;
	}

	/* The one read of guest request memory. */
	got = read_request(chain, &rq);

	/* 2: no header (D5). */
	if (vrtc_unlikely(got < HEAD_BYTES)) {
		st = VRTC_RTC_S_EINVAL;
		goto error;
	}
	/* 3: unknown type (D2). */
	d = msg_lookup(le16toh(rq.head.msg_type));
	if (vrtc_unlikely(d == NULL)) {
		st = VRTC_RTC_S_EOPNOTSUPP;
		goto error;
	}
	/* 4, 5: request, response do not fit (D5, D6). */
	if (vrtc_unlikely(got < d->req_bytes || chain->writable_bytes < d->resp_bytes)) {
		st = VRTC_RTC_S_EINVAL;
		goto error;
	}
	/* 6: alarm requests without the feature (D23). */
	if (vrtc_unlikely(d->alarm && !vrtc_feature_has(m->features, VRTC_VIRTIO_RTC_F_ALARM))) {
		st = VRTC_RTC_S_ENODEV;
		goto error;
	}
	/* 7: clock_id (D3, D12). */
	if (d->clock_off != 0) {
		memcpy(&id, rq.raw + d->clock_off, sizeof(id));
		id = le16toh(id);
		if (vrtc_unlikely(id >= m->nb_clocks)) {
			st = VRTC_RTC_S_ENODEV;
			goto error;
		}
		clk = &m->clocks[id];
	}
	/* 8, 9: per message. */
	st = d->handle(m, clk, &rq, &rs);
	if (vrtc_unlikely(st != VRTC_RTC_S_OK))
		goto error;
	memset(&rs.head, 0, sizeof(rs.head)); /* status OK, reserved zero */
	m->stats.status[VRTC_RTC_S_OK]++;
	used = write_response(chain, &rs, d->resp_bytes);
	m->stats.response_bytes += used;
	return used;

error:
	memset(&rs.head, 0, sizeof(rs.head));
	rs.head.status = st;
	m->stats.status[st]++;
	/* The header, or as much of it as fits. */
	used = write_response(chain, &rs, sizeof(rs.head));
	m->stats.response_bytes += used;
	return used;
}

/* ------------------------------------------------------------------------ */
/* Set-up                                                                   */
/* ------------------------------------------------------------------------ */

/* D13: the types the spec defines, and the experimental range. */
static int
type_valid(uint8_t type)
{
	return type <= VRTC_RTC_CLOCK_UTC_MAYBE_SMEARED || type >= 0xF0;
}

/* D14: smearing only on UTC_SMEARED, and then a defined or experimental value. */
static int
smearing_valid(uint8_t type, uint8_t smearing)
{
	if (type != VRTC_RTC_CLOCK_UTC_SMEARED)
		return smearing == VRTC_RTC_SMEAR_UNSPECIFIED;
	return smearing <= VRTC_RTC_SMEAR_UTC_SLS || smearing >= 0xF0;
}

int
vrtc_rtc_model_init(struct vrtc_rtc_model *m, const struct vrtc_clock *clocks, uint16_t nb)
{
	uint16_t i;

	if (m == NULL || nb > VRTC_RTC_MAX_CLOCKS || (nb != 0 && clocks == NULL))
		return -EINVAL;
	for (i = 0; i < nb; i++) {
		const struct vrtc_clock *c = &clocks[i];

		if (c->ops == NULL || c->ops->read == NULL || !type_valid(c->type) ||
		    !smearing_valid(c->type, c->smearing))
			return -EINVAL;
	}
	memset(m, 0, sizeof(*m));
	m->nb_clocks = nb;
	for (i = 0; i < nb; i++) {
		m->clocks[i] = clocks[i];
		if (clocks[i].alarm)
			m->alarm_clocks |= UINT32_C(1) << i;
	}
	return 0;
}

uint64_t
vrtc_rtc_model_offered_features(const struct vrtc_rtc_model *m)
{
	return m->alarm_clocks != 0 ? UINT64_C(1) << VRTC_VIRTIO_RTC_F_ALARM : 0;
}

void
vrtc_rtc_model_set_features(struct vrtc_rtc_model *m, uint64_t negotiated)
{
	m->features = negotiated;
	if (!vrtc_feature_has(negotiated, VRTC_VIRTIO_RTC_F_ALARM))
		vrtc_rtc_alarms_reset(m);
}

const char *
vrtc_rtc_msg_name(uint16_t msg_type)
{
	const struct msg_desc *d = msg_lookup(msg_type);

	if (d != NULL)
		return d->name;
	if (msg_type == VRTC_RTC_NOTIF_ALARM)
		return "NOTIF_ALARM";
	return NULL;
}
