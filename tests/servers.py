"""Servers the tests start as users do: a real process on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(command: list[str], log: Path, ready_url: str,
            env: Mapping[str, str] | None = None, tries: int = 300) -> Iterator[None]:
    """Start the command, its output in a log file (a full pipe would block a server), wait
    until ready_url answers 200 (a bounded number of tries), and stop it afterwards."""
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        for _ in range(tries):
            if process.poll() is not None:
                raise RuntimeError(f"{command[2]} exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{command[2]} did not answer: {log.read_text()[-2000:]}")
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)
