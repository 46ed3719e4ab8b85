"""Record dataclasses, statuses, timestamps and the one (de)serialiser for all of them.

Every record is a dataclass. ``to_dict``/``from_dict`` convert to and from a
JSON-ready mapping using the external field names (``CallRecord.from_`` is
``"from"``); ``to_hash``/``encode_fields``/``from_hash`` are the same mapping as a
Redis hash: ``str`` fields are stored as they are (so Lua scripts can build index
keys from them), everything else as JSON, and ``None`` as an absent field.
The store keeps every field; leaving ``None`` fields out of API output is the
API layer's job.

Timestamps are ISO-8601 UTC strings with milliseconds and ``Z``
(``2021-07-27T19:02:19.979Z``).
"""
from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from typing import Any, TypeVar

from voxctl.store import ids

R = TypeVar("R")

# --- timestamps ---------------------------------------------------------------------------


def format_time(moment: datetime) -> str:
    """``2021-07-27T19:02:19.979Z`` for an aware (or UTC-naive) datetime."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now() -> str:
    """The current time as a record timestamp."""
    return format_time(datetime.now(timezone.utc))


def parse_time(value: str) -> datetime:
    """A record timestamp back into an aware UTC datetime."""
    return datetime.fromisoformat(value).astimezone(timezone.utc)


def time_ms(value: str) -> int:
    """A record timestamp as milliseconds since the epoch."""
    moment = parse_time(value)
    return int(moment.timestamp()) * 1000 + moment.microsecond // 1000


# --- statuses ------------------------------------------------------------------------------

FLAVOURS = ("voxxml", "twiml")
DIRECTIONS = ("inbound", "outbound-api", "outbound-dial")


class CallStatus:
    """Native call statuses (the VoxXML API's names)."""

    QUEUED = "queued"
    PROCESSING = "processing"
    RINGING = "ringing"
    ANSWERED = "answered"
    COMPLETE = "complete"
    BUSY = "busy"
    FAILED = "failed"
    NO_ANSWER = "no_answer"
    CANCELED = "canceled"
    ALL = (QUEUED, PROCESSING, RINGING, ANSWERED, COMPLETE, BUSY, FAILED, NO_ANSWER, CANCELED)
    FINAL = frozenset({COMPLETE, BUSY, FAILED, NO_ANSWER, CANCELED})


class ConferenceStatus:
    """Conference statuses of the VoxXML API."""

    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    CONF_FAILED = "conf_failed"
    ALL = (QUEUED, IN_PROGRESS, COMPLETE, CONF_FAILED)
    FINAL = frozenset({COMPLETE, CONF_FAILED})


class ParticipantStatus:
    """Participant statuses (Twilio's names; the VoxXML API defines none)."""

    QUEUED = "queued"
    CONNECTING = "connecting"
    RINGING = "ringing"
    CONNECTED = "connected"
    COMPLETE = "complete"
    FAILED = "failed"
    ALL = (QUEUED, CONNECTING, RINGING, CONNECTED, COMPLETE, FAILED)
    FINAL = frozenset({COMPLETE, FAILED})


FINAL = CallStatus.FINAL  # the final call statuses, the set most callers mean

# Twilio's CallStatus for each native status. ``processing`` is the switch having the call:
# an outbound call being dialled is Twilio's ``initiated``; an inbound call that has reached
# us but is not answered yet is ``ringing`` (the status Twilio sends in an incoming call's
# first webhook). ``answered`` is ``in-progress``; the rest keep their meaning.
_TWILIO_CALL_STATUS = {
    CallStatus.QUEUED: "queued",
    CallStatus.PROCESSING: "initiated",
    CallStatus.RINGING: "ringing",
    CallStatus.ANSWERED: "in-progress",
    CallStatus.COMPLETE: "completed",
    CallStatus.BUSY: "busy",
    CallStatus.FAILED: "failed",
    CallStatus.NO_ANSWER: "no-answer",
    CallStatus.CANCELED: "canceled",
}
NATIVE_CALL_STATUS = {twilio: native for native, twilio in _TWILIO_CALL_STATUS.items()}

_TWILIO_CONFERENCE_STATUS = {
    ConferenceStatus.QUEUED: "init",
    ConferenceStatus.IN_PROGRESS: "in-progress",
    ConferenceStatus.COMPLETE: "completed",
    ConferenceStatus.CONF_FAILED: "completed",
}
NATIVE_CONFERENCE_STATUS = {"init": ConferenceStatus.QUEUED, "in-progress": ConferenceStatus.IN_PROGRESS,
                            "completed": ConferenceStatus.COMPLETE}


def twilio_call_status(native: str, direction: str = "outbound-api") -> str:
    """Twilio's CallStatus for a native status (see the table above; ``direction`` decides ``processing``)."""
    if native == CallStatus.PROCESSING and direction == "inbound":
        return "ringing"
    return _TWILIO_CALL_STATUS[native]


def twilio_conference_status(native: str) -> str:
    """Twilio's conference Status (init, in-progress, completed) for a native status."""
    return _TWILIO_CONFERENCE_STATUS[native]


# --- records -------------------------------------------------------------------------------


@dataclass
class Account:
    """A tenant. API keys live apart (hashed); the auth token and signing secret are kept to sign with."""

    id: str
    name: str = ""
    auth_token: str = ""  # Twilio Basic password and X-Twilio-Signature HMAC-SHA1 key
    signing_secret: str = ""  # VoxXML webhook HMAC-SHA256 key
    created_time: str = ""
    modified_time: str = ""

    @property
    def sid(self) -> str:
        """The AccountSid (``AC`` + the id's hex)."""
        return ids.to_sid(ids.ACCOUNT, self.id)


@dataclass
class Application:
    """What runs a call to a number: the document's URL, method and flavour, for one account."""

    url: str
    account_id: str
    method: str = "POST"
    flavour: str = "voxxml"
    fallback_url: str | None = None
    fallback_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: list[str] = field(default_factory=list)


@dataclass
class CallRecord:
    """One call leg, as the APIs and webhooks need to see it."""

    id: str = ""
    account_id: str = ""
    flavour: str = "voxxml"
    direction: str = "inbound"
    to: str = ""
    from_: str = field(default="", metadata={"key": "from"})
    status: str = CallStatus.QUEUED
    created_time: str = ""
    modified_time: str = ""
    start_time: str | None = None  # first left the queue (Twilio start_time)
    answer_time: str | None = None
    hangup_time: str | None = None
    duration: int | None = None  # seconds from answer to hangup; 0 when never answered
    error: dict[str, Any] | None = None  # {"code", "description", "time"}
    parent_call_id: str | None = None
    node_id: str | None = None  # the node holding the channel
    document_url: str | None = None
    document_method: str = "POST"
    fallback_url: str | None = None
    fallback_method: str = "POST"
    voxxml: str | None = None  # the document given inline (API-created calls, TwiML's Twiml=)
    status_callback: str | None = None
    status_callback_events: list[str] = field(default_factory=list)
    status_callback_method: str = "POST"
    timeout: int | None = None  # ring timeout for calls we dial, seconds
    time_limit: int | None = None  # seconds
    send_digits: str | None = None
    hangup_cause: str | None = None  # the switch's cause, e.g. NORMAL_CLEARING
    hangup_by: str | None = None  # "caller", "callee", "api", "document", "system"
    conference_id: str | None = None
    record: bool = False
    recording_id: str | None = None
    recording_url: str | None = None
    recording_duration: int | None = None
    answered_by: str | None = None
    caller_name: str | None = None
    forwarded_from: str | None = None
    sip_call_id: str | None = None

    @property
    def sid(self) -> str:
        """The CallSid (``CA`` + the id's hex)."""
        return ids.to_sid(ids.CALL, self.id)


@dataclass
class ConferenceRecord:
    """A conference room while it lives; callback settings come from its first participant."""

    id: str = ""
    account_id: str = ""
    name: str = ""
    fs_name: str = ""  # the switch's room name, unique per conference so accounts never meet
    status: str = ConferenceStatus.QUEUED
    created_time: str = ""
    modified_time: str = ""
    start_time: str | None = None  # became in_progress
    end_time: str | None = None
    node_id: str | None = None
    flavour: str = "voxxml"
    status_callback: str | None = None
    status_callback_events: list[str] = field(default_factory=list)
    status_callback_method: str = "POST"
    muted: bool = False
    max_participants: int | None = None
    reason_ended: str | None = None  # e.g. "last-participant-left", "participant-with-end-conference-on-exit-left"
    ended_by_call_id: str | None = None
    error: dict[str, Any] | None = None

    @property
    def sid(self) -> str:
        """The ConferenceSid (``CF`` + the id's hex)."""
        return ids.to_sid(ids.CONFERENCE, self.id)


@dataclass
class ParticipantRecord:
    """One call's membership of one conference; ``id`` is the participant's call id."""

    id: str = ""
    conference_id: str = ""
    account_id: str = ""
    call_id: str = ""
    label: str | None = None
    status: str = ParticipantStatus.CONNECTING
    created_time: str = ""
    modified_time: str = ""
    joined_time: str | None = None
    left_time: str | None = None
    member_id: int | None = None  # the switch's member id
    muted: bool = False
    hold: bool = False
    coaching: bool = False
    beep: str = "true"  # true | false | onEnter | onExit
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    node_id: str | None = None
    error: dict[str, Any] | None = None


# --- (de)serialisation ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    attr: str  # Python attribute name
    key: str  # external (JSON and hash) name
    raw: bool  # a str field: stored as it is in hashes


@cache
def _fields(cls: type) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        args = typing.get_args(hint) if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union \
            else (hint,)
        raw = str in args and all(a in (str, type(None)) for a in args)
        out.append(_Field(f.name, f.metadata.get("key", f.name), raw))
    return tuple(out)


@cache
def _by_attr(cls: type) -> dict[str, _Field]:
    return {f.attr: f for f in _fields(cls)}


def external_name(cls: type, attr: str) -> str:
    """The stored name of attribute ``attr`` of record class ``cls`` (``from_`` -> ``from``)."""
    try:
        return _by_attr(cls)[attr].key
    except KeyError:
        raise TypeError(f"{cls.__name__} has no field {attr!r}") from None


def to_dict(record: Any) -> dict[str, Any]:
    """A JSON-ready dict of every field under its external name (``None`` fields included)."""
    return {f.key: _plain(getattr(record, f.attr)) for f in _fields(type(record))}


def from_dict(cls: type[R], data: Mapping[str, Any]) -> R:
    """Build ``cls`` from external names; unknown keys are ignored, missing ones take defaults."""
    return cls(**{f.attr: data[f.key] for f in _fields(cls) if f.key in data})


def to_json(record: Any) -> str:
    """``to_dict`` as a JSON string."""
    return json.dumps(to_dict(record), separators=(",", ":"))


def from_json(cls: type[R], text: str) -> R:
    """Inverse of ``to_json``."""
    return from_dict(cls, json.loads(text))


def encode_fields(cls: type, values: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Hash form of attribute values: (fields to set, fields to delete because they are ``None``)."""
    fields = _by_attr(cls)
    sets: dict[str, str] = {}
    deletes: list[str] = []
    for attr, value in values.items():
        if attr not in fields:
            raise TypeError(f"{cls.__name__} has no field {attr!r}")
        f = fields[attr]
        if value is None:
            deletes.append(f.key)
        else:
            sets[f.key] = value if f.raw else json.dumps(_plain(value), separators=(",", ":"))
    return sets, deletes


def to_hash(record: Any) -> dict[str, str]:
    """The record as Redis hash fields (``None`` fields left out)."""
    return encode_fields(type(record), {f.attr: getattr(record, f.attr) for f in _fields(type(record))})[0]


def from_hash(cls: type[R], data: Mapping[str, str]) -> R:
    """Inverse of ``to_hash``."""
    return cls(**{f.attr: data[f.key] if f.raw else json.loads(data[f.key])
                  for f in _fields(cls) if f.key in data})


def _plain(value: Any) -> Any:
    """Tuples and sets as lists, so a value survives a JSON round trip unchanged."""
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    return value
