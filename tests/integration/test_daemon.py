#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
"""Integration tests: dpdk-rtcd and the front-end client over real sockets.

    test_daemon.py --build BUILD_DIR [--vdev-drivers yes|no] CASE

Each case starts its own dpdk-rtcd (--no-huge: the daemon maps guest memory
from the front-end's fds and needs no hugepages), runs itest_client against
its sockets and checks the outcome. Every case is bounded (seconds); on this
2-core machine the daemon's worker spins on lcore 1 and the client runs on
lcore 0. Exit status: 0 pass, 1 fail, 77 skipped (with the reason).

Devices are given with the daemon's own --device option (after "--"), which
every build has. --vdev-drivers yes (meson passes it when the library was
built with its vdev drivers) also runs the cases that spell them as EAL
--vdev arguments; with "no" those cases are skipped.
"""

import argparse
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77

# dpdk-rtcd's statistics line (dpdk-rtcd(8), STATISTICS), logged through
# rte_log with log type rtcd.stats.
STATS_LINE = re.compile(
    r"^rtcd\.stats: (?P<dev>\S+): (?P<state>waiting|connected|serving) (?P<rate>\d+) req/s "
    r"(?P<mbs>\d+\.\d{3}) MB/s \| total (?P<requests>\d+) req (?P<bytes>\d+) B "
    r"errors (?P<errors>\d+) (?:unsupported (?P<unsupported>\d+) )?"
    r"bad_chains (?P<bad_chains>\d+) broken_queues (?P<broken>\d+) irqs (?P<irqs>\d+) "
    r"lcore (?P<lcore>-?\d+)$")

# Set from the command line: whether the build has the rtc_vhost / rng_vhost
# vdev drivers (EAL --vdev spelling).
CONFIG = {"vdev_drivers": True, "spelling": "device"}


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)
    print(f"PASS {what}")


def unsealed(spec):
    """A device string that accepts the front-end's unsealed memory."""
    return spec if "unsealed=" in spec else spec + ",unsealed=1"


class Daemon:
    """One dpdk-rtcd process with a private socket directory."""

    def __init__(self, build, devices, lcores="0,1", extra=(), name="d", spelling=None):
        """devices: argument strings ('rtc_vhost0,iface={dir}/rtc.sock'), given
        as --device SPEC (spelling "device") or EAL --vdev SPEC ("vdev");
        default: --spelling (device)."""
        spelling = spelling or CONFIG["spelling"]
        # The library's own front-end shares EAL memory (a memfd EAL made
        # without MFD_ALLOW_SEALING), which cannot be sealed against
        # shrinking: its devices must accept unsealed memory (unsealed=1).
        devices = [unsealed(v) for v in devices]
        if spelling == "vdev" and not CONFIG["vdev_drivers"]:
            raise Skip("the library was built without its vdev drivers (--vdev-drivers no)")
        self.dir = tempfile.mkdtemp(prefix="vrtc-it-")
        self.prefix = f"it{os.getpid()}{name}"
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.args = [os.path.join(build, "app/rtcd/dpdk-rtcd"), "-l", lcores, "--no-huge",
                     "-m", "128", "--no-pci", "--no-shconf", f"--file-prefix={self.prefix}"]
        if spelling == "vdev":
            for v in devices:
                self.args += ["--vdev", v.format(dir=self.dir)]
        self.args += ["--", "-s", "1"]
        if spelling == "device":
            for v in devices:
                self.args += ["--device", v.format(dir=self.dir)]
        self.args += list(extra)
        self.proc = None

    def sock(self, name):
        return os.path.join(self.dir, name)

    def start(self, wait_for=()):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while time.time() < deadline:
            if all(os.path.exists(self.sock(s)) for s in wait_for) and \
                    "serving" in self.output():
                return self
            if self.proc.poll() is not None:
                raise Fail(f"daemon exited with {self.proc.returncode}:\n{self.output()}")
            time.sleep(0.05)
        raise Fail("daemon did not start within 15 s:\n" + self.output())

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def stats(self, dev):
        """Last statistics line of a device (dpdk-rtcd(8), STATISTICS): dict of
        the totals and the lcore."""
        found = [m for m in map(STATS_LINE.match, self.output().splitlines())
                 if m and m.group("dev") == dev]
        if not found:
            return None
        return {k: int(v) for k, v in found[-1].groupdict().items()
                if v is not None and k not in ("dev", "state", "rate", "mbs")}

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Fail(f"daemon did not stop within {timeout} s after {sig.name}")

    def runtime_dir(self):
        """EAL's runtime directory for this daemon (it runs as root)."""
        return os.path.join("/var/run/dpdk", self.prefix)

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc is not None:
            self.log.close()
        subprocess.run(["rm", "-rf", self.dir])
        # A daemon killed above (or one that failed) may leave EAL's runtime
        # directory; the prefix is this test's own.
        subprocess.run(["rm", "-rf", self.runtime_dir()])
        # ... and its default control socket (a killed daemon cannot
        # remove it; the name carries this test's prefix).
        subprocess.run(["rm", "-f", f"/run/dpdk-rtcd/{self.prefix}.control.sock"])


class Client:
    def __init__(self, build):
        self.exe = os.path.join(build, "tests/integration/itest_client")
        self.n = 0

    def args(self, scenario, opts, mem=("--no-huge", "-m", "64", "--no-shconf")):
        self.n += 1
        return [self.exe, "-l", "0", "--no-pci", *mem,
                f"--file-prefix=itc{os.getpid()}x{self.n}", "--log-level=*:warning",
                "--", scenario] + list(opts)

    def run(self, scenario, *opts, timeout=60, mem=None):
        args = self.args(scenario, opts) if mem is None else self.args(scenario, opts, mem)
        try:
            p = subprocess.run(args, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=timeout)
        finally:
            self.forget_runtime_dir()
        sys.stdout.write(p.stdout)
        return p.returncode, p.stdout

    def forget_runtime_dir(self):
        """The client leaves EAL's runtime directory (its own prefix) behind."""
        subprocess.run(["rm", "-rf", f"/var/run/dpdk/itc{os.getpid()}x{self.n}"])

    def spawn(self, scenario, *opts):
        return subprocess.Popen(self.args(scenario, opts), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)


