#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
"""Print the DPDK version (YEAR.MONTH.MINOR) a driver SDK directory belongs to.

Used by meson.build to refuse driver SDK headers of another DPDK. Looks, in
this order, for
  DIR/VERSION          written by scripts/fetch-dpdk-driver-sdk.sh, and the
                       top of every DPDK source tree ("24.11.0", "24.11.0-rc1")
  DIR/.version         the Debian package version an older fetch script wrote
  DIR/rte_build_config.h   the include directory of an installed DPDK
Exit status 1 with one line on stderr when none tells.
"""
import re
import sys
from pathlib import Path


def upstream(text: str) -> str:
    """'1:24.11.8-0+deb13u1' or '24.11.0-rc1' -> '24.11.8' / '24.11.0'."""
    v = text.strip().split(":")[-1]
    m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", v)
    if not m:
        return ""
    return f"{int(m.group(1))}.{int(m.group(2)):02d}.{int(m.group(3) or 0)}"


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: dpdk-sdk-version.py DIR", file=sys.stderr)
        return 2
    d = Path(sys.argv[1])
    for name in ("VERSION", ".version"):
        f = d / name
        if f.is_file():
            v = upstream(f.read_text())
            if v:
                print(v)
                return 0
            print(f"{f}: not a DPDK version", file=sys.stderr)
            return 1
    f = d / "rte_build_config.h"
    if f.is_file():
        defs = dict(re.findall(r"^#define RTE_VER_(YEAR|MONTH|MINOR) (\d+)", f.read_text(), re.M))
        if len(defs) == 3:
            print(f"{int(defs['YEAR'])}.{int(defs['MONTH']):02d}.{int(defs['MINOR'])}")
            return 0
    print(f"no VERSION file and no rte_build_config.h in {d}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
