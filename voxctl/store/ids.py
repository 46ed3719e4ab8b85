"""Identifiers: every record id is a UUID4 string; Twilio-style SIDs map 1:1 onto them.

A SID is a two-letter prefix naming the resource plus the id's 32 hex digits:
``to_sid("CA", "8d658f67-3879-4938-bbad-863878bd5341") == "CA8d658f6738794938bbad863878bd5341"``
and ``from_sid`` turns it back into the canonical (lower-case, hyphenated) id.
"""
from __future__ import annotations

import re
import uuid

ACCOUNT = "AC"
CALL = "CA"
CONFERENCE = "CF"
RECORDING = "RE"
PREFIXES = frozenset({ACCOUNT, CALL, CONFERENCE, RECORDING})

_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SID_RE = re.compile(r"^([A-Z]{2})([0-9a-fA-F]{32})$")


def new_id() -> str:
    """A fresh random id (UUID4, canonical form)."""
    return str(uuid.uuid4())


def is_uuid(value: object) -> bool:
    """True for a hyphenated UUID string (any version, either case)."""
    return isinstance(value, str) and bool(_UUID_RE.match(value))


def is_sid(value: object, prefix: str | None = None) -> bool:
    """True for a SID with a known prefix (or exactly ``prefix`` when given)."""
    if not isinstance(value, str):
        return False
    match = _SID_RE.match(value)
    if not match:
        return False
    return match.group(1) == prefix if prefix else match.group(1) in PREFIXES


def to_sid(prefix: str, record_id: str) -> str:
    """``prefix`` + the id's hex digits; ValueError for an unknown prefix or a malformed id."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown SID prefix: {prefix!r}")
    if not is_uuid(record_id):
        raise ValueError(f"not a UUID: {record_id!r}")
    return prefix + uuid.UUID(record_id).hex


def from_sid(sid: str, prefix: str | None = None) -> str:
    """The canonical id inside ``sid``; ValueError if it is not a SID (of ``prefix``, when given)."""
    if not is_sid(sid, prefix):
        raise ValueError(f"not a {prefix or 'known'} SID: {sid!r}")
    return str(uuid.UUID(sid[2:]))


def normalize(value: str, prefix: str) -> str:
    """Accept an id or a SID of ``prefix`` and return the canonical id; ValueError otherwise."""
    if is_uuid(value):
        return str(uuid.UUID(value))
    return from_sid(value, prefix)
