"""Scripted callers against a minimal engine: DTMF, hangups, bridges, conferences,
recordings, the speed factor and many calls at once."""
from __future__ import annotations

import os
import time
import wave

import gevent
import pytest

from tests.engine.helpers import wait_until
from voxctl.sim import CallScript, Destination, DtmfAt, DtmfOnPrompt, Simulator
from voxctl.sim.channel import Channel, Message


def kinds(call) -> list[str]:
    return [e.kind for e in call.timeline]


def entry(call, kind: str):
    return next(e for e in call.timeline if e.kind == kind)


def test_dtmf_on_prompt_and_at_time(sim, engine_factory):
    results = {}

    def app(s):
        data = s.start()
        results["vox_url"] = data["variable_vox_url"]
        s.execute("answer")
        s.execute("set", "tts_engine=flite")
        done = s.execute("play_and_get_digits",
                         "1 1 1 5000 # 'say:Welcome. For sales press two.' silence_stream://250 choice ^\\d$ 2000")
        results["first"] = (done["variable_choice"], done["variable_read_result"])
        done = s.execute("play_and_get_digits", "1 2 1 5000 # silence_stream://500 silence_stream://250 second "
                                                "^\\d+$ 1000")
        results["second"] = done["variable_second"]
        s.execute("hangup")
        s.finish()

    engine = engine_factory(app)
    call = sim.place_call(CallScript(to="15556667777", from_="15556668888", target=engine.address,
                                     variables={"vox_url": "http://example.test/ivr"},
                                     dtmf=[DtmfOnPrompt("2", contains="press two", delay=0.3), DtmfAt("7", at=4.0)]))
    call.wait(10)
    assert not engine.errors
    assert results == {"vox_url": "http://example.test/ivr", "first": ("2", "success"), "second": "7"}
    assert call.answered and call.hangup_cause == "NORMAL_CLEARING"
    assert call.heard()[0] == "Welcome. For sales press two."
    presses = [e for e in call.timeline if e.kind == "dtmf"]
    assert [p.detail["digits"] for p in presses] == ["2", "7"]
    assert presses[1].t - entry(call, "answer").t >= 4.0
    assert kinds(call)[0] == "ringing" and kinds(call)[-1] == "hangup"


def test_caller_hangs_up_mid_playback(sim, engine_factory):
    seen = {}

    def app(s):
        s.start()
        s.execute("answer")
        seen["playback"] = s.execute("playback", "tone_stream://%(500,500,440);loops=20")
        seen["hangup"] = s.wait_event(lambda e: e["Event-Name"] == "CHANNEL_HANGUP")
        s.finish()

    engine = engine_factory(app)
    call = sim.place_call(CallScript(to="15556667777", target=engine.address, hangup_after=3.0))
    call.wait(10)
    assert seen["playback"]["Application-Response"] == "PLAYBACK ERROR"
    assert seen["hangup"]["Hangup-Cause"] == "NORMAL_CLEARING"
    assert entry(call, "hangup").t >= 2.9  # hangup_after counts from the start; the 20 s tone was cut short
    assert call.heard() == ["tone_stream://%(500,500,440);loops=20"]


def test_bridge_outcomes(sim, engine_factory):
    sim.set_destination("15550000001", Destination("answer", answer_after=1.0, stay=2.0))
    sim.set_destination("15550000002", Destination("busy"))
    sim.set_destination("15550000003", Destination("no-answer"))
    sim.set_destination("15550000004", Destination("failed"))
    sim.set_destination("15550000005", Destination("reject", answer_after=0.5))
    results = []

    def app(s):
        s.start()
        s.execute("answer")
        s.execute("set", "continue_on_fail=true")
        for dial in ("sofia/gateway/gw/15550000001", "sofia/gateway/gw/15550000002",
                     "{originate_timeout=2}sofia/gateway/gw/15550000003", "sofia/gateway/gw/15550000004",
                     "[leg_timeout=5]sofia/external/15550000005@carrier.example;transport=tcp",
                     "error/user_busy|sofia/gateway/gw/15550000001",
                     "{originate_timeout=5}sofia/gateway/gw/15550000003,sofia/gateway/gw/15550000001"):
            done = s.execute("bridge", dial, timeout=20)
            results.append((done["variable_DIALSTATUS"], done.get("variable_originate_disposition")))
        s.execute("hangup")
        s.finish()

    engine = engine_factory(app)
    call = sim.place_call(CallScript(to="15556667777", target=engine.address))
    call.wait(20)
    assert not engine.errors
    assert [r[0] for r in results] == ["SUCCESS", "BUSY", "NOANSWER", "NORMAL_TEMPORARY_FAILURE",
                                       "CALL_REJECTED", "SUCCESS", "SUCCESS"]
    bridges = [(e.detail["destination"], e.detail["outcome"]) for e in call.timeline if e.kind == "bridge"]
    assert ("sofia/gateway/gw/15550000002", "USER_BUSY") in bridges
    assert ("sofia/gateway/gw/15550000003", "LOSE_RACE") in bridges
    assert kinds(call).count("unbridge") == 3


