# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
"""A small vhost-user front-end for hostile tests (Python 3 stdlib only).

Everything here is meant to be misused: a Conn sends any request code with
any payload, any announced size and any file descriptors, or raw bytes; it
reads replies with a bound (never a hang) and reports a closed connection
as Closed. GuestMem is guest memory in a memfd (optionally sealed against
shrinking and growing), mapped here; Ring is a driver-side split virtqueue
in that memory. Device brings a whole device up the way a VMM does
(features, memory table, rings, kick/call eventfds) so that a test can post
a virtio-rng buffer or a virtio-rtc READ and wait for the used entry.

Wire format: the vhost-user specification (QEMU docs/interop/vhost-user.rst);
request numbers as in drivers/vdev/virtio_user/vhost_user_client.h and
DPDK 22.11 lib/vhost/vhost_user.h. Host byte order (little-endian here).
"""

import array
import errno
import fcntl
import mmap
import os
import select
import socket
import struct
import time

# Request codes, front-end to back-end.
GET_FEATURES = 1
SET_FEATURES = 2
SET_OWNER = 3
RESET_OWNER = 4
SET_MEM_TABLE = 5
SET_LOG_BASE = 6
SET_LOG_FD = 7
SET_VRING_NUM = 8
SET_VRING_ADDR = 9
SET_VRING_BASE = 10
GET_VRING_BASE = 11
SET_VRING_KICK = 12
SET_VRING_CALL = 13
SET_VRING_ERR = 14
GET_PROTOCOL_FEATURES = 15
SET_PROTOCOL_FEATURES = 16
GET_QUEUE_NUM = 17
SET_VRING_ENABLE = 18
SEND_RARP = 19
NET_SET_MTU = 20
SET_BACKEND_REQ_FD = 21
IOTLB_MSG = 22
SET_VRING_ENDIAN = 23
GET_CONFIG = 24
SET_CONFIG = 25
CREATE_CRYPTO_SESSION = 26
CLOSE_CRYPTO_SESSION = 27
POSTCOPY_ADVISE = 28
POSTCOPY_LISTEN = 29
POSTCOPY_END = 30
GET_INFLIGHT_FD = 31
SET_INFLIGHT_FD = 32
GPU_SET_SOCKET = 33
RESET_DEVICE = 34
VRING_KICK = 35
GET_MAX_MEM_SLOTS = 36
ADD_MEM_REG = 37
REM_MEM_REG = 38
SET_STATUS = 39
GET_STATUS = 40

NAMES = {v: k for k, v in dict(globals()).items() if k.isupper() and isinstance(v, int)}

# Header flags.
VERSION = 0x1
F_REPLY = 1 << 2
F_NEED_REPLY = 1 << 3

VRING_NOFD = 1 << 8

# Virtio feature bits.
F_NOTIFY_ON_EMPTY = 24
F_INDIRECT_DESC = 28
F_EVENT_IDX = 29
F_PROTOCOL_FEATURES = 30
F_VERSION_1 = 32
F_ACCESS_PLATFORM = 33
F_RING_PACKED = 34

# Protocol feature bits.
PF_MQ = 0
PF_LOG_SHMFD = 1
PF_RARP = 2
PF_REPLY_ACK = 3
PF_MTU = 4
PF_BACKEND_REQ = 5
PF_CROSS_ENDIAN = 6
PF_CRYPTO_SESSION = 7
PF_PAGEFAULT = 8
PF_CONFIG = 9
PF_BACKEND_SEND_FD = 10
PF_HOST_NOTIFIER = 11
PF_INFLIGHT_SHMFD = 12
PF_RESET_DEVICE = 13
PF_INBAND_NOTIFICATIONS = 14
PF_CONFIGURE_MEM_SLOTS = 15
PF_STATUS = 16

# Split ring descriptor flags.
DESC_F_NEXT = 1
DESC_F_WRITE = 2
DESC_F_INDIRECT = 4
# Packed ring descriptor flags (VIRTIO 1.1, 2.8).
PDESC_F_AVAIL = 1 << 7
PDESC_F_USED = 1 << 15

