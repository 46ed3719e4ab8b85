"""Say, Play, Pause, Hangup, Reject, If, Redirect: calls through the simulator and a real document server."""
from __future__ import annotations

import pytest

from tests.engine.helpers import WAV, entries, hang_up_when, hangup_cause
from voxctl.store.records import CallStatus


def record_of(node, call):
    return node.services.store.calls.get(call.uuid)


def test_say_answers_speaks_and_completes(dial, node):
    call = dial("<Response><Say voice='Joanna'>Hello there</Say></Response>").wait(10)
    assert call.heard() == ["Hello there"]
    speak = entries(call, "speak")[0]
    assert (speak.detail["engine"], speak.detail["voice"]) == ("flite", "slt")
    assert hangup_cause(call) == "NORMAL_CLEARING"
    record = record_of(node, call)
    assert record.status == CallStatus.COMPLETE
    assert record.answer_time and record.hangup_time and record.duration is not None
    assert record.direction == "inbound" and record.from_ == "15550000000"
    assert record.hangup_by == "document" and record.hangup_cause == "NORMAL_CLEARING"


def test_say_default_voice_loop_and_repeat_delay(dial):
    call = dial("<Response><Say loop='3' repeatDelay='2'>Again</Say></Response>", flavour="twiml").wait(10)
    assert call.heard() == ["Again"] * 3
    assert (entries(call, "speak")[0].detail["engine"], entries(call, "speak")[0].detail["voice"]) == ("flite", "kal")
    assert [e.detail["file"] for e in entries(call, "silence")] == ["sleep:2000"] * 2


def test_say_loop_zero_repeats_until_the_caller_hangs_up(dial, node):
    call = dial("<Response><Say loop='0'>Forever</Say></Response>")
    hang_up_when(call, lambda c: len(c.heard()) >= 3, "three rounds").wait(10)
    assert set(call.heard()) == {"Forever"}
    record = record_of(node, call)
    assert record.status == CallStatus.COMPLETE and record.hangup_by == "caller"


def test_say_separate_numbers(dial):
    call = dial("<Response><Say separateNumbers='true'>Code 1234 now</Say></Response>").wait(10)
    assert call.heard() == ["Code 1 2 3 4 now"]


def test_play_url_goes_through_the_http_cache_and_loops(dial, http_server):
    url = http_server.route("/tone.wav", WAV, content_type="audio/wav")
    call = dial(f"<Response><Play loop='2'>{url}</Play></Response>").wait(10)
    assert call.heard() == [f"http_cache://{url}"] * 2
    assert len(http_server.requests_to("/tone.wav")) == 1  # cached by the switch


def test_play_relative_url_and_missing_file_goes_on(dial, http_server):
    http_server.route("/media/tone.wav", WAV, content_type="audio/wav")
    call = dial("<Response><Play>/media/missing.wav</Play><Play>tone.wav</Play><Say>after</Say></Response>",
                path="/media/doc.xml").wait(10)
    assert call.heard()[-2:] == [f"http_cache://{http_server.url('/media/tone.wav')}", "after"]


def test_play_digits_sends_dtmf(dial):
    call = dial("<Response><Play digits='12#'/></Response>", flavour="twiml").wait(10)
    assert [e.detail["digits"] for e in entries(call, "send_dtmf")] == ["12#"]


def test_pause_sleeps_without_answering_first(dial):
    call = dial("<Response><Pause length='3'/><Say>late</Say></Response>").wait(10)
    silence = entries(call, "silence")[0]
    assert silence.detail["file"] == "sleep:3000"
    assert entries(call, "answer")[0].t >= silence.t + 2.9
    assert call.heard() == ["late"]


def test_hangup_ends_the_document(dial, node):
    call = dial("<Response><Say>one</Say><Hangup/><Say>never</Say></Response>").wait(10)
    assert call.heard() == ["one"]
    assert record_of(node, call).status == CallStatus.COMPLETE


@pytest.mark.parametrize("reason, cause, status", [
    ("", "CALL_REJECTED", CallStatus.FAILED),
    ("reason='busy'", "USER_BUSY", CallStatus.BUSY),
])
def test_reject_first_verb(dial, node, reason, cause, status):
    call = dial(f"<Response><Reject {reason}/><Say>never</Say></Response>").wait(10)
    assert not call.answered and call.heard() == []
    assert hangup_cause(call) == cause
    record = record_of(node, call)
    assert record.status == status and record.answer_time is None and record.hangup_cause == cause


def test_reject_after_another_verb_is_a_no_op(dial, node):
    call = dial("<Response><Say>hi</Say><Reject/><Say>still here</Say></Response>").wait(10)
    assert call.heard() == ["hi", "still here"]
    assert record_of(node, call).status == CallStatus.COMPLETE


def test_redirect_runs_the_new_document(dial, http_server):
    http_server.route("/next.xml", "<Response><Say>second</Say></Response>")
    call = dial("<Response><Say>first</Say><Redirect method='GET'>/next.xml</Redirect>"
                "<Say>never</Say></Response>").wait(10)
    assert call.heard() == ["first", "second"]
    assert http_server.requests_to("/next.xml")[0].method == "GET"


def test_redirect_post_sends_the_incoming_call_event(dial, http_server):
    http_server.route("/next.xml", "<Response><Say>second</Say></Response>")
    call = dial("<Response><Redirect>/next.xml</Redirect></Response>").wait(10)
    body = http_server.requests_to("/next.xml")[0].json
    assert body["call_id"] == call.uuid and body["event"] == "incoming_call"


def test_failed_redirect_continues_with_the_current_document(dial, node):
    call = dial("<Response><Redirect>/nowhere.xml</Redirect><Say>still here</Say></Response>").wait(10)
    assert call.heard() == ["still here"]
    record = record_of(node, call)
    assert record.status == CallStatus.COMPLETE and record.error is None


def test_redirect_loop_is_cut(dial, http_server, node):
    http_server.route("/loop.xml", "<Response><Redirect>/loop.xml</Redirect></Response>")
    call = dial(url=http_server.url("/loop.xml")).wait(10)
    assert len(http_server.requests_to("/loop.xml")) == node.settings.redirect_limit + 2
    assert hangup_cause(call) == "NORMAL_CLEARING"
