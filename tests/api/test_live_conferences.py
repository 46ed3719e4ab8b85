"""``/api/v1/conferences`` and their participants, end to end on two nodes sharing one Redis.

The members are simulated callers whose calls run on the first node (which holds
them and the room); every request goes to the second node's API, so each command
travels over Redis. What each member hears is read from its simulator timeline.
"""
from __future__ import annotations

import uuid

import pytest

from tests.api.live import NativeApi, record, started
from tests.engine.helpers import WAV, wait_until
from tests.fixtures.node import Dialler
from voxctl.store.records import CallStatus, ConferenceStatus, ParticipantStatus

ROOM = "<Response><Conference>lobby</Conference><Say>after the room</Say></Response>"


class Room:
    """Two members in the room ``lobby`` on the first node; the second node's API."""

    def __init__(self, nodes, sim, http_server, account) -> None:
        self.holder, other = nodes
        self.sim = sim
        self.store = self.holder.services.store
        self.api = NativeApi(other, account)
        dial = Dialler(self.holder, sim, http_server, account)
        self.first = dial(ROOM, hangup_after=600)
        self.second = dial(ROOM, hangup_after=600)
        for member in (self.first, self.second):
            started(member, "conference_join")
        [self.conference] = self.store.conferences.list(account.id, name="lobby").records
        wait_until(lambda: all(self.participant(m).member_id for m in (self.first, self.second)), 10,
                   "both members to be recorded")
        self.url = f"/conferences/{self.conference.id}"

    def participant(self, member):
        return self.store.participants.get(self.conference.id, member.uuid)

    def speaking(self, member) -> bool:
        """Whether the switch lets ``member`` speak (not muted)."""
        room = self.sim.conferences.rooms[self.conference.fs_name]
        return next(m for m in room.members if m.channel.uuid == member.uuid).speak

    def members(self) -> list[str]:
        """The participant ids ``GET .../participants`` lists."""
        response = self.api.request("GET", f"{self.url}/participants")
        assert response.status_code == 200, response.text
        return sorted(p["id"] for p in response.json()["results"])

    def status(self) -> str:
        return self.store.conferences.get(self.conference.id).status


@pytest.fixture
def room(node_pair, sim, http_server, account) -> Room:
    return Room(node_pair, sim, http_server, account)


# --- the whole room ----------------------------------------------------------------------------


def test_a_room_document_speaks_to_everyone_mutes_everyone_and_hangup_ends_the_room(room):
    assert room.members() == sorted([room.first.uuid, room.second.uuid])
    room.api.send("POST", room.url, {"voxXML": "<Response><Say>Welcome everyone</Say>"
                                               "<SetMute muted='true'/></Response>"})
    for member in (room.first, room.second):
        started(member, "speak", "Welcome everyone")
    wait_until(lambda: not any(room.speaking(m) or not room.participant(m).muted for m in (room.first, room.second)),
               10, "everyone muted, on the switch and in the records")

    room.api.send("PATCH", room.url, {"voxXML": "<Response><Hangup/></Response>"})
    for member in (room.first, room.second):
        started(member, "conference_leave")
        started(member, "speak", "after the room")  # out of the ended room, each call goes on
    wait_until(lambda: room.status() == ConferenceStatus.COMPLETE, 10, "the room to end")
    assert room.members() == []
    assert room.api.request("GET", room.url).json()["status"] == "complete"
    listed = room.api.request("GET", "/conferences").json()["results"]
    assert [(c["id"], c["name"], c["status"]) for c in listed] == [(room.conference.id, "lobby", "complete")]
    assert room.api.request("POST", room.url, {"voxXML": "<Response><Hangup/></Response>"}).status_code == 422


def test_deleting_the_room_hangs_up_every_participant(room):
    room.api.send("DELETE", room.url)
    for member in (room.first, room.second):
        member.wait(10)
        assert "after the room" not in member.heard()
        assert [e.kind for e in member.timeline][-2:] == ["conference_leave", "hangup"]
        stored = record(room.holder, member.uuid)
        assert (stored.status, stored.hangup_by) == (CallStatus.COMPLETE, "api")
        assert room.participant(member).status == ParticipantStatus.COMPLETE
    wait_until(lambda: room.status() == ConferenceStatus.COMPLETE, 10, "the room to end")
    assert room.members() == []
    room.api.send("DELETE", room.url)  # an ended room: still 204


