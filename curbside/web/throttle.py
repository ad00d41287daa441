"""Throttling of failed sign-ins: a sliding window of failures per key (an account name, a
client address), kept in this process's memory, or, when several server processes share a
PostgreSQL store, in that store (so the limits hold for all of them together).

An attempt is counted when it starts, before the password is checked, so parallel requests
cannot slip past the limit; a successful attempt is taken back afterwards."""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

MAX_KEY_CHARS = 100  # keys are names and addresses; longer ones are cut
MAX_KEYS = 10_000  # the oldest keys are forgotten beyond this, so memory stays bounded


class SlidingWindowLimiter:
    """At most `limit` counted attempts per key in any `window_seconds`."""

    def __init__(self, limit: int, window_seconds: float,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS) -> None:
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
        else:
            self._hits.move_to_end(key)
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def retry_after(self, key: str) -> int:
        """Seconds until the key may try again; 0 when it may now."""
        key = key[:MAX_KEY_CHARS]
        with self._lock:
            now = self.clock()
            hits = self._recent(key, now)
            return self._wait(hits, now)

    def _wait(self, hits: deque[float], now: float) -> int:
        return _wait(hits, now, self.limit, self.window)

    def hit(self, key: str) -> tuple[float | None, int]:
        """Count an attempt: (its stamp, 0) when allowed, (None, seconds to wait) when the key
        is over its limit (then nothing is counted)."""
        key = key[:MAX_KEY_CHARS]
        with self._lock:
            now = self.clock()
            hits = self._recent(key, now)
            wait = self._wait(hits, now)
            if wait:
                return None, wait
            hits.append(now)
            return now, 0

    def count(self, key: str) -> int:
        key = key[:MAX_KEY_CHARS]
        with self._lock:
            return len(self._recent(key, self.clock()))

    def forget(self, key: str, stamp: float | None = None) -> None:
        """Take back one counted attempt (by its stamp), or all of the key's."""
        key = key[:MAX_KEY_CHARS]
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                return
            if stamp is None:
                hits.clear()
            else:
                with contextlib.suppress(ValueError):
                    hits.remove(stamp)
            if not hits:
                del self._hits[key]


def _wait(hits: Sequence[float], now: float, limit: int, window: float) -> int:
    """Seconds until the oldest of the last `limit` hits leaves the window (0: none)."""
    if len(hits) < limit:
        return 0
    return max(1, math.ceil(hits[-limit] + window - now))


class Limiter(Protocol):
    limit: int

    def retry_after(self, key: str) -> int: ...
    def hit(self, key: str) -> tuple[float | None, int]: ...
    def count(self, key: str) -> int: ...
    def forget(self, key: str, stamp: float | None = None) -> None: ...


class AttemptLog(Protocol):
    """Where attempts are kept for several processes (the PostgreSQL editorial store)."""

    def transaction(self) -> AbstractContextManager[None]: ...
    def attempts(self, kind: str, key: str, since: float) -> list[float]: ...
    def add_attempt(self, kind: str, key: str, at: float) -> None: ...
    def remove_attempts(self, kind: str, key: str, at: float | None) -> None: ...
    def prune_attempts(self, before: float) -> None: ...


class SharedWindowLimiter:
    """`SlidingWindowLimiter` over a shared log, on the Unix clock all processes share; a
    hit checks and counts in one transaction, so processes cannot slip past the limit
    together."""

    def __init__(self, log: AttemptLog, kind: str, limit: int, window_seconds: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.log, self.kind = log, kind
        self.limit = limit
        self.window = window_seconds
        self.clock = clock

    def retry_after(self, key: str) -> int:
        now = self.clock()
        hits = self.log.attempts(self.kind, key[:MAX_KEY_CHARS], now - self.window)
        return _wait(hits, now, self.limit, self.window)

    def hit(self, key: str) -> tuple[float | None, int]:
        key = key[:MAX_KEY_CHARS]
        with self.log.transaction():
            now = self.clock()
            self.log.prune_attempts(now - self.window)  # nothing older is ever read
            wait = _wait(self.log.attempts(self.kind, key, now - self.window), now,
                         self.limit, self.window)
            if wait:
                return None, wait
            self.log.add_attempt(self.kind, key, now)
            return now, 0

    def count(self, key: str) -> int:
        return len(self.log.attempts(self.kind, key[:MAX_KEY_CHARS],
                                     self.clock() - self.window))

    def forget(self, key: str, stamp: float | None = None) -> None:
        self.log.remove_attempts(self.kind, key[:MAX_KEY_CHARS], stamp)


class LoginThrottle:
    """Failed sign-ins per account name and per client address (in `shared`, when given:
    then every server process using it counts together)."""

    def __init__(self, per_account: int, per_address: int, window_seconds: float,
                 clock: Callable[[], float] = time.monotonic,
                 shared: AttemptLog | None = None) -> None:
        self.accounts: Limiter
        self.addresses: Limiter
        if shared is None:
            self.accounts = SlidingWindowLimiter(per_account, window_seconds, clock)
            self.addresses = SlidingWindowLimiter(per_address, window_seconds, clock)
        else:
            self.accounts = SharedWindowLimiter(shared, "account", per_account, window_seconds)
            self.addresses = SharedWindowLimiter(shared, "address", per_address,
                                                 window_seconds)
        self.window_seconds = window_seconds

    def begin(self, account: str, address: str) -> tuple[tuple[float, float] | None, int]:
        """Count a sign-in attempt: (its stamps, 0), or (None, seconds to wait) when the
        account or the address is locked; then nothing is counted and no password should be
        checked."""
        wait = max(self.accounts.retry_after(account), self.addresses.retry_after(address))
        if wait:
            return None, wait
        account_stamp, wait = self.accounts.hit(account)
        if account_stamp is None:
            return None, wait
        address_stamp, wait = self.addresses.hit(address)
        if address_stamp is None:
            self.accounts.forget(account, account_stamp)
            return None, wait
        return (account_stamp, address_stamp), 0

    def succeeded(self, account: str, address: str, stamps: tuple[float, float]) -> None:
        """A right password: the account starts afresh, the address loses this attempt."""
        self.accounts.forget(account)
        self.addresses.forget(address, stamps[1])

    def locked_now(self, account: str, address: str) -> bool:
        """Whether the account or the address has just reached its limit."""
        return (self.accounts.count(account) >= self.accounts.limit
                or self.addresses.count(address) >= self.addresses.limit)
