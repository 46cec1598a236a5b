#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
"""Hostile vhost-user front-ends against dpdk-rtcd over real sockets.

    test_hostile.py --build BUILD_DIR [--sanitize S] [--device-switch SW]
                    [--case NAME ...] [--markdown FILE] GROUP|all|list

One daemon per group serves an rtc device and an rng device, each on its
own socket. Every case attacks one of them (the "target") with vhost.py's
front-end, then asserts what issue 9 requires of any front-end, whatever
it sent:
  - the daemon is alive;
  - the other device is served during the attack (a fresh connection
    completes requests while the attacker's connections are still open)
    and after it;
  - a fresh connection to the target completes requests after it;
  - the daemon's fd count (/proc/PID/fd) is back to its baseline;
  - its RSS (VmRSS) is within RSS_TOLERANCE_KIB of the baseline (skipped
    under sanitizers: ASan's quarantine and shadow hold memory).
Each case is bounded (CASE_SECONDS, SIGALRM); a daemon that died, hung or
failed a check is restarted for the next case. The cases assert the
correct behaviour, not today's: where a refusal is the right outcome,
either an error reply (REPLY_ACK NACK) or a closed connection passes.
Exit status: 0 all passed, 1 a case failed, 77 skipped (with the reason).
"""

import argparse
import ctypes
import os
import re
import resource
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhu  # noqa: E402
from vhu import Closed, Timeout  # noqa: E402

SKIP = 77
CASE_SECONDS = 45       # one case, attack and checks
RSS_TOLERANCE_KIB = 16 * 1024
SERVE_TIMEOUT = 5.0     # a fresh connection must complete its requests within this
FD_SETTLE = 5.0         # the daemon's fd count must be back at baseline within this

# How devices are given to the daemon: "--vdev" (an EAL option) or
# "--device" (the daemon's own option, after "--"). "auto": --device when
# the daemon's --help names it. --device-switch or VRTC_DEVICE_SWITCH.
DEVICE_SWITCH = os.environ.get("VRTC_DEVICE_SWITCH", "auto")


