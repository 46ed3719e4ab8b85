"""Logs: one line per call event, each carrying the call id (``--log-format json`` as its own field)."""
from __future__ import annotations

import io
import json
import logging

import pytest

from tests.engine.helpers import wait_until
from voxctl.logsetup import JsonFormatter
from voxctl.sim import DtmfOnPrompt

IVR = ("<Response><Gather numDigits='1' timeout='5'><Say>Press one</Say></Gather>"
       "<Say>You pressed $GATHER</Say></Response>")


@pytest.fixture
def json_lines():
    """Every log line of the test, as the JSON format writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_every_event_of_a_call_is_one_json_line_with_its_call_id(node, dial, json_lines):
    call = dial(IVR, dtmf=[DtmfOnPrompt("1", "Press one", 0.3)]).wait(10)
    wait_until(lambda: node.services.store.calls.get(call.uuid).status == "complete", 5, "final")
    lines = [line for line in json_lines() if call.uuid in line["message"] or line.get("call_uuid") == call.uuid]
    for line in lines:
        assert line["call_uuid"] == call.uuid, line
    events = [line["message"] for line in lines]
    for expected in ("connected: ", "fetched POST ", "answered", "<Gather> (line 1): '1'", "hung up: NORMAL_CLEARING",
                     "call complete (NORMAL_CLEARING, by document)"):
        assert sum(expected in message for message in events) == 1, (expected, events)
