"""Attribute types, defaults per flavour, clamping, aliases, SSML, SIP URIs and contexts."""
from __future__ import annotations

import dataclasses

import pytest

from voxctl.xml import (
    Conference,
    Dial,
    DocumentError,
    Gather,
    Number,
    Pause,
    Say,
    SetMute,
    Sip,
    parse,
)
from voxctl.xml.schema import CONTEXTS, SCHEMAS


def only(document: str, flavour: str = "voxxml", context: str = "call"):
    """The single verb of ``<Response>document</Response>``."""
    (verb,) = parse(f"<Response>{document}</Response>", flavour, context).verbs
    return verb


def test_schema_covers_every_field_of_every_verb():
    content_fields = {"line", "text", "ssml", "url", "number", "name", "uri", "headers", "transport",
                      "prompts", "nouns", "verbs"}
    for schema in SCHEMAS.values():
        from_attributes = {a.key for a in schema.attrs}
        fields = {f.name for f in dataclasses.fields(schema.cls)}
        assert from_attributes <= fields, schema.tag
        assert fields - from_attributes <= content_fields, (schema.tag, fields - from_attributes)


@pytest.mark.parametrize("flavour, timeout, num_digits, speech_timeout", [
    ("voxxml", 30, 1, "30"),
    ("twiml", 5, None, None),
])
def test_gather_defaults_differ_by_flavour(flavour, timeout, num_digits, speech_timeout):
    gather = only("<Gather/>", flavour)
    assert (gather.timeout, gather.num_digits, gather.speech_timeout) == (timeout, num_digits, speech_timeout)
    assert gather.input == ["dtmf"] and gather.finish_on_key == "#" and gather.method == "POST"
    assert gather.language == "en-US" and gather.action_on_empty_result is False


@pytest.mark.parametrize("flavour, voice, language", [("voxxml", "Joanna", None), ("twiml", "man", "en-US")])
def test_say_defaults_differ_by_flavour(flavour, voice, language):
    say = only("<Say>Hi</Say>", flavour)
    assert (say.voice, say.language, say.loop, say.separate_numbers) == (voice, language, 1, False)
    assert only("<Say voice='Polly.Amy' language='en-GB'>Hi</Say>", flavour).voice == "Polly.Amy"


def test_explicit_values_override_flavour_defaults():
    gather = only("<Gather timeout='12' numDigits='3' speechTimeout='auto'/>", "twiml")
    assert (gather.timeout, gather.num_digits, gather.speech_timeout) == (12, 3, "auto")


def test_other_defaults_match_the_specs():
    assert only("<Pause/>").length == 1
    assert only("<Reject/>", "twiml").reason == "rejected"
    record = only("<Record/>", "twiml")
    assert (record.timeout, record.finish_on_key, record.max_length, record.play_beep, record.trim) == \
        (5, "1234567890*#", 3600, True, "trim-silence")
    dial = only("<Dial>123</Dial>", "twiml")
    assert (dial.timeout, dial.time_limit, dial.record, dial.hangup_on_star) == (30, 14400, None, False)
    conference = only("<Conference>room</Conference>")
    assert (conference.beep, conference.start_conference_on_enter, conference.max_participants) == \
        ("true", True, 250)
    assert only("<Dial><Sip>sip:a@b</Sip></Dial>", "twiml").nouns[0].timeout == 60


@pytest.mark.parametrize("document, field, value", [
    ("<Gather timeout='90'/>", "timeout", 60),
    ("<Gather timeout='0'/>", "timeout", 1),
    ("<Gather speechTimeout='120'/>", "speech_timeout", "60"),
    ("<Gather repeatDelay='61'/>", "repeat_delay", 60),
    ("<Pause length='0'/>", "length", 1),
    ("<Pause length='600'/>", "length", 60),
    ("<Say repeatDelay='99'>x</Say>", "repeat_delay", 60),
    ("<Conference maxParticipants='500'>r</Conference>", "max_participants", 250),
])
def test_out_of_range_values_are_clamped_with_a_warning(document, field, value):
    response = parse(f"<Response>{document}</Response>")
    assert getattr(response.verbs[0], field) == value
    (warning,) = response.warnings
    assert warning.code == 5106 and "out of range" in warning.message and warning.line == 1


