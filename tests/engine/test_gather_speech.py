"""<Gather input="speech"> through detect_speech: $GATHER, callbacks, TwiML SpeechResult, barge-in,
DTMF against speech, no ASR engine, and the variables an interrupted Gather leaves behind."""
from __future__ import annotations

import pytest

from tests.engine.helpers import entries, wait_until
from voxctl import control
from voxctl.engine.speech import parse_result
from voxctl.sim import DtmfOnPrompt, SpeechOnPrompt
from voxctl.sim.media import speech_duration
from voxctl.store.records import CallStatus

ASR = "unimrcp:default"


@pytest.fixture
def asr(node):
    """The node recognizes speech with ``detect_speech unimrcp:default``."""
    node.services.settings.asr_engine = ASR
    return ASR


def test_voxxml_speech_lands_in_gather_with_callbacks(asr, dial, http_server):
    hook = http_server.route("/events", "")
    call = dial(f"<Response><Gather input='speech' language='fr-FR' speechTimeout='5' timeout='5' "
                f"statusCallback='{hook}' statusCallbackEvent='partialResult fullResult'>"
                "<Say>Which department?</Say></Gather><Say>You said $GATHER</Say></Response>",
                phrases=[SpeechOnPrompt("sales", "Which department", 0.5)]).wait(10)
    assert call.heard() == ["Which department?", "You said sales"]
    started = entries(call, "detect_speech")[0].detail
    assert started["module"] == ASR and started["path"] == "builtin:speech/transcribe"
    assert started["params"] == {"speech-language": "fr-FR", "no-input-timeout": "5000",
                                 "speech-complete-timeout": "5000"}
    assert entries(call, "recognized")[0].detail["text"] == "sales"
    assert call.variables["fire_asr_events"] == "true"
    bodies = [r.json for r in http_server.wait_for("/events", 2)]
    assert [(b["event"], b.get("partial_input") or b.get("complete_input"), b["input_method"])
            for b in bodies] == [("partial_input", "sales", "speech"), ("complete_input", "sales", "speech")]


def test_speaking_stops_the_prompts(asr, dial):
    call = dial("<Response><Gather input='dtmf speech' timeout='5'><Say>For sales say sales.</Say>"
                "<Say>For support say support.</Say></Gather><Say>Got $GATHER</Say></Response>",
                phrases=[SpeechOnPrompt("support please", "For sales", 0.3)]).wait(10)
    assert call.heard() == ["For sales say sales.", "Got support please"]


@pytest.mark.parametrize("first, expected", [("speech", "Got billing"), ("dtmf", "Got 42")])
def test_first_of_speech_or_dtmf_wins(asr, dial, first, expected):
    speech_delay, dtmf_delay = (0.2, 2.5) if first == "speech" else (2.5, 0.2)
    call = dial("<Response><Gather input='dtmf speech' numDigits='2' timeout='5'><Say>Menu please</Say>"
                "</Gather><Say>Got $GATHER</Say></Response>",
                phrases=[SpeechOnPrompt("billing", "Menu please", speech_delay)],
                dtmf=[DtmfOnPrompt("4", "Menu please", dtmf_delay), DtmfOnPrompt("2", "Menu please",
                                                                              dtmf_delay + 0.3)]).wait(10)
    assert call.heard()[-1] == expected


def test_twiml_action_gets_speech_result_and_confidence(asr, dial, http_server, node):
    http_server.route("/action", "<Response><Say>Thanks</Say></Response>")
    call = dial("<Response><Gather input='speech' action='/action' hints='sales, support' timeout='4'>"
                "<Say>Tell us</Say></Gather><Say>never</Say></Response>", flavour="twiml",
                phrases=[SpeechOnPrompt("talk to support", "Tell us", 0.5)]).wait(10)
    assert call.heard() == ["Tell us", "Thanks"]
    posted = http_server.requests_to("/action")[0]
    assert posted.param("SpeechResult") == "talk to support" and posted.param("Confidence") == "0.9"
    assert posted.param("Digits") is None and posted.param("CallSid").startswith("CA")
    assert entries(call, "detect_speech")[0].detail["params"]["speech-hints"] == "sales%2C%20support"
    assert node.services.store.calls.get(call.uuid).status == CallStatus.COMPLETE


def test_unrecognized_speech_listens_again_on_the_next_loop(asr, dial):
    call = dial("<Response><Gather input='speech' loop='2' timeout='3'><Say>Say a word</Say></Gather>"
                "<Say>Got [$GATHER]</Say></Response>",
                phrases=[SpeechOnPrompt("", "Say a word", 0.2)]).wait(10)
    assert call.heard() == ["Say a word", "Say a word", "Got []"]
    assert [e.detail["text"] for e in entries(call, "recognized")] == [""]


def test_without_asr_engine_speech_is_not_recognized(dial):
    call = dial("<Response><Gather input='dtmf speech' timeout='2'><Say>Say or press</Say></Gather>"
                "<Say>Got [$GATHER]</Say></Response>",
                phrases=[SpeechOnPrompt("sales", "Say or press", 0.2)]).wait(10)
    assert call.heard() == ["Say or press", "Got []"]
    assert entries(call, "speech")[0].detail["text"] == "sales"
    assert not entries(call, "detect_speech") and not entries(call, "recognized")


def test_interrupted_gather_leaves_no_digit_terminators(asr, dial, node):
    announcement = "This announcement is long, and a digit pressed while it plays must not cut it short. " * 3
    call = dial("<Response><Gather input='dtmf speech' loop='0' timeout='2'><Say>Waiting</Say></Gather></Response>")
    wait_until(lambda: entries(call, "detect_speech"), what="the recognizer")
    control.deliver(node.services.bus, call.uuid, control.replace(f"<Response><Say>{announcement}</Say></Response>"))
    wait_until(lambda: announcement.strip() in call.heard(), timeout=10, what="the replacement")
    assert call.variables["playback_terminators"] == "none" and call.channel.recognizer is None
    call.channel.receive_dtmf("5")
    call.wait(10)
    spoken, pressed = entries(call, "speak")[-1], entries(call, "dtmf")[-1]
    assert pressed.t < spoken.t + speech_duration(announcement.strip())  # pressed while it played
    assert "playback_terminator_used" not in call.variables


@pytest.mark.parametrize("body, text, confidence", [
    ('<?xml version="1.0"?><result xmlns="http://www.ietf.org/xml/ns/mrcpv2"><interpretation grammar="g" '
     'confidence="87"><instance>yes</instance><input mode="speech">yes please</input></interpretation></result>',
     "yes please", 0.87),
    ("<result><interpretation confidence='0.5'><input><nomatch/></input></interpretation></result>", "", 0.5),
    ("plain words", "plain words", None),
    ("<result><broken", "", None),
])
def test_detected_speech_bodies(body, text, confidence):
    result = parse_result(body)
    assert (result.text, result.confidence) == (text, confidence)
