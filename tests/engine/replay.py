"""A fake switch that replays one recorded ESL connection over a real socket.

The recording (``shared/esl-traces/*.jsonl``) is cut into exchanges: one message
we sent (``to_fs``) and every message FreeSWITCH sent after it until our next
one. Each message the code under test sends is looked up among the remaining
recorded ones (skipped exchanges are dropped) and answered with the recorded
bytes. Uuids the code made up itself (``Event-UUID``, ``Job-UUID``,
``origination_uuid``) are paired with the recorded ones and substituted in
everything replayed afterwards (same length, so every ``Content-Length`` holds).
``rewrite`` states where the code under test deliberately sends something else
than the recorder did (``{"USER_BUSY": "SWITCH_CONGESTION"}``: the same flow with
another hangup cause). A message that matches nothing is recorded in ``errors``
and ends the connection. After the last exchange the socket is closed, as FreeSWITCH did.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import gevent
import gevent.socket
from gevent.event import Event

TRACES = Path(__file__).resolve().parents[3] / "shared" / "esl-traces"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ID_HEADER = re.compile(r"^(Event-UUID|Job-UUID): (\S+)\n", re.MULTILINE)
_ANSWER_ID = {"Event-UUID": "Application-UUID", "Job-UUID": "Job-UUID"}


@dataclass
class Exchange:
    sent: str
    replies: list[str] = field(default_factory=list)


def load(trace: str, sock: str) -> tuple[list[str], list[Exchange]]:
    """The greeting (what the switch sent before our first message) and the exchanges."""
    greeting: list[str] = []
    exchanges: list[Exchange] = []
    with open(TRACES / f"{trace}.jsonl", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("sock") != sock or record["dir"] not in ("to_fs", "from_fs"):
                continue
            if record["dir"] == "to_fs":
                exchanges.append(Exchange(record["raw"]))
            elif exchanges:
                exchanges[-1].replies.append(record["raw"])
            else:
                greeting.append(record["raw"])
    return greeting, exchanges


def recorded_messages(trace: str, sock: str) -> list[str]:
    """Every message the switch sent on ``sock``, in order."""
    greeting, exchanges = load(trace, sock)
    return greeting + [reply for exchange in exchanges for reply in exchange.replies]


def _without_ids(text: str) -> str:
    return _ID_HEADER.sub("", text).rstrip("\n")


def _normal(text: str) -> str:
    return UUID.sub("<uuid>", _without_ids(text))


def _read_raw(stream) -> str | None:
    """One message as text (header block, blank line, body), ``None`` at the end."""
    head = b""
    while True:
        line = stream.readline()
        if not line:
            return None
        if line == b"\n":
            if head:
                break
            continue
        head += line
    match = re.search(rb"^content-length: *(\d+)", head, re.MULTILINE | re.IGNORECASE)
    body = stream.read(int(match.group(1))) if match else b""
    return (head + b"\n" + body).decode("utf-8")


class Replay:
    """Serve one recorded connection; see the module docstring."""

    def __init__(self, trace: str, sock: str, *, hold_after: Callable[[str], bool] | None = None,
                 rewrite: dict[str, str] | None = None) -> None:
        self.trace, self.sock_name = trace, sock
        self.greeting, self.exchanges = load(trace, sock)
        self.position = 0
        self.received: list[str] = []
        self.errors: list[str] = []
        self.mapping: dict[str, str] = {}
        self.hold_after = hold_after
        self.rewrite = rewrite or {}
        self.held = Event()  # the hold point was reached
        self.released = Event()
        self.finished = Event()
        self._greenlet: gevent.Greenlet | None = None

    def dial(self, port: int) -> None:
        """Connect to an outbound-socket server, as FreeSWITCH's ``socket`` app does."""
        sock = gevent.socket.create_connection(("127.0.0.1", port))
        self._greenlet = gevent.spawn(self._serve, sock)

    def listen(self) -> int:
        """Accept one inbound ESL connection; returns the port."""
        listener = gevent.socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)

        def accept() -> None:
            sock, _ = listener.accept()
            listener.close()
            self._serve(sock)

        self._greenlet = gevent.spawn(accept)
        return listener.getsockname()[1]

    def wait(self, timeout: float = 10.0) -> None:
        """Until the connection is over (either side closed it)."""
        assert self.finished.wait(timeout), f"{self.trace}/{self.sock_name}: connection still open"

    def stop(self) -> None:
        if self._greenlet is not None:
            self._greenlet.kill()

    def sent(self, prefix: str) -> list[str]:
        """The messages we received that start with ``prefix``."""
        return [m for m in self.received if m.startswith(prefix)]

    def _serve(self, sock: gevent.socket.socket) -> None:
        sock.setsockopt(gevent.socket.IPPROTO_TCP, gevent.socket.TCP_NODELAY, 1)
        stream = sock.makefile("rb")
        try:
            self._send(sock, self.greeting)
            while self.position < len(self.exchanges):
                text = _read_raw(stream)
                if text is None:
                    break
                self.received.append(text)
                exchange = self._match(text)
                if exchange is None:
                    self.errors.append(f"unexpected message: {text!r}")
                    break
                self._send(sock, exchange.replies)
        except OSError as exc:
            self.errors.append(f"socket error: {exc}")
        finally:
            stream.close()
            sock.close()
            self.finished.set()

    def _send(self, sock: gevent.socket.socket, messages: list[str]) -> None:
        for message in messages:
            for recorded, ours in self.mapping.items():
                message = message.replace(recorded, ours)
            sock.sendall(message.encode("utf-8"))
            gevent.sleep(0)
            if self.hold_after is not None and not self.held.is_set() and self.hold_after(message):
                self.held.set()
                self.released.wait()

    def _match(self, text: str) -> Exchange | None:
        for index in range(self.position, len(self.exchanges)):
            exchange = self.exchanges[index]
            expected = exchange.sent
            for recorded, ours in self.rewrite.items():
                expected = expected.replace(recorded, ours)
            if _normal(expected) == _normal(text):
                self.position = index + 1
                self._pair_ids(exchange, text)
                return exchange
        return None

    def _pair_ids(self, exchange: Exchange, text: str) -> None:
        recorded_ids = UUID.findall(_without_ids(exchange.sent))
        our_ids = UUID.findall(_without_ids(text))
        self.mapping.update({r: o for r, o in zip(recorded_ids, our_ids, strict=False) if r != o})
        recorded_headers = dict(_ID_HEADER.findall(exchange.sent))
        for name, ours in _ID_HEADER.findall(text):
            recorded = recorded_headers.get(name) or self._answer_id(exchange, _ANSWER_ID[name])
            if recorded and recorded != ours:
                self.mapping[recorded] = ours

    @staticmethod
    def _answer_id(exchange: Exchange, header: str) -> str | None:
        """The id the switch made up for a command sent without one."""
        for reply in exchange.replies:
            match = re.search(rf"^{header}: ({UUID.pattern})$", reply, re.MULTILINE)
            if match:
                return match.group(1)
        return None