@pytest.mark.parametrize("document, field, value", [
    ("<Play loop='0'>a.mp3</Play>", "loop", 0),  # 0 = forever, kept
    ("<Say loop='0'>x</Say>", "loop", 0),
    ("<Gather loop='0'/>", "loop", 0),
    ("<Gather repeatDelay='7s'/>", "repeat_delay", 7),  # the spec's own example writes 7s
    ("<Gather timeout=' 60 '/>", "timeout", 60),
    ("<Pause length='60'/>", "length", 60),
    ("<Gather speechTimeout='AUTO'/>", "speech_timeout", "auto"),
])
def test_in_range_values_are_kept(document, field, value):
    response = parse(f"<Response>{document}</Response>")
    assert getattr(response.verbs[0], field) == value
    assert response.warnings == []


@pytest.mark.parametrize("text, value", [("true", True), ("TRUE", True), ("True", True), ("tRuE", True),
                                         ("false", False), ("FALSE", False), ("False", False)])
def test_booleans_in_any_case(text, value):
    assert only(f"<Conference muted='{text}'>r</Conference>").muted is value
    assert only(f"<SetMute muted='{text}'/>", context="conference").muted is value


def test_choices_are_matched_in_any_case_and_kept_in_the_specs_spelling():
    assert only("<Redirect method='get'>/next</Redirect>").method == "GET"
    assert only("<Conference beep='ONENTER'>r</Conference>").beep == "onEnter"
    assert only("<If variable='$GATHER' test='notequal' value='1'/>").test == "NOTEQUAL"
    assert only("<Gather input='DTMF Speech'/>").input == ["dtmf", "speech"]


@pytest.mark.parametrize("text, value", [
    ("true", "record-from-answer"), ("TRUE", "record-from-answer"), ("false", None),
    ("do-not-record", None), ("record-from-ringing", "record-from-ringing"),
    ("record-from-answer-dual", "record-from-answer-dual"),
])
def test_dial_record_values(text, value):
    assert only(f"<Dial record='{text}'>123</Dial>", "twiml").record == value


def test_dial_attributes_from_both_families():
    dial = only("<Dial ringTone='uk' dialMusic='Disabled' answerOnBridge='true' timeLimit='60'"
                " statusCallbackEvent='initiated,ringing answered' statusCallbackMethod='get'>1</Dial>", "twiml")
    assert (dial.ring_tone, dial.dial_music, dial.answer_on_bridge, dial.time_limit) == ("uk", "disabled", True, 60)
    assert dial.status_callback_event == ["initiated", "ringing", "answered"]
    assert dial.status_callback_method == "GET"
    assert only("<Dial dialMusic='https://x/ring.wav'>1</Dial>").dial_music == "https://x/ring.wav"


def test_number_noun_attributes():
    dial = only("<Dial><Number sendDigits='ww1234#' url='/screen' method='GET' "
                "statusCallback='/cb'>+15551234567</Number></Dial>", "twiml")
    assert dial.nouns == [Number(number="+15551234567", send_digits="ww1234#", url="/screen", method="GET",
                                 status_callback="/cb")]


def test_conference_noun_attributes():
    conference = only("<Dial><Conference waitUrl='' maxParticipants='10' record='record-from-start' "
                      "participantLabel='bob' endConferenceOnExit='TRUE'>room 1</Conference></Dial>", "twiml").nouns[0]
    assert conference == Conference(name="room 1", wait_url="", max_participants=10, record="record-from-start",
                                    participant_label="bob", end_conference_on_exit=True)
    assert only("<Conference record='do-not-record'>r</Conference>").record is None


def test_gather_twiml_attributes_and_prompts():
    gather = only("<Gather action='/g' method='GET' hints='yes, no' actionOnEmptyResult='true' "
                  "partialResultCallback='/p' finishOnKey='' numDigits='4'>"
                  "<Say>a</Say><Play>b.mp3</Play><Pause length='2'/></Gather>", "twiml")
    assert (gather.action, gather.method, gather.hints, gather.action_on_empty_result) == ("/g", "GET", "yes, no", True)
    assert (gather.partial_result_callback, gather.finish_on_key, gather.num_digits) == ("/p", "", 4)
    assert [p.tag for p in gather.prompts] == ["Say", "Play", "Pause"]


def test_play_digits_without_url():
    play = only("<Play digits='ww3'/>", "twiml")
    assert (play.url, play.digits) == ("", "ww3")


