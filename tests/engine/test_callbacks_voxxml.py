"""VoxXML callbacks end to end: real calls through the simulator, a real local receiver, every event's exact fields.

Spec: shared/spec/voxtelesys-voice-api-and-voxxml.txt, "Callbacks". POST carries a
JSON body, GET the same fields url-encoded in the query; every request is signed
with ``X-Vox-Signature`` (the account's signing secret).
"""
from __future__ import annotations

import re

from tests.engine.helpers import wait_until
from tests.webhooks.conftest import VOX_TIME, vox_params, vox_signed
from voxctl import control
from voxctl.sim import Destination, DtmfOnPrompt
from voxctl.store.records import ConferenceStatus

NUMBER_FIELDS = {"type", "event", "call_id", "destination_number", "time"}
CONFERENCE_FIELDS = {"type", "event", "time", "conference_id"}
PARTICIPANT_FIELDS = CONFERENCE_FIELDS | {"participant_id", "participant_label"}


def _received(http_server, account, path, count):
    """The ``count`` callbacks that reached ``path``, each checked for its signature and time, as fields."""
    requests = http_server.wait_for(path, count)
    assert len(requests) == count, [vox_params(r) for r in requests]
    bodies = []
    for request in requests:
        assert vox_signed(http_server, request, account.record.signing_secret)
        body = vox_params(request)
        assert re.match(VOX_TIME, body["time"]), body
        bodies.append(body)
    return bodies


def _children(node, call):
    page = node.services.store.calls.list(node.services.store.calls.get(call.uuid).account_id, page_size=50)
    return {c.to: c.id for c in page.records if c.parent_call_id == call.uuid}


def test_incoming_call_is_the_signed_api_event(dial, http_server, account):
    call = dial("<Response><Hangup/></Response>", path="/in.xml", from_="15556668888").wait(10)
    [body] = _received(http_server, account, "/in.xml", 1)
    called = call.timeline[0].detail["to"]  # the "ringing" entry: the number the caller dialled
    assert body == {"type": "api", "event": "incoming_call", "time": body["time"], "call_id": call.uuid,
                    "to": called, "from": "15556668888"}


def test_gather_partial_and_complete_input_by_get(dial, http_server, account):
    hook = http_server.route("/gather", "")
    call = dial(f"<Response><Gather numDigits='3' timeout='5' statusCallback='{hook}' statusCallbackMethod='GET' "
                "statusCallbackEvent='partialResult fullResult'><Say>Enter your code</Say></Gather></Response>",
                dtmf=[DtmfOnPrompt(d, contains="your code", delay=n)
                      for d, n in (("4", 1.0), ("2", 1.5), ("7", 2.0))]).wait(10)
    bodies = _received(http_server, account, "/gather", 4)
    assert all(r.method == "GET" and r.body == b"" for r in http_server.requests_to("/gather"))
    expected = [("partial_input", "4"), ("partial_input", "42"), ("partial_input", "427"), ("complete_input", "427")]
    assert [(b["event"], b[b["event"]]) for b in bodies] == expected
    for body in bodies:
        assert body == {"type": "gather", "event": body["event"], "call_id": call.uuid, "time": body["time"],
                        body["event"]: body[body["event"]], "input_method": "dtmf"}


def test_only_the_listed_gather_event_is_sent(dial, http_server, account):
    hook = http_server.route("/gather", "")
    dial(f"<Response><Gather numDigits='2' timeout='3' statusCallback='{hook}' statusCallbackEvent='fullResult'>"
         "<Say>Code</Say></Gather><Say>done</Say></Response>",
         dtmf=[DtmfOnPrompt("1", contains="Code", delay=1.0), DtmfOnPrompt("9", contains="Code", delay=1.5)]).wait(10)
    [body] = _received(http_server, account, "/gather", 1)
    assert (body["event"], body["complete_input"]) == ("complete_input", "19")


def test_dial_sends_number_events_and_overrides_its_numbers(dial, node, sim, http_server, account):
    sim.set_destination("15557770001", Destination("answer", answer_after=1, stay=2))
    sim.set_destination("15557770002", Destination("busy"))
    hook = http_server.route("/dial", "")
    ignored = http_server.route("/number", "")
    call = dial(f"<Response><Dial statusCallback='{hook}' "
                "statusCallbackEvent='queued ringing answered complete noConnect'>"
                f"<Number statusCallback='{ignored}' statusCallbackEvent='queued'>15557770001</Number>"
                "<Number>15557770002</Number></Dial></Response>").wait(10)
    legs = _children(node, call)
    bodies = _received(http_server, account, "/dial", 6)
    assert http_server.requests_to("/number") == []
    by_leg = {}
    for body in bodies:
        assert set(body) == NUMBER_FIELDS and body["type"] == "number"
        assert body["call_id"] == legs[body["destination_number"]]
        by_leg.setdefault(body["destination_number"], []).append(body["event"])
    assert by_leg == {"15557770001": ["queued", "ringing", "answered", "complete"],
                      "15557770002": ["queued", "no_connect"]}


