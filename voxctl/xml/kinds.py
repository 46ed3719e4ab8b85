"""Attribute value types: how an attribute's text becomes a field value, and back.

Each kind has ``parse`` (text -> value, ``ValueError`` with a reason when the text
is not acceptable), ``limit`` (the clamping a spec describes: a value out of range
is brought into range, not rejected) and ``format`` (value -> attribute text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_INTEGER = re.compile(r"\s*([+-]?\d{1,9})(s?)\s*")


class Kind:
    """Free text, stripped of surrounding whitespace."""

    def parse(self, raw: str) -> Any:
        return raw.strip()

    def limit(self, value: Any) -> Any:
        return value

    def format(self, value: Any) -> str:
        return str(value)


@dataclass(frozen=True)
class Integer(Kind):
    """A whole number: below ``minimum`` is invalid; ``low``/``high`` clamp.

    ``seconds`` accepts a trailing ``s`` (the VoxXML spec writes ``repeatDelay='7s'``).
    """

    minimum: int = 0
    low: int | None = None
    high: int | None = None
    seconds: bool = False

    def parse(self, raw: str) -> Any:
        match = _INTEGER.fullmatch(raw)
        if not match or (match.group(2) and not self.seconds):
            raise ValueError(f"expected a whole number, got {raw!r}")
        value = int(match.group(1))
        if value < self.minimum:
            raise ValueError(f"must be at least {self.minimum}, got {value}")
        return value

    def limit(self, value: Any) -> Any:
        if self.low is not None:
            value = max(self.low, value)
        if self.high is not None:
            value = min(self.high, value)
        return value


@dataclass(frozen=True)
class SpeechTimeout(Integer):
    """Seconds as text, or ``auto`` (TwiML): the field keeps text."""

    def parse(self, raw: str) -> Any:
        if raw.strip().lower() == "auto":
            return "auto"
        return str(super().parse(raw))

    def limit(self, value: Any) -> Any:
        return value if value == "auto" else str(super().limit(int(value)))


class Boolean(Kind):
    """``true`` or ``false``, in any case."""

    def parse(self, raw: str) -> Any:
        word = raw.strip().lower()
        if word not in ("true", "false"):
            raise ValueError(f"expected true or false, got {raw!r}")
        return word == "true"

    def format(self, value: Any) -> str:
        return "true" if value else "false"


class Choice(Kind):
    """One of a fixed set of words, matched in any case, kept in the spec's spelling."""

    def __init__(self, *values: str) -> None:
        self.values = values
        self._canonical = {v.lower(): v for v in values}

    def parse(self, raw: str) -> Any:
        try:
            return self._canonical[raw.strip().lower()]
        except KeyError:
            raise ValueError(f"expected one of {', '.join(self.values)}, got {raw!r}") from None


class Words(Kind):
    """A list of words separated by spaces or commas, optionally from a fixed set."""

    def __init__(self, *values: str) -> None:
        self.values = values

    def parse(self, raw: str) -> Any:
        words = [w for w in re.split(r"[\s,]+", raw) if w]
        if self.values:
            words = [w.lower() for w in words]
            wrong = [w for w in words if w not in self.values]
            if wrong or not words:
                raise ValueError(f"expected words from {', '.join(self.values)}, got {raw!r}")
        return words

    def format(self, value: Any) -> str:
        return " ".join(value)


class Alternatives(Kind):
    """Values separated by ``|`` (If's ``value='1|english'``)."""

    def parse(self, raw: str) -> Any:
        return [v.strip() for v in raw.split("|")]

    def format(self, value: Any) -> str:
        return "|".join(value)


class Keys(Kind):
    """A string of keypad characters from ``allowed`` (may be empty)."""

    def __init__(self, allowed: str) -> None:
        self.allowed = allowed

    def parse(self, raw: str) -> Any:
        keys = raw.strip()
        wrong = sorted(set(keys) - set(self.allowed))
        if wrong:
            raise ValueError(f"only {self.allowed} allowed, got {''.join(wrong)!r}")
        return keys


TEXT = Kind()
BOOLEAN = Boolean()
METHOD = Choice("GET", "POST")
DTMF_KEYS = "0123456789#*"
DIGITS_TO_SEND = "0123456789#*wW"
