"""Conference and participant scope through the simulator: media for one member, SetMute, beep,
maxParticipants, TwiML status callbacks, and the bus claim of a conference that ends on another node."""
from __future__ import annotations

import pytest

from tests.engine.helpers import WAV, entries, wait_until
from tests.fixtures.node import Dialler
from voxctl import control
from voxctl.engine.verbs.conference import BEEP, NO_SOUND
from voxctl.store.records import ConferenceStatus, ParticipantStatus


def _conference(node, account, name):
    return node.services.store.conferences.list(account.id, name=name).records[0]


def _room(node, account, name, calls, sim=None):
    """The conference once every call in ``calls`` is a member with a member id."""
    wait_until(lambda: node.services.store.conferences.list(account.id, name=name).records, what="the record")
    conf = _conference(node, account, name)
    participants = node.services.store.participants
    wait_until(lambda: all(participants.get(conf.id, c.uuid) is not None
                           and participants.get(conf.id, c.uuid).member_id for c in calls), what="the members")
    return conf


def _members(sim, conf):
    return {m.channel.uuid: m for m in sim.conferences.rooms[conf.fs_name].members}


def test_participant_scope_media_reaches_only_that_member(dial, node, account, http_server):
    url = http_server.route("/note.wav", WAV, content_type="audio/wav")
    one = dial("<Response><Conference>scope</Conference></Response>")
    two = dial("<Response><Conference>scope</Conference></Response>")
    conf = _room(node, account, "scope", [one, two])
    bus = node.services.bus
    control.deliver(bus, one.uuid, control.participant_document(
        conf.id, f"<Response><Say>Only for you</Say><Play>{url}</Play></Response>"))
    wait_until(lambda: any(url in h for h in one.heard()), what="the member's play")
    control.deliver(bus, conf.id, control.conference_document("<Response><Say>For everyone</Say></Response>"))
    wait_until(lambda: "For everyone" in one.heard() and "For everyone" in two.heard(), what="the room's say")
    assert "Only for you" in one.heard()
    assert not any("Only for you" in h or url in h for h in two.heard())
    control.end_conference(node.services.store, bus, node.services.store.conferences.get(conf.id))
    one.wait(10)
    two.wait(10)


def test_set_mute_conference_and_participant_scope(dial, node, account, sim):
    one = dial("<Response><Conference>mutes</Conference></Response>")
    two = dial("<Response><Conference>mutes</Conference></Response>")
    conf = _room(node, account, "mutes", [one, two])
    bus, participants = node.services.bus, node.services.store.participants
    control.deliver(bus, conf.id, control.conference_document("<Response><SetMute muted='true'/></Response>"))
    wait_until(lambda: all(p.muted for p in participants.list(conf.id).records), what="everyone muted")
    assert not any(m.speak for m in _members(sim, conf).values())
    assert node.services.store.conferences.get(conf.id).muted
    control.deliver(bus, two.uuid, control.participant_document(
        conf.id, "<Response><SetMute muted='false'/></Response>"))
    wait_until(lambda: not participants.get(conf.id, two.uuid).muted, what="two unmuted")
    members = _members(sim, conf)
    assert members[two.uuid].speak and not members[one.uuid].speak
    assert participants.get(conf.id, one.uuid).muted
    control.end_conference(node.services.store, bus, node.services.store.conferences.get(conf.id))
    one.wait(10)
    two.wait(10)


@pytest.mark.parametrize("beep, enter, leave", [
    ("true", BEEP, BEEP), ("false", NO_SOUND, NO_SOUND), ("onEnter", BEEP, NO_SOUND), ("onExit", NO_SOUND, BEEP)])
def test_beep(dial, node, account, beep, enter, leave):
    call = dial(f"<Response><Conference beep='{beep}'>beep-{beep}</Conference></Response>")
    conf = _room(node, account, f"beep-{beep}", [call])
    assert (call.variables["conference_enter_sound"], call.variables["conference_exit_sound"]) == (enter, leave)
    assert node.services.store.participants.get(conf.id, call.uuid).beep == beep
    call.channel.hangup("NORMAL_CLEARING")
    call.wait(10)


