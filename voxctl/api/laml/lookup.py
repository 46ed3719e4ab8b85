"""The authenticated account's records that a LaML URL names; Twilio's 404 ``20404`` otherwise.

Calls are named by CallSid. Conferences by ConferenceSid, or by the FriendlyName of
the account's open conference (as Twilio allows when adding a participant).
Participants by their CallSid or their label, among the conference's current
members: one that has left is no longer a participant. Another account's SID is
not found, exactly like an unknown one.
"""
from __future__ import annotations

from typing import TypeVar

from voxctl.api.laml.auth import current_account
from voxctl.api.laml.errors import not_found
from voxctl.services import Services
from voxctl.store import ids
from voxctl.store.records import CallRecord, ConferenceRecord, ParticipantRecord, ParticipantStatus

R = TypeVar("R")


def call(services: Services, sid: str) -> CallRecord:
    """The account's call ``sid``."""
    return _found(services.store.calls.get(_id(sid, ids.CALL), current_account().id))


def conference(services: Services, sid_or_name: str) -> ConferenceRecord:
    """The account's conference ``sid_or_name`` (a ConferenceSid, or the FriendlyName of an open one)."""
    if ids.is_sid(sid_or_name, ids.CONFERENCE):
        return _found(services.store.conferences.get(_id(sid_or_name, ids.CONFERENCE), current_account().id))
    return _found(open_conference(services, sid_or_name))


def open_conference(services: Services, name: str) -> ConferenceRecord | None:
    """The account's open conference called ``name``, or None."""
    return services.store.conferences.active_by_name(current_account().id, name)


def participant(services: Services, room: ConferenceRecord, sid_or_label: str) -> ParticipantRecord:
    """The current member of ``room`` with CallSid or label ``sid_or_label``."""
    if ids.is_sid(sid_or_label, ids.CALL):
        found = services.store.participants.get(room.id, _id(sid_or_label, ids.CALL), current_account().id)
        return _found(found if found is not None and found.status not in ParticipantStatus.FINAL else None)
    return _found(next((member for member in members(services, room) if member.label == sid_or_label), None))


def members(services: Services, room: ConferenceRecord) -> list[ParticipantRecord]:
    """Every current member of ``room``, newest first."""
    count = services.store.participants.count(room.id)
    return services.store.participants.list(room.id, 1, max(count, 1)).records


def _id(sid: str, prefix: str) -> str:
    """The record id inside ``sid``; 404 when it is not a SID of ``prefix``."""
    if not ids.is_sid(sid, prefix):
        raise not_found()
    return ids.from_sid(sid, prefix)


def _found(record: R | None) -> R:
    """``record``; 404 when there is none."""
    if record is None:
        raise not_found()
    return record