def test_conference_members_mute_and_kick(sim, engine_factory, esl):
    completions = {}

    def app(s):
        data = s.start()
        s.execute("answer")
        flags = "+flags{moderator}" if data["Caller-Caller-ID-Number"] == "15550000010" else "+flags{mute}"
        completions[data["Caller-Caller-ID-Number"]] = s.execute("conference", f"room9@voxctl{flags}", timeout=20)
        s.execute("hangup")
        s.finish()

    engine = engine_factory(app)
    esl.send("event plain CUSTOM conference::maintenance")
    moderator = sim.place_call(CallScript(to="15556667777", from_="15550000010", target=engine.address))
    member = sim.place_call(CallScript(to="15556667777", from_="15550000011", target=engine.address))
    with gevent.Timeout(5):
        while len(sim.conferences.rooms.get("room9").members if "room9" in sim.conferences.rooms else []) < 2:
            gevent.sleep(0.01)
    listing = [line.split(";") for line in esl.send("api conference room9 list").data.splitlines()]
    assert int(listing[0][0]) == int(listing[1][0]) + 1  # newest first, one global counter
    rows = {row[4]: row for row in listing}
    member_id, moderator_id = int(rows["15550000011"][0]), int(rows["15550000010"][0])
    assert rows["15550000011"][5] == "hear" and "moderator" in rows["15550000010"][5]
    assert esl.send(f"api conference room9 unmute {member_id}").data == f"+OK unmute {member_id}\n"
    assert esl.send(f"api conference room9 kick {member_id}").data == f"+OK kicked {member_id}\n"
    member.wait(10)
    assert esl.send("api conference room9 hup all").data == f"+OK hup {moderator_id}\n"
    moderator.wait(10)
    assert set(completions) == {"15550000010", "15550000011"}
    join = entry(member, "conference_join")
    assert join.detail == {"room": "room9", "member_id": member_id, "flags": ["mute"]}
    assert entry(member, "conference_leave").detail["reason"] == "kick"
    actions = [e.headers.get("Action") for e in esl.events]
    assert actions[0] == "conference-create" and actions[1] == "add-member"
    assert {"floor-change", "unmute-member", "kick-member", "del-member", "conference-destroy"} <= set(actions)


def test_record_writes_a_wav_of_the_recorded_length(sim, engine_factory, tmp_path):
    path = tmp_path / "rec" / "message.wav"
    done = {}

    def app(s):
        s.start()
        s.execute("answer")
        done["record"] = s.execute("record", f"{path} 10 200 2")
        s.execute("hangup")
        s.finish()

    engine = engine_factory(app)
    call = sim.place_call(CallScript(to="15556667777", target=engine.address, speech=[(0.0, 3.0)]))
    call.wait(10)
    ms = int(done["record"]["variable_record_ms"])
    assert done["record"]["variable_silence_hits_exhausted"] == "true"
    assert 4500 <= ms <= 5600  # 3 s of talking (from the answer), then 2 s of silence
    with wave.open(str(path)) as w:
        assert abs(w.getnframes() / w.getframerate() * 1000 - ms) < 5
        frames = w.readframes(w.getnframes())
    assert any(frames[:16000]) and not any(frames[-8000:])  # speech first, silence at the end
    assert entry(call, "record").detail == {"path": str(path), "ms": ms}


def test_a_sixty_second_ivr_runs_fast_at_speed_100(engine_factory):
    sim = Simulator(esl_port=0, speed=100)

    def app(s):
        s.start()
        s.execute("answer")
        for _ in range(6):
            s.execute("playback", "silence_stream://10000")
        s.execute("hangup")
        s.finish()

    engine = engine_factory(app)
    started = time.monotonic()
    try:
        call = sim.place_call(CallScript(to="15556667777", target=engine.address))
        call.wait(10)
    finally:
        sim.stop()
    assert entry(call, "hangup").t - entry(call, "answer").t >= 60.0
    assert time.monotonic() - started < 5.0


def test_two_hundred_concurrent_calls(engine_factory):
    sim = Simulator(esl_port=0, speed=50)

    def app(s):
        s.start()
        s.execute("answer")
        s.execute("playback", "silence_stream://2000")
        s.execute("hangup")
        s.finish()

    engine = engine_factory(app)
    try:
        calls = [sim.place_call(CallScript(to=f"1555{i:07d}", target=engine.address)) for i in range(200)]
        for call in calls:
            call.wait(30)
    finally:
        sim.stop()
    assert not engine.errors
    assert all(c.answered and c.hangup_cause == "NORMAL_CLEARING" for c in calls)
    assert len({c.uuid for c in calls}) == 200
    assert not sim.channels


