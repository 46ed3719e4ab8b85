"""VoxResponse writes documents that parse back to the same tree."""
from __future__ import annotations

import pytest
from twilio.twiml.voice_response import VoiceResponse

from voxctl.xml import (
    Conference,
    Dial,
    DialNouns,
    Gather,
    Number,
    Prompts,
    Say,
    Sip,
    VoxResponse,
    parse,
    to_xml,
)


def round_trip(builder: VoxResponse, context: str = "call"):
    parsed = parse(builder.to_xml(), builder.flavour, context)
    assert parsed == builder.response
    assert parsed.warnings == []
    return parsed


def test_simple_document_text():
    assert VoxResponse().say("Hello & welcome").hangup().to_xml() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n'
        "  <Say>Hello &amp; welcome</Say>\n  <Hangup/>\n</Response>\n")


def test_voxxml_ivr_round_trip():
    builder = (VoxResponse()
               .say("Thank you for calling", language="en-US")
               .gather(lambda g: g.say("For sales, press 1.").play("https://x/menu.mp3", loop=2).pause(2),
                       loop=3, repeat_delay=5, timeout=60, input=["dtmf", "speech"], num_digits=4,
                       status_callback="https://x/cb", status_callback_event=["partialResult", "fullResult"])
               .if_("$GATHER", "1|sales", lambda then: then.number("15556667777", caller_id="15550001111")
                    .conference("room1", muted=True, beep="onExit", participant_label="bob"))
               .if_("$GATHER", ["2"], VoxResponse().say("Two").hangup(), test="NOTEQUAL")
               .redirect("https://x/next", method="GET")
               .reject("busy"))
    parsed = round_trip(builder)
    gather = parsed.verbs[1]
    assert isinstance(gather, Gather) and gather.num_digits == 4 and len(gather.prompts) == 3
    assert parsed.verbs[2].values == ["1", "sales"]
    assert parsed.verbs[2].verbs[1] == Conference(name="room1", muted=True, beep="onExit", participant_label="bob")


def test_twiml_dial_round_trip():
    builder = (VoxResponse("twiml")
               .say("Connecting", voice="Polly.Amy", loop=0)
               .dial(nouns=lambda d: d.number("+15551234567", send_digits="ww12", url="/screen")
                     .sip("sip:alice@example.com;transport=tcp?X-Case=42", username="alice", password="s")
                     .client("jane", status_callback_event=["ringing"]),
                     action="/after", timeout=20, record="record-from-answer", ring_tone="uk",
                     hangup_on_star=True, answer_on_bridge=True, caller_id="+15550001111")
               .record(max_length=30, play_beep=False, trim="do-not-trim", finish_on_key="#")
               .pause(length=3))
    parsed = round_trip(builder)
    dial = parsed.verbs[1]
    assert isinstance(dial, Dial) and dial.ring_tone == "uk"
    sip = dial.nouns[1]
    assert sip == Sip(uri="sip:alice@example.com;transport=tcp", transport="tcp", headers={"X-Case": "42"},
                      username="alice", password="s")


def test_dial_a_number_shortcut():
    builder = VoxResponse("twiml").dial("+15551234567", timeout=10)
    assert round_trip(builder).verbs == [Dial(timeout=10, nouns=[Number(number="+15551234567")])]


def test_nested_builders_can_be_passed_instead_of_functions():
    prompts = Prompts().say("Enter your PIN")
    nouns = DialNouns("twiml").conference("room", wait_url="", start_conference_on_enter=False)
    round_trip(VoxResponse().gather(prompts, num_digits=4))
    round_trip(VoxResponse("twiml").dial(nouns=nouns))


def test_sip_headers_given_separately_are_merged():
    builder = VoxResponse("twiml").dial(nouns=lambda d: d.sip("sip:a@b?X-A=1", headers={"X-B": "two words"}))
    assert round_trip(builder).verbs[0].nouns[0].headers == {"X-A": "1", "X-B": "two words"}


def test_ssml_round_trip():
    builder = VoxResponse("twiml").say(ssml='Code <say-as interpret-as="digits">12</say-as>'
                                            '<break time="500ms"/><amazon:effect name="whispered">shh</amazon:effect>',
                                       voice="Polly.Joanna")
    say = round_trip(builder).verbs[0]
    assert say.text == "Code 12shh"
    assert say.ssml.startswith("Code <say-as")


def test_ssml_must_be_markup_for_one_say():
    with pytest.raises(ValueError):
        VoxResponse().say(ssml="hi</Say><Hangup/><Say>")


def test_conference_document_round_trip():
    builder = VoxResponse().say("The meeting is muted").set_mute(True).pause(5).hangup()
    assert round_trip(builder, "conference").verbs[1].muted is True


def test_flavour_defaults_are_filled_like_the_parser_does():
    assert VoxResponse().say("x").verbs[0] == Say(text="x", voice="Joanna")
    assert VoxResponse("twiml").gather().verbs[0].timeout == 5
    assert VoxResponse("voxxml").gather().verbs[0].timeout == 30
    with pytest.raises(ValueError):
        VoxResponse("bxml")


def test_defaults_are_not_written():
    xml = VoxResponse().gather(lambda g: g.say("x")).to_xml()
    assert "<Gather>" in xml and 'voice="Joanna"' not in xml
    assert 'voice="man"' in to_xml(parse("<Response><Say voice='man'>x</Say></Response>"))


def test_str_is_the_document():
    builder = VoxResponse().hangup()
    assert str(builder) == builder.to_xml()


def test_documents_written_by_twilios_library_parse_as_twiml():
    reply = VoiceResponse()
    gather = reply.gather(action="/menu", num_digits=1, timeout=7, input="dtmf speech", speech_timeout="auto")
    gather.say("Press one", voice="Polly.Amy", language="en-GB", loop=2)
    gather.pause(length=1)
    dial = reply.dial(caller_id="+15550001111", record="record-from-ringing-dual", answer_on_bridge=True)
    dial.number("+15551234567", send_digits="1w2")
    dial.sip("sip:bob@example.com", username="bob", password="pw")
    reply.record(max_length=20, play_beep=True)
    reply.reject(reason="busy")
    verbs = parse(str(reply), "twiml").verbs
    assert [v.tag for v in verbs] == ["Gather", "Dial", "Record", "Reject"]
    gather_verb, dial_verb, record_verb, reject_verb = verbs
    assert (gather_verb.action, gather_verb.num_digits, gather_verb.timeout, gather_verb.speech_timeout) == \
        ("/menu", 1, 7, "auto")
    assert gather_verb.prompts[0] == Say(text="Press one", voice="Polly.Amy", language="en-GB", loop=2)
    assert dial_verb.record == "record-from-ringing-dual" and dial_verb.nouns[0].send_digits == "1w2"
    assert (record_verb.max_length, reject_verb.reason) == (20, "busy")
