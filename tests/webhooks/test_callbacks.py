"""Callback delivery against a real local receiver and a real Redis."""
from __future__ import annotations

import json

import gevent
import pytest
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from tests.webhooks.conftest import request_url
from voxctl.cli import main
from voxctl.webhooks.callbacks import CallbackDispatcher
from voxctl.webhooks.events import vox_number_event
from voxctl.webhooks.signing import verify_vox_signature

DOWN = "http://127.0.0.1:1/cb"


@pytest.fixture
def make_dispatcher(client, settings, redis_client):
    made = []

    def make(workers: int = 4, start: bool = True, **changes) -> CallbackDispatcher:
        for name, value in changes.items():
            setattr(settings, name, value)
        dispatcher = CallbackDispatcher(client, settings, redis_client, workers=workers, backoff=0.01)
        if start:
            dispatcher.start()
        made.append(dispatcher)
        return dispatcher

    yield make
    for dispatcher in made:
        dispatcher.stop(timeout=0)


def _slow(seconds: float):
    def handler(_req):
        gevent.sleep(seconds)
        return ""
    return handler


def test_send_never_yields_and_order_is_kept_per_call(http_server, make_dispatcher, account):
    url = http_server.route("/cb", _slow(0.01), content_type="text/plain")
    dispatcher = make_dispatcher(workers=4)
    for i in range(25):
        for call in ("call-a", "call-b", "call-c"):
            dispatcher.send(call, url, "POST", "twiml", {"CallSid": call, "N": str(i)}, account)
    # the sending greenlet never gave the workers a chance to run
    assert http_server.requests == []
    assert dispatcher.stats()["queued"] == 75
    received = http_server.wait_for("/cb", 75)
    validator = RequestValidator(account.auth_token)
    for call in ("call-a", "call-b", "call-c"):
        mine = [r for r in received if r.param("CallSid") == call]
        assert [r.param("N") for r in mine] == [str(i) for i in range(25)]
        assert [r.param("SequenceNumber") for r in mine] == [str(i) for i in range(25)]
        assert all(validator.validate(request_url(http_server, r), MultiDict(r.form),
                                      r.headers["X-Twilio-Signature"]) for r in mine)
    dispatcher.stop(timeout=5)
    assert dispatcher.stats() == {"sent": 75, "failed": 0, "dropped": 0, "retried": 0, "queued": 0,
                                  "in_flight": 0}


def test_sequence_numbers_only_for_twiml_status_and_conference(http_server, make_dispatcher, account):
    url = http_server.route("/cb", "", content_type="text/plain")
    dispatcher = make_dispatcher()
    dispatcher.send("c1", url, "POST", "twiml", {"K": "status"}, account)
    dispatcher.send("c1", url, "POST", "twiml", {"K": "action"}, account, kind="action")
    dispatcher.send("c1", url, "POST", "twiml", {"K": "status2"}, account)
    dispatcher.send("conf1", url, "POST", "twiml", {"K": "conf"}, account, kind="conference")
    dispatcher.send("c1", url, "POST", "voxxml", {"K": "vox"}, account)
    received = {r.param("K") or r.json["K"]: r for r in http_server.wait_for("/cb", 5)}
    assert received["status"].param("SequenceNumber") == "0"
    assert received["action"].param("SequenceNumber") is None
    assert received["status2"].param("SequenceNumber") == "1"
    assert received["conf"].param("SequenceNumber") == "0"
    assert received["vox"].json == {"K": "vox"}


def test_voxxml_post_json_and_get_query_are_signed(http_server, make_dispatcher, account):
    url = http_server.route("/cb", "", content_type="text/plain")
    dispatcher = make_dispatcher()
    payload = vox_number_event("ringing", "c1", "15556667777")
    dispatcher.send("c1", url, "POST", "voxxml", payload, account)
    dispatcher.send("c1", url, "GET", "voxxml", payload, account)
    post, get = http_server.wait_for("/cb", 2)
    assert post.json == payload
    assert verify_vox_signature(account.signing_secret, post.headers["X-Vox-Signature"], post.body)
    assert {k: v[0] for k, v in get.query.items()} == payload
    query = request_url(http_server, get).split("?", 1)[1].encode()
    assert verify_vox_signature(account.signing_secret, get.headers["X-Vox-Signature"], query)


def test_retries_on_500_then_success_with_one_idempotency_key(http_server, make_dispatcher, account):
    answers = iter([500, 503])
    url = http_server.route("/flaky", lambda _req: (next(answers, 204), {}, ""), content_type="text/plain")
    dispatcher = make_dispatcher(callback_retries=2)
    dispatcher.send("c1", url, "POST", "twiml", {"CallSid": "c1"}, account)
    attempts = http_server.wait_for("/flaky", 3)
    assert len({r.headers["I-Twilio-Idempotency-Token"] for r in attempts}) == 1
    assert {r.param("SequenceNumber") for r in attempts} == {"0"}
    dispatcher.stop(timeout=5)
    assert dispatcher.stats()["sent"] == 1 and dispatcher.stats()["retried"] == 2
    assert dispatcher.failed() == []


