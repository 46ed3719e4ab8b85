"""Fixtures of the simulator's tests."""
from __future__ import annotations

import pytest

from .engine import MiniEngine


@pytest.fixture
def engine_factory():
    """``engine_factory(app)`` starts a MiniEngine running ``app(session)`` per call."""
    engines: list[MiniEngine] = []

    def make(app) -> MiniEngine:
        engine = MiniEngine(app)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.stop()


@pytest.fixture
def esl(sim):
    """A greenswitch InboundESL connected to the ``sim`` fixture; ``esl.events`` collects its events."""
    from greenswitch import InboundESL

    client = InboundESL("127.0.0.1", sim.esl_port, "ClueCon")
    client.connect()
    client.events = []
    client.register_handle("*", client.events.append)
    yield client
    client.stop()
