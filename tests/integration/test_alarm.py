#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
"""virtio-rtc alarms of dpdk-rtcd over real sockets (issue 11, part 1's rules).

    test_alarm.py --build BUILD_DIR [--sanitize S] [--case NAME ...] rules|bench|list

One daemon serves four rtc devices and an rng device:
  rtc_vhost0 (rtc.sock)   alarms on (the default: the smeared clock; alarm=utc
                          when the default set has none, as on a host without a
                          leap-second table: probed at start-up)
  rtc_vhost1 (rtc1.sock)  the same, for the two-devices case
  rtc_vhost2 (rtc2.sock)  alarm=0
  rtc_vhost3 (rtc3.sock)  all defaults
  rng_vhost0 (rng.sock)   (the hostile harness's daemon wants one)
"rules": each case checks one alarm rule (issue 11 part 1; doc/virtio-rtc.md,
Alarms) with vhu.py, a driver that posts exactly what the case needs on the
requestq and the alarmq and reads the used rings itself; a case that fails
gets a fresh daemon for the next. "bench": dpdk-test-rtc -t rtc-alarm on two
devices for 2 s must report no missed or duplicated notification.
"frontend": the library's front-end (itest_client alarm). "extra": what the
device does where the rules leave a choice, and a single-ring stop of the
alarmq (a ring the front-end did not stop keeps being served).
Exit status: 0 all passed, 1 a case failed, 77 skipped (with the reason).
"""

import argparse
import os
import re
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhu  # noqa: E402
import test_hostile as th  # noqa: E402
import caserun  # noqa: E402
from caserun import Fail, check, SKIP  # noqa: E402,F401 (Fail, check: test_packed's too)
from vhu import Closed  # noqa: E402

CASE_SECONDS = 40

F_ALARM = 0
REQ_CFG = 0x1000
REQ_CLOCK_CAP = 0x1001
REQ_READ_ALARM = 0x1003
REQ_SET_ALARM = 0x1004
REQ_SET_ALARM_ENABLED = 0x1005
NOTIF_ALARM = 0x2000
S_OK, S_ENODEV = 0, 3
CLOCK_UTC_SMEARED = 3
FLAG_ALARM_CAP = 1
NS = 1_000_000_000

# How long "nothing comes" is watched for: the device's poller re-checks
# deadlines at least every millisecond and wakes for the nearest alarm, so
# a notification that is due arrives in well under this.
QUIET_S = 0.5
# How long a due notification may take (the daemon's worker shares two
# CPUs with this test and the others of the machine).
DUE_S = 2.0


