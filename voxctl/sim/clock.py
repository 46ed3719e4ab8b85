"""Simulated time: every switch-side duration is divided by ``speed``.

A 2 s prompt takes 20 ms of real time at ``speed=100``. ``now()`` is the
simulated time since the clock started, so timelines read in call time; event
timestamps are a real wall-clock epoch advanced by simulated time, so they
still look like FreeSWITCH's (and billsec/duration agree with the timeline).
"""
from __future__ import annotations

import time

import gevent


class Clock:
    """Simulated seconds, scaled by a speed factor."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = float(speed)
        self._t0 = time.monotonic()
        self._epoch0 = time.time()

    def now(self) -> float:
        """Simulated seconds since the clock started."""
        return (time.monotonic() - self._t0) * self.speed

    def real(self, seconds: float) -> float:
        """Real seconds that ``seconds`` of simulated time take."""
        return max(0.0, seconds) / self.speed

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of simulated time (cooperatively)."""
        gevent.sleep(self.real(seconds))

    def epoch_us(self) -> int:
        """Microseconds since the Unix epoch, in simulated time."""
        return int((self._epoch0 + self.now()) * 1_000_000)
