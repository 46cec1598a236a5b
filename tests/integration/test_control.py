#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
"""Integration tests: dpdk-rtcd's control socket, dpdk-rtcd-ctl and the
configuration file (doc/control.md, dpdk-rtcd(8)).

    test_control.py --build BUILD_DIR CASE

Each case starts its own dpdk-rtcd (test_daemon.Daemon: --no-huge, its own
socket directory and file prefix) and talks to it over real sockets: the
control socket, and vhost-user front-ends (vhu.py) that count their
requests while devices come and go. Every wait is bounded. Exit status:
0 pass, 1 fail, 77 skipped.
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhu  # noqa: E402
import test_daemon  # noqa: E402
from test_daemon import Fail, Skip, check, proc_status, SKIP  # noqa: E402

RTC = "rtc_vhost0,iface={dir}/rtc0.sock"

# Sanitizer reports found in the daemons' logs (a sanitizer build).
SANITIZER = re.compile(r"ERROR: AddressSanitizer: [\w-]+|runtime error: [^\n]{0,80}|"
                       r"ERROR: LeakSanitizer")
REPORTS = []


class Daemon(test_daemon.Daemon):
    """test_daemon's daemon, whose log is checked for sanitizer reports."""

    def cleanup(self):
        try:
            m = SANITIZER.search(self.output()) if self.proc is not None else None
        except OSError:
            m = None
        if m:
            REPORTS.append(m.group(0))
        super().cleanup()