def detect_device_switch(build):
    exe = os.path.join(build, "app/rtcd/dpdk-rtcd")
    try:
        out = subprocess.run([exe, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    return "--device" if re.search(r"^\s*--device\b", out, re.M) else "--vdev"

# The statistics line of a device (plain, or "rtcd.stats: " in front when
# logged through rte_log); fields are looked up one by one.
STATS_RE = r"(?:^|\s){dev}: (?:waiting|connected|serving) .*\| total (\d+) req (\d+) B"
STATS_FIELDS = ("errors", "bad_chains", "broken_queues", "irqs")


class Fail(Exception):
    pass


class Skip(Exception):
    pass


class CaseTimeout(BaseException):
    pass


def on_alarm(signum, frame):
    raise CaseTimeout()


def check(cond, what):
    if not cond:
        raise Fail(what)


def wait_for(pred, timeout, step=0.02):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            return v
        time.sleep(step)


# --------------------------------------------------------------------- daemon
PR_SET_PDEATHSIG = 1


def die_with_parent():
    """In the child before exec: SIGKILL when the test process dies (a
    meson timeout must not leave daemons behind)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


class Daemon:
    """dpdk-rtcd serving rtc_vhost0 (rtc.sock) and rng_vhost0 (rng.sock)."""

    n = 0

    def __init__(self, build, rtc_args="", extra_devices=(), app_args=()):
        Daemon.n += 1
        self.build = build
        self.dir = tempfile.mkdtemp(prefix="vrtc-hostile-")
        self.prefix = f"hostile{os.getpid()}n{Daemon.n}"
        self.log_path = os.path.join(self.dir, "daemon.log")
        devices = [f"rtc_vhost0,iface={self.sock('rtc')}{rtc_args}",
                   f"rng_vhost0,iface={self.sock('rng')}"] + list(extra_devices)
        self.args = device_args(build, self.prefix, devices, ["-s", "1"] + list(app_args))
        self.proc = None
        self.log = None

    def sock(self, kind):
        return os.path.join(self.dir, f"{kind}.sock")

    def start(self, timeout=20):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        ok = wait_for(lambda: self.proc.poll() is not None or
                      (os.path.exists(self.sock("rtc")) and os.path.exists(self.sock("rng"))
                       and "serving" in self.output()), timeout, 0.05)
        if not ok or self.proc.poll() is not None:
            out = self.output()
            self.cleanup()
            raise Fail(f"daemon did not start (exit {self.proc.returncode}):\n{out[-3000:]}")
        return self

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def output(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_size(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def output_since(self, pos):
        with open(self.log_path, "rb") as f:
            f.seek(pos)
            return f.read().decode(errors="replace")

    def tree(self):
        """The daemon and its descendants (a front door may be a process of
        its own): pids."""
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                for t in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{t}/children") as f:
                        todo += [int(c) for c in f.read().split()]
            except OSError:
                pass
        return pids

    def fds(self):
        """Open fds of the daemon's process tree (-1 when it is gone)."""
        n = 0
        for pid in self.tree():
            try:
                n += len(os.listdir(f"/proc/{pid}/fd"))
            except OSError:
                if pid == self.pid:
                    return -1
        return n

    def fd_targets(self):
        """What the tree's fds point to ("anon_inode:[eventfd]", "/memfd:guest
        (deleted)", ...), as a multiset."""
        out = {}
        for pid in self.tree():
            try:
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    try:
                        t = os.readlink(f"/proc/{pid}/fd/{fd}")
                    except OSError:
                        continue
                    t = re.sub(r"\[\d+\]$", "", t)  # socket:[123] -> socket:
                    out[t] = out.get(t, 0) + 1
            except OSError:
                pass
        return out

    def rss_kib(self):
        """VmRSS of the daemon's process tree, KiB."""
        total = 0
        for pid in self.tree():
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except OSError:
                pass
        return total or -1

    def stats_lines(self, dev, text=None):
        """Every statistics line of a device, as dicts of totals."""
        out = []
        pat = re.compile(STATS_RE.format(dev=re.escape(dev)))
        for line in (self.output() if text is None else text).splitlines():
            m = pat.search(line)
            if not m:
                continue
            st = {"requests": int(m.group(1)), "bytes": int(m.group(2))}
            for k in STATS_FIELDS:
                f = re.search(rf"\b{k} (\d+)", line)
                st["broken" if k == "broken_queues" else k] = int(f.group(1)) if f else 0
            out.append(st)
        return out

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Signal; returns (exit status, seconds) or raises Fail after timeout."""
        if not self.alive():
            return self.proc.returncode, 0.0
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
            return rc, time.monotonic() - t0
        except subprocess.TimeoutExpired:
            self.kill()
            raise Fail(f"daemon did not stop within {timeout} s of {sig.name}")

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass

    def cleanup(self):
        if self.alive():
            try:
                self.stop(timeout=5)
            except Fail:
                pass
        self.kill()
        if self.log:
            self.log.close()
        subprocess.run(["rm", "-rf", self.dir])
        # EAL's runtime directory of this prefix (it leaves it behind).
        subprocess.run(["rm", "-rf", f"/var/run/dpdk/{self.prefix}"])


def device_args(build, prefix, devices, app_args):
    """The daemon's command line; the device switch is the one place that
    knows whether devices are EAL vdevs or application options."""
    eal = [os.path.join(build, "app/rtcd/dpdk-rtcd"), "-l", "0,1", "--no-huge", "-m", "128",
           "--no-pci", "--no-shconf", f"--file-prefix={prefix}", "--log-level=lib.vhost.*:warning"]
    app = list(app_args)
    for d in devices:
        if DEVICE_SWITCH == "--vdev":
            eal += ["--vdev", d]
        else:
            app += [DEVICE_SWITCH, d]
    return eal + ["--"] + app


# ------------------------------------------------------------------- harness
def serve(path, kind, alive, timeout=SERVE_TIMEOUT, tries=3):
    """vhu.serve_check, tried again (at most tries times, within about
    2 x timeout) when the connection was refused or closed during set-up
    and the daemon is alive: it may still be tearing the previous
    connection down."""
    t_end = time.monotonic() + 2 * timeout
    for _ in range(tries):
        err = vhu.serve_check(path, kind, timeout)
        if err is None or not re.match(r"connect: \[Errno 111\]|set-up: Closed", err) or \
                time.monotonic() > t_end or not alive():
            return err
        time.sleep(0.1)
    return err


class Ctx:
    """One case's view: the daemon, the target, what the case opened."""

    def __init__(self, h, target):
        self.h = h
        self.d = h.daemon
        self.target = target
        self.other = "rng" if target == "rtc" else "rtc"
        self.opened = []
        self.notes = []
        self.skip_checks = set()

    def path(self, kind=None):
        return self.d.sock(kind or self.target)

    def note(self, s):
        self.notes.append(s)

    def conn(self, kind=None, timeout=2.0, reply_ack=True, negotiate=True):
        """A raw connection, SET_OWNER + features + REPLY_ACK negotiated."""
        c = vhu.Conn(self.path(kind), timeout)
        self.opened.append(c)
        if negotiate:
            c.set_owner()
            f = c.get_features()
            c.get_protocol_features()
            if reply_ack:
                c.set_protocol_features(1 << vhu.PF_REPLY_ACK)
            c.set_features(f & ((1 << vhu.F_VERSION_1) | (1 << vhu.F_PROTOCOL_FEATURES)))
        return c

    def device(self, kind=None, up=True, queues=(0,), **kw):
        """A device brought up (REPLY_ACK on), rings served."""
        dv = vhu.Device(self.path(kind), kind or self.target, **kw)
        self.opened.append(dv)
        if up:
            dv.up(queues=list(queues))
        return dv

    def served(self, kind, what, timeout=SERVE_TIMEOUT):
        err = serve(self.path(kind), kind, self.d.alive, timeout)
        check(err is None, f"{kind} device not served {what}: {err}")

    def during(self, what="during the attack"):
        self.served(self.other, what)

    def cleanup(self):
        """Close what the case opened: gracefully (waiting for the back-end's
        EOF) while a 5 s budget lasts, then at once."""
        t_end = time.monotonic() + 5
        for o in reversed(self.opened):
            graceful = time.monotonic() < t_end
            try:
                if isinstance(o, vhu.Device):
                    o.close(graceful=graceful)
                else:
                    o.close(graceful=graceful, wait=min(1.0, max(t_end - time.monotonic(), 0)))
            except Exception:
                pass
        self.opened = []


class Harness:
    def __init__(self, build, sanitize):
        self.build = build
        self.sanitize = sanitize
        self.daemon = None
        self.results = []

    def start_daemon(self):
        if self.daemon is not None:
            self.daemon.cleanup()
            self.daemon = None
        d = Daemon(self.build)
        d.start()
        self.daemon = d
        # Warm-up: one connection to each device, so that one-time
        # allocations are in the baseline.
        for kind in ("rtc", "rng", "rtc", "rng"):
            err = vhu.serve_check(self.daemon.sock(kind), kind, 10)
            if err:
                self.daemon.cleanup()
                self.daemon = None
                raise Fail(f"warm-up: {kind} not served: {err}")
        self.baseline_fds = self.settled_fds(None)
        self.baseline_targets = self.daemon.fd_targets()
        self.baseline_rss = self.daemon.rss_kib()

    def settled_fds(self, target):
        """Wait until the fd count is at most target (None: stable)."""
        d = self.daemon
        if target is None:
            last, t_end = d.fds(), time.monotonic() + 2
            while time.monotonic() < t_end:
                time.sleep(0.1)
                n = d.fds()
                if n == last:
                    return n
                last = n
            return last
        return wait_for(lambda: d.fds() <= target and d.fds(), FD_SETTLE, 0.05) or d.fds()

    def run(self, name, fn):
        c = CASES[name]
        if self.daemon is None or not self.daemon.alive():
            try:
                self.start_daemon()
            except Fail as e:
                self.results.append((name, "FAIL", "daemon did not start", 0.0))
                print(f"FAIL {name}: {e}", flush=True)
                return False
        ctx = Ctx(self, c["target"])
        pos = self.daemon.log_size()
        t0 = time.monotonic()
        errors = []
        restart = False
        signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(CASE_SECONDS)
        try:
            try:
                fn(ctx)
                if self.daemon.alive() and "during" not in ctx.skip_checks:
                    ctx.during()
            except Fail as e:
                errors.append(str(e))
            except Skip:
                raise
            except (Closed, Timeout, OSError) as e:
                errors.append(f"unexpected {type(e).__name__}: {e}")
            finally:
                ctx.cleanup()
            d = self.daemon
            if ctx.d is not d or "post" in ctx.skip_checks:
                pass  # the case replaced or stopped the daemon itself
            elif not d.alive():
                rc = d.proc.returncode
                why = f"signal {signal.Signals(-rc).name}" if rc < 0 else f"exit {rc}"
                san = re.search(r"ERROR: AddressSanitizer: ([\w-]+)|runtime error: ([^\n]{0,80})",
                                d.output_since(pos))
                if san:
                    why += ", sanitizer: " + (san.group(1) or san.group(2))
                errors.append(f"daemon died ({why})")
                restart = True
            else:
                for kind, what in ((ctx.other, "after the attack"),
                                   (ctx.target, "on a fresh connection after the attack")):
                    err = serve(d.sock(kind), kind, d.alive)
                    if err:
                        errors.append(f"{kind} device not served {what}: {err}")
                        restart = True
                n = self.settled_fds(self.baseline_fds)
                if n > self.baseline_fds:
                    now = d.fd_targets()
                    extra = {t: c - self.baseline_targets.get(t, 0) for t, c in now.items()
                             if c > self.baseline_targets.get(t, 0)}
                    what = ", ".join(f"{c} x {t}" for t, c in sorted(extra.items())[:4])
                    errors.append(f"fd count {n}, baseline {self.baseline_fds} (new: {what})")
                    restart = True
                if self.sanitize == "none":
                    rss = d.rss_kib()
                    if rss > self.baseline_rss + RSS_TOLERANCE_KIB:
                        errors.append(f"RSS {rss // 1024} MiB, baseline "
                                      f"{self.baseline_rss // 1024} MiB + "
                                      f"{RSS_TOLERANCE_KIB // 1024}")
                        restart = True
                if not d.alive():
                    errors.append("daemon died during the checks")
                    restart = True
        except CaseTimeout:
            errors.append(f"case did not finish within {CASE_SECONDS} s (daemon hung?)")
            ctx.cleanup()
            restart = True
        except Skip as e:
            signal.alarm(0)
            self.results.append((name, "SKIP", str(e), time.monotonic() - t0))
            print(f"SKIP {name}: {e}", flush=True)
            return True
        finally:
            signal.alarm(0)
        dt = time.monotonic() - t0
        if "post" in ctx.skip_checks and ctx.d is self.daemon and not self.daemon.alive():
            restart = True
        outcome = "PASS" if not errors else "FAIL"
        detail = "; ".join(errors) if errors else "; ".join(ctx.notes)
        self.results.append((name, outcome, detail, dt))
        print(f"{outcome} {name} ({dt:.1f} s){': ' + detail if detail else ''}", flush=True)
        if errors and self.daemon is not None:
            tail = self.daemon.output_since(pos).splitlines()
            tail = [l for l in tail if not re.search(r"(^|\s)(rtc|rng)_vhost0: "
                                                     r"(waiting|connected|serving) ", l)]
            for line in tail[-12:]:
                print(f"    | {line}")
        if restart and self.daemon is not None:
            self.daemon.cleanup()
            self.daemon = None
        return not errors

    def finish(self):
        if self.daemon is not None:
            self.daemon.cleanup()
            self.daemon = None


# --------------------------------------------------------------------- cases
CASES = {}


def case(group, target="rtc", desc=""):
    def reg(fn):
        name = fn.__name__
        CASES[name] = dict(fn=fn, group=group, target=target, desc=desc or fn.__doc__ or "")
        return fn
    return reg


def refused(c, request, payload=b"", fds=(), size=None, flags=None, what=None):
    """Send a request that must be refused: a NACK (non-zero u64 reply, no
    fds) or a closed connection. Returns 'NACK' or 'closed'; Fail if it was
    accepted or the connection was left silent."""
    what = what or vhu.NAMES.get(request, str(request))
    try:
        c.send(request, payload, fds, size=size, flags=flags, need_reply=True)
        req, fl, data = c.recv(3.0)
    except Closed:
        return "closed"
    except Timeout:
        if c.closed_within(2.0):
            return "closed"
        raise Fail(f"{what}: neither a reply nor a closed connection")
    got = c.take_fds()
    for fd in got:
        os.close(fd)
    if len(data) == 8 and struct.unpack("<Q", data)[0] != 0 and not got:
        return "NACK"
    raise Fail(f"{what} accepted (reply {req} of {len(data)} bytes {data[:16].hex()}, "
               f"{len(got)} fds)")


def acked_or_refused(c, request, payload=b"", fds=()):
    """Either outcome passes; returns 'ack', 'NACK' or 'closed'."""
    try:
        r = c.request(request, payload, fds, need_reply=True)
    except Closed:
        return "closed"
    except Timeout:
        if c.closed_within(2.0):
            return "closed"
        raise Fail(f"{vhu.NAMES.get(request)}: neither a reply nor a closed connection")
    return "ack" if r == 0 else "NACK"


def served_or_closed(dv, q=0, what="", timeout=SERVE_TIMEOUT):
    """After a refused or odd message on a live device: its queue is served
    again, or its connection was closed; never silently idle."""
    r = dv.transact(q, timeout)
    if r is not None:
        return "served"
    if dv.c.closed_within(1.0):
        return "closed"
    raise Fail(f"{what}: queue silently idle (neither served nor connection closed)")


# ----- group: requests (every request the daemon accepts, used correctly)

@case("requests", desc="GET_FEATURES: 8-byte reply offering VERSION_1 and PROTOCOL_FEATURES")
def get_features(ctx):
    c = ctx.conn(negotiate=False)
    f = c.get_features()
    check(f & (1 << vhu.F_VERSION_1) and f & (1 << vhu.F_PROTOCOL_FEATURES),
          f"features {f:#x}")
    check(not f & (1 << vhu.F_RING_PACKED), "packed ring offered though not served")


@case("requests", desc="GET/SET_PROTOCOL_FEATURES: REPLY_ACK offered and then honoured")
def protocol_features_reply_ack(ctx):
    c = ctx.conn(negotiate=False)
    c.set_owner()
    pf = c.get_protocol_features()
    check(pf & (1 << vhu.PF_REPLY_ACK), f"protocol features {pf:#x} lack REPLY_ACK")
    c.set_protocol_features(1 << vhu.PF_REPLY_ACK)
    r = c.set_features(c.get_features() & ((1 << vhu.F_VERSION_1) | (1 << vhu.F_PROTOCOL_FEATURES)))
    check(r == 0, f"SET_FEATURES acked with {r}")


@case("requests", desc="full rtc set-up, both queues, 64 READs of clock 0")
def rtc_both_queues(ctx):
    dv = ctx.device(queues=(0, 1))
    for i in range(64):
        r = dv.transact(0, 2)
        check(r is not None and r[2] == vhu.RTC_S_OK and r[1] == 16, f"READ {i}: {r}")


@case("requests", target="rng", desc="rng set-up, 64 buffers of 64 bytes filled")
def rng_basic(ctx):
    dv = ctx.device()
    for i in range(64):
        r = dv.transact(0, 2)
        check(r is not None and r[1] > 0, f"rng buffer {i}: {r}")


@case("requests", desc="SET_OWNER twice: acked or refused, device still brought up and served")
def set_owner_twice(ctx):
    dv = ctx.device(up=False)
    dv.c.set_owner()  # Device.up() sends the first one
    how = "sent"
    try:
        dv.up(queues=[0])
    except Closed:
        ctx.note("closed at the second SET_OWNER")
        return
    check(dv.transact(0, 2) is not None, f"served after two SET_OWNER ({how})")


@case("requests", desc="GET_QUEUE_NUM: 8-byte reply; device served afterwards")
def get_queue_num(ctx):
    dv = ctx.device()
    try:
        n = dv.c.get_queue_num()
        ctx.note(f"queue num {n}")
    except Closed:
        ctx.note("GET_QUEUE_NUM closed the connection (MQ not offered)")
        return
    check(dv.transact(0, 2) is not None, "served after GET_QUEUE_NUM")


@case("requests", desc="GET_VRING_BASE after 20 READs answers 20; queue resumed with SET_VRING_BASE")
def get_vring_base_resume(ctx):
    dv = ctx.device()
    for _ in range(20):
        check(dv.transact(0, 2) is not None, "READ before GET_VRING_BASE")
    idx, base = dv.c.get_vring_base(0)
    check(idx == 0 and base == 20, f"GET_VRING_BASE answered ({idx}, {base})")
    dv.setup_queue(0, base=20)
    check(dv.transact(0, 2) is not None, "READ after the queue was restarted at 20")


@case("requests", desc="SET_VRING_ENABLE 0 then 1 with a request posted in between: answered")
def vring_enable_toggle(ctx):
    # The spec lets a started-but-disabled ring be processed "without side
    # effects": whether the request is answered while disabled is noted,
    # not asserted; after the enable it must be.
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "READ before disable")
    check(dv.c.set_vring_enable(0, 0) == 0, "disable acked")
    head, _ = dv.post_request(0)
    u = dv.rings[0].wait_used(0.3)
    ctx.note("answered while disabled" if u else "held while disabled")
    check(dv.c.set_vring_enable(0, 1) == 0, "enable acked")
    dv.kick(0)
    if u is None:
        u = dv.rings[0].wait_used(SERVE_TIMEOUT)
        check(u is not None and u[0] == head, f"re-enabled queue left the request ({u})")
    check(dv.transact(0, SERVE_TIMEOUT) is not None, "served after the enable")


@case("requests", desc="SET_VRING_CALL and SET_VRING_KICK replaced under traffic, old fds released")
def replace_kick_call(ctx):
    dv = ctx.device()
    for i in range(50):
        k, cl = vhu.eventfd(), vhu.eventfd()
        check(dv.c.set_vring_kick(0, k) == 0 and dv.c.set_vring_call(0, cl) == 0, "acked")
        os.close(dv.kicks[0])
        os.close(dv.calls[0])
        dv.kicks[0], dv.calls[0] = k, cl
        check(dv.transact(0, 2) is not None, f"READ after replacement {i}")


@case("requests", desc="SET_VRING_ERR with an eventfd: acked, fd not leaked")
def set_vring_err(ctx):
    dv = ctx.device()
    for _ in range(20):
        e = vhu.eventfd()
        acked_or_refused(dv.c, vhu.SET_VRING_ERR, vhu.u64(0), (e,))
        os.close(e)
    served_or_closed(dv, what="after SET_VRING_ERR")


@case("requests", desc="SET_FEATURES with the same value on a live device: still served")
def set_features_same_live(ctx):
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "READ before")
    check(dv.c.set_features(dv.features) == 0, "same features acked")
    served_or_closed(dv, what="after SET_FEATURES (same)")


