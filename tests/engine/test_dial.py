"""<Dial> and the VoxXML top-level <Number> through the simulator: outcomes, action, callbacks, records."""
from __future__ import annotations

import pytest

from tests.engine.helpers import bridged, wait_until
from voxctl import control
from voxctl.sim.script import Destination
from voxctl.store.records import CallStatus


def _children(node, call):
    calls = node.services.store.calls
    page = calls.list(node.services.store.calls.get(call.uuid).account_id, page_size=50)
    return [c for c in page.records if c.parent_call_id == call.uuid]


def _bridges(call):
    return [e.detail for e in call.timeline if e.kind == "bridge"]


def test_dial_answered_posts_completed_to_action(dial, node, sim, http_server):
    sim.set_destination("15551230001", Destination("answer", answer_after=2, stay=5))
    after = http_server.route("/after", "<Response><Say>After the call</Say></Response>")
    call = dial(f"<Response><Dial action='{after}' callerId='15559990000'>"
                "<Number>15551230001</Number></Dial><Say>not reached</Say></Response>",
                flavour="twiml").wait(10)
    assert _bridges(call) == [{"destination": "sofia/gateway/sim/15551230001", "outcome": "answer"}]
    assert call.heard()[-1] == "After the call"
    post = http_server.wait_for("/after")[0]
    assert post.param("DialCallStatus") == "completed"
    [child] = _children(node, call)
    assert post.param("DialCallSid") == "CA" + child.id.replace("-", "")
    assert int(post.param("DialCallDuration")) >= 0
    assert child.status == CallStatus.COMPLETE and child.direction == "outbound-dial"
    assert child.from_ == "15559990000" and child.to == "15551230001"


def test_dial_busy_no_answer_failed(dial, node, sim, http_server):
    sim.set_destination("15551230002", Destination("busy"))
    sim.set_destination("15551230003", Destination("no-answer"))
    sim.set_destination("15551230004", Destination("failed"))
    seen = []

    def action(req):
        seen.append(req.param("DialCallStatus"))
        return "<Response/>"
    url = http_server.route("/status", action)
    call = dial(f"<Response><Dial action='{url}'><Number>15551230002</Number></Dial>"
                f"<Dial action='{url}' timeout='3'><Number>15551230003</Number></Dial></Response>",
                flavour="twiml").wait(10)
    assert seen == ["busy"]
    call = dial(f"<Response><Dial timeout='3'><Number>15551230003</Number></Dial>"
                f"<Dial action='{url}'><Number>15551230004</Number></Dial></Response>",
                flavour="twiml").wait(10)
    assert seen == ["busy", "failed"]
    statuses = sorted(c.status for c in _children(node, call))
    assert statuses == [CallStatus.FAILED, CallStatus.NO_ANSWER]


def test_parallel_first_answer_wins_and_vox_callbacks(dial, node, sim, http_server):
    sim.set_destination("15551230011", Destination("answer", answer_after=3, stay=2))
    sim.set_destination("15551230012", Destination("answer", answer_after=1, stay=2))
    cb = http_server.route("/cb", "")
    call = dial(f"<Response><Dial statusCallback='{cb}' "
                "statusCallbackEvent='queued ringing answered complete noConnect'>"
                "<Number>15551230011</Number><Number>15551230012</Number></Dial></Response>").wait(10)
    outcomes = {b["destination"].rsplit("/", 1)[1]: b["outcome"] for b in _bridges(call)}
    assert outcomes == {"15551230011": "LOSE_RACE", "15551230012": "answer"}
    children = {c.to: c for c in _children(node, call)}
    assert children["15551230012"].status == CallStatus.COMPLETE
    assert children["15551230011"].status == CallStatus.CANCELED
    bodies = [r.json for r in http_server.wait_for("/cb", 7)]
    by_number = {}
    for body in bodies:
        assert body["type"] == "number"
        by_number.setdefault(body["destination_number"], []).append(body["event"])
    assert by_number["15551230012"] == ["queued", "ringing", "answered", "complete"]
    assert by_number["15551230011"] == ["queued", "ringing", "no_connect"]