def test_top_level_number_uses_its_own_settings_by_get(dial, node, sim, http_server, account):
    sim.set_destination("15557770003", Destination("answer", answer_after=1, stay=1))
    hook = http_server.route("/number", "")
    call = dial(f"<Response><Number statusCallback='{hook}' statusCallbackMethod='GET' "
                "statusCallbackEvent='answered complete'>15557770003</Number></Response>").wait(10)
    bodies = _received(http_server, account, "/number", 2)
    leg = _children(node, call)["15557770003"]
    assert [(b["event"], b["call_id"], b["destination_number"]) for b in bodies] == [
        ("answered", leg, "15557770003"), ("complete", leg, "15557770003")]
    assert all(set(b) == NUMBER_FIELDS for b in bodies)


def test_conference_events_follow_the_first_participants_settings(dial, node, http_server, account):
    hook = http_server.route("/conf", "")
    other = http_server.route("/other", "")
    john = dial(f"<Response><Conference participantLabel='john' statusCallback='{hook}' "
                "statusCallbackEvent='start end join leave dtmf mute unmute muteAll unmuteAll'>cbroom"
                "</Conference></Response>")
    wait_until(lambda: http_server.requests_to("/conf"), 10, "start")
    mary = dial(f"<Response><Conference statusCallback='{other}' statusCallbackMethod='GET' "
                "statusCallbackEvent='join leave'>cbroom</Conference></Response>")
    store, bus = node.services.store, node.services.bus
    conf = store.conferences.list(account.id, name="cbroom").records[0]
    wait_until(lambda: store.participants.count(conf.id) == 2
               and all(p.member_id is not None for p in store.participants.list(conf.id).records), 10, "joined")
    http_server.wait_for("/conf", 3)
    node.services.switch.api(f"uuid_recv_dtmf {john.uuid} 2")
    http_server.wait_for("/conf", 4)
    control.deliver(bus, mary.uuid, control.mute(True))
    http_server.wait_for("/conf", 5)
    control.deliver(bus, mary.uuid, control.mute(False))
    http_server.wait_for("/conf", 6)
    control.deliver(bus, conf.id, control.conference_document("<Response><SetMute muted='true'/></Response>"))
    wait_until(lambda: any(r.json["event"] == "mute_all" for r in http_server.requests_to("/conf")), 10, "mute_all")
    control.deliver(bus, conf.id, control.conference_document("<Response><SetMute muted='false'/></Response>"))
    wait_until(lambda: any(r.json["event"] == "unmute_all" for r in http_server.requests_to("/conf")), 10,
               "unmute_all")
    control.end_conference(store, bus, store.conferences.get(conf.id))
    john.wait(10)
    mary.wait(10)
    wait_until(lambda: store.conferences.get(conf.id).status == ConferenceStatus.COMPLETE, 10, "ended")
    wait_until(lambda: any(r.json["event"] == "end" for r in http_server.requests_to("/conf")), 10, "end")
    bodies = _received(http_server, account, "/conf", len(http_server.requests_to("/conf")))
    assert http_server.requests_to("/other") == []

    def fields(event, who=None, **extra):
        base = {"type": "conference", "event": event, "conference_id": conf.id, **extra}
        if who is not None:
            base["participant_id"] = who.uuid
            if who is john:
                base["participant_label"] = "john"
        return base

    seen = [{k: v for k, v in b.items() if k != "time"} for b in bodies]
    assert seen[:4] == [fields("start"), fields("join", john), fields("join", mary), fields("dtmf", john, dtmf="2")]
    assert seen[4:6] == [fields("mute", mary), fields("unmute", mary)]
    assert fields("mute_all") in seen and fields("unmute_all") in seen
    assert seen.index(fields("mute_all")) < seen.index(fields("unmute_all"))
    # SetMute on the room mutes each member too: their own mute/unmute events come with it
    assert seen.count(fields("mute", john)) == 1 and seen.count(fields("unmute", john)) == 1
    assert sorted(s["participant_id"] for s in seen if s["event"] == "leave") == sorted([john.uuid, mary.uuid])
    assert seen[-1] == fields("end")
    for body in bodies:
        assert set(body) <= PARTICIPANT_FIELDS | {"dtmf"}
