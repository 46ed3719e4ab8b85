"""Placing simulated calls at a steady rate and timing each one's setup, in the simulator's process.

``Load`` replaces the simulator's ``socket`` application by one that notes the moment
the switch connects to the application's socket, and listens to the call's timeline
for its first media command (speak, play, tone, silence or a conference join): the
difference is the call's setup latency, on this process's monotonic clock.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import gevent
from gevent.event import Event

from voxctl.sim import CallScript, Simulator
from voxctl.sim.channel import Channel
from voxctl.sim.outbound import socket_app
from voxctl.sim.simulator import Call
from voxctl.sim.timeline import TimelineEntry

MEDIA_KINDS = frozenset({"speak", "play", "tone", "silence", "conference_join"})


@dataclass
class Placed:
    """One call placed by ``Load`` and the two moments of its setup (``time.perf_counter``)."""

    call: Call
    connected: float | None = None
    media: float | None = None
    held: Event = field(default_factory=Event)  # set at the first media command

    @property
    def setup(self) -> float | None:
        """Seconds from the socket connect to the first media command; None if either is missing."""
        return None if self.connected is None or self.media is None else self.media - self.connected

    def heard_first(self, expected: list[str], cause: str = "NORMAL_CLEARING") -> bool:
        """The call is over, first heard ``expected`` (in order) and ended with ``cause``."""
        return self.call.done.is_set() and self.call.heard()[:len(expected)] == expected and \
            self.call.hangup_cause == cause


@dataclass
class Batch:
    """Calls placed at ``rate`` per second; ``offered`` is the rate actually achieved."""

    rate: float
    placed: list[Placed]
    seconds: float

    @property
    def offered(self) -> float:
        n = len(self.placed)
        return rate_of(n - 1, self.seconds) if n > 1 else self.rate


def rate_of(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


class Load:
    """Places calls on ``sim`` and times their setup (see the module docstring)."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self._placed: dict[str, Placed] = {}
        sim.apps["socket"] = self._socket

    def _socket(self, ch: Channel, arg: str) -> str:
        placed = self._placed.get(ch.uuid)
        if placed is not None and placed.connected is None:
            placed.connected = time.perf_counter()
            ch.timeline.listeners.append(lambda entry: self._heard(placed, entry))
        return socket_app(ch, arg)

    @staticmethod
    def _heard(placed: Placed, entry: TimelineEntry) -> None:
        if placed.media is None and entry.kind in MEDIA_KINDS:
            placed.media = time.perf_counter()
            placed.held.set()

    def place(self, script: CallScript) -> Placed:
        """Place one call now (its socket app has not run yet when ``place_call`` returns)."""
        call = self.sim.place_call(script)
        placed = self._placed[call.uuid] = Placed(call)
        call.done.rawlink(lambda _: self._placed.pop(call.uuid, None))
        return placed

    def run(self, script: Callable[[int], CallScript], rate: float, count: int) -> Batch:
        """Place ``count`` calls, the i-th ``script(i)``, at ``rate`` per second on a fixed schedule."""
        start = time.perf_counter()
        placed = []
        for i in range(count):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                gevent.sleep(delay)
            placed.append(self.place(script(i)))
        return Batch(rate, placed, time.perf_counter() - start)


def wait_all(events: list[Event], timeout: float) -> int:
    """Wait until every event is set or ``timeout`` seconds passed; how many are still unset."""
    deadline = time.monotonic() + timeout
    for event in events:
        if not event.wait(max(0.0, deadline - time.monotonic())):
            break
    return sum(1 for event in events if not event.is_set())