class AlarmDev:
    """A virtio-rtc driver: requestq requests and alarmq buffers by hand, on
    split rings or (packed=True, test_packed.py) packed ones."""

    def __init__(self, path, alarm=True, qsize=64, packed=False):
        self.dv = vhu.Device(path, "rtc", qsize=qsize, packed=packed)
        self.mem = self.dv.mem
        self.alarm = alarm
        self.free_ids = list(range(qsize))  # alarmq descriptors not in flight
        self.held = {}                       # alarmq id -> (offset, size) posted
        self.used_ids = []                   # alarmq used elements seen, in order

    def up(self):
        self.dv.negotiate(extra_features=(1 << F_ALARM) if self.alarm else 0)
        self.dv.set_mem()
        self.dv.setup_queue(0)
        self.dv.setup_queue(1)
        return self

    @property
    def features(self):
        return self.dv.features

    def close(self):
        self.dv.close()

    # ------------------------------------------------------------ requestq
    def request(self, req, resp_len, timeout=DUE_S):
        """One request, waited for: (used length, response bytes)."""
        r = self.dv.rings[0]
        off = self.mem.alloc(len(req) + 64 + resp_len, 64)
        rsp = off + ((len(req) + 63) & ~63)
        self.mem.write(off, req)
        self.mem.write(rsp, b"\xff" * resp_len)
        head = r.post_chain([(self.mem.addr(off), len(req), False),
                             (self.mem.addr(rsp), resp_len, True)])
        self.dv.kick(0)
        deadline = time.monotonic() + timeout
        while True:
            u = r.wait_used(max(deadline - time.monotonic(), 0))
            if u is None:
                raise Fail(f"request 0x{struct.unpack_from('<H', req)[0]:04x} not answered "
                           f"within {timeout} s")
            if u[0] == head:
                return u[1], self.mem.read(rsp, resp_len)

    def status(self, req, resp_len=8):
        n, rsp = self.request(req, resp_len)
        check(n >= 8, f"response of {n} bytes")
        return rsp[0]

    def num_clocks(self):
        n, rsp = self.request(struct.pack("<H6x", REQ_CFG), 16)
        check(n == 16 and rsp[0] == S_OK, f"CFG: length {n}, status {rsp[0]}")
        return struct.unpack_from("<H", rsp, 8)[0]

    def clock_cap(self, clock):
        """(type, smearing, flags)."""
        n, rsp = self.request(struct.pack("<H6xH6x", REQ_CLOCK_CAP, clock), 16)
        check(n == 16 and rsp[0] == S_OK, f"CLOCK_CAP {clock}: length {n}, status {rsp[0]}")
        return rsp[8], rsp[9], rsp[10]

    def alarm_clock_by_type(self):
        """The clock that gets the alarm (UTC_SMEARED, or UTC under alarm=utc),
        found by its type: without F_ALARM negotiated no clock shows ALARM_CAP."""
        want = CLOCK_UTC_SMEARED if SMEARED["default"] else 0
        for c in range(self.num_clocks()):
            if self.clock_cap(c)[0] == want:
                return c
        raise Fail(f"no clock of type {want}")

    def alarm_clock(self):
        """The device's one clock with ALARM_CAP (UTC_SMEARED by default)."""
        caps = [self.clock_cap(c) for c in range(self.num_clocks())]
        with_cap = [c for c, (_, _, flags) in enumerate(caps) if flags & FLAG_ALARM_CAP]
        check(len(with_cap) == 1, f"clocks with ALARM_CAP: {with_cap} ({caps}), want one")
        return with_cap[0]

    def read(self, clock):
        n, rsp = self.request(vhu.rtc_read_request(clock), 16)
        check(n == 16 and rsp[0] == S_OK, f"READ {clock}: length {n}, status {rsp[0]}")
        return struct.unpack_from("<Q", rsp, 8)[0]

    def read_alarm(self, clock):
        """(status, alarm_time, enabled); time and enabled None unless OK."""
        n, rsp = self.request(struct.pack("<H6xH6x", REQ_READ_ALARM, clock), 24)
        if rsp[0] != S_OK:
            check(n == 8, f"READ_ALARM error status {rsp[0]} with used length {n}")
            return rsp[0], None, None
        check(n == 24, f"READ_ALARM OK with used length {n}")
        t, flags = struct.unpack_from("<QB", rsp, 8)
        check(rsp[1:8] == bytes(7) and rsp[17:24] == bytes(7) and flags & ~1 == 0,
              f"READ_ALARM reserved bytes not zero: {rsp.hex()}")
        return S_OK, t, bool(flags & 1)

    def set_alarm(self, clock, t, enabled=True):
        n, rsp = self.request(struct.pack("<H6xQHB5x", REQ_SET_ALARM, t, clock,
                                          1 if enabled else 0), 8)
        check(n == 8, f"SET_ALARM answered with used length {n}")
        return rsp[0]

    def set_enabled(self, clock, enabled):
        n, rsp = self.request(struct.pack("<H6xHB5x", REQ_SET_ALARM_ENABLED, clock,
                                          1 if enabled else 0), 8)
        check(n == 8, f"SET_ALARM_ENABLED answered with used length {n}")
        return rsp[0]

    # ------------------------------------------------------------- alarmq
    def post_alarm_buf(self, size=16, kick=True):
        """Post one device-writable alarmq buffer; returns its descriptor
        (packed: buffer) id."""
        check(self.free_ids, "test bug: no free alarmq descriptor")
        i = self.free_ids.pop(0)
        off = self.mem.alloc(max(size, 16), 16)
        self.mem.write(off, b"\xee" * max(size, 16))
        r = self.dv.rings[1]
        if self.dv.packed:
            r.post_one(self.mem.addr(off), size, True, head=i)
        else:
            r.set_desc(i, self.mem.addr(off), size, vhu.DESC_F_WRITE)
            r.post_head(i)
        self.held[i] = (off, size)
        if kick:
            self.dv.kick(1)
        return i

    def next_used(self, timeout):
        """The next alarmq used element: (id, len, bytes written), or None."""
        u = self.dv.rings[1].wait_used(timeout)
        if u is None:
            return None
        i, n = u
        check(i in self.held, f"alarmq used id {i} is not a buffer in flight "
              f"(held: {sorted(self.held)}, used so far: {self.used_ids})")
        off, size = self.held.pop(i)
        self.free_ids.append(i)
        self.used_ids.append(i)
        check(n <= size, f"alarmq used length {n} above the buffer's {size}")
        return i, n, self.mem.read(off, n)

    def notification(self, timeout=DUE_S):
        """The next alarmq completion, checked to be a NOTIF_ALARM: (id, clock)."""
        u = self.next_used(timeout)
        check(u is not None, f"no NOTIF_ALARM within {timeout} s")
        i, n, data = u
        check(n == 16, f"alarmq used length {n}, not 16")
        msg, clock = struct.unpack_from("<H6xH", data)
        check(msg == NOTIF_ALARM and data[2:8] == bytes(6) and data[10:16] == bytes(6),
              f"not a NOTIF_ALARM: {data.hex()}")
        return i, clock

    def quiet(self, what, t=QUIET_S):
        u = self.next_used(t)
        check(u is None, f"{what}: alarmq completion {u} where none was due")

    def used_idx(self, q=1):
        return self.dv.rings[q].used_idx()


