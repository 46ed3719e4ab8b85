"""A table of documents that cannot run: each with its code, line and verb."""
from __future__ import annotations

import pytest

from voxctl.xml import DocumentError, parse

LONG_URI = "sip:" + "a" * 260 + "@example.com"
LONG_HEADERS = "sip:alice@example.com?X-Big=" + "b" * 1100

# (id, document, flavour, context, code, line, verb)
MALFORMED = [
    ("empty", "", "voxxml", "call", 5105, 0, ""),
    ("blank", " \n\t", "voxxml", "call", 5105, 0, ""),
    ("no-response-root", "<Say>Hello</Say>", "voxxml", "call", 5105, 1, "Say"),
    ("lowercase-root", "\n<response><Hangup/></response>", "voxxml", "call", 5105, 2, "response"),
    ("not-xml", "hello", "voxxml", "call", 5106, 1, ""),
    ("unclosed-say", "<Response>\n<Say>hi\n</Response>", "voxxml", "call", 5106, 3, ""),
    ("unclosed-root", "<Response>\n<Hangup/>", "voxxml", "call", 5106, 2, ""),
    ("two-roots", "<Response/>\n<Response/>", "voxxml", "call", 5106, 2, ""),
    ("bad-attribute-syntax", "<Response>\n<Pause length=3/></Response>", "voxxml", "call", 5106, 2, ""),
    ("undefined-entity", "<Response>\n<Say>&nope;</Say></Response>", "voxxml", "call", 5106, 2, ""),
    ("lowercase-verb", "<Response>\n<play>x.mp3</play>\n</Response>", "voxxml", "call", 5106, 2, "play"),
    ("unknown-verb", "<Response>\n<Say>a</Say>\n<Foo/>\n</Response>", "twiml", "call", 5106, 3, "Foo"),
    ("stray-top-text", "<Response>\nhello<Hangup/></Response>", "voxxml", "call", 5106, 1, "Response"),
    ("text-after-verb", "<Response>\n<Hangup/>bye\n</Response>", "voxxml", "call", 5106, 2, "Hangup"),
    ("dial-in-gather", "<Response><Gather>\n<Dial>1</Dial></Gather></Response>", "voxxml", "call",
     5106, 2, "Dial"),
    ("text-in-gather", "<Response>\n<Gather>press one</Gather></Response>", "voxxml", "call",
     5106, 2, "Gather"),
    ("setmute-in-call", "<Response>\n<SetMute/></Response>", "voxxml", "call", 5106, 2, "SetMute"),
    ("setmute-in-call-if", ("<Response><If variable='$GATHER' test='EQUAL' value='1'>\n<SetMute/></If>"
     "</Response>"), "voxxml", "call", 5106, 2, "SetMute"),
    ("gather-in-conference", "<Response>\n<Gather/></Response>", "voxxml", "conference", 5106, 2, "Gather"),
    ("dial-in-participant", "<Response>\n<Dial>1</Dial></Response>", "voxxml", "participant",
     5106, 2, "Dial"),
    ("dial-in-screening", "<Response>\n<Dial>1</Dial></Response>", "twiml", "screening", 5106, 2, "Dial"),
    ("number-in-screening", "<Response>\n<Number>1</Number></Response>", "voxxml", "screening",
     5106, 2, "Number"),
    ("conference-in-screening", "<Response>\n<Conference>r</Conference></Response>", "voxxml",
     "screening", 5106, 2, "Conference"),
    ("sip-outside-dial", "<Response>\n<Sip>sip:a@b</Sip></Response>", "twiml", "call", 5106, 2, "Sip"),
    ("client-outside-dial", "<Response>\n<Client>jane</Client></Response>", "twiml", "call",
     5106, 2, "Client"),
    ("say-in-dial", "<Response><Dial>\n<Say>hi</Say></Dial></Response>", "twiml", "call", 5106, 2, "Say"),
    ("timeout-not-a-number", "<Response>\n<Gather timeout='ten'/></Response>", "voxxml", "call",
     5106, 2, "Gather"),
    ("num-digits-zero", "<Response>\n<Gather numDigits='0'/></Response>", "voxxml", "call", 5106, 2, "Gather"),
    ("negative-loop", "<Response>\n<Play loop='-1'>a.mp3</Play></Response>", "voxxml", "call",
     5106, 2, "Play"),
    ("fractional-pause", "<Response>\n<Pause length='1.5'/></Response>", "voxxml", "call", 5106, 2, "Pause"),
    ("seconds-suffix-on-a-count", "<Response>\n<Say loop='2s'>a</Say></Response>", "voxxml", "call",
     5106, 2, "Say"),
    ("unknown-input", "<Response>\n<Gather input='dtmf fax'/></Response>", "voxxml", "call", 5106, 2, "Gather"),
    ("empty-input", "<Response>\n<Gather input=''/></Response>", "voxxml", "call", 5106, 2, "Gather"),
    ("bad-finish-key", "<Response>\n<Gather finishOnKey='a'/></Response>", "voxxml", "call", 5106, 2, "Gather"),
    ("bad-boolean", "<Response>\n<Conference muted='yes'>r</Conference></Response>", "voxxml", "call",
     5106, 2, "Conference"),
    ("bad-beep", "<Response>\n<Conference beep='maybe'>r</Conference></Response>", "voxxml", "call",
     5106, 2, "Conference"),
    ("bad-method", "<Response>\n<Redirect method='PUT'>/x</Redirect></Response>", "voxxml", "call",
     5106, 2, "Redirect"),
    ("bad-reject-reason", "<Response>\n<Reject reason='nope'/></Response>", "twiml", "call", 5106, 2, "Reject"),
    ("bad-dial-record", "<Response>\n<Dial record='sometimes'>1</Dial></Response>", "twiml", "call",
     5106, 2, "Dial"),
    ("bad-send-digits", "<Response><Dial>\n<Number sendDigits='12x'>1</Number></Dial></Response>", "twiml",
     "call", 5106, 2, "Number"),
    ("if-without-variable", "<Response>\n<If test='EQUAL' value='1'/></Response>", "voxxml", "call",
     5106, 2, "If"),
    ("if-without-test", "<Response>\n<If variable='$GATHER' value='1'/></Response>", "voxxml", "call",
     5106, 2, "If"),
    ("if-bad-test", "<Response>\n<If variable='$GATHER' test='LESS' value='1'/></Response>", "voxxml",
     "call", 5106, 2, "If"),
    ("empty-redirect", "<Response>\n<Redirect/></Response>", "voxxml", "call", 5106, 2, "Redirect"),
    ("empty-number", "<Response>\n<Number> </Number></Response>", "voxxml", "call", 5106, 2, "Number"),
    ("empty-play", "<Response>\n<Play/></Response>", "twiml", "call", 5106, 2, "Play"),
    ("empty-dial", "<Response>\n<Dial/></Response>", "twiml", "call", 5106, 2, "Dial"),
    ("empty-conference", "<Response>\n<Conference/></Response>", "voxxml", "call", 5106, 2, "Conference"),
    ("number-and-text", "<Response>\n<Dial>123<Number>1</Number></Dial></Response>", "twiml", "call",
     5106, 2, "Dial"),
    ("conference-not-alone", ("<Response>\n<Dial><Conference>r</Conference><Number>1</Number></Dial>"
     "</Response>"), "twiml", "call", 5106, 2, "Dial"),
    ("hangup-with-text", "<Response>\n<Hangup>now</Hangup></Response>", "voxxml", "call", 5106, 2, "Hangup"),
    ("pause-with-child", "<Response>\n<Pause><Hangup/></Pause></Response>", "voxxml", "call", 5106, 2, "Pause"),
    ("element-in-play", "<Response>\n<Play><b>x</b></Play></Response>", "voxxml", "call", 5106, 2, "b"),
    ("verb-in-say", "<Response><Say>hi\n<Play>a.mp3</Play></Say></Response>", "voxxml", "call",
     5106, 2, "Play"),
    ("sip-not-a-sip-uri", "<Response><Dial>\n<Sip>alice@example.com</Sip></Dial></Response>", "twiml",
     "call", 5106, 2, "Sip"),
    ("sip-uri-too-long", f"<Response><Dial>\n<Sip>{LONG_URI}</Sip></Dial></Response>", "twiml", "call",
     5106, 2, "Sip"),
    ("sip-headers-too-long", f"<Response><Dial>\n<Sip>{LONG_HEADERS}</Sip></Dial></Response>", "twiml",
     "call", 5106, 2, "Sip"),
    ("sip-bad-transport", "<Response><Dial>\n<Sip>sip:a@b;transport=sctp</Sip></Dial></Response>", "twiml",
     "call", 5106, 2, "Sip"),
    ("sip-header-without-name", "<Response><Dial>\n<Sip>sip:a@b?=v</Sip></Dial></Response>", "twiml",
     "call", 5106, 2, "Sip"),
    ("sip-header-without-value", "<Response><Dial>\n<Sip>sip:a@b?X-A</Sip></Dial></Response>", "twiml",
     "call", 5106, 2, "Sip"),
]


