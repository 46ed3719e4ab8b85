"""Conference and participant records.

Conferences are created on demand when the first call joins a room name; the
live-by-name index (``keys.LIVE_CONFERENCE_BY_NAME``) holds the open conference
of each account's room name, and ``get_or_create_active`` is one Lua script, so
calls racing into a new room all get the same conference. The switch-side room
name (``fs_name``) is derived from the account id and the room name, so two
accounts' "room1" never meet on a shared FreeSWITCH.

A participant's id is its call id; its record lives under its conference
(``keys.PARTICIPANT``) and stays in the conference's current-member index until
it leaves (a final status), after which it is kept ``retention`` seconds.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from typing import Any

import redis

from voxctl.store import keys
from voxctl.store.calls import RETENTION
from voxctl.store.ids import is_uuid, new_id
from voxctl.store.records import (
    ConferenceRecord,
    ConferenceStatus,
    ParticipantRecord,
    ParticipantStatus,
)
from voxctl.store.table import Index, Page, Table, filter_keys

_CONFERENCE_INDEXES = (
    Index(keys.ACCOUNT_CONFERENCES),
    Index(keys.CONFERENCES_BY_NAME),
    Index(keys.CONFERENCES_BY_STATUS),
    Index(keys.LIVE_CONFERENCE_BY_NAME, live=True),
    Index(keys.LIVE_CONFERENCES, live=True),
    Index(keys.NODE_LIVE_CONFERENCES, live=True),
)
_CONFERENCE_STAMPS = {
    ConferenceStatus.IN_PROGRESS: ("start_time",),
    **{status: ("end_time",) for status in ConferenceStatus.FINAL},
}

_PARTICIPANT_INDEXES = (
    Index(keys.CONFERENCE_PARTICIPANTS, live=True),
    Index(keys.PARTICIPANT_BY_MEMBER, live=True),
    Index(keys.PARTICIPANT_BY_CALL, live=True),
)
_PARTICIPANT_STAMPS = {
    ParticipantStatus.CONNECTED: ("joined_time",),
    **{status: ("left_time",) for status in ParticipantStatus.FINAL},
}

_SAFE_ROOM = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def fs_room_name(account_id: str, name: str) -> str:
    """The switch's room name for an account's room: ``vox-<account hex>-<name>``.

    Names that are not plain ``[A-Za-z0-9_.-]`` (FreeSWITCH gives ``@`` and ``+``
    meaning in conference names) are replaced by a digest of the name.
    """
    room = name if _SAFE_ROOM.match(name) else "h" + hashlib.sha256(name.encode()).hexdigest()[:24]
    return f"vox-{uuid.UUID(account_id).hex}-{room}"


class Conferences:
    """Conference rooms of every account."""

    def __init__(self, client: redis.Redis, retention: float = RETENTION) -> None:
        self.table: Table[ConferenceRecord] = Table(client, ConferenceRecord, keys.CONFERENCE, _CONFERENCE_INDEXES,
                                                    ConferenceStatus.ALL, ConferenceStatus.FINAL, retention)

    def create(self, record: ConferenceRecord) -> ConferenceRecord:
        """Store a new conference (id and ``fs_name`` filled in when empty)."""
        return self.table.insert(self._complete(record))[0]

    def get(self, conf_id: str, account_id: str | None = None) -> ConferenceRecord | None:
        """The conference, or None; with ``account_id``, another account's conference is None too."""
        return self.table.get(self.table.key(id=conf_id), account_id) if is_uuid(conf_id) else None

    def update(self, conf_id: str, **fields: object) -> ConferenceRecord | None:
        """Change fields (``None`` clears one); a final status stays. The updated record, or None."""
        return self.table.update(self.table.key(id=conf_id), fields)[0]

    def set_status(self, conf_id: str, status: str, only_from: tuple[str, ...] = (),
                   **fields: object) -> ConferenceRecord | None:
        """Move to ``status`` (stamping start/end times); None if missing or already final (or, with
        ``only_from``, not in one of those statuses: checked atomically)."""
        return self.table.set_status(self.table.key(id=conf_id), status, fields, _CONFERENCE_STAMPS,
                                     only_from=only_from)

    def end(self, conf_id: str, **fields: object) -> ConferenceRecord | None:
        """Mark the conference complete (e.g. ``reason_ended=...``); None if missing or already final."""
        return self.set_status(conf_id, ConferenceStatus.COMPLETE, **fields)

    def list(self, account_id: str, page: int = 1, page_size: int = 25, name: str | None = None,
             status: str | None = None) -> Page:
        """One page of an account's conferences, newest first, and the total matching the filters."""
        filters = [(keys.CONFERENCES_BY_NAME, "name", name), (keys.CONFERENCES_BY_STATUS, "status", status)]
        return self.table.page(filter_keys(keys.ACCOUNT_CONFERENCES, filters, account_id=account_id),
                               page, page_size)

    def active_by_name(self, account_id: str, name: str) -> ConferenceRecord | None:
        """The account's open (not final) conference called ``name``, or None."""
        return self.table.first(keys.fill(keys.LIVE_CONFERENCE_BY_NAME, account_id=account_id, name=name))

    def get_or_create_active(self, account_id: str, name: str,
                             defaults: Mapping[str, Any] | None = None) -> tuple[ConferenceRecord, bool]:
        """The open conference ``name`` of the account, created (status queued, ``defaults`` applied)
        if there is none: ``(record, created)``. Atomic: racing callers get the same conference."""
        record = self._complete(ConferenceRecord(**{**(defaults or {}), "account_id": account_id, "name": name}))
        return self.table.insert(record, unique=keys.LIVE_CONFERENCE_BY_NAME)

    def active(self, node_id: str | None = None) -> list[ConferenceRecord]:
        """Conferences not yet final: all of them, or those held by ``node_id``."""
        index = keys.fill(keys.NODE_LIVE_CONFERENCES, node_id=node_id) if node_id else keys.LIVE_CONFERENCES
        return self.table.all(index)

    def delete(self, conf_id: str) -> bool:
        """Remove a conference record now; False if there was none."""
        return self.table.delete(self.table.key(id=conf_id))

    @staticmethod
    def _complete(record: ConferenceRecord) -> ConferenceRecord:
        if not record.account_id or not record.name:
            raise ValueError("a conference has an account and a name")
        record.id = record.id or new_id()
        record.fs_name = record.fs_name or fs_room_name(record.account_id, record.name)
        return record


