#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
"""libvirtio_rtc exports exactly what version.map lists, with its versions.

usage: check_symbols.py VERSION_MAP LIBRARY HEADER...
Checks that
  - every name of the map is a defined dynamic symbol of LIBRARY, with the
    version of its node (VRTC_<n> or EXPERIMENTAL);
  - LIBRARY defines no other global symbol;
  - the soname is libvirtio_rtc.so.<n> for the stable node VRTC_<n>;
  - every EXPERIMENTAL function is documented "@warning experimental" in
    one of the HEADERs.
"""
import re
import subprocess
import sys


def parse_map(path):
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    nodes = {}
    for node, body in re.findall(r"(\w+)\s*\{(.*?)\}\s*\w*\s*;", text, flags=re.S):
        body = re.sub(r"local:\s*\*\s*;", "", body)
        body = body.replace("global:", "")
        nodes[node] = [n.strip() for n in body.split(";") if n.strip()]
    return nodes


def main() -> int:
    vmap, lib, headers = sys.argv[1], sys.argv[2], sys.argv[3:]
    nodes = parse_map(vmap)
    errors = []
    stable = [n for n in nodes if re.fullmatch(r"VRTC_\d+", n)]
    if len(stable) != 1 or set(nodes) - set(stable) - {"EXPERIMENTAL"}:
        errors.append(f"nodes {sorted(nodes)}: expected one VRTC_<n> and EXPERIMENTAL")
    out = subprocess.run(["readelf", "-W", "--dyn-syms", "-d", lib], capture_output=True,
                         text=True, check=True).stdout
    exported = {}
    for m in re.finditer(r"^\s*\d+:\s+\S+\s+\d+\s+(\w+)\s+(GLOBAL|WEAK)\s+\w+\s+(\S+)\s+(\S+)$",
                         out, flags=re.M):
        kind, ndx, name = m.group(1), m.group(3), m.group(4)
        if ndx == "UND" or ndx == "ABS" and name.split("@")[0] in nodes:
            continue
        sym, _, ver = name.partition("@@")
        exported[sym] = ver
    for node, names in nodes.items():
        for n in names:
            if n not in exported:
                errors.append(f"{n} ({node}) is not exported")
            elif exported[n] != node:
                errors.append(f"{n} has version {exported[n]}, map says {node}")
    listed = {n for names in nodes.values() for n in names}
    for sym in sorted(set(exported) - listed):
        errors.append(f"{sym} is exported but not in {vmap}")
    soname = re.search(r"\(SONAME\)\s+Library soname: \[(\S+)\]", out)
    if stable and (soname is None or soname.group(1) != f"libvirtio_rtc.so.{stable[0][5:]}"):
        errors.append(f"soname {soname.group(1) if soname else None} does not match {stable[0]}")
    text = "".join(open(h).read() for h in headers)
    for n in nodes.get("EXPERIMENTAL", []):
        m = re.search(r"/\*\*((?:(?!\*/).)*)\*/\s*[^;{]*\b" + re.escape(n) + r"\s*\(", text, re.S)
        if m is None or "@warning experimental" not in m.group(1):
            errors.append(f"{n} is EXPERIMENTAL but its doxygen lacks '@warning experimental'")
    for e in errors:
        print("FAIL:", e)
    if not errors:
        print(f"ok: {len(listed)} symbols, nodes {', '.join(nodes)}, soname {soname.group(1)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
