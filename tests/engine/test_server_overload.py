"""``OutboundServer`` with every call slot and every refusal slot taken: new connections wait.

The switch's next connection must stay in the listen backlog until a slot frees (then
it is served), not be dropped by an accept callback that tried to block.
"""
from __future__ import annotations

import socket

import pytest

from voxctl.engine.server import REFUSAL_SLOTS


def _silent_switch(port: int) -> socket.socket:
    """A connection that reads the engine's ``connect`` and never answers (its slot stays taken)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    assert sock.recv(64).startswith(b"connect")
    return sock


def test_connections_beyond_every_slot_wait_in_the_backlog_then_are_served(outbound):
    server = outbound(lambda channel: None, max_calls=1)
    silent = [_silent_switch(server.port) for _ in range(1 + REFUSAL_SLOTS)]  # the call, then the refusals
    waiting = socket.create_connection(("127.0.0.1", server.port), timeout=0.5)
    try:
        with pytest.raises(TimeoutError):
            waiting.recv(64)  # not accepted yet, and not closed either
        silent[0].close()  # the call's switch goes away: its slot frees
        waiting.settimeout(5)
        assert waiting.recv(64).startswith(b"connect")
    finally:
        waiting.close()
        for sock in silent:
            sock.close()