class Participants:
    """Conference members; a participant's id is its call id."""

    def __init__(self, client: redis.Redis, retention: float = RETENTION) -> None:
        self.table: Table[ParticipantRecord] = Table(client, ParticipantRecord, keys.PARTICIPANT, _PARTICIPANT_INDEXES,
                                                     ParticipantStatus.ALL, ParticipantStatus.FINAL, retention)

    def add(self, record: ParticipantRecord) -> ParticipantRecord:
        """Store a new member of ``record.conference_id`` (``id`` and ``call_id`` are the call's id).

        A call that left this conference before may join it again (its old record is
        replaced); ValueError if it is a current member already.
        """
        record.id = record.id or record.call_id
        record.call_id = record.call_id or record.id
        if not (record.id and record.conference_id and record.account_id):
            raise ValueError("a participant has a call id, a conference and an account")
        return self.table.insert(record)[0]

    def get(self, conf_id: str, participant_id: str, account_id: str | None = None) -> ParticipantRecord | None:
        """The participant (current or past), or None; another account's is None too."""
        if not (is_uuid(conf_id) and is_uuid(participant_id)):
            return None
        return self.table.get(self.table.key(conference_id=conf_id, id=participant_id), account_id)

    def update(self, conf_id: str, participant_id: str, **fields: object) -> ParticipantRecord | None:
        """Change fields (``muted=True``, ``member_id=...``); the updated record, or None."""
        return self.table.update(self.table.key(conference_id=conf_id, id=participant_id), fields)[0]

    def set_status(self, conf_id: str, participant_id: str, status: str, **fields: object) -> ParticipantRecord | None:
        """Move to ``status`` (``connected`` stamps joined_time, a final one left_time); None if missing or final."""
        return self.table.set_status(self.table.key(conference_id=conf_id, id=participant_id), status, fields,
                                     _PARTICIPANT_STAMPS)

    def leave(self, conf_id: str, participant_id: str, **fields: object) -> ParticipantRecord | None:
        """The participant left: status complete, out of the member list, kept for ``retention``."""
        return self.set_status(conf_id, participant_id, ParticipantStatus.COMPLETE, **fields)

    def remove(self, conf_id: str, participant_id: str) -> bool:
        """Delete the participant's record now; False if there was none."""
        return self.table.delete(self.table.key(conference_id=conf_id, id=participant_id))

    def list(self, conf_id: str, page: int = 1, page_size: int = 25) -> Page:
        """One page of the conference's current members, newest first, and how many there are."""
        return self.table.page([keys.fill(keys.CONFERENCE_PARTICIPANTS, conference_id=conf_id)], page, page_size)

    def count(self, conf_id: str) -> int:
        """How many current members the conference has."""
        return self.table.count(keys.fill(keys.CONFERENCE_PARTICIPANTS, conference_id=conf_id))

    def by_member_id(self, conf_id: str, member_id: int | str) -> ParticipantRecord | None:
        """The current member with the switch's ``member_id``, or None."""
        return self.table.first(keys.fill(keys.PARTICIPANT_BY_MEMBER, conference_id=conf_id, member_id=member_id))

    def by_call_id(self, call_id: str) -> ParticipantRecord | None:
        """The call's current membership (of whichever conference), or None."""
        return self.table.first(keys.fill(keys.PARTICIPANT_BY_CALL, call_id=call_id))
