"""``OutboundServer``: where FreeSWITCH's ``socket`` application connects, one greenlet per call.

A gevent ``StreamServer`` (no polling accept loop) hands each connection to a
bounded pool of ``settings.max_calls`` call greenlets. A call over capacity is
refused cleanly (``connect``, then ``hangup SWITCH_CONGESTION``) by a small
separate pool, so refusals never take a call's slot. Each call runs the handler
inside its own exception boundary: a crash is logged with the call's uuid and
the channel is still handed back; no other call notices.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import gevent
import gevent.socket
from gevent.pool import Group, Pool
from gevent.server import StreamServer

from voxctl.config import Settings
from voxctl.engine.channel import Channel, ChannelError, ChannelHungUp

log = logging.getLogger(__name__)

CallHandler = Callable[[Channel], None]

REFUSAL_CAUSE = "SWITCH_CONGESTION"
SHUTDOWN_CAUSE = "SYSTEM_SHUTDOWN"
REFUSAL_SLOTS = 32  # concurrent refusals


class OutboundServer:
    """Accepts outbound-socket connections and runs ``handler(channel)`` for each call."""

    def __init__(self, settings: Settings, handler: CallHandler, *, linger: bool = True,
                 end_timeout: float = 5.0) -> None:
        self.settings = settings
        self._handler = handler
        self._linger = linger
        self._end_timeout = end_timeout
        self._calls = Pool(settings.max_calls)
        self._refusals = Pool(REFUSAL_SLOTS)
        self._channels: set[Channel] = set()
        self._server = StreamServer((settings.outbound_host, settings.outbound_port),
                                    self._accept, spawn=self._spawn)
        self._server.full = self._full  # the accept loop checks it before taking a connection

    @property
    def port(self) -> int:
        """The bound port (useful with ``outbound_port = 0``)."""
        return self._server.server_port

    @property
    def active_calls(self) -> int:
        return len(self._calls)

    def start(self) -> None:
        """Bind and start accepting; returns at once."""
        self._server.start()
        log.info("outbound socket server on %s:%s (max %d calls)",
                 self.settings.outbound_host, self.port, self.settings.max_calls)

    def stop(self, grace: float | None = None) -> None:
        """Stop accepting, let running calls finish for ``grace`` seconds, then hang them up."""
        grace = self.settings.shutdown_grace if grace is None else grace
        self._server.close()
        self._calls.join(timeout=grace)
        if self._channels:
            log.info("hanging up %d call(s) still running after %.1f s", len(self._channels), grace)
            hangups = Group()
            for channel in list(self._channels):
                hangups.spawn(_hangup_quietly, channel, SHUTDOWN_CAUSE)
            hangups.join(timeout=self._end_timeout)
        self._calls.join(timeout=self._end_timeout)
        self._calls.kill(timeout=1)
        self._refusals.kill(timeout=1)

    def _spawn(self, func: Callable[..., Any], *args: Any) -> gevent.Greenlet:
        """Put the connection in the call pool, or in the refusal pool when that is full.

        This runs in the accept callback, which must not block: while both pools are
        full the server stops accepting (``_full``) and the switch's connections wait in
        the listen backlog; the end of any call or refusal starts accepting again.
        """
        pool = self._refusals if self._calls.full() else self._calls
        greenlet = pool.spawn(func, *args)
        greenlet.rawlink(self._slot_freed)  # after the pool's own link: the slot is free by then
        return greenlet

    def _full(self) -> bool:
        return self._calls.full() and self._refusals.full()

    def _slot_freed(self, _greenlet: gevent.Greenlet) -> None:
        if self._server.started:
            self._server.start_accepting()

    def _accept(self, sock: gevent.socket.socket, address: Any) -> None:
        if gevent.getcurrent() in self._calls:
            self._run_call(sock)
        else:
            self._refuse(sock)

    def _channel(self, sock: gevent.socket.socket) -> Channel:
        return Channel(sock, linger=self._linger, end_timeout=self._end_timeout)

    def _run_call(self, sock: gevent.socket.socket) -> None:
        channel = self._channel(sock)
        self._channels.add(channel)
        try:
            channel.connect()
            self._handler(channel)
        except ChannelHungUp as exc:
            channel.log.info("call ended while the handler ran: %s", exc.cause or "hung up")
        except Exception:
            channel.log.exception("call handler failed")
        finally:
            self._channels.discard(channel)
            channel.close()

    def _refuse(self, sock: gevent.socket.socket) -> None:
        channel = self._channel(sock)
        try:
            channel.connect()
            channel.log.warning("refused: %d calls already running", self.settings.max_calls)
            channel.hangup(REFUSAL_CAUSE)
        except ChannelError as exc:
            channel.log.info("refusal cut short: %s", exc)
        finally:
            channel.close()


def _hangup_quietly(channel: Channel, cause: str) -> None:
    try:
        channel.hangup(cause)
    except ChannelError as exc:
        channel.log.debug("shutdown hangup: %s", exc)
