# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
"""What the case-by-case socket tests (test_alarm.py, test_packed.py) share.

A registry of cases, the per-case context (devices opened, notes), the
checks of what the machine must offer, and the runner: one daemon for as
many cases as pass, a fresh one after a case that fails or a daemon that
died, a time limit per case, the daemon's log tail on a failure.
"""

import os
import re
import signal
import time

import test_hostile as th
from test_hostile import Fail, check, on_alarm  # noqa: F401 (one Fail for every suite)
from vhu import Closed, Timeout

SKIP = 77
SANITIZER_RE = re.compile(r"ERROR: AddressSanitizer: ([\w-]+)|runtime error: ([^\n]{0,80})")


class Ctx:
    """One case's context: what it opened (closed after it) and its notes."""

    def __init__(self, daemon):
        self.d = daemon
        self.opened = []
        self.notes = []

    def note(self, s):
        self.notes.append(s)

    def cleanup(self):
        for a in reversed(self.opened):
            try:
                a.close()
            except Exception:
                pass
        self.opened = []


def registry(cases):
    """A @case(desc) or @case(group, desc) decorator filling @p cases."""
    def case(*args):
        group, desc = args if len(args) == 2 else (None, args[0])

        def reg(fn):
            cases[fn.__name__] = {"group": group, "desc": desc, "fn": fn}
            return fn
        return reg
    return case


def skip_reason():
    """Why this machine cannot run the socket tests, or None."""
    if os.geteuid() != 0:
        return "needs root (EAL, vhost-user sockets)"
    if os.cpu_count() < 2:
        return "needs two CPUs"
    if not hasattr(os, "eventfd") or not hasattr(os, "memfd_create"):
        return "needs Python 3.10+ (os.eventfd, os.memfd_create)"
    return None


def run(cases, names, new_daemon, new_ctx, case_seconds, log_lines,
        errors=(Closed, Timeout, OSError), sanitizer=False):
    """Run @p names of @p cases, print a PASS/FAIL line each and a total.

    new_daemon(): a started daemon (may probe and restart it); new_ctx(d):
    the case's context. errors: the exceptions that fail a case as
    "unexpected"; sanitizer: a sanitizer report in the daemon's log fails
    the case too. @return the exit status (0, or 1 when a case failed).
    """
    def on_term(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGALRM, on_alarm)
    d = None
    fails = 0
    try:
        for n in names:
            if d is None or not d.alive():
                if d is not None:
                    d.cleanup()
                d = new_daemon()
            ctx = new_ctx(d)
            t0 = time.monotonic()
            err = None
            signal.alarm(case_seconds)
            try:
                cases[n]["fn"](ctx)
            except Fail as e:
                err = str(e)
            except errors as e:
                err = f"unexpected {type(e).__name__}: {e}"
            except th.CaseTimeout:
                err = f"did not finish within {case_seconds} s"
            finally:
                signal.alarm(0)
                ctx.cleanup()
            if err is None and not d.alive():
                err = f"daemon died (exit {d.proc.returncode})"
            if err is None and sanitizer:
                san = SANITIZER_RE.search(d.output())
                if san:
                    err = "sanitizer: " + (san.group(1) or san.group(2))
            dt = time.monotonic() - t0
            detail = err if err else "; ".join(ctx.notes)
            print(f"{'FAIL' if err else 'PASS'} {n} ({dt:.1f} s): {cases[n]['desc']}"
                  f"{' -- ' + detail if detail else ''}", flush=True)
            if err:
                fails += 1
                for line in d.output().splitlines()[-log_lines:]:
                    print(f"    | {line}")
                # A fresh daemon for the next case: no state left over.
                d.cleanup()
                d = None
    finally:
        if d is not None:
            d.cleanup()
    print(f"{len(names)} cases, {fails} failed")
    return 1 if fails else 0
