"""Conferences and Participants driven with the ``twilio`` package in a live room of the simulator.

A simulated caller opens the room with ``<Dial><Conference>``; the API dials a second
party in (``participants.create``), changes it (mute, hold, announce), kicks it and
ends the room. The simulator's ``conference <room> list`` (what FreeSWITCH reports),
the channels' timelines and the stored participant records show each effect.
"""
from __future__ import annotations

from tests.engine.helpers import WAV, wait_until
from tests.laml.live import channel_of, heard_after_hangup, on_timeline, wait_final
from voxctl.sim import Destination
from voxctl.store import ids
from voxctl.store.records import ConferenceStatus, ParticipantRecord, ParticipantStatus

FROM = "+15551115555"
AGENT = "+15553360001"


class LiveRoom:
    """A room opened by a simulated caller, its conference resource, and an agent the API dialled in."""

    def __init__(self, node, node_twilio, sim, dial, name: str) -> None:
        self.node, self.sim, self.store = node, sim, node.services.store
        self.host = dial(f"<Response><Dial><Conference>{name}</Conference></Dial></Response>", flavour="twiml")
        wait_until(lambda: len(node_twilio.conferences.list(friendly_name=name, status="in-progress")) == 1, 10,
                   "the room to open")
        [self.resource] = node_twilio.conferences.list(friendly_name=name, status="in-progress")
        self.record = self.store.conferences.get(ids.from_sid(self.resource.sid, ids.CONFERENCE))
        self.api = node_twilio.conferences(self.resource.sid)
        sim.set_destination(AGENT, Destination("answer", stay=120))
        self.added = self.api.participants.create(from_=FROM, to=AGENT, label="agent")
        self.agent = channel_of(sim, self.added.call_sid)
        self.member(self.added.call_sid, lambda member: member.status == ParticipantStatus.CONNECTED
                    and member.member_id is not None, "the agent to join")

    def member(self, call_sid: str, predicate, what: str) -> ParticipantRecord:
        """The participant record of ``call_sid`` once it exists and ``predicate`` holds for it."""
        call_id = ids.from_sid(call_sid, ids.CALL)

        def holds() -> bool:
            member = self.store.participants.get(self.record.id, call_id)
            return member is not None and predicate(member)
        wait_until(holds, 10, what)
        return self.store.participants.get(self.record.id, call_id)

    def switch_flags(self, channel) -> set[str]:
        """The member flags the switch lists for ``channel`` (``hear``, ``speak``, ``floor``...)."""
        listed = self.sim.conferences.api(f"{self.record.fs_name} list").splitlines()
        [flags] = [line.split(";")[5] for line in listed if line.split(";")[2] == channel.uuid]
        return set(flags.split("|")) - {""}


def test_a_participant_dialled_into_a_live_room_is_muted_and_held(node, node_twilio, sim, dial):
    room = LiveRoom(node, node_twilio, sim, dial, "Standup")
    assert (room.added.status, room.added.label, room.added.conference_sid) == ("queued", "agent", room.resource.sid)
    assert [join["room"] for join in on_timeline(room.agent, "conference_join")] == [room.record.fs_name]
    fetched = room.api.participants("agent").fetch()  # by its label
    assert (fetched.call_sid, fetched.status, fetched.muted, fetched.hold) == (
        room.added.call_sid, "connected", False, False)
    assert {"hear", "speak"} <= room.switch_flags(room.agent)

    updated = room.api.participants(room.added.call_sid).update(muted=True, hold=True)
    assert (updated.muted, updated.hold) == (True, True)
    room.member(room.added.call_sid, lambda member: member.muted and member.hold, "mute and hold to apply")
    assert not {"hear", "speak"} & room.switch_flags(room.agent)
    assert [p.call_sid for p in room.api.participants.list(muted=True, hold=True)] == [room.added.call_sid]

    room.api.participants(room.added.call_sid).update(muted=False, hold=False)
    room.member(room.added.call_sid, lambda member: not member.muted and not member.hold, "unmute and unhold")
    assert {"hear", "speak"} <= room.switch_flags(room.agent)


def test_hold_and_mute_are_independent(node, node_twilio, sim, dial):
    room = LiveRoom(node, node_twilio, sim, dial, "Sync")
    member = room.api.participants(room.added.call_sid)
    member.update(muted=True)
    room.member(room.added.call_sid, lambda member: member.muted, "mute to apply")
    member.update(hold=True)
    room.member(room.added.call_sid, lambda member: member.hold, "hold to apply")
    member.update(hold=False)  # off hold, a muted participant hears the room again but stays muted
    assert room.member(room.added.call_sid, lambda member: not member.hold, "unhold to apply").muted
    assert {"hear", "speak"} & room.switch_flags(room.agent) == {"hear"}
    member.update(muted=False)
    member.update(hold=True)  # on hold, a participant is not muted: it is held
    assert not room.member(room.added.call_sid, lambda member: member.hold, "hold to apply").muted


def test_an_announcement_to_one_participant_plays_to_that_participant_only(node, node_twilio, sim, dial,
                                                                             http_server):
    room = LiveRoom(node, node_twilio, sim, dial, "Briefing")
    audio = http_server.route("/notice.wav", WAV, content_type="audio/wav")
    room.api.participants(room.added.call_sid).update(announce_url=audio)
    wait_until(lambda: on_timeline(room.agent, "play"), 10, "the announcement to play")
    assert on_timeline(room.agent, "play") == [{"file": f"http_cache://{audio}"}]
    assert {"file": f"http_cache://{audio}"} not in on_timeline(room.host.channel, "play")


def test_a_kicked_participant_leaves_and_ending_the_room_hangs_everyone_up(node, node_twilio, sim, dial):
    room = LiveRoom(node, node_twilio, sim, dial, "Retro")
    assert room.api.participants(room.added.call_sid).delete() is True
    assert heard_after_hangup(room.agent) == []  # its document ends once it leaves the room
    assert [leave["reason"] for leave in on_timeline(room.agent, "conference_leave")] == ["kick"]
    room.member(room.added.call_sid, lambda member: member.status == ParticipantStatus.COMPLETE, "the agent to leave")
    assert [p.call_sid for p in room.api.participants.list()] == [ids.to_sid(ids.CALL, room.host.uuid)]
    assert wait_final(node, room.added.call_sid).status == "complete"

    ended = room.api.update(status="completed")
    assert ended.sid == room.resource.sid
    room.host.wait(10)
    assert [leave["room"] for leave in on_timeline(room.host.channel, "conference_leave")] == [room.record.fs_name]
    wait_until(lambda: room.store.conferences.get(room.record.id).status == ConferenceStatus.COMPLETE, 10,
               "the room to end")
    assert room.api.fetch().status == "completed"
    assert [c.sid for c in node_twilio.conferences.list(friendly_name="Retro", status="completed")] == \
        [room.resource.sid]
    assert node_twilio.conferences.list(friendly_name="Retro", status="in-progress") == []
    assert room.api.participants.list() == []
