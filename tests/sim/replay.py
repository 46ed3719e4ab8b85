"""Replays the commands of a recorded ESL trace (../shared/esl-traces) against the simulator.

The test plays the engine (a listener the simulator's ``socket`` app dials) and
the inbound ESL client. Every recorded command is sent after the message that
preceded it in the recording (its *anchor*, on the same socket, or for inbound
commands on an outbound socket) has arrived, plus the recorded gap scaled by
the speed. Recorded UUIDs in commands are mapped to the simulator's through
channel names. What the simulator sent is collected per socket for comparison.
"""
from __future__ import annotations

import json
import re
import socket
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import gevent
from gevent.event import Event as Flag
from gevent.server import StreamServer

TRACES = Path(__file__).resolve().parents[3] / "shared" / "esl-traces"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Msg:
    """One ESL message: outer headers, the event's own headers (if an event), the body."""

    headers: dict[str, str]
    event: dict[str, str] | None
    body: str
    t: float = 0.0

    @property
    def ctype(self) -> str:
        return self.headers.get("Content-Type", "")

    def signature(self) -> tuple:
        if self.event is not None:
            e = self.event
            return ("event", e.get("Event-Name"), e.get("Application"), e.get("Action"))
        if self.headers.get("Event-Name") == "CHANNEL_DATA":
            return ("connect",)
        text = self.headers.get("Reply-Text", "")
        return (self.ctype, UUID_RE.sub("U", text), self.headers.get("Content-Disposition"))


