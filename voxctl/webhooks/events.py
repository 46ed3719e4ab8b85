"""Webhook payloads for both flavours, and which events a verb asked for.

Pure functions: they read plain values, mappings or duck-typed records and return
the parameters to send, nothing else.

* **VoxXML** (shared/spec/voxtelesys-voice-api-and-voxxml.txt, "Callbacks"): JSON
  objects with ``type``, ``event`` and ``time`` (timezone.utc, nearest second,
  ``2021-08-16T19:37:04Z``), field for field as the spec shows them.
* **TwiML** (cxml-voice-xml-and-callbacks.txt, rcml-dial-*.txt, laml-calls-api.txt):
  form parameters, every value text. The standard set (CallSid, AccountSid, From,
  To, CallStatus, ApiVersion, Direction, ParentCallSid, ForwardedFrom, CallerName)
  plus what each webhook adds. ``SequenceNumber`` is not set here: the callback
  dispatcher numbers status and conference callbacks per call when it queues them.

A call is read like a ``voxctl.store.records.CallRecord`` (an object or a
mapping): ``id``, ``account_id``, ``to``, ``from_`` (``from`` in a mapping),
``status``, ``direction``, ``parent_call_id``, ``duration`` and, when present,
``forwarded_from``, ``caller_name`` and the ``recording_*`` fields. Ids become
Twilio SIDs (``CA...``, ``AC...``, ``CF...``, ``RE...``) in TwiML payloads; ids that
are already SIDs are kept. Statuses may be native (``answered``, ``no_answer``...)
or TwiML names; TwiML payloads always carry the TwiML names.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

from voxctl.store import ids
from voxctl.store.records import CallStatus, twilio_call_status
from voxctl.xml.verbs import TWIML

Moment = datetime | float | None

API_VERSION = "2010-04-01"

# VoxXML event names, by the block that sends them
GATHER_EVENTS = ("partial_input", "complete_input")
NUMBER_EVENTS = ("queued", "ringing", "answered", "complete", "no_connect")
CONFERENCE_EVENTS = ("start", "end", "join", "leave", "dtmf", "mute", "unmute", "mute_all", "unmute_all")
_PARTICIPANT_REQUIRED = ("join", "leave", "dtmf", "mute", "unmute")

# TwiML
CALL_PROGRESS_EVENTS = ("initiated", "ringing", "answered", "completed")
FINAL_CALL_STATUSES = ("completed", "busy", "failed", "no-answer", "canceled")
CONFERENCE_CALLBACK_EVENTS = ("conference-start", "conference-end", "participant-join", "participant-leave",
                              "participant-mute", "participant-unmute", "participant-hold",
                              "participant-unhold")
CALL_PROGRESS_SOURCE = "call-progress-events"
CONFERENCE_SOURCE = "conference-events"


# -- time -------------------------------------------------------------------------------------

def _utc(now: Moment) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    if isinstance(now, datetime):
        return now.astimezone(timezone.utc) if now.tzinfo else now.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(now, timezone.utc)


def _whole_seconds(now: Moment) -> datetime:
    return datetime.fromtimestamp(math.floor(_utc(now).timestamp() + 0.5), timezone.utc)


def vox_time(now: Moment = None) -> str:
    """VoxXML event time: UTC to the nearest second, ``2021-08-16T19:37:04Z``."""
    return _whole_seconds(now).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc2822_time(now: Moment = None) -> str:
    """TwiML Timestamp: RFC 2822 in UTC, ``Mon, 16 Aug 2021 19:37:04 +0000``."""
    return format_datetime(_whole_seconds(now))


# -- VoxXML -----------------------------------------------------------------------------------

def _check(event: str, allowed: tuple[str, ...], what: str) -> None:
    if event not in allowed:
        raise ValueError(f"unknown {what} event {event!r}; expected one of {', '.join(allowed)}")


def vox_incoming_call(call_id: str, to: str, from_: str, now: Moment = None) -> dict[str, str]:
    """``api``/``incoming_call``: the body of an inbound call's document request."""
    return {"type": "api", "event": "incoming_call", "time": vox_time(now),
            "call_id": call_id, "to": to, "from": from_}


def vox_gather_event(event: str, call_id: str, value: str, input_method: str = "dtmf",
                     now: Moment = None) -> dict[str, str]:
    """``gather``/``partial_input`` or ``complete_input`` (the input travels under the event's name)."""
    _check(event, GATHER_EVENTS, "gather")
    return {"type": "gather", "event": event, "call_id": call_id, "time": vox_time(now),
            event: value, "input_method": input_method}


def vox_number_event(event: str, call_id: str, destination_number: str, now: Moment = None) -> dict[str, str]:
    """``number``/queued, ringing, answered, complete, no_connect (a Dial's legs too)."""
    _check(event, NUMBER_EVENTS, "number")
    return {"type": "number", "event": event, "call_id": call_id,
            "destination_number": destination_number, "time": vox_time(now)}


