"""API-originated calls: the originate queue, the stored voxXML, busy and no-answer outcomes."""
from __future__ import annotations

from tests.engine.helpers import wait_until
from voxctl import control
from voxctl.sim import Destination
from voxctl.store.records import CallRecord, CallStatus, now


def queue_call(node, account, to: str, voxxml: str | None = None, **fields) -> str:
    store = node.services.store
    record = store.calls.create(CallRecord(account_id=account.id, direction="outbound-api", to=to,
                                           from_="15551112222", status=CallStatus.QUEUED, created_time=now(),
                                           voxxml=voxxml, **fields))
    control.request_originate(node.services.redis, record.id)
    return record.id


def final(node, call_id):
    wait_until(lambda: node.services.store.calls.get(call_id).status in CallStatus.FINAL, 10, "final status")
    return node.services.store.calls.get(call_id)


def test_queued_call_runs_its_stored_voxxml_when_answered(node, sim, account, http_server):
    http_server.route("/after", "<Response><Hangup/></Response>")
    sim.set_destination("15553330001", Destination("answer", answer_after=1.0, stay=30))
    call_id = queue_call(node, account, "15553330001",
                         f"<Response><Say>Hello callee</Say><Redirect>{http_server.url('/after')}</Redirect>"
                         "</Response>")
    record = final(node, call_id)
    assert record.status == CallStatus.COMPLETE and record.answer_time and record.hangup_by == "document"
    assert http_server.requests_to("/after")[0].json["call_id"] == call_id


def test_queued_call_fetches_its_url(node, sim, account, http_server):
    url = http_server.route("/doc", "<Response><Say>Fetched</Say></Response>")
    call_id = queue_call(node, account, "15553330002", document_url=url, flavour="twiml",
                         status_callback=http_server.route("/status", ""),
                         status_callback_events=["initiated", "ringing", "answered", "completed"])
    assert final(node, call_id).status == CallStatus.COMPLETE
    assert http_server.requests_to("/doc")[0].param("Direction") == "outbound-api"
    statuses = [r.param("CallStatus") for r in http_server.wait_for("/status", 4)]
    assert statuses == ["initiated", "ringing", "in-progress", "completed"]


def test_busy_and_no_answer(node, sim, account):
    sim.set_destination("15553330003", Destination("busy"))
    sim.set_destination("15553330004", Destination("no-answer"))
    busy = queue_call(node, account, "15553330003", "<Response><Say>never</Say></Response>")
    unanswered = queue_call(node, account, "15553330004", "<Response><Say>never</Say></Response>", timeout=2)
    assert (final(node, busy).status, final(node, busy).hangup_cause) == (CallStatus.BUSY, "USER_BUSY")
    assert final(node, unanswered).status == CallStatus.NO_ANSWER


def test_cancelled_while_queued_is_skipped_and_ringing_call_can_be_cancelled(node, sim, account):
    store, bus = node.services.store, node.services.bus
    sim.set_destination("15553330005", Destination("answer", answer_after=30))
    call_id = queue_call(node, account, "15553330005", "<Response><Say>never</Say></Response>")
    wait_until(lambda: store.calls.get(call_id).status == CallStatus.RINGING, 10, "ringing")
    control.end_call(store, bus, store.calls.get(call_id))
    assert final(node, call_id).status == CallStatus.CANCELED


def test_ringing_never_overwrites_a_later_status(node, account):
    """The dialer's ringing update is one conditional write: a call already answered stays answered."""
    calls = node.services.store.calls
    record = calls.create(CallRecord(account_id=account.id, direction="outbound-api", to="15553330009",
                                     from_="15551112222", status=CallStatus.QUEUED, created_time=now()))
    calls.set_status(record.id, CallStatus.PROCESSING)
    calls.set_status(record.id, CallStatus.ANSWERED)
    node.dialer._ringing(record.id)
    assert calls.get(record.id).status == CallStatus.ANSWERED
    assert calls.set_status(record.id, CallStatus.RINGING, only_from=(CallStatus.PROCESSING,)) is None
    other = calls.create(CallRecord(account_id=account.id, direction="outbound-api", to="15553330010",
                                    from_="15551112222", status=CallStatus.PROCESSING, created_time=now()))
    node.dialer._ringing(other.id)
    assert calls.get(other.id).status == CallStatus.RINGING
