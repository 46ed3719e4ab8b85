"""The LaML API over plain HTTP: authentication, every error path, paths, forms and the list shape."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.laml.conftest import (
    LAML_MOUNT,
    MAX_REQUEST_BYTES,
    PAGING_FIELDS,
    SAY,
    TWILIO_MOUNT,
    LamlHttp,
    assert_twilio_error,
)
from voxctl import control
from voxctl.store import ids
from voxctl.xml import TWIML, parse

CALL = {"To": "+15557770001", "From": "+15557770002", "Twiml": SAY}


# --- authentication --------------------------------------------------------------------------

def test_no_credentials_is_401_20003_with_a_basic_challenge(laml):
    response = laml.get("/Calls.json", auth=None)
    assert_twilio_error(response, 401, 20003)
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


def test_a_wrong_token_or_another_scheme_is_401(laml, account):
    assert_twilio_error(laml.get("/Calls.json", auth=(account.record.sid, "wrong")), 401, 20003)
    assert_twilio_error(laml.get("/Calls.json", auth=None, headers=account.headers), 401, 20003)  # a Bearer key


def test_the_path_must_name_the_authenticated_account(laml_server, account, other_account):
    for sid in (other_account.record.sid, "ACnot-a-sid"):
        response = requests.get(f"{laml_server}{TWILIO_MOUNT}/{sid}/Calls.json", timeout=10,
                                auth=(account.record.sid, account.record.auth_token))
        assert_twilio_error(response, 401, 20003)


# --- not found and methods -------------------------------------------------------------------

def test_unknown_malformed_and_foreign_sids_are_404_20404(laml, other_account):
    for path in (f"/Calls/{ids.to_sid(ids.CALL, ids.new_id())}.json", "/Calls/CAnope.json",
                 f"/Calls/{other_account.call().sid}.json", f"/Conferences/{ids.to_sid(ids.CONFERENCE, ids.new_id())}",
                 f"/Conferences/{other_account.conference().sid}/Participants.json", "/Conferences/nobody-here.json"):
        body = assert_twilio_error(laml.get(path), 404, 20404)
        assert path in body["message"]


def test_an_unknown_path_under_the_account_is_404_20404(laml, account):
    assert_twilio_error(laml.get(f"/Calls/{account.call().sid}/Recordings.json"), 404, 20404)
    assert_twilio_error(laml.post("/Queues.json"), 404, 20404)


def test_a_method_the_resource_does_not_take_is_405_20004(laml, account):
    response = laml.request("PUT", "/Calls.json", data=CALL)
    assert_twilio_error(response, 405, 20004)
    assert response.headers["Allow"] == "GET, POST"
    assert_twilio_error(laml.delete("/Conferences.json"), 405, 20004)
    assert_twilio_error(laml.delete(f"/Conferences/{account.conference().sid}.json"), 405, 20004)


# --- creating calls --------------------------------------------------------------------------

@pytest.mark.parametrize("change, status, code", [
    ({"To": None}, 400, 21201),
    ({"To": "12ab34"}, 400, 21211),
    ({"To": "sip:"}, 400, 21211),
    ({"To": "client:no spaces"}, 400, 21211),
    ({"From": None}, 400, 21213),
    ({"From": "+0"}, 400, 21212),
    ({"Twiml": None}, 400, 21205),
    ({"Twiml": None, "Url": "ftp://example.com/doc"}, 400, 21205),
    ({"Twiml": None, "Url": "not a url"}, 400, 21205),
    ({"StatusCallback": "/relative"}, 400, 21205),
    ({"Method": "PUT"}, 400, 21209),
    ({"Timeout": "-5"}, 400, 21208),
    ({"Timeout": "soon"}, 400, 21208),
    ({"SendDigits": "12x"}, 400, 21206),
    ({"StatusCallbackEvent": "initiated hungup"}, 400, 21626),
    ({"ApplicationSid": "AP123"}, 400, 21218),
    ({"Record": "maybe"}, 400, 20001),
    ({"Twiml": "<Response><Bogus/></Response>"}, 400, 12100),
    ({"Twiml": "<Foo/>"}, 400, 12100),
    ({"Twiml": "<Response><Say>unclosed"}, 400, 12100),
])
def test_create_call_errors(laml, redis_client, change, status, code):
    form = {key: value for key, value in {**CALL, **change}.items() if value is not None}
    assert_twilio_error(laml.post("/Calls.json", form), status, code)
    assert laml.get("/Calls.json").json()["calls"] == []  # nothing was stored


def test_the_laml_mount_answers_auth_and_not_found_errors_in_twilios_shape(laml_server, account, other_account):
    http = LamlHttp(laml_server, account.record.sid, account.record.auth_token, LAML_MOUNT)
    assert_twilio_error(http.get("/Calls.json", auth=None), 401, 20003)
    assert_twilio_error(http.get(f"/Calls/{ids.to_sid(ids.CALL, ids.new_id())}"), 404, 20404)
    foreign = LamlHttp(laml_server, other_account.record.sid, account.record.auth_token, LAML_MOUNT)
    assert_twilio_error(foreign.get("/Calls"), 401, 20003)


def test_another_accounts_path_creates_nothing(laml_server, account, other_account, store):
    foreign = LamlHttp(laml_server, other_account.record.sid, account.record.auth_token)
    assert_twilio_error(foreign.post("/Calls.json", CALL), 401, 20003)
    assert_twilio_error(foreign.post(f"/Conferences/{other_account.conference().sid}/Participants.json",
                                     {"To": "+15557770001", "From": "+15557770002"}), 401, 20003)
    assert [store.calls.list(owner.id, 1, 10).total for owner in (account, other_account)] == [0, 0]


def test_every_resource_answers_with_and_without_json(laml, account):
    room = account.conference()
    member = account.participant(room)
    call_sid = ids.to_sid(ids.CALL, member.call_id)
    for path in ("/Calls", f"/Calls/{call_sid}", "/Conferences", f"/Conferences/{room.sid}",
                 f"/Conferences/{room.sid}/Participants", f"/Conferences/{room.sid}/Participants/{call_sid}"):
        with_json, bare = laml.get(f"{path}.json"), laml.get(path)
        assert (with_json.status_code, bare.status_code) == (200, 200), path
        assert bare.json() == with_json.json()


def test_create_answers_201_on_both_mounts_with_and_without_json(laml_server, account):
    for mount in (TWILIO_MOUNT, LAML_MOUNT):
        http = LamlHttp(laml_server, account.record.sid, account.record.auth_token, mount)
        for suffix in (".json", ""):
            response = http.post(f"/Calls{suffix}", CALL)
            assert response.status_code == 201, response.text
            call = response.json()
            assert call["uri"] == f"{mount}/{account.record.sid}/Calls/{call['sid']}.json"
            assert http.get(f"/Calls/{call['sid']}{suffix}").json()["sid"] == call["sid"]


def test_booleans_are_case_insensitive_and_events_come_repeated_or_space_separated(laml, store):
    repeated = laml.post("/Calls.json", {**CALL, "Record": "TRUE",
                                         "StatusCallbackEvent": ["initiated", "answered completed"]}).json()
    spaced = laml.post("/Calls.json", {**CALL, "Record": "False", "StatusCallbackEvent": "ringing completed"}).json()
    first, second = (store.calls.get(ids.from_sid(call["sid"])) for call in (repeated, spaced))
    assert (first.record, first.status_callback_events) == (True, ["initiated", "answered", "completed"])
    assert (second.record, second.status_callback_events) == (False, ["ringing", "completed"])


def test_timeout_over_600_is_capped_and_numbers_are_kept_in_e164(laml, store):
    call = laml.post("/Calls.json", {**CALL, "To": "1 (555) 777-0001", "Timeout": "9999"}).json()
    record = store.calls.get(ids.from_sid(call["sid"]))
    assert (record.to, record.timeout) == ("+15557770001", 600)


def test_a_body_over_the_size_limit_is_413_in_twilios_shape(laml):
    assert_twilio_error(laml.post("/Calls.json", {**CALL, "Twiml": "x" * MAX_REQUEST_BYTES}), 413, 413)


# --- the call resource and lists -------------------------------------------------------------

def test_the_call_resource_has_twilios_fields(laml, account, store):
    seeded = account.call(status="queued")
    for status in ("answered", "complete"):
        seeded = store.calls.set_status(seeded.id, status)
    call = laml.get(f"/Calls/{seeded.sid}.json").json()
    assert all(call[name].endswith(" +0000") for name in ("date_created", "date_updated", "start_time", "end_time"))
    assert (call["status"], call["duration"], call["price"], call["api_version"]) == ("completed", "0", None,
                                                                                    "2010-04-01")
    assert (call["account_sid"], call["parent_call_sid"], call["subresource_uris"]) == (account.record.sid, None, {})


def test_a_list_has_the_records_under_one_key_and_only_the_paging_fields(laml, account):
    calls = [account.call(to="+15557770001") for _ in range(3)]
    account.call(to="+15557779999")
    first = laml.get("/Calls.json", params={"To": "+15557770001", "PageSize": 2, "PageToken": "PA123"})
    assert first.status_code == 200
    body = first.json()
    assert set(body) == PAGING_FIELDS | {"calls"}
    assert [call["sid"] for call in body["calls"]] == [calls[2].sid, calls[1].sid]
    assert (body["page"], body["page_size"], body["start"], body["end"], body["previous_page_uri"]) == (
        0, 2, 0, 1, None)
    next_uri = urlsplit(body["next_page_uri"])
    assert next_uri.path == f"{TWILIO_MOUNT}/{account.record.sid}/Calls.json"
    assert parse_qs(next_uri.query) == {"To": ["+15557770001"], "PageSize": ["2"], "Page": ["1"]}

    last = laml.get("/Calls.json?" + next_uri.query).json()
    assert [call["sid"] for call in last["calls"]] == [calls[0].sid]
    assert (last["page"], last["start"], last["end"], last["next_page_uri"]) == (1, 2, 2, None)
    assert parse_qs(urlsplit(last["previous_page_uri"]).query)["Page"] == ["0"]
    assert last["first_page_uri"] == body["first_page_uri"]


def test_list_parameter_errors_are_400_20001(laml, account):
    room = account.conference()
    for path, query in (("/Calls.json", {"Status": "talking"}), ("/Calls.json", {"StartTime>": "2024-01-01"}),
                        ("/Calls.json", {"ParentCallSid": "CAnope"}), ("/Calls.json", {"PageSize": "0"}),
                        ("/Calls.json", {"Page": "-1"}), ("/Conferences.json", {"Status": "over"}),
                        (f"/Conferences/{room.sid}/Participants.json", {"Muted": "maybe"})):
        assert_twilio_error(laml.get(path, params=query), 400, 20001)


def test_participant_filters_take_booleans_in_any_case(laml, account):
    room = account.conference()
    muted = account.participant(room, muted=True)
    account.participant(room)
    body = laml.get(f"/Conferences/{room.sid}/Participants.json", params={"Muted": "TRUE"}).json()
    assert set(body) == PAGING_FIELDS | {"participants"}
    assert [p["call_sid"] for p in body["participants"]] == [ids.to_sid(ids.CALL, muted.call_id)]


# --- driving what no node holds --------------------------------------------------------------

def test_changing_a_call_no_node_holds_or_that_ended_is_400_21220(laml, account):
    for call in (account.call(status="answered"), account.call(status="complete")):
        assert_twilio_error(laml.post(f"/Calls/{call.sid}.json", {"Twiml": SAY}), 400, 21220)
        assert_twilio_error(laml.post(f"/Calls/{call.sid}.json", {"Url": "https://app.example.com/x"}), 400, 21220)


def live_targets(account, engine_node) -> dict[str, str]:
    """A call, a conference and a participant the engine node holds: the path of each."""
    call, room = account.call(status="answered"), account.conference()
    member = account.participant(room)
    for target in (call.id, room.id, member.call_id):
        engine_node.claim(target)
    return {"call": f"/Calls/{call.sid}.json", "conference": f"/Conferences/{room.sid}.json",
            "participant": f"/Conferences/{room.sid}/Participants/{ids.to_sid(ids.CALL, member.call_id)}.json"}


@pytest.mark.parametrize("target, form, code", [
    ("call", {"Twiml": "<Response><Dial>"}, 12100),
    ("call", {"Status": "paused"}, 20001),
    ("call", {"Url": "not a url"}, 21205),
    ("call", {"Url": "ftp://app.example.com/next"}, 21205),
    ("call", {"Url": "https://app.example.com/next", "Method": "DELETE"}, 21209),
    ("call", {"Status": "completed", "StatusCallback": "/relative"}, 21205),
    ("call", {"Status": "completed", "StatusCallbackMethod": "PUT"}, 21209),
    ("conference", {"Status": "in-progress"}, 20001),
    ("conference", {"AnnounceUrl": "news.mp3"}, 21205),
    ("participant", {"Muted": "yes"}, 20001),
    ("participant", {"Muted": "true", "Hold": "1"}, 20001),
    ("participant", {"Muted": "true", "AnnounceUrl": "hi.mp3"}, 21205),
])
def test_modify_errors_are_checked_before_anything_is_sent(laml, account, engine_node, target, form, code):
    path = live_targets(account, engine_node)[target]
    assert_twilio_error(laml.post(path, form), 400, code)
    assert engine_node.settled() == []


def test_participant_booleans_are_case_insensitive(laml, account, engine_node, store):
    path = live_targets(account, engine_node)["participant"]
    changed = laml.post(path, {"Muted": "True", "Hold": "FALSE"}).json()
    assert (changed["muted"], changed["hold"]) == (True, False)
    call_id = ids.from_sid(changed["call_sid"], ids.CALL)
    assert engine_node.wait_for(2) == [(call_id, control.mute(True)), (call_id, control.hold(False))]

    room_sid = changed["conference_sid"]
    added = laml.post(f"/Conferences/{room_sid}/Participants.json",
                      {"To": "+15557770001", "From": "+15557770002", "Muted": "TRUE",
                       "StartConferenceOnEnter": "False", "EndConferenceOnExit": "tRuE"}).json()
    noun = parse(store.calls.get(ids.from_sid(added["call_sid"], ids.CALL)).voxxml, TWIML, "call").verbs[0].nouns[0]
    assert (noun.muted, noun.start_conference_on_enter, noun.end_conference_on_exit) == (True, False, True)


@pytest.mark.parametrize("form, code", [
    ({}, 21201),
    ({"To": "12ab34", "From": "+15557770002"}, 21211),
    ({"To": "+15557770001"}, 21213),
    ({"To": "+15557770001", "From": "+0"}, 21212),
    ({"Beep": "sometimes"}, 20001),
    ({"Muted": "maybe"}, 20001),
    ({"MaxParticipants": "many"}, 20001),
    ({"WaitUrl": "wait.xml"}, 21205),
    ({"StatusCallbackEvent": "initiated hungup"}, 21626),
    ({"ConferenceStatusCallbackEvent": "start finish"}, 21626),
    ({"Timeout": "-1"}, 21208),
])
def test_add_participant_errors(laml, account, store, form, code):
    room = account.conference()
    if form and "To" not in form:
        form = {"To": "+15557770001", "From": "+15557770002", **form}
    assert_twilio_error(laml.post(f"/Conferences/{room.sid}/Participants.json", form), 400, code)
    assert store.calls.list(account.id, 1, 10).total == 0  # nothing was dialled


def test_an_unknown_participant_is_404_20404(laml, account, engine_node):
    room, elsewhere = account.conference(), account.conference("elsewhere")
    stranger = account.participant(elsewhere)
    base = f"/Conferences/{room.sid}/Participants"
    for name in (ids.to_sid(ids.CALL, stranger.call_id), "nobody", "CAnope"):
        assert_twilio_error(laml.get(f"{base}/{name}.json"), 404, 20404)
        assert_twilio_error(laml.post(f"{base}/{name}.json", {"Muted": "true"}), 404, 20404)
        assert_twilio_error(laml.delete(f"{base}/{name}"), 404, 20404)
    assert engine_node.settled() == []


def test_conference_and_participant_commands_nobody_can_take_are_400_21220(laml, account):
    room = account.conference()
    member = account.participant(room)
    assert_twilio_error(laml.post(f"/Conferences/{room.sid}.json", {"AnnounceUrl": "https://a.example/x.mp3"}),
                        400, 21220)
    assert_twilio_error(laml.post(f"/Conferences/{room.sid}/Participants/{ids.to_sid(ids.CALL, member.call_id)}"
                                  ".json", {"Muted": "true"}), 400, 21220)
    ended = account.conference(status="complete")
    assert_twilio_error(laml.post(f"/Conferences/{ended.sid}/Participants.json",
                                  {"To": "+15557770001", "From": "+15557770002"}), 400, 21220)


def test_ending_an_ended_conference_is_a_no_op(laml, account):
    ended = account.conference(status="complete")
    response = laml.post(f"/Conferences/{ended.sid}.json", {"Status": "completed"})
    assert response.status_code == 200 and response.json()["status"] == "completed"
