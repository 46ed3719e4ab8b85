"""``POST /api/v1/calls`` against a running node and the simulator: every status the call moves through.

The statuses are read as Redis reports them (``StatusWatch``), so none is missed
however briefly the call holds it; the called party is scripted with the
simulator's ``Destination`` (ringing time, busy, no answer, failure).
"""
from __future__ import annotations

import pytest

from tests.api.live import NativeApi, StatusWatch, leg, record
from voxctl.sim import Destination


@pytest.fixture
def watch(redis_server, account):
    watcher = StatusWatch(redis_server, account.id)
    yield watcher
    watcher.close()


def test_an_answered_call_goes_queued_processing_ringing_answered_complete(node, sim, account, watch):
    sim.set_destination("15553350001", Destination("answer", answer_after=2.0, stay=60))
    api = NativeApi(node, account)
    created = api.create_call("+15553350001", "<Response><Say>Hello callee</Say></Response>")
    assert created["status"] == "queued"
    callee = leg(sim, created["id"])

    assert watch.until("complete") == ["queued", "processing", "ringing", "answered", "complete"]
    callee.wait(10)
    assert callee.heard() == ["Hello callee"]
    assert [e.kind for e in callee.timeline][-1] == "hangup"
    shown = api.request("GET", f"/calls/{created['id']}").json()
    assert (shown["status"], shown["to"], shown["from"]) == ("complete", "15553350001", "15557770000")
    assert shown["created_time"] <= shown["answer_time"] <= shown["hangup_time"]
    stored = node.services.store.calls.get(created["id"])
    assert (stored.node_id, stored.hangup_by, stored.direction) == (node.node_id, "document", "outbound-api")


@pytest.mark.parametrize("outcome, statuses, cause", [
    ("busy", ["queued", "processing", "busy"], "USER_BUSY"),
    ("no-answer", ["queued", "processing", "ringing", "no_answer"], "NO_ANSWER"),
    ("failed", ["queued", "processing", "failed"], "NORMAL_TEMPORARY_FAILURE"),
])
def test_a_call_that_is_not_answered_ends_busy_no_answer_or_failed(node, sim, account, watch, outcome, statuses,
                                                                   cause):
    sim.set_destination("15553350002", Destination(outcome))
    api = NativeApi(node, account)
    created = api.create_call("15553350002", "<Response><Say>never heard</Say></Response>")

    assert watch.until(statuses[-1]) == statuses
    stored = record(node, created["id"])
    assert (stored.hangup_cause, stored.answer_time) == (cause, None)
    shown = api.request("GET", f"/calls/{created['id']}").json()
    assert shown["status"] == statuses[-1] and "answer_time" not in shown and shown["hangup_time"]