def vox_conference_event(event: str, conference_id: str, participant_id: str | None = None,
                         participant_label: str | None = None, dtmf: str | None = None,
                         now: Moment = None) -> dict[str, str]:
    """``conference`` events; ``participant_label`` is left out when unset, ``dtmf`` is the key."""
    _check(event, CONFERENCE_EVENTS, "conference")
    payload = {"type": "conference", "event": event, "time": vox_time(now), "conference_id": conference_id}
    if event in ("start", "end"):
        return payload
    if event in _PARTICIPANT_REQUIRED and not participant_id:
        raise ValueError(f"conference event {event!r} needs a participant_id")
    if event == "dtmf":
        if not dtmf:
            raise ValueError("conference event 'dtmf' needs the digit")
        payload["dtmf"] = dtmf
    return _compact({**payload, "participant_id": participant_id, "participant_label": participant_label or None})


# -- TwiML ------------------------------------------------------------------------------------

def _field(record: Any, *names: str) -> Any:
    """The first of ``names`` that ``record`` (a mapping or an object) has a value for."""
    for name in names:
        value = record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)
        if value is not None:
            return value
    return None


def _sid(prefix: str, value: str | None) -> str | None:
    """A record id as its Twilio SID (``CA...``); a value that is already a SID stays."""
    return ids.to_sid(prefix, value) if ids.is_uuid(value) else value


