#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
"""dpdk-pmdinfo.py lists our four vdev drivers in libvirtio_rtc with their keys.

usage: test_pmdinfo.py PMDINFO_TOOL LIBRARY
Exit 0 on success, 1 on a mismatch, 77 (skipped) when the tool cannot run
here (python3-pyelftools missing).
"""
import json
import re
import subprocess
import sys

# Every key each driver's probe accepts (drivers/vdev/*/..._vdev.c), in order.
COMMON = ["iface", "client", "reconnect", "owner", "group", "mode", "lcore", "unsealed", "packed"]
EXPECTED = {
    "rtc_vhost": COMMON + ["clocks", "tai_offset", "smear", "alarm", "cross_tsc"],
    "rng_vhost": COMMON + ["source", "rate", "reseed"],
    "rtc_virtio_user": ["path", "queue_size", "queues", "indirect", "event_idx",
                        "connect_timeout_ms", "alarm", "packed"],
    "rng_virtio_user": ["path", "queue_size", "indirect", "event_idx", "connect_timeout_ms",
                        "packed"],
}


def main() -> int:
    tool, lib = sys.argv[1], sys.argv[2]
    proc = subprocess.run([tool, lib], capture_output=True, text=True,
                          check=False)
    if "No module named 'elftools'" in proc.stderr:
        print("skipped: dpdk-pmdinfo.py needs python3-pyelftools")
        return 77
    if proc.returncode != 0:
        print(f"FAIL: {tool} {lib}: exit {proc.returncode}: {proc.stderr.strip()}")
        return 1
    drivers = {d["name"]: d for d in json.loads(proc.stdout)}
    ok = True
    for name, keys in EXPECTED.items():
        d = drivers.get(name)
        if d is None:
            print(f"FAIL: {name} not listed (listed: {', '.join(sorted(drivers)) or 'none'})")
            ok = False
            continue
        params = d.get("params", "")
        got = re.findall(r"(?:^| )([a-z_]+)=<", params)
        if got != keys:
            print(f"FAIL: {name}: params keys {got}, expected {keys}")
            ok = False
        else:
            print(f"ok: {name}: {params}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
