"""ESL framing, byte-compatible with FreeSWITCH 1.10 (see ../shared/esl-traces/README.md, fact 1).

Everything the simulator writes on a socket is built here: command replies, api
responses, events (plain with URL-encoded values, or JSON), the outbound
``connect`` reply and the disconnect/linger notices. Incoming client commands are
parsed by :func:`read_command`.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO
from urllib.parse import quote

# switch_utils.h SWITCH_URL_UNSAFE; bytes outside 0x20..0x7e are escaped as well
_URL_UNSAFE = "\r\n #%&+:;<=>?@[\\]^`{|}\""
_URL_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in _URL_UNSAFE)
_NEEDS_ENCODING = re.compile(f"[^{re.escape(_URL_SAFE)}]")  # most values have nothing to escape

GOODBYE = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"

Headers = list[tuple[str, str]]


def url_encode(value: str) -> str:
    """Encode a header value the way ``switch_url_encode`` does."""
    return quote(value, safe=_URL_SAFE) if _NEEDS_ENCODING.search(value) else value


class Memo(dict):
    """``fn(key)`` (a string) for keys seen before, from a dict (a hit costs one lookup). Results
    longer than ``longest`` are not kept; the memo starts over when it holds ``limit`` entries.
    Look up with ``memo[key]``."""

    def __init__(self, fn: Callable[[Any], str], limit: int = 20_000, longest: int = 256) -> None:
        super().__init__()
        self.fn = fn
        self.limit = limit
        self.longest = longest

    def __missing__(self, key: Any) -> str:
        value = self.fn(key)
        if len(value) <= self.longest:
            if len(self) >= self.limit:
                self.clear()
            self[key] = value
        return value


# (name, value) -> the ``name: url-encoded value`` line: most lines repeat event after event
# (the switch identity, a channel's profile and variables), so each is encoded once
_plain_line = Memo(lambda header: f"{header[0]}: {url_encode(header[1])}\n").__getitem__


def _block(headers: Iterable[tuple[str, str]]) -> str:
    return "".join(f"{name}: {value}\n" for name, value in headers)


def pack(headers: Iterable[tuple[str, str]], body: str = "") -> bytes:
    """A header block, the blank line and the body."""
    return (_block(headers) + "\n" + body).encode("utf-8")


def command_reply(text: str, *extra: tuple[str, str]) -> bytes:
    """``Content-Type: command/reply`` with ``Reply-Text`` (never a body)."""
    return pack([("Content-Type", "command/reply"), ("Reply-Text", text), *extra])


def api_response(body: str) -> bytes:
    """``api/response`` with its body."""
    data = body.encode("utf-8")
    return pack([("Content-Type", "api/response"), ("Content-Length", str(len(data)))]) + data


def auth_request() -> bytes:
    """The greeting of an inbound connection."""
    return pack([("Content-Type", "auth/request")])


def disconnect_notice(session_uuid: str | None = None) -> bytes:
    """The goodbye notice sent before the switch closes a socket."""
    headers: Headers = [("Content-Type", "text/disconnect-notice")]
    if session_uuid:
        headers += [("Controlled-Session-UUID", session_uuid), ("Content-Disposition", "disconnect")]
    headers.append(("Content-Length", str(len(GOODBYE))))
    return pack(headers, GOODBYE)


def linger_notice(session_uuid: str, channel_name: str, linger_time: int) -> bytes:
    """The notice a lingering outbound socket gets when its channel is gone."""
    return pack([("Content-Type", "text/disconnect-notice"),
                 ("Controlled-Session-UUID", session_uuid),
                 ("Content-Disposition", "linger"),
                 ("Channel-Name", channel_name),
                 ("Linger-Time", str(linger_time)),
                 ("Content-Length", "0")])


@dataclass
class Event:
    """One switch event: ordered headers and an optional body."""

    name: str
    headers: Headers
    body: str = ""
    subclass: str = ""
    _encoded: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)

    def get(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return default

    def plain(self) -> bytes:
        """``text/event-plain``: URL-encoded values; a body gets an inner Content-Length."""
        inner = "".join(map(_plain_line, self.headers))
        if self.body:
            inner += f"Content-Length: {len(self.body.encode('utf-8'))}\n\n{self.body}"
        else:
            inner += "\n"
        data = inner.encode("utf-8")
        return pack([("Content-Length", str(len(data))), ("Content-Type", "text/event-plain")]) + data

    def json(self) -> bytes:
        """``text/event-json``: one object, plain values, no trailing newline."""
        obj = dict(self.headers)
        if self.body:
            obj["Content-Length"] = str(len(self.body.encode("utf-8")))
            obj["_body"] = self.body
        data = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return pack([("Content-Length", str(len(data))), ("Content-Type", "text/event-json")]) + data

    def encode(self, fmt: str) -> bytes:
        """The event as ``fmt`` (``json`` or plain), built once per format: an event is not
        changed once fired, and every connection that wants it gets the same bytes."""
        data = self._encoded.get(fmt)
        if data is None:
            data = self._encoded[fmt] = self.json() if fmt == "json" else self.plain()
        return data


def connect_reply(channel_data: Headers) -> bytes:
    """The outbound ``connect`` reply: channel data, then the reply headers (fact 2)."""
    reply = [("Content-Type", "command/reply"), ("Reply-Text", url_encode("+OK\n")),
             ("Socket-Mode", "async"), ("Control", "full")]
    return "".join(map(_plain_line, channel_data)).encode("utf-8") + pack(reply)


@dataclass
class Command:
    """A command received from a client: its first line, headers and body."""

    line: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    raw: str = ""

    @property
    def verb(self) -> str:
        return self.line.split(" ", 1)[0].lower()

    @property
    def arg(self) -> str:
        parts = self.line.split(" ", 1)
        return parts[1].strip() if len(parts) > 1 else ""

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


def read_command(reader: BinaryIO) -> Command | None:
    """Read one command (lines up to a blank line, then ``content-length`` bytes); None at EOF."""
    lines: list[str] = []
    while True:
        raw = reader.readline()
        if not raw:
            return None
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            if lines:
                break
            continue
        lines.append(line)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = ""
    length = int(headers.get("content-length", "0") or 0)
    if length:
        body = reader.read(length).decode("utf-8", "replace")
    raw_text = "\n".join(lines) + "\n\n" + body
    return Command(lines[0].strip(), headers, body, raw_text)