def test_top_level_number_then_next_verb(dial, node, sim):
    sim.set_destination("15556667777", Destination("answer", answer_after=1, stay=2))
    call = dial("<Response><Number>15556667777</Number><Say>Call has ended. Goodbye.</Say></Response>").wait(10)
    assert [b["outcome"] for b in _bridges(call)] == ["answer"]
    assert call.heard()[-1] == "Call has ended. Goodbye."
    assert [c.status for c in _children(node, call)] == [CallStatus.COMPLETE]


def test_stale_variables_do_not_fool_the_second_dial(dial, sim, http_server):
    sim.set_destination("15551230021", Destination("answer", answer_after=1, stay=1))
    sim.set_destination("15551230022", Destination("busy"))
    url = http_server.route("/second", "<Response/>")
    call = dial(f"<Response><Dial><Number>15551230021</Number></Dial>"
                f"<Dial action='{url}'><Number>15551230022</Number></Dial></Response>", flavour="twiml").wait(10)
    assert http_server.wait_for("/second")[0].param("DialCallStatus") == "busy"
    assert call.variables["DIALSTATUS"] == "BUSY"



def test_replace_during_dial_hangs_up_the_b_leg(dial, node, sim):
    import gevent

    from voxctl import control
    sim.set_destination("15551230031", Destination("answer", answer_after=1, stay=300))
    call = dial("<Response><Dial hangupOnStar='true' timeLimit='60'><Number>15551230031</Number></Dial>"
                "<Say>not this</Say></Response>")
    with gevent.Timeout(5):
        while not any(e.kind == "bridge" for e in call.timeline):
            gevent.sleep(0.01)
    assert call.variables["bridge_terminate_key"] == "*"
    control.deliver(node.services.bus, call.uuid, control.replace("<Response><Say>Replaced</Say></Response>"))
    call.wait(10)
    assert call.heard()[-1] == "Replaced"
    [child] = _children(node, call)
    assert child.status == CallStatus.COMPLETE and child.time_limit == 60


def _hang_up(channel) -> None:
    channel.hangup("NORMAL_CLEARING")


def _press_star(channel) -> None:
    channel.receive_dtmf("*", "RTP")


@pytest.mark.parametrize("attributes, caller, hangup_by, number, direction", [
    ("", None, "callee", "15551230041", "inbound"),                      # the called party went first
    ("", _hang_up, "caller", "15550000000", "inbound"),                  # the caller; the bridge took the leg
    ("hangupOnStar='true'", _press_star, "caller", "15550000000", "inbound"),
    ("timeLimit='3'", None, "document", "15550000000", "outbound"),
])
def test_an_answered_leg_records_who_hung_up(dial, node, sim, http_server, attributes, caller, hangup_by, number,
                                              direction):
    sim.set_destination("15551230041", Destination("answer", answer_after=1, stay=4 if hangup_by == "callee" else 600))
    hook = http_server.route("/leg", "")
    call = dial(f"<Response><Dial {attributes}><Number statusCallback='{hook}' statusCallbackEvent='completed'>"
                "15551230041</Number></Dial><Pause length='1'/></Response>", flavour="twiml")
    if caller is not None:  # what the caller does once bridged
        caller(bridged(call))
    call.wait(15)
    assert [b["outcome"] for b in _bridges(call)] == ["answer"]
    [child] = _children(node, call)
    assert (child.status, child.hangup_by) == (CallStatus.COMPLETE, hangup_by)
    [completed] = http_server.wait_for("/leg")
    assert (completed.param("CallStatus"), completed.param("HangupBy"), completed.param("HangupDirection")) == (
        "completed", number, direction)


def test_an_api_hangup_during_the_bridge_ends_both_legs(dial, node, sim):
    sim.set_destination("15551230042", Destination("answer", answer_after=1, stay=600))
    call = dial("<Response><Dial><Number>15551230042</Number></Dial><Say>never</Say></Response>")
    wait_until(lambda: _bridges(call), what="the bridge")
    store = node.services.store
    control.end_call(store, node.services.bus, store.calls.get(call.uuid))
    call.wait(10)
    assert "never" not in call.heard()
    [bridged] = [e for e in call.timeline if e.kind == "bridge"]
    [unbridge] = [e for e in call.timeline if e.kind == "unbridge"]
    assert unbridge.t - bridged.t < 600  # the leg went with the call, not at the end of its stay
    [child] = _children(node, call)
    assert (child.status, child.hangup_by) == (CallStatus.COMPLETE, "api")
    assert store.calls.get(call.uuid).hangup_by == "api"
