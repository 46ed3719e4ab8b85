"""The simulator driven by greenswitch (InboundESL, OutboundSession), originate to
&socket, http playback, and the protocol details the engine relies on."""
from __future__ import annotations

import io
import json
import wave

import gevent
from gevent.event import AsyncResult
from gevent.server import StreamServer
from greenswitch import InboundESL
from greenswitch.esl import OutboundSession

from voxctl.sim import CallScript, Destination, DtmfAt
from voxctl.sim.args import split_args
from voxctl.sim.dialstring import parse_dialstring
from voxctl.sim.protocol import Event, url_encode
from voxctl.sim.script import DtmfOnPrompt, parse_dtmf


def wav(seconds: float) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(seconds * 8000))
    return buf.getvalue()


def test_inbound_esl_api_bgapi_and_events(sim, esl):
    assert esl.send("api status").data.startswith("UP ")
    assert esl.send("api show channels as json").data == '{"row_count": 0}\n'
    assert esl.send("api no_such_thing").data == "-ERR no_such_thing Command not found!\n"
    assert esl.send("event plain").headers["Reply-Text"] == "-ERR no keywords supplied"
    reply = esl.send("event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB")
    assert reply.headers["Reply-Text"] == "+OK event listener enabled plain"
    job = AsyncResult()
    esl.register_handle("BACKGROUND_JOB", job.set)
    sim.set_destination("15557770000", Destination("answer", answer_after=1.0, stay=60))
    reply = esl.send("bgapi originate {origination_uuid=6d0150f3-00a2-48ed-8f5f-ce1161df89ca}"
                     "sofia/gateway/carrier/15557770000 &park()")
    job_uuid = reply.headers["Job-UUID"]
    assert reply.headers["Reply-Text"] == f"+OK Job-UUID: {job_uuid}"
    done = job.get(timeout=5)
    assert done.headers["Job-UUID"] == job_uuid and done.headers["Job-Command"] == "originate"
    uuid = "6d0150f3-00a2-48ed-8f5f-ce1161df89ca"
    assert esl.send(f"api uuid_exists {uuid}").data == "true"
    assert esl.send(f"api uuid_setvar {uuid} foo bar").data == "+OK\n"
    assert esl.send(f"api uuid_getvar {uuid} foo").data == "bar"
    assert esl.send(f"api uuid_getvar {uuid} nothing").data == "_undef_"
    rows = json.loads(esl.send("api show channels as json").data)
    assert rows["row_count"] == 1 and rows["rows"][0]["uuid"] == uuid
    assert esl.send(f"api uuid_kill {uuid}").data == "+OK\n"
    with gevent.Timeout(5):
        while not any(e.headers.get("Event-Name") == "CHANNEL_HANGUP_COMPLETE" for e in esl.events):
            gevent.sleep(0.01)
    names = [e.headers["Event-Name"] for e in esl.events]
    assert names[:2] == ["CHANNEL_CREATE", "CHANNEL_ANSWER"]
    assert esl.send("bgapi originate error/user_busy &park()").headers["Reply-Text"].startswith("+OK Job-UUID")
    assert esl.send("api originate error/user_busy &park()").data == "-ERR USER_BUSY\n"
    assert esl.send("sendmsg 7437472d-72ff-4265-9966-daf32170a887\ncall-command: hangup").headers[
        "Reply-Text"] == "-ERR invalid session id [7437472d-72ff-4265-9966-daf32170a887]"


def _wait_for(client, name: str, uuid: str) -> dict[str, str]:
    """The headers of ``client``'s first ``name`` event of channel ``uuid`` (within 5 s)."""
    with gevent.Timeout(5):
        while True:
            for e in client.events:
                if e.headers.get("Event-Name") == name and e.headers.get("Unique-ID") == uuid:
                    return e.headers
            gevent.sleep(0.01)


def test_events_nobody_hears_still_use_sequence_numbers(sim, esl):
    """An event no connection subscribes to is not built, but it is fired all the same: the
    Event-Sequence numbers a client sees count it, as when another client hears everything."""
    esl.send("event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_DESTROY")
    sim.set_destination("15557770001", Destination("answer", answer_after=1.0, stay=60))

    def gap(uuid: str) -> tuple[int, int]:
        esl.send(f"api originate {{origination_uuid={uuid}}}sofia/gateway/carrier/15557770001 &park()")
        created, answered = (int(_wait_for(esl, name, uuid)["Event-Sequence"])
                             for name in ("CHANNEL_CREATE", "CHANNEL_ANSWER"))
        esl.send(f"api uuid_kill {uuid}")
        _wait_for(esl, "CHANNEL_DESTROY", uuid)
        return created, answered

    unheard = gap("0b5c2f0e-6f43-4a8e-9a53-3f4d3c1b7a01")
    everything = InboundESL("127.0.0.1", sim.esl_port, "ClueCon")
    everything.connect()
    everything.events = []
    everything.register_handle("*", everything.events.append)
    try:
        everything.send("event plain ALL")
        heard = gap("0b5c2f0e-6f43-4a8e-9a53-3f4d3c1b7a02")
    finally:
        everything.stop()
    between = [e for e in everything.events if heard[0] < int(e.headers.get("Event-Sequence", 0)) < heard[1]]
    assert len(between) > 1
    assert unheard[1] - unheard[0] == heard[1] - heard[0] == len(between) + 1


