"""``GET /api/v1/callbacks/failed``: failures recorded by a real dispatcher, paged, scoped to the account."""
from __future__ import annotations

import gevent
import pytest

from tests.api.test_openapi import DOC, problems
from voxctl.webhooks.events import vox_number_event

DOWN = "http://127.0.0.1:1/callback"  # nothing listens on port 1: connection refused


@pytest.fixture
def dispatcher(services):
    services.settings.callback_retries = 0
    services.callbacks.start()
    yield services.callbacks
    services.callbacks.stop(timeout=0)


def _fail(dispatcher, account, events):
    """Send ``events`` (number events) for ``account`` to a receiver that is down; wait until recorded."""
    before = len(dispatcher.failed(account.id))
    for n, event in enumerate(events):
        dispatcher.send(f"call-{account.id}-{n}", DOWN, "POST", "voxxml",
                        vox_number_event(event, f"call-{n}", "15556667777"), account.record)
    with gevent.Timeout(5, AssertionError("failures not recorded")):
        while len(dispatcher.failed(account.id)) < before + len(events):
            gevent.sleep(0.01)


def test_lists_the_accounts_failures_newest_first_paged(client, account, other_account, dispatcher):
    _fail(dispatcher, account, ["queued"])
    _fail(dispatcher, account, ["ringing"])
    _fail(dispatcher, account, ["answered"])
    body = client.get("/api/v1/callbacks/failed", headers=account.headers).json
    assert problems(body, DOC["components"]["schemas"]["FailedCallbackList"]) == []
    assert (body["count"], body["page"], body["page_count"]) == (3, 1, 1)
    assert [f["payload"]["event"] for f in body["results"]] == ["answered", "ringing", "queued"]
    first = body["results"][0]
    assert (first["url"], first["method"], first["flavour"], first["kind"]) == (DOWN, "POST", "voxxml", "status")
    assert first["attempts"] == 1 and first["error"].startswith("connection failed")
    assert "account_id" not in first
    second = client.get("/api/v1/callbacks/failed?page=2&page_size=2", headers=account.headers).json
    assert (second["count"], second["page_count"], second["page_size"]) == (3, 2, 2)
    assert [f["payload"]["event"] for f in second["results"]] == ["queued"]
    assert client.get("/api/v1/callbacks/failed?page=3&page_size=2", headers=account.headers).json["results"] == []


def test_another_accounts_failures_are_invisible(client, account, other_account, dispatcher):
    _fail(dispatcher, account, ["queued", "complete"])
    theirs = client.get("/api/v1/callbacks/failed", headers=other_account.headers).json
    assert (theirs["count"], theirs["results"]) == (0, [])
    _fail(dispatcher, other_account, ["no_connect"])
    theirs = client.get("/api/v1/callbacks/failed", headers=other_account.headers).json
    assert [f["payload"]["event"] for f in theirs["results"]] == ["no_connect"]
    mine = client.get("/api/v1/callbacks/failed", headers=account.headers).json
    assert sorted(f["payload"]["event"] for f in mine["results"]) == ["complete", "queued"]


def test_needs_a_key_and_valid_paging(client, account):
    assert client.get("/api/v1/callbacks/failed").status_code == 401
    response = client.get("/api/v1/callbacks/failed?page_size=0", headers=account.headers)
    assert response.status_code == 422 and response.json["error"]["description"].startswith("page_size:")
