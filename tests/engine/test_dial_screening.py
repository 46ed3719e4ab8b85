"""The Number/Sip ``url`` screening document: run on the called party before the bridge.

Through the simulator: the leg answers, runs ``group_confirm_file`` (the ``socket``
app) and connects to the node, which runs the document on it; the caller hears
ringback meanwhile, and the leg is bridged only if the document leaves it up.
"""
from __future__ import annotations

from tests.engine.helpers import entries, wait_until
from voxctl.sim.script import Destination, DtmfOnPrompt
from voxctl.store.records import CallStatus


def _legs(sim, numbers: set[str]) -> dict:
    """The simulator's B-leg channels to ``numbers``, by number, once they all exist."""
    legs: dict = {}

    def look() -> bool:
        for ch in list(sim.channels.values()):
            number = ch.profile["destination_number"]
            if ch.variables.get("vox_leg_id") and number in numbers:
                legs[number] = ch
        return set(legs) == numbers
    wait_until(look, 10, f"legs to {sorted(numbers)}")
    return legs


def _heard(leg) -> list[str]:
    return leg.timeline.heard()


def _screened_dial(dial, sim, http_server, number: str, screen_doc: str, after_doc: str = "<Response/>"):
    """A TwiML Dial of ``number`` (answers after 1 s) screened by ``screen_doc``, its action at ``/after``."""
    screen = http_server.route("/screen", screen_doc)
    after = http_server.route("/after", after_doc)
    return dial(f"<Response><Dial action='{after}'><Number url='{screen}'>{number}</Number></Dial></Response>",
                flavour="twiml")


def _children(node, call):
    calls = node.services.store.calls
    return {c.to: c for c in calls.list(calls.get(call.uuid).account_id, parent_call_id=call.uuid).records}


def test_screening_document_is_heard_by_the_called_party_only(dial, node, sim, http_server):
    sim.set_destination("15553330001", Destination("answer", answer_after=1, stay=30))
    call = _screened_dial(dial, sim, http_server, "15553330001",
                          "<Response><Say>You have a call from the shop</Say></Response>",
                          "<Response><Say>Thanks</Say></Response>")
    leg = _legs(sim, {"15553330001"})["15553330001"]
    call.wait(15)
    assert "You have a call from the shop" in _heard(leg)
    assert "You have a call from the shop" not in call.heard()
    ring, bridge = entries(call, "ringback")[0], entries(call, "bridge")[0]
    assert bridge.detail["outcome"] == "answer" and ring.t < bridge.t
    spoken = [e for e in leg.timeline.entries if e.kind == "speak"][0]
    assert spoken.t < bridge.t  # the screening ran before the parties were connected
    assert leg.variables["group_dial_status"] == "winner"
    child = _children(node, call)["15553330001"]
    screen_request = http_server.wait_for("/screen")[0]
    assert screen_request.param("CallSid") == "CA" + child.id.replace("-", "")
    assert screen_request.param("To") == "15553330001"
    assert http_server.wait_for("/after")[0].param("DialCallStatus") == "completed"
    assert child.status == CallStatus.COMPLETE
    assert call.heard()[-1] == "Thanks"


def test_screening_hangup_declines_the_leg_and_the_dial_is_no_answer(dial, node, sim, http_server):
    sim.set_destination("15553330002", Destination("answer", answer_after=1, stay=30))
    call = _screened_dial(dial, sim, http_server, "15553330002", "<Response><Say>Busy line</Say><Hangup/></Response>",
                          "<Response><Say>Nobody took it</Say></Response>")
    leg = _legs(sim, {"15553330002"})["15553330002"]
    call.wait(15)
    assert "Busy line" in _heard(leg)
    assert [e.detail["outcome"] for e in entries(call, "bridge")] == ["NORMAL_CLEARING"]
    assert not entries(call, "unbridge")
    post = http_server.wait_for("/after")[0]
    assert post.param("DialCallStatus") == "no-answer"
    assert call.heard()[-1] == "Nobody took it"
    child = _children(node, call)["15553330002"]
    assert child.status == CallStatus.COMPLETE and child.answer_time  # it answered, then declined


def test_a_declined_leg_leaves_the_others_ringing(dial, node, sim, http_server):
    sim.set_destination("15553330003", Destination("answer", answer_after=1, stay=30))
    sim.set_destination("15553330004", Destination("answer", answer_after=4, stay=30))
    decline = http_server.route("/decline", "<Response><Hangup/></Response>")
    accept = http_server.route("/accept", "<Response><Say>Connecting you</Say></Response>")
    call = dial(f"<Response><Dial timeout='10'><Number url='{decline}'>15553330003</Number>"
                f"<Number url='{accept}'>15553330004</Number></Dial><Say>Done</Say></Response>")
    legs = _legs(sim, {"15553330003", "15553330004"})
    call.wait(20)
    outcomes = {b.detail["destination"].rsplit("/", 1)[1]: b.detail["outcome"] for b in entries(call, "bridge")}
    assert outcomes == {"15553330003": "NORMAL_CLEARING", "15553330004": "answer"}
    assert "Connecting you" in _heard(legs["15553330004"])
    children = _children(node, call)
    assert children["15553330004"].status == CallStatus.COMPLETE
    assert call.heard()[-1] == "Done"


def test_called_party_accepts_with_a_gather(dial, sim, http_server):
    sim.set_destination("15553330005", Destination("answer", answer_after=1, stay=30,
                                                         dtmf=[DtmfOnPrompt("1", "Press one")]))
    accepted = http_server.route("/accepted", "<Response/>")
    _screened_dial(dial, sim, http_server, "15553330005",
                   f"<Response><Gather numDigits='1' action='{accepted}' timeout='5'>"
                   "<Say>Press one to take the call</Say></Gather><Hangup/></Response>").wait(15)
    assert http_server.wait_for("/accepted")[0].param("Digits") == "1"
    assert http_server.wait_for("/after")[0].param("DialCallStatus") == "completed"


def test_a_dial_in_the_screening_document_declines_the_leg(dial, sim, http_server):
    sim.set_destination("15553330006", Destination("answer", answer_after=1, stay=30))
    screen = http_server.route("/screen", "<Response><Dial>15550001111</Dial></Response>")
    after = http_server.route("/after", "<Response/>")
    call = dial(f"<Response><Dial action='{after}'><Sip url='{screen}'>sip:15553330006@example.com</Sip>"
                "</Dial></Response>", flavour="twiml").wait(15)
    assert http_server.wait_for("/after")[0].param("DialCallStatus") == "no-answer"
    assert [e.detail["outcome"] for e in entries(call, "bridge")] == ["NORMAL_TEMPORARY_FAILURE"]
