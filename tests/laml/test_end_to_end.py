"""Calls made, changed, cancelled and hung up with the ``twilio`` package, run by a real node against the simulator.

The LaML API is served over the node's services (as an API-only node would be), the
node's engine pops the originate queue and dials the simulator, and the customer's
documents and callbacks are served by ``http_server``: whatever the engine sends
must pass the ``twilio`` package's own ``RequestValidator`` (``signed_params``). The
simulator's destinations are scripted per number; its channel timelines show what
the called party heard.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.laml.conftest import PAGING_FIELDS, SAY
from tests.laml.live import channel_of, heard_after_hangup, on_timeline, signed_params, wait_final, wait_status
from voxctl.sim import Destination
from voxctl.store.records import CallStatus

FROM = "+15551112222"
EVENTS = ["initiated", "ringing", "answered", "completed"]
PAUSE = "<Response><Pause length=\"60\"/></Response>"


def statuses_sent(http_server, path: str, count: int, auth_token: str) -> list[str]:
    """The CallStatus of the first ``count`` (signed) status callbacks to ``path``."""
    return [signed_params(http_server, request, auth_token)["CallStatus"]
            for request in http_server.wait_for(path, count)]


def answered_call(node, node_twilio, sim, to: str, **options) -> tuple:
    """A call to ``to`` (answering at once) created with ``options``, once answered: (call, its channel)."""
    sim.set_destination(to, Destination("answer", stay=60))
    call = node_twilio.calls.create(to=to, from_=FROM, **options)
    wait_status(node, call.sid, {CallStatus.ANSWERED}, "the call to answer")
    return call, channel_of(sim, call.sid)


def test_a_url_call_runs_signed_requests_and_reports_its_progress(node, node_twilio, sim, account, http_server):
    sim.set_destination("+15553340001", Destination("answer", answer_after=0.5, stay=30))
    document = http_server.route("/answer", "<Response><Say>Hello from the API</Say></Response>")
    callbacks = http_server.route("/status", "")
    call = node_twilio.calls.create(to="+15553340001", from_=FROM, url=document, status_callback=callbacks,
                                    status_callback_event=EVENTS)
    channel = channel_of(sim, call.sid)
    wait_final(node, call.sid)

    fetched = node_twilio.calls(call.sid).fetch()
    assert (fetched.status, fetched.direction) == ("completed", "outbound-api")
    assert fetched.start_time is not None and fetched.end_time is not None
    assert statuses_sent(http_server, "/status", 4, account.record.auth_token) == \
        ["initiated", "ringing", "in-progress", "completed"]
    [request] = http_server.requests_to("/answer")
    params = signed_params(http_server, request, account.record.auth_token)
    assert (params["CallSid"], params["AccountSid"], params["To"], params["From"]) == (
        call.sid, account.record.sid, "+15553340001", FROM)
    assert (params["CallStatus"], params["Direction"], params["ApiVersion"]) == (
        "in-progress", "outbound-api", "2010-04-01")
    assert "ParentCallSid" not in params  # the first leg of a call has no parent
    assert heard_after_hangup(channel) == ["Hello from the API"]


@pytest.mark.parametrize("outcome, callbacks", [
    ("busy", ["initiated", "busy"]),
    ("no-answer", ["initiated", "ringing", "no-answer"]),
    ("failed", ["initiated", "failed"]),
])
def test_a_destination_that_does_not_answer_ends_the_call_with_twilios_status(
        node, node_twilio, sim, account, http_server, outcome, callbacks):
    sim.set_destination("+15553340010", Destination(outcome))
    document = http_server.route("/answer", SAY)
    status = http_server.route("/status", "")
    call = node_twilio.calls.create(to="+15553340010", from_=FROM, url=document, timeout=3,
                                    status_callback=status, status_callback_event=EVENTS)
    wait_final(node, call.sid)

    fetched = node_twilio.calls(call.sid).fetch()
    assert (fetched.status, fetched.duration) == (outcome, "0")
    assert fetched.start_time is not None and fetched.end_time is not None  # it was dialled
    assert statuses_sent(http_server, "/status", len(callbacks), account.record.auth_token) == callbacks
    assert http_server.requests_to("/answer") == []  # the document of an unanswered call never runs


def test_canceling_a_ringing_call_ends_it_canceled(node, node_twilio, sim, account, http_server):
    sim.set_destination("+15553340020", Destination("no-answer"))  # rings until the 600 s timeout
    document = http_server.route("/answer", SAY)
    status = http_server.route("/status", "")
    call = node_twilio.calls.create(to="+15553340020", from_=FROM, url=document, timeout=600,
                                    status_callback=status, status_callback_event=EVENTS)
    wait_status(node, call.sid, {CallStatus.RINGING}, "the call to ring")
    channel = channel_of(sim, call.sid)

    node_twilio.calls(call.sid).update(status="canceled")
    assert wait_final(node, call.sid).status == CallStatus.CANCELED
    assert node_twilio.calls(call.sid).fetch().status == "canceled"
    assert not on_timeline(channel, "answer")
    assert on_timeline(channel, "hangup") == [{"cause": "ORIGINATOR_CANCEL"}]
    assert statuses_sent(http_server, "/status", 3, account.record.auth_token) == \
        ["initiated", "ringing", "canceled"]
    assert http_server.requests_to("/answer") == []


def test_status_completed_hangs_up_an_in_progress_call(node, node_twilio, sim, account, http_server):
    status = http_server.route("/status", "")
    call, channel = answered_call(node, node_twilio, sim, "+15553340030", twiml=PAUSE, status_callback=status,
                                  status_callback_event=["completed"])
    updated = node_twilio.calls(call.sid).update(status="completed")
    assert updated.sid == call.sid
    assert wait_final(node, call.sid).status == CallStatus.COMPLETE
    assert on_timeline(channel, "hangup") == [{"cause": "NORMAL_CLEARING"}]
    assert node_twilio.calls(call.sid).fetch().status == "completed"
    [completed] = http_server.wait_for("/status")
    params = signed_params(http_server, completed, account.record.auth_token)
    assert (params["CallStatus"], params["CallSid"]) == ("completed", call.sid)
    assert params["CallDuration"].isdigit()


def test_canceling_an_in_progress_call_leaves_it_running(node, node_twilio, sim):
    call, channel = answered_call(node, node_twilio, sim, "+15553340031", twiml=PAUSE)
    assert node_twilio.calls(call.sid).update(status="canceled").status == "in-progress"
    node_twilio.calls(call.sid).update(twiml="<Response><Say>Still here</Say></Response>")
    assert heard_after_hangup(channel) == ["Still here"]


def test_new_twiml_replaces_the_running_document(node, node_twilio, sim):
    call, channel = answered_call(node, node_twilio, sim, "+15553340040", twiml=PAUSE)
    updated = node_twilio.calls(call.sid).update(twiml="<Response><Say>Changed by the API</Say></Response>")
    assert updated.status == "in-progress"
    assert heard_after_hangup(channel) == ["Changed by the API"]
    assert wait_final(node, call.sid).status == CallStatus.COMPLETE


def test_a_new_url_is_fetched_with_its_method_and_runs(node, node_twilio, sim, account, http_server):
    call, channel = answered_call(node, node_twilio, sim, "+15553340041", twiml=PAUSE)
    url = http_server.route("/next", "<Response><Say>Fetched with GET</Say></Response>")
    node_twilio.calls(call.sid).update(url=url, method="GET")
    assert heard_after_hangup(channel) == ["Fetched with GET"]
    [request] = http_server.requests_to("/next")
    params = signed_params(http_server, request, account.record.auth_token)
    assert (request.method, params["CallSid"], params["CallStatus"]) == ("GET", call.sid, "in-progress")


def test_calls_are_listed_filtered_and_paged_through_the_sdk(node, node_twilio, sim):
    to, other_to, other_from = "+15553340050", "+15553340051", "+15551113333"
    for number in (to, other_to):
        sim.set_destination(number, Destination("busy"))
    wanted = [node_twilio.calls.create(to=to, from_=FROM, twiml=SAY) for _ in range(3)]
    other = node_twilio.calls.create(to=other_to, from_=other_from, twiml=SAY)
    for call in (*wanted, other):
        wait_final(node, call.sid)
    newest_first = [call.sid for call in reversed(wanted)]

    first = node_twilio.calls.page(to=to, status="busy", page_size=2)
    assert set(first._payload) == PAGING_FIELDS | {"calls"}
    assert [call.sid for call in first] == newest_first[:2]
    next_uri = urlsplit(first._payload["next_page_uri"])
    assert parse_qs(next_uri.query) == {"To": [to], "Status": ["busy"], "PageSize": ["2"], "Page": ["1"]}
    last = first.next_page()
    assert [call.sid for call in last] == newest_first[2:]
    assert last._payload["next_page_uri"] is None and last.next_page() is None

    assert [call.sid for call in node_twilio.calls.stream(to=to, from_=FROM, page_size=1)] == newest_first
    assert [call.sid for call in node_twilio.calls.list(from_=other_from, status="busy")] == [other.sid]
    assert node_twilio.calls.list(to=to, status="completed") == []