RTC = "rtc_vhost0,iface={dir}/rtc.sock"
RNG = "rng_vhost0,iface={dir}/rng.sock"


def case_rtc_conformance(build, cl):
    d = Daemon(build, [RTC + ",clocks=utc+tai+mono,tai_offset=37"]).start(["rtc.sock"])
    try:
        rc, _ = cl.run("rtc-check", "--rtc", d.sock("rtc.sock"), "--clocks", "utc+tai+mono",
                       "--tai-offset", "37", "--cross", "0")
        check(rc == 0, "rtc-check against utc+tai+mono")
        time.sleep(1.2)
        st = d.stats("rtc_vhost0")
        # EOPNOTSUPP answers (unknown msg_type, unknown counter, READ_CROSS
        # without cross_tsc) are "unsupported", the others errors.
        check(st is not None and st["requests"] > 5000 and st["errors"] >= 5 and
              st["unsupported"] >= 3,
              f"daemon counted the requests, the error and the unsupported answers ({st})")
        check(d.stop() == 0, "daemon exits 0 on SIGTERM")
    finally:
        d.cleanup()


def case_rtc_clock_order_and_cross(build, cl):
    d = Daemon(build, [RTC + ",clocks=mono+utc,cross_tsc=1"]).start(["rtc.sock"])
    try:
        rc, _ = cl.run("rtc-check", "--rtc", d.sock("rtc.sock"), "--clocks", "mono+utc",
                       "--cross", "1")
        check(rc == 0, "rtc-check with clocks=mono+utc and cross_tsc=1")
    finally:
        d.cleanup()


def case_rtc_smeared(build, cl):
    # The default set ends with the smeared clock (ids 0-2 unchanged):
    # noon-to-noon smearing, read as UTC outside a leap's window.
    d = Daemon(build, [RTC + ",tai_offset=37"]).start(["rtc.sock"])
    try:
        rc, _ = cl.run("rtc-check", "--rtc", d.sock("rtc.sock"), "--clocks",
                       "utc+tai+mono+smeared", "--tai-offset", "37", "--smearing", "1")
        check(rc == 0, "rtc-check against the default set utc+tai+mono+smeared")
        check("noon-to-noon linear leap smearing" in d.output(), "daemon logged how it smears")
    finally:
        d.cleanup()
    # smear=host: the host's clock passed through, smearing unspecified.
    d = Daemon(build, [RTC + ",clocks=smeared+utc,smear=host"]).start(["rtc.sock"])
    try:
        rc, _ = cl.run("rtc-check", "--rtc", d.sock("rtc.sock"), "--clocks", "smeared+utc",
                       "--smearing", "0")
        check(rc == 0, "rtc-check with clocks=smeared+utc and smear=host")
    finally:
        d.cleanup()


def case_rtc_no_leap_table(build, cl):
    """A host without tzdata's leap-second table (hidden here by a tmpfs in a
    mount namespace of the daemon's own): the default device still starts,
    without its smeared clock, and says why; an explicit smeared clock is
    refused with the reason."""
    if os.geteuid() != 0 or subprocess.run(["unshare", "-m", "true"]).returncode != 0:
        raise Skip("needs root and mount namespaces (unshare -m)")
    zoneinfo = "/usr/share/zoneinfo"
    d = Daemon(build, [RTC + ",tai_offset=37"], name="noleap")
    d.args = ["unshare", "-m", "sh", "-c",
              f'mount -t tmpfs none {zoneinfo} && exec "$0" "$@"'] + d.args
    try:
        d.start(["rtc.sock"])
        check("goes without its smeared clock" in d.output(),
              "the default set without a table: the smeared clock left out, logged")
        rc, _ = cl.run("rtc-check", "--rtc", d.sock("rtc.sock"), "--clocks", "utc+tai+mono",
                       "--tai-offset", "37")
        check(rc == 0, "rtc-check: the three clocks before it are served")
    finally:
        d.cleanup()
    d = Daemon(build, [RTC + ",clocks=utc+smeared,tai_offset=37"], name="noleap2")
    d.args = ["unshare", "-m", "sh", "-c",
              f'mount -t tmpfs none {zoneinfo} && exec "$0" "$@"'] + d.args
    try:
        rc, out = run_once(d)
        check(rc != 0 and "leap-second table" in out and "serving" not in out,
              f"clocks=utc+smeared without a table refused: exit {rc}")
    finally:
        d.cleanup()


def case_rtc_phc_clock(build, cl):
    """clocks=...+phc:PATH:TYPE: a path that is not a PTP hardware clock is
    refused at start-up with the reason; /dev/ptp0, where there is one, is
    served (this machine may have none: then that part says it skipped)."""
    d = Daemon(build, [RTC + ",clocks=utc+phc:/dev/null:tai"], name="nophc")
    try:
        rc, out = run_once(d)
        check(rc != 0 and "phc /dev/null: not a PTP hardware clock" in out and
              "serving" not in out,
              f"clocks=utc+phc:/dev/null:tai refused: exit {rc}, 'not a PTP hardware clock'")
    finally:
        d.cleanup()
    if not os.path.exists("/dev/ptp0"):
        print("SKIP-PART: this machine has no /dev/ptp0 (no PTP hardware clock): "
              "serving a real PHC is not tested here")
        return
    d = Daemon(build, [RTC + ",clocks=utc+tai+mono+phc:/dev/ptp0:tai"])
    try:
        d.start(["rtc.sock"])
        check("phc /dev/ptp0: served as TAI" in d.output(), "/dev/ptp0 served as clock 3")
        rc, _ = cl.run("traffic", "--rtc", d.sock("rtc.sock"), "--seconds", "1")
        check(rc == 0, "READ traffic with a PHC as clock 3")
        check(d.stop() == 0, "daemon exits 0")
    finally:
        d.cleanup()


