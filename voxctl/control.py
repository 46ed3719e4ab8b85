"""The command vocabulary between the APIs (any node) and the engine (the node holding a call).

Commands are small JSON objects sent with ``ControlBus.send(target_id, command)`` to
the node that claimed the target (see docs/ARCHITECTURE.rst, "Shared services and the
control vocabulary"). Build them only with the constructors below, so the API and
the engine agree on every key:

* a call (target: the call id): :func:`replace`, :func:`redirect`, :func:`hangup`,
  :func:`cancel`;
* a conference (target: the conference id): :func:`conference_document`,
  :func:`end`, :func:`announce`;
* a participant (target: its call id): :func:`participant_document`, :func:`mute`,
  :func:`hold`, :func:`announce`, :func:`kick`.

:func:`deliver` sends one and raises :class:`NotHeld` when no node holds the target.
:func:`end_call` and :func:`end_conference` are what "hang it up" means from an API,
whatever the state (idempotent once final); :func:`request_originate` queues a new
outbound call for the engine nodes.

The engine's side of the contract: a node claims a call id *before* it originates or
runs it, and skips a popped call whose record is final already (an API cancelled it
while it was queued).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import redis

from voxctl.store import keys
from voxctl.store.records import (
    CallRecord,
    CallStatus,
    ConferenceRecord,
    ConferenceStatus,
)
from voxctl.xml.verbs import VOXXML

if TYPE_CHECKING:
    from voxctl.store import Store
    from voxctl.store.bus import ControlBus

Command = dict[str, Any]

ORIGINATE_QUEUE = keys.ORIGINATE_QUEUE
NORMAL_CLEARING = "NORMAL_CLEARING"
ORIGINATOR_CANCEL = "ORIGINATOR_CANCEL"

# --- calls ---------------------------------------------------------------------------------


def replace(document: str, flavour: str = VOXXML) -> Command:
    """Interrupt the running verb and run ``document`` instead (REST modify)."""
    return {"op": "replace", "document": document, "flavour": flavour}


def redirect(url: str, method: str = "POST") -> Command:
    """Interrupt the running verb, fetch the document at ``url`` and run it."""
    return {"op": "redirect", "url": url, "method": method}


def hangup(cause: str = NORMAL_CLEARING) -> Command:
    """Hang up an answered call with the switch's hangup ``cause``."""
    return {"op": "hangup", "cause": cause}


def cancel() -> Command:
    """Stop a call that is being dialled and has not been answered."""
    return {"op": "cancel"}


# --- conferences ---------------------------------------------------------------------------


def conference_document(document: str, flavour: str = VOXXML) -> Command:
    """Run a conference-scope document (Say, Play, Pause, SetMute, If, Redirect, Hangup) in the room."""
    return {"op": "document", "document": document, "flavour": flavour}


def end() -> Command:
    """End the conference: every participant's call is hung up."""
    return {"op": "end"}


def announce(url: str) -> Command:
    """Play the audio at ``url`` into the conference, or to one participant."""
    return {"op": "announce", "url": url}


# --- participants --------------------------------------------------------------------------


def participant_document(conference_id: str, document: str, flavour: str = VOXXML) -> Command:
    """Run a participant-scope document for one member of ``conference_id``."""
    return {"op": "participant_document", "conference_id": conference_id, "document": document,
            "flavour": flavour}


def mute(muted: bool = True) -> Command:
    """Mute (or unmute) one participant."""
    return {"op": "mute", "muted": muted}


def hold(on_hold: bool = True) -> Command:
    """Put one participant on hold (or take it off)."""
    return {"op": "hold", "hold": on_hold}


def kick() -> Command:
    """Take one participant out of its conference."""
    return {"op": "kick"}


# --- delivery ------------------------------------------------------------------------------


class NotHeld(Exception):
    """No node holds ``target_id`` (it has ended, has not started yet, or its node is gone)."""

    def __init__(self, target_id: str) -> None:
        super().__init__(f"no node holds {target_id}")
        self.target_id = target_id


def deliver(bus: ControlBus, target_id: str, command: Command) -> None:
    """Send ``command`` to the node holding ``target_id``; :class:`NotHeld` when there is none."""
    if not bus.send(target_id, command):
        raise NotHeld(target_id)


def end_call(store: Store, bus: ControlBus, call: CallRecord, cause: str = NORMAL_CLEARING) -> None:
    """Hang up ``call`` whatever its state; nothing to do once it is final.

    A queued call is cancelled in the store (the engine skips it) and a ``cancel`` is
    sent in case a node popped it meanwhile; a call being dialled gets ``cancel``; an
    answered one ``hangup(cause)``. :class:`NotHeld` when the call is live in the store
    but no node holds it.
    """
    if call.status in CallStatus.FINAL:
        return
    if call.status == CallStatus.QUEUED and store.calls.set_status(
            call.id, CallStatus.CANCELED, hangup_by="api", hangup_cause=ORIGINATOR_CANCEL) is not None:
        bus.send(call.id, cancel())
        return
    command = hangup(cause) if call.status == CallStatus.ANSWERED else cancel()
    _send_while_live(bus, call.id, command, lambda: store.calls.get(call.id), CallStatus.FINAL)


def end_conference(store: Store, bus: ControlBus, conference: ConferenceRecord) -> None:
    """End ``conference`` (every participant hung up); nothing to do once it is final.

    :class:`NotHeld` when the conference is live in the store but no node holds it.
    """
    if conference.status in ConferenceStatus.FINAL:
        return
    _send_while_live(bus, conference.id, end(), lambda: store.conferences.get(conference.id),
                     ConferenceStatus.FINAL)


def _send_while_live(bus: ControlBus, target_id: str, command: Command,
                     reread: Callable[[], Any], final: frozenset[str]) -> None:
    """Send ``command``; when nobody holds the target, :class:`NotHeld` unless it has ended meanwhile."""
    if bus.send(target_id, command):
        return
    current = reread()
    if current is not None and current.status not in final:
        raise NotHeld(target_id)


def request_originate(client: redis.Redis, call_id: str) -> None:
    """Queue ``call_id`` (its ``CallRecord`` stored, status queued) for an engine node to dial."""
    client.rpush(ORIGINATE_QUEUE, call_id)
