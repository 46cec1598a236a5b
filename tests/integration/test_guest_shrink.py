#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
"""Integration test: guest memory that shrinks under traffic.

    test_guest_shrink.py --build BUILD_DIR [--device-key KEY=VALUE]

A front-end of its own (below, in Python: the library's front-end shares EAL
memory, which it cannot shrink without faulting itself) serves the guest
side of a virtio-rng device from an UNSEALED memfd: rings in the first
pages, buffers further on. While the daemon fills buffers, the front-end
ftruncate()s the memfd below the buffers, so that the daemon's worker takes
a SIGBUS on its next write. Checks: the daemon lives and logs the contained
fault once; the rng device serves nothing more on that connection; the rtc
device beside it is served meanwhile; after the front-end reconnects, the rng
device is served again (itest_client rng-check); the daemon exits 0 on
SIGTERM.

--device-key adds a key to the rng device's arguments: the operator option
that lets unsealed memory past the front door (doc/guest-memory.md), once the
front door refuses unsealed memory by default.

Exit status: 0 pass, 1 fail, 77 skipped (with the reason).
"""

import argparse
import array
import mmap
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_daemon import Client, Daemon, Fail, Skip, SKIP, check  # noqa: E402

PAGE = 4096
MEM_SIZE = 64 * PAGE
QSIZE = 16
# Layout of the guest memory (guest physical address = offset in the memfd).
DESC_OFF, AVAIL_OFF, USED_OFF = 0, PAGE, 2 * PAGE
BUF_OFF = 16 * PAGE  # buffers from here: the part that is cut off
BUF_LEN = 256
# The front-end's own "user address" of the memory (any value: rte_vhost
# translates ring addresses through the region's userspace_addr).
UADDR = 0x7f0000000000

VHOST_USER_VERSION = 0x1
GET_FEATURES, SET_FEATURES, SET_OWNER, SET_MEM_TABLE = 1, 2, 3, 5
SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE, SET_VRING_KICK, SET_VRING_CALL = 8, 9, 10, 12, 13
VIRTIO_F_VERSION_1 = 1 << 32
VRING_DESC_F_WRITE = 2

FAULT_LOG = "shrank under us (SIGBUS contained)"


def log_tail(d, n=40):
    """The daemon's last @n log lines, without its statistics lines."""
    lines = [ln for ln in d.output().splitlines() if not ln.startswith("rtcd.stats")]
    return "\n".join(lines[-n:])