def case_rng_sanity(build, cl):
    d = Daemon(build, [RNG]).start(["rng.sock"])
    try:
        rc, out = cl.run("rng-check", "--rng", d.sock("rng.sock"))
        check(rc == 0, "rng-check")
        got = int(re.search(r"INFO rng bytes received (\d+)", out).group(1))
        time.sleep(1.2)
        st = d.stats("rng_vhost0")
        check(st is not None and st["bytes"] == got,
              f"daemon counted the {got} entropy bytes ({st})")
    finally:
        d.cleanup()


def case_rng_rate_limit(build, cl):
    d = Daemon(build, [RNG + ",rate=2M"]).start(["rng.sock"])
    try:
        t0 = time.time()
        rc, out = cl.run("traffic", "--rng", d.sock("rng.sock"), "--seconds", "2")
        check(rc == 0, "rng traffic under a rate limit")
        # 4 KiB buffers at 2 MB/s for 2 s, plus the 200 KB bucket: about 1030
        # at most. Fewer when the worker shares its core (sanitizers, a busy
        # machine): a bucket of 100 ms does not save up longer stalls.
        n = int(re.search(r"traffic rng completions (\d+)", out).group(1))
        check(300 <= n <= 1150, f"rate limit held: {n} buffers of 4 KiB in 2 s at 2 MB/s")
    finally:
        d.cleanup()