# virtio-rtc (lib/virtio_rtc/vrtc_wire.h).
RTC_REQ_READ = 0x0001
RTC_REQ_READ_CROSS = 0x0002
RTC_REQ_CFG = 0x1000
RTC_S_OK = 0
RTC_S_EOPNOTSUPP = 2

HDR = struct.Struct("<III")
MAX_FDS = 8  # rte_vhost reads at most VHOST_MEMORY_MAX_NREGIONS fds


class Closed(Exception):
    """The back-end closed the connection (EOF or reset)."""


class Timeout(Exception):
    """No (complete) reply within the bound."""


def u64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def vring_state(index, num):
    return struct.pack("<II", index & 0xFFFFFFFF, num & 0xFFFFFFFF)


def vring_addr(index, desc, used, avail, flags=0, log=0):
    return struct.pack("<IIQQQQ", index, flags, desc, used, avail, log)


def mem_region(gpa, size, uva, offset):
    return struct.pack("<QQQQ", gpa, size, uva, offset)


def mem_table(regions, nregions=None):
    """regions: (gpa, size, uva, offset) tuples; nregions overrides the count."""
    n = len(regions) if nregions is None else nregions
    return struct.pack("<II", n, 0) + b"".join(mem_region(*r) for r in regions)


def single_region(gpa, size, uva, offset):
    """VhostUserMemRegMsg of ADD/REM_MEM_REG: u64 padding, one region."""
    return struct.pack("<Q", 0) + mem_region(gpa, size, uva, offset)


def inflight(mmap_size, mmap_offset, num_queues, queue_size):
    return struct.pack("<QQHHxxxx", mmap_size, mmap_offset, num_queues, queue_size)


def eventfd():
    return os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)


