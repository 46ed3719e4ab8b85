"""The VoxXML spec's Simple IVR, down both branches (Number is phase 2b's verb)."""
from __future__ import annotations

import pytest

from tests.xml.documents import VOX_SIMPLE_IVR as SIMPLE_IVR
from voxctl.sim import Destination, DtmfOnPrompt
from voxctl.store.records import CallStatus


@pytest.mark.parametrize("digit, branch, number", [
    ("2", "Dialing Canadian support. Please wait.", "15556668888"),
    ("1", "Dialing United States support. Please wait.", "15556667777"),
])
def test_simple_ivr(dial, node, sim, digit, branch, number):
    sim.set_destination(number, Destination("answer", answer_after=1.0, stay=5.0))
    call = dial(SIMPLE_IVR, dtmf=[DtmfOnPrompt(digit, "Canadian support, press")]).wait(15)
    heard = call.heard()
    assert heard[:3] == ["Thank you for calling", "For United States support, press 1.",
                         "For Canadian support, press 2."]
    assert heard[3] == branch and heard[-1] == "Call has ended. Goodbye."
    bridged = [e for e in call.timeline if e.kind == "bridge"]
    assert bridged and number in str(bridged[0].detail)
    assert node.services.store.calls.get(call.uuid).status == CallStatus.COMPLETE
