/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-rtcd authors
 */

/**
 * @file
 * Wire formats: the split and packed virtqueues, virtio-rtc (device ID 17) and
 * virtio-rng (device ID 4), as the VIRTIO 1.4 specification lays them out.
 *
 * Every multi-byte field is little-endian in guest memory. The structures
 * keep the specification's field names; only the type names carry the
 * project prefix. They have no implicit padding (checked at compile time
 * below), so they can be overlaid on guest memory or copied byte for byte.
 *
 * This is the one header that states the wire; nothing else in the project
 * repeats a wire constant.
 */

#ifndef VRTC_WIRE_H
#define VRTC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Device IDs and feature bits                                              */
/* ------------------------------------------------------------------------ */

#define VRTC_VIRTIO_ID_RNG 4   /**< virtio entropy device */
#define VRTC_VIRTIO_ID_CLOCK 17 /**< virtio-rtc device */

/** Feature bit numbers (use with vrtc_feature_has()). */
#define VRTC_VIRTIO_F_NOTIFY_ON_EMPTY 24
#define VRTC_VIRTIO_RING_F_INDIRECT_DESC 28
#define VRTC_VIRTIO_RING_F_EVENT_IDX 29
#define VRTC_VHOST_USER_F_PROTOCOL_FEATURES 30
#define VRTC_VIRTIO_F_VERSION_1 32
#define VRTC_VIRTIO_F_ACCESS_PLATFORM 33
#define VRTC_VIRTIO_F_RING_PACKED 34
/** virtio-rtc: the device supports alarms; queue 1 (alarmq) exists. */
#define VRTC_VIRTIO_RTC_F_ALARM 0

/** Return non-zero when feature bit @p bit is set in @p features. */
static inline int
vrtc_feature_has(uint64_t features, unsigned int bit)
{
	return bit < 64 && ((features >> bit) & 1) != 0;
}

/* ------------------------------------------------------------------------ */
/* Split virtqueue                                                          */
/* ------------------------------------------------------------------------ */

/** The largest queue size a split virtqueue may have. */
#define VRTC_VRING_MAX_SIZE 32768

#define VRTC_VRING_DESC_F_NEXT 1     /**< the chain continues at @c next */
#define VRTC_VRING_DESC_F_WRITE 2    /**< device-writable buffer */
#define VRTC_VRING_DESC_F_INDIRECT 4 /**< buffer is a descriptor table */

#define VRTC_VRING_AVAIL_F_NO_INTERRUPT 1 /**< driver: no used notification */
#define VRTC_VRING_USED_F_NO_NOTIFY 1     /**< device: no available kick */

/** One descriptor: a guest-physical buffer. */
struct vrtc_vring_desc {
	uint64_t addr;  /**< le64 guest-physical address */
	uint32_t len;   /**< le32 length in bytes */
	uint16_t flags; /**< le16 VRTC_VRING_DESC_F_* */
	uint16_t next;  /**< le16 next descriptor when F_NEXT is set */
};

/** Driver area. With EVENT_IDX, le16 used_event follows ring[size]. */
struct vrtc_vring_avail {
	uint16_t flags; /**< le16 VRTC_VRING_AVAIL_F_* */
	uint16_t idx;   /**< le16 free-running index of the next free slot */
	uint16_t ring[]; /**< le16 chain heads */
};

/** One used element. */
struct vrtc_vring_used_elem {
	uint32_t id;  /**< le32 head of the chain */
	uint32_t len; /**< le32 bytes the device wrote */
};

/** Device area. With EVENT_IDX, le16 avail_event follows ring[size]. */
struct vrtc_vring_used {
	uint16_t flags; /**< le16 VRTC_VRING_USED_F_* */
	uint16_t idx;   /**< le16 free-running index of the next free slot */
	struct vrtc_vring_used_elem ring[];
};

/** Alignments of the three split-ring areas (VIRTIO 1.x, 2.7). */
#define VRTC_VRING_DESC_ALIGN 16
#define VRTC_VRING_AVAIL_ALIGN 2
#define VRTC_VRING_USED_ALIGN 4

/** Bytes of the descriptor table for a queue of @p size entries. */
static inline size_t
vrtc_vring_desc_bytes(unsigned int size)
{
	return sizeof(struct vrtc_vring_desc) * (size_t)size;
}