def test_sip_responses_and_scheduled_hangup(sim, engine_factory):
    outcomes = {}

    def app(s):
        data = s.start()
        number = data["Caller-Destination-Number"]
        if number == "15550000021":
            s.execute("respond", "486 Busy Here")
        elif number == "15550000022":
            s.execute("redirect", "sip:elsewhere@example.com")
        else:
            s.execute("answer")
            s.execute("sched_hangup", "+2 ALLOTTED_TIMEOUT")
            s.execute("send_dtmf", "12")
            outcomes["sleep"] = s.execute("sleep", "10000")
        s.finish()

    engine = engine_factory(app)
    calls = [sim.place_call(CallScript(to=to, target=engine.address))
             for to in ("15550000021", "15550000022", "15550000023")]
    for call in calls:
        call.wait(10)
    assert [c.hangup_cause for c in calls] == ["USER_BUSY", "REDIRECTION_TO_NEW_DESTINATION", "ALLOTTED_TIMEOUT"]
    assert not calls[0].answered and calls[0].variables["sip_hangup_disposition"] == "send_refuse"
    assert entry(calls[1], "transfer").detail == {"to": "sip:elsewhere@example.com", "method": "redirect"}
    assert entry(calls[2], "send_dtmf").detail == {"digits": "12"}
    # +2 counts from when sched_hangup ran, after the answer; how late the timer fires is load, not behaviour
    assert entry(calls[2], "hangup").t - entry(calls[2], "answer").t >= 1.9
    assert outcomes["sleep"]["Hangup-Cause"] == "ALLOTTED_TIMEOUT"  # the 10 s sleep after it was cut short


def test_a_break_left_pending_between_apps_does_not_cut_the_next_one(sim):
    """switch_core_session_exec clears CF_BREAK when an app starts; ``uuid_break ... all`` also
    discards the sendmsgs still queued (switch_core_session_flush_private_events)."""
    ch = Channel(sim, name="loopback/7001-a", direction="outbound", destination="7001", caller_number="15556668888")
    sim.add_channel(ch)
    ch.answer()
    ch.request_break()  # CF_BREAK set after the previous app's last check (uuid_break just as it finished)
    assert ch.run_app("playback", "silence_stream://2000") == "FILE PLAYED"
    assert ch.variables["playback_ms"] == "2000"
    gevent.spawn_later(sim.clock.real(1.0), sim.api.execute, f"uuid_break {ch.uuid}")
    ch.run_app("playback", "silence_stream://60000")  # a break while an app runs still stops it
    assert 0 < int(ch.variables["playback_ms"]) < 60000
    ch.queue(Message("execute", app="playback", arg="silence_stream://1000"))
    assert sim.api.execute(f"uuid_break {ch.uuid} all") == "+OK\n"
    assert not ch.inbox
    ch.hangup()


@pytest.mark.parametrize("outcome, seen, leg_cause", [
    ("no-answer", "ringback", "ORIGINATOR_CANCEL"),  # the originate loop parses the caller's events
    ("answer", "bridge", "NORMAL_CLEARING"),  # so does the bridge loop; the bridge then hangs the leg up
])
def test_a_hangup_sendmsg_during_a_bridge_ends_the_caller_and_the_leg(sim, engine_factory, outcome, seen, leg_cause):
    sim.set_destination("15550000021", Destination(outcome, answer_after=1.0, stay=600.0))
    completed = []

    def app(s):
        caller = sim.channels[s.start()["Unique-ID"]]
        s.execute("answer")
        s.execute("set", "ringback=%(2000,4000,440,480)")
        s.command("sendmsg\ncall-command: execute\nexecute-app-name: bridge\n"
                  "execute-app-arg: sofia/gateway/gw/15550000021")
        wait_until(lambda: any(e.kind == seen for e in caller.timeline.entries), 10, seen)
        s.command("sendmsg\ncall-command: hangup\nhangup-cause: NORMAL_CLEARING")
        completed.append(s.wait_event(lambda e: e["Event-Name"] == "CHANNEL_EXECUTE_COMPLETE"
                                      and e.get("Application") == "bridge"))
        s.finish()

    engine = engine_factory(app)
    call = sim.place_call(CallScript(to="15556667777", target=engine.address))
    call.wait(10)
    assert not engine.errors and completed
    assert call.hangup_cause == "NORMAL_CLEARING"
    [bridge] = [e for e in call.timeline if e.kind == "bridge"]
    assert bridge.detail["outcome"] == ("answer" if outcome == "answer" else leg_cause)
    assert [e.detail["cause"] for e in call.timeline if e.kind == "unbridge"] == (
        [leg_cause] if outcome == "answer" else [])
    assert call.timeline[-1].t < 600  # not when the far end would have gone


def test_stopping_removes_the_http_cache_directory():
    simulator = Simulator(esl_host="127.0.0.1", esl_port=0, speed=50.0).start()
    cache = simulator.media.cache_dir
    assert os.path.isdir(cache)
    simulator.stop()
    assert not os.path.exists(cache)