def test_if_value_is_split_on_bars():
    verb = only("<If variable='$GATHER' test='EQUAL' value='room1|1| english '><Hangup/></If>")
    assert verb.values == ["room1", "1", "english"]


def test_if_holds_nested_ifs_and_gathers():
    verb = only("<If variable='$GATHER' test='EQUAL' value='1'><If variable='$GATHER' test='EQUAL' value='2'>"
                "<Gather><Say>x</Say></Gather></If></If>")
    assert isinstance(verb.verbs[0].verbs[0], Gather)


def test_unknown_attributes_are_warnings_not_errors():
    response = parse("<Response foo='1'>\n<Gather numdigits='4' speechModel='phone_call'/>\n</Response>")
    assert isinstance(response.verbs[0], Gather) and response.verbs[0].num_digits == 1
    assert [(w.code, w.line, w.verb) for w in response.warnings] == [
        (5106, 1, "Response"), (5106, 2, "Gather"), (5106, 2, "Gather")]
    assert "did you mean 'numDigits'" in response.warnings[1].message


def test_warnings_do_not_take_part_in_equality():
    assert parse("<Response><Hangup x='1'/></Response>") == parse("<Response><Hangup/></Response>")


def test_whitespace_between_verbs_and_comments_are_ignored():
    response = parse("<?xml version='1.0'?>\n<!-- menu -->\n<Response>\n\t<Hangup/> <!-- bye -->\n"
                     "<?pi ignored?>\n</Response>\n")
    assert [v.tag for v in response.verbs] == ["Hangup"]


def test_text_is_stripped_and_cdata_is_text():
    assert only("<Play>\n   https://x/a.mp3\n</Play>").url == "https://x/a.mp3"
    assert only("<Say><![CDATA[Tom & Jerry <3]]></Say>").text == "Tom & Jerry <3"
    assert only("<Say>Fish &amp; chips &#233;</Say>").text == "Fish & chips é"


def test_a_bare_ampersand_is_read_as_text_with_a_warning():
    response = parse("<Response>\n<Redirect>https://x/next?a=1&b=2</Redirect></Response>")
    assert response.verbs[0].url == "https://x/next?a=1&b=2"
    assert [(w.line, w.verb) for w in response.warnings] == [(2, "")]


class TestSsml:
    def test_markup_is_kept_and_text_is_plain(self):
        say = only('<Say voice="Polly.Joanna">Your code is <say-as interpret-as="digits">1234</say-as>.'
                   '<break time="1s"/> <prosody rate="slow">Goodbye</prosody>, $GATHER</Say>', "twiml")
        assert say.text == "Your code is 1234. Goodbye, $GATHER"
        assert say.ssml == ('Your code is <say-as interpret-as="digits">1234</say-as>.<break time="1s"/> '
                            '<prosody rate="slow">Goodbye</prosody>, $GATHER')

    def test_every_ssml_element_is_accepted(self):
        say = only("<Say><p><s>One</s></p><emphasis level='strong'>two</emphasis><sub alias='three'>3</sub>"
                   "<phoneme alphabet='ipa' ph='fɔr'>four</phoneme><lang xml:lang='fr-FR'>cinq</lang>"
                   "<w role='amazon:VB'>six</w><mark name='m'/></Say>", "twiml")
        assert say.text == "Onetwo3fourcinqsix"
        assert "<lang xml:lang=\"fr-FR\">cinq</lang>" in say.ssml

    def test_vendor_prefixes_without_a_declaration(self):
        say = only("<Say>Hi <amazon:effect name='whispered'>secret</amazon:effect>"
                   "<amazon:domain name='news'>news</amazon:domain></Say>")
        assert say.text == "Hi secretnews"
        assert say.ssml == ('Hi <amazon:effect name="whispered">secret</amazon:effect>'
                            '<amazon:domain name="news">news</amazon:domain>')

    def test_declared_prefixes_are_not_repeated_in_the_markup(self):
        response = parse('<Response xmlns:amazon="https://aws.amazon.com/polly"><Say>'
                         '<amazon:effect name="drc">loud</amazon:effect></Say></Response>')
        assert response.verbs[0].ssml == '<amazon:effect name="drc">loud</amazon:effect>'

    def test_plain_say_has_no_ssml(self):
        assert only("<Say>plain</Say>").ssml is None

    def test_escaped_text_stays_escaped_in_the_markup(self):
        say = only("<Say>a &amp; b <break/> c &lt; d</Say>")
        assert say.text == "a & b  c < d"
        assert say.ssml == "a &amp; b <break/> c &lt; d"