# --- one participant -----------------------------------------------------------------------------


def test_say_and_play_to_one_participant_only(room, http_server):
    tone = http_server.route("/private.wav", WAV, content_type="audio/wav")
    room.api.send("POST", f"{room.url}/participants/{room.first.uuid}",
                  {"voxXML": f"<Response><Say>Just for you</Say><Play>{tone}</Play></Response>"})
    started(room.first, "speak", "Just for you")
    started(room.first, "play", "private.wav")
    room.api.send("PATCH", f"{room.url}/participants/{room.second.uuid}",
                  {"xml": "<Response><Say>Only the second</Say></Response>"})
    started(room.second, "speak", "Only the second")
    assert "Just for you" not in room.second.heard() and "Only the second" not in room.first.heard()
    assert not any("private.wav" in str(e.detail) for e in room.second.timeline)


@pytest.mark.parametrize("key", ["voxXML", "xml"])
def test_mute_and_unmute_one_participant(room, key):
    first = f"{room.url}/participants/{room.first.uuid}"
    room.api.send("POST", first, {key: "<Response><SetMute muted='true'/></Response>"})
    wait_until(lambda: not room.speaking(room.first) and room.participant(room.first).muted, 10,
               "the first member muted, on the switch and in its record")
    assert room.speaking(room.second) and not room.participant(room.second).muted

    room.api.send("PATCH", first, {key: "<Response><SetMute muted='false'/></Response>"})
    wait_until(lambda: room.speaking(room.first) and not room.participant(room.first).muted, 10,
               "the first member unmuted, on the switch and in its record")


def test_redirect_takes_one_participant_out_to_a_new_document(room, http_server):
    url = http_server.route("/elsewhere.xml", "<Response><Say>Redirected</Say></Response>")
    room.api.send("POST", f"{room.url}/participants/{room.second.uuid}",
                  {"xml": f"<Response><Redirect method='GET'>{url}</Redirect></Response>"})
    room.second.wait(10)

    assert room.second.heard()[-1] == "Redirected" and "after the room" not in room.second.heard()
    assert http_server.requests_to("/elsewhere.xml")[0].method == "GET"
    assert room.participant(room.second).status == ParticipantStatus.COMPLETE
    assert record(room.holder, room.second.uuid).status == CallStatus.COMPLETE
    assert room.members() == [room.first.uuid]
    assert room.status() == ConferenceStatus.IN_PROGRESS and not room.first.channel.hungup.is_set()
    response = room.api.request("POST", f"{room.url}/participants/{room.second.uuid}",
                                {"voxXML": "<Response><Hangup/></Response>"})
    assert response.status_code == 422 and "complete" in response.json()["error"]["description"]


def test_hangup_ends_one_participants_call(room):
    room.api.send("PATCH", f"{room.url}/participants/{room.first.uuid}",
                  {"voxXML": "<Response><Hangup/></Response>"})
    room.first.wait(10)

    assert "after the room" not in room.first.heard()
    stored = record(room.holder, room.first.uuid)
    assert (stored.status, stored.hangup_by) == (CallStatus.COMPLETE, "api")
    assert room.members() == [room.second.uuid]
    assert room.status() == ConferenceStatus.IN_PROGRESS and not room.second.channel.hungup.is_set()


def test_participant_requests_that_cannot_apply(room, other_account):
    participant = f"{room.url}/participants/{room.first.uuid}"
    assert room.api.request("GET", participant).json()["conference_id"] == room.conference.id
    assert room.api.request("GET", participant, headers=other_account.headers).status_code == 404
    assert room.api.request("GET", f"/conferences/{uuid.uuid4()}/participants/{room.first.uuid}").status_code == 404
    for body, code in (({"voxXML": "<Response><Dial>15550001111</Dial></Response>"}, 5106),
                       ({"xml": "<Say>no Response</Say>"}, 5105), ({}, 422)):
        response = room.api.request("POST", participant, body)
        assert (response.status_code, response.json()["error"]["code"]) == (422, code)
    assert room.members() == sorted([room.first.uuid, room.second.uuid])
