"""Every ``/api/v1`` route of a running node over real HTTP: 401, 404, 422, and bad documents refused in time.

The routes come from ``voxctl.api.native.ROUTES``, so a new one is covered as soon
as it is listed. A refused document never reaches the call: the running call goes on.
"""
from __future__ import annotations

import re
import uuid

import pytest

from tests.api.live import NativeApi, leg, record, started
from voxctl.api.native import ROUTES
from voxctl.sim import Destination
from voxctl.store.records import CallStatus

REQUESTS = [(rule, method) for rule, _, methods, _ in ROUTES for method in methods]


def _path(rule: str) -> str:
    """``rule`` with every ``<id>`` replaced by an id nobody has."""
    return re.sub(r"<\w+>", lambda _: str(uuid.uuid4()), rule)


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()["error"]


@pytest.mark.parametrize("rule, method", REQUESTS)
def test_every_route_wants_a_valid_key(node, account, rule, method):
    api = NativeApi(node, account)
    for headers in ({}, {"Authorization": "Bearer vox_wrong"}, {"Authorization": account.key}):
        error = _error(api.request(method, _path(rule), {"voxXML": "<Response/>"}, headers=headers), 401)
        assert error["code"] == 401


@pytest.mark.parametrize("rule, method", [(rule, method) for rule, method in REQUESTS if "<" in rule])
def test_every_route_with_an_id_is_404_for_an_unknown_one(node, account, rule, method):
    path = _path(rule)
    error = _error(NativeApi(node, account).request(method, path, {"voxXML": "<Response><Hangup/></Response>"}), 404)
    assert any(segment in error["description"] for segment in path.split("/") if len(segment) == 36)


@pytest.mark.parametrize("body, field, code", [
    ({"to": "15553370001", "from": "15557770000"}, "voxXML", 422),
    ({"to": "1555337000100001", "from": "15557770000", "voxXML": "<Response/>"}, "to", 422),
    ({"to": "15553370001", "from": "x", "voxXML": "<Response/>"}, "from", 422),
    ({"to": "15553370001", "from": "15557770000", "voxXML": "<Say>Hi</Say>"}, "voxXML", 5105),
    ({"to": "15553370001", "from": "15557770000", "voxXML": "<Response><Sing/></Response>"}, "voxXML", 5106),
])
def test_a_bad_new_call_is_refused_before_anything_is_dialled(node, sim, account, body, field, code):
    api = NativeApi(node, account)
    error = _error(api.request("POST", "/calls", body), 422)
    assert error["code"] == code and error["description"].startswith(f"{field}:")
    assert api.request("GET", "/calls").json()["count"] == 0
    assert not [c for c in sim.channels.values() if c.profile["destination_number"] == "15553370001"]


def test_a_bad_replacement_is_refused_and_the_call_goes_on(node, sim, account):
    sim.set_destination("15553370002", Destination("answer", stay=300))
    api = NativeApi(node, account)
    call_id = api.create_call("15553370002", "<Response><Pause length='300'/></Response>")["id"]
    callee = leg(sim, call_id)
    started(callee, "silence")

    for document, code in (("<Response><Say>Hi</Response>", 5106), ("<Response><SetMute/></Response>", 5106),
                           ("<Hangup/>", 5105)):
        assert _error(api.request("PATCH", f"/calls/{call_id}", {"voxXML": document}), 422)["code"] == code
    assert _error(api.request("PATCH", f"/calls/{call_id}", {"xml": "<Response/>"}), 422)["description"] \
        .startswith("voxXML:")
    assert not callee.channel.hungup.is_set() and [e.kind for e in callee.timeline][-1] == "silence"

    api.send("DELETE", f"/calls/{call_id}")
    assert record(node, call_id).status == CallStatus.COMPLETE
    error = _error(api.request("PATCH", f"/calls/{call_id}", {"voxXML": "<Response><Hangup/></Response>"}), 422)
    assert "complete" in error["description"]
