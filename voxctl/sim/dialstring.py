"""Dial strings as ``bridge`` and ``originate`` take them (``{}``/``[]`` variables, ``,`` and ``|``)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .args import split_vars


@dataclass
class Endpoint:
    """One destination of a dial string."""

    raw: str  # without its variables
    variables: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.raw.split("/", 1)[0].lower()

    @property
    def number(self) -> str:
        """The number or user part: ``sofia/gateway/gw/1555...`` -> ``1555...``, ``user/bob`` -> ``bob``."""
        parts = self.raw.split("/")
        kind = self.kind
        if kind == "loopback":
            target = parts[1] if len(parts) > 1 else ""
        elif kind == "sofia" and len(parts) > 2 and parts[1] == "gateway":
            target = parts[3] if len(parts) > 3 else parts[-1]
        else:
            target = parts[-1]
        target = re.sub(r"^sips?:", "", target)
        return target.split("@", 1)[0].split(";", 1)[0]

    @property
    def context(self) -> str:
        parts = self.raw.split("/")
        return parts[2] if self.kind == "loopback" and len(parts) > 2 else "default"


def _take_vars(text: str, opening: str, closing: str) -> tuple[dict[str, str], str]:
    text = text.strip()
    out: dict[str, str] = {}
    while text.startswith(opening):
        end = _closing(text, closing)
        if end < 0:
            break
        out.update(split_vars(text[1:end], escapes=True))
        text = text[end + 1:].strip()
    return out, text


def _closing(text: str, closing: str) -> int:
    """Where the block opened at ``text[0]`` ends (a backslash-escaped bracket does not end it)."""
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == closing:
            return i
        i += 1
    return -1


def _split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside {}, [] and <>."""
    out, depth, current = [], 0, []
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
            current.append(ch)
            continue
        if ch == "\\":
            escaped = True
        elif ch in "{[<":
            depth += 1
        elif ch in "}]>":
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
    out.append("".join(current))
    return [p for p in (s.strip() for s in out) if p]


def parse_dialstring(text: str) -> tuple[dict[str, str], list[list[Endpoint]]]:
    """Global ``{vars}`` and the sequential groups (``|``) of parallel endpoints (``,``)."""
    global_vars, rest = _take_vars(text, "{", "}")
    groups = []
    for group in _split_top(rest, "|"):
        group_vars, group = _take_vars(group, "{", "}")
        legs = []
        for leg in _split_top(group, ","):
            leg_vars, leg = _take_vars(leg, "[", "]")
            legs.append(Endpoint(leg, {**group_vars, **leg_vars}))
        groups.append(legs)
    return global_vars, groups
