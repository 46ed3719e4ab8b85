"""``/api/v1/conferences`` and their participants, against a real Redis and control bus."""
from __future__ import annotations

import uuid

import pytest

from tests.api.test_auth_and_errors import assert_error
from tests.fixtures.api import SAY
from voxctl.store.records import ConferenceStatus, ParticipantStatus

CONFERENCES = "/api/v1/conferences"
MUTE_ALL = "<Response><SetMute muted='true'/></Response>"


def participants_url(conference, participant=None) -> str:
    url = f"{CONFERENCES}/{conference.id}/participants"
    return f"{url}/{participant.id}" if participant else url


# --- conferences -----------------------------------------------------------------------------


def test_list_is_newest_first_and_of_this_account_only(client, account, other_account, store):
    rooms = [account.conference(name=f"room{n}") for n in range(3)]
    store.conferences.end(rooms[0].id)
    other_account.conference()
    body = client.get(CONFERENCES, headers=account.headers).json
    assert (body["count"], body["page_count"], body["page"], body["page_size"]) == (3, 1, 1, 25)
    assert [(c["name"], c["status"]) for c in body["results"]] == \
        [("room2", "in_progress"), ("room1", "in_progress"), ("room0", "complete")]


def test_list_pages(client, account):
    names = [account.conference(name=f"r{n}").name for n in range(5)][::-1]
    page = client.get(CONFERENCES, query_string={"page": 2, "page_size": 2}, headers=account.headers).json
    assert (page["page"], page["page_size"], page["page_count"], page["count"]) == (2, 2, 3, 5)
    assert [c["name"] for c in page["results"]] == names[2:4]
    assert_error(client.get(CONFERENCES, query_string={"page": "-2"}, headers=account.headers), 422,
                 mentions="page")


def test_a_conference_shows_the_spec_fields_only(client, account, store):
    room = account.conference(status=ConferenceStatus.QUEUED)
    shown = client.get(f"{CONFERENCES}/{room.id}", headers=account.headers).json
    assert shown == {"id": room.id, "name": "room1", "status": "queued",
                     "created_time": room.created_time, "modified_time": room.modified_time}
    error = {"code": 6100, "description": "internal server error", "time": "2021-09-21T14:14:17.000Z"}
    store.conferences.set_status(room.id, ConferenceStatus.CONF_FAILED, error=error)
    shown = client.get(f"{CONFERENCES}/{room.id}", headers=account.headers).json
    assert list(shown) == ["id", "name", "status", "created_time", "modified_time", "error"]
    assert (shown["status"], shown["error"]) == ("conf_failed", error)


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_unknown_malformed_and_other_accounts_conferences_are_404(client, account, other_account, method):
    theirs = other_account.conference()
    for conf_id in (str(uuid.uuid4()), "room1", theirs.id):
        response = client.open(f"{CONFERENCES}/{conf_id}", method=method, json={"voxXML": SAY},
                               headers=account.headers)
        assert_error(response, 404, mentions=conf_id)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_modify_sends_a_conference_document_to_the_node_holding_the_room(client, account, engine_node, method):
    room = account.conference()
    engine_node.claim(room.id)
    response = client.open(f"{CONFERENCES}/{room.id}", method=method, json={"voxXML": MUTE_ALL},
                           headers=account.headers)
    assert response.status_code == 204
    assert engine_node.wait_for(1) == [(room.id, {"op": "document", "document": MUTE_ALL, "flavour": "voxxml"})]


@pytest.mark.parametrize("document, code", [
    ("<SetMute/>", 5105),
    ("<Response><Gather><Say>x</Say></Gather></Response>", 5106),  # call-only verbs
    ("<Response><Dial>15556667777</Dial></Response>", 5106),
    ("<Response><Conference>room2</Conference></Response>", 5106),
])
def test_modify_parses_in_the_conference_context(client, account, engine_node, document, code):
    room = account.conference()
    engine_node.claim(room.id)
    response = client.post(f"{CONFERENCES}/{room.id}", json={"voxXML": document}, headers=account.headers)
    assert assert_error(response, 422, code=code)["description"].startswith("voxXML:")
    assert engine_node.settled() == []


def test_modify_needs_a_json_body_with_voxxml(client, account):
    room = account.conference()
    url = f"{CONFERENCES}/{room.id}"
    assert_error(client.post(url, headers=account.headers), 422, mentions="body")
    assert_error(client.post(url, json={"xml": MUTE_ALL}, headers=account.headers), 422, mentions="voxXML")


def test_an_ended_conference_cannot_be_modified(client, account, store):
    room = account.conference()
    store.conferences.end(room.id)
    response = client.post(f"{CONFERENCES}/{room.id}", json={"voxXML": MUTE_ALL}, headers=account.headers)
    assert_error(response, 422, mentions="is complete")


def test_delete_ends_the_room_on_the_node_holding_it(client, account, engine_node):
    room = account.conference()
    engine_node.claim(room.id)
    assert client.delete(f"{CONFERENCES}/{room.id}", headers=account.headers).status_code == 204
    assert engine_node.wait_for(1) == [(room.id, {"op": "end"})]