@case("requests", desc="SET_MEM_TABLE again on a live device (same memory, other GPA too)")
def set_mem_table_live(ctx):
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "READ before")
    extra = vhu.GuestMem(1 << 20, base=0x80000000)
    try:
        r = dv.c.set_mem_table([dv.mem.region(), extra.region()], [dv.mem.fd, extra.fd])
        check(r == 0, f"new table acked ({r})")
        served_or_closed(dv, what="after a new memory table")
    finally:
        extra.close()


@case("requests", desc="GET_MAX_MEM_SLOTS (CONFIGURE_MEM_SLOTS not negotiated): answered or "
                       "refused, device served")
def get_max_mem_slots(ctx):
    # A harmless query: a value (8 for DPDK 22.11) or a refusal both pass.
    dv = ctx.device()
    try:
        dv.c.send(vhu.GET_MAX_MEM_SLOTS, need_reply=True)
        _, _, data = dv.c.recv(3)
        ctx.note(f"answered {data.hex()}")
    except Closed:
        ctx.note("closed")
        return
    served_or_closed(dv, what="after GET_MAX_MEM_SLOTS")


# ----- group: unnegotiated (messages of features never offered or negotiated: refused)

def _unnegotiated(request, payload=b"", fds_factory=None, target="rtc"):
    def fn(ctx):
        dv = ctx.device(kind=target)
        fds = fds_factory() if fds_factory else ()
        try:
            how = refused(dv.c, request, payload, fds)
        finally:
            for fd in fds:
                os.close(fd)
        ctx.note(how)
        if how == "NACK":
            served_or_closed(dv, what=f"after a refused {vhu.NAMES.get(request, request)}")
    return fn


def _memfd(size=1 << 20):
    def f():
        fd = os.memfd_create("x", os.MFD_CLOEXEC)
        os.ftruncate(fd, size)
        return (fd,)
    return f


UNNEGOTIATED = [
    ("set_log_base", vhu.SET_LOG_BASE, struct.pack("<QQ", 1 << 20, 0), _memfd()),
    ("set_log_fd", vhu.SET_LOG_FD, b"", lambda: (vhu.eventfd(),)),
    ("send_rarp", vhu.SEND_RARP, b"\x52\x54\x00\x12\x34\x56\x00\x00", None),
    ("net_set_mtu", vhu.NET_SET_MTU, vhu.u64(1500), None),
    ("set_backend_req_fd", vhu.SET_BACKEND_REQ_FD, b"",
     lambda: tuple(socket.socketpair()[0].detach() for _ in range(1))),
    ("iotlb_msg", vhu.IOTLB_MSG, struct.pack("<QQQBB6x", 0x40000000, 4096, 0x40000000, 3, 2),
     None),
    ("set_vring_endian", vhu.SET_VRING_ENDIAN, vhu.vring_state(0, 1), None),
    ("get_config", vhu.GET_CONFIG, struct.pack("<III", 0, 16, 0) + bytes(16), None),
    ("set_config", vhu.SET_CONFIG, struct.pack("<III", 0, 16, 0) + bytes(16), None),
    ("create_crypto_session", vhu.CREATE_CRYPTO_SESSION, bytes(64), None),
    ("close_crypto_session", vhu.CLOSE_CRYPTO_SESSION, vhu.u64(1), None),
    ("postcopy_advise", vhu.POSTCOPY_ADVISE, b"", None),
    ("postcopy_listen", vhu.POSTCOPY_LISTEN, b"", None),
    ("postcopy_end", vhu.POSTCOPY_END, b"", None),
    ("get_inflight_fd", vhu.GET_INFLIGHT_FD, vhu.inflight(0, 0, 2, 64), None),
    ("set_inflight_fd", vhu.SET_INFLIGHT_FD, vhu.inflight(1 << 16, 0, 2, 64), _memfd(1 << 16)),
    ("gpu_set_socket", vhu.GPU_SET_SOCKET, b"",
     lambda: tuple(socket.socketpair()[0].detach() for _ in range(1))),
    ("reset_device", vhu.RESET_DEVICE, b"", None),
    ("vring_kick_inband", vhu.VRING_KICK, vhu.vring_state(0, 1), None),
    ("add_mem_reg", vhu.ADD_MEM_REG, vhu.single_region(0x80000000, 1 << 20, 0x80000000, 0),
     _memfd()),
    ("rem_mem_reg", vhu.REM_MEM_REG, vhu.single_region(0x40000000, 1 << 20, 0x40000000, 0),
     None),
    ("set_status", vhu.SET_STATUS, vhu.u64(0x0f), None),
    ("get_status", vhu.GET_STATUS, b"", None),
    ("unknown_41", 41, vhu.u64(0), None),
    ("unknown_0", 0, b"", None),
    ("unknown_0xffffffff", 0xFFFFFFFF, vhu.u64(0), None),
]