def test_no_retry_on_400_and_failure_recorded(http_server, make_dispatcher, account):
    url = http_server.route("/bad", "no", status=400, content_type="text/plain")
    dispatcher = make_dispatcher()
    dispatcher.send("c1", url, "POST", "voxxml", {"event": "join"}, account, kind="conference")
    http_server.wait_for("/bad", 1)
    dispatcher.stop(timeout=5)
    assert len(http_server.requests_to("/bad")) == 1
    assert dispatcher.stats()["failed"] == 1 and dispatcher.stats()["retried"] == 0
    [failure] = dispatcher.failed(account.id)
    assert failure["url"] == url and failure["error"] == "HTTP 400" and failure["attempts"] == 1
    assert failure["payload"] == {"event": "join"} and failure["call_id"] == "c1"
    assert failure["kind"] == "conference" and failure["account_id"] == account.id
    assert dispatcher.failed(account.sid) == [failure]  # the AC SID names the account too
    assert dispatcher.failed() == [failure]


def test_receiver_down_retries_then_fails(make_dispatcher, account):
    dispatcher = make_dispatcher(callback_retries=2)
    dispatcher.send("c1", DOWN, "POST", "twiml", {"CallSid": "c1"}, account)
    dispatcher.stop(timeout=5)
    assert dispatcher.stats()["retried"] == 2 and dispatcher.stats()["failed"] == 1
    [failure] = dispatcher.failed()
    assert failure["attempts"] == 3 and "refused" in failure["error"]


def test_slow_receiver_beyond_read_timeout_does_not_delay_other_calls(http_server, make_dispatcher, account):
    slow = http_server.route("/slow", _slow(2), content_type="text/plain")
    fast = http_server.route("/fast", "", content_type="text/plain")
    dispatcher = make_dispatcher(workers=2, callback_retries=1)
    for i in range(5):
        dispatcher.send("stuck", slow, "POST", "voxxml", {"n": i}, account)
    for call in ("b", "c", "d", "e", "f"):
        dispatcher.send(call, fast, "POST", "voxxml", {"call": call}, account)
    http_server.wait_for("/fast", 5)
    # every other call got through while the stuck call's first callback was still waiting
    assert dispatcher.stats()["failed"] == 0
    assert len(http_server.requests_to("/slow")) == 1
    http_server.wait_for("/slow", 4)  # in order: n=0 twice (timeout, retry), then n=1 ...
    assert [r.json["n"] for r in http_server.requests_to("/slow")[:4]] == [0, 0, 1, 1]
    assert "timeout" in dispatcher.failed()[0]["error"]


def test_full_queue_drops_oldest_and_counts(http_server, make_dispatcher, account):
    url = http_server.route("/cb", "", content_type="text/plain")
    dispatcher = make_dispatcher(start=False, callback_queue_size=5)
    for i in range(8):
        dispatcher.send(f"call-{i % 2}", url, "POST", "voxxml", {"n": i}, account)
    assert dispatcher.stats()["dropped"] == 3 and dispatcher.stats()["queued"] == 5
    dispatcher.start()
    received = http_server.wait_for("/cb", 5)
    assert sorted(r.json["n"] for r in received) == [3, 4, 5, 6, 7]
    dispatcher.stop(timeout=5)
    dropped = dispatcher.failed()
    assert sorted(f["payload"]["n"] for f in dropped) == [0, 1, 2]
    assert {f["error"] for f in dropped} == {"dropped: callback queue full"}


def test_stop_drains_then_records_what_is_left(http_server, make_dispatcher, account):
    url = http_server.route("/cb", "", content_type="text/plain")
    dispatcher = make_dispatcher()
    for i in range(10):
        dispatcher.send(f"call-{i}", url, "POST", "voxxml", {"n": i}, account)
    dispatcher.stop(timeout=5)
    assert len(http_server.requests_to("/cb")) == 10 and dispatcher.stats()["sent"] == 10

    slow = http_server.route("/slow", _slow(2), content_type="text/plain")
    stuck = make_dispatcher()
    stuck.send("c1", slow, "POST", "voxxml", {"n": 1}, account)
    stuck.send("c1", slow, "POST", "voxxml", {"n": 2}, account)
    http_server.wait_for("/slow", 1)
    stuck.stop(timeout=0)
    assert stuck.stats()["failed"] == 2
    assert {f["error"] for f in stuck.failed()} == {"not delivered before shutdown"}
    stuck.send("c1", slow, "POST", "voxxml", {"n": 3}, account)
    assert stuck.stats()["dropped"] == 1


def test_invalid_url_fails_without_retry(make_dispatcher, account):
    dispatcher = make_dispatcher()
    dispatcher.send("c1", "/relative", "POST", "twiml", {}, account)
    dispatcher.stop(timeout=5)
    assert dispatcher.stats()["failed"] == 1 and dispatcher.stats()["retried"] == 0
    with pytest.raises(ValueError):
        dispatcher.send("c1", "http://h/", "PUT", "twiml", {})


def test_cli_lists_failures(http_server, make_dispatcher, account, redis_server, tmp_path, capsys):
    url = http_server.route("/gone", "", status=410, content_type="text/plain")
    dispatcher = make_dispatcher()
    dispatcher.send("c1", url, "POST", "twiml", {"CallSid": "c1"}, account)
    dispatcher.send("c2", url, "POST", "voxxml", {"call_id": "c2"})
    dispatcher.stop(timeout=5)
    ini = tmp_path / "voxctl.ini"
    ini.write_text(f"[voxctl]\nredis_url = {redis_server.url}\ndata_dir = {tmp_path}\n")

    assert main(["--config", str(ini), "callbacks", "failed", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(f["call_id"] for f in lines) == ["c1", "c2"]

    assert main(["--config", str(ini), "callbacks", "failed", "--account", account.sid]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "c1" in out[0] and url in out[0] and "HTTP 410" in out[0]

    assert main(["--config", str(ini), "callbacks", "failed", "--account", "nobody"]) == 0
    assert capsys.readouterr().out.strip() == "no failed callbacks"
