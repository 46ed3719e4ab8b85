"""Every example document in shared/spec parses to the expected tree."""
from __future__ import annotations

import pytest

from tests.xml import documents as docs
from voxctl.xml import (
    Client,
    Conference,
    Dial,
    Gather,
    Hangup,
    If,
    Number,
    Pause,
    Play,
    Redirect,
    Reject,
    Response,
    Say,
    SetMute,
    Sip,
    parse,
    to_xml,
)


def joanna(text: str, **attrs) -> Say:
    return Say(text=text, voice="Joanna", language="en-US", **attrs)


def menu(*prompts: Say, **attrs) -> Gather:
    """A VoxXML Gather: the flavour's defaults plus ``attrs``."""
    values = {"input": ["dtmf"], "timeout": 30, "num_digits": 1, "speech_timeout": "30"}
    values.update(attrs)
    return Gather(prompts=list(prompts), **values)


def test_create_call_and_modify_examples():
    assert parse(docs.VOX_CREATE_CALL).verbs == [joanna("Hello!")]
    assert parse(docs.VOX_MODIFY).verbs == [Hangup()]


def test_intro_example_uses_number_as_a_verb():
    say, number, hangup = parse(docs.VOX_INTRO).verbs
    assert say == Say(text="This is a test IVR", voice="Joanna")
    assert number == Number(number="15556667788")
    assert hangup == Hangup()
    assert number.line == 3


def test_simple_ivr():
    response = parse(docs.VOX_SIMPLE_IVR)
    assert response == Response(flavour="voxxml", verbs=[
        joanna("Thank you for calling"),
        menu(joanna("For United States support, press 1."), joanna("For Canadian support, press 2."),
             loop=3, repeat_delay=5, num_digits=1, timeout=60),
        If(variable="$GATHER", test="EQUAL", values=["2"], verbs=[
            joanna("Dialing Canadian support. Please wait.", repeat_delay=3),
            Number(number="15556668888"),
            joanna("Call has ended. Goodbye."),
            Hangup(),
        ]),
        joanna("Dialing United States support. Please wait.", repeat_delay=3),
        Number(number="15556667777"),
        joanna("Call has ended. Goodbye."),
        Hangup(),
    ])
    assert response.warnings == []
    assert [v.line for v in response.verbs] == [2, 3, 7, 13, 14, 15, 16]


def test_complex_ivr():
    verbs = parse(docs.VOX_COMPLEX_IVR).verbs
    assert [v.tag for v in verbs] == ["Say", "Gather", "If", "If", "If", "Say"]
    assert verbs[1].loop == 3 and len(verbs[1].prompts) == 3
    conference_branch = verbs[3]
    assert conference_branch.values == ["2"]
    gather, room_2233, room_3344, _invalid, _hangup = conference_branch.verbs
    assert gather == menu(joanna("Please enter conference ID"), repeat_delay=5, num_digits=4)
    assert room_2233.values == ["2233"]
    pin, moderated, leader, _bad_pin, _ = room_2233.verbs
    assert pin.input == ["dtmf", "speech"] and pin.repeat_delay == 7 and pin.timeout == 10
    assert moderated.verbs[0] == Conference(name="2233", muted=False, start_conference_on_enter=False,
                                            beep="true")
    assert leader.values == ["9999"]
    assert leader.verbs[0] == Conference(name="2233", start_conference_on_enter=True,
                                         end_conference_on_exit=True)
    assert room_3344.verbs[1].verbs[0].name == "3344"
    assert verbs[4].verbs == [Play(url="https://example.com/hours-of-operation.mp3"), Hangup()]
    assert verbs[5] == joanna("No option selected. Goodbye.")


def _verb_example(tag: str, context: str = "call") -> list:
    return parse(f"<Response>{docs.VOX_VERB_EXAMPLES[tag]}</Response>", context=context).verbs