/** Bytes of the driver area, including used_event. */
static inline size_t
vrtc_vring_avail_bytes(unsigned int size)
{
	return sizeof(struct vrtc_vring_avail) + sizeof(uint16_t) * ((size_t)size + 1);
}

/** Bytes of the device area, including avail_event. */
static inline size_t
vrtc_vring_used_bytes(unsigned int size)
{
	return sizeof(struct vrtc_vring_used) +
	       sizeof(struct vrtc_vring_used_elem) * (size_t)size + sizeof(uint16_t);
}

/* ------------------------------------------------------------------------ */
/* Packed virtqueue (VIRTIO_F_RING_PACKED)                                  */
/* ------------------------------------------------------------------------ */

/** The largest queue size a packed virtqueue may have (not a power of two). */
#define VRTC_PVIRTQ_MAX_SIZE 32768

/*
 * Descriptor flags: NEXT, WRITE and INDIRECT have the split ring's values
 * (VRTC_VRING_DESC_F_*); AVAIL and USED carry the wrap counters.
 */
#define VRTC_PVIRTQ_DESC_F_AVAIL (1u << 7) /**< driver's wrap counter when made available */
#define VRTC_PVIRTQ_DESC_F_USED (1u << 15) /**< device's wrap counter when used */

/** Event suppression @c flags values. */
#define VRTC_PVIRTQ_EVENT_F_ENABLE 0x0  /**< notifications wanted */
#define VRTC_PVIRTQ_EVENT_F_DISABLE 0x1 /**< no notifications */
#define VRTC_PVIRTQ_EVENT_F_DESC 0x2    /**< notify at off_wrap (needs EVENT_IDX) */

/** @c off_wrap: bits 0..14 a ring offset, bit 15 the wrap counter. */
#define VRTC_PVIRTQ_EVENT_WRAP_SHIFT 15
#define VRTC_PVIRTQ_EVENT_OFF_MASK 0x7FFFu

/** One packed descriptor; also the entry of an indirect table. */
struct vrtc_pvirtq_desc {
	uint64_t addr;  /**< le64 guest-physical address */
	uint32_t len;   /**< le32 length (used: bytes written) */
	uint16_t id;    /**< le16 buffer id (on the chain's last descriptor) */
	uint16_t flags; /**< le16 VRTC_VRING_DESC_F_* | VRTC_PVIRTQ_DESC_F_* */
};

/** Driver and device event suppression areas (one of each per queue). */
struct vrtc_pvirtq_event {
	uint16_t off_wrap; /**< le16 descriptor event offset and wrap counter */
	uint16_t flags;	   /**< le16 VRTC_PVIRTQ_EVENT_F_* (bits 0..1) */
};

/** Alignments of the three packed-ring areas (VIRTIO 1.x, 2.8.10). */
#define VRTC_PVIRTQ_DESC_ALIGN 16
#define VRTC_PVIRTQ_EVENT_ALIGN 4

/** Bytes of the descriptor ring for a queue of @p size entries. */
static inline size_t
vrtc_pvirtq_desc_bytes(unsigned int size)
{
	return sizeof(struct vrtc_pvirtq_desc) * (size_t)size;
}

/* ------------------------------------------------------------------------ */
/* virtio-rtc                                                               */
/* ------------------------------------------------------------------------ */

#define VRTC_RTC_REQUESTQ 0 /**< queue index of the requestq */
#define VRTC_RTC_ALARMQ 1   /**< queue index of the alarmq */

/** Message types (@c msg_type). */
#define VRTC_RTC_REQ_READ 0x0001
#define VRTC_RTC_REQ_READ_CROSS 0x0002
#define VRTC_RTC_REQ_CFG 0x1000
#define VRTC_RTC_REQ_CLOCK_CAP 0x1001
#define VRTC_RTC_REQ_CROSS_CAP 0x1002
#define VRTC_RTC_REQ_READ_ALARM 0x1003
#define VRTC_RTC_REQ_SET_ALARM 0x1004
#define VRTC_RTC_REQ_SET_ALARM_ENABLED 0x1005
#define VRTC_RTC_NOTIF_ALARM 0x2000