# ------------------------------------------------------------------- daemon
# Whether the default clock set has a UTC_SMEARED clock (issue 11 part 2);
# without one (no leap-second table on the host) the alarm devices get
# alarm=utc (probed at start-up).
SMEARED = {"default": None}


class Daemon(th.Daemon):
    """The hostile harness's daemon with this test's devices: rtc_vhost0 and
    rtc_vhost1 with alarms (default, or alarm=utc without a smeared clock),
    rtc_vhost2 with alarm=0, rtc_vhost3 with the defaults."""

    def __init__(self, build):
        super().__init__(build)
        alarm = "" if SMEARED["default"] is not False else ",alarm=utc"
        devices = [f"rtc_vhost0,iface={self.sock('rtc')},unsealed=1{alarm}",
                   f"rng_vhost0,iface={self.sock('rng')}",
                   f"rtc_vhost1,iface={self.sock('rtc1')},unsealed=1{alarm}",
                   f"rtc_vhost2,iface={self.sock('rtc2')},unsealed=1,alarm=0",
                   f"rtc_vhost3,iface={self.sock('rtc3')}"]
        self.args = th.device_args(build, self.prefix, devices, ["-s", "1"])


def probe_default_clocks(d):
    """Does rtc_vhost3 (defaults) have a UTC_SMEARED clock?"""
    a = AlarmDev(d.sock("rtc3")).up()
    try:
        types = [a.clock_cap(c)[0] for c in range(a.num_clocks())]
    finally:
        a.close()
    return CLOCK_UTC_SMEARED in types


class Ctx(caserun.Ctx):
    def __init__(self, daemon, build):
        super().__init__(daemon)
        self.build = build

    def dev(self, sock="rtc", alarm=True, up=True):
        a = AlarmDev(self.d.sock(sock), alarm=alarm)
        self.opened.append(a)
        return a.up() if up else a


CASES = {}
case = caserun.registry(CASES)  # @case(group, desc)


def now_on(a, clock):
    return a.read(clock)


