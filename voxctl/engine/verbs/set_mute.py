"""<SetMute>: mute or unmute a whole conference or one participant (conference and participant scope).

SetMute only appears in documents run on a conference or a participant
(``voxctl.engine.conference_control``), never on a call, so it has no call runner:
these two functions are what it does, switch side and in the records.
"""
from __future__ import annotations

from voxctl.engine.verbs.conference import member_id_of, notify
from voxctl.services import Services
from voxctl.store.records import ConferenceRecord, ParticipantRecord


def mute_conference(services: Services, conference: ConferenceRecord, muted: bool) -> None:
    """``conference <room> mute|unmute all``; every member's record follows; mute_all/unmute_all."""
    services.switch.conference(conference.fs_name, f"{'mute' if muted else 'unmute'} all")
    services.store.conferences.update(conference.id, muted=muted)
    for participant in services.store.participants.list(conference.id, page_size=1000).records:
        services.store.participants.update(conference.id, participant.id, muted=muted)
    notify(services, conference, "mute_all" if muted else "unmute_all")


def mute_participant(services: Services, conference: ConferenceRecord, participant: ParticipantRecord,
                     muted: bool) -> None:
    """``conference <room> mute|unmute <member>``; the member's mute/unmute event updates its record."""
    member = member_id_of(services, conference, participant.call_id)
    if member is None:
        return
    services.switch.conference(conference.fs_name, f"{'mute' if muted else 'unmute'} {member}")
    services.store.participants.update(conference.id, participant.id, muted=muted)
