"""The Participants resource: a conference's current members, changing one, removing one, dialling one in.

* ``GET Participants``: the current members, newest first, filtered by Muted and Hold.
* ``POST Participants/{CallSid or Label}``: ``Muted``, ``Hold`` and ``AnnounceUrl`` become
  the control commands for the node holding that call; 200 with the participant.
* ``DELETE Participants/{CallSid or Label}``: takes it out of the conference; 204.
* ``POST Participants``: dials ``To`` from ``From`` (with the call's own StatusCallback
  trio, Timeout, TimeLimit, Record) into the room: a new outbound call whose document is
  ``<Response><Dial><Conference ...>room</Conference></Dial></Response>`` built from
  Label, Muted, Beep, StartConferenceOnEnter, EndConferenceOnExit, WaitUrl, WaitMethod,
  MaxParticipants, ConferenceRecord and the ConferenceStatusCallback trio. The room is
  the conference's sid, or a FriendlyName (the conference opens when the call joins
  it if none is open yet). 201 with the participant-to-be (status ``queued``).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from voxctl import control
from voxctl.api import operations
from voxctl.api.laml import calls, errors, lookup, params, representation
from voxctl.api.laml.auth import account_uri, current_account
from voxctl.api.laml.paging import PageRequest
from voxctl.services import Services
from voxctl.store import ids
from voxctl.store.records import ConferenceRecord, ConferenceStatus, ParticipantRecord, ParticipantStatus
from voxctl.xml import TWIML, DialNouns, VoxResponse

View = Callable[..., Any]

FILTERS = ("Muted", "Hold")
BEEPS = ("true", "false", "onEnter", "onExit")
CONFERENCE_EVENTS = ("start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement")
MAX_PARTICIPANTS = 250
# ConferenceRecord values and the Conference noun's record attribute
_RECORD = {"true": "record-from-start", "record-from-start": "record-from-start", "false": None,
           "do-not-record": None}


def list_participants(services: Services) -> View:
    """``GET Conferences/{sid}/Participants``."""
    def view(conference_sid: str) -> Any:
        room = lookup.conference(services, conference_sid)
        page = PageRequest.read(FILTERS)
        muted, on_hold = params.boolean("Muted"), params.boolean("Hold")
        chosen = [member for member in lookup.members(services, room)
                  if muted in (None, member.muted) and on_hold in (None, member.hold)]
        base = account_uri()
        return page.body("participants", f"{base}/Conferences/{room.sid}/Participants.json", page.window(chosen),
                         lambda record: representation.participant(record, base))
    return view


def fetch_participant(services: Services) -> View:
    """``GET Conferences/{sid}/Participants/{CallSid or Label}``."""
    def view(conference_sid: str, sid: str) -> Any:
        room = lookup.conference(services, conference_sid)
        return representation.participant(lookup.participant(services, room, sid), account_uri())
    return view


def update_participant(services: Services) -> View:
    """``POST Conferences/{sid}/Participants/{CallSid or Label}``: Muted, Hold, AnnounceUrl; 200."""
    def view(conference_sid: str, sid: str) -> Any:
        member = lookup.participant(services, lookup.conference(services, conference_sid), sid)
        muted, on_hold, announce = params.boolean("Muted"), params.boolean("Hold"), params.url("AnnounceUrl")
        commands = []
        if muted is not None:
            commands.append(control.mute(muted))
        if on_hold is not None:
            commands.append(control.hold(on_hold))
        if announce is not None:
            commands.append(control.announce(announce))
        try:
            for command in commands:
                operations.drive(services, member, command)
        except operations.NotLive:
            raise errors.not_live("Participant", sid) from None
        # the engine records the new state once the switch has applied it; the answer shows it already
        asked = {name: value for name, value in (("muted", muted), ("hold", on_hold)) if value is not None}
        return representation.participant(dataclasses.replace(member, **asked), account_uri())
    return view


def remove_participant(services: Services) -> View:
    """``DELETE Conferences/{sid}/Participants/{CallSid or Label}``: kicked; 204."""
    def view(conference_sid: str, sid: str) -> Any:
        member = lookup.participant(services, lookup.conference(services, conference_sid), sid)
        try:
            operations.drive(services, member, control.kick())
        except operations.NotLive:
            raise errors.not_live("Participant", sid) from None
        return "", 204
    return view


def add_participant(services: Services) -> View:
    """``POST Conferences/{sid or FriendlyName}/Participants``: 201 with the queued participant."""
    def view(conference_sid: str) -> Any:
        room = _room(services, conference_sid)
        name = room.name if room is not None else conference_sid
        call = calls.outbound_call(services.settings)
        nouns = _conference_nouns(name)
        noun = nouns.verbs[0]
        document = VoxResponse(TWIML).dial(nouns=nouns, time_limit=call.time_limit)
        call = operations.create_call(services, dataclasses.replace(
            call, voxxml=params.checked(document.to_xml(), "call", "the conference document")))
        member = ParticipantRecord(
            id=call.id, call_id=call.id, conference_id=room.id if room is not None else "",
            account_id=current_account().id, label=noun.participant_label, status=ParticipantStatus.QUEUED,
            created_time=call.created_time, modified_time=call.modified_time, muted=noun.muted,
            beep=noun.beep, start_conference_on_enter=noun.start_conference_on_enter,
            end_conference_on_exit=noun.end_conference_on_exit)
        return representation.participant(member, account_uri(), name), 201
    return view


def _room(services: Services, sid_or_name: str) -> ConferenceRecord | None:
    """The conference a participant is added to: by sid (it must not have ended), else the open one named so."""
    if not ids.is_sid(sid_or_name, ids.CONFERENCE):
        return lookup.open_conference(services, sid_or_name)
    room = lookup.conference(services, sid_or_name)
    if room.status in ConferenceStatus.FINAL:
        raise errors.not_live("Conference", sid_or_name)
    return room


def _conference_nouns(name: str) -> DialNouns:
    """The ``<Conference>`` noun the new participant's call joins, from the request's parameters."""
    record = params.choice("ConferenceRecord", _RECORD)
    attributes = {
        "participant_label": params.text("Label"),
        "muted": params.boolean("Muted"),
        "beep": params.choice("Beep", BEEPS),
        "start_conference_on_enter": params.boolean("StartConferenceOnEnter"),
        "end_conference_on_exit": params.boolean("EndConferenceOnExit"),
        "wait_url": params.url("WaitUrl"),
        "wait_method": params.method("WaitMethod"),
        "max_participants": params.integer("MaxParticipants", None, MAX_PARTICIPANTS, minimum=2),
        "record": _RECORD[record] if record is not None else None,
        "status_callback": params.url("ConferenceStatusCallback"),
        "status_callback_event": params.events("ConferenceStatusCallbackEvent", CONFERENCE_EVENTS),
        "status_callback_method": params.method("ConferenceStatusCallbackMethod"),
    }
    # an attribute not given takes the noun's default
    return DialNouns(TWIML).conference(name, **{key: value for key, value in attributes.items() if value is not None})