def test_max_participants_refuses_the_next_caller(dial, node, account):
    seated = [dial("<Response><Conference maxParticipants='2'>two-seats</Conference></Response>")]
    _room(node, account, "two-seats", seated)  # the first caller's settings make the room
    seated.append(dial("<Response><Conference>two-seats</Conference></Response>"))
    conf = _room(node, account, "two-seats", seated)
    refused = dial("<Response><Conference>two-seats</Conference><Say>Try later</Say></Response>").wait(10)
    assert refused.heard() == ["The conference is full.", "Try later"]
    assert not entries(refused, "conference_join")
    assert node.services.store.participants.get(conf.id, refused.uuid) is None
    assert node.services.store.participants.count(conf.id) == 2
    for call in seated:
        call.channel.hangup("NORMAL_CLEARING")
        call.wait(10)
    assert node.services.store.conferences.get(conf.id).status == ConferenceStatus.COMPLETE


def test_twiml_conference_status_callbacks(dial, node, account, http_server):
    hook = http_server.route("/conf-events", "")
    doc = (f"<Response><Dial><Conference statusCallback='{hook}' statusCallbackEvent='start end join leave mute hold' "
           "participantLabel='agent'>twiml-room</Conference></Dial></Response>")
    one = dial(doc, flavour="twiml")
    two = dial(doc, flavour="twiml")
    conf = _room(node, account, "twiml-room", [one, two])
    bus, participants = node.services.bus, node.services.store.participants
    http_server.wait_for("/conf-events", 3)
    control.deliver(bus, two.uuid, control.mute(True))
    control.deliver(bus, two.uuid, control.hold(True))
    wait_until(lambda: participants.get(conf.id, two.uuid).hold, what="two on hold")
    control.deliver(bus, two.uuid, control.hold(False))
    wait_until(lambda: not participants.get(conf.id, two.uuid).hold, what="two back")
    assert participants.get(conf.id, two.uuid).muted  # muted before the hold: still muted after it
    one.channel.hangup("NORMAL_CLEARING")
    one.wait(10)
    two.channel.hangup("NORMAL_CLEARING")
    two.wait(10)
    posted = http_server.wait_for("/conf-events", 9)
    seen = [(r.param("StatusCallbackEvent"), r.param("CallSid")) for r in posted]
    assert [e for e, _ in seen] == ["conference-start", "participant-join", "participant-join", "participant-mute",
                                    "participant-hold", "participant-unhold", "participant-leave",
                                    "participant-leave", "conference-end"]
    sid_one, sid_two = seen[6][1], seen[7][1]  # one left first
    assert {seen[1][1], seen[2][1]} == {sid_one, sid_two} and sid_one != sid_two
    assert seen[3][1] == seen[4][1] == seen[5][1] == sid_two
    assert all(r.param("ConferenceSid").startswith("CF") and r.param("FriendlyName") == "twiml-room"
               for r in posted)
    mute, hold, unhold = posted[3], posted[4], posted[5]
    assert (mute.param("Muted"), hold.param("Hold"), unhold.param("Hold")) == ("true", "true", "false")
    assert posted[1].param("ParticipantLabel") == "agent"
    assert posted[-1].param("ReasonConferenceEnded") == "last-participant-left"


def test_a_conference_ended_on_another_node_drops_its_claim(node_pair, sim, http_server, account):
    node_a, node_b = node_pair
    on_a, on_b = Dialler(node_a, sim, http_server, account), Dialler(node_b, sim, http_server, account)
    doc = "<Response><Conference>shared</Conference></Response>"
    first = on_a(doc)
    conf = _room(node_a, account, "shared", [first])
    second = on_b(doc)
    _room(node_a, account, "shared", [first, second])
    assert node_b.services.bus.owner(conf.id) == "node-a"
    first.channel.hangup("NORMAL_CLEARING")  # node-a's member leaves first: node-b's is the last
    first.wait(10)
    wait_until(lambda: node_a.services.store.participants.count(conf.id) == 1, what="one member left")
    control.end_conference(node_b.services.store, node_b.services.bus, node_b.services.store.conferences.get(conf.id))
    second.wait(10)
    ended = node_b.services.store.conferences.get(conf.id)
    assert ended.status == ConferenceStatus.COMPLETE
    assert node_b.services.bus.owner(conf.id) is None
    assert node_a.services.store.participants.get(conf.id, second.uuid).status == ParticipantStatus.COMPLETE

