"""Document errors, caller hangups mid-verb, crash isolation, replace over the bus, TwiML callbacks."""
from __future__ import annotations

import gevent
import pytest

from tests.engine.helpers import WAV, entries, hang_up_when, wait_until, wav
from voxctl import control
from voxctl.engine.verbs.record import BEEP
from voxctl.sim import DtmfOnPrompt
from voxctl.store.records import CallStatus


def record_of(node, call):
    return node.services.store.calls.get(call.uuid)


@pytest.mark.parametrize("body, content_type, code", [
    ("<Speak>no root</Speak>", "text/xml", 5105),
    ("<Response><Say>unclosed</Response>", "text/xml", 5106),
    ("<Response><Say>fine</Say></Response>", "application/json", 5108),
])
def test_document_errors_end_the_call_with_the_error_stored(dial, node, body, content_type, code):
    call = dial(body, content_type=content_type).wait(10)
    assert call.heard() == []
    record = record_of(node, call)
    assert record.status == CallStatus.FAILED
    assert record.error["code"] == code and record.error["description"] and record.error["time"]
    assert node.services.bus.owner(call.uuid) is None


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/unreachable.xml", None])
def test_unreachable_document_is_5107(dial, node, http_server, url):
    call = dial(url=url or http_server.url("/missing.xml")).wait(10)
    record = record_of(node, call)
    assert record.status == CallStatus.FAILED and record.error["code"] == 5107


def test_unbound_number_is_refused(node, sim):
    from voxctl.sim import CallScript
    call = sim.place_call(CallScript(to="19999999999", target=("127.0.0.1", node.outbound_port))).wait(10)
    assert entries(call, "hangup")[-1].detail["cause"] == "UNALLOCATED_NUMBER"
    assert node.services.store.calls.get(call.uuid) is None


def test_voxxml_document_request(dial, http_server):
    call = dial("<Response><Hangup/></Response>", path="/in.xml").wait(10)
    body = http_server.requests_to("/in.xml")[0].json
    assert body["type"] == "api" and body["event"] == "incoming_call"
    assert (body["call_id"], body["from"]) == (call.uuid, "15550000000") and body["to"]


def test_twiml_request_and_status_callbacks(dial, http_server, node):
    hook = http_server.route("/status", "")
    call = dial("<Response><Say>hi</Say></Response>", path="/in.xml", flavour="twiml",
                application={"status_callback": hook,
                             "status_callback_events": ["initiated", "answered", "completed"]}).wait(10)
    params = http_server.requests_to("/in.xml")[0]
    assert params.param("CallStatus") == "ringing" and params.param("Direction") == "inbound"
    assert params.param("ApiVersion") == "2010-04-01" and params.param("AccountSid").startswith("AC")
    statuses = http_server.wait_for("/status", 3)
    assert [(r.param("CallStatus"), r.param("SequenceNumber")) for r in statuses] == [
        ("ringing", "0"), ("in-progress", "1"), ("completed", "2")]
    assert statuses[-1].param("CallDuration") is not None
    assert record_of(node, call).status == CallStatus.COMPLETE


@pytest.mark.parametrize("verb", [
    "<Say loop='0'>talking</Say>",
    "<Play loop='0'>/tone.wav</Play>",
    "<Pause length='30'/>",
    "<Gather timeout='30'><Say>menu</Say></Gather>",
    "<Record maxLength='30' timeout='0'/>",
])
def test_caller_hangup_during_a_verb_finalises_the_record(dial, node, http_server, verb):
    http_server.route("/tone.wav", WAV, content_type="audio/wav")
    call = dial(f"<Response><Say>start</Say>{verb}<Say>never</Say></Response>")
    hang_up_when(call, lambda c: len([e for e in c.timeline if e.kind in ("speak", "play", "tone", "silence")]) > 1,
                 "the verb's media").wait(10)
    assert "never" not in call.heard()
    record = record_of(node, call)
    assert record.status == CallStatus.COMPLETE and record.hangup_by == "caller"
    assert record.hangup_time and record.duration >= 0
    assert node.services.bus.owner(call.uuid) is None and len(node.sessions) == 0


def test_caller_hangup_before_answer_is_canceled(dial, node):
    call = dial("<Response><Pause length='30'/><Say>never</Say></Response>", hangup_after=2).wait(10)
    record = record_of(node, call)
    assert record.status == CallStatus.CANCELED and record.answer_time is None


