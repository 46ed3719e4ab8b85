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
  stream fails the commands still waiting for a reply. Event headers are looked up
  and decoded when a handler reads them (:class:`EventHeaders`), and the socket is
  read through :class:`SocketStream`, which holds no buffer while a call is idle.
* ``process_events``: greenswitch polls its queue with a 1 s timeout and drops
  what is still queued when the socket closes. Here the dispatcher blocks on the
  queue and stops at an end marker the reader queues after the last message,
  so every event is delivered and stopping costs nothing. Handlers registered
  for an event's name (or ``CUSTOM`` subclass, or ``DISCONNECT``) run first, then
  those registered for ``"*"`` (greenswitch calls ``"*"`` only as a fallback).
* ``send``: greenswitch's ``sock.send`` may write part of a message, and two
  greenlets can interleave between queueing the reply slot and writing. Here a
  lock covers both and the whole message is written (``sendall``).
* ``start_event_handlers``: a connection whose handlers never block
  (``dispatch_inline``: the outbound one) runs them on the reader greenlet, with no
  dispatcher greenlet and queue. It also turns Nagle off: commands and replies are small
  and a command can be pipelined behind another (an ``api`` while a ``sendmsg``
  awaits its reply), which Nagle plus delayed ACKs would hold for 40 ms.
* ``stop``: says ``exit`` (bounded in time), reads to the end of the stream, and
  closes the socket without waiting on the 1 s poll.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
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


class EventHeaders(Mapping[str, str]):
    """The headers of a serialized event, found and url-decoded only when read.

    An event carries a hundred-odd url-encoded ``Name: value`` lines and its
    handlers read two or three of them: splitting and decoding them all up front
    was most of the engine's CPU per call (bench/). A read looks the line up in the
    block (FreeSWITCH writes every header as ``Name: value``, and the encoding
    leaves no line break inside a value); iterating splits the whole block once.
    ``base`` holds headers the block's own override (the outer ``Content-Length``
    and ``Content-Type`` of an event message). A read-only mapping: ``dict(headers)``,
    ``{**headers}`` and ``.items()`` give decoded values too.
    """

    __slots__ = ("_base", "_block", "_lines")

    def __init__(self, block: str, base: Mapping[str, str] | None = None) -> None:
        self._block = "\n" + block.strip("\n")  # every line, the first too, starts after a "\n"
        self._base = base or {}
        self._lines: dict[str, str] | None = None

    def _raw(self, name: str) -> str | None:
        if self._lines is not None:  # split already (iterated): a dict lookup
            return self._lines.get(name)
        block = self._block
        start = block.rfind(f"\n{name}: ")  # the last one wins, as in a dict
        if start < 0:
            return self._base.get(name)
        start += len(name) + 3
        end = block.find("\n", start)
        return (block[start:] if end < 0 else block[start:end]).removesuffix("\r")

    def __getitem__(self, name: str) -> str:
        value = self._raw(name)
        if value is None:
            raise KeyError(name)
        return unquote(value) if "%" in value else value

    def get(self, name: str, default: Any = None) -> Any:
        value = self._raw(name)
        if value is None:
            return default
        return unquote(value) if "%" in value else value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._raw(name) is not None

    def _all(self) -> dict[str, str]:
        if self._lines is None:
            self._lines = {**self._base, **_parse_lines(self._block)}
        return self._lines

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"EventHeaders({dict(self)!r})"


class EslMessage:
    """One ESL message: its outer ``Content-Type``, its (event) headers and its body.

    For events, ``headers`` are the outer headers updated with the event's own
    (decoded) headers and ``body`` is the event body (the output of a
    ``BACKGROUND_JOB``); for ``api/response`` and notices ``body`` is the
    message body. ``data`` is what greenswitch callers read: the ``Reply-Text``
    of a command reply, the body otherwise.
    """

    __slots__ = ("body", "content_type", "headers")

    def __init__(self, content_type: str, headers: Mapping[str, str], body: str = "") -> None:
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


