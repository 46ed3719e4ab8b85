"""``/api/v1/calls``: list, get, create, modify, delete, against a real Redis and control bus."""
from __future__ import annotations

import uuid

import pytest

from tests.api.test_auth_and_errors import assert_error
from tests.fixtures.api import SAY
from voxctl import control
from voxctl.store.records import CallStatus

CALLS = "/api/v1/calls"
NEW_CALL = {"to": "15556667777", "from": "15556668888", "voxXML": SAY}
CALL_FIELDS = {"id", "to", "from", "status", "created_time", "modified_time", "answer_time", "hangup_time", "error"}


# --- list and get ----------------------------------------------------------------------------


def test_list_is_newest_first_with_paging_fields(client, account):
    ids = [account.call(to=f"1555000000{n}").id for n in range(5)]
    body = client.get(CALLS, headers=account.headers).json
    assert {k: body[k] for k in ("page", "page_size", "page_count", "count")} == \
        {"page": 1, "page_size": 25, "page_count": 1, "count": 5}
    assert [c["id"] for c in body["results"]] == ids[::-1]


def test_list_pages(client, account):
    ids = [account.call().id for _ in range(7)][::-1]
    pages = [client.get(CALLS, query_string={"page": n, "page_size": 3}, headers=account.headers).json
             for n in (1, 2, 3, 4)]
    assert [p["page_count"] for p in pages] == [3, 3, 3, 3]
    assert [p["count"] for p in pages] == [7, 7, 7, 7]
    assert [[c["id"] for c in p["results"]] for p in pages] == [ids[0:3], ids[3:6], ids[6:7], []]
    assert pages[3]["page"] == 4 and pages[3]["page_size"] == 3


@pytest.mark.parametrize("query, field", [({"page": "0"}, "page"), ({"page_size": "1001"}, "page_size"),
                                          ({"page_size": "many"}, "page_size")])
def test_list_refuses_bad_paging_naming_the_parameter(client, account, query, field):
    assert_error(client.get(CALLS, query_string=query, headers=account.headers), 422, mentions=field)


def test_list_holds_active_and_completed_calls_of_this_account_only(client, account, other_account, store):
    live = account.call(status=CallStatus.ANSWERED)
    done = account.call(status=CallStatus.ANSWERED)
    store.calls.set_status(done.id, CallStatus.COMPLETE)
    other_account.call()
    body = client.get(CALLS, headers=account.headers).json
    assert {c["id"]: c["status"] for c in body["results"]} == {done.id: "complete", live.id: "answered"}


def test_a_call_shows_the_spec_fields_and_omits_those_not_applicable(client, account, store):
    call = account.call(status=CallStatus.RINGING)
    shown = client.get(f"{CALLS}/{call.id}", headers=account.headers).json
    assert shown == {"id": call.id, "to": "15556667777", "from": "15556668888", "status": "ringing",
                     "created_time": call.created_time, "modified_time": shown["modified_time"]}
    error = {"code": 5107, "description": "could not reach URL", "time": "2021-09-21T14:14:17.000Z"}
    store.calls.set_status(call.id, CallStatus.ANSWERED)
    store.calls.set_status(call.id, CallStatus.FAILED, error=error)
    shown = client.get(f"{CALLS}/{call.id}", headers=account.headers).json
    assert set(shown) == CALL_FIELDS
    assert shown["status"] == "failed" and shown["error"] == error
    assert list(shown) == [f for f in ("id", "to", "from", "status", "created_time", "modified_time",
                                       "answer_time", "hangup_time", "error")]


def test_a_call_id_is_case_insensitive(client, account):
    call = account.call()
    assert client.get(f"{CALLS}/{call.id.upper()}", headers=account.headers).json["id"] == call.id


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_unknown_malformed_and_other_accounts_calls_are_404(client, account, other_account, method):
    theirs = other_account.call()
    for call_id in (str(uuid.uuid4()), "not-a-uuid", theirs.id, theirs.id.replace("-", "")):
        response = client.open(f"{CALLS}/{call_id}", method=method, json={"voxXML": SAY}, headers=account.headers)
        assert_error(response, 404, mentions=call_id)
    assert client.get(f"{CALLS}/{theirs.id}", headers=other_account.headers).status_code == 200


# --- create ----------------------------------------------------------------------------------


