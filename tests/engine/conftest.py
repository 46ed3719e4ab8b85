"""Engine test helpers: an outbound server on an ephemeral port, calls replayed into it."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.engine.replay import Replay
from voxctl.config import Settings
from voxctl.engine.channel import Channel
from voxctl.engine.server import OutboundServer


@pytest.fixture
def outbound():
    """``outbound(handler, max_calls=..., linger=...)`` -> a started ``OutboundServer``."""
    servers: list[OutboundServer] = []

    def start(handler: Callable[[Channel], None], *, max_calls: int = 10, **options: Any) -> OutboundServer:
        settings = Settings(outbound_host="127.0.0.1", outbound_port=0, max_calls=max_calls)
        server = OutboundServer(settings, handler, end_timeout=2.0, **options)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop(grace=0)


class Call:
    """One replayed call: what the script returned or raised, and the replay."""

    def __init__(self, replay: Replay) -> None:
        self.replay = replay
        self.result: Any = None
        self.error: BaseException | None = None
        self.channel: Channel | None = None


@pytest.fixture
def replay_call(outbound):
    """``replay_call(trace, sock, script, **options)``: run ``script(channel)`` against a recording."""

    def run(trace: str, sock: str, script: Callable[[Channel], Any], *, linger: bool = True,
            _replay: Replay | None = None, **replay_options: Any) -> Call:
        call = Call(_replay or Replay(trace, sock, **replay_options))

        def handler(channel: Channel) -> None:
            call.channel = channel
            try:
                call.result = script(channel)
            except BaseException as exc:
                call.error = exc
                raise

        server = outbound(handler, linger=linger)
        call.replay.dial(server.port)
        call.replay.wait()
        server.stop(grace=2)
        assert server.active_calls == 0
        return call

    return run
