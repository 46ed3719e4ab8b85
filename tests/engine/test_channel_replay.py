"""``Channel`` against outbound sockets replayed from a real FreeSWITCH 1.10."""
from __future__ import annotations

import time

import gevent
import pytest

from tests.engine.replay import Replay
from voxctl.engine.channel import ChannelHungUp, Interrupted, _needs_body

PLAYBACKS_02 = [
    "tone_stream://%(500,500,440);loops=2",
    "/srv/fs/sounds/tone2s.wav",
    "silence_stream://500",
    "file_string:///srv/fs/sounds/tone2s.wav!silence_stream://300",
    "/srv/fs/sounds/no-such-file.wav",
    "silence_stream://100",  # recorded without Event-UUID: the switch made one up
]


def test_connect_execute_and_hangup_02(replay_call):
    def script(channel):
        before = (channel.answered, channel.answer_state)
        answer = channel.execute("answer")
        plays = [channel.execute("playback", arg) for arg in PLAYBACKS_02]
        channel.hangup("NORMAL_CLEARING")
        return before, answer, plays

    call = replay_call("02-outbound-answer-playback-hangup", "outbound-1", script)
    assert call.replay.errors == [] and call.error is None
    before, answer, plays = call.result
    channel = call.channel
    # the connect reply: channel data, not a completion; its Reply-Text is "+OK\n" url-encoded
    assert before == (False, "ringing")
    assert channel.data["Reply-Text"] == "+OK\n"
    assert channel.uuid == "a81f5668-5efd-4f0c-81ed-9cb5c8d5c07a"
    assert (channel.caller_number, channel.called_number, channel.direction) == ("0000000000", "9002", "inbound")
    assert channel.variables["current_application_data"] == "127.0.0.1:8084 async full"
    assert answer.app == "answer" and answer.response == "_none_" and channel.answered
    assert [p.response for p in plays] == ["FILE PLAYED"] * 4 + ["FILE NOT FOUND", "FILE PLAYED"]
    for result in (answer, *plays):
        assert result.headers["Application-UUID"] == result.app_uuid
    assert len({p.app_uuid for p in plays}) == len(plays)
    assert plays[1].var("current_application_data") == "/srv/fs/sounds/tone2s.wav"
    # end of call: HANGUP_COMPLETE read, linger notice, exit, socket closed by the switch
    assert channel.hangup_cause == "NORMAL_CLEARING"
    assert channel.hangup_complete["variable_hangup_cause_q850"] == "16"
    assert call.replay.received[:3] == ["connect\n\n", "myevents\n\n", "linger\n\n"]
    assert call.replay.received[-1] == "exit\n\n"
    assert all("\nEvent-UUID: " in m for m in call.replay.sent("sendmsg"))


def test_completion_is_matched_on_application_uuid_not_stale_variables_05(replay_call):
    targets = ["loopback/7001/default", "error/user_busy", "{originate_timeout=3}loopback/7002/default"]

    def script(channel):
        channel.execute("answer")
        channel.set("continue_on_fail", "true")
        channel.set("hangup_after_bridge", "false")
        results = [channel.execute("bridge", target) for target in targets]
        channel.hangup(None)
        return results

    call = replay_call("05-bridge-outcomes", "outbound-1", script)
    assert call.replay.errors == [] and call.error is None
    answered, busy, _ = call.result
    assert [r.var("originate_disposition") for r in call.result] == ["SUCCESS", "USER_BUSY", "NO_ANSWER"]
    assert [r.var("DIALSTATUS") for r in call.result] == ["SUCCESS", "BUSY", "NOANSWER"]
    assert [r.headers["Application-Data"] for r in call.result] == targets
    # left over from the first bridge: the completion says so, the result does not depend on it
    assert answered.var("bridge_hangup_cause") == busy.var("bridge_hangup_cause") == "NORMAL_CLEARING"


def test_uuid_break_completes_with_file_played_and_marks_it_interrupted_08(replay_call):
    def script(channel):
        channel.execute("answer")
        playback = channel.start("playback", "tone_stream://%(500,500,440);loops=20")
        channel.break_()
        broken = playback.wait(timeout=5)
        sleep = channel.execute("sleep", "10000")  # broken from the inbound side in the recording
        values = channel.api(f"uuid_getvar {channel.uuid} foo"), channel.getvar("foo")
        transferred = channel.execute("playback", "tone_stream://%(500,500,440);loops=20")
        channel.wait_hangup(5)
        return broken, sleep, values, transferred

    call = replay_call("08-uuid-break-and-transfer", "outbound-1", script)
    assert call.replay.errors == [] and call.error is None
    broken, sleep, values, transferred = call.result
    assert (broken.response, broken.interrupted) == ("FILE PLAYED", True)
    assert (sleep.response, sleep.interrupted) == ("_none_", False)
    assert values == ("bar", "bar")
    assert transferred.response == "PLAYBACK ERROR"
    assert call.replay.sent("api uuid_break") == [f"api uuid_break {call.channel.uuid} all\n\n"]


def test_without_linger_the_hangup_ends_the_session_08_third_call(replay_call):
    def script(channel):
        channel.execute("answer")
        channel.execute("sleep", "10000")

    call = replay_call("08-uuid-break-and-transfer", "outbound-3", script, linger=False)
    assert call.replay.errors == []
    assert isinstance(call.error, ChannelHungUp) and call.error.cause == "NORMAL_CLEARING"
    assert call.channel.hangup_complete is None
    assert call.replay.sent("linger") == [] and call.replay.sent("exit") == []