def test_originate_to_socket_and_greenswitch_outbound_session(sim, esl):
    """The engine's own way in: originate {vars}... &socket(...); greenswitch parses the session."""
    seen = {}

    def handle(sock, addr):
        session = OutboundSession(addr, sock)
        session.connect()
        seen["data"] = session.session_data
        session.myevents()
        session.linger()
        seen["answer"] = session.call_command("answer", block=True, response_timeout=5).headers
        seen["playback"] = session.playback("silence_stream://1500").headers
        session.hangup()
        gevent.sleep(0.2)
        session.stop()

    server = StreamServer(("127.0.0.1", 0), handle)
    server.start()
    sim.set_destination("15556667777", Destination("answer", answer_after=2.0, stay=60))
    try:
        out = esl.send("api originate {origination_uuid=fa52417c-2bdd-4476-a718-036efc66b488,"
                       "origination_caller_id_number=15556668888,vox_call_id=test1,originate_timeout=10}"
                       f"sofia/gateway/carrier/15556667777 &socket(127.0.0.1:{server.server_port} async full)")
        assert out.data == "+OK fa52417c-2bdd-4476-a718-036efc66b488\n"
        with gevent.Timeout(5):
            while "playback" not in seen:
                gevent.sleep(0.01)
    finally:
        server.stop()
    data = seen["data"]
    assert data["Call-Direction"] == "outbound" and data["Answer-State"] == "answered"
    assert data["Unique-ID"] == "fa52417c-2bdd-4476-a718-036efc66b488"
    assert data["Caller-Caller-ID-Number"] == "15556667777"  # flipped on answer (fact 13)
    assert data["Caller-Orig-Caller-ID-Number"] == "15556668888"
    assert data["variable_vox_call_id"] == "test1" and data["Reply-Text"] == "+OK"
    assert seen["answer"]["Application-Response"] == "_none_"
    assert seen["playback"]["Application-Response"] == "FILE PLAYED"


def test_http_playback_fetches_real_urls(sim, engine_factory, http_server):
    http_server.route("/hello.wav", wav(1.5), content_type="audio/wav")
    results = []

    def app(s):
        s.start()
        s.execute("answer")
        for url in ("http_cache://" + http_server.url("/hello.wav"), "http_cache://" + http_server.url("/hello.wav"),
                    http_server.url("/missing.wav")):
            results.append(s.execute("playback", url)["Application-Response"])
        s.execute("hangup")
        s.finish()

    engine = engine_factory(app)
    call = sim.place_call(CallScript(to="15556667777", target=engine.address))
    call.wait(10)
    assert results == ["FILE PLAYED", "FILE PLAYED", "FILE NOT FOUND"]
    assert len(http_server.requests_to("/hello.wav")) == 1  # http_cache fetched once
    plays = [e for e in call.timeline if e.kind == "play"]
    assert len(plays) == 2 and plays[1].t - plays[0].t >= 1.5


def test_unknown_app_and_uuid_break(sim, engine_factory):
    seen = {}

    def app(s):
        data = s.start()
        s.execute("answer")
        gevent.spawn_later(0.05, s.command, f"api uuid_break {data['Unique-ID']} all")
        seen["break"] = s.execute("playback", "tone_stream://%(500,500,440);loops=100")
        s.command("sendmsg\ncall-command: execute\nexecute-app-name: no_such_app")
        seen["hangup"] = s.wait_event(lambda e: e["Event-Name"] == "CHANNEL_HANGUP")
        s.finish()

    engine = engine_factory(app)
    call = sim.place_call(CallScript(to="15556667777", target=engine.address))
    call.wait(10)
    assert seen["break"]["Application-Response"] == "FILE PLAYED"
    assert seen["hangup"]["Hangup-Cause"] == "DESTINATION_OUT_OF_ORDER"
    assert call.hangup_cause == "DESTINATION_OUT_OF_ORDER"


def test_plain_and_json_encodings():
    ev = Event("BACKGROUND_JOB", [("Event-Name", "BACKGROUND_JOB"), ("Job-Command-Arg", "loopback/7003 &park()")],
               body="+OK x\n")
    plain = ev.plain().decode()
    assert plain.startswith("Content-Length: ") and "Content-Type: text/event-plain\n\n" in plain
    assert "Job-Command-Arg: loopback/7003%20%26park()\nContent-Length: 6\n\n+OK x\n" in plain
    body = json.loads(ev.json().decode().split("\n\n", 1)[1])
    assert body["_body"] == "+OK x\n" and body["Job-Command-Arg"] == "loopback/7003 &park()"
    assert url_encode("Sat, 21 Nov 2026 22:32:16 GMT") == "Sat,%2021%20Nov%202026%2022%3A32%3A16%20GMT"
    assert url_encode("+OK\n") == "%2BOK%0A" and url_encode("#") == "%23"


def test_argument_and_dial_string_parsing():
    quoted = split_args("1 1 1 5000 # 'file_string://say:a b!say:c' silence_stream://100 v ^\\d+$ 3000", 11)
    assert quoted[5] == "file_string://say:a b!say:c" and quoted[7] == "v"
    unquoted = split_args("1 1 1 5000 # file_string://say:a b!say:c silence_stream://100 v ^\\d+$ 3000", 11)
    assert unquoted[5] == "file_string://say:a" and unquoted[7] == "silence_stream://100"  # shifted (trace 17)
    global_vars, groups = parse_dialstring(
        "{originate_timeout=8}[leg=1]sofia/gateway/gw/15550001111,user/bob|error/user_busy")
    assert global_vars == {"originate_timeout": "8"}
    assert [[e.number for e in g] for g in groups] == [["15550001111", "bob"], ["user_busy"]]
    assert groups[0][0].variables == {"leg": "1"}
    assert parse_dtmf("1@2s") == DtmfAt("1", 2.0)
    assert parse_dtmf('2@prompt:"press two"') == DtmfOnPrompt("2", "press two", 0.2)
