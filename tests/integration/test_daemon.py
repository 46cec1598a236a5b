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
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77

# Set from the command line: whether the build has the rtc_vhost / rng_vhost
# vdev drivers (EAL --vdev spelling).
CONFIG = {"vdev_drivers": True}


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)
    print(f"PASS {what}")


class Daemon:
    """One dpdk-rtcd process with a private socket directory."""

    def __init__(self, build, devices, lcores="0,1", extra=(), name="d", spelling="device"):
        """devices: argument strings ('rtc_vhost0,iface={dir}/rtc.sock'), given
        as --device SPEC (spelling "device") or EAL --vdev SPEC ("vdev")."""
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
        """Last statistics line of a device: dict of totals."""
        lines = [l for l in self.output().splitlines() if l.startswith(dev + ":")]
        if not lines:
            return None
        m = re.search(r"total (\d+) req (\d+) B errors (\d+) unsupported (\d+) "
                      r"bad_chains (\d+) broken_queues (\d+) irqs (\d+) lcore (-?\d+)",
                      lines[-1])
        keys = ("requests", "bytes", "errors", "unsupported", "bad_chains", "broken", "irqs",
                "lcore")
        return dict(zip(keys, map(int, m.groups()))) if m else None

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

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc is not None:
            self.log.close()
        subprocess.run(["rm", "-rf", self.dir])


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
        p = subprocess.run(args, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=timeout)
        sys.stdout.write(p.stdout)
        return p.returncode, p.stdout

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
    ("rtc_vhost0,iface={dir}/x.sock,tai_offset=2000", "tai_offset"),
    ("rtc_vhost0,iface={dir}/x.sock,cross_tsc=2", "cross_tsc"),
    ("rtc_vhost0,iface={dir}/x.sock,mode=0400", "mode"),
    ("rtc_vhost0,iface={dir}/x.sock,mode=rw", "mode"),
    ("rtc_vhost0,iface={dir}/x.sock,lcore=64", "lcore"),
    ("rtc_vhost0,iface={dir}/x.sock,owner=no-such-user-here", "owner"),
    ("rtc_vhost0,iface={dir}/x.sock,reconnect=0", "reconnect"),
    ("rtc_vhost0,iface={dir}/x.sock,bogus=1", "keys"),
    ("rng_vhost0,iface={dir}/x.sock,source=dice", "source"),
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
    d.args += ["--device", RNG.format(dir=d.dir)]
    try:
        d.start(["rtc.sock", "rng.sock"])
        rc, _ = cl.run("traffic", "--rtc", d.sock("rtc.sock"), "--rng", d.sock("rng.sock"),
                       "--seconds", "1")
        check(rc == 0, "a --vdev device and a --device device served together")
    finally:
        d.cleanup()
    d = Daemon(build, [RTC], name="mx", spelling="vdev")
    d.args += ["--device", "rtc_vhost0,iface=" + d.sock("other.sock")]
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
    check(p.returncode == 0 and "--stats-period" in p.stdout and "rtc_vhost" in p.stdout,
          "-- --help prints the options, exit 0")
    p = subprocess.run([exe] + eal + ["--", "--burst", "0"], capture_output=True, text=True,
                       timeout=30)
    check(p.returncode == 2 and "--burst" in p.stderr, "bad option: exit 2 naming it")
    p = subprocess.run([exe] + eal, capture_output=True, text=True, timeout=30)
    check(p.returncode == 2 and "no device" in p.stderr, "no device: exit 2 with a hint")


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
                          "--seconds", str(seconds)], env=env, stdout=subprocess.PIPE,
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
    ap.add_argument("case", choices=sorted(CASES))
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    TOOLCHAIN.update(cc=a.cc, sanitize=a.sanitize)
    CONFIG["vdev_drivers"] = a.vdev_drivers == "yes"
    if os.geteuid() != 0:
        print("SKIP: needs root (EAL, vhost-user sockets)")
        return SKIP
    if os.cpu_count() < 2:
        print("SKIP: needs two CPUs")
        return SKIP
    try:
        CASES[a.case](build, Client(build))
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