def process_cpu_s(pid):
    """User + system CPU seconds of every thread of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def case_rng_rate_limit_adaptive_sleeps(build, cl):
    """An adaptive worker sleeps while a rate limit holds the guest's buffers
    back on the ring (it wakes when the balance allows the next one), instead
    of spinning because buffers are there."""
    d = Daemon(build, [RNG + ",rate=100K"], extra=["--poll", "adaptive"]).start(["rng.sock"])
    try:
        cpu0 = process_cpu_s(d.proc.pid)
        rc, out = cl.run("traffic", "--rng", d.sock("rng.sock"), "--seconds", "2")
        cpu = process_cpu_s(d.proc.pid) - cpu0
        check(rc == 0, "rng traffic under a rate limit, adaptive polling")
        n = int(re.search(r"traffic rng completions (\d+)", out).group(1))
        check(n >= 5, f"buffers still served at the limit's pace ({n} in 2 s)")
        # A spinning worker would burn about 2 s of CPU here.
        check(cpu < 0.8, f"the daemon used {cpu:.2f} s of CPU in 2 s of held-back traffic")
    finally:
        d.cleanup()


def case_rng_file_source(build, cl):
    """source=file:PATH: the guest gets the file's bytes in order, then its
    buffers wait (never zeros); the end of file is one log line; the rtc
    device on the same worker keeps answering; a path that cannot be opened
    is refused at set-up, with the reason."""
    d = Daemon(build, [RTC + ",lcore=1", RNG + ",lcore=1,source=file:{dir}/entropy.bin"])
    try:
        size = 300 * 1000 + 7  # past four rings of 64 KiB, not a multiple of 4 KiB
        path = os.path.join(d.dir, "entropy.bin")
        with open(path, "wb") as f:
            f.write(os.urandom(size))
        d.start(["rtc.sock", "rng.sock"])
        rc, out = cl.run("rng-file", "--rng", d.sock("rng.sock"), "--expect", path,
                         "--rtc", d.sock("rtc.sock"))
        check(rc == 0, "rng-file: the file's bytes, then a waiting buffer, rtc unaffected")
        time.sleep(1.2)
        st = d.stats("rng_vhost0")
        check(st is not None and st["bytes"] == size,
              f"daemon counted the file's {size} bytes ({st})")
        (tel,) = telemetry(d, "/vrtc/stats,rng_vhost0")
        x = tel["/vrtc/stats"]
        check(x["rng_file_bytes_read"] == size and x["rng_file_eof"] == 1 and
              x["rng_file_read_errors"] == 0 and x["rng_file_buffered"] == 0 and
              x["rng_source_waits"] >= 1,
              "telemetry: the file's bytes read, its end, no error, nothing left, a wait "
              f"({ {k: v for k, v in x.items() if 'file' in k or 'waits' in k} })")
        eof = [l for l in d.output().splitlines() if "end of file" in l]
        check(len(eof) == 1 and path in eof[0],
              f"one end-of-file line naming the file ({eof})")
        check(d.stop() == 0, "daemon exits 0 on SIGTERM with an ended file source")
    finally:
        d.cleanup()
    d = Daemon(build, [RNG + ",source=file:{dir}/missing.bin"], name="nofile")
    try:
        rc, out = run_once(d)
        want = f"cannot read {d.dir}/missing.bin: No such file or directory"
        check(rc != 0 and want in out and "serving" not in out,
              f"source=file:D/missing.bin refused: exit {rc}, "
              f"'{want.replace(d.dir, 'D')}'")
    finally:
        d.cleanup()


def case_two_devices_one_worker(build, cl):
    d = Daemon(build, [RTC + ",lcore=1", RNG + ",lcore=1"]).start(["rtc.sock", "rng.sock"])
    try:
        rc, out = cl.run("traffic", "--rtc", d.sock("rtc.sock"), "--rng", d.sock("rng.sock"),
                         "--seconds", "2")
        check(rc == 0, "rtc and rng traffic at once")
        time.sleep(1.2)
        a, b = d.stats("rtc_vhost0"), d.stats("rng_vhost0")
        check(a and b and a["lcore"] == 1 and b["lcore"] == 1,
              "both devices served by the worker on lcore 1")
        check(a["requests"] > 100 and b["requests"] > 100, "both devices progressed")
    finally:
        d.cleanup()


def case_reconnect_20(build, cl):
    d = Daemon(build, [RTC]).start(["rtc.sock"])
    try:
        rc, _ = cl.run("reconnect", "--rtc", d.sock("rtc.sock"), "--times", "2")
        check(rc == 0, "warm-up reconnects")
        time.sleep(0.5)
        before = d.fds()
        rc, _ = cl.run("reconnect", "--rtc", d.sock("rtc.sock"), "--times", "20")
        check(rc == 0, "20 disconnects and reconnects mid-traffic")
        time.sleep(0.5)
        after = d.fds()
        check(after <= before, f"daemon fd count flat ({before} -> {after})")
        rc, _ = cl.run("rtc-check", "--rtc", d.sock("rtc.sock"))
        check(rc == 0, "daemon still healthy afterwards")
        check(d.proc.poll() is None, "daemon still running")
    finally:
        d.cleanup()


def hugepages_free():
    try:
        with open("/proc/meminfo") as f:
            info = dict(l.split(":", 1) for l in f)
        with open("/proc/mounts") as f:
            mounted = any(l.split()[2] == "hugetlbfs" for l in f)
        return int(info["HugePages_Free"]) if mounted else 0
    except (OSError, KeyError, ValueError):
        return 0


def case_memory_hotplug_under_traffic(build, cl):
    if hugepages_free() < 64:
        raise Skip("needs 64 free 2 MiB hugepages and hugetlbfs (scripts/hugepages.sh)")
    d = Daemon(build, [RTC]).start(["rtc.sock"])
    try:
        rc, out = cl.run("hotplug", "--rtc", d.sock("rtc.sock"), "--times", "10",
                         mem=("--in-memory", "--single-file-segments"))
        check(rc == 0, "front-end memory grown and shrunk 10 times under traffic")
        n = d.output().count("SET_MEM_TABLE")
        check(n >= 10, f"the daemon saw a new memory table each time ({n} SET_MEM_TABLE)")
        rc, _ = cl.run("rtc-check", "--rtc", d.sock("rtc.sock"))
        check(rc == 0 and d.proc.poll() is None, "daemon healthy afterwards")
    finally:
        d.cleanup()


def case_sigterm_under_traffic(build, cl):
    d = Daemon(build, [RTC, RNG]).start(["rtc.sock", "rng.sock"])
    try:
        c = cl.spawn("traffic", "--rtc", d.sock("rtc.sock"), "--rng", d.sock("rng.sock"),
                     "--seconds", "20")
        started = False
        for line in c.stdout:
            sys.stdout.write(line)
            if "traffic started" in line:
                started = True
                break
        check(started, "client traffic started")
        time.sleep(1)
        t0 = time.time()
        rc = d.stop(signal.SIGTERM, timeout=10)
        check(rc == 0, f"daemon stopped with SIGTERM under load, exit {rc}, "
                       f"{time.time() - t0:.2f} s")
        check(not os.path.exists(d.sock("rtc.sock")) and not os.path.exists(d.sock("rng.sock")),
              "socket files removed")
        out, _ = c.communicate(timeout=15)
        cl.forget_runtime_dir()
        sys.stdout.write(out)
        check(c.returncode in (0, 3), f"client ended cleanly (exit {c.returncode})")
    finally:
        d.cleanup()


BAD_ARGS = [
    ("rtc_vhost0", "iface"),
    ("rtc_vhost0,iface={dir}/x.sock,clocks=utc+foo", "clocks"),
    ("rtc_vhost0,iface={dir}/x.sock,clocks=utc+utc", "clocks"),
    ("rtc_vhost0,iface={dir}/x.sock,clocks=utc++tai", "clocks"),
    ("rtc_vhost0,iface={dir}/x.sock,clocks=+utc", "clocks"),
    ("rtc_vhost0,iface={dir}/x.sock,clocks=utc+", "clocks"),
    ("rtc_vhost0,iface={dir}/x.sock,clocks=", "clocks"),
    ("rtc_vhost0,iface={dir}/x.sock,clocks=smeared+smeared", "clocks"),
    ("rtc_vhost0,iface={dir}/x.sock,smear=twice", "smear"),
    ("rtc_vhost0,iface={dir}/x.sock,smear=", "smear"),
    ("rtc_vhost0,iface={dir}/x.sock,clocks=utc+phc:/dev/ptp0", "clocks"),
    ("rtc_vhost0,iface={dir}/x.sock,clocks=phc:/dev/ptp0:mono", "clocks"),
    ("rtc_vhost0,iface={dir}/x.sock,clocks=phc::tai", "clocks"),
    ("rtc_vhost0,iface={dir}/x.sock,clocks=phc:/dev/ptp0:tai+phc:/dev/ptp1:utc", "clocks"),
    ("rtc_vhost0,iface={dir}/x.sock,alarm=phc:/dev/ptp0:tai", "alarm"),
    ("rtc_vhost0,iface={dir}/x.sock,tai_offset=2000", "tai_offset"),
    ("rtc_vhost0,iface={dir}/x.sock,cross_tsc=2", "cross_tsc"),
    ("rtc_vhost0,iface={dir}/x.sock,mode=0400", "mode"),
    ("rtc_vhost0,iface={dir}/x.sock,mode=rw", "mode"),
    ("rtc_vhost0,iface={dir}/x.sock,lcore=64", "lcore"),
    ("rtc_vhost0,iface={dir}/x.sock,owner=no-such-user-here", "owner"),
    ("rtc_vhost0,iface={dir}/x.sock,reconnect=0", "reconnect"),
    ("rtc_vhost0,iface={dir}/x.sock,bogus=1", "keys"),
    ("rng_vhost0,iface={dir}/x.sock,source=dice", "source"),
    ("rng_vhost0,iface={dir}/x.sock,source=file:", "source"),
    ("rng_vhost0,iface={dir}/x.sock,rate=fast", "rate"),
    ("rng_vhost0,iface={dir}/x.sock,reseed=0", "reseed"),
    ("rng_vhost0,iface={dir}/x.sock,clocks=utc", "keys"),
]


def run_once(d, timeout=30):
    """Run a daemon that is expected to refuse to start: (exit status, output)."""
    p = subprocess.run(d.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout


def bad_args(build, spelling):
    opt = "--" + spelling
    for spec, key in BAD_ARGS:
        d = Daemon(build, [spec], name="bad", spelling=spelling)
        try:
            rc, out = run_once(d)
            lines = [l for l in out.splitlines() if "vrtc.device" in l and key in l]
            leftovers = [f for f in os.listdir(d.dir)]
            check(rc != 0 and lines and not leftovers,
                  f"{opt} {spec.format(dir='D')}: exit {rc}, error names '{key}', "
                  f"nothing created")
            # The last line gives the real reason, not rte_kvargs' -1 as an errno.
            check("rtc_vhost0: not created (Invalid argument)" in out or
                  "rng_vhost0: not created (Invalid argument)" in out,
                  f"{opt} {spec.format(dir='D')}: 'not created (Invalid argument)'")
            check("Operation not permitted" not in out, "no 'Operation not permitted'")
        finally:
            d.cleanup()
    # Two devices on one socket.
    d = Daemon(build, [RTC, "rng_vhost0,iface={dir}/rtc.sock"], name="dup", spelling=spelling)
    try:
        rc, out = run_once(d)
        check(rc != 0 and "already used" in out, f"{opt}: same iface twice refused")
    finally:
        d.cleanup()
    # The same name twice (EAL alone would keep the last --vdev and drop the first).
    d = Daemon(build, [RTC, "rtc_vhost0,iface={dir}/other.sock"], name="dupn", spelling=spelling)
    try:
        rc, out = run_once(d)
        lines = [l for l in out.splitlines() if "rtc_vhost0" in l and
                 ("twice" in l or "exists" in l)]
        check(rc != 0 and lines, f"{opt}: the same device name twice refused, exit {rc}: "
                                 f"{lines[:1]}")
        check("serving" not in out, "and nothing served")
    finally:
        d.cleanup()
    # A missing socket directory, and a file where the directory should be.
    for sub, reason in (("nodir/x.sock", "No such file or directory"),
                        ("afile/x.sock", "Not a directory")):
        d = Daemon(build, ["rtc_vhost0,iface={dir}/" + sub], name="sd", spelling=spelling)
        try:
            open(os.path.join(d.dir, "afile"), "w").close()
            rc, out = run_once(d)
            want = f"socket directory {d.dir}/{sub.split('/')[0]}: {reason}"
            check(rc != 0 and want in out and "Input/output error" not in out,
                  f"{opt} iface=D/{sub}: exit {rc}, '{want.replace(d.dir, 'D')}'")
        finally:
            d.cleanup()


def case_bad_device_args(build, cl):
    bad_args(build, "device")


def case_bad_vdev_args(build, cl):
    bad_args(build, "vdev")


def case_vdev_spelling(build, cl):
    """The EAL --vdev spelling of the devices works like --device."""
    d = Daemon(build, [RTC + ",clocks=utc+mono", RNG], spelling="vdev").start(
        ["rtc.sock", "rng.sock"])
    try:
        rc, _ = cl.run("rtc-check", "--rtc", d.sock("rtc.sock"), "--clocks", "utc+mono")
        check(rc == 0, "rtc-check against a --vdev device")
        rc, _ = cl.run("rng-check", "--rng", d.sock("rng.sock"))
        check(rc == 0, "rng-check against a --vdev device")
        check(d.stop() == 0, "daemon exits 0 on SIGTERM")
    finally:
        d.cleanup()


def case_device_and_vdev_mixed(build, cl):
    """--vdev and --device together; one name in both is refused."""
    if not CONFIG["vdev_drivers"]:
        raise Skip("the library was built without its vdev drivers (--vdev-drivers no)")
    d = Daemon(build, [RTC], spelling="vdev")
    d.args += ["--device", unsealed(RNG.format(dir=d.dir))]
    try:
        d.start(["rtc.sock", "rng.sock"])
        rc, _ = cl.run("traffic", "--rtc", d.sock("rtc.sock"), "--rng", d.sock("rng.sock"),
                       "--seconds", "1")
        check(rc == 0, "a --vdev device and a --device device served together")
    finally:
        d.cleanup()
    d = Daemon(build, [RTC], name="mx", spelling="vdev")
    d.args += ["--device", unsealed("rtc_vhost0,iface=" + d.sock("other.sock"))]
    try:
        rc, out = run_once(d)
        check(rc != 0 and "a device with this name exists" in out,
              f"the same name as --vdev and --device refused, exit {rc}")
    finally:
        d.cleanup()


def case_daemon_usage(build, cl):
    exe = os.path.join(build, "app/rtcd/dpdk-rtcd")
    eal = ["--no-huge", "-m", "64", "--no-pci", "--no-shconf", f"--file-prefix=u{os.getpid()}"]
    p = subprocess.run([exe] + eal + ["--", "--help"], capture_output=True, text=True,
                       timeout=30)
    check(p.returncode == 0 and "--stats-period" in p.stdout and "rtc_vhost" in p.stdout and
          "--device" in p.stdout and "--user" in p.stdout,
          "-- --help prints the options, exit 0")
    p = subprocess.run([exe] + eal + ["--", "--burst", "0"], capture_output=True, text=True,
                       timeout=30)
    check(p.returncode == 2 and "--burst" in p.stderr, "bad option: exit 2 naming it")
    check("EAL: Detected" not in p.stdout + p.stderr,
          "a bad daemon option is refused before EAL starts")
    p = subprocess.run([exe] + eal + ["--", "--user", "no-such-user-here"], capture_output=True,
                       text=True, timeout=30)
    check(p.returncode == 2 and "no user 'no-such-user-here'" in p.stderr,
          "--user with an unknown user: exit 2 naming it")
    p = subprocess.run([exe] + eal, capture_output=True, text=True, timeout=30)
    check(p.returncode == 2 and "no device" in p.stderr and "--device" in p.stderr,
          "no device: exit 2 with a hint")
    subprocess.run(["rm", "-rf", f"/var/run/dpdk/u{os.getpid()}"])


AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def nobody_env(tmp):
    """Environment for a process run as nobody: its own XDG_RUNTIME_DIR (EAL's
    runtime directory of a non-root user), owned by nobody."""
    os.chown(tmp, 65534, 65534)
    env = dict(os.environ, XDG_RUNTIME_DIR=tmp, HOME=tmp)
    return env


def case_help_version_without_eal(build, cl):
    """--help / --version anywhere, answered before EAL: as nobody, with EAL
    arguments that could not work for nobody (hugepages, PCI probe)."""
    if subprocess.run(["setpriv", "--version"], capture_output=True).returncode != 0:
        raise Skip("setpriv (util-linux) is missing")
    tmp = tempfile.mkdtemp(prefix="vrtc-hv-")
    try:
        env = nobody_env(tmp)
        exes = [(os.path.join(build, "app/rtcd/dpdk-rtcd"), "dpdk-rtcd", "--device"),
                (os.path.join(build, "app/test-rtc/dpdk-test-rtc"), "dpdk-test-rtc", "--socket")]
        for exe, name, opt in exes:
            for where in (["--help"], ["-h"], ["-l", "0,1", "--help"],
                          ["-l", "0,1", "--", "--help"], ["-l", "0,1", "--", "-s", "1", "-h"]):
                p = subprocess.run(AS_NOBODY + [exe] + where, capture_output=True, text=True,
                                   timeout=30, env=env)
                out = p.stdout + p.stderr
                check(p.returncode == 0 and opt in p.stdout and "EAL: Detected" not in out,
                      f"{name} {' '.join(where)} as nobody: usage, exit 0, no EAL output")
            for where in (["--version"], ["-V"], ["-l", "0,1", "--", "--version"]):
                p = subprocess.run(AS_NOBODY + [exe] + where, capture_output=True, text=True,
                                   timeout=30, env=env)
                lines = p.stdout.splitlines()
                ver = re.search(r"DPDK (\d+\.\d+(\.\d+)?)", p.stdout)
                check(p.returncode == 0 and len(lines) == 1 and lines[0].startswith(name) and
                      ver is not None and p.stdout.count("DPDK") == 1 and
                      p.stdout.count(ver.group(1)) == 1 and p.stderr == "",
                      f"{name} {' '.join(where)} as nobody: one line, the DPDK version once "
                      f"({p.stdout.strip()!r})")
        check(not os.path.exists(os.path.join(tmp, "dpdk")),
              "no EAL runtime directory was created")
    finally:
        subprocess.run(["rm", "-rf", tmp])


def case_stats_log_type(build, cl):
    """The statistics lines go through rte_log (log type rtcd.stats, level info)."""
    d = Daemon(build, [RTC]).start(["rtc.sock"])
    try:
        time.sleep(2.5)
        lines = [l for l in d.output().splitlines() if l.startswith("rtcd.stats: ")]
        check(len(lines) >= 1 and all(STATS_LINE.match(l) for l in lines),
              f"{len(lines)} statistics lines in the documented format")
    finally:
        d.cleanup()
    d = Daemon(build, [RTC], name="q")
    d.args.insert(1, "--log-level=rtcd.stats:notice")
    try:
        d.start(["rtc.sock"])
        time.sleep(2.5)
        check(d.stop() == 0, "daemon exits 0")
        out = d.output()
        check("rtcd.stats" not in out and "req/s" not in out,
              "--log-level=rtcd.stats:notice silences them")
    finally:
        d.cleanup()


def telemetry(d, *cmds):
    """Answers of the daemon's rte_telemetry socket to each command (dicts)."""
    path = os.path.join(d.runtime_dir(), "dpdk_telemetry.v2")
    deadline = time.time() + 5
    while not os.path.exists(path) and time.time() < deadline:
        time.sleep(0.05)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    try:
        s.connect(path)
        json.loads(s.recv(16384).decode())  # the greeting
        out = []
        for c in cmds:
            s.send(c.encode())
            out.append(json.loads(s.recv(65536).decode()))
        return out
    finally:
        s.close()


