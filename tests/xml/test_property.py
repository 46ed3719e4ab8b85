"""Property tests: whatever the input, the parser returns a tree or raises DocumentError."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.xml.documents import ALL_DOCUMENTS
from voxctl.xml import DocumentError, Response, VoxResponse, parse

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID = [doc.encode() for doc in ALL_DOCUMENTS.values()]
MARKUP = st.sampled_from([b"<", b">", b"/", b"&", b";", b"'", b'"', b"=", b"<!DOCTYPE r>", b"<![CDATA[",
                          b"]]>", b"<!--", b"-->", b"&amp;", b"&#0;", b"&#x41;", b"<Say>", b"</Say>",
                          b"<If>", b"<Dial>", b" loop='0'", b" timeout='99'", b"\xff", b"\x00", b"\n",
                          b"<amazon:effect>", b"xmlns:a='x'", b"?>", b"<?xml version='1.0'?>"])
CONTEXTS = st.sampled_from(["call", "conference", "participant", "screening"])
FLAVOURS = st.sampled_from(["voxxml", "twiml"])


def only_document_errors(source, flavour: str = "voxxml", context: str = "call") -> None:
    try:
        result = parse(source, flavour, context)
    except DocumentError as exc:
        assert exc.code in (5105, 5106)
        assert isinstance(exc.line, int) and isinstance(exc.message, str) and str(exc)
    else:
        assert isinstance(result, Response)


@FAST
@given(st.binary(max_size=600), FLAVOURS, CONTEXTS)
def test_random_bytes(data, flavour, context):
    only_document_errors(data, flavour, context)


@FAST
@given(st.text(max_size=300))
def test_random_text(text):
    only_document_errors(text)
    only_document_errors(f"<Response>{text}</Response>")


@st.composite
def mutated(draw) -> bytes:
    """A valid document with a few bytes deleted, inserted, replaced or duplicated."""
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        span = draw(st.integers(0, 12))
        operation = draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        if operation == "delete":
            del data[at:at + span]
        elif operation == "insert":
            data[at:at] = draw(st.one_of(MARKUP, st.binary(min_size=1, max_size=4)))
        elif operation == "replace":
            data[at:at + 1] = draw(MARKUP)
        else:
            data[at:at] = data[at:at + span]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), FLAVOURS, CONTEXTS)
def test_mutations_of_valid_documents(data, flavour, context):
    only_document_errors(data, flavour, context)


XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co")), max_size=40).map(str.strip)


@FAST
@given(XML_TEXT, XML_TEXT, st.integers(0, 60), st.booleans(), FLAVOURS)
def test_builder_round_trips_any_text(text, url, loop, flag, flavour):
    builder = (VoxResponse(flavour)
               .say(text, loop=loop, voice=url or None)
               .play(url or "a.mp3", repeat_delay=loop)
               .conference(text or "room", muted=flag, participant_label=url or None)
               .redirect(url or "/next"))
    assert parse(builder.to_xml(), flavour) == builder.response
