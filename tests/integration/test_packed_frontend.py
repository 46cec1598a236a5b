#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
"""The library's front-end on packed rings against dpdk-rtcd (issue 12).

    test_packed_frontend.py --build BUILD_DIR [--sanitize S]

One daemon serves rtc_vhost0 (packed=1, alarm=utc), rng_vhost1 (packed=1) and
rtc_vhost1 (defaults: packed rings not offered). dpdk-test-rtc --packed runs
rtc-read, rtc-mix with indirect descriptors, rng and rtc-alarm against the
packed devices (every response checked by dpdk-test-rtc itself), the daemon's
log must show the queues served as packed, and --packed against rtc_vhost1
must be refused by the front-end with a message naming VIRTIO_F_RING_PACKED.
Exit status: 0 all passed, 1 a case failed, 77 skipped (a dpdk-rtcd without
the packed=1 device key).
"""

import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_hostile as th  # noqa: E402
from test_hostile import Fail, check  # noqa: E402,F401

SKIP = 77


class Daemon(th.Daemon):
    def __init__(self, build):
        super().__init__(build, rtc_args=",unsealed=1,packed=1,alarm=utc",
                         extra_devices=["rng_vhost1,iface=RNG1,unsealed=1,packed=1",
                                        "rtc_vhost1,iface=RTC1,unsealed=1"])
        self.args = [a.replace("RNG1", self.sock("rng1")).replace("RTC1", self.sock("rtc1"))
                     for a in self.args]


def test_rtc(build, n, *opts):
    """dpdk-test-rtc run @p n; returns (exit status, output)."""
    exe = os.path.join(build, "app/test-rtc/dpdk-test-rtc")
    prefix = f"pfe{os.getpid()}n{n}"
    args = [exe, "-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
            f"--file-prefix={prefix}", "--log-level=*:warning", "--", "-q"] + list(opts)
    try:
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=60, preexec_fn=th.die_with_parent)
    finally:
        subprocess.run(["rm", "-rf", f"/var/run/dpdk/{prefix}"])
    return p.returncode, p.stdout


def counted(out, test):
    m = re.search(rf"^{test}: (\d+) (requests|alarms)", out, re.M)
    return int(m.group(1)) if m else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--sanitize", default="none")
    a = ap.parse_args()

    build = os.path.abspath(a.build)
    if th.DEVICE_SWITCH == "auto":
        th.DEVICE_SWITCH = th.detect_device_switch(build)
    d = Daemon(build)
    try:
        d.start()
    except th.Fail as e:
        # Only a daemon whose device keys do not include packed is skipped.
        keys = re.search(r"unknown key or bad syntax; keys: ([a-z_, ]+)", str(e))
        if keys and "packed" not in keys.group(1).split(", "):
            print("SKIP: this dpdk-rtcd has no packed=1 device key (keys: "
                  f"{keys.group(1).strip()})")
            return SKIP
        print(f"FAIL: {e}")
        return 1

    rtc, rng1, rtc1 = d.sock("rtc"), d.sock("rng1"), d.sock("rtc1")
    cases = [
        ("rtc-read", ["-s", rtc, "-t", "rtc-read", "-r", "200000", "-w", "0.2", "--packed"]),
        ("rtc-mix", ["-s", rtc, "-t", "rtc-mix", "-r", "100000", "-w", "0.2", "-i", "1",
                     "--packed"]),
        ("rng", ["-s", rng1, "-t", "rng", "-S", "4096", "-r", "20000", "-w", "0.2",
                 "--packed"]),
        ("rtc-alarm", ["-s", rtc, "-t", "rtc-alarm", "-T", "2", "--packed"]),
    ]
    passed = failed = 0
    try:
        for n, (test, opts) in enumerate(cases):
            rc, out = test_rtc(build, n, *opts)
            try:
                check(rc == 0, f"exited {rc}:\n{out[-2000:]}")
                check("packed ring" in out, "the run did not say it used packed rings")
                check(re.search(r"^\s+errors\s+0\b", out, re.M), "errors reported")
                if test == "rtc-alarm":
                    check(counted(out, test) >= 5, "fewer than 5 alarms in 2 s (a floor, not a rate)")
                    for what in ("missed", "duplicated", "early"):
                        f = re.search(rf"^\s+{what}\s+(\d+)", out, re.M)
                        check(f and f.group(1) == "0", f"{what}: {f.group(1) if f else '?'}")
                else:
                    check(counted(out, test) > 0, "nothing counted")
                print(f"ok   {test} --packed: {counted(out, test)} counted")
                passed += 1
            except Fail as e:
                print(f"FAIL {test} --packed: {e}")
                failed += 1

        # A back-end without packed rings: refused, and said so.
        rc, out = test_rtc(build, len(cases), "-s", rtc1, "-t", "rtc-read", "-r", "1000",
                           "--packed")
        if rc != 0 and "does not offer VIRTIO_F_RING_PACKED" in out:
            print("ok   --packed on a device without packed rings: refused")
            passed += 1
        else:
            print(f"FAIL --packed on a device without packed rings: exit {rc}:\n{out[-2000:]}")
            failed += 1

        # The daemon served them as packed rings.
        log = d.output()
        for dev in ("rtc_vhost0", "rng_vhost1"):
            if re.search(rf"{dev}: serving queue 0 \(packed", log):
                print(f"ok   {dev} served its queue as a packed ring")
                passed += 1
            else:
                print(f"FAIL {dev}: no 'serving queue 0 (packed' in the daemon's log")
                failed += 1
        if not d.alive():
            print("FAIL the daemon died")
            failed += 1
    finally:
        d.cleanup()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
