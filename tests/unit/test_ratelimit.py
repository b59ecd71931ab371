"""The rate limit's arithmetic, on a clock the test moves: a burst of `limit`, then one request per 60/limit s."""

from __future__ import annotations

import pytest

from scorecast.serving.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_the_limit_then_one_request_per_interval(tmp_path):
    clock = Clock()
    limiter = RateLimiter(6, tmp_path / "rl.sqlite3", clock=clock)  # 6 a minute: one per 10 s
    assert [limiter.hit("a") for _ in range(6)] == [0.0] * 6
    assert limiter.hit("a") == pytest.approx(10.0)  # the 7th waits for the first slot to refill
    assert limiter.hit("b") == 0.0  # clients are counted apart
    clock.now += 9.9
    assert limiter.hit("a") == pytest.approx(0.1)
    clock.now += 0.1
    assert limiter.hit("a") == 0.0
    assert limiter.hit("a") == pytest.approx(10.0)
    clock.now += 60
    assert [limiter.hit("a") for _ in range(6)] == [0.0] * 6  # a quiet minute restores the whole burst


def test_workers_share_one_count(tmp_path):
    clock = Clock()
    first, second = (RateLimiter(2, tmp_path / "rl.sqlite3", clock=clock) for _ in range(2))
    assert (first.hit("a"), second.hit("a")) == (0.0, 0.0)
    assert first.hit("a") > 0 and second.hit("a") > 0
