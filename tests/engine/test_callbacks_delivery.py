"""Callback delivery end to end: order per call, and receivers that are down, too slow or failing.

A failing receiver costs retries and leaves recorded failures (listed by the CLI and
the API), but never a call record and never a moment of the call: the simulated
caller's timeline of the same document is the same as with a healthy receiver.
"""
from __future__ import annotations

import json

import gevent
import pytest

from tests.engine.helpers import wait_until
from tests.engine.test_dialer import final, queue_call
from voxctl.cli import main
from voxctl.engine.verbs.gather import SILENT_PROMPT
from voxctl.sim import Destination, DtmfOnPrompt
from voxctl.store.records import CallStatus
from voxctl.webhooks.client import Timeouts

RETRIES = 1
READ_TIMEOUT = 0.3  # real seconds; 15 s of the simulator's clock at speed 50
# real seconds before a retry: a call's callbacks go one at a time, so its seven take at least
# 6 * BACKOFF (75 s of the simulator's clock) to all be tried once; the call after its first one lasts 6 s
BACKOFF = 0.25
DESTINATION = "15559990001"


def _document(hook: str) -> str:
    """Media, a Gather and a Dial, each sending callbacks to ``hook`` while the call goes on."""
    return (f"<Response><Say>Welcome to the callback test</Say>"
            f"<Gather numDigits='2' timeout='5' statusCallback='{hook}' statusCallbackEvent='partialResult fullResult'>"
            "<Say>Enter two digits</Say></Gather>"
            f"<Dial statusCallback='{hook}' statusCallbackEvent='queued ringing answered complete'>"
            f"<Number>{DESTINATION}</Number></Dial><Say>Goodbye</Say></Response>")


CALLBACKS = 7  # 2 partial_input + complete_input + queued, ringing, answered, complete
# the first digit stops the prompt; the second comes once the digits are being read (its silent prompt), so
# the order of the caller's timeline is the same however long the engine takes in between
DTMF = [DtmfOnPrompt("4", contains="two digits", delay=0.5), DtmfOnPrompt("2", contains=SILENT_PROMPT, delay=0.1)]


@pytest.fixture
def strict(node, sim):
    """The node with short callback timeouts, one retry and a short backoff."""
    node.services.settings.callback_retries = RETRIES
    node.services.http.callback_timeouts = Timeouts(0.5, READ_TIMEOUT)
    node.services.callbacks.backoff = BACKOFF
    sim.set_destination(DESTINATION, Destination("answer", answer_after=2, stay=3))
    return node


def _shape(call):
    """The caller's timeline as (kind, detail) in order."""
    return [(e.kind, {} if e.kind == "ringing" else e.detail) for e in call.timeline]


def _healthy_run(dial, http_server, account):
    hook = http_server.route("/healthy", "")
    call = dial(_document(hook), dtmf=DTMF).wait(15)
    assert len(http_server.wait_for("/healthy", CALLBACKS)) == CALLBACKS
    return call


def _slow(_request):
    gevent.sleep(READ_TIMEOUT * 4)
    return ""


@pytest.mark.parametrize("mode, error", [
    ("down", "connection failed"),
    ("slow", "timeout"),
    ("error", "HTTP 500"),
])
def test_failing_receiver_never_changes_the_call(strict, dial, http_server, account, tmp_path, capsys, redis_server,
                                                 mode, error):
    healthy = _healthy_run(dial, http_server, account)
    hook = {"down": lambda: "http://127.0.0.1:1/hook",
            "slow": lambda: http_server.route("/hook", _slow),
            "error": lambda: http_server.route("/hook", "", status=500)}[mode]()
    callbacks = strict.services.callbacks
    retried = callbacks.stats()["retried"]
    failing = dial(_document(hook), dtmf=DTMF).wait(15)
    # the call was over before its callbacks had all been tried once: it waited for none of them
    assert callbacks.stats()["retried"] - retried < CALLBACKS

    healthy_entries = _shape(healthy)
    assert _shape(failing) == healthy_entries
    assert [k for k, _ in healthy_entries].count("speak") == 3 and ("dtmf", {"digits": "4"}) in healthy_entries
    record = strict.services.store.calls.get(failing.uuid)
    assert record.status == CallStatus.COMPLETE and record.hangup_by == "document"

    wait_until(lambda: len(callbacks.failed(account.id)) == CALLBACKS, 30, "failures recorded")
    failures = callbacks.failed(account.id)
    assert [f for f in failures if f["attempts"] != RETRIES + 1 or error not in f["error"]] == []
    assert callbacks.stats()["retried"] - retried == CALLBACKS * RETRIES
    events = sorted(f["payload"]["event"] for f in failures)
    assert events == sorted(["partial_input", "partial_input", "complete_input", "queued", "ringing", "answered",
                             "complete"])
    if mode == "slow":  # the receiver did get every attempt, each abandoned at the read timeout
        assert len(http_server.requests_to("/hook")) == CALLBACKS * (RETRIES + 1)

    ini = tmp_path / "voxctl.ini"
    ini.write_text(f"[voxctl]\nredis_url = {redis_server.url}\ndata_dir = {tmp_path}\n")
    capsys.readouterr()
    assert main(["--config", str(ini), "callbacks", "failed", "--account", account.id, "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert listed == failures


def test_callbacks_of_a_call_arrive_in_order_behind_a_slow_first_answer(node, sim, account, http_server):
    sim.set_destination("15559990002", Destination("answer", answer_after=1, stay=30))
    answered = []

    def receiver(request):
        if not answered:
            gevent.sleep(0.3)  # the first callback is slow to answer: the others wait behind it
        answered.append(request.param("SequenceNumber"))
        return ""
    hook = http_server.route("/ordered", receiver)
    call_id = queue_call(node, account, "15559990002", "<Response><Say>Quick one</Say></Response>", flavour="twiml",
                         status_callback=hook, status_callback_events=["initiated", "ringing", "answered",
                                                                       "completed"])
    assert final(node, call_id).status == CallStatus.COMPLETE
    arrived = http_server.wait_for("/ordered", 4)
    assert [(r.param("SequenceNumber"), r.param("CallStatus")) for r in arrived] == [
        ("0", "initiated"), ("1", "ringing"), ("2", "in-progress"), ("3", "completed")]
    wait_until(lambda: len(answered) == 4, 5, "answers")
    assert answered == ["0", "1", "2", "3"]
