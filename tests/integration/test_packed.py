#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
"""Packed virtqueues (VIRTIO_F_RING_PACKED) of dpdk-rtcd over real sockets (issue 12).

    test_packed.py --build BUILD_DIR [--sanitize S] [--poll busy|adaptive] [--case NAME ...] all|list

One daemon serves:
  rtc_vhost0 (rtc.sock)   packed=1, alarm=utc
  rng_vhost0 (rng.sock)   (the hostile harness's daemon wants one; split only)
  rng_vhost1 (rng1.sock)  packed=1
  rtc_vhost1 (rtc1.sock)  defaults: packed rings not offered
vhu.py's PackedRing is the driver (for rtc under test_alarm.py's AlarmDev):
descriptor ring with avail/used wrap counters and buffer ids. Each case checks one thing: READ/CFG round trips
over many laps of the ring (a power of two and another size), indirect tables
with EVENT_IDX, driver and device event suppression, rng fills, alarm
notifications (past and future alarms, also into a buffer of two
descriptors), held alarmq buffers across GET_VRING_BASE / SET_VRING_BASE (the
base carries the wrap counter in bit 15; a rewind across the ring end) and
across a SET_MEM_TABLE, a bad chain, a bad buffer id, a wrong wrap counter in
the base, a base beyond the ring in either half (refused by the front door),
the 32-bit base QEMU sends (used index and wrap counter above bit 15), a reconnect
(packed again, then split on the same device), and that packed is offered
only with packed=1. A case that fails gets a fresh daemon.
Exit status: 0 all passed, 1 a case failed, 77 skipped (with the reason).
"""

import argparse
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhu  # noqa: E402
import test_hostile as th  # noqa: E402
import test_alarm as ta  # noqa: E402
import caserun  # noqa: E402
from caserun import Fail, check, SKIP  # noqa: E402
from test_alarm import NS, S_OK  # noqa: E402
from vhu import Closed, Timeout  # noqa: E402

CASE_SECONDS = 40
WRAP = 1 << 15


POLL = {"mode": "busy"}


class Daemon(th.Daemon):
    def __init__(self, build):
        super().__init__(build, rtc_args=",unsealed=1,packed=1,alarm=utc",
                         extra_devices=["rng_vhost1,iface=RNG1,packed=1",
                                        "rtc_vhost1,iface=RTC1"],
                         app_args=["-p", POLL["mode"]])
        self.args = [a.replace("RNG1", self.sock("rng1")).replace("RTC1", self.sock("rtc1"))
                     for a in self.args]


class Ctx(caserun.Ctx):
    def rtc(self, sock="rtc", qsize=64, packed=True, up=True):
        a = ta.AlarmDev(self.d.sock(sock), qsize=qsize, packed=packed)
        self.opened.append(a)
        return a.up() if up else a

    def rng(self, sock="rng1", qsize=64):
        dv = vhu.Device(self.d.sock(sock), "rng", qsize=qsize, packed=True)
        self.opened.append(dv)
        return dv.up()



CASES = {}
case = caserun.registry(CASES)  # @case(desc)


def packed_negotiated(a):
    check(a.features & (1 << vhu.F_RING_PACKED), f"features 0x{a.features:x} lack RING_PACKED")


def reads(a, n):
    """n READs of clock 0, each checked, the times non-decreasing."""
    last = 0
    for k in range(n):
        t = a.read(0)
        check(t >= last, f"READ {k}: time went back ({t} < {last})")
        last = t


@case("READ and CFG round trips over six laps of a 64-descriptor packed ring")
def rtc_round_trips(ctx):
    a = ctx.rtc()
    packed_negotiated(a)
    check(a.num_clocks() >= 1, "no clock")
    reads(a, 200)   # two descriptors each: 400 descriptors, the wrap counter flips 6 times
    r = a.dv.rings[0]
    check(r.used_seen == 201, f"{r.used_seen} used descriptors read back, want 201")