def test_delete_of_an_ended_conference_is_204_and_sends_nothing(client, account, store, engine_node):
    room = account.conference()
    engine_node.claim(room.id)
    store.conferences.end(room.id)
    assert client.delete(f"{CONFERENCES}/{room.id}", headers=account.headers).status_code == 204
    assert engine_node.settled() == []


def test_delete_of_a_live_conference_no_node_holds_is_422(client, account):
    room = account.conference()
    assert_error(client.delete(f"{CONFERENCES}/{room.id}", headers=account.headers), 422,
                 mentions="not in progress on any node")


# --- participants ----------------------------------------------------------------------------


def test_participants_lists_current_members_newest_first(client, account, store):
    room = account.conference()
    first = account.participant(room, label="alice", joined_time="2021-08-02T16:43:43.576Z")
    gone = account.participant(room, label="bob")
    last = account.participant(room)
    store.participants.leave(room.id, gone.id)
    account.participant(account.conference(name="room2"))
    body = client.get(participants_url(room), headers=account.headers).json
    assert (body["count"], body["page_count"]) == (2, 1)
    assert [p["id"] for p in body["results"]] == [last.id, first.id]
    assert body["results"][1] == {"id": first.id, "label": "alice", "created_time": first.created_time,
                                  "modified_time": first.modified_time,
                                  "joined_time": "2021-08-02T16:43:43.576Z", "conference_id": room.id}
    assert "label" not in body["results"][0]


def test_participants_page(client, account):
    room = account.conference()
    ids = [account.participant(room).id for _ in range(3)][::-1]
    body = client.get(participants_url(room), query_string={"page": 2, "page_size": 2},
                      headers=account.headers).json
    assert (body["page"], body["page_count"], body["count"]) == (2, 2, 3)
    assert [p["id"] for p in body["results"]] == ids[2:]


def test_participants_of_unknown_or_other_accounts_conferences_are_404(client, account, other_account):
    theirs = other_account.conference()
    other_account.participant(theirs)
    for conf_id in (theirs.id, str(uuid.uuid4()), "room1"):
        assert_error(client.get(f"{CONFERENCES}/{conf_id}/participants", headers=account.headers), 404)


def test_a_participant_shows_its_fields(client, account):
    room = account.conference()
    member = account.participant(room, label="carol")
    shown = client.get(participants_url(room, member), headers=account.headers).json
    assert (shown["id"], shown["label"], shown["conference_id"]) == (member.id, "carol", room.id)


@pytest.mark.parametrize("key", ["voxXML", "xml"])
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_modify_a_participant_sends_to_the_node_holding_its_call(client, account, engine_node, key, method):
    room = account.conference()
    member = account.participant(room)
    engine_node.claim(member.call_id)
    document = "<Response><Say>Just for you</Say><SetMute muted='false'/></Response>"
    response = client.open(participants_url(room, member), method=method, json={key: document},
                           headers=account.headers)
    assert response.status_code == 204
    assert engine_node.wait_for(1) == [(member.call_id, {"op": "participant_document", "conference_id": room.id,
                                                         "document": document, "flavour": "voxxml"})]


@pytest.mark.parametrize("body, code, field", [
    ({"xml": "<Response><Gather/></Response>"}, 5106, "xml"),
    ({"voxXML": "<Hangup/>"}, 5105, "voxXML"),
    ({"voxXML": "", "xml": SAY}, 422, "voxXML"),
    ({}, 422, "voxXML"),
])
def test_modify_a_participant_refuses_a_bad_document(client, account, engine_node, body, code, field):
    room = account.conference()
    member = account.participant(room)
    engine_node.claim(member.call_id)
    response = client.post(participants_url(room, member), json=body, headers=account.headers)
    assert assert_error(response, 422, code=code)["description"].startswith(field + ":")
    assert engine_node.settled() == []


def test_a_participant_that_left_cannot_be_modified(client, account, store):
    room = account.conference()
    member = account.participant(room)
    store.participants.leave(room.id, member.id)
    response = client.post(participants_url(room, member), json={"voxXML": SAY}, headers=account.headers)
    assert_error(response, 422, mentions=f"is {ParticipantStatus.COMPLETE}")


def test_a_participant_is_found_only_under_its_own_conference_and_account(client, account, other_account):
    room, elsewhere = account.conference(), account.conference(name="room2")
    member = account.participant(room)
    theirs = other_account.conference()
    their_member = other_account.participant(theirs)
    for url in (participants_url(elsewhere, member), participants_url(theirs, their_member),
                f"{CONFERENCES}/{room.id}/participants/{uuid.uuid4()}",
                f"{CONFERENCES}/{room.id}/participants/nope"):
        assert_error(client.get(url, headers=account.headers), 404)
        assert_error(client.post(url, json={"voxXML": SAY}, headers=account.headers), 404)