class TestSip:
    def test_whitespace_headers_and_transport(self):
        sip = only("<Dial><Sip>\n   sips:bob@example.com:5061;transport=TLS?X-Name=J%C3%B6rg%20M&X-Id=7\n"
                   "</Sip></Dial>", "twiml").nouns[0]
        assert sip == Sip(uri="sips:bob@example.com:5061;transport=TLS", transport="tls",
                          headers={"X-Name": "Jörg M", "X-Id": "7"})

    def test_limits_are_just_under_255_and_1024(self):
        uri = "sip:" + "a" * 238 + "@example.com"  # 254 characters
        headers = "X=" + "b" * 1021                # 1023 characters
        sip = only(f"<Dial><Sip>{uri}?{headers}</Sip></Dial>", "twiml").nouns[0]
        assert len(sip.uri) == 254 and len(sip.headers["X"]) == 1021

    def test_sip_attributes(self):
        sip = only("<Dial><Sip username='u' password='p' url='/s' method='get' timeout='20' "
                   "statusCallbackEvent='ringing answered'>sip:a@b</Sip></Dial>", "twiml").nouns[0]
        assert (sip.username, sip.password, sip.url, sip.method, sip.timeout) == ("u", "p", "/s", "GET", 20)
        assert sip.status_callback_event == ["ringing", "answered"]


class TestContexts:
    @pytest.mark.parametrize("context", ["conference", "participant"])
    def test_conference_documents(self, context):
        response = parse("<Response><Say>Welcome</Say><Play>a.mp3</Play><Pause/><SetMute muted='true'/>"
                         "<If variable='$X' test='EQUAL' value='1'><SetMute/></If>"
                         "<Redirect>/next</Redirect><Hangup/></Response>", context=context)
        assert [v.tag for v in response.verbs] == ["Say", "Play", "Pause", "SetMute", "If", "Redirect", "Hangup"]
        assert response.verbs[3] == SetMute(muted=True)

    def test_screening_documents_may_gather_and_hang_up(self):
        response = parse("<Response><Gather numDigits='1'><Say>Press 1 to accept</Say></Gather>"
                         "<Hangup/></Response>", "twiml", "screening")
        assert [v.tag for v in response.verbs] == ["Gather", "Hangup"]

    def test_the_table_follows_supported_resources(self):
        assert CONTEXTS["call"] >= {"Gather", "Dial", "Number", "Conference", "Reject", "Record"}
        assert "SetMute" not in CONTEXTS["call"]
        assert CONTEXTS["conference"] == CONTEXTS["participant"] == {
            "Say", "Play", "Pause", "If", "Redirect", "Hangup", "SetMute"}
        assert not CONTEXTS["screening"] & {"Dial", "Number", "Conference"}


class TestEncodings:
    def test_declared_latin1_bytes(self):
        document = "<?xml version='1.0' encoding='ISO-8859-1'?><Response><Say>Café</Say></Response>"
        assert only_text(document.encode("latin-1")) == "Café"

    def test_text_with_an_encoding_declaration(self):
        assert only_text("<?xml version='1.0' encoding='ISO-8859-1'?><Response><Say>Café</Say></Response>") == "Café"

    def test_utf8_bom_and_utf16(self):
        document = "<Response><Say>Grüße</Say></Response>"
        assert only_text(b"\xef\xbb\xbf" + document.encode()) == "Grüße"
        assert only_text(document.encode("utf-16")) == "Grüße"

    def test_unknown_encoding_is_a_syntax_error(self):
        with pytest.raises(DocumentError) as caught:
            parse(b"<?xml version='1.0' encoding='klingon'?><Response/>")
        assert caught.value.code == 5106


def only_text(document) -> str:
    (say,) = parse(document).verbs
    assert isinstance(say, Say)
    return say.text


def test_dial_nouns_in_any_number():
    dial = only("<Dial><Number>1</Number><Sip>sip:a@b</Sip><Client>jane</Client></Dial>", "twiml")
    assert [n.tag for n in dial.nouns] == ["Number", "Sip", "Client"]
    assert isinstance(only("<Dial><Conference>r</Conference></Dial>", "twiml"), Dial)


def test_pause_length_accepts_seconds():
    assert only("<Pause length='5s'/>") == Pause(length=5)