def test_create_queues_the_call_and_answers_201(client, account, store, redis_client):
    response = client.post(CALLS, json={**NEW_CALL, "to": "+15556667777"}, headers=account.headers)
    assert response.status_code == 201
    call = response.json
    assert set(call) == {"id", "to", "from", "status", "created_time", "modified_time"}
    assert (call["to"], call["from"], call["status"]) == ("15556667777", "15556668888", "queued")
    assert response.headers["Location"].endswith(f"{CALLS}/{call['id']}")
    assert redis_client.lrange(control.ORIGINATE_QUEUE, 0, -1) == [call["id"]]
    record = store.calls.get(call["id"], account.id)
    assert (record.voxxml, record.flavour, record.direction) == (SAY, "voxxml", "outbound-api")
    assert client.get(f"{CALLS}/{call['id']}", headers=account.headers).json == call


def test_creates_queue_in_order(client, account, redis_client):
    ids = [client.post(CALLS, json=NEW_CALL, headers=account.headers).json["id"] for _ in range(3)]
    assert redis_client.lrange(control.ORIGINATE_QUEUE, 0, -1) == ids


@pytest.mark.parametrize("body, field", [
    ({**NEW_CALL, "to": None}, "to"),
    ({k: v for k, v in NEW_CALL.items() if k != "to"}, "to"),
    ({**NEW_CALL, "to": ""}, "to"),
    ({**NEW_CALL, "to": "1555abc7777"}, "to"),
    ({**NEW_CALL, "to": "1234567890123456"}, "to"),
    ({**NEW_CALL, "to": "++15556667777"}, "to"),
    ({**NEW_CALL, "to": 15556667777}, "to"),
    ({**NEW_CALL, "to": "sip:alice@example.com"}, "to"),
    ({k: v for k, v in NEW_CALL.items() if k != "from"}, "from"),
    ({**NEW_CALL, "from": "1555 666 8888"}, "from"),
    ({k: v for k, v in NEW_CALL.items() if k != "voxXML"}, "voxXML"),
    ({**NEW_CALL, "voxXML": ""}, "voxXML"),
    ({**NEW_CALL, "voxXML": 42}, "voxXML"),
])
def test_create_refuses_a_bad_field_naming_it(client, account, redis_client, body, field):
    error = assert_error(client.post(CALLS, json=body, headers=account.headers), 422)
    assert error["description"].startswith(field + ":")
    assert redis_client.llen(control.ORIGINATE_QUEUE) == 0
    assert client.get(CALLS, headers=account.headers).json["count"] == 0


def test_fifteen_digits_is_the_most_a_number_has(client, account):
    response = client.post(CALLS, json={**NEW_CALL, "to": "123456789012345"}, headers=account.headers)
    assert response.status_code == 201 and response.json["to"] == "123456789012345"


@pytest.mark.parametrize("data, content_type", [
    (b"", "application/json"),
    (b"to=1555&from=1555", "application/x-www-form-urlencoded"),
    (b"{not json", "application/json"),
    (b"[1, 2]", "application/json"),
    (b"\xff\xfe", "application/json"),
])
def test_create_refuses_a_body_that_is_not_a_json_object(client, account, data, content_type):
    response = client.post(CALLS, data=data, content_type=content_type, headers=account.headers)
    assert assert_error(response, 422)["description"].startswith("body:")


@pytest.mark.parametrize("document, code", [
    ("<Say>Hello</Say>", 5105),
    ("<response><Say>Hello</Say></response>", 5105),
    ("Hello", 5106),
    ("<Response><Say>Hello</Response>", 5106),
    ("<Response><Dance/></Response>", 5106),
    ("<Response><SetMute muted='true'/></Response>", 5106),
    ("<Response><Pause length='ten'/></Response>", 5106),
])
def test_create_refuses_a_bad_document_at_request_time(client, account, redis_client, document, code):
    response = client.post(CALLS, json={**NEW_CALL, "voxXML": document}, headers=account.headers)
    error = assert_error(response, 422, code=code)
    assert error["description"].startswith("voxXML:")
    assert redis_client.llen(control.ORIGINATE_QUEUE) == 0
    assert client.get(CALLS, headers=account.headers).json["count"] == 0