def kernel_clock_unsync():
    """The kernel's verdict, read here as the daemon reads it (adjtimex, modes 0)."""
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(512)  # struct timex, zeroed: modes 0
    state = libc.adjtimex(buf)
    if state < 0:
        raise Skip(f"adjtimex: errno {ctypes.get_errno()}")
    status = int.from_bytes(buf.raw[40:44], "little", signed=True)  # x86-64 layout
    return bool(status & 0x40) or state == 5  # STA_UNSYNC, TIME_ERROR


def case_telemetry_host_clock(build, cl):
    """Host clock health: /vrtc/host_clock gives adjtimex's view (the same
    unsynchronised verdict as the kernel's, read here), each call is a fresh
    check, and the daemon logs the state once at start."""
    d = Daemon(build, [RTC])
    try:
        d.start(["rtc.sock"])
        a, b, st = telemetry(d, "/vrtc/host_clock", "/vrtc/host_clock", "/vrtc/stats,rtc_vhost0")
        a, b = a["/vrtc/host_clock"], b["/vrtc/host_clock"]
        print(f"INFO /vrtc/host_clock: {a}")
        want = {"synchronised", "unsync", "state", "status", "maxerror_us", "esterror_us",
                "tai_offset_s", "offset_ns", "freq_ppb", "unsync_events", "checks"}
        check(want <= set(a), f"/vrtc/host_clock has {sorted(want - set(a))} missing")
        unsync = kernel_clock_unsync()
        check(a["unsync"] == int(unsync) and a["synchronised"] == int(not unsync),
              f"unsync {a['unsync']} as the kernel says ({int(unsync)})")
        check(bool(a["status"] & 0x40) or a["state"] == "error" or not a["unsync"],
              "unsync follows status/state")
        check(b["checks"] > a["checks"] >= 1, "each call checks again")
        check(a["unsync_events"] == int(unsync) and b["unsync_events"] == a["unsync_events"],
              f"no transition between the calls ({a['unsync_events']}, {b['unsync_events']})")
        check("/vrtc/stats" in st and st["/vrtc/stats"]["type"] == "rtc", "/vrtc/stats unchanged")
        lines = [l for l in d.output().splitlines() if "host clock:" in l]
        first = "not synchronised" if unsync else "synchronised ("
        check(len(lines) == 1 and first in lines[0],
              f"one host-clock line at start, saying '{first}' ({lines})")
    finally:
        d.cleanup()