class Conn:
    """One front-end connection; every operation is bounded by a timeout."""

    def __init__(self, path, timeout=2.0, connect=True):
        self.path = path
        self.timeout = timeout
        self.sock = None
        self.reply_ack = False
        self.received_fds = []
        if connect:
            self.connect()

    def connect(self, deadline_s=None):
        end = time.monotonic() + (deadline_s if deadline_s is not None else self.timeout)
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
            s.settimeout(self.timeout)
            try:
                s.connect(self.path)
                self.sock = s
                return self
            except (ConnectionRefusedError, FileNotFoundError):
                s.close()
                if time.monotonic() > end:
                    raise
                time.sleep(0.02)
            except BaseException:
                s.close()
                raise

    def fileno(self):
        return self.sock.fileno()

    # ------------------------------------------------------------ sending
    def send_raw(self, data, fds=()):
        """Send bytes as one sendmsg(), with fds attached (SCM_RIGHTS)."""
        anc = []
        if fds:
            anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", list(fds)))]
        try:
            n = self.sock.sendmsg([data], anc)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise Closed(str(e)) from e
        except socket.timeout as e:
            raise Timeout("send") from e
        if n != len(data):
            # The rest without fds (the fds went with the first byte).
            try:
                self.sock.sendall(data[n:])
            except (BrokenPipeError, ConnectionResetError) as e:
                raise Closed(str(e)) from e
            except socket.timeout as e:
                raise Timeout("send") from e

    def send(self, request, payload=b"", fds=(), flags=None, size=None, need_reply=None):
        """Send one message. size overrides the header's size field;
        need_reply None: set it when REPLY_ACK was negotiated."""
        if flags is None:
            flags = VERSION
            if need_reply or (need_reply is None and self.reply_ack):
                flags |= F_NEED_REPLY
        hdr = HDR.pack(request, flags, len(payload) if size is None else size)
        self.send_raw(hdr + payload, fds)

    # ------------------------------------------------------------ receiving
    def _recv_exact(self, n, deadline):
        buf = b""
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout(f"{len(buf)} of {n} bytes")
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            try:
                data, anc, _, _ = self.sock.recvmsg(n - len(buf), socket.CMSG_SPACE(4 * MAX_FDS))
            except (ConnectionResetError, BrokenPipeError) as e:
                raise Closed(str(e)) from e
            for level, typ, cdata in anc:
                if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                    a = array.array("i")
                    a.frombytes(cdata[: len(cdata) - len(cdata) % 4])
                    self.received_fds.extend(a)
            if not data:
                raise Closed("EOF")
            buf += data
        return buf

    def recv(self, timeout=None):
        """One reply: (request, flags, payload). Payloads above 4 KiB are refused."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        req, flags, size = HDR.unpack(self._recv_exact(HDR.size, deadline))
        if size > 4096:
            raise Closed(f"reply announces {size} bytes")
        return req, flags, self._recv_exact(size, deadline) if size else b""

    def take_fds(self):
        fds, self.received_fds = self.received_fds, []
        return fds

    def close_received_fds(self):
        for fd in self.take_fds():
            try:
                os.close(fd)
            except OSError:
                pass

    def request(self, request, payload=b"", fds=(), reply=False, timeout=None, need_reply=None):
        """Send; if the request has a reply of its own (reply=True) return its
        payload; else if REPLY_ACK applies, return the ack value (0 = ok).
        Returns None when no answer is expected."""
        nr = need_reply if need_reply is not None else (self.reply_ack and not reply)
        self.send(request, payload, fds, need_reply=nr)
        if not reply and not nr:
            return None
        req, flags, data = self.recv(timeout)
        if req != request or not flags & F_REPLY:
            raise Closed(f"unexpected reply {req} flags {flags:#x} to {request}")
        if reply:
            return data
        if len(data) != 8:
            raise Closed(f"ack of {len(data)} bytes")
        return struct.unpack("<Q", data)[0]

    def closed_within(self, timeout):
        """True when the back-end closes the connection within timeout
        (data that arrives meanwhile is read and dropped)."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                r, _, _ = select.select([self.sock], [], [], left)
                if not r:
                    continue
                data, anc, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(4 * MAX_FDS))
                for level, typ, cdata in anc:
                    if typ == socket.SCM_RIGHTS:
                        a = array.array("i")
                        a.frombytes(cdata[: len(cdata) - len(cdata) % 4])
                        self.received_fds.extend(a)
                if not data:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True

    def close(self, graceful=True, wait=2.0):
        """Close; graceful: shut our side down and wait (bounded) for the
        back-end's EOF, so that it has torn the connection down."""
        if self.sock is None:
            return
        if graceful:
            try:
                self.sock.shutdown(socket.SHUT_WR)
                self.closed_within(wait)
            except OSError:
                pass
        self.sock.close()
        self.sock = None
        self.close_received_fds()

    # ------------------------------------------------------------ messages
    def get_u64(self, request):
        data = self.request(request, reply=True)
        if len(data) != 8:
            raise Closed(f"{NAMES.get(request)} reply of {len(data)} bytes")
        return struct.unpack("<Q", data)[0]

    def get_features(self):
        return self.get_u64(GET_FEATURES)

    def set_features(self, f):
        return self.request(SET_FEATURES, u64(f))

    def set_owner(self):
        return self.request(SET_OWNER)

    def reset_owner(self):
        return self.request(RESET_OWNER)

    def get_protocol_features(self):
        return self.get_u64(GET_PROTOCOL_FEATURES)

    def set_protocol_features(self, f):
        r = self.request(SET_PROTOCOL_FEATURES, u64(f))
        self.reply_ack = bool(f & (1 << PF_REPLY_ACK))
        return r

    def get_queue_num(self):
        return self.get_u64(GET_QUEUE_NUM)

    def set_mem_table(self, regions, fds, nregions=None):
        return self.request(SET_MEM_TABLE, mem_table(regions, nregions), fds)

    def set_vring_num(self, index, num):
        return self.request(SET_VRING_NUM, vring_state(index, num))

    def set_vring_base(self, index, base):
        return self.request(SET_VRING_BASE, vring_state(index, base))

    def get_vring_base(self, index):
        data = self.request(GET_VRING_BASE, vring_state(index, 0), reply=True)
        if len(data) != 8:
            raise Closed(f"GET_VRING_BASE reply of {len(data)} bytes")
        return struct.unpack("<II", data)

    def set_vring_addr(self, index, desc, used, avail, flags=0):
        return self.request(SET_VRING_ADDR, vring_addr(index, desc, used, avail, flags))

    def _vring_fd(self, request, index, fd):
        if fd is None or fd < 0:
            return self.request(request, u64(index | VRING_NOFD))
        return self.request(request, u64(index), (fd,))

    def set_vring_kick(self, index, fd):
        return self._vring_fd(SET_VRING_KICK, index, fd)

    def set_vring_call(self, index, fd):
        return self._vring_fd(SET_VRING_CALL, index, fd)

    def set_vring_err(self, index, fd):
        return self._vring_fd(SET_VRING_ERR, index, fd)

    def set_vring_enable(self, index, enable):
        return self.request(SET_VRING_ENABLE, vring_state(index, enable))