# --- modify ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_modify_sends_the_document_to_the_node_holding_the_call(client, account, engine_node, method):
    call = account.call(status=CallStatus.ANSWERED)
    engine_node.claim(call.id)
    document = "<Response><Hangup/></Response>"
    response = client.open(f"{CALLS}/{call.id}", method=method, json={"voxXML": document}, headers=account.headers)
    assert response.status_code == 204 and response.data == b""
    assert engine_node.wait_for(1) == [(call.id, {"op": "replace", "document": document, "flavour": "voxxml"})]


@pytest.mark.parametrize("document, code", [("<Hangup/>", 5105), ("<Response><Hangup>", 5106),
                                            ("<Response><SetMute/></Response>", 5106)])
def test_modify_refuses_a_bad_document_and_sends_nothing(client, account, engine_node, document, code):
    call = account.call(status=CallStatus.ANSWERED)
    engine_node.claim(call.id)
    response = client.post(f"{CALLS}/{call.id}", json={"voxXML": document}, headers=account.headers)
    assert assert_error(response, 422, code=code)["description"].startswith("voxXML:")
    assert client.post(f"{CALLS}/{call.id}", json={"xml": SAY}, headers=account.headers).status_code == 422
    assert_error(client.post(f"{CALLS}/{call.id}", headers=account.headers), 422, mentions="body")
    client.post(f"{CALLS}/{call.id}", json={"voxXML": SAY}, headers=account.headers)
    assert [command["document"] for _, command in engine_node.wait_for(1)] == [SAY]


@pytest.mark.parametrize("status", sorted(CallStatus.FINAL))
def test_a_call_that_has_ended_cannot_be_modified(client, account, store, status):
    call = account.call(status=CallStatus.ANSWERED)
    store.calls.set_status(call.id, status)
    response = client.post(f"{CALLS}/{call.id}", json={"voxXML": SAY}, headers=account.headers)
    assert_error(response, 422, mentions=f"is {status}")


def test_a_live_call_no_node_holds_cannot_be_modified(client, account):
    call = account.call(status=CallStatus.QUEUED)
    response = client.post(f"{CALLS}/{call.id}", json={"voxXML": SAY}, headers=account.headers)
    assert_error(response, 422, mentions="not in progress on any node")


# --- delete ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status, command", [
    (CallStatus.ANSWERED, {"op": "hangup", "cause": "NORMAL_CLEARING"}),
    (CallStatus.RINGING, {"op": "cancel"}),
    (CallStatus.PROCESSING, {"op": "cancel"}),
])
def test_delete_ends_a_live_call_on_the_node_holding_it(client, account, engine_node, status, command):
    call = account.call(status=status)
    engine_node.claim(call.id)
    response = client.delete(f"{CALLS}/{call.id}", headers=account.headers)
    assert response.status_code == 204 and response.data == b""
    assert engine_node.wait_for(1) == [(call.id, command)]


def test_delete_cancels_a_queued_call_before_it_is_dialled(client, account, store, redis_client):
    call_id = client.post(CALLS, json=NEW_CALL, headers=account.headers).json["id"]
    assert client.delete(f"{CALLS}/{call_id}", headers=account.headers).status_code == 204
    record = store.calls.get(call_id)
    assert (record.status, record.hangup_by) == (CallStatus.CANCELED, "api")
    assert client.get(f"{CALLS}/{call_id}", headers=account.headers).json["hangup_time"]


def test_delete_of_a_call_that_has_ended_is_204_and_sends_nothing(client, account, store, engine_node):
    call = account.call(status=CallStatus.ANSWERED)
    store.calls.set_status(call.id, CallStatus.COMPLETE)
    engine_node.claim(call.id)
    assert client.delete(f"{CALLS}/{call.id}", headers=account.headers).status_code == 204
    assert client.delete(f"{CALLS}/{call.id}", headers=account.headers).status_code == 204
    client.post(f"{CALLS}/{call.id}", json={"voxXML": SAY}, headers=account.headers)
    assert client.get(f"{CALLS}/{call.id}", headers=account.headers).json["status"] == "complete"
    assert engine_node.settled() == []


def test_delete_of_a_live_call_no_node_holds_is_422(client, account):
    call = account.call(status=CallStatus.ANSWERED)
    assert_error(client.delete(f"{CALLS}/{call.id}", headers=account.headers), 422, mentions="on any node")
