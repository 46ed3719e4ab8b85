"""``voxctl.control``: the command vocabulary, delivery over the real bus, ending calls, the originate queue."""
from __future__ import annotations

import json
import uuid

import pytest

from voxctl import control
from voxctl.store.records import CallStatus, ConferenceStatus


def test_the_commands_are_the_documented_json_objects():
    assert control.replace("<Response/>") == {"op": "replace", "document": "<Response/>", "flavour": "voxxml"}
    assert control.replace("<Response/>", "twiml")["flavour"] == "twiml"
    assert control.redirect("http://x/y") == {"op": "redirect", "url": "http://x/y", "method": "POST"}
    assert control.redirect("http://x/y", "GET")["method"] == "GET"
    assert control.hangup() == {"op": "hangup", "cause": "NORMAL_CLEARING"}
    assert control.hangup("CALL_REJECTED")["cause"] == "CALL_REJECTED"
    assert control.cancel() == {"op": "cancel"}
    assert control.conference_document("<Response/>") == {"op": "document", "document": "<Response/>",
                                                          "flavour": "voxxml"}
    assert control.end() == {"op": "end"}
    assert control.announce("http://x/a.wav") == {"op": "announce", "url": "http://x/a.wav"}
    assert control.participant_document("c1", "<Response/>") == {
        "op": "participant_document", "conference_id": "c1", "document": "<Response/>", "flavour": "voxxml"}
    assert control.mute() == {"op": "mute", "muted": True}
    assert control.mute(False) == {"op": "mute", "muted": False}
    assert control.hold() == {"op": "hold", "hold": True}
    assert control.hold(False) == {"op": "hold", "hold": False}
    assert control.kick() == {"op": "kick"}


def test_every_command_survives_json():
    for command in (control.replace("<Response/>"), control.mute(), control.participant_document("c", "d")):
        assert json.loads(json.dumps(command)) == command


def test_request_originate_appends_to_the_queue_engines_pop(redis_client):
    control.request_originate(redis_client, "a")
    control.request_originate(redis_client, "b")
    assert redis_client.blpop([control.ORIGINATE_QUEUE], timeout=1) == (control.ORIGINATE_QUEUE, "a")
    assert redis_client.lrange(control.ORIGINATE_QUEUE, 0, -1) == ["b"]


def test_deliver_reaches_the_holding_node(services, engine_node):
    target = str(uuid.uuid4())
    engine_node.claim(target)
    control.deliver(services.bus, target, control.kick())
    assert engine_node.wait_for(1) == [(target, {"op": "kick"})]


def test_deliver_raises_not_held_when_nobody_holds_the_target(services):
    target = str(uuid.uuid4())
    with pytest.raises(control.NotHeld) as caught:
        control.deliver(services.bus, target, control.kick())
    assert caught.value.target_id == target


def test_end_call_cancels_a_queued_call_in_the_store(services, account, store):
    call = account.call(status=CallStatus.QUEUED)
    control.end_call(store, services.bus, call)
    record = store.calls.get(call.id)
    assert (record.status, record.hangup_by, record.hangup_cause) == ("canceled", "api", "ORIGINATOR_CANCEL")


def test_end_call_also_tells_a_node_that_popped_the_queued_call(services, account, store, engine_node):
    call = account.call(status=CallStatus.QUEUED)
    engine_node.claim(call.id)
    control.end_call(store, services.bus, call)
    assert engine_node.wait_for(1) == [(call.id, {"op": "cancel"})]


def test_end_call_passes_the_cause_to_an_answered_call(services, account, store, engine_node):
    call = account.call(status=CallStatus.ANSWERED)
    engine_node.claim(call.id)
    control.end_call(store, services.bus, call, cause="CALL_REJECTED")
    assert engine_node.wait_for(1) == [(call.id, {"op": "hangup", "cause": "CALL_REJECTED"})]


def test_end_call_accepts_a_call_that_ended_while_nobody_held_it(services, account, store):
    call = account.call(status=CallStatus.ANSWERED)
    store.calls.set_status(call.id, CallStatus.COMPLETE)
    control.end_call(store, services.bus, call)  # the stale record said answered: no NotHeld
    with pytest.raises(control.NotHeld):
        control.end_call(store, services.bus, account.call(status=CallStatus.ANSWERED))


def test_end_conference(services, account, store, engine_node):
    room = account.conference()
    with pytest.raises(control.NotHeld):
        control.end_conference(store, services.bus, room)
    engine_node.claim(room.id)
    control.end_conference(store, services.bus, room)
    assert engine_node.wait_for(1) == [(room.id, {"op": "end"})]
    store.conferences.set_status(room.id, ConferenceStatus.COMPLETE)
    control.end_conference(store, services.bus, store.conferences.get(room.id))
    assert engine_node.settled() == [(room.id, {"op": "end"})]  # nothing for the ended room