class GuestMem:
    """Guest memory: a memfd mapped here. GPA == UVA == base (a made-up
    address; the back-end only needs the two to be consistent)."""

    def __init__(self, size, base=0x40000000, seal=True, name="guest"):
        self.size = size
        self.base = base
        self.fd = os.memfd_create(name, os.MFD_CLOEXEC | (os.MFD_ALLOW_SEALING if seal else 0))
        os.ftruncate(self.fd, size)
        if seal:
            fcntl.fcntl(self.fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW)
        self.map = mmap.mmap(self.fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        self.brk = 0

    def region(self, offset=0, size=None, gpa=None, uva=None, mmap_offset=None):
        """(gpa, size, uva, mmap_offset) of a region of this memory."""
        size = self.size - offset if size is None else size
        return (self.base + offset if gpa is None else gpa, size,
                self.base + offset if uva is None else uva,
                offset if mmap_offset is None else mmap_offset)

    def alloc(self, n, align=16):
        self.brk = (self.brk + align - 1) & ~(align - 1)
        off = self.brk
        if off + n > self.size:
            raise MemoryError("guest memory full")
        self.brk += n
        return off

    def addr(self, off):
        return self.base + off

    def write(self, off, data):
        self.map[off:off + len(data)] = data

    def read(self, off, n):
        return bytes(self.map[off:off + n])

    def close(self):
        try:
            self.map.close()
        except (ValueError, BufferError):
            pass
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class Ring:
    """Driver side of a split virtqueue of num entries in GuestMem at offset
    off (or allocated): descriptor table, avail, used."""

    def __init__(self, mem, num, off=None):
        self.mem, self.num = mem, num
        size = 16 * num + 6 + 2 * num + 64 + 6 + 8 * num
        base = mem.alloc(size, 64) if off is None else off
        self.desc = base
        self.avail = base + 16 * num
        self.used = (self.avail + 6 + 2 * num + 63) & ~63
        self.end = self.used + 6 + 8 * num
        mem.write(self.desc, bytes(self.end - self.desc))
        self.avail_idx = 0
        self.used_seen = 0
        self.next_desc = 0

    def addrs(self):
        """(desc, used, avail) as addresses for SET_VRING_ADDR."""
        a = self.mem.addr
        return a(self.desc), a(self.used), a(self.avail)

    def set_desc(self, i, addr, length, flags, nxt=0):
        self.mem.write(self.desc + 16 * i, struct.pack("<QIHH", addr, length, flags, nxt))

    def post_chain(self, bufs, head=None):
        """bufs: (addr, len, writable). Returns the head descriptor id."""
        n = len(bufs)
        if head is None:
            head = self.next_desc % self.num
        ids = [(head + k) % self.num for k in range(n)]
        self.next_desc = (head + n) % self.num
        for k, (addr, length, writable) in enumerate(bufs):
            flags = (DESC_F_WRITE if writable else 0) | (DESC_F_NEXT if k + 1 < n else 0)
            self.set_desc(ids[k], addr, length, flags, ids[k + 1] if k + 1 < n else 0)
        self.post_head(head)
        return head

    def post_head(self, head):
        slot = self.avail_idx % self.num
        self.mem.write(self.avail + 4 + 2 * slot, struct.pack("<H", head))
        self.avail_idx = (self.avail_idx + 1) & 0xFFFF
        self.mem.write(self.avail + 2, struct.pack("<H", self.avail_idx))

    def used_idx(self):
        return struct.unpack("<H", self.mem.read(self.used + 2, 2))[0]

    def wait_used(self, timeout=2.0):
        """Next used element (id, len), or None after timeout."""
        deadline = time.monotonic() + timeout
        delay = 0.0005
        while True:
            if self.used_idx() != self.used_seen:
                slot = self.used_seen % self.num
                self.used_seen = (self.used_seen + 1) & 0xFFFF
                return struct.unpack("<II", self.mem.read(self.used + 4 + 8 * slot, 8))
            if time.monotonic() > deadline:
                return None
            time.sleep(delay)
            delay = min(delay * 2, 0.01)


class PackedRing:
    """Driver side of a packed virtqueue (VIRTIO_F_RING_PACKED) of num
    descriptors in GuestMem: descriptor ring, driver and device event areas
    (left zero: notifications ENABLE). Same calls as Ring for a test: chains
    are posted with a buffer id, completions read in ring order with the
    used wrap counter."""

    def __init__(self, mem, num, off=None):
        self.mem, self.num = mem, num
        base = mem.alloc(16 * num + 8, 64) if off is None else off
        self.desc = base
        self.driver = base + 16 * num   # 16-byte aligned, 4 needed
        self.device = self.driver + 4
        self.end = self.device + 4
        mem.write(self.desc, bytes(self.end - self.desc))
        self.reset()

    def reset(self):
        """A fresh ring (the memory is cleared by the caller)."""
        self.avail_idx, self.avail_wrap = 0, 1   # next descriptor to make available
        self.used_off, self.used_wrap = 0, 1     # next descriptor to read back
        self.ndesc = {}                          # buffer id in flight -> descriptors
        self.used_seen = 0

    def addrs(self):
        """(desc, device area, driver area): SET_VRING_ADDR's desc, used, avail."""
        a = self.mem.addr
        return a(self.desc), a(self.device), a(self.driver)

    def avail_flags(self, writable, more, wrap):
        f = (DESC_F_WRITE if writable else 0) | (DESC_F_NEXT if more else 0)
        return f | (PDESC_F_AVAIL if wrap else PDESC_F_USED)

    def post_chain(self, bufs, head=None):
        """bufs: (addr, len, writable). Returns the buffer id (the lowest id
        not in flight, or head). The first descriptor's flags are written
        last, so the device sees the whole chain at once."""
        if head is None:
            head = next(i for i in range(self.num) if i not in self.ndesc)
        if head in self.ndesc:
            raise ValueError(f"test bug: buffer id {head} is in flight")
        if sum(self.ndesc.values()) + len(bufs) > self.num:
            raise ValueError("test bug: packed ring full")
        slots = []
        for k in range(len(bufs)):
            slots.append((self.avail_idx, self.avail_wrap))
            self.avail_idx += 1
            if self.avail_idx == self.num:
                self.avail_idx, self.avail_wrap = 0, self.avail_wrap ^ 1
        order = list(range(1, len(bufs))) + [0]
        for k in order:
            addr, length, writable = bufs[k]
            slot, wrap = slots[k]
            flags = self.avail_flags(writable, k + 1 < len(bufs), wrap)
            # addr, len and id first, then the flags (x86: stores in order).
            self.mem.write(self.desc + 16 * slot, struct.pack("<QIH", addr, length, head))
            self.mem.write(self.desc + 16 * slot + 14, struct.pack("<H", flags))
        self.ndesc[head] = len(bufs)
        return head

    def post_indirect(self, bufs, head=None):
        """One ring descriptor pointing at an indirect table of bufs (addr,
        len, writable), written in guest memory here. Returns the buffer id."""
        table = self.mem.alloc(16 * len(bufs), 16)
        for k, (addr, length, writable) in enumerate(bufs):
            self.mem.write(table + 16 * k, struct.pack("<QIHH", addr, length, 0,
                                                       DESC_F_WRITE if writable else 0))
        if head is None:
            head = next(i for i in range(self.num) if i not in self.ndesc)
        slot, wrap = self.avail_idx, self.avail_wrap
        self.avail_idx += 1
        if self.avail_idx == self.num:
            self.avail_idx, self.avail_wrap = 0, self.avail_wrap ^ 1
        self.mem.write(self.desc + 16 * slot,
                       struct.pack("<QIH", self.mem.addr(table), 16 * len(bufs), head))
        self.mem.write(self.desc + 16 * slot + 14,
                       struct.pack("<H", DESC_F_INDIRECT | (PDESC_F_AVAIL if wrap else PDESC_F_USED)))
        self.ndesc[head] = 1
        return head

    def set_driver_event(self, flags, off_wrap=0):
        """Driver event suppression: flags 0 ENABLE, 1 DISABLE, 2 DESC (at off_wrap)."""
        self.mem.write(self.driver, struct.pack("<HH", off_wrap, flags))

    def device_event(self):
        """(off_wrap, flags) the device wrote into its event area."""
        return struct.unpack("<HH", self.mem.read(self.device, 4))

    def post_one(self, addr, length, writable, head=None):
        return self.post_chain([(addr, length, writable)], head)

    def base(self):
        """The avail position in SET_VRING_BASE's encoding."""
        return self.avail_idx | (self.avail_wrap << 15)

    def used_idx(self):
        """Used descriptors seen so far (mod 2^16), for tests that count."""
        return self.used_seen & 0xFFFF

    def poll_used(self):
        d = self.mem.read(self.desc + 16 * self.used_off, 16)
        _, length, bid, flags = struct.unpack("<QIHH", d)
        avail, used = bool(flags & PDESC_F_AVAIL), bool(flags & PDESC_F_USED)
        if avail != used or used != bool(self.used_wrap):
            return None
        n = self.ndesc.pop(bid, None)
        if n is None:
            raise ValueError(f"used buffer id {bid} is not in flight "
                             f"(in flight: {sorted(self.ndesc)})")
        self.used_off += n
        if self.used_off >= self.num:
            self.used_off -= self.num
            self.used_wrap ^= 1
        self.used_seen += 1
        return bid, length

    def wait_used(self, timeout=2.0):
        """Next used descriptor (id, len), or None after timeout."""
        deadline = time.monotonic() + timeout
        delay = 0.0005
        while True:
            u = self.poll_used()
            if u is not None:
                return u
            if time.monotonic() > deadline:
                return None
            time.sleep(delay)
            delay = min(delay * 2, 0.01)


def rtc_read_request(clock=0, msg=RTC_REQ_READ):
    return struct.pack("<H6xH6x", msg, clock)


class Device:
    """A well-behaved front-end bringing a device up; the pieces are
    separate methods so a test can stop anywhere or misbehave in between.

    kind: 'rtc' (requestq + alarmq) or 'rng' (one queue)."""

    def __init__(self, path, kind, mem_size=1 << 20, qsize=64, seal=True, timeout=2.0,
                 reply_ack=True, connect=True, packed=False):
        self.kind = kind
        self.packed = packed
        self.path = path
        self.qsize = qsize
        self.nq = 2 if kind == "rtc" else 1
        self.use_reply_ack = reply_ack
        self.mem = GuestMem(mem_size, seal=seal)
        self.rings = [(PackedRing if packed else Ring)(self.mem, qsize) for _ in range(self.nq)]
        self.kicks = [eventfd() for _ in range(self.nq)]
        self.calls = [eventfd() for _ in range(self.nq)]
        self.buf = self.mem.alloc(64 * 1024, 64)  # request/response buffers
        self.features = 0
        self.c = Conn(path, timeout) if connect else None

    # The steps of a set-up, in QEMU's order.
    def negotiate(self, extra_features=0):
        c = self.c
        c.set_owner()
        offered = c.get_features()
        self.offered = offered
        want = (1 << F_VERSION_1) | (1 << F_PROTOCOL_FEATURES) | extra_features
        if self.packed:
            want |= 1 << F_RING_PACKED
        self.features = offered & want
        if self.packed and not self.features & (1 << F_RING_PACKED):
            raise Closed(f"VIRTIO_F_RING_PACKED not offered (features 0x{offered:x})")
        if offered & (1 << F_PROTOCOL_FEATURES):
            pf = c.get_protocol_features()
            self.offered_pf = pf
            c.set_protocol_features(pf & ((1 << PF_REPLY_ACK) if self.use_reply_ack else 0))
        return self.check_ack(c.set_features(self.features), "SET_FEATURES")

    def check_ack(self, r, what):
        if r not in (None, 0):
            raise Closed(f"{what} NACKed ({r})")
        return r

    def set_mem(self):
        return self.check_ack(self.c.set_mem_table([self.mem.region()], [self.mem.fd]),
                              "SET_MEM_TABLE")

    def setup_queue(self, q, num=None, kick=True, call=True, enable=True, base=None):
        """base None: a fresh ring (0; packed 0x8000, the avail wrap counter set)."""
        c, r = self.c, self.rings[q]
        if base is None:
            base = 0x8000 if self.packed else 0
        self.check_ack(c.set_vring_num(q, r.num if num is None else num), "SET_VRING_NUM")
        self.check_ack(c.set_vring_base(q, base), "SET_VRING_BASE")
        self.check_ack(c.set_vring_addr(q, *r.addrs()), "SET_VRING_ADDR")
        if kick:
            self.check_ack(c.set_vring_kick(q, self.kicks[q]), "SET_VRING_KICK")
        if call:
            self.check_ack(c.set_vring_call(q, self.calls[q]), "SET_VRING_CALL")
        if enable and self.features & (1 << F_PROTOCOL_FEATURES):
            self.check_ack(c.set_vring_enable(q, 1), "SET_VRING_ENABLE")

    def up(self, queues=None):
        """Negotiate, memory table, every queue (or the given ones)."""
        self.negotiate()
        self.set_mem()
        for q in (range(self.nq) if queues is None else queues):
            self.setup_queue(q)
        return self

    def kick(self, q=0):
        try:
            os.eventfd_write(self.kicks[q], 1)
        except OSError:
            pass

    def post_request(self, q=0, clock=0, msg=RTC_REQ_READ):
        """Post one request (rtc READ of clock, or 64 bytes of rng) and kick."""
        r = self.rings[q]
        slot = (r.avail_idx % r.num) * 64
        off = self.buf + slot * 1
        if self.kind == "rtc":
            self.mem.write(off, rtc_read_request(clock, msg))
            self.mem.write(off + 32, b"\xff" * 16)
            head = r.post_chain([(self.mem.addr(off), 16, False),
                                 (self.mem.addr(off + 32), 32 if msg == RTC_REQ_READ_CROSS else 16,
                                  True)])
        else:
            head = r.post_chain([(self.mem.addr(off), 64, True)])
        self.kick(q)
        return head, off

    def transact(self, q=0, timeout=2.0, clock=0, msg=RTC_REQ_READ):
        """Post a request and wait for its used entry; returns (id, len,
        status) or None on timeout. status: rtc response status byte, or
        the number of bytes for rng."""
        head, off = self.post_request(q, clock, msg)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            u = self.rings[q].wait_used(max(left, 0))
            if u is None:
                return None
            if u[0] == head:
                break
        st = self.mem.read(off + 32, 1)[0] if self.kind == "rtc" else u[1]
        return u[0], u[1], st

    def close(self, graceful=True):
        if self.c is not None:
            self.c.close(graceful)
        for fd in self.kicks + self.calls:
            try:
                os.close(fd)
            except OSError:
                pass
        self.kicks, self.calls = [], []
        self.mem.close()


def serve_check(path, kind, timeout=5.0, requests=2):
    """A fresh, well-behaved connection: bring the device up and complete
    requests. Returns None when served, else a string saying what failed."""
    try:
        d = Device(path, kind, timeout=timeout)
    except OSError as e:
        return f"connect: {e}"
    try:
        try:
            d.up(queues=[0])
        except (Closed, Timeout, OSError) as e:
            return f"set-up: {type(e).__name__} {e}"
        for _ in range(requests):
            r = d.transact(0, timeout)
            if r is None:
                return "request not answered"
            if d.kind == "rtc" and r[2] != RTC_S_OK:
                return f"rtc status {r[2]}"
            if d.kind == "rng" and r[1] == 0:
                return "rng wrote 0 bytes"
        return None
    finally:
        d.close()


def errno_name(e):
    return errno.errorcode.get(e, str(e))
