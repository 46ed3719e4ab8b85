"""The ESL parser against messages recorded from FreeSWITCH 1.10."""
from __future__ import annotations

import io

import gevent
import gevent.socket
import pytest

from tests.engine.replay import recorded_messages
from voxctl.engine.esl import SocketStream, read_message


def parse_all(trace: str, sock: str):
    stream = io.BytesIO("".join(recorded_messages(trace, sock)).encode("utf-8"))
    messages = []
    while (message := read_message(stream)) is not None:
        messages.append(message)
    return messages


def test_connect_reply_is_a_decoded_event_with_the_reply_at_the_end():
    connect = parse_all("02-outbound-answer-playback-hangup", "outbound-1")[0]
    assert connect.content_type == "command/reply"
    assert connect.data == "+OK\n"
    assert connect.headers["Event-Name"] == "CHANNEL_DATA"
    assert connect.headers["Answer-State"] == "ringing"
    assert connect.headers["variable_current_application_data"] == "127.0.0.1:8084 async full"
    assert connect.headers["Event-Date-GMT"] == "Sat, 21 Nov 2026 22:32:16 GMT"


def test_plain_events_are_decoded_value_by_value():
    messages = parse_all("02-outbound-answer-playback-hangup", "outbound-1")
    execute = next(m for m in messages if m.name == "CHANNEL_EXECUTE" and m.headers["Application"] == "playback")
    assert execute.content_type == "text/event-plain"
    assert execute.headers["Application-Data"] == "tone_stream://%(500,500,440);loops=2"
    linger, goodbye = [m for m in messages if m.content_type == "text/disconnect-notice"]
    assert linger.headers["Content-Disposition"] == "linger"
    assert goodbye.headers["Content-Disposition"] == "disconnect"
    assert goodbye.body.startswith("Disconnected, goodbye.\n")


def test_background_job_keeps_its_body_and_api_responses_theirs():
    messages = parse_all("01-inbound-auth", "inbound-2")
    job = next(m for m in messages if m.name == "BACKGROUND_JOB" and m.headers.get("Job-Command") == "version")
    assert job.body.startswith("FreeSWITCH Version 1.10.12")
    unknown = [m for m in messages if m.content_type == "api/response"][2]
    assert unknown.body == "-ERR unknown_command_xyz Command not found!\n"


def test_json_events_are_json():
    created = [m for m in parse_all("01-inbound-auth", "inbound-3") if m.content_type == "text/event-json"]
    assert [m.name for m in created] == ["CHANNEL_CREATE", "CHANNEL_CREATE"]
    assert created[0].headers["Answer-State"] == "ringing"
    assert created[0].headers["Event-Date-GMT"].endswith("GMT")


def test_a_value_with_an_encoded_newline_stays_one_header():
    body = b"Event-Name: CUSTOM\nX-Text: a%0AFake-Header%3A%20b\nX-End: 1\n\n"
    stream = io.BytesIO(b"Content-Length: %d\nContent-Type: text/event-plain\n\n%s" % (len(body), body))
    event = read_message(stream)
    assert event.headers["X-Text"] == "a\nFake-Header: b"
    assert "Fake-Header" not in event.headers
    assert event.headers["X-End"] == "1"


def test_event_headers_are_decoded_on_read_and_behave_as_a_mapping():
    body = b"Event-Name: CUSTOM\nX-Twice: first\nX-Coded: a%20b%25\nX-Empty: \nX-Twice: second\n\n"
    stream = io.BytesIO(b"Content-Length: %d\nContent-Type: text/event-plain\n\n%s" % (len(body), body))
    headers = read_message(stream).headers
    assert headers["X-Coded"] == "a b%" and headers.get("X-Empty") == ""
    assert headers["X-Twice"] == "second"  # the last one wins, as the dict it replaces did
    assert headers.get("X-Missing", "none") == "none" and "X-Missing" not in headers and "X-Coded" in headers
    with pytest.raises(KeyError):
        headers["X-Missing"]
    assert dict(headers) == {"Content-Length": str(len(body)), "Content-Type": "text/event-plain",
                             "Event-Name": "CUSTOM", "X-Twice": "second", "X-Coded": "a b%", "X-Empty": ""}


def test_a_socket_stream_reads_messages_cut_anywhere():
    recorded = "".join(recorded_messages("02-outbound-answer-playback-hangup", "outbound-1")).encode("utf-8")
    ours, theirs = gevent.socket.socketpair()

    def trickle():
        for start in range(0, len(recorded), 7):  # 7-byte pieces: lines and bodies split at every point
            theirs.sendall(recorded[start:start + 7])
        theirs.close()

    writer = gevent.spawn(trickle)
    stream = SocketStream(ours)
    got = []
    while (message := read_message(stream)) is not None:
        got.append(message)
    writer.join()
    ours.close()
    expected = parse_all("02-outbound-answer-playback-hangup", "outbound-1")
    assert [(m.content_type, dict(m.headers), m.body) for m in got] == [
        (m.content_type, dict(m.headers), m.body) for m in expected]
