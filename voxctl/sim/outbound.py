"""The ``socket`` application: the simulator dials the engine for a call, as the
dialplan's ``socket 127.0.0.1:8084 async full`` does, and serves the outbound
ESL session (``connect``, ``myevents``, ``linger``, ``sendmsg``, ``getvar``, ...).

At the hangup a lingering socket gets the linger notice after
CHANNEL_HANGUP_COMPLETE and stays open (for ever, or ``linger N`` seconds);
without linger the ``disconnect`` notice follows CHANNEL_HANGUP at once and the
socket closes (fact 8). After a transfer the first socket stays open and keeps
receiving the channel's events (fact 10).
"""
from __future__ import annotations

import logging
import socket

import gevent
import gevent.socket
from gevent.event import Event as Flag

from .args import split_args
from .channel import Channel
from .connection import MYEVENTS, Connection, message_from
from .protocol import (
    Command,
    command_reply,
    connect_reply,
    disconnect_notice,
    linger_notice,
)

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0
# the socket app parks the channel once the client sent its first sendmsg/api (or after this
# many real seconds): the CHANNEL_PARK of traces 02-16 follows the first sendmsg's reply
SETTLE_TIMEOUT = 0.05
SETTLING_COMMANDS = frozenset({"sendmsg", "api", "bgapi", "exit"})


class OutboundSession(Connection):
    """The switch's side of one outbound socket, bound to one channel."""

    def __init__(self, channel: Channel, sock, label: str) -> None:
        super().__init__(channel.sim, sock, label)
        self.channel = channel
        self.connected = Flag()
        self.settled = Flag()
        self.linger: int | None = None
        self.resume = False

    def handle(self, cmd: Command) -> None:
        super().handle(cmd)
        if cmd.verb in SETTLING_COMMANDS:
            self.settled.set()

    def cmd_connect(self, cmd: Command) -> None:
        self.send(connect_reply(self.channel.connect_data()))
        self.connected.set()

    def cmd_myevents(self, cmd: Command) -> None:
        words = cmd.arg.split()
        if words and words[0].lower() in ("plain", "json"):
            self.fmt = words[0].lower()
        self.only_uuid = self.channel.uuid
        self._subscribe(sorted(MYEVENTS))
        self.send(command_reply("+OK Events Enabled"))

    def cmd_event(self, cmd: Command) -> None:
        self.only_uuid = self.channel.uuid
        super().cmd_event(cmd)

    def cmd_linger(self, cmd: Command) -> None:
        self.linger = int(cmd.arg) if cmd.arg.strip().lstrip("-").isdigit() else -1
        self.send(command_reply("+OK will linger"))

    def cmd_nolinger(self, cmd: Command) -> None:
        self.linger = None
        self.send(command_reply("+OK will not linger"))

    def cmd_resume(self, cmd: Command) -> None:
        self.resume = True
        self.send(command_reply("+OK"))

    def cmd_getvar(self, cmd: Command) -> None:
        self.send(command_reply(self.channel.variables.get(cmd.arg.strip(), "")))

    def cmd_sendmsg(self, cmd: Command) -> None:
        if cmd.arg and cmd.arg != self.channel.uuid:
            self.sendmsg_to(cmd.arg, cmd)
            return
        self.send(command_reply("+OK"))  # on a lingering socket whose channel is gone: nothing else (06b)
        if self.channel.is_up:
            self.channel.queue(message_from(cmd))

    def say_goodbye(self) -> None:
        self.send(disconnect_notice(self.channel.uuid))
        self.close()

    # -- channel life ------------------------------------------------------------------
    def channel_hung_up(self, ch: Channel) -> None:
        """Right after CHANNEL_HANGUP: without linger the socket says goodbye now."""
        if self.linger is None and not self.closed:
            self.say_goodbye()

    def channel_complete(self, ch: Channel) -> None:
        """After CHANNEL_HANGUP_COMPLETE: the linger notice; ``linger N`` closes N s later."""
        if self.linger is None or self.closed:
            return
        self.send(linger_notice(ch.uuid, ch.name, self.linger))
        if self.linger >= 0:
            gevent.spawn_later(self.linger, self.say_goodbye)

    def client_gone(self) -> None:
        """The engine closed the socket: the listener clears CF_CONTROLLED, so the socket app's
        park ends and the channel goes on with whatever follows it (the dialplan's next
        action, or a bridge's group confirmation); a dialplan with nothing left hangs up."""
        ch = self.channel
        if ch in self.sim.channels.values() and ch.is_up and all(s.closed or s is self for s in ch.sessions):
            log.info("sim %s: socket closed by the engine, the socket application returns", ch.uuid)
            ch.socket_released = True
            ch.wake()
        if self in ch.sessions:
            ch.sessions.remove(self)
        self.sim.session_detached(ch)


def connect(host: str, port: int) -> gevent.socket.socket:
    """A TCP connection to ``host:port``; an IP address is dialled directly (``create_connection``
    would resolve even a literal address through gevent's resolver thread pool)."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        sock = gevent.socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(CONNECT_TIMEOUT)
        try:
            sock.connect((host, port))
        except OSError:
            sock.close()
            raise
        return sock
    return gevent.socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)


def socket_app(ch: Channel, arg: str) -> str:
    """``socket <host:port> [async] [full]``: connect to the engine and park under its control."""
    words = split_args(arg)
    host, _, port = (words[0] if words else "").rpartition(":")
    try:
        sock = connect(host or "127.0.0.1", int(port))
    except (OSError, ValueError) as exc:
        log.warning("sim %s: socket %s failed: %s", ch.uuid, arg, exc)
        return ch.last_response
    sock.settimeout(None)
    ch.variables["socket_host"] = host or "127.0.0.1"
    again = bool(ch.sessions)  # after a transfer the park precedes the new connection (trace 08)
    if again:
        ch.fire("CHANNEL_PARK")
    session = OutboundSession(ch, sock, f"outbound-{ch.uuid[:8]}")
    ch.sessions.append(session)
    ch.sim.connection_opened(session)
    ch.sim.spawn(session.serve)
    session.connected.wait(timeout=CONNECT_TIMEOUT)
    if not again:
        session.settled.wait(timeout=SETTLE_TIMEOUT)
    ch.park(announce=not again)
    return ch.last_response