# --------------------------------------------------------------------- rules
@case("rules", "initial state: READ_ALARM of the alarm clock is time 0, disabled")
def initial_state(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    check(a.read_alarm(c) == (S_OK, 0, False), f"initial alarm {a.read_alarm(c)}")


@case("rules", "defaults: ALARM_CAP on the UTC_SMEARED clock only, F_ALARM offered "
               "(with no UTC_SMEARED clock: neither)")
def alarm_cap_smeared_only(ctx):
    a = ctx.dev("rtc3")
    caps = [a.clock_cap(c) for c in range(a.num_clocks())]
    with_cap = [c for c, (typ, _, flags) in enumerate(caps) if flags & FLAG_ALARM_CAP]
    smeared = [c for c, (typ, _, _) in enumerate(caps) if typ == CLOCK_UTC_SMEARED]
    check(with_cap == smeared,
          f"ALARM_CAP on clocks {with_cap}, UTC_SMEARED clocks {smeared} ({caps})")
    check(bool(a.dv.offered & (1 << F_ALARM)) == bool(smeared),
          f"F_ALARM {'not ' if smeared else ''}offered with UTC_SMEARED clocks {smeared}")
    check(all(flags & ~FLAG_ALARM_CAP == 0 for _, _, flags in caps), f"other flag bits: {caps}")
    if not smeared:
        ctx.note("no UTC_SMEARED clock in the default set (no leap-second table?): the "
                 "alarm cases use alarm=utc")


@case("rules", "alarm=NAME: ALARM_CAP on exactly that clock")
def alarm_cap_named(ctx):
    a = ctx.dev()
    caps = [a.clock_cap(c) for c in range(a.num_clocks())]
    want = CLOCK_UTC_SMEARED if SMEARED["default"] else 0  # 0: UTC
    with_cap = [typ for typ, _, flags in caps if flags & FLAG_ALARM_CAP]
    check(with_cap == [want], f"ALARM_CAP on clock types {with_cap}, want [{want}] ({caps})")


@case("rules", "ENODEV: alarm requests on clocks without ALARM_CAP and on a clock that is not one")
def enodev_other_clocks(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    n = a.num_clocks()
    for k in [x for x in range(n) if x != c] + [n, 0xFFFF]:
        got = (a.read_alarm(k)[0], a.set_alarm(k, 1, True), a.set_enabled(k, True))
        check(got == (S_ENODEV,) * 3, f"clock {k}: READ_ALARM/SET_ALARM/SET_ALARM_ENABLED "
              f"statuses {got}, want ENODEV")


@case("rules", "without VIRTIO_RTC_F_ALARM negotiated: alarm requests ENODEV, no ALARM_CAP")
def enodev_without_feature(ctx):
    a = ctx.dev(alarm=False)
    check(a.dv.offered & (1 << F_ALARM), "F_ALARM not offered by default")
    check(not a.features & (1 << F_ALARM), "test bug: F_ALARM negotiated")
    c = a.alarm_clock_by_type()
    got = (a.read_alarm(c)[0], a.set_alarm(c, 1, True), a.set_enabled(c, True))
    check(got == (S_ENODEV,) * 3, f"statuses {got} without F_ALARM, want ENODEV")
    caps = [a.clock_cap(k)[2] for k in range(a.num_clocks())]
    check(not any(f & FLAG_ALARM_CAP for f in caps),
          f"ALARM_CAP flags {caps} without F_ALARM negotiated (flag bits beyond the "
          "negotiated features)")


@case("rules", "an alarm set in the past (enabled) fires at once: one NOTIF_ALARM for its clock")
def past_alarm_fires(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    a.post_alarm_buf()
    t0 = time.monotonic()
    check(a.set_alarm(c, now_on(a, c) - NS) == S_OK, "SET_ALARM in the past")
    i, clock = a.notification()
    dt = time.monotonic() - t0
    check(clock == c, f"notification for clock {clock}, alarm on {c}")
    ctx.note(f"notified {dt * 1000:.1f} ms after the SET_ALARM was posted")
    a.set_enabled(c, False)


@case("rules", "an alarm 300 ms ahead: nothing before its time, one notification after it")
def future_alarm_on_time(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    a.post_alarm_buf()
    a.post_alarm_buf()
    t = now_on(a, c) + 300_000_000
    a.set_alarm(c, t)
    a.quiet("before the alarm time", 0.2)
    a.notification()
    late = now_on(a, c) - t
    check(late >= 0, f"notification {-late / 1e6:.3f} ms before the alarm time")
    ctx.note(f"READ {late / 1e6:.3f} ms after the alarm time, right after the notification")
    a.quiet("after the one expiry")
    a.set_enabled(c, False)


@case("rules", "two expiries before a buffer is there (SET_ALARM past, then enable again): "
               "one notification")
def expiries_coalesce(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    a.set_alarm(c, now_on(a, c) - NS)
    time.sleep(0.05)
    check(a.set_enabled(c, True) == S_OK, "SET_ALARM_ENABLED on (a second expiry)")
    time.sleep(0.05)
    a.post_alarm_buf()
    a.post_alarm_buf()
    a.notification()
    a.quiet("second buffer after two coalesced expiries")
    a.set_enabled(c, False)


@case("rules", "enabling an alarm whose time is past fires at once")
def enable_past_fires(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    a.post_alarm_buf()
    check(a.set_alarm(c, now_on(a, c) - NS, enabled=False) == S_OK, "SET_ALARM disabled")
    a.quiet("disabled alarm in the past")
    check(a.set_enabled(c, True) == S_OK, "SET_ALARM_ENABLED on")
    check(a.notification()[1] == c, "notification for another clock")
    a.set_enabled(c, False)


@case("rules", "the alarm stays enabled after it fired (time and flag unchanged)")
def stays_enabled(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    a.post_alarm_buf()
    t = now_on(a, c) + 20_000_000
    a.set_alarm(c, t)
    a.notification()
    check(a.read_alarm(c) == (S_OK, t, True), f"after firing: {a.read_alarm(c)}, want "
          f"time {t} enabled")
    a.set_enabled(c, False)


@case("rules", "SET_ALARM_ENABLED keeps the alarm time (off and on again)")
def set_enabled_keeps_time(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    t = now_on(a, c) + 3600 * NS
    check(a.set_alarm(c, t) == S_OK, "SET_ALARM")
    check(a.set_enabled(c, False) == S_OK, "SET_ALARM_ENABLED off")
    check(a.read_alarm(c) == (S_OK, t, False), f"after off: {a.read_alarm(c)}")
    check(a.set_enabled(c, True) == S_OK, "SET_ALARM_ENABLED on")
    check(a.read_alarm(c) == (S_OK, t, True), f"after on: {a.read_alarm(c)}")
    a.set_enabled(c, False)


@case("rules", "no alarmq buffer: the notification waits for one, then exactly one comes")
def waits_for_buffer(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    a.set_alarm(c, now_on(a, c) - NS)
    time.sleep(QUIET_S)
    check(a.used_idx() == 0, "alarmq used index moved without a buffer")
    t0 = time.monotonic()
    first = a.post_alarm_buf()
    i, clock = a.notification()
    ctx.note(f"delivered {1000 * (time.monotonic() - t0):.1f} ms after the buffer was posted")
    check(i == first and clock == c, f"notification in buffer {i} for clock {clock}")
    a.post_alarm_buf()
    a.quiet("second buffer after the pending notification was delivered")
    a.set_enabled(c, False)


@case("rules", "SET_ALARM_ENABLED(off) before delivery cancels the undelivered notification")
def disable_cancels(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    a.set_alarm(c, now_on(a, c) - NS)   # expires; nothing to deliver it in
    time.sleep(0.05)
    a.set_enabled(c, False)
    a.post_alarm_buf()
    a.quiet("buffer posted after the disable")


@case("rules", "SET_ALARM (a new time) before delivery cancels the undelivered notification")
def set_alarm_cancels(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    a.set_alarm(c, now_on(a, c) - NS)
    time.sleep(0.05)
    a.set_alarm(c, now_on(a, c) + 3600 * NS)
    a.post_alarm_buf()
    a.quiet("buffer posted after the alarm was moved to the future")
    a.set_enabled(c, False)


@case("rules", "exactly one notification per expiry, not one per poll (4 buffers, 1 s watched)")
def one_per_expiry(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    for _ in range(4):
        a.post_alarm_buf()
    a.set_alarm(c, now_on(a, c) + 30_000_000)
    a.notification()
    a.quiet("after the one expiry", 1.0)
    check(len(a.held) == 3, f"{len(a.held)} buffers still held, want 3")
    # A second expiry of the same alarm (a new SET_ALARM) is a new event.
    a.set_alarm(c, now_on(a, c) + 30_000_000)
    a.notification()
    a.quiet("after the second expiry")
    a.set_enabled(c, False)


def stop_rings(a, queues=(0, 1)):
    """GET_VRING_BASE of each ring, as a VMM stops a device (QEMU: every
    ring, on stop, reset or migration): {queue: base}."""
    return {q: a.dv.c.get_vring_base(q)[1] for q in queues}


def start_rings(a, bases):
    """Set the rings up again from their bases: NUM, BASE, ADDR, KICK, CALL,
    ENABLE each."""
    for q, base in bases.items():
        a.dv.setup_queue(q, base=base)


@case("rules", "held alarmq buffers survive GET_VRING_BASE / SET_VRING_BASE: popped again, "
               "none lost, no used id twice")
def held_buffers_survive_ring_stop(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    ids = [a.post_alarm_buf() for _ in range(3)]
    a.set_alarm(c, now_on(a, c) - NS)
    i, _ = a.notification()
    check(i == ids[0], f"first notification in buffer {i}, want {ids[0]} (FIFO)")
    a.set_enabled(c, False)
    # Stop the rings with two alarmq buffers held: the alarmq's base is the
    # avail index of the first held one.
    bases = stop_rings(a)
    check(bases[1] == 1, f"GET_VRING_BASE(alarmq) = {bases[1]}, want 1: the index of the "
          "first held buffer")
    start_rings(a, bases)
    for want in ids[1:]:
        a.set_alarm(c, now_on(a, c) - NS)
        i, clock = a.notification()
        check(i == want and clock == c, f"after the restart: buffer {i} clock {clock}, "
              f"want buffer {want}")
        a.set_enabled(c, False)
    check(a.used_ids == ids, f"used ids {a.used_ids}, want {ids}")
    check(a.used_idx() == 3, f"alarmq used index {a.used_idx()}, want 3")
    # Stop again with none held, and after a restart a new buffer works.
    bases = stop_rings(a)
    check(bases[1] == 3, f"GET_VRING_BASE(alarmq) = {bases[1]} with none held, want 3")
    start_rings(a, bases)
    a.post_alarm_buf()
    a.set_alarm(c, now_on(a, c) - NS)
    a.notification()
    a.set_enabled(c, False)


@case("rules", "the alarm state survives a stop of both rings (a device reset of one connection)")
def state_survives_ring_stop(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    t = now_on(a, c) + 3600 * NS
    a.set_alarm(c, t)
    start_rings(a, stop_rings(a))
    check(a.read_alarm(c) == (S_OK, t, True), f"after the rings restarted: {a.read_alarm(c)}")
    a.set_enabled(c, False)


def reset_device(a, features):
    """What a VMM does on a guest reboot over vhost-user: stop every ring,
    SET_FEATURES (the guest driver's new choice), SET_MEM_TABLE, rings again
    from 0 (fresh ring memory)."""
    stop_rings(a)
    a.dv.check_ack(a.dv.c.set_features(features), "SET_FEATURES")
    a.dv.features = features
    a.dv.set_mem()
    for q in (0, 1):
        r = a.dv.rings[q]
        r.mem.write(r.desc, bytes(r.end - r.desc))
        r.avail_idx = r.used_seen = r.next_desc = 0
    a.held.clear()
    a.free_ids = list(range(a.dv.qsize))
    start_rings(a, {0: 0, 1: 0})


@case("rules", "a device reset (rings stopped, features and memory set again, F_ALARM still "
               "negotiated) keeps a pending alarm; it fires on the new rings")
def reset_keeps_alarm(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    t = now_on(a, c) + 400_000_000
    a.set_alarm(c, t)
    reset_device(a, a.features)
    check(a.read_alarm(c) == (S_OK, t, True), f"after the reset: {a.read_alarm(c)}")
    a.post_alarm_buf()
    a.notification()
    check(now_on(a, c) >= t, "notification before the alarm time")
    a.set_enabled(c, False)


@case("rules", "a device reset negotiating without F_ALARM clears the alarm (and with it again: "
               "initial state)")
def reset_without_feature_clears(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    a.set_alarm(c, now_on(a, c) + 3600 * NS)
    reset_device(a, a.features & ~(1 << F_ALARM))
    check(a.read_alarm(c)[0] == S_ENODEV, "READ_ALARM without F_ALARM after the reset")
    reset_device(a, a.features | (1 << F_ALARM))
    check(a.read_alarm(c) == (S_OK, 0, False), f"after F_ALARM again: {a.read_alarm(c)}")
    a.post_alarm_buf()
    a.quiet("after the alarm was cleared")


@case("extra", "a short alarmq buffer with no alarm due: completed at once (length 0) or "
               "held until an alarm needs a buffer (reported, both allowed)")
def short_buffer_idle(ctx):
    a = ctx.dev()
    short = a.post_alarm_buf(size=8)
    u = a.next_used(QUIET_S)
    ctx.note("completed at once" if u is not None else "held until needed")
    check(u is None or (u[0] == short and u[1] == 0), f"completion {u}")


@case("extra", "GET_VRING_BASE of the alarmq alone, then its restart: the requestq (never "
               "stopped) is still served and the held buffers are popped again")
def alarmq_stop_alone(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    ids = [a.post_alarm_buf() for _ in range(2)]
    bases = stop_rings(a, queues=(1,))
    check(bases[1] == 0, f"GET_VRING_BASE(alarmq) = {bases[1]}, want 0")
    start_rings(a, bases)
    a.set_alarm(c, now_on(a, c) - NS)
    i, _ = a.notification()
    check(i == ids[0], f"notification in buffer {i}, want {ids[0]}")
    a.set_enabled(c, False)


@case("rules", "a reconnect: alarm state cleared, nothing delivered from the old connection")
def reconnect_clears(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    a.set_alarm(c, now_on(a, c) - NS)   # pending, no buffer
    a.close()
    ctx.opened.remove(a)
    b = None
    deadline = time.monotonic() + 5
    while b is None:
        try:
            b = ctx.dev()
        except (Closed, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    check(b.read_alarm(c) == (S_OK, 0, False), f"after a reconnect: {b.read_alarm(c)}")
    b.post_alarm_buf()
    b.quiet("buffer posted on the new connection")


@case("rules", "two devices: an alarm of one never notifies the other, nor changes its state")
def two_devices_independent(ctx):
    a = ctx.dev("rtc")
    b = ctx.dev("rtc1")
    c = a.alarm_clock()
    check(b.alarm_clock() == c, "the two devices' clocks differ")
    a.post_alarm_buf()
    b.post_alarm_buf()
    tb = now_on(b, c) + 3600 * NS
    b.set_alarm(b.alarm_clock(), tb)
    a.set_alarm(c, now_on(a, c) - NS)
    a.notification()
    b.quiet("device 1 while device 0's alarm fired")
    check(b.read_alarm(c) == (S_OK, tb, True), f"device 1's alarm {b.read_alarm(c)}")
    a.set_enabled(c, False)
    # And the other way round.
    b.set_alarm(c, now_on(b, c) - NS)
    b.notification()
    a.quiet("device 0 while device 1's alarm fired")
    b.set_enabled(c, False)


@case("rules", "alarm=0: VIRTIO_RTC_F_ALARM not offered, no ALARM_CAP, alarm requests ENODEV")
def alarm_off_no_feature(ctx):
    a = ctx.dev("rtc2")
    check(not a.dv.offered & (1 << F_ALARM), f"features 0x{a.dv.offered:x} offer F_ALARM")
    caps = [a.clock_cap(k) for k in range(a.num_clocks())]
    check(not any(f & FLAG_ALARM_CAP for _, _, f in caps), f"ALARM_CAP with alarm=0: {caps}")
    check(a.read_alarm(0)[0] == S_ENODEV, "READ_ALARM with alarm=0")


@case("rules", "a short (8-byte) alarmq buffer: completed with used length 0, in FIFO order; "
               "the notification goes in the next whole buffer")
def short_buffer(ctx):
    a = ctx.dev()
    c = a.alarm_clock()
    short = a.post_alarm_buf(size=8)
    whole = a.post_alarm_buf()
    a.set_alarm(c, now_on(a, c) - NS)
    u = a.next_used(DUE_S)
    check(u is not None and u[0] == short and u[1] == 0,
          f"first completion {u}, want buffer {short} with length 0")
    i, clock = a.notification()
    check(i == whole and clock == c, f"notification in buffer {i} for clock {clock}")
    a.set_enabled(c, False)


# --------------------------------------------------------------------- bench
@case("bench", "dpdk-test-rtc -t rtc-alarm on two devices for 2 s: no missed or duplicated "
               "notification, exit 0")
def bench_two_devices(ctx):
    exe = os.path.join(ctx.build, "app/test-rtc/dpdk-test-rtc")
    prefix = f"alarmb{os.getpid()}"
    args = [exe, "-l", "0", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
            f"--file-prefix={prefix}", "--log-level=*:warning", "--",
            "-s", ctx.d.sock("rtc"), "-s", ctx.d.sock("rtc1"), "-t", "rtc-alarm", "-T", "2",
            "-q"]
    try:
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=30, preexec_fn=th.die_with_parent)
    finally:
        subprocess.run(["rm", "-rf", f"/var/run/dpdk/{prefix}"])
    sys.stdout.write(p.stdout)
    m = re.search(r"rtc-alarm: (\d+) alarms", p.stdout)
    check(p.returncode == 0, f"dpdk-test-rtc exited {p.returncode}")
    # A floor for "it ran", not a rate: a loaded machine fires fewer.
    check(m and int(m.group(1)) >= 5, "fewer than 5 alarms in 2 s")
    for what in ("missed", "duplicated", "early"):
        f = re.search(rf"^\s+{what}\s+(\d+)", p.stdout, re.M)
        check(f and f.group(1) == "0", f"{what}: {f.group(1) if f else '?'}")
    lat = re.search(r"lateness \(us\) p50 ([\d.]+) .*p99 ([\d.]+)\s+max ([\d.]+)", p.stdout)
    if lat:
        ctx.note(f"lateness p50 {lat.group(1)} us, p99 {lat.group(2)} us, max {lat.group(3)} us")


# ------------------------------------------------------------------ frontend
def itest_client(ctx, *opts):
    exe = os.path.join(ctx.build, "tests/integration/itest_client")
    prefix = f"alarmc{os.getpid()}"
    args = [exe, "-l", "0", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
            f"--file-prefix={prefix}", "--log-level=*:warning", "--"] + list(opts)
    try:
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=30, preexec_fn=th.die_with_parent)
    finally:
        subprocess.run(["rm", "-rf", f"/var/run/dpdk/{prefix}"])
    sys.stdout.write("".join(f"    > {line}\n" for line in p.stdout.splitlines()))
    return p.returncode, p.stdout


@case("frontend", "the library's front-end: alarmq stocked, 40 notifications through 8 "
                  "reposted buffers, restocked after a reconnect")
def frontend_alarms(ctx):
    rc, out = itest_client(ctx, "alarm", "--rtc", ctx.d.sock("rtc"), "--times", "40")
    check(rc == 0 and "FAIL" not in out, f"itest_client alarm exited {rc}")


@case("frontend", "the library's front-end asking for alarms of a device with alarm=0: "
                  "connected without F_ALARM, nothing posted")
def frontend_no_alarm(ctx):
    rc, out = itest_client(ctx, "alarm", "--rtc", ctx.d.sock("rtc2"), "--expect-alarm", "0")
    check(rc == 0 and "FAIL" not in out, f"itest_client alarm exited {rc}")


# ---------------------------------------------------------------------- main
on_alarm = caserun.on_alarm


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--sanitize", default="none")
    ap.add_argument("--case", action="append", default=[])
    ap.add_argument("group", help="rules, bench, frontend, extra, all or list")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    if a.group == "list":
        for n, c in CASES.items():
            print(f"{c['group']:6} {n:34} {c['desc']}")
        return 0
    names = [n for n, c in CASES.items()
             if (a.group == "all" or c["group"] == a.group) and (not a.case or n in a.case)]
    if not names:
        print(f"no case in group {a.group}")
        return 1
    why = caserun.skip_reason()
    if why:
        print(f"SKIP: {why}")
        return SKIP
    th.DEVICE_SWITCH = th.detect_device_switch(build) if th.DEVICE_SWITCH == "auto" \
        else th.DEVICE_SWITCH

    def new_daemon():
        d = Daemon(build)
        d.start()
        if SMEARED["default"] is None:
            SMEARED["default"] = probe_default_clocks(d)
            if not SMEARED["default"]:
                print("NOTE: no UTC_SMEARED clock in the default clock set: the "
                      "alarm devices get alarm=utc", flush=True)
                d.cleanup()
                d = Daemon(build)
                d.start()
        return d

    return caserun.run(CASES, names, new_daemon, lambda d: Ctx(d, build), CASE_SECONDS,
                       int(os.environ.get("ALARM_LOG_LINES", "10")))


if __name__ == "__main__":
    sys.exit(main())