def case_runtime_dir_removed(build, cl):
    """EAL's runtime directory goes at exit; a file the daemon did not create stays."""
    d = Daemon(build, [RTC, RNG], name="rd")
    try:
        check(not os.path.exists(d.runtime_dir()), "no runtime directory before the start")
        d.start(["rtc.sock", "rng.sock"])
        check(os.path.isdir(d.runtime_dir()), f"EAL created {d.runtime_dir()}")
        rc, _ = cl.run("rtc-check", "--rtc", d.sock("rtc.sock"))
        check(rc == 0, "served")
        check(d.stop() == 0, "daemon exits 0 on SIGTERM")
        check(not os.path.exists(d.runtime_dir()),
              f"{d.runtime_dir()} removed after a clean SIGTERM exit")
    finally:
        d.cleanup()
    # With shared config (no --no-shconf): EAL's config and hugepage_info files.
    d = Daemon(build, [RTC], name="rs")
    d.args.remove("--no-shconf")
    try:
        d.start(["rtc.sock"])
        inside = sorted(os.listdir(d.runtime_dir()))
        check(d.stop() == 0 and not os.path.exists(d.runtime_dir()),
              f"shared-config files {inside} and the directory removed")
    finally:
        d.cleanup()
    # A file somebody else put there is not ours: kept, and so is the directory.
    d = Daemon(build, [RTC], name="rf")
    try:
        os.makedirs(d.runtime_dir(), mode=0o700)
        foreign = os.path.join(d.runtime_dir(), "not-the-daemons")
        with open(foreign, "w") as f:
            f.write("keep me\n")
        d.start(["rtc.sock"])
        check(d.stop() == 0, "daemon exits 0 on SIGTERM")
        left = sorted(os.listdir(d.runtime_dir()))
        check(left == ["not-the-daemons"],
              f"a pre-existing directory keeps its foreign file, EAL's own are gone ({left})")
    finally:
        d.cleanup()


