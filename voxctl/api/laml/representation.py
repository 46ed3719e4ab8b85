"""The Call, Conference and Participant resources as Twilio's REST API shows them.

One function per resource turns a store record into Twilio's JSON: SIDs for ids,
Twilio's status names, RFC 2822 times, ``duration`` as a string, and the resource's
``uri`` (and ``subresource_uris``) under ``base``, the account's URI on the mount
the request came in on (``/2010-04-01/Accounts/AC...``). Fields voxctl has no value
for (price, trunk...) are null, as Twilio shows them when unknown.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from voxctl.store import ids
from voxctl.store.records import (
    CallRecord,
    ConferenceRecord,
    ParticipantRecord,
    parse_time,
    twilio_call_status,
    twilio_conference_status,
)
from voxctl.webhooks.events import API_VERSION, rfc2822_time


def call(record: CallRecord, base: str) -> dict[str, Any]:
    """A Call resource."""
    return {
        "sid": record.sid,
        "date_created": _time(record.created_time),
        "date_updated": _time(record.modified_time),
        "parent_call_sid": _sid(ids.CALL, record.parent_call_id),
        "account_sid": _sid(ids.ACCOUNT, record.account_id),
        "to": record.to,
        "to_formatted": record.to,
        "from": record.from_,
        "from_formatted": record.from_,
        "phone_number_sid": None,
        "status": twilio_call_status(record.status, record.direction),
        "start_time": _time(record.start_time),
        "end_time": _time(record.hangup_time),
        "duration": None if record.duration is None else str(record.duration),
        "price": None,
        "price_unit": "USD",
        "direction": record.direction,
        "answered_by": record.answered_by,
        "api_version": API_VERSION,
        "forwarded_from": record.forwarded_from,
        "group_sid": None,
        "caller_name": record.caller_name,
        "queue_time": "0",
        "trunk_sid": None,
        "uri": f"{base}/Calls/{record.sid}.json",
        "subresource_uris": {},
    }


def conference(record: ConferenceRecord, base: str) -> dict[str, Any]:
    """A Conference resource."""
    uri = f"{base}/Conferences/{record.sid}"
    return {
        "account_sid": _sid(ids.ACCOUNT, record.account_id),
        "date_created": _time(record.created_time),
        "date_updated": _time(record.modified_time),
        "api_version": API_VERSION,
        "friendly_name": record.name,
        "region": None,
        "sid": record.sid,
        "status": twilio_conference_status(record.status),
        "uri": f"{uri}.json",
        "subresource_uris": {"participants": f"{uri}/Participants.json"},
        "reason_conference_ended": record.reason_ended,
        "call_sid_ending_conference": _sid(ids.CALL, record.ended_by_call_id),
    }


def participant(record: ParticipantRecord, base: str, room: str = "") -> dict[str, Any]:
    """A Participant resource; ``room`` names the conference in its URI while it has no sid yet."""
    conference_sid = _sid(ids.CONFERENCE, record.conference_id)
    call_sid = ids.to_sid(ids.CALL, record.call_id)
    return {
        "account_sid": _sid(ids.ACCOUNT, record.account_id),
        "call_sid": call_sid,
        "label": record.label,
        "call_sid_to_coach": None,
        "coaching": record.coaching,
        "conference_sid": conference_sid,
        "date_created": _time(record.created_time),
        "date_updated": _time(record.modified_time),
        "end_conference_on_exit": record.end_conference_on_exit,
        "muted": record.muted,
        "hold": record.hold,
        "start_conference_on_enter": record.start_conference_on_enter,
        "status": record.status,
        "queue_time": None,
        "uri": f"{base}/Conferences/{conference_sid or quote(room, safe='')}/Participants/{call_sid}.json",
    }


def _time(value: str | None) -> str | None:
    """A record timestamp in RFC 2822 (``Tue, 31 Aug 2010 20:36:28 +0000``)."""
    return None if value is None else rfc2822_time(parse_time(value))


def _sid(prefix: str, record_id: str | None) -> str | None:
    return ids.to_sid(prefix, record_id) if record_id else None
