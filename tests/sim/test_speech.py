"""detect_speech in the simulator, over a real outbound socket: DETECTED_SPEECH events, fire_asr_events,
one recognition per resume, pause and stop; and the caller's phrases from a script file."""
from __future__ import annotations

from voxctl.sim import CallScript, SpeechAt, SpeechOnPrompt
from voxctl.sim.script import script_from
from voxctl.sim.speech import nlsml


def _speech_events(session) -> list[str]:
    return [e["Speech-Type"] for e in session.events if e.get("Event-Name") == "DETECTED_SPEECH"]


def _ask_yes(s, variables: str, recognizer: str) -> None:
    """Answer, set ``variables``, start ``detect_speech <recognizer>``, play "Say yes"."""
    s.start()
    s.execute("answer")
    s.execute("multiset", variables)
    s.execute("detect_speech", recognizer)
    s.execute("playback", "say:Say yes")


def test_detected_speech_events_and_recognizer_control(sim, engine_factory):
    seen = {}

    def app(s):
        _ask_yes(s, "fire_asr_events=true tts_engine=flite",
                 "unimrcp:default yesno {speech-language=en-US}builtin:speech/transcribe")
        s.wait_event(lambda e: e.get("Speech-Type") == "detected-speech")
        s.execute("playback", "say:Say no")  # one recognition until resume: not heard
        s.execute("sleep", "2000")
        s.execute("detect_speech", "resume")
        s.execute("playback", "say:Say maybe")
        s.wait_event(lambda e: e.get("Speech-Type") == "detected-speech" and _speech_events(s).count(
            "detected-speech") == 2)
        s.execute("detect_speech", "stop")
        s.execute("playback", "say:Say never")  # nothing listens
        s.execute("sleep", "2000")
        seen["types"] = _speech_events(s)
        seen["uuid"] = {e["Unique-ID"] for e in s.events if e.get("Event-Name") == "DETECTED_SPEECH"}
        s.execute("hangup")
        s.finish()

    engine = engine_factory(app)
    phrases = [SpeechOnPrompt("yes", "Say yes"), SpeechOnPrompt("no", "Say no"),
               SpeechOnPrompt("maybe", "Say maybe", 0.2, 0.5), SpeechOnPrompt("never", "Say never")]
    call = sim.place_call(CallScript(to="15556667777", target=engine.address, phrases=phrases))
    call.wait(15)
    assert not engine.errors
    assert seen["types"] == ["begin-speaking", "detected-speech", "begin-speaking", "detected-speech"]
    assert seen["uuid"] == {call.uuid}
    recognized = [e.detail for e in call.timeline if e.kind == "recognized"]
    assert [(r["text"], r["confidence"]) for r in recognized] == [("yes", 0.9), ("maybe", 0.5)]
    assert [e.detail["text"] for e in call.timeline if e.kind == "speech"] == ["yes", "no", "maybe", "never"]
    started = [e.detail for e in call.timeline if e.kind == "detect_speech"][0]
    assert started["params"] == {"speech-language": "en-US"} and started["path"] == "builtin:speech/transcribe"


def test_without_fire_asr_events_the_socket_sees_nothing(sim, engine_factory):
    seen = {}

    def app(s):
        _ask_yes(s, "tts_engine=flite", "pocketsphinx yesno yesno")
        s.execute("sleep", "2000")
        seen["types"] = _speech_events(s)
        s.execute("hangup")
        s.finish()

    engine = engine_factory(app)
    call = sim.place_call(CallScript(to="15556667777",
                                     target=engine.address, phrases=[SpeechOnPrompt("yes", "Say yes")]))
    call.wait(10)
    assert seen["types"] == []
    assert [e.detail["text"] for e in call.timeline if e.kind == "recognized"] == ["yes"]


def test_nlsml_escapes_the_words():
    body = nlsml("fish & <chips>", "g", 0.75)
    assert '<instance>fish &amp; &lt;chips&gt;</instance>' in body and 'confidence="0.75"' in body


def test_phrases_in_a_script_file():
    script = script_from({"to": "1555", "phrases": ["sales@2s", "support@prompt:which one+0.5s",
                                                    {"text": "billing", "contains": "menu", "confidence": 0.4}]})
    assert script.phrases == [SpeechAt("sales", 2.0), SpeechOnPrompt("support", "which one", 0.5),
                              SpeechOnPrompt("billing", "menu", 0.2, 0.4)]