def proc_status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(l.rstrip("\n").split(":\t", 1) for l in f if ":\t" in l)


def unprivileged(st):
    """A /proc status: nobody (real, effective, saved, fs ids), no effective capability."""
    return st["Uid"].split() == ["65534"] * 4 and int(st["CapEff"], 16) == 0


def case_user_nobody(build, cl):
    """Started as root, --user nobody: after set-up it is nobody, without
    capabilities, and still serves; at exit sockets and EAL's runtime
    directory are removed."""
    d = Daemon(build, [RTC, RNG], name="nb", extra=["--user", "nobody", "--group", "nogroup"])
    try:
        os.chown(d.dir, 65534, 65534)  # the account removes its sockets at exit
        d.start(["rtc.sock", "rng.sock"])
        st = proc_status(d.proc.pid)
        check(st["Uid"].split() == ["65534"] * 4 and st["Gid"].split() == ["65534"] * 4,
              f"Uid {st['Uid']} / Gid {st['Gid']}: nobody / nogroup, real, effective, saved")
        check(st["Groups"].split() == ["65534"], f"supplementary groups {st['Groups']!r}")
        check(int(st["CapEff"], 16) == 0 and int(st["CapPrm"], 16) == 0 and
              int(st["CapBnd"], 16) == 0, f"CapEff {st['CapEff']}, CapPrm {st['CapPrm']}, "
                                        f"CapBnd {st['CapBnd']}: none")
        check(st["NoNewPrivs"] == "1", "no_new_privs set")
        tasks = os.listdir(f"/proc/{d.proc.pid}/task")
        bad = [t for t in tasks if not unprivileged(proc_status(f"{d.proc.pid}/task/{t}"))]
        check(len(tasks) > 1 and not bad,
              f"every thread ({len(tasks)}: workers, vhost, telemetry...) is nobody without "
              f"capabilities{': not ' + str(bad) if bad else ''}")
        mode = os.stat(d.sock("rtc.sock")).st_mode & 0o777
        check(mode == 0o600, f"socket mode {oct(mode)} (the default, 0600)")
        rc, _ = cl.run("rtc-check", "--rtc", d.sock("rtc.sock"))
        check(rc == 0, "rtc-check against the unprivileged daemon")
        rc, _ = cl.run("rng-check", "--rng", d.sock("rng.sock"))
        check(rc == 0, "rng-check against the unprivileged daemon")
        rc = d.stop()
        check(rc == 0, f"daemon exits 0 on SIGTERM ({rc})")
        check(not os.path.exists(d.sock("rtc.sock")) and not os.path.exists(d.sock("rng.sock")),
              "socket files removed by the unprivileged daemon")
        check(not os.path.exists(d.runtime_dir()), f"{d.runtime_dir()} removed")
        helpers = subprocess.run(["pgrep", "-f", d.prefix], capture_output=True, text=True)
        check(helpers.stdout.strip() == "", "no process of this daemon is left")
    finally:
        d.cleanup()
    # A socket directory the account cannot write: served, but the sockets
    # cannot be removed at exit, and the daemon says so.
    d = Daemon(build, [RTC], name="nr", extra=["--user", "nobody"])
    try:
        os.chmod(d.dir, 0o755)
        d.start(["rtc.sock"])
        rc, _ = cl.run("rtc-check", "--rtc", d.sock("rtc.sock"))
        check(rc == 0, "served from a root-owned socket directory")
        check(d.stop() == 0, "daemon exits 0")
        check(f"could not remove socket {d.sock('rtc.sock')} as user nobody" in d.output(),
              "the socket it could not remove is named")
    finally:
        d.cleanup()


