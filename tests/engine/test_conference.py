"""<Conference> through the simulator: records, waiting for a moderator, endConferenceOnExit, callbacks, control."""
from __future__ import annotations

import gevent

from voxctl import control
from voxctl.store.records import ConferenceStatus, ParticipantStatus


def _conference(node, account, name):
    return node.services.store.conferences.list(account.id, name=name).records[0]


def _until(predicate, timeout=5.0):
    """Wait (cooperatively, event-free helper for the test only) until ``predicate()`` holds."""
    with gevent.Timeout(timeout, AssertionError("condition not reached")):
        while not predicate():
            gevent.sleep(0.01)


def _joins(call):
    return [e.detail for e in call.timeline if e.kind == "conference_join"]


def test_wait_for_moderator_then_end_on_exit(dial, node, account, http_server):
    cb = http_server.route("/conf", "")
    waiter = dial(f"<Response><Conference startConferenceOnEnter='false' participantLabel='bob' muted='true' "
                  f"statusCallback='{cb}' statusCallbackEvent='start end join leave'>room1</Conference>"
                  "<Say>Conference has ended</Say></Response>")
    _until(lambda: any(e.kind == "play" for e in waiter.timeline))
    assert [e.detail["file"] for e in waiter.timeline if e.kind == "play"] == ["local_stream://moh"]
    conf = _conference(node, account, "room1")
    _until(lambda: node.services.store.conferences.get(conf.id).status == ConferenceStatus.IN_PROGRESS)
    participant = node.services.store.participants.get(conf.id, waiter.uuid)
    assert participant.status == ParticipantStatus.CONNECTED and participant.label == "bob"
    assert participant.muted and participant.member_id is not None
    moderator = dial("<Response><Conference endConferenceOnExit='true' statusCallback='http://127.0.0.1:9/x' "
                     "statusCallbackEvent='join'>room1</Conference></Response>", hangup_after=20)
    moderator.wait(10)
    waiter.wait(10)
    assert _joins(waiter)[0]["flags"] == ["mute"]
    assert _joins(moderator)[0]["flags"] == ["endconf", "moderator"]
    conf = node.services.store.conferences.get(conf.id)
    assert conf.status == ConferenceStatus.COMPLETE
    assert conf.reason_ended == "participant-with-end-conference-on-exit-left"
    assert node.services.store.participants.get(conf.id, waiter.uuid).status == ParticipantStatus.COMPLETE
    assert conf.fs_name.endswith("-room1") and account.id.replace("-", "") in conf.fs_name
    requests = http_server.wait_for("/conf", 6)
    events = [(r.json["event"], r.json.get("participant_id")) for r in requests]
    assert events[:2] == [("start", None), ("join", waiter.uuid)]
    assert ("join", moderator.uuid) in events and ("leave", waiter.uuid) in events
    assert events[-1] == ("end", None), events


def test_last_participant_leaving_ends_it_and_max_participants(dial, node, account):
    first = dial("<Response><Conference maxParticipants='2'>small</Conference></Response>", hangup_after=500)
    _until(lambda: _joins(first))  # the first caller's settings make the room
    second = dial("<Response><Conference>small</Conference></Response>", hangup_after=500)
    _until(lambda: _joins(second))
    conf = _conference(node, account, "small")
    _until(lambda: node.services.store.participants.count(conf.id) == 2)
    third = dial("<Response><Conference>small</Conference><Say>Next verb</Say></Response>").wait(10)
    assert "The conference is full." in third.heard() and third.heard()[-1] == "Next verb"
    first.channel.hangup("NORMAL_CLEARING")
    second.channel.hangup("NORMAL_CLEARING")
    first.wait(10)
    second.wait(10)
    conf = _conference(node, account, "small")
    assert conf.status == ConferenceStatus.COMPLETE and conf.reason_ended == "last-participant-left"


def test_conference_commands_over_the_bus(dial, node, account):
    one = dial("<Response><Conference>ctl</Conference><Say>kicked out</Say></Response>")
    two = dial("<Response><Conference>ctl</Conference></Response>")  # stays until the conference ends
    _until(lambda: _joins(one) and _joins(two))
    conf = _conference(node, account, "ctl")
    _until(lambda: node.services.store.participants.count(conf.id) == 2
           and all(p.member_id for p in node.services.store.participants.list(conf.id).records))
    bus = node.services.bus
    control.deliver(bus, conf.id, control.conference_document(
        "<Response><Say>Welcome everyone</Say><SetMute muted='true'/></Response>"))
    _until(lambda: "Welcome everyone" in two.heard())
    _until(lambda: all(p.muted for p in node.services.store.participants.list(conf.id).records))
    control.deliver(bus, one.uuid, control.kick())
    one.wait(10)
    assert one.heard()[-1] == "kicked out"
    control.end_conference(node.services.store, bus, node.services.store.conferences.get(conf.id))
    two.wait(10)
    assert node.services.store.conferences.get(conf.id).status == ConferenceStatus.COMPLETE


def test_replace_during_conference(dial, node, account):
    call = dial("<Response><Conference>rep</Conference><Say>not this</Say></Response>")
    _until(lambda: _joins(call))
    conf = _conference(node, account, "rep")
    _until(lambda: node.services.store.participants.get(conf.id, call.uuid).member_id is not None)
    control.deliver(node.services.bus, call.uuid, control.replace("<Response><Say>Replaced</Say></Response>"))
    call.wait(10)
    assert call.heard()[-1] == "Replaced"
    assert node.services.store.conferences.get(conf.id).status == ConferenceStatus.COMPLETE