@pytest.mark.parametrize("document, flavour, context, code, line, verb",
                         [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED])
def test_malformed_document(document, flavour, context, code, line, verb):
    with pytest.raises(DocumentError) as caught:
        parse(document, flavour, context)
    error = caught.value
    assert (error.code, error.line, error.verb) == (code, line, verb), str(error)
    assert error.message and str(error).startswith(str(code))


def test_syntax_errors_carry_line_and_column_in_the_message():
    with pytest.raises(DocumentError) as caught:
        parse("<Response>\n  <Say>hi</Sa>\n</Response>")
    error = caught.value
    assert (error.code, error.line, error.column) == (5106, 2, 15)
    assert "line 2, column 15" in error.message and "mismatch" in error.message


def test_errors_name_what_is_wrong():
    cases = {
        "<Response><play/></Response>": "names are case-sensitive: <Play>",
        "<Response><Gather timeout='ten'/></Response>": "invalid timeout: expected a whole number",
        "<Response><Gather/><SetMute/></Response>": "<SetMute> is not allowed in a call document",
        "<Response><Gather><Hangup/></Gather></Response>": "<Hangup> is not allowed inside <Gather>",
        "<Response><Redirect/></Response>": "<Redirect> needs url",
        "<Response><If variable='x' value='1'/></Response>": "needs the attribute test",
    }
    for document, words in cases.items():
        with pytest.raises(DocumentError, match=words.replace("(", r"\(").replace(")", r"\)")):
            parse(document)


def test_unknown_flavour_or_context_is_a_programming_error():
    with pytest.raises(ValueError):
        parse("<Response/>", flavour="bxml")
    with pytest.raises(ValueError):
        parse("<Response/>", context="queue")