def test_one_call_crashing_does_not_touch_another(dial, node):
    good = dial("<Response><Say>one</Say><Pause length='3'/><Say>two</Say></Response>")
    bad = dial("<Response><Say>boom</Say><Play>http://[broken/x.wav</Play><Say>never</Say></Response>")
    bad.wait(10)
    good.wait(10)
    assert bad.heard() == ["boom"]
    assert record_of(node, bad).status == CallStatus.FAILED
    assert good.heard() == ["one", "two"]
    assert record_of(node, good).status == CallStatus.COMPLETE


@pytest.mark.parametrize("verb, started", [
    ("<Say loop='0'>talking</Say>", "speak"),
    ("<Play loop='0'>/tone.wav</Play>", "play"),
    ("<Pause length='60'/>", "silence"),
    ("<Gather timeout='60'><Say>menu</Say></Gather>", "speak"),
])
def test_replace_over_the_bus_interrupts_the_verb(dial, node, http_server, verb, started):
    http_server.route("/tone.wav", WAV, content_type="audio/wav")
    call = dial(f"<Response>{verb}<Say>never</Say></Response>")
    wait_until(lambda: entries(call, started), what=started)
    gevent.sleep(0.05)
    control.deliver(node.services.bus, call.uuid, control.replace("<Response><Say>Replaced</Say></Response>"))
    call.wait(10)
    assert call.heard()[-1] == "Replaced" and "never" not in call.heard()
    assert node.services.store.calls.get(call.uuid).status == CallStatus.COMPLETE


def test_redirect_and_hangup_over_the_bus(dial, node, http_server):
    url = http_server.route("/other.xml", "<Response><Say>Redirected</Say><Pause length='60'/></Response>")
    call = dial("<Response><Pause length='60'/></Response>")
    wait_until(lambda: entries(call, "silence"), what="pause")
    control.deliver(node.services.bus, call.uuid, control.redirect(url))
    wait_until(lambda: "Redirected" in call.heard(), what="redirect")
    record = node.services.store.calls.get(call.uuid)
    control.end_call(node.services.store, node.services.bus, record)
    call.wait(10)
    record = node.services.store.calls.get(call.uuid)
    assert record.status == CallStatus.COMPLETE and record.hangup_by == "api"


def test_record_with_finish_key_action_and_served_file(dial, node, http_server):
    import requests
    http_server.route("/recorded", "<Response><Say>Saved</Say></Response>")
    call = dial("<Response><Record action='/recorded' finishOnKey='#' maxLength='20'/></Response>",
                flavour="twiml", dtmf=[DtmfOnPrompt("#", BEEP, 1.5)]).wait(10)  # after the beep
    assert call.heard() == ["tone_stream://%(500,0,800)", "Saved"]
    posted = http_server.requests_to("/recorded")[0]
    assert posted.param("Digits") == "#" and posted.param("RecordingDuration") is not None
    record = record_of(node, call)
    assert record.recording_url == posted.param("RecordingUrl")
    answer = requests.get(posted.param("RecordingUrl"), timeout=5)
    assert answer.status_code == 200 and answer.content[:4] == b"RIFF"


def test_record_without_beep_stops_on_silence(dial, node):
    call = dial("<Response><Record playBeep='false' timeout='2' maxLength='30'/><Say>done</Say></Response>").wait(10)
    assert call.heard() == ["done"]
    assert entries(call, "record")[0].detail["path"].endswith(".wav")
    assert record_of(node, call).recording_id


@pytest.mark.parametrize("finish_on_key", ["#", "1234567890*#"])
def test_interrupted_record_leaves_no_digit_terminators(dial, node, http_server, finish_on_key):
    url = http_server.route("/long.wav", wav(10), content_type="audio/wav")
    call = dial(f"<Response><Record playBeep='false' maxLength='60' timeout='0' finishOnKey='{finish_on_key}'/>"
                "</Response>")
    wait_until(lambda: call.variables.get("current_application") == "record", what="the recording")
    control.deliver(node.services.bus, call.uuid, control.replace(f"<Response><Play>{url}</Play></Response>"))
    wait_until(lambda: entries(call, "play"), timeout=10, what="the replacement's Play")
    assert call.variables["playback_terminators"] == "none"
    call.channel.receive_dtmf("#")
    call.wait(10)
    played, pressed = entries(call, "play")[-1], entries(call, "dtmf")[-1]
    assert played.t <= pressed.t < played.t + 10  # pressed while it played
    assert "playback_terminator_used" not in call.variables
    assert int(call.variables["playback_ms"]) >= 9990  # the whole file was played
