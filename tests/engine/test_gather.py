"""Gather and If: digits kept across prompts, timeouts, finishOnKey, callbacks, TwiML action."""
from __future__ import annotations

from tests.engine.helpers import entries
from voxctl.sim import DtmfOnPrompt
from voxctl.store.records import CallStatus

MENU = ("<Response><Gather numDigits='{n}' timeout='3' {extra}>"
        "<Say>For sales press one.</Say><Say>For support press two.</Say></Gather>"
        "<Say>You entered $GATHER</Say></Response>")


def test_first_digit_stops_the_prompts_and_is_kept(dial):
    call = dial(MENU.format(n=1, extra=""), dtmf=[DtmfOnPrompt("1", "For sales")]).wait(10)
    assert call.heard() == ["For sales press one.", "You entered 1"]


def test_first_digit_on_a_later_prompt_plus_the_rest(dial):
    call = dial(MENU.format(n=3, extra=""),
                dtmf=[DtmfOnPrompt("4", "For support"), DtmfOnPrompt("56", "For support", 1.0)]).wait(10)
    assert call.heard() == ["For sales press one.", "For support press two.", "You entered 456"]


def test_finish_on_key_ends_the_input(dial):
    call = dial(MENU.format(n=5, extra="finishOnKey='*'"),
                dtmf=[DtmfOnPrompt("7", "For sales"), DtmfOnPrompt("8*", "For sales", 1.0)]).wait(10)
    assert call.heard()[-1] == "You entered 78"


def test_empty_finish_on_key_reads_until_num_digits(dial):
    call = dial(MENU.format(n=3, extra="finishOnKey=''"),
                dtmf=[DtmfOnPrompt("#", "For sales"), DtmfOnPrompt("#9", "For sales", 1.0)]).wait(10)
    assert call.heard()[-1] == "You entered ##9"


def test_timeout_without_input_loops_then_goes_on(dial):
    call = dial("<Response><Gather loop='2' repeatDelay='1' timeout='2'><Say>Menu</Say></Gather>"
                "<If variable='$GATHER' test='EQUAL' value=''><Say>nothing</Say></If>"
                "<Say>Got [$GATHER]</Say></Response>").wait(10)
    assert call.heard() == ["Menu", "Menu", "nothing", "Got []"]


def test_digit_after_the_prompts(dial):
    call = dial("<Response><Gather timeout='5'><Say>Menu</Say></Gather><Say>Got $GATHER</Say></Response>",
                dtmf=[DtmfOnPrompt("3", "Menu", 2.0)]).wait(10)  # 1.5 s after the prompt
    assert call.heard() == ["Menu", "Got 3"]


def test_gather_with_play_and_pause_prompts(dial, http_server):
    http_server.route("/beep.wav", b"RIFF", content_type="audio/wav")
    call = dial("<Response><Gather numDigits='1' timeout='2'><Pause length='1'/><Play>/beep.wav</Play>"
                "</Gather><Say>Got $GATHER</Say></Response>",
                dtmf=[DtmfOnPrompt("6", "beep.wav")]).wait(10)
    assert call.heard()[-1] == "Got 6"


def test_if_equal_and_notequal_with_several_values(dial):
    doc = ("<Response><Gather timeout='3'><Say>Pick</Say></Gather>"
           "<If variable='$GATHER' test='EQUAL' value='1|2'><Say>one or two</Say></If>"
           "<If variable='$GATHER' test='NOTEQUAL' value='1|2'><Say>other</Say><Hangup/></If>"
           "<Say>end</Say></Response>")
    assert dial(doc, dtmf=[DtmfOnPrompt("2", "Pick")]).wait(10).heard() == ["Pick", "one or two", "end"]
    assert dial(doc, dtmf=[DtmfOnPrompt("5", "Pick")]).wait(10).heard() == ["Pick", "other"]


def test_voxxml_partial_and_complete_callbacks(dial, http_server):
    hook = http_server.route("/events", "")
    call = dial(f"<Response><Gather numDigits='2' timeout='3' statusCallback='{hook}' "
                f"statusCallbackEvent='partialResult fullResult'><Say>Code</Say></Gather></Response>",
                dtmf=[DtmfOnPrompt("4", "Code"), DtmfOnPrompt("2", "Code", 1.0)]).wait(10)
    bodies = [r.json for r in http_server.wait_for("/events", 3)]
    assert [(b["event"], b.get("partial_input") or b.get("complete_input")) for b in bodies] == [
        ("partial_input", "4"), ("partial_input", "42"), ("complete_input", "42")]
    assert all(b["call_id"] == call.uuid for b in bodies)


def test_twiml_action_posts_digits_and_runs_the_answer(dial, http_server, node):
    http_server.route("/action", "<Response><Say>Thanks</Say></Response>")
    call = dial("<Response><Gather action='/action' numDigits='2' timeout='3'><Say>Code</Say></Gather>"
                "<Say>never</Say></Response>", flavour="twiml",
                dtmf=[DtmfOnPrompt("9", "Code"), DtmfOnPrompt("8", "Code", 1.0)]).wait(10)
    assert call.heard() == ["Code", "Thanks"]
    posted = http_server.requests_to("/action")[0]
    assert posted.param("Digits") == "98" and posted.param("CallSid").startswith("CA")
    assert node.services.store.calls.get(call.uuid).status == CallStatus.COMPLETE


def test_twiml_action_without_input_falls_through(dial, http_server):
    http_server.route("/action", "<Response><Say>Thanks</Say></Response>")
    call = dial("<Response><Gather action='/action' timeout='2'><Say>Code</Say></Gather>"
                "<Say>no input</Say></Response>", flavour="twiml").wait(10)
    assert call.heard() == ["Code", "no input"]
    assert http_server.requests_to("/action") == []


def test_twiml_action_on_empty_result(dial, http_server):
    http_server.route("/action", "<Response><Say>Empty</Say></Response>")
    call = dial("<Response><Gather action='/action' actionOnEmptyResult='true' timeout='2'>"
                "<Say>Code</Say></Gather></Response>", flavour="twiml").wait(10)
    assert call.heard() == ["Code", "Empty"]
    assert http_server.requests_to("/action")[0].param("Digits") == ""


def test_speech_input_without_asr_collects_dtmf(dial):
    call = dial("<Response><Gather input='dtmf speech' timeout='3'><Say>Say or press</Say></Gather>"
                "<Say>Got $GATHER</Say></Response>", dtmf=[DtmfOnPrompt("1", "Say or press")]).wait(10)
    assert call.heard()[-1] == "Got 1"
    assert entries(call, "answer")
