"""What Dial's attributes do on the switch: timeLimit, record, ringTone/dialMusic, hangupOnStar, Sip legs.

Each test places a call through the simulator into a running node (real Redis, a
real local document server) and reads the caller's timeline, the called leg's
channel and the stored records.
"""
from __future__ import annotations

import os
import wave

from tests.engine.helpers import bridged, entries, wait_until
from voxctl.engine.verbs.dial import RING_TONES
from voxctl.engine.verbs.record import recording_path
from voxctl.sim.script import Destination
from voxctl.store.records import CallStatus


def _child(node, call):
    calls = node.services.store.calls
    page = calls.list(calls.get(call.uuid).account_id, parent_call_id=call.uuid)
    [child] = page.records
    return child


def _leg_channel(sim, number: str):
    """The simulator's channel of the B leg dialled to ``number``, once it exists."""
    found = []

    def look() -> bool:
        found[:] = [ch for ch in list(sim.channels.values())
                    if ch.variables.get("vox_leg_id") and ch.profile["destination_number"] == number]
        return bool(found)
    wait_until(look, 10, f"a leg to {number}")
    return found[0]


def leg_entries(leg, kind: str) -> list:
    """A simulator channel's own timeline entries of ``kind``."""
    return [e for e in leg.timeline.entries if e.kind == kind]


def test_time_limit_ends_the_bridge_and_the_document_goes_on(dial, node, sim, http_server):
    sim.set_destination("15552220001", Destination("answer", answer_after=1, stay=300))
    after = http_server.route("/after", "<Response><Say>Time is up</Say></Response>")
    call = dial(f"<Response><Dial timeLimit='3' action='{after}'><Number>15552220001</Number></Dial></Response>",
                flavour="twiml").wait(15)
    [unbridge] = entries(call, "unbridge")
    assert unbridge.detail["cause"] == "ALLOTTED_TIMEOUT"
    assert call.heard()[-1] == "Time is up"
    assert http_server.wait_for("/after")[0].param("DialCallStatus") == "completed"
    child = _child(node, call)
    assert child.status == CallStatus.COMPLETE and child.hangup_cause == "ALLOTTED_TIMEOUT"
    assert child.time_limit == 3


def test_record_writes_the_call_and_posts_its_url(dial, node, sim, http_server, account):
    sim.set_destination("15552220002", Destination("answer", answer_after=1, stay=4))
    after = http_server.route("/after", "<Response/>")
    call = dial(f"<Response><Dial record='record-from-answer' action='{after}'>"
                "<Number>15552220002</Number></Dial></Response>", flavour="twiml")
    leg = _leg_channel(sim, "15552220002")
    call.wait(15)
    post = http_server.wait_for("/after")[0]
    url = post.param("RecordingUrl")
    recording_id = url.rsplit("/", 1)[1].removesuffix(".wav")
    path = recording_path(node.settings.recordings_dir, account.id, recording_id)
    [recorded] = leg_entries(leg, "record")
    assert recorded.detail["path"] == path and recorded.detail["ms"] > 0
    assert os.path.exists(path)
    with wave.open(path) as w:
        assert w.getnframes() // 8 in (recorded.detail["ms"], recorded.detail["ms"] + 1)
    assert leg.variables["RECORD_STEREO"] == "true"
    assert _child(node, call).record


def test_ring_tone_and_dial_music_are_heard_while_the_leg_rings(dial, sim, http_server):
    sim.set_destination("15552220003", Destination("answer", answer_after=2, stay=1))
    music = http_server.route("/ring.wav", b"RIFF", content_type="audio/wav")
    call = dial("<Response><Dial ringTone='uk'><Number>15552220003</Number></Dial>"
                f"<Dial dialMusic='{music}'><Number>15552220003</Number></Dial>"
                "<Dial ringTone='disabled'><Number>15552220003</Number></Dial></Response>",
                flavour="twiml").wait(15)
    tones = [e.detail["tone"] for e in entries(call, "ringback")]
    assert tones[0] == RING_TONES["uk"]
    assert tones[1].endswith(music) and len(tones) == 2
    bridges = entries(call, "bridge")
    assert [b.detail["outcome"] for b in bridges] == ["answer"] * 3
    ring_times = [e.t for e in entries(call, "ringback")]
    assert all(ring < bridge.t for ring, bridge in zip(ring_times, bridges[:2], strict=True))


def test_hangup_on_star_ends_the_bridge_and_the_document_continues(dial, node, sim):
    sim.set_destination("15552220004", Destination("answer", answer_after=1, stay=300))
    call = dial("<Response><Dial hangupOnStar='true'><Number>15552220004</Number></Dial>"
                "<Say>Back with the caller</Say></Response>")
    leg = _leg_channel(sim, "15552220004")
    bridged(call).receive_dtmf("5", "RTP")
    wait_until(lambda: leg_entries(leg, "dtmf"), what="the digit at the far end")
    call.channel.receive_dtmf("*", "RTP")
    call.wait(15)
    assert [e.detail["key"] for e in entries(call, "bridge_terminate")] == ["*"]
    assert [e.detail["digits"] for e in leg_entries(leg, "dtmf")] == ["5"]  # other digits pass to the far end
    assert call.heard()[-1] == "Back with the caller"
    assert leg_entries(leg, "hangup")[-1].detail["cause"] == "NORMAL_CLEARING"
    assert _child(node, call).status == CallStatus.COMPLETE


def test_without_hangup_on_star_the_key_does_not_end_the_bridge(dial, sim):
    sim.set_destination("15552220005", Destination("answer", answer_after=1, stay=30))
    call = dial("<Response><Dial><Number>15552220005</Number></Dial></Response>")
    leg = _leg_channel(sim, "15552220005")
    bridged(call).receive_dtmf("*", "RTP")
    call.wait(15)
    assert [e.detail["digits"] for e in leg_entries(leg, "dtmf")] == ["*"]  # pressed while bridged: passed on
    assert not entries(call, "bridge_terminate")
    assert entries(call, "unbridge")[0].detail["cause"] == "NORMAL_CLEARING"


def test_sip_credentials_headers_and_transport_reach_the_switch(dial, node, sim):
    sim.set_destination("bob", Destination("answer", answer_after=1, stay=2))
    call = dial("<Response><Dial><Sip username='alice' password='s3cret pass'>"
                "sip:bob@example.com;transport=tcp?X-Tenant=acme%20corp&amp;X-Ticket=42</Sip></Dial></Response>")
    leg = _leg_channel(sim, "bob")
    call.wait(15)
    assert leg.name == "sofia/external/sip:bob@example.com;transport=tcp"
    assert leg.variables["sip_auth_username"] == "alice"
    assert leg.variables["sip_auth_password"] == "s3cret pass"
    assert leg.variables["sip_h_X-Tenant"] == "acme corp"
    assert leg.variables["sip_h_X-Ticket"] == "42"
    assert entries(call, "bridge")[0].detail["outcome"] == "answer"
    assert _child(node, call).to == "sip:bob@example.com;transport=tcp"