def test_voxxml_verb_section_examples():
    assert _verb_example("Conference") == [Conference(name="room1", start_conference_on_enter=False)]
    assert _verb_example("Dial") == [Dial(nouns=[Number(number="15556667777"), Number(number="15556668888"),
                                                 Number(number="15556668888")])]
    assert _verb_example("Gather") == [menu(joanna("Please enter conference ID"), input=["dtmf", "speech"],
                                            repeat_delay=7, num_digits=4, timeout=10)]
    assert _verb_example("Hangup") == [Hangup()]
    assert _verb_example("If") == [If(variable="$GATHER", values=["1", "english"],
                                      verbs=[joanna("You have chosen english.")])]
    assert _verb_example("Number") == [Number(number="15556667777")]
    assert _verb_example("Pause") == [Pause(length=10)]
    assert _verb_example("Play") == [Play(url="https://example.com/myfile.mp3")]
    assert _verb_example("Redirect") == [Redirect(url="https://example.com/myscript.xml", method="GET")]
    assert _verb_example("Reject") == [Reject(reason="rejected")]
    assert _verb_example("Say") == [joanna("Thank you."),
                                    joanna("You entered the numbers $GATHER", separate_numbers=True)]
    assert _verb_example("SetMute", "conference") == [SetMute(muted=False)]


def test_cxml_say_and_play():
    response = parse(docs.CXML_SAY_PLAY, "twiml")
    assert response.flavour == "twiml"
    assert response.verbs == [Say(text="Hello, World!", voice="man", language="en-US"),
                              Play(url="https://your-application.com/audio.mp3")]


@pytest.mark.parametrize("document, caller_id, record", [
    (docs.RCML_DIAL_NUMBER, None, None),
    (docs.RCML_DIAL_RECORD, None, "record-from-answer"),
    (docs.RCML_DIAL_CALLER_ID, "15556667777", "record-from-answer"),
])
def test_rcml_dial_a_bare_number(document, caller_id, record):
    (dial,) = parse(document, "twiml").verbs
    assert dial == Dial(nouns=[Number(number="1-444-555-6666")], caller_id=caller_id, record=record)
    assert dial.timeout == 30 and dial.time_limit == 14400 and dial.method == "POST"


def test_rcml_sequential_dial():
    verbs = parse(docs.RCML_SEQUENTIAL, "twiml").verbs
    assert verbs == [
        Say(text="This is a sequential Dial example.", voice="man", language="en-US"),
        Dial(timeout=30, nouns=[Number(number="12223334444")]),
        Pause(length=4),
        Dial(timeout=30, nouns=[Number(number="15556667777")]),
        Pause(length=4),
        Dial(nouns=[Client(name="jane")]),
    ]


@pytest.mark.parametrize("document, expected", [
    (docs.RCML_SIP, Sip(uri="sip:alice@127.0.0.1:5080")),
    (docs.RCML_SIP_AUTH, Sip(uri="sip:alice@example.com", username="alice", password="secret")),
    (docs.RCML_SIP_HEADERS, Sip(uri="sip:alice@example.com",
                                headers={"mycustomheader": "tata", "myotherheader": "toto"})),
    (docs.RCML_SIP_TRANSPORT, Sip(uri="sip:alice@example.com;transport=tcp", transport="tcp")),
])
def test_rcml_sip_examples(document, expected):
    (dial,) = parse(document, "twiml").verbs
    assert dial.nouns == [expected]


def test_rcml_sip_headers_example_warns_about_the_bare_ampersand():
    warnings = parse(docs.RCML_SIP_HEADERS, "twiml").warnings
    assert [(w.code, w.line) for w in warnings] == [(5106, 5)]
    assert "&amp;" in warnings[0].message


def test_rcml_complex_dial_with_screening_sip():
    (dial,) = parse(docs.RCML_COMPLEX_DIAL, "twiml").verbs
    assert dial == Dial(record="record-from-answer", timeout=10, hangup_on_star=True, caller_id="bob",
                        method="POST", action="/handle_post_dial", nouns=[
                            Sip(uri="sip:alice@example.com", headers={"customheader": "foo"},
                                method="POST", url="/handle_screening_on_answer", timeout=60)])
    # libxml2 gives the line where a start tag ends
    assert dial.line == 9 and dial.nouns[0].line == 12


@pytest.mark.parametrize("name", sorted(docs.ALL_DOCUMENTS))
def test_every_example_survives_a_round_trip_through_to_xml(name):
    flavour = "voxxml" if name.startswith("VOX") else "twiml"
    response = parse(docs.ALL_DOCUMENTS[name], flavour)
    again = parse(to_xml(response), flavour)
    assert again == response
    assert again.warnings == []
