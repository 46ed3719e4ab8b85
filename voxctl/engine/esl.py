"""ESL framing and parsing, and greenswitch's connections with their wrong parts replaced.

greenswitch (0.0.19) handles the socket protocol, the reply queue and the
inbound/outbound handshakes; :class:`EslProtocolFixes` overrides the parts that
misread what a real FreeSWITCH sends (see shared/esl-traces/README.md):

* ``receive_events``/``handle_event``: greenswitch url-decodes a whole header
  block *before* splitting it into lines (a ``%0A`` in a value becomes a line
  break, ``%3A%20`` a new header), strips it, treats JSON events as header lines,
  never reads the body of a ``text/disconnect-notice`` and loops forever when the
  socket closes in the middle of a body. Here every message is framed by its
  ``Content-Length``, plain events are decoded value by value, JSON events are
  decoded as JSON, event bodies (``BACKGROUND_JOB``) are kept, and the end of the
  stream fails the commands still waiting for a reply.
* ``process_events``: greenswitch polls its queue with a 1 s timeout and drops
  what is still queued when the socket closes. Here the dispatcher blocks on the
  queue and stops at an end marker the reader queues after the last message,
  so every event is delivered and stopping costs nothing. Handlers registered
  for an event's name (or ``CUSTOM`` subclass, or ``DISCONNECT``) run first, then
  those registered for ``"*"`` (greenswitch calls ``"*"`` only as a fallback).
* ``send``: greenswitch's ``sock.send`` may write part of a message, and two
  greenlets can interleave between queueing the reply slot and writing. Here a
  lock covers both and the whole message is written (``sendall``).
* ``start_event_handlers``: also turns Nagle off: commands and replies are small
  and a command can be pipelined behind another (an ``api`` while a ``sendmsg``
  awaits its reply), which Nagle plus delayed ACKs would hold for 40 ms.
* ``stop``: says ``exit`` (bounded in time), reads to the end of the stream, and
  closes the socket without waiting on the 1 s poll.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import IO, Any
from urllib.parse import unquote

import gevent
import gevent.socket
from gevent.event import AsyncResult
from gevent.lock import Semaphore
from greenswitch.esl import (
    InboundESL,
    NotConnectedError,
    OutboundSession,
    OutboundSessionHasGoneAway,
)

log = logging.getLogger(__name__)

PLAIN_EVENT = "text/event-plain"
JSON_EVENT = "text/event-json"
DISCONNECT_NOTICE = "text/disconnect-notice"
REPLY_TYPES = ("command/reply", "api/response")

_END = object()  # queued by the reader after the last message


class EslMessage:
    """One ESL message: its outer ``Content-Type``, its (event) headers and its body.

    For events, ``headers`` are the outer headers updated with the event's own
    (decoded) headers and ``body`` is the event body (the output of a
    ``BACKGROUND_JOB``); for ``api/response`` and notices ``body`` is the
    message body. ``data`` is what greenswitch callers read: the ``Reply-Text``
    of a command reply, the body otherwise.
    """

    __slots__ = ("body", "content_type", "headers")

    def __init__(self, content_type: str, headers: dict[str, str], body: str = "") -> None:
        self.content_type = content_type
        self.headers = headers
        self.body = body

    @property
    def data(self) -> str:
        if self.content_type == "command/reply":
            return self.headers.get("Reply-Text", "")
        return self.body

    @property
    def name(self) -> str:
        """The event name (``Event-Name``), empty for replies and notices."""
        return self.headers.get("Event-Name", "")

    def __repr__(self) -> str:
        return f"EslMessage({self.content_type!r}, {self.name or self.data[:40]!r})"


def parse_header_block(block: str) -> dict[str, str]:
    """``Name: value`` lines into a dict; values that FreeSWITCH url-encodes are decoded.

    A serialized event (it carries ``Event-Name``: plain event bodies and the
    outbound ``connect`` reply) has every value url-encoded; other header blocks
    (command replies, notices) are plain text and are left as they are.
    """
    headers: dict[str, str] = {}
    last = ""
    for line in block.split("\n"):
        line = line.rstrip("\r")
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep and last:
            headers[last] += "\n" + line  # a continuation line
            continue
        headers[name] = value.removeprefix(" ")
        last = name
    if "Event-Name" in headers and "%" in block:
        # most values have nothing encoded: skipping unquote for them saves ~25% of the parse (bench/)
        headers = {name: unquote(value) if "%" in value else value for name, value in headers.items()}
    return headers


def parse_message(head: str, body: bytes) -> EslMessage:
    """Build a message from its outer header block and its ``Content-Length`` body."""
    outer = parse_header_block(head)
    content_type = outer.get("Content-Type", "")
    if content_type == PLAIN_EVENT:
        inner_block, _, rest = body.partition(b"\n\n")
        inner = parse_header_block(inner_block.decode("utf-8"))
        length = int(inner.get("Content-Length", 0))
        return EslMessage(content_type, {**outer, **inner}, rest[:length].decode("utf-8"))
    if content_type == JSON_EVENT:
        fields: dict[str, Any] = json.loads(body.decode("utf-8"))
        event_body = fields.pop("_body", "")
        headers = {**outer, **{k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}}
        return EslMessage(content_type, headers, event_body)
    return EslMessage(content_type, outer, body.decode("utf-8"))


def read_message(stream: IO[bytes]) -> EslMessage | None:
    """Read one message from ``stream``; ``None`` at the end of the stream.

    Raises ``EOFError`` when the stream ends inside a message.
    """
    lines: list[bytes] = []
    while True:
        line = stream.readline()
        if not line:
            if lines:
                raise EOFError("connection closed inside a message header")
            return None
        if line in (b"\n", b"\r\n"):
            if lines:
                break
            continue  # blank lines between messages
        lines.append(line)
    head = b"".join(lines).decode("utf-8")
    length = int(parse_header_block(head).get("Content-Length", 0) or 0)
    body = stream.read(length) if length else b""
    if len(body) < length:
        raise EOFError("connection closed inside a message body")
    return parse_message(head, body)


class EslProtocolFixes:
    """Mixin placed before a greenswitch connection class; see the module docstring."""

    sock: gevent.socket.socket
    sock_file: IO[bytes]
    connected: bool
    event_handlers: dict[str, list[Callable[[EslMessage], None]]]
    _commands_sent: list[AsyncResult]
    _esl_event_queue: gevent.queue.Queue
    _auth_request_event: gevent.event.Event
    _receive_events_greenlet: gevent.Greenlet | None
    _process_events_greenlet: gevent.Greenlet | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._send_lock = Semaphore()
        self.log: logging.Logger | logging.LoggerAdapter = log  # owners bind their call/switch logger
        super().__init__(*args, **kwargs)

    @property
    def reader(self) -> gevent.Greenlet | None:
        """The greenlet reading the socket: it ends when the stream does."""
        return self._receive_events_greenlet

    def start_event_handlers(self) -> None:
        self.sock.setsockopt(gevent.socket.IPPROTO_TCP, gevent.socket.TCP_NODELAY, 1)
        super().start_event_handlers()

    def receive_events(self) -> None:
        try:
            while True:
                message = read_message(self.sock_file)
                if message is None:
                    break
                self.handle_event(message)
        except (OSError, EOFError, ValueError) as exc:
            self.log.debug("ESL connection ended: %s", exc)
        finally:
            self.connected = False
            self._auth_request_event.set()
            pending, self._commands_sent[:] = list(self._commands_sent), []
            for result in pending:
                if not result.ready():
                    result.set_exception(NotConnectedError("connection closed"))
            self._esl_event_queue.put(_END)

    def handle_event(self, message: EslMessage) -> None:
        content_type = message.content_type
        if content_type == "auth/request":
            self._auth_request_event.set()
        elif content_type in REPLY_TYPES:
            if self._commands_sent:
                self._commands_sent.pop(0).set(message)
            else:
                self.log.warning("ESL reply with no command waiting: %r", message)
        elif content_type == "text/rude-rejection":
            self.connected = False
            self._auth_request_event.set()
        else:
            if content_type == DISCONNECT_NOTICE:
                if message.headers.get("Content-Disposition") == "linger":
                    self._lingering = True
                else:
                    self.connected = False
            self._esl_event_queue.put(message)

    def process_events(self) -> None:
        while True:
            message = self._esl_event_queue.get()
            if message is _END:
                return
            for handler in self._handlers_for(message):
                self._safe_exec_handler(handler, message)

    def _handlers_for(self, message: EslMessage) -> list[Callable[[EslMessage], None]]:
        if message.content_type == DISCONNECT_NOTICE:
            key = "DISCONNECT"
        elif message.name == "CUSTOM":
            key = message.headers.get("Event-Subclass", "")
        else:
            key = message.name
        return [*self.event_handlers.get(key, ()), *self.event_handlers.get("*", ())]

    def send(self, data: str) -> EslMessage:
        """Send one command (``data`` without its terminating blank line); wait for its reply."""
        result = AsyncResult()
        with self._send_lock:
            if not self.connected:
                raise NotConnectedError("not connected")
            self._commands_sent.append(result)
            try:
                self.sock.sendall((data + "\n\n").encode("utf-8"))
            except OSError as exc:
                self._commands_sent.remove(result)
                self.connected = False
                raise NotConnectedError(str(exc)) from exc
        return result.get()

    def stop(self, timeout: float = 2.0) -> None:
        """Say ``exit`` (if still connected), read to the end of the stream, close the socket."""
        if self.connected:
            with gevent.Timeout(timeout, False):
                try:
                    self.send("exit")
                except (NotConnectedError, OutboundSessionHasGoneAway) as exc:  # the switch went first
                    self.log.debug("exit not acknowledged: %s", exc)
        reader, dispatcher = self._receive_events_greenlet, self._process_events_greenlet
        if reader is not None:
            reader.join(timeout)  # the switch closes the socket after "+OK bye"
        try:
            self.sock.shutdown(gevent.socket.SHUT_RDWR)  # wakes a reader still blocked
        except OSError:
            pass
        for greenlet in (reader, dispatcher):
            if greenlet is not None:
                greenlet.join(timeout)
                greenlet.kill(block=False)
        self.sock_file.close()
        self.sock.close()


class OutboundConnection(EslProtocolFixes, OutboundSession):
    """The socket FreeSWITCH's ``socket`` application opened for one channel."""

    def __init__(self, sock: gevent.socket.socket, address: Any = None) -> None:
        super().__init__(address, sock)
        # greenswitch's app-name matching and its root-logger hangup message serve
        # call_command(), which voxctl does not use; its DISCONNECT handler stays.
        self.unregister_handle("*", self.on_event)
        self.unregister_handle("CHANNEL_HANGUP", self.on_hangup)


class InboundConnection(EslProtocolFixes, InboundESL):
    """voxctl's connection to the switch's event socket (``auth`` with a password)."""