def _compact(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def _flag(value: Any) -> str:
    return "true" if value else "false"


def _seconds(value: Any) -> str | None:
    return None if value is None else str(int(value))


def twiml_call_status(status: str, direction: str | None = None) -> str:
    """The TwiML CallStatus for a native status (TwiML names pass unchanged)."""
    if status in CallStatus.ALL:
        return twilio_call_status(status, direction or "inbound")
    return status


def twiml_call_params(call: Any) -> dict[str, str]:
    """The standard request parameters: every TwiML document request and callback carries them."""
    direction = _field(call, "direction")
    return _compact({
        "CallSid": _sid(ids.CALL, _field(call, "id")),
        "AccountSid": _sid(ids.ACCOUNT, _field(call, "account_id")),
        "From": _field(call, "from_", "from"),
        "To": _field(call, "to"),
        "CallStatus": twiml_call_status(_field(call, "status"), direction),
        "ApiVersion": API_VERSION,
        "Direction": direction,
        "ParentCallSid": _sid(ids.CALL, _field(call, "parent_call_id")),
        "ForwardedFrom": _field(call, "forwarded_from"),
        "CallerName": _field(call, "caller_name"),
    })


FAR_END = ("caller", "callee")  # a record's hangup_by values that name the far end of the call


def twiml_hangup(call: Any) -> tuple[str | None, str | None]:
    """(HangupBy, HangupDirection) of an ended call, from its record's ``hangup_by``.

    HangupBy is the number of the side that hung up: the far end (``caller`` is
    From, ``callee`` is To) or our own side (the document, the API or the system:
    To of an inbound call, From of an outbound one). HangupDirection is
    ``inbound`` when the hangup came to us from the far end, ``outbound`` when we
    ended the call. (None, None) while nobody has hung up.
    """
    who = _field(call, "hangup_by")
    if not who:
        return None, None
    inbound = _field(call, "direction") == "inbound"
    if who in FAR_END:
        return _field(call, "from_", "from") if who == "caller" else _field(call, "to"), "inbound"
    return (_field(call, "to") if inbound else _field(call, "from_", "from")), "outbound"


def twiml_status_callback(call: Any, *, now: Moment = None, hangup_by: str | None = None,
                          hangup_direction: str | None = None) -> dict[str, str]:
    """A call-progress status callback.

    CallDuration is present on the final (completed) event only, with HangupBy and
    HangupDirection (given, else :func:`twiml_hangup` of the record); RecordingUrl,
    RecordingSid and RecordingDuration come from the call's ``recording_url``,
    ``recording_id`` and ``recording_duration`` when it has them.
    """
    params = twiml_call_params(call)
    final = params["CallStatus"] in FINAL_CALL_STATUSES
    if final and hangup_by is None and hangup_direction is None:
        hangup_by, hangup_direction = twiml_hangup(call)
    return _compact({
        **params,
        "CallbackSource": CALL_PROGRESS_SOURCE,
        "Timestamp": rfc2822_time(now),
        "CallDuration": str(int(_field(call, "duration") or 0)) if final else None,
        "RecordingUrl": _field(call, "recording_url"),
        "RecordingSid": _sid(ids.RECORDING, _field(call, "recording_id")),
        "RecordingDuration": _seconds(_field(call, "recording_duration")),
        "HangupBy": hangup_by,
        "HangupDirection": hangup_direction,
    })


def twiml_gather_action(call: Any, digits: str | None, *, speech_result: str | None = None,
                        confidence: float | None = None) -> dict[str, str]:
    """<Gather action>: the standard parameters plus Digits (and SpeechResult/Confidence for speech)."""
    return _compact({**twiml_call_params(call), "Digits": digits, "SpeechResult": speech_result,
                     "Confidence": None if confidence is None else str(confidence)})


def twiml_dial_action(call: Any, dial_call_status: str, *, dial_call_sid: str | None = None,
                      dial_call_duration: int | None = None, dial_ring_duration: int | None = None,
                      recording_url: str | None = None) -> dict[str, str]:
    """<Dial action>: DialCallStatus, and DialCallSid/Duration/RingDuration unless a conference was dialled."""
    return _compact({**twiml_call_params(call), "DialCallStatus": twiml_call_status(dial_call_status),
                     "DialCallSid": _sid(ids.CALL, dial_call_sid),
                     "DialCallDuration": _seconds(dial_call_duration),
                     "DialRingDuration": _seconds(dial_ring_duration), "RecordingUrl": recording_url})


def twiml_record_action(call: Any, recording_url: str, recording_duration: int, digits: str | None = None, *,
                        recording_id: str | None = None) -> dict[str, str]:
    """<Record action>: RecordingUrl, RecordingDuration and the key that ended it (Digits)."""
    return _compact({**twiml_call_params(call), "RecordingUrl": recording_url,
                     "RecordingSid": _sid(ids.RECORDING, recording_id),
                     "RecordingDuration": _seconds(recording_duration), "Digits": digits})


def twiml_conference_event(event: str, conference: Any, participant: Any = None, *,
                           now: Moment = None) -> dict[str, str]:
    """A conference status callback (StatusCallbackEvent ``conference-start`` ... ``participant-unhold``).

    ``conference`` has ``id``, ``name``, ``account_id`` and, once ended,
    ``reason_ended`` and ``ended_by_call_id``; ``participant`` (for the
    participant-* events) has ``call_id``, ``label``, ``muted``, ``hold``,
    ``coaching``, ``end_conference_on_exit`` and ``start_conference_on_enter``.
    """
    _check(event, CONFERENCE_CALLBACK_EVENTS, "conference callback")
    params = {
        "ConferenceSid": _sid(ids.CONFERENCE, _field(conference, "id")),
        "FriendlyName": _field(conference, "name"),
        "AccountSid": _sid(ids.ACCOUNT, _field(conference, "account_id")),
        "StatusCallbackEvent": event,
        "CallbackSource": CONFERENCE_SOURCE,
        "Timestamp": rfc2822_time(now),
    }
    if event == "conference-end":
        params.update(ReasonConferenceEnded=_field(conference, "reason_ended"),
                      CallSidEndingConference=_sid(ids.CALL, _field(conference, "ended_by_call_id")))
    if event.startswith("participant-"):
        if participant is None:
            raise ValueError(f"conference callback {event!r} needs the participant")
        params.update(
            CallSid=_sid(ids.CALL, _field(participant, "call_id")),
            ParticipantLabel=_field(participant, "label") or None,
            Muted=_flag(_field(participant, "muted")),
            Hold=_flag(_field(participant, "hold")),
            Coaching=_flag(_field(participant, "coaching")),
            EndConferenceOnExit=_flag(_field(participant, "end_conference_on_exit")),
            StartConferenceOnEnter=_flag(_field(participant, "start_conference_on_enter")),
        )
    return _compact(params)


# -- which events a verb asked for ------------------------------------------------------------

def split_events(value: str | Iterable[str] | None) -> list[str]:
    """statusCallbackEvent as a list: a string or repeated values, each space- or comma-separated."""
    items = [value] if isinstance(value, str) else list(value or ())
    return [word for item in items for word in re.split(r"[\s,]+", item) if word]


def _vox_keyword(name: str) -> str:
    """VoxXML keywords are camelCase (``noConnect``, ``fullResult``), events snake_case: one key for both."""
    key = re.sub(r"[-_]", "", name).lower()
    return {"partialinput": "partialresult", "completeinput": "fullresult"}.get(key, key)


def _twiml_keyword(name: str) -> str:
    """TwiML keywords: call progress (a final CallStatus is the completed event) or conference events."""
    key = name.lower()
    for prefix in ("conference-", "participant-"):
        key = key.removeprefix(prefix)
    if key in FINAL_CALL_STATUSES:
        return "completed"
    return {"in-progress": "answered", "unmute": "mute", "unhold": "hold"}.get(key, key)


def wants(event: str, status_callback_event: str | Iterable[str] | None, flavour: str) -> bool:
    """Whether a verb whose statusCallbackEvent is ``status_callback_event`` asked for ``event``.

    VoxXML: only the listed keywords (spec default: none). TwiML: the listed
    events, or ``completed`` alone when the list is empty (a statusCallback
    without statusCallbackEvent); ``mute`` covers unmute and ``hold`` unhold.
    """
    if flavour == TWIML:
        keywords = {_twiml_keyword(k) for k in split_events(status_callback_event)} or {"completed"}
        return _twiml_keyword(event) in keywords
    return _vox_keyword(event) in {_vox_keyword(k) for k in split_events(status_callback_event)}
