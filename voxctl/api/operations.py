"""What the REST APIs do to calls, conferences and participants, whatever their flavour.

Each API reads its own request and renders its own answer; what happens in between
is here, once, over ``voxctl.control``:

* :func:`create_call` stores a new outbound call (status ``queued``) and queues it for
  an engine node to dial;
* :func:`drive` sends a command to the node holding a call, a conference or a
  participant (a participant's commands go to its call);
* :func:`end` ends a call or a conference whatever its state (``control.end_call``,
  ``control.end_conference``).

A record that cannot be driven (it has ended, or no node holds it) raises
:class:`NotLive`; each API turns it into its own error.
"""
from __future__ import annotations

from voxctl import control
from voxctl.services import Services
from voxctl.store.records import (
    CallRecord,
    CallStatus,
    ConferenceRecord,
    ConferenceStatus,
    ParticipantRecord,
    ParticipantStatus,
)

Record = CallRecord | ConferenceRecord | ParticipantRecord

_FINAL: dict[type, frozenset[str]] = {
    CallRecord: CallStatus.FINAL,
    ConferenceRecord: ConferenceStatus.FINAL,
    ParticipantRecord: ParticipantStatus.FINAL,
}


class NotLive(Exception):
    """``record`` has ended, or is not in progress on any node: it cannot be driven."""

    def __init__(self, record: Record) -> None:
        super().__init__(f"{type(record).__name__} {record.id} (status {record.status}) is not in progress")
        self.record = record


def is_final(record: Record) -> bool:
    """Whether ``record`` has reached a final status (it can no longer be driven)."""
    return record.status in _FINAL[type(record)]


def create_call(services: Services, record: CallRecord) -> CallRecord:
    """Store ``record`` as a queued outbound call and queue it for an engine node to dial."""
    record.status = CallStatus.QUEUED
    stored = services.store.calls.create(record)
    control.request_originate(services.redis, stored.id)
    return stored


def drive(services: Services, record: Record, command: control.Command) -> None:
    """Send ``command`` to the node holding ``record``; :class:`NotLive` when it is final or not held."""
    if is_final(record):
        raise NotLive(record)
    target = record.call_id if isinstance(record, ParticipantRecord) else record.id
    try:
        control.deliver(services.bus, target, command)
    except control.NotHeld:
        raise NotLive(record) from None


def end(services: Services, record: CallRecord | ConferenceRecord) -> None:
    """Hang up a call or end a conference, whatever its state (nothing to do once final).

    :class:`NotLive` when it is live in the store but no node holds it.
    """
    finish = control.end_call if isinstance(record, CallRecord) else control.end_conference
    try:
        finish(services.store, services.bus, record)
    except control.NotHeld:
        raise NotLive(record) from None