for _name, _req, _payload, _fds in UNNEGOTIATED:
    _fn = _unnegotiated(_req, _payload, _fds)
    _fn.__name__ = "unnegotiated_" + _name
    case("unnegotiated", desc=(f"unknown request code {_req:#x}" if _name.startswith("unknown")
                               else f"{vhu.NAMES[_req]} (request {_req}), its feature never "
                               "negotiated") + " on a live rtc device: refused, device still "
         "served")(_fn)


# ----- group: sizes (malformed sizes and flags)

@case("sizes", desc="header announcing 64 KiB payload (more than any message): refused")
def size_huge(ctx):
    c = ctx.conn()
    try:
        c.send_raw(struct.pack("<III", vhu.SET_FEATURES, vhu.VERSION | vhu.F_NEED_REPLY,
                               0x10000) + bytes(8))
        ctx.note("closed" if c.closed_within(3) else "open")
    except Closed:
        ctx.note("closed")


@case("sizes", desc="SET_VRING_NUM with a 4-byte payload: refused")
def size_vring_num_short(ctx):
    c = ctx.conn()
    ctx.note(refused(c, vhu.SET_VRING_NUM, struct.pack("<I", 0)))


@case("sizes", desc="SET_FEATURES with a 16-byte payload: refused")
def size_features_long(ctx):
    c = ctx.conn()
    ctx.note(refused(c, vhu.SET_FEATURES, vhu.u64(1 << vhu.F_VERSION_1) + bytes(8)))