def test_reject_before_answer_09(replay_call):
    def script(channel):
        responded = channel.execute("respond", "603")
        channel.hangup("CALL_REJECTED")
        return responded

    call = replay_call("09-reject-before-answer", "outbound-1", script)
    assert call.replay.errors == [] and call.error is None
    assert call.result.response == "_none_"
    assert not call.channel.answered
    assert call.channel.hangup_cause == "CALL_REJECTED"


def test_linger_notice_before_channel_hangup_09_second_call(replay_call):
    causes = []

    def script(channel):
        channel.on_hangup(causes.append)
        channel.hangup("USER_BUSY")

    call = replay_call("09-reject-before-answer", "outbound-2", script)
    assert call.replay.errors == [] and call.error is None
    assert causes == ["USER_BUSY"]
    assert call.channel.hangup_complete["Hangup-Cause"] == "USER_BUSY"
    assert call.replay.received[-1] == "exit\n\n"


def test_caller_hangup_ends_the_wait_before_the_completion_arrives_11(replay_call):
    seen = {}

    def script(channel):
        channel.execute("answer")
        started = time.monotonic()
        try:
            channel.execute("playback", "tone_stream://%(500,500,440);loops=20")
        except ChannelHungUp as exc:
            seen["cause"] = exc.cause
            seen["completion_still_held"] = call_replay.held.is_set() and not call_replay.released.is_set()
            seen["seconds"] = time.monotonic() - started
        call_replay.released.set()

    call_replay = Replay("11-caller-hangup-mid-app", "outbound-1",
                         hold_after=lambda message: "\nEvent-Name: CHANNEL_HANGUP\n" in message)
    call = replay_with(replay_call, call_replay, script)
    assert call.replay.errors == [] and call.error is None
    assert seen["cause"] == "NORMAL_CLEARING"
    assert seen["completion_still_held"]  # the PLAYBACK ERROR completion had not been sent yet
    assert seen["seconds"] < 1
    assert call.replay.received[-1] == "exit\n\n"


def replay_with(replay_call, replay, script):
    """``replay_call`` with a prepared ``Replay`` (the script needs to see it)."""
    return replay_call(replay.trace, replay.sock_name, script, _replay=replay)


def test_long_arguments_travel_in_the_body_16(replay_call):
    long_arg = "/srv/fs/sounds/" + "x" * 1100 + ".wav"

    def script(channel):
        channel.execute("answer")
        return channel.execute("playback", long_arg)

    recorded_body = "content-length: 20\n\nsilence_stream://200"
    ours = f"content-length: {len(long_arg)}\n\n{long_arg}"
    recorded_hangup = "call-command: hangup\nhangup-cause: NORMAL_CLEARING"
    our_hangup = "call-command: execute\nexecute-app-name: hangup\nexecute-app-arg: NORMAL_CLEARING"
    call = replay_call("16-sendmsg-variants", "outbound-1", script,
                       rewrite={recorded_body: ours, recorded_hangup: our_hangup})
    assert call.replay.errors == [] and call.error is None
    assert call.result.response == "FILE PLAYED"
    (body_message,) = [m for m in call.replay.sent("sendmsg") if "content-type: text/plain" in m]
    assert "execute-app-arg" not in body_message and body_message.endswith(long_arg)


def test_unknown_application_hangs_the_call_up_16(replay_call):
    def script(channel):
        channel.execute("answer")
        channel.execute("no_such_app", "x")

    call = replay_call("16-sendmsg-variants", "outbound-2", script)
    assert call.replay.errors == []
    assert isinstance(call.error, ChannelHungUp) and call.error.cause == "DESTINATION_OUT_OF_ORDER"


def test_dtmf_reaches_subscribers_04(replay_call):
    digits = []

    def script(channel):
        channel.on_dtmf(lambda digit, event: digits.append((digit, event.headers["DTMF-Source"])))
        channel.execute("answer")
        result = channel.execute(
            "play_and_get_digits", r"1 4 2 5000 # /srv/fs/sounds/tone2s.wav silence_stream://250 pagd_input ^\d+$ 2000")
        channel.hangup(None)
        return result

    call = replay_call("04-play-and-get-digits", "outbound-1", script)
    assert call.replay.errors == [] and call.error is None
    assert call.result.var("pagd_input") == "12" and call.result.var("read_result") == "success"
    assert [d for d, _ in digits] == ["1", "2", "#"]


@pytest.mark.parametrize("arg", ["line one\nline two", " padded "])
def test_arguments_a_header_cannot_carry_go_in_the_body(arg):
    assert _needs_body(arg)
    assert not _needs_body("tone_stream://%(500,500,440);loops=2")


def test_interrupt_from_another_greenlet_stops_the_verb_without_racing_it_08(replay_call):
    def script(channel):
        channel.execute("answer")
        playback = channel.start("playback", "tone_stream://%(500,500,440);loops=20")
        gevent.spawn(channel.interrupt)  # a REST "modify" arriving while the prompt plays
        outcomes = []
        for attempt in (playback.wait, lambda: channel.execute("say", "never sent")):
            try:
                attempt()
            except Interrupted:
                outcomes.append("interrupted")
        channel.clear_interrupt()  # the replacement document starts
        outcomes.append(channel.execute("sleep", "10000").response)
        channel.execute("playback", "tone_stream://%(500,500,440);loops=20")
        channel.wait_hangup(5)
        return outcomes

    call = replay_call("08-uuid-break-and-transfer", "outbound-1", script)
    assert call.replay.errors == [] and call.error is None
    assert call.result == ["interrupted", "interrupted", "_none_"]
    assert len(call.replay.sent("api uuid_break")) == 1
    assert not [m for m in call.replay.received if "execute-app-name: say" in m]
