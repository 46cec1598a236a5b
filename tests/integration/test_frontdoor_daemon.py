#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
"""Integration tests: the front door (frontdoor_proxy) in front of dpdk-rtcd.

    test_frontdoor_daemon.py --build BUILD_DIR CASE

dpdk-rtcd's rte_vhost listens on a private path in the daemon's 0700
directory; frontdoor_proxy owns the public socket; itest_client (the
library's front-end) or a raw socket talks to the public one. Exit status:
0 pass, 1 fail, 77 skipped.
"""

import argparse
import fcntl
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_daemon import Daemon, Fail, check, run_case  # noqa: E402

# VERSION_1, INDIRECT_DESC, EVENT_IDX, PROTOCOL_FEATURES: what dpdk-rtcd
# offers for an rtc device (no F_ALARM yet); REPLY_ACK is its only protocol
# feature.
RTC_FEATURES = (1 << 32) | (1 << 28) | (1 << 29) | (1 << 30)
RTC = "rtc_vhost0,iface={dir}/priv.sock,clocks=utc+tai+mono"


class Proxy:
    def __init__(self, build, d, *extra):
        self.public = d.sock("rtc.sock")
        args = [os.path.join(build, "tests/integration/frontdoor_proxy"),
                "--public", self.public, "--private", d.sock("priv.sock"),
                "--features", hex(RTC_FEATURES), "--protocol-features", "0x8",
                "--queues", "2", "--max-ring", "32768", *extra]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.head = ""
        for _ in range(20):
            line = self.proc.stdout.readline()
            self.head += line
            if line.strip() == "ready" or line == "":
                break
        if not self.head.endswith("ready\n"):
            self.proc.kill()
            raise Fail(f"frontdoor_proxy did not start: {self.head}{self.proc.stdout.read()}")

    def stop(self):
        self.proc.terminate()
        out, _ = self.proc.communicate(timeout=10)
        out = self.head + out
        sys.stdout.write(out)
        stats = {}
        for line in out.splitlines():
            if line.startswith("stats "):
                stats = dict(kv.split("=") for kv in line.split()[1:])
        return self.proc.returncode, {k: int(v) for k, v in stats.items()}, out


def case_through_frontdoor(build, cl):
    d = Daemon(build, [RTC]).start(["priv.sock"])
    p = None
    try:
        # The library's front-end shares EAL memory: memfds without seals.
        p = Proxy(build, d, "--allow-unsealed")
        rc, _ = cl.run("rtc-check", "--rtc", p.public, "--clocks", "utc+tai+mono")
        check(rc == 0, "rtc-check through the front door")
        rc, _ = cl.run("reconnect", "--rtc", p.public, "--times", "5")
        check(rc == 0, "5 reconnections through the front door")
        rc, st, _ = p.stop()
        p = None
        check(rc == 0 and st.get("connections", 0) >= 6 and st.get("dropped") == 0 and
              st.get("messages_refused") == 0, f"nothing refused or dropped ({st})")
        check(not os.path.exists(d.sock("rtc.sock")), "the front door removed its socket")
        check(d.proc.poll() is None and d.stop() == 0, "daemon alive, exits 0 on SIGTERM")
    finally:
        if p is not None:
            p.proc.kill()
        d.cleanup()


def case_unsealed_memory_refused(build, cl):
    d = Daemon(build, [RTC]).start(["priv.sock"])
    p = None
    try:
        p = Proxy(build, d)
        rc, _ = cl.run("rtc-check", "--rtc", p.public, "--clocks", "utc+tai+mono")
        check(rc != 0, "a front-end with unsealed memory is refused")
        rc, st, out = p.stop()
        p = None
        check("not sealed against shrinking" in out and st.get("messages_refused", 0) >= 1,
              f"the refusal is logged and counted ({st})")
        check(d.proc.poll() is None and "SET_MEM_TABLE" not in d.output(),
              "the daemon never saw the memory table")
        check(d.stop() == 0, "daemon exits 0 on SIGTERM")
    finally:
        if p is not None:
            p.proc.kill()
        d.cleanup()


def case_truncated_message_contained(build, cl):
    d = Daemon(build, [RTC]).start(["priv.sock"])
    p = None
    try:
        p = Proxy(build, d, "--allow-unsealed")
        # SET_FEATURES whose header promises 8 bytes; none follow.
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(p.public)
        s.sendall(struct.pack("<III", 2, 1, 8))
        s.settimeout(10)
        t0 = time.time()
        eof = s.recv(1) == b""
        took = time.time() - t0
        s.close()
        check(eof and took < 8, f"the stalled front-end is dropped ({took:.1f} s, bound 2 s)")
        rc, _ = cl.run("rtc-check", "--rtc", p.public, "--clocks", "utc+tai+mono")
        check(rc == 0, "the next front-end is served")
        rc, st, out = p.stop()
        p = None
        check(st.get("dropped") == 1 and "not complete in time" in out,
              f"the drop is logged and counted ({st})")
        check(d.proc.poll() is None and d.stop() == 0, "daemon alive, exits 0 on SIGTERM")
    finally:
        if p is not None:
            p.proc.kill()
        d.cleanup()


