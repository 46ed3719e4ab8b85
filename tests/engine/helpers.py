"""Small readers over a simulated call's timeline and the stored record."""
from __future__ import annotations

from collections.abc import Callable

import gevent

from voxctl.sim.channel import Channel
from voxctl.sim.simulator import Call


def wav(seconds: int) -> bytes:
    """``seconds`` of 8 kHz 16-bit mono silence as a WAV file."""
    size = 16000 * seconds
    return (b"RIFF" + (36 + size).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
            + (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + (8000).to_bytes(4, "little")
            + (16000).to_bytes(4, "little") + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
            + b"data" + size.to_bytes(4, "little") + bytes(size))


WAV = wav(1)


def entries(call: Call, kind: str) -> list:
    return [e for e in call.timeline if e.kind == kind]


def hangup_cause(call: Call) -> str:
    return entries(call, "hangup")[-1].detail["cause"]


def wait_until(predicate, timeout: float = 5.0, what: str = "condition") -> None:
    """Cooperatively wait for ``predicate()`` (tests only)."""
    with gevent.Timeout(timeout, AssertionError(f"{what} not reached")):
        while not predicate():
            gevent.sleep(0.005)


def hang_up_when(call: Call, condition: Callable[[Call], object], what: str) -> Call:
    """The caller hangs up once ``condition(call)`` holds: on what it heard, not at a guessed time."""
    wait_until(lambda: condition(call), 10, what)
    call.channel.hangup("NORMAL_CLEARING")
    return call


def bridged(call: Call) -> Channel:
    """``call``'s channel once its bridge is up: the caller acts on that event, not at a guessed time."""
    wait_until(lambda: entries(call, "bridge"), 10, "the bridge")
    return call.channel