/** Response status codes (@c status). There is no status 1. */
#define VRTC_RTC_S_OK 0
#define VRTC_RTC_S_EOPNOTSUPP 2
#define VRTC_RTC_S_ENODEV 3
#define VRTC_RTC_S_EINVAL 4
#define VRTC_RTC_S_EIO 5
/** Number of status slots a per-status counter array needs. */
#define VRTC_RTC_S_COUNT 6

/** Clock types (@c type of CLOCK_CAP). */
#define VRTC_RTC_CLOCK_UTC 0
#define VRTC_RTC_CLOCK_TAI 1
#define VRTC_RTC_CLOCK_MONOTONIC 2
#define VRTC_RTC_CLOCK_UTC_SMEARED 3
#define VRTC_RTC_CLOCK_UTC_MAYBE_SMEARED 4

/** Leap-second smearing variants (@c leap_second_smearing). */
#define VRTC_RTC_SMEAR_UNSPECIFIED 0
#define VRTC_RTC_SMEAR_NOON_LINEAR 1
#define VRTC_RTC_SMEAR_UTC_SLS 2

/** Hardware counters (@c hw_counter). */
#define VRTC_RTC_COUNTER_ARM_VCT 0
#define VRTC_RTC_COUNTER_X86_TSC 1
#define VRTC_RTC_COUNTER_INVALID 0xFF

/** Flag bits. */
#define VRTC_RTC_FLAG_ALARM_CAP 0x01     /**< resp_clock_cap.flags */
#define VRTC_RTC_FLAG_CROSS_CAP 0x01     /**< resp_cross_cap.flags */
#define VRTC_RTC_FLAG_ALARM_ENABLED 0x01 /**< alarm flags */

/** Common request header. */
struct vrtc_rtc_req_head {
	uint16_t msg_type; /**< le16 VRTC_RTC_REQ_* */
	uint8_t reserved[6];
};

/** Common response header. */
struct vrtc_rtc_resp_head {
	uint8_t status; /**< VRTC_RTC_S_* */
	uint8_t reserved[7];
};

/** Common alarmq notification header. */
struct vrtc_rtc_notif_head {
	uint16_t msg_type; /**< le16 VRTC_RTC_NOTIF_* */
	uint8_t reserved[6];
};

struct vrtc_rtc_req_cfg {
	struct vrtc_rtc_req_head head;
};

struct vrtc_rtc_resp_cfg {
	struct vrtc_rtc_resp_head head;
	uint16_t num_clocks; /**< le16 */
	uint8_t reserved[6];
};

struct vrtc_rtc_req_clock_cap {
	struct vrtc_rtc_req_head head;
	uint16_t clock_id; /**< le16 */
	uint8_t reserved[6];
};

struct vrtc_rtc_resp_clock_cap {
	struct vrtc_rtc_resp_head head;
	uint8_t type;
	uint8_t leap_second_smearing;
	uint8_t flags;
	uint8_t reserved[5];
};

struct vrtc_rtc_req_cross_cap {
	struct vrtc_rtc_req_head head;
	uint16_t clock_id; /**< le16 */
	uint8_t hw_counter;
	uint8_t reserved[5];
};

struct vrtc_rtc_resp_cross_cap {
	struct vrtc_rtc_resp_head head;
	uint8_t flags;
	uint8_t reserved[7];
};

struct vrtc_rtc_req_read {
	struct vrtc_rtc_req_head head;
	uint16_t clock_id; /**< le16 */
	uint8_t reserved[6];
};

struct vrtc_rtc_resp_read {
	struct vrtc_rtc_resp_head head;
	uint64_t clock_reading; /**< le64 nanoseconds */
};

struct vrtc_rtc_req_read_cross {
	struct vrtc_rtc_req_head head;
	uint16_t clock_id; /**< le16 */
	uint8_t hw_counter;
	uint8_t reserved[5];
};

struct vrtc_rtc_resp_read_cross {
	struct vrtc_rtc_resp_head head;
	uint64_t clock_reading;  /**< le64 nanoseconds */
	uint64_t counter_cycles; /**< le64 */
};

struct vrtc_rtc_req_read_alarm {
	struct vrtc_rtc_req_head head;
	uint16_t clock_id; /**< le16 */
	uint8_t reserved[6];
};