class RawFrontend:
    """A hand-written vhost-user front-end: any message, any fds."""

    NEED_REPLY = 1 << 3

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(10)
        self.s.connect(path)

    def send(self, request, payload=b"", fds=(), need_reply=False):
        flags = 1 | (self.NEED_REPLY if need_reply else 0)
        msg = struct.pack("<III", request, flags, len(payload)) + payload
        socket.send_fds(self.s, [msg], list(fds)) if fds else self.s.sendall(msg)

    def recv(self):
        hdr = b""
        while len(hdr) < 12:
            chunk = self.s.recv(12 - len(hdr))
            if not chunk:
                return None
            hdr += chunk
        request, flags, size = struct.unpack("<III", hdr)
        payload = b""
        while len(payload) < size:
            chunk = self.s.recv(size - len(payload))
            if not chunk:
                return None
            payload += chunk
        return request, flags, payload

    def call(self, request, payload=b"", fds=()):
        """Send with NEED_REPLY; return the reply-ack value (0 ok)."""
        self.send(request, payload, fds, need_reply=True)
        r = self.recv()
        if r is None or r[0] != request or len(r[2]) != 8:
            raise Fail(f"no proper reply to request {request}: {r}")
        return struct.unpack("<Q", r[2])[0]

    def close(self):
        self.s.close()


def case_hostile_through_frontdoor(build, cl):
    d = Daemon(build, [RTC]).start(["priv.sock"])
    p = None
    try:
        # The hostile front-end seals its memory; the library's front-end
        # that checks the daemon afterwards does not.
        p = Proxy(build, d, "--allow-unsealed")
        fds0 = d.fds()
        fe = RawFrontend(p.public)
        fe.send(1)
        r = fe.recv()
        check(r is not None and struct.unpack("<Q", r[2])[0] == RTC_FEATURES,
              "GET_FEATURES relayed from rte_vhost")
        fe.send(16, struct.pack("<Q", 1 << 3))
        fe.send(3)
        check(fe.call(2, struct.pack("<Q", RTC_FEATURES & ~(1 << 29))) == 0, "SET_FEATURES acked")
        size = 1 << 20
        uaddr = 0x7f0000000000
        mfd = os.memfd_create("guest", os.MFD_ALLOW_SEALING)
        os.ftruncate(mfd, size)
        fcntl.fcntl(mfd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW)
        table = struct.pack("<IIQQQQ", 1, 0, 0x100000, size, uaddr, 0)
        check(fe.call(5, table, [mfd]) == 0, "sealed memory table acked by rte_vhost")
        end = uaddr + size
        kick, call = os.eventfd(0), os.eventfd(0)
        check(fe.call(8, struct.pack("<II", 0, 256)) == 0 and
              fe.call(10, struct.pack("<II", 0, 0)) == 0 and
              fe.call(9, struct.pack("<IIQQQQ", 0, 0, end - 12288, end - 4096, end - 8192, 0)) == 0
              and fe.call(12, struct.pack("<Q", 0), [kick]) == 0 and
              fe.call(13, struct.pack("<Q", 0), [call]) == 0,
              "queue 0 set up with its rings in the last 12 KiB")
        # Issue 9 "Found" 2: grow the live ring past the region.
        check(fe.call(8, struct.pack("<II", 0, 32768)) == 1, "SET_VRING_NUM 32768 refused")
        # Never offered: POSTCOPY_ADVISE (leaked a userfaultfd each), GET_INFLIGHT_FD.
        check(all(fe.call(28) == 1 for _ in range(50)), "50 POSTCOPY_ADVISE refused")
        check(fe.call(31, struct.pack("<QHH", 0, 512, 32768) + bytes(4)) == 1,
              "GET_INFLIGHT_FD refused")
        # A region past the end of its fd, and overlapping regions.
        bad = struct.pack("<IIQQQQ", 1, 0, 0x100000, size, uaddr, 4096)
        check(fe.call(5, bad, [mfd]) == 1, "region past the end of its fd refused")
        two = struct.pack("<IIQQQQQQQQ", 2, 0, 0, size, uaddr, 0, size // 2, size, uaddr + size, 0)
        check(fe.call(5, two, [mfd, mfd]) == 1, "overlapping regions refused")
        # RESET_OWNER on the live device: absorbed.
        check(fe.call(4) == 0, "RESET_OWNER answered, not forwarded")
        fe.send(11, struct.pack("<II", 0, 0))
        r = fe.recv()
        check(r is not None and r[0] == 11, "GET_VRING_BASE answered by rte_vhost")
        fe.close()
        for fd in (mfd, kick, call):
            os.close(fd)
        rc, _ = cl.run("rtc-check", "--rtc", p.public, "--clocks", "utc+tai+mono")
        check(rc == 0 and d.proc.poll() is None, "daemon alive, a fresh front-end is served")
        check(abs(d.fds() - fds0) <= 2, f"daemon fds back to baseline ({fds0} -> {d.fds()})")
        rc, st, out = p.stop()
        p = None
        check(st.get("messages_refused", 0) >= 55 and st.get("dropped") == 0,
              f"refusals counted, nothing dropped ({st})")
        check(d.stop() == 0, "daemon exits 0 on SIGTERM")
    finally:
        if p is not None:
            p.proc.kill()
        d.cleanup()


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("case", choices=sorted(CASES))
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    return run_case(CASES[a.case], build)


if __name__ == "__main__":
    sys.exit(main())