@case("a packed ring of 50 descriptors (not a power of two): READs over four laps")
def rtc_odd_size(ctx):
    a = ctx.rtc(qsize=50)
    packed_negotiated(a)
    reads(a, 100)


@case("rng over a packed ring: 150 fills of 64 bytes, each written whole")
def rng_fill(ctx):
    dv = ctx.rng()
    check(dv.features & (1 << vhu.F_RING_PACKED), "RING_PACKED not negotiated")
    seen = set()
    for k in range(150):
        r = dv.transact(0, timeout=ta.DUE_S)
        check(r is not None, f"rng request {k} not answered")
        check(r[1] == 64, f"rng request {k}: used length {r[1]}, want 64")
    # The last buffers: not the pattern left there, and not all equal.
    for k in range(8):
        off = dv.buf + ((2 * k) % dv.qsize) * 64
        seen.add(dv.mem.read(off, 64))
    check(len(seen) == 8, "rng buffers repeat")


@case("an alarm notification into a packed alarmq buffer")
def alarm_notification(ctx):
    a = ctx.rtc()
    c = a.alarm_clock()
    i = a.post_alarm_buf()
    a.quiet("no alarm set yet", t=0.2)
    a.set_alarm(c, a.read(c) - NS)
    j, clock = a.notification()
    check(j == i and clock == c, f"notification in buffer {j} for clock {clock}")
    a.set_enabled(c, False)


def stop_rings(a, queues=(0, 1)):
    return {q: a.dv.c.get_vring_base(q)[1] for q in queues}


def start_rings(a, bases):
    for q, base in bases.items():
        a.dv.setup_queue(q, base=base)


def fire(a, c, want):
    a.set_alarm(c, a.read(c) - NS)
    i, clock = a.notification()
    check(i == want and clock == c, f"notification in buffer {i}, want {want}")
    a.set_enabled(c, False)


@case("held packed alarmq buffers survive GET_VRING_BASE / SET_VRING_BASE: the base is the "
      "first held one's offset with its wrap counter, each popped again once")
def held_buffers_restart(ctx):
    a = ctx.rtc()
    c = a.alarm_clock()
    ids = [a.post_alarm_buf() for _ in range(3)]
    fire(a, c, ids[0])
    bases = stop_rings(a)
    check(bases[1] == (1 | WRAP), f"GET_VRING_BASE(alarmq) = 0x{bases[1]:x}, want 0x8001")
    start_rings(a, bases)
    for want in ids[1:]:
        fire(a, c, want)
    check(a.used_ids == ids, f"used ids {a.used_ids}, want {ids}")
    bases = stop_rings(a)
    check(bases[1] == (3 | WRAP), f"GET_VRING_BASE(alarmq) = 0x{bases[1]:x} with none "
          "held, want 0x8003")
    start_rings(a, bases)
    i = a.post_alarm_buf()
    fire(a, c, i)
    check(a.read(0) > 0, "requestq after the restarts")


@case("held buffers across the ring end (4 descriptors): the rewind flips the wrap counter "
      "back, and the buffers are notified in order after the restart")
def held_buffers_rewind_wrap(ctx):
    a = ctx.rtc(qsize=4)
    c = a.alarm_clock()
    for _ in range(3):                          # offsets 0, 1, 2
        fire(a, c, a.post_alarm_buf())
    ids = [a.post_alarm_buf() for _ in range(3)]   # offsets 3, then 0 and 1 on the next lap
    fire(a, c, ids[0])                          # used offset: 0, wrap counter 0
    bases = stop_rings(a, queues=(1,))
    check(bases[1] == 0, f"GET_VRING_BASE(alarmq) = 0x{bases[1]:x}, want 0 (offset 0, wrap 0)")
    start_rings(a, bases)
    for want in ids[1:]:
        fire(a, c, want)
    check(a.used_ids[-3:] == ids, f"used ids {a.used_ids}, want {ids} last")
    bases = stop_rings(a, queues=(1,))
    check(bases[1] == 2, f"GET_VRING_BASE(alarmq) = 0x{bases[1]:x}, want 2")