class Ctl:
    """A control connection speaking the line protocol directly."""

    def __init__(self, path, timeout=5.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            b = self.s.recv(65536)
            if not b:
                raise EOFError("control connection closed")
            self.buf += b
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode(errors="replace")

    def cmd(self, text):
        """Send one command; returns the reply lines (list: "ok N" and N more)."""
        self.s.sendall(text.encode() + b"\n")
        first = self.line()
        out = [first]
        if text.split()[:1] == ["list"] and first.startswith("ok "):
            out += [self.line() for _ in range(int(first.split()[1]))]
        return out

    def closed(self, timeout=3.0):
        """Whether the daemon closes this connection within timeout (after
        any pending reply bytes)."""
        self.s.settimeout(timeout)
        try:
            while True:
                b = self.s.recv(65536)
                if not b:
                    return True
                self.buf += b
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True

    def close(self):
        self.s.close()


def devices(ctl):
    """list -> {name: {key: value}}."""
    r = ctl.cmd("list")
    if not r[0].startswith("ok "):
        raise Fail(f"list: {r[0]}")
    out = {}
    for line in r[1:]:
        name, *kv = line.split()
        out[name] = dict(x.split("=", 1) for x in kv)
    return out


class Traffic(threading.Thread):
    """A front-end on one rtc device sending one request at a time: counts
    the answers and every request that was not answered (lost)."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.dev = vhu.Device(path, "rtc", timeout=5.0)
        self.dev.up(queues=[0])
        self.answered = 0
        self.lost = 0
        self.bad = 0
        self.stop_flag = False
        self.error = None

    def run(self):
        try:
            while not self.stop_flag:
                r = self.dev.transact(0, 2.0)
                if r is None:
                    self.lost += 1
                elif r[2] != vhu.RTC_S_OK:
                    self.bad += 1
                else:
                    self.answered += 1
        except Exception as e:  # a closed connection, say
            self.error = repr(e)

    def settle(self, more=10, timeout=10.0):
        """Wait until @more further answers came (or the timeout): a loaded
        machine (CI's chroots) answers fewer per second, and what the tests
        check is that nothing was lost, not a rate."""
        want = self.answered + more
        deadline = time.time() + timeout
        while self.answered < want and self.error is None and time.time() < deadline:
            time.sleep(0.05)

    def stop(self):
        self.settle()
        self.stop_flag = True
        self.join(10)
        self.dev.close()


def ctl_exe(build):
    return os.path.join(build, "app/rtcd/dpdk-rtcd-ctl")


def start(build, devs=(RTC,), extra=(), name="c", config=None, wait=("rtc0.sock",)):
    """A daemon whose control socket is DIR/control.sock and socket
    directory DIR; config: the text of a configuration file DIR/rtcd.conf
    ({dir} expanded)."""
    d = Daemon(build, list(devs), name=name)
    d.ctl_path = d.sock("control.sock")
    d.conf = d.sock("rtcd.conf")
    if config is not None:
        with open(d.conf, "w") as f:
            f.write(config.format(dir=d.dir))
        d.args += ["--config", d.conf]
    d.args += ["--control", d.ctl_path, "--socket-dir", d.dir] + list(extra)
    try:
        d.start(list(wait))
    except BaseException:
        d.cleanup()
        raise
    return d


# ---------------------------------------------------------------- cases
def case_add_remove_under_traffic(build):
    """20 devices added and removed while a front-end keeps rtc_vhost0
    busy: it loses no request; list shows them; removing a device closes
    only its front-end's connection."""
    d = start(build)
    t = None
    try:
        ctl = Ctl(d.ctl_path)
        t = Traffic(d.sock("rtc0.sock"))
        t.start()
        time.sleep(0.3)
        before = t.answered
        check(before > 0, f"rtc_vhost0 served before the churn ({before} answers)")
        for i in range(1, 21):
            kind = "rtc" if i % 2 else "rng"
            r = ctl.cmd(f"add {kind}_vhost{i},iface={d.dir}/{kind}{i}.sock")
            if not r[0].startswith(f"ok added {kind}_vhost{i} "):
                raise Fail(f"add {kind}_vhost{i}: {r[0]}")
        devs = devices(ctl)
        check(len(devs) == 21 and devs["rtc_vhost0"]["origin"] == "cmdline" and
              devs["rtc_vhost0"]["connected"] == "1" and devs["rtc_vhost3"]["origin"] == "control"
              and devs["rng_vhost4"]["kind"] == "rng" and
              devs["rtc_vhost5"]["socket"] == d.sock("rtc5.sock"),
              "list: 21 devices with kind, origin, socket, connected")
        # A front-end on an added device is served, and removing that
        # device closes its connection only.
        err = vhu.serve_check(d.sock("rtc7.sock"), "rtc", 5)
        check(err is None, f"an added device is served ({err})")
        other = vhu.Device(d.sock("rtc9.sock"), "rtc", timeout=5.0)
        other.up(queues=[0])
        check(other.transact(0, 2.0) is not None, "a front-end on rtc_vhost9 is served")
        r = ctl.cmd("remove rtc_vhost9")
        check(r == ["ok removed rtc_vhost9"], f"remove rtc_vhost9: {r}")
        check(other.c.closed_within(3.0), "removing rtc_vhost9 closed its front-end's connection")
        other.close()
        check(not os.path.exists(d.sock("rtc9.sock")), "its socket file is gone")
        for i in range(1, 21):
            if i == 9:
                continue
            kind = "rtc" if i % 2 else "rng"
            r = ctl.cmd(f"remove {kind}_vhost{i}")
            if r != [f"ok removed {kind}_vhost{i}"]:
                raise Fail(f"remove {kind}_vhost{i}: {r}")
        # And once more through the command-line client.
        for i in range(21, 26):
            p = subprocess.run([ctl_exe(build), "-s", d.ctl_path, "add",
                                f"rtc_vhost{i},iface={d.dir}/rtc{i}.sock"],
                               capture_output=True, text=True, timeout=20)
            if p.returncode != 0:
                raise Fail(f"dpdk-rtcd-ctl add: {p.returncode} {p.stdout} {p.stderr}")
        p = subprocess.run([ctl_exe(build), "-s", d.ctl_path, "list"], capture_output=True,
                           text=True, timeout=20)
        check(p.returncode == 0 and p.stdout.startswith("ok 6\n") and
              len(p.stdout.splitlines()) == 7, f"dpdk-rtcd-ctl list: {p.stdout!r}")
        for i in range(21, 26):
            p = subprocess.run([ctl_exe(build), "-s", d.ctl_path, "remove", f"rtc_vhost{i}"],
                               capture_output=True, text=True, timeout=20)
            if p.returncode != 0:
                raise Fail(f"dpdk-rtcd-ctl remove: {p.stdout} {p.stderr}")
        p = subprocess.run([ctl_exe(build), "-s", d.ctl_path, "remove", "rtc_vhost21"],
                           capture_output=True, text=True, timeout=20)
        check(p.returncode == 1 and p.stdout.startswith("error ENOENT"),
              f"dpdk-rtcd-ctl: an error reply exits 1 ({p.returncode}, {p.stdout.strip()})")
        during = t.answered - before
        t.stop()
        check(t.error is None and t.lost == 0 and t.bad == 0 and during >= 1,
              f"rtc_vhost0 kept being served: {during} answers during the churn, "
              f"{t.lost} lost, {t.bad} bad, error {t.error}")
        t = None
        check(list(devices(ctl)) == ["rtc_vhost0"], "only rtc_vhost0 is left")
        leftovers = [f for f in os.listdir(d.dir) if f.endswith(".sock") and
                     f not in ("rtc0.sock", "control.sock")]
        check(not leftovers, f"no socket file left by the removed devices ({leftovers})")
        ctl.close()
        check(d.stop() == 0, "daemon exits 0")
        check(not os.path.exists(d.ctl_path), "control socket removed at exit")
    finally:
        if t is not None:
            t.stop()
        d.cleanup()


def case_hostile_clients(build):
    """Oversized lines, garbage, half a line then silence, many connects:
    each gets an error or a closed connection; the daemon keeps serving
    its device and other control clients."""
    d = start(build)
    t = None
    try:
        t = Traffic(d.sock("rtc0.sock"))
        t.start()
        # Oversized: E2BIG, then closed.
        c = Ctl(d.ctl_path)
        try:
            c.s.sendall(b"a" * 70000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        check(c.closed(3.0) and c.buf.startswith(b"error E2BIG"),
              f"a line over 4095 bytes: {c.buf[:60]!r} and closed")
        c.close()
        # Exactly 4095 bytes is a line (an unknown command).
        c = Ctl(d.ctl_path)
        r = c.cmd("x" * 4095)
        check(r[0].startswith("error EINVAL: unknown command"), "a 4095-byte line is a line")
        # Garbage: control bytes and NULs answered, the connection stays.
        c.s.sendall(b"\x00\x01\xff\xfe garbage\x07\n")
        check(c.line().startswith("error EINVAL"), "a line with control/NUL bytes: EINVAL")
        c.s.sendall(bytes(range(0x80, 0x100)) + b"\n")
        check(c.line().startswith("error EINVAL: the line has a byte that is not printable"),
              "8-bit bytes: EINVAL (replies never echo them)")
        check(c.cmd("")[0].startswith("error EINVAL"), "an empty line: EINVAL")
        check(c.cmd("add")[0].startswith("error EINVAL"), "add without a spec: EINVAL")
        check(c.cmd("remove " + "n" * 200)[0].startswith("error EINVAL"),
              "remove with a 200-byte name: EINVAL")
        check(c.cmd("add rtc_vhost1,iface=" + d.dir + "/a b.sock")[0].startswith("error EINVAL"),
              "add with a space in the spec: EINVAL")
        check(c.cmd("version")[0].startswith("ok dpdk-rtcd "), "the same connection still works")
        # Pipelined commands in one send: answered in order.
        c.s.sendall(b"version\r\nhelp\n")
        check(c.line().startswith("ok dpdk-rtcd") and c.line().startswith("ok commands"),
              "two pipelined commands (one with CRLF) answered in order")
        c.close()
        # Half a line, then silence: holds a slot, not the loop.
        half = Ctl(d.ctl_path)
        half.s.sendall(b"lis")
        c = Ctl(d.ctl_path, timeout=2.0)
        check(devices(c).keys() == {"rtc_vhost0"}, "another client is served meanwhile")
        c.close()
        # A client that never reads: a big reply pending does not stop others.
        deaf = Ctl(d.ctl_path)
        deaf.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        deaf.s.sendall(b"list\n" * 50)
        # Many connects: at most 8 held, the rest told EBUSY and closed.
        many = []
        for _ in range(40):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(d.ctl_path)  # blocking: waits while the backlog is full
            many.append(s)
        time.sleep(0.5)
        busy = 0
        for s in many:
            s.settimeout(0.05)
            try:
                if s.recv(100).startswith(b"error EBUSY"):
                    busy += 1
            except (socket.timeout, TimeoutError):
                pass
        check(busy >= 40 - 8, f"{busy} of 40 extra connections told EBUSY (8 slots)")
        for s in many:
            s.close()
        half.close()
        deaf.close()
        time.sleep(0.3)
        c = Ctl(d.ctl_path, timeout=2.0)
        check(c.cmd("version")[0].startswith("ok"), "after they closed, a client is served")
        c.close()
        t.stop()
        check(t.error is None and t.lost == 0 and t.answered >= 10,
              f"rtc_vhost0 served throughout ({t.answered} answers, {t.lost} lost)")
        t = None
        check(d.proc.poll() is None, "daemon alive")
        check(d.stop() == 0, "daemon exits 0")
    finally:
        if t is not None:
            t.stop()
        d.cleanup()


def case_socket_dir_refused(build):
    """Runtime adds outside the socket directory are refused, also through
    '..' or a symbolic link; client mode too."""
    d = start(build)
    outside = None
    try:
        import tempfile
        outside = tempfile.mkdtemp(prefix="vrtc-out-")
        os.symlink(outside, d.sock("link"))
        os.mkdir(d.sock("sub"))
        c = Ctl(d.ctl_path)
        cases = [
            (f"rtc_vhost1,iface={outside}/x.sock", "error EPERM"),
            (f"rtc_vhost1,iface={d.dir}/../x.sock", "error EINVAL"),
            (f"rtc_vhost1,iface={d.dir}//x.sock", "error EINVAL"),
            ("rtc_vhost1,iface=x.sock", "error EINVAL"),
            (f"rtc_vhost1,iface={d.sock('link')}/x.sock", "error EPERM"),
            (f"rtc_vhost1,iface={outside}/x.sock,client=1", "error EPERM"),
            (f"rtc_vhost1,iface={d.dir}/none/x.sock", "error ENOENT"),
        ]
        for spec, want in cases:
            r = c.cmd("add " + spec)[0]
            check(r.startswith(want), f"add {spec}: {r}")
        check(os.listdir(outside) == [], "nothing created outside")
        r = c.cmd(f"add rtc_vhost1,iface={d.dir}/sub/x.sock")[0]
        check(r.startswith("ok added rtc_vhost1"), f"a subdirectory of the socket dir: {r}")
        r = c.cmd(f"add rtc_vhost2,iface={d.dir}/sub/x.sock")[0]
        check(r.startswith("error EEXIST"), f"the same socket twice: {r}")
        r = c.cmd(f"add rtc_vhost1,iface={d.dir}/y.sock")[0]
        check(r.startswith("error EEXIST"), f"the same name twice: {r}")
        r = c.cmd(f"add rtc_vhost3,iface={d.dir}/z.sock,bogus=1")[0]
        check(r.startswith("error EINVAL: rtc_vhost3: cannot parse") and "bogus=1" in r and
              r.endswith("(rtc_vhost3: not created)"), f"a bad key, the library's reason: {r}")
        check(vhu.serve_check(d.sock("sub/x.sock"), "rtc", 5) is None, "rtc_vhost1 served")
        c.close()
    finally:
        d.cleanup()
        if outside:
            subprocess.run(["rm", "-rf", outside])


CONF = """# dpdk-rtcd test configuration
stats-period 1

device rtc_vhost1,iface={dir}/rtc1.sock
  device rtc_vhost2,iface={dir}/rtc2.sock,clocks=utc
device rng_vhost3,iface={dir}/rng3.sock
"""


def case_config_reload(build):
    """Devices from the configuration file; reload (control and SIGHUP)
    adds, removes and replaces only what changed; a syntax error names
    file:line and changes nothing; a device that fails is reported and the
    rest applies."""
    d = start(build, config=CONF, wait=("rtc0.sock", "rtc1.sock", "rtc2.sock", "rng3.sock"))
    t = None
    try:
        c = Ctl(d.ctl_path)
        devs = devices(c)
        check(sorted(devs) == ["rng_vhost3", "rtc_vhost0", "rtc_vhost1", "rtc_vhost2"] and
              devs["rtc_vhost1"]["origin"] == "config" and
              devs["rtc_vhost0"]["origin"] == "cmdline",
              f"started with the file's devices and the command line's ({sorted(devs)})")
        t = Traffic(d.sock("rtc1.sock"))
        t.start()
        r = c.cmd("reload")[0]
        check(r.startswith("ok reloaded") and "0 added, 0 removed, 0 replaced" in r,
              f"reload of an unchanged file: {r}")
        # A syntax error: file:line, nothing changed.
        good = CONF.format(dir=d.dir)
        for bad, line, what in [
                (good + "devic rtc_vhost9,iface=x\n", 7, "unknown key"),
                (good.replace("stats-period 1", "stats-period"), 2, "without a value"),
                (good + "device rtc_vhost1,iface=" + d.dir + "/o.sock\n", 7, "given twice"),
                (good + "poll sometimes\n", 7, "--poll"),
                ("x" * 5000 + "\n", 1, "longer than")]:
            with open(d.conf, "w") as f:
                f.write(bad.replace("rng_vhost3", "rng_vhost4"))
            r = c.cmd("reload")[0]
            check(r.startswith("error EINVAL: ") and f"{d.conf}:{line}: " in r and
                  what in r and "nothing changed" in r, f"syntax error reported: {r}")
            check(sorted(devices(c)) == ["rng_vhost3", "rtc_vhost0", "rtc_vhost1",
                                         "rtc_vhost2"], "... and nothing changed")
        # Add one, remove one, change one, one that fails.
        new = good.replace(f"device rng_vhost3,iface={d.dir}/rng3.sock\n", "")
        new = new.replace("clocks=utc", "clocks=utc+tai")
        new += f"device rng_vhost5,iface={d.dir}/rng5.sock,source=getrandom\n"
        new += f"device rtc_vhost6,iface={d.dir}/rtc6.sock,bogus=1\n"
        new += f"device rtc_vhost7,iface=/tmp/elsewhere-{os.getpid()}.sock\n"
        with open(d.conf, "w") as f:
            f.write(new)
        r = c.cmd("reload")[0]
        check(r.startswith("error EINVAL: reloaded") and "1 added, 1 removed, 1 replaced" in r
              and "2 not created" in r and f"{d.conf}:7: rtc_vhost6: cannot parse" in r and
              f"{d.conf}:8: rtc_vhost7" in r,
              f"reload applied the rest and named the failures with file:line: {r}")
        devs = devices(c)
        check(sorted(devs) == ["rng_vhost5", "rtc_vhost0", "rtc_vhost1", "rtc_vhost2"],
              f"devices now {sorted(devs)}")
        check(vhu.serve_check(d.sock("rng5.sock"), "rng", 5) is None, "rng_vhost5 served")
        check(vhu.serve_check(d.sock("rtc2.sock"), "rtc", 5) is None, "rtc_vhost2 served again")
        check(not os.path.exists(d.sock("rng3.sock")), "rng_vhost3's socket removed")
        # Fix the failing line; reload by SIGHUP.
        with open(d.conf, "w") as f:
            f.write(new.replace(",bogus=1", "").replace(f"device rtc_vhost7,iface=/tmp/elsewhere-{os.getpid()}.sock\n", ""))
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 5
        while time.time() < deadline and "rtc_vhost6" not in devices(c):
            time.sleep(0.05)
        check("rtc_vhost6" in devices(c) and "SIGHUP: ok reloaded" in d.output(),
              "SIGHUP reloads (the fixed device added, logged)")
        # A device added by hand is not the file's: reload leaves it.
        r = c.cmd(f"add rtc_vhost8,iface={d.dir}/rtc8.sock")[0]
        check(r.startswith("ok"), f"add by hand: {r}")
        r = c.cmd("reload")[0]
        check(r.startswith("ok") and "rtc_vhost8" in devices(c), f"reload leaves it: {r}")
        t.stop()
        check(t.error is None and t.lost == 0 and t.answered >= 10,
              f"rtc_vhost1 (unchanged in the file) served through every reload "
              f"({t.answered} answers, {t.lost} lost, {t.error})")
        t = None
        c.close()
        check(d.stop() == 0, "daemon exits 0")
    finally:
        if t is not None:
            t.stop()
        d.cleanup()


def case_config_start(build):
    """The file at start: EAL arguments from "eal" lines, options, a syntax
    error refuses to start with file:line; an empty file is a daemon
    waiting for devices."""
    exe = os.path.join(build, "app/rtcd/dpdk-rtcd")
    d = Daemon(build, [], name="cs")
    try:
        conf = d.sock("a.conf")
        prefix = d.prefix
        with open(conf, "w") as f:
            f.write(f"eal -l 0,1 --no-huge -m 128 --no-pci --no-shconf --file-prefix={prefix}\n"
                    f"stats-period 1\nsocket-dir {d.dir}\ncontrol {d.dir}/control.sock\n"
                    f"device rtc_vhost0,iface={d.dir}/rtc0.sock,unsealed=1\n")
        d.args = [exe, "--", "--config", conf]
        d.start(["rtc0.sock"])
        c = Ctl(d.sock("control.sock"))
        check(list(devices(c)) == ["rtc_vhost0"], "EAL arguments, options and the device "
              "all from the file (a unit that never needs editing)")
        c.close()
        check(vhu.serve_check(d.sock("rtc0.sock"), "rtc", 5) is None, "served")
        check(d.stop() == 0, "exits 0")
        # A syntax error: exit 2 with file:line, before EAL.
        with open(conf, "w") as f:
            f.write("# x\n\nburst 0\n")
        p = subprocess.run([exe, "--", "--config", conf], capture_output=True, text=True,
                           timeout=30)
        check(p.returncode == 2 and f"{conf}:3: --burst" in p.stderr and
              "EAL: Detected" not in p.stdout + p.stderr, f"bad value: exit 2, {p.stderr.strip()}")
        with open(conf, "w") as f:
            f.write("device rtc_vhost0\n")
        p = subprocess.run([exe, "--", "--config", conf + ".missing"], capture_output=True,
                           text=True, timeout=30)
        check(p.returncode == 2 and "No such file" in p.stderr, "a missing --config: exit 2")
        # No device, a file: waits for devices.
        with open(conf, "w") as f:
            f.write(f"eal -l 0,1 --no-huge -m 128 --no-pci --no-shconf --file-prefix={prefix}\n"
                    f"socket-dir {d.dir}\ncontrol {d.dir}/control.sock\n")
        d.start()
        c = Ctl(d.sock("control.sock"))
        check(c.cmd("list") == ["ok 0"], "an empty file: a daemon with no device yet")
        r = c.cmd(f"add rtc_vhost1,iface={d.dir}/rtc1.sock,unsealed=1")[0]
        check(r.startswith("ok added") and
              vhu.serve_check(d.sock("rtc1.sock"), "rtc", 5) is None, "... then one added")
        c.close()
        check(d.stop() == 0, "exits 0")
        # The shipped example, its paths moved to the test's directory.
        example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                               "examples", "dpdk-rtcd.conf")
        with open(example) as f:
            text = f.read().replace("/run/dpdk-rtcd", d.dir).replace("mode=0660",
                                                                     "mode=0660,unsealed=1")
        with open(conf, "w") as f:
            f.write(text)
        d.args = [exe, "-l", "0,1", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
                  f"--file-prefix={prefix}", "--", "--config", conf]
        d.start(["vm1-rtc.sock", "vm1-rng.sock"])
        c = Ctl(d.sock("control.sock"))
        devs = devices(c)
        check(sorted(devs) == ["rng_vhost0", "rtc_vhost0"] and
              all(v["origin"] == "config" for v in devs.values()),
              "examples/dpdk-rtcd.conf: its two devices (command-line EAL arguments win)")
        check(c.cmd("reload")[0].startswith("ok reloaded") and
              vhu.serve_check(d.sock("vm1-rng.sock"), "rng", 5) is None, "reloads, serves")
        c.close()
        check(oct(os.stat(d.sock("vm1-rtc.sock")).st_mode & 0o777) == "0o660", "mode=0660")
        check(d.stop() == 0, "exits 0")
        # --control none: no socket.
        with open(conf, "w") as f:
            f.write(f"eal -l 0,1 --no-huge -m 128 --no-pci --no-shconf --file-prefix={prefix}\n"
                    f"socket-dir {d.dir}\ncontrol {d.dir}/control.sock\n")
        d.args = [exe, "--", "--config", conf, "--control", "none"]
        d.start()
        check(not os.path.exists(d.sock("control.sock")), "--control none: no control socket")
        d.stop()
    finally:
        d.cleanup()


def case_control_socket_file(build):
    """Mode 0600; a stale socket (a daemon that died) is replaced, a live one
    refused; a file that is not a socket is left alone; the default path
    follows the file prefix."""
    d = start(build)
    try:
        mode = os.stat(d.ctl_path).st_mode & 0o777
        check(mode == 0o600, f"control socket mode {oct(mode)}")
        d2 = Daemon(build, ["rtc_vhost0,iface={dir}/rtc.sock"], name="c2")
        d2.args += ["--control", d.ctl_path]
        try:
            d2.log = open(d2.log_path, "w")
            p = subprocess.run(d2.args, capture_output=True, text=True, timeout=30)
            check(p.returncode == 1 and "another process listens" in p.stderr,
                  f"a live control socket is not taken over ({p.returncode})")
        finally:
            d2.cleanup()
        d.proc.kill()
        d.proc.wait()
        check(os.path.exists(d.ctl_path), "a killed daemon leaves its socket")
        d.start(["rtc0.sock"])
        c = Ctl(d.ctl_path)
        check(c.cmd("version")[0].startswith("ok"), "the next daemon replaces a stale socket")
        c.close()
        d.stop()
        with open(d.ctl_path, "w") as f:
            f.write("not a socket")
        p = subprocess.run(d.args, capture_output=True, text=True, timeout=30)
        check(p.returncode == 1 and "not a socket" in p.stderr and
              open(d.ctl_path).read() == "not a socket", "a regular file there: refused, kept")
        os.unlink(d.ctl_path)
    finally:
        d.cleanup()
    # The default: /run/dpdk-rtcd/PREFIX.control.sock for root; the client's -p.
    d = Daemon(build, [RTC], name="c3")
    d.args += ["--socket-dir", d.dir]
    try:
        d.start(["rtc0.sock"])
        path = f"/run/dpdk-rtcd/{d.prefix}.control.sock"
        check(os.path.exists(path), f"default control socket {path}")
        p = subprocess.run([ctl_exe(build), "-p", d.prefix, "list"], capture_output=True,
                           text=True, timeout=20)
        check(p.returncode == 0 and "rtc_vhost0 kind=rtc" in p.stdout,
              "dpdk-rtcd-ctl -p PREFIX finds it")
        d.stop()
        check(not os.path.exists(path), "removed at exit")
    finally:
        d.cleanup()
    # Not root, its runtime directory someone else's: not used.
    d = Daemon(build, [RTC], name="c4")
    try:
        xdg = d.sock("xdg")
        os.mkdir(xdg)
        os.chown(xdg, 65534, 65534)
        os.chown(d.dir, 65534, 65534)
        os.mkdir(os.path.join(xdg, "dpdk-rtcd"))
        os.chmod(os.path.join(xdg, "dpdk-rtcd"), 0o777)  # root's, writable by all
        d.args = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                  "env", f"XDG_RUNTIME_DIR={xdg}", f"HOME={xdg}"] + d.args
        d.start(["rtc0.sock"])
        check("runtime directory " + os.path.join(xdg, "dpdk-rtcd") in d.output() and
              "not used" in d.output() and
              os.listdir(os.path.join(xdg, "dpdk-rtcd")) == [],
              "a runtime directory of another user, writable by all, is not used")
        d.stop()
    finally:
        d.cleanup()
    p = subprocess.run([ctl_exe(build), "--help"], capture_output=True, text=True, timeout=20)
    check(p.returncode == 0 and "add SPEC" in p.stdout, "dpdk-rtcd-ctl --help")
    p = subprocess.run([ctl_exe(build), "-s", "/nonexistent/x.sock", "list"],
                       capture_output=True, text=True, timeout=20)
    check(p.returncode == 2 and "is dpdk-rtcd running" in p.stderr,
          "dpdk-rtcd-ctl without a daemon: exit 2")


def case_after_drop_root(build):
    """--user nobody: runtime adds still work in the socket directory
    (nobody's), keys that need root are refused with the reason, files the
    account cannot read are refused, the control socket is removed at exit
    (by the clean-up helper: /run/dpdk-rtcd is root's)."""
    secret = None
    d = Daemon(build, [RTC], name="dr", extra=["--user", "nobody", "--group", "nogroup"])
    d.args += ["--socket-dir", d.dir]
    try:
        os.chown(d.dir, 65534, 65534)
        d.start(["rtc0.sock"])
        st = proc_status(d.proc.pid)
        check(st["Uid"].split() == ["65534"] * 4, "the daemon runs as nobody")
        path = f"/run/dpdk-rtcd/{d.prefix}.control.sock"
        s = os.stat(path)
        check(s.st_uid == 65534 and s.st_mode & 0o777 == 0o600,
              "the control socket is nobody's, 0600")
        c = Ctl(path)
        t = Traffic(d.sock("rtc0.sock"))
        t.start()
        r = c.cmd(f"add rtc_vhost1,iface={d.dir}/rtc1.sock,unsealed=1,mode=0660")[0]
        check(r.startswith("ok added"), f"add as nobody: {r}")
        check(os.stat(d.sock("rtc1.sock")).st_uid == 65534, "its socket is nobody's")
        check(vhu.serve_check(d.sock("rtc1.sock"), "rtc", 5) is None, "and served")
        r = c.cmd(f"add rtc_vhost2,iface={d.dir}/rtc2.sock,owner=root")[0]
        check(r.startswith("error EPERM") and "owner= and group= need root" in r, r)
        r = c.cmd(f"add rtc_vhost2,iface={d.dir}/rtc2.sock,group=nogroup")[0]
        check(r.startswith("error EPERM"), f"group=: {r}")
        secret = f"/root/.vrtc-secret-{os.getpid()}"
        with open(secret, "wb") as f:
            f.write(os.urandom(64))
        os.chmod(secret, 0o600)
        r = c.cmd(f"add rng_vhost2,iface={d.dir}/rng2.sock,source=file:{secret}")[0]
        check(r.startswith("error EACCES") and "entropy file" in r, f"unreadable source: {r}")
        r = c.cmd(f"add rtc_vhost2,iface={d.dir}/rtc2.sock,clocks=utc+phc:{secret}:tai")[0]
        check(r.startswith("error EACCES") and "PHC" in r, f"unreadable PHC: {r}")
        r = c.cmd(f"add rng_vhost2,iface={d.dir}/rng2.sock,source=file:/dev/urandom")[0]
        check(r.startswith("ok added"), f"a readable entropy file: {r}")
        r = c.cmd("remove rtc_vhost1")[0]
        check(r == "ok removed rtc_vhost1" and not os.path.exists(d.sock("rtc1.sock")),
              "remove as nobody: its socket unlinked")
        t.stop()
        check(t.lost == 0 and t.error is None and t.answered >= 10,
              f"rtc_vhost0 served throughout ({t.answered}, {t.lost} lost)")
        c.close()
        check(d.stop() == 0, "exits 0")
        check(not os.path.exists(path), "the control socket removed at exit")
        check("could not remove control socket" not in d.output(), "no complaint about it")
    finally:
        d.cleanup()
        if secret:
            os.unlink(secret)


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("case", choices=sorted(CASES))
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root (EAL, vhost-user sockets, --user)")
        return SKIP
    if os.cpu_count() < 2:
        print("SKIP: needs two CPUs")
        return SKIP
    try:
        CASES[a.case](os.path.abspath(a.build))
        if REPORTS:
            raise Fail(f"sanitizer report in a daemon's log: {REPORTS[0]}")
    except Fail as e:
        print(f"FAIL {e}")
        return 1
    except Skip as e:
        print(f"SKIP {e}")
        return SKIP
    except subprocess.TimeoutExpired as e:
        print(f"FAIL timed out: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
