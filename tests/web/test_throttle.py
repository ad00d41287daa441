"""The sign-in throttle's sliding window, on a clock the test moves."""

from __future__ import annotations

from curbside.web.throttle import LoginThrottle, SlidingWindowLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_window_slides() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(3, 60, clock)
    for _ in range(3):
        stamp, wait = limiter.hit("dr-a")
        assert stamp is not None and wait == 0
        clock.now += 10
    # Over the limit: refused, not counted, told to wait until the oldest attempt leaves.
    assert limiter.hit("dr-a") == (None, 30)
    assert limiter.count("dr-a") == 3
    assert limiter.retry_after("dr-b") == 0
    clock.now += 30
    assert limiter.retry_after("dr-a") == 0
    stamp, _ = limiter.hit("dr-a")
    limiter.forget("dr-a", stamp)
    assert limiter.count("dr-a") == 2


def test_keys_are_bounded() -> None:
    limiter = SlidingWindowLimiter(1, 60, Clock(), max_keys=100)
    for n in range(1000):
        limiter.hit(f"name-{n}" + "x" * 500)
    assert len(limiter._hits) == 100


def test_success_clears_the_account_and_keeps_the_address_failures() -> None:
    clock = Clock()
    throttle = LoginThrottle(per_account=2, per_address=3, window_seconds=900, clock=clock)
    assert throttle.begin("dr-a", "192.0.2.1")[0] is not None  # a failure
    stamps, _ = throttle.begin("dr-a", "192.0.2.1")
    assert stamps is not None and throttle.locked_now("dr-a", "192.0.2.1")
    throttle.succeeded("dr-a", "192.0.2.1", stamps)
    assert throttle.accounts.count("dr-a") == 0 and throttle.addresses.count("192.0.2.1") == 1
    # The address reaches its limit over several names; then every name is refused from it.
    assert throttle.begin("dr-b", "192.0.2.1")[0] is not None
    assert throttle.begin("dr-c", "192.0.2.1")[0] is not None
    stamps, wait = throttle.begin("dr-d", "192.0.2.1")
    assert stamps is None and wait > 0 and throttle.accounts.count("dr-d") == 0
    assert throttle.begin("dr-d", "192.0.2.2")[0] is not None
