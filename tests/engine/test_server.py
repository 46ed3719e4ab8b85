"""``OutboundServer``: capacity, crash isolation, graceful stop (calls replayed from trace 02/09)."""
from __future__ import annotations

import time

import gevent
from gevent.event import Event

from tests.engine.replay import Replay

CALL = ("02-outbound-answer-playback-hangup", "outbound-1")


def test_a_call_over_capacity_is_refused_cleanly(outbound):
    release = Event()
    handled = []

    def handler(channel):
        handled.append(channel.uuid)
        channel.execute("answer")
        release.wait(5)

    server = outbound(handler, max_calls=1)
    first = Replay(*CALL)
    first.dial(server.port)
    gevent.sleep(0.1)
    # same flow as the recorded `hangup USER_BUSY` of an unanswered call, with our refusal cause
    refused = Replay("09-reject-before-answer", "outbound-2", rewrite={"USER_BUSY": "SWITCH_CONGESTION"})
    refused.dial(server.port)
    refused.wait(5)
    assert refused.errors == []
    assert refused.sent("sendmsg")[0].startswith(
        "sendmsg\ncall-command: execute\nexecute-app-name: hangup\nexecute-app-arg: SWITCH_CONGESTION\n")
    assert refused.received[-1] == "exit\n\n"
    release.set()
    first.wait(5)
    assert first.errors == []
    assert handled == ["a81f5668-5efd-4f0c-81ed-9cb5c8d5c07a"]


def test_a_crashing_call_does_not_touch_another(outbound):
    results = {}

    def handler(channel):
        channel.execute("answer")
        if not results:
            results["crashed"] = channel.uuid
            raise RuntimeError("bug in one call")
        results["other"] = [channel.execute("playback", "silence_stream://500").response]

    server = outbound(handler)
    crashing, healthy = Replay(*CALL), Replay(*CALL)
    crashing.dial(server.port)
    gevent.sleep(0.05)
    healthy.dial(server.port)
    crashing.wait(5)
    healthy.wait(5)
    assert crashing.errors == [] and healthy.errors == []
    assert results["other"] == ["FILE PLAYED"]
    # the crashed call was still hung up and handed back
    assert crashing.sent("sendmsg")[-1].startswith(
        "sendmsg\ncall-command: execute\nexecute-app-name: hangup\nexecute-app-arg: NORMAL_CLEARING\n")
    assert crashing.received[-1] == "exit\n\n"


def test_stop_waits_for_running_calls_then_hangs_up_the_rest(outbound):
    def handler(channel):
        channel.execute("answer")
        channel.wait_hangup()  # a call that would never end on its own

    server = outbound(handler)
    call = Replay(*CALL, rewrite={"NORMAL_CLEARING": "SYSTEM_SHUTDOWN"})
    call.dial(server.port)
    gevent.sleep(0.1)
    assert server.active_calls == 1
    started = time.monotonic()
    server.stop(grace=0.3)
    elapsed = time.monotonic() - started
    call.wait(5)
    assert call.errors == []
    assert 0.3 <= elapsed < 2
    assert server.active_calls == 0
    assert "execute-app-arg: SYSTEM_SHUTDOWN" in call.sent("sendmsg")[-1]


def test_port_zero_binds_an_ephemeral_port(outbound):
    server = outbound(lambda channel: None)
    assert server.port > 0


def test_calls_leave_no_greenlets_behind(outbound):
    import gc

    import greenlet

    def live() -> int:
        gc.collect()
        return sum(1 for g in gc.get_objects() if isinstance(g, greenlet.greenlet) and not g.dead)

    def handler(channel):
        channel.execute("answer")
        channel.hangup()

    server = outbound(handler)
    before = live()
    started = time.monotonic()
    for _ in range(5):
        call = Replay(*CALL)
        call.dial(server.port)
        call.wait(5)
        assert call.errors == []
    assert time.monotonic() - started < 1  # no 1 s dispatcher poll per call
    gevent.sleep(0.05)
    assert live() <= before