def case_unprivileged_from_start(build, cl):
    """Run as nobody from the start (--no-huge): serves; a socket directory it
    cannot write is refused with the directory and the reason."""
    if subprocess.run(["setpriv", "--version"], capture_output=True).returncode != 0:
        raise Skip("setpriv (util-linux) is missing")
    tmp = tempfile.mkdtemp(prefix="vrtc-np-")
    try:
        env = nobody_env(tmp)
        sockdir = os.path.join(tmp, "sockets")
        os.mkdir(sockdir)
        os.chown(sockdir, 65534, 65534)
        rootdir = os.path.join(tmp, "rootdir")
        os.mkdir(rootdir, 0o755)
        exe = os.path.join(build, "app/rtcd/dpdk-rtcd")
        eal = ["-l", "0,1", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
               f"--file-prefix=np{os.getpid()}"]
        p = subprocess.run(AS_NOBODY + [exe] + eal +
                           ["--", "-s", "0", "--device", f"rtc_vhost0,iface={rootdir}/rtc.sock"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=30, env=env)
        want = f"socket directory {rootdir}: Permission denied"
        check(p.returncode != 0 and want in p.stdout and "Input/output error" not in p.stdout,
              f"unwritable socket directory: exit {p.returncode}, "
              f"'{want.replace(tmp, 'T')}'")
        check(not os.path.exists(os.path.join(tmp, "dpdk", f"np{os.getpid()}")),
              "EAL's runtime directory removed after the refusal")
        log = open(os.path.join(tmp, "log"), "w")
        proc = subprocess.Popen(AS_NOBODY + [exe] + eal +
                                ["--", "-s", "0", "--device", unsealed(f"rtc_vhost0,iface={sockdir}/rtc.sock")],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.time() + 15
            while not os.path.exists(os.path.join(sockdir, "rtc.sock")) and \
                    time.time() < deadline and proc.poll() is None:
                time.sleep(0.05)
            time.sleep(0.2)
            rc, _ = cl.run("rtc-check", "--rtc", os.path.join(sockdir, "rtc.sock"))
            check(rc == 0, "a daemon running as nobody from the start serves")
            proc.send_signal(signal.SIGTERM)
            check(proc.wait(10) == 0, "and exits 0 on SIGTERM")
            check(not os.path.exists(os.path.join(tmp, "dpdk", f"np{os.getpid()}")),
                  "its runtime directory ($XDG_RUNTIME_DIR/dpdk/PREFIX) is removed")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
    finally:
        subprocess.run(["rm", "-rf", tmp])


# The compiler and sanitizers the build used (the example must match them).
TOOLCHAIN = {"cc": "cc", "sanitize": "none"}


def build_example(build, name, out):
    """Build examples/NAME/main.c out of tree through pkg-config; returns (exe, env)."""
    src = os.path.join(os.path.dirname(__file__), f"../../examples/{name}/main.c")
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(build, "meson-uninstalled"))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libvirtio_rtc"], env=env,
                           capture_output=True, text=True, check=True).stdout.split()
    exe = os.path.join(out, name)
    san = TOOLCHAIN["sanitize"]
    if san != "none":
        flags = [f"-fsanitize={san}"] + flags
    subprocess.run([TOOLCHAIN["cc"], "-Wall", "-Wextra", "-Werror", "-o", exe, src] + flags,
                   check=True, env=env)
    check(True, f"examples/{name} builds out of tree with pkg-config")
    env["LD_LIBRARY_PATH"] = os.path.join(build, "lib/virtio_rtc/dpdk")
    return exe, env


def run_example(cl, exe, env, eal, sock, seconds=4):
    """Run an example, check its device with rtc-check; returns its output."""
    p = subprocess.Popen([exe, *eal, "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
                          f"--file-prefix=ex{os.getpid()}", "--", "--socket", sock,
                          "--seconds", str(seconds), "--allow-unsealed"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 10
    while not os.path.exists(sock) and time.time() < deadline and p.poll() is None:
        time.sleep(0.05)
    rc, _ = cl.run("rtc-check", "--rtc", sock, "--clocks", "utc+mono")
    check(rc == 0, "the example's own device answers like dpdk-rtcd's")
    outp, _ = p.communicate(timeout=20)
    check(p.returncode == 0, f"the example exits 0 ({p.returncode}):\n{outp}")
    return outp


def case_example_out_of_tree(build, cl):
    """examples/clock_service: the data path as an rte_service component."""
    out = tempfile.mkdtemp(prefix="vrtc-ex-")
    try:
        exe, env = build_example(build, "clock_service", out)
        outp = run_example(cl, exe, env, ["-l", "0,1", "-s", "0x2"], os.path.join(out, "ex.sock"))
        check("served by service" in outp and "requests" in outp,
              "clock_service ran its device from a service lcore")
    finally:
        subprocess.run(["rm", "-rf", out])


def case_example_embedded_poll(build, cl):
    """examples/embedded_poll: the poll call inside the application's own loop,
    both on one lcore (EAL -l 1: the example has no other)."""
    out = tempfile.mkdtemp(prefix="vrtc-ex-")
    try:
        exe, env = build_example(build, "embedded_poll", out)
        outp = run_example(cl, exe, env, ["-l", "1"], os.path.join(out, "ex.sock"))
        m = re.search(r"(\d+) loop iterations \(application work checksum \d+\), (\d+) "
                      r"requests served", outp)
        check(m is not None and int(m.group(1)) > 1000 and int(m.group(2)) > 1000,
              f"the application's work and the library's requests shared its one lcore ({outp.strip()})")
    finally:
        subprocess.run(["rm", "-rf", out])


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--sanitize", default="none")
    ap.add_argument("--vdev-drivers", choices=("yes", "no"), default="yes",
                    help="whether the build has the vdev drivers (EAL --vdev spelling)")
    ap.add_argument("--spelling", choices=("device", "vdev"), default="device",
                    help="how the cases without a spelling of their own give devices "
                         "(vdev: to compare with builds that predate --device)")
    ap.add_argument("case", choices=sorted(CASES))
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    TOOLCHAIN.update(cc=a.cc, sanitize=a.sanitize)
    CONFIG["vdev_drivers"] = a.vdev_drivers == "yes"
    CONFIG["spelling"] = a.spelling
    return run_case(CASES[a.case], build)


def run_case(case, build):
    """Run one case function(build, client): exit status 0, 1 or 77 (SKIP)."""
    if os.geteuid() != 0:
        print("SKIP: needs root (EAL, vhost-user sockets)")
        return SKIP
    if os.cpu_count() < 2:
        print("SKIP: needs two CPUs")
        return SKIP
    try:
        case(build, Client(build))
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