@case("a restart of the requestq from its base: served on, no request lost or repeated")
def requestq_restart(ctx):
    a = ctx.rtc(qsize=8)
    reads(a, 5)                                  # 10 descriptors: offset 2, wrap 0
    bases = stop_rings(a, queues=(0,))
    check(bases[0] == 2, f"GET_VRING_BASE(requestq) = 0x{bases[0]:x}, want 2")
    start_rings(a, bases)
    reads(a, 10)


@case("a reconnect: packed again on a new connection, then split on the same device")
def reconnect(ctx):
    a = ctx.rtc()
    reads(a, 3)
    a.close()
    ctx.opened.remove(a)
    for packed in (True, False):
        b = None
        deadline = time.monotonic() + 5
        while b is None:
            try:
                b = ctx.rtc(packed=packed)
            except (Closed, OSError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        check(bool(b.features & (1 << vhu.F_RING_PACKED)) == packed,
              f"features 0x{b.features:x} with packed={packed}")
        reads(b, 70)
        b.close()
        ctx.opened.remove(b)


@case("an alarmq buffer of two 8-byte descriptors: the notification is written across both")
def alarm_two_descriptors(ctx):
    a = ctx.rtc()
    c = a.alarm_clock()
    i = a.free_ids.pop(0)
    off = a.mem.alloc(16, 16)
    a.mem.write(off, b"\xee" * 16)
    a.dv.rings[1].post_chain([(a.mem.addr(off), 8, True), (a.mem.addr(off + 8), 8, True)],
                             head=i)
    a.held[i] = (off, 16)
    a.dv.kick(1)
    fire(a, c, i)


@case("held packed alarmq buffers across a SET_MEM_TABLE (queues stopped, map rebuilt, "
      "restarted): popped again and notified through the new map")
def held_buffers_mem_table(ctx):
    a = ctx.rtc()
    c = a.alarm_clock()
    ids = [a.post_alarm_buf() for _ in range(2)]
    a.quiet("no alarm yet", t=0.2)            # popped and held
    a.dv.set_mem()
    for want in ids:
        fire(a, c, want)
    check(a.read(0) > 0, "requestq after the memory table")


@case("a bad packed chain (response buffer outside guest memory) is completed with length 0 "
      "and the queue goes on")
def bad_chain_completed(ctx):
    a = ctx.rtc()
    r = a.dv.rings[0]
    off = a.mem.alloc(64, 64)
    a.mem.write(off, vhu.rtc_read_request(0))
    bid = r.post_chain([(a.mem.addr(off), 16, False), (a.mem.addr(a.mem.size) + (1 << 30), 16,
                                                       True)])
    a.dv.kick(0)
    u = r.wait_used(ta.DUE_S)
    check(u == (bid, 0), f"bad chain completed as {u}, want ({bid}, 0)")
    reads(a, 5)


@case("a buffer id not below the queue size breaks the packed ring (nothing served on it); "
      "the daemon lives and a new connection is served")
def bad_id_breaks_ring(ctx):
    a = ctx.rtc(qsize=16)
    reads(a, 2)
    r = a.dv.rings[0]
    off = a.mem.alloc(64, 64)
    a.mem.write(off, vhu.rtc_read_request(0))
    r.post_chain([(a.mem.addr(off), 16, False), (a.mem.addr(off + 32), 16, True)], head=16)
    a.dv.kick(0)
    check(r.wait_used(0.3) is None, "a chain with buffer id 16 on a 16-entry ring was completed")
    check(ctx.d.alive(), "daemon died")
    a.close()
    ctx.opened.remove(a)
    deadline = time.monotonic() + 5
    while True:
        try:
            b = ctx.rtc()
            break
        except (Closed, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    reads(b, 3)


@case("EVENT_IDX and INDIRECT_DESC negotiated: READs through indirect tables on a packed ring")
def event_idx_indirect(ctx):
    a = ctx.rtc(up=False)
    a.dv.negotiate(extra_features=(1 << vhu.F_EVENT_IDX) | (1 << vhu.F_INDIRECT_DESC))
    check(a.features & (1 << vhu.F_EVENT_IDX) and a.features & (1 << vhu.F_INDIRECT_DESC),
          f"features 0x{a.features:x}")
    a.dv.set_mem()
    a.dv.setup_queue(0)
    r = a.dv.rings[0]
    for k in range(100):
        off = a.mem.alloc(64, 64)
        a.mem.write(off, vhu.rtc_read_request(0))
        a.mem.write(off + 32, b"\xff" * 16)
        bid = r.post_indirect([(a.mem.addr(off), 16, False), (a.mem.addr(off + 32), 16, True)])
        a.dv.kick(0)
        u = r.wait_used(ta.DUE_S)
        check(u == (bid, 16), f"indirect READ {k}: used {u}, want ({bid}, 16)")
        check(a.mem.read(off + 32, 1)[0] == S_OK, f"indirect READ {k}: status not OK")


def calls(dv, q):
    try:
        return os.eventfd_read(dv.calls[q])
    except BlockingIOError:
        return 0


@case("driver event suppression: DISABLE gets no interrupt, ENABLE gets them again")
def notification_suppression(ctx):
    a = ctx.rtc()
    r = a.dv.rings[0]
    reads(a, 2)
    calls(a.dv, 0)
    r.set_driver_event(1)
    reads(a, 20)
    check(calls(a.dv, 0) == 0, "interrupts with driver event suppression DISABLE")
    r.set_driver_event(0)
    reads(a, 3)
    check(calls(a.dv, 0) > 0, "no interrupt with driver event suppression ENABLE")


@case("a future alarm fires on time into a held packed buffer (adaptive: the poller wakes "
      "for the deadline, no kick)")
def alarm_future(ctx):
    a = ctx.rtc()
    c = a.alarm_clock()
    i = a.post_alarm_buf()
    t = a.read(c) + 300_000_000
    a.set_alarm(c, t)
    j, clock = a.notification()
    check(j == i and clock == c, f"notification in buffer {j} for clock {clock}")
    check(a.read(c) >= t, "notification before the alarm time")
    a.set_enabled(c, False)


@case("device event suppression: DISABLE while busy polling; ENABLE once an adaptive poller "
      "sleeps")
def kick_suppression(ctx):
    a = ctx.rtc()
    reads(a, 2)
    time.sleep(0.2)                           # adaptive: idle, asleep on the kick eventfd
    _, flags = a.dv.rings[0].device_event()
    want = 1 if POLL["mode"] == "busy" else 0
    check(flags == want, f"device event flags {flags} under {POLL['mode']} polling, want {want}")
    reads(a, 2)


@case("a base with the wrong wrap counter (0 on a fresh ring): the chains do not look "
      "available, nothing is served; restarted with 0x8000 they are")
def wrap_counter_mismatch(ctx):
    a = ctx.rtc(up=False)
    a.dv.negotiate()
    a.dv.set_mem()
    a.dv.setup_queue(0, base=0)
    r = a.dv.rings[0]
    off = a.mem.alloc(64, 64)
    a.mem.write(off, vhu.rtc_read_request(0))
    bid = r.post_chain([(a.mem.addr(off), 16, False), (a.mem.addr(off + 32), 16, True)])
    a.dv.kick(0)
    check(r.wait_used(0.3) is None, "served with the wrong wrap counter")
    check(ctx.d.alive(), "daemon died")
    stop_rings(a, queues=(0,))
    a.dv.setup_queue(0, base=WRAP)
    a.dv.kick(0)
    u = r.wait_used(ta.DUE_S)
    check(u == (bid, 16), f"after the restart with 0x8000: used {u}, want ({bid}, 16)")


@case("SET_VRING_BASE with an offset not below the ring size is refused by the front door")
def base_beyond_ring(ctx):
    a = ctx.rtc(qsize=16, up=False)
    a.dv.negotiate()
    a.dv.set_mem()
    try:
        a.dv.setup_queue(0, base=WRAP | 16)
    except Closed as e:
        ctx.note(str(e))
    else:
        raise Fail("SET_VRING_BASE 0x8010 on a 16-entry packed ring was accepted")
    check(ctx.d.alive(), "daemon died")


@case("SET_VRING_BASE as QEMU sends it (the used index and its wrap counter in the upper "
      "half: 0x80008000 on a fresh ring) is accepted and the rings are served")
def base_qemu_form(ctx):
    a = ctx.rtc(up=False)
    a.dv.negotiate()
    a.dv.set_mem()
    for q in range(a.dv.nq):
        a.dv.setup_queue(q, base=(WRAP << 16) | WRAP)
    reads(a, 3)
    check(ctx.d.alive(), "daemon died")


@case("SET_VRING_BASE with a used index (upper half) not below the ring size is refused by "
      "the front door")
def base_used_beyond_ring(ctx):
    a = ctx.rtc(qsize=16, up=False)
    a.dv.negotiate()
    a.dv.set_mem()
    try:
        a.dv.setup_queue(0, base=((WRAP | 16) << 16) | WRAP)
    except Closed as e:
        ctx.note(str(e))
    else:
        raise Fail("SET_VRING_BASE 0x80108000 on a 16-entry packed ring was accepted")
    check(ctx.d.alive(), "daemon died")


@case("without packed=1 VIRTIO_F_RING_PACKED is not offered (split only)")
def not_offered_by_default(ctx):
    dv = vhu.Device(ctx.d.sock("rtc1"), "rtc")
    ctx.opened.append(dv)
    dv.c.set_owner()
    f = dv.c.get_features()
    check(not f & (1 << vhu.F_RING_PACKED), f"features 0x{f:x} offer RING_PACKED")
    dv2 = vhu.Device(ctx.d.sock("rtc"), "rtc")
    ctx.opened.append(dv2)
    dv2.c.set_owner()
    f = dv2.c.get_features()
    check(f & (1 << vhu.F_RING_PACKED), f"packed=1: features 0x{f:x} lack RING_PACKED")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--sanitize", default="none")
    ap.add_argument("--case", action="append", default=[])
    ap.add_argument("--poll", choices=["busy", "adaptive"], default="busy",
                    help="the daemon's polling mode (adaptive: pollers sleep on kicks "
                         "and alarm deadlines)")
    ap.add_argument("group", help="all or list")
    a = ap.parse_args()
    POLL["mode"] = a.poll
    build = os.path.abspath(a.build)
    if a.group == "list":
        for n, c in CASES.items():
            print(f"{n:28} {c['desc']}")
        return 0
    names = [n for n in CASES if not a.case or n in a.case]
    why = caserun.skip_reason()
    if why:
        print(f"SKIP: {why}")
        return SKIP
    th.DEVICE_SWITCH = th.detect_device_switch(build) if th.DEVICE_SWITCH == "auto" \
        else th.DEVICE_SWITCH
    # The alarm clock is UTC (alarm=utc): AlarmDev.alarm_clock() finds it by ALARM_CAP.
    ta.SMEARED["default"] = False

    def new_daemon():
        d = Daemon(build)
        d.start()
        return d

    return caserun.run(CASES, names, new_daemon, Ctx, CASE_SECONDS,
                       int(os.environ.get("PACKED_LOG_LINES", "12")),
                       errors=(Closed, Timeout, OSError, ValueError), sanitizer=True)


if __name__ == "__main__":
    sys.exit(main())