def _headers(block: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in block.split("\n"):
        if ": " in line:
            k, _, v = line.partition(": ")
            out.setdefault(k, v)
    return out


def parse_raw(raw: str, t: float = 0.0) -> Msg:
    head, _, body = raw.partition("\n\n")
    h = _headers(head)
    if h.get("Content-Type") == "text/event-plain":
        inner, _, ibody = body.partition("\n\n")
        return Msg(h, {k: urllib.parse.unquote(v) for k, v in _headers(inner).items()}, ibody, t)
    if h.get("Content-Type") == "text/event-json":
        obj = json.loads(body)
        return Msg(h, {k: str(v) for k, v in obj.items() if k != "_body"}, obj.get("_body", ""), t)
    if h.get("Event-Name") == "CHANNEL_DATA":
        return Msg({k: urllib.parse.unquote(v) for k, v in h.items()}, None, "", t)
    return Msg(h, None, body, t)


def read_msg(reader) -> Msg | None:
    """The next ESL message from a socket's binary reader (stamped now); None at end of stream."""
    lines: list[str] = []
    while True:
        line = reader.readline()
        if not line:
            return None
        if line == b"\n":
            if lines:
                break
            continue
        lines.append(line.decode())
    head = "".join(lines)
    h = _headers(head)
    body = reader.read(int(h["Content-Length"])).decode() if "Content-Length" in h else ""
    return parse_raw(head + "\n" + body, time.monotonic())


@dataclass
class Step:
    """A recorded command and what it waits for."""

    sock: str
    raw: str
    t: float
    anchor: tuple[str, tuple, int] | None  # (socket, signature, occurrence) or None: time from start
    gap: float


@dataclass
class Trace:
    name: str
    steps: list[Step]
    received: dict[str, list[Msg]]  # recorded from_fs per socket
    names: dict[str, str]  # recorded uuid -> channel name

    @property
    def sockets(self) -> list[str]:
        return sorted({s.sock for s in self.steps} | set(self.received))


def load(name: str) -> Trace:
    lines = [json.loads(line) for line in (TRACES / f"{name}.jsonl").read_text().splitlines()]
    steps: list[Step] = []
    received: dict[str, list[Msg]] = {}
    names: dict[str, str] = {}
    seen: dict[str, dict[tuple, int]] = {}
    last: dict[str, tuple[tuple, int, float]] = {}
    for m in lines:
        if m["dir"] not in ("to_fs", "from_fs"):
            continue
        sock = m.get("sock") or f"{m['conn']}-1"
        if m["dir"] == "from_fs":
            msg = parse_raw(m["raw"], m["t"])
            received.setdefault(sock, []).append(msg)
            data = msg.event or (msg.headers if msg.headers.get("Event-Name") else None)
            if data and data.get("Unique-ID") and data.get("Channel-Name"):
                names.setdefault(data["Unique-ID"], data["Channel-Name"])
            sig = msg.signature()
            counts = seen.setdefault(sock, {})
            counts[sig] = counts.get(sig, 0) + 1
            last[sock] = (sig, counts[sig], m["t"])
            continue
        outbound = [s for s in last if s.startswith("outbound")]
        candidates = [sock] if sock.startswith("outbound") or not outbound else outbound
        best = max((s for s in candidates if s in last), key=lambda s: last[s][2], default=None)
        if best is None:
            steps.append(Step(sock, m["raw"], m["t"], None, m["t"]))
        else:
            sig, count, t = last[best]
            steps.append(Step(sock, m["raw"], m["t"], (best, sig, count), m["t"] - t))
    return Trace(name, steps, received, names)


class Endpoint:
    """One socket of the replay (inbound client or accepted outbound connection)."""

    def __init__(self, name: str, sock: socket.socket) -> None:
        self.name = name
        self.sock = sock
        self.reader = sock.makefile("rb")
        self.got: list[Msg] = []
        self.sent = 0
        self.changed = Flag()
        self.closed = Flag()
        gevent.spawn(self._read)

    def _read(self) -> None:
        try:
            while (msg := read_msg(self.reader)) is not None:
                self.got.append(msg)
                self.changed.set()
        except OSError:
            return
        finally:
            self.closed.set()
            self.changed.set()

    def replies(self) -> int:
        return sum(1 for m in self.got if m.ctype in ("command/reply", "api/response") or
                   m.headers.get("Event-Name") == "CHANNEL_DATA")

    def count(self, sig: tuple) -> int:
        return sum(1 for m in self.got if m.signature() == sig)

    def send(self, raw: str) -> None:
        self.sent += 1
        try:
            self.sock.sendall(raw.encode())
        except OSError:
            pass


@dataclass
class Replay:
    trace: Trace
    speed: float
    esl_port: int
    substitutions: dict[str, str] = field(default_factory=dict)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._outbound = 0
        self._arrived = Flag()
        self.listener = StreamServer(("127.0.0.1", 0), self._accept)
        self.listener.start()
        self.port = self.listener.server_port
        self.substitutions.setdefault("127.0.0.1:8084", f"127.0.0.1:{self.port}")

    def _accept(self, sock, addr) -> None:
        self._outbound += 1
        name = f"outbound-{self._outbound}"
        self.endpoints[name] = Endpoint(name, sock)
        self._arrived.set()
        self.endpoints[name].closed.wait()

    def _endpoint(self, name: str, timeout: float) -> Endpoint | None:
        if name.startswith("inbound") and name not in self.endpoints:
            self.endpoints[name] = Endpoint(name, socket.create_connection(("127.0.0.1", self.esl_port)))
        with gevent.Timeout(timeout, False):
            while name not in self.endpoints:
                self._arrived.clear()
                self._arrived.wait()
        return self.endpoints.get(name)

    def _map_uuids(self, raw: str) -> str:
        def sim_uuid(match: re.Match) -> str:
            rec = match.group(0)
            channel = self.trace.names.get(rec)
            if channel is None:
                return rec
            for ep in self.endpoints.values():
                for msg in reversed(ep.got):
                    data = msg.event or msg.headers
                    if data.get("Channel-Name") == channel and data.get("Unique-ID"):
                        return data["Unique-ID"]
            return rec
        for old, new in self.substitutions.items():
            raw = raw.replace(old, new)
        return UUID_RE.sub(sim_uuid, raw)

    def _anchor_time(self, step: Step) -> float | None:
        """When the step's anchor arrived (real time); None if it never did."""
        if step.anchor is None:
            return self.started
        sock, sig, count = step.anchor
        ep = self._endpoint(sock, timeout=5)
        with gevent.Timeout(2 + 3 * step.t / self.speed, False):
            while ep is not None and ep.count(sig) < count and not ep.closed.is_set():
                ep.changed.clear()
                ep.changed.wait()
        hits = [m.t for m in ep.got if m.signature() == sig] if ep is not None else []
        return hits[count - 1] if len(hits) >= count else None

    def _replied(self) -> None:
        """The recorder waited for each reply before its next command: so do we."""
        for ep in list(self.endpoints.values()):
            with gevent.Timeout(2, False):
                while ep.replies() < ep.sent and not ep.closed.is_set():
                    ep.changed.clear()
                    ep.changed.wait()

    def run(self, timeout: float = 30.0) -> dict[str, list[Msg]]:
        """Send every recorded command in recorded order, each after its anchor plus its gap."""
        self.started = time.monotonic()
        with gevent.Timeout(timeout, False):
            for step in self.trace.steps:
                ep = self._endpoint(step.sock, timeout=5)
                if ep is None:
                    self.problems.append(f"{step.sock}: never connected")
                    break
                arrived = self._anchor_time(step)
                if arrived is None:
                    self.problems.append(f"{step.sock}: anchor {step.anchor} never came")
                    arrived = time.monotonic()
                gevent.sleep(max(0.0, arrived + step.gap / self.speed - time.monotonic()))
                self._replied()
                ep.send(self._map_uuids(step.raw))
        for ep in self.endpoints.values():
            ep.closed.wait(timeout=2)
        self.listener.stop(timeout=1)
        for ep in self.endpoints.values():
            ep.sock.close()
        return {name: ep.got for name, ep in self.endpoints.items()}
