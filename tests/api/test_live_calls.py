"""Calls created with ``POST /api/v1/calls`` on two nodes sharing one Redis and one simulator.

Each call is originated by whichever node pops it from the originate queue and is
held there; every modify and delete is sent to the *other* node's API, so it only
works if the command travels over Redis to the holder. What the called party hears
is read from the simulator's timeline of its channel, what was stored from Redis.

A replacement document arrives during each kind of running verb: Say, Play,
Gather, Pause, Dial (the bridged B leg is hung up and the new document runs on the
caller) and Conference (the caller leaves the room; the room goes on without it).
"""
from __future__ import annotations

import pytest

from tests.api.live import NativeApi, leg, record, started
from tests.engine.helpers import WAV, wait_until
from voxctl.sim import Destination
from voxctl.store.records import CallStatus, ConferenceStatus, ParticipantStatus

REPLACED = "<Response><Say>Replaced</Say></Response>"


class Deployment:
    """Two running nodes; ``api(node)`` speaks to one of them as the test account."""

    def __init__(self, nodes, sim, account) -> None:
        self.nodes = nodes
        self.sim = sim
        self.account = account
        self.store = nodes[0].services.store

    def api(self, node) -> NativeApi:
        return NativeApi(node, self.account)

    def answered(self, number: str, voxxml: str, **destination) -> tuple[str, object]:
        """Create a call to ``number`` (answering at once) through the first node; its id and called party."""
        self.sim.set_destination(number, Destination("answer", **{"stay": 300, **destination}))
        call_id = self.api(self.nodes[0]).create_call(number, voxxml)["id"]
        callee = leg(self.sim, call_id)
        record(self.nodes[0], call_id, {CallStatus.ANSWERED}, "the call to be answered")
        return call_id, callee

    def holder(self, call_id: str):
        return next(n for n in self.nodes if n.node_id == self.store.calls.get(call_id).node_id)

    def other(self, call_id: str) -> NativeApi:
        """The API of the node that does not hold ``call_id``."""
        holder = self.holder(call_id)
        return self.api(next(n for n in self.nodes if n is not holder))


@pytest.fixture
def deployment(node_pair, sim, account) -> Deployment:
    return Deployment(node_pair, sim, account)


def kinds(call) -> list[str]:
    return [e.kind for e in call.timeline]


def index_of(call, kind: str, what: str = "") -> int:
    """The position of the first timeline entry of ``kind`` mentioning ``what``."""
    return next(i for i, e in enumerate(call.timeline) if e.kind == kind and what in str(e.detail))


# --- two nodes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PATCH", "POST"])
def test_a_modify_sent_to_the_node_not_holding_the_call_runs_there(deployment, method):
    call_id, callee = deployment.answered("15553360001", "<Response><Pause length='300'/><Say>never</Say></Response>")
    holder = deployment.holder(call_id)
    started(callee, "silence")

    api = deployment.other(call_id)
    assert api.base != deployment.api(holder).base
    api.send(method, f"/calls/{call_id}", {"voxXML": "<Response><Say>From the other node</Say></Response>"})
    callee.wait(10)

    assert callee.heard() == ["From the other node"]
    assert kinds(callee)[-2:] == ["speak", "hangup"] and callee.hangup_cause == "NORMAL_CLEARING"
    stored = record(holder, call_id)
    assert (stored.status, stored.node_id, stored.hangup_by) == (CallStatus.COMPLETE, holder.node_id, "document")
    assert api.request("GET", f"/calls/{call_id}").json()["status"] == "complete"
    listed = api.request("GET", "/calls", params={"page_size": 1}).json()
    assert (listed["count"], [(c["id"], c["status"]) for c in listed["results"]]) == (1, [(call_id, "complete")])


def test_a_delete_sent_to_the_node_not_holding_the_call_hangs_it_up(deployment):
    call_id, callee = deployment.answered("15553360002", "<Response><Pause length='300'/><Say>never</Say></Response>")
    started(callee, "silence")

    deployment.other(call_id).send("DELETE", f"/calls/{call_id}")
    callee.wait(10)

    assert callee.heard() == [] and kinds(callee)[-1] == "hangup"
    assert callee.hangup_cause == "NORMAL_CLEARING"
    stored = record(deployment.nodes[0], call_id)
    assert (stored.status, stored.hangup_by, stored.hangup_cause) == (CallStatus.COMPLETE, "api", "NORMAL_CLEARING")
    deployment.other(call_id).send("DELETE", f"/calls/{call_id}")  # an ended call: still 204