class Frontend:
    """The guest side of one virtio-rng queue over vhost-user."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(path)
        self.memfd = os.memfd_create("guest-shrink", os.MFD_CLOEXEC)  # no sealing
        os.ftruncate(self.memfd, MEM_SIZE)
        self.mem = mmap.mmap(self.memfd, MEM_SIZE)
        self.mem16 = memoryview(self.mem).cast("H")
        self.kick = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        self.call = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        self.avail_idx = 0
        self.used_seen = 0

    def send(self, request, payload=b"", fds=()):
        msg = struct.pack("<III", request, VHOST_USER_VERSION, len(payload)) + payload
        anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
        self.sock.sendmsg([msg], anc)

    def recv_u64(self, request):
        hdr = self.sock.recv(12, socket.MSG_WAITALL)
        req, _flags, size = struct.unpack("<III", hdr)
        body = self.sock.recv(size, socket.MSG_WAITALL)
        if req != request or size != 8:
            raise Fail(f"reply to {request}: request {req} size {size}")
        return struct.unpack("<Q", body)[0]

    def setup(self):
        self.send(GET_FEATURES)
        offered = self.recv_u64(GET_FEATURES)
        if not offered & VIRTIO_F_VERSION_1:
            raise Fail(f"device features 0x{offered:x} without VERSION_1")
        self.send(SET_FEATURES, struct.pack("<Q", VIRTIO_F_VERSION_1))
        self.send(SET_OWNER)
        regions = struct.pack("<QQQQ", 0, MEM_SIZE, UADDR, 0)
        self.send(SET_MEM_TABLE, struct.pack("<II", 1, 0) + regions, [self.memfd])
        self.send(SET_VRING_NUM, struct.pack("<II", 0, QSIZE))
        self.send(SET_VRING_ADDR, struct.pack("<IIQQQQ", 0, 0, UADDR + DESC_OFF,
                                              UADDR + USED_OFF, UADDR + AVAIL_OFF, 0))
        self.send(SET_VRING_BASE, struct.pack("<II", 0, 0))
        self.send(SET_VRING_CALL, struct.pack("<Q", 0), [self.call])
        self.send(SET_VRING_KICK, struct.pack("<Q", 0), [self.kick])

    def post(self, n):
        """Make @n device-writable buffers available (descriptor i -> buffer i)."""
        for _ in range(n):
            slot = self.avail_idx % QSIZE
            struct.pack_into("<QIHH", self.mem, DESC_OFF + 16 * slot,
                             BUF_OFF + slot * BUF_LEN, BUF_LEN, VRING_DESC_F_WRITE, 0)
            struct.pack_into("<H", self.mem, AVAIL_OFF + 4 + 2 * slot, slot)
            self.avail_idx = (self.avail_idx + 1) & 0xffff
        # One 16-bit store: struct.pack_into() zero-fills its target before
        # it writes the bytes, and a device reading avail->idx in between
        # sees the index go back to 0 (a broken ring, rightly refused).
        self.mem16[(AVAIL_OFF + 2) // 2] = self.avail_idx
        os.eventfd_write(self.kick, 1)

    def used_idx(self):
        return struct.unpack_from("<H", self.mem, USED_OFF + 2)[0]

    def wait_used(self, want, timeout):
        """Wait until @want buffers are used in all; whether they were."""
        end = time.time() + timeout
        while time.time() < end:
            if self.used_idx() == want & 0xffff:
                return True
            time.sleep(0.001)
        return False

    def shrink(self, size):
        os.ftruncate(self.memfd, size)

    def close(self):
        self.sock.close()
        self.mem16.release()
        self.mem.close()
        for fd in (self.memfd, self.kick, self.call):
            os.close(fd)


def run(build, key):
    rng = "rng_vhost0,iface={dir}/rng.sock,lcore=1,unsealed=1" + ("," + key if key else "")
    rtc = "rtc_vhost0,iface={dir}/rtc.sock,lcore=1"
    d = Daemon(build, [rtc, rng], name="shrink").start(["rtc.sock", "rng.sock"])
    cl = Client(build)
    try:
        fe = Frontend(d.sock("rng.sock"))
        try:
            try:
                fe.setup()
            except OSError as e:
                raise Fail(f"set-up refused ({e}):\n" + log_tail(d))
            # Traffic: rounds of buffers, each filled before the next.
            total = 0
            for _ in range(50):
                fe.post(QSIZE // 2)
                total += QSIZE // 2
                if not fe.wait_used(total, 10):
                    avail = struct.unpack_from("<H", fe.mem, AVAIL_OFF + 2)[0]
                    raise Fail(f"no entropy from the unsealed memory before the shrink "
                               f"(used {fe.used_idx()} of {total}, avail idx in memory "
                               f"{avail}):\n" + log_tail(d))
            check(True, f"{total} buffers filled from an unsealed memfd")
            # Shrink under traffic: buffers posted, the memory cut below them
            # before the worker has filled them all.
            fe.post(QSIZE // 2)
            fe.shrink(BUF_OFF)
            deadline = time.time() + 10
            while time.time() < deadline and FAULT_LOG not in d.output():
                if d.proc.poll() is not None:
                    break
                fe.post(1)
                time.sleep(0.01)
            if d.proc.poll() is not None:
                raise Fail(f"daemon died after the shrink (exit {d.proc.returncode}):\n" +
                           log_tail(d))
            check(True, "daemon alive after the shrink")
            lines = [ln for ln in d.output().splitlines() if FAULT_LOG in ln]
            check(lines, "the contained fault is logged" + (f": {lines[0]}" if lines else ""))
            check(d.output().count(FAULT_LOG) == 1, "... once")
            before = fe.used_idx()
            fe.post(4)
            time.sleep(0.5)
            check(fe.used_idx() == before, "the rng device serves that memory no more")
            # The other device, while the faulted connection is still up.
            rc, _ = cl.run("rtc-check", "--rtc", d.sock("rtc.sock"))
            check(rc == 0, "the rtc device beside it is served")
        finally:
            fe.close()
        time.sleep(0.3)
        rc, _ = cl.run("rng-check", "--rng", d.sock("rng.sock"))
        check(rc == 0, "the rng device is served again after a reconnection")
        check(d.stop() == 0, "daemon exits 0 on SIGTERM")
    finally:
        d.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--device-key", default="",
                    help="extra KEY=VALUE for the rng device (the unsealed-memory option)")
    a = ap.parse_args()
    try:
        run(os.path.abspath(a.build), a.device_key)
    except Fail as e:
        print(f"FAIL {e}")
        return 1
    except Skip as e:
        print(f"SKIP {e}")
        return SKIP
    return 0


if __name__ == "__main__":
    sys.exit(main())
