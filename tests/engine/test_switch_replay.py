"""``SwitchLink`` against inbound connections replayed from a real FreeSWITCH 1.10."""
from __future__ import annotations

import pytest

from tests.engine.replay import Replay
from voxctl.config import Settings
from voxctl.engine.switch import (
    DEFAULT_EVENTS,
    SwitchAuthError,
    SwitchLink,
    SwitchUnavailable,
)


def link_to(replay: Replay, events=DEFAULT_EVENTS, password: str = "ClueCon") -> SwitchLink:
    settings = Settings(esl_host="127.0.0.1", esl_port=replay.listen(), esl_password=password)
    return SwitchLink(settings, events=events)


def test_wrong_password_is_refused_01():
    replay = Replay("01-inbound-auth", "inbound-1")
    link = link_to(replay, password="WrongPassword")
    with pytest.raises(SwitchAuthError):
        link.connect()
    replay.wait(5)
    assert replay.errors == []
    assert not link.connected


def test_unreachable_switch():
    link = SwitchLink(Settings(esl_host="127.0.0.1", esl_port=1))
    with pytest.raises(SwitchUnavailable):
        link.connect()


def test_api_bgapi_and_subscriptions_01():
    replay = Replay("01-inbound-auth", "inbound-2")
    link = link_to(replay, events=["BACKGROUND_JOB"])
    link.connect()
    created = []
    try:
        assert link.bgapi("status", timeout=5).startswith("UP 0 years")
        assert link.bgapi("version", timeout=5).startswith("FreeSWITCH Version 1.10.12")
        link.subscribe("CHANNEL_CREATE", created.append)
        originated = link.bgapi("originate loopback/7003/default &park()", timeout=5)
        assert link.api("show channels as json") == '{"row_count": 0}\n'
        assert link.api("show channels as json").startswith('{"row_count":2,')
        assert link.uuid_kill("6ae2c286-e203-4759-9afe-dfa711467cfa") == "+OK\n"
    finally:
        link.close()
    replay.wait(5)
    assert replay.errors == []
    assert originated == "+OK 6ae2c286-e203-4759-9afe-dfa711467cfa\n"
    assert [e.headers["Unique-ID"] for e in created] == [
        "6ae2c286-e203-4759-9afe-dfa711467cfa", "c3a6abe6-f48b-4c5b-b0b4-247bac812d0a"]
    assert replay.sent("event") == ["event plain BACKGROUND_JOB\n\n", "event plain CHANNEL_CREATE\n\n"]
    assert all("\nJob-UUID: " in m for m in replay.sent("bgapi"))


def test_originate_results_10():
    replay = Replay("10-originate-to-socket", "inbound-1")
    link = link_to(replay)
    link.start()  # the keeper connects in the background
    assert link.wait_connected(5)
    target = "&socket('127.0.0.1:8084 async full')"
    try:
        answered = link.originate("loopback/7001/default", {
            "origination_caller_id_number": "15556668888", "vox_call_id": "test1", "originate_timeout": 10,
        }, target=target, timeout=5)
        busy = link.originate("error/user_busy", target=target, timeout=5)
        synchronous = link.api(f"originate error/user_busy {target}")
    finally:
        link.close()
    replay.wait(5)
    assert replay.errors == []
    assert answered.ok and answered.cause == "" and answered.reply == f"+OK {answered.uuid}"
    assert (busy.ok, busy.cause) == (False, "USER_BUSY")
    assert synchronous == "-ERR USER_BUSY\n"
    first = replay.sent("bgapi originate")[0]
    assert first.startswith(f"bgapi originate {{origination_uuid={answered.uuid},origination_caller_id_number=")


def test_the_event_subscription_puts_custom_last():
    from voxctl.engine.switch import _subscription

    assert _subscription(["CUSTOM", "conference::maintenance", "DTMF"]) == [
        "DTMF", "BACKGROUND_JOB", "CUSTOM", "conference::maintenance"]


def test_originate_arguments_survive_the_api_split():
    from voxctl.engine.switch import _quote_argument

    assert _quote_argument(r"{a=b\,c,d=O\'Brien\sJr}x") == r"{a=b\\,c,d=O\\\'Brien\\sJr}x"
