"""The Calls resource driven with the official ``twilio`` package against a real local server."""
from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException

from tests.laml.conftest import SAY, sdk_client
from voxctl import control
from voxctl.store import ids
from voxctl.store.records import CallRecord

TO, FROM = "+15557770001", "+15557770002"


def test_create_with_a_url_stores_a_queued_twiml_call_and_queues_it(twilio, account, store, redis_client):
    call = twilio.calls.create(to=TO, from_=FROM, url="https://app.example.com/answer", method="GET",
                               fallback_url="https://app.example.com/fallback",
                               status_callback="https://app.example.com/status",
                               status_callback_event=["initiated", "answered", "completed"],
                               status_callback_method="GET", timeout=15, time_limit=120, record=True,
                               send_digits="1234#w", machine_detection="Enable")
    assert call.sid.startswith("CA") and len(call.sid) == 34
    assert (call.account_sid, call.to, call._from) == (account.record.sid, TO, FROM)
    assert (call.status, call.direction, call.api_version) == ("queued", "outbound-api", "2010-04-01")
    assert call.start_time is None and call.end_time is None and call.duration is None
    assert call.date_created is not None  # parsed from RFC 2822 by the SDK
    assert call.uri == f"/2010-04-01/Accounts/{account.record.sid}/Calls/{call.sid}.json"

    record = store.calls.get(ids.from_sid(call.sid))
    assert (record.flavour, record.direction, record.status) == ("twiml", "outbound-api", "queued")
    assert (record.document_url, record.document_method, record.voxxml) == (
        "https://app.example.com/answer", "GET", None)
    assert record.fallback_url == "https://app.example.com/fallback"
    assert (record.status_callback, record.status_callback_method) == ("https://app.example.com/status", "GET")
    assert record.status_callback_events == ["initiated", "answered", "completed"]
    assert (record.timeout, record.time_limit, record.record, record.send_digits) == (15, 120, True, "1234#w")
    assert redis_client.lrange(control.ORIGINATE_QUEUE, 0, -1) == [record.id]


def test_create_with_twiml_keeps_the_document_and_accepts_sip_and_client_targets(twilio, store):
    sip = twilio.calls.create(to="sip:alice@example.com", from_=FROM, twiml=SAY)
    client = twilio.calls.create(to="client:bob", from_="client:carol", twiml=SAY)
    assert (sip.to, client.to, client._from) == ("sip:alice@example.com", "client:bob", "client:carol")
    for call in (sip, client):
        record = store.calls.get(ids.from_sid(call.sid))
        assert (record.voxxml, record.document_url, record.timeout, record.time_limit) == (SAY, None, 60, 14400)


def test_fetch_returns_the_call_resource(twilio, account):
    seeded = account.call(status="complete", to=TO, duration=42)
    fetched = twilio.calls(seeded.sid).fetch()
    assert (fetched.sid, fetched.status, fetched.duration, fetched.to) == (seeded.sid, "completed", "42", TO)


def test_list_filters_and_follows_next_page_uri_across_pages(twilio, account):
    wanted = [account.call(status="answered", to=TO) for _ in range(5)]
    account.call(status="answered", to="+15557779999")
    account.call(status="complete", to=TO)

    listed = twilio.calls.list(to=TO, status="in-progress", page_size=2)
    assert [call.sid for call in listed] == [call.sid for call in reversed(wanted)]  # newest first, 3 pages
    assert [call.sid for call in twilio.calls.list(to=TO, status="in-progress", limit=3, page_size=2)] == \
        [call.sid for call in reversed(wanted)][:3]
    assert len(twilio.calls.list(to="15557770001")) == 6  # the number without "+" finds the same calls


def test_list_filters_by_from_and_parent_call(twilio, account, store):
    parent = account.call(status="answered")
    child = store.calls.create(CallRecord(account_id=account.id, direction="outbound-dial", to=TO,
                                          from_="+15550000042", status="answered", parent_call_id=parent.id))
    assert [call.sid for call in twilio.calls.list(parent_call_sid=parent.sid)] == [child.sid]
    assert [call.sid for call in twilio.calls.list(from_="+15550000042")] == [child.sid]
    assert twilio.calls.list(status="busy") == []


def test_update_with_twiml_replaces_the_document_on_the_node_holding_the_call(twilio, account, engine_node):
    call = account.call(status="answered")
    engine_node.claim(call.id)
    updated = twilio.calls(call.sid).update(twiml=SAY)
    assert updated.status == "in-progress"
    assert engine_node.wait_for(1) == [(call.id, control.replace(SAY, "twiml"))]


def test_update_with_a_url_redirects_and_stores_new_callback_settings(twilio, account, engine_node, store):
    call = account.call(status="answered")
    engine_node.claim(call.id)
    twilio.calls(call.sid).update(url="https://app.example.com/next", method="GET",
                                  status_callback="https://app.example.com/cb2")
    assert engine_node.wait_for(1) == [(call.id, control.redirect("https://app.example.com/next", "GET"))]
    assert store.calls.get(call.id).status_callback == "https://app.example.com/cb2"


def test_status_completed_hangs_up_an_answered_call(twilio, account, engine_node):
    call = account.call(status="answered")
    engine_node.claim(call.id)
    twilio.calls(call.sid).update(status="completed")
    assert engine_node.wait_for(1) == [(call.id, control.hangup())]


def test_status_canceled_cancels_a_ringing_call_and_leaves_an_answered_one(twilio, account, engine_node):
    ringing, answered = account.call(status="ringing"), account.call(status="answered")
    for call in (ringing, answered):
        engine_node.claim(call.id)
        twilio.calls(call.sid).update(status="canceled")
    assert engine_node.settled() == [(ringing.id, control.cancel())]


def test_status_canceled_on_a_queued_call_cancels_it_in_the_store(twilio):
    call = twilio.calls.create(to=TO, from_=FROM, twiml=SAY)
    assert twilio.calls(call.sid).update(status="canceled").status == "canceled"


def test_delete_removes_an_ended_call_only(twilio, account, store):
    ended, live = account.call(status="complete"), account.call(status="answered")
    assert twilio.calls(ended.sid).delete() is True
    assert store.calls.get(ended.id) is None
    with pytest.raises(TwilioRestException) as caught:
        twilio.calls(live.sid).delete()
    assert (caught.value.status, caught.value.code) == (400, 20009)


def test_another_accounts_call_is_not_found(twilio, other_account):
    foreign = other_account.call()
    with pytest.raises(TwilioRestException) as caught:
        twilio.calls(foreign.sid).fetch()
    assert (caught.value.status, caught.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException):
        twilio.calls(foreign.sid).update(status="completed")
    assert twilio.calls.list() == []


def test_the_laml_mount_serves_the_same_calls_with_its_own_uris(laml_server, account):
    client = sdk_client(laml_server, account.record.sid, account.record.auth_token, laml_mount=True)
    created = [client.calls.create(to=TO, from_=FROM, twiml=SAY) for _ in range(3)]
    assert created[0].uri.startswith(f"/api/laml/2010-04-01/Accounts/{account.record.sid}/Calls/")
    assert [call.sid for call in client.calls.list(page_size=2)] == [call.sid for call in reversed(created)]