@case("sizes", desc="SET_VRING_ADDR with a 32-byte payload: refused")
def size_vring_addr_short(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    dv.set_mem()
    ctx.note(refused(dv.c, vhu.SET_VRING_ADDR, vhu.vring_addr(0, *dv.rings[0].addrs())[:32]))


@case("sizes", desc="SET_MEM_TABLE announcing 9 regions: refused, fds not leaked")
def mem_table_9_regions(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    regs = [dv.mem.region(i * 4096, 4096) for i in range(9)]
    ctx.note(refused(dv.c, vhu.SET_MEM_TABLE, vhu.mem_table(regs), [dv.mem.fd] * 8))


@case("sizes", desc="SET_MEM_TABLE nregions 2 with one region's bytes (issue 9 #4 fd leak)")
def mem_table_short_payload(ctx):
    for i in range(5):
        dv = ctx.device(up=False)
        dv.negotiate()
        payload = struct.pack("<II", 2, 0) + vhu.mem_region(*dv.mem.region())
        ctx.note(refused(dv.c, vhu.SET_MEM_TABLE, payload, [dv.mem.fd, dv.mem.fd]))
        dv.close()
        ctx.opened.remove(dv)


@case("sizes", desc="SET_MEM_TABLE with a region of size 0 (issue 9 #4 fd leak): refused")
def mem_table_zero_size(ctx):
    for i in range(5):
        dv = ctx.device(up=False)
        dv.negotiate()
        ctx.note(refused(dv.c, vhu.SET_MEM_TABLE, vhu.mem_table([dv.mem.region(size=0)]),
                         [dv.mem.fd]))
        dv.close()
        ctx.opened.remove(dv)


@case("sizes", desc="flags without the version bits: refused")
def flags_bad_version(ctx):
    c = ctx.conn()
    ctx.note(refused(c, vhu.SET_FEATURES, vhu.u64(1 << vhu.F_VERSION_1),
                     flags=vhu.F_NEED_REPLY | 0x2))


@case("sizes", desc="4 KiB of random bytes instead of messages: connection closed")
def garbage_stream(ctx):
    c = ctx.conn(negotiate=False)
    try:
        c.send_raw(os.urandom(4096))
    except Closed:
        return
    check(c.closed_within(3), "connection still open after 4 KiB of garbage")


@case("sizes", desc="6 bytes of a header, then close")
def truncated_header_close(ctx):
    c = ctx.conn()
    c.send_raw(struct.pack("<III", vhu.GET_FEATURES, 1, 0)[:6])
    c.close(graceful=True)


@case("sizes", desc="SET_VRING_NUM index 2 and 255 on rtc (2 queues): refused")
def vring_index_out_of_range(ctx):
    dv = ctx.device()
    for idx in (2, 255):
        how = refused(dv.c, vhu.SET_VRING_NUM, vhu.vring_state(idx, 64),
                      what=f"SET_VRING_NUM index {idx}")
        ctx.note(f"{idx}: {how}")
        if how == "closed":
            return
    served_or_closed(dv, what="after out-of-range indexes")


@case("sizes", desc="SET_VRING_NUM 0, 3, 65535: refused (split ring sizes are powers of 2 <= 32768)")
def vring_num_invalid(ctx):
    for num in (0, 3, 65535):
        dv = ctx.device(up=False)
        dv.negotiate()
        dv.set_mem()
        ctx.note(f"{num}: " + refused(dv.c, vhu.SET_VRING_NUM, vhu.vring_state(0, num),
                                      what=f"SET_VRING_NUM {num}"))
        dv.close()
        ctx.opened.remove(dv)


# ----- group: fds

@case("fds", desc="GET_FEATURES with 8 stray eventfds attached: fds not leaked")
def stray_fds(ctx):
    c = ctx.conn()
    for _ in range(10):
        fds = [vhu.eventfd() for _ in range(8)]
        try:
            c.send(vhu.GET_FEATURES, fds=fds)
            c.recv(3)
        except Closed:
            ctx.note("closed")
            return
        finally:
            for fd in fds:
                os.close(fd)


@case("fds", desc="SET_VRING_KICK without an fd and without NOFD: refused")
def kick_missing_fd(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    dv.set_mem()
    c = dv.c
    c.set_vring_num(0, 64)
    c.set_vring_base(0, 0)
    c.set_vring_addr(0, *dv.rings[0].addrs())
    ctx.note(refused(c, vhu.SET_VRING_KICK, vhu.u64(0)))


@case("fds", desc="SET_VRING_KICK with two fds: refused, both released")
def kick_two_fds(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    dv.set_mem()
    a, b = vhu.eventfd(), vhu.eventfd()
    try:
        ctx.note(refused(dv.c, vhu.SET_VRING_KICK, vhu.u64(0), (a, b)))
    finally:
        os.close(a)
        os.close(b)


@case("fds", desc="SET_VRING_KICK NOFD with an fd attached anyway: fd released")
def kick_nofd_with_fd(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    dv.set_mem()
    for _ in range(10):
        a = vhu.eventfd()
        try:
            how = acked_or_refused(dv.c, vhu.SET_VRING_KICK, vhu.u64(vhu.VRING_NOFD), (a,))
        finally:
            os.close(a)
        if how == "closed":
            break


@case("fds", desc="SET_MEM_TABLE one region, two fds: refused, fds released")
def mem_table_extra_fd(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    e = vhu.eventfd()
    try:
        ctx.note(refused(dv.c, vhu.SET_MEM_TABLE, vhu.mem_table([dv.mem.region()]),
                         [dv.mem.fd, e]))
    finally:
        os.close(e)


@case("fds", desc="SET_MEM_TABLE whose fd is a pipe (cannot be mapped): refused")
def mem_table_pipe_fd(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    r, w = os.pipe()
    try:
        ctx.note(refused(dv.c, vhu.SET_MEM_TABLE, vhu.mem_table([dv.mem.region()]), [r]))
    finally:
        os.close(r)
        os.close(w)


@case("fds", desc="region whose mmap_offset + size lies past the end of its fd (issue 9 #4 SIGBUS)")
def region_past_fd_end(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    small = vhu.GuestMem(64 * 1024, seal=True)
    try:
        how = acked_or_refused(dv.c, vhu.SET_MEM_TABLE,
                               vhu.mem_table([small.region(size=1 << 20)]), (small.fd,))
        ctx.note(how)
        if how == "ack":
            # Show what it costs: rings past the end of the file, then traffic.
            dv.c.set_vring_num(0, 64)
            dv.c.set_vring_base(0, 0)
            a = small.addr(512 * 1024)
            dv.c.set_vring_addr(0, a, a + 2048, a + 1024)
            dv.c.set_vring_kick(0, dv.kicks[0])
            dv.c.set_vring_call(0, dv.calls[0])
            dv.c.set_vring_enable(0, 1)
            dv.kick(0)
            time.sleep(0.3)
            raise Fail("a region past the end of its fd was accepted")
    except (Closed, Timeout):
        pass
    finally:
        small.close()


@case("fds", desc="region larger than its (sealed) memfd, rings inside the file, a request "
                  "buffer past its end (issue 9 #4 SIGBUS in the rtc reader)")
def buffer_past_fd_end(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    small = vhu.GuestMem(64 * 1024, seal=True)
    try:
        how = acked_or_refused(dv.c, vhu.SET_MEM_TABLE,
                               vhu.mem_table([small.region(size=1 << 20)]), (small.fd,))
        ctx.note(how)
        if how != "ack":
            return
        ring = vhu.Ring(small, 64)
        dv.rings[0] = ring
        dv.setup_queue(0)
        far = small.addr(512 * 1024)
        ring.post_chain([(far, 16, False), (far + 32, 16, True)])
        dv.kick(0)
        u = ring.wait_used(1.0)
        ctx.note(f"used {u}")
        raise Fail("a region larger than its file was accepted")
    finally:
        small.close()


@case("fds", desc="region with mmap_offset 2^63: refused")
def region_offset_huge(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    ctx.note(refused(dv.c, vhu.SET_MEM_TABLE,
                     vhu.mem_table([dv.mem.region(size=4096, mmap_offset=1 << 63)]), [dv.mem.fd]))


@case("fds", desc="region of size 2^62 on a 1 MiB memfd: refused")
def region_size_huge(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    ctx.note(refused(dv.c, vhu.SET_MEM_TABLE,
                     vhu.mem_table([dv.mem.region(size=1 << 62)]), [dv.mem.fd]))


@case("fds", desc="region whose gpa + size wraps around 2^64: refused")
def region_gpa_wraps(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    ctx.note(refused(dv.c, vhu.SET_MEM_TABLE,
                     vhu.mem_table([dv.mem.region(gpa=(1 << 64) - 4096)]), [dv.mem.fd]))


@case("fds", desc="kick and call fds that are regular memfds, not eventfds: no wedge")
def kick_call_not_eventfd(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    dv.set_mem()
    (k,), (cl,) = _memfd(4096)(), _memfd(4096)()
    try:
        c = dv.c
        c.set_vring_num(0, 64)
        c.set_vring_base(0, 0)
        c.set_vring_addr(0, *dv.rings[0].addrs())
        for req, fd in ((vhu.SET_VRING_KICK, k), (vhu.SET_VRING_CALL, cl)):
            if acked_or_refused(c, req, vhu.u64(0), (fd,)) == "closed":
                return
        acked_or_refused(c, vhu.SET_VRING_ENABLE, vhu.vring_state(0, 1))
        dv.transact(0, 1)  # served or not: the checks below are what count
    finally:
        os.close(k)
        os.close(cl)


# ----- group: order (bad orderings, live device, RESET_OWNER)

@case("order", desc="ring set-up before any SET_MEM_TABLE: refused or deferred; then a full set-up serves")
def rings_before_mem_table(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    how = acked_or_refused(dv.c, vhu.SET_VRING_ADDR, vhu.vring_addr(0, *dv.rings[0].addrs()))
    ctx.note(how)
    if how == "closed":
        return
    dv.set_mem()
    dv.setup_queue(0)
    check(dv.transact(0, 2) is not None, "served after the memory table came")


@case("order", desc="messages without SET_OWNER, GET_VRING_BASE of a queue never set up")
def no_owner_get_base(ctx):
    c = ctx.conn(negotiate=False)
    c.get_features()
    try:
        c.get_vring_base(0)
        ctx.note("answered")
    except Closed:
        ctx.note("closed")


@case("order", desc="RESET_OWNER on a live device (issue 9 #3 SIGSEGV)")
def reset_owner_live(ctx):
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "READ before")
    try:
        dv.c.send(vhu.RESET_OWNER, need_reply=False)
        dv.c.get_features()
    except Closed:
        ctx.note("closed")


@case("order", desc="RESET_OWNER on a live device, then a full set-up again on the same connection")
def reset_owner_then_setup(ctx):
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "READ before")
    try:
        dv.c.send(vhu.RESET_OWNER, need_reply=False)
        dv.c.reply_ack = False
        for r in dv.rings:
            r.__init__(dv.mem, r.num, r.desc)
        dv.up(queues=[0])
    except Closed:
        ctx.note("closed")
        return
    check(served_or_closed(dv, what="after RESET_OWNER and a new set-up") in ("served", "closed"),
          "")


@case("order", desc="refused SET_MEM_TABLE (size-0 region) on a live device, then GET_FEATURES "
                    "(issue 9 #3 SIGSEGV)")
def refused_mem_table_live(ctx):
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "READ before")
    how = refused(dv.c, vhu.SET_MEM_TABLE, vhu.mem_table([dv.mem.region(size=0)]), [dv.mem.fd])
    ctx.note(how)
    if how == "closed":
        return
    try:
        # Any message that is not a query: the post hook refreshes memory.
        dv.c.set_vring_call(0, dv.calls[0])
    except Closed:
        ctx.note("closed after")
        return
    served_or_closed(dv, what="after a refused SET_MEM_TABLE")


@case("order", desc="SET_FEATURES with bits never offered on a live device (issue 9 #5): "
                    "NACK and the queue restarts, or closed")
def set_features_unoffered_live(ctx):
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "READ before")
    how = refused(dv.c, vhu.SET_FEATURES, vhu.u64(dv.features | (1 << 40)))
    ctx.note(how + ", " + (served_or_closed(dv, what="after a refused SET_FEATURES")
                           if how == "NACK" else ""))


@case("order", desc="SET_FEATURES toggling EVENT_IDX on a live device (issue 9 #5): "
                    "served afterwards or closed, never silent")
def set_features_event_idx_live(ctx):
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "READ before")
    how = acked_or_refused(dv.c, vhu.SET_FEATURES,
                           vhu.u64(dv.features | (1 << vhu.F_EVENT_IDX)))
    ctx.note(how)
    if how != "closed":
        if how == "ack":
            dv.features |= 1 << vhu.F_EVENT_IDX
        ctx.note(served_or_closed(dv, what=f"after SET_FEATURES EVENT_IDX ({how})"))


@case("order", desc="SET_VRING_NUM 32768 on a live 256-entry queue whose rings fill the last "
                    "12 KiB of memory (issue 9 #2): refused, or the queue is not served past memory")
def vring_num_grow_past_memory(ctx):
    dv = ctx.device(up=False, qsize=256)
    mem = dv.mem
    # The rings of queue 0 in the last 12 KiB of the region.
    dv.rings[0] = vhu.Ring(mem, 256, off=mem.size - 12 * 1024)
    dv.negotiate()
    dv.set_mem()
    dv.setup_queue(0)
    check(dv.transact(0, 2) is not None, "served at 256 entries")
    how = acked_or_refused(dv.c, vhu.SET_VRING_NUM, vhu.vring_state(0, 32768))
    ctx.note(how)
    if how == "closed":
        return
    if how == "ack":
        # Nothing else re-sent: the queue (re)starts at the new size with
        # the rings placed for 256 entries.
        dv.rings[0].num = 32768  # post into the slots a 32768-entry ring has
        head, _ = dv.post_request(0)
        u = dv.rings[0].wait_used(1.0)
        check(u is None, "ring served at 32768 entries though it does not fit in memory")


@case("order", desc="RESET_OWNER as the very first message, then a normal set-up on the same "
                    "connection: served or closed")
def reset_owner_first(ctx):
    dv = ctx.device(up=False)
    try:
        dv.c.send(vhu.RESET_OWNER, need_reply=False)
        dv.up(queues=[0])
    except Closed:
        ctx.note("closed")
        return
    ctx.note(served_or_closed(dv, what="after RESET_OWNER first"))


@case("order", desc="rings set up before any SET_FEATURES (so started at once, legacy), then "
                    "SET_FEATURES: acked or NACKed, the queue served or the connection closed")
def features_after_rings(ctx):
    dv = ctx.device(up=False)
    c = dv.c
    c.set_owner()
    f = c.get_features()
    c.get_protocol_features()
    c.set_protocol_features(1 << vhu.PF_REPLY_ACK)
    dv.features = f & ((1 << vhu.F_VERSION_1) | (1 << vhu.F_PROTOCOL_FEATURES))
    dv.set_mem()
    dv.setup_queue(0, enable=False)
    how = acked_or_refused(c, vhu.SET_FEATURES, vhu.u64(dv.features))
    ctx.note(how)
    if how == "closed":
        return
    acked_or_refused(c, vhu.SET_VRING_ENABLE, vhu.vring_state(0, 1))
    ctx.note(served_or_closed(dv, what=f"SET_FEATURES after the rings ({how})"))


@case("traffic", desc="SET_MEM_TABLE (same memory) with 32 requests in flight: all answered, or "
                      "the connection closed")
def mem_table_under_traffic(ctx):
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "READ before")
    heads = set()
    for _ in range(32):
        heads.add(dv.post_request(0)[0])
    how = acked_or_refused(dv.c, vhu.SET_MEM_TABLE, vhu.mem_table([dv.mem.region()]),
                           (dv.mem.fd,))
    ctx.note(how)
    if how == "closed":
        return
    dv.kick(0)
    done = set()
    t_end = time.monotonic() + SERVE_TIMEOUT
    while not heads <= done and time.monotonic() < t_end:
        u = dv.rings[0].wait_used(max(t_end - time.monotonic(), 0))
        if u is None:
            break
        done.add(u[0])
    if not heads <= done:
        check(dv.c.closed_within(1), f"{len(heads - done)} of 32 in-flight requests lost, "
                                     "connection left open")


@case("order", desc="SET_VRING_ADDR pointing outside guest memory on a live queue: refused")
def vring_addr_outside(ctx):
    dv = ctx.device()
    how = refused(dv.c, vhu.SET_VRING_ADDR,
                  vhu.vring_addr(0, 0x10000000, 0x10002000, 0x10001000))
    ctx.note(how)


@case("order", desc="SET_VRING_ADDR with a used ring straddling the region's end: refused")
def vring_addr_straddles(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    dv.set_mem()
    dv.c.set_vring_num(0, 64)
    desc, used, avail = dv.rings[0].addrs()
    end = dv.mem.addr(dv.mem.size)
    ctx.note(refused(dv.c, vhu.SET_VRING_ADDR, vhu.vring_addr(0, desc, end - 64, avail)))


@case("order", desc="disconnect with 32 requests in flight, then a fresh connection")
def disconnect_in_flight(ctx):
    dv = ctx.device()
    dv.rings[0].wait_used(0)
    for _ in range(32):
        dv.post_request(0)
    dv.c.close(graceful=False)


@case("order", desc="SET_MEM_TABLE on a live device with memory that no longer holds the rings")
def mem_table_drops_rings(ctx):
    dv = ctx.device()
    other = vhu.GuestMem(1 << 20, base=0x90000000)
    try:
        how = acked_or_refused(dv.c, vhu.SET_MEM_TABLE, vhu.mem_table([other.region()]),
                               (other.fd,))
        ctx.note(how)
        if how != "closed":
            dv.post_request(0)
            time.sleep(0.2)
    finally:
        other.close()


# ----- group: found (issue 9's other items about the socket)

@case("found", desc="a second front-end on the same socket (issue 9 #5): refused at once while "
                    "the first keeps being served, or the first sees EOF; never silent")
def second_connection(ctx):
    first = ctx.device()
    check(first.transact(0, 2) is not None, "first served")
    # 32 requests in flight (posted, not yet kicked) when the second comes.
    for i in range(32):
        first.mem.write(first.buf + 64 * i, vhu.rtc_read_request(0))
    heads = {first.rings[0].post_chain(
        [(first.mem.addr(first.buf + 64 * i), 16, False),
         (first.mem.addr(first.buf + 64 * i + 32), 16, True)]) for i in range(32)}
    second = vhu.Device(ctx.path(), "rtc", timeout=2.0)
    ctx.opened.append(second)
    try:
        second.up(queues=[0])
        second_up = True
    except (Closed, Timeout):
        second_up = False
    if not second_up:
        check(second.c.closed_within(2.0), "second connection neither served nor closed")
        first.kick(0)
        done = set()
        t_end = time.monotonic() + SERVE_TIMEOUT
        while len(done) < 32 and time.monotonic() < t_end:
            u = first.rings[0].wait_used(max(t_end - time.monotonic(), 0))
            if u:
                done.add(u[0])
        check(done >= heads, f"second refused, but only {len(done & heads)} of the first's "
                             "32 in-flight requests were answered")
        check(first.transact(0, SERVE_TIMEOUT) is not None, "second refused, first not served")
        ctx.note("second refused, first served")
        return
    served2 = second.transact(0, SERVE_TIMEOUT) is not None
    first_eof = first.c.closed_within(2.0)
    check(first_eof and served2,
          f"second connection taken silently (second served {served2}, first EOF {first_eof})")
    ctx.note("handed over, first saw EOF")


@case("found", desc="a queue set up with a NOFD kick (polling, allowed by the spec) is served")
def nofd_kick_served(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    dv.set_mem()
    c = dv.c
    c.set_vring_num(0, dv.qsize)
    c.set_vring_base(0, 0)
    c.set_vring_addr(0, *dv.rings[0].addrs())
    check(c.set_vring_kick(0, -1) == 0, "NOFD kick acked")
    c.set_vring_call(0, dv.calls[0])
    c.set_vring_enable(0, 1)
    r = dv.transact(0, SERVE_TIMEOUT)
    check(r is not None, "NOFD-kick queue not served")


@case("found", desc="overlapping regions (issue 9 #6): refused, or accepted and served")
def overlapping_regions(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    regs = [dv.mem.region(), dv.mem.region(offset=4096, size=64 * 1024)]
    how = acked_or_refused(dv.c, vhu.SET_MEM_TABLE, vhu.mem_table(regs), (dv.mem.fd, dv.mem.fd))
    ctx.note(how)
    if how == "ack":
        dv.setup_queue(0)
        check(dv.transact(0, SERVE_TIMEOUT) is not None, "overlapping regions acked, never served")


@case("found", desc="per-device counters never go down across queue re-inits and reconnects")
def counters_monotonic(ctx):
    d = ctx.d
    for _ in range(3):
        dv = ctx.device()
        for _ in range(10):
            dv.transact(0, 2)
        # One bad chain (a buffer outside guest memory): counted per queue.
        dv.rings[0].post_chain([(0x10, 16, False), (0x20, 16, True)])
        dv.kick(0)
        dv.rings[0].wait_used(0.5)
        # A statistics line while this connection's counts are in, then
        # the queue is set up again and the connection replaced.
        pos = d.log_size()
        wait_for(lambda: d.stats_lines("rtc_vhost0", d.output_since(pos)), 3, 0.05)
        dv.close()
        ctx.opened.remove(dv)
    pos = d.log_size()
    wait_for(lambda: d.stats_lines("rtc_vhost0", d.output_since(pos)), 3, 0.05)
    lines = d.stats_lines("rtc_vhost0")
    for a, b in zip(lines, lines[1:]):
        for k in ("requests", "bytes", "errors", "bad_chains", "irqs"):
            check(b[k] >= a[k], f"daemon's total {k} went down: {a[k]} -> {b[k]}")
    check(lines and lines[-1]["bad_chains"] >= 3, f"bad chains not all counted: {lines[-1]}")


@case("found", desc="READ_CROSS answered EOPNOTSUPP is not counted as an error (issue 9 #6)")
def read_cross_not_error(ctx):
    d = ctx.d
    dv = ctx.device()
    pos = d.log_size()
    wait_for(lambda: d.stats_lines("rtc_vhost0", d.output_since(pos)), 3, 0.05)
    before = d.stats_lines("rtc_vhost0")[-1]
    for _ in range(20):
        r = dv.transact(0, 2, msg=vhu.RTC_REQ_READ_CROSS)
        check(r is not None, "READ_CROSS answered")
    check(r[2] == vhu.RTC_S_EOPNOTSUPP, f"READ_CROSS status {r[2]} (cross_tsc off)")
    pos = d.log_size()
    wait_for(lambda: len(d.stats_lines("rtc_vhost0", d.output_since(pos))) >= 2, 4, 0.05)
    after = d.stats_lines("rtc_vhost0")[-1]
    check(after["requests"] >= before["requests"] + 20, f"requests counted {before} {after}")
    check(after["errors"] == before["errors"],
          f"EOPNOTSUPP counted as errors: {before['errors']} -> {after['errors']}")



# ----- group: memory (memfd seals, shrinking memory)

@case("memory", desc="guest memory sealed against shrink and grow (QEMU's default): served")
def sealed_memfd_served(ctx):
    dv = ctx.device(seal=True)
    check(dv.transact(0, 2) is not None, "sealed memory not served")


@case("memory", desc="unsealed memfd: refused (policy) or served; noted")
def unsealed_memfd(ctx):
    dv = ctx.device(up=False, seal=False)
    dv.negotiate()
    how = acked_or_refused(dv.c, vhu.SET_MEM_TABLE, vhu.mem_table([dv.mem.region()]),
                           (dv.mem.fd,))
    ctx.note(how)
    if how == "ack":
        dv.setup_queue(0)
        served_or_closed(dv, what="unsealed memory acked")


@case("memory", desc="unsealed memfd shrunk under traffic, request buffer past the new end "
                     "(issue 9 #4 SIGBUS in the rtc reader): contained to that device")
def shrink_under_traffic(ctx):
    dv = ctx.device(up=False, seal=False)
    dv.negotiate()
    how = acked_or_refused(dv.c, vhu.SET_MEM_TABLE, vhu.mem_table([dv.mem.region()]),
                           (dv.mem.fd,))
    ctx.note(how)
    if how != "ack":
        return
    dv.setup_queue(0)
    for _ in range(10):
        check(dv.transact(0, 2) is not None, "served before the shrink")
    far = 768 * 1024
    dv.mem.write(far, vhu.rtc_read_request(0))
    os.ftruncate(dv.mem.fd, 64 * 1024)
    # Descriptors and avail are in the first 64 KiB; the buffers are not.
    dv.rings[0].post_chain([(dv.mem.addr(far), 16, False), (dv.mem.addr(far + 32), 16, True)])
    dv.kick(0)
    dv.rings[0].wait_used(1.0)
    dv.c.close(graceful=True)


@case("memory", desc="memfd sealed against writes (cannot be mapped shared writable): refused")
def write_sealed_memfd(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    fd = os.memfd_create("ro", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, 1 << 20)
    fcntl_mod = __import__("fcntl")
    fcntl_mod.fcntl(fd, fcntl_mod.F_ADD_SEALS, fcntl_mod.F_SEAL_WRITE | fcntl_mod.F_SEAL_SHRINK)
    try:
        ctx.note(refused(dv.c, vhu.SET_MEM_TABLE,
                         vhu.mem_table([(0x40000000, 1 << 20, 0x40000000, 0)]), (fd,)))
    finally:
        os.close(fd)


@case("memory", desc="region fd is /dev/null (mmap fails): refused, fd released")
def region_dev_null(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    fd = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
    try:
        ctx.note(refused(dv.c, vhu.SET_MEM_TABLE,
                         vhu.mem_table([(0x40000000, 1 << 20, 0x40000000, 0)]), (fd,)))
    finally:
        os.close(fd)


@case("memory", desc="8 regions on one memfd (8 x 128 KiB): served")
def eight_regions_one_fd(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    regs = [dv.mem.region(i * 128 * 1024, 128 * 1024) for i in range(8)]
    check(dv.c.set_mem_table(regs, [dv.mem.fd] * 8) == 0, "8 regions acked")
    dv.setup_queue(0)
    check(dv.transact(0, SERVE_TIMEOUT) is not None, "served with 8 regions")


# ----- group: traffic (attacks while requests flow)

@case("traffic", desc="30 connect / set-up / 10 requests / disconnect cycles: fds flat")
def reconnect_churn(ctx):
    for i in range(30):
        dv = ctx.device()
        for _ in range(10):
            check(dv.transact(0, 2) is not None, f"cycle {i}")
        dv.close(graceful=(i % 2 == 0))
        ctx.opened.remove(dv)


@case("traffic", desc="SET_VRING_BASE 40000 (beyond the ring) on a live queue")
def vring_base_huge_live(ctx):
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "READ before")
    how = acked_or_refused(dv.c, vhu.SET_VRING_BASE, vhu.vring_state(0, 40000))
    ctx.note(how)
    if how == "ack":
        dv.post_request(0)
        dv.rings[0].wait_used(0.5)


@case("traffic", desc="GET_VRING_BASE mid-traffic (queue stops), then requests keep being posted")
def get_vring_base_mid_traffic(ctx):
    dv = ctx.device()
    for _ in range(16):
        dv.post_request(0)
    idx, base = dv.c.get_vring_base(0)
    ctx.note(f"base {base}")
    check(base <= 16, f"GET_VRING_BASE answered {base} of 16 posted")
    for _ in range(8):
        dv.post_request(0)


@case("traffic", desc="SET_VRING_CALL NOFD on a live queue (no interrupts, polling): still served")
def call_nofd_live(ctx):
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "READ before")
    how = acked_or_refused(dv.c, vhu.SET_VRING_CALL, vhu.u64(vhu.VRING_NOFD))
    ctx.note(how)
    if how != "closed":
        served_or_closed(dv, what="after SET_VRING_CALL NOFD")


@case("traffic", desc="avail index jumps 1000 ahead of the ring (guest bug): queue broken or "
                      "served, other tenants untouched")
def avail_idx_jump(ctx):
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "READ before")
    r = dv.rings[0]
    r.avail_idx = (r.avail_idx + 1000) & 0xFFFF
    dv.mem.write(r.avail + 2, struct.pack("<H", r.avail_idx))
    dv.kick(0)
    time.sleep(0.2)


@case("traffic", target="rng", desc="rng target: RESET_OWNER on a live rng device (issue 9 #3)")
def rng_reset_owner_live(ctx):
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "rng before")
    try:
        dv.c.send(vhu.RESET_OWNER, need_reply=False)
        dv.c.get_features()
    except Closed:
        ctx.note("closed")


@case("traffic", target="rng", desc="rng target: SET_MEM_TABLE size-0 region on a live device "
                                    "then SET_VRING_CALL (issue 9 #3)")
def rng_refused_mem_table_live(ctx):
    dv = ctx.device()
    check(dv.transact(0, 2) is not None, "rng before")
    how = refused(dv.c, vhu.SET_MEM_TABLE, vhu.mem_table([dv.mem.region(size=0)]), [dv.mem.fd])
    ctx.note(how)
    if how == "closed":
        return
    try:
        dv.c.set_vring_call(0, dv.calls[0])
    except Closed:
        return
    served_or_closed(dv, what="after a refused SET_MEM_TABLE")


@case("traffic", target="rng", desc="rng target: a second connection while the first streams")
def rng_second_connection(ctx):
    first = ctx.device()
    check(first.transact(0, 2) is not None, "first served")
    second = vhu.Device(ctx.path(), "rng", timeout=2.0)
    ctx.opened.append(second)
    try:
        second.up(queues=[0])
    except (Closed, Timeout):
        check(second.c.closed_within(2.0), "second connection neither served nor closed")
        check(first.transact(0, SERVE_TIMEOUT) is not None, "second refused, first not served")
        ctx.note("second refused, first served")
        return
    served2 = second.transact(0, SERVE_TIMEOUT) is not None
    check(first.c.closed_within(2.0) and served2, "second connection taken silently")
    ctx.note("handed over, first saw EOF")


# ----- group: exhaust

class NofileLimit:
    """Lower RLIMIT_NOFILE of the daemon's process tree (soft: a number, or
    a function of the process's open fd count); restored on exit."""

    def __init__(self, daemon, soft):
        self.d, self.soft, self.old = daemon, soft, {}

    def __enter__(self):
        for pid in self.d.tree():
            try:
                old = resource.prlimit(pid, resource.RLIMIT_NOFILE)
                n = len(os.listdir(f"/proc/{pid}/fd"))
                soft = self.soft(n) if callable(self.soft) else self.soft
                resource.prlimit(pid, resource.RLIMIT_NOFILE, (min(soft, old[1]), old[1]))
                self.old[pid] = old
            except OSError:
                pass
        return self

    def __exit__(self, *exc):
        for pid, old in self.old.items():
            try:
                resource.prlimit(pid, resource.RLIMIT_NOFILE, old)
            except OSError:
                pass


@case("exhaust", desc="120 POSTCOPY_ADVISE on one connection under a 128-fd limit (issue 9 #4 "
                      "userfaultfd leak): no fd leaked, other devices still accept")
def postcopy_advise_leak(ctx):
    d = ctx.d
    with NofileLimit(d, lambda n: max(128, n + 60)):
        c = ctx.conn()
        for i in range(120):
            try:
                c.send(vhu.POSTCOPY_ADVISE, need_reply=True)
                c.recv(2)
                c.close_received_fds()
            except (Closed, Timeout):
                ctx.note(f"closed after {i}")
                break
        ctx.during("while the connection is open")


@case("exhaust", desc="GET_INFLIGHT_FD 256 queues x 32768 entries, never offered (issue 9 #4): "
                      "refused, no memory allocated")
def inflight_huge(ctx):
    c = ctx.conn()
    rss0 = ctx.d.rss_kib()
    try:
        c.send(vhu.GET_INFLIGHT_FD, vhu.inflight(0, 0, 256, 32768), need_reply=True)
        req, fl, data = c.recv(10)
    except (Closed, Timeout):
        check(c.closed_within(2), "GET_INFLIGHT_FD: neither a reply nor a closed connection")
        ctx.note("closed")
        return
    fds = c.take_fds()
    grown = (ctx.d.rss_kib() - rss0) // 1024
    for fd in fds:
        os.close(fd)
    if len(data) == 8 and struct.unpack("<Q", data)[0] != 0 and not fds:
        ctx.note("NACK")
        return
    raise Fail(f"GET_INFLIGHT_FD answered ({len(data)} bytes, {len(fds)} fds), daemon RSS "
               f"+{grown} MiB while the front-end held the fd")


@case("exhaust", desc="SET_VRING_KICK and SET_VRING_CALL with a fresh eventfd on all 256 queue "
                      "indexes: the daemon holds no more than its device's queues need")
def kick_fds_all_indexes(ctx):
    dv = ctx.device()
    base = ctx.d.fds()
    fds = []
    try:
        for idx in range(256):
            for req in (vhu.SET_VRING_KICK, vhu.SET_VRING_CALL):
                fd = vhu.eventfd()
                fds.append(fd)
                if acked_or_refused(dv.c, req, vhu.u64(idx), (fd,)) == "closed":
                    ctx.note(f"closed at index {idx}")
                    return
        held = ctx.d.fds() - base
        check(held <= 8, f"daemon holds {held} more fds for queues the device does not have")
    finally:
        for fd in fds:
            os.close(fd)


@case("exhaust", desc="100 connections opened at once and left silent")
def many_silent_connections(ctx):
    conns = []
    for _ in range(100):
        try:
            conns.append(vhu.Conn(ctx.path(), 1.0))
        except OSError:
            break
    ctx.opened.extend(conns)
    ctx.note(f"{len(conns)} connected")


@case("exhaust", desc="accept() failing under fd exhaustion is logged (issue 9 #6)")
def accept_failure_logged(ctx):
    d = ctx.d
    pos = d.log_size()
    with NofileLimit(d, lambda n: n):
        conns = []
        # More than one: an fd an earlier case left closing frees a slot
        # under the limit, and the first accept() may then succeed.
        for _ in range(8):
            try:
                conns.append(vhu.Conn(ctx.path(), 1.0))
            except OSError:
                pass
        ctx.opened.extend(conns)
        logged = wait_for(lambda: re.search(r"Too many open files|EMFILE|accept\(?\)? ?fail|"
                                            r"cannot accept|accept.*error",
                                            d.output_since(pos), re.I), 3, 0.1)
    check(logged, "no log line about the failing accept()")


@case("exhaust", desc="8 regions of 1 GiB sparse memfds: served or refused, RSS flat")
def regions_8_sparse_gib(ctx):
    dv = ctx.device(up=False)
    dv.negotiate()
    mems = [vhu.GuestMem(1 << 30, base=0x100000000 * (i + 1)) for i in range(7)]
    try:
        regs = [dv.mem.region()] + [m.region() for m in mems]
        how = acked_or_refused(dv.c, vhu.SET_MEM_TABLE, vhu.mem_table(regs),
                               [dv.mem.fd] + [m.fd for m in mems])
        ctx.note(how)
        if how == "ack":
            dv.setup_queue(0)
            check(dv.transact(0, SERVE_TIMEOUT) is not None, "served with 8 regions")
    finally:
        for m in mems:
            m.close()


# ----- group: liveness

@case("liveness", desc="header says 40 bytes, none follow (issue 9 #4 stall): others served "
                       "while it lasts")
def stall_mid_message(ctx):
    c = ctx.conn()
    c.send_raw(struct.pack("<III", vhu.SET_VRING_ADDR, vhu.VERSION, 40))
    ctx.during("while a front-end is stalled mid-message")


@case("liveness", desc="20000 GET_FEATURES never reading the replies (issue 9 #4 stall): "
                       "others served while it lasts")
def never_reads_replies(ctx):
    c = ctx.conn()
    c.sock.setblocking(False)
    msg = struct.pack("<III", vhu.GET_FEATURES, vhu.VERSION, 0)
    sent = 0
    t_end = time.monotonic() + 5
    last_ok = time.monotonic()
    # Until 20000 are out, or the socket stays full for 1 s (the back-end
    # stopped reading: it is stuck writing replies nobody reads).
    while sent < 20000 and time.monotonic() < t_end and time.monotonic() - last_ok < 1.0:
        try:
            c.sock.send(msg * 100)
            sent += 100
            last_ok = time.monotonic()
        except BlockingIOError:
            time.sleep(0.01)
        except OSError:
            break
    ctx.note(f"{sent} sent")
    c.sock.settimeout(2.0)
    ctx.during("while a front-end never reads its replies")


@case("liveness", desc="a front-end stalled mid-message is dropped within 15 s")
def stalled_is_dropped(ctx):
    ctx.skip_checks.add("during")  # stall_mid_message asserts that
    c = ctx.conn()
    c.send_raw(struct.pack("<III", vhu.SET_VRING_ADDR, vhu.VERSION, 40))
    t0 = time.monotonic()
    check(c.closed_within(15), "stalled connection still open after 15 s")
    ctx.note(f"dropped after {time.monotonic() - t0:.1f} s")


@case("liveness", desc="SIGTERM with one front-end mid-message and one never reading replies: "
                       "exit within 10 s")
def sigterm_hostile(ctx):
    b = ctx.conn(kind="rng")
    a = ctx.conn()
    a.send_raw(struct.pack("<III", vhu.SET_VRING_ADDR, vhu.VERSION, 40))
    b.sock.setblocking(False)
    msg = struct.pack("<III", vhu.GET_FEATURES, vhu.VERSION, 0) * 100
    t_end = time.monotonic() + 3
    while time.monotonic() < t_end:
        try:
            b.sock.send(msg)
        except BlockingIOError:
            break
        except OSError:
            break
    ctx.skip_checks.update(("during", "post"))
    rc, dt = ctx.d.stop(signal.SIGTERM, timeout=10)
    ctx.note(f"exit {rc} after {dt:.2f} s")
    print(f"INFO sigterm_hostile: daemon exited {rc} {dt:.2f} s after SIGTERM", flush=True)
    check(rc == 0, f"exit status {rc} after SIGTERM ({dt:.2f} s)")


@case("liveness", desc="SIGTERM while front-ends stream traffic on both devices: exit 0 within 10 s")
def sigterm_under_traffic(ctx):
    rtc = ctx.device(queues=(0, 1))
    rng = ctx.device(kind="rng")
    for _ in range(50):
        rtc.transact(0, 2)
        rng.transact(0, 2)
    for _ in range(32):
        rtc.post_request(0)
    ctx.skip_checks.update(("during", "post"))
    rc, dt = ctx.d.stop(signal.SIGTERM, timeout=10)
    ctx.note(f"exit {rc} after {dt:.2f} s")
    check(rc == 0, f"exit status {rc} after SIGTERM ({dt:.2f} s)")
    check(not os.path.exists(ctx.path("rtc")) and not os.path.exists(ctx.path("rng")),
          "socket files left behind")


# ----- group: startup (issue 9 #1: a refused start deletes what is at iface=)

def _run_daemon_once(build, iface, timeout=30):
    prefix = f"hostileS{os.getpid()}n{Daemon.n}"
    Daemon.n += 1
    args = device_args(build, prefix, [f"rtc_vhost0,iface={iface}"], ["-s", "0"])
    try:
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=timeout, preexec_fn=die_with_parent)
        return p.returncode, p.stdout
    finally:
        subprocess.run(["rm", "-rf", f"/var/run/dpdk/{prefix}"])


@case("startup", desc="iface= is a regular file: refused, file untouched (issue 9 #1)")
def iface_regular_file(ctx):
    ctx.skip_checks.add("during")
    path = os.path.join(ctx.d.dir, "precious.txt")
    with open(path, "w") as f:
        f.write("data\n")
    rc, out = _run_daemon_once(ctx.h.build, path)
    check(rc != 0, f"daemon started on a regular file (exit {rc})")
    check(os.path.exists(path) and open(path).read() == "data\n",
          "the regular file at iface= was deleted")


@case("startup", desc="iface= is a symlink: refused or used, the link is not deleted (issue 9 #1)")
def iface_symlink(ctx):
    ctx.skip_checks.add("during")
    target = os.path.join(ctx.d.dir, "target.txt")
    with open(target, "w") as f:
        f.write("data\n")
    link = os.path.join(ctx.d.dir, "link.sock")
    os.symlink(target, link)
    rc, out = _run_daemon_once(ctx.h.build, link)
    check(os.path.lexists(link) and os.path.exists(target), "the symlink or its target was deleted")


@case("startup", desc="a second daemon on a live socket: refused, the first daemon's socket "
                      "still accepts (issue 9 #1)")
def iface_live_socket(ctx):
    rc, out = _run_daemon_once(ctx.h.build, ctx.path("rtc"))
    check(rc != 0, f"second daemon on a live socket exited {rc}")
    st = os.lstat(ctx.path("rtc")) if os.path.lexists(ctx.path("rtc")) else None
    check(st is not None and stat.S_ISSOCK(st.st_mode), "the live socket was unlinked")


GROUPS = ["requests", "unnegotiated", "sizes", "fds", "order", "found", "memory", "traffic",
          "exhaust", "liveness", "startup"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--sanitize", default="none")
    ap.add_argument("--device-switch", default=None,
                    help="--vdev (EAL), --device (application option) or auto (default)")
    ap.add_argument("--case", action="append", default=[])
    ap.add_argument("--markdown", help="append 'case | what | outcome' rows to this file")
    ap.add_argument("group", help="a group, 'all' or 'list'")
    a = ap.parse_args()
    global DEVICE_SWITCH
    if a.device_switch:
        DEVICE_SWITCH = a.device_switch
    if DEVICE_SWITCH == "auto":
        DEVICE_SWITCH = detect_device_switch(os.path.abspath(a.build))
    if a.group == "list":
        for n, c in CASES.items():
            print(f"{c['group']:13} {n:40} {c['desc']}")
        return 0
    names = [n for n, c in CASES.items()
             if (a.group == "all" or c["group"] == a.group) and (not a.case or n in a.case)]
    names.sort(key=lambda n: GROUPS.index(CASES[n]["group"]))  # stable: file order within
    if not names:
        print(f"no case in group {a.group}")
        return 1
    if os.geteuid() != 0:
        print("SKIP: needs root (EAL, vhost-user sockets, prlimit on the daemon)")
        return SKIP
    if os.cpu_count() < 2:
        print("SKIP: needs two CPUs")
        return SKIP
    if not hasattr(os, "eventfd") or not hasattr(os, "memfd_create"):
        print("SKIP: needs Python 3.10+ (os.eventfd, os.memfd_create)")
        return SKIP
    if a.sanitize != "none":
        print(f"NOTE: build with sanitizer {a.sanitize}: RSS checks skipped "
              "(the sanitizer's quarantine and shadow hold memory)")
    print(f"NOTE: devices given to the daemon with {DEVICE_SWITCH}")
    h = Harness(os.path.abspath(a.build), a.sanitize)

    def on_term(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")
    signal.signal(signal.SIGTERM, on_term)  # a meson timeout: clean up daemons and dirs
    t0 = time.monotonic()
    try:
        for n in names:
            h.run(n, CASES[n]["fn"])
    finally:
        h.finish()
    dt = time.monotonic() - t0
    fails = [r for r in h.results if r[1] == "FAIL"]
    print(f"{len(h.results)} cases, {len(fails)} failed, "
          f"{sum(r[1] == 'SKIP' for r in h.results)} skipped, {dt:.1f} s")
    if a.markdown:
        with open(a.markdown, "a") as f:
            for n, outcome, detail, t in h.results:
                d = detail.replace("|", "\\|").replace("\n", " ")
                f.write(f"| {CASES[n]['group']} | {n} | {CASES[n]['desc']} | {outcome}"
                        f"{': ' + d if d else ''} |\n")
    if fails:
        return 1
    if h.results and all(r[1] == "SKIP" for r in h.results):
        return SKIP
    return 0


if __name__ == "__main__":
    sys.exit(main())
