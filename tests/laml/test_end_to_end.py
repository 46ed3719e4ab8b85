"""Calls made, changed and hung up with the ``twilio`` package, run by a real node against the simulator.

The LaML API is served over the node's services (as an API-only node would be), the
node's engine pops the originate queue and dials the simulator, and the customer's
documents and callbacks are served by ``http_server``: whatever the engine sends
must pass the ``twilio`` package's own ``RequestValidator``.
"""
from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from tests.engine.helpers import wait_until
from tests.laml.conftest import sdk_client, serving
from voxctl.sim import Destination
from voxctl.store import ids
from voxctl.store.records import CallStatus

FROM = "+15551112222"


@pytest.fixture
def node_twilio(node, account):
    """The account's ``twilio`` client on a LaML API over the node's services."""
    with serving(node.services) as base:
        yield sdk_client(base, account.record.sid, account.record.auth_token)


def status_of(node, sid: str) -> str:
    return node.services.store.calls.get(ids.from_sid(sid)).status


def test_a_url_call_runs_signed_requests_and_reports_its_progress(node, node_twilio, sim, account, http_server):
    sim.set_destination("+15553340001", Destination("answer", answer_after=0.5, stay=30))
    document = http_server.route("/answer", "<Response><Say>Hello from the API</Say></Response>")
    callbacks = http_server.route("/status", "")
    call = node_twilio.calls.create(to="+15553340001", from_=FROM, url=document, status_callback=callbacks,
                                    status_callback_event=["initiated", "ringing", "answered", "completed"])
    wait_until(lambda: status_of(node, call.sid) in CallStatus.FINAL, 10, "the call to end")

    fetched = node_twilio.calls(call.sid).fetch()
    assert (fetched.status, fetched.direction) == ("completed", "outbound-api")
    assert fetched.start_time is not None and fetched.end_time is not None
    statuses = [r.param("CallStatus") for r in http_server.wait_for("/status", 4)]
    assert statuses == ["initiated", "ringing", "in-progress", "completed"]
    validator = RequestValidator(account.record.auth_token)
    for request in http_server.requests_to("/answer") + http_server.requests_to("/status"):
        params = {name: values[0] for name, values in request.form.items()}
        assert params["CallSid"] == call.sid and params["AccountSid"] == account.record.sid
        assert validator.validate(http_server.url(request.path), params, request.headers["X-Twilio-Signature"])


def test_a_running_call_takes_new_twiml_then_hangs_up_on_request(node, node_twilio, sim, http_server):
    sim.set_destination("+15553340002", Destination("answer", stay=60))
    sim.set_destination("+15553340003", Destination("answer", stay=60))
    long_pause = "<Response><Pause length=\"60\"/></Response>"
    changed = node_twilio.calls.create(to="+15553340002", from_=FROM, twiml=long_pause)
    hung_up = node_twilio.calls.create(to="+15553340003", from_=FROM, twiml=long_pause)
    for call in (changed, hung_up):
        wait_until(lambda call=call: status_of(node, call.sid) == CallStatus.ANSWERED, 10, "the call to answer")

    redirected = http_server.route("/next", "<Response><Say>Moving on</Say><Hangup/></Response>")
    node_twilio.calls(changed.sid).update(twiml=f"<Response><Redirect>{redirected}</Redirect></Response>")
    node_twilio.calls(hung_up.sid).update(status="completed")
    for call in (changed, hung_up):
        wait_until(lambda call=call: status_of(node, call.sid) in CallStatus.FINAL, 10, "the call to end")
    assert http_server.requests_to("/next")[0].param("CallSid") == changed.sid
    assert node_twilio.calls(hung_up.sid).fetch().status == "completed"
