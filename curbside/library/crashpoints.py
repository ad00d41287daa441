"""Named points in the library's write path where the crash tests kill the process.

A test sets `CURBSIDE_TEST_CRASH_AT=STEP` (or `STEP:N`, the Nth time the step is reached) in a
child process's environment; reaching that step sends the process SIGKILL, so the real write
path runs up to the chosen instant and stops there as a `kill -9` would stop it. Unset (always,
outside the tests), each point costs one environment lookup.
"""

from __future__ import annotations

import os
import signal

CRASH_AT = "CURBSIDE_TEST_CRASH_AT"
_reached: dict[str, int] = {}


def crash_point(step: str) -> None:
    wanted = os.environ.get(CRASH_AT)
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name != step:
        return
    _reached[step] = _reached.get(step, 0) + 1
    if _reached[step] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