def test_a_delete_sent_to_the_other_node_cancels_a_ringing_call(deployment, sim):
    sim.set_destination("15553360003", Destination("answer", answer_after=300))
    call_id = deployment.api(deployment.nodes[1]).create_call("15553360003", REPLACED)["id"]
    callee = leg(sim, call_id)
    record(deployment.nodes[0], call_id, {CallStatus.RINGING}, "the call to ring")

    deployment.other(call_id).send("DELETE", f"/calls/{call_id}")
    callee.wait(10)

    assert not callee.answered and callee.hangup_cause == "ORIGINATOR_CANCEL"
    stored = record(deployment.nodes[0], call_id)
    assert (stored.status, stored.answer_time) == (CallStatus.CANCELED, None)


# --- a replacement during each kind of verb --------------------------------------------------


@pytest.mark.parametrize("verb, kind, what", [
    ("<Say loop='0'>talking</Say>", "speak", "talking"),
    ("<Play loop='0'>{base}/tone.wav</Play>", "play", "tone.wav"),
    ("<Gather timeout='300' numDigits='4'><Say>menu</Say></Gather>", "speak", "menu"),
    ("<Pause length='300'/>", "silence", ""),
])
def test_a_replacement_interrupts_the_running_verb(deployment, http_server, verb, kind, what):
    http_server.route("/tone.wav", WAV, content_type="audio/wav")
    document = f"<Response>{verb.format(base=http_server.base)}<Say>never</Say></Response>"
    call_id, callee = deployment.answered("15553360010", document)
    started(callee, kind, what)

    deployment.other(call_id).send("PATCH", f"/calls/{call_id}", {"voxXML": REPLACED})
    callee.wait(10)

    heard = callee.heard()
    assert heard[-1] == "Replaced" and "never" not in heard
    assert index_of(callee, kind, what) < index_of(callee, "speak", "Replaced") < index_of(callee, "hangup")
    stored = record(deployment.nodes[0], call_id)
    assert (stored.status, stored.hangup_by, stored.error) == (CallStatus.COMPLETE, "document", None)


def test_a_replacement_during_dial_hangs_up_the_b_leg_and_runs_on_the_caller(deployment, sim):
    sim.set_destination("15553360021", Destination("answer", answer_after=1, stay=300))
    call_id, callee = deployment.answered(
        "15553360020", "<Response><Dial><Number>15553360021</Number></Dial><Say>never</Say></Response>")
    started(callee, "bridge")
    b_leg = callee.channel.bridged_to
    assert b_leg is not None

    deployment.other(call_id).send("POST", f"/calls/{call_id}", {"voxXML": REPLACED})
    callee.wait(10)

    assert callee.heard()[-1] == "Replaced" and "never" not in callee.heard()
    assert index_of(callee, "bridge") < index_of(callee, "unbridge") < index_of(callee, "speak", "Replaced")
    wait_until(b_leg.hungup.is_set, 10, "the B leg to hang up")
    assert b_leg.hangup_cause == "ORIGINATOR_CANCEL"
    [child] = deployment.store.calls.list(deployment.account.id, parent_call_id=call_id).records
    child = record(deployment.nodes[0], child.id)
    assert (child.status, child.to, child.hangup_cause) == (CallStatus.COMPLETE, "15553360021", "ORIGINATOR_CANCEL")
    assert record(deployment.nodes[0], call_id).status == CallStatus.COMPLETE


def test_a_replacement_during_conference_takes_the_caller_out_of_the_room(deployment):
    room = "<Response><Conference>replace-room</Conference><Say>never</Say></Response>"
    stays_id, stays = deployment.answered("15553360030", room)
    call_id, callee = deployment.answered("15553360031", room)
    started(callee, "conference_join")
    started(stays, "conference_join")
    [conference] = deployment.store.conferences.list(deployment.account.id, name="replace-room").records
    wait_until(lambda: deployment.store.participants.count(conference.id) == 2, 10, "two members")
    api = deployment.other(call_id)

    api.send("PATCH", f"/calls/{call_id}", {"voxXML": REPLACED})
    callee.wait(10)

    assert callee.heard()[-1] == "Replaced" and "never" not in callee.heard()
    assert index_of(callee, "conference_join") < index_of(callee, "conference_leave") \
        < index_of(callee, "speak", "Replaced")
    left = deployment.store.participants.get(conference.id, call_id)
    assert left.status == ParticipantStatus.COMPLETE and left.left_time
    members = api.request("GET", f"/conferences/{conference.id}/participants").json()
    assert [m["id"] for m in members["results"]] == [stays_id]
    assert deployment.store.conferences.get(conference.id).status == ConferenceStatus.IN_PROGRESS
    assert not stays.channel.hungup.is_set()

    api.send("DELETE", f"/conferences/{conference.id}")
    stays.wait(10)
    assert "never" not in stays.heard()
    assert record(deployment.nodes[0], stays_id).status == CallStatus.COMPLETE
    wait_until(lambda: deployment.store.conferences.get(conference.id).status == ConferenceStatus.COMPLETE, 10,
               "the conference to end")