struct vrtc_rtc_resp_read_alarm {
	struct vrtc_rtc_resp_head head;
	uint64_t alarm_time; /**< le64 nanoseconds */
	uint8_t flags;
	uint8_t reserved[7];
};

/** Note the order: alarm_time comes before clock_id. */
struct vrtc_rtc_req_set_alarm {
	struct vrtc_rtc_req_head head;
	uint64_t alarm_time; /**< le64 nanoseconds */
	uint16_t clock_id;   /**< le16 */
	uint8_t flags;
	uint8_t reserved[5];
};

struct vrtc_rtc_resp_set_alarm {
	struct vrtc_rtc_resp_head head;
};

struct vrtc_rtc_req_set_alarm_enabled {
	struct vrtc_rtc_req_head head;
	uint16_t clock_id; /**< le16 */
	uint8_t flags;
	uint8_t reserved[5];
};

struct vrtc_rtc_resp_set_alarm_enabled {
	struct vrtc_rtc_resp_head head;
};

struct vrtc_rtc_notif_alarm {
	struct vrtc_rtc_notif_head head;
	uint16_t clock_id; /**< le16 */
	uint8_t reserved[6];
};

/** The largest request and response of the requestq, in bytes. */
#define VRTC_RTC_REQ_MAX_BYTES 24
#define VRTC_RTC_RESP_MAX_BYTES 24

/* Layout checks: the specification's sizes and offsets. */
#define VRTC_WIRE_CHECK(cond) _Static_assert(cond, #cond)
VRTC_WIRE_CHECK(sizeof(struct vrtc_vring_desc) == 16);
VRTC_WIRE_CHECK(sizeof(struct vrtc_vring_used_elem) == 8);
VRTC_WIRE_CHECK(sizeof(struct vrtc_vring_avail) == 4);
VRTC_WIRE_CHECK(sizeof(struct vrtc_vring_used) == 4);
VRTC_WIRE_CHECK(sizeof(struct vrtc_pvirtq_desc) == 16);
VRTC_WIRE_CHECK(offsetof(struct vrtc_pvirtq_desc, len) == 8);
VRTC_WIRE_CHECK(offsetof(struct vrtc_pvirtq_desc, id) == 12);
VRTC_WIRE_CHECK(offsetof(struct vrtc_pvirtq_desc, flags) == 14);
VRTC_WIRE_CHECK(sizeof(struct vrtc_pvirtq_event) == 4);
VRTC_WIRE_CHECK(offsetof(struct vrtc_pvirtq_event, flags) == 2);
VRTC_WIRE_CHECK(VRTC_PVIRTQ_MAX_SIZE - 1 <= VRTC_PVIRTQ_EVENT_OFF_MASK);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_req_head) == 8);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_resp_head) == 8);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_req_cfg) == 8);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_resp_cfg) == 16);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_req_clock_cap) == 16);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_resp_clock_cap) == 16);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_req_cross_cap) == 16);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_resp_cross_cap) == 16);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_req_read) == 16);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_resp_read) == 16);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_req_read_cross) == 16);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_resp_read_cross) == 24);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_req_read_alarm) == 16);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_resp_read_alarm) == 24);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_req_set_alarm) == 24);
VRTC_WIRE_CHECK(offsetof(struct vrtc_rtc_req_set_alarm, alarm_time) == 8);
VRTC_WIRE_CHECK(offsetof(struct vrtc_rtc_req_set_alarm, clock_id) == 16);
VRTC_WIRE_CHECK(offsetof(struct vrtc_rtc_req_set_alarm, flags) == 18);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_resp_set_alarm) == 8);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_req_set_alarm_enabled) == 16);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_resp_set_alarm_enabled) == 8);
VRTC_WIRE_CHECK(sizeof(struct vrtc_rtc_notif_alarm) == 16);
VRTC_WIRE_CHECK(offsetof(struct vrtc_rtc_resp_clock_cap, flags) == 10);
VRTC_WIRE_CHECK(offsetof(struct vrtc_rtc_req_cross_cap, hw_counter) == 10);
#undef VRTC_WIRE_CHECK

#ifdef __cplusplus
}
#endif

#endif /* VRTC_WIRE_H */