def parse_header_block(block: str, base: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """``Name: value`` lines into a mapping; values that FreeSWITCH url-encodes are decoded.

    A serialized event (it carries ``Event-Name``: plain event bodies and the
    outbound ``connect`` reply) has every value url-encoded: it becomes an
    :class:`EventHeaders` (over ``base``), looked up and decoded on read. Other
    header blocks (command replies, notices) are plain text and are left as they are.
    """
    if block.startswith("Event-Name: ") or "\nEvent-Name: " in block:
        return EventHeaders(block, base)
    return {**(base or {}), **_parse_lines(block)}


def _parse_lines(block: str) -> dict[str, str]:
    """The general case of ``parse_header_block``: continuation lines join the value above."""
    headers: dict[str, str] = {}
    last = ""
    for line in block.split("\n"):
        line = line.rstrip("\r")
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep and last:
            headers[last] += "\n" + line
            continue
        headers[name] = value.removeprefix(" ")
        last = name
    return headers


def parse_message(outer: Mapping[str, str], body: bytes) -> EslMessage:
    """Build a message from its (parsed) outer headers and its ``Content-Length`` body."""
    content_type = outer.get("Content-Type", "")
    if content_type == PLAIN_EVENT:
        inner_block, _, rest = body.partition(b"\n\n")
        headers = parse_header_block(inner_block.decode("utf-8"), outer)
        length = int(headers.get("Content-Length", 0))
        return EslMessage(content_type, headers, rest[:length].decode("utf-8") if length else "")
    if content_type == JSON_EVENT:
        fields: dict[str, Any] = json.loads(body.decode("utf-8"))
        event_body = fields.pop("_body", "")
        headers = {**outer, **{k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}}
        return EslMessage(content_type, headers, event_body)
    return EslMessage(content_type, outer, body.decode("utf-8"))


def read_message(stream: IO[bytes] | SocketStream) -> EslMessage | None:
    """Read one message from ``stream``; ``None`` at the end of the stream.

    Raises ``EOFError`` when the stream ends inside a message.
    """
    head = stream.read_head() if isinstance(stream, SocketStream) else _read_head(stream)
    if not head:
        return None
    outer = parse_header_block(head.decode("utf-8"))
    length = int(outer.get("Content-Length", 0) or 0)
    body = stream.read(length) if length else b""
    if len(body) < length:
        raise EOFError("connection closed inside a message body")
    return parse_message(outer, body)


def _read_head(stream: IO[bytes]) -> bytes:
    """The next header block, line by line; ``b""`` at the end of the stream."""
    lines: list[bytes] = []
    while True:
        line = stream.readline()
        if not line:
            if lines:
                raise EOFError("connection closed inside a message header")
            return b""
        if line in (b"\n", b"\r\n"):
            if lines:
                return b"".join(lines)
            continue  # blank lines between messages
        lines.append(line)


class SocketStream:
    """Header blocks and bodies read from a socket, holding no buffer between messages.

    A held call's socket is idle for minutes; ``socket.makefile``'s reader keeps an
    8 KB buffer for each one all that time. Here only bytes received and not read
    yet are kept (between messages: none).
    """

    __slots__ = ("_buf", "_pos", "_sock")

    RECV_BYTES = 16384

    def __init__(self, sock: gevent.socket.socket) -> None:
        self._sock = sock
        self._buf = b""
        self._pos = 0

    def _fill(self) -> bool:
        """Receive more; false at the end of the stream."""
        chunk = self._sock.recv(self.RECV_BYTES)
        if not chunk:
            return False
        self._buf = self._buf[self._pos:] + chunk if self._pos < len(self._buf) else chunk
        self._pos = 0
        return True

    def _take(self, end: int) -> bytes:
        data = self._buf[self._pos:end]
        if end >= len(self._buf):
            self._buf, self._pos = b"", 0
        else:
            self._pos = end
        return data

    def read_head(self) -> bytes:
        """The next header block up to its blank line (one search, not a call per line: a
        ``connect`` reply has a hundred lines); ``b""`` at the end of the stream."""
        while True:
            buf = self._buf
            while self._pos < len(buf) and buf[self._pos] in b"\r\n":  # blank lines between messages
                self._pos += 1
            end = buf.find(b"\n\n", self._pos)
            if end >= 0:
                return self._take(end + 2)
            if not self._fill():
                if self._take(len(self._buf)).strip():
                    raise EOFError("connection closed inside a message header")
                return b""

    def read(self, size: int) -> bytes:
        """``size`` bytes, fewer only at the end of the stream."""
        while len(self._buf) - self._pos < size:
            if not self._fill():
                break
        return self._take(min(self._pos + size, len(self._buf)))

    def close(self) -> None:
        self._buf, self._pos = b"", 0


class EslProtocolFixes:
    """Mixin placed before a greenswitch connection class; see the module docstring."""

    sock: gevent.socket.socket
    sock_file: IO[bytes] | SocketStream
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

    dispatch_inline = False  # run handlers on the reader greenlet (no dispatcher greenlet)

    def start_event_handlers(self) -> None:
        self.sock.setsockopt(gevent.socket.IPPROTO_TCP, gevent.socket.TCP_NODELAY, 1)
        self.sock_file.close()  # greenswitch's buffered file: its 8 KB buffer lives as long as the call
        self.sock_file = SocketStream(self.sock)
        self._receive_events_greenlet = gevent.spawn(self.receive_events)
        if not self.dispatch_inline:
            self._process_events_greenlet = gevent.spawn(self.process_events)

    def receive_events(self) -> None:
        try:
            while self._receive_one():
                pass
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

    def _receive_one(self) -> bool:
        """Read and handle one message; false at the end of the stream. (Its own frame, so the
        message is not kept alive while the reader waits for the next one.)"""
        message = read_message(self.sock_file)
        if message is None:
            return False
        self.handle_event(message)
        return True

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
            if self.dispatch_inline:
                self._dispatch(message)
            else:
                self._esl_event_queue.put(message)

    def process_events(self) -> None:
        while True:
            message = self._esl_event_queue.get()
            if message is _END:
                return
            self._dispatch(message)

    def _dispatch(self, message: EslMessage) -> None:
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
    """The socket FreeSWITCH's ``socket`` application opened for one channel.

    Its handlers (``Channel``'s) never block, so they run on the reader greenlet as each
    event is read, in the order of the wire: one greenlet (and its saved stack) per call
    instead of two.
    """

    dispatch_inline = True

    def __init__(self, sock: gevent.socket.socket, address: Any = None) -> None:
        super().__init__(address, sock)
        # greenswitch's app-name matching and its root-logger hangup message serve
        # call_command(), which voxctl does not use; its DISCONNECT handler stays.
        self.unregister_handle("*", self.on_event)
        self.unregister_handle("CHANNEL_HANGUP", self.on_hangup)


class InboundConnection(EslProtocolFixes, InboundESL):
    """voxctl's connection to the switch's event socket (``auth`` with a password)."""
